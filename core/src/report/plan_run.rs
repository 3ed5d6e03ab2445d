//! Running everything a plan lists, as one call: the affected villages, then the launch
//! checks, planning standards and site scores the plan names.

use std::time::{Duration, Instant};

use super::{Report, ReportInputs, Sweep};
use crate::error::Result;
use crate::job::AffectedRun;
use crate::output::{OutputDir, OutputSet, write_affected_into};
use crate::plan::Plan;
use crate::rules::{LaunchRun, SiteScoreRun, StandardRun};

/// The results of every step of a plan.
#[derive(Debug)]
pub struct PlanRun {
    /// The villages inside the demolition zones.
    pub affected: AffectedRun,
    /// The launch checks (`[checks] launch`).
    pub launch: Option<LaunchRun>,
    /// The planning standards (`[checks] standard`).
    pub standards: Option<StandardRun>,
    /// The site scores (`[scoring] sites`).
    pub sites: Option<SiteScoreRun>,
    /// Wall time of each step.
    pub timings: Vec<(&'static str, Duration)>,
}

impl PlanRun {
    /// Runs every step `plan` lists; `progress` is told each step as it starts. A plugin
    /// failing on one candidate is that candidate's result; a plugin that cannot load stops
    /// the run with its name.
    pub fn run(plan: &Plan, progress: &(dyn Fn(&str) + Sync)) -> Result<PlanRun> {
        let affected = plan.affected.run(progress)?;
        let mut timings = affected.timings.clone();
        let mut clock = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            timings.push((name, clock.elapsed()));
            clock = Instant::now();
        };
        let launch = match &plan.launch_check {
            Some(plugin) => {
                progress("launch checks");
                let l = LaunchRun::run(plan, plugin)?;
                lap("launch", &mut timings);
                Some(l)
            }
            None => None,
        };
        let standards = match &plan.standard_check {
            Some(plugin) => {
                progress("planning standards");
                let s = StandardRun::run(plan, &affected, plugin)?;
                lap("standards", &mut timings);
                Some(s)
            }
            None => None,
        };
        let sites = match &plan.site_scoring {
            Some(scoring) => {
                progress("site scores");
                let s = SiteScoreRun::run(plan, &affected, &scoring.plugin, scoring.top, true)?;
                lap("sites", &mut timings);
                Some(s)
            }
            None => None,
        };
        Ok(PlanRun {
            affected,
            launch,
            standards,
            sites,
            timings,
        })
    }

    /// The report of this run (with the map's layers when `map`).
    pub fn report(&self, plan: &Plan, sweep: Option<Sweep>, map: bool) -> Result<Report> {
        Report::build(
            ReportInputs {
                plan,
                run: &self.affected,
                launch: self.launch.as_ref(),
                standards: self.standards.as_ref(),
                sites: self.sites.as_ref(),
                map,
            },
            sweep,
        )
    }

    /// Writes every step's tables and layers into an output folder being written; returns
    /// the file names.
    pub fn write_into(&self, plan: &Plan, out: &OutputDir, set: OutputSet) -> Result<Vec<String>> {
        let mut files = write_affected_into(&self.affected, out, set, plan.affected.engine)?;
        if let Some(l) = &self.launch {
            files.extend(l.write_into(out)?);
        }
        if let Some(s) = &self.standards {
            files.extend(s.write_into(out)?);
        }
        if let Some(s) = &self.sites {
            files.extend(s.write_into(out)?);
        }
        Ok(files)
    }
}
