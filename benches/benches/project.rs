//! Stage `project`: EPSG:4326 → EPSG:4547 for every village vertex, per CRS engine.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo::Coord;
use hecun::{Crs, CrsEngine, Transformer};

fn project(c: &mut Criterion) {
    let mut g = c.benchmark_group("project");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let layer = hecun_benches::layer(&scale, "villages");
        let coords: Vec<Coord<f64>> = layer
            .features
            .iter()
            .flat_map(|f| {
                hecun::internals::polygons(&f.geometry)
                    .0
                    .into_iter()
                    .flat_map(|p| p.exterior().0.clone())
            })
            .collect();
        g.throughput(Throughput::Elements(coords.len() as u64));
        for engine in CrsEngine::available() {
            let t = Transformer::new(Crs::WGS84, hecun_benches::metric(), engine).unwrap();
            g.bench_function(format!("{engine:?}/{}", scale.name), |b| {
                b.iter_batched_ref(
                    || coords.clone(),
                    |pts| t.transform_coords(pts).unwrap(),
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

criterion_group!(benches, project);
criterion_main!(benches);
