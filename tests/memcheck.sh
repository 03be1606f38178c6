#!/usr/bin/env bash
# tests/memcheck.sh CGSIM: every shipped scenario, incident and regression under valgrind memcheck
# (ctest label memcheck). Uninitialised memory must never decide behaviour: one run of a commit
# during a coordinator failover once read never-written flags, and only a byte comparison of two
# builds' traces showed it. Exit 0 when every run is clean.
set -u
bin=$1
cd "$(dirname "$0")/.."
fail=0
for s in scenarios/*.json scenarios/incidents/*.json tests/regressions/*/scenario.json; do
  if ! valgrind -q --error-exitcode=97 --track-origins=yes "$bin" run "$s" --trace /dev/null \
       --quiet; then
    echo "memcheck: $s failed" >&2
    fail=1
  fi
done
exit $fail
