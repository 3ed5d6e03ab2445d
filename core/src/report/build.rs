//! Building a [`Report`] from the jobs of one run.

use std::collections::BTreeMap;

use super::{
    Check, ClassRow, CommunityRow, Counts, Exclusion, LaunchStatus, MapData, MapLine, MapSite,
    MapVillage, PluginRow, Report, SiteRow, StandardCheck, Sweep, SweepRow, TableSection,
    TableSectionRow, TargetRow, TargetSection, Totals, TownshipRow, VillageRow, ZoneRef,
};
use crate::error::Result;
use crate::geometry::polygons;
use crate::jobs::{Community, LaunchRun, SiteScoreRun, StandardRun, TableRun, TargetRun};
use crate::model::crs::Transformer;
use crate::model::field_text;
use crate::model::zone::ZoneSpec;
use crate::pipeline::job::{AffectedJob, AffectedRun, PreparedLayers};
use crate::pipeline::plan::Plan;
use crate::rules::{
    Manifest, Outcome, Runtime, Status, VETO_UNKNOWN, Value, Verdict, veto_unknown_criterion,
};

/// The jobs of one run, as the report reads them.
#[derive(Debug, Clone, Copy)]
pub struct ReportInputs<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The affected-villages job's result.
    pub run: &'a AffectedRun,
    /// The launch checks, if the plan runs them.
    pub launch: Option<&'a LaunchRun>,
    /// The planning standards, if the plan selects them.
    pub standards: Option<&'a StandardRun>,
    /// The site scores, if the plan scores sites.
    pub sites: Option<&'a SiteScoreRun>,
    /// The named scoring jobs (`[[scorings]]`).
    pub scorings: &'a [SiteScoreRun],
    /// The tables the plan computed.
    pub tables: &'a [TableRun],
    /// The target checks the plan ran.
    pub targets: &'a [TargetRun],
    /// The whole plan's tables (communities, roll-ups, goals), if the plan forms communities.
    pub programme: Option<&'a crate::jobs::ProgrammeRun>,
    /// Draw the map (reads and projects the townships layer and every village).
    pub map: bool,
}

