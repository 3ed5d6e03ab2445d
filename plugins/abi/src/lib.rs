//! The one definition of the interface between hecun (the host) and its plugins.
//!
//! The host (`hecun-core`: its WebAssembly runtime and its Rhai registration) and the guest SDK
//! (`hecun-plugin-sdk`) both build on this crate, or are checked against it by their tests, so
//! that neither side can drift from the other:
//!
//! - [`ABI_VERSION`], the version of the byte-level interface (`plugins/sdk/ABI.md`);
//! - [`Kind`], the plugin kinds with the codes `hecun_run` takes;
//! - [`Value`], a value as it crosses, and [`wire`], its encoding and that of batches, answers
//!   and id lists (one encoder and one decoder for both sides);
//! - [`HELPERS`], the spatial helpers every runtime offers: their parameters, answer, one-line
//!   doc, and the WebAssembly import that carries each.
//!
//! Only `core` and `alloc` are used (and serde, for the kinds as manifests write them), so the
//! crate builds for `wasm32-unknown-unknown` as part of a guest.

#![no_std]

extern crate alloc;

mod helpers;
mod kind;
pub mod wire;

pub use helpers::{
    HELPERS, Helper, IMPORT_MODULE, Import, OTHER_IMPORTS, Param, Runtime, Type, WasmType, helper,
    imports,
};
pub use kind::Kind;
pub use wire::Value;

/// The version of the host–guest ABI (`plugins/sdk/ABI.md`): what a module's
/// `hecun_abi_version` export returns, and the one version the host speaks.
pub const ABI_VERSION: i32 = 1;
