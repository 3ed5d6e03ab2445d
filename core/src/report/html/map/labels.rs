//! Names on the map: townships, then chosen sites, then roads and corridors, each at the first
//! of a few spots that keeps clear of the names and stars already placed. A name with no clear
//! spot is left off (as GIS labelling does), or a dense map becomes a smear of overprinted
//! names; hovering and the tables still give every name, and the legend says how many were
//! left off.
//!
//! Every label is a `<text class="label KIND" data-id="…">` (KIND: `township`, `site`, `road`,
//! `corridor`), so that a check in the browser can find each one and the feature it names. A
//! township's name is anchored at its pole of inaccessibility (the interior point farthest
//! from its boundary, by `polylabel`), never at its centroid or its box's centre, which for a
//! U-shaped or crescent township lie outside it; a spot moved off that point to keep clear of
//! another name is taken only if its anchor still lies inside the township.

use std::collections::BTreeMap;
use std::fmt::Write;

use geo::{Area, Contains, Coord, Geometry, InteriorPoint, LineString, MapCoords, MultiPolygon};
use geo::{Point, Polygon, Simplify};

use super::colours::Colours;
use super::frame::{Frame, VIEW_W};
use super::sites::anchor;
use crate::report::MapData;
use crate::report::html::fmt::{esc, px_string};
use crate::report::words::Words;

/// A label's box, for keeping labels apart.
#[derive(Clone, Copy)]
pub(super) struct LabelBox {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl LabelBox {
    fn overlaps(&self, o: &LabelBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Whether the box lies wholly on the map, above the band of scale bar and arrow.
    fn on_map(&self, frame: &Frame) -> bool {
        self.x0 >= 0.0 && self.x1 <= VIEW_W && self.y0 >= 0.0 && self.y1 <= frame.label_floor()
    }
}

/// Roughly how wide `text` is at `size` px: CJK ideographs are square, Latin about half.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c as u32 >= 0x2E80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

/// The labels written so far and the room they (and the stars) take.
struct Labels<'a> {
    frame: &'a Frame,
    placed: Vec<LabelBox>,
    text: String,
    left_off: usize,
}

impl Labels<'_> {
    /// The first of `boxes` that is clear and on the map, now taken; none: one more name left
    /// off.
    fn place(&mut self, boxes: &[LabelBox]) -> Option<usize> {
        let pick = boxes
            .iter()
            .position(|b| !self.placed.iter().any(|p| p.overlaps(b)) && b.on_map(self.frame));
        match pick {
            Some(i) => self.placed.push(boxes[i]),
            None => self.left_off += 1,
        }
        pick
    }
}

/// Writes the names that find room, keeping clear of `stars`; returns how many were left off.
pub(super) fn labels(
    svg: &mut String,
    map: &MapData,
    frame: &Frame,
    stars: Vec<LabelBox>,
    colours: &Colours<'_>,
    w: &Words,
) -> usize {
    let mut labels = Labels {
        frame,
        placed: stars,
        text: String::new(),
        left_off: 0,
    };
    township_labels(&mut labels, map);
    site_labels(&mut labels, map);
    line_labels(&mut labels, map, colours, w);
    if !labels.text.is_empty() {
        // A white halo under each letter keeps names legible over any fill.
        let _ = write!(
            svg,
            r##"<g id="map-labels" fill="#2b2418" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{}</g>"##,
            labels.text
        );
    }
    labels.left_off
}

/// Where a township's name goes: the pole of inaccessibility of its largest part (to within
/// a pixel), the point inside it farthest from its boundary, where a name has the most room.
/// geo's interior point when polylabel has no answer (a degenerate ring).
pub(super) fn label_point(geometry: &MultiPolygon<f64>, frame: &Frame) -> Option<Point<f64>> {
    let largest: &Polygon<f64> = geometry
        .iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let tolerance = 1.0 / frame.px_per_metre();
    polylabel::polylabel(largest, &tolerance)
        .ok()
        .filter(|p| p.x().is_finite() && p.y().is_finite() && geometry.contains(p))
        .or_else(|| geometry.interior_point())
}

