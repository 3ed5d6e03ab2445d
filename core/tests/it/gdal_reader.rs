//! Reading through GDAL (feature `gdal`) against the native readers and GDAL's own GeoJSON
//! export: the demo's Shapefiles and GeoJSON read through GDAL, and the demo's Shapefiles
//! written into a File Geodatabase by `ogr2ogr -f OpenFileGDB`
//! (`core/tests/fixtures/gdal/make.sh`), are the layers the native readers read: same
//! features, ids, properties and coordinates. Without the feature, a `.gdb` is refused
//! saying how to build a hecun that reads it.

use std::path::{Path, PathBuf};

use hecun::{Format, ReadOptions, read_layer};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gdal")
}

#[cfg(not(feature = "gdal"))]
#[test]
fn a_geodatabase_needs_the_gdal_feature() {
    let gdb = fixtures().join("demo.gdb");
    for options in [
        ReadOptions::default(),
        ReadOptions::default().with_layer("villages"),
    ] {
        let err = read_layer(&gdb, &options).unwrap_err().to_string();
        assert!(
            err.contains("demo.gdb") && err.contains("--features gdal"),
            "{err}"
        );
    }
    // `format = "gdal"` on a file the native readers would read is refused the same way.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo/roads.geojson");
    let options = ReadOptions::default().with_format(Format::Gdal);
    let err = read_layer(&demo, &options).unwrap_err().to_string();
    assert!(
        err.contains("roads.geojson") && err.contains("--features gdal"),
        "{err}"
    );
}

/// A layer naming a layer of a single-layer format is a mistake in the plan, said.
#[test]
fn a_layer_name_for_a_geojson_file_is_refused() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo/roads.geojson");
    let err = read_layer(&demo, &ReadOptions::default().with_layer("roads"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("roads.geojson") && err.contains("layer = \"roads\""),
        "{err}"
    );
}

#[cfg(feature = "gdal")]
mod through_gdal {
    use super::*;
    use geo::Geometry;
    use hecun::{Crs, Layer};
    use serde_json::{Map, Value};

    /// The demo's layers, each a Shapefile and a layer of the File Geodatabase.
    const DEMO_LAYERS: [&str; 9] = [
        "villages",
        "roads",
        "corridors",
        "townships",
        "sites",
        "zoning",
        "facilities",
        "farmland",
        "redline",
    ];

