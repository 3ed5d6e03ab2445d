//! The plugins that decided the verdicts, with their versions and runtimes.

use crate::report::Report;
use crate::report::html::page::Page;
use crate::report::html::table::{td, thead};

pub(super) fn plugins(page: &mut Page, report: &Report) {
    let w = page.w;
    if !page.open_unless_empty(
        "plugins",
        w.sec_plugins,
        report.plugins.is_empty(),
        w.no_plugins,
    ) {
        return;
    }
    let out = &mut page.body;
    thead(
        out,
        "plugin-table",
        &[
            (w.col_role, false),
            (w.col_plugin, false),
            (w.col_version, false),
            (w.col_runtime, false),
        ],
    );
    for p in &report.plugins {
        let role = match p.role.as_str() {
            "launch" => w.role_launch,
            "standard" => w.role_standard,
            "sites" => w.role_sites,
            other => other,
        };
        out.push_str("<tr>");
        td(out, role);
        td(out, &p.name);
        match &p.edition {
            // The version, and the edition of the standard the plugin applies (the source
            // plan may name another: the planner reads which one decided).
            Some(edition) => td(out, &format!("{} · {} {edition}", p.version, w.edition)),
            None => td(out, &p.version),
        }
        td(out, &p.runtime);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    page.close();
}
