//! Hostile and broken Rhai plugins: each is stopped within its limits, and the error names
//! the plugin, the candidate and the script line. Other plugins are unaffected.

use std::path::Path;

use hecun::rules::{RhaiPlugin, Status};
use hecun::{Error, PluginFailure};

fn plugin(dir: &Path, name: &str, limits: &str, script: &str) -> std::path::PathBuf {
    let root = dir.join(name);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("plugin.toml"),
        format!("name = \"{name}\"\nversion = \"0.1.0\"\ncontract = 1\nkind = \"launch-check\"\nscript = \"check.rhai\"\n{limits}"),
    )
    .unwrap();
    std::fs::write(root.join("check.rhai"), script).unwrap();
    root
}

fn input() -> serde_json::Value {
    serde_json::json!({"id": "S7", "villages": [{"id": "v1", "forced_demolition": false}]})
}

/// Loads and runs a plugin that must fail with a failure of kind `expected`; returns the
/// error's text after checking it names the plugin, the candidate and a line.
fn fails_at_run(name: &str, limits: &str, script: &str, expected: PluginFailure) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = RhaiPlugin::load(&plugin(dir.path(), name, limits, script)).unwrap();
    let err = p.check("S7", &input()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Plugin { line: Some(_), .. }), "{text}");
    let Error::Plugin { failure, .. } = err else {
        unreachable!()
    };
    assert_eq!(failure, expected, "{text}");
    assert!(
        text.contains(&format!("plugin \"{name}\""))
            && text.contains("candidate \"S7\"")
            && text.contains("line"),
        "{text}"
    );
    text
}

#[test]
fn an_endless_loop_runs_out_of_operations() {
    // Few enough operations for the clock (the default second) never to come first, even
    // in an unoptimised build.
    let text = fails_at_run(
        "spin",
        "[limits]\nmax_operations = 100_000\n",
        "fn check(c, p) {\n  let x = 0;\n  loop { x += 1; }\n}\n",
        PluginFailure::Limit {
            limit: "max_operations",
        },
    );
    assert!(
        text.contains("line 3") && text.to_lowercase().contains("operations"),
        "{text}"
    );
}

#[test]
fn an_endless_loop_is_stopped_by_the_clock_when_operations_are_plentiful() {
    let limits = "[limits]\nmax_operations = 1_000_000_000\nmax_millis = 50\n";
    let text = fails_at_run(
        "spin-forever",
        limits,
        "fn check(c, p) {\n  let x = 0;\n  loop { x += 1; }\n}\n",
        PluginFailure::Timeout,
    );
    assert!(text.contains("50 ms") && text.contains("line 3"), "{text}");
}

#[test]
fn endless_recursion_hits_the_call_depth() {
    let text = fails_at_run(
        "deep",
        "",
        "fn down(n) { down(n + 1) }\nfn check(c, p) {\n  down(0)\n}\n",
        PluginFailure::Limit {
            limit: "max_call_depth",
        },
    );
    assert!(
        text.to_lowercase().contains("stack overflow") || text.contains("call"),
        "{text}"
    );
}

#[test]
fn a_string_bomb_hits_the_size_limit() {
    let text = fails_at_run(
        "bomb",
        "",
        "fn check(c, p) {\n  let s = \"xx\";\n  loop { s += s; }\n}\n",
        PluginFailure::Limit {
            limit: "max_string_size",
        },
    );
    assert!(
        text.to_lowercase().contains("length") || text.to_lowercase().contains("size"),
        "{text}"
    );
}

#[test]
fn a_type_error_and_an_unknown_function_name_their_line() {
    let text = fails_at_run(
        "types",
        "",
        "fn check(c, p) {\n  let n = c.villages;\n  n * true\n}\n",
        PluginFailure::Runtime,
    );
    assert!(text.contains("line 3"), "{text}");
    let text = fails_at_run(
        "unknown",
        "",
        "fn check(c, p) {\n\n  frobnicate(c)\n}\n",
        PluginFailure::Runtime,
    );
    assert!(
        text.contains("line 3") && text.contains("frobnicate"),
        "{text}"
    );
}

