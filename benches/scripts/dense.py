#!/usr/bin/env python3
"""Dense-geometry inputs for the whole-job benchmarks (no dependency beyond Python 3).

Takes the reference city (tests/data/reference-city) and densifies ONE feature of one layer to
N vertices by splitting its segments evenly (linearly in longitude/latitude: in the metric CRS
a long edge then bends by millimetres, so shares may move by ~1e-4 for the corridor; the
library tests densify in the metric CRS, where the answer must not move):

  roads.geojson      the longest road (an 80 m expressway, 3.7 km), densified
  villages.geojson   an affected village that lies partly inside a zone, densified
  corridors.geojson  the first corridor polygon (a 0 m zone: the polygon itself), densified

Each goes to OUT/<layer>.geojson; the other layers are the reference ones.

  benches/scripts/dense.py OUT [--vertices 1000000] [--decimals 15]

--decimals 7 writes coordinates as surveyed files carry them (about 1 cm): the densified road
is then ~25 bytes a vertex, with the rounding's centimetre zigzag along it.
"""
import argparse
import csv
import json
import math
import os

REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "reference-city")



def metres(a, b):
    dx = (b[0] - a[0]) * 111320.0 * math.cos(math.radians(a[1]))
    dy = (b[1] - a[1]) * 110574.0
    return math.hypot(dx, dy)


def densify(coords, n):
    """coords split into n - 1 segments in all (each original segment gets a share by length;
    every original vertex is kept)."""
    segs = list(zip(coords, coords[1:]))
    lengths = [metres(a, b) for a, b in segs]
    total = sum(lengths)
    extra = n - len(coords)
    parts = [max(1, int(extra * l / total) + 1) for l in lengths]
    # Give the rounding's remainder to the longest segments so the count is exact.
    short = (n - 1) - sum(parts)
    order = sorted(range(len(segs)), key=lambda i: -lengths[i])
    k = 0
    while short != 0:
        i = order[k % len(order)]
        step = 1 if short > 0 else -1
        if parts[i] + step >= 1:
            parts[i] += step
            short -= step
        k += 1
    out = [coords[0]]
    for (a, b), p in zip(segs, parts):
        for j in range(1, p + 1):
            t = j / p
            out.append(b if j == p else [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t])
    assert len(out) == n, (len(out), n)
    return out


def write(path, fc, decimals):
    def rnd(x):
        if isinstance(x, float):
            return round(x, decimals)
        if isinstance(x, list):
            return [rnd(v) for v in x]
        return x

    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        feats = fc["features"]
        for i, feat in enumerate(feats):
            feat = dict(feat)
            feat["geometry"] = {"type": feat["geometry"]["type"], "coordinates": rnd(feat["geometry"]["coordinates"])}
            f.write(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
            f.write(",\n" if i + 1 < len(feats) else "\n")
        f.write("]}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--vertices", type=int, default=1_000_000)
    ap.add_argument("--decimals", type=int, default=15)
    ap.add_argument("--ref", default=REF)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    load = lambda name: json.load(open(os.path.join(args.ref, name), encoding="utf-8"))

    roads = load("roads.geojson")
    longest = max(roads["features"], key=lambda f: sum(metres(a, b) for a, b in zip(f["geometry"]["coordinates"], f["geometry"]["coordinates"][1:])))
    longest["geometry"]["coordinates"] = densify(longest["geometry"]["coordinates"], args.vertices)
    write(os.path.join(args.out, "roads.geojson"), roads, args.decimals)

    villages = load("villages.geojson")
    with open(os.path.join(args.ref, "oracle_affected.csv"), encoding="utf-8") as f:
        partial = [r["id"] for r in csv.DictReader(f) if 0.2 < float(r["frac"]) < 0.8]
    village = next(v for v in villages["features"] if str(v["properties"]["id"]) == partial[0])
    ring = village["geometry"]["coordinates"][0]
    village["geometry"]["coordinates"][0] = densify(ring, args.vertices)
    write(os.path.join(args.out, "villages.geojson"), villages, args.decimals)

    corridors = load("corridors.geojson")
    ring = corridors["features"][0]["geometry"]["coordinates"][0]
    corridors["features"][0]["geometry"]["coordinates"][0] = densify(ring, args.vertices)
    write(os.path.join(args.out, "corridors.geojson"), corridors, args.decimals)
    print(f"{args.out}: road {longest['properties']['id']}, village {partial[0]}, corridor 1 at {args.vertices} vertices")


if __name__ == "__main__":
    main()
