//! Comparing two runs (two [`Report`]s): which villages came in or went out, how many
//! households and people that is, which sites changed rank or verdict and which communities
//! changed launch status — each with the reason.
//!
//! A [`Diff`] is data in no language: each reason is a variant with its ids and numbers, and
//! [`diff_text`] words it, so `hecun diff --json` is the same whatever `--lang` is.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::words::{Words, words};
use super::{
    Check, CommunityRow, Counts, Lang, LaunchStatus, Report, SiteRow, VillageRow, ZoneRef,
};
use crate::rules::Criterion;

/// What changed from one run (`before`) to another (`after`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// What the runs are (folders, or the plan and its variant).
    pub before: String,
    /// See `before`.
    pub after: String,
    /// Affected villages, households and people before and after.
    pub affected: Change<Counts>,
    /// Zone classes whose width or affected numbers changed.
    pub classes: Vec<ClassChange>,
    /// Villages now inside a zone that were not.
    pub villages_added: Vec<VillageChange>,
    /// Villages no longer inside any zone.
    pub villages_removed: Vec<VillageChange>,
    /// Sites whose rank, choice or verdict changed.
    pub sites: Vec<SiteChange>,
    /// Communities whose launch status or standard verdict changed.
    pub communities: Vec<CommunityChange>,
    /// Progress on the plan's milestones, when the later run judged them (two monthly runs:
    /// what became done, what is newly or still overdue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestones: Option<MilestoneProgress>,
}

/// Progress on the milestones from one run to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneProgress {
    /// The dates the runs were judged on (`None`: the earlier run judged no milestones).
    pub as_of: Change<Option<chrono::NaiveDate>>,
    /// Per milestone of the later run, in its plan's order; those with no change are left
    /// out.
    pub milestones: Vec<MilestoneChange>,
}

/// What changed on one milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneChange {
    /// The milestone's name.
    pub name: String,
    /// Its title by language tag.
    pub title: BTreeMap<String, String>,
    /// Communities done now that were not (or were not in the earlier run).
    pub now_done: Vec<MilestoneMove>,
    /// Communities overdue now that were not.
    pub newly_overdue: Vec<MilestoneMove>,
    /// Communities overdue in both runs.
    pub still_overdue: Vec<MilestoneMove>,
}

/// One community's status on a milestone in both runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneMove {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Its status in the earlier run (`None`: not in it).
    pub before: Option<crate::jobs::MilestoneStatus>,
    /// Its status in the later run.
    pub after: crate::jobs::MilestoneStatus,
}

/// A value before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change<T> {
    /// Before.
    pub before: T,
    /// After.
    pub after: T,
}

/// A zone class that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassChange {
    /// The class.
    pub class: String,
    /// Its width in metres (`None`: the class is not in that run).
    pub width_m: Change<Option<f64>>,
    /// What its zones hold.
    pub affected: Change<Counts>,
}

/// A village that came in or went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageChange {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Households.
    pub households: u64,
    /// People.
    pub population: u64,
    /// Why.
    pub reason: VillageReason,
}

/// Why a village came in or went out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VillageReason {
    /// It now lies in these zones (the later run's).
    NowInside {
        /// The zones.
        zones: Vec<ZoneRef>,
        /// Share of its area inside them (0–1).
        fraction_inside: f64,
    },
    /// It no longer lies in any zone; it lay in these (the earlier run's).
    NoLongerInside {
        /// The zones.
        zones: Vec<ZoneRef>,
        /// Share of its area that was inside them (0–1).
        fraction_inside: f64,
    },
}

/// A site whose rank, choice or verdict changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteChange {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its township.
    pub township: String,
    /// Its overall rank.
    pub rank: Change<Option<usize>>,
    /// Whether it is chosen.
    pub chosen: Change<bool>,
    /// Its score.
    pub score: Change<Option<f64>>,
    /// Why.
    pub reason: SiteReason,
}

/// Why a site's rank, choice or verdict changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SiteReason {
    /// The plugin now excludes it.
    NowExcluded {
        /// The plugin's reason.
        reason: String,
        /// The reason per language, when the plugin gave a message (`[messages]`).
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        reasons: std::collections::BTreeMap<String, String>,
    },
    /// The plugin no longer excludes it.
    NoLongerExcluded {
        /// The plugin's reason then.
        reason: String,
        /// The reason per language, when the plugin gave a message (`[messages]`).
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        reasons: std::collections::BTreeMap<String, String>,
    },
    /// The plugin failed on it.
    PluginError {
        /// The error.
        error: String,
    },
    /// Its score changed.
    Score {
        /// Before.
        before: f64,
        /// After.
        after: f64,
        /// The terms whose contribution changed, in the later run's order.
        terms: Vec<TermChange>,
    },
    /// Its rank in its township held but the number of sites chosen per township changed.
    Top {
        /// Its rank in its township.
        rank_in_township: Option<usize>,
        /// Sites chosen per township.
        top: Change<Option<usize>>,
    },
    /// Other sites passed it or fell behind it.
    Overtaken {
        /// Its score, when it did not change.
        unchanged_score: Option<f64>,
        /// The sites that passed it or fell behind it, in the later run's order.
        sites: Vec<Overtaking>,
    },
}

/// A score term whose contribution (weight × value) changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermChange {
    /// The term.
    pub name: String,
    /// Its contribution before (`None`: the term is new).
    pub before: Option<f64>,
    /// Its contribution after.
    pub after: f64,
}

/// A site that passed another or fell behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overtaking {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it stood before and after.
    pub standing: Change<Standing>,
}

/// Where a site stands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// Scored.
    Scored {
        /// The score.
        score: f64,
    },
    /// Excluded by the plugin.
    Excluded,
    /// The plugin failed on it.
    Error,
}

