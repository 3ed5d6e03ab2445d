//! What a planner takes to the review meeting: one [`Report`] of a whole run (the summary in
//! the source plan's terms, every table, every explanation, the map's layers), rendered as a
//! self-contained HTML page ([`render_html`]), kept as `report.json` for [`diff()`]ing runs, and
//! accounted for by a run [`manifest`](crate::run::manifest).
//!
//! The report is data only: numbers as the jobs computed them, names as the layers spell them.
//! Words (zh-CN or English) belong to the renderer.

use geo::{Geometry, MultiPolygon};
use serde::{Deserialize, Serialize};

use crate::rules::{Cell, Column, Criterion, Finding, RowKind, Term};

mod build;
pub mod diff;
mod failures;
mod html;
pub(crate) mod numbers;

pub(crate) use html::palette;
mod text;
mod verify_text;
pub(crate) mod words;
pub mod workbook;

pub use build::{ReportInputs, SweepSpec, sweep, sweep_prepared};
pub use diff::{Diff, diff, diff_text};
pub use html::render_html;
pub use text::{files_written, report_text, sweep_csv};
pub use verify_text::{finding_line, input_line, inputs_summary, other_build, verify_summary};

/// The language of the words around the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// 简体中文 (the default: the plan's own language).
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Parses `zh-CN` / `zh` / `en`.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// The BCP 47 tag (`zh-CN`, `en`), as plugins' criterion titles are keyed.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }
}

pub use crate::jobs::MilestoneSection;
pub use crate::pipeline::affected::Counts;

/// Everything one run found, in the plan's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The plan's name (e.g. 郑州示范区合村并城（演示）).
    pub plan: String,
    /// hecun's version that made it.
    pub tool_version: String,
    /// The build that made it: version, commit and cargo features (not the program's hash,
    /// which the run manifest records). Two runs of one build name the same build; a report
    /// written before builds were named reads as an unknown build of `tool_version`.
    #[serde(default = "crate::run::Build::unknown")]
    pub build: crate::run::Build,
    /// The CRS distances and areas were computed in (e.g. `EPSG:4547`).
    pub metric_crs: String,
    /// Villages in the villages layer.
    pub villages_in_layer: usize,
    /// The headline numbers.
    pub totals: Totals,
    /// The rule villages were counted by (whole, from a minimum share, with a pro-rata
    /// estimate), stated under the headline.
    #[serde(default)]
    pub counting: crate::pipeline::affected::Counting,
    /// With a minimum share: the villages touched by a zone but not counted.
    #[serde(default)]
    pub below_share: Counts,
    /// Pro rata: the households and people estimated by each village's share inside.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pro_rata: Option<crate::pipeline::affected::Estimate>,
    /// Per township, in the order of 区划代码 (their villages' ids), then any township only
    /// communities or sites name, by name.
    pub townships: Vec<TownshipRow>,
    /// Per zone class (road class or corridor level): road classes first, then corridor
    /// levels, each by zone width, widest first.
    pub classes: Vec<ClassRow>,
    /// The villages inside a demolition zone, in layer order.
    pub villages: Vec<VillageRow>,
    /// The launch fields no village has a value for (absent, null or blank in every one):
    /// said beside the communities and in the summary, since every criterion reading one
    /// fails everywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub launch_fields_missing: Vec<crate::jobs::MissingLaunchField>,
    /// The new communities (when the plan runs a launch check or a standard selection), in
    /// the office's order: the communities table's, else by their villages' 区划代码.
    pub communities: Vec<CommunityRow>,
    /// The candidate resettlement sites (when the plan scores sites), in layer order.
    pub sites: Vec<SiteRow>,
    /// Sites chosen per township (when the plan scores sites).
    #[serde(default)]
    pub top: Option<usize>,
    /// How sites were chosen when not the best `top` per township (`[scoring] per`, `quota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
    /// The named scoring jobs (`[[scorings]]`), in the plan's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scorings: Vec<ScoringSection>,
    /// Households affected per zone width (with `--sweep`).
    pub sweep: Option<Sweep>,
    /// The plan's tables (`[tables.NAME]`), in name order, as the engine totalled them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableSection>,
    /// The plan's target checks (`[targets.NAME]`), in name order, as the engine judged them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetSection>,
    /// The plan's milestones (`[[milestones]]`) per community as of the run's date, with the
    /// tallies per township, county and 管委会; `None` when the plan lists none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestones: Option<MilestoneSection>,
    /// The whole plan: communities with designations and capacity, villages in no
    /// community, roll-ups per township, county and 管委会, the plan's goals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<crate::jobs::ProgrammeRun>,
    /// The plugins that ran.
    pub plugins: Vec<PluginRow>,
    /// What the planner should know, in English (as the CLI's warning lines and the run
    /// manifest say it).
    pub warnings: Vec<String>,
    /// The same warnings in 简体中文, one for each of `warnings` (the zh-CN page and
    /// `summary.txt` show these). Empty in a report written before warnings had Chinese
    /// words, or when a caller fills `warnings` alone: then the English is shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings_zh: Vec<String>,
    /// The layers of the map, in the metric CRS (not kept in `report.json`).
    #[serde(skip)]
    pub map: Option<MapData>,
}

