//! What a plugin is asked about: a candidate (a site, a grid cell, a community) with the
//! features the engine computed for it once, in Rust, its own attributes, its geometry, and
//! the layers the spatial helpers answer from.

use std::sync::Arc;

use geo::Geometry;
use serde::Serialize;

use crate::index::spatial::SpatialLayers;
use crate::model::layer::Properties;

/// One feature value handed to a plugin.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// No value (the script sees `()`).
    Missing,
    /// A yes/no value.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
    /// Text.
    Text(String),
    /// Anything else (lists, tables), as JSON.
    Json(serde_json::Value),
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Missing, Into::into)
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Missing,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Text(s),
            other => Value::Json(other),
        }
    }
}

/// The value on the WebAssembly wire (`hecun-plugin-abi`, the encoding the SDK decodes with):
/// this type holds parsed JSON, which that crate (serde only) cannot name, so it converts.
impl Value {
    /// Appends the value as the wire has it (JSON as its text).
    #[cfg(feature = "wasm")]
    pub(crate) fn put(&self, out: &mut Vec<u8>) {
        use hecun_plugin_abi::wire;
        let json;
        wire::put_value(
            out,
            match self {
                Value::Missing => wire::Value::Missing,
                Value::Bool(b) => wire::Value::Bool(*b),
                Value::Int(i) => wire::Value::Int(*i),
                Value::Float(f) => wire::Value::Float(*f),
                Value::Text(s) => wire::Value::Text(s),
                Value::Json(j) => {
                    json = j.to_string();
                    wire::Value::Json(&json)
                }
            },
        );
    }

    /// The value a wire value stands for (as the SDK reads it); `None` for JSON that does not
    /// parse.
    #[cfg(all(test, feature = "wasm"))]
    pub(crate) fn from_wire(v: hecun_plugin_abi::wire::Value<'_>) -> Option<Value> {
        use hecun_plugin_abi::wire;
        Some(match v {
            wire::Value::Missing => Value::Missing,
            wire::Value::Bool(b) => Value::Bool(b),
            wire::Value::Int(i) => Value::Int(i),
            wire::Value::Float(f) => Value::Float(f),
            wire::Value::Text(s) => Value::Text(s.to_owned()),
            wire::Value::Json(text) => Value::Json(serde_json::from_str(text).ok()?),
        })
    }
}

#[cfg(all(test, feature = "wasm"))]
mod tests {
    use super::Value;
    use hecun_plugin_abi::wire::Reader;

    /// Host and SDK encode through the same `put_value`; this proves the host's side of it:
    /// every kind of value comes back equal (floats to the bit).
    #[test]
    fn values_cross_the_wire_and_come_back_equal() {
        let values = [
            Value::Missing,
            Value::Bool(true),
            Value::Int(-7),
            Value::Int(i64::MAX),
            Value::Float(0.1 + 0.2),
            Value::Float(-0.0),
            Value::Text("甲村".into()),
            Value::Json(serde_json::json!([{"id": "v1", "人口": 120, "share": 0.25}])),
            Value::Json(serde_json::json!({})),
        ];
        let mut out = Vec::new();
        for v in &values {
            v.put(&mut out);
        }
        let mut r = Reader::new(&out);
        for v in &values {
            let back = Value::from_wire(r.value().unwrap()).unwrap();
            assert_eq!(&back, v);
            if let (Value::Float(a), Value::Float(b)) = (&back, v) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
        assert!(r.at_end());
        // The tags of ABI.md.
        let tags: Vec<u8> = values
            .iter()
            .map(|v| {
                let mut out = Vec::new();
                v.put(&mut out);
                out[0]
            })
            .collect();
        assert_eq!(tags, [0, 1, 2, 2, 3, 3, 4, 5, 5]);
    }
}

/// The names of a kind of candidate's features, shared by all candidates of that kind so
/// that a million grid cells do not carry a million copies of them.
pub type FeatureNames = Arc<[String]>;

/// A candidate as plugins see it. Cheap to clone (one shared allocation).
///
/// A script reads `site.road_distance` or `site["人口"]`: first the engine's features, then
/// the feature's own attributes (any name, Chinese or reserved words included, with `[…]`).
///
/// # Examples
///
/// ```
/// use hecun::rules::{Candidate, Value};
///
/// let names: std::sync::Arc<[String]> = vec!["road_distance".to_owned()].into();
/// let cell = Candidate::new("c1", names, vec![Value::Float(120.0)]);
/// assert_eq!(cell.feature("road_distance"), Some(&Value::Float(120.0)));
/// assert_eq!(cell.feature("in_corridor"), None);
/// ```
#[derive(Debug, Clone)]
pub struct Candidate(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    id: String,
    names: FeatureNames,
    values: Vec<Value>,
    properties: Option<Properties>,
    geometry: Option<Geometry<f64>>,
    layers: Option<Arc<SpatialLayers>>,
}

impl Candidate {
    /// A candidate with features `names[i] = values[i]`.
    pub fn new(id: impl Into<String>, names: FeatureNames, values: Vec<Value>) -> Candidate {
        debug_assert_eq!(names.len(), values.len());
        Candidate(Arc::new(Inner {
            id: id.into(),
            names,
            values,
            properties: None,
            geometry: None,
            layers: None,
        }))
    }

