//! The whole 合村并城 plan as the office runs it: each new community with its designations,
//! its villages inside the demolition zones and the resettlement housing it has for them; the
//! villages in no community; totals per township, county (县(市)区) and 管委会; and the plan's
//! own targets (`[goals]`) met or missed.
//!
//! The communities are the ones every other step sees ([`group_communities`]): the office's
//! table first, then the villages' `community` field, then the nearest site (derived, and
//! said so).
//!
//! Counting follows the plan's `[zones] count` rule: the villages counted as inside the zones
//! are the ones the headline counts; under `pro-rata` their households and people are the
//! labelled estimate (households × share of the village's area inside), so a community's
//! housing is weighed against the same numbers the summary states.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::communities::{CommunityTable, Grouping, Join, group_communities};
use crate::error::{Error, Result};
use crate::model::community::Designation;
use crate::model::field_text;
use crate::model::layer::{Feature, Layer};
use crate::model::schema::{LayerKind, Schema};
use crate::pipeline::affected::Counting;
use crate::pipeline::job::AffectedRun;
use crate::pipeline::outputs::{csv_writer, finish};
use crate::pipeline::plan::Plan;
use crate::rules::verdict::Status;
use crate::warning::{Warning, WarningKind};

/// The plan's `[programme]` settings and `[goals]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgrammeSpec {
    /// Resettlement floor area per person (m²): what a community's capacity in m² is weighed
    /// against (`[programme] area_per_person_m2`).
    pub area_per_person_m2: Option<f64>,
    /// The plan's targets (`[goals]`).
    pub goals: Option<Goals>,
}

/// The plan's own targets (目标任务, `[goals]`): each met when the run reaches it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Goals {
    /// New communities (that take in at least one village).
    pub communities: Option<u64>,
    /// Villages moved: villages counted inside the demolition zones.
    pub villages: Option<u64>,
    /// Households of those villages.
    pub households: Option<u64>,
    /// People of those villages.
    pub people: Option<u64>,
    /// Demonstration towns (示范镇).
    pub demonstration_towns: Option<u64>,
    /// Demonstration communities (示范社区).
    pub demonstration_communities: Option<u64>,
    /// Demonstration communities per township that is not a 示范镇: `[least, most]`.
    pub demonstration_per_township: Option<[u64; 2]>,
}

impl ProgrammeSpec {
    /// Checks the settings as a plan gives them; `context` names the plan file.
    pub fn check(&self, context: &str) -> Result<()> {
        if let Some(a) = self.area_per_person_m2
            && !(a.is_finite() && a > 0.0)
        {
            return Err(Error::config(
                context,
                format!(
                    "[programme] area_per_person_m2 = {a}: give the floor area per person in m², above 0"
                ),
            ));
        }
        if let Some([least, most]) = self
            .goals
            .as_ref()
            .and_then(|g| g.demonstration_per_township)
            && (least > most || most == 0)
        {
            return Err(Error::config(
                context,
                format!(
                    "[goals] demonstration_per_township = [{least}, {most}]: give [least, most] with least ≤ most and most ≥ 1"
                ),
            ));
        }
        Ok(())
    }
}

/// Whether and how a community's resettlement housing covers its villages in the zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityStatus {
    /// Every capacity given covers the need.
    Sufficient,
    /// A capacity given falls short of the need.
    Short,
    /// No capacity given (or none readable) for a community with villages in the zones.
    NotGiven,
    /// No village of it lies in the zones and no capacity is given: nothing to weigh.
    NoNeed,
}

impl CapacityStatus {
    /// The id the CSV and JSON outputs write.
    pub fn id(self) -> &'static str {
        match self {
            CapacityStatus::Sufficient => "sufficient",
            CapacityStatus::Short => "short",
            CapacityStatus::NotGiven => "not_given",
            CapacityStatus::NoNeed => "no_need",
        }
    }
}

/// One new community as the plan sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgrammeCommunity {
    /// Its id (the table's, else its name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Its county: the table's, else its villages' (`county` field, else the first 6 digits
    /// of a 12-digit 统计用区划代码); empty when none says.
    pub county: String,
    /// Its 管委会, if any.
    pub board: Option<String>,
    /// Its site's id, when the table names one.
    pub site: Option<String>,
    /// Its designations (the table's, and 示范镇 for every community of a 示范镇).
    pub designations: Vec<Designation>,
    /// Whether the office's table has a row for it.
    pub in_table: bool,
    /// How its villages joined: `listed`, `field`, `nearest_site`, or several joined by `+`.
    pub join: String,
    /// Whether hecun chose any of its villages (nearest site) rather than the office.
    pub derived: bool,
    /// Its villages' ids, in layer order.
    pub village_ids: Vec<String>,
    /// Its villages counted inside the demolition zones.
    pub zone_villages: usize,
    /// Their households (pro rata: the estimate).
    pub zone_households: f64,
    /// Their people (pro rata: the estimate).
    pub zone_people: f64,
    /// Planned households (the table's).
    pub planned_households: Option<f64>,
    /// Planned floor area, m² (the table's).
    pub floor_area_m2: Option<f64>,
    /// Resettlement dwellings (the table's).
    pub capacity_units: Option<f64>,
    /// Resettlement floor area, m² (the table's).
    pub capacity_m2: Option<f64>,
    /// Floor area the zone people need (people × area per person), when the plan gives it.
    pub needed_m2: Option<f64>,
    /// Whether the capacity covers the need.
    pub capacity: CapacityStatus,
    /// Dwellings short (households − dwellings), when short in dwellings.
    pub short_units: Option<f64>,
    /// Floor area short, m², when short in floor area.
    pub short_m2: Option<f64>,
    /// The launch check's status (`pass`, `fail`, `veto`, `error`), when the plan runs one.
    pub launch: Option<String>,
    /// Its site's score (`[scoring] sites`), when scored.
    pub score: Option<f64>,
    /// Whether it is a demonstration community (示范社区), and why (or why not).
    pub demonstration: super::DemoChoice,
    /// The demolition zones its own site lies in (`layer:id`), with the share of the site
    /// inside each, largest first.
    pub site_zones: Vec<(String, f64)>,
    /// The same zones as a planner names them, in the same order: the feature's class, name
    /// and id (`放射线 北三环路 R0232`; class and id when it has no name; no class when the
    /// name says it, `G310快速通道 R0232`).
    #[serde(default)]
    pub site_zone_titles: Vec<String>,
    /// It may launch, but its own site lies in a demolition zone: a contradiction the
    /// planner must resolve.
    pub launch_site_in_zone: bool,
}

