//! The plan's deadlines (`[[milestones]]`, 时间节点) judged per community as of a date: done
//! (and how late), due (how many days left), overdue (by how many days), or unknown — with
//! tallies per township, county and 管委会.
//!
//! A status is never guessed. A date that cannot be read, a field the community's row does
//! not have, or a criterion no launch check judged for it makes the status *unknown* and a
//! warning naming the row, field and value; an empty cell means "not done yet" (offices fill
//! the date in when the work is done). A date after the run's date counts as not done as of
//! then, so that a run "as of" the end of last month gives last month's picture.
//!
//! Days are calendar days between two dates (no time of day): done on the due day is on time
//! (0 days late), not done with the run's date equal to the due date is due with 0 days left,
//! and the day after it is 1 day overdue.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::community::parse_date;
use crate::warning::{Warning, WarningKind};

/// A deadline of the plan (`[[milestones]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// A short id (file-name safe): `plans`.
    pub name: String,
    /// Its title by language tag (`zh-CN`, `en`); the plan's or, when it gives none, the name.
    pub title: BTreeMap<String, String>,
    /// The date it is due.
    pub due: NaiveDate,
    /// What tells that a community has reached it.
    pub holds: Holds,
}

impl Milestone {
    /// Its title in `lang` (a tag such as `zh-CN`), else in any language, else its name.
    pub fn title(&self, lang: &str) -> &str {
        self.title
            .get(lang)
            .or_else(|| self.title.values().next())
            .map_or(self.name.as_str(), String::as_str)
    }
}

/// What tells that a community has reached a milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holds {
    /// The date in this field of the community's row (a model name such as
    /// `plan_approved_on`, or a column of the roster) is the date it was done.
    Field(String),
    /// Done when this launch-check criterion passes for the community (no date: done as of
    /// the run, whenever it was).
    Criterion(String),
}

/// One community as the milestones see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MilestoneSubject {
    /// Its id (the roster's key).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township (乡镇); empty: none known (left out of the township tallies).
    pub township: String,
    /// Its county (县(市)区); empty: none known (left out of the county tallies).
    pub county: String,
    /// Its 管委会, if it belongs to one.
    pub board: Option<String>,
    /// Where its row is, for warnings: `communities.xlsx, sheet "社区" row 5`.
    pub at: String,
    /// The same in 简体中文, for the warnings' Chinese words (empty: `at` is used).
    pub at_zh: String,
    /// Its row's cells by model name and by column name (both) → text; `None`: the cell is
    /// empty. A key that is absent is a field the row does not have.
    pub fields: BTreeMap<String, Option<String>>,
    /// Each launch criterion → whether it passed for this community; `None`: no launch
    /// check ran for it.
    pub criteria: Option<BTreeMap<String, bool>>,
}

/// A community's standing on one milestone as of the run's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Reached: `on` the date it was done (`None` for a criterion), `late_days` after the
    /// due date (0 when on time).
    Done {
        /// The date it was done, when a field gives one.
        on: Option<NaiveDate>,
        /// Days after the due date it was done (0: on or before).
        late_days: i64,
    },
    /// Not reached, and the due date is today or later.
    Due {
        /// Days from the run's date to the due date (0: due today).
        days_left: i64,
    },
    /// Not reached, and the due date has passed.
    Overdue {
        /// Days from the due date to the run's date (at least 1).
        days: i64,
    },
    /// Cannot be told: the date is unreadable, or the field or criterion is missing.
    Unknown {
        /// Why, in words (the warning says where).
        why: String,
    },
}

impl MilestoneStatus {
    /// The status word the outputs write: `done`, `due`, `overdue`, `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            MilestoneStatus::Done { .. } => "done",
            MilestoneStatus::Due { .. } => "due",
            MilestoneStatus::Overdue { .. } => "overdue",
            MilestoneStatus::Unknown { .. } => "unknown",
        }
    }

    /// The days the CSV's `days` column holds: late (done), left (due), overdue; `None` when
    /// unknown.
    pub fn days(&self) -> Option<i64> {
        match self {
            MilestoneStatus::Done { late_days, .. } => Some(*late_days),
            MilestoneStatus::Due { days_left } => Some(*days_left),
            MilestoneStatus::Overdue { days } => Some(*days),
            MilestoneStatus::Unknown { .. } => None,
        }
    }
}

/// One community's statuses, one per milestone in the plan's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityMilestones {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township (empty: none known).
    pub township: String,
    /// Its county (empty: none known).
    pub county: String,
    /// Its 管委会.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
    /// Per milestone, in the plan's order.
    pub statuses: Vec<MilestoneStatus>,
}

