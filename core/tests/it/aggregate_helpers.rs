//! The aggregate helpers (sum, count and mean of a field within a distance, inside a polygon,
//! in an area of another layer, grouped by an attribute or by another layer's polygons):
//! against a hand-rolled loop over every feature on random layers, their errors (never a
//! silent 0), and the same answers from Rhai and from WebAssembly, to the bit.

use std::collections::BTreeMap;
use std::sync::Arc;

use geo::{Geometry, InteriorPoint, Intersects, Point, Polygon, polygon};
use hecun::rules::{Candidate, Value, helpers};
use hecun::{Grouping, IndexedLayer, LayerItem, Properties, SpatialLayers};
use proptest::prelude::*;

use crate::common::stars;

const TOWNS: [&str; 3] = ["东镇", "西镇", "T10"];

/// One feature: its geometry, its town and its head count.
type Feature = (Geometry<f64>, usize, f64);

fn features() -> impl Strategy<Value = Vec<Feature>> {
    prop::collection::vec(
        (
            prop_oneof![
                (0.0..3000.0f64, 0.0..3000.0f64)
                    .prop_map(|(x, y)| Geometry::Point(Point::new(x, y))),
                stars(30.0..200.0, 0.6..1.3, 5..9).prop_map(Geometry::Polygon),
            ],
            0..3usize,
            // Whole numbers and fractions, negative ones too: the sum's order shows in its bits.
            // Each as the host reads it back from the file's JSON text (without serde_json's
            // float_roundtrip, the last bit may differ from the number written).
            prop_oneof![(-50i32..200).prop_map(f64::from), -50.0..200.0f64].prop_map(|n| {
                serde_json::from_str::<f64>(&serde_json::json!(n).to_string()).unwrap()
            }),
        ),
        0..40,
    )
}

fn item(id: String, geometry: Geometry<f64>, properties: &str) -> LayerItem {
    LayerItem {
        id,
        class: None,
        geometry,
        properties: Some(Properties::from_json(properties).unwrap()),
    }
}

/// Layer `patients` (人数, 街镇) and layer `areas` (polygons A0, A1, …).
fn layers(features: &[Feature], areas: &[Polygon<f64>]) -> Arc<SpatialLayers> {
    let mut layers = SpatialLayers::new();
    layers.insert(IndexedLayer::new(
        "patients",
        features
            .iter()
            .enumerate()
            .map(|(i, (g, town, n))| {
                let props = serde_json::json!({ "人数": n, "街镇": TOWNS[*town] }).to_string();
                item(format!("P{i}"), g.clone(), &props)
            })
            .collect(),
    ));
    layers.insert(IndexedLayer::new(
        "areas",
        areas
            .iter()
            .enumerate()
            .map(|(i, p)| item(format!("A{i}"), Geometry::Polygon(p.clone()), "{}"))
            .collect(),
    ));
    Arc::new(layers)
}

fn candidate(id: &str, geometry: Geometry<f64>, layers: &Arc<SpatialLayers>) -> Candidate {
    let polygon = matches!(geometry, Geometry::Polygon(_));
    Candidate::with_place(
        id,
        vec!["polygon".to_owned()].into(),
        vec![Value::Bool(polygon)],
        None,
        Some(geometry),
        Some(layers.clone()),
    )
}

/// Sum (from +0.0, in the order given) and mean of the head counts of `members`.
fn brute(features: &[Feature], members: &[usize]) -> (f64, Option<f64>) {
    let mut sum = 0.0;
    for &i in members {
        sum += features[i].2;
    }
    let mean = (!members.is_empty()).then(|| sum / members.len() as f64);
    (sum, mean)
}

fn bits(x: f64) -> u64 {
    x.to_bits()
}

