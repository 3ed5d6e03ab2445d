//! A hostile or broken plugin, through the real binary: every case ends in an error naming
//! the plugin (and the candidate when there is one), never a hang, a crash or a silent
//! default. WebAssembly guests are written as WebAssembly text (the host reads `.wat`).
//!
//! Each run is killed after a timeout, so a regression that hangs fails the test instead.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::{csv_rows, repo};

/// Longer than any case should take on a loaded machine; a hang is far longer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs the binary, killing it after `TIMEOUT`; returns its output and how long it took.
fn hecun_timed(args: &[&str], dir: &Path) -> (Output, Duration) {
    common::hecun_watched(args, dir, TIMEOUT)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn demo_plan() -> PathBuf {
    repo().join("gis-data/demo/plan.toml")
}

/// A plugin folder holding `plugin.toml` and its code file.
fn plugin(dir: &Path, name: &str, kind: &str, file: &str, code: &str, limits: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let key = if file.ends_with(".rhai") {
        "script"
    } else {
        "module"
    };
    std::fs::write(
        folder.join("plugin.toml"),
        format!(
            "name = \"{name}\"\nversion = \"1.0.0\"\ncontract = 1\nkind = \"{kind}\"\n\
             {key} = \"{file}\"\n\n[limits]\n{limits}\n"
        ),
    )
    .unwrap();
    std::fs::write(folder.join(file), code).unwrap();
    folder
}

/// A WebAssembly site-score guest: the ABI's exports around `run_body`, the body of
/// `hecun_run (kind, ptr, len) -> i64`. `$count` reads the batch's candidate count, `$first`
/// where its first candidate (its id) begins;
/// `$scored` writes `n` answers "scored 1.0, no terms" at 4 MiB and returns the packed
/// buffer. `extra` adds module fields (functions, imports, a start function).
fn guest(run_body: &str, extra: &str) -> String {
    guest_with(run_body, extra, "i32.const 1", "i64.const 0")
}

fn guest_with(run_body: &str, extra: &str, version: &str, init: &str) -> String {
    format!(
        r#"(module
  {extra}
  (memory (export "memory") 128)
  (global (export "hecun_progress") i32 (i32.const 16))
  (func (export "hecun_abi_version") (result i32) {version})
  (func (export "hecun_alloc") (param i32) (result i32) i32.const 65536)
  (func (export "hecun_init") (param i32 i32) (result i64) {init})
  (func $count (param $p i32) (result i32)
    (i32.load (i32.sub (call $first (local.get $p)) (i32.const 4))))
  (func $first (param $p i32) (result i32) (local $nf i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (local.set $nf (i32.load (local.get $p)))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $nf)))
      (local.set $p (i32.add (local.get $p) (i32.add (i32.const 4) (i32.load (local.get $p)))))
      (local.set $nf (i32.sub (local.get $nf) (i32.const 1)))
      (br $l)))
    (i32.add (local.get $p) (i32.const 4)))
  (func $scored (param $n i32) (param $score f64) (result i64) (local $i i32) (local $at i32)
    (local.set $at (i32.const 4194304))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (local.get $at) (i32.const 0))
      (f64.store (i32.add (local.get $at) (i32.const 1)) (local.get $score))
      (i32.store (i32.add (local.get $at) (i32.const 9)) (i32.const 0))
      (local.set $at (i32.add (local.get $at) (i32.const 13)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (i64.or (i64.shl (i64.const 4194304) (i64.const 32))
            (i64.extend_i32_u (i32.mul (local.get $n) (i32.const 13)))))
  (func (export "hecun_run") (param $kind i32) (param $ptr i32) (param $len i32) (result i64)
    {run_body})
)"#
    )
}

/// What a well-behaved guest answers: every candidate scored 1.0.
const ANSWER_ALL: &str = "(call $scored (call $count (local.get $ptr)) (f64.const 1))";

/// `hecun score` on the demo with the plugin; the output folder is `dir/out`.
fn score(dir: &Path, plugin: &Path) -> (Output, Duration) {
    let out = dir.join("out");
    hecun_timed(
        &[
            "score",
            demo_plan().to_str().unwrap(),
            "--plugin",
            plugin.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir,
    )
}

/// The error column of every site of the last `score`.
fn site_errors(dir: &Path) -> Vec<String> {
    csv_rows(&dir.join("out/sites_scored.csv"))
        .into_iter()
        .map(|r| r["error"].clone())
        .collect()
}

/// A score run that must fail to load the plugin: exit 2, the plugin named, `needle` said.
fn refused_at_load(name: &str, wat: &str, limits: &str, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(dir.path(), name, "site-score", "g.wat", wat, limits);
    let (o, _) = score(dir.path(), &p);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains(&format!("plugin \"{name}\"")), "{said}");
    assert!(said.contains(needle), "{needle:?} not in: {said}");
}

