//! What a scoring script sees of a candidate, and what it may answer.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use geo::{Geometry, line_string, point};
use hecun::rules::{Candidate, Outcome, RhaiPlugin, Value};
use hecun::{IndexedLayer, LayerItem, Properties, SpatialLayers};

fn score_plugin(dir: &Path, script: &str) -> PathBuf {
    std::fs::write(
        dir.join("plugin.toml"),
        "name = \"probe\"\nversion = \"0.1.0\"\ncontract = 1\nkind = \"site-score\"\nscript = \"score.rhai\"\n[params]\nw = 2\n",
    )
    .unwrap();
    std::fs::write(dir.join("score.rhai"), script).unwrap();
    dir.to_owned()
}

fn site() -> Candidate {
    let roads = IndexedLayer::new(
        "roads",
        vec![LayerItem {
            id: "R1".into(),
            class: Some("环线".into()),
            geometry: Geometry::LineString(line_string![(x: 0.0, y: 300.0), (x: 1000.0, y: 300.0)]),
            properties: None,
        }],
    );
    let mut layers = SpatialLayers::new();
    layers.insert(roads);
    Candidate::with_place(
        "S1",
        vec!["road_distance".to_owned(), "in_zone".to_owned()].into(),
        vec![Value::Float(300.0), Value::Bool(false)],
        Some(Properties::from_json(r#"{"人口": 2400, "protected": true, "fn": "x"}"#).unwrap()),
        Some(Geometry::Point(point!(x: 500.0, y: 0.0))),
        Some(Arc::new(layers)),
    )
}

#[test]
fn features_attributes_any_name_and_helpers_are_reachable() {
    let dir = tempfile::tempdir().unwrap();
    let p = RhaiPlugin::load(&score_plugin(
        dir.path(),
        r#"
        fn score(site, params) {
            if site["protected"] != true || site["fn"] != "x" { throw "reserved words"; }
            let d = site.distance_to("roads", "环线");
            let none = site.distance_to("roads", "快速通道");
            if none != () { throw "no road of that class"; }
            term("people", params.w, site["人口"] / 1000.0) + term("road", 1.0, d - site.road_distance)
                + site.count_within("roads", 300) * 10.0
        }
        "#,
    ))
    .unwrap();
    let s = p.score(&site(), true).unwrap();
    assert_eq!(s.outcome, Outcome::Scored(4.8 + 0.0 + 10.0));
    assert_eq!(s.terms.len(), 2);
    assert_eq!(s.terms[0].contribution(), 4.8);
    // Not asked for, the explanation is not kept; the score is the same.
    let quiet = p.score(&site(), false).unwrap();
    assert_eq!(quiet.outcome, s.outcome);
    assert!(quiet.terms.is_empty());
}

#[test]
fn exclusions_carry_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let p = RhaiPlugin::load(&score_plugin(
        dir.path(),
        r#"fn score(site, params) { exclude("too close to the road", #{ road: site.nearest("roads").id, metres: site.road_distance }) }"#,
    ))
    .unwrap();
    match p.score(&site(), true).unwrap().outcome {
        Outcome::Excluded {
            reason, evidence, ..
        } => {
            assert_eq!(reason, "too close to the road");
            assert_eq!(evidence["road"], "R1");
            assert_eq!(evidence["metres"], 300.0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_answers_and_unknown_layers_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for (script, words) in [
        (
            r#"fn score(site, params) { "high" }"#,
            "must return a number or exclude",
        ),
        (
            r#"fn score(site, params) { 0.0 / 0.0 }"#,
            "not a finite number",
        ),
        (
            "fn score(site, params) {\n  site.distance_to(\"farmland\")\n}",
            "no layer \"farmland\" is loaded (loaded: roads)",
        ),
    ] {
        let p = RhaiPlugin::load(&score_plugin(dir.path(), script)).unwrap();
        let err = p.score(&site(), false).unwrap_err().to_string();
        assert!(
            err.contains("plugin \"probe\"")
                && err.contains("candidate \"S1\"")
                && err.contains(words),
            "{err}"
        );
    }
}

#[test]
fn a_plugin_of_another_kind_is_refused_by_name() {
    let p =
        RhaiPlugin::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/launch-criteria"))
            .unwrap();
    let err = p.score(&site(), false).unwrap_err().to_string();
    assert!(
        err.contains("is a launch-check plugin, not a site-score"),
        "{err}"
    );
}
