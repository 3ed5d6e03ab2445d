//! `hecun grid`: every cell of a grid scored by a site-score plugin, from its distance to the
//! nearest road and whether it lies inside an ecological corridor.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use hecun::jobs::{GridLayers, GridSpec, score_grid};
use hecun::rules::Plugin;
use hecun::{Crs, CrsEngine, LayerKind, LayerSource};

/// What `hecun grid` was asked for.
#[derive(Args)]
pub struct GridArgs {
    /// Roads layer (GeoJSON lines; no class needed).
    #[arg(long, value_name = "FILE")]
    roads: PathBuf,
    /// Ecological corridors layer (polygons, or lines with a width field).
    #[arg(long, value_name = "FILE")]
    corridors: Option<PathBuf>,
    /// The grid: a JSON file with crs, x0, y0 (south-west corner), cell, nx, ny.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "cell",
        conflicts_with = "cell"
    )]
    grid: Option<PathBuf>,
    /// Instead of --grid: cells of this many metres covering the roads and corridors.
    #[arg(long, value_name = "METRES")]
    cell: Option<f64>,
    /// The site-score plugin (folder or plugin.toml), e.g. plugins/grid-suitability.
    #[arg(long, value_name = "DIR")]
    plugin: PathBuf,
    /// Output folder: grid_scores.csv and grid_summary.json (replaced as a whole).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// CRS of input files that do not name one (GeoJSON per RFC 7946 is EPSG:4326); GCJ-02 or BD-09 for coordinates from Amap/Tencent or Baidu maps (converted to WGS 84).
    #[arg(long, value_name = "EPSG:CODE|GCJ-02|BD-09")]
    input_crs: Option<String>,
    /// CRS of the grid and the distances (default: the grid file's crs, else the CGCS2000 3-degree zone of the roads).
    #[arg(long, value_name = "EPSG:CODE")]
    metric_crs: Option<String>,
    /// Coordinate transformation engine: proj (when built with --features proj) or builtin.
    #[arg(long, value_name = "ENGINE")]
    crs_engine: Option<String>,
    /// Skip unusable roads and corridors (reported as warnings) instead of stopping.
    #[arg(long)]
    keep_going: bool,
    /// Print the wall time of each stage to stderr.
    #[arg(long)]
    timings: bool,
}

/// Runs `hecun grid`.
pub fn run(args: &GridArgs, quiet: bool) -> Result<()> {
    let started = Instant::now();
    let input: Option<hecun::InputCrs> = args
        .input_crs
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("--input-crs")?;
    let input_crs = input.map_or(Crs::WGS84, hecun::InputCrs::read_as);
    let engine = match &args.crs_engine {
        Some(e) => e.parse().context("--crs-engine")?,
        None => CrsEngine::preferred(),
    };
    let asked: Option<Crs> = args
        .metric_crs
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("--metric-crs")?;
    let spec = args.grid.as_deref().map(GridSpec::load).transpose()?;
    let metric_crs = match (asked, spec.and_then(|s| s.crs)) {
        (Some(a), Some(g)) if a != g => bail!(
            "--metric-crs {a} differs from the grid's crs {g} ({}): the grid's coordinates are in its crs",
            args.grid
                .as_deref()
                .unwrap_or_else(|| "grid".as_ref())
                .display()
        ),
        (a, g) => a.or(g),
    };
    let plugin = Plugin::load(&args.plugin)?;
    if let Some((table, _)) = plugin.manifest().declared().tables().next() {
        bail!(
            "plugin {:?} reads table {table:?} (tables.{table}.…), which only a plan's run computes: hecun grid runs no plan",
            plugin.manifest().name
        );
    }
    // A web map's coordinates (GCJ-02, BD-09) are converted to WGS 84 as each layer is read.
    let own_crs = |source: LayerSource| match input {
        Some(web @ hecun::InputCrs::WebMap(_)) => source.with_crs(web),
        _ => source,
    };
    let roads = own_crs(LayerSource::new(&args.roads, LayerKind::Roads));
    let corridors = args
        .corridors
        .as_ref()
        .map(|c| own_crs(LayerSource::new(c, LayerKind::Corridors)));
    let layers = GridLayers::load(
        &roads,
        corridors.as_ref(),
        input_crs,
        metric_crs,
        engine,
        args.keep_going,
    )?;
    let loaded = started.elapsed();
    let grid = match (spec, args.cell) {
        (Some(s), _) => s.grid,
        (None, Some(cell)) if cell > 0.0 && cell.is_finite() => {
            let extent = layers.extent().with_context(|| {
                format!("{}: no roads to lay a grid over", args.roads.display())
            })?;
            GridSpec::covering(extent, cell)
        }
        (None, Some(cell)) => bail!("--cell {cell}: give a size in metres above 0"),
        (None, None) => bail!("give --grid FILE or --cell METRES"),
    };
    let scores = score_grid(&grid, &layers.roads, &layers.corridors, &plugin)?;
    let write_started = Instant::now();
    let out = hecun::OutputDir::begin(&args.out)?;
    out.write_with("grid_scores.csv", |mut w| scores.write_csv(&mut w))?;
    let summary = scores.summary_json(layers.metric_crs, plugin.manifest(), &layers.warnings);
    out.write("grid_summary.json", summary.as_bytes())?;
    out.commit()?;
    if args.timings {
        let mut line = format!("hecun: timings: load={:.3}s", loaded.as_secs_f64());
        for (stage, t) in &scores.timings {
            line.push_str(&format!(" {stage}={:.3}s", t.as_secs_f64()));
        }
        eprintln!(
            "{line} write={:.3}s total={:.3}s threads={}",
            write_started.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64(),
            crate::rayon_threads()
        );
    }
    if !quiet {
        for w in &layers.warnings {
            eprintln!("hecun: warning: {w}");
        }
        let m = plugin.manifest();
        crate::print_stdout(&format!(
            "scored {} cells of {} m ({} × {}) with {} {}: {} excluded\nwrote {} in {:.2} s\n",
            grid.len(),
            grid.cell,
            grid.nx,
            grid.ny,
            m.name,
            m.version,
            scores.excluded(),
            args.out.display(),
            started.elapsed().as_secs_f64()
        ))?;
    }
    // The process is about to end: let the operating system take the memory back at once.
    std::mem::forget(scores);
    std::mem::forget(layers);
    Ok(())
}
