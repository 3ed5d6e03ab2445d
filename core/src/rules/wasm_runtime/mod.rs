//! The WebAssembly runtime: plugins compiled to WebAssembly core modules, run by wasmtime.
//!
//! Host and guest speak the ABI of `plugins/sdk/ABI.md` (version [`ABI_VERSION`]): candidates
//! cross in batches, as one flat buffer of typed values; the spatial helpers are the module's
//! only imports. The sandbox, per plugin from its manifest's `[limits]`: a linear-memory cap
//! (`max_memory_mb`; a `memory.grow` beyond it traps), a wall-clock limit per candidate
//! (`max_millis`, by epoch interruption, against the candidate the guest's progress slot
//! names), and nothing else linked: no file system, network, clock or environment exists for
//! the guest. A trap, a panic or a broken limit ends the call; the error is the answer of the
//! candidate the guest was on, and the others are asked again without it (a module without a
//! progress slot: one by one), so that every other candidate is answered.
//!
//! Compiled modules are cached by wasmtime, keyed by a hash of the module and the compiler
//! settings, in `$HECUN_CACHE_DIR`, else `$XDG_CACHE_HOME/hecun/wasmtime`, else
//! `~/.cache/hecun/wasmtime`: a second run does not recompile.
//!
//! Here: loading, pooling instances and running batches. Beside it: `checks` (what a module
//! must be before it runs), `store` (what the host keeps per guest, the memory cap, engines
//! and their cache), `clock` (the time limit and the epoch thread), `imports` (the spatial
//! helpers) and `wire` (the batch buffer in, the answer out).

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use wasmtime::{
    Cache, CacheConfig, Engine, ExternType, InstancePre, Memory, Module, Store, Trap, TypedFunc,
    ValType, WasmBacktrace,
};

use super::candidate::{Candidate, FeatureNames, Features, Value};
use super::contract::{Kind, Manifest, Runtime};
use super::score::{Outcome, Score};
use super::testing;
use super::verdict::{Finding, StandardVerdict, Verdict};
use super::wasm_answer::{Answer, CandidateAnswer, decode_answers};
use crate::error::{Error, PluginFailure, Result};

pub use super::wasm_answer::ABI_VERSION;

mod checks;
mod clock;
mod imports;
mod store;
mod wire;

use checks::{check_compile_bound, check_export, check_imports};
use clock::{Ticking, progress, register_ticker};
use imports::linker;
use store::{Host, default_cache_dir, engine, limits, new_store};
use wire::{Encoder, read_output, write_input};

/// Candidates per `hecun_run` call at most: the time limit applies to each call.
const CHUNK: usize = 256;

/// One instance of the module in its own store, ready to run batches.
struct Guest {
    store: Store<Host>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    run: TypedFunc<(i32, i32, i32), i64>,
}

/// A WebAssembly plugin, compiled once; `Send + Sync`, so one plugin serves all threads (each
/// call takes an instance from a pool, or makes one).
///
/// # Examples
///
/// ```
/// use hecun::rules::WasmPlugin;
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("plugin.toml"), r#"
///     name = "not-a-module"
///     version = "1.0.0"
///     contract = 1
///     kind = "site-score"
///     module = "score.wasm"
/// "#)?;
/// std::fs::write(dir.path().join("score.wasm"), "fn score(site, params) { 1.0 }")?;
/// let err = WasmPlugin::load(dir.path()).unwrap_err().to_string();
/// assert!(err.contains("not-a-module") && err.contains("is not a WebAssembly module"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct WasmPlugin {
    manifest: Manifest,
    pre: InstancePre<Host>,
    engine: Engine,
    /// Instances ready to run, one per thread that ran a batch at the same time.
    pool: Mutex<Vec<Guest>>,
    /// The manifest's parameters as JSON, handed to `hecun_init`.
    params: String,
    /// Whether the compiled module came from the cache.
    from_cache: bool,
}

impl std::fmt::Debug for WasmPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WasmPlugin({} {})",
            self.manifest.name, self.manifest.version
        )
    }
}