    /// Adds the feature's own attributes, its geometry (metric CRS) and the layers that the
    /// spatial helpers query.
    pub fn with_place(
        id: impl Into<String>,
        names: FeatureNames,
        values: Vec<Value>,
        properties: Option<Properties>,
        geometry: Option<Geometry<f64>>,
        layers: Option<Arc<SpatialLayers>>,
    ) -> Candidate {
        Candidate(Arc::new(Inner {
            id: id.into(),
            names,
            values,
            properties,
            geometry,
            layers,
        }))
    }

    /// The same candidate with `properties` as its own attributes (a job hands over only
    /// the attributes the plugin declares).
    pub fn with_properties(&self, properties: Option<Properties>) -> Candidate {
        Candidate(Arc::new(Inner {
            id: self.0.id.clone(),
            names: self.0.names.clone(),
            values: self.0.values.clone(),
            properties,
            geometry: self.0.geometry.clone(),
            layers: self.0.layers.clone(),
        }))
    }

    /// The same candidate, at `place`'s geometry, with its attributes and layers.
    pub fn placed_as(&self, place: &Candidate) -> Candidate {
        Candidate(Arc::new(Inner {
            id: self.0.id.clone(),
            names: self.0.names.clone(),
            values: self.0.values.clone(),
            properties: place.0.properties.clone(),
            geometry: place.0.geometry.clone(),
            layers: place.0.layers.clone(),
        }))
    }

    /// The candidate's id.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// An engine-computed feature.
    pub fn feature(&self, name: &str) -> Option<&Value> {
        let i = self.0.names.iter().position(|n| n == name)?;
        self.0.values.get(i)
    }

    /// The engine-computed features, in order.
    pub fn features(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0
            .names
            .iter()
            .map(String::as_str)
            .zip(self.0.values.iter())
    }

    /// A feature, else the candidate's own attribute of that name.
    pub fn get(&self, name: &str) -> Value {
        if let Some(v) = self.feature(name) {
            return v.clone();
        }
        self.0
            .properties
            .as_ref()
            .and_then(|p| p.get(name))
            .map_or(Value::Missing, Value::from)
    }

    /// The feature's own attributes, when it has them.
    pub fn properties(&self) -> Option<&Properties> {
        self.0.properties.as_ref()
    }

    /// The geometry, in the metric CRS.
    pub fn geometry(&self) -> Option<&Geometry<f64>> {
        self.0.geometry.as_ref()
    }

