//! Checking a plan's targets (`[targets.NAME]`) once per run, after every other stage: the
//! plugin is handed the run's results ([`target_input`]) and measures; the engine judges
//! ([`TargetCheck`]) and writes `targets/NAME.csv` and `targets/NAME.json`.

use std::collections::BTreeMap;

use super::launch::LaunchRun;
use super::sites::SiteScoreRun;
use super::table::{TableRun, table_input};
use crate::error::Result;
use crate::io::OutputDir;
use crate::pipeline::job::AffectedRun;
use crate::pipeline::plan::{Plan, TargetSpec};
use crate::rules::plugin::Plugin;
use crate::rules::score::Outcome;
use crate::rules::{Kind, Manifest, TargetCheck};
use crate::warning::Warning;

/// The keys of a target's `input.run`, in order.
pub const TARGET_RUN_KEYS: [&str; 4] = ["affected", "communities", "scorings", "tables"];

/// The keys the engine gives every chosen site of a scoring in `input.run.scorings.NAME.chosen`
/// (besides the fields of its layer the plugin declares in `reads`).
pub const TARGET_SITE_KEYS: [&str; 6] = ["id", "name", "township", "group", "score", "rank"];

/// What a target check is judged against: the results of the stages before it (like
/// [`ReportInputs`](crate::report::ReportInputs), a set of borrowed results: build it with
/// [`TargetInputs::new`] and the fields).
#[derive(Debug, Clone, Copy)]
pub struct TargetInputs<'a> {
    /// The affected villages.
    pub affected: &'a AffectedRun,
    /// The launch checks, if the plan runs them.
    pub launch: Option<&'a LaunchRun>,
    /// `[scoring] sites`, if the plan scores sites (in `scorings` under the name `sites`).
    pub sites: Option<&'a SiteScoreRun>,
    /// The named scoring jobs.
    pub scorings: &'a [SiteScoreRun],
    /// The tables.
    pub tables: &'a [TableRun],
}

impl<'a> TargetInputs<'a> {
    /// The results of a run of the affected villages alone; add the others with the fields.
    pub fn new(affected: &'a AffectedRun) -> TargetInputs<'a> {
        TargetInputs {
            affected,
            launch: None,
            sites: None,
            scorings: &[],
            tables: &[],
        }
    }
}

/// A target check the plan ran.
#[derive(Debug)]
#[non_exhaustive]
pub struct TargetRun {
    /// The targets, judged (or, when the plugin failed, each `error` with the failure).
    pub check: TargetCheck,
    /// Things the planner should know (a layer's skipped features).
    pub warnings: Vec<Warning>,
}

impl TargetRun {
    /// Runs the plan's target check `spec` against `inputs`: loads its plugin with the
    /// plan's `params`, hands it [`target_input`] and judges its measures. A plugin that
    /// cannot load, or reads a layer or field the plan does not provide, stops the run; a
    /// plugin that fails when asked (its own error, a limit, a bad answer) is contained: its
    /// targets are reported as errors, naming the plugin, and the run goes on.
    pub fn run(plan: &Plan, spec: &TargetSpec, inputs: &TargetInputs<'_>) -> Result<TargetRun> {
        let place = format!(
            "{}: [targets.{}] plugin = {}",
            plan.path.display(),
            spec.name,
            spec.plugin.display()
        );
        let (manifest, _) = Manifest::load(&spec.plugin)?;
        manifest.expect_kind(Kind::Target, &place)?;
        let plugin = Plugin::load_with_params(
            &spec.plugin,
            &spec.params,
            &format!("{}: [targets.{}]", plan.path.display(), spec.name),
        )?;
        let manifest = plugin.manifest();
        let (input, warnings) = target_input(plan, manifest, inputs)?;
        let check = plugin
            .measures(&input)
            .and_then(|m| TargetCheck::new(&spec.name, manifest, spec.title.clone(), m))
            .unwrap_or_else(|e| {
                TargetCheck::failed(&spec.name, manifest, spec.title.clone(), e.to_string())
            });
        Ok(TargetRun { check, warnings })
    }

    /// The file names this check writes.
    pub fn files(&self) -> [String; 2] {
        let name = &self.check.name;
        [
            format!("targets/{name}.csv"),
            format!("targets/{name}.json"),
        ]
    }

