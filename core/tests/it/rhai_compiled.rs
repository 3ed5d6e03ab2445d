//! The compiled fast path of site scores against the interpreter: on random candidates, every
//! answer — score (bit for bit), terms, exclusion with its evidence, or error — is the same.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hecun::rules::{Candidate, FeatureNames, Outcome, RhaiPlugin, Score, Value};
use proptest::prelude::*;

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins")
        .join(name)
}

fn plugin(dir: &Path, script: &str, params: &str) -> RhaiPlugin {
    std::fs::write(
        dir.join("plugin.toml"),
        format!("name = \"probe\"\nversion = \"0.1.0\"\ncontract = 1\nkind = \"site-score\"\nscript = \"score.rhai\"\n[params]\n{params}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("score.rhai"), script).unwrap();
    RhaiPlugin::load(dir).unwrap()
}

const NAMES: [&str; 6] = [
    "road_distance",
    "town_distance",
    "village_distance",
    "in_zone",
    "in_corridor",
    "n",
];

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (-1.0e4..1.0e4f64).prop_map(Value::Float),
        1 => Just(Value::Float(0.0)),
        1 => Just(Value::Missing),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => (-50i64..50).prop_map(Value::Int),
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN)].prop_map(Value::Int),
        1 => Just(Value::Float(f64::NAN)),
        1 => Just(Value::Text("东".into())),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (prop::collection::vec(value(), NAMES.len()), 0..1000u32).prop_map(|(values, id)| {
        let names: FeatureNames = NAMES.iter().map(|s| s.to_string()).collect();
        Candidate::new(format!("S{id}"), names, values)
    })
}

fn same(a: &hecun::Result<Score>, b: &hecun::Result<Score>) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            let outcome = match (&a.outcome, &b.outcome) {
                (Outcome::Scored(x), Outcome::Scored(y)) => x.to_bits() == y.to_bits(),
                (x, y) => x == y,
            };
            let terms = a.terms.len() == b.terms.len()
                && a.terms.iter().zip(&b.terms).all(|(s, t)| {
                    s.name == t.name
                        && s.weight.to_bits() == t.weight.to_bits()
                        && s.value.to_bits() == t.value.to_bits()
                });
            outcome && terms
        }
        (Err(a), Err(b)) => a.to_string() == b.to_string(),
        _ => false,
    }
}

/// Scripts that use every construct the compiler knows, and some it leaves to the interpreter.
const SCRIPTS: [(&str, &str); 6] = [
    (
        "arithmetic, comparisons, min and max on mixed types",
        r#"
        fn near(d, reach) { if d == () { return 0.0; } let c = 1.0 - d / reach; max(c, 0) }
        fn score(c, p) {
            let x = c.road_distance;
            let s = term("a", p.w, near(x, p.reach)) + term("b", 2, min(c.n, 3.5));
            if c.in_zone == true && !(c.in_corridor == false) { s -= 1; }
            if x != () && x >= 0 && x < 100 || c.n == 7 { s *= 2; } else { s += p.bonus; }
            s + c.n % 3 + c.n / 2 + -c.n + abs(c.n)
        }
        "#,
    ),
    (
        "integer overflow and division by zero are the interpreter's errors",
        r#"fn score(c, p) { let k = c.n * 2; k / (c.n - c.n) + k }"#,
    ),
    (
        "exclusions with evidence; a missing parameter is ()",
        r#"
        fn score(c, p) {
            if c.in_corridor == true { return exclude("corridor", #{ d: c.road_distance, id: c.id, k: 1 }); }
            if p.nothing == () { exclude(`zone ${c.n}`) } else { 1.0 }
        }
        "#,
    ),
    (
        "what the compiler leaves to the interpreter: loops, strings, throw, recursion",
        r#"
        fn fact(n) { if n <= 1 { 1 } else { n * fact(n - 1) } }
        fn score(c, p) {
            let t = 0.0;
            for i in 0..3 { t += i; }
            if c.in_zone == true { throw "zone"; }
            if c.n == 3 { return fact(5) + t; }
            t + c["road_distance"] + c.id.len()
        }
        "#,
    ),
    (
        "non-numbers and non-finite scores are the interpreter's errors",
        r#"fn score(c, p) { if c.in_zone == true { "high" } else { c.road_distance / 0.0 } }"#,
    ),
    (
        "booleans that are not booleans",
        r#"fn score(c, p) { if c.in_zone { 1.0 } else if c.n && c.in_corridor { 2.0 } else { 3 } }"#,
    ),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn shipped_and_probe_scripts_agree_with_the_interpreter(candidates in prop::collection::vec(candidate(), 20)) {
        let dir = tempfile::tempdir().unwrap();
        let mut plugins: Vec<(String, RhaiPlugin)> = ["site-score", "grid-suitability"]
            .iter()
            .map(|n| (n.to_string(), RhaiPlugin::load(&shipped(n)).unwrap()))
            .collect();
        for (i, (what, script)) in SCRIPTS.iter().enumerate() {
            let d = dir.path().join(i.to_string());
            std::fs::create_dir_all(&d).unwrap();
            plugins.push((what.to_string(), plugin(&d, script, "w = 0.5\nreach = 3000.0\nbonus = 1")));
        }
        for (what, p) in &plugins {
            for c in &candidates {
                for explain in [false, true] {
                    let fast = p.score(c, explain);
                    let slow = p.interpret_score(c, explain);
                    prop_assert!(same(&fast, &slow), "{}: {:?}\nfast {:?}\nslow {:?}", what, c, fast, slow);
                }
            }
        }
    }
}

#[test]
fn the_fast_path_answers_the_shipped_plugins_by_itself() {
    let names: FeatureNames = Arc::from(vec!["road_distance".to_owned(), "in_corridor".to_owned()]);
    let grid = RhaiPlugin::load(&shipped("grid-suitability")).unwrap();
    for (d, inside) in [(0.0, false), (50.0, false), (5000.0, false), (10.0, true)] {
        let c = Candidate::new(
            "c",
            names.clone(),
            vec![Value::Float(d), Value::Bool(inside)],
        );
        assert!(
            grid.compiled_answers(&c),
            "grid cell at {d} m, inside {inside}"
        );
    }
    let names: FeatureNames = Arc::from(
        [
            "town_distance",
            "road_distance",
            "village_distance",
            "in_zone",
            "in_corridor",
            "farmland_share",
            "redline_share",
        ]
        .map(str::to_owned)
        .to_vec(),
    );
    let site = RhaiPlugin::load(&shipped("site-score")).unwrap();
    let c = Candidate::new(
        "S1",
        names,
        vec![
            Value::Float(100.0),
            Value::Float(10.0),
            Value::Missing,
            Value::Bool(false),
            Value::Bool(false),
            Value::Float(0.0),
            Value::Missing,
        ],
    );
    assert!(site.compiled_answers(&c));
}
