//! Results that explain themselves: a launch verdict with every failed criterion and veto.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A launch check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every criterion holds.
    Pass,
    /// At least one criterion fails, and nothing vetoes.
    Fail,
    /// A one-vote veto fired (e.g. forced demolition), whatever else holds.
    Veto,
}

/// One failed criterion or veto, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The criterion (e.g. `no_new_construction`).
    pub criterion: String,
    /// Whether it is a one-vote veto.
    pub veto: bool,
    /// Why, in words a planner reads.
    pub reason: String,
    /// Feature ids, field names and values behind it.
    pub evidence: BTreeMap<String, serde_json::Value>,
    /// The reason in each language, when the plugin answered a message (`[messages]`):
    /// language tag → text; `reason` is then the zh-CN text. Empty for a reason written as
    /// text. Set by the engine from the manifest's templates only (a plugin's answer is read
    /// without it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reasons: BTreeMap<String, String>,
    /// The plugin that found it, when a plan runs several launch checks (`None` with one:
    /// its outputs stay as they were, and the plugin is the run's own). Set by the engine
    /// only: a plugin's answer cannot claim another plugin's name.
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
}

impl Finding {
    /// The reason in language `tag` (`zh-CN`, `en`) when the plugin gave it in that
    /// language, else as the plugin wrote it.
    pub fn reason_in(&self, tag: &str) -> &str {
        self.reasons.get(tag).unwrap_or(&self.reason)
    }
}

/// The lines that name a job's plugin failures on the terminal, in `lang`: the first three
/// candidates with their error (as written, framed), and where the others are (`file`, its
/// `error` column). Empty when none failed.
pub fn failure_lines<'a, E: std::fmt::Display + 'a>(
    results: impl Iterator<Item = Option<&'a E>>,
    file: &str,
    lang: crate::report::Lang,
) -> String {
    const SHOWN: usize = 3;
    let zh = lang == crate::report::Lang::ZhCn;
    let errors: Vec<&E> = results.flatten().collect();
    let mut out = String::new();
    for e in errors.iter().take(SHOWN) {
        out.push_str(&if zh {
            format!("\n  插件错误：{e}")
        } else {
            format!("\n  plugin error: {e}")
        });
    }
    let more = errors.len().saturating_sub(SHOWN);
    if more > 0 {
        out.push_str(&if zh {
            format!("\n  …… 另有 {more} 个插件错误：见 {file} 的 error 列")
        } else {
            format!("\n  … and {more} more plugin errors: see the error column of {file}")
        });
    } else if !errors.is_empty() {
        out.push_str(&if zh {
            format!("\n  （亦见 {file} 的 error 列）")
        } else {
            format!("\n  (also in the error column of {file})")
        });
    }
    out
}

/// A launch check's answer: the status follows from the findings (any veto vetoes; any
/// failure fails), so the two cannot disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Pass, fail or veto.
    pub status: Status,
    /// Every failed criterion and veto, in the order the plugin found them.
    pub findings: Vec<Finding>,
}

impl Verdict {
    /// The verdict that these findings make.
    pub fn from_findings(findings: Vec<Finding>) -> Verdict {
        let status = if findings.iter().any(|f| f.veto) {
            Status::Veto
        } else if findings.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        };
        Verdict { status, findings }
    }

    /// The distinct criteria that failed (not vetoes), sorted.
    pub fn failed(&self) -> Vec<&str> {
        self.criteria(false)
    }

    /// The distinct criteria that vetoed, sorted.
    pub fn vetoes(&self) -> Vec<&str> {
        self.criteria(true)
    }

    fn criteria(&self, veto: bool) -> Vec<&str> {
        let mut c: Vec<&str> = self
            .findings
            .iter()
            .filter(|f| f.veto == veto)
            .map(|f| f.criterion.as_str())
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    }
}

/// A standard-selection plugin's answer for one community: the planning standard that applies
/// (e.g. GB 50180-2018) and whether the community meets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardVerdict {
    /// The standard that applies.
    pub standard: String,
    /// Whether the community meets it: every threshold it misses, with the evidence.
    pub verdict: Verdict,
}
