//! Issue 15, the small page's items, through the real binary on the demo: a launch field no
//! village has is said beside the communities and in summary.txt (and warned, naming the file
//! and field); communities come in the office's order (区划代码), not by name.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common::{csv_rows, hecun, repo, stderr};

/// A project folder: the demo plan and layers, the villages given by `edit`, and the
/// plugins the plan names.
fn demo_project(edit: impl Fn(&mut serde_json::Map<String, Value>)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("gis-data/demo");
    std::fs::create_dir_all(&demo).unwrap();
    for e in std::fs::read_dir(repo().join("gis-data/demo")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), demo.join(e.file_name())).unwrap();
        }
    }
    let text = std::fs::read_to_string(demo.join("villages.geojson")).unwrap();
    let mut fc: Value = serde_json::from_str(&text).unwrap();
    for f in fc["features"].as_array_mut().unwrap() {
        edit(f["properties"].as_object_mut().unwrap());
    }
    std::fs::write(
        demo.join("villages.geojson"),
        serde_json::to_string(&fc).unwrap(),
    )
    .unwrap();
    for plugin in ["launch-criteria", "planning-standard", "site-score"] {
        let to = dir.path().join("plugins").join(plugin);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(repo().join("plugins").join(plugin)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

fn run(dir: &Path) -> std::process::Output {
    let o = hecun(
        &["run", "gis-data/demo/plan.toml", "--out", "out", "--quiet"],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// At province scale "0 may launch" came from a missing `plan_approved`, with no word on the
/// page. Now the communities section and summary.txt say it first, and the run warns.
#[test]
fn a_launch_field_no_village_has_is_said_on_the_page_and_in_the_summary() {
    let dir = demo_project(|p| {
        p.remove("方案通过");
    });
    let o = run(dir.path());
    let out = dir.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let section = &html[html.find("id=\"communities\"").unwrap()..];
    let alert = &section[section
        .find("<p class=\"alert\" data-field=\"plan_approved\">")
        .expect("said in the communities section")..];
    let alert = &alert[..alert.find("</p>").unwrap()];
    assert!(
        alert.contains("所有村庄均缺少字段 plan_approved"),
        "{alert}"
    );
    assert!(alert.contains("villages.geojson"), "{alert}");
    // Before the table it explains.
    assert!(
        section.find("class=\"alert\"").unwrap() < section.find("id=\"community-table\"").unwrap()
    );
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(
        summary.contains("所有村庄均缺少字段 plan_approved"),
        "{summary}"
    );
    // The run's warning names the file and the field.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["launch_fields_missing"][0]["field"], "plan_approved");
    let warned = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .any(|w| {
            w.contains("villages.geojson") && w.contains("no village has a value for plan_approved")
        });
    assert!(warned, "{}", stderr(&o));
    // Every community fails it: none launches.
    let launched = csv_rows(&out.join("launch_checks.csv"))
        .iter()
        .filter(|r| r["status"] == "pass")
        .count();
    assert_eq!(launched, 0);

    // The demo as it is has the field: no such words.
    let dir = demo_project(|_| {});
    run(dir.path());
    let out = dir.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("class=\"alert\""));
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(!summary.contains("所有村庄均缺少字段"));
}

/// Communities are listed by 区划代码 (the least code of their villages, read straight from
/// the villages file), in the CSVs and on the page, not by their names' code points.
#[test]
fn communities_are_in_code_order_in_the_csvs_and_on_the_page() {
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let fc: Value = serde_json::from_str(&text).unwrap();
    let mut least: BTreeMap<String, String> = BTreeMap::new();
    for f in fc["features"].as_array().unwrap() {
        let p = &f["properties"];
        let (Some(c), Some(code)) = (p["社区"].as_str(), p["统计用区划代码"].as_str())
        else {
            continue;
        };
        let e = least.entry(c.to_owned()).or_insert_with(|| code.to_owned());
        if (code.len(), code) < (e.len(), e.as_str()) {
            *e = code.to_owned();
        }
    }
    let mut expected: Vec<&String> = least.keys().collect();
    expected.sort_by_key(|c| (least[*c].len(), least[*c].clone()));
    let mut by_name = expected.clone();
    by_name.sort();
    assert_ne!(expected, by_name, "the demo tells the two orders apart");

    let dir = demo_project(|_| {});
    run(dir.path());
    let out = dir.path().join("out");
    for (file, column) in [
        ("communities.csv", "name"),
        ("launch_checks.csv", "community"),
        ("standards.csv", "community"),
    ] {
        let names: Vec<String> = csv_rows(&out.join(file))
            .into_iter()
            .map(|r| r[column].clone())
            .collect();
        assert_eq!(names.iter().collect::<Vec<_>>(), expected, "{file}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let table = &html[html.find("id=\"community-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let on_page: Vec<&str> = table
        .split("<td class=\"name\"><a href=\"#community-")
        .skip(1)
        .map(|r| {
            let r = &r[r.find('>').unwrap() + 1..];
            &r[..r.find("</a>").unwrap()]
        })
        .collect();
    assert_eq!(
        on_page,
        expected.iter().map(|s| s.as_str()).collect::<Vec<_>>()
    );
}

/// `metres` rounded, with a thousands separator, as the page writes distances.
fn grouped_metres(metres: f64) -> String {
    let digits = format!("{}", metres.round() as u64);
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped} m")
}

/// Issue 15: each scored site's terms on the page show the distances hecun measured, as
/// sites_scored.csv gives them (rounded to the metre), each on the row of the term its plugin
/// says it is computed from (`[[terms]] measure`): the row's value is the closeness the plugin
/// computes from that very distance (1 at 0 m, falling linearly to 0 at its reach).
#[test]
fn site_terms_show_the_measured_distances_of_the_csv() {
    let dir = demo_project(|_| {});
    run(dir.path());
    let out = dir.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let manifest: toml::Table =
        std::fs::read_to_string(repo().join("plugins/site-score/plugin.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let reach = |param: &str| manifest["params"][param].as_float().unwrap();
    // The plugin's terms, what each is computed from and the reach of its closeness.
    let terms = [
        (
            "town_centre",
            "town_distance",
            "距镇区中心（乡镇几何中心）",
            reach("town_reach"),
        ),
        (
            "trunk_road",
            "road_distance",
            "距最近道路",
            reach("road_reach"),
        ),
        (
            "merged_villages",
            "village_distance",
            "距并入村庄（按人口加权平均）",
            reach("village_reach"),
        ),
    ];
    for (term, feature, _, _) in terms {
        let declared = manifest["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"].as_str() == Some(term))
            .unwrap();
        assert_eq!(declared["measure"].as_str(), Some(feature), "{term}");
    }
    let mut checked = 0;
    for row in csv_rows(&out.join("sites_scored.csv")) {
        if row["score"].is_empty() {
            continue;
        }
        let at = html
            .find(&format!("<small>({} · ", row["id"]))
            .unwrap_or_else(|| panic!("terms of {}", row["id"]));
        let block = &html[at..];
        let block = &block[..block.find("</div>").unwrap()];
        assert!(block.contains("<th class=\"num\">测得距离</th>"), "{block}");
        for (term, feature, title, reach) in terms {
            let metres: f64 = row[feature].parse().unwrap();
            let tr = &block[block
                .find(&format!("<tr><td><span title=\"{term}\">"))
                .unwrap_or_else(|| panic!("{}: row of {term} in {block}", row["id"]))..];
            let tr = &tr[..tr.find("</tr>").unwrap()];
            let want = format!(
                "<td class=\"num\" data-measure=\"{feature}\" title=\"{title}\">{}</td>",
                grouped_metres(metres)
            );
            assert!(tr.contains(&want), "{}: {want} in {tr}", row["id"]);
            // The value, the cell after the distance: the closeness of that distance.
            let value = &tr[tr.find(&want).unwrap() + want.len()..];
            let value: f64 = value["<td class=\"num\">".len()..value.find("</td>").unwrap()]
                .parse()
                .unwrap();
            let closeness = (1.0 - metres / reach).max(0.0);
            assert!(
                (value - closeness).abs() <= 0.0005 + 1e-9,
                "{} {term}: value {value}, closeness of {metres} m {closeness}",
                row["id"]
            );
            // Claimed by its term: not repeated under the table.
            assert!(!block.contains(&format!("<span data-measure=\"{feature}\">")));
        }
        assert!(!block.contains("class=\"measured\""), "{block}");
        checked += 1;
    }
    assert!(checked > 10, "{checked} scored sites");
}