/// A named scoring job's results (`[[scorings]]`): its own section under its title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringSection {
    /// The job's name (the prefix of its files).
    pub name: String,
    /// Its title per language (`zh-CN`, `en`).
    pub title: std::collections::BTreeMap<String, String>,
    /// The plugin that scored.
    pub plugin: String,
    /// The plan layer of its candidates.
    pub layer: String,
    /// Its candidates, in layer order.
    pub sites: Vec<SiteRow>,
    /// Chosen per township, when that is how it chooses.
    pub top: Option<usize>,
    /// How it chooses otherwise (`per`, `quota`).
    pub choice: Option<Choice>,
}

impl ScoringSection {
    /// Its title in `lang`, else in any language, else its name.
    pub fn title(&self, lang: Lang) -> &str {
        self.title
            .get(lang.tag())
            .or_else(|| self.title.values().next())
            .map_or(self.name.as_str(), String::as_str)
    }
}

/// How sites were chosen when the plan groups them by another attribute or gives a count per
/// group (`[scoring] per`, `quota`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The attribute the sites were grouped by (`township` unless `per` names another).
    pub per: String,
    /// Sites chosen in every group, when there is no table.
    pub top: Option<usize>,
    /// The count per group value (`*`: the others).
    pub quota: std::collections::BTreeMap<String, usize>,
    /// Sites chosen in all.
    pub chosen: usize,
    /// Sites chosen per group value (groups with none chosen are absent), so that a quota
    /// that could not be filled shows as such.
    #[serde(default)]
    pub chosen_per_group: std::collections::BTreeMap<String, usize>,
}

/// A table a table plugin computed, as the report shows it: its rows, each group's subtotal
/// after the group's rows, and the total row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSection {
    /// Its name in the plan.
    pub name: String,
    /// Its title by language tag (the plan's; the name otherwise).
    pub title: std::collections::BTreeMap<String, String>,
    /// The plugin that computed it.
    pub plugin: String,
    /// The columns as the plugin declares them.
    pub columns: Vec<Column>,
    /// The rows in reading order.
    pub rows: Vec<TableSectionRow>,
}

/// A target check (`[targets.NAME]`) as the report shows it: each target met or missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSection {
    /// Its name in the plan.
    pub name: String,
    /// Its title by language tag (the plan's; the name otherwise).
    pub title: std::collections::BTreeMap<String, String>,
    /// The plugin that measured.
    pub plugin: String,
    /// The plugin's failure, when it failed (every target is then `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The targets, in the manifest's order.
    pub targets: Vec<TargetRow>,
}

