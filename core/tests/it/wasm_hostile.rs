//! The WebAssembly runtime against hostile and broken modules (WAT fixtures in
//! `tests/fixtures/wasm/`): each ends with an error that names the plugin (and the candidate,
//! when one was running), and every other candidate is answered.
#![cfg(all(feature = "wasm", feature = "rhai"))]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use geo::{Geometry, Point};
use hecun::rules::{
    Candidate, Features, Outcome, Plugin, RhaiPlugin, Score, Status, Value, WasmPlugin,
};
use hecun::{IndexedLayer, LayerItem, SpatialLayers};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wasm")
        .join(name)
}

/// A plugin folder in `dir` holding a copy of the fixture `module` (when there is one: a
/// plugin reads only files in its own folder), named by its manifest; `extra` is appended.
fn plugin_dir(dir: &Path, name: &str, kind: &str, module: &str, extra: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    if fixture(module).exists() {
        std::fs::copy(fixture(module), folder.join(module)).unwrap();
    }
    let manifest = format!(
        "name = {name:?}\nversion = \"1.0.0\"\ncontract = 1\nkind = {kind:?}\nmodule = {module:?}\n{extra}\n"
    );
    std::fs::write(folder.join("plugin.toml"), manifest).unwrap();
    folder
}

fn load(name: &str, module: &str, extra: &str) -> hecun::Result<WasmPlugin> {
    let dir = tempfile::tempdir().unwrap();
    WasmPlugin::load_with_cache(
        &plugin_dir(dir.path(), name, "site-score", module, extra),
        None,
    )
}

fn load_error(name: &str, module: &str, extra: &str) -> String {
    let err = load(name, module, extra).expect_err("the module must be refused");
    let text = err.to_string();
    assert!(
        matches!(
            err,
            hecun::Error::Plugin {
                failure: hecun::PluginFailure::Load,
                ..
            }
        ),
        "a refused module is a load failure: {text}"
    );
    assert!(
        text.contains(&format!("plugin {name:?}")),
        "the error names the plugin: {text}"
    );
    text
}

fn cell(id: &str, x: f64) -> Candidate {
    let names: Arc<[String]> = vec!["label".to_owned(), "x".to_owned()].into();
    Candidate::new(id, names, vec![Value::Text(format!("cell {id}")), x.into()])
}

fn score_all(plugin: &WasmPlugin, xs: &[f64], explain: bool) -> Vec<hecun::Result<Score>> {
    let cells: Vec<Candidate> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| cell(&format!("c{}", i + 1), x))
        .collect();
    let refs: Vec<&dyn Features> = cells.iter().map(|c| c as &dyn Features).collect();
    plugin.score_batch(&refs, explain)
}

fn scored(result: &hecun::Result<Score>) -> f64 {
    match result {
        Ok(Score {
            outcome: Outcome::Scored(s),
            ..
        }) => *s,
        other => panic!("expected a score, got {other:?}"),
    }
}

/// The kind of a failed candidate's failure.
fn failure_of(result: &hecun::Result<Score>) -> hecun::PluginFailure {
    match result {
        Err(hecun::Error::Plugin { failure, .. }) => *failure,
        other => panic!("expected a plugin failure, got {other:?}"),
    }
}

/// The error of candidate `id`, checked to name the plugin and the candidate.
fn failed(result: &hecun::Result<Score>, plugin: &str, id: &str) -> String {
    let text = match result {
        Err(e) => e.to_string(),
        Ok(s) => panic!("expected candidate {id} to fail, got {s:?}"),
    };
    assert!(
        text.contains(&format!("plugin {plugin:?}, candidate {id:?}")),
        "the error names plugin and candidate: {text}"
    );
    text
}

