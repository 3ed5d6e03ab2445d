//! The affected-villages job, end to end: read, project, build zones, join, add up.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BoundingRect, Coord, Geometry, InteriorPoint, MultiPolygon};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::error::{Error, Result};
use crate::geometry::polygons;
use crate::geometry::validate::check_simple;
use crate::index::reach::{Pad, ZoneIndex};
use crate::io::read::{Format, ReadOptions, parse_layer, read_layer};
use crate::io::roster::{Roster, join_rosters};
use crate::model::crs::{Crs, CrsEngine, Transformer};
use crate::model::layer::Layer;
use crate::model::schema::{LayerKind, Schema};
use crate::model::webmap::{InputCrs, WebMap};
use crate::model::zone::{Zone, ZoneSpec};
use crate::model::{Village, ZoneSource, villages, zone_sources};
use crate::pipeline::affected::{
    AffectedVillage, Counting, Summary, apply_counting, counted_summary, find_affected,
};
use crate::pipeline::control::RunControl;
use crate::pipeline::zones::build_zones;

/// A layer and how to read its fields: a GeoJSON or Shapefile file
/// ([`read_layer`](crate::read_layer)), GeoJSON bytes already in memory, or a layer already
/// parsed ([`parse_geojson`](crate::parse_geojson)).
///
/// ```
/// use hecun::{LayerKind, LayerSource};
///
/// let bytes = br#"{"type":"FeatureCollection","features":[]}"#.to_vec();
/// let roads = LayerSource::from_bytes("roads (upload)", bytes, LayerKind::Roads);
/// assert!(roads.is_in_memory());
/// assert_eq!(roads.path.to_str(), Some("roads (upload)"));
/// ```
#[derive(Debug, Clone)]
pub struct LayerSource {
    /// The GeoJSON file; for a layer in memory, the name its messages use where a file's path
    /// would be.
    pub path: PathBuf,
    /// Which file field holds which model field.
    pub schema: Schema,
    /// Where the features come from: the file at `path`, or memory.
    pub data: LayerData,
    /// How the file is read: its format, encoding and CRS where the plan states them.
    pub settings: LayerSettings,
    /// Tables joined to the features by key, in order (`[[layers.NAME.rosters]]`).
    pub rosters: Vec<Roster>,
}

/// How a layer's file is read, where the plan (`[layers.NAME]`) or a flag says more than the
/// file does. Every field `None`: the file as it is (format by extension).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LayerSettings {
    /// The format (`format = "shapefile"`), in place of the extension's.
    pub format: Option<Format>,
    /// A Shapefile's text encoding (`encoding = "GBK"`), in place of its `.cpg`.
    pub encoding: Option<String>,
    /// Helmert parameters from a Xi'an 1980 / Beijing 1954 `.prj`'s datum to CGCS2000
    /// (`towgs84 = [dx, dy, dz, rx, ry, rz, ds]`).
    pub towgs84: Option<[f64; 7]>,
    /// The CRS the plan or a flag states (`crs = "EPSG:4547"`, `[crs] input`,
    /// `--input-crs`): a `.prj` naming another is an error; a file naming none is read in it.
    /// A web map's (`GCJ-02`, `BD-09`) is read as longitude/latitude and converted to WGS 84
    /// right after reading.
    pub crs: Option<InputCrs>,
    /// `crs` is the layer's own (`[layers.NAME] crs`), not the plan's `[crs] input`: only
    /// then does it stand against `--input-crs`, which replaces the plan's input for every
    /// layer that does not state its own.
    pub own_crs: bool,
    /// The layer of a source that holds several (`layer = "村界"`): a GeoPackage's table, a
    /// File Geodatabase's feature class; `None`: its only one.
    pub layer: Option<String>,
}

impl LayerSettings {
    /// States `crs` as the layer's CRS unless the layer states its own.
    pub fn state_input_crs(&mut self, crs: InputCrs) {
        if !self.own_crs {
            self.crs = Some(crs);
        }
    }
}

/// Where a [`LayerSource`]'s features come from. Memory is shared (`Arc`): cloning a source,
/// a job or a plan does not copy it.
#[derive(Debug, Clone, Default)]
pub enum LayerData {
    /// The file at the source's `path`, read on every run.
    #[default]
    File,
    /// GeoJSON text in memory, parsed on every run as a file's would be.
    Bytes(Arc<[u8]>),
    /// A layer already parsed: its features, ids and CRS are used as they are (each run works
    /// on a copy, as the job keeps the villages layer in its results).
    Parsed(Arc<Layer>),
}

impl LayerSource {
    /// A file read with the default field names of its kind.
    pub fn new(path: impl Into<PathBuf>, kind: LayerKind) -> LayerSource {
        LayerSource {
            path: path.into(),
            schema: Schema::new(kind),
            data: LayerData::File,
            settings: LayerSettings::default(),
            rosters: Vec::new(),
        }
    }

