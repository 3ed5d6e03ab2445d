//! Reading File Geodatabases (`.gdb` folders) and any other vector format the system's GDAL
//! reads, behind the cargo feature `gdal` (libgdal; the default build stays pure Rust).
//!
//! Each GDAL feature becomes a [`Feature`] whose properties are the JSON object GDAL's own
//! GeoJSON export (`ogr2ogr -f GeoJSON`) writes for it, so that a layer read through GDAL
//! is the layer the native readers read from the same data, and a run gives the same
//! outputs whatever the format. GDAL's handles are not thread-safe: features are read one
//! after the other on the calling thread (each read opens its own dataset, so layers may
//! be read in parallel).
//!
//! GDAL's own C calls are used (rather than the `gdal` crate's field accessors, which
//! replace text that is not UTF-8 with U+FFFD, and whose feature iterator ends silently on
//! a read error): text that is not UTF-8 and a feature GDAL fails to read are errors naming
//! the file, layer and feature.
//!
//! Safety: every handle passed to GDAL's C functions comes from GDAL and is used while
//! what owns it lives — the dataset and layer (held by the `gdal` crate's types for the
//! whole read), a feature (owned by `OwnedFeature` until dropped), a geometry (borrowed
//! from its feature, or owned and destroyed right after use); strings and arrays GDAL
//! returns are copied before the next call on their feature; counts come from GDAL.

use std::ffi::{CStr, c_char, c_int};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use gdal::vector::LayerAccess;
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use gdal_sys::{
    CPLErr, OGRFeatureH, OGRFieldSubType, OGRFieldType, OGRGeometryH, OGRwkbGeometryType,
};
use geo::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo::{MultiPolygon, Point, Polygon};
use serde_json::value::RawValue;

use crate::error::{Error, FeatureRef, Result};
use crate::geometry::validate::check_ring;
use crate::io::read::{ReadOptions, ReadOutcome, collect_layer};
use crate::model::crs::Crs;
use crate::model::layer::{Feature, Properties};

