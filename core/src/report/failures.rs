//! What a verdict says failed.
//!
//! A criterion's title names what must hold (`无强制拆迁（一票否决）`); a verdict that put the
//! title after "vetoed" would read as its opposite. So a verdict names the failure: the
//! plugin's failure wording where it declares one (`failed = { zh-CN = "存在强制拆迁" }`; the
//! negation of a title is not something the engine can invent), else the neutral
//! `未满足：<title>` / `not met: <title>`; a veto also says in which villages (the evidence's
//! `village`). One place for the page, `summary.txt` and `hecun diff`.

use super::words::{Words, words};
use super::{Check, Lang, LaunchStatus, Report};
use crate::rules::{Criterion, Finding};

/// Villages named after a veto before the rest are only counted.
const VILLAGES_SHOWN: usize = 3;

/// One failed criterion: its failure wording, or its title (worded neutrally), and the
/// villages it failed in (named for vetoes only).
struct Failed<'a> {
    wording: Result<&'a str, &'a str>,
    villages: Vec<String>,
}

/// Criterion `c` (`id` when undeclared) in language `tag`: `Ok(failure wording)` when the
/// plugin gives one, else `Err(title)` (the id when it gives none).
fn wording<'a>(c: Option<&'a Criterion>, id: &'a str, tag: &str) -> Result<&'a str, &'a str> {
    match c {
        Some(c) => c.failed(tag).ok_or_else(|| c.title(tag).unwrap_or(id)),
        None => Err(id),
    }
}

/// The failures as clauses: a failure wording stands alone; consecutive criteria without one
/// go together after "未满足：" (with `neutral`; without it the surrounding word already says
/// "not met" and their titles are listed as they are).
fn clauses(w: &Words, failed: &[Failed<'_>], neutral: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut titles: Vec<&str> = Vec::new();
    let flush = |titles: &mut Vec<&str>, out: &mut Vec<String>| {
        if !titles.is_empty() {
            let list = titles.join(w.list_sep);
            out.push(if neutral {
                (w.failed_not_met)(&list)
            } else {
                list
            });
            titles.clear();
        }
    };
    for f in failed {
        match f.wording {
            Err(title) if f.villages.is_empty() => titles.push(title),
            Err(title) => {
                flush(&mut titles, &mut out);
                let text = if neutral {
                    (w.failed_not_met)(title)
                } else {
                    title.to_owned()
                };
                out.push(format!("{text}{}", villages(w, &f.villages)));
            }
            Ok(text) => {
                flush(&mut titles, &mut out);
                out.push(format!("{text}{}", villages(w, &f.villages)));
            }
        }
    }
    flush(&mut titles, &mut out);
    out.join(w.failure_sep)
}

/// The villages of a veto, the first few named and the rest counted; nothing when none.
fn villages(w: &Words, ids: &[String]) -> String {
    if ids.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = ids
        .iter()
        .take(VILLAGES_SHOWN)
        .map(String::as_str)
        .collect();
    (w.failed_villages)(&shown, ids.len())
}

/// The village ids in `findings`' evidence (`village`), each once, in the order found.
fn villages_of<'a>(findings: impl Iterator<Item = &'a Finding>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in findings {
        let id = match f.evidence.get("village") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => continue,
            Some(other) => other.to_string(),
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

impl Report {
    /// What failed in `check`, a community's `role` check (`launch`, `standard`), as its
    /// verdict names it in `lang`: for a veto, the vetoing criteria's failure wording and
    /// their villages (`存在强制拆迁（村 410122101202）`); otherwise the failed criteria
    /// (`未满足：方案经群众认可并经上级批准`). With `neutral` false, a criterion without a
    /// failure wording is listed by its title alone (after a word that already says "not
    /// met", as a standard's 未达标). Empty when nothing failed.
    pub fn failure_text(&self, role: &str, check: &Check, lang: Lang, neutral: bool) -> String {
        let vetoed = check.status == LaunchStatus::Vetoed;
        let relevant = |f: &&Finding| role != "launch" || f.veto == vetoed;
        let ids = self.criteria_in_order(
            role,
            check
                .findings
                .iter()
                .filter(relevant)
                .map(|f| f.criterion.as_str()),
        );
        let tag = lang.tag();
        let failed: Vec<Failed<'_>> = ids
            .into_iter()
            .map(|id| Failed {
                wording: wording(self.criterion(role, id).map(|(_, c)| c), id, tag),
                villages: if vetoed {
                    villages_of(
                        check
                            .findings
                            .iter()
                            .filter(|f| f.veto && f.criterion == id),
                    )
                } else {
                    Vec::new()
                },
            })
            .collect();
        clauses(words(lang), &failed, neutral)
    }
}

/// Criteria as a diff lists them (declared by the later run's plugin, or bare ids): their
/// failures in `lang`, worded as a verdict words them.
pub(super) fn criteria_failures(list: &[Criterion], lang: Lang) -> String {
    let tag = lang.tag();
    let failed: Vec<Failed<'_>> = list
        .iter()
        .map(|c| Failed {
            wording: wording(Some(c), &c.id, tag),
            villages: Vec::new(),
        })
        .collect();
    clauses(words(lang), &failed, true)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn criterion(id: &str, title: &str, failed: Option<&str>) -> Criterion {
        Criterion {
            id: id.to_owned(),
            title: [("zh-CN".to_owned(), title.to_owned())].into(),
            failed: failed
                .map(|f| [("zh-CN".to_owned(), f.to_owned())].into())
                .unwrap_or_default(),
        }
    }

    #[test]
    fn a_failure_wording_stands_alone_and_titles_are_grouped_after_not_met() {
        let list = [
            criterion("a", "无甲", Some("存在甲")),
            criterion("b", "乙已开工", None),
            criterion("c", "丙合法", None),
            criterion("d", "无丁", Some("存在丁")),
            Criterion {
                id: "e".into(),
                title: BTreeMap::new(),
                failed: BTreeMap::new(),
            },
        ];
        assert_eq!(
            criteria_failures(&list, Lang::ZhCn),
            "存在甲；未满足：乙已开工、丙合法；存在丁；未满足：e"
        );
        // No English wording: the title's language is not switched in silently; the id is.
        assert_eq!(
            criteria_failures(&list[1..2], Lang::En),
            "not met: b",
            "an undeclared language falls back to the id"
        );
    }

    #[test]
    fn a_veto_names_its_villages_the_first_three_then_a_count() {
        let w = words(Lang::ZhCn);
        let ids: Vec<String> = (1..=5).map(|i| format!("V{i}")).collect();
        assert_eq!(villages(w, &ids[..1]), "（村 V1）");
        assert_eq!(villages(w, &ids), "（村 V1、V2、V3 等 5 个）");
        let w = words(Lang::En);
        assert_eq!(villages(w, &ids[..1]), " (village V1)");
        assert_eq!(villages(w, &ids[..3]), " (villages V1, V2, V3)");
        assert_eq!(villages(w, &ids), " (villages V1, V2, V3 and 2 more)");
    }
}
