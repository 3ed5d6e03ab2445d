//! The one-vote veto (强制拆迁) never passes for lack of data (issue 10, part 1), through the
//! real binary: every documented yes/no encoding is read as what it says, anything else is an
//! error naming file, feature, field and value, and a missing or unreadable veto field keeps
//! the community from launching, with a finding that says so.
//!
//! The region is the demo with every launch criterion made to hold, so that any community not
//! launching is the veto field's doing. Which community a village belongs to is read straight
//! from the villages file (its 社区 field), not from hecun.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};
use serde_json::{Value, json};

const VETO: &str = "强制拆迁";

/// The demo's villages with every launch criterion holding and no forced demolition.
fn all_clear_villages() -> Value {
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let mut fc: Value = serde_json::from_str(&text).unwrap();
    for f in fc["features"].as_array_mut().unwrap() {
        let p = f["properties"].as_object_mut().unwrap();
        for (field, value) in [
            ("方案通过", true),
            ("新批宅基地", false),
            ("新建建筑", false),
            ("用地合法", true),
            ("基础设施开工", true),
            ("安置房开工", true),
            (VETO, false),
        ] {
            p.insert(field.to_owned(), value.into());
        }
    }
    fc
}

/// A project folder: the demo plan and layers (villages replaced) and the launch plugin.
fn project(villages: &Value, keep_going: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("gis-data/demo");
    std::fs::create_dir_all(&demo).unwrap();
    for e in std::fs::read_dir(repo().join("gis-data/demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), demo.join(e.file_name())).unwrap();
    }
    std::fs::write(
        demo.join("villages.geojson"),
        serde_json::to_string(villages).unwrap(),
    )
    .unwrap();
    if keep_going {
        let plan = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
        std::fs::write(
            demo.join("plan.toml"),
            format!("{plan}\n[options]\nkeep_going = true\n"),
        )
        .unwrap();
    }
    let plugin = dir.path().join("plugins/launch-criteria");
    std::fs::create_dir_all(&plugin).unwrap();
    for name in ["plugin.toml", "check.rhai"] {
        std::fs::copy(
            repo().join("plugins/launch-criteria").join(name),
            plugin.join(name),
        )
        .unwrap();
    }
    dir
}

/// `hecun check` of the launch criteria in `dir`: the process and, when it wrote them, the
/// rows of launch_checks.csv by community.
fn check(
    dir: &Path,
) -> (
    std::process::Output,
    BTreeMap<String, BTreeMap<String, String>>,
) {
    let out = hecun(
        &[
            "check",
            "gis-data/demo/plan.toml",
            "--plugin",
            "plugins/launch-criteria",
            "--out",
            "out",
        ],
        dir,
    );
    let table = dir.join("out/launch_checks.csv");
    let rows = if table.exists() {
        csv_rows(&table)
            .into_iter()
            .map(|r| (r["community"].clone(), r))
            .collect()
    } else {
        BTreeMap::new()
    };
    (out, rows)
}

/// The community (社区) of each village, by feature index, as the file says.
fn community_of(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["社区"].as_str().unwrap().to_owned())
        .collect()
}

/// One village per community, by feature index: the first village of each community.
fn one_village_per_community(fc: &Value) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    community_of(fc)
        .into_iter()
        .enumerate()
        .filter(|(_, c)| seen.insert(c.clone()))
        .map(|(i, _)| i)
        .collect()
}

fn set_veto(fc: &mut Value, index: usize, value: Option<Value>) {
    let p = fc["features"][index]["properties"].as_object_mut().unwrap();
    match value {
        Some(v) => p.insert(VETO.to_owned(), v),
        None => p.remove(VETO),
    };
}

