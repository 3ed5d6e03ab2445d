//! Loaded, indexed layers in the metric CRS, and the questions rules ask of them: distance to
//! the nearest feature (optionally of a class), features and attribute sums within a distance,
//! the share of an area that a layer covers, and whether a candidate touches a layer at all.
//!
//! These are the host's spatial helpers: the rules engine answers them in Rust for every
//! runtime, so that no plugin re-implements geometry.

use std::collections::BTreeMap;

use geo::{Area, BoundingRect, Distance, Euclidean, Geometry, Intersects, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::geometry::polygons;
use crate::model::layer::Properties;

/// One feature of an indexed layer.
#[derive(Debug, Clone)]
pub struct LayerItem {
    /// The feature's id (its index in the file when it has none).
    pub id: String,
    /// Its class (road class, corridor level, facility type, land-use type), if the layer has one.
    pub class: Option<String>,
    /// The geometry, in the metric CRS.
    pub geometry: Geometry<f64>,
    /// The feature's attributes as the file gives them.
    pub properties: Option<Properties>,
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A layer in the metric CRS with an R-tree over its features' bounding boxes.
///
/// # Examples
///
/// ```
/// use geo::{Geometry, point, line_string};
/// use hecun::{IndexedLayer, LayerItem};
///
/// let road = |id: &str, class: &str, y: f64| LayerItem {
///     id: id.into(),
///     class: Some(class.into()),
///     geometry: Geometry::LineString(line_string![(x: 0.0, y: y), (x: 1000.0, y: y)]),
///     properties: None,
/// };
/// let roads = IndexedLayer::new("roads", vec![road("R1", "环线", 300.0), road("R2", "快速通道", -500.0)]);
/// let site = Geometry::Point(point!(x: 500.0, y: 0.0));
/// assert_eq!(roads.nearest(&site, None).map(|(i, d)| (roads.items()[i].id.as_str(), d)), Some(("R1", 300.0)));
/// assert_eq!(roads.nearest(&site, Some("快速通道")).map(|(_, d)| d), Some(500.0));
/// assert_eq!(roads.within(&site, 400.0, None), vec![0]);
/// ```
#[derive(Debug)]
pub struct IndexedLayer {
    name: String,
    items: Vec<LayerItem>,
    tree: RTree<Entry>,
}

impl IndexedLayer {
    /// Indexes `items` (geometries in the metric CRS) under the layer name `name`.
    pub fn new(name: impl Into<String>, items: Vec<LayerItem>) -> IndexedLayer {
        let entries = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let b = item.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                    i,
                ))
            })
            .collect();
        IndexedLayer {
            name: name.into(),
            items,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The layer's name (`roads`, `facilities`, `zones`…).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The layer's features, in file order.
    pub fn items(&self) -> &[LayerItem] {
        &self.items
    }

    fn has_class(&self, i: usize, class: Option<&str>) -> bool {
        class.is_none_or(|c| self.items[i].class.as_deref() == Some(c))
    }

    /// The nearest feature (of `class`, if given) to `geometry` and its distance (0 when they
    /// touch); ties go to the feature that comes first in the file. `None`: no such feature.
    pub fn nearest(&self, geometry: &Geometry<f64>, class: Option<&str>) -> Option<(usize, f64)> {
        let bbox = geometry.bounding_rect()?;
        let probe =
            Rectangle::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        let centre = box_centre(&probe);
        // Every point of the candidate lies within `reach` of its box's centre, so a feature
        // whose box is `r` from that centre is at least `r - reach` away: the boxes come nearest
        // first, and the search stops once that bound passes the best distance found.
        let reach = 0.5 * (bbox.width().hypot(bbox.height()));
        let mut best: Option<(usize, f64)> = None;
        for (entry, centre_d2) in self.tree.nearest_neighbor_iter_with_distance_2(centre) {
            if let Some((_, d)) = best
                && centre_d2.sqrt() - reach > d
            {
                break;
            }
            let i = entry.data;
            if !self.has_class(i, class) {
                continue;
            }
            if let Some((_, d)) = best
                && box_distance_2(entry.geom(), &probe).sqrt() > d
            {
                continue;
            }
            let d = Euclidean.distance(geometry, &self.items[i].geometry);
            best = match best {
                Some((j, bd)) if bd < d || (bd == d && j < i) => Some((j, bd)),
                _ => Some((i, d)),
            };
        }
        best
    }

    /// The features (of `class`, if given) within `distance` of `geometry`, in file order.
    pub fn within(
        &self,
        geometry: &Geometry<f64>,
        distance: f64,
        class: Option<&str>,
    ) -> Vec<usize> {
        let Some(bbox) = geometry.bounding_rect() else {
            return Vec::new();
        };
        let d = distance.max(0.0);
        let window = AABB::from_corners(
            [bbox.min().x - d, bbox.min().y - d],
            [bbox.max().x + d, bbox.max().y + d],
        );
        let mut found: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(window)
            .map(|e| e.data)
            .filter(|&i| self.has_class(i, class))
            .filter(|&i| {
                let other = &self.items[i].geometry;
                if d == 0.0 {
                    geometry.intersects(other)
                } else {
                    Euclidean.distance(geometry, other) <= d
                }
            })
            .collect();
        found.sort_unstable();
        found
    }

    /// Whether `geometry` touches any feature (of `class`, if given).
    pub fn touches(&self, geometry: &Geometry<f64>, class: Option<&str>) -> bool {
        !self.within(geometry, 0.0, class).is_empty()
    }

    /// The sum of the numeric attribute `field` over the features within `distance` (fields
    /// that are missing or not numbers count as 0).
    pub fn sum_within(
        &self,
        geometry: &Geometry<f64>,
        field: &str,
        distance: f64,
        class: Option<&str>,
    ) -> f64 {
        self.within(geometry, distance, class)
            .into_iter()
            .filter_map(|i| self.items[i].properties.as_ref()?.get(field))
            .filter_map(|v| v.as_f64())
            .sum()
    }

    /// The share (0–1) of `geometry`'s area that the layer's polygons (of `class`, if given)
    /// cover, overlapping polygons counted once. A point: 1 inside, 0 outside. Lines and empty
    /// areas: 0.
    pub fn overlap_share(&self, geometry: &Geometry<f64>, class: Option<&str>) -> f64 {
        if let Geometry::Point(_) = geometry {
            return if self.touches(geometry, class) {
                1.0
            } else {
                0.0
            };
        }
        let area_polygon = counter_clockwise(polygons(geometry));
        let area = area_polygon.unsigned_area();
        if area <= 0.0 {
            return 0.0;
        }
        let covering: Vec<MultiPolygon<f64>> = self
            .within(geometry, 0.0, class)
            .into_iter()
            .map(|i| counter_clockwise(polygons(&self.items[i].geometry)))
            .filter(|p| !p.0.is_empty())
            .collect();
        if covering.is_empty() {
            return 0.0;
        }
        let refs: Vec<&MultiPolygon<f64>> = covering.iter().collect();
        (crate::geometry::relate::area_inside(&area_polygon, &refs) / area).clamp(0.0, 1.0)
    }
}

