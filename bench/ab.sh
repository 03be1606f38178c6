#!/usr/bin/env bash
# Is binary B faster than binary A, in wall time, on this (noisy) machine? Runs `cgsim bench run`
# of one scenario PAIRS times with each binary, interleaved (A B A B ...) so that a slow spell of
# the machine hits both, and prints the geometric mean of the per-pair ratios B/A, in how many
# pairs B was faster, and each binary's minimum, median and maximum. Run it with A = B first: the
# ratio it gives then is the noise, and a change whose ratio is not clearly beyond it is not
# measured. For instruction counts, which do not move, see bench/profile.sh.
# usage: bench/ab.sh BIN_A BIN_B [SCENARIO] [PAIRS]
#   SCENARIO: a scenario file (default: the first 10 virtual minutes of bench/rolling_1000.json's
#   shape, bench/lib.sh); PAIRS: default 20.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
a=${1:?usage: bench/ab.sh BIN_A BIN_B [SCENARIO] [PAIRS]}
b=${2:?usage: bench/ab.sh BIN_A BIN_B [SCENARIO] [PAIRS]}
pairs=${4:-20}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cgsim-ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
scenario=${3:-}
if [ -z "$scenario" ]; then
  scenario=$tmp/s.json
  bench_scenario 1000 10000 20000 exponential 600000 60000 200 >"$scenario"
fi
wall() {
  local w
  w=$("$1" bench run "$scenario" | sed -n -E 's/^wall_s +//p')
  [ -n "$w" ] || { echo "bench/ab.sh: $1 bench run $scenario gave no wall_s" >&2; exit 1; }
  echo "$w"
}
for ((i = 0; i < pairs; i++)); do
  wa=$(wall "$a")
  wb=$(wall "$b")
  echo "$wa $wb"
done >"$tmp/pairs"
awk -v a="$a" -v b="$b" '
  { ra[NR] = $1; rb[NR] = $2; s += log($2 / $1); if ($2 < $1) w++ }
  function med(x, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
  }
  END {
    n = NR
    printf "B/A wall time, geometric mean of %d interleaved pairs: %.3f; B faster in %d of %d\n", n, exp(s / n), w, n
    for (i = 1; i <= n; i++) { ca[i] = ra[i]; cb[i] = rb[i] }
    ma = med(ca, n); mb = med(cb, n)
    printf "A %s: min %.3f s, median %.3f s, max %.3f s\n", a, ca[1], ma, ca[n]
    printf "B %s: min %.3f s, median %.3f s, max %.3f s\n", b, cb[1], mb, cb[n]
  }' "$tmp/pairs"
