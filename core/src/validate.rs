//! Checks that a geometry can be computed with, and says what is wrong when it cannot.
//!
//! Two levels: [`check_structure`] (closed rings, enough positions, coordinates in range) is
//! cheap and runs on every feature read; [`check_simple`] (no ring crosses itself or another)
//! costs more and runs on every polygon that enters an area or overlay computation.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Geometry, Line, LineString, Polygon};

use crate::crs::Crs;

/// Checks rings are closed and long enough, lines have two positions, and lon/lat are in range.
pub fn check_structure(geometry: &Geometry<f64>, crs: Crs) -> Result<(), String> {
    let geographic = crs.is_geographic();
    let in_range = |c: &Coord<f64>| -> Result<(), String> {
        if !geographic {
            return match crs.projected_range_problem(*c) {
                None => Ok(()),
                Some(problem) => Err(format!(
                    "{problem}; if the data is longitude/latitude, read it as EPSG:4326 \
                     (--input-crs, or [crs] input in the plan, or the file's \"crs\" member)"
                )),
            };
        }
        if c.x.abs() <= 180.0 && c.y.abs() <= 90.0 {
            return Ok(());
        }
        let hint = if !c.x.is_finite() || !c.y.is_finite() {
            String::new()
        } else if c.x.abs() <= 90.0 && c.y.abs() <= 180.0 {
            "; longitude and latitude look swapped: GeoJSON positions are [longitude, latitude]"
                .to_owned()
        } else {
            match Crs::guess_projected(c.x, c.y) {
                Some(guess) => format!("; the data looks projected: try --input-crs {guess}"),
                None => "; if the data is projected, name its CRS with --input-crs".to_owned(),
            }
        };
        Err(format!(
            "coordinate ({}, {}) is out of longitude/latitude range for {crs}{hint}",
            number(c.x),
            number(c.y)
        ))
    };
    let check_line = |l: &LineString<f64>, what: &str| -> Result<(), String> {
        if l.0.len() < 2 {
            return Err(format!(
                "{what} has {} position(s), needs at least 2",
                l.0.len()
            ));
        }
        l.0.iter().try_for_each(in_range)
    };
    let check_polygon = |p: &Polygon<f64>| -> Result<(), String> {
        for (i, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            check_ring(ring, i)?;
            ring.0.iter().try_for_each(in_range)?;
        }
        Ok(())
    };
    match geometry {
        Geometry::Point(p) => in_range(&p.0),
        Geometry::MultiPoint(mp) => mp.0.iter().try_for_each(|p| in_range(&p.0)),
        Geometry::LineString(l) => check_line(l, "the line"),
        Geometry::MultiLineString(ml) => ml.0.iter().try_for_each(|l| check_line(l, "a line")),
        Geometry::Polygon(p) => check_polygon(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().try_for_each(check_polygon),
        Geometry::GeometryCollection(gc) => gc.0.iter().try_for_each(|g| check_structure(g, crs)),
        other => Err(format!("unsupported geometry {other:?}")),
    }
}

/// A coordinate for a message: as written, but 1e308 rather than its 309 digits.
pub(crate) fn number(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Checks that ring number `i` of a polygon is closed and has at least 4 positions.
pub(crate) fn check_ring(ring: &LineString<f64>, i: usize) -> Result<(), String> {
    let n = ring.0.len();
    if n < 4 {
        return Err(format!(
            "ring {i} has {n} position(s), a closed ring needs at least 4"
        ));
    }
    let (first, last) = (ring.0[0], ring.0[n - 1]);
    if first != last {
        return Err(format!(
            "ring {i} is not closed: it starts at ({}, {}) and ends at ({}, {})",
            first.x, first.y, last.x, last.y
        ));
    }
    Ok(())
}

/// Checks that no ring of the polygon crosses itself or another ring.
///
/// Segments are swept in order of their smallest x, so only segments whose x-ranges overlap
/// are compared: near-linear for the rings planners draw, however large.
///
/// # Examples
///
/// ```
/// use geo::polygon;
/// use hecun::check_simple;
///
/// let square = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)];
/// assert!(check_simple(&square).is_ok());
/// let bow_tie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
/// assert!(check_simple(&bow_tie).unwrap_err().contains("crosses itself"));
/// ```
pub fn check_simple(polygon: &Polygon<f64>) -> Result<(), String> {
    struct Seg {
        line: Line<f64>,
        ring: usize,
        /// Position in the ring, counting only segments of non-zero length.
        pos: usize,
        min_x: f64,
        max_x: f64,
    }
    let mut ring_len = Vec::new();
    let mut segs = Vec::new();
    for (ri, r) in std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .enumerate()
    {
        let lines: Vec<Line<f64>> = r.lines().filter(|l| l.start != l.end).collect();
        if lines.len() < 3 {
            return Err(format!("ring {ri} has fewer than 3 distinct vertices"));
        }
        let n = lines.len();
        for (i, l) in lines.iter().enumerate() {
            // Consecutive segments share a vertex; they are wrong only if they fold back.
            if folds_back(*l, lines[(i + 1) % n]) {
                return Err(format!(
                    "ring {ri} crosses itself near ({}, {}) (it folds back on itself)",
                    l.end.x, l.end.y
                ));
            }
        }
        ring_len.push(n);
        segs.extend(lines.into_iter().enumerate().map(|(pos, line)| Seg {
            line,
            ring: ri,
            pos,
            min_x: line.start.x.min(line.end.x),
            max_x: line.start.x.max(line.end.x),
        }));
    }
    segs.sort_by(|a, b| a.min_x.total_cmp(&b.min_x));
    for (k, a) in segs.iter().enumerate() {
        for b in segs[k + 1..].iter().take_while(|b| b.min_x <= a.max_x) {
            if a.ring == b.ring {
                let n = ring_len[a.ring];
                let gap = a.pos.abs_diff(b.pos);
                if gap == 1 || gap == n - 1 {
                    continue; // neighbours: checked above
                }
                if crate::relate::segments_touch(a.line.start, a.line.end, b.line.start, b.line.end)
                {
                    let at = line_intersection(a.line, b.line)
                        .map_or(a.line.start, |hit| point_of(&hit));
                    return Err(format!(
                        "ring {} crosses itself near ({}, {}) (segments {} and {})",
                        a.ring,
                        at.x,
                        at.y,
                        a.pos.min(b.pos),
                        a.pos.max(b.pos)
                    ));
                }
            } else if let Some(hit) = line_intersection(a.line, b.line) {
                // Rings may touch at a point (valid in OGC terms) but not cross.
                if !matches!(
                    hit,
                    LineIntersection::SinglePoint {
                        is_proper: false,
                        ..
                    }
                ) {
                    let at = point_of(&hit);
                    return Err(format!(
                        "rings {} and {} cross near ({}, {})",
                        a.ring.min(b.ring),
                        a.ring.max(b.ring),
                        at.x,
                        at.y
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether segment `b`, which starts where `a` ends, runs back along `a`.
fn folds_back(a: Line<f64>, b: Line<f64>) -> bool {
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    if RobustKernel::orient2d(a.start, a.end, b.end) != Orientation::Collinear {
        return false;
    }
    let (u, v) = (a.start - a.end, b.end - b.start);
    u.x * v.x + u.y * v.y > 0.0
}

fn point_of(hit: &LineIntersection<f64>) -> Coord<f64> {
    match hit {
        LineIntersection::SinglePoint { intersection, .. } => *intersection,
        LineIntersection::Collinear { intersection } => intersection.start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, polygon};

    #[test]
    fn structure_problems_are_named() {
        let open = LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 1.)]);
        assert!(check_ring(&open, 0).unwrap_err().contains("not closed"));
        let projected = Geometry::Point(geo::Point::new(465_000.0, 3_850_000.0));
        let msg = check_structure(&projected, Crs::WGS84).unwrap_err();
        assert!(msg.contains("--input-crs") && msg.contains("4547"), "{msg}");
        assert!(check_structure(&projected, "EPSG:4547".parse().unwrap()).is_ok());
    }

    #[test]
    fn spikes_and_crossing_holes_are_invalid() {
        let spike = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 3., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.)];
        assert!(check_simple(&spike).is_err());
        let crossing_hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 5., y: 1.), (x: 5., y: 2.), (x: 1., y: 2.)]],
        );
        assert!(check_simple(&crossing_hole).unwrap_err().contains("cross"));
        let hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 2.)]],
        );
        assert!(check_simple(&hole).is_ok());
    }

    #[test]
    fn repeated_points_are_tolerated() {
        let p = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)];
        assert!(check_simple(&p).is_ok());
    }
}