/// Reads one layer of a source GDAL opens: a File Geodatabase folder, a GeoPackage, KML,
/// GML, MapInfo… (`options.layer` names the layer of a source that holds several).
///
/// The CRS is the layer's spatial reference, by its EPSG code (a source without one is read
/// in `options.declared_crs` if the plan states one, else refused); a stated CRS that
/// disagrees with the layer's is an error.
pub fn read_gdal(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    // A missing file is said as such, not as something GDAL cannot open.
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if options.encoding.is_some() {
        return Err(Error::format(
            path,
            "encoding = \"…\" is for Shapefiles read by hecun itself: through GDAL, the \
             source's own encoding is used (for a Shapefile, its .cpg); remove it for this \
             layer",
        ));
    }
    let _quiet = QuietErrors::push();
    let flags = GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY;
    let dataset = Dataset::open_ex(
        path,
        DatasetOptions {
            open_flags: flags,
            ..DatasetOptions::default()
        },
    )
    .map_err(|e| {
        Error::format(
            path,
            format!(
                "GDAL cannot read it as vector data ({}): is it a File Geodatabase folder \
                 (.gdb) or another format GDAL reads?",
                last_error().unwrap_or_else(|| e.to_string())
            ),
        )
    })?;
    let driver = dataset.driver().short_name();
    let names: Vec<String> = (0..dataset.layer_count())
        .filter_map(|i| dataset.layer(i).ok().map(|l| l.name()))
        .collect();
    let list = names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let layer = match (&options.layer, names.len()) {
        (_, 0) => {
            return Err(Error::format(
                path,
                format!("holds no vector layer (GDAL's {driver} driver reads it)"),
            ));
        }
        (Some(name), _) => dataset.layer_by_name(name).map_err(|_| {
            Error::format(
                path,
                format!("has no layer {name:?}: its layers are {list} (layer = \"…\" in the plan)"),
            )
        })?,
        (None, 1) => dataset
            .layer(0)
            .map_err(|e| Error::format(path, format!("GDAL cannot open its layer: {e}")))?,
        (None, n) => {
            return Err(Error::format(
                path,
                format!(
                    "holds {n} layers ({list}): name the one to read with layer = \"NAME\" for \
                     this layer in the plan"
                ),
            ));
        }
    };
    // Messages (and the layer's name in outputs) say which layer of a multi-layer source.
    let shown: PathBuf = if names.len() > 1 {
        path.join(layer.name())
    } else {
        path.to_owned()
    };
    let crs = layer_crs(&shown, &layer, options)?;
    let fields = fields(&shown, &layer)?;
    // A File Geodatabase, like a Shapefile, has no single/multi distinction: GDAL gives
    // every polygon as a MultiPolygon, where the Shapefile reader (and GDAL's) gives a
    // one-part shape as a Polygon. Both store rings the Esri way (outer clockwise), which
    // the Shapefile reader turns to RFC 7946's (outer counter-clockwise). The same shape is
    // read the same way from all three.
    let esri = Esri {
        one_part_as_single: matches!(driver.as_str(), "OpenFileGDB" | "FileGDB"),
        reorient: matches!(
            driver.as_str(),
            "OpenFileGDB" | "FileGDB" | "ESRI Shapefile"
        ),
    };
    let id_names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();

    let c_layer = unsafe { layer.c_layer() };
    unsafe { gdal_sys::OGR_L_ResetReading(c_layer) };
    let mut parsed = Vec::new();
    loop {
        unsafe { gdal_sys::CPLErrorReset() };
        let handle = unsafe { gdal_sys::OGR_L_GetNextFeature(c_layer) };
        if handle.is_null() {
            if let Some(why) = last_failure() {
                return Err(Error::format(
                    &shown,
                    format!(
                        "GDAL failed to read feature #{} (the features before it were read): \
                         {why}",
                        parsed.len()
                    ),
                ));
            }
            break;
        }
        let owned = OwnedFeature(handle);
        let k = parsed.len();
        parsed.push(read_feature(
            &shown, owned.0, k, &fields, &id_names, crs, esri, options,
        ));
    }
    let (layer, skipped) = collect_layer(&shown, crs, parsed.into_iter(), options)?;
    Ok(ReadOutcome {
        layer,
        skipped,
        warnings: Vec::new(),
    })
}

/// GDAL's messages go to the error returned, not to stderr: a quiet handler for the time
/// of a read, on this thread (GDAL's handler stack is per thread).
struct QuietErrors;

impl QuietErrors {
    fn push() -> QuietErrors {
        unsafe { gdal_sys::CPLPushErrorHandler(Some(gdal_sys::CPLQuietErrorHandler)) };
        QuietErrors
    }
}

impl Drop for QuietErrors {
    fn drop(&mut self) {
        unsafe { gdal_sys::CPLPopErrorHandler() };
    }
}

/// GDAL's last message on this thread, if any.
fn last_error() -> Option<String> {
    let msg = unsafe { CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) };
    let msg = msg.to_string_lossy().trim().to_owned();
    (!msg.is_empty()).then_some(msg)
}

/// GDAL's last message on this thread if it was a failure (not a warning).
fn last_failure() -> Option<String> {
    let kind = unsafe { gdal_sys::CPLGetLastErrorType() };
    (kind >= CPLErr::CE_Failure).then(|| last_error().unwrap_or_else(|| "unknown error".into()))
}

/// A feature handle, destroyed when dropped.
struct OwnedFeature(OGRFeatureH);

impl Drop for OwnedFeature {
    fn drop(&mut self) {
        unsafe { gdal_sys::OGR_F_Destroy(self.0) };
    }
}