/// A score run in which every site fails with `needle`: exit 3, each error names the plugin
/// and its site, the terminal names the first ones and where the rest are.
fn every_site_fails(name: &str, wat: &str, limits: &str, needle: &str) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(dir.path(), name, "site-score", "g.wat", wat, limits);
    let (o, took) = score(dir.path(), &p);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(said.contains("failed on every candidate"), "{said}");
    assert!(
        said.contains("see the error column of sites_scored.csv"),
        "{said}"
    );
    let errors = site_errors(dir.path());
    assert!(!errors.is_empty());
    for e in &errors {
        assert!(
            e.contains(&format!("plugin \"{name}\", candidate \"")),
            "{e}"
        );
        assert!(e.contains(needle), "{needle:?} not in: {e}");
    }
    took
}

// ---- A. The clock ----------------------------------------------------------------------

/// `hecun grid` on the demo roads (81 cells) with the site-score guest `wat` as plugin
/// `name`, under `max_millis = 20`.
fn grid_20ms(name: &str, wat: &str) -> (Output, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        name,
        "site-score",
        "g.wat",
        wat,
        "max_millis = 20",
    );
    let roads = repo().join("gis-data/demo/roads.geojson");
    hecun_timed(
        &[
            "grid",
            "--roads",
            roads.to_str().unwrap(),
            "--cell",
            "5000",
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            "out",
        ],
        dir.path(),
    )
}

#[test]
fn a_guest_that_keeps_moving_its_progress_slot_is_stopped_by_the_batch_deadline() {
    // Writes a new candidate index at every turn of an endless loop: no candidate is ever
    // seen at two ticks in a row, so only the call's deadline (n × max_millis) stops it.
    let wat = guest(
        "(local $i i32)
         (loop $l
           (i32.store (i32.const 16) (i32.and (local.get $i) (i32.const 3)))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br $l))
         (i64.const 0)",
        "",
    );
    let took = every_site_fails("slot-mover", &wat, "max_millis = 20", "ran longer than");
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_batch_whose_guest_keeps_moving_its_slot_ends_by_n_times_max_millis() {
    // `hecun grid` sends its cells in batches (81 here, one call). The slot never shows the
    // same candidate twice, so no candidate is ever over its limit: the call's deadline,
    // about (81 + 1) × 20 ms, stops it, and the run fails naming the plugin and a cell.
    let wat = guest(
        "(local $i i32)
         (loop $l
           (i32.store (i32.const 16) (local.get $i))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br $l))
         (i64.const 0)",
        "",
    );
    let (o, took) = grid_20ms("batch-mover", &wat);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(
        said.contains("plugin \"batch-mover\", candidate \""),
        "{said}"
    );
    assert!(
        said.contains("its call on 81 candidates ran longer than (81 + 1) × 20 ms in all"),
        "{said}"
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_guest_that_fails_each_call_late_on_its_last_candidate_is_bounded_in_all() {
    // Each call: the slot moves for a while (so no candidate is over its limit), then rests
    // on the last candidate, which loops. Each failure reruns the candidates before it, so
    // without a bound on the whole this costs about n²/2 calls' time; with it, 3 × n ×
    // max_millis and one call more.
    let wat = guest(
        "(local $i i32) (local $n i32)
         (local.set $n (call $count (local.get $ptr)))
         (block $done (loop $l
           (br_if $done (i32.ge_u (local.get $i) (i32.const 100000000)))
           (i32.store (i32.const 16) (i32.rem_u (local.get $i) (local.get $n)))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br $l)))
         (i32.store (i32.const 16) (i32.sub (local.get $n) (i32.const 1)))
         (loop $l2 (br $l2))
         (i64.const 0)",
        "",
    );
    let (o, took) = grid_20ms("late-failer", &wat);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(
        said.contains("plugin \"late-failer\", candidate \""),
        "{said}"
    );
    // Usually the bound on the whole stops it; on a loaded machine a rerun may first find a
    // candidate alone over its own limit (its slot rests on it while the loop runs), or a
    // rerun's own call over its deadline ((n + 1) × 20 ms for its n candidates): each is a
    // bound, and the time below is what tells a bound from n²/2 calls (~130 s).
    let call_deadline = said.contains("ran longer than (") && said.contains(" × 20 ms in all");
    assert!(
        said.contains("ran longer than 3 × 81 × 20 ms in all, reruns after its failures included")
            || said.contains("ran longer than its limit of 20 ms")
            || call_deadline,
        "{said}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_start_function_that_loops_is_stopped_at_load() {
    let wat = guest(ANSWER_ALL, "(func $spin (loop $l (br $l))) (start $spin)");
    refused_at_load(
        "loops-at-start",
        &wat,
        "max_millis = 50",
        "ran longer than its limit of 50 ms",
    );
}

#[test]
fn a_module_too_big_to_compile_in_bounded_time_is_refused_before_compiling() {
    // Compiling cannot be stopped by the clock: 100,000 small functions took 16 s. Refused
    // by their count, at once.
    let many: String = (0..20_000)
        .map(|i| format!("(func $f{i} (result i32) i32.const {i})"))
        .collect();
    let (o, took) = {
        let dir = tempfile::tempdir().unwrap();
        let p = plugin(
            dir.path(),
            "many-functions",
            "site-score",
            "g.wat",
            &guest(ANSWER_ALL, &many),
            "",
        );
        score(dir.path(), &p)
    };
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains("plugin \"many-functions\""), "{said}");
    assert!(
        said.contains("functions, more than the 10000 a module may have"),
        "{said}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");

    // One function whose body is larger than a function may be.
    let body = "i32.const 1 drop ".repeat(100_000);
    refused_at_load(
        "huge-function",
        &guest(ANSWER_ALL, &format!("(func $big {body})")),
        "",
        "bytes, more than the 262144 one function may have",
    );
}

