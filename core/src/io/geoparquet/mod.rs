//! Reading GeoParquet (`.parquet`, 1.0 and 1.1): the `geo` key of the file's metadata names
//! the primary geometry column, its encoding (`WKB`, or a native GeoArrow encoding: `point`,
//! `linestring`, `polygon`, `multipoint`, `multilinestring`, `multipolygon`) and its CRS
//! (PROJJSON; absent: OGC:CRS84, WGS 84 longitude/latitude).
//!
//! Row groups are decoded on all cores, each from its own handle on the file, batch by batch:
//! the file is never held whole in memory. The other columns become the properties a GeoJSON
//! export of the same table has (see [`crate::io::typed_props`]), in column order.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;
use serde_json::Value;

use crate::error::{Error, FeatureRef, Result};
use crate::geometry::validate;
use crate::io::fgb::refuse_shapefile_settings;
use crate::io::read::{MAX_LAYER_BYTES, ReadOptions, ReadOutcome, check_input_file, collect_layer};
use crate::io::typed_props::{ObjectWriter, duplicate_name, iso_date, iso_datetime, json_key};
use crate::model::crs::Crs;
use crate::model::layer::Feature;

/// Rows decoded at a time within a row group.
const BATCH_ROWS: usize = 8192;

/// How the geometry column is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Wkb,
    Point,
    LineString,
    Polygon,
    MultiPoint,
    MultiLineString,
    MultiPolygon,
}

impl Encoding {
    fn named(name: &str) -> Option<Encoding> {
        Some(match name.to_ascii_lowercase().as_str() {
            "wkb" => Encoding::Wkb,
            "point" => Encoding::Point,
            "linestring" => Encoding::LineString,
            "polygon" => Encoding::Polygon,
            "multipoint" => Encoding::MultiPoint,
            "multilinestring" => Encoding::MultiLineString,
            "multipolygon" => Encoding::MultiPolygon,
            _ => return None,
        })
    }

    /// The list levels above the coordinates.
    fn depth(self) -> usize {
        match self {
            Encoding::Wkb | Encoding::Point => 0,
            Encoding::LineString | Encoding::MultiPoint => 1,
            Encoding::Polygon | Encoding::MultiLineString => 2,
            Encoding::MultiPolygon => 3,
        }
    }
}

/// A property column: its place in the batches, its name as JSON text, and its name.
struct Column {
    index: usize,
    key: String,
    name: String,
}

