//! Running everything a plan lists, as one call: the affected villages, then the launch
//! checks, planning standards and site scores the plan names.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Build;
use super::RunManifest;
use super::manifest::{InputFile, PluginUse, RunOptions, sha256_bytes, sha256_file};
use crate::error::{Error, Result};
use crate::io::OutputDir;
use crate::jobs::{
    LaunchRun, ProgrammeInputs, ProgrammeRun, SiteScoreRun, StandardRun, TableRun, TargetInputs,
    TargetRun,
};
use crate::pipeline::control::RunControl;
use crate::pipeline::job::{AffectedRun, PreparedLayers};
use crate::pipeline::outputs::{OutputSet, write_affected_files};
use crate::pipeline::plan::Plan;
use crate::report::{
    Lang, Report, ReportInputs, Sweep, SweepSpec, render_html, report_text, sweep_csv,
    sweep_prepared,
};
use crate::rules::{Kind, Manifest};

/// What a written plan run is asked besides the plan: where to, in which language, a width
/// sweep, and the options as they were given (recorded in the run manifest, so that a replay
/// can give them again).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunRequest {
    /// The output folder, replaced as a whole when the run succeeds.
    pub out: PathBuf,
    /// The language of the report and the summary.
    pub lang: Lang,
    /// Households affected per width of one class (sweep.csv and a chart in the report).
    pub sweep: Option<SweepSpec>,
    /// The options as given; `no_zones` also decides whether zones.geojson is written,
    /// `no_gpkg` whether hecun.gpkg is.
    pub options: RunOptions,
}

impl RunRequest {
    /// A run writing into `out`, in `lang`, with no sweep and no options beyond the plan.
    pub fn new(out: impl Into<PathBuf>, lang: Lang) -> RunRequest {
        RunRequest {
            out: out.into(),
            lang,
            sweep: None,
            options: RunOptions::default(),
        }
    }
}

/// A plan run and what it wrote.
#[derive(Debug)]
#[non_exhaustive]
pub struct WrittenRun {
    /// The results of every step.
    pub run: PlanRun,
    /// The report (report.json, report.html and summary.txt are drawn from it).
    pub report: Report,
    /// The text of summary.txt.
    pub summary: String,
    /// The text of report.json.
    pub report_json: String,
    /// The files written, sorted (run_manifest.json, written last, is not among them).
    pub files: Vec<String>,
    /// Wall time of each step in seconds, as run_manifest.json records them.
    pub timings: Vec<(String, f64)>,
}

impl WrittenRun {
    /// The warnings of every step, each once (steps that read the same file report its
    /// problems each), in step order.
    pub fn warnings(&self) -> Vec<&crate::Warning> {
        let mut seen = std::collections::HashSet::new();
        let run = &self.run;
        run.affected
            .warnings
            .iter()
            .chain(run.launch.iter().flat_map(|l| &l.warnings))
            .chain(run.standards.iter().flat_map(|s| &s.warnings))
            .chain(run.sites.iter().flat_map(|s| &s.warnings))
            .chain(run.scorings.iter().flat_map(|s| &s.warnings))
            .chain(run.tables.iter().flat_map(|t| &t.warnings))
            .chain(run.targets.iter().flat_map(|t| &t.warnings))
            .chain(run.programme.iter().flat_map(|p| &p.warnings))
            .filter(|w| seen.insert(w.message.as_str()))
            .collect()
    }

    /// The plugins that failed on every candidate they were given: the run answered nothing
    /// they were asked.
    pub fn plugins_failed_everywhere(&self) -> Vec<&str> {
        let run = &self.run;
        [
            run.launch
                .as_ref()
                .map(|l| (l.plugin.as_str(), l.all_failed())),
            run.standards
                .as_ref()
                .map(|s| (s.plugin.as_str(), s.all_failed())),
            run.sites
                .as_ref()
                .map(|s| (s.plugin.as_str(), s.all_failed())),
        ]
        .into_iter()
        .flatten()
        .chain(
            run.scorings
                .iter()
                .map(|s| (s.plugin.as_str(), s.all_failed())),
        )
        // A target plugin that failed measured nothing it was asked.
        .chain(
            run.targets
                .iter()
                .map(|t| (t.check.plugin.as_str(), t.check.error.is_some())),
        )
        .filter(|(_, all)| *all)
        .map(|(name, _)| name)
        .collect()
    }
}

