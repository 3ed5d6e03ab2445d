//! The whole plan: the plan's targets met or missed, the roll-ups per county and 管委会, the
//! new communities with their designations and housing, and the villages in no community —
//! listed, never left to the reader to notice.

use crate::jobs::{ProgrammeRun, RollUp};
use crate::report::Report;
use crate::report::html::fmt::{count_usize, esc};
use crate::report::html::grid::Grid;
use crate::report::html::page::Page;
use crate::report::html::table::{td_name, td_num, thead};
use crate::report::words::{ProgrammeWords, amount, paged_words, programme_words};

pub(super) fn programme(page: &mut Page, report: &Report) {
    let Some(p) = &report.programme else {
        return;
    };
    let w = programme_words(page.lang);
    goals(page, p, w);
    rollups(
        page,
        "counties",
        w.sec_counties,
        w.col_county,
        &p.counties,
        w,
    );
    rollups(page, "boards", w.sec_boards, w.col_board, &p.boards, w);
    communities(page, p, w);
    unassigned(page, p, w);
}

fn goals(page: &mut Page, p: &ProgrammeRun, w: &ProgrammeWords) {
    if p.goals.is_empty() {
        return;
    }
    let (large, lang) = (page.large, page.lang);
    page.open("goals", w.sec_goals);
    let out = &mut page.body;
    thead(
        out,
        "goals-table",
        &[
            (w.col_goal, false),
            (w.col_target, true),
            (w.col_actual, true),
            (w.col_met, false),
        ],
    );
    for g in &p.goals {
        out.push_str("<tr>");
        td_name(out, (w.goal)(&g.goal));
        match (g.most, g.of) {
            (Some(most), Some(of)) => {
                td_num(out, &format!("{}–{}", g.target, most));
                let mut actual = format!("{} / {of}", amount(g.actual));
                if !g.missed_by.is_empty() {
                    actual.push_str(&format!("（{}）", missed_by(large, lang, &g.missed_by)));
                }
                td_num(out, &actual);
            }
            _ => {
                td_num(out, &g.target.to_string());
                td_num(out, &amount(g.actual));
            }
        }
        let class = if g.met { "st-launched" } else { "st-blocked" };
        out.push_str(&format!(
            "<td class=\"{class}\">{}</td>",
            esc(if g.met { w.met } else { w.missed })
        ));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

/// The groups that missed a goal; on the large page the first [`MISSED_SHOWN`] and how many
/// there are in all (the roll-up tables below list every group).
fn missed_by(large: bool, lang: crate::report::Lang, names: &[String]) -> String {
    if !large || names.len() <= MISSED_SHOWN {
        return names.join("、");
    }
    format!(
        "{}…；{}",
        names[..MISSED_SHOWN].join("、"),
        (paged_words(lang).shown_of)(names.len(), MISSED_SHOWN)
    )
}

/// How many of the groups that missed a goal the large page names in the goal's row.
const MISSED_SHOWN: usize = 20;

fn rollups(
    page: &mut Page,
    id: &'static str,
    title: &'static str,
    first: &'static str,
    rows: &[RollUp],
    w: &ProgrammeWords,
) {
    if rows.is_empty() {
        return;
    }
    let words = page.w;
    page.open(id, title);
    let mut g = Grid::new(
        &format!("{id}-table"),
        &[
            (first, false),
            (w.col_townships, true),
            (words.col_communities, true),
            (words.col_villages_in_layer, true),
            (w.col_unassigned, true),
            (words.col_affected_villages, true),
            (words.col_households, true),
            (words.col_people, true),
            (words.col_launched, true),
            (words.col_blocked, true),
            (words.col_vetoed, true),
        ],
    );
    for r in rows {
        g.tr(None);
        g.td_name(if r.name.is_empty() {
            w.unknown_county
        } else {
            &r.name
        });
        g.td_num(&count_usize(r.townships));
        g.td_num(&count_usize(r.communities));
        g.td_num(&count_usize(r.villages));
        g.td_num(&count_usize(r.unassigned));
        g.td_num(&count_usize(r.zone_villages));
        g.td_num(&amount(r.households));
        g.td_num(&amount(r.people));
        g.td_num(&count_usize(r.launchable));
        g.td_num(&count_usize(r.blocked));
        g.td_num(&count_usize(r.vetoed));
    }
    g.write(page);
    page.close();
}

fn communities(page: &mut Page, p: &ProgrammeRun, w: &ProgrammeWords) {
    if p.communities.is_empty() {
        return;
    }
    let words = page.w;
    page.open("programme-communities", w.sec_communities);
    let mut g = Grid::new(
        "programme-communities-table",
        &[
            (words.col_community, false),
            (words.col_township, false),
            (w.col_county, false),
            (w.col_designations, false),
            (w.col_join, false),
            (words.col_affected_villages, true),
            (w.col_need, true),
            (w.col_capacity, true),
            (w.col_short, true),
            (w.col_demonstration, false),
            (w.col_site_in_zone, false),
        ],
    )
    .township(1, w.sec_communities);
    for c in &p.communities {
        g.tr(None);
        g.td_name(&c.name);
        g.td(&c.township);
        g.td(&c.county);
        let designations: Vec<&str> = c.designations.iter().map(|d| d.zh()).collect();
        g.td(&designations.join("、"));
        let joins: Vec<&str> = c.join.split('+').map(|j| (w.join)(j)).collect();
        g.td(&joins.join(" + "));
        g.td_num(&count_usize(c.zone_villages));
        g.td_num(&format!(
            "{} / {}",
            amount(c.zone_households),
            amount(c.zone_people)
        ));
        let mut given = Vec::new();
        if let Some(u) = c.capacity_units {
            given.push(format!("{} {}", amount(u), w.unit_units));
        }
        if let Some(m) = c.capacity_m2 {
            given.push(format!("{} {}", amount(m), w.unit_m2));
        }
        let status = (w.capacity)(c.capacity);
        let text = if given.is_empty() {
            status.to_owned()
        } else {
            format!("{}（{status}）", given.join("，"))
        };
        let class = match c.capacity {
            crate::jobs::CapacityStatus::Short => "st-blocked",
            crate::jobs::CapacityStatus::Sufficient => "st-launched",
            _ => "",
        };
        g.td_class(class, &esc(&text));
        let mut short = Vec::new();
        if let Some(u) = c.short_units {
            short.push(format!("{} {}", amount(u), w.unit_units));
        }
        if let Some(m) = c.short_m2 {
            short.push(format!("{} {}", amount(m), w.unit_m2));
        }
        g.td_num(&short.join("，"));
        let demo = (w.demo_status)(&c.demonstration);
        let class = if c.demonstration.flag.is_some() {
            "st-vetoed"
        } else {
            ""
        };
        g.td_class(class, &esc(&demo));
        let zones = c.site_zone_names();
        let class = if c.launch_site_in_zone {
            "st-vetoed"
        } else {
            ""
        };
        g.td_class(class, &esc(&zones.join("、")));
    }
    g.write(page);
    page.close();
}

fn unassigned(page: &mut Page, p: &ProgrammeRun, w: &ProgrammeWords) {
    let words = page.w;
    page.open("unassigned", w.sec_unassigned);
    if p.unassigned.is_empty() {
        page.note(match page.lang {
            crate::report::Lang::ZhCn => "每个村庄都已纳入一个新社区。",
            crate::report::Lang::En => "Every village is in a new community.",
        });
        page.close();
        return;
    }
    let mut g = Grid::new(
        "unassigned-table",
        &[
            (words.col_id, false),
            (words.col_name, false),
            (words.col_township, false),
            (w.col_county, false),
            (words.col_households, true),
            (words.col_people, true),
            (w.col_in_zone, false),
        ],
    )
    .township(2, w.sec_unassigned);
    for v in &p.unassigned {
        g.tr(None);
        g.td(&v.id);
        g.td_name(&v.name);
        g.td(&v.township);
        g.td(&v.county);
        g.td_num(&v.households.to_string());
        g.td_num(&v.population.to_string());
        g.td(if v.in_zone { w.yes } else { w.no });
    }
    g.write(page);
    page.close();
}
