//! The `table` kind on the demo: the rehab-centre funding rule (`plugins/rehab-funding`) gives
//! byte-identical table files in Rhai and in WebAssembly, and its table agrees with one
//! recomputed here from `gis-data/demo/patients.geojson` and the plan's parameters alone,
//! without the plugin or the engine's totals.

use std::collections::BTreeMap;

use hecun::Plan;
use hecun::jobs::TableRun;
use hecun::rules::{Cell, RowKind};

use crate::common::{build_modules, repo};

fn rehab_plan(wasm: bool) -> Plan {
    let mut plan = Plan::load(&repo().join("gis-data/demo/plan-rehab.toml")).unwrap();
    if wasm {
        build_modules();
        plan.tables[0].plugin = plan.tables[0].plugin.join("wasm");
    }
    plan
}

fn funding(wasm: bool) -> TableRun {
    let plan = rehab_plan(wasm);
    TableRun::run(&plan, &plan.tables[0]).unwrap()
}

#[test]
fn both_runtimes_write_the_same_table_files() {
    let (a, b) = (funding(false), funding(true));
    for tag in ["zh-CN", "en"] {
        assert!(
            a.table.csv(tag) == b.table.csv(tag),
            "tables/funding.csv ({tag})"
        );
    }
    assert_eq!(a.table.json(), b.table.json(), "tables/funding.json");
    assert_eq!(a.table.rows.len(), 4);
}

/// The funding rule, from the document and the plan alone.
#[test]
fn the_funding_table_agrees_with_an_independent_recomputation() {
    let plan = rehab_plan(false);
    let centres = plan.tables[0].params["centres"].as_table().unwrap().clone();
    let text = std::fs::read_to_string(repo().join("gis-data/demo/patients.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut people: BTreeMap<String, i64> = BTreeMap::new();
    for f in json["features"].as_array().unwrap() {
        let p = &f["properties"];
        *people
            .entry(p["区县"].as_str().unwrap().to_owned())
            .or_default() += p["人数"].as_i64().unwrap();
    }
    // The document: 400 元/人/月, a base of 100 per centre, 25 万 per centre once, 2 % for
    // supervision; the demo's classes: 中原区 and 二七区 5:5, 惠济区 4:6, 金水区 all district.
    let city_percent = |d: &str| match d {
        "中原区" | "二七区" => 50.0,
        "惠济区" => 40.0,
        _ => 0.0,
    };
    let t = funding(false).table;
    let col = |id: &str| t.columns.iter().position(|c| c.id == id).unwrap();
    let num = |c: &Cell| c.number().unwrap();
    let mut grand = 0.0;
    for row in &t.rows {
        let Cell::Text(d) = &row[col("district")] else {
            panic!("district is text")
        };
        let n = centres[d.as_str()].as_integer().unwrap();
        let served = people[d.as_str()];
        let base = (n * 100 * 400 * 12) as f64;
        let extra = ((served - n * 100).max(0) * 400 * 12) as f64;
        let grant = (n * 250_000) as f64;
        let supervision = ((base + extra + grant) * 0.02 * 100.0).round() / 100.0;
        let total = base + extra + grant + supervision;
        let city = (total * city_percent(d) / 100.0 * 100.0).round() / 100.0;
        let close = |got: f64, want: f64, what: &str| {
            assert!((got - want).abs() < 0.005, "{d} {what}: {got} vs {want}");
        };
        assert_eq!(num(&row[col("people")]), served as f64, "{d} people");
        assert_eq!(num(&row[col("centres")]), n as f64, "{d} centres");
        close(num(&row[col("base_funding")]), base, "base");
        close(num(&row[col("extra_funding")]), extra, "extra");
        close(num(&row[col("facility_grant")]), grant, "grant");
        close(num(&row[col("supervision")]), supervision, "supervision");
        close(num(&row[col("total")]), total, "total");
        close(num(&row[col("city_share")]), city, "city share");
        close(
            num(&row[col("district_share")]),
            total - city,
            "district share",
        );
        grand += total;
    }
    assert_eq!(
        t.rows.len(),
        people.len(),
        "one row per district with patients"
    );
    // The engine's total row.
    let total = t.totals[col("total")].as_ref().unwrap().number().unwrap();
    assert!((total - grand).abs() < 0.005, "{total} vs {grand}");
    let layout = t.layout();
    assert_eq!(layout.last().unwrap().0, RowKind::Total);
    assert_eq!(
        layout
            .iter()
            .filter(|(k, _)| *k == RowKind::Subtotal)
            .count(),
        3,
        "one subtotal per share class (5:5, 4:6, 0:10)"
    );
}
