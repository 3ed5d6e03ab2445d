//! GeoPackage in and out: the demo's layers in one GeoPackage written by GDAL
//! (core/tests/fixtures/gpkg/demo.gpkg) give the GeoJSON demo's outputs byte for byte; every
//! run's hecun.gpkg holds every GeoJSON output layer (checked by GDAL's ogrinfo when it is
//! installed, and read back by hecun's own reader), the same bytes on every run, and
//! `--no-gpkg` leaves it out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use hecun::{Crs, ReadOptions, read_layer};
use serde_json::Value;

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

/// The demo's plan.toml with its villages, roads, corridors, townships and sites read from
/// the GeoPackage fixture (each its own layer), every other path made absolute.
fn gpkg_plan(dir: &Path) -> PathBuf {
    let demo = repo().join("gis-data/demo");
    let gpkg = repo().join("core/tests/fixtures/gpkg/demo.gpkg");
    let text = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
    let mut out = String::new();
    let mut moved = 0;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("path = \"") {
            let name = rest.split('"').next().unwrap();
            let stem = name.trim_end_matches(".geojson");
            if ["villages", "roads", "corridors", "townships", "sites"].contains(&stem) {
                out.push_str(&format!("path = {:?}\nlayer = \"{stem}\"\n", gpkg));
                moved += 1;
            } else {
                out.push_str(&format!("path = {:?}\n", demo.join(name)));
            }
            continue;
        }
        out.push_str(&line.replace("\"../../", &format!("\"{}/", repo().display())));
        out.push('\n');
    }
    assert_eq!(moved, 5, "{text}");
    let path = dir.join("plan-gpkg.toml");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn the_demo_from_a_geopackage_gives_the_geojson_demos_outputs_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = repo().join("gis-data/demo/plan.toml");
    let plan = gpkg_plan(tmp.path());
    let a = hecun(&["run", plain.to_str().unwrap(), "--out", "a"], tmp.path());
    assert!(a.status.success(), "{}", stderr(&a));
    let b = hecun(&["run", plan.to_str().unwrap(), "--out", "b"], tmp.path());
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stderr(&a), stderr(&b));
    let (fa, fb) = (files(&tmp.path().join("a")), files(&tmp.path().join("b")));
    assert_eq!(fa, fb);
    assert!(fa.contains(Path::new("hecun.gpkg")), "{fa:?}");
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
            "{} differs between the GeoJSON and the GeoPackage demo",
            f.display()
        );
        compared += 1;
    }
    assert!(compared >= 15, "{fa:?}");
    // The GeoPackage is an input of the run, hashed as the layers are.
    let manifest = std::fs::read_to_string(tmp.path().join("b/run_manifest.json")).unwrap();
    assert!(manifest.contains("demo.gpkg"), "{manifest}");
    assert!(manifest.contains("hecun.gpkg"), "{manifest}");
}

/// A GeoJSON value and the value read back from the GeoPackage agree: numbers as numbers
/// (a whole number in a REAL column reads back as 2.0), a list or object as its JSON text.
fn same_value(geojson: &Value, gpkg: &Value) -> bool {
    match (geojson, gpkg) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(_) | Value::Object(_), Value::String(s)) => {
            serde_json::from_str::<Value>(s).ok().as_ref() == Some(geojson)
        }
        _ => geojson == gpkg,
    }
}

