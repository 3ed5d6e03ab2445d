#!/usr/bin/env bash
# The national job's load time from GeoJSON, FlatGeobuf and GeoParquet, side by side: the
# same `hecun affected` job (villages in zones, --no-zones) on the same layers in each format,
# the formats alternating run by run; prints each run's `load=` and `total=` from --timings and
# the medians, and checks that every format's affected_villages.csv is the GeoJSON run's.
#
#   cargo build --release -p hecun-cli
#   python3 gen_city.py national --out DATA          # the peers harness's generator
#   benches/scripts/fast_formats.sh DATA [RUNS]
#
# Converts DATA's villages, roads and corridors once, into DATA/fast/: FlatGeobuf by GDAL
# (ogr2ogr, its default spatial index), GeoParquet (WKB, snappy) by
# core/tests/fixtures/fast/to_geoparquet.py (pyarrow and shapely: PYTHON=… names a Python
# that has them).
set -euo pipefail
data=${1:?usage: fast_formats.sh DATA [RUNS]}
runs=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
hecun="$root/target/release/hecun"
py=${PYTHON:-python3}
layers=(villages roads corridors)
mkdir -p "$data/fast"
for l in "${layers[@]}"; do
  [ -s "$data/fast/$l.fgb" ] || ogr2ogr -f FlatGeobuf "$data/fast/$l.fgb" "$data/$l.geojson"
  [ -s "$data/fast/$l.parquet" ] ||
    "$py" "$root/core/tests/fixtures/fast/to_geoparquet.py" "$data/$l.geojson" "$data/fast/$l.parquet" \
      --row-group-size 65536
done
ls -l "$data"/{villages,roads,corridors}.geojson "$data"/fast/
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

job() { # $1 format (geojson, fgb, parquet), $2 out
  local dir=$data ext=$1
  [ "$1" = geojson ] || dir=$data/fast
  "$hecun" affected --villages "$dir/villages.$ext" --roads "$dir/roads.$ext" \
    --corridors "$dir/corridors.$ext" \
    --width ring=100 --width radial=50 --width expressway=80 --width corridor=0 \
    --metric-crs EPSG:4547 --no-zones --quiet --timings --out "$2" 2>&1 |
    sed -n 's/.*load=\([0-9.]*\)s.* total=\([0-9.]*\)s.*/\1 \2/p'
}

# The same rows, whatever the order: GDAL writes an indexed FlatGeobuf's features in the
# index's order, and the villages' rows and each row's list of zone sources follow file order.
same() {
  python3 - "$1" "$2" <<'PY'
import sys
def rows(p):
    out = []
    for line in open(p, encoding="utf-8"):
        cells = line.rstrip("\n").split(",")
        cells[-1] = ";".join(sorted(cells[-1].split(";")))
        out.append(",".join(cells))
    return sorted(out)
sys.exit(0 if rows(sys.argv[1]) == rows(sys.argv[2]) else 1)
PY
}

for k in $(seq "$runs"); do
  for f in geojson fgb parquet; do
    rm -rf "$work/$f"
    read -r load total < <(job "$f" "$work/$f")
    echo "$f run $k: load $load s, total $total s" | tee -a "$work/times"
  done
  for f in fgb parquet; do
    same "$work/geojson/affected_villages.csv" "$work/$f/affected_villages.csv" ||
      { echo "$f: affected_villages.csv differs from the GeoJSON run's" >&2; exit 1; }
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for f in geojson fgb parquet; do
  load=$(awk -v f="$f" '$1 == f { print $5 }' "$work/times" | median)
  total=$(awk -v f="$f" '$1 == f { print $8 }' "$work/times" | median)
  echo "$f: median of $runs: load $load s, total $total s"
done
