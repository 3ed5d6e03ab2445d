//! Planar geometry on `geo` types, in a metric CRS: zones drawn around lines, how a village
//! relates to a zone and how much of it lies inside, validity checks, and the grid. Nothing
//! here knows layers, CRSs or plans; every other part of the pipeline builds on it.

pub mod boundary_area;
pub mod buffer;
pub mod clip;
pub mod edge_tree;
pub mod grid;
pub mod relate;
pub mod segments;
pub mod stroke;
pub mod validate;

use geo::{Geometry, MultiPolygon};

/// A polygonal geometry as a `MultiPolygon` (empty for other kinds).
pub fn polygons(geometry: &Geometry<f64>) -> MultiPolygon<f64> {
    match geometry {
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
        Geometry::MultiPolygon(mp) => mp.clone(),
        Geometry::GeometryCollection(gc) => {
            MultiPolygon(gc.0.iter().flat_map(|g| polygons(g).0).collect())
        }
        _ => MultiPolygon(vec![]),
    }
}

/// `r` grown by `dx` left and right and `dy` above and below.
pub(crate) fn rect_grown(r: geo::Rect<f64>, dx: f64, dy: f64) -> geo::Rect<f64> {
    geo::Rect::new(
        geo::coord! { x: r.min().x - dx, y: r.min().y - dy },
        geo::coord! { x: r.max().x + dx, y: r.max().y + dy },
    )
}

/// The smallest rectangle holding both (geo has no public union of two `Rect`s).
pub(crate) fn rect_union(a: geo::Rect<f64>, b: geo::Rect<f64>) -> geo::Rect<f64> {
    geo::Rect::new(
        geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}
