//! Stage `index`: bulk-loading the zone reach index.
use criterion::{Criterion, criterion_group, criterion_main};

fn index(c: &mut Criterion) {
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let sources = hecun_benches::sources(&scale);
        let zones = hecun::internals::build_zones(&sources, &hecun_benches::widths()).unwrap();
        g.bench_function(scale.name, |b| {
            b.iter(|| hecun::internals::ZoneIndex::new(&zones, &sources))
        });
    }
    g.finish();
}

criterion_group!(benches, index);
criterion_main!(benches);
