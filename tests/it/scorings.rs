//! Named scoring jobs (`[[scorings]]`): a site score over another layer of the plan, with its
//! own files, report section under its title, line in summary.txt and quota.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};

/// The demo plan without its checks, its paths absolute, with the demo's facilities as a
/// `buildings` layer, and `extra` appended.
fn plan(dir: &Path, extra: &str) {
    let demo = repo().join("gis-data/demo");
    let base = demo.display().to_string().replace('\\', "/");
    let text = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
    let mut text = text.replace("path = \"", &format!("path = \"{base}/"));
    text.truncate(text.find("[checks]").unwrap());
    let plugin = repo()
        .join("plugins/site-score")
        .display()
        .to_string()
        .replace('\\', "/");
    text.push_str(&format!(
        r#"
[layers.buildings]
path = "{base}/facilities.geojson"
fields = {{ id = "编号", name = "名称" }}

[scoring]
sites = "{plugin}"
{}"#,
        extra.replace("PLUGIN", &plugin)
    ));
    std::fs::write(dir.join("plan.toml"), text).unwrap();
}

const REHAB: &str = r#"
[[scorings]]
name = "rehab-centres"
title = { zh-CN = "精神障碍社区康复服务机构选址", en = "Rehab centre siting" }
plugin = "PLUGIN"
layer = "buildings"
per = "类型"
quota = { "卫生院" = 3, "敬老院" = 2, "*" = 1 }
"#;

#[test]
fn a_named_job_over_another_layer_has_its_files_title_and_quota() {
    let tmp = tempfile::tempdir().unwrap();
    plan(tmp.path(), REHAB);
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    // Its own files, and the [scoring] sites files as before.
    for f in [
        "rehab-centres_scored.csv",
        "rehab-centres_scored.geojson",
        "rehab-centres_scores.json",
        "sites_scored.csv",
        "site_scores.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let rows = csv_rows(&out.join("rehab-centres_scored.csv"));
    let facilities: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("gis-data/demo/facilities.geojson")).unwrap(),
    )
    .unwrap();
    let kinds: BTreeMap<String, String> = facilities["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["编号"].as_str().unwrap().to_owned(),
                p["类型"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(rows.len(), kinds.len());
    for r in &rows {
        // The group is the candidate's own attribute; the township the polygon that holds it
        // (the demo names each facility after its township).
        assert_eq!(r["group"], kinds[&r["id"]], "{r:?}");
        assert!(
            !r["township"].is_empty() && r["name"].starts_with(&r["township"]),
            "{r:?}"
        );
    }
    // The chosen set, recomputed from the scores file: per 类型 the best 3 / 2 / 1.
    let scores: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("rehab-centres_scores.json")).unwrap(),
    )
    .unwrap();
    let mut by_group: BTreeMap<String, Vec<(f64, String)>> = BTreeMap::new();
    let mut chosen = BTreeSet::new();
    for e in scores.as_array().unwrap() {
        if e["chosen"] == true {
            chosen.insert(e["id"].as_str().unwrap().to_owned());
        }
        if let Some(s) = e["score"].as_f64() {
            by_group
                .entry(e["group"].as_str().unwrap().to_owned())
                .or_default()
                .push((s, e["id"].as_str().unwrap().to_owned()));
        }
    }
    let mut want = BTreeSet::new();
    for (g, mut list) in by_group {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let n = match g.as_str() {
            "卫生院" => 3,
            "敬老院" => 2,
            _ => 1,
        };
        want.extend(list.into_iter().take(n).map(|(_, id)| id));
    }
    assert_eq!(chosen, want);
    // Its section under its title, in place of the fixed 安置社区选址 heading.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>精神障碍社区康复服务机构选址</h2>"));
    assert!(html.contains("<section id=\"scoring-rehab-centres\">"));
    // A line in summary.txt with its counts.
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    let scored = rows.iter().filter(|r| !r["score"].is_empty()).count();
    assert!(
        summary.contains(&format!(
            "精神障碍社区康复服务机构选址：候选 {} 处，评分 {scored} 处，选定 {} 处",
            rows.len(),
            want.len()
        )),
        "{summary}"
    );
    // The manifest records the job's plugin.
    let manifest = std::fs::read_to_string(out.join("run_manifest.json")).unwrap();
    assert!(manifest.contains("\"scoring:rehab-centres\""), "{manifest}");
    // In English, its English title.
    let o = hecun(
        &["run", "-q", "plan.toml", "--lang", "en", "--out", "en"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(tmp.path().join("en/report.html")).unwrap();
    assert!(html.contains("<h2>Rehab centre siting</h2>"));
}

#[test]
fn a_named_job_over_a_layer_the_plan_does_not_list_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    plan(
        tmp.path(),
        "[[scorings]]\nname = \"x\"\nplugin = \"PLUGIN\"\nlayer = \"hospitals\"\n",
    );
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("plan.toml")
            && err.contains("layer \"hospitals\"")
            && err.contains("[layers.hospitals]"),
        "{err}"
    );
}

