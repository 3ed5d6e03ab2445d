//! The affected villages, each with its share inside the zones and the zones touching it.

use crate::report::html::fmt::{count, count_usize, esc, metres, share};
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::html::table::{td, td_html, td_name, td_num, thead};
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
    let out = &mut page.body;
    thead(
        out,
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
    );
    for v in &report.villages {
        out.push_str("<tr>");
        td_name(out, &v.id);
        td_name(out, &v.name);
        td_name(out, township_name(w, &v.township));
        td_num(out, &count(v.households));
        td_num(out, &count(v.population));
        td_num(out, &share(v.fraction_inside));
        td_html(out, &zone_list(w, &v.zones));
        out.push_str("</tr>\n");
    }
    let households: u64 = report.villages.iter().map(|v| v.households).sum();
    let people: u64 = report.villages.iter().map(|v| v.population).sum();
    out.push_str("</tbody><tfoot><tr>");
    td(out, w.sum);
    td_num(out, &count_usize(report.villages.len()));
    td(out, "");
    td_num(out, &count(households));
    td_num(out, &count(people));
    td(out, "");
    td(out, "");
    out.push_str("</tr></tfoot></table>\n");
    page.close();
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
