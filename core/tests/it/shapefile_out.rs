//! `--shapefile GBK`: every GeoJSON layer of a run also as a Shapefile set, read back with
//! hecun's own Shapefile reader (the same features and attributes as the GeoJSON) and, where
//! GDAL is installed, with `ogrinfo` (the count and the Chinese names).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use geo::{Geometry, MultiPolygon, orient::Direction, orient::Orient};
use hecun::report::Lang;
use hecun::run::{PlanRun, RunRequest, WrittenRun};
use hecun::{Plan, ReadOptions, read_layer};
use serde_json::Value;

use crate::common::repo;

fn run_gbk(out: &Path) -> WrittenRun {
    let plan = Plan::load(&repo().join("gis-data/demo/plan.toml")).unwrap();
    let mut request = RunRequest::new(out, Lang::ZhCn);
    request.options.lang = "zh-CN".into();
    request.options.shapefile = Some("GBK".into());
    PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {}).unwrap()
}

/// A polygonal geometry as a multipolygon with the same orientation whatever the file's
/// rule; points and lines as they are.
fn normal(g: &Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Polygon(p) => {
            Geometry::MultiPolygon(MultiPolygon::new(vec![p.clone()]).orient(Direction::Default))
        }
        Geometry::MultiPolygon(m) => Geometry::MultiPolygon(m.orient(Direction::Default)),
        other => other.clone(),
    }
}

/// `fields.csv`: layer → [(property, DBF field)].
fn mapping(out: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    let bytes = std::fs::read(out.join("shapefile/fields.csv")).unwrap();
    let mut map: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in csv::Reader::from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap()).records() {
        let r = r.unwrap();
        map.entry(r[0].to_owned())
            .or_default()
            .push((r[1].to_owned(), r[2].to_owned()));
    }
    map
}

/// The GeoJSON value as the DBF holds it: a list of texts joined by `;`.
fn as_dbf(v: &Value) -> Value {
    match v {
        Value::Array(items) if items.iter().all(Value::is_string) => Value::String(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => other.clone(),
    }
}

#[test]
fn every_layer_reads_back_as_its_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a");
    let written = run_gbk(&out);
    let layers: Vec<&str> = written
        .files
        .iter()
        .filter_map(|f| f.strip_suffix(".geojson"))
        .collect();
    assert!(layers.len() >= 5, "{layers:?}");
    let fields = mapping(&out);
    for layer in &layers {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            let f = format!("shapefile/{layer}.{ext}");
            assert!(
                written.files.contains(&f),
                "{f} not among {:?}",
                written.files
            );
        }
        assert_eq!(
            std::fs::read_to_string(out.join(format!("shapefile/{layer}.cpg"))).unwrap(),
            "GBK"
        );
        let shp = read_layer(
            &out.join(format!("shapefile/{layer}.shp")),
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{layer}: {e}"));
        let gj = read_layer(
            &out.join(format!("{layer}.geojson")),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(
            shp.layer.crs, gj.layer.crs,
            "{layer}: the .prj says EPSG:4326"
        );
        assert_eq!(shp.layer.features.len(), gj.layer.features.len(), "{layer}");
        let names = &fields[*layer];
        for (k, (s, g)) in shp
            .layer
            .features
            .iter()
            .zip(&gj.layer.features)
            .enumerate()
        {
            assert_eq!(normal(&s.geometry), normal(&g.geometry), "{layer} #{k}");
            let object: serde_json::Map<String, Value> =
                serde_json::from_str(g.properties.raw()).unwrap();
            assert_eq!(
                object.len(),
                names.len(),
                "{layer}: every property has a field"
            );
            for (property, field) in names {
                // A DBF cannot tell an empty text from none: both read as null (as GDAL's).
                let want = object
                    .get(property)
                    .map(as_dbf)
                    .filter(|v| v.as_str() != Some(""))
                    .unwrap_or(Value::Null);
                let got = s.properties.get(field).unwrap_or(Value::Null);
                let place = format!("{layer} #{k} {property} ({field}): {want} vs {got}");
                match (&want, &got) {
                    (Value::Number(a), Value::Number(b)) => {
                        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                        // A DBF number keeps 15 decimals, as GDAL's.
                        assert!((a - b).abs() <= 1e-15 * a.abs().max(1.0), "{place}");
                    }
                    _ => assert_eq!(want, got, "{place}"),
                }
            }
        }
    }
    // The names are GBK bytes in the .dbf.
    let dbf = std::fs::read(out.join("shapefile/affected_villages.dbf")).unwrap();
    let (gbk, _, bad) = encoding_rs::GBK.encode("统计用区划");
    assert!(!bad);
    assert!(
        dbf.windows(gbk.len()).any(|w| w == &gbk[..]),
        "GBK field name"
    );

    // Two runs, the same bytes.
    let again = tmp.path().join("b");
    run_gbk(&again);
    for f in written.files.iter().filter(|f| f.starts_with("shapefile/")) {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn gdal_opens_every_shapefile_with_its_chinese_names() {
    if Command::new("ogrinfo").arg("--version").output().is_err() {
        eprintln!("skipped: ogrinfo (GDAL) is not installed; apt-get install gdal-bin");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a");
    let written = run_gbk(&out);
    for f in written.files.iter().filter(|f| f.ends_with(".shp")) {
        let o = Command::new("ogrinfo")
            .args(["-ro", "-al", "-so"])
            .arg(out.join(f))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let geojson = f
            .strip_prefix("shapefile/")
            .unwrap()
            .replace(".shp", ".geojson");
        let read = read_layer(&out.join(&geojson), &ReadOptions::default()).unwrap();
        assert!(
            text.contains(&format!("Feature Count: {}", read.layer.features.len())),
            "{f}: {text}"
        );
        assert!(
            text.contains("WGS 84") || text.contains("WGS_1984"),
            "{f}: {text}"
        );
    }
    // The villages' Chinese names, decoded by GDAL from the GBK .dbf with its .cpg.
    let o = Command::new("ogrinfo")
        .args(["-ro", "-al", "-q"])
        .arg(out.join("shapefile/affected_villages.shp"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    let read = read_layer(
        &out.join("affected_villages.geojson"),
        &ReadOptions::default(),
    )
    .unwrap();
    for f in &read.layer.features {
        let Some(Value::String(name)) = f.properties.get("村名") else {
            panic!("the demo's villages have 村名");
        };
        assert!(
            text.contains(&format!("村名 (String) = {name}")),
            "{name}: {text:.3000}"
        );
    }
}
