//! Rosters in a plan: the demo's launch fields and communities moved from the villages'
//! GeoJSON into an Excel workbook (`plan-roster.toml`, written by the demo generator) give
//! the very same outputs as the GeoJSON demo.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::{hecun, repo, stderr};

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out
}

#[test]
fn the_demo_from_a_map_and_an_excel_roster_gives_the_geojson_demos_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = repo().join("gis-data/demo");
    let plain = demo.join("plan.toml");
    let rostered = demo.join("plan-roster.toml");
    let a = hecun(&["run", plain.to_str().unwrap(), "--out", "a"], tmp.path());
    assert!(a.status.success(), "{}", stderr(&a));
    let b = hecun(&["run", rostered.to_str().unwrap(), "--out", "b"], tmp.path());
    assert!(b.status.success(), "{}", stderr(&b));
    // Every village has its row and every row its village: nothing to warn about.
    assert_eq!(stderr(&a), stderr(&b));
    // The terminal report, less its last line (the output folder and the wall time).
    let report = |o: &std::process::Output| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 10, "{text}");
        lines[..lines.len() - 1].join("\n")
    };
    assert_eq!(report(&a), report(&b));
    let (fa, fb) = (files(&tmp.path().join("a")), files(&tmp.path().join("b")));
    assert_eq!(fa, fb);
    let mut compared = 0;
    for f in &fa {
        // The run manifest lists the inputs by path and hash: those differ by design.
        if f.to_str() == Some("run_manifest.json") {
            continue;
        }
        let x = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let y = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        assert!(x == y, "{} differs between the GeoJSON and the roster demo", f.display());
        compared += 1;
    }
    assert!(compared >= 15, "{fa:?}");
    // The roster is an input of the run, hashed as the layers are.
    let manifest = std::fs::read_to_string(tmp.path().join("b/run_manifest.json")).unwrap();
    assert!(manifest.contains("villages-roster.xlsx"), "{manifest}");
}
