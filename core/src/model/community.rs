//! What an office's roster of new communities says, cell by cell: designations (示范镇,
//! 示范社区, 省重点项目, 试点), lists of village codes, and dates, as planners type them.
//!
//! Each parser returns `None` (or the words it did not know) rather than guessing: the caller
//! names the file, row, field and value in a warning, and a status that depends on the cell
//! is "unknown", never a default.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the source plan designates a community (or its township) as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Designation {
    /// 示范镇: a demonstration town, which plans its whole territory.
    DemonstrationTown,
    /// 示范社区: a demonstration community.
    DemonstrationCommunity,
    /// 省重点项目: a provincial key project.
    ProvincialKey,
    /// 试点: an existing pilot.
    Pilot,
}

impl Designation {
    /// Every designation, in the order tables list them.
    pub const ALL: [Designation; 4] = [
        Designation::DemonstrationTown,
        Designation::DemonstrationCommunity,
        Designation::ProvincialKey,
        Designation::Pilot,
    ];

    /// The plan's own word (示范镇, 示范社区, 省重点项目, 试点).
    pub fn zh(self) -> &'static str {
        match self {
            Designation::DemonstrationTown => "示范镇",
            Designation::DemonstrationCommunity => "示范社区",
            Designation::ProvincialKey => "省重点项目",
            Designation::Pilot => "试点",
        }
    }

    /// The English id (`demonstration_town`, …), as the CSV and JSON outputs write it.
    pub fn id(self) -> &'static str {
        match self {
            Designation::DemonstrationTown => "demonstration_town",
            Designation::DemonstrationCommunity => "demonstration_community",
            Designation::ProvincialKey => "provincial_key",
            Designation::Pilot => "pilot",
        }
    }

    /// One word as written: the Chinese term (a few common variants) or the English id.
    pub fn parse(word: &str) -> Option<Designation> {
        let w = word.trim();
        Designation::ALL.into_iter().find(|d| {
            w == d.zh()
                || w.eq_ignore_ascii_case(d.id())
                || match d {
                    Designation::DemonstrationTown => w == "示范乡镇",
                    Designation::DemonstrationCommunity => w == "示范村" || w == "示范点",
                    Designation::ProvincialKey => w == "省级重点项目" || w == "省重点",
                    Designation::Pilot => w == "试点社区" || w == "试点项目",
                }
        })
    }

    /// A cell's designations (`示范社区、省重点项目`), sorted and each once, and the words not
    /// known (for a warning).
    pub fn parse_list(cell: &str) -> (Vec<Designation>, Vec<String>) {
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        for word in split_list(cell) {
            match Designation::parse(word) {
                Some(d) => known.push(d),
                None => unknown.push(word.to_owned()),
            }
        }
        known.sort();
        known.dedup();
        (known, unknown)
    }
}

/// The items of a list typed into one cell: separated by 、 , ; ， ； / or whitespace, blanks
/// dropped.
pub fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(|c: char| {
        matches!(c, '、' | ',' | ';' | '，' | '；' | '/' | '|') || c.is_whitespace()
    })
    .map(str::trim)
    .filter(|s| !s.is_empty())
}

/// A date as offices type it: `2026-05-20` (and what an Excel date cell becomes:
/// `2026-05-20T00:00:00`), `2026/5/20`, `2026.5.20`, `2026年5月20日`, `20260520`. `None`
/// for anything else (including impossible dates such as `2026-02-30`).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim().trim_matches('"');
    let t = t.strip_suffix("T00:00:00").unwrap_or(t);
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = t
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designations_are_read_from_one_cell_and_unknown_words_returned() {
        let (known, unknown) =
            Designation::parse_list("省重点项目、示范社区；试点 示范社区,新型社区");
        assert_eq!(
            known,
            vec![
                Designation::DemonstrationCommunity,
                Designation::ProvincialKey,
                Designation::Pilot
            ]
        );
        assert_eq!(unknown, vec!["新型社区".to_owned()]);
        assert_eq!(
            Designation::parse("Demonstration_Town"),
            Some(Designation::DemonstrationTown)
        );
    }

    #[test]
    fn dates_as_offices_type_them() {
        let d = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
        for text in [
            "2026-05-20",
            "2026-5-20",
            "2026/5/20",
            "2026.05.20",
            "2026年5月20日",
            "20260520",
            "2026-05-20T00:00:00",
            " 2026-05-20 ",
        ] {
            assert_eq!(parse_date(text), Some(d), "{text}");
        }
        for text in [
            "",
            "2026-02-30",
            "26-5-20",
            "五月底",
            "2026-05",
            "2026-05-20T08:30:00",
            "2026-005-20",
            "+2026-05-20",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn lists_split_on_the_separators_planners_use() {
        let items: Vec<&str> =
            split_list("410122101201、410122101202,410122101203；\n410122101204 ").collect();
        assert_eq!(
            items,
            vec![
                "410122101201",
                "410122101202",
                "410122101203",
                "410122101204"
            ]
        );
    }
}