/// A community whose verdict changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommunityChange {
    /// Its name.
    pub name: String,
    /// Its launch status (`None`: not checked, or not in that run).
    pub launch: Change<Option<LaunchStatus>>,
    /// The standard verdict (`None`: not selected, or not in that run).
    pub standard: Change<Option<LaunchStatus>>,
    /// Why: one entry per check whose status changed (launch first).
    pub reasons: Vec<CheckReason>,
}

/// Which check of a community changed, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckReason {
    /// The launch check.
    Launch(CheckChange),
    /// The planning standard.
    Standard(CheckChange),
}

/// How a check's status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckChange {
    /// The status (`None`: not checked, or not in that run).
    pub status: Change<Option<LaunchStatus>>,
    /// Criteria failing now and not before, in the later run's plugin's order, with the titles
    /// it declares.
    pub now_failing: Vec<Criterion>,
    /// Criteria failing before and not now.
    pub no_longer_failing: Vec<Criterion>,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.affected.before == self.affected.after
            && self.classes.is_empty()
            && self.villages_added.is_empty()
            && self.villages_removed.is_empty()
            && self.sites.is_empty()
            && self.communities.is_empty()
            && self.milestones.is_none()
    }
}

/// Compares two runs (`labels` name them).
pub fn diff(before: &Report, after: &Report, labels: (&str, &str)) -> Diff {
    let mut classes = Vec::new();
    let mut names: Vec<&str> = before.classes.iter().map(|c| c.class.as_str()).collect();
    for c in &after.classes {
        if !names.contains(&c.class.as_str()) {
            names.push(&c.class);
        }
    }
    for name in names {
        let b = before.classes.iter().find(|c| c.class == name);
        let a = after.classes.iter().find(|c| c.class == name);
        let change = ClassChange {
            class: name.to_owned(),
            width_m: Change {
                before: b.map(|c| c.width_m),
                after: a.map(|c| c.width_m),
            },
            affected: Change {
                before: b.map(|c| c.affected).unwrap_or_default(),
                after: a.map(|c| c.affected).unwrap_or_default(),
            },
        };
        if change.width_m.before != change.width_m.after
            || change.affected.before != change.affected.after
        {
            classes.push(change);
        }
    }

    let index = |r: &Report| -> BTreeMap<String, usize> {
        r.villages
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i))
            .collect()
    };
    let (bi, ai) = (index(before), index(after));
    let village_change = |v: &VillageRow, reason: VillageReason| VillageChange {
        id: v.id.clone(),
        name: v.name.clone(),
        township: v.township.clone(),
        households: v.households,
        population: v.population,
        reason,
    };
    let villages_added = after
        .villages
        .iter()
        .filter(|v| !bi.contains_key(&v.id))
        .map(|v| {
            let reason = VillageReason::NowInside {
                zones: v.zones.clone(),
                fraction_inside: v.fraction_inside,
            };
            village_change(v, reason)
        })
        .collect();
    let villages_removed = before
        .villages
        .iter()
        .filter(|v| !ai.contains_key(&v.id))
        .map(|v| {
            let reason = VillageReason::NoLongerInside {
                zones: v.zones.clone(),
                fraction_inside: v.fraction_inside,
            };
            village_change(v, reason)
        })
        .collect();

    Diff {
        before: labels.0.to_owned(),
        after: labels.1.to_owned(),
        affected: Change {
            before: before.totals.affected,
            after: after.totals.affected,
        },
        classes,
        villages_added,
        villages_removed,
        sites: site_changes(before, after),
        communities: community_changes(before, after),
        milestones: milestone_progress(before, after),
    }
}

/// The milestones' progress from `before` to `after`, by community id and milestone name;
/// `None` when the later run judged none, or nothing moved.
fn milestone_progress(before: &Report, after: &Report) -> Option<MilestoneProgress> {
    use crate::jobs::MilestoneStatus as S;
    let a = after.milestones.as_ref()?;
    let b = before.milestones.as_ref();
    let mut milestones = Vec::new();
    for (k, m) in a.milestones.iter().enumerate() {
        let kb = b.and_then(|b| b.milestones.iter().position(|x| x.name == m.name));
        let mut change = MilestoneChange {
            name: m.name.clone(),
            title: m.title.clone(),
            now_done: Vec::new(),
            newly_overdue: Vec::new(),
            still_overdue: Vec::new(),
        };
        for c in &a.communities {
            let Some(now) = c.statuses.get(k) else {
                continue;
            };
            let was = b
                .zip(kb)
                .and_then(|(b, kb)| {
                    b.communities
                        .iter()
                        .find(|x| x.id == c.id)
                        .and_then(|x| x.statuses.get(kb))
                })
                .cloned();
            let list = match (&was, now) {
                (Some(S::Done { .. }), _) => None,
                (_, S::Done { .. }) => Some(&mut change.now_done),
                (Some(S::Overdue { .. }), S::Overdue { .. }) => Some(&mut change.still_overdue),
                (_, S::Overdue { .. }) => Some(&mut change.newly_overdue),
                _ => None,
            };
            if let Some(list) = list {
                list.push(MilestoneMove {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    township: c.township.clone(),
                    before: was,
                    after: now.clone(),
                });
            }
        }
        if !(change.now_done.is_empty()
            && change.newly_overdue.is_empty()
            && change.still_overdue.is_empty())
        {
            milestones.push(change);
        }
    }
    if milestones.is_empty() {
        return None;
    }
    Some(MilestoneProgress {
        as_of: Change {
            before: b.map(|b| b.as_of),
            after: Some(a.as_of),
        },
        milestones,
    })
}

