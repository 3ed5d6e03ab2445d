//! The Rhai runtime: plugins written as short scripts, run in a sandbox.
//!
//! The sandbox: operation, call-depth, string, array and map limits and a wall-clock limit
//! per call (all from the manifest), no `eval`, no modules (so no file access; Rhai has no
//! network or file functions of its own), `print` and `debug` silenced. A script that breaks
//! a limit or fails is stopped, and the error names the plugin, the candidate and the line.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rhai::{AST, Dynamic, Engine, EvalAltResult, Map, Scope};

use super::candidate::{Candidate, Features, Value, helpers};
use super::contract::{Kind, Limits, Manifest};
use super::files::PluginFile;
use super::rhai_compile::CompiledScore;
use super::score::{Outcome, Score, Term};
use super::testing;
use super::verdict::{Finding, StandardVerdict, Verdict};
use crate::error::{Error, PluginFailure, Result};

/// The native stack a call must leave free: below it, the script is stopped (Rhai recursion
/// and nested expressions use the host's stack; an unoptimised build takes ~40 KiB a script
/// call, and a call is at least two operations, so [`CHECK_EVERY`] operations stay well
/// within it).
const STACK_RESERVE: usize = 512 * 1024;

/// How many operations run between two readings of the clock and of the stack left: a
/// reading costs ~25 ns, an operation ~50 ns, and one operation can be costly (an array
/// copied), so often.
const CHECK_EVERY: u64 = 16;

/// The longest message from a script (a `throw`, an error's text) shown in an error.
const MAX_MESSAGE_CHARS: usize = 500;

/// The sandbox's budget of the call running on this thread, and the first limit it broke.
#[derive(Clone, Copy)]
struct Budget {
    /// The call's time limit, counted in the CPU time of its thread (see [`thread_time`]).
    limit: Duration,
    /// The thread's CPU time when the call began.
    started: Duration,
    /// When, on the coarse wall clock ([`ticks`]), the limit may have been reached: the
    /// thread's CPU time is read only then.
    deadline_ticks: u64,
    max_operations: u64,
    breach: Option<Breach>,
    /// The operation count at which it happened.
    breach_at: u64,
}

/// A limit that fired during the call, which the call's answer cannot override: Rhai's
/// `sort` and `dedup` treat a failing comparator as "equal" and go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breach {
    Clock,
    Operations,
    Stack,
}

thread_local! {
    /// The budget of the call running on this thread (none: no call is running).
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
    /// The script line the running call is on (Rhai gives a broken limit the position of the
    /// outermost call, which is none: the line is noted as the script steps).
    static LINE: Cell<Option<usize>> = const { Cell::new(None) };
    /// The terms `term(…)` records during a score call, when an explanation is asked for.
    static TERMS: RefCell<Option<Vec<Term>>> = const { RefCell::new(None) };
}

/// What `exclude(reason, evidence)` returns: the candidate is out, and why.
#[derive(Debug, Clone)]
struct Exclusion {
    /// Text, or a message `#{ id, args }` (`[messages]`).
    reason: Dynamic,
    evidence: Map,
}

/// A finding as `fail(…)`/`veto(…)` make it, before its reason is resolved: the engine
/// reads only these keys (a script's own map cannot set the reason's languages).
#[derive(serde::Deserialize)]
struct RawFinding {
    criterion: String,
    veto: bool,
    reason: serde_json::Value,
    #[serde(default)]
    evidence: std::collections::BTreeMap<String, serde_json::Value>,
}

/// What `scored(score, evidence)` returns: a score with the evidence behind it.
#[derive(Debug, Clone)]
struct ScoredAnswer {
    score: Dynamic,
    evidence: Map,
}

/// A Rhai plugin, compiled once; `Send + Sync`, so one plugin serves all threads.
///
/// # Examples
///
/// ```
/// use hecun::rules::{RhaiPlugin, Status};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("plugin.toml"), r#"
///     name = "no-forced-demolition"
///     version = "1.0.0"
///     contract = 1
///     kind = "launch-check"
///     script = "check.rhai"
/// "#)?;
/// std::fs::write(dir.path().join("check.rhai"), r#"
///     fn check(community, params) {
///         let found = [];
///         for v in community.villages {
///             if v["强制拆迁"] { found.push(veto("forced_demolition", "强制拆迁", #{ village: v.id })); }
///         }
///         found
///     }
/// "#)?;
/// let plugin = RhaiPlugin::load(dir.path())?;
/// let input = serde_json::json!({"id": "S1", "villages": [{"id": "v1", "强制拆迁": true}]});
/// let verdict = plugin.check("S1", &input)?;
/// assert_eq!(verdict.status, Status::Veto);
/// assert_eq!(verdict.vetoes(), vec!["forced_demolition"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RhaiPlugin {
    manifest: Manifest,
    engine: Engine,
    /// The same sandbox, stepping through the script line by line: it replays a call whose
    /// broken limit Rhai reports without a position, to find the line.
    tracer: Engine,
    ast: AST,
    params: Dynamic,
    /// Site scores: the script's common subset compiled to closures (see `rhai_compile.rs`).
    compiled: Option<CompiledScore>,
}

impl std::fmt::Debug for RhaiPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RhaiPlugin({} {})",
            self.manifest.name, self.manifest.version
        )
    }
}

impl RhaiPlugin {
    /// Loads and compiles the plugin in `path` (its folder or its `plugin.toml`).
    pub fn load(path: &Path) -> Result<RhaiPlugin> {
        RhaiPlugin::load_with_params(path, &Default::default(), "")
    }

