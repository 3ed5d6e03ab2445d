//! The grid-scoring job (issue 3): every 250 m cell scored by the shipped
//! `plugins/grid-suitability` Rhai plugin from its nearest road distance and inside-corridor
//! feature (102,400 cells at city scale, 2,048,000 at province).
//!
//! `grid_score/job/SCALE` is features plus scoring on all cores; `grid_score/score_only/SCALE`
//! the scoring alone; `grid_score/one_thread/city` the scoring alone on one thread, whose time
//! divided by the cells is the CPU cost of one Rhai call per cell.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hecun::jobs::{GridSpec, score_cells, score_grid};
use hecun::rules::Plugin;

fn plugin() -> Plugin {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/grid-suitability");
    Plugin::load(&dir).expect("the shipped plugin loads")
}

fn grid_score(c: &mut Criterion) {
    let plugin = plugin();
    let mut g = c.benchmark_group("grid_score");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let grid = GridSpec::load(&scale.dir.join("grid.json"))
            .expect("grid.json")
            .grid;
        let (roads, corridors) = hecun_benches::grid_layers(&scale);
        g.throughput(Throughput::Elements(grid.len() as u64));
        g.bench_function(format!("job/{}", scale.name), |b| {
            b.iter(|| score_grid(&grid, &roads, &corridors, &plugin).expect("scores"))
        });
        let features = hecun::grid_features(&grid, &roads, &corridors);
        g.bench_function(format!("score_only/{}", scale.name), |b| {
            b.iter(|| score_cells(&features, &plugin).expect("scores"))
        });
        if scale.name == "city" {
            let one = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .expect("pool");
            g.bench_function("one_thread/city", |b| {
                b.iter(|| one.install(|| score_cells(&features, &plugin).expect("scores")))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, grid_score);
criterion_main!(benches);
