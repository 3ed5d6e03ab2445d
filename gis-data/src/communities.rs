//! The office's roster of new communities (`communities.xlsx`, sheet 社区, and the same rows
//! as `communities.csv`): one row per community the villages' 社区 field names, with its
//! township, county, 管委会, site, designations, village codes (for some rows), planned
//! households and floor area, resettlement capacity and the four milestone dates.
//!
//! Built from the region's finished layers (sites, villages, townships) with a random stream
//! of its own (30), so no other layer changes. What it holds on purpose, for the programme's
//! tests and the report:
//! - designations: every community of two 示范镇 townships; the pilots (试点) are the
//!   communities whose villages the generator made ready to launch (`新社区1` of every third
//!   township); some 省重点项目; three 示范社区, one of them a community the demo's launch
//!   check vetoes (a village with 强制拆迁);
//! - capacity: 安置房套数 from 15–45 % of the community's households (short wherever more of
//!   its households lie in the zones) to 105–125 % (sufficient); one row gives only the floor
//!   area (安置房面积);
//! - dates: done on time, late, not done (empty), in the formats offices type (Excel date
//!   cells, `2026/5/20`, `2026.5.20`, `2026年5月20日`), none after 2026-11-30 (the data's own
//!   date), and exactly one unreadable cell (`六月底`).

use std::collections::BTreeMap;

use crate::region::Region;
use crate::rng::Rng;
use crate::write::{Feature, Val};

/// The roster's columns, as SPEC-14's `fields` example names them.
pub const COLUMNS: [&str; 16] = [
    "社区编号",
    "社区名称",
    "乡镇",
    "县区",
    "管委会",
    "安置点编号",
    "称号",
    "村庄代码",
    "规划户数",
    "规划建筑面积",
    "安置房套数",
    "安置房面积",
    "方案批复日期",
    "清表完成日期",
    "安置房开工日期",
    "基础设施完成日期",
];

/// The county whose code (`region::COUNTY`, 410122) starts every village code of the demo.
pub const COUNTY_NAME: &str = "中牟县";

/// Townships whose communities are under a 管委会 (management committee) rather than
/// reported by the township alone.
const BOARDS: [(&str, &str); 3] = [
    ("白沙镇", "郑州航空港区管委会"),
    ("孟庄镇", "郑州航空港区管委会"),
    ("广武镇", "郑州经济技术开发区管委会"),
];

/// A town the programme plan names as a 示范镇 itself (`[demonstration] towns`): the draw of
/// the roster's 示范镇 leaves it out.
pub const PLAN_TOWN: &str = "八岗乡";

/// Resettlement floor area per person in the plan (`[programme] area_per_person_m2`).
pub const AREA_PER_PERSON_M2: i64 = 40;

/// The last day the roster's dates may fall on: the office's data as of the end of November.
const DATA_AS_OF: u32 = 334; // 2026-11-30, day of year

/// One cell of the roster.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing typed.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Int(i64),
    /// A date cell (year 2026, month, day), shown as yyyy-mm-dd.
    Date(u8, u8),
}

impl Cell {
    /// The cell as a CSV holds it (a date cell as ISO text, as hecun reads an Excel date).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Date(m, d) => format!("2026-{m:02}-{d:02}"),
        }
    }
}

/// A row: one cell per column of [`COLUMNS`].
pub type Row = Vec<Cell>;

fn prop<'a>(f: &'a Feature, key: &str) -> Option<&'a Val> {
    f.props.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

fn text(f: &Feature, key: &str) -> String {
    match prop(f, key) {
        Some(Val::Str(s)) => s.clone(),
        _ => String::new(),
    }
}

fn int(f: &Feature, key: &str) -> i64 {
    match prop(f, key) {
        Some(Val::Int(i)) => *i,
        _ => 0,
    }
}

/// Month and day of day `n` (1-based) of 2026 (not a leap year).
fn month_day(n: u32) -> (u8, u8) {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut left = n;
    for (m, len) in DAYS.iter().enumerate() {
        if left <= *len {
            return (m as u8 + 1, left as u8);
        }
        left -= len;
    }
    (12, 31)
}

/// Day of 2026 of a month and day.
fn day_of_year(m: u32, d: u32) -> u32 {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    DAYS[..(m - 1) as usize].iter().sum::<u32>() + d
}

