//! The page on a small synthetic run: two townships, two road classes and a corridor level,
//! villages at several shares, sites scored, excluded, failed and chosen, communities
//! launched, blocked, vetoed and failed, and a sweep.

use std::collections::BTreeMap;

use geo::{Geometry, LineString, MultiPolygon, Point, Polygon};

use super::render_html;
use crate::report::{
    Check, ClassRow, CommunityRow, Counts, Exclusion, Lang, LaunchStatus, MapData, MapLine,
    MapSite, MapVillage, PluginRow, Report, SiteRow, StandardCheck, Sweep, SweepRow, Totals,
    TownshipRow, VillageRow, ZoneRef,
};
use crate::rules::{Criterion, Finding, Term};

/// An awkward name: every character HTML cares about.
const NASTY: &str = r#"A<b>&"c""#;

/// Origin of the synthetic region: metric coordinates as a CGCS2000 zone would give them.
const X0: f64 = 38_500_000.0;
const Y0: f64 = 3_840_000.0;

fn square(x: f64, y: f64, size: f64) -> Polygon<f64> {
    Polygon::new(
        LineString::from(vec![
            (X0 + x, Y0 + y),
            (X0 + x + size, Y0 + y),
            (X0 + x + size, Y0 + y + size),
            (X0 + x, Y0 + y + size),
            (X0 + x, Y0 + y),
        ]),
        vec![],
    )
}

fn line(points: &[(f64, f64)]) -> Geometry<f64> {
    Geometry::LineString(LineString::from(
        points
            .iter()
            .map(|&(x, y)| (X0 + x, Y0 + y))
            .collect::<Vec<_>>(),
    ))
}

fn road(class: &str, name: &str, points: &[(f64, f64)]) -> MapLine {
    MapLine {
        class: class.to_owned(),
        name: name.to_owned(),
        geometry: line(points),
    }
}

fn counts(villages: usize, households: u64, population: u64) -> Counts {
    Counts {
        villages,
        households,
        population,
    }
}

fn finding(criterion: &str, veto: bool, reason: &str) -> Finding {
    let mut evidence = BTreeMap::new();
    evidence.insert("village".to_owned(), serde_json::json!("410122101201"));
    evidence.insert("share".to_owned(), serde_json::json!(0.25));
    Finding {
        plugin: None,
        criterion: criterion.to_owned(),
        veto,
        reason: reason.to_owned(),
        reasons: Default::default(),
        evidence,
    }
}

fn check(status: LaunchStatus, findings: Vec<Finding>, error: Option<&str>) -> Check {
    Check {
        status,
        findings,
        error: error.map(str::to_owned),
    }
}

fn zone(class: &str, name: &str, width_m: f64) -> ZoneRef {
    ZoneRef {
        layer: "roads".to_owned(),
        id: format!("R-{name}"),
        name: name.to_owned(),
        class: class.to_owned(),
        width_m,
    }
}

fn site(id: &str, name: &str, township: &str, score: Option<f64>, rank: Option<usize>) -> SiteRow {
    SiteRow {
        id: id.to_owned(),
        name: name.to_owned(),
        township: township.to_owned(),
        score,
        excluded: None,
        error: None,
        rank,
        rank_in_township: rank,
        chosen: false,
        terms: Vec::new(),
        evidence: Default::default(),
        measured: Default::default(),
    }
}

/// Village squares, 1 km each, on a 4 × 2 grid; shares from untouched to wholly inside.
const SHARES: [f64; 8] = [0.0, 0.05, 0.2, 0.4, 0.6, 0.9, 1.0, 0.0];