/// Township names first, the map's main orientation: each at an interior point of its
/// township, or just above or below it if a star sits there; the largest townships first.
fn township_labels(labels: &mut Labels<'_>, map: &MapData) {
    let mut by_size: Vec<(f64, &String, &MultiPolygon<f64>)> = map
        .townships
        .iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, g)| (g.unsigned_area(), name, g))
        .collect();
    by_size.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    for (_, name, geometry) in by_size {
        let Some(p) = label_point(geometry, labels.frame) else {
            continue;
        };
        let c = labels.frame.to_px(p.0);
        let size = 16.0;
        let half = text_width(name, size) / 2.0;
        // The spots whose anchor lies inside the township (the first always does).
        let ys: Vec<f64> = [0.0, 22.0, -22.0, 40.0, -40.0]
            .iter()
            .map(|dy| c.y + dy)
            .filter(|&y| {
                let at = labels.frame.to_metres(Coord { x: c.x, y });
                geometry.contains(&Point(at))
            })
            .collect();
        let boxes: Vec<LabelBox> = ys
            .iter()
            .map(|&y| LabelBox {
                x0: c.x - half,
                y0: y - size * 0.85,
                x1: c.x + half,
                y1: y + size * 0.25,
            })
            .collect();
        let Some(pick) = labels.place(&boxes) else {
            continue;
        };
        let _ = write!(
            labels.text,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="16" font-weight="700" class="label township" data-id="{}" pointer-events="none">{}</text>"#,
            px_string(c.x),
            px_string(ys[pick]),
            esc(name),
            esc(name)
        );
    }
}

/// Chosen sites are named on the map (the rest are in the table and the tooltips): right,
/// left, above or below the star.
fn site_labels(labels: &mut Labels<'_>, map: &MapData) {
    for site in map.sites.iter().filter(|s| s.chosen && !s.name.is_empty()) {
        let Some(c) = anchor(&site.geometry, labels.frame) else {
            continue;
        };
        let size = 12.0;
        let tw = text_width(&site.name, size);
        let candidates = [
            (c.x + 13.0, c.y + 4.0, "start"),
            (c.x - 13.0, c.y + 4.0, "end"),
            (c.x, c.y - 14.0, "middle"),
            (c.x, c.y + 23.0, "middle"),
        ];
        let boxes = candidates.map(|(x, y, anchor)| {
            let x0 = match anchor {
                "start" => x,
                "end" => x - tw,
                _ => x - tw / 2.0,
            };
            LabelBox {
                x0,
                y0: y - size,
                x1: x0 + tw,
                y1: y + size * 0.25,
            }
        });
        let Some(pick) = labels.place(&boxes) else {
            continue;
        };
        let (x, y, anchor) = candidates[pick];
        let _ = write!(
            labels.text,
            r#"<text x="{}" y="{}" text-anchor="{anchor}" font-size="12" font-weight="600" class="label site" data-id="{}" pointer-events="none">{}</text>"#,
            px_string(x),
            px_string(y),
            esc(&site.id),
            esc(&site.name)
        );
    }
}

/// A straight-ish piece of a line in pixels, long enough to carry a name.
struct Piece {
    a: Coord<f64>,
    b: Coord<f64>,
    len: f64,
}

/// The pieces of `geometry` (lines, or the rings of areas) in pixels, after simplifying with
/// a tolerance of 2 px so a gently curving road gives long pieces; only pieces wholly on the
/// map.
fn pieces(geometry: &Geometry<f64>, frame: &Frame, out: &mut Vec<Piece>) {
    let mut line = |l: &LineString<f64>| {
        let l = l.map_coords(|c| frame.to_px(c)).simplify(2.0);
        for seg in l.lines() {
            let on_map = |c: Coord<f64>| {
                c.x.is_finite()
                    && c.y.is_finite()
                    && (0.0..=VIEW_W).contains(&c.x)
                    && (0.0..=frame.label_floor()).contains(&c.y)
            };
            if on_map(seg.start) && on_map(seg.end) {
                let d = seg.end - seg.start;
                out.push(Piece {
                    a: seg.start,
                    b: seg.end,
                    len: d.x.hypot(d.y),
                });
            }
        }
    };
    match geometry {
        Geometry::LineString(l) => line(l),
        Geometry::MultiLineString(ml) => ml.iter().for_each(line),
        Geometry::Line(l) => line(&LineString::new(vec![l.start, l.end])),
        Geometry::Polygon(p) => line(p.exterior()),
        Geometry::MultiPolygon(mp) => mp.iter().for_each(|p| line(p.exterior())),
        Geometry::Rect(r) => line(r.to_polygon().exterior()),
        Geometry::Triangle(t) => line(t.to_polygon().exterior()),
        Geometry::GeometryCollection(gc) => gc.iter().for_each(|g| pieces(g, frame, out)),
        Geometry::Point(_) | Geometry::MultiPoint(_) => {}
    }
}

