#!/usr/bin/env bash
# A profile-guided build (GCC): configure BUILD_DIR with CGSIM_PGO=generate, build cgsim, train
# it, configure the same directory with CGSIM_PGO=use and build everything (the tests too, so
# `ctest --test-dir BUILD_DIR` checks the optimised code against the golden traces).
# The training: the first 2 virtual minutes of the two hour benchmarks' shape (bench/lib.sh),
# with and without the trace, every shipped scenario traced (the other protocols, assignors and
# faults), and analyze on one trace. Profiles go to BUILD_DIR/pgo-profile; the traces to a
# temporary directory that is removed.
# usage: bench/pgo.sh [build-dir]     (default build-pgo; extra cmake arguments in CMAKE_ARGS;
#        PGO_TARGETS: what the second build builds, default everything)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
dir=${1:-build-pgo}
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cgsim-pgo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086
cmake -S "$root" -B "$dir" -DCGSIM_PGO=generate ${CMAKE_ARGS:-} >/dev/null
rm -rf "$dir/pgo-profile"
cmake --build "$dir" -j "$jobs" --target cgsim >/dev/null
echo "pgo: training $dir/cgsim" >&2
bench_scenario 1000 10000 20000 exponential 120000 60000 200 >"$tmp/exp.json"
bench_scenario 1000 10000 20000 lognormal 120000 60000 200 >"$tmp/ln.json"
"$dir/cgsim" bench run "$tmp/exp.json" >/dev/null
"$dir/cgsim" bench run "$tmp/ln.json" --trace "$tmp/t.jsonl" >/dev/null
"$dir/cgsim" run "$tmp/exp.json" --trace "$tmp/t.jsonl" --quiet
for s in "$root"/scenarios/*.json "$root"/scenarios/incidents/*.json; do
  "$dir/cgsim" run "$s" --trace "$tmp/t.jsonl" --quiet
done
"$dir/cgsim" analyze "$tmp/t.jsonl" >/dev/null
# shellcheck disable=SC2086
cmake -S "$root" -B "$dir" -DCGSIM_PGO=use ${CMAKE_ARGS:-} >/dev/null
# shellcheck disable=SC2086
cmake --build "$dir" -j "$jobs" ${PGO_TARGETS:+--target $PGO_TARGETS} >/dev/null
echo "pgo: built $dir/cgsim with the profiles in $dir/pgo-profile" >&2
