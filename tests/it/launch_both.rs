//! Several launch checks in one plan (`[checks] launch = [a, b]`, `hecun check --plugin a
//! --plugin b`): the combined verdict per community recomputed from each plugin's own run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};

fn demo(name: &str) -> String {
    repo()
        .join("gis-data/demo")
        .join(name)
        .display()
        .to_string()
}

fn plugin(name: &str) -> String {
    repo().join("plugins").join(name).display().to_string()
}

/// `hecun check` on the signing plan's layers with these plugins, into `out`.
fn check(dir: &Path, plugins: &[&str], out: &str) {
    let plan = demo("plan-signing.toml");
    let mut args = vec!["check", plan.as_str()];
    let paths: Vec<String> = plugins.iter().map(|p| plugin(p)).collect();
    for p in &paths {
        args.extend(["--plugin", p.as_str()]);
    }
    args.extend(["--out", out]);
    let o = hecun(&args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Per community: its status and its failed criteria and vetoes, from launch_checks.csv.
fn statuses(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    csv_rows(path)
        .into_iter()
        .map(|r| (r["community"].clone(), r))
        .collect()
}

fn combined(a: &str, b: &str) -> &'static str {
    let rank = |s: &str| match s {
        "pass" => 0,
        "fail" => 1,
        "veto" => 2,
        "error" => 3,
        other => panic!("status {other}"),
    };
    ["pass", "fail", "veto", "error"][rank(a).max(rank(b))]
}

fn qualified(plugin: &str, list: &str) -> BTreeSet<String> {
    list.split(';')
        .filter(|s| !s.is_empty())
        .map(|c| {
            // The host's own veto guard finding names no plugin.
            if c == "forced_demolition_known" {
                c.to_owned()
            } else {
                format!("{plugin}:{c}")
            }
        })
        .collect()
}

#[test]
fn two_launch_checks_combine_per_community_as_each_alone_says() {
    let tmp = tempfile::tempdir().unwrap();
    check(tmp.path(), &["launch-criteria"], "a");
    check(tmp.path(), &["signing-rate"], "b");
    check(tmp.path(), &["launch-criteria", "signing-rate"], "both");
    let a = statuses(&tmp.path().join("a/launch_checks.csv"));
    let b = statuses(&tmp.path().join("b/launch_checks.csv"));
    let both = statuses(&tmp.path().join("both/launch_checks.csv"));
    assert_eq!(a.len(), both.len());
    assert_eq!(b.len(), both.len());
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for (name, row) in &both {
        let (ra, rb) = (&a[name], &b[name]);
        let want = combined(&ra["status"], &rb["status"]);
        assert_eq!(row["status"], want, "{name}: {ra:?} {rb:?} {row:?}");
        seen.insert(want);
        assert_eq!(row["status:launch-criteria"], ra["status"], "{name}");
        assert_eq!(row["status:signing-rate"], rb["status"], "{name}");
        for column in ["failed", "vetoes"] {
            let mut want = qualified("launch-criteria", &ra[column]);
            want.extend(qualified("signing-rate", &rb[column]));
            let got: BTreeSet<String> = row[column]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            assert_eq!(got, want, "{name} {column}");
        }
    }
    // The demo has communities that pass both, fail one, and are vetoed.
    assert!(
        seen.contains("pass") && seen.contains("fail") && seen.contains("veto"),
        "{seen:?}"
    );
    // Communities the two plugins disagree on: the stricter one decides.
    assert!(
        both.iter()
            .any(|(n, r)| a[n]["status"] != b[n]["status"] && r["status"] != "pass"),
        "no community on which the plugins disagree"
    );
}

#[test]
fn every_finding_names_its_plugin_only_when_there_are_several() {
    let tmp = tempfile::tempdir().unwrap();
    check(tmp.path(), &["signing-rate"], "one");
    check(tmp.path(), &["launch-criteria", "signing-rate"], "both");
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join(p)).unwrap()).unwrap()
    };
    let one = read("one/launch_checks.json");
    for c in one.as_array().unwrap() {
        assert!(c.get("plugins").is_none(), "{c}");
        for f in c["findings"].as_array().unwrap() {
            assert!(f.get("plugin").is_none(), "{f}");
        }
    }
    let both = read("both/launch_checks.json");
    let mut plugins_seen = BTreeSet::new();
    for c in both.as_array().unwrap() {
        let own = c["plugins"].as_object().unwrap();
        assert_eq!(
            own.keys().collect::<Vec<_>>(),
            ["launch-criteria", "signing-rate"]
        );
        for f in c["findings"].as_array().unwrap() {
            if f["criterion"] == "forced_demolition_known" {
                continue;
            }
            let p = f["plugin"].as_str().unwrap();
            plugins_seen.insert(p.to_owned());
            // The plugin's own status reflects its findings.
            assert_ne!(own[p], "pass", "{c}");
            if f["criterion"] == "signing_rate" {
                assert_eq!(p, "signing-rate");
            }
        }
    }
    assert_eq!(plugins_seen.len(), 2);
}

