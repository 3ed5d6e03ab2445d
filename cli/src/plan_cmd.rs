//! `hecun run`, `hecun diff` and `hecun replay`: a whole plan, two runs compared, a run
//! reproduced from its manifest.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use hecun::report::manifest::{InputFile, PluginUse, RunOptions, sha256_file};
use hecun::report::{
    Lang, PlanRun, Report, RunManifest, SweepSpec, diff, diff_text, render_html, report_text,
    sweep_csv,
};
use hecun::rules::Kind;
use hecun::{OutputDir, OutputSet, Plan};

use crate::{CommonArgs, Progress, apply_common, print_stdout, rayon_threads};

/// Exit code when `--fail-on-veto` finds a vetoed community.
pub const EXIT_VETO: u8 = 1;
/// A plugin failed on every one of its candidates: the run answered nothing it was asked.
pub const EXIT_PLUGIN_FAILED: u8 = 3;

/// Says so and returns [`EXIT_PLUGIN_FAILED`] when a plugin failed on every candidate.
pub fn all_failed_code(failed: &[(&str, bool)]) -> Option<u8> {
    let names: Vec<&str> = failed
        .iter()
        .filter(|(_, all)| *all)
        .map(|(n, _)| *n)
        .collect();
    if names.is_empty() {
        return None;
    }
    eprintln!(
        "hecun: error: plugin {} failed on every candidate (exit code {EXIT_PLUGIN_FAILED})",
        names.join(", ")
    );
    Some(EXIT_PLUGIN_FAILED)
}

#[derive(Args)]
pub struct RunArgs {
    /// The plan file (TOML), e.g. gis-data/demo/plan.toml.
    pub plan: PathBuf,
    /// Output folder (default: the plan's output.dir); replaced as a whole when the run
    /// succeeds, left as it was when it does not.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overrides a zone width of the plan: CLASS=METRES (the class as the plan names it, or
    /// ring / radial / expressway); repeat per class.
    #[arg(long = "width", value_name = "CLASS=METRES")]
    pub widths: Vec<String>,
    /// Households affected per width of one class, e.g. ring=50..200/25 (sweep.csv and a chart
    /// in the report).
    #[arg(long, value_name = "CLASS=FROM..TO/STEP")]
    pub sweep: Option<String>,
    /// Language of the report and the summary: zh-CN (default) or en.
    #[arg(long, value_name = "LANG", default_value = "zh-CN")]
    pub lang: String,
    /// Print the report as JSON on stdout (the same as report.json) instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Exit with code 1 when a community is vetoed (一票否决) — for scripts and CI.
    #[arg(long)]
    pub fail_on_veto: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args)]
pub struct DiffArgs {
    /// A run's output folder (with report.json), or a plan file to compare with its variant.
    pub before: PathBuf,
    /// The other run's output folder (omit when BEFORE is a plan and flags make the variant).
    pub after: Option<PathBuf>,
    /// The variant's zone width: CLASS=METRES (with a plan); repeat per class.
    #[arg(long = "width", value_name = "CLASS=METRES")]
    pub widths: Vec<String>,
    /// The variant's sites chosen per township (with a plan).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// The variant's site-score plugin (with a plan).
    #[arg(long, value_name = "DIR")]
    pub sites_plugin: Option<PathBuf>,
    /// The variant's launch-check plugin (with a plan).
    #[arg(long, value_name = "DIR")]
    pub launch_plugin: Option<PathBuf>,
    /// Language of the reasons: zh-CN (default) or en.
    #[arg(long, value_name = "LANG", default_value = "zh-CN")]
    pub lang: String,
    /// Print the differences as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReplayArgs {
    /// A run manifest (run_manifest.json in a run's output folder).
    pub manifest: PathBuf,
    /// Output folder for the rerun.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn lang(text: &str) -> Result<Lang> {
    Lang::parse(text).with_context(|| format!("--lang {text:?}: use zh-CN or en"))
}

fn width(spec: &str) -> Result<(&str, f64)> {
    let (class, metres) = spec
        .split_once('=')
        .with_context(|| format!("--width {spec:?}: write CLASS=METRES, e.g. ring=150"))?;
    let metres: f64 = metres
        .trim()
        .parse()
        .with_context(|| format!("--width {spec:?}: {metres:?} is not a number of metres"))?;
    Ok((class.trim(), metres))
}

/// Applies `--width` overrides to the plan's zones.
fn apply_widths(plan: &mut Plan, widths: &[String]) -> Result<()> {
    for w in widths {
        let (class, metres) = width(w)?;
        plan.affected.zones = plan
            .affected
            .zones
            .with_width(class, metres)
            .with_context(|| format!("--width {w}"))?;
    }
    Ok(())
}

