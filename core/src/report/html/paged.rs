//! The large page's detail views and its one script.
//!
//! At province scale a block per community (its verdict, finding by finding) or per site (its
//! score, term by term) is tens of thousands of elements nobody reads at once. On the large page
//! (see [`Page::large`]) such blocks are written as HTML strings inside JSON, keyed by their
//! anchor (`community-3`, `site-12`), compressed (see [`super::packed`]: a province's verdicts
//! are tens of megabytes of HTML); `paged.js` decodes them on the first link followed to one and
//! shows the one a link or the address asks for
//! (one at a time, the back button included), and builds the township detail (`#township-N`)
//! from the paged tables' rows. The small page has no script and none of this.

use std::fmt::Write;

use super::fmt::esc;
use super::grid::{PAGE_ROWS, script_json};
use super::packed;
use super::page::Page;
use crate::report::words::paged_words;

/// The script of the large page: paging, filtering, sorting and the detail views.
const SCRIPT: &str = include_str!("paged.js");

/// The style of the large page's tables and views: written with the script, so the small
/// page's bytes stay as they were.
const STYLE: &str = "<style>\n\
.pager-bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0 2px; font-size: 13px; }\n\
.pager-bar input { flex: 0 1 260px; font: inherit; padding: 2px 6px; }\n\
.pager-bar button { font: inherit; padding: 1px 8px; }\n\
.paged th { cursor: pointer; }\n\
.paged th[aria-sort=ascending]::after { content: \" ▲\"; }\n\
.paged th[aria-sort=descending]::after { content: \" ▼\"; }\n\
.detail { border: 1px solid var(--rule); border-radius: 4px; padding: 4px 12px; margin: 10px 0; }\n\
.detail h4 { margin: 12px 0 2px; font-size: 14px; }\n\
</style>\n";

/// The anchor of the township at `index` in the report's township rows (区划代码 order):
/// `township-1`, `township-2`… The township table links each row there and the large page's
/// map may too; `paged.js` shows that township's communities, villages and sites.
pub(crate) fn township_anchor(index: usize) -> String {
    format!("township-{}", index + 1)
}

/// Blocks shown one at a time: a note saying how many, an empty holder the script fills, and
/// the blocks as `[[anchor, html], …]` in page order, compressed.
pub(super) fn details(page: &mut Page, id: &str, blocks: Vec<(String, String)>) {
    let pw = paged_words(page.lang);
    let n = blocks.len();
    page.note(&(pw.details_note)(n));
    let pairs: Vec<serde_json::Value> = blocks
        .into_iter()
        .map(|(k, html)| serde_json::json!([k, html]))
        .collect();
    let _ = writeln!(
        page.body,
        "<div class=\"detail\" id=\"{0}-view\" hidden></div>\n{1}{2}</script>",
        esc(id),
        packed::open_tag(&format!("data-details=\"{}-view\"", esc(id))),
        packed::pack(&script_json(&serde_json::Value::Array(pairs)))
    );
}

/// The words the script needs, its style and the script itself, at the end of the body (the
/// document is parsed by then); nothing on a small page.
pub(super) fn finish(out: &mut String, page: &Page) {
    if !page.large {
        return;
    }
    let pw = paged_words(page.lang);
    let words = serde_json::json!({
        "page": PAGE_ROWS,
        "rows_of": pw.rows_of,
        "no_rows": pw.no_rows,
        "filter": pw.filter,
        "first": pw.first,
        "prev": pw.prev,
        "next": pw.next,
        "last": pw.last,
        "sort_hint": pw.sort_hint,
        "township_detail": pw.township_detail,
        "back": pw.back_to_townships,
        "colon": page.w.colon,
    });
    out.push_str(STYLE);
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"paged-words\">{}</script>\n<script>\n{}</script>",
        script_json(&words),
        SCRIPT
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The script is written inside `<script>` as it is: nothing in it may end that element.
    #[test]
    fn script_cannot_end_its_element() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!SCRIPT.contains("<!--"));
    }

    /// The detail blocks, compressed, decode to the `[[anchor, html], …]` they were.
    #[test]
    fn details_decode_to_their_anchors_and_html() {
        let mut page = Page::new(crate::report::Lang::En, true);
        let blocks = vec![
            ("community-1".to_owned(), "<h3>A</h3>".to_owned()),
            ("community-2".to_owned(), "<p>x</p><!-- y -->".to_owned()),
        ];
        details(&mut page, "verdicts", blocks);
        let open = "<script type=\"application/json\" data-details=\"verdicts-view\" \
                    data-encoding=\"gzip+base64\">";
        let start = page.body.find(open).expect("the block") + open.len();
        let end = start + page.body[start..].find("</script>").expect("closed");
        assert_eq!(
            super::super::packed::unpack(&page.body[start..end]),
            r#"[["community-1","<h3>A<\/h3>"],["community-2","<p>x<\/p><\u0021-- y -->"]]"#
        );
        assert!(
            page.body
                .contains("<div class=\"detail\" id=\"verdicts-view\" hidden></div>")
        );
    }

    #[test]
    fn township_anchors_count_from_one() {
        assert_eq!(township_anchor(0), "township-1");
        assert_eq!(township_anchor(41), "township-42");
    }
}
