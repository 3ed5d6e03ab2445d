//! The Shapefile reader against GDAL: fixtures written by `ogr2ogr` and GDAL's own GeoJSON
//! export of each (`core/tests/fixtures/shapefile/make.sh` regenerates both), read back
//! field by field and coordinate by coordinate; and the bad inputs an office's folder holds.

use std::path::{Path, PathBuf};

use geo::Geometry;
use hecun::{Crs, Error, Layer, ReadOptions, WarningKind, read_layer};
use serde_json::{Map, Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shapefile")
}

/// GDAL's GeoJSON export. GDAL writes a field name cut at 10 bytes in the middle of a UTF-8
/// character as the broken bytes themselves (not valid JSON text): they are dropped here,
/// as hecun drops them.
fn oracle(name: &str) -> Value {
    let bytes = std::fs::read(fixtures().join(name)).unwrap();
    let text = String::from_utf8_lossy(&bytes).replace('\u{FFFD}', "");
    serde_json::from_str(&text).unwrap()
}

/// A geometry as GeoJSON's type and coordinates (x, y only).
fn as_geojson(g: &Geometry<f64>) -> (String, Value) {
    let line = |l: &geo::LineString<f64>| -> Value {
        Value::Array(l.0.iter().map(|c| json!([c.x, c.y])).collect())
    };
    let polygon = |p: &geo::Polygon<f64>| -> Value {
        Value::Array(
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(line)
                .collect(),
        )
    };
    match g {
        Geometry::Point(p) => ("Point".into(), json!([p.x(), p.y()])),
        Geometry::MultiPoint(m) => (
            "MultiPoint".into(),
            Value::Array(m.0.iter().map(|p| json!([p.x(), p.y()])).collect()),
        ),
        Geometry::LineString(l) => ("LineString".into(), line(l)),
        Geometry::MultiLineString(m) => (
            "MultiLineString".into(),
            Value::Array(m.0.iter().map(line).collect()),
        ),
        Geometry::Polygon(p) => ("Polygon".into(), polygon(p)),
        Geometry::MultiPolygon(m) => (
            "MultiPolygon".into(),
            Value::Array(m.0.iter().map(polygon).collect()),
        ),
        other => panic!("unexpected geometry {other:?}"),
    }
}

/// Coordinates without Z (GDAL keeps it; hecun reads two dimensions).
fn flat(v: &Value) -> Value {
    match v {
        Value::Array(items) if items.iter().all(Value::is_number) => {
            Value::Array(items[..2].to_vec())
        }
        Value::Array(items) => Value::Array(items.iter().map(flat).collect()),
        other => other.clone(),
    }
}

/// The same nesting and the same numbers: GDAL writes each double's 17 digits, which
/// serde_json (without its slower `float_roundtrip` parsing) may read one unit in the last
/// place off.
fn same_coordinates(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_coordinates(p, q))
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(1.0)
        }
        _ => false,
    }
}

/// GDAL gives a Shapefile's rings as the file has them (outer clockwise, holes
/// counter-clockwise); hecun as RFC 7946 has them (the other way round, from the same first
/// point): each ring of GDAL's polygons reversed.
fn reversed_rings(kind: &str, coordinates: Value) -> Value {
    let reverse = |rings: &Value| -> Value {
        let rings = rings.as_array().unwrap().iter();
        Value::Array(
            rings
                .map(|r| Value::Array(r.as_array().unwrap().iter().rev().cloned().collect()))
                .collect(),
        )
    };
    match kind {
        "Polygon" => reverse(&coordinates),
        "MultiPolygon" => Value::Array(
            coordinates
                .as_array()
                .unwrap()
                .iter()
                .map(reverse)
                .collect(),
        ),
        _ => coordinates,
    }
}

/// The layer as read is GDAL's reading: same features in the same order, same properties
/// (names in the same order, same values), same geometry types, the same coordinates (to
/// the last bits of a double), and the same CRS.
pub(crate) fn assert_like_gdal(layer: &Layer, oracle: &Value) {
    assert_like_gdal_rings(layer, oracle, false);
}

/// [`assert_like_gdal`] for a Shapefile read: GDAL's rings as the file has them, reversed.
fn assert_like_shapefile_by_gdal(layer: &Layer, oracle: &Value) {
    assert_like_gdal_rings(layer, oracle, true);
}

