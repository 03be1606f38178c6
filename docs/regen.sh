#!/usr/bin/env bash
# docs/regen.sh [CGSIM]: regenerates what the docs show from the program, so that nothing they
# quote can drift: the run summaries (docs/summaries.sh, into docs/summaries.txt, which the docs
# quote from), the example pictures (docs/plots.sh, gnuplot), the report screenshots
# (docs/screenshots.sh, chromium; skipped with a message without it), and checks the figures
# and example lines README.md quotes against docs/figures.sh (tests/readme_figures.sh, also the
# ctest readme_figures). Benchmark figures come from the bench/ scripts they name.
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-./build/cgsim}")
bash docs/summaries.sh "$bin" >docs/summaries.txt
echo "docs/summaries.txt"
bash docs/plots.sh "$bin"
echo "docs/plot-*.png"
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "${CGSIM_CHROMIUM:-}" ]; then
  bash docs/screenshots.sh "$bin"
else
  echo "docs/regen.sh: chromium not found, docs/report/*.png left as they are" >&2
fi
bash tests/readme_figures.sh "$bin"
