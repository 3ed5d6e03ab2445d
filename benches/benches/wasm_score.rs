//! The WebAssembly scoring call (issue 4): the grid-suitability rule as a WebAssembly module
//! (`plugins/grid-suitability/wasm`) against the same rule in Rhai, on the reference city's
//! 102,400 cells with their features precomputed; and loading the module cold (compiling it)
//! and warm (from the content-hash cache).
//!
//! Build the module first:
//! `plugins/build-wasm.sh`.
use std::path::{Path, PathBuf};

/// The allocator of the `hecun` binary, so that the bench measures what the program does
/// (glibc's returns freed blocks to the kernel and faults them back in, ~18% of this bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hecun::jobs::score_cells;
use hecun::rules::{Plugin, WasmPlugin};

fn plugins() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins")
}

fn wasm_score(c: &mut Criterion) {
    let scale = hecun_benches::scales()
        .into_iter()
        .next()
        .expect("the city");
    let grid = hecun::jobs::GridSpec::load(&scale.dir.join("grid.json"))
        .expect("grid.json")
        .grid;
    let (roads, corridors) = hecun_benches::grid_layers(&scale);
    let features = hecun::grid_features(&grid, &roads, &corridors);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut g = c.benchmark_group("wasm_score");
    g.sample_size(10);
    g.throughput(Throughput::Elements(grid.len() as u64));
    for (name, dir) in [
        ("rhai", plugins().join("grid-suitability")),
        ("wasm", plugins().join("grid-suitability/wasm")),
    ] {
        let plugin = Plugin::load(&dir).expect("the plugin loads (build the modules first)");
        g.bench_function(format!("one_thread/{name}"), |b| {
            b.iter(|| one.install(|| score_cells(&features, &plugin).expect("scores")))
        });
        g.bench_function(format!("all_threads/{name}"), |b| {
            b.iter(|| score_cells(&features, &plugin).expect("scores"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("wasm_load");
    g.sample_size(10);
    let dir = plugins().join("grid-suitability/wasm");
    g.bench_function("cold", |b| {
        b.iter(|| {
            let cache = tempfile::tempdir().expect("temp dir");
            WasmPlugin::load_with_cache(&dir, Some(cache.path())).expect("loads")
        })
    });
    let cache = tempfile::tempdir().expect("temp dir");
    WasmPlugin::load_with_cache(&dir, Some(cache.path())).expect("loads");
    g.bench_function("warm", |b| {
        b.iter(|| {
            let p = WasmPlugin::load_with_cache(&dir, Some(cache.path())).expect("loads");
            assert!(p.from_cache());
            p
        })
    });
    g.finish();
}

criterion_group!(benches, wasm_score);
criterion_main!(benches);
