//! The map's legend, as HTML beside the SVG: a swatch and a label for each thing the map drew,
//! in the colours the map used, and a note on what it left out.

use std::collections::BTreeMap;
use std::fmt::Write;

use geo::Coord;

use super::colours::{
    Colours, FARMLAND_FILL, FARMLAND_LINE, REDLINE_FILL, REDLINE_LINE, SITE_BINS, SITE_OUT,
    ScoreBins, TOWNSHIP_FILL, TOWNSHIP_LINE, VILLAGE_BINS, VILLAGE_LINE, VILLAGE_UNTOUCHED,
    class_order, road_width,
};
use super::path::{PathData, star};
use crate::report::html::fmt::{esc, metres, plain, score};
use crate::report::words::Words;
use crate::report::{MapData, Report};

/// What the map drew that the legend explains.
pub(super) struct Drawn<'a> {
    /// Whether the farmland and the red line were drawn.
    pub farmland: bool,
    pub redline: bool,
    pub zones: &'a [(String, PathData)],
    pub corridors: &'a BTreeMap<(&'a str, &'a str), PathData>,
    pub bins: Option<&'a ScoreBins>,
    pub labels_left_off: usize,
}

pub(super) fn legend(
    report: &Report,
    map: &MapData,
    colours: &Colours<'_>,
    drawn: &Drawn<'_>,
    w: &Words,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<div class="legend" id="map-legend"><h3>{}</h3>"#,
        esc(w.legend)
    );
    if !map.townships.is_empty() {
        townships(&mut out, w);
    }
    if !map.villages.is_empty() {
        villages(&mut out, w);
    }
    if !colours.roads.is_empty() {
        roads(&mut out, report, colours, w);
    }
    if !drawn.zones.is_empty() {
        zones(&mut out, report, colours, drawn.zones, w);
    }
    if drawn.farmland || drawn.redline {
        protected(&mut out, drawn, w);
    }
    if !drawn.corridors.is_empty() {
        corridors(&mut out, report, colours, drawn.corridors, w);
    }
    if !map.sites.is_empty() {
        sites(&mut out, map, drawn.bins, w);
    }
    note(&mut out, drawn.labels_left_off, w);
    out.push_str("</div>");
    out
}

fn item(out: &mut String, swatch: String, label: &str) {
    let _ = write!(out, "<li>{swatch}<span>{label}</span></li>");
}

