//! Layers in web-map coordinates (GCJ-02, BD-09): converted to WGS 84 as they are read, and
//! a point outside China refused naming the file and feature.

use std::path::Path;

use geo::{Coord, Geometry};
use hecun::{Crs, InputCrs, LayerKind, LayerSource, Plan, WebMap};
use serde_json::json;

/// WGS 84 / GCJ-02 pairs published in googollee/eviltransform's test suite
/// (go/transform_test.go): (wgs lon, wgs lat, gcj lon, gcj lat).
const PAIRS: [(f64, f64, f64, f64); 3] = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597), // Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766), // Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069), // Beijing
];

fn points(dir: &Path, name: &str, coords: &[(f64, f64)]) -> std::path::PathBuf {
    let features: Vec<_> = coords
        .iter()
        .enumerate()
        .map(|(k, (x, y))| {
            json!({"type": "Feature", "properties": {"编号": format!("P{k}")},
                   "geometry": {"type": "Point", "coordinates": [x, y]}})
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(
        &path,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    path
}

fn point(g: &Geometry<f64>) -> Coord<f64> {
    match g {
        Geometry::Point(p) => p.0,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_gcj02_layer_reads_as_the_published_wgs84_points() {
    let dir = tempfile::tempdir().unwrap();
    let gcj: Vec<(f64, f64)> = PAIRS.iter().map(|p| (p.2, p.3)).collect();
    let path = points(dir.path(), "sites.geojson", &gcj);
    let source =
        LayerSource::new(&path, LayerKind::Sites).with_crs(InputCrs::WebMap(WebMap::Gcj02));
    let read = source.read(Crs::WGS84, false).unwrap();
    assert_eq!(read.layer.crs, Crs::WGS84);
    for (f, (wlon, wlat, _, _)) in read.layer.features.iter().zip(PAIRS) {
        let c = point(&f.geometry);
        // 1e-8 degrees is about a millimetre.
        assert!(
            (c.x - wlon).abs() < 1e-8 && (c.y - wlat).abs() < 1e-8,
            "{c:?} vs {wlon},{wlat}"
        );
    }
    // Read as plain WGS 84 they are hundreds of metres off.
    let plain = LayerSource::new(&path, LayerKind::Sites)
        .read(Crs::WGS84, false)
        .unwrap();
    let c = point(&plain.layer.features[0].geometry);
    assert!((c.x - PAIRS[0].0).abs() > 1e-3);
}

#[test]
fn a_bd09_layer_round_trips_through_the_forward_formula() {
    let dir = tempfile::tempdir().unwrap();
    let wgs = [(113.65, 34.76), (113.5, 34.9), (120.1, 30.2)];
    let bd: Vec<(f64, f64)> = wgs
        .iter()
        .map(|&(x, y)| {
            let c = WebMap::Bd09.from_wgs84(Coord { x, y }).unwrap();
            (c.x, c.y)
        })
        .collect();
    let path = points(dir.path(), "bd.geojson", &bd);
    let read = LayerSource::new(&path, LayerKind::Other)
        .with_crs("BD-09".parse().unwrap())
        .read(Crs::WGS84, false)
        .unwrap();
    for (f, (x, y)) in read.layer.features.iter().zip(wgs) {
        let c = point(&f.geometry);
        assert!((c.x - x).abs() < 1e-9 && (c.y - y).abs() < 1e-9, "{c:?}");
    }
}

#[test]
fn a_point_outside_china_is_an_error_naming_file_and_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = points(dir.path(), "amap.geojson", &[(113.6, 34.7), (2.35, 48.85)]);
    let source =
        LayerSource::new(&path, LayerKind::Sites).with_crs(InputCrs::WebMap(WebMap::Gcj02));
    let e = source.read(Crs::WGS84, false).unwrap_err().to_string();
    assert!(
        e.contains("amap.geojson")
            && e.contains("feature #1")
            && e.contains("outside China")
            && e.contains("GCJ-02"),
        "{e}"
    );
    // keep_going: the feature is skipped and reported, never passed through.
    let read = source.read(Crs::WGS84, true).unwrap();
    assert_eq!(read.layer.features.len(), 1);
    assert_eq!(read.skipped.len(), 1);
}

#[test]
fn the_plan_names_a_web_map_per_layer_or_for_all() {
    let dir = tempfile::tempdir().unwrap();
    let text = |crs: &str, layer_crs: &str| {
        format!(
            "[crs]\n{crs}\n[layers.villages]\npath = \"v.geojson\"\n{layer_crs}\n[layers.roads]\npath = \"r.geojson\"\n[zones.widths]\nring = 1\n"
        )
    };
    let p = Plan::from_toml(&text("", "crs = \"BD-09\""), dir.path()).unwrap();
    assert_eq!(
        p.affected.villages.settings.crs,
        Some(InputCrs::WebMap(WebMap::Bd09))
    );
    assert_eq!(p.affected.roads.settings.crs, None);
    let p = Plan::from_toml(
        &text("input = \"GCJ-02\"", "crs = \"EPSG:4490\""),
        dir.path(),
    )
    .unwrap();
    assert_eq!(p.affected.input_crs, Crs::WGS84);
    assert_eq!(
        p.affected.roads.settings.crs,
        Some(InputCrs::WebMap(WebMap::Gcj02))
    );
    assert_eq!(
        p.affected.villages.settings.crs,
        Some(InputCrs::Epsg(Crs::CGCS2000))
    );
    let e = Plan::from_toml(&text("", "crs = \"Mars\""), dir.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("layers.villages") && e.contains("GCJ-02"), "{e}");
}

/// `--input-crs` replaces the plan's `[crs] input` (a flag states what the plan file said
/// for this run), for every layer, the context layers too, but not a layer's own `crs`.
#[test]
fn input_crs_replaces_the_plans_input_but_not_a_layers_own() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[crs]\ninput = \"GCJ-02\"\n[layers.villages]\npath = \"v.geojson\"\ncrs = \"BD-09\"\n[layers.roads]\npath = \"r.geojson\"\n[layers.farmland]\npath = \"f.geojson\"\n[zones.widths]\nring = 1\n";
    let mut plan = Plan::from_toml(text, dir.path()).unwrap();
    let gcj = Some(InputCrs::WebMap(WebMap::Gcj02));
    assert_eq!(plan.affected.roads.settings.crs, gcj);
    assert_eq!(plan.context["farmland"].settings.crs, gcj);
    let mut options = hecun::run::manifest::RunOptions::default();
    options.input_crs = Some("EPSG:4490".into());
    options.apply(&mut plan).unwrap();
    let cgcs = Some(InputCrs::Epsg(Crs::CGCS2000));
    assert_eq!(plan.affected.input_crs, Crs::CGCS2000);
    assert_eq!(plan.affected.roads.settings.crs, cgcs);
    assert_eq!(plan.context["farmland"].settings.crs, cgcs);
    assert_eq!(
        plan.affected.villages.settings.crs,
        Some(InputCrs::WebMap(WebMap::Bd09))
    );
    // And a web map by flag over a plan stating EPSG:4490 for all.
    let text = text.replace("GCJ-02", "EPSG:4490");
    let mut plan = Plan::from_toml(&text, dir.path()).unwrap();
    options.input_crs = Some("GCJ-02".into());
    options.apply(&mut plan).unwrap();
    assert_eq!(plan.affected.input_crs, Crs::WGS84);
    assert_eq!(plan.affected.roads.settings.crs, gcj);
    assert_eq!(plan.context["farmland"].settings.crs, gcj);
}

#[test]
fn a_file_that_names_a_projected_crs_contradicts_a_web_map() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.geojson");
    std::fs::write(
        &path,
        r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4547"}},"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[465000,3850000]}}]}"#,
    )
    .unwrap();
    let e = LayerSource::new(&path, LayerKind::Other)
        .with_crs(InputCrs::WebMap(WebMap::Gcj02))
        .read(Crs::WGS84, false)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("p.geojson") && e.contains("EPSG:4547") && e.contains("GCJ-02"),
        "{e}"
    );
}