#[test]
fn a_batch_is_scored_explained_excluded_and_failed_per_candidate() {
    let plugin = load("first-float", "score.wat", "").unwrap();
    let results = score_all(&plugin, &[1.5, 2.0, -6.0, -5.0], true);
    assert_eq!(results.len(), 4);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.outcome, Outcome::Scored(1.5));
    assert_eq!(first.terms.len(), 1);
    assert_eq!(first.terms[0].name, "first_float");
    assert_eq!(first.terms[0].contribution(), 1.5);
    assert_eq!(scored(&results[1]), 2.0);
    match &results[2].as_ref().unwrap().outcome {
        Outcome::Excluded {
            reason, evidence, ..
        } => {
            assert_eq!(reason, "too close");
            assert_eq!(evidence.get("d"), Some(&serde_json::json!(1)));
        }
        other => panic!("expected an exclusion, got {other:?}"),
    }
    let text = failed(&results[3], "first-float", "c4");
    assert!(text.ends_with("rejected"), "{text}");
    // The rule's own error is a runtime failure, not a broken answer.
    assert_eq!(failure_of(&results[3]), hecun::PluginFailure::Runtime);
    // Without an explanation, no terms.
    let plain = score_all(&plugin, &[1.5], false);
    assert!(plain[0].as_ref().unwrap().terms.is_empty());
    // A batch of one, through the Features path.
    assert_eq!(
        scored(&plugin.score_features(&cell("one", 7.0), false)),
        7.0
    );
}

#[test]
fn the_spatial_helpers_answer_from_the_candidates_layers() {
    let mut layers = SpatialLayers::new();
    layers.insert(IndexedLayer::new(
        "roads",
        vec![LayerItem {
            id: "R1".into(),
            class: None,
            geometry: Geometry::Point(Point::new(300.0, 400.0)),
            properties: None,
        }],
    ));
    let layers = Arc::new(layers);
    let names: Arc<[String]> = Vec::new().into();
    let placed = Candidate::with_place(
        "S1",
        names.clone(),
        vec![],
        None,
        Some(Geometry::Point(Point::new(0.0, 0.0))),
        Some(layers),
    );
    let nowhere = Candidate::new("S2", names, vec![]);
    let plugin = load("road-distance", "score.wat", "").unwrap();
    let results = plugin.score_batch(&[&placed, &nowhere], false);
    assert!((scored(&results[0]) - 500.0).abs() < 1e-9);
    let text = failed(&results[1], "road-distance", "S2");
    assert!(
        text.contains("distance_to: spatial helpers need the plan's layers"),
        "{text}"
    );
}

/// `ids_within` answers in WebAssembly what it answers in Rhai (the host's one helper): the
/// ids in file order, the whole length when the room was too small, every byte as written.
#[test]
fn ids_within_answers_as_the_host_helper_does() {
    let point = |id: &str, x: f64, y: f64| LayerItem {
        id: id.into(),
        class: None,
        geometry: Geometry::Point(Point::new(x, y)),
        properties: None,
    };
    let mut layers = SpatialLayers::new();
    layers.insert(IndexedLayer::new(
        "pois",
        vec![
            point("A1", 100.0, 0.0),
            point("C", 500.0, 0.0),
            point("甲22", 0.0, 120.0),
        ],
    ));
    let names: Arc<[String]> = Vec::new().into();
    let placed = Candidate::with_place(
        "S1",
        names,
        vec![],
        None,
        Some(Geometry::Point(Point::new(0.0, 0.0))),
        Some(Arc::new(layers)),
    );
    let ids = hecun::rules::helpers::ids_within(&placed, "pois", 150.0, None).unwrap();
    assert_eq!(ids, ["A1", "甲22"]);
    let encoded: Vec<u8> = ids
        .iter()
        .flat_map(|id| {
            (id.len() as u32)
                .to_le_bytes()
                .into_iter()
                .chain(id.bytes())
        })
        .collect();
    let n = encoded.len() as f64;
    let sum: u32 = encoded.iter().map(|&b| u32::from(b)).sum();
    let plugin = load("ids", "ids_within.wat", "").unwrap();
    let results = plugin.score_batch(&[&placed], false);
    assert_eq!(scored(&results[0]), n * 1e6 + n * 1e3 + f64::from(sum));
}

