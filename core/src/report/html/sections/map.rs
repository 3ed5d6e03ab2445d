//! The map section: the figure drawn by [`crate::report::html::map`], or a note when the report
//! has no map.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::html::page::Page;
use crate::report::html::{atlas, map};
use crate::report::words::atlas_words;

/// The small page's map explorer: search, zoom and pan over the inline SVG.
const EXPLORE: &str = include_str!("../map_explore.js");

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
            // The same search box and panel as the large page's map, over the SVG: the script
            // zooms the SVG's viewBox, so without it the map is the same, unzoomed.
            let aw = atlas_words(page.lang);
            let _ = write!(
                page.body,
                "<figure class=\"map\" id=\"map-figure\">\n<div class=\"map-main\">\n\
                 <div class=\"atlas-bar\"><input id=\"map-search\" type=\"search\" autocomplete=\"off\" \
                 list=\"map-search-list\" placeholder=\"{s}\" aria-label=\"{s}\" data-none=\"{none}\">\
                 <datalist id=\"map-search-list\"></datalist>\
                 <button type=\"button\" id=\"map-reset\">{r}</button></div>\n\
                 {}\n<div id=\"map-info\" aria-live=\"polite\"></div>\n</div>\n{}\n\
                 <script>\n{EXPLORE}</script>\n</figure>\n",
                fig.svg,
                fig.legend,
                s = esc(aw.search),
                none = esc(aw.no_match),
                r = esc(aw.reset),
            );
        }
        None => page.note(w.no_map),
    }
    page.close();
}
