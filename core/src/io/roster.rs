//! Rosters: tables without geometry (CSV, Excel) joined to a layer's features by a key.
//!
//! County offices keep the attributes of their villages — households, signing counts,
//! launch flags, community assignments, dates — in Excel workbooks keyed by the 12-digit
//! 统计用区划代码, apart from the map. A plan joins such a roster to a layer
//! (`[[layers.villages.rosters]]`, see [`Roster`]); the roster's columns become the
//! features' properties, as if the layer's file had them, so field mapping, plugins'
//! `reads`, launch fields and 户数/签约户数 work from a roster unchanged.
//!
//! The rules, each because a quiet alternative would change a result:
//! - **Keys are compared as text**, normalised: trimmed; a number (Excel stores
//!   410122101202 as one, and may show it as `4.10122101202E+11`) becomes its digits; and
//!   when every all-digit key of the layer has the same length, a shorter all-digit roster
//!   key is padded with the leading zeros Excel dropped.
//! - A key twice in a roster is an error naming both rows; a roster row no feature has, and
//!   a feature no roster row has, are warnings naming the file and key (never dropped
//!   silently).
//! - A roster column that is also a property of a matched feature is an error, unless the
//!   roster says which wins (`wins = "roster"` or `"layer"`).
//! - An empty header cell over data, a header named twice and merged cells are errors naming
//!   the sheet and cell.
//! - Numbers stay numbers (integral ones written without a fraction), text stays text, true/
//!   false stay booleans, dates become ISO text (`2024-06-01`, `2024-06-01T08:30:00`), empty
//!   cells become null. A CSV has no types: its cells are text (hecun reads numbers written
//!   as text, as from GeoJSON), empty ones null.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use rayon::prelude::*;
use serde::de::{self, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::io::read::{MAX_LAYER_BYTES, read_input};
use crate::model::layer::{Feature, Layer, Properties};
use crate::warning::{Warning, WarningKind};

/// Which value a roster column keeps when a matched feature already has a property of that
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Wins {
    /// The roster's value replaces the layer's.
    Roster,
    /// The layer's value stays; the roster's column is not added to that feature.
    Layer,
}

/// A roster joined to a layer: which file (and sheet), and how its rows find their features.
///
/// In a plan:
///
/// ```toml
/// [layers.villages]
/// path = "villages.geojson"
/// [[layers.villages.rosters]]
/// path = "花名册.xlsx"
/// sheet = "Sheet1"                                         # default: the first sheet
/// join = { key = "统计用区划代码", on = "统计用区划代码" }   # roster column, layer field
/// wins = "roster"                                          # optional: "roster" or "layer"
/// ```
///
/// # Examples
///
/// ```
/// use hecun::{Roster, read_roster};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("roster.csv");
/// std::fs::write(&path, "代码,签约户数\n410122101202,55\n")?;
/// let roster = Roster::new(&path, "代码", "统计用区划代码");
/// let (table, _warnings) = read_roster(&roster, &[])?;
/// assert_eq!(table.columns, ["代码", "签约户数"]);
/// assert_eq!(table.rows[0].key, "410122101202");
/// assert_eq!(table.rows[0].values[1].as_deref(), Some("\"55\"")); // CSV cells are text
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Roster {
    /// The file: `.csv` (UTF-8 or GBK), `.xlsx`, `.xlsm`, `.xls`, `.xlsb` or `.ods`.
    pub path: PathBuf,
    /// The sheet of a workbook; `None`: the first.
    pub sheet: Option<String>,
    /// The encoding of a CSV file (`UTF-8`, `GBK`, `GB18030`, …); `None`: UTF-8 if the file
    /// is valid UTF-8, else GBK (with a warning saying so).
    pub encoding: Option<String>,
    /// The roster's column that holds the key.
    pub key: String,
    /// The layer's field (as the file names it) that holds the same key.
    pub on: String,
    /// Which value a column keeps when a feature already has that property; `None`: that is
    /// an error.
    pub wins: Option<Wins>,
    /// Further names of the key column, tried in order when `key` is not a header (a table
    /// read as a layer: the id field's default names).
    pub(crate) key_alternatives: Vec<String>,
}

impl Roster {
    /// The roster in `path` (first sheet; encoding detected), joined by its column `key` to
    /// the layer's field `on`.
    pub fn new(path: impl Into<PathBuf>, key: impl Into<String>, on: impl Into<String>) -> Self {
        Roster {
            path: path.into(),
            sheet: None,
            encoding: None,
            key: key.into(),
            on: on.into(),
            wins: None,
            key_alternatives: Vec::new(),
        }
    }

    /// Whether `path` names a table hecun reads as a roster (`.csv`, `.xlsx`, `.xlsm`,
    /// `.xls`, `.xlsb`, `.ods`) rather than a layer.
    pub fn is_table(path: &Path) -> bool {
        Roster::new(path, "", "").format().is_ok()
    }

    /// The same roster read from sheet `sheet`.
    pub fn with_sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }

    /// The same roster (CSV) read in `encoding`.
    pub fn with_encoding(mut self, encoding: impl Into<String>) -> Self {
        self.encoding = Some(encoding.into());
        self
    }

    /// The same roster with `wins` deciding between a column and a property of one name.
    pub fn with_wins(mut self, wins: Wins) -> Self {
        self.wins = Some(wins);
        self
    }

    fn format(&self) -> Result<Format> {
        let ext = self
            .path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let format = match ext.as_str() {
            "csv" | "txt" => Format::Csv,
            "xlsx" | "xlsm" => Format::Xlsx,
            "xls" => Format::Xls,
            "xlsb" => Format::Xlsb,
            "ods" => Format::Ods,
            _ => {
                return Err(self.error(
                    None,
                    format!(
                        "a roster is a .csv, .xlsx, .xls, .xlsb or .ods file, not {}",
                        if ext.is_empty() {
                            "a file without extension".to_owned()
                        } else {
                            format!(".{ext}")
                        }
                    ),
                ));
            }
        };
        if format == Format::Csv && self.sheet.is_some() {
            return Err(self.error(None, "a CSV file has no sheets: leave `sheet` out".into()));
        }
        if format != Format::Csv && self.encoding.is_some() {
            return Err(self.error(
                None,
                "a workbook names its own encoding: `encoding` is for CSV files only".into(),
            ));
        }
        Ok(format)
    }

    fn error(&self, at: Option<String>, message: String) -> Error {
        Error::Roster {
            path: self.path.clone(),
            at,
            message,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Xls,
    Xlsb,
    Ods,
}

/// A roster as read: its header and its rows, each with its normalised key.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RosterTable {
    /// The header: the columns' names, in the sheet's order.
    pub columns: Vec<String>,
    /// The rows with a key, in the sheet's order.
    pub rows: Vec<RosterRow>,
}

/// One row of a roster.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RosterRow {
    /// Where it is, for messages: `sheet "Sheet1" row 5`, `line 5`.
    pub at: String,
    /// The same in 简体中文 (`工作表 "Sheet1" 第 5 行`, `第 5 行`).
    pub at_zh: String,
    /// Its key, normalised (see the module's rules).
    pub key: String,
    /// The key as written, for messages.
    pub key_as_written: String,
    /// Each column's value as JSON text (`55`, `"王庄村"`, `true`), `None` for an empty cell.
    pub values: Vec<Option<String>>,
}

