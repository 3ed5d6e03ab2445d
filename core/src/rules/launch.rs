//! Running a launch-check plugin over every community, each verdict explained.

use std::path::Path;

use rayon::prelude::*;

use super::communities::Community;
use super::plugin::Plugin;
use super::verdict::Verdict;
use crate::error::Result;
use crate::layer::Layer;
use crate::model::{field_text, file_field, launch_fields};
use crate::output::OutputDir;
use crate::plan::Plan;
use crate::schema::Schema;

/// What a launch check hands the plugin for one community: its name, township and villages
/// with their ids, names and launch fields (model names, whatever the file calls them).
pub fn launch_input(community: &Community, villages: &Layer, schema: &Schema) -> serde_json::Value {
    let list: Vec<serde_json::Value> = community
        .villages
        .iter()
        .map(|&i| {
            let f = &villages.features[i];
            let mut v = launch_fields(f, schema);
            v.insert(
                "id".into(),
                f.id.clone().unwrap_or_else(|| f.index.to_string()).into(),
            );
            v.insert(
                "name".into(),
                field_text(f, schema, "name").unwrap_or_default().into(),
            );
            serde_json::Value::Object(v)
        })
        .collect();
    serde_json::json!({
        "id": community.name,
        "township": community.township,
        "villages": list,
    })
}

/// Checks every community on all cores, in community order. A plugin failure on one
/// community is that community's result; the others are checked all the same.
pub fn check_communities(
    plugin: &Plugin,
    communities: &[Community],
    villages: &Layer,
    schema: &Schema,
) -> Vec<Result<Verdict>> {
    communities
        .par_iter()
        .map(|c| {
            let mut verdict = plugin.check(&c.name, &launch_input(c, villages, schema))?;
            name_file_fields(&mut verdict, c, villages, schema);
            Ok(verdict)
        })
        .collect()
}

/// Adds, beside each finding's model `field`, the name the planner's file gives it
/// (`file_field`: 强制拆迁 for `forced_demolition`), so that the evidence can be looked up.
fn name_file_fields(
    verdict: &mut Verdict,
    community: &Community,
    villages: &Layer,
    schema: &Schema,
) {
    for finding in &mut verdict.findings {
        let (Some(model), Some(village)) = (
            finding
                .evidence
                .get("field")
                .and_then(|f| f.as_str())
                .map(str::to_owned),
            finding
                .evidence
                .get("village")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        ) else {
            continue;
        };
        let feature = community
            .villages
            .iter()
            .map(|&i| &villages.features[i])
            .find(|f| f.id.as_deref() == Some(village.as_str()));
        if let Some(name) = feature.and_then(|f| file_field(f, schema, &model)) {
            finding.evidence.insert("file_field".into(), name.into());
        }
    }
}

/// A launch check run over a plan's communities.
#[derive(Debug)]
pub struct LaunchRun {
    /// The plugin's name.
    pub plugin: String,
    /// The communities, sorted by name.
    pub communities: Vec<Community>,
    /// One verdict (or plugin error) per community.
    pub verdicts: Vec<Result<Verdict>>,
    /// Villages that joined no community (indices into `villages.features`).
    pub unassigned: Vec<usize>,
    /// The villages layer as read.
    pub villages: Layer,
}

impl LaunchRun {
    /// Reads the plan's villages (and sites), groups them into communities and checks each
    /// with the plugin at `plugin`.
    pub fn run(plan: &Plan, plugin: &Path) -> Result<LaunchRun> {
        let plugin = Plugin::load(plugin)?;
        let read = |source: &crate::job::LayerSource| -> Result<Layer> {
            Ok(source.read(plan.affected.input_crs, false)?.layer)
        };
        let villages = read(&plan.affected.villages)?;
        let sites = plan
            .sites
            .as_ref()
            .map(|s| read(s).map(|l| (l, &s.schema)))
            .transpose()?;
        let schema = &plan.affected.villages.schema;
        let (communities, unassigned) =
            super::communities(&villages, schema, sites.as_ref().map(|(l, s)| (l, *s)));
        let verdicts = check_communities(&plugin, &communities, &villages, schema);
        Ok(LaunchRun {
            plugin: plugin.manifest().name.clone(),
            communities,
            verdicts,
            unassigned,
            villages,
        })
    }

