//! Comparing two runs (two [`Report`]s): which villages came in or went out, how many
//! households and people that is, which sites changed rank or verdict and which communities
//! changed launch status — each with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::{Check, CommunityRow, Counts, Lang, LaunchStatus, Report, SiteRow, VillageRow};

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
    pub reason: String,
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
    pub reason: String,
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
    /// Why.
    pub reason: String,
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

/// Compares two runs; reasons are worded in `lang`.
pub fn diff(before: &Report, after: &Report, labels: (&str, &str), lang: Lang) -> Diff {
    let t = |zh: &str, en: &str| -> String {
        match lang {
            Lang::ZhCn => zh.to_owned(),
            Lang::En => en.to_owned(),
        }
    };

    let mut classes = Vec::new();
    let mut names: Vec<&str> = before.classes.iter().map(|c| c.class.as_str()).collect();
    for c in &after.classes {
        if !names.contains(&c.class.as_str()) {
            names.push(&c.class);
        }
    }
    let mut width_changes: Vec<String> = Vec::new();
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
        if change.width_m.before != change.width_m.after {
            width_changes.push(format!(
                "{name} {} → {} m",
                opt_num(change.width_m.before),
                opt_num(change.width_m.after)
            ));
        }
        if change.width_m.before != change.width_m.after
            || change.affected.before != change.affected.after
        {
            classes.push(change);
        }
    }
    let widths_note = if width_changes.is_empty() {
        String::new()
    } else {
        format!("{}{}", t("；宽度 ", "; width "), width_changes.join(", "))
    };

    let index = |r: &Report| -> BTreeMap<String, usize> {
        r.villages
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i))
            .collect()
    };
    let (bi, ai) = (index(before), index(after));
    let village_change = |v: &VillageRow, reason: String| VillageChange {
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
            let reason = format!(
                "{}{}{}",
                t("新进入", "now inside "),
                zones_text(v, lang),
                widths_note
            );
            village_change(v, reason)
        })
        .collect();
    let villages_removed = before
        .villages
        .iter()
        .filter(|v| !ai.contains_key(&v.id))
        .map(|v| {
            let reason = format!(
                "{}{}{}{widths_note}",
                t(
                    "不再位于任何拆迁范围内（原在",
                    "no longer inside any zone (was inside "
                ),
                zones_text(v, lang),
                t("）", ")"),
            );
            village_change(v, reason)
        })
        .collect();

    let sites = site_changes(before, after, lang);
    let communities = community_changes(before, after, lang);
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
        sites,
        communities,
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

fn zones_text(v: &VillageRow, lang: Lang) -> String {
    let zones: Vec<String> = v
        .zones
        .iter()
        .map(|z| {
            let what = if z.name.is_empty() { &z.id } else { &z.name };
            match lang {
                Lang::ZhCn => format!("{}{}（{}，{} 米）", z.class, what, z.id, num(z.width_m)),
                Lang::En => format!(
                    "the {} zone of {} ({}, {} m)",
                    z.class,
                    what,
                    z.id,
                    num(z.width_m)
                ),
            }
        })
        .collect();
    let percent = v.fraction_inside * 100.0;
    let share = if percent > 0.0 && percent < 0.05 {
        "<0.1".to_owned()
    } else {
        format!("{percent:.1}")
    };
    match lang {
        Lang::ZhCn => format!("{}拆迁范围，占村域面积 {share}%", zones.join("、")),
        Lang::En => format!("{}, {share} % of its area", zones.join(", ")),
    }
}

fn site_changes(before: &Report, after: &Report, lang: Lang) -> Vec<SiteChange> {
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
            reason: site_reason(b, a, before, after, lang),
        });
    }
    out
}

