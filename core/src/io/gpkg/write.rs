//! Writing every GeoJSON output layer of a run into one GeoPackage, `hecun.gpkg`, styled for
//! QGIS with the report's colours.
//!
//! The GeoPackage is made from the GeoJSON files already written into the output folder, so
//! it cannot disagree with them: the same features in the same order, the same attributes
//! (typed columns: whole numbers INTEGER, other numbers REAL, true/false BOOLEAN, text TEXT;
//! a list or a mix of kinds is TEXT holding its JSON), EPSG:4326. A `layer_styles` table (the
//! one QGIS reads and writes) holds a default style per layer, so QGIS opens each layer
//! coloured as the report's map colours it.
//!
//! The bytes are the same for the same outputs: tables are made in one order, every
//! timestamp is fixed, nothing is deleted (no free pages), and no journal is kept.

use std::fmt::Write as _;
use std::path::Path;

use geo::BoundingRect;
use geo::Geometry;
use rusqlite::{Connection, params};
use serde::Deserialize;
use serde::de::{self, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::io::OutputDir;
use crate::io::read::ParsedGeometry;

/// The GeoPackage a run writes beside its GeoJSON layers.
pub const GPKG_NAME: &str = "hecun.gpkg";

/// `gpkg_contents.last_change` and `layer_styles.update_time` of every layer: fixed, so a
/// rerun writes the same bytes (the run manifest records when the run was made).
const LAST_CHANGE: &str = "1970-01-01T00:00:00.000Z";

/// `PRAGMA application_id` of a GeoPackage ("GPKG") and the version it follows (1.2).
const APPLICATION_ID: i32 = 0x4750_4B47;
const USER_VERSION: i32 = 10200;

/// EPSG:4326 as GDAL writes it in `gpkg_spatial_ref_sys`.
const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]";

/// The tables every GeoPackage has (OGC 12-128r18, as GDAL creates them) and QGIS's
/// `layer_styles`.
const SCHEMA: &str = "
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
  f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
  styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT,
  owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT CURRENT_TIMESTAMP);
";

/// Writes [`GPKG_NAME`] into `out` from the GeoJSON layers among `files` (already written
/// there), one table each named by its file's stem, in name order; returns its name, or
/// `None` when there is no GeoJSON layer.
pub fn write_outputs_gpkg(out: &OutputDir, files: &[String]) -> Result<Option<String>> {
    let mut layers: Vec<&String> = files.iter().filter(|f| f.ends_with(".geojson")).collect();
    if layers.is_empty() {
        return Ok(None);
    }
    layers.sort();
    layers.dedup();
    out.write_at(GPKG_NAME, |path| {
        let sql = |e: rusqlite::Error| {
            Error::io(
                path,
                std::io::Error::other(format!("writing the GeoPackage: {e}")),
            )
        };
        let mut conn = Connection::open(path).map_err(sql)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;
             PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};"
        ))
        .map_err(sql)?;
        let tx = conn.transaction().map_err(sql)?;
        tx.execute_batch(SCHEMA).map_err(sql)?;
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                "Undefined Cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined Cartesian coordinate reference system"
            ],
        )
        .map_err(sql)?;
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system"
            ],
        )
        .map_err(sql)?;
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                WGS84_WKT,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
            ],
        )
        .map_err(sql)?;
        for file in &layers {
            let bytes = out.read_back(file)?;
            let staged = out.staged(file);
            let table = file.trim_end_matches(".geojson").replace('/', "_");
            let layer = parse_output(&staged, &bytes)?;
            add_layer(&tx, &table, &layer).map_err(sql)?;
        }
        // Registered as QGIS (through GDAL) registers it: an attributes table.
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, \
             last_change, srs_id) VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?1, 0)",
            params![LAST_CHANGE],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        conn.close().map_err(|(_, e)| sql(e))?;
        Ok(())
    })?;
    Ok(Some(GPKG_NAME.to_owned()))
}

