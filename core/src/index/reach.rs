//! Where each zone can reach: an R-tree of padded boxes around short pieces of its source.
//!
//! A road's zone lies within its width of the road, so boxes around runs of a few segments,
//! padded by the width, hold the zone far more tightly than the zone's own bounding box (a
//! road piece runs diagonally across kilometres). A polygon's zone also covers its inside,
//! which no boundary box holds: those polygons are kept for a point-in-polygon test.

use geo::coordinate_position::CoordPos;
use geo::{BoundingRect, Coord, Geometry, LineString, MultiPolygon, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::geometry::edge_tree::{EdgeTree, Shape};
use crate::model::ZoneSource;
use crate::model::zone::Zone;

/// Vertices per boxed run of a line or ring (runs share their end vertex).
const RUN: usize = 4;

/// How a distance in metres becomes a pad in the index's coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pad {
    /// Coordinates in metres; `slack` covers scale differences to the metric CRS.
    Metres { slack: f64 },
    /// Longitude/latitude in degrees.
    Degrees,
}

/// Padded boxes around the pieces of each zone's source, and the polygons that zones fill.
///
/// # Examples
///
/// ```
/// use geo::{polygon, Geometry, LineString, MultiPolygon};
/// use hecun::internals::{ZoneIndex, build_zones};
/// use hecun::{FeatureRef, ZoneSource, ZoneSpec};
///
/// let road = ZoneSource {
///     layer: "roads".into(),
///     at: FeatureRef { path: "roads.geojson".into(), index: 0, id: None },
///     geometry: Geometry::LineString(LineString::from(vec![
///         (0.0, 0.0), (250.0, 250.0), (500.0, 500.0), (750.0, 750.0), (1000.0, 1000.0),
///     ])),
///     id: "R1".into(), name: String::new(), class: "ring".into(), own_width: 0.0,
/// };
/// let sources = [road];
/// let zones = build_zones(&sources, &ZoneSpec::from_pairs([("ring", 100.0)])?)?;
/// let index = ZoneIndex::new(&zones, &sources);
/// let near = MultiPolygon(vec![polygon![(x: 500.0, y: 560.0), (x: 520.0, y: 560.0), (x: 520.0, y: 580.0)]]);
/// // Inside the road's bounding box, but 900 m from the road.
/// let far = MultiPolygon(vec![polygon![(x: 100.0, y: 900.0), (x: 120.0, y: 900.0), (x: 120.0, y: 920.0)]]);
/// assert_eq!(index.candidates(&near), vec![0]);
/// assert!(index.candidates(&far).is_empty());
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug)]
pub struct ZoneIndex {
    boxes: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    areas: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    fills: Vec<(usize, MultiPolygon<f64>)>,
    /// Edge trees of the large fills (by fill) and of the large zones (by zone; only in an
    /// index built by [`ZoneIndex::new`]).
    fill_edges: Vec<Option<EdgeTree>>,
    zone_edges: Vec<Option<EdgeTree>>,
}

impl ZoneIndex {
    /// The index of `zones`, built from their `sources` (in the same metric CRS).
    pub fn new(zones: &[Zone], sources: &[ZoneSource]) -> ZoneIndex {
        let items = zones
            .iter()
            .enumerate()
            .map(|(i, z)| (i, &sources[z.source].geometry, z.distance));
        let mut index = ZoneIndex::build(items, Pad::Metres { slack: 1.0 + 1e-6 });
        index.zone_edges = zones
            .par_iter()
            .map(|z| EdgeTree::for_large(&z.polygon))
            .collect();
        index
    }

    /// Zone `z` of the `zones` this index was built on by [`ZoneIndex::new`], with its edge
    /// tree if it is large.
    pub(crate) fn shape<'a>(&'a self, zones: &'a [Zone], z: usize) -> Shape<'a> {
        Shape {
            polygon: &zones[z].polygon,
            edges: self.zone_edges.get(z).and_then(Option::as_ref),
        }
    }

    /// The index of zones given by (zone, source geometry in this index's CRS, distance in metres).
    pub(crate) fn build<'g>(
        items: impl Iterator<Item = (usize, &'g Geometry<f64>, f64)>,
        pad: Pad,
    ) -> ZoneIndex {
        let mut boxes = Vec::new();
        let mut fills = Vec::new();
        for (zone, geometry, distance) in items {
            add_pieces(zone, geometry, distance, pad, &mut boxes, &mut fills);
        }
        let areas = fills
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| Some(GeomWithData::new(rectangle(p.bounding_rect()?), i)))
            .collect();
        let fill_edges = fills
            .par_iter()
            .map(|(_, p)| EdgeTree::for_large(p))
            .collect();
        ZoneIndex {
            boxes: RTree::bulk_load(boxes),
            areas: RTree::bulk_load(areas),
            fills,
            fill_edges,
            zone_edges: Vec::new(),
        }
    }

    /// Zones that may touch `polygon`, ascending (a superset of those that do).
    pub fn candidates(&self, polygon: &MultiPolygon<f64>) -> Vec<usize> {
        let Some(bbox) = polygon.bounding_rect() else {
            return Vec::new();
        };
        let mut hits: Vec<usize> = self
            .boxes
            .locate_in_envelope_intersecting(envelope(bbox))
            .map(|b| b.data)
            .collect();
        if let Some(first) = first_vertex(polygon) {
            hits.extend(self.filled_at(first, bbox));
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    /// Whether any zone may touch a polygon with this bounding box and first vertex.
    pub(crate) fn may_touch(&self, bbox: Rect<f64>, first: Option<Coord<f64>>) -> bool {
        self.boxes
            .locate_in_envelope_intersecting(envelope(bbox))
            .next()
            .is_some()
            || first.is_some_and(|c| self.filled_at(c, bbox).next().is_some())
    }

    /// Zones whose polygon holds `point` (a polygon with no boundary near `bbox` is either
    /// all inside a zone polygon or all outside, so one vertex tells).
    fn filled_at(&self, point: Coord<f64>, bbox: Rect<f64>) -> impl Iterator<Item = usize> + '_ {
        self.areas
            .locate_in_envelope_intersecting(envelope(bbox))
            .filter(move |a| {
                let shape = Shape {
                    polygon: &self.fills[a.data].1,
                    edges: self.fill_edges[a.data].as_ref(),
                };
                shape.position(point) != CoordPos::Outside
            })
            .map(|a| self.fills[a.data].0)
    }
}

