//! Plan files: the layers, field mappings, widths and CRS of a job, in TOML.
//!
//! ```toml
//! name = "郑州示范区合村并城"
//! [crs]
//! input = "EPSG:4326"        # CRS of files that do not name one (or GCJ-02, BD-09)
//! metric = "EPSG:4547"       # omit: the fitting CGCS2000 3-degree zone
//! [layers.villages]
//! path = "villages.geojson"  # relative to the plan file
//! fields = { id = "统计用区划代码", name = "村名", households = "户数", population = "人口" }
//! [[layers.villages.rosters]]  # a table joined by key: its columns become properties
//! path = "花名册.xlsx"         # .csv (UTF-8/GBK), .xlsx, .xls; sheet = "…", encoding = "GBK"
//! join = { key = "统计用区划代码", on = "统计用区划代码" }  # roster column, layer field
//! [layers.roads]
//! path = "roads.shp"         # a Shapefile: .shx, .dbf beside it; .prj and .cpg if any
//! encoding = "GBK"           # in place of the .cpg (omit: the .cpg, else detected)
//! fields = { class = "等级" } # DBF names as the .dbf has them (10 bytes at most)
//! crs = "EPSG:4547"          # this layer's own CRS: EPSG, or GCJ-02 / BD-09 (web maps)
//! [layers.farmland]
//! path = "county.gpkg"       # a GeoPackage: one of its tables
//! layer = "永久基本农田"       # which (omit when it has one)
//! [layers.zoning]
//! path = "县国土.gdb"          # a File Geodatabase (hecun built with --features gdal)
//! layer = "用地规划"           # its feature class (omit when it has one)
//! [zones.widths]
//! "环线" = 100
//! [output]
//! dir = "out"                # relative to the plan file
//! [[milestones]]             # a deadline, judged per community as of `--as-of`
//! name = "plans"             # a short id (letters, digits, - and _)
//! title = { zh-CN = "空间规划和详细规划编制完成", en = "Spatial and detailed plans done" }
//! due = 2026-05-31           # a TOML date or a string
//! field = "plan_approved_on" # the communities-table field with the date done
//! # or: criterion = "plan_approved"  (a launch-check criterion that passes)
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::io::read::Format;
use crate::io::roster::{Roster, Wins};
use crate::jobs::{Holds, Milestone};
use crate::model::community::parse_date;
use crate::model::crs::{Crs, CrsEngine};
use crate::model::schema::{LayerKind, Schema};
use crate::model::webmap::InputCrs;
use crate::model::zone::ZoneSpec;
use crate::pipeline::affected::Counting;
use crate::pipeline::job::{AffectedJob, LayerData, LayerSettings, LayerSource};

/// A parsed plan file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan {
    /// The plan's name.
    pub name: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// The affected-villages job it describes.
    pub affected: AffectedJob,
    /// The output folder, if the plan names one (relative paths resolved against the plan).
    pub output_dir: Option<PathBuf>,
    /// The launch-check plugin the plan runs (`[checks] launch = "…"`), if any; with
    /// several (`launch = ["a", "b"]`), the first.
    pub launch_check: Option<PathBuf>,
    /// The further launch checks (`launch = ["a", "b", …]`: `b`, …), combined with the first
    /// per community (see [`crate::jobs::LaunchRun::run_all`]).
    pub more_launch_checks: Vec<PathBuf>,
    /// Candidate resettlement sites, if the plan lists them.
    pub sites: Option<LayerSource>,
    /// The other layers rules may read (townships, sites, zoning, facilities, farmland,
    /// red line, and the plan's own layers such as `patients`), by layer name.
    pub context: BTreeMap<String, LayerSource>,
    /// The standard-selection plugin the plan runs (`[checks] standard = "…"`), if any.
    pub standard_check: Option<PathBuf>,
    /// The site-score plugin the plan runs (`[scoring] sites = "…"`), if any, and how many
    /// sites to choose per township (`top`, default 2).
    pub site_scoring: Option<SiteScoring>,
    /// The plan's own layers (kinds hecun has no model of, in `context` too): read only for
    /// the plugins that declare them in `reads`.
    pub unused_layers: Vec<String>,
    /// The named scoring jobs (`[[scorings]]`), in the plan's order.
    pub scorings: Vec<ScoringJob>,
    /// The tables the plan computes (`[tables.NAME]`), by name.
    pub tables: Vec<TableSpec>,
    /// The target checks (`[targets.NAME]`), by name: run after every other stage.
    pub targets: Vec<TargetSpec>,
    /// The plan's deadlines (`[[milestones]]`), in its order.
    pub milestones: Vec<Milestone>,
    /// The date the run is as of (`--as-of`, set by
    /// [`RunOptions::apply`](crate::run::manifest::RunOptions::apply)); `None`: today (UTC)
    /// when the run needs one.
    pub as_of: Option<NaiveDate>,
    /// The whole plan's settings and targets (`[programme]`, `[goals]`).
    pub programme: crate::jobs::programme::ProgrammeSpec,
    /// How the plan chooses its demonstration communities (`[demonstration]`), if it says.
    pub demonstration: Option<crate::jobs::DemonstrationRule>,
}

/// A plan's target check (`[targets.NAME]`): a target plugin judged against the run, with
/// the plan's parameters (the wanted values) in place of the plugin's defaults. The same
/// shape as a table's.
///
/// ```toml
/// [targets.centres]
/// plugin = "../../plugins/centres-per-district"
/// title = { zh-CN = "康复中心建设目标", en = "Rehab-centre targets" }
/// params = { total = 13, per_district = { "中原区" = 3 } }
/// ```
pub type TargetSpec = TableSpec;