impl ProgrammeCommunity {
    /// The zones its own site lies in as a planner names them (class, name, id), largest
    /// share first; their `layer:id` keys for a run recorded before titles were kept.
    pub fn site_zone_names(&self) -> Vec<&str> {
        if self.site_zone_titles.len() == self.site_zones.len() {
            self.site_zone_titles.iter().map(String::as_str).collect()
        } else {
            self.site_zones.iter().map(|(z, _)| z.as_str()).collect()
        }
    }
}

/// A village in no community, listed in every output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnassignedVillage {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Its county.
    pub county: String,
    /// Its households.
    pub households: u64,
    /// Its people.
    pub population: u64,
    /// Whether it is counted inside the demolition zones.
    pub in_zone: bool,
}

/// Totals of one township, county or 管委会.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RollUp {
    /// The township, county or 管委会 (empty: not said).
    pub name: String,
    /// Its townships (a county's and a 管委会's).
    pub townships: usize,
    /// Its new communities.
    pub communities: usize,
    /// Its villages in the villages layer.
    pub villages: usize,
    /// Its villages in no community.
    pub unassigned: usize,
    /// Its villages counted inside the zones.
    pub zone_villages: usize,
    /// Their households (pro rata: the estimate).
    pub households: f64,
    /// Their people (pro rata: the estimate).
    pub people: f64,
    /// Communities that may launch.
    pub launchable: usize,
    /// Communities held back by a failed criterion.
    pub blocked: usize,
    /// Communities vetoed.
    pub vetoed: usize,
    /// Communities whose housing falls short.
    pub capacity_short: usize,
    /// Communities with no capacity given though villages of them lie in the zones.
    pub capacity_not_given: usize,
}

/// One of the plan's targets against the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GoalResult {
    /// Which (`communities`, `villages`, `households`, `people`, `demonstration_towns`,
    /// `demonstration_communities`, `demonstration_per_township`).
    pub goal: String,
    /// The plan's number (for `demonstration_per_township`, the least; `most` holds the
    /// most).
    pub target: u64,
    /// The most, for a range.
    pub most: Option<u64>,
    /// What the run reached (for `demonstration_per_township`, the townships within the
    /// range).
    pub actual: f64,
    /// Out of how many (townships, for `demonstration_per_township`).
    pub of: Option<u64>,
    /// Whether the run reaches it.
    pub met: bool,
    /// The groups that miss it (townships out of range), by name.
    pub missed_by: Vec<String>,
}

/// The whole plan's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProgrammeRun {
    /// The communities, in the office's order (the communities table's, else by 区划代码).
    pub communities: Vec<ProgrammeCommunity>,
    /// The villages in no community, in layer order.
    pub unassigned: Vec<UnassignedVillage>,
    /// Per township, by name.
    pub townships: Vec<RollUp>,
    /// Per county, by name (empty when no county is known).
    pub counties: Vec<RollUp>,
    /// Per 管委会, by name (empty when none is given).
    pub boards: Vec<RollUp>,
    /// The plan's targets, in the order `[goals]` lists its kinds.
    pub goals: Vec<GoalResult>,
    /// Per township, its demonstration communities against the plan's rule, by name.
    pub demonstration: Vec<super::TownshipDemo>,
    /// Whether households and people are the pro-rata estimate.
    pub pro_rata: bool,
    /// Each community's milestones as of the run's date (`[[milestones]]`), when the plan
    /// lists any; the report keeps them in its own section.
    #[serde(skip)]
    pub milestones: Option<super::MilestoneRun>,
    /// What the planner should know.
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

/// Reads the plan's communities table (`[layers.communities]`), if it has one.
pub fn read_community_table(plan: &Plan) -> Result<(Option<CommunityTable>, Vec<Warning>)> {
    let Some(source) = plan.context.get(LayerKind::Communities.name()) else {
        return Ok((None, Vec::new()));
    };
    let read = source.read_attributes(plan.affected.input_crs, plan.affected.keep_going)?;
    let mut warnings = read.warnings;
    warnings.extend(read.skipped.iter().map(Warning::skipped));
    let (table, more) = CommunityTable::new(read.layer, source.schema.clone())?;
    warnings.extend(more);
    Ok((Some(table), warnings))
}

