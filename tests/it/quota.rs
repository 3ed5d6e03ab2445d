//! Quotas per group for site choice (`[scoring] per`, `quota`): the chosen sites recomputed
//! from the scores file, with the real binary on the demo's layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};

/// The demo's sites with a `片区` (district) attribute: 北区 for odd site numbers, 南区 for
/// even ones, and none on S040 (a site without a value).
fn sites_with_districts(dir: &Path) {
    let text = std::fs::read_to_string(repo().join("gis-data/demo/sites.geojson")).unwrap();
    let mut geo: serde_json::Value = serde_json::from_str(&text).unwrap();
    for f in geo["features"].as_array_mut().unwrap() {
        let id = f["properties"]["编号"].as_str().unwrap().to_owned();
        let n: u32 = id[1..].parse().unwrap();
        if id != "S040" {
            let district = if n % 2 == 1 { "北区" } else { "南区" };
            f["properties"]["片区"] = district.into();
        }
    }
    std::fs::write(dir.join("sites.geojson"), geo.to_string()).unwrap();
}

/// A plan over the demo's layers (its sites with districts) with this `[scoring]` table.
fn plan(dir: &Path, scoring: &str) -> String {
    sites_with_districts(dir);
    let demo = repo().join("gis-data/demo");
    let d = |name: &str| demo.join(name).display().to_string().replace('\\', "/");
    let plugin = repo()
        .join("plugins/site-score")
        .display()
        .to_string()
        .replace('\\', "/");
    let text = format!(
        r#"
[crs]
input = "EPSG:4326"
metric = "EPSG:4547"
[layers.villages]
path = "{villages}"
fields = {{ id = "统计用区划代码", name = "村名", township = "乡镇", households = "户数", population = "人口" }}
[layers.roads]
path = "{roads}"
fields = {{ id = "编号", name = "名称", class = "等级" }}
[layers.corridors]
path = "{corridors}"
fields = {{ id = "编号", name = "名称", class = "级别" }}
[layers.townships]
path = "{townships}"
fields = {{ id = "编号", name = "名称" }}
[layers.sites]
path = "sites.geojson"
fields = {{ id = "编号", name = "名称", township = "乡镇" }}
[layers.farmland]
path = "{farmland}"
[layers.redline]
path = "{redline}"
[zones.widths]
"环线" = 100
"放射线" = 50
"快速通道" = 100
"一级" = 50
"二级" = 30
"三级" = 20
[scoring]
sites = "{plugin}"
{scoring}
"#,
        villages = d("villages.geojson"),
        roads = d("roads.geojson"),
        corridors = d("corridors.geojson"),
        townships = d("townships.geojson"),
        farmland = d("farmland.geojson"),
        redline = d("redline.geojson"),
    );
    std::fs::write(dir.join("plan.toml"), text).unwrap();
    "plan.toml".to_owned()
}

/// Recomputes the choice from `site_scores.json`: in each group the best `count(group)`
/// scored sites (higher score first, ties by id).
fn expected_choice(scores: &serde_json::Value, count: impl Fn(&str) -> usize) -> BTreeSet<String> {
    let mut by_group: BTreeMap<String, Vec<(f64, String)>> = BTreeMap::new();
    for e in scores.as_array().unwrap() {
        if let Some(score) = e["score"].as_f64() {
            by_group
                .entry(e["group"].as_str().unwrap().to_owned())
                .or_default()
                .push((score, e["id"].as_str().unwrap().to_owned()));
        }
    }
    let mut chosen = BTreeSet::new();
    for (group, mut list) in by_group {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        chosen.extend(list.into_iter().take(count(&group)).map(|(_, id)| id));
    }
    chosen
}