/// The layer's CRS from its spatial reference's EPSG code.
fn layer_crs(path: &Path, layer: &gdal::vector::Layer, options: &ReadOptions) -> Result<Crs> {
    if options.towgs84.is_some() {
        return Err(Error::format(
            path,
            "towgs84 is read for Shapefiles (their .prj) only: export a Xi'an 1980 or Beijing \
             1954 layer as a Shapefile, or reproject it to CGCS2000, and remove towgs84 for \
             this layer",
        ));
    }
    let Some(mut srs) = layer.spatial_ref() else {
        return options.declared_crs.ok_or_else(|| {
            Error::format(
                path,
                "names no CRS (GDAL finds no spatial reference): state it with crs = \
                 \"EPSG:…\" for this layer in the plan (or --input-crs)",
            )
        });
    };
    let name = srs.name().unwrap_or_else(|| "unnamed".to_owned());
    let epsg = |srs: &gdal::spatial_ref::SpatialRef| {
        (srs.auth_name().as_deref() == Some("EPSG"))
            .then(|| srs.auth_code().ok())
            .flatten()
    };
    let code = match epsg(&srs) {
        Some(code) => Some(code),
        None => srs.auto_identify_epsg().ok().and_then(|()| epsg(&srs)),
    };
    let Some(code) = code else {
        return Err(Error::format(
            path,
            format!(
                "its CRS ({name}) has no EPSG code GDAL can tell: reproject the layer to an \
                 EPSG CRS (e.g. ogr2ogr -t_srs EPSG:4547)"
            ),
        ));
    };
    let datum = srs
        .get_attr_value("DATUM", 0)
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "");
    if datum.contains("xian") || datum.contains("beijing") {
        return Err(Error::format(
            path,
            format!(
                "is in EPSG:{code} ({name}), whose datum shift to CGCS2000 needs your office's \
                 Helmert parameters, which hecun applies to Shapefiles only: export the layer \
                 as a Shapefile and give towgs84 for it, or reproject it to CGCS2000"
            ),
        ));
    }
    let own = u16::try_from(code)
        .map_err(|_| Error::format(path, format!("EPSG:{code} is out of range")))
        .and_then(|c| Crs::from_epsg(c).map_err(|e| Error::format(path, e.to_string())))?;
    if let Some(stated) = options.declared_crs
        && stated != own
    {
        return Err(Error::format(
            path,
            format!(
                "is in {own} ({name}, its spatial reference), but the plan or --input-crs \
                 states {stated} for this layer: one of them is wrong; fix it, or leave the \
                 CRS out of the plan for this layer to use the layer's own"
            ),
        ));
    }
    Ok(own)
}

/// A field of the layer.
struct FieldInfo {
    /// Its name.
    name: String,
    /// Its name as a JSON string (the key written).
    key: String,
    kind: OGRFieldType::Type,
    sub: OGRFieldSubType::Type,
}

fn fields(path: &Path, layer: &gdal::vector::Layer) -> Result<Vec<FieldInfo>> {
    let defn = unsafe { gdal_sys::OGR_L_GetLayerDefn(layer.c_layer()) };
    let count = unsafe { gdal_sys::OGR_FD_GetFieldCount(defn) };
    (0..count)
        .map(|i| {
            let field = unsafe { gdal_sys::OGR_FD_GetFieldDefn(defn, i) };
            let raw = unsafe { CStr::from_ptr(gdal_sys::OGR_Fld_GetNameRef(field)) };
            let name = raw.to_str().map_err(|_| {
                Error::format(
                    path,
                    format!(
                        "the name of field {i} is not UTF-8 text as GDAL gives it ({}): the \
                         source's encoding is not the one GDAL assumes",
                        hex(raw.to_bytes())
                    ),
                )
            })?;
            Ok(FieldInfo {
                name: name.to_owned(),
                key: serde_json::to_string(name).unwrap_or_default(),
                kind: unsafe { gdal_sys::OGR_Fld_GetType(field) },
                sub: unsafe { gdal_sys::OGR_Fld_GetSubType(field) },
            })
        })
        .collect()
}

