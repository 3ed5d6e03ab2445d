//! The GeoPackage reader against GDAL: fixtures written by `ogr2ogr -f GPKG` and GDAL's own
//! GeoJSON export of each layer (`core/tests/fixtures/gpkg/make.sh` regenerates both), read
//! back field by field and coordinate by coordinate; the choice of a layer; and damaged or
//! foreign files, each an error naming the file, layer and feature, never a panic.

use std::path::{Path, PathBuf};

use hecun::{Crs, Error, ReadOptions, read_layer};
use rusqlite::Connection;
use serde_json::Value;

use crate::shapefile::assert_like_gdal;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gpkg")
}

fn oracle(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixtures().join(name)).unwrap()).unwrap()
}

fn fixture(name: &str, options: &ReadOptions) -> Result<hecun::ReadOutcome, Error> {
    read_layer(&fixtures().join(name), options)
}

/// A copy of fixture `name` in a temporary folder, changed by `sql`.
fn altered(name: &str, sql: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixtures().join(name), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    // GDAL's triggers keep its spatial index with functions of its own (ST_IsEmpty…),
    // which plain SQLite has not: they go, as the reader never reads the index.
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\""))
            .unwrap();
    }
    conn.execute_batch(sql).unwrap();
    drop(conn);
    (dir, path)
}

#[test]
fn one_layer_reads_as_gdal_reads_it_without_a_name() {
    // villages.gpkg has one feature table and an attributes table (codes): no name needed.
    let read = fixture(
        "villages.gpkg",
        &ReadOptions::default().with_id_fields(["统计用区划代码"]),
    )
    .unwrap();
    assert_like_gdal(&read.layer, &oracle("villages.gdal.geojson"));
    assert_eq!(read.layer.crs, "EPSG:4547".parse::<Crs>().unwrap());
    assert_eq!(read.layer.features[0].id.as_deref(), Some("410122101201"));
    // Column order is the table's, the fid left out (GDAL's export leaves it out too).
    let raw = read.layer.features[0].properties.raw();
    assert!(raw.starts_with("{\"统计用区划代码\":"), "{raw}");
    assert!(!raw.contains("\"fid\""), "{raw}");
}

#[test]
fn a_named_layer_of_several_with_z_and_m_read_as_2d() {
    for (layer, oracle_name) in [
        ("村界", "county_villages.gdal.geojson"),
        ("roads", "county_roads.gdal.geojson"),
        ("sites", "county_sites.gdal.geojson"),
    ] {
        let read = fixture("county.gpkg", &ReadOptions::default().with_layer(layer)).unwrap();
        assert_like_gdal(&read.layer, &oracle(oracle_name));
        assert_eq!(read.layer.crs.code(), 4490, "{layer}");
    }
    // SQLite's names ignore case: so does the choice, when only one table matches.
    let read = fixture("county.gpkg", &ReadOptions::default().with_layer("ROADS")).unwrap();
    assert_like_gdal(&read.layer, &oracle("county_roads.gdal.geojson"));
    // An attributes table is read when named (a table keyed by id).
    let read = fixture(
        "villages.gpkg",
        &ReadOptions::default()
            .with_layer("codes")
            .with_id_fields(["code"])
            .with_attributes_only(true),
    )
    .unwrap();
    assert_eq!(read.layer.features.len(), 1);
    assert_eq!(read.layer.features[0].id.as_deref(), Some("1"));
}