    /// GeoJSON bytes in memory (an upload, a database blob), read with the default field
    /// names of `kind`; `name` stands for the file in messages.
    pub fn from_bytes(
        name: impl Into<PathBuf>,
        bytes: impl Into<Arc<[u8]>>,
        kind: LayerKind,
    ) -> LayerSource {
        LayerSource {
            path: name.into(),
            schema: Schema::new(kind),
            data: LayerData::Bytes(bytes.into()),
            settings: LayerSettings::default(),
            rosters: Vec::new(),
        }
    }

    /// A layer already parsed (from [`parse_geojson`](crate::parse_geojson), or built from
    /// `geo` types); its `path` names it in messages.
    pub fn from_layer(layer: impl Into<Arc<Layer>>, kind: LayerKind) -> LayerSource {
        let layer = layer.into();
        LayerSource {
            path: layer.path.clone(),
            schema: Schema::new(kind),
            data: LayerData::Parsed(layer),
            settings: LayerSettings::default(),
            rosters: Vec::new(),
        }
    }

    /// The same source with `schema` for its fields (a plan's or a caller's field names).
    pub fn with_schema(mut self, schema: Schema) -> LayerSource {
        self.schema = schema;
        self
    }

    /// The same source with its own CRS (an EPSG code or a web map's: see
    /// [`LayerSettings::crs`]).
    pub fn with_crs(mut self, crs: InputCrs) -> LayerSource {
        self.settings.crs = Some(crs);
        self.settings.own_crs = true;
        self
    }

    /// The same source read as `settings` say (format, encoding, CRS).
    pub fn with_settings(mut self, settings: LayerSettings) -> LayerSource {
        self.settings = settings;
        self
    }

    /// The same source with `roster` joined to its features (after those already listed).
    pub fn with_roster(mut self, roster: Roster) -> LayerSource {
        self.rosters.push(roster);
        self
    }

    /// Whether the features are in memory rather than in the file at `path`.
    pub fn is_in_memory(&self) -> bool {
        !matches!(self.data, LayerData::File)
    }

    /// Reads the layer, naming features by the schema's id field (a parsed layer keeps the
    /// ids it was parsed with); `default_crs` is the CRS of a file that names none, unless
    /// the source has its own ([`LayerSettings::crs`]). Web-map coordinates are converted to
    /// WGS 84, then the rosters are joined.
    pub fn read(&self, default_crs: Crs, keep_going: bool) -> Result<crate::io::read::ReadOutcome> {
        self.read_with(default_crs, keep_going, false)
    }

    /// [`LayerSource::read`] as a table keyed by id: features without geometry are read
    /// (see [`ReadOptions::attributes_only`]).
    pub fn read_attributes(
        &self,
        default_crs: Crs,
        keep_going: bool,
    ) -> Result<crate::io::read::ReadOutcome> {
        self.read_with(default_crs, keep_going, true)
    }

    fn read_with(
        &self,
        default_crs: Crs,
        keep_going: bool,
        attributes_only: bool,
    ) -> Result<crate::io::read::ReadOutcome> {
        let default_crs = self.settings.crs.map_or(default_crs, InputCrs::read_as);
        let mut outcome = self.read_features(default_crs, keep_going, attributes_only)?;
        if let Some(web_map) = self.settings.crs.and_then(InputCrs::web_map) {
            from_web_map(&mut outcome, web_map, keep_going)?;
        }
        if !self.rosters.is_empty() {
            join_rosters(&mut outcome.layer, &self.rosters, &mut outcome.warnings)?;
        }
        Ok(outcome)
    }

    fn read_features(
        &self,
        default_crs: Crs,
        keep_going: bool,
        attributes_only: bool,
    ) -> Result<crate::io::read::ReadOutcome> {
        let settings = &self.settings;
        let options = ReadOptions {
            default_crs,
            id_fields: self
                .schema
                .candidates("id")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            keep_going,
            attributes_only,
            format: settings.format,
            encoding: settings.encoding.clone(),
            towgs84: settings.towgs84,
            declared_crs: settings.crs.map(InputCrs::read_as),
            layer: settings.layer.clone(),
        };
        // An office's table without geometry (a communities roster in a workbook): only
        // where the plan reads attributes by id.
        if settings.format.is_none() && crate::io::roster::Roster::is_table(&self.path) {
            if !attributes_only {
                return Err(Error::format(
                    &self.path,
                    "is a table without geometry (a workbook or CSV file): only \
                     [layers.communities] may be one; give this layer as a GIS file, or \
                     join the table to it as a roster ([[layers.NAME.rosters]])",
                ));
            }
            return crate::io::roster::read_table_layer(
                &self.path,
                settings.layer.as_deref(),
                settings.encoding.as_deref(),
                &options.id_fields,
            );
        }
        match &self.data {
            LayerData::File => read_layer(&self.path, &options),
            LayerData::Bytes(bytes) => parse_layer(&self.path, bytes, &options),
            LayerData::Parsed(layer) => Ok(crate::io::read::ReadOutcome {
                layer: Layer::clone(layer),
                skipped: Vec::new(),
                warnings: Vec::new(),
            }),
        }
    }
}

