//! The one-vote veto (一票否决) of the launch-check kind: part of the kind's contract, so the
//! engine applies it to every launch verdict, in a run and in a plugin's own test cases alike.

use super::contract::Criterion;
use super::verdict::{Finding, Verdict};

/// The model field of the one-vote veto (强制拆迁).
pub const VETO_FIELD: &str = "forced_demolition";

/// The criterion of the host's own finding when a village's veto field is missing or
/// unreadable: the veto cannot be ruled out, so the community cannot launch.
pub const VETO_UNKNOWN: &str = "forced_demolition_known";

/// The host's title of [`VETO_UNKNOWN`], for plugins that do not declare it.
pub fn veto_unknown_criterion() -> Criterion {
    Criterion {
        id: VETO_UNKNOWN.to_owned(),
        title: [
            ("zh-CN", "强制拆迁情况已查明（一票否决项）"),
            ("en", "Forced demolition ruled out (one-vote veto)"),
        ]
        .into_iter()
        .map(|(l, t)| (l.to_owned(), t.to_owned()))
        .collect(),
        failed: [
            ("zh-CN", "强制拆迁情况未查明"),
            ("en", "forced demolition not ruled out"),
        ]
        .into_iter()
        .map(|(l, t)| (l.to_owned(), t.to_owned()))
        .collect(),
    }
}

/// The one-vote veto never passes for lack of data: for every village of `input` (a launch
/// check's input) whose veto field is missing or not a yes/no value, the verdict gets a
/// failed [`VETO_UNKNOWN`] finding naming the village, the field and the value — unless the
/// plugin already reported a finding on that village's veto field. Whatever the plugin, such
/// a community cannot launch.
pub fn guard_veto(input: &serde_json::Value, verdict: Verdict) -> Verdict {
    let Some(villages) = input.get("villages").and_then(|v| v.as_array()) else {
        return verdict;
    };
    let mut findings = verdict.findings;
    for v in villages {
        let value = v.get(VETO_FIELD);
        if matches!(value, Some(serde_json::Value::Bool(_))) {
            continue;
        }
        let id = v.get("id").cloned().unwrap_or(serde_json::Value::Null);
        let reported = findings.iter().any(|f| {
            f.evidence.get("village") == Some(&id)
                && f.evidence.get("field").and_then(|x| x.as_str()) == Some(VETO_FIELD)
        });
        if reported {
            continue;
        }
        let mut evidence = std::collections::BTreeMap::new();
        evidence.insert("village".to_owned(), id);
        evidence.insert("field".to_owned(), VETO_FIELD.into());
        let (reason, english) = match value {
            None | Some(serde_json::Value::Null) => (
                "强制拆迁情况不明：该村没有强制拆迁字段的值，一票否决项无法排除".to_owned(),
                "forced demolition unknown: the village has no value for the field, so the \
                 one-vote veto cannot be ruled out"
                    .to_owned(),
            ),
            Some(other) => {
                evidence.insert("value".to_owned(), other.clone());
                (
                    format!("强制拆迁情况不明：字段值 {other} 无法识别为是/否，一票否决项无法排除"),
                    format!(
                        "forced demolition unknown: the value {other} is not yes or no, so the \
                         one-vote veto cannot be ruled out"
                    ),
                )
            }
        };
        let reasons = [("zh-CN", reason.clone()), ("en", english)]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t))
            .collect();
        findings.push(Finding {
            criterion: VETO_UNKNOWN.to_owned(),
            veto: false,
            reason,
            evidence,
            reasons,
            plugin: None,
        });
    }
    Verdict::from_findings(findings)
}