/// Reads a GeoParquet file. The CRS is the geometry column's (`crs`: PROJJSON with an EPSG
/// `id`, absent for OGC:CRS84, `null` for none: `options.default_crs`); a plan-declared CRS
/// that disagrees is an error.
pub fn read_geoparquet(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    let bad = |message: String| Error::format(path, message);
    refuse_shapefile_settings(path, options, "GeoParquet")?;
    check_input_file(path, MAX_LAYER_BYTES)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|e| {
        bad(format!(
            "is not a Parquet file, or is truncated or damaged ({e}): a GeoParquet file ends \
             with its footer and the magic bytes PAR1"
        ))
    })?;
    let file_meta = meta.metadata().file_metadata();
    let geo = file_meta
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == "geo"))
        .and_then(|kv| kv.value.as_deref())
        .ok_or_else(|| {
            bad(
                "is a Parquet file without the `geo` metadata of GeoParquet: it says nothing \
                 of geometry (write it with GDAL, GeoPandas' to_parquet or DuckDB's spatial \
                 extension, which add it)"
                    .to_owned(),
            )
        })?;
    let geo: Value = serde_json::from_str(geo)
        .map_err(|e| bad(format!("the `geo` metadata is not JSON: {e}")))?;
    let version = geo["version"].as_str().unwrap_or("");
    if !(version.starts_with("1.") || version.starts_with("0.")) {
        return Err(bad(format!(
            "is GeoParquet version {version:?}: hecun reads versions 1.0 and 1.1"
        )));
    }
    let primary = geo["primary_column"]
        .as_str()
        .ok_or_else(|| bad("the `geo` metadata has no primary_column".to_owned()))?;
    let column = geo["columns"]
        .get(primary)
        .ok_or_else(|| {
            bad(format!(
                "the `geo` metadata's columns do not describe the primary column {primary:?}"
            ))
        })?
        .clone();
    let encoding_name = column["encoding"].as_str().unwrap_or("");
    let encoding = Encoding::named(encoding_name).ok_or_else(|| {
        bad(format!(
            "geometry column {primary:?}: encoding {:?} is not a GeoParquet encoding hecun \
             reads (WKB, point, linestring, polygon, multipoint, multilinestring, \
             multipolygon)",
            column["encoding"]
        ))
    })?;
    if let Some(edges) = column["edges"].as_str()
        && edges != "planar"
    {
        return Err(bad(format!(
            "geometry column {primary:?} has {edges} edges: hecun reads planar edges only (a \
             spherical edge is not the straight line hecun would draw)"
        )));
    }
    let crs = column_crs(path, primary, &column, options)?;

    let schema = meta.schema().clone();
    let geometry_index = schema.index_of(primary).map_err(|_| {
        bad(format!(
            "the `geo` metadata names geometry column {primary:?}, which the file does not have"
        ))
    })?;
    check_geometry_type(
        path,
        primary,
        encoding,
        schema.field(geometry_index).data_type(),
    )?;
    // Every other geometry column is left out, as GeoJSON has room for one geometry; so are
    // GeoParquet 1.1's bounding-box covering columns (`covering.bbox.xmin: ["bbox", "xmin"]`)
    // and pandas' saved index columns.
    let mut geometry_columns: Vec<&str> = geo["columns"]
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(bbox) = geo["columns"].as_object().and_then(|m| {
        m.values()
            .filter_map(|c| c["covering"]["bbox"].as_object())
            .next()
    }) {
        geometry_columns.extend(bbox.values().filter_map(|path| path[0].as_str()));
    }
    let columns: Vec<Column> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            !geometry_columns.contains(&f.name().as_str())
                && !f.name().starts_with("__index_level_")
        })
        .map(|(index, f)| Column {
            index,
            key: json_key(f.name()),
            name: f.name().clone(),
        })
        .collect();
    if let Some(name) = duplicate_name(columns.iter().map(|c| c.name.as_str())) {
        return Err(bad(format!("has two columns named {name:?}: rename one")));
    }
    for c in &columns {
        let t = schema.field(c.index).data_type();
        if !property_type_read(t) {
            return Err(bad(format!(
                "column {:?} has type {t}, which hecun does not read as an attribute (it \
                 reads text, integers, floats, booleans, dates and timestamps): drop or \
                 convert the column",
                c.name
            )));
        }
    }

    // Row groups on all cores, each from its own handle on the file (a shared handle would
    // share one position between threads).
    let groups = meta.metadata().row_groups();
    let mut first_rows = Vec::with_capacity(groups.len());
    let mut rows = 0usize;
    for g in groups {
        first_rows.push(rows);
        rows = rows.saturating_add(usize::try_from(g.num_rows()).unwrap_or(0));
    }
    let id_names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();
    let parsed: Vec<Vec<Result<Feature>>> = (0..groups.len())
        .into_par_iter()
        .map(|g| -> Result<Vec<Result<Feature>>> {
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
                .with_row_groups(vec![g])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| bad(format!("row group {g}: {e}")))?;
            let mut out = Vec::new();
            let mut row = first_rows[g];
            for batch in reader {
                let batch = batch.map_err(|e| {
                    bad(format!(
                        "row group {g} (rows from {}): cannot be decoded: {e} (is the file \
                         truncated or damaged?)",
                        first_rows[g]
                    ))
                })?;
                read_batch(
                    path,
                    g,
                    &batch,
                    row,
                    geometry_index,
                    encoding,
                    &columns,
                    &id_names,
                    crs,
                    options,
                    &mut out,
                )?;
                row += batch.num_rows();
            }
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let (layer, skipped) = collect_layer(path, crs, parsed.into_iter().flatten(), options)?;
    Ok(ReadOutcome {
        layer,
        skipped,
        warnings: Vec::new(),
    })
}

