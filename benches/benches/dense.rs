//! Dense geometry, stage by stage, at 10k, 100k and 1M vertices: the time per vertex must stay
//! flat (linear stages). The whole job on 1M-vertex files: `benches/scripts/dense_job.sh`.
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use geo::{MultiPolygon, Polygon};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

fn dense(c: &mut Criterion) {
    let mut g = c.benchmark_group("dense");
    g.sample_size(10);
    let spec = hecun_benches::widths();
    let scale = hecun_benches::scales().remove(0);
    let villages = hecun_benches::villages_metric(&scale);
    for n in SIZES {
        g.throughput(Throughput::Elements(n as u64));
        // A road zigzagging 5 mm either side: its zone cannot be drawn from the line as given.
        let sources = hecun_benches::dense_road_sources(n, 0.005);
        g.bench_with_input(BenchmarkId::new("road_zones", n), &sources, |b, s| {
            b.iter(|| hecun::internals::build_zones(s, &spec).unwrap())
        });
        let zones = hecun::internals::build_zones(&sources, &spec).unwrap();
        g.bench_with_input(BenchmarkId::new("road_index", n), &sources, |b, s| {
            b.iter(|| hecun::internals::ZoneIndex::new(&zones, s))
        });
        // The first village, densified: its ring check and its relation to the zones.
        let ring = villages[1].as_ref().unwrap().0[0].exterior().0.clone();
        let village = Polygon::new(hecun_benches::densify(&ring, n, 0.0).into(), vec![]);
        g.bench_with_input(BenchmarkId::new("village_check", n), &village, |b, v| {
            b.iter(|| hecun::internals::check_simple(v).unwrap())
        });
        let (_, z, index) = hecun_benches::zones(&scale);
        let one = vec![Some(MultiPolygon(vec![village.clone()]))];
        g.bench_with_input(BenchmarkId::new("village_join", n), &one, |b, v| {
            b.iter(|| hecun::internals::find_affected(v, &z, &index))
        });
        // The first corridor (a 0 m zone: the polygon itself), densified, against every village.
        let mut sources = hecun_benches::sources(&scale);
        let corridor = sources.iter_mut().find(|s| s.layer == "corridors").unwrap();
        if let geo::Geometry::Polygon(p) = &mut corridor.geometry {
            let ring = hecun_benches::densify(&p.exterior().0, n, 0.0);
            *p = Polygon::new(ring.into(), vec![]);
        }
        let zones = hecun::internals::build_zones(&sources, &spec).unwrap();
        let index = hecun::internals::ZoneIndex::new(&zones, &sources);
        g.bench_function(BenchmarkId::new("corridor_join", n), |b| {
            b.iter(|| hecun::internals::find_affected(&villages, &zones, &index))
        });
    }
    g.finish();
}

criterion_group!(benches, dense);
criterion_main!(benches);