    /// [`load`](Self::load), with `params` (a plan's, given at `where_`) in place of the
    /// manifest's defaults; a parameter the manifest does not declare is refused.
    pub fn load_with_params(
        path: &Path,
        params: &std::collections::BTreeMap<String, toml::Value>,
        where_: &str,
    ) -> Result<RhaiPlugin> {
        let (mut manifest, script_path) = Manifest::load(path)?;
        manifest.override_params(params, where_)?;
        manifest.hand_over_empty_tables();
        if manifest.runtime() != super::contract::Runtime::Rhai {
            return Err(Error::Plugin {
                plugin: manifest.name.clone(),
                failure: PluginFailure::Load,
                candidate: None,
                line: None,
                message: "is a WebAssembly plugin (it names a module): load it with Plugin::load"
                    .into(),
            });
        }
        let (dir, _) = super::files::plugin_paths(path);
        let script =
            super::files::read_plugin_text(&manifest.name, &dir, &script_path, PluginFile::Script)?;
        let engine = sandboxed_engine(&manifest);
        let ast = engine.compile(&script).map_err(|e| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: e.1.line(),
            message: format!("{} does not compile: {}", script_path.display(), e.0),
        })?;
        // The top level runs once, here, in the sandbox (an `import` or a failing statement is
        // reported at load); calls run functions only, so nothing at the top level is seen by
        // them — constants belong in the manifest's params.
        let (top_level, _) = sandboxed(manifest.limits, || {
            engine.run_ast(&ast).map(|()| Dynamic::UNIT)
        });
        let _: Dynamic = top_level.map_err(|e| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: e.position().line(),
            message: format!(
                "{}: the top level fails: {}",
                script_path.display(),
                describe(&manifest, &e).1
            ),
        })?;
        RhaiPlugin::compiled(manifest, engine, ast)
    }

    /// The plugin's parts made from `manifest` (its parameters, its limits) around the
    /// compiled `ast` and the `engine` it was compiled with.
    fn compiled(manifest: Manifest, engine: Engine, ast: AST) -> Result<RhaiPlugin> {
        let params = rhai::serde::to_dynamic(&manifest.params).map_err(|e| Error::Plugin {
            plugin: manifest.name.clone(),
            failure: PluginFailure::Load,
            candidate: None,
            line: None,
            message: format!("parameters: {e}"),
        })?;
        let tracer = tracing_engine(&manifest);
        let compiled = (manifest.kind == Kind::SiteScore)
            .then(|| CompiledScore::compile(&ast, &params))
            .flatten();
        Ok(RhaiPlugin {
            manifest,
            engine,
            tracer,
            ast,
            params,
            compiled,
        })
    }

    /// The same script with the manifest `change` makes (parameters the engine hands over,
    /// such as an earlier stage's tables; the test cases to run): the script is not compiled
    /// again, the sandbox is made anew for the changed manifest.
    pub(crate) fn with_manifest(&self, change: impl FnOnce(&mut Manifest)) -> Result<RhaiPlugin> {
        let mut manifest = self.manifest.clone();
        change(&mut manifest);
        let engine = sandboxed_engine(&manifest);
        RhaiPlugin::compiled(manifest, engine, self.ast.clone())
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Runs a launch check on one community: the script's `check(community, params)` returns
    /// the findings it made with `fail(criterion, reason, evidence)` and `veto(…)`.
    pub fn check(&self, candidate: &str, input: &serde_json::Value) -> Result<Verdict> {
        self.check_placed(candidate, input, None)
    }

    /// [`RhaiPlugin::check`], with `place` (the community's site, placed for the spatial
    /// helpers) as `community.site`.
    pub fn check_placed(
        &self,
        candidate: &str,
        input: &serde_json::Value,
        place: Option<&Candidate>,
    ) -> Result<Verdict> {
        self.expect_kind(Kind::LaunchCheck, candidate)?;
        let mut input = rhai::serde::to_dynamic(input).map_err(|e| {
            self.error(
                PluginFailure::Runtime,
                Some(candidate),
                None,
                format!("input: {e}"),
            )
        })?;
        if let (Some(place), Some(mut map)) = (place, input.write_lock::<Map>()) {
            map.insert("site".into(), Dynamic::from(place.clone()));
        }
        let found = self.call("check", candidate, (input, self.params.clone()))?;
        let findings: Vec<RawFinding> = rhai::serde::from_dynamic(&found).map_err(|e| {
            self.error(
                PluginFailure::Answer,
                Some(candidate),
                None,
                format!("check() must return an array of fail(…)/veto(…) findings: {e}"),
            )
        })?;
        Ok(Verdict::from_findings(self.findings(candidate, findings)?))
    }

    /// Scores one candidate: the script's `score(candidate, params)` returns a number (usually
    /// a sum of `term(name, weight, value)`), or `exclude(reason, evidence)`. With `explain`,
    /// the terms are kept; without, `term` only multiplies.
    pub fn score(&self, candidate: &Candidate, explain: bool) -> Result<Score> {
        self.score_features(candidate, explain)
    }

    /// [`score`](Self::score) for a candidate read through [`Features`]: the compiled fast
    /// path reads them where they are; the full candidate is built only if the interpreter
    /// must answer.
    pub fn score_features(&self, candidate: &dyn Features, explain: bool) -> Result<Score> {
        if let Some(compiled) = &self.compiled
            && self.manifest.kind == Kind::SiteScore
            && let Ok((outcome, terms)) =
                compiled.score(candidate, explain, &self.manifest.messages)
        {
            return Ok(Score {
                outcome,
                terms,
                evidence: Default::default(),
            });
        }
        self.interpret_score(&candidate.to_candidate(), explain)
    }

    /// Whether the compiled fast path answers for this candidate by itself (for tests and
    /// benchmarks: the answer is the same either way).
    #[doc(hidden)]
    pub fn compiled_answers(&self, candidate: &Candidate) -> bool {
        self.compiled
            .as_ref()
            .is_some_and(|c| c.score(candidate, true, &self.manifest.messages).is_ok())
    }

    /// Scores one candidate with the interpreter only (the compiled fast path gives the same
    /// answers, bit for bit; this is what it is checked against).
    pub fn interpret_score(&self, candidate: &Candidate, explain: bool) -> Result<Score> {
        self.expect_kind(Kind::SiteScore, candidate.id())?;
        TERMS.with(|t| *t.borrow_mut() = explain.then(Vec::new));
        let result = self.call(
            "score",
            candidate.id(),
            (candidate.clone(), self.params.clone()),
        );
        let terms = TERMS.with(|t| t.borrow_mut().take()).unwrap_or_default();
        let mut result = result?;
        let mut evidence = std::collections::BTreeMap::new();
        if let Some(x) = result.clone().try_cast::<ScoredAnswer>() {
            evidence = map_to_json(x.evidence);
            result = x.score;
        }
        let outcome = if let Some(x) = result.clone().try_cast::<Exclusion>() {
            let reason = rhai::serde::from_dynamic(&x.reason)
                .map_err(|e| e.to_string())
                .and_then(|r| super::message::resolve(&self.manifest.messages, &r))
                .map_err(|e| self.error(PluginFailure::Answer, Some(candidate.id()), None, e))?;
            Outcome::Excluded {
                reason: reason.text,
                evidence: map_to_json(x.evidence),
                reasons: reason.texts,
            }
        } else {
            let score = result
                .as_float()
                .or_else(|_| result.as_int().map(|i| i as f64))
                .map_err(|t| {
                    self.error(
                        PluginFailure::Answer,
                        Some(candidate.id()),
                        None,
                        format!(
                            "score() must return a number or exclude(…), or scored(number, evidence), not {t}"
                        ),
                    )
                })?;
            if !score.is_finite() {
                return Err(self.error(
                    PluginFailure::Answer,
                    Some(candidate.id()),
                    None,
                    format!("score() returned {score}, not a finite number"),
                ));
            }
            Outcome::Scored(score)
        };
        Ok(Score {
            outcome,
            terms,
            evidence,
        })
    }

    /// Chooses the planning standard for one community and checks it: the script's
    /// `select(community, params)` returns `standard(name, findings)`.
    pub fn select_standard(&self, candidate: &Candidate) -> Result<StandardVerdict> {
        self.expect_kind(Kind::StandardSelection, candidate.id())?;
        let result = self.call(
            "select",
            candidate.id(),
            (candidate.clone(), self.params.clone()),
        )?;
        #[derive(serde::Deserialize)]
        struct Answer {
            standard: String,
            findings: Vec<RawFinding>,
        }
        let answer: Answer = rhai::serde::from_dynamic(&result).map_err(|e| {
            self.error(
                PluginFailure::Answer,
                Some(candidate.id()),
                None,
                format!("select() must return standard(name, findings): {e}"),
            )
        })?;
        Ok(StandardVerdict {
            standard: answer.standard,
            verdict: Verdict::from_findings(self.findings(candidate.id(), answer.findings)?),
        })
    }

    /// Computes a table: the script's `rows(input, params)` returns an array of maps,
    /// column id → value (checked against the manifest's columns by the engine, see
    /// [`Table::new`](super::table::Table::new)).
    pub fn rows(&self, input: &serde_json::Value) -> Result<Vec<super::table::RawRow>> {
        self.call_once_per_run(
            Kind::Table,
            "table",
            "rows",
            input,
            "an array of maps (column id → value)",
        )
    }

    /// Calls `function(input, params)` of a rule that runs once per run (a table, a target),
    /// as candidate `call`, and reads its answer as `T`; `shape` says what it must return.
    fn call_once_per_run<T: serde::de::DeserializeOwned>(
        &self,
        kind: Kind,
        call: &str,
        function: &str,
        input: &serde_json::Value,
        shape: &str,
    ) -> Result<T> {
        self.expect_kind(kind, call)?;
        let input = rhai::serde::to_dynamic(input).map_err(|e| {
            self.error(
                PluginFailure::Runtime,
                Some(call),
                None,
                format!("input: {e}"),
            )
        })?;
        let answer = self.call(function, call, (input, self.params.clone()))?;
        rhai::serde::from_dynamic(&answer).map_err(|e| {
            self.error(
                PluginFailure::Answer,
                Some(call),
                None,
                format!("{function}() must return {shape}: {e}"),
            )
        })
    }

    /// Checks targets: the script's `targets(input, params)` returns an array of maps
    /// (`target`, `measured`, `wanted`, `evidence`), judged by the engine (see
    /// [`TargetCheck::new`](super::target::TargetCheck::new)).
    pub fn measures(&self, input: &serde_json::Value) -> Result<Vec<super::target::RawMeasure>> {
        self.call_once_per_run(
            Kind::Target,
            "targets",
            "targets",
            input,
            "an array of maps (target, measured, wanted, evidence)",
        )
    }

    fn expect_kind(&self, kind: Kind, candidate: &str) -> Result<()> {
        if self.manifest.kind == kind {
            return Ok(());
        }
        Err(self.error(
            PluginFailure::Load,
            Some(candidate),
            None,
            format!(
                "is a {} plugin, not a {}",
                self.manifest.kind.name(),
                kind.name()
            ),
        ))
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

    fn call(
        &self,
        function: &str,
        candidate: &str,
        args: impl rhai::FuncArgs + Clone,
    ) -> Result<Dynamic> {
        // The script's top level is not rerun per call: functions are all that is called.
        let run = |engine: &Engine, limits: Limits| {
            let options = rhai::CallFnOptions::new()
                .eval_ast(false)
                .rewind_scope(true);
            sandboxed(limits, || {
                engine.call_fn_with_options::<Dynamic>(
                    options,
                    &mut Scope::new(),
                    &self.ast,
                    function,
                    args.clone(),
                )
            })
        };
        let (result, ended) = run(&self.engine, self.manifest.limits);
        result.map_err(|e| {
            // The failure itself sits inside the script functions that were called.
            let mut inner: &rhai::EvalAltResult = &e;
            let mut line = inner.position().line();
            while let rhai::EvalAltResult::ErrorInFunctionCall(_, _, deeper, _) = inner {
                inner = deeper;
                line = inner.position().line().or(line);
            }
            if line.is_none() {
                // Rhai gives a broken limit the position of the outermost call (none): the
                // tracing engine replays the call, stepping line by line, up to the operation
                // the limit fired on and never past the clock, so a timeout costs at most
                // twice its limit.
                let mut limits = self.manifest.limits;
                if let Some(at) = ended.breach_at {
                    limits.max_operations = at.max(1);
                }
                line = run(&self.tracer, limits).1.last_line;
            }
            let (failure, message) = describe(&self.manifest, &e);
            self.error(failure, Some(candidate), line, message)
        })
    }

    /// Findings with their reasons resolved: a message filled in every language of the
    /// manifest's `[messages]`, a bad one the candidate's error.
    fn findings(&self, candidate: &str, raw: Vec<RawFinding>) -> Result<Vec<Finding>> {
        raw.into_iter()
            .map(|f| {
                let reason = super::message::resolve(&self.manifest.messages, &f.reason)
                    .map_err(|e| self.error(PluginFailure::Answer, Some(candidate), None, e))?;
                Ok(Finding {
                    criterion: f.criterion,
                    veto: f.veto,
                    reason: reason.text,
                    evidence: f.evidence,
                    reasons: reason.texts,
                    plugin: None,
                })
            })
            .collect()
    }

    fn error(
        &self,
        failure: PluginFailure,
        candidate: Option<&str>,
        line: Option<usize>,
        message: String,
    ) -> Error {
        Error::Plugin {
            plugin: self.manifest.name.clone(),
            failure,
            candidate: candidate.map(str::to_owned),
            line,
            // What the script returned or threw can be as long as its limits allow.
            message: bounded(message),
        }
    }
}

/// How a sandboxed call ended, beyond its result.
struct Ended {
    /// The operation count at which a limit fired, if one did.
    breach_at: Option<u64>,
    /// The last script line stepped on (only a tracing engine notes lines).
    last_line: Option<usize>,
}

/// Runs `f` (one call into the script) under `limits`' clock and operation budget and the
/// stack reserve; a limit that fired fails the call whatever the script made of it.
fn sandboxed(
    limits: Limits,
    f: impl FnOnce() -> std::result::Result<Dynamic, Box<EvalAltResult>>,
) -> (std::result::Result<Dynamic, Box<EvalAltResult>>, Ended) {
    let _running = Running::start();
    let budget = Budget {
        limit: Duration::from_millis(limits.max_millis),
        started: thread_time(),
        deadline_ticks: ticks().saturating_add(limits.max_millis),
        max_operations: limits.max_operations,
        breach: None,
        breach_at: 0,
    };
    // Calls do not nest on a thread (a plugin calls no plugin), but the state is restored
    // all the same.
    let outer = BUDGET.with(|b| b.replace(Some(budget)));
    let outer_line = LINE.with(|l| l.take());
    let result = f();
    let budget = BUDGET.with(|b| b.replace(outer)).unwrap_or(budget);
    let last_line = LINE.with(|l| l.replace(outer_line));
    let ended = Ended {
        breach_at: budget.breach.map(|_| budget.breach_at),
        last_line,
    };
    let result = match (budget.breach, result) {
        (Some(breach), _) => Err(Box::new(EvalAltResult::ErrorTerminated(
            Dynamic::from(breach),
            rhai::Position::NONE,
        ))),
        (None, result) => result,
    };
    (result, ended)
}

/// The words for a failed call: a broken limit says which, and with what value; a script's
/// own message is cut to [`MAX_MESSAGE_CHARS`].
fn describe(manifest: &Manifest, e: &EvalAltResult) -> (PluginFailure, String) {
    let mut inner = e;
    while let EvalAltResult::ErrorInFunctionCall(_, _, deeper, _) = inner {
        inner = deeper;
    }
    let limits = manifest.limits;
    let limit = |limit: &'static str| PluginFailure::Limit { limit };
    let (failure, message) = match inner {
        EvalAltResult::ErrorTerminated(token, _) => match token.clone().try_cast::<Breach>() {
            Some(Breach::Clock) => (
                PluginFailure::Timeout,
                format!(
                    "stopped: ran longer than its limit of {} ms (max_millis)",
                    limits.max_millis
                ),
            ),
            Some(Breach::Operations) => (
                limit("max_operations"),
                format!(
                    "stopped: ran more than its limit of {} operations (max_operations)",
                    limits.max_operations
                ),
            ),
            Some(Breach::Stack) => (
                limit("max_call_depth"),
                format!(
                    "stopped: recursion too deep for the host's stack (max_call_depth = {})",
                    limits.max_call_depth
                ),
            ),
            None => (PluginFailure::Runtime, "stopped".to_owned()),
        },
        EvalAltResult::ErrorStackOverflow(_) => (
            limit("max_call_depth"),
            format!(
                "stopped: functions nested deeper than its limit of {} calls (max_call_depth)",
                limits.max_call_depth
            ),
        ),
        EvalAltResult::ErrorTooManyOperations(_) => (limit("max_operations"), inner.to_string()),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            // Rhai names the value it refused: "Length of string", "Size of array", "Size of
            // object map".
            let what = what.to_ascii_lowercase();
            let key = if what.contains("string") {
                "max_string_size"
            } else if what.contains("array") {
                "max_array_size"
            } else {
                "max_map_size"
            };
            (limit(key), inner.to_string())
        }
        other => (PluginFailure::Runtime, other.to_string()),
    };
    (failure, bounded(message))
}

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters, saying how much was left out.
fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => text,
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}… ({rest} more characters not shown)", &text[..cut])
        }
    }
}

