//! Running a launch-check plugin over every community, each verdict explained.

use std::path::Path;

use rayon::prelude::*;

use super::communities::Community;
use crate::error::{Error, Result};
use crate::io::OutputDir;
use crate::model::layer::Layer;
use crate::model::schema::Schema;
use crate::model::{FLAG_ENCODINGS, Flag, LAUNCH_FIELDS, LaunchFields, field_text, file_field};
use crate::pipeline::plan::Plan;
use crate::rules::candidate::Candidate;
use crate::rules::plugin::Plugin;
use crate::rules::verdict::Verdict;
use crate::rules::veto::{VETO_FIELD, guard_veto};
use crate::warning::{Warning, WarningKind};

/// What a launch check hands the plugin for one community: its name, township and villages
/// with their ids, names, households, population and launch fields (model names, whatever
/// the file calls them; `fields[i]` belongs to `villages.features[i]`, see
/// [`read_launch_fields`]). No declared fields: see [`launch_input_declared`].
pub fn launch_input(
    community: &Community,
    villages: &Layer,
    fields: &[LaunchFields],
    schema: &Schema,
) -> serde_json::Value {
    launch_input_declared(community, villages, fields, schema, &[], None)
}

/// [`launch_input`], with each village's `village_fields` (the plugin's declared
/// `villages.FIELD`s, under the file's name and the plan's model name, see
/// [`super::reads::declared_values`]) and `site`: the community's own attributes from the
/// sites layer (its site's `id` and declared `sites.FIELD`s), when it has a site.
pub fn launch_input_declared(
    community: &Community,
    villages: &Layer,
    fields: &[LaunchFields],
    schema: &Schema,
    village_fields: &[String],
    own: Option<serde_json::Map<String, serde_json::Value>>,
) -> serde_json::Value {
    let list: Vec<serde_json::Value> = community
        .villages
        .iter()
        .map(|&i| {
            let f = &villages.features[i];
            let mut v = super::reads::declared_values(&f.properties, schema, village_fields);
            v.extend(fields[i].to_plugin());
            for model in ENGINE_NUMBERS {
                if let Some(value) = schema
                    .candidates(model)
                    .into_iter()
                    .find_map(|name| f.properties.get(name))
                {
                    v.insert(model.into(), value);
                }
            }
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
    let mut input = serde_json::json!({
        "id": community.name,
        "township": community.township,
        "villages": list,
    });
    if let Some(own) = own {
        input["site"] = serde_json::Value::Object(own);
    }
    input
}

/// The village numbers every launch check gets, as the file writes them (model names).
const ENGINE_NUMBERS: [&str; 2] = ["households", "population"];

/// What the engine hands every launch check whatever its `reads` declares: the community's
/// keys, and each village's (see [`crate::rules::reads::engine`]).
pub const LAUNCH_ENGINE_KEYS: &[&str] = &crate::rules::reads::engine::LAUNCH_KEYS;

/// Each village's keys that every launch check gets: see [`LAUNCH_ENGINE_KEYS`].
pub const LAUNCH_VILLAGE_KEYS: &[&str] = &crate::rules::reads::engine::LAUNCH_VILLAGE_KEYS;

/// Reads every village's launch fields once. A value outside the documented encodings
/// ([`FLAG_ENCODINGS`]) is an error naming file, feature, field and
/// value, or with `keep_going` a warning (its communities then cannot launch: see
/// [`guard_veto`]). A field that no village has, or that some villages lack, is a warning;
/// the veto field's absence is said once for the layer.
pub fn read_launch_fields(
    villages: &Layer,
    schema: &Schema,
    keep_going: bool,
) -> Result<(Vec<LaunchFields>, Vec<Warning>)> {
    let fields: Vec<LaunchFields> = villages
        .features
        .par_iter()
        .map(|f| LaunchFields::read(f, schema))
        .collect();
    let mut warnings = Vec::new();
    for (f, read) in villages.features.iter().zip(&fields) {
        for (model, name, flag) in &read.fields {
            if let Flag::Unreadable(value) = flag {
                let field = name.clone().unwrap_or_else(|| (*model).to_owned());
                let error = Error::feature(
                    villages.feature_ref(f),
                    Some(&field),
                    format!(
                        "unreadable yes/no value {value} ({model}): write one of {FLAG_ENCODINGS}"
                    ),
                );
                if !keep_going {
                    return Err(error);
                }
                let (consequence, consequence_zh) = if *model == VETO_FIELD {
                    (
                        "the one-vote veto cannot be ruled out, its community cannot launch",
                        "无法排除一票否决，其社区不能启动",
                    )
                } else {
                    ("read as not holding", "按不满足处理")
                };
                warnings.push(
                    Warning::new(
                        WarningKind::UnreadableValue,
                        format!("{error}; {consequence}"),
                        format!("无法读取：{error}；{consequence_zh}"),
                    )
                    .with_feature(&villages.feature_ref(f))
                    .with_field(field)
                    .with_value(value),
                );
            }
        }
    }
    let file = villages.path.display();
    for (k, &model) in LAUNCH_FIELDS.iter().enumerate() {
        let missing: Vec<&crate::model::layer::Feature> = villages
            .features
            .iter()
            .zip(&fields)
            .filter(|(_, read)| read.fields[k].2 == Flag::Missing)
            .map(|(f, _)| f)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let tried = schema.describe(model);
        let (consequence, consequence_zh) = if model == VETO_FIELD {
            (
                "the one-vote veto (强制拆迁) cannot be ruled out, so their communities cannot launch",
                "无法排除一票否决（强制拆迁），其社区不能启动",
            )
        } else {
            (
                "their communities fail the criterion that reads it",
                "其社区在读取该字段的条件上不通过",
            )
        };
        if missing.len() == villages.features.len() {
            let message = format!(
                "{file}: no village has a value for {model} (fields tried: {tried}): {consequence}"
            );
            let zh = format!(
                "{file}：没有任何村庄有 {model} 的值（已尝试的字段：{tried}）：{consequence_zh}"
            );
            warnings.push(
                Warning::new(WarningKind::MissingField, message, zh)
                    .with_file(&file)
                    .with_field(model),
            );
        } else {
            let ids: Vec<String> = missing
                .iter()
                .take(5)
                .map(|f| f.id.clone().unwrap_or_else(|| format!("#{}", f.index)))
                .collect();
            let more = missing.len().saturating_sub(ids.len());
            let message = format!(
                "{file}: villages without a value for {model} (fields tried: {tried}): {} of {}: {}{}; {consequence}",
                missing.len(),
                villages.features.len(),
                ids.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                },
            );
            let zh = format!(
                "{file}：缺少 {model} 值的村庄（已尝试的字段：{tried}）：{} 个（共 {} 个）：{}{}；{consequence_zh}",
                missing.len(),
                villages.features.len(),
                ids.join("、"),
                if more > 0 {
                    format!(" 等，另有 {more} 个")
                } else {
                    String::new()
                },
            );
            warnings.push(
                Warning::new(WarningKind::MissingField, message, zh)
                    .with_file(&file)
                    .with_field(model),
            );
        }
    }
    Ok((fields, warnings))
}

/// A launch field that no village of the layer has a value for (absent, `null` or blank in
/// every one): every criterion that reads it fails everywhere, which a planner must be told
/// in so many words, not left to infer from "0 may launch".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct MissingLaunchField {
    /// The model field (`plan_approved`).
    pub field: String,
    /// The file field names tried (`plan_approved` or the plan's mapping).
    pub tried: String,
    /// The villages layer's file.
    pub file: String,
}

