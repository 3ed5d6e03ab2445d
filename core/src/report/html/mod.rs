//! The report as one self-contained HTML page.
//!
//! One file that opens with no network: the style is inline, the map and the sweep chart are
//! inline SVG drawn here from the report's own layers, and there is no script (SVG `<title>`s
//! give the tooltips). Fixed words come from the report's `words` in the chosen language; data (names,
//! reasons, evidence) appear as given, escaped. The page is a pure function of the report:
//! no clock, no paths, no hash-map order, so the same report gives the same bytes.

mod chart;
mod fmt;
mod map;

use std::fmt::Write;

use self::fmt::{count, count_usize, decimals, esc, json_value, metres, plain, score, share};
use super::words::{Words, words};
use super::{Check, CommunityRow, Counts, Lang, LaunchStatus, Report, SiteRow};
use crate::rules::Finding;

const STYLE: &str = include_str!("html/style.css");

/// Renders `report` as one HTML page that opens with no network, with its words in `lang`.
pub fn render_html(report: &Report, lang: Lang) -> String {
    let w = words(lang);
    let mut page = Page {
        w,
        lang,
        toc: Vec::new(),
        body: String::with_capacity(256 * 1024),
    };

    summary(&mut page, report);
    map_section(&mut page, report);
    townships(&mut page, report);
    classes(&mut page, report);
    communities(&mut page, report);
    sites(&mut page, report);
    villages(&mut page, report);
    sweep(&mut page, report);
    plugins(&mut page, report);
    warnings(&mut page, report);

    let mut out = String::with_capacity(page.body.len() + STYLE.len() + 4096);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"hecun {}\">\n<title>{} — {}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        w.html_lang,
        esc(&report.tool_version),
        esc(&report.plan),
        esc(w.report_kind),
        STYLE
    );
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} · {}{}{} · {} hecun {}</p>\n</header>\n",
        esc(&report.plan),
        esc(w.report_kind),
        esc(w.metric_crs),
        w.colon,
        esc(&report.metric_crs),
        esc(w.made_with),
        esc(&report.tool_version)
    );
    let _ = write!(
        out,
        "<nav class=\"toc\"><strong>{}</strong><ol>",
        esc(w.contents)
    );
    for (id, title) in &page.toc {
        let _ = write!(out, "<li><a href=\"#{id}\">{}</a></li>", esc(title));
    }
    out.push_str("</ol></nav>\n");
    out.push_str(&page.body);
    out.push_str("</body>\n</html>\n");
    out
}

/// The page as it is written: the sections so far and the contents list.
struct Page {
    w: &'static Words,
    lang: Lang,
    toc: Vec<(&'static str, &'static str)>,
    body: String,
}

impl Page {
    fn open(&mut self, id: &'static str, title: &'static str) {
        self.toc.push((id, title));
        let _ = write!(
            self.body,
            "<section id=\"{id}\">\n<h2>{}</h2>\n",
            esc(title)
        );
    }

    fn close(&mut self) {
        self.body.push_str("</section>\n");
    }

    /// Opens a section whose content follows when it has any (`true`); when it has none
    /// (`empty`), the section only says `note` and is closed.
    fn open_unless_empty(
        &mut self,
        id: &'static str,
        title: &'static str,
        empty: bool,
        note: &str,
    ) -> bool {
        self.open(id, title);
        if empty {
            self.note(note);
            self.close();
        }
        !empty
    }

    fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p class=\"note\">{}</p>", esc(text));
    }
}

/// A table header; columns named in `num` are right-aligned numbers.
fn thead(out: &mut String, id: &str, cols: &[(&str, bool)]) {
    let _ = write!(out, "<table id=\"{id}\"><thead><tr>");
    for (name, num) in cols {
        let class = if *num { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", esc(name));
    }
    out.push_str("</tr></thead><tbody>\n");
}

fn td(out: &mut String, text: &str) {
    let _ = write!(out, "<td>{}</td>", esc(text));
}

/// A name or id: kept on one line, since a Chinese name broken after each character is
/// unreadable in a narrow column.
fn td_name(out: &mut String, text: &str) {
    let _ = write!(out, "<td class=\"name\">{}</td>", esc(text));
}

fn td_num(out: &mut String, text: &str) {
    let _ = write!(out, "<td class=\"num\">{}</td>", esc(text));
}

/// A cell of HTML already escaped.
fn td_html(out: &mut String, html: &str) {
    let _ = write!(out, "<td>{html}</td>");
}

fn counts_cells(out: &mut String, c: &Counts) {
    td_num(out, &count_usize(c.villages));
    td_num(out, &count(c.households));
    td_num(out, &count(c.population));
}

fn township_name<'a>(w: &'a Words, name: &'a str) -> &'a str {
    if name.is_empty() { w.no_township } else { name }
}

fn layer_name<'a>(w: &'a Words, layer: &'a str) -> &'a str {
    match layer {
        "roads" => w.layer_roads,
        "corridors" => w.layer_corridors,
        other => other,
    }
}

fn status_word(w: &Words, s: LaunchStatus) -> &'static str {
    match s {
        LaunchStatus::Launched => w.st_launched,
        LaunchStatus::Blocked => w.st_blocked,
        LaunchStatus::Vetoed => w.st_vetoed,
        LaunchStatus::Error => w.st_error,
    }
}

