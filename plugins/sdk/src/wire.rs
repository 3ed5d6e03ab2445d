//! A rule's answers onto the wire (ABI.md, "Encoding"), with the encoder of
//! `hecun-plugin-abi` that the host decodes with.

use hecun_plugin_abi::wire;

use crate::answer::{Evidence, Finding, Outcome, Row, Standard, Term};

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

    pub(crate) fn error(&mut self, message: &str) {
        wire::put_error(&mut self.bytes, message);
    }
}
