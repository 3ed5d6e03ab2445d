//! A later stage reads an earlier stage's results (issue 12, "siting after a township demand
//! table"): plan-rehab-siting.toml computes the people in need per township
//! (`plugins/rehab-demand`, a table) and its scoring job (`plugins/rehab-siting`) reads the
//! table's rows (`reads = ["tables.rehab-demand.township", "tables.rehab-demand.people"]`)
//! instead of summing the patients layer itself. Checked against the patients and buildings
//! files alone, in both runtimes, and the errors a plan gets before the run.

use std::collections::BTreeMap;
use std::path::Path;

use hecun::Plan;
use hecun::jobs::{SiteScoreRun, TableRun};
use hecun::report::Lang;
use hecun::rules::{Cell, Outcome, Plugin};
use hecun::run::{PlanRun, RunRequest};

use crate::common::{build_modules, repo};

fn siting_plan() -> Plan {
    Plan::load(&repo().join("gis-data/demo/plan-rehab-siting.toml")).unwrap()
}

/// `name` of every feature's properties in a demo file, by the feature's `编号`.
fn demo_field(file: &str, name: &str) -> Vec<(String, serde_json::Value)> {
    let text = std::fs::read_to_string(repo().join("gis-data/demo").join(file)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (p["编号"].as_str().unwrap().to_owned(), p[name].clone())
        })
        .collect()
}

/// The people in need per township, summed here from patients.geojson.
fn people_per_township() -> BTreeMap<String, i64> {
    let townships = demo_field("patients.geojson", "乡镇");
    let people = demo_field("patients.geojson", "人数");
    let mut out = BTreeMap::new();
    for ((_, t), (_, n)) in townships.iter().zip(&people) {
        *out.entry(t.as_str().unwrap().to_owned()).or_insert(0) += n.as_i64().unwrap();
    }
    out
}

#[test]
fn the_scoring_reads_the_demand_table_computed_before_it() {
    let plan = siting_plan();
    let run = PlanRun::run(&plan, &|_| {}).unwrap();
    // Stage 1: one row per township, its people as summed from the file.
    let expected = people_per_township();
    let table = &run.tables[0].table;
    assert_eq!(table.name, "rehab-demand");
    let got: BTreeMap<String, i64> = table
        .rows
        .iter()
        .map(|r| match (&r[1], &r[2]) {
            (Cell::Text(t), Cell::Integer(n)) => (t.clone(), *n),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, expected);
    // Stage 2: each scored building's demand term is its township's people against the
    // township with the most, from the files alone.
    let most = *expected.values().max().unwrap() as f64;
    let township: BTreeMap<String, String> = demo_field("buildings.geojson", "乡镇")
        .into_iter()
        .map(|(id, t)| (id, t.as_str().unwrap().to_owned()))
        .collect();
    let job = &run.scorings[0];
    let mut scored = 0;
    for (c, s) in job.candidates.iter().zip(&job.scores) {
        let s = s.as_ref().unwrap();
        if let Outcome::Scored(_) = s.outcome {
            let term = s.terms.iter().find(|t| t.name == "patient_demand").unwrap();
            let mine = expected.get(&township[c.id()]).copied().unwrap_or(0) as f64;
            assert_eq!(term.value, mine / most, "{}", c.id());
            scored += 1;
        }
    }
    assert!(scored > 5, "{scored} scored");
    // The nearness term still asks the patients layer: a building whose township has people
    // in need has some within reach, or none; never more than its township's.
}

#[test]
fn both_runtimes_hand_over_and_read_the_same_table() {
    build_modules();
    let plan = siting_plan();
    let affected = plan.affected.run(&|_| {}).unwrap();
    let mut wasm_plan = plan.clone();
    wasm_plan.tables[0].plugin = wasm_plan.tables[0].plugin.join("wasm");
    wasm_plan.scorings[0].scoring.plugin = wasm_plan.scorings[0].scoring.plugin.join("wasm");
    let rhai_table = TableRun::run(&plan, &plan.tables[0]).unwrap();
    let wasm_table = TableRun::run(&wasm_plan, &wasm_plan.tables[0]).unwrap();
    for tag in ["zh-CN", "en"] {
        assert!(
            rhai_table.table.csv(tag) == wasm_table.table.csv(tag),
            "{tag}"
        );
    }
    assert_eq!(rhai_table.table.json(), wasm_table.table.json());
    let a = SiteScoreRun::run_job_after(
        &plan,
        &affected,
        &plan.scorings[0],
        true,
        std::slice::from_ref(&rhai_table),
    )
    .unwrap();
    let b = SiteScoreRun::run_job_after(
        &wasm_plan,
        &affected,
        &wasm_plan.scorings[0],
        true,
        std::slice::from_ref(&wasm_table),
    )
    .unwrap();
    assert!(a.csv() == b.csv(), "rehab-centres_scored.csv differs");
    assert!(a.json() == b.json(), "rehab-centres_scores.json differs");
    assert!(a.ranks.iter().any(|r| r.chosen));
}

/// The demo plan's scoring with `tables` in place of its [tables.…] (TOML text).
fn plan_with_tables(dir: &Path, tables: &str) -> Plan {
    let demo = repo().join("gis-data/demo");
    let plugins = repo().join("plugins");
    let text = std::fs::read_to_string(demo.join("plan-rehab-siting.toml")).unwrap();
    let start = text.find("[tables.rehab-demand]").unwrap();
    let end = text.find("[[scorings]]").unwrap();
    let text = format!("{}{tables}\n{}", &text[..start], &text[end..])
        .replace("path = \"", &format!("path = \"{}/", demo.display()))
        .replace("../../plugins", &plugins.display().to_string());
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    Plan::load(&path).unwrap()
}

#[test]
fn a_table_the_plan_does_not_run_or_a_column_it_lacks_stops_the_run_before_it_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let request = RunRequest::new(tmp.path().join("out"), Lang::En);
    let plan = plan_with_tables(tmp.path(), "");
    let err = PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {})
        .unwrap_err()
        .to_string();
    for word in [
        "\"rehab-siting\"",
        "\"rehab-demand\"",
        "does not run",
        "[tables.rehab-demand]",
    ] {
        assert!(err.contains(word), "{word}: {err}");
    }
    assert!(!tmp.path().join("out").exists(), "nothing is written");
    // A table of that name whose plugin has no `township` column (the funding table).
    let plan = plan_with_tables(
        tmp.path(),
        "[tables.rehab-demand]\nplugin = \"../../plugins/rehab-funding\"\n",
    );
    let err = PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {})
        .unwrap_err()
        .to_string();
    for word in [
        "\"rehab-siting\"",
        "tables.rehab-demand.township",
        "\"rehab-funding\"",
    ] {
        assert!(err.contains(word), "{word}: {err}");
    }
    // The job run on its own says the same.
    let affected = plan.affected.run(&|_| {}).unwrap();
    let err = SiteScoreRun::run_job(&plan, &affected, &plan.scorings[0], false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("tables.rehab-demand.township"), "{err}");
}

