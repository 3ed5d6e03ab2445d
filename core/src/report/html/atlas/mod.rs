//! The large page's map: the region's layers embedded once as compact JSON, compressed
//! (`<script type="application/json" id="map-data" data-encoding="gzip+base64">`, see
//! [`super::packed`]) and drawn by the page's own small script on a `<canvas>` (`atlas.js`:
//! pan, zoom, labels, details, search) — no library, no network, still one file.
//!
//! At province scale (60,000 villages) the inline SVG map is over half a million elements and a
//! carpet of 1-px villages with no zoom. Here the document holds a handful of elements; the
//! shapes are data. Coordinates are whole metres from the extent's south-west corner,
//! delta-encoded per ring ([`encode`]); each township and village carries a label anchor inside
//! its own shape ([`anchor`]). The data is a pure function of the report, so the same report
//! gives the same bytes.
//!
//! Format (version 2): every layer is a table of columns (`{"name": [...], "geom": [...]}`),
//! the same length each; `geom` is a feature's polygons `[[ring, …], …]`, a ring the values
//! `x0, y0, dx1, dy1, …` open, in quanta of `q` metres from `origin`, written as a string of
//! variable-length digits ([`encode::write_path`]). Anchors are
//! `[dx, dy]` in the same quanta from the feature's first point, `room` the decimetres from
//! the anchor to the nearest edge (the script labels a feature only when its text fits in
//! that room). `-1` stands for "none" in
//! index columns.

mod anchor;
mod encode;

use std::collections::BTreeMap;
use std::fmt::Write;

use geo::{Geometry, InteriorPoint, Point};
use rayon::prelude::*;

use self::anchor::{Anchor, anchor};
use self::encode::{Grid, Path, QUANTUM};
use super::fmt::{esc, share};
use super::map::shared;
use crate::report::words::{AtlasWords, Words, atlas_words};
use crate::report::{LaunchStatus, MapData, Report};

/// Farmland and the red line: muted, drawn under the zones, as the reasons sites are out.
const FARMLAND: &str = "#9fc77a";
const REDLINE: &str = "#d7301f";

/// The script that draws the map, inline so the page needs no network.
const SCRIPT: &str = include_str!("atlas.js");

/// The large page's map figure: controls, the canvas, the details panel, the legend, the data
/// and the script; `None` when the report has no map.
pub(super) fn atlas_figure(report: &Report, w: &Words) -> Option<String> {
    let map = report.map.as_ref()?;
    let extent = shared::extent(map)?;
    let aw = atlas_words(report_lang(w));
    let grid = Grid {
        x0: extent.min().x.floor(),
        y0: extent.min().y.floor(),
    };
    let data = map_data(report, map, grid, (extent.max().x, extent.max().y), w, aw);
    let mut out = String::with_capacity(data.len() + SCRIPT.len() + 8192);
    let _ = write!(
        out,
        "<figure class=\"map atlas\" id=\"map-figure\">\n\
         <div class=\"atlas-bar\"><input id=\"map-search\" type=\"search\" autocomplete=\"off\" \
         placeholder=\"{s}\" aria-label=\"{s}\" aria-controls=\"map-suggest\">\
         <button type=\"button\" id=\"map-zoom-in\" title=\"{zi}\" aria-label=\"{zi}\">+</button>\
         <button type=\"button\" id=\"map-zoom-out\" title=\"{zo}\" aria-label=\"{zo}\">−</button>\
         <button type=\"button\" id=\"map-reset\">{r}</button></div>\n\
         <ul id=\"map-suggest\" role=\"listbox\" hidden></ul>\n\
         <div class=\"atlas-view\" id=\"map-view\"><canvas id=\"map-canvas\" role=\"img\" aria-label=\"{m}\"></canvas>\
         <div id=\"north-arrow\" aria-label=\"{n}\">▲<br>{n}</div>\
         <div id=\"scale-bar\"><span></span><b></b></div></div>\n\
         <noscript><p class=\"note\">{ns}</p></noscript>\n\
         <div id=\"map-info\" aria-live=\"polite\"><p class=\"note\">{h}</p></div>\n",
        s = esc(aw.search),
        zi = esc(aw.zoom_in),
        zo = esc(aw.zoom_out),
        r = esc(aw.reset),
        m = esc(w.sec_map),
        n = esc(aw.north),
        ns = esc(aw.needs_script),
        h = esc(aw.hint),
    );
    legend(&mut out, report, map, w, aw);
    out.push_str(&super::packed::open_tag("id=\"map-data\""));
    out.push_str(&super::packed::pack(&data));
    out.push_str("</script>\n<script>\n");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</figure>\n");
    Some(out)
}

