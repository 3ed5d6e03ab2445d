//! A plugin's `reads` is the contract (issue 12): checked against the plan before the run,
//! the declared fields and layers reach the plugin, and its own test cases may hold only what
//! it declares. Each case through the real binary, on the demo region.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::{csv_rows, hecun, repo, stderr};

fn demo() -> PathBuf {
    repo().join("gis-data/demo")
}

/// A copy of the shipped plugin `name` in `dir`, its manifest passed through `edit`.
fn plugin_copy(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let from = repo().join("plugins").join(name);
    let to = dir.join(name);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    let manifest = to.join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, edit(text)).unwrap();
    to
}

/// The signing plan, written in `dir` with its layers in the demo folder, launching with
/// `plugin`, and `extra` appended.
fn signing_plan(dir: &Path, plugin: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(demo().join("plan-signing.toml")).unwrap();
    let mut text = text.replace(
        "path = \"",
        &format!(
            "path = \"{}/",
            demo().display().to_string().replace('\\', "/")
        ),
    );
    text = text.replace(
        "launch = \"../../plugins/signing-rate\"",
        &format!(
            "launch = \"{}\"",
            plugin.display().to_string().replace('\\', "/")
        ),
    );
    text.push_str(extra);
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(plan: &Path, out: &Path) -> std::process::Output {
    hecun(
        &[
            "run",
            plan.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        plan.parent().unwrap(),
    )
}

#[test]
fn a_declared_layer_the_plan_does_not_list_is_an_error_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(tmp.path(), "signing-rate", |t| {
        t.replace(
            "reads = [\"villages.户数\", \"villages.签约户数\"]",
            "reads = [\"villages.户数\", \"villages.签约户数\", \"patients.人数\"]",
        )
    });
    let plan = signing_plan(tmp.path(), &plugin, "");
    let out = tmp.path().join("out");
    let o = run(&plan, &out);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("plugin \"signing-rate\"")
            && err.contains("reads layer \"patients\"")
            && err.contains("[layers.patients]"),
        "{err}"
    );
    assert!(
        !out.join("launch_checks.csv").exists(),
        "nothing is written"
    );
}

#[test]
fn a_misspelt_declared_field_is_an_error_naming_plugin_layer_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(tmp.path(), "signing-rate", |t| {
        t.replace("\"villages.签约户数\"]", "\"villages.签约户\"]")
    });
    let plan = signing_plan(tmp.path(), &plugin, "");
    let o = run(&plan, &tmp.path().join("out"));
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("plugin \"signing-rate\"") && err.contains("reads villages.签约户"),
        "{err}"
    );
    assert!(err.contains("villages.geojson"), "names the file: {err}");
    // The file's own field names are listed, so the misspelling shows.
    assert!(err.contains("签约户数"), "{err}");
}

#[test]
fn an_undeclared_field_is_not_handed_over() {
    // The same rule declaring 户数 only: 签约户数 is in the file, but undeclared it never
    // reaches the script, and every village is said to lack it.
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(tmp.path(), "signing-rate", |t| {
        let t = t.replace(
            "reads = [\"villages.户数\", \"villages.签约户数\"]",
            "reads = [\"villages.户数\"]",
        );
        // Its own cases would now be refused; drop them.
        t[..t.find("[[tests]]").unwrap()].to_owned()
    });
    let plan = signing_plan(tmp.path(), &plugin, "");
    let out = tmp.path().join("out");
    let o = run(&plan, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&out.join("launch_checks.csv"));
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["status"], "fail", "{row:?}");
        assert_eq!(row["failed"], "signing_data", "{row:?}");
    }
}

