//! Reading GeoJSON FeatureCollections into [`Layer`]s.
//!
//! The file is split into features in one pass, then features are parsed on all cores.
//! Coordinates go straight into `geo` types (no intermediate JSON tree), and each feature's
//! properties are kept as text (see [`Properties`]).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use geo::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo::{MultiPolygon, Point, Polygon};
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, FeatureRef, Result};
use crate::geometry::validate;
use crate::model::crs::Crs;
use crate::model::layer::id_text;
use crate::model::layer::{Feature, Layer, Properties};

/// How to read a layer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The CRS of a file that does not name one (RFC 7946 GeoJSON is always EPSG:4326).
    pub default_crs: Crs,
    /// Fields that hold a feature's id, tried in order; the GeoJSON `id` member comes last.
    pub id_fields: Vec<String>,
    /// Skip unusable features with a warning instead of failing.
    pub keep_going: bool,
    /// A table keyed by id in a GeoJSON file (a plan's `[layers.communities]`): a feature
    /// without geometry (null or absent) is read with an empty one instead of failing; a
    /// geometry given is read and checked as usual.
    pub attributes_only: bool,
    /// The format; `None`: by the file's extension (see [`Format::of_path`]).
    pub format: Option<Format>,
    /// The text encoding of a Shapefile's `.dbf` (`GBK`, `UTF-8`, `936`…), in place of its
    /// `.cpg` and of detection; GeoJSON is always UTF-8.
    pub encoding: Option<String>,
    /// The seven Helmert parameters (`+towgs84`: dx, dy, dz in metres, rx, ry, rz in arc
    /// seconds, scale in ppm) from a Shapefile's Xi'an 1980 or Beijing 1954 datum to
    /// CGCS2000: the office's own, as no published set fits everywhere.
    pub towgs84: Option<[f64; 7]>,
    /// The CRS the plan or a flag states for this layer: a Shapefile whose `.prj` names
    /// another is an error, never silently one or the other.
    pub declared_crs: Option<Crs>,
    /// The layer to read from a source that holds several (a GeoPackage's table, a File
    /// Geodatabase's feature class), by name; `None`: its only one (several are an error
    /// listing them).
    pub layer: Option<String>,
}

impl ReadOptions {
    /// The options with `crs` for files that do not name one.
    pub fn with_default_crs(mut self, crs: Crs) -> ReadOptions {
        self.default_crs = crs;
        self
    }

    /// The options with `fields` holding the feature's id, tried in order.
    pub fn with_id_fields<S: Into<String>>(
        mut self,
        fields: impl IntoIterator<Item = S>,
    ) -> ReadOptions {
        self.id_fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// The options reading the file as `format`, whatever its extension.
    pub fn with_format(mut self, format: Format) -> ReadOptions {
        self.format = Some(format);
        self
    }

    /// The options decoding a Shapefile's attributes as `encoding` (a `.cpg` name: `GBK`,
    /// `936`, `UTF-8`…), in place of its `.cpg`.
    pub fn with_encoding(mut self, encoding: impl Into<String>) -> ReadOptions {
        self.encoding = Some(encoding.into());
        self
    }

    /// The options with the Helmert parameters of a Xi'an 1980 or Beijing 1954 Shapefile.
    pub fn with_towgs84(mut self, towgs84: [f64; 7]) -> ReadOptions {
        self.towgs84 = Some(towgs84);
        self
    }

    /// The options stating the layer's CRS: a `.prj` naming another is an error.
    pub fn with_declared_crs(mut self, crs: Crs) -> ReadOptions {
        self.declared_crs = Some(crs);
        self
    }

    /// The options reading layer `name` of a GeoPackage or a File Geodatabase.
    pub fn with_layer(mut self, name: impl Into<String>) -> ReadOptions {
        self.layer = Some(name.into());
        self
    }

    /// The options skipping unusable features with a warning (`true`) or failing on them.
    pub fn with_keep_going(mut self, keep_going: bool) -> ReadOptions {
        self.keep_going = keep_going;
        self
    }
    /// The options reading a table keyed by id: see [`ReadOptions::attributes_only`].
    pub fn with_attributes_only(mut self, attributes_only: bool) -> ReadOptions {
        self.attributes_only = attributes_only;
        self
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            default_crs: Crs::WGS84,
            id_fields: vec!["id".to_owned()],
            keep_going: false,
            attributes_only: false,
            format: None,
            encoding: None,
            towgs84: None,
            declared_crs: None,
            layer: None,
        }
    }
}

/// A layer and the problems that were skipped while reading it (`keep_going`).
#[derive(Debug)]
pub struct ReadOutcome {
    /// The layer.
    pub layer: Layer,
    /// One error per skipped feature, in file order.
    pub skipped: Vec<Error>,
    /// Things the planner should know that do not stop the read (a key written twice in a
    /// feature's properties), each naming the file and feature, in file order.
    pub warnings: Vec<crate::Warning>,
}

/// The largest layer file hecun reads: far above a national villages layer (~1.5 GB), and a
/// bound on memory for a file that is not what it claims to be.
pub const MAX_LAYER_BYTES: u64 = 16 << 30;

