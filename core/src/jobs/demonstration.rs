//! Choosing demonstration communities (示范社区) as the source plan says, and flagging a
//! community whose own site lies in a demolition zone.
//!
//! The plan names demonstration towns (示范镇), which plan their whole territory: every one of
//! their communities is a demonstration community. Every other township has between 1 and 2
//! (`[demonstration] per_township`), chosen among the communities that take in villages from
//! the demolition zones, provincial key projects (省重点项目) and existing pilots (试点), in
//! that order of priority, then by their site's score. The office's own 示范社区 designations
//! are kept. A vetoed community (one-vote veto of 启动标准) is never chosen: the plan's
//! demonstrations are to be launched first, and a vetoed one cannot launch.
//!
//! Everything here is pure: the programme step hands in the candidates and writes the tables.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use geo::{Area, BooleanOps, BoundingRect, Euclidean, Geometry, Intersects, Length};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::community::Designation;
use crate::model::zone::Zone;

/// What makes a community eligible as a demonstration community, as the plan lists it
/// (`criteria = ["zone_villages", "provincial_key", "pilot"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoCriterion {
    /// It takes in at least one village from inside a demolition zone.
    ZoneVillages,
    /// It is a provincial key project (省重点项目).
    ProvincialKey,
    /// It is an existing pilot (试点).
    Pilot,
}

impl DemoCriterion {
    /// Every criterion, in the source plan's order (also the default priority).
    pub const ALL: [DemoCriterion; 3] = [
        DemoCriterion::ZoneVillages,
        DemoCriterion::ProvincialKey,
        DemoCriterion::Pilot,
    ];

    /// The id the plan and the CSV outputs write (`zone_villages`, …).
    pub fn id(self) -> &'static str {
        match self {
            DemoCriterion::ZoneVillages => "zone_villages",
            DemoCriterion::ProvincialKey => "provincial_key",
            DemoCriterion::Pilot => "pilot",
        }
    }

    /// The source plan's words for it.
    pub fn zh(self) -> &'static str {
        match self {
            DemoCriterion::ZoneVillages => "涉及拆迁区村庄",
            DemoCriterion::ProvincialKey => "省重点项目",
            DemoCriterion::Pilot => "试点",
        }
    }

    /// A criterion as a plan writes it: its id or the plan's words (`省重点项目`, `试点`).
    pub fn parse(word: &str) -> Option<DemoCriterion> {
        let w = word.trim();
        DemoCriterion::ALL
            .into_iter()
            .find(|c| w.eq_ignore_ascii_case(c.id()) || w == c.zh())
    }

    /// Whether `candidate` meets it.
    pub fn met_by(self, candidate: &DemoCandidate) -> bool {
        match self {
            DemoCriterion::ZoneVillages => candidate.zone_villages > 0,
            DemoCriterion::ProvincialKey => {
                candidate.designations.contains(&Designation::ProvincialKey)
            }
            DemoCriterion::Pilot => candidate.designations.contains(&Designation::Pilot),
        }
    }
}

/// How the plan chooses its demonstration communities (`[demonstration]`).
///
/// # Examples
///
/// ```
/// use hecun::jobs::{DemoCriterion, DemonstrationRule};
///
/// let rule = DemonstrationRule::from_toml("per_township = [1, 3]\ntowns = [\"郑庵镇\"]", "plan.toml")?;
/// assert_eq!(rule.per_township, (1, 3));
/// assert!(rule.towns.contains("郑庵镇"));
/// assert_eq!(rule.criteria, DemoCriterion::ALL.to_vec());
/// assert!(DemonstrationRule::from_toml("per_township = [2, 1]", "plan.toml").is_err());
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DemonstrationRule {
    /// At least (when enough are eligible) and at most this many per township that is not a
    /// demonstration town: the source plan's 1–2.
    pub per_township: (usize, usize),
    /// Demonstration towns (示范镇) besides those the roster designates: all their
    /// communities are demonstration communities.
    pub towns: BTreeSet<String>,
    /// Eligibility (meeting at least one) and priority (lexicographic, in this order).
    pub criteria: Vec<DemoCriterion>,
}

