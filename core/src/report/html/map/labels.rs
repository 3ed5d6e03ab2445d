//! Names on the map: townships, then chosen sites, each at the first of a few spots that keeps
//! clear of the names and stars already placed. A name with no clear spot is left off (as GIS
//! labelling does), or a dense map becomes a smear of overprinted names; hovering and the
//! tables still give every name, and the legend says how many were left off.

use std::fmt::Write;

use geo::{Area, InteriorPoint, MultiPolygon};

use super::frame::{Frame, VIEW_W};
use super::sites::anchor;
use crate::report::MapData;
use crate::report::html::fmt::{esc, px_string};

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
) -> usize {
    let mut labels = Labels {
        frame,
        placed: stars,
        text: String::new(),
        left_off: 0,
    };
    township_labels(&mut labels, map);
    site_labels(&mut labels, map);
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
        let Some(p) = geometry.interior_point() else {
            continue;
        };
        let c = labels.frame.to_px(p.0);
        let size = 16.0;
        let half = text_width(name, size) / 2.0;
        let ys = [0.0, 22.0, -22.0, 40.0, -40.0].map(|dy| c.y + dy);
        let boxes = ys.map(|y| LabelBox {
            x0: c.x - half,
            y0: y - size * 0.85,
            x1: c.x + half,
            y1: y + size * 0.25,
        });
        let Some(pick) = labels.place(&boxes) else {
            continue;
        };
        let _ = write!(
            labels.text,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="16" font-weight="700" class="township-label">{}</text>"#,
            px_string(c.x),
            px_string(ys[pick]),
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
            r#"<text x="{}" y="{}" text-anchor="{anchor}" font-size="12" font-weight="600" class="site-label">{}</text>"#,
            px_string(x),
            px_string(y),
            esc(&site.name)
        );
    }
}