/// Checks that `path` is a regular file (after following symlinks) of at most `max` bytes,
/// and returns its size: a folder, a device such as `/dev/zero`, a pipe or a socket would
/// hang a read or exhaust memory, and is refused naming the file.
pub fn check_input_file(path: &Path, max: u64) -> Result<u64> {
    let refuse = |why: String| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(refuse("is a folder, not a GeoJSON file".to_owned()));
    }
    if !meta.is_file() {
        return Err(refuse(
            "is not a regular file (a device, pipe or socket): name a GeoJSON file".to_owned(),
        ));
    }
    if meta.len() > max {
        return Err(refuse(format!(
            "is {} bytes, more than the {max} bytes hecun reads from one layer file",
            meta.len()
        )));
    }
    Ok(meta.len())
}

/// Reads a whole input file, refusing what [`check_input_file`] refuses; the read itself is
/// bounded too, in case the file grows (or is swapped) after the check.
pub fn read_input(path: &Path, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let len = check_input_file(path, max)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("grew beyond the {max} bytes hecun reads from one layer file"),
            ),
        ));
    }
    Ok(bytes)
}

/// A layer file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A GeoJSON FeatureCollection (UTF-8).
    GeoJson,
    /// An Esri Shapefile: the `.shp` with its `.shx` and `.dbf`, and `.prj`/`.cpg` if any.
    Shapefile,
    /// An OGC GeoPackage (`.gpkg`): one of its feature tables.
    GeoPackage,
    /// FlatGeobuf (`.fgb`).
    FlatGeobuf,
    /// GeoParquet 1.0/1.1 (`.parquet`), WKB or native (GeoArrow) geometry; read with the
    /// `parquet` cargo feature (on by default).
    GeoParquet,
    /// Anything the system's GDAL reads, a File Geodatabase (`.gdb` folder) above all: only
    /// in a hecun built with the cargo feature `gdal`; without it, an error saying so.
    Gdal,
}

impl Format {
    /// The format a file's extension names: `.shp` is a Shapefile, `.gpkg` a GeoPackage,
    /// `.fgb` FlatGeobuf, `.parquet` GeoParquet, `.gdb` a File Geodatabase (read through
    /// GDAL); with the feature `gdal`, an extension a GDAL vector driver claims (`.kml`,
    /// `.gml`, `.tab`…) is read through GDAL; anything else is read as GeoJSON, as every file
    /// was before hecun read other formats.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("shp") => Format::Shapefile,
            Some(e) if e.eq_ignore_ascii_case("gpkg") => Format::GeoPackage,
            Some(e) if e.eq_ignore_ascii_case("fgb") => Format::FlatGeobuf,
            Some(e)
                if e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("geoparquet") =>
            {
                Format::GeoParquet
            }
            Some(e) if e.eq_ignore_ascii_case("gdb") => Format::Gdal,
            Some(e) if e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json") => {
                Format::GeoJson
            }
            #[cfg(feature = "gdal")]
            Some(e) if crate::io::gdal::claims_extension(e) => Format::Gdal,
            _ => Format::GeoJson,
        }
    }

    /// Its name in a plan (`format = "shapefile"`).
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Shapefile => "shapefile",
            Format::GeoPackage => "geopackage",
            Format::FlatGeobuf => "flatgeobuf",
            Format::GeoParquet => "geoparquet",
            Format::Gdal => "gdal",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "geojson" | "json" => Ok(Format::GeoJson),
            "shapefile" | "shp" | "esri shapefile" => Ok(Format::Shapefile),
            "flatgeobuf" | "fgb" => Ok(Format::FlatGeobuf),
            "geoparquet" | "parquet" => Ok(Format::GeoParquet),
            "geopackage" | "gpkg" => Ok(Format::GeoPackage),
            "gdal" => Ok(Format::Gdal),
            other => Err(Error::param(
                "format",
                format!(
                    "unknown layer format {other:?} (expected \"geojson\", \"shapefile\", \
                     \"geopackage\", \"flatgeobuf\", \"geoparquet\" or \"gdal\")"
                ),
            )),
        }
    }
}

/// Reads a layer file in its format: the one `options` names, else the one its extension
/// names ([`Format::of_path`]). Every layer of a plan and every layer flag is read here.
///
/// # Examples
///
/// ```
/// use hecun::{read_layer, ReadOptions};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("roads.json");
/// std::fs::write(&path, r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"等级":"环线"},
///    "geometry":{"type":"LineString","coordinates":[[113.6,34.7],[113.7,34.8]]}}]}"#)?;
/// let read = read_layer(&path, &ReadOptions::default())?;
/// assert_eq!(read.layer.features.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_layer(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    // A Shapefile's other files named in place of its .shp would be read as (broken) JSON.
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let part = ["shx", "dbf", "prj", "cpg"]
        .into_iter()
        .find(|p| ext.eq_ignore_ascii_case(p));
    if let (None, Some(part)) = (options.format, part) {
        return Err(Error::format(
            path,
            format!(
                "is the .{part} of a Shapefile: name its .shp ({})",
                path.with_extension("shp").display()
            ),
        ));
    }
    let format = options.format.unwrap_or_else(|| Format::of_path(path));
    if let (
        Some(name),
        Format::GeoJson | Format::Shapefile | Format::FlatGeobuf | Format::GeoParquet,
    ) = (&options.layer, format)
    {
        return Err(Error::format(
            path,
            format!(
                "layer = {name:?} names a layer of a source that holds several (a GeoPackage's \
                 table, a File Geodatabase's feature class), but this file is read as {format}, \
                 which has one layer: remove it"
            ),
        ));
    }
    match format {
        Format::GeoJson => read_geojson(path, options),
        Format::Shapefile => crate::io::shapefile::read_shapefile(path, options),
        Format::GeoPackage => crate::io::gpkg::read_geopackage(path, options),
        Format::FlatGeobuf => crate::io::fgb::read_flatgeobuf(path, options),
        Format::GeoParquet => read_geoparquet(path, options),
        Format::Gdal => read_through_gdal(path, options),
    }
}

