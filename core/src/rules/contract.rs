//! The plugin contract, the same for every runtime: what a plugin declares about itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The version of the host–plugin contract this hecun speaks.
pub const CONTRACT_VERSION: u32 = 1;

/// What a plugin decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// Pass, fail or veto a community's launch (启动标准).
    LaunchCheck,
    /// Score a candidate site, or exclude it with a reason.
    SiteScore,
    /// Choose the planning standard that applies and check it.
    StandardSelection,
}

impl Kind {
    /// The kind's name as manifests write it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::LaunchCheck => "launch-check",
            Kind::SiteScore => "site-score",
            Kind::StandardSelection => "standard-selection",
        }
    }
}

/// The runtime a plugin is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Runtime {
    /// A Rhai script (`script = "…"`).
    Rhai,
    /// A WebAssembly module (`module = "…"`).
    Wasm,
}

/// Sandbox limits of one plugin, from its manifest; the defaults are safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Script operations per call.
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_depth: usize,
    /// Bytes in one string.
    pub max_string_size: usize,
    /// Elements in one array.
    pub max_array_size: usize,
    /// Entries in one map.
    pub max_map_size: usize,
    /// Wall-clock milliseconds per call (WebAssembly: per batch call).
    pub max_millis: u64,
    /// WebAssembly: the guest's linear memory cap, in MiB (a `memory.grow` beyond it traps).
    pub max_memory_mb: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_depth: 32,
            max_string_size: 64 * 1024,
            max_array_size: 100_000,
            max_map_size: 10_000,
            max_millis: 1_000,
            max_memory_mb: 64,
        }
    }
}

/// One of a plugin's own test cases: an input and what the plugin must answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the case shows.
    pub name: String,
    /// The candidate, as the engine would hand it over.
    pub input: toml::Value,
    /// The expected answer: `status`, and for launch checks the `failed` and `vetoes` criteria.
    pub expect: toml::Value,
}

/// A plugin's manifest (`plugin.toml`), beside its script.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The plugin's name, used in every message about it.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// The contract version it was written for.
    pub contract: u32,
    /// What it decides.
    pub kind: Kind,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The model fields it reads (documentation, and checked against the layers by the engine).
    #[serde(default)]
    pub reads: Vec<String>,
    /// The Rhai script, relative to the manifest (exactly one of `script` and `module`).
    #[serde(default)]
    pub script: Option<PathBuf>,
    /// The WebAssembly module (`.wasm`, or `.wat` text), relative to the manifest.
    #[serde(default)]
    pub module: Option<PathBuf>,
    /// Parameters and their defaults, handed to the plugin as `params`.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    /// Sandbox limits.
    #[serde(default)]
    pub limits: Limits,
    /// The plugin's own test cases, run by `hecun plugin test`.
    #[serde(default)]
    pub tests: Vec<TestCase>,
}

impl Manifest {
    /// A warning for each layer the plugin reads that is not among `loaded`, saying what
    /// follows (`consequence`).
    pub fn missing_layer_warnings(&self, loaded: &[&str], consequence: &str) -> Vec<String> {
        self.layers_missing(loaded)
            .into_iter()
            .map(|layer| {
                format!(
                    "plugin {:?} reads layer {layer:?}, which the plan does not list: {consequence}",
                    self.name
                )
            })
            .collect()
    }

    /// The layers the plugin says it reads (`reads` entries `layer` or `layer.field`) that are
    /// not among `loaded`: what it gets from them will be missing (`()` in a script).
    pub fn layers_missing<'a>(&'a self, loaded: &[&str]) -> Vec<&'a str> {
        let mut missing: Vec<&str> = self
            .reads
            .iter()
            .map(|r| r.split('.').next().unwrap_or(r))
            .filter(|layer| !loaded.contains(layer))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    /// The runtime that runs the plugin: Rhai for a `script`, WebAssembly for a `module`.
    pub fn runtime(&self) -> Runtime {
        if self.module.is_some() {
            Runtime::Wasm
        } else {
            Runtime::Rhai
        }
    }

    /// Reads `plugin.toml` (or the manifest file named), refusing another contract version
    /// with a message that says which side to upgrade. Returns the manifest and the path of
    /// its script or module.
    pub fn load(path: &Path) -> Result<(Manifest, PathBuf)> {
        let file = if path.is_dir() {
            path.join("plugin.toml")
        } else {
            path.to_owned()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let manifest: Manifest = toml::from_str(&text)
            .map_err(|e| Error::config(file.display().to_string(), e.to_string()))?;
        let context = || format!("plugin {:?} ({})", manifest.name, file.display());
        if manifest.contract > CONTRACT_VERSION {
            return Err(Error::config(
                context(),
                format!(
                    "written for plugin contract {}, but this hecun speaks contract {CONTRACT_VERSION}: upgrade hecun",
                    manifest.contract
                ),
            ));
        }
        if manifest.contract < CONTRACT_VERSION {
            return Err(Error::config(
                context(),
                format!(
                    "written for plugin contract {}, but this hecun speaks contract {CONTRACT_VERSION}: upgrade the plugin",
                    manifest.contract
                ),
            ));
        }
        let code = match (&manifest.script, &manifest.module) {
            (Some(script), None) => script.clone(),
            (None, Some(module)) => module.clone(),
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    context(),
                    "names both a script and a module: give exactly one",
                ));
            }
            (None, None) => {
                return Err(Error::config(
                    context(),
                    "names neither a script (Rhai) nor a module (WebAssembly): give one",
                ));
            }
        };
        let dir = file.parent().unwrap_or(Path::new(".")).to_owned();
        Ok((manifest, dir.join(code)))
    }
}
