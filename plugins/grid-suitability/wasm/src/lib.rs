//! Grid suitability (`plugins/grid-suitability/score.rhai`) as a WebAssembly plugin: the same
//! answers to the bit, operation by operation.
//!
//! A cell inside an ecological corridor is excluded. Any other cell scores
//! `w_access × max(0, 1 − d / reach_m) + w_setback × min(1, d / setback_m)`, d = road_distance.

use hecun_plugin_sdk::{
    Candidate, Outcome, Params, Score, SiteScore, Value, exclude, json, script,
};

/// The rule, with its parameters as given (each is read where the script reads it, so that a
/// parameter of the wrong type fails where the script fails).
pub struct GridSuitability {
    w_access: Value,
    reach_m: Value,
    w_setback: Value,
    setback_m: Value,
}

/// What `term` accepts as a weight or value: a number (a whole number converted).
fn number(v: &Value, what: &str) -> Result<f64, String> {
    v.number()
        .ok_or_else(|| format!("{what} must be a number, not {}", v.type_name()))
}

impl SiteScore for GridSuitability {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(GridSuitability {
            w_access: params.get("w_access"),
            reach_m: params.get("reach_m"),
            w_setback: params.get("w_setback"),
            setback_m: params.get("setback_m"),
        })
    }

    fn score(&self, c: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        // if c.in_corridor { return exclude("…"); }
        match c.get("in_corridor") {
            Value::Bool(true) => {
                return Ok(exclude(
                    "inside an ecological corridor (生态廊道)",
                    json!({}),
                ));
            }
            Value::Bool(false) => {}
            other => {
                return Err(format!(
                    "Data type incorrect: {} (expecting bool)",
                    other.type_name()
                ));
            }
        }
        // let d = c.road_distance;
        let d = c.get("road_distance");
        // let access = 1.0 - d / params.reach_m; if access < 0.0 { access = 0.0; }
        let mut access = script::sub(&Value::Float(1.0), &script::div(&d, &self.reach_m)?)?;
        if script::lt(&access, &Value::Float(0.0))? {
            access = Value::Float(0.0);
        }
        // let quiet = d / params.setback_m; if quiet > 1.0 { quiet = 1.0; }
        let mut quiet = script::div(&d, &self.setback_m)?;
        if script::gt(&quiet, &Value::Float(1.0))? {
            quiet = Value::Float(1.0);
        }
        // term("road_access", …) + term("noise_setback", …)
        let a = score.term(
            "road_access",
            number(&self.w_access, "term weight")?,
            number(&access, "term value")?,
        );
        let b = score.term(
            "noise_setback",
            number(&self.w_setback, "term weight")?,
            number(&quiet, "term value")?,
        );
        Ok((a + b).into())
    }
}

hecun_plugin_sdk::export_site_score!(GridSuitability);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::serde_json;
    use hecun_plugin_sdk::testing::{Answer, score_one};

    /// The manifest's `[params]`.
    fn params() -> serde_json::Value {
        json!({ "w_access": 0.7, "reach_m": 3000.0, "w_setback": 0.3, "setback_m": 100.0 })
    }

    fn cell(d: Value, in_corridor: bool) -> Answer {
        score_one::<GridSuitability>(
            params(),
            &[("road_distance", d), ("in_corridor", in_corridor.into())],
        )
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    // The manifest's [[tests]].
    #[test]
    fn inside_a_corridor_is_excluded() {
        match cell(150.0.into(), true) {
            Answer::Excluded { reason, evidence } => {
                assert!(reason.contains("ecological corridor"));
                assert!(evidence.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_manifest_cases() {
        for (d, score, access, setback) in [
            (
                Value::Float(100.0),
                0.976_666_666_666_666_7,
                0.676_666_666_666_666_7,
                0.3,
            ),
            (Value::Float(0.0), 0.7, 0.7, 0.0),
            (
                Value::Float(25.0),
                0.769_166_666_666_666_7,
                0.694_166_666_666_666_7,
                0.075,
            ),
            (Value::Float(1500.0), 0.65, 0.35, 0.3),
            (Value::Float(6547.24), 0.3, 0.0, 0.3),
            (Value::Int(3000), 0.3, 0.0, 0.3),
        ] {
            let a = cell(d.clone(), false);
            assert!(close(a.score(), score), "{d:?}: {a:?}");
            assert!(close(a.term("road_access"), access), "{d:?}: {a:?}");
            assert!(close(a.term("noise_setback"), setback), "{d:?}: {a:?}");
        }
    }

    #[test]
    fn bit_for_bit_the_scripts_operations() {
        let d = 1234.5678_f64;
        let access = 1.0 - d / 3000.0;
        let quiet = (d / 100.0_f64).min(1.0);
        let expected = 0.7 * access + 0.3 * quiet;
        assert_eq!(
            cell(d.into(), false).score().map(f64::to_bits),
            Some(expected.to_bits())
        );
    }

    #[test]
    fn whole_numbers_divide_as_in_rhai() {
        // With whole-number parameters Rhai divides whole numbers: 150 / 100 = 1, 50 / 100 = 0.
        let p = json!({ "w_access": 0.7, "reach_m": 3000, "w_setback": 0.3, "setback_m": 100 });
        let a = score_one::<GridSuitability>(
            p.clone(),
            &[
                ("road_distance", Value::Int(50)),
                ("in_corridor", false.into()),
            ],
        );
        assert_eq!(a.term("noise_setback"), Some(0.0));
        assert_eq!(a.term("road_access"), Some(0.7));
        let z = score_one::<GridSuitability>(
            json!({ "w_access": 0.7, "reach_m": 0, "w_setback": 0.3, "setback_m": 100 }),
            &[
                ("road_distance", Value::Int(50)),
                ("in_corridor", false.into()),
            ],
        );
        assert!(matches!(z, Answer::Error(_)), "{z:?}");
    }

    #[test]
    fn a_missing_distance_or_flag_is_an_error() {
        assert!(matches!(cell(Value::Missing, false), Answer::Error(_)));
        let a = score_one::<GridSuitability>(params(), &[("road_distance", 10.0.into())]);
        assert!(matches!(a, Answer::Error(_)), "{a:?}");
    }
}