/// The results of every step of a plan.
#[derive(Debug)]
#[non_exhaustive]
pub struct PlanRun {
    /// The villages inside the demolition zones.
    pub affected: AffectedRun,
    /// The launch checks (`[checks] launch`).
    pub launch: Option<LaunchRun>,
    /// The planning standards (`[checks] standard`).
    pub standards: Option<StandardRun>,
    /// The site scores (`[scoring] sites`).
    pub sites: Option<SiteScoreRun>,
    /// The named scoring jobs (`[[scorings]]`), in the plan's order.
    pub scorings: Vec<SiteScoreRun>,
    /// The tables (`[tables.NAME]`), in name order.
    pub tables: Vec<TableRun>,
    /// The target checks (`[targets.NAME]`), in name order, judged after every other step.
    pub targets: Vec<TargetRun>,
    /// The whole plan's tables: communities with designations and capacity, villages in no
    /// community, roll-ups per township, county and 管委会, the plan's `[goals]` (when the
    /// plan forms communities; see [`ProgrammeRun::wanted`]).
    pub programme: Option<ProgrammeRun>,
    /// Wall time of each step.
    pub timings: Vec<(&'static str, Duration)>,
}

impl PlanRun {
    /// The run of a plan that lists nothing beyond the affected villages (no launch checks,
    /// standards, scorings or tables): what a service that ran [`AffectedRun`] itself builds
    /// its report from.
    pub fn from_affected(affected: AffectedRun) -> PlanRun {
        PlanRun {
            affected,
            launch: None,
            standards: None,
            sites: None,
            scorings: Vec::new(),
            tables: Vec::new(),
            targets: Vec::new(),
            programme: None,
            timings: Vec::new(),
        }
    }

    /// Runs every step `plan` lists; `progress` is told each step as it starts. A plugin
    /// failing on one candidate is that candidate's result; a plugin that cannot load stops
    /// the run with its name.
    pub fn run(plan: &Plan, progress: &(dyn Fn(&str) + Sync)) -> Result<PlanRun> {
        PlanRun::run_controlled(plan, &RunControl::default().progress(progress))
    }

    /// [`PlanRun::run`] as `control` asks: progress (optional), cancellation and a deadline
    /// (seen between stages and steps, and while villages are joined), a thread pool.
    pub fn run_controlled(plan: &Plan, control: &RunControl) -> Result<PlanRun> {
        let affected = plan.affected.run_controlled(control)?;
        control.install(|| PlanRun::steps(plan, affected, control))
    }

