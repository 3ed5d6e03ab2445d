//! The answer buffer a WebAssembly guest hands back (`plugins/sdk/ABI.md`), decoded: a pure
//! function of the bytes, apart from the runtime (and wasmtime) so that the fuzzers reach it
//! in a build without the `wasm` feature.

use std::collections::BTreeMap;

use super::score::Term;
use super::verdict::Finding;
use crate::error::PluginFailure;

use hecun_plugin_abi::wire::{self, MIN_FINDING_BYTES, MIN_TERM_BYTES, Outcome};

/// The version of the host–guest ABI (`plugins/sdk/ABI.md`) this hecun speaks.
pub const ABI_VERSION: i32 = hecun_plugin_abi::ABI_VERSION;

/// A guest's answer for one candidate, as decoded.
// Without the runtime (`wasm` off, as the fuzzers build) only the decoder reads the buffer.
#[cfg_attr(not(feature = "wasm"), allow(dead_code))]
pub(crate) enum Answer {
    Scored(f64, Vec<Term>, BTreeMap<String, serde_json::Value>),
    Excluded(String, BTreeMap<String, serde_json::Value>),
    Findings(Vec<Finding>),
    Standard(String, Vec<Finding>),
    /// A table's rows (column id → value), numbers read exactly as the Rhai runtime gives
    /// them.
    Rows(Vec<super::table::RawRow>),
    /// A target rule's measures (`target`, `measured`, `wanted`, `evidence`), judged by the
    /// engine.
    Measures(Vec<super::target::RawMeasure>),
}

/// One candidate's answer, or its failure with its kind.
pub(crate) type CandidateAnswer = std::result::Result<Answer, (PluginFailure, String)>;

/// The answer buffer read with the ABI's decoder (`hecun-plugin-abi`), its errors worded for
/// a plugin's answer.
struct Reader<'a>(wire::Reader<'a>);

fn answered(e: wire::Error) -> String {
    match e {
        wire::Error::Truncated { at, len, .. } => {
            format!("answered with a buffer that ends early (byte {at} of {len})")
        }
        wire::Error::NotUtf8 { end, .. } => {
            format!("answered with text that is not UTF-8 at byte {end}")
        }
        // Answers hold no tagged values.
        wire::Error::UnknownTag { tag, at } => {
            format!("answered value tag {tag} at byte {at}, which ABI {ABI_VERSION} does not know")
        }
    }
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        self.0.take(n).map_err(answered)
    }

    fn u8(&mut self) -> std::result::Result<u8, String> {
        self.0.u8().map_err(answered)
    }

    fn u32(&mut self) -> std::result::Result<usize, String> {
        self.0.u32().map(|n| n as usize).map_err(answered)
    }

    fn f64(&mut self) -> std::result::Result<f64, String> {
        self.0.f64().map_err(answered)
    }

    /// Passes over a string without reading it; its length.
    fn skip_str(&mut self) -> std::result::Result<usize, String> {
        self.0.skip_str().map_err(answered)
    }

    fn str(&mut self) -> std::result::Result<String, String> {
        self.0.str().map(str::to_owned).map_err(answered)
    }

    fn at(&self) -> usize {
        self.0.position()
    }

    /// A count of entries each at least `min` bytes long: no larger than the bytes left.
    fn count(&mut self, min: usize) -> std::result::Result<usize, String> {
        let n = self.u32()?;
        if n.saturating_mul(min) > self.0.remaining() {
            return Err(format!(
                "answered a count of {n} that the buffer cannot hold"
            ));
        }
        Ok(n)
    }

    fn evidence(&mut self) -> std::result::Result<BTreeMap<String, serde_json::Value>, String> {
        let text = self.str()?;
        if text.is_empty() {
            return Ok(BTreeMap::new());
        }
        let raw: BTreeMap<String, Box<serde_json::value::RawValue>> =
            serde_json::from_str(&text)
                .map_err(|e| format!("answered evidence that is not a JSON object: {e}"))?;
        raw.into_iter()
            .map(|(k, v)| {
                exact_number(v.get())
                    .map_or_else(|| serde_json::from_str(v.get()), Ok)
                    .map(|v| (k, v))
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| format!("answered evidence that is not JSON: {e}"))
    }

    fn findings(&mut self) -> std::result::Result<Vec<Finding>, String> {
        let n = self.count(MIN_FINDING_BYTES)?;
        (0..n)
            .map(|_| {
                let criterion = self.str()?;
                let veto = self.u8()? != 0;
                let reason = self.str()?;
                let evidence = self.evidence()?;
                Ok(Finding {
                    criterion,
                    veto,
                    reason,
                    evidence,
                    // Resolved by the runtime from the manifest's `[messages]`.
                    reasons: BTreeMap::new(),
                    plugin: None,
                })
            })
            .collect()
    }
}