/// A cell read from a sheet or a CSV line.
enum Cell {
    Empty,
    /// Text from a CSV file or a text cell.
    Text(String),
    /// JSON text of a number, boolean or date.
    Typed {
        json: String,
        key: Option<String>,
    },
}

/// Reads a roster; `layer_keys` are the layer's keys (normalised), used to restore the
/// leading zeros Excel drops. Returns the table and what the planner should know (the
/// encoding guessed for a CSV file, rows without a key).
pub fn read_roster(roster: &Roster, layer_keys: &[&str]) -> Result<(RosterTable, Vec<Warning>)> {
    let format = roster.format()?;
    let bytes = read_input(&roster.path, MAX_LAYER_BYTES)?;
    let mut warnings = Vec::new();
    let (grid, place) = match format {
        Format::Csv => (csv_cells(roster, &bytes, &mut warnings)?, Place::Csv),
        _ => {
            let (sheet, grid) = sheet_cells(roster, format, bytes)?;
            (grid, Place::Sheet(sheet))
        }
    };
    let table = build_table(roster, grid, &place, layer_keys, &mut warnings)?;
    Ok((table, warnings))
}

/// Where a grid's cells are, for messages.
enum Place {
    Csv,
    Sheet(String),
}

impl Place {
    fn cell(&self, row: u32, col: u32) -> String {
        match self {
            Place::Csv => format!("line {}, column {}", row + 1, col + 1),
            Place::Sheet(s) => format!("sheet {s:?} cell {}{}", column_letters(col), row + 1),
        }
    }

