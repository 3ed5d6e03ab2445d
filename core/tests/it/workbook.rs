//! `tables.xlsx` read back with calamine, a reader that shares no code with the writer: every
//! sheet agrees with its CSV cell for cell, numbers are numbers, codes are text with every
//! digit, the header row is frozen and filtered, and two runs give the same bytes.

use std::io::Read as _;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use hecun::Plan;
use hecun::report::Lang;
use hecun::run::{PlanRun, RunRequest, WrittenRun};

use crate::common::repo;

fn run(plan: &str, out: &Path, lang: Lang) -> WrittenRun {
    let plan = Plan::load(&repo().join("gis-data/demo").join(plan)).unwrap();
    let mut request = RunRequest::new(out, lang);
    request.options.lang = lang.tag().into();
    PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {}).unwrap()
}

/// The CSV's records, its byte-order mark dropped.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Checks sheet `sheet` against `csv` cell for cell: a blank stays blank, a number cell holds
/// the CSV's number, a text cell the CSV's text; the columns of `numbers` are numbers wherever
/// the CSV has a value, those of `codes` text. Returns the sheet's header row.
fn agrees(
    book: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    sheet: &str,
    csv: &Path,
    numbers: &[&str],
    codes: &[&str],
) -> Vec<String> {
    let rows = csv_rows(csv);
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet:?}: {e}"));
    assert_eq!(range.start(), Some((0, 0)), "{sheet}");
    assert_eq!(
        range.height(),
        rows.len(),
        "{sheet}: rows of the sheet and of {}",
        csv.display()
    );
    let heads = &rows[0];
    let mut titles = Vec::new();
    for (c, head) in heads.iter().enumerate() {
        match range.get_value((0, c as u32)) {
            Some(Data::String(t)) if !t.is_empty() => titles.push(t.clone()),
            other => panic!("{sheet}: heading of column {c} ({head}): {other:?}"),
        }
    }
    for (r, row) in rows.iter().enumerate().skip(1) {
        for (c, text) in row.iter().enumerate() {
            let cell = range
                .get_value((r as u32, c as u32))
                .unwrap_or(&Data::Empty);
            let head = heads[c].as_str();
            let place = format!("{sheet}, row {r}, column {head}: CSV {text:?}, cell {cell:?}");
            match cell {
                Data::Empty => assert!(text.is_empty(), "{place}"),
                Data::Float(v) => {
                    assert_eq!(Ok(*v), text.parse::<f64>(), "{place}");
                    assert!(!codes.contains(&head), "{place}: a code as a number");
                }
                Data::Int(v) => {
                    assert_eq!(Ok(*v), text.parse::<i64>(), "{place}");
                    assert!(!codes.contains(&head), "{place}: a code as a number");
                }
                Data::String(s) => {
                    assert_eq!(s, text, "{place}");
                    assert!(!numbers.contains(&head), "{place}: a number as text");
                }
                other => panic!("{place}: unexpected {other:?}"),
            }
        }
    }
    titles
}

/// The XML of every worksheet in the workbook's zip.
fn sheet_xml(path: &Path) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut names: Vec<String> = zip
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            let mut s = String::new();
            zip.by_name(n).unwrap().read_to_string(&mut s).unwrap();
            s
        })
        .collect()
}