#[test]
fn a_version_export_that_loops_is_stopped_at_load() {
    let wat = guest_with(
        ANSWER_ALL,
        "",
        "(loop $l (br $l)) (i32.const 1)",
        "i64.const 0",
    );
    refused_at_load(
        "loops-in-version",
        &wat,
        "max_millis = 50",
        "hecun_abi_version",
    );
}

#[test]
fn an_init_that_loops_moving_its_slot_is_stopped_at_load() {
    let init = "(local $i i32)
        (loop $l
          (i32.store (i32.const 16) (local.get $i))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l))
        (i64.const 0)";
    let wat = guest_with(ANSWER_ALL, "", "i32.const 1", init);
    refused_at_load("loops-in-init", &wat, "max_millis = 50", "hecun_init");
}

#[test]
fn a_candidate_that_loops_fails_alone_and_the_others_are_scored() {
    // A batch whose first site's id ends in 3 loops with the slot on it (sites are scored
    // one by one): S003, S013, S023, S033 fail, the others are answered.
    let wat = guest(
        "(local $id i32)
         (local.set $id (call $first (local.get $ptr)))
         (i32.store (i32.const 16) (i32.const 0))
         (if (i32.eq (i32.load8_u (i32.add (local.get $id)
                        (i32.add (i32.const 3) (i32.load (local.get $id)))))
                     (i32.const 51))
           (then (loop $l (br $l))))
         (call $scored (call $count (local.get $ptr)) (f64.const 1))",
        "",
    );
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "third-loops",
        "site-score",
        "g.wat",
        &wat,
        "max_millis = 50",
    );
    let (o, _) = score(dir.path(), &p);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let rows = csv_rows(&dir.path().join("out/sites_scored.csv"));
    for r in &rows {
        if r["id"].ends_with('3') {
            assert!(
                r["error"].contains("ran longer than its limit of 50 ms"),
                "{r:?}"
            );
            assert!(r["score"].is_empty(), "{r:?}");
        } else {
            assert_eq!(
                (r["error"].as_str(), r["score"].as_str()),
                ("", "1.0"),
                "{r:?}"
            );
        }
    }
    // The terminal names it, not just a count.
    assert!(
        said.contains("plugin error: plugin \"third-loops\", candidate"),
        "{said}"
    );
}

// ---- B. Output sizes -------------------------------------------------------------------

/// A guest whose answer for each candidate is scored with `terms` terms named t0, t1, …
fn many_terms_guest(terms: u32) -> String {
    guest(
        &format!(
            "(local $n i32) (local $i i32) (local $t i32) (local $at i32)
             (local.set $n (call $count (local.get $ptr)))
             (local.set $at (i32.const 4194304))
             (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
               (i32.store8 (local.get $at) (i32.const 0))
               (f64.store (i32.add (local.get $at) (i32.const 1)) (f64.const 1))
               (i32.store (i32.add (local.get $at) (i32.const 9)) (i32.const {terms}))
               (local.set $at (i32.add (local.get $at) (i32.const 13)))
               (local.set $t (i32.const 0))
               (block $tdone (loop $tl
                 (br_if $tdone (i32.ge_u (local.get $t) (i32.const {terms})))
                 (i32.store (local.get $at) (i32.const 1))
                 (i32.store8 (i32.add (local.get $at) (i32.const 4)) (i32.const 116))
                 (f64.store (i32.add (local.get $at) (i32.const 5)) (f64.const 0))
                 (f64.store (i32.add (local.get $at) (i32.const 13)) (f64.const 0))
                 (local.set $at (i32.add (local.get $at) (i32.const 21)))
                 (local.set $t (i32.add (local.get $t) (i32.const 1)))
                 (br $tl)))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br $l)))
             (i64.or (i64.shl (i64.const 4194304) (i64.const 32))
                     (i64.extend_i32_u (i32.sub (local.get $at) (i32.const 4194304))))"
        ),
        "",
    )
}