/// The geometry column's CRS, checked against the one the plan states.
fn column_crs(path: &Path, primary: &str, column: &Value, options: &ReadOptions) -> Result<Crs> {
    let bad = |message: String| Error::format(path, message);
    let own = match column.get("crs") {
        // GeoParquet: an absent crs is OGC:CRS84, longitude/latitude on WGS 84.
        None => Some(Crs::WGS84),
        // An explicit null: the CRS is unknown; the plan's (or the default) is used.
        Some(Value::Null) => None,
        Some(crs) => Some(
            projjson_crs(crs)
                .map_err(|why| bad(format!("geometry column {primary:?}: its crs {why}")))?,
        ),
    };
    match (own, options.declared_crs) {
        (Some(own), Some(stated)) if own != stated => Err(bad(format!(
            "geometry column {primary:?} is in {own}, but the plan or --input-crs states \
             {stated} for this layer: one of them is wrong; fix it, or leave the CRS out of \
             the plan for this layer to use the file's"
        ))),
        (Some(own), _) => Ok(own),
        (None, _) => Ok(options.default_crs),
    }
}

/// The EPSG CRS a PROJJSON object (or an `AUTHORITY:CODE` string) identifies.
fn projjson_crs(crs: &Value) -> std::result::Result<Crs, String> {
    let id = match crs {
        Value::String(s) => return s.parse::<Crs>().map_err(|e| format!("{s:?}: {e}")),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("ids").and_then(|ids| ids.get(0)))
            .cloned(),
        _ => None,
    };
    let name = crs["name"].as_str().unwrap_or("(unnamed)");
    let Some(id) = id else {
        return Err(format!(
            "{name:?} has no id naming an EPSG code: hecun reads EPSG CRSs only; write the file \
             with an EPSG CRS (e.g. to_crs(\"EPSG:4490\"))"
        ));
    };
    let authority = id["authority"].as_str().unwrap_or("");
    let code = match &id["code"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    if authority.eq_ignore_ascii_case("OGC") && code.eq_ignore_ascii_case("CRS84") {
        return Ok(Crs::WGS84);
    }
    if !authority.eq_ignore_ascii_case("EPSG") {
        return Err(format!(
            "{name:?} is {authority}:{code}, not an EPSG code: hecun reads EPSG CRSs only"
        ));
    }
    let n: u16 = code
        .parse()
        .map_err(|_| format!("{name:?}: EPSG code {code:?} is not a number hecun knows"))?;
    Crs::from_epsg(n).map_err(|e| format!("{name:?}: {e}"))
}

/// Whether the geometry column's Arrow type fits its declared encoding.
fn check_geometry_type(path: &Path, name: &str, encoding: Encoding, t: &DataType) -> Result<()> {
    let fits = match encoding {
        Encoding::Wkb => matches!(
            t,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView
        ),
        _ => {
            let mut t = t;
            let mut depth = 0;
            while let DataType::List(f) | DataType::LargeList(f) = t {
                t = f.data_type();
                depth += 1;
            }
            depth == encoding.depth()
                && match t {
                    DataType::Struct(fields) => {
                        fields.len() >= 2
                            && fields.iter().all(|f| f.data_type() == &DataType::Float64)
                    }
                    DataType::FixedSizeList(f, n) => *n >= 2 && f.data_type() == &DataType::Float64,
                    _ => false,
                }
        }
    };
    if fits {
        Ok(())
    } else {
        Err(Error::format(
            path,
            format!(
                "geometry column {name:?} is declared {encoding:?} but has Arrow type {t}: \
                 the `geo` metadata does not describe the column (damaged, or written by a \
                 tool that got it wrong)"
            ),
        ))
    }
}

fn property_type_read(t: &DataType) -> bool {
    match t {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(_, _) => true,
        DataType::Dictionary(key, value) => {
            key.is_dictionary_key_type() && property_type_read(value)
        }
        _ => false,
    }
}

