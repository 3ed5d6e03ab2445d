//! The candidate sites: a table best first, then each score term by term.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::report::html::findings::{EvidenceWords, VillageNames, evidence_html};
use crate::report::html::fmt::{count_usize, decimals, esc, plain, score};
use crate::report::html::grid::Grid;
use crate::report::html::names::township_name;
use crate::report::html::page::Page;
use crate::report::html::paged::details;
use crate::report::html::table::{td, td_html, td_num, thead};
use crate::report::numbers::thousands;
use crate::report::words::Words;
use crate::report::{Choice, PluginRow, Report, ScoringSection, SiteRow};

/// One scoring's section: its rows, how it chose, and the anchors and headings that keep it
/// apart from the others on the page.
struct Scoring<'a> {
    /// The run's report: the titles its plugins give terms and evidence keys.
    report: &'a Report,
    /// The villages' names its evidence is told with.
    names: &'a VillageNames<'a>,
    /// The measurement each term is computed from, as the plugin that scored declares it
    /// (`[[terms]] measure`): where its distance is shown.
    measures: Measures<'a>,
    rows: &'a [SiteRow],
    top: Option<usize>,
    choice: Option<&'a Choice>,
    /// The section's anchor (`sites`, `scoring-NAME`); its table, terms and rows derive theirs.
    id: String,
    /// The prefix of each row's anchor (`site`: `#site-3`).
    row: String,
    heading: std::borrow::Cow<'static, str>,
    terms_heading: std::borrow::Cow<'static, str>,
}

/// Term name → the measurement it is computed from (`town_centre` → `town_distance`).
type Measures<'a> = BTreeMap<&'a str, &'a str>;

/// The measures the terms of `plugin` (a plugin of the run) are computed from; none when the
/// report does not list it or it declares none.
fn measures_of<'a>(plugin: Option<&'a PluginRow>) -> Measures<'a> {
    plugin
        .into_iter()
        .flat_map(|p| &p.terms)
        .filter_map(|t| Some((t.id.as_str(), t.measure.as_deref()?)))
        .collect()
}

/// Sites best first, then the unscored ones in layer order.
/// Each with its index in the layer, which names its anchor (ids from files may hold spaces).
fn site_order(rows: &[SiteRow]) -> Vec<(usize, &SiteRow)> {
    let mut sites: Vec<(usize, &SiteRow)> = rows.iter().enumerate().collect();
    sites.sort_by_key(|(i, s)| (s.rank.is_none(), s.rank.unwrap_or(0), *i));
    sites
}

pub(super) fn sites(page: &mut Page, report: &Report, names: &VillageNames<'_>) {
    let w = page.w;
    if report.sites.is_empty() {
        if report.plugins.iter().any(|p| p.role == "sites") {
            page.open("sites", w.sec_sites);
            page.note(w.no_sites);
            page.close();
        }
        return;
    }
    let scoring = Scoring {
        report,
        names,
        measures: measures_of(report.plugins.iter().find(|p| p.role == "sites")),
        rows: &report.sites,
        top: report.top,
        choice: report.choice.as_ref(),
        id: "sites".to_owned(),
        row: "site".to_owned(),
        heading: w.sec_sites.into(),
        terms_heading: w.sec_terms.into(),
    };
    section(page, &scoring);
}

/// A named scoring job's section, under its title (`[[scorings]]`).
pub(super) fn scoring(
    page: &mut Page,
    report: &Report,
    names: &VillageNames<'_>,
    job: &ScoringSection,
) {
    let w = page.w;
    let title = job.title(page.lang).to_owned();
    let scoring = Scoring {
        report,
        names,
        // The job's plugin, when the run lists it (as the sites' plugin).
        measures: measures_of(
            report
                .plugins
                .iter()
                .find(|p| p.role == "sites" && p.name == job.plugin),
        ),
        rows: &job.sites,
        top: job.top,
        choice: job.choice.as_ref(),
        id: format!("scoring-{}", job.name),
        row: format!("scoring-{}-site", job.name),
        terms_heading: format!("{title}{}{}", w.colon, w.sec_terms).into(),
        heading: title.into(),
    };
    if job.sites.is_empty() {
        page.open(scoring.id.clone(), scoring.heading.clone());
        page.note(w.no_sites);
        page.close();
        return;
    }
    section(page, &scoring);
}

