//! The whole plan (issue 14): the office's communities table joined to the villages, capacity,
//! villages in no community, roll-ups per township, county and 管委会, the plan's goals —
//! every table recomputed here directly from the files the test writes and the demo's
//! villages, with only the zone membership taken from the run's own `affected_villages.csv`
//! (the affected villages are checked against independent oracles elsewhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::{csv_rows, hecun, repo, stderr};

/// A demo village: id, name, township, 社区, households, people.
#[derive(Clone)]
struct V {
    id: String,
    township: String,
    community: Option<String>,
    households: f64,
    people: f64,
}

fn demo_villages() -> Vec<V> {
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            V {
                id: p["统计用区划代码"].as_str().unwrap().to_owned(),
                township: p["乡镇"].as_str().unwrap().to_owned(),
                community: p["社区"].as_str().map(str::to_owned),
                households: p["户数"].as_f64().unwrap(),
                people: p["人口"].as_f64().unwrap(),
            }
        })
        .collect()
}

/// The demo plan with absolute paths, `extra` appended, written into `dir` as plan.toml;
/// `villages` replaces the villages file when given.
fn write_plan(dir: &Path, villages: Option<&str>, extra: &str) -> String {
    let demo = repo().join("gis-data/demo");
    let text = std::fs::read_to_string(demo.join("plan.toml"))
        .unwrap()
        .replace("path = \"", &format!("path = \"{}/", demo.display()))
        .replace(
            "\"../../plugins",
            &format!("\"{}/plugins", repo().display()),
        );
    let text = match villages {
        Some(v) => text.replace(
            &format!("{}/villages.geojson", demo.display()),
            &format!("{}/{v}", dir.display()),
        ),
        None => text,
    };
    let path = dir.join("plan.toml");
    std::fs::write(&path, format!("{text}\n{extra}")).unwrap();
    path.to_str().unwrap().to_owned()
}

fn f(row: &BTreeMap<String, String>, c: &str) -> f64 {
    if row[c].is_empty() {
        return f64::NAN;
    }
    row[c]
        .parse()
        .unwrap_or_else(|_| panic!("{c}: {:?}", row[c]))
}