    fn demo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo")
    }

    /// The id field of each demo layer in the Shapefiles (10-byte names) and the GeoJSON.
    fn id_field(name: &str, shapefile: bool) -> &'static str {
        match name {
            "villages" if shapefile => "统计用区划",
            "villages" => "统计用区划代码",
            _ => "编号",
        }
    }

    /// The two layers are the same: features in the same order with the same index, id,
    /// geometry (every coordinate equal) and properties (the same names in the same order,
    /// the same values). One difference is GDAL's own: GDAL 3.6 reads a dBASE logical field
    /// as one-letter text (`"T"`, `"F"`: `ogr2ogr -f GeoJSON` writes that too), where the
    /// Shapefile reader gives `true`/`false`; `logical` says whether to allow it.
    fn assert_same(ours: &Layer, native: &Layer, logical: bool) {
        let what = native.path.display();
        assert_eq!(ours.crs, native.crs, "{what}: CRS");
        assert_eq!(ours.features.len(), native.features.len(), "{what}");
        for (a, b) in ours.features.iter().zip(&native.features) {
            let at = format!("{what}: feature #{}", b.index);
            assert_eq!((a.index, &a.id), (b.index, &b.id), "{at}");
            assert_eq!(a.geometry, b.geometry, "{at}: geometry");
            let parse = |raw: &str| serde_json::from_str::<Map<String, Value>>(raw).unwrap();
            let (pa, pb) = (parse(a.properties.raw()), parse(b.properties.raw()));
            let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&pa), keys(&pb), "{at}: field names");
            for (k, v) in &pb {
                match (v, &pa[k]) {
                    (Value::Bool(t), Value::String(s)) if logical => {
                        let letter = if *t { ["T", "Y"] } else { ["F", "N"] };
                        assert!(letter.contains(&s.to_uppercase().as_str()), "{at}: {k}");
                    }
                    (Value::Number(x), Value::Number(y)) => {
                        assert_eq!(x.as_f64(), y.as_f64(), "{at}: field {k}")
                    }
                    (v, ours) => assert_eq!(ours, v, "{at}: field {k}"),
                }
            }
        }
    }

    fn options(id: &str) -> ReadOptions {
        ReadOptions::default().with_id_fields([id])
    }

    #[test]
    fn the_demo_shapefiles_through_gdal_are_the_shapefile_readers_layers() {
        for name in DEMO_LAYERS {
            let path = demo().join(format!("{name}.shp"));
            let native = read_layer(&path, &options(id_field(name, true))).unwrap();
            let gdal = options(id_field(name, true)).with_format(Format::Gdal);
            let through = read_layer(&path, &gdal).unwrap();
            assert_same(&through.layer, &native.layer, true);
            assert!(through.skipped.is_empty());
        }
    }

    #[test]
    fn the_demo_geojson_through_gdal_is_the_geojson_readers_layers() {
        let mut read = 0;
        for entry in std::fs::read_dir(demo()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("geojson") {
                continue;
            }
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let id = id_field(&name, false);
            let Ok(native) = read_layer(&path, &options(id)) else {
                continue;
            };
            let through = read_layer(&path, &options(id).with_format(Format::Gdal)).unwrap();
            assert_same(&through.layer, &native.layer, false);
            read += 1;
        }
        assert!(read >= 8, "only {read} demo GeoJSON layers read");
    }

    #[test]
    fn the_demo_geodatabase_holds_the_shapefiles_layers() {
        let gdb = fixtures().join("demo.gdb");
        for name in DEMO_LAYERS {
            let shp = demo().join(format!("{name}.shp"));
            let id = id_field(name, true);
            let native = read_layer(&shp, &options(id)).unwrap();
            let through = read_layer(&gdb, &options(id).with_layer(name)).unwrap();
            assert_same(&through.layer, &native.layer, true);
            // Messages name the layer inside the geodatabase.
            assert_eq!(through.layer.path, gdb.join(name));
        }
    }

    /// Every kind of field as GDAL's own GeoJSON export of the layer has it (the oracle
    /// written by `ogr2ogr -f GeoJSON` in make.sh): names in order, values, nulls, dates.
    #[test]
    fn the_kinds_layer_is_gdals_geojson_export() {
        let gdb = fixtures().join("demo.gdb");
        let read = read_layer(&gdb, &options("统计用区划代码").with_layer("kinds")).unwrap();
        let text = std::fs::read_to_string(fixtures().join("kinds.gdal.geojson")).unwrap();
        let oracle: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read.layer.crs, Crs::CGCS2000);
        let features = oracle["features"].as_array().unwrap();
        assert_eq!(read.layer.features.len(), features.len());
        for (f, o) in read.layer.features.iter().zip(features) {
            let ours: Map<String, Value> = serde_json::from_str(f.properties.raw()).unwrap();
            let theirs = o["properties"].as_object().unwrap();
            assert_eq!(
                ours.keys().collect::<Vec<_>>(),
                theirs.keys().collect::<Vec<_>>()
            );
            for (k, v) in theirs {
                match (v.as_f64(), ours[k].as_f64()) {
                    (Some(a), Some(b)) => assert_eq!(a, b, "feature {} field {k}", f.index),
                    _ => assert_eq!(&ours[k], v, "feature {} field {k}", f.index),
                }
            }
            // GDAL's export gives each polygon as a MultiPolygon: a one-part one is read as
            // the Polygon the Shapefile reader reads for the same shape.
            let parts = o["geometry"]["coordinates"].as_array().unwrap();
            let polygons: Vec<&geo::Polygon<f64>> = match &f.geometry {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(m) => m.0.iter().collect(),
                other => panic!("{other:?}"),
            };
            assert_eq!(polygons.len(), parts.len(), "feature {}", f.index);
            assert_eq!(
                matches!(f.geometry, Geometry::Polygon(_)),
                parts.len() == 1,
                "feature {}",
                f.index
            );
            for (p, part) in polygons.iter().zip(parts) {
                let rings: Vec<&geo::LineString<f64>> =
                    std::iter::once(p.exterior()).chain(p.interiors()).collect();
                let theirs = part.as_array().unwrap();
                assert_eq!(rings.len(), theirs.len());
                for (k, (r, t)) in rings.iter().zip(theirs).enumerate() {
                    let mut t: Vec<(f64, f64)> = t
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                        .collect();
                    let r: Vec<(f64, f64)> = r.0.iter().map(|c| (c.x, c.y)).collect();
                    // GDAL gives the rings as the File Geodatabase stores them (Esri's
                    // orientation: outer clockwise); hecun turns them as RFC 7946 does
                    // (outer counter-clockwise, holes clockwise), as its Shapefile reader.
                    let twice_area = |ring: &[(f64, f64)]| -> f64 {
                        ring.windows(2)
                            .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
                            .sum()
                    };
                    assert!((twice_area(&r) > 0.0) == (k == 0), "feature {}", f.index);
                    if (twice_area(&t) > 0.0) != (k == 0) {
                        t.reverse();
                    }
                    assert_eq!(r.len(), t.len());
                    for (a, b) in r.iter().zip(&t) {
                        assert!(
                            (a.0 - b.0).abs() <= 1e-9 && (a.1 - b.1).abs() <= 1e-9,
                            "feature {}: {a:?} vs GDAL's {b:?}",
                            f.index
                        );
                    }
                }
            }
        }
        // The nulls GDAL has are nulls (not 0 or ""), and its dates its ISO text.
        let p = &read.layer.features[1].properties;
        assert!(p.get("户数").unwrap().is_null());
        let p = &read.layer.features[0].properties;
        assert_eq!(p.get("调查日期").unwrap(), "2021-05-06T00:00:00Z");
    }

    #[test]
    fn a_geodatabase_of_several_layers_needs_the_layer_named() {
        let gdb = fixtures().join("demo.gdb");
        let err = read_layer(&gdb, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("demo.gdb")
                && err.contains("\"villages\"")
                && err.contains("\"kinds\"")
                && err.contains("layer = \"NAME\""),
            "{err}"
        );
        let err = read_layer(&gdb, &ReadOptions::default().with_layer("村庄"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("demo.gdb") && err.contains("no layer \"村庄\""),
            "{err}"
        );
    }

    #[test]
    fn a_stated_crs_that_disagrees_is_an_error() {
        let gdb = fixtures().join("demo.gdb");
        let options = options("编号")
            .with_layer("roads")
            .with_declared_crs(Crs::WGS84);
        let err = read_layer(&gdb, &options).unwrap_err().to_string();
        assert!(
            err.contains("roads") && err.contains("EPSG:4547") && err.contains("EPSG:4326"),
            "{err}"
        );
        // The same CRS stated is fine.
        let options = options.with_declared_crs("EPSG:4547".parse().unwrap());
        assert!(read_layer(&gdb, &options).is_ok());
    }

    /// A source naming no CRS (a CSV of WKT) is refused naming the file, or read in the CRS
    /// the plan states; ids given twice and bad geometry are errors naming the feature, as
    /// from every reader.
    #[test]
    fn a_csv_without_crs_and_bad_features() {
        let tmp = tempfile::tempdir().unwrap();
        let csv = tmp.path().join("村庄.csv");
        std::fs::write(
            &csv,
            "WKT,编号,名称\n\
             \"POLYGON ((113.6 34.7,113.7 34.7,113.7 34.8,113.6 34.7))\",A,甲\n\
             \"POINT (113.65 34.75)\",B,乙\n",
        )
        .unwrap();
        let err = read_layer(&csv, &options("编号")).unwrap_err().to_string();
        assert!(
            err.contains("村庄.csv") && err.contains("names no CRS"),
            "{err}"
        );
        let stated = options("编号").with_declared_crs(Crs::WGS84);
        let read = read_layer(&csv, &stated).unwrap();
        assert_eq!(read.layer.features.len(), 2);
        assert_eq!(read.layer.features[1].id.as_deref(), Some("B"));
        assert_eq!(
            read.layer.features[0].properties.raw(),
            r#"{"WKT":"POLYGON ((113.6 34.7,113.7 34.7,113.7 34.8,113.6 34.7))","编号":"A","名称":"甲"}"#
        );

        std::fs::write(
            &csv,
            "WKT,编号\n\"POINT (113.65 34.75)\",A\n\"POINT (113.66 34.75)\",A\n",
        )
        .unwrap();
        let err = read_layer(&csv, &stated).unwrap_err().to_string();
        assert!(
            err.contains("村庄.csv") && err.contains("feature #1") && err.contains("\"A\""),
            "{err}"
        );

        // An open ring is refused (GDAL would hand it over as it is).
        std::fs::write(
            &csv,
            "WKT,编号\n\"POLYGON ((113.6 34.7,113.7 34.7,113.7 34.8,113.6 34.75))\",A\n\
             \"POINT (113.65 34.75)\",B\n\"POINT (500 34.75)\",C\n",
        )
        .unwrap();
        let err = read_layer(&csv, &stated).unwrap_err().to_string();
        assert!(
            err.contains("村庄.csv") && err.contains("feature #0") && err.contains("geometry"),
            "{err}"
        );
        let keep_going = stated.with_keep_going(true);
        let read = read_layer(&csv, &keep_going).unwrap();
        assert_eq!(read.layer.features.len(), 1);
        assert_eq!(read.skipped.len(), 2);
        assert!(
            read.skipped[1]
                .to_string()
                .contains("feature #2 (id \"C\")"),
            "{}",
            read.skipped[1]
        );
    }

    #[test]
    fn a_folder_gdal_cannot_read_is_an_error_naming_it() {
        let tmp = tempfile::tempdir().unwrap();
        let gdb = tmp.path().join("空.gdb");
        std::fs::create_dir(&gdb).unwrap();
        std::fs::write(gdb.join("a00000001.gdbtable"), b"not a table").unwrap();
        let err = read_layer(&gdb, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("空.gdb") && err.contains("GDAL"), "{err}");
        let err = read_layer(&tmp.path().join("无.gdb"), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("无.gdb"), "{err}");
    }
}
