#!/usr/bin/env bash
# What the lag and latency samples cost: bench/rolling_1000.json (10,000 partitions, one hour)
# with lag_sample_ms 0 (no lag or latency records) and at its default (1000), interleaved, three
# runs each. Prints the user CPU seconds of each run; with valgrind installed and CACHEGRIND=1,
# also the instructions of the first five minutes (no restarts yet, so the scenario is cut
# without its faults) for each setting, which load on the machine does not disturb.
# usage: bench/samples.sh [path/to/cgsim]
set -euo pipefail
bin=${1:-./build/cgsim}
for i in 1 2 3; do
  for s in 0 1000; do
    t=$( { /usr/bin/time -f "%U" "$bin" bench run bench/rolling_1000.json --set lag_sample_ms=$s \
           >/dev/null; } 2>&1 | tail -1)
    echo "run $i lag_sample_ms=$s user_s $t"
  done
done
if [ "${CACHEGRIND:-0}" = 1 ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # the same scenario, five minutes, no faults (its rolling restart starts later)
  sed -e 's/"duration_ms": 3600000/"duration_ms": 300000/' bench/rolling_1000.json |
    awk '/"faults"/ { print " \"faults\": []"; skip = 1; next } skip && /^ \]/ { skip = 0; next }
         !skip' >"$tmp/cut.json"
  for s in 0 1000; do
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" bench run \
      "$tmp/cut.json" --set lag_sample_ms=$s 2>&1 >/dev/null | sed -n "s/.*I *refs: */lag_sample_ms=$s instructions /p"
  done
fi
