//! The FlatGeobuf reader against GDAL (fixtures written by `ogr2ogr`, checked against GDAL's
//! own GeoJSON export of each) and the GeoParquet reader against the GeoJSON it was written
//! from (by pyarrow, and by GeoPandas' `to_parquet`); and the bad inputs of both.
//! `core/tests/fixtures/fast/make.sh` regenerates the fixtures.

use std::path::{Path, PathBuf};

use geo::Geometry;
use hecun::{Crs, Layer, ReadOptions, read_layer};
use serde_json::{Map, Value};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fast")
}

fn read(name: &str) -> Layer {
    read_layer(&fixtures().join(name), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .layer
}

#[cfg(feature = "parquet")]
fn read_err(path: &Path, options: &ReadOptions) -> String {
    read_layer(path, options).unwrap_err().to_string()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A geometry's coordinates as nested arrays of [x, y] (GeoJSON's layout).
fn coords(g: &Geometry<f64>) -> (String, Value) {
    let line = |l: &geo::LineString<f64>| -> Value {
        Value::Array(l.0.iter().map(|c| serde_json::json!([c.x, c.y])).collect())
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
        Geometry::Point(p) => ("Point".into(), serde_json::json!([p.x(), p.y()])),
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

/// The layer is GDAL's reading of the same file: the same features in the same order, the
/// same CRS, geometry types and coordinates (bit for bit: GDAL writes 17 digits), and the
/// same properties. GDAL's export leaves out a field the feature has no value for, where
/// hecun writes null (every feature has every column, as in the GeoJSON it came from).
fn assert_like_gdal(layer: &Layer, oracle: &Value) {
    let features = oracle["features"].as_array().unwrap();
    assert_eq!(layer.features.len(), features.len());
    let crs = oracle["crs"]["properties"]["name"].as_str().unwrap();
    let code = match crs.rsplit(':').next() {
        Some("CRS84") => "4326",
        code => code.unwrap(),
    };
    assert_eq!(layer.crs.code().to_string(), code);
    for (f, o) in layer.features.iter().zip(features) {
        let ours: Map<String, Value> = serde_json::from_str(f.properties.raw()).unwrap();
        let theirs = o["properties"].as_object().unwrap();
        let present: Vec<&String> = ours.keys().filter(|k| !ours[*k].is_null()).collect();
        assert_eq!(
            present,
            theirs.keys().collect::<Vec<_>>(),
            "field names with values, feature {}",
            f.index
        );
        for (k, v) in theirs {
            match (v.as_f64(), ours[k].as_f64()) {
                (Some(a), Some(b)) => assert_eq!(a, b, "feature {} field {k}", f.index),
                _ => assert_eq!(&ours[k], v, "feature {} field {k}", f.index),
            }
            // Integers stay integers, floats floats.
            assert_eq!(
                v.is_i64(),
                ours[k].is_i64(),
                "feature {} field {k}",
                f.index
            );
        }
        let (kind, c) = coords(&f.geometry);
        assert_eq!(kind, o["geometry"]["type"], "feature {}", f.index);
        let theirs = flat(&o["geometry"]["coordinates"]);
        assert!(
            same_coordinates(&c, &theirs),
            "feature {}: {c} vs GDAL's {theirs}",
            f.index
        );
    }
}

#[test]
fn flatgeobuf_mixed_polygons_with_an_index_read_as_gdal_reads_them() {
    let fx = fixtures();
    let layer = read("villages_4490.fgb");
    assert_eq!(layer.crs, Crs::from_epsg(4490).unwrap());
    assert_like_gdal(&layer, &json(&fx.join("villages_4490.gdal.geojson")));
    // GDAL wrote the date as DateTime text; it is passed through as GDAL's export has it.
    let dates: Vec<Value> = layer
        .features
        .iter()
        .filter_map(|f| f.properties.get("调查日期"))
        .collect();
    assert!(
        dates.contains(&Value::from("2021-05-06T00:00:00")),
        "{dates:?}"
    );
}

#[test]
fn flatgeobuf_projected_multipolygons_without_an_index() {
    let layer = read("villages_4547.fgb");
    assert_eq!(layer.crs.code(), 4547);
    assert_like_gdal(
        &layer,
        &json(&fixtures().join("villages_4547.gdal.geojson")),
    );
}

#[test]
fn flatgeobuf_lines_with_z_and_points() {
    let fx = fixtures();
    assert_like_gdal(
        &read("roads_z.fgb"),
        &json(&fx.join("roads_z.gdal.geojson")),
    );
    assert_like_gdal(&read("sites.fgb"), &json(&fx.join("sites.gdal.geojson")));
}

#[cfg(feature = "parquet")]
/// The source GeoJSON, read by hecun: what every GeoParquet written from it must give.
fn source(name: &str) -> Layer {
    let path = fixtures().join("../shapefile").join(name);
    read_layer(&path, &ReadOptions::default()).unwrap().layer
}

#[cfg(feature = "parquet")]
/// Polygons as one-part multipolygons (a native column holds one geometry type).
fn multi(g: &Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Polygon(p) => Geometry::MultiPolygon(geo::MultiPolygon(vec![p.clone()])),
        Geometry::LineString(l) => Geometry::MultiLineString(geo::MultiLineString(vec![l.clone()])),
        other => other.clone(),
    }
}

#[cfg(feature = "parquet")]
#[test]
fn geoparquet_wkb_and_native_give_the_geojson_they_were_written_from() {
    let villages = source("villages.source.geojson");
    for (name, promoted) in [
        ("villages_wkb_4490.parquet", false),
        ("villages_native_4490.parquet", true),
    ] {
        let layer = read(name);
        assert_eq!(layer.crs.code(), 4490, "{name}");
        assert_eq!(layer.features.len(), villages.features.len(), "{name}");
        for (a, b) in layer.features.iter().zip(&villages.features) {
            // The same JSON text: key order, integers, floats, nulls and text.
            assert_eq!(
                a.properties.raw(),
                b.properties.raw(),
                "{name} #{}",
                a.index
            );
            assert_eq!(a.index, b.index);
            let want = if promoted {
                multi(&b.geometry)
            } else {
                b.geometry.clone()
            };
            assert_eq!(a.geometry, want, "{name} #{}", a.index);
        }
    }
    // No crs: OGC:CRS84, longitude/latitude on WGS 84.
    for (name, src) in [
        ("roads_native.parquet", "roads.source.geojson"),
        ("sites_native.parquet", "sites.source.geojson"),
    ] {
        let (layer, src) = (read(name), source(src));
        assert_eq!(layer.crs, Crs::WGS84, "{name}");
        for (a, b) in layer.features.iter().zip(&src.features) {
            assert_eq!(a.properties.raw(), b.properties.raw(), "{name}");
            assert_eq!(multi(&a.geometry), multi(&b.geometry), "{name}");
        }
    }
}

#[cfg(feature = "parquet")]
#[test]
fn geoparquet_as_geopandas_writes_it() {
    let src = source("villages.source.geojson");
    // The second with GeoParquet 1.1's bbox covering column, which is not an attribute.
    for name in [
        "villages_geopandas.parquet",
        "villages_geopandas_bbox.parquet",
    ] {
        let layer = read(name);
        assert_eq!(layer.crs.code(), 4490, "{name}");
        assert_like_source(&layer, &src);
    }
}

/// GeoPandas made the integer columns with a null float64 and the date a timestamp: the
/// values are the source's, as numbers; text, order and geometry are the same.
#[cfg(feature = "parquet")]
fn assert_like_source(layer: &Layer, src: &Layer) {
    assert_eq!(layer.features.len(), src.features.len());
    for (a, b) in layer.features.iter().zip(&src.features) {
        let ours: Map<String, Value> = serde_json::from_str(a.properties.raw()).unwrap();
        let theirs: Map<String, Value> = serde_json::from_str(b.properties.raw()).unwrap();
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        for (k, v) in &theirs {
            match (v, &ours[k]) {
                (Value::Number(x), Value::Number(y)) => assert_eq!(x.as_f64(), y.as_f64()),
                (Value::String(d), Value::String(t)) if k == "调查日期" => {
                    assert_eq!(t, &format!("{d}T00:00:00"))
                }
                (x, y) => assert_eq!(x, y, "field {k}"),
            }
        }
        assert_eq!(a.geometry, b.geometry);
    }
}

#[cfg(feature = "parquet")]
#[test]
fn the_file_crs_and_the_plans_must_agree() {
    let fx = fixtures();
    let stated = ReadOptions::default().with_declared_crs(Crs::from_epsg(4547).unwrap());
    for name in ["villages_4490.fgb", "villages_wkb_4490.parquet"] {
        let err = read_err(&fx.join(name), &stated);
        assert!(
            err.contains(name) && err.contains("4490") && err.contains("4547"),
            "{err}"
        );
    }
    // Agreeing is fine.
    let same = ReadOptions::default().with_declared_crs(Crs::from_epsg(4490).unwrap());
    assert!(read_layer(&fx.join("villages_4490.fgb"), &same).is_ok());
    let err = read_err(&fx.join("esri_crs.parquet"), &ReadOptions::default());
    assert!(
        err.contains("esri_crs.parquet") && err.contains("ESRI:102100") && err.contains("EPSG"),
        "{err}"
    );
    let gbk = ReadOptions::default().with_encoding("GBK");
    let err = read_err(&fx.join("villages_4490.fgb"), &gbk);
    assert!(
        err.contains("encoding") && err.contains("Shapefile"),
        "{err}"
    );
}

#[cfg(feature = "parquet")]
#[test]
fn geoparquet_without_geo_metadata_or_with_an_unknown_encoding_is_refused() {
    let fx = fixtures();
    let o = ReadOptions::default();
    let err = read_err(&fx.join("no_geo.parquet"), &o);
    assert!(
        err.contains("no_geo.parquet") && err.contains("`geo`"),
        "{err}"
    );
    let err = read_err(&fx.join("list_column.parquet"), &o);
    assert!(
        err.contains("list_column.parquet") && err.contains("\"编码列表\"") && err.contains("List"),
        "{err}"
    );
    let err = read_err(&fx.join("bad_encoding.parquet"), &o);
    assert!(
        err.contains("bad_encoding.parquet")
            && err.contains("\"ewkb\"")
            && err.contains("geometry"),
        "{err}"
    );
}

#[cfg(feature = "parquet")]
#[test]
fn truncated_and_mislabelled_files_are_errors_naming_them() {
    let fx = fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let o = ReadOptions::default();
    for name in [
        "villages_4490.fgb",
        "villages_wkb_4490.parquet",
        "roads_z.fgb",
    ] {
        let bytes = std::fs::read(fx.join(name)).unwrap();
        // Cut at many places: every cut is an error naming the file, never a panic.
        for cut in (1..bytes.len()).step_by(bytes.len() / 37 + 1) {
            let path = tmp.path().join(format!("cut_{cut}_{name}"));
            std::fs::write(&path, &bytes[..cut]).unwrap();
            match read_layer(&path, &o) {
                Err(e) => assert!(e.to_string().contains("cut_"), "{e}"),
                // A cut between features leaves a shorter layer only if the header did not
                // say how many there are; GDAL's header always does.
                Ok(r) => panic!(
                    "{name} cut at {cut} read {} features",
                    r.layer.features.len()
                ),
            }
        }
    }
    // GeoJSON text named .fgb and .parquet.
    for ext in ["fgb", "parquet"] {
        let path = tmp.path().join(format!("villages.{ext}"));
        std::fs::copy(fx.join("../shapefile/villages.source.geojson"), &path).unwrap();
        let err = read_err(&path, &o);
        assert!(err.contains(&format!("villages.{ext}")), "{err}");
        assert!(
            err.contains("magic") || err.contains("not a Parquet file"),
            "{err}"
        );
    }
    // The plan's format wins over the extension.
    let path = tmp.path().join("villages.data");
    std::fs::copy(fx.join("villages_4490.fgb"), &path).unwrap();
    let read = read_layer(
        &path,
        &ReadOptions::default().with_format(hecun::Format::FlatGeobuf),
    )
    .unwrap();
    assert_eq!(read.layer.features.len(), 3);
    assert_eq!(
        "fgb".parse::<hecun::Format>().unwrap(),
        hecun::Format::FlatGeobuf
    );
    assert_eq!(
        "parquet".parse::<hecun::Format>().unwrap(),
        hecun::Format::GeoParquet
    );
    assert_eq!(
        hecun::Format::of_path(Path::new("a/b.PARQUET")),
        hecun::Format::GeoParquet
    );
}

#[test]
fn damaged_bytes_inside_a_flatgeobuf_are_errors_never_panics() {
    // Flip bytes all over a real file: each read is an error or a layer, never a panic.
    let bytes = std::fs::read(fixtures().join("villages_4547.fgb")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("v.fgb");
    for at in (12..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[at] ^= 0xA5;
        std::fs::write(&path, &b).unwrap();
        if let Err(e) = read_layer(&path, &ReadOptions::default()) {
            assert!(e.to_string().contains("v.fgb"), "{e}");
        }
    }
}
