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

pub use error::{Error, FeatureRef, PluginFailure, Result};
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
pub use pipeline::affected::{
    AffectedVillage, ClassTotal, Summary, Totals, TownshipTotal, find_affected, summarize,
    zone_classes,
};
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
