//! A target plugin's answer, judged by the engine: the plugin measures each target it
//! declares (`[[targets]]`) and says what is wanted; the engine compares the two with the
//! comparison the manifest declares (`>=`, `<=`, `==`) and says met or missed, so that a rule
//! cannot call a miss a success. A target measured per group (per district) is met only when
//! every group is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::contract::{Manifest, title_in};
use crate::error::{Error, PluginFailure, Result};

/// How a target's measured value must compare with the wanted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// At least the wanted value ("households moved ≥ 1000").
    #[serde(rename = ">=")]
    AtLeast,
    /// At most the wanted value ("no more than 5 % on farmland").
    #[serde(rename = "<=")]
    AtMost,
    /// Exactly the wanted value ("13 centres"); compared exactly, as counts are.
    #[serde(rename = "==")]
    Exactly,
}

impl Comparison {
    /// Whether `measured` compares with `wanted` as required.
    pub fn holds(self, measured: f64, wanted: f64) -> bool {
        match self {
            Comparison::AtLeast => measured >= wanted,
            Comparison::AtMost => measured <= wanted,
            Comparison::Exactly => measured == wanted,
        }
    }

    /// `>=`, `<=` or `==`, as manifests write it.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
            Comparison::Exactly => "==",
        }
    }

    /// `≥`, `≤` or `=`, as the report and summary.txt show it.
    pub fn sign(self) -> &'static str {
        match self {
            Comparison::AtLeast => "≥",
            Comparison::AtMost => "≤",
            Comparison::Exactly => "=",
        }
    }
}

/// A target a target plugin declares, with its titles and how it is judged.
///
/// ```toml
/// [[targets]]
/// name = "total"
/// title = { zh-CN = "康复中心总数", en = "Rehab centres in all" }
/// comparison = "=="
/// unit = "个"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDecl {
    /// The name the plugin's answer gives it (`total`).
    pub name: String,
    /// Its title by language tag (`zh-CN`, `en`).
    pub title: BTreeMap<String, String>,
    /// How the measured value must compare with the wanted one.
    pub comparison: Comparison,
    /// Its unit (`个`, `户`), shown after the values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl TargetDecl {
    /// The title in language `tag`, else in the same language of another region, else the
    /// name.
    pub fn title(&self, tag: &str) -> &str {
        title_in(&self.title, tag).unwrap_or(&self.name)
    }
}

/// Checks a manifest's `[[targets]]`: required (at least one) for a target plugin, refused
/// for other kinds; names unique and not empty; a title in at least one language.
pub(crate) fn check_targets(manifest: &Manifest) -> std::result::Result<(), String> {
    use super::contract::Kind;
    if manifest.kind != Kind::Target {
        if !manifest.targets.is_empty() {
            return Err(format!(
                "declares [[targets]], but a {} plugin does not check targets",
                manifest.kind.name()
            ));
        }
        return Ok(());
    }
    if !manifest.criteria.is_empty() {
        return Err(
            "declares [[criteria]], but a target plugin answers measures: declare [[targets]]"
                .into(),
        );
    }
    if manifest.targets.is_empty() {
        return Err(
            "a target plugin declares its targets: [[targets]] name = \"…\", title = { zh-CN = \"…\" }, comparison = \">=\" | \"<=\" | \"==\""
                .into(),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in &manifest.targets {
        if t.name.trim().is_empty() {
            return Err("a [[targets]] entry has an empty name".into());
        }
        if !seen.insert(t.name.as_str()) {
            return Err(format!("target {:?} is declared twice", t.name));
        }
        if t.title.is_empty() || t.title.values().any(|v| v.trim().is_empty()) {
            return Err(format!(
                "target {:?} needs a title in at least one language (title = {{ zh-CN = \"…\" }})",
                t.name
            ));
        }
    }
    Ok(())
}

/// One measure as a plugin answers it: `target`, `measured`, `wanted` and `evidence`.
pub type RawMeasure = serde_json::Value;

/// Whether a target is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetStatus {
    /// The measured value compares with the wanted one as declared (every group's, when
    /// measured per group).
    Met,
    /// It does not (for at least one group).
    Missed,
    /// The plugin failed: nothing was measured.
    Error,
}

impl TargetStatus {
    /// The word for it in summary.txt, the CSV and the report.
    pub fn word(self, zh: bool) -> &'static str {
        match (self, zh) {
            (TargetStatus::Met, true) => "已达到",
            (TargetStatus::Missed, true) => "未达到",
            (TargetStatus::Error, true) => "插件出错",
            (TargetStatus::Met, false) => "met",
            (TargetStatus::Missed, false) => "missed",
            (TargetStatus::Error, false) => "plugin error",
        }
    }
}

