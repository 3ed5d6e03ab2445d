//! The manifest's [[tests]], natively, with a small host that answers the spatial helpers as
//! the case's layers would. Reasons are the manifest's messages as they cross the wire
//! (`message(id, args)`); the host fills them in the report's language.

use super::*;
use hecun_plugin_sdk::testing::{self, Answer, Host, select_one};

/// The manifest's `[params]`.
fn params() -> serde_json::Value {
    json!({
        "urban_classes": ["城镇建设用地", "产业集聚区"],
        "xiang_urban_classes": ["产业集聚区"],
        "urban_min_share": 0.5,
        "edition": "GB 50180-2018",
        "rural_standard": "河南省新型农村社区规划建设导则",
        "min_population": 2000,
        "max_land_per_person_m2": 100,
        "life_circles_for_rural": false,
        "editions": {
            "GB 50180-2018": {
                "note": "现行；方案所引GB 50180-93已被替代",
                "life_circles": {
                    "幼儿园": { "circle": "5分钟生活圈", "metres": 300, "clause": "C5" },
                    "养老": { "circle": "5分钟生活圈", "metres": 300, "clause": "C5" },
                    "学校": { "circle": "10分钟生活圈", "metres": 500, "clause": "C10" },
                    "卫生院": { "circle": "15分钟生活圈", "metres": 1000, "clause": "C15" },
                }
            },
            "GB 50180-93": {
                "note": "方案所引版本，已被GB 50180-2018替代",
                "life_circles": {
                    "幼儿园": { "circle": "居住小区级服务半径", "metres": 300, "clause": "A1" },
                    "学校": { "circle": "居住小区级服务半径", "metres": 500, "clause": "A2" },
                }
            }
        }
    })
}

const RURAL: &str = "河南省新型农村社区规划建设导则";
const URBAN: &str = "GB 50180-2018";

