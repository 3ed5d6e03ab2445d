//! Running a table plugin once per run: its input built from the layers it declares in
//! `reads`, its rows checked and totalled by the engine ([`Table`]), its files
//! `tables/NAME.csv` and `tables/NAME.json`.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::io::OutputDir;
use crate::model::layer::Feature;
use crate::pipeline::job::LayerSource;
use crate::pipeline::plan::{Plan, TableSpec};
use crate::rules::plugin::Plugin;
use crate::rules::table::Table;
use crate::rules::{Kind, Manifest};
use crate::warning::Warning;

/// A table the plan computed.
#[derive(Debug)]
#[non_exhaustive]
pub struct TableRun {
    /// The table, checked and totalled.
    pub table: Table,
    /// Things the planner should know (a layer's skipped features).
    pub warnings: Vec<Warning>,
}

impl TableRun {
    /// Computes the plan's table `spec`: loads its plugin with the plan's `params` over the
    /// plugin's defaults, hands it [`table_input`] and checks its rows.
    pub fn run(plan: &Plan, spec: &TableSpec) -> Result<TableRun> {
        let place = format!(
            "{}: [tables.{}] plugin = {}",
            plan.path.display(),
            spec.name,
            spec.plugin.display()
        );
        let (manifest, _) = Manifest::load(&spec.plugin)?;
        manifest.expect_kind(Kind::Table, &place)?;
        let plugin = Plugin::load_with_params(
            &spec.plugin,
            &spec.params,
            &format!("{}: [tables.{}]", plan.path.display(), spec.name),
        )?;
        let manifest = plugin.manifest();
        let (input, warnings) = table_input(plan, manifest)?;
        let rows = plugin.rows(&input)?;
        let table = Table::new(&spec.name, manifest, spec.title.clone(), rows)?;
        Ok(TableRun { table, warnings })
    }

    /// The file names this table writes.
    pub fn files(&self) -> [String; 2] {
        let name = &self.table.name;
        [format!("tables/{name}.csv"), format!("tables/{name}.json")]
    }

    /// Writes `tables/NAME.csv` (headings in language `tag`) and `tables/NAME.json`; the
    /// names written.
    pub fn write_into(&self, out: &OutputDir, tag: &str) -> Result<Vec<String>> {
        let [csv, json] = self.files();
        out.write(&csv, &self.table.csv(tag))?;
        out.write(&json, self.table.json().as_bytes())?;
        Ok(vec![csv, json])
    }
}

/// The plan's layer `layer`: one of the affected job's, or of its context (hecun's kinds
/// and the plan's own layers, such as `patients`).
fn source<'a>(plan: &'a Plan, layer: &str) -> Option<&'a LayerSource> {
    match layer {
        "villages" => Some(&plan.affected.villages),
        "roads" => Some(&plan.affected.roads),
        "corridors" => plan.affected.corridors.as_ref(),
        other => plan.context.get(other),
    }
}

/// What a table plugin is handed: `params` (the plugin's, with the plan's in their place)
/// and, under `layers`, every feature of each layer it declares in `reads` (`patients.人数`)
/// with its `id`, its `name` and the declared fields only, under the names `reads` gives
/// them (a model name the plan maps to a file field is read from that field). A layer the
/// plan does not list, or a field no feature has, is an error naming plugin, layer and field.
// One function, so that the input can be built from the run's typed `reads` declaration
// when there is one.
pub fn table_input(plan: &Plan, manifest: &Manifest) -> Result<(serde_json::Value, Vec<Warning>)> {
    let mut wanted: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for read in &manifest.reads {
        let (layer, field) = match read.split_once('.') {
            Some((layer, field)) => (layer, Some(field)),
            None => (read.as_str(), None),
        };
        let fields = wanted.entry(layer).or_default();
        if let Some(field) = field
            && !fields.contains(&field)
        {
            fields.push(field);
        }
    }
    let mut layers = serde_json::Map::new();
    let mut warnings = Vec::new();
    for (layer, fields) in wanted {
        let source = source(plan, layer).ok_or_else(|| {
            Error::config(
                plan.path.display().to_string(),
                format!(
                    "plugin {:?} reads layer {layer:?} ({}), which the plan does not list: add [layers.{layer}]",
                    manifest.name,
                    manifest
                        .reads
                        .iter()
                        .filter(|r| r.split('.').next() == Some(layer))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        // A name the plan maps is read from its file field, else under its own name.
        let mapped = |model: &str| -> Vec<String> {
            let mut names: Vec<String> = source
                .schema
                .candidates(model)
                .into_iter()
                .map(str::to_owned)
                .collect();
            if !names.iter().any(|n| n == model) {
                names.push(model.to_owned());
            }
            names
        };
        let read = source.read(plan.affected.input_crs, plan.affected.keep_going)?;
        warnings.extend(read.warnings);
        warnings.extend(read.skipped.iter().map(Warning::skipped));
        let get = |f: &Feature, model: &str| -> Option<serde_json::Value> {
            mapped(model).iter().find_map(|name| f.properties.get(name))
        };
        for field in &fields {
            if !read
                .layer
                .features
                .iter()
                .any(|f| get(f, field).is_some_and(|v| !v.is_null()))
            {
                return Err(Error::config(
                    plan.path.display().to_string(),
                    format!(
                        "plugin {:?} reads {layer}.{field}, but no feature of {} has a field {} (fields tried: {})",
                        manifest.name,
                        source.path.display(),
                        mapped(field).join(" or "),
                        source.schema.describe(field)
                    ),
                ));
            }
        }
        let features: Vec<serde_json::Value> = read
            .layer
            .features
            .iter()
            .map(|f| {
                let mut v = serde_json::Map::new();
                v.insert(
                    "id".into(),
                    f.id.clone().unwrap_or_else(|| f.index.to_string()).into(),
                );
                let name = get(f, "name")
                    .and_then(|n| n.as_str().map(str::to_owned))
                    .unwrap_or_default();
                v.insert("name".into(), name.into());
                for field in &fields {
                    v.insert(
                        (*field).to_owned(),
                        get(f, field).unwrap_or(serde_json::Value::Null),
                    );
                }
                serde_json::Value::Object(v)
            })
            .collect();
        layers.insert(layer.to_owned(), features.into());
    }
    let params = serde_json::to_value(&manifest.params).map_err(|e| {
        Error::config(
            manifest.name.clone(),
            format!("parameters cannot be handed over as JSON: {e}"),
        )
    })?;
    Ok((
        serde_json::json!({ "layers": layers, "params": params }),
        warnings,
    ))
}