fn assert_like_gdal_rings(layer: &Layer, oracle: &Value, reverse: bool) {
    let features = oracle["features"].as_array().unwrap();
    assert_eq!(layer.features.len(), features.len());
    let crs = oracle["crs"]["properties"]["name"].as_str().unwrap();
    assert_eq!(
        Some(layer.crs.code().to_string().as_str()),
        crs.rsplit(':').next(),
        "CRS"
    );
    for (f, o) in layer.features.iter().zip(features) {
        let ours: Map<String, Value> = serde_json::from_str(f.properties.raw()).unwrap();
        let theirs = o["properties"].as_object().unwrap();
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&ours),
            keys(theirs),
            "field names of feature {}",
            f.index
        );
        for (k, v) in theirs {
            match (v.as_f64(), ours[k].as_f64()) {
                (Some(a), Some(b)) => assert_eq!(a, b, "feature {} field {k}", f.index),
                _ => assert_eq!(&ours[k], v, "feature {} field {k}", f.index),
            }
        }
        let (kind, coords) = as_geojson(&f.geometry);
        assert_eq!(kind, o["geometry"]["type"], "feature {}", f.index);
        let mut theirs = flat(&o["geometry"]["coordinates"]);
        if reverse {
            theirs = reversed_rings(&kind, theirs);
        }
        assert!(
            same_coordinates(&coords, &theirs),
            "feature {}: {coords} vs GDAL's {theirs}",
            f.index
        );
    }
}

fn read(path: &str, options: &ReadOptions) -> Result<hecun::ReadOutcome, Error> {
    read_layer(&fixtures().join(path), options)
}

#[test]
fn gbk_with_cpg_zone_prefix_holes_and_parts_read_as_gdal_reads_them() {
    let options = ReadOptions::default().with_id_fields(["统计用区划"]);
    let read = read("gbk_zone38/villages.shp", &options).unwrap();
    assert_like_shapefile_by_gdal(&read.layer, &oracle("villages_gbk_zone38.gdal.geojson"));
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.layer.crs, "EPSG:4526".parse::<Crs>().unwrap());
    // The id comes from the field cut to 10 bytes, as the plan names it.
    assert_eq!(read.layer.features[1].id.as_deref(), Some("410122101202"));
    // A blank number is null, not 0.
    assert!(
        read.layer.features[1]
            .properties
            .get("户数")
            .unwrap()
            .is_null()
    );
}

#[test]
fn gbk_without_cpg_is_detected_and_said() {
    let read = read("gbk_nocpg/villages.shp", &ReadOptions::default()).unwrap();
    assert_like_shapefile_by_gdal(&read.layer, &oracle("villages_gbk_zone38.gdal.geojson"));
    let w = &read.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].kind, WarningKind::EncodingDetected);
    assert!(
        w[0].message.contains("GBK") && w[0].message.contains("villages.dbf"),
        "{}",
        w[0].message
    );
}

#[test]
fn utf8_with_cpg_zone_without_prefix() {
    let read = read("utf8_cm114/villages.shp", &ReadOptions::default()).unwrap();
    assert_like_shapefile_by_gdal(&read.layer, &oracle("villages_utf8_cm114.gdal.geojson"));
    assert_eq!(read.layer.crs.code(), 4547);
    // GDAL cut 统计用区划代码 inside 区 (10 bytes of UTF-8): the name is 统计用.
    assert!(read.layer.features[0].properties.get("统计用").is_some());
}

#[test]
fn polyline_z_and_point_m() {
    let roads = read("roads_z/roads.shp", &ReadOptions::default()).unwrap();
    assert_like_shapefile_by_gdal(&roads.layer, &oracle("roads_z.gdal.geojson"));
    let sites = read("sites_m/sites.shp", &ReadOptions::default()).unwrap();
    assert_like_shapefile_by_gdal(&sites.layer, &oracle("sites_m.gdal.geojson"));
    assert_eq!(sites.layer.crs, Crs::CGCS2000);
}