/// A date as the office typed it: mostly an Excel date cell, sometimes text in another
/// common format.
fn date_cell(rng: &mut Rng, day: u32) -> Cell {
    let (m, d) = month_day(day);
    match rng.below(10) {
        0 => Cell::Text(format!("2026/{m}/{d}")),
        1 => Cell::Text(format!("2026.{m}.{d}")),
        2 => Cell::Text(format!("2026年{m}月{d}日")),
        _ => Cell::Date(m, d),
    }
}

/// The roster's rows, in site order: every site some village names in 社区.
pub fn roster(seed: u64, r: &Region) -> Vec<Row> {
    let mut rng = Rng::new(seed, 30);
    // Villages by community, in layer order.
    let mut villages: BTreeMap<String, Vec<&Feature>> = BTreeMap::new();
    for v in &r.villages {
        villages.entry(text(v, "社区")).or_default().push(v);
    }
    let sites: Vec<&Feature> = r
        .sites
        .iter()
        .filter(|s| villages.contains_key(&text(s, "名称")))
        .collect();
    let townships: Vec<String> = r.townships.iter().map(|t| text(t, "名称")).collect();
    // Two 示范镇, drawn among the townships but the plan's own.
    let mut pool: Vec<&String> = townships.iter().filter(|t| *t != PLAN_TOWN).collect();
    rng.shuffle(&mut pool);
    let towns: Vec<String> = pool.iter().take(2).map(|t| (*t).clone()).collect();
    let vetoed = |name: &str| {
        villages[name]
            .iter()
            .any(|v| matches!(prop(v, "强制拆迁"), Some(Val::Bool(true))))
    };
    // A township's index in the grid (pilots are 新社区1 of every third one, as the villages
    // were drawn).
    let town_index = |t: &str| townships.iter().position(|x| x == t).unwrap_or(usize::MAX);
    let pilot = |site: &Feature| {
        town_index(&text(site, "乡镇")) % 3 == 0 && text(site, "名称").ends_with("新社区1")
    };
    // Three 示范社区 outside the 示范镇: the first vetoed community in a shuffled order, and
    // two that are not vetoed.
    let mut order: Vec<usize> = (0..sites.len()).collect();
    rng.shuffle(&mut order);
    let outside_towns = |i: &usize| {
        let t = text(sites[*i], "乡镇");
        !towns.contains(&t) && t != PLAN_TOWN
    };
    let designated_vetoed = order
        .iter()
        .copied()
        .filter(outside_towns)
        .find(|&i| vetoed(&text(sites[i], "名称")));
    let designated: Vec<usize> = order
        .iter()
        .copied()
        .filter(outside_towns)
        .filter(|&i| !vetoed(&text(sites[i], "名称")))
        .take(2)
        .chain(designated_vetoed)
        .collect();
    // The one row with its capacity in m² only, and the one unreadable date.
    let m2_only = order.get(3).copied();
    let unreadable = order.get(4).copied();

    let mut rows = Vec::new();
    for (i, site) in sites.iter().enumerate() {
        let name = text(site, "名称");
        let township = text(site, "乡镇");
        let members = &villages[&name];
        let households: i64 = members.iter().map(|v| int(v, "户数")).sum();
        let people: i64 = members.iter().map(|v| int(v, "人口")).sum();

        let mut words = Vec::new();
        if towns.contains(&township) {
            words.push("示范镇");
        }
        if designated.contains(&i) {
            words.push("示范社区");
        }
        if !towns.contains(&township) && rng.chance(0.2) {
            words.push("省重点项目");
        }
        if pilot(site) {
            words.push("试点");
        }
        let board = BOARDS
            .iter()
            .find(|(t, _)| *t == township)
            .map_or("", |(_, b)| b);
        let codes = if rng.chance(0.4) {
            members
                .iter()
                .map(|v| text(v, "统计用区划代码"))
                .collect::<Vec<_>>()
                .join("、")
        } else {
            String::new()
        };
        let floor = (people as f64 * AREA_PER_PERSON_M2 as f64 * rng.uniform(0.9, 1.2) / 100.0)
            .round() as i64
            * 100;
        let share = if rng.chance(0.4) {
            rng.uniform(0.15, 0.45)
        } else {
            rng.uniform(1.05, 1.25)
        };
        let units = (households as f64 * share).round() as i64;
        let with_area = rng.chance(0.25);
        let (units_cell, area_cell) = if Some(i) == m2_only {
            let area = (people as f64 * AREA_PER_PERSON_M2 as f64 * share / 100.0).round() as i64;
            (Cell::Empty, Cell::Int(area * 100))
        } else if with_area {
            (Cell::Int(units), Cell::Int(units * 120))
        } else {
            (Cell::Int(units), Cell::Empty)
        };

        // The milestones, each after the one before: plans approved from March (due
        // 2026-05-31), clearing 10–70 days later (due 06-30), construction 20–90 days after
        // that (due 08-31), infrastructure 60–150 days after that (due 12-31).
        let mut dates = [Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty];
        let steps: [(f64, u32, u32); 4] = [
            (0.85, 0, 120),
            (0.75, 10, 70),
            (0.7, 20, 90),
            (0.4, 60, 150),
        ];
        let mut last = day_of_year(3, 1);
        for (k, (chance, lo, hi)) in steps.into_iter().enumerate() {
            let done = rng.chance(chance);
            let day = last + lo + rng.below((hi - lo + 1) as usize) as u32;
            if !done || day > DATA_AS_OF {
                break;
            }
            dates[k] = date_cell(&mut rng, day);
            last = day;
        }
        if Some(i) == unreadable {
            dates[1] = Cell::Text("六月底".to_owned());
        }

        let text_or_empty = |s: String| {
            if s.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s)
            }
        };
        let [plan, clearing, construction, infrastructure] = dates;
        rows.push(vec![
            Cell::Text(format!("SQ{:03}", i + 1)),
            Cell::Text(name.clone()),
            Cell::Text(township.clone()),
            Cell::Text(COUNTY_NAME.to_owned()),
            text_or_empty(board.to_owned()),
            Cell::Text(text(site, "编号")),
            text_or_empty(words.join("、")),
            text_or_empty(codes),
            Cell::Int(households),
            Cell::Int(floor),
            units_cell,
            area_cell,
            plan,
            clearing,
            construction,
            infrastructure,
        ]);
    }
    rows
}