#[test]
fn several_layers_without_a_name_or_a_missing_one_list_them() {
    let err = fixture("county.gpkg", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("county.gpkg")
            && err.contains("3 layers")
            && err.contains("\"村界\"")
            && err.contains("\"roads\"")
            && err.contains("\"sites\"")
            && err.contains("layer = "),
        "{err}"
    );
    let err = fixture(
        "county.gpkg",
        &ReadOptions::default().with_layer("farmland"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("county.gpkg")
            && err.contains("no layer \"farmland\"")
            && err.contains("\"roads\""),
        "{err}"
    );
    // A layer name for a format with one layer is refused, not ignored.
    let shp = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/shapefile/utf8_cm114/villages.shp");
    let err = read_layer(&shp, &ReadOptions::default().with_layer("x"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("layer = \"x\""), "{err}");
}

#[test]
fn the_crs_must_agree_with_the_plan_and_be_known() {
    let err = fixture(
        "villages.gpkg",
        &ReadOptions::default().with_declared_crs(Crs::WGS84),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("villages.gpkg") && err.contains("EPSG:4547") && err.contains("EPSG:4326"),
        "{err}"
    );
    // The same one stated is fine.
    fixture(
        "villages.gpkg",
        &ReadOptions::default().with_declared_crs("EPSG:4547".parse().unwrap()),
    )
    .unwrap();
    // A CRS of another organisation: named, not guessed.
    let (_dir, path) = altered(
        "villages.gpkg",
        "UPDATE gpkg_spatial_ref_sys SET organization = 'ESRI', organization_coordsys_id = 102100, \
         srs_name = 'My local grid' WHERE srs_id = 4547",
    );
    let err = read_layer(&path, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("villages.gpkg")
            && err.contains("layer \"villages\"")
            && err.contains("My local grid")
            && err.contains("ESRI:102100"),
        "{err}"
    );
    // An undefined SRS (0) is read in the default CRS, as a file naming none.
    let (_dir, path) = altered(
        "county.gpkg",
        "UPDATE gpkg_geometry_columns SET srs_id = 0 WHERE table_name = 'sites'; \
         UPDATE gpkg_contents SET srs_id = 0 WHERE table_name = 'sites';",
    );
    // The blobs still say 4490: a contradiction, named.
    let err = read_layer(&path, &ReadOptions::default().with_layer("sites"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("srs_id 4490") && err.contains("fid 1") && err.contains("layer \"sites\""),
        "{err}"
    );
}

#[test]
fn damaged_and_foreign_files_are_errors_naming_file_layer_and_fid() {
    let dir = tempfile::tempdir().unwrap();
    // Not SQLite at all.
    let fake = dir.path().join("fake.gpkg");
    std::fs::write(&fake, b"{\"type\":\"FeatureCollection\",\"features\":[]}").unwrap();
    let err = read_layer(&fake, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("fake.gpkg") && err.contains("not a GeoPackage"),
        "{err}"
    );
    // SQLite, but not a GeoPackage.
    let plain = dir.path().join("plain.gpkg");
    Connection::open(&plain)
        .unwrap()
        .execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    let err = read_layer(&plain, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("plain.gpkg") && err.contains("gpkg_contents"),
        "{err}"
    );
    // A cut file.
    let bytes = std::fs::read(fixtures().join("villages.gpkg")).unwrap();
    let cut = dir.path().join("cut.gpkg");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let err = read_layer(&cut, &ReadOptions::default());
    assert!(err.is_err(), "a third of a GeoPackage read");
    assert!(err.unwrap_err().to_string().contains("cut.gpkg"));
    // A damaged geometry blob: the WKB cut short.
    let (_d, path) = altered(
        "villages.gpkg",
        "UPDATE villages SET geom = substr(geom, 1, length(geom) - 9) WHERE fid = 2",
    );
    let err = read_layer(
        &path,
        &ReadOptions::default().with_id_fields(["统计用区划代码"]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("villages.gpkg")
            && err.contains("fid 2")
            && err.contains("layer \"villages\"")
            && err.contains("geometry")
            && err.contains("damaged"),
        "{err}"
    );
    // keep_going skips it with the same error.
    let read = read_layer(&path, &ReadOptions::default().with_keep_going(true)).unwrap();
    assert_eq!(read.skipped.len(), 1);
    assert!(read.skipped[0].to_string().contains("fid 2"));
    // Not a blob, a null geometry, text in a number column.
    for (sql, words) in [
        ("UPDATE villages SET geom = 'x' WHERE fid = 1", "text value"),
        (
            "UPDATE villages SET geom = NULL WHERE fid = 1",
            "no geometry",
        ),
        (
            "UPDATE villages SET \"户数\" = 'many' WHERE fid = 1",
            "\"many\"",
        ),
        (
            "UPDATE villages SET geom = x'4750000100000000' WHERE fid = 1",
            "srs_id 0",
        ),
    ] {
        let (_d, path) = altered("villages.gpkg", sql);
        let err = read_layer(&path, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("villages.gpkg") && err.contains("fid 1") && err.contains(words),
            "{sql}: {err}"
        );
    }
    // Every byte of a blob changed in turn: an error or a geometry, never a panic.
    let conn = Connection::open(fixtures().join("villages.gpkg")).unwrap();
    let blob: Vec<u8> = conn
        .query_row("SELECT geom FROM villages WHERE fid = 1", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let (_d, path) = altered("villages.gpkg", "");
    let conn = Connection::open(&path).unwrap();
    for i in 0..blob.len().min(120) {
        let mut bad = blob.clone();
        bad[i] ^= 0xFF;
        conn.execute("UPDATE villages SET geom = ?1 WHERE fid = 1", [&bad])
            .unwrap();
        let _ = read_layer(&path, &ReadOptions::default());
    }
}

#[test]
fn plan_layer_and_format_names() {
    assert_eq!(
        "gpkg".parse::<hecun::Format>().unwrap(),
        hecun::Format::GeoPackage
    );
    assert_eq!(
        "GeoPackage".parse::<hecun::Format>().unwrap(),
        hecun::Format::GeoPackage
    );
    assert_eq!(
        hecun::Format::of_path(Path::new("a/县.GPKG")),
        hecun::Format::GeoPackage
    );
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "name = \"t\"\n[layers.villages]\npath = {:?}\nlayer = \"村界\"\n\
             fields = {{ id = \"统计用区划代码\" }}\n[layers.roads]\npath = {:?}\nlayer = \"roads\"\n\
             [zones.widths]\n\"环线\" = 100\n",
            fixtures().join("county.gpkg"),
            fixtures().join("county.gpkg")
        ),
    )
    .unwrap();
    let plan = hecun::Plan::load(&plan).unwrap();
    assert_eq!(
        plan.affected.villages.settings.layer.as_deref(),
        Some("村界")
    );
    let read = plan.affected.villages.read(Crs::WGS84, false).unwrap();
    assert_eq!(read.layer.features.len(), 3);
}
