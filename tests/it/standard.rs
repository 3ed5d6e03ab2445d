//! The real `hecun` binary and the planning-standard plugin: `hecun plugin test`, `hecun check`
//! on the demo plan (files, numbers, evidence), and `hecun run` with the plan's
//! `[checks] standard`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{hecun, repo, stderr};

fn plugin() -> PathBuf {
    repo().join("plugins/planning-standard")
}

/// `hecun check` on the demo plan with the planning-standard plugin, into `dir/out`.
fn check(dir: &Path) -> Output {
    let plan = repo().join("gis-data/demo/plan.toml");
    hecun(
        &[
            "check",
            plan.to_str().unwrap(),
            "--plugin",
            plugin().to_str().unwrap(),
            "--out",
            "out",
        ],
        dir,
    )
}

/// The rows of a CSV file written with a BOM, by the first column.
fn rows(path: &Path) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "{} has no BOM",
        path.display()
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r: Vec<String> = r.unwrap().iter().map(str::to_owned).collect();
            (r[0].clone(), r)
        })
        .collect();
    (header, rows)
}

#[test]
fn plugin_test_runs_the_planning_standard_cases() {
    let o = hecun(
        &["plugin", "test", plugin().to_str().unwrap()],
        Path::new("."),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    assert!(
        text.contains("planning-standard 1.0.0 (35 cases)") && text.contains("35 passed, 0 failed"),
        "{text}"
    );
}

#[test]
fn check_on_the_demo_writes_each_communitys_standard_with_its_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let o = check(tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("planning-standard: 40 communities")
            && stdout.contains("GB 50180-2018 4 (0 meet it)")
            && stdout.contains("河南省新型农村社区规划建设导则 36 (2 meet it)")
            && stdout.contains("0 without a site")
            && stdout.contains("34 sites outside every zoning polygon"),
        "{stdout}"
    );

    let (header, rows) = rows(&tmp.path().join("out/standards.csv"));
    assert_eq!(
        header,
        [
            "community",
            "standard",
            "status",
            "failed",
            "township",
            "township_type",
            "population",
            "households",
            "villages",
            "village_ids",
            "site",
            "site_area_m2",
            "land_per_person_m2",
            "land_use",
            "land_use_share",
            "zoning_shares",
            "outside_zoning",
            "note",
            "error"
        ]
    );
    assert_eq!(rows.len(), 40);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (name, r) in &rows {
        // Land per person is the site's area over the population; the thresholds follow.
        let population: f64 = r[col("population")].parse().unwrap();
        let area: f64 = r[col("site_area_m2")].parse().unwrap();
        let per_person: f64 = r[col("land_per_person_m2")].parse().unwrap();
        assert!(
            (per_person - area / population).abs() < 1e-9 * per_person,
            "{name}"
        );
        let failed: Vec<&str> = r[col("failed")]
            .split(';')
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(
            r[col("status")],
            if failed.is_empty() { "pass" } else { "fail" },
            "{name}"
        );
        assert_eq!(
            r[col("village_ids")].split(';').count().to_string(),
            r[col("villages")],
            "{name}"
        );
        if r[col("standard")] == "河南省新型农村社区规划建设导则" {
            assert_eq!(
                failed.contains(&"min_population"),
                population < 2000.0,
                "{name}"
            );
            assert_eq!(
                failed.contains(&"max_land_per_person"),
                per_person > 100.0,
                "{name}"
            );
        } else {
            assert_eq!(r[col("standard")], "GB 50180-2018");
            assert!(["城镇建设用地", "产业集聚区"].contains(&r[col("land_use")].as_str()));
            assert!(
                failed.iter().all(|f| f.starts_with("life_circle_")),
                "{name}"
            );
        }
        assert_eq!(r[col("error")], "", "{name}");
    }
    // Numbers from the demo files: 孟庄镇新社区2 merges 2 villages of 755 people on site S039.
    let r = &rows["孟庄镇新社区2"];
    assert_eq!(
        (
            r[col("population")].as_str(),
            r[col("villages")].as_str(),
            r[col("site")].as_str()
        ),
        ("755", "2", "S039")
    );
    assert_eq!(
        r[col("failed")],
        "max_land_per_person;min_population;on_construction_land"
    );

    // The JSON has every finding with its evidence: ids, values, distances.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("out/standards.json")).unwrap(),
    )
    .unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 40);
    let small = list
        .iter()
        .find(|c| c["community"] == "孟庄镇新社区2")
        .unwrap();
    let population = small["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["criterion"] == "min_population")
        .unwrap();
    assert_eq!(population["evidence"]["population"], 755);
    assert_eq!(population["evidence"]["min_population"], 2000);
    assert_eq!(
        population["evidence"]["villages"].as_array().unwrap().len(),
        2
    );
    let circle = list
        .iter()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .find(|f| f["criterion"] == "life_circle_幼儿园")
        .unwrap();
    assert_eq!(circle["evidence"]["limit_m"], 300.0);
    assert!(circle["evidence"]["distance_m"].as_f64().unwrap() > 300.0);
    assert!(
        circle["evidence"]["nearest"]
            .as_str()
            .unwrap()
            .starts_with('F')
    );
    assert!(circle["reason"].as_str().unwrap().contains("5分钟生活圈"));
}

#[test]
fn check_reruns_byte_identically() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    assert!(check(a.path()).status.success());
    assert!(check(b.path()).status.success());
    for f in ["standards.csv", "standards.json"] {
        let x = std::fs::read(a.path().join("out").join(f)).unwrap();
        let y = std::fs::read(b.path().join("out").join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs");
    }
}

