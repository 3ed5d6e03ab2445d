//! Layers: features read from a file, each a geometry plus its attributes.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

use geo::{BoundingRect, Geometry, Rect};
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, FeatureRef, Result};
use crate::model::crs::Crs;

/// A layer read from one file: its features, in file order, and the CRS of their coordinates.
#[derive(Debug, Clone)]
pub struct Layer {
    /// The file the layer was read from (named in every error about it).
    pub path: PathBuf,
    /// The CRS of the coordinates as stored in `features`.
    pub crs: Crs,
    /// The features, in file order (features skipped as invalid are absent).
    pub features: Vec<Feature>,
}

impl Layer {
    /// Where feature `feature` of this layer is, for error messages.
    pub fn feature_ref(&self, feature: &Feature) -> FeatureRef {
        FeatureRef {
            path: self.path.clone(),
            index: feature.index,
            id: feature.id.clone(),
        }
    }

    /// The bounding box of every feature, if any has a geometry.
    pub(crate) fn bbox(&self) -> Option<Rect<f64>> {
        self.features
            .iter()
            .filter_map(|f| f.geometry.bounding_rect())
            .reduce(crate::geometry::rect_union)
    }

    /// The CRS that distances (and areas, `needs`) are computed in for this layer's data: the
    /// one asked for; else the layer's own if it is projected; else the CGCS2000 3-degree zone
    /// of the layer's centre. Longitude/latitude asked for is an error.
    pub(crate) fn metric_crs(&self, asked: Option<Crs>, needs: &str) -> Result<Crs> {
        let crs = match asked {
            Some(crs) => crs,
            None if !self.crs.is_geographic() => self.crs,
            None => {
                let bbox = self.bbox().ok_or_else(|| Error::EmptyLayer {
                    path: self.path.clone(),
                })?;
                Crs::cgcs2000_3deg_zone_for(bbox.center().x)?
            }
        };
        if crs.is_geographic() {
            return Err(Error::param(
                "metric CRS",
                format!(
                    "{crs} is longitude/latitude: {needs} need a projected CRS such as EPSG:4547"
                ),
            ));
        }
        Ok(crs)
    }
}

/// One feature: geometry and attributes.
#[derive(Debug, Clone)]
pub struct Feature {
    /// Zero-based position of the feature in its file.
    pub index: usize,
    /// The feature's id: the schema's id field if it has one, else the GeoJSON `id` member.
    pub id: Option<String>,
    /// The geometry, in the layer's CRS.
    pub geometry: Geometry<f64>,
    /// The attributes, as the file has them.
    pub properties: Properties,
}

/// A feature's attributes, kept as the JSON object text of the file.
///
/// Keeping the text costs one copy and no parsing; outputs pass it through unchanged, so a
/// planner's own fields survive a run. Fields are looked up by name, Chinese names included.
///
/// # Examples
///
/// ```
/// use hecun::Properties;
///
/// let p = Properties::from_json(r#"{"村名":"王庄村","户数":"120","class":null}"#)?;
/// assert_eq!(p.get("村名").unwrap().as_str(), Some("王庄村"));
/// assert_eq!(p.get("户数").unwrap().as_str(), Some("120"));
/// assert!(p.get("class").unwrap().is_null());
/// assert!(p.get("人口").is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct Properties(Box<RawValue>);

impl fmt::Debug for Properties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl Default for Properties {
    fn default() -> Self {
        Properties(RawValue::from_string("{}".to_owned()).expect("{} is JSON"))
    }
}

impl Properties {
    /// Attributes from the text of a JSON object (`null` counts as no attributes).
    pub fn from_json(json: &str) -> Result<Properties, serde_json::Error> {
        if json.trim() == "null" {
            return Ok(Properties::default());
        }
        // Checks that the text is an object without building one.
        let mut de = serde_json::Deserializer::from_str(json);
        de::Deserializer::deserialize_map(&mut de, de::IgnoredAny)?;
        de.end()?;
        Ok(Properties(RawValue::from_string(json.to_owned())?))
    }

    /// Wraps raw text that the reader has already checked to be a JSON object.
    pub(crate) fn from_raw(raw: &RawValue) -> Properties {
        Properties(raw.to_owned())
    }

    /// JSON object text that a reader wrote itself from a file's columns (Shapefile,
    /// GeoPackage, GDAL, GeoParquet); `Err`: why it is not JSON, for the feature's message.
    pub(crate) fn from_written(json: String) -> Result<Properties, String> {
        RawValue::from_string(json)
            .map(Properties)
            .map_err(|e| format!("the attributes are not JSON: {e}"))
    }