    /// [`PlanRun::run`] from the plan's layers already prepared
    /// ([`AffectedJob::prepare`](crate::AffectedJob::prepare) of `plan.affected`): the
    /// affected villages are joined with the plan's widths without reading their files again
    /// (the launch checks, standards and site scores read the layers they need).
    pub fn run_prepared(
        plan: &Plan,
        layers: &PreparedLayers,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<PlanRun> {
        let control = RunControl::default().progress(progress);
        let affected = layers.run_controlled(&plan.affected.zones, &control)?;
        PlanRun::steps(plan, affected, &control)
    }

    /// The steps after the affected villages.
    fn steps(plan: &Plan, affected: AffectedRun, control: &RunControl) -> Result<PlanRun> {
        let mut timings = affected.timings.clone();
        let mut clock = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            timings.push((name, clock.elapsed()));
            clock = Instant::now();
        };
        // The tables first: a later stage (a launch check, a scoring) may read them.
        let mut tables = Vec::with_capacity(plan.tables.len());
        if !plan.tables.is_empty() {
            control.stage("tables")?;
            for spec in &plan.tables {
                tables.push(TableRun::run(plan, spec)?);
            }
            lap("tables", &mut timings);
        }
        let launch = match &plan.launch_check {
            Some(_) => {
                control.stage("launch checks")?;
                let l = LaunchRun::run_all_after(
                    plan,
                    Some(&affected),
                    &plan.launch_checks(),
                    &tables,
                )?;
                lap("launch", &mut timings);
                Some(l)
            }
            None => None,
        };
        let standards = match &plan.standard_check {
            Some(plugin) => {
                control.stage("planning standards")?;
                let s = StandardRun::run(plan, &affected, plugin)?;
                lap("standards", &mut timings);
                Some(s)
            }
            None => None,
        };
        let sites = match &plan.site_scoring {
            Some(scoring) => {
                control.stage("site scores")?;
                let s = SiteScoreRun::run_layer(
                    plan,
                    &affected,
                    &scoring.plugin,
                    "sites",
                    scoring.per.as_deref(),
                    &scoring.quota(),
                    true,
                    &tables,
                )?;
                lap("sites", &mut timings);
                Some(s)
            }
            None => None,
        };
        let mut scorings = Vec::new();
        for job in &plan.scorings {
            control.stage("scorings")?;
            scorings.push(SiteScoreRun::run_job_after(
                plan, &affected, job, true, &tables,
            )?);
        }
        if !scorings.is_empty() {
            lap("scorings", &mut timings);
        }
        let programme = if ProgrammeRun::wanted(plan) {
            control.stage("programme")?;
            let p = ProgrammeRun::run(
                plan,
                &affected,
                ProgrammeInputs {
                    launch: launch.as_ref(),
                },
            )?;
            lap("programme", &mut timings);
            Some(p)
        } else {
            None
        };
        let mut targets = Vec::with_capacity(plan.targets.len());
        if !plan.targets.is_empty() {
            control.stage("targets")?;
            let inputs = TargetInputs {
                launch: launch.as_ref(),
                sites: sites.as_ref(),
                scorings: &scorings,
                tables: &tables,
                ..TargetInputs::new(&affected)
            };
            for spec in &plan.targets {
                targets.push(TargetRun::run(plan, spec, &inputs)?);
            }
            lap("targets", &mut timings);
        }
        Ok(PlanRun {
            affected,
            launch,
            standards,
            sites,
            scorings,
            tables,
            targets,
            programme,
            timings,
        })
    }

    /// The report of this run (with the map's layers when `map`).
    pub fn report(&self, plan: &Plan, sweep: Option<Sweep>, map: bool) -> Result<Report> {
        Report::build(
            ReportInputs {
                plan,
                run: &self.affected,
                launch: self.launch.as_ref(),
                standards: self.standards.as_ref(),
                sites: self.sites.as_ref(),
                scorings: &self.scorings,
                tables: &self.tables,
                targets: &self.targets,
                programme: self.programme.as_ref(),
                map,
            },
            sweep,
        )
    }

