//! Choosing each community's planning standard and checking it: which standard applies (GB
//! 50180-2018 inside urban land, the provincial new-rural-community guideline elsewhere) and
//! every threshold the community misses, with the evidence.
//!
//! A community is a site and the villages merged into it ([`communities`]). Its candidate:
//! - id: the community's name; geometry: its site's polygon in the metric CRS (the site whose
//!   name, else id, is the community's name; a community without one has no geometry, and the
//!   outputs say so); the site's own attributes (`community["面积公顷"]`); the plan's layers;
//! - features ([`COMMUNITY_FEATURES`]): `township` and `township_type` (镇, 乡 or 街道, from
//!   the townships layer's `type` field: the plan applies GB 50180 in a 镇 but not on
//!   account of a 乡's seat; `()` when the plan gives no type); `population`, `households` (sums over
//!   its villages), `villages` (how many) and `village_ids`; `site` (the site's id),
//!   `site_area_m2`, `land_per_person_m2` (site area / population); `land_use`, the zoning
//!   class covering most of the site, and `land_use_share`, how much of it that class covers
//!   (`()` without a zoning layer, a site, or zoning under the site); `zoning_shares`, the
//!   share of the site each zoning class covers (`{}` when none does; `()` without a zoning
//!   layer or a site), so that a plugin's choice of standard can be read off the outputs;
//!   `outside_zoning`, true when the plan has a zoning layer and no zoning polygon covers any
//!   of the site (it is not on planned construction land: 启动标准 3), `()` without a zoning
//!   layer or a site.
//!
//! [`communities`]: super::communities::communities()

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use geo::{Area, Geometry};
use rayon::prelude::*;

use super::communities::Community;
use super::scene::{SceneLayer, build_scene_reading};
use crate::error::Result;
use crate::index::spatial::{IndexedLayer, SpatialLayers};
use crate::io::OutputDir;
use crate::model::schema::{LayerKind, Schema};
use crate::model::{Village, field_text};
use crate::pipeline::job::AffectedRun;
use crate::pipeline::plan::Plan;
use crate::rules::candidate::{Candidate, FeatureNames, Value};
use crate::rules::plugin::Plugin;
use crate::rules::verdict::{StandardVerdict, Status};

/// The names of the features every community gets, in order.
pub const COMMUNITY_FEATURES: [&str; 13] = crate::rules::reads::engine::COMMUNITY_FEATURES;

/// A standard-selection plugin run over a plan's communities.
#[derive(Debug)]
pub struct StandardRun {
    /// The plugin's name.
    pub plugin: String,
    /// The communities, in the office's order (the communities table's, else by 区划代码).
    pub communities: Vec<Community>,
    /// Each community's candidate (features, site polygon), parallel to `communities`.
    pub candidates: Vec<Candidate>,
    /// What the outputs say about a community's data (no site), parallel to `communities`.
    pub notes: Vec<Option<String>>,
    /// One answer (or plugin error) per community.
    pub verdicts: Vec<Result<StandardVerdict>>,
    /// Villages that joined no community (indices into the villages layer's features).
    pub unassigned: Vec<usize>,
    /// What the planner should know (layers the plugin reads that the plan does not list).
    pub warnings: Vec<crate::Warning>,
    /// Each community's footprint (its villages' polygons, in their CRS), for the map.
    pub footprints: Vec<geo::MultiPolygon<f64>>,
    /// The footprints' CRS (the villages layer's).
    pub footprints_crs: crate::model::crs::Crs,
    /// The engine that takes the footprints to WGS 84 (the plan's).
    pub engine: crate::model::crs::CrsEngine,
    /// The edition of the standard the plugin applies, as its parameters say, with the
    /// plugin's word on it (`GB 50180-2018（现行；方案所引GB 50180-93已被替代）`): the source
    /// plan names a superseded edition, and the summary says which one the run used.
    pub edition: Option<String>,
}

/// The edition a plugin applies: its parameter `edition` (text), followed by the note its
/// `editions` table gives that edition (`[params.editions."GB 50180-2018"] note = "…"`), in
/// full-width brackets; `None` for a plugin without an `edition` parameter.
pub fn edition_of(params: &BTreeMap<String, toml::Value>) -> Option<String> {
    let edition = params.get("edition")?.as_str()?;
    let note = params
        .get("editions")
        .and_then(|e| e.get(edition))
        .and_then(|e| e.get("note"))
        .and_then(toml::Value::as_str)
        .filter(|n| !n.is_empty());
    Some(match note {
        Some(note) => format!("{edition}（{note}）"),
        None => edition.to_owned(),
    })
}

