//! Stage `join`: which villages touch which zones, with their shares (all cores).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn join(c: &mut Criterion) {
    let mut g = c.benchmark_group("join");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let (_, zones, index) = hecun_benches::zones(&scale);
        let villages = hecun_benches::villages_metric(&scale);
        g.throughput(Throughput::Elements(villages.len() as u64));
        g.bench_function(scale.name, |b| {
            b.iter(|| hecun::internals::find_affected(&villages, &zones, &index))
        });
    }
    g.finish();
}

criterion_group!(benches, join);
criterion_main!(benches);