/// The sandbox's check before each operation: the operation budget, the clock, the stack.
/// Milliseconds since the first Rhai call, advanced by a background thread every
/// millisecond while a call runs: reading it costs an atomic load where `Instant::now` costs
/// ~25 ns.
static TICKS: AtomicU64 = AtomicU64::new(0);

/// Rhai calls running now, on any thread: with none, the clock's thread sleeps until one
/// starts (a service that loaded a plugin and waits is not woken a thousand times a second).
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// The clock's thread, to wake it when a call starts.
static CLOCK: OnceLock<Option<std::thread::Thread>> = OnceLock::new();

/// The coarse clock now, starting its thread on first use. Without the thread (it could not
/// be started) the clock stays put, and the precise clock read every [`CHECK_EVERY`]
/// operations still stops the call.
fn ticks() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(|| {
        let start = Instant::now();
        let spawned = std::thread::Builder::new()
            .name("hecun-rhai-clock".into())
            .spawn(move || {
                loop {
                    if RUNNING.load(Ordering::Acquire) == 0 {
                        // Woken by the next call (an unpark before this park is kept).
                        std::thread::park();
                        continue;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                    let now = start.elapsed().as_millis() as u64;
                    TICKS.fetch_max(now, Ordering::Relaxed);
                }
            });
        let _ = CLOCK.set(spawned.ok().map(|handle| handle.thread().clone()));
        start
    });
    let now = start.elapsed().as_millis() as u64;
    TICKS.fetch_max(now, Ordering::Relaxed);
    now
}

