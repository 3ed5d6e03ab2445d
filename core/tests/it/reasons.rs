//! Issue 15, "English inside the Chinese page": the demo's report read cell by cell. The
//! reasons the shipped plugins give — a finding's reason in the verdict tables, a site's reason
//! for its exclusion — are in the page's language: no English word in the Chinese page, no
//! Chinese in the English one beyond the names the data gives (a facility class, a life
//! circle); evidence names a village by its code and its name.

use std::collections::BTreeSet;
use std::path::Path;

use hecun::Plan;
use hecun::report::Lang;
use hecun::run::{PlanRun, RunRequest};

use crate::common::repo;

/// The demo run in `lang`: its report.html and report.json.
fn demo(out: &Path, lang: Lang) -> (String, serde_json::Value) {
    let plan = Plan::load(&repo().join("gis-data/demo/plan.toml")).unwrap();
    let mut request = RunRequest::new(out, lang);
    request.options.lang = lang.tag().into();
    PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {}).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let json = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    (html, json)
}

/// Text of an HTML fragment: tags dropped, the page's few entities read.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The `<td>` cells of a table row, as HTML.
fn cells(row: &str) -> Vec<&str> {
    row.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').map_or(0, |i| i + 1)..];
            c.split("</td>").next().unwrap_or("")
        })
        .collect()
}

/// Every reason the page shows: the third cell of each row of a findings table, and the
/// text before the evidence in a sites table's cell.
fn reasons(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for table in html.split("<table").skip(1) {
        let table = table.split("</table>").next().unwrap();
        let findings = table.starts_with(" class=\"findings\"");
        for row in table.split("<tr").skip(1) {
            let cells = cells(row);
            if findings {
                if let Some(c) = cells.get(2) {
                    out.push(text(c));
                }
            } else {
                for c in cells {
                    if let Some((before, _)) = c.split_once("<ul class=\"evidence\"")
                        && !text(before).trim().is_empty()
                    {
                        out.push(text(before));
                    }
                }
            }
        }
    }
    out
}

/// Words of four or more ASCII letters (ids such as R0232 or F041, codes and units are not).
fn english_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 4)
        .map(str::to_owned)
        .collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Every text value of the findings' and exclusions' evidence in report.json: the names the
/// data gives (a facility class, a life circle's name) that a reason may quote as they are.
fn evidence_texts(json: &serde_json::Value) -> BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => {
                out.insert(s.clone());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    let mut evidence = |v: &serde_json::Value| {
        if let Some(e) = v.get("evidence") {
            walk(e, &mut out);
        }
    };
    for c in json["communities"].as_array().unwrap() {
        for check in [&c["launch"], &c["standard"]["check"]] {
            for f in check["findings"].as_array().into_iter().flatten() {
                evidence(f);
            }
        }
    }
    for s in json["sites"].as_array().unwrap() {
        evidence(&s["excluded"]);
    }
    out
}

#[test]
fn the_chinese_page_has_no_english_reasons_and_the_english_page_no_chinese_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let (zh, json) = demo(&tmp.path().join("zh"), Lang::ZhCn);
    let (en, _) = demo(&tmp.path().join("en"), Lang::En);

    let zh_reasons = reasons(&zh);
    // The demo vetoes, blocks, misses standards and excludes sites: many reasons to read.
    assert!(zh_reasons.len() >= 30, "{}", zh_reasons.len());
    for r in &zh_reasons {
        assert!(
            english_words(r).is_empty(),
            "English in the Chinese page's reason {r:?}"
        );
    }
    // The page shows what the plugins say: a veto, a distance as hecun writes it.
    assert!(
        zh_reasons.iter().any(|r| r.contains("强制拆迁")),
        "{zh_reasons:?}"
    );
    assert!(
        zh_reasons.iter().any(|r| r.starts_with("位于拆迁范围")),
        "{zh_reasons:?}"
    );

    let names = evidence_texts(&json);
    let en_reasons = reasons(&en);
    assert_eq!(en_reasons.len(), zh_reasons.len());
    for r in &en_reasons {
        let mut left = r.clone();
        // Longest first, so that a name is not cut by a shorter one inside it.
        let mut by_length: Vec<&String> = names.iter().collect();
        by_length.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        for n in by_length {
            left = left.replace(n.as_str(), "");
        }
        assert!(
            !left.chars().any(is_cjk),
            "Chinese in the English page's reason {r:?} (beyond the data's names)"
        );
        assert!(!english_words(r).is_empty(), "{r:?}");
    }
    assert!(
        en_reasons
            .iter()
            .any(|r| r.contains("forced demolition: a one-vote veto")),
        "{en_reasons:?}"
    );
}