#[test]
fn a_trap_in_one_candidate_leaves_the_others_answered() {
    let plugin = load("trapper", "score.wat", "").unwrap();
    let results = score_all(&plugin, &[1.0, -1.0, 2.0], false);
    assert_eq!(scored(&results[0]), 1.0);
    let text = failed(&results[1], "trapper", "c2");
    assert!(
        text.ends_with("trapped: wasm `unreachable` instruction executed in misbehave"),
        "{text}"
    );
    assert_eq!(failure_of(&results[1]), hecun::PluginFailure::Runtime);
    assert_eq!(scored(&results[2]), 2.0);
    // The plugin goes on answering afterwards.
    assert_eq!(scored(&score_all(&plugin, &[3.0], false)[0]), 3.0);
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let plugin = load("panicker", "score.wat", "").unwrap();
    let results = score_all(&plugin, &[4.0, -2.0], false);
    assert_eq!(scored(&results[0]), 4.0);
    let text = failed(&results[1], "panicker", "c2");
    assert!(text.ends_with("panicked: negative score"), "{text}");
    assert_eq!(failure_of(&results[1]), hecun::PluginFailure::Runtime);
}

#[test]
fn an_infinite_loop_is_stopped_at_the_time_limit() {
    let plugin = load("looper", "score.wat", "[limits]\nmax_millis = 50").unwrap();
    let start = Instant::now();
    let results = score_all(&plugin, &[1.0, -3.0, 2.0], false);
    let took = start.elapsed();
    assert_eq!(scored(&results[0]), 1.0);
    let text = failed(&results[1], "looper", "c2");
    assert!(
        text.ends_with("stopped: ran longer than its limit of 50 ms"),
        "{text}"
    );
    assert_eq!(failure_of(&results[1]), hecun::PluginFailure::Timeout);
    assert_eq!(scored(&results[2]), 2.0);
    // The limit once, and a few ticks: the other candidates are not run again.
    assert!(took.as_millis() < 1_000, "took {took:?}");
}

/// `score.wat` without its progress slot: a module that does not say which candidate it is on.
fn without_progress_slot(dir: &Path) -> PathBuf {
    let wat = std::fs::read_to_string(fixture("score.wat")).unwrap();
    let line = wat
        .lines()
        .find(|l| l.contains("hecun-progress-slot"))
        .expect("score.wat marks its progress slot");
    let path = dir.join("score_without_progress.wat");
    std::fs::write(&path, wat.replace(line, "")).unwrap();
    path
}

#[test]
fn many_looping_candidates_are_each_stopped_once_and_named() {
    let limit = 20;
    let plugin = load(
        "loopers",
        "score.wat",
        &format!("[limits]\nmax_millis = {limit}"),
    )
    .unwrap();
    // 48 candidates, three in four of them endless loops, in one batch.
    let xs: Vec<f64> = (0..48)
        .map(|i| if i % 4 == 0 { i as f64 } else { -3.0 })
        .collect();
    let loops = xs.iter().filter(|&&x| x == -3.0).count();
    let start = Instant::now();
    let results = score_all(&plugin, &xs, false);
    let took = start.elapsed();
    for (i, (x, result)) in xs.iter().zip(&results).enumerate() {
        if *x == -3.0 {
            let text = failed(result, "loopers", &format!("c{}", i + 1));
            assert!(
                text.ends_with(&format!("stopped: ran longer than its limit of {limit} ms")),
                "{text}"
            );
        } else {
            assert_eq!(scored(result), *x);
        }
    }
    // Each looping candidate costs its own limit once (and at most two 10 ms ticks more):
    // no call is stopped twice for the same candidate and none is rerun whole. The slack is
    // for a loaded machine whose ticks come late.
    let bound = loops as u128 * (limit + 20) + 1_500;
    assert!(took.as_millis() < bound, "took {took:?} for {loops} loops");
    assert!(took.as_millis() >= loops as u128 * limit, "took {took:?}");
}

