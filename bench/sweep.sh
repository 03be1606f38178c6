#!/usr/bin/env bash
# Sweep throughput (runs per second) of the shipped example (450 runs) on this machine: 1 process
# and 2 processes (MPI ranks with one thread each when cgsim was built with MPI), and 1 process
# with 2 threads for comparison; the best of REPEAT tries each (the machine may be shared). Also
# checks that the three outputs are byte-identical.
# usage: bench/sweep.sh [path/to/cgsim] [REPEAT]
set -euo pipefail
bin=${1:-./build/cgsim}
repeat=${2:-3}
spec=scenarios/sweeps/session_timeout_x_assignor.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpirun=$(command -v mpirun || true)
if [ -n "$mpirun" ] && [ "$(id -u)" = 0 ]; then mpirun="$mpirun --allow-run-as-root"; fi
best() {  # label dir command...: runs the sweep REPEAT times from scratch, prints the best rate
  local label=$1 dir=$2 rate best_rate=0
  shift 2
  for _ in $(seq "$repeat"); do
    rm -rf "$dir"
    rate=$("$@" --out "$dir" | sed -E 's/.* ([0-9.]+) runs\/s.*/\1/')
    best_rate=$(awk -v a="$rate" -v b="$best_rate" 'BEGIN { print (a > b) ? a : b }')
  done
  printf '%-34s %8.1f runs/s\n' "$label" "$best_rate"
}
echo "cgsim sweep $spec ($(nproc) CPUs, best of $repeat; load average before: $(cut -d" " -f1-3 /proc/loadavg))"
best "1 process, 1 thread" "$tmp/p1" "$bin" sweep "$spec" --jobs 1
if [ -n "$mpirun" ] && ldd "$bin" 2>/dev/null | grep libmpi >/dev/null; then
  best "1 MPI rank, 1 thread" "$tmp/r1" $mpirun -n 1 "$bin" sweep "$spec" --jobs 1
  best "2 MPI ranks, 1 thread each" "$tmp/r2" $mpirun --oversubscribe -n 2 "$bin" sweep "$spec" \
    --jobs 1
  diff -r "$tmp/p1" "$tmp/r2" >/dev/null && echo "outputs of 1 process and 2 ranks: identical"
else
  echo "(cgsim built without MPI: no rank figures)"
fi
best "1 process, 2 threads" "$tmp/t2" "$bin" sweep "$spec" --jobs 2
diff -r "$tmp/p1" "$tmp/t2" >/dev/null && echo "outputs of 1 and 2 threads: identical"
