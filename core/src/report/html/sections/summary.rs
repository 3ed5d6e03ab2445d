//! The headline numbers: villages, households and people affected, communities and their
//! verdicts, sites.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::{count_usize, esc};
use crate::report::html::page::Page;

pub(super) fn summary(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("summary", w.sec_summary);
    let t = &report.totals;
    let mut cards: Vec<(&str, String)> = vec![
        (w.villages_in_layer, count_usize(report.villages_in_layer)),
        (w.affected_villages, count_usize(t.affected.villages)),
        // zh-CN counts in 万 here (3.42万户); the tables below give the exact figures.
        (
            w.affected_households,
            (w.headline_count)(t.affected.households, w.unit_households),
        ),
        (
            w.affected_people,
            (w.headline_count)(t.affected.population, w.unit_people),
        ),
    ];
    if t.communities > 0 {
        cards.extend([
            (w.new_communities, count_usize(t.communities)),
            (w.merged_villages, count_usize(t.in_communities.villages)),
            (
                w.merged_households,
                (w.headline_count)(t.in_communities.households, w.unit_households),
            ),
            (
                w.merged_people,
                (w.headline_count)(t.in_communities.population, w.unit_people),
            ),
        ]);
        let checked = t.launched + t.blocked + t.vetoed + t.check_errors > 0;
        if checked {
            cards.extend([
                (w.n_launched, count_usize(t.launched)),
                (w.n_blocked, count_usize(t.blocked)),
                (w.n_vetoed, count_usize(t.vetoed)),
            ]);
            if t.check_errors > 0 {
                cards.push((w.n_check_errors, count_usize(t.check_errors)));
            }
        }
    }
    if t.sites > 0 {
        cards.extend([
            (w.n_sites, count_usize(t.sites)),
            (w.n_sites_chosen, count_usize(t.sites_chosen)),
        ]);
    }
    page.body.push_str("<dl class=\"headline\">");
    for (label, value) in cards {
        let _ = write!(
            page.body,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(label),
            esc(&value)
        );
    }
    page.body.push_str("</dl>\n");
    let _ = writeln!(
        page.body,
        "<p class=\"counting\">{}</p>",
        esc(&(w.txt_counting)(&report.counting_summary()))
    );
    page.close();
}