/// One GDAL feature as ours.
#[allow(clippy::too_many_arguments)]
fn read_feature(
    path: &Path,
    f: OGRFeatureH,
    index: usize,
    fields: &[FieldInfo],
    id_names: &[&str],
    crs: Crs,
    esri: Esri,
    options: &ReadOptions,
) -> Result<Feature> {
    let here = |id: Option<String>| FeatureRef {
        path: path.to_owned(),
        index,
        id,
    };
    let mut json = String::with_capacity(16 * fields.len() + 2);
    json.push('{');
    let mut first = true;
    for (i, field) in fields.iter().enumerate() {
        let i = i as c_int;
        // GDAL's GeoJSON export leaves out a field that is not set (as opposed to null).
        if unsafe { gdal_sys::OGR_F_IsFieldSet(f, i) } == 0 {
            continue;
        }
        if !first {
            json.push(',');
        }
        first = false;
        json.push_str(&field.key);
        json.push(':');
        if unsafe { gdal_sys::OGR_F_IsFieldNull(f, i) } != 0 {
            json.push_str("null");
            continue;
        }
        write_value(f, i, field, &mut json)
            .map_err(|why| Error::feature(here(None), Some(&field.name), why))?;
    }
    json.push('}');
    let properties =
        Properties::from_written(json).map_err(|why| Error::feature(here(None), None, why))?;
    let id = properties.id_from(id_names);
    let g = unsafe { gdal_sys::OGR_F_GetGeometryRef(f) };
    let empty = g.is_null() || unsafe { gdal_sys::OGR_G_IsEmpty(g) } != 0;
    let geometry = if empty {
        if !options.attributes_only {
            return Err(Error::feature(
                here(id),
                Some("geometry"),
                "the feature has no geometry (it is null or empty)",
            ));
        }
        Geometry::GeometryCollection(GeometryCollection::default())
    } else {
        let mut geometry =
            geometry(g).map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?;
        if esri.reorient {
            rfc7946_rings(&mut geometry);
        }
        if esri.one_part_as_single {
            geometry = match geometry {
                Geometry::MultiPolygon(mut m) if m.0.len() == 1 => Geometry::Polygon(m.0.remove(0)),
                Geometry::MultiLineString(mut m) if m.0.len() == 1 => {
                    Geometry::LineString(m.0.remove(0))
                }
                other => other,
            };
        }
        crate::io::structure::check_structure(&geometry, crs)
            .map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?;
        geometry
    };
    Ok(Feature {
        index,
        id,
        geometry,
        properties,
    })
}

/// How the shapes of an Esri format (Shapefile, File Geodatabase) are made the shapes the
/// Shapefile reader reads.
#[derive(Clone, Copy)]
struct Esri {
    /// A one-part MultiPolygon or MultiLineString is its part.
    one_part_as_single: bool,
    /// Rings are turned as RFC 7946 orients them (outer counter-clockwise, holes clockwise).
    reorient: bool,
}

/// Turns each ring of the polygons in `g` as RFC 7946 orients them (outer counter-clockwise,
/// holes clockwise), from the same first point; a ring of no area is left as it is.
fn rfc7946_rings(g: &mut Geometry<f64>) {
    // Computed as the Shapefile reader computes it (from the first point), so the two
    // decide alike on a ring of almost no area.
    fn twice_area(ring: &LineString<f64>) -> f64 {
        let ring = &ring.0;
        let n = ring.len();
        if n < 3 {
            return 0.0;
        }
        let o = ring[0];
        (1..n - 1)
            .map(|i| {
                let (a, b) = (ring[i] - o, ring[i + 1] - o);
                a.x * b.y - a.y * b.x
            })
            .sum()
    }
    fn turn(p: &mut Polygon<f64>) {
        p.exterior_mut(|r| {
            if twice_area(r) < 0.0 {
                r.0.reverse();
            }
        });
        p.interiors_mut(|holes| {
            for r in holes {
                if twice_area(r) > 0.0 {
                    r.0.reverse();
                }
            }
        });
    }
    match g {
        Geometry::Polygon(p) => turn(p),
        Geometry::MultiPolygon(m) => m.0.iter_mut().for_each(turn),
        Geometry::GeometryCollection(c) => c.0.iter_mut().for_each(rfc7946_rings),
        _ => {}
    }
}