#[test]
fn the_offices_table_groups_villages_and_every_table_adds_up() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut villages = demo_villages();
    // Three villages of 中原镇 move to a township without a site and lose their 社区: in no
    // community, listed.
    let text = std::fs::read_to_string(repo().join("gis-data/demo/villages.geojson")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut orphans = Vec::new();
    for (i, feature) in json["features"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        if villages[i].township == "中原镇" && orphans.len() < 3 {
            let p = feature["properties"].as_object_mut().unwrap();
            p.insert("乡镇".into(), "无安置点乡".into());
            p.remove("社区");
            villages[i].township = "无安置点乡".into();
            villages[i].community = None;
            orphans.push(villages[i].id.clone());
        }
    }
    std::fs::write(dir.join("villages.geojson"), json.to_string()).unwrap();

    // The office's table: one row per named community, ids C01…; even rows list their
    // villages by code (the first row also takes in the first village of the second
    // community, against that village's own field: the table's word is taken).
    let names: Vec<String> = villages
        .iter()
        .filter_map(|v| v.community.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in &villages {
        if let Some(c) = &v.community {
            members.entry(c.clone()).or_default().push(v.id.clone());
        }
    }
    let stolen = members[&names[1]][0].clone();
    members.get_mut(&names[1]).unwrap().retain(|v| *v != stolen);
    members.get_mut(&names[0]).unwrap().push(stolen.clone());
    let mut csv =
        String::from("社区编号,社区名称,县区,管委会,称号,村庄代码,安置房套数,安置房面积\n");
    let mut capacity: BTreeMap<String, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for (k, name) in names.iter().enumerate() {
        let id = format!("C{:02}", k + 1);
        let listed = if k % 2 == 0 {
            members[name].join("、")
        } else {
            String::new()
        };
        let (units, m2) = match k % 3 {
            0 => (Some(100.0 + 40.0 * k as f64), None),
            1 => (None, Some(20_000.0 + 5_000.0 * k as f64)),
            _ => (None, None),
        };
        capacity.insert(id.clone(), (units, m2));
        let designations = match k {
            0 => "示范镇",
            1 => "示范社区、省重点项目",
            2 => "试点",
            3 => "新型社区",
            _ => "",
        };
        let county = if k == 5 { "" } else { "中牟县" };
        let board = if k == 4 || k == 5 {
            "郑州航空港区管委会"
        } else {
            ""
        };
        let show = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "{id},{name},{county},{board},{designations},{listed},{},{}\n",
            show(units),
            show(m2)
        ));
    }
    std::fs::write(dir.join("communities.csv"), &csv).unwrap();
    let plan = write_plan(
        dir,
        Some("villages.geojson"),
        &format!(
            "[layers.communities]\npath = \"{}/communities.csv\"\n\n[programme]\narea_per_person_m2 = 40\n\n[goals]\ncommunities = {}\nvillages = 1\ndemonstration_per_township = [1, 2]\n",
            dir.display(),
            names.len() + 1
        ),
    );
    let o = hecun(&["run", &plan, "--out", "out", "--quiet"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(dir.join("out/summary.txt")).unwrap();
    // The conflict and the unknown designation are named: in the summary's language, and in
    // English in report.json (the CLI's warning lines say the same; this run is --quiet).
    let json = std::fs::read_to_string(dir.join("out/report.json")).unwrap();
    assert!(
        summary.contains(&stolen) && summary.contains("以该表为准"),
        "{summary}"
    );
    assert!(
        json.contains(&stolen) && json.contains("the table's word is taken"),
        "{json}"
    );
    assert!(
        summary.contains("\"新型社区\" 不是 hecun 认识的称号"),
        "{summary}"
    );
    assert!(
        json.contains("\\\"新型社区\\\" is not a designation"),
        "{json}"
    );

    // Zone membership from the run itself.
    let affected: BTreeSet<String> = csv_rows(&dir.join("out/affected_villages.csv"))
        .into_iter()
        .map(|r| r["id"].clone())
        .collect();
    let by_id: BTreeMap<&str, &V> = villages.iter().map(|v| (v.id.as_str(), v)).collect();

    // communities.csv: every row of the table, with its villages as the table or the field
    // says, their zone households and people, and the capacity judged by hand.
    let rows = csv_rows(&dir.join("out/communities.csv"));
    assert_eq!(rows.len(), names.len(), "one row per community");
    for (k, name) in names.iter().enumerate() {
        let id = format!("C{:02}", k + 1);
        let row = rows
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(row["name"], *name);
        assert_eq!(row["in_table"], "true");
        let mut want: Vec<&str> = members[name].iter().map(String::as_str).collect();
        // In layer order, as the file has them.
        want.sort_by_key(|v| villages.iter().position(|x| x.id == *v));
        let got: Vec<&str> = row["village_ids"].split('、').collect();
        assert_eq!(got, want, "{id}'s villages");
        let join = if k % 2 == 0 { "listed" } else { "field" };
        assert_eq!(row["join"], join, "{id}");
        let zone: Vec<&&V> = want
            .iter()
            .filter(|v| affected.contains(**v))
            .map(|v| &by_id[v])
            .collect();
        let households: f64 = zone.iter().map(|v| v.households).sum();
        let people: f64 = zone.iter().map(|v| v.people).sum();
        assert_eq!(f(row, "zone_villages"), zone.len() as f64, "{id}");
        assert_eq!(f(row, "zone_households"), households, "{id}");
        assert_eq!(f(row, "zone_people"), people, "{id}");
        let (units, m2) = capacity[&id];
        let short_units = units.filter(|u| *u < households);
        let short_m2 = m2.filter(|m| *m < people * 40.0);
        let status = if short_units.is_some() || short_m2.is_some() {
            "short"
        } else if units.is_some() || m2.is_some() {
            "sufficient"
        } else if zone.is_empty() {
            "no_need"
        } else {
            "not_given"
        };
        assert_eq!(row["capacity"], status, "{id}: {row:?}");
        if let Some(u) = short_units {
            assert_eq!(f(row, "short_units"), households - u, "{id}");
        }
        if let Some(m) = short_m2 {
            assert!(
                (f(row, "short_m2") - (people * 40.0 - m)).abs() < 1e-6,
                "{id}"
            );
        }
        let county = if k == 5 { "410122" } else { "中牟县" };
        // Row 6 names no county: its villages' code prefix, named by the other rows.
        let county = if k == 5 { "中牟县" } else { county };
        assert_eq!(row["county"], county, "{id}");
    }
    // A 示范镇's communities are all demonstration-town communities.
    let town = &by_id[members[&names[0]][0].as_str()].township;
    for row in rows.iter().filter(|r| r["township"] == *town) {
        assert!(row["designations"].contains("示范镇"), "{row:?}");
    }

    // unassigned_villages.csv: the three, in layer order.
    let unassigned: Vec<String> = csv_rows(&dir.join("out/unassigned_villages.csv"))
        .into_iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(unassigned, orphans);
    assert!(summary.contains("未纳入任何社区的村庄 3 个"), "{summary}");

    // counties.csv: one county (every village's code starts 410122, named 中牟县 by the
    // table), holding every village.
    let counties = csv_rows(&dir.join("out/counties.csv"));
    assert_eq!(counties.len(), 1, "{counties:?}");
    let c = &counties[0];
    assert_eq!(c["county"], "中牟县");
    assert_eq!(f(c, "villages"), villages.len() as f64);
    assert_eq!(f(c, "unassigned"), 3.0);
    assert_eq!(f(c, "communities"), names.len() as f64);
    assert_eq!(f(c, "zone_villages"), affected.len() as f64);
    let zone_households: f64 = villages
        .iter()
        .filter(|v| affected.contains(&v.id))
        .map(|v| v.households)
        .sum();
    assert_eq!(f(c, "households"), zone_households);

    // township_rollup.csv: per township, villages and zone villages by hand.
    for r in csv_rows(&dir.join("out/township_rollup.csv")) {
        let mine: Vec<&V> = villages
            .iter()
            .filter(|v| v.township == r["township"])
            .collect();
        assert_eq!(f(&r, "villages"), mine.len() as f64, "{r:?}");
        let zone = mine.iter().filter(|v| affected.contains(&v.id)).count();
        assert_eq!(f(&r, "zone_villages"), zone as f64, "{r:?}");
    }

    // boards.csv: the two communities under the 管委会 and their villages.
    let boards = csv_rows(&dir.join("out/boards.csv"));
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0]["board"], "郑州航空港区管委会");
    assert_eq!(f(&boards[0], "communities"), 2.0);
    let board_villages = members[&names[4]].len() + members[&names[5]].len();
    assert_eq!(f(&boards[0], "villages"), board_villages as f64);

    // goals.csv: one community short of the goal; the villages goal met.
    let goals = csv_rows(&dir.join("out/goals.csv"));
    let goal = |g: &str| goals.iter().find(|r| r["goal"] == g).unwrap().clone();
    assert_eq!(goal("communities")["met"], "false");
    assert_eq!(f(&goal("communities"), "actual"), names.len() as f64);
    assert_eq!(goal("villages")["met"], "true");
    // 示范社区: never a vetoed community; a 示范镇's every community that is not vetoed;
    // elsewhere C02 (the office's) kept, and the goal's count per township read back from
    // communities.csv.
    for r in &rows {
        if r["launch"] == "veto" {
            assert_eq!(r["demonstration"], "false", "{r:?}");
        }
        if r["township"] == *town && r["launch"] != "veto" {
            assert_eq!(r["demonstration"], "true", "{r:?}");
        }
    }
    let c02 = rows.iter().find(|r| r["id"] == "C02").unwrap();
    assert_eq!(c02["demonstration"], (c02["launch"] != "veto").to_string());
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| r["township"] != *town) {
        *per.entry(r["township"].as_str()).or_default() +=
            usize::from(r["demonstration"] == "true");
    }
    let within = per.values().filter(|n| (1..=2).contains(*n)).count();
    let per_goal = goal("demonstration_per_township");
    assert_eq!(f(&per_goal, "of"), per.len() as f64, "{per_goal:?}");
    assert_eq!(f(&per_goal, "actual"), within as f64, "{per_goal:?}");
    assert_eq!(per_goal["met"], (within == per.len()).to_string());
    assert!(summary.contains("目标任务："), "{summary}");
}