/// The milestones' progress in words: per milestone, the communities now done, newly
/// overdue and still overdue (with the days).
fn milestone_text(s: &mut String, p: &MilestoneProgress, lang: Lang) {
    let mw = super::words::milestone_words(lang);
    let zh = lang == Lang::ZhCn;
    let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let _ = writeln!(
        s,
        "{}",
        (mw.diff_heading)(&date(p.as_of.before), &date(p.as_of.after))
    );
    for m in &p.milestones {
        let title = m
            .title
            .get(lang.tag())
            .or_else(|| m.title.values().next())
            .unwrap_or(&m.name);
        for (word, list) in [
            (mw.diff_now_done, &m.now_done),
            (mw.diff_newly_overdue, &m.newly_overdue),
            (mw.diff_still_overdue, &m.still_overdue),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "  {title} {word} ({})", list.len());
            for x in list {
                let before = x
                    .before
                    .as_ref()
                    .map_or_else(|| "—".to_owned(), |b| crate::jobs::status_text(b, zh));
                let _ = writeln!(
                    s,
                    "    {} {} [{}]: {before} → {}",
                    x.id,
                    x.name,
                    x.township,
                    crate::jobs::status_text(&x.after, zh)
                );
            }
        }
    }
}

fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_else(|| "—".to_owned())
}

fn num(v: f64) -> String {
    let mut b = ryu::Buffer::new();
    let s = b.format(v);
    s.strip_suffix(".0").unwrap_or(s).to_owned()
}

fn site_changes(before: &Report, after: &Report) -> Vec<SiteChange> {
    let b: BTreeMap<&str, &SiteRow> = before.sites.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut out = Vec::new();
    for a in &after.sites {
        let Some(b) = b.get(a.id.as_str()) else {
            continue;
        };
        let verdict = |s: &SiteRow| (s.score.is_some(), s.excluded.is_some(), s.error.is_some());
        if a.rank == b.rank && a.chosen == b.chosen && verdict(a) == verdict(b) {
            continue;
        }
        out.push(SiteChange {
            id: a.id.clone(),
            name: a.name.clone(),
            township: a.township.clone(),
            rank: Change {
                before: b.rank,
                after: a.rank,
            },
            chosen: Change {
                before: b.chosen,
                after: a.chosen,
            },
            score: Change {
                before: b.score,
                after: a.score,
            },
            reason: site_reason(b, a, before, after),
        });
    }
    out
}

fn site_reason(b: &SiteRow, a: &SiteRow, before: &Report, after: &Report) -> SiteReason {
    match (&b.excluded, &a.excluded, &b.error, &a.error) {
        (None, Some(x), _, _) => {
            return SiteReason::NowExcluded {
                reason: x.reason.clone(),
                reasons: x.reasons.clone(),
            };
        }
        (Some(x), None, _, _) => {
            return SiteReason::NoLongerExcluded {
                reason: x.reason.clone(),
                reasons: x.reasons.clone(),
            };
        }
        (_, _, None, Some(e)) => {
            return SiteReason::PluginError { error: e.clone() };
        }
        _ => {}
    }
    if let (Some(sb), Some(sa)) = (b.score, a.score)
        && sb != sa
    {
        let mut terms = Vec::new();
        // The first term of each name, by name: many terms cost linear time.
        let mut before: std::collections::HashMap<&str, _> =
            std::collections::HashMap::with_capacity(b.terms.len());
        for tb in &b.terms {
            before.entry(tb.name.as_str()).or_insert(tb);
        }
        for ta in &a.terms {
            let tb = before.get(ta.name.as_str());
            if tb.is_some_and(|tb| tb.contribution() == ta.contribution()) {
                continue;
            }
            terms.push(TermChange {
                name: ta.name.clone(),
                before: tb.map(|tb| tb.contribution()),
                after: ta.contribution(),
            });
        }
        return SiteReason::Score {
            before: sb,
            after: sa,
            terms,
        };
    }
    if b.chosen != a.chosen && b.rank_in_township == a.rank_in_township && before.top != after.top {
        return SiteReason::Top {
            rank_in_township: a.rank_in_township,
            top: Change {
                before: before.top,
                after: after.top,
            },
        };
    }
    // Its own score held (or moved without explaining the change): name the sites that
    // passed it or fell behind it.
    let above = |r: &Report, x: &str, y: &str| -> bool {
        let rank = |id: &str| r.sites.iter().find(|s| s.id == id).and_then(|s| s.rank);
        matches!((rank(x), rank(y)), (Some(rx), Some(ry)) if rx < ry)
            || matches!((rank(x), rank(y)), (Some(_), None))
    };
    let sites = after
        .sites
        .iter()
        .filter(|s| s.id != a.id && before.sites.iter().any(|o| o.id == s.id))
        .filter(|s| above(before, &s.id, &a.id) != above(after, &s.id, &a.id))
        .map(|s| {
            let old = before.sites.iter().find(|o| o.id == s.id).unwrap_or(s);
            Overtaking {
                id: s.id.clone(),
                name: s.name.clone(),
                standing: Change {
                    before: standing(old),
                    after: standing(s),
                },
            }
        })
        .collect();
    SiteReason::Overtaken {
        unchanged_score: a.score.filter(|_| b.score == a.score),
        sites,
    }
}

fn standing(s: &SiteRow) -> Standing {
    match (s.score, &s.excluded) {
        (Some(score), _) => Standing::Scored { score },
        (None, Some(_)) => Standing::Excluded,
        _ => Standing::Error,
    }
}

fn community_changes<'a>(before: &'a Report, after: &'a Report) -> Vec<CommunityChange> {
    let b: BTreeMap<&str, &CommunityRow> = before
        .communities
        .iter()
        .map(|c| (c.name.as_str(), c))
        .collect();
    let a: BTreeMap<&str, &CommunityRow> = after
        .communities
        .iter()
        .map(|c| (c.name.as_str(), c))
        .collect();
    let mut names: Vec<&str> = b.keys().chain(a.keys()).copied().collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let (cb, ca) = (b.get(name), a.get(name));
        let launch = |c: Option<&&'a CommunityRow>| -> Option<&'a Check> {
            c.and_then(|c| c.launch.as_ref())
        };
        let standard = |c: Option<&&'a CommunityRow>| -> Option<&'a Check> {
            c.and_then(|c| c.standard.as_ref()).map(|s| &s.check)
        };
        let (lb, la) = (launch(cb), launch(ca));
        let (sb, sa) = (standard(cb), standard(ca));
        if lb.map(|c| c.status) == la.map(|c| c.status)
            && sb.map(|c| c.status) == sa.map(|c| c.status)
        {
            continue;
        }
        let mut reasons = Vec::new();
        if lb.map(|c| c.status) != la.map(|c| c.status) {
            reasons.push(CheckReason::Launch(check_change(after, "launch", lb, la)));
        }
        if sb.map(|c| c.status) != sa.map(|c| c.status) {
            reasons.push(CheckReason::Standard(check_change(
                after, "standard", sb, sa,
            )));
        }
        out.push(CommunityChange {
            name: name.to_owned(),
            launch: Change {
                before: lb.map(|c| c.status),
                after: la.map(|c| c.status),
            },
            standard: Change {
                before: sb.map(|c| c.status),
                after: sa.map(|c| c.status),
            },
            reasons,
        });
    }
    out
}

