#!/bin/sh
# Whole `hecun affected` job on the demo region tiled N×N times (600·N² villages), to measure
# what the input checks (duplicate ids and keys, CRS range and area of use) cost.
# Usage: benches/scripts/load_checks.sh [N] [RUNS]   (from the repository root; release build)
set -eu
N=${1:-10}
RUNS=${2:-5}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
python3 - "$N" "$DATA" <<'PY'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
def tile(name, key):
    src = json.load(open(f"gis-data/demo/{name}.geojson", encoding="utf-8"))
    feats = []
    for i in range(n):
        for j in range(n):
            dx, dy = i * 0.6, j * 0.5
            for f in src["features"]:
                g = json.loads(json.dumps(f["geometry"]))
                def shift(c):
                    if isinstance(c[0], (int, float)):
                        return [c[0] + dx, c[1] + dy] + c[2:]
                    return [shift(x) for x in c]
                g["coordinates"] = shift(g["coordinates"])
                p = dict(f["properties"])
                p[key] = f"{p[key]}-{i}-{j}"
                feats.append({"type": "Feature", "properties": p, "geometry": g})
    json.dump({"type": "FeatureCollection", "features": feats},
              open(f"{out}/{name}.geojson", "w", encoding="utf-8"), ensure_ascii=False)
tile("villages", "统计用区划代码")
tile("roads", "编号")
PY
ls -l "$DATA"
for k in $(seq "$RUNS"); do
  /usr/bin/time -f "run $k: %e s, %M KB peak" target/release/hecun affected \
    --villages "$DATA/villages.geojson" --roads "$DATA/roads.geojson" \
    --village-field id=统计用区划代码 --class-field 等级 \
    --width 环线=100 --width 放射线=50 --width 快速通道=100 \
    --no-zones --timings --quiet --out "$DATA/out"
done
