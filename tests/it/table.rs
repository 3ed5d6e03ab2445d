//! The `table` kind through the binary: `[tables.NAME]` in a plan, its files, its report
//! section and summary line; rows the engine refuses; plan parameters; `hecun plugin test`
//! on table cases.

use std::path::{Path, PathBuf};

use crate::common::{csv_rows, hecun, repo, stderr};

fn demo() -> PathBuf {
    repo().join("gis-data/demo")
}

/// A plan over the demo's villages, roads and patients with one table `t` computed by the
/// plugin in `plugin` (with `params`), written into `dir`.
fn plan_with_table(dir: &Path, plugin: &Path, params: &str) -> PathBuf {
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
[layers.patients]
path = "{d}/patients.geojson"
fields = {{ id = "编号", name = "村名" }}
[zones.widths]
"环线" = 100
"放射线" = 50
"快速通道" = 100
[tables.t]
plugin = "{p}"
{params}
"#,
        d = d.display(),
        p = plugin.display()
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A table plugin in `dir/plugin` whose script is `script` (a `rows(input, params)`), with
/// columns `district` (text) and `people` (integer), reading the patients' 区县 and 人数.
fn table_plugin(dir: &Path, script: &str, extra: &str) -> PathBuf {
    let p = dir.join("plugin");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("plugin.toml"),
        format!(
            r#"name = "tiny-table"
version = "1"
contract = 1
kind = "table"
script = "rows.rhai"
reads = ["patients.区县", "patients.人数"]
[params]
scale = 1
[[columns]]
id = "district"
title = {{ zh-CN = "区县", en = "District" }}
type = "text"
[[columns]]
id = "people"
title = {{ zh-CN = "人数", en = "People" }}
type = "integer"
unit = "人"
{extra}"#
        ),
    )
    .unwrap();
    std::fs::write(p.join("rows.rhai"), script).unwrap();
    p
}

const SUM_BY_DISTRICT: &str = r#"
fn rows(input, params) {
    let m = #{};
    for p in input.layers.patients { m[p["区县"]] = (m[p["区县"]] ?? 0) + p["人数"] * params.scale; }
    let out = [];
    for d in m.keys() { out.push(#{ district: d, people: m[d] }); }
    out
}
"#;

fn run(plan: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    hecun(&args, plan.parent().unwrap())
}

#[test]
fn the_demo_funding_plan_writes_its_table_report_section_and_summary_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&demo().join("plan-rehab.toml"), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("layers not used by this job"),
        "the table reads patients: {}",
        stderr(&o)
    );
    let bytes = std::fs::read(out.join("tables/funding.csv")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with BOM, for Excel"
    );
    let rows = csv_rows(&out.join("tables/funding.csv"));
    let kinds: Vec<&str> = rows.iter().map(|r| r["行"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "明细", "明细", "小计", "明细", "小计", "明细", "小计", "合计"
        ]
    );
    let total = rows.last().unwrap();
    assert_eq!(total["康复中心数（个）"], "13");
    assert_eq!(total["服务人数（人）"], "1259");
    // The total row is the engine's sum of the rows above it.
    let sum: f64 = rows
        .iter()
        .filter(|r| r["行"] == "明细")
        .map(|r| r["合计（元）"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(total["合计（元）"].parse::<f64>().unwrap(), sum);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tables/funding.json")).unwrap())
            .unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 4);
    assert_eq!(json["totals"]["people"], 1259);
    assert_eq!(json["columns"][4]["unit"], "元");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("测算表") && html.contains("精神障碍社区康复服务经费测算"));
    assert!(html.contains("基础运营经费（元）") && html.contains("10,179,192"));
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(
        summary.contains("表格 精神障碍社区康复服务经费测算（rehab-funding）：4 行")
            && summary.contains("合计 10179192元"),
        "{summary}"
    );
    let manifest = std::fs::read_to_string(out.join("run_manifest.json")).unwrap();
    assert!(manifest.contains("tables/funding.csv") && manifest.contains("patients.geojson"));
    assert!(manifest.contains("\"table funding\""));
}

#[test]
fn english_headings_with_lang_en() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&demo().join("plan-rehab.toml"), &out, &["--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&out.join("tables/funding.csv"));
    assert_eq!(rows[0]["row"], "row");
    assert_eq!(rows.last().unwrap()["row"], "total");
    assert_eq!(rows.last().unwrap()["People served (人)"], "1259");
}

