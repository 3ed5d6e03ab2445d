//! Rosters joined to a layer: Excel and CSV (UTF-8, GBK) tables written here, keys as Excel
//! has them (numbers, scientific notation, dropped leading zeros), and each refusal naming
//! the file, sheet, cell or row.

use std::path::{Path, PathBuf};

use hecun::{Error, LayerKind, LayerSource, Plan, Roster, WarningKind, Wins};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use serde_json::{Value, json};

/// A villages layer with these (code, name) properties, one small square each.
fn layer(dir: &Path, rows: &[(Value, &str)]) -> PathBuf {
    let features: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(k, (code, name))| {
            let x = 113.6 + k as f64 * 0.01;
            json!({"type": "Feature",
                   "properties": {"统计用区划代码": code, "村名": name},
                   "geometry": {"type": "Polygon", "coordinates":
                       [[[x, 34.7], [x + 0.005, 34.7], [x + 0.005, 34.705], [x, 34.705], [x, 34.7]]]}})
        })
        .collect();
    let path = dir.join("villages.geojson");
    std::fs::write(
        &path,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    path
}

/// A workbook with one sheet `name`, filled by `fill`.
fn workbook(dir: &Path, file: &str, name: &str, fill: impl FnOnce(&mut Worksheet)) -> PathBuf {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name).unwrap();
    fill(sheet);
    let path = dir.join(file);
    book.save(&path).unwrap();
    path
}

fn read(villages: &Path, roster: Roster) -> hecun::Result<hecun::ReadOutcome> {
    LayerSource::new(villages, LayerKind::Villages)
        .with_roster(roster)
        .read(hecun::Crs::WGS84, false)
}

fn props(outcome: &hecun::ReadOutcome, k: usize) -> Value {
    serde_json::from_str(outcome.layer.features[k].properties.raw()).unwrap()
}

#[test]
fn an_excel_roster_joins_by_code_keeping_types_and_reporting_the_unmatched() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(
        dir.path(),
        &[
            (json!("410122101201"), "邵堂村"),
            (json!(410122101202u64), "陈店村"), // a number in the layer too
            (json!("410122101203"), "曾河村"),
        ],
    );
    let date = ExcelDateTime::from_ymd(2024, 6, 1).unwrap();
    let when = ExcelDateTime::from_ymd(2024, 6, 2)
        .unwrap()
        .and_hms(8, 30, 0)
        .unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let roster = workbook(dir.path(), "花名册.xlsx", "Sheet1", |s| {
        for (c, h) in [
            "统计用区划代码",
            "签约户数",
            "社区",
            "方案通过",
            "签约日期",
            "备注",
        ]
        .iter()
        .enumerate()
        {
            s.write_string(0, c as u16, *h).unwrap();
        }
        // The code as Excel stores a typed-in one: a number.
        s.write_number(1, 0, 410122101201.0).unwrap();
        s.write_number(1, 1, 45.0).unwrap();
        s.write_string(1, 2, "金水镇新社区3").unwrap();
        s.write_boolean(1, 3, true).unwrap();
        s.write_datetime_with_format(1, 4, &date, &date_format)
            .unwrap();
        s.write_number(1, 5, 0.25).unwrap();
        // The code as text in scientific notation (pasted from a CSV opened in Excel).
        s.write_string(2, 0, "4.10122101202E+11").unwrap();
        s.write_number(2, 1, 55.0).unwrap();
        s.write_string(2, 2, "金水镇新社区1").unwrap();
        s.write_boolean(2, 3, false).unwrap();
        s.write_datetime_with_format(
            2,
            4,
            &when,
            &Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        )
        .unwrap();
        // A village the map does not have.
        s.write_number(3, 0, 410122101299.0).unwrap();
        s.write_number(3, 1, 7.0).unwrap();
    });
    let read = read(
        &villages,
        Roster::new(&roster, "统计用区划代码", "统计用区划代码").with_sheet("Sheet1"),
    )
    .unwrap();
    assert_eq!(
        props(&read, 0),
        json!({"统计用区划代码": "410122101201", "村名": "邵堂村", "签约户数": 45,
               "社区": "金水镇新社区3", "方案通过": true, "签约日期": "2024-06-01", "备注": 0.25})
    );
    // Appended after the layer's own properties (which serde_json wrote sorted), numbers
    // without a fraction; the key column is the layer's own and not added.
    assert_eq!(
        read.layer.features[0].properties.raw(),
        r#"{"村名":"邵堂村","统计用区划代码":"410122101201","签约户数":45,"社区":"金水镇新社区3","方案通过":true,"签约日期":"2024-06-01","备注":0.25}"#
    );
    assert_eq!(
        props(&read, 1),
        json!({"统计用区划代码": 410122101202u64, "村名": "陈店村", "签约户数": 55,
               "社区": "金水镇新社区1", "方案通过": false, "签约日期": "2024-06-02T08:30:00",
               "备注": null})
    );
    assert_eq!(
        props(&read, 2),
        json!({"统计用区划代码": "410122101203", "村名": "曾河村"})
    );
    let unmatched: Vec<&hecun::Warning> = read
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Unmatched)
        .collect();
    assert_eq!(unmatched.len(), 2, "{unmatched:?}");
    let feature = unmatched.iter().find(|w| w.feature == Some(2)).unwrap();
    assert!(
        feature.message.contains("410122101203") && feature.message.contains("villages.geojson"),
        "{}",
        feature.message
    );
    let row = unmatched.iter().find(|w| w.feature.is_none()).unwrap();
    assert!(
        row.message.contains("410122101299")
            && row.message.contains("花名册.xlsx")
            && row.message.contains("row 4"),
        "{}",
        row.message
    );
}