/// Road and corridor names, each once: along the longest straight-ish piece of the named
/// line that is inside the frame and long enough for the name, on the line or just beside
/// it, in the colour the legend gives its class, turned to read left to right. A name with
/// no such piece clear of the labels already placed is left off (and counted). The label
/// keeps the line's tooltip: the lines themselves let the pointer through to the villages.
fn line_labels(labels: &mut Labels<'_>, map: &MapData, colours: &Colours<'_>, w: &Words) {
    // By name, in name order: roads first, then corridors (a name on both is a road's).
    let mut named: BTreeMap<&str, (&str, &str, Vec<&Geometry<f64>>)> = BTreeMap::new();
    for (kind, lines) in [("road", &map.roads), ("corridor", &map.corridors)] {
        for l in lines.iter().filter(|l| !l.name.trim().is_empty()) {
            named
                .entry(l.name.as_str())
                .or_insert((kind, l.class.as_str(), Vec::new()))
                .2
                .push(&l.geometry);
        }
    }
    let size = 12.0;
    for (name, (kind, class, geometries)) in named {
        let tw = text_width(name, size);
        let mut all = Vec::new();
        for g in geometries {
            pieces(g, labels.frame, &mut all);
        }
        all.sort_by(|a, b| b.len.total_cmp(&a.len));
        // A name longer than every piece (a short road, a small corridor) is written level
        // at the middle of the longest piece instead.
        let level = all.first().is_some_and(|p| p.len < tw + 8.0);
        all.retain(|p| level || p.len >= tw + 8.0);
        // Each long piece at its middle, on the line, then above and below it.
        let mut spots: Vec<(Coord<f64>, f64)> = Vec::new();
        let mut boxes: Vec<LabelBox> = Vec::new();
        for p in all.iter().take(if level { 1 } else { 6 }) {
            let (mut a, mut b) = (p.a, p.b);
            if b.x < a.x {
                std::mem::swap(&mut a, &mut b);
            }
            let d = b - a;
            let angle = if level { 0.0 } else { d.y.atan2(d.x) };
            let mid = Coord {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            };
            // The unit normal pointing up the page (or left, for a vertical line); straight
            // up for a level name.
            let (nx, ny) = if level || p.len == 0.0 {
                (0.0, -1.0)
            } else {
                (d.y / p.len, -d.x / p.len)
            };
            for off in [0.0, size * 0.9, -size * 0.9] {
                let centre = Coord {
                    x: mid.x + nx * off,
                    y: mid.y + ny * off,
                };
                // The text's box turned by `angle`, as the box around it.
                let (c, s) = (angle.cos().abs(), angle.sin().abs());
                let half_w = (tw * c + size * s) / 2.0;
                let half_h = (tw * s + size * c) / 2.0;
                spots.push((centre, angle));
                boxes.push(LabelBox {
                    x0: centre.x - half_w,
                    y0: centre.y - half_h,
                    x1: centre.x + half_w,
                    y1: centre.y + half_h,
                });
            }
        }
        if boxes.is_empty() {
            labels.left_off += 1;
            continue;
        }
        let Some(pick) = labels.place(&boxes) else {
            continue;
        };
        let (c, angle) = spots[pick];
        let colour = if kind == "road" {
            colours.road(class)
        } else {
            colours.corridor(class)
        };
        let what = if kind == "road" {
            w.lg_roads
        } else {
            w.lg_corridors
        };
        let _ = write!(
            labels.text,
            r#"<text x="{x}" y="{y}" transform="rotate({} {x} {y})" text-anchor="middle" dominant-baseline="central" font-size="12" font-weight="600" fill="{colour}" class="label {kind}" data-id="{}"><title>{}</title>{}</text>"#,
            px_string(angle.to_degrees()),
            esc(name),
            super::layers::line_title(what, class, name),
            esc(name),
            x = px_string(c.x),
            y = px_string(c.y),
        );
    }
}

#[cfg(test)]
mod tests {
    use geo::{Centroid, Contains, Coord, LineString, MultiPolygon, Point, Polygon};

    use super::*;
    use crate::report::html::map::frame::extent;

