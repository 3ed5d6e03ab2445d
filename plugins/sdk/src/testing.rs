//! Testing a rule natively (`cargo test`), through the same encoding the host uses: build a
//! batch, run it, read the answers. The spatial helpers answer from a [`Host`] the test
//! installs; without one they fail, and the candidate's answer is that error.

use hecun_plugin_abi::Kind;
use hecun_plugin_abi::wire::{self, Outcome, Reader};

use crate::answer::{Evidence, Finding, Row, Standard, Term};
use crate::host::HOST;
pub use crate::host::Host;
use crate::rules::{LaunchCheck, SiteScore, StandardSelection, Table, Target};
use crate::runtime::{Plugin, Progress, answer, load};
use crate::value::Value;
use crate::wire::Writer;

/// Answers the spatial helpers from `host` on this thread, until [`clear_host`].
pub fn set_host(host: impl Host + 'static) {
    HOST.with(|h| h.borrow_mut().host = Some(Box::new(host)));
}

/// No host: the spatial helpers fail again (`has_layer`, `has_geometry` answer false).
pub fn clear_host() {
    HOST.with(|h| h.borrow_mut().host = None);
}

/// A batch of candidates, as the host encodes it.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    explain: bool,
    names: Vec<String>,
    candidates: Vec<(String, Vec<Value>, String)>,
}

impl Batch {
    /// A batch whose candidates have these features, explaining scores.
    pub fn new(names: &[&str]) -> Batch {
        Batch {
            explain: true,
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            candidates: Vec::new(),
        }
    }

    /// Whether scores keep their terms.
    pub fn explain(mut self, explain: bool) -> Batch {
        self.explain = explain;
        self
    }

    /// Adds a candidate: its features (in the batch's order) and its own attributes (a JSON
    /// table, or `null`).
    pub fn push(&mut self, id: &str, values: Vec<Value>, attributes: serde_json::Value) {
        assert_eq!(values.len(), self.names.len(), "one value per feature");
        let attributes = if attributes.is_null() {
            String::new()
        } else {
            attributes.to_string()
        };
        self.candidates.push((id.to_owned(), values, attributes));
    }

    /// The batch's bytes (the input of `hecun_run`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        wire::put_batch_header(&mut out, self.explain, &self.names, self.candidates.len());
        for (id, values, attributes) in &self.candidates {
            wire::put_str(&mut out, id);
            for v in values {
                v.put(&mut out);
            }
            wire::put_str(&mut out, attributes);
        }
        out
    }
}

/// One candidate's answer, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A score and its terms.
    Scored {
        /// The score.
        score: f64,
        /// Its terms (empty unless explaining).
        terms: Vec<Term>,
        /// The evidence it gave (empty when none).
        evidence: Evidence,
    },
    /// Excluded.
    Excluded {
        /// Why.
        reason: String,
        /// What is behind it.
        evidence: Evidence,
    },
    /// A launch check's findings.
    Findings(Vec<Finding>),
    /// A standard selection's answer.
    Standard(Standard),
    /// A table's rows.
    Rows(Vec<Row>),
    /// A target rule's measures, as the host reads them (JSON objects: `target`, `measured`,
    /// `wanted`, `evidence`).
    Measures(Vec<serde_json::Value>),
    /// The candidate's own failure.
    Error(String),
}

impl Answer {
    /// The score, if scored.
    pub fn score(&self) -> Option<f64> {
        match self {
            Answer::Scored { score, .. } => Some(*score),
            _ => None,
        }
    }

    /// The contribution (`weight × value`) of the term `name`, if scored with it.
    pub fn term(&self, name: &str) -> Option<f64> {
        match self {
            Answer::Scored { terms, .. } => terms
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.weight * t.value),
            _ => None,
        }
    }

    /// The findings of a launch check or a standard selection.
    pub fn findings(&self) -> &[Finding] {
        match self {
            Answer::Findings(f) => f,
            Answer::Standard(s) => &s.findings,
            _ => &[],
        }
    }

    /// The criteria of the findings (vetoes with `veto` true), sorted and distinct.
    pub fn criteria(&self, veto: bool) -> Vec<&str> {
        let mut c: Vec<&str> = self
            .findings()
            .iter()
            .filter(|f| f.veto == veto)
            .map(|f| f.criterion.as_str())
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    }
}

