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
fn outcome(run: &AffectedRun) -> impl PartialEq + std::fmt::Debug + use<> {
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
    let options = ReadOptions::default().with_id_fields(["统计用区划代码"]);
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

#[test]
fn prepared_layers_give_the_run_of_the_job_at_any_widths() {
    let job = demo_plan().affected;
    let layers = job.prepare(&|_| {}).unwrap();
    assert_eq!(
        outcome(&layers.run_with(&job.zones).unwrap()),
        outcome(&job.run(&|_| {}).unwrap())
    );
    let class = job.zones.class_named("环线").unwrap();
    let wider = job.zones.with_width(&class, 300.0).unwrap();
    let mut wider_job = job.clone();
    wider_job.zones = wider.clone();
    let wide = layers.run_with(&wider).unwrap();
    assert_eq!(outcome(&wide), outcome(&wider_job.run(&|_| {}).unwrap()));
    assert!(
        wide.summary.total.villages > layers.run_with(&job.zones).unwrap().summary.total.villages
    );
    assert_eq!(
        layers.villages().len(),
        layers.villages_layer().features.len()
    );
}

/// The plan run and a sweep of several widths start from layers prepared once: with the
/// affected job's files gone after preparing, both still run, and give what they give from
/// the files.
#[test]
fn a_plan_run_and_a_sweep_read_the_layers_once() {
    let tmp = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(demo()).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, tmp.path().join(f.file_name().unwrap())).unwrap();
    }
    let mut plan = Plan::load(&tmp.path().join("plan.toml")).unwrap();
    // No plugins: the steps after the affected villages read files of their own.
    plan.launch_check = None;
    plan.standard_check = None;
    plan.site_scoring = None;
    let spec = hecun::report::SweepSpec::parse("环线=50..250/50").unwrap();
    let expected_run = hecun::run::PlanRun::run(&plan, &|_| {}).unwrap();
    let expected_sweep = hecun::report::sweep(&plan.affected, &spec, &|_, _| {}).unwrap();

    let layers = plan.affected.prepare(&|_| {}).unwrap();
    for layer in ["villages", "roads", "corridors", "townships"] {
        std::fs::remove_file(tmp.path().join(format!("{layer}.geojson"))).unwrap();
    }
    let run = hecun::run::PlanRun::run_prepared(&plan, &layers, &|_| {}).unwrap();
    assert_eq!(outcome(&run.affected), outcome(&expected_run.affected));
    let swept =
        hecun::report::sweep_prepared(&layers, &plan.affected.zones, &spec, &|_, _| {}).unwrap();
    assert_eq!(swept, expected_sweep);
    assert_eq!(swept.rows.len(), 5);
    // The files are indeed gone: the job itself cannot run.
    assert!(plan.affected.run(&|_| {}).is_err());
}

/// A service answers with the run's summary, villages and warnings as JSON; the village,
/// household and people counts have one shape there and in the report.
#[test]
fn the_results_a_service_returns_are_json() {
    let plan = demo_plan();
    let run = plan.affected.run(&|_| {}).unwrap();
    let json = serde_json::to_value(&run.summary).unwrap();
    assert_eq!(
        json["total"],
        serde_json::json!({
            "villages": run.summary.total.villages,
            "households": run.summary.total.households,
            "population": run.summary.total.population,
        })
    );
    assert_eq!(
        json["townships"].as_array().unwrap().len(),
        run.summary.townships.len()
    );
    let back: hecun::Summary = serde_json::from_value(json).unwrap();
    assert_eq!(back, run.summary);

    let villages = serde_json::to_value(&run.villages).unwrap();
    assert_eq!(villages[0]["id"], run.villages[0].id.as_str());
    let affected = serde_json::to_value(&run.affected).unwrap();
    assert_eq!(affected.as_array().unwrap().len(), run.affected.len());

    let report = hecun::run::PlanRun::from_affected(run)
        .report(&plan, None, false)
        .unwrap();
    let total: hecun::Counts = report.totals.affected;
    assert_eq!(total, back.total);
}

