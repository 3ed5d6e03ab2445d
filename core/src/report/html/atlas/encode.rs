//! Geometry as compact JSON: simplified, quantised to whole metres from the map's origin and
//! delta-encoded, so a province's 60,000 villages fit in a page a browser opens quickly.
//!
//! A ring is one flat array `[x0, y0, dx1, dy1, …]`: its first point in quanta from the
//! origin, then each point as the step from the one before (small numbers, few digits). A
//! ring is written open (its closing point is implied). A polygon is an array of rings
//! (exterior first), a multipolygon an array of polygons, a multi-line an array of lines.
//!
//! Nothing is dropped: a feature whose simplified shape collapses (fewer than three distinct
//! points after rounding) is written unsimplified, and one that still collapses (smaller than
//! the quantum) is written as the points it has, so the map never disagrees with the tables.

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon, Simplify};

/// Ground distance of one unit of the encoded coordinates, in metres.
pub(super) const QUANTUM: f64 = 1.0;
/// The simplification tolerance, in metres: well under a pixel at the closest zoom the map
/// allows, and it removes the densified vertices of straight boundaries.
pub(super) const TOLERANCE: f64 = 2.0;

/// Metres to quanta from the origin (the extent's south-west corner) and back.
#[derive(Debug, Clone, Copy)]
pub(super) struct Grid {
    pub x0: f64,
    pub y0: f64,
}

impl Grid {
    /// A coordinate in whole quanta from the origin.
    pub(super) fn q(self, c: Coord<f64>) -> (i64, i64) {
        (
            ((c.x - self.x0) / QUANTUM).round() as i64,
            ((c.y - self.y0) / QUANTUM).round() as i64,
        )
    }

    /// Quanta back to metres.
    pub(super) fn m(self, p: (i64, i64)) -> Coord<f64> {
        Coord {
            x: self.x0 + p.0 as f64 * QUANTUM,
            y: self.y0 + p.1 as f64 * QUANTUM,
        }
    }
}

/// A ring or line in quanta, with repeated points removed (and, for a ring, its closing point).
pub(super) type Path = Vec<(i64, i64)>;

