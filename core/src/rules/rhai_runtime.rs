//! The Rhai runtime: plugins written as short scripts, run in a sandbox.
//!
//! The sandbox: operation, call-depth, string, array and map limits and a wall-clock limit
//! per call (all from the manifest), no `eval`, no modules (so no file access; Rhai has no
//! network or file functions of its own), `print` and `debug` silenced. A script that breaks
//! a limit or fails is stopped, and the error names the plugin, the candidate and the line.

use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

use rhai::{AST, Dynamic, Engine, Map, Scope};

use super::contract::{Kind, Manifest};
use super::verdict::{Finding, Verdict};
use crate::error::{Error, Result};

thread_local! {
    /// When the call running on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The last script line the tracing engine stepped on, on this thread.
    static LAST_LINE: Cell<Option<usize>> = const { Cell::new(None) };
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
    /// The same sandbox, stepping through the script line by line: rerun on a failure that
    /// Rhai reports without a position (a broken limit), to find the line.
    tracer: Engine,
    ast: AST,
    params: Dynamic,
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
        let (manifest, script_path) = Manifest::load(path)?;
        let script =
            std::fs::read_to_string(&script_path).map_err(|e| Error::io(&script_path, e))?;
        let engine = sandboxed_engine(&manifest);
        let ast = engine.compile(&script).map_err(|e| Error::Plugin {
            plugin: manifest.name.clone(),
            candidate: None,
            line: e.1.line(),
            message: format!("{} does not compile: {}", script_path.display(), e.0),
        })?;
        let params = rhai::serde::to_dynamic(&manifest.params).map_err(|e| Error::Plugin {
            plugin: manifest.name.clone(),
            candidate: None,
            line: None,
            message: format!("parameters: {e}"),
        })?;
        let mut tracer = sandboxed_engine(&manifest);
        // Rhai marks its debugger interface as volatile; rhai is pinned to 1.27 here.
        #[allow(deprecated)]
        tracer.register_debugger(
            |_, debugger| debugger,
            |_, event, _, _, position| {
                if let (rhai::debugger::DebuggerEvent::Step, Some(line)) = (event, position.line())
                {
                    LAST_LINE.with(|l| l.set(Some(line)));
                }
                Ok(rhai::debugger::DebuggerCommand::StepInto)
            },
        );
        Ok(RhaiPlugin {
            manifest,
            engine,
            tracer,
            ast,
            params,
        })
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Runs a launch check on one community: the script's `check(community, params)` returns
    /// the findings it made with `fail(criterion, reason, evidence)` and `veto(…)`.
    pub fn check(&self, candidate: &str, input: &serde_json::Value) -> Result<Verdict> {
        if self.manifest.kind != Kind::LaunchCheck {
            return Err(self.error(
                Some(candidate),
                None,
                format!("is a {:?} plugin, not a launch check", self.manifest.kind),
            ));
        }
        let input = rhai::serde::to_dynamic(input)
            .map_err(|e| self.error(Some(candidate), None, format!("input: {e}")))?;
        let found = self.call("check", candidate, (input, self.params.clone()))?;
        let findings: Vec<Finding> = rhai::serde::from_dynamic(&found).map_err(|e| {
            self.error(
                Some(candidate),
                None,
                format!("check() must return an array of fail(…)/veto(…) findings: {e}"),
            )
        })?;
        Ok(Verdict::from_findings(findings))
    }

    /// Runs the plugin's own test cases: each case's name and what went wrong, if anything.
    pub fn run_tests(&self) -> Vec<(String, std::result::Result<(), String>)> {
        self.manifest
            .tests
            .iter()
            .map(|case| {
                let outcome = (|| -> std::result::Result<(), String> {
                    let input = serde_json::to_value(&case.input).map_err(|e| e.to_string())?;
                    let id = input
                        .get("id")
                        .and_then(|v| v.as_str())
                        .unwrap_or(&case.name)
                        .to_owned();
                    let verdict = self.check(&id, &input).map_err(|e| e.to_string())?;
                    compare(&verdict, &case.expect)
                })();
                (case.name.clone(), outcome)
            })
            .collect()
    }

    fn call(
        &self,
        function: &str,
        candidate: &str,
        args: impl rhai::FuncArgs + Clone,
    ) -> Result<Dynamic> {
        let run = |engine: &Engine| {
            let limit = Duration::from_millis(self.manifest.limits.max_millis);
            DEADLINE.with(|d| d.set(Some(Instant::now() + limit)));
            let result =
                engine.call_fn::<Dynamic>(&mut Scope::new(), &self.ast, function, args.clone());
            DEADLINE.with(|d| d.set(None));
            result
        };
        run(&self.engine).map_err(|e| {
            // The failure itself sits inside the script functions that were called.
            let mut inner: &rhai::EvalAltResult = &e;
            let mut line = inner.position().line();
            while let rhai::EvalAltResult::ErrorInFunctionCall(_, _, deeper, _) = inner {
                inner = deeper;
                line = inner.position().line().or(line);
            }
            if line.is_none() {
                LAST_LINE.with(|l| l.set(None));
                let _ = run(&self.tracer);
                line = LAST_LINE.with(|l| l.take());
            }
            let message = match inner {
                rhai::EvalAltResult::ErrorTerminated(..) => {
                    format!(
                        "stopped: ran longer than its limit of {} ms",
                        self.manifest.limits.max_millis
                    )
                }
                other => other.to_string(),
            };
            self.error(Some(candidate), line, message)
        })
    }

    fn error(&self, candidate: Option<&str>, line: Option<usize>, message: String) -> Error {
        Error::Plugin {
            plugin: self.manifest.name.clone(),
            candidate: candidate.map(str::to_owned),
            line,
            message,
        }
    }
}

