//! Reading Esri Shapefiles as county offices have them: `.shp` with its `.shx` and `.dbf`,
//! attributes in GBK (named by a `.cpg`, or told from the bytes), a `.prj` in Esri WKT.
//!
//! Each record becomes a [`Feature`] whose properties are the JSON object a GeoJSON export
//! of the same file (GDAL's `ogr2ogr -f GeoJSON`) has, so that everything after reading
//! works on a Shapefile as on GeoJSON. Records are decoded on all cores.
//!
//! The reader is hecun's own rather than the `shapefile`/`dbase` crates': those assemble a
//! polygon's holes by the order of its rings (a hole written after another part goes to the
//! wrong polygon), decode text with replacement characters (a `.cpg` that lies would pass
//! as garbled names), and read records one after the other; the formats themselves are a
//! few fixed binary layouts, checked here against GDAL's reading of the same files.

mod dbf;
mod prj;
mod shp;
mod write;

pub use write::{shapefile_encoding, write_shapefiles};

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use rayon::prelude::*;

use crate::error::{Error, FeatureRef, Result};
use crate::io::read::{MAX_LAYER_BYTES, ReadOptions, ReadOutcome, collect_layer, read_input};
use crate::model::crs::Transformer;
use crate::model::layer::{Feature, Properties};
use crate::warning::{Warning, WarningKind};

/// The encoding a `.cpg` (or a plan's `encoding`) names: a code page number (`936`,
/// `65001`, `950`…) or a label (`GBK`, `UTF-8`, `GB18030`, `Big5`…).
pub(crate) fn encoding_named(name: &str) -> std::result::Result<&'static Encoding, String> {
    let label = name.trim().trim_start_matches('\u{feff}').trim();
    let by_page = match label.to_ascii_uppercase().as_str() {
        "936" | "CP936" | "GB2312" | "GBK" => Some(encoding_rs::GBK),
        "54936" => Some(encoding_rs::GB18030),
        "65001" | "UTF8" | "UTF-8" => Some(encoding_rs::UTF_8),
        "950" | "CP950" => Some(encoding_rs::BIG5),
        "1252" | "CP1252" | "88591" | "ISO88591" | "LATIN1" => Some(encoding_rs::WINDOWS_1252),
        _ => None,
    };
    by_page
        .or_else(|| Encoding::for_label(label.as_bytes()))
        .ok_or_else(|| {
            format!(
                "{label:?} is not an encoding hecun knows (e.g. GBK, 936, GB18030, UTF-8, Big5)"
            )
        })
}

/// The file beside `shp` with extension `ext` (either case), if there is one.
fn sidecar(shp: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .into_iter()
        .map(|e| shp.with_extension(e))
        .find(|p| p.is_file())
}

/// The files beside a `.shp` that its reading reads (`shx`, `dbf`, `prj`, `cpg`), those
/// that exist, by extension.
pub(crate) fn sidecars(shp: &Path) -> Vec<(&'static str, PathBuf)> {
    ["shx", "dbf", "prj", "cpg"]
        .into_iter()
        .filter_map(|ext| sidecar(shp, ext).map(|p| (ext, p)))
        .collect()
}

