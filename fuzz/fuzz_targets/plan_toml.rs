//! plan.toml: any text gives a plan or an error naming the file, never a panic.
#![no_main]

use std::path::Path;

use hecun::Plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Plan::parse(Path::new("plans/plan.toml"), text);
});
