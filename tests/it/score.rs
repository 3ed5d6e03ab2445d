//! `hecun score` and the site scores of `hecun run`, with the real binary on the demo plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{csv_rows, hecun, repo};

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "CSV starts with a BOM"
    );
    csv_rows(path)
}

#[test]
fn score_ranks_the_demo_sites_and_chooses_at_most_two_per_township() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let o = hecun(&["score", plan.to_str().unwrap(), "--out", "s"], tmp.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("site-score: 40 candidate sites"),
        "{stdout}"
    );
    let sites = rows(&tmp.path().join("s/sites_scored.csv"));
    assert_eq!(sites.len(), 40);
    let mut chosen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut last = f64::INFINITY;
    for (i, s) in sites.iter().enumerate() {
        if s["excluded"].is_empty() {
            // Best first, ranks 1, 2, 3… in order; the score is the sum of its terms.
            assert_eq!(s["rank"], (i + 1).to_string());
            let score: f64 = s["score"].parse().unwrap();
            assert!(score <= last);
            last = score;
            let terms: f64 = s
                .iter()
                .filter(|(k, _)| k.starts_with("term:"))
                .map(|(_, v)| v.parse::<f64>().unwrap())
                .sum();
            assert!((terms - score).abs() < 1e-12, "{s:?}");
        } else {
            assert!(s["rank"].is_empty() && s["score"].is_empty() && s["chosen"].is_empty());
            // An excluded site is in a zone, a corridor, the red line or on farmland.
            let why = [
                // The CSV's reason is in the plan's own language, zh-CN.
                ("in_zone", "位于拆迁范围"),
                ("in_corridor", "位于生态廊道内"),
            ];
            for (feature, words) in why {
                if s["excluded"].contains(words) {
                    assert_eq!(s[feature], "true", "{s:?}");
                }
            }
        }
        if s["chosen"] == "yes" {
            *chosen.entry(s["township"].as_str()).or_default() += 1;
            assert!(s["township_rank"] == "1" || s["township_rank"] == "2");
        }
    }
    assert!(
        chosen.values().all(|&n| n <= 2) && chosen.len() > 5,
        "{chosen:?}"
    );
    // The explanations: every scored site lists its terms; every exclusion its evidence.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("s/site_scores.json")).unwrap(),
    )
    .unwrap();
    for entry in json.as_array().unwrap() {
        if entry.get("score").is_some() {
            assert_eq!(entry["terms"].as_array().unwrap().len(), 3, "{entry}");
        } else {
            assert!(entry["excluded"]["reason"].is_string(), "{entry}");
        }
    }
    // The map layer carries the planner's fields and hecun's.
    let geo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("s/sites_scored.geojson")).unwrap(),
    )
    .unwrap();
    let first = &geo["features"][0]["properties"];
    assert!(
        first["名称"].is_string() && first["hecun_rank"] == 1 && first["hecun_chosen"] == true,
        "{first}"
    );
}

#[test]
fn a_plugin_failing_on_one_site_is_named_and_the_others_are_scored() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("plugin.toml"),
        "name = \"loops-on-s007\"\nversion = \"0.1.0\"\ncontract = 1\nkind = \"site-score\"\nscript = \"score.rhai\"\n[limits]\nmax_operations = 100000\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("score.rhai"),
        "fn score(site, params) {\n    if site.id == \"S007\" {\n        loop { }\n    }\n    term(\"road\", 1.0, 1.0 / (1.0 + site.road_distance))\n}\n",
    )
    .unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let o = hecun(
        &[
            "score",
            plan.to_str().unwrap(),
            "--plugin",
            "plugin.toml",
            "--out",
            "s",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("39 scored, 0 excluded, 1 plugin errors"));
    let sites = rows(&tmp.path().join("s/sites_scored.csv"));
    let bad: Vec<_> = sites.iter().filter(|s| !s["error"].is_empty()).collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["id"], "S007");
    let error = &bad[0]["error"];
    assert!(
        error.contains("loops-on-s007") && error.contains("S007") && error.contains("line 3"),
        "{error}"
    );
}

#[test]
fn score_without_a_plugin_says_how_to_give_one() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let text = std::fs::read_to_string(&plan).unwrap();
    // The same plan without [scoring], its layer paths made absolute.
    let demo = repo().join("gis-data/demo");
    let cut = text
        .split("[scoring]")
        .next()
        .unwrap()
        .replace("path = \"", &format!("path = \"{}/", demo.display()));
    let copy = tmp.path().join("plan.toml");
    std::fs::write(&copy, cut).unwrap();
    let o = hecun(&["score", copy.to_str().unwrap(), "--out", "s"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--plugin"));
}

#[test]
fn every_shipped_plugin_passes_its_own_cases() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("plugins"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("plugin.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "{dirs:?}");
    let mut args = vec!["plugin".to_owned(), "test".to_owned()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = hecun(&args, Path::new("."));
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!text.contains("FAIL"), "{text}");
    for d in &dirs {
        let name = d.file_name().unwrap().to_str().unwrap();
        assert!(text.contains(name), "{name} missing from: {text}");
    }
}