fn evidence(r: &mut Reader<'_>) -> Result<Evidence, String> {
    match serde_json::from_str(r.str()?) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("evidence must be a table, not {other}")),
        Err(e) => Err(format!("evidence does not parse: {e}")),
    }
}

fn findings(r: &mut Reader<'_>) -> Result<Vec<Finding>, String> {
    let n = r.u32()?;
    (0..n)
        .map(|_| {
            Ok(Finding {
                criterion: r.str()?.to_owned(),
                veto: r.u8()? != 0,
                reason: r.str()?.to_owned(),
                evidence: evidence(r)?,
            })
        })
        .collect()
}

/// Decodes the answers of a batch (the output of `hecun_run`), as the host reads them.
pub fn decode_answers(bytes: &[u8]) -> Result<Vec<Answer>, String> {
    let mut r = Reader::new(bytes);
    let mut answers = Vec::new();
    while !r.at_end() {
        let code = r.u8()?;
        answers.push(match Outcome::from_code(code) {
            Some(code @ (Outcome::Scored | Outcome::ScoredWithEvidence)) => {
                let score = r.f64()?;
                let n = r.u32()?;
                let terms = (0..n)
                    .map(|_| {
                        Ok(Term {
                            name: r.str()?.to_owned(),
                            weight: r.f64()?,
                            value: r.f64()?,
                        })
                    })
                    .collect::<Result<_, String>>()?;
                let evidence = if code == Outcome::ScoredWithEvidence {
                    evidence(&mut r)?
                } else {
                    Default::default()
                };
                Answer::Scored {
                    score,
                    terms,
                    evidence,
                }
            }
            Some(Outcome::Excluded) => Answer::Excluded {
                reason: r.str()?.to_owned(),
                evidence: evidence(&mut r)?,
            },
            Some(Outcome::Findings) => Answer::Findings(findings(&mut r)?),
            Some(Outcome::Standard) => Answer::Standard(Standard {
                name: r.str()?.to_owned(),
                findings: findings(&mut r)?,
            }),
            Some(Outcome::Rows) => match serde_json::from_str(r.str()?) {
                Ok(rows) => Answer::Rows(rows),
                Err(e) => return Err(format!("rows do not parse: {e}")),
            },
            Some(Outcome::Measures) => match serde_json::from_str(r.str()?) {
                Ok(measures) => Answer::Measures(measures),
                Err(e) => return Err(format!("measures do not parse: {e}")),
            },
            Some(Outcome::Error) => Answer::Error(r.str()?.to_owned()),
            None => return Err(format!("unknown outcome {code}")),
        });
    }
    Ok(answers)
}

fn run(plugin: Result<Plugin, String>, kind: Kind, batch: &Batch) -> Result<Vec<Answer>, String> {
    let plugin = plugin?;
    let mut out = Writer::default();
    let progress = Progress::new();
    answer(
        Some(&plugin),
        kind.code(),
        &batch.encode(),
        &mut out,
        &progress,
    );
    // Once answered, the slot says the guest is in no batch (ABI.md, hecun_progress).
    debug_assert_eq!(progress.get(), Progress::IDLE);
    decode_answers(&out.bytes)
}

fn params_text(params: &serde_json::Value) -> String {
    if params.is_null() {
        String::new()
    } else {
        params.to_string()
    }
}

/// Loads site-score rule `R` with `params` (JSON, as the host passes the manifest's
/// `[params]`) and answers `batch`; `Err` when the rule refuses to load.
pub fn run_site_score<R: SiteScore + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::SiteScore(Box::new(R::new(p)?)))
    });
    run(plugin, Kind::SiteScore, batch)
}