/// Text GDAL gives, which must be UTF-8 (GDAL recodes what it knows the encoding of).
fn text(ptr: *const c_char) -> std::result::Result<String, String> {
    if ptr.is_null() {
        return Ok(String::new());
    }
    let raw = unsafe { CStr::from_ptr(ptr) };
    raw.to_str().map(str::to_owned).map_err(|_| {
        format!(
            "the bytes {} are not UTF-8 text as GDAL gives them: the source's encoding is \
             not the one GDAL assumes",
            hex(raw.to_bytes())
        )
    })
}

/// A double as GDAL's GeoJSON export has it: its value (written shortest, as the Shapefile
/// reader writes numbers); a 32-bit float as the 8 significant digits GDAL writes of it.
fn push_real(x: f64, float32: bool, out: &mut String) -> std::result::Result<(), String> {
    if !x.is_finite() {
        return Err(format!("{x} is not a finite number"));
    }
    let x = if float32 {
        format!("{x:.7e}").parse::<f64>().unwrap_or(x)
    } else {
        x
    };
    out.push_str(&serde_json::to_string(&x).map_err(|e| e.to_string())?);
    Ok(())
}

/// Appends field `i`'s value (set and not null) to `out` as GDAL's GeoJSON export writes it.
fn write_value(
    f: OGRFeatureH,
    i: c_int,
    field: &FieldInfo,
    out: &mut String,
) -> std::result::Result<(), String> {
    let json_text = |s: &str| serde_json::to_string(s).map_err(|e| e.to_string());
    match field.kind {
        OGRFieldType::OFTInteger => {
            let n = unsafe { gdal_sys::OGR_F_GetFieldAsInteger(f, i) };
            if field.sub == OGRFieldSubType::OFSTBoolean {
                out.push_str(if n != 0 { "true" } else { "false" });
            } else {
                let _ = write!(out, "{n}");
            }
        }
        OGRFieldType::OFTInteger64 => {
            let n = unsafe { gdal_sys::OGR_F_GetFieldAsInteger64(f, i) };
            let _ = write!(out, "{n}");
        }
        OGRFieldType::OFTReal => {
            let x = unsafe { gdal_sys::OGR_F_GetFieldAsDouble(f, i) };
            push_real(x, field.sub == OGRFieldSubType::OFSTFloat32, out)?;
        }
        OGRFieldType::OFTString => {
            let s = text(unsafe { gdal_sys::OGR_F_GetFieldAsString(f, i) })?;
            // A JSON field (a GeoJSON property holding an object or array) is written as
            // the JSON it holds, as GDAL's export writes it.
            match (field.sub == OGRFieldSubType::OFSTJSON)
                .then(|| serde_json::from_str::<&RawValue>(&s).ok())
                .flatten()
            {
                Some(raw) => out.push_str(raw.get()),
                None => out.push_str(&json_text(&s)?),
            }
        }
        OGRFieldType::OFTDate | OGRFieldType::OFTTime | OGRFieldType::OFTDateTime => {
            let (mut y, mut mo, mut d, mut h, mut mi, mut tz) = (0, 0, 0, 0, 0, 0);
            let mut s: f32 = 0.0;
            let ok = unsafe {
                gdal_sys::OGR_F_GetFieldAsDateTimeEx(
                    f, i, &mut y, &mut mo, &mut d, &mut h, &mut mi, &mut s, &mut tz,
                )
            };
            if ok == 0 {
                return Err("GDAL cannot read the date".to_owned());
            }
            let text = date_time(field.kind, (y, mo, d, h, mi, s, tz));
            out.push_str(&json_text(&text)?);
        }
        OGRFieldType::OFTIntegerList => {
            let mut n: c_int = 0;
            let p = unsafe { gdal_sys::OGR_F_GetFieldAsIntegerList(f, i, &mut n) };
            let items = slice(p, n);
            push_list(out, items.iter().map(|v| Ok(v.to_string())))?;
        }
        OGRFieldType::OFTInteger64List => {
            let mut n: c_int = 0;
            let p = unsafe { gdal_sys::OGR_F_GetFieldAsInteger64List(f, i, &mut n) };
            let items = slice(p, n);
            push_list(out, items.iter().map(|v| Ok(v.to_string())))?;
        }
        OGRFieldType::OFTRealList => {
            let mut n: c_int = 0;
            let p = unsafe { gdal_sys::OGR_F_GetFieldAsDoubleList(f, i, &mut n) };
            let items = slice(p, n);
            let float32 = field.sub == OGRFieldSubType::OFSTFloat32;
            push_list(
                out,
                items.iter().map(|&x| {
                    let mut s = String::new();
                    push_real(x, float32, &mut s).map(|()| s)
                }),
            )?;
        }
        OGRFieldType::OFTStringList => {
            let p = unsafe { gdal_sys::OGR_F_GetFieldAsStringList(f, i) };
            let mut items = Vec::new();
            if !p.is_null() {
                let mut k = 0;
                loop {
                    let s = unsafe { *p.add(k) };
                    if s.is_null() {
                        break;
                    }
                    items.push(text(s)?);
                    k += 1;
                }
            }
            push_list(out, items.iter().map(|s| json_text(s)))?;
        }
        OGRFieldType::OFTBinary => {
            // GDAL's export writes bytes as upper-case hex text.
            let mut n: c_int = 0;
            let p = unsafe { gdal_sys::OGR_F_GetFieldAsBinary(f, i, &mut n) };
            let bytes = slice(p, n);
            let mut hex = String::with_capacity(2 * bytes.len() + 2);
            hex.push('"');
            for b in bytes {
                let _ = write!(hex, "{b:02X}");
            }
            hex.push('"');
            out.push_str(&hex);
        }
        other => {
            return Err(format!(
                "fields of GDAL type {other} are not read (hecun reads numbers, text, dates, \
                 lists and bytes)"
            ));
        }
    }
    Ok(())
}