impl WasmPlugin {
    /// Loads and compiles the plugin in `path` (its folder or its `plugin.toml`), whose
    /// manifest names a `module`; compiled modules are cached in hecun's cache folder.
    pub fn load(path: &Path) -> Result<WasmPlugin> {
        WasmPlugin::load_with_cache(path, default_cache_dir().as_deref())
    }

    /// [`load`](Self::load), with compiled modules cached in `cache` (`None`: not cached).
    pub fn load_with_cache(path: &Path, cache: Option<&Path>) -> Result<WasmPlugin> {
        WasmPlugin::load_inner(path, cache, &Default::default(), "")
    }

    /// [`load`](Self::load), with `params` (a plan's, given at `where_`) in place of the
    /// manifest's defaults (handed to `hecun_init`); a parameter the manifest does not
    /// declare is refused.
    pub fn load_with_params(
        path: &Path,
        params: &std::collections::BTreeMap<String, toml::Value>,
        where_: &str,
    ) -> Result<WasmPlugin> {
        WasmPlugin::load_inner(path, default_cache_dir().as_deref(), params, where_)
    }

    fn load_inner(
        path: &Path,
        cache: Option<&Path>,
        overrides: &std::collections::BTreeMap<String, toml::Value>,
        where_: &str,
    ) -> Result<WasmPlugin> {
        let (mut manifest, module_path) = Manifest::load(path)?;
        manifest.override_params(overrides, where_)?;
        manifest.hand_over_empty_tables();
        let fail = |message: String| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: None,
            message,
        };
        if manifest.runtime() != Runtime::Wasm {
            return Err(fail(
                "is a Rhai plugin (it names a script): load it with Plugin::load".into(),
            ));
        }
        let (dir, _) = super::files::plugin_paths(path);
        // The usual cause of a missing module: the guest has not been built yet.
        let bytes = super::files::read_plugin_file(
            &manifest.name,
            &dir,
            &module_path,
            super::files::PluginFile::Module,
            ": build it (for the plugins of this repository: plugins/build-wasm.sh, which \
             builds them with cargo build --release --target wasm32-unknown-unknown and copies \
             each module into its plugin's folder)",
        )?;
        let cache = cache.and_then(|dir| {
            let mut config = CacheConfig::new();
            config.with_directory(dir);
            Cache::new(config).ok()
        });
        let engine = engine(cache.clone()).map_err(|e| fail(format!("wasmtime: {e}")))?;
        // The clock runs before any guest code does: a start function or a
        // `hecun_abi_version` that loops would otherwise hang the load.
        register_ticker(&engine);
        // WebAssembly text is turned into a module here, so that its sections can be counted.
        let binary = wat::parse_bytes(&bytes).map_err(|e| {
            fail(format!(
                "{} is not a WebAssembly module (nor WebAssembly text): {}",
                module_path.display(),
                first_line(&e)
            ))
        })?;
        check_compile_bound(&binary)
            .map_err(|e| fail(format!("{}: {e}", module_path.display())))?;
        let module = Module::new(&engine, &binary).map_err(|e| {
            let what = if bytes.starts_with(b"\0asm") {
                "is not a valid WebAssembly module"
            } else {
                "is not a WebAssembly module (nor WebAssembly text)"
            };
            fail(format!(
                "{} {what}: {}",
                module_path.display(),
                first_line(&e)
            ))
        })?;
        let from_cache = cache.is_some_and(|c| c.cache_hits() > 0);
        check_export(&module, "hecun_abi_version", &[], &[ValType::I32]).map_err(fail)?;
        let linker = linker(&engine).map_err(|e| fail(format!("wasmtime: {e}")))?;
        let params = serde_json::to_string(&manifest.params)
            .map_err(|e| fail(format!("parameters: {e}")))?;
        // The version first, from an instance whose unknown imports trap: a module for
        // another ABI may import what this hecun does not provide.
        let version = {
            let _ticking = Ticking::start();
            let mut probe = linker.clone();
            probe
                .define_unknown_imports_as_traps(&module)
                .map_err(|e| fail(format!("wasmtime: {e}")))?;
            let pre = probe
                .instantiate_pre(&module)
                .map_err(|e| fail(format!("cannot be instantiated: {}", first_line(&e))))?;
            let mut store = new_store(&engine, limits(&manifest));
            let outcome = pre.instantiate(&mut store).and_then(|instance| {
                instance
                    .get_typed_func::<(), i32>(&mut store, "hecun_abi_version")?
                    .call(&mut store, ())
            });
            outcome.map_err(|e| {
                fail(format!(
                    "at load (its start function or hecun_abi_version): {}",
                    failure(&manifest, &store, &e).1
                ))
            })?
        };
        if version > ABI_VERSION {
            return Err(fail(format!(
                "built for ABI {version}, but this hecun speaks ABI {ABI_VERSION}: upgrade hecun"
            )));
        }
        if version < ABI_VERSION {
            return Err(fail(format!(
                "built for ABI {version}, but this hecun speaks ABI {ABI_VERSION}: rebuild it with hecun-plugin-sdk for ABI {ABI_VERSION}"
            )));
        }
        use ValType::{I32, I64};
        for (name, params, results) in [
            ("hecun_alloc", &[I32][..], &[I32][..]),
            ("hecun_init", &[I32, I32], &[I64]),
            ("hecun_run", &[I32, I32, I32], &[I64]),
        ] {
            check_export(&module, name, params, results).map_err(fail)?;
        }
        if !matches!(module.get_export("memory"), Some(ExternType::Memory(_))) {
            return Err(fail("does not export its memory as \"memory\"".into()));
        }
        check_imports(&module).map_err(fail)?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| fail(format!("cannot be instantiated: {}", first_line(&e))))?;
        let plugin = WasmPlugin {
            manifest,
            pre,
            engine,
            pool: Mutex::new(Vec::new()),
            params,
            from_cache,
        };
        // One instance now: a module that fails to start, or refuses its parameters, is
        // reported at load.
        let guest = plugin
            .instantiate()
            .map_err(|(_, message)| plugin.error(PluginFailure::Load, None, message))?;
        plugin.give_back(guest);
        Ok(plugin)
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The same module with the manifest `change` makes (parameters the engine hands over,
    /// such as an earlier stage's tables, reach `hecun_init`; the test cases to run): not
    /// compiled again; one instance is made now, so that a module refusing the parameters
    /// is reported here.
    pub(crate) fn with_manifest(&self, change: impl FnOnce(&mut Manifest)) -> Result<WasmPlugin> {
        let mut manifest = self.manifest.clone();
        change(&mut manifest);
        let params = serde_json::to_string(&manifest.params)
            .map_err(|e| self.error(PluginFailure::Load, None, format!("parameters: {e}")))?;
        let plugin = WasmPlugin {
            manifest,
            pre: self.pre.clone(),
            engine: self.engine.clone(),
            pool: Mutex::new(Vec::new()),
            params,
            from_cache: self.from_cache,
        };
        let guest = plugin
            .instantiate()
            .map_err(|(_, message)| plugin.error(PluginFailure::Load, None, message))?;
        plugin.give_back(guest);
        Ok(plugin)
    }

    /// Whether the compiled module came from the cache (no compilation at load).
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// Runs a launch check on one community (see [`check_batch`](Self::check_batch)).
    pub fn check(&self, candidate: &str, input: &serde_json::Value) -> Result<Verdict> {
        let mut verdicts = self.check_batch(&[(candidate, input)]);
        verdicts
            .pop()
            .unwrap_or_else(|| Err(self.no_answer(candidate)))
    }

    /// [`WasmPlugin::check`], with the community placed at `place` (its site): the helpers
    /// the rule asks on the community are answered from the site's geometry.
    pub fn check_placed(
        &self,
        candidate: &str,
        input: &serde_json::Value,
        place: Option<&Candidate>,
    ) -> Result<Verdict> {
        let Some(place) = place else {
            return self.check(candidate, input);
        };
        let c = launch_candidate(candidate, input).placed_as(place);
        let mut answers = self.run(Kind::LaunchCheck, &[&c as &dyn Features], false);
        match answers.pop() {
            Some(answer) => match answer? {
                Answer::Findings(findings) => {
                    Ok(Verdict::from_findings(self.findings(c.id(), findings)?))
                }
                other => Err(self.wrong_answer(c.id(), &other, "a list of findings")),
            },
            None => Err(self.no_answer(candidate)),
        }
    }

    /// Runs a launch check on communities `(id, input)`, `input` as the launch job builds it
    /// (`hecun::jobs::launch_input`): its fields (`id`, `township` as text, `villages` as
    /// JSON) cross as the candidate's features. One result per community, in
    /// order; a failure on one is that community's result.
    pub fn check_batch(&self, inputs: &[(&str, &serde_json::Value)]) -> Vec<Result<Verdict>> {
        let candidates: Vec<Candidate> = inputs
            .iter()
            .map(|(id, input)| launch_candidate(id, input))
            .collect();
        let refs: Vec<&dyn Features> = candidates.iter().map(|c| c as &dyn Features).collect();
        self.run(Kind::LaunchCheck, &refs, false)
            .into_iter()
            .zip(&candidates)
            .map(|(answer, c)| match answer? {
                Answer::Findings(findings) => {
                    Ok(Verdict::from_findings(self.findings(c.id(), findings)?))
                }
                other => Err(self.wrong_answer(c.id(), &other, "a list of findings")),
            })
            .collect()
    }

    /// Scores one candidate (a batch of one).
    pub fn score(&self, candidate: &Candidate, explain: bool) -> Result<Score> {
        self.score_features(candidate, explain)
    }

    /// Scores one candidate read through [`Features`] (a batch of one).
    pub fn score_features(&self, candidate: &dyn Features, explain: bool) -> Result<Score> {
        let mut scores = self.score_batch(&[candidate], explain);
        scores
            .pop()
            .unwrap_or_else(|| Err(self.no_answer(&candidate.id())))
    }

    /// Scores candidates in batches: one result per candidate, in order; a failure on one
    /// is that candidate's result. With `explain`, each score keeps its terms.
    pub fn score_batch(&self, candidates: &[&dyn Features], explain: bool) -> Vec<Result<Score>> {
        self.run(Kind::SiteScore, candidates, explain)
            .into_iter()
            .zip(candidates)
            .map(|(answer, c)| match answer? {
                Answer::Scored(score, terms, evidence) if score.is_finite() => Ok(Score {
                    outcome: Outcome::Scored(score),
                    terms,
                    evidence,
                }),
                Answer::Scored(score, _, _) => Err(self.error(
                    PluginFailure::Answer,
                    Some(&c.id()),
                    format!("score() returned {score}, not a finite number"),
                )),
                Answer::Excluded(reason, evidence) => Ok(Score {
                    outcome: {
                        let reason = super::message::resolve_wire(&self.manifest.messages, reason)
                            .map_err(|e| self.error(PluginFailure::Answer, Some(&c.id()), e))?;
                        Outcome::Excluded {
                            reason: reason.text,
                            evidence,
                            reasons: reason.texts,
                        }
                    },
                    terms: Vec::new(),
                    evidence: Default::default(),
                }),
                other => Err(self.wrong_answer(&c.id(), &other, "a score or an exclusion")),
            })
            .collect()
    }

    /// Chooses the planning standard for one community and checks it (a batch of one).
    pub fn select_standard(&self, candidate: &Candidate) -> Result<StandardVerdict> {
        let mut answers = self.select_standard_batch(std::slice::from_ref(candidate));
        answers
            .pop()
            .unwrap_or_else(|| Err(self.no_answer(candidate.id())))
    }

    /// Chooses the planning standard for communities in batches: one result per community.
    pub fn select_standard_batch(&self, candidates: &[Candidate]) -> Vec<Result<StandardVerdict>> {
        let refs: Vec<&dyn Features> = candidates.iter().map(|c| c as &dyn Features).collect();
        self.run(Kind::StandardSelection, &refs, false)
            .into_iter()
            .zip(candidates)
            .map(|(answer, c)| match answer? {
                Answer::Standard(standard, findings) => Ok(StandardVerdict {
                    standard,
                    verdict: Verdict::from_findings(self.findings(c.id(), findings)?),
                }),
                other => Err(self.wrong_answer(c.id(), &other, "a standard")),
            })
            .collect()
    }

    /// Computes a table: `input` (`layers`, `params`) crosses as one candidate whose
    /// features are the input's fields; the guest answers its rows as JSON.
    pub fn rows(&self, input: &serde_json::Value) -> Result<Vec<super::table::RawRow>> {
        const CALL: &str = "table";
        let candidate = launch_candidate(CALL, input);
        let refs: [&dyn Features; 1] = [&candidate];
        let answer = self
            .run(Kind::Table, &refs, false)
            .pop()
            .unwrap_or_else(|| Err(self.no_answer(CALL)))?;
        match answer {
            Answer::Rows(rows) => Ok(rows),
            other => Err(self.wrong_answer(CALL, &other, "rows")),
        }
    }

    /// Checks targets: `input` (`run`, `layers`, `params`) crosses as one candidate whose
    /// features are the input's fields; the guest answers its measures as JSON.
    pub fn measures(&self, input: &serde_json::Value) -> Result<Vec<super::target::RawMeasure>> {
        const CALL: &str = "targets";
        let candidate = launch_candidate(CALL, input);
        let refs: [&dyn Features; 1] = [&candidate];
        let answer = self
            .run(Kind::Target, &refs, false)
            .pop()
            .unwrap_or_else(|| Err(self.no_answer(CALL)))?;
        match answer {
            Answer::Measures(measures) => Ok(measures),
            other => Err(self.wrong_answer(CALL, &other, "measures")),
        }
    }

    /// Runs the plugin's own test cases: each case's name and what went wrong, if anything.
    pub fn run_tests(&self) -> Vec<(String, std::result::Result<(), String>)> {
        testing::run_cases(
            &self.manifest,
            |id, input| self.check(id, input),
            |candidate| self.score(candidate, true),
            |candidate| self.select_standard(candidate),
            |input| self.rows(input),
            |input| self.measures(input),
        )
    }

    /// Runs `candidates` through `hecun_run` in batches of consecutive candidates with the
    /// same feature names and layers.
    fn run(
        &self,
        expected: Kind,
        candidates: &[&dyn Features],
        explain: bool,
    ) -> Vec<Result<Answer>> {
        if self.manifest.kind != expected {
            let message = format!(
                "is a {} plugin, not a {}",
                self.manifest.kind.name(),
                expected.name()
            );
            return candidates
                .iter()
                .map(|c| Err(self.error(PluginFailure::Load, Some(&c.id()), message.clone())))
                .collect();
        }
        let mut out: Vec<Option<Result<Answer>>> = Vec::with_capacity(candidates.len());
        out.resize_with(candidates.len(), || None);
        let mut batch = Encoder::default();
        // Ranges of candidates still to answer. A call that fails at a candidate the guest
        // names (its progress slot) records the failure for that one and goes on with the
        // others, without a rerun of the rest; one that cannot be pinned on a candidate is
        // rerun one candidate at a time.
        let mut todo: Vec<std::ops::Range<usize>> = Vec::with_capacity(4);
        todo.push(0..candidates.len());
        // Each failure reruns the candidates before it in the call (their answers are lost
        // with it): a guest that makes each call fail late, on its last candidate, would cost
        // n²/2 × max_millis. Every call is bounded; so is the whole, at 3 × n × max_millis
        // (an honest rule's reruns stay far below): beyond it, what is left fails.
        let started = Instant::now();
        let millis = self.manifest.limits.max_millis;
        let allowed = Duration::from_millis(millis.saturating_mul(3 * candidates.len() as u64));
        while let Some(range) = todo.pop() {
            if range.is_empty() {
                continue;
            }
            if started.elapsed() > allowed {
                let message = format!(
                    "stopped: its calls on these {} candidates ran longer than 3 × {} × \
                     {millis} ms in all, reruns after its failures included",
                    candidates.len(),
                    candidates.len()
                );
                for r in std::iter::once(range).chain(todo.drain(..)) {
                    for i in r {
                        if out[i].is_none() {
                            out[i] = Some(Err(self.error(
                                PluginFailure::Timeout,
                                Some(&candidates[i].id()),
                                message.clone(),
                            )));
                        }
                    }
                }
                break;
            }
            let end = batch.fill(candidates, range.start, range.end.min(range.start + CHUNK));
            if end < range.end {
                todo.push(end..range.end);
            }
            let start = range.start;
            match self.call(expected.code(), &mut batch, explain) {
                Ok(answers) => {
                    for (i, answer) in (start..end).zip(answers) {
                        out[i] = Some(answer.map_err(|(failure, message)| {
                            self.error(failure, Some(&candidates[i].id()), message)
                        }));
                    }
                }
                Err(failure) if failure.every => {
                    for (i, slot) in out.iter_mut().enumerate().take(end).skip(start) {
                        *slot = Some(Err(self.error(
                            failure.kind,
                            Some(&candidates[i].id()),
                            failure.message.clone(),
                        )));
                    }
                }
                Err(failure) => {
                    let blamed = failure.at.map(|i| start + i).filter(|&i| i < end);
                    match blamed {
                        Some(i) => {
                            out[i] = Some(Err(self.error(
                                failure.kind,
                                Some(&candidates[i].id()),
                                failure.message,
                            )));
                            todo.push(i + 1..end);
                            todo.push(start..i);
                        }
                        None if end - start == 1 => {
                            out[start] = Some(Err(self.error(
                                failure.kind,
                                Some(&candidates[start].id()),
                                failure.message,
                            )));
                        }
                        None => todo.extend((start..end).rev().map(|i| i..i + 1)),
                    }
                }
            }
        }
        out.into_iter()
            .zip(candidates)
            .map(|(answer, c)| answer.unwrap_or_else(|| Err(self.no_answer(&c.id()))))
            .collect()
    }

    /// One `hecun_run` call on a pooled instance. `Err`: the call failed as a whole (the
    /// instance is dropped), at the candidate named if the guest said which it was on;
    /// `Ok`: one answer per candidate, a failure of one being that candidate's message.
    fn call(
        &self,
        kind: i32,
        batch: &mut Encoder,
        explain: bool,
    ) -> std::result::Result<Vec<CandidateAnswer>, Failure> {
        let _ticking = Ticking::start();
        let pooled = self.pool.lock().ok().and_then(|mut pool| pool.pop());
        let mut guest = match pooled {
            Some(guest) => guest,
            None => self.instantiate().map_err(Failure::whole)?,
        };
        let n = batch.placed.len();
        let header = batch.header(explain);
        {
            let host = guest.store.data_mut();
            std::mem::swap(&mut host.batch, &mut batch.placed);
            host.helper_errors.clear();
            host.helper_errors.resize(n, None);
            host.fault = None;
            host.panic = None;
            host.memory_refused = false;
            host.clock.restart(n);
        }
        guest.store.set_epoch_deadline(1);
        let mut ran = false;
        let outcome = (|| -> wasmtime::Result<Vec<CandidateAnswer>> {
            let bytes = write_input(&mut guest, &[&header, &batch.body])?;
            ran = true;
            let packed = guest.run.call(&mut guest.store, (kind, bytes.0, bytes.1))?;
            ran = false;
            let len = (packed as u64 & 0xffff_ffff) as usize;
            // Before a byte is read: an answer over the limit is refused by its length.
            let limit = &self.manifest.limits;
            if len > limit.max_answer_bytes.saturating_mul(n) {
                return Err(refused(
                    PluginFailure::Limit {
                        limit: "max_answer_bytes",
                    },
                    format!(
                        "answered {len} bytes for {n} candidate(s), more than its limit \
                         max_answer_bytes = {} each (plugin.toml [limits])",
                        limit.max_answer_bytes
                    ),
                ));
            }
            let answer = read_output(&guest, packed)?;
            decode_answers(answer, n, limit)
                .map_err(|message| refused(PluginFailure::Answer, message))
        })();
        // The batch's candidates go back to the encoder, to be reused.
        std::mem::swap(&mut guest.store.data_mut().batch, &mut batch.placed);
        let answers = match outcome {
            Ok(answers) => answers,
            Err(e) => {
                let at = if ran { progress(&guest.store) } else { None };
                let every = guest.store.data().clock.over_call && n > 1;
                let (kind, message) = failure(&self.manifest, &guest.store, &e);
                return Err(Failure {
                    kind,
                    message,
                    at: at.map(|i| i as usize),
                    every,
                });
            }
        };
        let host = guest.store.data_mut();
        let answers = answers
            .into_iter()
            .zip(host.helper_errors.iter_mut())
            .map(|(answer, helper_error)| match helper_error.take() {
                Some(message) => Err((PluginFailure::Runtime, message)),
                None => answer,
            })
            .collect();
        self.give_back(guest);
        Ok(answers)
    }

    /// A new instance in its own store, its parameters handed to `hecun_init`.
    fn instantiate(&self) -> std::result::Result<Guest, (PluginFailure, String)> {
        let _ticking = Ticking::start();
        let mut store = new_store(&self.engine, limits(&self.manifest));
        let parts = (|| -> wasmtime::Result<_> {
            let instance = self.pre.instantiate(&mut store)?;
            let memory = instance
                .get_memory(&mut store, "memory")
                .ok_or_else(|| wasmtime::Error::msg("does not export its memory"))?;
            let alloc = instance.get_typed_func(&mut store, "hecun_alloc")?;
            let init = instance.get_typed_func::<(i32, i32), i64>(&mut store, "hecun_init")?;
            let run = instance.get_typed_func(&mut store, "hecun_run")?;
            let slot = match instance.get_global(&mut store, "hecun_progress") {
                Some(global) => match global.get(&mut store) {
                    wasmtime::Val::I32(at) => Some((memory, at as u32 as usize)),
                    _ => None,
                },
                None => None,
            };
            store.data_mut().clock.slot = slot;
            Ok((memory, alloc, init, run))
        })();
        let (memory, alloc, init, run) = parts.map_err(|e| {
            let (kind, message) = failure(&self.manifest, &store, &e);
            (
                kind,
                format!("at instantiation (its start function): {message}"),
            )
        })?;
        let mut guest = Guest {
            store,
            memory,
            alloc,
            run,
        };
        guest.store.data_mut().clock.restart(1);
        guest.store.set_epoch_deadline(1);
        let refused = (|| -> wasmtime::Result<String> {
            let (ptr, len) = write_input(&mut guest, &[self.params.as_bytes()])?;
            let packed = init.call(&mut guest.store, (ptr, len))?;
            let len = (packed as u64 & 0xffff_ffff) as usize;
            self.manifest
                .limits
                .check_answer_bytes(len)
                .map_err(|breach| {
                    refused(
                        PluginFailure::Limit {
                            limit: breach.limit,
                        },
                        breach.message,
                    )
                })?;
            Ok(String::from_utf8_lossy(read_output(&guest, packed)?).into_owned())
        })();
        match refused {
            Err(e) => {
                let (kind, message) = failure(&self.manifest, &guest.store, &e);
                Err((kind, format!("in hecun_init: {message}")))
            }
            Ok(message) if !message.is_empty() => Err((
                PluginFailure::Load,
                format!("hecun_init refused the parameters: {message}"),
            )),
            Ok(_) => Ok(guest),
        }
    }

    fn give_back(&self, guest: Guest) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(guest);
        }
    }

    /// Findings with their reasons resolved: a message (ABI.md, "Reasons") filled in every
    /// language of the manifest's `[messages]`, a bad one the candidate's error.
    fn findings(&self, candidate: &str, findings: Vec<Finding>) -> Result<Vec<Finding>> {
        findings
            .into_iter()
            .map(|mut f| {
                let reason = super::message::resolve_wire(
                    &self.manifest.messages,
                    std::mem::take(&mut f.reason),
                )
                .map_err(|e| self.error(PluginFailure::Answer, Some(candidate), e))?;
                f.reason = reason.text;
                f.reasons = reason.texts;
                Ok(f)
            })
            .collect()
    }

    fn error(&self, failure: PluginFailure, candidate: Option<&str>, message: String) -> Error {
        Error::Plugin {
            plugin: self.manifest.name.clone(),
            failure,
            candidate: candidate.map(str::to_owned),
            line: None,
            message,
        }
    }

    fn no_answer(&self, candidate: &str) -> Error {
        self.error(
            PluginFailure::Answer,
            Some(candidate),
            "gave no answer".into(),
        )
    }

    fn wrong_answer(&self, candidate: &str, got: &Answer, wanted: &str) -> Error {
        let got = match got {
            Answer::Scored(..) => "a score",
            Answer::Excluded(..) => "an exclusion",
            Answer::Findings(..) => "a list of findings",
            Answer::Standard(..) => "a standard",
            Answer::Rows(..) => "rows",
            Answer::Measures(..) => "measures",
        };
        self.error(
            PluginFailure::Answer,
            Some(candidate),
            format!("answered {got} where {wanted} was asked for"),
        )
    }
}