/// Converts a layer read as EPSG:4326 from `web_map`'s offset coordinates to WGS 84; a
/// feature with a point outside China (where the offset is not defined) is an error naming
/// it, or skipped (`keep_going`: in the outcome's `skipped`, which callers report).
fn from_web_map(
    outcome: &mut crate::io::read::ReadOutcome,
    web_map: WebMap,
    keep_going: bool,
) -> Result<()> {
    let layer = &mut outcome.layer;
    if layer.crs != Crs::WGS84 {
        return Err(Error::crs(
            crate::error::CrsProblem::Unknown,
            format!(
                "{}: the file says its coordinates are in {}, but the plan (or --input-crs) says \
                 {web_map}: a web map's coordinates are longitude/latitude; remove one of the two",
                layer.path.display(),
                layer.crs
            ),
        ));
    }
    let path = layer.path.clone();
    let results: Vec<Result<()>> = layer
        .features
        .par_iter_mut()
        .map(|f| {
            web_map.geometry_to_wgs84(&mut f.geometry).map_err(|e| {
                Error::feature(
                    crate::error::FeatureRef {
                        path: path.clone(),
                        index: f.index,
                        id: f.id.clone(),
                    },
                    Some("geometry"),
                    e.to_string(),
                )
            })
        })
        .collect();
    let mut bad = Vec::new();
    for (k, r) in results.into_iter().enumerate() {
        if let Err(e) = r {
            if !keep_going {
                return Err(e);
            }
            bad.push(k);
            outcome.skipped.push(e);
        }
    }
    if !bad.is_empty() {
        let mut k = 0;
        layer.features.retain(|_| {
            let keep = bad.binary_search(&k).is_err();
            k += 1;
            keep
        });
        if layer.features.is_empty() {
            return Err(Error::EmptyLayer { path });
        }
    }
    Ok(())
}

/// Everything the affected-villages job needs. Build it directly, or from a plan file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AffectedJob {
    /// The villages layer.
    pub villages: LayerSource,
    /// The roads layer.
    pub roads: LayerSource,
    /// The ecological corridors layer, if any.
    pub corridors: Option<LayerSource>,
    /// The townships layer: gives villages without a township field their township.
    pub townships: Option<LayerSource>,
    /// Zone widths per class.
    pub zones: ZoneSpec,
    /// The CRS of files that do not name one.
    pub input_crs: Crs,
    /// Where distances and areas are computed; `None`: the CGCS2000 3-degree zone of the data.
    pub metric_crs: Option<Crs>,
    /// Which library transforms coordinates.
    pub engine: CrsEngine,
    /// Skip unusable features with a warning instead of failing.
    pub keep_going: bool,
    /// Check every village's rings, not only those of villages near a zone (whose areas the
    /// job computes). Costs about 10% more; off, a broken village far from every zone passes.
    pub check_all: bool,
    /// Which villages count as inside the zones, and how (whole, from a minimum share of
    /// their area, or with a pro-rata estimate): stated in every summary.
    pub counting: Counting,
}

/// What the job found, with what it read and built along the way.
#[derive(Debug)]
#[non_exhaustive]
pub struct AffectedRun {
    /// The villages layer as read (geometries in its own CRS).
    pub villages_layer: Layer,
    /// The villages' model fields, parallel to `villages_layer.features`.
    pub villages: Vec<Village>,
    /// Roads and corridors that zones were built from (geometries in the metric CRS).
    pub sources: Vec<ZoneSource>,
    /// One zone per source, in the metric CRS.
    pub zones: Vec<Zone>,
    /// The CRS distances and areas were computed in.
    pub metric_crs: Crs,
    /// The villages counted as inside the zones (see [`AffectedJob::counting`]), in layer
    /// order.
    pub affected: Vec<AffectedVillage>,
    /// With a minimum share: the villages a zone touches that are not counted, in layer order.
    pub below_share: Vec<AffectedVillage>,
    /// Totals.
    pub summary: Summary,
    /// Features skipped (`keep_going`) and other things the planner should know.
    pub warnings: Vec<crate::Warning>,
    /// Wall time of each stage.
    pub timings: Vec<(&'static str, Duration)>,
    /// Villages whose geometry was projected and tested exactly (the rest were far from zones).
    pub villages_tested: usize,
}

impl AffectedJob {
    /// A job over `villages` and `roads` with zone widths `zones`, and the defaults for the
    /// rest (no corridors, no townships layer, input CRS EPSG:4326, the CGCS2000 3-degree
    /// zone of the data as metric CRS, the preferred CRS engine, no `keep_going` or
    /// `check_all`): set the public fields for anything else.
    pub fn new(villages: LayerSource, roads: LayerSource, zones: ZoneSpec) -> AffectedJob {
        AffectedJob {
            villages,
            roads,
            corridors: None,
            townships: None,
            zones,
            input_crs: Crs::WGS84,
            metric_crs: None,
            engine: CrsEngine::preferred(),
            keep_going: false,
            check_all: false,
            counting: Counting::Whole,
        }
    }

