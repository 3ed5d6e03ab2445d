//! `tables.xlsx`: every table of a run in one workbook, one sheet per CSV, for the office to
//! forward upward.
//!
//! The workbook is made from the CSV files' bytes as they were written into the output
//! folder, not from the results again: one source, so that a sheet can never disagree with
//! its CSV. What the CSV cannot say (which columns are codes, which numbers, the titles a
//! person reads) comes from `COLUMN_TITLES` (in `report/words.rs`), or for a plan's
//! own tables from the types their plugins declare.

use std::collections::{BTreeMap, HashSet};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};

use super::Lang;
pub use super::words::CellKind;
use super::words::{COLUMN_TITLES, SHEET_TITLES, sheet_title};
use crate::error::{Error, Result};
use crate::io::OutputDir;

/// The workbook's file name in the output folder.
pub const WORKBOOK: &str = "tables.xlsx";

/// Excel's limits: rows per sheet, characters per sheet name and per cell.
const MAX_ROWS: usize = 1_048_576;
const MAX_SHEET_NAME: usize = 31;
const MAX_CELL_CHARS: usize = 32_767;

/// Writes [`WORKBOOK`] into `out` from the CSV files `csvs` already written there, one sheet
/// each in that order, with titles in `lang`. `declared` gives the cell kinds of a CSV whose
/// columns a plugin declared (a `[tables.NAME]` table, by file name, one per column); other
/// columns are looked up in the title table by heading, and a heading it does not know (a
/// plugin's own field) is a number column when every cell is a plain number, else text.
///
/// The bytes depend on nothing but the CSVs and `lang`: the document's creation time is fixed.
pub fn write_workbook(
    out: &OutputDir,
    csvs: &[String],
    lang: Lang,
    declared: &BTreeMap<String, Vec<CellKind>>,
) -> Result<()> {
    let mut sheets = Vec::with_capacity(csvs.len());
    for file in csvs {
        let bytes = out.read_back(file)?;
        sheets.push((file.as_str(), bytes));
    }
    let bytes = workbook_bytes(&sheets, lang, declared)?;
    out.write(WORKBOOK, &bytes)
}

