//! `gen-demo [--seed N] [OUT_DIR]`: regenerate the demo region (default: this
//! package's `demo/` with the committed seed).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen-demo [--seed N] [OUT_DIR]";

fn main() -> ExitCode {
    let mut seed = hecun_gis_data::SEED;
    let mut dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!(
                    "{USAGE}\n\nWrites the synthetic 合村并城 demo region to OUT_DIR (default {}).\n\
                     The committed demo uses seed {}; another seed gives another region of the same shape.",
                    hecun_gis_data::DEMO_DIR,
                    hecun_gis_data::SEED
                );
                return ExitCode::SUCCESS;
            }
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => {
                    eprintln!("gen-demo: --seed needs an unsigned integer\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ if dir.is_none() && !a.starts_with('-') => dir = Some(PathBuf::from(a)),
            _ => {
                eprintln!("gen-demo: unexpected argument {a:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from(hecun_gis_data::DEMO_DIR));
    let t0 = Instant::now();
    match hecun_gis_data::generate(&dir, seed) {
        Ok(out) => {
            for o in &out {
                let n = if o.features > 0 {
                    format!("{} features", o.features)
                } else {
                    String::new()
                };
                println!("{:<20} {:>13} {:>9} bytes", o.name, n, o.contents.len());
            }
            println!(
                "wrote {} (seed {seed}) in {:.2} s",
                dir.display(),
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