#[test]
fn the_time_limit_is_per_candidate_not_per_batch() {
    let limit = 200;
    let plugin = load(
        "slow",
        "score.wat",
        &format!("[limits]\nmax_millis = {limit}"),
    )
    .unwrap();
    // How long one slow (but finite) candidate takes here; enough of them in one batch to
    // take several times the limit together.
    let start = Instant::now();
    assert_eq!(scored(&score_all(&plugin, &[-7.0], false)[0]), 7.0);
    let one = start.elapsed().as_millis().max(1);
    assert!(one < limit / 2, "one slow candidate took {one} ms");
    let n = (3 * limit / one + 1).min(200) as usize;
    let results = score_all(&plugin, &vec![-7.0; n], false);
    for (i, r) in results.iter().enumerate() {
        assert!(
            matches!(
                r,
                Ok(Score {
                    outcome: Outcome::Scored(7.0),
                    ..
                })
            ),
            "candidate {i} of {n}: {r:?}"
        );
    }
}

#[test]
fn a_module_without_a_progress_slot_is_limited_per_call_and_still_names_the_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("legacy");
    std::fs::create_dir_all(&folder).unwrap();
    let module = without_progress_slot(&folder);
    std::fs::write(
        folder.join("plugin.toml"),
        format!(
            "name = \"legacy\"\nversion = \"1.0.0\"\ncontract = 1\nkind = \"site-score\"\nmodule = {:?}\n[limits]\nmax_millis = 30\n",
            module.file_name().unwrap().to_string_lossy()
        ),
    )
    .unwrap();
    let plugin = WasmPlugin::load_with_cache(&folder, None).unwrap();
    let results = score_all(&plugin, &[1.0, -3.0, 2.0, -1.0, 3.0], false);
    assert_eq!(scored(&results[0]), 1.0);
    let text = failed(&results[1], "legacy", "c2");
    assert!(
        text.ends_with("stopped: ran longer than its limit of 30 ms"),
        "{text}"
    );
    assert_eq!(scored(&results[2]), 2.0);
    let text = failed(&results[3], "legacy", "c4");
    assert!(text.contains("trapped"), "{text}");
    assert_eq!(scored(&results[4]), 3.0);
}

#[test]
fn a_memory_grow_bomb_is_stopped_at_the_memory_cap() {
    let plugin = load("bomb", "score.wat", "[limits]\nmax_memory_mb = 8").unwrap();
    let results = score_all(&plugin, &[-4.0, 3.0], false);
    let text = failed(&results[0], "bomb", "c1");
    assert!(text.ends_with("memory limit of 8 MiB reached"), "{text}");
    assert_eq!(
        failure_of(&results[0]),
        hecun::PluginFailure::Limit {
            limit: "max_memory_mb"
        }
    );
    assert_eq!(scored(&results[1]), 3.0);
}

#[test]
fn a_module_larger_than_the_cap_is_refused_at_load() {
    let text = load_error("big", "big_memory.wat", "");
    assert!(text.ends_with("memory limit of 64 MiB reached"), "{text}");
    // With a larger cap it loads.
    load("big", "big_memory.wat", "[limits]\nmax_memory_mb = 100").unwrap();
}

#[test]
fn a_missing_export_is_named() {
    let text = load_error("no-run", "no_run.wat", "");
    assert!(text.ends_with("does not export hecun_run"), "{text}");
}

#[test]
fn a_module_for_a_newer_abi_asks_to_upgrade_hecun() {
    let text = load_error("future", "abi2.wat", "");
    assert!(
        text.ends_with("built for ABI 2, but this hecun speaks ABI 1: upgrade hecun"),
        "{text}"
    );
}

#[test]
fn a_module_for_an_older_abi_asks_to_rebuild_the_plugin() {
    let text = load_error("past", "abi0.wat", "");
    assert!(
        text.ends_with("built for ABI 0, but this hecun speaks ABI 1: rebuild it with hecun-plugin-sdk for ABI 1"),
        "{text}"
    );
}

#[test]
fn bytes_that_are_not_webassembly_are_refused() {
    let text = load_error("rhai-in-disguise", "not_wasm.wasm", "");
    assert!(
        text.contains("not_wasm.wasm is not a WebAssembly module"),
        "{text}"
    );
    let text = load_error("truncated", "truncated.wasm", "");
    assert!(
        text.contains("truncated.wasm is not a valid WebAssembly module"),
        "{text}"
    );
}