/// The workbook of `sheets` (`(CSV file name, its bytes)`), see [`write_workbook`].
pub fn workbook_bytes(
    sheets: &[(&str, Vec<u8>)],
    lang: Lang,
    declared: &BTreeMap<String, Vec<CellKind>>,
) -> Result<Vec<u8>> {
    let err = |e: XlsxError| Error::config(WORKBOOK, e.to_string());
    let mut book = Workbook::new();
    // A fixed creation time (the default is now): two runs give the same bytes, and the
    // run manifest's hashes can be replayed.
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let code = Format::new().set_num_format("@");
    let mut names: HashSet<String> = HashSet::new();
    for (file, bytes) in sheets {
        let table = parse_csv(file, bytes)?;
        let Some((heads, rows)) = table.split_first() else {
            continue;
        };
        if rows.len() >= MAX_ROWS {
            return Err(Error::config(
                WORKBOOK,
                format!(
                    "{file} has {} rows, more than a sheet holds ({}): use the CSV, or --no-xlsx",
                    rows.len(),
                    MAX_ROWS - 1
                ),
            ));
        }
        let columns: Vec<(CellKind, String)> = heads
            .iter()
            .enumerate()
            .map(|(c, head)| {
                let kind = declared.get(*file).and_then(|k| k.get(c).copied());
                column(file, head, kind, rows.iter().map(|r| r.get(c)), lang)
            })
            .collect();
        let sheet = book.add_worksheet();
        sheet
            .set_name(unique_name(&sheet_name(file, lang), &mut names))
            .map_err(err)?;
        let mut widths: Vec<usize> = columns.iter().map(|(_, t)| display_width(t)).collect();
        for (c, (_, title)) in columns.iter().enumerate() {
            sheet
                .write_string_with_format(0, col(c)?, title, &header)
                .map_err(err)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let at = u32::try_from(r + 1).map_err(|_| Error::config(WORKBOOK, "too many rows"))?;
            for (c, text) in row.iter().enumerate() {
                if text.is_empty() {
                    continue;
                }
                if text.chars().count() > MAX_CELL_CHARS {
                    return Err(Error::config(
                        WORKBOOK,
                        format!(
                            "{file}, row {}, column {:?}: {} characters, more than a cell holds ({MAX_CELL_CHARS}): use the CSV, or --no-xlsx",
                            r + 1,
                            heads.get(c).map(String::as_str).unwrap_or(""),
                            text.chars().count()
                        ),
                    ));
                }
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(display_width(text));
                }
                match columns.get(c).map(|(k, _)| *k) {
                    Some(CellKind::Number) if number(text).is_some() => {
                        let v = number(text).unwrap_or_default();
                        sheet.write_number(at, col(c)?, v).map_err(err)?;
                    }
                    Some(CellKind::Code) => {
                        sheet
                            .write_string_with_format(at, col(c)?, text, &code)
                            .map_err(err)?;
                    }
                    // Text, and a cell of a number column that is not a number (an "error"):
                    // as the CSV has it.
                    _ => {
                        sheet.write_string(at, col(c)?, text).map_err(err)?;
                    }
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            // Wide enough for the longest cell, within reason (a long error message wraps
            // nowhere: it is cut at the edge, and the cell holds it whole).
            let width = (*w + 2).clamp(6, 60) as f64;
            sheet.set_column_width(col(c)?, width).map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        if !columns.is_empty() {
            let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
            sheet
                .autofilter(0, 0, last_row, col(columns.len() - 1)?)
                .map_err(err)?;
        }
    }
    if names.is_empty() {
        // A workbook needs a sheet; a run always writes its tables, so this is only an
        // empty list.
        book.add_worksheet();
    }
    book.save_to_buffer().map_err(err)
}

/// A column number as Excel counts them (at most 16,384).
fn col(c: usize) -> Result<u16> {
    u16::try_from(c)
        .ok()
        .filter(|&c| c < 16_384)
        .ok_or_else(|| Error::config(WORKBOOK, format!("{c} columns, more than a sheet holds")))
}

/// The CSV's records as text, its byte-order mark dropped.
fn parse_csv(file: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::config(file, e.to_string()))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

/// A column's kind and title: as declared, else from the title table (the file's own
/// heading, else one of every table, else a `prefix:` heading), else inferred from `cells`.
fn column<'a>(
    file: &str,
    head: &str,
    declared: Option<CellKind>,
    cells: impl Iterator<Item = Option<&'a String>> + Clone,
    lang: Lang,
) -> (CellKind, String) {
    let title = |zh: &str, en: &str| if lang == Lang::ZhCn { zh } else { en }.to_owned();
    let known = COLUMN_TITLES
        .iter()
        .find(|(f, h, ..)| *f == file && *h == head)
        .or_else(|| {
            COLUMN_TITLES
                .iter()
                .find(|(f, h, ..)| *f == "*" && *h == head)
        });
    if let Some((_, _, kind, zh, en)) = known {
        return (declared.unwrap_or(*kind), title(zh, en));
    }
    for (f, h, kind, zh, en) in COLUMN_TITLES {
        if (*f == "*" || *f == file)
            && h.ends_with(':')
            && let Some(rest) = head.strip_prefix(h)
        {
            return (declared.unwrap_or(*kind), title(zh, en) + rest);
        }
    }
    let kind = declared.unwrap_or_else(|| infer(head, cells));
    (kind, head.to_owned())
}

/// The kind of a column nobody declared: a code when its heading says so, a number when
/// every cell is a plain number without a leading zero, else text.
fn infer<'a>(head: &str, cells: impl Iterator<Item = Option<&'a String>> + Clone) -> CellKind {
    let lower = head.to_lowercase();
    let is_code = lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("_ids")
        || lower.contains("code")
        || ["代码", "编码", "编号"].iter().any(|w| head.contains(w));
    if is_code {
        return CellKind::Code;
    }
    let mut any = false;
    for cell in cells.flatten() {
        if cell.is_empty() {
            continue;
        }
        let leading_zero = cell
            .strip_prefix('-')
            .unwrap_or(cell)
            .as_bytes()
            .starts_with(b"0")
            && cell
                .strip_prefix('-')
                .unwrap_or(cell)
                .as_bytes()
                .get(1)
                .is_some_and(u8::is_ascii_digit);
        if number(cell).is_none() || leading_zero {
            return CellKind::Text;
        }
        any = true;
    }
    if any {
        CellKind::Number
    } else {
        CellKind::Text
    }
}