fn status_class(s: LaunchStatus) -> &'static str {
    match s {
        LaunchStatus::Launched => "st-launched",
        LaunchStatus::Blocked => "st-blocked",
        LaunchStatus::Vetoed => "st-vetoed",
        LaunchStatus::Error => "st-error",
    }
}

/// A launch status in the plan's terms: blocked and vetoed say by which criteria.
fn status_html(w: &Words, titles: Titles<'_>, check: &Check) -> String {
    let which = match check.status {
        LaunchStatus::Blocked => titles.criteria(check.findings.iter().filter(|f| !f.veto)),
        LaunchStatus::Vetoed => titles.criteria(check.findings.iter().filter(|f| f.veto)),
        _ => Vec::new(),
    };
    let mut out = format!(
        "<span class=\"st {}\">{}</span>",
        status_class(check.status),
        esc(status_word(w, check.status))
    );
    if !which.is_empty() {
        let _ = write!(out, "{}{}", esc(w.colon), which.join(&esc(w.list_sep)));
    }
    out
}

/// Criteria as the plugin that decided `role` (`launch`, `standard`) declares them: its
/// titles and its order.
#[derive(Clone, Copy)]
struct Titles<'a> {
    report: &'a Report,
    lang: Lang,
    role: &'static str,
}

impl<'a> Titles<'a> {
    fn new(page: &Page, report: &'a Report, role: &'static str) -> Self {
        Titles {
            report,
            lang: page.lang,
            role,
        }
    }

    fn title(self, id: &'a str) -> &'a str {
        self.report.criterion_title(self.role, id, self.lang)
    }

    /// The criteria of `findings`, each once (a criterion usually fails for several villages
    /// of a community), titled and escaped, in the plugin's order.
    fn criteria(self, findings: impl Iterator<Item = &'a Finding>) -> Vec<String> {
        self.report
            .criteria_in_order(self.role, findings.map(|f| f.criterion.as_str()))
            .into_iter()
            .map(|id| esc(self.title(id)))
            .collect()
    }

    /// The criterion's title, with its id beside it when the two differ (the id is what the
    /// CSV and JSON outputs carry).
    fn title_html(self, id: &'a str) -> String {
        let title = self.title(id);
        if title == id {
            esc(id)
        } else {
            format!("{} <code class=\"id\">{}</code>", esc(title), esc(id))
        }
    }
}

fn evidence_html(evidence: &std::collections::BTreeMap<String, serde_json::Value>) -> String {
    if evidence.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"evidence\">");
    for (k, v) in evidence {
        let _ = write!(
            out,
            "<li><code>{}</code> = {}</li>",
            esc(k),
            esc(&json_value(v))
        );
    }
    out.push_str("</ul>");
    out
}

