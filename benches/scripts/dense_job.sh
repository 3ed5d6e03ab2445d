#!/usr/bin/env bash
# The whole `hecun affected` job on the reference city with one layer swapped for its dense
# version (benches/scripts/dense.py), under /usr/bin/time -v: prints wall seconds and peak RSS
# per case, and checks that affected_villages.csv has the same villages, zone counts and shares
# (to 1e-4: a line's zone is drawn from it thinned to 1/1000 of the width; to 2e-4 for the
# corridor, whose long edges dense.py bends by millimetres) as the job on the original files.
# The oracle on the dense files themselves is Shapely: dense_shapely.py with DENSE_CSV set.
#
#   cargo build --release -p hecun-cli
#   benches/scripts/dense.py DENSE [--vertices 1000000]
#   benches/scripts/dense_job.sh DENSE [roads|villages|corridors ...]
set -euo pipefail
dense=${1:?usage: dense_job.sh DENSE [roads|villages|corridors ...]}
shift
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(roads villages corridors)
root=$(cd "$(dirname "$0")/../.." && pwd)
ref="$root/tests/data/reference-city"
hecun="$root/target/release/hecun"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

job() { # $1 villages, $2 roads, $3 corridors, $4 out
  /usr/bin/time -v -o "$4.time" "$hecun" affected --villages "$1" --roads "$2" --corridors "$3" \
    --width ring=100 --width radial=50 --width expressway=80 --width corridor=0 \
    --metric-crs EPSG:4547 --quiet --timings --out "$4" 2>"$4.timings"
  awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = t[1] * 60 + t[2]}
              /Maximum resident/ {m = $2 / 1024}
              END {printf "%8.2f s %8.0f MB peak\n", s, m}' "$4.time"
}

compare() { # $1, $2: affected_villages.csv; $3: largest share difference allowed
  python3 - "$1" "$2" "$3" <<'PY'
import csv, sys
a, b = ({r["id"]: r for r in csv.DictReader(open(p, encoding="utf-8-sig"))} for p in sys.argv[1:3])
allowed = float(sys.argv[3])
assert a.keys() == b.keys(), f"villages differ: {sorted(a.keys() ^ b.keys())[:10]}"
worst = 0.0
for k in a:
    assert a[k]["zone_count"] == b[k]["zone_count"], f"village {k}: zones {a[k]['zone_count']} vs {b[k]['zone_count']}"
    worst = max(worst, abs(float(a[k]["fraction_inside"]) - float(b[k]["fraction_inside"])))
assert worst <= allowed, f"largest share difference {worst}"
print(f"  same answer: {len(a)} villages, zone counts equal, largest share difference {worst:.1e}")
PY
}

printf '%-10s ' original; job "$ref/villages.geojson" "$ref/roads.geojson" "$ref/corridors.geojson" "$work/original"
for c in "${cases[@]}"; do
  v="$ref/villages.geojson" r="$ref/roads.geojson" k="$ref/corridors.geojson"
  case $c in
    roads) r="$dense/roads.geojson" ;;
    villages) v="$dense/villages.geojson" ;;
    corridors) k="$dense/corridors.geojson" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
  printf '%-10s ' "$c"; job "$v" "$r" "$k" "$work/$c"
  sed 's/^/  /' "$work/$c.timings"
  allowed=1e-4
  [ "$c" = corridors ] && allowed=2e-4
  compare "$work/original/affected_villages.csv" "$work/$c/affected_villages.csv" "$allowed"
done
