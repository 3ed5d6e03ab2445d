//! Evidence on scores, not only on exclusions: a Rhai site score answering
//! `scored(score, #{…})`, through `hecun plugin test`, `hecun score` and `hecun run`.

use std::path::{Path, PathBuf};

use crate::common::{csv_rows, hecun, repo, stderr};

const SCRIPT: &str = r#"
fn score(site, params) {
    let road = site.road_distance;
    let s = term("road", 1.0, 1.0 / (1.0 + road / 1000.0));
    scored(s, #{ road_m: road, township: site.township, rule: params.rule })
}
"#;

/// A site-score plugin in `dir/name` with these extra manifest lines.
fn plugin(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("plugin.toml"),
        format!(
            r#"name = "{name}"
version = "1.0.0"
contract = 1
kind = "site-score"
script = "score.rhai"
reads = ["sites.township", "roads"]
[params]
rule = "road access"
{extra}
[[tests]]
name = "on a road"
input = {{ id = "S1", road_distance = 0.0, township = "金水镇" }}
expect = {{ score = 1.0, evidence = {{ road_m = 0.0, township = "金水镇", rule = "road access" }} }}
"#
        ),
    )
    .unwrap();
    std::fs::write(p.join("score.rhai"), SCRIPT).unwrap();
    p
}

#[test]
fn plugin_test_checks_the_evidence_of_a_score() {
    let tmp = tempfile::tempdir().unwrap();
    let good = plugin(tmp.path(), "road-evidence", "");
    let o = hecun(&["plugin", "test", good.to_str().unwrap()], tmp.path());
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    // A case expecting other evidence fails, naming the key and both values.
    let bad = plugin(tmp.path(), "road-evidence-bad", "");
    let text = std::fs::read_to_string(bad.join("plugin.toml"))
        .unwrap()
        .replace("township = \"金水镇\", rule", "township = \"中原镇\", rule");
    std::fs::write(bad.join("plugin.toml"), text).unwrap();
    let o = hecun(&["plugin", "test", bad.to_str().unwrap()], tmp.path());
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("evidence \"township\" is \"金水镇\" (expected \"中原镇\")"),
        "{out}"
    );
}

#[test]
fn the_evidence_of_a_score_lands_in_the_scores_file_and_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let p = plugin(tmp.path(), "road-evidence", "");
    let demo = repo().join("gis-data/demo");
    let o = hecun(
        &[
            "score",
            demo.join("plan.toml").to_str().unwrap(),
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            "s",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("s/site_scores.json")).unwrap(),
    )
    .unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 40);
    for e in list {
        let ev = &e["evidence"];
        assert_eq!(ev["road_m"], e["features"]["road_distance"], "{e}");
        assert_eq!(ev["township"], e["features"]["township"], "{e}");
        assert_eq!(ev["rule"], "road access");
    }
    // The report shows it under the site's terms: a plan of the demo's layers with this
    // scoring and no checks.
    let plan = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
    let base = demo.display().to_string().replace('\\', "/");
    let mut text = plan.replace("path = \"", &format!("path = \"{base}/"));
    let cut = text.find("[checks]").unwrap();
    text.truncate(cut);
    text.push_str(&format!(
        "[scoring]\nsites = \"{}\"\n",
        p.display().to_string().replace('\\', "/")
    ));
    std::fs::write(tmp.path().join("plan.toml"), text).unwrap();
    let o = hecun(&["run", "-q", "plan.toml", "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(tmp.path().join("r/report.html")).unwrap();
    assert!(
        html.contains("<code>rule</code> = road access"),
        "no evidence in report.html"
    );
    let rows = csv_rows(&tmp.path().join("r/sites_scored.csv"));
    assert_eq!(rows.len(), 40);
}

#[test]
fn the_evidence_of_a_score_is_bounded_by_max_evidence_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = plugin(
        tmp.path(),
        "road-evidence",
        "[limits]\nmax_evidence_bytes = 20",
    );
    // The plugin's own case breaks the limit too: take it out to reach the run.
    let text = std::fs::read_to_string(p.join("plugin.toml")).unwrap();
    let cut = text.find("[[tests]]").unwrap();
    std::fs::write(p.join("plugin.toml"), &text[..cut]).unwrap();
    let demo = repo().join("gis-data/demo");
    let o = hecun(
        &[
            "score",
            demo.join("plan.toml").to_str().unwrap(),
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            "s",
        ],
        tmp.path(),
    );
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(all.contains("max_evidence_bytes = 20"), "{all}");
    assert!(!o.status.success(), "every site failed: {all}");
}