/// Reads a Shapefile: the `.shp` at `path` with the `.shx` and `.dbf` beside it (required),
/// and its `.prj` and `.cpg` if there are.
///
/// The CRS is the `.prj`'s (or `options.default_crs` without one); a Xi'an 1980 or Beijing
/// 1954 zone is shifted to the CGCS2000 zone of the same projection with
/// `options.towgs84`. Text is decoded as `options.encoding`, else as the `.cpg` says, else
/// as UTF-8 if every byte is, else as GBK (with a warning saying so).
pub fn read_shapefile(path: &Path, options: &ReadOptions) -> Result<ReadOutcome> {
    let missing = |ext: &str, why: &str| {
        Error::format(
            path,
            format!(
                "the Shapefile has no .{ext} beside it ({}): {why}",
                path.with_extension(ext).display()
            ),
        )
    };
    let shx_path = sidecar(path, "shx").ok_or_else(|| {
        missing(
            "shx",
            "it indexes the records; copy it along with the .shp and .dbf",
        )
    })?;
    let dbf_path = sidecar(path, "dbf").ok_or_else(|| {
        missing(
            "dbf",
            "it holds the attributes; copy it along with the .shp and .shx",
        )
    })?;
    let shp_bytes = read_input(path, MAX_LAYER_BYTES)?;
    let shx_bytes = read_input(&shx_path, MAX_LAYER_BYTES)?;
    let dbf_bytes = read_input(&dbf_path, MAX_LAYER_BYTES)?;
    shp::header(path, &shp_bytes)?;
    let places = shp::index(&shx_path, &shx_bytes, shp_bytes.len())?;
    let table = dbf::Table::parse(&dbf_path, &dbf_bytes)?;
    if table.records != places.len() {
        return Err(Error::format(
            &dbf_path,
            format!(
                "has {} records but the .shp has {} shapes (per its .shx): every record needs \
                 its shape; the files do not belong together, or one is damaged",
                table.records,
                places.len()
            ),
        ));
    }
    let mut warnings = Vec::new();

    // The CRS.
    let (crs, shift) = match sidecar(path, "prj") {
        None => {
            if options.towgs84.is_some() {
                return Err(Error::format(
                    path,
                    "towgs84 is given for a Shapefile without .prj: name its Xi'an 1980 or \
                     Beijing 1954 zone with a .prj (towgs84 shifts only those datums)",
                ));
            }
            (options.default_crs, None)
        }
        Some(prj_path) => {
            let bytes = read_input(&prj_path, 1 << 20)?;
            let text = String::from_utf8_lossy(&bytes);
            let prj = prj::read_prj(&prj_path, &text)?;
            let own = crate::model::crs::Crs::from_epsg(u16::try_from(prj.code).map_err(|_| {
                Error::format(&prj_path, format!("EPSG:{} is out of range", prj.code))
            })?)
            .map_err(|e| Error::format(&prj_path, e.to_string()))?;
            if let Some(stated) = options.declared_crs
                && stated != own
            {
                return Err(Error::format(
                    &prj_path,
                    format!(
                        "describes {} ({own}), but the plan or --input-crs states {stated} for \
                         this layer: one of them is wrong; fix it, or leave the CRS out of the \
                         plan for this layer to use the .prj",
                        prj.description
                    ),
                ));
            }
            match (prj.datum.needs_towgs84(), options.towgs84) {
                (true, None) => {
                    return Err(Error::format(
                        &prj_path,
                        format!(
                            "describes {} ({own}), whose datum shift to CGCS2000 needs the \
                             seven Helmert parameters your office uses (no published set fits \
                             everywhere): give them for this layer in the plan, as \
                             towgs84 = [dx, dy, dz, rx, ry, rz, ds] (metres, arc seconds, ppm; \
                             PROJ's +towgs84)",
                            prj.description
                        ),
                    ));
                }
                (false, Some(_)) => {
                    return Err(Error::format(
                        &prj_path,
                        format!(
                            "describes {} ({own}): towgs84 is for Xi'an 1980 and Beijing 1954 \
                             zones only; remove it from the plan for this layer",
                            prj.description
                        ),
                    ));
                }
                (true, Some(towgs84)) => {
                    let to = prj::crs_after_shift(&prj)?;
                    let shift = Transformer::with_towgs84(own, towgs84, to)?;
                    (to, Some(shift))
                }
                (false, None) => (own, None),
            }
        }
    };

    // The encoding.
    let (encoding, said_by) = match (&options.encoding, sidecar(path, "cpg")) {
        (Some(name), cpg) => {
            let encoding = encoding_named(name).map_err(|why| {
                Error::format(path, format!("encoding {name:?} (from the plan): {why}"))
            })?;
            (
                Some(encoding),
                Some(match cpg {
                    Some(_) => "the plan's encoding (in place of the .cpg)".to_owned(),
                    None => "the plan's encoding".to_owned(),
                }),
            )
        }
        (None, Some(cpg_path)) => {
            let bytes = read_input(&cpg_path, 4096)?;
            let text = String::from_utf8_lossy(&bytes);
            let encoding = encoding_named(&text).map_err(|why| Error::format(&cpg_path, why))?;
            (
                Some(encoding),
                Some(format!("its .cpg ({})", cpg_path.display())),
            )
        }
        (None, None) => (None, None),
    };
    let encoding = match (encoding, said_by) {
        (Some(encoding), Some(said_by)) => {
            if let Some(at) = table.first_invalid(|b| dbf::decode(encoding, b).is_some()) {
                return Err(invalid_text(&dbf_path, &table, at, encoding, &said_by));
            }
            encoding
        }
        _ => {
            let plain = table.first_invalid(<[u8]>::is_ascii).is_none();
            if plain {
                encoding_rs::UTF_8
            } else {
                let utf8 = table.first_invalid(|b| std::str::from_utf8(b).is_ok());
                let chosen = match utf8 {
                    None => encoding_rs::UTF_8,
                    Some(_) => {
                        let gbk = encoding_rs::GBK;
                        if let Some(at) = table.first_invalid(|b| dbf::decode(gbk, b).is_some()) {
                            return Err(invalid_text(
                                &dbf_path,
                                &table,
                                at,
                                gbk,
                                "detection (no .cpg; the text is not UTF-8 either)",
                            ));
                        }
                        gbk
                    }
                };
                warnings.push(
                    Warning::new(
                        WarningKind::EncodingDetected,
                        format!(
                            "{}: no .cpg names the text encoding; read as {} (every text \
                             {}); if names look wrong, set encoding = \"…\" for the layer in \
                             the plan, or add a .cpg",
                            dbf_path.display(),
                            chosen.name(),
                            if chosen == encoding_rs::UTF_8 {
                                "is valid UTF-8"
                            } else {
                                "is valid GBK/GB18030 and not UTF-8"
                            }
                        ),
                        format!(
                            "{}：没有 .cpg 说明文字编码；按 {} 读取（{}）；若名称显示不对，请在 \
                             plan 中为该图层设置 encoding = \"…\"，或添加 .cpg 文件",
                            dbf_path.display(),
                            chosen.name(),
                            if chosen == encoding_rs::UTF_8 {
                                "所有文字都是有效的 UTF-8"
                            } else {
                                "所有文字都是有效的 GBK/GB18030，且不是 UTF-8"
                            }
                        ),
                    )
                    .with_file(dbf_path.display())
                    .with_value(chosen.name()),
                );
                chosen
            }
        }
    };
    let names: Vec<String> = table
        .fields
        .iter()
        .map(|f| {
            dbf::name_text(&f.name_bytes, |b| dbf::decode(encoding, b).is_some())
                .and_then(|b| dbf::decode(encoding, b))
                .unwrap_or_default()
        })
        .collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(Error::format(
                &dbf_path,
                format!(
                    "has two fields named {name:?} (fields {} and {i}): rename one (names are \
                     cut to 10 bytes, which can make two names one)",
                    names[..i].iter().position(|n| n == name).unwrap_or(0)
                ),
            ));
        }
    }
    let keys: Vec<String> = names
        .iter()
        .map(|n| serde_json::to_string(n).unwrap_or_default())
        .collect();

    // The records, on all cores.
    let id_names: Vec<&str> = options.id_fields.iter().map(String::as_str).collect();
    let parsed: Vec<Option<Result<Feature>>> = (0..places.len())
        .into_par_iter()
        .map(|k| {
            if table.is_deleted(k) {
                return None;
            }
            Some(read_record(
                path,
                &shp_bytes,
                places[k],
                &table,
                k,
                &names,
                &keys,
                encoding,
                &id_names,
                crs,
                shift.as_ref(),
            ))
        })
        .collect();

    let deleted = parsed.iter().filter(|p| p.is_none()).count();
    if deleted > 0 {
        warnings.push(
            Warning::new(
                WarningKind::Other,
                format!(
                    "{}: {deleted} record(s) are marked deleted in the .dbf and are not read \
                     (GDAL and ArcGIS do not show them either)",
                    dbf_path.display()
                ),
                format!(
                    "{}：.dbf 中有 {deleted} 条记录标记为已删除，未读取（GDAL 与 ArcGIS 也不显示它们）",
                    dbf_path.display()
                ),
            )
            .with_file(dbf_path.display()),
        );
    }
    let (layer, skipped) = collect_layer(path, crs, parsed.into_iter().flatten(), options)?;
    Ok(ReadOutcome {
        layer,
        skipped,
        warnings,
    })
}

