//! Which villages merge into which new community.
//!
//! The office's communities table (`[layers.communities]`: a roster keyed by community id,
//! [`CommunityTable`]) is the first word: a row's `villages` cell lists its villages by
//! 统计用区划代码. A village no row lists joins the community its own `community` field (社区
//! in planners' files) names — a row's id, else a row's name, else a community of that name
//! outside the table. A village with neither joins the nearest candidate site of its own
//! township (by great-circle distance between centroids), whose name names the community:
//! that join is derived, not the office's, and the outputs say so ([`Join::NearestSite`]).
//! With no site in its township it stays unassigned, and is reported.

use std::collections::BTreeMap;

use geo::{Centroid, Distance, Haversine, Point};

use crate::error::{Error, Result};
use crate::model::community::{Designation, split_list};
use crate::model::field_text;
use crate::model::layer::Layer;
use crate::model::schema::Schema;
use crate::warning::{Warning, WarningKind};

/// How a village came to be in its community.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    /// Listed by the communities table's `villages` cell.
    Listed,
    /// Named by the village's own `community` field.
    Field,
    /// Nobody said: the nearest site of its township (derived by hecun).
    NearestSite,
}

impl Join {
    /// The id the CSV and JSON outputs write (`listed`, `field`, `nearest_site`).
    pub fn id(self) -> &'static str {
        match self {
            Join::Listed => "listed",
            Join::Field => "field",
            Join::NearestSite => "nearest_site",
        }
    }
}

/// A new community: a name and the villages merged into it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Community {
    /// The community's name (the site's name when assigned by distance).
    pub name: String,
    /// Its township.
    pub township: String,
    /// Indices of its villages in the villages layer's features, in layer order.
    pub villages: Vec<usize>,
    /// Its id: the communities table's, else its name.
    pub id: String,
    /// Its row in the communities table (the index of the table layer's feature), if any.
    pub row: Option<usize>,
    /// How each village joined it, parallel to `villages`.
    pub joins: Vec<Join>,
    /// Its site's id as the communities table gives it (`site`); `None`: the site named like
    /// the community.
    pub site: Option<String>,
}

impl Community {
    /// A community outside any table: `name` is its id too.
    pub fn new(name: impl Into<String>, township: impl Into<String>) -> Community {
        let name = name.into();
        Community {
            id: name.clone(),
            name,
            township: township.into(),
            villages: Vec::new(),
            row: None,
            joins: Vec::new(),
            site: None,
        }
    }

    /// The name or id its site goes by in the sites layer.
    pub fn site_key(&self) -> &str {
        self.site.as_deref().unwrap_or(&self.name)
    }

    /// Whether hecun chose any of its villages (by the nearest site) rather than the office.
    pub fn derived(&self) -> bool {
        self.joins.contains(&Join::NearestSite)
    }
}

/// One row of the communities table, as hecun reads it (the model names of
/// `[layers.communities] fields`; any other column reaches the outputs and plugins as
/// written).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CommunityRow {
    /// The row's id (`id`).
    pub id: String,
    /// `name`; the id when blank.
    pub name: String,
    /// `township`.
    pub township: Option<String>,
    /// `county` (县(市)区).
    pub county: Option<String>,
    /// `board` (管委会).
    pub board: Option<String>,
    /// `site`: its site's id (or name) in the sites layer.
    pub site: Option<String>,
    /// `designations`, each once, sorted.
    pub designations: Vec<Designation>,
    /// `villages`: village ids, as listed.
    pub villages: Vec<String>,
}

/// The office's communities table (`[layers.communities]`), read and checked.
#[derive(Debug, Clone)]
pub struct CommunityTable {
    /// The table as read (one feature per row, geometry optional).
    pub layer: Layer,
    /// Its field names.
    pub schema: Schema,
    /// Each feature's row, parallel to `layer.features`.
    pub rows: Vec<CommunityRow>,
}

