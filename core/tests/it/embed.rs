//! The library as a service embeds it: layers in memory instead of files, prepared layers
//! reused across widths, results as values (JSON, file bytes), runs that can be cancelled.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hecun::{AffectedRun, LayerData, LayerKind, LayerSource, Plan, ReadOptions, parse_geojson};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../gis-data/demo")
}

fn demo_plan() -> Plan {
    Plan::load(&demo().join("plan.toml")).unwrap()
}

/// The parts of a run a service returns, as comparable values.
fn outcome(run: &AffectedRun) -> impl PartialEq + std::fmt::Debug {
    (
        run.summary.clone(),
        run.affected.clone(),
        run.villages
            .iter()
            .map(|v| (v.id.clone(), v.households, v.township.clone()))
            .collect::<Vec<_>>(),
        run.warnings.clone(),
        run.zones.len(),
        run.metric_crs,
    )
}

#[test]
fn layers_as_bytes_give_the_same_run_as_the_files() {
    let plan = demo_plan();
    let from_files = plan.affected.run(&|_| {}).unwrap();

    let mut job = plan.affected.clone();
    for source in [&mut job.villages, &mut job.roads]
        .into_iter()
        .chain(job.corridors.as_mut())
        .chain(job.townships.as_mut())
    {
        let bytes = std::fs::read(&source.path).unwrap();
        source.data = LayerData::Bytes(bytes.into());
    }
    assert!(job.villages.is_in_memory());
    let from_bytes = job.run(&|_| {}).unwrap();
    assert_eq!(outcome(&from_bytes), outcome(&from_files));
    assert!(!from_files.affected.is_empty());
}

#[test]
fn a_parsed_layer_gives_the_same_run_as_its_file() {
    let plan = demo_plan();
    let from_files = plan.affected.run(&|_| {}).unwrap();

    let mut job = plan.affected.clone();
    let path = job.villages.path.clone();
    let options = ReadOptions {
        id_fields: vec!["统计用区划代码".into()],
        ..ReadOptions::default()
    };
    let layer = parse_geojson(&path, &std::fs::read(&path).unwrap(), &options)
        .unwrap()
        .layer;
    job.villages = LayerSource::from_layer(layer, LayerKind::Villages)
        .with_schema(job.villages.schema.clone());
    let from_layer = job.run(&|_| {}).unwrap();
    assert_eq!(outcome(&from_layer), outcome(&from_files));
}

#[test]
fn a_plan_from_text_takes_its_layers_from_memory() {
    let text = std::fs::read_to_string(demo().join("plan.toml")).unwrap();
    let mut plan = Plan::from_toml(&text, Path::new("uploads")).unwrap();
    for layer in ["villages", "roads", "corridors", "townships"] {
        let bytes: Arc<[u8]> = std::fs::read(demo().join(format!("{layer}.geojson")))
            .unwrap()
            .into();
        plan.use_layer_data(layer, LayerData::Bytes(bytes)).unwrap();
    }
    let run = plan.affected.run(&|_| {}).unwrap();
    let from_files = demo_plan().affected.run(&|_| {}).unwrap();
    assert_eq!(run.summary, from_files.summary);

    let err = plan
        .use_layer_data("rivers", LayerData::Bytes(Vec::new().into()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("rivers") && err.contains("plan.toml"), "{err}");
}

#[test]
fn a_broken_feature_in_memory_is_named_by_the_layer_name() {
    let mut job = demo_plan().affected;
    let bytes = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"统计用区划代码":"v1","户数":"many"},
         "geometry":{"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.7]]]}}]}"#;
    job.villages = LayerSource::from_bytes(
        "villages (upload)",
        bytes.as_bytes().to_vec(),
        LayerKind::Villages,
    )
    .with_schema(job.villages.schema.clone());
    let err = job.run(&|_| {}).unwrap_err().to_string();
    assert!(
        err.contains("villages (upload)") && err.contains("v1") && err.contains("户数"),
        "{err}"
    );
}

#[test]
fn a_plan_with_layers_in_memory_refuses_a_run_manifest_naming_the_layer() {
    let mut plan = demo_plan();
    let bytes = std::fs::read(demo().join("roads.geojson")).unwrap();
    plan.use_layer_data("roads", LayerData::Bytes(bytes.into()))
        .unwrap();
    let err = hecun::run::RunManifest::new(&plan, Vec::new(), Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("roads.geojson") && err.contains("in memory"),
        "{err}"
    );
}
