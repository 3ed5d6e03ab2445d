//! The table per zone class: its layer, width, zones and what they affect.

use crate::report::Report;
use crate::report::html::fmt::{count_usize, metres};
use crate::report::html::names::layer_name;
use crate::report::html::page::Page;
use crate::report::html::table::{counts_cells, td, td_name, td_num, thead};

pub(super) fn classes(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.classes.is_empty() {
        return;
    }
    page.open("classes", w.sec_classes);
    let out = &mut page.body;
    thead(
        out,
        "class-table",
        &[
            (w.col_class, false),
            (w.col_layer, false),
            (w.col_width, true),
            (w.col_zones, true),
            (w.col_affected_villages, true),
            (w.col_households, true),
            (w.col_people, true),
        ],
    );
    for c in &report.classes {
        out.push_str("<tr>");
        td_name(out, &c.class);
        td(out, layer_name(w, &c.layer));
        td_num(out, &metres(c.width_m));
        td_num(out, &count_usize(c.zones));
        counts_cells(out, &c.affected);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}
