//! The affected villages, each with its share inside the zones and the zones touching it.

use crate::report::html::fmt::{count, count_usize, esc, metres, share};
use crate::report::html::grid::Grid;
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::words::Words;
use crate::report::{Report, ZoneRef};

pub(super) fn villages(page: &mut Page, report: &Report) {
    let w = page.w;
    if !page.open_unless_empty(
        "villages",
        w.sec_villages,
        report.villages.is_empty(),
        w.no_affected,
    ) {
        return;
    }
    let mut g = village_grid(w, report);
    let households: u64 = report.villages.iter().map(|v| v.households).sum();
    let people: u64 = report.villages.iter().map(|v| v.population).sum();
    g.foot();
    g.td(w.sum);
    g.td_num(&count_usize(report.villages.len()));
    g.td("");
    g.td_num(&count(households));
    g.td_num(&count(people));
    g.td("");
    g.td("");
    g.write(page);
    page.close();
}

/// A row per affected village, in the report's order.
fn village_grid(w: &Words, report: &Report) -> Grid {
    let mut g = Grid::new(
        "village-table",
        &[
            (w.col_id, false),
            (w.col_name, false),
            (w.col_township, false),
            (w.col_households, true),
            (w.col_people, true),
            (w.col_share, true),
            (w.col_zone_list, false),
        ],
    )
    .township(2, w.sec_villages);
    for v in &report.villages {
        g.tr(None);
        g.td_name(&v.id);
        g.td_name(&v.name);
        g.td_name(township_name(w, &v.township));
        g.td_num(&count(v.households));
        g.td_num(&count(v.population));
        g.td_num(&share(v.fraction_inside));
        g.td_html(&zone_list(w, &v.zones));
    }
    g
}

/// The zones touching a village, each as its name (or id), class and width. A road is often
/// several features of one name; each name and class is listed once.
fn zone_list(w: &Words, zones: &[ZoneRef]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for z in zones {
        let name = if z.name.is_empty() { &z.id } else { &z.name };
        let label = format!("{name} ({} {})", z.class, metres(z.width_m));
        if !seen.contains(&label) {
            seen.push(label);
        }
    }
    let zones: Vec<String> = seen.iter().map(|s| esc(s)).collect();
    zones.join(&esc(w.list_sep))
}
