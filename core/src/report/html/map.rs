//! The region's map as inline SVG, drawn from the layers themselves, with its legend.
//!
//! Geometry goes to pixel space first (y flipped: metres grow north, pixels grow down), is
//! simplified there with a tolerance of half a pixel (Ramer–Douglas–Peucker) and written
//! rounded to 0.1 px, so a region of thousands of villages stays a file of a few hundred
//! kilobytes. Nothing is dropped for being small: a village smaller than a pixel is still
//! an element with its tooltip, even if it paints (almost) nothing; dropping it would make
//! the map disagree with the tables.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use geo::{
    Area, BoundingRect, Coord, Geometry, InteriorPoint, LineString, MapCoords, MultiPolygon,
    Polygon, Rect, Simplify,
};

use super::super::words::Words;
use super::fmt::{esc, metres, plain, px, px_string, score, share};
use crate::report::{MapData, MapLine, Report};

/// Width of the map's viewBox in pixels (its height follows the region's aspect).
pub(super) const VIEW_W: f64 = 1000.0;
/// The tallest the map area may be before the region is scaled down to fit.
const MAX_MAP_H: f64 = 1300.0;
const MARGIN: f64 = 16.0;
/// A strip under the map for the scale bar and north arrow, so they never cover a feature.
const BAND: f64 = 60.0;
/// Half a pixel: finer detail than this cannot be seen on screen or paper.
const SIMPLIFY_PX: f64 = 0.5;

/// Road colours, handed out in class-name order. Blues, purples and greys so that roads read
/// against the villages' yellow-to-red ramp and the corridors' green.
const ROAD_PALETTE: [&str; 8] = [
    "#1f4e9c", "#7b3294", "#c51b7d", "#01665e", "#4d4d4d", "#8c510a", "#2166ac", "#762a83",
];
/// Corridor levels, darkest for the first level the plan lists (usually the widest).
pub(super) const CORRIDOR_SHADES: [&str; 4] = ["#0b5d1e", "#2e9445", "#78c679", "#b5dc8f"];
const TOWNSHIP_FILL: &str = "#f3efe6";
const TOWNSHIP_LINE: &str = "#5b4f3c";
const VILLAGE_LINE: &str = "#a39a8a";
const SITE_OUT: &str = "#9e9e9e";

/// Villages by share inside the zones: upper bound of each bin (inclusive) and its colour
/// (ColorBrewer YlOrRd). Zero has its own pale colour so an untouched village never looks hit.
const VILLAGE_UNTOUCHED: &str = "#f7f5ef";
const VILLAGE_BINS: [(f64, &str); 5] = [
    (0.10, "#ffffb2"),
    (0.25, "#fecc5c"),
    (0.50, "#fd8d3c"),
    (0.75, "#f03b20"),
    (1.00, "#bd0026"),
];
/// Sites by score, lowest bin first (ColorBrewer Blues).
const SITE_BINS: [&str; 4] = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"];

/// The map and its legend, ready to place on the page.
pub(super) struct MapFigure {
    /// The `<svg>` element.
    pub svg: String,
    /// The legend as HTML.
    pub legend: String,
}

/// Metres to pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    min_x: f64,
    max_y: f64,
    scale: f64,
    off_x: f64,
    off_y: f64,
    map_h: f64,
    /// The viewBox height.
    pub height: f64,
}

impl Frame {
    /// The frame that fits `extent` into the viewBox.
    pub(super) fn fit(extent: Rect<f64>) -> Frame {
        // A single point or a straight line has no extent on one axis; give it a kilometre
        // so the scale stays finite.
        let w = extent.width().max(1.0);
        let h = extent.height().max(1.0);
        let (w, h) = if extent.width() < 1.0 && extent.height() < 1.0 {
            (1000.0, 1000.0)
        } else {
            (w, h)
        };
        let inner_w = VIEW_W - 2.0 * MARGIN;
        let mut scale = inner_w / w;
        if h * scale > MAX_MAP_H {
            scale = MAX_MAP_H / h;
        }
        let cx = (extent.min().x + extent.max().x) / 2.0;
        let cy = (extent.min().y + extent.max().y) / 2.0;
        let map_h = h * scale;
        Frame {
            min_x: cx - w / 2.0,
            max_y: cy + h / 2.0,
            scale,
            off_x: MARGIN + (inner_w - w * scale) / 2.0,
            off_y: MARGIN,
            map_h,
            height: (map_h + 2.0 * MARGIN + BAND).ceil(),
        }
    }

