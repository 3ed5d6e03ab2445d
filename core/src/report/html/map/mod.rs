//! The region's map as inline SVG, drawn from the layers themselves, with its legend.
//!
//! Geometry goes to pixel space first (y flipped: metres grow north, pixels grow down), is
//! simplified there with a tolerance of half a pixel (Ramer–Douglas–Peucker) and written
//! rounded to 0.1 px, so a region of thousands of villages stays a file of a few hundred
//! kilobytes. Nothing is dropped for being small: a village smaller than a pixel is still
//! an element with its tooltip, even if it paints (almost) nothing; dropping it would make
//! the map disagree with the tables.

mod band;
mod colours;

/// The map's colours, for the styles of the GeoPackage output.
pub(crate) mod palette {
    pub(crate) use super::colours::{
        CORRIDOR_SHADES, ROAD_PALETTE, SITE_BINS, SITE_OUT, VILLAGE_BINS, VILLAGE_LINE,
        VILLAGE_UNTOUCHED,
    };
}
mod frame;
mod labels;
mod layers;
mod legend;
mod path;
mod sites;

use std::fmt::Write;

use self::colours::{Colours, ScoreBins};
use self::frame::{Frame, VIEW_W, extent};
use self::legend::{Drawn, legend};
use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::words::Words;

#[cfg(test)]
pub(super) use self::colours::CORRIDOR_SHADES;

/// The map and its legend, ready to place on the page.
pub(super) struct MapFigure {
    /// The `<svg>` element.
    pub svg: String,
    /// The legend as HTML.
    pub legend: String,
}

/// Draws the map of `report` (when it has one) and its legend.
pub(super) fn map_figure(report: &Report, w: &Words) -> Option<MapFigure> {
    let map = report.map.as_ref()?;
    let frame = Frame::fit(extent(map)?);
    let colours = Colours::new(report, map);
    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r#"<svg id="map" viewBox="0 0 {} {}" role="img" aria-label="{}">"#,
        VIEW_W,
        frame.height,
        esc(w.sec_map)
    );
    let _ = write!(
        svg,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#fff"/>"##,
        VIEW_W, frame.height
    );

    // Bottom to top, so that what a planner looks for is never hidden: the township fills,
    // the farmland and red line, the villages, the farmland and red line's hatching, the zones,
    // corridors and roads, the township boundaries, the sites, and the names over everything.
    // All over the villages but the sites and names let the pointer through to them.
    let townships = layers::township_paths(map, &frame);
    let protected = layers::protected(map, &frame);
    layers::protected_patterns(&mut svg, &protected);
    layers::township_fills(&mut svg, &townships);
    layers::protected_fills(&mut svg, &protected, w);
    layers::villages(&mut svg, map, &frame, w);
    layers::protected_hatch(&mut svg, &protected);
    let zones = layers::zones(&mut svg, map, &frame, &colours, w);
    let corridors = layers::corridors(&mut svg, map, &frame, &colours, w);
    layers::roads(&mut svg, report, map, &frame, &colours, w);
    layers::township_lines(&mut svg, &townships);
    let bins = ScoreBins::new(map.sites.iter().filter_map(|s| s.score));
    let stars = sites::sites(&mut svg, map, &frame, bins.as_ref(), w);
    let labels_left_off = labels::labels(&mut svg, map, &frame, stars, &colours, w);

    band::scale_bar(&mut svg, &frame, w);
    band::north_arrow(&mut svg, &frame, w);
    svg.push_str("</svg>");

    let drawn = Drawn {
        farmland: !protected[0].is_empty(),
        redline: !protected[1].is_empty(),
        zones: &zones,
        corridors: &corridors,
        bins: bins.as_ref(),
        labels_left_off,
    };
    let legend = legend(report, map, &colours, &drawn, w);
    Some(MapFigure { svg, legend })
}

/// The SVG map's colours for the large page's canvas map (`html::atlas`), so that both maps
/// and their legends colour a village, a road class or a corridor level alike.
pub(super) mod shared {
    use std::collections::BTreeMap;

    use super::colours;
    use crate::report::{MapData, Report};

    pub(in crate::report::html) use super::colours::{
        SITE_BINS, SITE_OUT, VILLAGE_BINS, VILLAGE_LINE, VILLAGE_UNTOUCHED,
    };
    pub(in crate::report::html) const TOWNSHIP_FILL: &str = colours::TOWNSHIP_FILL;
    pub(in crate::report::html) const TOWNSHIP_LINE: &str = colours::TOWNSHIP_LINE;

    /// The extent of every layer, or `None` when the map is empty.
    pub(in crate::report::html) fn extent(map: &MapData) -> Option<geo::Rect<f64>> {
        super::frame::extent(map)
    }

    /// A share bin's words in a legend (HTML), as the SVG map's legend says them.
    pub(in crate::report::html) fn share_bin_label(lower: f64, upper: f64) -> String {
        super::legend::share_bin_label(lower, upper)
    }

    /// The colour of a village (or a township) with this share inside the zones.
    pub(in crate::report::html) fn village_colour(fraction: f64) -> &'static str {
        colours::village_colour(fraction)
    }

    /// The colour of each road class, corridor level and zone class drawn, as the SVG map
    /// gives them; and each road class's line width in pixels.
    pub(in crate::report::html) struct ClassColours<'a> {
        pub roads: BTreeMap<&'a str, &'static str>,
        pub corridors: BTreeMap<&'a str, &'static str>,
        pub zones: BTreeMap<&'a str, &'static str>,
        pub road_widths: BTreeMap<&'a str, f64>,
    }

    pub(in crate::report::html) fn class_colours<'a>(
        report: &'a Report,
        map: &'a MapData,
    ) -> ClassColours<'a> {
        let c = colours::Colours::new(report, map);
        let road_widths = c
            .roads
            .keys()
            .map(|class| (*class, colours::road_width(report, class)))
            .collect();
        ClassColours {
            roads: c.roads,
            corridors: c.corridors,
            zones: c.zones,
            road_widths,
        }
    }

    /// Each site's score bin (lowest first, as the SVG map's stars), `None` when unscored.
    pub(in crate::report::html) fn site_bins(scores: &[Option<f64>]) -> Vec<Option<usize>> {
        let bins = colours::ScoreBins::new(scores.iter().flatten().copied());
        scores
            .iter()
            .map(|s| {
                let s = s.filter(|s| s.is_finite())?;
                bins.as_ref().map(|b| b.index(s))
            })
            .collect()
    }

    /// Road classes before corridor levels, wider zones first (一级 before 二级).
    pub(in crate::report::html) fn class_order<'a>(
        report: &'a Report,
        classes: impl Iterator<Item = &'a str>,
    ) -> Vec<&'a str> {
        colours::class_order(report, classes)
    }
}
