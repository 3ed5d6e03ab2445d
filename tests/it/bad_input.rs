//! The bad-input corpus through the real binary: each case is the demo plan with one layer
//! (or the plan) broken in one way, and must end in an error (exit code 2, nothing written)
//! or a warning (exit code 0) whose message names the file, the feature, the field or key
//! and the value. A failing case is reported by its name.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// What a case must end in.
enum Expect {
    /// Exit code 2, no output folder, and stderr containing each of these.
    Error(&'static [&'static str]),
    /// Exit code 0, and stderr containing `hecun: warning:` and each of these.
    Warning(&'static [&'static str]),
    /// Exit code 0 and no warning: the input is fine.
    Accepted,
}

/// How a case breaks the demo.
enum Break {
    /// Replaces a layer's file with these bytes.
    Bytes(&'static str, Vec<u8>),
    /// Edits a layer's GeoJSON.
    Json(&'static str, fn(&mut Value)),
    /// Replaces the plan's text (layers stay the demo's).
    Plan(fn(&str) -> String),
    /// Replaces a layer's file with something that is not a regular file.
    Special(&'static str, fn(&Path)),
}

struct Case {
    name: &'static str,
    broken: Break,
    expect: Expect,
}

fn demo() -> PathBuf {
    common::repo().join("gis-data/demo")
}

fn demo_json(layer: &str) -> Value {
    let text = std::fs::read_to_string(demo().join(format!("{layer}.geojson"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn demo_text(layer: &str) -> String {
    std::fs::read_to_string(demo().join(format!("{layer}.geojson"))).unwrap()
}

/// The demo plan without its plugins (the layers are what is tested), every layer path
/// pointing into `dir`.
fn plan_text() -> String {
    let text = std::fs::read_to_string(demo().join("plan.toml")).unwrap();
    let cut = text.find("# Checks the plan runs").unwrap_or(text.len());
    text[..cut].to_owned()
}

fn feature(v: &mut Value, k: usize) -> &mut Value {
    &mut v["features"][k]
}

fn props(v: &mut Value, k: usize) -> &mut serde_json::Map<String, Value> {
    feature(v, k)["properties"].as_object_mut().unwrap()
}

fn set_geometry(v: &mut Value, k: usize, g: Value) {
    feature(v, k)["geometry"] = g;
}

const ID: &str = "统计用区划代码";

/// `text` with the first `from` replaced (which must be there: a case that breaks nothing
/// would pass for the wrong reason).
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the demo has no {from:?}");
    text.replacen(from, to, 1)
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let villages = demo_text("villages");
    let half = villages.len() / 2;
    let truncated = villages.as_bytes()[..half].to_vec();
    let mut gbk = villages.clone().into_bytes();
    // 王 in GBK, where a UTF-8 name should be.
    let at = villages.find("\"村名\":\"").expect("a 村名 field") + "\"村名\":\"".len();
    gbk.splice(at..at, [0xCD, 0xF5]);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(villages.as_bytes());
    let deep = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{}1{}}}}}]}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    vec![
        Case {
            name: "invalid JSON",
            broken: Break::Bytes(
                "villages",
                b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\": }]}".to_vec(),
            ),
            expect: Error(&["villages.geojson", "line 1", "feature #0"]),
        },
        Case {
            name: "truncated file",
            broken: Break::Bytes("villages", truncated),
            expect: Error(&["villages.geojson", "truncated"]),
        },
        Case {
            name: "empty file",
            broken: Break::Bytes("villages", Vec::new()),
            expect: Error(&["villages.geojson", "empty"]),
        },
        Case {
            name: "UTF-8 byte order mark",
            broken: Break::Bytes("villages", bom),
            expect: Accepted,
        },
        Case {
            name: "non-UTF-8 bytes (GBK)",
            broken: Break::Bytes("villages", gbk),
            expect: Error(&["villages.geojson", "not UTF-8", "0xCD"]),
        },
        Case {
            name: "a Feature instead of a FeatureCollection",
            broken: Break::Json("villages", |v| *v = v["features"][0].clone()),
            expect: Error(&[
                "villages.geojson",
                "expected a GeoJSON FeatureCollection",
                "\"Feature\"",
            ]),
        },
        Case {
            name: "a Geometry instead of a FeatureCollection",
            broken: Break::Json("villages", |v| *v = v["features"][0]["geometry"].clone()),
            expect: Error(&[
                "villages.geojson",
                "expected a GeoJSON FeatureCollection",
                "\"Polygon\"",
            ]),
        },
        Case {
            name: "an array instead of a FeatureCollection",
            broken: Break::Json("villages", |v| *v = v["features"].clone()),
            expect: Error(&["villages.geojson", "FeatureCollection"]),
        },
        Case {
            name: "features is not an array",
            broken: Break::Json("villages", |v| v["features"] = json!({})),
            expect: Error(&["villages.geojson", "array of features"]),
        },
        Case {
            name: "a feature that is not an object",
            broken: Break::Json("villages", |v| v["features"][3] = json!(5)),
            expect: Error(&[
                "villages.geojson",
                "feature #3",
                "expected a Feature object",
                "5",
            ]),
        },
        Case {
            name: "empty FeatureCollection",
            broken: Break::Json("villages", |v| v["features"] = json!([])),
            expect: Error(&["villages.geojson", "no features"]),
        },
        Case {
            name: "feature with null geometry",
            broken: Break::Json("villages", |v| set_geometry(v, 4, Value::Null)),
            expect: Error(&[
                "villages.geojson",
                "feature #4",
                "\"geometry\"",
                "no geometry",
            ]),
        },
        Case {
            name: "empty geometry",
            broken: Break::Json("villages", |v| {
                set_geometry(v, 4, json!({"type": "Polygon", "coordinates": []}))
            }),
            expect: Error(&["villages.geojson", "feature #4", "\"geometry\"", "no rings"]),
        },
        Case {
            name: "unknown geometry type",
            broken: Break::Json("villages", |v| {
                feature(v, 4)["geometry"]["type"] = json!("Polygonz")
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #4",
                "\"geometry\"",
                "\"Polygonz\"",
            ]),
        },
        Case {
            name: "point village",
            broken: Break::Json("villages", |v| {
                set_geometry(v, 4, json!({"type": "Point", "coordinates": [113.6, 34.7]}))
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #4",
                "\"geometry\"",
                "Polygon or MultiPolygon, not Point",
            ]),
        },
        Case {
            name: "road drawn as a polygon",
            broken: Break::Json("roads", |v| {
                set_geometry(
                    v,
                    2,
                    json!({"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.61, 34.7], [113.61, 34.71], [113.6, 34.7]]]}),
                )
            }),
            expect: Error(&[
                "roads.geojson",
                "feature #2",
                "\"geometry\"",
                "LineString",
                "not Polygon",
            ]),
        },
        Case {
            name: "township drawn as a line",
            broken: Break::Json("townships", |v| {
                set_geometry(
                    v,
                    1,
                    json!({"type": "LineString", "coordinates": [[113.6, 34.7], [113.61, 34.7]]}),
                )
            }),
            expect: Error(&[
                "townships.geojson",
                "feature #1",
                "\"geometry\"",
                "not LineString",
            ]),
        },
        Case {
            name: "NaN coordinate",
            broken: Break::Bytes(
                "villages",
                replaced(&villages, "[113.", "[NaN, 113.").into_bytes(),
            ),
            expect: Error(&["villages.geojson", "feature #0", "line"]),
        },
        Case {
            name: "Infinity coordinate",
            broken: Break::Bytes(
                "villages",
                replaced(&villages, "[113.", "[Infinity, 113.").into_bytes(),
            ),
            expect: Error(&["villages.geojson", "feature #0", "line"]),
        },
        Case {
            name: "1e308 coordinate",
            broken: Break::Json("villages", |v| {
                feature(v, 0)["geometry"]["coordinates"][0][1][0] = json!(1e308)
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #0",
                "\"geometry\"",
                "1e308",
                "out of longitude/latitude range",
            ]),
        },
        Case {
            name: "position with one number",
            broken: Break::Json("villages", |v| {
                feature(v, 0)["geometry"]["coordinates"][0][1] = json!([113.6])
            }),
            expect: Error(&["villages.geojson", "feature #0", "position"]),
        },
        Case {
            name: "3D and 4D positions (Z and M dropped)",
            broken: Break::Json("villages", |v| {
                for ring in feature(v, 0)["geometry"]["coordinates"]
                    .as_array_mut()
                    .unwrap()
                {
                    for p in ring.as_array_mut().unwrap() {
                        p.as_array_mut().unwrap().extend([json!(87.5), json!(1)]);
                    }
                }
            }),
            expect: Accepted,
        },
        Case {
            name: "unclosed ring",
            broken: Break::Json("villages", |v| {
                feature(v, 5)["geometry"]["coordinates"][0]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #5",
                "\"geometry\"",
                "not closed",
            ]),
        },
        Case {
            name: "ring with three positions",
            broken: Break::Json("villages", |v| {
                set_geometry(
                    v,
                    5,
                    json!({"type": "Polygon", "coordinates": [[[113.6, 34.7], [113.61, 34.7], [113.6, 34.7]]]}),
                )
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #5",
                "\"geometry\"",
                "at least 4",
            ]),
        },
        Case {
            name: "self-intersecting village (bow tie across the region)",
            broken: Break::Json("villages", |v| {
                set_geometry(
                    v,
                    5,
                    json!({"type": "Polygon", "coordinates": [[[113.45, 34.6], [113.85, 34.9], [113.85, 34.6], [113.45, 34.9], [113.45, 34.6]]]}),
                )
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #5",
                "\"geometry\"",
                "crosses itself",
            ]),
        },
        Case {
            name: "missing id",
            broken: Break::Json("villages", |v| {
                props(v, 6).remove(ID);
            }),
            expect: Error(&["villages.geojson", "feature #6", "统计用区划代码", "no id"]),
        },
        Case {
            name: "boolean id",
            broken: Break::Json("villages", |v| {
                props(v, 6).insert(ID.into(), json!(true));
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #6",
                "统计用区划代码",
                "true",
                "not a string or a number",
            ]),
        },
        Case {
            name: "null id",
            broken: Break::Json("villages", |v| {
                props(v, 6).insert(ID.into(), Value::Null);
            }),
            expect: Error(&["villages.geojson", "feature #6", "统计用区划代码", "null"]),
        },
        Case {
            name: "blank id",
            broken: Break::Json("villages", |v| {
                props(v, 6).insert(ID.into(), json!(""));
            }),
            expect: Error(&["villages.geojson", "feature #6", "统计用区划代码", "blank"]),
        },
        Case {
            name: "id of only whitespace",
            broken: Break::Json("villages", |v| {
                props(v, 6).insert(ID.into(), json!("   "));
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #6",
                "统计用区划代码",
                "blank",
                "\"   \"",
            ]),
        },
        Case {
            name: "numeric id",
            broken: Break::Json("villages", |v| {
                props(v, 6).insert(ID.into(), json!(410122999999u64));
            }),
            expect: Accepted,
        },
        Case {
            name: "two villages with one id",
            broken: Break::Json("villages", |v| {
                let id = v["features"][2]["properties"][ID].clone();
                props(v, 7).insert(ID.into(), id);
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #7",
                "feature #2",
                "统计用区划代码",
                "410122",
            ]),
        },
        Case {
            name: "two townships with one id",
            broken: Break::Json("townships", |v| {
                let id = v["features"][0]["properties"]["编号"].clone();
                props(v, 1).insert("编号".into(), id);
            }),
            expect: Error(&[
                "townships.geojson",
                "feature #1",
                "feature #0",
                "编号",
                "unique",
            ]),
        },
        Case {
            name: "decimal comma in a count",
            broken: Break::Json("villages", |v| {
                props(v, 8).insert("人口".into(), json!("12,5"));
            }),
            expect: Error(&["villages.geojson", "feature #8", "人口", "\"12,5\""]),
        },
        Case {
            name: "count in scientific notation as text",
            broken: Break::Json("villages", |v| {
                props(v, 8).insert("人口".into(), json!("1e3"));
            }),
            expect: Accepted,
        },
        Case {
            name: "count as text with spaces",
            broken: Break::Json("villages", |v| {
                props(v, 8).insert("人口".into(), json!(" 3000 "));
            }),
            expect: Accepted,
        },
        Case {
            name: "negative population",
            broken: Break::Json("villages", |v| {
                props(v, 8).insert("人口".into(), json!(-5));
            }),
            expect: Error(&["villages.geojson", "feature #8", "人口", "-5"]),
        },
        Case {
            name: "fractional households",
            broken: Break::Json("villages", |v| {
                props(v, 8).insert("户数".into(), json!(2.5));
            }),
            expect: Error(&["villages.geojson", "feature #8", "户数", "2.5"]),
        },
        Case {
            name: "more households than people",
            broken: Break::Json("villages", |v| {
                props(v, 8).insert("户数".into(), json!(400));
                props(v, 8).insert("人口".into(), json!(120));
            }),
            expect: Warning(&[
                "villages.geojson",
                "feature #8",
                "户数",
                "400",
                "人口",
                "120",
            ]),
        },
        Case {
            name: "latitude and longitude swapped",
            broken: Break::Json("villages", |v| {
                for ring in feature(v, 9)["geometry"]["coordinates"]
                    .as_array_mut()
                    .unwrap()
                {
                    for p in ring.as_array_mut().unwrap() {
                        p.as_array_mut().unwrap().swap(0, 1);
                    }
                }
            }),
            expect: Error(&["villages.geojson", "feature #9", "\"geometry\"", "swapped"]),
        },
        Case {
            name: "crs member EPSG:4547 over degrees",
            broken: Break::Json("villages", |v| {
                v["crs"] =
                    json!({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}});
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #0",
                "EPSG:4547",
                "degrees",
                "\"crs\" member",
            ]),
        },
        Case {
            name: "crs member EPSG:4326 over metres",
            broken: Break::Json("villages", |v| {
                v["crs"] = json!({"type": "name", "properties": {"name": "EPSG:4326"}});
                feature(v, 0)["geometry"] = json!({"type": "Polygon", "coordinates": [[[465000.0, 3850000.0], [465100.0, 3850000.0], [465100.0, 3850100.0], [465000.0, 3850000.0]]]});
            }),
            expect: Error(&[
                "villages.geojson",
                "feature #0",
                "465000",
                "out of longitude/latitude range for EPSG:4326",
                "\"crs\" member",
            ]),
        },
        Case {
            name: "crs member hecun does not know",
            broken: Break::Json("villages", |v| {
                v["crs"] = json!({"type": "name", "properties": {"name": "EPSG:99999"}});
            }),
            expect: Error(&["villages.geojson", "EPSG:99999"]),
        },
        Case {
            name: "village 7 degrees east of the metric CRS's zone",
            broken: Break::Json("villages", |v| {
                for ring in feature(v, 10)["geometry"]["coordinates"]
                    .as_array_mut()
                    .unwrap()
                {
                    for p in ring.as_array_mut().unwrap() {
                        p[0] = json!(p[0].as_f64().unwrap() + 7.0);
                    }
                }
            }),
            expect: Warning(&[
                "villages.geojson",
                "feature #10",
                "area of use",
                "EPSG:4547",
                "east",
            ]),
        },
        Case {
            name: "key written twice in properties",
            broken: Break::Bytes(
                "villages",
                replaced(&villages, "\"人口\":152", "\"人口\":152,\"人口\":9152").into_bytes(),
            ),
            expect: Warning(&[
                "villages.geojson",
                "feature #0",
                "人口",
                "twice",
                "152",
                "9152",
            ]),
        },
        Case {
            name: "geometry key written twice in a feature",
            broken: Break::Bytes(
                "villages",
                replaced(
                    &villages,
                    "\"geometry\":",
                    "\"geometry\": null, \"geometry\":",
                )
                .into_bytes(),
            ),
            expect: Error(&[
                "villages.geojson",
                "feature #0",
                "duplicate field `geometry`",
            ]),
        },
        Case {
            name: "coordinates written twice in a geometry",
            broken: Break::Bytes(
                "villages",
                replaced(
                    &villages,
                    "\"coordinates\":",
                    "\"coordinates\": [], \"coordinates\":",
                )
                .into_bytes(),
            ),
            expect: Error(&["villages.geojson", "feature #0", "\"coordinates\" twice"]),
        },
        Case {
            name: "features written twice in the collection",
            broken: Break::Bytes(
                "villages",
                replaced(&villages, "{", "{\"features\": [], ").into_bytes(),
            ),
            expect: Error(&["villages.geojson", "\"features\" twice"]),
        },
        Case {
            name: "properties that are not an object",
            broken: Break::Json("villages", |v| feature(v, 11)["properties"] = json!([1, 2])),
            expect: Error(&["villages.geojson", "feature #11", "properties"]),
        },
        Case {
            name: "feature type that is not Feature",
            broken: Break::Json("villages", |v| feature(v, 11)["type"] = json!("Featur")),
            expect: Error(&["villages.geojson", "feature #11", "\"type\"", "\"Featur\""]),
        },
        Case {
            name: "nesting too deep",
            broken: Break::Bytes("villages", deep.into_bytes()),
            expect: Error(&["villages.geojson", "feature #0", "invalid type"]),
        },
        Case {
            name: "road without a class",
            broken: Break::Json("roads", |v| {
                props(v, 3).remove("等级");
            }),
            expect: Error(&["roads.geojson", "feature #3", "等级", "no class"]),
        },
        Case {
            name: "plan names a missing layer file",
            broken: Break::Plan(|p| p.replace("\"zoning.geojson\"", "\"no-such-zoning.geojson\"")),
            expect: Error(&["no-such-zoning.geojson"]),
        },
        Case {
            name: "layer file is a folder",
            broken: Break::Special("farmland", |path| std::fs::create_dir(path).unwrap()),
            expect: Error(&["farmland.geojson", "folder"]),
        },
        Case {
            name: "layer file is a symlink to /dev/zero",
            broken: Break::Special("villages", |path| {
                std::os::unix::fs::symlink("/dev/zero", path).unwrap()
            }),
            expect: Error(&["villages.geojson", "not a regular file"]),
        },
        Case {
            name: "plan with a layer key twice",
            broken: Break::Plan(|p| {
                format!("{p}\n[layers.villages]\npath = \"villages.geojson\"\n")
            }),
            expect: Error(&["plan.toml", "duplicate key", "villages"]),
        },
    ]
}

/// Runs the binary, killed after `limit` (a hang is a failure, not a stuck test run).
fn run_bounded(args: &[&str], dir: &Path, limit: Duration) -> Result<(i32, String), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hecun"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = reader.join().unwrap();
            return Ok((status.code().unwrap_or(-1), stderr));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {limit:?}: killed"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sets up the case in a fresh folder and runs `hecun run`; the problem, if the case fails.
fn check(case: &Case) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let layers = [
        "villages",
        "roads",
        "corridors",
        "townships",
        "sites",
        "zoning",
        "facilities",
        "farmland",
        "redline",
    ];
    let broken_layer = match &case.broken {
        Break::Bytes(l, _) | Break::Json(l, _) | Break::Special(l, _) => Some(*l),
        Break::Plan(_) => None,
    };
    for layer in layers {
        let to = dir.path().join(format!("{layer}.geojson"));
        if Some(layer) != broken_layer {
            std::fs::copy(demo().join(format!("{layer}.geojson")), &to).unwrap();
            continue;
        }
        match &case.broken {
            Break::Bytes(_, bytes) => std::fs::write(&to, bytes).unwrap(),
            Break::Json(_, edit) => {
                let mut v = demo_json(layer);
                edit(&mut v);
                std::fs::write(&to, serde_json::to_string(&v).unwrap()).unwrap();
            }
            Break::Special(_, make) => make(&to),
            Break::Plan(_) => unreachable!(),
        }
    }
    let plan = match &case.broken {
        Break::Plan(edit) => edit(&plan_text()),
        _ => plan_text(),
    };
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let (code, stderr) = match run_bounded(
        &["run", "plan.toml", "--out", "out"],
        dir.path(),
        Duration::from_secs(60),
    ) {
        Ok(r) => r,
        Err(why) => return Some(why),
    };
    let out = dir.path().join("out");
    let missing = |needles: &[&str]| -> Vec<String> {
        needles
            .iter()
            .filter(|n| !stderr.contains(**n))
            .map(|n| format!("{n:?}"))
            .collect()
    };
    let problem = match &case.expect {
        Expect::Error(needles) => {
            let missing = missing(needles);
            if code != 2 {
                Some(format!("exit code {code}, expected 2"))
            } else if out.exists() {
                Some("the output folder was written despite the error".to_owned())
            } else if !missing.is_empty() {
                Some(format!("the message lacks {}", missing.join(", ")))
            } else {
                None
            }
        }
        Expect::Warning(needles) => {
            let missing = missing(needles);
            if code != 0 {
                Some(format!("exit code {code}, expected 0 with a warning"))
            } else if !stderr.contains("hecun: warning:") {
                Some("no warning".to_owned())
            } else if !missing.is_empty() {
                Some(format!("the warning lacks {}", missing.join(", ")))
            } else {
                let manifest = std::fs::read_to_string(out.join("run_manifest.json")).unwrap();
                let manifest: Value = serde_json::from_str(&manifest).unwrap();
                let recorded = manifest["warnings"].as_array().is_some_and(|w| {
                    w.iter()
                        .any(|w| w.as_str().is_some_and(|w| w.contains(needles[1])))
                });
                (!recorded).then(|| "the warning is not in run_manifest.json".to_owned())
            }
        }
        Expect::Accepted => {
            if code != 0 {
                Some(format!("exit code {code}, expected 0"))
            } else if stderr.contains("warning") {
                Some("an unexpected warning".to_owned())
            } else {
                None
            }
        }
    };
    problem.map(|p| format!("{p}\n    stderr: {}", stderr.trim()))
}

