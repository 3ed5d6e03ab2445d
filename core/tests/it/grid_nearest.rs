//! The nearest-road distance of every grid cell ([`NearestLine::grid_distances`], which
//! prunes the roads a tile of cells at a time) against the brute-force least distance over
//! all road segments, by the same point-segment formula: equal to the bit, on random grids
//! and roads.

use geo::{Coord, LineString};
use hecun::Grid;
use hecun::internals::NearestLine;
use proptest::prelude::*;
use rstar::PointDistance;
use rstar::primitives::Line;

fn brute_force(grid: &Grid, roads: &[LineString<f64>]) -> Vec<f64> {
    let segments: Vec<Line<[f64; 2]>> = roads
        .iter()
        .flat_map(|l| l.0.windows(2))
        .map(|w| Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]))
        .collect();
    (0..grid.len())
        .map(|id| {
            let c = grid.centre(id);
            segments
                .iter()
                .map(|s| s.distance_2(&[c.x, c.y]))
                .fold(f64::INFINITY, f64::min)
                .sqrt()
        })
        .collect()
}

fn check(grid: &Grid, roads: &[LineString<f64>]) -> Result<(), TestCaseError> {
    let got = NearestLine::new(roads.iter().enumerate()).grid_distances(grid);
    let want = brute_force(grid, roads);
    prop_assert_eq!(got.len(), grid.len());
    for (id, (g, w)) in got.iter().zip(&want).enumerate() {
        prop_assert_eq!(g.to_bits(), w.to_bits(), "cell {}: {} vs {}", id, g, w);
    }
    Ok(())
}

fn road(origin: (f64, f64), span: f64) -> impl Strategy<Value = LineString<f64>> {
    prop::collection::vec((0.0..1.0f64, 0.0..1.0f64), 1..8).prop_map(move |pts| {
        LineString(
            pts.into_iter()
                .map(|(x, y)| Coord {
                    x: origin.0 + x * span,
                    y: origin.1 + y * span,
                })
                .collect(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// Roads in and around a grid in projected coordinates (large offsets, as EPSG:4547).
    #[test]
    fn grid_distances_equal_brute_force(
        nx in 1usize..40,
        ny in 1usize..40,
        cell in prop::sample::select(vec![1.0, 7.3, 250.0]),
        far in prop::bool::ANY,
        roads in prop::collection::vec(road((427_000.0, 3_808_000.0), 12_000.0), 1..12),
    ) {
        let x0 = if far { 420_000.0 } else { 427_956.06 };
        let grid = Grid { x0, y0: 3_808_023.49, cell, nx, ny };
        check(&grid, &roads)?;
    }

    /// Roads of one or two points (degenerate segments) and on grid-centre lines.
    #[test]
    fn degenerate_roads(
        nx in 1usize..20,
        ny in 1usize..20,
        points in prop::collection::vec((0i32..20, 0i32..20), 1..6),
    ) {
        let grid = Grid { x0: 0.0, y0: 0.0, cell: 1.0, nx, ny };
        let roads: Vec<LineString<f64>> = points
            .chunks(2)
            .map(|p| LineString(p.iter().map(|&(x, y)| Coord { x: x as f64 + 0.5, y: y as f64 }).collect()))
            .collect();
        check(&grid, &roads)?;
    }
}

#[test]
fn no_roads_is_infinitely_far() {
    let grid = Grid {
        x0: 0.0,
        y0: 0.0,
        cell: 10.0,
        nx: 3,
        ny: 2,
    };
    assert_eq!(
        NearestLine::new(std::iter::empty()).grid_distances(&grid),
        vec![f64::INFINITY; 6]
    );
}

#[test]
fn a_grid_larger_than_its_tiles() {
    // Roads along a diagonal and one far corner: tiles near and far from them.
    let grid = Grid {
        x0: -50.0,
        y0: 20.0,
        cell: 3.0,
        nx: 101,
        ny: 67,
    };
    let roads = vec![
        LineString::from(vec![(0.0, 0.0), (300.0, 200.0), (310.0, 205.0)]),
        LineString::from(vec![(250.0, 219.0), (251.0, 219.5)]),
    ];
    let got = NearestLine::new(roads.iter().enumerate()).grid_distances(&grid);
    let want = brute_force(&grid, &roads);
    assert!(
        got.iter()
            .zip(&want)
            .all(|(g, w)| g.to_bits() == w.to_bits())
    );
}
