//! How a village polygon lies against a zone polygon, and the area they share.
//!
//! `geo`'s generic polygon `Intersects` costs ~80 µs a pair; these tests use the fact that
//! both sides are small, valid polygons: an edge crossing, else one vertex inside the other.

use geo::bool_ops::{FillRule, OpType};
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Rect};

use crate::geometry::edge_tree::Shape;

/// Where a polygon lies relative to a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// No point in common.
    Disjoint,
    /// Some points in common; the polygon is not entirely inside.
    Overlaps,
    /// The polygon is entirely inside the zone.
    Within,
}

/// How `polygon` lies against `zone` (both valid; holes allowed).
///
/// # Examples
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use hecun::internals::{relate, Relation};
///
/// let zone = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]]);
/// let inside = MultiPolygon(vec![polygon![(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.)]]);
/// let across = MultiPolygon(vec![polygon![(x: 9., y: 1.), (x: 12., y: 1.), (x: 12., y: 2.)]]);
/// let away = MultiPolygon(vec![polygon![(x: 20., y: 1.), (x: 22., y: 1.), (x: 22., y: 2.)]]);
/// assert_eq!(relate(&inside, &zone), Relation::Within);
/// assert_eq!(relate(&across, &zone), Relation::Overlaps);
/// assert_eq!(relate(&away, &zone), Relation::Disjoint);
/// ```
pub fn relate(polygon: &MultiPolygon<f64>, zone: &MultiPolygon<f64>) -> Relation {
    let (Some(pb), Some(zb)) = (bbox(polygon), bbox(zone)) else {
        return Relation::Disjoint;
    };
    relate_boxed(polygon, pb, Shape::plain(zone), zb)
}

/// [`relate`] with both bounding boxes already known.
pub(crate) fn relate_boxed(
    polygon: &MultiPolygon<f64>,
    pb: Rect<f64>,
    zone: Shape<'_>,
    zb: Rect<f64>,
) -> Relation {
    if !rects_touch(&pb, &zb) {
        return Relation::Disjoint;
    }
    if edges_touch(polygon, zone, &pb) {
        return Relation::Overlaps;
    }
    // No edges meet: each ring is entirely inside or outside the other polygon.
    let zone_vertex_inside = rings(zone.polygon)
        .filter(|r| rect_contains(&pb, r.0[0]))
        .any(|r| polygon.coordinate_position(&r.0[0]) == CoordPos::Inside);
    let polygon_inside =
        rings(polygon).next().map(|r| zone.position(r.0[0])) == Some(CoordPos::Inside);
    match (polygon_inside, zone_vertex_inside) {
        (true, false) => Relation::Within,
        (false, false) => Relation::Disjoint,
        _ => Relation::Overlaps,
    }
}

/// The area of `polygon` inside the union of `zones` (zones may overlap; none is counted twice).
///
/// Rings are expected as `geo`'s `Orient` default has them (exteriors counter-clockwise).
/// The area comes from the boundaries where they cross cleanly (see `boundary_area.rs`);
/// where they touch, from a non-zero-winding overlay in which zones are first clipped to the
/// polygon's bounding box, so that a long corridor costs no more than its part near the polygon.
pub fn area_inside(polygon: &MultiPolygon<f64>, zones: &[&MultiPolygon<f64>]) -> f64 {
    let shapes: Vec<Shape<'_>> = zones.iter().map(|z| Shape::plain(z)).collect();
    area_inside_shapes(polygon, &shapes)
}

/// [`area_inside`] with zones that may carry an edge tree.
pub(crate) fn area_inside_shapes(polygon: &MultiPolygon<f64>, zones: &[Shape<'_>]) -> f64 {
    if let Some(area) = crate::geometry::boundary_area::area_by_boundary(polygon, zones) {
        return area;
    }
    let Some(window) = bbox(polygon) else {
        return 0.0;
    };
    // A margin keeps the clip window's edges off the polygon's own edges.
    let margin = 1e-6 * (window.width() + window.height()).max(1.0);
    let window = super::rect_grown(window, margin, margin);
    let clipped: Vec<Polygon<f64>> = zones
        .iter()
        .flat_map(|z| z.polygon.0.iter())
        .filter_map(|p| crate::geometry::clip::clip_polygon(p, &window))
        .collect();
    if clipped.is_empty() {
        return 0.0;
    }
    // Non-zero winding unions overlapping zones inside the one overlay.
    polygon
        .boolean_op_with_fill_rule(
            &MultiPolygon(clipped),
            OpType::Intersection,
            FillRule::NonZero,
        )
        .unsigned_area()
}

fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .filter(|r| !r.0.is_empty())
}