#[test]
fn every_bad_input_is_an_error_or_a_warning_naming_it() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).map(|why| format!("case {:?}: {why}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_demo_itself_reads_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_text().replace("path = \"", &format!("path = \"{}/", demo().display()));
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let (code, stderr) = run_bounded(
        &["run", "plan.toml", "--out", "out"],
        dir.path(),
        Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// The veto field written twice with one value: `hecun check` warns (its launch run reads the
/// file itself), and `hecun run`, whose steps read the file each, warns once.
#[test]
fn a_veto_key_written_twice_is_warned_about_once_by_check_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let villages = replaced(
        &demo_text("villages"),
        "\"强制拆迁\":false",
        "\"强制拆迁\":false,\"强制拆迁\":false",
    );
    std::fs::write(dir.path().join("villages.geojson"), villages).unwrap();
    let plugin = common::repo().join("plugins/launch-criteria");
    let plan = plan_text()
        .replace("path = \"", &format!("path = \"{}/", demo().display()))
        .replace(
            &format!("{}/villages.geojson", demo().display()),
            "villages.geojson",
        );
    let plan = format!(
        "{plan}\n[checks]\nlaunch = {:?}\n",
        plugin.display().to_string()
    );
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let wanted = [
        "villages.geojson, feature #0",
        "\"强制拆迁\"",
        "twice",
        "(false and false)",
    ];
    for (command, out) in [("check", "out-check"), ("run", "out-run")] {
        let mut args = vec![command, "plan.toml", "--out", out];
        if command == "check" {
            args.extend(["--plugin", plugin.to_str().unwrap()]);
        }
        let (code, stderr) = run_bounded(&args, dir.path(), Duration::from_secs(120)).unwrap();
        assert_eq!(code, 0, "{command}: {stderr}");
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("hecun: warning:") && wanted.iter().all(|w| l.contains(w)))
            .collect();
        assert_eq!(lines.len(), 1, "{command}: {stderr}");
    }
}

