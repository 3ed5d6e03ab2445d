//! A table plugin's answer, checked and totalled by the engine: every row against the
//! manifest's columns (unknown, missing, wrong type), then a subtotal per group
//! (`group_by`) and a total row, computed here and never by the plugin, so that a rule
//! cannot answer totals that do not add up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::contract::{Column, ColumnType, Manifest};
use crate::error::{Error, PluginFailure, Result};

/// A table's rows as a plugin answers them: column id → value.
pub type RawRow = BTreeMap<String, serde_json::Value>;

/// One checked value of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number.
    Number(f64),
}

impl Cell {
    /// The value as a CSV field or a report cell: integers as they are, numbers in their
    /// shortest form that reads back the same (`480000`, `0.25`).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Integer(i) => i.to_string(),
            Cell::Number(f) => number_text(*f),
        }
    }

    /// The value as a number, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Text(_) => None,
            Cell::Integer(i) => Some(*i as f64),
            Cell::Number(f) => Some(*f),
        }
    }
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        ryu::Buffer::new().format(v).to_owned()
    }
}

/// The sum of numbers as the decimals they are written as: a money column rounded to the fen
/// (`2318.4`, `5945906.4`) totals to a number with no more decimals than its rows, not to a
/// binary sum's `5945906.399999999`. Each number is taken as its shortest decimal form (the
/// text a CSV shows), the decimals are added exactly as integers, and the exact sum is
/// rounded once to the nearest `f64`. Numbers with more than 18 decimals, or too large for
/// that, are added as binary numbers.
fn decimal_sum(values: impl Iterator<Item = f64>) -> f64 {
    let values: Vec<f64> = values.collect();
    let plain = || values.iter().sum::<f64>();
    let Some(decimals) = values
        .iter()
        .map(|&v| decimal_parts(v))
        .collect::<Option<Vec<_>>>()
    else {
        return plain();
    };
    let places = decimals
        .iter()
        .map(|&(_, places)| places)
        .max()
        .unwrap_or(0);
    let mut sum: i128 = 0;
    for (digits, own) in decimals {
        let Some(scaled) = 10i128
            .checked_pow(places - own)
            .and_then(|f| digits.checked_mul(f))
            .and_then(|d| sum.checked_add(d))
        else {
            return plain();
        };
        sum = scaled;
    }
    let sign = if sum < 0 { "-" } else { "" };
    let magnitude = sum.unsigned_abs().to_string();
    let places = places as usize;
    let padded = format!("{magnitude:0>width$}", width = places + 1);
    let (whole, fraction) = padded.split_at(padded.len() - places);
    format!("{sign}{whole}.{fraction}0")
        .parse()
        .unwrap_or_else(|_| plain())
}

/// A finite number's shortest decimal form as integer digits and decimal places
/// (`2318.4` → (23184, 1)); `None` beyond 18 places or 36 digits.
fn decimal_parts(v: f64) -> Option<(i128, u32)> {
    if !v.is_finite() {
        return None;
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format(v);
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let places = fraction.len() as i32 - exponent;
    if places > 18 || digits.unsigned_abs() > 10u128.pow(36) {
        return None;
    }
    if places >= 0 {
        Some((digits, places as u32))
    } else {
        let scaled = digits.checked_mul(10i128.checked_pow((-places) as u32)?)?;
        (scaled.unsigned_abs() <= 10u128.pow(36)).then_some((scaled, 0))
    }
}

/// A group's subtotal row: the group's value and, per column, its sum (`None` where the
/// column is not summed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subtotal {
    /// The value of the `group_by` column the group shares.
    pub group: Cell,
    /// The rows of the group, by index into the table's rows.
    pub rows: Vec<usize>,
    /// One entry per column.
    pub values: Vec<Option<Cell>>,
}

/// A table computed by a table plugin: its declared columns, the rows it answered (checked),
/// and the subtotals and totals the engine added.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Table {
    /// The table's name in the plan (`[tables.NAME]`): its files are `tables/NAME.csv` and
    /// `tables/NAME.json`.
    pub name: String,
    /// The plugin that computed it.
    pub plugin: String,
    /// Its title by language tag (the plan's, else none).
    pub title: BTreeMap<String, String>,
    /// The columns, as the manifest declares them.
    pub columns: Vec<Column>,
    /// The grouping column, if any.
    pub group_by: Option<String>,
    /// The rows, in the plugin's order, one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// One subtotal per group, groups in the order they first appear (empty without
    /// `group_by`).
    pub subtotals: Vec<Subtotal>,
    /// The total row: one entry per column (`None` where the column is not summed).
    pub totals: Vec<Option<Cell>>,
}