/// The launch fields ([`LAUNCH_FIELDS`]) that no village of `villages` has a value for, from
/// what [`read_launch_fields`] read; none for an empty layer.
pub fn launch_fields_missing_everywhere(
    villages: &Layer,
    schema: &Schema,
    fields: &[LaunchFields],
) -> Vec<MissingLaunchField> {
    if fields.is_empty() {
        return Vec::new();
    }
    LAUNCH_FIELDS
        .iter()
        .enumerate()
        .filter(|(k, _)| fields.iter().all(|read| read.fields[*k].2 == Flag::Missing))
        .map(|(_, &model)| MissingLaunchField {
            field: model.to_owned(),
            tried: schema.describe(model),
            file: villages.path.display().to_string(),
        })
        .collect()
}

/// Checks every community on all cores, in community order. A plugin failure on one
/// community is that community's result; the others are checked all the same. Every verdict
/// passes through [`guard_veto`].
pub fn check_communities(
    plugin: &Plugin,
    communities: &[Community],
    villages: &Layer,
    fields: &[LaunchFields],
    schema: &Schema,
) -> Vec<Result<Verdict>> {
    check_communities_declared(plugin, communities, villages, fields, schema, None, None)
}

/// Where the communities' sites are for the spatial helpers: the plan's layers, and each
/// site's geometry in the metric CRS by its index in the sites file.
#[derive(Debug, Clone)]
pub struct SitePlaces {
    /// The layers the helpers answer from.
    pub layers: std::sync::Arc<crate::index::spatial::SpatialLayers>,
    /// Each site's geometry (metric CRS), by the feature's index in its file.
    pub geometry: std::collections::BTreeMap<usize, geo::Geometry<f64>>,
}