    fn row(&self, row: u32) -> String {
        match self {
            Place::Csv => format!("line {}", row + 1),
            Place::Sheet(s) => format!("sheet {s:?} row {}", row + 1),
        }
    }

    /// The same in 简体中文: `第 5 行`, `工作表 "Sheet1" 第 5 行`.
    fn row_zh(&self, row: u32) -> String {
        match self {
            Place::Csv => format!("第 {} 行", row + 1),
            Place::Sheet(s) => format!("工作表 {s:?} 第 {} 行", row + 1),
        }
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a zero-based column.
fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The cells of a grid with their absolute (zero-based) row and column.
struct Grid {
    /// Absolute row of `rows[0]`, and column of each row's first cell.
    origin: (u32, u32),
    rows: Vec<Vec<Cell>>,
}

fn csv_cells(roster: &Roster, bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<Grid> {
    let text = decode_csv(roster, bytes, warnings)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let at = e
                .position()
                .map(|p| format!("line {}", p.line()))
                .unwrap_or_else(|| format!("record {}", k + 1));
            roster.error(Some(at), format!("not a CSV table: {e}"))
        })?;
        // Lines are counted as the file has them (a quoted cell may span several).
        let line = record.position().map_or(k as u64 + 1, |p| p.line());
        while rows.len() + 1 < line as usize {
            rows.push(Vec::new());
        }
        rows.push(
            record
                .iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_owned())
                    }
                })
                .collect(),
        );
    }
    Ok(Grid {
        origin: (0, 0),
        rows,
    })
}

/// The CSV text in UTF-8: as the roster's `encoding` says, else UTF-8 when the bytes are
/// valid UTF-8, else GBK (GB18030, its superset) with a warning.
fn decode_csv(roster: &Roster, bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = match roster.encoding.as_deref() {
        Some(label) => {
            let label = label.trim();
            let found = match label.to_ascii_lowercase().as_str() {
                "936" | "cp936" | "ms936" | "windows-936" => Some(encoding_rs::GBK),
                other => encoding_rs::Encoding::for_label(other.as_bytes()),
            };
            Some(found.ok_or_else(|| {
                roster.error(
                    None,
                    format!("encoding {label:?} is not one hecun knows (e.g. UTF-8, GBK, GB18030)"),
                )
            })?)
        }
        None => None,
    };
    let encoding = match encoding {
        Some(e) => e,
        None => match std::str::from_utf8(bytes) {
            Ok(text) => return Ok(text.to_owned()),
            Err(_) => {
                warnings.push(
                    Warning::new(
                        WarningKind::Other,
                        format!(
                            "{}: not UTF-8 text, read as GBK (say encoding = \"GBK\" for the \
                             roster to confirm, or the encoding it is in)",
                            roster.path.display()
                        ),
                        format!(
                            "{}：不是 UTF-8 文字，按 GBK 读取（可为该名册写 encoding = \"GBK\" \
                             加以确认，或写明其实际编码）",
                            roster.path.display()
                        ),
                    )
                    .with_file(roster.path.display()),
                );
                encoding_rs::GB18030
            }
        },
    };
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| {
            let valid = match encoding
                .new_decoder_without_bom_handling()
                .decode_to_string_without_replacement(
                    bytes,
                    &mut String::with_capacity(bytes.len() * 3),
                    true,
                ) {
                (encoding_rs::DecoderResult::Malformed(_, _), read) => read,
                _ => bytes.len(),
            };
            roster.error(
                None,
                format!(
                    "not valid {} text (bad bytes near offset {}): name the file's encoding \
                     with encoding = \"…\"",
                    encoding.name(),
                    valid.saturating_sub(1)
                ),
            )
        })
}