/// Bytes as hex, for a message about bytes that are not text.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, b) in bytes.iter().take(16).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02X}");
    }
    if bytes.len() > 16 {
        out.push_str(" …");
    }
    out
}

/// The `n` items at `p` (none for a null pointer).
fn slice<'a, T>(p: *const T, n: c_int) -> &'a [T] {
    if p.is_null() || n <= 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(p, n as usize) }
    }
}

fn push_list(
    out: &mut String,
    items: impl Iterator<Item = std::result::Result<String, String>>,
) -> std::result::Result<(), String> {
    out.push('[');
    for (k, item) in items.enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&item?);
    }
    out.push(']');
    Ok(())
}

/// A date, time or date-time as GDAL's GeoJSON export writes it (ISO 8601: `2021-05-06`,
/// `13:04:05.250`, `2021-05-06T13:04:05+08:00`; milliseconds only when there are some; `Z`
/// for UTC, no zone for local or unknown time).
fn date_time(
    kind: OGRFieldType::Type,
    (y, mo, d, h, mi, s, tz): (c_int, c_int, c_int, c_int, c_int, f32, c_int),
) -> String {
    let date = format!("{y:04}-{mo:02}-{d:02}");
    let whole = s.trunc();
    let millis = ((s - whole) * 1000.0).round() as i32;
    let time = if millis != 0 {
        format!("{h:02}:{mi:02}:{s:06.3}")
    } else {
        format!("{h:02}:{mi:02}:{:02}", whole as i32)
    };
    match kind {
        OGRFieldType::OFTDate => date,
        OGRFieldType::OFTTime => time,
        _ => {
            let zone = match tz {
                0 | 1 => String::new(),
                100 => "Z".to_owned(),
                tz => {
                    let minutes = (tz - 100).abs() * 15;
                    let sign = if tz > 100 { '+' } else { '-' };
                    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
                }
            };
            format!("{date}T{time}{zone}")
        }
    }
}

