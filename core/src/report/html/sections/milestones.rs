//! The plan's milestones (`[[milestones]]`) as of the run's date: what is overdue first,
//! longest first with its days, then the counts per milestone and per township, county and
//! 管委会, then every community's status on every milestone.

use std::fmt::Write;

use crate::jobs::{MilestoneStatus, status_text};
use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::html::grid::Grid;
use crate::report::html::page::Page;
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
        let mut g = Grid::new(
            "milestones-overdue",
            &[
                (mw.col_milestone, false),
                (mw.col_due_date, false),
                (mw.col_community, false),
                (mw.col_township, false),
                (mw.col_county, false),
                (mw.col_days, true),
            ],
        )
        .township(3, mw.overdue_heading);
        for (k, c, days) in overdue {
            let ms = &m.milestones[k];
            g.tr(None);
            g.td(ms.title(tag));
            g.td(&ms.due.to_string());
            g.td_name(&format!("{} {}", c.id, c.name));
            g.td_name(&c.township);
            g.td_name(&c.county);
            g.td_num(&days.to_string());
        }
        g.write(page);
    }

    // The counts, over all and per group.
    let _ = writeln!(page.body, "<h3>{}</h3>", esc(mw.totals_heading));
    let mut g = Grid::new(
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
        g.tr(None);
        let group = if t.level == "all" {
            (mw.level)("all").to_owned()
        } else {
            format!("{} {}", (mw.level)(&t.level), t.group)
        };
        g.td_name(&group);
        g.td(&title(&t.milestone));
        for n in [t.done, t.done_late, t.overdue, t.due, t.unknown] {
            g.td_num(&n.to_string());
        }
    }
    g.write(page);

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
    let mut g = Grid::new("milestones-communities", &heads).township(1, mw.sec);
    for c in &m.communities {
        g.tr(None);
        g.td_name(&format!("{} {}", c.id, c.name));
        g.td_name(&c.township);
        g.td_name(&c.county);
        g.td_name(c.board.as_deref().unwrap_or(""));
        for status in &c.statuses {
            g.td_html(&format!(
                "<span class=\"{}\">{}</span>",
                class(status),
                esc(&status_text(status, zh))
            ));
        }
    }
    g.write(page);
    page.close();
}
