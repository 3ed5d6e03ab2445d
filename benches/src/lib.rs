//! Fixtures shared by the benchmarks: the reference city (in the repo) and, when
//! `HECUN_BENCH_DATA` names a folder of `gen_city.py` outputs (e.g. `…/data`), its `province`.

use std::path::PathBuf;

use geo::{
    MultiPolygon,
    orient::{Direction, Orient},
};
use hecun::internals::{polygons, zone_sources};
use hecun::{
    AffectedJob, AffectedRun, Crs, CrsEngine, Layer, LayerKind, LayerSource, ReadOptions,
    Transformer, ZoneSource, ZoneSpec, read_geojson,
};

/// A scale to benchmark at, and the folder holding its layers.
pub struct Scale {
    /// `city` or `province`.
    pub name: &'static str,
    /// Folder with villages/roads/corridors `.geojson`.
    pub dir: PathBuf,
}

/// The scales available here: the city always, the province when generated.
pub fn scales() -> Vec<Scale> {
    let mut s = vec![Scale {
        name: "city",
        dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city"),
    }];
    if let Some(root) = std::env::var_os("HECUN_BENCH_DATA") {
        let dir = PathBuf::from(root).join("province");
        if dir.join("villages.geojson").exists() {
            s.push(Scale {
                name: "province",
                dir,
            });
        }
    }
    s
}

/// The reference job's widths (ring 100 m, radial 50 m, expressway 80 m, corridor 0).
pub fn widths() -> ZoneSpec {
    ZoneSpec::from_pairs([
        ("ring", 100.0),
        ("radial", 50.0),
        ("expressway", 80.0),
        ("corridor", 0.0),
    ])
    .expect("valid widths")
}

/// The whole affected-villages job at one scale.
pub fn job(scale: &Scale) -> AffectedJob {
    let mut job = AffectedJob::new(
        LayerSource::new(scale.dir.join("villages.geojson"), LayerKind::Villages),
        LayerSource::new(scale.dir.join("roads.geojson"), LayerKind::Roads),
        widths(),
    );
    job.corridors = Some(LayerSource::new(
        scale.dir.join("corridors.geojson"),
        LayerKind::Corridors,
    ));
    job.metric_crs = Some(metric());
    job.engine = CrsEngine::Builtin;
    job
}

/// EPSG:4547, the reference job's metric CRS.
pub fn metric() -> Crs {
    Crs::from_epsg(4547).expect("known CRS")
}

/// Reads one layer of a scale.
pub fn layer(scale: &Scale, name: &str) -> Layer {
    read_geojson(
        &scale.dir.join(format!("{name}.geojson")),
        &ReadOptions::default(),
    )
    .expect("fixture layer")
    .layer
}

/// Roads and corridors as zone sources, projected to the metric CRS.
pub fn sources(scale: &Scale) -> Vec<ZoneSource> {
    let roads = layer(scale, "roads");
    let corridors = layer(scale, "corridors");
    let schema = |k| hecun::Schema::new(k);
    let (mut s, _) =
        zone_sources("roads", &roads, &schema(LayerKind::Roads), None, false).expect("roads");
    let (c, _) = zone_sources(
        "corridors",
        &corridors,
        &schema(LayerKind::Corridors),
        Some("corridor"),
        false,
    )
    .expect("corridors");
    s.extend(c);
    let t = Transformer::new(Crs::WGS84, metric(), CrsEngine::Builtin).expect("transformer");
    for src in &mut s {
        t.transform(&mut src.geometry).expect("projectable");
    }
    s
}

/// What the grid jobs read: the road lines and the corridor polygons, in the metric CRS.
pub fn grid_layers(scale: &Scale) -> (Vec<geo::Geometry<f64>>, Vec<MultiPolygon<f64>>) {
    let (roads, corridors): (Vec<_>, Vec<_>) =
        sources(scale).into_iter().partition(|s| s.layer == "roads");
    (
        roads.into_iter().map(|s| s.geometry).collect(),
        corridors
            .iter()
            .map(|s| hecun::internals::polygons(&s.geometry))
            .collect(),
    )
}

/// Roads and corridors, their zones and the zone index (in the metric CRS).
pub fn zones(
    scale: &Scale,
) -> (
    Vec<ZoneSource>,
    Vec<hecun::Zone>,
    hecun::internals::ZoneIndex,
) {
    let sources = sources(scale);
    let zones = hecun::internals::build_zones(&sources, &widths()).expect("zones");
    let index = hecun::internals::ZoneIndex::new(&zones, &sources);
    (sources, zones, index)
}

/// Every village, projected to the metric CRS and oriented.
pub fn villages_metric(scale: &Scale) -> Vec<Option<MultiPolygon<f64>>> {
    let layer = layer(scale, "villages");
    let t = Transformer::new(Crs::WGS84, metric(), CrsEngine::Builtin).expect("transformer");
    layer
        .features
        .iter()
        .map(|f| {
            let mut g = polygons(&f.geometry);
            t.transform(&mut g).expect("projectable");
            Some(g.orient(Direction::Default))
        })
        .collect()
}

/// A completed run, for the aggregate and write benchmarks.
pub fn run(scale: &Scale) -> AffectedRun {
    job(scale).run(&|_| {}).expect("the reference job runs")
}

/// `points` split into about `n - 1` segments of equal length, every original vertex kept;
/// with `zigzag` > 0 each new vertex is moved that many metres across, alternately left and
/// right (a densely surveyed line at the precision of its coordinates).
pub fn densify(points: &[geo::Coord<f64>], n: usize, zigzag: f64) -> Vec<geo::Coord<f64>> {
    let len = |a: geo::Coord<f64>, b: geo::Coord<f64>| (b.x - a.x).hypot(b.y - a.y);
    let total: f64 = points.windows(2).map(|w| len(w[0], w[1])).sum();
    let mut out = vec![points[0]];
    for w in points.windows(2) {
        let l = len(w[0], w[1]);
        let parts = ((n.saturating_sub(points.len())) as f64 * l / total).round() as usize + 1;
        let across = geo::Coord {
            x: -(w[1].y - w[0].y) / l,
            y: (w[1].x - w[0].x) / l,
        };
        for k in 1..parts {
            let t = k as f64 / parts as f64;
            let side = if k % 2 == 0 { zigzag } else { -zigzag };
            out.push(w[0] + (w[1] - w[0]) * t + across * side);
        }
        out.push(w[1]);
    }
    out
}

/// The reference city's roads and corridors with the longest road densified to `n` vertices.
pub fn dense_road_sources(n: usize, zigzag: f64) -> Vec<ZoneSource> {
    use geo::Length;
    let mut s = sources(&scales().remove(0));
    let longest = (0..s.len())
        .filter(|&i| s[i].layer == "roads")
        .max_by(|&a, &b| {
            let l = |g: &geo::Geometry<f64>| match g {
                geo::Geometry::LineString(l) => geo::Euclidean.length(l),
                _ => 0.0,
            };
            l(&s[a].geometry).total_cmp(&l(&s[b].geometry))
        })
        .expect("roads");
    if let geo::Geometry::LineString(l) = &mut s[longest].geometry {
        l.0 = densify(&l.0, n, zigzag);
    }
    s
}