/// One group of a target measured per group (a district), judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMeasure {
    /// The group (`白云区`).
    pub group: String,
    /// What the plugin measured.
    pub measured: f64,
    /// What is wanted.
    pub wanted: f64,
    /// Whether the comparison holds.
    pub met: bool,
}

/// A declared target, measured and judged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TargetResult {
    /// The target as the manifest declares it.
    pub decl: TargetDecl,
    /// Met, missed, or not measured (the plugin failed).
    pub status: TargetStatus,
    /// The measured and wanted values of a target measured as one number.
    pub value: Option<(f64, f64)>,
    /// The groups of a target measured per group, in name order.
    pub groups: Vec<GroupMeasure>,
    /// What was counted, as the plugin gives it (ids), or `null`.
    pub evidence: serde_json::Value,
}

/// A plan's target check (`[targets.NAME]`): every target its plugin declares, judged.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TargetCheck {
    /// Its name in the plan: its files are `targets/NAME.csv` and `targets/NAME.json`.
    pub name: String,
    /// The plugin that measured.
    pub plugin: String,
    /// Its title by language tag (the plan's, else none).
    pub title: BTreeMap<String, String>,
    /// The targets, in the manifest's order.
    pub targets: Vec<TargetResult>,
    /// The plugin's failure, when it failed (every target's status is then `Error`).
    pub error: Option<String>,
}