pub(crate) fn sample() -> Report {
    let villages: Vec<MapVillage> = SHARES
        .iter()
        .enumerate()
        .map(|(i, &f)| MapVillage {
            id: format!("V{i}"),
            name: if i == 1 {
                NASTY.to_owned()
            } else {
                format!("村{i}")
            },
            township: if i % 4 < 2 { "东镇" } else { NASTY }.to_owned(),
            households: 100 + i as u64,
            population: 300 + i as u64,
            fraction_inside: f,
            zone_classes: if f > 0.0 {
                vec!["环线".to_owned(), "一级".to_owned()]
            } else {
                Vec::new()
            },
            geometry: MultiPolygon::new(vec![square(
                (i % 4) as f64 * 1000.0,
                (i / 4) as f64 * 1000.0,
                1000.0,
            )]),
        })
        .collect();
    let map = MapData {
        townships: vec![
            (
                "东镇".to_owned(),
                MultiPolygon::new(vec![square(0.0, 0.0, 2000.0)]),
            ),
            (
                NASTY.to_owned(),
                MultiPolygon::new(vec![Polygon::new(
                    LineString::from(vec![
                        (X0 + 2000.0, Y0),
                        (X0 + 4000.0, Y0),
                        (X0 + 4000.0, Y0 + 2000.0),
                        (X0 + 2000.0, Y0 + 2000.0),
                        (X0 + 2000.0, Y0),
                    ]),
                    vec![],
                )]),
            ),
        ],
        roads: vec![
            road("环线", "北环路", &[(-200.0, 1000.0), (4200.0, 1000.0)]),
            road("放射线", "", &[(500.0, -300.0), (3500.0, 2300.0)]),
            road("环线", "北环路", &[(2000.0, -100.0), (2000.0, 2100.0)]),
        ],
        corridors: vec![MapLine {
            class: "一级".to_owned(),
            name: "贾鲁河生态廊道".to_owned(),
            geometry: Geometry::Polygon(square(3600.0, 0.0, 200.0)),
        }],
        zones: vec![
            (
                "环线".to_owned(),
                MultiPolygon::new(vec![square(1500.0, 900.0, 200.0)]),
            ),
            (
                "一级".to_owned(),
                MultiPolygon::new(vec![square(3550.0, 0.0, 300.0)]),
            ),
        ],
        farmland: Vec::new(),
        redline: Vec::new(),
        villages,
        sites: vec![
            MapSite {
                id: "S1".to_owned(),
                name: "东镇一号安置点".to_owned(),
                score: Some(0.82),
                excluded: None,
                error: None,
                chosen: true,
                geometry: Geometry::Point(Point::new(X0 + 600.0, Y0 + 600.0)),
            },
            MapSite {
                id: "S2".to_owned(),
                name: "S2 site".to_owned(),
                score: Some(0.41),
                excluded: None,
                error: None,
                chosen: false,
                geometry: Geometry::Point(Point::new(X0 + 1400.0, Y0 + 1600.0)),
            },
            MapSite {
                id: "S3".to_owned(),
                name: "excluded".to_owned(),
                score: None,
                excluded: Some("基本农田占比 0.6 > 0.2".to_owned()),
                error: None,
                chosen: false,
                geometry: Geometry::Polygon(square(2600.0, 200.0, 150.0)),
            },
        ],
    };

    let mut s1 = site("S1", "东镇一号安置点", "东镇", Some(0.82), Some(1));
    s1.chosen = true;
    s1.terms = vec![
        Term {
            name: "road_access".to_owned(),
            weight: 0.6,
            value: 0.9,
        },
        Term {
            name: "flood_risk".to_owned(),
            weight: 0.4,
            value: 0.7,
        },
    ];
    let mut s2 = site("S2", "S2 site", NASTY, Some(0.41), Some(2));
    s2.terms = vec![Term {
        name: "road_access".to_owned(),
        weight: 1.0,
        value: 0.41,
    }];
    let mut s3 = site("S3", "excluded", NASTY, None, None);
    s3.excluded = Some(Exclusion {
        reason: "位于基本农田内".to_owned(),
        reasons: Default::default(),
        evidence: BTreeMap::from([("farmland".to_owned(), serde_json::json!("F12"))]),
    });
    let mut s4 = site("S4", "failed", "东镇", None, None);
    s4.error = Some("plugin trapped: out of fuel".to_owned());

    Report {
        plan: format!("演示规划 {NASTY}"),
        tool_version: "0.1.0".to_owned(),
        build: crate::run::Build::library(),
        metric_crs: "EPSG:4547".to_owned(),
        villages_in_layer: 8,
        totals: Totals {
            affected: counts(6, 1234, 4321),
            communities: 4,
            in_communities: counts(6, 1234, 4321),
            launched: 1,
            blocked: 1,
            vetoed: 1,
            check_errors: 1,
            sites: 4,
            sites_chosen: 1,
        },
        counting: crate::pipeline::affected::Counting::MinShare { share: 0.2 },
        below_share: counts(2, 50, 160),
        pro_rata: None,
        townships: vec![
            TownshipRow {
                township: NASTY.to_owned(),
                villages_in_layer: 4,
                affected: counts(3, 600, 2100),
                communities: 2,
                launched: 0,
                blocked: 1,
                vetoed: 1,
                demonstration: vec![],
            },
            TownshipRow {
                township: "东镇".to_owned(),
                villages_in_layer: 4,
                affected: counts(3, 634, 2221),
                communities: 2,
                launched: 1,
                blocked: 0,
                vetoed: 0,
                demonstration: vec!["东镇一号安置点".to_owned()],
            },
        ],
        classes: vec![
            ClassRow {
                class: "环线".to_owned(),
                layer: "roads".to_owned(),
                width_m: 100.0,
                zones: 2,
                affected: counts(4, 900, 3000),
            },
            ClassRow {
                class: "放射线".to_owned(),
                layer: "roads".to_owned(),
                width_m: 50.0,
                zones: 1,
                affected: counts(2, 300, 1000),
            },
            ClassRow {
                class: "一级".to_owned(),
                layer: "corridors".to_owned(),
                width_m: 50.0,
                zones: 1,
                affected: counts(1, 34, 321),
            },
        ],
        villages: SHARES
            .iter()
            .enumerate()
            .filter(|(_, f)| **f > 0.0)
            .map(|(i, &f)| VillageRow {
                id: format!("V{i}"),
                name: if i == 1 {
                    NASTY.to_owned()
                } else {
                    format!("村{i}")
                },
                township: if i % 4 < 2 {
                    "东镇".to_owned()
                } else {
                    NASTY.to_owned()
                },
                households: 100 + i as u64,
                population: 1000 + i as u64,
                fraction_inside: f,
                zones: vec![zone("环线", "三环", 100.0), zone("环线", "三环", 100.0)],
            })
            .collect(),
        launch_fields_missing: Vec::new(),
        communities: vec![
            CommunityRow {
                name: "东镇新社区1".to_owned(),
                township: "东镇".to_owned(),
                villages: vec!["V1".to_owned(), "V2".to_owned()],
                counts: counts(2, 203, 2003),
                launch: Some(check(LaunchStatus::Launched, vec![], None)),
                standard: Some(StandardCheck {
                    standard: "GB 50180-2018".to_owned(),
                    check: check(LaunchStatus::Launched, vec![], None),
                }),
            },
            CommunityRow {
                name: "blocked community".to_owned(),
                township: NASTY.to_owned(),
                villages: vec!["V3".to_owned()],
                counts: counts(1, 103, 1003),
                launch: Some(check(
                    LaunchStatus::Blocked,
                    vec![finding("no_new_construction", false, "新建建筑未停止")],
                    None,
                )),
                standard: Some(StandardCheck {
                    standard: "GB 50180-2018".to_owned(),
                    check: check(
                        LaunchStatus::Blocked,
                        vec![finding("min_households", false, "户数不足")],
                        None,
                    ),
                }),
            },
            CommunityRow {
                name: "vetoed community".to_owned(),
                township: NASTY.to_owned(),
                villages: vec!["V4".to_owned(), "V5".to_owned()],
                counts: counts(2, 209, 2009),
                launch: Some(check(
                    LaunchStatus::Vetoed,
                    vec![
                        finding("forced_demolition", true, "存在强制拆迁"),
                        finding("plan_approved", false, "方案未通过"),
                    ],
                    None,
                )),
                standard: None,
            },
            CommunityRow {
                name: "failed check".to_owned(),
                township: "东镇".to_owned(),
                villages: vec!["V6".to_owned()],
                counts: counts(1, 106, 1006),
                launch: Some(check(
                    LaunchStatus::Error,
                    vec![],
                    Some("script error: x <y>"),
                )),
                standard: None,
            },
        ],
        sites: vec![s1, s2, s3, s4],
        top: Some(1),
        choice: None,
        scorings: Vec::new(),
        sweep: Some(Sweep {
            class: "环线".to_owned(),
            planned_m: Some(100.0),
            rows: [50.0, 100.0, 150.0, 200.0]
                .iter()
                .enumerate()
                .map(|(i, &w)| SweepRow {
                    width_m: w,
                    affected: counts(2 + i, 500 + 300 * i as u64, 1500 + 900 * i as u64),
                })
                .collect(),
        }),
        tables: Vec::new(),
        targets: Vec::new(),
        milestones: None,
        programme: None,
        plugins: vec![PluginRow {
            role: "launch".to_owned(),
            name: "launch-criteria".to_owned(),
            version: "1.0.0".to_owned(),
            runtime: "rhai".to_owned(),
            criteria: Vec::new(),
            terms: Vec::new(),
            evidence: BTreeMap::new(),
            edition: None,
        }],
        warnings: vec![format!("村庄 {NASTY} 无户数字段")],
        warnings_zh: Vec::new(),
        map: Some(map),
    }
}

