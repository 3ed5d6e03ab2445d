//! The grid-scoring job: every cell of a regular grid scored by a site-score plugin, from
//! features computed once in Rust (the distance from the cell's centre to the nearest road,
//! and whether the centre lies inside an ecological corridor).
//!
//! Cells are scored on all cores, each on its own, so the scores (and the CSV bytes) are the
//! same whatever the thread count.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use geo::{BoundingRect, Geometry, MultiPolygon, Rect};
use rayon::prelude::*;

use crate::error::{Error, PluginFailure, Result};
use crate::geometry::buffer::buffer;
use crate::geometry::grid::{Grid, GridFeatures, grid_features};
use crate::geometry::polygons;
use crate::geometry::rect_union;
use crate::model::crs::{Crs, CrsEngine, Transformer};
use crate::model::zone_sources;
use crate::pipeline::job::LayerSource;
use crate::rules::candidate::{Candidate, FeatureNames, FeatureSink, Features, Value};
use crate::rules::contract::{Kind, Manifest};
use crate::rules::plugin::Plugin;
use crate::rules::score::Outcome;

/// The features each cell hands to the plugin, in this order: `road_distance` (metres from
/// the centre to the nearest road; infinite without roads) and `in_corridor` (a bool).
pub const GRID_FEATURES: [&str; 2] = ["road_distance", "in_corridor"];

/// A grid as a `grid.json` file describes it: `{"crs": "EPSG:4547", "x0": …, "y0": …,
/// "cell": 250, "nx": 320, "ny": 320}` (cell `row * nx + col` has its centre at
/// `(x0 + (col + 0.5) * cell, y0 + (row + 0.5) * cell)`).
///
/// # Examples
///
/// ```
/// use hecun::jobs::GridSpec;
///
/// let spec = GridSpec::parse("grid.json", r#"{"crs": "EPSG:4547", "x0": 0, "y0": 10, "cell": 250, "nx": 4, "ny": 3}"#)?;
/// assert_eq!((spec.grid.len(), spec.grid.cell), (12, 250.0));
/// assert_eq!(spec.crs.map(|c| c.code()), Some(4547));
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// The grid.
    pub grid: Grid,
    /// The CRS of its coordinates, when the file names one.
    pub crs: Option<Crs>,
}

impl GridSpec {
    /// Reads a `grid.json` file.
    pub fn load(path: &Path) -> Result<GridSpec> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        GridSpec::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a `grid.json` file; `context` names it in messages.
    pub fn parse(context: &str, text: &str) -> Result<GridSpec> {
        let bad = |message: String| Error::config(context, message);
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        let number = |key: &str| {
            v.get(key)
                .and_then(serde_json::Value::as_f64)
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(format!("{key:?} must be a finite number")))
        };
        let count = |key: &str| {
            v.get(key)
                .and_then(serde_json::Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| bad(format!("{key:?} must be a whole number of cells")))
        };
        let grid = Grid {
            x0: number("x0")?,
            y0: number("y0")?,
            cell: number("cell")?,
            nx: count("nx")?,
            ny: count("ny")?,
        };
        if grid.cell <= 0.0 {
            return Err(bad(format!("\"cell\" must be above 0, not {}", grid.cell)));
        }
        if grid.nx == 0 || grid.ny == 0 {
            return Err(bad(format!(
                "a grid of {} × {} cells has none: \"nx\" and \"ny\" must be at least 1",
                grid.nx, grid.ny
            )));
        }
        if grid.nx.checked_mul(grid.ny).is_none_or(|n| n > 1 << 32) {
            return Err(bad(format!(
                "{} × {} cells is more than hecun grids (4,294,967,296 cells)",
                grid.nx, grid.ny
            )));
        }
        let crs = match v.get("crs") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => {
                Some(s.parse::<Crs>().map_err(|e| bad(format!("\"crs\": {e}")))?)
            }
            Some(other) => {
                return Err(bad(format!(
                    "\"crs\" must be a string like \"EPSG:4547\", not {other}"
                )));
            }
        };
        Ok(GridSpec { grid, crs })
    }

    /// The grid of `cell`-sized cells covering `extent`, its corners on whole multiples of
    /// `cell` (so that grids of neighbouring regions line up).
    ///
    /// # Examples
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use hecun::jobs::GridSpec;
    ///
    /// let grid = GridSpec::covering(Rect::new(coord! { x: 120.0, y: 30.0 }, coord! { x: 980.0, y: 510.0 }), 250.0);
    /// assert_eq!((grid.x0, grid.y0, grid.nx, grid.ny), (0.0, 0.0, 4, 3));
    /// ```
    pub fn covering(extent: Rect<f64>, cell: f64) -> Grid {
        let x0 = (extent.min().x / cell).floor() * cell;
        let y0 = (extent.min().y / cell).floor() * cell;
        let n = |from: f64, to: f64| (((to - from) / cell).ceil() as usize).max(1);
        Grid {
            x0,
            y0,
            cell,
            nx: n(x0, extent.max().x),
            ny: n(y0, extent.max().y),
        }
    }
}