/// The count of each status for one milestone in one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneTally {
    /// The grouping: `all`, `township`, `county` or `board`.
    pub level: String,
    /// The group's name (empty for `all`).
    pub group: String,
    /// The milestone's name.
    pub milestone: String,
    /// Communities that reached it.
    pub done: usize,
    /// Of those, communities that reached it after the due date.
    pub done_late: usize,
    /// Not reached, due date still ahead (or today).
    pub due: usize,
    /// Not reached, due date passed.
    pub overdue: usize,
    /// Cannot be told.
    pub unknown: usize,
    /// The longest overdue, in days (0 when none is overdue).
    pub max_overdue_days: i64,
}

impl MilestoneTally {
    fn add(&mut self, status: &MilestoneStatus) {
        match status {
            MilestoneStatus::Done { late_days, .. } => {
                self.done += 1;
                if *late_days > 0 {
                    self.done_late += 1;
                }
            }
            MilestoneStatus::Due { .. } => self.due += 1,
            MilestoneStatus::Overdue { days } => {
                self.overdue += 1;
                self.max_overdue_days = self.max_overdue_days.max(*days);
            }
            MilestoneStatus::Unknown { .. } => self.unknown += 1,
        }
    }
}

/// Every community's milestones as of a date, with the tallies and the warnings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MilestoneRun {
    /// The date the statuses hold on (`--as-of`).
    pub as_of: NaiveDate,
    /// The plan's milestones, in its order.
    pub milestones: Vec<Milestone>,
    /// Per community, in the order given.
    pub communities: Vec<CommunityMilestones>,
    /// Per milestone over every community (`level` = `all`), in the plan's order.
    pub totals: Vec<MilestoneTally>,
    /// Per township, county and 管委会 (in that order; groups by name, then milestones in
    /// the plan's order). Communities without one are left out of that level.
    pub groups: Vec<MilestoneTally>,
    /// Unreadable dates, missing fields and criteria.
    pub warnings: Vec<Warning>,
}

/// Judges every subject on every milestone as of `as_of` (see the module's documentation
/// for the rules), and tallies them.
///
/// # Examples
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use hecun::jobs::{Holds, Milestone, MilestoneStatus, MilestoneSubject, milestone_statuses};
/// let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// let plans = Milestone {
///     name: "plans".into(),
///     title: BTreeMap::new(),
///     due: date("2026-05-31"),
///     holds: Holds::Field("plan_approved_on".into()),
/// };
/// let late = MilestoneSubject {
///     id: "C1".into(),
///     fields: BTreeMap::from([("plan_approved_on".into(), Some("2026/6/2".into()))]),
///     ..Default::default()
/// };
/// let run = milestone_statuses(&[plans], &[late], date("2026-08-31"));
/// assert_eq!(
///     run.communities[0].statuses[0],
///     MilestoneStatus::Done { on: Some(date("2026-06-02")), late_days: 2 }
/// );
/// ```
pub fn milestone_statuses(
    milestones: &[Milestone],
    subjects: &[MilestoneSubject],
    as_of: NaiveDate,
) -> MilestoneRun {
    let mut warnings = Vec::new();
    let mut communities = Vec::with_capacity(subjects.len());
    // A field or criterion no community has gives one warning, not one per community.
    let nowhere: Vec<bool> = milestones
        .iter()
        .map(|m| match &m.holds {
            Holds::Field(f) => subjects.iter().all(|s| !s.fields.contains_key(f)),
            Holds::Criterion(c) => subjects
                .iter()
                .all(|s| s.criteria.as_ref().is_none_or(|m| !m.contains_key(c))),
        })
        .collect();
    for (m, none) in milestones.iter().zip(&nowhere) {
        if *none && !subjects.is_empty() {
            let (message, zh) = match &m.holds {
                Holds::Field(f) => (
                    format!(
                        "milestone {}: no community's row has the field {f:?}: its status is unknown for all {} communities (name a column of the communities table)",
                        m.name,
                        subjects.len()
                    ),
                    format!(
                        "里程碑 {}：没有任何社区的行有字段 {f:?}：全部 {} 个社区的状态未知（请写社区表中的一列）",
                        m.name,
                        subjects.len()
                    ),
                ),
                Holds::Criterion(c) => (
                    format!(
                        "milestone {}: no launch check judged criterion {c:?} for any community: its status is unknown for all {}",
                        m.name,
                        subjects.len()
                    ),
                    format!(
                        "里程碑 {}：没有任何启动检查为任一社区判定条件 {c:?}：全部 {} 个社区的状态未知",
                        m.name,
                        subjects.len()
                    ),
                ),
            };
            let field = match &m.holds {
                Holds::Field(f) | Holds::Criterion(f) => f,
            };
            warnings.push(Warning::new(WarningKind::MissingField, message, zh).with_field(field));
        }
    }
    for s in subjects {
        let statuses = milestones
            .iter()
            .zip(&nowhere)
            .map(|(m, none)| judge(m, s, as_of, !none, &mut warnings))
            .collect();
        communities.push(CommunityMilestones {
            id: s.id.clone(),
            name: s.name.clone(),
            township: s.township.clone(),
            county: s.county.clone(),
            board: s.board.clone(),
            statuses,
        });
    }
    let (totals, groups) = tallies(milestones, &communities);
    MilestoneRun {
        as_of,
        milestones: milestones.to_vec(),
        communities,
        totals,
        groups,
        warnings,
    }
}