    /// The feature's id: the first of the fields `names` that holds one (see [`id_text`]).
    pub(crate) fn id_from(&self, names: &[&str]) -> Option<String> {
        self.get_many_raw(names)
            .into_iter()
            .find_map(|v| v.and_then(id_text))
    }

    /// The JSON object text.
    pub fn raw(&self) -> &str {
        self.0.get()
    }

    /// The value of field `name`, if the feature has that field (`Value::Null` if it is null).
    pub fn get(&self, name: &str) -> Option<serde_json::Value> {
        self.get_raw(name)
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
    }

    /// For each of `names`: the first and last values when the object has the key more than
    /// once with different values (as raw JSON text), in one pass over the object.
    pub fn conflicting(&self, names: &[&str]) -> Vec<Option<(String, String)>> {
        struct Conflicts<'n> {
            names: &'n [&'n str],
        }
        impl<'de> Visitor<'de> for Conflicts<'_> {
            type Value = Vec<Option<(String, String)>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut first: Vec<Option<&'de RawValue>> = vec![None; self.names.len()];
                let mut out = vec![None; self.names.len()];
                while let Some(key) = map.next_key_seed(KeySeed)? {
                    let Some(i) = self.names.iter().position(|n| *n == key) else {
                        map.next_value::<de::IgnoredAny>()?;
                        continue;
                    };
                    let value: &'de RawValue = map.next_value()?;
                    match first[i] {
                        None => first[i] = Some(value),
                        Some(f) if f.get() != value.get() => {
                            out[i] = Some((f.get().to_owned(), value.get().to_owned()))
                        }
                        Some(_) => {}
                    }
                }
                Ok(out)
            }
        }
        let mut de = serde_json::Deserializer::from_str(self.0.get());
        de::Deserializer::deserialize_map(&mut de, Conflicts { names })
            .unwrap_or_else(|_| vec![None; names.len()])
    }

    /// The raw JSON text of field `name`, without parsing the other fields' values.
    pub fn get_raw(&self, name: &str) -> Option<&RawValue> {
        self.get_many_raw(&[name]).pop().flatten()
    }

    /// The raw JSON text of each of `names`, in one pass over the object.
    pub fn get_many_raw(&self, names: &[&str]) -> Vec<Option<&RawValue>> {
        let mut de = serde_json::Deserializer::from_str(self.0.get());
        de::Deserializer::deserialize_map(&mut de, FindFields { names })
            .unwrap_or_else(|_| vec![None; names.len()])
    }
}

/// A map visitor that keeps the values of some keys and skips the rest without allocating.
struct FindFields<'n> {
    names: &'n [&'n str],
}

impl<'de> Visitor<'de> for FindFields<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = vec![None; self.names.len()];
        while let Some(key) = map.next_key_seed(KeySeed)? {
            // A key written twice: the last value, as serde_json, Python and JavaScript read
            // it (the reader warns about such keys).
            match self.names.iter().position(|n| *n == key) {
                Some(i) => found[i] = Some(map.next_value::<&'de RawValue>()?),
                None => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Deserializes a map key, borrowing it from the input unless it contains escapes.
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// An id as text: strings as they are, numbers as written; other types are not ids.
pub(crate) fn id_text(raw: &RawValue) -> Option<String> {
    let t = raw.get();
    if t.starts_with('"') {
        serde_json::from_str::<String>(t).ok()
    } else if t.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Some(t.to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_escaped_chinese_keys() {
        // Python's json.dumps escapes non-ASCII by default.
        let p = Properties::from_json(r#"{"\u6751\u540d":"\u738b\u5e84","id":7}"#).unwrap();
        assert_eq!(p.get("村名").unwrap().as_str(), Some("王庄"));
        assert_eq!(p.get("id").unwrap().as_i64(), Some(7));
    }

    #[test]
    fn a_key_twice_reads_the_last_value_and_two_values_are_a_conflict() {
        let p = Properties::from_json(r#"{"a":1,"b":true,"a":2,"b":true,"\u0061":3}"#).unwrap();
        assert_eq!(p.get("a").unwrap().as_i64(), Some(3));
        let c = p.conflicting(&["a", "b", "c"]);
        assert_eq!(c[0], Some(("1".to_owned(), "3".to_owned())));
        assert_eq!(c[1], None);
        assert_eq!(c[2], None);
    }

    #[test]
    fn null_properties_are_empty() {
        let p = Properties::from_json("null").unwrap();
        assert!(p.get("x").is_none());
        assert_eq!(p.raw(), "{}");
    }

    #[test]
    fn rejects_non_objects() {
        assert!(Properties::from_json("[1,2]").is_err());
    }
}