#[test]
fn leading_zeros_excel_dropped_are_restored_to_the_layers_key_length() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(dir.path(), &[(json!("0101"), "甲"), (json!("0102"), "乙")]);
    let roster = workbook(dir.path(), "r.xlsx", "Sheet1", |s| {
        s.write_string(0, 0, "编码").unwrap();
        s.write_string(0, 1, "户数").unwrap();
        s.write_number(1, 0, 101.0).unwrap();
        s.write_number(1, 1, 12.0).unwrap();
        s.write_string(2, 0, "0102").unwrap();
        s.write_number(2, 1, 30.0).unwrap();
    });
    let read = read(&villages, Roster::new(&roster, "编码", "统计用区划代码")).unwrap();
    // The key column has another name than the layer's field: it is added like any column.
    assert_eq!(props(&read, 0)["编码"], json!(101));
    assert_eq!(props(&read, 0)["户数"], json!(12));
    assert_eq!(props(&read, 1)["户数"], json!(30));
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
}

fn roster_error(e: Error) -> (PathBuf, String) {
    match &e {
        Error::Roster { path, at, .. } => (
            path.clone(),
            format!("{}|{e}", at.clone().unwrap_or_default()),
        ),
        other => panic!("expected a roster error, got {other:?}"),
    }
}

#[test]
fn a_key_twice_is_an_error_naming_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(dir.path(), &[(json!("410122101201"), "甲")]);
    let roster = workbook(dir.path(), "dup.xlsx", "名单", |s| {
        s.write_string(0, 0, "代码").unwrap();
        s.write_number(1, 0, 410122101201.0).unwrap();
        s.write_string(2, 0, "410122101202").unwrap();
        s.write_string(3, 0, " 410122101201 ").unwrap();
    });
    let (path, text) =
        roster_error(read(&villages, Roster::new(&roster, "代码", "统计用区划代码")).unwrap_err());
    assert_eq!(path, roster);
    assert!(
        text.contains("row 4")
            && text.contains("row 2")
            && text.contains("410122101201")
            && text.contains("名单"),
        "{text}"
    );
}

