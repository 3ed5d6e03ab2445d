//! Write hecun rules in Rust, as WebAssembly plugins.
//!
//! A rule is a type that implements one of five traits — [`SiteScore`], [`LaunchCheck`],
//! [`StandardSelection`], [`Table`], [`Target`] — built once from the plugin's parameters and then asked about one
//! candidate at a time; one macro exports it:
//!
//! ```
//! use hecun_plugin_sdk::{Candidate, Outcome, Params, Score, SiteScore, exclude, json};
//!
//! pub struct RoadAccess { reach: f64 }
//!
//! impl SiteScore for RoadAccess {
//!     fn new(params: &Params) -> Result<Self, String> {
//!         Ok(RoadAccess { reach: params.require_number("reach_m")? })
//!     }
//!     fn score(&self, cell: &Candidate, score: &mut Score) -> Result<Outcome, String> {
//!         if cell.flag("in_corridor") == Some(true) {
//!             return Ok(exclude("inside an ecological corridor", json!({})));
//!         }
//!         let d = cell.number("road_distance").ok_or("no road_distance")?;
//!         Ok(score.term("road_access", 1.0, (1.0 - d / self.reach).max(0.0)).into())
//!     }
//! }
//!
//! hecun_plugin_sdk::export_site_score!(RoadAccess);
//!
//! # use hecun_plugin_sdk::testing::{self, Answer};
//! let answer = testing::score_one::<RoadAccess>(json!({"reach_m": 1000.0}),
//!     &[("road_distance", 250.0.into()), ("in_corridor", false.into())]);
//! assert_eq!(answer.score(), Some(0.75));
//! ```
//!
//! - **In**: a [`Candidate`]: its id, the features the host computed and its own attributes by
//!   name ([`Candidate::get`] gives a [`Value`]; `number`, `flag`, `text`, `json` the typed
//!   ones), and the spatial helpers ([`Candidate::distance_to`], [`Candidate::nearest`],
//!   [`Candidate::count_within`], [`Candidate::ids_within`], [`Candidate::sum_within`],
//!   [`Candidate::overlap_share`], [`Candidate::touches`], [`Candidate::in_zone`],
//!   [`Candidate::has_layer`], [`Candidate::has_geometry`]), which the host answers from the
//!   plan's layers (metres); one that cannot answer gives a [`HelperError`], which `?` passes
//!   on as the candidate's error.
//! - **Out**: a score as a sum of [`Score::term`]s, or [`exclude`]; findings made with [`fail`]
//!   and [`veto`]; [`standard`]`(name, findings)`.
//! - **Failures**: return `Err(message)`: that candidate's result is the error, the others are
//!   answered. A panic traps the module (WebAssembly cannot catch it); the host learns from
//!   the module's progress slot which candidate it was on, makes the panic that candidate's
//!   result and answers the others.
//! - **Porting a Rhai script bit for bit**: [`script`] has Rhai's arithmetic, comparisons and
//!   number formatting.
//!
//! The byte-level interface is `plugins/sdk/ABI.md`; `README.md` beside this crate is the
//! template from an empty folder to a tested plugin.

// In dependency order, each module using only those above it: value, answer, wire (the
// encoding, from hecun-plugin-abi), host (the helpers), candidate, rules (the traits),
// runtime (the exports), testing; lib only re-exports and exports.
mod answer;
mod candidate;
mod host;
mod rules;
#[doc(hidden)]
pub mod runtime;
pub mod script;
pub mod testing;
mod value;
mod wire;

pub use answer::{
    Evidence, Finding, Measure, Outcome, Row, Score, Standard, Term, evidence, exclude, fail,
    measure, message, scored, standard, veto,
};
pub use candidate::{Candidate, Nearest, Params};
pub use hecun_plugin_abi as abi;
pub use host::HelperError;
pub use rules::{LaunchCheck, SiteScore, StandardSelection, Table, Target};
pub use serde_json::{self, json};
pub use value::Value;

/// The README's template compiles (its Rust blocks are doctests).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The ABI version this SDK implements (`hecun_abi_version`).
pub const ABI_VERSION: i32 = hecun_plugin_abi::ABI_VERSION;

/// Exports a [`SiteScore`] rule as the module's plugin: `export_site_score!(MyRule);` once,
/// in the cdylib crate's `lib.rs`.
#[macro_export]
macro_rules! export_site_score {
    ($rule:ty) => {
        $crate::__export!(SiteScore, $rule);
    };
}

/// Exports a [`LaunchCheck`] rule as the module's plugin.
#[macro_export]
macro_rules! export_launch_check {
    ($rule:ty) => {
        $crate::__export!(LaunchCheck, $rule);
    };
}

/// Exports a [`Table`] rule as the module's plugin.
#[macro_export]
macro_rules! export_table {
    ($rule:ty) => {
        $crate::__export!(Table, $rule);
    };
}

/// Exports a [`Target`] rule as the module's plugin.
#[macro_export]
macro_rules! export_target {
    ($rule:ty) => {
        $crate::__export!(Target, $rule);
    };
}

/// Exports a [`StandardSelection`] rule as the module's plugin.
#[macro_export]
macro_rules! export_standard_selection {
    ($rule:ty) => {
        $crate::__export!(StandardSelection, $rule);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __export {
    ($kind:ident, $rule:ty) => {
        // The module's exports (ABI.md); only in WebAssembly (natively, test with `testing`).
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[unsafe(no_mangle)]
            pub extern "C" fn hecun_abi_version() -> i32 {
                $crate::ABI_VERSION
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn hecun_alloc(size: i32) -> i32 {
                $crate::runtime::alloc(size) as usize as i32
            }

            #[unsafe(no_mangle)]
            pub extern "C" fn hecun_init(ptr: i32, len: i32) -> i64 {
                // SAFETY: the host writes the parameters into a buffer from `hecun_alloc`.
                unsafe {
                    $crate::runtime::init(ptr as usize as *const u8, len, |params| {
                        Ok($crate::runtime::Plugin::$kind(::std::boxed::Box::new(
                            <$rule as $crate::$kind>::new(params)?,
                        )))
                    })
                }
            }

            /// The index of the candidate being answered, for the host (ABI.md).
            #[unsafe(export_name = "hecun_progress")]
            pub static HECUN_PROGRESS: $crate::runtime::Progress = $crate::runtime::Progress::new();

            #[unsafe(no_mangle)]
            pub extern "C" fn hecun_run(kind: i32, ptr: i32, len: i32) -> i64 {
                // SAFETY: the host writes the batch into a buffer from `hecun_alloc`.
                unsafe {
                    $crate::runtime::run(kind, ptr as usize as *const u8, len, &HECUN_PROGRESS)
                }
            }
        };
    };
}
