//! A later stage reads an earlier stage's results (issue 12): the demo's rehab-centre siting
//! reads the demand table its plan computes first, and a launch check reads a table too; a
//! table the plan does not run stops the run before anything is written.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{hecun, repo, stderr};

#[test]
fn the_demo_siting_plan_runs_its_demand_table_first_and_the_manifest_says_who_read_it() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan-rehab-siting.toml");
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    for f in ["tables/rehab-demand.csv", "tables/rehab-demand.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run_manifest.json")).unwrap())
            .unwrap();
    let scoring = manifest["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "scoring:rehab-centres")
        .unwrap();
    assert_eq!(
        scoring["reads"]["tables.rehab-demand"],
        serde_json::json!(["people", "township"])
    );
}

/// The demo plan without its checks and scoring, its paths absolute, with `extra` appended.
fn plan(dir: &Path, extra: &str) {
    let demo = repo().join("gis-data/demo");
    let base = demo.display().to_string().replace('\\', "/");
    let text = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
    let mut text = text.replace("path = \"", &format!("path = \"{base}/"));
    text.truncate(text.find("[checks]").unwrap());
    let plugins = repo()
        .join("plugins")
        .display()
        .to_string()
        .replace('\\', "/");
    text.push_str(&format!(
        "\n[layers.patients]\npath = \"{base}/patients.geojson\"\nfields = {{ id = \"编号\", name = \"村名\" }}\n{}",
        extra.replace("PLUGINS", &plugins)
    ));
    std::fs::write(dir.join("plan.toml"), text).unwrap();
}

/// A launch check that fails a community whose township has more than `max_people` in need,
/// by the demand table's row.
fn demand_check(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("plugin.toml"),
        r#"name = "demand-check"
version = "1"
contract = 1
kind = "launch-check"
script = "check.rhai"
reads = ["tables.rehab-demand.township", "tables.rehab-demand.people"]
[params]
max_people = 60
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("check.rhai"),
        r#"fn check(community, params) {
    let row = find_row(params.tables["rehab-demand"], "township", community.township);
    if row == () { return [fail("demand", "no row", #{ township: community.township })]; }
    if row.people > params.max_people {
        [fail("demand", `${row.people} people in need`, #{ people: row.people })]
    } else { [] }
}"#,
    )
    .unwrap();
}

const TABLE: &str = "\n[tables.rehab-demand]\nplugin = \"PLUGINS/rehab-demand\"\n";

#[test]
fn a_launch_check_reads_the_table_of_its_plan() {
    let tmp = tempfile::tempdir().unwrap();
    demand_check(&tmp.path().join("check"));
    plan(
        tmp.path(),
        &format!("{TABLE}\n[checks]\nlaunch = \"check\"\n"),
    );
    let o = hecun(&["run", "-q", "plan.toml", "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    // The people in need per township, from patients.geojson alone.
    let patients: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("gis-data/demo/patients.geojson")).unwrap(),
    )
    .unwrap();
    let mut people: BTreeMap<String, i64> = BTreeMap::new();
    for f in patients["features"].as_array().unwrap() {
        let p = &f["properties"];
        *people
            .entry(p["乡镇"].as_str().unwrap().to_owned())
            .or_default() += p["人数"].as_i64().unwrap();
    }
    let checks: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("r/launch_checks.json")).unwrap(),
    )
    .unwrap();
    let mut seen = (0, 0);
    for c in checks.as_array().unwrap() {
        let township = c["township"].as_str().unwrap();
        let failed = c["status"] == "fail";
        match people.get(township) {
            Some(&n) => {
                assert_eq!(failed, n > 60, "{township}: {n} people; {c}");
                if failed {
                    assert_eq!(c["findings"][0]["evidence"]["people"], n, "{c}");
                    seen.0 += 1;
                } else {
                    seen.1 += 1;
                }
            }
            None => assert!(failed, "{township} has no row: {c}"),
        }
    }
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}: both outcomes occur");
}

#[test]
fn a_table_the_plan_does_not_run_is_an_error_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    demand_check(&tmp.path().join("check"));
    plan(tmp.path(), "\n[checks]\nlaunch = \"check\"\n");
    let o = hecun(&["run", "-q", "plan.toml", "--out", "r"], tmp.path());
    assert!(!o.status.success());
    let e = stderr(&o);
    for word in [
        "\"demand-check\"",
        "\"rehab-demand\"",
        "does not run",
        "tables.rehab-demand.people",
    ] {
        assert!(e.contains(word), "{word}: {e}");
    }
    assert!(!tmp.path().join("r").exists(), "nothing is written");
}
