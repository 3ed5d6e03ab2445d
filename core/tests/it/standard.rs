//! Planning standards on the demo region against a computation done here, without the
//! engine's indexes, helpers or the plugin: communities grouped from the villages' 社区 field,
//! each site's area and urban share with `geo` (area, boolean intersection with the union of
//! the urban zoning polygons), each life-circle distance by brute force over every facility,
//! and the planning-standard plugin's rules written out in Rust.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::{Area, BooleanOps, Centroid, Distance, Euclidean, Geometry, MultiPolygon, Point};
use hecun::internals::polygons;
use hecun::jobs::StandardRun;
use hecun::rules::{Status, Value};
use hecun::{Crs, CrsEngine, Plan, Transformer};

const URBAN: [&str; 2] = ["城镇建设用地", "产业集聚区"];
/// In a 乡 only an industrial cluster makes land urban (the source plan excludes 乡 seats).
const XIANG_URBAN: [&str; 1] = ["产业集聚区"];

/// The urban classes of a township of type `kind`.
fn urban_classes(kind: Option<&str>) -> &'static [&'static str] {
    if kind == Some("乡") {
        &XIANG_URBAN
    } else {
        &URBAN
    }
}
const GB: &str = "GB 50180-2018";
const RURAL: &str = "河南省新型农村社区规划建设导则";
const CIRCLES: [(&str, f64); 4] = [
    ("幼儿园", 300.0),
    ("养老", 300.0),
    ("学校", 500.0),
    ("卫生院", 1000.0),
];

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo")
}

fn plugin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/planning-standard")
}

/// The demo plan, with `edit` applied to its text (paths stay relative to the demo folder).
fn plan(edit: impl Fn(String) -> String) -> Plan {
    let path = demo().join("plan.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    Plan::parse(&path, &edit(text)).unwrap()
}

/// A plan section (`[layers.NAME]` and its lines) replaced by `with`.
fn replace_section(text: &str, header: &str, with: &str) -> String {
    let start = text.find(header).unwrap();
    let end = text[start + header.len()..]
        .find("\n[")
        .map_or(text.len(), |i| start + header.len() + i + 1);
    format!("{}{with}{}", &text[..start], &text[end..])
}

struct Feature {
    properties: serde_json::Value,
    /// In EPSG:4326, as the file has it.
    lonlat: Geometry<f64>,
    /// In EPSG:4547, the demo plan's metric CRS.
    metric: Geometry<f64>,
}

fn read(path: &Path) -> Vec<Feature> {
    let text = std::fs::read_to_string(path).unwrap();
    let fc: geojson::FeatureCollection = text.parse().unwrap();
    let to_metric = Transformer::new(
        Crs::WGS84,
        Crs::from_epsg(4547).unwrap(),
        CrsEngine::Builtin,
    )
    .unwrap();
    fc.features
        .into_iter()
        .map(|f| {
            let lonlat: Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
            let mut metric = lonlat.clone();
            to_metric.transform(&mut metric).unwrap();
            Feature {
                properties: serde_json::Value::Object(f.properties.unwrap_or_default()),
                lonlat,
                metric,
            }
        })
        .collect()
}

fn field<'a>(f: &'a Feature, field: &str) -> &'a str {
    f.properties[field].as_str().unwrap()
}

/// What the plugin must answer for one community, computed here.
#[derive(Debug, PartialEq)]
struct Expected {
    standard: &'static str,
    failed: BTreeSet<String>,
    population: i64,
    site_area: Option<f64>,
    /// The share of the site in urban zoning (`None`: no site).
    urban_share: Option<f64>,
}