fn report_lang(w: &Words) -> crate::report::Lang {
    if w.html_lang == "en" {
        crate::report::Lang::En
    } else {
        crate::report::Lang::ZhCn
    }
}

/// A JSON string that cannot close the `<script>` element it sits in (`<` as `\u003c`).
fn js(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".to_owned())
        .replace('<', "\\u003c")
}

/// A column of strings.
fn strings<'a>(out: &mut String, key: &str, items: impl Iterator<Item = &'a str>) {
    let _ = write!(out, "\"{key}\":[");
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&js(s));
    }
    out.push_str("],");
}

/// A column of integers (`-1`: none).
fn ints(out: &mut String, key: &str, items: impl Iterator<Item = i64>) {
    let _ = write!(out, "\"{key}\":[");
    for (i, n) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{n}");
    }
    out.push_str("],");
}

/// The anchors `[dx,dy,…]` (flat; `null,null` for a feature with no area), each from its
/// feature's first point (small numbers: a third of the bytes of absolute ones), and their
/// room in decimetres, written as whole numbers.
fn anchors(out: &mut String, items: &[Option<Anchor>], geoms: &[Vec<Vec<Path>>]) {
    out.push_str("\"anchor\":[");
    for (i, (a, g)) in items.iter().zip(geoms).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let first = encode::first_point(g);
        match (a, first) {
            (Some(a), Some(f)) => {
                let _ = write!(out, "{},{}", a.at.0 - f.0, a.at.1 - f.1);
            }
            _ => out.push_str("null,null"),
        }
    }
    out.push_str("],");
    ints(
        out,
        "room",
        items
            .iter()
            .map(|a| a.map_or(0, |a| (a.room * 10.0).floor() as i64)),
    );
}

fn polygons_column(out: &mut String, key: &str, items: &[Vec<Vec<Path>>]) {
    let _ = write!(out, "\"{key}\":[");
    for (i, g) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode::write_polygons(out, g);
    }
    out.push_str("],");
}

/// Ends an object whose last member left a trailing comma.
fn close(out: &mut String, bracket: char) {
    if out.ends_with(',') {
        out.pop();
    }
    out.push(bracket);
}

/// A township's 区划代码: the first 9 digits its villages' 12-digit 统计用区划代码 share, when
/// they all share them.
fn township_codes(map: &MapData) -> BTreeMap<&str, Option<&str>> {
    let mut codes: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for v in &map.villages {
        let code =
            (v.id.len() == 12 && v.id.bytes().all(|b| b.is_ascii_digit())).then(|| &v.id[..9]);
        codes
            .entry(v.township.as_str())
            .and_modify(|c| {
                if *c != code {
                    *c = None;
                }
            })
            .or_insert(code);
    }
    codes
}

/// The anchor of the township detail of the township at `index` of the report's township rows
/// (`township-1`, `township-2`…, as the large page's township table names them); none for a
/// township the rows do not list.
fn township_href(report: &Report, name: &str) -> String {
    report
        .townships
        .iter()
        .position(|r| r.township == name)
        .map_or(String::new(), crate::report::html::paged::township_anchor)
}

fn status_index(s: LaunchStatus) -> i64 {
    match s {
        LaunchStatus::Launched => 0,
        LaunchStatus::Blocked => 1,
        LaunchStatus::Vetoed => 2,
        LaunchStatus::Error => 3,
    }
}

/// The index of `c` in `VILLAGE_BINS` plus one (0: untouched).
fn bin_of(colour: &str) -> i64 {
    shared::VILLAGE_BINS
        .iter()
        .position(|(_, c)| *c == colour)
        .map_or(0, |i| i as i64 + 1)
}