/// The share (0–1) of `site` that each zoning class covers, for the classes that cover some
/// of it, by class.
pub fn zoning_shares(zoning: &IndexedLayer, site: &Geometry<f64>) -> BTreeMap<String, f64> {
    let classes: std::collections::BTreeSet<&str> = zoning
        .within(site, 0.0, None)
        .into_iter()
        .filter_map(|i| zoning.items()[i].class.as_deref())
        .collect();
    classes
        .into_iter()
        .map(|class| (class.to_owned(), zoning.overlap_share(site, Some(class))))
        .filter(|(_, share)| *share > 0.0)
        .collect()
}

/// The zoning class covering most of `site` and the share of the site it covers; ties go to
/// the class that sorts first. `None` when no zoning lies under the site.
pub fn land_use(zoning: &IndexedLayer, site: &Geometry<f64>) -> Option<(String, f64)> {
    best_class(&zoning_shares(zoning, site))
}

fn best_class(shares: &BTreeMap<String, f64>) -> Option<(String, f64)> {
    let mut best: Option<(&String, f64)> = None;
    for (class, &share) in shares {
        if best.is_none_or(|(_, b)| share > b) {
            best = Some((class, share));
        }
    }
    best.map(|(c, s)| (c.clone(), s))
}

/// A township type as written in a townships layer, in the plan's three words: 镇 (a town:
/// inside it GB 50180 applies), 乡 (its seat is excluded from the towns) and 街道 (a city's
/// sub-district, urban as a 镇). `None` for anything else, which the caller reports.
pub fn township_type(text: &str) -> Option<&'static str> {
    match text.trim() {
        "镇" | "建制镇" | "town" => Some("镇"),
        "乡" | "民族乡" => Some("乡"),
        "街道" | "街道办事处" | "街道办" | "街办" | "subdistrict" => Some("街道"),
        _ => None,
    }
}

/// Each township's type by name (the first feature of a name wins), from the townships
/// layer's `type` field; a value that is not a township type, or a township without one when
/// the plan maps the field, is a warning naming file, feature, field and value, and that
/// township's communities get no type (`()`), never a guessed one.
pub fn township_types(
    layer: &crate::model::layer::Layer,
    schema: &Schema,
) -> (BTreeMap<String, &'static str>, Vec<crate::Warning>) {
    let mut types = BTreeMap::new();
    let mut warnings = Vec::new();
    for f in &layer.features {
        let Some(name) = field_text(f, schema, "name").or_else(|| f.id.clone()) else {
            continue;
        };
        let text = field_text(f, schema, "type").filter(|t| !t.trim().is_empty());
        let field = crate::model::file_field(f, schema, "type")
            .or_else(|| schema.mapped("type").map(str::to_owned));
        match text.as_deref().map(|t| (t, township_type(t))) {
            Some((_, Some(kind))) => {
                types.entry(name).or_insert(kind);
            }
            Some((value, None)) => {
                let at = layer.feature_ref(f);
                let field = field.unwrap_or_else(|| "type".to_owned());
                warnings.push(
                    crate::Warning::new(
                        crate::WarningKind::UnreadableValue,
                        format!(
                            "{at}: township {name:?}: field {field:?} = {value:?} is not a \
                             township type (镇/建制镇, 乡/民族乡, 街道/街道办事处): its \
                             communities get no township_type, and the standard follows their \
                             zoning alone"
                        ),
                        format!(
                            "{}：乡镇 {name:?}：字段 {field:?} = {value:?} 不是乡镇类型\
                             （镇/建制镇、乡/民族乡、街道/街道办事处）：其社区没有 \
                             township_type，标准只按其分区判断",
                            crate::warning::feature_zh(&at)
                        ),
                    )
                    .with_feature(&at)
                    .with_field(field)
                    .with_value(value),
                );
            }
            None => {
                if let Some(field) = schema.mapped("type") {
                    let at = layer.feature_ref(f);
                    warnings.push(
                        crate::Warning::new(
                            crate::WarningKind::MissingField,
                            format!(
                                "{at}: township {name:?} has no value in field {field:?} (its \
                                 type, 镇/乡/街道): its communities get no township_type, and \
                                 the standard follows their zoning alone"
                            ),
                            format!(
                                "{}：乡镇 {name:?} 的字段 {field:?}（其类型，镇/乡/街道）没有值：\
                                 其社区没有 township_type，标准只按其分区判断",
                                crate::warning::feature_zh(&at)
                            ),
                        )
                        .with_feature(&at)
                        .with_field(field),
                    );
                }
            }
        }
    }
    (types, warnings)
}