fn add_pieces(
    zone: usize,
    geometry: &Geometry<f64>,
    distance: f64,
    pad: Pad,
    boxes: &mut Vec<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    fills: &mut Vec<(usize, MultiPolygon<f64>)>,
) {
    let mut runs = |line: &LineString<f64>| {
        if line.0.len() == 1 {
            boxes.push(GeomWithData::new(
                rectangle(padded(Rect::new(line.0[0], line.0[0]), distance, pad)),
                zone,
            ));
        }
        // A run also goes on while it is smaller than the pad, so that a densely surveyed line
        // (a vertex every few millimetres) gets boxes about as many as the line as drawn.
        let Some(&first) = line.0.first() else { return };
        let reach = padded(Rect::new(first, first), distance, pad);
        let (small_x, small_y) = (reach.width() / 2.0, reach.height() / 2.0);
        let mut start = 0;
        while start + 1 < line.0.len() {
            let mut b = Rect::new(line.0[start], line.0[start]);
            let mut end = start + 1;
            while end < line.0.len() {
                let c = line.0[end];
                let grown = crate::geometry::rect_union(b, Rect::new(c, c));
                if end - start >= RUN && (grown.width() > small_x || grown.height() > small_y) {
                    break;
                }
                b = grown;
                end += 1;
            }
            boxes.push(GeomWithData::new(rectangle(padded(b, distance, pad)), zone));
            start = end - 1;
        }
    };
    match geometry {
        Geometry::LineString(l) => runs(l),
        Geometry::MultiLineString(ml) => ml.0.iter().for_each(runs),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            let polygons = crate::geometry::polygons(geometry);
            for p in &polygons.0 {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .for_each(&mut runs);
            }
            fills.push((zone, polygons));
        }
        Geometry::GeometryCollection(gc) => {
            for g in &gc.0 {
                add_pieces(zone, g, distance, pad, boxes, fills);
            }
        }
        Geometry::Point(p) => runs(&LineString(vec![p.0])),
        Geometry::MultiPoint(mp) => mp.0.iter().for_each(|p| runs(&LineString(vec![p.0]))),
        _ => {}
    }
}

/// A box grown by `distance` metres on every side, in the index's coordinates.
fn padded(b: Rect<f64>, distance: f64, pad: Pad) -> Rect<f64> {
    let (dx, dy) = match pad {
        Pad::Metres { slack } => {
            let d = distance * slack + 1e-3;
            (d, d)
        }
        Pad::Degrees => {
            // A degree of latitude is at least 110,574 m, a degree of longitude at least
            // 111,320 m × cos(latitude) on the WGS 84 / CGCS2000 ellipsoid; 1% and a metre
            // more cover the metric CRS's scale factor.
            let d = distance * 1.01 + 1.0;
            let dy = d / 110_574.0;
            let lat = (b.min().y.abs().max(b.max().y.abs()) + dy).min(89.9);
            (d / (111_320.0 * lat.to_radians().cos()), dy)
        }
    };
    crate::geometry::rect_grown(b, dx, dy)
}

fn rectangle(b: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y])
}

fn envelope(b: Rect<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y])
}

pub(crate) fn first_vertex(polygon: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    polygon.0.first()?.exterior().0.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_polygon_inside_a_corridor_is_found_without_touching_its_boundary() {
        let corridor = Geometry::Polygon(
            polygon![(x: 0., y: 0.), (x: 10_000., y: 0.), (x: 10_000., y: 10_000.), (x: 0., y: 10_000.)],
        );
        let index = ZoneIndex::build(
            [(0, &corridor, 0.0)].into_iter(),
            Pad::Metres { slack: 1.0 },
        );
        let inside = MultiPolygon(vec![
            polygon![(x: 5000., y: 5000.), (x: 5100., y: 5000.), (x: 5100., y: 5100.)],
        ]);
        let outside = MultiPolygon(vec![
            polygon![(x: 15000., y: 5000.), (x: 15100., y: 5000.), (x: 15100., y: 5100.)],
        ]);
        assert_eq!(index.candidates(&inside), vec![0]);
        assert!(index.candidates(&outside).is_empty());
    }

    #[test]
    fn degree_pads_cover_the_distance() {
        // 100 m at 35°N is about 0.0011° of longitude and 0.0009° of latitude.
        let b = padded(
            Rect::new(Coord { x: 113.0, y: 35.0 }, Coord { x: 113.0, y: 35.0 }),
            100.0,
            Pad::Degrees,
        );
        assert!(b.max().x - 113.0 > 100.0 / (111_320.0 * 35f64.to_radians().cos()));
        assert!(b.max().y - 35.0 > 100.0 / 110_574.0);
    }
}