fn section(page: &mut Page, scoring: &Scoring<'_>) {
    let order = site_order(scoring.rows);
    site_table(page, scoring, &order);
    site_terms(page, scoring, &order);
}

/// Every site, best first: its rank, score and whether it was chosen, or why it was excluded.
fn site_table(page: &mut Page, scoring: &Scoring<'_>, order: &[(usize, &SiteRow)]) {
    let w = page.w;
    page.open(scoring.id.clone(), scoring.heading.clone());
    if let Some(top) = scoring.top {
        let _ = writeln!(
            page.body,
            "<p>{}{}{}</p>",
            esc(w.top_per_township),
            esc(w.colon),
            count_usize(top)
        );
    }
    if let Some(c) = scoring.choice {
        let _ = writeln!(page.body, "<p>{}</p>", esc(&(w.txt_choice)(c)));
    }
    let mut g = Grid::new(
        &if scoring.id == "sites" {
            "site-table".to_owned()
        } else {
            format!("{}-table", scoring.id)
        },
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
    )
    .township(3, &scoring.heading);
    let keys = EvidenceWords::new(scoring.report, scoring.names, w, page.lang, "sites");
    for &(n, s) in order {
        site_row(&mut g, w, keys, &scoring.row, n, s);
    }
    g.write(page);
    page.close();
}

