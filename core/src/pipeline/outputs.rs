//! The affected-villages job's files: CSV for Excel, GeoJSON for QGIS, a summary.

use std::fmt::Write as _;
use std::path::Path;

use geo::Geometry;

use crate::error::{Error, Result};
use crate::io::geojson_write::{COMPUTED_SCALE, Wgs84Writer};
use crate::io::shapefile::write_shapefiles;
use crate::io::{OutputDir, write_geometry};
use crate::model::crs::{Crs, CrsEngine, Transformer};
use crate::pipeline::affected::zone_classes;
use crate::pipeline::job::AffectedRun;
use crate::report::Lang;
use crate::report::workbook::{WORKBOOK, write_workbook};

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputSet {
    /// `zones.geojson`: one zone per road or corridor (the largest file at national scale).
    pub zones: bool,
    /// `affected_villages.geojson`.
    pub village_geojson: bool,
    /// `hecun.gpkg`: every GeoJSON layer written, in one styled GeoPackage (off for huge
    /// national runs: it holds the layers a second time).
    pub gpkg: bool,
    /// `tables.xlsx`: the tables in one workbook, Chinese headings (`--no-xlsx` turns it off).
    pub xlsx: bool,
    /// Every GeoJSON layer also as a Shapefile set in `shapefile/`, text in this encoding
    /// (`--shapefile GBK`); `None`: none.
    pub shapefile: Option<&'static encoding_rs::Encoding>,
}

impl OutputSet {
    /// The set with `zones.geojson` written or not.
    pub fn with_zones(mut self, zones: bool) -> OutputSet {
        self.zones = zones;
        self
    }

    /// The set with `hecun.gpkg` written or not.
    pub fn with_gpkg(mut self, gpkg: bool) -> OutputSet {
        self.gpkg = gpkg;
        self
    }

    /// The set with `tables.xlsx` written or not.
    pub fn with_xlsx(mut self, xlsx: bool) -> OutputSet {
        self.xlsx = xlsx;
        self
    }

    /// The set with the layers also written as Shapefiles in `encoding`, or not (`None`).
    pub fn with_shapefile(mut self, encoding: Option<&'static encoding_rs::Encoding>) -> OutputSet {
        self.shapefile = encoding;
        self
    }

    /// The set with `affected_villages.geojson` written or not.
    pub fn with_village_geojson(mut self, village_geojson: bool) -> OutputSet {
        self.village_geojson = village_geojson;
        self
    }
}

impl Default for OutputSet {
    fn default() -> Self {
        OutputSet {
            zones: true,
            village_geojson: true,
            gpkg: true,
            xlsx: true,
            shapefile: None,
        }
    }
}

/// Writes the affected-villages results into `dir` (atomically) and returns the file names.
///
/// Files: `affected_villages.csv`, `townships.csv`, `zone_classes.csv` (UTF-8 with BOM),
/// `affected_villages.geojson`, `zones.geojson` (RFC 7946, EPSG:4326), `summary.txt`,
/// `summary.json`, `hecun.gpkg` (the GeoJSON layers in one GeoPackage, styled for QGIS;
/// see [`OutputSet::gpkg`]) and `tables.xlsx` (the tables, Chinese headings) unless `set`
/// says not.
pub fn write_affected(
    run: &AffectedRun,
    dir: &Path,
    set: OutputSet,
    engine: CrsEngine,
) -> Result<Vec<String>> {
    let out = OutputDir::begin(dir)?;
    let names = write_affected_into(run, &out, set, engine)?;
    out.commit()?;
    Ok(names)
}

/// Writes the affected-villages files into an output folder being written (see
/// [`write_affected`]), so that other results can join them before it is committed. With
/// [`OutputSet::gpkg`], `hecun.gpkg` holds the layers written up to then: a caller adding
/// layers of its own turns it off here and calls
/// [`write_outputs_gpkg`](crate::write_outputs_gpkg) with every file at the end.
pub fn write_affected_into(
    run: &AffectedRun,
    out: &OutputDir,
    set: OutputSet,
    engine: CrsEngine,
) -> Result<Vec<String>> {
    let mut names = write_affected_files(run, out, set, engine, true)?;
    if set.xlsx {
        let csvs: Vec<String> = names
            .iter()
            .filter(|n| n.ends_with(".csv"))
            .cloned()
            .collect();
        write_workbook(out, &csvs, Lang::default(), &Default::default())?;
        names.push(WORKBOOK.to_owned());
    }
    if let Some(encoding) = set.shapefile {
        let layers: Vec<String> = names
            .iter()
            .filter(|n| n.ends_with(".geojson"))
            .cloned()
            .collect();
        names.extend(write_shapefiles(out, &layers, encoding)?);
    }
    if set.gpkg {
        names.extend(crate::io::gpkg::write::write_outputs_gpkg(out, &names)?);
    }
    Ok(names)
}

impl AffectedRun {
    /// The files [`write_affected`] writes, in memory: `(name, bytes)` sorted by name, the
    /// same bytes (one code path makes both).
    pub fn output_files(
        &self,
        set: OutputSet,
        engine: CrsEngine,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let out = OutputDir::in_memory();
        write_affected_into(self, &out, set, engine)?;
        Ok(out.into_files())
    }
}

