//! Clipping a polygon to a rectangle (Sutherland–Hodgman, ring by ring).

use geo::{Coord, LineString, Polygon, Rect};

/// The part of `polygon` inside `window`, or `None` if nothing is left.
///
/// Rings of a non-convex polygon may come back with zero-width bridges along the window's
/// edges; they enclose no area, and the non-zero overlay that follows ignores them.
pub fn clip_polygon(polygon: &Polygon<f64>, window: &Rect<f64>) -> Option<Polygon<f64>> {
    let exterior = clip_ring(polygon.exterior(), window)?;
    let interiors = polygon
        .interiors()
        .iter()
        .filter_map(|r| clip_ring(r, window))
        .collect();
    Some(Polygon::new(exterior, interiors))
}

fn clip_ring(ring: &LineString<f64>, w: &Rect<f64>) -> Option<LineString<f64>> {
    let (min, max) = (w.min(), w.max());
    let mut pts: Vec<Coord<f64>> = ring.0.clone();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    // Left, right, bottom, top: keep the inside of each edge of the window in turn.
    for edge in 0..4 {
        if pts.is_empty() {
            return None;
        }
        let inside = |c: Coord<f64>| match edge {
            0 => c.x >= min.x,
            1 => c.x <= max.x,
            2 => c.y >= min.y,
            _ => c.y <= max.y,
        };
        let cross = |a: Coord<f64>, b: Coord<f64>| match edge {
            0 => at_x(a, b, min.x),
            1 => at_x(a, b, max.x),
            2 => at_y(a, b, min.y),
            _ => at_y(a, b, max.y),
        };
        let mut out = Vec::with_capacity(pts.len() + 4);
        let mut prev = *pts.last()?;
        for &cur in &pts {
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cross(prev, cur)),
                (false, true) => {
                    out.push(cross(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
            prev = cur;
        }
        pts = out;
    }
    if pts.len() < 3 {
        return None;
    }
    pts.push(pts[0]);
    Some(LineString(pts))
}

fn at_x(a: Coord<f64>, b: Coord<f64>, x: f64) -> Coord<f64> {
    let t = (x - a.x) / (b.x - a.x);
    Coord {
        x,
        y: a.y + t * (b.y - a.y),
    }
}

fn at_y(a: Coord<f64>, b: Coord<f64>, y: f64) -> Coord<f64> {
    let t = (y - a.y) / (b.y - a.y);
    Coord {
        x: a.x + t * (b.x - a.x),
        y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, MultiPolygon, polygon};

    #[test]
    fn clipping_keeps_the_area_inside_the_window() {
        // A U shape: clipping it cuts the bottom off, leaving two arms joined by a bridge.
        let u = polygon![(x: 0., y: 0.), (x: 3., y: 0.), (x: 3., y: 3.), (x: 2., y: 3.), (x: 2., y: 1.),
                         (x: 1., y: 1.), (x: 1., y: 3.), (x: 0., y: 3.)];
        let window = Rect::new(Coord { x: -1., y: 2. }, Coord { x: 4., y: 4. });
        let clipped = clip_polygon(&u, &window).unwrap();
        let expected = u
            .intersection(&MultiPolygon(vec![window.to_polygon()]))
            .unsigned_area();
        assert!((clipped.unsigned_area() - expected).abs() < 1e-12);
        assert!(
            clip_polygon(
                &u,
                &Rect::new(Coord { x: 5., y: 5. }, Coord { x: 6., y: 6. })
            )
            .is_none()
        );
    }
}
