#!/usr/bin/env bash
# The benchmark matrix: members x partitions x rate x processing-time family, each point run
# with the trace discarded and with the full trace written to a file. Around a base point (1,000
# members, 10,000 partitions, 20,000 records/s, exponential, 5 virtual minutes, a rolling restart
# from minute 1) one dimension varies at a time. Per run: engine events, wall seconds, ns per
# event, events/s, records consumed per second, peak RSS; per point, the instructions of its
# first INSTR_S virtual seconds under callgrind (deterministic: compare builds with this column,
# wall time on a shared machine is noise), trace off and on.
# usage: bench/matrix.sh [path/to/cgsim]     (env: MINUTES=5 INSTR_S=20 TRACE_DIR=$TMPDIR, and
#        SETS="key=value ..." passed to every run as --set, e.g. SETS=lag_sample_ms=0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bin=${1:-./build/cgsim}
minutes=${MINUTES:-5}
instr_s=${INSTR_S:-20}
sets=()
for kv in ${SETS:-}; do sets+=(--set "$kv"); done
tmp=$(mktemp -d "${TRACE_DIR:-${TMPDIR:-/tmp}}/cgsim-matrix.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

point() {  # members partitions rate family
  local f="$tmp/s.json" c="$tmp/cut.json" off on ioff ion
  bench_scenario "$1" "$2" "$3" "$4" $((minutes * 60000)) 60000 200 >"$f"
  bench_scenario "$1" "$2" "$3" "$4" $((instr_s * 1000)) 60000 200 >"$c"
  off=$("$bin" bench run "$f" ${sets[@]+"${sets[@]}"} --json)
  on=$("$bin" bench run "$f" ${sets[@]+"${sets[@]}"} --json --trace "$tmp/t.jsonl")
  rm -f "$tmp/t.jsonl"
  ioff=$(bench_instructions "$bin" bench run "$c" ${sets[@]+"${sets[@]}"})
  ion=$(bench_instructions "$bin" bench run "$c" ${sets[@]+"${sets[@]}"} --trace "$tmp/t.jsonl")
  rm -f "$tmp/t.jsonl"
  for mode in off on; do
    local j=$off instr=$ioff
    [ $mode = on ] && j=$on instr=$ion
    local w e
    w=$(bench_field wall_s "$j" 2) e=$(bench_field events "$j")
    printf '%7d %10d %7d %-11s %-5s | %9s %7s %8s %9s %10s %8s %14s\n' "$1" "$2" "$3" "$4" \
      "$mode" "$e" "$w" "$(bench_ns_per_event "$w" "$e")" "$(bench_field events_per_s "$j")" \
      "$(bench_field records_per_s "$j")" "$(bench_field peak_rss_kib "$j")" "$instr"
  done
}

echo "# $(uname -m), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg); $minutes virtual minutes," \
  "instructions over the first $instr_s s${SETS:+; --set $SETS}"
echo "members partitions    rate family      trace |    events  wall_s ns/event" \
  " events/s  records/s  rss_kib   instructions"
for fam in exponential constant uniform normal lognormal pareto weibull; do
  point 1000 10000 20000 "$fam"
done
point 100 10000 20000 exponential
point 1000 1000 20000 exponential
point 1000 50000 20000 exponential
point 1000 10000 2000 exponential
point 1000 10000 40000 exponential
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