/// A Rhai call running: the clock's thread ticks while any is.
struct Running;

impl Running {
    fn start() -> Running {
        if RUNNING.fetch_add(1, Ordering::AcqRel) == 0 {
            ticks();
            if let Some(Some(clock)) = CLOCK.get() {
                clock.unpark();
            }
        }
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The CPU time the current thread has used (Linux; elsewhere, the wall clock since the
/// first Rhai call: a Rhai call does no I/O, so the two agree on an idle machine).
fn thread_time() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    }
    #[cfg(not(target_os = "linux"))]
    {
        Duration::from_millis(ticks())
    }
}

fn progress(operations: u64) -> Option<Dynamic> {
    BUDGET.with(|cell| {
        let mut budget = cell.get()?;
        if budget.breach.is_none() {
            let every = operations.is_multiple_of(CHECK_EVERY);
            // The coarse clock is read at every operation: one costly operation (an array of
            // a million copied) can take milliseconds. Without its thread it would stand
            // still: it is also brought up to date every CHECK_EVERY operations.
            let now = if every {
                ticks()
            } else {
                TICKS.load(Ordering::Relaxed)
            };
            let breach = if operations > budget.max_operations {
                Breach::Operations
            } else if now > budget.deadline_ticks {
                // The wall clock says the limit may be reached; the thread's CPU time decides,
                // so that a call the machine's load kept waiting is not failed for it.
                let used = thread_time().saturating_sub(budget.started);
                if used >= budget.limit {
                    Breach::Clock
                } else {
                    let left = (budget.limit - used).as_millis() as u64;
                    budget.deadline_ticks = now + left.max(1);
                    cell.set(Some(budget));
                    return None;
                }
            } else if !every {
                return None;
            } else if stacker::remaining_stack().is_some_and(|left| left < STACK_RESERVE) {
                Breach::Stack
            } else {
                return None;
            };
            budget.breach = Some(breach);
            budget.breach_at = operations;
            cell.set(Some(budget));
        }
        // Once broken, every later operation stops too (a comparator's error is swallowed).
        budget.breach.map(Dynamic::from)
    })
}

/// The sandbox of [`sandboxed_engine`], stepping through the script line by line (to find
/// the line of a broken limit that Rhai reports without a position).
fn tracing_engine(manifest: &Manifest) -> Engine {
    let mut tracer = sandboxed_engine(manifest);
    // Rhai marks its debugger interface as volatile; rhai is pinned to 1.27 here.
    #[allow(deprecated)]
    tracer.register_debugger(
        |_, debugger| debugger,
        |_, event, _, _, position| {
            if let (rhai::debugger::DebuggerEvent::Step, Some(line)) = (event, position.line()) {
                LINE.with(|l| l.set(Some(line)));
            }
            Ok(rhai::debugger::DebuggerCommand::StepInto)
        },
    );
    tracer
}

fn sandboxed_engine(manifest: &Manifest) -> Engine {
    let limits = manifest.limits;
    let mut engine = Engine::new();
    engine
        // Operations are counted by `progress`, which also remembers that the limit fired.
        .set_max_operations(0)
        .set_max_call_levels(limits.max_call_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_expr_depths(64, 32)
        .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new())
        .disable_symbol("eval");
    // print and debug reach nobody: stdout carries outputs, and a plugin's chatter is no
    // way to report (its errors and findings are).
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.on_progress(progress);
    register_comparators(&mut engine);
    engine.register_fn("fail", |criterion: &str, reason: &str, evidence: Map| {
        finding(criterion, reason, evidence, false)
    });
    engine.register_fn("veto", |criterion: &str, reason: &str, evidence: Map| {
        finding(criterion, reason, evidence, true)
    });
    engine.register_fn("fail", |criterion: &str, reason: &str| {
        finding(criterion, reason, Map::new(), false)
    });
    engine.register_fn("veto", |criterion: &str, reason: &str| {
        finding(criterion, reason, Map::new(), true)
    });
    // A reason per language: `fail(criterion, #{ id: "…", args: #{…} }, evidence)`.
    engine.register_fn("fail", |criterion: &str, reason: Map, evidence: Map| {
        finding(criterion, reason, evidence, false)
    });
    engine.register_fn("veto", |criterion: &str, reason: Map, evidence: Map| {
        finding(criterion, reason, evidence, true)
    });
    engine.register_fn("fail", |criterion: &str, reason: Map| {
        finding(criterion, reason, Map::new(), false)
    });
    engine.register_fn("veto", |criterion: &str, reason: Map| {
        finding(criterion, reason, Map::new(), true)
    });
    register_scoring(&mut engine);
    register_candidate(&mut engine);
    engine.register_fn("find_row", find_row);
    engine
}

/// `find_row(rows, column, value)`: the first row (a map) of `rows` whose `column` holds
/// `value` (text equal to text, numbers equal as numbers), or `()` when none does: a later
/// stage looks up its row of an earlier stage's table
/// (`find_row(params.tables["rehab-demand"], "township", site["乡镇"])`). The SDK's
/// `Params::find_row` answers alike.
fn find_row(rows: rhai::Array, column: &str, value: Dynamic) -> Dynamic {
    let number = |v: &Dynamic| -> Option<f64> {
        v.as_int()
            .map(|i| i as f64)
            .ok()
            .or_else(|| v.as_float().ok())
    };
    for row in rows {
        let Some(map) = row.read_lock::<Map>() else {
            continue;
        };
        let Some(cell) = map.get(column) else {
            continue;
        };
        let equal = match (
            cell.clone().into_immutable_string(),
            value.clone().into_immutable_string(),
        ) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => {
                matches!((number(cell), number(&value)), (Some(a), Some(b)) if a == b)
            }
            _ => false,
        };
        if equal {
            drop(map);
            return row;
        }
    }
    Dynamic::UNIT
}

