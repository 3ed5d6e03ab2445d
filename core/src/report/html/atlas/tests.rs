//! The large page's map on a synthetic region: 80 × 80 square villages of 500 m in 40
//! townships, half of them U- or L-shaped (their centroids lie outside them, where a label at
//! the centroid would sit in a neighbour), each interlocked with a rectangular neighbour.
//!
//! The map's data is decoded here by a decoder of the test's own (not the script's) and
//! compared with the shapes the report was built from.

use geo::{Centroid, Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::Value;

use crate::report::html::render_html;
use crate::report::html::tests::sample;
use crate::report::{Lang, MapData, MapVillage, Report, TownshipRow};

const CELL: f64 = 500.0;
const N: usize = 80;
/// A CGCS2000-like false easting, and a fraction of a metre so the origin is not a whole
/// number of metres.
const X0: f64 = 38_500_000.25;
const Y0: f64 = 3_840_000.75;

/// Block of 20 × 16 cells holds two townships: `a` (a U in even blocks, an L in odd
/// ones) and `b`, the rest of the block. Which one holds cell (cx, cy) of the block?
fn holds_a(block: usize, cx: usize, cy: usize) -> bool {
    if block.is_multiple_of(2) {
        // U: a bottom bar 4 cells tall, arms 6 cells wide.
        cy < 4 || !(6..14).contains(&cx)
    } else {
        // L: a left arm 6 cells wide and a bottom bar 4 cells tall.
        cy < 4 || cx < 6
    }
}

fn poly(points: &[(f64, f64)], ox: f64, oy: f64) -> Polygon<f64> {
    let mut ring: Vec<(f64, f64)> = points
        .iter()
        .map(|&(x, y)| (X0 + ox + x * CELL, Y0 + oy + y * CELL))
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString::from(ring), vec![])
}

fn township_shapes(block: usize, n: usize) -> (Polygon<f64>, Polygon<f64>) {
    let cols = n / 20;
    let (bx, by) = (block % cols, block / cols);
    let (ox, oy) = (bx as f64 * 20.0 * CELL, by as f64 * 16.0 * CELL);
    if block.is_multiple_of(2) {
        let u = [
            (0.0, 0.0),
            (20.0, 0.0),
            (20.0, 16.0),
            (14.0, 16.0),
            (14.0, 4.0),
            (6.0, 4.0),
            (6.0, 16.0),
            (0.0, 16.0),
        ];
        let notch = [(6.0, 4.0), (14.0, 4.0), (14.0, 16.0), (6.0, 16.0)];
        (poly(&u, ox, oy), poly(&notch, ox, oy))
    } else {
        let l = [
            (0.0, 0.0),
            (20.0, 0.0),
            (20.0, 4.0),
            (6.0, 4.0),
            (6.0, 16.0),
            (0.0, 16.0),
        ];
        let rest = [(6.0, 4.0), (20.0, 4.0), (20.0, 16.0), (6.0, 16.0)];
        (poly(&l, ox, oy), poly(&rest, ox, oy))
    }
}

fn township_code(t: usize) -> String {
    format!("41{:04}{:03}", 100 + t / 10, 100 + t % 10)
}

fn large() -> Report {
    region(N)
}