/// A feature's properties, in the order its file has them.
pub(super) type OrderedProperties = Vec<(String, Value)>;

/// A GeoJSON output layer: each feature's properties and its geometry.
pub(super) struct OutputLayer {
    pub(super) features: Vec<(OrderedProperties, Option<Geometry<f64>>)>,
}

/// Properties in the order the file has them.
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Ordered, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a properties object")
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Ordered, E> {
                Ok(Ordered(Vec::new()))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn parse_output(path: &Path, bytes: &[u8]) -> Result<OutputLayer> {
    #[derive(Deserialize)]
    struct Collection<'a> {
        #[serde(borrow)]
        features: Vec<&'a RawValue>,
    }
    #[derive(Deserialize)]
    struct RawFeature {
        properties: Option<Ordered>,
        geometry: Option<ParsedGeometry>,
    }
    let bad = |e: String| Error::format(path, format!("reading it back for {GPKG_NAME}: {e}"));
    let collection: Collection = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    let mut features = Vec::with_capacity(collection.features.len());
    for (k, raw) in collection.features.into_iter().enumerate() {
        let f: RawFeature =
            serde_json::from_str(raw.get()).map_err(|e| bad(format!("feature #{k}: {e}")))?;
        let geometry = match f.geometry {
            Some(ParsedGeometry(g)) => Some(g.map_err(|e| bad(format!("feature #{k}: {e}")))?),
            None => None,
        };
        features.push((f.properties.map(|p| p.0).unwrap_or_default(), geometry));
    }
    Ok(OutputLayer { features })
}

/// A column's type, from every value it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnType {
    /// Only nulls so far.
    Null,
    Boolean,
    Integer,
    Real,
    Text,
    /// Lists, objects, or values of several kinds: TEXT holding each value's JSON (a text
    /// value as it is).
    Json,
}

impl ColumnType {
    fn of(v: &Value) -> ColumnType {
        match v {
            Value::Null => ColumnType::Null,
            Value::Bool(_) => ColumnType::Boolean,
            Value::Number(n) if n.as_i64().is_some() => ColumnType::Integer,
            Value::Number(_) => ColumnType::Real,
            Value::String(_) => ColumnType::Text,
            Value::Array(_) | Value::Object(_) => ColumnType::Json,
        }
    }

    fn merge(self, other: ColumnType) -> ColumnType {
        use ColumnType::*;
        match (self, other) {
            (Null, t) | (t, Null) => t,
            (a, b) if a == b => a,
            (Integer, Real) | (Real, Integer) => Real,
            _ => Json,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::Integer => "INTEGER",
            ColumnType::Real => "REAL",
            ColumnType::Null | ColumnType::Text | ColumnType::Json => "TEXT",
        }
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A name not among `taken` (compared as SQLite does, ignoring ASCII case): `base`, else
/// `base_2`, `base_3`…
fn free_name(base: &str, taken: &[String]) -> String {
    let clash = |n: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if !clash(base) {
        return base.to_owned();
    }
    (2..)
        .map(|k| format!("{base}_{k}"))
        .find(|n| !clash(n))
        .unwrap_or_default()
}

/// The WKB type name of a geometry, for `gpkg_geometry_columns`.
fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "POINT",
        Geometry::Line(_) | Geometry::LineString(_) => "LINESTRING",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "POLYGON",
        Geometry::MultiPoint(_) => "MULTIPOINT",
        Geometry::MultiLineString(_) => "MULTILINESTRING",
        Geometry::MultiPolygon(_) => "MULTIPOLYGON",
        Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
    }
}

/// A GeoPackage geometry blob: header (little-endian, SRS 4326, the XY envelope unless a
/// point or empty) and WKB.
fn blob(g: &Geometry<f64>) -> Vec<u8> {
    let rect = g.bounding_rect();
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP\0");
    match (g, rect) {
        (Geometry::Point(_), _) => {
            out.push(0b0000_0001);
            out.extend(4326i32.to_le_bytes());
        }
        (_, Some(r)) => {
            out.push(0b0000_0011);
            out.extend(4326i32.to_le_bytes());
            for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
                out.extend(v.to_le_bytes());
            }
        }
        (_, None) => {
            out.push(0b0001_0001);
            out.extend(4326i32.to_le_bytes());
        }
    }
    crate::io::wkb::write_wkb(g, &mut out);
    out
}