/// What stopped a batch, in words, and its kind: the broken limit, the panic, the trap and
/// where.
fn failure(
    manifest: &Manifest,
    store: &Store<Host>,
    e: &wasmtime::Error,
) -> (PluginFailure, String) {
    let host = store.data();
    if host.memory_refused {
        return (
            PluginFailure::Limit {
                limit: "max_memory_mb",
            },
            format!(
                "memory limit of {} MiB reached",
                manifest.limits.max_memory_mb
            ),
        );
    }
    if let Some(message) = &host.panic {
        return (PluginFailure::Runtime, format!("panicked: {message}"));
    }
    if let Some(fault) = &host.fault {
        return (PluginFailure::Runtime, fault.clone());
    }
    let clock = &host.clock;
    if clock.over_call && matches!(e.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
        let n = clock.candidates;
        let limit = manifest.limits.max_millis;
        let message = if n == 1 {
            format!("stopped: ran longer than its limit of {limit} ms")
        } else {
            format!(
                "stopped: its call on {n} candidates ran longer than ({n} + 1) × {limit} ms in \
                 all (max_millis = {limit} per candidate), though its progress slot never \
                 showed one candidate over the limit"
            )
        };
        return (PluginFailure::Timeout, message);
    }
    failure_without_store(manifest, e)
}

