//! hecun: spatial core and rules engine of 合村并城 (village-merging) planning.
//!
//! The affected-villages job ([`AffectedJob`], or a whole [`Plan`] file) reads planners'
//! layers ([`read_geojson`]), builds demolition zones along roads and corridors at a width per
//! class ([`ZoneSpec`]), and finds which villages fall inside them and how much of each
//! ([`AffectedRun`]: every village, the zones, the totals, the warnings). Distances and areas
//! are computed in a metric CRS ([`Transformer`]).
//!
//! Beyond it: [`jobs`] runs local rules over a plan (launch checks, site scores, planning
//! standards, grid scores) through the plugin engine in [`rules`] (Rhai scripts and
//! WebAssembly modules, sandboxed); [`run`] runs everything a plan lists and records it;
//! [`report`] turns a run into the planner's report. Errors are one [`Error`] with the file,
//! feature and field, and variants a caller can act on ([`PluginFailure`], [`CrsProblem`]).
//!
//! ```no_run
//! use hecun::{AffectedJob, LayerKind, LayerSource, ZoneSpec};
//!
//! let mut job = AffectedJob::new(
//!     LayerSource::new("villages.geojson", LayerKind::Villages),
//!     LayerSource::new("roads.geojson", LayerKind::Roads),
//!     ZoneSpec::from_pairs([("ring", 100.0), ("radial", 50.0), ("corridor", 0.0)])?,
//! );
//! job.corridors = Some(LayerSource::new("corridors.geojson", LayerKind::Corridors));
//! let run = job.run(&|_stage| {})?;
//! println!("{} villages affected", run.summary.total.villages);
//! # Ok::<(), hecun::Error>(())
//! ```
//!
//! # Embedding in a service
//!
//! Layers may come from memory (GeoJSON bytes or a parsed [`Layer`], see [`LayerSource`] and
//! [`Plan::use_layer_data`]); [`PreparedLayers`] run again at other widths without reading
//! anything; results are `Serialize`; [`AffectedRun::output_files`] gives the files as bytes;
//! [`RunControl`] makes progress optional and a run cancellable, with a deadline and a thread
//! pool. `core/examples/service.rs` is a small HTTP service.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use hecun::{AffectedJob, LayerKind, LayerSource, RunControl, ZoneSpec};
//!
//! let villages = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!   "properties":{"编号":"v1","村名":"东村","户数":120,"人口":400},
//!   "geometry":{"type":"Polygon","coordinates":[[[113.600,34.700],[113.602,34.700],
//!     [113.602,34.702],[113.600,34.702],[113.600,34.700]]]}}]}"#;
//! let roads = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!   "properties":{"等级":"环线"},
//!   "geometry":{"type":"LineString","coordinates":[[113.599,34.701],[113.603,34.701]]}}]}"#;
//! let job = AffectedJob::new(
//!     LayerSource::from_bytes("upload", villages.as_bytes(), LayerKind::Villages),
//!     LayerSource::from_bytes("roads", roads.as_bytes(), LayerKind::Roads),
//!     ZoneSpec::from_pairs([("环线", 50.0)])?,
//! );
//! let control = RunControl::default().deadline(Instant::now() + Duration::from_secs(10));
//! let run = job.run_controlled(&control)?;
//! let json = serde_json::to_value(&run.summary).unwrap();
//! assert_eq!(json["total"]["households"], 120);
//! let files = run.output_files(hecun::OutputSet::default(), job.engine)?;
//! assert!(files.iter().any(|(name, _)| name == "affected_villages.csv"));
//! # Ok::<(), hecun::Error>(())
//! ```
//!
//! The default feature `wasm` runs WebAssembly rule plugins with wasmtime and Cranelift,
//! most of the library's dependencies and build time; `default-features = false` leaves it
//! out and keeps everything else, Rhai plugins included.
#![deny(missing_docs)]
// No unsafe code, but for the calls into GDAL's C library in `io::gdal` (feature `gdal`),
// the one module allowed them.
#![cfg_attr(not(feature = "gdal"), forbid(unsafe_code))]
#![cfg_attr(feature = "gdal", deny(unsafe_code))]

mod error;
mod geometry;
mod index;
mod io;
pub mod jobs;
mod model;
mod pipeline;
pub mod report;
pub mod rules;
pub mod run;
mod warning;

pub use error::{CrsProblem, Error, FeatureRef, PluginFailure, Result};
pub use geometry::grid::{Grid, GridFeatures, grid_features};
pub use index::spatial::{Grouping, IndexedLayer, LayerItem, SpatialLayers, Tally};
pub use io::gpkg::write::{GPKG_NAME, write_outputs_gpkg};
pub use io::gpkg::{layer_names as gpkg_layer_names, read_geopackage};
pub use io::output_dir::OutputDir;
pub use io::read::{
    Format, ReadOptions, ReadOutcome, parse_geojson, parse_layer, read_geojson, read_layer,
};
pub use io::roster::{Roster, RosterRow, RosterTable, Wins, join_rosters, read_roster};
pub use io::wkb::{read_wkb, write_wkb};
pub use model::community::{Designation, parse_date, split_list};
pub use model::crs::{Crs, CrsEngine, Transformer};
pub use model::layer::{Feature, Layer, Properties};
pub use model::schema::{FieldSpec, LayerKind, Schema};
pub use model::webmap::{InputCrs, OutsideChina, WebMap};
pub use model::zone::{Zone, ZoneSpec, parse_width};
pub use model::{
    FLAG_ENCODINGS, Flag, LAUNCH_FIELDS, LaunchFields, Village, ZoneSource, read_flag,
};
pub use pipeline::affected::{AffectedVillage, ClassTotal, Summary, Totals, TownshipTotal};
pub use pipeline::affected::{Counting, Counts, Estimate};
pub use pipeline::control::RunControl;
pub use pipeline::job::{AffectedJob, AffectedRun, LayerSource, PreparedLayers};
pub use pipeline::job::{LayerData, LayerSettings};
pub use pipeline::outputs::{OutputSet, summary_text, write_affected, write_affected_into};
pub use pipeline::plan::{Plan, SiteScoring, TableSpec, TargetSpec};
pub use warning::{Warning, WarningKind};

/// Building blocks that the benchmarks, fuzzers and oracle tests call one stage at a time.
/// Not part of the supported API: they may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::geometry::buffer::buffer;
    pub use crate::geometry::clip::clip_polygon;
    pub use crate::geometry::grid::{NearestLine, cells_inside};
    pub use crate::geometry::polygons;
    pub use crate::geometry::relate::{Relation, area_inside, relate};
    pub use crate::geometry::validate::check_simple;
    pub use crate::index::reach::ZoneIndex;
    pub use crate::io::structure::check_structure;
    pub use crate::io::write_geometry;
    pub use crate::model::crs::CoordRuns;
    pub use crate::model::{villages, zone_sources};
    pub use crate::pipeline::affected::{find_affected, summarize, zone_classes};
    pub use crate::pipeline::zones::build_zones;
}

// A service shares jobs, runs, plans and plugins across threads: these must stay `Send + Sync`
// (a field that is not would fail the build here, not in a user's crate).
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<AffectedJob>();
    send_sync::<AffectedRun>();
    send_sync::<PreparedLayers>();
    send_sync::<Plan>();
    send_sync::<Transformer>();
    send_sync::<SpatialLayers>();
    send_sync::<run::PlanRun>();
    send_sync::<report::Report>();
    send_sync::<run::RunManifest>();
    send_sync::<rules::Plugin>();
    send_sync::<Error>();
};