#[test]
fn self_contained() {
    for lang in [Lang::ZhCn, Lang::En] {
        let html = render_html(&sample(), lang);
        assert!(html.starts_with("<!DOCTYPE html>"));
        for external in [
            "http://",
            "https://",
            "src=",
            "<link",
            "url(",
            "@import",
            "fetch(",
            "XMLHttpRequest",
            "import(",
        ] {
            assert!(!html.contains(external), "{external} in the page");
        }
        // One inline script (the map's search and zoom), nothing loaded.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains("<style>"));
        assert!(html.trim_end().ends_with("</html>"));
    }
}

#[test]
fn names_are_escaped() {
    let html = render_html(&sample(), Lang::ZhCn);
    assert!(!html.contains(NASTY), "raw name in the page");
    assert!(html.contains("A&lt;b&gt;&amp;&quot;c&quot;"));
    assert!(html.contains("<title>演示规划 A&lt;b&gt;&amp;&quot;c&quot; — "));
    // The error text of a failed check, escaped too.
    assert!(html.contains("script error: x &lt;y&gt;"));
}

#[test]
fn every_section_present() {
    let html = render_html(&sample(), Lang::ZhCn);
    for id in [
        "summary",
        "map-section",
        "townships",
        "classes",
        "communities",
        "verdicts",
        "sites",
        "site-terms",
        "villages",
        "sweep",
        "plugins",
        "warnings",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
        assert!(
            html.contains(&format!("<a href=\"#{id}\">")),
            "contents entry {id}"
        );
    }
    for id in [
        "svg id=\"map\"",
        "id=\"map-legend\"",
        "id=\"scale-bar\"",
        "id=\"north-arrow\"",
        "id=\"township-table\"",
        "id=\"class-table\"",
        "id=\"community-table\"",
        "id=\"site-table\"",
        "id=\"village-table\"",
        "id=\"sweep-table\"",
        "id=\"sweep-chart\"",
        "id=\"sweep-planned\"",
    ] {
        assert!(html.contains(id), "{id}");
    }
}

#[test]
fn empty_sections_are_left_out_or_said_so() {
    let mut report = sample();
    report.sweep = None;
    report.communities.clear();
    report.sites.clear();
    report.map = None;
    let html = render_html(&report, Lang::En);
    assert!(!html.contains("id=\"sweep\""));
    assert!(!html.contains("id=\"sites\""));
    assert!(!html.contains("id=\"verdicts\""));
    assert!(html.contains("No new communities were formed in this run."));
    assert!(html.contains("This report carries no map layers."));
    assert!(!html.contains("<svg id=\"map\""));
}

#[test]
fn legend_lists_every_road_class() {
    let report = sample();
    let html = render_html(&report, Lang::ZhCn);
    let start = html.find("class=\"legend-roads\"").expect("road legend");
    let roads = &html[start..start + html[start..].find("</ul>").unwrap()];
    let classes: std::collections::BTreeSet<&str> = report
        .map
        .as_ref()
        .unwrap()
        .roads
        .iter()
        .map(|l| l.class.as_str())
        .collect();
    for class in &classes {
        assert!(
            roads.contains(&format!("<span>{class}</span>")),
            "{class} in the legend"
        );
    }
    assert_eq!(roads.matches("<li>").count(), classes.len());
    // The corridor and both zone classes too.
    let legend = &html[html.find("id=\"map-legend\"").unwrap()..];
    assert!(legend.contains("一级"));
    assert!(legend.contains("环线 (100 m)"));
}

#[test]
fn languages_differ() {
    let report = sample();
    let zh = render_html(&report, Lang::ZhCn);
    let en = render_html(&report, Lang::En);
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(en.contains("<html lang=\"en\">"));
    assert!(zh.contains("<h2>分乡镇统计</h2>"));
    assert!(en.contains("<h2>By township</h2>"));
    assert!(!en.contains("分乡镇统计"));
    assert!(zh.contains(">图例<"));
    assert!(en.contains(">Legend<"));
    // Data stay as given in both.
    assert!(en.contains("东镇新社区1"));
}

