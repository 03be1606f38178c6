#!/usr/bin/env bash
# docs/figures.sh [CGSIM]: the simulation figures README.md, docs/kip848.md and docs/incidents.md
# quote, from
# seeded runs, one quote per line: "FILE<TAB>TEXT", TEXT being the words as FILE has them (line
# breaks and indentation aside).
# tests/readme_figures.sh runs it and fails when a quote is not in its file, so a change of
# behaviour that moves a figure fails the suite until the prose follows (docs/regen.sh reruns
# this and every other script that makes what the docs show).
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-./build/cgsim}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# an NAME SCENARIO [--set ...]: `cgsim analyze` of the scenario's trace (own seed) into NAME.txt
an() {
  local name=$1 scen=$2
  shift 2
  "$bin" run "$scen" --quiet --trace "$tmp/$name.jsonl" "$@"
  "$bin" analyze "$tmp/$name.jsonl" >"$tmp/$name.txt"
}
# fig NAME GROUP ROW: the value in row ROW (its label, as analyze prints it) of group GROUP
fig() {
  awk -v g="$2" -v row="$3" '
    $1 == "group" && !n { n = NF - 1; for (i = 2; i <= NF; i++) if ($i == g) col = i - 1; next }
    n && index($0, row " ") == 1 { print $(NF - n + col); exit }' "$tmp/$1.txt"
}
# sub NAME GROUP PARENT ROW: the indented ROW under row PARENT ("  group total max" under
# "sampled lag committed max")
sub() {
  awk -v g="$2" -v parent="$3" -v row="  $4" '
    $1 == "group" && !n { n = NF - 1; for (i = 2; i <= NF; i++) if ($i == g) col = i - 1; next }
    n && index($0, parent " ") == 1 { f = 1; next }
    f && index($0, row " ") == 1 { print $(NF - n + col); exit }' "$tmp/$1.txt"
}
# s NAME GROUP ROW DECIMALS: a partition-ms row in partition-seconds
s() { awk -v v="$(fig "$1" "$2" "$3")" -v d="$4" 'BEGIN { printf "%.*f", d, v / 1000 }'; }
# thousands N: 5439 -> 5,439
thousands() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
q() { printf 'README.md\t%s\n' "$*"; }

an story45 scenarios/story.json
an story10 scenarios/story.json --set 'groups[0].config.session.timeout.ms=10000'
q "cuts stalled time from $(s story45 billing 'stalled partition-ms' 1) to" \
  "$(s story10 billing 'stalled partition-ms' 1) partition-s, while the unowned figure alone" \
  "rises from $(s story45 billing 'unavailable partition-ms' 1) to" \
  "$(s story10 billing 'unavailable partition-ms' 1)."

an coop scenarios/cooperative.json
q "so eager loses ~$(s coop eager-range 'unavailable partition-ms' 1) partition-seconds"
q "heartbeat.interval.ms): ~$(s coop coop-sticky 'unavailable partition-ms' 0) partition-seconds."

an add scenarios/add_partitions.json
q "$(s add consumer 'unavailable partition-ms' 1) partition-s unowned over the whole run"
q "unowned for 255 s each: $(s add classic 'unavailable partition-ms' 1) partition-s."
q "With 30 s it rejoins at 60 s: $(s add classic-30s 'unavailable partition-ms' 1) partition-s."

an up scenarios/upgrade_cooperative.json
q "the process dies: $(fig up one-bounce errors) errors, and only the last process"
q "(lag up to $(thousands "$(fig up one-bounce 'max lag records')") records on a partition," \
  "$(thousands "$(fig up one-bounce 'max total lag records')") in all, against" \
  "$(fig up two-bounce 'max lag records') and $(fig up two-bounce 'max total lag records'))."

an mig scenarios/migration.json
conv() { grep '"type":"group_converted"' "$tmp/mig.jsonl" | grep "\"group\":\"$1\"" | sed -n "$2p" |
  sed -e "s/.*\"$3\":\([0-9.]*\).*/\1/"; }