    /// A point in metres as pixels.
    /// Whether a label's box lies wholly on the map, above the band of scale bar and arrow.
    fn holds(self, b: &LabelBox) -> bool {
        b.x0 >= 0.0 && b.x1 <= VIEW_W && b.y0 >= 0.0 && b.y1 <= self.height - BAND
    }

    pub(super) fn to_px(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.off_x + (c.x - self.min_x) * self.scale,
            y: self.off_y + (self.max_y - c.y) * self.scale,
        }
    }
}

/// The extent of every layer, or `None` when the map is empty.
pub(super) fn extent(map: &MapData) -> Option<Rect<f64>> {
    let mut rects: Vec<Rect<f64>> = Vec::new();
    rects.extend(map.townships.iter().filter_map(|(_, g)| g.bounding_rect()));
    rects.extend(
        map.roads
            .iter()
            .chain(&map.corridors)
            .filter_map(|l| l.geometry.bounding_rect()),
    );
    rects.extend(map.zones.iter().filter_map(|(_, g)| g.bounding_rect()));
    rects.extend(
        map.villages
            .iter()
            .filter_map(|v| v.geometry.bounding_rect()),
    );
    rects.extend(map.sites.iter().filter_map(|s| s.geometry.bounding_rect()));
    let finite = |r: &Rect<f64>| {
        r.min().x.is_finite()
            && r.min().y.is_finite()
            && r.max().x.is_finite()
            && r.max().y.is_finite()
    };
    rects
        .into_iter()
        .filter(finite)
        .reduce(crate::geometry::rect_union)
}

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
struct ScoreBins {
    min: f64,
    max: f64,
}

impl ScoreBins {
    fn new(scores: impl Iterator<Item = f64>) -> Option<ScoreBins> {
        let mut range: Option<(f64, f64)> = None;
        for s in scores.filter(|s| s.is_finite()) {
            range = Some(range.map_or((s, s), |(lo, hi)| (lo.min(s), hi.max(s))));
        }
        range.map(|(min, max)| ScoreBins { min, max })
    }

    fn index(&self, s: f64) -> usize {
        if self.max <= self.min {
            return SITE_BINS.len() - 1;
        }
        let t = (s - self.min) / (self.max - self.min);
        ((t * SITE_BINS.len() as f64).floor() as usize).min(SITE_BINS.len() - 1)
    }

    fn bounds(&self, i: usize) -> (f64, f64) {
        let step = (self.max - self.min) / SITE_BINS.len() as f64;
        (self.min + step * i as f64, self.min + step * (i + 1) as f64)
    }
}

/// The colour of every class on the map, decided once so the map and legend agree.
struct Colours<'a> {
    /// Road classes in name order, from [`ROAD_PALETTE`].
    roads: BTreeMap<&'a str, &'static str>,
    /// Corridor levels, shades of green in the plan's order of levels.
    corridors: BTreeMap<&'a str, &'static str>,
    /// Zone classes: their road's or corridor level's colour.
    zones: BTreeMap<&'a str, &'static str>,
}

impl<'a> Colours<'a> {
    fn new(report: &'a Report, map: &'a MapData) -> Colours<'a> {
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

    fn road(&self, class: &str) -> &'static str {
        self.roads.get(class).copied().unwrap_or(ROAD_PALETTE[0])
    }

    fn corridor(&self, level: &str) -> &'static str {
        self.corridors
            .get(level)
            .copied()
            .unwrap_or(CORRIDOR_SHADES[0])
    }

    fn zone(&self, class: &str) -> &'static str {
        self.zones.get(class).copied().unwrap_or(ROAD_PALETTE[0])
    }
}