/// One target of a [`TargetSection`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRow {
    /// The target as its plugin declares it (name, titles, comparison, unit).
    pub target: crate::rules::TargetDecl,
    /// Met, missed or error.
    pub status: crate::rules::TargetStatus,
    /// What was measured, for a target measured as one number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<f64>,
    /// What is wanted, for a target measured as one number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wanted: Option<f64>,
    /// Each group of a target measured per group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<crate::rules::GroupMeasure>,
}

impl TargetSection {
    /// The title in language `tag`, else the name.
    pub fn title(&self, tag: &str) -> &str {
        crate::rules::contract::title_in(&self.title, tag).unwrap_or(&self.name)
    }
}

/// One row of a [`TableSection`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSectionRow {
    /// A plugin's row, a subtotal or the total.
    pub kind: RowKind,
    /// One cell per column (none where a subtotal or total has no value).
    pub cells: Vec<Option<Cell>>,
}

impl TableSection {
    /// The title in language `tag`, else the name.
    pub fn title(&self, tag: &str) -> &str {
        crate::rules::contract::title_in(&self.title, tag).unwrap_or(&self.name)
    }
}

/// The headline numbers of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Villages, households and people inside the demolition zones.
    pub affected: Counts,
    /// New communities (0 when the plan forms none).
    pub communities: usize,
    /// Villages, households and people merged into the new communities.
    pub in_communities: Counts,
    /// Communities that may launch (启动), that are blocked by a failed criterion, vetoed, or
    /// whose check failed to run.
    pub launched: usize,
    /// See `launched`.
    pub blocked: usize,
    /// See `launched`.
    pub vetoed: usize,
    /// See `launched`.
    pub check_errors: usize,
    /// Candidate sites, and those chosen as demonstration communities (示范社区).
    pub sites: usize,
    /// See `sites`.
    pub sites_chosen: usize,
}

/// One township's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownshipRow {
    /// Its name (empty: villages with no township).
    pub township: String,
    /// Villages of the township in the villages layer.
    pub villages_in_layer: usize,
    /// Its villages, households and people inside the zones.
    pub affected: Counts,
    /// Its new communities, and their launch status.
    pub communities: usize,
    /// See `communities`.
    pub launched: usize,
    /// See `communities`.
    pub blocked: usize,
    /// See `communities`.
    pub vetoed: usize,
    /// Names of the sites chosen as its demonstration communities, best first.
    pub demonstration: Vec<String>,
}

/// One zone class's numbers (a village hit by two classes counts in both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRow {
    /// The class (e.g. 环线, 一级).
    pub class: String,
    /// Whether it is a road class or a corridor level.
    pub layer: String,
    /// The zone width in metres.
    pub width_m: f64,
    /// Zones of the class.
    pub zones: usize,
    /// Villages, households and people inside its zones.
    pub affected: Counts,
}

/// A village inside a demolition zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageRow {
    /// Its id (e.g. 统计用区划代码).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Households.
    pub households: u64,
    /// People.
    pub population: u64,
    /// Share of its area inside the zones (0–1).
    pub fraction_inside: f64,
    /// The zones it lies in.
    pub zones: Vec<ZoneRef>,
}

/// A zone, named by what it was drawn around.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneRef {
    /// `roads` or `corridors`.
    pub layer: String,
    /// The road's or corridor's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its class.
    pub class: String,
    /// The zone width in metres.
    pub width_m: f64,
}

/// The launch status of a community, in the source plan's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LaunchStatus {
    /// Every criterion of 启动标准 holds.
    Launched,
    /// A criterion fails.
    Blocked,
    /// A one-vote veto (e.g. forced demolition).
    Vetoed,
    /// The check failed to run (the plugin's error is kept).
    Error,
}

/// A new community.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityRow {
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// The ids of the villages merged into it.
    pub villages: Vec<String>,
    /// Households and people of those villages (`villages` = their count).
    pub counts: Counts,
    /// The launch check's verdict, when the plan runs one.
    pub launch: Option<Check>,
    /// The planning standard that applies and whether it is met, when the plan selects one.
    pub standard: Option<StandardCheck>,
}

