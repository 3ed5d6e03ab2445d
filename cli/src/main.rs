//! `hecun`: thin command-line glue over the `hecun` library.
//!
//! Parsing arguments and printing results; the work is the library's. Exit codes: 0
//! success; 1 a vetoed community with `run --fail-on-veto`, a failed plugin test case, a
//! replay whose outputs differ, or a folder that `verify` (or `replay`) finds edited since
//! the run; 2 bad usage or bad input (the message names the file, feature
//! and field); 3 a plugin failed on every candidate; a broken pipe on stdout counts as success.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

mod grid;
mod plan_cmd;
/// mimalloc: the analysis makes millions of small, short-lived allocations on two threads,
/// where glibc's allocator spends much of its time in page faults and arena locks.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use hecun::{AffectedJob, LayerKind, LayerSource, OutputSet, Plan, Roster, ZoneSpec};

#[derive(Parser)]
#[command(
    name = "hecun",
    version,
    about = "合村并城 planning: which villages fall inside the demolition zones along roads and corridors"
)]
#[command(
    after_help = "Examples:\n  hecun run gis-data/demo/plan.toml --out out\n  hecun affected --villages villages.geojson --roads roads.geojson --corridors corridors.geojson \\\n      --width ring=100 --width radial=50 --width expressway=80 --width corridor=0 --out out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// No progress or summary on the terminal (errors are still printed).
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Finds the villages inside the demolition zones, from layer files named on the command line.
    #[command(
        after_help = "Example:\n  hecun affected --villages villages.geojson --roads roads.geojson --corridors corridors.geojson \\\n      --width ring=100 --width radial=50 --width expressway=80 --width corridor=0 --out out"
    )]
    Affected(AffectedArgs),
    /// Runs everything a plan file lists (zones, affected villages, site scores, launch checks,
    /// planning standards) and writes the tables, layers, an HTML report with a map, and a run
    /// manifest.
    #[command(
        after_help = "Examples:\n  hecun run gis-data/demo/plan.toml --out out\n  hecun run gis-data/demo/plan.toml --out out --lang en --sweep ring=50..200/25\n\nExit codes: 0 done; 1 a community is vetoed (only with --fail-on-veto); 2 bad usage or input."
    )]
    Run(plan_cmd::RunArgs),
    /// Compares two runs (their output folders), or a plan with a variant given by flags:
    /// villages added and removed, households and people, sites and communities whose rank or
    /// verdict changed, each with the reason.
    #[command(
        after_help = "Examples:\n  hecun diff out-a out-b\n  hecun diff gis-data/demo/plan.toml --width ring=150"
    )]
    Diff(plan_cmd::DiffArgs),
    /// Reruns a run from its manifest after checking every input's SHA-256, and checks that
    /// every output comes out byte for byte the same (exit code 1 if not); first names the
    /// files of the manifest's folder edited, deleted or added since the run (exit code 1
    /// too), and warns when the build differs from the one that made the run.
    #[command(after_help = "Example:\n  hecun replay out/run_manifest.json --out out-replay")]
    Replay(plan_cmd::ReplayArgs),
    /// Checks a delivered output folder against its run manifest: every file's SHA-256,
    /// files missing or added since the run, and the run's inputs (exit code 1 if the folder
    /// is not as the run wrote it).
    #[command(
        after_help = "Examples:\n  hecun verify out\n  hecun verify out --inputs --lang en\n\nExit codes: 0 as written; 1 a file changed, missing or extra (with --inputs: or an input changed); 2 no readable manifest."
    )]
    Verify(plan_cmd::VerifyArgs),
    /// Works with rule plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Checks each community with a plugin: whether it may launch (启动标准, a launch-check
    /// plugin), or which planning standard applies and whether it meets it (规划标准, a
    /// standard-selection plugin).
    #[command(
        after_help = "Examples:\n  hecun check gis-data/demo/plan.toml --plugin plugins/launch-criteria --out out-check\n  hecun check gis-data/demo/plan.toml --plugin plugins/planning-standard --out out-standards"
    )]
    Check(CheckArgs),
    /// Scores the plan's candidate resettlement sites with a site-score plugin, ranks them and
    /// chooses the best per township.
    #[command(
        after_help = "Examples:\n  hecun score gis-data/demo/plan.toml --plugin plugins/site-score --out out-score\n  hecun score gis-data/demo/plan-rehab-siting.toml --scoring rehab-centres --out out-rehab"
    )]
    Score(ScoreArgs),
    /// Computes the plan's tables ([tables.NAME], table plugins) alone, or one table plugin
    /// given with --plugin, and writes tables/NAME.csv and tables/NAME.json.
    #[command(
        after_help = "Examples:\n  hecun table gis-data/demo/plan-rehab.toml --out out-tables\n  hecun table gis-data/demo/plan-rehab.toml --plugin plugins/rehab-funding/wasm --name funding --out out-wasm"
    )]
    Table(TableArgs),
    /// Scores every cell of a grid with a site-score plugin, from its distance to the nearest
    /// road and whether it lies inside an ecological corridor.
    #[command(
        after_help = "Example:\n  hecun grid --roads roads.geojson --corridors corridors.geojson --grid grid.json \\\n      --plugin plugins/grid-suitability --out out-grid"
    )]
    Grid(grid::GridArgs),
}