    /// Writes `launch_checks.csv`, `launch_checks.json` and `launch_checks.geojson` into an
    /// output folder being written; returns their names.
    pub fn write_into(&self, out: &OutputDir) -> Result<Vec<String>> {
        out.write(
            "launch_checks.csv",
            &launch_csv(&self.communities, &self.verdicts, &self.villages),
        )?;
        out.write(
            "launch_checks.json",
            &launch_json(&self.communities, &self.verdicts),
        )?;
        out.write("launch_checks.geojson", &self.geojson())?;
        Ok([
            "launch_checks.csv",
            "launch_checks.json",
            "launch_checks.geojson",
        ]
        .map(str::to_owned)
        .to_vec())
    }

    /// Each community's footprint (its villages' polygons) with its status, failed criteria
    /// and vetoes, for the map.
    pub fn geojson(&self) -> Vec<u8> {
        let shapes: Vec<geo::MultiPolygon<f64>> = self
            .communities
            .iter()
            .map(|c| super::communities::footprint(c, &self.villages))
            .collect();
        super::communities::communities_geojson(
            self.communities
                .iter()
                .zip(&self.verdicts)
                .zip(&shapes)
                .map(|((c, v), shape)| {
                    let mut p = serde_json::Map::new();
                    p.insert("community".into(), c.name.clone().into());
                    p.insert("township".into(), c.township.clone().into());
                    p.insert("villages".into(), c.villages.len().into());
                    match v {
                        Ok(v) => {
                            p.insert(
                                "status".into(),
                                serde_json::to_value(v.status).unwrap_or_default(),
                            );
                            p.insert("failed".into(), v.failed().join(";").into());
                            p.insert("vetoes".into(), v.vetoes().join(";").into());
                        }
                        Err(e) => {
                            p.insert("status".into(), "error".into());
                            p.insert("error".into(), e.to_string().into());
                        }
                    }
                    (shape, p)
                }),
        )
    }

    /// One line in the plan's terms: how many communities may launch, are blocked, vetoed.
    pub fn summary(&self) -> String {
        let count = |s: super::Status| {
            self.verdicts
                .iter()
                .filter(|v| matches!(v, Ok(v) if v.status == s))
                .count()
        };
        format!(
            "{}: {} communities — {} may launch, {} blocked, {} vetoed, {} plugin errors; {} villages in no community",
            self.plugin,
            self.communities.len(),
            count(super::Status::Pass),
            count(super::Status::Fail),
            count(super::Status::Veto),
            self.verdicts.iter().filter(|v| v.is_err()).count(),
            self.unassigned.len()
        )
    }
}

/// The launch checks as a table (UTF-8 with BOM): community, township, villages, status,
/// failed criteria, vetoes, and the plugin error where it failed.
pub fn launch_csv(
    communities: &[Community],
    verdicts: &[Result<Verdict>],
    villages: &Layer,
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record([
        "community",
        "township",
        "villages",
        "status",
        "failed",
        "vetoes",
        "village_ids",
        "error",
    ]);
    for (c, v) in communities.iter().zip(verdicts) {
        let ids: Vec<String> = c
            .villages
            .iter()
            .map(|&i| {
                villages.features[i]
                    .id
                    .clone()
                    .unwrap_or_else(|| i.to_string())
            })
            .collect();
        let (status, failed, vetoes, error) = match v {
            Ok(v) => (
                serde_json::to_value(v.status)
                    .ok()
                    .and_then(|s| s.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                v.failed().join(";"),
                v.vetoes().join(";"),
                String::new(),
            ),
            Err(e) => (
                "error".to_owned(),
                String::new(),
                String::new(),
                e.to_string(),
            ),
        };
        let _ = w.write_record([
            c.name.as_str(),
            &c.township,
            &c.villages.len().to_string(),
            &status,
            &failed,
            &vetoes,
            &ids.join(";"),
            &error,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The launch checks with every finding and its evidence, as JSON.
pub fn launch_json(communities: &[Community], verdicts: &[Result<Verdict>]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = communities
        .iter()
        .zip(verdicts)
        .map(|(c, v)| match v {
            Ok(v) => serde_json::json!({"community": c.name, "township": c.township, "status": v.status, "findings": v.findings}),
            Err(e) => serde_json::json!({"community": c.name, "township": c.township, "status": "error", "error": e.to_string()}),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}
