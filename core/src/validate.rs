//! Checks that a geometry can be computed with, and says what is wrong when it cannot.
//!
//! Two levels: [`check_structure`] (closed rings, enough positions, coordinates in range) is
//! cheap and runs on every feature read; [`check_simple`] (no ring crosses itself or another)
//! costs more and runs on every polygon that enters an area or overlay computation.

use geo::{Coord, Geometry, Line, LineString, Polygon, Validation};
use geo::line_intersection::{LineIntersection, line_intersection};

use crate::crs::Crs;

/// Checks rings are closed and long enough, lines have two positions, and lon/lat are in range.
pub fn check_structure(geometry: &Geometry<f64>, crs: Crs) -> Result<(), String> {
    let geographic = crs.is_geographic();
    let in_range = |c: &Coord<f64>| -> Result<(), String> {
        if !geographic || (c.x.abs() <= 180.0 && c.y.abs() <= 90.0) {
            return Ok(());
        }
        let hint = match Crs::guess_projected(c.x, c.y) {
            Some(guess) => format!("; the data looks projected: try --input-crs {guess}"),
            None => "; if the data is projected, name its CRS with --input-crs".to_owned(),
        };
        Err(format!(
            "coordinate ({}, {}) is out of longitude/latitude range for {crs}{hint}",
            c.x, c.y
        ))
    };
    let check_line = |l: &LineString<f64>, what: &str| -> Result<(), String> {
        if l.0.len() < 2 {
            return Err(format!("{what} has {} position(s), needs at least 2", l.0.len()));
        }
        l.0.iter().try_for_each(in_range)
    };
    let check_polygon = |p: &Polygon<f64>| -> Result<(), String> {
        for (i, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
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

/// Checks that ring number `i` of a polygon is closed and has at least 4 positions.
pub(crate) fn check_ring(ring: &LineString<f64>, i: usize) -> Result<(), String> {
    let n = ring.0.len();
    if n < 4 {
        return Err(format!("ring {i} has {n} position(s), a closed ring needs at least 4"));
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

/// Polygons up to this many segments are checked pair by pair; larger ones by `geo`'s
/// validation, whose set-up cost only pays off for large rings.
const BRUTE_FORCE_SEGMENTS: usize = 160;

/// Checks that no ring of the polygon crosses itself or another ring.
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
    let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .collect();
    let segments: usize = rings.iter().map(|r| r.0.len().saturating_sub(1)).sum();
    if segments > BRUTE_FORCE_SEGMENTS {
        return polygon.check_validation().map_err(|e| e.to_string());
    }
    let lines: Vec<Vec<Line<f64>>> = rings
        .iter()
        .map(|r| r.lines().filter(|l| l.start != l.end).collect())
        .collect();
    for (ri, a) in lines.iter().enumerate() {
        if a.len() < 3 {
            return Err(format!("ring {ri} has fewer than 3 distinct vertices"));
        }
        for i in 0..a.len() {
            for j in i + 1..a.len() {
                let adjacent = j == i + 1 || (i == 0 && j == a.len() - 1);
                match line_intersection(a[i], a[j]) {
                    None => {}
                    Some(LineIntersection::SinglePoint { .. }) if adjacent => {}
                    Some(hit) => {
                        return Err(format!(
                            "ring {ri} crosses itself near ({}, {}) (segments {i} and {j})",
                            point_of(&hit).x,
                            point_of(&hit).y
                        ));
                    }
                }
            }
        }
        for (rj, b) in lines.iter().enumerate().skip(ri + 1) {
            for la in a {
                for lb in b {
                    if let Some(hit) = line_intersection(*la, *lb) {
                        let touch = matches!(hit, LineIntersection::SinglePoint { is_proper: false, .. });
                        // Rings may touch at a point (valid in OGC terms) but not cross.
                        if !touch {
                            return Err(format!(
                                "rings {ri} and {rj} cross near ({}, {})",
                                point_of(&hit).x,
                                point_of(&hit).y
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
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
