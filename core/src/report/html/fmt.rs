//! Escaping and number formats, the same everywhere on the page.
//!
//! Counts carry thousands separators (`12,345`), shares one decimal (`12.3 %`; a share one
//! decimal would show as 0 or 100 keeps its significant digits, `0.04 %`), scores three
//! decimals, widths in whole metres unless they are not whole. Every format is a pure function
//! of its input, so the page is byte-for-byte the same for the same report.

use std::fmt::Write;

/// Text made safe for HTML content and for quoted attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count with thousands separators.
pub(super) fn count(n: u64) -> String {
    crate::report::numbers::thousands(n)
}

/// See [`count`].
pub(super) fn count_usize(n: usize) -> String {
    count(n as u64)
}

/// A share (0–1) as a percentage with one decimal, or the significant digits one decimal
/// would round away (`0.04 %`, `99.96 %`: never 0 for a share that is not 0).
pub(super) fn share(f: f64) -> String {
    if f.is_finite() {
        format!("{} %", crate::report::numbers::percent_text(f))
    } else {
        "—".to_owned()
    }
}

/// A score with three decimals.
pub(super) fn score(f: f64) -> String {
    decimals(f, 3)
}

/// A number with `places` decimals (and no `-0.000`).
pub(super) fn decimals(f: f64, places: usize) -> String {
    if f.is_finite() {
        format!("{:.*}", places, clean_zero(f, places))
    } else {
        "—".to_owned()
    }
}

/// A number as short as it can be said: whole numbers without decimals, others with up to
/// three (trailing zeros dropped); a number that three decimals would show as 0 keeps two
/// significant digits (a farmland share of 0.0004 is not 0).
pub(super) fn plain(f: f64) -> String {
    if !f.is_finite() {
        return "—".to_owned();
    }
    let places = if f != 0.0 && f.abs() < 0.0005 {
        (1 - f.abs().log10().floor() as i32).max(3) as usize
    } else {
        3
    };
    let text = format!("{:.places$}", clean_zero(f, places));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// A width or distance in metres.
pub(super) fn metres(f: f64) -> String {
    format!("{} m", plain(f))
}

/// A value of evidence as a planner reads it: strings without quotes, everything else as
/// compact JSON (whose maps are sorted, so this stays deterministic).
pub(super) fn json_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => plain(f),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// A pixel coordinate rounded to 0.1 px, written without a trailing `.0`.
pub(super) fn px(out: &mut String, v: f64) {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    let _ = write!(out, "{sign}{}", abs / 10);
    if !abs.is_multiple_of(10) {
        let _ = write!(out, ".{}", abs % 10);
    }
}

/// See [`px`], into a new string.
pub(super) fn px_string(v: f64) -> String {
    let mut out = String::new();
    px(&mut out, v);
    out
}

/// Rounding can make `-0.0`, which prints as `-0`.
fn clean_zero(f: f64, places: usize) -> f64 {
    let unit = 0.5 * 10f64.powi(-(places as i32));
    if f.abs() < unit { 0.0 } else { f }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(esc(r#"A<b>&"c"'"#), "A&lt;b&gt;&amp;&quot;c&quot;&#39;");
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(share(0.1234), "12.3 %");
        assert_eq!(share(-0.00001), "0.0 %");
        assert_eq!(share(1.0), "100.0 %");
        assert_eq!(score(0.5), "0.500");
        assert_eq!(score(-0.0001), "0.000");
        assert_eq!(plain(100.0), "100");
        assert_eq!(plain(2.5), "2.5");
        assert_eq!(plain(-0.0), "0");
        // Issue 15: a site excluded for 0.04 % of farmland showed `farmland_share = 0`.
        assert_eq!(plain(0.0004), "0.0004");
        assert_eq!(plain(0.000123), "0.00012");
        assert_eq!(plain(-0.0004), "-0.0004");
        assert_eq!(plain(0.0005), "0.001");
        assert_eq!(share(0.0004), "0.04 %");
        assert_eq!(share(0.00012), "0.012 %");
        assert_eq!(metres(37.25), "37.25 m");
        assert_eq!(px_string(12.34), "12.3");
        assert_eq!(px_string(12.0), "12");
        assert_eq!(px_string(-0.04), "0");
        assert_eq!(px_string(-1.25), "-1.3");
        assert_eq!(json_value(&serde_json::json!("x")), "x");
        assert_eq!(json_value(&serde_json::json!(3)), "3");
        assert_eq!(json_value(&serde_json::json!(0.25)), "0.25");
        assert_eq!(json_value(&serde_json::json!([1, "a"])), r#"[1,"a"]"#);
    }
}