#[test]
fn the_plans_params_replace_the_plugins_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, "");
    let plan = plan_with_table(tmp.path(), &plugin, "params = { scale = 10 }");
    let o = run(&plan, &tmp.path().join("out"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = csv_rows(&tmp.path().join("out/tables/t.csv"));
    assert_eq!(rows.last().unwrap()["人数（人）"], "12590");
}

#[test]
fn a_param_the_plugin_does_not_declare_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, "");
    let plan = plan_with_table(tmp.path(), &plugin, "params = { scael = 10 }");
    let o = run(&plan, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("[tables.t]") && err.contains("scael") && err.contains("tiny-table"),
        "{err}"
    );
    assert!(!tmp.path().join("out").exists(), "nothing written");
}

#[test]
fn a_layer_the_plan_does_not_list_is_an_error_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, "");
    let toml = std::fs::read_to_string(plugin.join("plugin.toml"))
        .unwrap()
        .replace("patients.区县", "clinics.区县");
    std::fs::write(plugin.join("plugin.toml"), toml).unwrap();
    let plan = plan_with_table(tmp.path(), &plugin, "");
    let o = run(&plan, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("\"tiny-table\"")
            && err.contains("\"clinics\"")
            && err.contains("clinics.区县"),
        "{err}"
    );
}

#[test]
fn a_field_no_feature_has_is_an_error_naming_layer_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, "");
    let toml = std::fs::read_to_string(plugin.join("plugin.toml"))
        .unwrap()
        .replace("patients.人数", "patients.患者数");
    std::fs::write(plugin.join("plugin.toml"), toml).unwrap();
    let plan = plan_with_table(tmp.path(), &plugin, "");
    let o = run(&plan, &tmp.path().join("out"), &[]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("patients.患者数") && err.contains("patients.geojson"),
        "{err}"
    );
}

/// Each mistake in a row is refused, naming the plugin, the row, the column and the value.
#[test]
fn rows_the_engine_refuses_are_named() {
    for (row, words) in [
        (
            r#"#{ district: "x", people: 1, extra: 5 }"#,
            &["row 1", "\"extra\"", "does not declare"][..],
        ),
        (
            r#"#{ district: "x" }"#,
            &["row 1", "no value for column \"people\""],
        ),
        (
            r#"#{ district: "x", people: 1.5 }"#,
            &["row 1", "column \"people\"", "1.5", "whole number"],
        ),
        (
            r#"#{ district: 7, people: 1 }"#,
            &["row 1", "column \"district\"", "7", "text"],
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let plugin = table_plugin(
            tmp.path(),
            &format!("fn rows(input, params) {{ [{row}] }}"),
            "",
        );
        let plan = plan_with_table(tmp.path(), &plugin, "");
        let o = run(&plan, &tmp.path().join("out"), &[]);
        let err = stderr(&o);
        assert!(!o.status.success(), "{row}");
        assert!(err.contains("\"tiny-table\""), "{err}");
        for w in words {
            assert!(err.contains(w), "{row}: {w}: {err}");
        }
    }
}

#[test]
fn plugin_test_compares_rows_and_totals() {
    let tmp = tempfile::tempdir().unwrap();
    let case = |expect: &str| {
        format!(
            "[[tests]]\nname = \"two districts\"\ninput = {{ layers = {{ patients = [\n  \
             {{ id = \"1\", name = \"a\", \"区县\" = \"甲\", \"人数\" = 2 }},\n  \
             {{ id = \"2\", name = \"b\", \"区县\" = \"乙\", \"人数\" = 3 }},\n] }} }}\nexpect = {expect}\n"
        )
    };
    let good = case(
        "{ totals = { people = 5 }, rows = [{ district = \"乙\", people = 3 }, { district = \"甲\", people = 2 }] }",
    );
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, &good);
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{text}{}", stderr(&o));
    assert!(text.contains("1 passed, 0 failed"), "{text}");

    let bad = case("{ totals = { people = 6 } }");
    let plugin = table_plugin(&tmp.path().join("bad"), SUM_BY_DISTRICT, &bad);
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!o.status.success());
    assert!(text.contains("totals.people = 5 (expected 6)"), "{text}");
}