    /// Runs the job; `progress` is told the name of each stage as it starts.
    pub fn run(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<AffectedRun> {
        self.run_controlled(&RunControl::default().progress(progress))
    }

    /// Runs the job as `control` asks: progress (optional), cancellation and a deadline
    /// ([`Error::Cancelled`]), a thread pool.
    pub fn run_controlled(&self, control: &RunControl) -> Result<AffectedRun> {
        control.install(|| self.run_inner(control))
    }

    fn run_inner(&self, control: &RunControl) -> Result<AffectedRun> {
        let prepared = self.prepare_inner(control)?;
        let joined = prepared.join(&self.zones, control)?;
        let PreparedLayers {
            villages_layer,
            villages,
            sources,
            metric_crs,
            warnings,
            timings,
            ..
        } = prepared;
        Ok(joined.into_run(
            villages_layer,
            villages,
            sources,
            metric_crs,
            warnings,
            timings,
        ))
    }

    /// Reads the layers, checks their fields and projects the roads and corridors: the part of
    /// the job that does not depend on the zone widths (a width sweep does it once).
    pub fn prepare(&self, progress: &(dyn Fn(&str) + Sync)) -> Result<PreparedLayers> {
        self.prepare_controlled(&RunControl::default().progress(progress))
    }

    /// [`AffectedJob::prepare`] as `control` asks (see [`AffectedJob::run_controlled`]).
    pub fn prepare_controlled(&self, control: &RunControl) -> Result<PreparedLayers> {
        control.install(|| self.prepare_inner(control))
    }

    fn prepare_inner(&self, control: &RunControl) -> Result<PreparedLayers> {
        let mut laps = Laps::start();
        let mut warnings = Vec::new();

        control.stage("load")?;
        let read = |source: &LayerSource, warnings: &mut Vec<crate::Warning>| -> Result<Layer> {
            let outcome = source.read(self.input_crs, self.keep_going)?;
            warnings.extend(outcome.warnings);
            warnings.extend(outcome.skipped.iter().map(crate::Warning::skipped));
            Ok(outcome.layer)
        };
        // The two large files are read side by side: each read has a sequential part (the
        // file itself, and splitting it into features) that the other can overlap.
        let (mut road_warnings, mut village_warnings) = (Vec::new(), Vec::new());
        let (village_layer, road_layer) = rayon::join(
            || read(&self.villages, &mut village_warnings),
            || read(&self.roads, &mut road_warnings),
        );
        let (village_layer, road_layer) = (village_layer?, road_layer?);
        warnings.append(&mut village_warnings);
        warnings.append(&mut road_warnings);
        let corridor_layer = self
            .corridors
            .as_ref()
            .map(|c| read(c, &mut warnings))
            .transpose()?;
        let township_layer = self
            .townships
            .as_ref()
            .map(|t| read(t, &mut warnings))
            .transpose()?;
        if let Some(layer) = &township_layer {
            // A township drawn as a line or point would never hold a village: its villages
            // would be left without a township, without a word.
            if let Some(f) = layer
                .features
                .iter()
                .find(|f| !matches!(f.geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_)))
            {
                return Err(Error::feature(
                    layer.feature_ref(f),
                    Some("geometry"),
                    format!(
                        "a township must be a Polygon or MultiPolygon, not {}",
                        crate::model::geometry_kind(&f.geometry)
                    ),
                ));
            }
        }
        let (mut village_list, skipped) =
            villages(&village_layer, &self.villages.schema, self.keep_going)?;
        warnings.extend(skipped.iter().map(crate::Warning::skipped));
        if village_list.is_empty() {
            return Err(Error::EmptyLayer {
                path: village_layer.path.clone(),
            });
        }
        // Every household has at least one person: more households than people is a typo or
        // swapped columns, and it would be summed as it is.
        let schema = &self.villages.schema;
        warnings.extend(
            village_list
                .iter()
                .filter(|v| v.households > v.population)
                .map(|v| {
                    let feature = &village_layer.features[v.feature];
                    let field = |model: &str| {
                        crate::model::file_field(feature, schema, model)
                            .unwrap_or_else(|| model.to_owned())
                    };
                    let (households, population) = (field("households"), field("population"));
                    let at = village_layer.feature_ref(feature);
                    let message = format!(
                        "{at}: field {households:?} ({}) exceeds field {population:?} ({}): more \
                         households than people (swapped columns?); the values are used as they \
                         are",
                        v.households, v.population
                    );
                    let zh = format!(
                        "{}：字段 {households:?}（{}）大于字段 {population:?}（{}）：户数多于人口\
                         （两列是否填反？）；数值按原样使用",
                        crate::warning::feature_zh(&at),
                        v.households,
                        v.population
                    );
                    crate::Warning::new(crate::WarningKind::ImplausibleValue, message, zh)
                        .with_feature(&at)
                        .with_field(households)
                        .with_value(v.households)
                }),
        );
        let (mut sources, skipped) = zone_sources(
            "roads",
            &road_layer,
            &self.roads.schema,
            None,
            self.keep_going,
        )?;
        warnings.extend(skipped.iter().map(crate::Warning::skipped));
        if let (Some(layer), Some(src)) = (&corridor_layer, &self.corridors) {
            let (more, skipped) = zone_sources(
                "corridors",
                layer,
                &src.schema,
                Some("corridor"),
                self.keep_going,
            )?;
            warnings.extend(skipped.iter().map(crate::Warning::skipped));
            sources.extend(more);
        }
        if let (Some(layer), Some(src)) = (&township_layer, &self.townships) {
            assign_townships(
                &mut village_list,
                &village_layer,
                layer,
                &src.schema,
                self.engine,
            )?;
        }
        laps.lap("load");

        control.stage("project")?;
        let metric_crs = village_layer.metric_crs(self.metric_crs, "distances and areas")?;
        warnings.extend(outside_area_of_use(
            &village_layer,
            &village_list,
            metric_crs,
            self.engine,
        )?);
        // The sources hold what is needed of the roads and corridors from here on.
        let road_crs = road_layer.crs;
        let corridor_crs = corridor_layer.as_ref().map_or(road_crs, |c| c.crs);
        drop((road_layer, corridor_layer, township_layer));
        let mut by_layer: Vec<(Crs, Transformer)> = Vec::new();
        for crs in [road_crs, corridor_crs] {
            if !by_layer.iter().any(|(c, _)| *c == crs) {
                by_layer.push((crs, Transformer::new(crs, metric_crs, self.engine)?));
            }
        }
        let layer_crs = |s: &ZoneSource| {
            if s.layer == "roads" {
                road_crs
            } else {
                corridor_crs
            }
        };
        // The sources in the villages' CRS, for ruling villages out before projecting them.
        let to_village_crs: Vec<(Crs, Transformer)> = by_layer
            .iter()
            .map(|(c, _)| Transformer::new(*c, village_layer.crs, self.engine).map(|t| (*c, t)))
            .collect::<Result<_>>()?;
        let native: Vec<Geometry<f64>> = sources
            .par_iter()
            .map(|s| {
                let crs = layer_crs(s);
                let (_, t) = to_village_crs
                    .iter()
                    .find(|(c, _)| *c == crs)
                    .expect("a transformer per layer CRS");
                let mut g = s.geometry.clone();
                t.transform(&mut g)
                    .map_err(|e| Error::feature(s.at.clone(), Some("geometry"), e.to_string()))?;
                Ok(g)
            })
            .collect::<Result<_>>()?;
        sources.par_iter_mut().try_for_each(|s| {
            let crs = layer_crs(s);
            let (_, t) = by_layer
                .iter()
                .find(|(c, _)| *c == crs)
                .expect("a transformer per layer CRS");
            t.transform(&mut s.geometry)
                .map_err(|e| Error::feature(s.at.clone(), Some("geometry"), e.to_string()))
        })?;
        laps.lap("project");

        Ok(PreparedLayers {
            villages_layer: village_layer,
            villages: village_list,
            sources,
            native,
            metric_crs,
            engine: self.engine,
            keep_going: self.keep_going,
            counting: self.counting,
            check_all: self.check_all,
            warnings,
            timings: laps.timings,
        })
    }
}

/// A job's layers read, checked and projected ([`AffectedJob::prepare`]): what every set of
/// zone widths shares. [`PreparedLayers::summary_with`] joins them with other widths.
#[derive(Debug)]
pub struct PreparedLayers {
    villages_layer: Layer,
    villages: Vec<Village>,
    /// Roads and corridors in the metric CRS.
    sources: Vec<ZoneSource>,
    /// The same in the villages' CRS, to rule villages out before projecting them.
    native: Vec<Geometry<f64>>,
    metric_crs: Crs,
    /// The job's settings the join needs.
    engine: CrsEngine,
    keep_going: bool,
    check_all: bool,
    counting: Counting,
    warnings: Vec<crate::Warning>,
    timings: Vec<(&'static str, Duration)>,
}

/// Wall time of each stage, as the stages end.
struct Laps {
    clock: Instant,
    timings: Vec<(&'static str, Duration)>,
}

impl Laps {
    fn start() -> Laps {
        Laps {
            clock: Instant::now(),
            timings: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        self.timings.push((stage, self.clock.elapsed()));
        self.clock = Instant::now();
    }
}

/// The width-dependent part of a run.
struct Joined {
    zones: Vec<Zone>,
    affected: Vec<AffectedVillage>,
    below_share: Vec<AffectedVillage>,
    summary: Summary,
    /// The villages kept (indices), when some could not be tested (`keep_going`); `None`: all.
    kept: Option<Vec<usize>>,
    warnings: Vec<crate::Warning>,
    timings: Vec<(&'static str, Duration)>,
    villages_tested: usize,
}

impl Joined {
    /// The run this join completes, from the prepared parts it was joined from.
    fn into_run(
        self,
        villages_layer: Layer,
        mut villages: Vec<Village>,
        sources: Vec<ZoneSource>,
        metric_crs: Crs,
        mut warnings: Vec<crate::Warning>,
        mut timings: Vec<(&'static str, Duration)>,
    ) -> AffectedRun {
        if let Some(kept) = &self.kept {
            let mut keep = vec![false; villages.len()];
            for &k in kept {
                keep[k] = true;
            }
            let mut flags = keep.into_iter();
            villages.retain(|_| flags.next().unwrap_or(false));
        }
        warnings.extend(self.warnings);
        timings.extend(self.timings);
        AffectedRun {
            villages_layer,
            villages,
            sources,
            zones: self.zones,
            metric_crs,
            affected: self.affected,
            below_share: self.below_share,
            summary: self.summary,
            warnings,
            timings,
            villages_tested: self.villages_tested,
        }
    }
}

impl PreparedLayers {
    /// The totals with zones of the widths `spec` gives (the job's other settings as they
    /// are): what [`AffectedJob::run`] with those widths would sum up, without reading the
    /// files again.
    pub fn summary_with(&self, spec: &ZoneSpec) -> Result<Summary> {
        Ok(self.join(spec, &RunControl::default())?.summary)
    }

