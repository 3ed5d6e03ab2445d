//! A plugin of either runtime, chosen by its manifest: `script` → Rhai, `module` →
//! WebAssembly. The jobs hold a [`Plugin`] and ask it the same questions either way.

use std::path::Path;

use super::candidate::{Candidate, Features};
use super::contract::{Kind, LimitBreach, Manifest, Runtime};
#[cfg(feature = "rhai")]
use super::rhai_runtime::RhaiPlugin;
use super::score::Score;
use super::verdict::{StandardVerdict, Verdict};
#[cfg(feature = "wasm")]
use super::wasm_runtime::WasmPlugin;
use crate::error::{Error, PluginFailure, Result};

/// A loaded plugin, Rhai or WebAssembly; `Send + Sync`, so one plugin serves all threads.
///
/// # Examples
///
/// ```
/// use hecun::rules::{Outcome, Plugin};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("plugin.toml"), r#"
///     name = "road-access"
///     version = "1.0.0"
///     contract = 1
///     kind = "site-score"
///     script = "score.rhai"
/// "#)?;
/// std::fs::write(dir.path().join("score.rhai"), "fn score(site, params) { 1.0 / (1.0 + site.road_distance) }")?;
/// let plugin = Plugin::load(dir.path())?;
/// let names: std::sync::Arc<[String]> = vec!["road_distance".to_owned()].into();
/// let site = hecun::rules::Candidate::new("S1", names, vec![1.0.into()]);
/// assert_eq!(plugin.score(&site, false)?.outcome, Outcome::Scored(0.5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
// One per run, loaded once: its size does not matter, and the variants stay plain.
#[allow(clippy::large_enum_variant)]
pub enum Plugin {
    /// A Rhai script.
    #[cfg(feature = "rhai")]
    Rhai(RhaiPlugin),
    /// A WebAssembly module.
    #[cfg(feature = "wasm")]
    Wasm(WasmPlugin),
    /// Built without either runtime (the spatial core alone): no plugin can be loaded, and
    /// this variant, which holds no value, keeps the type and its methods whole.
    #[cfg(not(any(feature = "rhai", feature = "wasm")))]
    #[doc(hidden)]
    Unavailable(std::convert::Infallible),
}

/// Calls the runtime's own `$call` on whichever runtime `$plugin` is (`$p` names it there),
/// for the runtimes this hecun was built with.
macro_rules! each_runtime {
    ($plugin:expr, $p:ident => $call:expr) => {
        match $plugin {
            #[cfg(feature = "rhai")]
            Plugin::Rhai($p) => $call,
            #[cfg(feature = "wasm")]
            Plugin::Wasm($p) => $call,
            #[cfg(not(any(feature = "rhai", feature = "wasm")))]
            Plugin::Unavailable(never) => match *never {},
        }
    };
}