fn box_centre(r: &Rectangle<[f64; 2]>) -> [f64; 2] {
    let e = r.envelope_ref();
    [
        (e.lower()[0] + e.upper()[0]) / 2.0,
        (e.lower()[1] + e.upper()[1]) / 2.0,
    ]
}

trait EnvelopeRef {
    fn envelope_ref(&self) -> AABB<[f64; 2]>;
}

impl EnvelopeRef for Rectangle<[f64; 2]> {
    fn envelope_ref(&self) -> AABB<[f64; 2]> {
        rstar::RTreeObject::envelope(self)
    }
}

/// Squared distance between two boxes (0 when they overlap).
fn box_distance_2(a: &Rectangle<[f64; 2]>, b: &Rectangle<[f64; 2]>) -> f64 {
    let (a, b) = (a.envelope_ref(), b.envelope_ref());
    let gap = |k: usize| {
        (b.lower()[k] - a.upper()[k])
            .max(a.lower()[k] - b.upper()[k])
            .max(0.0)
    };
    gap(0).powi(2) + gap(1).powi(2)
}

fn counter_clockwise(g: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::orient::{Direction, Orient};
    g.orient(Direction::Default)
}

/// The layers rules can query, by name.
#[derive(Debug, Default)]
pub struct SpatialLayers {
    layers: BTreeMap<String, IndexedLayer>,
}

impl SpatialLayers {
    /// No layers.
    pub fn new() -> SpatialLayers {
        SpatialLayers::default()
    }

    /// Adds (or replaces) a layer under its own name.
    pub fn insert(&mut self, layer: IndexedLayer) {
        self.layers.insert(layer.name.clone(), layer);
    }

    /// The layer called `name`.
    pub fn get(&self, name: &str) -> Option<&IndexedLayer> {
        self.layers.get(name)
    }

    /// The names of the layers, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.layers.keys().map(String::as_str).collect()
    }
}