/// The map's data as JSON (see the module's doc for the format).
fn map_data(
    report: &Report,
    map: &MapData,
    grid: Grid,
    max: (f64, f64),
    w: &Words,
    aw: &AtlasWords,
) -> String {
    let mut out = String::with_capacity(map.villages.len() * 200 + 64 * 1024);
    let _ = write!(
        out,
        "{{\"v\":1,\"q\":{QUANTUM},\"origin\":[{},{}],\"size\":[{},{}],\"crs\":{},",
        grid.x0,
        grid.y0,
        ((max.0 - grid.x0) / QUANTUM).ceil(),
        ((max.1 - grid.y0) / QUANTUM).ceil(),
        js(&report.metric_crs)
    );
    words(&mut out, w, aw);
    palette(&mut out);

    // Townships: numbers from the report's rows (by name), codes from their villages.
    let codes = township_codes(map);
    let town_index: BTreeMap<&str, usize> = map
        .townships
        .iter()
        .enumerate()
        .rev()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect();
    let geoms: Vec<Vec<Vec<Path>>> = map
        .townships
        .par_iter()
        .map(|(_, g)| encode::multipolygon(g, grid))
        .collect();
    let town_anchors: Vec<Option<Anchor>> = geoms.par_iter().map(|g| anchor(g, grid)).collect();
    let rows: Vec<Option<&crate::report::TownshipRow>> = map
        .townships
        .iter()
        .map(|(name, _)| report.townships.iter().find(|r| &r.township == name))
        .collect();
    let code_of = |name: &str| codes.get(name).copied().flatten();
    out.push_str("\"townships\":{");
    strings(
        &mut out,
        "id",
        map.townships
            .iter()
            .map(|(name, _)| code_of(name).unwrap_or(name)),
    );
    strings(
        &mut out,
        "name",
        map.townships.iter().map(|(n, _)| n.as_str()),
    );
    strings(
        &mut out,
        "code",
        map.townships.iter().map(|(n, _)| code_of(n).unwrap_or("")),
    );
    let hrefs: Vec<String> = map
        .townships
        .iter()
        .map(|(n, _)| township_href(report, n))
        .collect();
    strings(&mut out, "href", hrefs.iter().map(String::as_str));
    let n = |f: fn(&crate::report::TownshipRow) -> u64| {
        rows.iter()
            .map(move |r| r.map_or(-1, |r| f(r) as i64))
            .collect::<Vec<_>>()
    };
    ints(
        &mut out,
        "villages",
        n(|r| r.villages_in_layer as u64).into_iter(),
    );
    ints(
        &mut out,
        "affected",
        n(|r| r.affected.villages as u64).into_iter(),
    );
    ints(&mut out, "hh", n(|r| r.affected.households).into_iter());
    ints(&mut out, "pop", n(|r| r.affected.population).into_iter());
    let town_share: Vec<f64> = rows
        .iter()
        .map(|r| {
            r.filter(|r| r.villages_in_layer > 0).map_or(0.0, |r| {
                r.affected.villages as f64 / r.villages_in_layer as f64
            })
        })
        .collect();
    ints(
        &mut out,
        "bin",
        town_share
            .iter()
            .map(|&f| bin_of(shared::village_colour(f))),
    );
    let town_share_text: Vec<String> = town_share.iter().map(|&f| share(f)).collect();
    strings(
        &mut out,
        "share",
        town_share_text.iter().map(String::as_str),
    );
    anchors(&mut out, &town_anchors, &geoms);
    polygons_column(&mut out, "geom", &geoms);
    close(&mut out, '}');
    out.push(',');

    // Villages, with their community's verdict.
    let mut community_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in report.communities.iter().enumerate() {
        for v in &c.villages {
            community_of.entry(v.as_str()).or_insert(i);
        }
    }
    out.push_str("\"communities\":{");
    strings(
        &mut out,
        "name",
        report.communities.iter().map(|c| c.name.as_str()),
    );
    ints(
        &mut out,
        "status",
        report
            .communities
            .iter()
            .map(|c| c.launch.as_ref().map_or(-1, |l| status_index(l.status))),
    );
    // What failed, worded as the community table words it (一票否决：存在强制拆迁（村 …）):
    // the panel must not say less than the table.
    let lang = crate::report::Lang::parse(w.html_lang).unwrap_or(crate::report::Lang::ZhCn);
    let why: Vec<String> = report
        .communities
        .iter()
        .map(|c| {
            let Some(l) = &c.launch else {
                return String::new();
            };
            let failed = report.failure_text("launch", l, lang, true);
            match l.status {
                _ if failed.is_empty() => String::new(),
                LaunchStatus::Vetoed => (w.why_vetoed)(&failed),
                LaunchStatus::Blocked => (w.why_blocked)(&failed),
                _ => String::new(),
            }
        })
        .collect();
    strings(&mut out, "why", why.iter().map(String::as_str));
    close(&mut out, '}');
    out.push(',');

    let vgeoms: Vec<Vec<Vec<Path>>> = map
        .villages
        .par_iter()
        .map(|v| encode::multipolygon(&v.geometry, grid))
        .collect();
    let vanchors: Vec<Option<Anchor>> = vgeoms.par_iter().map(|g| anchor(g, grid)).collect();
    out.push_str("\"villages\":{");
    strings(&mut out, "id", map.villages.iter().map(|v| v.id.as_str()));
    strings(
        &mut out,
        "name",
        map.villages.iter().map(|v| v.name.as_str()),
    );
    ints(
        &mut out,
        "t",
        map.villages.iter().map(|v| {
            town_index
                .get(v.township.as_str())
                .map_or(-1, |&i| i as i64)
        }),
    );
    // The township's name only where the map has no township of that name (`t` is -1):
    // written for every village it would be a twentieth of the page.
    strings(
        &mut out,
        "township",
        map.villages.iter().map(|v| {
            if town_index.contains_key(v.township.as_str()) {
                ""
            } else {
                v.township.as_str()
            }
        }),
    );
    ints(
        &mut out,
        "hh",
        map.villages.iter().map(|v| v.households as i64),
    );
    ints(
        &mut out,
        "pop",
        map.villages.iter().map(|v| v.population as i64),
    );
    ints(
        &mut out,
        "bin",
        map.villages
            .iter()
            .map(|v| bin_of(shared::village_colour(v.fraction_inside))),
    );
    // Only a touched village's share is written: "" reads as untouched.
    let vshare: Vec<String> = map
        .villages
        .iter()
        .map(|v| {
            if v.fraction_inside > 0.0 {
                share(v.fraction_inside)
            } else {
                String::new()
            }
        })
        .collect();
    strings(&mut out, "share", vshare.iter().map(String::as_str));
    ints(
        &mut out,
        "c",
        map.villages
            .iter()
            .map(|v| community_of.get(v.id.as_str()).map_or(-1, |&i| i as i64)),
    );
    anchors(&mut out, &vanchors, &vgeoms);
    polygons_column(&mut out, "geom", &vgeoms);
    close(&mut out, '}');
    out.push(',');

    lines_and_zones(&mut out, report, map, grid);
    for (key, layer) in [("farmland", &map.farmland), ("redline", &map.redline)] {
        let _ = write!(out, "\"{key}\":{{");
        strings(&mut out, "id", layer.iter().map(|(id, _)| id.as_str()));
        let geoms: Vec<Vec<Vec<Path>>> = layer
            .par_iter()
            .map(|(_, g)| encode::multipolygon(g, grid))
            .collect();
        polygons_column(&mut out, "geom", &geoms);
        close(&mut out, '}');
        out.push(',');
    }
    sites(&mut out, map, grid);
    close(&mut out, '}');
    out
}

