#!/usr/bin/env bash
# The hour benchmarks: bench/rolling_1000.json (exponential processing times) and
# bench/rolling_1000_lognormal.json (lognormal, the restart from minute 25): 1,000 consumers,
# 10,000 partitions, 20,000 records/s, one virtual hour, a rolling restart of 200 members.
# Each is run RUNS times as a user runs it, `cgsim run --trace FILE --quiet` (full trace written
# to a file, --check on), timed with /usr/bin/time (wall, user, sys, peak RSS), and RUNS times
# with `cgsim bench run` (trace discarded, checks off); the load average is printed before and
# after each run because wall time on a shared machine is noisy. Given several binaries (before
# and after a change) the runs are interleaved, binary by binary. Then the instructions of the
# first CUT_S virtual seconds of each under callgrind (deterministic; the cut has the same
# shape: bench/lib.sh), trace off and on.
# usage: bench/hour.sh [path/to/cgsim...]     (env: RUNS=3 CUT_S=120 TRACE_DIR=$TMPDIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
[ $# -gt 0 ] || set -- ./build/cgsim
runs=${RUNS:-3}
cut_s=${CUT_S:-120}
tmp=$(mktemp -d "${TRACE_DIR:-${TMPDIR:-/tmp}}/cgsim-hour.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }

traced() {  # bin scenario-name
  local l0 t bytes
  l0=$(load)
  t=$( { /usr/bin/time -f '%e %U %S %M' "$1" run "$here/$2.json" --trace "$tmp/t.jsonl" \
    --quiet; } 2>&1 | tail -1)
  bytes=$(stat -c %s "$tmp/t.jsonl")
  rm -f "$tmp/t.jsonl"
  set -- "$1" "$2" $t
  printf '%-23s run --trace FILE  wall %6.2f s user %6.2f s sys %5.2f s rss %6d KiB' \
    "$2" "$3" "$4" "$5" "$6"
  printf ' trace %5.2f GB load %s/%s  %s\n' "$(awk -v b="$bytes" 'BEGIN { print b / 1e9 }')" \
    "$l0" "$(load)" "$1"
}

untraced() {  # bin scenario-name
  local l0 j w e
  l0=$(load)
  j=$("$1" bench run "$here/$2.json" --json)
  w=$(bench_field wall_s "$j" 2) e=$(bench_field events "$j")
  printf '%-23s bench run         wall %6.2f s events %d ns/event %4d rss %6d KiB load %s/%s  %s\n' \
    "$2" "$w" "$e" "$(bench_ns_per_event "$w" "$e")" "$(bench_field peak_rss_kib "$j")" "$l0" \
    "$(load)" "$1"
}

echo "# $(uname -m), $(nproc) cores; load is the 1-minute average before/after each run"
for name in rolling_1000 rolling_1000_lognormal; do
  for ((i = 1; i <= runs; i++)); do
    for bin in "$@"; do traced "$bin" "$name"; done
  done
  for ((i = 1; i <= runs; i++)); do
    for bin in "$@"; do untraced "$bin" "$name"; done
  done
done
bench_scenario 1000 10000 20000 exponential $((cut_s * 1000)) 60000 200 >"$tmp/exp.json"
bench_scenario 1000 10000 20000 lognormal $((cut_s * 1000)) 1500000 200 >"$tmp/ln.json"
for bin in "$@"; do
  for s in exp ln; do
    off=$(bench_instructions "$bin" bench run "$tmp/$s.json")
    on=$(bench_instructions "$bin" bench run "$tmp/$s.json" --trace "$tmp/t.jsonl")
    rm -f "$tmp/t.jsonl"
    echo "instructions, first $cut_s s of $s: trace off $off, trace on $on  $bin"
  done
done
