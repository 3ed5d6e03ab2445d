//! The large page (issue 15, "does not work for a province") on a synthetic region of
//! thousands of villages: read back with a real HTML parser (`scraper`), its document stays
//! small and does not grow with the villages, its embedded rows say what the small page's
//! table says for every village, and its first page is there as HTML.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html, Selector};

use super::page::{LARGE_PAGE_VILLAGES, Page};
use super::render_html;
use super::tests::sample;
use crate::report::{
    Check, CommunityRow, Counts, Lang, LaunchStatus, Report, SiteRow, StandardCheck, TownshipRow,
    VillageRow, ZoneRef,
};
use crate::rules::{Finding, Term};

/// Townships in the synthetic region, and villages per community.
const TOWNSHIPS: usize = 100;
const PER_COMMUNITY: usize = 4;

fn finding(criterion: &str, veto: bool, village: &str) -> Finding {
    Finding {
        plugin: None,
        criterion: criterion.to_owned(),
        veto,
        reason: format!("{criterion} in {village}"),
        reasons: Default::default(),
        evidence: BTreeMap::from([("village".to_owned(), serde_json::json!(village))]),
    }
}

/// `villages` villages in [`TOWNSHIPS`] townships (12-digit codes, township names
/// with characters HTML cares about in some), every one affected; a community per
/// [`PER_COMMUNITY`] villages, launched, blocked or vetoed in turn; a site per 10 villages;
/// a warning per 7.
fn large_report(villages: usize) -> Report {
    let mut r = sample();
    let per_township = villages / TOWNSHIPS;
    let township = |t: usize| {
        if t % 10 == 3 {
            format!("镇<{t}>&\"")
        } else {
            format!("第{t}镇")
        }
    };
    r.villages_in_layer = villages;
    r.villages = (0..villages)
        .map(|i| {
            let t = i / per_township;
            VillageRow {
                id: format!("410122{:03}{:03}", t + 1, i % per_township + 1),
                name: format!("村{i}"),
                township: township(t),
                households: 100 + (i as u64 * 37) % 400,
                population: 300 + (i as u64 * 91) % 1500,
                fraction_inside: ((i * 7919) % 1000) as f64 / 1000.0 + 0.0004,
                zones: vec![ZoneRef {
                    layer: "roads".to_owned(),
                    id: format!("R{}", i % 13),
                    name: format!("路{}", i % 13),
                    class: "环线".to_owned(),
                    width_m: 100.0,
                }],
            }
        })
        .collect();
    r.townships = (0..TOWNSHIPS)
        .map(|t| TownshipRow {
            township: township(t),
            villages_in_layer: per_township,
            affected: Counts {
                villages: per_township,
                households: 1000,
                population: 3000,
            },
            communities: per_township / PER_COMMUNITY,
            launched: 5,
            blocked: 5,
            vetoed: 5,
            demonstration: vec![format!("示范{t}")],
        })
        .collect();
    r.communities = r
        .villages
        .chunks(PER_COMMUNITY)
        .enumerate()
        .map(|(k, vs)| {
            let ids: Vec<String> = vs.iter().map(|v| v.id.clone()).collect();
            let (status, findings) = match k % 3 {
                0 => (LaunchStatus::Launched, vec![]),
                1 => (
                    LaunchStatus::Blocked,
                    vec![finding("plan_approved", false, &ids[0])],
                ),
                _ => (
                    LaunchStatus::Vetoed,
                    vec![finding("forced_demolition", true, &ids[1])],
                ),
            };
            CommunityRow {
                name: format!("新社区{k}"),
                township: vs[0].township.clone(),
                villages: ids,
                counts: Counts {
                    villages: vs.len(),
                    households: vs.iter().map(|v| v.households).sum(),
                    population: vs.iter().map(|v| v.population).sum(),
                },
                launch: Some(Check {
                    status,
                    findings,
                    error: None,
                }),
                standard: Some(StandardCheck {
                    standard: "GB 50180-2018".to_owned(),
                    check: Check {
                        status: LaunchStatus::Launched,
                        findings: vec![],
                        error: None,
                    },
                }),
            }
        })
        .collect();
    r.sites = (0..villages / 10)
        .map(|i| SiteRow {
            id: format!("S{i}"),
            name: format!("安置点{i}"),
            township: township(i * 10 / per_township),
            score: Some((i % 100) as f64 / 100.0),
            excluded: None,
            error: None,
            rank: Some(i + 1),
            rank_in_township: Some(i % 6 + 1),
            chosen: i % 6 == 0,
            terms: vec![Term {
                name: "road_access".to_owned(),
                weight: 1.0,
                value: (i % 100) as f64 / 100.0,
            }],
            evidence: BTreeMap::new(),
            measured: Default::default(),
        })
        .collect();
    r.warnings = (0..villages / 7)
        .map(|i| format!("村庄 V{i} 无户数字段"))
        .collect();
    r
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("a valid selector")
}

