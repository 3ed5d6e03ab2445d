//! Testing a rule natively (`cargo test`), through the same encoding the host uses: build a
//! batch, run it, read the answers. The spatial helpers answer from a [`Host`] the test
//! installs; without one they fail, and the candidate's answer is that error.

use std::cell::RefCell;

use crate::answer::{Evidence, Finding, Standard, Term};
use crate::runtime::{Plugin, Progress, answer, load};
use crate::value::Value;
use crate::wire::{self, Reader, Writer};
use crate::{LaunchCheck, SiteScore, StandardSelection};

/// What the spatial helpers answer in a native test; by default each cannot answer. `index`
/// is the candidate's index in the batch.
pub trait Host {
    /// Metres to the nearest feature of `layer` (of `class`), `None` when there is none.
    fn distance_to(
        &self,
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<f64>, String> {
        let _ = (index, class);
        Err(format!("no answer for distance_to({layer:?}) in this test"))
    }
    /// The id and distance of the nearest feature.
    fn nearest(
        &self,
        index: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<(String, f64)>, String> {
        let _ = (index, class);
        Err(format!("no answer for nearest({layer:?}) in this test"))
    }
    /// Features within `metres`.
    fn count_within(
        &self,
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<i64, String> {
        let _ = (index, metres, class);
        Err(format!(
            "no answer for count_within({layer:?}) in this test"
        ))
    }
    /// The ids of the features within `metres`, in file order.
    fn ids_within(
        &self,
        index: u32,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<Vec<String>, String> {
        let _ = (index, metres, class);
        Err(format!("no answer for ids_within({layer:?}) in this test"))
    }
    /// The sum of `field` over the features within `metres`.
    fn sum_within(&self, index: u32, layer: &str, field: &str, metres: f64) -> Result<f64, String> {
        let _ = (index, field, metres);
        Err(format!("no answer for sum_within({layer:?}) in this test"))
    }
    /// The share of the candidate's area that `layer` (of `class`) covers.
    fn overlap_share(&self, index: u32, layer: &str, class: Option<&str>) -> Result<f64, String> {
        let _ = (index, class);
        Err(format!(
            "no answer for overlap_share({layer:?}) in this test"
        ))
    }
    /// Whether the candidate touches `layer` (of `class`).
    fn touches(&self, index: u32, layer: &str, class: Option<&str>) -> Result<bool, String> {
        let _ = (index, class);
        Err(format!("no answer for touches({layer:?}) in this test"))
    }
    /// Whether the plan loads `layer`.
    fn has_layer(&self, index: u32, layer: &str) -> bool {
        let _ = (index, layer);
        false
    }
    /// Whether the candidate has a geometry.
    fn has_geometry(&self, index: u32) -> bool {
        let _ = index;
        false
    }
}

thread_local! {
    pub(crate) static HOST: RefCell<Option<Box<dyn Host>>> = const { RefCell::new(None) };
}

/// Answers the spatial helpers from `host` on this thread, until [`clear_host`].
pub fn set_host(host: impl Host + 'static) {
    HOST.with(|h| *h.borrow_mut() = Some(Box::new(host)));
}

/// No host: the spatial helpers fail again (`has_layer`, `has_geometry` answer false).
pub fn clear_host() {
    HOST.with(|h| *h.borrow_mut() = None);
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
        let mut w = Writer::default();
        w.u8(self.explain as u8);
        w.u32(self.names.len() as u32);
        for n in &self.names {
            w.str(n);
        }
        w.u32(self.candidates.len() as u32);
        for (id, values, attributes) in &self.candidates {
            w.str(id);
            for v in values {
                w.value(v);
            }
            w.str(attributes);
        }
        w.bytes
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
        answers.push(match r.u8()? {
            wire::SCORED => {
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
                Answer::Scored { score, terms }
            }
            wire::EXCLUDED => Answer::Excluded {
                reason: r.str()?.to_owned(),
                evidence: evidence(&mut r)?,
            },
            wire::FINDINGS => Answer::Findings(findings(&mut r)?),
            wire::STANDARD => Answer::Standard(Standard {
                name: r.str()?.to_owned(),
                findings: findings(&mut r)?,
            }),
            wire::ERROR => Answer::Error(r.str()?.to_owned()),
            other => return Err(format!("unknown outcome {other}")),
        });
    }
    Ok(answers)
}

fn run(plugin: Result<Plugin, String>, kind: i32, batch: &Batch) -> Result<Vec<Answer>, String> {
    let plugin = plugin?;
    let mut out = Writer::default();
    let progress = Progress::new();
    answer(Some(&plugin), kind, &batch.encode(), &mut out, &progress);
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
    run(plugin, 1, batch)
}

/// Loads launch-check rule `R` with `params` and answers `batch`.
pub fn run_launch_check<R: LaunchCheck + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::LaunchCheck(Box::new(R::new(p)?)))
    });
    run(plugin, 2, batch)
}

/// Loads standard-selection rule `R` with `params` and answers `batch`.
pub fn run_standard_selection<R: StandardSelection + 'static>(
    params: &serde_json::Value,
    batch: &Batch,
) -> Result<Vec<Answer>, String> {
    let plugin = load(&params_text(params), |p| {
        Ok(Plugin::StandardSelection(Box::new(R::new(p)?)))
    });
    run(plugin, 3, batch)
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