impl Plugin {
    /// Loads the plugin in `path` (its folder or its `plugin.toml`) with the runtime its
    /// manifest names.
    pub fn load(path: &Path) -> Result<Plugin> {
        let (manifest, _) = Manifest::load(path)?;
        #[cfg(not(all(feature = "rhai", feature = "wasm")))]
        let unavailable = |runtime: &str, feature: &str| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: None,
            message: format!(
                "is a {runtime} plugin, and this hecun was built without the `{feature}` feature"
            ),
        };
        match manifest.runtime() {
            #[cfg(feature = "rhai")]
            Runtime::Rhai => Ok(Plugin::Rhai(RhaiPlugin::load(path)?)),
            #[cfg(not(feature = "rhai"))]
            Runtime::Rhai => Err(unavailable("Rhai", "rhai")),
            #[cfg(feature = "wasm")]
            Runtime::Wasm => Ok(Plugin::Wasm(WasmPlugin::load(path)?)),
            #[cfg(not(feature = "wasm"))]
            Runtime::Wasm => Err(unavailable("WebAssembly", "wasm")),
        }
    }

    /// [`load`](Self::load), with `params` (a plan's, given at `where_`, e.g. `plan.toml:
    /// [tables.funding]`) in place of the manifest's defaults: the plugin sees them as its
    /// `params`. A parameter the manifest does not declare is refused, naming it.
    pub fn load_with_params(
        path: &Path,
        params: &std::collections::BTreeMap<String, toml::Value>,
        where_: &str,
    ) -> Result<Plugin> {
        let (manifest, _) = Manifest::load(path)?;
        #[cfg(not(all(feature = "rhai", feature = "wasm")))]
        let unavailable = |runtime: &str, feature: &str| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: None,
            message: format!(
                "is a {runtime} plugin, and this hecun was built without the `{feature}` feature"
            ),
        };
        #[cfg(not(any(feature = "rhai", feature = "wasm")))]
        let _ = (params, where_);
        match manifest.runtime() {
            #[cfg(feature = "rhai")]
            Runtime::Rhai => Ok(Plugin::Rhai(RhaiPlugin::load_with_params(
                path, params, where_,
            )?)),
            #[cfg(not(feature = "rhai"))]
            Runtime::Rhai => Err(unavailable("Rhai", "rhai")),
            #[cfg(feature = "wasm")]
            Runtime::Wasm => Ok(Plugin::Wasm(WasmPlugin::load_with_params(
                path, params, where_,
            )?)),
            #[cfg(not(feature = "wasm"))]
            Runtime::Wasm => Err(unavailable("WebAssembly", "wasm")),
        }
    }

    /// Checks targets (a `target` plugin, once per run): its measures, as answered; the
    /// engine judges them with [`TargetCheck::new`](super::target::TargetCheck::new).
    pub fn measures(&self, input: &serde_json::Value) -> Result<Vec<super::target::RawMeasure>> {
        let measures: Result<Vec<super::target::RawMeasure>> =
            each_runtime!(self, p => p.measures(input));
        let measures = measures?;
        let manifest = self.manifest();
        if measures.len() > manifest.limits.max_array_size {
            return Err(Error::Plugin {
                plugin: manifest.name.clone(),
                failure: PluginFailure::Limit {
                    limit: "max_array_size",
                },
                candidate: Some("targets".into()),
                line: None,
                message: format!(
                    "answered {} measures, more than its limit max_array_size = {} (plugin.toml [limits])",
                    measures.len(),
                    manifest.limits.max_array_size
                ),
            });
        }
        Ok(measures)
    }

    /// Computes a table (a `table` plugin, once per run): its rows, as answered; the engine
    /// checks and totals them with [`Table::new`](super::table::Table::new).
    pub fn rows(&self, input: &serde_json::Value) -> Result<Vec<super::table::RawRow>> {
        let rows: Result<Vec<super::table::RawRow>> = each_runtime!(self, p => p.rows(input));
        let rows = rows?;
        let manifest = self.manifest();
        if rows.len() > manifest.limits.max_array_size {
            return Err(Error::Plugin {
                plugin: manifest.name.clone(),
                failure: PluginFailure::Limit {
                    limit: "max_array_size",
                },
                candidate: Some("table".into()),
                line: None,
                message: format!(
                    "answered {} rows, more than its limit max_array_size = {} (plugin.toml [limits])",
                    rows.len(),
                    manifest.limits.max_array_size
                ),
            });
        }
        Ok(rows)
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        each_runtime!(self, p => p.manifest())
    }

    /// Runs a launch check on one community.
    pub fn check(&self, candidate: &str, input: &serde_json::Value) -> Result<Verdict> {
        let verdict = each_runtime!(self, p => p.check(candidate, input));
        self.bounded(candidate, verdict, |l, v| l.check_findings(&v.findings))
    }

    /// [`Plugin::check`], with the community's site placed for the spatial helpers: a
    /// script finds it as `community.site` (a candidate: `site.id`, `site["FIELD"]` for a
    /// declared `sites.FIELD`, `site.distance_to(…)`); a WebAssembly rule asks the helpers
    /// on the community itself, answered from its site.
    pub fn check_placed(
        &self,
        candidate: &str,
        input: &serde_json::Value,
        place: Option<&super::candidate::Candidate>,
    ) -> Result<Verdict> {
        let verdict = each_runtime!(self, p => p.check_placed(candidate, input, place));
        self.bounded(candidate, verdict, |l, v| l.check_findings(&v.findings))
    }

    /// Runs a launch check on communities `(id, input)`: one result per community, in order.
    pub fn check_batch(&self, inputs: &[(&str, &serde_json::Value)]) -> Vec<Result<Verdict>> {
        let verdicts: Vec<Result<Verdict>> = match self {
            #[cfg(feature = "rhai")]
            Plugin::Rhai(p) => inputs.iter().map(|(id, i)| p.check(id, i)).collect(),
            #[cfg(feature = "wasm")]
            Plugin::Wasm(p) => p.check_batch(inputs),
            #[cfg(not(any(feature = "rhai", feature = "wasm")))]
            Plugin::Unavailable(never) => match *never {},
        };
        inputs
            .iter()
            .zip(verdicts)
            .map(|((id, _), v)| self.bounded(id, v, |l, v| l.check_findings(&v.findings)))
            .collect()
    }

    /// `answer`, unless it is larger than the manifest's output limits allow (both runtimes;
    /// a WebAssembly answer's length is also checked before it is read).
    fn bounded<T>(
        &self,
        candidate: &str,
        answer: Result<T>,
        check: impl FnOnce(&super::contract::Limits, &T) -> std::result::Result<(), LimitBreach>,
    ) -> Result<T> {
        let answer = answer?;
        let manifest = self.manifest();
        check(&manifest.limits, &answer).map_err(|breach| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Limit {
                limit: breach.limit,
            },
            candidate: Some(candidate.to_owned()),
            line: None,
            message: breach.message,
        })?;
        Ok(answer)
    }

    /// Scores one candidate; with `explain`, the score keeps its terms.
    pub fn score(&self, candidate: &Candidate, explain: bool) -> Result<Score> {
        self.score_features(candidate, explain)
    }

    /// Scores one candidate read through [`Features`].
    pub fn score_features(&self, candidate: &dyn Features, explain: bool) -> Result<Score> {
        let score = each_runtime!(self, p => p.score_features(candidate, explain));
        self.bounded(&candidate.id(), score, |l, s| l.check_score(s))
    }

    /// Scores candidates: one result per candidate, in order (WebAssembly: in batches).
    pub fn score_batch(&self, candidates: &[&dyn Features], explain: bool) -> Vec<Result<Score>> {
        let scores: Vec<Result<Score>> = match self {
            #[cfg(feature = "rhai")]
            Plugin::Rhai(p) => candidates
                .iter()
                .map(|c| p.score_features(*c, explain))
                .collect(),
            #[cfg(feature = "wasm")]
            Plugin::Wasm(p) => p.score_batch(candidates, explain),
            #[cfg(not(any(feature = "rhai", feature = "wasm")))]
            Plugin::Unavailable(never) => match *never {},
        };
        candidates
            .iter()
            .zip(scores)
            .map(|(c, s)| self.bounded(&c.id(), s, |l, s| l.check_score(s)))
            .collect()
    }

    /// Chooses the planning standard for one community and checks it.
    pub fn select_standard(&self, candidate: &Candidate) -> Result<StandardVerdict> {
        let answer = each_runtime!(self, p => p.select_standard(candidate));
        self.bounded(candidate.id(), answer, |l, a| {
            l.check_findings(&a.verdict.findings)
        })
    }

    /// Chooses the planning standard for communities: one result per community, in order.
    pub fn select_standard_batch(&self, candidates: &[Candidate]) -> Vec<Result<StandardVerdict>> {
        let answers: Vec<Result<StandardVerdict>> = match self {
            #[cfg(feature = "rhai")]
            Plugin::Rhai(p) => candidates.iter().map(|c| p.select_standard(c)).collect(),
            #[cfg(feature = "wasm")]
            Plugin::Wasm(p) => p.select_standard_batch(candidates),
            #[cfg(not(any(feature = "rhai", feature = "wasm")))]
            Plugin::Unavailable(never) => match *never {},
        };
        candidates
            .iter()
            .zip(answers)
            .map(|(c, a)| self.bounded(c.id(), a, |l, a| l.check_findings(&a.verdict.findings)))
            .collect()
    }

    /// Runs the plugin's own test cases: each case's name and what went wrong, if anything.
    /// A case runs with its own `params` in place of the defaults, and a plugin that reads an
    /// earlier stage's tables with the case's `tables` as its `params.tables`; a table's or a
    /// target's `input.params` is the parameters in force, as in a run.
    pub fn run_tests(&self) -> Vec<(String, std::result::Result<(), String>)> {
        let manifest = self.manifest();
        let declared = manifest.declared();
        let whole_run = matches!(manifest.kind, Kind::Table | Kind::Target);
        let per_case = declared.tables().next().is_some()
            || whole_run
            || manifest.tests.iter().any(|c| !c.params.is_empty());
        if !per_case {
            return each_runtime!(self, p => p.run_tests());
        }
        manifest
            .tests
            .iter()
            .map(|case| {
                let outcome = (|| {
                    let mut params = manifest.params.clone();
                    for (name, value) in &case.params {
                        if !params.contains_key(name) {
                            let known: Vec<&str> =
                                manifest.params.keys().map(String::as_str).collect();
                            return Err(format!(
                                "params.{name}: the manifest declares no such parameter (it \
                                 declares: {})",
                                if known.is_empty() {
                                    "none".to_owned()
                                } else {
                                    known.join(", ")
                                }
                            ));
                        }
                        params.insert(name.clone(), value.clone());
                    }
                    let mut case = case.clone();
                    if whole_run {
                        let Some(input) = case.input.as_table_mut() else {
                            return Err("input: a table of layers (and run, for a target)".into());
                        };
                        if input.contains_key("params") {
                            return Err("input.params: the engine hands over the parameters in \
                                 force; give the case's own beside its input (params = { … }), \
                                 as a plan does"
                                .into());
                        }
                        input.insert(
                            "params".to_owned(),
                            toml::Value::Table(params.clone().into_iter().collect()),
                        );
                    }
                    if declared.tables().next().is_some() {
                        let tables = super::testing::case_tables(&declared, &case)?;
                        params.insert(super::reads::TABLES.to_owned(), tables);
                    }
                    let one = self
                        .with_manifest(|m| {
                            m.params = params;
                            m.tests = vec![case];
                        })
                        .map_err(|e| e.to_string())?;
                    let mut outcomes: Vec<(String, std::result::Result<(), String>)> =
                        each_runtime!(&one, p => p.run_tests());
                    outcomes.pop().map_or(Ok(()), |(_, outcome)| outcome)
                })();
                (case.name.clone(), outcome)
            })
            .collect()
    }

    /// The plugin with an earlier stage's tables as `params.tables`: `tables` maps each
    /// table's name (`[tables.NAME]`) to its rows, each row an object of the columns the
    /// plugin declares in `reads` (`tables.NAME.COLUMN`). Both runtimes are handed the same
    /// values, as parameters are: a Rhai script reads `params.tables["NAME"]`, a
    /// WebAssembly rule `Params::table("NAME")`.
    pub fn with_tables(
        &self,
        tables: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Plugin> {
        let name = &self.manifest().name;
        let value = toml::Value::try_from(serde_json::Value::Object(tables)).map_err(|e| {
            Error::Plugin {
                plugin: name.clone(),
                failure: PluginFailure::Load,
                candidate: None,
                line: None,
                message: format!("the tables it reads cannot be handed over: {e}"),
            }
        })?;
        self.with_manifest(|m| {
            m.params.insert(super::reads::TABLES.to_owned(), value);
        })
    }

    /// The same plugin, not loaded again, with the manifest `change` makes.
    fn with_manifest(&self, change: impl FnOnce(&mut Manifest)) -> Result<Plugin> {
        #[cfg(not(any(feature = "rhai", feature = "wasm")))]
        let _ = change;
        match self {
            #[cfg(feature = "rhai")]
            Plugin::Rhai(p) => Ok(Plugin::Rhai(p.with_manifest(change)?)),
            #[cfg(feature = "wasm")]
            Plugin::Wasm(p) => Ok(Plugin::Wasm(p.with_manifest(change)?)),
            #[cfg(not(any(feature = "rhai", feature = "wasm")))]
            Plugin::Unavailable(never) => match *never {},
        }
    }
}
