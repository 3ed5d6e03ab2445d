//! Which villages fall inside the demolition zones, how much of each, and the totals.

use std::collections::BTreeMap;

use geo::{Area, MultiPolygon};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::geometry::relate::{Relation, area_inside_shapes, relate_boxed};
use crate::index::reach::ZoneIndex;
use crate::model::Village;
use crate::model::zone::{Zone, ZoneSpec};

/// A village that touches at least one zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedVillage {
    /// Index into the villages given to [`find_affected`].
    pub village: usize,
    /// Share of the village's area inside the union of zones, 0 to 1.
    pub fraction_inside: f64,
    /// The zones that touch it (indices into the zones), ascending.
    pub zones: Vec<usize>,
}

/// Finds the villages that touch a zone, in village order, on all cores.
///
/// `geometries[i]` is village `i` in the zones' metric CRS, or `None` for a village already
/// known to be far from every zone (the caller filtered it before projecting it).
pub fn find_affected(
    geometries: &[Option<MultiPolygon<f64>>],
    zones: &[Zone],
    index: &ZoneIndex,
) -> Vec<AffectedVillage> {
    geometries
        .par_iter()
        .enumerate()
        .filter_map(|(i, g)| affected_village(i, g.as_ref()?, zones, index))
        .collect()
}

fn affected_village(
    i: usize,
    village: &MultiPolygon<f64>,
    zones: &[Zone],
    index: &ZoneIndex,
) -> Option<AffectedVillage> {
    let bbox = geo::BoundingRect::bounding_rect(village)?;
    let mut hits = Vec::new();
    let mut within = false;
    for z in index.candidates(village) {
        match relate_boxed(village, bbox, index.shape(zones, z), zones[z].bbox) {
            Relation::Disjoint => {}
            Relation::Overlaps => hits.push(z),
            Relation::Within => {
                hits.push(z);
                within = true;
            }
        }
    }
    if hits.is_empty() {
        return None;
    }
    let fraction_inside = if within {
        1.0
    } else {
        let parts: Vec<_> = hits.iter().map(|&z| index.shape(zones, z)).collect();
        (area_inside_shapes(village, &parts) / village.unsigned_area()).clamp(0.0, 1.0)
    };
    Some(AffectedVillage {
        village: i,
        fraction_inside,
        zones: hits,
    })
}

/// Villages, households and people: the one shape of these three numbers, in the job's
/// summary, the report (`report::Counts` is this type) and the run manifest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Administrative villages.
    pub villages: usize,
    /// Households (户数).
    pub households: u64,
    /// People (人口).
    pub population: u64,
}

/// Which villages count as inside the zones, and how their households and people are
/// counted: the planner's choice, stated in every summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum Counting {
    /// A village counts whole as soon as any part of it lies in a zone (the default).
    #[default]
    Whole,
    /// A village counts whole when at least `share` (0–1) of its area lies in the zones;
    /// the villages touched less are counted apart and named in the outputs.
    MinShare {
        /// The least share of the village's area inside the zones, 0 to 1.
        share: f64,
    },
    /// Every touched village counts, and its households and people are also estimated pro
    /// rata by the share of its area inside the zones (a labelled estimate beside the whole
    /// numbers: people do not live evenly over a village).
    ProRata,
}

impl Counting {
    /// The rule named as a plan or flag names it: `whole`, `pro-rata`, or a share for
    /// `min-share` (0 < share ≤ 1).
    pub fn min_share(share: f64) -> crate::error::Result<Counting> {
        if !(share > 0.0 && share <= 1.0) {
            return Err(crate::error::Error::param(
                "min-share",
                format!(
                    "{share} is not a share of a village's area: give a number above 0 and at most 1 (0.2 = 20 %)"
                ),
            ));
        }
        Ok(Counting::MinShare { share })
    }
}

/// Households and people estimated pro rata by the share of each village's area inside the
/// zones ([`Counting::ProRata`]), unrounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Households × share, summed.
    pub households: f64,
    /// People × share, summed.
    pub population: f64,
}

