//! Errors a caller must tell apart are variants with fields, and their words stay the ones
//! the command line prints.

use hecun::{CrsEngine, CrsProblem, Error, Plan, ZoneSpec};

#[test]
fn a_bad_width_is_a_parameter_error_and_a_broken_plan_a_configuration_error() {
    let negative = ZoneSpec::from_pairs([("ring", -1.0)]).unwrap_err();
    assert!(matches!(negative, Error::Param { .. }), "{negative:?}");
    assert_eq!(
        negative.to_string(),
        "zone widths: width of class \"ring\" must be a number of metres >= 0, not -1"
    );
    let unreadable = hecun::parse_width("ring:100").unwrap_err();
    assert!(matches!(unreadable, Error::Param { .. }), "{unreadable:?}");
    assert!(
        unreadable
            .to_string()
            .starts_with("--width \"ring:100\": write CLASS=METRES"),
        "{unreadable}"
    );
    let broken = Plan::parse(std::path::Path::new("plan.toml"), "name = ").unwrap_err();
    assert!(matches!(broken, Error::Config { .. }), "{broken:?}");
    assert!(broken.to_string().starts_with("plan.toml"), "{broken}");
}

#[test]
fn crs_errors_say_which_kind_of_problem() {
    let problem = |e: Error| match e {
        Error::Crs { problem, .. } => problem,
        other => panic!("expected a CRS error, got {other:?}"),
    };
    assert_eq!(
        problem("EPSG:9999".parse::<hecun::Crs>().unwrap_err()),
        CrsProblem::Unknown
    );
    assert_eq!(
        problem("not a crs".parse::<hecun::Crs>().unwrap_err()),
        CrsProblem::Unknown
    );
    assert_eq!(
        problem(hecun::Crs::cgcs2000_3deg_zone_for(10.0).unwrap_err()),
        CrsProblem::NoMetricZone
    );
    assert_eq!(
        problem("gdal".parse::<CrsEngine>().unwrap_err()),
        CrsProblem::Engine
    );
    let e = "EPSG:9999".parse::<hecun::Crs>().unwrap_err();
    assert!(
        e.to_string()
            .starts_with("CRS: EPSG:9999 is not a CRS hecun knows"),
        "{e}"
    );
}
