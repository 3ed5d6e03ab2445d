//! Which villages fall inside the demolition zones, how much of each, and the totals.

use std::collections::BTreeMap;

use geo::{Area, MultiPolygon};
use rayon::prelude::*;

use crate::geometry::relate::{Relation, area_inside_shapes, relate_boxed};
use crate::index::reach::ZoneIndex;
use crate::model::Village;
use crate::model::zone::{Zone, ZoneSpec};

/// A village that touches at least one zone.
#[derive(Debug, Clone, PartialEq)]
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

/// Villages, households and people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Villages counted.
    pub villages: usize,
    /// Their households.
    pub households: u64,
    /// Their people.
    pub population: u64,
}

impl Totals {
    fn add(&mut self, v: &Village) {
        self.villages += 1;
        self.households += v.households;
        self.population += v.population;
    }
}

/// The totals of one township.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownshipTotal {
    /// The township's name (empty: villages without a township).
    pub township: String,
    /// Villages of the township in the layer.
    pub villages_in_layer: usize,
    /// Its affected villages.
    pub affected: Totals,
}

/// The totals of one zone class (a village hit by two classes counts in both).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTotal {
    /// The class.
    pub class: String,
    /// Its width in metres.
    pub width: f64,
    /// Zones of this class.
    pub zones: usize,
    /// Villages touched by a zone of this class.
    pub affected: Totals,
}

/// Totals in the form of the source plan: overall, per township, per zone class.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Villages in the layer.
    pub villages_in_layer: usize,
    /// All affected villages.
    pub total: Totals,
    /// Per township, sorted by name; townships with no affected village are listed too.
    pub townships: Vec<TownshipTotal>,
    /// Per zone class, sorted by class; classes that hit nothing are listed too.
    pub classes: Vec<ClassTotal>,
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
                affected: Totals::default(),
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
                    affected: Totals::default(),
                },
            )
        })
        .collect();
    for z in zones {
        if let Some(c) = classes.get_mut(z.class.as_str()) {
            c.zones += 1;
        }
    }
    let mut total = Totals::default();
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
    Summary {
        villages_in_layer: villages.len(),
        total,
        townships: townships.into_values().collect(),
        classes: classes.into_values().collect(),
    }
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
