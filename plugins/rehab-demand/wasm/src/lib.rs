//! 精神障碍社区康复服务需求 (`plugins/rehab-demand/rows.rhai`) as a WebAssembly plugin: the
//! same rows from the same input.
//!
//! One row per township: its district and the people with a community-rehabilitation need
//! there (the sum of `patients.人数`), by district then township, each in name order. A
//! township in two districts, or a patient point without its township, district or a whole
//! number of people, is an error naming it. The host adds the subtotals per district.

use std::collections::BTreeMap;

use hecun_plugin_sdk::serde_json::{self, Value as J};
use hecun_plugin_sdk::{Candidate, Params, Row, Table};

/// The rule (it has no parameters).
pub struct RehabDemand;

/// A patient point's field as the script shows it in a message.
fn shown(v: Option<&J>) -> String {
    match v {
        Some(J::String(s)) => s.clone(),
        Some(J::Null) | None => "()".to_owned(),
        Some(other) => other.to_string(),
    }
}

/// A non-empty text field, or the script's error.
fn text(p: &J, field: &str, id: &str) -> Result<String, String> {
    match p.get(field) {
        Some(J::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(format!("patient point {id} has no {field}")),
    }
}

impl Table for RehabDemand {
    fn new(_: &Params) -> Result<Self, String> {
        Ok(RehabDemand)
    }

    fn rows(&self, input: &Candidate) -> Result<Vec<Row>, String> {
        let layers = input.json("layers").ok_or("the input has no layers")?;
        let patients = layers
            .get("patients")
            .and_then(J::as_array)
            .ok_or("the input has no patients layer")?;
        let mut people: BTreeMap<String, i64> = BTreeMap::new();
        let mut district: BTreeMap<String, String> = BTreeMap::new();
        for p in patients {
            let id = shown(p.get("id"));
            let t = text(p, "乡镇", &id)?;
            let d = text(p, "区县", &id)?;
            let n = p.get("人数").and_then(J::as_i64).ok_or_else(|| {
                format!(
                    "patient point {id}: 人数 {} is not a whole number",
                    shown(p.get("人数"))
                )
            })?;
            if let Some(known) = district.get(&t)
                && *known != d
            {
                return Err(format!("township {t} lies in {known} and in {d}"));
            }
            district.insert(t.clone(), d);
            // Rhai's integers stop the script on overflow; so does this.
            let sum = people.entry(t).or_insert(0);
            *sum = sum
                .checked_add(n)
                .ok_or("人数: the sum overflows a 64-bit integer")?;
        }
        let mut districts: Vec<&String> = district.values().collect();
        districts.sort();
        districts.dedup();
        let mut out = Vec::new();
        for d in districts {
            for (t, n) in &people {
                if district.get(t) == Some(d) {
                    let row = serde_json::json!({ "district": d, "township": t, "people": n });
                    if let J::Object(row) = row {
                        out.push(row);
                    }
                }
            }
        }
        Ok(out)
    }
}

hecun_plugin_sdk::export_table!(RehabDemand);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::json;
    use hecun_plugin_sdk::testing::{Answer, table_one};

    #[test]
    fn a_township_in_two_districts_is_named() {
        let input = json!({ "layers": { "patients": [
            { "id": "P1", "name": "a", "乡镇": "东镇", "区县": "甲区", "人数": 4 },
            { "id": "P2", "name": "b", "乡镇": "东镇", "区县": "乙区", "人数": 3 },
        ] } });
        assert_eq!(
            table_one::<RehabDemand>(json!({}), input),
            Answer::Error("township 东镇 lies in 甲区 and in 乙区".into())
        );
    }

    #[test]
    fn a_point_without_its_township_or_people_is_named() {
        let input = json!({ "layers": { "patients": [
            { "id": "P1", "name": "a", "区县": "甲区", "人数": 4 },
        ] } });
        assert_eq!(
            table_one::<RehabDemand>(json!({}), input),
            Answer::Error("patient point P1 has no 乡镇".into())
        );
        let input = json!({ "layers": { "patients": [
            { "id": "P1", "name": "a", "乡镇": "东镇", "区县": "甲区", "人数": 1.5 },
        ] } });
        assert_eq!(
            table_one::<RehabDemand>(json!({}), input),
            Answer::Error("patient point P1: 人数 1.5 is not a whole number".into())
        );
    }
}
