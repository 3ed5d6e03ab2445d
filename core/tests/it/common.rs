//! What several test files share: random star polygons and the reference city as a plan.
#![allow(dead_code)] // each test file uses its own part of it

use std::path::{Path, PathBuf};

use geo::{Coord, LineString, Polygon};
use hecun::Plan;
use proptest::prelude::*;

/// The reference city's data, copied into the repository.
pub fn reference_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city")
}

/// The reference city as a plan: its layers, the reference widths, EPSG:4547.
pub fn reference_plan() -> Plan {
    let d = reference_data();
    let text = format!(
        r#"
        name = "reference city"
        [crs]
        metric = "EPSG:4547"
        [layers.villages]
        path = "{d}/villages.geojson"
        [layers.roads]
        path = "{d}/roads.geojson"
        [layers.corridors]
        path = "{d}/corridors.geojson"
        [layers.townships]
        path = "{d}/townships.geojson"
        fields = {{ name = "name" }}
        [layers.sites]
        path = "{d}/sites.geojson"
        [zones.widths]
        ring = 100
        radial = 50
        expressway = 80
        corridor = 0
        "#,
        d = d.display()
    );
    Plan::parse(&d.join("plan.toml"), &text).unwrap()
}

/// A star-shaped (hence simple) polygon around (cx, cy), like the generator's villages.
pub fn star(cx: f64, cy: f64, r: f64, radii: &[f64], phase: f64) -> Polygon<f64> {
    let n = radii.len();
    let mut pts: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let a = phase + std::f64::consts::TAU * k as f64 / n as f64;
            Coord {
                x: cx + r * f * a.cos(),
                y: cy + r * f * a.sin(),
            }
        })
        .collect();
    pts.push(pts[0]);
    Polygon::new(LineString(pts), vec![])
}

/// Random star-shaped polygons of radius `radius` whose vertices wobble by `wobble`.
pub fn stars(
    radius: std::ops::Range<f64>,
    wobble: std::ops::Range<f64>,
    vertices: std::ops::Range<usize>,
) -> impl Strategy<Value = Polygon<f64>> {
    (
        0.0..3000.0f64,
        0.0..3000.0f64,
        radius,
        prop::collection::vec(wobble, vertices),
        0.0..std::f64::consts::TAU,
    )
        .prop_map(|(x, y, r, radii, phase)| star(x, y, r, &radii, phase))
}