fn townships(out: &mut String, w: &Words) {
    let _ = write!(out, "<ul>");
    item(
        out,
        swatch_rect(TOWNSHIP_FILL, TOWNSHIP_LINE, r#"stroke-dasharray="7 3""#),
        &esc(w.lg_townships),
    );
    out.push_str("</ul>");
}

/// The villages' ramp of shares inside the zones, untouched first.
fn villages(out: &mut String, w: &Words) {
    let _ = write!(out, "<h4>{}</h4><ul>", esc(w.lg_villages));
    item(
        out,
        swatch_rect(VILLAGE_UNTOUCHED, VILLAGE_LINE, ""),
        &esc(w.lg_untouched),
    );
    let mut lower = 0.0;
    for (upper, colour) in VILLAGE_BINS {
        item(
            out,
            swatch_rect(colour, VILLAGE_LINE, ""),
            &share_bin_label(lower, upper),
        );
        lower = upper;
    }
    out.push_str("</ul>");
}

/// A share bin's words in a legend, as HTML: the first bin starts above zero (`> 0 – 10 %`,
/// never `0.0 %–10.0 %`: zero has its own colour), the others `10 – 25 %`.
pub(super) fn share_bin_label(lower: f64, upper: f64) -> String {
    if lower == 0.0 {
        format!("&gt; 0 – {} %", plain(upper * 100.0))
    } else {
        format!("{} – {} %", plain(lower * 100.0), plain(upper * 100.0))
    }
}

fn roads(out: &mut String, report: &Report, colours: &Colours<'_>, w: &Words) {
    let _ = write!(
        out,
        r#"<h4>{}</h4><ul class="legend-roads">"#,
        esc(w.lg_roads)
    );
    for (class, colour) in &colours.roads {
        item(
            out,
            swatch_line(colour, road_width(report, class)),
            &esc(class),
        );
    }
    out.push_str("</ul>");
}

/// Each zone class with its width, in the order a planner ranks them.
fn zones(
    out: &mut String,
    report: &Report,
    colours: &Colours<'_>,
    zones: &[(String, PathData)],
    w: &Words,
) {
    let _ = write!(out, "<h4>{}</h4><ul>", esc(w.lg_zones));
    for class in class_order(report, zones.iter().map(|(c, _)| c.as_str())) {
        let colour = colours.zone(class);
        let width = report
            .classes
            .iter()
            .find(|c| c.class == class)
            .map(|c| format!(" ({})", metres(c.width_m)))
            .unwrap_or_default();
        item(
            out,
            swatch_rect(colour, colour, r#"fill-opacity="0.28""#),
            &format!("{}{}", esc(class), esc(&width)),
        );
    }
    out.push_str("</ul>");
}

/// The farmland and the red line, hatched as on the map.
fn protected(out: &mut String, drawn: &Drawn<'_>, w: &Words) {
    out.push_str("<ul>");
    if drawn.farmland {
        item(
            out,
            swatch_hatch(FARMLAND_FILL, FARMLAND_LINE, 45, ""),
            &esc(w.lg_farmland),
        );
    }
    if drawn.redline {
        item(
            out,
            swatch_hatch(
                REDLINE_FILL,
                REDLINE_LINE,
                -45,
                r#" stroke-dasharray="4 2""#,
            ),
            &esc(w.lg_redline),
        );
    }
    out.push_str("</ul>");
}

/// Each corridor level, as a line when the layer drew it only as lines, else as an area.
fn corridors(
    out: &mut String,
    report: &Report,
    colours: &Colours<'_>,
    corridors: &BTreeMap<(&str, &str), PathData>,
    w: &Words,
) {
    let _ = write!(out, "<h4>{}</h4><ul>", esc(w.lg_corridors));
    for class in class_order(report, corridors.keys().map(|(c, _)| *c)) {
        let colour = colours.corridor(class);
        let lines_only = corridors
            .iter()
            .filter(|((c, _), _)| *c == class)
            .all(|(_, d)| d.area.is_empty());
        let swatch = if lines_only {
            swatch_line(colour, 2.2)
        } else {
            swatch_rect(colour, colour, r#"fill-opacity="0.55""#)
        };
        item(out, swatch, &esc(class));
    }
    out.push_str("</ul>");
}

/// The score bins (one when every site scored the same), then unscored and chosen sites when
/// there are any.
fn sites(out: &mut String, map: &MapData, bins: Option<&ScoreBins>, w: &Words) {
    let _ = write!(out, "<h4>{}</h4><ul>", esc(w.lg_sites));
    if let Some(b) = bins {
        let n = if b.max > b.min { SITE_BINS.len() } else { 1 };
        for (i, colour) in SITE_BINS.iter().enumerate().skip(SITE_BINS.len() - n) {
            let (lo, hi) = if n == 1 { (b.min, b.max) } else { b.bounds(i) };
            let label = if n == 1 {
                score(lo)
            } else {
                format!("{} – {}", score(lo), score(hi))
            };
            item(out, swatch_circle(colour, 5.0), &label);
        }
    }
    if map.sites.iter().any(|s| s.score.is_none()) {
        item(out, swatch_circle(SITE_OUT, 3.5), &esc(w.lg_site_out));
    }
    if map.sites.iter().any(|s| s.chosen) {
        let star = format!(
            r##"<svg width="26" height="22" viewBox="0 0 26 22" aria-hidden="true"><path d="{}" fill="{}" stroke="#111" stroke-width="1.2"/></svg>"##,
            star(Coord { x: 13.0, y: 11.5 }, 10.0),
            SITE_BINS[SITE_BINS.len() - 1]
        );
        item(out, star, &esc(w.lg_site_chosen));
    }
    out.push_str("</ul>");
}

fn note(out: &mut String, labels_left_off: usize, w: &Words) {
    let _ = write!(out, r#"<p class="note">{}"#, esc(w.map_note));
    if labels_left_off > 0 {
        let _ = write!(
            out,
            r#"<br><span id="labels-left-off">{}{labels_left_off}</span>"#,
            esc(w.labels_left_off)
        );
    }
    out.push_str("</p>");
}

fn swatch_rect(fill: &str, stroke: &str, extra: &str) -> String {
    format!(
        r#"<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true"><rect x="1" y="1" width="24" height="12" fill="{fill}" stroke="{stroke}" stroke-width="1" {extra}/></svg>"#
    )
}

/// A pale box hatched like the map's layer (its own lines: the page's patterns belong to the
/// map's SVG).
fn swatch_hatch(fill: &str, line: &str, angle: i32, extra: &str) -> String {
    let mut hatch = String::new();
    for k in -2..6 {
        let x = 1 + 5 * k;
        let (x0, x1) = if angle > 0 { (x, x + 12) } else { (x + 12, x) };
        let _ = write!(
            hatch,
            r#"<path d="M{x0} 13 L{x1} 1" stroke="{line}" stroke-width="1" stroke-opacity="0.55"/>"#
        );
    }
    format!(
        r#"<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true"><rect x="1" y="1" width="24" height="12" fill="{fill}"/>{hatch}<rect x="1" y="1" width="24" height="12" fill="none" stroke="{line}" stroke-width="1"{extra}/></svg>"#
    )
}

fn swatch_line(stroke: &str, width: f64) -> String {
    format!(
        r#"<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true"><path d="M1 7 H25" stroke="{stroke}" stroke-width="{}" stroke-linecap="round"/></svg>"#,
        plain(width)
    )
}

fn swatch_circle(fill: &str, r: f64) -> String {
    format!(
        r##"<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true"><circle cx="13" cy="7" r="{r}" fill="{fill}" stroke="#fff" stroke-width="1"/></svg>"##
    )
}