/// How a community's `role` check (`launch`, `standard`) changed: the criteria failing now
/// and no longer, as the plugin of the later run (`titles`) declares them.
fn check_change(titles: &Report, role: &str, b: Option<&Check>, a: Option<&Check>) -> CheckChange {
    let criteria = |c: Option<&Check>| -> BTreeSet<String> {
        c.map(|c| c.findings.iter().map(|f| f.criterion.clone()).collect())
            .unwrap_or_default()
    };
    let (cb, ca) = (criteria(b), criteria(a));
    let listed = |ids: std::collections::btree_set::Difference<'_, String>| -> Vec<Criterion> {
        titles
            .criteria_in_order(role, ids.map(String::as_str))
            .into_iter()
            .map(|id| {
                titles
                    .criterion(role, id)
                    .map(|(_, c)| c.clone())
                    .unwrap_or_else(|| Criterion {
                        id: id.to_owned(),
                        title: BTreeMap::new(),
                        failed: BTreeMap::new(),
                    })
            })
            .collect()
    };
    CheckChange {
        status: Change {
            before: b.map(|c| c.status),
            after: a.map(|c| c.status),
        },
        now_failing: listed(ca.difference(&cb)),
        no_longer_failing: listed(cb.difference(&ca)),
    }
}

/// The diff as text for the terminal.
pub fn diff_text(d: &Diff, lang: Lang) -> String {
    let w = words(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{} → {}", d.before, d.after);
    let c = w.diff_counts;
    let delta = |a: u64, b: u64| -> String {
        let d = b as i64 - a as i64;
        format!("{d:+}")
    };
    let _ = writeln!(
        s,
        "{}{} → {}（{} / {} / {}）",
        w.diff_inside,
        c(d.affected.before),
        c(d.affected.after),
        delta(
            d.affected.before.villages as u64,
            d.affected.after.villages as u64
        ),
        delta(d.affected.before.households, d.affected.after.households),
        delta(d.affected.before.population, d.affected.after.population),
    );
    for k in &d.classes {
        let _ = writeln!(
            s,
            "  {} {} → {} m: {} → {}",
            k.class,
            opt_num(k.width_m.before),
            opt_num(k.width_m.after),
            c(k.affected.before),
            c(k.affected.after)
        );
    }
    // Every village's reason ends with the classes whose width changed.
    let widths: Vec<String> = d
        .classes
        .iter()
        .filter(|k| k.width_m.before != k.width_m.after)
        .map(|k| {
            format!(
                "{} {} → {} m",
                k.class,
                opt_num(k.width_m.before),
                opt_num(k.width_m.after)
            )
        })
        .collect();
    let widths_note = if widths.is_empty() {
        String::new()
    } else {
        format!("{}{}", w.diff_widths, widths.join(", "))
    };
    let villages = |s: &mut String, title: &str, list: &[VillageChange]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(s, "{title} ({})", list.len());
        for v in list {
            let _ = writeln!(
                s,
                "  {} {} [{}] {} / {}: {}{widths_note}",
                v.id,
                v.name,
                v.township,
                v.households,
                v.population,
                village_reason_text(&v.reason, w)
            );
        }
    };
    villages(&mut s, w.diff_villages_added, &d.villages_added);
    villages(&mut s, w.diff_villages_removed, &d.villages_removed);
    if !d.sites.is_empty() {
        let _ = writeln!(s, "{} ({})", w.diff_sites_changed, d.sites.len());
        let r = |r: Option<usize>| r.map(|r| r.to_string()).unwrap_or_else(|| "—".into());
        for x in &d.sites {
            let chosen = match (x.chosen.before, x.chosen.after) {
                (false, true) => w.diff_now_chosen,
                (true, false) => w.diff_no_longer_chosen,
                _ => "",
            };
            let _ = writeln!(
                s,
                "  {} {} [{}] rank {} → {}{chosen}: {}",
                x.id,
                x.name,
                x.township,
                r(x.rank.before),
                r(x.rank.after),
                site_reason_text(&x.reason, w)
            );
        }
    }
    if !d.communities.is_empty() {
        let _ = writeln!(
            s,
            "{} ({})",
            w.diff_communities_changed,
            d.communities.len()
        );
        for x in &d.communities {
            let reasons: Vec<String> = x
                .reasons
                .iter()
                .map(|r| check_reason_text(r, lang))
                .collect();
            let _ = writeln!(s, "  {}: {}", x.name, reasons.join("; "));
        }
    }
    if let Some(p) = &d.milestones {
        milestone_text(&mut s, p, lang);
    }
    if d.is_empty() {
        let _ = writeln!(s, "{}", w.diff_no_change);
    }
    s
}

fn village_reason_text(reason: &VillageReason, w: &Words) -> String {
    match reason {
        VillageReason::NowInside {
            zones,
            fraction_inside,
        } => format!(
            "{}{}",
            w.diff_now_inside,
            zones_text(zones, *fraction_inside, w)
        ),
        VillageReason::NoLongerInside {
            zones,
            fraction_inside,
        } => (w.diff_no_longer_inside)(&zones_text(zones, *fraction_inside, w)),
    }
}

