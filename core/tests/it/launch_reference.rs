//! Launch verdicts (启动标准) on the reference city, against a computation written here from
//! the villages file alone: the reference villages carry the launch fields and no community
//! field, so each joins the nearest candidate site of its own township (the documented
//! default), measured here with a haversine formula of our own between ring-average centres
//! of the polygons; the criteria are then evaluated directly from the JSON fields.
//!
//! The reference villages have no `plan_approved` field at all: criterion 1 cannot be shown
//! to hold, and the plugin fails it for every community (a missing field never passes).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hecun::Plan;
use hecun::jobs::LaunchRun;
use hecun::rules::Status;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/reference-city")
}

fn features(name: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(data().join(name)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().clone()
}

/// Area-weighted centroid of the exterior ring (the reference layers have no holes).
fn centre(feature: &serde_json::Value) -> (f64, f64) {
    let ring = feature["geometry"]["coordinates"][0].as_array().unwrap();
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in pts.windows(2) {
        let cross = w[0].0 * w[1].1 - w[1].0 * w[0].1;
        a += cross;
        cx += (w[0].0 + w[1].0) * cross;
        cy += (w[0].1 + w[1].1) * cross;
    }
    (cx / (3.0 * a), cy / (3.0 * a))
}

fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.0 - a.0).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

#[test]
fn launch_verdicts_agree_with_a_direct_computation() {
    let dir = data();
    let text = format!(
        "[layers.villages]\npath = \"{d}/villages.geojson\"\n[layers.roads]\npath = \"{d}/roads.geojson\"\n[layers.sites]\npath = \"{d}/sites.geojson\"\n[zones.widths]\nring = 100\n",
        d = dir.display()
    );
    let plan = Plan::parse(&dir.join("plan.toml"), &text).unwrap();
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/launch-criteria");
    let run = LaunchRun::run(&plan, &plugin).unwrap();

    // Communities, directly.
    let sites: Vec<(String, String, (f64, f64))> = features("sites.geojson")
        .iter()
        .map(|s| {
            let p = &s["properties"];
            (
                p["id"].to_string(),
                p["township"].as_str().unwrap().to_owned(),
                centre(s),
            )
        })
        .collect();
    let mut members: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    let mut unassigned = 0;
    for v in features("villages.geojson") {
        let township = v["properties"]["township"].as_str().unwrap().to_owned();
        let here = centre(&v);
        let nearest = sites
            .iter()
            .filter(|s| s.1 == township)
            .map(|s| (haversine(here, s.2), &s.0))
            .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        match nearest {
            Some((_, site)) => members
                .entry(site.clone())
                .or_default()
                .push(v["properties"].clone()),
            None => unassigned += 1,
        }
    }
    assert_eq!(run.unassigned.len(), unassigned);
    let got: BTreeMap<&str, usize> = run
        .communities
        .iter()
        .map(|c| (c.name.as_str(), c.villages.len()))
        .collect();
    let want: BTreeMap<&str, usize> = members.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    assert_eq!(got, want, "community membership");

    // Verdicts, directly.
    let criteria = [
        ("new_homestead_approved", false, "no_new_homestead"),
        ("new_construction", false, "no_new_construction"),
        ("land_legal", true, "land_legal"),
        ("infra_started", true, "infrastructure_started"),
        ("resettlement_started", true, "resettlement_started"),
    ];
    let mut statuses = BTreeMap::new();
    for (community, verdict) in run.communities.iter().zip(&run.verdicts) {
        let verdict = verdict.as_ref().unwrap();
        let villages = &members[&community.name];
        let mut failed: BTreeSet<&str> = BTreeSet::from(["plan_approved"]);
        for v in villages {
            for (field, wanted, criterion) in criteria {
                if v[field].as_bool() != Some(wanted) {
                    failed.insert(criterion);
                }
            }
        }
        let vetoed = villages.iter().any(|v| v["forced_demolition"] == true);
        let want_status = if vetoed { Status::Veto } else { Status::Fail };
        assert_eq!(verdict.status, want_status, "{}", community.name);
        assert_eq!(
            verdict.failed(),
            failed.into_iter().collect::<Vec<_>>(),
            "{}",
            community.name
        );
        assert_eq!(verdict.vetoes().is_empty(), !vetoed, "{}", community.name);
        // Every veto names a village that has forced demolition.
        for f in verdict.findings.iter().filter(|f| f.veto) {
            let id = f.evidence["village"].as_str().unwrap();
            assert!(
                villages
                    .iter()
                    .any(|v| v["id"].as_i64() == id.parse().ok() && v["forced_demolition"] == true)
            );
        }
        *statuses.entry(format!("{:?}", verdict.status)).or_insert(0) += 1;
    }
    // Both outcomes occur on this data, so neither branch above is idle.
    assert!(statuses.len() == 2, "{statuses:?}");
}