/// The plan's communities, as every step groups them: with the office's table when the plan
/// has one (its warnings included).
pub fn plan_grouping(
    plan: &Plan,
    villages: &Layer,
    sites: Option<(&Layer, &Schema)>,
) -> Result<(Grouping, Option<CommunityTable>)> {
    let (table, warnings) = read_community_table(plan)?;
    let mut grouping = group_communities(
        villages,
        &plan.affected.villages.schema,
        sites,
        table.as_ref(),
    )?;
    let mut all = warnings;
    all.append(&mut grouping.warnings);
    grouping.warnings = all;
    Ok((grouping, table))
}

/// The county of a village: its `county` field, else the first 6 digits of a 12-digit code.
pub fn village_county(feature: &Feature, schema: &Schema) -> Option<String> {
    field_text(feature, schema, "county")
        .filter(|c| !c.trim().is_empty())
        .or_else(|| county_code(feature.id.as_deref()?))
}

/// The county's code in a 12-digit 统计用区划代码: its first 6 digits.
pub fn county_code(id: &str) -> Option<String> {
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id[..6].to_owned())
}

/// What the programme is handed from the steps before it.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct ProgrammeInputs<'a> {
    /// The launch checks, when the plan runs them.
    pub launch: Option<&'a super::LaunchRun>,
    /// The site scores, when the plan scores sites.
    pub sites: Option<&'a super::SiteScoreRun>,
}

impl ProgrammeRun {
    /// Whether a plan asks for the whole plan's tables: it forms communities (a launch check,
    /// a standard, a site scoring) or gives the communities table or `[goals]`.
    pub fn wanted(plan: &Plan) -> bool {
        plan.launch_check.is_some()
            || plan.standard_check.is_some()
            || plan.site_scoring.is_some()
            || plan.context.contains_key(LayerKind::Communities.name())
            || plan.programme.goals.is_some()
            || plan.demonstration.is_some()
    }