#[test]
fn run_writes_the_standards_the_plan_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let o = hecun(&["run", plan.to_str().unwrap(), "--out", "run"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("规划标准：planning-standard：40 个社区"),
        "{stdout}"
    );
    // The report's plugin table names the edition the planning standard applied.
    let report = std::fs::read_to_string(tmp.path().join("run/report.html")).unwrap();
    assert!(
        report.contains("标准版本 GB 50180-2018（现行；方案所引GB 50180-93已被替代）"),
        "the report does not name the edition"
    );
    assert!(check(tmp.path()).status.success());
    for f in ["standards.csv", "standards.json"] {
        let x = std::fs::read(tmp.path().join("run").join(f)).unwrap();
        let y = std::fs::read(tmp.path().join("out").join(f)).unwrap();
        assert!(x == y, "{f}: hecun run and hecun check disagree");
    }
}

#[test]
fn check_refuses_a_plugin_of_another_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = repo().join("gis-data/demo/plan.toml");
    let site_score = repo().join("plugins/site-score");
    let o = hecun(
        &[
            "check",
            plan.to_str().unwrap(),
            "--plugin",
            site_score.to_str().unwrap(),
            "--out",
            "out",
        ],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is a site-score plugin"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("out").exists());
}

/// The polygons of a demo GeoJSON layer (lon/lat), with each feature's properties.
fn polygons(name: &str) -> Vec<(serde_json::Value, geo::MultiPolygon<f64>)> {
    let text = std::fs::read_to_string(repo().join("gis-data/demo").join(name)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ring = |r: &serde_json::Value| -> geo::LineString<f64> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect()
    };
    let polygon = |p: &serde_json::Value| {
        let rings = p.as_array().unwrap();
        geo::Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
    };
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let g = &f["geometry"];
            let shape = match g["type"].as_str().unwrap() {
                "Polygon" => geo::MultiPolygon(vec![polygon(&g["coordinates"])]),
                "MultiPolygon" => geo::MultiPolygon(
                    g["coordinates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(polygon)
                        .collect(),
                ),
                other => panic!("{name}: {other}"),
            };
            (f["properties"].clone(), shape)
        })
        .collect()
}

/// Issue 14, "planning standard by the plan's own rule", recomputed from the demo's files
/// with geo's own overlay (not hecun's index): each community's township type is its
/// township's 类型 in townships.geojson; its site is outside zoning when no zoning polygon
/// overlaps it; its standard is GB 50180 when the urban classes of its township's type (a
/// 乡: 产业集聚区 only) cover at least half of the site; and a site outside zoning fails
/// on_construction_land.
#[test]
fn demo_standards_follow_the_plans_rule_recomputed_from_the_files() {
    use geo::{Area, BooleanOps};
    let tmp = tempfile::tempdir().unwrap();
    let o = check(tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("edition applied: GB 50180-2018（现行；方案所引GB 50180-93已被替代）"),
        "{stdout}"
    );
    let types: BTreeMap<String, String> = polygons("townships.geojson")
        .into_iter()
        .map(|(p, _)| {
            (
                p["名称"].as_str().unwrap().to_owned(),
                p["类型"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let kinds: std::collections::BTreeSet<&str> = types.values().map(String::as_str).collect();
    assert_eq!(kinds, ["乡", "镇"].into(), "the demo mixes 镇 and 乡");
    let zoning = polygons("zoning.geojson");
    let sites: BTreeMap<String, geo::MultiPolygon<f64>> = polygons("sites.geojson")
        .into_iter()
        .map(|(p, g)| (p["编号"].as_str().unwrap().to_owned(), g))
        .collect();
    let (header, rows) = rows(&tmp.path().join("out/standards.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (mut outside_seen, mut xiang_seen, mut urban_seen) = (0, 0, 0);
    for (name, r) in &rows {
        let township_type = &types[&r[col("township")]];
        assert_eq!(&r[col("township_type")], township_type, "{name}");
        let site = &sites[&r[col("site")]];
        let area = site.unsigned_area();
        let share = |classes: &[&str]| -> f64 {
            zoning
                .iter()
                .filter(|(p, _)| {
                    classes.is_empty() || classes.contains(&p["用地类型"].as_str().unwrap())
                })
                .map(|(_, z)| z.intersection(site).unsigned_area())
                .sum::<f64>()
                / area
        };
        let outside = share(&[]) == 0.0;
        assert_eq!(r[col("outside_zoning")], outside.to_string(), "{name}");
        let failed: Vec<&str> = r[col("failed")].split(';').collect();
        assert_eq!(failed.contains(&"on_construction_land"), outside, "{name}");
        let urban = if township_type == "乡" {
            share(&["产业集聚区"])
        } else {
            share(&["城镇建设用地", "产业集聚区"])
        };
        // Shares computed in lon/lat rather than metres: keep clear of the threshold.
        assert!((urban - 0.5).abs() > 1e-3, "{name}: {urban}");
        let want = if urban >= 0.5 {
            "GB 50180-2018"
        } else {
            "河南省新型农村社区规划建设导则"
        };
        assert_eq!(r[col("standard")], want, "{name}");
        outside_seen += usize::from(outside);
        xiang_seen += usize::from(township_type == "乡");
        urban_seen += usize::from(urban >= 0.5);
    }
    // The demo exercises each rule: sites outside zoning, 乡 communities, GB 50180 ones.
    assert!(outside_seen > 0 && xiang_seen > 0 && urban_seen > 0);
}