/// Reads a GeoParquet file (feature `parquet`).
#[cfg(feature = "parquet")]
fn read_geoparquet(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    crate::io::geoparquet::read_geoparquet(path, options)
}

/// Without the `parquet` feature a GeoParquet layer is refused saying how to read it.
#[cfg(not(feature = "parquet"))]
fn read_geoparquet(path: &Path, _options: &ReadOptions) -> Result<ReadOutcome> {
    Err(Error::format(
        path,
        "is GeoParquet, which this hecun was built without (cargo feature `parquet`, on by \
         default): rebuild with it, or convert the layer (ogr2ogr -f FlatGeobuf out.fgb …)",
    ))
}

#[cfg(feature = "gdal")]
fn read_through_gdal(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    crate::io::gdal::read_gdal(path, options)
}

/// Without GDAL linked in, a File Geodatabase (or `format = "gdal"`) is refused saying how
/// to build a hecun that reads it.
#[cfg(not(feature = "gdal"))]
fn read_through_gdal(path: &Path, _options: &ReadOptions) -> Result<ReadOutcome> {
    Err(Error::format(
        path,
        "is read through GDAL (a File Geodatabase, or format = \"gdal\"), and this hecun was \
         built without it: build with --features gdal (cargo build --release -p hecun-cli \
         --features gdal; needs libgdal-dev), or export the layer as a Shapefile or GeoJSON",
    ))
}

/// Parses a layer already in memory: GeoJSON text or FlatGeobuf bytes (a Shapefile is
/// several files and GeoParquet is read by row groups, both from disk with [`read_layer`]);
/// `path` is used in messages and, without an explicit format, for the format.
pub fn parse_layer(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<ReadOutcome> {
    match options.format.unwrap_or_else(|| Format::of_path(path)) {
        Format::GeoJson => parse_geojson(path, bytes, options),
        Format::Shapefile => Err(Error::format(
            path,
            "a Shapefile is read from its files (.shp, .shx, .dbf), not from bytes in memory: \
             write them to a folder and name the .shp",
        )),
        Format::GeoPackage => Err(Error::format(
            path,
            "a GeoPackage is read from its file (SQLite reads it in place), not from bytes in \
             memory: write it to a file and name the .gpkg",
        )),
        Format::FlatGeobuf => crate::io::fgb::parse_flatgeobuf(path, bytes, options),
        Format::GeoParquet => Err(Error::format(
            path,
            "a GeoParquet file is read from disk, by row groups, not from bytes in memory: \
             write it to a file and name it",
        )),
        Format::Gdal => Err(Error::format(
            path,
            "a source read through GDAL (a File Geodatabase…) is read from disk, not from \
             bytes in memory: write it to a folder and name it",
        )),
    }
}

/// Reads a GeoJSON FeatureCollection file.
///
/// # Examples
///
/// ```
/// use hecun::{read_geojson, ReadOptions};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("roads.geojson");
/// std::fs::write(&path, r#"{"type":"FeatureCollection","features":[
///   {"type":"Feature","properties":{"等级":"环线"},
///    "geometry":{"type":"LineString","coordinates":[[113.6,34.7],[113.7,34.8]]}}]}"#)?;
/// let read = read_geojson(&path, &ReadOptions::default())?;
/// assert_eq!(read.layer.features.len(), 1);
/// assert_eq!(read.layer.features[0].properties.get("等级").unwrap(), "环线");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_geojson(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    let bytes = read_input(path, MAX_LAYER_BYTES)?;
    parse_geojson(path, &bytes, options)
}