    /// Writes `targets/NAME.csv` (headings in language `tag`) and `targets/NAME.json`; the
    /// names written.
    pub fn write_into(&self, out: &OutputDir, tag: &str) -> Result<Vec<String>> {
        let [csv, json] = self.files();
        out.write(&csv, &self.check.csv(tag))?;
        out.write(&json, self.check.json().as_bytes())?;
        Ok(vec![csv, json])
    }
}

/// What a target plugin is handed: `params` and `layers` as a table plugin gets them
/// ([`table_input`]: the layers and fields it declares in `reads`), and `run`, the results a
/// target can be checked against:
///
/// - `affected`: `villages`, `households`, `population` in all, `ids` (the affected villages'
///   ids, in layer order) and `townships` (township → the same three counts);
/// - `communities` (when the plan runs launch checks): `name`, `township`, `villages` (ids),
///   `households`, `population`, `launch` (`pass`, `fail`, `veto` or `error`);
/// - `scorings`: per named scoring job (and `sites` for `[scoring] sites`) its `layer`,
///   `candidates` (how many), `per` (the grouping attribute, or null for the township) and
///   `chosen`: each chosen candidate, best first, with `id`, `name`, `township`, `group`,
///   `score`, `rank` and the fields of its layer the plugin declares in `reads`;
/// - `tables`: per table its `rows` and `totals` (column id → value).
///
/// A layer or field it declares that the plan does not provide is an error before the run,
/// naming plugin, layer and field.
pub fn target_input(
    plan: &Plan,
    manifest: &Manifest,
    inputs: &TargetInputs<'_>,
) -> Result<(serde_json::Value, Vec<Warning>)> {
    let (mut input, warnings) = table_input(plan, manifest)?;
    let run = run_value(plan, manifest, inputs);
    if let Some(map) = input.as_object_mut() {
        map.insert("run".into(), run);
    }
    Ok((input, warnings))
}

fn run_value(plan: &Plan, manifest: &Manifest, inputs: &TargetInputs<'_>) -> serde_json::Value {
    use serde_json::{Value as J, json};
    let affected = inputs.affected;
    let total = &affected.summary.total;
    let townships: serde_json::Map<String, J> = affected
        .summary
        .townships
        .iter()
        .map(|t| {
            (
                t.township.clone(),
                json!({
                    "villages": t.affected.villages,
                    "households": t.affected.households,
                    "population": t.affected.population,
                }),
            )
        })
        .collect();
    let ids: Vec<&str> = affected
        .affected
        .iter()
        .filter_map(|a| affected.villages.get(a.village).map(|v| v.id.as_str()))
        .collect();
    let by_feature: BTreeMap<usize, &crate::Village> =
        affected.villages.iter().map(|v| (v.feature, v)).collect();
    let communities: Vec<J> = inputs
        .launch
        .map(|l| {
            l.communities
                .iter()
                .zip(&l.verdicts)
                .map(|(c, verdict)| {
                    let villages: Vec<&crate::Village> = c
                        .villages
                        .iter()
                        .filter_map(|i| by_feature.get(i).copied())
                        .collect();
                    json!({
                        "name": c.name,
                        "township": c.township,
                        "villages": villages.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
                        "households": villages.iter().map(|v| v.households).sum::<u64>(),
                        "population": villages.iter().map(|v| v.population).sum::<u64>(),
                        "launch": match verdict {
                            Ok(v) => serde_json::to_value(v.status).unwrap_or(J::Null),
                            Err(_) => "error".into(),
                        },
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let declared = manifest.declared();
    let mut scorings = serde_json::Map::new();
    for s in inputs.sites.into_iter().chain(inputs.scorings) {
        let name = s.job.clone().unwrap_or_else(|| "sites".to_owned());
        let fields = declared.fields(&s.layer);
        let schema = plan.context.get(&s.layer).map(|source| &source.schema);
        let mut chosen: Vec<usize> = (0..s.ranks.len()).filter(|&i| s.ranks[i].chosen).collect();
        chosen.sort_by(|&a, &b| {
            s.ranks[a]
                .overall
                .cmp(&s.ranks[b].overall)
                .then_with(|| s.candidates[a].id().cmp(s.candidates[b].id()))
        });
        let chosen: Vec<J> = chosen
            .into_iter()
            .map(|i| {
                let c = &s.candidates[i];
                let text = |key: &str| match c.feature(key) {
                    Some(crate::rules::Value::Text(t)) => t.clone(),
                    _ => String::new(),
                };
                let mut site = json!({
                    "id": c.id(),
                    "name": text("name"),
                    "township": text("township"),
                    "group": s.groups.get(i).cloned().unwrap_or_default(),
                    "score": match s.scores[i].as_ref().map(|sc| &sc.outcome) {
                        Ok(Outcome::Scored(v)) => json!(v),
                        _ => J::Null,
                    },
                    "rank": s.ranks[i].overall,
                });
                if let (Some(schema), Some(f), Some(map)) =
                    (schema, s.sites.layer.features.get(i), site.as_object_mut())
                    && !fields.is_empty()
                {
                    map.extend(super::reads::declared_values(&f.properties, schema, fields));
                }
                site
            })
            .collect();
        scorings.insert(
            name,
            json!({
                "layer": s.layer,
                "per": s.per,
                "candidates": s.candidates.len(),
                "chosen": chosen,
            }),
        );
    }
    let tables: serde_json::Map<String, J> = inputs
        .tables
        .iter()
        .map(|t| {
            let table = &t.table;
            let object = |cells: Vec<Option<crate::rules::Cell>>| -> J {
                table
                    .columns
                    .iter()
                    .zip(cells)
                    .filter_map(|(c, v)| {
                        Some((c.id.clone(), serde_json::to_value(v?).unwrap_or(J::Null)))
                    })
                    .collect::<serde_json::Map<_, _>>()
                    .into()
            };
            let rows: Vec<J> = table
                .rows
                .iter()
                .map(|r| object(r.iter().cloned().map(Some).collect()))
                .collect();
            (
                table.name.clone(),
                json!({ "rows": rows, "totals": object(table.totals.clone()) }),
            )
        })
        .collect();
    json!({
        "affected": {
            "villages": total.villages,
            "households": total.households,
            "population": total.population,
            "ids": ids,
            "townships": townships,
        },
        "communities": communities,
        "scorings": scorings,
        "tables": tables,
    })
}