/// GDAL's geometry as `geo`'s: x and y (a z or measure is dropped, as the other readers
/// drop it), curves approximated by GDAL's default linearisation, rings checked closed.
fn geometry(g: OGRGeometryH) -> std::result::Result<Geometry<f64>, String> {
    let kind = unsafe { gdal_sys::OGR_GT_Flatten(gdal_sys::OGR_G_GetGeometryType(g)) };
    if unsafe { gdal_sys::OGR_GT_IsNonLinear(kind) } != 0 {
        let linear = unsafe { gdal_sys::OGR_G_GetLinearGeometry(g, 0.0, std::ptr::null_mut()) };
        if linear.is_null() {
            return Err("GDAL cannot turn the curved geometry into straight segments".to_owned());
        }
        let result = geometry(linear);
        unsafe { gdal_sys::OGR_G_DestroyGeometry(linear) };
        return result;
    }
    let part = |k: usize| unsafe { gdal_sys::OGR_G_GetGeometryRef(g, k as c_int) };
    let parts = unsafe { gdal_sys::OGR_G_GetGeometryCount(g) }.max(0) as usize;
    Ok(match kind {
        OGRwkbGeometryType::wkbPoint => Geometry::Point(Point(
            coords(g)
                .first()
                .copied()
                .ok_or("the point has no coordinates")?,
        )),
        OGRwkbGeometryType::wkbLineString | OGRwkbGeometryType::wkbLinearRing => {
            Geometry::LineString(LineString(coords(g)))
        }
        OGRwkbGeometryType::wkbPolygon => Geometry::Polygon(polygon(g)?),
        OGRwkbGeometryType::wkbMultiPoint => Geometry::MultiPoint(MultiPoint(
            (0..parts)
                .map(|k| {
                    coords(part(k))
                        .first()
                        .copied()
                        .map(Point)
                        .ok_or_else(|| format!("point {k} has no coordinates"))
                })
                .collect::<std::result::Result<_, _>>()?,
        )),
        OGRwkbGeometryType::wkbMultiLineString => Geometry::MultiLineString(MultiLineString(
            (0..parts).map(|k| LineString(coords(part(k)))).collect(),
        )),
        OGRwkbGeometryType::wkbMultiPolygon => Geometry::MultiPolygon(MultiPolygon(
            (0..parts)
                .map(|k| polygon(part(k)).map_err(|why| format!("polygon {k}: {why}")))
                .collect::<std::result::Result<_, _>>()?,
        )),
        OGRwkbGeometryType::wkbGeometryCollection => {
            Geometry::GeometryCollection(GeometryCollection(
                (0..parts)
                    .map(|k| geometry(part(k)))
                    .collect::<std::result::Result<_, _>>()?,
            ))
        }
        other => {
            let name = unsafe { CStr::from_ptr(gdal_sys::OGRGeometryTypeToName(other)) };
            return Err(format!(
                "geometries of type {} are not read (hecun reads points, lines and polygons)",
                name.to_string_lossy()
            ));
        }
    })
}

/// A polygon from GDAL's rings, checked before `geo` would silently close an open ring.
fn polygon(g: OGRGeometryH) -> std::result::Result<Polygon<f64>, String> {
    let n = unsafe { gdal_sys::OGR_G_GetGeometryCount(g) }.max(0) as usize;
    let mut rings = (0..n).map(|k| {
        LineString(coords(unsafe {
            gdal_sys::OGR_G_GetGeometryRef(g, k as c_int)
        }))
    });
    let exterior = rings.next().ok_or("the polygon has no rings")?;
    let interiors: Vec<LineString<f64>> = rings.collect();
    for (i, ring) in std::iter::once(&exterior).chain(&interiors).enumerate() {
        check_ring(ring, i)?;
    }
    Ok(Polygon::new(exterior, interiors))
}

