//! A plugin's own test cases (`hecun plugin test`): building the candidate a case describes
//! and comparing the plugin's answer with the case's `expect`.
//!
//! A case's `input` is the candidate: `id`, its features as keys, optionally its place
//! (`point = [x, y]`, `line = [[x, y], …]` or `polygon = [[x, y], …]`, in metres) and small
//! `layers` for the spatial helpers: `layers.facilities = [{ id = "F1", class = "幼儿园",
//! point = [300, 0] }]`.

use std::sync::Arc;

use geo::{Coord, Geometry, LineString, Point, Polygon};

use super::candidate::{Candidate, FeatureNames, Value};
use super::contract::{Kind, Manifest};
use super::score::{Outcome, Score};
use super::verdict::{StandardVerdict, Verdict};
use crate::index::spatial::{IndexedLayer, LayerItem, SpatialLayers};
use crate::model::layer::Properties;

type Outcome_ = std::result::Result<(), String>;

const PLACE_KEYS: [&str; 3] = ["point", "line", "polygon"];

/// Runs a manifest's test cases through a runtime's three calls: each case's name and what
/// went wrong, if anything. An answer over the manifest's output limits fails its case, as it
/// would fail in a run.
pub(crate) fn run_cases(
    manifest: &Manifest,
    check: impl Fn(&str, &serde_json::Value) -> crate::Result<Verdict>,
    score: impl Fn(&Candidate) -> crate::Result<Score>,
    select: impl Fn(&Candidate) -> crate::Result<StandardVerdict>,
    rows: impl Fn(&serde_json::Value) -> crate::Result<Vec<super::table::RawRow>>,
    measures: impl Fn(&serde_json::Value) -> crate::Result<Vec<super::target::RawMeasure>>,
) -> Vec<(String, Outcome_)> {
    let limits = &manifest.limits;
    manifest
        .tests
        .iter()
        .map(|case| {
            let outcome = (|| -> Outcome_ {
                undeclared_input(manifest, &case.input)?;
                if let Some(table) = case.tables.keys().next()
                    && manifest.declared().tables().next().is_none()
                {
                    return Err(format!(
                        "the case gives table {table:?}, but the manifest reads no table: the \
                         engine would not hand it over; add \"tables.{table}.COLUMN\" to reads"
                    ));
                }
                match manifest.kind {
                    Kind::LaunchCheck => {
                        let input = serde_json::to_value(&case.input).map_err(|e| e.to_string())?;
                        let id = input
                            .get("id")
                            .and_then(|v| v.as_str())
                            .unwrap_or(&case.name)
                            .to_owned();
                        let verdict = check(&id, &input).map_err(|e| e.to_string())?;
                        limits.check_findings(&verdict.findings)?;
                        undeclared_criteria(manifest, &verdict)?;
                        // What a run would make of the answer: the veto never passes for
                        // lack of data.
                        let verdict = super::veto::guard_veto(&input, verdict);
                        compare_verdict(&verdict, &case.expect)
                    }
                    Kind::SiteScore => {
                        let c = candidate(&case.name, &case.input)?;
                        let score = score(&c).map_err(|e| e.to_string())?;
                        limits.check_score(&score)?;
                        compare_score(&score, &case.expect)
                    }
                    Kind::StandardSelection => {
                        let c = candidate(&case.name, &case.input)?;
                        let answer = select(&c).map_err(|e| e.to_string())?;
                        limits.check_findings(&answer.verdict.findings)?;
                        undeclared_criteria(manifest, &answer.verdict)?;
                        compare_standard(&answer, &case.expect)
                    }
                    Kind::Table => {
                        let input = serde_json::to_value(&case.input).map_err(|e| e.to_string())?;
                        undeclared_table_input(manifest, &input)?;
                        let answer = rows(&input).map_err(|e| e.to_string())?;
                        // What a run would make of the answer: checked, totalled.
                        let table = super::table::Table::new(
                            &case.name,
                            manifest,
                            Default::default(),
                            answer,
                        )
                        .map_err(|e| e.to_string())?;
                        compare_table(&table, &case.expect)
                    }
                    Kind::Target => {
                        let input = serde_json::to_value(&case.input).map_err(|e| e.to_string())?;
                        undeclared_target_input(manifest, &input)?;
                        let answer = measures(&input).map_err(|e| e.to_string())?;
                        // What a run would make of the answer: judged by the engine.
                        let check = super::target::TargetCheck::new(
                            &case.name,
                            manifest,
                            Default::default(),
                            answer,
                        )
                        .map_err(|e| e.to_string())?;
                        compare_targets(&check, &case.expect)
                    }
                }
            })();
            (case.name.clone(), outcome)
        })
        .collect()
}

