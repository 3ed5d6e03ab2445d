//! 规划标准 (`plugins/planning-standard/select.rhai`) as a WebAssembly plugin: the same
//! standard, findings (in the same order), reasons and evidence, function by function. What
//! it decides and why: `plugins/planning-standard/README.md`.

use hecun_plugin_sdk::serde_json::{self, Map};
use hecun_plugin_sdk::{
    Candidate, Finding, Params, Standard, StandardSelection, Value, fail, json, message, script,
    standard,
};

/// The rule, with its parameters (each is read where the script reads it, so that a parameter
/// of the wrong type fails where the script fails).
pub struct PlanningStandard {
    params: Params,
}

/// What the spatial helpers can answer about `layer` for this community.
#[derive(PartialEq)]
enum Probe {
    Ok,
    NoLayer,
    NoSite,
}

fn probe(c: &Candidate, layer: &str) -> Probe {
    if !c.has_layer(layer) {
        Probe::NoLayer
    } else if !c.has_geometry() {
        Probe::NoSite
    } else {
        Probe::Ok
    }
}

/// `number(x)`: a whole number converted, a float as it is, anything else `()`.
fn number(x: &Value) -> Option<f64> {
    x.number()
}

/// `percent(share)`: a share as a percentage to one decimal (0.5 → 50%), else as written.
fn percent(share: &Value) -> String {
    match share.number() {
        Some(x) => {
            let pct = (x * 1000.0).round() / 10.0;
            if pct == pct.floor() {
                format!("{}%", pct as i64)
            } else {
                format!("{pct}%")
            }
        }
        None => script::display(share),
    }
}

/// `x.to_float()`: defined on numbers only.
fn to_float(x: &Value) -> Result<f64, String> {
    x.number()
        .ok_or_else(|| format!("Function not found: to_float ({})", x.type_name()))
}

/// `Some(limit)` as the script's evidence holds it: a float, or `()` (null).
fn opt(x: Option<f64>) -> serde_json::Value {
    x.map_or(serde_json::Value::Null, serde_json::Value::from)
}

impl PlanningStandard {
    fn list(&self, name: &str) -> Result<Vec<serde_json::Value>, String> {
        match self.params.json(name) {
            Some(serde_json::Value::Array(a)) => Ok(a.clone()),
            other => Err(format!(
                "params.{name} must be an array, not {}",
                other.map_or_else(|| "()".to_owned(), ToString::to_string)
            )),
        }
    }

    /// `urban_classes`: the zoning classes that make this community's land urban, a 乡's
    /// (`xiang_urban_classes`) or a town's (`urban_classes`).
    fn urban_classes(&self, c: &Candidate) -> Result<Vec<serde_json::Value>, String> {
        if script::eq(&c.get("township_type"), &Value::from("乡")) {
            self.list("xiang_urban_classes")
        } else {
            self.list("urban_classes")
        }
    }

    /// `basis`: which rule decides, in words, with the classes and the share as the params
    /// set them.
    fn basis(&self, c: &Candidate) -> String {
        let kind = c.get("township_type");
        let rule = if script::eq(&kind, &Value::from("乡")) {
            format!(
                "乡：乡驻地不按城镇计，只有{}用地计入城镇",
                self.class_list("xiang_urban_classes")
            )
        } else if kind.is_missing() {
            format!(
                "乡镇类型未知：{}用地计入城镇",
                self.class_list("urban_classes")
            )
        } else {
            format!(
                "{}：{}用地计入城镇",
                script::display(&kind),
                self.class_list("urban_classes")
            )
        };
        if probe(c, "zoning") == Probe::Ok {
            format!(
                "{rule}，覆盖安置点达到 {} 即适用 GB 50180",
                percent(&self.params.get("urban_min_share"))
            )
        } else if !c.get("land_use").is_missing() {
            format!("{rule}；无分区几何，按安置点的用地性质判断")
        } else {
            format!("{rule}；无分区数据，适用省导则")
        }
    }

