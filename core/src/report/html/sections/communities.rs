//! The communities: a table of their verdicts, then each verdict explained finding by finding.

use std::fmt::Write;

use crate::report::html::criteria::Titles;
use crate::report::html::findings::{VillageNames, findings_table};
use crate::report::html::fmt::{count, esc};
use crate::report::html::grid::Grid;
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::html::paged::details;
use crate::report::html::status::{standard_html, status_class, status_html};
use crate::report::words::Words;
use crate::report::{Check, CommunityRow, Report};

pub(super) fn communities(page: &mut Page, report: &Report, names: &VillageNames<'_>) {
    let w = page.w;
    if !page.open_unless_empty(
        "communities",
        w.sec_communities,
        report.communities.is_empty(),
        w.no_communities,
    ) {
        return;
    }
    // A launch field missing from every village makes every community fail the criteria
    // reading it: said first, before the table that would otherwise read as the villages'
    // state.
    for m in &report.launch_fields_missing {
        let _ = writeln!(
            page.body,
            "<p class=\"alert\" data-field=\"{}\">{}</p>",
            esc(&m.field),
            esc(&(w.launch_field_missing)(&m.field, &m.tried, &m.file))
        );
    }
    let titles = (
        Titles::new(page, report, names, "launch"),
        Titles::new(page, report, names, "standard"),
    );
    community_table(w, titles, &report.communities).write(page);
    page.close();

    page.open("verdicts", w.sec_verdicts);
    if page.large {
        // A block per community is tens of thousands of elements at province scale: each is
        // shown when its name is clicked (`#community-N`), one at a time.
        let blocks = report
            .communities
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut html = String::new();
                verdict_block(&mut html, w, titles, i + 1, c);
                (format!("community-{}", i + 1), html)
            })
            .collect();
        details(page, "verdicts", blocks);
    } else {
        for (i, c) in report.communities.iter().enumerate() {
            verdict_block(&mut page.body, w, titles, i + 1, c);
        }
    }
    page.close();
}

/// A row per community: its counts, its launch status and its planning standard, its name
/// linking to its verdict below.
fn community_table(
    w: &Words,
    (launch, standard): (Titles<'_>, Titles<'_>),
    communities: &[CommunityRow],
) -> Grid {
    let mut g = Grid::new(
        "community-table",
        &[
            (w.col_community, false),
            (w.col_township, false),
            (w.col_villages, true),
            (w.col_households, true),
            (w.col_people, true),
            (w.col_launch, false),
            (w.col_standard, false),
        ],
    )
    .township(1, w.sec_communities);
    for (i, c) in communities.iter().enumerate() {
        g.tr(None);
        g.td_class(
            "name",
            &format!("<a href=\"#community-{}\">{}</a>", i + 1, esc(&c.name)),
        );
        g.td_name(township_name(w, &c.township));
        g.counts(&c.counts);
        match &c.launch {
            Some(check) => g.td_html(&status_html(w, launch, check)),
            None => g.td(w.dash),
        }
        g.td_html(&standard_html(w, standard, c));
    }
    g
}

/// One community's verdict explained: its villages and counts, then its launch check and its
/// planning standard, finding by finding.
fn verdict_block(
    out: &mut String,
    w: &Words,
    (launch, standard): (Titles<'_>, Titles<'_>),
    n: usize,
    c: &CommunityRow,
) {
    let box_class = c.launch.as_ref().map_or(String::new(), |l| {
        format!(" {}-box", status_class(l.status))
    });
    let _ = write!(
        out,
        "<div class=\"verdict{box_class}\" id=\"community-{n}\"><h3>{} <small>({})</small>",
        esc(&c.name),
        esc(township_name(w, &c.township))
    );
    if let Some(l) = &c.launch {
        let _ = write!(out, " — {}", status_html(w, launch, l));
    }
    out.push_str("</h3>\n");
    let villages: Vec<String> = c.villages.iter().map(|v| esc(v)).collect();
    let _ = writeln!(
        out,
        "<p class=\"note\">{}{}{} · {} {} · {} {}</p>",
        esc(w.merged_villages),
        esc(w.colon),
        villages.join(&esc(w.list_sep)),
        esc(w.col_households),
        count(c.counts.households),
        esc(w.col_people),
        count(c.counts.population)
    );
    match &c.launch {
        None => {
            let _ = writeln!(out, "<p>{}</p>", esc(w.no_check));
        }
        Some(check) => check_body(out, w, launch, check, w.all_met),
    }
    if let Some(s) = &c.standard {
        let _ = writeln!(
            out,
            "<p><strong>{}</strong>{}{}</p>",
            esc(w.col_standard),
            esc(w.colon),
            standard_html(w, standard, c)
        );
        if s.check.error.is_some() || !s.check.findings.is_empty() {
            check_body(out, w, standard, &s.check, "");
        }
    }
    out.push_str("</div>\n");
}

/// A check's error and findings; when it found nothing, `all_met` (unless empty).
fn check_body(out: &mut String, w: &Words, titles: Titles<'_>, check: &Check, all_met: &str) {
    if let Some(e) = &check.error {
        let _ = writeln!(
            out,
            "<p class=\"st st-error\">{}{}{}</p>",
            esc(w.check_error),
            esc(w.colon),
            esc(e)
        );
    }
    if !check.findings.is_empty() {
        findings_table(out, w, titles, &check.findings);
    } else if check.error.is_none() && !all_met.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(all_met));
    }
}
