//! The map's area and line layers, bottom to top: township fills, farmland and red-line fills,
//! villages by share inside the zones, the farmland and red-line hatching, zones, corridors,
//! roads, then the township boundaries again on top.
//!
//! Everything drawn over the villages lets the pointer through (`pointer-events="none"`), so
//! that every village's tooltip works wherever a zone, corridor, road or hatch covers it;
//! roads and corridors keep their tooltips on their names' labels.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::colours::{
    Colours, FARMLAND_FILL, FARMLAND_LINE, REDLINE_FILL, REDLINE_LINE, TOWNSHIP_FILL,
    TOWNSHIP_LINE, VILLAGE_LINE, road_width, village_colour,
};
use super::frame::Frame;
use super::path::{PathData, group, group_lines};
use crate::report::html::fmt::{esc, plain, share};
use crate::report::words::Words;
use crate::report::{MapData, Report};

/// Each township's name and the path data of its area, drawn twice: filled under everything,
/// outlined above the villages, which would otherwise hide the boundaries.
pub(super) fn township_paths<'a>(map: &'a MapData, frame: &Frame) -> Vec<(&'a String, String)> {
    let mut township_paths = Vec::new();
    for (name, geometry) in &map.townships {
        let mut d = PathData::default();
        d.add_multipolygon(geometry, frame);
        township_paths.push((name, d.area));
    }
    township_paths
}

pub(super) fn township_fills(svg: &mut String, township_paths: &[(&String, String)]) {
    if !township_paths.is_empty() {
        let _ = write!(
            svg,
            r#"<g id="map-townships" fill="{TOWNSHIP_FILL}" stroke="none" fill-rule="evenodd">"#
        );
        for (name, d) in township_paths {
            let _ = write!(
                svg,
                r#"<path d="{d}" class="township" data-kind="township" data-id="{}" data-name="{}"><title>{}</title></path>"#,
                esc(name),
                esc(name),
                esc(name)
            );
        }
        svg.push_str("</g>");
    }
}