fn elements(doc: &Html) -> usize {
    doc.tree.nodes().filter(|n| n.value().is_element()).count()
}

/// The text of a cell as a browser shows it, whitespace as written.
fn text(e: ElementRef<'_>) -> String {
    e.text().collect()
}

/// The text of a cell given as HTML, read by the same parser.
fn fragment_text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    doc.root_element().text().collect()
}

/// A JSON cell's HTML: a string, or the first item of `[html, class(, number)]`.
fn cell_html(c: &serde_json::Value) -> &str {
    match c {
        serde_json::Value::String(s) => s,
        other => other[0].as_str().expect("a cell's HTML"),
    }
}

/// A compressed block's JSON, decoded as the page's script decodes it.
fn unpacked(script: ElementRef<'_>) -> serde_json::Value {
    assert_eq!(
        script.value().attr("data-encoding"),
        Some(super::packed::ENCODING)
    );
    serde_json::from_str(&super::packed::unpack(&text(script))).expect("the block is JSON")
}

/// The rows a paged table embeds.
fn embedded(doc: &Html, id: &str) -> serde_json::Value {
    unpacked(
        doc.select(&sel(&format!("script#{id}-data")))
            .next()
            .unwrap_or_else(|| panic!("{id}-data is embedded")),
    )
}

/// The small page's body for `report`, whatever its size: what the large page's tables must
/// agree with.
fn small_body(report: &Report, lang: Lang) -> Html {
    let mut page = Page::new(lang, false);
    super::sections::write_all(&mut page, report);
    Html::parse_document(&page.body)
}

#[test]
fn synthetic_region_is_large() {
    let r = large_report(6_000);
    assert!(r.villages_in_layer > LARGE_PAGE_VILLAGES);
    assert_eq!(r.townships.len(), 100);
    assert_eq!(r.communities.len(), 1_500);
}

#[test]
fn large_page_stays_small_and_does_not_grow_with_villages() {
    let mut counts = Vec::new();
    for n in [6_000, 12_000] {
        let r = large_report(n);
        let small = Html::parse_document(&{
            let mut page = Page::new(Lang::ZhCn, false);
            super::sections::write_all(&mut page, &r);
            page.body
        });
        let doc = Html::parse_document(&render_html(&r, Lang::ZhCn));
        let (large, whole) = (elements(&doc), elements(&small));
        // The small form of the same report: one element per row and cell.
        assert!(whole > 15 * n, "{whole} elements in the small form of {n}");
        assert!(large <= 100_000, "{large} elements for {n} villages");
        eprintln!("{n} villages: {large} elements (small form: {whole})");
        counts.push(large);
    }
    // Twice the villages, communities, sites and warnings: the same document.
    assert_eq!(counts[0], counts[1], "{counts:?}");
}