/// The planning-standard plugin's rules on the demo files, with `sites` and `facilities`
/// (`None`: the plan has no facilities layer) as given.
fn expected(sites: &[Feature], facilities: Option<&[Feature]>) -> BTreeMap<String, Expected> {
    let villages = read(&demo().join("villages.geojson"));
    let zoning = read(&demo().join("zoning.geojson"));
    // Each township's type (类型), as the townships layer gives it.
    let types: BTreeMap<String, String> = read(&demo().join("townships.geojson"))
        .iter()
        .map(|t| (field(t, "名称").to_owned(), field(t, "类型").to_owned()))
        .collect();
    let union_of = |classes: &[&str]| {
        zoning
            .iter()
            .filter(|z| classes.is_empty() || classes.contains(&field(z, "用地类型")))
            .fold(MultiPolygon::<f64>(vec![]), |acc, z| {
                acc.union(&polygons(&z.metric))
            })
    };
    let (town_urban, xiang_urban, all_zoning) =
        (union_of(&URBAN), union_of(&XIANG_URBAN), union_of(&[]));
    let mut population: BTreeMap<&str, i64> = BTreeMap::new();
    let mut township: BTreeMap<&str, &str> = BTreeMap::new();
    for v in &villages {
        *population.entry(field(v, "社区")).or_default() += v.properties["人口"].as_i64().unwrap();
        township.entry(field(v, "社区")).or_insert(field(v, "乡镇"));
    }
    population
        .into_iter()
        .map(|(community, people)| {
            let site = sites.iter().find(|s| field(s, "名称") == community);
            let area = site.map(|s| s.metric.unsigned_area());
            let mut failed = BTreeSet::new();
            let kind = types.get(township[community]).map(String::as_str);
            let urban = if kind == Some("乡") {
                &xiang_urban
            } else {
                &town_urban
            };
            let urban_share = site.map(|s| {
                polygons(&s.metric).intersection(urban).unsigned_area() / s.metric.unsigned_area()
            });
            // On no zoning polygon at all: not on planned construction land.
            if site.is_some_and(|s| {
                polygons(&s.metric)
                    .intersection(&all_zoning)
                    .unsigned_area()
                    == 0.0
            }) {
                failed.insert("on_construction_land".to_owned());
            }
            let standard = if urban_share.is_some_and(|share| share >= 0.5) {
                if let Some(facilities) = facilities {
                    let site = &site.unwrap().metric;
                    for (class, limit) in CIRCLES {
                        let nearest = facilities
                            .iter()
                            .filter(|f| field(f, "类型") == class)
                            .map(|f| Euclidean.distance(site, &f.metric))
                            .min_by(f64::total_cmp);
                        if nearest.is_none_or(|d| d > limit) {
                            failed.insert(format!("life_circle_{class}"));
                        }
                    }
                }
                GB
            } else {
                if people < 2000 {
                    failed.insert("min_population".to_owned());
                }
                if area.is_none_or(|a| a / people as f64 > 100.0) {
                    failed.insert("max_land_per_person".to_owned());
                }
                RURAL
            };
            (
                community.to_owned(),
                Expected {
                    standard,
                    failed,
                    population: people,
                    site_area: area,
                    urban_share,
                },
            )
        })
        .collect()
}

/// The plugin's verdicts through the engine, in the same shape.
fn got(run: &StandardRun) -> BTreeMap<String, Expected> {
    run.candidates
        .iter()
        .zip(&run.verdicts)
        .map(|(c, v)| {
            let v = v.as_ref().unwrap();
            let standard = match v.standard.as_str() {
                GB => GB,
                RURAL => RURAL,
                other => panic!("unknown standard {other:?}"),
            };
            assert_eq!(
                v.verdict.status == Status::Pass,
                v.verdict.findings.is_empty()
            );
            let population = match c.feature("population") {
                Some(Value::Int(p)) => *p,
                other => panic!("population {other:?}"),
            };
            let site_area = match c.feature("site_area_m2") {
                Some(Value::Float(a)) => Some(*a),
                Some(Value::Missing) => None,
                other => panic!("site_area_m2 {other:?}"),
            };
            let kind = match c.feature("township_type") {
                Some(Value::Text(t)) => Some(t.as_str()),
                _ => None,
            };
            let urban_share = match c.feature("zoning_shares") {
                Some(Value::Json(serde_json::Value::Object(shares))) => Some(
                    urban_classes(kind)
                        .iter()
                        .filter_map(|class| shares.get(*class)?.as_f64())
                        .sum(),
                ),
                Some(Value::Missing) => None,
                other => panic!("zoning_shares {other:?}"),
            };
            (
                c.id().to_owned(),
                Expected {
                    standard,
                    failed: v.verdict.failed().into_iter().map(str::to_owned).collect(),
                    population,
                    site_area,
                    urban_share,
                },
            )
        })
        .collect()
}

fn assert_agree(got: &BTreeMap<String, Expected>, want: &BTreeMap<String, Expected>) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (name, want) in want {
        let got = &got[name];
        assert_eq!(got.standard, want.standard, "{name}");
        assert_eq!(got.failed, want.failed, "{name}");
        assert_eq!(got.population, want.population, "{name}");
        match (got.site_area, want.site_area) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-6 * b, "{name}: {a} vs {b}"),
            (a, b) => assert_eq!(a, b, "{name}"),
        }
        match (got.urban_share, want.urban_share) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-6, "{name}: {a} vs {b}"),
            (a, b) => assert_eq!(a, b, "{name}"),
        }
    }
}

