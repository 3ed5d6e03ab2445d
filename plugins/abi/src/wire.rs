//! The byte layout of `plugins/sdk/ABI.md` (little-endian): values, batches, answers and id
//! lists. One writer ([`put_value`], [`put_batch_header`], [`put_scored`], …) and one
//! [`Reader`], used by the host and the SDK alike.
//!
//! The host and the SDK each keep a value type of their own, holding parsed JSON (which this
//! crate, serde only, cannot name); both cross through [`Value`], the value as the wire has it.

use alloc::vec::Vec;
use core::fmt;
use core::str::Utf8Error;

/// The tags of a [`Value`] on the wire.
pub mod tag {
    /// No value.
    pub const MISSING: u8 = 0;
    /// A bool, as a `u8` 0/1.
    pub const BOOL: u8 = 1;
    /// An `i64`.
    pub const INT: u8 = 2;
    /// An `f64`.
    pub const FLOAT: u8 = 3;
    /// A `str`.
    pub const TEXT: u8 = 4;
    /// A `str` holding JSON (lists and tables).
    pub const JSON: u8 = 5;
}

/// One feature value as it crosses: borrowed from the sender's value, or from the buffer
/// being read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// No value.
    Missing,
    /// A yes/no value.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// Text.
    Text(&'a str),
    /// Lists and tables (e.g. a community's villages), as JSON text.
    Json(&'a str),
}

impl Value<'_> {
    /// The value's tag on the wire.
    pub const fn tag(&self) -> u8 {
        match self {
            Value::Missing => tag::MISSING,
            Value::Bool(_) => tag::BOOL,
            Value::Int(_) => tag::INT,
            Value::Float(_) => tag::FLOAT,
            Value::Text(_) => tag::TEXT,
            Value::Json(_) => tag::JSON,
        }
    }
}

/// What an answer entry is: its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A site score: `f64 score; u32 n; n × { str name; f64 weight; f64 value }`.
    Scored = 0,
    /// A site excluded: `str reason; str evidence_json`.
    Excluded = 1,
    /// A launch check's findings: `u32 n; n × finding`.
    Findings = 2,
    /// A standard selection: `str standard; u32 n; n × finding`.
    Standard = 3,
    /// The candidate's own failure: `str message`.
    Error = 4,
    /// A table's rows: `str rows_json`, a JSON array of objects, column id → value (added
    /// within ABI 1 with the `table` kind; the engine checks every row against the manifest's
    /// columns).
    Rows = 5,
    /// A site score with evidence: `f64 score; u32 n; n × term; str evidence_json` (added
    /// within ABI 1: a host older than this code refuses it as an unknown outcome).
    ScoredWithEvidence = 6,
    /// A target rule's measures: `str measures_json`, a JSON array of objects (`target`,
    /// `measured`, `wanted`, `evidence`; added within ABI 1 with the `target` kind: the engine
    /// checks each against the manifest's `[[targets]]` and decides met or missed).
    Measures = 7,
}

impl Outcome {
    /// The outcome's code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The outcome of a code; `None` for one ABI [`ABI_VERSION`](crate::ABI_VERSION) does
    /// not know.
    pub const fn from_code(code: u8) -> Option<Outcome> {
        Some(match code {
            0 => Outcome::Scored,
            1 => Outcome::Excluded,
            2 => Outcome::Findings,
            3 => Outcome::Standard,
            4 => Outcome::Error,
            5 => Outcome::Rows,
            6 => Outcome::ScoredWithEvidence,
            7 => Outcome::Measures,
            _ => return None,
        })
    }
}

/// The least bytes a term of a score takes (an empty name, weight and value).
pub const MIN_TERM_BYTES: usize = 20;
/// The least bytes a finding takes (empty texts and a veto flag).
pub const MIN_FINDING_BYTES: usize = 13;

/// The first character of a reason (an exclusion's, a finding's) that is a message, not text:
/// the rest is JSON `{"id": "…", "args": {…}}`, an id of the manifest's `[messages]` that the
/// host fills in the report's language (ABI.md, "Reasons"). No reason written as text starts
/// with a NUL, so a plugin written before messages is read as before.
pub const MESSAGE_MARK: char = '\u{0}';

// ---- Writing ----

/// Appends a `u8`.
#[inline]
pub fn put_u8(out: &mut Vec<u8>, v: u8) {
    out.push(v);
}