#[test]
fn a_module_not_built_yet_says_to_build_it() {
    let text = load_error("unbuilt", "never_built.wasm", "");
    assert!(
        text.contains("never_built.wasm is not there: build it")
            && text.contains("--target wasm32-unknown-unknown"),
        "{text}"
    );
}

#[test]
fn imports_beyond_the_helpers_are_refused() {
    let text = load_error("wasi", "wasi.wat", "");
    assert!(
        text.contains("imports wasi_snapshot_preview1.fd_write, which hecun does not provide"),
        "{text}"
    );
}

#[test]
fn hecun_init_is_limited_and_may_refuse_the_parameters() {
    let text = load_error("slow-start", "init_loop.wat", "[limits]\nmax_millis = 30");
    assert!(
        text.ends_with("stopped: ran longer than its limit of 30 ms"),
        "{text}"
    );
    let text = load_error("picky", "init_refuses.wat", "");
    assert!(
        text.ends_with("hecun_init refused the parameters: bad param"),
        "{text}"
    );
}

#[test]
fn the_second_load_is_a_cache_hit() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let folder = plugin_dir(dir.path(), "cached", "site-score", "score.wat", "");
    let first = WasmPlugin::load_with_cache(&folder, Some(&cache)).unwrap();
    assert!(!first.from_cache());
    let files = walk(&cache);
    assert!(files > 0, "the cache folder holds the compiled module");
    let start = Instant::now();
    let second = WasmPlugin::load_with_cache(&folder, Some(&cache)).unwrap();
    eprintln!("load from the cache: {:?}", start.elapsed());
    assert!(second.from_cache());
    assert_eq!(scored(&score_all(&second, &[9.0], false)[0]), 9.0);
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn plugin_load_chooses_the_runtime_and_runs_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let launch = Plugin::load(&plugin_dir(
        dir.path(),
        "launch",
        "launch-check",
        "score.wat",
        "",
    ))
    .unwrap();
    assert!(matches!(launch, Plugin::Wasm(_)));
    let input = serde_json::json!({
        "id": "S1", "township": "东镇",
        "villages": [{"id": "v1", "强制拆迁": false}],
    });
    assert_eq!(launch.check("S1", &input).unwrap().status, Status::Pass);
    let verdicts = launch.check_batch(&[("S1", &input), ("S2", &input)]);
    assert!(
        verdicts
            .iter()
            .all(|v| v.as_ref().unwrap().status == Status::Pass)
    );
    let standard = Plugin::load(&plugin_dir(
        dir.path(),
        "standard",
        "standard-selection",
        "score.wat",
        "",
    ))
    .unwrap();
    let answer = standard.select_standard(&cell("C1", 1.0)).unwrap();
    assert_eq!(answer.standard, "GB 50180-2018");
    assert_eq!(answer.verdict.status, Status::Pass);
    // Asking a plugin of one kind for another names the plugin and the candidate.
    let text = launch
        .score(&cell("S9", 1.0), false)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains(
            "plugin \"launch\", candidate \"S9\": is a launch-check plugin, not a site-score"
        ),
        "{text}"
    );
    // The Rhai runtime refuses a module, and the WebAssembly runtime a script.
    let text = RhaiPlugin::load(&dir.path().join("launch"))
        .unwrap_err()
        .to_string();
    assert!(text.contains("is a WebAssembly plugin"), "{text}");
}

#[test]
fn the_plugins_own_test_cases_run_through_the_module() {
    // The cases hold x and a roads layer: declared, as hecun plugin test requires.
    let extra = r#"reads = ["sites.x", "roads"]

[[tests]]
name = "first float"
input = { id = "S1", x = 2.5 }
expect = { score = 2.5, terms = { first_float = 2.5 } }

[[tests]]
name = "road distance"
input = { id = "S2", point = [0, 0], layers.roads = [{ id = "R1", point = [300, 400] }] }
expect = { score = 500.0 }

[[tests]]
name = "wrong expectation"
input = { id = "S3", x = 1.0 }
expect = { score = 2.0 }
"#;
    let plugin = load("self-tested", "score.wat", extra).unwrap();
    let outcomes = plugin.run_tests();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0], ("first float".into(), Ok(())));
    assert_eq!(outcomes[1], ("road distance".into(), Ok(())));
    assert_eq!(
        outcomes[2],
        (
            "wrong expectation".into(),
            Err("score 1 (expected 2)".into())
        )
    );
}

