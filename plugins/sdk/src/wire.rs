//! The byte layout of ABI.md: batches in, answers out (little-endian).

use crate::answer::{Finding, Outcome, Standard, Term};
use crate::value::Value;

/// Value tags.
pub(crate) const MISSING: u8 = 0;
pub(crate) const BOOL: u8 = 1;
pub(crate) const INT: u8 = 2;
pub(crate) const FLOAT: u8 = 3;
pub(crate) const TEXT: u8 = 4;
pub(crate) const JSON: u8 = 5;

/// Answer outcomes.
pub(crate) const SCORED: u8 = 0;
pub(crate) const EXCLUDED: u8 = 1;
pub(crate) const FINDINGS: u8 = 2;
pub(crate) const STANDARD: u8 = 3;
pub(crate) const ERROR: u8 = 4;

/// Reads the encoding in place.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "truncated input: {n} bytes wanted at offset {} of {}",
                    self.at,
                    self.bytes.len()
                )
            })?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, String> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|e| format!("text that is not UTF-8: {e}"))
    }

    /// A value; a JSON value that does not parse is an error of the candidate, not of the batch
    /// (the outer `Result` is the batch's, the inner the candidate's).
    pub(crate) fn value(&mut self) -> Result<Result<Value, String>, String> {
        Ok(Ok(match self.u8()? {
            MISSING => Value::Missing,
            BOOL => Value::Bool(self.u8()? != 0),
            INT => Value::Int(self.i64()?),
            FLOAT => Value::Float(self.f64()?),
            TEXT => Value::Text(self.str()?.to_owned()),
            JSON => match serde_json::from_str(self.str()?) {
                Ok(v) => Value::Json(v),
                Err(e) => return Ok(Err(format!("a JSON feature does not parse: {e}"))),
            },
            tag => return Err(format!("unknown value tag {tag}")),
        }))
    }
}

/// Writes the encoding.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn i64(&mut self, v: i64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn f64(&mut self, v: f64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.u32(u32::try_from(s.len()).expect("a text longer than 4 GiB"));
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn value(&mut self, v: &Value) {
        match v {
            Value::Missing => self.u8(MISSING),
            Value::Bool(b) => {
                self.u8(BOOL);
                self.u8(*b as u8);
            }
            Value::Int(i) => {
                self.u8(INT);
                self.i64(*i);
            }
            Value::Float(f) => {
                self.u8(FLOAT);
                self.f64(*f);
            }
            Value::Text(s) => {
                self.u8(TEXT);
                self.str(s);
            }
            Value::Json(j) => {
                self.u8(JSON);
                self.str(&j.to_string());
            }
        }
    }

    fn evidence(&mut self, evidence: &serde_json::Map<String, serde_json::Value>) {
        // serde_json writes a float so that it reads back to the same bits.
        let text = serde_json::to_string(evidence).expect("JSON of a map always writes");
        self.str(&text);
    }

    pub(crate) fn scored(&mut self, score: f64, terms: &[Term]) {
        self.u8(SCORED);
        self.f64(score);
        self.u32(terms.len() as u32);
        for t in terms {
            self.str(&t.name);
            self.f64(t.weight);
            self.f64(t.value);
        }
    }

    pub(crate) fn outcome(&mut self, outcome: &Outcome, terms: &[Term]) {
        match outcome {
            Outcome::Scored(s) => self.scored(*s, terms),
            Outcome::Excluded { reason, evidence } => {
                self.u8(EXCLUDED);
                self.str(reason);
                self.evidence(evidence);
            }
        }
    }

    fn finding_list(&mut self, findings: &[Finding]) {
        self.u32(findings.len() as u32);
        for f in findings {
            self.str(&f.criterion);
            self.u8(f.veto as u8);
            self.str(&f.reason);
            self.evidence(&f.evidence);
        }
    }

    pub(crate) fn findings(&mut self, findings: &[Finding]) {
        self.u8(FINDINGS);
        self.finding_list(findings);
    }

    pub(crate) fn standard(&mut self, standard: &Standard) {
        self.u8(STANDARD);
        self.str(&standard.name);
        self.finding_list(&standard.findings);
    }

    pub(crate) fn error(&mut self, message: &str) {
        self.u8(ERROR);
        self.str(message);
    }
}
