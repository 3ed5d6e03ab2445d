//! The report as one self-contained HTML page.
//!
//! One file that opens with no network: the style is inline, the map and the sweep chart are
//! inline SVG drawn here from the report's own layers, and there is no script (SVG `<title>`s
//! give the tooltips). Fixed words come from the report's `words` in the chosen language; data (names,
//! reasons, evidence) appear as given, escaped. The page is a pure function of the report:
//! no clock, no paths, no hash-map order, so the same report gives the same bytes.
//!
//! A region of over 5,000 villages gets the page's large form (see `page::Page::large`), still
//! one file: the tables whose rows grow with the region are written as their first page of
//! rows plus every row as JSON (`grid.rs`), each community's verdict and each site's terms as
//! HTML inside JSON, shown one at a time (`paged.rs`), and one inline script (`paged.js`) pages,
//! filters and sorts them and opens a township's detail (`#township-N`). The large form's
//! embedded data (map, rows, details) is gzip-compressed and base64'd (`packed.rs`), decoded by
//! the browser's own `DecompressionStream` (`unpack.js`). The small form has no script and
//! stays as it was.

mod atlas;
mod chart;
mod criteria;
mod findings;
mod fmt;
mod grid;
mod map;

pub(crate) use map::palette;
mod names;
mod packed;
mod page;
mod paged;
mod sections;
mod status;
mod table;

use std::fmt::Write;

use self::fmt::esc;
use self::page::Page;
use super::words::Words;
use super::{Lang, Report};

const STYLE: &str = include_str!("style.css");

/// Renders `report` as one HTML page that opens with no network, with its words in `lang`.
pub fn render_html(report: &Report, lang: Lang) -> String {
    let mut page = Page::new(lang, report.villages_in_layer > page::LARGE_PAGE_VILLAGES);
    sections::write_all(&mut page, report);

    let w = page.w;
    let mut out = String::with_capacity(page.body.len() + STYLE.len() + 4096);
    head(&mut out, report, w);
    if page.large {
        // Before any script that reads a compressed block.
        out.push_str(&packed::script(super::words::unsupported_browser(lang)));
    }
    header(&mut out, report, w, lang);
    contents(&mut out, &page.toc, w);
    out.push_str(&page.body);
    paged::finish(&mut out, &page);
    out.push_str("</body>\n</html>\n");
    out
}

/// Everything up to `<body>`: the title, and the style inline so the page needs no network.
fn head(out: &mut String, report: &Report, w: &Words) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"hecun {}\">\n<title>{} — {}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        w.html_lang,
        esc(&report.tool_version),
        esc(&report.plan),
        esc(w.report_kind),
        STYLE
    );
}

/// The plan's name and what made the page.
fn header(out: &mut String, report: &Report, w: &Words, lang: Lang) {
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} · {}{}{} · {} {}</p>\n</header>\n",
        esc(&report.plan),
        esc(w.report_kind),
        esc(w.metric_crs),
        w.colon,
        esc(&report.metric_crs),
        esc(w.made_with),
        esc(&report.build_line(lang))
    );
}

/// The contents list, linking each section that was written.
fn contents(
    out: &mut String,
    toc: &[(
        std::borrow::Cow<'static, str>,
        std::borrow::Cow<'static, str>,
    )],
    w: &Words,
) {
    let _ = write!(
        out,
        "<nav class=\"toc\"><strong>{}</strong><ol>",
        esc(w.contents)
    );
    for (id, title) in toc {
        let _ = write!(
            out,
            "<li><a href=\"#{id}\">{}</a></li>",
            esc(title.as_ref())
        );
    }
    out.push_str("</ol></nav>\n");
}

#[cfg(test)]
mod large_tests;
#[cfg(test)]
mod sites_tests;
#[cfg(test)]
pub(crate) mod tests;
