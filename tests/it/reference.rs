//! hecun against the reference answer computed independently by GeoPandas, PostGIS and
//! DuckDB (tests/data/reference-city, copied from the project's shared reference data).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::csv_rows;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city")
}

/// Runs `hecun affected` on the reference roads and corridors with the reference widths.
fn run_hecun(villages: &Path, extra: &[&str]) -> tempfile::TempDir {
    let d = data();
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_hecun"))
        .arg("affected")
        .arg("--villages")
        .arg(villages)
        .arg("--roads")
        .arg(d.join("roads.geojson"))
        .arg("--corridors")
        .arg(d.join("corridors.geojson"))
        .args(["--width", "ring=100", "--width", "radial=50"])
        .args([
            "--width",
            "expressway=80",
            "--width",
            "corridor=0",
            "--quiet",
        ])
        .args(extra)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .status()
        .unwrap();
    assert!(status.success());
    tmp
}

/// The reference job as the oracle ran it (metric CRS EPSG:4547).
fn run_reference(extra: &[&str]) -> tempfile::TempDir {
    let mut args = vec!["--metric-crs", "EPSG:4547"];
    args.extend_from_slice(extra);
    run_hecun(&data().join("villages.geojson"), &args)
}

fn compare_with_oracle(out: &Path) {
    let oracle: BTreeMap<String, BTreeMap<String, String>> =
        csv_rows(&data().join("oracle_affected.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r))
            .collect();
    let ours: BTreeMap<String, BTreeMap<String, String>> =
        csv_rows(&out.join("affected_villages.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r))
            .collect();

    // Same villages, apart from ones with a share below 0.01% by one method and none by the other.
    let only_oracle: Vec<_> = oracle.keys().filter(|k| !ours.contains_key(*k)).collect();
    let only_ours: Vec<_> = ours.keys().filter(|k| !oracle.contains_key(*k)).collect();
    for k in &only_oracle {
        let frac: f64 = oracle[*k]["frac"].parse().unwrap();
        assert!(
            frac < 1e-4,
            "village {k} is affected in the oracle (frac {frac}) but not by hecun"
        );
    }
    for k in &only_ours {
        let frac: f64 = ours[*k]["fraction_inside"].parse().unwrap();
        assert!(
            frac < 1e-4,
            "village {k} is affected by hecun (frac {frac}) but not in the oracle"
        );
    }
    assert!(
        only_oracle.is_empty() && only_ours.is_empty(),
        "borderline cases: oracle only {only_oracle:?}, hecun only {only_ours:?}"
    );
    assert_eq!(ours.len(), 984);

    let ids: BTreeSet<String> = std::fs::read_to_string(data().join("oracle_affected_ids.txt"))
        .unwrap()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids, ours.keys().cloned().collect::<BTreeSet<_>>());

    let mut worst = 0.0f64;
    for (id, o) in &oracle {
        let h = &ours[id];
        let (a, b): (f64, f64) = (
            o["frac"].parse().unwrap(),
            h["fraction_inside"].parse().unwrap(),
        );
        worst = worst.max((a - b).abs());
        assert!(
            (a - b).abs() <= 1e-3,
            "village {id}: fraction_inside {b} vs oracle {a}"
        );
        assert_eq!(
            o["n_buffers"], h["zone_count"],
            "village {id}: zones touching it"
        );
        for f in ["township", "households", "population"] {
            assert_eq!(o[f], h[f], "village {id}: {f}");
        }
    }
    // The arcs are drawn as GEOS draws them: shares agree far below the allowed 0.001.
    assert!(worst < 1e-6, "largest fraction difference {worst}");

    let oracle_t = csv_rows(&data().join("oracle_townships.csv"));
    let ours_t: BTreeMap<String, BTreeMap<String, String>> = csv_rows(&out.join("townships.csv"))
        .into_iter()
        .map(|r| (r["township"].clone(), r))
        .collect();
    for o in &oracle_t {
        let h = &ours_t[&o["township"]];
        assert_eq!(
            (&o["n_villages"], &o["households"], &o["population"]),
            (&h["villages"], &h["households"], &h["population"]),
            "township {}",
            o["township"]
        );
    }
    let with_hits = ours_t.values().filter(|t| t["villages"] != "0").count();
    assert_eq!(
        with_hits,
        oracle_t.len(),
        "townships with affected villages"
    );
}

#[test]
fn affected_villages_match_the_reference() {
    let tmp = run_reference(&[]);
    compare_with_oracle(&tmp.path().join("out"));
}

#[test]
fn every_crs_engine_matches_the_reference() {
    // The builtin engine always; PROJ too when this build has it.
    let tmp = run_reference(&["--crs-engine", "builtin"]);
    compare_with_oracle(&tmp.path().join("out"));
    if cfg!(feature = "proj") {
        let tmp = run_reference(&["--crs-engine", "proj"]);
        compare_with_oracle(&tmp.path().join("out"));
    }
}

#[test]
fn affected_geojson_carries_the_villages_and_their_shares() {
    let tmp = run_reference(&[]);
    let out = tmp.path().join("out");
    let text = std::fs::read_to_string(out.join("affected_villages.geojson")).unwrap();
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 984);
    let first = &features[0];
    // The planner's own fields pass through, hecun's are added.
    assert_eq!(first["properties"]["id"], 2);
    assert_eq!(first["properties"]["name"], "朱窑村");
    assert!(first["properties"]["fraction_inside"].as_f64().unwrap() > 0.0);
    assert_eq!(first["geometry"]["type"], "Polygon");
    // Coordinates come back exactly as read.
    let source = std::fs::read_to_string(data().join("villages.geojson")).unwrap();
    assert!(source.contains("[[[113.4028346,35.0361427],[113.4033945,35.0367556]"));
    assert!(text.contains("[[[113.4028346,35.0361427],[113.4033945,35.0367556]"));

    let zones: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("zones.geojson")).unwrap()).unwrap();
    let zones = zones["features"].as_array().unwrap();
    assert_eq!(zones.len(), 973 + 4);
    assert_eq!(zones[0]["properties"]["source_layer"], "roads");
    assert_eq!(zones[973]["properties"]["class"], "corridor");
}

/// Villages stored in EPSG:4547 (named by the file's `crs` member) with roads in EPSG:4326:
/// the villages are filtered in metres and projected by nobody, and the answer is the same.
#[test]
fn villages_in_a_projected_crs_give_the_same_answer() {
    use hecun::internals::write_geometry;
    use hecun::{Crs, CrsEngine, ReadOptions, Transformer, read_geojson};
    let d = data();
    let tmp = tempfile::tempdir().unwrap();
    let layer = read_geojson(&d.join("villages.geojson"), &ReadOptions::default())
        .unwrap()
        .layer;
    let t = Transformer::new(
        Crs::WGS84,
        Crs::from_epsg(4547).unwrap(),
        CrsEngine::Builtin,
    )
    .unwrap();
    let mut text = String::from(
        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::4547\"}},\"features\":[\n",
    );
    for (i, f) in layer.features.iter().enumerate() {
        let mut g = f.geometry.clone();
        t.transform(&mut g).unwrap();
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str("{\"type\":\"Feature\",\"properties\":");
        text.push_str(f.properties.raw());
        text.push_str(",\"geometry\":");
        write_geometry(&mut text, &g, None);
        text.push('}');
    }
    text.push_str("\n]}\n");
    let villages = tmp.path().join("villages_4547.geojson");
    std::fs::write(&villages, text).unwrap();
    // No --metric-crs: a projected villages layer is its own metric CRS.
    let run = run_hecun(&villages, &[]);
    compare_with_oracle(&run.path().join("out"));
}
