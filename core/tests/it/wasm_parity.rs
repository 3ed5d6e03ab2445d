//! Every shipped rule written twice — in Rhai and as WebAssembly (`plugins/<name>/wasm`) —
//! gives the same answers on the same data: the jobs' output files are compared byte for
//! byte (scores to the bit, terms, exclusions, verdicts, findings and their evidence).
//!
//! The WebAssembly modules are built from their sources (once per test executable, by
//! `common::build_modules`) with
//! `cargo build --release --target wasm32-unknown-unknown --manifest-path plugins/Cargo.toml`
//! and copied into their plugins' folders, as `plugins/build-wasm.sh` does; the target comes
//! with `rustup target add wasm32-unknown-unknown`.

use std::path::PathBuf;

use hecun::Plan;

use crate::common::{self, build_modules, repo};
use hecun::jobs::{LaunchRun, SiteScoreRun, StandardRun, TargetInputs, TargetRun, score_cells};
use hecun::rules::Plugin;

fn pair(name: &str) -> (PathBuf, PathBuf) {
    build_modules();
    let rhai = repo().join("plugins").join(name);
    (rhai.clone(), rhai.join("wasm"))
}

fn demo() -> Plan {
    Plan::load(&repo().join("gis-data/demo/plan.toml")).unwrap()
}

fn reference() -> Plan {
    common::reference_plan()
}

#[test]
fn both_runtimes_are_the_same_plugin_to_the_engine() {
    for name in [
        "launch-criteria",
        "site-score",
        "planning-standard",
        "grid-suitability",
        "rehab-funding",
        "signing-rate",
        "rehab-siting",
        "centres-per-district",
        "rehab-demand",
    ] {
        let (rhai, wasm) = pair(name);
        let (a, b) = (Plugin::load(&rhai).unwrap(), Plugin::load(&wasm).unwrap());
        assert_eq!(a.manifest().kind, b.manifest().kind, "{name}");
        // The same criteria and titles: a report reads the same whichever runtime ran.
        assert_eq!(a.manifest().criteria, b.manifest().criteria, "{name}");
        assert_eq!(a.manifest().terms, b.manifest().terms, "{name}");
        assert_eq!(a.manifest().evidence, b.manifest().evidence, "{name}");
        assert_eq!(a.manifest().columns, b.manifest().columns, "{name}");
        assert_eq!(a.manifest().params, b.manifest().params, "{name}");
        assert_eq!(a.manifest().targets, b.manifest().targets, "{name}");
        // The same cases, passed by both.
        for (plugin, which) in [(&a, "rhai"), (&b, "wasm")] {
            for (case, outcome) in plugin.run_tests() {
                assert!(outcome.is_ok(), "{name} ({which}): {case}: {outcome:?}");
            }
        }
    }
}

#[test]
fn site_scores_agree_byte_for_byte() {
    let (rhai, wasm) = pair("site-score");
    for plan in [demo(), reference()] {
        let run = plan.affected.run(&|_| {}).unwrap();
        let a = SiteScoreRun::run(&plan, &run, &rhai, 2, true).unwrap();
        let b = SiteScoreRun::run(&plan, &run, &wasm, 2, true).unwrap();
        assert!(a.csv() == b.csv(), "sites_scored.csv differs");
        assert!(a.json() == b.json(), "site_scores.json differs");
        assert!(
            a.geojson().unwrap() == b.geojson().unwrap(),
            "sites_scored.geojson differs"
        );
    }
}

#[test]
fn rehab_centre_siting_agrees_byte_for_byte() {
    // The named scoring job of plan-rehab-siting.toml over the buildings layer, with the
    // aggregate helpers and a quota per district: the same files from either runtime.
    let (rhai, wasm) = pair("rehab-siting");
    let plan = Plan::load(&repo().join("gis-data/demo/plan-rehab-siting.toml")).unwrap();
    let run = plan.affected.run(&|_| {}).unwrap();
    let job = plan.scorings[0].clone();
    let mut wasm_job = job.clone();
    wasm_job.scoring.plugin = wasm;
    assert_eq!(
        job.scoring.plugin.canonicalize().unwrap(),
        rhai.canonicalize().unwrap()
    );
    let a = SiteScoreRun::run_job(&plan, &run, &job, true).unwrap();
    let b = SiteScoreRun::run_job(&plan, &run, &wasm_job, true).unwrap();
    assert!(a.csv() == b.csv(), "rehab-centres_scored.csv differs");
    assert!(a.json() == b.json(), "rehab-centres_scores.json differs");
    assert!(
        a.geojson().unwrap() == b.geojson().unwrap(),
        "rehab-centres_scored.geojson differs"
    );
    // Some buildings are excluded and some chosen, so the agreement means something.
    let chosen = a.ranks.iter().filter(|r| r.chosen).count();
    let excluded = a
        .scores
        .iter()
        .filter(
            |s| matches!(s, Ok(s) if matches!(s.outcome, hecun::rules::Outcome::Excluded { .. })),
        )
        .count();
    assert!(
        chosen > 0 && excluded > 0,
        "{chosen} chosen, {excluded} excluded"
    );
}