/// `hecun run`: returns the exit code (0, or 1 with `--fail-on-veto` and a veto).
pub fn run(args: &RunArgs, quiet: bool) -> Result<u8> {
    let started = Instant::now();
    let lang = lang(&args.lang)?;
    let sweep_spec = args
        .sweep
        .as_deref()
        .map(SweepSpec::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--sweep {e}"))?;
    let mut plan = Plan::load(&args.plan)?;
    apply_common(&mut plan.affected, &args.common)?;
    apply_widths(&mut plan, &args.widths)?;
    if args.fail_on_veto && plan.launch_check.is_none() {
        bail!(
            "--fail-on-veto needs a launch check: the plan {} has no [checks] launch",
            args.plan.display()
        );
    }
    let out = args
        .out
        .clone()
        .or(plan.output_dir.clone())
        .context("the plan names no output.dir: give --out DIR")?;
    if !plan.unused_layers.is_empty() && !quiet {
        eprintln!(
            "hecun: note: layers not used by this job: {}",
            plan.unused_layers.join(", ")
        );
    }
    // A plugin of the wrong kind is refused before anything runs, naming the plan's slot.
    let plan_name = args.plan.display();
    let slots = [
        (
            plan.launch_check.as_ref(),
            Kind::LaunchCheck,
            "[checks] launch",
        ),
        (
            plan.standard_check.as_ref(),
            Kind::StandardSelection,
            "[checks] standard",
        ),
        (
            plan.site_scoring.as_ref().map(|s| &s.plugin),
            Kind::SiteScore,
            "[scoring] sites",
        ),
    ];
    for (path, kind, slot) in slots {
        if let Some(path) = path {
            let (manifest, _) = hecun::rules::Manifest::load(path)?;
            manifest.expect_kind(kind, &format!("{plan_name}: {slot} = {}", path.display()))?;
        }
    }
    // Hash the inputs before reading them, so the manifest names what was read.
    let mut plugins = Vec::new();
    if let Some(p) = &plan.launch_check {
        plugins.push(PluginUse::describe("launch", p, None)?);
    }
    if let Some(p) = &plan.standard_check {
        plugins.push(PluginUse::describe("standard", p, None)?);
    }
    if let Some(s) = &plan.site_scoring {
        plugins.push(PluginUse::describe("sites", &s.plugin, Some(s.top))?);
    }
    let options = RunOptions {
        input_crs: args.common.input_crs.clone(),
        metric_crs: args.common.metric_crs.clone(),
        crs_engine: args.common.crs_engine.clone(),
        keep_going: args.common.keep_going,
        check_all: args.common.check_all,
        no_zones: args.common.no_zones,
        widths: args.widths.clone(),
        sweep: args.sweep.clone(),
        lang: match lang {
            Lang::ZhCn => "zh-CN".into(),
            Lang::En => "en".into(),
        },
    };
    let mut manifest = RunManifest::new(&plan, plugins, options)?;

    let progress = Progress::new(!quiet && std::io::stderr().is_terminal());
    let result = PlanRun::run(&plan, &|stage| progress.stage(stage))?;
    let mut timings: Vec<(String, f64)> = result
        .timings
        .iter()
        .map(|(k, t)| (k.to_string(), t.as_secs_f64()))
        .collect();
    let sweep = match &sweep_spec {
        Some(spec) => {
            let clock = Instant::now();
            let s = hecun::report::sweep(&plan.affected, spec, &|k, n| {
                progress.step("width sweep", k, n)
            })?;
            timings.push(("sweep".into(), clock.elapsed().as_secs_f64()));
            Some(s)
        }
        None => None,
    };
    if !quiet {
        // Steps that read the same file report its problems each: each is printed once.
        let mut seen = std::collections::HashSet::new();
        let all = result
            .affected
            .warnings
            .iter()
            .chain(result.launch.iter().flat_map(|l| &l.warnings))
            .chain(result.standards.iter().flat_map(|s| &s.warnings))
            .chain(result.sites.iter().flat_map(|s| &s.warnings));
        for w in all {
            if seen.insert(w) {
                eprintln!("hecun: warning: {w}");
            }
        }
    }
    progress.stage("report");
    let clock = Instant::now();
    let report = result.report(&plan, sweep, true)?;
    let html = render_html(&report, lang);
    timings.push(("report".into(), clock.elapsed().as_secs_f64()));

    progress.stage("write");
    let clock = Instant::now();
    let output = OutputDir::begin(&out)?;
    manifest.record_working_folder(&out)?;
    let set = OutputSet {
        zones: !args.common.no_zones,
        village_geojson: true,
    };
    let mut files = result.write_into(&plan, &output, set)?;
    let summary = report_text(&report, lang);
    let report_json = report.to_json();
    let mut extra: Vec<(&str, Vec<u8>)> = vec![
        ("summary.txt", summary.clone().into_bytes()),
        ("report.json", report_json.clone().into_bytes()),
        ("report.html", html.into_bytes()),
    ];
    if let Some(s) = &report.sweep {
        extra.push(("sweep.csv", sweep_csv(s)));
    }
    for (name, bytes) in extra {
        output.write(name, &bytes)?;
        if !files.iter().any(|f| f == name) {
            files.push(name.to_owned());
        }
    }
    files.sort();
    for name in &files {
        manifest
            .outputs
            .push(InputFile::hash(name, &output.staged(name))?);
    }
    // Paths of outputs are their names: the folder may move.
    for f in &mut manifest.outputs {
        f.path = PathBuf::from(&f.role);
    }
    manifest.metric_crs = report.metric_crs.clone();
    manifest.counts = report.totals;
    manifest.warnings = report.warnings.clone();
    timings.push(("write".into(), clock.elapsed().as_secs_f64()));
    timings.push(("total".into(), started.elapsed().as_secs_f64()));
    manifest.timings_s = timings.iter().cloned().collect();
    output.write("run_manifest.json", manifest.to_json().as_bytes())?;
    output.commit()?;
    progress.finish();

    if args.common.timings {
        let line: Vec<String> = timings
            .iter()
            .map(|(k, t)| format!("{k}={t:.3}s"))
            .collect();
        eprintln!(
            "hecun: timings: {} threads={}",
            line.join(" "),
            rayon_threads()
        );
    }
    if args.json {
        print_stdout(&report_json)?;
    } else if !quiet {
        let mut steps = String::new();
        if let Some(l) = &result.launch {
            steps.push_str(&format!("启动标准 / launch checks: {}\n", l.summary()));
        }
        if let Some(s) = &result.standards {
            steps.push_str(&format!("规划标准 / planning standards: {}\n", s.summary()));
        }
        if let Some(s) = &result.sites {
            steps.push_str(&format!("安置社区选址 / site scores: {}\n", s.summary()));
        }
        let text = format!(
            "{summary}\n{steps}{} {} → {} ({:.2} s)\n",
            files.len() + 1,
            if lang == Lang::ZhCn {
                "个文件已写入"
            } else {
                "files written to"
            },
            out.display(),
            started.elapsed().as_secs_f64()
        );
        print_stdout(&text)?;
    }
    let failed = [
        result
            .launch
            .as_ref()
            .map(|l| (l.plugin.as_str(), l.all_failed())),
        result
            .standards
            .as_ref()
            .map(|s| (s.plugin.as_str(), s.all_failed())),
        result
            .sites
            .as_ref()
            .map(|s| (s.plugin.as_str(), s.all_failed())),
    ];
    let failed: Vec<(&str, bool)> = failed.into_iter().flatten().collect();
    let code = all_failed_code(&failed);
    std::mem::forget(result);
    if let Some(code) = code {
        return Ok(code);
    }
    if args.fail_on_veto && report.totals.vetoed > 0 {
        if !quiet {
            eprintln!(
                "hecun: {} communities vetoed (--fail-on-veto)",
                report.totals.vetoed
            );
        }
        return Ok(EXIT_VETO);
    }
    Ok(0)
}

fn load_report(dir: &Path) -> Result<Report> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: not a hecun run folder (no report.json; write one with hecun run)",
            dir.display()
        )
    })?;
    Ok(Report::from_json(&path.display().to_string(), &text)?)
}

