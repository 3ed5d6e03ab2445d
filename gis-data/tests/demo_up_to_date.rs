//! The committed `demo/` must be exactly what `gen-demo` writes: a stale demo
//! fails here. Regenerate with `cargo run -p hecun-gis-data --bin gen-demo`.

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn committed_demo_matches_generator() {
    let tmp = tempfile::tempdir().unwrap();
    // Its speed is not a test's business (a loaded machine fails any budget): `gen-demo`
    // prints the time it took.
    let out = hecun_gis_data::generate(tmp.path(), hecun_gis_data::SEED).unwrap();

    let demo = Path::new(hecun_gis_data::DEMO_DIR);
    let mut stale = Vec::new();
    for o in &out {
        let fresh = std::fs::read(tmp.path().join(o.name)).unwrap();
        match std::fs::read(demo.join(o.name)) {
            Ok(committed) if committed == fresh => {}
            Ok(_) => stale.push(format!("{} differs", o.name)),
            Err(e) => stale.push(format!("{} unreadable: {e}", o.name)),
        }
    }
    let expected: BTreeSet<String> = out.iter().map(|o| o.name.to_string()).collect();
    for entry in std::fs::read_dir(demo).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !expected.contains(&name) {
            stale.push(format!("{name} is not generated"));
        }
    }
    assert!(
        stale.is_empty(),
        "gis-data/demo is stale ({}); run `cargo run -p hecun-gis-data --bin gen-demo`",
        stale.join(", ")
    );
}

#[test]
fn generation_is_deterministic_and_seed_dependent() {
    let a = hecun_gis_data::outputs(hecun_gis_data::SEED);
    let b = hecun_gis_data::outputs(hecun_gis_data::SEED);
    let c = hecun_gis_data::outputs(hecun_gis_data::SEED + 1);
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert_eq!(x.contents, y.contents, "{}", x.name);
        if x.name.ends_with(".geojson") {
            assert_ne!(x.contents, z.contents, "{} ignores the seed", x.name);
        }
    }
}
