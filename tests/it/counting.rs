//! The planner's counting rule for villages partly inside the zones (issue 14, "Partial
//! villages"): whole villages (the default), villages with at least a share of their area
//! inside, or whole villages with a pro-rata estimate — each stated in the summary and
//! recomputed here from the default run's own `affected_villages.csv`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};

fn run(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let plan = repo().join("gis-data/demo/plan.toml");
    let mut args = vec!["run", plan.to_str().unwrap(), "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    hecun(&args, dir)
}

fn number(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

/// A zh-CN count as the summary says it (`4250`, `3.42万`, `1.2亿`) read back: its value and
/// how far from the exact figure its rounding may put it (half its last digit).
fn read_count(text: &str) -> (f64, f64) {
    let (digits, unit) = match text.strip_suffix('万') {
        Some(d) => (d, 1e4),
        None => match text.strip_suffix('亿') {
            Some(d) => (d, 1e8),
            None => (text, 1.0),
        },
    };
    let decimals = digits.split('.').nth(1).map_or(0, str::len) as i32;
    let value: f64 = digits.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    (value * unit, 0.5 * unit * 10f64.powi(-decimals) + 1e-6)
}

/// The counts of `line` written as `N户` and `N人`, in order, read back.
fn counts_in(line: &str) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for unit in ['户', '人'] {
        for (i, _) in line.match_indices(unit) {
            let before: String = line[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '万' | '亿'))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !before.is_empty() {
                out.push((i, read_count(&before)));
            }
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, c)| c).collect()
}

/// Issue 15: zh-CN headlines count in 万 (3.42万户, 10.67万人), read back here within the
/// rounding the text states.
#[test]
fn counts_read_back_within_their_rounding() {
    assert_eq!(read_count("4250"), (4250.0, 0.5 + 1e-6));
    assert_eq!(counts_in("约 3.42万户，10.67万人。").len(), 2);
    let c = counts_in("约 3.42万户，10.67万人。");
    assert!((c[0].0 - 34200.0).abs() < 1e-6 && (c[0].1 - 50.0).abs() < 1e-3);
    assert!((c[1].0 - 106_700.0).abs() < 1e-6);
}

#[test]
fn a_minimum_share_counts_fewer_villages_and_names_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = run(tmp.path(), "whole", &[]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let summary = std::fs::read_to_string(tmp.path().join("whole/summary.txt")).unwrap();
    assert!(summary.contains("计数规则：整村计入"), "{summary}");
    assert!(!tmp.path().join("whole/below_share_villages.csv").exists());
    let all = csv_rows(&tmp.path().join("whole/affected_villages.csv"));

    let o = run(tmp.path(), "share", &["--min-share", "0.2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (over, under): (Vec<_>, Vec<_>) = all
        .iter()
        .partition(|r| number(r, "fraction_inside") >= 0.2);
    assert!(!over.is_empty() && !under.is_empty());
    let ids = |rows: &[&BTreeMap<String, String>]| -> Vec<String> {
        rows.iter().map(|r| r["id"].clone()).collect()
    };
    let counted = csv_rows(&tmp.path().join("share/affected_villages.csv"));
    let below = csv_rows(&tmp.path().join("share/below_share_villages.csv"));
    assert_eq!(
        counted.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
        ids(&over)
    );
    assert_eq!(
        below.iter().map(|r| r["id"].clone()).collect::<Vec<_>>(),
        ids(&under)
    );
    let sum = |rows: &[&BTreeMap<String, String>], c: &str| -> f64 {
        rows.iter().map(|r| number(r, c)).sum()
    };
    let summary = std::fs::read_to_string(tmp.path().join("share/summary.txt")).unwrap();
    let headline = summary
        .lines()
        .find(|l| l.starts_with("拆迁范围内：涉及行政村 "))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(
        headline.contains(&format!("涉及行政村 {} 个（图层共 600 个）", over.len())),
        "{headline}"
    );
    let rule = summary
        .lines()
        .find(|l| l.starts_with("计数规则："))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(
        rule.starts_with(&format!(
            "计数规则：村域面积至少 20% 位于拆迁范围内的村整村计入；另有 {} 个村（",
            under.len()
        )) && rule.contains("部分位于范围内但不足 20%，未计入"),
        "{rule}"
    );
    for (line, rows) in [(headline, &over), (rule, &under)] {
        let counts = counts_in(line);
        assert_eq!(counts.len(), 2, "{line}");
        for ((value, within), column) in counts.into_iter().zip(["households", "population"]) {
            assert!(
                (value - sum(rows, column)).abs() <= within,
                "{line}: {column}"
            );
        }
    }
    // The report and the manifest carry the rule; the English summary says it too.
    let report = std::fs::read_to_string(tmp.path().join("share/report.json")).unwrap();
    assert!(report.contains("\"min-share\""), "{report}");
    let manifest = std::fs::read_to_string(tmp.path().join("share/run_manifest.json")).unwrap();
    assert!(manifest.contains("\"min_share\": \"0.2\""), "{manifest}");
    let en = run(tmp.path(), "en", &["--min-share", "0.2", "--lang", "en"]);
    assert!(en.status.success(), "{}", stderr(&en));
    let text = std::fs::read_to_string(tmp.path().join("en/summary.txt")).unwrap();
    assert!(text.contains("at least 20 % of their area"), "{text}");
}

#[test]
fn pro_rata_states_an_estimate_beside_the_whole_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = run(tmp.path(), "whole", &[]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    let o = run(tmp.path(), "pro", &["--count", "pro-rata"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The whole numbers are unchanged.
    for f in ["affected_villages.csv", "townships.csv", "zone_classes.csv"] {
        let a = std::fs::read(tmp.path().join("whole").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("pro").join(f)).unwrap();
        assert!(a == b, "{f}");
    }
    let all = csv_rows(&tmp.path().join("whole/affected_villages.csv"));
    let estimate = |c: &str| -> f64 {
        all.iter()
            .map(|r| number(r, c) * number(r, "fraction_inside"))
            .sum::<f64>()
    };
    let summary = std::fs::read_to_string(tmp.path().join("pro/summary.txt")).unwrap();
    // fraction_inside is written to 9 decimals: the sums agree to well under a household.
    let line = summary
        .lines()
        .find(|l| l.starts_with("计数规则：整村计入；按各村位于范围内的面积比例折算（估计），约 "))
        .unwrap_or_else(|| panic!("{summary}"));
    let numbers = counts_in(line);
    assert_eq!(numbers.len(), 2, "{line}");
    // Rounded to a household, or to 100 when said in 万.
    assert!(
        (numbers[0].0 - estimate("households")).abs() <= numbers[0].1,
        "{line}"
    );
    assert!(
        (numbers[1].0 - estimate("population")).abs() <= numbers[1].1,
        "{line}"
    );
    let numbers: Vec<f64> = numbers.into_iter().map(|(v, _)| v).collect();
    assert!(numbers[0] < all.iter().map(|r| number(r, "households")).sum::<f64>());
}

#[test]
fn a_share_out_of_range_or_an_unknown_rule_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (vec!["--min-share", "1.5"], "--min-share"),
        (vec!["--min-share", "abc"], "--min-share"),
        (vec!["--count", "most"], "most"),
        (
            vec!["--count", "pro-rata", "--min-share", "0.2"],
            "min-share",
        ),
    ] {
        let o = run(tmp.path(), "bad", &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(!tmp.path().join("bad").exists());
    }
}