    /// The layers the spatial helpers answer from.
    pub fn layers(&self) -> Option<&SpatialLayers> {
        self.0.layers.as_deref()
    }
}

/// Where a candidate's features can be read from without building a [`Candidate`]: a job with
/// millions of candidates (grid cells) hands them to the compiled fast path of site scores
/// and to WebAssembly batches without an allocation each; the full candidate is built only
/// when the interpreter must answer.
pub trait Features: Sync {
    /// The candidate's id.
    fn id(&self) -> String;
    /// A feature or attribute, as [`Candidate::get`] gives it.
    fn get(&self, name: &str) -> Value;
    /// The candidate itself.
    fn to_candidate(&self) -> Candidate;
    /// Hands the candidate to `sink` in the order [`FeatureSink`] names: id, features,
    /// attributes, place. The default builds the candidate; an implementation that can do
    /// without (a grid cell) saves an allocation per candidate.
    fn read_into(&self, sink: &mut dyn FeatureSink) {
        self.to_candidate().read_into(sink);
    }
}

/// What [`Features::read_into`] hands a candidate to (the WebAssembly runtime's batch
/// encoder), called in this order: [`id`](Self::id) once, [`feature`](Self::feature) for each
/// feature in order, [`attributes`](Self::attributes) once, [`place`](Self::place) once.
pub trait FeatureSink {
    /// The candidate's id.
    fn id(&mut self, id: &str);
    /// One feature.
    fn feature(&mut self, name: &str, value: &Value);
    /// The candidate's own attributes as a JSON object (`""` when it has none).
    fn attributes(&mut self, json: &str);
    /// What the spatial helpers answer from: the candidate, when it has a geometry or layers;
    /// `None` when it has neither (then every helper answers that it has none, from its id).
    fn place(&mut self, candidate: Option<&Candidate>);
}

impl Features for Candidate {
    fn id(&self) -> String {
        Candidate::id(self).to_owned()
    }
    fn get(&self, name: &str) -> Value {
        Candidate::get(self, name)
    }
    fn to_candidate(&self) -> Candidate {
        self.clone()
    }
    fn read_into(&self, sink: &mut dyn FeatureSink) {
        sink.id(Candidate::id(self));
        for (name, value) in self.features() {
            sink.feature(name, value);
        }
        sink.attributes(self.properties().map_or("", |p| p.raw()));
        let placed = self.geometry().is_some() || self.layers().is_some();
        sink.place(placed.then_some(self));
    }
}

/// The spatial helpers scripts call on a candidate, shared by every runtime: each names the
/// layer (and optionally a class) and answers from the candidate's geometry.
pub mod helpers {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::Candidate;
    use crate::index::spatial::{Grouping, IndexedLayer, SpatialLayers, Tally};