/// [`check_communities`], handing over what the plugin declares (see
/// [`launch_input_declared`]): its `villages.FIELD`s, and with `sites` (the layer and its
/// mapping) each community's site's id and declared `sites.FIELD`s; with `places`, the site
/// is placed for the spatial helpers (see [`Plugin::check_placed`]).
pub fn check_communities_declared(
    plugin: &Plugin,
    communities: &[Community],
    villages: &Layer,
    fields: &[LaunchFields],
    schema: &Schema,
    sites: Option<(&Layer, &Schema)>,
    places: Option<&SitePlaces>,
) -> Vec<Result<Verdict>> {
    check_communities_with(
        plugin,
        communities,
        villages,
        fields,
        schema,
        sites,
        places,
        None,
        true,
    )
}

/// [`check_communities_declared`]; without `guard`, the plugin's verdicts as it gave them
/// (no [`guard_veto`], no file field names), for a combination of several plugins that
/// guards once per community.
#[allow(clippy::too_many_arguments)]
fn check_communities_with(
    plugin: &Plugin,
    communities: &[Community],
    villages: &Layer,
    fields: &[LaunchFields],
    schema: &Schema,
    sites: Option<(&Layer, &Schema)>,
    places: Option<&SitePlaces>,
    rows: Option<&CommunityRows>,
    guard: bool,
) -> Vec<Result<Verdict>> {
    let declared = plugin.manifest().declared();
    let village_fields = declared.fields("villages");
    let community_fields = declared.fields(COMMUNITIES_LAYER);
    let site_fields = declared.fields("sites");
    // Sites by name, then by id (as communities name them); the first of a name wins.
    let mut site_by_name: std::collections::BTreeMap<String, usize> = Default::default();
    if let Some((layer, site_schema)) = sites {
        for (i, f) in layer.features.iter().enumerate() {
            if let Some(name) = field_text(f, site_schema, "name") {
                site_by_name.entry(name).or_insert(i);
            }
            if let Some(id) = &f.id {
                site_by_name.entry(id.clone()).or_insert(i);
            }
        }
    }
    communities
        .par_iter()
        .map(|c| {
            let site = sites.and_then(|(layer, site_schema)| {
                Some((
                    &layer.features[*site_by_name.get(c.site_key())?],
                    site_schema,
                ))
            });
            let own = site.map(|(f, site_schema)| {
                let mut own =
                    super::reads::declared_values(&f.properties, site_schema, site_fields);
                own.insert(
                    "id".into(),
                    f.id.clone().unwrap_or_else(|| f.index.to_string()).into(),
                );
                own
            });
            let place = match (site, places) {
                (Some((f, site_schema)), Some(places)) => Some(Candidate::with_place(
                    f.id.clone().unwrap_or_else(|| f.index.to_string()),
                    std::sync::Arc::from(Vec::<String>::new()),
                    Vec::new(),
                    super::reads::declared_properties(&f.properties, site_schema, site_fields),
                    places.geometry.get(&f.index).cloned(),
                    Some(places.layers.clone()),
                )),
                _ => None,
            };
            let mut input = launch_input_declared(c, villages, fields, schema, village_fields, own);
            // The community's own declared attributes, from the communities table.
            if let (Some(rows), false) = (rows, community_fields.is_empty())
                && let Some(&i) = rows.by_id.get(&c.id)
                && let Some(object) = input.as_object_mut()
            {
                let values = super::reads::declared_values(
                    &rows.layer.features[i].properties,
                    &rows.schema,
                    community_fields,
                );
                for (k, v) in values {
                    object.entry(k).or_insert(v);
                }
            }
            let verdict = plugin.check_placed(&c.name, &input, place.as_ref())?;
            if !guard {
                return Ok(verdict);
            }
            let mut verdict = guard_veto(&input, verdict);
            name_file_fields(&mut verdict, c, villages, schema);
            Ok(verdict)
        })
        .collect()
}

