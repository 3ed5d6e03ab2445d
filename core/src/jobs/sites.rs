//! Scoring candidate resettlement sites: the features each site gets from the engine, the
//! plugin's score or exclusion, and the ranking with the sites chosen per township.
//!
//! Features, computed once in Rust (distances in metres, in the metric CRS):
//! - `name`, `township`, `area_m2`;
//! - `road_distance`: to the nearest road of any class (the trunk network the zones follow);
//! - `town_distance`: to the town centre, the centroid of the site's township polygon (`()`
//!   without a townships layer or a township of that name);
//! - `village_distance`: population-weighted mean distance to the villages being merged — the
//!   villages of the site's township inside a demolition zone, or all of its villages when
//!   none is; `villages_merged` counts them;
//! - `in_zone` / `zone_share`: whether and how much of the site lies in a demolition zone;
//! - `in_corridor` / `corridor_share`: the same for the ecological corridors themselves;
//! - `farmland_share`, `redline_share`: the share on basic farmland / inside the ecological red
//!   line (`()` when the plan has no such layer).
//!
//! Scripts reach the site's own attributes that the plugin declares in `reads`
//! (`sites.面积公顷`: `site["面积公顷"]`; undeclared ones are not handed over) and may ask
//! the spatial helpers anything else.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use geo::{Area, Centroid, Distance, Euclidean, Geometry, Point};
use rayon::prelude::*;

use super::scene::{SceneLayer, build_scene_reading};
use crate::error::{Error, Result};
use crate::index::spatial::SpatialLayers;
use crate::io::OutputDir;
use crate::model::field_text;
use crate::pipeline::job::AffectedRun;
use crate::pipeline::plan::Plan;
use crate::rules::candidate::{Candidate, FeatureNames, Value};
use crate::rules::plugin::Plugin;
use crate::rules::score::{Outcome, Quota, Rank, Score, rank_by};
use crate::warning::{Warning, WarningKind};

/// The names of the features every site gets, in order.
pub const SITE_FEATURES: [&str; 13] = crate::rules::reads::engine::SITE_FEATURES;

/// Site scoring over a plan's candidate sites.
#[derive(Debug)]
pub struct SiteScoreRun {
    /// The plugin's name.
    pub plugin: String,
    /// The named job it runs (`[[scorings]] name`), `None` for `[scoring] sites`.
    pub job: Option<String>,
    /// The named job's title per language.
    pub title: BTreeMap<String, String>,
    /// The plan layer of the candidates (`sites` unless a named job says otherwise).
    pub layer: String,
    /// The sites layer as read (geometries in the planner's CRS).
    pub sites: SceneLayer,
    /// Each site's candidate (id, features), in layer order.
    pub candidates: Vec<Candidate>,
    /// One score (or plugin error) per site.
    pub scores: Vec<Result<Score>>,
    /// Each site's rank.
    pub ranks: Vec<Rank>,
    /// Sites chosen per township.
    pub top: usize,
    /// The attribute the sites are grouped by for choosing (`[scoring] per`); `None`: the
    /// township.
    pub per: Option<String>,
    /// How many are chosen per group.
    pub quota: Quota,
    /// Each site's group value (its township, or its `per` attribute), in layer order.
    pub groups: Vec<String>,
    /// What the planner should know (layers the plugin reads that the plan does not list).
    pub warnings: Vec<crate::Warning>,
    /// The engine that takes the sites to WGS 84 for the map (the plan's).
    pub engine: crate::model::crs::CrsEngine,
}

/// The features of every site of `sites`, in layer order.
pub fn site_candidates(
    plan: &Plan,
    run: &AffectedRun,
    layers: &Arc<SpatialLayers>,
    sites: &SceneLayer,
    townships: Option<&SceneLayer>,
) -> Vec<Candidate> {
    let site_schema = plan
        .sites
        .as_ref()
        .map(|s| s.schema.clone())
        .unwrap_or_else(|| {
            crate::model::schema::Schema::new(crate::model::schema::LayerKind::Sites)
        });
    candidates_of(plan, run, layers, sites, townships, &site_schema, false)
}

