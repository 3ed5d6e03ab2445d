//! Buffers as GEOS draws them: the zone of a line or polygon at a distance.

use std::f64::consts::FRAC_PI_2;

use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
use geo::orient::{Direction, Orient};
use geo::{Geometry, LineString, MultiLineString, MultiPolygon};

use super::polygons;

/// The buffer of a geometry, drawn as GEOS draws it with `quad_segs` segments per quarter.
pub fn buffer(
    geometry: &Geometry<f64>,
    distance: f64,
    quad_segs: u32,
) -> Result<MultiPolygon<f64>, String> {
    let polygonal = matches!(geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_));
    if polygonal && distance == 0.0 {
        return Ok(polygons(geometry).orient(Direction::Default));
    }
    if distance <= 0.0 {
        return Err("a line needs a zone width above 0".to_owned());
    }
    // Drawn from the line as given (to within a hair) where that is cheap: the direct outline,
    // or the general union for a line of ordinary size. Only a large line whose outline cannot
    // be drawn directly (a densely surveyed one, zigzagging at the precision of its
    // coordinates) is thinned to `THIN` of the distance first.
    let fine = thin_lines(geometry, distance * HAIR);
    let mut geometry = fine.as_ref().unwrap_or(geometry);
    if let Some(zone) = direct_stroke(geometry, distance, quad_segs) {
        return Ok(zone);
    }
    let coarse;
    if geo::CoordsIter::coords_count(geometry) > LARGE {
        coarse = thin_lines(geometry, distance * THIN);
        geometry = coarse.as_ref().unwrap_or(geometry);
        if let Some(zone) = direct_stroke(geometry, distance, quad_segs) {
            return Ok(zone);
        }
    }
    let angle = FRAC_PI_2 / f64::from(quad_segs);
    let style = BufferStyle::new(distance)
        .line_join(LineJoin::Round(angle))
        .line_cap(LineCap::Round(angle));
    // i_overlay already draws exteriors counter-clockwise and holes clockwise.
    let mut zone = geometry.buffer_with_style(style);
    // Its rings carry spare capacity: at national scale, hundreds of megabytes.
    for p in &mut zone.0 {
        p.exterior_mut(|r| r.0.shrink_to_fit());
        p.interiors_mut(|rs| rs.iter_mut().for_each(|r| r.0.shrink_to_fit()));
    }
    zone.0.shrink_to_fit();
    if zone.0.is_empty() {
        return Err("buffering gave an empty zone (is the line of zero length?)".to_owned());
    }
    Ok(zone)
}

/// Every line is drawn from a copy within this share of the buffer distance (0.1 mm at 100 m):
/// it drops the vertices a densified straight or gently curved stretch adds, and no other.
pub const HAIR: f64 = 1e-6;

/// A line of more vertices than this whose outline cannot be drawn directly is drawn from a
/// copy within [`THIN`] of the distance instead of by the general union, whose cost grows
/// with the number of arcs and cuts (142 s and 12 GB for a million-vertex road).
pub const LARGE: usize = 10_000;

/// The share of the buffer distance a large line may be thinned by (1 cm at 10 m, 10 cm at
/// 100 m; GEOS allows 1/100): below survey precision at the widths plans use.
pub const THIN: f64 = 1e-3;

/// The lines of `geometry` thinned to within `tolerance` (see `stroke::thin`); `None` when
/// it is not made of lines or nothing was dropped.
fn thin_lines(geometry: &Geometry<f64>, tolerance: f64) -> Option<Geometry<f64>> {
    let thin = |l: &LineString<f64>| LineString(crate::geometry::stroke::thin(&l.0, tolerance));
    let thinned = match geometry {
        Geometry::LineString(l) => Geometry::LineString(thin(l)),
        Geometry::MultiLineString(ml) => {
            Geometry::MultiLineString(MultiLineString(ml.0.iter().map(thin).collect()))
        }
        _ => return None,
    };
    (geo::CoordsIter::coords_count(&thinned) < geo::CoordsIter::coords_count(geometry))
        .then_some(thinned)
}

/// A single line's zone drawn directly (see `stroke.rs`), when that applies.
fn direct_stroke(
    geometry: &Geometry<f64>,
    distance: f64,
    quad_segs: u32,
) -> Option<MultiPolygon<f64>> {
    match geometry {
        Geometry::LineString(l) => crate::geometry::stroke::stroke(&l.0, distance, quad_segs)
            .map(|p| MultiPolygon(vec![p])),
        Geometry::MultiLineString(ml) if ml.0.len() == 1 => {
            crate::geometry::stroke::stroke(&ml.0[0].0, distance, quad_segs)
                .map(|p| MultiPolygon(vec![p]))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, LineString, wkt};

    #[test]
    fn line_buffer_area_matches_the_capsule() {
        let line = Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1000.0, 0.0)]));
        let zone = buffer(&line, 50.0, 8).unwrap();
        // Rectangle plus a circle drawn with 32 segments (GEOS: 2*100*1000 + 32 triangles).
        let circle = 0.5 * 32.0 * 50.0f64.powi(2) * (2.0 * std::f64::consts::PI / 32.0).sin();
        let expected = 100.0 * 1000.0 + circle;
        let got = zone.unsigned_area();
        // The overlay that computes shares relies on this orientation.
        assert!(geo::winding_order::Winding::is_ccw(zone.0[0].exterior()));
        assert!(
            (got - expected).abs() / expected < 2e-3,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn zero_width_keeps_polygons_and_refuses_lines() {
        let square = Geometry::Polygon(wkt!(POLYGON((0. 0., 0. 1., 1. 1., 1. 0., 0. 0.))));
        let zone = buffer(&square, 0.0, 8).unwrap();
        assert_eq!(zone.unsigned_area(), 1.0);
        let line = Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1.0, 0.0)]));
        assert!(buffer(&line, 0.0, 8).is_err());
    }
}