#[test]
fn syntax_errors_eval_and_imports_fail_at_load() {
    let dir = tempfile::tempdir().unwrap();
    for (name, script, needle) in [
        ("syntax", "fn check(c, p) {\n  let = 3;\n}\n", "line 2"),
        ("eval", "fn check(c, p) {\n  eval(\"1\")\n}\n", "eval"),
        (
            "import",
            "import \"secrets\" as s;\nfn check(c, p) { [] }\n",
            "secrets",
        ),
    ] {
        let path = plugin(dir.path(), name, "", script);
        let err = match RhaiPlugin::load(&path) {
            Err(e) => {
                assert!(
                    matches!(
                        e,
                        Error::Plugin {
                            failure: PluginFailure::Load,
                            ..
                        }
                    ),
                    "{name}: {e}"
                );
                e.to_string()
            }
            Ok(p) => p.check("S7", &input()).unwrap_err().to_string(),
        };
        assert!(
            err.contains(&format!("plugin \"{name}\"")) && err.contains(needle),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_failing_plugin_leaves_the_others_working() {
    let dir = tempfile::tempdir().unwrap();
    let bad =
        RhaiPlugin::load(&plugin(dir.path(), "bad", "", "fn check(c, p) { loop {} }")).unwrap();
    let good = RhaiPlugin::load(&plugin(dir.path(), "good", "", "fn check(c, p) { [] }")).unwrap();
    assert!(bad.check("S7", &input()).is_err());
    assert_eq!(good.check("S7", &input()).unwrap().status, Status::Pass);
}

#[test]
fn another_contract_version_is_refused_with_the_side_to_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    for (contract, side) in [(2, "upgrade hecun"), (0, "upgrade the plugin")] {
        let root = plugin(
            dir.path(),
            &format!("c{contract}"),
            "",
            "fn check(c, p) { [] }",
        );
        let manifest = std::fs::read_to_string(root.join("plugin.toml"))
            .unwrap()
            .replace("contract = 1", &format!("contract = {contract}"));
        std::fs::write(root.join("plugin.toml"), manifest).unwrap();
        let err = RhaiPlugin::load(&root).unwrap_err().to_string();
        assert!(err.contains(side), "{err}");
    }
}

#[test]
fn declared_criteria_catch_a_misspelt_id_in_the_plugins_tests() {
    let dir = tempfile::tempdir().unwrap();
    let criteria = "[[criteria]]\nid = \"land_legal\"\ntitle = { zh-CN = \"用地合法\" }\n";
    let case = "[[tests]]\nname = \"illegal land\"\ninput = { id = \"S1\", villages = [] }\nexpect = { status = \"fail\" }\n";
    for (name, script, undeclared) in [
        (
            "spelt",
            "fn check(c, p) { [fail(\"land_legal\", \"不合法\", #{})] }",
            None,
        ),
        (
            "misspelt",
            "fn check(c, p) { [fail(\"land_legl\", \"不合法\", #{})] }",
            Some("land_legl"),
        ),
    ] {
        let root = plugin(dir.path(), name, &format!("{criteria}{case}"), script);
        let results = RhaiPlugin::load(&root).unwrap().run_tests();
        assert_eq!(results.len(), 1);
        match (undeclared, &results[0].1) {
            (None, Ok(())) => {}
            (Some(id), Err(e)) => assert!(
                e.contains("does not declare") && e.contains(id),
                "{name}: {e}"
            ),
            (_, outcome) => panic!("{name}: {outcome:?}"),
        }
    }
}

/// The clock ticks while a call runs and sleeps when none does, though the plugin stays
/// loaded. Run in a process of its own (other tests' calls would keep it ticking).
#[cfg(target_os = "linux")]
#[test]
fn the_clock_sleeps_between_calls() {
    if std::env::var_os("HECUN_CLOCK_PROBE").is_none() {
        crate::common::run_alone(
            "rhai_sandbox::the_clock_sleeps_between_calls",
            "HECUN_CLOCK_PROBE",
        );
        return;
    }
    let wakeups = || crate::common::thread_wakeups("hecun-rhai-clock");
    let dir = tempfile::tempdir().unwrap();
    // About 100 ms of work (checked below), well inside the default limits.
    let script = "fn check(c, p) { let x = 0; for i in 0..N { x += i; } [] }";
    let busy = |n: u64| {
        let p = RhaiPlugin::load(&plugin(
            dir.path(),
            &format!("busy{n}"),
            "[limits]\nmax_millis = 60000\nmax_operations = 1_000_000_000",
            &script.replace('N', &n.to_string()),
        ))
        .unwrap();
        let started = std::time::Instant::now();
        p.check("S7", &input()).unwrap();
        (p, started.elapsed())
    };
    let (_, _) = busy(10);
    let before = {
        // The thread names itself once it runs.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match wakeups() {
                Some(n) => break n,
                None if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                None => panic!("the clock's thread is not running"),
            }
        }
    };
    let (plugin, took) = busy(300_000);
    let during = wakeups().unwrap() - before;
    assert!(
        during * 4 >= took.as_millis() as u64,
        "{during} wake-ups during a {took:?} call"
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    let idle_from = wakeups().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let idle = wakeups().unwrap() - idle_from;
    assert!(idle <= 2, "{idle} wake-ups in 300 ms without a call");
    drop(plugin);
}

#[test]
fn an_answer_of_the_wrong_shape_and_a_thrown_error_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let failure_of = |name: &str, script: &str| {
        let p = RhaiPlugin::load(&plugin(dir.path(), name, "", script)).unwrap();
        match p.check("S7", &input()).unwrap_err() {
            Error::Plugin { failure, .. } => failure,
            other => panic!("{name}: {other}"),
        }
    };
    assert_eq!(
        failure_of("number", "fn check(c, p) { 42 }"),
        PluginFailure::Answer
    );
    assert_eq!(
        failure_of("thrown", "fn check(c, p) { throw \"no data\"; }"),
        PluginFailure::Runtime
    );
    let p = RhaiPlugin::load(&plugin(
        dir.path(),
        "not-a-site-rule",
        "",
        "fn check(c, p) { [] }",
    ));
    let site = hecun::rules::Candidate::new("S1", Vec::<String>::new().into(), Vec::new());
    assert!(matches!(
        p.unwrap().score(&site, false),
        Err(Error::Plugin {
            failure: PluginFailure::Load,
            ..
        })
    ));
}
