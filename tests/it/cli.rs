//! The real `hecun` binary, one temp folder per test: demo plan, bad input, atomic outputs.

use std::path::Path;
use std::process::Output;

use crate::common::{hecun, repo, stderr};

/// A small valid set of layers near Zhengzhou: two villages, one road through the first.
struct Layers {
    dir: tempfile::TempDir,
}

const VILLAGE_A: &str = r#"{"type":"Feature","properties":{"id":"A","township":"T1","households":10,"population":30},"geometry":{"type":"Polygon","coordinates":[[[113.600,34.700],[113.610,34.700],[113.610,34.710],[113.600,34.710],[113.600,34.700]]]}}"#;
const VILLAGE_B: &str = r#"{"type":"Feature","properties":{"id":"B","township":"T2","households":20,"population":70},"geometry":{"type":"Polygon","coordinates":[[[113.700,34.800],[113.710,34.800],[113.710,34.810],[113.700,34.810],[113.700,34.800]]]}}"#;
const ROAD: &str = r#"{"type":"Feature","properties":{"id":"R1","class":"ring"},"geometry":{"type":"LineString","coordinates":[[113.605,34.690],[113.605,34.720]]}}"#;

fn collection(features: &[&str]) -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}",
        features.join(",\n")
    )
}

impl Layers {
    fn new() -> Layers {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("villages.geojson"),
            collection(&[VILLAGE_A, VILLAGE_B]),
        )
        .unwrap();
        std::fs::write(dir.path().join("roads.geojson"), collection(&[ROAD])).unwrap();
        Layers { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    fn run(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "affected",
            "--villages",
            "villages.geojson",
            "--roads",
            "roads.geojson",
            "--width",
            "ring=100",
            "--out",
            "out",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        hecun(&args, self.path())
    }
}

#[test]
fn small_layers_give_the_expected_village() {
    let l = Layers::new();
    let o = l.run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(l.path().join("out/affected_villages.csv")).unwrap();
    assert!(
        csv.starts_with('\u{feff}'),
        "CSV starts with a BOM for Excel"
    );
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[1].starts_with("A,,T1,10,30,"), "{csv}");
    // The road runs through the middle of a ~915 m wide village: a 200 m band, ~22%.
    let frac: f64 = rows[1].split(',').nth(5).unwrap().parse().unwrap();
    assert!((0.2..0.24).contains(&frac), "{frac}");
}

#[test]
fn demo_plan_runs_and_reruns_byte_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let plan = plan.to_str().unwrap();
    let a = hecun(&["run", plan, "--out", "a"], tmp.path());
    assert!(a.status.success(), "{}", stderr(&a));
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(
        stdout.contains("涉及行政村")
            && stdout.contains("启动标准")
            && stdout.contains("安置社区选址"),
        "{stdout}"
    );
    let b = hecun(&["run", plan, "--out", "b", "--quiet"], tmp.path());
    assert!(b.status.success());
    assert!(b.stdout.is_empty(), "--quiet prints nothing");
    for f in [
        "affected_villages.csv",
        "townships.csv",
        "zone_classes.csv",
        "affected_villages.geojson",
        "zones.geojson",
        "summary.json",
        "launch_checks.csv",
        "launch_checks.json",
        "launch_checks.geojson",
        "standards.csv",
        "standards.json",
        "standards.geojson",
        "sites_scored.csv",
        "sites_scored.geojson",
        "site_scores.json",
        "tables.xlsx",
    ] {
        let x = std::fs::read(tmp.path().join("a").join(f)).unwrap();
        let y = std::fs::read(tmp.path().join("b").join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
    // Chinese field names were mapped by the plan.
    let csv = std::fs::read_to_string(tmp.path().join("a/affected_villages.csv")).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("410122"), "{csv}");
}

