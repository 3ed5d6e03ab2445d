//! The five kinds of rule a plugin exports.

use crate::answer::{Finding, Measure, Outcome, Row, Score, Standard};
use crate::candidate::{Candidate, Params};

/// A site-score rule (`kind = "site-score"`): scores a site or a grid cell, or excludes it.
pub trait SiteScore {
    /// Builds the rule from the plugin's parameters, once per load. An `Err` refuses the load.
    fn new(params: &Params) -> Result<Self, String>
    where
        Self: Sized;
    /// The candidate's score — usually a sum of `score.term(name, weight, value)` — or
    /// [`exclude`](crate::exclude)`(reason, evidence)`.
    fn score(&self, site: &Candidate, score: &mut Score) -> Result<Outcome, String>;
}

/// A launch-check rule (`kind = "launch-check"`): any veto vetoes, else any failure fails,
/// else the community may launch.
pub trait LaunchCheck {
    /// Builds the rule from the plugin's parameters, once per load.
    fn new(params: &Params) -> Result<Self, String>
    where
        Self: Sized;
    /// The community's findings: [`fail`](crate::fail) and [`veto`](crate::veto), in the order found.
    fn check(&self, community: &Candidate) -> Result<Vec<Finding>, String>;
}

/// A standard-selection rule (`kind = "standard-selection"`): which planning standard
/// applies, and the thresholds the community misses.
pub trait StandardSelection {
    /// Builds the rule from the plugin's parameters, once per load.
    fn new(params: &Params) -> Result<Self, String>
    where
        Self: Sized;
    /// [`standard`](crate::standard)`(name, findings)`, the findings made with [`fail`].
    fn select(&self, community: &Candidate) -> Result<Standard, String>;
}

/// A table rule (`kind = "table"`): asked once per run, it answers rows with the columns its
/// manifest declares (`[[columns]]`); the host checks every row and adds the subtotals and
/// totals, so a rule never sums across rows for them.
pub trait Table {
    /// Builds the rule from the plugin's parameters (the manifest's, with a plan's
    /// `[tables.NAME] params` in their place), once per load.
    fn new(params: &Params) -> Result<Self, String>
    where
        Self: Sized;
    /// The rows, column id → value. `input` has two features: `layers` (JSON: each layer
    /// the manifest reads, a list of features with `id`, `name` and the declared fields) and
    /// `params` (JSON, the parameters in force).
    fn rows(&self, input: &Candidate) -> Result<Vec<Row>, String>;
}

/// A target rule (`kind = "target"`): asked once per run, after every other stage, it
/// measures each target its manifest declares (`[[targets]]`) and says what is wanted; the
/// host compares the two as the manifest declares (`>=`, `<=`, `==`) and says met or missed.
///
/// # Examples
///
/// ```
/// use hecun_plugin_sdk::{Candidate, Measure, Params, Target, json, measure};
/// use hecun_plugin_sdk::testing::{self, Answer};
///
/// /// "Households moved ≥ `households`".
/// pub struct Moved { households: f64 }
///
/// impl Target for Moved {
///     fn new(params: &Params) -> Result<Self, String> {
///         Ok(Moved { households: params.require_number("households")? })
///     }
///     fn measure(&self, input: &Candidate) -> Result<Vec<Measure>, String> {
///         let affected = &input.json("run").ok_or("no run")?["affected"];
///         Ok(vec![measure("households", affected["households"].clone(), self.households,
///             affected["ids"].clone())])
///     }
/// }
///
/// let input = json!({ "run": { "affected": { "households": 120, "ids": ["v1", "v2"] } } });
/// let Answer::Measures(m) = testing::target_one::<Moved>(json!({ "households": 100 }), input)
/// else { panic!() };
/// assert_eq!(m[0], json!({ "target": "households", "measured": 120, "wanted": 100.0,
///     "evidence": ["v1", "v2"] }));
/// ```
pub trait Target {
    /// Builds the rule from the plugin's parameters (the manifest's, with a plan's
    /// `[targets.NAME] params` in their place), once per load.
    fn new(params: &Params) -> Result<Self, String>
    where
        Self: Sized;
    /// One [`measure`](crate::measure) per declared target. `input` has three features
    /// (JSON): `run` (the run's results: `affected`, `communities`, `scorings`, `tables`),
    /// `layers` (each layer the manifest reads) and `params`.
    fn measure(&self, input: &Candidate) -> Result<Vec<Measure>, String>;
}