impl Report {
    /// Puts the results of one run together, in the plan's terms.
    pub fn build(inputs: ReportInputs<'_>, sweep: Option<Sweep>) -> Result<Report> {
        let ReportInputs {
            plan,
            run,
            launch,
            standards,
            sites,
            scorings,
            tables,
            targets,
            programme,
            map,
        } = inputs;
        let by_feature: BTreeMap<usize, &crate::Village> =
            run.villages.iter().map(|v| (v.feature, v)).collect();

        let classes = class_rows(run);
        let villages = village_rows(run);
        let communities = community_rows(launch, standards, &by_feature);
        let site_rows = sites.map(|s| site_rows(plan, s)).unwrap_or_default();

        let mut townships: BTreeMap<String, TownshipRow> = BTreeMap::new();
        for t in &run.summary.townships {
            let row = township_row(&mut townships, &t.township);
            row.villages_in_layer = t.villages_in_layer;
            row.affected = t.affected;
        }
        for c in &communities {
            let row = township_row(&mut townships, &c.township);
            row.communities += 1;
            match c.launch.as_ref().map(|l| l.status) {
                Some(LaunchStatus::Launched) => row.launched += 1,
                Some(LaunchStatus::Blocked) => row.blocked += 1,
                Some(LaunchStatus::Vetoed) => row.vetoed += 1,
                _ => {}
            }
        }
        // 示范社区: as the whole plan chose them (never a vetoed community); without it, the
        // sites chosen per township.
        if let Some(p) = programme {
            for c in p.communities.iter().filter(|c| c.demonstration.chosen()) {
                township_row(&mut townships, &c.township)
                    .demonstration
                    .push(c.name.clone());
            }
        } else {
            let mut chosen: Vec<&SiteRow> = site_rows.iter().filter(|s| s.chosen).collect();
            chosen.sort_by_key(|s| (s.township.clone(), s.rank_in_township));
            for s in chosen {
                township_row(&mut townships, &s.township)
                    .demonstration
                    .push(display_name(s));
            }
        }

        let status_count = |status: LaunchStatus| {
            communities
                .iter()
                .filter(|c| c.launch.as_ref().map(|l| l.status) == Some(status))
                .count()
        };
        let mut in_communities = Counts::default();
        for c in &communities {
            in_communities.villages += c.counts.villages;
            in_communities.households += c.counts.households;
            in_communities.population += c.counts.population;
        }
        let totals = Totals {
            affected: run.summary.total,
            communities: communities.len(),
            in_communities,
            launched: status_count(LaunchStatus::Launched),
            blocked: status_count(LaunchStatus::Blocked),
            vetoed: status_count(LaunchStatus::Vetoed),
            check_errors: status_count(LaunchStatus::Error),
            sites: site_rows.len(),
            sites_chosen: site_rows.iter().filter(|s| s.chosen).count(),
        };

        let mut plugins = Vec::new();
        let launch_paths: Vec<&std::path::Path> = if launch.is_some() {
            plan.launch_checks()
        } else {
            Vec::new()
        };
        let launch_slots = launch_paths.into_iter().map(|p| ("launch", Some(p)));
        for (role, path) in launch_slots.chain([
            (
                "standard",
                plan.standard_check
                    .as_deref()
                    .filter(|_| standards.is_some()),
            ),
            (
                "sites",
                plan.site_scoring
                    .as_ref()
                    .map(|s| s.plugin.as_path())
                    .filter(|_| sites.is_some()),
            ),
        ]) {
            if let Some(path) = path {
                let (manifest, _) = Manifest::load(path)?;
                let mut row = plugin_row(role.to_owned(), &manifest);
                row.criteria = manifest.criteria.clone();
                // The host's own launch finding, titled even when the plugin does not
                // declare it.
                if role == "launch" && manifest.criterion(VETO_UNKNOWN).is_none() {
                    row.criteria.push(veto_unknown_criterion());
                }
                plugins.push(row);
            }
        }

        for t in tables {
            let spec = plan.tables.iter().find(|s| s.name == t.table.name);
            if let Some(spec) = spec {
                let (manifest, _) = Manifest::load(&spec.plugin)?;
                plugins.push(plugin_row(format!("table {}", spec.name), &manifest));
            }
        }
        for t in targets {
            if let Some(spec) = plan.targets.iter().find(|s| s.name == t.check.name) {
                let (manifest, _) = Manifest::load(&spec.plugin)?;
                plugins.push(plugin_row(format!("target {}", spec.name), &manifest));
            }
        }
        let target_sections: Vec<TargetSection> = targets
            .iter()
            .map(|t| TargetSection {
                name: t.check.name.clone(),
                title: t.check.title.clone(),
                plugin: t.check.plugin.clone(),
                error: t.check.error.clone(),
                targets: t
                    .check
                    .targets
                    .iter()
                    .map(|r| TargetRow {
                        target: r.decl.clone(),
                        status: r.status,
                        measured: r.value.map(|(m, _)| m),
                        wanted: r.value.map(|(_, w)| w),
                        groups: r.groups.clone(),
                    })
                    .collect(),
            })
            .collect();
        let table_sections: Vec<TableSection> = tables
            .iter()
            .map(|t| TableSection {
                name: t.table.name.clone(),
                title: t.table.title.clone(),
                plugin: t.table.plugin.clone(),
                columns: t.table.columns.clone(),
                rows: t
                    .table
                    .layout()
                    .into_iter()
                    .map(|(kind, cells)| TableSectionRow { kind, cells })
                    .collect(),
            })
            .collect();

        let mut all: Vec<&crate::Warning> = run.warnings.iter().collect();
        if let Some(l) = launch {
            all.extend(&l.warnings);
        }
        if let Some(s) = standards {
            all.extend(&s.warnings);
        }
        if let Some(s) = sites {
            all.extend(&s.warnings);
        }
        for s in scorings {
            all.extend(&s.warnings);
        }
        for t in tables {
            all.extend(&t.warnings);
        }
        for t in targets {
            all.extend(&t.warnings);
        }
        if let Some(p) = programme {
            all.extend(&p.warnings);
        }
        // Steps that read the same file report its problems each: keep the first of each.
        let mut seen = std::collections::HashSet::new();
        all.retain(|w| seen.insert(w.message.as_str()));
        let warnings: Vec<String> = all.iter().map(|w| w.message.clone()).collect();
        let warnings_zh: Vec<String> = all
            .iter()
            .map(|w| w.text(super::Lang::ZhCn).to_owned())
            .collect();

        let map = if map {
            Some(map_data(plan, run, sites)?)
        } else {
            None
        };
        let mut report = Report {
            plan: plan.name.clone(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            build: crate::run::Build::library(),
            metric_crs: run.metric_crs.to_string(),
            villages_in_layer: run.summary.villages_in_layer,
            totals,
            counting: run.summary.counting,
            below_share: run.summary.below_share,
            pro_rata: run.summary.pro_rata,
            townships: in_summary_order(townships, &run.summary.townships),
            classes,
            villages,
            launch_fields_missing: launch
                .map(|l| l.missing_everywhere.clone())
                .unwrap_or_default(),
            communities,
            sites: site_rows,
            top: sites.and_then(top_of),
            choice: sites.and_then(choice_of),
            scorings: scorings
                .iter()
                .map(|s| super::ScoringSection {
                    name: s.job.clone().unwrap_or_default(),
                    title: s.title.clone(),
                    plugin: s.plugin.clone(),
                    layer: s.layer.clone(),
                    sites: self::site_rows(plan, s),
                    top: top_of(s),
                    choice: choice_of(s),
                })
                .collect(),
            sweep,
            tables: table_sections,
            targets: target_sections,
            milestones: None,
            programme: programme.cloned(),
            plugins,
            warnings,
            warnings_zh,
            map,
        };
        if let Some(m) = programme.and_then(|p| p.milestones.as_ref()) {
            report.add_milestones(m);
        }
        Ok(report)
    }
}

/// The township rows in the order of the summary (区划代码, see
/// [`Summary::townships`](crate::pipeline::affected::Summary::townships)), any township only
/// communities or sites name after them, by name.
fn in_summary_order(
    rows: BTreeMap<String, TownshipRow>,
    order: &[crate::pipeline::affected::TownshipTotal],
) -> Vec<TownshipRow> {
    let place: std::collections::HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, t)| (t.township.as_str(), i))
        .collect();
    let mut rows: Vec<TownshipRow> = rows.into_values().collect();
    rows.sort_by_key(|r| {
        place
            .get(r.township.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    rows
}

fn township_row<'a>(
    rows: &'a mut BTreeMap<String, TownshipRow>,
    name: &str,
) -> &'a mut TownshipRow {
    rows.entry(name.to_owned()).or_insert_with(|| TownshipRow {
        township: name.to_owned(),
        villages_in_layer: 0,
        affected: Counts::default(),
        communities: 0,
        launched: 0,
        blocked: 0,
        vetoed: 0,
        demonstration: Vec::new(),
    })
}