/// Roads and corridors for the grid job, read and projected to the metric CRS.
#[derive(Debug, Clone)]
pub struct GridLayers {
    /// The road lines, in the metric CRS.
    pub roads: Vec<Geometry<f64>>,
    /// The corridor polygons (line corridors buffered by half their `width`), in the metric
    /// CRS.
    pub corridors: Vec<MultiPolygon<f64>>,
    /// The CRS they were projected to.
    pub metric_crs: Crs,
    /// Features skipped (`keep_going`).
    pub warnings: Vec<String>,
}

impl GridLayers {
    /// Reads the roads (any lines; no class needed) and the corridors (polygons, or lines with
    /// a width field), and projects them to `metric_crs`; without one, to the roads' own CRS
    /// if it is projected, else to the CGCS2000 3-degree zone of the roads' centre.
    pub fn load(
        roads: &LayerSource,
        corridors: Option<&LayerSource>,
        input_crs: Crs,
        metric_crs: Option<Crs>,
        engine: CrsEngine,
        keep_going: bool,
    ) -> Result<GridLayers> {
        let mut warnings = Vec::new();
        let (road_layer, corridor_layer) = rayon::join(
            || roads.read(input_crs, keep_going),
            || corridors.map(|c| c.read(input_crs, keep_going)).transpose(),
        );
        let (road_layer, corridor_layer) = (road_layer?, corridor_layer?);
        for outcome in std::iter::once(&road_layer).chain(corridor_layer.as_ref()) {
            warnings.extend(outcome.warnings.iter().cloned());
            warnings.extend(outcome.skipped.iter().map(|e| format!("skipped: {e}")));
        }
        let road_layer = road_layer.layer;
        let metric_crs = road_layer.metric_crs(metric_crs, "distances")?;

        let to_metric = Transformer::new(road_layer.crs, metric_crs, engine)?;
        let projected: Vec<Result<Option<Geometry<f64>>>> = road_layer
            .features
            .par_iter()
            .map(|f| match &f.geometry {
                Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                    let mut g = f.geometry.clone();
                    to_metric.transform(&mut g).map_err(|e| {
                        Error::feature(road_layer.feature_ref(f), Some("geometry"), e.to_string())
                    })?;
                    Ok(Some(g))
                }
                _ => Err(Error::feature(
                    road_layer.feature_ref(f),
                    Some("geometry"),
                    "a road must be a LineString or MultiLineString",
                )),
            })
            .collect();
        let mut road_lines = Vec::with_capacity(projected.len());
        for p in projected {
            match p {
                Ok(Some(g)) => road_lines.push(g),
                Ok(None) => {}
                Err(e) if keep_going => warnings.push(format!("skipped: {e}")),
                Err(e) => return Err(e),
            }
        }