/// Roads whose zones are wider are drawn wider, so the ring and the expressway outweigh a
/// radial street.
fn road_width(report: &Report, class: &str) -> f64 {
    report
        .classes
        .iter()
        .find(|c| c.class == class && c.layer == "roads")
        .map_or(1.4, |c| (1.0 + c.width_m / 100.0).clamp(1.0, 3.0))
}

/// Path data for geometry already in pixels.
#[derive(Default)]
struct PathData {
    /// Closed rings (polygons).
    area: String,
    /// Open lines.
    line: String,
    /// Points.
    points: Vec<Coord<f64>>,
}

impl PathData {
    fn add(&mut self, geometry: &Geometry<f64>, frame: &Frame) {
        match geometry {
            Geometry::Point(p) => self.points.push(frame.to_px(p.0)),
            Geometry::MultiPoint(mp) => self.points.extend(mp.iter().map(|p| frame.to_px(p.0))),
            Geometry::Line(l) => {
                self.add_line(&LineString::new(vec![l.start, l.end]), frame);
            }
            Geometry::LineString(l) => self.add_line(l, frame),
            Geometry::MultiLineString(ml) => ml.iter().for_each(|l| self.add_line(l, frame)),
            Geometry::Polygon(p) => self.add_polygon(p, frame),
            Geometry::MultiPolygon(mp) => mp.iter().for_each(|p| self.add_polygon(p, frame)),
            Geometry::Rect(r) => self.add_polygon(&r.to_polygon(), frame),
            Geometry::Triangle(t) => self.add_polygon(&t.to_polygon(), frame),
            Geometry::GeometryCollection(gc) => gc.iter().for_each(|g| self.add(g, frame)),
        }
    }

    fn add_line(&mut self, line: &LineString<f64>, frame: &Frame) {
        let line = line.map_coords(|c| frame.to_px(c)).simplify(SIMPLIFY_PX);
        write_run(&mut self.line, &line.0, false);
    }

    fn add_polygon(&mut self, polygon: &Polygon<f64>, frame: &Frame) {
        let polygon = polygon.map_coords(|c| frame.to_px(c)).simplify(SIMPLIFY_PX);
        write_run(&mut self.area, &polygon.exterior().0, true);
        for hole in polygon.interiors() {
            write_run(&mut self.area, &hole.0, true);
        }
    }

    fn add_multipolygon(&mut self, mp: &MultiPolygon<f64>, frame: &Frame) {
        mp.iter().for_each(|p| self.add_polygon(p, frame));
    }
}

/// One subpath: `M x y x y …` (implicit line-tos), closed with `Z` for rings. Points that
/// round to the same tenth of a pixel as the one before are written once.
fn write_run(out: &mut String, coords: &[Coord<f64>], close: bool) {
    let mut last: Option<(i64, i64)> = None;
    let mut n = 0;
    let closing = if close && coords.len() > 1 && coords[0] == coords[coords.len() - 1] {
        coords.len() - 1
    } else {
        coords.len()
    };
    for c in &coords[..closing] {
        if !(c.x.is_finite() && c.y.is_finite()) {
            continue;
        }
        let key = ((c.x * 10.0).round() as i64, (c.y * 10.0).round() as i64);
        if last == Some(key) {
            continue;
        }
        last = Some(key);
        out.push(if n == 0 { 'M' } else { ' ' });
        px(out, c.x);
        out.push(' ');
        px(out, c.y);
        n += 1;
    }
    if n > 0 && close {
        out.push('Z');
    }
}

