//! What a rule answers: a score with its terms or an exclusion, findings, a standard.

/// Evidence behind an exclusion or a finding: ids, field names, values, distances. Written to
/// the JSON results as a table.
pub type Evidence = serde_json::Map<String, serde_json::Value>;

/// Evidence from JSON, usually `serde_json::json!({ "village": id, "value": v })`: a table is
/// taken as it is, `null` is no evidence, anything else is kept under `value`.
pub fn evidence(json: serde_json::Value) -> Evidence {
    match json {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => Evidence::new(),
        other => {
            let mut map = Evidence::new();
            map.insert("value".to_owned(), other);
            map
        }
    }
}

/// One weighted term of a score: it adds `weight × value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// What the term measures (e.g. `road_access`).
    pub name: String,
    /// Its weight.
    pub weight: f64,
    /// The measured value.
    pub value: f64,
}

/// A site score's answer: the score, or the reason the candidate is out.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The score; higher is better.
    Scored(f64),
    /// The score with the evidence behind it (Rhai's `scored(score, evidence)`).
    ScoredWithEvidence {
        /// The score; higher is better.
        score: f64,
        /// What is behind it.
        evidence: Evidence,
    },
    /// The candidate may not be chosen.
    Excluded {
        /// Why, in words a planner reads.
        reason: String,
        /// What is behind it.
        evidence: Evidence,
    },
}

impl From<f64> for Outcome {
    fn from(score: f64) -> Outcome {
        Outcome::Scored(score)
    }
}

/// A score with its evidence (Rhai's `scored(score, evidence)`), usually
/// `scored(s, serde_json::json!({ "patients": n }))`.
pub fn scored(score: f64, evidence: serde_json::Value) -> Outcome {
    Outcome::ScoredWithEvidence {
        score,
        evidence: self::evidence(evidence),
    }
}

/// Excludes the candidate (Rhai's `exclude(reason, evidence)`); `serde_json::Value::Null` for
/// no evidence.
pub fn exclude(reason: impl Into<String>, evidence: serde_json::Value) -> Outcome {
    Outcome::Excluded {
        reason: reason.into(),
        evidence: self::evidence(evidence),
    }
}

/// The terms of the score being computed (Rhai's `term(name, weight, value)`): each call
/// returns `weight * value` and, when the host asked for an explanation, keeps the term.
#[derive(Debug, Default)]
pub struct Score {
    explain: bool,
    terms: Vec<Term>,
}

impl Score {
    /// A score that keeps its terms (`explain`) or not.
    pub fn new(explain: bool) -> Score {
        Score {
            explain,
            terms: Vec::new(),
        }
    }

    /// Whether the terms are kept.
    pub fn explains(&self) -> bool {
        self.explain
    }

    /// `weight * value`, kept as a term when explaining.
    pub fn term(&mut self, name: &str, weight: f64, value: f64) -> f64 {
        if self.explain {
            self.terms.push(Term {
                name: name.to_owned(),
                weight,
                value,
            });
        }
        weight * value
    }

    /// The terms kept so far, in order.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    pub(crate) fn clear(&mut self) {
        self.terms.clear();
    }
}

/// One failed criterion or veto, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The criterion (e.g. `no_new_construction`).
    pub criterion: String,
    /// Whether it is a one-vote veto.
    pub veto: bool,
    /// Why, in words a planner reads.
    pub reason: String,
    /// What is behind it.
    pub evidence: Evidence,
}

/// A reason per language (Rhai's `#{ id, args }`): message `id` of the manifest's
/// `[messages]`, filled by the host with `args` (a JSON object: text, numbers, yes/no) in the
/// report's language. Give it where a reason goes: `fail(c, message("in_zone", json!({ "zone":
/// id })), evidence)`, `exclude(message(…), evidence)`. An id the manifest does not declare, or
/// an argument its template does not name (or one it names and is not given), is the
/// candidate's error.
pub fn message(id: &str, args: serde_json::Value) -> String {
    let body = serde_json::json!({ "id": id, "args": args });
    format!("{}{body}", hecun_plugin_abi::wire::MESSAGE_MARK)
}

/// A failed criterion (Rhai's `fail(criterion, reason, evidence)`).
pub fn fail(
    criterion: impl Into<String>,
    reason: impl Into<String>,
    evidence: serde_json::Value,
) -> Finding {
    Finding {
        criterion: criterion.into(),
        veto: false,
        reason: reason.into(),
        evidence: self::evidence(evidence),
    }
}

/// A one-vote veto (Rhai's `veto(criterion, reason, evidence)`).
pub fn veto(
    criterion: impl Into<String>,
    reason: impl Into<String>,
    evidence: serde_json::Value,
) -> Finding {
    Finding {
        veto: true,
        ..fail(criterion, reason, evidence)
    }
}

/// One row of a table rule's answer: column id → value (text, a whole number or a number).
pub type Row = serde_json::Map<String, serde_json::Value>;

/// One target measured, as a target rule answers it (Rhai's `#{ target, measured, wanted,
/// evidence }`): the host compares `measured` with `wanted` as the manifest's `[[targets]]`
/// declares and says met or missed; the rule never says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// The target's name, as `[[targets]] name` declares it.
    pub target: String,
    /// What was measured: a number, or a table group → number (`json!({"中原区": 3})`).
    pub measured: serde_json::Value,
    /// What is wanted: a number (for every group, when measured per group), or a table
    /// group → number with the same groups as `measured`.
    pub wanted: serde_json::Value,
    /// What was counted (ids), or `Value::Null`.
    pub evidence: serde_json::Value,
}

impl Measure {
    /// The measure as the host reads it: a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("target".into(), self.target.clone().into());
        map.insert("measured".into(), self.measured.clone());
        map.insert("wanted".into(), self.wanted.clone());
        if !self.evidence.is_null() {
            map.insert("evidence".into(), self.evidence.clone());
        }
        map.into()
    }
}

/// Target `target` measured: `measure("total", 13, 13, json!(ids))`, or per group
/// `measure("per_district", json!({"中原区": 3}), json!({"中原区": 3}), json!({}))`.
pub fn measure(
    target: impl Into<String>,
    measured: impl Into<serde_json::Value>,
    wanted: impl Into<serde_json::Value>,
    evidence: serde_json::Value,
) -> Measure {
    Measure {
        target: target.into(),
        measured: measured.into(),
        wanted: wanted.into(),
        evidence,
    }
}

/// A standard selection's answer: the standard that applies and the thresholds missed.
#[derive(Debug, Clone, PartialEq)]
pub struct Standard {
    /// The standard's name (e.g. `GB 50180-2018`).
    pub name: String,
    /// The thresholds it misses, as `fail(…)` findings.
    pub findings: Vec<Finding>,
}

/// Rhai's `standard(name, findings)`.
pub fn standard(name: impl Into<String>, findings: Vec<Finding>) -> Standard {
    Standard {
        name: name.into(),
        findings,
    }
}
