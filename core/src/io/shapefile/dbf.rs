//! The `.dbf` of a Shapefile: dBASE III records, each field written as JSON the way GDAL's
//! GeoJSON export writes it, so that a layer read from a Shapefile has the properties the
//! same layer read from GeoJSON has.

use std::fmt::Write as _;
use std::path::Path;

use encoding_rs::Encoding;

use crate::error::{Error, Result};

/// One field (column) of the table.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The name's bytes as stored (up to 10 bytes: ArcGIS truncates longer names).
    pub name_bytes: Vec<u8>,
    /// The type letter (`C`, `N`, `F`, `D`, `L`).
    pub kind: u8,
    /// Offset of the field in a record (after the deletion flag).
    pub offset: usize,
    /// Width in bytes.
    pub len: usize,
    /// Digits after the decimal point (numeric fields).
    pub decimals: u8,
}

/// The table: its fields and its records, borrowed from the file's bytes.
#[derive(Debug)]
pub(crate) struct Table<'a> {
    pub fields: Vec<Field>,
    pub records: usize,
    record_len: usize,
    data: &'a [u8],
}

impl<'a> Table<'a> {
    /// Reads the header and field descriptors of `bytes` (the whole `.dbf`), checking that the
    /// records it announces are all there.
    pub fn parse(path: &Path, bytes: &'a [u8]) -> Result<Table<'a>> {
        let bad = |message: String| Error::format(path, message);
        if bytes.len() < 33 {
            return Err(bad(format!(
                "is {} bytes long, shorter than a dBASE header: not a .dbf (or truncated)",
                bytes.len()
            )));
        }
        let records = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        if header_len < 33 || header_len > bytes.len() || record_len == 0 {
            return Err(bad(format!(
                "the dBASE header is inconsistent (header {header_len} bytes, records \
                 {record_len} bytes, file {} bytes): not a .dbf, or damaged",
                bytes.len()
            )));
        }
        let mut fields = Vec::new();
        let mut offset = 0;
        let mut at = 32;
        while at + 32 <= header_len && bytes[at] != 0x0D {
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let field = Field {
                name_bytes: d[..name_end].to_vec(),
                kind: d[11].to_ascii_uppercase(),
                offset,
                len: d[16] as usize,
                decimals: d[17],
            };
            offset += field.len;
            fields.push(field);
            at += 32;
        }
        if fields.is_empty() {
            return Err(bad("the table has no fields".to_owned()));
        }
        if offset + 1 != record_len {
            return Err(bad(format!(
                "the fields add up to {} bytes a record but the header says {record_len}: the \
                 .dbf is damaged",
                offset + 1
            )));
        }
        let data = &bytes[header_len..];
        let whole = data.len() / record_len;
        if whole < records {
            return Err(bad(format!(
                "the header announces {records} records of {record_len} bytes, but the file \
                 holds only {whole} whole records (is it truncated?)"
            )));
        }
        Ok(Table {
            fields,
            records,
            record_len,
            data,
        })
    }

    /// Record `k`'s bytes, the deletion flag first.
    pub fn record(&self, k: usize) -> &'a [u8] {
        &self.data[k * self.record_len..(k + 1) * self.record_len]
    }

    /// Whether record `k` is marked deleted (`*`): GDAL and ArcGIS do not show it.
    pub fn is_deleted(&self, k: usize) -> bool {
        self.record(k)[0] == b'*'
    }

    /// The bytes of field `f` of record `k`.
    pub fn value(&self, k: usize, f: &Field) -> &'a [u8] {
        &self.record(k)[1 + f.offset..1 + f.offset + f.len]
    }

    /// The first piece of text (a field name, or a character value of a record not deleted)
    /// that `valid` refuses: `(None, field)` for a name, `(Some(record), field)` for a value.
    /// Records are checked on all cores; the first in file order is returned.
    pub fn first_invalid(
        &self,
        valid: impl Fn(&[u8]) -> bool + Sync,
    ) -> Option<(Option<usize>, usize)> {
        use rayon::prelude::*;
        if let Some(f) = self
            .fields
            .iter()
            .position(|f| name_text(&f.name_bytes, &valid).is_none())
        {
            return Some((None, f));
        }
        let character: Vec<usize> = (0..self.fields.len())
            .filter(|&f| self.fields[f].kind == b'C')
            .collect();
        (0..self.records).into_par_iter().find_map_first(|k| {
            if self.is_deleted(k) {
                return None;
            }
            character
                .iter()
                .find(|&&f| !valid(trim_end(self.value(k, &self.fields[f]))))
                .map(|&f| (Some(k), f))
        })
    }
}

/// The bytes of a field name that `valid` accepts: the name, or, for a name cut at the
/// format's 10 bytes in the middle of a character (GDAL cuts `统计用区划代码` in UTF-8 to
/// `统计用` and one byte of `区`), the name without the cut character's first bytes.
pub(crate) fn name_text(name: &[u8], valid: impl Fn(&[u8]) -> bool) -> Option<&[u8]> {
    let name = trim_end(name);
    let cut = if name.len() >= 10 { 3 } else { 0 };
    (0..=cut.min(name.len()))
        .map(|j| &name[..name.len() - j])
        .find(|n| valid(n))
}

/// The bytes without trailing padding (spaces and NULs).
pub(crate) fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(0, |p| p + 1);
    &bytes[..end]
}

/// Decodes `bytes` in `encoding`, refusing bytes that are not valid in it (no replacement
/// characters: a wrong encoding must not pass as text).
pub(crate) fn decode(encoding: &'static Encoding, bytes: &[u8]) -> Option<String> {
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(bytes).ok().map(str::to_owned);
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
}

/// The bytes as hex, for a message about bytes that are not text.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, b) in bytes.iter().take(16).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    if bytes.len() > 16 {
        out.push_str(" …");
    }
    out
}