/// One subject on one milestone; `warn`: a missing field or criterion is this subject's own
/// (and warned about here) rather than everyone's (warned once by the caller).
fn judge(
    m: &Milestone,
    s: &MilestoneSubject,
    as_of: NaiveDate,
    warn: bool,
    warnings: &mut Vec<Warning>,
) -> MilestoneStatus {
    let not_done = || {
        if as_of <= m.due {
            MilestoneStatus::Due {
                days_left: (m.due - as_of).num_days(),
            }
        } else {
            MilestoneStatus::Overdue {
                days: (as_of - m.due).num_days(),
            }
        }
    };
    let who = format!("{}: community {} {}", s.at, s.id, s.name);
    let at_zh = if s.at_zh.is_empty() { &s.at } else { &s.at_zh };
    let who_zh = format!("{at_zh}：社区 {} {}", s.id, s.name);
    match &m.holds {
        Holds::Field(field) => match s.fields.get(field) {
            None => {
                let why = format!("the row has no field {field:?}");
                if warn {
                    warnings.push(
                        Warning::new(
                            WarningKind::MissingField,
                            format!("{who}: milestone {}: {why}: its status is unknown", m.name),
                            format!(
                                "{who_zh}：里程碑 {}：该行没有字段 {field:?}：其状态未知",
                                m.name
                            ),
                        )
                        .with_file(&s.at)
                        .with_field(field),
                    );
                }
                MilestoneStatus::Unknown { why }
            }
            Some(cell) => {
                let text = cell.as_deref().map(str::trim).unwrap_or("");
                if text.is_empty() {
                    return not_done();
                }
                match parse_date(text) {
                    Some(on) if on <= as_of => MilestoneStatus::Done {
                        on: Some(on),
                        late_days: (on - m.due).num_days().max(0),
                    },
                    // Done after the run's date: not done as of then.
                    Some(_) => not_done(),
                    None => {
                        let why = format!("{field} = {text:?} is not a date");
                        warnings.push(
                            Warning::new(
                                WarningKind::UnreadableValue,
                                format!(
                                    "{who}: milestone {}: {why} (write 2026-05-31, 2026/5/31, 2026.5.31 or 2026年5月31日): its status is unknown",
                                    m.name
                                ),
                                format!(
                                    "{who_zh}：里程碑 {}：{field} = {text:?} 不是日期（请写 2026-05-31、2026/5/31、2026.5.31 或 2026年5月31日）：其状态未知",
                                    m.name
                                ),
                            )
                            .with_file(&s.at)
                            .with_field(field)
                            .with_value(text),
                        );
                        MilestoneStatus::Unknown { why }
                    }
                }
            }
        },
        Holds::Criterion(criterion) => match s.criteria.as_ref().and_then(|c| c.get(criterion)) {
            Some(true) => MilestoneStatus::Done {
                on: None,
                late_days: 0,
            },
            Some(false) => not_done(),
            None => {
                let (why, why_zh) = match &s.criteria {
                    None => (
                        "no launch check ran for it".to_owned(),
                        "没有对它运行启动检查".to_owned(),
                    ),
                    Some(_) => (
                        format!("no launch check judged criterion {criterion:?}"),
                        format!("没有启动检查判定条件 {criterion:?}"),
                    ),
                };
                if warn {
                    warnings.push(
                        Warning::new(
                            WarningKind::MissingField,
                            format!("{who}: milestone {}: {why}: its status is unknown", m.name),
                            format!("{who_zh}：里程碑 {}：{why_zh}：其状态未知", m.name),
                        )
                        .with_file(&s.at)
                        .with_field(criterion),
                    );
                }
                MilestoneStatus::Unknown { why }
            }
        },
    }
}