/// `n` × `n` villages (`n` a multiple of 80) in `n² / 160` townships.
fn region(n: usize) -> Report {
    assert!(n.is_multiple_of(80));
    let mut report = sample();
    let mut townships = Vec::new();
    let mut rows = Vec::new();
    for block in 0..(n / 20) * (n / 16) {
        let (a, b) = township_shapes(block, n);
        for (k, shape) in [a, b].into_iter().enumerate() {
            let t = block * 2 + k;
            townships.push((format!("第{t}镇"), MultiPolygon::new(vec![shape])));
            rows.push(TownshipRow {
                township: format!("第{t}镇"),
                villages_in_layer: 0,
                affected: Default::default(),
                communities: 0,
                launched: 0,
                blocked: 0,
                vetoed: 0,
                demonstration: vec![],
            });
        }
    }
    let mut villages = Vec::new();
    for j in 0..n {
        for i in 0..n {
            let block = (j / 16) * (n / 20) + i / 20;
            let t = block * 2 + usize::from(!holds_a(block, i % 20, j % 16));
            let serial = rows[t].villages_in_layer;
            rows[t].villages_in_layer += 1;
            let fraction_inside = if (i + j) % 7 == 0 { 0.3 } else { 0.0 };
            if fraction_inside > 0.0 {
                rows[t].affected.villages += 1;
            }
            let (x, y) = (i as f64 * CELL, j as f64 * CELL);
            villages.push(MapVillage {
                id: format!("{}{:03}", township_code(t), serial + 1),
                name: format!("村{i}-{j}"),
                township: format!("第{t}镇"),
                households: 100 + i as u64,
                population: 300 + j as u64,
                fraction_inside,
                zone_classes: vec![],
                geometry: MultiPolygon::new(vec![poly(
                    &[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
                    x,
                    y,
                )]),
            });
        }
    }
    let old = report.map.take().unwrap_or_default();
    let farm = poly(&[(2.0, 2.0), (3.5, 2.0), (3.5, 3.0)], 0.0, 0.0);
    report.map = Some(MapData {
        townships,
        villages,
        farmland: vec![("F1".to_owned(), MultiPolygon::new(vec![farm]))],
        ..old
    });
    report.townships = rows;
    report.villages_in_layer = n * n;
    report
}

/// Writes the page of a 240 × 240 region (57,600 villages in 360 townships, a province's
/// scale) in both languages, for the browser check (tests/browser/README.md):
/// `HECUN_ATLAS_PAGE=/tmp/atlas cargo test -p hecun-core --lib write_a_province_page -- --ignored`.
#[test]
#[ignore = "writes files for the browser check"]
fn write_a_province_page() {
    let Ok(stem) = std::env::var("HECUN_ATLAS_PAGE") else {
        return;
    };
    let report = region(240);
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        let path = format!("{stem}-{tag}.html");
        std::fs::write(&path, render_html(&report, lang)).expect("written");
        eprintln!("wrote {path}");
    }
}

/// The map section of a page.
fn map_section(html: &str) -> &str {
    let start = html
        .find("<section id=\"map-section\">")
        .expect("map section");
    let end = start + html[start..].find("</section>").expect("closed");
    &html[start..end]
}

/// The map's data as the page's script reads it: the block's text, decoded (gzip, base64).
fn map_text(html: &str) -> String {
    let open = "<script type=\"application/json\" id=\"map-data\" data-encoding=\"gzip+base64\">";
    let start = html.find(open).expect("map data") + open.len();
    let end = start + html[start..].find("</script>").expect("closed");
    crate::report::html::packed::unpack(&html[start..end])
}

/// The map's data, parsed.
fn map_json(html: &str) -> Value {
    serde_json::from_str(&map_text(html)).expect("valid JSON")
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

/// The test's own reading of a ring's text: base64 digits, 5 bits each, least significant
/// first, 32 while more follow; each value zigzagged (0, -1, 1, -2, … as 0, 1, 2, 3, …).
fn values(v: &Value) -> Vec<i64> {
    let s = v.as_str().expect("a ring's text");
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut z, mut shift) = (0u64, 0u32);
    for c in s.chars() {
        let d = alphabet.find(c).expect("a base64 digit") as u64;
        z |= (d & 31) << shift;
        if d & 32 != 0 {
            shift += 5;
            continue;
        }
        out.push(if z % 2 == 1 {
            -((z as i64 + 1) / 2)
        } else {
            z as i64 / 2
        });
        (z, shift) = (0, 0);
    }
    assert_eq!(shift, 0, "a ring's last value is cut: {s}");
    out
}

/// The test's own decoder: a ring `x0, y0, dx, dy, …` in quanta from the origin to metres.
fn ring(v: &Value, q: f64, origin: (f64, f64)) -> Vec<Coord<f64>> {
    let a = values(v);
    assert!(a.len().is_multiple_of(2), "a ring has pairs");
    let (mut x, mut y) = (0i64, 0i64);
    a.chunks(2)
        .map(|p| {
            x += p[0];
            y += p[1];
            Coord {
                x: origin.0 + x as f64 * q,
                y: origin.1 + y as f64 * q,
            }
        })
        .collect()
}

