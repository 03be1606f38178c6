#!/usr/bin/env bash
# bench/report.sh [CGSIM]: what the pictures of a large run cost. Runs bench/rolling_1000.json
# (1,000 consumers, 10,000 partitions, one virtual hour, rolling restart of 200 members) with
# its full trace, then `cgsim report` (the HTML page) and `cgsim plot` (gnuplot, PNG) on that
# trace, each timed with /usr/bin/time (wall, user, peak RSS) beside the load average, and
# prints the sizes of the trace, the page and the plot directory. With chromium installed, also
# the time headless Chromium takes to load and draw the page (--dump-dom).
# usage: bench/report.sh [path/to/cgsim]      (env: TRACE_DIR=$TMPDIR; needs ~2 GB there)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-./build/cgsim}")
tmp=$(mktemp -d "${TRACE_DIR:-${TMPDIR:-/tmp}}/cgsim-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1 /proc/loadavg; }
timed() {  # label command...
  local label=$1 l0 t
  shift
  l0=$(load)
  t=$( { /usr/bin/time -f '%e %U %M' "$@" >/dev/null; } 2>&1 | tail -1)
  set -- $t
  printf '%-8s wall %6.2f s  user %6.2f s  peak %7d KiB  load %s -> %s\n' "$label" "$1" "$2" \
    "$3" "$l0" "$(load)"
}
timed run "$bin" run "$here/rolling_1000.json" --trace "$tmp/t.jsonl" --quiet
timed report "$bin" report "$tmp/t.jsonl" --out "$tmp/report.html"
timed plot "$bin" plot "$tmp/t.jsonl" --out "$tmp/plot"
printf 'trace %d bytes, page %d bytes, plot directory %d bytes\n' "$(stat -c %s "$tmp/t.jsonl")" \
  "$(stat -c %s "$tmp/report.html")" "$(du -sb "$tmp/plot" | cut -f1)"
browser=${CGSIM_CHROMIUM:-$(command -v chromium || true)}
if [ -n "$browser" ]; then
  timed chromium "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --user-data-dir="$tmp/profile" --virtual-time-budget=5000 --dump-dom \
    "file://$tmp/report.html"
fi