fn zones_text(zones: &[ZoneRef], fraction_inside: f64, w: &Words) -> String {
    let zones: Vec<String> = zones
        .iter()
        .map(|z| {
            let what = if z.name.is_empty() { &z.id } else { &z.name };
            (w.diff_zone)(z, what, &num(z.width_m))
        })
        .collect();
    let share = super::numbers::percent_text(fraction_inside);
    (w.diff_zones_share)(&zones.join(w.list_sep), &share)
}

fn site_reason_text(reason: &SiteReason, w: &Words) -> String {
    match reason {
        // The reason in the diff's language where the plugin gave it per language.
        SiteReason::NowExcluded { reason, reasons } => {
            (w.diff_now_excluded)(reasons.get(w.html_lang).unwrap_or(reason))
        }
        SiteReason::NoLongerExcluded { reason, reasons } => {
            (w.diff_no_longer_excluded)(reasons.get(w.html_lang).unwrap_or(reason))
        }
        SiteReason::PluginError { error } => (w.diff_plugin_error)(error),
        SiteReason::Score {
            before,
            after,
            terms,
        } => {
            let terms: Vec<String> = terms
                .iter()
                .map(|t| match t.before {
                    Some(b) => format!("{} {b:.3} → {:.3}", t.name, t.after),
                    None => format!("{} → {:.3}", t.name, t.after),
                })
                .collect();
            (w.diff_score)(*before, *after, &terms.join(w.clause_sep))
        }
        SiteReason::Top {
            rank_in_township,
            top,
        } => {
            let n = |t: Option<usize>| t.map(|t| t.to_string()).unwrap_or_default();
            (w.diff_top)(&n(*rank_in_township), &n(top.before), &n(top.after))
        }
        SiteReason::Overtaken {
            unchanged_score,
            sites,
        } => {
            let standing = |s: Standing| match s {
                Standing::Scored { score } => format!("{score:.3}"),
                Standing::Excluded => w.diff_excluded.to_owned(),
                Standing::Error => w.diff_error.to_owned(),
            };
            let sites: Vec<String> = sites
                .iter()
                .map(|s| {
                    let name = if s.name.is_empty() { &s.id } else { &s.name };
                    format!(
                        "{name} {} → {}",
                        standing(s.standing.before),
                        standing(s.standing.after)
                    )
                })
                .collect();
            let own = unchanged_score.map(w.diff_own_score).unwrap_or_default();
            format!("{own}{}{}", w.diff_passed, sites.join(w.clause_sep))
        }
    }
}

fn check_reason_text(reason: &CheckReason, lang: Lang) -> String {
    let w = words(lang);
    let (role, change, met, missed) = match reason {
        CheckReason::Launch(c) => (w.diff_role_launch, c, None, None),
        CheckReason::Standard(c) => (w.diff_role_standard, c, Some(w.std_met), Some(w.std_missed)),
    };
    // A standard is met or not met; any other status is worded as a launch status.
    let status = |s: Option<LaunchStatus>| match s {
        None => w.dash,
        Some(LaunchStatus::Launched) => met.unwrap_or(w.verdict_launched),
        Some(LaunchStatus::Blocked) => missed.unwrap_or(w.verdict_blocked),
        Some(s) => w.verdict(s),
    };
    // Worded as the verdicts word failures (`存在强制拆迁`, `未满足：<title>`).
    let titled = |list: &[Criterion]| super::failures::criteria_failures(list, lang);
    let mut text = format!(
        "{role} {} → {}",
        status(change.status.before),
        status(change.status.after)
    );
    if !change.now_failing.is_empty() {
        text.push_str(&(w.diff_now_failing)(&titled(&change.now_failing)));
    }
    if !change.no_longer_failing.is_empty() {
        text.push_str(&(w.diff_no_longer_failing)(&titled(
            &change.no_longer_failing,
        )));
    }
    text
}