fn bbox(mp: &MultiPolygon<f64>) -> Option<Rect<f64>> {
    geo::BoundingRect::bounding_rect(mp)
}

fn rects_touch(a: &Rect<f64>, b: &Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

fn rect_contains(r: &Rect<f64>, c: Coord<f64>) -> bool {
    r.min().x <= c.x && c.x <= r.max().x && r.min().y <= c.y && c.y <= r.max().y
}

/// Whether any edge of `a` meets any edge of `b`; `a_box` is `a`'s bounding box.
fn edges_touch(a: &MultiPolygon<f64>, b: Shape<'_>, a_box: &Rect<f64>) -> bool {
    // Only b's edges that reach a's box can meet a's edges.
    let mut near: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    b.for_each_ring_near(*a_box, |pieces| {
        let edges = pieces.iter().flat_map(|piece| piece.windows(2));
        near.extend(
            edges
                .map(|w| (w[0], w[1]))
                .filter(|(p, q)| rects_touch(a_box, &Rect::new(*p, *q))),
        );
    });
    if near.is_empty() {
        return false;
    }
    rings(a).flat_map(|r| r.0.windows(2)).any(|w| {
        let ab = Rect::new(w[0], w[1]);
        near.iter().any(|(p, q)| {
            rects_touch(&ab, &Rect::new(*p, *q))
                && crate::geometry::segments::segments_touch(w[0], w[1], *p, *q)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Intersects, polygon};

    fn square(x: f64, y: f64, s: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)],
        ])
    }

    #[test]
    fn touching_counts_as_intersecting() {
        assert_eq!(
            relate(&square(0., 0., 1.), &square(1., 0., 1.)),
            Relation::Overlaps
        );
        assert_eq!(
            relate(&square(0., 0., 1.), &square(1., 1., 1.)),
            Relation::Overlaps
        );
        assert_eq!(
            relate(&square(0., 0., 1.), &square(1.000001, 0., 1.)),
            Relation::Disjoint
        );
    }

    #[test]
    fn zone_with_a_hole_around_the_polygon() {
        let ring = MultiPolygon(vec![polygon!(
            exterior: [(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
            interiors: [[(x: 2., y: 2.), (x: 8., y: 2.), (x: 8., y: 8.), (x: 2., y: 8.)]],
        )]);
        assert_eq!(relate(&square(3., 3., 1.), &ring), Relation::Disjoint);
        assert_eq!(relate(&square(1., 1., 8.5), &ring), Relation::Overlaps);
        assert_eq!(relate(&square(0.5, 0.5, 9.0), &ring), Relation::Overlaps);
        assert_eq!(relate(&square(0.5, 0.5, 1.0), &ring), Relation::Within);
    }

    #[test]
    fn area_inside_counts_overlaps_once() {
        let v = square(0., 0., 10.);
        let a = square(-5., -5., 10.);
        let b = square(0., 0., 5.);
        let area = area_inside(&v, &[&a, &b]);
        assert!((area - 25.0).abs() < 1e-9, "{area}");
        let c = square(5., 5., 10.);
        let area = area_inside(&v, &[&a, &b, &c]);
        assert!((area - 50.0).abs() < 1e-9, "{area}");
    }

    #[test]
    fn relate_agrees_with_geo_on_a_grid_of_cases() {
        let zone = MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 1.), (x: 1., y: 1.), (x: 1., y: 4.), (x: 0., y: 4.)],
        ]);
        // The same zone with a vertex every 0.03 and its edges in a tree.
        let dense = geo::Densify::densify(&geo::Euclidean, &zone, 0.03);
        let tree = crate::geometry::edge_tree::EdgeTree::new(&dense);
        for i in -4..12 {
            for j in -4..12 {
                let v = square(f64::from(i) * 0.5, f64::from(j) * 0.5, 0.5);
                let ours = relate(&v, &zone) != Relation::Disjoint;
                assert_eq!(ours, v.intersects(&zone), "square at {i},{j}");
                let indexed = Shape {
                    polygon: &dense,
                    edges: Some(&tree),
                };
                let vb = bbox(&v).unwrap();
                assert_eq!(
                    relate_boxed(&v, vb, indexed, bbox(&dense).unwrap()),
                    relate(&v, &dense),
                    "square at {i},{j}, the zone's edges in a tree"
                );
            }
        }
    }
}