/// The `params.tables` a case hands a plugin that reads tables: each table the plugin
/// declares, with the case's rows (none when the case gives none). A table the plugin does
/// not declare, or a row's column it does not declare, is refused, as the engine would not
/// hand it over.
pub(crate) fn case_tables(
    declared: &super::reads::Reads,
    case: &super::contract::TestCase,
) -> std::result::Result<toml::Value, String> {
    let mut out = toml::Table::new();
    for (name, columns) in declared.tables() {
        let rows = match case.tables.get(name) {
            None => Vec::new(),
            Some(toml::Value::Array(rows)) => rows.clone(),
            Some(other) => {
                return Err(format!(
                    "tables.{name} is {}, not a list of rows",
                    other.type_str()
                ));
            }
        };
        for (i, row) in rows.iter().enumerate() {
            let Some(row) = row.as_table() else {
                return Err(format!(
                    "tables.{name} row {}: not a table of columns",
                    i + 1
                ));
            };
            if let Some(key) = row.keys().find(|k| !columns.contains(k)) {
                return Err(format!(
                    "tables.{name} row {} holds column {key:?}, which the manifest does not \
                     declare: the engine would not hand it over; add \"tables.{name}.{key}\" \
                     to reads",
                    i + 1
                ));
            }
        }
        out.insert(name.to_owned(), toml::Value::Array(rows));
    }
    if let Some(name) = case
        .tables
        .keys()
        .find(|n| !declared.tables().any(|(t, _)| t == n.as_str()))
    {
        return Err(format!(
            "the case gives table {name:?}, which the manifest does not read: the engine would \
             not hand it over; add \"tables.{name}.COLUMN\" to reads"
        ));
    }
    Ok(toml::Value::Table(out))
}