#[test]
fn statuses_say_why() {
    let zh = render_html(&sample(), Lang::ZhCn);
    // What failed, not a criterion's title after the verdict (issue 15): no failure wording
    // declared, so the neutral "未满足：" and the id.
    assert!(
        zh.contains("<span class=\"st st-blocked\">暂缓</span>（未满足：no_new_construction）")
    );
    // A veto names the veto, not the lesser failure beside it.
    assert!(
        zh.contains(
            "<span class=\"st st-vetoed\">一票否决</span>：未满足：forced_demolition（村 410122101201）</td>"
        ),
        "{zh}"
    );
    assert!(zh.contains("<span class=\"st st-launched\">可启动</span>"));
    assert!(zh.contains("<span class=\"st st-error\">出错</span>"));
    // Every finding is explained with its evidence.
    assert!(zh.contains("存在强制拆迁"));
    assert!(zh.contains("<code>share</code> = 0.25"));
    assert!(
        zh.contains("GB 50180-2018 · <span class=\"st st-blocked\">未达标</span>：min_households")
    );
}

#[test]
fn site_terms_add_up() {
    let html = render_html(&sample(), Lang::En);
    // 0.6 × 0.9 + 0.4 × 0.7 = 0.82
    let terms = &html[html.find("id=\"terms-1\"").unwrap()..];
    let table = &terms[..terms.find("</table>").unwrap()];
    assert!(table.contains("<td class=\"num\">0.540</td>"));
    assert!(table.contains("<td class=\"num\">0.280</td>"));
    assert!(
        table.contains("<tfoot><tr><td>Total</td><td></td><td></td><td class=\"num\">0.820</td>")
    );
    assert!(html.contains("位于基本农田内"));
    assert!(html.contains("plugin trapped: out of fuel"));
}

#[test]
fn chosen_site_marked() {
    let html = render_html(&sample(), Lang::ZhCn);
    assert_eq!(html.matches("class=\"site chosen-site\"").count(), 1);
    assert_eq!(html.matches("class=\"site\"").count(), 2);
    assert!(html.contains(
        "class=\"label site\" data-id=\"S1\" pointer-events=\"none\">东镇一号安置点</text>"
    ));
    assert!(html.contains("<tr class=\"chosen-row\">"));
}

#[test]
fn deterministic() {
    let report = sample();
    assert_eq!(
        render_html(&report, Lang::ZhCn),
        render_html(&report, Lang::ZhCn)
    );
    assert_eq!(
        render_html(&report, Lang::En),
        render_html(&sample(), Lang::En)
    );
}

/// The viewBox of the map and every coordinate of the village paths.
fn village_coords(html: &str) -> ((f64, f64), Vec<(f64, f64)>) {
    let svg = &html[html.find("<svg id=\"map\"").unwrap()..];
    let vb = &svg[svg.find("viewBox=\"").unwrap() + 9..];
    let vb: Vec<f64> = vb[..vb.find('"').unwrap()]
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let group = &svg[svg.find("<g id=\"map-villages\"").unwrap()..];
    let group = &group[..group.find("</g>").unwrap()];
    let mut coords = Vec::new();
    for part in group.split(" d=\"").skip(1) {
        let d = &part[..part.find('"').unwrap()];
        let numbers: Vec<f64> = d
            .split(['M', 'Z', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(numbers.len() % 2, 0);
        coords.extend(numbers.chunks(2).map(|p| (p[0], p[1])));
    }
    ((vb[2], vb[3]), coords)
}

#[test]
fn map_fits_the_view() {
    let report = sample();
    let html = render_html(&report, Lang::ZhCn);
    let ((w, h), coords) = village_coords(&html);
    assert_eq!(w, 1000.0);
    // 8 villages of 4 corners each (the closing point is implied by Z).
    assert_eq!(coords.len(), 32);
    for (x, y) in &coords {
        assert!(
            (0.0..=w).contains(x) && (0.0..=h).contains(y),
            "({x}, {y}) outside 0 0 {w} {h}"
        );
    }
    // North is up: village V0 (south-west) sits below V4 (north-west).
    let v0_y = coords[0..4].iter().map(|c| c.1).fold(f64::MIN, f64::max);
    let v4_y = coords[16..20].iter().map(|c| c.1).fold(f64::MIN, f64::max);
    assert!(v0_y > v4_y);
    // Every village keeps its tooltip.
    for i in 0..8 {
        assert!(html.contains(&format!("<title>V{i} ")));
    }
}

#[test]
fn big_inputs_are_simplified() {
    // A village ring of 20,000 points on a near-circle: far more detail than 1000 px shows.
    let mut report = sample();
    let map = report.map.as_mut().unwrap();
    let ring: Vec<(f64, f64)> = (0..=20_000)
        .map(|i| {
            let a = std::f64::consts::TAU * (i % 20_000) as f64 / 20_000.0;
            (X0 + 2000.0 + 900.0 * a.cos(), Y0 + 1000.0 + 900.0 * a.sin())
        })
        .collect();
    map.villages[0].geometry =
        MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])]);
    let html = render_html(&report, Lang::ZhCn);
    let (_, coords) = village_coords(&html);
    assert!(coords.len() < 600, "{} points kept", coords.len());
    assert!(html.len() < 200_000);
}

#[test]
fn degenerate_maps_still_draw() {
    let mut report = sample();
    let map = report.map.as_mut().unwrap();
    map.townships.clear();
    map.roads.clear();
    map.corridors.clear();
    map.zones.clear();
    map.villages.clear();
    map.sites.truncate(1);
    let html = render_html(&report, Lang::En);
    assert!(html.contains("<svg id=\"map\""));
    assert!(!html.contains("NaN") && !html.contains("inf\""));
}

