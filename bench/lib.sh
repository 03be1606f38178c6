# bench/lib.sh: helpers the benchmark scripts source (bench/matrix.sh, bench/hour.sh).

# JSON of a processing-time law with mean 0.5 ms, by family name.
bench_dist() {
  case $1 in
    constant) echo '{"dist":"constant","value":0.5}' ;;
    uniform) echo '{"dist":"uniform","min":0,"max":1}' ;;
    exponential) echo '{"dist":"exponential","mean":0.5}' ;;
    normal) echo '{"dist":"normal","mean":0.5,"sd":0.2}' ;;
    lognormal) echo '{"dist":"lognormal","mean":0.5,"sd":0.2}' ;;
    pareto) echo '{"dist":"pareto","scale":0.3333333,"shape":3}' ;;     # mean 3 * s / 2
    weibull) echo '{"dist":"weibull","scale":0.5539,"shape":1.5}' ;;    # mean s * Gamma(5/3)
    *) echo "bench: unknown family '$1'" >&2; return 2 ;;
  esac
}

# A one-group scenario: members partitions rate_per_s family duration_ms restart_from_ms
# restarts. From restart_from_ms on, members c-1, c-2, ... leave for 5 s one every 10 s (the
# rolling restart of bench/rolling_1000.json); faults at or after the duration are left out, so
# a cut of a benchmark keeps the same shape.
bench_scenario() {
  local m=$1 p=$2 r=$3 fam=$4 dur=$5 from=$6 n=$7 faults="" i at
  for ((i = 1; i <= n; i++)); do
    at=$((from + 10000 * (i - 1)))
    ((at < dur)) || break
    faults+="${faults:+,}{\"at_ms\":$at,\"action\":\"leave\",\"target\":\"g/c-$i\",\"duration_ms\":5000}"
  done
  cat <<JSON
{"name":"bench-${m}x${p}-$fam","seed":1,"duration_ms":$dur,
 "topics":[{"name":"events","partitions":$p}],
 "producers":[{"id":"p","topic":"events","rate_per_s":$r,"keys":1000000}],
 "groups":[{"id":"g","assignor":"range","consumers":[{"id":"c","count":$m,"topics":["events"],
   "processing_ms":$(bench_dist "$fam")}]}],
 "faults":[$faults]}
JSON
}

# Instructions executed in the run (cg_world_run, not the scenario load and world set-up) of
# `cgsim ARGS...` under callgrind: deterministic, unlike wall time.
bench_instructions() {
  local out
  out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=cg_world_run \
    "$@" 2>&1 >/dev/null) || {
    echo "bench: callgrind run failed: $*" >&2; return 1; }
  echo "$out" | sed -n -E 's/.*Collected : ([0-9]+).*/\1/p'
}

# Field NAME of `cgsim bench run --json` output, rounded to DIGITS decimals (default 0); "-"
# when the binary does not report it (an older build measured for a before/after comparison).
bench_field() {
  local v
  v=$(echo "$2" | sed -n -E "s/.*\"$1\":([0-9.e+-]+).*/\1/p")
  if [ -z "$v" ]; then echo -; else awk -v v="$v" -v d="${3:-0}" 'BEGIN { printf "%.*f", d, v }'; fi
}

# ns per event from wall seconds and events (older builds do not report it).
bench_ns_per_event() {
  awk -v w="$1" -v e="$2" 'BEGIN { printf "%.0f", (e > 0 ? w * 1e9 / e : 0) }'
}
