//! GeoPackage (OGC 12-128r18): reading a feature table as a [`Layer`], and writing every
//! output layer of a run into one styled `.gpkg` ([`write`]).
//!
//! A GeoPackage is an SQLite database: `gpkg_contents` lists its tables,
//! `gpkg_geometry_columns` names each one's geometry column and `gpkg_spatial_ref_sys` its
//! CRS; each geometry is a small header (magic `GP`, flags, SRS id, an optional envelope)
//! followed by WKB ([`crate::io::wkb`]).
//!
//! Each row becomes a [`Feature`] whose properties are the JSON object GDAL's
//! `ogr2ogr -f GeoJSON` writes for it (columns in table order, the primary key `fid` left
//! out, as GDAL leaves it out), so a layer gives byte-identical results whether it comes as
//! GeoJSON, Shapefile or GeoPackage. SQLite is compiled into hecun (rusqlite's `bundled`):
//! nothing is needed on the system.

mod style;
pub mod write;

use std::path::Path;

use rayon::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, FeatureRef, Result};
use crate::io::read::{MAX_LAYER_BYTES, ReadOptions, ReadOutcome, check_input_file, collect_layer};
use crate::model::crs::Crs;
use crate::model::layer::{Feature, Properties};

/// The first 16 bytes of every SQLite 3 database.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A feature (or attribute) table listed in `gpkg_contents`.
#[derive(Debug, Clone)]
struct TableInfo {
    name: String,
    /// The geometry column (`None`: an attributes table, rows without geometry).
    geometry: Option<String>,
    srs_id: Option<i64>,
    /// `data_type = 'features'` (else `attributes`: read only when named).
    features: bool,
}

/// Opens a GeoPackage read-only, after checking it is an SQLite database at all.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    check_input_file(path, MAX_LAYER_BYTES)?;
    let mut head = [0u8; 16];
    let got = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        f.read(&mut head).map_err(|e| Error::io(path, e))?
    };
    if got < 16 || &head != SQLITE_MAGIC {
        return Err(Error::format(
            path,
            "is not a GeoPackage: a .gpkg is an SQLite database, and this file does not start \
             like one (is it another format renamed, or damaged?)",
        ));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_error(path, "opening it", &e))?;
    // The file is data, not code: no function in its schema (triggers, views) is trusted.
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
        .map_err(|e| sql_error(path, "opening it", &e))?;
    Ok(conn)
}

fn sql_error(path: &Path, doing: &str, e: &rusqlite::Error) -> Error {
    Error::format(
        path,
        format!(
            "is not a readable GeoPackage ({doing}: {e}): the file is damaged or not a GeoPackage"
        ),
    )
}

/// The tables of `gpkg_contents` holding features or attributes, by name.
fn tables(path: &Path, conn: &Connection) -> Result<Vec<TableInfo>> {
    let has_contents: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_contents'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| sql_error(path, "listing its tables", &e))?
        > 0;
    if !has_contents {
        return Err(Error::format(
            path,
            "is an SQLite database but not a GeoPackage: it has no gpkg_contents table",
        ));
    }
    let has_columns: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
             AND name = 'gpkg_geometry_columns'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|e| sql_error(path, "listing its tables", &e))?
        > 0;
    let sql = if has_columns {
        "SELECT c.table_name, g.column_name, coalesce(g.srs_id, c.srs_id), c.data_type \
         FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g \
         ON lower(g.table_name) = lower(c.table_name) \
         WHERE c.data_type IN ('features', 'attributes') ORDER BY c.table_name"
    } else {
        "SELECT table_name, NULL, srs_id, data_type FROM gpkg_contents \
         WHERE data_type IN ('features', 'attributes') ORDER BY table_name"
    };
    let mut stmt = conn
        .prepare(sql)
        .map_err(|e| sql_error(path, "reading gpkg_contents", &e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(TableInfo {
                name: r.get(0)?,
                geometry: r.get(1)?,
                srs_id: r.get(2)?,
                features: r.get::<_, String>(3)? == "features",
            })
        })
        .map_err(|e| sql_error(path, "reading gpkg_contents", &e))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| sql_error(path, "reading gpkg_contents", &e))
}

/// The names of the feature tables of a GeoPackage, sorted.
///
/// # Examples
///
/// ```no_run
/// let names = hecun::gpkg_layer_names(std::path::Path::new("villages.gpkg"))?;
/// # Ok::<(), hecun::Error>(())
/// ```
pub fn layer_names(path: &Path) -> Result<Vec<String>> {
    let conn = open(path)?;
    Ok(tables(path, &conn)?
        .into_iter()
        .filter(|t| t.features)
        .map(|t| t.name)
        .collect())
}