#[test]
fn a_wasm_answer_with_more_terms_than_max_terms_is_a_named_error() {
    every_site_fails(
        "many-terms",
        &many_terms_guest(50),
        "max_terms = 10",
        "answered 50 terms, more than its limit max_terms = 10",
    );
}

#[test]
fn a_wasm_answer_within_max_terms_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "few-terms",
        "site-score",
        "g.wat",
        &many_terms_guest(10),
        "max_terms = 10",
    );
    let (o, _) = score(dir.path(), &p);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(site_errors(dir.path()).iter().all(String::is_empty));
}

#[test]
fn a_wasm_answer_longer_than_its_memory_allows_is_refused_by_its_length() {
    // (ptr 0, len 0xFFFF_FFFF): refused before a byte is read.
    every_site_fails(
        "huge-length",
        &guest("(i64.const 0xFFFFFFFF)", ""),
        "",
        "more than its limit max_answer_bytes",
    );
}

#[test]
fn a_wasm_answer_over_max_answer_bytes_is_a_named_error() {
    every_site_fails(
        "big-answer",
        &many_terms_guest(100),
        "max_answer_bytes = 1000",
        "max_answer_bytes = 1000",
    );
}

fn rhai_score(dir: &Path, name: &str, script: &str, limits: &str) -> Output {
    let p = plugin(dir, name, "site-score", "s.rhai", script, limits);
    score(dir, &p).0
}

#[test]
fn a_rhai_score_with_more_terms_than_max_terms_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let script = "fn score(site, params) { let s = 0.0; for i in 0..20 { s += term(`t${i}`, 1.0, 1.0); } s }";
    let o = rhai_score(dir.path(), "rhai-terms", script, "max_terms = 5");
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    for e in site_errors(dir.path()) {
        assert!(e.contains("plugin \"rhai-terms\", candidate"), "{e}");
        assert!(
            e.contains("answered 20 terms, more than its limit max_terms = 5"),
            "{e}"
        );
    }
}

#[test]
fn a_rhai_exclusion_with_too_much_evidence_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let script =
        r#"fn score(site, params) { let s = ""; s.pad(5000, "x"); exclude("no", #{ blob: s }) }"#;
    let o = rhai_score(
        dir.path(),
        "rhai-evidence",
        script,
        "max_evidence_bytes = 1000",
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    for e in site_errors(dir.path()) {
        assert!(e.contains("plugin \"rhai-evidence\", candidate"), "{e}");
        assert!(
            e.contains("more than its limit max_evidence_bytes = 1000"),
            "{e}"
        );
    }
}

/// `hecun plugin test` holds answers to the same output limits as a run: a plugin whose own
/// test case expects more terms than its `max_terms` cannot pass its tests and then fail
/// every candidate of a run.
#[test]
fn plugin_test_holds_answers_to_the_output_limits() {
    let dir = tempfile::tempdir().unwrap();
    let script = "fn score(site, params) { let s = 0.0; for i in 0..20 { s += term(`t${i}`, 1.0, 0.05); } s }";
    let case =
        "\n[[tests]]\nname = \"twenty terms\"\ninput = { id = \"S1\" }\nexpect = { score = 1.0 }\n";
    let within = plugin(
        dir.path(),
        "terms-ok",
        "site-score",
        "s.rhai",
        script,
        "max_terms = 20",
    );
    let over = plugin(
        dir.path(),
        "terms-over",
        "site-score",
        "s.rhai",
        script,
        "max_terms = 5",
    );
    for p in [&within, &over] {
        let manifest = p.join("plugin.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, text + case).unwrap();
    }
    let passed = hecun_timed(&["plugin", "test", within.to_str().unwrap()], dir.path()).0;
    assert!(passed.status.success(), "{}", text(&passed));
    let failed = hecun_timed(&["plugin", "test", over.to_str().unwrap()], dir.path()).0;
    assert!(!failed.status.success(), "{}", text(&failed));
    assert!(
        text(&failed).contains("answered 20 terms, more than its limit max_terms = 5"),
        "{}",
        text(&failed)
    );
}

// ---- C. The terminal, exit codes, kinds --------------------------------------------------

#[test]
fn the_terminal_names_three_failed_sites_and_where_the_rest_are() {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "always-fails",
        "site-score",
        "s.rhai",
        "fn score(site, params) { throw \"no data\" }",
        "",
    );
    let (o, _) = score(dir.path(), &p);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert_eq!(
        said.matches("plugin error: plugin \"always-fails\", candidate")
            .count(),
        3,
        "{said}"
    );
    assert!(
        said.contains("more plugin errors: see the error column of sites_scored.csv"),
        "{said}"
    );
}

#[test]
fn check_exits_3_when_the_plugin_fails_on_every_community() {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "launch-fails",
        "launch-check",
        "c.rhai",
        "fn check(c, params) { throw \"broken\" }",
        "",
    );
    let out = dir.path().join("out");
    let (o, _) = hecun_timed(
        &[
            "check",
            demo_plan().to_str().unwrap(),
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        dir.path(),
    );
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(said.contains("launch_checks.csv"), "{said}");
}

