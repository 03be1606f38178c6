#!/usr/bin/env bash
# Where the instructions of a run go: the first CUT_S virtual seconds of the rolling_1000 shape
# (bench/lib.sh), the run only (cg_world_run, the simulation's thread), under callgrind; the
# shares by source file (self cost, by the file each instruction's line is in), the share of the
# lag samples and latency accounting (by difference), and instructions per engine event. Deterministic: the same binary gives the same figures.
# With CACHE=1, also the misses of a simulated 2 MiB, 16-way last-level cache (this machine's
# L2) per event, from a second callgrind run with its cache simulation (no hardware prefetch).
# With BRANCH=1, also the mispredicted conditional branches per event from callgrind's branch
# simulation (a simple predictor, so an upper bound of what a modern core mispredicts) and the
# functions with the most of them.
# usage: bench/profile.sh [path/to/cgsim]  (env: CUT_S=120 FAMILY=exponential CACHE=0 BRANCH=0)
# Needs valgrind and a build with debug info (the default RelWithDebInfo build has it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bin=${1:-./build/cgsim}
cut_s=${CUT_S:-120}
family=${FAMILY:-exponential}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cgsim-profile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
from=60000
[ "$family" = exponential ] || from=1500000
bench_scenario 1000 10000 20000 "$family" $((cut_s * 1000)) "$from" 200 >"$tmp/s.json"
events=$("$bin" bench run "$tmp/s.json" --json | sed -n -E 's/.*"events":([0-9]+).*/\1/p')
valgrind --tool=callgrind --toggle-collect=cg_world_run --callgrind-out-file="$tmp/cg.out" \
  "$bin" bench run "$tmp/s.json" >/dev/null 2>&1
total=$(callgrind_annotate "$tmp/cg.out" 2>/dev/null | sed -n -E 's/^ *([0-9,]+) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
echo "# first $cut_s s of the rolling_1000 shape ($family), trace off: $total instructions," \
  "$events events, $((total / events)) per event  ($bin)"
echo "# self instructions by source file (share of the run):"
callgrind_annotate --inclusive=no --auto=no "$tmp/cg.out" 2>/dev/null |
  sed -E 's/\( *[0-9.]+%\)//' | grep -E '^ *[0-9,]+ +[^ ]+:[^ ]+( |$)' |
  awk -v total="$total" '
    /^ *[0-9,]+ .*:/ {
      n = $1; gsub(",", "", n)
      f = $2; sub(/:.*/, "", f)
      if ($0 ~ /libgsl/) f = "GSL"; else if ($0 ~ /libm\.so|ieee754|\/math\//) f = "libm"
      else if ($0 ~ /libc\.so|ld-linux/) f = "libc"
      else { m = match(f, /(sim|models|cli|analysis)\/.*/); if (m) f = substr(f, RSTART) }
      by[f] += n
    }
    END { for (f in by) printf "%6.1f%%  %s\n", 100 * by[f] / total, f }' | sort -rn | head -16
if [ "${CACHE:-0}" = 1 ]; then
  misses=$(valgrind --tool=callgrind --cache-sim=yes --LL=2097152,16,64 --toggle-collect=cg_world_run \
    --callgrind-out-file=/dev/null "$bin" bench run "$tmp/s.json" 2>&1 >/dev/null |
    sed -n -E 's/.*LL misses: *([0-9,]+).*/\1/p' | tr -d ,)
  awk -v m="$misses" -v e="$events" 'BEGIN { printf "# last-level (2 MiB) misses: %d, %.1f per event\n", m, m / e }'
fi
if [ "${BRANCH:-0}" = 1 ]; then
  valgrind --tool=callgrind --branch-sim=yes --toggle-collect=cg_world_run \
    --callgrind-out-file="$tmp/br.out" "$bin" bench run "$tmp/s.json" >/dev/null 2>&1
  callgrind_annotate --inclusive=no --show=Bcm --sort=Bcm "$tmp/br.out" 2>/dev/null |
    awk -v e="$events" '
      /PROGRAM TOTALS/ { n = $1; gsub(",", "", n); printf "# mispredicted conditional branches (simulated): %d, %.1f per event\n", n, n / e; total = n; next }
      total && /^ *[0-9,]+ .*:/ && shown < 6 { n = $1; gsub(",", "", n); f = $NF; if (f ~ /^\[/) f = $(NF-1)
        printf "%6.1f%%  %s\n", 100 * n / total, f; shown++ }'
fi
# The lag samples (which read every partition's log end every second) and the end-to-end latency
# of every batch, which share their grid, by difference: the same cut with lag_sample_ms 0.
sed '1s/{/{"lag_sample_ms": 0,/' "$tmp/s.json" >"$tmp/nolag.json"
nolag=$(bench_instructions "$bin" bench run "$tmp/nolag.json")
awk -v a="$nolag" -v b="$total" 'BEGIN { printf "# lag samples and latency accounting: %.1f%% (%d instructions without them)\n", 100 * (b - a) / b, a }'
