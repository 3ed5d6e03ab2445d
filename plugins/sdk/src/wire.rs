//! A rule's answers onto the wire (ABI.md, "Encoding"), with the encoder of
//! `hecun-plugin-abi` that the host decodes with.

use hecun_plugin_abi::wire;

use crate::answer::{Evidence, Finding, Measure, Outcome, Row, Standard, Term};

/// The answers of a batch, one entry per candidate.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

fn evidence_text(evidence: &Evidence) -> String {
    // serde_json writes a float so that it reads back to the same bits.
    serde_json::to_string(evidence).expect("JSON of a map always writes")
}

impl Writer {
    pub(crate) fn scored(&mut self, score: f64, terms: &[Term]) {
        wire::put_scored(
            &mut self.bytes,
            score,
            terms.iter().map(|t| (t.name.as_str(), t.weight, t.value)),
        );
    }

    pub(crate) fn outcome(&mut self, outcome: &Outcome, terms: &[Term]) {
        match outcome {
            Outcome::Scored(s) => self.scored(*s, terms),
            Outcome::ScoredWithEvidence { score, evidence } => wire::put_scored_with_evidence(
                &mut self.bytes,
                *score,
                terms.iter().map(|t| (t.name.as_str(), t.weight, t.value)),
                &evidence_text(evidence),
            ),
            Outcome::Excluded { reason, evidence } => {
                wire::put_excluded(&mut self.bytes, reason, &evidence_text(evidence));
            }
        }
    }

    fn finding_list(&mut self, findings: &[Finding]) {
        for f in findings {
            wire::put_finding(
                &mut self.bytes,
                &f.criterion,
                f.veto,
                &f.reason,
                &evidence_text(&f.evidence),
            );
        }
    }

    pub(crate) fn findings(&mut self, findings: &[Finding]) {
        wire::put_findings_header(&mut self.bytes, findings.len());
        self.finding_list(findings);
    }

    pub(crate) fn standard(&mut self, standard: &Standard) {
        wire::put_standard_header(&mut self.bytes, &standard.name, standard.findings.len());
        self.finding_list(&standard.findings);
    }

    pub(crate) fn rows(&mut self, rows: &[Row]) {
        // serde_json writes a float so that it reads back to the same bits.
        let text = serde_json::to_string(rows).expect("JSON of a list of maps always writes");
        wire::put_rows(&mut self.bytes, &text);
    }

    pub(crate) fn measures(&mut self, measures: &[Measure]) {
        let list: Vec<serde_json::Value> = measures.iter().map(Measure::to_json).collect();
        let text = serde_json::to_string(&list).expect("JSON of a list of maps always writes");
        wire::put_measures(&mut self.bytes, &text);
    }

    pub(crate) fn error(&mut self, message: &str) {
        wire::put_error(&mut self.bytes, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::scored;
    use crate::testing::{Answer, decode_answers};

    #[test]
    fn a_score_with_evidence_reads_back_as_the_host_reads_it() {
        let mut w = Writer::default();
        let terms = [Term {
            name: "road".into(),
            weight: 1.0,
            value: 0.25,
        }];
        w.outcome(
            &scored(0.25, serde_json::json!({ "patients": 120 })),
            &terms,
        );
        w.outcome(&Outcome::Scored(1.0), &[]);
        let answers = decode_answers(&w.bytes).unwrap();
        match &answers[0] {
            Answer::Scored {
                score,
                terms,
                evidence,
            } => {
                assert_eq!((*score, terms.len()), (0.25, 1));
                assert_eq!(evidence["patients"], 120);
            }
            _ => panic!("answer #0 should be a score"),
        }
        assert!(matches!(&answers[1], Answer::Scored { evidence, .. } if evidence.is_empty()));
    }
}