/// The totals per milestone and the tallies per township, county and board.
fn tallies(
    milestones: &[Milestone],
    communities: &[CommunityMilestones],
) -> (Vec<MilestoneTally>, Vec<MilestoneTally>) {
    let blank = |level: &str, group: &str, m: &Milestone| MilestoneTally {
        level: level.to_owned(),
        group: group.to_owned(),
        milestone: m.name.clone(),
        ..MilestoneTally::default()
    };
    let mut totals: Vec<MilestoneTally> = milestones.iter().map(|m| blank("all", "", m)).collect();
    for c in communities {
        for (t, status) in totals.iter_mut().zip(&c.statuses) {
            t.add(status);
        }
    }
    let mut groups = Vec::new();
    type Key = fn(&CommunityMilestones) -> Option<&str>;
    let levels: [(&str, Key); 3] = [
        ("township", |c| Some(c.township.as_str())),
        ("county", |c| Some(c.county.as_str())),
        ("board", |c| c.board.as_deref()),
    ];
    for (level, key) in levels {
        let mut by: BTreeMap<&str, Vec<MilestoneTally>> = BTreeMap::new();
        for c in communities {
            let Some(group) = key(c).map(str::trim).filter(|g| !g.is_empty()) else {
                continue;
            };
            let rows = by
                .entry(group)
                .or_insert_with(|| milestones.iter().map(|m| blank(level, group, m)).collect());
            for (t, status) in rows.iter_mut().zip(&c.statuses) {
                t.add(status);
            }
        }
        groups.extend(by.into_values().flatten());
    }
    (totals, groups)
}

impl MilestoneRun {
    /// `milestones.csv`: one row per community × milestone (communities in the order given,
    /// milestones in the plan's): `community, name, township, county, board, milestone, due,
    /// done_on, status, days` — days late (done), left (due) or overdue; empty when unknown.
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let _ = w.write_record([
            "community",
            "name",
            "township",
            "county",
            "board",
            "milestone",
            "due",
            "done_on",
            "status",
            "days",
        ]);
        for c in &self.communities {
            for (m, status) in self.milestones.iter().zip(&c.statuses) {
                let done_on = match status {
                    MilestoneStatus::Done { on: Some(d), .. } => d.to_string(),
                    _ => String::new(),
                };
                let days = status.days().map(|d| d.to_string()).unwrap_or_default();
                let row: [&str; 10] = [
                    &c.id,
                    &c.name,
                    &c.township,
                    &c.county,
                    c.board.as_deref().unwrap_or(""),
                    &m.name,
                    &m.due.to_string(),
                    &done_on,
                    status.word(),
                    &days,
                ];
                let _ = w.write_record(row);
            }
        }
        w.into_inner().unwrap_or_default()
    }

    /// `milestones_by_group.csv`: the tallies, one row per group × milestone, the totals
    /// first (`level` = `all`), then per township, county and 管委会: `level, group,
    /// milestone, due, done, done_late, due_count, overdue, unknown, max_overdue_days`.
    pub fn groups_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let _ = w.write_record([
            "level",
            "group",
            "milestone",
            "due_date",
            "done",
            "done_late",
            "due",
            "overdue",
            "unknown",
            "max_overdue_days",
        ]);
        let due_of = |name: &str| {
            self.milestones
                .iter()
                .find(|m| m.name == name)
                .map(|m| m.due.to_string())
                .unwrap_or_default()
        };
        for t in self.totals.iter().chain(&self.groups) {
            let row: [&str; 10] = [
                &t.level,
                &t.group,
                &t.milestone,
                &due_of(&t.milestone),
                &t.done.to_string(),
                &t.done_late.to_string(),
                &t.due.to_string(),
                &t.overdue.to_string(),
                &t.unknown.to_string(),
                &t.max_overdue_days.to_string(),
            ];
            let _ = w.write_record(row);
        }
        w.into_inner().unwrap_or_default()
    }

    /// Writes `milestones.csv` and `milestones_by_group.csv`; the names written.
    pub fn write_into(&self, out: &crate::io::OutputDir) -> crate::Result<Vec<String>> {
        out.write(MILESTONES_CSV, &self.csv())?;
        out.write(MILESTONES_BY_GROUP_CSV, &self.groups_csv())?;
        Ok(vec![
            MILESTONES_CSV.to_owned(),
            MILESTONES_BY_GROUP_CSV.to_owned(),
        ])
    }

    /// The report's section (everything but the warnings, which the report lists with the
    /// run's others).
    pub fn section(&self) -> MilestoneSection {
        MilestoneSection {
            as_of: self.as_of,
            milestones: self.milestones.clone(),
            communities: self.communities.clone(),
            totals: self.totals.clone(),
            groups: self.groups.clone(),
        }
    }
}

/// The file of one row per community × milestone.
pub const MILESTONES_CSV: &str = "milestones.csv";
/// The file of the tallies per township, county and 管委会.
pub const MILESTONES_BY_GROUP_CSV: &str = "milestones_by_group.csv";

