//! Loaded, indexed layers in the metric CRS, and the questions rules ask of them: distance to
//! the nearest feature (optionally of a class), features and attribute sums within a distance,
//! the share of an area that a layer covers, and whether a candidate touches a layer at all.
//!
//! These are the host's spatial helpers: the rules engine answers them in Rust for every
//! runtime, so that no plugin re-implements geometry.
//!
//! Aggregates (sum, count, mean of a field) read a field as a number or fail: a field no
//! feature of the layer has, a value that is not a number, or a feature without the field
//! while others have it is an error naming the layer, the feature and the field, never a
//! silent 0 (a misspelt field once scored 24 sites -0.0).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use geo::{
    Area, BoundingRect, Distance, Euclidean, Geometry, InteriorPoint, Intersects, MultiPolygon,
    Point,
};
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
    /// Each aggregated field read once from every feature's attributes (JSON text), so that
    /// a query per candidate reads numbers, not JSON.
    columns: OnceMap<String, Arc<Column>>,
    /// Each feature's representative point (see [`IndexedLayer::inside`]), made on first use.
    points: OnceLock<Vec<Option<Point<f64>>>>,
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
            columns: OnceMap::default(),
            points: OnceLock::new(),
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

    /// The sum of the numeric attribute `field` over the features within `distance`, in file
    /// order: an error for a field no feature has, a value that is not a number, or a feature
    /// within reach without the field (see [`IndexedLayer::tally`]).
    pub fn sum_within(
        &self,
        geometry: &Geometry<f64>,
        field: &str,
        distance: f64,
        class: Option<&str>,
    ) -> Result<f64, String> {
        Ok(self
            .tally(self.within(geometry, distance, class), Some(field))?
            .sum)
    }

    /// The features whose representative point lies in `area` (its boundary included), in
    /// file order. A feature's representative point is the point itself, or a point of the
    /// line or polygon (geo's `InteriorPoint`: inside a polygon even when it is concave), so
    /// that a village crossing the border of two townships is inside one of them, not both
    /// (both only when its point lies on the border itself).
    pub fn inside(&self, area: &Geometry<f64>) -> Vec<usize> {
        let Some(bbox) = area.bounding_rect() else {
            return Vec::new();
        };
        let points = self.points();
        let window = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        // A representative point lies in its feature's box, so the boxes that meet the
        // area's box hold every candidate.
        let mut found: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(window)
            .map(|e| e.data)
            .filter(|&i| points[i].is_some_and(|p| area.intersects(&p)))
            .collect();
        found.sort_unstable();
        found
    }

    fn points(&self) -> &[Option<Point<f64>>] {
        self.points.get_or_init(|| {
            self.items
                .iter()
                .map(|item| item.geometry.interior_point())
                .collect()
        })
    }

    /// The sum and count of `field` over the features `indices` (in the order given: file
    /// order keeps the floating-point sum the same from run to run); with no field, their
    /// count alone. Errors, naming the layer, the field and the feature:
    /// - no feature of the layer has the field (a misspelt name): the error lists those it has;
    /// - a feature's value is not a number (text, a bool, a list) — `"12"` included;
    /// - a feature has no value (the field absent, or `null`) while others have one: a
    ///   missing value is not a 0, so the file must say 0 where 0 is meant.
    pub fn tally(
        &self,
        indices: impl IntoIterator<Item = usize>,
        field: Option<&str>,
    ) -> Result<Tally, String> {
        let mut tally = Tally::default();
        let Some(field) = field else {
            tally.count = indices.into_iter().count();
            return Ok(tally);
        };
        let column = self.column(field)?;
        for i in indices {
            match &column[i] {
                Cell::Number(v) => tally.add(*v),
                Cell::Missing => {
                    return Err(format!(
                        "feature {:?} of layer {:?} has no value for field {field:?} (other features have one; write 0 in the file where 0 is meant)",
                        self.items[i].id, self.name
                    ));
                }
                Cell::Other(text) => {
                    return Err(format!(
                        "feature {:?} of layer {:?} has {field:?} = {text}, which is not a number",
                        self.items[i].id, self.name
                    ));
                }
            }
        }
        Ok(tally)
    }

    /// Every feature's value of `field`, read once; an error when no feature has the field.
    fn column(&self, field: &str) -> Result<Arc<Column>, String> {
        let column = self.columns.get_or_init(field, || {
            let mut known = false;
            let cells = self
                .items
                .iter()
                .map(|item| {
                    let value = item.properties.as_ref().and_then(|p| p.get(field));
                    known |= value.is_some();
                    match value {
                        None | Some(serde_json::Value::Null) => Cell::Missing,
                        Some(serde_json::Value::Number(n)) => n
                            .as_f64()
                            .map_or_else(|| Cell::Other(n.to_string()), Cell::Number),
                        Some(other) => Cell::Other(other.to_string()),
                    }
                })
                .collect();
            Arc::new(Column { known, cells })
        });
        if !column.known {
            return Err(self.unknown_field(field));
        }
        Ok(column)
    }

    fn unknown_field(&self, field: &str) -> String {
        let mut names = std::collections::BTreeSet::new();
        for item in &self.items {
            if let Some(p) = &item.properties
                && let Ok(map) =
                    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(p.raw())
            {
                names.extend(map.into_iter().map(|(k, _)| k));
            }
        }
        // A layer with hundreds of columns would drown the message: the first 40 names.
        const SHOWN: usize = 40;
        let mut listed: Vec<String> = names.iter().take(SHOWN).cloned().collect();
        if names.len() > SHOWN {
            listed.push(format!("… {} more", names.len() - SHOWN));
        }
        let listed = if listed.is_empty() {
            "none".to_owned()
        } else {
            listed.join(", ")
        };
        format!(
            "layer {:?} has no field {field:?} (none of its {} features has it; its fields: \
             {listed}; a plugin is handed only the fields its reads declares: \"{}.{field}\")",
            self.name,
            self.items.len(),
            self.name
        )
    }

    /// The sum and count of `field` (or the count of features) per value of attribute `by`
    /// (text as it is, numbers and bools as JSON writes them), groups sorted. Every feature
    /// must have a value of `by`.
    pub fn group_by(
        &self,
        field: Option<&str>,
        by: &str,
    ) -> Result<BTreeMap<String, Tally>, String> {
        let keys = self.column_keys(by)?;
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, key) in keys.into_iter().enumerate() {
            groups.entry(key).or_default().push(i);
        }
        groups
            .into_iter()
            .map(|(key, members)| Ok((key, self.tally(members, field)?)))
            .collect()
    }

    fn column_keys(&self, by: &str) -> Result<Vec<String>, String> {
        let mut known = false;
        let mut keys = Vec::with_capacity(self.items.len());
        let mut missing = None;
        for item in &self.items {
            let value = item.properties.as_ref().and_then(|p| p.get(by));
            known |= value.is_some();
            match value {
                Some(serde_json::Value::String(s)) => keys.push(s),
                Some(serde_json::Value::Null) | None => {
                    missing.get_or_insert(item.id.clone());
                    keys.push(String::new());
                }
                Some(other) => keys.push(other.to_string()),
            }
        }
        if !known {
            return Err(self.unknown_field(by));
        }
        if let Some(id) = missing {
            return Err(format!(
                "feature {id:?} of layer {:?} has no value for field {by:?}, which the features are grouped by",
                self.name
            ));
        }
        Ok(keys)
    }

    /// The sum and count of `field` (or the count of features) per feature of `areas`, by
    /// id, sorted: each feature of this layer counts in the first area (in file order) that
    /// holds its representative point (see [`IndexedLayer::inside`]), so in one area at
    /// most; a feature in no area counts in none. Every area appears, an empty one with a
    /// count of 0.
    pub fn group_by_area(
        &self,
        field: Option<&str>,
        areas: &IndexedLayer,
    ) -> Result<BTreeMap<String, Tally>, String> {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); areas.items.len()];
        for (i, point) in self.points().iter().enumerate() {
            let Some(p) = point else { continue };
            let home = areas
                .tree
                .locate_in_envelope_intersecting(AABB::from_point([p.x(), p.y()]))
                .map(|e| e.data)
                .filter(|&a| areas.items[a].geometry.intersects(p))
                .min();
            if let Some(a) = home {
                members[a].push(i);
            }
        }
        let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
        // Areas in file order, each feature list in file order: two areas of one id add up
        // in the same order every run.
        for (a, list) in members.into_iter().enumerate() {
            let tally = self.tally(list, field)?;
            groups
                .entry(areas.items[a].id.clone())
                .or_default()
                .merge(tally);
        }
        if let Some(field) = field {
            // A field no feature has is an error even when no feature lies in any area.
            self.column(field)?;
        }
        Ok(groups)
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

