//! Scores that explain themselves, and ranking candidates by them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One weighted term of a score: it adds `weight × value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// What the term measures (e.g. `road_access`).
    pub name: String,
    /// Its weight, usually a plugin parameter.
    pub weight: f64,
    /// The measured value, usually 0–1.
    pub value: f64,
}

impl Term {
    /// What the term adds to the score.
    pub fn contribution(&self) -> f64 {
        self.weight * self.value
    }
}

/// A score, or the reason the candidate is out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The candidate's score; higher is better.
    Scored(f64),
    /// The candidate may not be chosen.
    Excluded {
        /// Why, in words a planner reads.
        reason: String,
        /// Feature ids, field values, distances behind it.
        evidence: BTreeMap<String, serde_json::Value>,
        /// The reason per language when the plugin answered a message (see
        /// [`Finding::reasons`](super::Finding::reasons)); empty for text.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        reasons: BTreeMap<String, String>,
    },
}

/// A site-score plugin's answer for one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The score or the exclusion.
    pub outcome: Outcome,
    /// The terms the score was made of, in the order the plugin gave them (empty unless an
    /// explanation was asked for).
    pub terms: Vec<Term>,
    /// What the plugin gives as evidence for a score (Rhai `scored(score, #{…})`): feature
    /// ids, counts, distances behind it. Empty when it gives none, and for an exclusion (whose
    /// evidence is in its [`Outcome::Excluded`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, serde_json::Value>,
}

impl Score {
    /// The score, `None` when excluded.
    pub fn value(&self) -> Option<f64> {
        match self.outcome {
            Outcome::Scored(s) => Some(s),
            Outcome::Excluded { .. } => None,
        }
    }
}

/// Where a candidate ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rank {
    /// Rank among all scored candidates (1 = best); `None` when excluded or failed.
    pub overall: Option<usize>,
    /// Rank within its group (township).
    pub in_group: Option<usize>,
    /// Among the best `top` of its group.
    pub chosen: bool,
}

/// Ranks candidates by score, best first; equal scores rank by id, so ranks never depend on
/// the order the candidates came in. `groups[i]` is candidate `i`'s group (its township); the
/// best `top` scored candidates of each group are chosen.
///
/// # Examples
///
/// ```
/// use hecun::rules::rank;
///
/// let ranks = rank(&[Some(0.5), None, Some(0.9), Some(0.7)], &["a", "b", "c", "d"], &["东", "东", "东", "西"], 1);
/// assert_eq!(ranks.iter().map(|r| r.overall).collect::<Vec<_>>(), [Some(3), None, Some(1), Some(2)]);
/// assert_eq!(ranks.iter().map(|r| r.chosen).collect::<Vec<_>>(), [false, false, true, true]);
/// ```
pub fn rank(scores: &[Option<f64>], ids: &[&str], groups: &[&str], top: usize) -> Vec<Rank> {
    rank_by(scores, ids, groups, |_| top)
}

/// How many candidates to choose in each group: the best `top` of every group, or a count per
/// group value from a table (`quota = { "白云" = 2, "*" = 1 }`; `*` is every group the table
/// does not name, and without it such groups get none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Quota {
    /// The count of every group, when there is no table.
    pub top: usize,
    /// The count per group value (`*`: the others); empty: `top` for every group.
    pub table: BTreeMap<String, usize>,
}

impl Quota {
    /// The best `top` of every group.
    pub fn top(top: usize) -> Quota {
        Quota {
            top,
            table: BTreeMap::new(),
        }
    }

    /// A count per group value (`*`: every group the table does not name).
    pub fn table(table: BTreeMap<String, usize>) -> Quota {
        Quota { top: 0, table }
    }

    /// How many of group `group` to choose.
    pub fn of(&self, group: &str) -> usize {
        if self.table.is_empty() {
            return self.top;
        }
        self.table
            .get(group)
            .or_else(|| self.table.get("*"))
            .copied()
            .unwrap_or(0)
    }

    /// In words: `best 2 per township`, `quota per district: 白云 2, * 1`.
    pub fn describe(&self, per: &str) -> String {
        if self.table.is_empty() {
            return format!("best {} per {per}", self.top);
        }
        // `*` last: it is the rest.
        let mut parts: Vec<String> = self
            .table
            .iter()
            .filter(|(g, _)| g.as_str() != "*")
            .map(|(g, n)| format!("{g} {n}"))
            .collect();
        if let Some(n) = self.table.get("*") {
            parts.push(format!("* {n}"));
        }
        format!("quota per {per}: {}", parts.join(", "))
    }
}

/// [`rank`] with a count per group: `quota(group)` candidates are chosen in each group, the
/// best first, ties by id.
///
/// # Examples
///
/// ```
/// use hecun::rules::{Quota, rank_by};
///
/// let quota = Quota::table([("东".to_owned(), 2), ("*".to_owned(), 0)].into());
/// let ranks = rank_by(&[Some(0.5), Some(0.9), Some(0.7), Some(0.8)], &["a", "b", "c", "d"], &["东", "东", "东", "西"], |g| quota.of(g));
/// assert_eq!(ranks.iter().map(|r| r.chosen).collect::<Vec<_>>(), [false, true, true, false]);
/// ```
pub fn rank_by(
    scores: &[Option<f64>],
    ids: &[&str],
    groups: &[&str],
    quota: impl Fn(&str) -> usize,
) -> Vec<Rank> {
    let mut order: Vec<usize> = (0..scores.len()).filter(|&i| scores[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        scores[b]
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&scores[a].unwrap_or(f64::NEG_INFINITY))
            .then_with(|| ids[a].cmp(ids[b]))
    });
    let mut ranks = vec![
        Rank {
            overall: None,
            in_group: None,
            chosen: false,
        };
        scores.len()
    ];
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (place, &i) in order.iter().enumerate() {
        let n = seen.entry(groups[i]).or_insert(0);
        *n += 1;
        ranks[i] = Rank {
            overall: Some(place + 1),
            in_group: Some(*n),
            chosen: *n <= quota(groups[i]),
        };
    }
    ranks
}
