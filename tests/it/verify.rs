//! `hecun verify` (issue 15, "the audit trail proves a delivered folder"): a delivered folder
//! against its run manifest — a CSV edited by one byte, a file deleted, a file added are each
//! named, and `hecun replay` names them too; the manifest names the build, with the SHA-256 of
//! the very binary that ran (hashed here by coreutils' `sha256sum`, not by hecun).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{hecun, repo, stderr};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sha256sum(path: &Path) -> String {
    let o = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// Runs the demo plan into `dir/out`.
fn run_demo(dir: &Path) -> PathBuf {
    let plan = repo().join("gis-data/demo/plan.toml");
    let o = hecun(
        &["run", plan.to_str().unwrap(), "--out", "out", "--quiet"],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join("out")
}

/// The commit git reports for the repository the binary was built from, when git can tell
/// (the build script's rule: this workspace must be the repository's top folder).
fn git_head() -> Option<String> {
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(repo())
            .output()
            .ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != repo().canonicalize().unwrap() {
        return None;
    }
    git(&["rev-parse", "HEAD"])
}

#[test]
fn a_folder_as_written_verifies_and_each_edit_after_the_run_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_demo(tmp.path());

    let o = hecun(&["verify", "out", "--lang", "en"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run_manifest.json")).unwrap())
            .unwrap();
    let outputs = manifest["outputs"].as_array().unwrap().len();
    assert!(
        stdout(&o).contains(&format!("all {outputs} outputs as the run wrote them")),
        "{}",
        stdout(&o)
    );
    // The inputs (the repository's demo, by absolute path) are there and unchanged.
    assert!(stdout(&o).contains("inputs: all"), "{}", stdout(&o));
    // The default language is the plan's.
    let o = hecun(&["verify", "out"], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("均与运行清单一致"), "{}", stdout(&o));

    // One byte of a table changed (a count raised by one, as a hand edit would).
    let csv = out.join("affected_villages.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    let at = bytes.iter().rposition(u8::is_ascii_digit).unwrap();
    bytes[at] = if bytes[at] == b'9' {
        b'8'
    } else {
        bytes[at] + 1
    };
    std::fs::write(&csv, &bytes).unwrap();
    let o = hecun(&["verify", "out", "--lang", "en"], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.contains("changed: affected_villages.csv"), "{text}");
    assert!(text.contains("1 differences"), "{text}");

    // A file deleted and one added: each named, with the edit still there.
    std::fs::remove_file(out.join("report.html")).unwrap();
    std::fs::write(out.join("notes.txt"), "added after the run\n").unwrap();
    let o = hecun(&["verify", "out", "--lang", "en"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let findings: Vec<&str> = text.lines().filter(|l| !l.contains("out:")).collect();
    assert!(
        findings.contains(&"changed: affected_villages.csv"),
        "{text}"
    );
    assert!(findings.contains(&"missing: report.html"), "{text}");
    assert!(
        findings.contains(&"extra (not in the run manifest): notes.txt"),
        "{text}"
    );
    assert!(text.contains("3 differences"), "{text}");
    // In Chinese, the same files.
    let text = stdout(&hecun(&["verify", "out"], tmp.path()));
    assert!(text.contains("已改动：affected_villages.csv"), "{text}");
    assert!(text.contains("缺失：report.html"), "{text}");
    assert!(text.contains("notes.txt"), "{text}");
    // As JSON, with the hashes.
    let o = hecun(&["verify", "out", "--json"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changed = v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "changed")
        .unwrap();
    assert_eq!(changed["path"], "affected_villages.csv");
    assert_eq!(changed["now"], sha256sum(&csv));

    // A replay reproduces the run, and still names what was edited in the folder.
    let o = hecun(
        &["replay", "out/run_manifest.json", "--out", "again"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("affected_villages.csv"), "{err}");
    assert!(
        err.contains("report.html") && err.contains("notes.txt"),
        "{err}"
    );
    assert!(stdout(&o).contains("identical"), "{}", stdout(&o));
    // The rerun is a folder as written.
    let o = hecun(&["verify", "again"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn the_manifest_and_the_report_name_the_build_that_ran() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_demo(tmp.path());
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run_manifest.json")).unwrap())
            .unwrap();
    let build = &manifest["build"];
    assert_eq!(build["version"], env!("CARGO_PKG_VERSION"));
    // The SHA-256 of the binary that ran, hashed by coreutils.
    assert_eq!(
        build["binary_sha256"],
        sha256sum(Path::new(env!("CARGO_BIN_EXE_hecun")))
    );
    let commit = build["commit"].as_str().unwrap();
    match (std::env::var("HECUN_BUILD_COMMIT"), git_head()) {
        (Ok(stated), _) if !stated.trim().is_empty() => assert_eq!(commit, stated.trim()),
        // Built from this checkout: its commit (maybe -dirty: the build saw edits).
        (_, Some(head)) => assert!(
            commit == head || commit == format!("{head}-dirty"),
            "{commit} vs {head}"
        ),
        (_, None) => assert_eq!(commit, "unknown"),
    }
    let features: Vec<&str> = build["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for on in ["rhai", "wasm", "parquet"]
        .into_iter()
        .chain(cfg!(feature = "proj").then_some("proj"))
        .chain(cfg!(feature = "gdal").then_some("gdal"))
    {
        assert!(features.contains(&on), "{on} not in {features:?}");
    }
    for f in &features {
        assert!(
            ["rhai", "wasm", "parquet", "proj", "gdal"].contains(f),
            "{f}"
        );
    }

    // The report names the build: the same line in report.html, summary.txt and report.json.
    let short = &commit[..commit.len().min(7)];
    let dirty = if commit.ends_with("-dirty") {
        "-dirty"
    } else {
        ""
    };
    let short = if commit == "unknown" {
        "unknown".to_owned()
    } else {
        format!("{short}{dirty}")
    };
    // The demo's pages are in Chinese: the same facts in its words.
    let line = format!(
        "hecun {}（代码提交 {short}，功能：{}）",
        env!("CARGO_PKG_VERSION"),
        features.join("、")
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&line), "{line}");
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(summary.trim_end().ends_with(&line), "{line}\n{summary}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["build"]["commit"], commit);
    assert_eq!(report["build"]["features"], build["features"]);
    // The report names the build, not the file: no program hash in it.
    assert!(report["build"].get("binary_sha256").is_none());
}

/// A replay by another build says so, and the report files that differ only in the build
/// they name are not taken for different results.
#[test]
fn a_replay_by_another_build_warns_and_compares_the_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_demo(tmp.path());
    // The run as another build would have recorded it: its commit in the manifest and in the
    // report files' build lines, their hashes recorded anew.
    let path = out.join("run_manifest.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let commit = manifest["build"]["commit"].as_str().unwrap().to_owned();
    let other = "0123456789abcdef0123456789abcdef01234567";
    manifest["build"]["commit"] = other.into();
    let short = |c: &str| {
        if c == "unknown" {
            "unknown".to_owned()
        } else {
            format!(
                "{}{}",
                &c[..7],
                if c.ends_with("-dirty") { "-dirty" } else { "" }
            )
        }
    };
    for name in ["summary.txt", "report.html", "report.json"] {
        let file = out.join(name);
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace(&format!("commit {}", short(&commit)), "commit 0123456")
            .replace(
                &format!("\"commit\": \"{commit}\""),
                &format!("\"commit\": \"{other}\""),
            );
        std::fs::write(&file, &text).unwrap();
        let entry = manifest["outputs"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|o| o["path"] == name)
            .unwrap();
        entry["sha256"] = sha256sum(&file).into();
        entry["bytes"] = text.len().into();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let o = hecun(&["verify", "out"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    let o = hecun(
        &["replay", "out/run_manifest.json", "--out", "again"],
        tmp.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // zh-CN, the run's language.
    assert!(
        err.contains("运行时的程序版本与当前不同") && err.contains(other),
        "{err}"
    );
    assert!(err.contains("differ only in the build they name"), "{err}");
    // A real difference is still one: a table of the recorded run edited (and re-recorded).
    let csv = out.join("townships.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push('\n');
    std::fs::write(&csv, &text).unwrap();
    for entry in manifest["outputs"].as_array_mut().unwrap() {
        if entry["path"] == "townships.csv" {
            entry["sha256"] = sha256sum(&csv).into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let o = hecun(
        &["replay", "out/run_manifest.json", "--out", "again"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("townships.csv differs"),
        "{}",
        stderr(&o)
    );
}

/// An input changed after the run: a warning, the folder still verifies; with `--inputs`, a
/// failure naming the input and its role.
#[test]
fn a_changed_input_is_a_warning_unless_inputs_are_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    crate::run_report::copy_demo(tmp.path());
    let o = hecun(
        &["run", "gis-data/demo/plan.toml", "--out", "out", "--quiet"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let villages = tmp.path().join("gis-data/demo/villages.geojson");
    let mut text = std::fs::read_to_string(&villages).unwrap();
    text.push(' ');
    std::fs::write(&villages, text).unwrap();

    let o = hecun(&["verify", "out", "--lang", "en"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: input changed (villages): gis-data/demo/villages.geojson"),
        "{err}"
    );
    let o = hecun(&["verify", "out", "--inputs", "--lang", "en"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("input changed (villages): gis-data/demo/villages.geojson"),
        "{}",
        stdout(&o)
    );
    // Verified from anywhere: the inputs are found from the run's working folder.
    let o = hecun(
        &[
            "verify",
            tmp.path().join("out").to_str().unwrap(),
            "--inputs",
        ],
        Path::new("/"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("villages.geojson"), "{}", stdout(&o));
    // No manifest: bad usage, exit code 2.
    let o = hecun(&["verify", "gis-data"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("run_manifest.json"), "{}", stderr(&o));
}