/// Each community's candidate: its features, its site (by name) as geometry and the site's
/// attributes, and `layers`; with a note for a community that has no site. `types`: each
/// township's type by name (`township_types`).
pub fn community_candidates(
    communities: &[Community],
    villages: &[Village],
    village_count: usize,
    sites: Option<(&SceneLayer, &Schema)>,
    layers: &Arc<SpatialLayers>,
    types: &BTreeMap<String, &'static str>,
) -> Vec<(Candidate, Option<String>)> {
    let names: FeatureNames = COMMUNITY_FEATURES.iter().map(|s| s.to_string()).collect();
    // The villages' model fields by feature index (villages skipped as invalid have none).
    let mut by_feature: Vec<Option<&Village>> = vec![None; village_count];
    for v in villages {
        if let Some(slot) = by_feature.get_mut(v.feature) {
            *slot = Some(v);
        }
    }
    // Sites by name, then by id; the first of a name wins.
    let mut site_by_name: BTreeMap<String, usize> = BTreeMap::new();
    if let Some((sites, schema)) = sites {
        for (i, (f, item)) in sites.layer.features.iter().zip(&sites.items).enumerate() {
            if let Some(name) = field_text(f, schema, "name") {
                site_by_name.entry(name).or_insert(i);
            }
            site_by_name.entry(item.id.clone()).or_insert(i);
        }
    }
    let zoning = layers.get("zoning");
    communities
        .par_iter()
        .map(|c| {
            let members: Vec<&Village> = c
                .villages
                .iter()
                .filter_map(|&i| by_feature.get(i).copied().flatten())
                .collect();
            let population: u64 = members.iter().map(|v| v.population).sum();
            let households: u64 = members.iter().map(|v| v.households).sum();
            let ids: Vec<serde_json::Value> = members.iter().map(|v| v.id.clone().into()).collect();
            let site = sites.and_then(|(s, _)| {
                let i = *site_by_name.get(c.site_key())?;
                Some((&s.layer.features[i], &s.items[i]))
            });
            let note = match (sites, site) {
                (_, Some(_)) => None,
                (None, None) => Some(
                    "the plan lists no sites layer: no site, so no land or distances".to_owned(),
                ),
                (Some(_), None) => Some(format!(
                    "no site named {:?} in the sites layer: no land or distances",
                    c.name
                )),
            };
            let geometry = site.map(|(_, item)| item.geometry.clone());
            let area = geometry.as_ref().map(|g| g.unsigned_area());
            let per_person = area
                .filter(|_| population > 0)
                .map(|a| a / population as f64);
            let shares = match (zoning, &geometry) {
                (Some(z), Some(g)) => Some(zoning_shares(z, g)),
                _ => None,
            };
            let use_ = shares.as_ref().and_then(best_class);
            let outside = shares.as_ref().map(BTreeMap::is_empty);
            let values = vec![
                Value::Text(c.township.clone()),
                types.get(&c.township).map(|t| (*t).to_owned()).into(),
                Value::Int(population as i64),
                Value::Int(households as i64),
                Value::Int(members.len() as i64),
                Value::Json(serde_json::Value::Array(ids)),
                site.map(|(_, item)| item.id.clone()).into(),
                area.into(),
                per_person.into(),
                use_.as_ref().map(|(class, _)| class.clone()).into(),
                use_.map(|(_, share)| share).into(),
                shares.map_or(Value::Missing, |s| Value::Json(serde_json::json!(s))),
                outside.map_or(Value::Missing, Value::Bool),
            ];
            let candidate = Candidate::with_place(
                c.name.clone(),
                names.clone(),
                values,
                site.map(|(f, _)| f.properties.clone()),
                geometry,
                Some(layers.clone()),
            );
            (candidate, note)
        })
        .collect()
}

