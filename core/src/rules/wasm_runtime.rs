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

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use wasmtime::{
    Cache, CacheConfig, Caller, Config, Engine, EngineWeak, ExternType, FuncType, InstancePre,
    Linker, Memory, Module, ResourceLimiter, Store, Trap, TypedFunc, UpdateDeadline, ValType,
    WasmBacktrace,
};

use super::candidate::{Candidate, FeatureNames, FeatureSink, Features, Value, helpers};
use super::contract::{Kind, Manifest, Runtime};
use super::score::{Outcome, Score};
use super::testing;
use super::verdict::{StandardVerdict, Verdict};
use super::wasm_answer::{Answer, decode_answers};
use crate::error::{Error, Result};
use crate::spatial::SpatialLayers;

pub use super::wasm_answer::ABI_VERSION;

/// Candidates per `hecun_run` call at most: the time limit applies to each call.
const CHUNK: usize = 256;

/// How often the engines' epoch advances: the resolution of the time limit.
const TICK: Duration = Duration::from_millis(10);

const KIND_SITE_SCORE: i32 = 1;
const KIND_LAUNCH_CHECK: i32 = 2;
const KIND_STANDARD: i32 = 3;

/// What the host keeps in a guest's store: the batch being run and what went wrong in it.
struct Host {
    /// The batch being run, which the helpers answer about.
    batch: Placed,
    /// The first helper failure of each candidate of the batch: that candidate's answer.
    helper_errors: Vec<Option<String>>,
    /// A fault the host found in the guest's use of the imports (it traps).
    fault: Option<String>,
    /// The message of a panic the guest reported before trapping.
    panic: Option<String>,
    /// The linear-memory cap, in bytes.
    max_memory: usize,
    /// Whether the guest asked for more memory than the cap.
    memory_refused: bool,
    /// The time limit: which candidate the guest is on, and since how many ticks.
    clock: Clock,
}

/// The candidates of a batch as the helpers need them. Only those with a place (a geometry,
/// layers) are kept whole; for the others the helpers' answer depends on the id alone, so a
/// grid cell costs no allocation unless a helper is asked about it.
#[derive(Default)]
struct Placed {
    /// Per candidate: the candidate, when it has a place.
    candidates: Vec<Option<Candidate>>,
    /// The ids, one after the other; `ends[i]` is where candidate `i`'s ends.
    ids: String,
    ends: Vec<usize>,
}

impl Placed {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn clear(&mut self) {
        self.candidates.clear();
        self.ids.clear();
        self.ends.clear();
    }

    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.ids[start..self.ends[i]]
    }

    /// Candidate `i` for a helper: itself, or one with nothing but its id.
    fn candidate(&self, i: usize) -> Option<Candidate> {
        let placed = self.candidates.get(i)?;
        Some(match placed {
            Some(c) => c.clone(),
            None => Candidate::new(self.id(i), FeatureNames::from(Vec::new()), Vec::new()),
        })
    }

    /// The layers of the batch: the host splits batches where candidates' layers differ.
    fn layers(&self) -> Option<&SpatialLayers> {
        self.candidates.iter().flatten().find_map(Candidate::layers)
    }
}

/// The per-candidate time limit (`max_millis`), checked at each epoch tick: the guest keeps
/// the index of the candidate it is on in its `hecun_progress` slot (ABI.md); a candidate
/// seen at more ticks in a row than the limit allows is stopped. A module without the slot is
/// limited per call. The slot is the guest's word only: whatever it says, a call on `n`
/// candidates is stopped after about `(n + 1) × max_millis` (counted in the same ticks, so
/// that a loaded machine's late ticks delay both bounds alike and an honest candidate that
/// loops is stopped on its own first), so a guest that keeps moving its slot cannot run on.
#[derive(Default)]
struct Clock {
    /// The guest's memory and the address of its progress slot, if it exports one.
    slot: Option<(Memory, usize)>,
    /// The candidate seen at the last tick, and at how many ticks in a row.
    last: Option<u32>,
    ticks: u64,
    /// Ticks a candidate (a call, without the slot) may be seen at.
    limit: u64,
    /// The candidates of the call being run, the ticks it was seen running at in all, and
    /// how many it may be seen at whatever the slot says.
    candidates: usize,
    total: u64,
    budget: u64,
    /// Whether the call was stopped on its budget rather than on one candidate.
    over_call: bool,
}