msec() { awk -v v="$1" 'BEGIN { printf "%.3f", v / 1000 }'; }
q "is bounced one member every 10 s (2 s down). A plain bounce of the eager range group costs" \
  "$(fig mig eager-bounce rebalances) rebalances and $(s mig eager-bounce 'stalled partition-ms' 1)" \
  "partition-s stalled."
q "group at the first upgraded member's heartbeat ($(msec "$(conv eager-upgrade 1 t)") s:" \
  "$(conv eager-upgrade 1 members) classic members carried over at epoch = generation" \
  "$(conv eager-upgrade 1 generation))"
q "then costs $(fig mig eager-upgrade rebalances) rebalances and" \
  "$(s mig eager-upgrade 'stalled partition-ms' 1) partition-s from eager range," \
  "$(fig mig coop-upgrade rebalances) and $(s mig coop-upgrade 'stalled partition-ms' 1) from" \
  "cooperative-sticky: fewer partitions move ($(fig mig eager-upgrade 'moved partitions') and" \
  "$(fig mig coop-upgrade 'moved partitions') against $(fig mig eager-bounce 'moved partitions'))"
q "leaves ($(msec "$(conv rollback 2 t)") s), followed by a classic rebalance:" \
  "$(fig mig rollback rebalances) rebalances, $(s mig rollback 'stalled partition-ms' 1)" \
  "partition-s and $(fig mig rollback duplicates) records processed twice"
q "every upgraded process gets GROUP_ID_NOT_FOUND and dies: $(fig mig policy-disabled errors)" \
  "errors, until"
q "to $(thousands "$(sub mig policy-disabled 'sampled lag committed max' 'group total max')")" \
  "records in all)."

an as scenarios/autoscale.json
q "the group swings: $(fig as eager scale-ups) scale-ups and $(fig as eager scale-downs) scale-downs,"
q "up to $(fig as eager 'max replicas') replicas, $(fig as eager rebalances) rebalances, lag up to" \
  "$(thousands "$(fig as eager 'max lag records')") records on a partition."
q "keeps the unaffected partitions flowing: $(fig as cooperative scale-ups) scale-ups," \
  "$(fig as cooperative scale-downs) scale-downs, at most $(fig as cooperative 'max replicas')" \
  "replicas, lag up to $(fig as cooperative 'max lag records')."
q "$(fig as kip848 scale-ups) scale-up, $(fig as kip848 scale-downs) scale-downs," \
  "at most $(fig as kip848 'max replicas') replicas, lag up to $(fig as kip848 'max lag records')."
q "restart), so its partitions wait session.timeout.ms (45 s) before anyone takes them:" \
  "$(fig as static scale-ups) scale-ups, $(fig as static scale-downs) scale-downs and" \
  "$(s as static 'stalled partition-ms' 1) partition-s stalled, against" \
  "$(s as eager 'stalled partition-ms' 1) in the dynamic eager"

an rk scenarios/racks.json
share() { fig rk "$1" 'cross-rack share %'; }
q "(KIP-881): $(share range)% and $(share cooperative-sticky)% of the records cross zones"
q "roundrobin ignores racks: $(share roundrobin)%; the"
q "KIP-848 server assignor ignores them too (Kafka 3.8-4.0): $(share kip848)%."

an rr scenarios/rolling_restart.json
static_extra=$(($(fig rr static rebalances) - 1))   # beyond the first assignment
[ "$static_extra" = 0 ] && static_extra=none
q "dynamic members cause $(fig rr dynamic rebalances) rebalances and move" \
  "$(fig rr dynamic 'moved partitions') partitions; static members cause $static_extra,"
q "($(s rr static 'unavailable partition-ms' 0) against $(s rr dynamic 'unavailable partition-ms' 0)" \
  "partition-seconds unavailable)."