/// Appends a `u32`. A length over `u32::MAX` is the caller's bug: it panics.
#[inline]
pub fn put_u32(out: &mut Vec<u8>, v: usize) {
    let v = u32::try_from(v).expect("a length over 4 GiB");
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends an `i64`.
#[inline]
pub fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends an `f64`.
#[inline]
pub fn put_f64(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a `str`: its byte length (`u32`) and its bytes.
#[inline]
pub fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// Appends a value: its tag and its payload.
#[inline]
pub fn put_value(out: &mut Vec<u8>, v: Value<'_>) {
    out.push(v.tag());
    match v {
        Value::Missing => {}
        Value::Bool(b) => out.push(u8::from(b)),
        Value::Int(i) => put_i64(out, i),
        Value::Float(f) => put_f64(out, f),
        Value::Text(s) | Value::Json(s) => put_str(out, s),
    }
}

/// Appends what precedes a batch's candidates: the explain flag, the feature names and the
/// candidate count. Each candidate follows as `str id; one value per name; str attributes`.
pub fn put_batch_header<S: AsRef<str>>(out: &mut Vec<u8>, explain: bool, names: &[S], n: usize) {
    out.push(u8::from(explain));
    put_u32(out, names.len());
    for name in names {
        put_str(out, name.as_ref());
    }
    put_u32(out, n);
}

/// Appends a score and its terms `(name, weight, value)`.
pub fn put_scored<'a>(
    out: &mut Vec<u8>,
    score: f64,
    terms: impl ExactSizeIterator<Item = (&'a str, f64, f64)>,
) {
    out.push(Outcome::Scored.code());
    put_f64(out, score);
    put_u32(out, terms.len());
    for (name, weight, value) in terms {
        put_str(out, name);
        put_f64(out, weight);
        put_f64(out, value);
    }
}

/// Appends a score, its terms `(name, weight, value)` and its evidence as JSON text.
pub fn put_scored_with_evidence<'a>(
    out: &mut Vec<u8>,
    score: f64,
    terms: impl ExactSizeIterator<Item = (&'a str, f64, f64)>,
    evidence_json: &str,
) {
    out.push(Outcome::ScoredWithEvidence.code());
    put_f64(out, score);
    put_u32(out, terms.len());
    for (name, weight, value) in terms {
        put_str(out, name);
        put_f64(out, weight);
        put_f64(out, value);
    }
    put_str(out, evidence_json);
}

/// Appends an exclusion: the reason and the evidence as JSON text.
pub fn put_excluded(out: &mut Vec<u8>, reason: &str, evidence_json: &str) {
    out.push(Outcome::Excluded.code());
    put_str(out, reason);
    put_str(out, evidence_json);
}

/// Appends the outcome of a launch check and the count of its findings; the findings follow,
/// each by [`put_finding`].
pub fn put_findings_header(out: &mut Vec<u8>, n: usize) {
    out.push(Outcome::Findings.code());
    put_u32(out, n);
}

/// Appends the outcome of a standard selection, the standard and the count of its findings;
/// the findings follow, each by [`put_finding`].
pub fn put_standard_header(out: &mut Vec<u8>, standard: &str, n: usize) {
    out.push(Outcome::Standard.code());
    put_str(out, standard);
    put_u32(out, n);
}

/// Appends one finding.
pub fn put_finding(out: &mut Vec<u8>, criterion: &str, veto: bool, reason: &str, evidence: &str) {
    put_str(out, criterion);
    out.push(u8::from(veto));
    put_str(out, reason);
    put_str(out, evidence);
}

/// Appends a table's rows, as a JSON array of objects.
pub fn put_rows(out: &mut Vec<u8>, rows_json: &str) {
    out.push(Outcome::Rows.code());
    put_str(out, rows_json);
}

/// Appends a target rule's measures, as a JSON array of objects.
pub fn put_measures(out: &mut Vec<u8>, measures_json: &str) {
    out.push(Outcome::Measures.code());
    put_str(out, measures_json);
}

/// Appends a candidate's own failure.
pub fn put_error(out: &mut Vec<u8>, message: &str) {
    out.push(Outcome::Error.code());
    put_str(out, message);
}

/// Appends a grouped answer of the aggregate helpers (`sum_by`, `count_by_area`, …):
/// `u32 n; n × { str group; value }`, the value a float (sums, means), an int (counts) or
/// missing (the mean of a group without features).
pub fn put_groups<'a>(out: &mut Vec<u8>, groups: &[(&'a str, Value<'a>)]) {
    put_u32(out, groups.len());
    for (group, value) in groups {
        put_str(out, group);
        put_value(out, *value);
    }
}

/// Reads a grouped answer ([`put_groups`]).
pub fn groups(bytes: &[u8]) -> Result<Vec<(&str, Value<'_>)>, Error> {
    let mut r = Reader::new(bytes);
    let n = r.u32()? as usize;
    // Each group takes at least 5 bytes: an untrusted count cannot reserve more than that.
    let mut groups = Vec::with_capacity(n.min(r.remaining() / 5));
    for _ in 0..n {
        let group = r.str()?;
        groups.push((group, r.value()?));
    }
    Ok(groups)
}

/// Appends an id list (the answer of the `ids_within` import): each id as a `u32` length and
/// its bytes.
pub fn put_ids<'a>(out: &mut Vec<u8>, ids: impl IntoIterator<Item = &'a str>) {
    for id in ids {
        put_str(out, id);
    }
}

