//! A table whose rows grow with the region, written in the page's form.
//!
//! A section fills a [`Grid`] cell by cell with the same formatting either way; the grid then
//! writes itself as plain HTML on a small page (byte for byte what the sections wrote before
//! the large form existed) or, on a large page (see [`Page::large`]), as its header, its first
//! page of rows as HTML, its footer totals (computed here in Rust, over every row) and all its
//! rows as compact JSON, compressed (see [`super::packed`]), that `paged.js` pages, filters and
//! sorts. Both forms hold the same cells, so both say the same words.

use std::fmt::Write;

use super::fmt::esc;
use super::packed;
use super::page::Page;
use super::table::thead;
use crate::report::words::paged_words;

/// Rows the large page shows at a time, and writes as HTML before its script runs.
pub(crate) const PAGE_ROWS: usize = 50;

/// One table's rows, cell by cell, before it is written.
pub(super) struct Grid {
    id: String,
    head: String,
    rows: Vec<Row>,
    foot: Option<Row>,
    /// The column naming each row's township: the township detail view shows this table's
    /// rows of one township.
    township_col: Option<usize>,
    /// What the township detail view calls this table's rows.
    title: String,
}

struct Row {
    class: Option<&'static str>,
    cells: Vec<Cell>,
}

struct Cell {
    /// `None`: a bare `<td>`; `Some("")` is written as the sections always wrote it.
    class: Option<String>,
    html: String,
    /// The number a numeric cell shows, for sorting.
    sort: Option<f64>,
}

impl Grid {
    /// A table with columns `cols` (name, right-aligned number); `id` names it as
    /// [`thead`] does.
    pub(super) fn new(id: &str, cols: &[(&str, bool)]) -> Grid {
        let mut head = String::new();
        thead(&mut head, id, cols);
        Grid {
            id: id.to_owned(),
            head,
            rows: Vec::new(),
            foot: None,
            township_col: None,
            title: String::new(),
        }
    }

    /// Marks column `col` as the township's, with `title` for the detail view's heading.
    pub(super) fn township(mut self, col: usize, title: &str) -> Grid {
        self.township_col = Some(col);
        self.title = title.to_owned();
        self
    }

    /// Starts a row (`class`: its style class, if any).
    pub(super) fn tr(&mut self, class: Option<&'static str>) {
        self.rows.push(Row {
            class,
            cells: Vec::new(),
        });
    }

    /// Starts the footer row: the totals, over every row, that stay under every page.
    pub(super) fn foot(&mut self) {
        self.foot = Some(Row {
            class: None,
            cells: Vec::new(),
        });
    }

    fn push(&mut self, class: Option<&str>, html: String, sort: Option<f64>) {
        if self.foot.is_none() && self.rows.is_empty() {
            self.tr(None);
        }
        let cell = Cell {
            class: class.map(str::to_owned),
            html,
            sort,
        };
        if let Some(row) = self.foot.as_mut().or(self.rows.last_mut()) {
            row.cells.push(cell);
        }
    }

    /// A cell of text.
    pub(super) fn td(&mut self, text: &str) {
        self.push(None, esc(text), None);
    }

    /// A name or id, kept on one line (see [`super::table::td_name`]).
    pub(super) fn td_name(&mut self, text: &str) {
        self.push(Some("name"), esc(text), None);
    }

    /// A right-aligned number; it sorts by the number it shows.
    pub(super) fn td_num(&mut self, text: &str) {
        self.push(Some("num"), esc(text), sort_key(text));
    }

    /// A cell of HTML already escaped.
    pub(super) fn td_html(&mut self, html: &str) {
        self.push(None, html.to_owned(), None);
    }

    /// A cell of HTML already escaped, with a style class (written even when empty).
    pub(super) fn td_class(&mut self, class: &str, html: &str) {
        self.push(Some(class), html.to_owned(), None);
    }

    /// Villages, households and people (see [`super::table::counts_cells`]).
    pub(super) fn counts(&mut self, c: &crate::report::Counts) {
        use super::fmt::{count, count_usize};
        self.td_num(&count_usize(c.villages));
        self.td_num(&count(c.households));
        self.td_num(&count(c.population));
    }

    /// Writes the table into the page in the page's form.
    pub(super) fn write(self, page: &mut Page) {
        if page.large {
            self.write_paged(page);
        } else {
            self.write_html(&mut page.body);
        }
    }

    /// The small page's table: every row as HTML.
    fn write_html(self, out: &mut String) {
        out.push_str(&self.head);
        for row in &self.rows {
            row_html(out, row);
            out.push('\n');
        }
        foot_html(out, self.foot.as_ref());
    }

    /// The large page's table: the first page of rows as HTML (so the page shows data before
    /// its script runs, and without it) and every row as JSON, compressed, for `paged.js`.
    fn write_paged(self, page: &mut Page) {
        let pw = paged_words(page.lang);
        let out = &mut page.body;
        let n = self.rows.len();
        let shown = n.min(PAGE_ROWS);
        let _ = write!(
            out,
            "<div class=\"paged\" data-paged=\"{}\">\n<p class=\"pager-info\">{}</p>\n",
            esc(&self.id),
            esc(&rows_of(pw.rows_of, if n == 0 { 0 } else { 1 }, shown, n))
        );
        out.push_str(&self.head);
        for row in &self.rows[..shown] {
            row_html(out, row);
            out.push('\n');
        }
        foot_html(out, self.foot.as_ref());
        let _ = writeln!(
            out,
            "{}{}</script>\n</div>",
            packed::open_tag(&format!("id=\"{}-data\"", esc(&self.id))),
            packed::pack(&script_json(&self.json()))
        );
    }