/// The features of one batch, appended to `out` in row order.
#[allow(clippy::too_many_arguments)]
fn read_batch(
    path: &Path,
    group: usize,
    batch: &RecordBatch,
    first_row: usize,
    geometry_index: usize,
    encoding: Encoding,
    columns: &[Column],
    id_names: &[&str],
    crs: Crs,
    options: &ReadOptions,
    out: &mut Vec<Result<Feature>>,
) -> Result<()> {
    let geometry_column = batch.column(geometry_index);
    // A column that is not what its type says stops the read: it is no one row's fault.
    let native = Native::new(geometry_column, encoding).map_err(|why| {
        Error::format(
            path,
            format!("row group {group} (rows from {first_row}): the geometry column: {why}"),
        )
    })?;
    for r in 0..batch.num_rows() {
        let k = first_row + r;
        let here = |id: Option<String>| FeatureRef {
            path: path.to_owned(),
            index: k,
            id,
        };
        let feature = (|| {
            let mut o = ObjectWriter::new(columns.len());
            for c in columns {
                o.key(&c.key);
                write_value(&mut o, batch.column(c.index), r)
                    .map_err(|why| Error::feature(here(None), Some(&c.name), why))?;
            }
            let properties = o
                .finish()
                .map_err(|why| Error::feature(here(None), None, why))?;
            let id = properties.id_from(id_names);
            let geometry = if geometry_column.is_null(r) {
                if !options.attributes_only {
                    return Err(Error::feature(
                        here(id),
                        Some("geometry"),
                        "the row has no geometry (it is null)",
                    ));
                }
                Geometry::GeometryCollection(geo::GeometryCollection(vec![]))
            } else {
                let g = match encoding {
                    Encoding::Wkb => wkb_at(geometry_column, r).and_then(geometry_of_wkb),
                    _ => native.geometry(r),
                };
                g.map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?
            };
            crate::io::structure::check_structure(&geometry, crs)
                .map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?;
            Ok(Feature {
                index: k,
                id,
                geometry,
                properties,
            })
        })();
        out.push(feature);
    }
    Ok(())
}

/// Row `r`'s WKB bytes.
fn wkb_at(a: &ArrayRef, r: usize) -> std::result::Result<&[u8], String> {
    if let Some(b) = a.as_binary_opt::<i32>() {
        Ok(b.value(r))
    } else if let Some(b) = a.as_binary_opt::<i64>() {
        Ok(b.value(r))
    } else if let Some(b) = a.as_binary_view_opt() {
        Ok(b.value(r))
    } else {
        Err(format!(
            "a WKB column of type {} is not binary",
            a.data_type()
        ))
    }
}

/// Writes row `r` of `a` as JSON.
fn write_value(o: &mut ObjectWriter, a: &ArrayRef, r: usize) -> std::result::Result<(), String> {
    if a.is_null(r) {
        o.null();
        return Ok(());
    }
    let unit = |u: &TimeUnit| match u {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    let out_of_range = || "the date is outside the years 1 to 9999".to_owned();
    match a.data_type() {
        DataType::Boolean => o.bool(a.as_boolean().value(r)),
        DataType::Int8 => o.int(i64::from(a.as_primitive::<Int8Type>().value(r))),
        DataType::Int16 => o.int(i64::from(a.as_primitive::<Int16Type>().value(r))),
        DataType::Int32 => o.int(i64::from(a.as_primitive::<Int32Type>().value(r))),
        DataType::Int64 => o.int(a.as_primitive::<Int64Type>().value(r)),
        DataType::UInt8 => o.uint(u64::from(a.as_primitive::<UInt8Type>().value(r))),
        DataType::UInt16 => o.uint(u64::from(a.as_primitive::<UInt16Type>().value(r))),
        DataType::UInt32 => o.uint(u64::from(a.as_primitive::<UInt32Type>().value(r))),
        DataType::UInt64 => o.uint(a.as_primitive::<UInt64Type>().value(r)),
        DataType::Float32 => o.f32(a.as_primitive::<Float32Type>().value(r))?,
        DataType::Float64 => o.f64(a.as_primitive::<Float64Type>().value(r))?,
        DataType::Utf8 => o.str(a.as_string::<i32>().value(r)),
        DataType::LargeUtf8 => o.str(a.as_string::<i64>().value(r)),
        DataType::Utf8View => o.str(a.as_string_view().value(r)),
        DataType::Date32 => o.str(
            &iso_date(i64::from(a.as_primitive::<Date32Type>().value(r)))
                .ok_or_else(out_of_range)?,
        ),
        DataType::Date64 => o.str(
            &iso_date(
                a.as_primitive::<Date64Type>()
                    .value(r)
                    .div_euclid(86_400_000),
            )
            .ok_or_else(out_of_range)?,
        ),
        DataType::Timestamp(u, tz) => {
            let v = match u {
                TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(r),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(r),
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(r),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(r),
            };
            o.str(&iso_datetime(v, unit(u), tz.is_some()).ok_or_else(out_of_range)?);
        }
        DataType::Dictionary(_, _) => {
            let d = a
                .as_any_dictionary_opt()
                .ok_or("a dictionary column that is not one")?;
            let keys = d.keys();
            let key = match keys.data_type() {
                DataType::Int8 => i64::from(keys.as_primitive::<Int8Type>().value(r)),
                DataType::Int16 => i64::from(keys.as_primitive::<Int16Type>().value(r)),
                DataType::Int32 => i64::from(keys.as_primitive::<Int32Type>().value(r)),
                DataType::Int64 => keys.as_primitive::<Int64Type>().value(r),
                DataType::UInt8 => i64::from(keys.as_primitive::<UInt8Type>().value(r)),
                DataType::UInt16 => i64::from(keys.as_primitive::<UInt16Type>().value(r)),
                DataType::UInt32 => i64::from(keys.as_primitive::<UInt32Type>().value(r)),
                other => return Err(format!("dictionary keys of type {other} are not read")),
            };
            let values = d.values();
            match usize::try_from(key) {
                Ok(k) if k < values.len() => write_value(o, values, k)?,
                _ => return Err(format!("dictionary key {key} is out of range (damaged)")),
            }
        }
        DataType::Null => o.null(),
        other => return Err(format!("values of type {other} are not read")),
    }
    Ok(())
}

/// A native (GeoArrow) geometry column of one batch: its list levels and coordinates.
struct Native<'a> {
    encoding: Encoding,
    /// Each level's offsets, outermost first.
    levels: Vec<Offsets<'a>>,
    coords: Option<Coords<'a>>,
}

