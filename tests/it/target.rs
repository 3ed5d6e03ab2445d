//! The `target` kind through the binary: `[targets.NAME]` in a plan, checked after every
//! other stage; each target's met or missed recomputed here from the run's own files (the
//! scoring's chosen buildings, the buildings layer and the plan's parameters), not taken from
//! the plugin; answers the engine refuses, contained and named; `hecun plugin test` on target
//! cases.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{csv_rows, hecun, repo, stderr};

fn demo() -> PathBuf {
    repo().join("gis-data/demo")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The demo's target plan: each target's status is what a count of the chosen buildings per
/// district, made here from `rehab-centres_scores.json` and `buildings.geojson`, gives against
/// the plan's own `[targets.centres] params`.
#[test]
fn the_demo_targets_are_met_or_missed_as_a_recount_of_the_chosen_buildings_says() {
    let tmp = tempfile::tempdir().unwrap();
    let plan_path = demo().join("plan-targets.toml");
    let o = hecun(
        &["run", "-q", plan_path.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");

    // The wanted values, as the plan gives them.
    let plan: toml::Value = toml::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    let params = &plan["targets"]["centres"]["params"];
    let total = params["total"].as_integer().unwrap();
    let minimum: BTreeMap<String, i64> = params["per_district"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(d, n)| (d.clone(), n.as_integer().unwrap()))
        .collect();
    assert_eq!(total, 13, "the document's 13 centres");

    // The chosen buildings and their districts, from the run's and the demo's files.
    let buildings = read_json(&demo().join("buildings.geojson"));
    let district: BTreeMap<String, String> = buildings["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["编号"].as_str().unwrap().to_owned(),
                p["区县"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let scores = read_json(&out.join("rehab-centres_scores.json"));
    let chosen: Vec<String> = scores
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["chosen"] == true)
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let mut per: BTreeMap<String, i64> = minimum.keys().map(|d| (d.clone(), 0)).collect();
    for id in &chosen {
        if let Some(n) = per.get_mut(&district[id]) {
            *n += 1;
        }
    }
    let total_met = chosen.len() as i64 == total;
    let group_met: BTreeMap<&str, bool> = per
        .iter()
        .map(|(d, n)| (d.as_str(), *n >= minimum[d]))
        .collect();
    let per_met = group_met.values().all(|m| *m);

    let json = read_json(&out.join("targets/centres.json"));
    assert_eq!(json["plugin"], "centres-per-district");
    let targets = json["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    let t = &targets[0];
    assert_eq!(t["target"], "total");
    assert_eq!(t["comparison"], "==");
    assert_eq!(t["measured"], chosen.len() as i64);
    assert_eq!(t["wanted"], total);
    assert_eq!(t["met"], total_met);
    assert_eq!(t["status"], if total_met { "met" } else { "missed" });
    let mut evidence: Vec<&str> = t["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    evidence.sort_unstable();
    let mut want: Vec<&str> = chosen.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(evidence, want, "the evidence is the chosen buildings");
    let t = &targets[1];
    assert_eq!(t["target"], "per_district");
    assert_eq!(t["met"], per_met);
    for g in t["groups"].as_array().unwrap() {
        let d = g["group"].as_str().unwrap();
        assert_eq!(g["measured"], per[d], "{d}");
        assert_eq!(g["wanted"], minimum[d], "{d}");
        assert_eq!(g["met"], group_met[d], "{d}");
    }
    assert_eq!(t["groups"].as_array().unwrap().len(), minimum.len());
    let met = usize::from(total_met) + usize::from(per_met);
    assert_eq!(json["met"], met);
    assert_eq!(json["missed"], 2 - met);

    // The CSV: a row per target, or per group, each with its own result.
    let rows = csv_rows(&out.join("targets/centres.csv"));
    assert_eq!(rows.len(), 1 + minimum.len());
    assert_eq!(rows[0]["目标"], "total");
    assert_eq!(rows[0]["实际值"], chosen.len().to_string());
    assert_eq!(rows[0]["结果"], if total_met { "已达到" } else { "未达到" });
    for r in &rows[1..] {
        let d = r["分组"].as_str();
        assert_eq!(r["实际值"], per[d].to_string());
        assert_eq!(r["比较"], ">=");
        assert_eq!(
            r["结果"],
            if group_met[d] {
                "已达到"
            } else {
                "未达到"
            }
        );
    }

    // summary.txt: a line per target; the report's section; the run manifest.
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    let word = |m: bool| if m { "已达到" } else { "未达到" };
    assert!(
        summary.contains(&format!(
            "目标 精神障碍社区康复服务机构建设目标 · 康复中心总数：{}（实际 {} 个，要求 = 13 个）",
            word(total_met),
            chosen.len()
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "目标 精神障碍社区康复服务机构建设目标 · 各区县康复中心数（不少于）：{}",
            word(per_met)
        )),
        "{summary}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<h2>目标核查</h2>"),
        "the section's zh heading"
    );
    assert!(html.contains("精神障碍社区康复服务机构建设目标"));
    let manifest = read_json(&out.join("run_manifest.json"));
    let used = manifest["plugins"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "target centres")
        .expect("the target plugin in the run manifest");
    assert_eq!(used["params"]["total"], 13);
    let outputs: Vec<&str> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert!(outputs.contains(&"targets/centres.csv") && outputs.contains(&"targets/centres.json"));
}

/// With `--lang en` the section, CSV headings and summary lines are English; the zh page
/// has no English words of ours.
#[test]
fn the_targets_speak_the_runs_language() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo().join("plan-targets.toml");
    let o = hecun(
        &[
            "run",
            "-q",
            plan.to_str().unwrap(),
            "--out",
            "r",
            "--lang",
            "en",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    let rows = csv_rows(&out.join("targets/centres.csv"));
    assert!(rows[0].contains_key("measured") && rows[0].contains_key("result"));
    assert!(["met", "missed"].contains(&rows[0]["result"].as_str()));
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(
        summary.contains(
            "Target Community mental-health rehabilitation centre targets · Rehab centres in all: "
        ),
        "{summary}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>Targets</h2>"));
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "z"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(tmp.path().join("z/report.html")).unwrap();
    let section = &html[html.find("<h2>目标核查</h2>").unwrap()..];
    let section = &section[..section.find("</section>").unwrap_or(section.len())];
    for english in ["Target", "Measured", "Wanted", "Result", "met<", "missed<"] {
        assert!(!section.contains(english), "{english} in the zh section");
    }
}

/// A plan over the demo's layers whose one target check `t` uses the plugin in `plugin`.
fn plan_with_target(dir: &Path, plugin: &Path, extra: &str) -> PathBuf {
    let d = demo();
    let text = format!(
        r#"
name = "t"
[crs]
metric = "EPSG:4547"
[layers.villages]
path = "{d}/villages.geojson"
fields = {{ id = "统计用区划代码", name = "村名", township = "乡镇", households = "户数", population = "人口" }}
[layers.roads]
path = "{d}/roads.geojson"
fields = {{ class = "等级" }}
[zones.widths]
"环线" = 100
"放射线" = 50
"快速通道" = 100
[targets.t]
plugin = "{p}"
{extra}
"#,
        d = d.display(),
        p = plugin.display()
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A target plugin in `dir/plugin` declaring `households` (>=) and `villages` (<=), whose
/// script is `script`.
fn target_plugin(dir: &Path, script: &str) -> PathBuf {
    let p = dir.join("plugin");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("plugin.toml"),
        r#"name = "tiny-target"
version = "1"
contract = 1
kind = "target"
script = "targets.rhai"
[params]
households = 100
[[targets]]
name = "households"
title = { zh-CN = "搬迁户数", en = "Households moved" }
comparison = ">="
unit = "户"
[[targets]]
name = "villages"
title = { zh-CN = "涉及村数", en = "Villages" }
comparison = "<="
"#,
    )
    .unwrap();
    std::fs::write(p.join("targets.rhai"), script).unwrap();
    p
}

/// "Households moved ≥ X" against the affected totals, and the totals in the JSON are the
/// run's own (report.json).
#[test]
fn households_moved_is_judged_against_the_runs_affected_totals() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = target_plugin(
        tmp.path(),
        r#"
fn targets(input, params) {
    let a = input.run.affected;
    [
        #{ target: "households", measured: a.households, wanted: params.households, evidence: a.ids },
        #{ target: "villages", measured: a.villages, wanted: 0 },
    ]
}
"#,
    );
    let plan = plan_with_target(tmp.path(), &plugin, "params = { households = 1 }");
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    let report = read_json(&out.join("report.json"));
    let households = report["totals"]["affected"]["households"].as_i64().unwrap();
    let villages = report["totals"]["affected"]["villages"].as_i64().unwrap();
    assert!(households >= 1 && villages > 0);
    let json = read_json(&out.join("targets/t.json"));
    let t = &json["targets"];
    assert_eq!(t[0]["measured"], households);
    assert_eq!(t[0]["met"], true, "{households} >= 1");
    assert_eq!(
        t[0]["evidence"].as_array().unwrap().len() as i64,
        villages,
        "the affected villages' ids"
    );
    assert_eq!(t[1]["measured"], villages);
    assert_eq!(t[1]["met"], false, "{villages} <= 0 is missed");
}

/// A plugin cannot call a miss a success, nor leave a target out, nor answer one it does not
/// declare or a text for a number: each is named (plugin and target), the check's targets
/// are errors, and the run writes everything else and exits with the code of a failed
/// plugin.
#[test]
fn bad_answers_are_named_and_contained() {
    let cases = [
        (
            r#"#{ target: "households", measured: 1, wanted: 2 }, #{ target: "village", measured: 1, wanted: 2 }"#,
            "target village",
            "not declared",
        ),
        (
            r#"#{ target: "households", measured: 1, wanted: 2 }"#,
            "target villages",
            "does not measure it",
        ),
        (
            r#"#{ target: "households", measured: "many", wanted: 2 }, #{ target: "villages", measured: 1, wanted: 2 }"#,
            "target households",
            "not a finite number",
        ),
        (
            r#"#{ target: "households", measured: 1, wanted: 2, met: true }, #{ target: "villages", measured: 1, wanted: 2 }"#,
            "target households",
            "\"met\"",
        ),
    ];
    for (answer, target, why) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let plugin = target_plugin(
            tmp.path(),
            &format!("fn targets(input, params) {{ [{answer}] }}"),
        );
        let plan = plan_with_target(tmp.path(), &plugin, "");
        let o = hecun(
            &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
            tmp.path(),
        );
        assert_eq!(o.status.code(), Some(3), "{answer}: {}", stderr(&o));
        assert!(stderr(&o).contains("tiny-target"), "{}", stderr(&o));
        let out = tmp.path().join("r");
        let json = read_json(&out.join("targets/t.json"));
        let error = json["error"].as_str().unwrap();
        assert!(
            error.contains("tiny-target") && error.contains(target) && error.contains(why),
            "{answer}: {error}"
        );
        for t in json["targets"].as_array().unwrap() {
            assert_eq!(t["status"], "error");
            assert_eq!(t["met"], false);
        }
        assert!(out.join("affected_villages.csv").exists() || out.join("summary.txt").exists());
        let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
        assert!(summary.contains("插件出错"), "{summary}");
    }
}

/// A target plugin in another slot's kind, a layer it reads that the plan does not list, a
/// parameter it does not declare, and a name that cannot name a file are refused before the
/// run.
#[test]
fn a_wrong_target_check_is_refused_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = target_plugin(tmp.path(), "fn targets(input, params) { [] }");
    let plan = plan_with_target(tmp.path(), &plugin, "params = { household = 1 }");
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("household") && stderr(&o).contains("[targets.t]"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("r").exists(), "nothing written");

    let toml = std::fs::read_to_string(plugin.join("plugin.toml")).unwrap();
    std::fs::write(
        plugin.join("plugin.toml"),
        toml.replace("[params]", "reads = [\"patients.人数\"]\n[params]"),
    )
    .unwrap();
    let plan = plan_with_target(tmp.path(), &plugin, "");
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("tiny-target") && stderr(&o).contains("patients"),
        "{}",
        stderr(&o)
    );

    let plan = plan_with_target(tmp.path(), &repo().join("plugins/rehab-funding"), "");
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("[targets.t]"), "{}", stderr(&o));

    let text = std::fs::read_to_string(&plan)
        .unwrap()
        .replace("[targets.t]", "[targets.\"../t\"]");
    std::fs::write(&plan, text).unwrap();
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("letters, digits"), "{}", stderr(&o));
}