#[test]
fn signing_rate_on_the_demo_agrees_with_the_villages_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let plan = demo().join("plan-signing.toml");
    let o = run(&plan, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    // Independently: Σ 签约户数 / Σ 户数 over each community's villages (社区), ≥ 0.95.
    let text = std::fs::read_to_string(demo().join("villages.geojson")).unwrap();
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        let p = &f["properties"];
        let e = sums
            .entry(p["社区"].as_str().unwrap().to_owned())
            .or_default();
        e.0 += p["签约户数"].as_f64().unwrap();
        e.1 += p["户数"].as_f64().unwrap();
    }
    let want: BTreeMap<String, &str> = sums
        .iter()
        .map(|(c, (s, h))| (c.clone(), if s / h >= 0.95 { "pass" } else { "fail" }))
        .collect();
    let got: BTreeMap<String, String> = csv_rows(&out.join("launch_checks.csv"))
        .into_iter()
        .map(|r| (r["community"].clone(), r["status"].clone()))
        .collect();
    let got: BTreeMap<String, &str> = got.iter().map(|(c, s)| (c.clone(), s.as_str())).collect();
    assert_eq!(got, want);
    // The demo shows both outcomes: most communities pass, a few do not.
    let fails = want.values().filter(|s| **s == "fail").count();
    assert!(
        fails >= 1 && fails * 4 < want.len(),
        "{fails} of {}",
        want.len()
    );
    // The run manifest records what the plugin was given.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run_manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["plugins"][0]["reads"],
        serde_json::json!({ "villages": ["户数", "签约户数"] })
    );
}

#[test]
fn a_declared_layer_of_the_plans_own_reaches_the_spatial_helpers() {
    let tmp = tempfile::tempdir().unwrap();
    // One point of patients (人数 7) inside site S001, one far outside the region.
    let sites: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(demo().join("sites.geojson")).unwrap())
            .unwrap();
    let s001 = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["编号"] == "S001")
        .unwrap();
    let ring = s001["geometry"]["coordinates"][0].as_array().unwrap();
    let n = (ring.len() - 1) as f64;
    let (x, y) = ring[..ring.len() - 1].iter().fold((0.0, 0.0), |(x, y), c| {
        (
            x + c[0].as_f64().unwrap() / n,
            y + c[1].as_f64().unwrap() / n,
        )
    });
    let patients = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"编号": "P1", "人数": 7}, "geometry": {"type": "Point", "coordinates": [x, y]}},
        {"type": "Feature", "properties": {"编号": "P2", "人数": 100}, "geometry": {"type": "Point", "coordinates": [100.0, 20.0]}},
    ]});
    let patients_path = tmp.path().join("patients.geojson");
    std::fs::write(&patients_path, patients.to_string()).unwrap();
    let plugin = tmp.path().join("near-patients");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("plugin.toml"),
        "name = \"near-patients\"\nversion = \"1\"\ncontract = 1\nkind = \"site-score\"\n\
         script = \"score.rhai\"\nreads = [\"patients.人数\"]\n",
    )
    .unwrap();
    std::fs::write(
        plugin.join("score.rhai"),
        "fn score(site, params) { site.sum_within(\"patients\", \"人数\", 0.0) }\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(demo().join("plan.toml")).unwrap();
    let mut text = text.replace(
        "path = \"",
        &format!(
            "path = \"{}/",
            demo().display().to_string().replace('\\', "/")
        ),
    );
    let start = text.find("[checks]").unwrap();
    text.truncate(start);
    text.push_str(&format!(
        "[layers.patients]\npath = \"{}\"\n\n[scoring]\nsites = \"{}\"\ntop = 1\n",
        patients_path.display().to_string().replace('\\', "/"),
        plugin.display().to_string().replace('\\', "/")
    ));
    let plan = tmp.path().join("plan.toml");
    std::fs::write(&plan, text).unwrap();
    let out = tmp.path().join("out");
    let o = run(&plan, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let scores: BTreeMap<String, f64> = csv_rows(&out.join("sites_scored.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r["score"].parse().unwrap()))
        .collect();
    assert_eq!(scores["S001"], 7.0, "{scores:?}");
    assert!(
        scores.iter().all(|(id, s)| id == "S001" || *s == 0.0),
        "{scores:?}"
    );
}

#[test]
fn plugin_test_refuses_a_case_with_an_undeclared_field() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(tmp.path(), "signing-rate", |t| {
        t + "\n[[tests]]\nname = \"reads the population of the village\"\n\
             input = { id = \"S9\", villages = [{ id = \"v1\", \"户数\" = 10, \"签约户数\" = 10, \"人口数\" = 30, forced_demolition = false }] }\n\
             expect = { status = \"pass\" }\n"
    });
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(!o.status.success(), "{all}");
    assert!(
        all.contains("reads the population of the village")
            && all.contains("\"人口数\"")
            && all.contains("villages.人口数")
            && all.contains("reads"),
        "{all}"
    );
    // The shipped cases still pass.
    assert!(all.contains("8 passed, 1 failed"), "{all}");
}

#[test]
fn plugin_test_refuses_a_case_with_an_undeclared_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = plugin_copy(tmp.path(), "site-score", |t| {
        t + "\n[[tests]]\nname = \"a school nearby\"\n\
             input = { id = \"S9\", road_distance = 0.0, point = [0, 0], layers = { facilities = [{ id = \"F1\", class = \"学校\", point = [10, 0] }] } }\n\
             expect = { score = 0.0 }\n"
    });
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(!o.status.success(), "{all}");
    assert!(
        all.contains("a school nearby") && all.contains("layer \"facilities\""),
        "{all}"
    );
}

#[test]
fn a_launch_check_sees_its_communitys_site_with_the_spatial_helpers() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = tmp.path().join("site-look");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("plugin.toml"),
        "name = \"site-look\"\nversion = \"1\"\ncontract = 1\nkind = \"launch-check\"\n\
         script = \"check.rhai\"\nreads = [\"sites.名称\", \"roads\"]\n",
    )
    .unwrap();
    // One finding per community, its evidence what the script saw of the site.
    std::fs::write(
        plugin.join("check.rhai"),
        "fn check(community, params) {\n\
           let s = community.site;\n\
           [fail(\"look\", \"seen\", #{ id: s.id, name: s[\"名称\"], township: s[\"乡镇\"], road: s.distance_to(\"roads\") })]\n\
         }\n",
    )
    .unwrap();
    let plan = signing_plan(tmp.path(), &plugin, "");
    let out = tmp.path().join("out");
    let o = run(&plan, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let checks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("launch_checks.json")).unwrap())
            .unwrap();
    let sites: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(demo().join("sites.geojson")).unwrap())
            .unwrap();
    let id_of: BTreeMap<&str, &str> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["名称"].as_str().unwrap(),
                f["properties"]["编号"].as_str().unwrap(),
            )
        })
        .collect();
    let list = checks.as_array().unwrap();
    assert_eq!(list.len(), 40);
    for c in list {
        let name = c["community"].as_str().unwrap();
        let e = &c["findings"][0]["evidence"];
        assert_eq!(e["name"], name, "{c}");
        assert_eq!(e["id"], id_of[name], "{c}");
        // 乡镇 is in the file but not declared: not handed over.
        assert!(e["township"].is_null(), "{c}");
        let d = e["road"].as_f64().unwrap();
        assert!((0.0..20_000.0).contains(&d), "{c}");
    }
}

