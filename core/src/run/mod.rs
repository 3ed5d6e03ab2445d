//! Running a whole plan: every job the plan lists, its report and files, and the run
//! manifest that accounts for inputs, plugins and outputs (and lets a run be replayed).

mod identity;
pub mod manifest;
mod plan_run;
mod verify;

pub use identity::Build;
pub use manifest::RunManifest;
pub use plan_run::{PlanRun, Replay, RunRequest, WrittenRun, replay};
pub use verify::{Finding, InputFinding, Verification, verify_folder, verify_manifest};
