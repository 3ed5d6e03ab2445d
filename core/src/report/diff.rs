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
    },
    /// The plugin no longer excludes it.
    NoLongerExcluded {
        /// The plugin's reason then.
        reason: String,
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
            };
        }
        (Some(x), None, _, _) => {
            return SiteReason::NoLongerExcluded {
                reason: x.reason.clone(),
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
    let percent = fraction_inside * 100.0;
    let share = if percent > 0.0 && percent < 0.05 {
        "<0.1".to_owned()
    } else {
        format!("{percent:.1}")
    };
    (w.diff_zones_share)(&zones.join(w.list_sep), &share)
}

fn site_reason_text(reason: &SiteReason, w: &Words) -> String {
    match reason {
        SiteReason::NowExcluded { reason } => (w.diff_now_excluded)(reason),
        SiteReason::NoLongerExcluded { reason } => (w.diff_no_longer_excluded)(reason),
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
    let titled = |list: &[Criterion]| -> String {
        let titles: Vec<&str> = list
            .iter()
            .map(|c| c.title(lang.tag()).unwrap_or(&c.id))
            .collect();
        titles.join(w.list_sep)
    };
    let mut text = format!(
        "{role} {} → {}",
        status(change.status.before),
        status(change.status.after)
    );
    if !change.now_failing.is_empty() {
        let _ = write!(
            text,
            "{}{}",
            w.diff_now_failing,
            titled(&change.now_failing)
        );
    }
    if !change.no_longer_failing.is_empty() {
        let _ = write!(
            text,
            "{}{}",
            w.diff_no_longer_failing,
            titled(&change.no_longer_failing)
        );
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
