//! A check's findings as a table: repeated findings grouped, their evidence kept whole.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use super::criteria::Titles;
use super::fmt::{esc, json_value};
use super::table::{td, td_html};
use crate::report::numbers::percent_text;
use crate::report::words::Words;
use crate::report::{Lang, Report};
use crate::rules::Finding;

/// Evidence keys and values as the page says them: a key under the title its plugin declares
/// (`[evidence]`) or, for the engine's own keys (`village`, `field`, `value`), under the
/// page's word, the key itself kept as the tooltip; yes/no values in the page's language.
#[derive(Clone, Copy)]
pub(super) struct EvidenceWords<'a> {
    report: &'a Report,
    names: &'a VillageNames<'a>,
    w: &'static Words,
    lang: Lang,
    role: &'a str,
}

impl<'a> EvidenceWords<'a> {
    /// `names` are the villages' names of `report` (see [`VillageNames`]).
    pub(super) fn new(
        report: &'a Report,
        names: &'a VillageNames<'a>,
        w: &'static Words,
        lang: Lang,
        role: &'a str,
    ) -> Self {
        EvidenceWords {
            report,
            names,
            w,
            lang,
            role,
        }
    }

    /// A key: its title with the key as tooltip, else the key as code.
    pub(super) fn key(self, key: &str) -> String {
        match self
            .report
            .evidence_title(self.role, key, self.lang)
            .or_else(|| (self.w.evidence_key)(key))
        {
            Some(title) => format!(
                "<span class=\"key\" title=\"{}\">{}</span>",
                esc(key),
                esc(title)
            ),
            None => format!("<code>{}</code>", esc(key)),
        }
    }

    /// The page's language tag (`zh-CN`, `en`): a plugin's reason in it, where given.
    pub(super) fn tag(self) -> &'static str {
        self.lang.tag()
    }

    /// The title of term `name` as a plugin of the run declares it (`[[terms]]`).
    pub(super) fn term_title(self, name: &str) -> Option<&'a str> {
        self.report.term_title(name, self.lang)
    }

    /// The value of evidence key `key`, escaped: yes/no for a boolean; a village's code with
    /// its name (`410122101202 某某村`); a distance (`*_m`) or an area (`*_m2`) with its unit,
    /// a share (`*_share`) as a percentage that is never 0 when the share is not; a list item
    /// by item.
    pub(super) fn value(self, key: &str, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Bool(true) => esc(self.w.yes),
            serde_json::Value::Bool(false) => esc(self.w.no),
            serde_json::Value::Number(n) => {
                let text = json_value(v);
                let x = n.as_f64().unwrap_or(f64::NAN);
                if key.ends_with("_share") && x.is_finite() {
                    format!("{} %", esc(&percent_text(x)))
                } else if key.ends_with("_m2") {
                    format!("{}{}", esc(&text), esc(self.w.unit_square_metres))
                } else if key.ends_with("_m") {
                    format!("{}{}", esc(&text), esc(self.w.unit_metres))
                } else {
                    esc(&text)
                }
            }
            serde_json::Value::String(s) => match self.names.get(s) {
                Some(name) => format!("{} {}", esc(s), esc(name)),
                None => esc(s),
            },
            serde_json::Value::Array(items)
                if items.iter().all(|i| !i.is_array() && !i.is_object()) =>
            {
                items
                    .iter()
                    .map(|i| self.value(key, i))
                    .collect::<Vec<_>>()
                    .join(&esc(self.w.list_sep))
            }
            other => esc(&json_value(other)),
        }
    }
}

/// The villages' names by id of the report being rendered (the map's every village, else the
/// affected ones): evidence names villages by code, and a page of a province asks for
/// thousands of them. Part of the page's state: made once per render, beside the page, and
/// handed to whatever formats evidence.
pub(super) struct VillageNames<'a> {
    names: HashMap<&'a str, &'a str>,
}

impl<'a> VillageNames<'a> {
    /// The names `report` knows: a name that is empty or only repeats the id is none; the
    /// first village of an id names it.
    pub(super) fn new(report: &'a Report) -> Self {
        let pairs: Vec<(&'a str, &'a str)> = match &report.map {
            Some(m) => m
                .villages
                .iter()
                .map(|v| (v.id.as_str(), v.name.as_str()))
                .collect(),
            None => report
                .villages
                .iter()
                .map(|v| (v.id.as_str(), v.name.as_str()))
                .collect(),
        };
        let mut names: HashMap<&'a str, &'a str> = HashMap::with_capacity(pairs.len());
        for (id, name) in pairs {
            if !name.is_empty() && name != id {
                names.entry(id).or_insert(name);
            }
        }
        VillageNames { names }
    }

    /// The name of the village whose id is `id`, if the report knows one.
    fn get(&self, id: &str) -> Option<&'a str> {
        self.names.get(id).copied()
    }
}