/// Refuses a case whose input holds a field or layer that the manifest's `reads` does not
/// declare (the engine would not hand it over, so the case would test something a run never
/// sees); the engine's own features ([`super::reads::engine`]) need no declaration.
fn undeclared_input(manifest: &Manifest, input: &toml::Value) -> Outcome_ {
    use super::reads::engine;
    let declared = manifest.declared();
    let Some(table) = input.as_table() else {
        return Ok(());
    };
    let refuse = |what: String, entry: String| -> Outcome_ {
        Err(format!(
            "the input holds {what}, which the manifest does not declare: the engine would not \
             hand it over; add {entry:?} to reads in plugin.toml"
        ))
    };
    let fields_of = |layers: &[&str]| -> Vec<&str> {
        layers
            .iter()
            .flat_map(|l| declared.fields(l))
            .map(String::as_str)
            .collect()
    };
    match manifest.kind {
        Kind::LaunchCheck => {
            // The community's own attributes from the plan's communities table.
            let community_fields = fields_of(&["communities"]);
            for key in table.keys() {
                if !engine::LAUNCH_KEYS.contains(&key.as_str())
                    && !community_fields.contains(&key.as_str())
                {
                    return Err(format!(
                        "the input holds field {key:?}, which the engine never hands a launch \
                         check (it gives {}): an attribute of the community's site goes in \
                         site = {{ {key} = … }}, with \"sites.{key}\" in reads",
                        engine::LAUNCH_KEYS.join(", ")
                    ));
                }
            }
            let village_fields = fields_of(&["villages"]);
            for v in table
                .get("villages")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_table())
            {
                for key in v.keys() {
                    if !engine::LAUNCH_VILLAGE_KEYS.contains(&key.as_str())
                        && !village_fields.contains(&key.as_str())
                    {
                        return refuse(format!("village field {key:?}"), format!("villages.{key}"));
                    }
                }
            }
            let site_fields = fields_of(&["sites"]);
            if let Some(own) = table.get("site").and_then(|c| c.as_table()) {
                for key in own.keys() {
                    if key != "id" && !site_fields.contains(&key.as_str()) {
                        return refuse(format!("site field {key:?}"), format!("sites.{key}"));
                    }
                }
            }
        }
        Kind::SiteScore | Kind::StandardSelection => {
            let (features, own): (&[&str], Vec<&str>) = if manifest.kind == Kind::SiteScore {
                // A named scoring job (`[[scorings]] layer = "buildings"`) scores the features
                // of another layer: their own attributes are that layer's, which only the plan
                // names, so any layer's declared field may be the candidate's own.
                let all: Vec<&str> = declared.layers().map(|l| l.layer.as_str()).collect();
                (
                    &[engine::SITE_FEATURES.as_slice(), &engine::GRID_FEATURES].concat(),
                    fields_of(&[["sites", "cells"].as_slice(), &all].concat()),
                )
            } else {
                (&engine::COMMUNITY_FEATURES, fields_of(&["sites"]))
            };
            // The candidate's own attributes are its site's.
            let layer = "sites";
            for key in table.keys() {
                let k = key.as_str();
                if k == "id" || k == "layers" || PLACE_KEYS.contains(&k) {
                    continue;
                }
                if !features.contains(&k) && !own.contains(&k) {
                    return refuse(format!("field {key:?}"), format!("{layer}.{key}"));
                }
            }
            for (name, items) in table
                .get("layers")
                .and_then(|l| l.as_table())
                .into_iter()
                .flatten()
            {
                if !declared.declares(name) {
                    return refuse(format!("layer {name:?}"), name.clone());
                }
                let fields = declared.fields(name);
                for item in items.as_array().into_iter().flatten() {
                    for key in item.as_table().into_iter().flat_map(|t| t.keys()) {
                        if !engine::LAYER_ITEM_KEYS.contains(&key.as_str())
                            && !fields.iter().any(|f| f == key)
                        {
                            return refuse(
                                format!("field {key:?} of layer {name:?}"),
                                format!("{name}.{key}"),
                            );
                        }
                    }
                }
            }
        }
        // A table's input (`layers`, `params`) is checked by `undeclared_table_input`.
        Kind::Table | Kind::Target => {}
    }
    Ok(())
}

/// When the manifest declares its criteria, a criterion the answer names that is not among
/// them: most likely a misspelt id in the rule or the manifest.
fn undeclared_criteria(manifest: &Manifest, verdict: &Verdict) -> Outcome_ {
    if manifest.criteria.is_empty() {
        return Ok(());
    }
    let mut undeclared: Vec<&str> = verdict
        .findings
        .iter()
        .map(|f| f.criterion.as_str())
        .filter(|id| manifest.criterion(id).is_none())
        .collect();
    undeclared.sort_unstable();
    undeclared.dedup();
    if undeclared.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the answer names criteria the manifest's [[criteria]] does not declare: {}",
            undeclared.join(", ")
        ))
    }
}

/// The candidate a test case's `input` describes.
pub(crate) fn candidate(case: &str, input: &toml::Value) -> Result<Candidate, String> {
    let table = input
        .as_table()
        .ok_or_else(|| "input must be a table".to_owned())?;
    let id = table
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or(case)
        .to_owned();
    let geometry = place(table)?;
    let layers = match table.get("layers") {
        None => None,
        Some(layers) => Some(Arc::new(test_layers(layers)?)),
    };
    let (mut names, mut values) = (Vec::new(), Vec::new());
    for (key, value) in table {
        if key == "id" || key == "layers" || PLACE_KEYS.contains(&key.as_str()) {
            continue;
        }
        names.push(key.clone());
        values.push(Value::from(
            serde_json::to_value(value).map_err(|e| e.to_string())?,
        ));
    }
    let names: FeatureNames = names.into();
    Ok(Candidate::with_place(
        id, names, values, None, geometry, layers,
    ))
}

fn coord(v: &toml::Value) -> Result<Coord<f64>, String> {
    let xy = v
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| format!("a coordinate must be [x, y], not {v}"))?;
    let n = |v: &toml::Value| {
        v.as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .ok_or_else(|| format!("a coordinate must hold numbers, not {v}"))
    };
    Ok(Coord {
        x: n(&xy[0])?,
        y: n(&xy[1])?,
    })
}

