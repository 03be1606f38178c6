#!/usr/bin/env bash
# docs/screenshots.sh [CGSIM]: one screenshot of the `cgsim report` page of each shipped scenario
# (scenarios/*.json, own seed) into docs/report/NAME.png, taken by headless Chromium (Debian:
# apt-get install chromium) at 1200 x 1600 pixels: the header, the summary and the first group.
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-./build/cgsim}")
browser=${CGSIM_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$browser" ] || { echo "docs/screenshots.sh: chromium not found (apt-get install chromium)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p docs/report
for s in scenarios/*.json; do
  name=$(basename "$s" .json)
  "$bin" run "$s" --quiet --trace "$tmp/$name.jsonl"
  (cd "$tmp" && "$bin" report "$name.jsonl" --out "$name.html" >/dev/null)   # header: NAME.jsonl
  "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --hide-scrollbars \
    --user-data-dir="$tmp/profile" --virtual-time-budget=5000 --window-size=1200,1600 \
    --screenshot="$tmp/$name.png" "file://$tmp/$name.html" >/dev/null 2>&1
  cp "$tmp/$name.png" "docs/report/$name.png"
  echo "docs/report/$name.png"
done