fn display_name(s: &SiteRow) -> String {
    if s.name.is_empty() {
        s.id.clone()
    } else {
        s.name.clone()
    }
}

fn class_rows(run: &AffectedRun) -> Vec<ClassRow> {
    let mut rows: Vec<ClassRow> = run
        .summary
        .classes
        .iter()
        .map(|c| ClassRow {
            class: c.class.clone(),
            layer: run
                .zones
                .iter()
                .find(|z| z.class == c.class)
                .map(|z| run.sources[z.source].layer.clone())
                .unwrap_or_default(),
            width_m: c.width,
            zones: c.zones,
            affected: c.affected,
        })
        .collect();
    // Roads before corridors, the widest zones first: the order planners list them in
    // (两环十五放射、快速通道, then corridor levels 一级, 二级, 三级), which name order is not.
    rows.sort_by(|a, b| {
        (a.layer != "roads")
            .cmp(&(b.layer != "roads"))
            .then(b.width_m.total_cmp(&a.width_m))
            .then_with(|| a.class.cmp(&b.class))
    });
    rows
}

fn village_rows(run: &AffectedRun) -> Vec<VillageRow> {
    run.affected
        .iter()
        .map(|a| {
            let v = &run.villages[a.village];
            VillageRow {
                id: v.id.clone(),
                name: v.name.clone(),
                township: v.township.clone(),
                households: v.households,
                population: v.population,
                fraction_inside: a.fraction_inside,
                zones: a
                    .zones
                    .iter()
                    .map(|&z| {
                        let zone = &run.zones[z];
                        let source = &run.sources[zone.source];
                        ZoneRef {
                            layer: source.layer.clone(),
                            id: source.id.clone(),
                            name: source.name.clone(),
                            class: zone.class.clone(),
                            width_m: zone.distance,
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

fn check(verdict: &Result<Verdict>) -> Check {
    match verdict {
        Ok(v) => Check {
            status: match v.status {
                Status::Pass => LaunchStatus::Launched,
                Status::Fail => LaunchStatus::Blocked,
                Status::Veto => LaunchStatus::Vetoed,
            },
            // A finding of a plugin among several is `plugin:criterion`: two plugins may
            // declare the same id, and the report titles it from the one that found it.
            findings: v
                .findings
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    if let Some(p) = &f.plugin {
                        f.criterion = format!("{p}:{}", f.criterion);
                    }
                    f
                })
                .collect(),
            error: None,
        },
        Err(e) => Check {
            status: LaunchStatus::Error,
            findings: Vec::new(),
            error: Some(e.to_string()),
        },
    }
}

fn community_rows(
    launch: Option<&LaunchRun>,
    standards: Option<&StandardRun>,
    by_feature: &BTreeMap<usize, &crate::Village>,
) -> Vec<CommunityRow> {
    // In the order the jobs give them (the office's: see `group_communities`), each once.
    let mut rows = CommunityRows::default();
    if let Some(l) = launch {
        for (c, v) in l.communities.iter().zip(&l.verdicts) {
            community_row(&mut rows, c, by_feature).launch = Some(check(v));
        }
    }
    if let Some(s) = standards {
        for (c, v) in s.communities.iter().zip(&s.verdicts) {
            community_row(&mut rows, c, by_feature).standard = Some(match v {
                Ok(sv) => StandardCheck {
                    standard: sv.standard.clone(),
                    check: check(&Ok(sv.verdict.clone())),
                },
                Err(e) => StandardCheck {
                    standard: String::new(),
                    check: Check {
                        status: LaunchStatus::Error,
                        findings: Vec::new(),
                        error: Some(e.to_string()),
                    },
                },
            });
        }
    }
    rows.rows
}

/// The community rows in first-seen order, found by name.
#[derive(Default)]
struct CommunityRows {
    rows: Vec<CommunityRow>,
    by_name: std::collections::HashMap<String, usize>,
}

fn community_row<'a>(
    rows: &'a mut CommunityRows,
    c: &Community,
    by_feature: &BTreeMap<usize, &crate::Village>,
) -> &'a mut CommunityRow {
    let next = rows.rows.len();
    let at = *rows.by_name.entry(c.name.clone()).or_insert(next);
    if at < next {
        return &mut rows.rows[at];
    }
    rows.rows.push({
        let mut counts = Counts::default();
        let mut ids = Vec::new();
        for i in &c.villages {
            if let Some(v) = by_feature.get(i) {
                counts.villages += 1;
                counts.households += v.households;
                counts.population += v.population;
                ids.push(v.id.clone());
            }
        }
        CommunityRow {
            name: c.name.clone(),
            township: c.township.clone(),
            villages: ids,
            counts,
            launch: None,
            standard: None,
        }
    });
    &mut rows.rows[next]
}

/// The report's row for a plugin that ran in `role`, without criteria (a check's are added
/// by its caller).
fn plugin_row(role: String, manifest: &Manifest) -> PluginRow {
    PluginRow {
        role,
        name: manifest.name.clone(),
        version: manifest.version.clone(),
        runtime: match manifest.runtime() {
            Runtime::Rhai => "rhai",
            Runtime::Wasm => "wasm",
        }
        .to_owned(),
        criteria: Vec::new(),
        terms: manifest.terms.clone(),
        evidence: manifest.evidence.clone(),
        edition: crate::jobs::standard::edition_of(&manifest.params),
    }
}

/// Chosen per township, unless a quota or another grouping decides: that is not "best N per
/// township" (see [`choice_of`]).
fn top_of(s: &SiteScoreRun) -> Option<usize> {
    (s.per.is_none() && s.quota.table.is_empty()).then_some(s.top)
}

fn choice_of(s: &SiteScoreRun) -> Option<super::Choice> {
    (s.per.is_some() || !s.quota.table.is_empty()).then(|| super::Choice {
        per: s.per.clone().unwrap_or_else(|| "township".to_owned()),
        top: s.quota.table.is_empty().then_some(s.top),
        quota: s.quota.table.clone(),
        chosen: s.ranks.iter().filter(|r| r.chosen).count(),
        chosen_per_group: s
            .ranks
            .iter()
            .zip(&s.groups)
            .filter(|(r, _)| r.chosen)
            .fold(std::collections::BTreeMap::new(), |mut per, (_, group)| {
                *per.entry(group.clone()).or_insert(0) += 1;
                per
            }),
    })
}

fn site_rows(plan: &Plan, s: &SiteScoreRun) -> Vec<SiteRow> {
    let schema = plan.context.get(&s.layer).map(|l| &l.schema);
    s.candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text = |name: &str| match c.feature(name) {
                Some(Value::Text(t)) => t.clone(),
                _ => String::new(),
            };
            let mut name = text("name");
            if name.is_empty()
                && let (Some(f), Some(schema)) = (s.sites.layer.features.get(i), schema)
            {
                name = field_text(f, schema, "name").unwrap_or_default();
            }
            let rank = s.ranks[i];
            let (score, excluded, error, terms) = match &s.scores[i] {
                Ok(score) => match &score.outcome {
                    Outcome::Scored(v) => (Some(*v), None, None, score.terms.clone()),
                    Outcome::Excluded {
                        reason,
                        evidence,
                        reasons,
                    } => (
                        None,
                        Some(Exclusion {
                            reason: reason.clone(),
                            evidence: evidence.clone(),
                            reasons: reasons.clone(),
                        }),
                        None,
                        Vec::new(),
                    ),
                },
                Err(e) => (None, None, Some(e.to_string()), Vec::new()),
            };
            SiteRow {
                id: c.id().to_owned(),
                name,
                township: text("township"),
                score,
                excluded,
                error,
                rank: rank.overall,
                rank_in_township: rank.in_group,
                chosen: rank.chosen,
                terms,
                evidence: s.scores[i]
                    .as_ref()
                    .map(|score| score.evidence.clone())
                    .unwrap_or_default(),
                measured: super::MEASURED_DISTANCES
                    .iter()
                    .filter_map(|&name| match c.feature(name) {
                        Some(Value::Float(d)) if d.is_finite() => Some((name.to_owned(), *d)),
                        Some(Value::Int(d)) => Some((name.to_owned(), *d as f64)),
                        _ => None,
                    })
                    .collect(),
            }
        })
        .collect()
}

fn map_data(plan: &Plan, run: &AffectedRun, sites: Option<&SiteScoreRun>) -> Result<MapData> {
    let mut map = MapData::default();
    if let Some(source) = &plan.affected.townships {
        map.townships = area_layer(plan, run, source, |f| {
            Some(
                field_text(f, &source.schema, "name")
                    .or_else(|| f.id.clone())
                    .unwrap_or_default(),
            )
        })?;
    }
    // Sites are excluded for lying on farmland or inside the red line: the map draws both so
    // that a planner sees why. Each feature is named by its id, else its number in the layer.
    if let Some(source) = plan.context.get("farmland") {
        map.farmland = area_layer(plan, run, source, |f| f.id.clone())?;
    }
    if let Some(source) = plan.context.get("redline") {
        map.redline = area_layer(plan, run, source, |f| f.id.clone())?;
    }
    for source in &run.sources {
        let item = MapLine {
            class: source.class.clone(),
            name: source.name.clone(),
            geometry: source.geometry.clone(),
        };
        if source.layer == "corridors" {
            map.corridors.push(item);
        } else {
            map.roads.push(item);
        }
    }
    map.zones = run
        .zones
        .iter()
        .map(|z| (z.class.clone(), z.polygon.clone()))
        .collect();
    let mut touched = vec![(0.0, Vec::new()); run.villages.len()];
    for a in &run.affected {
        let mut classes: Vec<String> = Vec::new();
        for &z in &a.zones {
            let class = &run.zones[z].class;
            if !classes.contains(class) {
                classes.push(class.clone());
            }
        }
        touched[a.village] = (a.fraction_inside, classes);
    }
    let to_metric = Transformer::new(run.villages_layer.crs, run.metric_crs, plan.affected.engine)?;
    for (v, (fraction_inside, zone_classes)) in run.villages.iter().zip(touched) {
        let mut geometry = polygons(&run.villages_layer.features[v.feature].geometry);
        to_metric.transform(&mut geometry)?;
        map.villages.push(MapVillage {
            id: v.id.clone(),
            name: v.name.clone(),
            township: v.township.clone(),
            households: v.households,
            population: v.population,
            fraction_inside,
            zone_classes,
            geometry,
        });
    }
    if let Some(s) = sites {
        let rows = site_rows(plan, s);
        for (row, item) in rows.into_iter().zip(&s.sites.items) {
            map.sites.push(MapSite {
                id: row.id,
                name: row.name,
                score: row.score,
                excluded: row.excluded.map(|e| e.reason),
                error: row.error,
                chosen: row.chosen,
                geometry: item.geometry.clone(),
            });
        }
    }
    Ok(map)
}

/// An area layer of the plan as the map draws it: each feature's polygons in the metric CRS
/// with its label (`label`, else the feature's number in the layer, from 1). Reading or
/// projecting errors name the layer's file, as for the other layers.
fn area_layer(
    plan: &Plan,
    run: &AffectedRun,
    source: &crate::pipeline::job::LayerSource,
    label: impl Fn(&crate::model::layer::Feature) -> Option<String>,
) -> Result<Vec<(String, geo::MultiPolygon<f64>)>> {
    let layer = source
        .read(plan.affected.input_crs, plan.affected.keep_going)?
        .layer;
    let to_metric = Transformer::new(layer.crs, run.metric_crs, plan.affected.engine)?;
    let mut out = Vec::with_capacity(layer.features.len());
    for (i, f) in layer.features.iter().enumerate() {
        let mut g = polygons(&f.geometry);
        to_metric.transform(&mut g)?;
        out.push((label(f).unwrap_or_else(|| (i + 1).to_string()), g));
    }
    Ok(out)
}

/// A width sweep: one class's zone width from `from` to `to` metres by `step`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    /// The class (as the plan names it, or an alias such as `ring`).
    pub class: String,
    /// First width, metres.
    pub from: f64,
    /// Last width, metres (included when the steps land on it).
    pub to: f64,
    /// Step, metres (> 0).
    pub step: f64,
}