/// Parses GeoJSON text already in memory; `path` is used in messages only.
pub fn parse_geojson(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<ReadOutcome> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(json_error(
            path,
            1,
            1,
            "the file is empty: expected a GeoJSON FeatureCollection".to_owned(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        json_error(
            path,
            line,
            column,
            format!(
                "the file is not UTF-8 text (byte 0x{:02X} at offset {}): save it as UTF-8 \
                 (GeoJSON is UTF-8; GBK exports are not read)",
                bytes[e.valid_up_to()],
                e.valid_up_to()
            ),
        )
    })?;

    // One thread splits the file into features while the others parse the features already
    // split: the split is sequential, and at national scale takes a quarter of the load.
    let batches: Batches = Mutex::new(Vec::new());
    let lines = LineStarts::new(text);
    let top = rayon::scope(|scope| {
        // The feature being split when the JSON breaks, for the message.
        let current = std::cell::Cell::new(None);
        let mut de = serde_json::Deserializer::from_str(text);
        let seed = TopSeed {
            scope,
            batches: &batches,
            path,
            text,
            lines: &lines,
            options,
            current: &current,
        };
        let top = seed
            .deserialize(&mut de)
            .and_then(|top| de.end().map(|()| top));
        top.map_err(|e| (e, current.get()))
    })
    .map_err(|(e, feature)| {
        let (end_line, end_column) = line_column(bytes, text.trim_end().len());
        // A number or literal cut off at the end is a syntax error there, not an EOF one.
        let at_end = (e.line(), e.column()) >= (end_line, end_column - 1);
        let truncated = e.is_eof()
            || (e.is_syntax() && at_end && !e.to_string().starts_with("trailing characters"));
        let mut message = match feature {
            Some(k) => format!("feature #{k}: {e}"),
            None => e.to_string(),
        };
        if truncated {
            message.push_str(": the file ends before the JSON does (is it truncated?)");
        }
        json_error(path, e.line(), e.column(), message)
    })?;
    let kind = top.kind.as_deref().unwrap_or("");
    if kind != "FeatureCollection" || !top.has_features {
        let found = match (top.kind.as_deref(), top.has_features) {
            (Some("FeatureCollection"), false) => {
                "a FeatureCollection without \"features\"".to_owned()
            }
            (Some(k), _) => format!("type {k:?}"),
            (None, _) => "an object without \"type\"".to_owned(),
        };
        return Err(json_error(
            path,
            1,
            1,
            format!("expected a GeoJSON FeatureCollection, found {found}"),
        ));
    }
    let (crs, declared) = match top.crs.as_ref() {
        None | Some(serde_json::Value::Null) => (options.default_crs, false),
        Some(crs) => (
            named_crs(crs).map_err(|message| json_error(path, 1, 1, message))?,
            true,
        ),
    };
    let mut batches = batches.into_inner().unwrap_or_else(|e| e.into_inner());
    batches.sort_unstable_by_key(|(k, _)| *k);
    let mut parsed: Vec<Result<Parsed>> = batches.into_iter().flat_map(|(_, b)| b).collect();
    // The CRS may come after the features in the file: coordinate ranges are checked now.
    parsed.par_iter_mut().for_each(|f| {
        if let Ok(Parsed { feature, .. }) = f
            && let Err(problem) = crate::io::structure::check_structure(&feature.geometry, crs)
        {
            let whence = if declared {
                format!(
                    " (the CRS is the file's \"crs\" member, {crs}; without the member the file \
                     would be read as {})",
                    options.default_crs
                )
            } else {
                String::new()
            };
            let at = feature_ref(path, feature.index, feature.id.clone());
            *f = Err(Error::feature(
                at,
                Some("geometry"),
                format!("{problem}{whence}"),
            ));
        }
    });
    let mut warnings = Vec::new();
    let features = parsed.into_iter().map(|feature| {
        feature.map(|f| {
            warnings.extend(f.warnings);
            f.feature
        })
    });
    let (layer, skipped) = collect_layer(path, crs, features, options)?;
    Ok(ReadOutcome {
        layer,
        skipped,
        warnings,
    })
}

/// The layer of a reader's parsed features, in file order: a feature that failed is skipped
/// (`keep_going`, returned with the others skipped) or stops the read; a layer left without
/// features is an error, and so are ids given twice.
pub(crate) fn collect_layer(
    path: &Path,
    crs: Crs,
    parsed: impl Iterator<Item = Result<Feature>>,
    options: &ReadOptions,
) -> Result<(Layer, Vec<Error>)> {
    let mut layer = Layer {
        path: path.to_owned(),
        crs,
        features: Vec::with_capacity(parsed.size_hint().0),
    };
    let mut skipped = Vec::new();
    for feature in parsed {
        match feature {
            Ok(f) => layer.features.push(f),
            Err(e) if options.keep_going => skipped.push(e),
            Err(e) => return Err(e),
        }
    }
    if layer.features.is_empty() {
        return Err(Error::EmptyLayer {
            path: path.to_owned(),
        });
    }
    check_unique_ids(&layer, options)?;
    Ok((layer, skipped))
}

/// Every output is keyed by feature id: two features with one id would be merged or confused
/// downstream, so the second is an error naming both (whatever `keep_going` says: it is not
/// one bad feature but a contradiction between two).
pub(crate) fn check_unique_ids(layer: &Layer, options: &ReadOptions) -> Result<()> {
    let mut seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(layer.features.len());
    for (k, f) in layer.features.iter().enumerate() {
        let Some(id) = f.id.as_deref() else { continue };
        if let Some(&first) = seen.get(id) {
            let first = &layer.features[first];
            let names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();
            let field = names
                .iter()
                .zip(f.properties.get_many_raw(&names))
                .find_map(|(n, v)| v.and_then(id_text).map(|_| (*n).to_owned()))
                .unwrap_or_else(|| "id".to_owned());
            return Err(Error::feature(
                layer.feature_ref(f),
                Some(&field),
                format!(
                    "id {id:?} is also the id of feature #{} of the same file: ids must be \
                     unique (every output is keyed by id)",
                    first.index
                ),
            ));
        }
        seen.insert(id, k);
    }
    Ok(())
}

/// What the top level of a FeatureCollection says besides its features.
struct Top<'a> {
    kind: Option<Cow<'a, str>>,
    has_features: bool,
    crs: Option<serde_json::Value>,
}

/// Reads the top-level object, handing each batch of features to a parsing task.
struct TopSeed<'s, 'scope, 'a> {
    scope: &'s rayon::Scope<'scope>,
    batches: &'scope Batches,
    path: &'scope Path,
    text: &'a str,
    lines: &'scope LineStarts<'a>,
    options: &'scope ReadOptions,
    current: &'s std::cell::Cell<Option<usize>>,
}

/// Parsed batches of features, tagged with their order in the file.
type Batches = Mutex<Vec<(usize, Vec<Result<Parsed>>)>>;

/// A feature as read, with the warnings about it.
struct Parsed {
    feature: Feature,
    warnings: Vec<crate::Warning>,
}

/// Features per parsing task.
const BATCH: usize = 2048;

