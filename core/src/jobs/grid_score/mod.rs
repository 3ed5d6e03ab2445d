//! The grid-scoring job: every cell of a regular grid scored by a site-score plugin, from
//! features computed once in Rust (the distance from the cell's centre to the nearest road,
//! and whether the centre lies inside an ecological corridor).
//!
//! Cells are scored on all cores, each on its own, so the scores (and the CSV bytes) are the
//! same whatever the thread count. In the order a run goes: the grid ([`GridSpec`]), the
//! layers it is scored against ([`GridLayers`]), the cells' features and scores (here), the
//! scored grid and its table ([`GridScores`]).

mod csv_text;
mod layers;
mod scores;
mod spec;

pub use layers::GridLayers;
pub use scores::GridScores;
pub use spec::GridSpec;

use std::sync::Arc;
use std::time::Instant;

use geo::{Geometry, MultiPolygon};
use rayon::prelude::*;

use crate::error::{Error, PluginFailure, Result};
use crate::geometry::grid::{Grid, GridFeatures, grid_features};
use crate::rules::candidate::{Candidate, FeatureNames, FeatureSink, Features, Value};
use crate::rules::contract::Kind;
use crate::rules::plugin::Plugin;
use crate::rules::score::Outcome;
use csv_text::format_usize;

/// The features each cell hands to the plugin, in this order: `road_distance` (metres from
/// the centre to the nearest road; infinite without roads) and `in_corridor` (a bool).
pub const GRID_FEATURES: [&str; 2] = crate::rules::reads::engine::GRID_FEATURES;

/// Scores every cell of `grid`: the features with [`grid_features`] (roads are lines and
/// corridors polygons, both in the grid's CRS), then the plugin's `score(cell, params)` on
/// each cell, on all cores. A cell's id is its index (`row * nx + col`).
///
/// The plugin must be a site-score plugin; a cell it fails on stops the job, and the error
/// names the first such cell.
pub fn score_grid(
    grid: &Grid,
    roads: &[Geometry<f64>],
    corridors: &[MultiPolygon<f64>],
    plugin: &Plugin,
) -> Result<GridScores> {
    let started = Instant::now();
    let features = grid_features(grid, roads, corridors);
    let features_done = Instant::now();
    let scores = score_cells(&features, plugin)?;
    let timings = vec![
        ("features", features_done - started),
        ("score", features_done.elapsed()),
    ];
    Ok(GridScores {
        grid: *grid,
        features,
        scores,
        timings,
    })
}

/// Scores cells from their features, on all cores: `None` where the plugin excluded the cell.
///
/// # Examples
///
/// ```
/// use hecun::GridFeatures;
/// use hecun::jobs::score_cells;
/// use hecun::rules::Plugin;
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("plugin.toml"), r#"
///     name = "near-roads"
///     version = "1.0.0"
///     contract = 1
///     kind = "site-score"
///     script = "score.rhai"
/// "#)?;
/// std::fs::write(dir.path().join("score.rhai"), r#"
///     fn score(c, params) {
///         if c.in_corridor { return exclude("corridor"); }
///         term("near", 1.0, 1.0 / (1.0 + c.road_distance))
///     }
/// "#)?;
/// let plugin = Plugin::load(dir.path())?;
/// let features = GridFeatures { nearest_road_m: vec![0.0, 3.0, 1.0], in_corridor: vec![false, false, true] };
/// assert_eq!(score_cells(&features, &plugin)?, [Some(1.0), Some(0.25), None]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn score_cells(features: &GridFeatures, plugin: &Plugin) -> Result<Vec<Option<f64>>> {
    let kind = plugin.manifest().kind;
    if kind != Kind::SiteScore {
        return Err(Error::Plugin {
            plugin: plugin.manifest().name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: None,
            message: format!(
                "is a {} plugin, not a site-score plugin: it cannot score grid cells",
                kind.name()
            ),
        });
    }
    let names: FeatureNames = GRID_FEATURES.map(str::to_owned).into();
    let n = features
        .nearest_road_m
        .len()
        .min(features.in_corridor.len());
    let cell = |i: usize| Cell {
        index: i,
        road_distance: features.nearest_road_m[i],
        in_corridor: features.in_corridor[i],
        names: &names,
    };
    // Cells go to the plugin in blocks: a WebAssembly plugin takes each block in few calls;
    // a Rhai plugin scores them one by one. Blocks small enough that their per-candidate
    // results stay well below the allocator's trimming threshold (a larger block had its
    // pages returned to the kernel and faulted in again, block after block).
    const BLOCK: usize = 256;
    let blocks: Vec<Result<Vec<Option<f64>>>> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let cells: Vec<Cell> = (b * BLOCK..((b + 1) * BLOCK).min(n)).map(cell).collect();
            let refs: Vec<&dyn Features> = cells.iter().map(|c| c as &dyn Features).collect();
            plugin
                .score_batch(&refs, false)
                .into_iter()
                .map(|s| {
                    s.map(|s| match s.outcome {
                        Outcome::Scored(v) => Some(v),
                        Outcome::Excluded { .. } => None,
                    })
                })
                .collect()
        })
        .collect();
    // Several cells may fail: name the first, whatever thread met which (blocks are in order,
    // and a block's error is its first).
    let mut scores = Vec::with_capacity(n);
    for block in blocks {
        scores.extend(block?);
    }
    Ok(scores)
}

/// A grid cell as the scoring plugin reads it, without an allocation (see [`Features`]).
struct Cell<'a> {
    index: usize,
    road_distance: f64,
    in_corridor: bool,
    names: &'a FeatureNames,
}

impl Features for Cell<'_> {
    fn id(&self) -> String {
        self.index.to_string()
    }
    fn get(&self, name: &str) -> Value {
        match name {
            "road_distance" => Value::Float(self.road_distance),
            "in_corridor" => Value::Bool(self.in_corridor),
            _ => Value::Missing,
        }
    }
    fn to_candidate(&self) -> Candidate {
        Candidate::new(
            self.id(),
            Arc::clone(self.names),
            vec![self.get("road_distance"), self.get("in_corridor")],
        )
    }
    fn read_into(&self, sink: &mut dyn FeatureSink) {
        let mut digits = [0u8; 20];
        let id = format_usize(self.index, &mut digits);
        sink.id(std::str::from_utf8(id).unwrap_or_default());
        sink.feature("road_distance", &Value::Float(self.road_distance));
        sink.feature("in_corridor", &Value::Bool(self.in_corridor));
        sink.attributes("");
        // A cell has no geometry nor layers of its own: the helpers answer that from its id.
        sink.place(None);
    }
}
