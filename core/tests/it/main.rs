//! The library's integration tests, one module per subject, in one test executable: each
//! executable links wasmtime, Cranelift and Rhai again, so one instead of one per file saves
//! disk (0.97 GB of debug executables became 0.12 GB) and most of the link time.
//!
//! The tests of all modules run in parallel in this one process: a test keeps its files in
//! its own temporary folder and changes no process-wide state (environment, current folder,
//! rayon's global pool); the one thing written under the repository, the WebAssembly guests
//! (`plugins/target` and the modules copied into `plugins/*/wasm`), is built once, behind a
//! `OnceLock` (`common::build_modules`).

mod common;

mod aggregate_helpers;
mod brute_force;
mod embed;
mod errors;
mod fast_formats;
mod gdal_reader;
mod gpkg;
mod grid_nearest;
mod grid_oracle;
mod grid_score;
mod launch_reference;
mod reader_vs_geojson_crate;
mod reasons;
#[cfg(feature = "rhai")]
mod rhai_candidates;
#[cfg(feature = "rhai")]
mod rhai_compiled;
#[cfg(feature = "rhai")]
mod rhai_sandbox;
mod roster;
mod shapefile;
mod shapefile_out;
mod simple_vs_geo_validation;
mod site_score;
mod spatial_helpers;
#[cfg(all(feature = "rhai", feature = "wasm"))]
mod stages;
mod standard;
mod table;
mod wasm_hostile;
mod wasm_parity;
mod web_map;
mod workbook;
