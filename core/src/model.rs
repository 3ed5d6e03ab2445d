//! Typed views of layers: villages and the features that zones are built from.

use geo::{Area, Geometry, MultiPolygon};
use rayon::prelude::*;
use serde_json::value::RawValue;

use crate::error::{Error, FeatureRef, Result};
use crate::layer::{Feature, Layer};

use crate::schema::Schema;
use crate::validate;

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
    let fields = Fields::new(schema, &["name", "township", "households", "population"]);
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
            let id = f.id.clone().ok_or_else(|| {
                bad(
                    &schema.describe("id"),
                    "the village has no id: name the id field in the plan (fields.id) or with --field id=…".to_owned(),
                )
            })?;
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
            if let Geometry::Polygon(_) | Geometry::MultiPolygon(_) = f.geometry {
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

/// The villages' launch-criteria fields (`LAUNCH_FIELDS`), as JSON values for a launch
/// check: booleans as they are, `"是"`/`"否"`, `1`/`0` and `"true"`/`"false"` read as booleans;
/// a field the feature lacks is left out (the plugin decides what missing means).
pub fn launch_fields(
    feature: &Feature,
    schema: &Schema,
) -> serde_json::Map<String, serde_json::Value> {
    let fields = Fields::new(schema, LAUNCH_FIELDS);
    let found = fields.lookup(feature);
    let mut out = serde_json::Map::new();
    for &model in LAUNCH_FIELDS {
        if let Some((_, raw)) = fields.raw(&found, model) {
            let value: serde_json::Value =
                serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null);
            let flag = match &value {
                serde_json::Value::Bool(b) => Some(*b),
                serde_json::Value::Number(n) => n.as_i64().map(|n| n != 0),
                serde_json::Value::String(s) => match s.trim() {
                    "是" | "true" | "True" | "TRUE" | "1" | "Y" | "y" => Some(true),
                    "否" | "false" | "False" | "FALSE" | "0" | "N" | "n" => Some(false),
                    _ => None,
                },
                _ => None,
            };
            out.insert(
                model.to_owned(),
                flag.map_or(value, serde_json::Value::Bool),
            );
        }
    }
    out
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

    fn text(&self, f: &Found, model: &str) -> Option<String> {
        let (_, raw) = self.raw(f, model)?;
        crate::read::id_text(raw).or_else(|| Some(raw.get().to_owned()))
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