#[test]
fn with_every_criterion_holding_every_community_launches() {
    // The baseline the other tests change one field of.
    let fc = all_clear_villages();
    let dir = project(&fc, false);
    let (out, rows) = check(dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let communities: std::collections::BTreeSet<String> = community_of(&fc).into_iter().collect();
    assert_eq!(
        rows.keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        communities
    );
    assert!(rows.values().all(|r| r["status"] == "pass"), "{rows:?}");
}

#[test]
fn every_documented_encoding_is_read_as_it_says() {
    let yes = [
        json!(true),
        json!(1),
        json!(1.0),
        json!("true"),
        json!("TRUE"),
        json!("True"),
        json!("1"),
        json!("1.0"),
        json!("是"),
        json!("有"),
        json!("Y"),
        json!("y"),
        json!("√"),
        json!(" 是 "),
    ];
    let no = [
        json!(false),
        json!(0),
        json!(0.0),
        json!("false"),
        json!("FALSE"),
        json!("0"),
        json!("0.0"),
        json!("否"),
        json!("无"),
        json!("N"),
        json!("n"),
        json!("×"),
    ];
    let mut fc = all_clear_villages();
    let picks = one_village_per_community(&fc);
    assert!(
        picks.len() >= yes.len() + no.len(),
        "the demo has too few communities"
    );
    let community = community_of(&fc);
    let mut expected = BTreeMap::new();
    for (value, &i) in yes.iter().chain(&no).zip(&picks) {
        set_veto(&mut fc, i, Some(value.clone()));
        let vetoed = yes.contains(value);
        expected.insert(community[i].clone(), (value.clone(), vetoed));
    }
    let dir = project(&fc, false);
    let (out, rows) = check(dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    for (c, (value, vetoed)) in &expected {
        let row = &rows[c];
        if *vetoed {
            assert_eq!(row["status"], "veto", "{value} in {c}: {row:?}");
            assert_eq!(row["vetoes"], "no_forced_demolition", "{value}");
        } else {
            assert_eq!(row["status"], "pass", "{value} in {c}: {row:?}");
        }
    }
    // The communities left alone still launch.
    for (c, row) in &rows {
        if !expected.contains_key(c) {
            assert_eq!(row["status"], "pass", "{c}");
        }
    }
}

#[test]
fn a_value_outside_the_documented_set_is_an_error_naming_file_feature_field_and_value() {
    let fc0 = all_clear_villages();
    let i = one_village_per_community(&fc0)[3];
    let id = fc0["features"][i]["properties"]["统计用区划代码"]
        .as_str()
        .unwrap()
        .to_owned();
    // Survey coding 1=是/2=否 must not read 2 as yes; English words, fractions, lists and
    // two marks at once are not in the set either.
    for (value, shown) in [
        (json!(2), "2"),
        (json!("2"), "\"2\""),
        (json!(-1), "-1"),
        (json!(0.5), "0.5"),
        (json!("yes"), "\"yes\""),
        (json!("maybe"), "\"maybe\""),
        (json!("是的"), "\"是的\""),
        (json!("√×"), "\"√×\""),
        (json!([true]), "[true]"),
        (json!({"v": 1}), "{\"v\":1}"),
    ] {
        let mut fc = fc0.clone();
        set_veto(&mut fc, i, Some(value.clone()));
        let dir = project(&fc, false);
        let (out, rows) = check(dir.path());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{value}: {err}");
        assert!(
            rows.is_empty(),
            "{value}: no outputs are written on an input error"
        );
        for part in [
            "villages.geojson",
            &format!("feature #{i}"),
            &id,
            VETO,
            shown,
            "unreadable",
        ] {
            assert!(err.contains(part), "{value}: {part:?} not in {err}");
        }
        assert!(!err.contains("missing"), "{value}: {err}");
    }
}

#[test]
fn with_keep_going_an_unreadable_veto_field_blocks_its_community_and_shows_the_value() {
    let mut fc = all_clear_villages();
    let i = one_village_per_community(&fc)[5];
    let community = community_of(&fc)[i].clone();
    let id = fc["features"][i]["properties"]["统计用区划代码"]
        .as_str()
        .unwrap()
        .to_owned();
    set_veto(&mut fc, i, Some(json!("maybe")));
    let dir = project(&fc, true);
    let (out, rows) = check(dir.path());
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning") && err.contains("\"maybe\"") && err.contains(VETO),
        "{err}"
    );
    let row = &rows[&community];
    assert_eq!(row["status"], "fail", "{row:?}");
    assert_eq!(row["failed"], "forced_demolition_known");
    assert_eq!(row["vetoes"], "");
    for (c, r) in &rows {
        if *c != community {
            assert_eq!(r["status"], "pass", "{c}");
        }
    }
    // The finding names the village, the field (as the model and the file call it) and the
    // value as written.
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/launch_checks.json")).unwrap(),
    )
    .unwrap();
    let entry = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["community"] == community.as_str())
        .unwrap();
    let findings = entry["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["criterion"], "forced_demolition_known");
    assert_eq!(f["veto"], false);
    assert_eq!(f["evidence"]["village"], id.as_str());
    assert_eq!(f["evidence"]["field"], "forced_demolition");
    assert_eq!(f["evidence"]["file_field"], VETO);
    assert_eq!(f["evidence"]["value"], "maybe");
    assert!(f["reason"].as_str().unwrap().contains("maybe"), "{f}");
}

