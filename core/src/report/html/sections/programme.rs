//! The whole plan: the plan's targets met or missed, the roll-ups per county and 管委会, the
//! new communities with their designations and housing, and the villages in no community —
//! listed, never left to the reader to notice.

use crate::jobs::{ProgrammeRun, RollUp};
use crate::report::Report;
use crate::report::html::fmt::{count_usize, esc};
use crate::report::html::page::Page;
use crate::report::html::table::{td, td_name, td_num, thead};
use crate::report::words::{ProgrammeWords, amount, programme_words};

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
                    actual.push_str(&format!("（{}）", g.missed_by.join("、")));
                }
                td_num(out, &actual);
            }
            _ => {
                td_num(out, &g.target.to_string());
                td_num(out, &amount(g.actual));
            }
        }
        let class = if g.met { "st-pass" } else { "st-fail" };
        out.push_str(&format!(
            "<td class=\"{class}\">{}</td>",
            esc(if g.met { w.met } else { w.missed })
        ));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

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
    let out = &mut page.body;
    thead(
        out,
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
        out.push_str("<tr>");
        td_name(
            out,
            if r.name.is_empty() {
                w.unknown_county
            } else {
                &r.name
            },
        );
        td_num(out, &count_usize(r.townships));
        td_num(out, &count_usize(r.communities));
        td_num(out, &count_usize(r.villages));
        td_num(out, &count_usize(r.unassigned));
        td_num(out, &count_usize(r.zone_villages));
        td_num(out, &amount(r.households));
        td_num(out, &amount(r.people));
        td_num(out, &count_usize(r.launchable));
        td_num(out, &count_usize(r.blocked));
        td_num(out, &count_usize(r.vetoed));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

fn communities(page: &mut Page, p: &ProgrammeRun, w: &ProgrammeWords) {
    if p.communities.is_empty() {
        return;
    }
    let words = page.w;
    page.open("programme-communities", w.sec_communities);
    let out = &mut page.body;
    thead(
        out,
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
        ],
    );
    for c in &p.communities {
        out.push_str("<tr>");
        td_name(out, &c.name);
        td(out, &c.township);
        td(out, &c.county);
        let designations: Vec<&str> = c.designations.iter().map(|d| d.zh()).collect();
        td(out, &designations.join("、"));
        let joins: Vec<&str> = c.join.split('+').map(|j| (w.join)(j)).collect();
        td(out, &joins.join(" + "));
        td_num(out, &count_usize(c.zone_villages));
        td_num(
            out,
            &format!("{} / {}", amount(c.zone_households), amount(c.zone_people)),
        );
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
            crate::jobs::CapacityStatus::Short => "st-fail",
            crate::jobs::CapacityStatus::Sufficient => "st-pass",
            _ => "",
        };
        out.push_str(&format!("<td class=\"{class}\">{}</td>", esc(&text)));
        let mut short = Vec::new();
        if let Some(u) = c.short_units {
            short.push(format!("{} {}", amount(u), w.unit_units));
        }
        if let Some(m) = c.short_m2 {
            short.push(format!("{} {}", amount(m), w.unit_m2));
        }
        td_num(out, &short.join("，"));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
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
    let out = &mut page.body;
    thead(
        out,
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
    );
    for v in &p.unassigned {
        out.push_str("<tr>");
        td(out, &v.id);
        td_name(out, &v.name);
        td(out, &v.township);
        td(out, &v.county);
        td_num(out, &v.households.to_string());
        td_num(out, &v.population.to_string());
        td(out, if v.in_zone { w.yes } else { w.no });
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}
