#!/usr/bin/env bash
# Builds ios/build/TesseraFFIC.xcframework (the Swift package's binary target)
# and writes the generated Swift into ios/Sources/TesseraFFI/. On a Mac with
# Xcode and rustup:
#   1. cargo builds the static library (release) for each slice:
#        device     aarch64-apple-ios
#        simulator  aarch64-apple-ios-sim + x86_64-apple-ios   (lipo'd into one)
#        macOS      aarch64-apple-darwin + x86_64-apple-darwin (lipo'd; for swift build/test)
#   2. the workspace's uniffi-bindgen (same uniffi pin as the library) generates
#      TesseraFFI.swift, TesseraFFIC.h and the module map from the host library;
#   3. the module map is installed as Headers/TesseraFFIC/module.modulemap (named
#      exactly that, so clang finds it; in a folder named after the module, so it
#      does not collide with other XCFrameworks' maps in the app's include path);
#   4. xcodebuild -create-xcframework puts the three slices together.
#
# Needs: Xcode (xcodebuild, lipo), rustup with the five targets
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin
#
# Usage: ios/scripts/build-xcframework.sh [--no-macos] [--debug]
#   --no-macos   skip the macOS slice (the package then builds for iOS only)
#   --debug      debug profile (slow passcode KDF: for debugging the FFI only)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ios="$root/ios"

macos=1 profile=release cargo_profile=(--release)
while [ $# -gt 0 ]; do
  case "$1" in
    --no-macos) macos=0; shift ;;
    --debug) profile=debug; cargo_profile=(); shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-xcframework: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

for tool in cargo xcodebuild lipo; do
  command -v "$tool" >/dev/null || { echo "build-xcframework: $tool is missing (a Mac with Xcode and rustup is needed)" >&2; exit 1; }
done

cd "$root"
lib() { echo "target/$1/$profile/libtessera_ffi.a"; }
build() { # build TARGET...
  local t
  for t in "$@"; do
    echo "build-xcframework: cargo build --target $t"
    cargo build --locked "${cargo_profile[@]}" -p tessera-ffi --lib --target "$t"
  done
}

build aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
[ "$macos" -eq 0 ] || build aarch64-apple-darwin x86_64-apple-darwin

# Bindings from the host library (its metadata is the same on every target).
cargo build --locked "${cargo_profile[@]}" -p tessera-ffi --lib
cargo build --locked -q -p uniffi-bindgen
gen="$ios/build/generated"
rm -rf "$gen"
target/debug/uniffi-bindgen generate --config uniffi.toml \
  --library "target/$profile/libtessera_ffi.dylib" --language swift --out-dir "$gen"
mkdir -p "$ios/Sources/TesseraFFI"
cp "$gen/TesseraFFI.swift" "$ios/Sources/TesseraFFI/TesseraFFI.swift"

headers="$ios/build/headers"
rm -rf "$headers"
mkdir -p "$headers/TesseraFFIC"
cp "$gen/TesseraFFIC.h" "$headers/TesseraFFIC/"
cp "$gen/TesseraFFIC.modulemap" "$headers/TesseraFFIC/module.modulemap"

slices="$ios/build/slices"
rm -rf "$slices"
mkdir -p "$slices/ios" "$slices/ios-simulator" "$slices/macos"
cp "$(lib aarch64-apple-ios)" "$slices/ios/libtessera_ffi.a"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$slices/ios-simulator/libtessera_ffi.a"
args=(-library "$slices/ios/libtessera_ffi.a" -headers "$headers"
      -library "$slices/ios-simulator/libtessera_ffi.a" -headers "$headers")
if [ "$macos" -eq 1 ]; then
  lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$slices/macos/libtessera_ffi.a"
  args+=(-library "$slices/macos/libtessera_ffi.a" -headers "$headers")
fi

rm -rf "$ios/build/TesseraFFIC.xcframework"
xcodebuild -create-xcframework "${args[@]}" -output "$ios/build/TesseraFFIC.xcframework"
echo "build-xcframework: ios/build/TesseraFFIC.xcframework and ios/Sources/TesseraFFI/TesseraFFI.swift"