fn sheet_cells(roster: &Roster, format: Format, bytes: Vec<u8>) -> Result<(String, Grid)> {
    let open_error = |e: String| roster.error(None, format!("cannot read the workbook: {e}"));
    let mut book: calamine::Sheets<Cursor<Vec<u8>>> = match format {
        Format::Xlsx => calamine::Sheets::Xlsx(
            calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| open_error(e.to_string()))?,
        ),
        Format::Xls => calamine::Sheets::Xls(
            calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsError| open_error(e.to_string()))?,
        ),
        Format::Xlsb => calamine::Sheets::Xlsb(
            calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsbError| open_error(e.to_string()))?,
        ),
        Format::Ods | Format::Csv => calamine::Sheets::Ods(
            calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::OdsError| open_error(e.to_string()))?,
        ),
    };
    let names = book.sheet_names();
    let sheet = match &roster.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(roster.error(
                None,
                format!("the workbook has no sheet {s:?} (its sheets: {names:?})"),
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| roster.error(None, "the workbook has no sheets".into()))?,
    };
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| roster.error(Some(format!("sheet {sheet:?}")), e.to_string()))?;
    let merged = match &mut book {
        calamine::Sheets::Xlsx(x) => x
            .merge_cells_by_sheet_name(&sheet)
            .map_err(|e| roster.error(Some(format!("sheet {sheet:?}")), e.to_string()))?,
        calamine::Sheets::Xls(x) => x
            .merge_cells_by_sheet_name(&sheet)
            .map_err(|e| roster.error(Some(format!("sheet {sheet:?}")), e.to_string()))?,
        _ => Vec::new(),
    };
    if let Some(m) = merged.first() {
        let name = |(r, c): (u32, u32)| format!("{}{}", column_letters(c), r + 1);
        let header = range.start().map(|s| s.0);
        let what = if header.is_some_and(|h| m.start.0 <= h && h <= m.end.0) {
            "merged header cells"
        } else {
            "merged cells"
        };
        return Err(roster.error(
            Some(format!(
                "sheet {sheet:?} cells {}:{}",
                name(m.start),
                name(m.end)
            )),
            format!(
                "{what}: a roster needs one value per cell and one name per column; unmerge \
                 them (and give every column its own header)"
            ),
        ));
    }
    let origin = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, data)| {
                    let at = || {
                        format!(
                            "sheet {sheet:?} cell {}{}",
                            column_letters(origin.1 + c as u32),
                            origin.0 + r as u32 + 1
                        )
                    };
                    excel_cell(data).map_err(|m| roster.error(Some(at()), m))
                })
                .collect::<Result<Vec<Cell>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((sheet, Grid { origin, rows }))
}

/// A workbook cell as JSON text, keeping its type.
fn excel_cell(data: &Data) -> std::result::Result<Cell, String> {
    Ok(match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Typed {
            json: i.to_string(),
            key: Some(i.to_string()),
        },
        Data::Float(f) => {
            let json = number_text(*f).ok_or_else(|| format!("the number {f} is not finite"))?;
            Cell::Typed {
                key: Some(json.clone()),
                json,
            }
        }
        Data::Bool(b) => Cell::Typed {
            json: b.to_string(),
            key: None,
        },
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, da, h, mi, s, ms) = d.to_ymd_hms_milli();
            let mut text = format!("{y:04}-{mo:02}-{da:02}");
            if (h, mi, s, ms) != (0, 0, 0, 0) {
                let _ = write!(text, "T{h:02}:{mi:02}:{s:02}");
                if ms != 0 {
                    let _ = write!(text, ".{ms:03}");
                }
            }
            Cell::Typed {
                json: json_string(&text),
                key: Some(text),
            }
        }
        Data::DateTime(d) => {
            // A duration ([h]:mm:ss): its number of days, as Excel stores it.
            let json = number_text(d.as_f64()).ok_or("a duration that is not finite")?;
            Cell::Typed {
                key: Some(json.clone()),
                json,
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Typed {
            json: json_string(s),
            key: Some(s.clone()),
        },
        Data::Error(e) => {
            return Err(format!(
                "the cell holds the error {e} (a broken formula?): fix it in the workbook"
            ));
        }
    })
}

/// A number as JSON text: integral values without a fraction (`45`, not `45.0`), others
/// as the shortest text that reads back the same. `None` if not finite.
fn number_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        return Some(format!("{}", f as i64));
    }
    Some(ryu::Buffer::new().format_finite(f).to_owned())
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A key written as text, normalised: trimmed, and a number written in scientific or
/// decimal notation with an integral value (`4.10122101202E+11`, `410122101202.0`) as its
/// digits. Plain digits keep their leading zeros.
pub fn normalise_key(text: &str) -> String {
    let t = text.trim();
    let numeric = t.contains(['e', 'E', '.'])
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, 'e' | 'E' | '.' | '+' | '-'));
    if numeric
        && let Ok(f) = t.parse::<f64>()
        && f.fract() == 0.0
        && f.abs() < 1e15
    {
        return format!("{}", f as i64);
    }
    t.to_owned()
}