impl Default for DemonstrationRule {
    fn default() -> Self {
        DemonstrationRule {
            per_township: (1, 2),
            towns: BTreeSet::new(),
            criteria: DemoCriterion::ALL.to_vec(),
        }
    }
}

/// `[demonstration]` as the plan file has it, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemonstrationTable {
    per_township: Option<Vec<i64>>,
    towns: Option<Vec<String>>,
    criteria: Option<Vec<String>>,
}

impl DemonstrationRule {
    /// Parses the body of a plan's `[demonstration]` table; `plan` names the plan file in
    /// errors.
    pub fn from_toml(text: &str, plan: &str) -> Result<DemonstrationRule> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| Error::config(plan, format!("[demonstration]: {e}")))?;
        DemonstrationRule::from_plan_table(table, plan)
    }

    /// The plan's `[demonstration]` table as parsed TOML: an unknown key or a value of the
    /// wrong type is an error naming the plan and the table.
    pub(crate) fn from_plan_table(table: toml::Table, plan: &str) -> Result<DemonstrationRule> {
        let table: DemonstrationTable = table
            .try_into()
            .map_err(|e| Error::config(plan, format!("[demonstration]: {e}")))?;
        DemonstrationRule::from_table(table, plan)
    }

    /// Checks the table: `per_township = [min, max]` with min ≤ max and max ≥ 1; towns named;
    /// criteria known, each once, at least one.
    fn from_table(table: DemonstrationTable, plan: &str) -> Result<DemonstrationRule> {
        let bad = |key: &str, message: String| {
            Error::config(plan, format!("[demonstration] {key}: {message}"))
        };
        let mut rule = DemonstrationRule::default();
        if let Some(range) = table.per_township {
            let [min, max] = range[..] else {
                return Err(bad(
                    "per_township",
                    format!(
                        "{range:?} is not [least, most] (two counts, e.g. [1, 2]: at least 1, at most 2 per township)"
                    ),
                ));
            };
            let (Ok(min), Ok(max)) = (usize::try_from(min), usize::try_from(max)) else {
                return Err(bad(
                    "per_township",
                    format!("[{min}, {max}]: counts of communities are not negative"),
                ));
            };
            if min > max || max == 0 {
                return Err(bad(
                    "per_township",
                    format!(
                        "[{min}, {max}]: the least must not exceed the most, and the most must be at least 1"
                    ),
                ));
            }
            rule.per_township = (min, max);
        }
        if let Some(towns) = table.towns {
            rule.towns.clear();
            for town in towns {
                let name = town.trim();
                if name.is_empty() {
                    return Err(bad("towns", format!("{town:?} names no township")));
                }
                rule.towns.insert(name.to_owned());
            }
        }
        if let Some(words) = table.criteria {
            let mut criteria = Vec::new();
            for word in &words {
                let Some(c) = DemoCriterion::parse(word) else {
                    let known: Vec<&str> = DemoCriterion::ALL.iter().map(|c| c.id()).collect();
                    return Err(bad(
                        "criteria",
                        format!("{word:?} is not a criterion (known: {})", known.join(", ")),
                    ));
                };
                if criteria.contains(&c) {
                    return Err(bad("criteria", format!("{word:?} is listed twice")));
                }
                criteria.push(c);
            }
            if criteria.is_empty() {
                return Err(bad(
                    "criteria",
                    "[] leaves no community eligible: list at least one (zone_villages, provincial_key, pilot), or leave criteria out".to_owned(),
                ));
            }
            rule.criteria = criteria;
        }
        Ok(rule)
    }
}

/// A community that may become a demonstration community, as the programme step sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCandidate {
    /// The community's id (the roster's, else its name).
    pub id: String,
    /// Its township.
    pub township: String,
    /// What the roster designates it as.
    pub designations: Vec<Designation>,
    /// Whether its launch check vetoes it (one-vote veto).
    pub vetoed: bool,
    /// Whether its launch check lets it launch (`None`: no launch check ran).
    pub launchable: Option<bool>,
    /// Its villages that lie inside a demolition zone.
    pub zone_villages: usize,
    /// Its site's score (higher is better); `None` (or not a finite number): not scored,
    /// ranked after every scored one.
    pub score: Option<f64>,
}