fn run(plan: &Plan) -> StandardRun {
    let affected = plan.affected.run(&|_| {}).unwrap();
    StandardRun::run(plan, &affected, &plugin()).unwrap()
}

#[test]
fn demo_verdicts_agree_with_a_direct_computation() {
    let standards = run(&plan(|t| t));
    let sites = read(&demo().join("sites.geojson"));
    let facilities = read(&demo().join("facilities.geojson"));
    let want = expected(&sites, Some(&facilities));
    assert_agree(&got(&standards), &want);

    // The demo shows both standards and both outcomes of the guideline.
    let count = |standard: &str, pass: bool| {
        want.values()
            .filter(|e| e.standard == standard && e.failed.is_empty() == pass)
            .count()
    };
    assert!(count(GB, false) > 0 && count(RURAL, true) > 0 && count(RURAL, false) > 0);
    for failed in [
        "min_population",
        "max_land_per_person",
        "on_construction_land",
    ] {
        assert!(want.values().any(|e| e.failed.contains(failed)), "{failed}");
    }

    // The engine's site areas match the sites' own 面积公顷 (rounded to 0.01 ha).
    for c in &standards.candidates {
        let (Some(Value::Float(area)), Some(Value::Text(id))) =
            (c.feature("site_area_m2"), c.feature("site"))
        else {
            panic!("{} has no site", c.id());
        };
        let site = sites.iter().find(|s| field(s, "编号") == id).unwrap();
        let hectares = site.properties["面积公顷"].as_f64().unwrap();
        assert!(
            (area / 1e4 - hectares).abs() < 0.006 + 1e-4 * hectares,
            "{id}: {area} m² vs {hectares} ha"
        );
        // The plugin does not declare sites.面积公顷 in its reads: not handed over.
        assert_eq!(
            c.get("面积公顷"),
            Value::Missing,
            "an undeclared attribute of the site"
        );
    }

    // Every failed life circle names the nearest facility and its distance, beyond the limit.
    for v in standards.verdicts.iter().flatten() {
        for f in &v.verdict.findings {
            if f.criterion.starts_with("life_circle_") {
                let d = f.evidence["distance_m"].as_f64().unwrap();
                assert!(d > f.evidence["limit_m"].as_f64().unwrap());
                assert!(f.evidence["nearest"].as_str().unwrap().starts_with('F'));
            }
        }
    }
    assert!(
        standards.summary().contains("40 communities")
            && standards.summary().contains("0 without a site"),
        "{}",
        standards.summary()
    );
}

#[test]
fn facilities_inside_the_urban_sites_meet_every_life_circle() {
    // One facility of each type at the centroid of each site: every GB community passes.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo().join("facilities.geojson")).unwrap();
    let mut fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sites = read(&demo().join("sites.geojson"));
    let list = fc["features"].as_array_mut().unwrap();
    for s in &sites {
        let c: Point<f64> = s.lonlat.centroid().unwrap();
        for (class, _) in CIRCLES {
            list.push(serde_json::json!({
                "type": "Feature",
                "properties": {"编号": format!("X-{}-{class}", field(s, "编号")), "类型": class, "名称": "新建"},
                "geometry": {"type": "Point", "coordinates": [c.x(), c.y()]},
            }));
        }
    }
    let path = tmp.path().join("facilities.geojson");
    std::fs::write(&path, serde_json::to_string(&fc).unwrap()).unwrap();
    let standards = run(&plan(|t| {
        t.replace(
            r#"path = "facilities.geojson""#,
            &format!("path = {:?}", path.display().to_string()),
        )
    }));
    let facilities = read(&path);
    let want = expected(&sites, Some(&facilities));
    assert_agree(&got(&standards), &want);
    assert!(
        want.values()
            .filter(|e| e.standard == GB)
            .all(|e| e.failed.is_empty())
    );
}

