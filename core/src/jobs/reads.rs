//! A plugin's `reads` against a plan, before a job runs: one check for every job.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::layer::Layer;
use crate::pipeline::job::LayerSource;
use crate::pipeline::plan::Plan;
use crate::rules::{Manifest, Provided};

/// The fields the engine computes for a demolition zone.
const ZONE_FIELDS: &[&str] = &["id", "class"];

/// The plan's layer `name` as a source, if the plan lists it.
pub fn plan_layer<'a>(plan: &'a Plan, name: &str) -> Option<&'a LayerSource> {
    match name {
        "villages" => Some(&plan.affected.villages),
        "roads" => Some(&plan.affected.roads),
        "corridors" => plan.affected.corridors.as_ref(),
        _ => plan.context.get(name),
    }
}

/// Checks `manifest`'s `reads` against `plan` (see [`crate::rules::Reads::check_against`]):
/// the plan's layers, the engine's `zones`, and `engine` (layers or fields a job computes, by
/// layer: a site's features). `read` are layers the job has read already; any other layer
/// whose fields must be looked up in its file is read here. Returns the warnings for
/// optional layers the plan does not list.
pub fn check_plan_reads(
    manifest: &Manifest,
    plan: &Plan,
    read: &[(&str, &Layer)],
    engine: &[(&str, &[&str])],
    consequence: (&str, &str),
) -> Result<Vec<crate::Warning>> {
    let declared = manifest.declared();
    let mut names: Vec<&str> = vec!["villages", "roads", "zones"];
    if plan.affected.corridors.is_some() {
        names.push("corridors");
    }
    names.extend(plan.context.keys().map(String::as_str));
    names.extend(engine.iter().map(|(n, _)| *n));
    names.sort_unstable();
    names.dedup();
    // Layers with declared fields that the job has not read: read them for the check.
    let mut own: BTreeMap<&str, Layer> = BTreeMap::new();
    for name in &names {
        let needs_file = !declared.fields(name).is_empty() && !read.iter().any(|(n, _)| n == name);
        if let (true, Some(source)) = (needs_file, plan_layer(plan, name)) {
            own.insert(name, source.read(plan.affected.input_crs, true)?.layer);
        }
    }
    let provided: Vec<Provided<'_>> = names
        .iter()
        .map(|&name| Provided {
            name,
            schema: plan_layer(plan, name).map(|s| &s.schema),
            layer: read
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, l)| *l)
                .or_else(|| own.get(name)),
            engine_fields: engine
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| *f)
                .unwrap_or(if name == "zones" { ZONE_FIELDS } else { &[] }),
        })
        .collect();
    declared.check_against(&manifest.name, &provided, consequence)
}

/// The attributes of a feature that a plugin declared (`fields` of its layer), as an object:
/// each under the name declared and, where the plan maps it, under the other name too (the
/// file's for a model name, the model name for a file's); numbers stay numbers. Undeclared
/// attributes are not handed over.
pub fn declared_values(
    properties: &crate::model::layer::Properties,
    schema: &crate::model::schema::Schema,
    fields: &[String],
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for field in fields {
        if let Some(v) = properties.get(field) {
            for model in schema.models_of(field) {
                out.insert(model.to_owned(), v.clone());
            }
            out.insert(field.clone(), v);
            continue;
        }
        // A model name: the file field the plan maps it to, else the kind's defaults.
        let found = schema
            .candidates(field)
            .into_iter()
            .find_map(|name| properties.get(name).map(|v| (name, v)));
        if let Some((name, v)) = found {
            out.insert(name.to_owned(), v.clone());
            out.insert(field.clone(), v);
        }
    }
    out
}

/// [`declared_values`] as a feature's attributes for a candidate; `None` when the plugin
/// declares no field of the layer.
pub fn declared_properties(
    properties: &crate::model::layer::Properties,
    schema: &crate::model::schema::Schema,
    fields: &[String],
) -> Option<crate::model::layer::Properties> {
    if fields.is_empty() {
        return None;
    }
    let values = declared_values(properties, schema, fields);
    crate::model::layer::Properties::from_json(&serde_json::Value::Object(values).to_string()).ok()
}