/// `sort`/`sort_by` and `dedup` with a comparator, in place of Rhai's own, which take a
/// comparator's error (a broken limit, a `throw`) for "equal" and go on: here it ends the call.
fn register_comparators(engine: &mut Engine) {
    type R<T> = std::result::Result<T, Box<EvalAltResult>>;
    fn sort(ctx: rhai::NativeCallContext, array: &mut rhai::Array, comparer: rhai::FnPtr) -> R<()> {
        let mut failure = None;
        let sorted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            array.sort_by(|x, y| {
                if failure.is_some() {
                    return std::cmp::Ordering::Equal;
                }
                match comparer.call_raw(&ctx, None, [x.clone(), y.clone()]) {
                    Ok(v) => match v.as_int().or_else(|_| v.as_bool().map(|b| if b { -1 } else { 1 })) {
                        Ok(n) => n.cmp(&0),
                        Err(t) => {
                            failure = Some(
                                format!("the sort comparator must return a number or a bool, not {t}")
                                    .into(),
                            );
                            std::cmp::Ordering::Equal
                        }
                    },
                    Err(e) => {
                        failure = Some(e);
                        std::cmp::Ordering::Equal
                    }
                }
            });
        }));
        if let Some(e) = failure {
            return Err(e);
        }
        sorted.map_err(|_| "the sort comparator is not a total order".into())
    }
    fn dedup(
        ctx: rhai::NativeCallContext,
        array: &mut rhai::Array,
        comparer: rhai::FnPtr,
    ) -> R<()> {
        let mut failure = None;
        array.dedup_by(|x, y| {
            if failure.is_some() {
                return false;
            }
            match comparer.call_raw(&ctx, None, [y.clone(), x.clone()]) {
                Ok(v) => v.as_bool().unwrap_or(false),
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        });
        failure.map_or(Ok(()), Err)
    }
    engine.register_fn("sort", sort);
    engine.register_fn("sort_by", sort);
    engine.register_fn("dedup", dedup);
}