fn quantise(line: &LineString<f64>, grid: Grid, ring: bool) -> Path {
    let mut out: Path = Vec::with_capacity(line.0.len());
    for c in &line.0 {
        if !(c.x.is_finite() && c.y.is_finite()) {
            continue;
        }
        let p = grid.q(*c);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    if ring && out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// A polygon's rings in quanta: simplified when the shape survives it, else as given. A hole
/// that collapses is left out (it has no area at this precision); the exterior never is.
pub(super) fn polygon(p: &Polygon<f64>, grid: Grid) -> Vec<Path> {
    let simple = p.simplify(TOLERANCE);
    let ring = |simplified: &LineString<f64>, original: &LineString<f64>| {
        let r = quantise(simplified, grid, true);
        if r.len() >= 3 {
            r
        } else {
            quantise(original, grid, true)
        }
    };
    let mut rings = vec![ring(simple.exterior(), p.exterior())];
    for (s, o) in simple.interiors().iter().zip(p.interiors()) {
        let r = ring(s, o);
        if r.len() >= 3 {
            rings.push(r);
        }
    }
    rings
}

/// A multipolygon's polygons in quanta.
pub(super) fn multipolygon(mp: &MultiPolygon<f64>, grid: Grid) -> Vec<Vec<Path>> {
    mp.0.iter().map(|p| polygon(p, grid)).collect()
}

/// A road's or corridor's geometry in quanta: its lines, and its polygons when the layer
/// draws it as an area.
pub(super) fn lines_and_areas(g: &Geometry<f64>, grid: Grid) -> (Vec<Path>, Vec<Vec<Path>>) {
    let mut lines = Vec::new();
    let mut areas = Vec::new();
    collect(g, grid, &mut lines, &mut areas);
    (lines, areas)
}

fn collect(g: &Geometry<f64>, grid: Grid, lines: &mut Vec<Path>, areas: &mut Vec<Vec<Path>>) {
    let line = |l: &LineString<f64>| quantise(&l.simplify(TOLERANCE), grid, false);
    match g {
        Geometry::LineString(l) => lines.push(line(l)),
        Geometry::MultiLineString(ml) => lines.extend(ml.0.iter().map(line)),
        Geometry::Line(l) => lines.push(line(&LineString::from(vec![l.start, l.end]))),
        Geometry::Polygon(p) => areas.push(polygon(p, grid)),
        Geometry::MultiPolygon(mp) => areas.extend(multipolygon(mp, grid)),
        Geometry::Rect(r) => areas.push(polygon(&r.to_polygon(), grid)),
        Geometry::Triangle(t) => areas.push(polygon(&t.to_polygon(), grid)),
        Geometry::GeometryCollection(gc) => {
            for g in &gc.0 {
                collect(g, grid, lines, areas);
            }
        }
        Geometry::Point(_) | Geometry::MultiPoint(_) => {}
    }
}

/// A polygon in quanta back to metres: the shape the page draws, which anchors are placed in.
pub(super) fn to_polygon(rings: &[Path], grid: Grid) -> Polygon<f64> {
    let ring = |r: &Path| LineString::from(r.iter().map(|&p| grid.m(p)).collect::<Vec<_>>());
    let mut it = rings.iter();
    let exterior = it
        .next()
        .map(ring)
        .unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(exterior, it.map(ring).collect())
}

/// The first point of a feature's first ring, which its anchor is written from.
pub(super) fn first_point(polygons: &[Vec<Path>]) -> Option<(i64, i64)> {
    polygons.first()?.first()?.first().copied()
}

/// The digits of a path's text: the base64 alphabet, each digit 5 bits of a value and a
/// "more follows" bit (32), least significant first.
pub(super) const DIGITS: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Writes one path `x0, y0, dx1, dy1, …` as a JSON string of variable-length digits
/// ([`DIGITS`], each value zigzagged so that small negatives stay short).
///
/// Why text, not a JSON array of numbers: a province's page parsed hundreds of thousands of
/// number arrays that the script only turns into typed arrays and drops, a peak of some
/// 200 MB in the browser; one short string per ring is a fraction of that, and a 2 m-simplified
/// village's deltas are one or two digits each instead of four or five characters.
pub(super) fn write_path(out: &mut String, path: &Path) {
    out.push('"');
    let mut prev = (0i64, 0i64);
    for &(x, y) in path {
        push_value(out, x - prev.0);
        push_value(out, y - prev.1);
        prev = (x, y);
    }
    out.push('"');
}

fn push_value(out: &mut String, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    loop {
        let digit = (z & 31) as usize;
        z >>= 5;
        if z == 0 {
            out.push(DIGITS[digit] as char);
            return;
        }
        out.push(DIGITS[digit | 32] as char);
    }
}

/// Writes paths as `[path,…]`.
pub(super) fn write_paths(out: &mut String, paths: &[Path]) {
    out.push('[');
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_path(out, p);
    }
    out.push(']');
}

/// Writes polygons as `[[ring,…],…]`.
pub(super) fn write_polygons(out: &mut String, polygons: &[Vec<Path>]) {
    out.push('[');
    for (i, p) in polygons.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_paths(out, p);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_round_trip() {
        let grid = Grid {
            x0: 100.0,
            y0: 200.0,
        };
        let p = Polygon::new(
            LineString::from(vec![
                (100.0, 200.0),
                (110.4, 200.0),
                (110.4, 220.6),
                (100.0, 200.0),
            ]),
            vec![],
        );
        let rings = polygon(&p, grid);
        assert_eq!(rings, vec![vec![(0, 0), (10, 0), (10, 21)]]);
        let mut out = String::new();
        write_paths(&mut out, &rings);
        // 0 → A; 10 → zigzag 20 → U; 21 → zigzag 42 = 10 + 32·1 → q (10|32), B (1).
        assert_eq!(out, "[\"AAUAAqB\"]");
    }

    #[test]
    fn a_tiny_polygon_is_kept() {
        let grid = Grid { x0: 0.0, y0: 0.0 };
        let p = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (0.2, 0.0), (0.2, 0.2), (0.0, 0.0)]),
            vec![],
        );
        let rings = polygon(&p, grid);
        assert_eq!(rings.len(), 1);
        assert!(!rings[0].is_empty());
    }
}
