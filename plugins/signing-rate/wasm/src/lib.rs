//! 签约率 (`plugins/signing-rate/check.rhai`) as a WebAssembly plugin: the same findings, in
//! the same order, with the same reasons and evidence.
//!
//! A community may launch only if at least `min_rate` of the households of its merged
//! villages signed: Σ 签约户数 / Σ 户数. A village without either value, with one that is not a
//! number, or with more signed than households fails `signing_data`, naming it.

use hecun_plugin_sdk::serde_json::{self, Map};
use hecun_plugin_sdk::{Candidate, Finding, LaunchCheck, Params, Value, fail, json, message};

/// The rule and its parameter.
pub struct SigningRate {
    min_rate: f64,
    /// `params.min_rate` as written, for the evidence.
    min_rate_json: serde_json::Value,
}

const HOUSEHOLDS: &str = "户数";
const SIGNED: &str = "签约户数";

/// `v[field]`: `None` when missing (or null, which the script sees as `()` too).
fn value<'a>(v: &'a Map<String, serde_json::Value>, field: &str) -> Option<&'a serde_json::Value> {
    v.get(field).filter(|x| !x.is_null())
}

/// `number(value)`: a number as a float, else `None`.
fn number(value: &serde_json::Value) -> Option<f64> {
    value.as_f64()
}

/// How `${…}` writes a value in the script.
fn shown(v: &Map<String, serde_json::Value>, field: &str) -> String {
    match v.get(field) {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn id(v: &Map<String, serde_json::Value>) -> serde_json::Value {
    v.get("id").cloned().unwrap_or(serde_json::Value::Null)
}

impl LaunchCheck for SigningRate {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(SigningRate {
            min_rate: params.require_number("min_rate")?,
            min_rate_json: params
                .json("min_rate")
                .cloned()
                .unwrap_or(serde_json::Value::Null),
        })
    }

    fn check(&self, community: &Candidate) -> Result<Vec<Finding>, String> {
        let community_id = match community.get("id") {
            Value::Missing => Value::from(community.id()),
            id => id,
        };
        let villages = match community.get("villages") {
            Value::Json(serde_json::Value::Array(list)) => list,
            Value::Text(t) if t.is_empty() => Vec::new(),
            other => {
                return Err(format!(
                    "community.villages must be an array, not {}",
                    other.type_name()
                ));
            }
        };
        let mut found = Vec::new();
        let (mut households, mut signed) = (0.0_f64, 0.0_f64);
        let mut complete = true;
        for v in &villages {
            let v = v
                .as_object()
                .ok_or_else(|| format!("each of community.villages must be a table, not {v}"))?;
            let (hv, sv) = (value(v, HOUSEHOLDS), value(v, SIGNED));
            let (name, village) = (shown(v, "name"), shown(v, "id"));
            match (hv, sv) {
                (None, _) | (_, None) => {
                    let field = if hv.is_none() { HOUSEHOLDS } else { SIGNED };
                    found.push(fail(
                        "signing_data",
                        message(
                            "data_missing",
                            json!({ "name": name, "village": village, "field": field }),
                        ),
                        json!({ "village": id(v), "field": field }),
                    ));
                    complete = false;
                }
                (Some(hv), Some(sv)) => match (number(hv), number(sv)) {
                    (None, _) | (_, None) => {
                        let field = if number(hv).is_none() {
                            HOUSEHOLDS
                        } else {
                            SIGNED
                        };
                        found.push(fail(
                            "signing_data",
                            message(
                                "data_not_number",
                                json!({ "name": name, "village": village, "field": field }),
                            ),
                            json!({ "village": id(v), "field": field, "value": v[field] }),
                        ));
                        complete = false;
                    }
                    (Some(h), Some(s)) if h < 0.0 || s < 0.0 || s > h => {
                        found.push(fail(
                            "signing_data",
                            message(
                                "data_inconsistent",
                                json!({ "name": name, "village": village }),
                            ),
                            json!({ "village": id(v), "field": SIGNED, "value": sv, "households": hv }),
                        ));
                        complete = false;
                    }
                    (Some(h), Some(s)) => {
                        households += h;
                        signed += s;
                    }
                },
            }
        }
        if complete {
            if households <= 0.0 {
                found.push(fail(
                    "signing_rate",
                    message("no_households", json!({})),
                    json!({ "community": community_id, "households": households }),
                ));
            } else {
                let rate = signed / households;
                if rate < self.min_rate {
                    found.push(fail(
                        "signing_rate",
                        message(
                            "rate_below",
                            json!({ "rate": rate, "min_rate": self.min_rate_json }),
                        ),
                        json!({
                            "community": community_id, "signed": signed, "households": households,
                            "rate": rate, "min_rate": self.min_rate_json
                        }),
                    ));
                }
            }
        }
        Ok(found)
    }
}

hecun_plugin_sdk::export_launch_check!(SigningRate);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::testing::check_one;

    fn check(villages: serde_json::Value) -> Vec<String> {
        let answer = check_one::<SigningRate>(
            json!({ "min_rate": 0.95 }),
            &[("id", "S".into()), ("villages", Value::Json(villages))],
        );
        answer
            .criteria(false)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_rate_is_over_all_households() {
        let pass = json!([{ "id": "v1", "户数": 20, "签约户数": 16 }, { "id": "v2", "户数": 380, "签约户数": 376 }]);
        assert!(check(pass).is_empty());
        assert_eq!(
            check(json!([{ "id": "v1", "户数": 200, "签约户数": 189 }])),
            ["signing_rate"]
        );
        assert_eq!(
            check(json!([{ "id": "v1", "户数": 200 }])),
            ["signing_data"]
        );
        assert_eq!(check(json!([])), ["signing_rate"]);
    }
}