/// The milestones as the report keeps them (`report.json`'s `milestones`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneSection {
    /// The date the statuses hold on.
    pub as_of: NaiveDate,
    /// The plan's milestones, in its order.
    pub milestones: Vec<Milestone>,
    /// Per community, in the run's order, a status per milestone.
    pub communities: Vec<CommunityMilestones>,
    /// Per milestone over every community.
    pub totals: Vec<MilestoneTally>,
    /// Per township, county and 管委会.
    pub groups: Vec<MilestoneTally>,
}

impl MilestoneSection {
    /// The communities overdue on milestone number `k`, longest overdue first (then in the
    /// run's order), with their days.
    pub fn overdue(&self, k: usize) -> Vec<(&CommunityMilestones, i64)> {
        let mut list: Vec<(&CommunityMilestones, i64)> = self
            .communities
            .iter()
            .filter_map(|c| match c.statuses.get(k) {
                Some(MilestoneStatus::Overdue { days }) => Some((c, *days)),
                _ => None,
            })
            .collect();
        list.sort_by_key(|(_, days)| std::cmp::Reverse(*days));
        list
    }

    /// The title in `lang` of the milestone named `name` (its name when there is none).
    pub fn title<'a>(&'a self, name: &'a str, lang: &str) -> &'a str {
        self.milestones
            .iter()
            .find(|m| m.name == name)
            .map_or(name, |m| m.title(lang))
    }

    /// Whether any community has a county (the summary then adds a line per county).
    pub fn has_counties(&self) -> bool {
        self.groups.iter().any(|t| t.level == "county")
    }
}

/// Each launch criterion → passed, for one community's launch verdict: a criterion declared
/// in `declared` passes unless a finding names it (`plugin:criterion` too, with several
/// plugins); `None` when the check failed on the community (its criteria are unknown).
pub fn criteria_passed(
    verdict: &crate::Result<crate::rules::Verdict>,
    declared: &[String],
) -> Option<BTreeMap<String, bool>> {
    let v = verdict.as_ref().ok()?;
    let failed: std::collections::BTreeSet<String> = v
        .findings
        .iter()
        .flat_map(|f| {
            let own = f.criterion.clone();
            let qualified = f.plugin.as_ref().map(|p| format!("{p}:{}", f.criterion));
            std::iter::once(own).chain(qualified)
        })
        .collect();
    Some(
        declared
            .iter()
            .map(|c| (c.clone(), !failed.contains(c)))
            .collect(),
    )
}