/// `term`, `exclude` and `standard`: how scripts give their answers.
fn register_scoring(engine: &mut Engine) {
    fn term(
        name: &str,
        weight: Dynamic,
        value: Dynamic,
    ) -> std::result::Result<f64, Box<EvalAltResult>> {
        let (weight, value) = (
            number(&weight, "term weight")?,
            number(&value, "term value")?,
        );
        TERMS.with(|t| {
            if let Some(terms) = t.borrow_mut().as_mut() {
                terms.push(Term {
                    name: name.to_owned(),
                    weight,
                    value,
                });
            }
        });
        Ok(weight * value)
    }
    engine.register_fn("term", term);
    engine.register_fn("exclude", |reason: &str, evidence: Map| Exclusion {
        reason: reason.into(),
        evidence,
    });
    engine.register_fn("exclude", |reason: &str| Exclusion {
        reason: reason.into(),
        evidence: Map::new(),
    });
    // A reason per language: `exclude(#{ id: "…", args: #{…} }, evidence)`.
    engine.register_fn("exclude", |reason: Map, evidence: Map| Exclusion {
        reason: reason.into(),
        evidence,
    });
    engine.register_fn("exclude", |reason: Map| Exclusion {
        reason: reason.into(),
        evidence: Map::new(),
    });
    engine.register_type_with_name::<Exclusion>("Exclusion");
    engine.register_fn("scored", |score: f64, evidence: Map| ScoredAnswer {
        score: score.into(),
        evidence,
    });
    engine.register_fn("scored", |score: i64, evidence: Map| ScoredAnswer {
        score: score.into(),
        evidence,
    });
    engine.register_type_with_name::<ScoredAnswer>("Scored");
    engine.register_fn("standard", |name: &str, findings: rhai::Array| {
        let mut m = Map::new();
        m.insert("standard".into(), name.into());
        m.insert("findings".into(), findings.into());
        m
    });
}

