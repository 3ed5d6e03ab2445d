//! Stage `fraction`: the area of each affected village inside the union of its zones, alone
//! (one thread), against the same with `geo`'s plain intersection per zone and a union.
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo::{Area, BooleanOps, MultiPolygon};

fn fraction(c: &mut Criterion) {
    let mut g = c.benchmark_group("fraction");
    g.sample_size(10);
    for scale in hecun_benches::scales() {
        let (_, zones, index) = hecun_benches::zones(&scale);
        let villages = hecun_benches::villages_metric(&scale);
        let affected = hecun::internals::find_affected(&villages, &zones, &index);
        let pairs: Vec<(&MultiPolygon<f64>, Vec<&MultiPolygon<f64>>)> = affected
            .iter()
            .map(|a| {
                (
                    villages[a.village].as_ref().unwrap(),
                    a.zones.iter().map(|&z| &zones[z].polygon).collect(),
                )
            })
            .collect();
        g.throughput(Throughput::Elements(pairs.len() as u64));
        g.bench_function(format!("area_inside/{}", scale.name), |b| {
            b.iter(|| {
                pairs
                    .iter()
                    .map(|(v, z)| hecun::internals::area_inside(v, z))
                    .sum::<f64>()
            })
        });
        g.bench_function(format!("geo-intersection-union/{}", scale.name), |b| {
            b.iter(|| {
                pairs
                    .iter()
                    .map(|(v, z)| {
                        let pieces = z.iter().map(|z| v.intersection(*z));
                        geo::unary_union(pieces.flat_map(|p| p.0).collect::<Vec<_>>().iter())
                            .unsigned_area()
                    })
                    .sum::<f64>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, fraction);
criterion_main!(benches);