        let mut corridor_polygons = Vec::new();
        if let (Some(outcome), Some(source)) = (corridor_layer, corridors) {
            let layer = outcome.layer;
            let (sources, skipped) = zone_sources(
                "corridors",
                &layer,
                &source.schema,
                Some("corridor"),
                keep_going,
            )?;
            warnings.extend(skipped.iter().map(|e| format!("skipped: {e}")));
            let to_metric = Transformer::new(layer.crs, metric_crs, engine)?;
            let built: Vec<Result<MultiPolygon<f64>>> = sources
                .into_par_iter()
                .map(|s| {
                    let bad = |e: String| Error::feature(s.at.clone(), Some("geometry"), e);
                    let mut g = s.geometry;
                    to_metric
                        .transform(&mut g)
                        .map_err(|e| bad(e.to_string()))?;
                    match g {
                        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => Ok(polygons(&g)),
                        _ if s.own_width > 0.0 => buffer(&g, s.own_width / 2.0, 8).map_err(bad),
                        _ => Err(bad(
                            "a line corridor needs a width field (the belt's width in metres)"
                                .to_owned(),
                        )),
                    }
                })
                .collect();
            for b in built {
                match b {
                    Ok(mp) => corridor_polygons.push(mp),
                    Err(e) if keep_going => warnings.push(format!("skipped: {e}")),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(GridLayers {
            roads: road_lines,
            corridors: corridor_polygons,
            metric_crs,
            warnings,
        })
    }

    /// The extent of the roads and corridors, in the metric CRS.
    pub fn extent(&self) -> Option<Rect<f64>> {
        let corridors = self.corridors.iter().filter_map(|c| c.bounding_rect());
        let roads = self.roads.iter().filter_map(|r| r.bounding_rect());
        roads.chain(corridors).reduce(rect_union)
    }
}

/// Every cell of a grid, with its features and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct GridScores {
    /// The grid.
    pub grid: Grid,
    /// Each cell's features, in cell order.
    pub features: GridFeatures,
    /// Each cell's score; `None` when the plugin excluded the cell.
    pub scores: Vec<Option<f64>>,
    /// Wall time of each stage (`features`, `score`).
    pub timings: Vec<(&'static str, Duration)>,
}

impl GridScores {
    /// How many cells the plugin excluded.
    pub fn excluded(&self) -> usize {
        self.scores.iter().filter(|s| s.is_none()).count()
    }

    /// Writes the cells as CSV: `cell_id,dist_m,in_corridor,score`; the distance with four
    /// decimals (as the peers print it), `in_corridor` 1 or 0, and the score as the shortest
    /// text that reads back as the same number (empty when excluded). ASCII, no BOM.
    /// Formatted on all cores a few blocks at a time (the next ones while these are
    /// written), so memory stays bounded at any grid size; the bytes never depend on the
    /// thread count.
    pub fn write_csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(CSV_HEADER)?;
        let blocks = self.csv_blocks();
        let mut groups = blocks.chunks(rayon::current_num_threads().max(1) * 2);
        // Each block's text and its length, in buffers used again and again.
        let format = |group: &[(usize, usize)], texts: &mut Vec<(Vec<u8>, usize)>| {
            texts.resize_with(group.len(), || (Vec::new(), 0));
            group
                .par_iter()
                .zip(texts.par_iter_mut())
                .for_each(|(&(start, end), (text, len))| *len = self.csv_rows(start, end, text));
        };
        let (mut ready, mut next) = (Vec::new(), Vec::new());
        if let Some(first) = groups.next() {
            format(first, &mut ready);
        }
        loop {
            let group = groups.next();
            let mut written = Ok(());
            rayon::in_place_scope(|scope| {
                if let Some(group) = group {
                    scope.spawn(|_| format(group, &mut next));
                }
                written = ready
                    .iter()
                    .try_for_each(|(text, len)| out.write_all(&text[..*len]));
            });
            written?;
            if group.is_none() {
                return Ok(());
            }
            std::mem::swap(&mut ready, &mut next);
        }
    }

    /// A summary of the run as pretty JSON: the grid (in `metric_crs`), the plugin, how many
    /// cells lie in a corridor, are excluded and scored, the score range, and `warnings`.
    pub fn summary_json(&self, metric_crs: Crs, plugin: &Manifest, warnings: &[String]) -> String {
        let scored = || self.scores.iter().flatten().copied();
        let g = self.grid;
        let summary = serde_json::json!({
            "grid": {"crs": metric_crs.to_string(), "x0": g.x0, "y0": g.y0, "cell": g.cell, "nx": g.nx, "ny": g.ny},
            "plugin": {"name": plugin.name, "version": plugin.version},
            "cells": g.len(),
            "in_corridor": self.features.in_corridor.iter().filter(|&&b| b).count(),
            "excluded": self.excluded(),
            "scored": scored().count(),
            "score_min": scored().reduce(f64::min),
            "score_max": scored().reduce(f64::max),
            "warnings": warnings,
        });
        let mut text = serde_json::to_string_pretty(&summary).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The CSV as bytes (see [`GridScores::write_csv`]).
    pub fn csv(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.scores.len() * 40 + CSV_HEADER.len());
        self.write_csv(&mut bytes)
            .expect("writing to memory does not fail");
        bytes
    }

    /// The rows of the CSV in blocks of consecutive cells, `(start, end)`.
    fn csv_blocks(&self) -> Vec<(usize, usize)> {
        const BLOCK: usize = 1 << 14;
        let n = self.scores.len();
        (0..n)
            .step_by(BLOCK)
            .map(|s| (s, (s + BLOCK).min(n)))
            .collect()
    }

    /// Formats rows `start..end` into the front of `s` (grown as needed, never shrunk, its
    /// bytes past the rows left as they are) and returns their length.
    fn csv_rows(&self, start: usize, end: usize, s: &mut Vec<u8>) -> usize {
        // Each row takes at most ROW bytes (while distances take the fast path); pieces are
        // copied a fixed SLACK bytes at a time, the tail of which later pieces overwrite.
        const ROW: usize = 20 + 1 + 16 + 3 + 24 + 1;
        const SLACK: usize = 32;
        let room = |s: &mut Vec<u8>, need: usize| {
            if s.len() < need {
                s.resize(need, 0);
            }
        };
        room(s, (end - start) * ROW + SLACK);
        let mut pos = 0;
        let mut id = DecimalCounter::new(start);
        let mut floats = ryu::Buffer::new();
        // The last score's text: neighbouring cells often score the same.
        let mut last: Option<(u64, [u8; SLACK], usize)> = None;
        for i in start..end {
            s[pos..pos + 20].copy_from_slice(&id.digits);
            pos += id.len;
            id.increment();
            s[pos] = b',';
            pos += 1;
            let d = self.features.nearest_road_m[i];
            match fixed4(d) {
                Some(m) => pos += write_fixed4(m, &mut s[pos..]),
                None => {
                    let text = format!("{d:.4}");
                    room(s, pos + text.len() + (end - i) * ROW + SLACK);
                    s[pos..pos + text.len()].copy_from_slice(text.as_bytes());
                    pos += text.len();
                }
            }
            s[pos..pos + 3].copy_from_slice(if self.features.in_corridor[i] {
                b",1,"
            } else {
                b",0,"
            });
            pos += 3;
            if let Some(score) = self.scores[i] {
                let bits = score.to_bits();
                let (text, len) = match last {
                    Some((b, text, len)) if b == bits => (text, len),
                    _ => {
                        let f = floats.format(score).as_bytes();
                        let mut text = [0u8; SLACK];
                        text[..f.len()].copy_from_slice(f);
                        last = Some((bits, text, f.len()));
                        (text, f.len())
                    }
                };
                s[pos..pos + SLACK].copy_from_slice(&text);
                pos += len;
            }
            s[pos] = b'\n';
            pos += 1;
        }
        pos
    }
}

const CSV_HEADER: &[u8] = b"cell_id,dist_m,in_corridor,score\n";

/// A whole number as decimal text (the first `len` of `digits`), counted up one at a time
/// without dividing.
struct DecimalCounter {
    digits: [u8; 20],
    len: usize,
}

impl DecimalCounter {
    fn new(n: usize) -> DecimalCounter {
        let mut buf = [0u8; 20];
        let text = format_usize(n, &mut buf);
        let mut digits = [b'0'; 20];
        digits[..text.len()].copy_from_slice(text);
        DecimalCounter {
            digits,
            len: text.len(),
        }
    }