/// The Xi'an 1980 zone needs the office's Helmert parameters; with them the coordinates are
/// PROJ's (gdaltransform) to a millimetre, in the CGCS2000 zone of the same projection.
#[test]
fn xian80_needs_towgs84_and_then_agrees_with_proj() {
    let err = read("xian80_cm114/villages.shp", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("villages.prj") && err.contains("towgs84") && err.contains("EPSG:2383"),
        "{err}"
    );
    let expected = std::fs::read_to_string(fixtures().join("xian80_expected.txt")).unwrap();
    let mut lines = expected.lines();
    let towgs84: Vec<f64> = lines
        .next()
        .unwrap()
        .trim_start_matches("towgs84 ")
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let options = ReadOptions::default().with_towgs84(towgs84.try_into().unwrap());
    let read = read("xian80_cm114/villages.shp", &options).unwrap();
    assert_eq!(read.layer.crs.code(), 4547);
    let Geometry::Polygon(p) = &read.layer.features[0].geometry else {
        panic!("village 0 is a polygon")
    };
    // ogrinfo lists the ring as the file has it (clockwise); hecun reads it counter-clockwise.
    let mut points: Vec<(f64, f64)> = lines
        .map(|l| {
            let mut xy = l.split_whitespace().map(|x| x.parse::<f64>().unwrap());
            (xy.next().unwrap(), xy.next().unwrap())
        })
        .collect();
    points.reverse();
    assert_eq!(points.len(), p.exterior().0.len());
    let original = read_layer(
        &fixtures().join("utf8_cm114/villages.shp"),
        &ReadOptions::default(),
    )
    .unwrap();
    let Geometry::Polygon(before) = &original.layer.features[0].geometry else {
        panic!()
    };
    for ((c, (x, y)), b) in p.exterior().0.iter().zip(points).zip(&before.exterior().0) {
        assert!(
            (c.x - x).abs() < 1e-3 && (c.y - y).abs() < 1e-3,
            "{c:?} vs PROJ ({x}, {y})"
        );
        // The shift is real (tens of metres), not a no-op that happens to agree.
        assert!((c.x - b.x).hypot(c.y - b.y) > 10.0);
    }
    // Parameters for a datum that needs none are refused, not ignored.
    let err = read_layer(&fixtures().join("utf8_cm114/villages.shp"), &options).unwrap_err();
    assert!(err.to_string().contains("towgs84"), "{err}");
}

/// Copies fixture folder `dir` into a temporary folder to break it there.
fn copy(dir: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixtures().join(dir)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), tmp.path().join(entry.file_name())).unwrap();
    }
    let shp = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "shp"))
        .unwrap();
    (tmp, shp)
}

fn error(shp: &Path, options: &ReadOptions) -> String {
    read_layer(shp, options).unwrap_err().to_string()
}

#[test]
fn a_missing_dbf_or_shx_is_named() {
    let (_tmp, shp) = copy("gbk_zone38");
    std::fs::remove_file(shp.with_extension("dbf")).unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(
        err.contains("villages.shp") && err.contains(".dbf"),
        "{err}"
    );
    let (_tmp, shp) = copy("gbk_zone38");
    std::fs::remove_file(shp.with_extension("shx")).unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(err.contains(".shx"), "{err}");
}

#[test]
fn naming_the_dbf_in_place_of_the_shp_says_so() {
    let err = read("gbk_zone38/villages.dbf", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("villages.dbf") && err.contains("villages.shp"),
        "{err}"
    );
}

#[test]
fn a_prj_naming_nothing_known_is_named() {
    let (_tmp, shp) = copy("gbk_zone38");
    std::fs::write(
        shp.with_extension("prj"),
        r#"PROJCS["Asia_Lambert",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["Central_Meridian",105.0],UNIT["Meter",1.0]]"#,
    )
    .unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(
        err.contains("villages.prj") && err.contains("Lambert"),
        "{err}"
    );
    std::fs::write(shp.with_extension("prj"), "not WKT at all").unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(err.contains("villages.prj"), "{err}");
}

#[test]
fn a_cpg_that_lies_is_an_error_naming_record_and_field() {
    let (_tmp, shp) = copy("gbk_zone38");
    std::fs::write(shp.with_extension("cpg"), "UTF-8").unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(
        err.contains("villages.dbf") && err.contains("UTF-8") && err.contains(".cpg"),
        "{err}"
    );
    assert!(err.contains("field") && err.contains("GBK"), "{err}");
    // The plan's encoding overrides the lying .cpg.
    let read = read_layer(&shp, &ReadOptions::default().with_encoding("GBK")).unwrap();
    assert_like_shapefile_by_gdal(&read.layer, &oracle("villages_gbk_zone38.gdal.geojson"));
}

#[test]
fn a_dbf_with_more_records_than_the_shp_is_an_error() {
    let (_tmp, shp) = copy("gbk_zone38");
    let dbf_path = shp.with_extension("dbf");
    let mut dbf = std::fs::read(&dbf_path).unwrap();
    let records = u32::from_le_bytes(dbf[4..8].try_into().unwrap());
    let record_len = u16::from_le_bytes(dbf[10..12].try_into().unwrap()) as usize;
    let header_len = u16::from_le_bytes(dbf[8..10].try_into().unwrap()) as usize;
    // One more record, a copy of the first, before the end-of-file mark.
    let first = dbf[header_len..header_len + record_len].to_vec();
    let end = header_len + records as usize * record_len;
    dbf.splice(end..end, first);
    dbf[4..8].copy_from_slice(&(records + 1).to_le_bytes());
    std::fs::write(&dbf_path, dbf).unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(
        err.contains("villages.dbf") && err.contains("4 records") && err.contains("3 shapes"),
        "{err}"
    );
}