#[test]
fn every_output_layer_is_in_hecun_gpkg_as_in_its_geojson_and_the_same_bytes_each_run() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let a = hecun(&["run", plan.to_str().unwrap(), "--out", "a"], tmp.path());
    assert!(a.status.success(), "{}", stderr(&a));
    let out = tmp.path().join("a");
    let gpkg = out.join("hecun.gpkg");
    let layers: Vec<String> = files(&out)
        .iter()
        .filter_map(|f| f.to_str()?.strip_suffix(".geojson").map(str::to_owned))
        .collect();
    assert!(layers.len() >= 5, "{layers:?}");
    let mut names = hecun::gpkg_layer_names(&gpkg).unwrap();
    names.sort();
    let mut sorted = layers.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let none: Vec<String> = Vec::new();
    for layer in &layers {
        let geojson = read_layer(
            &out.join(format!("{layer}.geojson")),
            &ReadOptions::default().with_id_fields(none.clone()),
        )
        .unwrap()
        .layer;
        let back = read_layer(
            &gpkg,
            &ReadOptions::default()
                .with_layer(layer.clone())
                .with_id_fields(none.clone()),
        )
        .unwrap()
        .layer;
        assert_eq!(back.crs, Crs::WGS84, "{layer}");
        assert_eq!(back.features.len(), geojson.features.len(), "{layer}");
        for (g, p) in geojson.features.iter().zip(&back.features) {
            assert_eq!(g.geometry, p.geometry, "{layer} feature {}", g.index);
            let gv: serde_json::Map<String, Value> =
                serde_json::from_str(g.properties.raw()).unwrap();
            let pv: serde_json::Map<String, Value> =
                serde_json::from_str(p.properties.raw()).unwrap();
            // Every key of the GeoJSON is a column; a key some features lack is null there.
            for (k, v) in &gv {
                assert!(
                    same_value(v, &pv[k]),
                    "{layer} feature {} field {k}: {v} vs {}",
                    g.index,
                    pv[k]
                );
            }
            for (k, v) in &pv {
                assert!(gv.contains_key(k) || v.is_null(), "{layer}: extra {k}");
            }
        }
    }
    // The same run again: the same bytes.
    let b = hecun(&["run", plan.to_str().unwrap(), "--out", "b"], tmp.path());
    assert!(b.status.success(), "{}", stderr(&b));
    assert!(
        std::fs::read(&gpkg).unwrap() == std::fs::read(tmp.path().join("b/hecun.gpkg")).unwrap(),
        "hecun.gpkg differs between two runs of the same plan"
    );
    // Hashed in the manifest like every output.
    let manifest = std::fs::read_to_string(out.join("run_manifest.json")).unwrap();
    assert!(manifest.contains("\"hecun.gpkg\""), "{manifest}");

    // GDAL opens it and lists every layer with its features and SRS.
    let Ok(info) = Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&gpkg)
        .output()
    else {
        eprintln!(
            "ogrinfo is not installed (apt-get install gdal-bin): GDAL's check of hecun.gpkg skipped"
        );
        return;
    };
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let text = String::from_utf8_lossy(&info.stdout);
    for layer in &layers {
        let geojson: Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("{layer}.geojson"))).unwrap())
                .unwrap();
        let count = geojson["features"].as_array().unwrap().len();
        let block = text
            .split("Layer name: ")
            .find(|b| b.starts_with(&format!("{layer}\n")))
            .unwrap_or_else(|| panic!("ogrinfo does not list {layer}: {text}"));
        assert!(
            block.contains(&format!("Feature Count: {count}\n")),
            "{layer}: {block}"
        );
        assert!(block.contains("ID[\"EPSG\",4326]"), "{layer}: {block}");
    }
    // GDAL's GeoPackage validator (python3-gdal's sample), where it is installed.
    let validator =
        Path::new("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py");
    if validator.is_file() && Path::new("/usr/bin/python3").is_file() {
        let v = Command::new("/usr/bin/python3")
            .arg(validator)
            .arg(&gpkg)
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "validate_gpkg.py: {}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    } else {
        eprintln!("GDAL's validate_gpkg.py is not installed (python3-gdal): that check skipped");
    }
    // GDAL reads the style table QGIS reads.
    let styles = Command::new("ogrinfo")
        .args([
            "-ro",
            "-q",
            "-sql",
            "SELECT f_table_name, useAsDefault FROM layer_styles",
        ])
        .arg(&gpkg)
        .output()
        .unwrap();
    let styles = String::from_utf8_lossy(&styles.stdout);
    for layer in &layers {
        assert!(
            styles.contains(&format!("f_table_name (String) = {layer}")),
            "{styles}"
        );
    }
}

#[test]
fn no_gpkg_leaves_it_out_and_affected_writes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let a = hecun(
        &["run", plan.to_str().unwrap(), "--out", "a", "--no-gpkg"],
        tmp.path(),
    );
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(!tmp.path().join("a/hecun.gpkg").exists());
    assert!(tmp.path().join("a/affected_villages.geojson").exists());
    let manifest = std::fs::read_to_string(tmp.path().join("a/run_manifest.json")).unwrap();
    assert!(manifest.contains("\"no_gpkg\": true"), "{manifest}");

    // `hecun affected` with a GeoPackage's layers named by --layer-name.
    let gpkg = repo().join("core/tests/fixtures/gpkg/demo.gpkg");
    let g = gpkg.to_str().unwrap();
    let args = [
        "affected",
        "--villages",
        g,
        "--roads",
        g,
        "--layer-name",
        "villages=villages",
        "--layer-name",
        "roads=roads",
        "--width",
        "环线=100",
        "--width",
        "放射线=50",
        "--width",
        "快速通道=100",
        "--village-field",
        "id=统计用区划代码",
        "--out",
        "b",
        "--quiet",
    ];
    let b = hecun(&args, tmp.path());
    assert!(b.status.success(), "{}", stderr(&b));
    let names = hecun::gpkg_layer_names(&tmp.path().join("b/hecun.gpkg")).unwrap();
    assert!(names.contains(&"affected_villages".to_owned()), "{names:?}");
    // Without the names: the file has five layers, listed.
    let c = hecun(
        &[
            "affected",
            "--villages",
            g,
            "--roads",
            g,
            "--width",
            "环线=100",
            "--out",
            "c",
        ],
        tmp.path(),
    );
    assert!(!c.status.success());
    let err = stderr(&c);
    assert!(
        err.contains("demo.gpkg") && err.contains("5 layers") && err.contains("--layer-name"),
        "{err}"
    );
}
