//! The map section: the figure drawn by [`crate::report::html::map`], or a note when the report
//! has no map.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::page::Page;
use crate::report::html::{atlas, map};

pub(super) fn map_section(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("map-section", w.sec_map);
    // A large region's map is drawn by the page's script from embedded data (html::atlas):
    // as SVG it would be half a million elements with no zoom.
    if page.large {
        match atlas::atlas_figure(report, w) {
            Some(fig) => page.body.push_str(&fig),
            None => page.note(w.no_map),
        }
        page.close();
        return;
    }
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