/// A named scoring job (`[[scorings]]`): a site-score plugin over the candidates of one of
/// the plan's layers, with its own files (`NAME_scored.csv/.geojson`, `NAME_scores.json`),
/// report section (under its title) and line in summary.txt.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScoringJob {
    /// Its name: the prefix of its files (`rehab-centres`).
    pub name: String,
    /// Its title per language (`zh-CN`, `en`), the heading of its report section.
    pub title: BTreeMap<String, String>,
    /// The plan layer that holds the candidates (`layer`, default `sites`).
    pub layer: String,
    /// The plugin and how many to choose per group.
    pub scoring: SiteScoring,
}

impl ScoringJob {
    /// Its title in `lang` (a tag such as `zh-CN`), else in any language, else its name.
    pub fn title(&self, lang: &str) -> &str {
        self.title
            .get(lang)
            .or_else(|| self.title.values().next())
            .map_or(self.name.as_str(), String::as_str)
    }
}

/// A table the plan computes with a table plugin.
///
/// ```toml
/// [tables.funding]
/// plugin = "../../plugins/rehab-funding"
/// title = { zh-CN = "康复中心经费测算", en = "Rehab-centre funding" }
/// params = { base_people = 100 }   # in place of the plugin's defaults
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TableSpec {
    /// Its name: its files are `tables/NAME.csv` and `tables/NAME.json`.
    pub name: String,
    /// The table plugin.
    pub plugin: PathBuf,
    /// Parameters in place of the plugin's defaults (each must be one the plugin declares).
    pub params: BTreeMap<String, toml::Value>,
    /// Its title by language tag (optional; the table's name otherwise).
    pub title: BTreeMap<String, String>,
}

impl TableSpec {
    /// Table `name` computed by the plugin at `plugin`, with its default parameters and no
    /// title (a service adding a table to a plan it built).
    pub fn new(name: impl Into<String>, plugin: impl Into<PathBuf>) -> TableSpec {
        TableSpec {
            name: name.into(),
            plugin: plugin.into(),
            params: BTreeMap::new(),
            title: BTreeMap::new(),
        }
    }

    /// The same table with `params` in place of the plugin's defaults.
    pub fn with_params(mut self, params: BTreeMap<String, toml::Value>) -> TableSpec {
        self.params = params;
        self
    }

    /// The same table with its titles by language tag.
    pub fn with_title(mut self, title: BTreeMap<String, String>) -> TableSpec {
        self.title = title;
        self
    }
}

/// How a plan scores its candidate sites.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SiteScoring {
    /// The site-score plugin.
    pub plugin: PathBuf,
    /// Sites chosen per township (the source plan asks for 1–2 demonstration communities).
    pub top: usize,
    /// The attribute of the candidates that groups them for choosing (`per = "district"`, a
    /// model or file name); `None`: the township.
    pub per: Option<String>,
    /// A count per group value (`quota = { "白云" = 2, "*" = 1 }`) in place of `top`;
    /// empty: `top` per group.
    pub quota: BTreeMap<String, usize>,
}