impl Diff {
    /// The differences as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(villages: usize) -> Change<Counts> {
        let c = |v: usize| Counts {
            villages: v,
            households: 10 * v as u64,
            population: 30 * v as u64,
        };
        Change {
            before: c(villages),
            after: c(villages + 1),
        }
    }

    fn ring(width_m: f64) -> ZoneRef {
        ZoneRef {
            layer: "roads".into(),
            id: "R1".into(),
            name: "四环".into(),
            class: "环线".into(),
            width_m,
        }
    }

    fn village(reason: VillageReason) -> VillageChange {
        VillageChange {
            id: "V1".into(),
            name: "甲村".into(),
            township: "金水镇".into(),
            households: 10,
            population: 30,
            reason,
        }
    }

    fn site(reason: SiteReason) -> SiteChange {
        SiteChange {
            id: "S1".into(),
            name: "甲社区".into(),
            township: "金水镇".into(),
            rank: Change {
                before: Some(2),
                after: Some(3),
            },
            chosen: Change {
                before: true,
                after: false,
            },
            score: Change {
                before: Some(0.5),
                after: Some(0.4),
            },
            reason,
        }
    }

    fn criterion(id: &str, zh: &str, en: &str) -> Criterion {
        Criterion {
            id: id.into(),
            title: [("zh-CN", zh), ("en", en)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            failed: BTreeMap::new(),
        }
    }

    fn community(reason: CheckReason) -> CommunityChange {
        let status = match &reason {
            CheckReason::Launch(c) | CheckReason::Standard(c) => c.status,
        };
        CommunityChange {
            name: "甲新社区".into(),
            launch: status,
            standard: status,
            reasons: vec![reason],
        }
    }

    fn one(d: Diff) -> [String; 2] {
        [Lang::ZhCn, Lang::En].map(|lang| {
            let text = diff_text(&d, lang);
            // The reason's line: the last one, under its section's title.
            text.lines().last().unwrap_or_default().to_owned()
        })
    }

    fn empty() -> Diff {
        Diff {
            before: "a".into(),
            after: "b".into(),
            affected: counts(1),
            classes: Vec::new(),
            villages_added: Vec::new(),
            villages_removed: Vec::new(),
            sites: Vec::new(),
            communities: Vec::new(),
            milestones: None,
        }
    }

    /// Which kind a reason is: adding a kind without a case here does not compile, and the
    /// tests below then fail until the kind has its words checked.
    fn kind(d: &Diff) -> &'static str {
        if let Some(v) = d.villages_added.first().or(d.villages_removed.first()) {
            return match v.reason {
                VillageReason::NowInside { .. } => "now_inside",
                VillageReason::NoLongerInside { .. } => "no_longer_inside",
            };
        }
        if let Some(s) = d.sites.first() {
            return match s.reason {
                SiteReason::NowExcluded { .. } => "now_excluded",
                SiteReason::NoLongerExcluded { .. } => "no_longer_excluded",
                SiteReason::PluginError { .. } => "plugin_error",
                SiteReason::Score { .. } => "score",
                SiteReason::Top { .. } => "top",
                SiteReason::Overtaken { .. } => "overtaken",
            };
        }
        match d.communities.first().map(|c| &c.reasons[0]) {
            Some(CheckReason::Launch(_)) => "launch",
            Some(CheckReason::Standard(_)) => "standard",
            None => "none",
        }
    }

    /// Every kind of reason with its line in zh-CN and in English.
    fn cases() -> Vec<(Diff, [&'static str; 2])> {
        let widened = ClassChange {
            class: "环线".into(),
            width_m: Change {
                before: Some(100.0),
                after: Some(150.0),
            },
            affected: counts(1),
        };
        let mut cases = Vec::new();
        let mut d = empty();
        d.classes.push(widened.clone());
        d.villages_added.push(village(VillageReason::NowInside {
            zones: vec![ring(150.0)],
            fraction_inside: 0.054,
        }));
        cases.push((
            d,
            [
                "  V1 甲村 [金水镇] 10 / 30: 新进入环线四环（R1，150 米）拆迁范围，占村域面积 5.4%；宽度 环线 100 → 150 m",
                "  V1 甲村 [金水镇] 10 / 30: now inside the 环线 zone of 四环 (R1, 150 m), 5.4 % of its area; width 环线 100 → 150 m",
            ],
        ));
        let mut d = empty();
        d.villages_removed
            .push(village(VillageReason::NoLongerInside {
                zones: vec![ring(50.0), ring(100.0)],
                fraction_inside: 0.0001,
            }));
        cases.push((
            d,
            [
                "  V1 甲村 [金水镇] 10 / 30: 不再位于任何拆迁范围内（原在环线四环（R1，50 米）、环线四环（R1，100 米）拆迁范围，占村域面积 0.01%）",
                "  V1 甲村 [金水镇] 10 / 30: no longer inside any zone (was inside the 环线 zone of 四环 (R1, 50 m), the 环线 zone of 四环 (R1, 100 m), 0.01 % of its area)",
            ],
        ));
        let site_case = |reason: SiteReason, zh: &'static str, en: &'static str| {
            let mut d = empty();
            d.sites.push(site(reason));
            (d, [zh, en])
        };
        cases.push(site_case(
            SiteReason::NowExcluded {
                reason: "farmland".into(),
                reasons: Default::default(),
            },
            "  S1 甲社区 [金水镇] rank 2 → 3，落选: 被排除：farmland",
            "  S1 甲社区 [金水镇] rank 2 → 3, no longer chosen: now excluded: farmland",
        ));
        cases.push(site_case(
            SiteReason::NoLongerExcluded {
                reason: "farmland".into(),
                reasons: Default::default(),
            },
            "  S1 甲社区 [金水镇] rank 2 → 3，落选: 不再被排除（原因曾是：farmland）",
            "  S1 甲社区 [金水镇] rank 2 → 3, no longer chosen: no longer excluded (was: farmland)",
        ));
        cases.push(site_case(
            SiteReason::PluginError {
                error: "boom".into(),
            },
            "  S1 甲社区 [金水镇] rank 2 → 3，落选: 插件出错：boom",
            "  S1 甲社区 [金水镇] rank 2 → 3, no longer chosen: plugin error: boom",
        ));
        cases.push(site_case(
            SiteReason::Score {
                before: 0.5,
                after: 0.4,
                terms: vec![
                    TermChange {
                        name: "road".into(),
                        before: Some(0.2),
                        after: 0.1,
                    },
                    TermChange {
                        name: "new".into(),
                        before: None,
                        after: 0.05,
                    },
                ],
            },
            "  S1 甲社区 [金水镇] rank 2 → 3，落选: 得分 0.500 → 0.400（road 0.200 → 0.100，new → 0.050）",
            "  S1 甲社区 [金水镇] rank 2 → 3, no longer chosen: score 0.500 → 0.400 (road 0.200 → 0.100, new → 0.050)",
        ));
        cases.push(site_case(
            SiteReason::Top {
                rank_in_township: Some(2),
                top: Change {
                    before: Some(2),
                    after: Some(1),
                },
            },
            "  S1 甲社区 [金水镇] rank 2 → 3，落选: 乡镇内第 2 名；每乡镇选取 2 → 1 个",
            "  S1 甲社区 [金水镇] rank 2 → 3, no longer chosen: rank 2 in its township; sites chosen per township 2 → 1",
        ));
        cases.push(site_case(
            SiteReason::Overtaken {
                unchanged_score: Some(0.5),
                sites: vec![
                    Overtaking {
                        id: "S2".into(),
                        name: "乙社区".into(),
                        standing: Change {
                            before: Standing::Excluded,
                            after: Standing::Scored { score: 0.6 },
                        },
                    },
                    Overtaking {
                        id: "S3".into(),
                        name: String::new(),
                        standing: Change {
                            before: Standing::Scored { score: 0.4 },
                            after: Standing::Error,
                        },
                    },
                ],
            },
            "  S1 甲社区 [金水镇] rank 2 → 3，落选: 自身得分未变（0.500）；名次交换：乙社区 排除 → 0.600，S3 0.400 → 出错",
            "  S1 甲社区 [金水镇] rank 2 → 3, no longer chosen: its own score is unchanged (0.500); passed by or passing: 乙社区 excluded → 0.600, S3 0.400 → error",
        ));
        let mut d = empty();
        d.communities
            .push(community(CheckReason::Launch(CheckChange {
                status: Change {
                    before: Some(LaunchStatus::Blocked),
                    after: Some(LaunchStatus::Vetoed),
                },
                now_failing: vec![Criterion {
                    failed: [("zh-CN", "存在强制拆迁"), ("en", "forced demolition found")]
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect(),
                    ..criterion("forced", "无强制拆迁", "No forced demolition")
                }],
                no_longer_failing: vec![
                    criterion("plan", "方案获批", "Plan approved"),
                    // Not declared by the plugin: named by its id in both languages.
                    Criterion {
                        id: "mystery".into(),
                        title: BTreeMap::new(),
                        failed: BTreeMap::new(),
                    },
                ],
            })));
        cases.push((
            d,
            [
                "  甲新社区: 启动 暂缓 → 一票否决，新增问题（存在强制拆迁），问题消除（未满足：方案获批、mystery）",
                "  甲新社区: launch blocked → vetoed, now failing (forced demolition found), no longer failing (not met: Plan approved, mystery)",
            ],
        ));
        let mut d = empty();
        d.communities
            .push(community(CheckReason::Standard(CheckChange {
                status: Change {
                    before: Some(LaunchStatus::Launched),
                    after: Some(LaunchStatus::Blocked),
                },
                now_failing: vec![criterion("min_population", "人口规模", "Population")],
                no_longer_failing: Vec::new(),
            })));
        cases.push((
            d,
            [
                "  甲新社区: 规划标准 达标 → 未达标，新增问题（未满足：人口规模）",
                "  甲新社区: standard met → not met, now failing (not met: Population)",
            ],
        ));
        cases
    }

    #[test]
    fn every_reason_kind_has_its_words_in_both_languages() {
        let cases = cases();
        let kinds: BTreeSet<&str> = cases.iter().map(|(d, _)| kind(d)).collect();
        let all = [
            "now_inside",
            "no_longer_inside",
            "now_excluded",
            "no_longer_excluded",
            "plugin_error",
            "score",
            "top",
            "overtaken",
            "launch",
            "standard",
        ];
        assert_eq!(kinds, all.into_iter().collect(), "a case per kind");
        for (d, [zh, en]) in cases {
            let k = kind(&d);
            let [got_zh, got_en] = one(d.clone());
            assert_eq!(got_zh, zh, "{k} in zh-CN");
            assert_eq!(got_en, en, "{k} in English");
            // The kind is in the JSON as data, and the JSON round-trips.
            let json = d.to_json();
            assert!(json.contains(&format!("\"kind\": \"{k}\"")), "{json}");
            assert_eq!(serde_json::from_str::<Diff>(&json).unwrap(), d);
        }
    }

    #[test]
    fn the_section_titles_and_the_empty_diff_have_words_in_both_languages() {
        let mut d = empty();
        d.affected.after = d.affected.before;
        assert_eq!(
            diff_text(&d, Lang::ZhCn),
            "a → b\n拆迁范围内：1 个村，10 户，30 人 → 1 个村，10 户，30 人（+0 / +0 / +0）\n无变化\n"
        );
        assert_eq!(
            diff_text(&d, Lang::En),
            "a → b\ninside the zones: 1 villages, 10 households, 30 people → 1 villages, 10 households, 30 people（+0 / +0 / +0）\nno change\n"
        );
        let titles = |d: &Diff, lang| -> Vec<String> {
            diff_text(d, lang)
                .lines()
                .filter(|l| !l.starts_with(' '))
                .skip(2)
                .map(str::to_owned)
                .collect()
        };
        let mut all = empty();
        for (d, _) in cases() {
            all.villages_added.extend(d.villages_added);
            all.villages_removed.extend(d.villages_removed);
            all.sites.extend(d.sites);
            all.communities.extend(d.communities);
        }
        assert_eq!(
            titles(&all, Lang::ZhCn),
            [
                "新增村庄 (1)",
                "移出村庄 (1)",
                "选址变化 (6)",
                "社区结论变化 (2)"
            ]
        );
        assert_eq!(
            titles(&all, Lang::En),
            [
                "villages added (1)",
                "villages removed (1)",
                "sites changed (6)",
                "communities changed (2)"
            ]
        );
    }
}

