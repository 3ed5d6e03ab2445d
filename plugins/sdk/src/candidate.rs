//! A candidate as a rule sees it, and the plugin's parameters.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use crate::host::{self, GroupValue, Groups, HelperError};
use crate::value::Value;

/// One candidate of the batch being run: a site, a grid cell, a community.
///
/// Its features (computed by the host) and its own attributes are read by name with
/// [`get`](Self::get) and the typed shortcuts; the spatial helpers ask the host about its
/// geometry (distances in metres, in the plan's metric CRS).
#[derive(Debug)]
pub struct Candidate<'a> {
    pub(crate) index: u32,
    pub(crate) id: &'a str,
    pub(crate) names: &'a [&'a str],
    pub(crate) values: &'a [Value],
    pub(crate) attributes: &'a str,
    pub(crate) parsed: OnceCell<Option<serde_json::Map<String, serde_json::Value>>>,
}

/// The nearest feature of a layer: its id and its distance in metres.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    /// The feature's id.
    pub id: String,
    /// Metres from the candidate (0 when they touch).
    pub distance: f64,
}

impl<'a> Candidate<'a> {
    /// The candidate's id.
    pub fn id(&self) -> &'a str {
        self.id
    }

    /// Its index in the batch.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// A feature the host computed, if the batch has one of that name.
    pub fn feature(&self, name: &str) -> Option<&'a Value> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.values.get(i)
    }

    /// The features, in batch order.
    pub fn features(&self) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.names.iter().copied().zip(self.values.iter())
    }

    /// The candidate's own attributes (from the batch's JSON), if it has any.
    pub fn attributes(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.parsed
            .get_or_init(|| {
                if self.attributes.is_empty() {
                    return None;
                }
                match serde_json::from_str::<serde_json::Value>(self.attributes) {
                    Ok(serde_json::Value::Object(map)) => Some(map),
                    _ => None,
                }
            })
            .as_ref()
    }

    /// A feature, else the candidate's own attribute of that name, else missing (as a script
    /// reads `site.road_distance` or `site["人口"]`).
    pub fn get(&self, name: &str) -> Value {
        if let Some(v) = self.feature(name) {
            return v.clone();
        }
        self.attributes()
            .and_then(|a| a.get(name))
            .map_or(Value::Missing, Value::from)
    }

    /// A number (whole numbers converted to `f64`), `None` when missing or not a number.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.get(name).number()
    }

    /// A bool, `None` when missing or not a bool.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name).flag()
    }

    /// Text, `None` when missing or not text.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Anything but missing, as JSON (lists and tables such as a community's villages).
    pub fn json(&self, name: &str) -> Option<serde_json::Value> {
        match self.get(name) {
            Value::Missing => None,
            v => Some(v.to_json()),
        }
    }

    // ---- The spatial helpers (answered by the host; hecun-plugin-abi's HELPERS) ----
    //
    // An `Err` is a helper that could not answer (a layer the plan does not load, a candidate
    // without a place): the host answers the candidate with it whatever the rule does next,
    // so pass it on with `?`.

    /// Metres to the nearest feature of `layer` (of `class`); `None` if it has none.
    pub fn distance_to(
        &self,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<f64>, HelperError> {
        host::distance_to(self.index, layer, class)
    }

    /// The nearest feature of `layer` (of `class`): its id and distance; `None` if it has none.
    pub fn nearest(
        &self,
        layer: &str,
        class: Option<&str>,
    ) -> Result<Option<Nearest>, HelperError> {
        Ok(host::nearest(self.index, layer, class)?.map(|(id, distance)| Nearest { id, distance }))
    }

    /// How many features of `layer` (of `class`) lie within `metres`.
    pub fn count_within(
        &self,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<i64, HelperError> {
        host::count_within(self.index, layer, metres, class)
    }

    /// The ids of the features of `layer` (of `class`) within `metres`, in file order.
    pub fn ids_within(
        &self,
        layer: &str,
        metres: f64,
        class: Option<&str>,
    ) -> Result<Vec<String>, HelperError> {
        host::ids_within(self.index, layer, metres, class)
    }

    /// The sum of the numeric attribute `field` over the features of `layer` within `metres`.
    pub fn sum_within(&self, layer: &str, field: &str, metres: f64) -> Result<f64, HelperError> {
        host::sum_within(self.index, layer, field, metres)
    }

    /// The mean of the numeric attribute `field` over the features of `layer` within
    /// `metres`; `None` when none lies within.
    pub fn mean_within(
        &self,
        layer: &str,
        field: &str,
        metres: f64,
    ) -> Result<Option<f64>, HelperError> {
        host::mean_within(self.index, layer, field, metres)
    }

    /// The sum of `field` over the features of `layer` inside the candidate's polygon (each
    /// by its representative point; a candidate without an area is an error).
    pub fn sum_inside(&self, layer: &str, field: &str) -> Result<f64, HelperError> {
        host::sum_inside(self.index, layer, field)
    }

    /// How many features of `layer` lie inside the candidate's polygon.
    pub fn count_inside(&self, layer: &str) -> Result<i64, HelperError> {
        host::count_inside(self.index, layer)
    }

    /// The mean of `field` over the features of `layer` inside the candidate's polygon;
    /// `None` when there are none.
    pub fn mean_inside(&self, layer: &str, field: &str) -> Result<Option<f64>, HelperError> {
        host::mean_inside(self.index, layer, field)
    }

    /// The sum of `field` over the features of `layer` in feature `area_id` of layer
    /// `area_layer` (e.g. `sum_in_area("patients", "人数", "townships", "T3")`).
    pub fn sum_in_area(
        &self,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<f64, HelperError> {
        host::sum_in_area(self.index, layer, field, area_layer, area_id)
    }

    /// How many features of `layer` lie in feature `area_id` of layer `area_layer`.
    pub fn count_in_area(
        &self,
        layer: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<i64, HelperError> {
        host::count_in_area(self.index, layer, area_layer, area_id)
    }

    /// The mean of `field` over the features of `layer` in feature `area_id` of
    /// `area_layer`; `None` when there are none.
    pub fn mean_in_area(
        &self,
        layer: &str,
        field: &str,
        area_layer: &str,
        area_id: &str,
    ) -> Result<Option<f64>, HelperError> {
        host::mean_in_area(self.index, layer, field, area_layer, area_id)
    }

    /// The sum of `field` over all features of `layer` per value of its attribute `by`
    /// (e.g. per township), sorted by group.
    pub fn sum_by(
        &self,
        layer: &str,
        field: &str,
        by: &str,
    ) -> Result<BTreeMap<String, f64>, HelperError> {
        numbers(
            "sum_by",
            host::field_grouped("sum_by", self.index, layer, field, by)?,
        )
    }

    /// How many features of `layer` have each value of attribute `by`.
    pub fn count_by(&self, layer: &str, by: &str) -> Result<BTreeMap<String, i64>, HelperError> {
        counts(
            "count_by",
            host::count_grouped("count_by", self.index, layer, by)?,
        )
    }

    /// The mean of `field` over the features of `layer` per value of attribute `by`.
    pub fn mean_by(
        &self,
        layer: &str,
        field: &str,
        by: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, HelperError> {
        means(
            "mean_by",
            host::field_grouped("mean_by", self.index, layer, field, by)?,
        )
    }

    /// The sum of `field` over the features of `layer` per feature (by id) of `area_layer`:
    /// each feature in the first area holding its representative point; every area listed.
    pub fn sum_by_area(
        &self,
        layer: &str,
        field: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, f64>, HelperError> {
        let groups = host::field_grouped("sum_by_area", self.index, layer, field, area_layer)?;
        numbers("sum_by_area", groups)
    }

    /// How many features of `layer` lie in each feature of `area_layer`.
    pub fn count_by_area(
        &self,
        layer: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, i64>, HelperError> {
        let groups = host::count_grouped("count_by_area", self.index, layer, area_layer)?;
        counts("count_by_area", groups)
    }

    /// The mean of `field` over the features of `layer` per feature of `area_layer`; `None`
    /// for an area without features.
    pub fn mean_by_area(
        &self,
        layer: &str,
        field: &str,
        area_layer: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, HelperError> {
        let groups = host::field_grouped("mean_by_area", self.index, layer, field, area_layer)?;
        means("mean_by_area", groups)
    }

    /// The share (0–1) of the candidate's area that `layer` (of `class`) covers.
    pub fn overlap_share(&self, layer: &str, class: Option<&str>) -> Result<f64, HelperError> {
        host::overlap_share(self.index, layer, class)
    }

    /// Whether the candidate touches a feature of `layer` (of `class`).
    pub fn touches(&self, layer: &str, class: Option<&str>) -> Result<bool, HelperError> {
        host::touches(self.index, layer, class)
    }

    /// Whether it touches a demolition zone (of `class`): `touches("zones", class)`.
    pub fn in_zone(&self, class: Option<&str>) -> Result<bool, HelperError> {
        self.touches("zones", class)
    }

    /// Whether the plan loads `layer` (never an error: a plan without it answers false).
    pub fn has_layer(&self, layer: &str) -> bool {
        host::has_layer(self.index, layer)
    }

    /// Whether the candidate has a place (geometry) the helpers can measure from.
    pub fn has_geometry(&self) -> bool {
        host::has_geometry(self.index)
    }
}

/// The groups of a sum; another kind of value is the host's mistake, reported as the helper's.
fn numbers(helper: &'static str, groups: Groups) -> Result<BTreeMap<String, f64>, HelperError> {
    groups
        .into_iter()
        .map(|(k, v)| match v {
            GroupValue::Number(n) => Ok((k, n)),
            other => Err(HelperError::unexpected(helper, &other)),
        })
        .collect()
}

fn counts(helper: &'static str, groups: Groups) -> Result<BTreeMap<String, i64>, HelperError> {
    groups
        .into_iter()
        .map(|(k, v)| match v {
            GroupValue::Count(n) => Ok((k, n)),
            other => Err(HelperError::unexpected(helper, &other)),
        })
        .collect()
}

fn means(
    helper: &'static str,
    groups: Groups,
) -> Result<BTreeMap<String, Option<f64>>, HelperError> {
    groups
        .into_iter()
        .map(|(k, v)| match v {
            GroupValue::Number(n) => Ok((k, Some(n))),
            GroupValue::None => Ok((k, None)),
            other => Err(HelperError::unexpected(helper, &other)),
        })
        .collect()
}

/// The plugin's parameters: the manifest's `[params]`, handed over once at load.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    map: serde_json::Map<String, serde_json::Value>,
}

impl Params {
    /// Parameters from their JSON text (a table; empty text is no parameters).
    pub fn from_json(text: &str) -> Result<Params, String> {
        if text.trim().is_empty() {
            return Ok(Params::default());
        }
        match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(map)) => Ok(Params { map }),
            Ok(other) => Err(format!("the parameters must be a table, not {other}")),
            Err(e) => Err(format!("the parameters do not parse as JSON: {e}")),
        }
    }

    /// A parameter as a [`Value`] (missing when absent; lists and tables as JSON).
    pub fn get(&self, name: &str) -> Value {
        self.map.get(name).map_or(Value::Missing, Value::from)
    }

    /// A number (whole numbers converted), `None` when absent or not a number.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.get(name).number()
    }

    /// A bool, `None` when absent or not a bool.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.map.get(name).and_then(|v| v.as_bool())
    }

    /// Text, `None` when absent or not text.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.map.get(name).and_then(|v| v.as_str())
    }

    /// The parameter's JSON, `None` when absent.
    pub fn json(&self, name: &str) -> Option<&serde_json::Value> {
        self.map.get(name)
    }

    /// Every parameter.
    pub fn all(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.map
    }

    /// The rows of an earlier stage's table the plugin reads (`reads = ["tables.NAME.COLUMN"]`),
    /// as the host hands them over in `params.tables`: each row an object of the declared
    /// columns, in the table's order. An error naming the table when it was not handed over
    /// (the manifest does not read it).
    ///
    /// ```
    /// use hecun_plugin_sdk::{Params, Value, json};
    ///
    /// let params = Params::from_json(&json!({"tables": {"rehab-demand": [
    ///     {"township": "东镇", "people": 6}, {"township": "西镇", "people": 3}]}}).to_string())?;
    /// assert_eq!(params.table("rehab-demand")?.len(), 2);
    /// let row = params.find_row("rehab-demand", "township", &Value::from("西镇"))?.unwrap();
    /// assert_eq!(row["people"], 3);
    /// assert!(params.find_row("rehab-demand", "township", &Value::from("北镇"))?.is_none());
    /// assert!(params.table("funding").unwrap_err().contains("tables.funding"));
    /// # Ok::<(), String>(())
    /// ```
    pub fn table(&self, name: &str) -> Result<&[serde_json::Value], String> {
        self.map
            .get("tables")
            .and_then(|t| t.get(name))
            .and_then(|rows| rows.as_array())
            .map(Vec::as_slice)
            .ok_or_else(|| {
                format!(
                    "table {name:?} was not handed over: declare its columns in reads \
                     (\"tables.{name}.COLUMN\") and run it in the plan ([tables.{name}])"
                )
            })
    }

    /// The first row of table `name` (see [`Params::table`]) whose `column` holds `value`
    /// (text equal to text, numbers equal as numbers), `None` when no row does: as Rhai's
    /// `find_row(params.tables[name], column, value)`.
    pub fn find_row(
        &self,
        name: &str,
        column: &str,
        value: &Value,
    ) -> Result<Option<&serde_json::Map<String, serde_json::Value>>, String> {
        Ok(self
            .table(name)?
            .iter()
            .filter_map(|row| row.as_object())
            .find(|row| {
                let cell = row.get(column).map_or(Value::Missing, Value::from);
                match (&cell, value) {
                    (Value::Text(a), Value::Text(b)) => a == b,
                    _ => matches!((cell.number(), value.number()), (Some(a), Some(b)) if a == b),
                }
            }))
    }

    /// A number the rule cannot do without: an error that names the parameter otherwise.
    pub fn require_number(&self, name: &str) -> Result<f64, String> {
        self.number(name).ok_or_else(|| match self.map.get(name) {
            None => format!("parameter {name:?} is missing"),
            Some(v) => format!("parameter {name:?} must be a number, not {v}"),
        })
    }
}
