//! The rules engine: local rules as plugins that check and score planning candidates.
//!
//! One contract for every runtime ([`Manifest`]: name, version, contract version, kind,
//! parameters, limits and the plugin's own test cases); results that explain themselves
//! ([`Verdict`]: every failed criterion and every veto with its evidence). Rhai is the first
//! runtime ([`RhaiPlugin`]), WebAssembly the second (`WasmPlugin`, feature `wasm`); [`Plugin`]
//! loads either, as the manifest says.

mod candidate;
mod communities;
mod contract;
mod files;
mod grid_score;
mod launch;
mod plugin;
mod rhai_compile;
mod rhai_runtime;
mod scene;
mod score;
mod sites;
mod standard;
mod testing;
mod verdict;
mod wasm_answer;
#[cfg(feature = "wasm")]
mod wasm_runtime;

pub use candidate::{Candidate, FeatureNames, FeatureSink, Features, Value, helpers};
pub use communities::{Community, communities};
pub use contract::{
    CONTRACT_VERSION, Criterion, Kind, LIMIT_CEILINGS, Limits, Manifest, Runtime, TestCase,
};
pub use files::{MAX_MANIFEST_BYTES, MAX_MODULE_BYTES, MAX_SCRIPT_BYTES};
#[doc(hidden)]
pub use files::{PluginFile, plugin_paths, read_plugin_file};
pub use grid_score::{GRID_FEATURES, GridLayers, GridScores, GridSpec, score_cells, score_grid};
pub use launch::{
    LaunchRun, VETO_FIELD, VETO_UNKNOWN, check_communities, guard_veto, launch_csv, launch_input,
    launch_json, read_launch_fields, veto_unknown_criterion,
};
pub use plugin::Plugin;
pub use rhai_runtime::RhaiPlugin;
pub use scene::{SceneLayer, build_scene, read_scene_layer};
pub use score::{Outcome, Rank, Score, Term, rank};
pub use sites::{SITE_FEATURES, SiteScoreRun, site_candidates};
pub use standard::{
    COMMUNITY_FEATURES, StandardRun, community_candidates, land_use, zoning_shares,
};
pub use verdict::{Finding, StandardVerdict, Status, Verdict};
#[doc(hidden)]
pub use wasm_answer::decode_answer_buffer;
#[cfg(feature = "wasm")]
pub use wasm_runtime::{ABI_VERSION, WasmPlugin};
