//! `hecun run` as a planner uses it before a review meeting: the summary against the per-step
//! tables, the run manifest against the files (hashed by coreutils' `sha256sum`, not by
//! hecun), byte-identical reruns and replays, exit codes, `--json`, scenarios (`hecun diff`,
//! `--sweep`) against separate runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{csv_rows, hecun, repo, stderr};

fn demo_plan() -> String {
    repo()
        .join("gis-data/demo/plan.toml")
        .to_str()
        .unwrap()
        .to_owned()
}

/// Runs the demo plan into `dir/name` with `extra` flags; panics unless it succeeds.
fn run_demo(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let plan = demo_plan();
    let mut args = vec!["run", plan.as_str(), "--out", name, "--quiet"];
    args.extend_from_slice(extra);
    let o = hecun(&args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(name)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> u64 {
    row[col].parse().unwrap()
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

/// The files of an output folder, by name (the marker aside).
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".hecun-output")
        .collect()
}

#[test]
fn the_summary_agrees_with_the_per_step_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_demo(tmp.path(), "out", &[]);
    let report = json(&out.join("report.json"));
    let totals = &report["totals"];

    let villages = csv_rows(&out.join("affected_villages.csv"));
    assert_eq!(totals["affected"]["villages"], villages.len());
    let sum = |rows: &[BTreeMap<String, String>], col: &str| -> u64 {
        rows.iter().map(|r| num(r, col)).sum()
    };
    assert_eq!(
        totals["affected"]["households"],
        sum(&villages, "households")
    );
    assert_eq!(
        totals["affected"]["population"],
        sum(&villages, "population")
    );

    // Per township, from townships.csv and from the village rows themselves.
    let townships = csv_rows(&out.join("townships.csv"));
    let rows = report["townships"].as_array().unwrap();
    for t in &townships {
        let r = rows
            .iter()
            .find(|r| r["township"] == t["township"].as_str())
            .unwrap_or_else(|| panic!("township {} missing", t["township"]));
        assert_eq!(r["affected"]["villages"], num(t, "villages"));
        assert_eq!(r["affected"]["households"], num(t, "households"));
        assert_eq!(r["affected"]["population"], num(t, "population"));
        assert_eq!(r["villages_in_layer"], num(t, "villages_in_layer"));
        let mine: Vec<_> = villages
            .iter()
            .filter(|v| v["township"] == t["township"])
            .collect();
        assert_eq!(mine.len() as u64, num(t, "villages"));
    }

    // Per zone class.
    for c in csv_rows(&out.join("zone_classes.csv")) {
        let r = report["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["class"] == c["class"].as_str())
            .unwrap();
        assert_eq!(r["affected"]["households"], num(&c, "households"));
        assert_eq!(r["zones"], num(&c, "zones"));
    }

    // Launch status per community, and per township.
    let launch = csv_rows(&out.join("launch_checks.csv"));
    assert_eq!(totals["communities"], launch.len());
    let count = |s: &str| launch.iter().filter(|r| r["status"] == s).count();
    assert_eq!(totals["launched"], count("pass"));
    assert_eq!(totals["blocked"], count("fail"));
    assert_eq!(totals["vetoed"], count("veto"));
    assert!(
        count("veto") > 0 && count("fail") > 0 && count("pass") > 0,
        "the demo shows all three"
    );
    for c in report["communities"].as_array().unwrap() {
        let row = launch
            .iter()
            .find(|r| r["community"] == c["name"].as_str().unwrap())
            .unwrap();
        let status = c["launch"]["status"].as_str().unwrap();
        let expected = match row["status"].as_str() {
            "pass" => "launched",
            "fail" => "blocked",
            "veto" => "vetoed",
            other => panic!("{other}"),
        };
        assert_eq!(status, expected, "{}", row["community"]);
        // Every failed criterion and veto of the table is explained in the report.
        let criteria: BTreeSet<&str> = c["launch"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["criterion"].as_str().unwrap())
            .collect();
        for col in ["failed", "vetoes"] {
            for k in row[col].split(';').filter(|k| !k.is_empty()) {
                assert!(criteria.contains(k), "{}: {k}", row["community"]);
            }
        }
        assert_eq!(
            c["villages"].as_array().unwrap().len() as u64,
            num(row, "villages")
        );
    }

    // The chosen sites of sites_scored.csv, per township.
    let sites = csv_rows(&out.join("sites_scored.csv"));
    let mut chosen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in sites.iter().filter(|s| s["chosen"] == "yes") {
        chosen
            .entry(s["township"].clone())
            .or_default()
            .insert(s["name"].clone());
    }
    assert!(!chosen.is_empty());
    // Demonstration communities (示范社区): as the whole plan chose them, per township.
    let mut demonstration: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in csv_rows(&out.join("communities.csv"))
        .iter()
        .filter(|c| c["demonstration"] == "true")
    {
        assert_ne!(
            c["launch"], "veto",
            "a vetoed demonstration community: {c:?}"
        );
        demonstration
            .entry(c["township"].clone())
            .or_default()
            .insert(c["name"].clone());
    }
    assert!(!demonstration.is_empty());
    for r in rows {
        let demo: BTreeSet<String> = r["demonstration"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
        let expected = demonstration
            .get(r["township"].as_str().unwrap())
            .cloned()
            .unwrap_or_default();
        assert_eq!(demo, expected, "{}", r["township"]);
    }
    assert_eq!(
        totals["sites_chosen"],
        chosen.values().map(BTreeSet::len).sum::<usize>()
    );

    // The text summary says the same numbers.
    let text = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(
        text.contains(&format!("涉及行政村 {} 个", totals["affected"]["villages"])),
        "{text}"
    );
    assert!(
        text.contains(&format!("一票否决 {}", totals["vetoed"])),
        "{text}"
    );

    // It says what failed for each blocked or vetoed community (issue 15: never a criterion's
    // title after the verdict, which reads as its opposite): the failure wordings the launch
    // plugin's manifest declares, in its order (the CSV keeps the ids, sorted); a veto names
    // the villages, which are the community's villages whose 强制拆迁 is true in the layer.
    let manifest: toml::Table =
        std::fs::read_to_string(repo().join("plugins/launch-criteria/plugin.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let declared: Vec<(&str, &str)> = manifest["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["failed"]["zh-CN"].as_str().unwrap(),
            )
        })
        .collect();
    let layer = json(&repo().join("gis-data/demo/villages.geojson"));
    let forced: BTreeSet<&str> = layer["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["强制拆迁"] == true)
        .map(|f| f["properties"]["统计用区划代码"].as_str().unwrap())
        .collect();
    let mut vetoes_seen = 0;
    for row in &launch {
        let (word, col) = match row["status"].as_str() {
            "fail" => ("暂缓", "failed"),
            "veto" => ("一票否决", "vetoes"),
            _ => continue,
        };
        let ids: BTreeSet<&str> = row[col].split(';').collect();
        let failures: Vec<&str> = declared
            .iter()
            .filter(|(id, _)| ids.contains(id))
            .map(|(_, failed)| *failed)
            .collect();
        assert_eq!(
            failures.len(),
            ids.len(),
            "{}: {ids:?} all declared",
            row["community"]
        );
        let line = if word == "暂缓" {
            format!("  {}: 暂缓（{}）\n", row["community"], failures.join("；"))
        } else {
            vetoes_seen += 1;
            assert_eq!(failures, ["存在强制拆迁"]);
            let villages: Vec<&str> = row["village_ids"]
                .split(';')
                .filter(|v| forced.contains(v))
                .collect();
            assert!(!villages.is_empty(), "{}", row["community"]);
            let named = villages[..villages.len().min(3)].join("、");
            let more = if villages.len() > 3 {
                format!(" 等 {} 个", villages.len())
            } else {
                String::new()
            };
            format!(
                "  {}: 一票否决：存在强制拆迁（村 {named}{more}）\n",
                row["community"]
            )
        };
        assert!(text.contains(&line), "{line}\n{text}");
    }
    assert!(vetoes_seen > 0);
    // And never the title after the verdict.
    assert!(!text.contains("一票否决 (无强制拆迁"), "{text}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("一票否决</span>：存在强制拆迁（村 "),
        "the page says the same"
    );
    assert!(!html.contains("否决</span>：无强制拆迁"));
    assert!(!html.contains("暂缓</span>：方案经群众认可"));
}

#[test]
fn the_manifest_hashes_every_input_and_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_demo(tmp.path(), "out", &[]);
    let m = json(&out.join("run_manifest.json"));
    assert_eq!(m["tool"]["name"], "hecun");
    assert_eq!(m["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let plan = &m["plan"];
    assert_eq!(plan["sha256"], sha256sum(Path::new(&demo_plan())));
    let inputs = m["inputs"].as_array().unwrap();
    let roles: BTreeSet<&str> = inputs.iter().map(|i| i["role"].as_str().unwrap()).collect();
    for role in [
        "villages",
        "roads",
        "corridors",
        "townships",
        "sites",
        "zoning",
    ] {
        assert!(roles.contains(role), "{role} missing from {roles:?}");
    }
    for f in inputs.iter().chain(
        m["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["files"].as_array().unwrap()),
    ) {
        let path = tmp.path().join(f["path"].as_str().unwrap());
        assert_eq!(f["sha256"], sha256sum(&path), "{}", path.display());
        assert_eq!(f["bytes"], std::fs::metadata(&path).unwrap().len());
    }
    let plugins = m["plugins"].as_array().unwrap();
    assert_eq!(plugins.len(), 3);
    for p in plugins {
        assert!(p["limits"]["max_operations"].as_u64().unwrap() > 0);
        assert!(p["params"].is_object());
    }
    // Every output but the manifest itself, each with its hash.
    let outputs: BTreeSet<String> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let name = o["path"].as_str().unwrap();
            assert_eq!(o["sha256"], sha256sum(&out.join(name)), "{name}");
            name.to_owned()
        })
        .collect();
    let mut expected = files(&out);
    expected.remove("run_manifest.json");
    assert_eq!(outputs, expected);
    assert_eq!(m["counts"], json(&out.join("report.json"))["totals"]);
    assert!(m["timings_s"]["total"].as_f64().unwrap() > 0.0);
}

/// The manifest without its timings: what must be identical between reruns.
fn manifest_without_timings(dir: &Path) -> Value {
    let mut m = json(&dir.join("run_manifest.json"));
    m.as_object_mut().unwrap().remove("timings_s");
    m
}

#[test]
fn reruns_and_replays_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_demo(tmp.path(), "a", &["--sweep", "ring=50..150/50"]);
    let b = run_demo(tmp.path(), "b", &["--sweep", "ring=50..150/50"]);
    assert_eq!(files(&a), files(&b));
    for f in files(&a) {
        if f == "run_manifest.json" {
            continue;
        }
        let (x, y) = (
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs");
    }
    assert_eq!(manifest_without_timings(&a), manifest_without_timings(&b));

    let o = hecun(&["replay", "a/run_manifest.json", "--out", "c"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("identical"));
    for f in files(&a) {
        if f != "run_manifest.json" {
            assert!(
                std::fs::read(a.join(&f)).unwrap()
                    == std::fs::read(tmp.path().join("c").join(&f)).unwrap(),
                "{f} differs after replay"
            );
        }
    }
    assert_eq!(
        manifest_without_timings(&a),
        manifest_without_timings(&tmp.path().join("c"))
    );
}

/// A run with `--shapefile GBK` replays to the same bytes: the manifest records the option
/// and every Shapefile's SHA-256, and the replay checks each.
#[test]
fn a_run_with_shapefiles_replays_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_demo(tmp.path(), "a", &["--shapefile", "GBK"]);
    let manifest = std::fs::read_to_string(a.join("run_manifest.json")).unwrap();
    assert!(
        manifest.contains("\"shapefile\": \"GBK\""),
        "{manifest:.3000}"
    );
    assert!(
        manifest.contains("shapefile/affected_villages.dbf"),
        "{manifest:.3000}"
    );
    let o = hecun(&["replay", "a/run_manifest.json", "--out", "c"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("identical"));
    assert!(
        std::fs::read(a.join("shapefile/zones.shp")).unwrap()
            == std::fs::read(tmp.path().join("c/shapefile/zones.shp")).unwrap()
    );
}

/// The same bytes on one thread and on several: no output depends on how rayon splits the
/// work (the demo with its launch, site and standard plugins, and a sweep).
#[test]
fn one_thread_and_four_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo_plan();
    for (threads, out) in [("1", "one"), ("4", "four")] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_hecun"))
            .args(["run", plan.as_str(), "--out", out, "--quiet", "--timings"])
            .args(["--sweep", "ring=50..150/50"])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        // --timings reports the threads really used, not the machine's cores.
        assert!(
            stderr(&o).contains(&format!("threads={threads}")),
            "{}",
            stderr(&o)
        );
    }
    let (a, b) = (tmp.path().join("one"), tmp.path().join("four"));
    assert_eq!(files(&a), files(&b));
    for f in files(&a) {
        if f != "run_manifest.json" {
            let same = std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap();
            assert!(same, "{f} differs between 1 and 4 threads");
        }
    }
    assert_eq!(manifest_without_timings(&a), manifest_without_timings(&b));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "wasm" {
                copy_dir(&e.path(), &target);
            }
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of the demo and the plugins it runs under `dir`, laid out as in the repository.
pub(crate) fn copy_demo(dir: &Path) {
    copy_dir(&repo().join("gis-data/demo"), &dir.join("gis-data/demo"));
    for plugin in ["launch-criteria", "planning-standard", "site-score"] {
        copy_dir(
            &repo().join("plugins").join(plugin),
            &dir.join("plugins").join(plugin),
        );
    }
}

#[test]
fn replay_refuses_inputs_that_changed() {
    // A copy of the demo and its plugins, so that a layer can be edited.
    let tmp = tempfile::tempdir().unwrap();
    copy_demo(tmp.path());
    let o = hecun(
        &["run", "gis-data/demo/plan.toml", "--out", "a", "--quiet"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let villages = tmp.path().join("gis-data/demo/villages.geojson");
    let mut text = std::fs::read_to_string(&villages).unwrap();
    text.push(' ');
    std::fs::write(&villages, text).unwrap();
    let o = hecun(&["replay", "a/run_manifest.json", "--out", "c"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("villages.geojson") && err.contains("changed since the run"),
        "{err}"
    );
    assert!(!tmp.path().join("c").exists(), "nothing written");
}

#[test]
fn a_replay_works_from_any_folder_and_after_the_project_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    copy_demo(&project);
    let o = hecun(
        &["run", "gis-data/demo/plan.toml", "--out", "out", "--quiet"],
        &project,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let m = json(&project.join("out/run_manifest.json"));
    assert_eq!(m["working_folder"], "..");
    assert_eq!(m["plan"]["path"], "gis-data/demo/plan.toml");

    let replayed_identical = |cwd: &Path, manifest: &str, out: &str, outputs_of: &Path| {
        let o = hecun(&["replay", manifest, "--out", out], cwd);
        assert!(
            o.status.success(),
            "{manifest} from {}: {}",
            cwd.display(),
            stderr(&o)
        );
        // --out is relative to where replay is run, not to the run's working folder.
        let out = cwd.join(out);
        for f in files(outputs_of) {
            if f != "run_manifest.json" {
                assert!(
                    std::fs::read(outputs_of.join(&f)).unwrap()
                        == std::fs::read(out.join(&f)).unwrap(),
                    "{f} differs after replay from {}",
                    cwd.display()
                );
            }
        }
    };
    // From another folder.
    replayed_identical(
        tmp.path(),
        "project/out/run_manifest.json",
        "c1",
        &project.join("out"),
    );
    // From inside the output folder, after the project (with it) moved.
    let moved = tmp.path().join("moved");
    std::fs::rename(&project, &moved).unwrap();
    replayed_identical(
        &moved.join("out"),
        "run_manifest.json",
        "../c2",
        &moved.join("out"),
    );
    assert!(moved.join("c2/report.html").is_file());
}

#[test]
fn a_diff_of_rule_versions_names_the_communities_and_criteria_that_changed() {
    // Two runs of a copy of the demo: as shipped, then with the planning standard's minimum
    // population raised, as a planner trying a stricter local rule would.
    let tmp = tempfile::tempdir().unwrap();
    copy_demo(tmp.path());
    let run = |out: &str| {
        let o = hecun(
            &["run", "gis-data/demo/plan.toml", "--out", out, "--quiet"],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        csv_rows(&tmp.path().join(out).join("standards.csv"))
    };
    let before = run("a");
    let manifest = tmp.path().join("plugins/planning-standard/plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("\nmin_population = 2000\n"));
    std::fs::write(
        &manifest,
        text.replace("\nmin_population = 2000\n", "\nmin_population = 10000\n"),
    )
    .unwrap();
    let after = run("b");

    // The oracle: the two runs' standards.csv, community by community.
    let failed = |rows: &[BTreeMap<String, String>], community: &str| -> BTreeSet<String> {
        let row = rows.iter().find(|r| r["community"] == community).unwrap();
        row["failed"]
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut expected: Vec<String> = Vec::new();
    for row in &before {
        let c = row["community"].as_str();
        let status = |rows: &[BTreeMap<String, String>]| {
            rows.iter().find(|r| r["community"] == c).unwrap()["status"].clone()
        };
        if status(&before) == "pass" && status(&after) == "fail" {
            let new: Vec<String> = failed(&after, c)
                .difference(&failed(&before, c))
                .cloned()
                .collect();
            assert_eq!(new, ["min_population"], "{c}");
            expected.push(format!(
                "  {c}: 规划标准 达标 → 未达标，新增问题（人口规模低于下限）\n"
            ));
        } else {
            assert_eq!(
                status(&before),
                status(&after),
                "{c}: only pass → fail is possible"
            );
        }
    }
    assert!(
        !expected.is_empty(),
        "a stricter minimum fails some communities"
    );

    let o = hecun(&["diff", "a", "b"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains(&format!("社区结论变化 ({})", expected.len())),
        "{text}"
    );
    for line in &expected {
        assert!(text.contains(line.as_str()), "{line}{text}");
    }
}

#[test]
fn exit_codes_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo_plan();
    // The demo has vetoed communities: 1 when asked, 0 otherwise.
    let o = hecun(
        &["run", &plan, "--out", "a", "--quiet", "--fail-on-veto"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        tmp.path().join("a/report.html").exists(),
        "outputs are still written"
    );
    let o = hecun(&["run", &plan, "--out", "b", "--json"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        o.stdout,
        std::fs::read(tmp.path().join("b/report.json")).unwrap()
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(report["totals"]["vetoed"].as_u64().unwrap() > 0);
    for (args, words) in [
        (vec!["--lang", "fr"], vec!["--lang", "zh-CN or en"]),
        (
            vec!["--sweep", "ring=200..50/25"],
            vec!["--sweep", "FROM..TO/STEP"],
        ),
        (vec!["--width", "高速=80"], vec!["高速", "环线"]),
    ] {
        let mut all = vec!["run", plan.as_str(), "--out", "c"];
        all.extend(args);
        let o = hecun(&all, tmp.path());
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        for w in words {
            assert!(err.contains(w), "{w:?} not in {err}");
        }
        assert!(!tmp.path().join("c").exists());
    }
    let o = hecun(&["diff", "a"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
}

fn ids(dir: &Path) -> BTreeSet<String> {
    csv_rows(&dir.join("affected_villages.csv"))
        .into_iter()
        .map(|r| r["id"].clone())
        .collect()
}

#[test]
fn a_scenario_diff_agrees_with_two_runs_and_the_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let a = run_demo(tmp.path(), "a", &["--sweep", "ring=50..150/50"]);
    let b = run_demo(tmp.path(), "b", &["--width", "ring=150"]);
    let c = run_demo(tmp.path(), "c", &["--width", "环线=50"]);

    let o = hecun(&["diff", "a", "b", "--json"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let folders: Value = serde_json::from_slice(&o.stdout).unwrap();
    let plan = demo_plan();
    let o = hecun(
        &["diff", &plan, "--width", "ring=150", "--json"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let variant: Value = serde_json::from_slice(&o.stdout).unwrap();
    // The diff carries the numbers it explains (scores, terms' contributions); a run read
    // back from report.json may hold a float one unit in the last place off (serde_json's
    // default float parsing), so numbers are compared to 12 significant digits.
    fn rounded(v: &Value) -> Value {
        match v {
            Value::Number(n) if n.is_f64() => {
                Value::String(format!("{:.12e}", n.as_f64().unwrap()))
            }
            Value::Array(a) => Value::Array(a.iter().map(rounded).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), rounded(v))).collect())
            }
            v => v.clone(),
        }
    }
    for key in [
        "affected",
        "villages_added",
        "villages_removed",
        "sites",
        "communities",
    ] {
        assert_eq!(rounded(&folders[key]), rounded(&variant[key]), "{key}");
    }

    let added: BTreeSet<String> = ids(&b).difference(&ids(&a)).cloned().collect();
    let removed: BTreeSet<String> = ids(&a).difference(&ids(&b)).cloned().collect();
    let listed = |key: &str| -> BTreeSet<String> {
        variant[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!added.is_empty(), "a wider ring zone takes in villages");
    assert_eq!(listed("villages_added"), added);
    assert_eq!(listed("villages_removed"), removed);
    for v in variant["villages_added"].as_array().unwrap() {
        let reason = &v["reason"];
        assert_eq!(reason["kind"], "now_inside", "{reason}");
        let zones = reason["zones"].as_array().unwrap();
        assert!(
            zones
                .iter()
                .any(|z| z["class"] == "环线" && z["width_m"] == 150.0),
            "{reason}"
        );
    }
    let totals = |dir: &Path| json(&dir.join("report.json"))["totals"]["affected"].clone();
    assert_eq!(variant["affected"]["before"], totals(&a));
    assert_eq!(variant["affected"]["after"], totals(&b));

    // The sweep's rows are the separate runs' totals.
    let sweep = csv_rows(&a.join("sweep.csv"));
    let row = |w: &str| sweep.iter().find(|r| r["width_m"] == w).unwrap().clone();
    for (w, dir) in [("50", &c), ("100", &a), ("150", &b)] {
        let t = totals(dir);
        let r = row(w);
        assert_eq!(t["villages"], num(&r, "villages"), "{w}");
        assert_eq!(t["households"], num(&r, "households"), "{w}");
        assert_eq!(t["population"], num(&r, "population"), "{w}");
    }

    // A diff of a run with itself is empty.
    let o = hecun(&["diff", "a", "a", "--lang", "en"], tmp.path());
    assert!(String::from_utf8_lossy(&o.stdout).contains("no change"));
}

#[test]
fn the_report_is_one_self_contained_page_in_either_language() {
    let tmp = tempfile::tempdir().unwrap();
    let zh = run_demo(tmp.path(), "zh", &[]);
    let en = run_demo(tmp.path(), "en", &["--lang", "en"]);
    let zh = std::fs::read_to_string(zh.join("report.html")).unwrap();
    let en = std::fs::read_to_string(en.join("report.html")).unwrap();
    for html in [&zh, &en] {
        assert!(html.contains("<svg"), "the map is inline SVG");
        for external in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
            "<script src",
        ] {
            assert!(!html.contains(external), "{external}");
        }
        // Every community and every chosen site is in the page.
        assert!(html.contains("中原镇新社区1") && html.contains("须水镇新社区1"));
    }
    assert!(zh.contains("lang=\"zh-CN\"") && en.contains("lang=\"en\""));
    assert_ne!(zh, en);
}

/// Every output the manifest of `dir` lists has the hash it records: the folder is whole.
fn whole(dir: &Path) -> bool {
    let m = json(&dir.join("run_manifest.json"));
    m["outputs"].as_array().unwrap().iter().all(|o| {
        let path = dir.join(o["path"].as_str().unwrap());
        path.exists() && o["sha256"] == sha256sum(&path)
    })
}

#[test]
fn an_interrupted_run_leaves_the_old_outputs_or_the_new_ones_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = demo_plan();
    let out = run_demo(tmp.path(), "out", &[]);
    let old = std::fs::read(out.join("report.json")).unwrap();
    let new =
        std::fs::read(run_demo(tmp.path(), "wider", &["--width", "ring=150"]).join("report.json"))
            .unwrap();
    assert_ne!(old, new);
    for delay_ms in [30, 100, 250, 400, 600, 800, 1000, 1300] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hecun"))
            .args([
                "run", &plan, "--out", "out", "--quiet", "--width", "ring=150",
            ])
            .current_dir(tmp.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // Ctrl-C: SIGINT, which ends the process without running any destructor.
        // (The shell's builtin `kill`: procps may not be installed.)
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -INT {}", child.id())])
            .status();
        let _ = child.wait();
        let now = std::fs::read(out.join("report.json")).unwrap();
        assert!(
            now == old || now == new,
            "after {delay_ms} ms: neither run's report"
        );
        assert!(whole(&out), "after {delay_ms} ms: the folder is not whole");
        // Put the old outputs back for the next round.
        run_demo(tmp.path(), "out", &[]);
    }
    // The staging folders of the killed runs are cleaned up by the next run.
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hecun-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn diff_json_is_the_same_in_either_language_and_its_text_is_not() {
    // A copy of the demo, run as shipped and then with a stricter planning standard, sites
    // allowed on farmland and a wider ring zone: villages come in, sites change and
    // communities fail the standard.
    let tmp = tempfile::tempdir().unwrap();
    copy_demo(tmp.path());
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec!["run", "gis-data/demo/plan.toml", "--out", out, "--quiet"];
        args.extend_from_slice(extra);
        let o = hecun(&args, tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run("a", &[]);
    let edit = |path: &str, from: &str, to: &str| {
        let path = tmp.path().join(path);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit(
        "plugins/planning-standard/plugin.toml",
        "\nmin_population = 2000\n",
        "\nmin_population = 10000\n",
    );
    edit(
        "plugins/site-score/plugin.toml",
        "\nmax_farmland_share = 0.0\n",
        "\nmax_farmland_share = 1.0\n",
    );
    run("b", &["--width", "ring=150"]);

    let diff = |extra: &[&str]| -> Vec<u8> {
        let mut args = vec!["diff", "a", "b"];
        args.extend_from_slice(extra);
        let o = hecun(&args, tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        o.stdout
    };
    let zh = diff(&["--json"]);
    assert_eq!(zh, diff(&["--json", "--lang", "en"]));
    let d: Value = serde_json::from_slice(&zh).unwrap();
    let kinds = |key: &str, reason: &str| -> BTreeSet<String> {
        d[key]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|x| match x[reason].as_array() {
                Some(list) => list.clone(),
                None => vec![x[reason].clone()],
            })
            .map(|r| r["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        kinds("villages_added", "reason"),
        ["now_inside".into()].into()
    );
    assert!(kinds("sites", "reason").contains("no_longer_excluded"));
    assert_eq!(kinds("communities", "reasons"), ["standard".into()].into());

    // The words come only with the text.
    let zh = String::from_utf8(diff(&[])).unwrap();
    let en = String::from_utf8(diff(&["--lang", "en"])).unwrap();
    assert!(zh.contains("新进入") && zh.contains("不再被排除"), "{zh}");
    assert!(
        en.contains("now inside") && en.contains("no longer excluded"),
        "{en}"
    );
    assert!(
        en.contains("now failing (population below the minimum)"),
        "{en}"
    );
}
