//! 启动标准 (`plugins/launch-criteria/check.rhai`) as a WebAssembly plugin: the same findings,
//! in the same order, with the same reasons and evidence.
//!
//! A community launches when, for every merged village: the plan is approved; no homestead
//! land was newly approved and nothing newly built; new construction land is legal;
//! infrastructure and resettlement housing have started. Forced demolition in any merged
//! village is a one-vote veto.

use hecun_plugin_sdk::serde_json::{self, Map};
use hecun_plugin_sdk::{Candidate, Finding, LaunchCheck, Params, Value, fail, json, message, veto};

/// The rule (it has no parameters).
pub struct LaunchCriteria;

/// `flag(v, field)`: the village's field if it is a bool, else `()`.
fn flag(v: &Map<String, serde_json::Value>, field: &str) -> Option<bool> {
    v.get(field).and_then(serde_json::Value::as_bool)
}

/// `v.id`: the village's id as it is (`null` when it has none).
fn village_id(v: &Map<String, serde_json::Value>) -> serde_json::Value {
    v.get("id").cloned().unwrap_or(serde_json::Value::Null)
}

/// How Rhai's `${value}` writes a value the host could not read as yes/no.
fn as_written(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `require(…)`: the finding when village `v` does not have `field == wanted`. A missing
/// field and a value the host could not read (handed over as written) both fail, saying which.
/// The reasons are the manifest's messages `criterion`, `criterion_missing` and
/// `criterion_unreadable`.
fn require(
    v: &Map<String, serde_json::Value>,
    field: &str,
    criterion: &str,
    wanted: bool,
) -> Option<Finding> {
    match v.get(field) {
        None | Some(serde_json::Value::Null) => Some(fail(
            criterion,
            message(&format!("{criterion}_missing"), json!({})),
            json!({ "village": village_id(v), "field": field }),
        )),
        Some(serde_json::Value::Bool(value)) if *value != wanted => Some(fail(
            criterion,
            message(criterion, json!({})),
            json!({ "village": village_id(v), "field": field, "value": value }),
        )),
        Some(serde_json::Value::Bool(_)) => None,
        Some(other) => Some(fail(
            criterion,
            message(
                &format!("{criterion}_unreadable"),
                json!({ "value": as_written(other) }),
            ),
            json!({ "village": village_id(v), "field": field, "value": other }),
        )),
    }
}

impl LaunchCheck for LaunchCriteria {
    fn new(_: &Params) -> Result<Self, String> {
        Ok(LaunchCriteria)
    }

    fn check(&self, community: &Candidate) -> Result<Vec<Finding>, String> {
        // `community.id`: the id the host gives the community (its name).
        let id = match community.get("id") {
            Value::Missing => Value::from(community.id()),
            id => id,
        };
        let villages = match community.get("villages") {
            Value::Json(serde_json::Value::Array(list)) => list,
            // An empty text has length 0 and nothing to iterate, as in Rhai.
            Value::Text(t) if t.is_empty() => Vec::new(),
            other => {
                return Err(format!(
                    "community.villages must be an array, not {}",
                    other.type_name()
                ));
            }
        };
        let mut found = Vec::new();
        if villages.is_empty() {
            found.push(fail(
                "has_villages",
                message("has_villages", json!({})),
                json!({ "community": id }),
            ));
        }
        for v in &villages {
            let v = v
                .as_object()
                .ok_or_else(|| format!("each of community.villages must be a table, not {v}"))?;
            if flag(v, "forced_demolition") == Some(true) {
                found.push(veto(
                    "no_forced_demolition",
                    message("no_forced_demolition", json!({})),
                    json!({ "village": village_id(v), "field": "forced_demolition", "value": true }),
                ));
            }
            found.extend(
                [
                    require(v, "plan_approved", "plan_approved", true),
                    require(v, "new_homestead_approved", "no_new_homestead", false),
                    require(v, "new_construction", "no_new_construction", false),
                    require(v, "land_legal", "land_legal", true),
                    require(v, "infra_started", "infrastructure_started", true),
                    require(v, "resettlement_started", "resettlement_started", true),
                ]
                .into_iter()
                .flatten(),
            );
        }
        Ok(found)
    }
}

hecun_plugin_sdk::export_launch_check!(LaunchCriteria);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::testing::{Answer, check_one};

    fn village(id: &str, fields: serde_json::Value) -> serde_json::Value {
        let mut v = json!({
            "id": id, "plan_approved": true, "new_homestead_approved": false,
            "new_construction": false, "land_legal": true, "infra_started": true,
            "resettlement_started": true, "forced_demolition": false
        });
        for (k, x) in fields.as_object().unwrap() {
            if x.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = x.clone();
            }
        }
        v
    }

    fn check(id: &str, villages: Vec<serde_json::Value>) -> Answer {
        check_one::<LaunchCriteria>(
            serde_json::Value::Null,
            &[
                ("id", id.into()),
                ("villages", Value::Json(villages.into())),
            ],
        )
    }

    // The manifest's [[tests]], in order.
    #[test]
    fn the_manifest_cases() {
        let a = check(
            "S001",
            vec![village("v1", json!({})), village("v2", json!({}))],
        );
        assert!(a.findings().is_empty(), "{a:?}");

        let a = check(
            "S002",
            vec![village("v1", json!({"new_construction": true}))],
        );
        assert_eq!(a.criteria(false), ["no_new_construction"]);
        assert!(a.criteria(true).is_empty());

        let a = check(
            "S003",
            vec![village("v1", json!({"forced_demolition": true}))],
        );
        assert_eq!(a.criteria(true), ["no_forced_demolition"]);
        assert!(a.criteria(false).is_empty());

        let a = check(
            "S004",
            vec![village(
                "v1",
                json!({ "plan_approved": false, "new_homestead_approved": true, "land_legal": false,
                        "infra_started": false, "resettlement_started": false, "forced_demolition": true }),
            )],
        );
        assert_eq!(a.criteria(true), ["no_forced_demolition"]);
        assert_eq!(
            a.criteria(false),
            [
                "infrastructure_started",
                "land_legal",
                "no_new_homestead",
                "plan_approved",
                "resettlement_started"
            ]
        );

        let a = check("S005", vec![village("v1", json!({"plan_approved": null}))]);
        assert_eq!(a.criteria(false), ["plan_approved"]);

        let a = check("S006", vec![]);
        assert_eq!(a.criteria(false), ["has_villages"]);
        assert_eq!(a.findings()[0].evidence["community"], json!("S006"));
    }

    #[test]
    fn findings_in_the_scripts_order_with_its_evidence() {
        let a = check(
            "S4",
            vec![village(
                "v1",
                json!({ "forced_demolition": true, "land_legal": false, "plan_approved": null }),
            )],
        );
        let f = a.findings();
        let order: Vec<_> = f.iter().map(|f| (f.criterion.as_str(), f.veto)).collect();
        assert_eq!(
            order,
            [
                ("no_forced_demolition", true),
                ("plan_approved", false),
                ("land_legal", false)
            ]
        );
        // Reasons are messages of the manifest, filled by the host in the report's language.
        assert_eq!(f[0].reason, message("no_forced_demolition", json!({})));
        assert_eq!(
            serde_json::Value::Object(f[0].evidence.clone()),
            json!({"village": "v1", "field": "forced_demolition", "value": true})
        );
        assert_eq!(f[1].reason, message("plan_approved_missing", json!({})));
        assert_eq!(
            serde_json::Value::Object(f[1].evidence.clone()),
            json!({"village": "v1", "field": "plan_approved"})
        );
        assert_eq!(
            serde_json::Value::Object(f[2].evidence.clone()),
            json!({"village": "v1", "field": "land_legal", "value": false})
        );
    }

    #[test]
    fn villages_that_are_not_tables_are_an_error() {
        let a = check("S7", vec![json!("v1")]);
        assert!(matches!(a, Answer::Error(_)), "{a:?}");
        let a = check_one::<LaunchCriteria>(serde_json::Value::Null, &[("id", "S8".into())]);
        assert!(matches!(a, Answer::Error(_)), "{a:?}");
    }
}