#[test]
fn every_village_embedded_once_as_the_small_table_shows_it() {
    for lang in [Lang::ZhCn, Lang::En] {
        let r = large_report(6_000);
        let doc = Html::parse_document(&render_html(&r, lang));
        let data = embedded(&doc, "village-table");
        let rows = data["rows"].as_array().expect("rows");
        assert_eq!(data["tw"], 2, "the township column");

        let small = small_body(&r, lang);
        let small_rows: Vec<ElementRef<'_>> =
            small.select(&sel("#village-table tbody tr")).collect();
        assert_eq!(small_rows.len(), r.villages.len());
        assert_eq!(rows.len(), r.villages.len());

        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (row, tr) in rows.iter().zip(&small_rows) {
            let cells = row.as_array().expect("cells");
            let tds: Vec<ElementRef<'_>> = tr.select(&sel("td")).collect();
            assert_eq!(cells.len(), tds.len());
            for (c, td) in cells.iter().zip(&tds) {
                assert_eq!(fragment_text(cell_html(c)), text(*td));
                let class = c.get(1).and_then(|v| v.as_str());
                assert_eq!(class, td.value().attr("class"));
            }
            *seen.entry(fragment_text(cell_html(&cells[0]))).or_default() += 1;
        }
        let ids: BTreeMap<String, usize> = r.villages.iter().map(|v| (v.id.clone(), 1)).collect();
        assert_eq!(seen, ids, "every village exactly once");
        // Numbers sort by the number shown.
        for (row, v) in rows.iter().zip(&r.villages) {
            assert_eq!(row[3][2].as_f64(), Some(v.households as f64));
        }

        // The footer's totals are over every village, not the page.
        let foot = doc
            .select(&sel("#village-table tfoot td"))
            .map(text)
            .collect::<Vec<_>>();
        let households: u64 = r.villages.iter().map(|v| v.households).sum();
        assert_eq!(
            foot[1],
            crate::report::numbers::thousands(r.villages.len() as u64)
        );
        assert_eq!(foot[3], crate::report::numbers::thousands(households));
    }
}

#[test]
fn first_page_is_html_before_any_script() {
    let r = large_report(6_000);
    let doc = Html::parse_document(&render_html(&r, Lang::ZhCn));
    for id in [
        "village-table",
        "community-table",
        "site-table",
        "township-table",
    ] {
        let data = embedded(&doc, id);
        let rows = data["rows"].as_array().expect("rows");
        let trs: Vec<ElementRef<'_>> = doc.select(&sel(&format!("#{id} tbody tr"))).collect();
        assert_eq!(trs.len(), super::grid::PAGE_ROWS.min(rows.len()), "{id}");
        for (tr, row) in trs.iter().zip(rows) {
            let shown: Vec<String> = tr.select(&sel("td")).map(text).collect();
            let embedded: Vec<String> = row
                .as_array()
                .expect("cells")
                .iter()
                .map(|c| fragment_text(cell_html(c)))
                .collect();
            assert_eq!(shown, embedded, "{id}");
        }
    }
    // The script that pages them is there once, and the count line says how many there are.
    let scripts: Vec<String> = doc.select(&sel("script:not([type])")).map(text).collect();
    assert_eq!(
        scripts
            .iter()
            .filter(|s| s.contains("function Table("))
            .count(),
        1
    );
    let info: Vec<String> = doc.select(&sel("p.pager-info")).map(text).collect();
    assert!(
        info.contains(&"第 1–50 行，共 6,000 行".to_owned()),
        "{info:?}"
    );
}