#[test]
fn rehab_centre_targets_agree_byte_for_byte() {
    // plan-targets.toml: the siting job, then the centres-per-district targets over its
    // chosen buildings, from either runtime: the same target files in both languages.
    let (rhai, wasm) = pair("centres-per-district");
    let plan = Plan::load(&repo().join("gis-data/demo/plan-targets.toml")).unwrap();
    assert_eq!(
        plan.targets[0].plugin.canonicalize().unwrap(),
        rhai.canonicalize().unwrap()
    );
    let run = plan.affected.run(&|_| {}).unwrap();
    let scorings = [SiteScoreRun::run_job(&plan, &run, &plan.scorings[0], true).unwrap()];
    let inputs = TargetInputs {
        scorings: &scorings,
        ..TargetInputs::new(&run)
    };
    let mut spec = plan.targets[0].clone();
    let a = TargetRun::run(&plan, &spec, &inputs).unwrap();
    spec.plugin = wasm;
    let b = TargetRun::run(&plan, &spec, &inputs).unwrap();
    assert_eq!(a.check.error, None);
    assert_eq!(b.check.error, None);
    for tag in ["zh-CN", "en"] {
        assert!(
            a.check.csv(tag) == b.check.csv(tag),
            "targets/centres.csv ({tag})"
        );
    }
    assert_eq!(a.check.json(), b.check.json(), "targets/centres.json");
    assert_eq!(a.check.targets.len(), 2);
}

#[test]
fn launch_checks_agree_byte_for_byte() {
    let (rhai, wasm) = pair("launch-criteria");
    for plan in [demo(), reference()] {
        let a = LaunchRun::run(&plan, &rhai).unwrap();
        let b = LaunchRun::run(&plan, &wasm).unwrap();
        assert!(
            hecun::jobs::launch_json(&a.communities, &a.verdicts)
                == hecun::jobs::launch_json(&b.communities, &b.verdicts),
            "launch_checks.json differs"
        );
        assert!(a.geojson().unwrap() == b.geojson().unwrap());
    }
}

#[test]
fn signing_rate_checks_agree_byte_for_byte() {
    let (rhai, wasm) = pair("signing-rate");
    let plan = Plan::load(&repo().join("gis-data/demo/plan-signing.toml")).unwrap();
    let a = LaunchRun::run(&plan, &rhai).unwrap();
    let b = LaunchRun::run(&plan, &wasm).unwrap();
    let json = |r: &LaunchRun| hecun::jobs::launch_json(&r.communities, &r.verdicts);
    assert!(json(&a) == json(&b), "launch_checks.json differs");
    assert!(a.geojson().unwrap() == b.geojson().unwrap());
    // Both pass some communities and fail others on the demo, so the agreement means something.
    let statuses: std::collections::BTreeSet<String> = a
        .verdicts
        .iter()
        .map(|v| format!("{:?}", v.as_ref().unwrap().status))
        .collect();
    assert!(statuses.len() >= 2, "{statuses:?}");
    // Villages with missing or unreadable values, said alike by both.
    let (rhai, wasm) = (Plugin::load(&rhai).unwrap(), Plugin::load(&wasm).unwrap());
    let input = serde_json::json!({
        "id": "S1",
        "villages": [
            { "id": "v1", "name": "甲村", "户数": 100, "forced_demolition": false },
            { "id": "v2", "name": "乙村", "户数": "多", "签约户数": 3, "forced_demolition": false },
            { "id": "v3", "name": "丙村", "户数": 10.5, "签约户数": 11, "forced_demolition": false },
            { "id": "v4", "name": "丁村", "签约户数": null, "户数": 5, "forced_demolition": false },
        ],
    });
    let a = rhai.check("S1", &input).unwrap();
    let b = wasm.check("S1", &input).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.findings.len(), 4, "{a:?}");
    assert!(
        a.findings[0].reason.contains("甲村（v1）缺少签约户数"),
        "{a:?}"
    );
}

