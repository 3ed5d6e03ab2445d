//! A plugin's `reads`: the layers and fields it declares. The declaration is the contract:
//! before a run, every declared layer must be in the plan and every declared field in its
//! layer (an error naming plugin, layer and field, not a warning), and a plugin is handed
//! only the fields it declares.
//!
//! Entries: `layer` (the layer, for the spatial helpers), `layer.field` (a field of it, by
//! the file's name or by the model name the plan maps), `layer?` (a layer the plugin does
//! without when the plan does not list it: a warning then, not an error), and
//! `tables.NAME.COLUMN` (a column of the plan's table `[tables.NAME]`, computed before the
//! scorings and launch checks: a later stage reads an earlier stage's results; the rows,
//! with the declared columns only, reach the plugin as `params.tables.NAME`).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::layer::Layer;
use crate::model::schema::{LayerKind, Schema};

/// One declared layer and the fields declared of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerReads {
    /// The layer's name in the plan (`villages`, `patients`).
    pub layer: String,
    /// Whether the plugin does without the layer (`layer?`).
    pub optional: bool,
    /// The fields declared, as written (file names or model names), sorted, once each.
    pub fields: Vec<String>,
}

/// A plugin's `reads`, parsed: the layers it declares, by name, and the tables' columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    layers: BTreeMap<String, LayerReads>,
    /// `tables.NAME.COLUMN`: the columns declared of each table, sorted, once each.
    tables: BTreeMap<String, Vec<String>>,
}

/// The `reads` prefix of an earlier stage's table: `tables.NAME.COLUMN`. A plan cannot list
/// a layer of this name (it would be ambiguous).
pub const TABLES: &str = "tables";

/// A layer as a job provides it, for [`Reads::check_against`].
#[derive(Debug, Clone, Copy)]
pub struct Provided<'a> {
    /// Its name (`villages`, `zones`, `patients`).
    pub name: &'a str,
    /// The plan's field mapping, for a layer read from a file.
    pub schema: Option<&'a Schema>,
    /// The layer as read, when its fields are to be checked against the file.
    pub layer: Option<&'a Layer>,
    /// Fields the engine computes for it (a site's `road_distance`), always there.
    pub engine_fields: &'a [&'a str],
}

impl Reads {
    /// Parses `reads` entries; a malformed entry is an error saying which and why.
    pub fn parse(entries: &[String]) -> std::result::Result<Reads, String> {
        let mut layers: BTreeMap<String, LayerReads> = BTreeMap::new();
        let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for entry in entries {
            if let Some(rest) = entry.strip_prefix(TABLES).and_then(|r| r.strip_prefix('.')) {
                let (table, column) = rest.split_once('.').unwrap_or((rest, ""));
                let bad = |s: &str| s.trim().is_empty() || s.trim() != s;
                if bad(table) || bad(column) {
                    return Err(format!(
                        "reads entry {entry:?}: a table is read by its columns, write \
                         \"tables.NAME.COLUMN\" (NAME as in the plan's [tables.NAME], COLUMN a \
                         column id of its plugin)"
                    ));
                }
                tables
                    .entry(table.to_owned())
                    .or_default()
                    .push(column.to_owned());
                continue;
            }
            if entry == TABLES || entry.starts_with("tables?") {
                return Err(format!(
                    "reads entry {entry:?}: a table is read by its columns, write \
                     \"tables.NAME.COLUMN\" (a table the plan does not run cannot be optional)"
                ));
            }
            let (layer, field) = match entry.split_once('.') {
                Some((l, f)) => (l, Some(f)),
                None => (entry.as_str(), None),
            };
            let (layer, optional) = match layer.strip_suffix('?') {
                Some(l) => (l, true),
                None => (layer, false),
            };
            if layer.trim().is_empty() || layer.trim() != layer {
                return Err(format!(
                    "reads entry {entry:?} names no layer: write \"layer\" or \"layer.field\""
                ));
            }
            if field.is_some_and(|f| f.trim().is_empty()) {
                return Err(format!(
                    "reads entry {entry:?} names no field after the dot: write \"{layer}.field\""
                ));
            }
            let declared = layers
                .entry(layer.to_owned())
                .or_insert_with(|| LayerReads {
                    layer: layer.to_owned(),
                    optional: true,
                    fields: Vec::new(),
                });
            // One entry without `?` makes the layer required.
            declared.optional &= optional;
            if let Some(f) = field {
                declared.fields.push(f.to_owned());
            }
        }
        for l in layers.values_mut() {
            l.fields.sort_unstable();
            l.fields.dedup();
        }
        for columns in tables.values_mut() {
            columns.sort_unstable();
            columns.dedup();
        }
        Ok(Reads { layers, tables })
    }