/// A label's box, for keeping labels apart.
#[derive(Clone, Copy)]
struct LabelBox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl LabelBox {
    fn overlaps(&self, o: &LabelBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// Roughly how wide `text` is at `size` px: CJK ideographs are square, Latin about half.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c as u32 >= 0x2E80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

/// A five-pointed star centred on `c`.
fn star(c: Coord<f64>, r: f64) -> String {
    let mut d = String::new();
    for i in 0..10 {
        let radius = if i % 2 == 0 { r } else { r * 0.45 };
        let angle = std::f64::consts::PI * (i as f64) / 5.0 - std::f64::consts::FRAC_PI_2;
        d.push(if i == 0 { 'M' } else { ' ' });
        px(&mut d, c.x + radius * angle.cos());
        d.push(' ');
        px(&mut d, c.y + radius * angle.sin());
    }
    d.push('Z');
    d
}

/// The largest 1, 2 or 5 × 10ⁿ not above `x`.
pub(super) fn nice_floor(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v <= x * (1.0 + 1e-9))
        .unwrap_or(p)
}

/// A distance as the scale bar says it.
fn distance_label(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", plain(m / 1000.0))
    } else {
        metres(m)
    }
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

    // Township fills go under everything; their boundaries are drawn again above the
    // villages, which would otherwise hide them.
    let mut township_paths = Vec::new();
    for (name, geometry) in &map.townships {
        let mut d = PathData::default();
        d.add_multipolygon(geometry, &frame);
        township_paths.push((name, d.area));
    }
    if !township_paths.is_empty() {
        let _ = write!(
            svg,
            r#"<g id="map-townships" fill="{TOWNSHIP_FILL}" stroke="none" fill-rule="evenodd">"#
        );
        for (name, d) in &township_paths {
            let _ = write!(svg, r#"<path d="{d}"><title>{}</title></path>"#, esc(name));
        }
        svg.push_str("</g>");
    }

    if !map.villages.is_empty() {
        let _ = write!(
            svg,
            r#"<g id="map-villages" stroke="{VILLAGE_LINE}" stroke-width="0.4" fill-rule="evenodd">"#
        );
        for v in &map.villages {
            let mut d = PathData::default();
            d.add_multipolygon(&v.geometry, &frame);
            let zones = if v.zone_classes.is_empty() {
                String::new()
            } else {
                format!(" · {}", esc(&v.zone_classes.join(w.list_sep)))
            };
            let _ = write!(
                svg,
                r#"<path d="{}" fill="{}"><title>{} {} · {}{zones}</title></path>"#,
                d.area,
                village_colour(v.fraction_inside),
                esc(&v.id),
                esc(&v.name),
                share(v.fraction_inside)
            );
        }
        svg.push_str("</g>");
    }

    // Zones are grouped per class (a tooltip per class says all the map can, and one path per
    // class keeps the file small); roads and corridors per class and name.
    let zone_classes = group(&map.zones, |d, g, f| d.add_multipolygon(g, f), &frame);
    if !zone_classes.is_empty() {
        svg.push_str(r#"<g id="map-zones" fill-opacity="0.28" stroke-opacity="0.8" stroke-width="0.6" fill-rule="nonzero">"#);
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

    let corridor_lines = group_lines(&map.corridors, &frame);
    if !corridor_lines.is_empty() {
        svg.push_str(r#"<g id="map-corridors">"#);
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

    let road_lines = group_lines(&map.roads, &frame);
    if !road_lines.is_empty() {
        svg.push_str(
            r#"<g id="map-roads" fill="none" stroke-linecap="round" stroke-linejoin="round">"#,
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

    if !township_paths.is_empty() {
        let _ = write!(
            svg,
            r#"<g id="map-township-lines" fill="none" stroke="{TOWNSHIP_LINE}" stroke-width="1.4" stroke-dasharray="7 3" stroke-linejoin="round">"#
        );
        for (_, d) in &township_paths {
            let _ = write!(svg, r#"<path d="{d}"/>"#);
        }
        svg.push_str("</g>");
    }

    let mut placed: Vec<LabelBox> = Vec::new();
    let mut labels = String::new();
    let bins = ScoreBins::new(map.sites.iter().filter_map(|s| s.score));
    if !map.sites.is_empty() {
        svg.push_str(r#"<g id="map-sites">"#);
        // Chosen sites last, so their stars sit on top of their neighbours' dots.
        let mut order: Vec<usize> = (0..map.sites.len()).collect();
        order.sort_by_key(|&i| map.sites[i].chosen);
        for i in order {
            let site = &map.sites[i];
            let mut d = PathData::default();
            d.add(&site.geometry, &frame);
            let at = match &site.geometry {
                Geometry::Point(p) => Some(frame.to_px(p.0)),
                g => g.interior_point().map(|p| frame.to_px(p.0)),
            };
            let colour = match (site.score, &bins) {
                (Some(s), Some(b)) if s.is_finite() => SITE_BINS[b.index(s)],
                _ => SITE_OUT,
            };
            let status = match (site.score, &site.excluded, &site.error) {
                (Some(s), _, _) => format!("{} {}", esc(w.col_score), score(s)),
                (None, Some(why), _) => format!("{}{}{}", esc(w.col_excluded), w.colon, esc(why)),
                (None, None, Some(e)) => format!("{}{}{}", esc(w.st_error), w.colon, esc(e)),
                (None, None, None) => esc(w.lg_site_out),
            };
            let chosen = if site.chosen {
                format!(" · ★ {}", esc(w.lg_site_chosen))
            } else {
                String::new()
            };
            let class = if site.chosen {
                "site chosen-site"
            } else {
                "site"
            };
            let _ = write!(
                svg,
                r#"<g class="{class}"><title>{} ({}) · {status}{chosen}</title>"#,
                esc(&site.name),
                esc(&site.id)
            );
            if !d.area.is_empty() {
                let _ = write!(
                    svg,
                    r#"<path d="{}" fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="1" fill-rule="evenodd"/>"#,
                    d.area
                );
            }
            let markers =
                d.points
                    .iter()
                    .copied()
                    .chain(if d.points.is_empty() { at } else { None });
            for c in markers {
                if site.chosen {
                    let _ = write!(
                        svg,
                        r##"<path d="{}" fill="{colour}" stroke="#111" stroke-width="1.3" stroke-linejoin="round"/>"##,
                        star(c, 11.0)
                    );
                    placed.push(LabelBox {
                        x0: c.x - 11.0,
                        y0: c.y - 11.0,
                        x1: c.x + 11.0,
                        y1: c.y + 11.0,
                    });
                } else {
                    let r = if site.score.is_some() { 5.0 } else { 3.5 };
                    let _ = write!(
                        svg,
                        r##"<circle cx="{}" cy="{}" r="{r}" fill="{colour}" stroke="#fff" stroke-width="1.2"/>"##,
                        px_string(c.x),
                        px_string(c.y)
                    );
                }
            }
            svg.push_str("</g>");
        }
        svg.push_str("</g>");
    }

    // Township names next: the map's main orientation. Each goes at an interior point of its
    // township, or just above or below it if a star sits there; the largest townships first,
    // and a name with no clear spot is left off (as GIS labelling does), or a dense map
    // becomes a smear of overprinted names. Hovering still names every township.
    let mut by_size: Vec<(f64, &String, &MultiPolygon<f64>)> = map
        .townships
        .iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, g)| (g.unsigned_area(), name, g))
        .collect();
    by_size.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut left_off = 0;
    for (_, name, geometry) in by_size {
        let Some(p) = geometry.interior_point() else {
            continue;
        };
        let c = frame.to_px(p.0);
        let size = 16.0;
        let half = text_width(name, size) / 2.0;
        let boxes: Vec<(f64, LabelBox)> = [0.0, 22.0, -22.0, 40.0, -40.0]
            .iter()
            .map(|&dy| {
                let y = c.y + dy;
                (
                    y,
                    LabelBox {
                        x0: c.x - half,
                        y0: y - size * 0.85,
                        x1: c.x + half,
                        y1: y + size * 0.25,
                    },
                )
            })
            .collect();
        let Some((y, chosen)) = boxes
            .iter()
            .find(|(_, b)| !placed.iter().any(|p| p.overlaps(b)) && frame.holds(b))
            .copied()
        else {
            left_off += 1;
            continue;
        };
        placed.push(chosen);
        let _ = write!(
            labels,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="16" font-weight="700" class="township-label">{}</text>"#,
            px_string(c.x),
            px_string(y),
            esc(name)
        );
    }

    // Chosen sites are named on the map; the rest are in the table and the tooltips.
    for site in map.sites.iter().filter(|s| s.chosen && !s.name.is_empty()) {
        let at = match &site.geometry {
            Geometry::Point(p) => Some(frame.to_px(p.0)),
            g => g.interior_point().map(|p| frame.to_px(p.0)),
        };
        let Some(c) = at else { continue };
        let size = 12.0;
        let tw = text_width(&site.name, size);
        // Right, left, above, below the star: the first spot that keeps clear of the
        // labels and stars already placed; none: the name is left off (the star's tooltip
        // and the site table still give it).
        let candidates = [
            (c.x + 13.0, c.y + 4.0, "start"),
            (c.x - 13.0, c.y + 4.0, "end"),
            (c.x, c.y - 14.0, "middle"),
            (c.x, c.y + 23.0, "middle"),
        ];
        let boxes: Vec<LabelBox> = candidates
            .iter()
            .map(|&(x, y, anchor)| {
                let x0 = match anchor {
                    "start" => x,
                    "end" => x - tw,
                    _ => x - tw / 2.0,
                };
                LabelBox {
                    x0,
                    y0: y - size,
                    x1: x0 + tw,
                    y1: y + size * 0.25,
                }
            })
            .collect();
        let Some(pick) = boxes
            .iter()
            .position(|b| !placed.iter().any(|p| p.overlaps(b)) && frame.holds(b))
        else {
            left_off += 1;
            continue;
        };
        placed.push(boxes[pick]);
        let (x, y, anchor) = candidates[pick];
        let _ = write!(
            labels,
            r#"<text x="{}" y="{}" text-anchor="{anchor}" font-size="12" font-weight="600" class="site-label">{}</text>"#,
            px_string(x),
            px_string(y),
            esc(&site.name)
        );
    }

    if !labels.is_empty() {
        // A white halo under each letter keeps names legible over any fill.
        let _ = write!(
            svg,
            r##"<g id="map-labels" fill="#2b2418" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{labels}</g>"##
        );
    }

    scale_bar(&mut svg, &frame, w);
    north_arrow(&mut svg, &frame, w);
    svg.push_str("</svg>");

    let drawn = Drawn {
        zones: &zone_classes,
        corridors: &corridor_lines,
        bins: bins.as_ref(),
        labels_left_off: left_off,
    };
    let legend = legend(report, map, &colours, &drawn, w);
    Some(MapFigure { svg, legend })
}

/// Roads or corridors as one path per class and name (a road is often drawn as several
/// features), in class then name order.
fn group_lines<'a>(lines: &'a [MapLine], frame: &Frame) -> BTreeMap<(&'a str, &'a str), PathData> {
    let mut by_name: BTreeMap<(&str, &str), PathData> = BTreeMap::new();
    for l in lines {
        by_name
            .entry((l.class.as_str(), l.name.as_str()))
            .or_default()
            .add(&l.geometry, frame);
    }
    by_name
}

/// A road's or corridor's tooltip: what it is, its class, and its name when it has one.
fn line_title(what: &str, class: &str, name: &str) -> String {
    if name.is_empty() {
        format!("{} · {}", esc(what), esc(class))
    } else {
        format!("{} · {} · {}", esc(what), esc(class), esc(name))
    }
}

/// Features of one layer grouped by class (in class-name order), as path data.
fn group<G>(
    features: &[(String, G)],
    add: impl Fn(&mut PathData, &G, &Frame),
    frame: &Frame,
) -> Vec<(String, PathData)> {
    let mut by_class: BTreeMap<&str, PathData> = BTreeMap::new();
    for (class, g) in features {
        add(by_class.entry(class.as_str()).or_default(), g, frame);
    }
    by_class
        .into_iter()
        .map(|(c, d)| (c.to_owned(), d))
        .collect()
}

fn scale_bar(svg: &mut String, frame: &Frame, w: &Words) {
    let metres_per_px = 1.0 / frame.scale;
    let length_m = nice_floor(VIEW_W * 0.22 * metres_per_px);
    let length_px = length_m * frame.scale;
    let x0 = MARGIN + 4.0;
    let y = frame.off_y + frame.map_h + MARGIN + 22.0;
    let half = length_px / 2.0;
    let _ = write!(
        svg,
        r##"<g id="scale-bar" font-size="12" fill="#222"><title>{}</title><rect x="{}" y="{}" width="{}" height="6" fill="#222" stroke="#222" stroke-width="1"/><rect x="{}" y="{}" width="{}" height="6" fill="#fff" stroke="#222" stroke-width="1"/><text x="{}" y="{}" text-anchor="middle">0</text><text x="{}" y="{}" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle">{}</text></g>"##,
        esc(w.scale),
        px_string(x0),
        px_string(y),
        px_string(half),
        px_string(x0 + half),
        px_string(y),
        px_string(half),
        px_string(x0),
        px_string(y + 20.0),
        px_string(x0 + half),
        px_string(y + 20.0),
        distance_label(length_m / 2.0),
        px_string(x0 + length_px),
        px_string(y + 20.0),
        distance_label(length_m)
    );
}

fn north_arrow(svg: &mut String, frame: &Frame, w: &Words) {
    let cx = VIEW_W - MARGIN - 18.0;
    let top = frame.off_y + frame.map_h + MARGIN + 2.0;
    // Half the arrow dark and half light, the usual compass-needle look that reads in print.
    let _ = write!(
        svg,
        r##"<g id="north-arrow"><title>{}</title><text x="{}" y="{}" text-anchor="middle" font-size="14" font-weight="700" fill="#222">{}</text><path d="M{} {} L{} {} L{} {}Z" fill="#222"/><path d="M{} {} L{} {} L{} {}Z" fill="#fff" stroke="#222" stroke-width="1"/></g>"##,
        esc(w.north),
        px_string(cx),
        px_string(top + 13.0),
        esc(w.north),
        px_string(cx),
        px_string(top + 17.0),
        px_string(cx),
        px_string(top + 44.0),
        px_string(cx - 8.0),
        px_string(top + 48.0),
        px_string(cx),
        px_string(top + 17.0),
        px_string(cx + 8.0),
        px_string(top + 48.0),
        px_string(cx),
        px_string(top + 44.0),
    );
}

/// `classes` as a planner ranks them: road classes before corridor levels, wider zones first
/// (一级 before 二级 before 三级, which name order would not give: 一, 三, 二), then any class
/// the report has no width for, by name.
fn class_order<'a>(report: &'a Report, classes: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let present: BTreeSet<&str> = classes.collect();
    let mut known: Vec<&crate::report::ClassRow> = report
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

fn swatch_rect(fill: &str, stroke: &str, extra: &str) -> String {
    format!(
        r#"<svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true"><rect x="1" y="1" width="24" height="12" fill="{fill}" stroke="{stroke}" stroke-width="1" {extra}/></svg>"#
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

/// What the map drew that the legend explains.
struct Drawn<'a> {
    zones: &'a [(String, PathData)],
    corridors: &'a BTreeMap<(&'a str, &'a str), PathData>,
    bins: Option<&'a ScoreBins>,
    labels_left_off: usize,
}

fn legend(
    report: &Report,
    map: &MapData,
    colours: &Colours<'_>,
    drawn: &Drawn<'_>,
    w: &Words,
) -> String {
    let Drawn {
        zones,
        corridors,
        bins,
        labels_left_off: left_off,
    } = *drawn;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<div class="legend" id="map-legend"><h3>{}</h3>"#,
        esc(w.legend)
    );
    let item = |out: &mut String, swatch: String, label: &str| {
        let _ = write!(out, "<li>{swatch}<span>{label}</span></li>");
    };

    if !map.townships.is_empty() {
        let _ = write!(out, "<ul>");
        item(
            &mut out,
            swatch_rect(TOWNSHIP_FILL, TOWNSHIP_LINE, r#"stroke-dasharray="7 3""#),
            &esc(w.lg_townships),
        );
        out.push_str("</ul>");
    }

    if !map.villages.is_empty() {
        let _ = write!(out, "<h4>{}</h4><ul>", esc(w.lg_villages));
        item(
            &mut out,
            swatch_rect(VILLAGE_UNTOUCHED, VILLAGE_LINE, ""),
            &esc(w.lg_untouched),
        );
        let mut lower = 0.0;
        for (upper, colour) in VILLAGE_BINS {
            let label = if lower == 0.0 {
                format!("&gt; 0 – {} %", plain(upper * 100.0))
            } else {
                format!("{} – {} %", plain(lower * 100.0), plain(upper * 100.0))
            };
            item(&mut out, swatch_rect(colour, VILLAGE_LINE, ""), &label);
            lower = upper;
        }
        out.push_str("</ul>");
    }

    if !colours.roads.is_empty() {
        let _ = write!(
            out,
            r#"<h4>{}</h4><ul class="legend-roads">"#,
            esc(w.lg_roads)
        );
        for (class, colour) in &colours.roads {
            item(
                &mut out,
                swatch_line(colour, road_width(report, class)),
                &esc(class),
            );
        }
        out.push_str("</ul>");
    }

    if !zones.is_empty() {
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
                &mut out,
                swatch_rect(colour, colour, r#"fill-opacity="0.28""#),
                &format!("{}{}", esc(class), esc(&width)),
            );
        }
        out.push_str("</ul>");
    }

    if !corridors.is_empty() {
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
            item(&mut out, swatch, &esc(class));
        }
        out.push_str("</ul>");
    }

    if !map.sites.is_empty() {
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
                item(&mut out, swatch_circle(colour, 5.0), &label);
            }
        }
        if map.sites.iter().any(|s| s.score.is_none()) {
            item(&mut out, swatch_circle(SITE_OUT, 3.5), &esc(w.lg_site_out));
        }
        if map.sites.iter().any(|s| s.chosen) {
            let star = format!(
                r##"<svg width="26" height="22" viewBox="0 0 26 22" aria-hidden="true"><path d="{}" fill="{}" stroke="#111" stroke-width="1.2"/></svg>"##,
                star(Coord { x: 13.0, y: 11.5 }, 10.0),
                SITE_BINS[SITE_BINS.len() - 1]
            );
            item(&mut out, star, &esc(w.lg_site_chosen));
        }
        out.push_str("</ul>");
    }
    let _ = write!(out, r#"<p class="note">{}"#, esc(w.map_note));
    if left_off > 0 {
        let _ = write!(
            out,
            r#"<br><span id="labels-left-off">{}{left_off}</span>"#,
            esc(w.labels_left_off)
        );
    }
    out.push_str("</p></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_floor(7300.0), 5000.0);
        assert_eq!(nice_floor(2000.0), 2000.0);
        assert_eq!(nice_floor(1999.0), 1000.0);
        assert_eq!(nice_floor(0.3), 0.2);
        assert_eq!(distance_label(5000.0), "5 km");
        assert_eq!(distance_label(2500.0), "2.5 km");
        assert_eq!(distance_label(500.0), "500 m");
    }

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

    #[test]
    fn y_is_flipped() {
        let frame = Frame::fit(Rect::new(
            Coord { x: 0.0, y: 0.0 },
            Coord {
                x: 1000.0,
                y: 500.0,
            },
        ));
        let north = frame.to_px(Coord { x: 0.0, y: 500.0 });
        let south = frame.to_px(Coord { x: 0.0, y: 0.0 });
        assert!(north.y < south.y);
        assert!((north.y - MARGIN).abs() < 1e-9);
    }
}