impl SweepSpec {
    /// Parses `CLASS=FROM..TO/STEP`, e.g. `ring=50..200/25`.
    pub fn parse(text: &str) -> std::result::Result<SweepSpec, String> {
        let bad = || format!("{text:?}: expected CLASS=FROM..TO/STEP, e.g. ring=50..200/25");
        let (class, range) = text.split_once('=').ok_or_else(bad)?;
        let (range, step) = range.split_once('/').ok_or_else(bad)?;
        let (from, to) = range.split_once("..").ok_or_else(bad)?;
        let num = |s: &str| s.trim().parse::<f64>().map_err(|_| bad());
        let (from, to, step) = (num(from)?, num(to)?, num(step)?);
        if class.trim().is_empty()
            || !(from.is_finite() && to.is_finite() && step.is_finite())
            || from < 0.0
            || to < from
            || step <= 0.0
        {
            return Err(bad());
        }
        if (to - from) / step > 1000.0 {
            return Err(format!(
                "{text:?}: more than 1000 widths; use a larger step"
            ));
        }
        Ok(SweepSpec {
            class: class.trim().to_owned(),
            from,
            to,
            step,
        })
    }

    /// The widths, in increasing order (each computed from `from`, so steps do not drift).
    pub fn widths(&self) -> Vec<f64> {
        let n = ((self.to - self.from) / self.step + 1e-9).floor() as usize;
        (0..=n).map(|k| self.from + k as f64 * self.step).collect()
    }
}