/// The error for text that is not valid in the encoding used, naming where it is.
fn invalid_text(
    dbf_path: &Path,
    table: &dbf::Table,
    (record, field): (Option<usize>, usize),
    encoding: &'static Encoding,
    said_by: &str,
) -> Error {
    let f = &table.fields[field];
    let (what, bytes) = match record {
        None => (format!("the name of field {field}"), f.name_bytes.clone()),
        Some(k) => (
            format!(
                "record {k}, field {:?}",
                String::from_utf8_lossy(&f.name_bytes)
            ),
            dbf::trim_end(table.value(k, f)).to_vec(),
        ),
    };
    // Which encoding the whole table does decode in, to say what to write instead.
    let fits = |e: &'static Encoding| {
        e != encoding
            && table
                .first_invalid(|b| dbf::decode(e, b).is_some())
                .is_none()
    };
    let hint = [encoding_rs::UTF_8, encoding_rs::GBK, encoding_rs::BIG5]
        .into_iter()
        .find(|&e| fits(e))
        .map_or(
            "set encoding = \"…\" (the right one) for the layer in the plan".to_owned(),
            |e| {
                format!(
                    "the text is valid {0}: set encoding = \"{0}\" for the layer in the plan \
                     (or fix the .cpg)",
                    e.name()
                )
            },
        );
    Error::format(
        dbf_path,
        format!(
            "{what}: the bytes {} are not valid {}, the encoding named by {said_by}: the \
             encoding is wrong; {hint}",
            dbf::hex(&bytes),
            encoding.name()
        ),
    )
}

