//! What the tests of the `hecun` binary share: running it, reading its output.
#![allow(dead_code)] // each test file uses its own share of these

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real binary with `args` in `dir`.
pub fn hecun(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hecun"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// What the binary said on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The rows of a CSV file (with or without a BOM) as column name → text.
pub fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}