/// Registers the spatial helpers and notes each one's name and arity (the candidate
/// included), for the test that holds them to `hecun-plugin-abi`'s table: register every
/// helper through [`Helpers::add`], never with `engine.register_fn`.
struct Helpers<'e> {
    engine: &'e mut Engine,
    registered: Vec<(&'static str, usize)>,
}

impl Helpers<'_> {
    fn add<A: 'static, const N: usize, const X: bool, R: rhai::Variant + Clone, const F: bool>(
        &mut self,
        name: &'static str,
        func: impl rhai::RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
    ) -> &mut Self {
        self.engine.register_fn(name, func);
        self.registered.push((name, N));
        self
    }
}

/// The candidate type, its features by name (`c.road_distance`, `c["人口"]`) and the spatial
/// helpers as methods (`c.distance_to("roads")`, `c.count_within("facilities", 500, "学校")`);
/// the helpers registered, by name and arity.
fn register_candidate(engine: &mut Engine) -> Vec<(&'static str, usize)> {
    type R<T> = std::result::Result<T, Box<EvalAltResult>>;
    fn class(c: &str) -> Option<&str> {
        Some(c)
    }
    fn unit_or<T: Into<Dynamic>>(v: Option<T>) -> Dynamic {
        v.map_or(Dynamic::UNIT, Into::into)
    }
    engine
        .register_type_with_name::<Candidate>("Candidate")
        .register_get("id", |c: &mut Candidate| c.id().to_owned())
        .register_indexer_get(|c: &mut Candidate, name: &str| to_dynamic(c.get(name)));
    let mut methods = Helpers {
        engine,
        registered: Vec::new(),
    };
    methods
        .add(
            "distance_to",
            |c: &mut Candidate, layer: &str| -> R<Dynamic> {
                Ok(unit_or(helpers::distance_to(c, layer, None)?))
            },
        )
        .add(
            "distance_to",
            |c: &mut Candidate, layer: &str, k: &str| -> R<Dynamic> {
                Ok(unit_or(helpers::distance_to(c, layer, class(k))?))
            },
        )
        .add("nearest", |c: &mut Candidate, layer: &str| -> R<Dynamic> {
            Ok(unit_or(helpers::nearest(c, layer, None)?.map(nearest_map)))
        })
        .add(
            "nearest",
            |c: &mut Candidate, layer: &str, k: &str| -> R<Dynamic> {
                Ok(unit_or(
                    helpers::nearest(c, layer, class(k))?.map(nearest_map),
                ))
            },
        )
        .add(
            "count_within",
            |c: &mut Candidate, layer: &str, d: Dynamic| -> R<i64> {
                let d = number(&d, "distance")?;
                Ok(helpers::count_within(c, layer, d, None)? as i64)
            },
        )
        .add(
            "count_within",
            |c: &mut Candidate, layer: &str, d: Dynamic, k: &str| -> R<i64> {
                let d = number(&d, "distance")?;
                Ok(helpers::count_within(c, layer, d, class(k))? as i64)
            },
        )
        .add(
            "ids_within",
            |c: &mut Candidate, layer: &str, d: Dynamic| -> R<rhai::Array> {
                let d = number(&d, "distance")?;
                Ok(helpers::ids_within(c, layer, d, None)?
                    .into_iter()
                    .map(Dynamic::from)
                    .collect())
            },
        )
        .add(
            "ids_within",
            |c: &mut Candidate, layer: &str, d: Dynamic, k: &str| -> R<rhai::Array> {
                let d = number(&d, "distance")?;
                Ok(helpers::ids_within(c, layer, d, class(k))?
                    .into_iter()
                    .map(Dynamic::from)
                    .collect())
            },
        )
        .add(
            "sum_within",
            |c: &mut Candidate, layer: &str, field: &str, d: Dynamic| -> R<f64> {
                let d = number(&d, "distance")?;
                named("sum_within", helpers::sum_within(c, layer, field, d))
            },
        )
        .add(
            "mean_within",
            |c: &mut Candidate, layer: &str, field: &str, d: Dynamic| -> R<Dynamic> {
                let d = number(&d, "distance")?;
                named("mean_within", helpers::mean_within(c, layer, field, d)).map(unit_or)
            },
        )
        .add(
            "sum_inside",
            |c: &mut Candidate, layer: &str, field: &str| -> R<f64> {
                named("sum_inside", helpers::sum_inside(c, layer, field))
            },
        )
        .add("count_inside", |c: &mut Candidate, layer: &str| -> R<i64> {
            named("count_inside", helpers::count_inside(c, layer)).map(|n| n as i64)
        })
        .add(
            "mean_inside",
            |c: &mut Candidate, layer: &str, field: &str| -> R<Dynamic> {
                named("mean_inside", helpers::mean_inside(c, layer, field)).map(unit_or)
            },
        )
        .add(
            "sum_in_area",
            |c: &mut Candidate, layer: &str, field: &str, area: &str, id: &str| -> R<f64> {
                named(
                    "sum_in_area",
                    helpers::sum_in_area(c, layer, field, area, id),
                )
            },
        )
        .add(
            "count_in_area",
            |c: &mut Candidate, layer: &str, area: &str, id: &str| -> R<i64> {
                named("count_in_area", helpers::count_in_area(c, layer, area, id)).map(|n| n as i64)
            },
        )
        .add(
            "mean_in_area",
            |c: &mut Candidate, layer: &str, field: &str, area: &str, id: &str| -> R<Dynamic> {
                named(
                    "mean_in_area",
                    helpers::mean_in_area(c, layer, field, area, id),
                )
                .map(unit_or)
            },
        )
        .add(
            "sum_by",
            |c: &mut Candidate, layer: &str, field: &str, by: &str| -> R<Map> {
                named("sum_by", helpers::sum_by(c, layer, field, by)).map(groups)
            },
        )
        .add(
            "count_by",
            |c: &mut Candidate, layer: &str, by: &str| -> R<Map> {
                named("count_by", helpers::count_by(c, layer, by)).map(groups)
            },
        )
        .add(
            "mean_by",
            |c: &mut Candidate, layer: &str, field: &str, by: &str| -> R<Map> {
                named("mean_by", helpers::mean_by(c, layer, field, by)).map(optional_groups)
            },
        )
        .add(
            "sum_by_area",
            |c: &mut Candidate, layer: &str, field: &str, area: &str| -> R<Map> {
                named("sum_by_area", helpers::sum_by_area(c, layer, field, area)).map(groups)
            },
        )
        .add(
            "count_by_area",
            |c: &mut Candidate, layer: &str, area: &str| -> R<Map> {
                named("count_by_area", helpers::count_by_area(c, layer, area)).map(groups)
            },
        )
        .add(
            "mean_by_area",
            |c: &mut Candidate, layer: &str, field: &str, area: &str| -> R<Map> {
                named("mean_by_area", helpers::mean_by_area(c, layer, field, area))
                    .map(optional_groups)
            },
        )
        .add(
            "overlap_share",
            |c: &mut Candidate, layer: &str| -> R<f64> {
                Ok(helpers::overlap_share(c, layer, None)?)
            },
        )
        .add(
            "overlap_share",
            |c: &mut Candidate, layer: &str, k: &str| -> R<f64> {
                Ok(helpers::overlap_share(c, layer, class(k))?)
            },
        )
        .add("touches", |c: &mut Candidate, layer: &str| -> R<bool> {
            Ok(helpers::touches(c, layer, None)?)
        })
        .add(
            "touches",
            |c: &mut Candidate, layer: &str, k: &str| -> R<bool> {
                Ok(helpers::touches(c, layer, class(k))?)
            },
        )
        .add("has_layer", |c: &mut Candidate, layer: &str| {
            c.layers().is_some_and(|l| l.get(layer).is_some())
        })
        .add("has_geometry", |c: &mut Candidate| c.geometry().is_some())
        .add("in_zone", |c: &mut Candidate| -> R<bool> {
            Ok(helpers::touches(c, "zones", None)?)
        })
        .add("in_zone", |c: &mut Candidate, k: &str| -> R<bool> {
            Ok(helpers::touches(c, "zones", class(k))?)
        });
    methods.registered
}

