//! The map section: the figure drawn by [`crate::report::html::map`], or a note when the report
//! has no map.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::map;
use crate::report::html::page::Page;

pub(super) fn map_section(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("map-section", w.sec_map);
    match map::map_figure(report, w) {
        Some(fig) => {
            let _ = write!(
                page.body,
                "<figure class=\"map\" id=\"map-figure\">\n{}\n{}\n</figure>\n",
                fig.svg, fig.legend
            );
        }
        None => page.note(w.no_map),
    }
    page.close();
}
