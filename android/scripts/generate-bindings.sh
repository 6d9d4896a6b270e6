#!/usr/bin/env bash
# Generates the Kotlin bindings (package lu.tessera.ffi) with the workspace's own
# uniffi-bindgen (the same uniffi pin as the library: ADR 0006), in library mode
# from the host build of libtessera_ffi. Generated code is never committed: the
# Gradle task :tessera:generateTesseraBindings runs this into build/, and
# scripts/shells runs it for the JVM tests.
#
# Usage: android/scripts/generate-bindings.sh --out DIR [--library FILE]
#   --out DIR        where lu/tessera/ffi/tessera_ffi.kt is written (emptied first)
#   --library FILE   generate from this library instead of building the release
#                    one (scripts/shells passes the test library libtessera_ffi_testing,
#                    which adds lu/tessera/ffi/testing: TestPortal)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

out= library=
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --library) library=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "generate-bindings: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$out" ] || { echo "generate-bindings: --out DIR is required" >&2; exit 2; }

# Paths are relative to where the script was called from.
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
case "$library" in ""|/*) ;; *) library=$PWD/$library ;; esac

cd "$root"
if [ -z "$library" ]; then
  # Only the metadata is read: the host build describes the same API as the Android ones.
  cargo build --locked -q --release -p tessera-ffi --lib
  case "$(uname -s)" in
    Darwin) library=target/release/libtessera_ffi.dylib ;;
    *) library=target/release/libtessera_ffi.so ;;
  esac
fi
cargo build --locked -q -p uniffi-bindgen
rm -rf "$out"
mkdir -p "$out"
target/debug/uniffi-bindgen generate --no-format --config uniffi.toml \
  --library "$library" --language kotlin --out-dir "$out" >/dev/null
echo "generate-bindings: $out/lu/tessera/ffi/tessera_ffi.kt (from $library)"