/// The shipped rule's own cases pass, and a case whose input holds a field its reads does
/// not declare fails, naming it.
#[test]
fn plugin_test_runs_target_cases() {
    let o = hecun(&["plugin", "test", "plugins/centres-per-district"], &repo());
    assert!(o.status.success(), "{}", stderr(&o));
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p");
    std::fs::create_dir_all(&p).unwrap();
    for f in ["plugin.toml", "targets.rhai"] {
        std::fs::copy(
            repo().join("plugins/centres-per-district").join(f),
            p.join(f),
        )
        .unwrap();
    }
    let toml = std::fs::read_to_string(p.join("plugin.toml")).unwrap();
    std::fs::write(
        p.join("plugin.toml"),
        toml.replacen(
            "{ id = \"B1\", \"区县\" = \"中原区\" }",
            "{ id = \"B1\", \"区县\" = \"中原区\", \"床位\" = 100 }",
            1,
        ),
    )
    .unwrap();
    let o = hecun(&["plugin", "test", p.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        text.contains("床位") && text.contains("does not declare"),
        "{text}"
    );
}

/// A demo plan (`name` in gis-data/demo) in `dir` with its paths made absolute, and `extra`
/// appended.
fn demo_plan_with(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(demo().join(name))
        .unwrap()
        .replace("path = \"", &format!("path = \"{}/", demo().display()))
        .replace(
            "\"../../plugins",
            &format!("\"{}/plugins", repo().display()),
        );
    let path = dir.join("plan.toml");
    std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
    path
}

/// A target plugin in `dir/name` with `targets` (TOML `[[targets]]` entries) and the script
/// `script`.
fn plugin_with(dir: &Path, name: &str, targets: &str, script: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("plugin.toml"),
        format!(
            "name = \"{name}\"\nversion = \"1\"\ncontract = 1\nkind = \"target\"\nscript = \"t.rhai\"\n{targets}"
        ),
    )
    .unwrap();
    std::fs::write(p.join("t.rhai"), script).unwrap();
    p
}