impl<'de: 'scope, 'scope> DeserializeSeed<'de> for TopSeed<'_, 'scope, 'de> {
    type Value = Top<'de>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Top<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'scope, 'scope> Visitor<'de> for TopSeed<'_, 'scope, 'de> {
    type Value = Top<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }
    fn visit_map<A: de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Top<'de>, A::Error> {
        let mut top = Top {
            kind: None,
            has_features: false,
            crs: None,
        };
        let mut crs_seen = false;
        while let Some(key) = map.next_key_seed(crate::model::layer::KeySeed)? {
            // Which of two values a reader keeps is undefined: a structural key written twice
            // is an error (two "features" arrays would also give two features each index).
            let twice = match key.as_ref() {
                "type" => top.kind.is_some(),
                "crs" => crs_seen,
                "features" => top.has_features,
                _ => false,
            };
            if twice {
                return Err(de::Error::custom(format!(
                    "the FeatureCollection has the key {key:?} twice"
                )));
            }
            match key.as_ref() {
                "type" => top.kind = Some(map.next_value()?),
                "crs" => {
                    crs_seen = true;
                    top.crs = Some(map.next_value()?);
                }
                "features" => {
                    map.next_value_seed(FeaturesSeed { top: &self })?;
                    top.has_features = true;
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(top)
    }
}

struct FeaturesSeed<'t, 's, 'scope, 'a> {
    top: &'t TopSeed<'s, 'scope, 'a>,
}

impl<'de: 'scope, 'scope> DeserializeSeed<'de> for FeaturesSeed<'_, '_, 'scope, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'scope, 'scope> Visitor<'de> for FeaturesSeed<'_, '_, 'scope, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let t = self.top;
        let (mut batch, mut first, mut number) = (Vec::with_capacity(BATCH), 0, 0);
        let hand_over = |batch: Vec<&'de RawValue>, first: usize, number: usize| {
            let (batches, path, text, lines, options) =
                (t.batches, t.path, t.text, t.lines, t.options);
            t.scope.spawn(move |_| {
                let parsed = batch
                    .iter()
                    .enumerate()
                    .map(|(k, raw)| parse_feature(path, text, lines, first + k, raw, options))
                    .collect();
                batches
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((number, parsed));
            });
        };
        let mut count = 0;
        loop {
            t.current.set(Some(count));
            let Some(raw) = seq.next_element::<&'de RawValue>()? else {
                break;
            };
            count += 1;
            batch.push(raw);
            if batch.len() == BATCH {
                hand_over(
                    std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                    first,
                    number,
                );
                first += BATCH;
                number += 1;
            }
        }
        t.current.set(None);
        if !batch.is_empty() {
            hand_over(batch, first, number);
        }
        Ok(())
    }
}

/// The CRS of the old (2008) GeoJSON `crs` member, still written by GDAL and many Chinese tools.
fn named_crs(crs: &serde_json::Value) -> std::result::Result<Crs, String> {
    let name = crs
        .pointer("/properties/name")
        .and_then(|n| n.as_str())
        .ok_or_else(|| "the \"crs\" member has no properties.name".to_owned())?;
    name.parse::<Crs>().map_err(|e| e.to_string())
}

fn parse_feature(
    path: &Path,
    text: &str,
    lines: &LineStarts,
    index: usize,
    raw: &RawValue,
    options: &ReadOptions,
) -> Result<Parsed> {
    #[derive(Deserialize)]
    struct RawFeature<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<Cow<'a, str>>,
        #[serde(borrow)]
        id: Option<&'a RawValue>,
        geometry: Option<ParsedGeometry>,
        #[serde(borrow)]
        properties: Option<&'a RawValue>,
    }
    let at = |e: serde_json::Error| {
        let start = offset_in(text, raw.get());
        let (line, column) = lines.line_column(start);
        let (line, column) = if e.line() <= 1 {
            (line, column + e.column().saturating_sub(1))
        } else {
            (line + e.line() - 1, e.column())
        };
        json_error(path, line, column, format!("feature #{index}: {e}"))
    };
    if !raw.get().starts_with('{') {
        return Err(Error::feature(
            feature_ref(path, index, None),
            None,
            format!("expected a Feature object, found {}", clip(raw.get(), 60)),
        ));
    }
    let f: RawFeature = serde_json::from_str(raw.get()).map_err(at)?;
    let id_names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();
    let (properties, scan) = match f.properties {
        None => (Properties::default(), Scan::default()),
        Some(p) if p.get() == "null" => (Properties::default(), Scan::default()),
        Some(p) if p.get().starts_with('{') => (
            Properties::from_raw(p),
            scan_properties(p, &id_names).map_err(at)?,
        ),
        Some(_) => {
            return Err(Error::feature(
                feature_ref(path, index, None),
                Some("properties"),
                "properties must be a JSON object or null",
            ));
        }
    };
    let id = scan
        .found
        .iter()
        .find_map(|v| v.and_then(id_text))
        .or_else(|| f.id.and_then(id_text));
    let here = || feature_ref(path, index, id.clone());
    if f.kind.as_deref() != Some("Feature") {
        return Err(Error::feature(
            here(),
            Some("type"),
            format!(
                "expected \"Feature\", found {:?}",
                f.kind.unwrap_or_default()
            ),
        ));
    }
    let geometry = match f.geometry {
        Some(ParsedGeometry(g)) => {
            g.map_err(|problem| Error::feature(here(), Some("geometry"), problem))?
        }
        None if options.attributes_only => {
            Geometry::GeometryCollection(geo::GeometryCollection::default())
        }
        None => {
            return Err(Error::feature(
                here(),
                Some("geometry"),
                "the feature has no geometry (it is null or absent)",
            ));
        }
    };
    let warnings = scan
        .twice
        .iter()
        .map(|(key, first, last)| {
            let message = format!(
                "{}: field {key:?}: the key is written twice in the properties ({} and {}); \
                 hecun reads the last, as most JSON readers do",
                here(),
                clip(first, 40),
                clip(last, 40)
            );
            let zh = format!(
                "{}：字段 {key:?}：该键在属性中写了两次（{} 与 {}）；hecun 按多数 JSON 读取器的做法读取后一个",
                crate::warning::feature_zh(&here()),
                clip(first, 40),
                clip(last, 40)
            );
            crate::Warning::new(crate::WarningKind::DuplicateKey, message, zh)
                .with_feature(&here())
                .with_field(key.to_string())
                .with_value(clip(last, 40))
        })
        .collect();
    Ok(Parsed {
        feature: Feature {
            index,
            id,
            geometry,
            properties,
        },
        warnings,
    })
}