/// The x and y of a simple geometry's points.
fn coords(g: OGRGeometryH) -> Vec<Coord<f64>> {
    if g.is_null() {
        return Vec::new();
    }
    let n = unsafe { gdal_sys::OGR_G_GetPointCount(g) }.max(0);
    (0..n)
        .map(|k| Coord {
            x: unsafe { gdal_sys::OGR_G_GetX(g, k) },
            y: unsafe { gdal_sys::OGR_G_GetY(g, k) },
        })
        .collect()
}

/// Whether the GDAL this hecun is linked with has a vector driver claiming files with
/// extension `ext` (`kml`, `gml`, `tab`…): those are read through GDAL when no native
/// reader claims the extension.
pub(crate) fn claims_extension(ext: &str) -> bool {
    use std::sync::OnceLock;
    static EXTENSIONS: OnceLock<Vec<String>> = OnceLock::new();
    let known = EXTENSIONS.get_or_init(|| {
        use gdal::Metadata;
        // `count` registers GDAL's drivers once, behind the crate's own `Once`: registering
        // them again here, while another thread opens a dataset, crashed GDAL.
        let mut all = Vec::new();
        for k in 0..gdal::DriverManager::count() {
            let Ok(driver) = gdal::DriverManager::get_driver(k) else {
                continue;
            };
            if driver.metadata_item("DCAP_VECTOR", "").as_deref() != Some("YES") {
                continue;
            }
            if let Some(exts) = driver.metadata_item("DMD_EXTENSIONS", "") {
                all.extend(exts.split_whitespace().map(str::to_ascii_lowercase));
            }
        }
        all.sort();
        all.dedup();
        all
    });
    let ext = ext.to_ascii_lowercase();
    known.binary_search(&ext).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts GDAL 3.6's GeoJSON writer wrote for these values (a Memory layer of date,
    /// time and date-time fields exported with the GeoJSON driver).
    #[test]
    fn dates_and_times_as_gdals_geojson_export_writes_them() {
        let cases = [
            (
                (2021, 5, 6, 13, 4, 5.0, 0),
                "2021-05-06T13:04:05",
                "13:04:05",
            ),
            (
                (2021, 5, 6, 13, 4, 5.25, 1),
                "2021-05-06T13:04:05.250",
                "13:04:05.250",
            ),
            (
                (2021, 5, 6, 13, 4, 0.0, 100),
                "2021-05-06T13:04:00Z",
                "13:04:00",
            ),
            (
                (2021, 5, 6, 13, 4, 59.999, 132),
                "2021-05-06T13:04:59.999+08:00",
                "13:04:59.999",
            ),
            (
                (2021, 5, 6, 13, 4, 7.5, 84),
                "2021-05-06T13:04:07.500-04:00",
                "13:04:07.500",
            ),
        ];
        for (value, date_time_text, time_text) in cases {
            assert_eq!(date_time(OGRFieldType::OFTDateTime, value), date_time_text);
            assert_eq!(date_time(OGRFieldType::OFTTime, value), time_text);
            assert_eq!(date_time(OGRFieldType::OFTDate, value), "2021-05-06");
        }
    }

    /// GDAL writes a 32-bit real with 8 significant digits (0.3f32 as 0.30000001); a double
    /// is its value; infinities are refused rather than written as invalid JSON.
    #[test]
    fn reals_as_gdals_geojson_export_writes_them() {
        let text = |x: f64, float32: bool| {
            let mut out = String::new();
            push_real(x, float32, &mut out).map(|()| out)
        };
        assert_eq!(text(f64::from(0.3f32), true).unwrap(), "0.30000001");
        assert_eq!(text(1.0 / 3.0, false).unwrap(), "0.3333333333333333");
        assert_eq!(text(3.0, false).unwrap(), "3.0");
        assert!(text(f64::INFINITY, false).unwrap_err().contains("finite"));
    }
}