impl StandardRun {
    /// Groups the plan's villages into communities (with the plan's sites), builds each
    /// community's candidate over the scene of `run` and asks the plugin at `plugin` which
    /// standard applies and whether the community meets it, on all cores, in community order.
    /// A plugin failure on one community is that community's result.
    pub fn run(plan: &Plan, run: &AffectedRun, path: &Path) -> Result<StandardRun> {
        let plugin = Plugin::load(path)?;
        plugin.manifest().expect_kind(
            crate::rules::Kind::StandardSelection,
            &format!("planning standard check ({})", path.display()),
        )?;
        // The standards run after the plan's tables; a table read is computed here.
        let plugin = super::stages::with_tables(plan, plugin, &[])?;
        let declared = plugin.manifest().declared();
        let (layers, read) = build_scene_reading(plan, run, &declared)?;
        let mut read_layers: Vec<(&str, &crate::model::layer::Layer)> = read
            .iter()
            .map(|(name, l)| (name.as_str(), &l.layer))
            .collect();
        read_layers.push(("villages", &run.villages_layer));
        let mut warnings = super::reads::check_plan_reads(
            plugin.manifest(),
            plan,
            &read_layers,
            &[],
            (
                "the checks that need it are skipped or fail",
                "需要它的检查被跳过或不通过",
            ),
        )?;
        let site_schema = plan
            .sites
            .as_ref()
            .map(|s| s.schema.clone())
            .unwrap_or_else(|| Schema::new(LayerKind::Sites));
        let sites = read.get("sites").map(|s| (s, &site_schema));
        let (types, type_warnings) = match (read.get("townships"), plan.context.get("townships")) {
            (Some(t), Some(source)) => township_types(&t.layer, &source.schema),
            _ => Default::default(),
        };
        warnings.extend(type_warnings);
        let (grouping, _) = super::programme::plan_grouping(
            plan,
            &run.villages_layer,
            sites.map(|(s, schema)| (&s.layer, schema)),
        )?;
        let (communities, unassigned) = (grouping.communities, grouping.unassigned);
        warnings.extend(grouping.warnings);
        let (candidates, notes): (Vec<Candidate>, Vec<Option<String>>) = community_candidates(
            &communities,
            &run.villages,
            run.villages_layer.features.len(),
            sites,
            &layers,
            &types,
        )
        .into_iter()
        .unzip();
        // Only the site attributes the plugin declares are handed over.
        let site_fields = declared.fields("sites");
        let candidates: Vec<Candidate> = candidates
            .into_iter()
            .map(|c| {
                let site = c
                    .feature("site")
                    .and_then(|v| match v {
                        Value::Text(id) => Some(id.clone()),
                        _ => None,
                    })
                    .and_then(|id| {
                        let s = read.get("sites")?;
                        s.items
                            .iter()
                            .position(|i| i.id == id)
                            .map(|k| &s.layer.features[k])
                    });
                let properties = site.and_then(|f| {
                    super::reads::declared_properties(&f.properties, &site_schema, site_fields)
                });
                c.with_properties(properties)
            })
            .collect();
        let verdicts = candidates
            .par_iter()
            .map(|c| plugin.select_standard(c))
            .collect();
        let footprints = communities
            .iter()
            .map(|c| super::communities::footprint(c, &run.villages_layer))
            .collect();
        Ok(StandardRun {
            edition: edition_of(&plugin.manifest().params),
            plugin: plugin.manifest().name.clone(),
            communities,
            candidates,
            notes,
            verdicts,
            unassigned,
            warnings,
            footprints,
            footprints_crs: run.villages_layer.crs,
            engine: plan.affected.engine,
        })
    }

    /// Writes `standards.csv`, `standards.json` and `standards.geojson` into an output folder
    /// being written; returns their names.
    pub fn write_into(&self, out: &OutputDir) -> Result<Vec<String>> {
        out.write("standards.csv", &self.csv())?;
        out.write("standards.json", &self.json())?;
        out.write("standards.geojson", &self.geojson()?)?;
        Ok(["standards.csv", "standards.json", "standards.geojson"]
            .map(str::to_owned)
            .to_vec())
    }

