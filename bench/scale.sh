#!/usr/bin/env bash
# How run cost grows with partitions, members, rate and virtual time. Prints one line per point:
# consumers partitions rate_per_s minutes events wall_s events_per_s peak_rss_kib.
# usage: bench/scale.sh [path/to/cgsim]   (scenarios are generated into a temp dir)
set -euo pipefail
bin=${1:-./build/cgsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
point() {  # consumers partitions rate minutes
  local f="$tmp/s.json"
  cat >"$f" <<JSON
{"name":"scale","seed":1,"duration_ms":$(($4 * 60000)),
 "topics":[{"name":"t","partitions":$2}],
 "producers":[{"id":"p","topic":"t","rate_per_s":$3,"keys":100000}],
 "groups":[{"id":"g","consumers":[{"id":"c","count":$1,"topics":["t"],
   "processing_ms":{"dist":"exponential","mean":0.5}}]}]}
JSON
  local out
  out=$("$bin" bench run "$f" --json)
  echo "$out" | sed -E 's/.*"events":([0-9]+).*"wall_s":([0-9.e-]+).*"events_per_s":([0-9.e+]+).*"peak_rss_kib":([0-9]+).*/\1 \2 \3 \4/' |
    awk -v c="$1" -v p="$2" -v r="$3" -v m="$4" \
      '{ printf "%9d %10d %10d %7d | %9d %6.2f %12.0f %12d\n", c, p, r, m, $1, $2, $3, $4 }'
}
echo "consumers partitions rate_per_s minutes | events wall_s events_per_s peak_rss_kib"
point 100 1000 2000 10
point 100 2000 2000 10
point 100 4000 2000 10
point 200 1000 2000 10
point 400 1000 2000 10
point 100 1000 4000 10
point 100 1000 8000 10
point 100 1000 2000 20
point 100 1000 2000 40