/// Roads and corridors (name, class, lines and areas) with their classes' colours, and the
/// zones by class.
fn lines_and_zones(out: &mut String, report: &Report, map: &MapData, grid: Grid) {
    let colours = shared::class_colours(report, map);
    let road_classes: Vec<&str> = shared::class_order(report, colours.roads.keys().copied());
    let levels: Vec<&str> = shared::class_order(report, colours.corridors.keys().copied());
    let zone_classes: Vec<&str> = shared::class_order(report, colours.zones.keys().copied());
    for (key, classes, colour_of, items) in [
        ("roads", &road_classes, &colours.roads, &map.roads),
        ("corridors", &levels, &colours.corridors, &map.corridors),
    ] {
        let _ = write!(out, "\"{key}\":{{");
        strings(out, "classes", classes.iter().copied());
        strings(
            out,
            "colours",
            classes
                .iter()
                .map(|c| colour_of.get(c).copied().unwrap_or("#4d4d4d")),
        );
        let widths: Vec<String> = classes
            .iter()
            .map(|c| {
                colours
                    .road_widths
                    .get(c)
                    .map_or("2.2".to_owned(), |w| format!("{w}"))
            })
            .collect();
        let _ = write!(out, "\"widths\":[{}],", widths.join(","));
        strings(out, "name", items.iter().map(|l| l.name.as_str()));
        ints(
            out,
            "cls",
            items.iter().map(|l| {
                classes
                    .iter()
                    .position(|c| *c == l.class)
                    .map_or(-1, |i| i as i64)
            }),
        );
        let encoded: Vec<(Vec<Path>, Vec<Vec<Path>>)> = items
            .par_iter()
            .map(|l| encode::lines_and_areas(&l.geometry, grid))
            .collect();
        let _ = write!(out, "\"lines\":[");
        for (i, (lines, _)) in encoded.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            encode::write_paths(out, lines);
        }
        out.push_str("],");
        let areas: Vec<Vec<Vec<Path>>> = encoded.into_iter().map(|(_, a)| a).collect();
        polygons_column(out, "areas", &areas);
        close(out, '}');
        out.push(',');
    }
    out.push_str("\"zones\":{");
    strings(out, "classes", zone_classes.iter().copied());
    strings(
        out,
        "colours",
        zone_classes
            .iter()
            .map(|c| colours.zones.get(c).copied().unwrap_or("#1f4e9c")),
    );
    ints(
        out,
        "cls",
        map.zones.iter().map(|(class, _)| {
            zone_classes
                .iter()
                .position(|c| c == class)
                .map_or(-1, |i| i as i64)
        }),
    );
    let geoms: Vec<Vec<Vec<Path>>> = map
        .zones
        .par_iter()
        .map(|(_, g)| encode::multipolygon(g, grid))
        .collect();
    polygons_column(out, "geom", &geoms);
    close(out, '}');
    out.push(',');
}

