//! The aggregate helpers through the binary, on the demo: a rule that totals a field per
//! township scores each site with the total the villages file gives, and a misspelt field
//! fails every site naming the plugin, the helper, the layer and the field, never a silent 0
//! (issue 12: `sum_within` on a misspelt field once scored 24 sites -0.0).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{csv_rows, hecun, repo};

fn score_plugin(dir: &Path, name: &str, script: &str) -> PathBuf {
    let plugin = dir.join(name);
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("plugin.toml"),
        format!(
            "name = {name:?}\nversion = \"1.0.0\"\ncontract = 1\nkind = \"site-score\"\nscript = \"score.rhai\"\nreads = [\"villages.人口\", \"villages.乡镇\"]\n"
        ),
    )
    .unwrap();
    std::fs::write(plugin.join("score.rhai"), script).unwrap();
    plugin
}

/// `hecun score` on the demo with `plugin`: its exit code, what it said, and the rows of
/// sites_scored.csv.
fn score_demo(dir: &Path, plugin: &Path) -> (Option<i32>, String, Vec<BTreeMap<String, String>>) {
    let plan = repo().join("gis-data/demo/plan.toml");
    let out = dir.join("out");
    let o = hecun(
        &[
            "score",
            plan.to_str().unwrap(),
            "--plugin",
            plugin.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
    );
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let csv = out.join("sites_scored.csv");
    let rows = if csv.exists() {
        csv_rows(&csv)
    } else {
        Vec::new()
    };
    (o.status.code(), said, rows)
}

/// 人口 per 乡镇 from the villages file itself, added in file order.
fn population_per_township() -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut totals = BTreeMap::new();
    for f in json["features"].as_array().unwrap() {
        let p = &f["properties"];
        *totals
            .entry(p["乡镇"].as_str().unwrap().to_owned())
            .or_insert(0.0) += p["人口"].as_f64().unwrap();
    }
    totals
}

#[test]
fn a_site_scores_its_townships_population_as_the_villages_file_totals_it() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = score_plugin(
        tmp.path(),
        "township-population",
        r#"
        fn score(site, params) {
            let per_township = site.sum_by("villages", "人口", "乡镇");
            let n = site.count_by("villages", "乡镇");
            let people = per_township[site.township];
            if people == () { return exclude("no village in " + site.township); }
            term("people", 1.0, people) + term("villages", 0.0, n[site.township])
        }
        "#,
    );
    let (code, said, rows) = score_demo(tmp.path(), &plugin);
    assert_eq!(code, Some(0), "{said}");
    let want = population_per_township();
    assert_eq!(rows.len(), 40, "{said}");
    let sites: BTreeMap<String, String> = {
        let text = std::fs::read_to_string(repo().join("gis-data/demo/sites.geojson")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let p = &f["properties"];
                (
                    p["编号"].as_str().unwrap().to_owned(),
                    p["乡镇"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    for row in &rows {
        let township = &sites[&row["id"]];
        let score: f64 = row["score"].parse().unwrap_or_else(|_| panic!("{row:?}"));
        assert_eq!(score, want[township], "{row:?}");
    }
}

#[test]
fn a_misspelt_field_fails_every_site_naming_plugin_helper_layer_and_field() {
    for (helper, call) in [
        (
            "sum_within",
            r#"site.sum_within("villages", "人 口", 3000)"#,
        ),
        (
            "sum_by",
            r#"site.sum_by("villages", "人 口", "乡镇")[site.township]"#,
        ),
        ("mean_inside", r#"site.mean_inside("villages", "人 口")"#),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let plugin = score_plugin(
            tmp.path(),
            "misspelt",
            &format!("fn score(site, params) {{ term(\"people\", 1.0, {call}) }}"),
        );
        let (code, said, rows) = score_demo(tmp.path(), &plugin);
        let error = format!(
            "{helper}: layer \"villages\" has no field \"人 口\" (none of its 600 features has it; its fields: "
        );
        if rows.is_empty() {
            // The run as a whole failed: it says so, and why.
            assert_ne!(code, Some(0), "{said}");
            assert!(said.contains("misspelt") && said.contains(&error), "{said}");
            continue;
        }
        for row in &rows {
            assert!(
                row["score"].is_empty(),
                "{helper}: a site was scored: {row:?}"
            );
            let e = &row["error"];
            assert!(
                e.contains("plugin \"misspelt\"") && e.contains(&row["id"]) && e.contains(&error),
                "{helper}: {e}"
            );
            // The fields the layer has are listed, the right one among them.
            assert!(e.contains("人口"), "{e}");
        }
    }
}

/// The declaration is the contract for the helpers too: a field the plugin does not declare
/// is not there to add up, and the error says how to declare it.
#[test]
fn an_undeclared_field_does_not_reach_the_aggregates() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = score_plugin(
        tmp.path(),
        "undeclared",
        r#"fn score(site, params) { term("households", 1.0, site.sum_within("villages", "户数", 3000)) }"#,
    );
    let (_, said, rows) = score_demo(tmp.path(), &plugin);
    assert!(!rows.is_empty(), "{said}");
    for row in &rows {
        assert!(row["score"].is_empty(), "a site was scored: {row:?}");
        assert!(
            row["error"].contains("has no field \"户数\"")
                && row["error"].contains("reads declares: \"villages.户数\""),
            "{}",
            row["error"]
        );
    }
}

/// A plugin's own test cases give the helpers small layers with fields: `hecun plugin test`
/// runs the aggregates on them (the README's worked example, cut down).
#[test]
fn a_plugins_own_cases_can_exercise_the_aggregates() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = tmp.path().join("patients-near");
    std::fs::create_dir_all(&plugin).unwrap();
    let layers = r#"layers = { patients = [{ id = "P1", point = [10, 10], "人数" = 3, "街镇" = "东镇" }, { id = "P2", point = [50, 50], "人数" = 4.5, "街镇" = "西镇" }, { id = "P3", point = [900, 900], "人数" = 2, "街镇" = "东镇" }], townships = [{ id = "T1", polygon = [[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]] }, { id = "T2", polygon = [[5000, 5000], [5100, 5000], [5100, 5100], [5000, 5000]] }] }"#;
    std::fs::write(
        plugin.join("plugin.toml"),
        format!(
            r#"name = "patients-near"
version = "1.0.0"
contract = 1
kind = "site-score"
script = "score.rhai"
reads = ["patients.人数", "patients.街镇", "townships"]

[[tests]]
name = "totals inside, per township attribute and per township polygon"
input = {{ id = "S1", polygon = [[0, 0], [60, 0], [60, 60], [0, 60], [0, 0]], {layers} }}
expect = {{ score = 23.0, terms = {{ inside = 7.5, east = 5.0, t1 = 2.0, t2_mean_is_none = 1.0, near = 7.5 }} }}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        plugin.join("score.rhai"),
        r#"
        fn score(site, params) {
            let per_town = site.sum_by("patients", "人数", "街镇");
            let per_area = site.count_by_area("patients", "townships");
            let means = site.mean_by_area("patients", "人数", "townships");
            term("inside", 1.0, site.sum_inside("patients", "人数"))
                + term("east", 1.0, per_town["东镇"])
                + term("t1", 1.0, per_area["T1"])
                + term("t2_mean_is_none", 1.0, if means["T2"] == () { 1.0 } else { 0.0 })
                + term("near", 1.0, site.sum_within("patients", "人数", 0))
        }
        "#,
    )
    .unwrap();
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(said.contains("1 passed, 0 failed"), "{said}");
    assert!(!said.contains("FAIL"), "{said}");
}
