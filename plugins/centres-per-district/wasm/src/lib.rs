//! "N centres per district" (`plugins/centres-per-district/targets.rhai`) as a WebAssembly
//! plugin: the same measures from the same parameters and the same input.
//!
//! The chosen sites of the named scoring job `params.scoring`, counted in all (target
//! `total`, wanted `params.total`) and per district of `params.per_district` by their field
//! `params.district_field` (target `per_district`, wanted each district's minimum). The
//! host judges met or missed.

use std::collections::BTreeMap;

use hecun_plugin_sdk::serde_json::{Value as J, json};
use hecun_plugin_sdk::{Candidate, Measure, Params, Target, measure};

/// The rule, with its parameters read once.
pub struct CentresPerDistrict {
    scoring: String,
    district_field: String,
    total: J,
    per_district: BTreeMap<String, J>,
}

impl Target for CentresPerDistrict {
    fn new(params: &Params) -> Result<Self, String> {
        let text = |name: &str| {
            params
                .json(name)
                .and_then(J::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("parameter {name:?} must be a text"))
        };
        let per_district = params
            .json("per_district")
            .and_then(J::as_object)
            .ok_or("parameter \"per_district\" must be a table, district → count")?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(CentresPerDistrict {
            scoring: text("scoring")?,
            district_field: text("district_field")?,
            // Handed on as given: the host refuses a wanted value that is not a number.
            total: params.json("total").cloned().unwrap_or(J::Null),
            per_district,
        })
    }

    fn measure(&self, input: &Candidate) -> Result<Vec<Measure>, String> {
        let run = input.json("run").ok_or("the input has no run")?;
        let scoring = run
            .get("scorings")
            .and_then(|s| s.get(&self.scoring))
            .ok_or_else(|| {
                format!(
                    "the run has no scoring job named {} (params.scoring): list it as [[scorings]] name = \"{}\"",
                    self.scoring, self.scoring
                )
            })?;
        let chosen = scoring
            .get("chosen")
            .and_then(J::as_array)
            .ok_or("the scoring job has no chosen list")?;
        let mut all: Vec<J> = Vec::new();
        let mut by_district: BTreeMap<&str, Vec<J>> = self
            .per_district
            .keys()
            .map(|d| (d.as_str(), Vec::new()))
            .collect();
        for site in chosen {
            let id = site.get("id").cloned().unwrap_or(J::Null);
            let district = match site.get(&self.district_field) {
                Some(J::String(d)) if !d.is_empty() => d.as_str(),
                _ => {
                    let shown = match &id {
                        J::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    return Err(format!(
                        "chosen site {shown} has no {}",
                        self.district_field
                    ));
                }
            };
            all.push(id.clone());
            if let Some(list) = by_district.get_mut(district) {
                list.push(id);
            }
        }
        let counted: hecun_plugin_sdk::serde_json::Map<String, J> = by_district
            .iter()
            .map(|(d, ids)| ((*d).to_owned(), json!(ids.len() as i64)))
            .collect();
        let wanted: hecun_plugin_sdk::serde_json::Map<String, J> = self
            .per_district
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let n = all.len() as i64;
        Ok(vec![
            measure("total", n, self.total.clone(), J::Array(all)),
            measure("per_district", counted, wanted, json!(by_district)),
        ])
    }
}

hecun_plugin_sdk::export_target!(CentresPerDistrict);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::testing::{self, Answer};

    fn params() -> J {
        json!({
            "scoring": "rehab-centres",
            "district_field": "区县",
            "total": 3,
            "per_district": { "中原区": 2, "金水区": 1 },
        })
    }

    #[test]
    fn counts_in_all_and_per_district() {
        let input = json!({ "run": { "scorings": { "rehab-centres": { "chosen": [
            { "id": "B1", "区县": "中原区" },
            { "id": "B2", "区县": "惠济区" },
        ] } } } });
        let Answer::Measures(m) = testing::target_one::<CentresPerDistrict>(params(), input) else {
            panic!("not measures");
        };
        assert_eq!(m[0]["measured"], 2);
        assert_eq!(m[0]["wanted"], 3);
        assert_eq!(m[0]["evidence"], json!(["B1", "B2"]));
        assert_eq!(m[1]["measured"], json!({ "中原区": 1, "金水区": 0 }));
        assert_eq!(m[1]["evidence"], json!({ "中原区": ["B1"], "金水区": [] }));
    }

    #[test]
    fn a_site_without_a_district_is_an_error() {
        let input = json!({ "run": { "scorings": { "rehab-centres": { "chosen": [
            { "id": "B1" },
        ] } } } });
        let answer = testing::target_one::<CentresPerDistrict>(params(), input);
        assert!(
            matches!(&answer, Answer::Error(e) if e.contains("B1") && e.contains("区县")),
            "{answer:?}"
        );
    }
}
