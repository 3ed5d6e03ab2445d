//! check_simple against geo's own validation on random rings (many of which cross themselves).

use geo::{Coord, LineString, Polygon, Validation};
use hecun::internals::check_simple;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn same_verdict_as_geo(pts in prop::collection::vec((0i32..8, 0i32..8), 3..9)) {
        // A small integer grid makes touching and collinear cases common.
        let mut ring: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x: f64::from(x), y: f64::from(y) }).collect();
        ring.dedup();
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        prop_assume!(ring.len() >= 3);
        ring.push(ring[0]);
        let p = Polygon::new(LineString(ring), vec![]);
        // geo also rejects zero-area rings, which check_simple leaves to the area check.
        prop_assume!(geo::Area::unsigned_area(&p) > 0.0);
        prop_assert_eq!(check_simple(&p).is_ok(), p.is_valid(), "{:?}: {:?} / {:?}", p, check_simple(&p), p.validation_errors());
    }
}