#[test]
fn evidence_names_villages_and_reads_yes_no() {
    let tmp = tempfile::tempdir().unwrap();
    let (zh, json) = demo(&tmp.path().join("zh"), Lang::ZhCn);
    // The vetoed community's village, from report.json: its code, then its name, in the page.
    let mut vetoed = None;
    for c in json["communities"].as_array().unwrap() {
        for f in c["launch"]["findings"].as_array().into_iter().flatten() {
            if f["veto"] == true {
                vetoed = f["evidence"]["village"].as_str().map(str::to_owned);
            }
        }
    }
    let code = vetoed.expect("the demo vetoes a community");
    let layer: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("gis-data/demo/villages.geojson")).unwrap(),
    )
    .unwrap();
    // The name, read from the villages layer itself (its first text field that is not the code).
    let feature = layer["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["properties"]
                .as_object()
                .unwrap()
                .values()
                .any(|v| v == code.as_str())
        })
        .expect("the village is in the layer");
    let name = feature["properties"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str())
        .find(|v| v.ends_with('村'))
        .expect("a village name");
    assert!(
        zh.contains(&format!("{code} {name}")),
        "the page names {code} as {name}"
    );
    // A yes/no value reads 是/否, not true/false.
    let findings: Vec<&str> = zh.split("<table class=\"findings\">").skip(1).collect();
    assert!(!findings.is_empty());
    for t in findings {
        let t = t.split("</table>").next().unwrap();
        assert!(!t.contains("= true") && !t.contains("= false"), "{t}");
    }
}

/// A Rhai check plugin with `[messages]` in a folder of its own, its script `script`.
#[cfg(feature = "rhai")]
fn messages_plugin(dir: &Path, script: &str) -> hecun::rules::RhaiPlugin {
    std::fs::write(
        dir.join("plugin.toml"),
        r#"
name = "said-twice"
version = "1.0.0"
contract = 1
kind = "launch-check"
script = "check.rhai"
[messages.too_far]
zh-CN = "距离 {d:m}，超过 {limit} 米"
en = "{d:m} away, beyond {limit} m"
"#,
    )
    .unwrap();
    std::fs::write(dir.join("check.rhai"), script).unwrap();
    hecun::rules::RhaiPlugin::load(&dir.join("plugin.toml")).unwrap()
}

#[cfg(feature = "rhai")]
#[test]
fn a_rhai_message_is_filled_in_both_languages_and_a_bad_one_names_the_plugin() {
    let input = serde_json::json!({ "id": "S1", "villages": [] });
    let dir = tempfile::tempdir().unwrap();
    let p = messages_plugin(
        dir.path(),
        r#"fn check(c, p) { [fail("far", #{ id: "too_far", args: #{ d: 1441.94, limit: 300 } }, #{ facility: "F041" })] }"#,
    );
    let v = p.check("S1", &input).unwrap();
    let f = &v.findings[0];
    assert_eq!(f.reasons["zh-CN"], "距离 1441.9 米，超过 300 米");
    assert_eq!(f.reasons["en"], "1441.9 m away, beyond 300 m");
    assert_eq!(f.reason, f.reasons["zh-CN"]);
    assert_eq!(f.reason_in("en"), "1441.9 m away, beyond 300 m");
    // Text is shown as written, in any language.
    let p = messages_plugin(dir.path(), r#"fn check(c, p) { [fail("far", "太远了")] }"#);
    let f = &p.check("S1", &input).unwrap().findings[0];
    assert_eq!((f.reason_in("en"), f.reasons.len()), ("太远了", 0));
    for (script, says) in [
        (
            r#"fn check(c, p) { [fail("far", #{ id: "too_near" })] }"#,
            "does not declare in [messages]",
        ),
        (
            r#"fn check(c, p) { [fail("far", #{ id: "too_far", args: #{ d: 1.0 } })] }"#,
            "no argument for the placeholder {limit}",
        ),
        (
            r#"fn check(c, p) { [fail("far", #{ id: "too_far", args: #{ d: "far", limit: 1 } })] }"#,
            "{d:m} needs a number",
        ),
    ] {
        let p = messages_plugin(dir.path(), script);
        let e = p.check("S1", &input).unwrap_err().to_string();
        assert!(
            e.contains("said-twice") && e.contains("S1") && e.contains(says),
            "{e}"
        );
    }
}

#[cfg(feature = "rhai")]
#[test]
fn a_manifest_with_a_bad_template_is_refused_when_it_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plugin.toml"),
        "name = \"bad\"\nversion = \"1\"\ncontract = 1\nkind = \"launch-check\"\nscript = \"check.rhai\"\n[messages.x]\nzh-CN = \"{a}\"\nen = \"{b}\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("check.rhai"), "fn check(c, p) { [] }").unwrap();
    let e = hecun::rules::RhaiPlugin::load(&dir.path().join("plugin.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"bad\"") && e.contains("every language names the same arguments"),
        "{e}"
    );
}