fn coords(v: &toml::Value) -> Result<Vec<Coord<f64>>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected a list of [x, y], not {v}"))?
        .iter()
        .map(coord)
        .collect()
}

fn place(table: &toml::map::Map<String, toml::Value>) -> Result<Option<Geometry<f64>>, String> {
    if let Some(p) = table.get("point") {
        return Ok(Some(Geometry::Point(Point(coord(p)?))));
    }
    if let Some(l) = table.get("line") {
        return Ok(Some(Geometry::LineString(LineString(coords(l)?))));
    }
    if let Some(p) = table.get("polygon") {
        return Ok(Some(Geometry::Polygon(Polygon::new(
            LineString(coords(p)?),
            vec![],
        ))));
    }
    Ok(None)
}

fn test_layers(v: &toml::Value) -> Result<SpatialLayers, String> {
    let mut layers = SpatialLayers::new();
    for (name, features) in v.as_table().ok_or("layers must be a table of lists")? {
        let features = features
            .as_array()
            .ok_or_else(|| format!("layers.{name} must be a list of features"))?;
        let mut items = Vec::new();
        for (i, f) in features.iter().enumerate() {
            let t = f
                .as_table()
                .ok_or_else(|| format!("layers.{name}[{i}] must be a table"))?;
            let geometry = place(t)?
                .ok_or_else(|| format!("layers.{name}[{i}] needs point, line or polygon"))?;
            let mut props = t.clone();
            for k in PLACE_KEYS {
                props.remove(k);
            }
            let json = serde_json::to_string(&props).map_err(|e| e.to_string())?;
            items.push(LayerItem {
                id: t
                    .get("id")
                    .and_then(|v| v.as_str())
                    .map_or_else(|| i.to_string(), str::to_owned),
                class: t.get("class").and_then(|v| v.as_str()).map(str::to_owned),
                geometry,
                properties: Some(Properties::from_json(&json).map_err(|e| e.to_string())?),
            });
        }
        layers.insert(IndexedLayer::new(name.clone(), items));
    }
    Ok(layers)
}

fn sorted_strings(v: &toml::Value) -> Vec<&str> {
    let mut want: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    want.sort_unstable();
    want
}

/// Compares a verdict with `expect`: `status`, and the `failed` and `vetoes` criteria.
pub(crate) fn compare_verdict(verdict: &Verdict, expect: &toml::Value) -> Outcome_ {
    let mut problems = Vec::new();
    verdict_problems(verdict, expect, &mut problems)?;
    done(problems)
}

fn verdict_problems(
    verdict: &Verdict,
    expect: &toml::Value,
    problems: &mut Vec<String>,
) -> Outcome_ {
    let want_status = expect
        .get("status")
        .and_then(|s| s.as_str())
        .ok_or("expect.status is missing")?;
    let got_status = serde_json::to_value(verdict.status).map_err(|e| e.to_string())?;
    if got_status.as_str() != Some(want_status) {
        problems.push(format!("status {got_status} (expected \"{want_status}\")"));
    }
    for (key, got) in [("failed", verdict.failed()), ("vetoes", verdict.vetoes())] {
        if let Some(want) = expect.get(key) {
            let want = sorted_strings(want);
            if want != got {
                problems.push(format!("{key} {got:?} (expected {want:?})"));
            }
        }
    }
    Ok(())
}

/// Compares a standard selection with `expect`: `standard`, then as a verdict.
pub(crate) fn compare_standard(answer: &StandardVerdict, expect: &toml::Value) -> Outcome_ {
    let mut problems = Vec::new();
    if let Some(want) = expect.get("standard").and_then(|s| s.as_str())
        && want != answer.standard
    {
        problems.push(format!(
            "standard {:?} (expected {want:?})",
            answer.standard
        ));
    }
    verdict_problems(&answer.verdict, expect, &mut problems)?;
    done(problems)
}