/// The table `options.layer` names, or the only one.
fn choose(path: &Path, all: Vec<TableInfo>, wanted: Option<&str>) -> Result<TableInfo> {
    // An attributes table (QGIS's layer_styles, a lookup table) is read only when named.
    let tables: Vec<TableInfo> = match wanted {
        Some(_) => all.clone(),
        None => all.iter().filter(|t| t.features).cloned().collect(),
    };
    let list = || {
        all.iter()
            .filter(|t| t.features)
            .map(|t| format!("{:?}", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if tables.is_empty() {
        return Err(Error::format(
            path,
            "is a GeoPackage without feature tables (gpkg_contents lists none): nothing to read",
        ));
    }
    match wanted {
        Some(name) => {
            // SQLite's names are case-insensitive; an exact match wins.
            let exact = tables.iter().position(|t| t.name == name);
            let folded: Vec<usize> = (0..tables.len())
                .filter(|&k| tables[k].name.eq_ignore_ascii_case(name))
                .collect();
            let at = exact.or(if folded.len() == 1 {
                Some(folded[0])
            } else {
                None
            });
            match at {
                Some(k) => Ok(tables[k].clone()),
                None => Err(Error::format(
                    path,
                    format!(
                        "has no layer {name:?}; its layers are {}: name one of them with \
                         layer = \"…\" for this layer in the plan (or --layer-name)",
                        list()
                    ),
                )),
            }
        }
        None if tables.len() == 1 => Ok(tables.into_iter().next().expect("one table")),
        None => Err(Error::format(
            path,
            format!(
                "has {} layers ({}): say which to read with layer = \"…\" for this layer in the \
                 plan (or --layer-name KIND=LAYER on the command line)",
                tables.len(),
                list()
            ),
        )),
    }
}

/// The CRS of SRS `srs_id` per `gpkg_spatial_ref_sys`; `None` for the spec's undefined
/// ones (-1 Cartesian, 0 geographic), read as a file naming none.
fn srs(path: &Path, conn: &Connection, layer: &str, srs_id: i64) -> Result<Option<Crs>> {
    let row: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, srs_name FROM gpkg_spatial_ref_sys \
             WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(|e| sql_error(path, "reading gpkg_spatial_ref_sys", &e))?;
    let Some((organization, code, name)) = row else {
        if srs_id == 0 || srs_id == -1 {
            return Ok(None);
        }
        return Err(Error::format(
            path,
            format!(
                "layer {layer:?}: its srs_id {srs_id} is not in gpkg_spatial_ref_sys: the file \
                 is damaged"
            ),
        ));
    };
    if organization.eq_ignore_ascii_case("EPSG") {
        let epsg = u16::try_from(code).map_err(|_| {
            Error::format(
                path,
                format!("layer {layer:?}: EPSG:{code} ({name}) is out of range"),
            )
        })?;
        return Crs::from_epsg(epsg)
            .map(Some)
            .map_err(|e| Error::format(path, format!("layer {layer:?}: SRS {name:?}: {e}")));
    }
    if organization.eq_ignore_ascii_case("NONE") && (code == 0 || code == -1) {
        return Ok(None);
    }
    Err(Error::format(
        path,
        format!(
            "layer {layer:?}: its CRS {name:?} ({organization}:{code}, srs_id {srs_id}) is not an \
             EPSG one hecun knows: reproject it (e.g. ogr2ogr -t_srs EPSG:4490) or save it with \
             its EPSG code"
        ),
    ))
}

/// How a column's values become JSON, by its declared type.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Boolean,
    Integer,
    Real,
    /// TEXT, DATE, DATETIME and anything else: the stored value as it is.
    Other,
}

fn kind_of(declared: &str) -> Kind {
    let base = declared
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    match base.as_str() {
        "BOOLEAN" => Kind::Boolean,
        "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "INTEGER" => Kind::Integer,
        "FLOAT" | "DOUBLE" | "REAL" => Kind::Real,
        _ => Kind::Other,
    }
}

/// One attribute column.
struct Column {
    name: String,
    key: String,
    kind: Kind,
}

/// One row as read from SQLite, before it is parsed (on all cores).
struct Row {
    fid: i64,
    blob: Option<Vec<u8>>,
    properties: std::result::Result<String, (String, String)>,
}

/// Reads one feature table of a GeoPackage: the one `options.layer` names, or the only one.
///
/// The CRS is the table's per `gpkg_spatial_ref_sys` (an EPSG code); the undefined ones
/// (srs_id 0 and -1) read as `options.default_crs`, as a file naming none. A CRS the plan
/// states (`options.declared_crs`) must agree.
pub fn read_geopackage(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    if let Some(encoding) = &options.encoding {
        return Err(Error::format(
            path,
            format!(
                "encoding = {encoding:?} is given for a GeoPackage, whose text is always UTF-8: \
                 remove it from the plan for this layer"
            ),
        ));
    }
    if options.towgs84.is_some() {
        return Err(Error::format(
            path,
            "towgs84 is given for a GeoPackage: it shifts Xi'an 1980 and Beijing 1954 \
             Shapefiles only; reproject the GeoPackage to CGCS2000 (EPSG:4490 or a 4491-4554 \
             zone) instead",
        ));
    }
    let conn = open(path)?;
    let table = choose(path, tables(path, &conn)?, options.layer.as_deref())?;
    let layer = table.name.as_str();
    let own = match table.srs_id {
        Some(id) => srs(path, &conn, layer, id)?,
        None => None,
    };
    let crs = match (own, options.declared_crs) {
        (Some(own), Some(stated)) if own != stated => {
            return Err(Error::format(
                path,
                format!(
                    "layer {layer:?} is in {own} (per gpkg_spatial_ref_sys), but the plan or \
                     --input-crs states {stated} for this layer: one of them is wrong; fix it, or \
                     leave the CRS out of the plan for this layer to use the GeoPackage's"
                ),
            ));
        }
        (Some(own), _) => own,
        (None, _) => options.default_crs,
    };

    // The columns, in table order; the integer primary key is the fid, as GDAL takes it.
    let quoted = format!("\"{}\"", layer.replace('"', "\"\""));
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info({quoted})"))
        .map_err(|e| sql_error(path, "reading the layer's columns", &e))?;
    let info: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(5)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| sql_error(path, "reading the layer's columns", &e))?;
    if info.is_empty() {
        return Err(Error::format(
            path,
            format!(
                "layer {layer:?} is listed in gpkg_contents but has no table: the file is damaged"
            ),
        ));
    }
    let fid = info
        .iter()
        .find(|(_, ty, pk)| *pk == 1 && kind_of(ty) == Kind::Integer)
        .map(|(name, _, _)| name.clone());
    let geometry = table.geometry.clone();
    if let Some(g) = &geometry
        && !info.iter().any(|(name, _, _)| name.eq_ignore_ascii_case(g))
    {
        return Err(Error::format(
            path,
            format!(
                "layer {layer:?}: its geometry column {g:?} (per gpkg_geometry_columns) is not in \
                 the table: the file is damaged"
            ),
        ));
    }
    let columns: Vec<Column> = info
        .iter()
        .filter(|(name, _, _)| {
            Some(name) != fid.as_ref()
                && !geometry
                    .as_ref()
                    .is_some_and(|g| g.eq_ignore_ascii_case(name))
        })
        .map(|(name, ty, _)| Column {
            name: name.clone(),
            key: serde_json::to_string(name).unwrap_or_default(),
            kind: kind_of(ty),
        })
        .collect();
    let quote = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    let mut select = vec![fid.as_deref().map_or("rowid".to_owned(), quote)];
    select.push(geometry.as_deref().map_or("NULL".to_owned(), quote));
    select.extend(columns.iter().map(|c| quote(&c.name)));
    let sql = format!("SELECT {} FROM {quoted} ORDER BY 1", select.join(", "));
    let mut stmt = conn
        .prepare(&sql)
        .map_err(|e| sql_error(path, &format!("reading layer {layer:?}"), &e))?;
    let mut rows = stmt
        .query([])
        .map_err(|e| sql_error(path, &format!("reading layer {layer:?}"), &e))?;
    let mut read = Vec::new();
    while let Some(r) = rows
        .next()
        .map_err(|e| sql_error(path, &format!("reading layer {layer:?}"), &e))?
    {
        let fid: i64 = r
            .get(0)
            .map_err(|e| sql_error(path, &format!("reading layer {layer:?}"), &e))?;
        let blob = match r.get_ref(1) {
            Ok(ValueRef::Blob(b)) => Some(b.to_vec()),
            Ok(ValueRef::Null) => None,
            Ok(other) => {
                let kind = other.data_type().to_string().to_lowercase();
                read.push(Row {
                    fid,
                    blob: None,
                    properties: Err((
                        "geometry".to_owned(),
                        format!("the geometry is a {kind} value, not a GeoPackage geometry blob"),
                    )),
                });
                continue;
            }
            Err(e) => return Err(sql_error(path, &format!("reading layer {layer:?}"), &e)),
        };
        let mut json = String::with_capacity(16 * columns.len() + 2);
        json.push('{');
        let mut bad = None;
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&c.key);
            json.push(':');
            let value = r
                .get_ref(i + 2)
                .map_err(|e| sql_error(path, &format!("reading layer {layer:?}"), &e))?;
            if let Err(why) = write_value(c.kind, value, &mut json) {
                bad = Some((c.name.clone(), why));
                break;
            }
        }
        json.push('}');
        read.push(Row {
            fid,
            blob,
            properties: bad.map_or(Ok(json), Err),
        });
    }
    drop(rows);

    let id_names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();
    let parsed: Vec<Result<Feature>> = read
        .into_par_iter()
        .enumerate()
        .map(|(k, row)| read_row(path, layer, k, row, table.srs_id, &id_names, crs, options))
        .collect();
    let (layer, skipped) = collect_layer(path, crs, parsed.into_iter(), options)?;
    Ok(ReadOutcome {
        layer,
        skipped,
        warnings: Vec::new(),
    })
}