/// A helper's answer, its error prefixed with the helper's name (as the WebAssembly host
/// prefixes it), so that an aggregate's error names the helper, the layer and the field.
fn named<T>(
    helper: &str,
    answer: std::result::Result<T, String>,
) -> std::result::Result<T, Box<EvalAltResult>> {
    answer.map_err(|e| format!("{helper}: {e}").into())
}

/// A grouped answer as a Rhai map (sorted, as the groups are).
fn groups<T: Into<Dynamic>>(groups: std::collections::BTreeMap<String, T>) -> Map {
    groups
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// A grouped mean: `()` for a group without features.
fn optional_groups(groups: std::collections::BTreeMap<String, Option<f64>>) -> Map {
    groups
        .into_iter()
        .map(|(k, v)| (k.into(), v.map_or(Dynamic::UNIT, Dynamic::from)))
        .collect()
}

fn nearest_map((id, distance): (String, f64)) -> Map {
    let mut m = Map::new();
    m.insert("id".into(), id.into());
    m.insert("distance".into(), distance.into());
    m
}

fn number(v: &Dynamic, what: &str) -> std::result::Result<f64, Box<EvalAltResult>> {
    v.as_float()
        .or_else(|_| v.as_int().map(|i| i as f64))
        .map_err(|t| format!("{what} must be a number, not {t}").into())
}

fn to_dynamic(v: Value) -> Dynamic {
    match v {
        Value::Missing => Dynamic::UNIT,
        Value::Bool(b) => b.into(),
        Value::Int(i) => i.into(),
        Value::Float(f) => f.into(),
        Value::Text(s) => s.into(),
        Value::Json(j) => rhai::serde::to_dynamic(j).unwrap_or(Dynamic::UNIT),
    }
}

fn map_to_json(map: Map) -> std::collections::BTreeMap<String, serde_json::Value> {
    map.into_iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                rhai::serde::from_dynamic(&v).unwrap_or(serde_json::Value::Null),
            )
        })
        .collect()
}

fn finding(criterion: &str, reason: impl Into<Dynamic>, evidence: Map, veto: bool) -> Map {
    let mut m = Map::new();
    m.insert("criterion".into(), criterion.into());
    m.insert("reason".into(), reason.into());
    m.insert("veto".into(), veto.into());
    m.insert("evidence".into(), evidence.into());
    m
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use hecun_plugin_abi::HELPERS;

    /// Rhai offers exactly the helpers of hecun-plugin-abi's table, each with every arity it
    /// allows (the candidate, the required arguments, and each optional one): a helper
    /// registered here and not in the table, or in the table and not here, fails.
    #[test]
    fn the_rhai_helpers_are_the_abi_tables() {
        let mut engine = rhai::Engine::new();
        let mut registered: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (name, arity) in super::register_candidate(&mut engine) {
            assert!(
                registered.entry(name).or_default().insert(arity),
                "{name} with {arity} arguments is registered twice"
            );
        }
        let table: BTreeMap<&str, BTreeSet<usize>> = HELPERS
            .iter()
            .map(|h| {
                let (least, most) = h.arity();
                (h.name, (1 + least..=1 + most).collect())
            })
            .collect();
        assert_eq!(registered, table);
    }
}
