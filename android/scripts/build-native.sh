#!/usr/bin/env bash
# Builds libtessera_ffi.so for each Android ABI with cargo-ndk (release profile:
# debug Rust makes the passcode KDF many times slower) into OUT/<abi>/, the
# jniLibs layout. The Gradle task :tessera:buildTesseraNative runs it.
#
# Needs: the Android NDK (ANDROID_NDK_HOME, or ANDROID_HOME/ndk/<version>),
# cargo-ndk (`cargo install cargo-ndk`), and the Rust targets
# (`rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android`).
#
# Usage: android/scripts/build-native.sh --out DIR [--abi ABI]... [--platform API]
#   --abi ABI        arm64-v8a, armeabi-v7a, x86_64 (default: all three; x86 on request)
#   --platform API   the minimum Android API level to link against (default 28, the minSdk)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

out= platform=28 abis=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --abi) abis+=("$2"); shift 2 ;;
    --platform) platform=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-native: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "build-native: --out DIR is required" >&2; exit 2; }
[ ${#abis[@]} -gt 0 ] || abis=(arm64-v8a armeabi-v7a x86_64)

if ! cargo ndk --version >/dev/null 2>&1; then
  echo "build-native: cargo-ndk is missing: cargo install cargo-ndk" >&2
  exit 1
fi
if [ -z "${ANDROID_NDK_HOME:-}" ] && [ -z "${ANDROID_NDK_ROOT:-}" ] && [ ! -d "${ANDROID_HOME:-/nonexistent}/ndk" ]; then
  echo "build-native: no NDK found: set ANDROID_NDK_HOME (or install one with the SDK manager)" >&2
  exit 1
fi

targets=()
for abi in "${abis[@]}"; do
  case "$abi" in
    arm64-v8a|armeabi-v7a|x86_64|x86) targets+=(-t "$abi") ;;
    *) echo "build-native: unknown ABI $abi" >&2; exit 2 ;;
  esac
done

# Paths are relative to where the script was called from.
case "$out" in /*) ;; *) out=$PWD/$out ;; esac

cd "$root"
mkdir -p "$out"
cargo ndk "${targets[@]}" --platform "$platform" -o "$out" \
  build --locked --release -p tessera-ffi --lib
ls -l "$out"/*/libtessera_ffi.so