/// What one pass over a feature's properties finds.
#[derive(Default)]
struct Scan<'a> {
    /// The raw values of the names looked for (the last one when a key is written twice).
    found: Vec<Option<&'a RawValue>>,
    /// Keys written more than once: key, first raw value, last raw value.
    twice: Vec<(String, &'a str, &'a str)>,
}

/// Finds the id fields' values and any key written twice, in one pass over the object (the
/// keys are borrowed from the file; only the rare object with a repeated key allocates).
fn scan_properties<'a>(raw: &'a RawValue, names: &[&str]) -> serde_json::Result<Scan<'a>> {
    struct ScanVisitor<'n> {
        names: &'n [&'n str],
    }
    impl<'de> Visitor<'de> for ScanVisitor<'_> {
        type Value = Scan<'de>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Scan<'de>, A::Error> {
            let mut found = vec![None; self.names.len()];
            let mut entries: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
            while let Some(key) = map.next_key_seed(crate::model::layer::KeySeed)? {
                let value: &'de RawValue = map.next_value()?;
                if let Some(i) = self.names.iter().position(|n| *n == key) {
                    found[i] = Some(value);
                }
                entries.push((key, value));
            }
            let mut twice = Vec::new();
            if entries.len() > 1 {
                // Stable: equal keys stay in file order, first before last.
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut k = 0;
                while k < entries.len() {
                    let mut end = k + 1;
                    while end < entries.len() && entries[end].0 == entries[k].0 {
                        end += 1;
                    }
                    if end - k > 1 {
                        twice.push((
                            entries[k].0.clone().into_owned(),
                            entries[k].1.get(),
                            entries[end - 1].1.get(),
                        ));
                    }
                    k = end;
                }
            }
            Ok(Scan { found, twice })
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    de::Deserializer::deserialize_map(&mut de, ScanVisitor { names })
}

/// `text` cut to about `max` characters for a message.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn feature_ref(path: &Path, index: usize, id: Option<String>) -> FeatureRef {
    FeatureRef {
        path: path.to_owned(),
        index,
        id,
    }
}

/// A geometry read in one pass over its text: when `type` comes before `coordinates`, as
/// writers put it, coordinates go straight into `geo` types. JSON syntax errors fail the
/// parse (with their position); a well-formed but unusable geometry is the `Err` inside.
pub(crate) struct ParsedGeometry(pub(crate) std::result::Result<Geometry<f64>, String>);

impl<'de> Deserialize<'de> for ParsedGeometry {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct GeometryVisitor;
        impl<'de> Visitor<'de> for GeometryVisitor {
            type Value = ParsedGeometry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON geometry object")
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<ParsedGeometry, A::Error> {
                let mut kind: Option<Cow<'de, str>> = None;
                let mut coordinates = None;
                let mut raw_coordinates: Option<&'de RawValue> = None;
                let mut parts: Option<Vec<ParsedGeometry>> = None;
                while let Some(key) = map.next_key_seed(crate::model::layer::KeySeed)? {
                    let twice = match key.as_ref() {
                        "type" => kind.is_some(),
                        "coordinates" => coordinates.is_some() || raw_coordinates.is_some(),
                        "geometries" => parts.is_some(),
                        _ => false,
                    };
                    if twice {
                        return Err(de::Error::custom(format!(
                            "the geometry has the key {key:?} twice"
                        )));
                    }
                    match key.as_ref() {
                        "type" => kind = Some(map.next_value::<Cow<'de, str>>()?),
                        "coordinates" => match kind.as_deref() {
                            Some(k) => coordinates = Some(map.next_value_seed(CoordinatesSeed(k))?),
                            None => raw_coordinates = Some(map.next_value()?),
                        },
                        "geometries" => parts = Some(map.next_value()?),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let kind = kind.unwrap_or_default();
                if kind == "GeometryCollection" {
                    let Some(parts) = parts else {
                        return Ok(ParsedGeometry(Err(
                            "a GeometryCollection needs \"geometries\"".to_owned(),
                        )));
                    };
                    let parts = parts
                        .into_iter()
                        .map(|p| p.0)
                        .collect::<std::result::Result<Vec<_>, _>>();
                    return Ok(ParsedGeometry(
                        parts.map(|p| Geometry::GeometryCollection(GeometryCollection(p))),
                    ));
                }
                if let (None, Some(raw)) = (&coordinates, raw_coordinates) {
                    let mut de = serde_json::Deserializer::from_str(raw.get());
                    coordinates = Some(
                        CoordinatesSeed(&kind)
                            .deserialize(&mut de)
                            .map_err(de::Error::custom)?,
                    );
                }
                Ok(ParsedGeometry(coordinates.unwrap_or_else(|| {
                    Err(format!("the {kind:?} geometry has no \"coordinates\""))
                })))
            }
        }
        d.deserialize_map(GeometryVisitor)
    }
}

/// Reads the `coordinates` of a geometry of type `.0`.
struct CoordinatesSeed<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for CoordinatesSeed<'_> {
    type Value = std::result::Result<Geometry<f64>, String>;
    fn deserialize<D: de::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        Ok(match self.0 {
            "Point" => Ok(Geometry::Point(Point(Pos::deserialize(d)?.0))),
            "MultiPoint" => Ok(Geometry::MultiPoint(MultiPoint(
                Vec::<Pos>::deserialize(d)?
                    .into_iter()
                    .map(|p| Point(p.0))
                    .collect(),
            ))),
            "LineString" => Ok(Geometry::LineString(line(Vec::deserialize(d)?))),
            "MultiLineString" => Ok(Geometry::MultiLineString(MultiLineString(
                Vec::<Vec<Pos>>::deserialize(d)?
                    .into_iter()
                    .map(line)
                    .collect(),
            ))),
            "Polygon" => polygon(Vec::deserialize(d)?).map(Geometry::Polygon),
            "MultiPolygon" => Vec::<Vec<Vec<Pos>>>::deserialize(d)?
                .into_iter()
                .map(polygon)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map(|p| Geometry::MultiPolygon(MultiPolygon(p))),
            other => {
                de::IgnoredAny::deserialize(d)?;
                Err(format!("unknown geometry type {other:?}"))
            }
        })
    }
}

