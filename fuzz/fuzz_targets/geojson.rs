//! The GeoJSON reader and the typed views built on it (villages, roads, corridors, launch
//! fields): any bytes give a layer or an error, never a panic.
#![no_main]

use std::path::Path;

use hecun::internals::{villages, zone_sources};
use hecun::{LaunchFields, LayerKind, ReadOptions, Schema, parse_geojson};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.geojson");
    let strict = ReadOptions::default();
    if parse_geojson(path, data, &strict).is_ok() {
        return;
    }
    // Whatever failed the strict read, reading on past bad features must not panic either,
    // and what it keeps goes on to the layer's typed views.
    let lenient = ReadOptions::default().with_keep_going(true);
    let Ok(read) = parse_geojson(path, data, &lenient) else {
        return;
    };
    let layer = read.layer;
    let village_schema = Schema::new(LayerKind::Villages);
    let _ = villages(&layer, &village_schema, true);
    for feature in &layer.features {
        let _ = LaunchFields::read(feature, &village_schema).to_plugin();
    }
    let _ = zone_sources("roads", &layer, &Schema::new(LayerKind::Roads), None, true);
    let _ = zone_sources(
        "corridors",
        &layer,
        &Schema::new(LayerKind::Corridors),
        Some("corridor"),
        true,
    );
});
