//! Running a launch-check plugin over every community, each verdict explained.

use rayon::prelude::*;

use super::communities::Community;
use super::rhai_runtime::RhaiPlugin;
use super::verdict::Verdict;
use crate::error::Result;
use crate::layer::Layer;
use crate::model::{field_text, launch_fields};
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
    plugin: &RhaiPlugin,
    communities: &[Community],
    villages: &Layer,
    schema: &Schema,
) -> Vec<Result<Verdict>> {
    communities
        .par_iter()
        .map(|c| plugin.check(&c.name, &launch_input(c, villages, schema)))
        .collect()
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