/// The veto field written twice with two values: neither is read, so the veto cannot be
/// cleared; the launch check stops on it naming file, feature, field and both values.
#[test]
fn a_veto_key_written_twice_with_two_values_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let villages = replaced(
        &demo_text("villages"),
        "\"强制拆迁\":false",
        "\"强制拆迁\":true,\"强制拆迁\":false",
    );
    std::fs::write(dir.path().join("villages.geojson"), villages).unwrap();
    let plan = plan_text()
        .replace("path = \"", &format!("path = \"{}/", demo().display()))
        .replace(
            &format!("{}/villages.geojson", demo().display()),
            "villages.geojson",
        );
    std::fs::write(dir.path().join("plan.toml"), plan).unwrap();
    let plugin = common::repo().join("plugins/launch-criteria");
    let args = [
        "check",
        "plan.toml",
        "--plugin",
        plugin.to_str().unwrap(),
        "--out",
        "out",
    ];
    let (code, stderr) = run_bounded(&args, dir.path(), Duration::from_secs(120)).unwrap();
    assert_eq!(code, 2, "{stderr}");
    for wanted in [
        "villages.geojson, feature #0",
        "\"强制拆迁\"",
        "true and false",
        "twice",
    ] {
        assert!(stderr.contains(wanted), "lacks {wanted:?}: {stderr}");
    }
    assert!(!dir.path().join("out").exists());
}