    fn layer<'a>(c: &'a Candidate, name: &str) -> Result<&'a IndexedLayer, String> {
        let layers = layers(c)?;
        layers.get(name).ok_or_else(|| {
            format!(
                "no layer {name:?} is loaded (loaded: {})",
                layers.names().join(", ")
            )
        })
    }

    fn geometry(c: &Candidate) -> Result<&geo::Geometry<f64>, String> {
        c.geometry().ok_or_else(|| {
            format!(
                "candidate {:?} has no geometry (in a test case, give `point` or `polygon`)",
                c.id()
            )
        })
    }

    /// Distance in metres to the nearest feature of `layer` (of `class`); `None` if it has none.
    pub fn distance_to(
        c: &Candidate,
        name: &str,
        class: Option<&str>,
    ) -> Result<Option<f64>, String> {
        Ok(layer(c, name)?.nearest(geometry(c)?, class).map(|(_, d)| d))
    }

    /// The id and distance of the nearest feature of `layer` (of `class`).
    pub fn nearest(
        c: &Candidate,
        name: &str,
        class: Option<&str>,
    ) -> Result<Option<(String, f64)>, String> {
        let l = layer(c, name)?;
        Ok(l.nearest(geometry(c)?, class)
            .map(|(i, d)| (l.items()[i].id.clone(), d)))
    }

    /// How many features of `layer` (of `class`) lie within `distance` metres.
    pub fn count_within(
        c: &Candidate,
        name: &str,
        distance: f64,
        class: Option<&str>,
    ) -> Result<usize, String> {
        Ok(layer(c, name)?.within(geometry(c)?, distance, class).len())
    }

    /// The ids of the features of `layer` (of `class`) within `distance` metres, in file order.
    pub fn ids_within(
        c: &Candidate,
        name: &str,
        distance: f64,
        class: Option<&str>,
    ) -> Result<Vec<String>, String> {
        let l = layer(c, name)?;
        Ok(l.within(geometry(c)?, distance, class)
            .into_iter()
            .map(|i| l.items()[i].id.clone())
            .collect())
    }

    /// The sum of attribute `field` over the features of `layer` within `distance` metres:
    /// 0.0 when none lies within, an error for a field the layer does not have or a value
    /// that is not a number ([`IndexedLayer::tally`](crate::index::spatial::IndexedLayer::tally)).
    pub fn sum_within(
        c: &Candidate,
        name: &str,
        field: &str,
        distance: f64,
    ) -> Result<f64, String> {
        let l = layer(c, name)?;
        Ok(
            l.tally(l.within(geometry(c)?, distance, None), Some(field))?
                .sum,
        )
    }

    /// The mean of attribute `field` over the features of `layer` within `distance` metres;
    /// `None` when none lies within.
    pub fn mean_within(
        c: &Candidate,
        name: &str,
        field: &str,
        distance: f64,
    ) -> Result<Option<f64>, String> {
        let l = layer(c, name)?;
        Ok(
            l.tally(l.within(geometry(c)?, distance, None), Some(field))?
                .mean(),
        )
    }

    /// The candidate's own area: an error for a candidate that is a point or a line.
    fn area(c: &Candidate) -> Result<&geo::Geometry<f64>, String> {
        let g = geometry(c)?;
        if crate::geometry::polygons(g).0.is_empty() {
            return Err(format!(
                "candidate {:?} has no area (it is a point or a line): the _inside helpers count what lies inside a polygon; use the _within helpers with a distance",
                c.id()
            ));
        }
        Ok(g)
    }

    /// `field` (or, without one, the features) of `layer` over the features inside the
    /// candidate's polygon.
    fn tally_inside(c: &Candidate, name: &str, field: Option<&str>) -> Result<Tally, String> {
        let l = layer(c, name)?;
        l.tally(l.inside(area(c)?), field)
    }

    /// The sum of `field` over the features of `layer` inside the candidate's polygon (by
    /// their representative point, [`IndexedLayer::inside`](crate::index::spatial::IndexedLayer::inside)).
    pub fn sum_inside(c: &Candidate, name: &str, field: &str) -> Result<f64, String> {
        Ok(tally_inside(c, name, Some(field))?.sum)
    }

    /// How many features of `layer` lie inside the candidate's polygon.
    pub fn count_inside(c: &Candidate, name: &str) -> Result<usize, String> {
        Ok(tally_inside(c, name, None)?.count)
    }

    /// The mean of `field` over the features of `layer` inside the candidate's polygon;
    /// `None` when there are none.
    pub fn mean_inside(c: &Candidate, name: &str, field: &str) -> Result<Option<f64>, String> {
        Ok(tally_inside(c, name, Some(field))?.mean())
    }

    fn layers(c: &Candidate) -> Result<&SpatialLayers, String> {
        c.layers().ok_or_else(|| {
            format!(
                "spatial helpers need the plan's layers, and candidate {:?} has none here (in a test case, give `layers` in the input)",
                c.id()
            )
        })
    }

    /// The groups of `layer` by `grouping`, from the layers' cache.
    fn groups(
        c: &Candidate,
        name: &str,
        field: Option<&str>,
        grouping: Grouping,
    ) -> Result<Arc<BTreeMap<String, Tally>>, String> {
        layers(c)?.grouped(name, field, &grouping)
    }

    /// The tally of `layer` in feature `area_id` of `area_layer`: its group of
    /// [`sum_by_area`].
    fn tally_in_area(
        c: &Candidate,
        name: &str,
        field: Option<&str>,
        area_layer: &str,
        area_id: &str,
    ) -> Result<Tally, String> {
        let groups = groups(c, name, field, Grouping::Area(area_layer.to_owned()))?;
        groups
            .get(area_id)
            .copied()
            .ok_or_else(|| format!("layer {area_layer:?} has no feature {area_id:?}"))
    }

    /// The sum of `field` over the features of `layer` in feature `area_id` of layer
    /// `area_layer` (e.g. the patients of one township).
    pub fn sum_in_area(
        c: &Candidate,
        name: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<f64, String> {
        Ok(tally_in_area(c, name, Some(field), area_layer, area_id)?.sum)
    }

    /// How many features of `layer` lie in feature `area_id` of layer `area_layer`.
    pub fn count_in_area(
        c: &Candidate,
        name: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<usize, String> {
        Ok(tally_in_area(c, name, None, area_layer, area_id)?.count)
    }

    /// The mean of `field` over the features of `layer` in feature `area_id` of
    /// `area_layer`; `None` when there are none.
    pub fn mean_in_area(
        c: &Candidate,
        name: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<Option<f64>, String> {
        Ok(tally_in_area(c, name, Some(field), area_layer, area_id)?.mean())
    }

    fn each<T>(groups: &BTreeMap<String, Tally>, f: impl Fn(&Tally) -> T) -> BTreeMap<String, T> {
        groups.iter().map(|(k, t)| (k.clone(), f(t))).collect()
    }

    /// The sum of `field` over the features of `layer` per value of its attribute `by`,
    /// sorted by that value.
    pub fn sum_by(
        c: &Candidate,
        name: &str,
        field: &str,
        by: &str,
    ) -> Result<BTreeMap<String, f64>, String> {
        let g = groups(c, name, Some(field), Grouping::Attribute(by.to_owned()))?;
        Ok(each(&g, |t| t.sum))
    }

    /// How many features of `layer` have each value of attribute `by`.
    pub fn count_by(c: &Candidate, name: &str, by: &str) -> Result<BTreeMap<String, i64>, String> {
        let g = groups(c, name, None, Grouping::Attribute(by.to_owned()))?;
        Ok(each(&g, |t| t.count as i64))
    }

    /// The mean of `field` over the features of `layer` per value of attribute `by` (each
    /// group has a feature, so a mean).
    pub fn mean_by(
        c: &Candidate,
        name: &str,
        field: &str,
        by: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        let g = groups(c, name, Some(field), Grouping::Attribute(by.to_owned()))?;
        Ok(each(&g, Tally::mean))
    }

    /// The sum of `field` over the features of `layer` per feature of `area_layer` (by id,
    /// sorted; each feature in the first area holding its representative point, every area
    /// listed).
    pub fn sum_by_area(
        c: &Candidate,
        name: &str,
        field: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, f64>, String> {
        let g = groups(c, name, Some(field), Grouping::Area(area_layer.to_owned()))?;
        Ok(each(&g, |t| t.sum))
    }

    /// How many features of `layer` lie in each feature of `area_layer`.
    pub fn count_by_area(
        c: &Candidate,
        name: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, i64>, String> {
        let g = groups(c, name, None, Grouping::Area(area_layer.to_owned()))?;
        Ok(each(&g, |t| t.count as i64))
    }

    /// The mean of `field` over the features of `layer` per feature of `area_layer`; `None`
    /// for an area with none.
    pub fn mean_by_area(
        c: &Candidate,
        name: &str,
        field: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        let g = groups(c, name, Some(field), Grouping::Area(area_layer.to_owned()))?;
        Ok(each(&g, Tally::mean))
    }

    /// The share (0–1) of the candidate's area covered by `layer` (of `class`).
    pub fn overlap_share(c: &Candidate, name: &str, class: Option<&str>) -> Result<f64, String> {
        Ok(layer(c, name)?.overlap_share(geometry(c)?, class))
    }

    /// Whether the candidate touches any feature of `layer` (of `class`).
    pub fn touches(c: &Candidate, name: &str, class: Option<&str>) -> Result<bool, String> {
        Ok(layer(c, name)?.touches(geometry(c)?, class))
    }
}