/// A layer's key value (JSON text) normalised as roster keys are; `None` for null, true/false,
/// arrays and objects.
fn layer_key(raw: &RawValue) -> Option<String> {
    let t = raw.get();
    if t.starts_with('"') {
        let s: String = serde_json::from_str(t).ok()?;
        let k = normalise_key(&s);
        (!k.is_empty()).then_some(k)
    } else if t.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        match t.parse::<f64>() {
            Ok(f) => number_text(f).map(|n| normalise_key(&n)),
            Err(_) => Some(t.to_owned()),
        }
    } else {
        None
    }
}

/// The one length of the layer's all-digit keys, if they all have one.
fn digit_key_length(layer_keys: &[&str]) -> Option<usize> {
    let lengths: BTreeSet<usize> = layer_keys
        .iter()
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
        .map(|k| k.len())
        .collect();
    (lengths.len() == 1).then(|| lengths.into_iter().next().unwrap_or(0))
}

fn build_table(
    roster: &Roster,
    grid: Grid,
    place: &Place,
    layer_keys: &[&str],
    warnings: &mut Vec<Warning>,
) -> Result<RosterTable> {
    let (r0, c0) = grid.origin;
    let mut rows = grid.rows.into_iter().enumerate();
    // The header: the first row that has anything in it.
    let (header_row, header) = loop {
        match rows.next() {
            Some((r, row)) if row.iter().any(|c| !matches!(c, Cell::Empty)) => break (r, row),
            Some(_) => continue,
            None => return Err(roster.error(None, "the table is empty: no header row".into())),
        }
    };
    let data: Vec<(usize, Vec<Cell>)> = rows.collect();
    let width = data
        .iter()
        .map(|(_, r)| r.len())
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    // Columns: their header, and where in the row they are. A column with neither a header
    // nor data is not a column (a sheet's used range may span one).
    let mut columns: Vec<(String, usize)> = Vec::new();
    for c in 0..width {
        let name = match header.get(c) {
            Some(Cell::Text(s)) => s.trim().to_owned(),
            Some(Cell::Typed { json, key }) => key.clone().unwrap_or_else(|| json.clone()),
            Some(Cell::Empty) | None => String::new(),
        };
        let has_data = data
            .iter()
            .any(|(_, row)| row.get(c).is_some_and(|cell| !matches!(cell, Cell::Empty)));
        if name.is_empty() {
            if has_data {
                return Err(roster.error(
                    Some(place.cell(r0 + header_row as u32, c0 + c as u32)),
                    "the column has data but no header: name it in the header row".into(),
                ));
            }
            continue;
        }
        if let Some((_, first)) = columns.iter().find(|(n, _)| *n == name) {
            return Err(roster.error(
                Some(place.cell(r0 + header_row as u32, c0 + c as u32)),
                format!(
                    "the header {name:?} is also the header of {}: every column needs its own name",
                    place.cell(r0 + header_row as u32, c0 + *first as u32)
                ),
            ));
        }
        columns.push((name, c));
    }
    let Some(key_column) = columns
        .iter()
        .position(|(n, _)| *n == roster.key)
        .or_else(|| {
            roster
                .key_alternatives
                .iter()
                .find_map(|k| columns.iter().position(|(n, _)| n == k))
        })
    else {
        return Err(roster.error(
            Some(place.row(r0 + header_row as u32)),
            format!(
                "the header has no column {:?} (join key); its columns: {:?}",
                roster.key,
                columns.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()
            ),
        ));
    };
    let pad_to = digit_key_length(layer_keys);
    let mut table = RosterTable {
        columns: columns.iter().map(|(n, _)| n.clone()).collect(),
        rows: Vec::with_capacity(data.len()),
    };
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(data.len());
    for (r, row) in data {
        if row.iter().all(|c| matches!(c, Cell::Empty)) {
            continue;
        }
        let at = place.row(r0 + r as u32);
        let at_zh = place.row_zh(r0 + r as u32);
        let key_cell = row.get(columns[key_column].1);
        let (written, mut key) = match key_cell {
            Some(Cell::Text(s)) => (s.clone(), normalise_key(s)),
            Some(Cell::Typed { key: Some(k), .. }) => (k.clone(), normalise_key(k)),
            Some(Cell::Typed { json, key: None }) => (json.clone(), json.clone()),
            Some(Cell::Empty) | None => {
                warnings.push(
                    Warning::new(
                        WarningKind::Unmatched,
                        format!(
                            "{}, {at}: no {:?} (join key): the row is not joined to any feature",
                            roster.path.display(),
                            roster.key
                        ),
                        format!(
                            "{}，{at_zh}：没有 {:?}（连接键）：该行未连接到任何要素",
                            roster.path.display(),
                            roster.key
                        ),
                    )
                    .with_file(roster.path.display())
                    .with_field(&roster.key),
                );
                continue;
            }
        };
        if let Some(len) = pad_to
            && key.len() < len
            && !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_digit())
        {
            key = format!("{key:0>len$}");
        }
        if let Some(&first) = seen.get(&key) {
            let first: &RosterRow = &table.rows[first];
            return Err(roster.error(
                Some(at),
                format!(
                    "key {key:?} (written {written:?}) is also the key of {} (written {:?}): \
                     each key once in a roster",
                    first.at, first.key_as_written
                ),
            ));
        }
        seen.insert(key.clone(), table.rows.len());
        let values = columns
            .iter()
            .map(|(_, c)| match row.get(*c) {
                Some(Cell::Text(s)) => Some(json_string(s)),
                Some(Cell::Typed { json, .. }) => Some(json.clone()),
                Some(Cell::Empty) | None => None,
            })
            .collect();
        table.rows.push(RosterRow {
            at,
            at_zh,
            key,
            key_as_written: written,
            values,
        });
    }
    Ok(table)
}

