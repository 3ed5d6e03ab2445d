//! The plan's milestones (`[[milestones]]`) as of the run's date: what is overdue first,
//! longest first with its days, then the counts per milestone and per township, county and
//! 管委会, then every community's status on every milestone.

use std::fmt::Write;

use crate::jobs::{MilestoneStatus, status_text};
use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::html::page::Page;
use crate::report::html::table::{td, td_html, td_name, td_num, thead};
use crate::report::words::milestone_words;

/// The class that colours a status like the launch statuses: done green, overdue red-brown,
/// due as a warning, unknown muted.
fn class(status: &MilestoneStatus) -> &'static str {
    match status {
        MilestoneStatus::Done { .. } => "st-launched",
        MilestoneStatus::Due { .. } => "st-blocked",
        MilestoneStatus::Overdue { .. } => "st-vetoed",
        MilestoneStatus::Unknown { .. } => "st-error",
    }
}

pub(super) fn milestones(page: &mut Page, report: &Report) {
    let Some(m) = &report.milestones else {
        return;
    };
    let mw = milestone_words(page.lang);
    let tag = page.lang.tag();
    let zh = tag.starts_with("zh");
    page.open("milestones", mw.sec);
    let _ = writeln!(
        page.body,
        "<p class=\"note\">{}</p>",
        esc(&(mw.as_of)(&m.as_of.to_string()))
    );
    let title = |name: &str| {
        m.milestones
            .iter()
            .find(|x| x.name == name)
            .map_or(name.to_owned(), |x| x.title(tag).to_owned())
    };

    // What is overdue, longest first: what the meeting asks about.
    let _ = writeln!(page.body, "<h3>{}</h3>", esc(mw.overdue_heading));
    let mut overdue: Vec<(usize, &crate::jobs::CommunityMilestones, i64)> = Vec::new();
    for k in 0..m.milestones.len() {
        overdue.extend(m.overdue(k).into_iter().map(|(c, d)| (k, c, d)));
    }
    // Stable: equal days keep the milestones' and the communities' order.
    overdue.sort_by_key(|(_, _, d)| std::cmp::Reverse(*d));
    if overdue.is_empty() {
        page.note(mw.none_overdue);
    } else {
        let out = &mut page.body;
        thead(
            out,
            "milestones-overdue",
            &[
                (mw.col_milestone, false),
                (mw.col_due_date, false),
                (mw.col_community, false),
                (mw.col_township, false),
                (mw.col_county, false),
                (mw.col_days, true),
            ],
        );
        for (k, c, days) in overdue {
            let ms = &m.milestones[k];
            out.push_str("<tr>");
            td(out, ms.title(tag));
            td(out, &ms.due.to_string());
            td_name(out, &format!("{} {}", c.id, c.name));
            td_name(out, &c.township);
            td_name(out, &c.county);
            td_num(out, &days.to_string());
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }

    // The counts, over all and per group.
    let _ = writeln!(page.body, "<h3>{}</h3>", esc(mw.totals_heading));
    let out = &mut page.body;
    thead(
        out,
        "milestones-tallies",
        &[
            (mw.col_group, false),
            (mw.col_milestone, false),
            (mw.col_done, true),
            (mw.col_done_late, true),
            (mw.col_overdue, true),
            (mw.col_due, true),
            (mw.col_unknown, true),
        ],
    );
    for t in m.totals.iter().chain(&m.groups) {
        out.push_str("<tr>");
        let group = if t.level == "all" {
            (mw.level)("all").to_owned()
        } else {
            format!("{} {}", (mw.level)(&t.level), t.group)
        };
        td_name(out, &group);
        td(out, &title(&t.milestone));
        for n in [t.done, t.done_late, t.overdue, t.due, t.unknown] {
            td_num(out, &n.to_string());
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");

    // Every community, a column per milestone.
    let mut heads: Vec<(String, bool)> = vec![
        (mw.col_community.to_owned(), false),
        (mw.col_township.to_owned(), false),
        (mw.col_county.to_owned(), false),
        (mw.col_board.to_owned(), false),
    ];
    for ms in &m.milestones {
        heads.push((format!("{}（{}）", ms.title(tag), ms.due), false));
    }
    let heads: Vec<(&str, bool)> = heads.iter().map(|(h, n)| (h.as_str(), *n)).collect();
    thead(out, "milestones-communities", &heads);
    for c in &m.communities {
        out.push_str("<tr>");
        td_name(out, &format!("{} {}", c.id, c.name));
        td_name(out, &c.township);
        td_name(out, &c.county);
        td_name(out, c.board.as_deref().unwrap_or(""));
        for status in &c.statuses {
            td_html(
                out,
                &format!(
                    "<span class=\"{}\">{}</span>",
                    class(status),
                    esc(&status_text(status, zh))
                ),
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}
