//! The layer flags take FlatGeobuf and GeoParquet as they take GeoJSON: the demo's four
//! layers converted to each (by GDAL's ogr2ogr, and to GeoParquet with WKB and with native
//! GeoArrow geometry; core/tests/fixtures/fast/make.sh) give the GeoJSON run's outputs, byte
//! for byte.

use std::path::Path;

use crate::common::{hecun, repo, stderr};

/// `hecun affected` over the demo's four layers, each `NAME{suffix}` in `folder`.
fn affected(folder: &Path, suffix: &str, out: &Path) -> std::process::Output {
    let layer = |name: &str| folder.join(format!("{name}{suffix}")).display().to_string();
    let (villages, roads, corridors, townships) = (
        layer("villages"),
        layer("roads"),
        layer("corridors"),
        layer("townships"),
    );
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
        "id=统计用区划代码",
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
        "--out",
        &out,
        "--quiet",
    ];
    hecun(&args, &repo())
}

/// Every file of an output folder, by name.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_demo_as_flatgeobuf_and_geoparquet_gives_the_geojson_outputs_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    let fast = repo().join("core/tests/fixtures/fast/demo");
    let g = affected(&demo, ".geojson", &tmp.path().join("g"));
    assert!(g.status.success(), "{}", stderr(&g));
    let want = outputs(&tmp.path().join("g"));
    assert!(
        want.iter().any(|(n, _)| n == "affected_villages.csv"),
        "{want:?}"
    );
    for (suffix, name) in [
        (".fgb", "flatgeobuf"),
        (".parquet", "geoparquet-wkb"),
        ("_native.parquet", "geoparquet-native"),
    ] {
        let out = tmp.path().join(name);
        let o = affected(&fast, suffix, &out);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let got = outputs(&out);
        assert_eq!(
            got.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            want.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "{name}"
        );
        for ((file, a), (_, b)) in got.iter().zip(&want) {
            assert!(a == b, "{name}: {file} differs from the GeoJSON run's");
        }
    }
}

/// GDAL writes an indexed FlatGeobuf's features in the index's order: the outputs list the
/// same villages, with the same numbers, in that order.
#[test]
fn an_indexed_flatgeobuf_gives_the_same_rows_in_its_own_order() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    let fast = repo().join("core/tests/fixtures/fast/demo");
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(fast.join("villages_indexed.fgb"), dir.join("villages.fgb")).unwrap();
    for l in ["roads", "corridors", "townships"] {
        std::fs::copy(fast.join(format!("{l}.fgb")), dir.join(format!("{l}.fgb"))).unwrap();
    }
    let g = affected(&demo, ".geojson", &tmp.path().join("g"));
    assert!(g.status.success(), "{}", stderr(&g));
    let f = affected(&dir, ".fgb", &tmp.path().join("f"));
    assert!(f.status.success(), "{}", stderr(&f));
    let rows = |run: &str| {
        let text =
            std::fs::read_to_string(tmp.path().join(run).join("affected_villages.csv")).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let header = lines.remove(0);
        lines.sort();
        (header, lines)
    };
    let (want, got) = (rows("g"), rows("f"));
    assert!(!want.1.is_empty());
    assert_eq!(got, want);
    // The order does differ: the file is not the GeoJSON's order.
    let first = |run: &str| {
        std::fs::read_to_string(tmp.path().join(run).join("affected_villages.csv"))
            .unwrap()
            .lines()
            .nth(1)
            .map(str::to_owned)
    };
    assert_ne!(first("g"), first("f"));
}