/// The ids of an id list, as bytes (the host writes UTF-8). A list cut short (a host never
/// does it) gives what is there: the last id shortened, no panic.
pub fn ids(mut bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    core::iter::from_fn(move || {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = (u32::from_le_bytes(*len) as usize).min(rest.len());
        let (id, rest) = rest.split_at(len);
        bytes = rest;
        Some(id)
    })
}

// ---- Reading ----

/// Why bytes do not decode. Each side words it for its reader (the host names the plugin,
/// the SDK the ABI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `wanted` more bytes at offset `at` of a buffer of `len`.
    Truncated {
        /// Bytes wanted.
        wanted: usize,
        /// Where.
        at: usize,
        /// The buffer's length.
        len: usize,
    },
    /// A `str` ending at offset `end` is not UTF-8.
    NotUtf8 {
        /// The offset just past the text.
        end: usize,
        /// What is wrong with it.
        error: Utf8Error,
    },
    /// A value tag this ABI does not know, at offset `at`.
    UnknownTag {
        /// The tag.
        tag: u8,
        /// Where.
        at: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated { wanted, at, len } => write!(
                f,
                "truncated input: {wanted} bytes wanted at offset {at} of {len}"
            ),
            Error::NotUtf8 { error, .. } => write!(f, "text that is not UTF-8: {error}"),
            Error::UnknownTag { tag, .. } => write!(f, "unknown value tag {tag}"),
        }
    }
}

/// The error in words (as [`Display`](fmt::Display)), for `?` in code that reports errors as
/// text.
impl From<Error> for alloc::string::String {
    fn from(e: Error) -> Self {
        alloc::string::ToString::to_string(&e)
    }
}