/// A check's outcome with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Launched, blocked, vetoed, or error.
    pub status: LaunchStatus,
    /// Every failed criterion and veto, with its reason and evidence.
    pub findings: Vec<Finding>,
    /// The plugin's error, when the check failed to run.
    pub error: Option<String>,
}

/// The planning standard chosen for a community, and the check against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardCheck {
    /// The standard (e.g. GB 50180-2018); empty when the plugin failed.
    pub standard: String,
    /// Met (`launched`), missed (`blocked`), or error, with the thresholds missed.
    pub check: Check,
}

/// A candidate resettlement site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Its score; `None` when excluded or failed.
    pub score: Option<f64>,
    /// Why it may not be chosen, with the evidence.
    pub excluded: Option<Exclusion>,
    /// The plugin's error, when scoring failed.
    pub error: Option<String>,
    /// Rank among all scored sites (1 = best).
    pub rank: Option<usize>,
    /// Rank within its township.
    pub rank_in_township: Option<usize>,
    /// Chosen as one of its township's demonstration communities.
    pub chosen: bool,
    /// The terms of its score.
    pub terms: Vec<Term>,
    /// The evidence the plugin gave for its score (none: not written).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub evidence: std::collections::BTreeMap<String, serde_json::Value>,
    /// The distances hecun measured for the site and handed the plugin (metres, by engine
    /// feature: `town_distance`, `road_distance`, `village_distance`; a distance that could
    /// not be measured is absent): what the terms' values were computed from.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub measured: std::collections::BTreeMap<String, f64>,
}

/// The engine's site features that are distances in metres, in the order the page gives
/// them: what a site's score terms are computed from (a plugin's `[[terms]] measure` names
/// one of them).
pub const MEASURED_DISTANCES: [&str; 3] = crate::rules::TERM_MEASURES;

/// Why a site is out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// In words a planner reads.
    pub reason: String,
    /// Feature ids, distances, shares behind it.
    pub evidence: std::collections::BTreeMap<String, serde_json::Value>,
    /// The reason per language when the plugin answered a message (`[messages]`); empty
    /// for a reason written as text.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub reasons: std::collections::BTreeMap<String, String>,
}

impl Exclusion {
    /// The reason in language `tag` when the plugin gave it in that language, else as written.
    pub fn reason_in(&self, tag: &str) -> &str {
        self.reasons.get(tag).unwrap_or(&self.reason)
    }
}

/// A plugin that ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginRow {
    /// What it decided: `launch`, `standard` or `sites`.
    pub role: String,
    /// Its name and version.
    pub name: String,
    /// See `name`.
    pub version: String,
    /// `rhai` or `wasm`.
    pub runtime: String,
    /// The criteria it declares, in its order, with their titles (none when it declares none:
    /// reports then show criterion ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    /// The titles of the terms it answers (`[[terms]]`; none: reports show the names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<crate::rules::TermTitle>,
    /// The titles of its evidence keys (`[evidence]`; none: reports show the keys).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub evidence: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// The edition of the standard it applies, with its note (a planning standard's
    /// `params.edition`: `GB 50180-2018（现行；方案所引GB 50180-93已被替代）`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
}

/// Households affected as one class's zone width varies (the other widths as planned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The class whose width varies.
    pub class: String,
    /// The planned width, for reference.
    pub planned_m: Option<f64>,
    /// One row per width, in increasing width.
    pub rows: Vec<SweepRow>,
}

/// One width of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// The width in metres.
    pub width_m: f64,
    /// Villages, households and people inside any zone at this width.
    pub affected: Counts,
}