/// Loads launch-check rule `R` with `params` and answers `batch`.
pub fn run_launch_check<R: LaunchCheck + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::LaunchCheck(Box::new(R::new(p)?)))
    });
    run(plugin, Kind::LaunchCheck, batch)
}

/// Loads standard-selection rule `R` with `params` and answers `batch`.
pub fn run_standard_selection<R: StandardSelection + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::StandardSelection(Box::new(R::new(p)?)))
    });
    run(plugin, Kind::StandardSelection, batch)
}

/// Loads table rule `R` with `params` and answers `batch`.
pub fn run_table<R: Table + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::Table(Box::new(R::new(p)?)))
    });
    run(plugin, Kind::Table, batch)
}

/// Computes table rule `R`'s rows for `input` as the host hands it over (`{"layers": {…},
/// "params": {…}}`), `params` also given to `R::new`.
pub fn table_one<R: Table + 'static>(
    params: serde_json::Value,
    input: serde_json::Value,
) -> Answer {
    single(run_table::<R>(&params, &whole_run_batch("table", input)))
}

/// The batch the host hands a rule that runs once per run (a table, a target): one candidate,
/// `id`, whose features are the input's top-level keys.
fn whole_run_batch(id: &str, input: serde_json::Value) -> Batch {
    let features: Vec<(String, Value)> = match input {
        serde_json::Value::Object(map) => {
            map.into_iter().map(|(k, v)| (k, Value::from(&v))).collect()
        }
        other => vec![("input".to_owned(), Value::from(&other))],
    };
    let names: Vec<&str> = features.iter().map(|(n, _)| n.as_str()).collect();
    let mut batch = Batch::new(&names);
    batch.push(
        id,
        features.iter().map(|(_, v)| v.clone()).collect(),
        serde_json::Value::Null,
    );
    batch
}

/// Loads target rule `R` with `params` and answers `batch`.
pub fn run_target<R: Target + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::Target(Box::new(R::new(p)?)))
    });
    run(plugin, Kind::Target, batch)
}

/// Measures target rule `R`'s targets for `input` as the host hands it over (`{"run": {…},
/// "layers": {…}, "params": {…}}`), `params` also given to `R::new`.
pub fn target_one<R: Target + 'static>(
    params: serde_json::Value,
    input: serde_json::Value,
) -> Answer {
    single(run_target::<R>(&params, &whole_run_batch("targets", input)))
}

fn one(features: &[(&str, Value)]) -> Batch {
    let names: Vec<&str> = features.iter().map(|(n, _)| *n).collect();
    let mut batch = Batch::new(&names);
    batch.push(
        "candidate",
        features.iter().map(|(_, v)| v.clone()).collect(),
        serde_json::Value::Null,
    );
    batch
}

fn single(answers: Result<Vec<Answer>, String>) -> Answer {
    match answers {
        Ok(mut a) if a.len() == 1 => a.remove(0),
        Ok(a) => Answer::Error(format!("{} answers for one candidate", a.len())),
        Err(e) => Answer::Error(format!("the rule does not load: {e}")),
    }
}

/// Scores one candidate (id `candidate`) with these features, explaining.
pub fn score_one<R: SiteScore + 'static>(
    params: serde_json::Value,
    features: &[(&str, Value)],
) -> Answer {
    single(run_site_score::<R>(&params, &one(features)))
}

/// Checks one community with these features.
pub fn check_one<R: LaunchCheck + 'static>(
    params: serde_json::Value,
    features: &[(&str, Value)],
) -> Answer {
    single(run_launch_check::<R>(&params, &one(features)))
}

/// Selects the standard of one community with these features.
pub fn select_one<R: StandardSelection + 'static>(
    params: serde_json::Value,
    features: &[(&str, Value)],
) -> Answer {
    single(run_standard_selection::<R>(&params, &one(features)))
}
