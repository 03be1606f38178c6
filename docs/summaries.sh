#!/usr/bin/env bash
# docs/summaries.sh [CGSIM]: the run summaries the README and docs/incidents.md quote, for every
# shipped scenario with its own seed, and the phases of kip848_900. Regenerate after a behaviour
# change and update the quotes.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$0")/.."
bin=${1:-./build/cgsim}
for s in scenarios/*.json scenarios/incidents/*.json; do
  echo "== $s"
  "$bin" run "$s" --trace /dev/null 2>&1 | grep -v '^  trace:'
done
# docs/kip848.md's table: unavailable partition-ms of each group at the end of each phase of
# kip848_900 (the run cut before the next fault); a phase's waits are the differences.
joins='[{"at_ms":240000,"action":"join","target":"classic/c11"},'
joins+='{"at_ms":240000,"action":"join","target":"consumer/c11"}]'
for cut in "240000 []" "480000 $joins" "720000"; do
  set -- $cut
  sets=(--set "duration_ms=$1")
  [ $# -lt 2 ] || sets+=(--set "faults=$2")
  "$bin" run scenarios/kip848_900.json "${sets[@]}" --trace "$tmp/k.jsonl" --quiet
  echo "== kip848_900 to $1 ms: $("$bin" analyze "$tmp/k.jsonl" | grep -E '^(group |unavailable)' |
    tr -s ' ' | paste -sd';')"
done
# add_partitions.json: the first commit of each group on a new partition (orders-6), where the
# group started it (auto.offset.reset latest: at its log end when the group assigned it).
echo "== scenarios/add_partitions.json: first commit on orders-6 per group"
"$bin" run scenarios/add_partitions.json --trace - --quiet |
  grep '"type":"commit"' | grep '"topic":"orders","partition":6,' |
  awk -F'"group":"' '{ split($2, a, "\""); if (!seen[a[1]]++) print }'
# upgrade_cooperative.json: errors (INCONSISTENT_GROUP_PROTOCOL), lag and each member's owned time.
echo "== scenarios/upgrade_cooperative.json: analyze"
"$bin" run scenarios/upgrade_cooperative.json --trace - --quiet | "$bin" analyze - |
  grep -E '^(group |errors|max lag|max total lag|stalled|one-bounce/|two-bounce/)'