/// The former name of [`Counts`] in the job's summary, kept so that code naming it builds.
pub type Totals = Counts;

impl Counts {
    fn add(&mut self, v: &Village) {
        self.villages += 1;
        self.households += v.households;
        self.population += v.population;
    }
}

/// The totals of one township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipTotal {
    /// The township's name (empty: villages without a township).
    pub township: String,
    /// Villages of the township in the layer.
    pub villages_in_layer: usize,
    /// Its affected villages.
    pub affected: Counts,
}

/// The totals of one zone class (a village hit by two classes counts in both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassTotal {
    /// The class.
    pub class: String,
    /// Its width in metres.
    pub width: f64,
    /// Zones of this class.
    pub zones: usize,
    /// Villages touched by a zone of this class.
    pub affected: Counts,
}

/// Totals in the form of the source plan: overall, per township, per zone class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Villages in the layer.
    pub villages_in_layer: usize,
    /// All affected villages.
    pub total: Counts,
    /// Per township, in the order of their villages' ids (`code_order`: by 区划代码, a
    /// township with 12-digit village codes sorts by its own 9-digit code), the villages
    /// without a township last; townships with no affected village are listed too.
    pub townships: Vec<TownshipTotal>,
    /// Per zone class, sorted by class; classes that hit nothing are listed too.
    pub classes: Vec<ClassTotal>,
    /// The rule the villages were counted by.
    #[serde(default)]
    pub counting: Counting,
    /// With [`Counting::MinShare`]: the villages touched by a zone but less than the share,
    /// not counted in `total`.
    #[serde(default)]
    pub below_share: Counts,
    /// With [`Counting::ProRata`]: the estimate over the counted villages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pro_rata: Option<Estimate>,
}

/// Adds up the affected villages.
pub fn summarize(
    villages: &[Village],
    affected: &[AffectedVillage],
    zones: &[Zone],
    spec: &ZoneSpec,
) -> Summary {
    let mut townships: BTreeMap<&str, TownshipTotal> = BTreeMap::new();
    for v in villages {
        townships
            .entry(&v.township)
            .or_insert_with(|| TownshipTotal {
                township: v.township.clone(),
                villages_in_layer: 0,
                affected: Counts::default(),
            })
            .villages_in_layer += 1;
    }
    let mut classes: BTreeMap<&str, ClassTotal> = spec
        .widths()
        .iter()
        .map(|(c, &w)| {
            (
                c.as_str(),
                ClassTotal {
                    class: c.clone(),
                    width: w,
                    zones: 0,
                    affected: Counts::default(),
                },
            )
        })
        .collect();
    for z in zones {
        if let Some(c) = classes.get_mut(z.class.as_str()) {
            c.zones += 1;
        }
    }
    let mut total = Counts::default();
    for a in affected {
        let v = &villages[a.village];
        total.add(v);
        if let Some(t) = townships.get_mut(v.township.as_str()) {
            t.affected.add(v);
        }
        for class in zone_classes(a, zones) {
            if let Some(c) = classes.get_mut(class) {
                c.affected.add(v);
            }
        }
    }
    // The smallest village id of each township: its place in the 区划代码 order, which a
    // name's Unicode order (中原镇, 二七镇, 八岗乡…) is not.
    let mut first: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for v in villages {
        let key = code_order(&v.id);
        first
            .entry(&v.township)
            .and_modify(|k| *k = (*k).min(key))
            .or_insert(key);
    }
    let mut townships: Vec<TownshipTotal> = townships.into_values().collect();
    // Stable: equal keys (duplicate ids) keep the name order.
    townships.sort_by_key(|t| {
        (
            t.township.is_empty(),
            first.get(t.township.as_str()).copied(),
        )
    });
    Summary {
        villages_in_layer: villages.len(),
        total,
        townships,
        classes: classes.into_values().collect(),
        counting: Counting::Whole,
        below_share: Counts::default(),
        pro_rata: None,
    }
}