#[test]
fn townships_link_to_their_detail_and_verdicts_wait_for_a_click() {
    let r = large_report(6_000);
    let doc = Html::parse_document(&render_html(&r, Lang::ZhCn));
    let index: Vec<(String, String)> = serde_json::from_str(&text(
        doc.select(&sel("script#townships-index"))
            .next()
            .expect("the township index"),
    ))
    .expect("JSON");
    assert_eq!(index.len(), r.townships.len());
    let township_rows = embedded(&doc, "township-table");
    for (i, ((anchor, name), t)) in index.iter().zip(&r.townships).enumerate() {
        assert_eq!(anchor, &format!("township-{}", i + 1));
        assert_eq!(fragment_text(name), t.township);
        let link = cell_html(&township_rows["rows"][i][0]);
        assert!(link.contains(&format!("href=\"#{anchor}\"")), "{link}");
    }
    // Each community's verdict is embedded whole, under its anchor, naming what failed; none
    // is written out as HTML.
    assert_eq!(doc.select(&sel("div.verdict")).count(), 0);
    let details: Vec<(String, String)> = serde_json::from_value(unpacked(
        doc.select(&sel("script[data-details=\"verdicts-view\"]"))
            .next()
            .expect("the verdicts"),
    ))
    .expect("[[anchor, html], …]");
    assert_eq!(details.len(), r.communities.len());
    for (k, (anchor, html)) in details.iter().enumerate() {
        assert_eq!(anchor, &format!("community-{}", k + 1));
        let block = Html::parse_fragment(html);
        let verdict = text(block.select(&sel("h3")).next().expect("a heading"));
        match k % 3 {
            1 => assert!(verdict.contains("暂缓（未满足："), "{verdict}"),
            2 => assert!(verdict.contains("一票否决："), "{verdict}"),
            _ => assert!(verdict.contains("可启动"), "{verdict}"),
        }
    }
    // The warnings: every one, paged.
    assert_eq!(
        embedded(&doc, "warning-table")["rows"]
            .as_array()
            .map(Vec::len),
        Some(r.warnings.len())
    );
}

/// Every block of data the large page embeds is compressed and decodes to JSON written as the
/// page wrote it uncompressed (script-safe, the same serialization); the blocks are a fraction
/// of their text; the few words the scripts need at once stay plain. A browser without
/// `DecompressionStream` gets the message the decoder carries, in the page's language.
#[test]
fn embedded_blocks_are_compressed_and_decode_to_the_same_json() {
    for (lang, says) in [(Lang::ZhCn, "Firefox 113"), (Lang::En, "Safari 16.4+")] {
        let r = large_report(6_000);
        let doc = Html::parse_document(&render_html(&r, lang));
        let (mut packed, mut plain, mut blocks) = (0, 0, 0);
        for script in doc.select(&sel("script[type=\"application/json\"]")) {
            let id = script.value().attr("id").unwrap_or("");
            if ["paged-words", "townships-index"].contains(&id) {
                assert_eq!(script.value().attr("data-encoding"), None, "{id}");
                continue;
            }
            let json = unpacked(script);
            let decoded = super::packed::unpack(&text(script));
            // The map's writer is its own (atlas/tests.rs reads it back).
            if id != "map-data" {
                assert_eq!(decoded, super::grid::script_json(&json), "{id}");
            }
            packed += text(script).len();
            plain += decoded.len();
            blocks += 1;
        }
        // Five paged tables (townships, communities, villages, sites, warnings) and two kinds
        // of details (verdicts, a scoring's terms) at least.
        assert!(blocks >= 7, "{blocks} blocks");
        assert!(packed * 3 < plain, "{packed} bytes for {plain}");
        let decoder = doc
            .select(&sel("script[data-unsupported]"))
            .next()
            .expect("the decoder");
        let message = decoder.value().attr("data-unsupported").unwrap_or("");
        assert!(message.contains(says), "{message}");
        assert!(text(decoder).contains("DecompressionStream"));
    }
}

#[test]
fn large_page_is_deterministic() {
    let r = large_report(6_000);
    assert_eq!(render_html(&r, Lang::En), render_html(&r, Lang::En));
}

#[test]
fn small_page_has_no_paged_tables() {
    let html = render_html(&sample(), Lang::ZhCn);
    // Its one script is the map's search and zoom over the SVG; the tables are plain HTML.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains("map-search"));
    assert!(!html.contains("pager"));
}
