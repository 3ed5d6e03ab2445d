//! Grid features against the reference answer (tests/data/reference-city/oracle_grid.csv,
//! computed by GeoPandas, PostGIS and DuckDB): nearest road distance and inside-corridor for
//! each of the 102,400 cells of a 250 m grid in EPSG:4547; and the distances, to the bit,
//! against one R-tree query per cell (here, and on the province grid when
//! `HECUN_BENCH_DATA` names a folder holding `province/`).

use std::path::{Path, PathBuf};

use geo::{Distance, Euclidean, Geometry, MultiPolygon, Point};
use hecun::internals::{NearestLine, polygons};
use hecun::{Crs, CrsEngine, Grid, ReadOptions, Transformer, grid_features, read_geojson};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city")
}

fn layer_in_4547(name: &str) -> Vec<Geometry<f64>> {
    layer_in_4547_from(&data(), name)
}

fn layer_in_4547_from(dir: &Path, name: &str) -> Vec<Geometry<f64>> {
    let layer = read_geojson(&dir.join(name), &ReadOptions::default())
        .unwrap()
        .layer;
    let t = Transformer::new(
        Crs::WGS84,
        Crs::from_epsg(4547).unwrap(),
        CrsEngine::preferred(),
    )
    .unwrap();
    layer
        .features
        .into_iter()
        .map(|f| {
            let mut g = f.geometry;
            t.transform(&mut g).unwrap();
            g
        })
        .collect()
}

fn grid_in(dir: &Path) -> Grid {
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("grid.json")).unwrap()).unwrap();
    Grid {
        x0: spec["x0"].as_f64().unwrap(),
        y0: spec["y0"].as_f64().unwrap(),
        cell: spec["cell"].as_f64().unwrap(),
        nx: spec["nx"].as_u64().unwrap() as usize,
        ny: spec["ny"].as_u64().unwrap() as usize,
    }
}

/// The distances of [`grid_features`] are, bit for bit, those of one nearest-neighbour query
/// per cell centre.
fn assert_same_as_per_cell_queries(dir: &Path) {
    let grid = grid_in(dir);
    let roads = layer_in_4547_from(dir, "roads.geojson");
    let features = grid_features(&grid, &roads, &[]);
    let lines = roads.iter().enumerate().flat_map(|(i, g)| match g {
        Geometry::LineString(l) => vec![(i, l)],
        Geometry::MultiLineString(ml) => ml.0.iter().map(|l| (i, l)).collect(),
        _ => Vec::new(),
    });
    let index = NearestLine::new(lines);
    let differ: Vec<usize> = (0..grid.len())
        .filter(|&id| {
            let want = index
                .nearest(grid.centre(id))
                .map_or(f64::INFINITY, |(_, d)| d);
            features.nearest_road_m[id].to_bits() != want.to_bits()
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} cells differ, first {:?}",
        differ.len(),
        grid.len(),
        &differ[..differ.len().min(10)]
    );
}

#[test]
fn grid_distances_are_per_cell_queries_to_the_bit() {
    assert_same_as_per_cell_queries(&data());
}

#[test]
fn province_grid_distances_are_per_cell_queries_to_the_bit() {
    let Some(root) = std::env::var_os("HECUN_BENCH_DATA") else {
        eprintln!("HECUN_BENCH_DATA not set: the province grid is not checked");
        return;
    };
    let dir = PathBuf::from(root).join("province");
    if dir.join("grid.json").exists() {
        assert_same_as_per_cell_queries(&dir);
    }
}

#[test]
fn grid_features_match_the_reference() {
    let grid = grid_in(&data());
    let roads = layer_in_4547("roads.geojson");
    let corridors: Vec<MultiPolygon<f64>> = layer_in_4547("corridors.geojson")
        .iter()
        .map(polygons)
        .collect();
    let features = grid_features(&grid, &roads, &corridors);

    let mut reader = csv::Reader::from_path(data().join("oracle_grid.csv")).unwrap();
    let mut rows = 0;
    let mut worst = 0.0f64;
    for record in reader.records() {
        let r = record.unwrap();
        let id: usize = r[0].parse().unwrap();
        let dist: f64 = r[1].parse().unwrap();
        let inside = &r[2] == "1";
        // The oracle prints four decimals.
        let diff = (features.nearest_road_m[id] - dist).abs();
        worst = worst.max(diff);
        assert!(
            diff < 1e-3,
            "cell {id}: {} m vs {dist} m",
            features.nearest_road_m[id]
        );
        if features.in_corridor[id] != inside {
            // Only a centre on a corridor's very edge may go either way.
            let c = Point(grid.centre(id));
            let edge = corridors
                .iter()
                .flat_map(|mp| mp.0.iter())
                .map(|p| Euclidean.distance(&c, p.exterior()))
                .fold(f64::INFINITY, f64::min);
            assert!(
                edge < 1e-6,
                "cell {id}: inside {} vs oracle {inside}, {edge} m from an edge",
                features.in_corridor[id]
            );
        }
        rows += 1;
    }
    assert_eq!(rows, grid.len());
    assert!(features.in_corridor.iter().any(|&b| b) && features.in_corridor.iter().any(|&b| !b));
    assert!(worst < 1e-4, "largest distance difference {worst} m");
}
