//! Which villages merge into which new community.
//!
//! The villages' `community` field names it (社区 in planners' files). A village without one
//! joins the nearest candidate site of its own township (by great-circle distance between
//! centroids), whose name names the community; with no site in its township it stays
//! unassigned, and is reported.

use std::collections::BTreeMap;

use geo::{Centroid, Distance, Haversine, Point};

use crate::model::field_text;
use crate::model::layer::Layer;
use crate::model::schema::Schema;

/// A new community: a name and the villages merged into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Community {
    /// The community's name (the site's name when assigned by distance).
    pub name: String,
    /// Its township.
    pub township: String,
    /// Indices of its villages in the villages layer's features, in layer order.
    pub villages: Vec<usize>,
}

/// Groups the villages into communities (sorted by name); also returns the villages left
/// unassigned (no community field and no site in their township).
pub fn communities(
    villages: &Layer,
    village_schema: &Schema,
    sites: Option<(&Layer, &Schema)>,
) -> (Vec<Community>, Vec<usize>) {
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
    let mut groups: BTreeMap<String, Community> = BTreeMap::new();
    let mut unassigned = Vec::new();
    for (i, f) in villages.features.iter().enumerate() {
        let township = field_text(f, village_schema, "township").unwrap_or_default();
        let named = field_text(f, village_schema, "community").filter(|c| !c.is_empty());
        let name = named.or_else(|| {
            let here = f.geometry.centroid()?;
            sites
                .iter()
                .filter(|s| s.township == township)
                .filter_map(|s| Some((Haversine.distance(here, s.at?), s)))
                .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)))
                .map(|(_, s)| s.name.clone())
        });
        match name {
            Some(name) => groups
                .entry(name.clone())
                .or_insert_with(|| Community {
                    name,
                    township: township.clone(),
                    villages: Vec::new(),
                })
                .villages
                .push(i),
            None => unassigned.push(i),
        }
    }
    (groups.into_values().collect(), unassigned)
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
}
