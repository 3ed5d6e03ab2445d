//! The spatial helpers' errors as a rule meets them: a `Result` to pass on with `?`, and the
//! candidate's answer even when the rule drops it (as hecun answers it).

use std::collections::BTreeMap;

use hecun_plugin_sdk::testing::{self, Answer, Host};
use hecun_plugin_sdk::{Candidate, HelperError, Outcome, Params, Score, SiteScore, json};

/// Passes the helper's error on; asks about the layer of its parameter `layer`.
struct Passes {
    layer: String,
}

impl SiteScore for Passes {
    fn new(params: &Params) -> Result<Self, String> {
        let layer = params.text("layer").unwrap_or("facilities").to_owned();
        Ok(Passes { layer })
    }
    fn score(&self, c: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        let n = c.count_within(&self.layer, 500.0, Some("学校"))?;
        Ok(score.term("schools", 1.0, n as f64).into())
    }
}

/// Drops the helper's error and answers a score anyway.
struct Drops;

impl SiteScore for Drops {
    fn new(_: &Params) -> Result<Self, String> {
        Ok(Drops)
    }
    fn score(&self, c: &Candidate, score: &mut Score) -> Result<Outcome, String> {
        let share = c.overlap_share("farmland", None).unwrap_or(0.0);
        Ok(score.term("farmland", 1.0, share).into())
    }
}

/// Reads the error itself, and keeps what it read for the test.
struct Inspects;