/// A value as GDAL's GeoJSON export writes it for a column of `kind`.
fn write_value(kind: Kind, value: ValueRef, out: &mut String) -> std::result::Result<(), String> {
    use std::fmt::Write as _;
    match (kind, value) {
        (_, ValueRef::Null) => out.push_str("null"),
        (Kind::Boolean, ValueRef::Integer(n)) => {
            out.push_str(if n != 0 { "true" } else { "false" })
        }
        (Kind::Real, ValueRef::Integer(n)) => {
            out.push_str(&serde_json::to_string(&(n as f64)).map_err(|e| e.to_string())?);
        }
        (Kind::Integer, ValueRef::Real(x)) if x.fract() != 0.0 || !x.is_finite() => {
            return Err(format!(
                "{x} is not a whole number, but the column is declared an integer"
            ));
        }
        (_, ValueRef::Integer(n)) => {
            let _ = write!(out, "{n}");
        }
        (_, ValueRef::Real(x)) => {
            if !x.is_finite() {
                return Err(format!("{x} is not a finite number"));
            }
            out.push_str(&serde_json::to_string(&x).map_err(|e| e.to_string())?);
        }
        (Kind::Integer | Kind::Real | Kind::Boolean, ValueRef::Text(t)) => {
            return Err(format!(
                "the text {:?} is stored in a column declared a number or boolean",
                String::from_utf8_lossy(t)
            ));
        }
        (_, ValueRef::Text(t)) => {
            let text = std::str::from_utf8(t)
                .map_err(|e| format!("the text is not UTF-8 (a GeoPackage's text is): {e}"))?;
            out.push_str(&serde_json::to_string(text).map_err(|e| e.to_string())?);
        }
        (_, ValueRef::Blob(b)) => {
            return Err(format!(
                "a binary value ({} bytes) is not read as an attribute: drop the column, or \
                 store it as text",
                b.len()
            ));
        }
    }
    Ok(())
}