/// The workbook is written by default, by `affected` and `run`; `--no-xlsx` leaves it out
/// (and the run manifest records it, so that a replay leaves it out too).
#[test]
fn no_xlsx_leaves_the_workbook_out() {
    let l = Layers::new();
    let o = l.run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(l.path().join("out/tables.xlsx").is_file());
    let o = l.run(&["--no-xlsx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!l.path().join("out/tables.xlsx").exists());
    assert!(l.path().join("out/affected_villages.csv").is_file());

    let plan = repo().join("gis-data/demo/plan.toml");
    let o = hecun(
        &[
            "run",
            plan.to_str().unwrap(),
            "--out",
            "run",
            "--quiet",
            "--no-xlsx",
        ],
        l.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!l.path().join("run/tables.xlsx").exists());
    let manifest = std::fs::read_to_string(l.path().join("run/run_manifest.json")).unwrap();
    assert!(manifest.contains("\"no_xlsx\": true"), "{manifest:.3000}");
    assert!(!manifest.contains("tables.xlsx"), "{manifest:.3000}");
}

/// `--shapefile GBK` adds the layers as Shapefiles; an encoding they are not written in is
/// refused before anything is written, naming the option.
#[test]
fn shapefile_writes_the_layers_and_refuses_an_unknown_encoding() {
    let l = Layers::new();
    let o = l.run(&["--shapefile", "GBK"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let f = l
            .path()
            .join(format!("out/shapefile/affected_villages.{ext}"));
        assert!(f.is_file(), "{}", f.display());
    }
    assert!(l.path().join("out/shapefile/fields.csv").is_file());
    let o = l.run(&["--shapefile", "Big5"]);
    assert_eq!(o.status.code(), Some(2));
    fails_with(&o, &["--shapefile Big5", "GBK, GB18030 or UTF-8"]);
    assert!(
        l.path().join("out/shapefile").is_dir(),
        "the previous outputs are left as they were"
    );
}

#[test]
fn help_explains_options_with_an_example() {
    let o = hecun(&["affected", "--help"], Path::new("."));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("--metric-crs") && text.contains("Example") && text.contains("--width"),
        "{text}"
    );
}

/// Issue 15: `hecun --version` names the build (commit and features), as the report and the
/// run manifest do, so that two builds of 0.1.0 can be told apart; the commit is git's own.
#[test]
fn version_names_the_commit_and_features() {
    let o = hecun(&["--version"], &repo());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let line = out.trim_end();
    assert_eq!(line, hecun::run::Build::library().line());
    assert!(
        line.starts_with(&format!("hecun {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{line}"
    );
    assert!(line.contains(", features: "), "{line}");
    // Where this is a git checkout, the commit is HEAD's (the build script's only source).
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=7", "HEAD"])
        .current_dir(repo())
        .output();
    if let Ok(head) = head
        && head.status.success()
        && hecun::run::Build::library().commit != "unknown"
    {
        let head = String::from_utf8(head.stdout).unwrap();
        assert!(
            line.contains(&format!("commit {}", head.trim())),
            "{line} vs {head}"
        );
    }
}

fn fails_with(o: &Output, needles: &[&str]) {
    assert_eq!(
        o.status.code(),
        Some(2),
        "expected exit code 2, stderr: {}",
        stderr(o)
    );
    let e = stderr(o);
    for n in needles {
        assert!(e.contains(n), "error should mention {n:?}: {e}");
    }
}

#[test]
fn missing_file() {
    let l = Layers::new();
    std::fs::remove_file(l.path().join("roads.geojson")).unwrap();
    fails_with(&l.run(&[]), &["roads.geojson", "No such file"]);
}

#[test]
fn broken_json_says_where() {
    let l = Layers::new();
    l.write("villages.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\n\"properties\":{\"id\":\"A\"},,\n}]}");
    fails_with(&l.run(&[]), &["villages.geojson", "line 3"]);
}

#[test]
fn feature_without_geometry() {
    let l = Layers::new();
    l.write(
        "villages.geojson",
        &collection(&[
            VILLAGE_A,
            r#"{"type":"Feature","properties":{"id":"X"},"geometry":null}"#,
        ]),
    );
    fails_with(
        &l.run(&[]),
        &[
            "villages.geojson",
            "feature #1",
            "\"X\"",
            "geometry",
            "no geometry",
        ],
    );
}

#[test]
fn unclosed_ring() {
    let l = Layers::new();
    let open = VILLAGE_B.replace(",[113.700,34.800]]]", "]]");
    l.write("villages.geojson", &collection(&[VILLAGE_A, &open]));
    fails_with(&l.run(&[]), &["feature #1", "\"B\"", "not closed"]);
}

#[test]
fn self_intersecting_village_near_a_zone() {
    let l = Layers::new();
    let bow_tie = VILLAGE_A.replace(
        "[113.610,34.700],[113.610,34.710]",
        "[113.610,34.710],[113.610,34.700]",
    );
    l.write("villages.geojson", &collection(&[&bow_tie, VILLAGE_B]));
    fails_with(
        &l.run(&[]),
        &["feature #0", "\"A\"", "geometry", "crosses itself"],
    );
}

#[test]
fn unknown_road_class() {
    let l = Layers::new();
    l.write(
        "roads.geojson",
        &collection(&[&ROAD.replace("\"ring\"", "\"alley\"")]),
    );
    fails_with(
        &l.run(&[]),
        &[
            "roads.geojson",
            "feature #0",
            "\"R1\"",
            "class",
            "alley",
            "--width alley=",
        ],
    );
}

#[test]
fn projected_data_read_as_lon_lat_suggests_a_crs() {
    let l = Layers::new();
    l.write("villages.geojson", &collection(&[r#"{"type":"Feature","properties":{"id":"P","households":1,"population":1},"geometry":{"type":"Polygon","coordinates":[[[465000,3850000],[466000,3850000],[466000,3851000],[465000,3850000]]]}}"#]));
    fails_with(
        &l.run(&[]),
        &[
            "feature #0",
            "out of longitude/latitude range",
            "--input-crs",
            "EPSG:4547",
        ],
    );
}

#[test]
fn empty_layer() {
    let l = Layers::new();
    l.write("roads.geojson", &collection(&[]).replace("[\n\n]", "[]"));
    fails_with(&l.run(&[]), &["roads.geojson", "no features"]);
}

#[test]
fn missing_households_names_the_field() {
    let l = Layers::new();
    l.write(
        "villages.geojson",
        &collection(&[&VILLAGE_A.replace("\"households\":10,", "")]),
    );
    fails_with(&l.run(&[]), &["feature #0", "households", "户数"]);
}

#[test]
fn keep_going_skips_the_bad_feature_and_says_so() {
    let l = Layers::new();
    l.write(
        "villages.geojson",
        &collection(&[
            VILLAGE_A,
            r#"{"type":"Feature","properties":{"id":"X"},"geometry":null}"#,
        ]),
    );
    let o = l.run(&["--keep-going"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(l.path().join("out/summary.txt")).unwrap();
    assert!(
        summary.contains("skipped") && summary.contains("feature #1"),
        "{summary}"
    );
}

#[test]
fn a_failed_run_leaves_the_previous_outputs_intact() {
    let l = Layers::new();
    assert!(l.run(&[]).status.success());
    let before = std::fs::read(l.path().join("out/affected_villages.csv")).unwrap();
    l.write("roads.geojson", "{ not json");
    assert_eq!(l.run(&[]).status.code(), Some(2));
    let after = std::fs::read(l.path().join("out/affected_villages.csv")).unwrap();
    assert_eq!(before, after);
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(l.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("hecun-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn refuses_to_overwrite_a_folder_it_did_not_write() {
    let l = Layers::new();
    std::fs::create_dir(l.path().join("out")).unwrap();
    l.write("out/thesis.docx", "precious");
    fails_with(&l.run(&[]), &["not empty", "--out"]);
    assert_eq!(
        std::fs::read_to_string(l.path().join("out/thesis.docx")).unwrap(),
        "precious"
    );
}

#[test]
fn bad_width_and_bad_crs_are_usage_errors() {
    let l = Layers::new();
    fails_with(&l.run(&["--width", "radial"]), &["CLASS=METRES"]);
    fails_with(&l.run(&["--metric-crs", "EPSG:99999"]), &["EPSG:99999"]);
    fails_with(&l.run(&["--metric-crs", "EPSG:4326"]), &["projected CRS"]);
}

#[test]
fn townships_layer_names_villages_without_a_township_field() {
    let l = Layers::new();
    let strip = |v: &str, t: &str| v.replace(&format!("\"township\":\"{t}\","), "");
    l.write(
        "villages.geojson",
        &collection(&[&strip(VILLAGE_A, "T1"), &strip(VILLAGE_B, "T2")]),
    );
    l.write(
        "townships.geojson",
        &collection(&[
            r#"{"type":"Feature","properties":{"name":"西镇"},"geometry":{"type":"Polygon","coordinates":[[[113.5,34.6],[113.65,34.6],[113.65,34.9],[113.5,34.9],[113.5,34.6]]]}}"#,
            r#"{"type":"Feature","properties":{"name":"东镇"},"geometry":{"type":"Polygon","coordinates":[[[113.65,34.6],[113.8,34.6],[113.8,34.9],[113.65,34.9],[113.65,34.6]]]}}"#,
        ]),
    );
    let o = l.run(&["--townships", "townships.geojson"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let towns = std::fs::read_to_string(l.path().join("out/townships.csv")).unwrap();
    assert!(towns.contains("西镇,1,10,30,1"), "{towns}");
    assert!(towns.contains("东镇,0,0,0,1"), "{towns}");
}

/// A square village (corners x0..x1, y0..y1) redrawn as a bow tie whose top-left corner is
/// raised to `y[2]`: its lobes do not cancel, so its area alone does not give it away.
fn lopsided_bow_tie(feature: &str, x: [&str; 2], y: [&str; 3]) -> String {
    let square = format!(
        "[[[{0},{2}],[{1},{2}],[{1},{3}],[{0},{3}],[{0},{2}]]]",
        x[0], x[1], y[0], y[1]
    );
    let tie = format!(
        "[[[{0},{2}],[{1},{3}],[{1},{2}],[{0},{4}],[{0},{2}]]]",
        x[0], x[1], y[0], y[1], y[2]
    );
    assert!(feature.contains(&square), "not the square village expected");
    feature.replace(&square, &tie)
}

#[test]
fn a_broken_village_far_from_every_zone_is_caught_by_check_all() {
    let l = Layers::new();
    // Village B is kilometres from the road: the job never computes its area.
    let bow_tie = lopsided_bow_tie(
        VILLAGE_B,
        ["113.700", "113.710"],
        ["34.800", "34.810", "34.815"],
    );
    l.write("villages.geojson", &collection(&[VILLAGE_A, &bow_tie]));
    let o = l.run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    fails_with(
        &l.run(&["--check-all"]),
        &["feature #1", "\"B\"", "crosses itself"],
    );
}

#[test]
fn cgcs2000_input_gives_the_same_answer_as_wgs84() {
    // CGCS2000 and WGS 84 differ by centimetres; PROJ and proj4rs both treat them as one datum.
    let l = Layers::new();
    assert!(l.run(&[]).status.success());
    let wgs84 = std::fs::read(l.path().join("out/affected_villages.csv")).unwrap();
    assert!(l.run(&["--input-crs", "EPSG:4490"]).status.success());
    let cgcs = std::fs::read(l.path().join("out/affected_villages.csv")).unwrap();
    assert_eq!(wgs84, cgcs);
}

#[test]
fn keep_going_drops_a_broken_village_near_a_zone_and_keeps_the_rest() {
    let l = Layers::new();
    // Village A lies across the road: its ring is checked when its share is about to be computed.
    let bow_tie = lopsided_bow_tie(
        VILLAGE_A,
        ["113.600", "113.610"],
        ["34.700", "34.710", "34.715"],
    );
    let near_too = VILLAGE_B
        .replace("113.700", "113.6055")
        .replace("113.710", "113.6155")
        .replace("34.800", "34.712")
        .replace("34.810", "34.722")
        .replace("\"B\"", "\"C\"");
    l.write("villages.geojson", &collection(&[&bow_tie, &near_too]));
    fails_with(&l.run(&[]), &["feature #0", "crosses itself"]);
    let o = l.run(&["--keep-going"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(l.path().join("out/affected_villages.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).unwrap().starts_with("C,"), "{csv}");
    let summary = std::fs::read_to_string(l.path().join("out/summary.txt")).unwrap();
    assert!(
        summary.contains("skipped") && summary.contains("crosses itself"),
        "{summary}"
    );
}

/// Runs `hecun plugin test DIR`: the exit code and what it printed.
fn plugin_test(dir: &Path) -> (Option<i32>, String) {
    let o = hecun(&["plugin", "test", dir.to_str().unwrap()], Path::new("."));
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    (o.status.code(), text)
}

#[test]
fn plugin_test_runs_the_shipped_plugins_cases() {
    let (code, text) = plugin_test(&repo().join("plugins/launch-criteria"));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("launch-criteria 1.0.0") && text.contains("8 passed, 0 failed"),
        "{text}"
    );
}

#[test]
fn plugin_test_fails_with_exit_code_1_when_a_case_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let src = repo().join("plugins/launch-criteria");
    for f in ["plugin.toml", "check.rhai"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    // Expect the veto case to pass: the plugin must disagree.
    let manifest = std::fs::read_to_string(tmp.path().join("plugin.toml")).unwrap();
    let wrong = manifest.replacen(
        r#"expect = { status = "veto", failed = [], vetoes = ["no_forced_demolition"] }"#,
        r#"expect = { status = "pass" }"#,
        1,
    );
    assert_ne!(manifest, wrong);
    std::fs::write(tmp.path().join("plugin.toml"), wrong).unwrap();
    let (code, text) = plugin_test(tmp.path());
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("FAIL  forced demolition vetoes") && text.contains("7 passed, 1 failed"),
        "{text}"
    );
}

/// `hecun check` on the demo plan against a computation of the 启动标准 made here, directly
/// from the villages file, without the engine or the plugin.
#[test]
fn launch_checks_on_the_demo_agree_with_a_direct_computation() {
    use std::collections::{BTreeMap, BTreeSet};
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let plugin = repo().join("plugins/launch-criteria");
    let o = hecun(
        &[
            "check",
            plan.to_str().unwrap(),
            "--plugin",
            plugin.to_str().unwrap(),
            "--out",
            "out",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // criterion → (file field, value that fails it)
    let rules = [
        ("plan_approved", "方案通过", false),
        ("no_new_homestead", "新批宅基地", true),
        ("no_new_construction", "新建建筑", true),
        ("land_legal", "用地合法", false),
        ("infrastructure_started", "基础设施开工", false),
        ("resettlement_started", "安置房开工", false),
    ];
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut expected: BTreeMap<String, (BTreeSet<&str>, bool)> = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        let p = &f["properties"];
        let entry = expected
            .entry(p["社区"].as_str().unwrap().to_owned())
            .or_default();
        for (criterion, field, bad) in rules {
            if p[field].as_bool() == Some(bad) {
                entry.0.insert(criterion);
            }
        }
        entry.1 |= p["强制拆迁"].as_bool() == Some(true);
    }

    let csv = std::fs::read_to_string(tmp.path().join("out/launch_checks.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let mut seen = 0;
    for r in rows.records() {
        let r = r.unwrap();
        let (failed, vetoed) = &expected[&r[0]];
        let status = if *vetoed {
            "veto"
        } else if failed.is_empty() {
            "pass"
        } else {
            "fail"
        };
        assert_eq!(&r[3], status, "community {}", &r[0]);
        let got: BTreeSet<&str> = r[4].split(';').filter(|s| !s.is_empty()).collect();
        assert_eq!(&got, failed, "community {}", &r[0]);
        assert_eq!(
            &r[5],
            if *vetoed { "no_forced_demolition" } else { "" },
            "community {}",
            &r[0]
        );
        seen += 1;
    }
    assert_eq!(seen, expected.len());
    assert!(expected.values().any(|(_, v)| *v) && expected.values().any(|(_, v)| !*v));

    // The map layer: one footprint per community, made of its villages' polygons, with its status.
    let map: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("out/launch_checks.geojson")).unwrap(),
    )
    .unwrap();
    let mut parts: BTreeMap<String, usize> = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        *parts
            .entry(f["properties"]["社区"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let features = map["features"].as_array().unwrap();
    assert_eq!(features.len(), expected.len());
    for f in features {
        let name = f["properties"]["community"].as_str().unwrap();
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        assert_eq!(
            f["geometry"]["coordinates"].as_array().unwrap().len(),
            parts[name]
        );
        let vetoed = expected[name].1;
        assert_eq!(f["properties"]["status"] == "veto", vetoed, "{name}");
    }

    // The evidence names the village and the field as the planner's file has it.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("out/launch_checks.json")).unwrap(),
    )
    .unwrap();
    let veto = json
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .find(|f| f["veto"] == true)
        .unwrap();
    assert_eq!(veto["evidence"]["field"], "forced_demolition");
    assert_eq!(veto["evidence"]["file_field"], "强制拆迁");
    assert!(
        veto["evidence"]["village"]
            .as_str()
            .unwrap()
            .starts_with("410122")
    );
}