    /// Each community's footprint with its standard, status and the criteria it misses.
    pub fn geojson(&self) -> Result<Vec<u8>> {
        let to_wgs84 =
            crate::io::geojson_write::Wgs84Writer::new(self.footprints_crs, self.engine)?;
        super::communities::communities_geojson(
            &to_wgs84,
            self.communities
                .iter()
                .zip(&self.verdicts)
                .zip(&self.footprints)
                .map(|((c, v), shape)| {
                    let p = super::communities::community_properties(c, v, |p, v| {
                        p.insert("standard".into(), v.standard.clone().into());
                        p.insert("status".into(), status_name(v.verdict.status).into());
                        p.insert("failed".into(), v.verdict.failed().join(";").into());
                    });
                    (shape, p)
                }),
        )
    }

    /// One row per community (UTF-8 with BOM): the standard, whether it is met, the criteria
    /// missed, the community's features, a note on missing data and the plugin error.
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let mut header = vec!["community", "standard", "status", "failed"];
        header.extend(COMMUNITY_FEATURES);
        header.extend(["note", "error"]);
        let _ = w.write_record(&header);
        for ((c, verdict), note) in self.candidates.iter().zip(&self.verdicts).zip(&self.notes) {
            let mut row = vec![c.id().to_owned()];
            match verdict {
                Ok(v) => row.extend([
                    v.standard.clone(),
                    status_name(v.verdict.status),
                    v.verdict.failed().join(";"),
                ]),
                Err(_) => row.extend(["".into(), "error".into(), "".into()]),
            }
            row.extend(c.features().map(|(name, v)| {
                match (name, v) {
                    ("village_ids", Value::Json(serde_json::Value::Array(ids))) => ids
                        .iter()
                        .filter_map(|id| id.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                    _ => cell(v),
                }
            }));
            row.push(note.clone().unwrap_or_default());
            row.push(
                verdict
                    .as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            );
            let _ = w.write_record(&row);
        }
        w.into_inner().unwrap_or_default()
    }

