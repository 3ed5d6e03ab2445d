//! Segment predicates shared by the relate tests, the boundary walk and validation.

use geo::kernels::{Kernel, Orientation};
use geo::{Coord, Rect};

/// Whether closed segments ab and cd share a point (robust predicates).
pub(crate) fn segments_touch(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>, d: Coord<f64>) -> bool {
    type K = geo::kernels::RobustKernel;
    if a.x.max(b.x) < c.x.min(d.x)
        || c.x.max(d.x) < a.x.min(b.x)
        || a.y.max(b.y) < c.y.min(d.y)
        || c.y.max(d.y) < a.y.min(b.y)
    {
        return false;
    }
    let o1 = K::orient2d(a, b, c);
    let o2 = K::orient2d(a, b, d);
    let o3 = K::orient2d(c, d, a);
    let o4 = K::orient2d(c, d, b);
    use Orientation::Collinear as C;
    if o1 != C && o2 != C && o3 != C && o4 != C {
        return o1 != o2 && o3 != o4;
    }
    let on = |p: Coord<f64>, q: Coord<f64>, r: Coord<f64>| rect_contains(&Rect::new(p, q), r);
    // A collinear endpoint off the other segment leaves no common point: the lines meet only there.
    (o1 == C && on(a, b, c))
        || (o2 == C && on(a, b, d))
        || (o3 == C && on(c, d, a))
        || (o4 == C && on(c, d, b))
}

fn rect_contains(r: &Rect<f64>, c: Coord<f64>) -> bool {
    r.min().x <= c.x && c.x <= r.max().x && r.min().y <= c.y && c.y <= r.max().y
}