/// `input.run.communities` carries each community's launch status and `input.run.scorings.sites`
/// the sites `[scoring] sites` chose: a target counting them agrees with launch_checks.json and
/// sites_scored.csv of the same run.
#[test]
fn communities_and_chosen_sites_reach_a_target_as_the_run_wrote_them() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_with(
        tmp.path(),
        "launch-targets",
        r#"
[[targets]]
name = "launched"
title = { zh-CN = "可启动社区数", en = "Communities that may launch" }
comparison = ">="
[[targets]]
name = "sites"
title = { zh-CN = "选定安置社区数", en = "Sites chosen" }
comparison = "=="
"#,
        r#"
fn targets(input, params) {
    let ok = [];
    for c in input.run.communities {
        if c.launch == "pass" { ok.push(c.name); }
        if c.villages.len() == 0 || c.households <= 0 { throw `community ${c.name} without villages`; }
    }
    let chosen = input.run.scorings.sites.chosen;
    let ids = [];
    for s in chosen { ids.push(s.id); }
    [
        #{ target: "launched", measured: ok.len(), wanted: 1, evidence: ok },
        #{ target: "sites", measured: chosen.len(), wanted: 32, evidence: ids },
    ]
}
"#,
    );
    let plan = demo_plan_with(
        tmp.path(),
        "plan.toml",
        &format!("[targets.t]\nplugin = \"{}\"\n", plugin.display()),
    );
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    let launch = read_json(&out.join("launch_checks.json"));
    let mut passing: Vec<String> = launch
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "pass")
        .map(|c| c["community"].as_str().unwrap().to_owned())
        .collect();
    passing.sort();
    let chosen: Vec<String> = csv_rows(&out.join("sites_scored.csv"))
        .into_iter()
        .filter(|r| r["chosen"] == "yes")
        .map(|r| r["id"].clone())
        .collect();
    let json = read_json(&out.join("targets/t.json"));
    assert_eq!(json["error"], serde_json::Value::Null, "{json}");
    let t = &json["targets"];
    assert_eq!(t[0]["measured"], passing.len());
    assert_eq!(t[0]["met"], !passing.is_empty());
    let mut said: Vec<String> = t[0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    said.sort();
    assert_eq!(said, passing);
    assert_eq!(t[1]["measured"], chosen.len());
    assert_eq!(t[1]["met"], chosen.len() == 32);
    // Best first, as sites_scored.csv lists them.
    let ids: Vec<&str> = t[1]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(ids, chosen.iter().map(String::as_str).collect::<Vec<_>>());
}