fn chosen_in(scores: &serde_json::Value) -> BTreeSet<String> {
    scores
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["chosen"] == true)
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn per_attribute_chooses_the_best_top_of_each_attribute_value() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(tmp.path(), "top = 3\nper = \"片区\"");
    let o = hecun(&["score", &plan, "--out", "s"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = read_json(&tmp.path().join("s/site_scores.json"));
    let chosen = chosen_in(&scores);
    assert_eq!(chosen, expected_choice(&scores, |_| 3));
    // Three groups: 北区, 南区 and the site without a value (""), three from each.
    assert_eq!(chosen.len(), 3 + 3 + 1, "{chosen:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("7 chosen (best 3 per 片区)"), "{stdout}");
    // The site without the attribute is named, and which group it falls in.
    let err = stderr(&o);
    assert!(
        err.contains("without a value for 片区") && err.contains("S040"),
        "{err}"
    );
    // The table says each site's group and its rank in it.
    let rows = csv_rows(&tmp.path().join("s/sites_scored.csv"));
    for r in &rows {
        assert!(!r.contains_key("township_rank"), "{r:?}");
        let n: u32 = r["id"][1..].parse().unwrap();
        let want = match (r["id"].as_str(), n % 2) {
            ("S040", _) => "",
            (_, 1) => "北区",
            _ => "南区",
        };
        assert_eq!(r["group"], want, "{r:?}");
        if r["chosen"] == "yes" {
            let rank: usize = r["group_rank"].parse().unwrap();
            assert!(rank <= 3, "{r:?}");
        }
    }
}

#[test]
fn a_quota_table_counts_per_value_with_a_default_and_names_an_empty_group() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(
        tmp.path(),
        "per = \"片区\"\nquota = { \"北区\" = 4, \"西区\" = 2, \"*\" = 1 }",
    );
    let o = hecun(&["score", &plan, "--out", "s"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = read_json(&tmp.path().join("s/site_scores.json"));
    let chosen = chosen_in(&scores);
    let count = |g: &str| match g {
        "北区" => 4,
        "西区" => 2,
        _ => 1,
    };
    assert_eq!(chosen, expected_choice(&scores, count));
    // 北区 4, 南区 1 (the default), the site without a value 1.
    assert_eq!(chosen.len(), 6, "{chosen:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("6 chosen (quota per 片区: 北区 4, 西区 2, * 1)"),
        "{stdout}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("quota names 片区 \"西区\", but no candidate"),
        "{err}"
    );
}

#[test]
fn a_quota_table_without_a_default_chooses_only_in_the_groups_it_names() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(tmp.path(), "per = \"片区\"\nquota = { \"南区\" = 2 }");
    let o = hecun(&["score", &plan, "--out", "s"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = read_json(&tmp.path().join("s/site_scores.json"));
    let chosen = chosen_in(&scores);
    assert_eq!(
        chosen,
        expected_choice(&scores, |g| if g == "南区" { 2 } else { 0 })
    );
    assert_eq!(chosen.len(), 2);
}

#[test]
fn a_quota_per_township_by_name_in_hecun_run() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(tmp.path(), "quota = { \"金水镇\" = 3, \"*\" = 1 }");
    let o = hecun(&["run", "-q", &plan, "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&tmp.path().join("r/sites_scored.csv"));
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    let mut scored: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        if !r["score"].is_empty() {
            *scored.entry(r["township"].clone()).or_default() += 1;
        }
        if r["chosen"] == "yes" {
            *per.entry(r["township"].clone()).or_default() += 1;
        }
    }
    for (t, n) in &scored {
        let want = if t == "金水镇" { 3 } else { 1 };
        assert_eq!(
            per.get(t).copied().unwrap_or(0),
            want.min(*n),
            "{t}: {per:?}"
        );
    }
    // 金水镇's three candidates are all excluded: the quota it asks cannot be filled, and the
    // summary says how many were chosen there beside the quota.
    let jinshui = per.get("金水镇").copied().unwrap_or(0);
    let said = if jinshui < 3 {
        format!("金水镇 {jinshui}（配额 3）")
    } else {
        "金水镇 3".to_owned()
    };
    let summary = std::fs::read_to_string(tmp.path().join("r/summary.txt")).unwrap();
    assert!(
        summary.contains(&format!("选址按乡镇分组：{said}，其余 1；共选定 ")),
        "{summary}"
    );
    let html = std::fs::read_to_string(tmp.path().join("r/report.html")).unwrap();
    assert!(html.contains(&format!("选址按乡镇分组：{said}，其余 1")));
}

#[test]
fn a_per_attribute_no_site_has_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(tmp.path(), "per = \"区县\"");
    let o = hecun(&["score", &plan, "--out", "s"], tmp.path());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("per = \"区县\"")
            && err.contains("sites.geojson")
            && err.contains("plan.toml"),
        "{err}"
    );
}

#[test]
fn top_and_quota_together_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(tmp.path(), "top = 1\nquota = { \"*\" = 1 }");
    let o = hecun(&["score", &plan, "--out", "s"], tmp.path());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("either top") && err.contains("plan.toml"),
        "{err}"
    );
}

/// A quota that too few candidates qualify to fill is said, in the summary line (the group's
/// count and its quota) and as a warning naming the group: on the demo's rehab-centre siting
/// 惠济区 asks for 4. The counts are recounted from the scores file.
#[test]
fn a_quota_too_few_candidates_fill_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan-rehab-siting.toml");
    let out = dir.path().join("out");
    let o = hecun(
        &[
            "run",
            plan.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let quota: BTreeMap<&str, usize> = [("中原区", 3), ("二七区", 3), ("惠济区", 4), ("金水区", 3)]
        .into_iter()
        .collect();
    let scores: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("rehab-centres_scores.json")).unwrap(),
    )
    .unwrap();
    let mut chosen: BTreeMap<String, usize> = BTreeMap::new();
    for s in scores.as_array().unwrap() {
        if s["chosen"] == true {
            *chosen
                .entry(s["group"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
    }
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    // A plan that forms no communities gives its townships' numbers without community counts.
    assert!(!summary.contains("可启动"), "{summary}");
    assert!(summary.contains("中原镇：拆迁范围内 "), "{summary}");
    let short: BTreeSet<&str> = quota
        .iter()
        .filter(|(g, q)| chosen.get(**g).copied().unwrap_or(0) < **q)
        .map(|(g, _)| *g)
        .collect();
    assert!(
        !short.is_empty(),
        "the demo no longer has a short group: {chosen:?}"
    );
    for (group, &q) in &quota {
        let n = chosen.get(*group).copied().unwrap_or(0);
        // English on the CLI's warning lines, 简体中文 in the zh-CN summary.
        let warned = format!("quota asks for {q} in 区县 \"{group}\", but only {n} of its");
        let warned_zh = format!("quota 要求在 区县 \"{group}\" 中选 {q} 个");
        if short.contains(group) {
            assert!(
                summary.contains(&format!("{group} {n}（配额 {q}）")),
                "{summary}"
            );
            let line = summary
                .lines()
                .find(|l| l.contains(&warned_zh))
                .unwrap_or_else(|| panic!("no warning for {group}: {summary}"));
            assert!(line.contains(&format!("只有 {n} 个合格")), "{line}");
            assert!(stderr(&o).contains(&warned), "{}", stderr(&o));
        } else {
            assert!(
                summary.contains(&format!("{group} {q}，"))
                    || summary.contains(&format!("{group} {q}；")),
                "{summary}"
            );
            assert!(!summary.contains(&warned_zh), "{summary}");
            assert!(!stderr(&o).contains(&warned), "{}", stderr(&o));
        }
    }
}
