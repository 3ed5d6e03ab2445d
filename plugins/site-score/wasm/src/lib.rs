//! 安置社区选址评分 (`plugins/site-score/score.rhai`) as a WebAssembly plugin: the same answers
//! to the bit, operation by operation.
//!
//! A site scores by how close it lies to the town centre, a trunk road and the villages being
//! merged (weighted terms, 0–1); it is excluded inside a demolition zone, an ecological
//! corridor, the ecological red line, or on basic farmland above the share allowed.

use hecun_plugin_sdk::{
    Candidate, Outcome, Params, Score, SiteScore, Value, exclude, json, message, script,
};

/// The rule, with its parameters as given (each is read where the script reads it).
pub struct SiteScoreRule {
    w_town: Value,
    w_road: Value,
    w_villages: Value,
    town_reach: Value,
    road_reach: Value,
    village_reach: Value,
    max_farmland_share: Value,
}

/// What `term` accepts as a weight or value: a number (a whole number converted).
fn number(v: &Value, what: &str) -> Result<f64, String> {
    v.number()
        .ok_or_else(|| format!("{what} must be a number, not {}", v.type_name()))
}

/// `closeness(distance, reach)`: 1 at distance 0, falling linearly to 0 at `reach`; an
/// unknown distance gives 0.
fn closeness(distance: &Value, reach: &Value) -> Result<Value, String> {
    // if distance == () { return 0.0; }
    if distance.is_missing() {
        return Ok(Value::Float(0.0));
    }
    // let c = 1.0 - distance / reach; if c < 0.0 { 0.0 } else { c }
    let c = script::sub(&Value::Float(1.0), &script::div(distance, reach)?)?;
    if script::lt(&c, &Value::Float(0.0))? {
        Ok(Value::Float(0.0))
    } else {
        Ok(c)
    }
}

/// `share(value)`: `()` is 0.0, anything else as it is.
fn share(value: Value) -> Value {
    if value.is_missing() {
        Value::Float(0.0)
    } else {
        value
    }
}

impl SiteScore for SiteScoreRule {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(SiteScoreRule {
            w_town: params.get("w_town"),
            w_road: params.get("w_road"),
            w_villages: params.get("w_villages"),
            town_reach: params.get("town_reach"),
            road_reach: params.get("road_reach"),
            village_reach: params.get("village_reach"),
            max_farmland_share: params.get("max_farmland_share"),
        })
    }

    fn score(&self, site: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        let yes = Value::Bool(true);
        if script::eq(&site.get("in_zone"), &yes) {
            let reason = match site.nearest("zones", None)? {
                None => message("in_zone", json!({})),
                Some(zone) => message("in_named_zone", json!({ "zone": zone.id })),
            };
            return Ok(exclude(
                reason,
                json!({ "zone_share": share(site.get("zone_share")) }),
            ));
        }
        if script::eq(&site.get("in_corridor"), &yes) {
            return Ok(exclude(
                message("in_corridor", json!({})),
                json!({ "corridor_share": share(site.get("corridor_share")) }),
            ));
        }
        let redline = site.get("redline_share");
        if script::gt(&share(redline.clone()), &Value::Float(0.0))? {
            return Ok(exclude(
                message("in_redline", json!({})),
                json!({ "redline_share": redline }),
            ));
        }
        let farmland = site.get("farmland_share");
        if script::gt(&share(farmland.clone()), &self.max_farmland_share)? {
            return Ok(exclude(
                message(
                    "on_farmland",
                    json!({ "share": farmland, "allowed": self.max_farmland_share }),
                ),
                json!({ "farmland_share": farmland, "allowed": self.max_farmland_share }),
            ));
        }
        // term(town) + term(road) + term(villages), left to right.
        let town = closeness(&site.get("town_distance"), &self.town_reach)?;
        let town = score.term(
            "town_centre",
            number(&self.w_town, "term weight")?,
            number(&town, "term value")?,
        );
        let road = closeness(&site.get("road_distance"), &self.road_reach)?;
        let road = score.term(
            "trunk_road",
            number(&self.w_road, "term weight")?,
            number(&road, "term value")?,
        );
        let villages = closeness(&site.get("village_distance"), &self.village_reach)?;
        let villages = score.term(
            "merged_villages",
            number(&self.w_villages, "term weight")?,
            number(&villages, "term value")?,
        );
        Ok((town + road + villages).into())
    }
}

hecun_plugin_sdk::export_site_score!(SiteScoreRule);

#[cfg(test)]
mod tests {
    use super::*;
    use hecun_plugin_sdk::serde_json;
    use hecun_plugin_sdk::testing::{self, Answer, Host, score_one};

    /// The manifest's `[params]`.
    fn params() -> serde_json::Value {
        json!({
            "w_town": 0.4, "w_road": 0.3, "w_villages": 0.3,
            "town_reach": 6000.0, "road_reach": 3000.0, "village_reach": 5000.0,
            "max_farmland_share": 0.0
        })
    }