/// [`write_affected_into`], with `summary.txt` only when `summary` (a plan run writes its
/// report's instead).
pub(crate) fn write_affected_files(
    run: &AffectedRun,
    out: &OutputDir,
    set: OutputSet,
    engine: CrsEngine,
    summary: bool,
) -> Result<Vec<String>> {
    // The tables are formatted while the GeoJSON layers stream out.
    let (tables, layers) = rayon::join(
        || -> Result<Vec<(&str, Vec<u8>)>> {
            let mut tables = vec![
                ("affected_villages.csv", affected_csv(run)?),
                ("townships.csv", townships_csv(run)?),
                ("zone_classes.csv", classes_csv(run)?),
            ];
            // A minimum share leaves villages out: they are named, never dropped silently.
            if matches!(
                run.summary.counting,
                crate::pipeline::affected::Counting::MinShare { .. }
            ) {
                tables.push((
                    "below_share_villages.csv",
                    villages_csv(run, &run.below_share)?,
                ));
            }
            if summary {
                tables.push(("summary.txt", summary_text(run).into_bytes()));
            }
            tables.push(("summary.json", summary_json(run).into_bytes()));
            Ok(tables)
        },
        || -> Result<Vec<&str>> {
            let mut names = Vec::new();
            if set.village_geojson {
                affected_geojson(run, engine, out)?;
                names.push("affected_villages.geojson");
            }
            if set.zones {
                zones_geojson(run, engine, out)?;
                names.push("zones.geojson");
            }
            Ok(names)
        },
    );
    let mut names = Vec::new();
    for (name, bytes) in tables? {
        out.write(name, &bytes)?;
        names.push(name.to_owned());
    }
    names.extend(layers?.into_iter().map(str::to_owned));
    Ok(names)
}

/// A CSV writer into memory, starting with the BOM.
pub(crate) fn csv_writer() -> csv::Writer<Vec<u8>> {
    // The BOM makes Excel read the file as UTF-8, so Chinese names show correctly.
    csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec())
}

/// The bytes a [`csv_writer`] wrote.
pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner()
        .map_err(|e| Error::config("CSV", e.to_string()))
}

fn csv_err(e: csv::Error) -> Error {
    Error::config("CSV", e.to_string())
}

fn affected_csv(run: &AffectedRun) -> Result<Vec<u8>> {
    villages_csv(run, &run.affected)
}

