//! Issue 15: a region far larger than the demo, made by the demo's own generator at county
//! scale (`gen-demo --scale county`: 9 counties, 144 townships, above the report's large form
//! of 5,000 villages), runs through `hecun run` with the demo plan's plugins, with no warning,
//! and writes its report.

use std::time::Duration;

use hecun_gis_data::{Params, Scale};
use serde_json::Value;

use crate::common::{csv_rows, hecun_watched, repo, stderr};

#[test]
fn a_county_scale_region_runs_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let params = Params::of(Scale::County, None);
    let plugins = repo().join("plugins");
    hecun_gis_data::generate_at(tmp.path(), params, hecun_gis_data::SEED, &plugins).unwrap();

    // A debug build on a shared machine: generous, but a hang still fails.
    let (o, _) = hecun_watched(
        &["run", "plan.toml", "--out", "out"],
        tmp.path(),
        Duration::from_secs(600),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));

    let out = tmp.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("</html>"), "report.html is whole");
    assert!(out.join("summary.txt").is_file());

    // Every village read, and about a third of them in a demolition zone, as in the demo.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let affected = csv_rows(&out.join("affected_villages.csv")).len();
    assert_eq!(
        report["totals"]["affected"]["villages"].as_u64(),
        Some(affected as u64)
    );
    let share = affected as f64 / params.villages as f64;
    assert!(
        (0.2..0.5).contains(&share),
        "{affected} of {} affected",
        params.villages
    );

    // Every community has its launch verdict.
    let villages: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("villages.geojson")).unwrap(),
    )
    .unwrap();
    let communities: std::collections::BTreeSet<&str> = villages["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["社区"].as_str().unwrap())
        .collect();
    let checks = csv_rows(&out.join("launch_checks.csv"));
    assert_eq!(checks.len(), communities.len());
}
