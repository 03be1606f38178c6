#!/usr/bin/env bash
# docs/plots.sh [CGSIM]: the example pictures in docs/ (story.json with its seed: timeline, lag,
# rebalance CDF; add_partitions.json and kip848_900.json: timeline; quickstart.json compared over
# four assignors and 20 seeds). Needs gnuplot.
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-./build/cgsim}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run scenarios/story.json --quiet --trace "$tmp/story.jsonl"
(cd "$tmp" && "$bin" plot story.jsonl --out story)   # titles name story.jsonl
cp "$tmp/story/timeline.png" docs/plot-timeline.png
cp "$tmp/story/lag.png" docs/plot-lag.png
cp "$tmp/story/rebalance_cdf.png" docs/plot-rebalance-cdf.png
"$bin" run scenarios/add_partitions.json --quiet --trace "$tmp/add.jsonl"
(cd "$tmp" && "$bin" plot add.jsonl --out add)
cp "$tmp/add/timeline.png" docs/plot-add-partitions.png
"$bin" run scenarios/kip848_900.json --quiet --trace "$tmp/kip848_900.jsonl"
(cd "$tmp" && "$bin" plot kip848_900.jsonl --out k)
cp "$tmp/k/timeline.png" docs/plot-kip848-900.png
"$bin" compare scenarios/quickstart.json --assignors range,roundrobin,sticky,cooperative-sticky \
  --seeds 20 --json > "$tmp/compare.json"
(cd "$tmp" && "$bin" plot --compare compare.json --out compare)
cp "$tmp/compare/compare.png" docs/plot-compare.png