/// Why a community is, or is not, a demonstration community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DemoStatus {
    /// Chosen: its township is a demonstration town (示范镇), which plans its whole territory.
    DemonstrationTown,
    /// Chosen: the office designated it 示范社区.
    Designated,
    /// Chosen by hecun: `rank` (from 1) among its township's eligible communities.
    Ranked {
        /// Its place among the eligible communities of its township, from 1.
        rank: usize,
    },
    /// Not chosen: eligible, ranked `rank`, but its township already has its most.
    NotRanked {
        /// Its place among the eligible communities of its township, from 1.
        rank: usize,
    },
    /// Not chosen: it meets none of the plan's criteria.
    Ineligible,
    /// Not chosen: its launch check vetoes it.
    Vetoed,
}

impl DemoStatus {
    /// Whether it makes a demonstration community.
    pub fn chosen(self) -> bool {
        matches!(
            self,
            DemoStatus::DemonstrationTown | DemoStatus::Designated | DemoStatus::Ranked { .. }
        )
    }
}

/// Something the planner must look at in a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoFlag {
    /// In a demonstration town, whose every community should be one, but vetoed.
    VetoedInDemonstrationTown,
    /// The office designated it 示范社区, but it is vetoed: not chosen.
    DesignatedButVetoed,
}

/// The verdict on one candidate, with what the report needs to explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoChoice {
    /// The candidate's id.
    pub id: String,
    /// Its township.
    pub township: String,
    /// Chosen or not, and why.
    pub status: DemoStatus,
    /// The plan's criteria it meets, in the plan's order.
    pub criteria_met: Vec<DemoCriterion>,
    /// Its site's score, as given (non-finite scores dropped).
    pub score: Option<f64>,
    /// What the planner must look at, if anything.
    pub flag: Option<DemoFlag>,
}

impl DemoChoice {
    /// Whether it is a demonstration community.
    pub fn chosen(&self) -> bool {
        self.status.chosen()
    }
}

/// One township's demonstration communities against the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipDemo {
    /// The township.
    pub township: String,
    /// Whether it is a demonstration town (its whole territory).
    pub demonstration_town: bool,
    /// Its communities.
    pub communities: usize,
    /// Demonstration communities chosen.
    pub chosen: usize,
    /// Of them, the office's own designations.
    pub designated: usize,
    /// Communities eligible by the criteria and not vetoed (designated ones included).
    pub eligible: usize,
    /// Not a demonstration town and fewer chosen than the rule's least: too few eligible.
    pub short: bool,
    /// Not a demonstration town and more chosen than the rule's most: the office designated
    /// more than the plan allows (hecun keeps them and adds none).
    pub over: bool,
}