fn line(positions: Vec<Pos>) -> LineString<f64> {
    LineString(positions.into_iter().map(|p| p.0).collect())
}

/// A polygon from its rings, checked before `geo` would silently close an open ring.
fn polygon(rings: Vec<Vec<Pos>>) -> std::result::Result<Polygon<f64>, String> {
    let mut rings = rings.into_iter().map(line);
    let exterior = rings.next().ok_or("the polygon has no rings")?;
    let interiors: Vec<LineString<f64>> = rings.collect();
    for (i, ring) in std::iter::once(&exterior).chain(&interiors).enumerate() {
        validate::check_ring(ring, i)?;
    }
    Ok(Polygon::new(exterior, interiors))
}

/// A GeoJSON position: x and y; a z or measure is read and dropped.
struct Pos(Coord<f64>);

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<Pos, D::Error> {
        struct PosVisitor;
        impl<'de> Visitor<'de> for PosVisitor {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position [x, y]")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Pos, A::Error> {
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Pos(Coord { x, y }))
            }
        }
        d.deserialize_seq(PosVisitor)
    }
}

fn json_error(path: &Path, line: usize, column: usize, message: String) -> Error {
    Error::Json {
        path: path.to_owned(),
        line,
        column,
        message,
    }
}

/// Byte offset of `part` inside `whole` (`part` is a slice of `whole`).
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// Where the lines of a file start, found on the first error that needs a position: one pass
/// over the file however many features are bad (a scan from the start for each bad feature
/// made a file of many bad features quadratic).
struct LineStarts<'a> {
    text: &'a str,
    starts: OnceLock<Vec<usize>>,
}

impl<'a> LineStarts<'a> {
    fn new(text: &'a str) -> Self {
        LineStarts {
            text,
            starts: OnceLock::new(),
        }
    }

    /// The 1-based line and byte column of byte `offset`, as [`line_column`] gives them.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let starts = self.starts.get_or_init(|| {
            let newlines = self.text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
            std::iter::once(0)
                .chain(newlines.map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&s| s <= offset.min(self.text.len()));
        (line, offset - starts[line - 1] + 1)
    }
}

fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse(text: &str) -> Result<ReadOutcome> {
        parse_geojson(
            &PathBuf::from("t.geojson"),
            text.as_bytes(),
            &ReadOptions::default(),
        )
    }

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[113,34],[113.1,34],[113.1,34.1],[113,34.1],[113,34]]]}"#;

    #[test]
    fn reads_every_geometry_type() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","id":5,"properties":null,"geometry":{SQUARE}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[113,34,12.5]}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiLineString","coordinates":[[[113,34],[113.1,34]]]}}}},
            {{"type":"Feature","properties":{{}},"geometry":{{"type":"GeometryCollection","geometries":[{SQUARE}]}}}}
            ]}}"#
        );
        let read = parse(&text).unwrap();
        let f = &read.layer.features;
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].id.as_deref(), Some("5"));
        assert!(matches!(f[0].geometry, Geometry::Polygon(_)));
        assert!(matches!(f[1].geometry, Geometry::Point(p) if p.x() == 113.0));
        assert!(matches!(f[3].geometry, Geometry::GeometryCollection(_)));
    }

    #[test]
    fn broken_json_says_where() {
        let err =
            parse("{\"type\":\"FeatureCollection\",\n\"features\":[ {\"type\": }]}").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("t.geojson: line 2"), "{msg}");
    }

    #[test]
    fn error_inside_a_feature_points_into_the_file() {
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{},\"geometry\":null},\n{\"type\":\"Feature\",\"properties\":{\"id\":\"v2\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1]}}]}";
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("feature #0") && err.contains("no geometry"),
            "{err}"
        );
        let opts = ReadOptions {
            keep_going: true,
            ..ReadOptions::default()
        };
        let err = parse_geojson(Path::new("t.geojson"), text.as_bytes(), &opts).unwrap_err();
        // Both features are bad: the layer is empty.
        assert!(matches!(err, Error::EmptyLayer { .. }), "{err}");
    }

    #[test]
    fn keep_going_skips_bad_features_with_their_ids() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"id":"a"}},"geometry":{SQUARE}}},
            {{"type":"Feature","properties":{{"id":"b"}},"geometry":{{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}}}]}}"#
        );
        let opts = ReadOptions {
            keep_going: true,
            ..ReadOptions::default()
        };
        let read = parse_geojson(Path::new("t.geojson"), text.as_bytes(), &opts).unwrap();
        assert_eq!(read.layer.features.len(), 1);
        let skipped = read.skipped[0].to_string();
        assert!(
            skipped.contains("feature #1 (id \"b\")") && skipped.contains("geometry"),
            "{skipped}"
        );
    }

    #[test]
    fn honours_the_old_crs_member_and_a_bom() {
        let text = "\u{feff}{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::4547\"}},\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[465000,3850000]}}]}";
        let read = parse(text).unwrap();
        assert_eq!(read.layer.crs.code(), 4547);
    }

    #[test]
    fn a_key_twice_in_properties_is_a_warning_and_the_last_value_is_read() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"id":"a","人口":1,"x":0,"\u4eba\u53e3":2}},"geometry":{SQUARE}}}]}}"#
        );
        let read = parse(&text).unwrap();
        let w = &read.warnings;
        assert_eq!(w.len(), 1, "{w:?}");
        let text = w[0].to_string();
        assert!(
            text.contains("feature #0 (id \"a\")")
                && text.contains("\"人口\"")
                && text.contains("(1 and 2)"),
            "{w:?}"
        );
        assert_eq!(w[0].kind, crate::WarningKind::DuplicateKey);
        assert_eq!(
            (w[0].feature, w[0].field.as_deref(), w[0].value.as_deref()),
            (Some(0), Some("人口"), Some("2"))
        );
        let p = &read.layer.features[0].properties;
        assert_eq!(p.get("人口").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn duplicate_ids_name_both_features() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"type":"Feature","properties":{{"id":"a"}},"geometry":{SQUARE}}},
            {{"type":"Feature","properties":{{"id":"b"}},"geometry":{SQUARE}}},
            {{"type":"Feature","properties":{{"id":"a"}},"geometry":{SQUARE}}}]}}"#
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("feature #2 (id \"a\")")
                && err.contains("feature #0")
                && err.contains("field \"id\""),
            "{err}"
        );
    }

    #[test]
    fn structural_keys_twice_are_errors() {
        for text in [
            format!(
                r#"{{"type":"FeatureCollection","features":[],"features":[{{"type":"Feature","properties":{{}},"geometry":{SQUARE}}}]}}"#
            ),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2],"coordinates":[3,4]}}]}"#
                .to_owned(),
        ] {
            let err = parse(&text).unwrap_err().to_string();
            assert!(err.contains("twice"), "{err}");
        }
    }

    #[test]
    fn line_starts_agree_with_a_scan_from_the_start() {
        let text = "ab\n\ncd\r\nef\n";
        let lines = LineStarts::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                lines.line_column(offset),
                line_column(text.as_bytes(), offset),
                "offset {offset}"
            );
        }
        assert_eq!(LineStarts::new("").line_column(0), (1, 1));
    }

    #[test]
    fn every_bad_feature_says_its_own_line_and_column() {
        let bad = "{\"type\":\"Feature\",\"properties\":{},\"geometry\":5}";
        let mut features: Vec<String> = (0..3).map(|i| format!("{}{bad}", " ".repeat(i))).collect();
        features.push(format!(
            "{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{SQUARE}}}"
        ));
        let text = format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{}]}}",
            features.join(",\n")
        );
        let opts = ReadOptions {
            keep_going: true,
            ..ReadOptions::default()
        };
        let read = parse_geojson(Path::new("t.geojson"), text.as_bytes(), &opts).unwrap();
        assert_eq!(read.skipped.len(), 3);
        for (i, e) in read.skipped.iter().enumerate() {
            // The `5` of feature i: line 2 + i, after i spaces of indent.
            let at = format!(
                "t.geojson: line {}, column {}: feature #{i}:",
                2 + i,
                46 + i
            );
            assert!(e.to_string().starts_with(&at), "{e}");
        }
    }

    #[test]
    fn a_crs_member_over_degrees_is_refused() {
        let text = format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"EPSG:4547"}}}},"features":[
            {{"type":"Feature","properties":{{}},"geometry":{SQUARE}}}]}}"#
        );
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("EPSG:4547") && err.contains("degrees") && err.contains("\"crs\" member"),
            "{err}"
        );
    }

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_geojson(dir.path(), &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
        let err = read_input(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let file = dir.path().join("big.geojson");
        std::fs::write(&file, [b' '; 100]).unwrap();
        let err = read_input(&file, 10).unwrap_err();
        assert!(err.to_string().contains("more than the 10 bytes"), "{err}");
        let err = read_geojson(&file, &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn not_a_feature_collection() {
        let err = parse(r#"{"type":"Feature"}"#).unwrap_err().to_string();
        assert!(err.contains("FeatureCollection"), "{err}");
    }
}
