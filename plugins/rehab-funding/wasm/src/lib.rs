//! 精神障碍社区康复服务经费 (`plugins/rehab-funding/rows.rhai`) as a WebAssembly plugin: the
//! same rows, to the bit, from the same parameters and the same input.
//!
//! Per district: the people served (the sum of `patients.人数`), its centres
//! (`params.centres`), and per year the base funding (centres × base_people ×
//! per_person_month × months, paid whether or not the base is full), the funding above the
//! base (per person actually served), the one-off facility grant per centre, supervision
//! (`supervision_percent` % of those three, to the fen), the total and the city's and the
//! district's shares by the district's share class. The host adds subtotals and totals.

use std::collections::{BTreeMap, BTreeSet};

use hecun_plugin_sdk::serde_json::{self, Value as J};
use hecun_plugin_sdk::{Candidate, Params, Row, Table};

/// The rule, with its parameters read once.
pub struct RehabFunding {
    per_person_month: i64,
    months: i64,
    base_people: i64,
    facility_grant: i64,
    supervision_percent: i64,
    class_city_percent: BTreeMap<String, i64>,
    district_class: BTreeMap<String, String>,
    centres: BTreeMap<String, i64>,
}

fn whole(params: &Params, name: &str) -> Result<i64, String> {
    params
        .json(name)
        .and_then(J::as_i64)
        .ok_or_else(|| format!("parameter {name:?} must be a whole number"))
}

fn table<T>(
    params: &Params,
    name: &str,
    value: impl Fn(&J) -> Option<T>,
) -> Result<BTreeMap<String, T>, String> {
    let map = params
        .json(name)
        .and_then(J::as_object)
        .ok_or_else(|| format!("parameter {name:?} must be a table"))?;
    map.iter()
        .map(|(k, v)| {
            value(v)
                .map(|v| (k.clone(), v))
                .ok_or_else(|| format!("parameter {name}.{k} is {v}, not what it should be"))
        })
        .collect()
}

/// Rhai's `(x * 100.0).round() / 100.0`: to the fen.
fn fen(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Table for RehabFunding {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(RehabFunding {
            per_person_month: whole(params, "per_person_month")?,
            months: whole(params, "months")?,
            base_people: whole(params, "base_people")?,
            facility_grant: whole(params, "facility_grant")?,
            supervision_percent: whole(params, "supervision_percent")?,
            class_city_percent: table(params, "class_city_percent", J::as_i64)?,
            district_class: table(params, "district_class", |v| v.as_str().map(str::to_owned))?,
            centres: table(params, "centres", J::as_i64)?,
        })
    }

    fn rows(&self, input: &Candidate) -> Result<Vec<Row>, String> {
        let layers = input.json("layers").ok_or("the input has no layers")?;
        let patients = layers
            .get("patients")
            .and_then(J::as_array)
            .ok_or("the input has no patients layer")?;
        let mut people: BTreeMap<String, i64> = BTreeMap::new();
        for p in patients {
            let id = match p.get("id") {
                Some(J::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "()".to_owned(),
            };
            let d = match p.get("区县") {
                Some(J::String(d)) if !d.is_empty() => d.clone(),
                _ => return Err(format!("patient point {id} has no 区县")),
            };
            let n = match p.get("人数").and_then(J::as_i64) {
                Some(n) => n,
                None => {
                    let shown = match p.get("人数") {
                        Some(J::String(s)) => s.clone(),
                        Some(J::Null) | None => "()".to_owned(),
                        Some(other) => other.to_string(),
                    };
                    return Err(format!(
                        "patient point {id}: 人数 {shown} is not a whole number"
                    ));
                }
            };
            *people.entry(d).or_insert(0) += n;
        }
        let districts: BTreeSet<&String> = people.keys().chain(self.centres.keys()).collect();
        let rate = self.per_person_month * self.months;
        let mut out = Vec::new();
        for d in districts {
            let centres = *self.centres.get(d).ok_or_else(|| {
                format!("district {d} has patients but params.centres gives it no centres")
            })?;
            let class = self.district_class.get(d).ok_or_else(|| {
                format!("district {d} has no share class in params.district_class")
            })?;
            let city_percent = *self.class_city_percent.get(class).ok_or_else(|| {
                format!("share class {class} of district {d} is not in params.class_city_percent")
            })?;
            let served = people.get(d).copied().unwrap_or(0);
            let base_people = centres * self.base_people;
            let base = base_people * rate;
            let extra = if served > base_people {
                (served - base_people) * rate
            } else {
                0
            };
            let grant = centres * self.facility_grant;
            let subtotal = base + extra + grant;
            let supervision = fen(subtotal as f64 * self.supervision_percent as f64 / 100.0);
            let total = subtotal as f64 + supervision;
            let city = fen(total * city_percent as f64 / 100.0);
            let row = serde_json::json!({
                "district": d,
                "share_class": class,
                "centres": centres,
                "people": served,
                "base_funding": base,
                "extra_funding": extra,
                "facility_grant": grant,
                "supervision": supervision,
                "total": total,
                "city_share": city,
                "district_share": total - city,
            });
            if let J::Object(row) = row {
                out.push(row);
            }
        }
        Ok(out)
    }
}

hecun_plugin_sdk::export_table!(RehabFunding);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::json;
    use hecun_plugin_sdk::testing::{Answer, table_one};

    fn params() -> J {
        json!({
            "per_person_month": 400, "months": 12, "base_people": 100,
            "facility_grant": 250_000, "supervision_percent": 2,
            "class_city_percent": { "5:5": 50, "4:6": 40 },
            "district_class": { "甲区": "5:5", "乙区": "4:6" },
            "centres": { "甲区": 2, "乙区": 2 },
        })
    }

    #[test]
    fn the_base_is_paid_in_full_and_people_above_it_per_person() {
        let input = json!({ "layers": { "patients": [
            { "id": "P1", "name": "a", "区县": "甲区", "人数": 150 },
            { "id": "P2", "name": "b", "区县": "乙区", "人数": 230 },
        ] } });
        let Answer::Rows(rows) = table_one::<RehabFunding>(params(), input) else {
            panic!("no rows");
        };
        // Districts in name order (by code point: 乙 before 甲).
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["district"], json!("甲区"));
        assert_eq!(rows[1]["base_funding"], json!(960_000));
        assert_eq!(rows[1]["extra_funding"], json!(0));
        assert_eq!(rows[1]["total"], json!(1_489_200.0));
        assert_eq!(rows[0]["extra_funding"], json!(144_000));
        assert_eq!(rows[0]["city_share"], json!(654_432.0));
        assert_eq!(rows[0]["district_share"], json!(981_648.0));
    }

    #[test]
    fn a_district_without_centres_is_named() {
        let input = json!({ "layers": { "patients": [
            { "id": "P1", "name": "a", "区县": "丙区", "人数": 1 },
        ] } });
        let answer = table_one::<RehabFunding>(params(), input);
        assert_eq!(
            answer,
            Answer::Error(
                "district 丙区 has patients but params.centres gives it no centres".into()
            )
        );
    }
}
