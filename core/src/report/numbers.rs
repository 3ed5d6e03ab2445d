//! Numbers as a planner reads them aloud: shares that never round a non-zero share to 0 (or a
//! share short of the whole to 100 %), and the Chinese habit of counting in 万 and 亿 in
//! headlines and summaries (exact figures stay in the tables and CSVs).

/// Significant digits of a share too small for one decimal to show (0.04 %, 0.012 %).
const SIGNIFICANT: i32 = 2;

/// A share (0–1) as a percentage, without the sign: one decimal (`12.3`), except where one
/// decimal would say 0 of a share that is not 0, or 100 of one that is not whole: then two
/// significant digits of the share (`0.04`, `0.012`) or of what is short of the whole
/// (`99.96`). A share that is 0 or 1 (or negative by float noise) keeps one decimal; not a
/// number is `—`.
pub(crate) fn percent_text(share: f64) -> String {
    if !share.is_finite() {
        return "—".to_owned();
    }
    let p = share * 100.0;
    if p <= 0.0 || p >= 100.0 || (0.05..99.95).contains(&p) {
        let p = if p.abs() < 0.05 { 0.0 } else { p };
        return format!("{p:.1}");
    }
    // What one decimal would hide: the share itself, or what is short of the whole.
    let small = p.min(100.0 - p);
    let decimals = (SIGNIFICANT - 1 - small.log10().floor() as i32).max(1) as usize;
    let text = format!("{p:.decimals$}");
    let text = text.trim_end_matches('0');
    // At least one decimal, as every other share.
    if text.ends_with('.') {
        format!("{text}0")
    } else {
        text.to_owned()
    }
}

/// A count in zh-CN prose: exact below 10,000 (`9999`), else in 万 with at most two decimals
/// (`3.42万`, `1万`), from 1亿 in 亿 (`1.23亿`). Rounded half away from zero at each step, and
/// the unit chosen after rounding (9999.5 is `1万`, 99,999,999 is `1亿`). Exact figures
/// belong in the tables.
pub(crate) fn wan(n: f64) -> String {
    if !n.is_finite() {
        return "—".to_owned();
    }
    let whole = n.round();
    if whole.abs() < 1e4 {
        return format!("{}", whole as i64);
    }
    // Hundredths of 万 are hundreds: n / 100 is exact for any count, so the rounding is too.
    let in_wan = (n / 100.0).round() / 100.0;
    if in_wan.abs() < 1e4 {
        return format!("{}万", two_decimals(in_wan));
    }
    let in_yi = (n / 1e6).round() / 100.0;
    format!("{}亿", two_decimals(in_yi))
}

/// A count with thousands separators (`34,200`), as English headlines write it.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Up to two decimals, trailing zeros dropped (`3.42`, `3.4`, `1`).
fn two_decimals(f: f64) -> String {
    let text = format!("{f:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_zero_share_never_shows_as_zero_nor_a_partial_one_as_whole() {
        assert_eq!(percent_text(0.0), "0.0");
        assert_eq!(percent_text(1.0), "100.0");
        assert_eq!(percent_text(-0.00001), "0.0");
        assert_eq!(percent_text(0.1234), "12.3");
        assert_eq!(percent_text(0.0006), "0.1");
        // 0.04 %, 0.012 %: two significant digits, trailing zeros dropped.
        assert_eq!(percent_text(0.0004), "0.04");
        assert_eq!(percent_text(0.00012), "0.012");
        assert_eq!(percent_text(0.000123456), "0.012");
        assert_eq!(percent_text(0.00049), "0.049");
        assert_eq!(percent_text(1e-9), "0.0000001");
        // Short of the whole: what is missing shows.
        assert_eq!(percent_text(0.9996), "99.96");
        assert_eq!(percent_text(0.99999), "99.999");
        assert_eq!(percent_text(0.9994), "99.9");
        assert_eq!(percent_text(f64::NAN), "—");
        // Brute force: over a sweep of shares, the text is never 0 for a share above 0 nor
        // 100 for one below 1, and reads back within half its last digit.
        for i in 1..100_000u32 {
            let s = f64::from(i) / 100_000.0 * f64::from(i % 7 + 1) / 7.0;
            let text = percent_text(s);
            let back: f64 = text.parse().unwrap();
            assert!(back > 0.0 && back < 100.0, "{s} → {text}");
            let decimals = text.split('.').nth(1).map_or(0, str::len) as i32;
            assert!(
                (back - s * 100.0).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-9,
                "{s} → {text}"
            );
        }
    }

    #[test]
    fn counts_in_wan_and_yi() {
        assert_eq!(wan(0.0), "0");
        assert_eq!(wan(9999.0), "9999");
        assert_eq!(wan(9999.4), "9999");
        // Rounded first, then the unit chosen.
        assert_eq!(wan(9999.5), "1万");
        assert_eq!(wan(10000.0), "1万");
        assert_eq!(wan(34200.0), "3.42万");
        assert_eq!(wan(106_700.0), "10.67万");
        assert_eq!(wan(106_749.0), "10.67万");
        assert_eq!(wan(106_750.0), "10.68万");
        assert_eq!(wan(120_000.0), "12万");
        assert_eq!(wan(99_994_999.0), "9999.5万");
        assert_eq!(wan(99_999_999.0), "1亿");
        assert_eq!(wan(123_456_789.0), "1.23亿");
        assert_eq!(wan(f64::INFINITY), "—");
        assert_eq!(thousands(34200), "34,200");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