    #[cfg(test)]
    fn as_bytes(&self) -> &[u8] {
        &self.digits[..self.len]
    }

    fn increment(&mut self) {
        for d in self.digits[..self.len].iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                return;
            }
        }
        // All nines: one digit more (no usize reaches 20 digits of nines).
        self.digits[0] = b'1';
        if self.len < 20 {
            self.digits[self.len] = b'0';
            self.len += 1;
        }
    }
}

/// `x` in whole ten-thousandths, rounded as `{:.4}` rounds it, when that is certain without
/// the exact formatter: `x` in [0, 10¹¹) and not within a hair of a half ten-thousandth.
fn fixed4(x: f64) -> Option<u64> {
    if !(x.is_sign_positive() && x < 1e11) {
        return None;
    }
    let m = (x * 1e4).round();
    // x·10⁴ − m, rounded once: when it is clearly below one half, m is the nearest.
    (x.mul_add(1e4, -m).abs() < 0.499).then_some(m as u64)
}

/// Writes `m` ten-thousandths (below 10¹⁵) as decimal text with four decimals at the front
/// of `out`, and returns the length (at most 16).
fn write_fixed4(m: u64, out: &mut [u8]) -> usize {
    let (mut whole, frac) = (m / 10_000, (m % 10_000) as usize);
    let n = whole.checked_ilog10().map_or(1, |l| l as usize + 1);
    let out = &mut out[..n + 5];
    out[n..].copy_from_slice(&[
        b'.',
        DIGIT_PAIRS[frac / 100 * 2],
        DIGIT_PAIRS[frac / 100 * 2 + 1],
        DIGIT_PAIRS[frac % 100 * 2],
        DIGIT_PAIRS[frac % 100 * 2 + 1],
    ]);
    let mut i = n;
    while whole >= 100 {
        let pair = (whole % 100) as usize * 2;
        whole /= 100;
        out[i - 2..i].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
        i -= 2;
    }
    if whole >= 10 {
        let pair = whole as usize * 2;
        out[i - 2..i].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        out[i - 1] = b'0' + whole as u8;
    }
    n + 5
}