/// The layers drawn on the report's map, in the metric CRS (metres; x east, y north).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapData {
    /// Township boundaries with their names.
    pub townships: Vec<(String, MultiPolygon<f64>)>,
    /// Roads (lines), each with its class.
    pub roads: Vec<MapLine>,
    /// Ecological corridors (polygons or lines), each with its level as the class.
    pub corridors: Vec<MapLine>,
    /// Demolition zones with their class.
    pub zones: Vec<(String, MultiPolygon<f64>)>,
    /// Permanent basic farmland (the plan's `farmland` layer), each feature's id with its
    /// polygons: drawn because sites are excluded for it, so the map shows why.
    pub farmland: Vec<(String, MultiPolygon<f64>)>,
    /// The ecological red line (the plan's `redline` layer), each feature's id with its
    /// polygons, drawn for the same reason as [`MapData::farmland`].
    pub redline: Vec<(String, MultiPolygon<f64>)>,
    /// Every village of the layer.
    pub villages: Vec<MapVillage>,
    /// The candidate sites.
    pub sites: Vec<MapSite>,
}

/// A road or corridor on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLine {
    /// Its class (road class, corridor level): the colour, legend and zone width.
    pub class: String,
    /// Its name (`三环路`), empty when the layer has none.
    pub name: String,
    /// Its line or polygon.
    pub geometry: Geometry<f64>,
}

/// A village on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapVillage {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township (empty when unknown): the large page's map names it and searches by it.
    pub township: String,
    /// Households (户数), for the large page's map's details.
    pub households: u64,
    /// People (人口), for the large page's map's details.
    pub population: u64,
    /// Share of its area inside the zones (0 when untouched).
    pub fraction_inside: f64,
    /// The classes of the zones that touch it, each once (in the zones' order).
    pub zone_classes: Vec<String>,
    /// Its polygons.
    pub geometry: MultiPolygon<f64>,
}

/// A candidate site on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSite {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its score (`None`: excluded or failed).
    pub score: Option<f64>,
    /// Why the plugin excluded it.
    pub excluded: Option<String>,
    /// The plugin's error, when scoring it failed.
    pub error: Option<String>,
    /// Chosen as a demonstration community.
    pub chosen: bool,
    /// Its point or polygon.
    pub geometry: Geometry<f64>,
}

fn criteria_of<'a>(row: &'a PluginRow, id: &str) -> Option<(usize, &'a Criterion)> {
    row.criteria.iter().enumerate().find(|(_, c)| c.id == id)
}

impl Report {
    /// The line naming the build that made the report, in `lang` (`hecun 0.1.0 (commit
    /// abc1234, features: rhai, wasm, parquet)`, `hecun 0.1.0（代码提交 abc1234，功能：rhai、wasm、
    /// parquet）`); for a report that did not record it, hecun and its version.
    pub fn build_line(&self, lang: Lang) -> String {
        if self.build.version == "unknown" {
            return format!("hecun {}", self.tool_version);
        }
        match lang {
            Lang::En => self.build.line(),
            Lang::ZhCn => format!(
                "hecun {}（代码提交 {}，功能：{}）",
                self.build.version,
                self.build.short_commit(),
                if self.build.features.is_empty() {
                    "无".to_owned()
                } else {
                    self.build.features.join("、")
                }
            ),
        }
    }

    /// The title of term `name` in `lang`, as the first plugin that declares it gives it
    /// (`[[terms]]`); none when no plugin titles it.
    pub fn term_title(&self, name: &str, lang: Lang) -> Option<&str> {
        self.plugins
            .iter()
            .flat_map(|p| &p.terms)
            .filter(|t| t.id == name)
            .find_map(|t| crate::rules::contract::title_in(&t.title, lang.tag()))
    }

    /// The title of evidence key `key` in `lang`: as the plugin of `role` declares it
    /// (`[evidence]`), else as any plugin of the run does; none when none does (the engine's
    /// own keys are titled by the words of the page).
    pub fn evidence_title(&self, role: &str, key: &str, lang: Lang) -> Option<&str> {
        let titled = |p: &&PluginRow| {
            p.evidence
                .get(key)
                .and_then(|t| crate::rules::contract::title_in(t, lang.tag()))
                .is_some()
        };
        let row = self
            .plugins
            .iter()
            .filter(|p| p.role == role)
            .find(titled)
            .or_else(|| self.plugins.iter().find(titled))?;
        crate::rules::contract::title_in(&row.evidence[key], lang.tag())
    }

