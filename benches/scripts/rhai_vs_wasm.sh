#!/usr/bin/env bash
# Whole `hecun grid` job, the Rhai rule against the same rule as WebAssembly, in alternating
# runs (so that a machine whose speed drifts slows both alike); checks that both write the same
# grid_scores.csv and prints each side's median wall time.
#
#   cargo build --release -p hecun-cli
#   plugins/build-wasm.sh
#   benches/scripts/rhai_vs_wasm.sh DATA [RUNS]
#
# DATA holds roads.geojson, corridors.geojson and grid.json (tests/data/reference-city is one;
# the peers harness generates the province).
set -euo pipefail
data=${1:?usage: rhai_vs_wasm.sh DATA [RUNS]}
runs=${2:-7}
root=$(cd "$(dirname "$0")/../.." && pwd)
hecun="$root/target/release/hecun"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

job() { # $1: plugin folder, $2: output folder; prints the wall seconds
  local start end
  start=$(date +%s.%N)
  "$hecun" grid --roads "$data/roads.geojson" --corridors "$data/corridors.geojson" \
    --grid "$data/grid.json" --plugin "$1" --out "$2" --quiet
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: >"$work/rhai"; : >"$work/wasm"
for _ in $(seq "$runs"); do
  job "$root/plugins/grid-suitability" "$work/out-rhai" >>"$work/rhai"
  job "$root/plugins/grid-suitability/wasm" "$work/out-wasm" >>"$work/wasm"
done
cmp "$work/out-rhai/grid_scores.csv" "$work/out-wasm/grid_scores.csv"
echo "grid_scores.csv identical; median of $runs runs:"
echo "  Rhai        $(median <"$work/rhai") s"
echo "  WebAssembly $(median <"$work/wasm") s"