/// Chooses the demonstration communities: one verdict per candidate, in the candidates'
/// order.
///
/// A township is a demonstration town when `rule.towns` or `town_designations` name it, or
/// when one of its communities carries [`Designation::DemonstrationTown`]; every community of
/// it is chosen but the vetoed (flagged). In another township the office's 示范社区 that are
/// not vetoed are kept (a vetoed one is flagged and not chosen); hecun then adds, up to the
/// rule's most, the eligible communities (not vetoed, meeting at least one criterion) best by
/// the criteria in the rule's order (meeting the first beats not meeting it, then the
/// second…), then by score (higher first, unscored last), then by id.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeSet;
/// use hecun::jobs::{DemoCandidate, DemoStatus, DemonstrationRule, choose_demonstration};
///
/// let c = |id: &str, zone_villages, vetoed| DemoCandidate {
///     id: id.into(), township: "金水镇".into(), designations: vec![], vetoed,
///     launchable: None, zone_villages, score: None,
/// };
/// let choices = choose_demonstration(
///     &[c("A", 0, false), c("B", 2, true), c("C", 1, false)],
///     &DemonstrationRule::default(),
///     &BTreeSet::new(),
/// );
/// assert_eq!(choices[0].status, DemoStatus::Ineligible);
/// assert_eq!(choices[1].status, DemoStatus::Vetoed);
/// assert_eq!(choices[2].status, DemoStatus::Ranked { rank: 1 });
/// ```
pub fn choose_demonstration(
    candidates: &[DemoCandidate],
    rule: &DemonstrationRule,
    town_designations: &BTreeSet<String>,
) -> Vec<DemoChoice> {
    let mut choices: Vec<DemoChoice> = candidates
        .iter()
        .map(|c| DemoChoice {
            id: c.id.clone(),
            township: c.township.clone(),
            status: DemoStatus::Ineligible,
            criteria_met: rule
                .criteria
                .iter()
                .copied()
                .filter(|k| k.met_by(c))
                .collect(),
            score: c.score.filter(|s| s.is_finite()),
            flag: None,
        })
        .collect();
    let mut by_township: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in candidates.iter().enumerate() {
        by_township.entry(c.township.as_str()).or_default().push(i);
    }
    for (township, members) in by_township {
        let town = rule.towns.contains(township)
            || town_designations.contains(township)
            || members.iter().any(|&i| {
                candidates[i]
                    .designations
                    .contains(&Designation::DemonstrationTown)
            });
        if town {
            for &i in &members {
                let choice = &mut choices[i];
                if candidates[i].vetoed {
                    choice.status = DemoStatus::Vetoed;
                    choice.flag = Some(DemoFlag::VetoedInDemonstrationTown);
                } else {
                    choice.status = DemoStatus::DemonstrationTown;
                }
            }
            continue;
        }
        let mut kept = 0;
        let mut pool = Vec::new();
        for &i in &members {
            let c = &candidates[i];
            let designated = c
                .designations
                .contains(&Designation::DemonstrationCommunity);
            let choice = &mut choices[i];
            if c.vetoed {
                choice.status = DemoStatus::Vetoed;
                if designated {
                    choice.flag = Some(DemoFlag::DesignatedButVetoed);
                }
            } else if designated {
                choice.status = DemoStatus::Designated;
                kept += 1;
            } else if !choice.criteria_met.is_empty() {
                pool.push(i);
            }
        }
        pool.sort_by(|&a, &b| rank_order(rule, &candidates[a], &candidates[b]));
        let room = rule.per_township.1.saturating_sub(kept);
        for (place, &i) in pool.iter().enumerate() {
            let rank = place + 1;
            choices[i].status = if place < room {
                DemoStatus::Ranked { rank }
            } else {
                DemoStatus::NotRanked { rank }
            };
        }
    }
    choices
}