#[test]
fn without_a_facilities_layer_the_life_circles_are_skipped() {
    let standards = run(&plan(|t| replace_section(&t, "[layers.facilities]", "")));
    let sites = read(&demo().join("sites.geojson"));
    let want = expected(&sites, None);
    assert_agree(&got(&standards), &want);
    assert!(want.values().any(|e| e.standard == GB));
    // The planner is told that the plugin reads a layer the plan does not list.
    assert_eq!(standards.warnings.len(), 1, "{:?}", standards.warnings);
    assert!(standards.warnings[0].to_string().contains("\"facilities\""));
    assert_eq!(
        standards.warnings[0].kind,
        hecun::WarningKind::LayerNotListed
    );
    assert!(run(&plan(|t| t)).warnings.is_empty());
}

#[test]
fn a_community_without_a_site_is_said_so_and_fails_land_per_person() {
    // Drop site S002 (金水镇新社区2) from the sites layer.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo().join("sites.geojson")).unwrap();
    let mut fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    fc["features"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["properties"]["编号"] != "S002");
    let path = tmp.path().join("sites.geojson");
    std::fs::write(&path, serde_json::to_string(&fc).unwrap()).unwrap();
    let standards = run(&plan(|t| {
        t.replace(
            r#"path = "sites.geojson""#,
            &format!("path = {:?}", path.display().to_string()),
        )
    }));
    let sites = read(&path);
    let want = expected(&sites, Some(&read(&demo().join("facilities.geojson"))));
    assert_agree(&got(&standards), &want);
    let i = standards
        .communities
        .iter()
        .position(|c| c.name == "金水镇新社区2")
        .unwrap();
    assert!(standards.candidates[i].geometry().is_none());
    assert!(
        standards.notes[i]
            .as_deref()
            .is_some_and(|n| n.contains("no site named \"金水镇新社区2\"")),
        "{:?}",
        standards.notes[i]
    );
    let v = standards.verdicts[i].as_ref().unwrap();
    assert_eq!(v.standard, RURAL);
    assert_eq!(v.verdict.failed(), vec!["max_land_per_person"]);
    assert!(standards.summary().contains("1 without a site"));
    let csv = String::from_utf8(standards.csv()).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("金水镇新社区2,") && l.contains("no site named"))
    );
}

#[test]
fn outputs_are_the_same_bytes_on_one_thread_and_on_all() {
    let plan = plan(|t| t);
    let all = run(&plan);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| run(&plan));
    assert!(all.csv() == one.csv());
    assert!(all.json() == one.json());
    assert!(all.csv().starts_with(b"\xEF\xBB\xBF"));
}

/// Issue 14: the townships layer's 类型 gives each community its township_type, the usual
/// spellings read as the plan's three words, and a value hecun does not know is a warning
/// naming file, feature, field and value, never a guessed type.
#[test]
fn township_types_come_from_the_townships_layer_and_an_unknown_one_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo().join("townships.geojson")).unwrap();
    let mut fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = fc["features"].as_array_mut().unwrap();
    // Feature 0 (金水镇) gets a value that is no township type; feature 1 (中原镇) the
    // long spelling of 街道.
    assert_eq!(features[0]["properties"]["名称"], "金水镇");
    features[0]["properties"]["类型"] = "村".into();
    assert_eq!(features[1]["properties"]["名称"], "中原镇");
    features[1]["properties"]["类型"] = "街道办事处".into();
    let path = tmp.path().join("townships.geojson");
    std::fs::write(&path, serde_json::to_string(&fc).unwrap()).unwrap();
    let standards = run(&plan(|t| {
        t.replace(
            r#"path = "townships.geojson""#,
            &format!("path = {:?}", path.display().to_string()),
        )
    }));
    let warned: Vec<&hecun::Warning> = standards
        .warnings
        .iter()
        .filter(|w| w.value.as_deref() == Some("村"))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", standards.warnings);
    let w = warned[0];
    assert_eq!(w.field.as_deref(), Some("类型"));
    assert_eq!(w.feature, Some(0));
    assert!(
        w.file
            .as_deref()
            .is_some_and(|f| f.ends_with("townships.geojson"))
    );
    assert!(w.message.contains("金水镇"), "{}", w.message);
    let townships = read(&demo().join("townships.geojson"));
    let types: BTreeMap<&str, &str> = townships
        .iter()
        .map(|t| (field(t, "名称"), field(t, "类型")))
        .collect();
    for (c, candidate) in standards.communities.iter().zip(&standards.candidates) {
        let got = candidate.feature("township_type").cloned();
        let want = match c.township.as_str() {
            "金水镇" => Value::Missing,
            "中原镇" => Value::Text("街道".into()),
            other => Value::Text(types[other].to_owned()),
        };
        assert_eq!(got, Some(want), "{}", c.name);
    }
}
