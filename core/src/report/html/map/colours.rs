//! The map's colours: villages by share inside the zones, sites by score, a colour per road
//! class and corridor level (decided once, so map and legend agree), and the order a planner
//! ranks classes in.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{ClassRow, MapData, Report};

/// Road colours, handed out in class-name order. Blues, purples and greys so that roads read
/// against the villages' yellow-to-red ramp and the corridors' green.
pub(crate) const ROAD_PALETTE: [&str; 8] = [
    "#1f4e9c", "#7b3294", "#c51b7d", "#01665e", "#4d4d4d", "#8c510a", "#2166ac", "#762a83",
];
/// Corridor levels, darkest for the first level the plan lists (usually the widest).
pub(crate) const CORRIDOR_SHADES: [&str; 4] = ["#0b5d1e", "#2e9445", "#78c679", "#b5dc8f"];
pub(super) const TOWNSHIP_FILL: &str = "#f3efe6";
pub(super) const TOWNSHIP_LINE: &str = "#5b4f3c";
pub(crate) const VILLAGE_LINE: &str = "#a39a8a";
/// Permanent basic farmland: an olive hatch (under it, a pale fill where no village lies).
pub(super) const FARMLAND_LINE: &str = "#6b6b1f";
pub(super) const FARMLAND_FILL: &str = "#e9e7c4";
/// The ecological red line: a crimson hatch the other way, and a dashed outline.
pub(super) const REDLINE_LINE: &str = "#b2182b";
pub(super) const REDLINE_FILL: &str = "#f6dcdc";
/// Sites with no score: excluded, or scoring failed.
pub(crate) const SITE_OUT: &str = "#9e9e9e";

/// Villages by share inside the zones: upper bound of each bin (inclusive) and its colour
/// (ColorBrewer YlOrRd). Zero has its own pale colour so an untouched village never looks hit.
pub(crate) const VILLAGE_UNTOUCHED: &str = "#f7f5ef";
pub(crate) const VILLAGE_BINS: [(f64, &str); 5] = [
    (0.10, "#ffffb2"),
    (0.25, "#fecc5c"),
    (0.50, "#fd8d3c"),
    (0.75, "#f03b20"),
    (1.00, "#bd0026"),
];
/// Sites by score, lowest bin first (ColorBrewer Blues).
pub(crate) const SITE_BINS: [&str; 4] = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"];

/// The colour of a village with this share inside the zones.
pub(super) fn village_colour(fraction: f64) -> &'static str {
    // NaN (a village of no area) counts as untouched.
    if fraction.is_nan() || fraction <= 0.0 {
        return VILLAGE_UNTOUCHED;
    }
    VILLAGE_BINS
        .iter()
        .find(|(upper, _)| fraction <= *upper + 1e-12)
        .map_or(VILLAGE_BINS[VILLAGE_BINS.len() - 1].1, |(_, c)| c)
}

/// Score bins: equal intervals over the scored sites' range.
pub(super) struct ScoreBins {
    pub min: f64,
    pub max: f64,
}

impl ScoreBins {
    /// Bins over the finite `scores`, or `None` when there is none.
    pub(super) fn new(scores: impl Iterator<Item = f64>) -> Option<ScoreBins> {
        let mut range: Option<(f64, f64)> = None;
        for s in scores.filter(|s| s.is_finite()) {
            range = Some(range.map_or((s, s), |(lo, hi)| (lo.min(s), hi.max(s))));
        }
        range.map(|(min, max)| ScoreBins { min, max })
    }

    /// The bin of score `s`; the top bin for all when every site scored the same.
    pub(super) fn index(&self, s: f64) -> usize {
        if self.max <= self.min {
            return SITE_BINS.len() - 1;
        }
        let t = (s - self.min) / (self.max - self.min);
        ((t * SITE_BINS.len() as f64).floor() as usize).min(SITE_BINS.len() - 1)
    }

    /// The lowest and highest score of bin `i`.
    pub(super) fn bounds(&self, i: usize) -> (f64, f64) {
        let step = (self.max - self.min) / SITE_BINS.len() as f64;
        (self.min + step * i as f64, self.min + step * (i + 1) as f64)
    }
}

/// The colour of every class on the map, decided once so the map and legend agree.
pub(super) struct Colours<'a> {
    /// Road classes in name order, from [`ROAD_PALETTE`].
    pub roads: BTreeMap<&'a str, &'static str>,
    /// Corridor levels, shades of green in the plan's order of levels.
    pub corridors: BTreeMap<&'a str, &'static str>,
    /// Zone classes: their road's or corridor level's colour.
    pub zones: BTreeMap<&'a str, &'static str>,
}

