//! Typed views of layers: villages and the features that zones are built from.

use geo::{Area, Geometry};
use rayon::prelude::*;
use serde_json::value::RawValue;

use crate::error::{Error, FeatureRef, Result};
use crate::model::layer::{Feature, Layer};

use crate::geometry::{polygons, validate};
use crate::model::schema::Schema;

/// An administrative village: the model fields of one feature of the villages layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Village {
    /// Index of the feature in its layer's `features`.
    pub feature: usize,
    /// The village id (e.g. its 统计用区划代码).
    pub id: String,
    /// The village name (empty when the layer has none).
    pub name: String,
    /// The township (empty when unknown).
    pub township: String,
    /// Households (户数).
    pub households: u64,
    /// People (人口).
    pub population: u64,
}

/// Reads the villages' model fields; bad features fail the read, or are skipped (`keep_going`).
///
/// Geometries are checked to be polygons with a positive area here; whether their rings cross
/// themselves is checked by the analyses, for the villages whose area they compute.
pub fn villages(
    layer: &Layer,
    schema: &Schema,
    keep_going: bool,
) -> Result<(Vec<Village>, Vec<Error>)> {
    let fields = Fields::new(
        schema,
        &["id", "name", "township", "households", "population"],
    );
    let results: Vec<Result<Village>> = layer
        .features
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let bad = |field: &str, problem: String| Error::feature(layer.feature_ref(f), Some(field), problem);
            match &f.geometry {
                Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {}
                other => return Err(bad("geometry", format!("a village must be a Polygon or MultiPolygon, not {}", kind(other)))),
            }
            if f.geometry.unsigned_area() <= 0.0 {
                // A symmetric bow tie has zero area too: say why when we can.
                for p in &polygons(&f.geometry).0 {
                    validate::check_simple(p).map_err(|e| bad("geometry", e))?;
                }
                return Err(bad("geometry", "the polygon has zero area".to_owned()));
            }
            let found = fields.lookup(f);
            let id = match (&f.id, fields.raw_even_null(&found, "id")) {
                (Some(id), at) if id.trim().is_empty() => {
                    let field = at.map_or_else(|| "id".to_owned(), |(n, _)| n.to_owned());
                    return Err(bad(&field, format!("the village's id is blank ({id:?}): every village needs an id")));
                }
                (Some(id), _) => id.clone(),
                (None, Some((field, raw))) => {
                    return Err(bad(field, format!("the village's id is {}, not a string or a number", raw.get())));
                }
                (None, None) => {
                    return Err(bad(
                        &schema.describe("id"),
                        "the village has no id: name the id field in the plan (fields.id) or with --field id=…".to_owned(),
                    ));
                }
            };
            Ok(Village {
                feature: i,
                id,
                name: fields.text(&found, "name").unwrap_or_default(),
                township: fields.text(&found, "township").unwrap_or_default(),
                households: fields.count(&found, "households").map_err(|(field, p)| bad(&field, p))?,
                population: fields.count(&found, "population").map_err(|(field, p)| bad(&field, p))?,
            })
        })
        .collect();
    split(results, keep_going)
}

/// A feature that a zone is built from: a road or a corridor, with its class.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSource {
    /// The layer's name (`roads`, `corridors`).
    pub layer: String,
    /// Where the feature is, for messages.
    pub at: FeatureRef,
    /// The geometry, in the layer's CRS until the pipeline projects it.
    pub geometry: Geometry<f64>,
    /// The feature's id (its index when it has none).
    pub id: String,
    /// The feature's name (empty when none).
    pub name: String,
    /// The class (road class or corridor level) that decides the buffer width.
    pub class: String,
    /// For line corridors: the belt's own width in metres, half of which lies on each side.
    pub own_width: f64,
}

