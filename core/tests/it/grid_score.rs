//! The grid-scoring job on the reference city (102,400 cells of 250 m, EPSG:4547) with the
//! shipped `plugins/grid-suitability` plugin: scores against the same formula computed here in
//! Rust, features against the reference answer (oracle_grid.csv, from GeoPandas, PostGIS and
//! DuckDB), and the same bytes on one thread and two.

use std::path::{Path, PathBuf};

use hecun::jobs::{GridLayers, GridScores, GridSpec, score_cells, score_grid};
use hecun::rules::Plugin;
use hecun::{Crs, CrsEngine, GridFeatures, LayerKind, LayerSource};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data() -> PathBuf {
    repo().join("tests/data/reference-city")
}

fn plugin() -> Plugin {
    Plugin::load(&repo().join("plugins/grid-suitability")).unwrap()
}

/// The plugin's formula, written again here from its documentation and its parameters.
fn formula(plugin: &Plugin, dist: f64, in_corridor: bool) -> Option<f64> {
    let p = |name: &str| plugin.manifest().params[name].as_float().unwrap();
    if in_corridor {
        return None;
    }
    let access = (1.0 - dist / p("reach_m")).max(0.0);
    let quiet = (dist / p("setback_m")).min(1.0);
    Some(p("w_access") * access + p("w_setback") * quiet)
}

/// Cell id, distance and inside-corridor from the reference answer.
fn oracle() -> GridFeatures {
    let mut reader = csv::Reader::from_path(data().join("oracle_grid.csv")).unwrap();
    let mut features = GridFeatures {
        nearest_road_m: Vec::new(),
        in_corridor: Vec::new(),
    };
    for (i, record) in reader.records().enumerate() {
        let r = record.unwrap();
        assert_eq!(
            r[0].parse::<usize>().unwrap(),
            i,
            "the oracle is in cell order"
        );
        features.nearest_road_m.push(r[1].parse().unwrap());
        features.in_corridor.push(&r[2] == "1");
    }
    features
}

fn job(plugin: &Plugin) -> GridScores {
    let spec = GridSpec::load(&data().join("grid.json")).unwrap();
    assert_eq!(spec.crs, Some(Crs::from_epsg(4547).unwrap()));
    let layers = GridLayers::load(
        &LayerSource::new(data().join("roads.geojson"), LayerKind::Roads),
        Some(&LayerSource::new(
            data().join("corridors.geojson"),
            LayerKind::Corridors,
        )),
        Crs::WGS84,
        spec.crs,
        CrsEngine::preferred(),
        false,
    )
    .unwrap();
    assert!(layers.warnings.is_empty(), "{:?}", layers.warnings);
    score_grid(&spec.grid, &layers.roads, &layers.corridors, plugin).unwrap()
}

#[test]
fn scores_of_the_oracle_features_equal_the_formula() {
    let plugin = plugin();
    let oracle = oracle();
    assert_eq!(oracle.nearest_road_m.len(), 102_400);
    let scores = score_cells(&oracle, &plugin).unwrap();
    for (id, got) in scores.iter().enumerate() {
        let want = formula(&plugin, oracle.nearest_road_m[id], oracle.in_corridor[id]);
        match (got, want) {
            (Some(g), Some(w)) => assert!(
                (g - w).abs() <= 1e-12,
                "cell {id}: {g} vs {w} (distance {})",
                oracle.nearest_road_m[id]
            ),
            _ => assert_eq!(*got, want, "cell {id}"),
        }
    }
    // The formula's every branch is met: cells beyond the reach, within the setback, between.
    let d = &oracle.nearest_road_m;
    assert!(d.iter().any(|&d| d > 3000.0) && d.iter().any(|&d| d < 100.0));
    assert!(d.iter().any(|&d| (100.0..3000.0).contains(&d)));
}

#[test]
fn the_job_scores_its_features_by_the_formula_and_excludes_exactly_the_corridor_cells() {
    let plugin = plugin();
    let run = job(&plugin);
    let oracle = oracle();
    assert_eq!(run.scores.len(), 102_400);
    // Features as the reference computed them (the oracle prints four decimals).
    for id in 0..run.scores.len() {
        let (d, o) = (run.features.nearest_road_m[id], oracle.nearest_road_m[id]);
        assert!((d - o).abs() < 1e-3, "cell {id}: {d} m vs {o} m");
        assert_eq!(
            run.features.in_corridor[id], oracle.in_corridor[id],
            "cell {id}"
        );
    }
    for (id, got) in run.scores.iter().enumerate() {
        let want = formula(
            &plugin,
            run.features.nearest_road_m[id],
            run.features.in_corridor[id],
        );
        assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "cell {id}");
    }
    let inside = oracle.in_corridor.iter().filter(|&&b| b).count();
    assert!(inside > 1000, "{inside} corridor cells");
    assert_eq!(run.excluded(), inside);
}

#[test]
fn same_bytes_on_one_thread_and_two() -> Result<(), Box<dyn std::error::Error>> {
    let plugin = plugin();
    let on = |n: usize| -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build()?;
        Ok(pool.install(|| job(&plugin).csv()))
    };
    let (one, two) = (on(1)?, on(2)?);
    assert!(one == two, "the CSV differs between one thread and two");
    let text = String::from_utf8(one)?;
    assert_eq!(text.lines().count(), 102_401);
    assert!(text.starts_with("cell_id,dist_m,in_corridor,score\n0,6547.2400,0,0.3\n"));
    Ok(())
}

#[test]
fn the_first_failing_cell_is_named_whatever_the_threads() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("plugin.toml"),
        "name = \"fussy\"\nversion = \"1.0.0\"\ncontract = 1\nkind = \"site-score\"\nscript = \"score.rhai\"\n",
    )?;
    std::fs::write(
        dir.path().join("score.rhai"),
        "fn score(c, params) { if c.road_distance > 5.0 { throw \"too far\"; } 1.0 }",
    )?;
    let plugin = Plugin::load(dir.path())?;
    let features = GridFeatures {
        nearest_road_m: (0..50_000)
            .map(|i| if i < 30_000 { 1.0 } else { 9.0 })
            .collect(),
        in_corridor: vec![false; 50_000],
    };
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let err = pool
            .install(|| score_cells(&features, &plugin))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"fussy\"")
                && err.contains("candidate \"30000\"")
                && err.contains("too far"),
            "{err}"
        );
    }
    Ok(())
}