#[test]
fn corridor_levels_rank_by_width() {
    let mut report = sample();
    for (level, width) in [("三级", 20.0), ("二级", 30.0)] {
        report.classes.push(ClassRow {
            class: level.to_owned(),
            layer: "corridors".to_owned(),
            width_m: width,
            zones: 0,
            affected: Counts::default(),
        });
        report.map.as_mut().unwrap().corridors.push(MapLine {
            class: level.to_owned(),
            name: String::new(),
            geometry: Geometry::Polygon(square(100.0, 100.0, 50.0)),
        });
    }
    let html = render_html(&report, Lang::ZhCn);
    let legend = &html[html.find("id=\"map-legend\"").unwrap()..];
    let corridors = &legend[legend.find("<h4>生态廊道</h4>").unwrap()..];
    let corridors = &corridors[..corridors.find("</ul>").unwrap()];
    let at = |level: &str| corridors.find(&format!("<span>{level}</span>")).unwrap();
    assert!(at("一级") < at("二级") && at("二级") < at("三级"));
    // The first level gets the darkest shade.
    assert!(corridors[..at("一级")].contains(super::map::CORRIDOR_SHADES[0]));
}

/// Blocks the sample's second community by findings of one `reason`, each a (criterion,
/// village) pair.
fn blocked_by(report: &mut Report, reason: &str, findings: &[(&str, &str)]) {
    let findings = findings
        .iter()
        .map(|(criterion, village)| {
            let mut f = finding(criterion, false, reason);
            f.evidence
                .insert("village".to_owned(), serde_json::json!(village));
            f
        })
        .collect();
    report.communities[1].launch = Some(check(LaunchStatus::Blocked, findings, None));
}

#[test]
fn repeated_findings_are_grouped() {
    let mut report = sample();
    blocked_by(
        &mut report,
        "安置房未开工",
        &[
            ("resettlement_started", "V3"),
            ("resettlement_started", "V4"),
            ("plan_approved", "V3"),
        ],
    );
    let html = render_html(&report, Lang::ZhCn);
    assert!(html.contains("暂缓</span>（未满足：resettlement_started、plan_approved）</td>"));
    assert!(html.contains("<td>resettlement_started <small>×2</small></td>"));
    // The evidence the findings share once, the village that differs as a list, each code
    // with the village's name (sample(): village Vi is 村i).
    assert!(html.contains(
        "<li><code>share</code> = 0.25</li><li class=\"wrap\"><span class=\"key\" title=\"village\">行政村</span> = V3 村3、V4 村4</li>"
    ));
}

#[test]
fn declared_criteria_are_titled_and_ordered() {
    let mut report = sample();
    blocked_by(
        &mut report,
        "未开工",
        &[
            ("resettlement_started", "V3"),
            ("mystery", "V3"),
            ("plan_approved", "V4"),
        ],
    );
    let criterion = |id: &str, zh: &str, en: &str| Criterion {
        id: id.to_owned(),
        title: [("zh-CN", zh), ("en", en)]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.to_owned()))
            .collect(),
        failed: Default::default(),
    };
    report.plugins[0].criteria = vec![
        criterion("plan_approved", "方案获批", "Plan approved"),
        criterion(
            "resettlement_started",
            "安置房已开工",
            "Resettlement started",
        ),
    ];
    let zh = render_html(&report, Lang::ZhCn);
    // The plugin's order, not the order found; an undeclared id after, as itself.
    assert!(
        zh.contains("暂缓</span>（未满足：方案获批、安置房已开工、mystery）</td>"),
        "{zh}"
    );
    // The explanation shows the title and, beside it, the id the CSV and JSON carry.
    assert!(zh.contains("<td>方案获批 <code class=\"id\">plan_approved</code></td>"));
    let en = render_html(&report, Lang::En);
    assert!(
        en.contains("blocked</span> (not met: Plan approved, Resettlement started, mystery)</td>"),
        "{en}"
    );
    // The standard's plugin declares nothing: its ids stay.
    assert!(zh.contains("未达标</span>：min_households"));
}

#[test]
fn tooltips_name_roads_and_corridors_and_say_why_a_site_is_unscored() {
    let html = render_html(&sample(), Lang::ZhCn);
    let roads = &html[html.find("<g id=\"map-roads\"").unwrap()..];
    let roads = &roads[..roads.find("</g>").unwrap()];
    // A road drawn as two features is one path with its name; an unnamed one says its class.
    assert_eq!(
        roads.matches("<title>道路 · 环线 · 北环路</title>").count(),
        1
    );
    assert_eq!(roads.matches("<title>道路 · 放射线</title>").count(), 1);
    assert_eq!(roads.matches("<path ").count(), 2);
    assert!(html.contains("<title>生态廊道 · 一级 · 贾鲁河生态廊道</title>"));
    assert!(
        html.contains("排除原因：基本农田占比 0.6 &gt; 0.2</title>"),
        "{html}"
    );
    // A village says which zones touch it; an untouched one says nothing more.
    assert!(html.contains(" · 环线、一级</title>"));
    assert!(html.contains("<title>V0 村0 · 0.0 %</title>"), "{html}");
}

