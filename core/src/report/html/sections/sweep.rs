//! The width sweep: its chart and its table, the planned width marked.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::chart;
use crate::report::html::fmt::{esc, metres};
use crate::report::html::page::Page;
use crate::report::html::table::{counts_cells, td_num, thead};

pub(super) fn sweep(page: &mut Page, report: &Report) {
    let w = page.w;
    let Some(s) = &report.sweep else { return };
    page.open("sweep", w.sec_sweep);
    let planned = s
        .planned_m
        .map(|p| format!(" · {} {}", w.sweep_planned, metres(p)))
        .unwrap_or_default();
    let _ = writeln!(
        page.body,
        "<p>{}{}{}{}</p>",
        esc(w.sweep_class),
        esc(w.colon),
        esc(&s.class),
        esc(&planned)
    );
    if let Some(chart) = chart::sweep_chart(s, w) {
        let _ = writeln!(page.body, "<div class=\"chart\">{chart}</div>");
    }
    let out = &mut page.body;
    thead(
        out,
        "sweep-table",
        &[
            (w.col_width, true),
            (w.col_affected_villages, true),
            (w.col_households, true),
            (w.col_people, true),
        ],
    );
    for r in &s.rows {
        let is_planned = s.planned_m.is_some_and(|p| (p - r.width_m).abs() < 1e-9);
        let _ = write!(
            out,
            "<tr{}>",
            if is_planned { " class=\"planned\"" } else { "" }
        );
        let width = if is_planned {
            format!("{} ({})", metres(r.width_m), w.sweep_planned)
        } else {
            metres(r.width_m)
        };
        td_num(out, &width);
        counts_cells(out, &r.affected);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}