#[test]
fn merged_and_empty_headers_are_errors_naming_sheet_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(dir.path(), &[(json!("410122101201"), "甲")]);
    let merged = workbook(dir.path(), "merged.xlsx", "Sheet1", |s| {
        s.merge_range(0, 1, 0, 2, "签约情况", &Format::new())
            .unwrap();
        s.write_string(0, 0, "代码").unwrap();
        s.write_string(1, 0, "410122101201").unwrap();
        s.write_number(1, 1, 3.0).unwrap();
        s.write_number(1, 2, 4.0).unwrap();
    });
    let (_, text) =
        roster_error(read(&villages, Roster::new(&merged, "代码", "统计用区划代码")).unwrap_err());
    assert!(
        text.contains("Sheet1") && text.contains("B1:C1") && text.contains("merged header"),
        "{text}"
    );

    let empty = workbook(dir.path(), "empty.xlsx", "表", |s| {
        s.write_string(0, 0, "代码").unwrap();
        s.write_string(0, 2, "户数").unwrap();
        s.write_string(1, 0, "410122101201").unwrap();
        s.write_number(1, 1, 3.0).unwrap(); // data under no header
        s.write_number(1, 2, 4.0).unwrap();
    });
    let (_, text) =
        roster_error(read(&villages, Roster::new(&empty, "代码", "统计用区划代码")).unwrap_err());
    assert!(
        text.contains("\"表\" cell B1") && text.contains("no header"),
        "{text}"
    );

    let missing = workbook(dir.path(), "nokey.xlsx", "Sheet1", |s| {
        s.write_string(0, 0, "编号").unwrap();
        s.write_string(1, 0, "410122101201").unwrap();
    });
    // A misspelt layer field: an error, not every feature and row unmatched.
    let (_, text) =
        roster_error(read(&villages, Roster::new(&missing, "编号", "统计代码")).unwrap_err());
    assert!(
        text.contains("\"统计代码\"") && text.contains("村名, 统计用区划代码"),
        "{text}"
    );
    let (_, text) =
        roster_error(read(&villages, Roster::new(&missing, "代码", "统计用区划代码")).unwrap_err());
    assert!(
        text.contains("no column \"代码\"") && text.contains("编号"),
        "{text}"
    );

    let (_, text) = roster_error(
        read(
            &villages,
            Roster::new(&missing, "代码", "统计用区划代码").with_sheet("Sheet9"),
        )
        .unwrap_err(),
    );
    assert!(text.contains("Sheet9") && text.contains("Sheet1"), "{text}");
}

#[test]
fn a_column_the_layer_has_too_is_an_error_unless_the_roster_says_which_wins() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(
        dir.path(),
        &[
            (json!("410122101201"), "甲村"),
            (json!("410122101202"), "乙村"),
        ],
    );
    let roster = workbook(dir.path(), "names.xlsx", "Sheet1", |s| {
        s.write_string(0, 0, "统计用区划代码").unwrap();
        s.write_string(0, 1, "村名").unwrap();
        s.write_string(0, 2, "户数").unwrap();
        s.write_string(1, 0, "410122101201").unwrap();
        s.write_string(1, 1, "甲村（新）").unwrap();
        s.write_number(1, 2, 80.0).unwrap();
        s.write_string(2, 0, "410122101202").unwrap();
        s.write_number(2, 2, 90.0).unwrap();
    });
    let base = Roster::new(&roster, "统计用区划代码", "统计用区划代码");
    let e = read(&villages, base.clone()).unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(e, Error::Feature { .. })
            && text.contains("villages.geojson")
            && text.contains("\"村名\"")
            && text.contains("names.xlsx")
            && text.contains("wins"),
        "{text}"
    );
    let roster_wins = read(&villages, base.clone().with_wins(Wins::Roster)).unwrap();
    assert_eq!(
        roster_wins.layer.features[0].properties.raw(),
        r#"{"村名":"甲村（新）","统计用区划代码":"410122101201","户数":80}"#
    );
    // An empty roster cell wins too: the roster says it does not know the name.
    assert_eq!(props(&roster_wins, 1)["村名"], Value::Null);
    let layer_wins = read(&villages, base.with_wins(Wins::Layer)).unwrap();
    assert_eq!(props(&layer_wins, 0)["村名"], json!("甲村"));
    assert_eq!(props(&layer_wins, 0)["户数"], json!(80));
}

#[test]
fn a_gbk_csv_is_detected_or_named_and_a_wrong_encoding_refused() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(
        dir.path(),
        &[(json!("410122101201"), "甲"), (json!("410122101202"), "乙")],
    );
    let text =
        "统计用区划代码,社区,签约户数\r\n410122101201,金水镇新社区3,45\r\n4.10122101202E+11,,7\r\n";
    let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the fixture must not be UTF-8"
    );
    let path = dir.path().join("名册.csv");
    std::fs::write(&path, &gbk).unwrap();
    let roster = Roster::new(&path, "统计用区划代码", "统计用区划代码");

    let detected = read(&villages, roster.clone()).unwrap();
    assert_eq!(
        props(&detected, 0),
        json!({"统计用区划代码": "410122101201", "村名": "甲", "社区": "金水镇新社区3", "签约户数": "45"})
    );
    assert_eq!(props(&detected, 1)["社区"], Value::Null);
    assert_eq!(detected.warnings.len(), 1, "{:?}", detected.warnings);
    assert!(
        detected.warnings[0].message.contains("GBK"),
        "{}",
        detected.warnings[0]
    );

    let named = read(&villages, roster.clone().with_encoding("GBK")).unwrap();
    assert!(named.warnings.is_empty(), "{:?}", named.warnings);
    assert_eq!(props(&named, 0), props(&detected, 0));

    let (_, e) = roster_error(read(&villages, roster.clone().with_encoding("UTF-8")).unwrap_err());
    assert!(e.contains("UTF-8") && e.contains("名册.csv"), "{e}");

    // The same table in UTF-8 (with a BOM, as Excel saves "CSV UTF-8") reads the same.
    let utf8 = dir.path().join("utf8.csv");
    std::fs::write(&utf8, format!("\u{feff}{text}")).unwrap();
    let same = read(
        &villages,
        Roster::new(&utf8, "统计用区划代码", "统计用区划代码"),
    )
    .unwrap();
    assert!(same.warnings.is_empty());
    assert_eq!(props(&same, 0), props(&detected, 0));
}

