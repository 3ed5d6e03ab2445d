//! A communities table keyed by id (`[layers.communities]`, issue 12): a launch check reads
//! the community's own attributes (`communities.FIELD`, the community's `FIELD`) from a
//! GeoJSON with or without geometry; unmatched ids on either side are warnings naming file,
//! feature and key.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{hecun, repo, stderr};

/// The demo's communities, as its villages name them.
fn demo_communities() -> Vec<String> {
    let villages: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap(),
    )
    .unwrap();
    let mut names: Vec<String> = villages["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["社区"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A plan over the demo with `communities.geojson` (in `dir`) and the launch check `check`
/// reading `reads`.
fn setup(dir: &Path, reads: &str) {
    let demo = repo().join("gis-data/demo");
    let base = demo.display().to_string().replace('\\', "/");
    let text = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
    let mut text = text.replace("path = \"", &format!("path = \"{base}/"));
    text.truncate(text.find("[checks]").unwrap());
    text.push_str(
        "\n[layers.communities]\npath = \"communities.geojson\"\nfields = { id = \"社区编号\" }\n\
         \n[checks]\nlaunch = \"check\"\n",
    );
    std::fs::write(dir.join("plan.toml"), text).unwrap();
    let check = dir.join("check");
    std::fs::create_dir_all(&check).unwrap();
    std::fs::write(
        check.join("plugin.toml"),
        format!(
            "name = \"approval\"\nversion = \"1\"\ncontract = 1\nkind = \"launch-check\"\n\
             script = \"check.rhai\"\nreads = [{reads}]\n"
        ),
    )
    .unwrap();
    std::fs::write(
        check.join("check.rhai"),
        r#"fn check(community, params) {
    let doc = community["批复文号"];
    if type_of(doc) != "string" || doc == "" {
        [fail("approved", "no approval document", #{ community: community.id })]
    } else { [] }
}"#,
    )
    .unwrap();
    // Every community but the last has a row; every third has no document; the rows
    // alternate between no geometry (null or absent) and a point; one row names no
    // community of the plan.
    let names = demo_communities();
    let mut features = Vec::new();
    for (i, name) in names[..names.len() - 1].iter().enumerate() {
        let mut f = serde_json::json!({"type": "Feature", "properties": {"社区编号": name}});
        if i % 3 != 0 {
            f["properties"]["批复文号"] = format!("郑政〔2025〕{i}号").into();
        }
        match i % 3 {
            0 => f["geometry"] = serde_json::Value::Null,
            1 => {}
            _ => f["geometry"] = serde_json::json!({"type": "Point", "coordinates": [113.6, 34.7]}),
        }
        features.push(f);
    }
    features.push(serde_json::json!({"type": "Feature", "properties": {"社区编号": "不存在的社区", "批复文号": "x"}, "geometry": null}));
    std::fs::write(
        dir.join("communities.geojson"),
        serde_json::json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
}

#[test]
fn a_launch_check_reads_the_communities_table_by_id() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path(), "\"communities.批复文号\"");
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let names = demo_communities();
    // Which communities have a document, from the table as written here.
    let approved: BTreeMap<&str, bool> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i + 1 < names.len() && i % 3 != 0))
        .collect();
    let checks: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("r/launch_checks.json")).unwrap(),
    )
    .unwrap();
    let checks = checks.as_array().unwrap();
    // Every row of the table is a community of the plan: the one no village names takes in
    // none (this test's rule looks only at the document, which it has; the warning below
    // says it takes in no village).
    assert_eq!(checks.len(), names.len() + 1);
    for c in checks {
        let name = c["community"].as_str().unwrap();
        if name == "不存在的社区" {
            assert_eq!(c["status"], "pass", "{c}");
            continue;
        }
        assert_eq!(c["status"] == "pass", approved[name], "{name}: {c}");
    }
    // Unmatched ids on either side are said, naming file, feature and key.
    let e = stderr(&o);
    let last = names.last().unwrap();
    assert!(
        e.contains("communities.geojson")
            && e.contains("\"不存在的社区\"")
            && e.contains("takes in no village"),
        "{e}"
    );
    assert!(
        e.contains(&format!("no feature has community id {last:?}")),
        "{e}"
    );
}

#[test]
fn a_community_field_that_is_an_engine_key_or_missing_is_an_error_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path(), "\"communities.township\"");
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("\"approval\"") && e.contains("communities.township"),
        "{e}"
    );
    assert!(!tmp.path().join("r").exists());
    setup(tmp.path(), "\"communities.批复\"");
    let o = hecun(&["run", "plan.toml", "--out", "r"], tmp.path());
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("\"approval\"") && e.contains("communities.批复"),
        "{e}"
    );
}