fn failure_without_store(manifest: &Manifest, e: &wasmtime::Error) -> (PluginFailure, String) {
    if let Some(refused) = e.downcast_ref::<Refused>() {
        return (refused.failure, refused.message.clone());
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => (
            PluginFailure::Timeout,
            format!(
                "stopped: ran longer than its limit of {} ms",
                manifest.limits.max_millis
            ),
        ),
        Some(trap) => {
            let place = e
                .downcast_ref::<WasmBacktrace>()
                .and_then(|bt| bt.frames().first())
                .map(|frame| match frame.func_name() {
                    Some(name) => format!(" in {name}"),
                    None => format!(" in function #{}", frame.func_index()),
                })
                .unwrap_or_default();
            let trap = trap.to_string();
            let trap = trap.strip_prefix("wasm trap: ").unwrap_or(&trap);
            (PluginFailure::Runtime, format!("trapped: {trap}{place}"))
        }
        None => (PluginFailure::Runtime, first_line(e)),
    }
}

/// A call the host refused for a reason of its own kind (an answer over a limit, a malformed
/// answer), carried through wasmtime's error to [`failure`].
#[derive(Debug)]
struct Refused {
    failure: PluginFailure,
    message: String,
}

fn refused(failure: PluginFailure, message: String) -> wasmtime::Error {
    wasmtime::Error::new(Refused { failure, message })
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

fn first_line(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or_default().to_owned()
}

/// A launch check's input as a candidate: the input's fields are its features.
fn launch_candidate(id: &str, input: &serde_json::Value) -> Candidate {
    let (names, values): (Vec<String>, Vec<Value>) = match input {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .unzip(),
        other => (vec!["input".into()], vec![Value::from(other.clone())]),
    };
    let names: FeatureNames = names.into();
    Candidate::new(id, names, values)
}

/// Why a call failed as a whole, and the candidate the guest was on, if it said.
struct Failure {
    kind: PluginFailure,
    message: String,
    at: Option<usize>,
    /// The call overran its deadline for the whole batch: every candidate of it fails, as
    /// rerunning them would let the guest take that time again.
    every: bool,
}

impl Failure {
    fn whole((kind, message): (PluginFailure, String)) -> Failure {
        Failure {
            kind,
            message,
            at: None,
            every: false,
        }
    }
}
