//! `hecun score --scoring NAME`: a plan's named scoring job run alone, as `hecun run` runs it.

use std::collections::BTreeMap;

use crate::common::{hecun, repo, stderr};

fn siting_plan() -> String {
    repo()
        .join("gis-data/demo/plan-rehab-siting.toml")
        .display()
        .to_string()
}

#[test]
fn a_named_job_scores_alone_as_the_plan_run_does() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = siting_plan();
    let o = hecun(
        &["score", &plan, "--scoring", "rehab-centres", "--out", "s"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = hecun(&["run", "-q", &plan, "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "rehab-centres_scored.csv",
        "rehab-centres_scored.geojson",
        "rehab-centres_scores.json",
    ] {
        let alone = std::fs::read(tmp.path().join("s").join(f)).unwrap();
        let in_run = std::fs::read(tmp.path().join("r").join(f)).unwrap();
        assert!(alone == in_run, "{f} differs from hecun run's");
    }
    assert!(!tmp.path().join("s/sites_scored.csv").exists());
}

#[test]
fn top_replaces_the_jobs_quota() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hecun(
        &[
            "score",
            &siting_plan(),
            "--scoring",
            "rehab-centres",
            "--top",
            "1",
            "--out",
            "s",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let scores: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("s/rehab-centres_scores.json")).unwrap(),
    )
    .unwrap();
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    for e in scores.as_array().unwrap() {
        if e["chosen"] == true {
            *chosen
                .entry(e["group"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    assert!(!chosen.is_empty());
    assert!(chosen.values().all(|&n| n == 1), "{chosen:?}");
}

#[test]
fn an_unknown_job_is_an_error_listing_the_plans_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let o = hecun(
        &["score", &siting_plan(), "--scoring", "rehab", "--out", "s"],
        tmp.path(),
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("--scoring \"rehab\"") && e.contains("its [[scorings]]: rehab-centres"),
        "{e}"
    );
    assert!(!tmp.path().join("s").exists());
    let plan = repo().join("gis-data/demo/plan.toml").display().to_string();
    let o = hecun(
        &["score", &plan, "--scoring", "x", "--out", "s"],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("lists no [[scorings]]"),
        "{}",
        stderr(&o)
    );
}

/// The run manifest records how each scoring chose: `per` and `quota` as the plan gives them
/// (read here from the plan file itself), `top`; a scoring with neither records neither.
#[test]
fn the_run_manifest_records_each_scorings_per_and_quota() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = siting_plan();
    let o = hecun(&["run", "-q", &plan, "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text: toml::Table = std::fs::read_to_string(&plan).unwrap().parse().unwrap();
    let job = &text["scorings"].as_array().unwrap()[0];
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("r/run_manifest.json")).unwrap(),
    )
    .unwrap();
    let used = manifest["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "scoring:rehab-centres")
        .unwrap();
    assert_eq!(used["per"], job["per"].as_str().unwrap());
    let quota: BTreeMap<String, i64> = job["quota"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_integer().unwrap()))
        .collect();
    assert_eq!(used["quota"], serde_json::to_value(&quota).unwrap());
    // The demo's [scoring] sites: top 2 per township, no per, no quota table.
    let demo = repo().join("gis-data/demo/plan.toml").display().to_string();
    let o = hecun(&["run", "-q", &demo, "--out", "d"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("d/run_manifest.json")).unwrap(),
    )
    .unwrap();
    let used = manifest["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "sites")
        .unwrap();
    assert_eq!(used["top"], 2);
    assert!(
        used.get("per").is_none() && used.get("quota").is_none(),
        "{used}"
    );
}
