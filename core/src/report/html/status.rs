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

/// A launch status in the plan's terms: blocked and vetoed say what failed
/// (`一票否决：存在强制拆迁（村 …）`, `暂缓（未满足：…）`), never a criterion's title after
/// the verdict (which would read as its opposite).
pub(super) fn status_html(w: &Words, titles: Titles<'_>, check: &Check) -> String {
    let why = match check.status {
        LaunchStatus::Blocked | LaunchStatus::Vetoed => titles.failure_text(check, true),
        _ => String::new(),
    };
    let mut out = format!(
        "<span class=\"st {}\">{}</span>",
        status_class(check.status),
        esc(status_word(w, check.status))
    );
    if !why.is_empty() {
        let why = match check.status {
            LaunchStatus::Vetoed => (w.why_vetoed)(&why),
            _ => (w.why_blocked)(&why),
        };
        out.push_str(&esc(&why));
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
            // 未达标 already says "not met": the titles follow as they are, failure
            // wordings where the plugin gives them.
            let missed = titles.failure_text(&s.check, false);
            let mut out = format!("<span class=\"st st-blocked\">{}</span>", esc(w.std_missed));
            if !missed.is_empty() {
                let _ = write!(out, "{}{}", esc(w.colon), esc(&missed));
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
