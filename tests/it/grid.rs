//! `hecun grid`, the real binary in a temp folder: the reference city's grid scored with the
//! shipped grid-suitability plugin, a grid laid over the roads with `--cell`, and refusals.

use crate::common::{hecun, repo, stderr};

fn city(name: &str) -> String {
    repo()
        .join("tests/data/reference-city")
        .join(name)
        .display()
        .to_string()
}

fn plugin(name: &str) -> String {
    repo().join("plugins").join(name).display().to_string()
}

#[test]
fn scores_the_reference_grid() {
    let dir = tempfile::tempdir().unwrap();
    let (roads, corridors, grid) = (
        city("roads.geojson"),
        city("corridors.geojson"),
        city("grid.json"),
    );
    let suitability = plugin("grid-suitability");
    let args = [
        "grid",
        "--roads",
        &roads,
        "--corridors",
        &corridors,
        "--grid",
        &grid,
        "--plugin",
        &suitability,
        "--out",
        "out",
        "--timings",
    ];
    let o = hecun(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("scored 102400 cells") && stdout.contains("grid-suitability"),
        "{stdout}"
    );
    assert!(
        stderr(&o).contains("hecun: timings: load="),
        "{}",
        stderr(&o)
    );

    let csv = std::fs::read_to_string(dir.path().join("out/grid_scores.csv")).unwrap();
    let oracle = std::fs::read_to_string(city("oracle_grid.csv")).unwrap();
    assert_eq!(csv.lines().count(), 102_401);
    assert_eq!(csv.lines().next(), Some("cell_id,dist_m,in_corridor,score"));
    // Cell id, distance and inside-corridor print as the reference prints them; a score is
    // empty exactly where the cell lies in a corridor.
    let mut excluded = 0;
    for (ours, theirs) in csv.lines().zip(oracle.lines()).skip(1) {
        let (features, score) = ours.rsplit_once(',').unwrap();
        assert_eq!(features, theirs);
        assert_eq!(score.is_empty(), theirs.ends_with(",1"), "{ours}");
        if score.is_empty() {
            excluded += 1;
        } else {
            let s: f64 = score.parse().unwrap();
            assert!((0.0..=1.0).contains(&s), "{ours}");
        }
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/grid_summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["cells"], 102_400);
    assert_eq!(summary["excluded"], excluded);
    assert_eq!(summary["in_corridor"], excluded);
    assert_eq!(summary["grid"]["crs"], "EPSG:4547");

    // A rerun replaces the folder with the same bytes.
    let o = hecun(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/grid_scores.csv")).unwrap(),
        csv
    );
}

#[test]
fn a_grid_of_the_cell_size_covers_the_roads() {
    let dir = tempfile::tempdir().unwrap();
    let (roads, corridors) = (city("roads.geojson"), city("corridors.geojson"));
    let suitability = plugin("grid-suitability");
    let o = hecun(
        &[
            "grid",
            "--roads",
            &roads,
            "--corridors",
            &corridors,
            "--cell",
            "2000",
            "--metric-crs",
            "EPSG:4547",
            "--plugin",
            &suitability,
            "--out",
            "out",
            "--quiet",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/grid_summary.json")).unwrap(),
    )
    .unwrap();
    let g = &summary["grid"];
    assert_eq!(g["cell"], 2000.0);
    // The corners lie on whole kilometres-by-two, and the grid holds every road.
    assert_eq!(g["x0"].as_f64().unwrap() % 2000.0, 0.0);
    assert_eq!(g["y0"].as_f64().unwrap() % 2000.0, 0.0);
    let cells = g["nx"].as_u64().unwrap() * g["ny"].as_u64().unwrap();
    assert_eq!(summary["cells"], cells);
    assert!(cells > 300, "{cells} cells");
    let csv = std::fs::read_to_string(dir.path().join("out/grid_scores.csv")).unwrap();
    assert_eq!(csv.lines().count() as u64, cells + 1);
    // Every road is somewhere in the grid: some cell lies within a cell's width of one.
    assert!(csv.lines().skip(1).any(|l| {
        let d: f64 = l.split(',').nth(1).unwrap().parse().unwrap();
        d < 1000.0
    }));
}

#[test]
fn refuses_a_plugin_of_another_kind_and_a_grid_in_another_crs() {
    let dir = tempfile::tempdir().unwrap();
    let (roads, grid) = (city("roads.geojson"), city("grid.json"));
    let launch = plugin("launch-criteria");
    let o = hecun(
        &[
            "grid", "--roads", &roads, "--grid", &grid, "--plugin", &launch, "--out", "out",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is a launch-check plugin, not a site-score"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("out").exists());

    let suitability = plugin("grid-suitability");
    let o = hecun(
        &[
            "grid",
            "--roads",
            &roads,
            "--grid",
            &grid,
            "--metric-crs",
            "EPSG:4548",
            "--plugin",
            &suitability,
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--metric-crs EPSG:4548 differs from the grid's crs EPSG:4547"),
        "{}",
        stderr(&o)
    );

    let o = hecun(
        &[
            "grid",
            "--roads",
            &roads,
            "--plugin",
            &suitability,
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--grid"), "{}", stderr(&o));
}

#[test]
fn refuses_a_grid_without_columns_or_rows() {
    // Found by the grid_spec fuzzer: `"nx": 0` with a huge `ny` panicked laying out the rows.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("grid.json"),
        r#"{"crs": "EPSG:4547", "x0": 0.5, "y0": 0.5, "cell": 250, "nx": 0, "ny": 18446744073709551615}"#,
    )
    .unwrap();
    let (roads, suitability) = (city("roads.geojson"), plugin("grid-suitability"));
    let o = hecun(
        &[
            "grid",
            "--roads",
            &roads,
            "--grid",
            "grid.json",
            "--plugin",
            &suitability,
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("grid.json")
            && stderr(&o).contains("0 × 18446744073709551615 cells has none"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(!dir.path().join("out").exists());
}