struct Layer {
    ids: Vec<String>,
    rings: Vec<Vec<Vec<Coord<f64>>>>,
    anchors: Vec<Coord<f64>>,
}

fn layer(data: &Value, key: &str) -> Layer {
    let q = num(&data["q"]);
    let origin = (num(&data["origin"][0]), num(&data["origin"][1]));
    let t = &data[key];
    let ids: Vec<String> = t["id"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("text").to_owned())
        .collect();
    let rings = t["geom"]
        .as_array()
        .expect("geometries")
        .iter()
        .map(|polys| {
            polys
                .as_array()
                .expect("polygons")
                .iter()
                .flat_map(|p| p.as_array().expect("rings").iter())
                .map(|r| ring(r, q, origin))
                .collect()
        })
        .collect();
    // Anchors: from each feature's first point, in quanta.
    let none = Vec::new();
    let a = t["anchor"].as_array().unwrap_or(&none);
    let firsts: Vec<(i64, i64)> = t["geom"]
        .as_array()
        .expect("geometries")
        .iter()
        .map(|g| {
            let p = values(&g[0][0]);
            (p[0], p[1])
        })
        .collect();
    let anchors = a
        .chunks(2)
        .zip(&firsts)
        .map(|(p, f)| Coord {
            x: origin.0 + (f.0 + p[0].as_i64().expect("whole")) as f64 * q,
            y: origin.1 + (f.1 + p[1].as_i64().expect("whole")) as f64 * q,
        })
        .collect();
    Layer {
        ids,
        rings,
        anchors,
    }
}

/// Each decoded ring is the original's points (without its closing one) within half a
/// quantum on each axis.
fn same_shape(decoded: &[Vec<Coord<f64>>], original: &MultiPolygon<f64>, q: f64, what: &str) {
    let rings: Vec<&LineString<f64>> = original
        .0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .collect();
    assert_eq!(decoded.len(), rings.len(), "{what}: ring count");
    for (d, o) in decoded.iter().zip(rings) {
        let o = &o.0[..o.0.len() - 1];
        assert_eq!(d.len(), o.len(), "{what}: vertex count");
        for (a, b) in d.iter().zip(o) {
            assert!(
                (a.x - b.x).abs() <= q / 2.0 + 1e-6 && (a.y - b.y).abs() <= q / 2.0 + 1e-6,
                "{what}: {a:?} is not {b:?}"
            );
        }
    }
}