/// Compares a score with `expect`: `score` (to 1e-9), or `excluded = true` (and a `reason`
/// the exclusion's reason must contain, in one of its languages), and the `terms` as `{ name = contribution }`.
pub(crate) fn compare_score(score: &Score, expect: &toml::Value) -> Outcome_ {
    let number = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    let mut problems = Vec::new();
    let want_excluded = expect
        .get("excluded")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    match (&score.outcome, want_excluded) {
        (Outcome::Scored(got), false) => {
            if let Some(want) = expect.get("score").and_then(number)
                && (got - want).abs() > 1e-9 * want.abs().max(1.0)
            {
                problems.push(format!("score {got} (expected {want})"));
            }
        }
        (Outcome::Scored(got), true) => problems.push(format!("scored {got} (expected excluded)")),
        (Outcome::Excluded { reason, .. }, false) => {
            problems.push(format!("excluded: {reason} (expected a score)"))
        }
        (
            Outcome::Excluded {
                reason, reasons, ..
            },
            true,
        ) => {
            // A reason per language says it in any of them (`reason = "demolition zone"`
            // or `"拆迁"`).
            if let Some(want) = expect.get("reason").and_then(|v| v.as_str())
                && !reason.contains(want)
                && !reasons.values().any(|r| r.contains(want))
            {
                problems.push(format!("reason {reason:?} (expected it to say {want:?})"));
            }
        }
    }
    // `evidence = { key = value }`: what the score's (or the exclusion's) evidence must hold;
    // numbers to 1e-9.
    if let Some(want) = expect.get("evidence").and_then(|t| t.as_table()) {
        let got = match &score.outcome {
            Outcome::Excluded { evidence, .. } => evidence,
            Outcome::Scored(_) => &score.evidence,
        };
        for (key, want) in want {
            let want = serde_json::to_value(want).map_err(|e| e.to_string())?;
            match got.get(key) {
                None => problems.push(format!("no evidence {key:?}")),
                Some(g) => {
                    let same = match (g.as_f64(), want.as_f64()) {
                        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        _ => *g == want,
                    };
                    if !same {
                        problems.push(format!("evidence {key:?} is {g} (expected {want})"));
                    }
                }
            }
        }
    }
    if let Some(terms) = expect.get("terms").and_then(|t| t.as_table()) {
        for (name, want) in terms {
            let want =
                number(want).ok_or_else(|| format!("expect.terms.{name} must be a number"))?;
            match score.terms.iter().find(|t| &t.name == name) {
                None => problems.push(format!("no term {name:?}")),
                Some(t) if (t.contribution() - want).abs() > 1e-9 * want.abs().max(1.0) => problems
                    .push(format!(
                        "term {name:?} adds {} (expected {want})",
                        t.contribution()
                    )),
                Some(_) => {}
            }
        }
    }
    done(problems)
}

/// A table case's input must hold only what a run hands over: `params`, and under `layers`
/// the layers the manifest reads, each feature with `id`, `name` and declared fields only
/// (a case built on anything else would pass here and never see that data in a run).
fn undeclared_table_input(manifest: &Manifest, input: &serde_json::Value) -> Outcome_ {
    let table = input.as_object().ok_or("input must be a table")?;
    if let Some(k) = table.keys().find(|k| *k != "layers" && *k != "params") {
        return Err(format!(
            "input.{k}: a table's input holds only layers and params"
        ));
    }
    undeclared_layers(manifest, table)
}

/// A target case's input: `run` (with only what a run hands over: a chosen site's engine
/// keys and the fields `reads` declares of its layer), `layers` and `params`.
fn undeclared_target_input(manifest: &Manifest, input: &serde_json::Value) -> Outcome_ {
    let table = input.as_object().ok_or("input must be a table")?;
    if let Some(k) = table
        .keys()
        .find(|k| !["run", "layers", "params"].contains(&k.as_str()))
    {
        return Err(format!(
            "input.{k}: a target's input holds only run, layers and params"
        ));
    }
    if let Some(run) = table.get("run") {
        let run = run.as_object().ok_or("input.run must be a table")?;
        if let Some(k) = run
            .keys()
            .find(|k| !crate::jobs::TARGET_RUN_KEYS.contains(&k.as_str()))
        {
            return Err(format!(
                "input.run.{k}: a run hands a target {}",
                crate::jobs::TARGET_RUN_KEYS.join(", ")
            ));
        }
        let declared = manifest.declared();
        for (name, scoring) in run
            .get("scorings")
            .and_then(|s| s.as_object())
            .into_iter()
            .flatten()
        {
            let layer = scoring
                .get("layer")
                .and_then(|l| l.as_str())
                .unwrap_or("sites");
            let fields = declared.fields(layer);
            for (i, site) in scoring
                .get("chosen")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
                .enumerate()
            {
                for k in site.as_object().into_iter().flat_map(|s| s.keys()) {
                    if !crate::jobs::TARGET_SITE_KEYS.contains(&k.as_str())
                        && !fields.iter().any(|f| f == k)
                    {
                        return Err(format!(
                            "input.run.scorings.{name}.chosen[{i}].{k}: the manifest's reads does not declare {layer}.{k}, so a run never hands it over"
                        ));
                    }
                }
            }
        }
    }
    undeclared_layers(manifest, table)
}

