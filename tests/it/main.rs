//! The integration tests of the `hecun` binary, one module per subject, in one test
//! executable: each executable links its own copy of what it uses (for the library, wasmtime,
//! Cranelift and Rhai), so one instead of one per file saves disk and link time.
//!
//! The tests of all modules run in parallel in this one process: a test keeps its files in
//! its own temporary folder, runs the binary with its own environment (never `set_var`), and
//! writes nothing under the repository.

mod common;

mod aggregates;
mod bad_input;
mod browser;
mod cli;
mod communities;
mod counting;
mod dense;
mod fast_formats;
mod gdal;
mod gpkg;
mod grid;
mod hostile_plugins;
mod large_region;
mod launch_both;
mod milestones;
mod page_items;
mod plugin_limits;
mod programme;
mod quota;
mod reads;
mod reference;
mod roster;
mod run_report;
mod score;
mod score_evidence;
mod score_jobs;
mod scorings;
mod shapefile;
mod stages;
mod standard;
mod table;
mod target;
mod verify;
mod veto;
mod warning_words;
