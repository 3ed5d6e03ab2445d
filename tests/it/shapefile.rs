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

/// The whole demo plan over the office's data — every layer a GBK Shapefile in a
/// Gauss–Krüger zone, the launch fields and communities in an Excel roster
/// (`plan-shapefile.toml`) — gives the GeoJSON plan's files byte for byte: every table,
/// summary, report and map layer. The one difference is in `affected_villages.geojson`,
/// which carries each village's own properties: the map's `.dbf` names the code field
/// 统计用区划 (10 bytes), and the roster's key column 统计用区划代码 joins it (a number, as Excel
/// keeps typed-in codes).
#[test]
fn the_demo_over_shapefiles_and_an_excel_roster_gives_the_geojson_demos_files() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    // The builtin engine, as gen-demo projected the Shapefiles with it: PROJ (a build with
    // the `proj` feature prefers it) gives the same coordinates to a nanometre, not to the bit.
    let run = |plan: &str, out: &str| {
        let plan = demo.join(plan);
        let args = [
            "run",
            plan.to_str().unwrap(),
            "--out",
            out,
            "--crs-engine",
            "builtin",
        ];
        let o = hecun(&args, tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    let (a, b) = (run("plan.toml", "a"), run("plan-shapefile.toml", "b"));
    assert_eq!(stderr(&a), stderr(&b));
    let names = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(tmp.path().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("a"), names("b"));
    assert!(names("a").len() >= 15, "{:?}", names("a"));
    let read = |dir: &str, f: &str| std::fs::read(tmp.path().join(dir).join(f)).unwrap();
    for f in names("a") {
        match f.as_str() {
            // Inputs by path and hash: they differ by design.
            "run_manifest.json" => {}
            "affected_villages.geojson" => {
                let parse = |b: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&b).unwrap();
                let (x, y) = (parse(read("a", &f)), parse(read("b", &f)));
                let (xs, ys) = (
                    x["features"].as_array().unwrap(),
                    y["features"].as_array().unwrap(),
                );
                assert_eq!(xs.len(), ys.len());
                for (p, q) in xs.iter().zip(ys) {
                    assert_eq!(p["geometry"], q["geometry"]);
                    let mut q = q["properties"].as_object().unwrap().clone();
                    let code = q.remove("统计用区划").unwrap();
                    let typed = q.remove("统计用区划代码").unwrap();
                    assert_eq!(typed.to_string(), code.as_str().unwrap());
                    q.insert("统计用区划代码".into(), code);
                    assert_eq!(p["properties"].as_object().unwrap(), &q);
                }
            }
            // The GeoJSON layers again (tests/it/gpkg.rs checks it): each layer but the
            // affected villages, read back, is the same.
            "hecun.gpkg" => {
                let gpkg = |dir: &str| tmp.path().join(dir).join(&f);
                let mut layers = hecun::gpkg_layer_names(&gpkg("a")).unwrap();
                layers.retain(|l| l != "affected_villages");
                assert!(layers.len() >= 4, "{layers:?}");
                let none: Vec<String> = Vec::new();
                for layer in layers {
                    let options = hecun::ReadOptions::default()
                        .with_layer(layer.clone())
                        .with_id_fields(none.clone());
                    let x = hecun::read_layer(&gpkg("a"), &options).unwrap().layer;
                    let y = hecun::read_layer(&gpkg("b"), &options).unwrap().layer;
                    assert_eq!(x.features.len(), y.features.len(), "{layer}");
                    for (p, q) in x.features.iter().zip(&y.features) {
                        assert_eq!(p.geometry, q.geometry, "{layer}");
                        assert_eq!(p.properties.raw(), q.properties.raw(), "{layer}");
                    }
                }
            }
            _ => assert!(read("a", &f) == read("b", &f), "{f} differs"),
        }
    }
}