/// The demo plan in `dir`, its layers read from the repository, with `slots` for its
/// [checks] and [scoring] tables.
fn plan_with(dir: &Path, slots: &str) -> PathBuf {
    let demo = repo().join("gis-data/demo");
    let text = std::fs::read_to_string(demo.join("plan.toml")).unwrap();
    let head = &text[..text.find("[checks]").unwrap()];
    let head = head.replace(
        "path = \"",
        &format!(
            "path = \"{}/",
            demo.display().to_string().replace('\\', "/")
        ),
    );
    let plan = dir.join("plan.toml");
    std::fs::write(&plan, format!("{head}\n{slots}\n")).unwrap();
    plan
}

#[test]
fn run_exits_3_when_a_plugin_fails_on_every_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "sites-fail",
        "site-score",
        "s.rhai",
        "fn score(site, params) { throw \"broken\" }",
        "",
    );
    let plan = plan_with(
        dir.path(),
        &format!("[scoring]\nsites = \"{}\"\ntop = 2\n", p.display()),
    );
    let (o, _) = hecun_timed(&["run", plan.to_str().unwrap(), "--out", "out"], dir.path());
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains("plugin sites-fail failed on every candidate"),
        "{said}"
    );
}

#[test]
fn a_plugin_of_the_wrong_kind_in_a_plan_slot_is_refused_naming_plan_slot_plugin_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let launch = repo().join("plugins/launch-criteria");
    let site = repo().join("plugins/site-score");
    for (slots, slot, needs, is) in [
        (
            format!("[scoring]\nsites = \"{}\"\n", launch.display()),
            "[scoring] sites",
            "site-score",
            "launch-check",
        ),
        (
            format!("[checks]\nlaunch = \"{}\"\n", site.display()),
            "[checks] launch",
            "launch-check",
            "site-score",
        ),
        (
            format!("[checks]\nstandard = \"{}\"\n", site.display()),
            "[checks] standard",
            "standard-selection",
            "site-score",
        ),
    ] {
        let plan = plan_with(dir.path(), &slots);
        let (o, _) = hecun_timed(&["run", plan.to_str().unwrap(), "--out", "out"], dir.path());
        let said = text(&o);
        assert_eq!(o.status.code(), Some(2), "{said}");
        assert!(said.contains("plan.toml"), "{said}");
        assert!(said.contains(slot), "{said}");
        assert!(said.contains(&format!("needs a {needs} plugin")), "{said}");
        assert!(said.contains(&format!("is a {is} plugin")), "{said}");
    }
    // `hecun score --plugin` with a launch check: refused too.
    let (o, _) = score(dir.path(), &launch);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(2), "{said}");
    assert!(said.contains("needs a site-score plugin"), "{said}");
}

// ---- D. Hostile and broken guests --------------------------------------------------------

#[test]
fn a_guest_that_traps_fails_every_site_naming_the_trap() {
    every_site_fails("traps", &guest("unreachable", ""), "", "trapped");
}

#[test]
fn a_guest_that_panics_says_its_panic_message() {
    let wat = guest(
        "(i32.store (i32.const 100) (i32.const 0x6d6f6f62)) ;; \"boom\"
         (call $panic (i32.const 100) (i32.const 4))
         unreachable",
        r#"(import "hecun" "panic" (func $panic (param i32 i32)))"#,
    );
    every_site_fails("panics", &wat, "", "panicked: boom");
}

#[test]
fn a_guest_without_hecun_run_is_refused_at_load() {
    let wat = guest(ANSWER_ALL, "").replace("(export \"hecun_run\")", "");
    refused_at_load("no-run", &wat, "", "does not export hecun_run");
}

#[test]
fn a_guest_without_its_memory_exported_is_refused_at_load() {
    let wat = guest(ANSWER_ALL, "").replace("(export \"memory\")", "");
    refused_at_load("no-memory", &wat, "", "memory");
}

#[test]
fn a_guest_for_another_abi_is_refused_at_load() {
    let wat = guest_with(ANSWER_ALL, "", "i32.const 2", "i64.const 0");
    refused_at_load("abi-2", &wat, "", "built for ABI 2");
    let wat = guest_with(ANSWER_ALL, "", "i32.const 0", "i64.const 0");
    refused_at_load("abi-0", &wat, "", "built for ABI 0");
}

#[test]
fn a_version_export_of_the_wrong_type_is_refused_at_load() {
    let wat = guest_with(ANSWER_ALL, "", "i32.const 1", "i64.const 0").replace(
        "(func (export \"hecun_abi_version\") (result i32) i32.const 1)",
        "(func (export \"hecun_abi_version\") (result i64) i64.const 1)",
    );
    refused_at_load("version-i64", &wat, "", "hecun_abi_version");
}

