#!/usr/bin/env bash
# tests/readme_figures.sh CGSIM: every quote docs/figures.sh regenerates (the simulation figures
# and example error lines README.md quotes) must be in its file, line breaks and indentation
# aside. A failure names the quote: rerun docs/regen.sh and make the prose say what the
# program does now.
set -eu
cd "$(dirname "$0")/.."
bin=${1:?usage: tests/readme_figures.sh CGSIM}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash docs/figures.sh "$bin" >"$out"
n=0
bad=0
while IFS=$'\t' read -r file text; do
  n=$((n + 1))
  if ! tr -s ' \n' '  ' <"$file" | grep -qF -- "$text"; then
    echo "$file does not say: $text" >&2
    bad=$((bad + 1))
  fi
done <"$out"
[ "$n" -gt 0 ] || { echo "docs/figures.sh printed no quotes" >&2; exit 1; }
echo "$((n - bad)) of $n quotes found"
[ "$bad" = 0 ]