fn add_layer(tx: &Connection, table: &str, layer: &OutputLayer) -> rusqlite::Result<()> {
    // Columns: every key, in the order first seen.
    let mut names: Vec<String> = Vec::new();
    let mut types: Vec<ColumnType> = Vec::new();
    for (properties, _) in &layer.features {
        for (key, value) in properties {
            match names.iter().position(|n| n == key) {
                Some(i) => types[i] = types[i].merge(ColumnType::of(value)),
                None => {
                    names.push(key.clone());
                    types.push(ColumnType::of(value));
                }
            }
        }
    }
    // SQLite's names ignore ASCII case: a key differing from an earlier one only in case
    // gets a suffix, as do the fid and geometry columns if a key has their name.
    let mut columns: Vec<String> = Vec::new();
    for n in &names {
        let c = free_name(n, &columns);
        columns.push(c);
    }
    let fid = free_name("fid", &columns);
    let geom = free_name("geom", &columns);
    let kinds: Vec<&str> = layer
        .features
        .iter()
        .filter_map(|(_, g)| g.as_ref().map(type_name))
        .collect();
    let geometry_type = match kinds.first() {
        Some(&first) if kinds.iter().all(|&k| k == first) => first,
        _ => "GEOMETRY",
    };
    let mut create = format!(
        "CREATE TABLE {} ({} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {} {geometry_type}",
        quote(table),
        quote(&fid),
        quote(&geom)
    );
    for (c, t) in columns.iter().zip(&types) {
        let _ = write!(create, ", {} {}", quote(c), t.sql());
    }
    create.push(')');
    tx.execute_batch(&create)?;

    let mut insert = format!("INSERT INTO {} ({}", quote(table), quote(&geom));
    for c in &columns {
        let _ = write!(insert, ", {}", quote(c));
    }
    insert.push_str(") VALUES (?1");
    for k in 0..columns.len() {
        let _ = write!(insert, ", ?{}", k + 2);
    }
    insert.push(')');
    let mut stmt = tx.prepare(&insert)?;
    let mut bbox: Option<geo::Rect<f64>> = None;
    let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(columns.len() + 1);
    for (properties, geometry) in &layer.features {
        use rusqlite::types::Value as Sql;
        values.clear();
        values.push(match geometry {
            Some(g) => {
                if let Some(r) = g.bounding_rect() {
                    bbox = Some(match bbox {
                        None => r,
                        Some(b) => geo::Rect::new(
                            geo::coord! {x: b.min().x.min(r.min().x), y: b.min().y.min(r.min().y)},
                            geo::coord! {x: b.max().x.max(r.max().x), y: b.max().y.max(r.max().y)},
                        ),
                    });
                }
                Sql::Blob(blob(g))
            }
            None => Sql::Null,
        });
        for (name, t) in names.iter().zip(&types) {
            let v = properties
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v);
            values.push(match (v, t) {
                (None | Some(Value::Null), _) => Sql::Null,
                (Some(Value::Bool(b)), ColumnType::Boolean) => Sql::Integer(i64::from(*b)),
                (Some(Value::Number(n)), ColumnType::Integer) => {
                    Sql::Integer(n.as_i64().unwrap_or_default())
                }
                (Some(Value::Number(n)), ColumnType::Real) => {
                    Sql::Real(n.as_f64().unwrap_or(f64::NAN))
                }
                (Some(Value::String(s)), _) => Sql::Text(s.clone()),
                (Some(other), _) => Sql::Text(other.to_string()),
            });
        }
        stmt.execute(rusqlite::params_from_iter(values.iter()))?;
    }
    drop(stmt);
    let (min_x, min_y, max_x, max_y) = match bbox {
        Some(b) => (
            Some(b.min().x),
            Some(b.min().y),
            Some(b.max().x),
            Some(b.max().y),
        ),
        None => (None, None, None, None),
    };
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, \
         min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, ?7, 4326)",
        params![
            table,
            format!("hecun output {table}.geojson"),
            LAST_CHANGE,
            min_x,
            min_y,
            max_x,
            max_y
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, ?2, ?3, 4326, 0, 0)",
        params![table, geom, geometry_type],
    )?;
    let qml = super::style::qml(table, &names, layer, geometry_type);
    tx.execute(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, \
         f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, \
         update_time) VALUES ('', '', ?1, ?2, ?1, ?3, '', 1, ?4, '', NULL, ?5)",
        params![table, geom, qml, "hecun: the report's colours", LAST_CHANGE],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read::{ReadOptions, read_layer};

    /// Writes `layers` (name, GeoJSON text) into an in-memory output, then its hecun.gpkg to
    /// a temporary folder; returns the folder and the GeoPackage's path.
    fn gpkg_of(layers: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
        let out = OutputDir::in_memory();
        let mut names = Vec::new();
        for (name, text) in layers {
            out.write(name, text.as_bytes()).unwrap();
            names.push((*name).to_owned());
        }
        assert_eq!(
            write_outputs_gpkg(&out, &names).unwrap().as_deref(),
            Some(GPKG_NAME)
        );
        let files = out.into_files();
        let (_, bytes) = files.iter().find(|(n, _)| n == GPKG_NAME).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(GPKG_NAME);
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn names_sqlite_would_confuse_mixed_kinds_and_an_empty_layer() {
        let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"fid":7,"Name":"a","name":"b","geom":1.5,"mix":1,"list":[1,"x"],"n":null},"geometry":{"type":"Point","coordinates":[113.5,34.5]}},
{"type":"Feature","properties":{"fid":8,"Name":"c","name":"d","geom":2,"mix":"two","n":null},"geometry":{"type":"Point","coordinates":[113.6,34.6]}}
]}
"#;
        let empty = "{\"type\":\"FeatureCollection\",\"features\":[\n\n]}\n";
        let (_dir, path) = gpkg_of(&[("t.geojson", text), ("empty.geojson", empty)]);
        let none: Vec<String> = Vec::new();
        let read = read_layer(
            &path,
            &ReadOptions::default().with_layer("t").with_id_fields(none),
        )
        .unwrap();
        assert_eq!(read.layer.features.len(), 2);
        let raw = read.layer.features[0].properties.raw();
        // fid and geom keep their names (the table's own columns take others); a name
        // differing only in case gets a suffix; a mix of kinds and a list are JSON text.
        assert_eq!(
            raw,
            r#"{"fid":7,"Name":"a","name_2":"b","geom":1.5,"mix":"1","list":"[1,\"x\"]","n":null}"#
        );
        assert_eq!(
            read.layer.features[1].properties.raw(),
            r#"{"fid":8,"Name":"c","name_2":"d","geom":2.0,"mix":"two","list":null,"n":null}"#
        );
        assert_eq!(
            read.layer.features[1].geometry,
            geo::Geometry::Point(geo::Point::new(113.6, 34.6))
        );
        // The empty layer is a table without rows (reading it is the empty-layer error).
        let names = crate::io::gpkg::layer_names(&path).unwrap();
        assert_eq!(names, ["empty", "t"]);
        let err = read_layer(&path, &ReadOptions::default().with_layer("empty")).unwrap_err();
        assert!(matches!(err, Error::EmptyLayer { .. }), "{err}");
    }

    #[test]
    fn the_same_outputs_give_the_same_bytes() {
        let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"a":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}
]}
"#;
        let (_d1, a) = gpkg_of(&[("x.geojson", text), ("y.geojson", text)]);
        let (_d2, b) = gpkg_of(&[("y.geojson", text), ("x.geojson", text)]);
        assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    }
}