#[test]
fn a_guest_importing_an_unknown_host_function_is_refused_at_load() {
    let wat = guest(
        ANSWER_ALL,
        r#"(import "hecun" "read_file" (func (param i32 i32)))"#,
    );
    refused_at_load("unknown-import", &wat, "", "imports hecun.read_file");
}

#[test]
fn a_guest_importing_wasi_is_refused_at_load() {
    let wat = guest(
        ANSWER_ALL,
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
    );
    refused_at_load("wasi", &wat, "", "imports wasi_snapshot_preview1.fd_write");
}

#[test]
fn a_guest_declaring_a_huge_initial_memory_is_refused_at_load() {
    let wat = guest(ANSWER_ALL, "").replace(
        "(memory (export \"memory\") 128)",
        "(memory (export \"memory\") 60000)",
    );
    refused_at_load("huge-memory", &wat, "", "memory limit of 64 MiB");
}

#[test]
fn a_guest_growing_its_memory_past_the_cap_fails_each_site() {
    every_site_fails(
        "grows",
        &guest("(drop (memory.grow (i32.const 2000))) unreachable", ""),
        "max_memory_mb = 16",
        "memory limit of 16 MiB",
    );
}

#[test]
fn a_guest_declaring_a_huge_table_is_refused_at_load() {
    let wat = guest(ANSWER_ALL, "(table 100000000 funcref)");
    refused_at_load("huge-table", &wat, "", "table");
}

#[test]
fn deep_recursion_in_a_guest_is_a_trap_not_a_crash() {
    let wat = guest(
        "(call $down (i32.const 0)) (i64.const 0)",
        "(func $down (param i32) (call $down (i32.add (local.get 0) (i32.const 1))))",
    );
    every_site_fails("recurses", &wat, "", "call stack exhausted");
}

#[test]
fn an_answer_outside_the_guests_memory_is_an_error() {
    // 8 MiB of memory; an answer at 16 MiB.
    every_site_fails(
        "out-of-bounds",
        &guest("(i64.const 0x0100000000000010)", ""),
        "",
        "outside its memory",
    );
}

#[test]
fn an_answer_for_fewer_candidates_than_asked_is_an_error() {
    every_site_fails(
        "too-few",
        &guest(
            "(call $scored (i32.sub (call $count (local.get $ptr)) (i32.const 1)) (f64.const 1))",
            "",
        ),
        "",
        "ends early",
    );
}

#[test]
fn an_answer_for_more_candidates_than_asked_is_an_error() {
    every_site_fails(
        "too-many",
        &guest(
            "(call $scored (i32.add (call $count (local.get $ptr)) (i32.const 1)) (f64.const 1))",
            "",
        ),
        "",
        "bytes more than",
    );
}

#[test]
fn an_unknown_outcome_tag_is_an_error() {
    every_site_fails(
        "bad-tag",
        &guest(
            "(i32.store8 (i32.const 4194304) (i32.const 9)) (i64.const 0x0040000000000001)",
            "",
        ),
        "",
        "outcome 9",
    );
}

/// A guest answering every candidate with a one-term score whose name is `name_bytes`
/// (at most 4 bytes, little-endian in an i32).
fn term_name_guest(name: u32, len: u32) -> String {
    guest(
        &format!(
            "(local $n i32) (local $i i32) (local $at i32)
             (local.set $n (call $count (local.get $ptr)))
             (local.set $at (i32.const 4194304))
             (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
               (i32.store8 (local.get $at) (i32.const 0))
               (f64.store (i32.add (local.get $at) (i32.const 1)) (f64.const 1))
               (i32.store (i32.add (local.get $at) (i32.const 9)) (i32.const 1))
               (i32.store (i32.add (local.get $at) (i32.const 13)) (i32.const {len}))
               (i32.store (i32.add (local.get $at) (i32.const 17)) (i32.const {name}))
               (local.set $at (i32.add (local.get $at) (i32.const {entry})))
               (f64.store (local.get $at) (f64.const 1))
               (f64.store (i32.add (local.get $at) (i32.const 8)) (f64.const 1))
               (local.set $at (i32.add (local.get $at) (i32.const 16)))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br $l)))
             (i64.or (i64.shl (i64.const 4194304) (i64.const 32))
                     (i64.extend_i32_u (i32.sub (local.get $at) (i32.const 4194304))))",
            entry = 17 + len
        ),
        "",
    )
}

#[test]
fn a_term_name_that_is_not_utf8_is_an_error() {
    every_site_fails("not-utf8", &term_name_guest(0xff_fe, 2), "", "not UTF-8");
}

#[test]
fn a_term_name_of_valid_utf8_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "utf8",
        "site-score",
        "g.wat",
        &term_name_guest(0x6261, 2),
        "",
    );
    let (o, _) = score(dir.path(), &p);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = csv_rows(&dir.path().join("out/sites_scored.csv"));
    assert!(rows.iter().all(|r| r["term:ab"] == "1.0"), "{rows:?}");
}

