//! Where a feature's name goes: one point per township and village that lies inside the shape
//! the page draws, and how much room there is around it.
//!
//! The point is the pole of inaccessibility of the feature's largest polygon (the interior
//! point farthest from its edges, `polylabel`), not its centroid: the centroid of a U- or
//! L-shaped township lies outside it, and that is how 50 of a province's 63 township labels
//! ended up in a neighbour. The distance from that point to the nearest edge (`room`) is what
//! the page's script compares the label's size with, so a drawn label stays inside its feature.

use geo::{Area, Contains, Distance, Euclidean, InteriorPoint, Point, Polygon};

use super::encode::{Grid, Path, QUANTUM, to_polygon};

/// A label anchor in quanta, and the room around it in metres (0 when there is none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Anchor {
    pub at: (i64, i64),
    pub room: f64,
}

/// The anchor of the feature drawn as `polygons` (quanta): inside its largest polygon, checked
/// with `Contains` after rounding to the quantum; the polygon's interior point when the pole
/// cannot be found or rounds outside; `None` for a feature with no area at all.
pub(super) fn anchor(polygons: &[Vec<Path>], grid: Grid) -> Option<Anchor> {
    let shapes: Vec<Polygon<f64>> = polygons.iter().map(|p| to_polygon(p, grid)).collect();
    let largest = shapes
        .iter()
        .filter(|p| p.exterior().0.len() >= 3)
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let mut closed = largest.clone();
    closed.exterior_mut(|r| r.close());
    closed.interiors_mut(|rs| rs.iter_mut().for_each(|r| r.close()));
    let area = closed.unsigned_area();
    if area <= 0.0 {
        return None;
    }
    // A hundredth of the shape's size: finer buys nothing a label can show.
    let tolerance = (area.sqrt() / 100.0).max(QUANTUM / 4.0);
    let mut candidates: Vec<Point<f64>> = Vec::with_capacity(6);
    if let Ok(pole) = polylabel::polylabel(&closed, &tolerance) {
        candidates.push(pole);
    }
    if let Some(p) = closed.interior_point() {
        candidates.push(p);
    }
    for c in candidates {
        // Rounded to the quantum, the point may cross a thin part's edge: try the grid points
        // around it, nearest first.
        let fx = ((c.x() - grid.x0) / QUANTUM).floor() as i64;
        let fy = ((c.y() - grid.y0) / QUANTUM).floor() as i64;
        let mut around = [(fx, fy), (fx + 1, fy), (fx, fy + 1), (fx + 1, fy + 1)];
        around.sort_by(|a, b| {
            let d = |p: &(i64, i64)| Euclidean.distance(Point::from(grid.m(*p)), c);
            d(a).total_cmp(&d(b)).then(a.cmp(b))
        });
        for at in around {
            let p = Point::from(grid.m(at));
            if closed.contains(&p) {
                return Some(Anchor {
                    at,
                    room: room(&closed, p),
                });
            }
        }
    }
    None
}

/// The distance from `p` to the nearest edge of `polygon` (its exterior or a hole).
fn room(polygon: &Polygon<f64>, p: Point<f64>) -> f64 {
    std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .map(|r| Euclidean.distance(&p, r))
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use geo::{Centroid, LineString};

    use super::*;
    use crate::report::html::atlas::encode::polygon;

    #[test]
    fn a_u_shape_is_labelled_inside_though_its_centroid_is_not() {
        // A U: 3 km wide, 3 km tall, the notch 1 km wide and 2.5 km deep.
        let u = Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (3000.0, 0.0),
                (3000.0, 3000.0),
                (2000.0, 3000.0),
                (2000.0, 500.0),
                (1000.0, 500.0),
                (1000.0, 3000.0),
                (0.0, 3000.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        let centroid = u.centroid().expect("has area");
        assert!(!u.contains(&centroid), "the test needs a centroid outside");
        let grid = Grid { x0: 0.0, y0: 0.0 };
        let a = anchor(&[polygon(&u, grid)], grid).expect("has area");
        assert!(u.contains(&Point::from(grid.m(a.at))));
        // The arms are 1 km wide: the pole is about 500 m from the nearest edge.
        assert!(a.room > 400.0 && a.room <= 500.0 + 1.0, "{}", a.room);
    }
}