#[test]
fn crowded_names_are_left_off_not_overprinted() {
    let mut report = sample();
    let map = report.map.as_mut().unwrap();
    // Forty small townships in a row inside 东镇, each far narrower than its name.
    for i in 0..40 {
        map.townships.push((
            format!("小镇{i:02}"),
            MultiPolygon::new(vec![square(100.0 + 40.0 * i as f64, 1500.0, 30.0)]),
        ));
    }
    let html = render_html(&report, Lang::ZhCn);
    let drawn = html.matches("class=\"label township\"").count();
    // The road's and the corridor's names, drawn or left off too.
    let lines = html.matches("class=\"label road\"").count()
        + html.matches("class=\"label corridor\"").count();
    let left_off: usize = html
        .split("<span id=\"labels-left-off\">")
        .nth(1)
        .expect("the legend says names were left off")
        .split("</span>")
        .next()
        .unwrap()
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap();
    assert!(
        drawn >= 3 && left_off > 0,
        "{drawn} drawn, {left_off} left off"
    );
    assert_eq!(
        drawn + lines + left_off,
        42 + 2,
        "every named township (and line) is drawn or counted"
    );
    // The largest townships keep their names.
    assert!(
        html.contains(
            "class=\"label township\" data-id=\"东镇\" pointer-events=\"none\">东镇</text>"
        )
    );
    // Every township is still named by its tooltip.
    assert!(html.contains("<title>小镇39</title>"));
    // The sample alone has room for every name.
    assert!(!render_html(&sample(), Lang::ZhCn).contains("labels-left-off"));
}

/// Issue 15: a verdict names what failed. A veto says the plugin's failure wording and the
/// villages (never "vetoed: no forced demolition"); a criterion without one is "not met:" and
/// its title; a standard's 未达标 lists failure wordings where given.
#[test]
fn verdicts_name_what_failed_in_the_plugins_words() {
    let mut report = sample();
    let titled = |id: &str, title: [&str; 2], failed: Option<[&str; 2]>| Criterion {
        id: id.to_owned(),
        title: [("zh-CN", title[0]), ("en", title[1])]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.to_owned()))
            .collect(),
        failed: failed
            .map(|f| {
                [("zh-CN", f[0]), ("en", f[1])]
                    .into_iter()
                    .map(|(l, t)| (l.to_owned(), t.to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    report.plugins[0].criteria = vec![
        titled(
            "forced_demolition",
            [
                "无强制拆迁（一票否决）",
                "No forced demolition (one-vote veto)",
            ],
            Some(["存在强制拆迁", "forced demolition found"]),
        ),
        titled(
            "plan_approved",
            ["方案经群众认可并经上级批准", "Plan approved"],
            None,
        ),
        titled(
            "no_new_construction",
            ["不再新建建筑", "No new building"],
            Some(["有新建建筑", "new building found"]),
        ),
    ];
    // The vetoed community: the veto in two villages.
    let vetoed = report.communities[2].launch.as_mut().unwrap();
    for (f, village) in vetoed.findings.iter_mut().zip(["410122101202", "V5"]) {
        f.evidence
            .insert("village".into(), serde_json::json!(village));
    }
    let mut second = vetoed.findings[0].clone();
    second
        .evidence
        .insert("village".into(), serde_json::json!("410122101203"));
    vetoed.findings.push(second);
    blocked_by(
        &mut report,
        "未批准",
        &[("plan_approved", "V3"), ("no_new_construction", "V3")],
    );
    report.plugins.push(PluginRow {
        role: "standard".to_owned(),
        name: "planning-standard".to_owned(),
        version: "1".to_owned(),
        runtime: "rhai".to_owned(),
        criteria: vec![titled(
            "min_households",
            ["户数不低于下限", "Households at least the minimum"],
            Some(["户数低于下限", "households below the minimum"]),
        )],
        terms: Vec::new(),
        evidence: BTreeMap::new(),
        edition: None,
    });
    let zh = render_html(&report, Lang::ZhCn);
    assert!(
        zh.contains(
            "<span class=\"st st-vetoed\">一票否决</span>：存在强制拆迁（村 410122101202、410122101203）</td>"
        ),
        "{zh}"
    );
    assert!(!zh.contains("否决</span>：无强制拆迁"), "{zh}");
    assert!(
        zh.contains("<span class=\"st st-blocked\">暂缓</span>（未满足：方案经群众认可并经上级批准；有新建建筑）</td>"),
        "{zh}"
    );
    assert!(zh.contains("未达标</span>：户数低于下限"), "{zh}");
    let en = render_html(&report, Lang::En);
    assert!(
        en.contains(
            "vetoed</span>: forced demolition found (villages 410122101202, 410122101203)</td>"
        ),
        "{en}"
    );
    assert!(
        en.contains("blocked</span> (not met: Plan approved; new building found)</td>"),
        "{en}"
    );
    // The summary says the same.
    let text = crate::report::report_text(&report, Lang::ZhCn);
    assert!(
        text.contains(
            "  vetoed community: 一票否决：存在强制拆迁（村 410122101202、410122101203）\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(": 暂缓（未满足：方案经群众认可并经上级批准；有新建建筑）\n"),
        "{text}"
    );
    let text = crate::report::report_text(&report, Lang::En);
    assert!(
        text.contains(
            "  vetoed community: vetoed: forced demolition found (villages 410122101202, 410122101203)\n"
        ),
        "{text}"
    );
}

/// Issue 15: zh-CN headline cards count in 万 with their unit (3.42万户); English keeps
/// separators; the tables keep the exact figures.
#[test]
fn headlines_count_in_wan_and_tables_exactly() {
    let mut report = sample();
    report.totals.affected = counts(209, 34_188, 106_670);
    let zh = render_html(&report, Lang::ZhCn);
    assert!(zh.contains("<dd>3.42万户</dd>"), "{zh}");
    assert!(zh.contains("<dd>10.67万人</dd>"), "{zh}");
    // Below 10,000: exact, with the unit.
    assert!(zh.contains("<dd>1234户</dd>") && zh.contains("<dd>4321人</dd>"));
    let en = render_html(&report, Lang::En);
    assert!(en.contains("<dd>34,188</dd>") && en.contains("<dd>106,670</dd>"));
    // summary.txt says the same.
    let text = crate::report::report_text(&report, Lang::ZhCn);
    assert!(text.contains("，3.42万户，10.67万人\n"), "{text}");
    let text = crate::report::report_text(&report, Lang::En);
    assert!(
        text.contains(" 34,188 households, 106,670 people\n"),
        "{text}"
    );
    // A village's share too small for one decimal is not shown as 0.
    report.villages[0].fraction_inside = 0.00012;
    let zh = render_html(&report, Lang::ZhCn);
    assert!(zh.contains(">0.012 %</td>"), "{zh}");
    assert!(!zh.contains(">0.0 %</td>"));
}

/// Issue 15: no plugin words inside the Chinese page where the plugin titles them: terms under
/// their `[[terms]]` titles, evidence keys under their `[evidence]` titles or the engine's own
/// words, yes/no in the page's language; an untitled key or term stays as written.
#[test]
fn terms_and_evidence_keys_read_in_the_pages_language() {
    let mut report = sample();
    let titles = |zh: &str, en: &str| -> BTreeMap<String, String> {
        [("zh-CN", zh), ("en", en)]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.to_owned()))
            .collect()
    };
    report.plugins.push(PluginRow {
        role: "sites".to_owned(),
        name: "site-score".to_owned(),
        version: "1".to_owned(),
        runtime: "rhai".to_owned(),
        criteria: Vec::new(),
        terms: vec![crate::rules::TermTitle {
            id: "road_access".to_owned(),
            title: titles("道路可达", "road access"),
            measure: None,
        }],
        evidence: BTreeMap::from([("farmland".to_owned(), titles("基本农田", "farmland"))]),
        edition: None,
    });
    report.communities[1].launch.as_mut().unwrap().findings[0]
        .evidence
        .insert("value".to_owned(), serde_json::json!(true));
    let zh = render_html(&report, Lang::ZhCn);
    assert!(
        zh.contains("<td><span title=\"road_access\">道路可达</span></td>"),
        "{zh}"
    );
    assert!(!zh.contains("<td>road_access</td>"));
    // Not titled: as the plugin wrote it.
    assert!(zh.contains("<td>flood_risk</td>"));
    assert!(zh.contains("<span class=\"key\" title=\"farmland\">基本农田</span> = F12"));
    assert!(
        zh.contains("<span class=\"key\" title=\"value\">取值</span> = 是"),
        "{zh}"
    );
    assert!(zh.contains("<code>share</code> = 0.25"));
    let en = render_html(&report, Lang::En);
    assert!(en.contains("<td><span title=\"road_access\">road access</span></td>"));
    assert!(en.contains("<span class=\"key\" title=\"value\">value</span> = yes"));
}

// The small page's map (issue 15): farmland and red line drawn, every village hoverable,
// road and corridor names written on the map.

/// The SVG of the map.
fn map_svg(html: &str) -> &str {
    let svg = &html[html.find("<svg id=\"map\"").unwrap()..];
    &svg[..svg.find("</svg>").unwrap()]
}

/// The element `<g id="ID" …>`'s opening tag and content, up to its `</g>` (no nested groups).
fn group<'a>(svg: &'a str, id: &str) -> Option<&'a str> {
    let at = svg.find(&format!("<g id=\"{id}\""))?;
    let g = &svg[at..];
    Some(&g[..g.find("</g>").unwrap()])
}