fn same_mean(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(bits) == b.map(bits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn aggregates_match_a_loop_over_every_feature(
        features in features(),
        areas in prop::collection::vec(stars(300.0..900.0, 0.6..1.3, 5..10), 1..5),
        c in stars(200.0..900.0, 0.6..1.3, 5..10),
        d in 0.0..800.0f64,
    ) {
        let layers = layers(&features, &areas);
        let site = candidate("S1", Geometry::Polygon(c.clone()), &layers);
        let site_g = Geometry::Polygon(c.clone());
        let rep: Vec<Option<Point<f64>>> = features.iter().map(|(g, _, _)| g.interior_point()).collect();
        let all: Vec<usize> = (0..features.len()).collect();
        let empty = features.is_empty();

        if empty {
            // No feature has the field: an error, never 0.
            prop_assert!(helpers::sum_within(&site, "patients", "人数", d).is_err());
            return Ok(());
        }

        // Within a distance: file order.
        let within: Vec<usize> = all.iter().copied()
            .filter(|&i| geo::Distance::distance(&geo::Euclidean, &site_g, &features[i].0) <= d)
            .collect();
        let (sum, mean) = brute(&features, &within);
        prop_assert_eq!(bits(helpers::sum_within(&site, "patients", "人数", d).unwrap()), bits(sum));
        prop_assert!(same_mean(helpers::mean_within(&site, "patients", "人数", d).unwrap(), mean));

        // Inside the candidate's polygon, by representative point.
        let inside: Vec<usize> = all.iter().copied()
            .filter(|&i| rep[i].is_some_and(|p| site_g.intersects(&p)))
            .collect();
        let (sum, mean) = brute(&features, &inside);
        prop_assert_eq!(bits(helpers::sum_inside(&site, "patients", "人数").unwrap()), bits(sum));
        prop_assert_eq!(helpers::count_inside(&site, "patients").unwrap(), inside.len());
        prop_assert!(same_mean(helpers::mean_inside(&site, "patients", "人数").unwrap(), mean));

        // Grouped by an attribute: groups sorted, each summed in file order.
        let mut by_town: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in &all {
            by_town.entry(TOWNS[features[i].1].to_owned()).or_default().push(i);
        }
        let sums = helpers::sum_by(&site, "patients", "人数", "街镇").unwrap();
        let counts = helpers::count_by(&site, "patients", "街镇").unwrap();
        let means = helpers::mean_by(&site, "patients", "人数", "街镇").unwrap();
        prop_assert_eq!(sums.keys().collect::<Vec<_>>(), by_town.keys().collect::<Vec<_>>());
        for (town, members) in &by_town {
            let (sum, mean) = brute(&features, members);
            prop_assert_eq!(bits(sums[town]), bits(sum));
            prop_assert_eq!(counts[town], members.len() as i64);
            prop_assert!(same_mean(means[town], mean));
        }

        // Grouped by the polygons of another layer: each feature in the first area (in file
        // order) holding its representative point; every area listed.
        let mut by_area: Vec<Vec<usize>> = vec![Vec::new(); areas.len()];
        for &i in &all {
            if let Some(p) = rep[i]
                && let Some(a) = areas.iter().position(|area| area.intersects(&p))
            {
                by_area[a].push(i);
            }
        }
        let sums = helpers::sum_by_area(&site, "patients", "人数", "areas").unwrap();
        let counts = helpers::count_by_area(&site, "patients", "areas").unwrap();
        let means = helpers::mean_by_area(&site, "patients", "人数", "areas").unwrap();
        prop_assert_eq!(sums.len(), areas.len());
        for (a, members) in by_area.iter().enumerate() {
            let id = format!("A{a}");
            let (sum, mean) = brute(&features, members);
            prop_assert_eq!(bits(sums[&id]), bits(sum));
            prop_assert_eq!(counts[&id], members.len() as i64);
            prop_assert!(same_mean(means[&id], mean));
            // One area: the grouped answer's entry.
            prop_assert_eq!(bits(helpers::sum_in_area(&site, "patients", "人数", "areas", &id).unwrap()), bits(sum));
            prop_assert_eq!(helpers::count_in_area(&site, "patients", "areas", &id).unwrap(), members.len());
            prop_assert!(same_mean(helpers::mean_in_area(&site, "patients", "人数", "areas", &id).unwrap(), mean));
        }
    }
}

/// Three patients: two with 人数, P3 without.
fn small(p3: &str) -> Arc<SpatialLayers> {
    let mut layers = SpatialLayers::new();
    layers.insert(IndexedLayer::new(
        "patients",
        vec![
            item(
                "P1".into(),
                Geometry::Point(Point::new(10.0, 0.0)),
                r#"{"人数": 3, "街镇": "东镇"}"#,
            ),
            item(
                "P2".into(),
                Geometry::Point(Point::new(20.0, 0.0)),
                r#"{"人数": 4.5, "街镇": "西镇"}"#,
            ),
            item("P3".into(), Geometry::Point(Point::new(5000.0, 0.0)), p3),
        ],
    ));
    layers.insert(IndexedLayer::new(
        "townships",
        vec![item(
            "T1".into(),
            Geometry::Polygon(polygon![(x: 0.0, y: -50.0), (x: 100.0, y: -50.0), (x: 100.0, y: 50.0), (x: 0.0, y: 50.0)]),
            "{}",
        )],
    ));
    Arc::new(layers)
}

fn at(x: f64, layers: &Arc<SpatialLayers>) -> Candidate {
    candidate("S1", Geometry::Point(Point::new(x, 0.0)), layers)
}

#[test]
fn a_misspelt_field_is_an_error_that_names_layer_and_field_and_lists_the_fields() {
    let layers = small(r#"{"人数": 1, "街镇": "东镇"}"#);
    let site = at(0.0, &layers);
    let err = helpers::sum_within(&site, "patients", "人 数", 100.0).unwrap_err();
    assert_eq!(
        err,
        "layer \"patients\" has no field \"人 数\" (none of its 3 features has it; its fields: 人数, 街镇; \
         a plugin is handed only the fields its reads declares: \"patients.人 数\")"
    );
    // Whichever helper asks, and whether or not a feature lies within reach.
    assert_eq!(
        helpers::sum_within(&site, "patients", "人 数", 1.0).unwrap_err(),
        err
    );
    assert_eq!(
        helpers::mean_within(&site, "patients", "人 数", 1.0).unwrap_err(),
        err
    );
    assert_eq!(
        helpers::sum_by(&site, "patients", "人 数", "街镇").unwrap_err(),
        err
    );
    assert_eq!(
        helpers::sum_by_area(&site, "patients", "人 数", "townships").unwrap_err(),
        err
    );
    assert!(
        helpers::count_by(&site, "patients", "镇")
            .unwrap_err()
            .contains("has no field \"镇\"")
    );
}

#[test]
fn a_value_that_is_not_a_number_names_feature_field_and_value() {
    let layers = small(r#"{"人数": "十二", "街镇": "东镇"}"#);
    let site = at(5000.0, &layers);
    assert_eq!(
        helpers::sum_within(&site, "patients", "人数", 10.0).unwrap_err(),
        "feature \"P3\" of layer \"patients\" has \"人数\" = \"十二\", which is not a number"
    );
    // Text that looks like a number is text all the same.
    let layers = small(r#"{"人数": "12", "街镇": "东镇"}"#);
    assert!(
        helpers::sum_by(&at(0.0, &layers), "patients", "人数", "街镇")
            .unwrap_err()
            .contains("has \"人数\" = \"12\", which is not a number")
    );
    // Out of reach, it is not read.
    assert_eq!(
        helpers::sum_within(&at(0.0, &layers), "patients", "人数", 100.0).unwrap(),
        7.5
    );
}

#[test]
fn a_feature_without_the_field_is_an_error_not_a_zero() {
    for p3 in [r#"{"街镇": "东镇"}"#, r#"{"人数": null, "街镇": "东镇"}"#] {
        let layers = small(p3);
        let err = helpers::sum_by(&at(0.0, &layers), "patients", "人数", "街镇").unwrap_err();
        assert_eq!(
            err,
            "feature \"P3\" of layer \"patients\" has no value for field \"人数\" (other features have one; write 0 in the file where 0 is meant)"
        );
        // Counting features needs no field.
        assert_eq!(
            helpers::count_by(&at(0.0, &layers), "patients", "街镇").unwrap()["东镇"],
            2
        );
    }
    let layers = small(r#"{"人数": 1}"#);
    assert_eq!(
        helpers::count_by(&at(0.0, &layers), "patients", "街镇").unwrap_err(),
        "feature \"P3\" of layer \"patients\" has no value for field \"街镇\", which the features are grouped by"
    );
}

#[test]
fn a_sum_of_nothing_is_zero_and_a_mean_of_nothing_is_none() {
    let layers = small(r#"{"人数": -0.0, "街镇": "东镇"}"#);
    let far = at(-9000.0, &layers);
    let sum = helpers::sum_within(&far, "patients", "人数", 10.0).unwrap();
    // +0.0, not the -0.0 `Iterator::sum` gives for no floats.
    assert_eq!(sum.to_bits(), 0.0f64.to_bits());
    assert_eq!(
        helpers::mean_within(&far, "patients", "人数", 10.0).unwrap(),
        None
    );
    // A -0.0 in the file adds to +0.0.
    let p3 = at(5000.0, &layers);
    assert_eq!(
        helpers::sum_within(&p3, "patients", "人数", 1.0)
            .unwrap()
            .to_bits(),
        0.0f64.to_bits()
    );
    // An area without features: listed, sum 0, mean none.
    let mut areas = SpatialLayers::new();
    areas.insert(IndexedLayer::new(
        "patients",
        vec![item(
            "P1".into(),
            Geometry::Point(Point::new(10.0, 0.0)),
            r#"{"人数": 3}"#,
        )],
    ));
    areas.insert(IndexedLayer::new(
        "townships",
        vec![
            item(
                "T1".into(),
                Geometry::Polygon(
                    polygon![(x: 0.0, y: -50.0), (x: 100.0, y: -50.0), (x: 0.0, y: 50.0)],
                ),
                "{}",
            ),
            item(
                "T2".into(),
                Geometry::Polygon(
                    polygon![(x: 500.0, y: 0.0), (x: 600.0, y: 0.0), (x: 600.0, y: 100.0)],
                ),
                "{}",
            ),
        ],
    ));
    let areas = Arc::new(areas);
    let site = at(0.0, &areas);
    assert_eq!(
        helpers::sum_by_area(&site, "patients", "人数", "townships").unwrap(),
        BTreeMap::from([("T1".to_owned(), 3.0), ("T2".to_owned(), 0.0)])
    );
    assert_eq!(
        helpers::mean_by_area(&site, "patients", "人数", "townships").unwrap(),
        BTreeMap::from([("T1".to_owned(), Some(3.0)), ("T2".to_owned(), None)])
    );
    assert_eq!(
        helpers::mean_in_area(&site, "patients", "人数", "townships", "T2").unwrap(),
        None
    );
}

#[test]
fn areas_and_places_the_helpers_cannot_use_are_named() {
    let layers = small(r#"{"人数": 1, "街镇": "东镇"}"#);
    let site = at(0.0, &layers);
    assert_eq!(
        helpers::sum_in_area(&site, "patients", "人数", "townships", "T9").unwrap_err(),
        "layer \"townships\" has no feature \"T9\""
    );
    assert!(
        helpers::count_inside(&site, "patients")
            .unwrap_err()
            .contains("candidate \"S1\" has no area")
    );
    assert!(
        helpers::count_by_area(&site, "patients", "districts")
            .unwrap_err()
            .contains("no layer \"districts\" is loaded")
    );
}

#[test]
fn grouped_aggregates_are_computed_once_per_layer_field_and_grouping() {
    let layers = small(r#"{"人数": 1, "街镇": "东镇"}"#);
    let by = Grouping::Attribute("街镇".into());
    let a = layers.grouped("patients", Some("人数"), &by).unwrap();
    let b = layers.grouped("patients", Some("人数"), &by).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    let c = layers.grouped("patients", None, &by).unwrap();
    assert!(!Arc::ptr_eq(&a, &c));
    // Threads asking at once for a grouping not computed yet all get the one answer.
    let by_area = Grouping::Area("townships".into());
    let answers: Vec<_> = std::thread::scope(|s| {
        let asks: Vec<_> = (0..8)
            .map(|_| s.spawn(|| layers.grouped("patients", Some("人数"), &by_area).unwrap()))
            .collect();
        asks.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|x| Arc::ptr_eq(x, &answers[0])));
    assert_eq!(answers[0]["T1"].count, 2);
}

/// Rhai and WebAssembly: the same rule in both (`tests/fixtures/aggregates/score.rhai`,
/// `plugins/test-guests/aggregates`).
#[cfg(all(feature = "rhai", feature = "wasm"))]
mod runtimes {
    use std::path::Path;
    use std::sync::Arc;

    use geo::{Geometry, Point, polygon};
    use hecun::SpatialLayers;
    use hecun::rules::{Candidate, Score};

    use super::{Feature, candidate, layers};

    fn plugin_dir(dir: &Path, runtime: &str, params: &str) -> std::path::PathBuf {
        let folder = dir.join(runtime);
        std::fs::create_dir_all(&folder).unwrap();
        let code = if runtime == "rhai" {
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aggregates/score.rhai");
            std::fs::copy(script, folder.join("score.rhai")).unwrap();
            "script = \"score.rhai\""
        } else {
            crate::common::build_modules();
            let module = crate::common::repo()
                .join("plugins/target/wasm32-unknown-unknown/release/hecun_test_aggregates.wasm");
            std::fs::copy(module, folder.join("aggregates.wasm")).unwrap();
            "module = \"aggregates.wasm\""
        };
        std::fs::write(
            folder.join("plugin.toml"),
            format!(
                "name = \"aggregates\"\nversion = \"1.0.0\"\ncontract = 1\nkind = \"site-score\"\n{code}\n[params]\n{params}\n"
            ),
        )
        .unwrap();
        folder
    }

    const PARAMS: &str = "layer = \"patients\"\nfield = \"人数\"\nby = \"街镇\"\nareas = \"areas\"\narea = \"A1\"\nmetres = 400.0\n";

    fn run_both(params: &str, candidates: &[Candidate]) -> [Vec<hecun::Result<Score>>; 2] {
        let dir = tempfile::tempdir().unwrap();
        let refs: Vec<&dyn hecun::rules::Features> = candidates
            .iter()
            .map(|c| c as &dyn hecun::rules::Features)
            .collect();
        ["rhai", "wasm"].map(|runtime| {
            let plugin =
                hecun::rules::Plugin::load(&plugin_dir(dir.path(), runtime, params)).unwrap();
            plugin.score_batch(&refs, true)
        })
    }

    /// A fixed layer of 120 patients (points and small polygons, whole and fractional head
    /// counts) over four areas, and candidates of both kinds.
    fn parity_layers() -> (Arc<SpatialLayers>, Vec<Candidate>) {
        let mut x: u64 = 12345;
        let mut next = move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let features: Vec<Feature> = (0..120)
            .map(|i| {
                let (px, py) = (next() * 3000.0, next() * 3000.0);
                let g = if i % 3 == 0 {
                    Geometry::Polygon(
                        polygon![(x: px, y: py), (x: px + 40.0, y: py), (x: px + 20.0, y: py + 30.0)],
                    )
                } else {
                    Geometry::Point(Point::new(px, py))
                };
                let n = if i % 2 == 0 {
                    (next() * 50.0).floor()
                } else {
                    next() * 50.0 - 5.0
                };
                (g, i % 3, n)
            })
            .collect();
        let square = |x: f64, y: f64| polygon![(x: x, y: y), (x: x + 1500.0, y: y), (x: x + 1500.0, y: y + 1500.0), (x: x, y: y + 1500.0)];
        // A fifth area far away holds nothing: its mean is none.
        let areas = [
            square(0.0, 0.0),
            square(1500.0, 0.0),
            square(0.0, 1500.0),
            square(1500.0, 1500.0),
            square(9000.0, 9000.0),
        ];
        let layers = layers(&features, &areas);
        let mut candidates = Vec::new();
        for i in 0..8 {
            let (cx, cy) = (next() * 3000.0, next() * 3000.0);
            let g = if i % 2 == 0 {
                Geometry::Polygon(
                    polygon![(x: cx, y: cy), (x: cx + 600.0, y: cy), (x: cx + 600.0, y: cy + 500.0), (x: cx, y: cy + 500.0)],
                )
            } else {
                Geometry::Point(Point::new(cx, cy))
            };
            candidates.push(candidate(&format!("S{i}"), g, &layers));
        }
        // Nothing within reach, nothing inside: a mean of none.
        candidates.push(candidate(
            "far",
            Geometry::Polygon(
                polygon![(x: 8000.0, y: 0.0), (x: 8100.0, y: 0.0), (x: 8100.0, y: 100.0)],
            ),
            &layers,
        ));
        (layers, candidates)
    }

    #[test]
    fn rhai_and_webassembly_answer_every_aggregate_alike() {
        let (_layers, candidates) = parity_layers();
        let [rhai, wasm] = run_both(PARAMS, &candidates);
        for ((a, b), c) in rhai.iter().zip(&wasm).zip(&candidates) {
            let (a, b) = (a.as_ref().unwrap(), b.as_ref().unwrap());
            let terms = |s: &Score| -> Vec<(String, u64)> {
                s.terms
                    .iter()
                    .map(|t| (t.name.clone(), t.value.to_bits()))
                    .collect()
            };
            assert_eq!(terms(a), terms(b), "{}", c.id());
            assert_eq!(
                a.value().map(f64::to_bits),
                b.value().map(f64::to_bits),
                "{}",
                c.id()
            );
            // Every helper answered: 4 groups of sum_by/count_by/mean_by (3 towns), 5 areas.
            assert!(
                a.terms.len() >= 2 + 3 + 3 * 3 + 3 * 5,
                "{}: {:?}",
                c.id(),
                a.terms
            );
        }
        let far = rhai.last().unwrap().as_ref().unwrap();
        for none in [
            "mean_within=none",
            "mean_inside=none",
            "mean_by_area:A4=none",
        ] {
            assert!(
                far.terms.iter().any(|t| t.name == none),
                "{none}: {:?}",
                far.terms
            );
        }
    }

    #[test]
    fn a_misspelt_field_fails_alike_in_rhai_and_webassembly() {
        let (_layers, candidates) = parity_layers();
        let params = PARAMS.replace("field = \"人数\"", "field = \"人 数\"");
        for (runtime, results) in ["rhai", "wasm"]
            .iter()
            .zip(run_both(&params, &candidates[..1]))
        {
            let err = results[0].as_ref().unwrap_err();
            assert!(
                matches!(
                    err,
                    hecun::Error::Plugin {
                        failure: hecun::PluginFailure::Runtime,
                        ..
                    }
                ),
                "{runtime}: a runtime failure: {err:?}"
            );
            let err = err.to_string();
            assert!(
                err.contains("plugin \"aggregates\"")
                    && err.contains("candidate \"S0\"")
                    && err.contains("sum_within: layer \"patients\" has no field \"人 数\""),
                "{runtime}: {err}"
            );
        }
    }
}