/// One row as a feature.
#[allow(clippy::too_many_arguments)]
fn read_row(
    path: &Path,
    layer: &str,
    k: usize,
    row: Row,
    srs_id: Option<i64>,
    id_names: &[&str],
    crs: Crs,
    options: &ReadOptions,
) -> Result<Feature> {
    let fid = row.fid;
    let here = |id: Option<String>| FeatureRef {
        path: path.to_owned(),
        index: k,
        id,
    };
    let json = row.properties.map_err(|(field, why)| {
        Error::feature(
            here(None),
            Some(&field),
            format!("{why} (layer {layer:?}, fid {fid})"),
        )
    })?;
    let properties = Properties::from_written(json).map_err(|why| {
        Error::feature(
            here(None),
            None,
            format!("{why} (layer {layer:?}, fid {fid})"),
        )
    })?;
    let id = properties.id_from(id_names);
    let at = |why: String| {
        Error::feature(
            here(id.clone()),
            Some("geometry"),
            format!("{why} (layer {layer:?}, fid {fid})"),
        )
    };
    let geometry = match row.blob {
        Some(blob) => geometry(&blob, srs_id).map_err(at)?,
        None => None,
    };
    let geometry = match geometry {
        Some(g) => g,
        None if options.attributes_only => {
            geo::Geometry::GeometryCollection(geo::GeometryCollection::default())
        }
        None => {
            return Err(at(
                "the feature has no geometry (it is null or empty)".to_owned()
            ));
        }
    };
    crate::io::structure::check_structure(&geometry, crs).map_err(at)?;
    Ok(Feature {
        index: k,
        id,
        geometry,
        properties,
    })
}

