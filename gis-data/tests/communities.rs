//! The communities roster (communities.xlsx and communities.csv) read back by hecun's own
//! roster reader and checked against the villages and sites layers it was built from.

use std::collections::{BTreeMap, BTreeSet};

use hecun::{Roster, read_roster};
use serde_json::Value;

/// Every row of a roster file, column name → value as text (numbers as written, strings
/// unquoted, empty cells absent), keyed by 社区编号.
fn read(dir: &std::path::Path, name: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut roster = Roster::new(dir.join(name), "社区编号", "社区编号");
    if name.ends_with(".xlsx") {
        roster.sheet = Some("社区".to_owned());
    }
    let (table, warnings) = read_roster(&roster, &[]).unwrap();
    assert!(warnings.is_empty(), "{name}: {warnings:?}");
    assert_eq!(
        table.columns,
        hecun_gis_data::communities::COLUMNS,
        "{name}"
    );
    table
        .rows
        .iter()
        .map(|row| {
            let cells = table
                .columns
                .iter()
                .zip(&row.values)
                .filter_map(|(c, v)| {
                    let v: Value = serde_json::from_str(v.as_deref()?).unwrap();
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    Some((c.clone(), text))
                })
                .collect();
            (row.key_as_written.clone(), cells)
        })
        .collect()
}

fn features(outputs: &[hecun_gis_data::Output], name: &str) -> Vec<serde_json::Map<String, Value>> {
    let layer = outputs.iter().find(|o| o.name == name).unwrap();
    let v: Value = serde_json::from_slice(&layer.contents).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"].as_object().unwrap().clone())
        .collect()
}

/// A date as the generator may type it: `2026-05-20`, `2026/5/20`, `2026.5.20`,
/// `2026年5月20日`; the (month, day) or `None`.
fn date(text: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = text
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let [y, m, d] = parts[..] else { return None };
    if y != "2026" {
        return None;
    }
    Some((m.parse().ok()?, d.parse().ok()?))
}

#[test]
fn the_roster_agrees_with_the_layers_in_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = hecun_gis_data::generate(dir.path(), hecun_gis_data::SEED).unwrap();
    let xlsx = read(dir.path(), "communities.xlsx");
    let csv = read(dir.path(), "communities.csv");
    assert_eq!(xlsx, csv, "the CSV holds the workbook's rows");

    let villages = features(&outputs, "villages.geojson");
    let sites = features(&outputs, "sites.geojson");
    let text = |p: &serde_json::Map<String, Value>, k: &str| p[k].as_str().unwrap().to_owned();
    let mut by_community: BTreeMap<String, Vec<&serde_json::Map<String, Value>>> = BTreeMap::new();
    for v in &villages {
        by_community.entry(text(v, "社区")).or_default().push(v);
    }
    assert_eq!(
        xlsx.len(),
        by_community.len(),
        "one row per community the villages name"
    );

    let mut unreadable = 0;
    let mut late = 0;
    let mut on_time = 0;
    let mut designations = BTreeMap::<String, usize>::new();
    let mut m2_only = 0;
    let mut listed = 0;
    for (id, row) in &xlsx {
        let name = &row["社区名称"];
        let members = &by_community[name];
        let site = sites.iter().find(|s| text(s, "名称") == *name).unwrap();
        assert_eq!(row["安置点编号"], text(site, "编号"), "{id}");
        assert_eq!(row["乡镇"], text(site, "乡镇"), "{id}");
        assert_eq!(row["县区"], "中牟县", "{id}");
        for v in members {
            assert!(text(v, "统计用区划代码").starts_with("410122"), "{id}");
        }
        let households: i64 = members.iter().map(|v| v["户数"].as_i64().unwrap()).sum();
        assert_eq!(row["规划户数"], households.to_string(), "{id}");
        if let Some(codes) = row.get("村庄代码") {
            listed += 1;
            let listed: BTreeSet<&str> = codes.split('、').collect();
            let expected: BTreeSet<String> =
                members.iter().map(|v| text(v, "统计用区划代码")).collect();
            let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
            assert_eq!(listed, expected, "{id}");
        }
        match (row.get("安置房套数"), row.get("安置房面积")) {
            (Some(units), _) => assert!(units.parse::<i64>().unwrap() > 0, "{id}"),
            (None, Some(m2)) => {
                m2_only += 1;
                assert!(m2.parse::<i64>().unwrap() > 0, "{id}");
            }
            (None, None) => panic!("{id}: no capacity"),
        }
        for d in row.get("称号").map_or("", String::as_str).split('、') {
            if !d.is_empty() {
                *designations.entry(d.to_owned()).or_default() += 1;
            }
        }
        let dues = [(5, 31), (6, 30), (8, 31), (12, 31)];
        let columns = [
            "方案批复日期",
            "清表完成日期",
            "安置房开工日期",
            "基础设施完成日期",
        ];
        let mut before = (0, 0);
        let mut gap = false;
        for (column, due) in columns.iter().zip(dues) {
            let Some(cell) = row.get(*column) else {
                gap = true;
                continue;
            };
            let Some(day) = date(cell) else {
                unreadable += 1;
                continue;
            };
            assert!(
                !gap,
                "{id}: {column} done after an earlier milestone left empty"
            );
            assert!(day >= before && day <= (11, 30), "{id}: {column} {cell}");
            before = day;
            if day > due {
                late += 1;
            } else {
                on_time += 1;
            }
        }
    }
    assert_eq!(unreadable, 1, "exactly one unreadable date");
    assert_eq!(m2_only, 1, "exactly one row with its capacity in m² only");
    assert!(late > 0 && on_time > 0, "late {late}, on time {on_time}");
    assert!(
        listed > 0 && listed < xlsx.len(),
        "village codes on some rows: {listed}"
    );
    for d in ["示范镇", "示范社区", "省重点项目", "试点"] {
        assert!(
            designations.get(d).is_some_and(|n| *n > 0),
            "{d}: {designations:?}"
        );
    }
    assert_eq!(designations["示范社区"], 3);
}