/// The order of ids such as 统计用区划代码: by length, then as text, which for codes of digits is
/// their numeric order (`9` before `10`) and for codes of equal length their text order.
pub fn code_order(id: &str) -> (usize, &str) {
    (id.len(), id)
}

/// Applies `counting` to the villages found in the zones: those below a minimum share are
/// taken out of `affected` and returned; the summary of what remains then states the rule
/// (see [`counted_summary`]).
pub fn apply_counting(
    affected: &mut Vec<AffectedVillage>,
    counting: Counting,
) -> Vec<AffectedVillage> {
    match counting {
        Counting::MinShare { share } => {
            let (kept, below): (Vec<_>, Vec<_>) = std::mem::take(affected)
                .into_iter()
                .partition(|a| a.fraction_inside >= share);
            *affected = kept;
            below
        }
        Counting::Whole | Counting::ProRata => Vec::new(),
    }
}

/// [`summarize`] of the counted villages, stating `counting`, the villages below its share
/// and, pro rata, the estimate.
pub fn counted_summary(
    villages: &[Village],
    affected: &[AffectedVillage],
    below: &[AffectedVillage],
    zones: &[Zone],
    spec: &ZoneSpec,
    counting: Counting,
) -> Summary {
    let mut summary = summarize(villages, affected, zones, spec);
    summary.counting = counting;
    for b in below {
        summary.below_share.add(&villages[b.village]);
    }
    if counting == Counting::ProRata {
        let mut e = Estimate::default();
        for a in affected {
            let v = &villages[a.village];
            e.households += v.households as f64 * a.fraction_inside;
            e.population += v.population as f64 * a.fraction_inside;
        }
        summary.pro_rata = Some(e);
    }
    summary
}

/// The distinct classes of the zones that touch a village, sorted.
pub fn zone_classes<'z>(affected: &AffectedVillage, zones: &'z [Zone]) -> Vec<&'z str> {
    let mut classes: Vec<&str> = affected
        .zones
        .iter()
        .map(|&z| zones[z].class.as_str())
        .collect();
    classes.sort_unstable();
    classes.dedup();
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn village(id: &str, township: &str) -> Village {
        Village {
            feature: 0,
            id: id.to_owned(),
            name: String::new(),
            township: township.to_owned(),
            households: 1,
            population: 1,
        }
    }

    /// Issue 15: townships in the order of 区划代码, not of their names' code points (中原镇,
    /// 二七镇, 八岗乡 sort that way by name).
    #[test]
    fn townships_follow_their_codes_not_their_names() {
        let villages = [
            village("410122103201", "中原镇"),
            village("410122101202", "二七镇"),
            village("410122102201", "八岗乡"),
            village("410122101201", "二七镇"),
            village("410122000001", ""),
            village("410122102200", "八岗乡"),
        ];
        let spec = ZoneSpec::from_pairs([("环线", 50.0)]).unwrap();
        let s = summarize(&villages, &[], &[], &spec);
        let names: Vec<&str> = s.townships.iter().map(|t| t.township.as_str()).collect();
        // Brute force: each township's smallest code, compared as numbers.
        let mut want: Vec<(u64, &str)> = ["中原镇", "二七镇", "八岗乡"]
            .iter()
            .map(|t| {
                let min = villages
                    .iter()
                    .filter(|v| v.township == *t)
                    .map(|v| v.id.parse::<u64>().unwrap())
                    .min()
                    .unwrap();
                (min, *t)
            })
            .collect();
        want.sort();
        let mut want: Vec<&str> = want.into_iter().map(|(_, t)| t).collect();
        // The villages without a township last, though their code is the smallest.
        want.push("");
        assert_eq!(names, want);
        assert_eq!(names, ["二七镇", "八岗乡", "中原镇", ""]);
        // Codes of different lengths: numerically.
        assert!(code_order("9") < code_order("10"));
    }
}
