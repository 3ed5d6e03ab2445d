#!/usr/bin/env python3
"""The dense-geometry job side by side in Shapely (GEOS), for the numbers quoted in README.md.
Not run in CI: needs `pip install shapely pyproj`.

Does what `hecun affected` does on the reference city (project to EPSG:4547, buffer each road
by its class's width with 8 segments a quarter, corridors as they are, find the villages that
intersect a zone and the share of each inside the union of its zones), times each stage and
the whole, and prints the peak RSS.

  benches/scripts/dense_shapely.py DENSE [roads|villages|corridors]
"""
import json
import os
import resource
import sys
import time

import shapely
from pyproj import Transformer
from shapely.strtree import STRtree

REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "reference-city")
WIDTHS = {"ring": 100.0, "radial": 50.0, "expressway": 80.0}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


def main():
    dense = sys.argv[1] if len(sys.argv) > 1 else None
    case = sys.argv[2] if len(sys.argv) > 2 else None
    path = lambda layer: os.path.join(dense, f"{layer}.geojson") if case == layer else os.path.join(REF, f"{layer}.geojson")
    t0 = time.perf_counter()
    villages, roads, corridors = (load(path(l)) for l in ("villages", "roads", "corridors"))
    t_load = time.perf_counter()
    to = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    proj = lambda g: shapely.transform(g, lambda xy: __import__("numpy").column_stack(to.transform(xy[:, 0], xy[:, 1])))
    vg = [proj(shapely.geometry.shape(f["geometry"])) for f in villages]
    rg = [proj(shapely.geometry.shape(f["geometry"])) for f in roads]
    cg = [proj(shapely.geometry.shape(f["geometry"])) for f in corridors]
    t_proj = time.perf_counter()
    zones = [g.buffer(WIDTHS[f["properties"]["class"]], quad_segs=8) for g, f in zip(rg, roads)] + cg
    t_buf = time.perf_counter()
    tree = STRtree(zones)
    affected = {}
    for i, v in enumerate(vg):
        hits = [int(z) for z in tree.query(v, predicate="intersects")]
        if hits:
            inside = shapely.union_all([zones[z] for z in hits]).intersection(v).area / v.area
            affected[villages[i]["properties"]["id"]] = (len(hits), inside)
    t_join = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), case {case or 'original'}: "
          f"{len(affected)} affected; load {t_load - t0:.2f} s, project {t_proj - t_load:.2f} s, "
          f"buffer {t_buf - t_proj:.3f} s, join {t_join - t_buf:.2f} s, total {t_join - t0:.2f} s, peak {peak:.0f} MB")
    if os.environ.get("DENSE_CSV"):
        with open(os.environ["DENSE_CSV"], "w", encoding="utf-8") as f:
            f.write("id,zone_count,fraction_inside\n")
            for k, (n, s) in sorted(affected.items()):
                f.write(f"{k},{n},{s:.9f}\n")


if __name__ == "__main__":
    main()