    /// `class_list`: the classes of param `name` in words (城镇建设用地、产业集聚区).
    fn class_list(&self, name: &str) -> String {
        match self.params.json(name) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("、"),
            _ => String::new(),
        }
    }

    /// `is_outside_zoning`: whether no zoning polygon covers any of the site, from the layer
    /// when the site has a polygon, else from the `outside_zoning` feature.
    fn is_outside_zoning(&self, c: &Candidate) -> Result<bool, String> {
        if probe(c, "zoning") == Probe::Ok {
            Ok(c.overlap_share("zoning", None)? <= 0.0)
        } else {
            Ok(script::eq(&c.get("outside_zoning"), &Value::Bool(true)))
        }
    }

    /// `edition`: the thresholds of the edition applied, or an error naming the parameter.
    fn edition(&self) -> Result<&Map<String, serde_json::Value>, String> {
        let edition = self.params.get("edition");
        let editions = self.params.json("editions");
        let found = match (editions, edition.text()) {
            (Some(serde_json::Value::Object(all)), Some(name)) => all.get(name),
            _ => None,
        };
        match found {
            Some(serde_json::Value::Object(e)) => Ok(e),
            _ => Err(format!(
                "params.edition = {} is not one of params.editions ([{}])",
                script::display(&edition),
                match editions {
                    Some(serde_json::Value::Object(all)) => all
                        .keys()
                        .map(|k| format!("{k:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                }
            )),
        }
    }

    /// `urban_share`: the share of the site covered by urban zoning, `None` when the data
    /// cannot show it.
    fn urban_share(&self, c: &Candidate) -> Result<Option<f64>, String> {
        if probe(c, "zoning") != Probe::Ok {
            return Ok(None);
        }
        let mut share = 0.0;
        for class in self.urban_classes(c)? {
            let class = class.as_str().ok_or_else(|| {
                format!("Function not found: overlap_share (Candidate, string, {class})")
            })?;
            share += c.overlap_share("zoning", Some(class))?;
        }
        Ok(Some(if share > 1.0 { 1.0 } else { share }))
    }

    fn is_urban(&self, c: &Candidate) -> Result<bool, String> {
        if let Some(share) = self.urban_share(c)? {
            return script::ge(&Value::Float(share), &self.params.get("urban_min_share"));
        }
        let land_use = c.get("land_use");
        if land_use.is_missing() {
            return Ok(false);
        }
        // urban_classes(community, params).contains(land_use): `==` with each, in order.
        Ok(self
            .urban_classes(c)?
            .iter()
            .any(|class| script::eq(&Value::from(class), &land_use)))
    }

    fn rural_checks(
        &self,
        found: &mut Vec<Finding>,
        c: &Candidate,
        why: &str,
    ) -> Result<(), String> {
        let community = c.id();
        let population_value = c.get("population");
        let population = number(&population_value);
        let min = self.params.get("min_population");
        match population {
            None => found.push(fail(
                "min_population",
                message("population_unknown", json!({ "min": min })),
                json!({ "community": community, "min_population": min, "basis": why }),
            )),
            Some(population) if population < to_float(&min)? => found.push(fail(
                "min_population",
                message(
                    "population_below",
                    json!({ "population": population_value, "min": min }),
                ),
                json!({
                    "community": community,
                    "population": population_value,
                    "min_population": min,
                    "villages": c.get("village_ids"),
                    "basis": why,
                }),
            )),
            Some(_) => {}
        }
        let land = number(&c.get("land_per_person_m2"));
        let max = number(&self.params.get("max_land_per_person_m2"));
        match (land, max) {
            (None, _) => {
                let (why, reason) = if c.get("site_area_m2").is_missing() {
                    (
                        "no site: the community's land is unknown",
                        "land_unknown_no_site",
                    )
                } else {
                    ("population unknown or zero", "land_unknown_no_population")
                };
                found.push(fail(
                    "max_land_per_person",
                    message(reason, json!({})),
                    json!({ "community": community, "max_land_per_person_m2": opt(max), "basis": why }),
                ));
            }
            // land > max: false when max is () (not a number).
            (Some(land), Some(max)) if land > max => found.push(fail(
                "max_land_per_person",
                message("land_above", json!({ "land": land, "max": max })),
                json!({
                    "community": community,
                    "land_per_person_m2": land,
                    "max_land_per_person_m2": max,
                    "site_area_m2": c.get("site_area_m2"),
                    "population": population_value,
                    "basis": why,
                }),
            )),
            _ => {}
        }
        Ok(())
    }

    fn life_circle_checks(
        &self,
        found: &mut Vec<Finding>,
        c: &Candidate,
        why: &str,
    ) -> Result<(), String> {
        let state = probe(c, "facilities");
        if state == Probe::NoLayer {
            return Ok(());
        }
        let circles: &Map<String, serde_json::Value> = match self.edition()?.get("life_circles") {
            Some(serde_json::Value::Object(m)) => m,
            other => {
                return Err(format!(
                    "params.editions[params.edition].life_circles must be a table, not {}",
                    other.map_or_else(|| "()".to_owned(), ToString::to_string)
                ));
            }
        };
        // A Rhai map's keys come sorted (by their UTF-8 bytes).
        let mut classes: Vec<&String> = circles.keys().collect();
        classes.sort();
        let community = c.id();
        let edition = self.params.get("edition");
        for class in classes {
            let circle = circles[class]
                .as_object()
                .ok_or_else(|| format!("life_circles[{class:?}] must be a table"))?;
            let name = circle.get("circle").map_or(Value::Missing, Value::from);
            let clause = circle.get("clause").map_or(Value::Missing, Value::from);
            let criterion = format!("life_circle_{class}");
            let limit = circle
                .get("metres")
                .map(Value::from)
                .and_then(|m| number(&m));
            let mut evidence = json!({
                "community": community,
                "class": class,
                "circle": name,
                "limit_m": opt(limit),
                "edition": edition,
                "clause": clause,
                "basis": why,
            });
            if state == Probe::NoSite {
                found.push(fail(
                    criterion,
                    message("circle_no_site", json!({ "circle": name, "class": class })),
                    evidence,
                ));
                continue;
            }
            match c.nearest("facilities", Some(class))? {
                None => found.push(fail(
                    criterion,
                    message(
                        "circle_no_facility",
                        json!({ "circle": name, "class": class }),
                    ),
                    evidence,
                )),
                // nearest.distance > limit: false when limit is ().
                Some(nearest) if limit.is_some_and(|limit| nearest.distance > limit) => {
                    let limit = limit.unwrap_or_default();
                    evidence["nearest"] = nearest.id.clone().into();
                    evidence["distance_m"] = nearest.distance.into();
                    found.push(fail(
                        criterion,
                        message(
                            "circle_too_far",
                            json!({
                                "circle": name,
                                "class": class,
                                "facility": nearest.id,
                                "distance": nearest.distance,
                                "limit": limit,
                            }),
                        ),
                        evidence,
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn name(&self, param: &str) -> Result<String, String> {
        self.params
            .text(param)
            .map(str::to_owned)
            .ok_or_else(|| format!("params.{param} must be text"))
    }
}

impl StandardSelection for PlanningStandard {
    fn new(params: &Params) -> Result<Self, String> {
        Ok(PlanningStandard {
            params: params.clone(),
        })
    }

    fn select(&self, c: &Candidate) -> Result<Standard, String> {
        // A wrong edition is an error on every community, not only where it is checked.
        self.edition()?;
        let mut found = Vec::new();
        let why = self.basis(c);
        if self.is_outside_zoning(c)? {
            found.push(fail(
                "on_construction_land",
                message("outside_zoning", json!({})),
                json!({
                    "community": c.id(),
                    "site": c.get("site"),
                    "basis": why,
                    "clause": "启动标准 3：新占建设用地合法",
                }),
            ));
        }
        if self.is_urban(c)? {
            self.life_circle_checks(&mut found, c, &why)?;
            Ok(standard(self.name("edition")?, found))
        } else {
            self.rural_checks(&mut found, c, &why)?;
            match self.params.get("life_circles_for_rural") {
                Value::Bool(true) => self.life_circle_checks(&mut found, c, &why)?,
                Value::Bool(false) => {}
                other => {
                    return Err(format!(
                        "Boolean value expected for params.life_circles_for_rural, not {}",
                        other.type_name()
                    ));
                }
            }
            Ok(standard(self.name("rural_standard")?, found))
        }
    }
}

hecun_plugin_sdk::export_standard_selection!(PlanningStandard);

#[cfg(test)]
mod tests;
