//! hecun: spatial core of 合村并城 (village-merging) planning.
//!
//! Read planners' layers ([`read_geojson`]), build demolition zones along roads and
//! corridors ([`build_zones`]), and find which villages fall inside them and how much of each
//! ([`find_affected`], or the whole job with [`AffectedJob`]). Distances and areas are
//! computed in a metric CRS ([`Transformer`]).
//!
//! ```no_run
//! use hecun::{AffectedJob, CrsEngine, Crs, LayerKind, LayerSource, ZoneSpec};
//!
//! let job = AffectedJob {
//!     villages: LayerSource::new("villages.geojson", LayerKind::Villages),
//!     roads: LayerSource::new("roads.geojson", LayerKind::Roads),
//!     corridors: Some(LayerSource::new("corridors.geojson", LayerKind::Corridors)),
//!     townships: None,
//!     zones: ZoneSpec::from_pairs([("ring", 100.0), ("radial", 50.0), ("corridor", 0.0)])?,
//!     input_crs: Crs::WGS84,
//!     metric_crs: None,
//!     engine: CrsEngine::preferred(),
//!     keep_going: false,
//!     check_all: false,
//! };
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
//! use hecun::{AffectedJob, Crs, CrsEngine, LayerKind, LayerSource, RunControl, ZoneSpec};
//!
//! let villages = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!   "properties":{"编号":"v1","村名":"东村","户数":120,"人口":400},
//!   "geometry":{"type":"Polygon","coordinates":[[[113.600,34.700],[113.602,34.700],
//!     [113.602,34.702],[113.600,34.702],[113.600,34.700]]]}}]}"#;
//! let roads = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!   "properties":{"等级":"环线"},
//!   "geometry":{"type":"LineString","coordinates":[[113.599,34.701],[113.603,34.701]]}}]}"#;
//! let job = AffectedJob {
//!     villages: LayerSource::from_bytes("upload", villages.as_bytes(), LayerKind::Villages),
//!     roads: LayerSource::from_bytes("roads", roads.as_bytes(), LayerKind::Roads),
//!     corridors: None,
//!     townships: None,
//!     zones: ZoneSpec::from_pairs([("环线", 50.0)])?,
//!     input_crs: Crs::WGS84,
//!     metric_crs: None,
//!     engine: CrsEngine::preferred(),
//!     keep_going: false,
//!     check_all: false,
//! };
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
#![forbid(unsafe_code)]

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

pub use error::{Error, FeatureRef, Result};
pub use geometry::buffer::buffer;
pub use geometry::clip::clip_polygon;
pub use geometry::grid::{Grid, GridFeatures, NearestLine, cells_inside, grid_features};
pub use geometry::polygons;
pub use geometry::relate::{Relation, area_inside, relate};
pub use geometry::validate::check_simple;
pub use index::reach::ZoneIndex;
pub use index::spatial::{IndexedLayer, LayerItem, SpatialLayers};
pub use io::output_dir::OutputDir;
pub use io::read::{ReadOptions, ReadOutcome, parse_geojson, read_geojson};
pub use io::structure::check_structure;
pub use io::write_geometry;
pub use model::crs::{CoordRuns, Crs, CrsEngine, Transformer};
pub use model::layer::{Feature, Layer, Properties};
pub use model::schema::{FieldSpec, LayerKind, Schema};
pub use model::zone::{Zone, ZoneSpec, parse_width};
pub use model::{
    FLAG_ENCODINGS, Flag, LAUNCH_FIELDS, LaunchFields, Village, ZoneSource, read_flag, villages,
    zone_sources,
};
pub use pipeline::affected::Counts;
pub use pipeline::affected::{
    AffectedVillage, ClassTotal, Summary, Totals, TownshipTotal, find_affected, summarize,
    zone_classes,
};
pub use pipeline::control::RunControl;
pub use pipeline::job::LayerData;
pub use pipeline::job::{AffectedJob, AffectedRun, LayerSource, PreparedLayers};
pub use pipeline::outputs::{OutputSet, summary_text, write_affected, write_affected_into};
pub use pipeline::plan::{Plan, SiteScoring};
pub use pipeline::zones::build_zones;

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