/// Reads the zone sources of a roads or corridors layer.
///
/// `default_class` is used when a feature has no class field (corridors: `corridor`); `None`
/// makes the class required (roads).
pub fn zone_sources(
    layer_name: &str,
    layer: &Layer,
    schema: &Schema,
    default_class: Option<&str>,
    keep_going: bool,
) -> Result<(Vec<ZoneSource>, Vec<Error>)> {
    let fields = Fields::new(schema, &[]);
    let results: Vec<Result<ZoneSource>> = layer
        .features
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let bad = |field: &str, problem: String| Error::feature(layer.feature_ref(f), Some(field), problem);
            let found = fields.lookup(f);
            let class = match (fields.text(&found, "class"), default_class) {
                (Some(c), _) if !c.is_empty() => c,
                (_, Some(d)) => d.to_owned(),
                _ => {
                    return Err(bad(
                        &schema.describe("class"),
                        "the feature has no class: name the class field in the plan (fields.class) or with --class-field".to_owned(),
                    ));
                }
            };
            let is_line = matches!(f.geometry, Geometry::LineString(_) | Geometry::MultiLineString(_));
            let own_width = if is_line && default_class.is_some() {
                match fields.number(&found, "width") {
                    Ok(Some(w)) if w >= 0.0 => w,
                    Ok(None) => 0.0,
                    Ok(Some(w)) => return Err(bad(&schema.describe("width"), format!("negative width {w}"))),
                    Err((field, p)) => return Err(bad(&field, p)),
                }
            } else {
                0.0
            };
            let polygonal = matches!(f.geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_));
            if polygonal && default_class.is_none() {
                // Road widths are measured from the centreline: a road drawn as a polygon would
                // be buffered from its edges, a wider zone than the plan says.
                return Err(bad("geometry", format!("a road must be a LineString or MultiLineString (zone widths are measured from the centreline), not {}", kind(&f.geometry))));
            }
            if polygonal {
                for p in polygons(&f.geometry).0.iter() {
                    validate::check_simple(p).map_err(|e| bad("geometry", e))?;
                }
            } else if !is_line {
                return Err(bad("geometry", format!("expected lines or polygons, not {}", kind(&f.geometry))));
            }
            Ok(ZoneSource {
                layer: layer_name.to_owned(),
                at: layer.feature_ref(f),
                geometry: f.geometry.clone(),
                id: f.id.clone().unwrap_or_else(|| i.to_string()),
                name: fields.text(&found, "name").unwrap_or_default(),
                class,
                own_width,
            })
        })
        .collect();
    split(results, keep_going)
}

/// A yes/no field of one village as read: a value of the documented set, absent, or present
/// but not one of the documented encodings.
#[derive(Debug, Clone, PartialEq)]
pub enum Flag {
    /// One of [`FLAG_ENCODINGS`].
    Set(bool),
    /// The feature has no such field, or it is `null` or blank (no data).
    Missing,
    /// Present, but not one of [`FLAG_ENCODINGS`]: the value as the file writes it.
    Unreadable(serde_json::Value),
}

/// The encodings of a yes/no field that hecun reads, as the planners' files write them
/// (strings are trimmed; Latin letters in any case). Anything else is unreadable: an integer
/// other than 0 and 1 is not "yes" (survey coding 1=是/2=否 would otherwise read `2` as yes).
pub const FLAG_ENCODINGS: &str =
    "true/false, 1/0, 1.0/0.0 (numbers or text), 是/否, 有/无, Y/N, √/×";

/// Reads a yes/no value of the documented set ([`FLAG_ENCODINGS`]).
///
/// # Examples
///
/// ```
/// use hecun::{Flag, read_flag};
///
/// assert_eq!(read_flag(&serde_json::json!("是")), Flag::Set(true));
/// assert_eq!(read_flag(&serde_json::json!(0.0)), Flag::Set(false));
/// assert_eq!(read_flag(&serde_json::json!(2)), Flag::Unreadable(serde_json::json!(2)));
/// assert_eq!(read_flag(&serde_json::Value::Null), Flag::Missing);
/// ```
pub fn read_flag(value: &serde_json::Value) -> Flag {
    use serde_json::Value;
    let set = match value {
        Value::Null => return Flag::Missing,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return Flag::Missing;
            }
            match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "1.0" | "是" | "有" | "y" | "√" => Some(true),
                "false" | "0" | "0.0" | "否" | "无" | "n" | "×" => Some(false),
                _ => None,
            }
        }
        Value::Array(_) | Value::Object(_) => None,
    };
    set.map_or_else(|| Flag::Unreadable(value.clone()), Flag::Set)
}