    /// Every community's standard and verdict with each finding's evidence, and its features.
    pub fn json(&self) -> Vec<u8> {
        let list: Vec<serde_json::Value> = self
            .candidates
            .iter()
            .zip(&self.verdicts)
            .zip(&self.notes)
            .map(|((c, verdict), note)| {
                let features: serde_json::Map<String, serde_json::Value> = c
                    .features()
                    .map(|(k, v)| (k.to_owned(), serde_json::to_value(v).unwrap_or_default()))
                    .collect();
                let mut entry = serde_json::json!({ "community": c.id() });
                match verdict {
                    Ok(v) => {
                        entry["standard"] = v.standard.clone().into();
                        entry["status"] = status_name(v.verdict.status).into();
                        entry["findings"] =
                            serde_json::to_value(&v.verdict.findings).unwrap_or_default();
                    }
                    Err(e) => {
                        entry["status"] = "error".into();
                        entry["error"] = e.to_string().into();
                    }
                }
                entry["features"] = features.into();
                if let Some(note) = note {
                    entry["note"] = note.clone().into();
                }
                entry
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&list).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// Whether the plugin failed on every community (and there was at least one).
    pub fn all_failed(&self) -> bool {
        !self.verdicts.is_empty() && self.verdicts.iter().all(Result::is_err)
    }

    /// One line in the plan's terms: per standard, how many communities follow it and how
    /// many meet it; plugin errors, communities without a site, villages in no community
    /// (English; [`StandardRun::summary_in`] for the run's language).
    pub fn summary(&self) -> String {
        self.summary_in(crate::report::Lang::En)
    }

    /// [`StandardRun::summary`] in `lang`, for the end of a run.
    pub fn summary_in(&self, lang: crate::report::Lang) -> String {
        let zh = lang == crate::report::Lang::ZhCn;
        let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for v in self.verdicts.iter().flatten() {
            let e = per.entry(v.standard.as_str()).or_default();
            e.0 += 1;
            if v.verdict.status == Status::Pass {
                e.1 += 1;
            }
        }
        let standards: Vec<String> = per
            .iter()
            .map(|(s, (n, ok))| {
                if zh {
                    format!("{s} {n} 个（{ok} 个达标）")
                } else {
                    format!("{s} {n} ({ok} meet it)")
                }
            })
            .collect();
        let standards = match (standards.is_empty(), zh) {
            (true, true) => "未检查".to_owned(),
            (true, false) => "none checked".to_owned(),
            (false, true) => standards.join("，"),
            (false, false) => standards.join(", "),
        };
        let edition = self
            .edition
            .as_ref()
            .map(|e| {
                if zh {
                    format!("；适用版本：{e}")
                } else {
                    format!("; edition applied: {e}")
                }
            })
            .unwrap_or_default();
        let outside = self
            .candidates
            .iter()
            .filter(|c| matches!(c.feature("outside_zoning"), Some(Value::Bool(true))))
            .count();
        let (plugin, communities) = (&self.plugin, self.communities.len());
        let errors = self.verdicts.iter().filter(|v| v.is_err()).count();
        let without_site = self.notes.iter().filter(|n| n.is_some()).count();
        let unassigned = self.unassigned.len();
        let head = if zh {
            format!(
                "{plugin}：{communities} 个社区 — {standards}{edition}；{errors} 个插件错误；\
                 {without_site} 个没有安置点；{outside} 个安置点不在任何规划用地图斑内；\
                 {unassigned} 个村庄不属于任何社区"
            )
        } else {
            format!(
                "{plugin}: {communities} communities — {standards}{edition}; {errors} plugin \
                 errors; {without_site} without a site; {outside} sites outside every zoning \
                 polygon; {unassigned} villages in no community"
            )
        };
        head + &*crate::rules::verdict::failure_lines(
            self.verdicts.iter().map(|v| v.as_ref().err()),
            "standards.csv",
            lang,
        )
    }
}

fn status_name(s: Status) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn cell(v: &Value) -> String {
    match v {
        Value::Missing => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => ryu::Buffer::new().format(*f).to_owned(),
        Value::Text(t) => t.clone(),
        Value::Json(j) => j.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::spatial::LayerItem;
    use geo::{Rect, coord};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry<f64> {
        Geometry::Polygon(Rect::new(coord! {x: x0, y: y0}, coord! {x: x1, y: y1}).to_polygon())
    }

    fn zone(id: &str, class: &str, g: Geometry<f64>) -> LayerItem {
        LayerItem {
            id: id.into(),
            class: Some(class.into()),
            geometry: g,
            properties: None,
        }
    }

    #[test]
    fn township_types_are_read_in_their_usual_spellings_and_nothing_else() {
        for (text, want) in [
            ("镇", Some("镇")),
            (" 建制镇 ", Some("镇")),
            ("乡", Some("乡")),
            ("民族乡", Some("乡")),
            ("街道", Some("街道")),
            ("街道办事处", Some("街道")),
            ("村", None),
            ("乡镇", None),
            ("", None),
        ] {
            assert_eq!(township_type(text), want, "{text:?}");
        }
    }

    #[test]
    fn the_edition_is_named_with_its_note() {
        let params: BTreeMap<String, toml::Value> = toml::from_str(
            r#"
            edition = "GB 50180-93"
            [editions."GB 50180-93"]
            note = "方案所引"
            [editions."GB 50180-2018"]
            note = "现行"
            "#,
        )
        .unwrap();
        assert_eq!(
            edition_of(&params).as_deref(),
            Some("GB 50180-93（方案所引）")
        );
        let bare: BTreeMap<String, toml::Value> =
            toml::from_str(r#"edition = "GB 50180-2018""#).unwrap();
        assert_eq!(edition_of(&bare).as_deref(), Some("GB 50180-2018"));
        assert_eq!(edition_of(&BTreeMap::new()), None);
    }

    #[test]
    fn land_use_is_the_class_covering_most_of_the_site() {
        let zoning = IndexedLayer::new(
            "zoning",
            vec![
                zone("Z1", "乡村建设用地", square(0.0, 0.0, 40.0, 100.0)),
                zone("Z2", "城镇建设用地", square(40.0, 0.0, 70.0, 100.0)),
                zone("Z3", "城镇建设用地", square(70.0, 0.0, 100.0, 100.0)),
            ],
        );
        let (class, share) = land_use(&zoning, &square(0.0, 0.0, 100.0, 100.0)).unwrap();
        assert_eq!(class, "城镇建设用地");
        assert!((share - 0.6).abs() < 1e-12, "{share}");
        assert_eq!(land_use(&zoning, &square(500.0, 0.0, 600.0, 100.0)), None);
    }
}