/// A guest excluding every candidate with `evidence` as its evidence text.
fn exclusion_guest(evidence: &str) -> String {
    let mut data = String::new();
    for b in evidence.bytes() {
        data.push_str(&format!("\\{b:02x}"));
    }
    let len = evidence.len();
    guest(
        &format!(
            "(local $n i32) (local $i i32) (local $at i32)
             (local.set $n (call $count (local.get $ptr)))
             (local.set $at (i32.const 4194304))
             (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
               (i32.store8 (local.get $at) (i32.const 1))
               (i32.store (i32.add (local.get $at) (i32.const 1)) (i32.const 1))
               (i32.store8 (i32.add (local.get $at) (i32.const 5)) (i32.const 120))
               (i32.store (i32.add (local.get $at) (i32.const 6)) (i32.const {len}))
               (memory.copy (i32.add (local.get $at) (i32.const 10)) (i32.const 200) (i32.const {len}))
               (local.set $at (i32.add (local.get $at) (i32.const {entry})))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br $l)))
             (i64.or (i64.shl (i64.const 4194304) (i64.const 32))
                     (i64.extend_i32_u (i32.sub (local.get $at) (i32.const 4194304))))",
            entry = 10 + len
        ),
        "",
    )
    .replace(
        "(memory (export \"memory\") 128)",
        &format!("(memory (export \"memory\") 128) (data (i32.const 200) \"{data}\")"),
    )
}

#[test]
fn evidence_that_is_not_json_is_an_error() {
    every_site_fails(
        "bad-json",
        &exclusion_guest("{not json"),
        "",
        "not a JSON object",
    );
}

#[test]
fn evidence_over_max_evidence_bytes_from_a_guest_is_a_named_error() {
    let big = format!("{{\"k\":\"{}\"}}", "x".repeat(300));
    every_site_fails(
        "big-evidence",
        &exclusion_guest(&big),
        "max_evidence_bytes = 100",
        "more than its limit max_evidence_bytes = 100",
    );
}

#[test]
fn a_nan_or_infinite_score_is_an_error_not_a_rank() {
    for (name, value) in [("nan", "nan"), ("inf", "inf"), ("minus-inf", "-inf")] {
        let wat = guest(
            &format!("(call $scored (call $count (local.get $ptr)) (f64.const {value}))"),
            "",
        );
        every_site_fails(name, &wat, "", "not a finite number");
    }
}

#[test]
fn an_init_answer_outside_memory_is_refused_at_load() {
    let wat = guest_with(
        ANSWER_ALL,
        "",
        "i32.const 1",
        "i64.const 0x0100000000000010",
    );
    refused_at_load("init-oob", &wat, "", "hecun_init");
}

#[test]
fn an_init_that_traps_is_refused_at_load() {
    let wat = guest_with(ANSWER_ALL, "", "i32.const 1", "unreachable");
    refused_at_load("init-traps", &wat, "", "trapped");
}

#[test]
fn an_alloc_returning_a_pointer_outside_memory_fails_each_site() {
    let wat = guest(ANSWER_ALL, "").replace(
        "(func (export \"hecun_alloc\") (param i32) (result i32) i32.const 65536)",
        "(func (export \"hecun_alloc\") (param i32) (result i32) i32.const -16)",
    );
    // hecun_init's parameters are written through it at load already.
    refused_at_load("bad-alloc", &wat, "", "hecun_alloc returned");
}

#[test]
fn a_helper_called_for_a_candidate_outside_the_batch_is_an_error() {
    let wat = guest(
        "(drop (call $has_geometry (i32.const 100000))) (i64.const 0)",
        r#"(import "hecun" "has_geometry" (func $has_geometry (param i32) (result i32)))"#,
    );
    every_site_fails(
        "bad-index",
        &wat,
        "",
        "called has_geometry for candidate #100000",
    );
}

#[test]
fn a_well_behaved_guest_scores_every_site() {
    // The harness itself: the template answers correctly, so the failures above are the
    // cases', not the template's.
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "fine",
        "site-score",
        "g.wat",
        &guest(ANSWER_ALL, ""),
        "",
    );
    let (o, _) = score(dir.path(), &p);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = csv_rows(&dir.path().join("out/sites_scored.csv"));
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["score"] == "1.0" && r["error"].is_empty()),
        "{rows:?}"
    );
}

