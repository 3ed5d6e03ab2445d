//! Densely surveyed geometry gives the answer of the geometry as drawn: one feature of the
//! reference city is densified (its segments split evenly in the metric CRS, so its shape is
//! unchanged) and the whole job must find the same villages, zone counts and shares.
//! The 1,000,000-vertex versions are timed by `benches/scripts/dense_job.sh`, not here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::Coord;
use hecun::{Crs, CrsEngine, Transformer};
use serde_json::Value;

use crate::common;
use crate::common::{csv_rows, hecun};

/// Vertices of the densified feature: enough that the old drawing of a road's zone (a turn at
/// every vertex) cost seconds even in a release build.
const VERTICES: usize = 50_000;

fn data() -> PathBuf {
    common::repo().join("tests/data/reference-city")
}

/// `affected_villages.csv` of the reference job with `swap` = (layer, file) in place of the
/// reference file of that layer, keyed by village id.
fn run(dir: &Path, swap: Option<(&str, &Path)>) -> BTreeMap<String, BTreeMap<String, String>> {
    let file = |layer: &str| match swap {
        Some((l, f)) if l == layer => f.to_path_buf(),
        _ => data().join(format!("{layer}.geojson")),
    };
    let (v, r, c) = (file("villages"), file("roads"), file("corridors"));
    let out = dir.join("out");
    let o = hecun(
        &[
            "affected",
            "--villages",
            v.to_str().unwrap(),
            "--roads",
            r.to_str().unwrap(),
            "--corridors",
            c.to_str().unwrap(),
            "--width",
            "ring=100",
            "--width",
            "radial=50",
            "--width",
            "expressway=80",
            "--width",
            "corridor=0",
            "--metric-crs",
            "EPSG:4547",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    csv_rows(&out.join("affected_villages.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r))
        .collect()
}

fn original() -> &'static BTreeMap<String, BTreeMap<String, String>> {
    static ORIGINAL: OnceLock<BTreeMap<String, BTreeMap<String, String>>> = OnceLock::new();
    ORIGINAL.get_or_init(|| run(tempfile::tempdir().unwrap().path(), None))
}

/// `coords` (longitude/latitude) split into `n - 1` segments of about equal length in the
/// metric CRS, every original vertex kept.
fn densify(coords: &[Value], n: usize) -> Vec<Value> {
    let to = Transformer::new(
        Crs::WGS84,
        Crs::from_epsg(4547).unwrap(),
        CrsEngine::Builtin,
    )
    .unwrap();
    let back = Transformer::new(
        Crs::from_epsg(4547).unwrap(),
        Crs::WGS84,
        CrsEngine::Builtin,
    )
    .unwrap();
    let mut pts: Vec<Coord> = coords
        .iter()
        .map(|c| Coord {
            x: c[0].as_f64().unwrap(),
            y: c[1].as_f64().unwrap(),
        })
        .collect();
    to.transform_coords(&mut pts).unwrap();
    let lengths: Vec<f64> = pts
        .windows(2)
        .map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y))
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut dense = vec![pts[0]];
    for (w, len) in pts.windows(2).zip(&lengths) {
        let parts = ((n - pts.len()) as f64 * len / total).round() as usize + 1;
        for k in 1..parts {
            let t = k as f64 / parts as f64;
            dense.push(Coord {
                x: w[0].x + (w[1].x - w[0].x) * t,
                y: w[0].y + (w[1].y - w[0].y) * t,
            });
        }
        dense.push(w[1]);
    }
    back.transform_coords(&mut dense).unwrap();
    // The original vertices exactly as written, the new ones at full precision.
    let mut out = Vec::with_capacity(dense.len());
    let mut next_original = 0;
    for c in dense {
        let orig = &coords[next_original.min(coords.len() - 1)];
        let (ox, oy) = (orig[0].as_f64().unwrap(), orig[1].as_f64().unwrap());
        if (c.x - ox).abs() < 1e-9 && (c.y - oy).abs() < 1e-9 {
            out.push(orig.clone());
            next_original += 1;
        } else {
            out.push(serde_json::json!([c.x, c.y]));
        }
    }
    assert_eq!(next_original, coords.len(), "every original vertex is kept");
    out
}

/// The layer's file with feature `index` densified to `VERTICES` (its first ring, for a
/// polygon), coordinates rounded to `decimals` if given.
fn dense_file(dir: &Path, layer: &str, index: usize, decimals: Option<i32>) -> PathBuf {
    let text = std::fs::read_to_string(data().join(format!("{layer}.geojson"))).unwrap();
    let mut fc: Value = serde_json::from_str(&text).unwrap();
    let geometry = &mut fc["features"][index]["geometry"];
    let line = match geometry["type"].as_str().unwrap() {
        "LineString" => &mut geometry["coordinates"],
        "Polygon" => &mut geometry["coordinates"][0],
        other => panic!("{other}"),
    };
    let mut dense = densify(line.as_array().unwrap(), VERTICES);
    if let Some(d) = decimals {
        let k = 10f64.powi(d);
        for c in &mut dense {
            *c = serde_json::json!([
                (c[0].as_f64().unwrap() * k).round() / k,
                (c[1].as_f64().unwrap() * k).round() / k
            ]);
        }
        dense.dedup();
    }
    assert!(dense.len() > VERTICES * 9 / 10, "{} vertices", dense.len());
    *line = Value::Array(dense);
    let path = dir.join(format!("{layer}.geojson"));
    std::fs::write(&path, serde_json::to_string(&fc).unwrap()).unwrap();
    path
}

/// Same villages, same zone counts, shares within 1e-4 (the zone of a line is drawn from it
/// thinned to 1/1000 of the width; the reference answer allows 1e-3).
fn assert_same_answer(layer: &str, index: usize, decimals: Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let dense = dense_file(dir.path(), layer, index, decimals);
    let ours = run(dir.path(), Some((layer, &dense)));
    let original = original();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        original.keys().collect::<Vec<_>>(),
        "affected villages"
    );
    for (id, o) in original {
        let d = &ours[id];
        assert_eq!(o["zone_count"], d["zone_count"], "village {id}: zones");
        assert_eq!(o["zones"], d["zones"], "village {id}: zones");
        let (a, b): (f64, f64) = (
            o["fraction_inside"].parse().unwrap(),
            d["fraction_inside"].parse().unwrap(),
        );
        assert!((a - b).abs() <= 1e-4, "village {id}: share {b}, not {a}");
    }
}

/// Index of the longest road of the reference city (an 80 m expressway, 3.7 km).
const LONGEST_ROAD: usize = 759;

#[test]
fn a_densified_road_gives_the_same_answer() {
    assert_same_answer("roads", LONGEST_ROAD, None);
}

#[test]
fn a_densified_road_rounded_to_centimetres_gives_the_same_answer() {
    // As surveyed files carry them: 7 decimals, so the road zigzags at every vertex.
    assert_same_answer("roads", LONGEST_ROAD, Some(7));
}

#[test]
fn a_densified_village_gives_the_same_answer() {
    // Village 2 lies partly inside two zones (share 0.22).
    assert_same_answer("villages", 1, None);
}

#[test]
fn a_densified_corridor_gives_the_same_answer() {
    assert_same_answer("corridors", 0, None);
}