    /// A U opening north, `w` wide and `h` tall, arms `arm` thick: its centroid lies in the
    /// gap between the arms, outside it.
    fn u_shape(x: f64, y: f64, w: f64, h: f64, arm: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![
                (x, y),
                (x + w, y),
                (x + w, y + h),
                (x + w - arm, y + h),
                (x + w - arm, y + arm),
                (x + arm, y + arm),
                (x + arm, y + h),
                (x, y + h),
                (x, y),
            ]),
            vec![],
        )
    }

    /// The anchors (x, y in pixels) of the township labels written, by data-id.
    fn anchors(text: &str) -> Vec<(String, Coord<f64>)> {
        text.split("<text ")
            .skip(1)
            .filter(|t| t.contains("class=\"label township\""))
            .map(|t| {
                let attr = |name: &str| {
                    let s = &t[t.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
                    s[..s.find('"').unwrap()].to_owned()
                };
                // The tag starts with its x (`x="…" y="…"`).
                let x = &t[t.find("x=\"").unwrap() + 3..];
                let x: f64 = x[..x.find('"').unwrap()].parse().unwrap();
                (
                    attr("data-id"),
                    Coord {
                        x,
                        y: attr("y").parse().unwrap(),
                    },
                )
            })
            .collect()
    }

    fn map_of(townships: Vec<(String, MultiPolygon<f64>)>) -> MapData {
        MapData {
            townships,
            ..MapData::default()
        }
    }

    fn words() -> &'static Words {
        crate::report::words::words(crate::report::Lang::ZhCn)
    }

    /// Issue 15: of 63 township labels, 50 sat outside their own township. A U whose
    /// centroid is outside it, and a crescent of Us: every name's anchor, mapped back to
    /// metres, lies inside its township (geo's Contains as the oracle).
    #[test]
    fn township_names_are_anchored_inside_their_townships() {
        let u = u_shape(0.0, 0.0, 9000.0, 8000.0, 1200.0);
        assert!(!u.contains(&u.centroid().unwrap()), "the test's premise");
        let mut townships = vec![("U镇".to_owned(), MultiPolygon::new(vec![u]))];
        // Thin Us of every size, turned both ways, side by side.
        for i in 0..6 {
            let x = 10_000.0 + 2500.0 * i as f64;
            let arm = 150.0 + 60.0 * i as f64;
            let p = u_shape(x, 0.0, 2000.0, 3000.0 + 800.0 * i as f64, arm);
            assert!(!p.contains(&p.centroid().unwrap()));
            townships.push((format!("乡{i}"), MultiPolygon::new(vec![p])));
        }
        let map = map_of(townships.clone());
        let frame = Frame::fit(extent(&map).unwrap());
        let mut svg = String::new();
        let left_off = labels(
            &mut svg,
            &map,
            &frame,
            Vec::new(),
            &Colours::new(&crate::report::html::tests::sample(), &map),
            words(),
        );
        let found = anchors(&svg);
        assert_eq!(found.len() + left_off, townships.len());
        assert!(found.len() >= 4, "{svg}");
        for (id, at) in found {
            let (_, g) = townships.iter().find(|(n, _)| *n == id).unwrap();
            let m = frame.to_metres(at);
            assert!(g.contains(&Point(m)), "{id} anchored at {m:?}, outside");
        }
    }

    /// A star where the name would go pushes it off the pole, but only to a spot still
    /// inside the township; with no such spot the name is left off, never put outside.
    #[test]
    fn a_name_moved_aside_stays_inside_or_is_left_off() {
        let u = u_shape(0.0, 0.0, 9000.0, 8000.0, 1200.0);
        let g = MultiPolygon::new(vec![u]);
        let map = map_of(vec![("U镇".to_owned(), g.clone())]);
        let frame = Frame::fit(extent(&map).unwrap());
        let pole = frame.to_px(label_point(&g, &frame).unwrap().0);
        let star = LabelBox {
            x0: pole.x - 30.0,
            y0: pole.y - 12.0,
            x1: pole.x + 30.0,
            y1: pole.y + 4.0,
        };
        let mut svg = String::new();
        let report = crate::report::html::tests::sample();
        let colours = Colours::new(&report, &map);
        let left_off = labels(&mut svg, &map, &frame, vec![star], &colours, words());
        for (_, at) in anchors(&svg) {
            assert!(g.contains(&Point(frame.to_metres(at))));
            assert!(at.y != pole.y, "moved off the star");
        }
        assert_eq!(anchors(&svg).len() + left_off, 1);
    }
}
