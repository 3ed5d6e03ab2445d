//! The candidate sites: a table best first, then each score term by term.

use std::fmt::Write;

use crate::report::html::findings::evidence_html;
use crate::report::html::fmt::{count_usize, decimals, esc, plain, score};
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::html::table::{td, td_html, td_name, td_num, thead};
use crate::report::words::Words;
use crate::report::{Report, SiteRow};

/// Sites best first, then the unscored ones in layer order.
/// Each with its index in the layer, which names its anchor (ids from files may hold spaces).
fn site_order(report: &Report) -> Vec<(usize, &SiteRow)> {
    let mut sites: Vec<(usize, &SiteRow)> = report.sites.iter().enumerate().collect();
    sites.sort_by_key(|(i, s)| (s.rank.is_none(), s.rank.unwrap_or(0), *i));
    sites
}

pub(super) fn sites(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.sites.is_empty() {
        if report.plugins.iter().any(|p| p.role == "sites") {
            page.open("sites", w.sec_sites);
            page.note(w.no_sites);
            page.close();
        }
        return;
    }
    let order = site_order(report);
    site_table(page, report, &order);
    site_terms(page, &order);
}

/// Every site, best first: its rank, score and whether it was chosen, or why it was excluded.
fn site_table(page: &mut Page, report: &Report, order: &[(usize, &SiteRow)]) {
    let w = page.w;
    page.open("sites", w.sec_sites);
    if let Some(top) = report.top {
        let _ = writeln!(
            page.body,
            "<p>{}{}{}</p>",
            esc(w.top_per_township),
            esc(w.colon),
            count_usize(top)
        );
    }
    if let Some(c) = &report.choice {
        let _ = writeln!(page.body, "<p>{}</p>", esc(&(w.txt_choice)(c)));
    }
    let out = &mut page.body;
    thead(
        out,
        "site-table",
        &[
            (w.col_rank, true),
            (w.col_id, false),
            (w.col_name, false),
            (w.col_township, false),
            (w.col_score, true),
            (w.col_rank_in_township, true),
            (w.col_chosen, false),
            (w.col_excluded, false),
        ],
    );
    for &(n, s) in order {
        site_row(out, w, n, s);
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

fn site_row(out: &mut String, w: &Words, n: usize, s: &SiteRow) {
    let _ = write!(
        out,
        "<tr{}>",
        if s.chosen {
            " class=\"chosen-row\""
        } else {
            ""
        }
    );
    td_num(out, &s.rank.map_or(w.dash.to_owned(), |r| r.to_string()));
    td_name(out, &s.id);
    if s.terms.is_empty() {
        td_name(out, &s.name);
    } else {
        let _ = write!(
            out,
            "<td class=\"name\"><a href=\"#site-{}\">{}</a></td>",
            n + 1,
            esc(&s.name)
        );
    }
    td_name(out, township_name(w, &s.township));
    td_num(out, &s.score.map_or(w.dash.to_owned(), score));
    td_num(
        out,
        &s.rank_in_township
            .map_or(w.dash.to_owned(), |r| r.to_string()),
    );
    if s.chosen {
        td_html(
            out,
            &format!("<span class=\"chosen\">★ {}</span>", esc(w.yes)),
        );
    } else {
        td(out, "");
    }
    let mut why = String::new();
    if let Some(x) = &s.excluded {
        let _ = write!(why, "{}{}", esc(&x.reason), evidence_html(&x.evidence));
    }
    if let Some(e) = &s.error {
        let _ = write!(
            why,
            "<span class=\"st st-error\">{}{}{}</span>",
            esc(w.score_error),
            esc(w.colon),
            esc(e)
        );
    }
    td_html(out, &why);
    out.push_str("</tr>\n");
}

/// Each scored site's terms: weight, value and contribution, adding up to its score.
fn site_terms(page: &mut Page, order: &[(usize, &SiteRow)]) {
    let w = page.w;
    page.open("site-terms", w.sec_terms);
    let with_terms: Vec<(usize, &SiteRow)> = order
        .iter()
        .copied()
        .filter(|(_, s)| !s.terms.is_empty() || !s.evidence.is_empty())
        .collect();
    if with_terms.is_empty() {
        page.note(w.no_terms);
    }
    for (n, s) in with_terms {
        terms_block(&mut page.body, w, n, s);
    }
    page.close();
}

fn terms_block(out: &mut String, w: &Words, n: usize, s: &SiteRow) {
    let _ = write!(
        out,
        "<div class=\"terms\" id=\"site-{}\"><h3>{} <small>({} · {})</small>",
        n + 1,
        esc(&s.name),
        esc(&s.id),
        esc(township_name(w, &s.township))
    );
    if let Some(sc) = s.score {
        let _ = write!(out, " — {} {}", esc(w.col_score), score(sc));
    }
    if s.chosen {
        let _ = write!(out, " <span class=\"chosen\">★</span>");
    }
    out.push_str("</h3>");
    thead(
        out,
        &format!("terms-{}", n + 1),
        &[
            (w.col_term, false),
            (w.col_weight, true),
            (w.col_value, true),
            (w.col_contribution, true),
        ],
    );
    let mut sum = 0.0;
    for t in &s.terms {
        out.push_str("<tr>");
        td(out, &t.name);
        td_num(out, &plain(t.weight));
        td_num(out, &decimals(t.value, 3));
        td_num(out, &score(t.contribution()));
        out.push_str("</tr>");
        sum += t.contribution();
    }
    out.push_str("</tbody><tfoot><tr>");
    td(out, w.sum);
    td(out, "");
    td(out, "");
    td_num(out, &score(sum));
    out.push_str("</tr></tfoot></table>");
    // The evidence the plugin gave for the score, under its terms.
    out.push_str(&evidence_html(&s.evidence));
    out.push_str("</div>\n");
}