/// A sum of numbers and how many there were.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tally {
    /// The sum, from 0.0 (so never -0.0 for nothing), in the order the numbers came.
    pub sum: f64,
    /// How many numbers (or features, for a count).
    pub count: usize,
}

impl Tally {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.count += 1;
    }

    fn merge(&mut self, other: Tally) {
        self.sum += other.sum;
        self.count += other.count;
    }

    /// The mean; `None` of nothing (never NaN, never 0).
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

/// One feature's value of a field, as an aggregate reads it.
#[derive(Debug)]
enum Cell {
    /// Absent or `null`.
    Missing,
    Number(f64),
    /// Anything else, as JSON text (for the error).
    Other(String),
}

/// A field of every feature of a layer: whether any feature has it, and each value.
#[derive(Debug)]
struct Column {
    known: bool,
    cells: Vec<Cell>,
}

impl std::ops::Index<usize> for Column {
    type Output = Cell;
    fn index(&self, i: usize) -> &Cell {
        &self.cells[i]
    }
}

/// What the features of a layer are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Grouping {
    /// The value of an attribute.
    Attribute(String),
    /// The polygons of another layer, by id.
    Area(String),
}

type Groups = Arc<BTreeMap<String, Tally>>;

/// A grouped aggregate's key: the layer, the field (none: a count), the grouping.
type GroupKey = (String, Option<String>, Grouping);