pub(super) fn township_lines(svg: &mut String, township_paths: &[(&String, String)]) {
    if !township_paths.is_empty() {
        let _ = write!(
            svg,
            r#"<g id="map-township-lines" pointer-events="none" fill="none" stroke="{TOWNSHIP_LINE}" stroke-width="1.4" stroke-dasharray="7 3" stroke-linejoin="round">"#
        );
        for (_, d) in township_paths {
            let _ = write!(svg, r#"<path d="{d}"/>"#);
        }
        svg.push_str("</g>");
    }
}

/// Farmland and the red line as the map draws them: per layer, each feature's id and path.
pub(super) struct Protected {
    /// `farmland` or `redline`: the group's id and the hatch's.
    kind: &'static str,
    features: Vec<(String, String)>,
}

impl Protected {
    /// Whether the map drew any of it.
    pub(super) fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

/// The paths of the farmland and red-line layers (sites are excluded for lying on them, so
/// the map shows where they are).
pub(super) fn protected(map: &MapData, frame: &Frame) -> [Protected; 2] {
    let paths = |kind, layer: &[(String, geo::MultiPolygon<f64>)]| Protected {
        kind,
        features: layer
            .iter()
            .map(|(id, g)| {
                let mut d = PathData::default();
                d.add_multipolygon(g, frame);
                (id.clone(), d.area)
            })
            .filter(|(_, d)| !d.is_empty())
            .collect(),
    };
    [
        paths("farmland", &map.farmland),
        paths("redline", &map.redline),
    ]
}

/// The hatch patterns of the farmland and red line (in `<defs>`), when either is drawn.
pub(super) fn protected_patterns(svg: &mut String, layers: &[Protected; 2]) {
    if layers.iter().all(Protected::is_empty) {
        return;
    }
    svg.push_str("<defs>");
    for (kind, colour, angle) in [
        ("farmland", FARMLAND_LINE, 45),
        ("redline", REDLINE_LINE, -45),
    ] {
        let _ = write!(
            svg,
            r#"<pattern id="hatch-{kind}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate({angle})"><path d="M0 0 V6" stroke="{colour}" stroke-width="1.1" stroke-opacity="0.55"/></pattern>"#
        );
    }
    svg.push_str("</defs>");
}

/// Under the villages: each farmland and red-line feature filled pale, with its id as the
/// tooltip where no village covers it.
pub(super) fn protected_fills(svg: &mut String, layers: &[Protected; 2], w: &Words) {
    for layer in layers.iter().filter(|l| !l.is_empty()) {
        let (fill, what) = match layer.kind {
            "farmland" => (FARMLAND_FILL, w.lg_farmland),
            _ => (REDLINE_FILL, w.lg_redline),
        };
        let _ = write!(
            svg,
            r#"<g id="map-{}-fill" fill="{fill}" stroke="none" fill-rule="evenodd">"#,
            layer.kind
        );
        for (id, d) in &layer.features {
            let _ = write!(
                svg,
                r#"<path d="{d}" class="{}" data-id="{}"><title>{} · {}</title></path>"#,
                layer.kind,
                esc(id),
                esc(what),
                esc(id)
            );
        }
        svg.push_str("</g>");
    }
}

/// Over the villages: the farmland and red line hatched (the red line also outlined, dashed),
/// letting the pointer through to the villages.
pub(super) fn protected_hatch(svg: &mut String, layers: &[Protected; 2]) {
    for layer in layers.iter().filter(|l| !l.is_empty()) {
        let outline = match layer.kind {
            "redline" => {
                format!(r#" stroke="{REDLINE_LINE}" stroke-width="1" stroke-dasharray="4 2""#)
            }
            _ => String::new(),
        };
        let d: String = layer.features.iter().map(|(_, d)| d.as_str()).collect();
        let _ = write!(
            svg,
            r#"<g id="map-{kind}" pointer-events="none"><path d="{d}" fill="url(#hatch-{kind})" fill-rule="evenodd"{outline}/></g>"#,
            kind = layer.kind
        );
    }
}

/// Each village coloured by its share inside the zones, its tooltip naming the share and the
/// zone classes touching it.
pub(super) fn villages(svg: &mut String, map: &MapData, frame: &Frame, w: &Words) {
    if !map.villages.is_empty() {
        let _ = write!(
            svg,
            r#"<g id="map-villages" stroke="{VILLAGE_LINE}" stroke-width="0.4" fill-rule="evenodd">"#
        );
        for v in &map.villages {
            let mut d = PathData::default();
            d.add_multipolygon(&v.geometry, frame);
            let zones = if v.zone_classes.is_empty() {
                String::new()
            } else {
                format!(" · {}", esc(&v.zone_classes.join(w.list_sep)))
            };
            let _ = write!(
                svg,
                r#"<path d="{}" fill="{}" data-kind="village" data-id="{}" data-name="{}"><title>{} {} · {}{zones}</title></path>"#,
                d.area,
                village_colour(v.fraction_inside),
                esc(&v.id),
                esc(&v.name),
                esc(&v.id),
                esc(&v.name),
                share(v.fraction_inside)
            );
        }
        svg.push_str("</g>");
    }
}

/// The zones, one path per class: a tooltip per class says all the map can, and one path per
/// class keeps the file small. Returns what was drawn, for the legend.
pub(super) fn zones(
    svg: &mut String,
    map: &MapData,
    frame: &Frame,
    colours: &Colours<'_>,
    w: &Words,
) -> Vec<(String, PathData)> {
    let zone_classes = group(&map.zones, |d, g, f| d.add_multipolygon(g, f), frame);
    if !zone_classes.is_empty() {
        svg.push_str(r#"<g id="map-zones" pointer-events="none" fill-opacity="0.28" stroke-opacity="0.8" stroke-width="0.6" fill-rule="nonzero">"#);
        for (class, d) in &zone_classes {
            let colour = colours.zone(class);
            let _ = write!(
                svg,
                r#"<path d="{}" fill="{colour}" stroke="{colour}"><title>{} · {}</title></path>"#,
                d.area,
                esc(w.lg_zones),
                esc(class)
            );
        }
        svg.push_str("</g>");
    }
    zone_classes
}

/// The corridors, one path per level and name, as areas or lines as the layer gives them.
/// Returns what was drawn, for the legend.
pub(super) fn corridors<'a>(
    svg: &mut String,
    map: &'a MapData,
    frame: &Frame,
    colours: &Colours<'_>,
    w: &Words,
) -> BTreeMap<(&'a str, &'a str), PathData> {
    let corridor_lines = group_lines(&map.corridors, frame);
    if !corridor_lines.is_empty() {
        svg.push_str(r#"<g id="map-corridors" pointer-events="none">"#);
        for ((class, name), d) in &corridor_lines {
            let title = format!("<title>{}</title>", line_title(w.lg_corridors, class, name));
            let colour = colours.corridor(class);
            if !d.area.is_empty() {
                let _ = write!(
                    svg,
                    r#"<path d="{}" fill="{colour}" fill-opacity="0.55" stroke="{colour}" stroke-width="0.8" fill-rule="evenodd">{title}</path>"#,
                    d.area
                );
            }
            if !d.line.is_empty() {
                let _ = write!(
                    svg,
                    r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round">{title}</path>"#,
                    d.line
                );
            }
        }
        svg.push_str("</g>");
    }
    corridor_lines
}

/// The roads, one path per class and name (a road is often several features), wider for the
/// classes whose zones are wider.
pub(super) fn roads(
    svg: &mut String,
    report: &Report,
    map: &MapData,
    frame: &Frame,
    colours: &Colours<'_>,
    w: &Words,
) {
    let road_lines = group_lines(&map.roads, frame);
    if !road_lines.is_empty() {
        svg.push_str(
            r#"<g id="map-roads" pointer-events="none" fill="none" stroke-linecap="round" stroke-linejoin="round">"#,
        );
        for ((class, name), d) in &road_lines {
            let colour = colours.road(class);
            let path = format!("{}{}", d.line, d.area);
            let _ = write!(
                svg,
                r#"<path d="{path}" stroke="{colour}" stroke-width="{}"><title>{}</title></path>"#,
                plain(road_width(report, class)),
                line_title(w.lg_roads, class, name)
            );
        }
        svg.push_str("</g>");
    }
}

/// A road's or corridor's tooltip: what it is, its class, and its name when it has one.
pub(super) fn line_title(what: &str, class: &str, name: &str) -> String {
    if name.is_empty() {
        format!("{} · {}", esc(what), esc(class))
    } else {
        format!("{} · {} · {}", esc(what), esc(class), esc(name))
    }
}