    /// Runs every step `plan` lists and writes every output into `request.out`, atomically:
    /// the tables and layers of each step, summary.txt, report.json, report.html, sweep.csv
    /// (with a sweep) and run_manifest.json (every input and output with its SHA-256). A
    /// plugin of the wrong kind for its slot is refused before anything runs, and the inputs
    /// are hashed before they are read. `progress` is told each stage as it starts, `step`
    /// the parts of the sweep.
    pub fn run_and_write(
        plan: &Plan,
        request: &RunRequest,
        progress: &(dyn Fn(&str) + Sync),
        step: &(dyn Fn(&str, usize, usize) + Sync),
    ) -> Result<WrittenRun> {
        let started = Instant::now();
        // A bad --shapefile stops the run before anything runs, not after.
        request.options.shapefile_encoding()?;
        let slots = [(
            plan.launch_check.as_ref(),
            Kind::LaunchCheck,
            "[checks] launch",
        )]
        .into_iter()
        .chain(
            plan.more_launch_checks
                .iter()
                .map(|p| (Some(p), Kind::LaunchCheck, "[checks] launch")),
        )
        .chain([
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
        ]);
        for (path, kind, slot) in slots {
            if let Some(path) = path {
                let (manifest, _) = Manifest::load(path)?;
                let place = format!("{}: {slot} = {}", plan.path.display(), path.display());
                manifest.expect_kind(kind, &place)?;
                crate::jobs::check_table_reads(plan, &manifest)?;
            }
        }
        for job in &plan.scorings {
            let (manifest, _) = Manifest::load(&job.scoring.plugin)?;
            crate::jobs::check_table_reads(plan, &manifest)?;
        }
        for spec in &plan.tables {
            let (mut manifest, _) = Manifest::load(&spec.plugin)?;
            let place = format!("{}: [tables.{}]", plan.path.display(), spec.name);
            manifest.expect_kind(
                Kind::Table,
                &format!("{place} plugin = {}", spec.plugin.display()),
            )?;
            manifest.override_params(&spec.params, &place)?;
            // A layer or field the plan does not provide stops the run before it starts.
            crate::jobs::table_input(plan, &manifest)?;
        }
        for spec in &plan.targets {
            let (mut manifest, _) = Manifest::load(&spec.plugin)?;
            let place = format!("{}: [targets.{}]", plan.path.display(), spec.name);
            manifest.expect_kind(
                Kind::Target,
                &format!("{place} plugin = {}", spec.plugin.display()),
            )?;
            manifest.override_params(&spec.params, &place)?;
            crate::jobs::table_input(plan, &manifest)?;
        }
        let mut plugins = Vec::new();
        for p in plan.launch_checks() {
            plugins.push(PluginUse::describe("launch", p, None)?);
        }
        if let Some(p) = &plan.standard_check {
            plugins.push(PluginUse::describe("standard", p, None)?);
        }
        if let Some(s) = &plan.site_scoring {
            plugins.push(PluginUse::describe("sites", &s.plugin, Some(s.top))?.choosing(s));
        }
        for spec in &plan.tables {
            let mut used =
                PluginUse::describe(&format!("table {}", spec.name), &spec.plugin, None)?;
            used.params.extend(spec.params.clone());
            plugins.push(used);
        }
        for job in &plan.scorings {
            plugins.push(
                PluginUse::describe(
                    &format!("scoring:{}", job.name),
                    &job.scoring.plugin,
                    Some(job.scoring.top),
                )?
                .choosing(&job.scoring),
            );
        }
        for spec in &plan.targets {
            let mut used =
                PluginUse::describe(&format!("target {}", spec.name), &spec.plugin, None)?;
            used.params.extend(spec.params.clone());
            plugins.push(used);
        }
        let mut manifest = RunManifest::new(plan, plugins, request.options.clone())?;

        // The layers are read once, for the run and every width of the sweep.
        let layers = plan.affected.prepare(progress)?;
        let run = PlanRun::run_prepared(plan, &layers, progress)?;
        let mut timings: Vec<(String, f64)> = run
            .timings
            .iter()
            .map(|(k, t)| (k.to_string(), t.as_secs_f64()))
            .collect();
        let sweep = match &request.sweep {
            Some(spec) => {
                let clock = Instant::now();
                let s = sweep_prepared(&layers, &plan.affected.zones, spec, &|k, n| {
                    step("width sweep", k, n)
                })?;
                timings.push(("sweep".into(), clock.elapsed().as_secs_f64()));
                Some(s)
            }
            None => None,
        };
        drop(layers);
        progress("report");
        let clock = Instant::now();
        let report = run.report(plan, sweep, true)?;
        let html = render_html(&report, request.lang);
        timings.push(("report".into(), clock.elapsed().as_secs_f64()));

        progress("write");
        let clock = Instant::now();
        let output = OutputDir::begin(&request.out)?;
        manifest.record_working_folder(&request.out)?;
        let set = OutputSet::default()
            .with_zones(!request.options.no_zones)
            .with_gpkg(!request.options.no_gpkg)
            .with_xlsx(!request.options.no_xlsx)
            .with_shapefile(request.options.shapefile_encoding()?);
        let mut files = run.write_into(plan, &output, set)?;
        files.extend(run.write_tables(&output, request.lang)?);
        files.extend(run.write_office_files(&output, &files, set, request.lang)?);
        let summary = report_text(&report, request.lang);
        let report_json = report.to_json();
        for (name, bytes) in report_files(&report, &summary, &report_json, html) {
            output.write(name, &bytes)?;
            files.push(name.to_owned());
        }
        files.sort();
        for name in &files {
            let mut hashed = InputFile::hash(name, &output.staged(name))?;
            // An output's path is its name: the folder may move.
            hashed.path = PathBuf::from(name);
            manifest.outputs.push(hashed);
        }
        manifest.metric_crs = report.metric_crs.clone();
        manifest.counts = report.totals;
        manifest.warnings = report.warnings.clone();
        timings.push(("write".into(), clock.elapsed().as_secs_f64()));
        timings.push(("total".into(), started.elapsed().as_secs_f64()));
        manifest.timings_s = timings.iter().cloned().collect();
        output.write("run_manifest.json", manifest.to_json().as_bytes())?;
        output.commit()?;
        Ok(WrittenRun {
            run,
            report,
            summary,
            report_json,
            files,
            timings,
        })
    }

