//! SVG path data from geometry: projected to pixels, simplified there with a tolerance of half
//! a pixel (Ramer–Douglas–Peucker) and written rounded to 0.1 px.

use std::collections::BTreeMap;

use geo::{Coord, Geometry, LineString, MapCoords, MultiPolygon, Polygon, Simplify};

use super::frame::Frame;
use crate::report::MapLine;
use crate::report::html::fmt::px;

/// Half a pixel: finer detail than this cannot be seen on screen or paper.
const SIMPLIFY_PX: f64 = 0.5;

/// Path data for geometry already in pixels.
#[derive(Default)]
pub(super) struct PathData {
    /// Closed rings (polygons).
    pub area: String,
    /// Open lines.
    pub line: String,
    /// Points.
    pub points: Vec<Coord<f64>>,
}

impl PathData {
    pub(super) fn add(&mut self, geometry: &Geometry<f64>, frame: &Frame) {
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

    pub(super) fn add_multipolygon(&mut self, mp: &MultiPolygon<f64>, frame: &Frame) {
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

/// Roads or corridors as one path per class and name (a road is often drawn as several
/// features), in class then name order.
pub(super) fn group_lines<'a>(
    lines: &'a [MapLine],
    frame: &Frame,
) -> BTreeMap<(&'a str, &'a str), PathData> {
    let mut by_name: BTreeMap<(&str, &str), PathData> = BTreeMap::new();
    for l in lines {
        by_name
            .entry((l.class.as_str(), l.name.as_str()))
            .or_default()
            .add(&l.geometry, frame);
    }
    by_name
}

/// Features of one layer grouped by class (in class-name order), as path data.
pub(super) fn group<G>(
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

/// A five-pointed star centred on `c`.
pub(super) fn star(c: Coord<f64>, r: f64) -> String {
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