#[test]
fn a_village_listed_by_two_communities_stops_the_run_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v = &demo_villages()[0];
    std::fs::write(
        dir.join("communities.csv"),
        format!(
            "社区编号,社区名称,村庄代码\nA,甲社区,{0}\nB,乙社区,{0}\n",
            v.id
        ),
    )
    .unwrap();
    let plan = write_plan(
        dir,
        None,
        &format!(
            "[layers.communities]\npath = \"{}/communities.csv\"\n",
            dir.display()
        ),
    );
    let o = hecun(&["run", &plan, "--out", "out", "--quiet"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&v.id)
            && err.contains("\"A\"")
            && err.contains("\"B\"")
            && err.contains("communities.csv"),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn a_workbook_sheet_is_a_communities_table_and_bad_numbers_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let villages = demo_villages();
    let name = villages[0].community.clone().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("社区").unwrap();
    for (c, h) in ["社区编号", "社区名称", "安置房套数"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "C1").unwrap();
    sheet.write_string(1, 1, &name).unwrap();
    sheet.write_string(1, 2, "约三百套").unwrap();
    book.save(dir.join("communities.xlsx")).unwrap();
    let plan = write_plan(
        dir,
        None,
        &format!(
            "[layers.communities]\npath = \"{}/communities.xlsx\"\nsheet = \"社区\"\n",
            dir.display()
        ),
    );
    let o = hecun(&["run", &plan, "--out", "out", "--quiet"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(dir.join("out/summary.txt")).unwrap();
    assert!(
        summary.contains("communities.xlsx")
            && summary.contains("安置房套数")
            && summary.contains("约三百套"),
        "{summary}"
    );
    let rows = csv_rows(&dir.join("out/communities.csv"));
    let row = rows.iter().find(|r| r["id"] == "C1").unwrap();
    assert_eq!(row["name"], name);
    assert_eq!(row["capacity_units"], "");
    assert_eq!(row["capacity"], "not_given");
}

/// A community that may launch while its own site lies in a demolition zone is flagged: the
/// zones under each site agree with the site scoring's own `in_zone` and `zone_share` (the
/// share of the site in the union of the zones, computed by the rules' scene), and the flag is
/// exactly "may launch and a zone under the site".
#[test]
fn a_launchable_community_on_a_site_in_a_zone_is_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plan = write_plan(dir, None, "");
    let o = hecun(&["run", &plan, "--out", "out", "--quiet"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let sites = csv_rows(&dir.join("out/sites_scored.csv"));
    let communities = csv_rows(&dir.join("out/communities.csv"));
    let mut flagged = 0;
    for c in &communities {
        let site = sites
            .iter()
            .find(|s| s["name"] == c["name"])
            .unwrap_or_else(|| panic!("no site named {}", c["name"]));
        let zones: Vec<(String, f64)> = c["site_zones"]
            .split(';')
            .filter(|z| !z.is_empty())
            .map(|z| {
                let (id, share) = z.split_once('=').unwrap();
                (id.to_owned(), share.parse().unwrap())
            })
            .collect();
        assert_eq!(
            !zones.is_empty(),
            site["in_zone"] == "true",
            "{}: {zones:?} vs {site:?}",
            c["name"]
        );
        // Each zone's share of the site is at most the union's, and together at least it.
        let union: f64 = site["zone_share"].parse().unwrap();
        let sum: f64 = zones.iter().map(|z| z.1).sum();
        for z in &zones {
            assert!(z.1 <= union + 1e-6, "{}: {z:?} > {union}", c["name"]);
        }
        assert!(sum + 1e-6 >= union, "{}: {sum} < {union}", c["name"]);
        let want = c["launch"] == "pass" && !zones.is_empty();
        assert_eq!(c["launch_site_in_zone"], want.to_string(), "{c:?}");
        flagged += usize::from(want);
    }
    assert!(flagged > 0, "the demo has such a community");
    let summary = std::fs::read_to_string(dir.join("out/summary.txt")).unwrap();
    let line = summary
        .lines()
        .find(|l| l.starts_with("可启动但本社区安置点位于拆迁范围内"))
        .unwrap_or_else(|| panic!("{summary}"));
    // The zones read as a planner names them — the road's or corridor's name (as its layer
    // gives it) and id — not as `layer:id`.
    let names = zone_names();
    for c in communities
        .iter()
        .filter(|c| c["launch_site_in_zone"] == "true")
    {
        for z in c["site_zones"].split(';').filter(|z| !z.is_empty()) {
            let key = z.split_once('=').unwrap().0;
            let (_, id) = key.split_once(':').unwrap();
            let name = &names[id];
            assert!(line.contains(&format!("{name} {id}")), "{key}: {line}");
        }
    }
    assert!(
        !line.contains("roads:") && !line.contains("corridors:"),
        "{line}"
    );
}

/// The demo's roads and corridors: id (`编号`) → name (`名称`), read from their files.
fn zone_names() -> std::collections::HashMap<String, String> {
    let mut names = std::collections::HashMap::new();
    for layer in ["roads", "corridors"] {
        let path = repo().join(format!("gis-data/demo/{layer}.geojson"));
        let fc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for f in fc["features"].as_array().unwrap() {
            let p = &f["properties"];
            names.insert(
                p["编号"].as_str().unwrap().to_owned(),
                p["名称"].as_str().unwrap().to_owned(),
            );
        }
    }
    names
}

/// A date as the demo roster writes it, parsed here by hand: `2026-06-19`, `2026/6/9`,
/// `2026.6.9`, `2026年6月9日`; anything else is not a date.
fn roster_date(text: &str) -> Option<(i32, u32, u32)> {
    let t = text.trim().trim_end_matches('日');
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 {
        return None;
    }
    Some((
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    ))
}

/// Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn days(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The demo's whole plan (`plan-programme.toml`) as of the end of August: every milestone
/// status and the tallies per county, recomputed from the roster's CSV copy and the plan's
/// due dates.
#[test]
fn the_demo_programme_milestones_are_recomputed_from_the_roster() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plan = repo().join("gis-data/demo/plan-programme.toml");
    let o = hecun(
        &[
            "run",
            plan.to_str().unwrap(),
            "--out",
            "out",
            "--quiet",
            "--as-of",
            "2026-08-31",
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let as_of = days(2026, 8, 31);
    let due = [
        ("plans", "方案批复日期", days(2026, 5, 31)),
        ("clearing", "清表完成日期", days(2026, 6, 30)),
        ("construction", "安置房开工日期", days(2026, 8, 31)),
        ("infrastructure", "基础设施完成日期", days(2026, 12, 31)),
    ];
    let roster = csv_rows(&repo().join("gis-data/demo/communities.csv"));
    let statuses = csv_rows(&dir.join("out/milestones.csv"));
    assert_eq!(statuses.len(), roster.len() * due.len());
    let mut tally: BTreeMap<(String, &str, &str), usize> = BTreeMap::new();
    for row in &roster {
        for (name, column, due_day) in due {
            let got = statuses
                .iter()
                .find(|s| s["community"] == row["社区编号"] && s["milestone"] == name)
                .unwrap_or_else(|| panic!("{} {name}", row["社区编号"]));
            let cell = row[column].trim();
            let (status, n) = if cell.is_empty() {
                if as_of <= due_day {
                    ("due", due_day - as_of)
                } else {
                    ("overdue", as_of - due_day)
                }
            } else if let Some((y, m, d)) = roster_date(cell) {
                let done = days(y, m, d);
                if done <= as_of {
                    ("done", (done - due_day).max(0))
                } else if as_of <= due_day {
                    ("due", due_day - as_of)
                } else {
                    ("overdue", as_of - due_day)
                }
            } else {
                ("unknown", 0)
            };
            assert_eq!(
                got["status"], status,
                "{} {name}: {cell:?} {got:?}",
                row["社区编号"]
            );
            if status != "unknown" {
                assert_eq!(
                    got["days"],
                    n.to_string(),
                    "{} {name}: {got:?}",
                    row["社区编号"]
                );
            }
            *tally
                .entry((row["县区"].clone(), name, status))
                .or_default() += 1;
        }
    }
    assert!(
        tally.keys().any(|k| k.2 == "unknown"),
        "the demo has an unreadable date"
    );
    assert!(
        tally.keys().any(|k| k.2 == "overdue"),
        "the demo has late communities"
    );
    // Per county, as milestones_by_group.csv counts them.
    let groups = csv_rows(&dir.join("out/milestones_by_group.csv"));
    assert!(groups.iter().any(|g| g["level"] == "county"), "{groups:?}");
    for g in groups.iter().filter(|g| g["level"] == "county") {
        let count = |status: &str| {
            tally
                .get(&(g["group"].clone(), g["milestone"].as_str(), status))
                .copied()
                .unwrap_or(0)
        };
        // `done` counts every community done, late or not.
        assert_eq!(g["done"], count("done").to_string(), "{g:?}");
        assert_eq!(g["overdue"], count("overdue").to_string(), "{g:?}");
        assert_eq!(g["due"], count("due").to_string(), "{g:?}");
        assert_eq!(g["unknown"], count("unknown").to_string(), "{g:?}");
    }
    let summary = std::fs::read_to_string(dir.join("out/summary.txt")).unwrap();
    assert!(summary.contains("节点（截至2026-08-31）"), "{summary}");
}
