//! Verdicts as badges: a community's launch status and its planning standard, each saying which
//! criteria decided it.

use std::fmt::Write;

use super::criteria::Titles;
use super::fmt::esc;
use crate::report::words::Words;
use crate::report::{Check, CommunityRow, LaunchStatus};

/// A launch status as the page says it.
fn status_word(w: &Words, s: LaunchStatus) -> &'static str {
    match s {
        LaunchStatus::Launched => w.st_launched,
        LaunchStatus::Blocked => w.st_blocked,
        LaunchStatus::Vetoed => w.st_vetoed,
        LaunchStatus::Error => w.st_error,
    }
}

/// The style class that colours a launch status.
pub(super) fn status_class(s: LaunchStatus) -> &'static str {
    match s {
        LaunchStatus::Launched => "st-launched",
        LaunchStatus::Blocked => "st-blocked",
        LaunchStatus::Vetoed => "st-vetoed",
        LaunchStatus::Error => "st-error",
    }
}

/// A launch status in the plan's terms: blocked and vetoed say by which criteria.
pub(super) fn status_html(w: &Words, titles: Titles<'_>, check: &Check) -> String {
    let which = match check.status {
        LaunchStatus::Blocked => titles.criteria(check.findings.iter().filter(|f| !f.veto)),
        LaunchStatus::Vetoed => titles.criteria(check.findings.iter().filter(|f| f.veto)),
        _ => Vec::new(),
    };
    let mut out = format!(
        "<span class=\"st {}\">{}</span>",
        status_class(check.status),
        esc(status_word(w, check.status))
    );
    if !which.is_empty() {
        let _ = write!(out, "{}{}", esc(w.colon), which.join(&esc(w.list_sep)));
    }
    out
}

/// The planning standard that applies to a community and whether it meets it, saying which
/// criteria it misses; a dash when no standard plugin ran.
pub(super) fn standard_html(w: &Words, titles: Titles<'_>, c: &CommunityRow) -> String {
    let Some(s) = &c.standard else {
        return esc(w.dash);
    };
    let verdict = match s.check.status {
        LaunchStatus::Launched => {
            format!("<span class=\"st st-launched\">{}</span>", esc(w.std_met))
        }
        LaunchStatus::Error => format!("<span class=\"st st-error\">{}</span>", esc(w.st_error)),
        _ => {
            let missed = titles.criteria(s.check.findings.iter());
            let mut out = format!("<span class=\"st st-blocked\">{}</span>", esc(w.std_missed));
            if !missed.is_empty() {
                let _ = write!(out, "{}{}", esc(w.colon), missed.join(&esc(w.list_sep)));
            }
            out
        }
    };
    if s.standard.is_empty() {
        verdict
    } else {
        format!("{} · {verdict}", esc(&s.standard))
    }
}