fn write_plugin(dir: &Path, reads: &str, script: &str, tests: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("plugin.toml"),
        format!(
            "name = \"reader\"\nversion = \"1\"\ncontract = 1\nkind = \"site-score\"\n\
             script = \"s.rhai\"\nreads = [{reads}]\n{tests}"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("s.rhai"), script).unwrap();
    dir.to_path_buf()
}

#[test]
fn test_cases_give_the_tables_and_only_their_declared_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let script = r#"fn score(site, params) {
        let row = find_row(params.tables["demand"], "town", site.township);
        if row == () { 0.0 } else { row.people.to_float() / 10.0 }
    }"#;
    let case = |tables: &str, score: f64| {
        format!(
            "[[tests]]\nname = \"c\"\ninput = {{ id = \"S\", township = \"东镇\" }}\n\
             tables = {tables}\nexpect = {{ score = {score} }}\n"
        )
    };
    let reads = "\"tables.demand.town\", \"tables.demand.people\"";
    let dir = write_plugin(
        &tmp.path().join("a"),
        reads,
        script,
        &case(
            "{ demand = [{ town = \"西镇\", people = 3 }, { town = \"东镇\", people = 6 }] }",
            0.6,
        ),
    );
    let outcomes = Plugin::load(&dir).unwrap().run_tests();
    assert!(outcomes[0].1.is_ok(), "{outcomes:?}");
    // No row for the township: find_row gives ().
    let dir = write_plugin(&tmp.path().join("b"), reads, script, &case("{}", 0.0));
    let outcomes = Plugin::load(&dir).unwrap().run_tests();
    assert!(outcomes[0].1.is_ok(), "{outcomes:?}");
    // A column the plugin does not declare is not handed over: the case is refused.
    let dir = write_plugin(
        &tmp.path().join("c"),
        reads,
        script,
        &case(
            "{ demand = [{ town = \"东镇\", people = 6, district = \"甲区\" }] }",
            0.6,
        ),
    );
    let outcomes = Plugin::load(&dir).unwrap().run_tests();
    let e = outcomes[0].1.as_ref().unwrap_err();
    assert!(
        e.contains("\"district\"") && e.contains("tables.demand.district"),
        "{e}"
    );
    // A plugin that reads no table: a case that gives one is refused.
    let dir = write_plugin(
        &tmp.path().join("d"),
        "",
        "fn score(site, params) { 0.0 }",
        &case("{ demand = [] }", 0.0),
    );
    let outcomes = Plugin::load(&dir).unwrap().run_tests();
    let e = outcomes[0].1.as_ref().unwrap_err();
    assert!(e.contains("reads no table"), "{e}");
    // A malformed table read is refused with the manifest.
    let dir = write_plugin(&tmp.path().join("e"), "\"tables.demand\"", script, "");
    let e = Plugin::load(&dir).unwrap_err().to_string();
    assert!(e.contains("tables.NAME.COLUMN"), "{e}");
}