/// Reads the encoding in place.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// The offset of the next byte.
    pub const fn position(&self) -> usize {
        self.at
    }

    /// Goes back to an offset [`position`](Self::position) gave.
    pub fn seek(&mut self, at: usize) {
        debug_assert!(at <= self.bytes.len());
        self.at = at.min(self.bytes.len());
    }

    /// The bytes not read yet.
    pub const fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// Whether every byte was read.
    pub const fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    /// The next `n` bytes.
    #[inline]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(Error::Truncated {
                wanted: n,
                at: self.at,
                len: self.bytes.len(),
            })?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// A `u8`.
    #[inline]
    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    /// A `u32`.
    #[inline]
    pub fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// An `i64`.
    #[inline]
    pub fn i64(&mut self) -> Result<i64, Error> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// An `f64`.
    #[inline]
    pub fn f64(&mut self) -> Result<f64, Error> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A `str`, in place.
    #[inline]
    pub fn str(&mut self) -> Result<&'a str, Error> {
        let n = self.u32()? as usize;
        let bytes = self.take(n)?;
        core::str::from_utf8(bytes).map_err(|error| Error::NotUtf8 {
            end: self.at,
            error,
        })
    }

    /// Passes over a `str` without checking it; its length.
    #[inline]
    pub fn skip_str(&mut self) -> Result<usize, Error> {
        let n = self.u32()? as usize;
        self.take(n)?;
        Ok(n)
    }

    /// A value, in place.
    #[inline]
    pub fn value(&mut self) -> Result<Value<'a>, Error> {
        let at = self.at;
        Ok(match self.u8()? {
            tag::MISSING => Value::Missing,
            tag::BOOL => Value::Bool(self.u8()? != 0),
            tag::INT => Value::Int(self.i64()?),
            tag::FLOAT => Value::Float(self.f64()?),
            tag::TEXT => Value::Text(self.str()?),
            tag::JSON => Value::Json(self.str()?),
            tag => return Err(Error::UnknownTag { tag, at }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn values_round_trip_bit_for_bit() {
        let values = [
            Value::Missing,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Float(-0.0),
            Value::Float(f64::MAX),
            Value::Float(0.1 + 0.2),
            Value::Text(""),
            Value::Text("甲村"),
            Value::Json("[{\"id\":\"v1\"}]"),
        ];
        let mut out = Vec::new();
        for v in values {
            put_value(&mut out, v);
        }
        let mut r = Reader::new(&out);
        for v in values {
            let back = r.value().unwrap();
            assert_eq!(back, v);
            if let (Value::Float(a), Value::Float(b)) = (back, v) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
        assert!(r.at_end());
        // NaN is not equal to itself: its bits cross unchanged.
        let mut out = Vec::new();
        put_value(&mut out, Value::Float(f64::NAN));
        let Value::Float(nan) = Reader::new(&out).value().unwrap() else {
            panic!("not a float")
        };
        assert_eq!(nan.to_bits(), f64::NAN.to_bits());
    }

    #[test]
    fn the_bytes_are_those_of_abi_md() {
        let mut out = Vec::new();
        put_value(&mut out, Value::Bool(true));
        put_value(&mut out, Value::Int(2));
        put_value(&mut out, Value::Text("ab"));
        assert_eq!(
            out,
            [1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, b'a', b'b']
        );
        let mut out = Vec::new();
        put_batch_header(&mut out, true, &["x"], 3);
        assert_eq!(out, [1, 1, 0, 0, 0, 1, 0, 0, 0, b'x', 3, 0, 0, 0]);
        let mut out = Vec::new();
        put_scored(&mut out, 1.0, [("t", 2.0, 0.5)].into_iter());
        assert_eq!(out[0], 0);
        assert_eq!(out.len(), 1 + 8 + 4 + (4 + 1) + 16);
        let mut out = Vec::new();
        put_error(&mut out, "no");
        assert_eq!(out, [4, 2, 0, 0, 0, b'n', b'o']);
    }

    #[test]
    fn minimal_entries_are_as_large_as_the_host_assumes() {
        let mut out = Vec::new();
        put_scored(&mut out, 0.0, [("", 0.0, 0.0)].into_iter());
        assert_eq!(out.len() - (1 + 8 + 4), MIN_TERM_BYTES);
        let mut out = Vec::new();
        put_finding(&mut out, "", false, "", "");
        assert_eq!(out.len(), MIN_FINDING_BYTES);
    }

    #[test]
    fn outcomes_round_trip() {
        for code in 0..=7 {
            assert_eq!(Outcome::from_code(code).map(Outcome::code), Some(code));
        }
        assert_eq!(Outcome::from_code(8), None);
    }

    #[test]
    fn errors_say_where() {
        let mut r = Reader::new(&[9]);
        assert_eq!(r.value(), Err(Error::UnknownTag { tag: 9, at: 0 }));
        let mut r = Reader::new(&[2, 0]);
        assert_eq!(
            r.value(),
            Err(Error::Truncated {
                wanted: 8,
                at: 1,
                len: 2
            })
        );
        let mut r = Reader::new(&[1, 0, 0, 0, 0xff]);
        assert!(matches!(r.str(), Err(Error::NotUtf8 { end: 5, .. })));
    }

    #[test]
    fn ids_round_trip_and_a_short_list_does_not_panic() {
        let mut out = Vec::new();
        put_ids(&mut out, ["A1", "", "甲22"]);
        let back: Vec<&[u8]> = ids(&out).collect();
        assert_eq!(back, [&b"A1"[..], b"", "甲22".as_bytes()]);
        assert_eq!(ids(&[]).count(), 0);
        let short: Vec<&[u8]> = ids(&out[..5]).collect();
        assert_eq!(short, vec![&b"A"[..]]);
    }
}