/// A table without geometry (a plan's communities roster in a workbook or a CSV file) read as
/// a layer: one feature per row with a key, in the sheet's order, its id the key column's
/// value (the first of `id_fields` the header has), its properties every column (empty
/// cells `null`), its geometry empty. `sheet`: the workbook's sheet (`None`: the first).
pub fn read_table_layer(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<&str>,
    id_fields: &[String],
) -> Result<crate::io::read::ReadOutcome> {
    let Some((first, rest)) = id_fields.split_first() else {
        return Err(Error::Roster {
            path: path.to_owned(),
            at: None,
            message: "name the column holding each row's id (fields = { id = \"…\" })".into(),
        });
    };
    let mut roster = Roster::new(path, first.clone(), first.clone());
    roster.sheet = sheet.map(str::to_owned);
    roster.encoding = encoding.map(str::to_owned);
    roster.key_alternatives = rest.to_vec();
    let (table, warnings) = read_roster(&roster, &[])?;
    let features = table
        .rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let mut json = String::from("{");
            for (k, (column, value)) in table.columns.iter().zip(&row.values).enumerate() {
                if k > 0 {
                    json.push(',');
                }
                json.push_str(&json_string(column));
                json.push(':');
                json.push_str(value.as_deref().unwrap_or("null"));
            }
            json.push('}');
            let properties = Properties::from_json(&json).map_err(|e| Error::Roster {
                path: path.to_owned(),
                at: Some(row.at.clone()),
                message: format!("the row's cells do not make an attribute table: {e}"),
            })?;
            Ok(Feature {
                index,
                id: Some(row.key_as_written.trim().to_owned()),
                geometry: geo::Geometry::GeometryCollection(geo::GeometryCollection::default()),
                properties,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::io::read::ReadOutcome {
        layer: Layer {
            path: path.to_owned(),
            crs: crate::model::crs::Crs::WGS84,
            features,
        },
        skipped: Vec::new(),
        warnings,
    })
}

/// Joins each of `rosters` to `layer`, in order: every roster column becomes a property of
/// the feature whose `on` field has the row's key (the key column itself is left out when
/// it is named as the layer's field: the feature has it already). Unmatched rows and
/// features are warnings in `warnings`; see the module for the errors.
pub fn join_rosters(
    layer: &mut Layer,
    rosters: &[Roster],
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    for roster in rosters {
        join_one(layer, roster, warnings)?;
    }
    Ok(())
}

fn join_one(layer: &mut Layer, roster: &Roster, warnings: &mut Vec<Warning>) -> Result<()> {
    let keys: Vec<Option<String>> = layer
        .features
        .par_iter()
        .map(|f| f.properties.get_raw(&roster.on).and_then(layer_key))
        .collect();
    // A field no feature has is a misspelt `on`, not hundreds of unmatched villages.
    if !layer.features.is_empty() && keys.iter().all(Option::is_none) {
        let first = entries(layer.features[0].properties.raw());
        let names: Vec<&str> = first.iter().map(|(k, _)| k.as_str()).collect();
        return Err(roster.error(
            None,
            format!(
                "no feature of {} has a key in field {:?} (join = {{ on = … }}); its first \
                 feature has: {}",
                layer.path.display(),
                roster.on,
                names.join(", ")
            ),
        ));
    }
    let key_refs: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
    let (table, read_warnings) = read_roster(roster, &key_refs)?;
    warnings.extend(read_warnings);
    let by_key: HashMap<&str, usize> = table
        .rows
        .iter()
        .enumerate()
        .map(|(k, r)| (r.key.as_str(), k))
        .collect();
    // The columns a feature gets: all but the key when it is the layer's own field.
    let added: Vec<usize> = (0..table.columns.len())
        .filter(|&c| !(table.columns[c] == roster.key && roster.key == roster.on))
        .collect();
    let names: Vec<&str> = added.iter().map(|&c| table.columns[c].as_str()).collect();
    let mut matched = vec![false; table.rows.len()];
    for (k, feature) in layer.features.iter().enumerate() {
        let row = keys[k].as_deref().and_then(|key| by_key.get(key).copied());
        match row {
            Some(r) => matched[r] = true,
            None => {
                let at = layer.feature_ref(feature);
                let (why, why_zh) = match &keys[k] {
                    Some(key) => (
                        format!("no row of {} has the key {key:?}", roster.path.display()),
                        format!("{} 中没有键为 {key:?} 的行", roster.path.display()),
                    ),
                    None => (
                        format!(
                            "it has no {:?} to find its row of {} by",
                            roster.on,
                            roster.path.display()
                        ),
                        format!(
                            "它没有 {:?}，无法在 {} 中找到对应的行",
                            roster.on,
                            roster.path.display()
                        ),
                    ),
                };
                let mut w = Warning::new(
                    WarningKind::Unmatched,
                    format!("{at}: {why}: its roster columns are missing"),
                    format!(
                        "{}：{why_zh}：它缺少名册的各列",
                        crate::warning::feature_zh(&at)
                    ),
                )
                .with_feature(&at)
                .with_field(&roster.on);
                if let Some(key) = &keys[k] {
                    w = w.with_value(key);
                }
                warnings.push(w);
            }
        }
    }
    for (row, _) in table.rows.iter().zip(&matched).filter(|(_, m)| !**m) {
        warnings.push(
            Warning::new(
                WarningKind::Unmatched,
                format!(
                    "{}, {}: key {:?} is not the {:?} of any feature of {}: the row is not used",
                    roster.path.display(),
                    row.at,
                    row.key,
                    roster.on,
                    layer.path.display()
                ),
                format!(
                    "{}，{}：键 {:?} 不是 {} 中任何要素的 {:?}：该行未使用",
                    roster.path.display(),
                    row.at_zh,
                    row.key,
                    layer.path.display(),
                    roster.on,
                ),
            )
            .with_file(roster.path.display())
            .with_field(&roster.key)
            .with_value(&row.key),
        );
    }
    let path = layer.path.clone();
    let merged: Vec<Result<Option<Properties>>> = layer
        .features
        .par_iter()
        .enumerate()
        .map(|(k, feature)| {
            let Some(r) = keys[k].as_deref().and_then(|key| by_key.get(key).copied()) else {
                return Ok(None);
            };
            let row = &table.rows[r];
            let present = feature.properties.get_many_raw(&names);
            let mut replace = Vec::new();
            let mut append = Vec::new();
            for ((&c, name), had) in added.iter().zip(&names).zip(&present) {
                let value = row.values[c].as_deref().unwrap_or("null");
                match (had, roster.wins) {
                    (None, _) => append.push((*name, value)),
                    (Some(_), Some(Wins::Layer)) => {}
                    (Some(_), Some(Wins::Roster)) => replace.push((*name, value)),
                    (Some(old), None) => {
                        return Err(Error::feature(
                            crate::error::FeatureRef {
                                path: path.clone(),
                                index: feature.index,
                                id: feature.id.clone(),
                            },
                            Some(name),
                            format!(
                                "the roster {} ({}) has a column {name:?} too ({} there, {} \
                                 here): say which wins with wins = \"roster\" or wins = \
                                 \"layer\" for the roster, or drop one",
                                roster.path.display(),
                                row.at,
                                value,
                                old.get()
                            ),
                        ));
                    }
                }
            }
            merge_properties(&feature.properties, &replace, &append).map(Some)
        })
        .collect();
    for (feature, merged) in layer.features.iter_mut().zip(merged) {
        if let Some(p) = merged? {
            feature.properties = p;
        }
    }
    Ok(())
}

/// `properties` with the values of `replace` put in place of the existing ones and
/// `append` added at the end. Without replacements the object's text is kept as it is and
/// the new members follow it, so a layer whose file had the roster's columns last reads
/// byte for byte as that file.
fn merge_properties(
    properties: &Properties,
    replace: &[(&str, &str)],
    append: &[(&str, &str)],
) -> Result<Properties> {
    let mut text = if replace.is_empty() {
        let raw = properties.raw().trim_end();
        let inner = raw.strip_suffix('}').unwrap_or(raw);
        inner.to_owned()
    } else {
        let entries = entries(properties.raw());
        let mut out = String::from("{");
        for (k, (key, value)) in entries.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let value = replace
                .iter()
                .find(|(n, _)| n == key)
                .map_or(*value, |(_, v)| *v);
            let _ = write!(out, "{}:{value}", json_string(key));
        }
        out
    };
    let empty = text.trim_end().ends_with('{');
    for (k, (name, value)) in append.iter().enumerate() {
        if k > 0 || !empty {
            text.push(',');
        }
        let _ = write!(text, "{}:{value}", json_string(name));
    }
    text.push('}');
    Properties::from_json(&text).map_err(|e| Error::param("roster join", e.to_string()))
}

