//! Grid features (groundwork for the grid-scoring job): nearest road distance and
//! inside-corridor for every 250 m cell (102,400 at city scale, 2,048,000 at province).
//!
//! `grid/SCALE` is both features; `grid/roads/SCALE` the nearest road alone (indexing
//! included), `grid/roads_per_cell/SCALE` the same by one R-tree query per cell (the plain
//! way, for comparison), `grid/corridors/SCALE` the inside-corridor scanline alone, and
//! `grid/csv/SCALE` the grid job's CSV (`GridScores::csv`, with scores shaped like the
//! shipped grid-suitability plugin's).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;

fn grid(c: &mut Criterion) {
    let mut g = c.benchmark_group("grid");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(scale.dir.join("grid.json")).unwrap())
                .unwrap();
        let grid = hecun::Grid {
            x0: spec["x0"].as_f64().unwrap(),
            y0: spec["y0"].as_f64().unwrap(),
            cell: spec["cell"].as_f64().unwrap(),
            nx: spec["nx"].as_u64().unwrap() as usize,
            ny: spec["ny"].as_u64().unwrap() as usize,
        };
        let (roads, corridors) = hecun_benches::grid_layers(&scale);
        g.throughput(Throughput::Elements(grid.len() as u64));
        g.bench_function(scale.name, |b| {
            b.iter(|| hecun::grid_features(&grid, &roads, &corridors))
        });
        let lines: Vec<(usize, &geo::LineString<f64>)> = roads
            .iter()
            .enumerate()
            .flat_map(|(i, r)| match r {
                geo::Geometry::LineString(l) => vec![(i, l)],
                geo::Geometry::MultiLineString(ml) => ml.0.iter().map(|l| (i, l)).collect(),
                _ => Vec::new(),
            })
            .collect();
        g.bench_function(format!("roads/{}", scale.name), |b| {
            b.iter(|| hecun::NearestLine::new(lines.iter().copied()).grid_distances(&grid))
        });
        g.bench_function(format!("roads_per_cell/{}", scale.name), |b| {
            b.iter(|| {
                let index = hecun::NearestLine::new(lines.iter().copied());
                (0..grid.len())
                    .into_par_iter()
                    .map(|id| {
                        index
                            .nearest(grid.centre(id))
                            .map_or(f64::INFINITY, |(_, d)| d)
                    })
                    .collect::<Vec<f64>>()
            })
        });
        g.bench_function(format!("corridors/{}", scale.name), |b| {
            b.iter(|| hecun::cells_inside(&grid, &corridors))
        });
        let features = hecun::grid_features(&grid, &roads, &corridors);
        let scores = features
            .nearest_road_m
            .iter()
            .zip(&features.in_corridor)
            .map(|(&d, &inside)| {
                (!inside).then(|| 0.7 * (1.0 - d / 3000.0).max(0.0) + 0.3 * (d / 200.0).min(1.0))
            })
            .collect();
        let scored = hecun::jobs::GridScores {
            grid,
            features,
            scores,
            timings: Vec::new(),
        };
        g.bench_function(format!("csv/{}", scale.name), |b| b.iter(|| scored.csv()));
    }
    g.finish();
}

criterion_group!(benches, grid);
criterion_main!(benches);
