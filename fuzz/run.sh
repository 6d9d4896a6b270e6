#!/usr/bin/env bash
# Runs Tessera's fuzz targets (cargo-fuzz, libFuzzer) one after the other,
# each from its committed seeds (seeds/<target>) plus the corpus it grew
# before (corpus/<target>, not committed), with a one-second timeout per
# input. Crashes and timeouts land in artifacts/<target>/; each one found
# becomes a regression test in the normal test suite (docs/fuzzing.md).
#
# Usage: fuzz/run.sh [-runs N] [-jobs J] [-sanitizer none|address] [TARGET...]
#   default: every target, -runs 1000000, sanitizer none (works on stable;
#   "address" needs nightly). The machine is shared: the campaign runs
#   under nice, by default as one job; -jobs J splits the runs over J
#   parallel jobs sharing one corpus (for the slow scan target). A summary
#   line per target (executions, exec/s, corpus size, wall time) goes to target/fuzz-summary.txt.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")"

runs=1000000
jobs=1
sanitizer=none
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    -runs|--runs) runs=$2; shift 2 ;;
    -jobs|--jobs) jobs=$2; shift 2 ;;
    -sanitizer|--sanitizer) sanitizer=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

command -v cargo-fuzz >/dev/null || {
  echo "run.sh: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2; exit 1; }
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
toolchain=()
[ "$sanitizer" = address ] && toolchain=(+nightly)

mkdir -p target
here=$(pwd)
summary=$here/target/fuzz-summary.txt
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="$here/target/fuzz-$t.log"
  # libFuzzer's -jobs mode writes fuzz-<job>.log into the working directory:
  # each target runs in its own, and one campaign per target at a time.
  work="$here/target/work/$t"
  mkdir -p "$work"
  exec 9>"$work/lock"
  if ! flock -n 9; then
    echo "run.sh: $t: another campaign is running it" >&2; status=1; continue
  fi
  echo "run.sh: $t: $runs runs in $jobs job(s) (log: fuzz/target/fuzz-$t.log)"
  start=$(date +%s)
  # The scanner's inputs are pixels, which comparison tracing helps little,
  # while its tracing of every comparison in the pixel loops triples the
  # time per input (docs/fuzzing.md): that target is built without it.
  build=()
  [ "$t" = scan ] && build=(--no-trace-compares)
  if (cd "$work" && CARGO_BUILD_JOBS=1 nice -n 19 cargo "${toolchain[@]}" fuzz run \
      "${build[@]}" --fuzz-dir "$here" --sanitizer "$sanitizer" "$t" "$here/corpus/$t" "$here/seeds/$t" -- \
      -runs="$(( (runs + jobs - 1) / jobs ))" -timeout=1 -rss_limit_mb=2048 \
      -jobs="$jobs" -workers="$jobs" \
      -print_final_stats=1 >"$log" 2>&1); then
    result=ok
  else
    result="FAILED (see fuzz/target/fuzz-$t.log and fuzz/artifacts/$t/)"
    status=1
  fi
  secs=$(( $(date +%s) - start ))
  # The jobs' own logs (libFuzzer copies each into $log when its job ends).
  rm -f "$work"/fuzz-[0-9]*.log
  exec 9>&-
  # One final-stats block per job: executions add up, so do the rates.
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' \
    | awk '{ s += $1 } END { if (NR) print s }' || true)
  rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' \
    | awk '{ s += $1 } END { if (NR) print s }' || true)
  if [ -n "$execs" ] && { [ -z "$rate" ] || [ "$rate" = 0 ]; }; then
    rate=$(( execs / (secs > 0 ? secs : 1) ))
  fi
  files=$(find "corpus/$t" -type f | wc -l)
  line="$t: $result; ${execs:-?} executions, ${rate:-?} exec/s, corpus ${files} files, ${secs} s"
  echo "run.sh: $line"
  echo "$(date -u +%Y-%m-%dT%H:%MZ) $line" >>"$summary"
done
exit $status