enum Offsets<'a> {
    Small(&'a [i32]),
    Large(&'a [i64]),
}

impl Offsets<'_> {
    /// The range of child items of item `i`.
    fn range(&self, i: usize) -> std::result::Result<(usize, usize), String> {
        let (a, b) = match self {
            Offsets::Small(o) => (o.get(i).map(|&v| v as i64), o.get(i + 1).map(|&v| v as i64)),
            Offsets::Large(o) => (o.get(i).copied(), o.get(i + 1).copied()),
        };
        match (a, b) {
            (Some(a), Some(b)) if 0 <= a && a <= b => Ok((a as usize, b as usize)),
            _ => Err("the geometry's list offsets are damaged".to_owned()),
        }
    }
}

/// The x and y of every coordinate: separate arrays (struct) or interleaved (fixed-size
/// list of `dims` values).
enum Coords<'a> {
    Separated(&'a Float64Array, &'a Float64Array),
    Interleaved(&'a Float64Array, usize),
}

impl Coords<'_> {
    fn at(&self, i: usize) -> std::result::Result<Coord<f64>, String> {
        let (x, y) = match self {
            Coords::Separated(x, y) if i < x.len() && i < y.len() => (x.value(i), y.value(i)),
            Coords::Interleaved(v, dims) if (i + 1) * dims <= v.len() => {
                let at = i * dims;
                (v.value(at), v.value(at + 1))
            }
            _ => return Err("the geometry's coordinates are damaged".to_owned()),
        };
        Ok(Coord { x, y })
    }
}

impl<'a> Native<'a> {
    fn new(column: &'a ArrayRef, encoding: Encoding) -> std::result::Result<Native<'a>, String> {
        if encoding == Encoding::Wkb {
            return Ok(Native {
                encoding,
                levels: Vec::new(),
                coords: None,
            });
        }
        let mut levels = Vec::new();
        let mut a: &'a dyn Array = column.as_ref();
        for _ in 0..encoding.depth() {
            if let Some(l) = a.as_list_opt::<i32>() {
                levels.push(Offsets::Small(l.value_offsets()));
                a = l.values().as_ref();
            } else if let Some(l) = a.as_list_opt::<i64>() {
                levels.push(Offsets::Large(l.value_offsets()));
                a = l.values().as_ref();
            } else {
                return Err(format!("expected a list, found {}", a.data_type()));
            }
        }
        let float = |c: &'a ArrayRef| {
            c.as_primitive_opt::<Float64Type>()
                .ok_or_else(|| format!("coordinates of type {}, not doubles", c.data_type()))
        };
        let coords = if let Some(s) = a.as_struct_opt() {
            let x = s.column_by_name("x").unwrap_or_else(|| s.column(0));
            let y = s.column_by_name("y").unwrap_or_else(|| s.column(1));
            Coords::Separated(float(x)?, float(y)?)
        } else if let Some(l) = a.as_fixed_size_list_opt() {
            let dims = l.value_length() as usize;
            Coords::Interleaved(float(l.values())?, dims)
        } else {
            return Err(format!(
                "expected coordinates (a struct of x, y), found {}",
                a.data_type()
            ));
        };
        Ok(Native {
            encoding,
            levels,
            coords: Some(coords),
        })
    }

