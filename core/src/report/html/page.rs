//! The page being written: sections open and close here, so every section gets its anchor,
//! its heading and its line in the contents list the same way.

use std::borrow::Cow;
use std::fmt::Write;

use super::fmt::esc;
use crate::report::Lang;
use crate::report::words::{Words, words};

/// The page as it is written: the sections so far and the contents list.
pub(super) struct Page {
    /// The fixed words in the page's language.
    pub w: &'static Words,
    pub lang: Lang,
    /// Each section's anchor and title, in page order.
    pub toc: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    /// The sections' HTML.
    pub body: String,
    /// A region too large to write out whole (see [`LARGE_PAGE_VILLAGES`]): the map is drawn
    /// by the page's script from embedded data and the long tables are paged, so the document
    /// stays within what a browser opens quickly. A small region's page is plain HTML and SVG.
    pub large: bool,
}

/// Above this many villages in the layer, the page switches to its large form: at the demo's
/// 600 villages every row and shape is an element of its own; at a province's 60,000 that is
/// over half a million elements and a tab that stays blank for seconds.
pub(crate) const LARGE_PAGE_VILLAGES: usize = 5_000;

impl Page {
    pub(super) fn new(lang: Lang, large: bool) -> Page {
        Page {
            w: words(lang),
            lang,
            toc: Vec::new(),
            body: String::with_capacity(256 * 1024),
            large,
        }
    }

    /// Starts a section and lists it in the contents.
    pub(super) fn open(
        &mut self,
        id: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
    ) {
        let (id, title) = (id.into(), title.into());
        let _ = write!(
            self.body,
            "<section id=\"{id}\">\n<h2>{}</h2>\n",
            esc(&title)
        );
        self.toc.push((id, title));
    }

    pub(super) fn close(&mut self) {
        self.body.push_str("</section>\n");
    }

    /// Opens a section whose content follows when it has any (`true`); when it has none
    /// (`empty`), the section only says `note` and is closed.
    pub(super) fn open_unless_empty(
        &mut self,
        id: &'static str,
        title: &'static str,
        empty: bool,
        note: &str,
    ) -> bool {
        self.open(id, title);
        if empty {
            self.note(note);
            self.close();
        }
        !empty
    }

    /// A short remark in place of content, such as "no warnings".
    pub(super) fn note(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p class=\"note\">{}</p>", esc(text));
    }
}