/// Decodes a guest's answer buffer for a batch of `n` candidates exactly as a run does (under
/// the default limits), and keeps only whether each candidate was answered or failed: a pure
/// function of the bytes, for the fuzzers (`fuzz/`).
#[doc(hidden)]
pub fn decode_answer_buffer(
    bytes: &[u8],
    n: usize,
) -> std::result::Result<Vec<std::result::Result<(), String>>, String> {
    decode_answers(bytes, n, &super::contract::Limits::default()).map(|answers| {
        answers
            .into_iter()
            .map(|a| a.map(drop).map_err(|(_, message)| message))
            .collect()
    })
}

/// One entry per candidate; the outer error is a malformed buffer, an inner one the
/// candidate's own failure with its kind (the rule's error, or an output limit).
/// A candidate over an output limit of `limits` gets that as its failure; its entry is
/// passed over without being decoded.
pub(crate) fn decode_answers(
    bytes: &[u8],
    n: usize,
    limits: &super::contract::Limits,
) -> std::result::Result<Vec<CandidateAnswer>, String> {
    let limit = |limit: &'static str| PluginFailure::Limit { limit };
    let mut r = Reader(wire::Reader::new(bytes));
    let mut answers = Vec::with_capacity(n);
    for i in 0..n {
        let begin = r.at();
        let code = r.u8()?;
        let mut answer = match Outcome::from_code(code) {
            Some(code @ (Outcome::Scored | Outcome::ScoredWithEvidence)) => {
                let score = r.f64()?;
                let count = r.count(MIN_TERM_BYTES)?;
                if count > limits.max_terms {
                    for _ in 0..count {
                        r.skip_str()?;
                        r.take(16)?;
                    }
                    // The next answer starts after the evidence.
                    if code == Outcome::ScoredWithEvidence {
                        r.skip_str()?;
                    }
                    Err((
                        limit("max_terms"),
                        format!(
                            "answered {count} terms, more than its limit max_terms = {} \
                             (plugin.toml [limits])",
                            limits.max_terms
                        ),
                    ))
                } else {
                    // A malformed term spoils the whole buffer: `?`, not this candidate's.
                    let terms = (0..count)
                        .map(|_| {
                            Ok(Term {
                                name: r.str()?,
                                weight: r.f64()?,
                                value: r.f64()?,
                            })
                        })
                        .collect::<std::result::Result<_, String>>()?;
                    if code == Outcome::ScoredWithEvidence {
                        let mark = r.at();
                        let size = r.skip_str()?;
                        if size > limits.max_evidence_bytes {
                            Err((
                                limit("max_evidence_bytes"),
                                format!(
                                    "answered {size} bytes of evidence, more than its limit \
                                     max_evidence_bytes = {} (plugin.toml [limits])",
                                    limits.max_evidence_bytes
                                ),
                            ))
                        } else {
                            r.0.seek(mark);
                            Ok(Answer::Scored(score, terms, r.evidence()?))
                        }
                    } else {
                        Ok(Answer::Scored(score, terms, BTreeMap::new()))
                    }
                }
            }
            Some(Outcome::Excluded) => {
                let reason = r.str()?;
                let mark = r.at();
                let size = r.skip_str()?;
                if size > limits.max_evidence_bytes {
                    Err((
                        limit("max_evidence_bytes"),
                        format!(
                            "answered {size} bytes of evidence, more than its limit \
                             max_evidence_bytes = {} (plugin.toml [limits])",
                            limits.max_evidence_bytes
                        ),
                    ))
                } else {
                    r.0.seek(mark);
                    Ok(Answer::Excluded(reason, r.evidence()?))
                }
            }
            Some(Outcome::Findings) => Ok(Answer::Findings(r.findings()?)),
            Some(Outcome::Standard) => {
                let standard = r.str()?;
                Ok(Answer::Standard(standard, r.findings()?))
            }
            Some(Outcome::Rows) => {
                let text = r.str()?;
                let raw: Vec<BTreeMap<String, Box<serde_json::value::RawValue>>> =
                    serde_json::from_str(&text).map_err(|e| {
                        format!("answered rows that are not a JSON array of objects: {e}")
                    })?;
                let rows = raw
                    .into_iter()
                    .map(|row| {
                        row.into_iter()
                            .map(|(k, v)| {
                                exact_number(v.get())
                                    .map_or_else(|| serde_json::from_str(v.get()), Ok)
                                    .map(|v| (k, v))
                            })
                            .collect::<std::result::Result<_, _>>()
                    })
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| format!("answered rows that are not JSON: {e}"))?;
                Ok(Answer::Rows(rows))
            }
            Some(Outcome::Measures) => {
                let text = r.str()?;
                let measures: Vec<serde_json::Value> = serde_json::from_str(&text)
                    .map_err(|e| format!("answered measures that are not a JSON array: {e}"))?;
                Ok(Answer::Measures(measures))
            }
            // The rule's own `Err(message)`.
            Some(Outcome::Error) => Err((PluginFailure::Runtime, r.str()?)),
            None => {
                return Err(format!(
                    "answered outcome {code} for candidate #{i}, which ABI {ABI_VERSION} does not know"
                ));
            }
        };
        if answer.is_ok() {
            let size = r.at() - begin;
            if let Err(breach) = limits.check_answer_bytes(size) {
                answer = Err((limit(breach.limit), breach.message));
            }
        }
        answers.push(answer);
    }
    if !r.0.at_end() {
        return Err(format!(
            "answered {} bytes more than {n} answers",
            r.0.remaining()
        ));
    }
    Ok(answers)
}