/// One row per village of `list`: the columns of `affected_villages.csv`.
fn villages_csv(
    run: &AffectedRun,
    list: &[crate::pipeline::affected::AffectedVillage],
) -> Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record([
        "id",
        "name",
        "township",
        "households",
        "population",
        "fraction_inside",
        "zone_count",
        "zone_classes",
        "zones",
    ])
    .map_err(csv_err)?;
    for a in list {
        let v = &run.villages[a.village];
        w.write_record([
            v.id.as_str(),
            &v.name,
            &v.township,
            &v.households.to_string(),
            &v.population.to_string(),
            &format!("{:.9}", a.fraction_inside),
            &a.zones.len().to_string(),
            &zone_classes(a, &run.zones).join(";"),
            &zone_ids(run, &a.zones).join(";"),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

fn zone_ids(run: &AffectedRun, zones: &[usize]) -> Vec<String> {
    zones
        .iter()
        .map(|&z| {
            let s = &run.sources[run.zones[z].source];
            format!("{}:{}", s.layer, s.id)
        })
        .collect()
}

fn townships_csv(run: &AffectedRun) -> Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record([
        "township",
        "villages",
        "households",
        "population",
        "villages_in_layer",
    ])
    .map_err(csv_err)?;
    for t in &run.summary.townships {
        w.write_record([
            t.township.as_str(),
            &t.affected.villages.to_string(),
            &t.affected.households.to_string(),
            &t.affected.population.to_string(),
            &t.villages_in_layer.to_string(),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

fn classes_csv(run: &AffectedRun) -> Result<Vec<u8>> {
    let mut w = csv_writer();
    w.write_record([
        "class",
        "width_m",
        "zones",
        "villages",
        "households",
        "population",
    ])
    .map_err(csv_err)?;
    for c in &run.summary.classes {
        w.write_record([
            c.class.as_str(),
            &fmt_num(c.width),
            &c.zones.to_string(),
            &c.affected.villages.to_string(),
            &c.affected.households.to_string(),
            &c.affected.population.to_string(),
        ])
        .map_err(csv_err)?;
    }
    finish(w)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        ryu::Buffer::new().format(v).to_owned()
    }
}

/// Appends `"key":value` pairs to a JSON object's text, renaming a key the object already has.
fn extend_object(
    raw: &str,
    props: &crate::model::layer::Properties,
    extra: &[(&str, String)],
) -> String {
    let mut s = raw.trim_end().strip_suffix('}').unwrap_or("{").to_owned();
    let mut empty = s.trim() == "{";
    for (key, value) in extra {
        let key = if props.get_raw(key).is_some() {
            format!("hecun_{key}")
        } else {
            (*key).to_owned()
        };
        if !empty {
            s.push(',');
        }
        empty = false;
        let _ = write!(s, "{}:{value}", serde_json::Value::String(key));
    }
    s.push('}');
    s
}

fn affected_geojson(run: &AffectedRun, engine: CrsEngine, out: &OutputDir) -> Result<()> {
    let layer = &run.villages_layer;
    let to_wgs84 = Wgs84Writer::new(layer.crs, engine)?;
    out.write_features("affected_villages.geojson", &run.affected, |a| {
        let v = &run.villages[a.village];
        let f = &layer.features[v.feature];
        let classes = serde_json::to_string(&zone_classes(a, &run.zones)).unwrap_or_default();
        let props = extend_object(
            f.properties.raw(),
            &f.properties,
            &[
                ("fraction_inside", format!("{:.9}", a.fraction_inside)),
                ("zone_count", a.zones.len().to_string()),
                ("zone_classes", classes),
            ],
        );
        let mut s = String::with_capacity(props.len() + 512);
        s.push_str("{\"type\":\"Feature\",\"properties\":");
        s.push_str(&props);
        s.push_str(",\"geometry\":");
        to_wgs84.write(&mut s, &f.geometry)?;
        s.push('}');
        Ok(s)
    })
}

fn zones_geojson(run: &AffectedRun, engine: CrsEngine, out: &OutputDir) -> Result<()> {
    let to_wgs84 = Transformer::new(run.metric_crs, Crs::WGS84, engine)?;
    out.write_features("zones.geojson", &run.zones, |z| {
        let src = &run.sources[z.source];
        let props = serde_json::json!({
            "source_layer": src.layer,
            "source_id": src.id,
            "name": src.name,
            "class": z.class,
            "distance_m": z.distance,
        });
        let mut g = z.polygon.clone();
        to_wgs84.transform(&mut g)?;
        let mut s = String::with_capacity(4096);
        let _ = write!(
            s,
            "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":"
        );
        write_geometry(&mut s, &Geometry::MultiPolygon(g), Some(COMPUTED_SCALE));
        s.push('}');
        Ok(s)
    })
}

/// The summary in the source plan's terms, in Chinese with English alongside.
pub fn summary_text(run: &AffectedRun) -> String {
    let s = &run.summary;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "合村并城：拆迁范围内的村庄 / villages inside the demolition zones"
    );
    let _ = writeln!(
        t,
        "涉及行政村 {} 个（图层共 {} 个），{} 户，{} 人",
        s.total.villages, s.villages_in_layer, s.total.households, s.total.population
    );
    let _ = writeln!(
        t,
        "{} of {} villages, {} households, {} people",
        s.total.villages, s.villages_in_layer, s.total.households, s.total.population
    );
    for lang in [crate::report::Lang::ZhCn, crate::report::Lang::En] {
        let _ = writeln!(t, "{}", crate::report::words::counting_sentence(s, lang));
    }
    let _ = writeln!(
        t,
        "\n按范围类别 / by zone class (a village hit by two classes counts in both):"
    );
    for c in &s.classes {
        let _ = writeln!(
            t,
            "  {:<12} {:>6} m  {:>6} zones  {:>6} villages  {:>9} households  {:>10} people",
            c.class,
            fmt_num(c.width),
            c.zones,
            c.affected.villages,
            c.affected.households,
            c.affected.population
        );
    }
    let hit = s
        .townships
        .iter()
        .filter(|t| t.affected.villages > 0)
        .count();
    let _ = writeln!(
        t,
        "\n按乡镇 / by township: {hit} of {} townships have affected villages (townships.csv)",
        s.townships.len()
    );
    let _ = writeln!(
        t,
        "\nmetric CRS {}; {} zones; {} warnings",
        run.metric_crs,
        run.zones.len(),
        run.warnings.len()
    );
    for w in &run.warnings {
        let _ = writeln!(t, "  warning: {w}");
    }
    t
}

fn summary_json(run: &AffectedRun) -> String {
    let s = &run.summary;
    let totals = |t: &crate::pipeline::affected::Counts| serde_json::json!({"villages": t.villages, "households": t.households, "population": t.population});
    let value = serde_json::json!({
        "villages_in_layer": s.villages_in_layer,
        "affected": totals(&s.total),
        "metric_crs": run.metric_crs.to_string(),
        "zones": run.zones.len(),
        "classes": s.classes.iter().map(|c| serde_json::json!({
            "class": c.class, "width_m": c.width, "zones": c.zones, "affected": totals(&c.affected)
        })).collect::<Vec<_>>(),
        "townships": s.townships.iter().map(|t| serde_json::json!({
            "township": t.township, "villages_in_layer": t.villages_in_layer, "affected": totals(&t.affected)
        })).collect::<Vec<_>>(),
        "counting": s.counting,
        "below_share": matches!(s.counting, crate::pipeline::affected::Counting::MinShare { .. })
            .then(|| totals(&s.below_share)),
        "pro_rata": s.pro_rata,
        "warnings": run.warnings,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