/// A GeoPackage geometry blob: its header, then WKB; `None` when the header marks it empty.
pub(crate) fn geometry(
    blob: &[u8],
    srs_id: Option<i64>,
) -> std::result::Result<Option<geo::Geometry<f64>>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(format!(
            "the geometry blob does not start with the GeoPackage magic \"GP\" ({} bytes): it \
             is damaged, or not a GeoPackage geometry",
            blob.len()
        ));
    }
    let version = blob[2];
    if version != 0 {
        return Err(format!(
            "the geometry blob has version {version}; GeoPackage 1.x writes version 0"
        ));
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err(
            "the geometry is an extended GeoPackage geometry (a type outside the standard): \
             convert it to points, lines or polygons"
                .to_owned(),
        );
    }
    let empty = flags & 0b0001_0000 != 0;
    let little = flags & 1 == 1;
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => {
            return Err(format!(
                "the geometry blob's envelope code {other} is not one of the GeoPackage's (0-4): \
                 it is damaged"
            ));
        }
    };
    let id_bytes: [u8; 4] = blob[4..8].try_into().unwrap_or_default();
    let blob_srs = if little {
        i32::from_le_bytes(id_bytes)
    } else {
        i32::from_be_bytes(id_bytes)
    };
    if let Some(column) = srs_id
        && i64::from(blob_srs) != column
    {
        return Err(format!(
            "the geometry says srs_id {blob_srs}, but its column's is {column} (per \
             gpkg_geometry_columns): the file is damaged or was edited by hand"
        ));
    }
    let start = 8 + envelope;
    if blob.len() < start {
        return Err(format!(
            "the geometry blob ends ({} bytes) inside its header ({start} bytes): it is damaged",
            blob.len()
        ));
    }
    if empty {
        return Ok(None);
    }
    crate::io::wkb::read_wkb(&blob[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_headers() {
        let mut wkb = Vec::new();
        crate::io::wkb::write_wkb(&geo::Geometry::Point(geo::Point::new(1.0, 2.0)), &mut wkb);
        // Little-endian header, no envelope, srs 4326.
        let mut blob = b"GP\0\x01".to_vec();
        blob.extend(4326i32.to_le_bytes());
        blob.extend(&wkb);
        assert_eq!(
            geometry(&blob, Some(4326)).unwrap(),
            Some(geo::Geometry::Point(geo::Point::new(1.0, 2.0)))
        );
        assert!(geometry(&blob, Some(4490)).unwrap_err().contains("srs_id"));
        // Big-endian header with an XY envelope.
        let mut blob = b"GP\0\x02".to_vec();
        blob.extend(4326i32.to_be_bytes());
        blob.extend([0u8; 32]);
        blob.extend(&wkb);
        assert!(geometry(&blob, Some(4326)).unwrap().is_some());
        // Empty flag.
        let mut empty = b"GP\0\x11".to_vec();
        empty.extend(4326i32.to_le_bytes());
        assert_eq!(geometry(&empty, Some(4326)).unwrap(), None);
        // Damaged.
        assert!(
            geometry(b"XX\0\x01\0\0\0\0", None)
                .unwrap_err()
                .contains("magic")
        );
        assert!(
            geometry(b"GP\0\x0F\0\0\0\0", None)
                .unwrap_err()
                .contains("envelope")
        );
        assert!(
            geometry(b"GP\0\x03\0\0\0\0", None)
                .unwrap_err()
                .contains("header")
        );
        for n in 0..blob.len() {
            let _ = geometry(&blob[..n], Some(4326));
        }
    }

    #[test]
    fn declared_types() {
        assert_eq!(kind_of("MEDIUMINT"), Kind::Integer);
        assert_eq!(kind_of("TEXT(20)"), Kind::Other);
        assert_eq!(kind_of("boolean"), Kind::Boolean);
        assert_eq!(kind_of("DOUBLE"), Kind::Real);
        assert_eq!(kind_of("DATETIME"), Kind::Other);
    }
}
