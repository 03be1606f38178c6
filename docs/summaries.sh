#!/usr/bin/env bash
# docs/summaries.sh [CGSIM]: the run summaries the README and docs/incidents.md quote, for every
# shipped scenario with its own seed. Regenerate after a behaviour change and update the quotes.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-./build/cgsim}
for s in scenarios/*.json scenarios/incidents/*.json; do
  echo "== $s"
  "$bin" run "$s" --trace /dev/null 2>&1 | grep -v '^  trace:'
done