impl Clock {
    /// A new call on `candidates` candidates (1 for a call outside a batch) starts now.
    fn restart(&mut self, candidates: usize) {
        self.last = None;
        self.ticks = 0;
        self.total = 0;
        self.candidates = candidates.max(1);
        self.over_call = false;
        // Each candidate `limit` ticks, one more candidate's worth for the ticks before the
        // guest writes its first index (the slot still holds the last call's), and the tick
        // at which a looping candidate is stopped.
        self.budget = self
            .limit
            .saturating_mul(self.candidates as u64 + 1)
            .saturating_add(2);
    }
}

/// The candidate the guest is on, from its progress slot.
fn progress(store: &impl wasmtime::AsContext<Data = Host>) -> Option<u32> {
    let (memory, at) = store.as_context().data().clock.slot?;
    let bytes = memory.data(store).get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

impl ResourceLimiter for Host {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory {
            self.memory_refused = true;
            return Err(wasmtime::Error::msg("memory limit reached"));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}

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

/// The most functions a module may define, and the largest body one function may have.
/// Compiling is the one step of a load the clock cannot stop (Cranelift is not interruptible),
/// so its work is bounded by the module's size instead: a module of 100,000 small functions
/// took 16 s to compile; the shipped rules define a few hundred, none over 64 KiB.
pub const MAX_MODULE_FUNCTIONS: u32 = 10_000;
/// See [`MAX_MODULE_FUNCTIONS`].
pub const MAX_FUNCTION_BYTES: usize = 256 * 1024;

/// Refuses a module whose compilation could run away (see [`MAX_MODULE_FUNCTIONS`]); a
/// module that does not parse is left to wasmtime, which says what is wrong with it.
fn check_compile_bound(binary: &[u8]) -> std::result::Result<(), String> {
    use wasmparser::Payload;
    for payload in wasmparser::Parser::new(0).parse_all(binary) {
        match payload {
            Ok(Payload::CodeSectionStart { count, .. }) if count > MAX_MODULE_FUNCTIONS => {
                return Err(format!(
                    "defines {count} functions, more than the {MAX_MODULE_FUNCTIONS} a module \
                     may have (compiling is bounded by size, not by the clock)"
                ));
            }
            Ok(Payload::CodeSectionEntry(body)) if body.range().len() > MAX_FUNCTION_BYTES => {
                return Err(format!(
                    "has a function of {} bytes, more than the {MAX_FUNCTION_BYTES} one function \
                     may have (compiling is bounded by size, not by the clock)",
                    body.range().len()
                ));
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

impl WasmPlugin {
    /// Loads and compiles the plugin in `path` (its folder or its `plugin.toml`), whose
    /// manifest names a `module`; compiled modules are cached in hecun's cache folder.
    pub fn load(path: &Path) -> Result<WasmPlugin> {
        WasmPlugin::load_with_cache(path, default_cache_dir().as_deref())
    }

    /// [`load`](Self::load), with compiled modules cached in `cache` (`None`: not cached).
    pub fn load_with_cache(path: &Path, cache: Option<&Path>) -> Result<WasmPlugin> {
        let (manifest, module_path) = Manifest::load(path)?;
        let fail = |message: String| Error::Plugin {
            plugin: manifest.name.clone(),
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
                    failure(&manifest, &store, &e)
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
            .map_err(|message| plugin.error(None, message))?;
        plugin.give_back(guest);
        Ok(plugin)
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
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

    /// Runs a launch check on communities `(id, input)`, `input` as
    /// [`launch_input`](super::launch_input) builds it: its fields (`id`, `township` as text,
    /// `villages` as JSON) cross as the candidate's features. One result per community, in
    /// order; a failure on one is that community's result.
    pub fn check_batch(&self, inputs: &[(&str, &serde_json::Value)]) -> Vec<Result<Verdict>> {
        let candidates: Vec<Candidate> = inputs
            .iter()
            .map(|(id, input)| launch_candidate(id, input))
            .collect();
        let refs: Vec<&dyn Features> = candidates.iter().map(|c| c as &dyn Features).collect();
        self.run(KIND_LAUNCH_CHECK, &refs, false)
            .into_iter()
            .zip(&candidates)
            .map(|(answer, c)| match answer? {
                Answer::Findings(findings) => Ok(Verdict::from_findings(findings)),
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
        self.run(KIND_SITE_SCORE, candidates, explain)
            .into_iter()
            .zip(candidates)
            .map(|(answer, c)| match answer? {
                Answer::Scored(score, terms) if score.is_finite() => Ok(Score {
                    outcome: Outcome::Scored(score),
                    terms,
                }),
                Answer::Scored(score, _) => Err(self.error(
                    Some(&c.id()),
                    format!("score() returned {score}, not a finite number"),
                )),
                Answer::Excluded(reason, evidence) => Ok(Score {
                    outcome: Outcome::Excluded { reason, evidence },
                    terms: Vec::new(),
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
        self.run(KIND_STANDARD, &refs, false)
            .into_iter()
            .zip(candidates)
            .map(|(answer, c)| match answer? {
                Answer::Standard(standard, findings) => Ok(StandardVerdict {
                    standard,
                    verdict: Verdict::from_findings(findings),
                }),
                other => Err(self.wrong_answer(c.id(), &other, "a standard")),
            })
            .collect()
    }

    /// Runs the plugin's own test cases: each case's name and what went wrong, if anything.
    pub fn run_tests(&self) -> Vec<(String, std::result::Result<(), String>)> {
        testing::run_cases(
            &self.manifest,
            |id, input| self.check(id, input),
            |candidate| self.score(candidate, true),
            |candidate| self.select_standard(candidate),
        )
    }

    /// Runs `candidates` through `hecun_run` in batches of consecutive candidates with the
    /// same feature names and layers.
    fn run(&self, kind: i32, candidates: &[&dyn Features], explain: bool) -> Vec<Result<Answer>> {
        let expected = match kind {
            KIND_SITE_SCORE => Kind::SiteScore,
            KIND_LAUNCH_CHECK => Kind::LaunchCheck,
            _ => Kind::StandardSelection,
        };
        if self.manifest.kind != expected {
            let message = format!(
                "is a {} plugin, not a {}",
                self.manifest.kind.name(),
                expected.name()
            );
            return candidates
                .iter()
                .map(|c| Err(self.error(Some(&c.id()), message.clone())))
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
                            out[i] =
                                Some(Err(self.error(Some(&candidates[i].id()), message.clone())));
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
            match self.call(kind, &mut batch, explain) {
                Ok(answers) => {
                    for (i, answer) in (start..end).zip(answers) {
                        out[i] = Some(
                            answer
                                .map_err(|message| self.error(Some(&candidates[i].id()), message)),
                        );
                    }
                }
                Err(failure) if failure.every => {
                    for (i, slot) in out.iter_mut().enumerate().take(end).skip(start) {
                        *slot = Some(Err(
                            self.error(Some(&candidates[i].id()), failure.message.clone())
                        ));
                    }
                }
                Err(failure) => {
                    let blamed = failure.at.map(|i| start + i).filter(|&i| i < end);
                    match blamed {
                        Some(i) => {
                            out[i] =
                                Some(Err(self.error(Some(&candidates[i].id()), failure.message)));
                            todo.push(i + 1..end);
                            todo.push(start..i);
                        }
                        None if end - start == 1 => {
                            out[start] = Some(Err(
                                self.error(Some(&candidates[start].id()), failure.message)
                            ));
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
    ) -> std::result::Result<Vec<std::result::Result<Answer, String>>, Failure> {
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
        let outcome = (|| -> wasmtime::Result<Vec<std::result::Result<Answer, String>>> {
            let bytes = write_input(&mut guest, &[&header, &batch.body])?;
            ran = true;
            let packed = guest.run.call(&mut guest.store, (kind, bytes.0, bytes.1))?;
            ran = false;
            let len = (packed as u64 & 0xffff_ffff) as usize;
            // Before a byte is read: an answer over the limit is refused by its length.
            let limit = &self.manifest.limits;
            if len > limit.max_answer_bytes.saturating_mul(n) {
                return Err(wasmtime::Error::msg(format!(
                    "answered {len} bytes for {n} candidate(s), more than its limit \
                     max_answer_bytes = {} each (plugin.toml [limits])",
                    limit.max_answer_bytes
                )));
            }
            let answer = read_output(&guest, packed)?;
            decode_answers(answer, n, limit).map_err(wasmtime::Error::msg)
        })();
        // The batch's candidates go back to the encoder, to be reused.
        std::mem::swap(&mut guest.store.data_mut().batch, &mut batch.placed);
        let answers = match outcome {
            Ok(answers) => answers,
            Err(e) => {
                let at = if ran { progress(&guest.store) } else { None };
                let every = guest.store.data().clock.over_call && n > 1;
                return Err(Failure {
                    message: failure(&self.manifest, &guest.store, &e),
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
                Some(message) => Err(message),
                None => answer,
            })
            .collect();
        self.give_back(guest);
        Ok(answers)
    }

    /// A new instance in its own store, its parameters handed to `hecun_init`.
    fn instantiate(&self) -> std::result::Result<Guest, String> {
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
            format!(
                "at instantiation (its start function): {}",
                failure(&self.manifest, &store, &e)
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
                .map_err(wasmtime::Error::msg)?;
            Ok(String::from_utf8_lossy(read_output(&guest, packed)?).into_owned())
        })();
        match refused {
            Err(e) => Err(format!(
                "in hecun_init: {}",
                failure(&self.manifest, &guest.store, &e)
            )),
            Ok(message) if !message.is_empty() => {
                Err(format!("hecun_init refused the parameters: {message}"))
            }
            Ok(_) => Ok(guest),
        }
    }

    fn give_back(&self, guest: Guest) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(guest);
        }
    }

    fn error(&self, candidate: Option<&str>, message: String) -> Error {
        Error::Plugin {
            plugin: self.manifest.name.clone(),
            candidate: candidate.map(str::to_owned),
            line: None,
            message,
        }
    }

    fn no_answer(&self, candidate: &str) -> Error {
        self.error(Some(candidate), "gave no answer".into())
    }

    fn wrong_answer(&self, candidate: &str, got: &Answer, wanted: &str) -> Error {
        let got = match got {
            Answer::Scored(..) => "a score",
            Answer::Excluded(..) => "an exclusion",
            Answer::Findings(..) => "a list of findings",
            Answer::Standard(..) => "a standard",
        };
        self.error(
            Some(candidate),
            format!("answered {got} where {wanted} was asked for"),
        )
    }
}

/// The memory cap in bytes, and the ticks at which one candidate (or one call) may be seen
/// running: it is stopped after at least `max_millis`, at most two ticks more.
fn limits(manifest: &Manifest) -> (usize, u64) {
    let bytes = manifest.limits.max_memory_mb.saturating_mul(1 << 20);
    let ticks = manifest.limits.max_millis.div_ceil(TICK.as_millis() as u64);
    (usize::try_from(bytes).unwrap_or(usize::MAX), ticks)
}

/// The engine of one plugin: epoch interruption on, its cache (if any).
fn engine(cache: Option<Cache>) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.cache(cache);
    Engine::new(&config)
}

fn new_store(engine: &Engine, (max_memory, ticks): (usize, u64)) -> Store<Host> {
    let mut store = Store::new(
        engine,
        Host {
            batch: Placed::default(),
            helper_errors: Vec::new(),
            fault: None,
            panic: None,
            max_memory,
            memory_refused: false,
            clock: Clock {
                limit: ticks,
                ..Clock::default()
            },
        },
    );
    // The start function runs at instantiation: under the clock as one call.
    store.data_mut().clock.restart(1);
    store.limiter(|host| host);
    // Called at every tick while the guest runs (the deadline is one tick ahead): a tick
    // costs nothing to the guest between them.
    store.epoch_deadline_callback(|mut ctx| {
        let on = progress(&ctx);
        let clock = &mut ctx.data_mut().clock;
        if on == clock.last {
            clock.ticks += 1;
        } else {
            clock.last = on;
            clock.ticks = 1;
        }
        if clock.ticks > clock.limit {
            return Ok(UpdateDeadline::Interrupt);
        }
        clock.total += 1;
        if clock.total > clock.budget {
            clock.over_call = true;
            return Ok(UpdateDeadline::Interrupt);
        }
        Ok(UpdateDeadline::Continue(1))
    });
    store.set_epoch_deadline(1);
    store
}

/// Where compiled modules are cached unless the caller says otherwise.
fn default_cache_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let dir = if let Some(dir) = env("HECUN_CACHE_DIR") {
        PathBuf::from(dir)
    } else if let Some(dir) = env("XDG_CACHE_HOME") {
        PathBuf::from(dir).join("hecun/wasmtime")
    } else {
        PathBuf::from(env("HOME")?).join(".cache/hecun/wasmtime")
    };
    if dir.is_absolute() {
        Some(dir)
    } else {
        std::env::current_dir().ok().map(|cwd| cwd.join(dir))
    }
}

/// Every engine a plugin uses, its epoch advanced every [`TICK`] by one thread.
static ENGINES: Mutex<Vec<EngineWeak>> = Mutex::new(Vec::new());

fn register_ticker(engine: &Engine) {
    static TICKER: Once = Once::new();
    if let Ok(mut engines) = ENGINES.lock() {
        engines.push(engine.weak());
    }
    TICKER.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("hecun-wasm-epoch".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(TICK);
                    let Ok(mut engines) = ENGINES.lock() else {
                        return;
                    };
                    engines.retain(|weak| match weak.upgrade() {
                        Some(engine) => {
                            engine.increment_epoch();
                            true
                        }
                        None => false,
                    });
                }
            });
        // Without the thread, no time limit could be enforced: nothing would run.
        if spawned.is_err() {
            std::process::abort();
        }
    });
}

fn check_export(
    module: &Module,
    name: &str,
    params: &[ValType],
    results: &[ValType],
) -> std::result::Result<(), String> {
    let want = || {
        let list = |types: &[ValType]| {
            types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("({}) -> ({})", list(params), list(results))
    };
    match module.get_export(name) {
        None => Err(format!("does not export {name}")),
        Some(ExternType::Func(f)) if same_signature(&f, params, results) => Ok(()),
        Some(_) => Err(format!(
            "exports {name}, but not as a function {} (ABI {ABI_VERSION})",
            want()
        )),
    }
}

fn same_signature(f: &FuncType, params: &[ValType], results: &[ValType]) -> bool {
    let same = |a: &mut dyn ExactSizeIterator<Item = ValType>, b: &[ValType]| {
        a.len() == b.len() && a.zip(b).all(|(x, y)| ValType::eq(&x, y))
    };
    same(&mut f.params(), params) && same(&mut f.results(), results)
}

/// Every import of the module must be one of the helpers, with its signature.
fn check_imports(module: &Module) -> std::result::Result<(), String> {
    let provided: Vec<String> = HELPERS.iter().map(|h| format!("hecun.{h}")).collect();
    for import in module.imports() {
        let known = import.module() == "hecun" && HELPERS.contains(&import.name());
        if !known {
            return Err(format!(
                "imports {}.{}, which hecun does not provide (it provides {})",
                import.module(),
                import.name(),
                provided.join(", ")
            ));
        }
    }
    Ok(())
}

const HELPERS: [&str; 10] = [
    "distance_to",
    "nearest",
    "has_geometry",
    "count_within",
    "ids_within",
    "sum_within",
    "overlap_share",
    "touches",
    "has_layer",
    "panic",
];

/// The imports: the spatial helpers, answered from the candidate at `index` of the batch.
fn linker(engine: &Engine) -> wasmtime::Result<Linker<Host>> {
    let mut linker = Linker::new(engine);
    linker.func_wrap(
        "hecun",
        "distance_to",
        |mut caller: Caller<'_, Host>, index: i32, lp: i32, ll: i32, cp: i32, cl: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "distance_to", index, f64::NAN, |c| {
                Ok(helpers::distance_to(c, &layer, class.as_deref())?.unwrap_or(f64::NAN))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "nearest",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         cp: i32,
         cl: i32,
         id_ptr: i32,
         id_cap: i32,
         id_len: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            let nearest = helper(&mut caller, "nearest", index, None, |c| {
                helpers::nearest(c, &layer, class.as_deref())
            })?;
            let Some((id, distance)) = nearest else {
                return Ok(f64::NAN);
            };
            // The id, as much of it as fits, and its whole length: the guest asks again
            // with room for it when it did not fit.
            let fits = id.len().min(usize::try_from(id_cap).unwrap_or(0));
            write_guest(&mut caller, id_ptr, &id.as_bytes()[..fits])?;
            write_guest(&mut caller, id_len, &(id.len() as u32).to_le_bytes())?;
            Ok(distance)
        },
    )?;
    linker.func_wrap(
        "hecun",
        "count_within",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         cp: i32,
         cl: i32,
         metres: f64| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "count_within", index, -1_i64, |c| {
                Ok(helpers::count_within(c, &layer, metres, class.as_deref())? as i64)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "ids_within",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         cp: i32,
         cl: i32,
         metres: f64,
         out_ptr: i32,
         out_cap: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            let ids = helper(&mut caller, "ids_within", index, None, |c| {
                helpers::ids_within(c, &layer, metres, class.as_deref()).map(Some)
            })?;
            let Some(ids) = ids else {
                return Ok(-1_i64);
            };
            // Each id as its length (u32, little-endian) and its bytes; as much as fits, and
            // the whole length returned: the guest asks again with room for it.
            let mut encoded = Vec::new();
            for id in &ids {
                encoded.extend_from_slice(&(id.len() as u32).to_le_bytes());
                encoded.extend_from_slice(id.as_bytes());
            }
            let fits = encoded.len().min(usize::try_from(out_cap).unwrap_or(0));
            write_guest(&mut caller, out_ptr, &encoded[..fits])?;
            Ok(encoded.len() as i64)
        },
    )?;
    linker.func_wrap(
        "hecun",
        "sum_within",
        |mut caller: Caller<'_, Host>,
         index: i32,
         lp: i32,
         ll: i32,
         fp: i32,
         fl: i32,
         metres: f64| {
            let (layer, field) = (text(&mut caller, lp, ll)?, text(&mut caller, fp, fl)?);
            helper(&mut caller, "sum_within", index, f64::NAN, |c| {
                helpers::sum_within(c, &layer, &field, metres)
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "overlap_share",
        |mut caller: Caller<'_, Host>, index: i32, lp: i32, ll: i32, cp: i32, cl: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "overlap_share", index, f64::NAN, |c| {
                helpers::overlap_share(c, &layer, class.as_deref())
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "touches",
        |mut caller: Caller<'_, Host>, index: i32, lp: i32, ll: i32, cp: i32, cl: i32| {
            let (layer, class) = (text(&mut caller, lp, ll)?, class(&mut caller, cp, cl)?);
            helper(&mut caller, "touches", index, -1_i32, |c| {
                Ok(i32::from(helpers::touches(c, &layer, class.as_deref())?))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "has_layer",
        |mut caller: Caller<'_, Host>, lp: i32, ll: i32| {
            let layer = text(&mut caller, lp, ll)?;
            // Every candidate of a batch has the same layers (batches are split where they
            // differ), so the batch's answer is each candidate's, as in Rhai.
            let loaded = caller
                .data()
                .batch
                .layers()
                .is_some_and(|layers| layers.get(&layer).is_some());
            Ok(i32::from(loaded))
        },
    )?;
    linker.func_wrap(
        "hecun",
        "has_geometry",
        |mut caller: Caller<'_, Host>, index: i32| {
            helper(&mut caller, "has_geometry", index, 0, |c| {
                Ok(i32::from(c.geometry().is_some()))
            })
        },
    )?;
    linker.func_wrap(
        "hecun",
        "panic",
        |mut caller: Caller<'_, Host>, ptr: i32, len: i32| {
            let message = text(&mut caller, ptr, len)?;
            caller.data_mut().panic = Some(message);
            Ok(())
        },
    )?;
    Ok(linker)
}

/// Answers a helper about candidate `index`: its failure is recorded as that candidate's
/// answer and the guest gets `fail` (NaN or −1); an index outside the batch traps.
fn helper<T>(
    caller: &mut Caller<'_, Host>,
    name: &str,
    index: i32,
    fail: T,
    answer: impl FnOnce(&Candidate) -> std::result::Result<T, String>,
) -> wasmtime::Result<T> {
    let host = caller.data_mut();
    let Some((i, candidate)) = usize::try_from(index)
        .ok()
        .and_then(|i| Some((i, host.batch.candidate(i)?)))
    else {
        let fault = format!(
            "called {name} for candidate #{index} of a batch of {}",
            host.batch.len()
        );
        host.fault = Some(fault.clone());
        return Err(wasmtime::Error::msg(fault));
    };
    match answer(&candidate) {
        Ok(value) => Ok(value),
        Err(message) => {
            let slot = &mut host.helper_errors[i];
            if slot.is_none() {
                *slot = Some(format!("{name}: {message}"));
            }
            Ok(fail)
        }
    }
}

/// A UTF-8 string in guest memory; out of bounds or not UTF-8 traps.
fn text(caller: &mut Caller<'_, Host>, ptr: i32, len: i32) -> wasmtime::Result<String> {
    let memory = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or_else(|| wasmtime::Error::msg("the module exports no memory"))?;
    let data = memory.data(&*caller);
    let bytes = usize::try_from(ptr)
        .ok()
        .zip(usize::try_from(len).ok())
        .and_then(|(p, l)| data.get(p..p.checked_add(l)?));
    let result = match bytes.map(std::str::from_utf8) {
        Some(Ok(s)) => Ok(s.to_owned()),
        Some(Err(_)) => Err(format!(
            "passed a string at {ptr} ({len} bytes) that is not UTF-8"
        )),
        None => Err(format!(
            "passed a string at {ptr} ({len} bytes) outside its memory"
        )),
    };
    result.map_err(|fault| {
        caller.data_mut().fault = Some(fault.clone());
        wasmtime::Error::msg(fault)
    })
}

/// Writes `bytes` into guest memory at `ptr`; out of bounds traps.
fn write_guest(caller: &mut Caller<'_, Host>, ptr: i32, bytes: &[u8]) -> wasmtime::Result<()> {
    let memory = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or_else(|| wasmtime::Error::msg("the module exports no memory"))?;
    let written = usize::try_from(ptr)
        .ok()
        .and_then(|at| memory.write(&mut *caller, at, bytes).ok());
    if written.is_none() {
        let fault = format!(
            "gave a buffer at {ptr} ({} bytes) outside its memory",
            bytes.len()
        );
        caller.data_mut().fault = Some(fault.clone());
        return Err(wasmtime::Error::msg(fault));
    }
    Ok(())
}

/// An optional class: a negative length means any class.
fn class(caller: &mut Caller<'_, Host>, ptr: i32, len: i32) -> wasmtime::Result<Option<String>> {
    if len < 0 {
        return Ok(None);
    }
    text(caller, ptr, len).map(Some)
}

/// Copies `parts`, one after the other, into a buffer the guest allocates; returns its
/// (ptr, len).
fn write_input(guest: &mut Guest, parts: &[&[u8]]) -> wasmtime::Result<(i32, i32)> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    let len =
        i32::try_from(total).map_err(|_| wasmtime::Error::msg("the input is larger than 2 GiB"))?;
    let ptr = guest.alloc.call(&mut guest.store, len)?;
    let mut at = u32::try_from(ptr)
        .map_err(|_| wasmtime::Error::msg(format!("hecun_alloc returned {ptr}, not an address")))?
        as usize;
    for part in parts {
        guest
            .memory
            .write(&mut guest.store, at, part)
            .map_err(|_| {
                wasmtime::Error::msg(format!(
                    "hecun_alloc returned {ptr}, outside its memory for {len} bytes"
                ))
            })?;
        at += part.len();
    }
    Ok((ptr, len))
}

/// The answer buffer `(ptr << 32) | len` in guest memory.
fn read_output(guest: &Guest, packed: i64) -> wasmtime::Result<&[u8]> {
    let packed = packed as u64;
    let (ptr, len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
    guest
        .memory
        .data(&guest.store)
        .get(ptr..ptr.saturating_add(len))
        .ok_or_else(|| {
            wasmtime::Error::msg(format!(
                "answered with a buffer at {ptr} ({len} bytes) outside its memory"
            ))
        })
}

/// What stopped a batch, in words: the broken limit, the panic, the trap and where.
fn failure(manifest: &Manifest, store: &Store<Host>, e: &wasmtime::Error) -> String {
    let host = store.data();
    if host.memory_refused {
        return format!(
            "memory limit of {} MiB reached",
            manifest.limits.max_memory_mb
        );
    }
    if let Some(message) = &host.panic {
        return format!("panicked: {message}");
    }
    if let Some(fault) = &host.fault {
        return fault.clone();
    }
    let clock = &host.clock;
    if clock.over_call && matches!(e.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
        let n = clock.candidates;
        let limit = manifest.limits.max_millis;
        return if n == 1 {
            format!("stopped: ran longer than its limit of {limit} ms")
        } else {
            format!(
                "stopped: its call on {n} candidates ran longer than ({n} + 1) × {limit} ms in \
                 all (max_millis = {limit} per candidate), though its progress slot never \
                 showed one candidate over the limit"
            )
        };
    }
    failure_without_store(manifest, e)
}

fn failure_without_store(manifest: &Manifest, e: &wasmtime::Error) -> String {
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => format!(
            "stopped: ran longer than its limit of {} ms",
            manifest.limits.max_millis
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
            format!("trapped: {trap}{place}")
        }
        None => first_line(e),
    }
}

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
    message: String,
    at: Option<usize>,
    /// The call overran its deadline for the whole batch: every candidate of it fails, as
    /// rerunning them would let the guest take that time again.
    every: bool,
}

impl Failure {
    fn whole(message: String) -> Failure {
        Failure {
            message,
            at: None,
            every: false,
        }
    }
}

/// Builds the batch buffer of the ABI straight from [`Features`], with no [`Candidate`] per
/// candidate unless it has a place; its buffers are reused from batch to batch.
#[derive(Default)]
struct Encoder {
    /// The feature names of the batch (its first candidate's).
    names: Vec<String>,
    /// The candidates' entries: id, values, attributes.
    body: Vec<u8>,
    /// The candidates, for the helpers.
    placed: Placed,
    /// The candidate being read: its feature count, whether its names or layers are not
    /// the batch's, and its layers.
    feature: usize,
    differs: bool,
    /// The candidate's layers and the batch's, by address: they are only compared.
    layers: Option<*const SpatialLayers>,
    batch_layers: Option<*const SpatialLayers>,
}

impl Encoder {
    /// Encodes `candidates[start..end]`, stopping before the first whose feature names or
    /// layers differ from `candidates[start]`'s; returns where it stopped.
    fn fill(&mut self, candidates: &[&dyn Features], start: usize, end: usize) -> usize {
        self.names.clear();
        self.body.clear();
        self.placed.clear();
        for (i, c) in candidates.iter().enumerate().take(end).skip(start) {
            let mark = (self.body.len(), self.placed.ids.len());
            self.feature = 0;
            self.differs = false;
            self.layers = None;
            c.read_into(self);
            if i == start {
                self.batch_layers = self.layers;
                continue;
            }
            if self.differs || self.feature != self.names.len() || self.layers != self.batch_layers
            {
                self.body.truncate(mark.0);
                self.placed.ids.truncate(mark.1);
                self.placed.ends.pop();
                self.placed.candidates.pop();
                return i;
            }
        }
        end
    }

    /// What precedes the candidates: the explain flag, the names, the count.
    fn header(&self, explain: bool) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(16 + self.names.iter().map(|n| n.len() + 4).sum::<usize>());
        out.push(u8::from(explain));
        put_u32(&mut out, self.names.len());
        for name in &self.names {
            put_str(&mut out, name);
        }
        put_u32(&mut out, self.placed.len());
        out
    }
}

impl FeatureSink for Encoder {
    fn id(&mut self, id: &str) {
        put_str(&mut self.body, id);
        self.placed.ids.push_str(id);
        self.placed.ends.push(self.placed.ids.len());
    }

    fn feature(&mut self, name: &str, value: &Value) {
        if self.placed.ends.len() == 1 {
            self.names.push(name.to_owned());
        } else if self.names.get(self.feature).is_none_or(|n| n != name) {
            self.differs = true;
        }
        self.feature += 1;
        let out = &mut self.body;
        match value {
            Value::Missing => out.push(0),
            Value::Bool(b) => out.extend([1, u8::from(*b)]),
            Value::Int(i) => {
                out.push(2);
                out.extend(i.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(3);
                out.extend(f.to_le_bytes());
            }
            Value::Text(s) => {
                out.push(4);
                put_str(out, s);
            }
            Value::Json(j) => {
                out.push(5);
                put_str(out, &j.to_string());
            }
        }
    }

    fn attributes(&mut self, json: &str) {
        put_str(&mut self.body, json);
    }

    fn place(&mut self, candidate: Option<&Candidate>) {
        self.layers = candidate
            .and_then(Candidate::layers)
            .map(|l| l as *const SpatialLayers);
        self.placed.candidates.push(candidate.cloned());
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend((n as u32).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len());
    out.extend(s.as_bytes());
}