# kip848_900.json: the join (2nd rebalance of each group after the first) and the leave (3rd).
"$bin" run scenarios/kip848_900.json --quiet --trace "$tmp/k.jsonl"
# rb GROUP K FIELD: FIELD of the K-th rebalance_end record of GROUP
rb() {
  grep '"type":"rebalance_end"' "$tmp/k.jsonl" | grep "\"group\":\"$1\"" | sed -n "$2p" |
    sed -e "s/.*\"$3\":\([0-9.]*\).*/\1/"
}
sec() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v / 1000 }'; }
q "for $(sec "$(rb classic 3 duration_ms)" 0) s (the JoinGroup barrier waits for every member"
q "hands the $(rb consumer 4 moved) freed partitions out within" \
  "$(sec "$(rb consumer 4 duration_ms)" 1) s, at each member's next heartbeat"
q "A join costs $(sec "$(rb consumer 3 duration_ms)" 0)-$(sec "$(rb classic 2 duration_ms)" 0) s" \
  "in both, but under KIP-848 only the $(rb consumer 3 moved) moving partitions stop."
k() { printf 'docs/kip848.md\t%s\n' "$*"; }
k "| 11th joins | $(sec "$(rb classic 2 duration_ms)" 1) s, all 900 partitions stop |" \
  "$(sec "$(rb consumer 3 duration_ms)" 1) s, $(rb consumer 3 moved) partitions stop"
k "| one leaves | $(sec "$(rb classic 3 duration_ms)" 1) s, all 900 partitions stop |" \
  "$(sec "$(rb consumer 4 duration_ms)" 1) s, its $(rb consumer 4 moved) free partitions wait"

# docs/incidents.md: the poll-timeout storm, the zombie isolation, the static rolling restart.
i() { printf 'docs/incidents.md\t%s\n' "$*"; }
ms_s() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v / 1000 }'; }
an storm scenarios/incidents/poll-timeout-storm.json
polls=$(grep '"type":"member_leave"' "$tmp/storm.jsonl" | grep -c '"reason":"poll_timeout"')
i "($polls poll timeouts in 60 s: three members in each of five cycles)"
i "~$(s storm storm 'stalled partition-ms' 0) stalled partition-seconds"
committed='sampled lag committed max'
mean=$(awk -v v="$(sub storm tuned "$committed" 'group total mean')" 'BEGIN { printf "%.0f", v }')
i "to $(thousands "$(sub storm tuned "$committed" 'group total max')") records committed behind" \
  "in total (sampled mean $(thousands "$mean"));"
i "position lag reaches" \
  "$(thousands "$(sub storm storm 'sampled lag position max' 'group total max')") records."
i "a median latency of $(ms_s "$(fig storm storm 'latency ms p50')" 1) s in \`storm\` and, as the" \
  "backlog grows, $(ms_s "$(fig storm tuned 'latency ms p50')" 1) s in \`tuned\`" \
  "(p99 $(ms_s "$(fig storm tuned 'latency ms p99')" 1) s)"
an zombie scenarios/incidents/zombie-isolation.json
leave=$(grep '"type":"member_leave"' "$tmp/zombie.jsonl" | head -1 | sed 's/^{"t":\([0-9]*\),.*/\1/')
i "\`member_leave\` c1 reason \`session_timeout\` at $leave"
i "$(fig zombie ledger 'zombie records') zombie records."
an rrs scenarios/incidents/rolling-restart-static.json
i "($(s rrs static 'unavailable partition-ms' 0) partition-seconds in the summary," \
  "against ~$(s rrs dynamic 'unavailable partition-ms' 1) for \`dynamic\`"

# The example error lines: a scenario named s.json with a misspelt key and topic.
cat >"$tmp/s.json" <<'JSON'
{"name": "s", "duration_ms": 1000, "topics": [{"name": "orders", "partitions": 1}],
 "groups": [{"id": "g", "config": {"sesion.timeout.ms": 1}, "consumers": [
   {"id": "a", "topics": ["orders"]}, {"id": "b", "topics": ["orders"]},
   {"id": "c", "topics": ["ordrs"]}]}]}
JSON
(cd "$tmp" && "$bin" validate s.json 2>&1 || true) | while IFS= read -r line; do q "$line"; done