    /// The files [`PlanRun::run_and_write`] writes, in memory, as `(name, bytes)` sorted by
    /// name, the same bytes: every step's tables and layers, and with `report` (made by
    /// [`PlanRun::report`] with `map`, as a written run's is) summary.txt, report.json,
    /// report.html and sweep.csv (with a sweep) in `lang`. Only run_manifest.json, which
    /// records files on disk, is not among them.
    pub fn output_files(
        &self,
        plan: &Plan,
        set: OutputSet,
        report: Option<(&Report, Lang)>,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let out = OutputDir::in_memory();
        let lang = report.map_or(Lang::default(), |(_, lang)| lang);
        let mut files = self.write_into(plan, &out, set)?;
        files.extend(self.write_tables(&out, lang)?);
        self.write_office_files(&out, &files, set, lang)?;
        if let Some((report, lang)) = report {
            let summary = report_text(report, lang);
            let html = render_html(report, lang);
            for (name, bytes) in report_files(report, &summary, &report.to_json(), html) {
                out.write(name, &bytes)?;
            }
        }
        Ok(out.into_files())
    }

    /// Writes each `[tables.NAME]` table as `tables/NAME.csv` (headings in `lang`) and
    /// `tables/NAME.json`, and each `[targets.NAME]` check as `targets/NAME.csv` and
    /// `targets/NAME.json`; returns the file names.
    pub fn write_tables(&self, out: &OutputDir, lang: Lang) -> Result<Vec<String>> {
        let mut files = Vec::new();
        for t in &self.tables {
            files.extend(t.write_into(out, lang.tag())?);
        }
        for t in &self.targets {
            files.extend(t.write_into(out, lang.tag())?);
        }
        Ok(files)
    }

    /// Writes what the office opens next from `files` (already written into `out`), as
    /// `set` asks: `tables.xlsx` ([`PlanRun::write_workbook`]) and the layers as Shapefiles;
    /// returns the names written.
    pub fn write_office_files(
        &self,
        out: &OutputDir,
        files: &[String],
        set: OutputSet,
        lang: Lang,
    ) -> Result<Vec<String>> {
        let mut written = Vec::new();
        if set.xlsx {
            written.push(self.write_workbook(out, files, lang)?);
        }
        if let Some(encoding) = set.shapefile {
            let layers: Vec<String> = files
                .iter()
                .filter(|f| f.ends_with(".geojson"))
                .cloned()
                .collect();
            written.extend(crate::io::shapefile::write_shapefiles(
                out, &layers, encoding,
            )?);
        }
        Ok(written)
    }

