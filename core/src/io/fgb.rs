//! Reading FlatGeobuf (`.fgb`) layers: a magic number, a header (columns, geometry type,
//! CRS), an optional packed R-tree, then size-prefixed features, each a FlatBuffers table.
//!
//! The file is read once; the features are found by their size prefixes in one sequential
//! pass (a few bytes per feature) and decoded on all cores. Every table is checked by the
//! FlatBuffers verifier and every property read is bounds-checked: a damaged or hostile file
//! is an error naming the file and feature, never a panic (the `flatgeobuf` crate's own
//! property reader slices without checks, so properties are decoded here).

use std::path::Path;

use ::flatgeobuf as fgb;
use geo::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo::{MultiPolygon, Point, Polygon};
use rayon::prelude::*;

use crate::error::{Error, FeatureRef, Result};
use crate::geometry::validate;
use crate::io::read::{MAX_LAYER_BYTES, ReadOptions, ReadOutcome, collect_layer, read_input};
use crate::io::typed_props::{ObjectWriter, duplicate_name, json_key};
use crate::model::crs::Crs;
use crate::model::layer::Feature;

/// The magic bytes: `fgb`, the major version, `fgb`, and a patch byte.
const MAGIC: [u8; 3] = *b"fgb";
/// The newest major version of the format this reader knows.
const VERSION: u8 = 3;
/// The size of one node of the packed R-tree (a bounding box and an offset).
const NODE_BYTES: u64 = 40;

/// Reads a FlatGeobuf file. The CRS is the header's (`EPSG` organisation and code), else
/// `options.default_crs`; a plan-declared CRS that disagrees is an error.
pub fn read_flatgeobuf(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    let bytes = read_input(path, MAX_LAYER_BYTES)?;
    parse_flatgeobuf(path, &bytes, options)
}