    /// The whole run with zones of the widths `spec` gives: what [`AffectedJob::run`] with
    /// those widths returns (villages, zones, affected villages, totals, warnings), without
    /// reading the files again. Its timings are the preparation's followed by this join's.
    pub fn run_with(&self, spec: &ZoneSpec) -> Result<AffectedRun> {
        self.run_controlled(spec, &RunControl::default())
    }

    /// [`PreparedLayers::run_with`] as `control` asks (see [`AffectedJob::run_controlled`]).
    pub fn run_controlled(&self, spec: &ZoneSpec, control: &RunControl) -> Result<AffectedRun> {
        let joined = control.install(|| self.join(spec, control))?;
        Ok(joined.into_run(
            self.villages_layer.clone(),
            self.villages.clone(),
            self.sources.clone(),
            self.metric_crs,
            self.warnings.clone(),
            self.timings.clone(),
        ))
    }

    /// The villages layer as read (geometries in its own CRS).
    pub fn villages_layer(&self) -> &Layer {
        &self.villages_layer
    }

    /// The villages' model fields, parallel to the layer's features.
    pub fn villages(&self) -> &[Village] {
        &self.villages
    }

    /// The CRS distances and areas are computed in.
    pub fn metric_crs(&self) -> Crs {
        self.metric_crs
    }