/// Checks, before a run starts, that every milestone held by a `criterion` names a
/// criterion a launch-check plugin of the plan declares (`[[criteria]]` in its manifest; with
/// several plugins also as `plugin:criterion`): an error names the plan, the milestone and
/// the criteria there are.
pub fn check_milestone_criteria(plan: &crate::Plan) -> crate::Result<()> {
    let wanted: Vec<(&Milestone, &str)> = plan
        .milestones
        .iter()
        .filter_map(|m| match &m.holds {
            Holds::Criterion(c) => Some((m, c.as_str())),
            Holds::Field(_) => None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let checks = plan.launch_checks();
    let several = checks.len() > 1;
    let mut declared: Vec<String> = Vec::new();
    for path in &checks {
        let (manifest, _) = crate::rules::Manifest::load(path)?;
        for c in &manifest.criteria {
            declared.push(c.id.clone());
            if several {
                declared.push(format!("{}:{}", manifest.name, c.id));
            }
        }
    }
    for (m, criterion) in wanted {
        if declared.iter().any(|d| d == criterion) {
            continue;
        }
        let why = if checks.is_empty() {
            "the plan runs no launch check ([checks] launch) to judge it".to_owned()
        } else {
            format!(
                "no launch check of the plan declares it (they declare: {})",
                declared.join(", ")
            )
        };
        return Err(crate::Error::config(
            plan.path.display().to_string(),
            format!(
                "[[milestones]] name = {:?}: criterion = {criterion:?}: {why}",
                m.name
            ),
        ));
    }
    Ok(())
}

/// Today's date in UTC, from the system clock (the default of `--as-of`): chrono's own clock
/// is not built in (`default-features = false`).
pub fn today_utc() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Days::new(secs / 86_400)
}

/// Reads `--as-of`: a date as [`parse_date`] reads them (`2026-08-31`).
pub fn parse_as_of(text: &str) -> crate::Result<NaiveDate> {
    parse_date(text).ok_or_else(|| {
        crate::Error::param(
            format!("--as-of {text}"),
            "not a date: write YYYY-MM-DD, e.g. --as-of 2026-08-31",
        )
    })
}

/// The status in words for the planner: `done (3 days late)`, `overdue by 92 days`, … —
/// `zh`: in Chinese.
pub fn status_text(status: &MilestoneStatus, zh: bool) -> String {
    let mut s = String::new();
    let _ = match (status, zh) {
        (MilestoneStatus::Done { late_days: 0, .. }, true) => write!(s, "已完成"),
        (MilestoneStatus::Done { late_days, .. }, true) => {
            write!(s, "已完成（逾期 {late_days} 天）")
        }
        (MilestoneStatus::Due { days_left }, true) => write!(s, "未到期（剩 {days_left} 天）"),
        (MilestoneStatus::Overdue { days }, true) => write!(s, "逾期 {days} 天"),
        (MilestoneStatus::Unknown { why }, true) => write!(s, "未知（{why}）"),
        (MilestoneStatus::Done { late_days: 0, .. }, false) => write!(s, "done"),
        (MilestoneStatus::Done { late_days, .. }, false) => {
            write!(s, "done {late_days} days late")
        }
        (MilestoneStatus::Due { days_left }, false) => write!(s, "due, {days_left} days left"),
        (MilestoneStatus::Overdue { days }, false) => write!(s, "overdue by {days} days"),
        (MilestoneStatus::Unknown { why }, false) => write!(s, "unknown ({why})"),
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plans() -> Milestone {
        Milestone {
            name: "plans".into(),
            title: BTreeMap::new(),
            due: date("2026-05-31"),
            holds: Holds::Field("plan_approved_on".into()),
        }
    }

    fn subject(id: &str, cell: Option<&str>) -> MilestoneSubject {
        MilestoneSubject {
            id: id.into(),
            name: format!("{id}社区"),
            township: "郑庵镇".into(),
            county: "荥阳市".into(),
            board: None,
            at: format!("communities.xlsx, sheet \"社区\" row {}", id.len() + 1),
            at_zh: String::new(),
            fields: BTreeMap::from([("plan_approved_on".to_owned(), cell.map(str::to_owned))]),
            criteria: None,
        }
    }

    fn one(cell: Option<&str>, as_of: &str) -> (MilestoneStatus, Vec<Warning>) {
        let run = milestone_statuses(&[plans()], &[subject("C1", cell)], date(as_of));
        (run.communities[0].statuses[0].clone(), run.warnings)
    }

    #[test]
    fn done_on_the_due_day_is_on_time_and_a_day_after_is_one_day_late() {
        assert_eq!(
            one(Some("2026-05-31"), "2026-08-31").0,
            MilestoneStatus::Done {
                on: Some(date("2026-05-31")),
                late_days: 0
            }
        );
        assert_eq!(
            one(Some("2026年6月1日"), "2026-08-31").0,
            MilestoneStatus::Done {
                on: Some(date("2026-06-01")),
                late_days: 1
            }
        );
        // Done early: not negative lateness.
        assert_eq!(
            one(Some("2026/4/1"), "2026-08-31").0,
            MilestoneStatus::Done {
                on: Some(date("2026-04-01")),
                late_days: 0
            }
        );
        // Done on the run's own date counts.
        assert_eq!(
            one(Some("2026-08-31"), "2026-08-31").0,
            MilestoneStatus::Done {
                on: Some(date("2026-08-31")),
                late_days: 92
            }
        );
    }

    #[test]
    fn not_done_is_due_until_the_due_day_and_overdue_from_the_day_after() {
        assert_eq!(
            one(None, "2026-05-31").0,
            MilestoneStatus::Due { days_left: 0 }
        );
        assert_eq!(
            one(None, "2026-05-01").0,
            MilestoneStatus::Due { days_left: 30 }
        );
        assert_eq!(
            one(None, "2026-06-01").0,
            MilestoneStatus::Overdue { days: 1 }
        );
        assert_eq!(
            one(Some("  "), "2026-08-31").0,
            MilestoneStatus::Overdue { days: 92 }
        );
    }

    #[test]
    fn a_date_after_the_run_date_is_not_done_yet() {
        let (status, warnings) = one(Some("2026-06-10"), "2026-06-05");
        assert_eq!(status, MilestoneStatus::Overdue { days: 5 });
        assert!(warnings.is_empty());
        assert_eq!(
            one(Some("2026-06-10"), "2026-05-20").0,
            MilestoneStatus::Due { days_left: 11 }
        );
    }

    #[test]
    fn an_unreadable_date_is_unknown_and_named_in_a_warning() {
        let (status, warnings) = one(Some("五月底"), "2026-08-31");
        assert!(
            matches!(status, MilestoneStatus::Unknown { .. }),
            "{status:?}"
        );
        assert_eq!(warnings.len(), 1);
        let w = &warnings[0];
        assert_eq!(w.kind, WarningKind::UnreadableValue);
        assert_eq!(w.field.as_deref(), Some("plan_approved_on"));
        assert_eq!(w.value.as_deref(), Some("五月底"));
        for needle in ["row 3", "C1", "plan_approved_on", "五月底", "plans"] {
            assert!(w.message.contains(needle), "{needle}: {}", w.message);
        }
    }

    #[test]
    fn a_missing_field_is_unknown_per_community_or_once_for_all() {
        let mut lacking = subject("C22", None);
        lacking.fields.clear();
        let run = milestone_statuses(
            &[plans()],
            &[subject("C1", Some("2026-05-01")), lacking.clone()],
            date("2026-08-31"),
        );
        assert_eq!(run.communities[0].statuses[0].word(), "done");
        assert_eq!(run.communities[1].statuses[0].word(), "unknown");
        assert_eq!(run.warnings.len(), 1);
        assert!(
            run.warnings[0].message.contains("row 4"),
            "{:?}",
            run.warnings
        );
        assert!(run.warnings[0].message.contains("C22"));
        // No row has it: one warning for all.
        let run = milestone_statuses(&[plans()], &[lacking.clone(), lacking], date("2026-08-31"));
        assert_eq!(run.warnings.len(), 1);
        assert!(
            run.warnings[0].message.contains("all 2"),
            "{:?}",
            run.warnings
        );
        assert_eq!(run.totals[0].unknown, 2);
    }

    #[test]
    fn a_criterion_passed_failed_or_missing() {
        let m = Milestone {
            name: "approved".into(),
            title: BTreeMap::new(),
            due: date("2026-05-31"),
            holds: Holds::Criterion("plan_approved".into()),
        };
        let with = |c: Option<&[(&str, bool)]>| {
            let mut s = subject("C1", None);
            s.criteria = c.map(|c| c.iter().map(|(k, v)| (k.to_string(), *v)).collect());
            s
        };
        let run = milestone_statuses(
            &[m],
            &[
                with(Some(&[("plan_approved", true)])),
                with(Some(&[("plan_approved", false)])),
                with(Some(&[("other", true)])),
                with(None),
            ],
            date("2026-06-03"),
        );
        let s: Vec<&MilestoneStatus> = run.communities.iter().map(|c| &c.statuses[0]).collect();
        assert_eq!(
            *s[0],
            MilestoneStatus::Done {
                on: None,
                late_days: 0
            }
        );
        assert_eq!(*s[1], MilestoneStatus::Overdue { days: 3 });
        assert_eq!(s[2].word(), "unknown");
        assert_eq!(s[3].word(), "unknown");
        assert_eq!(run.warnings.len(), 2, "{:?}", run.warnings);
    }

    #[test]
    fn criteria_from_a_verdict() {
        use crate::rules::{Finding, Verdict};
        let declared = vec!["a".to_owned(), "b".to_owned()];
        let v = Verdict::from_findings(vec![Finding {
            criterion: "b".into(),
            veto: false,
            reason: "no".into(),
            reasons: Default::default(),
            evidence: BTreeMap::new(),
            plugin: None,
        }]);
        let m = criteria_passed(&Ok(v), &declared).unwrap();
        assert_eq!(m, BTreeMap::from([("a".into(), true), ("b".into(), false)]));
        let err: crate::Result<Verdict> = Err(crate::Error::config("x", "y"));
        assert_eq!(criteria_passed(&err, &declared), None);
    }

    #[test]
    fn the_csv_has_a_row_per_community_and_milestone_in_order() {
        let mut second = plans();
        second.name = "clearing".into();
        second.due = date("2026-06-30");
        second.holds = Holds::Field("clearing_done_on".into());
        let mut a = subject("C2", Some("2026-06-03"));
        a.fields
            .insert("clearing_done_on".into(), Some("bad".into()));
        let b = subject("C1", None);
        let run = milestone_statuses(&[plans(), second], &[a, b], date("2026-08-31"));
        let text = String::from_utf8(run.csv()).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines,
            vec![
                "community,name,township,county,board,milestone,due,done_on,status,days",
                "C2,C2社区,郑庵镇,荥阳市,,plans,2026-05-31,2026-06-03,done,3",
                "C2,C2社区,郑庵镇,荥阳市,,clearing,2026-06-30,,unknown,",
                "C1,C1社区,郑庵镇,荥阳市,,plans,2026-05-31,,overdue,92",
                "C1,C1社区,郑庵镇,荥阳市,,clearing,2026-06-30,,unknown,",
            ]
        );
    }

    #[test]
    fn today_is_a_plausible_date() {
        let today = today_utc();
        assert!(today > date("2025-01-01") && today < date("2200-01-01"));
        assert_eq!(parse_as_of("2026-08-31").unwrap(), date("2026-08-31"));
        let e = parse_as_of("31/08/2026").unwrap_err().to_string();
        assert!(e.contains("--as-of 31/08/2026"), "{e}");
    }

    /// The tallies against a direct count over the statuses the run gave, for random
    /// communities, groups and dates.
    fn cell() -> impl Strategy<Value = Option<Option<String>>> {
        prop_oneof![
            Just(None),
            Just(Some(None)),
            Just(Some(Some("not a date".to_owned()))),
            (0u64..200).prop_map(|d| Some(Some(
                (date("2026-04-01") + chrono::Days::new(d)).to_string()
            ))),
        ]
    }

    proptest! {
        #[test]
        fn tallies_equal_a_brute_force_count(
            rows in proptest::collection::vec(
                (0usize..3, 0usize..2, proptest::option::of(0usize..2), cell(), cell()),
                0..40,
            ),
            as_of in 0u64..200,
        ) {
            let as_of = date("2026-04-01") + chrono::Days::new(as_of);
            let mut second = plans();
            second.name = "clearing".into();
            second.due = date("2026-06-30");
            second.holds = Holds::Field("clearing_done_on".into());
            let milestones = [plans(), second];
            let subjects: Vec<MilestoneSubject> = rows
                .iter()
                .enumerate()
                .map(|(i, (t, c, b, x, y))| {
                    let mut fields = BTreeMap::new();
                    if let Some(x) = x {
                        fields.insert("plan_approved_on".to_owned(), x.clone());
                    }
                    if let Some(y) = y {
                        fields.insert("clearing_done_on".to_owned(), y.clone());
                    }
                    MilestoneSubject {
                        id: format!("C{i}"),
                        name: format!("社区{i}"),
                        township: ["甲镇", "乙镇", ""][*t].to_owned(),
                        county: ["A县", "B县"][*c].to_owned(),
                        board: b.map(|b| ["东区管委会", "西区管委会"][b].to_owned()),
                        at: format!("row {}", i + 2),
                        at_zh: String::new(),
                        fields,
                        criteria: None,
                    }
                })
                .collect();
            let run = milestone_statuses(&milestones, &subjects, as_of);
            // Every status by the rules, directly.
            for (s, c) in subjects.iter().zip(&run.communities) {
                for (m, status) in milestones.iter().zip(&c.statuses) {
                    let Holds::Field(f) = &m.holds else { unreachable!() };
                    let expected = match s.fields.get(f) {
                        None => "unknown",
                        Some(None) => if as_of > m.due { "overdue" } else { "due" },
                        Some(Some(t)) => match parse_date(t) {
                            None => "unknown",
                            Some(d) if d <= as_of => "done",
                            Some(_) => if as_of > m.due { "overdue" } else { "due" },
                        },
                    };
                    prop_assert_eq!(status.word(), expected);
                }
            }
            let count = |level: &str, group: &str, k: usize, word: &str| {
                subjects
                    .iter()
                    .zip(&run.communities)
                    .filter(|(s, _)| match level {
                        "all" => true,
                        "township" => s.township == group,
                        "county" => s.county == group,
                        _ => s.board.as_deref() == Some(group),
                    })
                    .filter(|(_, c)| c.statuses[k].word() == word)
                    .count()
            };
            let mut seen = 0;
            for t in run.totals.iter().chain(&run.groups) {
                let k = milestones.iter().position(|m| m.name == t.milestone).unwrap();
                prop_assert_eq!(t.done, count(&t.level, &t.group, k, "done"));
                prop_assert_eq!(t.due, count(&t.level, &t.group, k, "due"));
                prop_assert_eq!(t.overdue, count(&t.level, &t.group, k, "overdue"));
                prop_assert_eq!(t.unknown, count(&t.level, &t.group, k, "unknown"));
                prop_assert!(!t.group.is_empty() || t.level == "all");
                seen += t.done + t.due + t.overdue + t.unknown;
            }
            // Every community once per milestone per level it has a group in.
            let expected: usize = subjects
                .iter()
                .map(|s| {
                    1 + usize::from(!s.township.is_empty()) + 1 + usize::from(s.board.is_some())
                })
                .sum::<usize>()
                * milestones.len();
            prop_assert_eq!(seen, expected);
            // Groups sorted by name within each level.
            for level in ["township", "county", "board"] {
                let names: Vec<&str> = run
                    .groups
                    .iter()
                    .filter(|t| t.level == level)
                    .map(|t| t.group.as_str())
                    .collect();
                let mut sorted = names.clone();
                sorted.sort();
                prop_assert_eq!(names, sorted);
            }
        }
    }
}