    /// Runs the programme over the affected villages and the steps before it.
    pub fn run(
        plan: &Plan,
        affected: &AffectedRun,
        inputs: ProgrammeInputs<'_>,
    ) -> Result<ProgrammeRun> {
        let villages = &affected.villages_layer;
        let mut warnings = Vec::new();
        let sites = match &plan.sites {
            Some(s) => Some((super::read_scene_layer(s, plan, affected)?, &s.schema)),
            None => None,
        };
        let (grouping, table) =
            plan_grouping(plan, villages, sites.as_ref().map(|(l, s)| (&l.layer, *s)))?;
        warnings.extend(grouping.warnings.iter().cloned());
        let launch: BTreeMap<&str, &'static str> = inputs
            .launch
            .map(|l| {
                l.communities
                    .iter()
                    .zip(&l.verdicts)
                    .map(|(c, v)| {
                        let status = match v {
                            Ok(v) => match v.status {
                                Status::Pass => "pass",
                                Status::Fail => "fail",
                                Status::Veto => "veto",
                            },
                            Err(_) => "error",
                        };
                        (c.id.as_str(), status)
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Each site's score, by its id and by its name (as communities name their sites).
        let mut scores: BTreeMap<String, f64> = BTreeMap::new();
        if let Some(run) = inputs.sites {
            for ((f, c), score) in run
                .sites
                .layer
                .features
                .iter()
                .zip(&run.candidates)
                .zip(&run.scores)
            {
                if let Ok(crate::rules::Score {
                    outcome: crate::rules::Outcome::Scored(x),
                    ..
                }) = score
                {
                    scores.entry(c.id().to_owned()).or_insert(*x);
                    if let Some(name) = plan
                        .sites
                        .as_ref()
                        .and_then(|s| field_text(f, &s.schema, "name"))
                    {
                        scores.entry(name).or_insert(*x);
                    }
                }
            }
        }
        // Each site's polygon in the metric CRS, by id and by name.
        let mut site_geometry: BTreeMap<String, &geo::Geometry<f64>> = BTreeMap::new();
        if let Some((scene, schema)) = &sites {
            for (f, item) in scene.layer.features.iter().zip(&scene.items) {
                if let Some(name) = field_text(f, schema, "name") {
                    site_geometry.entry(name).or_insert(&item.geometry);
                }
                site_geometry
                    .entry(item.id.clone())
                    .or_insert(&item.geometry);
            }
        }
        let programme = Programme {
            plan,
            affected,
            table: table.as_ref(),
            launch: &launch,
            scores: &scores,
            site_geometry: &site_geometry,
        };
        let mut run = programme.build(&grouping, &mut warnings)?;
        if !plan.milestones.is_empty() {
            let verdicts: BTreeMap<&str, &Result<crate::rules::Verdict>> = inputs
                .launch
                .map(|l| {
                    l.communities
                        .iter()
                        .zip(&l.verdicts)
                        .map(|(c, v)| (c.id.as_str(), v))
                        .collect()
                })
                .unwrap_or_default();
            let criteria: Vec<String> = plan
                .milestones
                .iter()
                .filter_map(|m| match &m.holds {
                    super::Holds::Criterion(c) => Some(c.clone()),
                    super::Holds::Field(_) => None,
                })
                .collect();
            let subjects: Vec<super::MilestoneSubject> = run
                .communities
                .iter()
                .zip(&grouping.communities)
                .map(|(c, g)| {
                    let row = g.row.zip(table.as_ref());
                    super::MilestoneSubject {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        township: c.township.clone(),
                        county: c.county.clone(),
                        board: c.board.clone(),
                        at: row.map_or_else(
                            || format!("community {:?} (not in the communities table)", c.id),
                            |(k, t)| t.layer.feature_ref(&t.layer.features[k]).to_string(),
                        ),
                        at_zh: row.map_or_else(
                            || format!("社区 {:?}（不在社区表中）", c.id),
                            |(k, t)| {
                                crate::warning::feature_zh(
                                    &t.layer.feature_ref(&t.layer.features[k]),
                                )
                            },
                        ),
                        fields: row.map(|(k, t)| row_cells(t, k)).unwrap_or_default(),
                        criteria: verdicts
                            .get(c.id.as_str())
                            .and_then(|v| super::criteria_passed(v, &criteria)),
                    }
                })
                .collect();
            let as_of = plan.as_of.unwrap_or_else(super::today_utc);
            let judged = super::milestone_statuses(&plan.milestones, &subjects, as_of);
            warnings.extend(judged.warnings.iter().cloned());
            run.milestones = Some(judged);
        }
        run.warnings = warnings;
        Ok(run)
    }

    /// The communities table as `communities.csv`.
    pub fn communities_csv(&self) -> Result<Vec<u8>> {
        let mut w = csv_writer();
        w.write_record([
            "id",
            "name",
            "township",
            "county",
            "board",
            "site",
            "designations",
            "in_table",
            "join",
            "derived",
            "villages",
            "zone_villages",
            "zone_households",
            "zone_people",
            "planned_households",
            "floor_area_m2",
            "capacity_units",
            "capacity_m2",
            "needed_m2",
            "capacity",
            "short_units",
            "short_m2",
            "launch",
            "score",
            "demonstration",
            "demonstration_why",
            "criteria_met",
            "flag",
            "site_zones",
            "launch_site_in_zone",
            "village_ids",
        ])
        .map_err(csv_error)?;
        for c in &self.communities {
            w.write_record([
                c.id.clone(),
                c.name.clone(),
                c.township.clone(),
                c.county.clone(),
                c.board.clone().unwrap_or_default(),
                c.site.clone().unwrap_or_default(),
                c.designations
                    .iter()
                    .map(|d| d.zh())
                    .collect::<Vec<_>>()
                    .join("、"),
                c.in_table.to_string(),
                c.join.clone(),
                c.derived.to_string(),
                c.village_ids.len().to_string(),
                c.zone_villages.to_string(),
                number(c.zone_households),
                number(c.zone_people),
                opt(c.planned_households),
                opt(c.floor_area_m2),
                opt(c.capacity_units),
                opt(c.capacity_m2),
                opt(c.needed_m2),
                c.capacity.id().to_owned(),
                opt(c.short_units),
                opt(c.short_m2),
                c.launch.clone().unwrap_or_default(),
                c.score.map(|x| x.to_string()).unwrap_or_default(),
                c.demonstration.chosen().to_string(),
                demo_status_id(c.demonstration.status),
                c.demonstration
                    .criteria_met
                    .iter()
                    .map(|k| k.id())
                    .collect::<Vec<_>>()
                    .join(";"),
                c.demonstration
                    .flag
                    .map(|f| match f {
                        super::DemoFlag::VetoedInDemonstrationTown => {
                            "vetoed_in_demonstration_town"
                        }
                        super::DemoFlag::DesignatedButVetoed => "designated_but_vetoed",
                    })
                    .unwrap_or_default()
                    .to_owned(),
                c.site_zones
                    .iter()
                    .map(|(z, share)| format!("{z}={}", share_text(*share)))
                    .collect::<Vec<_>>()
                    .join(";"),
                c.launch_site_in_zone.to_string(),
                c.village_ids.join("、"),
            ])
            .map_err(csv_error)?;
        }
        finish(w)
    }

    /// The villages in no community as `unassigned_villages.csv`.
    pub fn unassigned_csv(&self) -> Result<Vec<u8>> {
        let mut w = csv_writer();
        w.write_record([
            "id",
            "name",
            "township",
            "county",
            "households",
            "population",
            "in_zone",
        ])
        .map_err(csv_error)?;
        for v in &self.unassigned {
            w.write_record([
                v.id.clone(),
                v.name.clone(),
                v.township.clone(),
                v.county.clone(),
                v.households.to_string(),
                v.population.to_string(),
                v.in_zone.to_string(),
            ])
            .map_err(csv_error)?;
        }
        finish(w)
    }

    /// Totals per township, county or 管委会 (`level`: its first column's heading).
    pub fn rollup_csv(rows: &[RollUp], level: &str) -> Result<Vec<u8>> {
        let mut w = csv_writer();
        w.write_record([
            level,
            "townships",
            "communities",
            "villages",
            "unassigned",
            "zone_villages",
            "households",
            "people",
            "launchable",
            "blocked",
            "vetoed",
            "capacity_short",
            "capacity_not_given",
        ])
        .map_err(csv_error)?;
        for r in rows {
            w.write_record([
                r.name.clone(),
                r.townships.to_string(),
                r.communities.to_string(),
                r.villages.to_string(),
                r.unassigned.to_string(),
                r.zone_villages.to_string(),
                number(r.households),
                number(r.people),
                r.launchable.to_string(),
                r.blocked.to_string(),
                r.vetoed.to_string(),
                r.capacity_short.to_string(),
                r.capacity_not_given.to_string(),
            ])
            .map_err(csv_error)?;
        }
        finish(w)
    }

    /// The plan's targets as `goals.csv`.
    pub fn goals_csv(&self) -> Result<Vec<u8>> {
        let mut w = csv_writer();
        w.write_record(["goal", "target", "most", "actual", "of", "met", "missed_by"])
            .map_err(csv_error)?;
        for g in &self.goals {
            w.write_record([
                g.goal.clone(),
                g.target.to_string(),
                g.most.map(|m| m.to_string()).unwrap_or_default(),
                number(g.actual),
                g.of.map(|m| m.to_string()).unwrap_or_default(),
                g.met.to_string(),
                g.missed_by.join("、"),
            ])
            .map_err(csv_error)?;
        }
        finish(w)
    }

    /// Writes `communities.csv`, `unassigned_villages.csv`, `township_rollup.csv`,
    /// `counties.csv` (when a county is known), `boards.csv` (when a 管委会 is given) and
    /// `goals.csv` (with `[goals]`); returns the names written.
    pub fn write_into(&self, out: &crate::io::OutputDir) -> Result<Vec<String>> {
        let mut files: Vec<(&str, Vec<u8>)> = vec![
            ("communities.csv", self.communities_csv()?),
            ("unassigned_villages.csv", self.unassigned_csv()?),
            (
                "township_rollup.csv",
                ProgrammeRun::rollup_csv(&self.townships, "township")?,
            ),
        ];
        if !self.counties.is_empty() {
            files.push((
                "counties.csv",
                ProgrammeRun::rollup_csv(&self.counties, "county")?,
            ));
        }
        if !self.boards.is_empty() {
            files.push((
                "boards.csv",
                ProgrammeRun::rollup_csv(&self.boards, "board")?,
            ));
        }
        if !self.goals.is_empty() {
            files.push(("goals.csv", self.goals_csv()?));
        }
        let mut names = Vec::new();
        for (name, bytes) in files {
            out.write(name, &bytes)?;
            names.push(name.to_owned());
        }
        if let Some(m) = &self.milestones {
            names.extend(m.write_into(out)?);
        }
        Ok(names)
    }
}

/// One programme run's inputs, gathered.
struct Programme<'a> {
    plan: &'a Plan,
    affected: &'a AffectedRun,
    table: Option<&'a CommunityTable>,
    launch: &'a BTreeMap<&'a str, &'static str>,
    scores: &'a BTreeMap<String, f64>,
    site_geometry: &'a BTreeMap<String, &'a geo::Geometry<f64>>,
}

/// A village's counted households and people inside the zones.
#[derive(Clone, Copy)]
struct InZone {
    households: f64,
    people: f64,
}

impl Programme<'_> {
    fn build(&self, grouping: &Grouping, warnings: &mut Vec<Warning>) -> Result<ProgrammeRun> {
        let villages = &self.affected.villages_layer;
        let schema = &self.plan.affected.villages.schema;
        let pro_rata = self.affected.summary.counting == Counting::ProRata;
        // Layer index → counted households and people inside the zones.
        let mut in_zone: BTreeMap<usize, InZone> = BTreeMap::new();
        for a in &self.affected.affected {
            let v = &self.affected.villages[a.village];
            let share = if pro_rata { a.fraction_inside } else { 1.0 };
            in_zone.insert(
                v.feature,
                InZone {
                    households: v.households as f64 * share,
                    people: v.population as f64 * share,
                },
            );
        }
        let view: BTreeMap<usize, &crate::model::Village> = self
            .affected
            .villages
            .iter()
            .map(|v| (v.feature, v))
            .collect();
        // A village's county: its own field; else its community's, as the table names it;
        // else the county the table names for villages of the same code prefix; else the
        // prefix itself (a code, where no name is known).
        let table_county = |k: usize| -> Option<String> {
            let c = &grouping.communities[k];
            self.table?.rows[c.row?].county.clone()
        };
        let mut community_of_village: BTreeMap<usize, usize> = BTreeMap::new();
        for (k, c) in grouping.communities.iter().enumerate() {
            for &i in &c.villages {
                community_of_village.insert(i, k);
            }
        }
        let own_county: Vec<Option<String>> = villages
            .features
            .iter()
            .map(|f| field_text(f, schema, "county").filter(|c| !c.trim().is_empty()))
            .collect();
        let prefix = |i: usize| county_code(villages.features[i].id.as_deref()?);
        let mut prefix_names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (&i, &k) in &community_of_village {
            if let (Some(p), Some(name)) = (prefix(i), table_county(k)) {
                prefix_names.entry(p).or_default().push(name);
            }
        }
        let prefix_name: BTreeMap<String, String> = prefix_names
            .into_iter()
            .filter_map(|(p, names)| Some((p, most_common(names.into_iter())?)))
            .collect();
        let county_of: Vec<Option<String>> = (0..villages.features.len())
            .map(|i| {
                own_county[i]
                    .clone()
                    .or_else(|| table_county(*community_of_village.get(&i)?))
                    .or_else(|| {
                        let p = prefix(i)?;
                        Some(prefix_name.get(&p).cloned().unwrap_or(p))
                    })
            })
            .collect();
        let board_of: Vec<Option<String>> = villages
            .features
            .iter()
            .map(|f| field_text(f, schema, "board").filter(|b| !b.trim().is_empty()))
            .collect();
        let town_of = |i: usize| -> String {
            view.get(&i)
                .map(|v| v.township.clone())
                .or_else(|| field_text(&villages.features[i], schema, "township"))
                .unwrap_or_default()
        };
        let mut short_m2_unweighable = false;
        let mut communities = Vec::with_capacity(grouping.communities.len());
        for c in &grouping.communities {
            let row = c.row.and_then(|k| Some((self.table?, k)));
            let mut value = |model: &str| -> Option<f64> {
                let (t, k) = row?;
                number_cell(t, k, model, warnings)
            };
            let planned_households = value("planned_households");
            let floor_area_m2 = value("floor_area_m2");
            let capacity_units = value("capacity_units");
            let capacity_m2 = value("capacity_m2");
            let mut zone_villages = 0;
            let (mut households, mut people) = (0.0, 0.0);
            for &i in &c.villages {
                if let Some(z) = in_zone.get(&i) {
                    zone_villages += 1;
                    households += z.households;
                    people += z.people;
                }
            }
            let needed_m2 = self.plan.programme.area_per_person_m2.map(|a| people * a);
            let short_units = capacity_units
                .filter(|&u| u < households)
                .map(|u| households - u);
            let short_m2 = match (capacity_m2, needed_m2) {
                (Some(m2), Some(need)) if m2 < need => Some(need - m2),
                _ => None,
            };
            if capacity_m2.is_some() && needed_m2.is_none() && zone_villages > 0 {
                short_m2_unweighable = true;
            }
            let weighable =
                capacity_units.is_some() || (capacity_m2.is_some() && needed_m2.is_some());
            let capacity = if short_units.is_some() || short_m2.is_some() {
                CapacityStatus::Short
            } else if weighable {
                CapacityStatus::Sufficient
            } else if zone_villages == 0 {
                CapacityStatus::NoNeed
            } else {
                CapacityStatus::NotGiven
            };
            let table_row = row.map(|(t, k)| &t.rows[k]);
            let county = table_row
                .and_then(|r| r.county.clone())
                .or_else(|| most_common(c.villages.iter().filter_map(|&i| county_of[i].clone())))
                .unwrap_or_default();
            let board = table_row
                .and_then(|r| r.board.clone())
                .or_else(|| most_common(c.villages.iter().filter_map(|&i| board_of[i].clone())));
            let mut joins: Vec<Join> = c.joins.clone();
            joins.sort();
            joins.dedup();
            let zones = self.site_zones(c.site_key());
            communities.push(ProgrammeCommunity {
                id: c.id.clone(),
                name: c.name.clone(),
                township: c.township.clone(),
                county,
                board,
                site: c.site.clone(),
                designations: table_row
                    .map(|r| r.designations.clone())
                    .unwrap_or_default(),
                in_table: c.row.is_some(),
                join: joins.iter().map(|j| j.id()).collect::<Vec<_>>().join("+"),
                derived: c.derived(),
                village_ids: c
                    .villages
                    .iter()
                    .map(|&i| {
                        villages.features[i]
                            .id
                            .clone()
                            .unwrap_or_else(|| format!("#{i}"))
                    })
                    .collect(),
                zone_villages,
                zone_households: households,
                zone_people: people,
                planned_households,
                floor_area_m2,
                capacity_units,
                capacity_m2,
                needed_m2,
                capacity,
                short_units,
                short_m2,
                launch: self.launch.get(c.id.as_str()).map(|s| (*s).to_owned()),
                score: self.scores.get(c.site_key()).copied(),
                demonstration: super::DemoChoice {
                    id: c.id.clone(),
                    township: c.township.clone(),
                    status: super::DemoStatus::Ineligible,
                    criteria_met: Vec::new(),
                    score: None,
                    flag: None,
                },
                site_zones: zones.iter().map(|z| (z.key.clone(), z.share)).collect(),
                site_zone_titles: zones.into_iter().map(|z| z.title).collect(),
                launch_site_in_zone: false,
            });
        }
        if short_m2_unweighable {
            warnings.push(
                Warning::new(
                    WarningKind::MissingField,
                    format!(
                        "{}: some communities give their housing in m² only, but [programme] area_per_person_m2 is not set: their capacity is \"not given\" (set it, e.g. area_per_person_m2 = 40)",
                        self.plan.path.display()
                    ),
                    format!(
                        "{}：部分社区的住房只给出了平方米数，但未设置 [programme] area_per_person_m2：其容量为“未给出”（请设置，例如 area_per_person_m2 = 40）",
                        self.plan.path.display()
                    ),
                )
                .with_file(self.plan.path.display())
                .with_field("area_per_person_m2"),
            );
        }
        // 示范社区, as the plan's rule chooses them (never a vetoed community).
        let rule = self.plan.demonstration.clone().unwrap_or_default();
        let candidates: Vec<super::DemoCandidate> = communities
            .iter()
            .map(|c| super::DemoCandidate {
                id: c.id.clone(),
                township: c.township.clone(),
                designations: c.designations.clone(),
                vetoed: c.launch.as_deref() == Some("veto"),
                launchable: c.launch.as_deref().map(|l| l == "pass"),
                zone_villages: c.zone_villages,
                score: c.score,
            })
            .collect();
        let choices = super::choose_demonstration(&candidates, &rule, &BTreeSet::new());
        let demonstration = super::township_demonstrations(&choices, &rule);
        let towns: BTreeSet<String> = demonstration
            .iter()
            .filter(|t| t.demonstration_town)
            .map(|t| t.township.clone())
            .collect();
        for (c, choice) in communities.iter_mut().zip(choices) {
            c.demonstration = choice;
            c.launch_site_in_zone = c.launch.as_deref() == Some("pass") && !c.site_zones.is_empty();
            // A 示范镇 (by the plan's list or a row's designation) marks all its communities.
            if towns.contains(&c.township)
                && !c.designations.contains(&Designation::DemonstrationTown)
            {
                c.designations.push(Designation::DemonstrationTown);
                c.designations.sort();
            }
        }
        let unassigned: Vec<UnassignedVillage> = grouping
            .unassigned
            .iter()
            .map(|&i| {
                let f = &villages.features[i];
                let v = view.get(&i);
                UnassignedVillage {
                    id: f.id.clone().unwrap_or_else(|| format!("#{i}")),
                    name: v.map(|v| v.name.clone()).unwrap_or_default(),
                    township: town_of(i),
                    county: county_of[i].clone().unwrap_or_default(),
                    households: v.map_or(0, |v| v.households),
                    population: v.map_or(0, |v| v.population),
                    in_zone: in_zone.contains_key(&i),
                }
            })
            .collect();
        // Roll-ups: each village once to its township, county and 管委会; each community
        // once to its own.
        let community_of: BTreeMap<usize, usize> = grouping
            .communities
            .iter()
            .enumerate()
            .flat_map(|(k, c)| c.villages.iter().map(move |&i| (i, k)))
            .collect();
        let mut townships: BTreeMap<String, (RollUp, BTreeSet<String>)> = BTreeMap::new();
        let mut counties: BTreeMap<String, (RollUp, BTreeSet<String>)> = BTreeMap::new();
        let mut boards: BTreeMap<String, (RollUp, BTreeSet<String>)> = BTreeMap::new();
        let any_county = county_of.iter().any(Option::is_some)
            || communities.iter().any(|c| !c.county.is_empty());
        let any_board =
            board_of.iter().any(Option::is_some) || communities.iter().any(|c| c.board.is_some());
        for i in 0..villages.features.len() {
            let town = town_of(i);
            let county = county_of[i].clone().unwrap_or_default();
            let board = board_of[i].clone().or_else(|| {
                community_of
                    .get(&i)
                    .and_then(|&k| communities[k].board.clone())
            });
            let mut groups = vec![&mut townships];
            let mut keys = vec![town.clone()];
            if any_county {
                groups.push(&mut counties);
                keys.push(county);
            }
            if let (true, Some(b)) = (any_board, board) {
                groups.push(&mut boards);
                keys.push(b);
            }
            for (g, key) in groups.into_iter().zip(keys) {
                let (r, towns) = g.entry(key.clone()).or_insert_with(|| {
                    (
                        RollUp {
                            name: key,
                            ..RollUp::default()
                        },
                        BTreeSet::new(),
                    )
                });
                towns.insert(town.clone());
                r.villages += 1;
                if !community_of.contains_key(&i) {
                    r.unassigned += 1;
                }
                if let Some(z) = in_zone.get(&i) {
                    r.zone_villages += 1;
                    r.households += z.households;
                    r.people += z.people;
                }
            }
        }
        for c in &communities {
            let mut groups = vec![(&mut townships, c.township.clone())];
            if any_county {
                groups.push((&mut counties, c.county.clone()));
            }
            if let (true, Some(b)) = (any_board, c.board.clone()) {
                groups.push((&mut boards, b));
            }
            for (g, key) in groups {
                let (r, towns) = g.entry(key.clone()).or_insert_with(|| {
                    (
                        RollUp {
                            name: key,
                            ..RollUp::default()
                        },
                        BTreeSet::new(),
                    )
                });
                towns.insert(c.township.clone());
                r.communities += 1;
                match c.launch.as_deref() {
                    Some("pass") => r.launchable += 1,
                    Some("fail") => r.blocked += 1,
                    Some("veto") => r.vetoed += 1,
                    _ => {}
                }
                match c.capacity {
                    CapacityStatus::Short => r.capacity_short += 1,
                    CapacityStatus::NotGiven => r.capacity_not_given += 1,
                    _ => {}
                }
            }
        }
        let finish = |g: BTreeMap<String, (RollUp, BTreeSet<String>)>| -> Vec<RollUp> {
            g.into_values()
                .map(|(mut r, towns)| {
                    r.townships = towns.len();
                    r
                })
                .collect()
        };
        let mut run = ProgrammeRun {
            communities,
            unassigned,
            townships: finish(townships),
            counties: finish(counties),
            boards: finish(boards),
            goals: Vec::new(),
            demonstration,
            pro_rata,
            milestones: None,
            warnings: Vec::new(),
        };
        run.goals = goals(self.plan.programme.goals.as_ref(), &run, self.affected);
        Ok(run)
    }
}

impl Programme<'_> {
    /// The demolition zones the site `key` (an id or a name) lies in, largest share first.
    fn site_zones(&self, key: &str) -> Vec<SiteZone> {
        let Some(site) = self.site_geometry.get(key) else {
            return Vec::new();
        };
        let mut zones: Vec<SiteZone> = super::site_in_zones(site, &self.affected.zones)
            .into_iter()
            .map(|(z, share)| {
                let source = &self.affected.sources[self.affected.zones[z].source];
                // A name that already says its class (G310快速通道) is not given the class again.
                let name = source.name.trim();
                let title = if name.is_empty() {
                    format!("{} {}", source.class, source.id)
                } else if name.contains(source.class.trim()) {
                    format!("{name} {}", source.id)
                } else {
                    format!("{} {name} {}", source.class, source.id)
                };
                SiteZone {
                    key: format!("{}:{}", source.layer, source.id),
                    title,
                    share,
                }
            })
            .collect();
        zones.sort_by(|a, b| b.share.total_cmp(&a.share).then_with(|| a.key.cmp(&b.key)));
        zones
    }
}

/// A demolition zone a community's own site lies in.
struct SiteZone {
    /// `layer:id`, as the CSV writes it.
    key: String,
    /// As a planner names it: class, name, id.
    title: String,
    /// The share of the site inside.
    share: f64,
}

/// The plan's targets against the run, in the order [`Goals`] lists its kinds.
fn goals(goals: Option<&Goals>, run: &ProgrammeRun, affected: &AffectedRun) -> Vec<GoalResult> {
    let Some(g) = goals else {
        return Vec::new();
    };
    let total = &affected.summary.total;
    let (households, people) = match affected.summary.pro_rata {
        Some(e) => (e.households, e.population),
        None => (total.households as f64, total.population as f64),
    };
    let forming = run
        .communities
        .iter()
        .filter(|c| !c.village_ids.is_empty())
        .count();
    let towns: BTreeSet<&str> = run
        .demonstration
        .iter()
        .filter(|t| t.demonstration_town)
        .map(|t| t.township.as_str())
        .collect();
    let at_least = |goal: &str, target: u64, actual: f64| GoalResult {
        goal: goal.to_owned(),
        target,
        most: None,
        actual,
        of: None,
        met: actual >= target as f64,
        missed_by: Vec::new(),
    };
    let mut out = Vec::new();
    if let Some(t) = g.communities {
        out.push(at_least("communities", t, forming as f64));
    }
    if let Some(t) = g.villages {
        out.push(at_least("villages", t, total.villages as f64));
    }
    if let Some(t) = g.households {
        out.push(at_least("households", t, households));
    }
    if let Some(t) = g.people {
        out.push(at_least("people", t, people));
    }
    if let Some(t) = g.demonstration_towns {
        out.push(at_least("demonstration_towns", t, towns.len() as f64));
    }
    if let Some(t) = g.demonstration_communities {
        let n = run
            .communities
            .iter()
            .filter(|c| c.demonstration.chosen())
            .count();
        out.push(at_least("demonstration_communities", t, n as f64));
    }
    if let Some([least, most]) = g.demonstration_per_township {
        // Every township with a community, other than a 示范镇 (which plans its whole
        // territory), has between `least` and `most`.
        let per: Vec<&super::TownshipDemo> = run
            .demonstration
            .iter()
            .filter(|t| !t.demonstration_town)
            .collect();
        let missed_by: Vec<String> = per
            .iter()
            .filter(|t| (t.chosen as u64) < least || t.chosen as u64 > most)
            .map(|t| format!("{}（{}）", t.township, t.chosen))
            .collect();
        out.push(GoalResult {
            goal: "demonstration_per_township".into(),
            target: least,
            most: Some(most),
            actual: (per.len() - missed_by.len()) as f64,
            of: Some(per.len() as u64),
            met: missed_by.is_empty(),
            missed_by,
        });
    }
    out
}

/// A number cell of the communities table: `None` when empty; a text that is not a number,
/// or a negative number, is a warning naming the row, field and value, and `None`.
fn number_cell(
    table: &CommunityTable,
    row: usize,
    model: &str,
    warnings: &mut Vec<Warning>,
) -> Option<f64> {
    let f = &table.layer.features[row];
    let text = field_text(f, &table.schema, model)?;
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.replace([',', '，'], "").parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
        _ => {
            let at = table.layer.feature_ref(f);
            let field = table.schema.describe(model);
            warnings.push(
                Warning::new(
                    WarningKind::UnreadableValue,
                    format!(
                        "{at}: field {field:?}: {t:?} is not a number of at least 0: the community's {model} counts as not given"
                    ),
                    format!(
                        "{}：字段 {field:?}：{t:?} 不是不小于 0 的数：该社区的 {model} 按未给出处理",
                        crate::warning::feature_zh(&at)
                    ),
                )
                .with_feature(&at)
                .with_field(field)
                .with_value(t),
            );
            None
        }
    }
}

