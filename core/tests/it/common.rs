//! What several test modules share: random star polygons, the reference city as a plan, and
//! the WebAssembly guests built once.
#![allow(dead_code)] // each test file uses its own part of it

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::{Coord, LineString, Polygon};
use hecun::Plan;
use proptest::prelude::*;

/// The reference city's data, copied into the repository.
pub fn reference_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city")
}

/// The reference city as a plan: its layers, the reference widths, EPSG:4547.
pub fn reference_plan() -> Plan {
    let d = reference_data();
    let text = format!(
        r#"
        name = "reference city"
        [crs]
        metric = "EPSG:4547"
        [layers.villages]
        path = "{d}/villages.geojson"
        [layers.roads]
        path = "{d}/roads.geojson"
        [layers.corridors]
        path = "{d}/corridors.geojson"
        [layers.townships]
        path = "{d}/townships.geojson"
        fields = {{ name = "name" }}
        [layers.sites]
        path = "{d}/sites.geojson"
        [zones.widths]
        ring = 100
        radial = 50
        expressway = 80
        corridor = 0
        "#,
        d = d.display()
    );
    Plan::parse(&d.join("plan.toml"), &text).unwrap()
}

/// A star-shaped (hence simple) polygon around (cx, cy), like the generator's villages.
pub fn star(cx: f64, cy: f64, r: f64, radii: &[f64], phase: f64) -> Polygon<f64> {
    let n = radii.len();
    let mut pts: Vec<Coord<f64>> = radii
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let a = phase + std::f64::consts::TAU * k as f64 / n as f64;
            Coord {
                x: cx + r * f * a.cos(),
                y: cy + r * f * a.sin(),
            }
        })
        .collect();
    pts.push(pts[0]);
    Polygon::new(LineString(pts), vec![])
}

/// Random star-shaped polygons of radius `radius` whose vertices wobble by `wobble`.
pub fn stars(
    radius: std::ops::Range<f64>,
    wobble: std::ops::Range<f64>,
    vertices: std::ops::Range<usize>,
) -> impl Strategy<Value = Polygon<f64>> {
    (
        0.0..3000.0f64,
        0.0..3000.0f64,
        radius,
        prop::collection::vec(wobble, vertices),
        0.0..std::f64::consts::TAU,
    )
        .prop_map(|(x, y, r, radii, phase)| star(x, y, r, &radii, phase))
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the WebAssembly guests (`plugins/`) once for the whole test executable and copies
/// each module into its plugin's `wasm/` folder; panics with cargo's own words if that fails.
/// It writes under the repository (`plugins/target`, `plugins/*/wasm`), so every test that
/// needs the modules calls this: one `OnceLock`, never two builds racing.
pub fn build_modules() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        // Tests do not install toolchains: the README's test command and `.ci/run` add the
        // target first. Without it, say so rather than fail inside cargo's output.
        let installed = std::process::Command::new("rustc")
            .args(["--print", "target-libdir", "--target", "wasm32-unknown-unknown"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .is_some_and(|dir| Path::new(&dir).is_dir());
        assert!(
            installed,
            "the WebAssembly plugins need rustup's wasm32-unknown-unknown target: run \
             `rustup target add wasm32-unknown-unknown` (the README's test command does)"
        );
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        // Where the manifests look for the modules (`plugins/target`), whatever target
        // folder the tests themselves were built in (CARGO_TARGET_DIR).
        let out = std::process::Command::new(cargo)
            .args(["build", "--release", "--target", "wasm32-unknown-unknown", "--manifest-path"])
            .arg(repo().join("plugins/Cargo.toml"))
            .arg("--target-dir")
            .arg(repo().join("plugins/target"))
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building the WebAssembly plugins failed (is the target installed? `rustup target add wasm32-unknown-unknown`):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Each manifest names its module in its own folder (a plugin may read nothing
        // outside it): put each module there, as plugins/build-wasm.sh does.
        let release = repo().join("plugins/target/wasm32-unknown-unknown/release");
        for entry in std::fs::read_dir(repo().join("plugins")).expect("plugins/ is there") {
            let dir = entry.expect("plugins/ is readable").path().join("wasm");
            let Ok(toml) = std::fs::read_to_string(dir.join("plugin.toml")) else {
                continue;
            };
            let module: toml::Value = toml::from_str(&toml).expect("a shipped manifest parses");
            let module = module["module"].as_str().expect("a shipped module name");
            std::fs::copy(release.join(module), dir.join(module))
                .unwrap_or_else(|e| panic!("copying {module} into {}: {e}", dir.display()));
        }
    });
}

/// The voluntary context switches so far of this process's thread named `name` (Linux: one
/// per wake-up), if it runs.
#[cfg(target_os = "linux")]
pub fn thread_wakeups(name: &str) -> Option<u64> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        // A thread's name is cut to 15 bytes there.
        let comm = comm.trim();
        if comm.len() >= 12 && name.starts_with(comm) {
            let status = std::fs::read_to_string(task.path().join("status")).ok()?;
            return status
                .lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|n| n.trim().parse().ok());
        }
    }
    None
}

/// Runs the test `test` (its full name) alone, in a new process of this test binary, with
/// `env` set: for tests of process-wide state that other tests running beside it would
/// disturb. The test checks `env` to know it is the one to do the work.
pub fn run_alone(test: &str, env: &str) {
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--test-threads", "1", "--nocapture"])
        .env(env, "1")
        .status()
        .unwrap();
    assert!(status.success(), "{test}, run alone, failed");
}