impl CommunityTable {
    /// Reads the rows of `layer`: an unknown designation is a warning naming the row, field
    /// and word; a row without an id is left out with a warning; an id twice is an error.
    pub fn new(layer: Layer, schema: Schema) -> Result<(CommunityTable, Vec<Warning>)> {
        let mut warnings = Vec::new();
        let mut rows = Vec::with_capacity(layer.features.len());
        let mut keep = Vec::with_capacity(layer.features.len());
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let file = layer.path.display().to_string();
        for f in &layer.features {
            let at = layer.feature_ref(f);
            let text = |model: &str| field_text(f, &schema, model).filter(|t| !t.trim().is_empty());
            let Some(id) = f.id.clone().filter(|i| !i.trim().is_empty()) else {
                warnings.push(
                    Warning::new(
                        WarningKind::Unmatched,
                        format!(
                            "{at}: no community id (field {:?}): the row is left out",
                            schema.describe("id")
                        ),
                        format!(
                            "{}：没有社区 id（字段 {:?}）：该行被略去",
                            crate::warning::feature_zh(&at),
                            schema.describe("id")
                        ),
                    )
                    .with_feature(&at)
                    .with_field(schema.describe("id")),
                );
                continue;
            };
            if let Some(&first) = seen.get(&id) {
                return Err(Error::config(
                    file.clone(),
                    format!(
                        "{at}: community id {id:?} is also the id of feature #{first}: each community once in the table"
                    ),
                ));
            }
            seen.insert(id.clone(), f.index);
            let (designations, unknown) = text("designations")
                .map(|t| Designation::parse_list(&t))
                .unwrap_or_default();
            for word in unknown {
                warnings.push(
                    Warning::new(
                        WarningKind::UnreadableValue,
                        format!(
                            "{at}: field {:?}: {word:?} is not a designation hecun knows (示范镇, 示范社区, 省重点项目, 试点): it is not counted",
                            schema.describe("designations")
                        ),
                        format!(
                            "{}：字段 {:?}：{word:?} 不是 hecun 认识的称号（示范镇、示范社区、省重点项目、试点）：不计入",
                            crate::warning::feature_zh(&at),
                            schema.describe("designations")
                        ),
                    )
                    .with_feature(&at)
                    .with_field(schema.describe("designations"))
                    .with_value(&word),
                );
            }
            rows.push(CommunityRow {
                name: text("name").unwrap_or_else(|| id.clone()),
                id,
                township: text("township"),
                county: text("county"),
                board: text("board"),
                site: text("site"),
                designations,
                villages: text("villages")
                    .map(|t| split_list(&t).map(str::to_owned).collect())
                    .unwrap_or_default(),
            });
            keep.push(f.clone());
        }
        let layer = Layer {
            features: keep,
            ..layer
        };
        Ok((
            CommunityTable {
                layer,
                schema,
                rows,
            },
            warnings,
        ))
    }
}

/// The villages grouped into communities, and what the planner should know about the join.
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    /// The communities: the table's in its order, then the others by their villages' 区划代码
    /// (see [`group_communities`]).
    pub communities: Vec<Community>,
    /// The villages in no community (indices into the villages layer's features).
    pub unassigned: Vec<usize>,
    /// Villages listed by a row but missing from the layer, villages whose field names
    /// another community than the row listing them.
    pub warnings: Vec<Warning>,
}

/// Groups the villages into communities (the table's order, else by 区划代码); also returns the villages left
/// unassigned (no community field and no site in their township).
pub fn communities(
    villages: &Layer,
    village_schema: &Schema,
    sites: Option<(&Layer, &Schema)>,
) -> (Vec<Community>, Vec<usize>) {
    let g = group_communities(villages, village_schema, sites, None)
        .expect("without a table, grouping cannot fail");
    (g.communities, g.unassigned)
}

