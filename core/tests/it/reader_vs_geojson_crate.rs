//! hecun's GeoJSON reader against the `geojson` crate, an independent parser, on random input.

use geo::Geometry;
use hecun::{ReadOptions, parse_geojson};
use proptest::prelude::*;

fn coord() -> impl Strategy<Value = Vec<f64>> {
    // Seven decimals, as planners' files have; sometimes a z value that must be dropped.
    (
        -179.0..179.0f64,
        -89.0..89.0f64,
        prop::option::of(0.0..500.0f64),
    )
        .prop_map(|(x, y, z)| {
            let mut v = vec![(x * 1e7).round() / 1e7, (y * 1e7).round() / 1e7];
            v.extend(z);
            v
        })
}

fn ring() -> impl Strategy<Value = Vec<Vec<f64>>> {
    prop::collection::vec(coord(), 3..12).prop_map(|mut r| {
        r.push(r[0].clone());
        r
    })
}

type Ring = Vec<Vec<f64>>;

fn pos(r: &Ring) -> Vec<geojson::Position> {
    r.iter()
        .map(|c| geojson::Position::from(c.clone()))
        .collect()
}

fn geometry() -> impl Strategy<Value = geojson::GeometryValue> {
    use geojson::GeometryValue as G;
    prop_oneof![
        coord().prop_map(|c| G::Point {
            coordinates: c.into()
        }),
        prop::collection::vec(coord(), 2..10).prop_map(|l| G::LineString {
            coordinates: pos(&l)
        }),
        prop::collection::vec(ring(), 1..3).prop_map(|p| G::Polygon {
            coordinates: p.iter().map(pos).collect()
        }),
        prop::collection::vec(prop::collection::vec(ring(), 1..3), 1..3).prop_map(|m| {
            G::MultiPolygon {
                coordinates: m.iter().map(|p| p.iter().map(pos).collect()).collect(),
            }
        }),
    ]
}

proptest! {
    #[test]
    fn same_geometries_and_properties(geoms in prop::collection::vec(geometry(), 1..20), names in prop::collection::vec("[a-z村庄王]{0,6}", 20)) {
        let features: Vec<geojson::Feature> = geoms
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut props = geojson::JsonObject::new();
                props.insert("id".into(), serde_json::json!(i));
                props.insert("村名".into(), serde_json::json!(names[i]));
                geojson::Feature { geometry: Some(geojson::Geometry::new(g.clone())), properties: Some(props), ..Default::default() }
            })
            .collect();
        let text = geojson::FeatureCollection { features, bbox: None, foreign_members: None }.to_string();
        let ours = parse_geojson("t.geojson".as_ref(), text.as_bytes(), &ReadOptions::default()).unwrap();
        let theirs: geojson::FeatureCollection = text.parse().unwrap();
        prop_assert_eq!(ours.layer.features.len(), theirs.features.len());
        for (a, b) in ours.layer.features.iter().zip(&theirs.features) {
            let expected: Geometry<f64> = b.geometry.clone().unwrap().try_into().unwrap();
            prop_assert_eq!(&a.geometry, &expected);
            prop_assert_eq!(a.properties.get("村名"), b.property("村名").cloned());
            prop_assert_eq!(a.id.clone(), Some(b.property("id").unwrap().to_string()));
        }
    }
}