fn site_reason(b: &SiteRow, a: &SiteRow, before: &Report, after: &Report, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    match (&b.excluded, &a.excluded, &b.error, &a.error) {
        (None, Some(x), _, _) => {
            return if zh {
                format!("被排除：{}", x.reason)
            } else {
                format!("now excluded: {}", x.reason)
            };
        }
        (Some(x), None, _, _) => {
            return if zh {
                format!("不再被排除（原因曾是：{}）", x.reason)
            } else {
                format!("no longer excluded (was: {})", x.reason)
            };
        }
        (_, _, None, Some(e)) => {
            return if zh {
                format!("插件出错：{e}")
            } else {
                format!("plugin error: {e}")
            };
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
            match before.get(ta.name.as_str()) {
                Some(tb) if tb.contribution() == ta.contribution() => {}
                Some(tb) => terms.push(format!(
                    "{} {:.3} → {:.3}",
                    ta.name,
                    tb.contribution(),
                    ta.contribution()
                )),
                None => terms.push(format!("{} → {:.3}", ta.name, ta.contribution())),
            }
        }
        return if zh {
            format!("得分 {sb:.3} → {sa:.3}（{}）", terms.join("，"))
        } else {
            format!("score {sb:.3} → {sa:.3} ({})", terms.join(", "))
        };
    }
    if b.chosen != a.chosen && b.rank_in_township == a.rank_in_township && before.top != after.top {
        let n = a
            .rank_in_township
            .map(|n| n.to_string())
            .unwrap_or_default();
        let top = |t: Option<usize>| t.map(|t| t.to_string()).unwrap_or_default();
        return if zh {
            format!(
                "乡镇内第 {n} 名；每乡镇选取 {} → {} 个",
                top(before.top),
                top(after.top)
            )
        } else {
            format!(
                "rank {n} in its township; sites chosen per township {} → {}",
                top(before.top),
                top(after.top)
            )
        };
    }
    // Its own score held (or moved without explaining the change): name the sites that
    // passed it or fell behind it.
    let above = |r: &Report, x: &str, y: &str| -> bool {
        let rank = |id: &str| r.sites.iter().find(|s| s.id == id).and_then(|s| s.rank);
        matches!((rank(x), rank(y)), (Some(rx), Some(ry)) if rx < ry)
            || matches!((rank(x), rank(y)), (Some(_), None))
    };
    let moved: Vec<String> = after
        .sites
        .iter()
        .filter(|s| s.id != a.id && before.sites.iter().any(|o| o.id == s.id))
        .filter(|s| above(before, &s.id, &a.id) != above(after, &s.id, &a.id))
        .map(|s| {
            let old = before.sites.iter().find(|o| o.id == s.id).unwrap_or(s);
            let name = if s.name.is_empty() { &s.id } else { &s.name };
            format!("{name} {} → {}", score_text(old, lang), score_text(s, lang))
        })
        .collect();
    let own = match a.score {
        Some(v) if b.score == a.score => {
            if zh {
                format!("自身得分未变（{v:.3}）")
            } else {
                format!("its own score is unchanged ({v:.3})")
            }
        }
        _ => String::new(),
    };
    if zh {
        format!("{own}；名次交换：{}", moved.join("，"))
    } else {
        format!("{own}; passed by or passing: {}", moved.join(", "))
    }
}

fn score_text(s: &SiteRow, lang: Lang) -> String {
    match (s.score, &s.excluded) {
        (Some(v), _) => format!("{v:.3}"),
        (None, Some(_)) => match lang {
            Lang::ZhCn => "排除".into(),
            Lang::En => "excluded".into(),
        },
        _ => match lang {
            Lang::ZhCn => "出错".into(),
            Lang::En => "error".into(),
        },
    }
}

fn community_changes<'a>(
    before: &'a Report,
    after: &'a Report,
    lang: Lang,
) -> Vec<CommunityChange> {
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
        for (label, x, y) in [("launch", lb, la), ("standard", sb, sa)] {
            if x.map(|c| c.status) != y.map(|c| c.status) {
                reasons.push(check_reason(after, label, x, y, lang));
            }
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
            reason: reasons.join("; "),
        });
    }
    out
}