/// The roster as an Excel workbook (sheet 社区), the same bytes on every run (fixed creation
/// time). Codes lists and ids are text; counts are numbers; dates are date cells shown as
/// yyyy-mm-dd, or the text the office typed.
pub fn roster_xlsx(rows: &[Row]) -> Vec<u8> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 6, 1).expect("a valid date");
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("社区").expect("a valid sheet name");
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *name)
            .expect("in the sheet");
    }
    for (r, row) in rows.iter().enumerate() {
        let at = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(at, col, s).expect("in the sheet");
                }
                Cell::Int(i) => {
                    sheet
                        .write_number(at, col, *i as f64)
                        .expect("in the sheet");
                }
                Cell::Date(m, d) => {
                    let date = ExcelDateTime::from_ymd(2026, *m, *d).expect("a valid date");
                    sheet
                        .write_datetime_with_format(at, col, &date, &date_format)
                        .expect("in the sheet");
                }
            }
        }
    }
    book.save_to_buffer().expect("an in-memory workbook")
}

/// The roster as UTF-8 CSV (RFC 4180 quoting), the same rows and columns.
pub fn roster_csv(rows: &[Row]) -> Vec<u8> {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.iter().map(|s| field(s)).collect::<Vec<_>>().join(",");
    out.push_str(&line(COLUMNS.iter().map(|s| (*s).to_owned()).collect()));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(Cell::text).collect()));
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_county_is_the_codes_county() {
        assert_eq!(
            crate::region::COUNTY,
            "410122",
            "中牟县's code: change COUNTY_NAME with it"
        );
    }

    #[test]
    fn days_of_the_year() {
        assert_eq!(month_day(1), (1, 1));
        assert_eq!(month_day(59), (2, 28));
        assert_eq!(month_day(60), (3, 1));
        assert_eq!(month_day(334), (11, 30));
        assert_eq!(month_day(365), (12, 31));
        for n in 1..=365 {
            let (m, d) = month_day(n);
            assert_eq!(day_of_year(u32::from(m), u32::from(d)), n);
        }
    }
}
