//! The plan's tables (`[tables.NAME]`): one titled table each, its columns with their units,
//! each group's subtotal after its rows and the total last, as the engine computed them.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::{count, esc, plain};
use crate::report::html::grid::Grid;
use crate::report::html::page::Page;
use crate::rules::{Cell, ColumnType, RowKind};

pub(super) fn tables(page: &mut Page, report: &Report) {
    if report.tables.is_empty() {
        return;
    }
    let w = page.w;
    let tag = page.lang.tag();
    let zh = tag.starts_with("zh");
    page.open("tables", w.sec_tables);
    // Here rather than in the page's stylesheet, so that a report without tables keeps its
    // bytes.
    page.body.push_str(
        "<style>tr.subtotal td { font-weight: 600; background: #f4f6f8; } \
         tr.total td { font-weight: 700; border-top: 2px solid #888; }</style>\n",
    );
    for (i, t) in report.tables.iter().enumerate() {
        let _ = writeln!(
            page.body,
            "<h3 id=\"table-{}\">{}</h3>\n<p class=\"note\">{}</p>",
            i + 1,
            esc(t.title(tag)),
            esc(&t.plugin)
        );
        let headings: Vec<String> = t
            .columns
            .iter()
            .map(|c| crate::rules::Table::heading(c, tag))
            .collect();
        let mut cols: Vec<(&str, bool)> = vec![("", false)];
        cols.extend(
            t.columns
                .iter()
                .zip(&headings)
                .map(|(c, h)| (h.as_str(), c.kind != ColumnType::Text)),
        );
        let mut g = Grid::new(&format!("table-{}-rows", i + 1), &cols);
        for row in &t.rows {
            g.tr(match row.kind {
                RowKind::Row => None,
                RowKind::Subtotal => Some("subtotal"),
                RowKind::Total => Some("total"),
            });
            match row.kind {
                RowKind::Row => g.td(""),
                kind => g.td(kind.word(zh)),
            }
            for (c, cell) in t.columns.iter().zip(&row.cells) {
                match (c.kind, cell) {
                    (_, None) => g.td(""),
                    (ColumnType::Text, Some(v)) => g.td_name(&v.text()),
                    (_, Some(v)) => g.td_num(&number(v)),
                }
            }
        }
        g.write(page);
    }
    page.close();
}

/// A number as the report writes counts (thousands separators) when it is whole, else with
/// up to three decimals.
fn number(v: &Cell) -> String {
    let whole = |i: i64| {
        let sign = if i < 0 { "-" } else { "" };
        format!("{sign}{}", count(i.unsigned_abs()))
    };
    match v {
        Cell::Integer(i) => whole(*i),
        Cell::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => whole(*f as i64),
        Cell::Number(f) => plain(*f),
        Cell::Text(t) => t.clone(),
    }
}