/// The features of every candidate of `sites` read with `site_schema`; with
/// `township_from_polygon`, a candidate whose township field is empty takes the name of the
/// township polygon that holds its centroid.
fn candidates_of(
    plan: &Plan,
    run: &AffectedRun,
    layers: &Arc<SpatialLayers>,
    sites: &SceneLayer,
    townships: Option<&SceneLayer>,
    site_schema: &crate::model::schema::Schema,
    township_from_polygon: bool,
) -> Vec<Candidate> {
    let names: FeatureNames = SITE_FEATURES.iter().map(|s| s.to_string()).collect();
    // Township polygons by name, for candidates that do not say theirs.
    let mut polygons: Vec<(String, &Geometry<f64>)> = Vec::new();
    // Town centres: the centroid of each township polygon, by township name.
    let mut centres: BTreeMap<String, Point<f64>> = BTreeMap::new();
    // The names come from the layer as read: the engine's own features do not depend on what
    // the plugin declares (the scene's attributes are the plugin's).
    if let (Some(townships), Some(source)) = (townships, plan.context.get("townships")) {
        let read = &source.schema;
        for (f, item) in townships.layer.features.iter().zip(&townships.items) {
            let name = read
                .candidates("name")
                .into_iter()
                .find_map(|n| {
                    f.properties
                        .get(n)
                        .and_then(|v| v.as_str().map(str::to_owned))
                })
                .unwrap_or_else(|| item.id.clone());
            if township_from_polygon {
                polygons.push((name.clone(), &item.geometry));
            }
            if let Some(c) = item.geometry.centroid() {
                centres.entry(name).or_insert(c);
            }
        }
    }
    // The villages to be merged, per township: those in a zone, else all of them.
    let village_items = layers.get("villages").map(|l| l.items()).unwrap_or(&[]);
    let by_id: BTreeMap<&str, usize> = village_items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.id.as_str(), i))
        .collect();
    let affected: std::collections::BTreeSet<usize> =
        run.affected.iter().map(|a| a.village).collect();
    // Per township: (centre, population weight) of its villages in a zone, and of all of them.
    type Weighted = Vec<(Point<f64>, f64)>;
    let mut merged: BTreeMap<&str, (Weighted, Weighted)> = BTreeMap::new();
    for (k, v) in run.villages.iter().enumerate() {
        let Some(item) = by_id.get(v.id.as_str()).map(|&i| &village_items[i]) else {
            continue;
        };
        let Some(c) = item.geometry.centroid() else {
            continue;
        };
        let entry = merged.entry(v.township.as_str()).or_default();
        let weight = (v.population as f64).max(1.0);
        if affected.contains(&k) {
            entry.0.push((c, weight));
        }
        entry.1.push((c, weight));
    }
    sites
        .layer
        .features
        .par_iter()
        .zip(&sites.items)
        .map(|(f, item)| {
            let g = &item.geometry;
            let mut township = field_text(f, site_schema, "township").unwrap_or_default();
            if township.is_empty()
                && let Some(c) = g.centroid()
            {
                use geo::Contains;
                if let Some((name, _)) = polygons.iter().find(|(_, p)| p.contains(&c)) {
                    township = name.clone();
                }
            }
            let name = field_text(f, site_schema, "name").unwrap_or_else(|| item.id.clone());
            let distance = |layer: &str| -> Value {
                layers
                    .get(layer)
                    .and_then(|l| l.nearest(g, None))
                    .map(|(_, d)| d)
                    .into()
            };
            let share = |layer: &str| -> Value {
                layers.get(layer).map(|l| l.overlap_share(g, None)).into()
            };
            let touches =
                |layer: &str| -> Value { layers.get(layer).map(|l| l.touches(g, None)).into() };
            let town = centres
                .get(&township)
                .map(|c| Euclidean.distance(g, &Geometry::Point(*c)));
            let (village_distance, villages_merged) = match merged.get(township.as_str()) {
                Some((inside, all)) => {
                    let list = if inside.is_empty() { all } else { inside };
                    let total: f64 = list.iter().map(|(_, w)| w).sum();
                    let sum: f64 = list
                        .iter()
                        .map(|(p, w)| w * Euclidean.distance(g, &Geometry::Point(*p)))
                        .sum();
                    (Some(sum / total), list.len() as i64)
                }
                None => (None, 0),
            };
            let values = vec![
                Value::Text(name),
                Value::Text(township),
                Value::Float(g.unsigned_area()),
                distance("roads"),
                town.into(),
                village_distance.into(),
                Value::Int(villages_merged),
                touches("zones"),
                share("zones"),
                touches("corridors"),
                share("corridors"),
                share("farmland"),
                share("redline"),
            ];
            Candidate::with_place(
                item.id.clone(),
                names.clone(),
                values,
                Some(f.properties.clone()),
                Some(g.clone()),
                Some(layers.clone()),
            )
        })
        .collect()
}