#[test]
fn unreadable_and_missing_launch_fields_are_said_alike() {
    // Values the host could not read reach the plugin as written (with `keep_going`); both
    // runtimes must name them, and the host's veto guard must treat both the same.
    let (rhai, wasm) = pair("launch-criteria");
    let (rhai, wasm) = (Plugin::load(&rhai).unwrap(), Plugin::load(&wasm).unwrap());
    let input = serde_json::json!({
        "id": "S1",
        "township": "T",
        "villages": [
            { "id": "v1", "name": "甲村", "plan_approved": "maybe", "new_homestead_approved": 2,
              "land_legal": 1.5, "infra_started": [true], "resettlement_started": true,
              "forced_demolition": "x" },
            { "id": "v2", "name": "乙村", "plan_approved": true, "new_homestead_approved": false,
              "new_construction": false, "land_legal": true, "infra_started": true,
              "resettlement_started": true },
        ],
    });
    let a = hecun::rules::guard_veto(&input, rhai.check("S1", &input).unwrap());
    let b = hecun::rules::guard_veto(&input, wasm.check("S1", &input).unwrap());
    assert_eq!(a, b);
    let reasons: Vec<&str> = a.findings.iter().map(|f| f.reason.as_str()).collect();
    for shown in ["maybe", "2", "1.5", "[true]"] {
        assert!(
            reasons
                .iter()
                .any(|r| r.contains(shown) && r.contains("无法识别")),
            "{shown} in {reasons:?}"
        );
    }
    assert!(
        reasons.iter().any(|r| r.contains("字段缺失")),
        "{reasons:?}"
    );
    // Neither village can be cleared of forced demolition: one guard finding each.
    let unknown: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.criterion == hecun::rules::VETO_UNKNOWN)
        .map(|f| f.evidence["village"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, ["v1", "v2"]);
    assert_eq!(a.status, hecun::rules::Status::Fail);
}

#[test]
fn planning_standards_agree_byte_for_byte() {
    let (rhai, wasm) = pair("planning-standard");
    let plan = demo();
    let run = plan.affected.run(&|_| {}).unwrap();
    let a = StandardRun::run(&plan, &run, &rhai).unwrap();
    let b = StandardRun::run(&plan, &run, &wasm).unwrap();
    assert!(a.csv() == b.csv(), "standards.csv differs");
    assert!(a.json() == b.json(), "standards.json differs");
}

#[test]
fn grid_scores_agree_to_the_bit() {
    let (rhai, wasm) = pair("grid-suitability");
    let d = repo().join("tests/data/reference-city");
    let spec = hecun::jobs::GridSpec::load(&d.join("grid.json")).unwrap();
    let plan = reference();
    let run = plan.affected.run(&|_| {}).unwrap();
    let roads: Vec<geo::Geometry<f64>> = run
        .sources
        .iter()
        .filter(|s| s.layer == "roads")
        .map(|s| s.geometry.clone())
        .collect();
    let corridors: Vec<geo::MultiPolygon<f64>> = run
        .sources
        .iter()
        .filter(|s| s.layer == "corridors")
        .map(|s| hecun::internals::polygons(&s.geometry))
        .collect();
    let features = hecun::grid_features(&spec.grid, &roads, &corridors);
    let a = score_cells(&features, &Plugin::load(&rhai).unwrap()).unwrap();
    let b = score_cells(&features, &Plugin::load(&wasm).unwrap()).unwrap();
    assert_eq!(a.len(), b.len());
    let bits = |v: &[Option<f64>]| v.iter().map(|s| s.map(f64::to_bits)).collect::<Vec<_>>();
    assert!(bits(&a) == bits(&b), "grid scores differ");
    assert!(a.iter().any(Option::is_none) && a.iter().any(Option::is_some));
}

/// The error of a candidate the rule fails on, in words that do not depend on the runtime:
/// Rhai names the script line besides (`, script line N` and the position), which a compiled
/// module cannot.
fn runtime_neutral(error: &str) -> String {
    let mut text = error.to_owned();
    if let Some(at) = text.find(", script line ") {
        let end = text[at..].find(':').map_or(text.len(), |i| at + i);
        text.replace_range(at..end, "");
    }
    if let Some(at) = text.rfind(" (line ") {
        text.truncate(at);
    }
    text
}