    fn site(features: &[(&str, Value)]) -> Answer {
        score_one::<SiteScoreRule>(params(), features)
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    fn reason(a: &Answer) -> &str {
        match a {
            Answer::Excluded { reason, .. } => reason,
            other => panic!("not excluded: {other:?}"),
        }
    }

    fn base(extra: &[(&'static str, Value)]) -> Vec<(&'static str, Value)> {
        let mut f = vec![
            ("town_distance", Value::Float(0.0)),
            ("road_distance", Value::Float(0.0)),
            ("village_distance", Value::Float(0.0)),
            ("in_zone", Value::Bool(false)),
            ("in_corridor", Value::Bool(false)),
        ];
        for (k, v) in extra {
            match f.iter_mut().find(|(n, _)| n == k) {
                Some(slot) => slot.1 = v.clone(),
                None => f.push((k, v.clone())),
            }
        }
        f
    }

    /// A host whose zones layer has one zone, `R7`, touching the site.
    struct Zones;
    impl Host for Zones {
        fn nearest(
            &self,
            _: u32,
            layer: &str,
            _: Option<&str>,
        ) -> Result<Option<(String, f64)>, String> {
            assert_eq!(layer, "zones");
            Ok(Some(("R7".to_owned(), 0.0)))
        }
    }

    // The manifest's [[tests]], in order.
    #[test]
    fn the_manifest_cases() {
        let a = site(&base(&[
            ("farmland_share", 0.0.into()),
            ("redline_share", 0.0.into()),
        ]));
        assert!(close(a.score(), 1.0));
        assert!(close(a.term("town_centre"), 0.4));
        assert!(close(a.term("trunk_road"), 0.3));
        assert!(close(a.term("merged_villages"), 0.3));

        let a = site(&base(&[
            ("town_distance", 3000.0.into()),
            ("road_distance", 1500.0.into()),
            ("village_distance", 5000.0.into()),
        ]));
        assert!(close(a.score(), 0.35), "{a:?}");
        assert!(close(a.term("town_centre"), 0.2));
        assert!(close(a.term("trunk_road"), 0.15));
        assert!(close(a.term("merged_villages"), 0.0));

        let a = site(&base(&[
            ("town_distance", 12000.0.into()),
            ("road_distance", 100.0.into()),
            ("village_distance", 9000.0.into()),
        ]));
        assert!(close(a.score(), 0.29), "{a:?}");

        let a = site(&base(&[("town_distance", Value::Missing)]));
        assert!(close(a.score(), 0.6), "{a:?}");
        assert!(close(a.term("town_centre"), 0.0));

        let a = site(&base(&[
            ("in_corridor", true.into()),
            ("corridor_share", 1.0.into()),
        ]));
        assert!(reason(&a).contains("\"in_corridor\""));

        let a = site(&base(&[("farmland_share", 0.02.into())]));
        assert!(reason(&a).contains("\"on_farmland\""));

        assert!(close(site(&base(&[])).score(), 1.0));

        let a = site(&base(&[("redline_share", 0.5.into())]));
        assert!(reason(&a).contains("\"in_redline\""));
    }

    #[test]
    fn a_demolition_zone_is_named_from_the_spatial_helpers() {
        testing::set_host(Zones);
        let a = site(&base(&[
            ("in_zone", true.into()),
            ("zone_share", 1.0.into()),
        ]));
        testing::clear_host();
        match a {
            Answer::Excluded { reason, evidence } => {
                // A message of the manifest, filled by the host.
                assert_eq!(reason, message("in_named_zone", json!({ "zone": "R7" })));
                assert_eq!(evidence["zone_share"], json!(1.0));
            }
            other => panic!("{other:?}"),
        }
        // Without the helpers (no host): an error, as in Rhai without layers.
        let a = site(&base(&[("in_zone", true.into())]));
        assert!(matches!(a, Answer::Error(_)), "{a:?}");
    }

    #[test]
    fn evidence_keeps_the_values_as_given() {
        let a = site(&base(&[("farmland_share", Value::Int(1))]));
        match a {
            Answer::Excluded { evidence, .. } => {
                assert_eq!(evidence["farmland_share"], json!(1));
                assert_eq!(evidence["allowed"], json!(0.0));
                assert!(evidence["allowed"].is_f64());
            }
            other => panic!("{other:?}"),
        }
        // Text is not a number: the comparison is false in Rhai, so no exclusion.
        let a = site(&base(&[("redline_share", "x".into())]));
        assert!(close(a.score(), 1.0), "{a:?}");
    }

    #[test]
    fn bit_for_bit_the_scripts_operations() {
        let (t, r, v) = (2345.678_f64, 987.654_f64, 4321.0_f64);
        let expected =
            0.4 * (1.0 - t / 6000.0) + 0.3 * (1.0 - r / 3000.0) + 0.3 * (1.0 - v / 5000.0);
        let a = site(&base(&[
            ("town_distance", t.into()),
            ("road_distance", r.into()),
            ("village_distance", v.into()),
        ]));
        assert_eq!(a.score().map(f64::to_bits), Some(expected.to_bits()));
    }
}