fn summary(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("summary", w.sec_summary);
    let t = &report.totals;
    let mut cards: Vec<(&str, String)> = vec![
        (w.villages_in_layer, count_usize(report.villages_in_layer)),
        (w.affected_villages, count_usize(t.affected.villages)),
        (w.affected_households, count(t.affected.households)),
        (w.affected_people, count(t.affected.population)),
    ];
    if t.communities > 0 {
        cards.extend([
            (w.new_communities, count_usize(t.communities)),
            (w.merged_villages, count_usize(t.in_communities.villages)),
            (w.merged_households, count(t.in_communities.households)),
            (w.merged_people, count(t.in_communities.population)),
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
    page.close();
}

fn map_section(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("map-section", w.sec_map);
    match map::map_figure(report, w) {
        Some(fig) => {
            let _ = write!(
                page.body,
                "<figure class=\"map\" id=\"map-figure\">\n{}\n{}\n</figure>\n",
                fig.svg, fig.legend
            );
        }
        None => page.note(w.no_map),
    }
    page.close();
}

fn townships(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.townships.is_empty() {
        return;
    }
    page.open("townships", w.sec_townships);
    let out = &mut page.body;
    thead(
        out,
        "township-table",
        &[
            (w.col_township, false),
            (w.col_villages_in_layer, true),
            (w.col_affected_villages, true),
            (w.col_households, true),
            (w.col_people, true),
            (w.col_communities, true),
            (w.col_launched, true),
            (w.col_blocked, true),
            (w.col_vetoed, true),
            (w.col_demonstration, false),
        ],
    );
    for t in &report.townships {
        out.push_str("<tr>");
        td_name(out, township_name(w, &t.township));
        td_num(out, &count_usize(t.villages_in_layer));
        counts_cells(out, &t.affected);
        td_num(out, &count_usize(t.communities));
        td_num(out, &count_usize(t.launched));
        td_num(out, &count_usize(t.blocked));
        td_num(out, &count_usize(t.vetoed));
        let demo: Vec<String> = t.demonstration.iter().map(|d| esc(d)).collect();
        td_html(out, &demo.join(&esc(w.list_sep)));
        out.push_str("</tr>\n");
    }
    let t = &report.totals;
    out.push_str("</tbody><tfoot><tr>");
    td(out, w.sum);
    td_num(out, &count_usize(report.villages_in_layer));
    counts_cells(out, &t.affected);
    td_num(out, &count_usize(t.communities));
    td_num(out, &count_usize(t.launched));
    td_num(out, &count_usize(t.blocked));
    td_num(out, &count_usize(t.vetoed));
    td_num(out, &count_usize(t.sites_chosen));
    out.push_str("</tr></tfoot></table>\n");
    page.close();
}

fn classes(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.classes.is_empty() {
        return;
    }
    page.open("classes", w.sec_classes);
    let out = &mut page.body;
    thead(
        out,
        "class-table",
        &[
            (w.col_class, false),
            (w.col_layer, false),
            (w.col_width, true),
            (w.col_zones, true),
            (w.col_affected_villages, true),
            (w.col_households, true),
            (w.col_people, true),
        ],
    );
    for c in &report.classes {
        out.push_str("<tr>");
        td_name(out, &c.class);
        td(out, layer_name(w, &c.layer));
        td_num(out, &metres(c.width_m));
        td_num(out, &count_usize(c.zones));
        counts_cells(out, &c.affected);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

fn standard_html(w: &Words, titles: Titles<'_>, c: &CommunityRow) -> String {
    let Some(s) = &c.standard else {
        return esc(w.dash);
    };
    let verdict = match s.check.status {
        LaunchStatus::Launched => {
            format!("<span class=\"st st-launched\">{}</span>", esc(w.std_met))
        }
        LaunchStatus::Error => format!("<span class=\"st st-error\">{}</span>", esc(w.st_error)),
        _ => {
            let missed = titles.criteria(s.check.findings.iter());
            let mut out = format!("<span class=\"st st-blocked\">{}</span>", esc(w.std_missed));
            if !missed.is_empty() {
                let _ = write!(out, "{}{}", esc(w.colon), missed.join(&esc(w.list_sep)));
            }
            out
        }
    };
    if s.standard.is_empty() {
        verdict
    } else {
        format!("{} · {verdict}", esc(&s.standard))
    }
}

fn communities(page: &mut Page, report: &Report) {
    let w = page.w;
    if !page.open_unless_empty(
        "communities",
        w.sec_communities,
        report.communities.is_empty(),
        w.no_communities,
    ) {
        return;
    }
    let launch = Titles::new(page, report, "launch");
    let standard = Titles::new(page, report, "standard");
    let out = &mut page.body;
    thead(
        out,
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
    );
    for (i, c) in report.communities.iter().enumerate() {
        out.push_str("<tr>");
        let _ = write!(
            out,
            "<td class=\"name\"><a href=\"#community-{}\">{}</a></td>",
            i + 1,
            esc(&c.name)
        );
        td_name(out, township_name(w, &c.township));
        counts_cells(out, &c.counts);
        match &c.launch {
            Some(check) => td_html(out, &status_html(w, launch, check)),
            None => td(out, w.dash),
        }
        td_html(out, &standard_html(w, standard, c));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();

    page.open("verdicts", w.sec_verdicts);
    for (i, c) in report.communities.iter().enumerate() {
        verdict_block(&mut page.body, w, (launch, standard), i + 1, c);
    }
    page.close();
}

/// Findings of one criterion with one reason: a launch check usually finds the same failure
/// in several villages of a community, and a row per village buries the verdict.
struct FindingGroup<'a> {
    criterion: &'a str,
    veto: bool,
    reason: &'a str,
    findings: Vec<&'a Finding>,
}

/// Findings grouped by criterion, veto and reason; vetoes first (they decide the verdict),
/// then in the plugin's order of criteria, otherwise in the order the plugin found them.
fn group_findings<'a>(titles: Titles<'_>, findings: &'a [Finding]) -> Vec<FindingGroup<'a>> {
    let mut groups: Vec<FindingGroup<'_>> = Vec::new();
    for f in findings {
        match groups
            .iter_mut()
            .find(|g| g.criterion == f.criterion && g.veto == f.veto && g.reason == f.reason)
        {
            Some(g) => g.findings.push(f),
            None => groups.push(FindingGroup {
                criterion: &f.criterion,
                veto: f.veto,
                reason: &f.reason,
                findings: vec![f],
            }),
        }
    }
    let order = titles
        .report
        .criteria_in_order(titles.role, groups.iter().map(|g| g.criterion));
    groups.sort_by_key(|g| (!g.veto, order.iter().position(|c| *c == g.criterion)));
    groups
}

/// The evidence of a group without losing any of it: keys with one value across the group
/// once; when a single key varies (typically the village), its values as a list; otherwise
/// each finding's varying evidence on its own line.
fn group_evidence_html(w: &Words, group: &FindingGroup<'_>) -> String {
    let first = &group.findings[0].evidence;
    let constant: Vec<&String> = first
        .keys()
        .filter(|k| {
            group
                .findings
                .iter()
                .all(|f| f.evidence.get(k.as_str()) == first.get(k.as_str()))
        })
        .collect();
    let varying: Vec<std::collections::BTreeMap<&String, &serde_json::Value>> = group
        .findings
        .iter()
        .map(|f| {
            f.evidence
                .iter()
                .filter(|(k, _)| !constant.contains(k))
                .collect()
        })
        .collect();
    let mut out = String::from("<ul class=\"evidence\">");
    for k in &constant {
        let _ = write!(
            out,
            "<li><code>{}</code> = {}</li>",
            esc(k),
            esc(&json_value(&first[k.as_str()]))
        );
    }
    let keys: std::collections::BTreeSet<&String> =
        varying.iter().flat_map(|v| v.keys().copied()).collect();
    let single = if keys.len() == 1 && varying.iter().all(|v| v.len() == 1) {
        keys.iter().next().copied()
    } else {
        None
    };
    if let Some(key) = single {
        let mut values: Vec<String> = Vec::new();
        for v in &varying {
            let value = esc(&json_value(v[key]));
            if !values.contains(&value) {
                values.push(value);
            }
        }
        let _ = write!(
            out,
            "<li class=\"wrap\"><code>{}</code> = {}</li>",
            esc(key),
            values.join(&esc(w.list_sep))
        );
    } else if !keys.is_empty() {
        for v in &varying {
            let parts: Vec<String> = v
                .iter()
                .map(|(k, value)| format!("<code>{}</code> = {}", esc(k), esc(&json_value(value))))
                .collect();
            let _ = write!(out, "<li class=\"wrap\">{}</li>", parts.join("; "));
        }
    }
    out.push_str("</ul>");
    out
}

fn findings_table(out: &mut String, w: &Words, titles: Titles<'_>, findings: &[Finding]) {
    let _ = write!(
        out,
        "<table class=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(w.col_criterion),
        esc(w.col_kind),
        esc(w.col_reason),
        esc(w.col_evidence)
    );
    for g in group_findings(titles, findings) {
        out.push_str("<tr>");
        let times = if g.findings.len() > 1 {
            format!(" <small>×{}</small>", g.findings.len())
        } else {
            String::new()
        };
        td_html(out, &format!("{}{times}", titles.title_html(g.criterion)));
        if g.veto {
            td_html(
                out,
                &format!("<span class=\"st st-vetoed\">{}</span>", esc(w.veto)),
            );
        } else {
            td_html(
                out,
                &format!("<span class=\"st st-blocked\">{}</span>", esc(w.not_met)),
            );
        }
        td(out, g.reason);
        td_html(out, &group_evidence_html(w, &g));
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

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

/// Sites best first, then the unscored ones in layer order.
/// Each with its index in the layer, which names its anchor (ids from files may hold spaces).
fn site_order(report: &Report) -> Vec<(usize, &SiteRow)> {
    let mut sites: Vec<(usize, &SiteRow)> = report.sites.iter().enumerate().collect();
    sites.sort_by_key(|(i, s)| (s.rank.is_none(), s.rank.unwrap_or(0), *i));
    sites
}

fn sites(page: &mut Page, report: &Report) {
    let w = page.w;
    if report.sites.is_empty() {
        if report.plugins.iter().any(|p| p.role == "sites") {
            page.open("sites", w.sec_sites);
            page.note(w.no_sites);
            page.close();
        }
        return;
    }
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
    let order = site_order(report);
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
    for &(n, s) in &order {
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
    out.push_str("</tbody></table>\n");
    page.close();

    page.open("site-terms", w.sec_terms);
    let with_terms: Vec<(usize, &SiteRow)> = order
        .iter()
        .copied()
        .filter(|(_, s)| !s.terms.is_empty())
        .collect();
    if with_terms.is_empty() {
        page.note(w.no_terms);
    }
    for (n, s) in with_terms {
        let out = &mut page.body;
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
        out.push_str("</tr></tfoot></table></div>\n");
    }
    page.close();
}

fn villages(page: &mut Page, report: &Report) {
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
        // A road is often several features of one name; list each name and class once.
        let mut seen: Vec<String> = Vec::new();
        for z in &v.zones {
            let name = if z.name.is_empty() { &z.id } else { &z.name };
            let label = format!("{name} ({} {})", z.class, metres(z.width_m));
            if !seen.contains(&label) {
                seen.push(label);
            }
        }
        let zones: Vec<String> = seen.iter().map(|s| esc(s)).collect();
        td_html(out, &zones.join(&esc(w.list_sep)));
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

fn sweep(page: &mut Page, report: &Report) {
    let w = page.w;
    let Some(s) = &report.sweep else { return };
    page.open("sweep", w.sec_sweep);
    let planned = s
        .planned_m
        .map(|p| format!(" · {} {}", w.sweep_planned, metres(p)))
        .unwrap_or_default();
    let _ = writeln!(
        page.body,
        "<p>{}{}{}{}</p>",
        esc(w.sweep_class),
        esc(w.colon),
        esc(&s.class),
        esc(&planned)
    );
    if let Some(chart) = chart::sweep_chart(s, w) {
        let _ = writeln!(page.body, "<div class=\"chart\">{chart}</div>");
    }
    let out = &mut page.body;
    thead(
        out,
        "sweep-table",
        &[
            (w.col_width, true),
            (w.col_affected_villages, true),
            (w.col_households, true),
            (w.col_people, true),
        ],
    );
    for r in &s.rows {
        let is_planned = s.planned_m.is_some_and(|p| (p - r.width_m).abs() < 1e-9);
        let _ = write!(
            out,
            "<tr{}>",
            if is_planned { " class=\"planned\"" } else { "" }
        );
        let width = if is_planned {
            format!("{} ({})", metres(r.width_m), w.sweep_planned)
        } else {
            metres(r.width_m)
        };
        td_num(out, &width);
        counts_cells(out, &r.affected);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

fn plugins(page: &mut Page, report: &Report) {
    let w = page.w;
    if !page.open_unless_empty(
        "plugins",
        w.sec_plugins,
        report.plugins.is_empty(),
        w.no_plugins,
    ) {
        return;
    }
    let out = &mut page.body;
    thead(
        out,
        "plugin-table",
        &[
            (w.col_role, false),
            (w.col_plugin, false),
            (w.col_version, false),
            (w.col_runtime, false),
        ],
    );
    for p in &report.plugins {
        let role = match p.role.as_str() {
            "launch" => w.role_launch,
            "standard" => w.role_standard,
            "sites" => w.role_sites,
            other => other,
        };
        out.push_str("<tr>");
        td(out, role);
        td(out, &p.name);
        td(out, &p.version);
        td(out, &p.runtime);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}

fn warnings(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("warnings", w.sec_warnings);
    if report.warnings.is_empty() {
        page.note(w.no_warnings);
    } else {
        page.body.push_str("<ul class=\"warnings\">");
        for text in &report.warnings {
            let _ = write!(page.body, "<li>{}</li>", esc(text));
        }
        page.body.push_str("</ul>\n");
    }
    page.close();
}

#[cfg(test)]
mod tests;
