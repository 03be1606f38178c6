#!/usr/bin/env bash
# docs/plots.sh [CGSIM]: the example pictures in docs/ (story.json with its seed: timeline, lag,
# rebalance CDF; add_partitions.json and kip848_900.json: timeline; quickstart.json compared over
# four assignors and 20 seeds). Needs gnuplot.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-./build/cgsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run scenarios/story.json --quiet --trace "$tmp/story.jsonl"
"$bin" plot "$tmp/story.jsonl" --out "$tmp/story"
cp "$tmp/story/timeline.png" docs/plot-timeline.png
cp "$tmp/story/lag.png" docs/plot-lag.png
cp "$tmp/story/rebalance_cdf.png" docs/plot-rebalance-cdf.png
"$bin" run scenarios/add_partitions.json --quiet --trace "$tmp/add.jsonl"
"$bin" plot "$tmp/add.jsonl" --out "$tmp/add"
cp "$tmp/add/timeline.png" docs/plot-add-partitions.png
"$bin" run scenarios/kip848_900.json --quiet --trace "$tmp/k.jsonl"
"$bin" plot "$tmp/k.jsonl" --out "$tmp/k"
cp "$tmp/k/timeline.png" docs/plot-kip848-900.png
"$bin" compare scenarios/quickstart.json --assignors range,roundrobin,sticky,cooperative-sticky \
  --seeds 20 --json > "$tmp/compare.json"
"$bin" plot --compare "$tmp/compare.json" --out "$tmp/compare"
cp "$tmp/compare/compare.png" docs/plot-compare.png