/// Why a community's `role` check (`launch`, `standard`) changed: the criteria failing now
/// and no longer, titled as the plugin of the later run declares them.
fn check_reason(
    titles: &Report,
    role: &str,
    b: Option<&Check>,
    a: Option<&Check>,
    lang: Lang,
) -> String {
    let criteria = |c: Option<&Check>| -> BTreeSet<String> {
        c.map(|c| c.findings.iter().map(|f| f.criterion.clone()).collect())
            .unwrap_or_default()
    };
    let (cb, ca) = (criteria(b), criteria(a));
    let listed = |ids: std::collections::btree_set::Difference<'_, String>| -> String {
        let ids = titles.criteria_in_order(role, ids.map(String::as_str));
        let titled: Vec<&str> = ids
            .into_iter()
            .map(|id| titles.criterion_title(role, id, lang))
            .collect();
        titled.join(if lang == Lang::ZhCn { "、" } else { ", " })
    };
    let (new, gone) = (listed(ca.difference(&cb)), listed(cb.difference(&ca)));
    let status = |c: Option<&Check>| match c.map(|c| (c.status, role, lang)) {
        None => "—",
        Some((LaunchStatus::Launched, "standard", Lang::ZhCn)) => "达标",
        Some((LaunchStatus::Launched, "standard", Lang::En)) => "met",
        Some((LaunchStatus::Blocked, "standard", Lang::ZhCn)) => "未达标",
        Some((LaunchStatus::Blocked, "standard", Lang::En)) => "not met",
        Some((s, _, _)) => status_word(s, lang),
    };
    let role_word = match (role, lang) {
        ("launch", Lang::ZhCn) => "启动",
        ("standard", Lang::ZhCn) => "规划标准",
        _ => role,
    };
    let mut text = format!("{role_word} {} → {}", status(b), status(a));
    if !new.is_empty() {
        let _ = write!(
            text,
            "{}{new}",
            if lang == Lang::ZhCn {
                "，新增不符合："
            } else {
                ", now failing: "
            }
        );
    }
    if !gone.is_empty() {
        let _ = write!(
            text,
            "{}{gone}",
            if lang == Lang::ZhCn {
                "，不再不符合："
            } else {
                ", no longer failing: "
            }
        );
    }
    text
}

/// The word for a launch status.
pub fn status_word(s: LaunchStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (LaunchStatus::Launched, Lang::ZhCn) => "可启动",
        (LaunchStatus::Blocked, Lang::ZhCn) => "暂缓",
        (LaunchStatus::Vetoed, Lang::ZhCn) => "一票否决",
        (LaunchStatus::Error, Lang::ZhCn) => "出错",
        (LaunchStatus::Launched, Lang::En) => "launched",
        (LaunchStatus::Blocked, Lang::En) => "blocked",
        (LaunchStatus::Vetoed, Lang::En) => "vetoed",
        (LaunchStatus::Error, Lang::En) => "error",
    }
}

/// The diff as text for the terminal.
pub fn diff_text(d: &Diff, lang: Lang) -> String {
    let zh = lang == Lang::ZhCn;
    let mut s = String::new();
    let _ = writeln!(s, "{} → {}", d.before, d.after);
    let c = |x: Counts| {
        if zh {
            format!(
                "{} 个村，{} 户，{} 人",
                x.villages, x.households, x.population
            )
        } else {
            format!(
                "{} villages, {} households, {} people",
                x.villages, x.households, x.population
            )
        }
    };
    let delta = |a: u64, b: u64| -> String {
        let d = b as i64 - a as i64;
        format!("{d:+}")
    };
    let _ = writeln!(
        s,
        "{}{} → {}（{} / {} / {}）",
        if zh {
            "拆迁范围内："
        } else {
            "inside the zones: "
        },
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
    let villages = |s: &mut String, title: &str, list: &[VillageChange]| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(s, "{title} ({})", list.len());
        for v in list {
            let _ = writeln!(
                s,
                "  {} {} [{}] {} / {}: {}",
                v.id, v.name, v.township, v.households, v.population, v.reason
            );
        }
    };
    villages(
        &mut s,
        if zh { "新增村庄" } else { "villages added" },
        &d.villages_added,
    );
    villages(
        &mut s,
        if zh {
            "移出村庄"
        } else {
            "villages removed"
        },
        &d.villages_removed,
    );
    if !d.sites.is_empty() {
        let _ = writeln!(
            s,
            "{} ({})",
            if zh { "选址变化" } else { "sites changed" },
            d.sites.len()
        );
        let r = |r: Option<usize>| r.map(|r| r.to_string()).unwrap_or_else(|| "—".into());
        for x in &d.sites {
            let chosen = match (x.chosen.before, x.chosen.after) {
                (false, true) => {
                    if zh {
                        "，新入选"
                    } else {
                        ", now chosen"
                    }
                }
                (true, false) => {
                    if zh {
                        "，落选"
                    } else {
                        ", no longer chosen"
                    }
                }
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
                x.reason
            );
        }
    }
    if !d.communities.is_empty() {
        let _ = writeln!(
            s,
            "{} ({})",
            if zh {
                "社区结论变化"
            } else {
                "communities changed"
            },
            d.communities.len()
        );
        for x in &d.communities {
            let _ = writeln!(s, "  {}: {}", x.name, x.reason);
        }
    }
    if d.is_empty() {
        let _ = writeln!(s, "{}", if zh { "无变化" } else { "no change" });
    }
    s
}

impl Diff {
    /// The differences as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