/// The layers rules can query, by name.
#[derive(Debug, Default)]
pub struct SpatialLayers {
    layers: BTreeMap<String, IndexedLayer>,
    /// Grouped aggregates by (layer, field, grouping): they do not depend on the candidate,
    /// and a rule asks for them once per candidate.
    groups: OnceMap<GroupKey, Result<Groups, String>>,
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

    fn layer(&self, name: &str) -> Result<&IndexedLayer, String> {
        self.get(name).ok_or_else(|| {
            format!(
                "no layer {name:?} is loaded (loaded: {})",
                self.names().join(", ")
            )
        })
    }

    /// The sum and count of `field` (or the count of features) of layer `layer` per group,
    /// sorted by group ([`IndexedLayer::group_by`], [`IndexedLayer::group_by_area`]);
    /// computed once per layer, field and grouping.
    pub fn grouped(
        &self,
        layer: &str,
        field: Option<&str>,
        grouping: &Grouping,
    ) -> Result<Groups, String> {
        let key = (layer.to_owned(), field.map(str::to_owned), grouping.clone());
        self.groups.get_or_init(&key, || {
            let features = self.layer(layer)?;
            let answer = match grouping {
                Grouping::Attribute(by) => features.group_by(field, by),
                Grouping::Area(areas) => features.group_by_area(field, self.layer(areas)?),
            };
            answer.map(Arc::new)
        })
    }
}

/// Values computed once per key and shared: the first thread to ask computes, and others
/// asking for the same key meanwhile wait for its answer rather than compute it again (a
/// grouped aggregate over a large layer takes tens of milliseconds; every candidate asks).
#[derive(Debug)]
struct OnceMap<K, V>(Mutex<HashMap<K, Arc<OnceLock<V>>>>);

impl<K, V> Default for OnceMap<K, V> {
    fn default() -> Self {
        OnceMap(Mutex::new(HashMap::new()))
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> OnceMap<K, V> {
    fn get_or_init<Q>(&self, key: &Q, compute: impl FnOnce() -> V) -> V
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let slot = {
            // The map's lock is held only to find the slot: computing a value may ask for
            // another (a grouping reads its field's column).
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(key) {
                Some(slot) => slot.clone(),
                None => map.entry(key.to_owned()).or_default().clone(),
            }
        };
        slot.get_or_init(compute).clone()
    }
}