impl SiteScoreRun {
    /// Scores the plan's sites with the plugin at `plugin`, choosing the best `top` per
    /// township; `explain` keeps each score's terms.
    pub fn run(
        plan: &Plan,
        run: &AffectedRun,
        plugin_path: &std::path::Path,
        top: usize,
        explain: bool,
    ) -> Result<SiteScoreRun> {
        Self::run_quota(plan, run, plugin_path, None, &Quota::top(top), explain)
    }

    /// [`SiteScoreRun::run`], grouping the sites by their attribute `per` (a model name the
    /// plan maps, or the file's name; `None` or `township`: the township) and choosing
    /// `quota` of each group. A `per` that no site has is an error naming the plan, file and
    /// field; sites without it, and quota groups without a site, are warnings.
    pub fn run_quota(
        plan: &Plan,
        run: &AffectedRun,
        plugin_path: &std::path::Path,
        per: Option<&str>,
        quota: &Quota,
        explain: bool,
    ) -> Result<SiteScoreRun> {
        Self::run_layer(plan, run, plugin_path, "sites", per, quota, explain, &[])
    }

    /// A named scoring job (`[[scorings]]`): its plugin over the candidates of its layer,
    /// chosen per its `top`/`per`/`quota`; its files are named after it (see
    /// [`SiteScoreRun::write_into`]).
    pub fn run_job(
        plan: &Plan,
        run: &AffectedRun,
        job: &crate::pipeline::plan::ScoringJob,
        explain: bool,
    ) -> Result<SiteScoreRun> {
        Self::run_job_after(plan, run, job, explain, &[])
    }

    /// [`SiteScoreRun::run_job`] after the plan's tables `tables` (a plugin reading
    /// `tables.NAME.COLUMN` is handed their rows; a table it reads that is not among them is
    /// computed from the plan).
    pub fn run_job_after(
        plan: &Plan,
        run: &AffectedRun,
        job: &crate::pipeline::plan::ScoringJob,
        explain: bool,
        tables: &[super::TableRun],
    ) -> Result<SiteScoreRun> {
        let s = &job.scoring;
        let mut scored = Self::run_layer(
            plan,
            run,
            &s.plugin,
            &job.layer,
            s.per.as_deref(),
            &s.quota(),
            explain,
            tables,
        )?;
        scored.job = Some(job.name.clone());
        scored.title = job.title.clone();
        Ok(scored)
    }