/// Groups the villages into communities as the module says, with the office's table when
/// the plan has one. A village listed by two rows is an error naming both.
pub fn group_communities(
    villages: &Layer,
    village_schema: &Schema,
    sites: Option<(&Layer, &Schema)>,
    table: Option<&CommunityTable>,
) -> Result<Grouping> {
    struct Site {
        name: String,
        township: String,
        at: Option<Point<f64>>,
    }
    let sites: Vec<Site> = sites
        .map(|(layer, schema)| {
            layer
                .features
                .iter()
                .map(|f| Site {
                    name: field_text(f, schema, "name")
                        .or_else(|| f.id.clone())
                        .unwrap_or_else(|| f.index.to_string()),
                    township: field_text(f, schema, "township").unwrap_or_default(),
                    at: f.geometry.centroid(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut warnings = Vec::new();
    // Communities by key: a table row's id, or a name outside the table.
    let mut groups: BTreeMap<String, Community> = BTreeMap::new();
    // A row's id and name (and its site's name) → its key.
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    // A listed village id → its row's key.
    let mut listed: BTreeMap<String, usize> = BTreeMap::new();
    if let Some(t) = table {
        let file = t.layer.path.display().to_string();
        for (k, row) in t.rows.iter().enumerate() {
            let mut c = Community::new(row.name.clone(), row.township.clone().unwrap_or_default());
            c.id = row.id.clone();
            c.row = Some(k);
            c.site = row.site.clone();
            groups.insert(row.id.clone(), c);
            by_name
                .entry(row.id.clone())
                .or_insert_with(|| row.id.clone());
        }
        for row in &t.rows {
            by_name
                .entry(row.name.clone())
                .or_insert_with(|| row.id.clone());
        }
        for (k, row) in t.rows.iter().enumerate() {
            for v in &row.villages {
                if let Some(&other) = listed.get(v) {
                    return Err(Error::config(
                        file.clone(),
                        format!(
                            "field {:?}: village {v:?} is listed by community {:?} and by community {:?}: a village merges into one community",
                            t.schema.describe("villages"),
                            t.rows[other].id,
                            row.id
                        ),
                    ));
                }
                listed.insert(v.clone(), k);
            }
        }
    }
    let mut unassigned = Vec::new();
    let mut found_listed = std::collections::BTreeSet::new();
    for (i, f) in villages.features.iter().enumerate() {
        let township = field_text(f, village_schema, "township").unwrap_or_default();
        let named = field_text(f, village_schema, "community").filter(|c| !c.is_empty());
        let row = f.id.as_deref().and_then(|id| Some((id, *listed.get(id)?)));
        let (key, join) = if let (Some((id, k)), Some(t)) = (row, table) {
            found_listed.insert(id.to_owned());
            let row = &t.rows[k];
            if let Some(named) = &named
                && by_name.get(named) != Some(&row.id)
            {
                warnings.push(
                    Warning::new(
                        WarningKind::Conflict,
                        format!(
                            "{}: field {:?} says {named:?}, but {} lists the village under community {:?}: the table's word is taken",
                            villages.feature_ref(f),
                            village_schema.describe("community"),
                            t.layer.path.display(),
                            row.id
                        ),
                        format!(
                            "{}：字段 {:?} 写的是 {named:?}，但 {} 把该村列在社区 {:?} 下：以该表为准",
                            crate::warning::feature_zh(&villages.feature_ref(f)),
                            village_schema.describe("community"),
                            t.layer.path.display(),
                            row.id
                        ),
                    )
                    .with_feature(&villages.feature_ref(f))
                    .with_field(village_schema.describe("community"))
                    .with_value(named),
                );
            }
            (Some(row.id.clone()), Join::Listed)
        } else if let Some(named) = named {
            (
                Some(by_name.get(&named).cloned().unwrap_or(named)),
                Join::Field,
            )
        } else {
            let nearest = f.geometry.centroid().and_then(|here| {
                sites
                    .iter()
                    .filter(|s| s.township == township)
                    .filter_map(|s| Some((Haversine.distance(here, s.at?), s)))
                    .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)))
                    .map(|(_, s)| s.name.clone())
            });
            (
                nearest.map(|n| by_name.get(&n).cloned().unwrap_or(n)),
                Join::NearestSite,
            )
        };
        match key {
            Some(key) => {
                let c = groups
                    .entry(key.clone())
                    .or_insert_with(|| Community::new(key, township.clone()));
                if c.township.is_empty() {
                    c.township = township.clone();
                }
                c.villages.push(i);
                c.joins.push(join);
            }
            None => unassigned.push(i),
        }
    }
    if let Some(t) = table {
        for row in &t.rows {
            for v in row.villages.iter().filter(|v| !found_listed.contains(*v)) {
                warnings.push(
                    Warning::new(
                        WarningKind::Unmatched,
                        format!(
                            "{}: community {:?}, field {:?}: village {v:?} is not in the villages layer ({})",
                            t.layer.path.display(),
                            row.id,
                            t.schema.describe("villages"),
                            villages.path.display()
                        ),
                        format!(
                            "{}：社区 {:?}，字段 {:?}：村庄 {v:?} 不在村庄图层（{}）中",
                            t.layer.path.display(),
                            row.id,
                            t.schema.describe("villages"),
                            villages.path.display()
                        ),
                    )
                    .with_file(t.layer.path.display())
                    .with_field(t.schema.describe("villages"))
                    .with_value(v),
                );
            }
        }
    }
    if let Some(t) = table {
        for c in groups.values().filter(|c| c.villages.is_empty()) {
            let row = &t.rows[c.row.unwrap_or_default()];
            warnings.push(
                Warning::new(
                    WarningKind::Unmatched,
                    format!(
                        "{}: community {:?} ({}) takes in no village: its row lists none ({:?}) and no village's field {:?} names it",
                        t.layer.path.display(),
                        row.id,
                        row.name,
                        t.schema.describe("villages"),
                        village_schema.describe("community")
                    ),
                    format!(
                        "{}：社区 {:?}（{}）未纳入任何村庄：该行未列出村庄（{:?}），也没有村庄的字段 {:?} 指向它",
                        t.layer.path.display(),
                        row.id,
                        row.name,
                        t.schema.describe("villages"),
                        village_schema.describe("community")
                    ),
                )
                .with_file(t.layer.path.display())
                .with_value(&row.id),
            );
        }
    }
    let mut communities: Vec<Community> = groups.into_values().collect();
    sort_communities(&mut communities, villages);
    Ok(Grouping {
        communities,
        unassigned,
        warnings,
    })
}

/// The communities in the order an office lists them: those of the communities table in the
/// table's order, then the others by the least 区划代码 among their villages (so by county,
/// township and village, as the codes nest), then by name and id. Not by name: Unicode order
/// puts 中原镇 before 二七镇 before 八岗乡, which no planner's list does.
fn sort_communities(communities: &mut [Community], villages: &Layer) {
    let least_code = |c: &Community| {
        c.villages
            .iter()
            .filter_map(|&i| villages.features.get(i)?.id.as_deref())
            .map(crate::pipeline::affected::code_order)
            .min()
            .map(|(len, id)| (len, id.to_owned()))
    };
    communities.sort_by_cached_key(|c| {
        (
            c.row.is_none(),
            c.row,
            least_code(c).is_none(),
            least_code(c),
            c.name.clone(),
            c.id.clone(),
        )
    });
}

/// A community's footprint: the polygons of its villages, as one multipolygon in the villages'
/// CRS (parts side by side, not dissolved).
pub fn footprint(community: &Community, villages: &Layer) -> geo::MultiPolygon<f64> {
    geo::MultiPolygon(
        community
            .villages
            .iter()
            .flat_map(|&i| crate::geometry::polygons(&villages.features[i].geometry).0)
            .collect(),
    )
}

/// A community's properties on the map: its name, township and number of villages, then
/// what its job found (`ok`), or the plugin's error.
pub(crate) fn community_properties<T>(
    c: &Community,
    result: &crate::error::Result<T>,
    ok: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>, &T),
) -> serde_json::Map<String, serde_json::Value> {
    let mut p = serde_json::Map::new();
    p.insert("community".into(), c.name.clone().into());
    p.insert("township".into(), c.township.clone().into());
    p.insert("villages".into(), c.villages.len().into());
    match result {
        Ok(v) => ok(&mut p, v),
        Err(e) => {
            p.insert("status".into(), "error".into());
            p.insert("error".into(), e.to_string().into());
        }
    }
    p
}

/// Communities as a GeoJSON layer: each footprint with its properties, in the given order.
pub fn communities_geojson<'a>(
    to_wgs84: &crate::io::geojson_write::Wgs84Writer,
    features: impl IntoIterator<
        Item = (
            &'a geo::MultiPolygon<f64>,
            serde_json::Map<String, serde_json::Value>,
        ),
    >,
) -> crate::error::Result<Vec<u8>> {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (n, (shape, props)) in features.into_iter().enumerate() {
        if n > 0 {
            s.push_str(",\n");
        }
        s.push_str("{\"type\":\"Feature\",\"properties\":");
        s.push_str(&serde_json::to_string(&props).unwrap_or_default());
        s.push_str(",\"geometry\":");
        to_wgs84.write(&mut s, &geo::Geometry::MultiPolygon(shape.clone()))?;
        s.push('}');
    }
    s.push_str("\n]}\n");
    Ok(s.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read::{ReadOptions, parse_geojson};
    use crate::model::schema::LayerKind;

    fn layer(features: &[(&str, f64, f64)], props: &str) -> Layer {
        let list: Vec<String> = features
            .iter()
            .map(|(p, x, y)| {
                format!(
                    r#"{{"type":"Feature","properties":{{{p}{props}}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
                    x1 = x + 0.01,
                    y1 = y + 0.01
                )
            })
            .collect();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            list.join(",")
        );
        parse_geojson(
            "t.geojson".as_ref(),
            text.as_bytes(),
            &ReadOptions::default(),
        )
        .unwrap()
        .layer
    }

    #[test]
    fn villages_without_a_community_join_the_nearest_site_of_their_township() {
        let villages = layer(
            &[
                (r#""id":"a","township":"东""#, 113.60, 34.70),
                (r#""id":"b","township":"东""#, 113.70, 34.70),
                (
                    r#""id":"c","township":"西","community":"老社区""#,
                    113.60,
                    34.70,
                ),
                (r#""id":"d","township":"北""#, 113.60, 34.70),
            ],
            "",
        );
        // Site 西-1 is nearest to a and d, but in another township.
        let sites = layer(
            &[
                (r#""name":"东-1","township":"东""#, 113.62, 34.70),
                (r#""name":"东-2","township":"东""#, 113.71, 34.70),
                (r#""name":"西-1","township":"西""#, 113.60, 34.70),
            ],
            "",
        );
        let (communities, unassigned) = communities(
            &villages,
            &Schema::new(LayerKind::Villages),
            Some((&sites, &Schema::new(LayerKind::Sites))),
        );
        let named: Vec<(&str, Vec<usize>)> = communities
            .iter()
            .map(|c| (c.name.as_str(), c.villages.clone()))
            .collect();
        assert_eq!(
            named,
            vec![("东-1", vec![0]), ("东-2", vec![1]), ("老社区", vec![2])]
        );
        assert_eq!(unassigned, vec![3]);
    }

    /// Issue 15: communities in the office's order, not by their names' code points (中原,
    /// 二七, 八岗…): outside a table, by the least 区划代码 of their villages (as numbers: a
    /// shorter code first); a table's communities in its own order, before the others.
    #[test]
    fn communities_in_code_order_or_the_tables_order() {
        let villages = layer(
            &[
                (
                    r#""id":"410122103002","community":"中原社区""#,
                    113.60,
                    34.70,
                ),
                (
                    r#""id":"410122102001","community":"八岗社区""#,
                    113.61,
                    34.70,
                ),
                (
                    r#""id":"410122103001","community":"二七社区""#,
                    113.62,
                    34.70,
                ),
                (
                    r#""id":"410122101001","community":"中原社区""#,
                    113.63,
                    34.70,
                ),
                (r#""id":"99","community":"郑庄社区""#, 113.64, 34.70),
            ],
            r#","township":"东""#,
        );
        let schema = Schema::new(LayerKind::Villages);
        let (grouped, _) = communities(&villages, &schema, None);
        let names: Vec<&str> = grouped.iter().map(|c| c.name.as_str()).collect();
        // By name it would be 中原, 二七, 八岗, 郑庄.
        assert_eq!(names, ["郑庄社区", "中原社区", "八岗社区", "二七社区"]);

        // The office's table lists 二七 first, then 中原; the others follow by code.
        let rows = layer(
            &[
                (r#""id":"C2","name":"二七社区""#, 113.0, 34.0),
                (r#""id":"C1","name":"中原社区""#, 113.0, 34.0),
            ],
            "",
        );
        let (table, _) = CommunityTable::new(rows, Schema::new(LayerKind::Communities)).unwrap();
        let g = group_communities(&villages, &schema, None, Some(&table)).unwrap();
        let names: Vec<&str> = g.communities.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["二七社区", "中原社区", "郑庄社区", "八岗社区"]);
    }
}