#[test]
fn the_demo_plan_with_both_names_them_in_the_report_and_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo("plan-launch-both.toml");
    let o = hecun(&["run", "-q", &plan, "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(tmp.path().join("r/summary.txt")).unwrap();
    assert!(
        summary.contains("启动判定插件：launch-criteria、signing-rate"),
        "{summary}"
    );
    let html = std::fs::read_to_string(tmp.path().join("r/report.html")).unwrap();
    // The signing-rate criterion under the title its plugin declares, beside its id.
    assert!(
        html.contains("签约率不低于95% <code class=\"id\">signing-rate:signing_rate</code>"),
        "no titled signing-rate criterion in report.html"
    );
    assert!(html.contains("<td>launch-criteria</td>") && html.contains("<td>signing-rate</td>"));
    // The run's verdicts are those of hecun check with both plugins.
    check(tmp.path(), &["launch-criteria", "signing-rate"], "c");
    let run = statuses(&tmp.path().join("r/launch_checks.csv"));
    let checked = statuses(&tmp.path().join("c/launch_checks.csv"));
    for (name, row) in &checked {
        assert_eq!(run[name]["status"], row["status"], "{name}");
    }
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("r/run_manifest.json")).unwrap(),
    )
    .unwrap();
    let text = manifest.to_string();
    assert!(text.contains("launch-criteria") && text.contains("signing-rate"));
}

#[test]
fn a_standard_plugin_does_not_combine() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo("plan-signing.toml");
    let (a, b) = (plugin("planning-standard"), plugin("signing-rate"));
    let o = hecun(
        &["check", &plan, "--plugin", &a, "--plugin", &b, "--out", "x"],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("only launch-check plugins combine"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_plugin_error_on_a_community_is_that_communitys_error_naming_the_plugin() {
    let tmp = tempfile::tempdir().unwrap();
    check(tmp.path(), &["launch-criteria"], "a");
    let alone = statuses(&tmp.path().join("a/launch_checks.csv"));
    let victim = alone.keys().next().unwrap().clone();
    // A launch check that fails on one community and passes the others.
    let p = tmp.path().join("thrower");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("plugin.toml"),
        "name = \"thrower\"\nversion = \"1.0.0\"\ncontract = 1\nkind = \"launch-check\"\nscript = \"check.rhai\"\n",
    )
    .unwrap();
    std::fs::write(
        p.join("check.rhai"),
        format!("fn check(community, params) {{ if community.id == \"{victim}\" {{ throw \"no data here\"; }} [] }}\n"),
    )
    .unwrap();
    let plan = demo("plan-signing.toml");
    let (a, b) = (plugin("launch-criteria"), p.display().to_string());
    let o = hecun(
        &[
            "check", &plan, "--plugin", &a, "--plugin", &b, "--out", "both",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let both = statuses(&tmp.path().join("both/launch_checks.csv"));
    for (name, row) in &both {
        if *name == victim {
            assert_eq!(row["status"], "error");
            assert!(
                row["error"].contains("plugin \"thrower\"")
                    && row["error"].contains("no data here"),
                "{row:?}"
            );
            assert_eq!(row["status:thrower"], "error");
            assert_eq!(row["status:launch-criteria"], alone[name]["status"]);
        } else {
            // The thrower passes the others: the five criteria decide.
            assert_eq!(row["status"], alone[name]["status"], "{name}");
            assert_eq!(row["status:thrower"], "pass");
        }
    }
}
