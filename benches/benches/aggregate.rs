//! Stage `aggregate`: totals per township and zone class.
use criterion::{Criterion, criterion_group, criterion_main};

fn aggregate(c: &mut Criterion) {
    let mut g = c.benchmark_group("aggregate");
    for scale in hecun_benches::scales() {
        let run = hecun_benches::run(&scale);
        let spec = hecun_benches::widths();
        g.bench_function(scale.name, |b| {
            b.iter(|| hecun::internals::summarize(&run.villages, &run.affected, &run.zones, &spec))
        });
    }
    g.finish();
}

criterion_group!(benches, aggregate);
criterion_main!(benches);
