//! `hecun run`, `hecun diff` and `hecun replay`: a whole plan, two runs compared, a run
//! reproduced from its manifest.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use hecun::Plan;
use hecun::report::{Lang, Report, SweepSpec, diff, diff_text, files_written};
use hecun::run::{PlanRun, RunManifest, RunRequest};

use crate::{CommonArgs, Progress, print_stdout, rayon_threads};

/// Exit code when `--fail-on-veto` finds a vetoed community.
pub const EXIT_VETO: u8 = 1;
/// A plugin failed on every one of its candidates: the run answered nothing it was asked.
pub const EXIT_PLUGIN_FAILED: u8 = 3;

/// Says so and returns [`EXIT_PLUGIN_FAILED`] when a plugin failed on every candidate.
pub fn all_failed_code(names: &[&str]) -> Option<u8> {
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
    /// The date the plan's milestones are judged on, YYYY-MM-DD (default: today, UTC);
    /// recorded in run_manifest.json so that `hecun replay` judges on the same date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
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

#[derive(Args)]
pub struct VerifyArgs {
    /// A run's output folder (with its run_manifest.json), or the manifest itself.
    pub dir: PathBuf,
    /// Also fail (exit code 1) when an input of the run — the plan, a layer, a roster, a
    /// plugin file — changed, is missing, or cannot be checked because the folder the run was
    /// made in is not here. Without it they are warnings.
    #[arg(long)]
    pub inputs: bool,
    /// Language of the lines: zh-CN (default) or en.
    #[arg(long, value_name = "LANG", default_value = "zh-CN")]
    pub lang: String,
    /// Print the findings as JSON (every file with its recorded and present SHA-256).
    #[arg(long)]
    pub json: bool,
}

fn lang(text: &str) -> Result<Lang> {
    Lang::parse(text).with_context(|| format!("--lang {text:?}: use zh-CN or en"))
}

/// `hecun run`: returns the exit code (0, or 1 with `--fail-on-veto` and a veto).
pub fn run(args: &RunArgs, quiet: bool) -> Result<u8> {
    let started = Instant::now();
    let lang = lang(&args.lang)?;
    let sweep = args
        .sweep
        .as_deref()
        .map(SweepSpec::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--sweep {e}"))?;
    let lang_code = match lang {
        Lang::ZhCn => "zh-CN",
        Lang::En => "en",
    };
    let mut options = args
        .common
        .options(&args.widths, args.sweep.as_deref(), lang_code);
    // The date is resolved here, once, and recorded as a date: a replay tomorrow judges the
    // milestones on the same day.
    let as_of = match &args.as_of {
        Some(text) => hecun::jobs::parse_as_of(text)?,
        None => hecun::jobs::today_utc(),
    };
    options.as_of = Some(as_of.to_string());
    let mut plan = Plan::load(&args.plan)?;
    options.apply(&mut plan)?;
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
            "hecun: note: the plan's own layers, read for the plugins that declare them in `reads`: {}",
            plan.unused_layers.join(", ")
        );
    }
    let mut request = RunRequest::new(out.clone(), lang);
    request.sweep = sweep;
    request.options = options;
    let progress = Progress::new(!quiet && std::io::stderr().is_terminal());
    let written = PlanRun::run_and_write(
        &plan,
        &request,
        &|stage| progress.stage(stage),
        &|name, k, n| progress.step(name, k, n),
    )?;
    progress.finish();
    if !quiet {
        for w in written.warnings() {
            eprintln!("hecun: warning: {w}");
        }
    }
    if args.common.timings {
        let line: Vec<String> = written
            .timings
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
        print_stdout(&written.report_json)?;
    } else if !quiet {
        let result = &written.run;
        let mut steps = String::new();
        // In a zh-CN run the lines read in Chinese, as the summary above them; in an en run
        // they are as they were (both labels, the counts in English).
        let zh = lang == Lang::ZhCn;
        if let Some(l) = &result.launch {
            let label = if zh {
                "启动标准："
            } else {
                "启动标准 / launch checks: "
            };
            steps.push_str(&format!("{label}{}\n", l.summary_in(lang)));
        }
        if let Some(s) = &result.standards {
            let label = if zh {
                "规划标准："
            } else {
                "规划标准 / planning standards: "
            };
            steps.push_str(&format!("{label}{}\n", s.summary_in(lang)));
        }
        if let Some(s) = &result.sites {
            let label = if zh {
                "安置社区选址："
            } else {
                "安置社区选址 / site scores: "
            };
            steps.push_str(&format!("{label}{}\n", s.summary_in(lang)));
        }
        for s in &result.scorings {
            let label = if zh {
                "评分："
            } else {
                "评分 / scoring: "
            };
            steps.push_str(&format!("{label}{}\n", s.summary_in(lang)));
        }
        let text = format!(
            "{}\n{steps}{}\n",
            written.summary,
            files_written(
                lang,
                written.files.len() + 1,
                &out,
                started.elapsed().as_secs_f64()
            )
        );
        print_stdout(&text)?;
    }
    let code = all_failed_code(&written.plugins_failed_everywhere());
    let vetoed = written.report.totals.vetoed;
    std::mem::forget(written);
    if let Some(code) = code {
        return Ok(code);
    }
    if args.fail_on_veto && vetoed > 0 {
        if !quiet {
            eprintln!("hecun: {vetoed} communities vetoed (--fail-on-veto)");
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
        let mut widths = hecun::run::manifest::RunOptions::default();
        widths.widths = args.widths.clone();
        widths.apply(&mut variant)?;
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
            // The variant runs this launch check alone, in place of all the plan's.
            variant.launch_check = Some(p.clone());
            variant.more_launch_checks.clear();
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

/// `hecun verify`: returns the exit code (0 when the folder is as the run wrote it, 1 when a
/// file changed, is missing or was added — or, with `--inputs`, when an input is not as the
/// run read it).
pub fn verify(args: &VerifyArgs, quiet: bool) -> Result<u8> {
    let lang = lang(&args.lang)?;
    let manifest = if args.dir.is_dir() {
        args.dir.join("run_manifest.json")
    } else {
        args.dir.clone()
    };
    let v = hecun::run::verify_manifest(&manifest)?;
    let failed = !v.folder_as_written() || (args.inputs && !v.inputs_as_read());
    if args.json {
        print_stdout(&v.to_json())?;
        return Ok(u8::from(failed));
    }
    let mut text = String::new();
    for f in &v.outputs {
        text.push_str(&hecun::report::finding_line(f, lang));
        text.push('\n');
    }
    // Input lines are the folder's verdict with --inputs, warnings without.
    let mut input_lines: Vec<String> = v
        .inputs
        .iter()
        .map(|f| hecun::report::input_line(f, lang))
        .collect();
    input_lines.extend(hecun::report::inputs_summary(&v, lang).filter(|_| !v.inputs_as_read()));
    if args.inputs {
        for line in &input_lines {
            text.push_str(line);
            text.push('\n');
        }
    } else if !quiet {
        for line in &input_lines {
            eprintln!("hecun: warning: {line}");
        }
    }
    if !quiet || failed {
        if let Some(line) = hecun::report::inputs_summary(&v, lang).filter(|_| v.inputs_as_read()) {
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str(&hecun::report::verify_summary(&v, lang));
        text.push('\n');
        print_stdout(&text)?;
    }
    Ok(u8::from(failed))
}

/// `hecun replay`: returns the exit code (0 when every output is reproduced byte for byte, 1
/// when some differ).
pub fn replay(args: &ReplayArgs, quiet: bool) -> Result<u8> {
    let manifest = RunManifest::load(&args.manifest)?;
    let recorded_lang = Lang::parse(&manifest.options.lang).unwrap_or_default();
    // The folder first: a file edited, deleted or added after the run is named (a folder
    // holding none of the outputs — a manifest kept alone — is not checked, and said so).
    let folder = hecun::run::verify_manifest(&args.manifest)?;
    let none_here = !folder.manifest.outputs.is_empty()
        && folder
            .outputs
            .iter()
            .filter(|f| matches!(f, hecun::run::Finding::Missing { .. }))
            .count()
            == folder.manifest.outputs.len();
    let edited = !none_here && !folder.folder_as_written();
    if none_here {
        if !quiet {
            eprintln!(
                "hecun: note: {} holds none of the run's outputs: the folder was not checked",
                folder.folder.display()
            );
        }
    } else if edited {
        for f in &folder.outputs {
            eprintln!("hecun: {}", hecun::report::finding_line(f, recorded_lang));
        }
        eprintln!(
            "hecun: {}",
            hecun::report::verify_summary(&folder, recorded_lang)
        );
    }
    // The build: another one may still give the same results (a warning, not a failure).
    if let Some(recorded) = &manifest.build {
        let differences = recorded.differences(&hecun::run::Build::current());
        if !differences.is_empty() && !quiet {
            eprintln!(
                "hecun: warning: {}",
                hecun::report::other_build(&differences, recorded_lang)
            );
        }
    }
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
    if manifest.tool.version != env!("CARGO_PKG_VERSION") && !quiet {
        eprintln!(
            "hecun: note: the run was made by hecun {}, this is {}",
            manifest.tool.version,
            env!("CARGO_PKG_VERSION")
        );
    }
    // Checks every input's SHA-256 first.
    let replayed = hecun::run::replay(&manifest, &out, &|_| {}, &|_, _, _| {})?;
    let differ = replayed.differing;
    if !replayed.build_only.is_empty() && !quiet {
        eprintln!(
            "hecun: note: {} differ only in the build they name",
            replayed.build_only.join(", ")
        );
    }
    if differ.is_empty() {
        if !quiet {
            let same = manifest.outputs.len() - replayed.build_only.len();
            print_stdout(&format!(
                "replayed {}: all {same} outputs identical (SHA-256) in {}\n",
                args.manifest.display(),
                args.out.display()
            ))?;
        }
        // The rerun matches, but the folder in hand is not what the run wrote.
        Ok(u8::from(edited))
    } else {
        eprintln!(
            "hecun: replay of {} differs: {}",
            args.manifest.display(),
            differ.join(", ")
        );
        Ok(1)
    }
}