/// Several plugins' verdicts on one community as one: every finding, in plan order, naming
/// its plugin; the status follows from them (any veto vetoes, any failure fails). The first
/// plugin (in plan order) that failed on the community makes it that community's error.
fn combine<'a>(
    plugins: &[String],
    verdicts: impl Iterator<Item = &'a Result<Verdict>>,
) -> Result<Verdict> {
    let mut findings = Vec::new();
    for (name, v) in plugins.iter().zip(verdicts) {
        match v {
            Ok(v) => findings.extend(v.findings.iter().cloned().map(|mut f| {
                f.plugin = Some(name.clone());
                f
            })),
            Err(e) => return Err(same_error(name, e)),
        }
    }
    Ok(Verdict::from_findings(findings))
}

/// A copy of a plugin's error (errors are not `Clone`: they may hold I/O errors), naming the
/// plugin.
fn same_error(plugin: &str, e: &Error) -> Error {
    match e {
        Error::Plugin {
            plugin,
            failure,
            candidate,
            line,
            message,
        } => Error::Plugin {
            plugin: plugin.clone(),
            failure: *failure,
            candidate: candidate.clone(),
            line: *line,
            message: message.clone(),
        },
        other => Error::Plugin {
            plugin: plugin.to_owned(),
            failure: crate::error::PluginFailure::Runtime,
            candidate: None,
            line: None,
            message: other.to_string(),
        },
    }
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

/// The plan's layer of the communities' own attributes (`[layers.communities]`): a table
/// keyed by community id, geometry optional.
pub const COMMUNITIES_LAYER: &str = "communities";

/// The communities table as read: each community's row by its id (the feature's id, through
/// the plan's `fields = { id = "…" }`).
#[derive(Debug)]
struct CommunityRows {
    layer: Layer,
    schema: Schema,
    by_id: std::collections::BTreeMap<String, usize>,
}

impl CommunityRows {
    /// Reads the plan's communities table when a launch check declares one of its fields;
    /// warns of each row whose id names no community and of each community without a row
    /// (neither is dropped silently). A declared field that is one of the engine's keys of a
    /// community (`id`, `township`, `villages`, `site`) is an error before the run.
    fn read(
        plan: &Plan,
        communities: &[Community],
        plugins: &[Plugin],
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<CommunityRows>> {
        let declaring: Vec<&Plugin> = plugins
            .iter()
            .filter(|p| p.manifest().declared().declares(COMMUNITIES_LAYER))
            .collect();
        if declaring.is_empty() {
            return Ok(None);
        }
        for p in &declaring {
            let declared = p.manifest().declared();
            if let Some(field) = declared
                .fields(COMMUNITIES_LAYER)
                .iter()
                .find(|f| LAUNCH_ENGINE_KEYS.contains(&f.as_str()))
            {
                return Err(Error::config(
                    format!("plugin {:?}", p.manifest().name),
                    format!(
                        "reads {COMMUNITIES_LAYER}.{field}, but a launch check's community has \
                         {field:?} from the engine ({}): rename the field in the plugin's reads \
                         and map it in [layers.{COMMUNITIES_LAYER}] fields",
                        LAUNCH_ENGINE_KEYS.join(", ")
                    ),
                ));
            }
        }
        // A plan without the layer: the reads check names it.
        let Some(source) = plan.context.get(COMMUNITIES_LAYER) else {
            return Ok(None);
        };
        let read = source.read_attributes(plan.affected.input_crs, plan.affected.keep_going)?;
        warnings.extend(read.warnings);
        warnings.extend(read.skipped.iter().map(Warning::skipped));
        let layer = read.layer;
        let file = layer.path.display().to_string();
        let mut by_id = std::collections::BTreeMap::new();
        for (i, f) in layer.features.iter().enumerate() {
            let at = layer.feature_ref(f);
            let Some(id) = f.id.clone() else {
                warnings.push(
                    Warning::new(
                        WarningKind::MissingField,
                        format!(
                            "{at}: no community id (fields tried: {}): the row reaches no launch \
                             check",
                            source.schema.describe("id")
                        ),
                        format!(
                            "{}：没有社区 id（已尝试的字段：{}）：该行不进入任何启动检查",
                            crate::warning::feature_zh(&at),
                            source.schema.describe("id")
                        ),
                    )
                    .with_feature(&at)
                    .with_field("id"),
                );
                continue;
            };
            if !communities.iter().any(|c| c.id == id) {
                warnings.push(
                    Warning::new(
                        WarningKind::Other,
                        format!(
                            "{at}: community {id:?} is not among the plan's communities (none of \
                             its villages names it, nor a site): its attributes reach no launch \
                             check"
                        ),
                        format!(
                            "{}：社区 {id:?} 不在 plan 的社区之中（没有村庄或安置点指向它）：其属性\
                             不进入任何启动检查",
                            crate::warning::feature_zh(&at)
                        ),
                    )
                    .with_feature(&at)
                    .with_value(&id),
                );
            }
            by_id.insert(id, i);
        }
        for c in communities {
            if !by_id.contains_key(&c.id) {
                warnings.push(
                    Warning::new(
                        WarningKind::MissingField,
                        format!(
                            "{file}: no feature has community id {:?} (township {}): its launch \
                             checks get none of its {COMMUNITIES_LAYER}.FIELDs",
                            c.id, c.township
                        ),
                        format!(
                            "{file}：没有要素的社区 id 为 {:?}（乡镇 {}）：其启动检查得不到它的任何 \
                             {COMMUNITIES_LAYER}.FIELD",
                            c.id, c.township
                        ),
                    )
                    .with_file(&file)
                    .with_value(&c.id),
                );
            }
        }
        Ok(Some(CommunityRows {
            layer,
            schema: source.schema.clone(),
            by_id,
        }))
    }
}

/// A launch check run over a plan's communities.
#[derive(Debug)]
#[non_exhaustive]
pub struct LaunchRun {
    /// The plugin's name (several: joined by ` + `).
    pub plugin: String,
    /// Each plugin's name, in the plan's order (`[checks] launch = [a, b]`).
    pub plugins: Vec<String>,
    /// With several plugins, each one's own verdicts (before the combination and the veto
    /// guard), by plugin then community; empty with one.
    pub per_plugin: Vec<Vec<Result<Verdict>>>,
    /// The communities, in the office's order (the communities table's, else by 区划代码).
    pub communities: Vec<Community>,
    /// One verdict (or plugin error) per community.
    pub verdicts: Vec<Result<Verdict>>,
    /// Villages that joined no community (indices into `villages.features`).
    pub unassigned: Vec<usize>,
    /// The villages layer as read.
    pub villages: Layer,
    /// The engine that takes the map's footprints to WGS 84 (the plan's).
    pub engine: crate::model::crs::CrsEngine,
    /// Launch fields missing or unreadable (with `keep_going`), for the planner.
    pub warnings: Vec<crate::Warning>,
    /// The launch fields no village has a value for, which the report states beside the
    /// communities (each is also among the warnings).
    pub missing_everywhere: Vec<MissingLaunchField>,
}

impl LaunchRun {
    /// Reads the plan's villages (and sites), groups them into communities and checks each
    /// with the plugin at `plugin`. The sites are not placed for the spatial helpers (no
    /// zones are drawn): see [`LaunchRun::run_placed`].
    pub fn run(plan: &Plan, plugin: &Path) -> Result<LaunchRun> {
        LaunchRun::run_in(plan, None, &[plugin], &[])
    }

    /// Several launch checks over every community, combined per community: any veto vetoes,
    /// any failure fails, it passes only if all pass; a plugin's error on a community is that
    /// community's error, naming the plugin. Every finding names its plugin; the one-vote
    /// veto guard ([`guard_veto`]) applies once per community. With `run`, the sites are
    /// placed as in [`LaunchRun::run_placed`]. One plugin: the same as [`LaunchRun::run`].
    pub fn run_all(
        plan: &Plan,
        run: Option<&crate::pipeline::job::AffectedRun>,
        plugins: &[&Path],
    ) -> Result<LaunchRun> {
        LaunchRun::run_in(plan, run, plugins, &[])
    }

    /// [`LaunchRun::run_all`] after the plan's tables `tables` (a plugin reading
    /// `tables.NAME.COLUMN` is handed their rows; a table it reads that is not among them is
    /// computed from the plan).
    pub fn run_all_after(
        plan: &Plan,
        run: Option<&crate::pipeline::job::AffectedRun>,
        plugins: &[&Path],
        tables: &[super::TableRun],
    ) -> Result<LaunchRun> {
        LaunchRun::run_in(plan, run, plugins, tables)
    }

    /// [`LaunchRun::run`], with each community's site placed in the scene of `run` (the
    /// plan's layers in the metric CRS, the demolition zones), so that a script may ask the
    /// spatial helpers about it (`community.site.distance_to("roads")`).
    pub fn run_placed(
        plan: &Plan,
        run: &crate::pipeline::job::AffectedRun,
        plugin: &Path,
    ) -> Result<LaunchRun> {
        LaunchRun::run_in(plan, Some(run), &[plugin], &[])
    }

    fn run_in(
        plan: &Plan,
        run: Option<&crate::pipeline::job::AffectedRun>,
        paths: &[&Path],
        tables: &[super::TableRun],
    ) -> Result<LaunchRun> {
        if paths.is_empty() {
            return Err(Error::config(
                plan.path.display().to_string(),
                "[checks] launch lists no plugin",
            ));
        }
        let mut loaded = Vec::new();
        for path in paths {
            let plugin = Plugin::load(path)?;
            plugin.manifest().expect_kind(
                crate::rules::Kind::LaunchCheck,
                &format!("launch check ({})", path.display()),
            )?;
            loaded.push(super::stages::with_tables(plan, plugin, tables)?);
        }
        // The reader's warnings (a key written twice, the veto field among them) reach
        // `hecun check` too; `hecun run` shows each warning once.
        let read_warnings = std::cell::RefCell::new(Vec::new());
        let read = |source: &crate::pipeline::job::LayerSource| -> Result<Layer> {
            let outcome = source.read(plan.affected.input_crs, false)?;
            read_warnings.borrow_mut().extend(outcome.warnings);
            Ok(outcome.layer)
        };
        let villages = read(&plan.affected.villages)?;
        let sites = plan
            .sites
            .as_ref()
            .map(|s| read(s).map(|l| (l, &s.schema)))
            .transpose()?;
        let schema = &plan.affected.villages.schema;
        let (grouping, _) =
            super::programme::plan_grouping(plan, &villages, sites.as_ref().map(|(l, s)| (l, *s)))?;
        let (communities, unassigned) = (grouping.communities, grouping.unassigned);
        let (fields, field_warnings) =
            read_launch_fields(&villages, schema, plan.affected.keep_going)?;
        let missing_everywhere = launch_fields_missing_everywhere(&villages, schema, &fields);
        let mut warnings = read_warnings.into_inner();
        warnings.extend(grouping.warnings);
        warnings.extend(field_warnings);
        let rows = CommunityRows::read(plan, &communities, &loaded, &mut warnings)?;
        let mut read_layers = vec![("villages", &villages)];
        if let Some((l, _)) = &sites {
            read_layers.push(("sites", l));
        }
        if let Some(rows) = &rows {
            read_layers.push((COMMUNITIES_LAYER, &rows.layer));
        }
        let mut each = Vec::new();
        for plugin in &loaded {
            let reads_warnings = super::reads::check_plan_reads(
                plugin.manifest(),
                plan,
                &read_layers,
                &[],
                ("what it would give is missing", "它本应给出的内容缺失"),
            )?;
            for w in reads_warnings {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            let places = LaunchRun::places(plan, run, &sites, plugin)?;
            each.push(check_communities_with(
                plugin,
                &communities,
                &villages,
                &fields,
                schema,
                sites.as_ref().map(|(l, s)| (l, *s)),
                places.as_ref(),
                rows.as_ref(),
                loaded.len() == 1,
            ));
        }
        let plugins: Vec<String> = loaded.iter().map(|p| p.manifest().name.clone()).collect();
        let (verdicts, per_plugin) = if loaded.len() == 1 {
            (each.pop().expect("one plugin"), Vec::new())
        } else {
            let verdicts = communities
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let input = launch_input(c, &villages, &fields, schema);
                    let verdict = combine(&plugins, each.iter().map(|v| &v[k]))?;
                    // Once per community: a village whose veto is unknown is said once,
                    // unless one of the plugins reported on its veto field.
                    let mut verdict = guard_veto(&input, verdict);
                    name_file_fields(&mut verdict, c, &villages, schema);
                    Ok(verdict)
                })
                .collect();
            (verdicts, each)
        };
        Ok(LaunchRun {
            plugin: plugins.join(" + "),
            plugins,
            per_plugin,
            communities,
            verdicts,
            unassigned,
            villages,
            engine: plan.affected.engine,
            warnings,
            missing_everywhere,
        })
    }

    /// The sites placed for `plugin`'s spatial helpers, when there is a run and sites.
    fn places(
        plan: &Plan,
        run: Option<&crate::pipeline::job::AffectedRun>,
        sites: &Option<(Layer, &Schema)>,
        plugin: &Plugin,
    ) -> Result<Option<SitePlaces>> {
        Ok(match (run, sites) {
            (Some(run), Some(_)) => {
                let declared = plugin.manifest().declared();
                let (layers, mut read) = super::scene::build_scene_reading(plan, run, &declared)?;
                let scene_sites = read
                    .remove("sites")
                    .expect("the scene reads every context layer");
                let geometry = scene_sites
                    .layer
                    .features
                    .iter()
                    .zip(scene_sites.items)
                    .map(|(f, item)| (f.index, item.geometry))
                    .collect();
                Some(SitePlaces { layers, geometry })
            }
            _ => None,
        })
    }

    /// Writes `launch_checks.csv`, `launch_checks.json` and `launch_checks.geojson` into an
    /// output folder being written; returns their names.
    pub fn write_into(&self, out: &OutputDir) -> Result<Vec<String>> {
        let each = self.each();
        out.write(
            "launch_checks.csv",
            &launch_csv_each(&self.communities, &self.verdicts, &self.villages, &each),
        )?;
        out.write(
            "launch_checks.json",
            &launch_json_each(&self.communities, &self.verdicts, &each),
        )?;
        out.write("launch_checks.geojson", &self.geojson()?)?;
        Ok([
            "launch_checks.csv",
            "launch_checks.json",
            "launch_checks.geojson",
        ]
        .map(str::to_owned)
        .to_vec())
    }

    /// With several plugins, each one's name and verdicts; empty with one.
    fn each(&self) -> Vec<(&str, &[Result<Verdict>])> {
        self.plugins
            .iter()
            .map(String::as_str)
            .zip(self.per_plugin.iter().map(Vec::as_slice))
            .collect()
    }

    /// Each community's footprint (its villages' polygons) with its status, failed criteria
    /// and vetoes, for the map (RFC 7946: in WGS 84).
    pub fn geojson(&self) -> Result<Vec<u8>> {
        let shapes: Vec<geo::MultiPolygon<f64>> = self
            .communities
            .iter()
            .map(|c| super::communities::footprint(c, &self.villages))
            .collect();
        let to_wgs84 = crate::io::geojson_write::Wgs84Writer::new(self.villages.crs, self.engine)?;
        super::communities::communities_geojson(
            &to_wgs84,
            self.communities
                .iter()
                .zip(&self.verdicts)
                .zip(&shapes)
                .map(|((c, v), shape)| {
                    let p = super::communities::community_properties(c, v, |p, v| {
                        p.insert(
                            "status".into(),
                            serde_json::to_value(v.status).unwrap_or_default(),
                        );
                        p.insert("failed".into(), qualified(v, false).join(";").into());
                        p.insert("vetoes".into(), qualified(v, true).join(";").into());
                    });
                    (shape, p)
                }),
        )
    }

    /// One line in the plan's terms: how many communities may launch, are blocked, vetoed
    /// (English; [`LaunchRun::summary_in`] for the run's language).
    pub fn summary(&self) -> String {
        self.summary_in(crate::report::Lang::En)
    }

    /// [`LaunchRun::summary`] in `lang`, for the end of a run.
    pub fn summary_in(&self, lang: crate::report::Lang) -> String {
        let count = |s: crate::rules::Status| {
            self.verdicts
                .iter()
                .filter(|v| matches!(v, Ok(v) if v.status == s))
                .count()
        };
        let (plugin, communities) = (&self.plugin, self.communities.len());
        let pass = count(crate::rules::Status::Pass);
        let fail = count(crate::rules::Status::Fail);
        let veto = count(crate::rules::Status::Veto);
        let errors = self.verdicts.iter().filter(|v| v.is_err()).count();
        let unassigned = self.unassigned.len();
        let head = match lang {
            crate::report::Lang::ZhCn => format!(
                "{plugin}：{communities} 个社区 — {pass} 个可启动，{fail} 个暂缓，{veto} 个一票否决，\
                 {errors} 个插件错误；{unassigned} 个村庄不属于任何社区"
            ),
            crate::report::Lang::En => format!(
                "{plugin}: {communities} communities — {pass} may launch, {fail} blocked, \
                 {veto} vetoed, {errors} plugin errors; {unassigned} villages in no community"
            ),
        };
        head + &*crate::rules::verdict::failure_lines(
            self.verdicts.iter().map(|v| v.as_ref().err()),
            "launch_checks.csv",
            lang,
        )
    }

    /// Whether the plugin failed on every community (and there was at least one).
    pub fn all_failed(&self) -> bool {
        !self.verdicts.is_empty() && self.verdicts.iter().all(Result::is_err)
    }
}

/// The launch checks as a table (UTF-8 with BOM): community, township, villages, status,
/// failed criteria, vetoes, and the plugin error where it failed.
pub fn launch_csv(
    communities: &[Community],
    verdicts: &[Result<Verdict>],
    villages: &Layer,
) -> Vec<u8> {
    launch_csv_each(communities, verdicts, villages, &[])
}

/// The distinct criteria that failed (`veto`: vetoed), sorted; a finding of a plugin among
/// several as `plugin:criterion`.
fn qualified(v: &Verdict, veto: bool) -> Vec<String> {
    let mut c: Vec<String> = v
        .findings
        .iter()
        .filter(|f| f.veto == veto)
        .map(|f| match &f.plugin {
            Some(p) => format!("{p}:{}", f.criterion),
            None => f.criterion.clone(),
        })
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

/// A verdict's status as the outputs write it: `pass`, `fail`, `veto`, or `error`.
fn status_word(v: &Result<Verdict>) -> String {
    match v {
        Ok(v) => serde_json::to_value(v.status)
            .ok()
            .and_then(|s| s.as_str().map(str::to_owned))
            .unwrap_or_default(),
        Err(_) => "error".to_owned(),
    }
}

/// [`launch_csv`]; with several plugins (`each`: name and verdicts), a `status:NAME` column
/// per plugin after `vetoes`, and failed criteria and vetoes as `plugin:criterion`.
fn launch_csv_each(
    communities: &[Community],
    verdicts: &[Result<Verdict>],
    villages: &Layer,
    each: &[(&str, &[Result<Verdict>])],
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header: Vec<String> = [
        "community",
        "township",
        "villages",
        "status",
        "failed",
        "vetoes",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(each.iter().map(|(name, _)| format!("status:{name}")));
    header.extend(["village_ids".to_owned(), "error".to_owned()]);
    let _ = w.write_record(&header);
    for (k, (c, v)) in communities.iter().zip(verdicts).enumerate() {
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
                qualified(v, false).join(";"),
                qualified(v, true).join(";"),
                String::new(),
            ),
            Err(e) => (
                "error".to_owned(),
                String::new(),
                String::new(),
                e.to_string(),
            ),
        };
        let mut row: Vec<String> = vec![
            c.name.clone(),
            c.township.clone(),
            c.villages.len().to_string(),
            status,
            failed,
            vetoes,
        ];
        row.extend(each.iter().map(|(_, v)| status_word(&v[k])));
        row.extend([ids.join(";"), error]);
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// The launch checks with every finding and its evidence, as JSON.
pub fn launch_json(communities: &[Community], verdicts: &[Result<Verdict>]) -> Vec<u8> {
    launch_json_each(communities, verdicts, &[])
}

/// [`launch_json`]; with several plugins (`each`), every community's `plugins`: each
/// plugin's own status (`pass`, `fail`, `veto`, `error`) by name, and every finding names
/// its `plugin`.
fn launch_json_each(
    communities: &[Community],
    verdicts: &[Result<Verdict>],
    each: &[(&str, &[Result<Verdict>])],
) -> Vec<u8> {
    let list: Vec<serde_json::Value> = communities
        .iter()
        .zip(verdicts)
        .enumerate()
        .map(|(k, (c, v))| {
            let mut entry = match v {
                Ok(v) => serde_json::json!({"community": c.name, "township": c.township, "status": v.status, "findings": v.findings}),
                Err(e) => serde_json::json!({"community": c.name, "township": c.township, "status": "error", "error": e.to_string()}),
            };
            if !each.is_empty() {
                let plugins: serde_json::Map<String, serde_json::Value> = each
                    .iter()
                    .map(|(name, v)| ((*name).to_owned(), status_word(&v[k]).into()))
                    .collect();
                entry["plugins"] = plugins.into();
            }
            entry
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}