impl TargetCheck {
    /// Judges `answer` against `manifest`'s targets: each measure must name a declared target
    /// once, with a number (or a table of group → number) measured and wanted; a declared
    /// target the answer leaves out is an error too. Every error names the plugin and the
    /// target.
    pub fn new(
        name: &str,
        manifest: &Manifest,
        title: BTreeMap<String, String>,
        answer: Vec<RawMeasure>,
    ) -> Result<TargetCheck> {
        let plugin = &manifest.name;
        let fail = |target: &str, message: String| Error::Plugin {
            plugin: plugin.clone(),
            failure: PluginFailure::Answer,
            candidate: Some(format!("target {target}")),
            line: None,
            message,
        };
        let declared = || {
            manifest
                .targets
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut by_name: BTreeMap<String, TargetResult> = BTreeMap::new();
        for (i, raw) in answer.into_iter().enumerate() {
            let serde_json::Value::Object(mut m) = raw else {
                return Err(fail(
                    &format!("#{}", i + 1),
                    format!(
                        "measure {} is {raw}, not a map (target, measured, wanted, evidence)",
                        i + 1
                    ),
                ));
            };
            let target = match m.remove("target") {
                Some(serde_json::Value::String(t)) => t,
                other => {
                    return Err(fail(
                        &format!("#{}", i + 1),
                        format!(
                            "measure {} has no target name (target = {}): give target = \"…\", one of {}",
                            i + 1,
                            other.map_or("nothing".to_owned(), |v| v.to_string()),
                            declared()
                        ),
                    ));
                }
            };
            let Some(decl) = manifest.targets.iter().find(|t| t.name == target) else {
                return Err(fail(
                    &target,
                    format!(
                        "is not declared in the manifest's [[targets]] (declared: {})",
                        declared()
                    ),
                ));
            };
            if by_name.contains_key(&target) {
                return Err(fail(&target, "is answered twice".into()));
            }
            let measured = m.remove("measured").unwrap_or(serde_json::Value::Null);
            let wanted = m.remove("wanted").unwrap_or(serde_json::Value::Null);
            let evidence = m.remove("evidence").unwrap_or(serde_json::Value::Null);
            if let Some((key, value)) = m.into_iter().next() {
                return Err(fail(
                    &target,
                    format!(
                        "has key {key:?} (value {value}): a measure has target, measured, wanted and evidence"
                    ),
                ));
            }
            let evidence_bytes = evidence.to_string().len();
            if evidence_bytes > manifest.limits.max_evidence_bytes {
                return Err(Error::Plugin {
                    plugin: plugin.clone(),
                    failure: PluginFailure::Limit {
                        limit: "max_evidence_bytes",
                    },
                    candidate: Some(format!("target {target}")),
                    line: None,
                    message: format!(
                        "its evidence takes {evidence_bytes} bytes, more than its limit max_evidence_bytes = {} (plugin.toml [limits])",
                        manifest.limits.max_evidence_bytes
                    ),
                });
            }
            let number = |what: &str, v: &serde_json::Value| -> Result<f64> {
                match v.as_f64() {
                    Some(f) if f.is_finite() => Ok(f + 0.0),
                    _ => Err(fail(&target, format!("{what} is {v}, not a finite number"))),
                }
            };
            let c = decl.comparison;
            let (value, groups) = match (&measured, &wanted) {
                (serde_json::Value::Object(ms), w) => {
                    if ms.is_empty() {
                        return Err(fail(
                            &target,
                            "measured is an empty table: a target measured per group measures at least one group".into(),
                        ));
                    }
                    if let serde_json::Value::Object(ws) = w
                        && let Some(g) = ws.keys().find(|g| !ms.contains_key(*g))
                    {
                        return Err(fail(
                            &target,
                            format!("wanted names group {g:?}, which measured does not measure"),
                        ));
                    }
                    let mut groups = Vec::with_capacity(ms.len());
                    for (g, mv) in ms {
                        let mv = number(&format!("measured[{g:?}]"), mv)?;
                        let wv = match w {
                            serde_json::Value::Object(ws) => match ws.get(g) {
                                Some(wv) => number(&format!("wanted[{g:?}]"), wv)?,
                                None => {
                                    return Err(fail(
                                        &target,
                                        format!(
                                            "measured names group {g:?}, which wanted does not want (give wanted a value for every group, or one number for all)"
                                        ),
                                    ));
                                }
                            },
                            other => number("wanted", other)?,
                        };
                        groups.push(GroupMeasure {
                            group: g.clone(),
                            measured: mv,
                            wanted: wv,
                            met: c.holds(mv, wv),
                        });
                    }
                    (None, groups)
                }
                (m, serde_json::Value::Object(_)) => {
                    return Err(fail(
                        &target,
                        format!(
                            "wanted is a table of groups, but measured is {m}: measure each group (measured = {{ group = number }})"
                        ),
                    ));
                }
                (m, w) => {
                    let mv = number("measured", m)?;
                    let wv = number("wanted", w)?;
                    (Some((mv, wv)), Vec::new())
                }
            };
            let met = match value {
                Some((m, w)) => c.holds(m, w),
                None => groups.iter().all(|g| g.met),
            };
            by_name.insert(
                target,
                TargetResult {
                    decl: decl.clone(),
                    status: if met {
                        TargetStatus::Met
                    } else {
                        TargetStatus::Missed
                    },
                    value,
                    groups,
                    evidence,
                },
            );
        }
        let mut targets = Vec::with_capacity(manifest.targets.len());
        for decl in &manifest.targets {
            match by_name.remove(&decl.name) {
                Some(t) => targets.push(t),
                None => {
                    return Err(fail(
                        &decl.name,
                        "is declared in the manifest's [[targets]], but the answer does not measure it".into(),
                    ));
                }
            }
        }
        Ok(TargetCheck {
            name: name.to_owned(),
            plugin: plugin.clone(),
            title,
            targets,
            error: None,
        })
    }

    /// The check of a plugin that failed: every declared target is `Error`, the failure kept
    /// to be shown; the run goes on.
    pub fn failed(
        name: &str,
        manifest: &Manifest,
        title: BTreeMap<String, String>,
        error: String,
    ) -> TargetCheck {
        TargetCheck {
            name: name.to_owned(),
            plugin: manifest.name.clone(),
            title,
            targets: manifest
                .targets
                .iter()
                .map(|decl| TargetResult {
                    decl: decl.clone(),
                    status: TargetStatus::Error,
                    value: None,
                    groups: Vec::new(),
                    evidence: serde_json::Value::Null,
                })
                .collect(),
            error: Some(error),
        }
    }

    /// The check's title in language `tag`, else its name.
    pub fn title(&self, tag: &str) -> &str {
        title_in(&self.title, tag).unwrap_or(&self.name)
    }

    /// How many targets have `status`.
    pub fn count(&self, status: TargetStatus) -> usize {
        self.targets.iter().filter(|t| t.status == status).count()
    }

    /// `targets/NAME.csv` (UTF-8 with BOM, for Excel): one row per target measured as one
    /// number, and per group of a target measured per group, each with its own result; the
    /// headings in language `tag`.
    pub fn csv(&self, tag: &str) -> Vec<u8> {
        let zh = tag.starts_with("zh");
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let header: [&str; 8] = if zh {
            [
                "目标",
                "名称",
                "分组",
                "实际值",
                "比较",
                "要求值",
                "单位",
                "结果",
            ]
        } else {
            [
                "target",
                "title",
                "group",
                "measured",
                "comparison",
                "wanted",
                "unit",
                "result",
            ]
        };
        let _ = w.write_record(header);
        for t in &self.targets {
            let unit = t.decl.unit.clone().unwrap_or_default();
            let mut record =
                |group: &str, measured: String, wanted: String, status: TargetStatus| {
                    let _ = w.write_record([
                        t.decl.name.as_str(),
                        t.decl.title(tag),
                        group,
                        &measured,
                        t.decl.comparison.symbol(),
                        &wanted,
                        &unit,
                        status.word(zh),
                    ]);
                };
            match (t.value, t.groups.is_empty()) {
                (Some((m, w)), _) => record("", number_text(m), number_text(w), t.status),
                (None, false) => {
                    for g in &t.groups {
                        let status = if g.met {
                            TargetStatus::Met
                        } else {
                            TargetStatus::Missed
                        };
                        record(
                            &g.group,
                            number_text(g.measured),
                            number_text(g.wanted),
                            status,
                        );
                    }
                }
                (None, true) => record("", String::new(), String::new(), t.status),
            }
        }
        w.into_inner().unwrap_or_default()
    }

    /// `targets/NAME.json`: each target with its declaration, status, measured and wanted
    /// values (a number, or group → number with each group's result) and evidence.
    pub fn json(&self) -> String {
        let targets: Vec<serde_json::Value> = self
            .targets
            .iter()
            .map(|t| {
                let mut v = serde_json::json!({
                    "target": t.decl.name,
                    "title": t.decl.title,
                    "comparison": t.decl.comparison,
                    "status": t.status,
                    "met": t.status == TargetStatus::Met,
                });
                let map = v.as_object_mut().expect("an object");
                if let Some(unit) = &t.decl.unit {
                    map.insert("unit".into(), unit.clone().into());
                }
                if let Some((m, w)) = t.value {
                    map.insert("measured".into(), json_number(m));
                    map.insert("wanted".into(), json_number(w));
                }
                if !t.groups.is_empty() {
                    let per = |f: fn(&GroupMeasure) -> f64| -> serde_json::Value {
                        t.groups
                            .iter()
                            .map(|g| (g.group.clone(), json_number(f(g))))
                            .collect::<serde_json::Map<_, _>>()
                            .into()
                    };
                    map.insert("measured".into(), per(|g| g.measured));
                    map.insert("wanted".into(), per(|g| g.wanted));
                    map.insert(
                        "groups".into(),
                        t.groups
                            .iter()
                            .map(|g| {
                                serde_json::json!({
                                    "group": g.group,
                                    "measured": json_number(g.measured),
                                    "wanted": json_number(g.wanted),
                                    "met": g.met,
                                })
                            })
                            .collect::<Vec<_>>()
                            .into(),
                    );
                }
                if !t.evidence.is_null() {
                    map.insert("evidence".into(), t.evidence.clone());
                }
                v
            })
            .collect();
        let mut value = serde_json::json!({
            "name": self.name,
            "plugin": self.plugin,
            "title": self.title,
            "met": self.count(TargetStatus::Met),
            "missed": self.count(TargetStatus::Missed),
            "targets": targets,
        });
        if let Some(e) = &self.error {
            value["error"] = e.clone().into();
        }
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A value as text: a whole number as it is, another in its shortest form that reads back
/// the same.
pub(crate) fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        ryu::Buffer::new().format(v).to_owned()
    }
}

/// A value as JSON: a whole number as an integer (a count reads `13`, not `13.0`, whichever
/// runtime measured it).
fn json_number(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        (v as i64).into()
    } else {
        v.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> Manifest {
        let text = "name = \"t\"\nversion = \"1\"\ncontract = 1\nkind = \"target\"\nscript = \"s.rhai\"\n\
             [[targets]]\nname = \"total\"\ntitle = { zh-CN = \"总数\", en = \"Total\" }\ncomparison = \"==\"\nunit = \"个\"\n\
             [[targets]]\nname = \"per\"\ntitle = { en = \"Per district\" }\ncomparison = \">=\"\n";
        Manifest::parse(std::path::Path::new("plugin.toml"), text)
            .unwrap()
            .0
    }

    #[test]
    fn the_engine_decides_met_and_missed() {
        let answer = vec![
            json!({"target": "per", "measured": {"a": 2, "b": 1}, "wanted": {"a": 2, "b": 2}, "evidence": {"a": ["x", "y"], "b": ["z"]}}),
            json!({"target": "total", "measured": 13, "wanted": 13.0, "evidence": ["x"]}),
        ];
        let c = TargetCheck::new("n", &manifest(), BTreeMap::new(), answer).unwrap();
        assert_eq!(c.targets[0].decl.name, "total");
        assert_eq!(c.targets[0].status, TargetStatus::Met);
        assert_eq!(c.targets[1].status, TargetStatus::Missed);
        assert_eq!(
            c.targets[1]
                .groups
                .iter()
                .map(|g| g.met)
                .collect::<Vec<_>>(),
            [true, false]
        );
        let csv = String::from_utf8(c.csv("zh-CN")).unwrap();
        assert_eq!(
            csv,
            "\u{feff}目标,名称,分组,实际值,比较,要求值,单位,结果\ntotal,总数,,13,==,13,个,已达到\n\
             per,per,a,2,>=,2,,已达到\nper,per,b,1,>=,2,,未达到\n"
        );
        let j: serde_json::Value = serde_json::from_str(&c.json()).unwrap();
        assert_eq!(j["met"], 1);
        assert_eq!(j["targets"][0]["measured"], 13);
        assert_eq!(j["targets"][1]["groups"][1]["met"], false);
        // A number wanted of every group.
        let answer = vec![
            json!({"target": "per", "measured": {"a": 2, "b": 3}, "wanted": 2}),
            json!({"target": "total", "measured": 12, "wanted": 13}),
        ];
        let c = TargetCheck::new("n", &manifest(), BTreeMap::new(), answer).unwrap();
        assert_eq!(c.targets[0].status, TargetStatus::Missed);
        assert_eq!(c.targets[1].status, TargetStatus::Met);
    }

    #[test]
    fn a_manifests_targets_are_checked_at_load() {
        let load = |kind: &str, rest: &str| {
            let text = format!(
                "name = \"t\"\nversion = \"1\"\ncontract = 1\nkind = \"{kind}\"\nscript = \"s.rhai\"\n{rest}"
            );
            Manifest::parse(std::path::Path::new("plugin.toml"), &text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let target = "[[targets]]\nname = \"a\"\ntitle = { en = \"A\" }\ncomparison = \">=\"\n";
        assert!(load("target", target).is_ok());
        let e = load("target", "").unwrap_err();
        assert!(e.contains("declares its targets"), "{e}");
        let e = load("site-score", target).unwrap_err();
        assert!(e.contains("does not check targets"), "{e}");
        let e = load("target", &format!("{target}{target}")).unwrap_err();
        assert!(e.contains("declared twice"), "{e}");
        let e = load("target", &target.replace(">=", ">")).unwrap_err();
        assert!(e.contains(">"), "{e}");
        let e = load("target", &target.replace("{ en = \"A\" }", "{}")).unwrap_err();
        assert!(e.contains("needs a title"), "{e}");
        let e = load(
            "target",
            &format!("{target}[[criteria]]\nid = \"c\"\ntitle = {{ en = \"C\" }}\n"),
        )
        .unwrap_err();
        assert!(e.contains("[[criteria]]"), "{e}");
        let e = load("target", &format!("{target}wanted = 3\n")).unwrap_err();
        assert!(e.contains("wanted"), "{e}");
    }

    #[test]
    fn a_bad_answer_names_plugin_and_target() {
        let m = manifest();
        let err = |answer: Vec<serde_json::Value>| {
            TargetCheck::new("n", &m, BTreeMap::new(), answer)
                .unwrap_err()
                .to_string()
        };
        let total = json!({"target": "total", "measured": 1, "wanted": 1});
        let e = err(vec![
            total.clone(),
            json!({"target": "pre", "measured": 1, "wanted": 1}),
        ]);
        assert!(
            e.contains("\"t\"") && e.contains("target pre") && e.contains("not declared"),
            "{e}"
        );
        let e = err(vec![total.clone()]);
        assert!(
            e.contains("target per") && e.contains("does not measure it"),
            "{e}"
        );
        let e = err(vec![
            total.clone(),
            json!({"target": "per", "measured": "3", "wanted": 1}),
        ]);
        assert!(
            e.contains("target per") && e.contains("not a finite number"),
            "{e}"
        );
        let e = err(vec![
            total.clone(),
            json!({"target": "per", "measured": {"a": 1}, "wanted": {"a": 1, "b": 2}}),
        ]);
        assert!(e.contains("group \"b\""), "{e}");
        let e = err(vec![
            total.clone(),
            json!({"target": "per", "measured": {}, "wanted": 1}),
        ]);
        assert!(e.contains("empty"), "{e}");
        let e = err(vec![total.clone(), total.clone()]);
        assert!(e.contains("twice"), "{e}");
        let e = err(vec![
            json!({"target": "total", "measured": 1, "wanted": 1, "met": true}),
        ]);
        assert!(e.contains("\"met\""), "{e}");
    }
}
