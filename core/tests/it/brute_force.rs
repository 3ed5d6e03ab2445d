//! find_affected against brute force on random small layers: every village against every zone
//! with geo's own `Intersects`, and the share inside from the union of all zones. And the width
//! sweep's shortcut against whole runs.

use geo::{
    Area, BooleanOps, BoundingRect, Euclidean, Geometry, Intersects, Length, LineString,
    MultiPolygon, Polygon, unary_union,
};
use hecun::internals::{ZoneIndex, build_zones, find_affected};
use hecun::{FeatureRef, ZoneSource, ZoneSpec};
use proptest::prelude::*;

use crate::common;
use crate::common::stars;

fn village() -> impl Strategy<Value = Polygon<f64>> {
    stars(50.0..400.0, 0.6..1.3, 5..14)
}

fn road() -> impl Strategy<Value = (LineString<f64>, usize)> {
    (
        prop::collection::vec((0.0..3000.0f64, 0.0..3000.0f64), 2..6),
        0..3usize,
    )
        .prop_map(|(pts, class)| (LineString::from(pts), class))
}

fn corridor() -> impl Strategy<Value = Polygon<f64>> {
    stars(300.0..900.0, 0.5..1.4, 6..20)
}

const CLASSES: [(&str, f64); 3] = [("ring", 100.0), ("radial", 50.0), ("expressway", 80.0)];

fn source(i: usize, geometry: Geometry<f64>, class: &str) -> ZoneSource {
    ZoneSource {
        layer: "roads".into(),
        at: FeatureRef {
            path: "test".into(),
            index: i,
            id: None,
        },
        geometry,
        id: i.to_string(),
        name: String::new(),
        class: class.into(),
        own_width: 0.0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn affected_set_and_shares_match_brute_force(
        villages in prop::collection::vec(village(), 1..25),
        roads in prop::collection::vec(road(), 1..8),
        corridors in prop::collection::vec(corridor(), 0..2),
    ) {
        let mut sources: Vec<ZoneSource> = roads
            .iter()
            .enumerate()
            .map(|(i, (l, c))| source(i, Geometry::LineString(l.clone()), CLASSES[*c].0))
            .collect();
        for c in &corridors {
            sources.push(source(sources.len(), Geometry::Polygon(c.clone()), "corridor"));
        }
        let spec = ZoneSpec::from_pairs(CLASSES.iter().copied().chain([("corridor", 0.0)])).unwrap();
        let zones = build_zones(&sources, &spec).unwrap();
        let geometries: Vec<Option<MultiPolygon<f64>>> =
            villages.iter().map(|v| Some(MultiPolygon(vec![v.clone()]))).collect();
        let found = find_affected(&geometries, &zones, &ZoneIndex::new(&zones, &sources));

        let union = unary_union(zones.iter().flat_map(|z| z.polygon.0.iter()));
        let mut k = 0;
        for (i, v) in villages.iter().enumerate() {
            let expected: Vec<usize> = zones.iter().enumerate().filter(|(_, z)| z.polygon.intersects(v)).map(|(j, _)| j).collect();
            if expected.is_empty() {
                prop_assert!(found.get(k).is_none_or(|a| a.village != i), "village {} reported but touches nothing", i);
                continue;
            }
            let a = &found[k];
            k += 1;
            prop_assert_eq!(a.village, i);
            prop_assert_eq!(&a.zones, &expected, "zones touching village {}", i);
            let inside = v.intersection(&union);
            let share = inside.unsigned_area() / v.unsigned_area();
            let tolerance = snapping_tolerance(v, &inside, &union);
            prop_assert!(
                (a.fraction_inside - share).abs() < tolerance,
                "village {}: {} vs {} (tolerance {})", i, a.fraction_inside, share, tolerance
            );
        }
        prop_assert_eq!(k, found.len());
    }
}

/// How far two i_overlay answers for the share inside may lie apart. i_overlay snaps each
/// operation's inputs to an integer grid sized to their joint extent (about 2^30 steps across);
/// find_affected clips against the zones touching the village, this test against the union of
/// all zones, so their grids differ. Each boundary vertex may move by a step, so each side's area
/// may be off by up to the boundary's length times a step: 2^29 steps is a margin of two, and
/// both sides count.
fn snapping_tolerance(
    village: &Polygon<f64>,
    inside: &MultiPolygon<f64>,
    union: &MultiPolygon<f64>,
) -> f64 {
    let extent = |g: Option<geo::Rect<f64>>| g.map_or(0.0, |r| r.width().max(r.height()));
    let span = extent(village.bounding_rect()).max(extent(union.bounding_rect()));
    let step = span / 2f64.powi(29);
    let boundary = Euclidean.length(village.exterior())
        + inside
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|ring| Euclidean.length(ring))
            .sum::<f64>();
    (2.0 * boundary * step / village.unsigned_area()).max(1e-12)
}

/// The width sweep's shortcut (layers read and projected once, joined per width) sums up what
/// a whole run at each width does — on the reference city, and with a village that cannot be
/// tested skipped (`keep_going`).
#[test]
fn prepared_layers_join_like_whole_runs_at_every_width() {
    let plan = common::reference_plan();
    let mut job = plan.affected.clone();
    let class = job.zones.class_named("ring").unwrap();
    let check = |job: &hecun::AffectedJob| {
        let prepared = job.prepare(&|_| {}).unwrap();
        let mut totals = Vec::new();
        for width in [10.0, 50.0, 100.0, 250.0, 600.0] {
            let mut variant = job.clone();
            variant.zones = job.zones.with_width(&class, width).unwrap();
            let whole = variant.run(&|_| {}).unwrap();
            assert_eq!(
                prepared.summary_with(&variant.zones).unwrap(),
                whole.summary,
                "ring {width} m"
            );
            assert_eq!(whole.villages.len(), whole.summary.villages_in_layer);
            totals.push(whole.summary.total.villages);
        }
        assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
        assert!(totals[0] < totals[4], "{totals:?}");
        totals
    };
    let intact = check(&job);

    // A copy of the villages with one affected village's ring crossing itself.
    let run = job.run(&|_| {}).unwrap();
    let victim = &run.villages[run.affected[0].village].id;
    let path = &job.villages.path;
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let feature = doc["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| {
            serde_json::to_string(&f["properties"])
                .unwrap()
                .contains(victim.as_str())
        })
        .unwrap();
    let ring = feature["geometry"]["coordinates"][0]
        .as_array()
        .unwrap()
        .clone();
    let (a, b) = (ring[0].clone(), ring[ring.len() / 2].clone());
    let (ax, ay) = (a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
    let (bx, by) = (b[0].as_f64().unwrap(), b[1].as_f64().unwrap());
    feature["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[
        [ax, ay], [bx, by], [bx, ay], [ax, by], [ax, ay]
    ]]});
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("villages.geojson");
    std::fs::write(&broken, doc.to_string()).unwrap();
    job.villages.path = broken;
    job.keep_going = true;
    let skipped = check(&job);
    assert!(
        intact.iter().zip(&skipped).any(|(a, b)| a > b),
        "the broken village is left out: {intact:?} vs {skipped:?}"
    );
}