#[test]
fn a_large_region_gets_the_canvas_map_and_a_small_one_keeps_its_svg() {
    let html = render_html(&large(), Lang::ZhCn);
    let section = map_section(&html);
    assert_eq!(section.matches("<canvas").count(), 1);
    assert_eq!(section.matches("id=\"map-data\"").count(), 1);
    assert!(!html.contains("<svg id=\"map\""));
    for id in [
        "map-search",
        "map-info",
        "map-legend",
        "scale-bar",
        "north-arrow",
    ] {
        assert_eq!(section.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
    }

    let small = render_html(&sample(), Lang::ZhCn);
    assert!(small.contains("<svg id=\"map\""));
    assert!(!small.contains("<canvas"));
    assert!(!small.contains("map-data"));

    // Both legends name the share bins alike, the first above zero (zero has its own colour).
    let bins = [
        "&gt; 0 – 10 %",
        "10 – 25 %",
        "25 – 50 %",
        "50 – 75 %",
        "75 – 100 %",
    ];
    for page in [section, small.as_str()] {
        for b in bins {
            assert!(page.contains(b), "no share bin {b:?}");
        }
        assert!(!page.contains("0.0 %–10.0 %"));
    }
}

#[test]
fn every_feature_round_trips_within_the_quantum() {
    let report = large();
    let html = render_html(&report, Lang::ZhCn);
    let data = map_json(&html);
    let q = num(&data["q"]);
    let map = report.map.as_ref().expect("a map");

    let towns = layer(&data, "townships");
    assert_eq!(towns.ids.len(), map.townships.len());
    for (k, (name, shape)) in map.townships.iter().enumerate() {
        same_shape(&towns.rings[k], shape, q, name);
        // The townships' ids are their 9-digit codes, from their villages' 12-digit ones.
        assert_eq!(towns.ids[k], township_code(k));
        // Their details are where the township table's rows link (the rows' order).
        assert_eq!(
            data["townships"]["href"][k].as_str(),
            Some(format!("township-{}", k + 1).as_str())
        );
    }
    let farmland = layer(&data, "farmland");
    assert_eq!(farmland.ids, ["F1"]);
    same_shape(&farmland.rings[0], &map.farmland[0].1, q, "F1");
    let villages = layer(&data, "villages");
    assert_eq!(villages.ids.len(), map.villages.len());
    for (k, v) in map.villages.iter().enumerate() {
        assert_eq!(villages.ids[k], v.id);
        same_shape(&villages.rings[k], &v.geometry, q, &v.id);
    }
}

#[test]
fn every_anchor_lies_inside_its_own_feature_even_where_the_centroid_does_not() {
    let report = large();
    let data = map_json(&render_html(&report, Lang::ZhCn));
    let map = report.map.as_ref().expect("a map");
    let towns = layer(&data, "townships");
    let mut centroid_outside = 0;
    for (k, (name, shape)) in map.townships.iter().enumerate() {
        let anchor = Point::from(towns.anchors[k]);
        assert!(shape.contains(&anchor), "{name}: {anchor:?} outside");
        // Not in a neighbour either (the townships tile the region).
        for (other, s) in &map.townships {
            assert!(other == name || !s.contains(&anchor), "{name} in {other}");
        }
        if !shape.contains(&shape.centroid().expect("area")) {
            centroid_outside += 1;
        }
    }
    // The U and L townships: where a centroid label would have been wrong.
    assert_eq!(centroid_outside, 20);
    let villages = layer(&data, "villages");
    for (k, v) in map.villages.iter().enumerate() {
        assert!(
            v.geometry.contains(&Point::from(villages.anchors[k])),
            "{}",
            v.id
        );
    }
    // Room: a 500 m square's anchor is at its centre, 250 m from every edge.
    let room = data["villages"]["room"].as_array().expect("room");
    assert!(room.iter().all(|r| (2400.0..=2500.0).contains(&num(r))));
}

#[test]
fn the_map_section_is_a_few_elements_whatever_the_size() {
    let html = render_html(&large(), Lang::En);
    let section = map_section(&html);
    // Tags outside the two scripts' contents.
    let data_start = section.find("id=\"map-data\"").expect("data");
    let script_end = section.rfind("</script>").expect("script");
    let outside = format!("{}{}", &section[..data_start], &section[script_end..]);
    let tags = outside
        .match_indices('<')
        .filter(|(i, _)| {
            outside[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
        })
        .count();
    assert!(tags < 120, "{tags} elements");
    // Compact: well under the inline SVG's bytes per village.
    assert!(section.len() < 6400 * 120, "{} bytes", section.len());
}

#[test]
fn same_report_same_bytes_and_nothing_from_the_network() {
    let report = large();
    let a = render_html(&report, Lang::ZhCn);
    assert_eq!(a, render_html(&report, Lang::ZhCn));
    let section = map_section(&a);
    for banned in [
        "http://",
        "https://",
        "fetch(",
        "XMLHttpRequest",
        "import(",
        "src=",
    ] {
        assert!(!section.contains(banned), "{banned}");
    }
}

#[test]
fn names_cannot_close_the_data_script() {
    let mut report = large();
    if let Some(map) = report.map.as_mut() {
        map.villages[0].name = "</script><script>alert(1)</script>".to_owned();
    }
    let html = render_html(&report, Lang::ZhCn);
    let data = map_json(&html);
    assert_eq!(
        data["villages"]["name"][0].as_str(),
        Some("</script><script>alert(1)</script>")
    );
    assert!(!html.contains("<script>alert(1)"));
    // Nor could it once decoded, were the text ever written as it is.
    assert!(!map_text(&html).to_ascii_lowercase().contains("</script"));
}