fn site_row(g: &mut Grid, w: &Words, keys: EvidenceWords<'_>, anchor: &str, n: usize, s: &SiteRow) {
    g.tr(if s.chosen { Some("chosen-row") } else { None });
    g.td_num(&s.rank.map_or(w.dash.to_owned(), |r| r.to_string()));
    g.td_name(&s.id);
    if s.terms.is_empty() {
        g.td_name(&s.name);
    } else {
        g.td_class(
            "name",
            &format!("<a href=\"#{anchor}-{}\">{}</a>", n + 1, esc(&s.name)),
        );
    }
    g.td_name(township_name(w, &s.township));
    g.td_num(&s.score.map_or(w.dash.to_owned(), score));
    g.td_num(
        &s.rank_in_township
            .map_or(w.dash.to_owned(), |r| r.to_string()),
    );
    if s.chosen {
        g.td_html(&format!("<span class=\"chosen\">★ {}</span>", esc(w.yes)));
    } else {
        g.td("");
    }
    let mut why = String::new();
    if let Some(x) = &s.excluded {
        let _ = write!(
            why,
            "{}{}",
            esc(x.reason_in(keys.tag())),
            evidence_html(keys, &x.evidence)
        );
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
    g.td_html(&why);
}

/// Each scored site's terms: weight, value and contribution, adding up to its score.
fn site_terms(page: &mut Page, scoring: &Scoring<'_>, order: &[(usize, &SiteRow)]) {
    let w = page.w;
    let id = if scoring.id == "sites" {
        "site-terms".to_owned()
    } else {
        format!("{}-terms", scoring.id)
    };
    page.open(id, scoring.terms_heading.clone());
    let with_terms: Vec<(usize, &SiteRow)> = order
        .iter()
        .copied()
        .filter(|(_, s)| !s.terms.is_empty() || !s.evidence.is_empty())
        .collect();
    if with_terms.is_empty() {
        page.note(w.no_terms);
    }
    let keys = EvidenceWords::new(scoring.report, scoring.names, w, page.lang, "sites");
    if page.large && !with_terms.is_empty() {
        // A block per site at province scale is thousands of tables: each is shown when its
        // name is clicked (`#site-N`), one at a time.
        let blocks = with_terms
            .into_iter()
            .map(|(n, s)| {
                let mut html = String::new();
                terms_block(&mut html, w, keys, &scoring.measures, &scoring.row, n, s);
                (format!("{}-{}", scoring.row, n + 1), html)
            })
            .collect();
        details(page, &format!("{}-terms", scoring.id), blocks);
    } else {
        for (n, s) in with_terms {
            terms_block(
                &mut page.body,
                w,
                keys,
                &scoring.measures,
                &scoring.row,
                n,
                s,
            );
        }
    }
    page.close();
}

fn terms_block(
    out: &mut String,
    w: &Words,
    keys: EvidenceWords<'_>,
    measures: &Measures<'_>,
    anchor: &str,
    n: usize,
    s: &SiteRow,
) {
    let _ = write!(
        out,
        "<div class=\"terms\" id=\"{anchor}-{}\"><h3>{} <small>({} · {})</small>",
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
    // The measurement each of the site's terms is computed from, where its plugin says so:
    // the distance goes on the term's row, beside the value it became.
    let claimed: Vec<Option<&str>> = s
        .terms
        .iter()
        .map(|t| measures.get(t.name.as_str()).copied())
        .collect();
    let with_measures = claimed.iter().any(Option::is_some);
    let mut cols = vec![(w.col_term, false), (w.col_weight, true)];
    if with_measures {
        cols.push((w.col_measured, true));
    }
    cols.extend([(w.col_value, true), (w.col_contribution, true)]);
    thead(
        out,
        &if anchor == "site" {
            format!("terms-{}", n + 1)
        } else {
            format!("{anchor}-terms-{}", n + 1)
        },
        &cols,
    );
    let mut sum = 0.0;
    for (t, measure) in s.terms.iter().zip(&claimed) {
        out.push_str("<tr>");
        // The plugin's title for the term (`[[terms]]`), its name as the tooltip.
        match keys.term_title(&t.name) {
            Some(title) => td_html(
                out,
                &format!("<span title=\"{}\">{}</span>", esc(&t.name), esc(title)),
            ),
            None => td(out, &t.name),
        }
        td_num(out, &plain(t.weight));
        if with_measures {
            measured_cell(out, w, s, *measure);
        }
        td_num(out, &decimals(t.value, 3));
        td_num(out, &score(t.contribution()));
        out.push_str("</tr>");
        sum += t.contribution();
    }
    out.push_str("</tbody><tfoot><tr>");
    td(out, w.sum);
    td(out, "");
    if with_measures {
        td(out, "");
    }
    td(out, "");
    td_num(out, &score(sum));
    out.push_str("</tr></tfoot></table>");
    // The distances hecun measured that no term claims, under the table.
    let claimed: Vec<&str> = claimed.into_iter().flatten().collect();
    measured_html(out, w, s, &claimed);
    // The evidence the plugin gave for the score, under its terms.
    out.push_str(&evidence_html(keys, &s.evidence));
    out.push_str("</div>\n");
}

/// A distance as the page says it: whole metres with a thousands separator (`1,240 m`).
fn metres(d: f64) -> String {
    format!("{} m", thousands(d.round().max(0.0) as u64))
}

/// The cell of a term's row holding the distance `measure` it is computed from, titled; a
/// dash for a term computed from nothing hecun measured, or from a distance that could not be
/// measured for this site (no township centre).
fn measured_cell(out: &mut String, w: &Words, s: &SiteRow, measure: Option<&str>) {
    let Some(name) = measure else {
        td_num(out, w.dash);
        return;
    };
    let title = w
        .measured_titles
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, t)| *t);
    let text = s
        .measured
        .get(name)
        .map_or(w.dash.to_owned(), |d| metres(*d));
    let _ = write!(
        out,
        "<td class=\"num\" data-measure=\"{}\" title=\"{}\">{}</td>",
        esc(name),
        esc(title),
        esc(&text)
    );
}

/// The distances hecun measured for a scored site (metres, whole), each with its title, but
/// those in `claimed` (shown on their term's row): a term's value (0.62) reads right only
/// beside the distance it came from (1,240 m).
fn measured_html(out: &mut String, w: &Words, s: &SiteRow, claimed: &[&str]) {
    if s.measured.is_empty() || s.terms.is_empty() {
        return;
    }
    let items: Vec<String> = w
        .measured_titles
        .iter()
        .filter(|(name, _)| !claimed.contains(name))
        .filter_map(|(name, title)| {
            let d = s.measured.get(*name)?;
            Some(format!(
                "<span data-measure=\"{name}\">{} {}</span>",
                esc(title),
                metres(*d)
            ))
        })
        .collect();
    if items.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<p class=\"measured\">{}{}{}</p>",
        esc(w.measured_intro),
        esc(w.colon),
        items.join(" · ")
    );
}
