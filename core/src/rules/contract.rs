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
    /// Wall-clock milliseconds per candidate (a Rhai call; for a WebAssembly module, each
    /// candidate of a batch).
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

/// A criterion a check plugin reports (a launch criterion, a standard's threshold), with the
/// titles reports show for it instead of its id.
///
/// ```toml
/// [[criteria]]
/// id = "plan_approved"
/// title = { zh-CN = "方案经群众认可、上级批准", en = "Plan accepted by residents and approved" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// The id its findings carry (`plan_approved`).
    pub id: String,
    /// Its title by language tag (`zh-CN`, `en`).
    pub title: BTreeMap<String, String>,
}

impl Criterion {
    /// The title in language `tag` (`zh-CN`), else in the same language of another region
    /// (`zh`, `zh-TW` for `zh-CN`), else none.
    pub fn title(&self, tag: &str) -> Option<&str> {
        let primary = |t: &str| {
            t.split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        self.title
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(tag))
            .or_else(|| self.title.iter().find(|(t, _)| primary(t) == primary(tag)))
            .map(|(_, title)| title.as_str())
    }
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
    /// The criteria a check plugin reports, in the order reports list them, with their
    /// titles. Optional; when given, a test case whose answer names a criterion not declared
    /// here fails (a misspelt id would otherwise show as an unexplained id).
    #[serde(default)]
    pub criteria: Vec<Criterion>,
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

    /// The declared criterion `id`, if any.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    fn check_criteria(&self) -> std::result::Result<(), String> {
        if !self.criteria.is_empty() && self.kind == Kind::SiteScore {
            return Err(
                "declares [[criteria]], but a site-score plugin reports terms and exclusions, not criteria"
                    .into(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.criteria {
            if c.id.trim().is_empty() {
                return Err("a [[criteria]] entry has an empty id".into());
            }
            if !seen.insert(c.id.as_str()) {
                return Err(format!("criterion {:?} is declared twice", c.id));
            }
            if c.title.is_empty() || c.title.values().any(|t| t.trim().is_empty()) {
                return Err(format!(
                    "criterion {:?} needs a title in at least one language (title = {{ zh-CN = \"…\" }})",
                    c.id
                ));
            }
        }
        Ok(())
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
        Manifest::parse(&file, &text)
    }

    /// Parses the text of the manifest file `file` (named in messages; its script or module
    /// is resolved against its folder) as [`Manifest::load`] does, without reading anything.
    pub fn parse(file: &Path, text: &str) -> Result<(Manifest, PathBuf)> {
        let manifest: Manifest = toml::from_str(text)
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
        manifest
            .check_criteria()
            .map_err(|e| Error::config(context(), e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(kind: &str, criteria: &str) -> std::result::Result<Manifest, String> {
        let text = format!(
            "name = \"t\"\nversion = \"1\"\ncontract = 1\nkind = \"{kind}\"\nscript = \"s.rhai\"\n{criteria}"
        );
        let m: Manifest = toml::from_str(&text).map_err(|e| e.to_string())?;
        m.check_criteria().map(|()| m)
    }

    #[test]
    fn criterion_titles_fall_back_within_the_language_only() {
        let m = manifest(
            "launch-check",
            "[[criteria]]\nid = \"a\"\ntitle = { zh = \"甲\", en-GB = \"A\" }\n",
        )
        .unwrap();
        let a = m.criterion("a").unwrap();
        assert_eq!(a.title("zh-CN"), Some("甲"));
        assert_eq!(a.title("en"), Some("A"));
        assert_eq!(a.title("EN-gb"), Some("A"));
        assert_eq!(a.title("fr"), None);
        assert!(m.criterion("b").is_none());
    }

    #[test]
    fn criteria_are_checked_when_the_manifest_is_read() {
        let one = "[[criteria]]\nid = \"a\"\ntitle = { en = \"A\" }\n";
        assert!(manifest("launch-check", one).is_ok());
        assert!(manifest("standard-selection", one).is_ok());
        let err = manifest("site-score", one).unwrap_err();
        assert!(err.contains("site-score"), "{err}");
        let err = manifest("launch-check", &format!("{one}{one}")).unwrap_err();
        assert!(err.contains("\"a\" is declared twice"), "{err}");
        let err = manifest("launch-check", "[[criteria]]\nid = \"a\"\ntitle = {}\n").unwrap_err();
        assert!(err.contains("needs a title"), "{err}");
        let err = manifest(
            "launch-check",
            "[[criteria]]\nid = \" \"\ntitle = { en = \"A\" }\n",
        )
        .unwrap_err();
        assert!(err.contains("empty id"), "{err}");
        // A misspelt key is refused, not ignored.
        let err = manifest(
            "launch-check",
            "[[criteria]]\nid = \"a\"\ntitel = { en = \"A\" }\n",
        )
        .unwrap_err();
        assert!(err.contains("titel"), "{err}");
    }
}