impl Table {
    /// Checks `rows` against `manifest`'s columns and totals them: an unknown column, a
    /// missing one or a value of the wrong type is an error naming the plugin, the row
    /// (counted from 1), the column and the value.
    pub fn new(
        name: &str,
        manifest: &Manifest,
        title: BTreeMap<String, String>,
        rows: Vec<RawRow>,
    ) -> Result<Table> {
        let fail = |row: usize, message: String| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Answer,
            candidate: Some(format!("row {row}")),
            line: None,
            message,
        };
        let columns = &manifest.columns;
        let mut checked = Vec::with_capacity(rows.len());
        for (i, mut raw) in rows.into_iter().enumerate() {
            let mut cells = Vec::with_capacity(columns.len());
            for column in columns {
                let value = raw.remove(&column.id).ok_or_else(|| {
                    fail(
                        i + 1,
                        format!(
                            "has no value for column {:?} (every row gives every declared column)",
                            column.id
                        ),
                    )
                })?;
                cells.push(cell(column, &value).map_err(|why| {
                    fail(
                        i + 1,
                        format!("column {:?}: value {value}: {why}", column.id),
                    )
                })?);
            }
            if let Some((unknown, value)) = raw.into_iter().next() {
                return Err(fail(
                    i + 1,
                    format!(
                        "has column {unknown:?} (value {value}), which the manifest's [[columns]] does not declare (declared: {})",
                        columns
                            .iter()
                            .map(|c| c.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            checked.push(cells);
        }
        let total_of = |rows: &[usize]| -> Result<Vec<Option<Cell>>> {
            columns
                .iter()
                .enumerate()
                .map(|(k, column)| {
                    if !column.sums() {
                        return Ok(None);
                    }
                    Ok(Some(match column.kind {
                        ColumnType::Integer => {
                            let mut sum: i64 = 0;
                            for &r in rows {
                                if let Cell::Integer(v) = checked[r][k] {
                                    sum = sum.checked_add(v).ok_or_else(|| {
                                        fail(
                                            r + 1,
                                            format!(
                                                "column {:?}: the sum overflows a 64-bit integer",
                                                column.id
                                            ),
                                        )
                                    })?;
                                }
                            }
                            Cell::Integer(sum)
                        }
                        _ => Cell::Number(
                            decimal_sum(rows.iter().filter_map(|&r| checked[r][k].number())) + 0.0,
                        ),
                    }))
                })
                .collect()
        };
        let mut subtotals = Vec::new();
        if let Some(group) = &manifest.group_by {
            let k = columns.iter().position(|c| &c.id == group).unwrap_or(0);
            let mut groups: Vec<(Cell, Vec<usize>)> = Vec::new();
            for (r, row) in checked.iter().enumerate() {
                match groups.iter_mut().find(|(g, _)| *g == row[k]) {
                    Some((_, rows)) => rows.push(r),
                    None => groups.push((row[k].clone(), vec![r])),
                }
            }
            for (group, rows) in groups {
                let mut values = total_of(&rows)?;
                values[k] = Some(group.clone());
                subtotals.push(Subtotal {
                    group,
                    rows,
                    values,
                });
            }
        }
        let all: Vec<usize> = (0..checked.len()).collect();
        let totals = total_of(&all)?;
        Ok(Table {
            name: name.to_owned(),
            plugin: manifest.name.clone(),
            title,
            columns: columns.clone(),
            group_by: manifest.group_by.clone(),
            rows: checked,
            subtotals,
            totals,
        })
    }

    /// The table's title in language `tag`, else its name.
    pub fn title(&self, tag: &str) -> &str {
        super::contract::title_in(&self.title, tag).unwrap_or(&self.name)
    }

    /// A column's heading in language `tag`: its title, and its unit in brackets.
    pub fn heading(column: &Column, tag: &str) -> String {
        match &column.unit {
            Some(unit) if !unit.is_empty() => {
                if tag.starts_with("zh") {
                    format!("{}（{unit}）", column.title(tag))
                } else {
                    format!("{} ({unit})", column.title(tag))
                }
            }
            _ => column.title(tag).to_owned(),
        }
    }

    /// The rows in the order a reader expects them, each with its kind: with `group_by`,
    /// each group's rows followed by its subtotal, the groups in the order they first appear;
    /// then the total row.
    pub fn layout(&self) -> Vec<(RowKind, Vec<Option<Cell>>)> {
        let mut out = Vec::new();
        let row = |r: usize| self.rows[r].iter().cloned().map(Some).collect::<Vec<_>>();
        if self.subtotals.is_empty() {
            out.extend((0..self.rows.len()).map(|r| (RowKind::Row, row(r))));
        } else {
            for s in &self.subtotals {
                out.extend(s.rows.iter().map(|&r| (RowKind::Row, row(r))));
                out.push((RowKind::Subtotal, s.values.clone()));
            }
        }
        out.push((RowKind::Total, self.totals.clone()));
        out
    }

    /// `tables/NAME.csv` (UTF-8 with BOM, for Excel): a heading row of the column titles in
    /// language `tag` with their units, then a first column saying what each row is (明细 /
    /// 小计 / 合计, or row / subtotal / total), so that a filter on it leaves the plugin's rows
    /// alone and a column summed in Excel counts nothing twice.
    pub fn csv(&self, tag: &str) -> Vec<u8> {
        let zh = tag.starts_with("zh");
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let mut header = vec![if zh { "行" } else { "row" }.to_owned()];
        header.extend(self.columns.iter().map(|c| Table::heading(c, tag)));
        let _ = w.write_record(&header);
        for (kind, cells) in self.layout() {
            let mut record = vec![kind.word(zh).to_owned()];
            record.extend(
                cells
                    .iter()
                    .map(|c| c.as_ref().map(Cell::text).unwrap_or_default()),
            );
            let _ = w.write_record(&record);
        }
        w.into_inner().unwrap_or_default()
    }

    /// `tables/NAME.json`: the columns as declared, the rows (column id → value), the
    /// subtotals and the totals.
    pub fn json(&self) -> String {
        let object = |cells: &[Option<Cell>]| -> serde_json::Map<String, serde_json::Value> {
            self.columns
                .iter()
                .zip(cells)
                .filter_map(|(c, v)| {
                    v.as_ref()
                        .map(|v| (c.id.clone(), serde_json::to_value(v).unwrap_or_default()))
                })
                .collect()
        };
        let rows: Vec<_> = self
            .rows
            .iter()
            .map(|r| object(&r.iter().cloned().map(Some).collect::<Vec<_>>()))
            .collect();
        let subtotals: Vec<_> = self
            .subtotals
            .iter()
            .map(|s| {
                serde_json::json!({
                    "group": s.group,
                    "rows": s.rows.len(),
                    "values": object(&s.values),
                })
            })
            .collect();
        let value = serde_json::json!({
            "name": self.name,
            "plugin": self.plugin,
            "title": self.title,
            "group_by": self.group_by,
            "columns": self.columns,
            "rows": rows,
            "subtotals": subtotals,
            "totals": object(&self.totals),
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// What a row of a table's layout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    /// A row the plugin answered.
    Row,
    /// A group's subtotal.
    Subtotal,
    /// The total.
    Total,
}

impl RowKind {
    /// The word for it in the CSV and the report.
    pub fn word(self, zh: bool) -> &'static str {
        match (self, zh) {
            (RowKind::Row, true) => "明细",
            (RowKind::Subtotal, true) => "小计",
            (RowKind::Total, true) => "合计",
            (RowKind::Row, false) => "row",
            (RowKind::Subtotal, false) => "subtotal",
            (RowKind::Total, false) => "total",
        }
    }
}

/// A value of a column's type, or why not.
fn cell(column: &Column, value: &serde_json::Value) -> std::result::Result<Cell, String> {
    use serde_json::Value as J;
    match (column.kind, value) {
        (ColumnType::Text, J::String(s)) => Ok(Cell::Text(s.clone())),
        (ColumnType::Text, _) => Err("the column is text: answer a string".into()),
        (ColumnType::Integer, J::Number(n)) => {
            if let Some(i) = n.as_i64() {
                return Ok(Cell::Integer(i));
            }
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Cell::Integer(f as i64)),
                _ => Err("the column is integer: answer a whole number".into()),
            }
        }
        (ColumnType::Number, J::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() => Ok(Cell::Number(f + 0.0)),
            _ => Err("not a finite number".into()),
        },
        (ColumnType::Integer, _) => Err("the column is integer: answer a whole number".into()),
        (ColumnType::Number, _) => Err("the column is number: answer a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::decimal_sum;

    /// Money rounded to the fen totals without binary noise, checked against the same sums
    /// done in integer fen (an independent exact computation).
    #[test]
    fn decimal_sums_have_no_binary_noise() {
        let rows = [1067817.6, 2318.4, 4233285.6, 642484.8, 0.1, 0.2];
        let fen: i64 = [106781760, 231840, 423328560, 64248480, 10, 20]
            .iter()
            .sum();
        let sum = decimal_sum(rows.iter().copied());
        assert_eq!(sum, fen as f64 / 100.0);
        assert_eq!(ryu::Buffer::new().format(sum), "5945906.7");
        assert_ne!(
            rows.iter().sum::<f64>(),
            sum,
            "the binary sum carries noise here"
        );
        assert_eq!(decimal_sum([0.1, 0.2].into_iter()), 0.3);
        assert_eq!(decimal_sum([-0.1, 0.1].into_iter()), 0.0);
        assert_eq!(decimal_sum([-2.5, 1.25].into_iter()), -1.25);
        assert_eq!(decimal_sum([1e20, 1.0].into_iter()), 1e20 + 1.0);
        assert_eq!(decimal_sum([1e-7, 2e-7].into_iter()), 3e-7);
        assert_eq!(decimal_sum(std::iter::empty()), 0.0);
        // Beyond 18 places: the binary sum.
        assert_eq!(decimal_sum([1e-30, 2e-30].into_iter()), 1e-30 + 2e-30);
    }

    use super::*;

    fn manifest(group: bool) -> Manifest {
        let text = format!(
            "name = \"t\"\nversion = \"1\"\ncontract = 1\nkind = \"table\"\nscript = \"s.rhai\"\n{}\
             [[columns]]\nid = \"d\"\ntitle = {{ zh-CN = \"区县\", en = \"District\" }}\ntype = \"text\"\n\
             [[columns]]\nid = \"n\"\ntitle = {{ en = \"People\" }}\ntype = \"integer\"\nunit = \"人\"\n\
             [[columns]]\nid = \"x\"\ntitle = {{ en = \"Amount\" }}\ntype = \"number\"\nunit = \"元\"\n",
            if group { "group_by = \"d\"\n" } else { "" }
        );
        Manifest::parse(std::path::Path::new("plugin.toml"), &text)
            .unwrap()
            .0
    }

    fn row(d: &str, n: serde_json::Value, x: serde_json::Value) -> RawRow {
        [
            ("d".to_owned(), d.into()),
            ("n".to_owned(), n),
            ("x".to_owned(), x),
        ]
        .into()
    }

    #[test]
    fn totals_and_subtotals_are_the_engines() {
        let rows = vec![
            row("a", 1.into(), 0.5.into()),
            row("b", 2.0.into(), 1.into()),
            row("a", 3.into(), 0.25.into()),
        ];
        let t = Table::new("t", &manifest(true), BTreeMap::new(), rows).unwrap();
        assert_eq!(
            t.totals,
            [None, Some(Cell::Integer(6)), Some(Cell::Number(1.75))]
        );
        assert_eq!(t.subtotals.len(), 2);
        assert_eq!(t.subtotals[0].rows, [0, 2]);
        assert_eq!(t.subtotals[0].values[1], Some(Cell::Integer(4)));
        let csv = String::from_utf8(t.csv("zh-CN")).unwrap();
        assert_eq!(
            csv,
            "\u{feff}行,区县,People（人）,Amount（元）\n明细,a,1,0.5\n明细,a,3,0.25\n小计,a,4,0.75\n\
             明细,b,2,1\n小计,b,2,1\n合计,,6,1.75\n"
        );
    }

    #[test]
    fn a_bad_row_is_named_with_its_column_and_value() {
        let m = manifest(false);
        let err = |rows: Vec<RawRow>| {
            Table::new("t", &m, BTreeMap::new(), rows)
                .unwrap_err()
                .to_string()
        };
        let e = err(vec![
            row("a", 1.into(), 1.into()),
            row("b", 1.5.into(), 1.into()),
        ]);
        assert!(
            e.contains("\"t\"")
                && e.contains("row 2")
                && e.contains("column \"n\"")
                && e.contains("1.5"),
            "{e}"
        );
        let mut extra = row("a", 1.into(), 1.into());
        extra.insert("y".into(), "z".into());
        let e = err(vec![extra]);
        assert!(
            e.contains("row 1") && e.contains("\"y\"") && e.contains("does not declare"),
            "{e}"
        );
        let mut short = row("a", 1.into(), 1.into());
        short.remove("x");
        let e = err(vec![short]);
        assert!(e.contains("no value for column \"x\""), "{e}");
        let e = err(vec![row("a", 1.into(), "12".into())]);
        assert!(e.contains("column \"x\"") && e.contains("\"12\""), "{e}");
    }
}