/// The candidate sites as points (a polygon site at its interior point), with score, bin,
/// choice and why one is out.
fn sites(out: &mut String, map: &MapData, grid: Grid) {
    let scores: Vec<Option<f64>> = map.sites.iter().map(|s| s.score).collect();
    let bins = shared::site_bins(&scores);
    out.push_str("\"sites\":{");
    strings(out, "id", map.sites.iter().map(|s| s.id.as_str()));
    strings(out, "name", map.sites.iter().map(|s| s.name.as_str()));
    let score_text: Vec<String> = scores
        .iter()
        .map(|s| {
            s.filter(|s| s.is_finite())
                .map_or(String::new(), |s| format!("{s:.2}"))
        })
        .collect();
    strings(out, "score", score_text.iter().map(String::as_str));
    ints(out, "bin", bins.iter().map(|b| b.map_or(-1, |b| b as i64)));
    ints(out, "chosen", map.sites.iter().map(|s| i64::from(s.chosen)));
    strings(
        out,
        "out",
        map.sites
            .iter()
            .map(|s| s.excluded.as_deref().or(s.error.as_deref()).unwrap_or("")),
    );
    out.push_str("\"pt\":[");
    for (i, s) in map.sites.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let p = match &s.geometry {
            Geometry::Point(p) => Some(*p),
            g => g.interior_point(),
        };
        match p.filter(|p: &Point<f64>| p.x().is_finite() && p.y().is_finite()) {
            Some(p) => {
                let (x, y) = grid.q(p.0);
                let _ = write!(out, "{x},{y}");
            }
            None => out.push_str("null,null"),
        }
    }
    out.push_str("]}");
}

/// The script's words, in the page's language.
fn words(out: &mut String, w: &Words, aw: &AtlasWords) {
    let pairs: [(&str, &str); 31] = [
        ("search", aw.search),
        ("noMatch", aw.no_match),
        ("township", aw.township),
        ("village", aw.village),
        ("site", aw.site),
        ("code", aw.code),
        ("households", aw.households),
        ("population", aw.population),
        ("share", aw.share),
        ("villages", aw.villages),
        ("affected", aw.affected),
        ("community", aw.community),
        ("verdict", aw.verdict),
        ("score", aw.score),
        ("chosen", aw.chosen),
        ("excluded", aw.excluded),
        ("detail", aw.detail),
        ("m", aw.metres),
        ("km", aw.kilometres),
        ("hint", aw.hint),
        ("road", w.lg_roads),
        ("corridor", w.lg_corridors),
        ("zone", w.lg_zones),
        ("untouched", w.lg_untouched),
        ("colon", w.colon),
        ("sep", w.list_sep),
        ("st0", w.st_launched),
        ("st1", w.st_blocked),
        ("st2", w.st_vetoed),
        ("st3", w.st_error),
        ("dash", w.dash),
    ];
    out.push_str("\"words\":{");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{k}\":{}", js(v));
    }
    out.push_str("},");
}