    fn line(&self, level: usize, i: usize) -> std::result::Result<LineString<f64>, String> {
        let (a, b) = self.levels[level].range(i)?;
        let coords = self.coords.as_ref().ok_or("no coordinates")?;
        (a..b)
            .map(|j| coords.at(j))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(LineString)
    }

    fn polygon(&self, level: usize, i: usize) -> std::result::Result<Polygon<f64>, String> {
        let (a, b) = self.levels[level].range(i)?;
        let mut rings = (a..b).map(|j| self.line(level + 1, j));
        let exterior = rings
            .next()
            .ok_or("the polygon has no rings (it is empty)")??;
        let interiors = rings.collect::<std::result::Result<Vec<_>, _>>()?;
        for (i, ring) in std::iter::once(&exterior).chain(&interiors).enumerate() {
            validate::check_ring(ring, i)?;
        }
        Ok(Polygon::new(exterior, interiors))
    }

    fn geometry(&self, r: usize) -> std::result::Result<Geometry<f64>, String> {
        let coords = self.coords.as_ref().ok_or("no coordinates")?;
        Ok(match self.encoding {
            Encoding::Wkb => return Err("a WKB column read as native".to_owned()),
            Encoding::Point => {
                let c = coords.at(r)?;
                if c.x.is_nan() && c.y.is_nan() {
                    return Err("the point is empty".to_owned());
                }
                Geometry::Point(Point(c))
            }
            Encoding::LineString => Geometry::LineString(self.line(0, r)?),
            Encoding::MultiPoint => Geometry::MultiPoint(MultiPoint(
                self.line(0, r)?.0.into_iter().map(Point).collect(),
            )),
            Encoding::Polygon => Geometry::Polygon(self.polygon(0, r)?),
            Encoding::MultiLineString => {
                let (a, b) = self.levels[0].range(r)?;
                Geometry::MultiLineString(MultiLineString(
                    (a..b)
                        .map(|j| self.line(1, j))
                        .collect::<std::result::Result<_, _>>()?,
                ))
            }
            Encoding::MultiPolygon => {
                let (a, b) = self.levels[0].range(r)?;
                Geometry::MultiPolygon(MultiPolygon(
                    (a..b)
                        .map(|j| self.polygon(1, j))
                        .collect::<std::result::Result<_, _>>()?,
                ))
            }
        })
    }
}

/// A row's WKB (the one WKB reader of hecun, `io::wkb`): an empty point (`POINT EMPTY`, NaN
/// coordinates) is no geometry, refused as a null one is.
fn geometry_of_wkb(bytes: &[u8]) -> std::result::Result<Geometry<f64>, String> {
    crate::io::wkb::read_wkb(bytes)?.ok_or_else(|| "the geometry is an empty point".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projjson_ids_give_the_crs() {
        let crs = json!({"type": "ProjectedCRS", "name": "CGCS2000 / 3-degree Gauss-Kruger CM 114E",
            "id": {"authority": "EPSG", "code": 4547}});
        assert_eq!(projjson_crs(&crs).unwrap().code(), 4547);
        let crs84 = json!({"name": "WGS 84 (CRS84)", "id": {"authority": "OGC", "code": "CRS84"}});
        assert_eq!(projjson_crs(&crs84).unwrap(), Crs::WGS84);
        let esri = json!({"name": "x", "id": {"authority": "ESRI", "code": 102100}});
        assert!(
            projjson_crs(&esri)
                .unwrap_err()
                .contains("not an EPSG code")
        );
        let none = json!({"name": "local"});
        assert!(projjson_crs(&none).unwrap_err().contains("no id"));
    }
}