/// Two monthly runs' milestones, constructed: progress per milestone, both languages, and the
/// report's section in the summary and the page.
#[cfg(test)]
mod milestone_tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;

    use super::*;
    use crate::jobs::{Holds, Milestone, MilestoneStatus, MilestoneSubject, milestone_statuses};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn milestones() -> Vec<Milestone> {
        vec![
            Milestone {
                name: "plans".into(),
                title: BTreeMap::from([
                    ("zh-CN".into(), "规划编制".into()),
                    ("en".into(), "Plans".into()),
                ]),
                due: date("2026-05-31"),
                holds: Holds::Field("plan_approved_on".into()),
            },
            Milestone {
                name: "clearing".into(),
                title: BTreeMap::new(),
                due: date("2026-06-30"),
                holds: Holds::Field("clearing_done_on".into()),
            },
        ]
    }

    fn subject(
        id: &str,
        county: &str,
        plans: Option<&str>,
        clearing: Option<&str>,
    ) -> MilestoneSubject {
        MilestoneSubject {
            id: id.into(),
            name: format!("{id}社区"),
            township: "郑庵镇".into(),
            county: county.into(),
            board: None,
            at: format!("communities.csv row {id}"),
            at_zh: String::new(),
            fields: BTreeMap::from([
                ("plan_approved_on".to_owned(), plans.map(str::to_owned)),
                ("clearing_done_on".to_owned(), clearing.map(str::to_owned)),
            ]),
            criteria: None,
        }
    }

    /// The roster as the office keeps it: dates filled in as work is done.
    fn roster() -> Vec<MilestoneSubject> {
        vec![
            subject("C1", "荥阳市", Some("2026-05-20"), Some("2026-07-15")),
            subject("C2", "荥阳市", Some("2026-07-10"), None),
            subject("C3", "新郑市", None, None),
            subject("C4", "新郑市", Some("2026-08-20"), Some("2026-08-25")),
        ]
    }

    fn report_as_of(as_of: &str) -> Report {
        let mut r = crate::report::html::tests::sample();
        let run = milestone_statuses(&milestones(), &roster(), date(as_of));
        r.add_milestones(&run);
        r
    }

    #[test]
    fn two_monthly_runs_show_progress_per_milestone() {
        let july = report_as_of("2026-07-31");
        let august = report_as_of("2026-08-31");
        let d = diff(&july, &august, ("7月", "8月"));
        let p = d.milestones.as_ref().expect("progress");
        assert_eq!(p.as_of.before, Some(date("2026-07-31")));
        assert_eq!(p.as_of.after, Some(date("2026-08-31")));
        let ids = |l: &[MilestoneMove]| l.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        // plans: C4 done in August (late); C3 overdue in both (61 → 92 days).
        let plans = &p.milestones[0];
        assert_eq!(plans.name, "plans");
        assert_eq!(ids(&plans.now_done), ["C4"]);
        assert!(plans.newly_overdue.is_empty());
        assert_eq!(ids(&plans.still_overdue), ["C3"]);
        assert_eq!(
            plans.still_overdue[0].before,
            Some(MilestoneStatus::Overdue { days: 61 })
        );
        assert_eq!(
            plans.still_overdue[0].after,
            MilestoneStatus::Overdue { days: 92 }
        );
        // clearing (due 6-30): C4 done; C2, C3 overdue in both months.
        let clearing = &p.milestones[1];
        assert_eq!(ids(&clearing.now_done), ["C4"]);
        assert_eq!(ids(&clearing.still_overdue), ["C2", "C3"]);
        assert!(!d.is_empty());

        let zh = diff_text(&d, Lang::ZhCn);
        for needle in [
            "节点进度（2026-07-31 → 2026-08-31）",
            "规划编制 新完成 (1)",
            "逾期 61 天 → 逾期 92 天",
        ] {
            assert!(zh.contains(needle), "{needle}:\n{zh}");
        }
        let en = diff_text(&d, Lang::En);
        for needle in [
            "Milestone progress (2026-07-31 → 2026-08-31)",
            "Plans now done (1)",
            "clearing still overdue (2)",
            "overdue by 61 days → overdue by 92 days",
        ] {
            assert!(en.contains(needle), "{needle}:\n{en}");
        }
        // The same run twice: nothing moved (a community overdue in both is still listed).
        let same = diff(&august, &august, ("a", "b"));
        let p = same.milestones.unwrap();
        assert!(
            p.milestones
                .iter()
                .all(|m| m.now_done.is_empty() && m.newly_overdue.is_empty())
        );
        // A run from before milestones existed: everything done is "now done".
        let mut old = crate::report::html::tests::sample();
        old.milestones = None;
        let d = diff(&old, &august, ("a", "b"));
        let p = d.milestones.unwrap();
        assert_eq!(p.as_of.before, None);
        assert_eq!(ids(&p.milestones[0].now_done), ["C1", "C2", "C4"]);
        assert_eq!(ids(&p.milestones[0].newly_overdue), ["C3"]);
    }

    #[test]
    fn the_summary_and_the_page_say_what_is_overdue() {
        let r = report_as_of("2026-08-31");
        let zh = crate::report::report_text(&r, Lang::ZhCn);
        assert!(
            zh.contains("节点（截至2026-08-31）：规划编制 完成 3（其中逾期完成 2） / 到期未完成 1（最多逾期 92 天） / 未到期 0"),
            "{zh}"
        );
        assert!(zh.contains("  新郑市：规划编制 完成 1"), "{zh}");
        let en = crate::report::report_text(&r, Lang::En);
        assert!(
            en.contains("Milestones (as of 2026-08-31): clearing: done 2 (2 late) / overdue 2 (up to 62 days) / due 0"),
            "{en}"
        );
        let html = crate::report::render_html(&r, Lang::ZhCn);
        assert!(html.contains("<section id=\"milestones\">"));
        // Overdue first, longest first: C3's plans (92) before C3's clearing (62) and C2's.
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s}"));
        let overdue = &html[at("milestones-overdue")..at("milestones-tallies")];
        let c3 = overdue.find("C3 C3社区").unwrap();
        let c2 = overdue.find("C2 C2社区").unwrap();
        assert!(c3 < c2 && overdue.contains(">92<"), "{overdue}");
        // report.json keeps the section and reads it back.
        let back = Report::from_json("r", &r.to_json()).unwrap();
        assert_eq!(back.milestones, r.milestones);
        // A report without milestones writes no key (report.json as before).
        let mut none = r.clone();
        none.milestones = None;
        assert!(!none.to_json().contains("\"milestones\""));
    }

    #[test]
    fn a_sites_reason_reads_in_the_diffs_language_where_the_plugin_gives_it() {
        let reason = SiteReason::NowExcluded {
            reason: "占用永久基本农田".into(),
            reasons: [
                ("zh-CN", "占用永久基本农田"),
                ("en", "on permanent basic farmland"),
            ]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.to_owned()))
            .collect(),
        };
        let zh = site_reason_text(&reason, crate::report::words::words(Lang::ZhCn));
        let en = site_reason_text(&reason, crate::report::words::words(Lang::En));
        assert!(zh.ends_with("占用永久基本农田"), "{zh}");
        assert!(en.ends_with("on permanent basic farmland"), "{en}");
    }
}