/// Every file of a written plan run, and of the affected job, comes the same byte for byte
/// from memory.
#[test]
fn outputs_in_memory_are_the_written_files() {
    use hecun::OutputSet;
    use hecun::report::{Lang, SweepSpec};
    use hecun::run::{PlanRun, RunRequest};

    let tmp = tempfile::tempdir().unwrap();
    let plan = demo_plan();
    let mut request = RunRequest::new(tmp.path().join("run"), Lang::En);
    request.sweep = Some(SweepSpec::parse("环线=50..150/50").unwrap());
    request.options.lang = "en".into();
    let written = PlanRun::run_and_write(&plan, &request, &|_| {}, &|_, _, _| {}).unwrap();
    let in_memory = written
        .run
        .output_files(
            &plan,
            OutputSet::default(),
            Some((&written.report, Lang::En)),
        )
        .unwrap();
    let names: Vec<&str> = in_memory.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, written.files);
    for (name, bytes) in &in_memory {
        let on_disk = std::fs::read(tmp.path().join("run").join(name)).unwrap();
        assert!(*bytes == on_disk, "{name} differs from the written file");
    }

    let run = &written.run.affected;
    hecun::write_affected(
        run,
        &tmp.path().join("affected"),
        OutputSet::default(),
        plan.affected.engine,
    )
    .unwrap();
    let files = run
        .output_files(OutputSet::default(), plan.affected.engine)
        .unwrap();
    assert!(files.iter().any(|(n, _)| n == "zones.geojson"));
    assert!(files.iter().any(|(n, _)| n == "summary.txt"));
    for (name, bytes) in &files {
        let on_disk = std::fs::read(tmp.path().join("affected").join(name)).unwrap();
        assert!(*bytes == on_disk, "{name} differs from the written file");
    }
    let on_disk = std::fs::read_dir(tmp.path().join("affected"))
        .unwrap()
        .count();
    assert_eq!(
        on_disk,
        files.len() + 1,
        "the folder holds the files and its marker"
    );
}

#[test]
fn a_cancelled_run_returns_the_cancel_error() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let job = demo_plan().affected;
    let stop = AtomicBool::new(true);
    let err = job
        .run_controlled(&hecun::RunControl::default().cancel(&stop))
        .unwrap_err();
    assert!(
        matches!(
            err,
            hecun::Error::Cancelled {
                stage: "load",
                reason: "cancelled"
            }
        ),
        "{err}"
    );

    // Cancelled while the villages are joined (another thread would set the flag; the
    // progress callback stands in for it).
    let stop = AtomicBool::new(false);
    let cancel_at_join = |stage: &str| {
        if stage == "join" {
            stop.store(true, Ordering::Relaxed);
        }
    };
    let control = hecun::RunControl::default()
        .progress(&cancel_at_join)
        .cancel(&stop);
    let err = job.run_controlled(&control).unwrap_err();
    assert!(
        matches!(err, hecun::Error::Cancelled { stage: "join", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("cancelled"), "{err}");

    // `keep_going` skips villages that cannot be tested, never a cancelled run.
    let mut lenient = job.clone();
    lenient.keep_going = true;
    stop.store(false, Ordering::Relaxed);
    let err = lenient.run_controlled(&control).unwrap_err();
    assert!(
        matches!(err, hecun::Error::Cancelled { stage: "join", .. }),
        "{err}"
    );

    let layers = job.prepare(&|_| {}).unwrap();
    let late = hecun::RunControl::default().deadline(std::time::Instant::now());
    let err = layers.run_controlled(&job.zones, &late).unwrap_err();
    assert!(
        matches!(
            err,
            hecun::Error::Cancelled {
                reason: "past its deadline",
                ..
            }
        ),
        "{err}"
    );
    let err = hecun::run::PlanRun::run_controlled(&demo_plan(), &late).unwrap_err();
    assert!(matches!(err, hecun::Error::Cancelled { .. }), "{err}");
}

#[test]
fn a_run_without_progress_runs_on_the_callers_pool() {
    let job = demo_plan().affected;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let threads = std::sync::Mutex::new(Vec::new());
    let seen = |_: &str| threads.lock().unwrap().push(rayon::current_num_threads());
    let run = job
        .run_controlled(&hecun::RunControl::default().pool(&pool).progress(&seen))
        .unwrap();
    assert_eq!(*threads.lock().unwrap(), [1, 1, 1, 1, 1]);
    let quiet = job.run_controlled(&hecun::RunControl::default()).unwrap();
    assert_eq!(outcome(&run), outcome(&quiet));
}
