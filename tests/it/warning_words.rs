//! Warnings in the page's language: the demo broken in one way per kind of warning, run in
//! zh-CN (the default) and in en. The zh-CN page and summary.txt name the file, feature,
//! field and value in Chinese sentences (no English sentence left in the warnings block,
//! but for an error quoted as written); the en ones say the same in English; the CLI's
//! `hecun: warning:` lines and the run manifest keep the English either way.

use crate::common::{hecun, repo, stderr};

use std::path::Path;

use serde_json::{Value, json};

/// The demo in a folder of its own (plugins by their absolute path), `edit` applied to it.
fn project(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(repo().join("gis-data/demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let plugins = format!("\"{}/", repo().join("plugins").display());
    for plan in ["plan.toml", "plan-shapefile.toml"] {
        let p = dir.path().join(plan);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("\"../../plugins/", &plugins)).unwrap();
    }
    edit(dir.path());
    dir
}

fn edit_villages(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let p = dir.join("villages.geojson");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
}

fn props(v: &mut Value, k: usize) -> &mut serde_json::Map<String, Value> {
    v["features"][k]["properties"].as_object_mut().unwrap()
}

fn append_to_plan(dir: &Path, plan: &str, text: &str) {
    let p = dir.join(plan);
    let old = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{old}\n{text}\n")).unwrap();
}

/// What one run wrote in one language: its warnings as summary.txt and the page list them,
/// the CLI's warning lines, the manifest's warnings.
struct Said {
    summary: Vec<String>,
    page: Vec<String>,
    cli: String,
    manifest: Vec<String>,
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn run(dir: &Path, plan: &str, lang: &str) -> Said {
    let out = format!("out-{lang}");
    let o = hecun(&["run", plan, "--out", &out, "--lang", lang], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.join(out);
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    let heading = if lang == "en" {
        "warnings ("
    } else {
        "提示 ("
    };
    let lines: Vec<&str> = summary.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(heading))
        .unwrap_or_else(|| panic!("no warnings block in summary.txt:\n{summary}"));
    let summary: Vec<String> = lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.trim().to_owned())
        .collect();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let list = html
        .split("<ul class=\"warnings\">")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or_else(|| panic!("no warnings list in report.html"));
    let page: Vec<String> = list
        .split("<li>")
        .skip(1)
        .map(|li| unescape(li.split("</li>").next().unwrap()))
        .collect();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run_manifest.json")).unwrap())
            .unwrap();
    let manifest = manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .collect();
    Said {
        summary,
        page,
        cli: stderr(&o),
        manifest,
    }
}

/// The English sentences in `line`: runs of three or more words of Latin letters, once the
/// quoted text (values, field names), paths and codes are taken out. `"abc"`, `a.geojson`,
/// `#17`, `EPSG:4547`, `[crs]` are names, not words.
fn english_in(line: &str) -> Vec<String> {
    let mut unquoted = String::new();
    let mut quoted = false;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
            unquoted.push(' ');
        } else if !quoted {
            unquoted.push(c);
        }
    }
    let mut found = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    // Split at anything that is not ASCII: a Chinese character ends an English run.
    // Parentheses end a run too: "(swapped columns?)" is an aside, not the sentence's end.
    for piece in unquoted.split(|c: char| !c.is_ascii() || c == '(' || c == ')') {
        for token in piece.split(|c: char| c.is_ascii_whitespace() || ",;:".contains(c)) {
            if token.is_empty() {
                continue;
            }
            if token
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-')
            {
                run.push(token);
            } else {
                if run.len() >= 3 {
                    found.push(run.join(" "));
                }
                run.clear();
            }
        }
        if run.len() >= 3 {
            found.push(run.join(" "));
        }
        run.clear();
    }
    found
}