static SEEN: std::sync::Mutex<Option<(&'static str, String)>> = std::sync::Mutex::new(None);

impl SiteScore for Inspects {
    fn new(_: &Params) -> Result<Self, String> {
        Ok(Inspects)
    }
    fn score(&self, c: &Candidate, _: &mut Score) -> Result<Outcome, String> {
        let e: HelperError = c.touches("redline", None).unwrap_err();
        *SEEN.lock().unwrap() = Some((e.helper(), e.to_string()));
        Err(format!("{} failed: {e}", e.helper()))
    }
}

/// Answers `count_within` only for the facilities layer.
struct Facilities;

impl Host for Facilities {
    fn count_within(
        &self,
        _: u32,
        layer: &str,
        _: f64,
        class: Option<&str>,
    ) -> Result<i64, String> {
        match (layer, class) {
            ("facilities", Some("学校")) => Ok(3),
            _ => Err(format!("no layer {layer:?} in this plan")),
        }
    }
}

fn error(answer: Answer) -> String {
    match answer {
        Answer::Error(e) => e,
        other => panic!("not an error: {other:?}"),
    }
}

#[test]
fn a_helper_that_answers_gives_its_answer() {
    testing::set_host(Facilities);
    let answer = testing::score_one::<Passes>(json!({}), &[]);
    testing::clear_host();
    assert_eq!(answer.score(), Some(3.0));
}

#[test]
fn a_helper_error_passed_on_is_the_candidates_answer() {
    testing::set_host(Facilities);
    let answer = testing::score_one::<Passes>(json!({"layer": "roads"}), &[]);
    testing::clear_host();
    assert_eq!(error(answer), "no layer \"roads\" in this plan");

    // Without a host the helpers cannot answer, and say why.
    let answer = testing::score_one::<Passes>(json!({}), &[]);
    assert_eq!(
        error(answer),
        "the spatial helpers answer only inside hecun (natively, install a testing::Host)"
    );
}

#[test]
fn a_helper_error_dropped_is_still_the_candidates_answer() {
    testing::set_host(Facilities);
    let answer = testing::score_one::<Drops>(json!({}), &[]);
    testing::clear_host();
    // The default Host method's reason, as hecun would answer with its own.
    assert_eq!(
        error(answer),
        "no answer for overlap_share(\"farmland\") in this test"
    );
}

#[test]
fn a_helper_error_names_its_helper() {
    testing::set_host(Facilities);
    let answer = testing::score_one::<Inspects>(json!({}), &[]);
    testing::clear_host();
    let reason = "no answer for touches(\"redline\") in this test";
    assert_eq!(
        SEEN.lock().unwrap().clone(),
        Some(("touches", reason.to_owned()))
    );
    // The host's record comes first: the candidate's answer is the helper's reason.
    assert_eq!(error(answer), reason);
}

/// Answers for every candidate but the first.
struct AllButFirst;

impl Host for AllButFirst {
    fn count_within(&self, index: u32, _: &str, _: f64, _: Option<&str>) -> Result<i64, String> {
        match index {
            0 => Err("candidate 0 has no place".to_owned()),
            i => Ok(i64::from(i)),
        }
    }
}

#[test]
fn a_failure_is_its_candidates_alone() {
    testing::set_host(AllButFirst);
    let mut batch = testing::Batch::new(&[]);
    for id in ["a", "b", "c"] {
        batch.push(id, vec![], json!(null));
    }
    let answers = testing::run_site_score::<Passes>(&json!({}), &batch).unwrap();
    testing::clear_host();
    assert_eq!(
        answers[0],
        Answer::Error("candidate 0 has no place".to_owned())
    );
    assert_eq!(answers[1].score(), Some(1.0));
    assert_eq!(answers[2].score(), Some(2.0));
}

/// Answers every aggregate helper with its own number, so that a helper routed to another's
/// answer shows.
struct Aggregates;

impl Host for Aggregates {
    fn mean_within(&self, _: u32, _: &str, _: &str, _: f64) -> Result<Option<f64>, String> {
        Ok(Some(1.0))
    }
    fn sum_inside(&self, _: u32, _: &str, _: &str) -> Result<f64, String> {
        Ok(2.0)
    }
    fn count_inside(&self, _: u32, _: &str) -> Result<i64, String> {
        Ok(3)
    }
    fn mean_inside(&self, _: u32, _: &str, _: &str) -> Result<Option<f64>, String> {
        Ok(None)
    }
    fn sum_in_area(&self, _: u32, _: &str, _: &str, _: &str, id: &str) -> Result<f64, String> {
        Ok(if id == "T1" { 5.0 } else { -1.0 })
    }
    fn count_in_area(&self, _: u32, _: &str, _: &str, _: &str) -> Result<i64, String> {
        Ok(6)
    }
    fn mean_in_area(
        &self,
        _: u32,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<Option<f64>, String> {
        Ok(Some(7.0))
    }
    fn sum_by(&self, _: u32, _: &str, _: &str, by: &str) -> Result<BTreeMap<String, f64>, String> {
        Ok(BTreeMap::from([(by.to_owned(), 8.0)]))
    }
    fn count_by(&self, _: u32, _: &str, by: &str) -> Result<BTreeMap<String, i64>, String> {
        Ok(BTreeMap::from([(by.to_owned(), 9)]))
    }
    fn mean_by(
        &self,
        _: u32,
        _: &str,
        _: &str,
        by: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        Ok(BTreeMap::from([(by.to_owned(), Some(10.0))]))
    }
    fn sum_by_area(
        &self,
        _: u32,
        _: &str,
        _: &str,
        area: &str,
    ) -> Result<BTreeMap<String, f64>, String> {
        Ok(BTreeMap::from([(area.to_owned(), 11.0)]))
    }
    fn count_by_area(&self, _: u32, _: &str, area: &str) -> Result<BTreeMap<String, i64>, String> {
        Ok(BTreeMap::from([(area.to_owned(), 12)]))
    }
    fn mean_by_area(
        &self,
        _: u32,
        _: &str,
        _: &str,
        area: &str,
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        Ok(BTreeMap::from([(area.to_owned(), None)]))
    }
}

/// Reads every aggregate into a term of its own.
struct ReadsAggregates;

impl SiteScore for ReadsAggregates {
    fn new(_: &Params) -> Result<Self, String> {
        Ok(ReadsAggregates)
    }
    fn score(&self, c: &Candidate, s: &mut Score) -> Result<Outcome, String> {
        let (l, f, t) = ("patients", "人数", "townships");
        let none = -1.0;
        let terms = [
            ("mean_within", c.mean_within(l, f, 100.0)?.unwrap_or(none)),
            ("sum_inside", c.sum_inside(l, f)?),
            ("count_inside", c.count_inside(l)? as f64),
            ("mean_inside", c.mean_inside(l, f)?.unwrap_or(none)),
            ("sum_in_area", c.sum_in_area(l, f, t, "T1")?),
            ("count_in_area", c.count_in_area(l, t, "T1")? as f64),
            (
                "mean_in_area",
                c.mean_in_area(l, f, t, "T1")?.unwrap_or(none),
            ),
            ("sum_by", c.sum_by(l, f, "街镇")?["街镇"]),
            ("count_by", c.count_by(l, "街镇")?["街镇"] as f64),
            ("mean_by", c.mean_by(l, f, "街镇")?["街镇"].unwrap_or(none)),
            ("sum_by_area", c.sum_by_area(l, f, t)?[t]),
            ("count_by_area", c.count_by_area(l, t)?[t] as f64),
            ("mean_by_area", c.mean_by_area(l, f, t)?[t].unwrap_or(none)),
        ];
        let mut total = 0.0;
        for (name, v) in terms {
            total += s.term(name, 1.0, v);
        }
        Ok(total.into())
    }
}

#[test]
fn each_aggregate_gets_its_own_answer() {
    testing::set_host(Aggregates);
    let answer = testing::score_one::<ReadsAggregates>(json!({}), &[]);
    testing::clear_host();
    let want = [
        ("mean_within", 1.0),
        ("sum_inside", 2.0),
        ("count_inside", 3.0),
        ("mean_inside", -1.0),
        ("sum_in_area", 5.0),
        ("count_in_area", 6.0),
        ("mean_in_area", 7.0),
        ("sum_by", 8.0),
        ("count_by", 9.0),
        ("mean_by", 10.0),
        ("sum_by_area", 11.0),
        ("count_by_area", 12.0),
        ("mean_by_area", -1.0),
    ];
    for (name, value) in want {
        assert_eq!(answer.term(name), Some(value), "{name}: {answer:?}");
    }
}