/// The cell as a finite number when it is written as one in plain decimal (`12`, `-0.25`,
/// `1e-7`); `NaN`, `inf`, a blank or a word are not.
fn number(text: &str) -> Option<f64> {
    let plain = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    let v: f64 = text.parse().ok()?;
    (plain && v.is_finite()).then_some(v)
}

/// The sheet name of a CSV file: hecun's tables by their title, others by their name.
fn sheet_name(file: &str, lang: Lang) -> String {
    SHEET_TITLES
        .iter()
        .find(|(f, ..)| *f == file)
        .map(|(_, zh, en)| if lang == Lang::ZhCn { *zh } else { *en }.to_owned())
        .unwrap_or_else(|| sheet_title(file, lang))
}

/// `name` made a sheet name Excel accepts (no `[]:*?/\`, no `'` at either end, at most 31
/// characters) and unlike every name in `taken` (Excel compares them ignoring case): a name
/// taken gets `~2`, `~3`… in its last characters.
fn unique_name(name: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'');
    let clean = if clean.is_empty() { "sheet" } else { clean };
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let mut candidate = cut(clean, MAX_SHEET_NAME);
    let mut k = 2;
    while taken.contains(&candidate.to_lowercase()) {
        let tail = format!("~{k}");
        candidate = cut(clean, MAX_SHEET_NAME - tail.len()) + tail.as_str();
        k += 1;
    }
    taken.insert(candidate.to_lowercase());
    candidate
}

/// Roughly the width of `text` in a spreadsheet's character cells: a Chinese character takes
/// two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_name_excel_refuses_is_made_one_it_accepts_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(unique_name("表-a/b", &mut taken), "表-a_b");
        assert_eq!(unique_name("表-A/B", &mut taken), "表-A_B~2");
        let long = "x".repeat(40);
        assert_eq!(unique_name(&long, &mut taken).chars().count(), 31);
        let again = unique_name(&long, &mut taken);
        assert!(
            again.ends_with("~2") && again.chars().count() == 31,
            "{again}"
        );
        assert_eq!(unique_name("'", &mut taken), "sheet");
    }

    #[test]
    fn only_plain_finite_numbers_are_numbers() {
        assert_eq!(number("12"), Some(12.0));
        assert_eq!(number("-0.25"), Some(-0.25));
        for text in ["NaN", "inf", "-inf", "", "1,000", "12 ", "0x10", "yes"] {
            assert_eq!(number(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_column_nobody_declared_is_inferred_and_codes_stay_text() {
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let numbers = cells(&["1", "2.5", ""]);
        assert_eq!(infer("人数", numbers.iter().map(Some)), CellKind::Number);
        let zero = cells(&["0123", "2"]);
        assert_eq!(infer("x", zero.iter().map(Some)), CellKind::Text);
        let codes = cells(&["410122101202"]);
        assert_eq!(
            infer("统计用区划代码", codes.iter().map(Some)),
            CellKind::Code
        );
        assert_eq!(infer("village_id", codes.iter().map(Some)), CellKind::Code);
        let none: Vec<String> = Vec::new();
        assert_eq!(infer("x", none.iter().map(Some)), CellKind::Text);
    }
}