/// Parses a FlatGeobuf file already in memory; `path` is used in messages.
pub fn parse_flatgeobuf(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<ReadOutcome> {
    let bad = |message: String| Error::format(path, message);
    refuse_shapefile_settings(path, options, "FlatGeobuf")?;
    if bytes.len() < 12 || bytes[..3] != MAGIC || bytes[4..7] != MAGIC {
        return Err(bad(format!(
            "does not start with FlatGeobuf's magic bytes \"fgb\\x03fgb\" (it starts {}): not \
             a FlatGeobuf file{}",
            hex(&bytes[..bytes.len().min(8)]),
            if bytes.is_empty() {
                " (it is empty)"
            } else {
                ""
            }
        )));
    }
    if bytes[3] > VERSION {
        return Err(bad(format!(
            "is FlatGeobuf version {}, newer than the version {VERSION} hecun reads",
            bytes[3]
        )));
    }
    let header_len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let header_end = 12usize.saturating_add(header_len);
    if header_end > bytes.len() {
        return Err(bad(format!(
            "the header is {header_len} bytes but the file ends {} bytes after its start (is \
             it truncated?)",
            bytes.len() - 12
        )));
    }
    // The FlatBuffers alignment is counted from the size prefix.
    let header = fgb::size_prefixed_root_as_header(&bytes[8..header_end])
        .map_err(|e| bad(format!("the header is damaged: {e}")))?;
    let crs = header_crs(path, &header, options)?;
    let columns = columns(path, &header)?;

    // The packed R-tree, if any, sits between the header and the features.
    let count = header.features_count();
    let node_size = header.index_node_size();
    let index = if node_size > 0 && count > 0 {
        index_bytes(count, node_size).ok_or_else(|| {
            bad(format!(
                "the header announces {count} features: more than a file can hold"
            ))
        })?
    } else {
        0
    };
    let start = (header_end as u64).saturating_add(index);
    if start > bytes.len() as u64 {
        return Err(bad(format!(
            "the spatial index of {count} features ({index} bytes) runs past the end of the \
             file (is it truncated?)"
        )));
    }

    // The features' places: one sequential pass over the size prefixes.
    // (The header's count only bounds the capacity: a feature takes at least 12 bytes.)
    let room = (bytes.len() - start as usize) / 12;
    let mut places: Vec<(usize, usize)> = Vec::with_capacity(count.min(room as u64) as usize);
    let mut at = start as usize;
    while at < bytes.len() {
        let k = places.len();
        if bytes.len() - at < 4 {
            return Err(bad(format!(
                "feature #{k}: the file ends inside its size prefix (is it truncated?)"
            )));
        }
        let len =
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        at += 4;
        if len > bytes.len() - at {
            return Err(bad(format!(
                "feature #{k}: its {len} bytes run past the end of the file (is it truncated?)"
            )));
        }
        places.push((at - 4, len + 4));
        at += len;
    }
    if count > 0 && places.len() as u64 != count {
        return Err(bad(format!(
            "the header announces {count} features but the file holds {} (is it truncated?)",
            places.len()
        )));
    }

    let layer_type = header.geometry_type();
    let id_names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();
    let parsed: Vec<Result<Feature>> = places
        .par_iter()
        .enumerate()
        .map(|(k, &(at, len))| {
            read_feature(
                path,
                k,
                &bytes[at..at + len],
                &columns,
                layer_type,
                &id_names,
                crs,
                options,
            )
        })
        .collect();
    let (layer, skipped) = collect_layer(path, crs, parsed.into_iter(), options)?;
    Ok(ReadOutcome {
        layer,
        skipped,
        warnings: Vec::new(),
    })
}

/// An encoding or towgs84 is a Shapefile's: given for another format it would be silently
/// ignored, so it is refused.
pub(crate) fn refuse_shapefile_settings(
    path: &Path,
    options: &ReadOptions,
    format: &str,
) -> Result<()> {
    if let Some(encoding) = &options.encoding {
        return Err(Error::format(
            path,
            format!(
                "encoding = {encoding:?} is given for a {format} layer: {format} text is \
                 always UTF-8 (encoding is for Shapefiles); remove it from the plan"
            ),
        ));
    }
    if options.towgs84.is_some() {
        return Err(Error::format(
            path,
            format!(
                "towgs84 is given for a {format} layer: it is for Shapefiles in Xi'an 1980 or \
                 Beijing 1954 zones; convert the layer to CGCS2000 or remove towgs84"
            ),
        ));
    }
    Ok(())
}

/// The file's CRS, checked against the one the plan states.
fn header_crs(path: &Path, header: &fgb::Header, options: &ReadOptions) -> Result<Crs> {
    let bad = |message: String| Error::format(path, message);
    let own = match header.crs() {
        None => None,
        Some(c) => {
            let org = c.org().unwrap_or("EPSG");
            let code = c.code();
            if code == 0 && c.code_string().is_none() && c.wkt().is_none() {
                None
            } else if !org.eq_ignore_ascii_case("EPSG") || code <= 0 {
                let named = c
                    .code_string()
                    .map(str::to_owned)
                    .or_else(|| c.name().map(str::to_owned))
                    .unwrap_or_else(|| format!("{org}:{code}"));
                return Err(bad(format!(
                    "the header's CRS is {named:?} (organisation {org:?}), not an EPSG code: \
                     hecun reads EPSG CRSs only; write the file with an EPSG CRS (ogr2ogr \
                     -a_srs EPSG:4490 or -t_srs EPSG:…)"
                )));
            } else {
                let code = u16::try_from(code)
                    .map_err(|_| bad(format!("the header's CRS EPSG:{code} is out of range")))?;
                Some(Crs::from_epsg(code).map_err(|e| bad(format!("the header's CRS: {e}")))?)
            }
        }
    };
    match (own, options.declared_crs) {
        (Some(own), Some(stated)) if own != stated => Err(bad(format!(
            "the header names {own}, but the plan or --input-crs states {stated} for this \
             layer: one of them is wrong; fix it, or leave the CRS out of the plan for this \
             layer to use the file's"
        ))),
        (Some(own), _) => Ok(own),
        (None, _) => Ok(options.default_crs),
    }
}

/// A column: its name as JSON text, its name, and its type.
struct Column {
    key: String,
    name: String,
    kind: fgb::ColumnType,
}

fn columns(path: &Path, header: &fgb::Header) -> Result<Vec<Column>> {
    let columns: Vec<Column> = header
        .columns()
        .map(|cs| {
            cs.iter()
                .map(|c| Column {
                    key: json_key(c.name()),
                    name: c.name().to_owned(),
                    kind: c.type_(),
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(name) = duplicate_name(columns.iter().map(|c| c.name.as_str())) {
        return Err(Error::format(
            path,
            format!("has two columns named {name:?}: rename one"),
        ));
    }
    if let Some(c) = columns
        .iter()
        .find(|c| c.kind.0 > fgb::ColumnType::ENUM_MAX)
    {
        return Err(Error::format(
            path,
            format!(
                "column {:?} has type {}, which FlatGeobuf does not define",
                c.name, c.kind.0
            ),
        ));
    }
    Ok(columns)
}

/// The bytes of a packed R-tree over `count` items with `node_size` children a node, as the
/// format lays it out (every level, leaves first); `None` on overflow.
fn index_bytes(count: u64, node_size: u16) -> Option<u64> {
    let node_size = u64::from(node_size.max(2));
    let mut n = count;
    let mut nodes = n;
    while n > 1 {
        n = n.div_ceil(node_size);
        nodes = nodes.checked_add(n)?;
    }
    // A single item still has its root above it.
    if count == 1 {
        nodes += 1;
    }
    nodes.checked_mul(NODE_BYTES)
}

#[allow(clippy::too_many_arguments)]
fn read_feature(
    path: &Path,
    k: usize,
    buf: &[u8],
    columns: &[Column],
    layer_type: fgb::GeometryType,
    id_names: &[&str],
    crs: Crs,
    options: &ReadOptions,
) -> Result<Feature> {
    let here = |id: Option<String>| FeatureRef {
        path: path.to_owned(),
        index: k,
        id,
    };
    let feature = fgb::size_prefixed_root_as_feature(buf)
        .map_err(|e| Error::feature(here(None), None, format!("the feature is damaged: {e}")))?;
    if feature.columns().is_some_and(|c| !c.is_empty()) {
        // The format lets a feature carry its own columns; no writer hecun knows does, and
        // reading its values with the header's types would misread them.
        return Err(Error::feature(
            here(None),
            None,
            "the feature has columns of its own (not the header's): hecun reads the header's \
             columns only; rewrite the file with ogr2ogr",
        ));
    }
    let properties = properties(columns, feature.properties().map(|p| p.bytes()))
        .map_err(|(field, why)| Error::feature(here(None), field.as_deref(), why))?;
    let id = properties.id_from(id_names);
    let geometry = match feature.geometry() {
        Some(g) => geometry(&g, layer_type, 0)
            .map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?,
        None if options.attributes_only => Geometry::GeometryCollection(GeometryCollection(vec![])),
        None => {
            return Err(Error::feature(
                here(id),
                Some("geometry"),
                "the feature has no geometry",
            ));
        }
    };
    crate::io::structure::check_structure(&geometry, crs)
        .map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?;
    Ok(Feature {
        index: k,
        id,
        geometry,
        properties,
    })
}

/// The properties in column order, a column the feature does not have as null (as GDAL's
/// GeoJSON export writes it). `Err`: the field (if known) and why.
fn properties(
    columns: &[Column],
    bytes: Option<&[u8]>,
) -> std::result::Result<crate::model::layer::Properties, (Option<String>, String)> {
    // Where each column's value starts (after its index), if the feature has it.
    let mut starts: Vec<Option<usize>> = vec![None; columns.len()];
    let bytes = bytes.unwrap_or_default();
    let mut at = 0;
    let take = |at: usize, n: usize| -> std::result::Result<&[u8], String> {
        bytes
            .get(at..at.saturating_add(n))
            .filter(|s| s.len() == n)
            .ok_or_else(|| "the properties end in the middle of a value (damaged)".to_owned())
    };
    // GDAL writes a trailing byte after some Binary values: a lone last byte is padding.
    while at + 1 < bytes.len() {
        let i = u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
        at += 2;
        let column = columns.get(i).ok_or_else(|| {
            (
                None,
                format!(
                    "the properties name column {i}, but the header has {} columns (damaged)",
                    columns.len()
                ),
            )
        })?;
        let field = || Some(column.name.clone());
        if starts[i].is_some() {
            return Err((field(), "the feature has the column twice".to_owned()));
        }
        starts[i] = Some(at);
        let size = match fixed_size(column.kind) {
            Some(n) => n,
            None => {
                let len = take(at, 4).map_err(|why| (field(), why))?;
                4 + u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize
            }
        };
        take(at, size).map_err(|why| (field(), why))?;
        at += size;
    }
    let mut out = ObjectWriter::new(columns.len());
    for (column, start) in columns.iter().zip(starts) {
        out.key(&column.key);
        let Some(at) = start else {
            out.null();
            continue;
        };
        let v = &bytes[at..];
        let field = || Some(column.name.clone());
        let le8 = |v: &[u8]| <[u8; 8]>::try_from(&v[..8]).unwrap_or_default();
        let le4 = |v: &[u8]| <[u8; 4]>::try_from(&v[..4]).unwrap_or_default();
        match column.kind {
            fgb::ColumnType::Byte => out.int(i64::from(v[0] as i8)),
            fgb::ColumnType::UByte => out.int(i64::from(v[0])),
            fgb::ColumnType::Bool => out.bool(v[0] != 0),
            fgb::ColumnType::Short => out.int(i64::from(i16::from_le_bytes([v[0], v[1]]))),
            fgb::ColumnType::UShort => out.int(i64::from(u16::from_le_bytes([v[0], v[1]]))),
            fgb::ColumnType::Int => out.int(i64::from(i32::from_le_bytes(le4(v)))),
            fgb::ColumnType::UInt => out.int(i64::from(u32::from_le_bytes(le4(v)))),
            fgb::ColumnType::Long => out.int(i64::from_le_bytes(le8(v))),
            fgb::ColumnType::ULong => out.uint(u64::from_le_bytes(le8(v))),
            fgb::ColumnType::Float => out
                .f32(f32::from_le_bytes(le4(v)))
                .map_err(|why| (field(), why))?,
            fgb::ColumnType::Double => out
                .f64(f64::from_le_bytes(le8(v)))
                .map_err(|why| (field(), why))?,
            fgb::ColumnType::String | fgb::ColumnType::DateTime | fgb::ColumnType::Json => {
                let len = u32::from_le_bytes(le4(v)) as usize;
                let text = std::str::from_utf8(&v[4..4 + len]).map_err(|e| {
                    (
                        field(),
                        format!("the text is not UTF-8 ({e}): FlatGeobuf text is UTF-8"),
                    )
                })?;
                if column.kind == fgb::ColumnType::Json {
                    out.json(text).map_err(|why| (field(), why))?;
                } else {
                    out.str(text);
                }
            }
            _ => {
                return Err((
                    field(),
                    "binary columns are not read (a GeoJSON layer cannot hold bytes): drop \
                     the column (ogr2ogr -select …)"
                        .to_owned(),
                ));
            }
        }
    }
    out.finish().map_err(|why| (None, why))
}

/// Bytes as hex, for a message about bytes that are not what they should be.
fn hex(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    hex.join(" ")
}

/// The size of a fixed-size column's value; `None` for the length-prefixed types.
fn fixed_size(kind: fgb::ColumnType) -> Option<usize> {
    match kind {
        fgb::ColumnType::Byte | fgb::ColumnType::UByte | fgb::ColumnType::Bool => Some(1),
        fgb::ColumnType::Short | fgb::ColumnType::UShort => Some(2),
        fgb::ColumnType::Int | fgb::ColumnType::UInt | fgb::ColumnType::Float => Some(4),
        fgb::ColumnType::Long | fgb::ColumnType::ULong | fgb::ColumnType::Double => Some(8),
        _ => None,
    }
}

/// A geometry of type `kind` (the header's; a collection's parts and an `Unknown` layer's
/// features name their own). Z and M are in arrays of their own, and are not read: hecun
/// works in two dimensions.
fn geometry(
    g: &fgb::Geometry,
    kind: fgb::GeometryType,
    depth: usize,
) -> std::result::Result<Geometry<f64>, String> {
    let kind = if kind == fgb::GeometryType::Unknown {
        g.type_()
    } else {
        kind
    };
    let coords = || -> std::result::Result<Vec<Coord<f64>>, String> {
        let xy = g
            .xy()
            .map(|v| v.iter().collect::<Vec<f64>>())
            .unwrap_or_default();
        if !xy.len().is_multiple_of(2) {
            return Err(format!(
                "the geometry has {} coordinate values, not x, y pairs (damaged)",
                xy.len()
            ));
        }
        Ok(xy
            .chunks_exact(2)
            .map(|c| Coord { x: c[0], y: c[1] })
            .collect())
    };
    // Splits the coordinates at `ends` (each the number of coordinates up to its part's end).
    let split = |coords: Vec<Coord<f64>>| -> std::result::Result<Vec<LineString<f64>>, String> {
        let ends: Vec<u32> = g.ends().map(|e| e.iter().collect()).unwrap_or_default();
        if ends.is_empty() {
            return Ok(vec![LineString(coords)]);
        }
        let mut parts = Vec::with_capacity(ends.len());
        let mut from = 0usize;
        for &end in &ends {
            let end = end as usize;
            if end < from || end > coords.len() {
                return Err(format!(
                    "the geometry's part ends ({ends:?}) do not fit its {} coordinates (damaged)",
                    coords.len()
                ));
            }
            parts.push(LineString(coords[from..end].to_vec()));
            from = end;
        }
        if from != coords.len() {
            return Err(format!(
                "the geometry's part ends ({ends:?}) stop before its {} coordinates (damaged)",
                coords.len()
            ));
        }
        Ok(parts)
    };
    let polygon = |rings: Vec<LineString<f64>>| -> std::result::Result<Polygon<f64>, String> {
        let mut rings = rings.into_iter();
        let exterior = rings.next().ok_or("the polygon has no rings")?;
        let interiors: Vec<LineString<f64>> = rings.collect();
        for (i, ring) in std::iter::once(&exterior).chain(&interiors).enumerate() {
            validate::check_ring(ring, i)?;
        }
        Ok(Polygon::new(exterior, interiors))
    };
    let parts =
        || -> Vec<fgb::Geometry> { g.parts().map(|p| p.iter().collect()).unwrap_or_default() };
    if depth > 8 {
        return Err("geometry collections are nested more than 8 deep".to_owned());
    }
    Ok(match kind {
        fgb::GeometryType::Point => {
            let c = coords()?;
            match c.as_slice() {
                [p] => Geometry::Point(Point(*p)),
                _ => {
                    return Err(format!(
                        "the point has {} coordinates, not one (an empty point is not read)",
                        c.len()
                    ));
                }
            }
        }
        fgb::GeometryType::MultiPoint => {
            Geometry::MultiPoint(MultiPoint(coords()?.into_iter().map(Point).collect()))
        }
        fgb::GeometryType::LineString => Geometry::LineString(LineString(coords()?)),
        fgb::GeometryType::MultiLineString => {
            Geometry::MultiLineString(MultiLineString(split(coords()?)?))
        }
        fgb::GeometryType::Polygon => Geometry::Polygon(polygon(split(coords()?)?)?),
        fgb::GeometryType::MultiPolygon => {
            let parts = parts();
            if parts.is_empty() {
                // A one-part multipolygon may be written flat, as a polygon.
                Geometry::MultiPolygon(MultiPolygon(vec![polygon(split(coords()?)?)?]))
            } else {
                let polygons = parts
                    .iter()
                    .map(
                        |p| match geometry(p, fgb::GeometryType::Polygon, depth + 1)? {
                            Geometry::Polygon(p) => Ok(p),
                            _ => Err("a multipolygon part is not a polygon".to_owned()),
                        },
                    )
                    .collect::<std::result::Result<Vec<_>, String>>()?;
                Geometry::MultiPolygon(MultiPolygon(polygons))
            }
        }
        fgb::GeometryType::GeometryCollection => Geometry::GeometryCollection(GeometryCollection(
            parts()
                .iter()
                .map(|p| geometry(p, fgb::GeometryType::Unknown, depth + 1))
                .collect::<std::result::Result<Vec<_>, String>>()?,
        )),
        fgb::GeometryType::Unknown => {
            return Err("the geometry does not say its type".to_owned());
        }
        other => {
            return Err(format!(
                "geometry type {} ({}) is not read: hecun reads points, lines and polygons \
                 (convert curves with ogr2ogr -nlt CONVERT_TO_LINEAR)",
                other.variant_name().unwrap_or("unknown"),
                other.0
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_size_is_the_crates() {
        for count in [1usize, 2, 15, 16, 17, 255, 256, 257, 5000, 600_000] {
            for node in [2u16, 16, 64] {
                assert_eq!(
                    index_bytes(count as u64, node),
                    Some(fgb::packed_r_tree::PackedRTree::index_size(count, node) as u64),
                    "{count} items, node size {node}"
                );
            }
        }
        assert_eq!(index_bytes(u64::MAX, 2), None);
    }

    #[test]
    fn bad_magic_and_truncation_are_errors() {
        let p = Path::new("x.fgb");
        let o = ReadOptions::default();
        let err = parse_flatgeobuf(p, b"{\"type\":\"FeatureCollection\"}", &o).unwrap_err();
        assert!(err.to_string().contains("magic"), "{err}");
        let err = parse_flatgeobuf(p, b"", &o).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let err = parse_flatgeobuf(p, b"fgb\x03fgb\x00\xff\x00\x00\x00", &o).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}