#[test]
fn farmland_and_red_line_are_drawn_with_their_ids_and_in_the_legend() {
    // Without the layers, nothing of them.
    let plain = render_html(&sample(), Lang::ZhCn);
    assert!(!plain.contains("hatch-farmland") && !plain.contains("永久基本农田"));

    let mut report = sample();
    let map = report.map.as_mut().unwrap();
    map.farmland = vec![
        (
            "F1".to_owned(),
            MultiPolygon::new(vec![square(100.0, 100.0, 600.0)]),
        ),
        (
            "F<2>".to_owned(),
            MultiPolygon::new(vec![square(2100.0, 100.0, 300.0)]),
        ),
    ];
    map.redline = vec![(
        "H7".to_owned(),
        MultiPolygon::new(vec![square(1100.0, 1100.0, 500.0)]),
    )];
    for (lang, farmland, redline) in [
        (Lang::ZhCn, "永久基本农田", "生态保护红线"),
        (
            Lang::En,
            "Permanent basic farmland",
            "Ecological protection red line",
        ),
    ] {
        let html = render_html(&report, lang);
        let svg = map_svg(&html);
        // Pale fills with each feature's id under the villages …
        let fill = group(svg, "map-farmland-fill").expect("farmland filled");
        assert_eq!(fill.matches("<path ").count(), 2);
        assert!(fill.contains(&format!("data-id=\"F1\"><title>{farmland} · F1</title>")));
        assert!(fill.contains(&format!("<title>{farmland} · F&lt;2&gt;</title>")));
        let red = group(svg, "map-redline-fill").expect("red line filled");
        assert!(red.contains(&format!("<title>{redline} · H7</title>")));
        // … the hatching over them, letting the pointer through.
        let villages = svg.find("<g id=\"map-villages\"").unwrap();
        assert!(svg.find("<g id=\"map-farmland-fill\"").unwrap() < villages);
        assert!(svg.find("<g id=\"map-redline-fill\"").unwrap() < villages);
        for id in ["map-farmland", "map-redline"] {
            let at = svg.find(&format!("<g id=\"{id}\"")).unwrap();
            assert!(at > villages, "{id} hatched over the villages");
            assert!(group(svg, id).unwrap().contains("pointer-events=\"none\""));
            assert!(
                group(svg, id)
                    .unwrap()
                    .contains(&format!("url(#hatch-{})", &id[4..]))
            );
        }
        assert!(svg.contains("<pattern id=\"hatch-farmland\""));
        assert!(svg.contains("<pattern id=\"hatch-redline\""));
        let legend = &html[html.find("id=\"map-legend\"").unwrap()..];
        assert!(legend.contains(&format!("<span>{farmland}</span>")));
        assert!(legend.contains(&format!("<span>{redline}</span>")));
    }
}

