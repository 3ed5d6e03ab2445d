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
            chosen: *n <= top,
        };
    }
    ranks
}
