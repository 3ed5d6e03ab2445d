//! The page's sections, one file each, in the order a planner reads them: the outcome first,
//! then where it happens, then each table, then what it rests on (plugins, warnings).

mod classes;
mod communities;
mod map;
mod milestones;
mod plugins;
mod programme;
mod sites;
mod summary;
mod sweep;
mod tables;
mod targets;
mod townships;
mod villages;
mod warnings;

use super::findings::VillageNames;
use super::page::Page;
use crate::report::Report;

/// Writes every section of `report` that has something to say, in page order.
pub(super) fn write_all(page: &mut Page, report: &Report) {
    // The villages' names evidence is told with: once for the whole page.
    let names = VillageNames::new(report);
    summary::summary(page, report);
    map::map_section(page, report);
    townships::townships(page, report);
    classes::classes(page, report);
    communities::communities(page, report, &names);
    programme::programme(page, report);
    sites::sites(page, report, &names);
    for job in &report.scorings {
        sites::scoring(page, report, &names, job);
    }
    villages::villages(page, report);
    sweep::sweep(page, report);
    tables::tables(page, report);
    targets::targets(page, report);
    milestones::milestones(page, report);
    plugins::plugins(page, report);
    warnings::warnings(page, report);
}
