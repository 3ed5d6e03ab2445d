//! A plugin's plugin.toml: any text gives a manifest or an error, never a panic.
#![no_main]

use std::path::Path;

use hecun::rules::Manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok((manifest, _code)) = Manifest::parse(Path::new("plugin/plugin.toml"), text) {
        let _ = manifest.runtime();
        for c in &manifest.criteria {
            let _ = c.title("zh-CN");
            let _ = c.title("en");
        }
        let _ = manifest.missing_layer_warnings(&["villages"], ("skipped", "已跳过"));
    }
});