/// Evidence as a list of `key = value`, in key order; nothing when there is none.
pub(super) fn evidence_html(
    keys: EvidenceWords<'_>,
    evidence: &BTreeMap<String, serde_json::Value>,
) -> String {
    if evidence.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"evidence\">");
    for (k, v) in evidence {
        let _ = write!(out, "<li>{} = {}</li>", keys.key(k), keys.value(k, v));
    }
    out.push_str("</ul>");
    out
}

/// Findings of one criterion with one reason: a launch check usually finds the same failure
/// in several villages of a community, and a row per village buries the verdict.
struct FindingGroup<'a> {
    criterion: &'a str,
    veto: bool,
    reason: &'a str,
    findings: Vec<&'a Finding>,
}

/// Findings grouped by criterion, veto and reason; vetoes first (they decide the verdict),
/// then in the plugin's order of criteria, otherwise in the order the plugin found them.
fn group_findings<'a>(titles: Titles<'_>, findings: &'a [Finding]) -> Vec<FindingGroup<'a>> {
    let mut groups: Vec<FindingGroup<'_>> = Vec::new();
    let tag = titles.evidence().tag();
    for f in findings {
        // The reason in the page's language, where the plugin gave it per language.
        let reason = f.reason_in(tag);
        match groups
            .iter_mut()
            .find(|g| g.criterion == f.criterion && g.veto == f.veto && g.reason == reason)
        {
            Some(g) => g.findings.push(f),
            None => groups.push(FindingGroup {
                criterion: &f.criterion,
                veto: f.veto,
                reason,
                findings: vec![f],
            }),
        }
    }
    let order = titles.in_order(groups.iter().map(|g| g.criterion));
    groups.sort_by_key(|g| (!g.veto, order.iter().position(|c| *c == g.criterion)));
    groups
}

/// The evidence of a group without losing any of it: keys with one value across the group
/// once; when a single key varies (typically the village), its values as a list; otherwise
/// each finding's varying evidence on its own line.
fn group_evidence_html(w: &Words, ev: EvidenceWords<'_>, group: &FindingGroup<'_>) -> String {
    let first = &group.findings[0].evidence;
    let constant: Vec<&String> = first
        .keys()
        .filter(|k| {
            group
                .findings
                .iter()
                .all(|f| f.evidence.get(k.as_str()) == first.get(k.as_str()))
        })
        .collect();
    let varying: Vec<BTreeMap<&String, &serde_json::Value>> = group
        .findings
        .iter()
        .map(|f| {
            f.evidence
                .iter()
                .filter(|(k, _)| !constant.contains(k))
                .collect()
        })
        .collect();
    let mut out = String::from("<ul class=\"evidence\">");
    for k in &constant {
        let _ = write!(
            out,
            "<li>{} = {}</li>",
            ev.key(k),
            ev.value(k, &first[k.as_str()])
        );
    }
    let keys: BTreeSet<&String> = varying.iter().flat_map(|v| v.keys().copied()).collect();
    let single = if keys.len() == 1 && varying.iter().all(|v| v.len() == 1) {
        keys.iter().next().copied()
    } else {
        None
    };
    if let Some(key) = single {
        let mut values: Vec<String> = Vec::new();
        for v in &varying {
            let value = ev.value(key, v[key]);
            if !values.contains(&value) {
                values.push(value);
            }
        }
        let _ = write!(
            out,
            "<li class=\"wrap\">{} = {}</li>",
            ev.key(key),
            values.join(&esc(w.list_sep))
        );
    } else if !keys.is_empty() {
        for v in &varying {
            let parts: Vec<String> = v
                .iter()
                .map(|(k, value)| format!("{} = {}", ev.key(k), ev.value(k, value)))
                .collect();
            let _ = write!(out, "<li class=\"wrap\">{}</li>", parts.join("; "));
        }
    }
    out.push_str("</ul>");
    out
}

/// One row per group of findings: the criterion (and how many times it failed), veto or not
/// met, the reason and the evidence.
pub(super) fn findings_table(
    out: &mut String,
    w: &Words,
    titles: Titles<'_>,
    findings: &[Finding],
) {
    let _ = write!(
        out,
        "<table class=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(w.col_criterion),
        esc(w.col_kind),
        esc(w.col_reason),
        esc(w.col_evidence)
    );
    for g in group_findings(titles, findings) {
        out.push_str("<tr>");
        let times = if g.findings.len() > 1 {
            format!(" <small>×{}</small>", g.findings.len())
        } else {
            String::new()
        };
        td_html(out, &format!("{}{times}", titles.title_html(g.criterion)));
        if g.veto {
            td_html(
                out,
                &format!("<span class=\"st st-vetoed\">{}</span>", esc(w.veto)),
            );
        } else {
            td_html(
                out,
                &format!("<span class=\"st st-blocked\">{}</span>", esc(w.not_met)),
            );
        }
        td(out, g.reason);
        td_html(out, &group_evidence_html(w, titles.evidence(), &g));
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}