/// Compares a verdict with a test case's `expect` table.
fn compare(verdict: &Verdict, expect: &toml::Value) -> std::result::Result<(), String> {
    let want_status = expect
        .get("status")
        .and_then(|s| s.as_str())
        .ok_or("expect.status is missing")?;
    let got_status = serde_json::to_value(verdict.status).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    if got_status.as_str() != Some(want_status) {
        problems.push(format!("status {got_status} (expected \"{want_status}\")"));
    }
    for (key, got) in [("failed", verdict.failed()), ("vetoes", verdict.vetoes())] {
        if let Some(want) = expect.get(key).and_then(|v| v.as_array()) {
            let mut want: Vec<&str> = want.iter().filter_map(|v| v.as_str()).collect();
            want.sort_unstable();
            if want != got {
                problems.push(format!("{key} {got:?} (expected {want:?})"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn sandboxed_engine(manifest: &Manifest) -> Engine {
    let limits = manifest.limits;
    let mut engine = Engine::new();
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_expr_depths(64, 32)
        .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new())
        .disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    // The clock is read every 1024 operations: a few nanoseconds per thousand operations.
    engine.on_progress(|operations| {
        if operations % 1024 != 0 {
            return None;
        }
        let late = DEADLINE
            .with(|d| d.get())
            .is_some_and(|deadline| Instant::now() > deadline);
        late.then(|| Dynamic::from("time limit"))
    });
    engine.register_fn("fail", |criterion: &str, reason: &str, evidence: Map| {
        finding(criterion, reason, evidence, false)
    });
    engine.register_fn("veto", |criterion: &str, reason: &str, evidence: Map| {
        finding(criterion, reason, evidence, true)
    });
    engine
}

fn finding(criterion: &str, reason: &str, evidence: Map, veto: bool) -> Map {
    let mut m = Map::new();
    m.insert("criterion".into(), criterion.into());
    m.insert("reason".into(), reason.into());
    m.insert("veto".into(), veto.into());
    m.insert("evidence".into(), evidence.into());
    m
}
