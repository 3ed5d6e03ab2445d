//! Grid suitability (`plugins/grid-suitability/score.rhai`) as a WebAssembly plugin: the same
//! answers to the bit, operation by operation.
//!
//! A cell inside an ecological corridor is excluded. Any other cell scores
//! `w_access × max(0, 1 − d / reach_m) + w_setback × min(1, d / setback_m)`, d = road_distance.

use hecun_plugin_sdk::{
    Candidate, Outcome, Params, Score, SiteScore, Value, exclude, json, message, script,
};

/// The rule, with its parameters as given (each is read where the script reads it, so that a
/// parameter of the wrong type fails where the script fails).
pub struct GridSuitability {
    w_access: Value,
    reach_m: Value,
    w_setback: Value,
    setback_m: Value,
    /// The four parameters when all are floats (as the manifest gives them): then a float
    /// distance takes the plain `f64` path below, the very operations the general path does on
    /// floats, without going through `Value` (half the time a cell takes in the guest).
    floats: Option<[f64; 4]>,
}

/// What `term` accepts as a weight or value: a number (a whole number converted).
fn number(v: &Value, what: &str) -> Result<f64, String> {
    v.number()
        .ok_or_else(|| format!("{what} must be a number, not {}", v.type_name()))
}

impl SiteScore for GridSuitability {
    fn new(params: &Params) -> Result<Self, String> {
        let [w_access, reach_m, w_setback, setback_m] =
            ["w_access", "reach_m", "w_setback", "setback_m"].map(|name| params.get(name));
        let floats = match (&w_access, &reach_m, &w_setback, &setback_m) {
            _ if tests::general_path_only() => None,
            (Value::Float(a), Value::Float(r), Value::Float(b), Value::Float(s)) => {
                Some([*a, *r, *b, *s])
            }
            _ => None,
        };
        Ok(GridSuitability {
            w_access,
            reach_m,
            w_setback,
            setback_m,
            floats,
        })
    }

    fn score(&self, c: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        // if c.in_corridor { return exclude("…"); }
        match c.feature("in_corridor").unwrap_or(&Value::Missing) {
            Value::Bool(true) => {
                return Ok(exclude(message("in_corridor", json!({})), json!({})));
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
        if let (Some([w_access, reach_m, w_setback, setback_m]), Some(Value::Float(d))) =
            (self.floats, c.feature("road_distance"))
        {
            let access = 1.0 - d / reach_m;
            let access = if access < 0.0 { 0.0 } else { access };
            let quiet = d / setback_m;
            let quiet = if quiet > 1.0 { 1.0 } else { quiet };
            let a = score.term("road_access", w_access, access);
            let b = score.term("noise_setback", w_setback, quiet);
            return Ok((a + b).into());
        }
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

#[cfg(not(test))]
mod tests {
    pub fn general_path_only() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static GENERAL_ONLY: Cell<bool> = const { Cell::new(false) };
    }

    /// Whether the test being run turned the float path off.
    pub fn general_path_only() -> bool {
        GENERAL_ONLY.with(Cell::get)
    }

    #[test]
    fn the_float_path_gives_the_general_paths_bits() {
        let mut ds = vec![
            0.0,
            -0.0,
            1e-300,
            25.0,
            99.999_999,
            100.0,
            100.000_001,
            2999.999,
            3000.0,
            3000.5,
            1e9,
            -5.0,
            f64::INFINITY,
            f64::NAN,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ds.push((x % 8_000_000) as f64 / 1000.0);
        }
        for d in ds {
            let fast = cell(Value::Float(d), false);
            GENERAL_ONLY.with(|g| g.set(true));
            let general = cell(Value::Float(d), false);
            GENERAL_ONLY.with(|g| g.set(false));
            assert_eq!(format!("{fast:?}"), format!("{general:?}"), "d = {d}");
            assert_eq!(
                fast.score().map(f64::to_bits),
                general.score().map(f64::to_bits),
                "d = {d}"
            );
        }
    }
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
                assert!(reason.contains("\"in_corridor\""), "{reason}");
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
