//! Running a whole plan: every job the plan lists, its report and files, and the run
//! manifest that accounts for inputs, plugins and outputs (and lets a run be replayed).

pub mod manifest;
mod plan_run;

pub use manifest::RunManifest;
pub use plan_run::{PlanRun, Replay, RunRequest, WrittenRun, replay};
