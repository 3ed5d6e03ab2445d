//! Criteria under the titles and in the order their plugin declares (`[[criteria]]`).

use super::findings::{EvidenceWords, VillageNames};
use super::fmt::esc;
use super::page::Page;
use crate::report::words::Words;
use crate::report::{Check, Lang, Report};

/// Criteria as the plugin that decided `role` (`launch`, `standard`) declares them: its
/// titles and its order.
#[derive(Clone, Copy)]
pub(super) struct Titles<'a> {
    report: &'a Report,
    /// The villages' names its findings' evidence is told with.
    names: &'a VillageNames<'a>,
    w: &'static Words,
    lang: Lang,
    role: &'static str,
}

impl<'a> Titles<'a> {
    pub(super) fn new(
        page: &Page,
        report: &'a Report,
        names: &'a VillageNames<'a>,
        role: &'static str,
    ) -> Self {
        Titles {
            report,
            names,
            w: page.w,
            lang: page.lang,
            role,
        }
    }

    /// The evidence of the role's findings, titled as its plugin declares.
    pub(super) fn evidence(self) -> EvidenceWords<'a> {
        EvidenceWords::new(self.report, self.names, self.w, self.lang, self.role)
    }

    pub(super) fn title(self, id: &'a str) -> &'a str {
        self.report.criterion_title(self.role, id, self.lang)
    }

    /// `ids` each once, in the plugin's order.
    pub(super) fn in_order<'b>(self, ids: impl IntoIterator<Item = &'b str>) -> Vec<&'b str> {
        self.report.criteria_in_order(self.role, ids)
    }

    /// What failed in `check`, as its verdict names it (plain text, not escaped; see
    /// [`Report::failure_text`]).
    pub(super) fn failure_text(self, check: &Check, neutral: bool) -> String {
        self.report
            .failure_text(self.role, check, self.lang, neutral)
    }

    /// The criterion's title, with its id beside it when the two differ (the id is what the
    /// CSV and JSON outputs carry).
    pub(super) fn title_html(self, id: &'a str) -> String {
        let title = self.title(id);
        if title == id {
            esc(id)
        } else {
            format!("{} <code class=\"id\">{}</code>", esc(title), esc(id))
        }
    }
}
