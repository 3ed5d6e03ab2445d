//! Rosters in a plan: the demo's launch fields and communities moved from the villages'
//! GeoJSON into an Excel workbook (`plan-roster.toml`, written by the demo generator) give
//! the very same outputs as the GeoJSON demo.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{hecun, repo, stderr};

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out
}

#[test]
fn the_demo_from_a_map_and_an_excel_roster_gives_the_geojson_demos_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    let plain = demo.join("plan.toml");
    let rostered = demo.join("plan-roster.toml");
    let a = hecun(&["run", plain.to_str().unwrap(), "--out", "a"], tmp.path());
    assert!(a.status.success(), "{}", stderr(&a));
    let b = hecun(
        &["run", rostered.to_str().unwrap(), "--out", "b"],
        tmp.path(),
    );
    assert!(b.status.success(), "{}", stderr(&b));
    // Every village has its row and every row its village: nothing to warn about.
    assert_eq!(stderr(&a), stderr(&b));
    // The terminal report, less its last line (the output folder and the wall time).
    let report = |o: &std::process::Output| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 10, "{text}");
        lines[..lines.len() - 1].join("\n")
    };
    assert_eq!(report(&a), report(&b));
    let (fa, fb) = (files(&tmp.path().join("a")), files(&tmp.path().join("b")));
    assert_eq!(fa, fb);
    let mut compared = 0;
    for f in &fa {
        // The run manifest lists the inputs by path and hash: those differ by design.
        if f.to_str() == Some("run_manifest.json") {
            continue;
        }
        let x = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let y = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        assert!(
            x == y,
            "{} differs between the GeoJSON and the roster demo",
            f.display()
        );
        compared += 1;
    }
    assert!(compared >= 15, "{fa:?}");
    // The roster is an input of the run, hashed as the layers are.
    let manifest = std::fs::read_to_string(tmp.path().join("b/run_manifest.json")).unwrap();
    assert!(manifest.contains("villages-roster.xlsx"), "{manifest}");
}

/// `--input-crs GCJ-02`: the layers are read as Amap coordinates and converted to WGS 84; a
/// vertex put at the GCJ-02 point of a pair published in googollee/eviltransform's test
/// suite (Shanghai: WGS 84 121.5272106, 31.1774276 ↔ GCJ-02 121.531541859215,
/// 31.17530398364597) comes out at the WGS 84 point.
#[test]
fn input_crs_gcj02_converts_the_layers_and_refuses_points_outside_china() {
    let tmp = tempfile::tempdir().unwrap();
    let (gx, gy) = (121.531541859215, 31.17530398364597);
    let village = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"id":"V1","township":"T","households":10,"population":30}},"geometry":{{"type":"Polygon","coordinates":[[[{gx},{gy}],[{},{gy}],[{},{}],[{gx},{}],[{gx},{gy}]]]}}}}]}}"#,
        gx + 0.01,
        gx + 0.01,
        gy + 0.01,
        gy + 0.01
    );
    let road = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"id":"R1","class":"ring"}},"geometry":{{"type":"LineString","coordinates":[[{},{}],[{},{}]]}}}}]}}"#,
        gx + 0.005,
        gy - 0.01,
        gx + 0.005,
        gy + 0.02
    );
    std::fs::write(tmp.path().join("v.geojson"), village).unwrap();
    std::fs::write(tmp.path().join("r.geojson"), road).unwrap();
    let args = |out: &'static str| {
        vec![
            "affected",
            "--villages",
            "v.geojson",
            "--roads",
            "r.geojson",
            "--width",
            "ring=100",
            "--input-crs",
            "GCJ-02",
            "--out",
            out,
            "--quiet",
        ]
    };
    let o = hecun(&args("out"), tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(tmp.path().join("out/affected_villages.geojson")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = &v["features"][0]["geometry"]["coordinates"][0][0];
    let (x, y) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
    // 1e-7 degrees is about a centimetre; the offset removed is about 480 m.
    assert!(
        (x - 121.5272106).abs() < 1e-7 && (y - 31.1774276).abs() < 1e-7,
        "{x}, {y}"
    );

    // A village in Paris: the GCJ-02 offset is not defined there.
    let paris = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"P"},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}"#;
    std::fs::write(
        tmp.path().join("r.geojson"),
        paris.replace("\"P\"}", "\"P\",\"class\":\"ring\"}"),
    )
    .unwrap();
    let o = hecun(&args("out2"), tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("r.geojson") && e.contains("feature #0") && e.contains("outside China"),
        "{e}"
    );
    assert!(!tmp.path().join("out2").exists());
}