/// The `layers` of a table's or a target's input: only the layers and fields `reads`
/// declares.
fn undeclared_layers(
    manifest: &Manifest,
    table: &serde_json::Map<String, serde_json::Value>,
) -> Outcome_ {
    let Some(layers) = table.get("layers") else {
        return Ok(());
    };
    let layers = layers
        .as_object()
        .ok_or("input.layers must be a table of lists")?;
    for (layer, features) in layers {
        let declared: Vec<&str> = manifest
            .reads
            .iter()
            .filter_map(|r| match r.split_once('.') {
                Some((l, f)) if l == layer => Some(f),
                None if r == layer => Some(""),
                _ => None,
            })
            .collect();
        if declared.is_empty() {
            return Err(format!(
                "input.layers.{layer}: the manifest's reads does not declare layer {layer:?}, so a run never hands it over"
            ));
        }
        let features = features
            .as_array()
            .ok_or_else(|| format!("input.layers.{layer} must be a list of features"))?;
        for (i, f) in features.iter().enumerate() {
            let Some(f) = f.as_object() else {
                return Err(format!("input.layers.{layer}[{i}] must be a table"));
            };
            if let Some(k) = f
                .keys()
                .find(|k| *k != "id" && *k != "name" && !declared.contains(&k.as_str()))
            {
                return Err(format!(
                    "input.layers.{layer}[{i}].{k}: the manifest's reads does not declare {layer}.{k}, so a run never hands it over"
                ));
            }
        }
    }
    Ok(())
}

/// Compares a table with `expect`: `rows` (a list of tables, column id → value, in order),
/// `totals` (column id → value) and `subtotals` (group value → { column id → value }), each
/// only when given; numbers to 1e-9 as scores are, text exactly.
pub(crate) fn compare_table(table: &super::table::Table, expect: &toml::Value) -> Outcome_ {
    use super::table::Cell;
    let mut problems = Vec::new();
    let known = ["rows", "totals", "subtotals"];
    if let Some(t) = expect.as_table() {
        if let Some(k) = t.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!(
                "expect.{k}: a table case expects rows, totals or subtotals"
            ));
        }
        if t.is_empty() {
            return Err("expect is empty: give rows, totals or subtotals".into());
        }
    }
    let same = |got: Option<&Cell>, want: &toml::Value| -> bool {
        let number = want
            .as_float()
            .or_else(|| want.as_integer().map(|i| i as f64));
        match (got, number, want.as_str()) {
            (Some(Cell::Text(g)), _, Some(w)) => g == w,
            (Some(g), Some(w), _) => g
                .number()
                .is_some_and(|g| (g - w).abs() <= 1e-9 * w.abs().max(1.0)),
            _ => false,
        }
    };
    let shown = |c: Option<&Cell>| c.map_or_else(|| "nothing".to_owned(), Cell::text);
    let compare = |problems: &mut Vec<String>,
                   what: String,
                   cells: &[Option<Cell>],
                   want: &toml::Value|
     -> Outcome_ {
        let want = want
            .as_table()
            .ok_or_else(|| format!("expect {what} must be a table, column id → value"))?;
        for (id, w) in want {
            let Some(k) = table.columns.iter().position(|c| &c.id == id) else {
                problems.push(format!("{what}: no column {id:?}"));
                continue;
            };
            let got = cells[k].as_ref();
            if !same(got, w) {
                problems.push(format!("{what}.{id} = {} (expected {w})", shown(got)));
            }
        }
        Ok(())
    };
    if let Some(rows) = expect.get("rows") {
        let rows = rows
            .as_array()
            .ok_or("expect.rows must be a list of tables")?;
        if rows.len() != table.rows.len() {
            problems.push(format!(
                "{} rows (expected {})",
                table.rows.len(),
                rows.len()
            ));
        }
        for (i, (got, want)) in table.rows.iter().zip(rows).enumerate() {
            let cells: Vec<Option<Cell>> = got.iter().cloned().map(Some).collect();
            compare(&mut problems, format!("row {}", i + 1), &cells, want)?;
        }
    }
    if let Some(want) = expect.get("totals") {
        compare(&mut problems, "totals".into(), &table.totals, want)?;
    }
    if let Some(want) = expect.get("subtotals") {
        let want = want
            .as_table()
            .ok_or("expect.subtotals must be a table, group → { column id → value }")?;
        for (group, w) in want {
            match table.subtotals.iter().find(|s| s.group.text() == *group) {
                Some(s) => compare(&mut problems, format!("subtotals.{group}"), &s.values, w)?,
                None => problems.push(format!("no subtotal for group {group:?}")),
            }
        }
    }
    done(problems)
}