/// `input.run.tables` carries each table's rows and the engine's totals: "the funding stays
/// within the budget" judged on the funding table of plan-rehab.toml.
#[test]
fn a_tables_totals_reach_a_target() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_with(
        tmp.path(),
        "budget",
        r#"
[params]
budget = 20_000_000
[[targets]]
name = "within_budget"
title = { zh-CN = "经费不超过预算", en = "Funding within the budget" }
comparison = "<="
unit = "元"
"#,
        r#"
fn targets(input, params) {
    let t = input.run.tables.funding;
    [ #{ target: "within_budget", measured: t.totals.total, wanted: params.budget, evidence: #{ rows: t.rows.len() } } ]
}
"#,
    );
    for (budget, met) in [(20_000_000, true), (1_000, false)] {
        let plan = demo_plan_with(
            tmp.path(),
            "plan-rehab.toml",
            &format!(
                "[targets.t]\nplugin = \"{}\"\nparams = {{ budget = {budget} }}\n",
                plugin.display()
            ),
        );
        let out = tmp.path().join(format!("r{budget}"));
        let o = hecun(
            &[
                "run",
                "-q",
                plan.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let funding = read_json(&out.join("tables/funding.json"));
        let total = funding["totals"]["total"].as_f64().unwrap();
        let json = read_json(&out.join("targets/t.json"));
        let t = &json["targets"][0];
        assert_eq!(t["measured"].as_f64().unwrap(), total);
        assert_eq!(t["met"], total <= budget as f64);
        // Both outcomes occur, so the comparison is exercised either way.
        assert_eq!(t["met"], met);
        assert_eq!(
            t["evidence"]["rows"],
            funding["rows"].as_array().unwrap().len()
        );
    }
}