    /// Writes `tables.xlsx` from the CSV files among `files` (already written into `out`, in
    /// the order written: hecun's tables, then the plan's tables and targets), with titles
    /// in `lang` and the cell types the table plugins declare; returns its name.
    pub fn write_workbook(&self, out: &OutputDir, files: &[String], lang: Lang) -> Result<String> {
        use crate::report::workbook::{CellKind, WORKBOOK, write_workbook};
        use crate::rules::contract::ColumnType;
        let mut declared = std::collections::BTreeMap::new();
        for t in &self.tables {
            let mut kinds = vec![CellKind::Text];
            kinds.extend(t.table.columns.iter().map(|c| match c.kind {
                ColumnType::Text => CellKind::Text,
                ColumnType::Number | ColumnType::Integer => CellKind::Number,
            }));
            declared.insert(t.files()[0].clone(), kinds);
        }
        for t in &self.targets {
            use CellKind::{Number, Text};
            let kinds = vec![Text, Text, Text, Number, Text, Number, Text, Text];
            declared.insert(t.files()[0].clone(), kinds);
        }
        let csvs: Vec<String> = files
            .iter()
            .filter(|f| f.ends_with(".csv"))
            .cloned()
            .collect();
        write_workbook(out, &csvs, lang, &declared)?;
        Ok(WORKBOOK.to_owned())
    }

    /// Writes every step's tables and layers into an output folder being written; returns
    /// the file names. The plan's summary.txt is the report's (see [`PlanRun::run_and_write`]),
    /// so none is written here.
    pub fn write_into(&self, plan: &Plan, out: &OutputDir, set: OutputSet) -> Result<Vec<String>> {
        let mut files =
            write_affected_files(&self.affected, out, set, plan.affected.engine, false)?;
        if let Some(l) = &self.launch {
            files.extend(l.write_into(out)?);
        }
        if let Some(s) = &self.standards {
            files.extend(s.write_into(out)?);
        }
        if let Some(s) = &self.sites {
            files.extend(s.write_into(out)?);
        }
        for s in &self.scorings {
            files.extend(s.write_into(out)?);
        }
        if let Some(p) = &self.programme {
            files.extend(p.write_into(out)?);
        }
        if set.gpkg {
            files.extend(crate::io::gpkg::write::write_outputs_gpkg(out, &files)?);
        }
        Ok(files)
    }
}

/// The files drawn from a run's report, with the texts already made of it.
fn report_files(
    report: &Report,
    summary: &str,
    report_json: &str,
    html: String,
) -> Vec<(&'static str, Vec<u8>)> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.txt", summary.as_bytes().to_vec()),
        ("report.json", report_json.as_bytes().to_vec()),
        ("report.html", html.into_bytes()),
    ];
    if let Some(s) = &report.sweep {
        files.push(("sweep.csv", sweep_csv(s)));
    }
    files
}

/// A run reproduced from its manifest: what it wrote, and the recorded outputs that came out
/// different (or missing).
#[derive(Debug)]
pub struct Replay {
    /// The rerun.
    pub written: WrittenRun,
    /// Each output that differs from the recorded one: "NAME differs" or "NAME missing".
    pub differing: Vec<String>,
    /// The report files (summary.txt, report.json, report.html) that differ only in the
    /// build they name: the run was made by another build of hecun, and drawn by the
    /// recorded build's name they are the recorded bytes. Not among `differing`.
    pub build_only: Vec<String>,
}