    /// The candidates of `layer` scored by the plugin at `plugin_path`, after the plan's
    /// tables `tables` (see [`SiteScoreRun::run_job_after`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_layer(
        plan: &Plan,
        run: &AffectedRun,
        plugin_path: &std::path::Path,
        layer: &str,
        per: Option<&str>,
        quota: &Quota,
        explain: bool,
        tables: &[super::TableRun],
    ) -> Result<SiteScoreRun> {
        let per = per.filter(|p| *p != "township");
        let plugin = Plugin::load(plugin_path)?;
        plugin.manifest().expect_kind(
            crate::rules::Kind::SiteScore,
            &format!("site scoring ({})", plugin_path.display()),
        )?;
        let plugin = super::stages::with_tables(plan, plugin, tables)?;
        let Some(source) = plan.context.get(layer) else {
            let message = if layer == "sites" {
                "scoring sites needs a sites layer: add [layers.sites]".to_owned()
            } else {
                format!("scoring the candidates of layer {layer:?} needs [layers.{layer}]")
            };
            return Err(Error::config(plan.path.display().to_string(), message));
        };
        let declared = plugin.manifest().declared();
        let (layers, mut read) = build_scene_reading(plan, run, &declared)?;
        let mut read_layers: Vec<(&str, &crate::model::layer::Layer)> = read
            .iter()
            .map(|(name, l)| (name.as_str(), &l.layer))
            .collect();
        read_layers.push(("villages", &run.villages_layer));
        let mut warnings = super::reads::check_plan_reads(
            plugin.manifest(),
            plan,
            &read_layers,
            &[(layer, &SITE_FEATURES)],
            ("what it would give is missing", "它本应给出的内容缺失"),
        )?;
        // The plan's own layers are read for the plugins that declare them: the candidates'
        // layer is read all the same.
        let sites = match read.remove(layer) {
            Some(sites) => sites,
            None => super::scene::read_scene_layer(source, plan, run)?,
        };
        let schema = &source.schema;
        let mut candidates = candidates_of(
            plan,
            run,
            &layers,
            &sites,
            read.get("townships"),
            schema,
            layer != "sites",
        );
        // Only the declared attributes are handed over.
        let site_fields = declared.fields(layer);
        for (c, f) in candidates.iter_mut().zip(&sites.layer.features) {
            *c = c.with_properties(super::reads::declared_properties(
                &f.properties,
                schema,
                site_fields,
            ));
        }
        let scores: Vec<Result<Score>> = candidates
            .par_iter()
            .map(|c| plugin.score(c, explain))
            .collect();
        let values: Vec<Option<f64>> = scores
            .iter()
            .map(|s| s.as_ref().ok().and_then(Score::value))
            .collect();
        let ids: Vec<&str> = candidates.iter().map(Candidate::id).collect();
        let groups: Vec<String> = match per {
            None => candidates
                .iter()
                .map(|c| match c.feature("township") {
                    Some(Value::Text(t)) => t.clone(),
                    _ => String::new(),
                })
                .collect(),
            Some(per) => {
                let (groups, w) = group_values(plan, &sites, schema, per)?;
                warnings.extend(w);
                groups
            }
        };
        let file = sites.layer.path.display().to_string();
        for group in quota.table.keys().filter(|g| g.as_str() != "*") {
            if !groups.contains(group) {
                let by = per.unwrap_or("township");
                warnings.push(
                    Warning::new(
                        WarningKind::Other,
                        format!(
                            "{}: [scoring] quota names {by} {group:?}, but no candidate of {file} is in it: none is chosen there",
                            plan.path.display()
                        ),
                        format!(
                            "{}：[scoring] quota 指定了 {by} {group:?}，但 {file} 中没有位于其中的候选点：那里一个也不选",
                            plan.path.display()
                        ),
                    )
                    .with_file(&file)
                    .with_field(by)
                    .with_value(group),
                );
            }
        }
        let group_refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let ranks = rank_by(&values, &ids, &group_refs, |g| quota.of(g));
        // A quota the table asks for that too few candidates qualify to fill is said (the
        // rest of the run goes on with what there is); `top`, "at most N", is not a count owed.
        for (group, &wanted) in quota.table.iter().filter(|(g, _)| g.as_str() != "*") {
            let in_group = groups.iter().filter(|g| *g == group).count();
            let chosen = ranks
                .iter()
                .zip(&groups)
                .filter(|(r, g)| r.chosen && *g == group)
                .count();
            if in_group > 0 && chosen < wanted {
                let by = per.unwrap_or("township");
                warnings.push(
                    Warning::new(
                        WarningKind::Other,
                        format!(
                            "{}: [scoring] quota asks for {wanted} in {by} {group:?}, but only {chosen} of its {in_group} candidates in {file} qualify: {chosen} chosen there",
                            plan.path.display()
                        ),
                        format!(
                            "{}：[scoring] quota 要求在 {by} {group:?} 中选 {wanted} 个，但 {file} 中其 {in_group} 个候选点只有 {chosen} 个合格：那里选出 {chosen} 个",
                            plan.path.display()
                        ),
                    )
                    .with_file(&file)
                    .with_field(by)
                    .with_value(group),
                );
            }
        }
        Ok(SiteScoreRun {
            plugin: plugin.manifest().name.clone(),
            job: None,
            title: BTreeMap::new(),
            layer: layer.to_owned(),
            sites,
            candidates,
            scores,
            ranks,
            top: quota.top,
            per: per.map(str::to_owned),
            quota: quota.clone(),
            groups,
            warnings,
            engine: plan.affected.engine,
        })
    }

    /// Writes `sites_scored.csv`, `sites_scored.geojson` (the sites with their score, rank and
    /// choice) and `site_scores.json` (every score's terms, every exclusion's evidence); returns
    /// their names.
    pub fn write_into(&self, out: &OutputDir) -> Result<Vec<String>> {
        let names = self.file_names();
        out.write(&names[0], &self.csv())?;
        out.write(&names[1], &self.geojson()?)?;
        out.write(&names[2], &self.json())?;
        Ok(names.to_vec())
    }

    /// Its files: `sites_scored.csv`, `sites_scored.geojson`, `site_scores.json`, or for a
    /// named job `NAME_scored.csv`, `NAME_scored.geojson`, `NAME_scores.json`.
    pub fn file_names(&self) -> [String; 3] {
        match &self.job {
            None => [
                "sites_scored.csv".to_owned(),
                "sites_scored.geojson".to_owned(),
                "site_scores.json".to_owned(),
            ],
            Some(name) => [
                format!("{name}_scored.csv"),
                format!("{name}_scored.geojson"),
                format!("{name}_scores.json"),
            ],
        }
    }

    fn order(&self) -> Vec<usize> {
        // Best first; excluded and failed sites after, by id.
        let mut order: Vec<usize> = (0..self.candidates.len()).collect();
        order.sort_by(|&a, &b| {
            let key = |i: usize| self.ranks[i].overall.unwrap_or(usize::MAX);
            key(a)
                .cmp(&key(b))
                .then_with(|| self.candidates[a].id().cmp(self.candidates[b].id()))
        });
        order
    }

    /// Every term name in order of first appearance, and each name's column: an index, so
    /// that many distinct names cost linear time, not a scan per term.
    fn term_names(&self) -> (Vec<&str>, HashMap<&str, usize>) {
        let mut names: Vec<&str> = Vec::new();
        let mut column: HashMap<&str, usize> = HashMap::new();
        for s in self.scores.iter().flatten() {
            for t in &s.terms {
                column.entry(t.name.as_str()).or_insert_with(|| {
                    names.push(t.name.as_str());
                    names.len() - 1
                });
            }
        }
        (names, column)
    }

    /// The scored sites as a table (UTF-8 with BOM), best first.
    pub fn csv(&self) -> Vec<u8> {
        let (terms, column) = self.term_names();
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let grouped = self.per.is_some();
        let mut header: Vec<String> = if grouped {
            &[
                "rank",
                "id",
                "group",
                "group_rank",
                "chosen",
                "score",
                "excluded",
            ][..]
        } else {
            &["rank", "id", "township_rank", "chosen", "score", "excluded"][..]
        }
        .iter()
        .map(|s| s.to_string())
        .collect();
        header.extend(SITE_FEATURES.iter().map(|s| s.to_string()));
        header.extend(terms.iter().map(|t| format!("term:{t}")));
        header.push("error".into());
        let _ = w.write_record(&header);
        for i in self.order() {
            let c = &self.candidates[i];
            let r = self.ranks[i];
            let opt = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
            let mut row = vec![opt(r.overall), c.id().to_owned()];
            if grouped {
                row.push(self.groups[i].clone());
            }
            row.extend([
                opt(r.in_group),
                if r.chosen {
                    "yes".into()
                } else {
                    String::new()
                },
            ]);
            match &self.scores[i] {
                Ok(s) => {
                    match &s.outcome {
                        Outcome::Scored(v) => row.extend([number(*v), String::new()]),
                        Outcome::Excluded { reason, .. } => {
                            row.extend([String::new(), reason.clone()])
                        }
                    }
                    row.extend(c.features().map(|(_, v)| cell(v)));
                    let first = row.len();
                    row.resize(first + terms.len(), String::new());
                    // A name given twice shows its first term, as before.
                    for t in s.terms.iter().rev() {
                        row[first + column[t.name.as_str()]] = number(t.contribution());
                    }
                    row.push(String::new());
                }
                Err(e) => {
                    row.extend([String::new(), String::new()]);
                    row.extend(c.features().map(|(_, v)| cell(v)));
                    row.extend(terms.iter().map(|_| String::new()));
                    row.push(e.to_string());
                }
            }
            let _ = w.write_record(&row);
        }
        w.into_inner().unwrap_or_default()
    }

    /// Every site's score with its terms, or its exclusion with the evidence, as JSON.
    pub fn json(&self) -> Vec<u8> {
        let list: Vec<serde_json::Value> = self
            .order()
            .into_iter()
            .map(|i| {
                let c = &self.candidates[i];
                let features: serde_json::Map<String, serde_json::Value> = c
                    .features()
                    .map(|(k, v)| (k.to_owned(), serde_json::to_value(v).unwrap_or_default()))
                    .collect();
                let mut entry = serde_json::json!({
                    "id": c.id(),
                    "rank": self.ranks[i].overall,
                    "township_rank": self.ranks[i].in_group,
                    "chosen": self.ranks[i].chosen,
                    "features": features,
                });
                if self.per.is_some() {
                    // The rank is within the quota group, not the township.
                    let map = entry.as_object_mut().expect("an object");
                    map.remove("township_rank");
                    map.insert("group".into(), self.groups[i].clone().into());
                    map.insert("group_rank".into(), self.ranks[i].in_group.into());
                }
                match &self.scores[i] {
                    Ok(s) => {
                        match &s.outcome {
                            Outcome::Scored(v) => {
                                entry["score"] = (*v).into();
                                if !s.evidence.is_empty() {
                                    entry["evidence"] = serde_json::to_value(&s.evidence)
                                        .unwrap_or_default();
                                }
                            }
                            Outcome::Excluded { reason, evidence, reasons } => {
                                entry["excluded"] = serde_json::json!({"reason": reason, "evidence": evidence});
                                if !reasons.is_empty() {
                                    entry["excluded"]["reasons"] = serde_json::json!(reasons);
                                }
                            }
                        }
                        entry["terms"] = serde_json::to_value(
                            s.terms
                                .iter()
                                .map(|t| serde_json::json!({"name": t.name, "weight": t.weight, "value": t.value, "contribution": t.contribution()}))
                                .collect::<Vec<_>>(),
                        )
                        .unwrap_or_default();
                    }
                    Err(e) => entry["error"] = e.to_string().into(),
                }
                entry
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// The sites with their attributes plus `hecun_score`, `hecun_rank`,
    /// `hecun_township_rank`, `hecun_chosen` and `hecun_excluded`, in WGS 84 (RFC 7946).
    pub fn geojson(&self) -> Result<Vec<u8>> {
        let to_wgs84 =
            crate::io::geojson_write::Wgs84Writer::new(self.sites.layer.crs, self.engine)?;
        let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for (n, i) in self.order().into_iter().enumerate() {
            let f = &self.sites.layer.features[i];
            if n > 0 {
                s.push_str(",\n");
            }
            let mut props: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(f.properties.raw()).unwrap_or_default();
            let r = self.ranks[i];
            let (score, excluded) = match &self.scores[i] {
                Ok(sc) => match &sc.outcome {
                    Outcome::Scored(v) => (serde_json::json!(v), serde_json::Value::Null),
                    Outcome::Excluded { reason, .. } => {
                        (serde_json::Value::Null, reason.clone().into())
                    }
                },
                Err(e) => (serde_json::Value::Null, format!("error: {e}").into()),
            };
            props.insert("hecun_score".into(), score);
            props.insert("hecun_rank".into(), serde_json::json!(r.overall));
            if self.per.is_some() {
                props.insert("hecun_group".into(), self.groups[i].clone().into());
                props.insert("hecun_group_rank".into(), serde_json::json!(r.in_group));
            } else {
                props.insert("hecun_township_rank".into(), serde_json::json!(r.in_group));
            }
            props.insert("hecun_chosen".into(), r.chosen.into());
            props.insert("hecun_excluded".into(), excluded);
            s.push_str("{\"type\":\"Feature\",\"properties\":");
            s.push_str(&serde_json::to_string(&props).unwrap_or_default());
            s.push_str(",\"geometry\":");
            to_wgs84.write(&mut s, &f.geometry)?;
            s.push('}');
        }
        s.push_str("\n]}\n");
        Ok(s.into_bytes())
    }

    /// One line in the plan's terms (English; [`SiteScoreRun::summary_in`] for the run's
    /// language).
    pub fn summary(&self) -> String {
        self.summary_in(crate::report::Lang::En)
    }

    /// [`SiteScoreRun::summary`] in `lang`, for the end of a run.
    pub fn summary_in(&self, lang: crate::report::Lang) -> String {
        let zh = lang == crate::report::Lang::ZhCn;
        let excluded = self
            .scores
            .iter()
            .filter(|s| matches!(s, Ok(s) if s.value().is_none()))
            .count();
        let errors = self.scores.iter().filter(|s| s.is_err()).count();
        let chosen = self.ranks.iter().filter(|r| r.chosen).count();
        let scored = self.candidates.len() - excluded - errors;
        let candidates = self.candidates.len();
        let head = if zh {
            let who = match &self.job {
                Some(job) => format!("{job}（{}）", self.plugin),
                None => self.plugin.clone(),
            };
            let what = if self.job.is_some() {
                "要素"
            } else {
                "安置点"
            };
            // The grouping field is the plan's word; only hecun's own default gets a Chinese
            // name.
            let per = self.per.as_deref().unwrap_or("乡镇");
            let rule = if self.quota.table.is_empty() {
                format!("每个{per}最多选 {} 个", self.quota.top)
            } else {
                let mut parts: Vec<String> = self
                    .quota
                    .table
                    .iter()
                    .filter(|(g, _)| g.as_str() != "*")
                    .map(|(g, n)| format!("{g} {n}"))
                    .collect();
                if let Some(n) = self.quota.table.get("*") {
                    parts.push(format!("* {n}"));
                }
                format!("按 {per} 分配名额：{}", parts.join("，"))
            };
            format!(
                "{who}：{candidates} 个候选{what} — {scored} 个已评分，{excluded} 个被排除，\
                 {errors} 个插件错误；选出 {chosen} 个（{rule}）"
            )
        } else {
            let who = match &self.job {
                Some(job) => format!("{job} ({})", self.plugin),
                None => self.plugin.clone(),
            };
            let what = if self.job.is_some() {
                "features"
            } else {
                "sites"
            };
            let rule = self
                .quota
                .describe(self.per.as_deref().unwrap_or("township"));
            format!(
                "{who}: {candidates} candidate {what} — {scored} scored, {excluded} excluded, \
                 {errors} plugin errors; {chosen} chosen ({rule})"
            )
        };
        head + &*crate::rules::verdict::failure_lines(
            self.scores.iter().map(|s| s.as_ref().err()),
            &self.file_names()[0],
            lang,
        )
    }

    /// Whether the plugin failed on every candidate (and there was at least one).
    pub fn all_failed(&self) -> bool {
        !self.scores.is_empty() && self.scores.iter().all(Result::is_err)
    }
}

fn number(v: f64) -> String {
    let mut b = ryu::Buffer::new();
    b.format(v).to_owned()
}

fn cell(v: &Value) -> String {
    match v {
        Value::Missing => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => number(*f),
        Value::Text(t) => t.clone(),
        Value::Json(j) => j.to_string(),
    }
}

/// Each site's value of its attribute `per` (the plan's mapping of that model name, else the
/// file's field of that name) as text, and a warning for the sites without one (they fall
/// under the quota's `*`). No site with it at all is an error: most likely a misspelt name.
fn group_values(
    plan: &Plan,
    sites: &SceneLayer,
    schema: &crate::model::schema::Schema,
    per: &str,
) -> Result<(Vec<String>, Vec<Warning>)> {
    let mut names: Vec<&str> = schema.candidates(per);
    if !names.contains(&per) {
        names.push(per);
    }
    let layer = &sites.layer;
    let values: Vec<Option<String>> = layer
        .features
        .iter()
        .map(|f| {
            names
                .iter()
                .find_map(|n| f.properties.get(n))
                .and_then(|v| match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) if s.trim().is_empty() => None,
                    serde_json::Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                })
        })
        .collect();
    let file = layer.path.display().to_string();
    if !layer.features.is_empty() && values.iter().all(Option::is_none) {
        return Err(Error::config(
            plan.path.display().to_string(),
            format!(
                "[scoring] per = {per:?}: no candidate of {file} has a value for it (fields tried: {})",
                names.join(", ")
            ),
        ));
    }
    let mut warnings = Vec::new();
    let missing: Vec<String> = layer
        .features
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(f, _)| f.id.clone().unwrap_or_else(|| format!("#{}", f.index)))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
        let more = missing.len() - shown.len();
        warnings.push(
            Warning::new(
                WarningKind::MissingField,
                format!(
                    "{file}: candidates without a value for {per} (fields tried: {}): {} of {}: {}{}; they form the group \"\" and take the quota's \"*\"",
                    names.join(", "),
                    missing.len(),
                    layer.features.len(),
                    shown.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() },
                ),
                format!(
                    "{file}：没有 {per} 值的候选点（已尝试的字段：{}）：{} 个（共 {} 个）：{}{}；它们组成分组 \"\"，适用 quota 的 \"*\"",
                    names.join(", "),
                    missing.len(),
                    layer.features.len(),
                    shown.join("、"),
                    if more > 0 { format!(" 等，另有 {more} 个") } else { String::new() },
                ),
            )
            .with_file(&file)
            .with_field(per),
        );
    }
    Ok((
        values.into_iter().map(Option::unwrap_or_default).collect(),
        warnings,
    ))
}