/// A JSON number as Rust reads it, correctly rounded: serde_json's own float parser (without
/// its `float_roundtrip` feature, which would slow reading every GeoJSON coordinate) can be a
/// unit in the last place off, and evidence must be the same bits the Rhai runtime gives.
fn exact_number(text: &str) -> Option<serde_json::Value> {
    let t = text.trim();
    if !t.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return None;
    }
    if !t.contains(['.', 'e', 'E']) {
        if let Ok(i) = t.parse::<i64>() {
            return Some(i.into());
        }
        if let Ok(u) = t.parse::<u64>() {
            return Some(u.into());
        }
    }
    t.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_candidates_failure_has_its_kind() {
        let limits = crate::rules::contract::Limits {
            max_terms: 2,
            max_evidence_bytes: 8,
            ..Default::default()
        };
        let mut buffer = Vec::new();
        wire::put_scored(&mut buffer, 1.0, [("a", 1.0, 1.0)].into_iter());
        let three = [("a", 1.0, 1.0), ("b", 1.0, 1.0), ("c", 1.0, 1.0)];
        wire::put_scored(&mut buffer, 1.0, three.into_iter());
        wire::put_excluded(&mut buffer, "too close", r#"{"distance_m": 12.5}"#);
        wire::put_error(&mut buffer, "no roads near");
        let answers = decode_answers(&buffer, 4, &limits).unwrap();
        assert!(matches!(answers[0], Ok(Answer::Scored(1.0, _, _))));
        let kind = |i: usize| match &answers[i] {
            Err((failure, _)) => *failure,
            Ok(_) => panic!("candidate #{i} should have failed"),
        };
        assert_eq!(kind(1), PluginFailure::Limit { limit: "max_terms" });
        assert_eq!(
            kind(2),
            PluginFailure::Limit {
                limit: "max_evidence_bytes"
            }
        );
        assert_eq!(kind(3), PluginFailure::Runtime);
    }

    #[test]
    fn a_score_with_evidence_decodes_and_is_bounded() {
        let limits = crate::rules::contract::Limits {
            max_terms: 1,
            max_evidence_bytes: 16,
            ..Default::default()
        };
        let mut buffer = Vec::new();
        wire::put_scored_with_evidence(
            &mut buffer,
            0.5,
            [("a", 1.0, 0.5)].into_iter(),
            r#"{"n": 3}"#,
        );
        // Over max_terms: its evidence is passed over, the next answer reads as it should.
        let two = [("a", 1.0, 1.0), ("b", 1.0, 1.0)];
        wire::put_scored_with_evidence(&mut buffer, 1.0, two.into_iter(), r#"{"n": 4}"#);
        wire::put_scored_with_evidence(
            &mut buffer,
            1.0,
            std::iter::empty(),
            r#"{"far too long": "evidence"}"#,
        );
        wire::put_scored(&mut buffer, 2.0, std::iter::empty());
        let answers = decode_answers(&buffer, 4, &limits).unwrap();
        match &answers[0] {
            Ok(Answer::Scored(s, terms, evidence)) => {
                assert_eq!((*s, terms.len()), (0.5, 1));
                assert_eq!(evidence["n"], serde_json::json!(3));
            }
            _ => panic!("answer #0 should be a score with evidence"),
        }
        assert!(matches!(
            answers[1],
            Err((PluginFailure::Limit { limit: "max_terms" }, _))
        ));
        assert!(matches!(
            answers[2],
            Err((
                PluginFailure::Limit {
                    limit: "max_evidence_bytes"
                },
                _
            ))
        ));
        assert!(matches!(&answers[3], Ok(Answer::Scored(s, _, e)) if *s == 2.0 && e.is_empty()));
    }
}
