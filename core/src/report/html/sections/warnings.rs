//! The warnings of the run, or a note that there were none.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::html::page::Page;

pub(super) fn warnings(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("warnings", w.sec_warnings);
    if report.warnings.is_empty() {
        page.note(w.no_warnings);
    } else {
        page.body.push_str("<ul class=\"warnings\">");
        for text in &report.warnings {
            let _ = write!(page.body, "<li>{}</li>", esc(text));
        }
        page.body.push_str("</ul>\n");
    }
    page.close();
}