#[test]
fn a_missing_or_null_veto_field_keeps_the_community_from_launching() {
    let mut fc = all_clear_villages();
    let picks = one_village_per_community(&fc);
    let community = community_of(&fc);
    let (missing, null) = (picks[0], picks[1]);
    set_veto(&mut fc, missing, None);
    set_veto(&mut fc, null, Some(Value::Null));
    let dir = project(&fc, false);
    let (out, rows) = check(dir.path());
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for i in [missing, null] {
        let row = &rows[&community[i]];
        assert_eq!(row["status"], "fail", "{row:?}");
        assert_eq!(row["failed"], "forced_demolition_known", "{row:?}");
    }
    let launched = rows.values().filter(|r| r["status"] == "pass").count();
    assert_eq!(launched, rows.len() - 2);
    // One warning for the layer, counting both villages.
    assert_eq!(
        err.matches("without a value for forced_demolition").count(),
        1,
        "{err}"
    );
    let total = fc["features"].as_array().unwrap().len();
    assert!(err.contains(&format!("2 of {total}")), "{err}");
}

#[test]
fn without_the_veto_field_no_community_launches_and_the_run_says_so_once() {
    let mut fc = all_clear_villages();
    for i in 0..fc["features"].as_array().unwrap().len() {
        set_veto(&mut fc, i, None);
    }
    let dir = project(&fc, false);
    let (out, rows) = check(dir.path());
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!rows.is_empty());
    for (c, r) in &rows {
        assert_eq!(r["status"], "fail", "{c}: {r:?}");
        assert_eq!(r["failed"], "forced_demolition_known", "{c}");
    }
    assert_eq!(
        err.matches("no village has a value for forced_demolition")
            .count(),
        1,
        "{err}"
    );
}

#[test]
fn the_demo_without_its_veto_field_launches_nothing_and_the_report_says_why() {
    // On the demo as shipped some communities launch and ten are vetoed: deleting the field
    // must not make the vetoes vanish into launches, and summary.txt must say why.
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let mut fc: Value = serde_json::from_str(&text).unwrap();
    for f in fc["features"].as_array_mut().unwrap() {
        f["properties"].as_object_mut().unwrap().remove(VETO);
    }
    let dir = project(&fc, false);
    // The report run needs the other plugins the demo plan names.
    for plugin in ["planning-standard", "site-score"] {
        let to = dir.path().join("plugins").join(plugin);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(repo().join("plugins").join(plugin)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let out = hecun(
        &["run", "gis-data/demo/plan.toml", "--out", "out", "--quiet"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = csv_rows(&dir.path().join("out/launch_checks.csv"));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["status"] != "pass"), "{rows:?}");
    assert!(
        rows.iter().all(|r| r["failed"]
            .split(';')
            .any(|c| c == "forced_demolition_known")),
        "{rows:?}"
    );
    let summary = std::fs::read_to_string(dir.path().join("out/summary.txt")).unwrap();
    assert_eq!(
        summary
            .matches("没有任何村庄有 forced_demolition 的值")
            .count(),
        1,
        "{summary}"
    );
}