#[test]
fn the_english_sentence_check_can_fail() {
    let en = "villages.geojson, feature #8 (id \"4101\"): field \"户数\" (400) exceeds field \
              \"人口\" (120): more households than people (swapped columns?)";
    assert_eq!(
        english_in(en),
        vec!["more households than people".to_owned()]
    );
    assert!(!english_in("villages.geojson：the values are used，数值").is_empty());
    let zh = "插件 \"site score\" 读取图层 \"a b c\"，但 plan 未列出：plan 中的 [crs] metric";
    assert!(english_in(zh).is_empty(), "{:?}", english_in(zh));
}

/// One kind of warning, broken into the demo.
struct Case {
    name: &'static str,
    plan: &'static str,
    edit: fn(&Path),
    /// Said in both languages: the file, the field, the value.
    both: &'static [&'static str],
    /// Said in English only (the feature as `feature #N`).
    en: &'static [&'static str],
    /// Said in Chinese only (the feature as `第 N 个要素`).
    zh: &'static [&'static str],
    /// An error quoted as written (in English), after this frame, in the Chinese.
    framed: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "implausible value",
            plan: "plan.toml",
            edit: |d| {
                edit_villages(d, |v| {
                    props(v, 8).insert("户数".into(), json!(400));
                    props(v, 8).insert("人口".into(), json!(120));
                })
            },
            both: &[
                "villages.geojson",
                "户数",
                "400",
                "人口",
                "120",
                "410122101209",
            ],
            en: &["feature #8", "more households than people"],
            zh: &["第 9 个要素（#8", "户数多于人口"],
            framed: None,
        },
        Case {
            name: "duplicate key",
            plan: "plan.toml",
            edit: |d| {
                let p = d.join("villages.geojson");
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(text.contains("\"人口\":152"));
                std::fs::write(
                    &p,
                    text.replacen("\"人口\":152", "\"人口\":152,\"人口\":9152", 1),
                )
                .unwrap();
            },
            both: &["villages.geojson", "\"人口\"", "152", "9152"],
            en: &["feature #0", "written twice"],
            zh: &["第 1 个要素（#0", "写了两次"],
            framed: None,
        },
        Case {
            name: "outside the metric CRS's area of use",
            plan: "plan.toml",
            edit: |d| {
                edit_villages(d, |v| {
                    for ring in v["features"][10]["geometry"]["coordinates"]
                        .as_array_mut()
                        .unwrap()
                    {
                        for p in ring.as_array_mut().unwrap() {
                            p[0] = json!(p[0].as_f64().unwrap() + 7.0);
                        }
                    }
                })
            },
            both: &["villages.geojson", "EPSG:4547"],
            en: &["feature #10", "east of the area of use"],
            zh: &["第 11 个要素（#10", "适用范围以东"],
            framed: None,
        },
        Case {
            name: "launch field missing in one village",
            plan: "plan.toml",
            edit: |d| {
                edit_villages(d, |v| {
                    props(v, 8).remove("方案通过");
                })
            },
            both: &["villages.geojson", "方案通过", "410122101209"],
            en: &["villages without a value for", "1 of 600"],
            zh: &["缺少", "值的村庄", "1 个（共 600 个）"],
            framed: None,
        },
        Case {
            name: "unreadable veto field (keep_going)",
            plan: "plan.toml",
            edit: |d| {
                edit_villages(d, |v| {
                    props(v, 8).insert("强制拆迁".into(), json!("maybe"));
                });
                append_to_plan(d, "plan.toml", "[options]\nkeep_going = true");
            },
            both: &["villages.geojson", "feature #8", "强制拆迁", "\"maybe\""],
            en: &["the one-vote veto cannot be ruled out"],
            zh: &["无法排除一票否决"],
            framed: Some("无法读取："),
        },
        Case {
            name: "roster row and feature unmatched",
            plan: "plan.toml",
            edit: with_roster,
            both: &["villages.geojson", "roster.csv", "410122101201"],
            en: &["feature #0", "no row of roster.csv has the key"],
            zh: &["第 1 个要素（#0", "没有键为"],
            framed: None,
        },
        Case {
            name: "roster row whose key no feature has",
            plan: "plan.toml",
            edit: with_roster,
            both: &[
                "roster.csv",
                "villages.geojson",
                "\"统计用区划代码\"",
                "410199999999",
            ],
            en: &["line 601", "the row is not used"],
            zh: &["第 601 行", "该行未使用"],
            framed: None,
        },
        Case {
            name: "Shapefile encoding told from its bytes",
            plan: "plan-shapefile.toml",
            edit: |d| std::fs::remove_file(d.join("villages.cpg")).unwrap(),
            both: &["villages.dbf", "GBK"],
            en: &["no .cpg names the text encoding"],
            zh: &["没有 .cpg 说明文字编码"],
            framed: None,
        },
    ]
}

