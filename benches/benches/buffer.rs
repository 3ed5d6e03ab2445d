//! Stage `buffer`: one zone per road and corridor (round joins and caps, 8 segments a quarter).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn buffer(c: &mut Criterion) {
    let mut g = c.benchmark_group("buffer");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let sources = hecun_benches::sources(&scale);
        let spec = hecun_benches::widths();
        g.throughput(Throughput::Elements(sources.len() as u64));
        g.bench_function(scale.name, |b| {
            b.iter(|| hecun::internals::build_zones(&sources, &spec).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, buffer);
criterion_main!(benches);