#[test]
fn manifests_name_exactly_one_of_script_and_module() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("plugin.toml"),
            format!(
                "name = {name:?}\nversion = \"1\"\ncontract = 1\nkind = \"site-score\"\n{body}"
            ),
        )
        .unwrap();
        Plugin::load(&folder).unwrap_err().to_string()
    };
    let both = write("both", "script = \"a.rhai\"\nmodule = \"a.wasm\"\n");
    assert!(both.contains("names both a script and a module"), "{both}");
    let neither = write("neither", "");
    assert!(neither.contains("names neither a script"), "{neither}");
    let typo = write("typo", "module = \"a.wasm\"\n[limits]\nmax_memory = 10\n");
    assert!(typo.contains("unknown field `max_memory`"), "{typo}");
}

#[test]
fn one_plugin_serves_many_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<WasmPlugin>();
    send_sync::<Plugin>();
    let plugin = load("threads", "score.wat", "").unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let plugin = &plugin;
            s.spawn(move || {
                let xs: Vec<f64> = (0..1000).map(|i| (t * 1000 + i) as f64).collect();
                let results = score_all(plugin, &xs, false);
                for (x, r) in xs.iter().zip(&results) {
                    assert_eq!(scored(r), *x);
                }
            });
        }
    });
}

/// Per-candidate cost of batch calls with the trivial module (run with `--ignored
/// --nocapture` in release).
#[test]
#[ignore]
fn measure_batch_cost() {
    let plugin = load("measure", "score.wat", "").unwrap();
    let n = 10_000;
    let cells: Vec<Candidate> = (0..n).map(|i| cell(&format!("c{i}"), i as f64)).collect();
    let refs: Vec<&dyn Features> = cells.iter().map(|c| c as &dyn Features).collect();
    let best = |f: &dyn Fn()| {
        (0..20)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_nanos() as f64 / n as f64
            })
            .fold(f64::INFINITY, f64::min)
    };
    let batched = best(&|| assert_eq!(plugin.score_batch(&refs, false).len(), n));
    let single = best(&|| {
        for c in &refs {
            plugin.score_features(*c, false).unwrap();
        }
    });
    eprintln!(
        "batches of 256: {batched:.0} ns per candidate; one at a time: {single:.0} ns per candidate"
    );
}

/// The epoch advances while guest code runs and its thread sleeps while none does, though a
/// plugin stays loaded. Run in a process of its own (other tests' guests would keep it
/// ticking).
#[cfg(target_os = "linux")]
#[test]
fn the_epoch_thread_sleeps_between_calls() {
    if std::env::var_os("HECUN_EPOCH_PROBE").is_none() {
        crate::common::run_alone(
            "wasm_hostile::the_epoch_thread_sleeps_between_calls",
            "HECUN_EPOCH_PROBE",
        );
        return;
    }
    let epoch_wakeups = || crate::common::thread_wakeups("hecun-wasm-epoch");
    let plugin = load("idle", "score.wat", "").unwrap();
    // -7 spins 2^22 times: a call that runs a while, under the clock.
    let results = score_all(&plugin, &[1.0, -7.0, 2.0], false);
    assert_eq!(scored(&results[1]), 7.0);
    let after_calls = epoch_wakeups().expect("the epoch thread is running");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let idle_from = epoch_wakeups().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let idle = epoch_wakeups().unwrap() - idle_from;
    assert!(after_calls >= 1);
    assert!(
        idle <= 2,
        "{idle} wake-ups in 300 ms with a plugin loaded and no call"
    );
    // And it ticks again for the next call: an endless loop is still stopped.
    let looping = score_all(&plugin, &[-3.0], false);
    assert!(looping[0].is_err());
    drop(plugin);
}
