//! The layer flags take Shapefiles as they take GeoJSON: the demo's Shapefile set (GBK,
//! EPSG:4547) gives the GeoJSON demo's affected villages; a broken Shapefile is refused
//! naming the file.

use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};

/// `hecun affected` over the demo's four layers, each `NAME.EXT` in `folder`.
fn affected(folder: &Path, ext: &str, id: &str, out: &Path) -> std::process::Output {
    let layer = |name: &str| folder.join(format!("{name}.{ext}")).display().to_string();
    let (villages, roads, corridors, townships) = (
        layer("villages"),
        layer("roads"),
        layer("corridors"),
        layer("townships"),
    );
    let id_field = format!("id={id}");
    let out = out.display().to_string();
    let args = [
        "affected",
        "--villages",
        &villages,
        "--roads",
        &roads,
        "--corridors",
        &corridors,
        "--townships",
        &townships,
        "--width",
        "环线=100",
        "--width",
        "放射线=50",
        "--width",
        "快速通道=100",
        "--width",
        "一级=50",
        "--width",
        "二级=30",
        "--width",
        "三级=20",
        "--village-field",
        &id_field,
        "--village-field",
        "name=村名",
        "--village-field",
        "township=乡镇",
        "--village-field",
        "households=户数",
        "--village-field",
        "population=人口",
        "--metric-crs",
        "EPSG:4547",
        // gen-demo projected the Shapefiles with the builtin engine; PROJ (feature `proj`)
        // differs from it by far less than a millimetre, yet not by zero.
        "--crs-engine",
        "builtin",
        "--out",
        &out,
        "--quiet",
    ];
    hecun(&args, &repo())
}

#[test]
fn layer_flags_read_the_demo_shapefiles_as_the_geojson() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    let g = affected(&demo, "geojson", "统计用区划代码", &tmp.path().join("g"));
    assert!(g.status.success(), "{}", stderr(&g));
    let s = affected(&demo, "shp", "统计用区划", &tmp.path().join("s"));
    assert!(s.status.success(), "{}", stderr(&s));
    let rows = |dir: &str| csv_rows(&tmp.path().join(dir).join("affected_villages.csv"));
    let (g_rows, s_rows) = (rows("g"), rows("s"));
    assert!(!g_rows.is_empty());
    assert_eq!(g_rows, s_rows);
}

#[test]
fn a_shapefile_without_its_dbf_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    for ext in ["shp", "shx", "prj", "cpg"] {
        std::fs::copy(
            demo.join(format!("villages.{ext}")),
            tmp.path().join(format!("villages.{ext}")),
        )
        .unwrap();
    }
    let o = affected(tmp.path(), "shp", "统计用区划", &tmp.path().join("out"));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("villages.shp") && err.contains(".dbf"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists(), "no output on failure");
}
