//! Table headers and cells, the same in every section.

use std::fmt::Write;

use super::fmt::{count, count_usize, esc};
use crate::report::Counts;

/// A table header; columns named in `num` are right-aligned numbers.
pub(super) fn thead(out: &mut String, id: &str, cols: &[(&str, bool)]) {
    let _ = write!(out, "<table id=\"{id}\"><thead><tr>");
    for (name, num) in cols {
        let class = if *num { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(name));
    }
    out.push_str("</tr></thead><tbody>\n");
}

pub(super) fn td(out: &mut String, text: &str) {
    let _ = write!(out, "<td>{}</td>", esc(text));
}

/// A name or id: kept on one line, since a Chinese name broken after each character is
/// unreadable in a narrow column.
pub(super) fn td_name(out: &mut String, text: &str) {
    let _ = write!(out, "<td class=\"name\">{}</td>", esc(text));
}

pub(super) fn td_num(out: &mut String, text: &str) {
    let _ = write!(out, "<td class=\"num\">{}</td>", esc(text));
}

/// A cell of HTML already escaped.
pub(super) fn td_html(out: &mut String, html: &str) {
    let _ = write!(out, "<td>{html}</td>");
}

pub(super) fn counts_cells(out: &mut String, c: &Counts) {
    td_num(out, &count_usize(c.villages));
    td_num(out, &count(c.households));
    td_num(out, &count(c.population));
}
