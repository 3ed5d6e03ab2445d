//! The evidence's village names, from the page being rendered; a site's terms beside the
//! distances they were computed from.

use super::render_html;
use super::tests::sample;
use crate::report::{Lang, Report};

/// The "blocked community"'s launch finding names village `id` in its evidence.
fn naming(mut report: Report, id: &str) -> Report {
    report.communities[1].launch.as_mut().unwrap().findings[0]
        .evidence
        .insert("village".to_owned(), serde_json::json!(id));
    report
}

/// The evidence's `village = …` item of the blocked community's launch finding.
fn village_item(html: &str) -> &str {
    let at = html
        .find("<span class=\"key\" title=\"village\">")
        .expect("a village in the evidence");
    let item = &html[at..];
    &item[..item.find("</li>").unwrap()]
}

/// A village in evidence is named as the report being rendered names it: the map's villages
/// (every village), else the affected ones; a name that only repeats the code is not said.
/// Pages rendered one after the other on one thread each use their own report's names.
#[test]
fn evidence_names_villages_from_the_report_being_rendered() {
    let first = naming(sample(), "V2");
    let mut renamed = naming(sample(), "V2");
    let map = renamed.map.as_mut().unwrap();
    map.villages.iter_mut().find(|v| v.id == "V2").unwrap().name = "新名村".to_owned();
    for _ in 0..2 {
        let a = render_html(&first, Lang::ZhCn);
        assert!(
            village_item(&a).ends_with("= V2 村2"),
            "{}",
            village_item(&a)
        );
        let b = render_html(&renamed, Lang::ZhCn);
        assert!(
            village_item(&b).ends_with("= V2 新名村"),
            "{}",
            village_item(&b)
        );
    }
    // No map: the affected villages' names.
    let mut no_map = naming(sample(), "V2");
    no_map.map = None;
    no_map
        .villages
        .iter_mut()
        .find(|v| v.id == "V2")
        .unwrap()
        .name = "表中村".to_owned();
    let html = render_html(&no_map, Lang::ZhCn);
    assert!(
        village_item(&html).ends_with("= V2 表中村"),
        "{}",
        village_item(&html)
    );
    // A village the report does not know, or whose name is its code: the code alone.
    let html = render_html(&naming(sample(), "V99"), Lang::ZhCn);
    assert!(
        village_item(&html).ends_with("= V99"),
        "{}",
        village_item(&html)
    );
    let mut coded = naming(sample(), "V2");
    for v in &mut coded.map.as_mut().unwrap().villages {
        v.name = v.id.clone();
    }
    let html = render_html(&coded, Lang::ZhCn);
    assert!(
        village_item(&html).ends_with("= V2"),
        "{}",
        village_item(&html)
    );
}
