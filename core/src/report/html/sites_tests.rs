//! The evidence's village names, from the page being rendered; a site's terms beside the
//! distances they were computed from.

use std::collections::BTreeMap;

use super::render_html;
use super::tests::sample;
use crate::report::{Lang, PluginRow, Report, ScoringSection};
use crate::rules::TermTitle;

/// The "blocked community"'s launch finding names village `id` in its evidence.
fn naming(mut report: Report, id: &str) -> Report {
    report.communities[1].launch.as_mut().unwrap().findings[0]
        .evidence
        .insert("village".to_owned(), serde_json::json!(id));
    report
}

/// The evidence's `village = …` item of the blocked community's launch finding.
fn village_item(html: &str) -> &str {
    let at = html
        .find("<span class=\"key\" title=\"village\">")
        .expect("a village in the evidence");
    let item = &html[at..];
    &item[..item.find("</li>").unwrap()]
}

/// A village in evidence is named as the report being rendered names it: the map's villages
/// (every village), else the affected ones; a name that only repeats the code is not said.
/// Pages rendered one after the other on one thread each use their own report's names.
#[test]
fn evidence_names_villages_from_the_report_being_rendered() {
    let first = naming(sample(), "V2");
    let mut renamed = naming(sample(), "V2");
    let map = renamed.map.as_mut().unwrap();
    map.villages.iter_mut().find(|v| v.id == "V2").unwrap().name = "新名村".to_owned();
    for _ in 0..2 {
        let a = render_html(&first, Lang::ZhCn);
        assert!(
            village_item(&a).ends_with("= V2 村2"),
            "{}",
            village_item(&a)
        );
        let b = render_html(&renamed, Lang::ZhCn);
        assert!(
            village_item(&b).ends_with("= V2 新名村"),
            "{}",
            village_item(&b)
        );
    }
    // No map: the affected villages' names.
    let mut no_map = naming(sample(), "V2");
    no_map.map = None;
    no_map
        .villages
        .iter_mut()
        .find(|v| v.id == "V2")
        .unwrap()
        .name = "表中村".to_owned();
    let html = render_html(&no_map, Lang::ZhCn);
    assert!(
        village_item(&html).ends_with("= V2 表中村"),
        "{}",
        village_item(&html)
    );
    // A village the report does not know, or whose name is its code: the code alone.
    let html = render_html(&naming(sample(), "V99"), Lang::ZhCn);
    assert!(
        village_item(&html).ends_with("= V99"),
        "{}",
        village_item(&html)
    );
    let mut coded = naming(sample(), "V2");
    for v in &mut coded.map.as_mut().unwrap().villages {
        v.name = v.id.clone();
    }
    let html = render_html(&coded, Lang::ZhCn);
    assert!(
        village_item(&html).ends_with("= V2"),
        "{}",
        village_item(&html)
    );
}

/// A site-score plugin row named `name` (role `sites`) whose terms are computed from
/// `measures` (term → measurement).
fn scorer(name: &str, measures: &[(&str, &str)]) -> PluginRow {
    PluginRow {
        role: "sites".to_owned(),
        name: name.to_owned(),
        version: "1".to_owned(),
        runtime: "rhai".to_owned(),
        criteria: Vec::new(),
        terms: measures
            .iter()
            .map(|(id, m)| TermTitle {
                id: (*id).to_owned(),
                title: BTreeMap::from([("zh-CN".to_owned(), format!("项{id}"))]),
                measure: Some((*m).to_owned()),
            })
            .collect(),
        evidence: BTreeMap::new(),
        edition: None,
    }
}

/// The block of terms with anchor `id`, up to its end.
fn block<'a>(html: &'a str, id: &str) -> &'a str {
    let b = &html[html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("{id}"))..];
    &b[..b.find("</div>").unwrap()]
}

/// The row of term `name` in `block`.
fn term_row<'a>(block: &'a str, name: &str) -> &'a str {
    let r = &block[block
        .find(&format!("<tr><td><span title=\"{name}\">"))
        .or_else(|| block.find(&format!("<tr><td>{name}</td>")))
        .unwrap_or_else(|| panic!("row of {name} in {block}"))..];
    &r[..r.find("</tr>").unwrap()]
}

/// The cells of a row, as written.
fn cells(row: &str) -> Vec<&str> {
    row.split("<td")
        .skip(1)
        .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
        .collect()
}

