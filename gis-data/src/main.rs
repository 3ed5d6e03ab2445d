//! `gen-demo [--scale demo|county|province] [--villages N] [--plugins DIR] [--seed N]
//! [OUT_DIR]`: regenerate the demo region (default: this package's `demo/` with the committed
//! seed), or write a larger region of the same make for testing hecun at scale.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use hecun_gis_data::{Params, Scale};

const USAGE: &str = "usage: gen-demo [--scale demo|county|province] [--villages N] [--plugins DIR] [--seed N] [OUT_DIR]";

fn main() -> ExitCode {
    let mut seed = hecun_gis_data::SEED;
    let mut dir = None;
    let mut scale = Scale::Demo;
    let mut villages = None;
    let mut plugins = None;
    let mut args = std::env::args().skip(1);
    let fail = |msg: String| {
        eprintln!("gen-demo: {msg}\n{USAGE}");
        ExitCode::from(2)
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!(
                    "{USAGE}\n\nWrites the synthetic 合村并城 demo region to OUT_DIR (default {}).\n\
                     The committed demo uses seed {}; another seed gives another region of the same shape.\n\n\
                     --scale county    9 counties, 144 townships, ~5,400 villages (96 km square)\n\
                     --scale province  100 counties, 1,600 townships, ~60,000 villages (320 km square)\n\
                     \x20                 (both need OUT_DIR; they write the GeoJSON layers, counties.geojson\n\
                     \x20                 and plan.toml, whose plugins are those of --plugins DIR,\n\
                     \x20                 default this repository's plugins/ as an absolute path)\n\
                     --villages N      how many villages a county or province region gets",
                    hecun_gis_data::DEMO_DIR,
                    hecun_gis_data::SEED
                );
                return ExitCode::SUCCESS;
            }
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => return fail("--seed needs an unsigned integer".into()),
            },
            "--scale" => match args.next().as_deref().and_then(Scale::parse) {
                Some(s) => scale = s,
                None => return fail("--scale needs demo, county or province".into()),
            },
            "--villages" => match args.next().and_then(|s| s.parse().ok()) {
                Some(n) if n > 0 => villages = Some(n),
                _ => return fail("--villages needs a positive integer".into()),
            },
            "--plugins" => match args.next() {
                Some(p) => plugins = Some(PathBuf::from(p)),
                None => return fail("--plugins needs a folder".into()),
            },
            _ if dir.is_none() && !a.starts_with('-') => dir = Some(PathBuf::from(a)),
            _ => return fail(format!("unexpected argument {a:?}")),
        }
    }
    if scale == Scale::Demo && (villages.is_some() || plugins.is_some()) {
        return fail("--villages and --plugins are for --scale county or province".into());
    }
    let dir = match dir {
        Some(d) => d,
        // The committed demo is the only region written into the repository.
        None if scale == Scale::Demo => PathBuf::from(hecun_gis_data::DEMO_DIR),
        None => return fail(format!("--scale {} needs OUT_DIR", scale.name())),
    };
    let plugins = plugins.unwrap_or_else(hecun_gis_data::default_plugins_dir);
    let t0 = Instant::now();
    let written = if scale == Scale::Demo {
        hecun_gis_data::generate(&dir, seed)
    } else {
        hecun_gis_data::generate_at(&dir, Params::of(scale, villages), seed, &plugins)
    };
    match written {
        Ok(out) => {
            for o in &out {
                let n = if o.features > 0 {
                    format!("{} features", o.features)
                } else {
                    String::new()
                };
                println!("{:<20} {:>15} {:>10} bytes", o.name, n, o.contents.len());
            }
            println!(
                "wrote {} ({}, seed {seed}) in {:.2} s",
                dir.display(),
                scale.name(),
                t0.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-demo: cannot write {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