/// One record as a feature.
#[allow(clippy::too_many_arguments)]
fn read_record(
    path: &Path,
    shp_bytes: &[u8],
    (offset, len): (usize, usize),
    table: &dbf::Table,
    k: usize,
    names: &[String],
    keys: &[String],
    encoding: &'static Encoding,
    id_names: &[&str],
    crs: crate::model::crs::Crs,
    shift: Option<&Transformer>,
) -> Result<Feature> {
    let here = |id: Option<String>| FeatureRef {
        path: path.to_owned(),
        index: k,
        id,
    };
    let mut json = String::with_capacity(16 * table.fields.len() + 2);
    json.push('{');
    for (i, f) in table.fields.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&keys[i]);
        json.push(':');
        dbf::write_value(f, table.value(k, f), encoding, &mut json).map_err(|why| {
            Error::feature(
                here(None),
                Some(&names[i]),
                format!("{why} (record {k} of the .dbf)"),
            )
        })?;
    }
    json.push('}');
    let properties =
        Properties::from_written(json).map_err(|why| Error::feature(here(None), None, why))?;
    let id = properties.id_from(id_names);
    let mut geometry = shp::geometry(&shp_bytes[offset..offset + len])
        .map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?
        .ok_or_else(|| {
            Error::feature(
                here(id.clone()),
                Some("geometry"),
                "the record has a null shape (no geometry)",
            )
        })?;
    if let Some(shift) = shift {
        shift
            .transform(&mut geometry)
            .map_err(|e| Error::feature(here(id.clone()), Some("geometry"), e.to_string()))?;
    }
    crate::io::structure::check_structure(&geometry, crs)
        .map_err(|why| Error::feature(here(id.clone()), Some("geometry"), why))?;
    Ok(Feature {
        index: k,
        id,
        geometry,
        properties,
    })
}
