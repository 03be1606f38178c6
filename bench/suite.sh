#!/usr/bin/env bash
# How long the default test suite takes: `ctest -j2 -LE 'long|memcheck'` on a built tree, three
# times, with the load average before each run (other work on the machine slows it) and the five
# slowest tests of the last run. The README's Tests section quotes these figures.
# usage: bench/suite.sh [build-dir]
set -euo pipefail
dir=${1:-build}
for i in 1 2 3; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  t=$( { /usr/bin/time -f "%e %U %S" ctest --test-dir "$dir" -j2 -LE 'long|memcheck' \
         >"$dir/suite-last.log"; } 2>&1 | tail -1)
  set -- $t
  echo "run $i: $1 s wall, $2 s user, $3 s sys, load average $load before"
done
echo "slowest tests of the last run:"
grep -E 'Test +#[0-9]+: .* Passed' "$dir/suite-last.log" |
  awk '{ print $(NF-1), $4 }' | sort -rn | head -5 | sed 's/^/  /'
