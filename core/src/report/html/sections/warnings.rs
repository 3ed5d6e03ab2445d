//! The warnings of the run, or a note that there were none; on the large page, where a
//! province's data can give thousands, a paged table of them.

use std::fmt::Write;

use crate::report::Report;
use crate::report::html::fmt::esc;
use crate::report::html::grid::Grid;
use crate::report::html::page::Page;
use crate::report::words::paged_words;

pub(super) fn warnings(page: &mut Page, report: &Report) {
    let w = page.w;
    page.open("warnings", w.sec_warnings);
    if report.warnings.is_empty() {
        page.note(w.no_warnings);
    } else if page.large {
        let mut g = Grid::new(
            "warning-table",
            &[(paged_words(page.lang).col_warning, false)],
        );
        for text in report.warnings_in(page.lang) {
            g.tr(None);
            g.td(text);
        }
        g.write(page);
    } else {
        page.body.push_str("<ul class=\"warnings\">");
        for text in report.warnings_in(page.lang) {
            let _ = write!(page.body, "<li>{}</li>", esc(text));
        }
        page.body.push_str("</ul>\n");
    }
    page.close();
}
