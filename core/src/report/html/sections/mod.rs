//! The page's sections, one file each, in the order a planner reads them: the outcome first,
//! then where it happens, then each table, then what it rests on (plugins, warnings).

mod classes;
mod communities;
mod map;
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

use super::page::Page;
use crate::report::Report;

/// Writes every section of `report` that has something to say, in page order.
pub(super) fn write_all(page: &mut Page, report: &Report) {
    summary::summary(page, report);
    map::map_section(page, report);
    townships::townships(page, report);
    classes::classes(page, report);
    communities::communities(page, report);
    programme::programme(page, report);
    sites::sites(page, report);
    for job in &report.scorings {
        sites::scoring(page, job);
    }
    villages::villages(page, report);
    sweep::sweep(page, report);
    tables::tables(page, report);
    targets::targets(page, report);
    plugins::plugins(page, report);
    warnings::warnings(page, report);
}