#[test]
fn job_names_must_be_distinct_and_not_sites() {
    let tmp = tempfile::tempdir().unwrap();
    plan(
        tmp.path(),
        "[[scorings]]\nname = \"sites\"\nplugin = \"PLUGIN\"\n",
    );
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("taken by [scoring] sites"),
        "{}",
        stderr(&o)
    );
    plan(
        tmp.path(),
        "[[scorings]]\nname = \"a\"\nplugin = \"PLUGIN\"\n[[scorings]]\nname = \"a\"\nplugin = \"PLUGIN\"\n",
    );
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("named twice"), "{}", stderr(&o));
}

#[test]
fn a_named_job_over_the_sites_layer_writes_beside_the_sites_files() {
    let tmp = tempfile::tempdir().unwrap();
    plan(
        tmp.path(),
        "[[scorings]]\nname = \"demo-communities\"\ntitle = { zh-CN = \"示范社区选址\" }\nplugin = \"PLUGIN\"\ntop = 1\n",
    );
    let o = hecun(&["run", "-q", "plan.toml", "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    let job = csv_rows(&out.join("demo-communities_scored.csv"));
    let sites = csv_rows(&out.join("sites_scored.csv"));
    // The same plugin on the same layer: the same scores; best 1 per township, not 2.
    assert_eq!(job.len(), sites.len());
    for (a, b) in job.iter().zip(&sites) {
        assert_eq!(a["id"], b["id"]);
        assert_eq!(a["score"], b["score"]);
        if a["chosen"] == "yes" {
            assert_eq!(a["township_rank"], "1");
        }
    }
    let chosen =
        |rows: &[BTreeMap<String, String>]| rows.iter().filter(|r| r["chosen"] == "yes").count();
    assert!(chosen(&job) < chosen(&sites));
}

#[test]
fn the_demo_sites_rehab_centres_by_district_as_its_quota_says() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan-rehab-siting.toml");
    let o = hecun(
        &["run", "-q", plan.to_str().unwrap(), "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("r");
    let buildings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("gis-data/demo/buildings.geojson")).unwrap(),
    )
    .unwrap();
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
    let scores: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("rehab-centres_scores.json")).unwrap(),
    )
    .unwrap();
    let quota = |d: &str| match d {
        "中原区" | "二七区" | "金水区" => 3,
        "惠济区" => 4,
        _ => 0,
    };
    let mut by_district: BTreeMap<String, Vec<(f64, String)>> = BTreeMap::new();
    let mut chosen = BTreeSet::new();
    for e in scores.as_array().unwrap() {
        let id = e["id"].as_str().unwrap().to_owned();
        assert_eq!(e["group"].as_str().unwrap(), district[&id]);
        if e["chosen"] == true {
            chosen.insert(id.clone());
        }
        if let Some(s) = e["score"].as_f64() {
            by_district
                .entry(district[&id].clone())
                .or_default()
                .push((s, id));
        }
    }
    let mut want = BTreeSet::new();
    for (d, mut list) in by_district {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        want.extend(list.into_iter().take(quota(&d)).map(|(_, id)| id));
    }
    assert_eq!(chosen, want);
    assert!(!chosen.is_empty() && chosen.len() <= 13);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<h2>精神障碍社区康复服务机构选址</h2>"));
    assert!(
        !html.contains("安置点评分与选址"),
        "the fixed heading is not used"
    );
}
