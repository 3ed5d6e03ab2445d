//! Grid features (groundwork for the grid-scoring job): nearest road distance and
//! inside-corridor for every 250 m cell (102,400 at city scale, 2,048,000 at province).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
        let sources = hecun_benches::sources(&scale);
        let (roads, corridors): (Vec<_>, Vec<_>) = sources.iter().partition(|s| s.layer == "roads");
        let roads: Vec<geo::Geometry<f64>> = roads.iter().map(|s| s.geometry.clone()).collect();
        let corridors: Vec<geo::MultiPolygon<f64>> = corridors
            .iter()
            .map(|s| hecun::polygons(&s.geometry))
            .collect();
        g.throughput(Throughput::Elements(grid.len() as u64));
        g.bench_function(scale.name, |b| {
            b.iter(|| hecun::grid_features(&grid, &roads, &corridors))
        });
    }
    g.finish();
}

criterion_group!(benches, grid);
criterion_main!(benches);