/// The better-ranked of two eligible candidates comes first: criteria in the rule's order,
/// then score (higher first, unscored last), then id.
fn rank_order(rule: &DemonstrationRule, a: &DemoCandidate, b: &DemoCandidate) -> Ordering {
    for k in &rule.criteria {
        match (k.met_by(a), k.met_by(b)) {
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
    }
    let score = |c: &DemoCandidate| c.score.filter(|s| s.is_finite());
    let by_score = match (score(a), score(b)) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_score.then_with(|| a.id.cmp(&b.id))
}

/// Each township's demonstration communities against the rule (sorted by township), from
/// the verdicts of [`choose_demonstration`].
pub fn township_demonstrations(
    choices: &[DemoChoice],
    rule: &DemonstrationRule,
) -> Vec<TownshipDemo> {
    let mut out: BTreeMap<&str, TownshipDemo> = BTreeMap::new();
    for c in choices {
        let t = out
            .entry(c.township.as_str())
            .or_insert_with(|| TownshipDemo {
                township: c.township.clone(),
                demonstration_town: false,
                communities: 0,
                chosen: 0,
                designated: 0,
                eligible: 0,
                short: false,
                over: false,
            });
        t.communities += 1;
        t.demonstration_town |= c.status == DemoStatus::DemonstrationTown
            || c.flag == Some(DemoFlag::VetoedInDemonstrationTown);
        t.chosen += usize::from(c.chosen());
        t.designated += usize::from(c.status == DemoStatus::Designated);
        let eligible = match c.status {
            DemoStatus::Vetoed | DemoStatus::Ineligible => false,
            DemoStatus::DemonstrationTown | DemoStatus::Designated => !c.criteria_met.is_empty(),
            DemoStatus::Ranked { .. } | DemoStatus::NotRanked { .. } => true,
        };
        t.eligible += usize::from(eligible);
    }
    let (min, max) = rule.per_township;
    out.into_values()
        .map(|mut t| {
            t.short = !t.demonstration_town && t.chosen < min;
            t.over = !t.demonstration_town && t.chosen > max;
            t
        })
        .collect()
}

/// The zones a community's own site lies in, and the share of the site inside each:
/// `(index into zones, share 0–1)`, ascending by index, only zones it shares some of itself
/// with (a site that only touches a zone's edge is not in it).
///
/// The share is of the site's area for a polygon, of its length for a line, and of its
/// points for points. Both sides are in the same metric CRS. A launchable community whose
/// site is in a zone would build its resettlement housing where the plan demolishes.
///
/// # Examples
///
/// ```
/// use geo::{Geometry, Rect, coord};
/// use hecun::jobs::site_in_zones;
/// use hecun::internals::polygons;
///
/// let zone_area = Rect::new(coord! { x: 0., y: 0. }, coord! { x: 10., y: 10. }).to_polygon();
/// let zone = hecun::Zone {
///     source: 0, class: "环线".into(), distance: 100.,
///     polygon: polygons(&Geometry::Polygon(zone_area.clone())),
///     bbox: Rect::new(coord! { x: 0., y: 0. }, coord! { x: 10., y: 10. }),
/// };
/// let site = Geometry::Polygon(Rect::new(coord! { x: 5., y: 0. }, coord! { x: 15., y: 10. }).to_polygon());
/// let hits = site_in_zones(&site, &[zone]);
/// assert_eq!(hits.len(), 1);
/// assert!((hits[0].1 - 0.5).abs() < 1e-12);
/// ```
pub fn site_in_zones(site: &Geometry<f64>, zones: &[Zone]) -> Vec<(usize, f64)> {
    let Some(site_box) = site.bounding_rect() else {
        return Vec::new();
    };
    let area = geo::Orient::orient(
        &crate::geometry::polygons(site),
        geo::orient::Direction::Default,
    );
    let site_area = area.unsigned_area();
    let lines = lines_of(site);
    let length = Euclidean.length(&lines);
    let points = points_of(site);
    let mut out = Vec::new();
    for (z, zone) in zones.iter().enumerate() {
        if !site_box.intersects(&zone.bbox) {
            continue;
        }
        let share = if site_area > 0.0 {
            crate::geometry::relate::area_inside(&area, &[&zone.polygon]) / site_area
        } else if length > 0.0 {
            Euclidean.length(&zone.polygon.clip(&lines, false)) / length
        } else if !points.is_empty() {
            let inside = points
                .iter()
                .filter(|p| zone.polygon.intersects(*p))
                .count();
            inside as f64 / points.len() as f64
        } else {
            0.0
        };
        if share > 0.0 {
            out.push((z, share.clamp(0.0, 1.0)));
        }
    }
    out
}

fn lines_of(g: &Geometry<f64>) -> geo::MultiLineString<f64> {
    match g {
        Geometry::Line(l) => geo::MultiLineString(vec![geo::LineString::from(*l)]),
        Geometry::LineString(l) => geo::MultiLineString(vec![l.clone()]),
        Geometry::MultiLineString(m) => m.clone(),
        Geometry::GeometryCollection(gc) => {
            geo::MultiLineString(gc.0.iter().flat_map(|g| lines_of(g).0).collect())
        }
        _ => geo::MultiLineString(vec![]),
    }
}

fn points_of(g: &Geometry<f64>) -> Vec<geo::Point<f64>> {
    match g {
        Geometry::Point(p) => vec![*p],
        Geometry::MultiPoint(m) => m.0.clone(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(points_of).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, Rect, coord};
    use proptest::prelude::*;

    fn cand(id: &str, township: &str) -> DemoCandidate {
        DemoCandidate {
            id: id.into(),
            township: township.into(),
            designations: vec![],
            vetoed: false,
            launchable: None,
            zone_villages: 0,
            score: None,
        }
    }

    #[test]
    fn the_plan_table_is_read_and_checked() {
        let rule = DemonstrationRule::from_toml(
            "per_township = [0, 1]\ncriteria = [\"试点\", \"zone_villages\"]",
            "p.toml",
        )
        .unwrap();
        assert_eq!(rule.per_township, (0, 1));
        assert_eq!(
            rule.criteria,
            vec![DemoCriterion::Pilot, DemoCriterion::ZoneVillages]
        );
        for (text, named) in [
            ("per_township = [2, 1]", "[2, 1]"),
            ("per_township = [0, 0]", "[0, 0]"),
            ("per_township = [1]", "[1]"),
            ("per_township = [-1, 2]", "[-1, 2]"),
            ("criteria = [\"big\"]", "\"big\""),
            ("criteria = [\"pilot\", \"试点\"]", "twice"),
            ("criteria = []", "[]"),
            ("towns = [\" \"]", "\" \""),
            ("per_townships = [1, 2]", "per_townships"),
        ] {
            let e = DemonstrationRule::from_toml(text, "p.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("p.toml"), "{text}: {e}");
            assert!(e.contains("[demonstration]"), "{text}: {e}");
            assert!(e.contains(named), "{text}: {e}");
        }
    }

    #[test]
    fn towns_plan_their_whole_territory_but_a_vetoed_community() {
        let mut a = cand("A", "郑庵镇");
        a.vetoed = true;
        let b = cand("B", "郑庵镇");
        let mut c = cand("C", "白沙镇");
        c.designations = vec![Designation::DemonstrationTown];
        let d = cand("D", "白沙镇");
        let e = cand("E", "刘集镇");
        let rule = DemonstrationRule {
            towns: ["郑庵镇".to_owned()].into(),
            ..DemonstrationRule::default()
        };
        let towns = ["刘集镇".to_owned()].into();
        let out = choose_demonstration(&[a, b, c, d, e], &rule, &towns);
        assert_eq!(out[0].status, DemoStatus::Vetoed);
        assert_eq!(out[0].flag, Some(DemoFlag::VetoedInDemonstrationTown));
        for o in &out[1..] {
            assert_eq!(o.status, DemoStatus::DemonstrationTown, "{}", o.id);
        }
        let t = township_demonstrations(&out, &rule);
        assert!(t.iter().all(|t| t.demonstration_town && !t.short));
    }

    #[test]
    fn designations_are_kept_unless_vetoed_and_the_rest_ranked() {
        let mut designated = cand("D1", "T");
        designated.designations = vec![Designation::DemonstrationCommunity];
        let mut vetoed = cand("D2", "T");
        vetoed.designations = vec![Designation::DemonstrationCommunity];
        vetoed.vetoed = true;
        vetoed.zone_villages = 5;
        let mut pilot = cand("P", "T");
        pilot.designations = vec![Designation::Pilot];
        pilot.score = Some(99.0);
        let mut zone_low = cand("Z1", "T");
        zone_low.zone_villages = 1;
        zone_low.score = Some(10.0);
        let mut zone_high = cand("Z2", "T");
        zone_high.zone_villages = 1;
        zone_high.score = Some(20.0);
        let rule = DemonstrationRule::default();
        let out = choose_demonstration(
            &[designated, vetoed, pilot, zone_low, zone_high],
            &rule,
            &BTreeSet::new(),
        );
        let status: Vec<DemoStatus> = out.iter().map(|c| c.status).collect();
        assert_eq!(
            status,
            vec![
                DemoStatus::Designated,
                DemoStatus::Vetoed,
                DemoStatus::NotRanked { rank: 3 },
                DemoStatus::NotRanked { rank: 2 },
                DemoStatus::Ranked { rank: 1 },
            ]
        );
        assert_eq!(out[1].flag, Some(DemoFlag::DesignatedButVetoed));
        let t = &township_demonstrations(&out, &rule)[0];
        assert_eq!((t.chosen, t.designated, t.eligible), (2, 1, 3));
        assert!(!t.short && !t.over);
    }

    #[test]
    fn a_township_with_too_few_eligible_is_short() {
        let rule = DemonstrationRule {
            per_township: (2, 3),
            ..DemonstrationRule::default()
        };
        let mut a = cand("A", "T");
        a.zone_villages = 1;
        let out = choose_demonstration(&[a, cand("B", "T")], &rule, &BTreeSet::new());
        let t = &township_demonstrations(&out, &rule)[0];
        assert_eq!((t.chosen, t.eligible, t.short), (1, 1, true));
    }

    /// The ranking key written out as a tuple (a second, independent statement of the order).
    fn key(
        rule: &DemonstrationRule,
        c: &DemoCandidate,
    ) -> (Vec<bool>, i64, std::cmp::Reverse<String>) {
        let meets = rule
            .criteria
            .iter()
            .map(|k| match k {
                DemoCriterion::ZoneVillages => c.zone_villages > 0,
                DemoCriterion::ProvincialKey => {
                    c.designations.contains(&Designation::ProvincialKey)
                }
                DemoCriterion::Pilot => c.designations.contains(&Designation::Pilot),
            })
            .collect();
        // Scores in the tests are whole numbers 0..5; unscored below every one.
        let score = c.score.map_or(i64::MIN, |s| s as i64);
        (meets, score, std::cmp::Reverse(c.id.clone()))
    }

    fn candidates() -> impl Strategy<Value = Vec<DemoCandidate>> {
        let one = (
            0usize..3,
            proptest::collection::vec(0usize..4, 0..3),
            any::<bool>(),
            0usize..3,
            proptest::option::of(0u8..5),
        );
        proptest::collection::vec(one, 0..12).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (t, ds, vetoed, zone, score))| {
                    let mut designations: Vec<Designation> =
                        ds.into_iter().map(|d| Designation::ALL[d]).collect();
                    designations.sort();
                    designations.dedup();
                    DemoCandidate {
                        id: format!("C{i:02}"),
                        township: ["甲", "乙", "丙"][t].into(),
                        designations,
                        vetoed: vetoed && i % 2 == 0,
                        launchable: None,
                        zone_villages: zone,
                        score: score.map(f64::from),
                    }
                })
                .collect()
        })
    }

    fn rules() -> impl Strategy<Value = DemonstrationRule> {
        (
            0usize..3,
            1usize..4,
            proptest::sample::subsequence(DemoCriterion::ALL.to_vec(), 1..=3),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(a, b, criteria, shuffle, town)| {
                let mut criteria = criteria;
                if shuffle {
                    criteria.reverse();
                }
                DemonstrationRule {
                    per_township: (a.min(b), a.max(b)),
                    towns: if town {
                        ["丙".to_owned()].into()
                    } else {
                        BTreeSet::new()
                    },
                    criteria,
                }
            })
    }

    proptest! {
        #[test]
        fn choices_agree_with_a_brute_force_oracle(cands in candidates(), rule in rules()) {
            let out = choose_demonstration(&cands, &rule, &BTreeSet::new());
            prop_assert_eq!(out.len(), cands.len());
            for township in ["甲", "乙", "丙"] {
                let here: Vec<usize> =
                    (0..cands.len()).filter(|&i| cands[i].township == township).collect();
                for &i in &here {
                    // Never a vetoed community.
                    prop_assert!(!(cands[i].vetoed && out[i].chosen()), "{} vetoed", cands[i].id);
                }
                let town = rule.towns.contains(township)
                    || here.iter().any(|&i| cands[i].designations.contains(&Designation::DemonstrationTown));
                if town {
                    for &i in &here {
                        prop_assert_eq!(out[i].chosen(), !cands[i].vetoed);
                    }
                    continue;
                }
                let designated: Vec<usize> = here.iter().copied().filter(|&i| {
                    !cands[i].vetoed && cands[i].designations.contains(&Designation::DemonstrationCommunity)
                }).collect();
                let pool: Vec<usize> = here.iter().copied().filter(|&i| {
                    !cands[i].vetoed && !designated.contains(&i) && key(&rule, &cands[i]).0.contains(&true)
                }).collect();
                let (min, max) = rule.per_township;
                let want = max.saturating_sub(designated.len()).min(pool.len());
                // Brute force: of every subset of the pool of the wanted size, the best is the
                // one whose keys, sorted best first, are greatest.
                let mut best: Option<(Vec<_>, Vec<usize>)> = None;
                for mask in 0u32..(1 << pool.len()) {
                    if mask.count_ones() as usize != want {
                        continue;
                    }
                    let set: Vec<usize> = (0..pool.len()).filter(|b| mask & (1 << b) != 0).map(|b| pool[b]).collect();
                    let mut keys: Vec<_> = set.iter().map(|&i| key(&rule, &cands[i])).collect();
                    keys.sort_by(|a, b| b.cmp(a));
                    if best.as_ref().is_none_or(|(k, _)| keys > *k) {
                        best = Some((keys, set));
                    }
                }
                let expected: BTreeSet<usize> = designated.iter().copied()
                    .chain(best.map(|(_, s)| s).unwrap_or_default()).collect();
                let chosen: BTreeSet<usize> = here.iter().copied().filter(|&i| out[i].chosen()).collect();
                prop_assert_eq!(&chosen, &expected);
                // Within [min, max] where possible.
                let possible = designated.len() + pool.len();
                if designated.len() <= max {
                    prop_assert!(chosen.len() <= max);
                }
                if possible >= min {
                    prop_assert!(chosen.len() >= min);
                }
                let summary = township_demonstrations(&out, &rule);
                let t = summary.iter().find(|t| t.township == township);
                if let Some(t) = t {
                    prop_assert_eq!(t.short, chosen.len() < min);
                    prop_assert_eq!(t.chosen, chosen.len());
                }
            }
        }
    }

    fn zone_of(r: Rect<f64>) -> Zone {
        Zone {
            source: 0,
            class: "c".into(),
            distance: 0.0,
            polygon: MultiPolygon(vec![r.to_polygon()]),
            bbox: r,
        }
    }

    fn rect((x, y, w, h): (i32, i32, i32, i32)) -> Rect<f64> {
        Rect::new(
            coord! { x: f64::from(x), y: f64::from(y) },
            coord! { x: f64::from(x + w), y: f64::from(y + h) },
        )
    }

    #[test]
    fn points_and_lines_count_by_number_and_length() {
        let zone = zone_of(rect((0, 0, 10, 10)));
        let line = Geometry::LineString(geo::LineString::from(vec![(-10., 5.), (10., 5.)]));
        let hits = site_in_zones(&line, std::slice::from_ref(&zone));
        assert_eq!(hits.len(), 1);
        assert!((hits[0].1 - 0.5).abs() < 1e-12, "{hits:?}");
        let point = Geometry::Point(geo::point!(x: 3., y: 3.));
        assert_eq!(
            site_in_zones(&point, std::slice::from_ref(&zone)),
            vec![(0, 1.0)]
        );
        let away = Geometry::Point(geo::point!(x: 30., y: 3.));
        assert!(site_in_zones(&away, &[zone]).is_empty());
    }

    proptest! {
        #[test]
        fn site_shares_agree_with_geo_boolean_ops(
            site in (-20i32..20, -20i32..20, 1i32..15, 1i32..15),
            zones in proptest::collection::vec((-20i32..20, -20i32..20, 1i32..20, 1i32..20), 0..5),
            clockwise in any::<bool>(),
        ) {
            let site_rect = rect(site);
            let mut site_poly = site_rect.to_polygon();
            if clockwise {
                // A site drawn clockwise (as a Shapefile stores it) has the same share.
                site_poly.exterior_mut(|r| r.0.reverse());
            }
            let zones: Vec<Zone> = zones.into_iter().map(|z| zone_of(rect(z))).collect();
            let hits = site_in_zones(&Geometry::Polygon(site_poly.clone()), &zones);
            let site_mp = MultiPolygon(vec![site_rect.to_polygon()]);
            let mut expected = Vec::new();
            for (z, zone) in zones.iter().enumerate() {
                let inside = site_mp.intersection(&zone.polygon).unsigned_area();
                if inside > 1e-9 {
                    expected.push((z, inside / site_mp.unsigned_area()));
                }
            }
            prop_assert_eq!(hits.len(), expected.len(), "{:?} vs {:?}", hits, expected);
            for ((z, s), (ze, se)) in hits.iter().zip(&expected) {
                prop_assert_eq!(z, ze);
                prop_assert!((s - se).abs() < 1e-9, "zone {}: {} vs {}", z, s, se);
            }
        }
    }
}
