//! The rules engine: local rules as plugins that check and score planning candidates.
//!
//! One contract for every runtime ([`Manifest`]: name, version, contract version, kind,
//! parameters, limits and the plugin's own test cases); results that explain themselves
//! ([`Verdict`]: every failed criterion and every veto with its evidence). Rhai is the first
//! runtime (`RhaiPlugin`, feature `rhai`), WebAssembly the second (`WasmPlugin`, feature `wasm`); [`Plugin`]
//! loads either, as the manifest says.

pub(crate) mod candidate;
pub(crate) mod contract;
pub(crate) mod files;
// A reason is resolved by the runtime that read it: built without one (or with only one),
// the other's resolver has no caller.
#[cfg_attr(not(all(feature = "rhai", feature = "wasm")), allow(dead_code))]
pub(crate) mod message;
// Built without either runtime, no plugin can exist: the dispatch and the test-case runner
// then hold code that cannot run, which is expected, not a mistake to warn about.
#[cfg_attr(
    not(any(feature = "rhai", feature = "wasm")),
    allow(unused_variables, unreachable_code, dead_code)
)]
pub(crate) mod plugin;
pub mod reads;
#[cfg(feature = "rhai")]
pub(crate) mod rhai_compile;
#[cfg(feature = "rhai")]
pub(crate) mod rhai_runtime;
pub(crate) mod score;
pub(crate) mod table;
pub(crate) mod target;
#[cfg_attr(not(any(feature = "rhai", feature = "wasm")), allow(dead_code))]
pub(crate) mod testing;
pub(crate) mod verdict;
pub(crate) mod veto;
pub(crate) mod wasm_answer;
#[cfg(feature = "wasm")]
pub(crate) mod wasm_runtime;

pub use candidate::{Candidate, FeatureNames, FeatureSink, Features, Value, helpers};
pub use contract::{
    CONTRACT_VERSION, Column, ColumnType, Criterion, Kind, LIMIT_CEILINGS, Limits, Manifest,
    Runtime, TERM_MEASURES, TermTitle, TestCase, TotalRule,
};
pub use files::{MAX_MANIFEST_BYTES, MAX_MODULE_BYTES, MAX_SCRIPT_BYTES};
#[doc(hidden)]
pub use files::{PluginFile, plugin_paths, read_plugin_file};
pub use message::{
    MARK, MAX_ARG_CHARS, MAX_ARGS, MAX_MESSAGES, MAX_TEMPLATE_CHARS, Messages, Reason,
};
pub use plugin::Plugin;
pub use reads::{LayerReads, Provided, Reads};
#[cfg(feature = "rhai")]
pub use rhai_runtime::RhaiPlugin;
pub use score::{Outcome, Quota, Rank, Score, Term, rank, rank_by};
pub use table::{Cell, RawRow, RowKind, Subtotal, Table};
pub use target::{
    Comparison, GroupMeasure, RawMeasure, TargetCheck, TargetDecl, TargetResult, TargetStatus,
};
pub use verdict::{Finding, StandardVerdict, Status, Verdict};
pub use veto::{VETO_FIELD, VETO_UNKNOWN, guard_veto, veto_unknown_criterion};
#[doc(hidden)]
pub use wasm_answer::decode_answer_buffer;
#[cfg(feature = "wasm")]
pub use wasm_runtime::{ABI_VERSION, WasmPlugin};