/// Issue 15: 11 of 209 affected villages could not be hovered, zones and corridors on top
/// taking the pointer. Every group painted after the villages lets the pointer through, but
/// the sites (their own tooltips), the labels and the band under the map (scale bar, north
/// arrow), which never covers a village.
#[test]
fn nothing_over_the_villages_takes_the_pointer() {
    let mut report = sample();
    let map = report.map.as_mut().unwrap();
    map.farmland = vec![(
        "F1".to_owned(),
        MultiPolygon::new(vec![square(0.0, 0.0, 4000.0)]),
    )];
    map.redline = map.farmland.clone();
    let html = render_html(&report, Lang::ZhCn);
    let svg = map_svg(&html);
    let after = &svg[svg.find("<g id=\"map-villages\"").unwrap()..];
    let after = &after[after.find("</g>").unwrap()..];
    let ids: Vec<&str> = after
        .split("<g id=\"")
        .skip(1)
        .map(|g| &g[..g.find('"').unwrap()])
        .collect();
    for want in [
        "map-farmland",
        "map-redline",
        "map-zones",
        "map-corridors",
        "map-roads",
        "map-township-lines",
    ] {
        assert!(ids.contains(&want), "{want} drawn: {ids:?}");
    }
    for g in after.split("<g id=\"").skip(1) {
        let id = &g[..g.find('"').unwrap()];
        let tag = &g[..g.find('>').unwrap()];
        match id {
            "map-sites" | "scale-bar" | "north-arrow" => {}
            "map-labels" => {
                // Township and site names let the pointer through; road and corridor names
                // keep the line's tooltip.
                for text in g.split("<text ").skip(1) {
                    let tag = &text[..text.find('>').unwrap()];
                    assert!(tag.contains("class=\"label "), "{tag}");
                    if tag.contains("class=\"label township\"")
                        || tag.contains("class=\"label site\"")
                    {
                        assert!(tag.contains("pointer-events=\"none\""), "{tag}");
                    }
                }
            }
            _ => assert!(tag.contains("pointer-events=\"none\""), "{tag}"),
        }
    }
    // Nothing is drawn over the villages outside those groups.
    let mut depth = 0usize;
    for (i, _) in after.match_indices('<') {
        let tag = &after[i..];
        if tag.starts_with("</g>") {
            depth = depth.saturating_sub(1);
        } else if tag.starts_with("<g ") {
            depth += 1;
        } else if !tag.starts_with("</") {
            assert!(
                depth > 0,
                "drawn outside a group: {}",
                &tag[..tag.len().min(60)]
            );
        }
    }
}

#[test]
fn road_and_corridor_names_are_on_the_map_once_each_in_their_colours() {
    let html = render_html(&sample(), Lang::ZhCn);
    let svg = map_svg(&html);
    let labels = group(svg, "map-labels").unwrap();
    // 北环路 is two features: one name. The unnamed radial has none.
    assert_eq!(
        labels
            .matches("class=\"label road\" data-id=\"北环路\"")
            .count(),
        1,
        "{labels}"
    );
    assert_eq!(labels.matches("class=\"label road\"").count(), 1);
    assert_eq!(
        labels
            .matches("class=\"label corridor\" data-id=\"贾鲁河生态廊道\"")
            .count(),
        1,
        "{labels}"
    );
    // In the colour the legend gives the class, with the line's tooltip.
    let road = &labels[labels.find("class=\"label road\"").unwrap()..];
    let road_tag = &labels[..labels.find("class=\"label road\"").unwrap()];
    let road_tag = &road_tag[road_tag.rfind("<text ").unwrap()..];
    let legend = &html[html.find("class=\"legend-roads\"").unwrap()..];
    let ring_colour = {
        let item = &legend[..legend.find("<span>环线</span>").unwrap()];
        let s = &item[item.rfind("stroke=\"").unwrap() + 8..];
        s[..s.find('"').unwrap()].to_owned()
    };
    assert!(
        road_tag.contains(&format!("fill=\"{ring_colour}\"")),
        "{road_tag}"
    );
    assert!(road.contains("<title>道路 · 环线 · 北环路</title>北环路</text>"));
    // Every name still finds room on the sample.
    assert!(!html.contains("labels-left-off"));
}

/// Issue 15: the distances behind a site's score are shown under its terms, each titled,
/// whole metres with a thousands separator; a site without them (or without terms) shows none.
#[test]
fn a_sites_terms_show_the_distances_they_came_from() {
    let mut report = sample();
    report.sites[0].measured = BTreeMap::from([
        ("town_distance".to_owned(), 1240.4),
        ("village_distance".to_owned(), 880.6),
    ]);
    let zh = render_html(&report, Lang::ZhCn);
    let block = &zh[zh.find("id=\"site-1\"").unwrap()..];
    let block = &block[..block.find("</div>").unwrap()];
    assert!(
        block.contains(
            "<p class=\"measured\">hecun 测得的距离（插件据此计算各项得分）：<span data-measure=\"town_distance\">距镇区中心（乡镇几何中心） 1,240 m</span> · <span data-measure=\"village_distance\">距并入村庄（按人口加权平均） 881 m</span></p>"
        ),
        "{block}"
    );
    // Not measured: not said.
    assert!(!block.contains("road_distance"));
    let en = render_html(&report, Lang::En);
    assert!(
        en.contains("to the town centre (the township&#39;s centroid) 1,240 m"),
        "{en}"
    );
    // The sample's other sites carry no distances: no such line.
    assert_eq!(zh.matches("class=\"measured\"").count(), 1);
}
