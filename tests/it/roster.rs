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

/// `hecun affected --roster`: the demo's households and people moved out of the villages'
/// map into a CSV roster keyed by 统计用区划代码 give the very same files as the map that
/// has them; a roster row whose key no village has is a warning naming the file and key.
#[test]
fn the_affected_command_joins_a_roster_given_by_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    let text = std::fs::read_to_string(demo.join("villages.geojson")).unwrap();
    let mut map: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut csv = String::from("代码,户数,人口\n");
    for f in map["features"].as_array_mut().unwrap() {
        let p = f["properties"].as_object_mut().unwrap();
        let (h, n) = (p.remove("户数").unwrap(), p.remove("人口").unwrap());
        csv.push_str(&format!(
            "{},{h},{n}\n",
            p["统计用区划代码"].as_str().unwrap()
        ));
    }
    csv.push_str("410199999999,1,1\n");
    std::fs::write(tmp.path().join("map.geojson"), map.to_string()).unwrap();
    std::fs::write(tmp.path().join("roster.csv"), csv).unwrap();
    let roads = demo.join("roads.geojson");
    let run = |villages: &str, out: &str, extra: &[&str]| {
        let mut args = vec![
            "affected",
            "--villages",
            villages,
            "--roads",
            roads.to_str().unwrap(),
            "--width",
            "环线=100",
            "--width",
            "放射线=50",
            "--width",
            "快速通道=100",
            "--village-field",
            "id=统计用区划代码",
            "--out",
            out,
            "--quiet",
        ];
        args.extend_from_slice(extra);
        hecun(&args, tmp.path())
    };
    let villages = demo.join("villages.geojson");
    let a = run(villages.to_str().unwrap(), "a", &[]);
    assert!(a.status.success(), "{}", stderr(&a));
    // Without the roster the map has no households: an error, never a count of 0.
    let bare = run("map.geojson", "bare", &[]);
    assert_eq!(bare.status.code(), Some(2), "{}", stderr(&bare));
    assert!(stderr(&bare).contains("户数"), "{}", stderr(&bare));
    let b = run(
        "map.geojson",
        "b",
        &[
            "--roster",
            "roster.csv",
            "--roster-key",
            "代码=统计用区划代码",
        ],
    );
    assert!(b.status.success(), "{}", stderr(&b));
    let (fa, fb) = (files(&tmp.path().join("a")), files(&tmp.path().join("b")));
    assert_eq!(fa, fb);
    for f in &fa {
        let x = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let y = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        if f.extension().is_some_and(|e| e == "geojson") {
            // The roster's columns come after the map's own, as the CSV gives them (text),
            // with its key column 代码: every property of the map's run is there.
            let parse = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
            let (x, y) = (parse(&x), parse(&y));
            let (xs, ys) = (
                x["features"].as_array().unwrap(),
                y["features"].as_array().unwrap(),
            );
            assert_eq!(xs.len(), ys.len(), "{}", f.display());
            for (a, b) in xs.iter().zip(ys) {
                assert_eq!(a["geometry"], b["geometry"], "{}", f.display());
                for (k, v) in a["properties"].as_object().unwrap() {
                    let w = &b["properties"][k];
                    let same = w == v || (v.is_number() && w.as_str() == Some(&v.to_string()));
                    assert!(same, "{}: {k}: {v} vs {w}", f.display());
                }
            }
        } else if !f.to_str().unwrap().starts_with("summary") {
            assert!(x == y, "{} differs", f.display());
        }
    }
    // The summary is the map's, with the unmatched roster row as its one warning.
    let summary = |dir: &str| std::fs::read_to_string(tmp.path().join(dir).join("summary.txt"));
    let (sa, sb) = (summary("a").unwrap(), summary("b").unwrap());
    let warning = "  warning: roster.csv, line 602: key \"410199999999\" is not the \"统计用区划代码\" of any feature of map.geojson: the row is not used\n";
    assert!(sb.contains(warning), "{sb}");
    assert_eq!(
        sa.replace("0 warnings", "1 warnings"),
        sb.replace(warning, ""),
    );
    // A key column the roster lacks is an error naming the file and column.
    let e = run(
        "map.geojson",
        "c",
        &[
            "--roster",
            "roster.csv",
            "--roster-key",
            "编码=统计用区划代码",
        ],
    );
    assert_eq!(e.status.code(), Some(2), "{}", stderr(&e));
    assert!(
        stderr(&e).contains("roster.csv") && stderr(&e).contains("编码"),
        "{}",
        stderr(&e)
    );
}
