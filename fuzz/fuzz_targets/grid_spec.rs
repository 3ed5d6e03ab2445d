//! A grid.json grid spec (`hecun grid --grid`): any text gives a grid or an error, and a
//! small grid's features compute without a panic, whatever its origin and cell size.
#![no_main]

use geo::{LineString, MultiPolygon, Polygon};
use hecun::grid_features;
use hecun::jobs::GridSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(spec) = GridSpec::parse("grid.json", text) else {
        return;
    };
    // Large grids are the benchmarks' business: a fuzz input must run in milliseconds.
    if spec.grid.len() > 4096 {
        return;
    }
    let roads = [
        LineString::from(vec![(0.0, 0.0), (1000.0, 0.0), (1000.0, 1000.0)]).into(),
        LineString::from(vec![(-5.0e5, 3.0e6), (5.0e5, 3.1e6)]).into(),
    ];
    let corridor = Polygon::new(
        LineString::from(vec![(0.0, 0.0), (500.0, 0.0), (500.0, 500.0), (0.0, 0.0)]),
        vec![],
    );
    let features = grid_features(&spec.grid, &roads, &[MultiPolygon(vec![corridor])]);
    assert_eq!(features.nearest_road_m.len(), spec.grid.len());
    assert_eq!(features.in_corridor.len(), spec.grid.len());
});