/// The layers of a case, as the helpers see them from the site.
#[derive(Default, Clone)]
struct Place {
    geometry: bool,
    /// zoning: (class, share of the site).
    zoning: Option<Vec<(&'static str, f64)>>,
    /// facilities: (class, id, metres from the site).
    facilities: Option<Vec<(&'static str, &'static str, f64)>>,
}

impl Host for Place {
    fn has_layer(&self, _: u32, layer: &str) -> bool {
        match layer {
            "zoning" => self.zoning.is_some(),
            "facilities" => self.facilities.is_some(),
            _ => false,
        }
    }
    fn has_geometry(&self, _: u32) -> bool {
        self.geometry
    }
    fn overlap_share(&self, _: u32, layer: &str, class: Option<&str>) -> Result<f64, String> {
        assert_eq!(layer, "zoning");
        Ok(self
            .zoning
            .iter()
            .flatten()
            .filter(|(c, _)| class.is_none_or(|class| *c == class))
            .map(|(_, s)| s)
            .sum())
    }
    fn nearest(
        &self,
        _: u32,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<(String, f64)>, String> {
        assert_eq!(layer, "facilities");
        Ok(self
            .facilities
            .iter()
            .flatten()
            .filter(|(c, ..)| Some(*c) == class)
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .map(|(_, id, d)| ((*id).to_owned(), *d)))
    }
}

fn select(place: Place, features: &[(&str, Value)]) -> (String, Vec<Finding>) {
    testing::set_host(place);
    let answer = select_one::<PlanningStandard>(params(), features);
    testing::clear_host();
    match answer {
        Answer::Standard(s) => (s.name, s.findings),
        other => panic!("{other:?}"),
    }
}

fn failed(findings: &[Finding]) -> Vec<&str> {
    let mut c: Vec<&str> = findings.iter().map(|f| f.criterion.as_str()).collect();
    c.sort_unstable();
    c
}

fn square() -> Place {
    Place {
        geometry: true,
        ..Place::default()
    }
}

#[test]
fn the_guideline_cases() {
    let (s, f) = select(
        Place::default(),
        &[
            ("population", Value::Int(2500)),
            ("land_per_person_m2", 80.0.into()),
            ("site_area_m2", 200000.0.into()),
        ],
    );
    assert_eq!((s.as_str(), failed(&f)), (RURAL, vec![]));

    let (_, f) = select(
        Place::default(),
        &[
            ("population", Value::Int(2000)),
            ("land_per_person_m2", 100.0.into()),
            ("site_area_m2", 200000.0.into()),
        ],
    );
    assert!(f.is_empty());

    let (_, f) = select(
        Place::default(),
        &[
            ("population", Value::Int(1999)),
            ("land_per_person_m2", 90.0.into()),
            ("site_area_m2", 179910.0.into()),
        ],
    );
    assert_eq!(failed(&f), ["min_population"]);
    assert_eq!(
        f[0].reason,
        message(
            "population_below",
            json!({ "population": 1999, "min": 2000 })
        )
    );

    let (_, f) = select(
        Place::default(),
        &[
            ("population", Value::Int(3000)),
            ("land_per_person_m2", 100.5.into()),
            ("site_area_m2", 301500.0.into()),
        ],
    );
    assert_eq!(failed(&f), ["max_land_per_person"]);
    assert_eq!(
        f[0].reason,
        message("land_above", json!({ "land": 100.5, "max": 100.0 }))
    );
    assert_eq!(
        serde_json::Value::Object(f[0].evidence.clone()),
        json!({ "community": "candidate", "land_per_person_m2": 100.5, "max_land_per_person_m2": 100.0,
                "site_area_m2": 301500.0, "population": 3000,
                "basis": "乡镇类型未知：城镇建设用地、产业集聚区用地计入城镇；无分区数据，适用省导则" })
    );

    let (_, f) = select(
        Place::default(),
        &[
            ("population", Value::Int(800)),
            ("land_per_person_m2", 250.0.into()),
            ("site_area_m2", 200000.0.into()),
        ],
    );
    assert_eq!(failed(&f), ["max_land_per_person", "min_population"]);
    // In the script's order: population first.
    assert_eq!(f[0].criterion, "min_population");

    let (_, f) = select(Place::default(), &[("population", Value::Int(5000))]);
    assert_eq!(failed(&f), ["max_land_per_person"]);
    assert_eq!(f[0].reason, message("land_unknown_no_site", json!({})));

    let (_, f) = select(
        Place::default(),
        &[
            ("land_per_person_m2", 60.0.into()),
            ("site_area_m2", 200000.0.into()),
        ],
    );
    assert_eq!(failed(&f), ["min_population"]);
    assert_eq!(
        serde_json::Value::Object(f[0].evidence.clone()),
        json!({ "community": "candidate", "min_population": 2000,
                "basis": "乡镇类型未知：城镇建设用地、产业集聚区用地计入城镇；无分区数据，适用省导则" })
    );
}

#[test]
fn zoning_decides_the_standard() {
    // R8: village construction land, a far kindergarten does not matter.
    let place = Place {
        zoning: Some(vec![("乡村建设用地", 1.0)]),
        facilities: Some(vec![("幼儿园", "F1", 4800.0)]),
        ..square()
    };
    let f = [
        ("population", Value::Int(2400)),
        ("land_per_person_m2", 16.7.into()),
        ("site_area_m2", 40000.0.into()),
    ];
    let (s, found) = select(place, &f);
    assert_eq!((s.as_str(), found.len()), (RURAL, 0));
    // R9: 40% urban is not inside it.
    let place = Place {
        zoning: Some(vec![("城镇建设用地", 0.4), ("乡村建设用地", 0.6)]),
        ..square()
    };
    let (s, found) = select(
        place,
        &[
            ("population", Value::Int(1500)),
            ("land_per_person_m2", 26.7.into()),
        ],
    );
    assert_eq!(
        (s.as_str(), failed(&found)),
        (RURAL, vec!["min_population"])
    );
    // R10: the layer, not land_use, when the site has a polygon.
    let place = Place {
        zoning: Some(vec![]),
        ..square()
    };
    let (s, _) = select(
        place,
        &[
            ("population", Value::Int(2400)),
            ("land_use", "城镇建设用地".into()),
        ],
    );
    assert_eq!(s, RURAL);
    // U7: 30% + 30% add up.
    let place = Place {
        zoning: Some(vec![
            ("城镇建设用地", 0.3),
            ("产业集聚区", 0.3),
            ("乡村建设用地", 0.4),
        ]),
        ..square()
    };
    let (s, _) = select(place, &[("population", Value::Int(3000))]);
    assert_eq!(s, URBAN);
    // U8: no zoning geometry: land_use decides.
    let (s, found) = select(
        Place::default(),
        &[
            ("population", Value::Int(500)),
            ("land_use", "产业集聚区".into()),
        ],
    );
    assert_eq!((s.as_str(), found.len()), (URBAN, 0));
}

fn urban(facilities: Vec<(&'static str, &'static str, f64)>) -> Place {
    Place {
        zoning: Some(vec![("城镇建设用地", 1.0)]),
        facilities: Some(facilities),
        ..square()
    }
}

#[test]
fn the_life_circles() {
    let pop = [("population", Value::Int(3000))];
    // U1, U2: all inside (300 m exactly is inside).
    let (s, f) = select(
        urban(vec![
            ("幼儿园", "F1", 300.0),
            ("养老", "F2", 0.0),
            ("学校", "F3", 450.0),
            ("卫生院", "F4", 900.0),
        ]),
        &pop,
    );
    assert_eq!((s.as_str(), f.len()), (URBAN, 0));
    // U4: each missed circle is its own finding, in the order of the classes' names.
    let (_, f) = select(
        urban(vec![
            ("幼儿园", "F1", 0.0),
            ("养老", "F2", 0.0),
            ("学校", "F3", 501.0),
            ("卫生院", "F4", 1001.0),
            ("学校", "F5", 1800.0),
        ]),
        &pop,
    );
    let criteria: Vec<&str> = f.iter().map(|f| f.criterion.as_str()).collect();
    assert_eq!(criteria, ["life_circle_卫生院", "life_circle_学校"]);
    assert_eq!(
        f[1].reason,
        message(
            "circle_too_far",
            json!({ "circle": "10分钟生活圈", "class": "学校", "facility": "F3",
                    "distance": 501.0, "limit": 500.0 })
        )
    );
    assert_eq!(
        serde_json::Value::Object(f[1].evidence.clone()),
        json!({ "community": "candidate", "class": "学校", "circle": "10分钟生活圈", "limit_m": 500.0,
                "nearest": "F3", "distance_m": 501.0, "edition": "GB 50180-2018", "clause": "C10",
                "basis": "乡镇类型未知：城镇建设用地、产业集聚区用地计入城镇，覆盖安置点达到 50% 即适用 GB 50180" })
    );
    // U5: a type missing from the layer.
    let (_, f) = select(
        urban(vec![
            ("幼儿园", "F1", 0.0),
            ("学校", "F3", 0.0),
            ("卫生院", "F4", 0.0),
        ]),
        &pop,
    );
    assert_eq!(failed(&f), ["life_circle_养老"]);
    assert_eq!(
        f[0].reason,
        message(
            "circle_no_facility",
            json!({ "circle": "5分钟生活圈", "class": "养老" })
        )
    );
    // U6: no facilities layer: skipped.
    let place = Place {
        zoning: Some(vec![("城镇建设用地", 1.0)]),
        ..square()
    };
    let (s, f) = select(
        place,
        &[
            ("population", Value::Int(500)),
            ("land_per_person_m2", 300.0.into()),
        ],
    );
    assert_eq!((s.as_str(), f.len()), (URBAN, 0));
    // U9: urban land use but no site: every circle fails.
    let place = Place {
        facilities: Some(vec![("幼儿园", "F1", 0.0)]),
        ..Place::default()
    };
    let (s, f) = select(
        place,
        &[
            ("population", Value::Int(3000)),
            ("land_use", "城镇建设用地".into()),
        ],
    );
    assert_eq!(s, URBAN);
    let criteria: Vec<&str> = f.iter().map(|f| f.criterion.as_str()).collect();
    assert_eq!(
        criteria,
        [
            "life_circle_养老",
            "life_circle_卫生院",
            "life_circle_学校",
            "life_circle_幼儿园"
        ]
    );
    assert_eq!(
        f[0].reason,
        message(
            "circle_no_site",
            json!({ "circle": "5分钟生活圈", "class": "养老" })
        )
    );
}

/// A case with its own parameters in place of the defaults.
fn select_with(
    params: serde_json::Value,
    place: Place,
    features: &[(&str, Value)],
) -> (String, Vec<Finding>) {
    testing::set_host(place);
    let answer = select_one::<PlanningStandard>(params, features);
    testing::clear_host();
    match answer {
        Answer::Standard(s) => (s.name, s.findings),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_xiang_seat_is_not_a_town() {
    let xiang = ("township_type", Value::from("乡"));
    let pop = ("population", Value::Int(2400));
    let land = ("land_per_person_m2", Value::from(16.7));
    // X1: urban land under the whole site of a 乡 community: the guideline.
    let place = Place {
        zoning: Some(vec![("城镇建设用地", 1.0)]),
        ..square()
    };
    let (s, f) = select(place, &[xiang.clone(), pop.clone(), land.clone()]);
    assert_eq!((s.as_str(), f.len()), (RURAL, 0));
    // X2: an industrial cluster over 60% of it: GB 50180.
    let place = Place {
        zoning: Some(vec![("产业集聚区", 0.6), ("城镇建设用地", 0.4)]),
        ..square()
    };
    let (s, _) = select(place, &[xiang.clone(), pop.clone()]);
    assert_eq!(s, URBAN);
    // X3: 30% industrial is not enough, whatever the urban land.
    let place = Place {
        zoning: Some(vec![("产业集聚区", 0.3), ("城镇建设用地", 0.7)]),
        ..square()
    };
    let (s, f) = select(
        place,
        &[
            xiang.clone(),
            ("population", Value::Int(1500)),
            land.clone(),
        ],
    );
    assert_eq!((s.as_str(), failed(&f)), (RURAL, vec!["min_population"]));
    assert_eq!(
        f[0].evidence["basis"],
        "乡：乡驻地不按城镇计，只有产业集聚区用地计入城镇，覆盖安置点达到 50% 即适用 GB 50180"
    );
    // X4, X5: a 镇 and a 街道 are towns.
    let place = Place {
        zoning: Some(vec![("城镇建设用地", 1.0)]),
        ..square()
    };
    let (s, _) = select(place, &[("township_type", "镇".into()), pop.clone()]);
    assert_eq!(s, URBAN);
    let (s, _) = select(
        Place::default(),
        &[
            ("township_type", "街道".into()),
            ("land_use", "城镇建设用地".into()),
        ],
    );
    assert_eq!(s, URBAN);
    // X6, X7: land_use in a 乡.
    let (s, _) = select(
        Place::default(),
        &[xiang.clone(), ("land_use", "城镇建设用地".into())],
    );
    assert_eq!(s, RURAL);
    let (s, _) = select(
        Place::default(),
        &[xiang, ("land_use", "产业集聚区".into())],
    );
    assert_eq!(s, URBAN);
}

#[test]
fn a_site_on_no_zoning_fails_planned_construction_land() {
    let rural = [
        ("population", Value::Int(2400)),
        ("land_per_person_m2", Value::from(16.7)),
        ("site_area_m2", Value::from(40000.0)),
        ("site", Value::from("S1")),
    ];
    // O1, O2: no zoning covers the site.
    let place = Place {
        zoning: Some(vec![]),
        ..square()
    };
    let (s, f) = select(place, &rural);
    assert_eq!(
        (s.as_str(), failed(&f)),
        (RURAL, vec!["on_construction_land"])
    );
    assert_eq!(f[0].evidence["site"], "S1");
    // O3: some does.
    let place = Place {
        zoning: Some(vec![("乡村建设用地", 0.05)]),
        ..square()
    };
    let (_, f) = select(place, &rural);
    assert!(f.is_empty());
    // O4, O5: without zoning geometry, the feature.
    let mut with = rural.to_vec();
    with.push(("outside_zoning", Value::Bool(true)));
    let (_, f) = select(Place::default(), &with);
    assert_eq!(failed(&f), ["on_construction_land"]);
    with.pop();
    with.push(("outside_zoning", Value::Bool(false)));
    let (_, f) = select(Place::default(), &with);
    assert!(f.is_empty());
}

#[test]
fn the_edition_is_a_parameter() {
    let mut p = params();
    p["edition"] = "GB 50180-93".into();
    let place = || {
        urban(vec![
            ("幼儿园", "F1", 0.0),
            ("学校", "F3", 501.0),
            ("卫生院", "F4", 4800.0),
        ])
    };
    let pop = [("population", Value::Int(3000))];
    // E2: the 93 edition checks only the kindergarten and the school.
    let (s, f) = select_with(p.clone(), place(), &pop);
    assert_eq!(
        (s.as_str(), failed(&f)),
        ("GB 50180-93", vec!["life_circle_学校"])
    );
    assert_eq!(f[0].evidence["edition"], "GB 50180-93");
    assert_eq!(f[0].evidence["clause"], "A2");
    // E3: the 2018 edition on the same data.
    let (s, f) = select(place(), &pop);
    assert_eq!(
        (s.as_str(), failed(&f)),
        (
            URBAN,
            vec!["life_circle_养老", "life_circle_卫生院", "life_circle_学校"]
        )
    );
    // An edition the table does not have is an error, on any community.
    p["edition"] = "GB 50180-2002".into();
    testing::set_host(Place::default());
    let answer = select_one::<PlanningStandard>(p, &pop);
    testing::clear_host();
    match answer {
        Answer::Error(e) => assert!(e.contains("params.edition = GB 50180-2002"), "{e}"),
        other => panic!("{other:?}"),
    }
}
