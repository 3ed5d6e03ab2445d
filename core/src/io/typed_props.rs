//! Typed attributes of the binary formats (FlatGeobuf, GeoParquet) written as the JSON object
//! text that a GeoJSON export of the same data has: integers as integers, floats with their
//! shortest round-trip text, text as strings, booleans, null, dates as ISO text, in column
//! order. A layer read from either format then has the properties the GeoJSON layer has,
//! byte for byte, and everything after reading works on it unchanged.

use std::fmt::Write as _;

use serde_json::value::RawValue;

use crate::model::layer::Properties;

/// A JSON object written one field at a time.
pub(crate) struct ObjectWriter {
    out: String,
    fields: usize,
}

impl ObjectWriter {
    /// An empty object expecting about `fields` fields.
    pub fn new(fields: usize) -> ObjectWriter {
        let mut out = String::with_capacity(16 * fields + 2);
        out.push('{');
        ObjectWriter { out, fields: 0 }
    }

    /// Starts field `key` (its name already written as JSON text, see [`json_key`]); the
    /// value is written next with one of the `value_*` calls.
    pub fn key(&mut self, key: &str) {
        if self.fields > 0 {
            self.out.push(',');
        }
        self.fields += 1;
        self.out.push_str(key);
        self.out.push(':');
    }

    pub fn null(&mut self) {
        self.out.push_str("null");
    }

    pub fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    pub fn int(&mut self, n: i64) {
        let _ = write!(self.out, "{n}");
    }

    pub fn uint(&mut self, n: u64) {
        let _ = write!(self.out, "{n}");
    }

    /// A double as serde_json (and so hecun's GeoJSON writer) writes it: shortest round-trip
    /// text, `120.0` for a whole number. JSON has no NaN or infinity: `Err` says so.
    pub fn f64(&mut self, x: f64) -> Result<(), String> {
        if !x.is_finite() {
            return Err(format!(
                "{x} is not a finite number (JSON, and so hecun, has no NaN or infinity)"
            ));
        }
        self.out
            .push_str(&serde_json::to_string(&x).map_err(|e| e.to_string())?);
        Ok(())
    }

    /// A single-precision float with its own shortest text (`0.1`, not the double nearest
    /// to the float, `0.10000000149011612`): the number the data was written with.
    pub fn f32(&mut self, x: f32) -> Result<(), String> {
        if !x.is_finite() {
            return Err(format!(
                "{x} is not a finite number (JSON, and so hecun, has no NaN or infinity)"
            ));
        }
        self.out
            .push_str(&serde_json::to_string(&x).map_err(|e| e.to_string())?);
        Ok(())
    }

    pub fn str(&mut self, s: &str) {
        // Writing a &str as JSON cannot fail.
        self.out
            .push_str(&serde_json::to_string(s).unwrap_or_default());
    }

    /// Text that is itself JSON (a FlatGeobuf `Json` column), written as that JSON, as GDAL's
    /// GeoJSON export writes it; `Err` if it is not JSON.
    pub fn json(&mut self, text: &str) -> Result<(), String> {
        let value: Box<RawValue> = serde_json::from_str(text)
            .map_err(|e| format!("the JSON value {:?} is not JSON: {e}", clip(text)))?;
        self.out.push_str(value.get());
        Ok(())
    }

    /// The object as properties.
    pub fn finish(mut self) -> Result<Properties, String> {
        self.out.push('}');
        Properties::from_written(self.out)
    }
}

/// A field name as JSON text (quoted and escaped), written once per layer.
pub(crate) fn json_key(name: &str) -> String {
    serde_json::to_string(name).unwrap_or_default()
}

/// The names of `columns` that appear more than once: a JSON object with one key twice
/// would be read as its last value, silently dropping the first column.
pub(crate) fn duplicate_name<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().find(|n| !seen.insert(*n))
}

/// Days since 1970-01-01 as an ISO date (`2020-01-31`), proleptic Gregorian; `None` for a
/// year beyond 9999 or before 1 (not ISO text without a sign).
#[cfg(feature = "parquet")]
pub(crate) fn iso_date(days: i64) -> Option<String> {
    // Howard Hinnant's civil_from_days.
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (1..=9999)
        .contains(&y)
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A time since 1970-01-01T00:00:00 in `per_second` units as ISO text
/// (`2020-01-31T08:30:00`, a fraction when there is one, `Z` when the time is UTC).
#[cfg(feature = "parquet")]
pub(crate) fn iso_datetime(value: i64, per_second: i64, utc: bool) -> Option<String> {
    let seconds = value.div_euclid(per_second);
    let fraction = value.rem_euclid(per_second);
    let date = iso_date(seconds.div_euclid(86_400))?;
    let s = seconds.rem_euclid(86_400);
    let mut text = format!("{date}T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if fraction != 0 {
        let digits = per_second.ilog10() as usize;
        let f = format!("{fraction:0digits$}");
        text.push('.');
        text.push_str(f.trim_end_matches('0'));
    }
    if utc {
        text.push('Z');
    }
    Some(text)
}

fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_as_geojson_writes_it() {
        let mut o = ObjectWriter::new(6);
        for (k, v) in [("村名", 0), ("户数", 1), ("面积", 2), ("f32", 3), ("ok", 4)] {
            o.key(&json_key(k));
            match v {
                0 => o.str("王庄村"),
                1 => o.int(46),
                2 => o.f64(120.0).unwrap(),
                3 => o.f32(0.1).unwrap(),
                _ => o.bool(true),
            }
        }
        o.key(&json_key("x"));
        o.null();
        let p = o.finish().unwrap();
        assert_eq!(
            p.raw(),
            r#"{"村名":"王庄村","户数":46,"面积":120.0,"f32":0.1,"ok":true,"x":null}"#
        );
        assert!(ObjectWriter::new(1).f64(f64::NAN).is_err());
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn dates_agree_with_a_day_by_day_count() {
        // An independent oracle: walk the calendar one day at a time from 1970-01-01.
        let month_len = |y: i64, m: i64| match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let (mut y, mut m, mut d) = (1970, 1, 1);
        for days in 0..20_000 {
            assert_eq!(
                iso_date(days).unwrap(),
                format!("{y:04}-{m:02}-{d:02}"),
                "{days}"
            );
            d += 1;
            if d > month_len(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        assert_eq!(iso_date(-1).unwrap(), "1969-12-31");
        assert_eq!(
            iso_datetime(1_580_459_400_500, 1000, true).unwrap(),
            "2020-01-31T08:30:00.5Z"
        );
        assert_eq!(
            iso_datetime(1_580_459_400, 1, false).unwrap(),
            "2020-01-31T08:30:00"
        );
        assert!(iso_date(i64::MAX).is_none());
    }
}