/// Appends field `field`'s value `raw` to `out` as JSON; `Err`: why it cannot be read.
pub(crate) fn write_value(
    field: &Field,
    raw: &[u8],
    encoding: &'static Encoding,
    out: &mut String,
) -> std::result::Result<(), String> {
    match field.kind {
        b'C' => {
            let text = trim_end(raw);
            if text.is_empty() {
                // GDAL reads an empty (all-blank) text field as null.
                out.push_str("null");
                return Ok(());
            }
            let decoded = decode(encoding, text).ok_or_else(|| {
                format!(
                    "the bytes {} are not valid {} text",
                    hex(text),
                    encoding.name()
                )
            })?;
            out.push_str(&serde_json::to_string(&decoded).map_err(|e| e.to_string())?);
        }
        b'N' | b'F' => {
            let text = raw.trim_ascii();
            // Blanks, or asterisks (a value too wide for the field), are no value: null,
            // never 0.
            if text.is_empty() || text.iter().all(|&b| b == b'*') {
                out.push_str("null");
                return Ok(());
            }
            let text =
                std::str::from_utf8(text).map_err(|_| format!("{} is not a number", hex(text)))?;
            if field.decimals == 0
                && let Ok(n) = text.parse::<i64>()
            {
                let _ = write!(out, "{n}");
                return Ok(());
            }
            let x: f64 = text
                .parse()
                .map_err(|_| format!("{text:?} is not a number"))?;
            if !x.is_finite() {
                return Err(format!("{text:?} is not a finite number"));
            }
            if x == x.trunc() && x.abs() < 1e15 && field.decimals == 0 {
                let _ = write!(out, "{}", x as i64);
            } else {
                out.push_str(&serde_json::to_string(&x).map_err(|e| e.to_string())?);
            }
        }
        b'D' => {
            let text = raw.trim_ascii();
            if text.is_empty() || text.iter().all(|&b| b == b'0') {
                out.push_str("null");
                return Ok(());
            }
            let ok = text.len() == 8 && text.iter().all(u8::is_ascii_digit);
            let date = std::str::from_utf8(text).ok().filter(|_| ok).and_then(|t| {
                let (y, m, d) = (&t[..4], &t[4..6], &t[6..]);
                let (mm, dd): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
                ((1..=12).contains(&mm) && (1..=31).contains(&dd)).then(|| format!("{y}-{m}-{d}"))
            });
            match date {
                Some(iso) => {
                    let _ = write!(out, "\"{iso}\"");
                }
                None => {
                    return Err(format!(
                        "{:?} is not a date (a dBASE date is YYYYMMDD)",
                        String::from_utf8_lossy(text)
                    ));
                }
            }
        }
        b'L' => match raw.trim_ascii() {
            b"" | b"?" => out.push_str("null"),
            b"T" | b"t" | b"Y" | b"y" => out.push_str("true"),
            b"F" | b"f" | b"N" | b"n" => out.push_str("false"),
            other => {
                return Err(format!(
                    "{:?} is not a logical value (T, F, Y, N or ?)",
                    String::from_utf8_lossy(other)
                ));
            }
        },
        other => {
            return Err(format!(
                "fields of dBASE type {:?} are not read (hecun reads C, N, F, D and L)",
                other as char
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: u8, len: usize, decimals: u8) -> Field {
        Field {
            name_bytes: b"X".to_vec(),
            kind,
            offset: 0,
            len,
            decimals,
        }
    }

    fn json(f: &Field, raw: &[u8]) -> std::result::Result<String, String> {
        let mut out = String::new();
        write_value(f, raw, encoding_rs::GBK, &mut out).map(|()| out)
    }

    #[test]
    fn numbers_blanks_dates_and_logicals() {
        let n = field(b'N', 12, 0);
        assert_eq!(json(&n, b"410122101202").unwrap(), "410122101202");
        assert_eq!(json(&n, b"         120").unwrap(), "120");
        // A blank number is no value, not zero.
        assert_eq!(json(&n, b"            ").unwrap(), "null");
        assert_eq!(json(&n, b"************").unwrap(), "null");
        let r = field(b'N', 10, 2);
        assert_eq!(json(&r, b"      3.50").unwrap(), "3.5");
        assert_eq!(json(&r, b"     -0.25").unwrap(), "-0.25");
        assert!(
            json(&r, b"     3,50 ")
                .unwrap_err()
                .contains("not a number")
        );
        let d = field(b'D', 8, 0);
        assert_eq!(json(&d, b"20200131").unwrap(), "\"2020-01-31\"");
        assert_eq!(json(&d, b"        ").unwrap(), "null");
        assert!(json(&d, b"20201331").is_err());
        let l = field(b'L', 1, 0);
        assert_eq!(json(&l, b"T").unwrap(), "true");
        assert_eq!(json(&l, b"n").unwrap(), "false");
        assert_eq!(json(&l, b"?").unwrap(), "null");
        assert!(json(&l, b"x").is_err());
    }

    #[test]
    fn text_is_decoded_strictly() {
        let c = field(b'C', 10, 0);
        // 王庄村 in GBK, padded with spaces.
        let (gbk, _, _) = encoding_rs::GBK.encode("王庄村");
        let mut raw = gbk.to_vec();
        raw.resize(10, b' ');
        assert_eq!(json(&c, &raw).unwrap(), "\"王庄村\"");
        assert_eq!(json(&c, b"          ").unwrap(), "null");
        // GBK bytes are not UTF-8.
        let mut out = String::new();
        let err = write_value(&c, &raw, encoding_rs::UTF_8, &mut out).unwrap_err();
        assert!(err.contains("not valid UTF-8"), "{err}");
    }
}