/// `hecun diff`.
pub fn run_diff(args: &DiffArgs, quiet: bool) -> Result<()> {
    let lang = lang(&args.lang)?;
    let variant_flags = !args.widths.is_empty()
        || args.top.is_some()
        || args.sites_plugin.is_some()
        || args.launch_plugin.is_some();
    let (before, after, labels) = if let Some(after) = &args.after {
        if variant_flags {
            bail!(
                "give either two run folders, or one plan and --width/--top/… flags for its variant"
            );
        }
        (
            load_report(&args.before)?,
            load_report(after)?,
            (
                args.before.display().to_string(),
                after.display().to_string(),
            ),
        )
    } else {
        if !variant_flags {
            bail!(
                "nothing to compare: give a second run folder, or a plan with the variant's flags (e.g. --width ring=150)"
            );
        }
        if args.before.is_dir() {
            bail!(
                "{} is a folder: compare two run folders, or give a plan file for --width/--top",
                args.before.display()
            );
        }
        let plan = Plan::load(&args.before)?;
        let mut variant = plan.clone();
        apply_widths(&mut variant, &args.widths)?;
        if let Some(top) = args.top {
            let s = variant
                .site_scoring
                .as_mut()
                .context("--top: the plan scores no sites ([scoring] sites)")?;
            s.top = top;
        }
        if let Some(p) = &args.sites_plugin {
            let s = variant
                .site_scoring
                .as_mut()
                .context("--sites-plugin: the plan scores no sites ([scoring] sites)")?;
            s.plugin = p.clone();
        }
        if let Some(p) = &args.launch_plugin {
            variant.launch_check = Some(p.clone());
        }
        let progress = Progress::new(!quiet && std::io::stderr().is_terminal());
        let a = PlanRun::run(&plan, &|s| progress.stage(s))?;
        let b = PlanRun::run(&variant, &|s| progress.stage(s))?;
        progress.finish();
        let mut flags: Vec<String> = args.widths.iter().map(|w| format!("--width {w}")).collect();
        if let Some(t) = args.top {
            flags.push(format!("--top {t}"));
        }
        if let Some(p) = &args.sites_plugin {
            flags.push(format!("--sites-plugin {}", p.display()));
        }
        if let Some(p) = &args.launch_plugin {
            flags.push(format!("--launch-plugin {}", p.display()));
        }
        (
            a.report(&plan, None, false)?,
            b.report(&variant, None, false)?,
            (
                args.before.display().to_string(),
                format!("{} {}", args.before.display(), flags.join(" ")),
            ),
        )
    };
    let d = diff(&before, &after, (&labels.0, &labels.1));
    if args.json {
        print_stdout(&d.to_json())
    } else {
        print_stdout(&diff_text(&d, lang))
    }
}

