//! Stage `load`: reading GeoJSON layers into features (parallel parse).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hecun::{ReadOptions, read_geojson};

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let path = scale.dir.join("villages.geojson");
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(format!("villages/{}", scale.name), |b| {
            b.iter(|| read_geojson(&path, &ReadOptions::default()).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