/// The members of a JSON object's text, in order, keys unescaped, values as raw text.
fn entries(json: &str) -> Vec<(String, &str)> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, &'de str)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                let value: &'de RawValue = map.next_value()?;
                out.push((key, value.get()));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    de::Deserializer::deserialize_map(&mut de, Entries).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_keys() {
        assert_eq!(normalise_key(" 410122101202 "), "410122101202");
        assert_eq!(normalise_key("4.10122101202E+11"), "410122101202");
        assert_eq!(normalise_key("410122101202.0"), "410122101202");
        assert_eq!(normalise_key("0101"), "0101");
        assert_eq!(normalise_key("3.5"), "3.5");
        assert_eq!(normalise_key("王庄"), "王庄");
        assert_eq!(number_text(410_122_101_202.0).unwrap(), "410122101202");
        assert_eq!(number_text(45.0).unwrap(), "45");
        assert_eq!(number_text(0.1).unwrap(), "0.1");
        assert_eq!(number_text(-2.5e20).unwrap(), "-2.5e20");
        assert!(number_text(f64::NAN).is_none());
        let raw = |t: &str| RawValue::from_string(t.to_owned()).unwrap();
        assert_eq!(layer_key(&raw("410122101202")).unwrap(), "410122101202");
        assert_eq!(layer_key(&raw("4.10122101202e11")).unwrap(), "410122101202");
        assert_eq!(layer_key(&raw("\"0101\"")).unwrap(), "0101");
        assert!(layer_key(&raw("null")).is_none());
        assert_eq!(digit_key_length(&["0101", "0102", "x"]), Some(4));
        assert_eq!(digit_key_length(&["0101", "102"]), None);
    }

    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn merges_keep_the_text_and_replace_in_place() {
        let p = Properties::from_json(r#"{"a":1,"b":"x"}"#).unwrap();
        let m = merge_properties(&p, &[], &[("c", "true"), ("d", "null")]).unwrap();
        assert_eq!(m.raw(), r#"{"a":1,"b":"x","c":true,"d":null}"#);
        let m = merge_properties(&p, &[("a", "2")], &[("c", "\"王\"")]).unwrap();
        assert_eq!(m.raw(), r#"{"a":2,"b":"x","c":"王"}"#);
        let empty = Properties::default();
        let m = merge_properties(&empty, &[], &[("c", "1")]).unwrap();
        assert_eq!(m.raw(), r#"{"c":1}"#);
    }
}
