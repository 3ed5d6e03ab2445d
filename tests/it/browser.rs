//! The report as a planner opens it: in headless Chromium, offline, through
//! `tests/browser/check_report.sh` (which installs its driver, playwright-core, outside the
//! repository). The check fails on any network request, console or page error, a load event
//! later than 4 s, first paint later than 2 s, more than 100,000 elements, a renderer above
//! 500 MB, a township label outside its township, a search that does not land on the village
//! searched for, or a verdict that does not read as the failure it reports.
//!
//! Where Chromium or Node is absent the tests say so and pass without checking, unless
//! `HECUN_BROWSER_REQUIRED` is set (CI sets it, so there a missing browser fails).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::common::{csv_rows, hecun, repo, stderr};

/// The browser and the driver's runtime, or why the check cannot run here.
fn browser() -> Result<PathBuf, String> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.is_file() {
        return Err(format!(
            "no Chromium at {} (Debian: apt-get install chromium fonts-noto-cjk; or set CHROMIUM)",
            chromium.display()
        ));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.map(|o| o.status.success()).unwrap_or(false) {
        return Err("no node on PATH (Debian: apt-get install nodejs npm)".into());
    }
    Ok(chromium)
}

/// Runs the check, or explains why it is skipped. Returns the check's output.
fn check(report: &Path, shots: &Path, name: &str, options: &[&str]) -> Option<String> {
    let chromium = match browser() {
        Ok(c) => c,
        Err(why) if std::env::var_os("HECUN_BROWSER_REQUIRED").is_some() => {
            panic!("HECUN_BROWSER_REQUIRED is set but the browser check cannot run: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED: the report's browser check ({name}): {why}");
            return None;
        }
    };
    // One browser at a time: the check measures load and paint times, which mean nothing
    // while two other Chromiums share the machine's cores (the tests run in parallel).
    static ONE_BROWSER: Mutex<()> = Mutex::new(());
    let _turn = ONE_BROWSER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let out = Command::new("sh")
        .arg(repo().join("tests/browser/check_report.sh"))
        .arg(report)
        .arg(shots.join(format!("{name}-map.png")))
        .arg(shots.join(format!("{name}-page.png")))
        .args(options)
        .env("CHROMIUM", chromium)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser check of {name}:\n{said}");
    Some(said)
}

/// Where the screenshots go: `HECUN_SCREENSHOTS` to keep them, else the test's temporary folder.
fn shots_dir(tmp: &Path) -> PathBuf {
    std::env::var_os("HECUN_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.join("shots"))
}

/// A community whose launch is vetoed and one that is blocked (held back, not vetoed), and a
/// village to search for, taken from the run's own tables.
fn cases(out: &Path) -> (String, String, String) {
    let communities = csv_rows(&out.join("communities.csv"));
    let of = |status: &str| {
        communities
            .iter()
            .find(|c| c["launch"] == status)
            .unwrap_or_else(|| panic!("the demo has a community with launch = {status}"))["name"]
            .clone()
    };
    let villages = csv_rows(&out.join("affected_villages.csv"));
    let village = villages
        .iter()
        .map(|v| v["name"].clone())
        .find(|name| !name.is_empty())
        .expect("an affected village with a name");
    (of("veto"), of("fail"), village)
}

/// Checks the page of the run in `out` with a vetoed and a blocked community and a village
/// searched for, all taken from the run's own tables.
fn check_run(out: &Path, shots: &Path, name: &str, vetoed_reads: &str, blocked_reads: &str) {
    let (vetoed, blocked, village) = cases(out);
    let said = check(
        &out.join("report.html"),
        shots,
        name,
        &[
            "--search",
            &village,
            "--community",
            &vetoed,
            "--verdict",
            vetoed_reads,
            "--community",
            &blocked,
            "--verdict",
            blocked_reads,
        ],
    );
    if let Some(said) = said {
        eprintln!("{said}");
    }
}

fn demo_page(lang: &str, vetoed_reads: &str, blocked_reads: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let plan = repo().join("gis-data/demo/plan.toml");
    let o = hecun(
        &[
            "run",
            plan.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--lang",
            lang,
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    check_run(
        &out,
        &shots_dir(tmp.path()),
        &format!("demo-{lang}"),
        vetoed_reads,
        blocked_reads,
    );
}

#[test]
fn the_demo_page_reads_right_in_chromium_zh() {
    demo_page("zh-CN", "一票否决：存在强制拆迁", "暂缓（方案未经群众认可");
}

#[test]
fn the_demo_page_reads_right_in_chromium_en() {
    demo_page(
        "en",
        "vetoed: forced demolition found",
        "blocked (plan not accepted",
    );
}

/// A region above the page's large switch (the generator's county scale, 9 counties): the
/// page's large form, with its interactive map and paged tables, in the same check.
#[test]
fn a_county_page_reads_right_in_chromium() {
    if browser().is_err() && std::env::var_os("HECUN_BROWSER_REQUIRED").is_none() {
        eprintln!(
            "SKIPPED: the county page's browser check: {}",
            browser().unwrap_err()
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let params = hecun_gis_data::Params::of(hecun_gis_data::Scale::County, None);
    hecun_gis_data::generate_at(
        tmp.path(),
        params,
        hecun_gis_data::SEED,
        &repo().join("plugins"),
    )
    .unwrap();
    let o = hecun(&["run", "plan.toml", "--out", "out"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    check_run(
        &tmp.path().join("out"),
        &shots_dir(tmp.path()),
        "county-zh-CN",
        "一票否决：存在强制拆迁",
        "暂缓（方案未经群众认可",
    );
}

/// The province (60,000 villages): too slow to generate and run in a debug build inside the
/// test suite, so `.ci/run` makes it with the release binaries and points this test at the
/// run's output folder: `HECUN_PROVINCE_OUT=DIR cargo test -p hecun-cli --test it province
/// -- --ignored`.
#[test]
#[ignore = "needs HECUN_PROVINCE_OUT, the output folder of a province run (see .ci/run)"]
fn the_province_page_reads_right_in_chromium() {
    let out = PathBuf::from(
        std::env::var_os("HECUN_PROVINCE_OUT")
            .expect("HECUN_PROVINCE_OUT: a province run's output folder"),
    );
    let shots = std::env::var_os("HECUN_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| out.join("shots"));
    check_run(
        &out,
        &shots,
        "province-zh-CN",
        "一票否决：存在强制拆迁",
        "暂缓（方案未经群众认可",
    );
}