/// A guest that answers every candidate with the same `entry` bytes (of any kind).
fn fixed_answer_guest(entry: &[u8]) -> String {
    let data: String = entry.iter().map(|b| format!("\\{b:02x}")).collect();
    let len = entry.len();
    guest(
        &format!(
            "(local $n i32) (local $i i32) (local $at i32)
             (local.set $n (call $count (local.get $ptr)))
             (local.set $at (i32.const 4194304))
             (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
               (memory.copy (local.get $at) (i32.const 200) (i32.const {len}))
               (local.set $at (i32.add (local.get $at) (i32.const {len})))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br $l)))
             (i64.or (i64.shl (i64.const 4194304) (i64.const 32))
                     (i64.extend_i32_u (i32.sub (local.get $at) (i32.const 4194304))))"
        ),
        "",
    )
    .replace(
        "(memory (export \"memory\") 128)",
        &format!("(memory (export \"memory\") 128) (data (i32.const 200) \"{data}\")"),
    )
}

#[test]
fn an_answer_of_the_wrong_kind_is_an_error() {
    // Findings (a launch check's answer) where a site score was asked for.
    every_site_fails(
        "wrong-answer",
        &fixed_answer_guest(&[2, 0, 0, 0, 0]),
        "",
        "answered a list of findings where a score or an exclusion was asked for",
    );
}

#[test]
fn evidence_that_is_json_but_not_an_object_is_an_error() {
    every_site_fails(
        "array-evidence",
        &exclusion_guest("[1,2]"),
        "",
        "not a JSON object",
    );
}

#[test]
fn a_launch_check_guest_failing_every_community_exits_3_naming_them() {
    // Outcome 4: the candidate's own error, "oops".
    let mut entry = vec![4, 4, 0, 0, 0];
    entry.extend(b"oops");
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "launch-oops",
        "launch-check",
        "g.wat",
        &fixed_answer_guest(&entry),
        "",
    );
    let (o, _) = hecun_timed(
        &[
            "check",
            demo_plan().to_str().unwrap(),
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            "out",
        ],
        dir.path(),
    );
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert_eq!(
        said.matches("plugin error: plugin \"launch-oops\", candidate")
            .count(),
        3,
        "{said}"
    );
    assert!(said.contains(": oops"), "{said}");
    assert!(
        said.contains("see the error column of launch_checks.csv"),
        "{said}"
    );
    let rows = csv_rows(&dir.path().join("out/launch_checks.csv"));
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r["error"].ends_with("oops")),
        "{rows:?}"
    );
}

#[test]
fn a_launch_check_guest_that_loops_on_every_community_is_stopped() {
    let wat = guest("(loop $l (br $l)) (i64.const 0)", "");
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "launch-loops",
        "launch-check",
        "g.wat",
        &wat,
        "max_millis = 20",
    );
    let (o, took) = hecun_timed(
        &[
            "check",
            demo_plan().to_str().unwrap(),
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            "out",
        ],
        dir.path(),
    );
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains("ran longer than its limit of 20 ms"),
        "{said}"
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_helper_imported_with_the_wrong_signature_is_refused_at_load() {
    let wat = guest(
        ANSWER_ALL,
        r#"(import "hecun" "distance_to" (func (param i32)))"#,
    );
    refused_at_load("wrong-signature", &wat, "", "incompatible import type");
}

#[test]
fn a_guest_importing_its_memory_is_refused_at_load() {
    let wat = guest(ANSWER_ALL, r#"(import "env" "memory" (memory 1))"#)
        .replace("(memory (export \"memory\") 128)", "");
    refused_at_load("memory-import", &wat, "", "env");
}

#[test]
fn a_guest_with_two_memories_is_refused_at_load() {
    let wat = guest(ANSWER_ALL, "(memory 1)");
    refused_at_load("two-memories", &wat, "", "memory count");
}

#[test]
fn a_progress_slot_outside_memory_or_of_the_wrong_type_still_leaves_the_clock_on() {
    for (name, slot) in [
        (
            "slot-outside",
            "(global (export \"hecun_progress\") i32 (i32.const -4))",
        ),
        (
            "slot-i64",
            "(global (export \"hecun_progress\") i64 (i64.const 16))",
        ),
    ] {
        let wat = guest("(loop $l (br $l)) (i64.const 0)", "").replace(
            "(global (export \"hecun_progress\") i32 (i32.const 16))",
            slot,
        );
        let took = every_site_fails(name, &wat, "max_millis = 20", "ran longer than");
        assert!(took < Duration::from_secs(30), "{name} took {took:?}");
    }
}

#[test]
fn a_rhai_launch_check_with_too_much_evidence_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = plugin(
        dir.path(),
        "rhai-findings",
        "launch-check",
        "c.rhai",
        r#"fn check(community, params) { let s = ""; s.pad(3000, "x"); [fail("a", "r", #{ blob: s })] }"#,
        "max_evidence_bytes = 1000",
    );
    let (o, _) = hecun_timed(
        &[
            "check",
            demo_plan().to_str().unwrap(),
            "--plugin",
            p.to_str().unwrap(),
            "--out",
            "out",
        ],
        dir.path(),
    );
    let said = text(&o);
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains("plugin error: plugin \"rhai-findings\", candidate")
            && said.contains("more than its limit max_evidence_bytes = 1000"),
        "{said}"
    );
}