impl<'a> Colours<'a> {
    pub(super) fn new(report: &'a Report, map: &'a MapData) -> Colours<'a> {
        let road_classes: BTreeSet<&str> = map.roads.iter().map(|l| l.class.as_str()).collect();
        let roads: BTreeMap<&str, &str> = road_classes
            .into_iter()
            .enumerate()
            .map(|(i, c)| (c, ROAD_PALETTE[i % ROAD_PALETTE.len()]))
            .collect();
        // Levels the plan widens and levels drawn; the zones of a level take its colour.
        let levels = class_order(
            report,
            report
                .classes
                .iter()
                .filter(|c| c.layer == "corridors")
                .map(|c| c.class.as_str())
                .chain(map.corridors.iter().map(|l| l.class.as_str())),
        );
        let corridors: BTreeMap<&str, &str> = levels
            .into_iter()
            .enumerate()
            .map(|(i, c)| (c, CORRIDOR_SHADES[i % CORRIDOR_SHADES.len()]))
            .collect();
        let zone_classes: BTreeSet<&str> = map.zones.iter().map(|(c, _)| c.as_str()).collect();
        // A zone class of no road class or corridor level drawn takes the next road colour
        // no road uses, so it cannot be mistaken for a road's zones.
        let mut spare = roads.len();
        let zones = zone_classes
            .into_iter()
            .map(|c| {
                let colour = roads
                    .get(c)
                    .or(corridors.get(c))
                    .copied()
                    .unwrap_or_else(|| {
                        spare += 1;
                        ROAD_PALETTE[(spare - 1) % ROAD_PALETTE.len()]
                    });
                (c, colour)
            })
            .collect();
        Colours {
            roads,
            corridors,
            zones,
        }
    }

    pub(super) fn road(&self, class: &str) -> &'static str {
        self.roads.get(class).copied().unwrap_or(ROAD_PALETTE[0])
    }

    pub(super) fn corridor(&self, level: &str) -> &'static str {
        self.corridors
            .get(level)
            .copied()
            .unwrap_or(CORRIDOR_SHADES[0])
    }

    pub(super) fn zone(&self, class: &str) -> &'static str {
        self.zones.get(class).copied().unwrap_or(ROAD_PALETTE[0])
    }
}

/// Roads whose zones are wider are drawn wider, so the ring and the expressway outweigh a
/// radial street.
pub(super) fn road_width(report: &Report, class: &str) -> f64 {
    report
        .classes
        .iter()
        .find(|c| c.class == class && c.layer == "roads")
        .map_or(1.4, |c| (1.0 + c.width_m / 100.0).clamp(1.0, 3.0))
}

/// `classes` as a planner ranks them: road classes before corridor levels, wider zones first
/// (一级 before 二级 before 三级, which name order would not give: 一, 三, 二), then any class
/// the report has no width for, by name.
pub(super) fn class_order<'a>(
    report: &'a Report,
    classes: impl Iterator<Item = &'a str>,
) -> Vec<&'a str> {
    let present: BTreeSet<&str> = classes.collect();
    let mut known: Vec<&ClassRow> = report
        .classes
        .iter()
        .filter(|c| present.contains(c.class.as_str()))
        .collect();
    known.sort_by(|a, b| {
        (a.layer != "roads")
            .cmp(&(b.layer != "roads"))
            .then(b.width_m.total_cmp(&a.width_m))
    });
    let mut out: Vec<&str> = Vec::new();
    for c in known
        .iter()
        .map(|c| c.class.as_str())
        .chain(present.iter().copied())
    {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_ramp() {
        assert_eq!(village_colour(0.0), VILLAGE_UNTOUCHED);
        assert_eq!(village_colour(f64::NAN), VILLAGE_UNTOUCHED);
        assert_eq!(village_colour(0.05), VILLAGE_BINS[0].1);
        assert_eq!(village_colour(0.10), VILLAGE_BINS[0].1);
        assert_eq!(village_colour(0.3), VILLAGE_BINS[2].1);
        assert_eq!(village_colour(1.0), VILLAGE_BINS[4].1);
        assert_eq!(village_colour(1.2), VILLAGE_BINS[4].1);
    }
}