/// Issue 15: a term whose plugin declares the measurement it is computed from shows that
/// distance on its row (测得距离, between weight and value); a term computed from nothing
/// measured shows a dash, as does a distance the site lacks; the distances no term claims stay
/// in the line under the table.
#[test]
fn a_terms_distance_is_on_its_own_row() {
    let mut report = sample();
    report
        .plugins
        .push(scorer("site-score", &[("road_access", "road_distance")]));
    report.sites[0].measured = BTreeMap::from([
        ("road_distance".to_owned(), 1240.4),
        ("town_distance".to_owned(), 880.6),
    ]);
    let zh = render_html(&report, Lang::ZhCn);
    let s1 = block(&zh, "site-1");
    // Between the weight and the value.
    assert!(
        s1.contains(
            "<th>评分项</th><th class=\"num\">权重</th><th class=\"num\">测得距离</th>\
             <th class=\"num\">取值</th><th class=\"num\">贡献（权重×取值）</th>"
        ),
        "{s1}"
    );
    let road = cells(term_row(s1, "road_access"));
    assert_eq!(road.len(), 5, "{road:?}");
    assert_eq!(road[2], "1,240 m");
    assert!(
        term_row(s1, "road_access").contains(
            "<td class=\"num\" data-measure=\"road_distance\" title=\"距最近道路\">1,240 m</td>"
        ),
        "{s1}"
    );
    // The value beside it is the term's own.
    assert_eq!(road[3], "0.900");
    let flood = cells(term_row(s1, "flood_risk"));
    assert_eq!((flood.len(), flood[2]), (5, "—"), "{flood:?}");
    // The sum row keeps its columns.
    let foot = &s1[s1.find("<tfoot>").unwrap()..];
    assert_eq!(foot.matches("<td").count(), 5, "{foot}");
    // Claimed by its term: not under the table; the unclaimed distance still is.
    let line = &s1[s1
        .find("class=\"measured\"")
        .expect("the line under the table")..];
    assert!(
        line.contains(
            "<span data-measure=\"town_distance\">距镇区中心（乡镇几何中心） 881 m</span>"
        )
    );
    assert!(!line.contains("road_distance"), "{line}");

    // A site without that distance: a dash in its place, and no line.
    let s2 = block(&zh, "site-2");
    assert!(
        term_row(s2, "road_access").contains(
            "<td class=\"num\" data-measure=\"road_distance\" title=\"距最近道路\">—</td>"
        ),
        "{s2}"
    );
    assert!(!s2.contains("class=\"measured\""));

    let en = render_html(&report, Lang::En);
    let s1 = block(&en, "site-1");
    assert!(
        s1.contains("<th class=\"num\">Measured distance</th>"),
        "{s1}"
    );
    assert!(
        s1.contains("title=\"to the nearest road\">1,240 m</td>"),
        "{s1}"
    );

    // Every distance claimed: no line under the table.
    let mut all = report.clone();
    all.sites[0].terms[1].name = "town_centre".to_owned();
    all.plugins.pop();
    all.plugins.push(scorer(
        "site-score",
        &[
            ("road_access", "road_distance"),
            ("town_centre", "town_distance"),
        ],
    ));
    let zh = render_html(&all, Lang::ZhCn);
    let s1 = block(&zh, "site-1");
    assert_eq!(cells(term_row(s1, "town_centre"))[2], "881 m");
    assert!(!s1.contains("class=\"measured\""), "{s1}");

    // No plugin of the run declares a measure: the table as before, the distances under it.
    let zh = render_html(&sample_with_distances(), Lang::ZhCn);
    let s1 = block(&zh, "site-1");
    assert!(!s1.contains("测得距离") && !s1.contains("<td class=\"num\" data-measure"));
    assert_eq!(cells(term_row(s1, "road_access")).len(), 4);
    assert!(s1.contains("<span data-measure=\"road_distance\">距最近道路 1,240 m</span>"));
}

fn sample_with_distances() -> Report {
    let mut report = sample();
    report.sites[0].measured = BTreeMap::from([("road_distance".to_owned(), 1240.4)]);
    report
}

/// A named scoring job's terms take the measures its own plugin declares (the run's sites
/// plugin of that name), not another plugin's.
#[test]
fn a_scoring_jobs_terms_take_their_own_plugins_measures() {
    let mut report = sample_with_distances();
    report
        .plugins
        .push(scorer("site-score", &[("road_access", "road_distance")]));
    let job = |plugin: &str| ScoringSection {
        name: "job".to_owned(),
        title: BTreeMap::from([("zh-CN".to_owned(), "选址".to_owned())]),
        plugin: plugin.to_owned(),
        layer: "sites".to_owned(),
        sites: report.sites.clone(),
        top: Some(1),
        choice: None,
    };
    let mut same = report.clone();
    same.scorings = vec![job("site-score")];
    let zh = render_html(&same, Lang::ZhCn);
    let s1 = block(&zh, "scoring-job-site-1");
    assert_eq!(cells(term_row(s1, "road_access"))[2], "1,240 m");
    let mut other = report.clone();
    other.scorings = vec![job("other-score")];
    let zh = render_html(&other, Lang::ZhCn);
    let s1 = block(&zh, "scoring-job-site-1");
    assert_eq!(cells(term_row(s1, "road_access")).len(), 4, "{s1}");
    assert!(s1.contains("<span data-measure=\"road_distance\">距最近道路 1,240 m</span>"));
}