#[derive(Args)]
struct ScoreArgs {
    /// The plan file (its sites, townships, roads, corridors, farmland… layers).
    plan: PathBuf,
    /// The site-score plugin (default: the plan's `[scoring] sites`).
    #[arg(long, value_name = "DIR")]
    plugin: Option<PathBuf>,
    /// Sites chosen per township (default: the plan's `[scoring] top`, else 2).
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// A named scoring job of the plan (`[[scorings]]` name) in place of `[scoring] sites`: its
    /// layer, plugin, per and quota (--plugin and --top replace its own), its files
    /// NAME_scored.csv, NAME_scored.geojson and NAME_scores.json.
    #[arg(long, value_name = "NAME")]
    scoring: Option<String>,
    /// Output folder: sites_scored.csv, sites_scored.geojson, site_scores.json (replaced as a whole).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
struct TableArgs {
    /// The plan file (the layers its table plugins read, and its [tables.NAME]).
    plan: PathBuf,
    /// A table plugin to run instead of the plan's tables (with its default parameters, or
    /// those of the plan's table of the same --name).
    #[arg(long, value_name = "DIR")]
    plugin: Option<PathBuf>,
    /// The table's name (its files are tables/NAME.csv and .json): with --plugin, default
    /// "table"; without, only the plan's table of that name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Language of the CSV headings: zh-CN (default) or en.
    #[arg(long, value_name = "LANG", default_value = "zh-CN")]
    lang: String,
    /// Output folder (replaced as a whole).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
struct CheckArgs {
    /// The plan file (its villages layer; its sites layer assigns villages without a community field).
    plan: PathBuf,
    /// The launch-check or standard-selection plugin (folder or plugin.toml). Repeat for
    /// several launch checks, combined per community (any veto vetoes, any failure fails).
    #[arg(long, value_name = "DIR", required = true)]
    plugin: Vec<PathBuf>,
    /// Output folder (replaced as a whole): launch_checks.csv, .json and .geojson, or
    /// standards.csv, .json and .geojson.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Runs each plugin's own test cases (pass/fail per case; exit code 1 if any fails).
    #[command(after_help = "Example:\n  hecun plugin test plugins/launch-criteria")]
    Test {
        /// Plugin folders (or their plugin.toml).
        #[arg(required = true)]
        plugins: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct AffectedArgs {
    /// Villages layer (GeoJSON; a Shapefile .shp with its .shx and .dbf; FlatGeobuf .fgb; GeoParquet .parquet: polygons with id, township, households, population).
    #[arg(long, value_name = "FILE")]
    villages: PathBuf,
    /// Roads layer (GeoJSON, Shapefile, FlatGeobuf or GeoParquet lines with a class field).
    #[arg(long, value_name = "FILE")]
    roads: PathBuf,
    /// Ecological corridors layer (polygons, or lines with a width field).
    #[arg(long, value_name = "FILE")]
    corridors: Option<PathBuf>,
    /// Townships layer: gives villages without a township field their township.
    #[arg(long, value_name = "FILE")]
    townships: Option<PathBuf>,
    /// Zone width in metres on each side of a road of CLASS (or outside a corridor polygon); repeat per class.
    /// Corridors without a level field have class `corridor`.
    #[arg(long = "width", value_name = "CLASS=METRES", required = true)]
    widths: Vec<String>,
    /// The roads' class field (default: class, 等级, 道路等级 or 类别).
    #[arg(long, value_name = "FIELD")]
    class_field: Option<String>,
    /// A villages field name: MODEL=FILE_FIELD, e.g. households=户数 (models: id, name, township, households, population).
    #[arg(long = "village-field", value_name = "MODEL=FIELD")]
    village_fields: Vec<String>,
    /// A roster joined to the villages by key (Excel .xlsx/.xls/.xlsb/.ods or CSV in UTF-8 or GBK): its columns become the villages' fields; repeat for several, joined in order.
    #[arg(long = "roster", value_name = "FILE", requires = "roster_key")]
    rosters: Vec<PathBuf>,
    /// The rosters' key column, and the villages field holding the same key when it is named otherwise, e.g. 代码=统计用区划代码.
    #[arg(long, value_name = "COLUMN[=FIELD]", requires = "rosters")]
    roster_key: Option<String>,
    /// The sheet of an Excel roster (default: the first).
    #[arg(long, value_name = "NAME", requires = "rosters")]
    roster_sheet: Option<String>,
    /// The layer of a GeoPackage (.gpkg) given to a layer flag, as KIND=LAYER, e.g.
    /// villages=村界 (kinds: villages, roads, corridors, townships); needed when the file has
    /// several layers.
    #[arg(long = "layer-name", value_name = "KIND=LAYER")]
    layer_names: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
    /// Output folder (replaced as a whole when the run succeeds).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
pub(crate) struct CommonArgs {
    /// CRS of input files that do not name one (GeoJSON per RFC 7946 is EPSG:4326); a Shapefile's .prj, a FlatGeobuf's or GeoParquet's CRS naming another is an error; GCJ-02 or BD-09 for coordinates from Amap/Tencent or Baidu maps (converted to WGS 84).
    #[arg(long, value_name = "EPSG:CODE|GCJ-02|BD-09")]
    pub(crate) input_crs: Option<String>,
    /// CRS for distances and areas (default: the CGCS2000 3-degree Gauss-Kruger zone of the data, e.g. EPSG:4547).
    #[arg(long, value_name = "EPSG:CODE")]
    pub(crate) metric_crs: Option<String>,
    /// Coordinate transformation engine: proj (PROJ, when built with --features proj) or builtin (proj4rs).
    #[arg(long, value_name = "ENGINE")]
    pub(crate) crs_engine: Option<String>,
    /// Skip unusable features (reported as warnings) instead of stopping.
    #[arg(long)]
    pub(crate) keep_going: bool,
    /// Check the rings of every village, also those far from every zone (about 10% slower).
    #[arg(long)]
    pub(crate) check_all: bool,
    /// Which villages count as inside the zones: whole (any part inside: all its households and people), min-share (with --min-share), or pro-rata (whole, plus households and people estimated by the share of area inside). Default: the plan's [zones] count, else whole.
    #[arg(long, value_name = "whole|min-share|pro-rata")]
    pub(crate) count: Option<String>,
    /// Count a village only when at least this share of its area lies inside the zones (0.2 = 20 %); the others touched are listed in below_share_villages.csv.
    #[arg(long, value_name = "SHARE")]
    pub(crate) min_share: Option<String>,
    /// Do not write zones.geojson (one polygon per road: the largest output at national scale).
    #[arg(long)]
    pub(crate) no_zones: bool,
    /// Do not write hecun.gpkg (every output layer in one GeoPackage styled for QGIS): for
    /// huge national runs, where it would hold the layers a second time.
    #[arg(long)]
    pub(crate) no_gpkg: bool,
    /// Do not write tables.xlsx (the tables in one Excel workbook, headings in --lang).
    #[arg(long)]
    pub(crate) no_xlsx: bool,
    /// Also write every layer as a Shapefile set in shapefile/ (.shp .shx .dbf .prj .cpg), text in this encoding: GBK for ArcGIS and 国土调查 software, GB18030 or UTF-8.
    #[arg(long, value_name = "GBK|GB18030|UTF-8")]
    pub(crate) shapefile: Option<String>,
    /// Print the wall time of each stage to stderr.
    #[arg(long)]
    pub(crate) timings: bool,
}

/// Runs plugins' own test cases; whether all passed.
fn plugin_test(plugins: &[PathBuf], quiet: bool) -> Result<bool> {
    let mut report = String::new();
    let (mut passed, mut failed) = (0, 0);
    for path in plugins {
        let plugin = hecun::rules::Plugin::load(path)?;
        let m = plugin.manifest();
        report.push_str(&format!(
            "{} {} ({} cases)\n",
            m.name,
            m.version,
            m.tests.len()
        ));
        for (name, outcome) in plugin.run_tests() {
            match outcome {
                Ok(()) => {
                    passed += 1;
                    report.push_str(&format!("  ok    {name}\n"));
                }
                Err(why) => {
                    failed += 1;
                    report.push_str(&format!("  FAIL  {name}: {why}\n"));
                }
            }
        }
    }
    report.push_str(&format!("{passed} passed, {failed} failed\n"));
    if !quiet || failed > 0 {
        print_stdout(&report)?;
    }
    Ok(failed == 0)
}

/// `hecun score`: the plan's sites scored, ranked and chosen.
fn score(args: &ScoreArgs, quiet: bool) -> Result<u8> {
    let plan = Plan::load(&args.plan)?;
    let scored = match &args.scoring {
        Some(name) => score_job(&plan, args, name)?,
        None => score_sites(&plan, args)?,
    };
    if !quiet {
        for w in &scored.warnings {
            eprintln!("hecun: warning: {w}");
        }
    }
    let out = hecun::OutputDir::begin(&args.out)?;
    scored.write_into(&out)?;
    out.commit()?;
    if !quiet {
        print_stdout(&format!(
            "{}\nwrote {}\n",
            scored.summary(),
            args.out.display()
        ))?;
    }
    let failed: &[&str] = if scored.all_failed() {
        &[&scored.plugin]
    } else {
        &[]
    };
    Ok(plan_cmd::all_failed_code(failed).unwrap_or(0))
}

/// `hecun score --scoring NAME`: the plan's named scoring job `name`, with `--plugin` and
/// `--top` in place of its own; an unknown name is an error listing the plan's.
fn score_job(plan: &Plan, args: &ScoreArgs, name: &str) -> Result<hecun::jobs::SiteScoreRun> {
    let Some(job) = plan.scorings.iter().find(|j| j.name == name) else {
        let names: Vec<&str> = plan.scorings.iter().map(|j| j.name.as_str()).collect();
        bail!(
            "--scoring {name:?}: {} has no scoring job of that name ({})",
            plan.path.display(),
            if names.is_empty() {
                "it lists no [[scorings]]".to_owned()
            } else {
                format!("its [[scorings]]: {}", names.join(", "))
            }
        );
    };
    let mut job = job.clone();
    if let Some(plugin) = &args.plugin {
        job.scoring.plugin = plugin.clone();
    }
    // --top replaces the job's quota table too: one count for every group.
    if let Some(top) = args.top {
        job.scoring.top = top;
        job.scoring.quota.clear();
    }
    let run = plan.affected.run(&|_| {})?;
    Ok(hecun::jobs::SiteScoreRun::run_job(plan, &run, &job, true)?)
}

/// `hecun score` without `--scoring`: the plan's sites, with its `[scoring] sites`.
fn score_sites(plan: &Plan, args: &ScoreArgs) -> Result<hecun::jobs::SiteScoreRun> {
    let configured = plan.site_scoring.clone();
    let plugin = args
        .plugin
        .clone()
        .or(configured.as_ref().map(|s| s.plugin.clone()))
        .context("no site-score plugin: give --plugin DIR or list [scoring] sites in the plan")?;
    // --top replaces the plan's quota table too: one count for every group.
    let quota = match (args.top, &configured) {
        (Some(top), _) => hecun::rules::Quota::top(top),
        (None, Some(s)) => s.quota(),
        (None, None) => hecun::rules::Quota::top(2),
    };
    let per = configured.as_ref().and_then(|s| s.per.clone());
    let run = plan.affected.run(&|_| {})?;
    Ok(hecun::jobs::SiteScoreRun::run_quota(
        plan,
        &run,
        &plugin,
        per.as_deref(),
        &quota,
        true,
    )?)
}

/// `hecun table`: the plan's tables, or one table plugin, computed alone.
fn table(args: &TableArgs, quiet: bool) -> Result<u8> {
    let plan = Plan::load(&args.plan)?;
    let lang = hecun::report::Lang::parse(&args.lang)
        .with_context(|| format!("--lang {:?}: use zh-CN or en", args.lang))?;
    let specs: Vec<hecun::TableSpec> = match &args.plugin {
        Some(plugin) => {
            let name = args.name.clone().unwrap_or_else(|| "table".to_owned());
            let mut spec = hecun::TableSpec::new(name.clone(), plugin.clone());
            if let Some(own) = plan.tables.iter().find(|t| t.name == name) {
                spec = spec
                    .with_params(own.params.clone())
                    .with_title(own.title.clone());
            }
            vec![spec]
        }
        None => {
            let specs: Vec<hecun::TableSpec> = plan
                .tables
                .iter()
                .filter(|t| args.name.as_ref().is_none_or(|n| &t.name == n))
                .cloned()
                .collect();
            if specs.is_empty() {
                bail!(
                    "the plan {} has no {}: give --plugin DIR, or list [tables.NAME] plugin = \"…\" in the plan",
                    args.plan.display(),
                    match &args.name {
                        Some(n) => format!("[tables.{n}]"),
                        None => "[tables.NAME]".to_owned(),
                    }
                );
            }
            specs
        }
    };
    let out = hecun::OutputDir::begin(&args.out)?;
    let mut lines = Vec::new();
    for spec in &specs {
        let run = hecun::jobs::TableRun::run(&plan, spec)?;
        if !quiet {
            for w in &run.warnings {
                eprintln!("hecun: warning: {w}");
            }
        }
        run.write_into(&out, lang.tag())?;
        lines.push(format!(
            "{}: {} rows → tables/{}.csv, tables/{}.json",
            run.table.title(lang.tag()),
            run.table.rows.len(),
            run.table.name,
            run.table.name
        ));
    }
    out.commit()?;
    if !quiet {
        print_stdout(&format!(
            "{}\nwrote {}\n",
            lines.join("\n"),
            args.out.display()
        ))?;
    }
    Ok(0)
}

/// `hecun check`: communities from the plan's layers, a verdict for each.
/// The plugin's kind decides the job: launch-check or standard-selection.
fn check(args: &CheckArgs, quiet: bool) -> Result<u8> {
    let plan = Plan::load(&args.plan)?;
    let first = &args.plugin[0];
    let (manifest, _) = hecun::rules::Manifest::load(first)?;
    if args.plugin.len() > 1 && manifest.kind != hecun::rules::Kind::LaunchCheck {
        bail!(
            "several --plugin: only launch-check plugins combine, and {:?} is a {} plugin",
            manifest.name,
            manifest.kind.name()
        );
    }
    let out = hecun::OutputDir::begin(&args.out)?;
    let all_failed: (String, bool);
    let summary = match manifest.kind {
        hecun::rules::Kind::StandardSelection => {
            let run = plan.affected.run(&|_| {})?;
            let standards = hecun::jobs::StandardRun::run(&plan, &run, first)?;
            if !quiet {
                for w in &standards.warnings {
                    eprintln!("hecun: warning: {w}");
                }
            }
            standards.write_into(&out)?;
            all_failed = (standards.plugin.clone(), standards.all_failed());
            standards.summary()
        }
        hecun::rules::Kind::LaunchCheck => {
            let paths: Vec<&std::path::Path> = args.plugin.iter().map(PathBuf::as_path).collect();
            let launch = hecun::jobs::LaunchRun::run_all(&plan, None, &paths)?;
            if !quiet {
                for w in &launch.warnings {
                    eprintln!("hecun: warning: {w}");
                }
            }
            launch.write_into(&out)?;
            all_failed = (launch.plugin.clone(), launch.all_failed());
            launch.summary()
        }
        other => bail!(
            "plugin {:?} is a {} plugin: hecun check takes launch-check and standard-selection plugins",
            manifest.name,
            other.name()
        ),
    };
    out.commit()?;
    if !quiet {
        print_stdout(&format!("{summary}\nwrote {}\n", args.out.display()))?;
    }
    let failed: &[&str] = if all_failed.1 { &[&all_failed.0] } else { &[] };
    Ok(plan_cmd::all_failed_code(failed).unwrap_or(0))
}

fn main() -> ExitCode {
    // Never give freed memory back to the OS during the run: at national scale mimalloc's
    // default (purge after 10 ms) returned and re-faulted pages so often that the kernel's
    // page zeroing cost as much as the analysis. The process is short-lived.
    // SAFETY: sets a mimalloc option (by its index in mimalloc v3's `mi_option_e`, which
    // libmimalloc-sys does not name) before any other thread starts.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // Plugins run on these threads: a Rhai script can build a value nested as deep as its
    // array and map limits allow (tens of thousands of levels), and Rhai clones, measures and
    // drops such values recursively. Big stacks (address space; only what is used is backed)
    // keep that from overflowing; the sandbox also stops recursion that nears the end of any
    // thread's stack.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(PLUGIN_STACK)
        .build_global();
    match std::thread::Builder::new()
        .name("hecun".into())
        .stack_size(PLUGIN_STACK)
        .spawn(cli_main)
    {
        Ok(main) => main.join().unwrap_or(ExitCode::from(101)),
        Err(_) => cli_main(),
    }
}

/// The stack of every thread that runs plugins.
const PLUGIN_STACK: usize = 256 << 20;

/// The arguments, with `--version` naming the build (`hecun 0.1.0 (commit abc1234-dirty,
/// features: rhai, wasm, parquet)`): two programs both called 0.1.0 can differ in commit and
/// features, and the version line is what a user pastes into a bug report. The same line
/// as the report's and the run manifest's build.
fn parse_args() -> Cli {
    let line = hecun::run::Build::library().line();
    // clap prints the program's name before the version; the line starts with it too.
    let version = line.strip_prefix("hecun ").unwrap_or(&line).to_owned();
    let matches = Cli::command()
        .version(version.leak() as &'static str)
        .get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn cli_main() -> ExitCode {
    let cli = parse_args();
    let quiet = cli.quiet;
    let outcome = match &cli.command {
        Command::Affected(args) => affected(args, quiet).map(|()| 0),
        Command::Run(args) => plan_cmd::run(args, quiet),
        Command::Diff(args) => plan_cmd::run_diff(args, quiet).map(|()| 0),
        Command::Replay(args) => plan_cmd::replay(args, quiet),
        Command::Verify(args) => plan_cmd::verify(args, quiet),
        Command::Plugin(PluginCommand::Test { plugins }) => {
            plugin_test(plugins, quiet).map(|passed| if passed { 0 } else { 1 })
        }
        Command::Check(args) => check(args, quiet),
        Command::Score(args) => score(args, quiet),
        Command::Table(args) => table(args, quiet),
        Command::Grid(args) => grid::run(args, quiet).map(|()| 0),
    };
    // The one place errors become an exit code: 2, bad usage or bad input.
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("hecun: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `hecun affected`: the affected-villages job alone, from layer files named on the command line.
fn affected(a: &AffectedArgs, quiet: bool) -> Result<()> {
    let job = affected_job(a)?;
    let common = &a.common;
    // A bad --shapefile is refused before the job runs.
    let set = OutputSet::default()
        .with_zones(!common.no_zones)
        .with_gpkg(!common.no_gpkg)
        .with_xlsx(!common.no_xlsx)
        .with_shapefile(common.options(&[], None, "").shapefile_encoding()?);
    let progress = Progress::new(!quiet && std::io::stderr().is_terminal());
    let started = Instant::now();
    let run = job.run(&|stage| progress.stage(stage))?;
    progress.stage("write");
    let write_started = Instant::now();
    let files = hecun::write_affected(&run, &a.out, set, job.engine)?;
    progress.finish();
    if !quiet {
        for w in &run.warnings {
            eprintln!("hecun: warning: {w}");
        }
    }
    if common.timings {
        let mut line = String::from("hecun: timings:");
        for (stage, t) in run
            .timings
            .iter()
            .copied()
            .chain([("write", write_started.elapsed())])
        {
            line.push_str(&format!(" {stage}={:.3}s", t.as_secs_f64()));
        }
        eprintln!(
            "{line} total={:.3}s threads={}",
            started.elapsed().as_secs_f64(),
            rayon_threads()
        );
    }
    if !quiet {
        let text = format!(
            "hecun affected\n{}\nwrote {} files to {} in {:.2} s ({} of {} villages tested exactly)\n",
            hecun::summary_text(&run),
            files.len(),
            a.out.display(),
            started.elapsed().as_secs_f64(),
            run.villages_tested,
            run.villages.len()
        );
        print_stdout(&text)?;
    }
    // Freeing a national run's millions of small allocations one by one takes ~0.4 s, and the
    // process is about to end: let the operating system take the memory back at once.
    std::mem::forget(run);
    Ok(())
}

fn affected_job(a: &AffectedArgs) -> Result<AffectedJob> {
    let widths = a
        .widths
        .iter()
        .map(|w| hecun::parse_width(w))
        .collect::<hecun::Result<Vec<_>>>()?;
    let mut roads = LayerSource::new(&a.roads, LayerKind::Roads);
    if let Some(f) = &a.class_field {
        roads.schema = roads.schema.with_field("class", f)?;
    }
    let mut villages = LayerSource::new(&a.villages, LayerKind::Villages);
    for spec in &a.village_fields {
        let (model, field) = spec.split_once('=').with_context(|| {
            format!("--village-field {spec:?}: write MODEL=FIELD, e.g. households=户数")
        })?;
        villages.schema = villages.schema.with_field(model.trim(), field.trim())?;
    }
    if let Some(spec) = &a.roster_key {
        let (key, on) = spec.split_once('=').unwrap_or((spec, spec));
        let (key, on) = (key.trim(), on.trim());
        if key.is_empty() || on.is_empty() {
            bail!("--roster-key {spec:?}: write COLUMN or COLUMN=FIELD, e.g. 统计用区划代码");
        }
        for path in &a.rosters {
            let mut roster = Roster::new(path, key, on);
            roster.sheet = a.roster_sheet.clone();
            villages = villages.with_roster(roster);
        }
    }
    let mut job = AffectedJob::new(villages, roads, ZoneSpec::from_pairs(widths)?);
    job.corridors = a
        .corridors
        .as_ref()
        .map(|c| LayerSource::new(c, LayerKind::Corridors));
    job.townships = a
        .townships
        .as_ref()
        .map(|t| LayerSource::new(t, LayerKind::Townships));
    let mut named: Vec<&str> = Vec::new();
    for spec in &a.layer_names {
        let (kind, name) = spec.split_once('=').with_context(|| {
            format!("--layer-name {spec:?}: write KIND=LAYER, e.g. villages=村界")
        })?;
        let kind = kind.trim();
        if named.contains(&kind) {
            bail!("--layer-name {spec:?}: the layer of {kind} is given twice");
        }
        named.push(kind);
        let source = match kind {
            "villages" => Some(&mut job.villages),
            "roads" => Some(&mut job.roads),
            "corridors" => job.corridors.as_mut(),
            "townships" => job.townships.as_mut(),
            other => bail!(
                "--layer-name {spec:?}: {other:?} is not a layer flag (villages, roads, corridors, townships)"
            ),
        };
        let Some(source) = source else {
            bail!("--layer-name {spec:?}: there is no --{kind} file to read it from");
        };
        source.settings.layer = Some(name.to_owned());
    }
    a.common.options(&[], None, "").apply_to_job(&mut job)?;
    Ok(job)
}

impl CommonArgs {
    /// The options as the run manifest records them, with the command's own widths, sweep
    /// and language.
    pub(crate) fn options(
        &self,
        widths: &[String],
        sweep: Option<&str>,
        lang: &str,
    ) -> hecun::run::manifest::RunOptions {
        let mut options = hecun::run::manifest::RunOptions::default();
        options.input_crs = self.input_crs.clone();
        options.metric_crs = self.metric_crs.clone();
        options.crs_engine = self.crs_engine.clone();
        options.keep_going = self.keep_going;
        options.check_all = self.check_all;
        options.count = self.count.clone();
        options.min_share = self.min_share.clone();
        options.no_zones = self.no_zones;
        options.no_gpkg = self.no_gpkg;
        options.no_xlsx = self.no_xlsx;
        options.shapefile = self.shapefile.clone();
        options.widths = widths.to_vec();
        options.sweep = sweep.map(str::to_owned);
        options.lang = lang.to_owned();
        options
    }
}

/// The threads the jobs really run on (rayon's pool honours `RAYON_NUM_THREADS`).
pub(crate) fn rayon_threads() -> usize {
    rayon::current_num_threads()
}

pub(crate) fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => bail!("writing to stdout: {e}"),
        Ok(()) => Ok(()),
    }
}

/// A spinner naming the current stage, on a terminal only.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let bar = enabled.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    fn stage(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{name}…"));
        }
    }

    /// A bar for a step made of `total` parts, at part `done`.
    fn step(&self, name: &str, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            let width = 24;
            let filled = (done * width).checked_div(total).unwrap_or(0);
            bar.set_message(format!(
                "{name} [{}{}] {done}/{total}",
                "#".repeat(filled),
                "-".repeat(width - filled)
            ));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
