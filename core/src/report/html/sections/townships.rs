//! The table per township, with the totals.

use crate::report::Report;
use crate::report::html::fmt::{count_usize, esc};
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::html::table::{counts_cells, td, td_html, td_name, td_num, thead};

pub(super) fn townships(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.townships.is_empty() {
        return;
    }
    page.open("townships", w.sec_townships);
    let out = &mut page.body;
    thead(
        out,
        "township-table",
        &[
            (w.col_township, false),
            (w.col_villages_in_layer, true),
            (w.col_affected_villages, true),
            (w.col_households, true),
            (w.col_people, true),
            (w.col_communities, true),
            (w.col_launched, true),
            (w.col_blocked, true),
            (w.col_vetoed, true),
            (w.col_demonstration, false),
        ],
    );
    for t in &report.townships {
        out.push_str("<tr>");
        td_name(out, township_name(w, &t.township));
        td_num(out, &count_usize(t.villages_in_layer));
        counts_cells(out, &t.affected);
        td_num(out, &count_usize(t.communities));
        td_num(out, &count_usize(t.launched));
        td_num(out, &count_usize(t.blocked));
        td_num(out, &count_usize(t.vetoed));
        let demo: Vec<String> = t.demonstration.iter().map(|d| esc(d)).collect();
        td_html(out, &demo.join(&esc(w.list_sep)));
        out.push_str("</tr>\n");
    }
    let t = &report.totals;
    out.push_str("</tbody><tfoot><tr>");
    td(out, w.sum);
    td_num(out, &count_usize(report.villages_in_layer));
    counts_cells(out, &t.affected);
    td_num(out, &count_usize(t.communities));
    td_num(out, &count_usize(t.launched));
    td_num(out, &count_usize(t.blocked));
    td_num(out, &count_usize(t.vetoed));
    td_num(out, &count_usize(t.sites_chosen));
    out.push_str("</tr></tfoot></table>\n");
    page.close();
}
