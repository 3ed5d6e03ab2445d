//! Whole runs through GDAL (feature `gdal`) give the native readers' outputs byte for byte:
//! the demo plan with every layer read through GDAL, and the Shapefile demo's plan over a
//! File Geodatabase holding the same layers (`core/tests/fixtures/gdal/demo.gdb`, written
//! by `ogr2ogr -f OpenFileGDB`). Without the feature, a `.gdb` is refused saying how to
//! build a hecun that reads it.

use std::path::Path;

use crate::common::{hecun, repo, stderr};

/// The plan `name` of the demo with its paths made absolute (it is written elsewhere), each
/// `[layers.X]` table's `path = …` line replaced by what `path_lines(X, its path)` returns.
fn demo_plan(name: &str, path_lines: impl Fn(&str, &str) -> String) -> String {
    let demo = repo().join("gis-data/demo");
    let text = std::fs::read_to_string(demo.join(name)).unwrap();
    let plugins = format!("\"{}/", repo().join("plugins").display());
    let mut out = String::new();
    // The layer whose table this is (None: another table); rosters' paths are only made
    // absolute.
    let mut layer: Option<String> = None;
    for line in text.lines() {
        let line = line.replace("\"../../plugins/", &plugins);
        if line.starts_with('[') {
            layer = line
                .strip_prefix("[layers.")
                .map(|rest| rest.trim_end_matches(']').to_owned());
        }
        if let Some(file) = line.strip_prefix("path = \"") {
            let file = file.split('"').next().unwrap();
            let path = demo.join(file).display().to_string();
            match &layer {
                Some(layer) => out.push_str(&path_lines(layer, &path)),
                None => out.push_str(&format!("path = \"{path}\"\n")),
            }
            continue;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The Shapefile demo's plan with each layer read from the File Geodatabase `gdb` (its
/// feature class of the layer's name).
fn gdb_plan(gdb: &Path) -> String {
    demo_plan("plan-shapefile.toml", |layer, _| {
        format!("path = \"{}\"\nlayer = \"{layer}\"\n", gdb.display())
    })
}

/// Runs `plan_text` (written to `dir/file`) into `dir/out`; the output folder.
#[cfg(feature = "gdal")]
fn run(dir: &Path, file: &str, plan_text: &str, out: &str) -> std::path::PathBuf {
    std::fs::write(dir.join(file), plan_text).unwrap();
    let o = hecun(&["run", file, "--out", out, "--quiet"], dir);
    assert!(o.status.success(), "{file}: {}", stderr(&o));
    dir.join(out)
}

/// Every output file of `a` is in `b` with the same bytes (the run manifest, which records
/// the plan's hash and the input files, aside), once `b`'s text is passed through `fix`;
/// returns how many were compared.
#[cfg(feature = "gdal")]
fn assert_same_outputs(a: &Path, b: &Path, fix: impl Fn(String) -> String) -> usize {
    let mut compared = 0;
    for entry in std::fs::read_dir(a).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name == "run_manifest.json" || !path.is_file() {
            continue;
        }
        let x = std::fs::read(&path).unwrap();
        let y = std::fs::read(b.join(&name)).unwrap_or_default();
        let y = match String::from_utf8(y) {
            Ok(text) => fix(text).into_bytes(),
            Err(e) => e.into_bytes(),
        };
        assert!(x == y, "{name} differs between the two runs");
        compared += 1;
    }
    compared
}

#[cfg(feature = "gdal")]
#[test]
fn the_demo_read_through_gdal_gives_the_same_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let native = demo_plan("plan.toml", |_, path| format!("path = \"{path}\"\n"));
    let through = demo_plan("plan.toml", |_, path| {
        format!("path = \"{path}\"\nformat = \"gdal\"\n")
    });
    assert_eq!(through.matches("format = \"gdal\"").count(), 9, "{through}");
    let a = run(tmp.path(), "native.toml", &native, "a");
    let b = run(tmp.path(), "gdal.toml", &through, "b");
    let compared = assert_same_outputs(&a, &b, |text| text);
    assert!(compared >= 15, "only {compared} outputs compared");
}

#[cfg(feature = "gdal")]
#[test]
fn the_shapefile_demo_from_a_file_geodatabase_gives_the_same_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let gdb = repo().join("core/tests/fixtures/gdal/demo.gdb");
    let native = demo_plan("plan-shapefile.toml", |_, path| {
        format!("path = \"{path}\"\n")
    });
    let from_gdb = gdb_plan(&gdb);
    assert_eq!(from_gdb.matches("demo.gdb").count(), 9, "{from_gdb}");
    let a = run(tmp.path(), "native.toml", &native, "a");
    let b = run(tmp.path(), "gdb.toml", &from_gdb, "b");
    let compared = assert_same_outputs(&a, &b, |text| text);
    assert!(compared >= 15, "only {compared} outputs compared");
    // The manifest records each file of the geodatabase (a folder) by its hash.
    let manifest = std::fs::read_to_string(b.join("run_manifest.json")).unwrap();
    assert!(
        manifest.contains("\"villages/a00000001.gdbtable\""),
        "{manifest}"
    );
}

#[cfg(not(feature = "gdal"))]
#[test]
fn a_file_geodatabase_needs_a_hecun_built_with_gdal() {
    let tmp = tempfile::tempdir().unwrap();
    let gdb = repo().join("core/tests/fixtures/gdal/demo.gdb");
    let plan = gdb_plan(&gdb);
    std::fs::write(tmp.path().join("gdb.toml"), plan).unwrap();
    let o = hecun(&["run", "gdb.toml", "--out", "out"], tmp.path());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("demo.gdb") && err.contains("--features gdal"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists(), "no output on failure");
}