#[test]
fn a_failing_candidate_is_named_in_the_same_words_by_both_runtimes() {
    use hecun::jobs::GRID_FEATURES;
    use hecun::rules::{Candidate, Value};
    let (rhai, wasm) = pair("grid-suitability");
    let (a, b) = (Plugin::load(&rhai).unwrap(), Plugin::load(&wasm).unwrap());
    let names: std::sync::Arc<[String]> = GRID_FEATURES.map(str::to_owned).into();
    for (id, values) in [
        ("no-distance", [Value::Missing, Value::Bool(false)]),
        ("no-flag", [Value::Float(5.0), Value::Missing]),
        ("words", [Value::Text("far".into()), Value::Bool(false)]),
    ] {
        let cell = Candidate::new(id, names.clone(), values.to_vec());
        let (ea, eb) = (
            a.score(&cell, false).unwrap_err().to_string(),
            b.score(&cell, false).unwrap_err().to_string(),
        );
        let named = format!("plugin \"grid-suitability\", candidate \"{id}\"");
        assert!(
            ea.starts_with(&named) && eb.starts_with(&named),
            "{ea}\n{eb}"
        );
        assert_eq!(runtime_neutral(&ea), runtime_neutral(&eb));
    }
}

/// Every reason of the shipped rules is a message (`[messages]`) filled by hecun in both
/// languages, and the Rhai rule and its WebAssembly twin answer the same message with the same
/// arguments: the same text in zh-CN and in en, finding by finding and exclusion by exclusion.
/// (Issue 15: "English inside the Chinese page".)
#[test]
fn reasons_read_alike_in_both_languages() {
    use hecun::rules::{Finding, Outcome};
    use std::collections::BTreeMap;
    // Both languages given, neither empty, and no text left over from the old reasons.
    fn both(reasons: &BTreeMap<String, String>, text: &str, what: &str) {
        let (zh, en) = (&reasons["zh-CN"], &reasons["en"]);
        assert!(
            !zh.trim().is_empty() && !en.trim().is_empty(),
            "{what}: {reasons:?}"
        );
        assert_eq!(text, zh, "{what}: the default reason is the zh-CN text");
        assert_ne!(zh, en, "{what}: {reasons:?}");
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut findings = |name: &'static str, a: &[&Finding], b: &[&Finding]| {
        assert_eq!(a.len(), b.len(), "{name}");
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.reasons, y.reasons, "{name}: {}", x.criterion);
            both(&x.reasons, &x.reason, name);
        }
        *seen.entry(name).or_default() += a.len();
    };
    for (name, plan) in [
        ("launch-criteria", "plan.toml"),
        ("signing-rate", "plan-signing.toml"),
    ] {
        let (rhai, wasm) = pair(name);
        let plan = Plan::load(&repo().join("gis-data/demo").join(plan)).unwrap();
        let a = LaunchRun::run(&plan, &rhai).unwrap();
        let b = LaunchRun::run(&plan, &wasm).unwrap();
        let all = |r: &LaunchRun| -> Vec<Finding> {
            r.verdicts
                .iter()
                .flat_map(|v| v.as_ref().unwrap().findings.clone())
                .collect()
        };
        let (fa, fb) = (all(&a), all(&b));
        findings(
            name,
            &fa.iter().collect::<Vec<_>>(),
            &fb.iter().collect::<Vec<_>>(),
        );
    }
    {
        let (rhai, wasm) = pair("planning-standard");
        let plan = demo();
        let run = plan.affected.run(&|_| {}).unwrap();
        let a = StandardRun::run(&plan, &run, &rhai).unwrap();
        let b = StandardRun::run(&plan, &run, &wasm).unwrap();
        let all = |r: &StandardRun| -> Vec<Finding> {
            r.verdicts
                .iter()
                .flat_map(|v| v.as_ref().unwrap().verdict.findings.clone())
                .collect()
        };
        let (fa, fb) = (all(&a), all(&b));
        findings(
            "planning-standard",
            &fa.iter().collect::<Vec<_>>(),
            &fb.iter().collect::<Vec<_>>(),
        );
    }
    let (rhai, wasm) = pair("site-score");
    let plan = demo();
    let run = plan.affected.run(&|_| {}).unwrap();
    let a = SiteScoreRun::run(&plan, &run, &rhai, 2, true).unwrap();
    let b = SiteScoreRun::run(&plan, &run, &wasm, 2, true).unwrap();
    let mut excluded = 0;
    for (x, y) in a.scores.iter().zip(&b.scores) {
        let (x, y) = (&x.as_ref().unwrap().outcome, &y.as_ref().unwrap().outcome);
        assert_eq!(x, y);
        if let Outcome::Excluded {
            reason, reasons, ..
        } = x
        {
            both(reasons, reason, "site-score");
            excluded += 1;
        }
    }
    assert!(excluded > 0);
    // Each rule found something on the demo, so the agreement means something.
    for (name, n) in &seen {
        assert!(*n > 0, "{name} found nothing on the demo");
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}