/// The affected-villages job at each width of `spec` (the other widths as in `job`):
/// households affected per width. The layers are read and projected once; `progress` is told
/// each width as it starts.
pub fn sweep(
    job: &AffectedJob,
    spec: &SweepSpec,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Sweep> {
    let layers = job.prepare(&|_| {})?;
    sweep_prepared(&layers, &job.zones, spec, progress)
}

/// [`sweep`] from layers already prepared ([`AffectedJob::prepare`]): no file is read. `zones`
/// gives the widths of the classes that are not swept.
pub fn sweep_prepared(
    layers: &PreparedLayers,
    zones: &ZoneSpec,
    spec: &SweepSpec,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Sweep> {
    let class = zones.class_named(&spec.class)?;
    let widths = spec.widths();
    let mut rows = Vec::with_capacity(widths.len());
    for (k, &width) in widths.iter().enumerate() {
        progress(k, widths.len());
        let summary = layers.summary_with(&zones.with_width(&class, width)?)?;
        rows.push(SweepRow {
            width_m: width,
            affected: summary.total,
        });
    }
    Ok(Sweep {
        planned_m: zones.width(&class),
        class,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_specs() {
        let s = SweepSpec::parse("ring=50..200/25").unwrap();
        assert_eq!(s.widths(), [50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0]);
        assert_eq!(
            SweepSpec::parse("环线=0..1/0.1").unwrap().widths().len(),
            11
        );
        assert_eq!(
            SweepSpec::parse("a=10..25/10").unwrap().widths(),
            [10.0, 20.0]
        );
        for bad in [
            "ring",
            "ring=50..200",
            "ring=200..50/25",
            "ring=50..200/0",
            "=1..2/1",
            "r=a..2/1",
        ] {
            assert!(SweepSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