#[test]
fn a_standard_sees_the_site_attributes_it_declares_and_no_other() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = tmp.path().join("area-look");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::write(
        plugin.join("plugin.toml"),
        "name = \"area-look\"\nversion = \"1\"\ncontract = 1\nkind = \"standard-selection\"\n\
         script = \"select.rhai\"\nreads = [\"sites.面积公顷\"]\n",
    )
    .unwrap();
    std::fs::write(
        plugin.join("select.rhai"),
        "fn select(community, params) {\n\
           standard(\"look\", [fail(\"look\", \"seen\", #{ ha: community[\"面积公顷\"], name: community[\"名称\"] })])\n\
         }\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(demo().join("plan-signing.toml")).unwrap();
    let text = text
        .replace(
            "path = \"",
            &format!(
                "path = \"{}/",
                demo().display().to_string().replace('\\', "/")
            ),
        )
        .replace(
            "launch = \"../../plugins/signing-rate\"",
            &format!(
                "standard = \"{}\"",
                plugin.display().to_string().replace('\\', "/")
            ),
        );
    let plan = tmp.path().join("plan.toml");
    std::fs::write(&plan, text).unwrap();
    let out = tmp.path().join("out");
    let o = run(&plan, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let standards: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("standards.json")).unwrap())
            .unwrap();
    let sites: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(demo().join("sites.geojson")).unwrap())
            .unwrap();
    let hectares: BTreeMap<&str, f64> = sites["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["properties"]["名称"].as_str().unwrap(),
                f["properties"]["面积公顷"].as_f64().unwrap(),
            )
        })
        .collect();
    let list = standards.as_array().unwrap();
    assert_eq!(list.len(), 40);
    for c in list {
        let text = c.to_string();
        let name = c["community"].as_str().unwrap_or_else(|| panic!("{text}"));
        let e = &c["findings"][0]["evidence"];
        assert_eq!(e["ha"].as_f64(), Some(hectares[name]), "{text}");
        // 名称 is in the file but not declared.
        assert!(e["name"].is_null(), "{text}");
    }
}