/// "00" to "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Appends `x` with four decimals, rounded from its exact binary value as C's
/// `printf("%.4f")` and Rust's `{:.4}` round it: directly when the nearest whole number of
/// ten-thousandths is certain, else through `{:.4}` (exact, but several times slower).
#[cfg(test)]
fn push_fixed4(s: &mut Vec<u8>, x: f64) {
    match fixed4(x) {
        Some(m) => {
            let mut buf = [0u8; 16];
            let n = write_fixed4(m, &mut buf);
            s.extend_from_slice(&buf[..n]);
        }
        None => {
            use std::io::Write as _;
            let _ = write!(s, "{x:.4}");
        }
    }
}

fn format_usize(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_without_rows_or_columns_is_refused() {
        // Found by the grid_spec fuzzer: 0 columns passed the cell-count check, and laying out
        // 18446744073709551615 rows of nothing overflowed the capacity of a Vec (a panic).
        for (nx, ny) in [("0", "18446744073709551615"), ("4", "0"), ("0", "0")] {
            let text =
                format!(r#"{{"x0": 0.5, "y0": 0.5, "cell": 1e308, "nx": {nx}, "ny": {ny}}}"#);
            let err = GridSpec::parse("grid.json", &text).unwrap_err().to_string();
            assert!(
                err.contains("grid.json") && err.contains(&format!("{nx} × {ny} cells has none")),
                "{err}"
            );
        }
        assert!(GridSpec::parse("g", r#"{"x0": 0, "y0": 0, "cell": 1, "nx": 1, "ny": 1}"#).is_ok());
    }

    #[test]
    fn usize_formatting() {
        let mut buf = [0u8; 20];
        for n in [0, 7, 10, 99_999, 2_047_999, usize::MAX] {
            assert_eq!(format_usize(n, &mut buf), n.to_string().as_bytes());
        }
    }

    #[test]
    fn decimal_counter_counts() {
        for start in [0, 8, 98, 999_990, 4_294_967_290] {
            let mut c = DecimalCounter::new(start);
            for n in start..start + 20 {
                assert_eq!(c.as_bytes(), n.to_string().as_bytes());
                c.increment();
            }
        }
    }

    #[test]
    fn csv_bytes_are_those_of_a_plain_formatter() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        // Several blocks, odd sizes; distances ordinary, on half ten-thousandths, huge,
        // negative, infinite or NaN; scores repeated, excluded, or odd.
        let n = 3 * (1 << 14) + 1234;
        let specials = [f64::INFINITY, f64::NAN, -0.0, -2.5, 1e11, 3e15, 0.000_05];
        let mut dist = Vec::with_capacity(n);
        let mut inside = Vec::with_capacity(n);
        let mut scores = Vec::with_capacity(n);
        let mut previous = Some(0.3);
        for _ in 0..n {
            let r = next();
            dist.push(match r % 50 {
                0 => specials[(r >> 8) as usize % specials.len()],
                1 => (r >> 20) as f64 % 1e7 / 1e4 + 0.000_05,
                _ => (r >> 12) as f64 / 1e12,
            });
            inside.push(r & (1 << 40) != 0);
            let score = match (r >> 48) % 8 {
                0 => None,
                1..=3 => previous,
                4 => Some(f64::from_bits(next())),
                _ => Some((next() >> 11) as f64 / (1u64 << 53) as f64),
            };
            previous = score.or(previous);
            scores.push(score);
        }
        let grid = Grid {
            x0: 0.0,
            y0: 0.0,
            cell: 1.0,
            nx: n,
            ny: 1,
        };
        let scores = GridScores {
            grid,
            features: GridFeatures {
                nearest_road_m: dist,
                in_corridor: inside,
            },
            scores,
            timings: Vec::new(),
        };
        let mut want = String::from("cell_id,dist_m,in_corridor,score\n");
        let mut floats = ryu::Buffer::new();
        for i in 0..n {
            let score = scores.scores[i].map_or("", |s| floats.format(s));
            want.push_str(&format!(
                "{i},{:.4},{},{score}\n",
                scores.features.nearest_road_m[i],
                u8::from(scores.features.in_corridor[i])
            ));
        }
        let got = scores.csv();
        assert!(got == want.as_bytes(), "the CSV differs from the plain one");
        let mut streamed = Vec::new();
        scores.write_csv(&mut streamed).unwrap();
        assert!(streamed == got);
    }

    #[test]
    fn four_decimals_as_printf() {
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut cases = vec![
            0.0,
            -0.0,
            0.000_05,
            0.000_15,
            12.345_65,
            6547.24,
            0.999_95,
            9_999.999_95,
            1e11,
            2e11,
            -1.5,
            f64::INFINITY,
            f64::NAN,
            1e-300,
        ];
        for _ in 0..200_000 {
            let r = next();
            // Ordinary distances, and values on or near a half ten-thousandth.
            cases.push((r % 100_000_000) as f64 / 1e4 * 1.000_000_1);
            cases.push((r % 10_000_000) as f64 / 1e4 + 0.000_05);
            cases.push(f64::from_bits(r >> 2));
        }
        let mut s = Vec::new();
        for x in cases {
            s.clear();
            push_fixed4(&mut s, x);
            assert_eq!(
                String::from_utf8(s.clone()).unwrap(),
                format!("{x:.4}"),
                "{x:e}"
            );
        }
    }

    #[test]
    fn csv_rows_are_formatted_as_documented() {
        let scores = GridScores {
            grid: Grid {
                x0: 0.0,
                y0: 0.0,
                cell: 1.0,
                nx: 3,
                ny: 1,
            },
            features: GridFeatures {
                nearest_road_m: vec![6547.24, 0.000_05, 12.345_65],
                in_corridor: vec![false, true, false],
            },
            scores: vec![Some(0.3), None, Some(0.1 + 0.2)],
            timings: Vec::new(),
        };
        assert_eq!(
            String::from_utf8(scores.csv()).unwrap(),
            "cell_id,dist_m,in_corridor,score\n0,6547.2400,0,0.3\n1,0.0001,1,\n2,12.3456,0,0.30000000000000004\n"
        );
        assert_eq!(scores.excluded(), 1);
    }
}
