//! 精神障碍社区康复服务机构选址 (`plugins/rehab-siting/score.rhai`) as a WebAssembly plugin:
//! the same answers to the bit, operation by operation.
//!
//! A building is excluded when its places (床位) or staff (人员) fall outside the document's
//! 100–200 places and at least 8 staff, or are not given, when its township (乡镇) is not
//! given, or when it lies in a demolition zone; otherwise it scores by the people in need in
//! its township — its row of the rehab-demand table, an earlier stage of the plan, handed
//! over as `params.tables` — against the township with the most, and by the share of them
//! within `reach` metres of it.

use hecun_plugin_sdk::serde_json::Value as J;
use hecun_plugin_sdk::{
    Candidate, Outcome, Params, Score, SiteScore, Value, exclude, json, message, script,
};

/// The rule, with its parameters as given (each is read where the script reads it).
pub struct RehabSiting {
    min_places: Value,
    max_places: Value,
    min_staff: Value,
    reach: Value,
    w_demand: Value,
    w_near: Value,
    /// The rows of the earlier stage's table rehab-demand (`township`, `people`).
    demand: Vec<J>,
}

/// A demand row's `people` as a number (the script's `row.people.to_float()`).
fn people_of(row: Option<&J>) -> Result<f64, String> {
    row.and_then(|r| r.get("people"))
        .and_then(J::as_f64)
        .ok_or_else(|| "a rehab-demand row has no number of people".to_owned())
}

/// The script's `number(site, field)`: a whole number as a float, a float as it is, anything
/// else missing.
fn number(site: &Candidate, field: &str) -> Value {
    match site.get(field) {
        Value::Int(i) => Value::Float(i as f64),
        Value::Float(f) => Value::Float(f),
        _ => Value::Missing,
    }
}

fn float(v: &Value, what: &str) -> Result<f64, String> {
    v.number()
        .ok_or_else(|| format!("{what} must be a number, not {}", v.type_name()))
}

impl SiteScore for RehabSiting {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(RehabSiting {
            min_places: params.get("min_places"),
            max_places: params.get("max_places"),
            min_staff: params.get("min_staff"),
            reach: params.get("reach"),
            w_demand: params.get("w_demand"),
            w_near: params.get("w_near"),
            demand: params.table("rehab-demand")?.to_vec(),
        })
    }

    fn score(&self, site: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        let places = number(site, "床位");
        if places.is_missing() {
            return Ok(exclude(
                message("places_missing", json!({})),
                json!({ "field": "床位", "value": site.get("床位") }),
            ));
        }
        if script::lt(&places, &self.min_places)? || script::gt(&places, &self.max_places)? {
            return Ok(exclude(
                message(
                    "places_outside",
                    json!({ "places": places, "min": self.min_places, "max": self.max_places }),
                ),
                json!({ "field": "床位", "value": places, "min": self.min_places, "max": self.max_places }),
            ));
        }
        let staff = number(site, "人员");
        if staff.is_missing() {
            return Ok(exclude(
                message("staff_missing", json!({})),
                json!({ "field": "人员", "value": site.get("人员") }),
            ));
        }
        if script::lt(&staff, &self.min_staff)? {
            return Ok(exclude(
                message(
                    "staff_below",
                    json!({ "staff": staff, "min": self.min_staff }),
                ),
                json!({ "field": "人员", "value": staff, "min": self.min_staff }),
            ));
        }
        if site.touches("zones", None)? {
            let zone = site
                .nearest("zones", None)?
                .map(|z| z.id)
                .unwrap_or_default();
            return Ok(exclude(
                message("in_zone", json!({ "zone": zone })),
                json!({ "zone": zone }),
            ));
        }
        let Some(township) = site.text("乡镇") else {
            return Ok(exclude(
                message("township_missing", json!({})),
                json!({ "field": "乡镇", "value": site.get("乡镇") }),
            ));
        };
        // The township's row of the demand table, computed before this stage (the plan's
        // [tables.rehab-demand]), against the township with the most people in need.
        let mut most = 0.0;
        for row in &self.demand {
            let people = people_of(Some(row))?;
            if people > most {
                most = people;
            }
        }
        let mine = match self
            .demand
            .iter()
            .find(|row| row.get("township") == Some(&J::String(township.clone())))
        {
            Some(row) => people_of(Some(row))?,
            None => 0.0,
        };
        let demand = if most > 0.0 { mine / most } else { 0.0 };
        let near = if mine > 0.0 {
            let share = site.sum_within("patients", "人数", float(&self.reach, "reach")?)? / mine;
            if share > 1.0 { 1.0 } else { share }
        } else {
            0.0
        };
        let demand = score.term(
            "patient_demand",
            float(&self.w_demand, "term weight")?,
            demand,
        );
        let near = score.term("near_patients", float(&self.w_near, "term weight")?, near);
        Ok((demand + near).into())
    }
}

hecun_plugin_sdk::export_site_score!(RehabSiting);