    /// The tables declared (`tables.NAME.COLUMN`): each table's name and its columns.
    pub fn tables(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.tables
            .iter()
            .map(|(name, columns)| (name.as_str(), columns.as_slice()))
    }

    /// Checks the declared tables against the tables the plan runs (`(name, plugin, column
    /// ids)`): a table the plan does not run, or a column its plugin does not declare, is an
    /// error naming the plugin, the table and the column.
    pub fn check_tables(&self, plugin: &str, run: &[(&str, &str, Vec<&str>)]) -> Result<()> {
        let context = format!("plugin {plugin:?}");
        for (name, columns) in &self.tables {
            let Some((_, by, ids)) = run.iter().find(|(n, _, _)| n == name) else {
                let names: Vec<&str> = run.iter().map(|(n, _, _)| *n).collect();
                return Err(Error::config(
                    context,
                    format!(
                        "reads table {name:?} (tables.{name}.{}), which the plan does not run \
                         (it runs: {}): add [tables.{name}] to the plan, or correct the name",
                        columns.join(", tables.{name}."),
                        if names.is_empty() {
                            "no table".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ),
                ));
            };
            if let Some(column) = columns.iter().find(|c| !ids.contains(&c.as_str())) {
                return Err(Error::config(
                    context,
                    format!(
                        "reads tables.{name}.{column}, but the table's plugin {by:?} declares no \
                         column {column:?} (its columns: {})",
                        ids.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The declared layers, by name.
    pub fn layers(&self) -> impl Iterator<Item = &LayerReads> {
        self.layers.values()
    }

    /// The declaration of layer `name`, if the plugin declares it.
    pub fn layer(&self, name: &str) -> Option<&LayerReads> {
        self.layers.get(name)
    }

    /// Whether the plugin declares layer `name`.
    pub fn declares(&self, name: &str) -> bool {
        self.layers.contains_key(name)
    }

    /// The fields declared of layer `name` (none if it is not declared).
    pub fn fields(&self, name: &str) -> &[String] {
        self.layers.get(name).map_or(&[], |l| l.fields.as_slice())
    }

    /// Checks the declaration against the layers a job provides. A required layer that is
    /// not provided, or a declared field that its layer has neither as a file field, nor as
    /// the plan's mapping of a model name, nor as a model field hecun reads itself, is an
    /// error naming plugin, layer and field. An optional layer not provided is a warning
    /// saying what follows (`consequence`: in English, in 简体中文).
    pub fn check_against(
        &self,
        plugin: &str,
        provided: &[Provided<'_>],
        consequence: (&str, &str),
    ) -> Result<Vec<crate::Warning>> {
        let context = format!("plugin {plugin:?}");
        let mut warnings = Vec::new();
        for declared in self.layers.values() {
            let name = declared.layer.as_str();
            let Some(p) = provided.iter().find(|p| p.name == name) else {
                if declared.optional {
                    let message = format!(
                        "plugin {plugin:?} reads layer {name:?}, which the plan does not list: {}",
                        consequence.0
                    );
                    let zh = format!(
                        "插件 {plugin:?} 读取图层 {name:?}，但 plan 未列出该图层：{}",
                        consequence.1
                    );
                    warnings.push(
                        crate::Warning::new(crate::WarningKind::LayerNotListed, message, zh)
                            .with_value(name),
                    );
                    continue;
                }
                let listed: Vec<&str> = provided.iter().map(|p| p.name).collect();
                return Err(Error::config(
                    context,
                    format!(
                        "reads layer {name:?}, which the plan does not list (it lists: {}): add \
                         [layers.{name}] to the plan, or write \"{name}?\" in the plugin's reads \
                         if it does without",
                        listed.join(", ")
                    ),
                ));
            };
            for field in &declared.fields {
                if let Err(why) = p.has_field(field) {
                    return Err(Error::config(
                        context,
                        format!("reads {name}.{field}, but {why}"),
                    ));
                }
            }
        }
        Ok(warnings)
    }
}

impl Provided<'_> {
    /// Whether the layer provides `field`; if not, why, in words that say what to do.
    fn has_field(&self, field: &str) -> std::result::Result<(), String> {
        if self.engine_fields.contains(&field) {
            return Ok(());
        }
        if let Some(schema) = self.schema {
            // A model field of a layer kind hecun knows is read through the plan's mapping or
            // its defaults; a missing value is the job's own warning, as before.
            if schema.kind() != LayerKind::Other && schema.knows(field) {
                return Ok(());
            }
            if let Some(file_field) = schema.mapped(field) {
                return match self.layer {
                    Some(layer) if !has_property(layer, file_field) => Err(format!(
                        "the plan maps it to file field {file_field:?}, which no feature of {} has{}",
                        layer.path.display(),
                        fields_hint(layer)
                    )),
                    _ => Ok(()),
                };
            }
        }
        let Some(layer) = self.layer else {
            return Err(format!(
                "the {} layer has no field {field:?} (it has: {})",
                self.name,
                self.engine_fields.join(", ")
            ));
        };
        if has_property(layer, field) {
            return Ok(());
        }
        Err(format!(
            "no feature of {} has a field {field:?}, and the plan maps no model field of that \
             name{}: add the field to the file, correct the name in the plugin's reads{}",
            layer.path.display(),
            fields_hint(layer),
            if self.schema.is_some_and(|s| s.kind() == LayerKind::Other) {
                format!(", or map it in [layers.{}] fields", self.name)
            } else {
                String::new()
            }
        ))
    }
}

fn has_property(layer: &Layer, field: &str) -> bool {
    layer
        .features
        .iter()
        .any(|f| f.properties.get_raw(field).is_some())
}

/// The fields of the layer's first feature, to spot a misspelling.
fn fields_hint(layer: &Layer) -> String {
    let Some(first) = layer.features.first() else {
        return " (the layer has no features)".to_owned();
    };
    let keys: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(first.properties.raw())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
    format!(" (its first feature has: {})", keys.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(entries: &[&str]) -> std::result::Result<Reads, String> {
        Reads::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn entries_parse_into_layers_and_fields() {
        let r = reads(&["villages.户数", "villages.签约户数", "sites", "farmland?"]).unwrap();
        assert_eq!(r.fields("villages"), ["户数", "签约户数"]);
        assert!(r.declares("sites") && r.fields("sites").is_empty());
        assert!(r.layer("farmland").unwrap().optional);
        assert!(!r.layer("villages").unwrap().optional);
        assert!(!r.declares("roads"));
        assert!(reads(&[".x"]).unwrap_err().contains("names no layer"));
        assert!(reads(&["villages."]).unwrap_err().contains("no field"));
    }

    #[test]
    fn table_columns_are_read_apart_from_layers() {
        let r = reads(&[
            "tables.rehab-demand.people",
            "tables.rehab-demand.township",
            "patients.人数",
        ])
        .unwrap();
        assert!(!r.declares("tables"));
        let tables: Vec<_> = r.tables().collect();
        assert_eq!(
            tables,
            [(
                "rehab-demand",
                &["people".to_owned(), "township".to_owned()][..]
            )]
        );
        for bad in [
            "tables",
            "tables.x",
            "tables.x.",
            "tables..y",
            "tables?.x.y",
        ] {
            let e = reads(&[bad]).unwrap_err();
            assert!(e.contains("tables.NAME.COLUMN"), "{bad}: {e}");
        }
        let run = [("rehab-demand", "rehab-demand", vec!["township", "people"])];
        r.check_tables("siting", &run).unwrap();
        let e = r.check_tables("siting", &[]).unwrap_err().to_string();
        assert!(
            e.contains("\"siting\"")
                && e.contains("\"rehab-demand\"")
                && e.contains("does not run"),
            "{e}"
        );
        let run = [("rehab-demand", "demand", vec!["township"])];
        let e = r.check_tables("siting", &run).unwrap_err().to_string();
        assert!(
            e.contains("\"siting\"")
                && e.contains("tables.rehab-demand.people")
                && e.contains("\"demand\""),
            "{e}"
        );
    }

    #[test]
    fn a_layer_not_provided_is_an_error_unless_optional() {
        let r = reads(&["patients.人数", "farmland?"]).unwrap();
        let villages = Provided {
            name: "villages",
            schema: None,
            layer: None,
            engine_fields: &[],
        };
        let err = r
            .check_against("rehab", &[villages], ("x", "x"))
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("\"rehab\"") && text.contains("\"patients\""),
            "{text}"
        );
        let r = reads(&["farmland?"]).unwrap();
        let warnings = r
            .check_against("p", &[villages], ("skipped", "已跳过"))
            .unwrap();
        assert_eq!(warnings.len(), 1);
        let text = warnings[0].to_string();
        assert!(text.contains("\"farmland\"") && text.ends_with("skipped"));
        assert_eq!(warnings[0].kind, crate::WarningKind::LayerNotListed);
    }
}

/// What the engine computes and hands over whatever a plugin's `reads` declares: a test case
/// (`hecun plugin test`) may hold these keys without declaring them; any other key must be a
/// declared field. One list per kind of candidate.
pub mod engine {
    /// A candidate site's features (site scoring).
    pub const SITE_FEATURES: [&str; 13] = [
        "name",
        "township",
        "area_m2",
        "road_distance",
        "town_distance",
        "village_distance",
        "villages_merged",
        "in_zone",
        "zone_share",
        "in_corridor",
        "corridor_share",
        "farmland_share",
        "redline_share",
    ];

    /// A grid cell's features (`hecun grid`, scored by a site-score plugin).
    pub const GRID_FEATURES: [&str; 2] = ["road_distance", "in_corridor"];

    /// A community's features (standard selection).
    pub const COMMUNITY_FEATURES: [&str; 13] = [
        "township",
        "township_type",
        "population",
        "households",
        "villages",
        "village_ids",
        "site",
        "site_area_m2",
        "land_per_person_m2",
        "land_use",
        "land_use_share",
        "zoning_shares",
        "outside_zoning",
    ];

    /// A launch check's community: its keys (`site` holds the site's `id` and its declared
    /// `sites.FIELD`s).
    pub const LAUNCH_KEYS: [&str; 5] = ["id", "name", "township", "villages", "site"];

    /// Each merged village of a launch check: id, name, households, population and the seven
    /// launch flags.
    pub const LAUNCH_VILLAGE_KEYS: [&str; 11] = [
        "id",
        "name",
        "households",
        "population",
        "plan_approved",
        "new_homestead_approved",
        "new_construction",
        "land_legal",
        "infra_started",
        "resettlement_started",
        "forced_demolition",
    ];

    /// The keys of a feature of a test case's `layers` that need no declaration: its id, name,
    /// class and place.
    pub const LAYER_ITEM_KEYS: [&str; 6] = ["id", "name", "class", "point", "line", "polygon"];
}