    /// What reading and checking the layers found (features skipped, fields to look at).
    pub fn warnings(&self) -> &[crate::Warning] {
        &self.warnings
    }

    fn join(&self, spec: &ZoneSpec, control: &RunControl) -> Result<Joined> {
        let mut laps = Laps::start();
        let mut warnings = Vec::new();
        let (village_layer, metric_crs) = (&self.villages_layer, self.metric_crs);

        control.stage("buffer")?;
        let zones = build_zones(&self.sources, spec)?;
        let pad = if village_layer.crs.is_geographic() {
            Pad::Degrees
        } else if village_layer.crs == metric_crs {
            Pad::Metres { slack: 1.0 + 1e-6 }
        } else {
            Pad::Metres { slack: 1.01 }
        };
        let (index, near) = rayon::join(
            || ZoneIndex::new(&zones, &self.sources),
            || {
                let items = zones.iter().enumerate();
                ZoneIndex::build(
                    items.map(|(i, z)| (i, &self.native[z.source], z.distance)),
                    pad,
                )
            },
        );
        laps.lap("buffer");

        control.stage("join")?;
        // Only villages near a zone are projected and tested: the rest are ruled out in their
        // own CRS, against padded boxes around the roads and corridors in that CRS.
        let to_metric = Transformer::new(village_layer.crs, metric_crs, self.engine)?;
        let tested: Vec<Result<Option<MultiPolygon<f64>>>> = self
            .villages
            .par_iter()
            .map(|v| {
                // A stopped run skips the rest of the villages; it is reported below, not
                // as a village that could not be tested (which `keep_going` would skip).
                if control.stop_reason().is_some() {
                    return Ok(None);
                }
                let f = &village_layer.features[v.feature];
                let Some(bbox) = f.geometry.bounding_rect() else {
                    return Ok(None);
                };
                let bad = |problem: String| {
                    Error::feature(village_layer.feature_ref(f), Some("geometry"), problem)
                };
                let check = || match &f.geometry {
                    Geometry::Polygon(p) => check_simple(p).map_err(bad),
                    Geometry::MultiPolygon(mp) => {
                        mp.0.iter().try_for_each(|p| check_simple(p).map_err(bad))
                    }
                    _ => Ok(()),
                };
                if !near.may_touch(bbox, first_coord(&f.geometry)) {
                    return if self.check_all {
                        check().map(|()| None)
                    } else {
                        Ok(None)
                    };
                }
                check()?;
                let mut g = polygons(&f.geometry);
                to_metric
                    .transform(&mut g)
                    .map_err(|e| bad(e.to_string()))?;
                Ok(Some(counter_clockwise(g)))
            })
            .collect();
        control.check("join")?;
        // A village that cannot be tested is dropped with its geometry (`keep_going`).
        let mut kept = Vec::with_capacity(self.villages.len());
        let mut geometries = Vec::with_capacity(self.villages.len());
        for (i, tested) in tested.into_iter().enumerate() {
            match tested {
                Ok(g) => {
                    kept.push(i);
                    geometries.push(g);
                }
                Err(e) if self.keep_going => warnings.push(crate::Warning::skipped(&e)),
                Err(e) => return Err(e),
            }
        }
        let villages_tested = geometries.iter().filter(|g| g.is_some()).count();
        let mut affected = find_affected(&geometries, &zones, &index);
        let below_share = apply_counting(&mut affected, self.counting);
        control.check("join")?;
        laps.lap("join");

        control.stage("aggregate")?;
        let all_kept = kept.len() == self.villages.len();
        let count = |villages: &[Village]| {
            counted_summary(
                villages,
                &affected,
                &below_share,
                &zones,
                spec,
                self.counting,
            )
        };
        let summary = if all_kept {
            count(&self.villages)
        } else {
            let villages: Vec<Village> = kept.iter().map(|&i| self.villages[i].clone()).collect();
            count(&villages)
        };
        laps.lap("aggregate");

        Ok(Joined {
            zones,
            affected,
            below_share,
            summary,
            kept: (!all_kept).then_some(kept),
            warnings,
            timings: laps.timings,
            villages_tested,
        })
    }
}

/// Villages farther than this (degrees) outside the metric CRS's area of use are named in a
/// warning: there, distances and areas are distorted more than the CRS is meant for.
pub const AREA_OF_USE_MARGIN_DEG: f64 = 0.5;

/// At most this many villages are named one by one; the rest are counted.
const AREA_OF_USE_NAMED: usize = 20;

/// Warnings naming the villages outside the metric CRS's area of use (by their first
/// position): the whole layer is checked at once first, so that data inside costs nothing.
fn outside_area_of_use(
    layer: &Layer,
    villages: &[Village],
    metric: Crs,
    engine: CrsEngine,
) -> Result<Vec<crate::Warning>> {
    let Some(area) = metric.area_of_use() else {
        return Ok(Vec::new());
    };
    let to_lonlat = if layer.crs.is_geographic() {
        None
    } else {
        Some(Transformer::new(layer.crs, Crs::WGS84, engine)?)
    };
    let lonlat = |mut c: Coord<f64>| -> Option<Coord<f64>> {
        if let Some(t) = &to_lonlat {
            let mut one = [c];
            t.transform_coords(&mut one).ok()?;
            c = one[0];
        }
        Some(c)
    };
    let far = |c: Coord<f64>| area.outside_by(c.x, c.y).0 > AREA_OF_USE_MARGIN_DEG;
    if let Some(b) = layer.bbox() {
        let (lo, hi) = (b.min(), b.max());
        let corners = [
            lo,
            hi,
            Coord { x: lo.x, y: hi.y },
            Coord { x: hi.x, y: lo.y },
        ];
        if corners.iter().all(|&c| lonlat(c).is_some_and(|c| !far(c))) {
            return Ok(Vec::new());
        }
    }
    let outside: Vec<(usize, Coord<f64>)> = villages
        .par_iter()
        .enumerate()
        .filter_map(|(k, v)| {
            let c = lonlat(first_any_coord(&layer.features[v.feature].geometry)?)?;
            far(c).then_some((k, c))
        })
        .collect();
    let mut warnings: Vec<crate::Warning> = outside
        .iter()
        .take(AREA_OF_USE_NAMED)
        .map(|&(k, c)| {
            let v = &villages[k];
            let (by, side) = area.outside_by(c.x, c.y);
            let at = layer.feature_ref(&layer.features[v.feature]);
            let message = format!(
                "{at}: village {:?} lies at ({:.4}, {:.4}), {by:.1}° {side} of the area of use of \
                 the metric CRS {metric} ({area}): its distances and areas are distorted; name \
                 a metric CRS that covers it ([crs] metric in the plan, or --metric-crs)",
                v.name, c.x, c.y
            );
            let zh = format!(
                "{}：村庄 {:?} 位于 ({:.4}, {:.4})，在度量坐标系 {metric}（{area}）适用范围\
                 以{}{by:.1}°：其距离与面积会失真；请指定覆盖它的度量坐标系（plan 中的 [crs] \
                 metric，或 --metric-crs）",
                crate::warning::feature_zh(&at),
                v.name,
                c.x,
                c.y,
                side_zh(side)
            );
            crate::Warning::new(crate::WarningKind::OutsideCrsArea, message, zh)
                .with_feature(&at)
                .with_field("geometry")
                .with_value(format!("({:.4}, {:.4})", c.x, c.y))
        })
        .collect();
    if outside.len() > AREA_OF_USE_NAMED {
        let message = format!(
            "{}: {} more villages lie outside the area of use of the metric CRS {metric} ({area})",
            layer.path.display(),
            outside.len() - AREA_OF_USE_NAMED
        );
        let zh = format!(
            "{}：另有 {} 个村庄位于度量坐标系 {metric}（{area}）的适用范围之外",
            layer.path.display(),
            outside.len() - AREA_OF_USE_NAMED
        );
        warnings.push(
            crate::Warning::new(crate::WarningKind::OutsideCrsArea, message, zh)
                .with_file(layer.path.display()),
        );
    }
    Ok(warnings)
}

/// A side of an area of use ([`crate::model::crs`]'s `west`, `east`, …) in 简体中文.
fn side_zh(side: &str) -> &str {
    match side {
        "west" => "西",
        "east" => "东",
        "south" => "南",
        "north" => "北",
        other => other,
    }
}

/// The first position of any geometry.
fn first_any_coord(g: &Geometry<f64>) -> Option<Coord<f64>> {
    use geo::CoordsIter;
    g.coords_iter().next()
}

/// The first coordinate of a polygonal geometry, without copying it.
fn first_coord(g: &Geometry<f64>) -> Option<Coord<f64>> {
    match g {
        Geometry::Polygon(p) => p.exterior().0.first().copied(),
        Geometry::MultiPolygon(mp) => mp.0.first()?.exterior().0.first().copied(),
        _ => None,
    }
}

/// Exteriors counter-clockwise and holes clockwise, as the non-zero overlay needs; most files
/// already have them so (RFC 7946 asks for it), and those are not copied.
fn counter_clockwise(g: MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::orient::{Direction, Orient};
    use geo::winding_order::Winding;
    let good =
        g.0.iter()
            .all(|p| p.exterior().is_ccw() && p.interiors().iter().all(|r| r.is_cw()));
    if good {
        g
    } else {
        g.orient(Direction::Default)
    }
}

/// Gives villages without a township the township whose polygon holds an interior point of them.
fn assign_townships(
    villages: &mut [Village],
    village_layer: &Layer,
    townships: &Layer,
    schema: &Schema,
    engine: CrsEngine,
) -> Result<()> {
    if villages.iter().all(|v| !v.township.is_empty()) {
        return Ok(());
    }
    let to_village_crs = Transformer::new(townships.crs, village_layer.crs, engine)?;
    let mut named = Vec::new();
    for f in &townships.features {
        let name = schema
            .candidates("name")
            .into_iter()
            .find_map(|n| {
                f.properties
                    .get_raw(n)
                    .and_then(crate::model::layer::id_text)
            })
            .or_else(|| f.id.clone())
            .unwrap_or_else(|| f.index.to_string());
        let mut g = polygons(&f.geometry);
        to_village_crs.transform(&mut g)?;
        if let Some(b) = g.bounding_rect() {
            named.push(GeomWithData::new(
                Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                (name, g),
            ));
        }
    }
    let tree = RTree::bulk_load(named);
    villages
        .par_iter_mut()
        .filter(|v| v.township.is_empty())
        .for_each(|v| {
            let Some(p) = village_layer.features[v.feature].geometry.interior_point() else {
                return;
            };
            let at = AABB::from_point([p.x(), p.y()]);
            if let Some(t) = tree
                .locate_in_envelope_intersecting(at)
                .find(|t| t.data.1.coordinate_position(&p.0) != CoordPos::Outside)
            {
                v.township = t.data.0.clone();
            }
        });
    Ok(())
}