#[test]
fn the_workbook_agrees_with_every_csv_of_the_demo_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a");
    let written = run("plan.toml", &out, Lang::ZhCn);
    assert!(written.files.iter().any(|f| f == "tables.xlsx"));
    let path = out.join("tables.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "受影响村庄",
            "乡镇汇总",
            "范围类别",
            "启动检查",
            "规划标准",
            "选址评分",
            "新社区名册",
            "未纳入社区村庄",
            "分乡镇",
            "分县区"
        ]
    );
    let counts = ["households", "population", "villages", "villages_in_layer"];
    let titles = agrees(
        &mut book,
        "受影响村庄",
        &out.join("affected_villages.csv"),
        &[&counts[..], &["fraction_inside", "zone_count"]].concat(),
        &["id", "zones"],
    );
    assert_eq!(
        titles[..5],
        ["村庄代码", "村庄名称", "乡镇", "户数", "人口"]
    );
    // The demo's ids are 12-digit 统计用区划代码: every digit kept, as text.
    let range = book.worksheet_range("受影响村庄").unwrap();
    assert!(range.height() > 10, "the demo affects villages");
    for r in 1..range.height() {
        match range.get_value((r as u32, 0)) {
            Some(Data::String(id)) => {
                assert!(
                    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()),
                    "{id}"
                )
            }
            other => panic!("row {r}: id {other:?}"),
        }
    }
    let titles = agrees(
        &mut book,
        "乡镇汇总",
        &out.join("townships.csv"),
        &counts,
        &[],
    );
    assert_eq!(
        titles,
        [
            "乡镇",
            "受影响村庄数",
            "受影响户数",
            "受影响人口",
            "村庄总数"
        ]
    );
    agrees(
        &mut book,
        "范围类别",
        &out.join("zone_classes.csv"),
        &[&counts[..], &["width_m", "zones"]].concat(),
        &[],
    );
    agrees(
        &mut book,
        "启动检查",
        &out.join("launch_checks.csv"),
        &["villages"],
        &["village_ids"],
    );
    agrees(
        &mut book,
        "规划标准",
        &out.join("standards.csv"),
        &["households", "population", "villages", "site_area_m2"],
        &["village_ids", "site"],
    );
    agrees(
        &mut book,
        "选址评分",
        &out.join("sites_scored.csv"),
        &["rank", "score", "area_m2", "road_distance"],
        &["id"],
    );
    agrees(
        &mut book,
        "新社区名册",
        &out.join("communities.csv"),
        &[
            "villages",
            "zone_villages",
            "zone_households",
            "zone_people",
        ],
        &["id", "village_ids"],
    );
    agrees(
        &mut book,
        "分县区",
        &out.join("counties.csv"),
        &["villages", "communities", "households", "people"],
        &["county"],
    );

    // What a spreadsheet shows: the header row frozen, a filter over every table.
    let sheets = sheet_xml(&path);
    assert_eq!(sheets.len(), 10);
    for xml in &sheets {
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{xml:.600}"
        );
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{xml:.600}");
        assert!(xml.contains("<col "), "column widths");
    }

    // The manifest hashes it like every output; a second run writes the same bytes.
    let manifest = std::fs::read_to_string(out.join("run_manifest.json")).unwrap();
    assert!(manifest.contains("\"tables.xlsx\""), "{manifest:.2000}");
    let again = tmp.path().join("b");
    run("plan.toml", &again, Lang::ZhCn);
    assert!(
        std::fs::read(&path).unwrap() == std::fs::read(again.join("tables.xlsx")).unwrap(),
        "two runs wrote different workbooks"
    );
}

#[test]
fn the_workbook_speaks_english_and_holds_the_plans_tables_and_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a");
    let written = run("plan-targets.toml", &out, Lang::En);
    let path = out.join("tables.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "Affected villages");
    let titles = agrees(
        &mut book,
        "Affected villages",
        &out.join("affected_villages.csv"),
        &["households", "population"],
        &["id"],
    );
    assert_eq!(titles[0], "Village ID");
    // Every CSV of the run has its sheet, in the order written.
    let csvs: Vec<&String> = written
        .files
        .iter()
        .filter(|f| f.ends_with(".csv") && *f != "sweep.csv")
        .collect();
    assert_eq!(names.len(), csvs.len(), "{names:?} {csvs:?}");
    let table = written.run.tables[0].table.name.clone();
    let target = written.run.targets[0].check.name.clone();
    let sheet = format!("Table {table}");
    assert!(names.contains(&sheet), "{names:?}");
    let titles = agrees(
        &mut book,
        &sheet,
        &out.join(format!("tables/{table}.csv")),
        &[],
        &[],
    );
    // The table's own (English) headings, as its CSV has them.
    assert_eq!(
        titles,
        csv_rows(&out.join(format!("tables/{table}.csv")))[0]
    );
    // Its number columns hold numbers: the CSV's total row is numbers in each.
    let range = book.worksheet_range(&sheet).unwrap();
    let numbers = (1..range.width())
        .filter(|&c| {
            matches!(
                range.get_value((range.height() as u32 - 1, c as u32)),
                Some(Data::Float(_))
            )
        })
        .count();
    assert!(numbers > 0, "the total row has numbers");
    let sheet = format!("Target {target}");
    assert!(names.contains(&sheet), "{names:?}");
    agrees(
        &mut book,
        &sheet,
        &out.join(format!("targets/{target}.csv")),
        &["measured"],
        &[],
    );
}