#[test]
fn a_table_manifest_without_columns_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, "");
    let toml = std::fs::read_to_string(plugin.join("plugin.toml")).unwrap();
    let cut = toml.find("[[columns]]").unwrap();
    std::fs::write(plugin.join("plugin.toml"), &toml[..cut]).unwrap();
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("tiny-table") && err.contains("[[columns]]"),
        "{err}"
    );
}

#[test]
fn plugin_test_refuses_a_table_case_with_undeclared_input() {
    let tmp = tempfile::tempdir().unwrap();
    let case = "[[tests]]\nname = \"an undeclared field\"\ninput = { layers = { patients = [\n  \
                { id = \"1\", name = \"a\", \"区县\" = \"甲\", \"人数\" = 2, \"年龄\" = 40 },\n] } }\n\
                expect = { totals = { people = 2 } }\n";
    let plugin = table_plugin(tmp.path(), SUM_BY_DISTRICT, case);
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!o.status.success(), "{text}");
    assert!(
        text.contains("input.layers.patients[0].年龄") && text.contains("does not declare"),
        "{text}"
    );
}

/// `hecun table` computes the plan's tables alone: the same files as `hecun run` writes.
#[test]
fn hecun_table_writes_the_same_files_as_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo().join("plan-rehab.toml");
    let o = run(&plan, &tmp.path().join("run"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let only = tmp.path().join("only");
    let o = hecun(
        &[
            "table",
            plan.to_str().unwrap(),
            "--out",
            only.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("4 rows"));
    for f in ["tables/funding.csv", "tables/funding.json"] {
        assert!(
            std::fs::read(tmp.path().join("run").join(f)).unwrap()
                == std::fs::read(only.join(f)).unwrap(),
            "{f}"
        );
    }
    let o = hecun(
        &[
            "table",
            demo().join("plan.toml").to_str().unwrap(),
            "--out",
            tmp.path().join("none").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[tables.NAME]"), "{}", stderr(&o));
}

/// A case gives its own parameters beside its input, as a plan does: they replace the
/// defaults one at a time, and the script's `params` and `input.params` both hold them (as in
/// a run). A case that writes `input.params` itself, or names a parameter the manifest does
/// not declare, fails naming it.
#[test]
fn plugin_test_cases_give_their_own_params() {
    let tmp = tempfile::tempdir().unwrap();
    let patients = "input = { layers = { patients = [\n  \
                    { id = \"1\", name = \"a\", \"区县\" = \"甲\", \"人数\" = 2 },\n] } }\n";
    // The script reads the scale from input.params too, so both must agree.
    let script = SUM_BY_DISTRICT.replace(
        "p[\"人数\"] * params.scale",
        "p[\"人数\"] * params.scale * input.params.scale",
    );
    let cases = format!(
        "[[tests]]\nname = \"the default scale\"\n{patients}expect = {{ totals = {{ people = 2 }} }}\n\
         [[tests]]\nname = \"a scale of 3\"\nparams = {{ scale = 3 }}\n{patients}expect = {{ totals = {{ people = 18 }} }}\n"
    );
    let plugin = table_plugin(tmp.path(), &script, &cases);
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{text}{}", stderr(&o));
    assert!(text.contains("2 passed, 0 failed"), "{text}");

    let cases = format!(
        "[[tests]]\nname = \"a misspelt parameter\"\nparams = {{ scael = 3 }}\n{patients}expect = {{ totals = {{ people = 6 }} }}\n\
         [[tests]]\nname = \"params inside the input\"\ninput = {{ params = {{ scale = 3 }}, layers = {{ patients = [] }} }}\nexpect = {{ totals = {{ people = 0 }} }}\n"
    );
    let plugin = table_plugin(&tmp.path().join("bad"), SUM_BY_DISTRICT, &cases);
    let o = hecun(&["plugin", "test", plugin.to_str().unwrap()], tmp.path());
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!o.status.success(), "{text}");
    assert!(
        text.contains("params.scael") && text.contains("scale"),
        "{text}"
    );
    assert!(
        text.contains("input.params: the engine hands over"),
        "{text}"
    );
    assert!(text.contains("0 passed, 2 failed"), "{text}");
}