#[test]
fn a_prj_contradicting_the_stated_crs_is_an_error() {
    let options = ReadOptions::default().with_declared_crs("EPSG:4547".parse().unwrap());
    let err = read("gbk_zone38/villages.shp", &options)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("villages.prj") && err.contains("EPSG:4526") && err.contains("EPSG:4547"),
        "{err}"
    );
    let options = ReadOptions::default().with_declared_crs("EPSG:4526".parse().unwrap());
    assert!(read("gbk_zone38/villages.shp", &options).is_ok());
}

#[test]
fn truncated_and_hostile_files_are_errors_not_crashes() {
    let (_tmp, shp) = copy("gbk_zone38");
    let bytes = std::fs::read(&shp).unwrap();
    // Every cut of the .shp: an error or (cut past the last record's end) a read; never a
    // panic.
    for cut in [0, 50, 99, 100, 150, bytes.len() - 10] {
        std::fs::write(&shp, &bytes[..cut]).unwrap();
        assert!(
            read_layer(&shp, &ReadOptions::default()).is_err(),
            "cut {cut}"
        );
    }
    std::fs::write(&shp, &bytes).unwrap();
    let dbf_path = shp.with_extension("dbf");
    let dbf = std::fs::read(&dbf_path).unwrap();
    std::fs::write(&dbf_path, &dbf[..dbf.len() / 2]).unwrap();
    let err = error(&shp, &ReadOptions::default());
    assert!(
        err.contains("villages.dbf") && err.contains("truncated"),
        "{err}"
    );
}

/// The demo as Shapefiles (GBK, EPSG:4547, written by gen-demo) and as GeoJSON (lon/lat):
/// the same affected villages, shares and totals. The GeoJSON run projects the layers; the
/// Shapefile run reads them already projected, its CRS from each `.prj`.
#[test]
fn demo_plan_over_shapefiles_finds_what_the_geojson_plan_finds() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo");
    // The builtin engine, whatever the build: gen-demo projected the Shapefiles with it, and
    // PROJ (feature `proj`) differs from it by far less than a millimetre, yet not by zero.
    let run = |plan: &Path| {
        let mut plan = hecun::Plan::load(plan).unwrap();
        plan.affected.engine = hecun::CrsEngine::Builtin;
        plan.affected.run(&|_| {}).unwrap()
    };
    let geojson = run(&demo.join("plan.toml"));
    let shapefile = run(&demo.join("plan-shapefile.toml"));
    assert_eq!(shapefile.villages_layer.crs.code(), 4547);
    assert!(shapefile.warnings.is_empty(), "{:?}", shapefile.warnings);
    assert!(!geojson.affected.is_empty());
    assert_eq!(geojson.affected.len(), shapefile.affected.len());
    for (g, s) in geojson.affected.iter().zip(&shapefile.affected) {
        let (gv, sv) = (&geojson.villages[g.village], &shapefile.villages[s.village]);
        assert_eq!(gv.id, sv.id);
        assert_eq!(
            (&gv.name, &gv.township, gv.households, gv.population),
            (&sv.name, &sv.township, sv.households, sv.population)
        );
        assert!(
            (g.fraction_inside - s.fraction_inside).abs() < 1e-9,
            "village {}: {} vs {}",
            gv.id,
            g.fraction_inside,
            s.fraction_inside
        );
        assert_eq!(g.zones, s.zones, "village {}", gv.id);
    }
    assert_eq!(geojson.summary.total, shapefile.summary.total);
    assert_eq!(geojson.summary.townships, shapefile.summary.townships);
    assert_eq!(
        geojson.summary.villages_in_layer,
        shapefile.summary.villages_in_layer
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Bytes changed anywhere in the .shp, .shx or .dbf: a read or an error, never a panic
    /// (counts and offsets in these files size allocations and index slices).
    #[test]
    fn damaged_files_never_panic(
        file in 0usize..3,
        edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..8),
    ) {
        let (_tmp, shp) = copy("gbk_zone38");
        let path = shp.with_extension(["shp", "shx", "dbf"][file]);
        let mut bytes = std::fs::read(&path).unwrap();
        for (at, b) in edits {
            let n = bytes.len();
            bytes[at % n] = b;
        }
        std::fs::write(&path, bytes).unwrap();
        let _ = read_layer(&shp, &ReadOptions::default());
    }
}