/// One village's launch-criteria fields (`LAUNCH_FIELDS`), read once for every launch check.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchFields {
    /// Per model field (in `LAUNCH_FIELDS` order): the file's field name it came from (`None`
    /// when the feature has none of the field's names) and the value read.
    pub fields: Vec<(&'static str, Option<String>, Flag)>,
}

impl LaunchFields {
    /// Reads `feature`'s launch fields through `schema`.
    pub fn read(feature: &Feature, schema: &Schema) -> LaunchFields {
        let fields = Fields::new(schema, LAUNCH_FIELDS);
        let found = fields.lookup(feature);
        let conflicts = feature.properties.conflicting(&fields.names);
        let read = |model: &'static str| match fields.raw_even_null(&found, model) {
            None => (model, None, Flag::Missing),
            Some((name, raw)) => {
                let value = serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null);
                let at = fields.names.iter().position(|n| *n == name);
                // A yes/no field written twice with two values says both: neither is read, so
                // that a veto cannot be cleared by whichever value a reader keeps.
                let flag = match at.and_then(|i| conflicts[i].as_ref()) {
                    Some((first, last)) => Flag::Unreadable(serde_json::Value::String(format!(
                        "{first} and {last} (the key is written twice)"
                    ))),
                    None => read_flag(&value),
                };
                (model, Some(name.to_owned()), flag)
            }
        };
        LaunchFields {
            fields: LAUNCH_FIELDS.iter().map(|&m| read(m)).collect(),
        }
    }

    /// The value read for model field `model`.
    pub fn get(&self, model: &str) -> Option<&Flag> {
        self.fields
            .iter()
            .find(|(m, _, _)| *m == model)
            .map(|(_, _, flag)| flag)
    }

    /// The fields as a launch check hands them to a plugin: values of the documented set as
    /// booleans, an unreadable value as the file writes it (so that the plugin can say what it
    /// was), a missing one left out.
    pub fn to_plugin(&self) -> serde_json::Map<String, serde_json::Value> {
        self.fields
            .iter()
            .filter_map(|(model, _, flag)| {
                let value = match flag {
                    Flag::Set(b) => serde_json::Value::Bool(*b),
                    Flag::Unreadable(v) => v.clone(),
                    Flag::Missing => return None,
                };
                Some(((*model).to_owned(), value))
            })
            .collect()
    }
}

/// The model fields a launch check reads from each village.
pub const LAUNCH_FIELDS: &[&str] = &[
    "plan_approved",
    "new_homestead_approved",
    "new_construction",
    "land_legal",
    "infra_started",
    "resettlement_started",
    "forced_demolition",
];

/// The name the feature's file gives model field `model` (the first candidate it has).
pub fn file_field(feature: &Feature, schema: &Schema, model: &str) -> Option<String> {
    let fields = Fields::new(schema, &[model]);
    let found = fields.lookup(feature);
    fields.raw(&found, model).map(|(name, _)| name.to_owned())
}

/// The text of model field `model` of a feature, through the schema.
pub fn field_text(feature: &Feature, schema: &Schema, model: &str) -> Option<String> {
    let fields = Fields::new(schema, &[model]);
    let found = fields.lookup(feature);
    fields.text(&found, model)
}

/// The GeoJSON name of a geometry's type, for messages.
pub(crate) fn geometry_kind(g: &Geometry<f64>) -> &'static str {
    kind(g)
}

fn kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        _ => "another geometry type",
    }
}

fn split<T>(results: Vec<Result<T>>, keep_going: bool) -> Result<(Vec<T>, Vec<Error>)> {
    let mut ok = Vec::with_capacity(results.len());
    let mut skipped = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) if keep_going => skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    Ok((ok, skipped))
}

/// Looks up model fields in a feature's properties through a schema.
struct Fields<'s> {
    schema: &'s Schema,
    /// Every file field name any model field may come from, looked up in one pass.
    names: Vec<&'s str>,
}

/// One feature's values for the names in [`Fields::names`].
struct Found<'f> {
    values: Vec<Option<&'f RawValue>>,
}