/// A CSV roster joined to the villages by their code: every village's row but the first's,
/// and a row whose code no village has.
fn with_roster(dir: &Path) {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("villages.geojson")).unwrap())
            .unwrap();
    let mut csv = "代码,备注\n".to_owned();
    for f in &v["features"].as_array().unwrap()[1..] {
        csv.push_str(&format!(
            "{},x\n",
            f["properties"]["统计用区划代码"].as_str().unwrap()
        ));
    }
    csv.push_str("410199999999,y\n");
    std::fs::write(dir.join("roster.csv"), csv).unwrap();
    let p = dir.join("plan.toml");
    let plan = std::fs::read_to_string(&p).unwrap().replacen(
        "[layers.roads]",
        "[[layers.villages.rosters]]\npath = \"roster.csv\"\njoin = { key = \"代码\", on = \"统计用区划代码\" }\n\n[layers.roads]",
        1,
    );
    std::fs::write(&p, plan).unwrap();
}

#[test]
fn every_kind_of_warning_reads_in_the_pages_language() {
    let mut failures = Vec::new();
    for case in cases() {
        let dir = project(case.edit);
        let zh = run(dir.path(), case.plan, "zh-CN");
        let en = run(dir.path(), case.plan, "en");
        let mut fail = |why: String| failures.push(format!("{}: {why}", case.name));
        // The CLI and the manifest keep the English whatever the page's language.
        if zh.cli != en.cli {
            fail(format!(
                "CLI lines differ by language:\n{}\n{}",
                zh.cli, en.cli
            ));
        }
        if zh.manifest != en.manifest {
            fail("the manifest's warnings differ by language".to_owned());
        }
        for (lang, said, own) in [("en", &en, case.en), ("zh-CN", &zh, case.zh)] {
            if said.summary != said.page {
                fail(format!(
                    "{lang}: summary.txt and the page list other warnings:\n{:#?}\n{:#?}",
                    said.summary, said.page
                ));
            }
            let needles: Vec<&str> = case.both.iter().chain(own).copied().collect();
            let hit = said
                .summary
                .iter()
                .find(|w| needles.iter().all(|n| w.contains(n)));
            let Some(hit) = hit else {
                fail(format!(
                    "{lang}: no warning says all of {needles:?}:\n{:#?}",
                    said.summary
                ));
                continue;
            };
            if lang == "en" {
                if !said.cli.contains(hit.as_str()) || !said.manifest.contains(hit) {
                    fail(format!("en: {hit:?} is not the CLI's and manifest's words"));
                }
                continue;
            }
            if let Some(frame) = case.framed
                && !hit.starts_with(frame)
            {
                fail(format!("zh-CN: {hit:?} does not start with {frame:?}"));
            }
            // Every warning of the Chinese block reads in Chinese; an error quoted as
            // written is English by design (its frame says so).
            for w in &said.summary {
                let checked = match case.framed {
                    Some(frame) if w.starts_with(frame) => {
                        w.rsplit_once('；').map_or("", |(_, after)| after)
                    }
                    _ => w.as_str(),
                };
                let english = english_in(checked);
                if !english.is_empty() {
                    fail(format!("zh-CN: English in {w:?}: {english:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
