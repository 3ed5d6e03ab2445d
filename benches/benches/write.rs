//! Stage `write`: every output file, with and without zones.geojson.
use criterion::{Criterion, criterion_group, criterion_main};
use hecun::{CrsEngine, OutputSet};

fn write(c: &mut Criterion) {
    let mut g = c.benchmark_group("write");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let run = hecun_benches::run(&scale);
        let tmp = tempfile::tempdir().unwrap();
        for (name, zones) in [("all", true), ("no-zones", false)] {
            let set = OutputSet::default().with_zones(zones);
            g.bench_function(format!("{name}/{}", scale.name), |b| {
                b.iter(|| {
                    hecun::write_affected(&run, &tmp.path().join("out"), set, CrsEngine::Builtin)
                        .unwrap()
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, write);
criterion_main!(benches);