/// Reruns the run `manifest` records into `out`, after checking every input's SHA-256, and
/// compares every output with the recorded one byte for byte (by SHA-256).
///
/// The manifest's paths are relative to the folder the run was made in
/// ([`RunManifest::working_folder_from`]): call this from that folder (the CLI's `replay`
/// changes to it first; a library should not change a process's folder behind its back).
pub fn replay(
    manifest: &RunManifest,
    out: &Path,
    progress: &(dyn Fn(&str) + Sync),
    step: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Replay> {
    manifest.verify_inputs()?;
    let options = &manifest.options;
    let lang = Lang::parse(&options.lang).ok_or_else(|| {
        Error::param(
            "run manifest",
            format!("language {:?}: use zh-CN or en", options.lang),
        )
    })?;
    let sweep = options
        .sweep
        .as_deref()
        .map(SweepSpec::parse)
        .transpose()
        .map_err(|e| Error::param("--sweep", e))?;
    let mut plan = Plan::load(&manifest.plan.path)?;
    options.apply(&mut plan)?;
    let request = RunRequest {
        out: out.to_path_buf(),
        lang,
        sweep,
        options: options.clone(),
    };
    let written = PlanRun::run_and_write(&plan, &request, progress, step)?;
    // The report as the recorded build would have named itself: the report files that come
    // out as recorded so differ only in the build they name.
    let as_recorded = manifest.build.as_ref().and_then(|recorded| {
        let mut report = written.report.clone();
        (report.build
            != Build {
                binary_sha256: None,
                ..recorded.clone()
            })
        .then(|| {
            report.build = Build {
                binary_sha256: None,
                ..recorded.clone()
            };
            report.tool_version = recorded.version.clone();
            let summary = report_text(&report, lang);
            let html = render_html(&report, lang);
            report_files(&report, &summary, &report.to_json(), html)
        })
    });
    let mut differing = Vec::new();
    let mut build_only = Vec::new();
    for f in &manifest.outputs {
        match sha256_file(&out.join(&f.path)) {
            Ok((_, sha)) if sha == f.sha256 => {}
            Ok(_) => {
                let named_build_only = as_recorded.as_ref().is_some_and(|files| {
                    files.iter().any(|(name, bytes)| {
                        Path::new(name) == f.path && sha256_bytes(bytes) == f.sha256
                    })
                });
                if named_build_only {
                    build_only.push(f.path.display().to_string());
                } else {
                    differing.push(format!("{} differs", f.path.display()));
                }
            }
            Err(_) => differing.push(format!("{} missing", f.path.display())),
        }
    }
    Ok(Replay {
        written,
        differing,
        build_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library user runs a plan, writes it, and replays it from its manifest, without the
    /// CLI: the same bytes, and the replay says so.
    #[test]
    fn a_written_run_replays_to_the_same_bytes() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let tmp = tempfile::tempdir().unwrap();
        let plan = Plan::load(&repo.join("gis-data/demo/plan.toml")).unwrap();
        let request = RunRequest {
            out: tmp.path().join("a"),
            lang: Lang::En,
            sweep: Some(SweepSpec::parse("ring=50..150/50").unwrap()),
            options: RunOptions {
                lang: "en".into(),
                sweep: Some("ring=50..150/50".into()),
                ..Default::default()
            },
        };
        let written = PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {}).unwrap();
        assert!(written.files.iter().any(|f| f == "summary.txt"));
        assert!(written.files.iter().any(|f| f == "sweep.csv"));
        let summary = std::fs::read_to_string(tmp.path().join("a/summary.txt")).unwrap();
        assert_eq!(summary, written.summary, "summary.txt is the report's");

        let manifest = RunManifest::load(&tmp.path().join("a/run_manifest.json")).unwrap();
        assert_eq!(manifest.outputs.len(), written.files.len());
        let replayed = replay(&manifest, &tmp.path().join("b"), &|_| {}, &|_, _, _| {}).unwrap();
        assert!(replayed.differing.is_empty(), "{:?}", replayed.differing);
        for f in &written.files {
            let (a, b) = (tmp.path().join("a").join(f), tmp.path().join("b").join(f));
            assert!(
                std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
                "{f}"
            );
        }
        // An output that comes out other than recorded is named.
        let changed = tmp.path().join("c");
        let mut tampered = manifest.clone();
        tampered.outputs[0].sha256 = "0".repeat(64);
        let replayed = replay(&tampered, &changed, &|_| {}, &|_, _, _| {}).unwrap();
        assert_eq!(
            replayed.differing,
            [format!("{} differs", tampered.outputs[0].path.display())]
        );
    }
}