impl<'s> Fields<'s> {
    /// Looks up the model fields `models` (all of the layer kind's when empty).
    fn new(schema: &'s Schema, models: &[&str]) -> Self {
        let mut names: Vec<&str> = schema
            .kind()
            .fields()
            .iter()
            .filter(|f| models.is_empty() || models.contains(&f.name))
            .flat_map(|f| schema.candidates(f.name))
            .collect();
        names.dedup();
        Fields { schema, names }
    }

    fn lookup<'f>(&self, f: &'f Feature) -> Found<'f> {
        Found {
            values: f.properties.get_many_raw(&self.names),
        }
    }

    /// The first candidate field present and not null: (file field name, raw value).
    fn raw<'f>(&self, found: &Found<'f>, model: &str) -> Option<(&'s str, &'f RawValue)> {
        self.schema.candidates(model).into_iter().find_map(|name| {
            let i = self.names.iter().position(|n| *n == name)?;
            found.values[i]
                .filter(|v| v.get() != "null")
                .map(|v| (self.names[i], v))
        })
    }

    /// Like [`Fields::raw`], but a `null` counts as present: the first candidate field the
    /// feature has, whatever its value.
    fn raw_even_null<'f>(&self, found: &Found<'f>, model: &str) -> Option<(&'s str, &'f RawValue)> {
        let present = self.schema.candidates(model).into_iter().find_map(|name| {
            let i = self.names.iter().position(|n| *n == name)?;
            found.values[i].map(|v| (self.names[i], v))
        });
        // A non-null value under a later name wins over a null under an earlier one.
        self.raw(found, model).or(present)
    }

    fn text(&self, f: &Found, model: &str) -> Option<String> {
        let (_, raw) = self.raw(f, model)?;
        crate::model::layer::id_text(raw).or_else(|| Some(raw.get().to_owned()))
    }

    /// A number, from a JSON number or a numeric string ("1,234" and "1234户" are refused).
    fn number(&self, f: &Found, model: &str) -> Result<Option<f64>, (String, String)> {
        let Some((name, raw)) = self.raw(f, model) else {
            return Ok(None);
        };
        let text = raw.get();
        let parsed = if let Some(s) = text.strip_prefix('"') {
            serde_json::from_str::<String>(&format!("\"{s}"))
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
        } else {
            text.parse::<f64>().ok()
        };
        match parsed {
            Some(v) if v.is_finite() => Ok(Some(v)),
            _ => Err((name.to_owned(), format!("expected a number, found {text}"))),
        }
    }

    /// A whole, non-negative count; a missing field is an error naming the fields tried.
    fn count(&self, f: &Found, model: &str) -> Result<u64, (String, String)> {
        match self.number(f, model)? {
            Some(v) if v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 => Ok(v as u64),
            Some(v) => Err((
                self.raw(f, model)
                    .map(|(n, _)| n.to_owned())
                    .unwrap_or_default(),
                format!("expected a whole number of at least 0, found {v}"),
            )),
            None => Err((
                self.schema.describe(model),
                format!(
                    "the feature has no {model} field (tried: {})",
                    self.schema.describe(model)
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Flag, read_flag};
    use serde_json::json;

    #[test]
    fn flags_read_only_the_documented_encodings() {
        for v in [
            json!(true),
            json!(1),
            json!(1.0),
            json!("TRUE"),
            json!(" y "),
            json!("有"),
            json!("√"),
        ] {
            assert_eq!(read_flag(&v), Flag::Set(true), "{v}");
        }
        for v in [
            json!(false),
            json!(0),
            json!(-0.0),
            json!("0.0"),
            json!("N"),
            json!("无"),
            json!("×"),
        ] {
            assert_eq!(read_flag(&v), Flag::Set(false), "{v}");
        }
        for v in [json!(null), json!(""), json!("  ")] {
            assert_eq!(read_flag(&v), Flag::Missing, "{v}");
        }
        for v in [
            json!(2),
            json!(1.000001),
            json!("yes"),
            json!("T"),
            json!("x"),
            json!([1]),
            json!({}),
        ] {
            assert_eq!(read_flag(&v), Flag::Unreadable(v.clone()), "{v}");
        }
    }
}