impl SiteScoring {
    /// How many to choose per group.
    pub fn quota(&self) -> crate::rules::Quota {
        if self.quota.is_empty() {
            crate::rules::Quota::top(self.top)
        } else {
            crate::rules::Quota::table(self.quota.clone())
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    name: Option<String>,
    #[serde(default)]
    crs: CrsTable,
    layers: BTreeMap<String, LayerTable>,
    zones: ZonesTable,
    #[serde(default)]
    output: OutputTable,
    #[serde(default)]
    options: OptionsTable,
    #[serde(default)]
    checks: ChecksTable,
    scoring: Option<ScoringTable>,
    #[serde(default)]
    scorings: Vec<ScoringsTable>,
    #[serde(default)]
    tables: BTreeMap<String, TablesEntry>,
    #[serde(default)]
    targets: BTreeMap<String, TablesEntry>,
    #[serde(default)]
    programme: ProgrammeTable,
    goals: Option<crate::jobs::programme::Goals>,
    /// Checked by `DemonstrationRule::from_plan_table`, whose errors name the table.
    demonstration: Option<toml::Table>,
    #[serde(default)]
    milestones: Vec<MilestonesEntry>,
}

/// `[programme]`: settings of the whole plan's tables.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProgrammeTable {
    area_per_person_m2: Option<f64>,
}

/// `[[milestones]]`: `name`, `title` (optional), `due` (a TOML date or a string), and
/// exactly one of `field` / `criterion`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MilestonesEntry {
    name: Option<String>,
    #[serde(default)]
    title: BTreeMap<String, String>,
    due: Option<toml::Value>,
    field: Option<String>,
    criterion: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoringsTable {
    name: String,
    #[serde(default)]
    title: BTreeMap<String, String>,
    plugin: PathBuf,
    layer: Option<String>,
    top: Option<usize>,
    per: Option<String>,
    quota: Option<BTreeMap<String, usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TablesEntry {
    plugin: PathBuf,
    #[serde(default)]
    params: BTreeMap<String, toml::Value>,
    #[serde(default)]
    title: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ChecksTable {
    launch: Option<OneOrMany>,
    standard: Option<PathBuf>,
}

/// `launch = "a"` or `launch = ["a", "b"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

impl OneOrMany {
    fn paths(self) -> Vec<PathBuf> {
        match self {
            OneOrMany::One(p) => vec![p],
            OneOrMany::Many(list) => list,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoringTable {
    sites: PathBuf,
    top: Option<usize>,
    per: Option<String>,
    quota: Option<BTreeMap<String, usize>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CrsTable {
    input: Option<String>,
    metric: Option<String>,
    engine: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerTable {
    path: PathBuf,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    /// `geojson`, `shapefile`, `geopackage` or `gdal`; omitted: by the file's extension.
    format: Option<String>,
    /// A Shapefile's text encoding, in place of its `.cpg` (`GBK`, `UTF-8`, `936`…).
    encoding: Option<String>,
    /// The layer's CRS (`EPSG:4547`, or a web map's `GCJ-02` / `BD-09`): the CRS of a file
    /// naming none, and a check on a `.prj`.
    crs: Option<String>,
    /// Helmert parameters from a Xi'an 1980 / Beijing 1954 `.prj`'s datum to CGCS2000.
    towgs84: Option<Vec<f64>>,
    /// The layer of a source holding several (a GeoPackage's table, a File Geodatabase's
    /// feature class); omitted: its only one.
    layer: Option<String>,
    /// A workbook's sheet, when the layer is a table (`[layers.communities]` in `.xlsx`).
    sheet: Option<String>,
    #[serde(default)]
    rosters: Vec<RosterEntry>,
}

/// `[[layers.NAME.rosters]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterEntry {
    path: PathBuf,
    sheet: Option<String>,
    encoding: Option<String>,
    join: JoinEntry,
    wins: Option<String>,
}

/// `join = { key = "roster column", on = "layer field" }`; `on` defaults to `key`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinEntry {
    key: String,
    on: Option<String>,
}

impl LayerTable {
    /// The layer's source: its file, field names, own CRS and rosters, paths resolved
    /// against `base`.
    fn source(
        self,
        name: &str,
        kind: LayerKind,
        base: &Path,
        context: &str,
        input: Option<InputCrs>,
    ) -> Result<LayerSource> {
        let mut schema = Schema::new(kind);
        for (model, file_field) in &self.fields {
            schema = schema
                .with_field(model, file_field)
                .map_err(|e| Error::config(context, e.to_string()))?;
        }
        let settings = self.settings(context, name, input)?;
        let mut source = LayerSource::new(base.join(&self.path), kind)
            .with_schema(schema)
            .with_settings(settings);
        for (k, r) in self.rosters.into_iter().enumerate() {
            let at = format!("[[layers.{name}.rosters]] #{}", k + 1);
            if r.join.key.trim().is_empty()
                || r.join.on.as_deref().is_some_and(|o| o.trim().is_empty())
            {
                return Err(Error::config(
                    context,
                    format!(
                        "{at}: join = {{ key = \"roster column\", on = \"layer field\" }} names both"
                    ),
                ));
            }
            let on = r.join.on.unwrap_or_else(|| r.join.key.clone());
            let mut roster = Roster::new(base.join(&r.path), r.join.key, on);
            roster.sheet = r.sheet;
            roster.encoding = r.encoding;
            roster.wins = match r.wins.as_deref() {
                None => None,
                Some("roster") => Some(Wins::Roster),
                Some("layer") => Some(Wins::Layer),
                Some(other) => {
                    return Err(Error::config(
                        context,
                        format!(
                            "{at}: wins = {other:?}: write wins = \"roster\" or wins = \"layer\""
                        ),
                    ));
                }
            };
            source = source.with_roster(roster);
        }
        Ok(source)
    }

    /// How the layer's file is read; `input` is the plan's `[crs] input`, if it names one.
    fn settings(
        &self,
        context: &str,
        name: &str,
        input: Option<InputCrs>,
    ) -> Result<LayerSettings> {
        let at = |message: String| Error::config(context, format!("[layers.{name}] {message}"));
        let format = self
            .format
            .as_deref()
            .map(str::parse::<Format>)
            .transpose()
            .map_err(|e| at(e.to_string()))?;
        let crs = self
            .crs
            .as_deref()
            .map(str::parse::<InputCrs>)
            .transpose()
            .map_err(|e| at(format!("crs: {e}")))?;
        let towgs84 = match &self.towgs84 {
            None => None,
            Some(v) => {
                let seven: [f64; 7] = v.as_slice().try_into().map_err(|_| {
                    at(format!(
                        "towgs84 has {} numbers: give the seven Helmert parameters \
                         [dx, dy, dz (m), rx, ry, rz (arc seconds), ds (ppm)]",
                        v.len()
                    ))
                })?;
                if let Some(bad) = seven.iter().find(|x| !x.is_finite()) {
                    return Err(at(format!("towgs84: {bad} is not a finite number")));
                }
                Some(seven)
            }
        };
        if let Some(encoding) = &self.encoding {
            crate::io::shapefile::encoding_named(encoding)
                .map_err(|why| at(format!("encoding = {encoding:?}: {why}")))?;
        }
        if let Some(layer) = &self.layer
            && layer.trim().is_empty()
        {
            return Err(at("layer = \"\": name the layer to read".to_owned()));
        }
        if self.sheet.is_some() {
            if self.layer.is_some() {
                return Err(at(
                    "give either layer (a GIS source's layer) or sheet (a workbook's), not both"
                        .to_owned(),
                ));
            }
            if !crate::io::roster::Roster::is_table(&self.path) {
                return Err(at(format!(
                    "sheet = {:?} names a workbook's sheet, but {} is not a workbook",
                    self.sheet.as_deref().unwrap_or_default(),
                    self.path.display()
                )));
            }
        }
        Ok(LayerSettings {
            format,
            encoding: self.encoding.clone(),
            own_crs: crs.is_some(),
            crs: crs.or(input),
            towgs84,
            layer: self.layer.clone().or_else(|| self.sheet.clone()),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZonesTable {
    widths: BTreeMap<String, f64>,
    quad_segs: Option<u32>,
    /// `whole` (default), `min-share` (with `min_share`) or `pro-rata`.
    count: Option<String>,
    /// The least share of a village's area inside the zones for it to count (`count =
    /// "min-share"`, which it implies).
    min_share: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OutputTable {
    dir: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OptionsTable {
    #[serde(default)]
    keep_going: bool,
    #[serde(default)]
    check_all: bool,
}

impl Plan {
    /// Every launch check the plan runs, in its order (`[checks] launch`).
    pub fn launch_checks(&self) -> Vec<&Path> {
        self.launch_check
            .iter()
            .chain(&self.more_launch_checks)
            .map(PathBuf::as_path)
            .collect()
    }

    /// Reads a plan file.
    pub fn load(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Plan::parse(path, &text)
    }

    /// Parses plan text that is not in a file (a service's request, a test): relative paths
    /// are resolved against `base_dir`, and messages name the plan `base_dir/plan.toml`.
    pub fn from_toml(text: &str, base_dir: &Path) -> Result<Plan> {
        Plan::parse(&base_dir.join("plan.toml"), text)
    }

    /// Puts `data` (GeoJSON bytes or a parsed layer, see [`LayerSource::from_bytes`]) in place
    /// of the file of the plan's layer `layer` (`villages`, `roads`, `corridors` or a context
    /// layer such as `townships`); the layer's field names stay the plan's. A layer the plan
    /// does not list is an error naming it.
    pub fn use_layer_data(&mut self, layer: &str, data: LayerData) -> Result<()> {
        let mut found = false;
        let mut set = |source: Option<&mut LayerSource>| {
            if let Some(source) = source {
                source.data = data.clone();
                found = true;
            }
        };
        let job = &mut self.affected;
        match layer {
            "villages" => set(Some(&mut job.villages)),
            "roads" => set(Some(&mut job.roads)),
            "corridors" => set(job.corridors.as_mut()),
            _ => {}
        }
        // Townships and sites are read both by the affected job (or the site scores) and as
        // context layers: both copies change.
        if layer == "townships" {
            set(job.townships.as_mut());
        }
        if layer == "sites" {
            set(self.sites.as_mut());
        }
        set(self.context.get_mut(layer));
        if found {
            Ok(())
        } else {
            Err(Error::config(
                self.path.display().to_string(),
                format!(
                    "the plan lists no layer {layer:?} ([layers.{layer}]) to put data in place of"
                ),
            ))
        }
    }

    /// Parses plan text; relative paths are resolved against `path`'s folder.
    pub fn parse(path: &Path, text: &str) -> Result<Plan> {
        let context = path.display().to_string();
        let file: PlanFile =
            toml::from_str(text).map_err(|e| Error::config(&context, e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        // `[crs] input`, when the plan states it, is every layer's stated CRS: a Shapefile
        // whose .prj names another is an error rather than one of the two silently winning.
        let stated_input: Option<InputCrs> = file
            .crs
            .input
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e: Error| Error::config(&context, e.to_string()))?;
        let mut layers = file.layers;
        let mut take = |kind: LayerKind| -> Result<Option<LayerSource>> {
            let Some(table) = layers.remove(kind.name()) else {
                return Ok(None);
            };
            table
                .source(kind.name(), kind, base, &context, stated_input)
                .map(Some)
        };
        let villages = take(LayerKind::Villages)?
            .ok_or_else(|| Error::config(&context, "the plan needs [layers.villages]"))?;
        let roads = take(LayerKind::Roads)?
            .ok_or_else(|| Error::config(&context, "the plan needs [layers.roads]"))?;
        let corridors = take(LayerKind::Corridors)?;
        let mut context_layers = BTreeMap::new();
        for kind in LayerKind::context_kinds()
            .into_iter()
            .chain([LayerKind::Communities])
        {
            if let Some(source) = take(kind)? {
                context_layers.insert(kind.name().to_owned(), source);
            }
        }
        // Any other layer is the plan's own (`[layers.patients]`): read, under its name, for
        // the plugins that declare it in `reads`; its `fields` map any model names.
        let other: Vec<String> = layers.keys().cloned().collect();
        for name in &other {
            if let Some(table) = layers.remove(name) {
                let source = table.source(name, LayerKind::Other, base, &context, stated_input)?;
                context_layers.insert(name.clone(), source);
            }
        }
        let listed = file.checks.launch.is_some();
        let launch: Vec<PathBuf> = file
            .checks
            .launch
            .map(OneOrMany::paths)
            .unwrap_or_default()
            .into_iter()
            .map(|p| base.join(p))
            .collect();
        if launch.is_empty() && listed {
            return Err(Error::config(
                &context,
                "[checks] launch = []: list at least one launch-check plugin, or leave launch out",
            ));
        }
        let townships = context_layers.get("townships").cloned();
        let sites = context_layers.get("sites").cloned();
        let crs = |s: &Option<String>| -> Result<Option<Crs>> {
            s.as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: Error| Error::config(&context, e.to_string()))
        };
        let mut zones = ZoneSpec::from_pairs(file.zones.widths)
            .map_err(|e| Error::config(&context, e.to_string()))?;
        if let Some(q) = file.zones.quad_segs {
            zones = zones.with_quad_segs(q);
        }
        let counting = counting(file.zones.count.as_deref(), file.zones.min_share)
            .map_err(|e| Error::config(&context, format!("[zones] {e}")))?;
        let engine = match &file.crs.engine {
            Some(e) => e
                .parse()
                .map_err(|e: Error| Error::config(&context, e.to_string()))?,
            None => CrsEngine::preferred(),
        };
        let programme = crate::jobs::programme::ProgrammeSpec {
            area_per_person_m2: file.programme.area_per_person_m2,
            goals: file.goals,
        };
        programme.check(&context)?;
        Ok(Plan {
            name: file.name.unwrap_or_else(|| "hecun plan".to_owned()),
            path: path.to_owned(),
            affected: AffectedJob {
                villages,
                roads,
                corridors,
                townships,
                zones,
                // A web map's coordinates are read as EPSG:4326 and converted layer by layer.
                input_crs: stated_input.map_or(Crs::WGS84, InputCrs::read_as),
                metric_crs: crs(&file.crs.metric)?,
                engine,
                keep_going: file.options.keep_going,
                check_all: file.options.check_all,
                counting,
            },
            output_dir: file.output.dir.map(|d| base.join(d)),
            launch_check: launch.first().cloned(),
            more_launch_checks: launch.iter().skip(1).cloned().collect(),
            standard_check: file.checks.standard.map(|p| base.join(p)),
            site_scoring: file
                .scoring
                .map(|s| {
                    if s.top.is_some() && s.quota.is_some() {
                        return Err(Error::config(
                            &context,
                            "[scoring]: give either top (a count per group) or quota (a count per group value, `*` for the others), not both",
                        ));
                    }
                    if s.per.as_deref() == Some("") {
                        return Err(Error::config(
                            &context,
                            "[scoring] per: name an attribute of the candidates (e.g. per = \"district\")",
                        ));
                    }
                    Ok(SiteScoring {
                        plugin: base.join(s.sites),
                        top: s.top.unwrap_or(2),
                        per: s.per,
                        quota: s.quota.unwrap_or_default(),
                    })
                })
                .transpose()?,
            scorings: scoring_jobs(&context, base, file.scorings, &context_layers)?,
            sites,
            context: context_layers,
            unused_layers: other,
            tables: stage_specs(&context, "tables", base, file.tables)?,
            targets: stage_specs(&context, "targets", base, file.targets)?,
            milestones: milestones(&context, file.milestones)?,
            as_of: None,
            programme,
            demonstration: file
                .demonstration
                .map(|t| crate::jobs::DemonstrationRule::from_plan_table(t, &context))
                .transpose()?,
        })
    }
}

/// Resolves the `[tables.NAME]` or `[targets.NAME]` entries of a plan (`section`): NAME names
/// their files (`tables/NAME.csv`), so it is letters, digits, `-` and `_` — never a path.
fn stage_specs(
    context: &str,
    section: &str,
    base: &Path,
    entries: BTreeMap<String, TablesEntry>,
) -> Result<Vec<TableSpec>> {
    entries
        .into_iter()
        .map(|(name, t)| {
            let fine = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
            if !fine {
                return Err(Error::config(
                    context,
                    format!(
                        "[{section}.{name:?}]: a name is letters, digits, - and _ (it names the files {section}/NAME.csv and .json)"
                    ),
                ));
            }
            Ok(TableSpec {
                name,
                plugin: base.join(t.plugin),
                params: t.params,
                title: t.title,
            })
        })
        .collect()
}

/// Checks the `[[milestones]]`: a file-name-safe name each once, a due date (a TOML date
/// `2026-05-31` or a string as [`parse_date`] reads it), exactly one of `field` and
/// `criterion`; the title defaults to the name. Every error names the milestone.
fn milestones(context: &str, entries: Vec<MilestonesEntry>) -> Result<Vec<Milestone>> {
    let mut out: Vec<Milestone> = Vec::with_capacity(entries.len());
    for (k, e) in entries.into_iter().enumerate() {
        let name = e.name.unwrap_or_default();
        let at = if name.is_empty() {
            format!("[[milestones]] #{}", k + 1)
        } else {
            format!("[[milestones]] name = {name:?}")
        };
        let bad = |message: String| Error::config(context, format!("{at}: {message}"));
        let fine = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !fine {
            return Err(bad(
                "name: a short id of letters, digits, - and _ (e.g. name = \"plans\")".to_owned(),
            ));
        }
        if out.iter().any(|m| m.name == name) {
            return Err(bad("named twice".to_owned()));
        }
        let due = match &e.due {
            None => {
                return Err(bad(
                    "due: give the date it is due (due = 2026-05-31)".to_owned()
                ));
            }
            Some(toml::Value::Datetime(d)) => match (d.date, d.time, d.offset) {
                (Some(date), None, None) => NaiveDate::from_ymd_opt(
                    i32::from(date.year),
                    u32::from(date.month),
                    u32::from(date.day),
                ),
                _ => None,
            }
            .ok_or_else(|| {
                bad(format!(
                    "due = {d}: a date without a time (due = 2026-05-31)"
                ))
            })?,
            Some(toml::Value::String(text)) => parse_date(text)
                .ok_or_else(|| bad(format!("due = {text:?}: not a date (due = 2026-05-31)")))?,
            Some(other) => {
                return Err(bad(format!("due = {other}: not a date (due = 2026-05-31)")));
            }
        };
        let holds = match (e.field, e.criterion) {
            (Some(f), None) if !f.trim().is_empty() => Holds::Field(f),
            (None, Some(c)) if !c.trim().is_empty() => Holds::Criterion(c),
            (Some(_), Some(_)) => {
                return Err(bad(
                    "give either field (the communities-table field with the date it was done) or criterion (a launch-check criterion), not both".to_owned(),
                ));
            }
            (None, None) => {
                return Err(bad(
                    "say what must hold: field = \"plan_approved_on\" (the date it was done) or criterion = \"plan_approved\" (a launch-check criterion)".to_owned(),
                ));
            }
            _ => return Err(bad("field or criterion is empty: name one".to_owned())),
        };
        if let Some((lang, _)) = e.title.iter().find(|(_, t)| t.trim().is_empty()) {
            return Err(bad(format!("title.{lang} is empty")));
        }
        let title = if e.title.is_empty() {
            BTreeMap::from([
                ("zh-CN".to_owned(), name.clone()),
                ("en".to_owned(), name.clone()),
            ])
        } else {
            e.title
        };
        out.push(Milestone {
            name,
            title,
            due,
            holds,
        });
    }
    Ok(out)
}

/// Checks and resolves the `[[scorings]]` tables: names that can prefix a file, each once and
/// not `sites` (whose files `[scoring] sites` writes); layers the plan lists.
fn scoring_jobs(
    context: &str,
    base: &Path,
    tables: Vec<ScoringsTable>,
    layers: &BTreeMap<String, LayerSource>,
) -> Result<Vec<ScoringJob>> {
    let mut jobs: Vec<ScoringJob> = Vec::new();
    for t in tables {
        let name = t.name;
        let at = format!("[[scorings]] name = {name:?}");
        let fine = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !fine {
            return Err(Error::config(
                context,
                format!("{at}: a name is letters, digits, - and _ (it prefixes the job's files)"),
            ));
        }
        if name == "sites" || name == "site" {
            return Err(Error::config(
                context,
                format!(
                    "{at}: the name is taken by [scoring] sites (sites_scored.*, site_scores.json)"
                ),
            ));
        }
        if jobs.iter().any(|j| j.name == name) {
            return Err(Error::config(context, format!("{at}: named twice")));
        }
        let layer = t.layer.unwrap_or_else(|| "sites".to_owned());
        if !layers.contains_key(&layer) {
            return Err(Error::config(
                context,
                format!("{at}: layer {layer:?} is not listed in the plan (add [layers.{layer}])"),
            ));
        }
        if t.top.is_some() && t.quota.is_some() {
            return Err(Error::config(
                context,
                format!(
                    "{at}: give either top (a count per group) or quota (a count per group value, `*` for the others), not both"
                ),
            ));
        }
        jobs.push(ScoringJob {
            name,
            title: t.title,
            layer,
            scoring: SiteScoring {
                plugin: base.join(t.plugin),
                top: t.top.unwrap_or(2),
                per: t.per,
                quota: t.quota.unwrap_or_default(),
            },
        });
    }
    Ok(jobs)
}

/// The counting rule a plan's `[zones] count` and `min_share` (or the flags `--count`,
/// `--min-share`) name.
pub fn counting(
    count: Option<&str>,
    min_share: Option<f64>,
) -> std::result::Result<Counting, String> {
    match (count.map(str::trim), min_share) {
        (None | Some("whole"), None) => Ok(Counting::Whole),
        (Some("pro-rata"), None) => Ok(Counting::ProRata),
        (None | Some("min-share"), Some(share)) => {
            Counting::min_share(share).map_err(|e| format!("min_share: {e}"))
        }
        (Some("min-share"), None) => {
            Err("count = \"min-share\" needs min_share, the least share of a village's area inside the zones (e.g. 0.2)".to_owned())
        }
        (Some(other @ ("whole" | "pro-rata")), Some(_)) => Err(format!(
            "min_share is given with count = \"{other}\": a minimum share belongs to count = \"min-share\""
        )),
        (Some(other), _) => Err(format!(
            "count = {other:?}: expected \"whole\" (a village counts whole when any part of it is in a zone), \"min-share\" (with min_share) or \"pro-rata\""
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demonstration_rule_is_read_and_checked() {
        let plan = |table: &str| {
            let text = format!(
                "[layers.villages]\npath = \"v.geojson\"\n[layers.roads]\npath = \"r.geojson\"\n[zones.widths]\nring = 1\n{table}"
            );
            Plan::from_toml(&text, Path::new("office")).map(|p| p.demonstration)
        };
        assert_eq!(plan("").unwrap(), None);
        let rule = plan("[demonstration]\ntowns = [\"郑庵镇\"]")
            .unwrap()
            .unwrap();
        assert_eq!(rule.per_township, (1, 2));
        assert_eq!(rule.towns, ["郑庵镇".to_owned()].into());
        assert_eq!(
            plan("[demonstration]").unwrap(),
            Some(crate::jobs::DemonstrationRule::default())
        );
        for (bad, needle) in [
            ("per_township = [2, 1]", "per_township"),
            ("criteria = [\"score\"]", "\"score\""),
            ("quota = 2", "quota"),
        ] {
            let e = plan(&format!("[demonstration]\n{bad}"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("office/plan.toml") && e.contains("demonstration") && e.contains(needle),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn the_counting_rule_is_read_from_zones_and_checked() {
        let plan = |zones: &str| {
            let text = format!(
                "[layers.villages]\npath = \"v.geojson\"\n[layers.roads]\npath = \"r.geojson\"\n[zones]\n{zones}\n[zones.widths]\nring = 1\n"
            );
            Plan::from_toml(&text, Path::new(".")).map(|p| p.affected.counting)
        };
        assert_eq!(plan("").unwrap(), Counting::Whole);
        assert_eq!(plan("count = \"whole\"").unwrap(), Counting::Whole);
        assert_eq!(plan("count = \"pro-rata\"").unwrap(), Counting::ProRata);
        let share = Counting::MinShare { share: 0.2 };
        assert_eq!(plan("min_share = 0.2").unwrap(), share);
        assert_eq!(
            plan("count = \"min-share\"\nmin_share = 0.2").unwrap(),
            share
        );
        for (bad, needle) in [
            ("count = \"min-share\"", "needs min_share"),
            ("min_share = 0", "above 0"),
            ("min_share = 1.5", "at most 1"),
            (
                "count = \"pro-rata\"\nmin_share = 0.2",
                "belongs to count = \"min-share\"",
            ),
            ("count = \"most\"", "\"most\""),
        ] {
            let e = plan(bad).unwrap_err().to_string();
            assert!(e.contains("[zones]") && e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn resolves_paths_and_fields() {
        let text = r#"
            name = "演示"
            [crs]
            metric = "EPSG:4547"
            [layers.villages]
            path = "v.geojson"
            fields = { households = "户数" }
            [layers.roads]
            path = "r.geojson"
            [layers.sites]
            path = "s.geojson"
            [zones.widths]
            "环线" = 100
            [output]
            dir = "out"
        "#;
        let plan = Plan::parse(Path::new("demo/plan.toml"), text).unwrap();
        assert_eq!(plan.affected.villages.path, Path::new("demo/v.geojson"));
        assert_eq!(
            plan.affected.villages.schema.candidates("households"),
            vec!["户数"]
        );
        assert_eq!(plan.affected.metric_crs.unwrap().code(), 4547);
        assert_eq!(plan.output_dir.as_deref(), Some(Path::new("demo/out")));
        assert!(plan.unused_layers.is_empty());
        assert_eq!(plan.sites.unwrap().path, Path::new("demo/s.geojson"));
    }

    #[test]
    fn names_the_mistake() {
        let err = Plan::parse(
            Path::new("p.toml"),
            "[layers.villages]\npath='v'\n[zones.widths]\nring=1\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("layers.roads"), "{err}");
        let err = Plan::parse(
            Path::new("p.toml"),
            "[layers.villages]\npath='v'\nfields={ pop = 'x' }\n[zones.widths]\nring=1\n",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown model field \"pop\""),
            "{err}"
        );
    }

    #[test]
    fn layer_format_encoding_crs_and_towgs84() {
        let text = r#"
            [crs]
            input = "EPSG:4547"
            [layers.villages]
            path = "v.dat"
            format = "shapefile"
            encoding = "GBK"
            [layers.roads]
            path = "r.shp"
            crs = "EPSG:2383"
            towgs84 = [24, -123, -94, 0.02, -0.25, -0.13, 1.1]
            [zones.widths]
            ring = 1
        "#;
        let plan = Plan::parse(Path::new("p.toml"), text).unwrap();
        let v = &plan.affected.villages.settings;
        assert_eq!(v.format, Some(Format::Shapefile));
        assert_eq!(v.encoding.as_deref(), Some("GBK"));
        // `[crs] input` is the stated CRS of a layer without its own.
        assert_eq!(v.crs.map(InputCrs::read_as).map(Crs::code), Some(4547));
        let r = &plan.affected.roads.settings;
        assert_eq!(r.crs.map(InputCrs::read_as).map(Crs::code), Some(2383));
        assert_eq!(
            r.towgs84,
            Some([24.0, -123.0, -94.0, 0.02, -0.25, -0.13, 1.1])
        );
    }

    #[test]
    fn layer_of_a_geodatabase_and_format_gdal() {
        let text = r#"
            [layers.villages]
            path = "county.gdb"
            layer = "村庄"
            [layers.roads]
            path = "roads.kml"
            format = "gdal"
            [zones.widths]
            ring = 1
        "#;
        let plan = Plan::parse(Path::new("p.toml"), text).unwrap();
        let v = &plan.affected.villages.settings;
        assert_eq!((v.format, v.layer.as_deref()), (None, Some("村庄")));
        let r = &plan.affected.roads.settings;
        assert_eq!((r.format, r.layer.as_deref()), (Some(Format::Gdal), None));
        let err = Plan::parse(Path::new("p.toml"), &text.replace("村庄", " ")).unwrap_err();
        assert!(err.to_string().contains("[layers.villages] layer"), "{err}");
    }

    #[test]
    fn bad_layer_settings_name_the_layer() {
        let parse = |layer: &str| {
            let text = format!(
                "[layers.villages]\npath='v.shp'\n{layer}\n[layers.roads]\npath='r'\n[zones.widths]\nring=1\n"
            );
            Plan::parse(Path::new("p.toml"), &text)
                .unwrap_err()
                .to_string()
        };
        let err = parse("towgs84 = [1, 2, 3]");
        assert!(
            err.contains("[layers.villages]") && err.contains("3 numbers"),
            "{err}"
        );
        let err = parse("encoding = 'KOI-9'");
        assert!(
            err.contains("[layers.villages]") && err.contains("KOI-9"),
            "{err}"
        );
        let err = parse("format = 'kml'");
        assert!(
            err.contains("[layers.villages]") && err.contains("kml"),
            "{err}"
        );
        let err = parse("crs = 'EPSG:nope'");
        assert!(err.contains("[layers.villages] crs"), "{err}");
    }

    /// A table's or a target's name becomes a file name: one that could leave the output
    /// folder, or is empty, is refused before anything runs.
    #[test]
    fn table_and_target_names_are_file_names() {
        for section in ["tables", "targets"] {
            for name in ["../escape", "a/b", "", "a.b"] {
                let text = format!(
                    "[layers.villages]\npath='v'\n[layers.roads]\npath='r'\n[zones.widths]\nring=1\n\
                     [{section}.\"{name}\"]\nplugin = 'p'\n"
                );
                let err = Plan::parse(Path::new("p.toml"), &text)
                    .unwrap_err()
                    .to_string();
                assert!(
                    err.contains(&format!("[{section}.")) && err.contains("letters, digits"),
                    "{section} {name:?}: {err}"
                );
            }
            let text = format!(
                "[layers.villages]\npath='v'\n[layers.roads]\npath='r'\n[zones.widths]\nring=1\n\
                 [{section}.rehab-demand_2]\nplugin = 'p'\n"
            );
            Plan::parse(Path::new("p.toml"), &text).unwrap();
        }
    }

    /// `[[milestones]]`: a TOML date or a string, the title defaulting to the name, and every
    /// mistake named with the plan file and the milestone.
    #[test]
    fn milestones_are_read_and_checked() {
        let plan = |milestones: &str| {
            let text = format!(
                "[layers.villages]\npath='v'\n[layers.roads]\npath='r'\n[zones.widths]\nring=1\n{milestones}"
            );
            Plan::parse(Path::new("demo/plan.toml"), &text)
        };
        let p = plan(
            r#"
            [[milestones]]
            name = "plans"
            title = { zh-CN = "空间规划和详细规划编制完成", en = "Spatial and detailed plans done" }
            due = 2026-05-31
            field = "plan_approved_on"
            [[milestones]]
            name = "started"
            due = "2026年8月31日"
            criterion = "construction_started"
            "#,
        )
        .unwrap();
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(p.milestones.len(), 2);
        assert_eq!(p.milestones[0].name, "plans");
        assert_eq!(p.milestones[0].due, date(2026, 5, 31));
        assert_eq!(
            p.milestones[0].title("en"),
            "Spatial and detailed plans done"
        );
        assert_eq!(
            p.milestones[0].holds,
            Holds::Field("plan_approved_on".into())
        );
        assert_eq!(p.milestones[1].due, date(2026, 8, 31));
        assert_eq!(p.milestones[1].title("zh-CN"), "started");
        assert_eq!(
            p.milestones[1].holds,
            Holds::Criterion("construction_started".into())
        );
        assert!(plan("").unwrap().milestones.is_empty());
        assert_eq!(plan("").unwrap().as_of, None);

        let one = |body: &str| format!("[[milestones]]\n{body}\n");
        for (bad, needles) in [
            (
                one("name = 'a/b'\ndue = 2026-05-31\nfield = 'x'"),
                vec!["\"a/b\"", "letters, digits"],
            ),
            (one("due = 2026-05-31\nfield = 'x'"), vec!["#1", "name"]),
            (
                format!(
                    "{}{}",
                    one("name = 'p'\ndue = 2026-05-31\nfield = 'x'"),
                    one("name = 'p'\ndue = 2026-05-31\nfield = 'y'")
                ),
                vec!["\"p\"", "named twice"],
            ),
            (one("name = 'p'\nfield = 'x'"), vec!["\"p\"", "due"]),
            (
                one("name = 'p'\ndue = '五月底'\nfield = 'x'"),
                vec!["\"p\"", "五月底", "not a date"],
            ),
            (
                one("name = 'p'\ndue = 2026-02-30\nfield = 'x'"),
                vec!["due"],
            ),
            (
                one("name = 'p'\ndue = 2026-05-31T08:00:00\nfield = 'x'"),
                vec!["\"p\"", "without a time"],
            ),
            (
                one("name = 'p'\ndue = 20260531\nfield = 'x'"),
                vec!["\"p\"", "not a date"],
            ),
            (
                one("name = 'p'\ndue = 2026-05-31"),
                vec!["\"p\"", "field", "criterion"],
            ),
            (
                one("name = 'p'\ndue = 2026-05-31\nfield = 'x'\ncriterion = 'y'"),
                vec!["\"p\"", "not both"],
            ),
            (
                one("name = 'p'\ndue = 2026-05-31\nfield = ' '"),
                vec!["\"p\"", "empty"],
            ),
            (
                one("name = 'p'\ndue = 2026-05-31\nfield = 'x'\ndeadline = 1"),
                vec!["deadline"],
            ),
        ] {
            let e = plan(&bad).unwrap_err().to_string();
            assert!(e.contains("demo/plan.toml"), "{bad}: {e}");
            for needle in needles {
                assert!(e.contains(needle), "{bad}: {needle}: {e}");
            }
        }
    }
}