/// A table row's cells by column and by every model name the plan maps to that column, as
/// text (`None`: empty), for the milestones.
fn row_cells(table: &CommunityTable, row: usize) -> BTreeMap<String, Option<String>> {
    let f = &table.layer.features[row];
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(f.properties.raw()).unwrap_or_default();
    let mut cells = BTreeMap::new();
    for (column, value) in object {
        let text = match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(t) if t.trim().is_empty() => None,
            serde_json::Value::String(t) => Some(t),
            other => Some(other.to_string()),
        };
        for model in table.schema.models_of(&column) {
            cells.insert(model.to_owned(), text.clone());
        }
        cells.insert(column, text);
    }
    cells
}

/// The most frequent of `items` (the first by name among equals).
fn most_common(items: impl Iterator<Item = String>) -> Option<String> {
    let mut n: BTreeMap<String, usize> = BTreeMap::new();
    for i in items {
        *n.entry(i).or_default() += 1;
    }
    let best = n.values().copied().max()?;
    n.into_iter().find(|(_, k)| *k == best).map(|(i, _)| i)
}

/// A count or an estimate as the CSV writes it: whole numbers without a point, estimates to
/// two decimals.
fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// A demonstration status as the CSV writes it (`demonstration_town`, `designated`,
/// `ranked:1`, `not_ranked:3`, `ineligible`, `vetoed`).
pub fn demo_status_id(status: super::DemoStatus) -> String {
    use super::DemoStatus::*;
    match status {
        DemonstrationTown => "demonstration_town".into(),
        Designated => "designated".into(),
        Ranked { rank } => format!("ranked:{rank}"),
        NotRanked { rank } => format!("not_ranked:{rank}"),
        Ineligible => "ineligible".into(),
        Vetoed => "vetoed".into(),
    }
}

/// A share (0–1) to six decimals, trailing zeros dropped.
fn share_text(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn opt(x: Option<f64>) -> String {
    x.map(number).unwrap_or_default()
}

fn csv_error(e: csv::Error) -> Error {
    Error::config("CSV", e.to_string())
}