#[test]
fn a_plan_joins_rosters_and_names_its_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(dir.path(), &[(json!("410122101201"), "甲")]);
    std::fs::write(dir.path().join("r.csv"), "代码,签约户数\n410122101201,9\n").unwrap();
    let plan = |extra: &str| {
        format!(
            r#"
[layers.villages]
path = "{}"
{extra}
[layers.roads]
path = "roads.geojson"
[zones.widths]
"环线" = 100
"#,
            villages.file_name().unwrap().to_str().unwrap()
        )
    };
    let ok = Plan::from_toml(
        &plan("[[layers.villages.rosters]]\npath = \"r.csv\"\nencoding = \"UTF-8\"\njoin = { key = \"代码\", on = \"统计用区划代码\" }\n"),
        dir.path(),
    )
    .unwrap();
    let outcome = ok.affected.villages.read(hecun::Crs::WGS84, false).unwrap();
    assert_eq!(props(&outcome, 0)["签约户数"], json!("9"));
    for (extra, needle) in [
        (
            "[[layers.villages.rosters]]\npath = \"r.csv\"\njoin = { key = \"代码\", on = \"统计用区划代码\" }\nwins = \"both\"\n",
            "wins = \"both\"",
        ),
        (
            "[[layers.villages.rosters]]\npath = \"r.csv\"\njoin = { key = \"\" }\n",
            "join",
        ),
        (
            "[[layers.villages.rosters]]\npath = \"r.csv\"\njoin = { key = \"代码\" }\ncolumns = 3\n",
            "columns",
        ),
    ] {
        let e = Plan::from_toml(&plan(extra), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{needle}: {e}");
    }
    // A sheet for a CSV file is refused when the roster is read.
    let p = Plan::from_toml(
        &plan("[[layers.villages.rosters]]\npath = \"r.csv\"\nsheet = \"Sheet1\"\njoin = { key = \"代码\", on = \"统计用区划代码\" }\n"),
        dir.path(),
    )
    .unwrap();
    let e = p
        .affected
        .villages
        .read(hecun::Crs::WGS84, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("r.csv") && e.contains("sheet"), "{e}");
}

/// The legacy .xls fixtures written by xlwt (core/tests/fixtures/roster/make_xls.py).
fn xls_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roster")
        .join(name)
}

#[test]
fn a_legacy_xls_roster_reads_as_an_xlsx_one_and_its_merged_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let villages = layer(
        dir.path(),
        &[(json!("410122101201"), "甲"), (json!("410122101202"), "乙")],
    );
    let read = read(
        &villages,
        Roster::new(
            xls_fixture("roster.xls"),
            "统计用区划代码",
            "统计用区划代码",
        )
        .with_sheet("花名册"),
    )
    .unwrap();
    assert_eq!(
        props(&read, 0),
        json!({"统计用区划代码": "410122101201", "村名": "甲", "签约户数": 45, "社区": "金水镇新社区3",
               "方案通过": true, "签约日期": "2024-06-01"})
    );
    assert_eq!(props(&read, 1)["签约户数"], json!(55.5));
    assert_eq!(props(&read, 1)["方案通过"], json!(false));
    assert_eq!(props(&read, 1)["签约日期"], Value::Null);
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);

    let (_, text) = roster_error(read_err(
        &villages,
        Roster::new(
            xls_fixture("merged.xls"),
            "统计用区划代码",
            "统计用区划代码",
        ),
    ));
    assert!(
        text.contains("Sheet1") && text.contains("B1:C1") && text.contains("merged header"),
        "{text}"
    );
}

fn read_err(villages: &Path, roster: Roster) -> Error {
    read(villages, roster).unwrap_err()
}