/// `hecun replay`: returns the exit code (0 when every output is reproduced byte for byte, 1
/// when some differ).
pub fn replay(args: &ReplayArgs, quiet: bool) -> Result<u8> {
    let manifest = RunManifest::load(&args.manifest)?;
    // The recorded paths are relative to the folder the run was made in: work from there,
    // wherever replay is run from (the output folder is still the one given here).
    let out =
        std::path::absolute(&args.out).with_context(|| format!("--out {}", args.out.display()))?;
    if let Some(folder) = manifest.working_folder_from(&args.manifest) {
        std::env::set_current_dir(&folder).with_context(|| {
            format!(
                "{}: the folder the run was made in, {}, is not there",
                args.manifest.display(),
                folder.display()
            )
        })?;
    }
    manifest.verify_inputs()?;
    if manifest.tool.version != env!("CARGO_PKG_VERSION") && !quiet {
        eprintln!(
            "hecun: note: the run was made by hecun {}, this is {}",
            manifest.tool.version,
            env!("CARGO_PKG_VERSION")
        );
    }
    let o = &manifest.options;
    let run_args = RunArgs {
        plan: manifest.plan.path.clone(),
        out: Some(out.clone()),
        widths: o.widths.clone(),
        sweep: o.sweep.clone(),
        lang: o.lang.clone(),
        json: false,
        fail_on_veto: false,
        common: CommonArgs {
            input_crs: o.input_crs.clone(),
            metric_crs: o.metric_crs.clone(),
            crs_engine: o.crs_engine.clone(),
            keep_going: o.keep_going,
            check_all: o.check_all,
            no_zones: o.no_zones,
            timings: false,
        },
    };
    run(&run_args, true)?;
    let mut differ = Vec::new();
    for f in &manifest.outputs {
        let path = out.join(&f.path);
        match sha256_file(&path) {
            Ok((_, sha)) if sha == f.sha256 => {}
            Ok(_) => differ.push(format!("{} differs", f.path.display())),
            Err(_) => differ.push(format!("{} missing", f.path.display())),
        }
    }
    if differ.is_empty() {
        if !quiet {
            print_stdout(&format!(
                "replayed {}: all {} outputs identical (SHA-256) in {}\n",
                args.manifest.display(),
                manifest.outputs.len(),
                args.out.display()
            ))?;
        }
        Ok(0)
    } else {
        eprintln!(
            "hecun: replay of {} differs: {}",
            args.manifest.display(),
            differ.join(", ")
        );
        Ok(1)
    }
}