    /// The title of criterion `id`, as the plugin that decided `role` (`launch`, `standard`)
    /// declares it in `lang`; its id when the plugin gives no title.
    pub fn criterion_title<'a>(&'a self, role: &str, id: &'a str, lang: Lang) -> &'a str {
        self.criterion(role, id)
            .and_then(|(_, c)| c.title(lang.tag()))
            .unwrap_or(id)
    }

    /// The criteria among `ids`, each once, in the order the plugin that decided `role`
    /// declares them (undeclared ones after, in the order given).
    pub fn criteria_in_order<'a>(
        &self,
        role: &str,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = Vec::new();
        for id in ids {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        // A stable sort: undeclared criteria keep the order they were found in.
        out.sort_by_key(|id| self.criterion(role, id).map_or(usize::MAX, |(i, _)| i));
        out
    }

    /// Criterion `id` as the plugin of `role` declares it, with its place in that plugin's
    /// order. With several plugins of the role (launch checks), `plugin:id` is the plugin's
    /// own criterion, placed after the criteria of the plugins before it; a bare `id` (the
    /// host's veto guard) is the first plugin's that declares it.
    fn criterion(&self, role: &str, id: &str) -> Option<(usize, &Criterion)> {
        // Far above any plugin's count of criteria: orders plugin by plugin.
        const PER_PLUGIN: usize = 1 << 20;
        let mut rows = self.plugins.iter().filter(|p| p.role == role).enumerate();
        let several = self.plugins.iter().filter(|p| p.role == role).count() > 1;
        if !several {
            let (_, row) = rows.next()?;
            return criteria_of(row, id);
        }
        for (k, row) in rows {
            if let Some(own) = id
                .strip_prefix(row.name.as_str())
                .and_then(|rest| rest.strip_prefix(':'))
                && let Some((i, c)) = criteria_of(row, own)
            {
                return Some((k * PER_PLUGIN + i, c));
            }
        }
        self.plugins
            .iter()
            .filter(|p| p.role == role)
            .find_map(|row| criteria_of(row, id))
    }

    /// The report as pretty JSON with a final newline (`report.json`; no map).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a report written by [`Report::to_json`] (`context` names it in errors).
    pub fn from_json(context: &str, text: &str) -> crate::Result<Report> {
        serde_json::from_str(text).map_err(|e| crate::Error::config(context, e.to_string()))
    }
}

impl Report {
    /// Fills the milestones section from `run` (the programme step calls this after judging
    /// the communities), and lists the run's milestone warnings with the report's others,
    /// each once.
    pub fn add_milestones(&mut self, run: &crate::jobs::MilestoneRun) {
        self.milestones = Some(run.section());
        for w in &run.warnings {
            if !self.warnings.contains(&w.message) {
                // Keep the two lists aligned: a report whose Chinese list was empty while its
                // English one was not gets the English in its place first.
                if self.warnings_zh.len() != self.warnings.len() {
                    self.warnings_zh = self.warnings.clone();
                }
                self.warnings.push(w.message.clone());
                self.warnings_zh.push(w.text(Lang::ZhCn).to_owned());
            }
        }
    }

    /// The warnings in `lang`: the Chinese words when the report has them for every warning,
    /// the English otherwise.
    pub fn warnings_in(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::ZhCn if self.warnings_zh.len() == self.warnings.len() => &self.warnings_zh,
            _ => &self.warnings,
        }
    }

    /// The counting rule and what it left out or estimated, as the job's summary has them.
    pub(crate) fn counting_summary(&self) -> crate::pipeline::affected::Summary {
        crate::pipeline::affected::Summary {
            villages_in_layer: self.villages_in_layer,
            total: self.totals.affected,
            townships: Vec::new(),
            classes: Vec::new(),
            counting: self.counting,
            below_share: self.below_share,
            pro_rata: self.pro_rata,
        }
    }
}