    /// The rows as JSON: a cell is its HTML, or `[html, class]`, or `[html, class, number]`;
    /// row classes by row index; which columns are numbers; the township column and title.
    fn json(&self) -> serde_json::Value {
        use serde_json::{Value, json};
        let cell = |c: &Cell| -> Value {
            match (&c.class, c.sort) {
                (None, _) => Value::String(c.html.clone()),
                (Some(class), None) => json!([c.html, class]),
                (Some(class), Some(n)) => json!([c.html, class, n]),
            }
        };
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| Value::Array(r.cells.iter().map(cell).collect()))
            .collect();
        let classes: serde_json::Map<String, Value> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.class.map(|c| (i.to_string(), json!(c))))
            .collect();
        json!({
            "rows": rows,
            "rc": classes,
            "tw": self.township_col,
            "title": self.title,
        })
    }
}

/// `<tr>` and its cells, exactly as the sections wrote them.
fn row_html(out: &mut String, row: &Row) {
    match row.class {
        Some(c) => {
            let _ = write!(out, "<tr class=\"{c}\">");
        }
        None => out.push_str("<tr>"),
    }
    for c in &row.cells {
        match &c.class {
            Some(class) => {
                let _ = write!(out, "<td class=\"{class}\">{}</td>", c.html);
            }
            None => {
                let _ = write!(out, "<td>{}</td>", c.html);
            }
        }
    }
    out.push_str("</tr>");
}

fn foot_html(out: &mut String, foot: Option<&Row>) {
    match foot {
        Some(f) => {
            out.push_str("</tbody><tfoot>");
            row_html(out, f);
            out.push_str("</tfoot></table>\n");
        }
        None => out.push_str("</tbody></table>\n"),
    }
}

/// The number a cell shows, read back without its thousands separators: for the counts,
/// shares and scores of these tables, the number itself (`12,345` → 12345, `0.04 %` →
/// 0.04); `—` and text without digits have none (they sort last).
fn sort_key(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let negative = text[..start].ends_with('-');
    let digits: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
        .filter(|c| *c != ',')
        .collect();
    let n: f64 = digits.trim_end_matches('.').parse().ok()?;
    Some(if negative { -n } else { n })
}

/// Fills a "rows a–b of n" template (`{a}`, `{b}`, `{n}`), counts with separators; the
/// script fills the same template the same way.
pub(super) fn rows_of(template: &str, a: usize, b: usize, n: usize) -> String {
    use super::fmt::count_usize;
    template
        .replace("{a}", &count_usize(a))
        .replace("{b}", &count_usize(b))
        .replace("{n}", &count_usize(n))
}

/// JSON made safe inside `<script>`: `</` and `<!` only occur inside JSON strings, where
/// `<\/` and `<\u0021` mean the same, and cannot end the script element.
pub(super) fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace("</", "<\\/")
        .replace("<!", "<\\u0021")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_read_the_number_shown() {
        assert_eq!(sort_key("12,345"), Some(12345.0));
        assert_eq!(sort_key("0.04 %"), Some(0.04));
        assert_eq!(sort_key("-3"), Some(-3.0));
        assert_eq!(sort_key("100 m"), Some(100.0));
        assert_eq!(sort_key("—"), None);
        assert_eq!(sort_key(""), None);
    }

    /// The text between `open` and the next `</script>` in `html`.
    fn block<'a>(html: &'a str, open: &str) -> &'a str {
        let start = html.find(open).expect("the block") + open.len();
        &html[start..start + html[start..].find("</script>").expect("closed")]
    }

    /// The large form's rows, compressed, read back (gzip, base64) as exactly the JSON the page
    /// embedded as it is before it was compressed; the same bytes each time.
    #[test]
    fn compressed_rows_decode_to_the_json_they_were() {
        let mut g = Grid::new("t", &[("name", false), ("n", true)]);
        for i in 0..200 {
            g.tr(if i % 7 == 0 { Some("warn") } else { None });
            g.td_name(&format!("村<{i}>&</script>"));
            g.td_num(&format!("{},{:03}", i, i));
        }
        let plain = script_json(&g.json());
        let write = |g: Grid| {
            let mut page = Page::new(crate::report::Lang::ZhCn, true);
            g.write(&mut page);
            page.body
        };
        let body = write(g);
        let open = "<script type=\"application/json\" id=\"t-data\" data-encoding=\"gzip+base64\">";
        let packed = block(&body, open);
        assert!(
            packed.len() * 2 < plain.len(),
            "{} of {}",
            packed.len(),
            plain.len()
        );
        assert_eq!(super::super::packed::unpack(packed), plain);
        // The first page is still HTML, as escaped as ever.
        assert_eq!(body.matches("<tr").count(), 1 + PAGE_ROWS);
        assert!(body.contains("<td class=\"name\">村&lt;0&gt;&amp;&lt;/script&gt;</td>"));
    }

    #[test]
    fn script_json_cannot_close_its_script() {
        let v = serde_json::json!(["</script><!-- x"]);
        let s = script_json(&v);
        assert!(!s.contains("</") && !s.contains("<!"));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }
}