/// The colours the script fills with, from the SVG map's palette.
fn palette(out: &mut String) {
    out.push_str("\"palette\":{\"bins\":[");
    out.push_str(&js(shared::VILLAGE_UNTOUCHED));
    for (_, c) in shared::VILLAGE_BINS {
        out.push(',');
        out.push_str(&js(c));
    }
    let _ = write!(
        out,
        "],\"farmland\":{},\"redline\":{},\"sites\":[",
        js(FARMLAND),
        js(REDLINE)
    );
    for (i, c) in shared::SITE_BINS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&js(c));
    }
    let _ = write!(
        out,
        "],\"siteOut\":{},\"villageLine\":{},\"townshipFill\":{},\"townshipLine\":{}}},",
        js(shared::SITE_OUT),
        js(shared::VILLAGE_LINE),
        js(shared::TOWNSHIP_FILL),
        js(shared::TOWNSHIP_LINE)
    );
}

/// The legend as HTML: a few dozen elements whatever the region's size.
fn legend(out: &mut String, report: &Report, map: &MapData, w: &Words, aw: &AtlasWords) {
    let swatch = |fill: &str, line: &str| {
        format!("<i class=\"sw\" style=\"background:{fill};border-color:{line}\"></i>")
    };
    let stroke = |colour: &str| format!("<i class=\"ln\" style=\"background:{colour}\"></i>");
    let _ = write!(
        out,
        "<div id=\"map-legend\" class=\"legend\"><h4>{}</h4><ul>",
        esc(aw.lg_share_fill)
    );
    let _ = write!(
        out,
        "<li>{}{}</li><li>{}{}</li>",
        swatch(shared::TOWNSHIP_FILL, shared::TOWNSHIP_LINE),
        esc(w.lg_townships),
        swatch(shared::VILLAGE_UNTOUCHED, shared::VILLAGE_LINE),
        esc(w.lg_untouched)
    );
    let mut lower = 0.0;
    for (upper, c) in shared::VILLAGE_BINS {
        let _ = write!(
            out,
            "<li>{}{}</li>",
            swatch(c, shared::VILLAGE_LINE),
            shared::share_bin_label(lower, upper)
        );
        lower = upper;
    }
    out.push_str("</ul>");
    let colours = shared::class_colours(report, map);
    for (title, classes, is_line) in [
        (w.lg_zones, &colours.zones, false),
        (w.lg_corridors, &colours.corridors, false),
        (w.lg_roads, &colours.roads, true),
    ] {
        if classes.is_empty() {
            continue;
        }
        let _ = write!(out, "<h4>{}</h4><ul>", esc(title));
        for class in shared::class_order(report, classes.keys().copied()) {
            let colour = classes.get(class).copied().unwrap_or("#4d4d4d");
            let mark = if is_line {
                stroke(colour)
            } else {
                swatch(colour, colour)
            };
            let _ = write!(out, "<li>{mark}{}</li>", esc(class));
        }
        out.push_str("</ul>");
    }
    if !(map.farmland.is_empty() && map.redline.is_empty()) {
        let _ = write!(out, "<h4>{}</h4><ul>", esc(aw.lg_constraints));
        for (colour, title, empty) in [
            (FARMLAND, aw.farmland, map.farmland.is_empty()),
            (REDLINE, aw.redline, map.redline.is_empty()),
        ] {
            if !empty {
                let _ = write!(out, "<li>{}{}</li>", swatch(colour, colour), esc(title));
            }
        }
        out.push_str("</ul>");
    }
    if !map.sites.is_empty() {
        let _ = write!(out, "<h4>{}</h4><ul><li>", esc(w.lg_sites));
        for c in shared::SITE_BINS {
            let _ = write!(out, "<i class=\"pt\" style=\"background:{c}\"></i>");
        }
        let _ = write!(out, "{}</li>", esc(aw.low_to_high));
        let _ = write!(
            out,
            "<li><i class=\"pt\" style=\"background:{}\"></i>{}</li><li><i class=\"pt chosen\"></i>{}</li></ul>",
            shared::SITE_OUT,
            esc(w.lg_site_out),
            esc(w.lg_site_chosen)
        );
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests;