/// Compares a target check with `expect`: `met` (target → true or false), `measured` and
/// `wanted` (target → a number, or group → number), each only when given; numbers to 1e-9.
pub(crate) fn compare_targets(
    check: &super::target::TargetCheck,
    expect: &toml::Value,
) -> Outcome_ {
    use super::target::TargetStatus;
    let mut problems = Vec::new();
    let t = expect
        .as_table()
        .ok_or("expect must be a table: met, measured, wanted")?;
    if let Some(k) = t
        .keys()
        .find(|k| !["met", "measured", "wanted"].contains(&k.as_str()))
    {
        return Err(format!(
            "expect.{k}: a target case expects met, measured or wanted"
        ));
    }
    if t.is_empty() {
        return Err("expect is empty: give met, measured or wanted".into());
    }
    let target = |name: &str| check.targets.iter().find(|t| t.decl.name == name);
    let close = |g: f64, w: f64| (g - w).abs() <= 1e-9 * w.abs().max(1.0);
    let number = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    if let Some(met) = t.get("met") {
        let met = met
            .as_table()
            .ok_or("expect.met must be a table, target → true or false")?;
        for (name, want) in met {
            let want = want
                .as_bool()
                .ok_or_else(|| format!("expect.met.{name} must be true or false"))?;
            match target(name) {
                None => problems.push(format!("no target {name:?}")),
                Some(r) if (r.status == TargetStatus::Met) != want => problems.push(format!(
                    "target {name}: {} (expected {})",
                    r.status.word(false),
                    if want { "met" } else { "missed" }
                )),
                Some(_) => {}
            }
        }
    }
    for (key, pick) in [
        (
            "measured",
            (|g: &super::target::GroupMeasure| g.measured) as fn(&_) -> f64,
        ),
        ("wanted", |g| g.wanted),
    ] {
        let Some(want) = t.get(key) else { continue };
        let want = want
            .as_table()
            .ok_or_else(|| format!("expect.{key} must be a table, target → value"))?;
        for (name, w) in want {
            let Some(r) = target(name) else {
                problems.push(format!("no target {name:?}"));
                continue;
            };
            match (w, r.value) {
                (toml::Value::Table(groups), _) => {
                    for (group, w) in groups {
                        let w = number(w).ok_or_else(|| {
                            format!("expect.{key}.{name}.{group} must be a number")
                        })?;
                        match r.groups.iter().find(|g| &g.group == group) {
                            Some(g) if close(pick(g), w) => {}
                            Some(g) => problems.push(format!(
                                "target {name}: {key}[{group}] = {} (expected {w})",
                                pick(g)
                            )),
                            None => problems.push(format!("target {name}: no group {group:?}")),
                        }
                    }
                }
                (w, value) => {
                    let w = number(w).ok_or_else(|| {
                        format!("expect.{key}.{name} must be a number or a table")
                    })?;
                    let got = value.map(|(m, wv)| if key == "measured" { m } else { wv });
                    match got {
                        Some(g) if close(g, w) => {}
                        Some(g) => {
                            problems.push(format!("target {name}: {key} = {g} (expected {w})"))
                        }
                        None => problems.push(format!(
                            "target {name}: measured per group, not as one number"
                        )),
                    }
                }
            }
        }
    }
    done(problems)
}

fn done(problems: Vec<String>) -> Outcome_ {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
