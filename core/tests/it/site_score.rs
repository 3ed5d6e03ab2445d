//! Site scores on the reference city (100 candidate sites) against a computation done here,
//! without the engine's indexes or helpers: every distance by brute force over every feature
//! with `geo`, every "inside" by `geo::Intersects` over every zone and corridor, and the site-
//! score plugin's formula written out in Rust.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::{Area, Centroid, Distance, Euclidean, Geometry, Intersects, Point};
use hecun::jobs::SiteScoreRun;
use hecun::rules::Outcome;
use hecun::{Crs, CrsEngine, Plan, Transformer};

use crate::common;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city")
}

fn plugin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/site-score")
}

fn plan() -> Plan {
    common::reference_plan()
}

fn features(path: &Path) -> Vec<(serde_json::Value, Geometry<f64>)> {
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
            let mut g: Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
            to_metric.transform(&mut g).unwrap();
            (
                serde_json::Value::Object(f.properties.unwrap_or_default()),
                g,
            )
        })
        .collect()
}

fn closeness(d: Option<f64>, reach: f64) -> f64 {
    d.map_or(0.0, |d| (1.0 - d / reach).max(0.0))
}

#[test]
fn scores_and_exclusions_agree_with_brute_force() {
    let plan = plan();
    let run = plan.affected.run(&|_| {}).unwrap();
    let scored = SiteScoreRun::run(&plan, &run, &plugin(), 2, true).unwrap();
    // The reference city has no farmland or red-line layer: the planner is told.
    assert_eq!(scored.warnings.len(), 2, "{:?}", scored.warnings);
    let layers: Vec<Option<&str>> = scored.warnings.iter().map(|w| w.value.as_deref()).collect();
    assert_eq!(layers, [Some("farmland"), Some("redline")]);
    assert!(
        scored.warnings[0].to_string().contains("\"farmland\"")
            && scored.warnings[1].to_string().contains("\"redline\"")
    );

    let sites = features(&data().join("sites.geojson"));
    let roads = features(&data().join("roads.geojson"));
    let corridors = features(&data().join("corridors.geojson"));
    let townships = features(&data().join("townships.geojson"));
    let villages = features(&data().join("villages.geojson"));
    let centre: BTreeMap<String, Point<f64>> = townships
        .iter()
        .map(|(p, g)| {
            (
                p["name"].as_str().unwrap().to_owned(),
                g.centroid().unwrap(),
            )
        })
        .collect();
    let zones: Vec<Geometry<f64>> = run
        .zones
        .iter()
        .map(|z| Geometry::MultiPolygon(z.polygon.clone()))
        .collect();
    // The villages being merged: those of the township in a zone (the oracle's list).
    let in_zone_ids: BTreeSet<String> =
        std::fs::read_to_string(data().join("oracle_affected_ids.txt"))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();

    assert_eq!(scored.candidates.len(), sites.len());
    let (mut n_scored, mut n_excluded) = (0, 0);
    for (i, (props, g)) in sites.iter().enumerate() {
        let id = props["id"].to_string();
        let candidate = &scored.candidates[i];
        assert_eq!(candidate.id(), id);
        let township = props["township"].as_str().unwrap();
        let road = roads
            .iter()
            .map(|(_, r)| Euclidean.distance(g, r))
            .fold(f64::INFINITY, f64::min);
        let town = centre
            .get(township)
            .map(|c| Euclidean.distance(g, &Geometry::Point(*c)));
        let mine: Vec<(Point<f64>, f64)> = villages
            .iter()
            .filter(|(p, _)| p["township"].as_str() == Some(township))
            .map(|(p, vg)| (p, vg.centroid().unwrap()))
            .map(|(p, c)| {
                (
                    p["id"].to_string(),
                    c,
                    p["population"].as_f64().unwrap().max(1.0),
                )
            })
            .collect::<Vec<_>>()
            .iter()
            .filter(|(vid, _, _)| in_zone_ids.contains(vid))
            .map(|(_, c, w)| (*c, *w))
            .collect();
        let all: Vec<(Point<f64>, f64)> = villages
            .iter()
            .filter(|(p, _)| p["township"].as_str() == Some(township))
            .map(|(p, vg)| {
                (
                    vg.centroid().unwrap(),
                    p["population"].as_f64().unwrap().max(1.0),
                )
            })
            .collect();
        let list = if mine.is_empty() { &all } else { &mine };
        let village = (!list.is_empty()).then(|| {
            list.iter()
                .map(|(c, w)| w * Euclidean.distance(g, &Geometry::Point(*c)))
                .sum::<f64>()
                / list.iter().map(|(_, w)| w).sum::<f64>()
        });
        let in_zone = zones.iter().any(|z| z.intersects(g));
        let in_corridor = corridors.iter().any(|(_, c)| c.intersects(g));

        // The features the plugin saw.
        let f = |name: &str| candidate.feature(name).cloned();
        let float = |name: &str| match f(name) {
            Some(hecun::rules::Value::Float(x)) => Some(x),
            _ => None,
        };
        assert!(
            (float("road_distance").unwrap() - road).abs() < 1e-6,
            "{id}: road distance"
        );
        match (float("town_distance"), town) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{id}: town distance {a} vs {b}"),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{id}: town distance"),
        }
        match (float("village_distance"), village) {
            (Some(a), Some(b)) => assert!(
                (a - b).abs() < 1e-6 * b.max(1.0),
                "{id}: village distance {a} vs {b}"
            ),
            (a, b) => assert_eq!(a.is_some(), b.is_some(), "{id}: village distance"),
        }
        assert_eq!(
            f("in_zone"),
            Some(hecun::rules::Value::Bool(in_zone)),
            "{id}: in zone"
        );
        assert_eq!(
            f("in_corridor"),
            Some(hecun::rules::Value::Bool(in_corridor)),
            "{id}: in corridor"
        );
        assert!((float("area_m2").unwrap() - g.unsigned_area()).abs() < 1e-6 * g.unsigned_area());

        // The plugin's answer, against its formula (default parameters).
        let score = scored.scores[i].as_ref().unwrap();
        match (&score.outcome, in_zone || in_corridor) {
            (Outcome::Excluded { reasons, .. }, true) => {
                n_excluded += 1;
                let reason = &reasons["en"];
                let want = if in_zone {
                    "demolition zone"
                } else {
                    "ecological corridor"
                };
                assert!(reason.contains(want), "{id}: {reason}");
            }
            (Outcome::Scored(s), false) => {
                n_scored += 1;
                let want = 0.4 * closeness(town, 6000.0)
                    + 0.3 * closeness(Some(road), 3000.0)
                    + 0.3 * closeness(village, 5000.0);
                assert!((s - want).abs() < 1e-9, "{id}: score {s} vs {want}");
                let sum: f64 = score.terms.iter().map(|t| t.contribution()).sum();
                assert!(
                    (s - sum).abs() < 1e-12,
                    "{id}: the terms add up to the score"
                );
            }
            (got, want_excluded) => panic!("{id}: {got:?}, excluded expected: {want_excluded}"),
        }
    }
    assert!(
        n_scored > 10 && n_excluded > 0,
        "{n_scored} scored, {n_excluded} excluded"
    );

    // Ranks: by score, best first; the best two of each township chosen.
    let mut by_township: BTreeMap<String, Vec<(f64, String, usize)>> = BTreeMap::new();
    for (i, s) in scored.scores.iter().enumerate() {
        if let Some(v) = s.as_ref().unwrap().value() {
            let t = sites[i].0["township"].as_str().unwrap().to_owned();
            by_township
                .entry(t)
                .or_default()
                .push((v, scored.candidates[i].id().to_owned(), i));
        }
    }
    for list in by_township.values_mut() {
        list.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        for (place, (_, _, i)) in list.iter().enumerate() {
            assert_eq!(scored.ranks[*i].in_group, Some(place + 1));
            assert_eq!(scored.ranks[*i].chosen, place < 2);
        }
    }
}

#[test]
fn outputs_are_the_same_bytes_whatever_the_thread_count() {
    let plan = plan();
    let bytes = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let run = plan.affected.run(&|_| {}).unwrap();
                let scored = SiteScoreRun::run(&plan, &run, &plugin(), 2, true).unwrap();
                (scored.csv(), scored.json(), scored.geojson().unwrap())
            })
    };
    assert!(
        bytes(1) == bytes(2),
        "outputs differ between 1 and 2 threads"
    );
}
