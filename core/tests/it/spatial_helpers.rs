//! The spatial helpers rules call (nearest, within, touches, overlap share, attribute sums)
//! against brute force on random layers: every feature measured with `geo` directly, shares
//! from geo's own overlay of the union of the layer.

use geo::{
    Area, BooleanOps, Distance, Euclidean, Geometry, Intersects, LineString, MultiPolygon, Point,
    Polygon, unary_union,
};
use hecun::{IndexedLayer, LayerItem, Properties};
use proptest::prelude::*;

use crate::common::stars;

fn polygon() -> impl Strategy<Value = Polygon<f64>> {
    stars(50.0..500.0, 0.6..1.3, 5..12)
}

fn line() -> impl Strategy<Value = LineString<f64>> {
    prop::collection::vec((0.0..3000.0f64, 0.0..3000.0f64), 2..6).prop_map(LineString::from)
}

/// A mixed layer: lines and polygons, each with a class of three and a numeric attribute.
fn layer() -> impl Strategy<Value = Vec<(Geometry<f64>, usize, f64)>> {
    prop::collection::vec(
        (
            prop_oneof![
                line().prop_map(Geometry::LineString),
                polygon().prop_map(Geometry::Polygon)
            ],
            0..3usize,
            0.0..100.0f64,
        ),
        1..25,
    )
}

const CLASSES: [&str; 3] = ["环线", "放射线", "快速通道"];

fn indexed(features: &[(Geometry<f64>, usize, f64)]) -> IndexedLayer {
    IndexedLayer::new(
        "test",
        features
            .iter()
            .enumerate()
            .map(|(i, (g, c, v))| LayerItem {
                id: format!("F{i}"),
                class: Some(CLASSES[*c].to_owned()),
                geometry: g.clone(),
                properties: Some(Properties::from_json(&format!(r#"{{"人口": {v}}}"#)).unwrap()),
            })
            .collect(),
    )
}

fn candidate() -> impl Strategy<Value = Geometry<f64>> {
    prop_oneof![
        (0.0..3000.0f64, 0.0..3000.0f64).prop_map(|(x, y)| Geometry::Point(Point::new(x, y))),
        polygon().prop_map(Geometry::Polygon),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn nearest_within_and_sums_match_brute_force(features in layer(), c in candidate(), d in 0.0..800.0f64, class in 0..4usize) {
        let layer = indexed(&features);
        let class = CLASSES.get(class).copied();
        let wanted = |i: usize| class.is_none_or(|k| CLASSES[features[i].1] == k);
        let distances: Vec<f64> = features.iter().map(|(g, _, _)| Euclidean.distance(&c, g)).collect();
        let best = (0..features.len()).filter(|&i| wanted(i)).map(|i| distances[i]).fold(f64::INFINITY, f64::min);
        match layer.nearest(&c, class) {
            None => prop_assert!(best.is_infinite()),
            Some((i, got)) => {
                prop_assert!(wanted(i));
                prop_assert_eq!(got, distances[i]);
                prop_assert!((got - best).abs() <= 1e-9 * best.max(1.0), "nearest {} vs brute force {}", got, best);
            }
        }
        let within: Vec<usize> = (0..features.len()).filter(|&i| wanted(i) && distances[i] <= d).collect();
        prop_assert_eq!(layer.within(&c, d, class), within.clone());
        let touching: Vec<usize> = (0..features.len()).filter(|&i| wanted(i) && features[i].0.intersects(&c)).collect();
        prop_assert_eq!(layer.within(&c, 0.0, class), touching.clone());
        prop_assert_eq!(layer.touches(&c, class), !touching.is_empty());
        let sum: f64 = within.iter().map(|&i| features[i].2).sum();
        prop_assert!((layer.sum_within(&c, "人口", d, class).unwrap() - sum).abs() < 1e-9);
    }

    #[test]
    fn overlap_share_matches_the_union_overlay(polys in prop::collection::vec(polygon(), 1..10), c in polygon()) {
        let features: Vec<(Geometry<f64>, usize, f64)> = polys.iter().map(|p| (Geometry::Polygon(p.clone()), 0, 0.0)).collect();
        let layer = indexed(&features);
        let union = unary_union(polys.iter());
        let inside = MultiPolygon::new(vec![c.clone()]).intersection(&union).unsigned_area();
        let want = inside / c.unsigned_area();
        let got = layer.overlap_share(&Geometry::Polygon(c), None);
        prop_assert!((got - want).abs() < 1e-7, "share {} vs overlay {}", got, want);
    }
}
