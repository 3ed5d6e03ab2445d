//! The table per township, with the totals; on the large page each township links to its
//! detail (`#township-N`, see [`township_anchor`]).

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::{count_usize, esc};
use crate::report::html::grid::{Grid, script_json};
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::html::paged::township_anchor;

pub(super) fn townships(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.townships.is_empty() {
        return;
    }
    page.open("townships", w.sec_townships);
    let mut g = Grid::new(
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
    for (i, t) in report.townships.iter().enumerate() {
        g.tr(None);
        let name = township_name(w, &t.township);
        if page.large {
            g.td_class(
                "name",
                &format!("<a href=\"#{}\">{}</a>", township_anchor(i), esc(name)),
            );
        } else {
            g.td_name(name);
        }
        g.td_num(&count_usize(t.villages_in_layer));
        g.counts(&t.affected);
        g.td_num(&count_usize(t.communities));
        g.td_num(&count_usize(t.launched));
        g.td_num(&count_usize(t.blocked));
        g.td_num(&count_usize(t.vetoed));
        let demo: Vec<String> = t.demonstration.iter().map(|d| esc(d)).collect();
        g.td_html(&demo.join(&esc(w.list_sep)));
    }
    let t = &report.totals;
    g.foot();
    g.td(w.sum);
    g.td_num(&count_usize(report.villages_in_layer));
    g.counts(&t.affected);
    g.td_num(&count_usize(t.communities));
    g.td_num(&count_usize(t.launched));
    g.td_num(&count_usize(t.blocked));
    g.td_num(&count_usize(t.vetoed));
    g.td_num(&count_usize(t.sites_chosen));
    g.write(page);
    if page.large {
        // Each township's anchor and its name as the other tables write it: the detail view
        // finds the township's rows by it.
        let index: Vec<serde_json::Value> = report
            .townships
            .iter()
            .enumerate()
            .map(|(i, t)| {
                serde_json::json!([township_anchor(i), esc(township_name(w, &t.township))])
            })
            .collect();
        let _ = writeln!(
            page.body,
            "<div class=\"detail\" id=\"township-view\" hidden></div>\n\
             <script type=\"application/json\" id=\"townships-index\">{}</script>",
            script_json(&serde_json::Value::Array(index))
        );
    }
    page.close();
}
