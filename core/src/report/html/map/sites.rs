//! The candidate sites: a dot coloured by score (grey when unscored), a star when chosen, each
//! with a tooltip that gives its score or why it has none.

use std::fmt::Write;

use geo::{Coord, Geometry, InteriorPoint};

use super::colours::{SITE_BINS, SITE_OUT, ScoreBins};
use super::frame::Frame;
use super::labels::LabelBox;
use super::path::{PathData, star};
use crate::report::html::fmt::{esc, px_string, score};
use crate::report::words::Words;
use crate::report::{MapData, MapSite};

/// The outer radius of a chosen site's star, in pixels.
const STAR_R: f64 = 11.0;

/// Draws every site and returns the boxes of the stars, which labels must keep clear of.
pub(super) fn sites(
    svg: &mut String,
    map: &MapData,
    frame: &Frame,
    bins: Option<&ScoreBins>,
    w: &Words,
) -> Vec<LabelBox> {
    let mut stars: Vec<LabelBox> = Vec::new();
    if !map.sites.is_empty() {
        svg.push_str(r#"<g id="map-sites">"#);
        // Chosen sites last, so their stars sit on top of their neighbours' dots.
        let mut order: Vec<usize> = (0..map.sites.len()).collect();
        order.sort_by_key(|&i| map.sites[i].chosen);
        for i in order {
            site(svg, &map.sites[i], frame, bins, w, &mut stars);
        }
        svg.push_str("</g>");
    }
    stars
}

fn site(
    svg: &mut String,
    site: &MapSite,
    frame: &Frame,
    bins: Option<&ScoreBins>,
    w: &Words,
    stars: &mut Vec<LabelBox>,
) {
    let mut d = PathData::default();
    d.add(&site.geometry, frame);
    let at = anchor(&site.geometry, frame);
    let colour = match (site.score, bins) {
        (Some(s), Some(b)) if s.is_finite() => SITE_BINS[b.index(s)],
        _ => SITE_OUT,
    };
    let class = if site.chosen {
        "site chosen-site"
    } else {
        "site"
    };
    let _ = write!(
        svg,
        r#"<g class="{class}"><title>{}</title>"#,
        tooltip(site, w)
    );
    if !d.area.is_empty() {
        let _ = write!(
            svg,
            r#"<path d="{}" fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="1" fill-rule="evenodd"/>"#,
            d.area
        );
    }
    // A site given as an area or a line still gets a marker, at a point on it.
    let markers = d
        .points
        .iter()
        .copied()
        .chain(if d.points.is_empty() { at } else { None });
    for c in markers {
        if site.chosen {
            let _ = write!(
                svg,
                r##"<path d="{}" fill="{colour}" stroke="#111" stroke-width="1.3" stroke-linejoin="round"/>"##,
                star(c, STAR_R)
            );
            stars.push(LabelBox {
                x0: c.x - STAR_R,
                y0: c.y - STAR_R,
                x1: c.x + STAR_R,
                y1: c.y + STAR_R,
            });
        } else {
            let r = if site.score.is_some() { 5.0 } else { 3.5 };
            let _ = write!(
                svg,
                r##"<circle cx="{}" cy="{}" r="{r}" fill="{colour}" stroke="#fff" stroke-width="1.2"/>"##,
                px_string(c.x),
                px_string(c.y)
            );
        }
    }
    svg.push_str("</g>");
}

/// The site's name and id, then its score, or why it has none, and whether it was chosen.
fn tooltip(site: &MapSite, w: &Words) -> String {
    let status = match (site.score, &site.excluded, &site.error) {
        (Some(s), _, _) => format!("{} {}", esc(w.col_score), score(s)),
        (None, Some(why), _) => format!("{}{}{}", esc(w.col_excluded), w.colon, esc(why)),
        (None, None, Some(e)) => format!("{}{}{}", esc(w.st_error), w.colon, esc(e)),
        (None, None, None) => esc(w.lg_site_out),
    };
    let chosen = if site.chosen {
        format!(" · ★ {}", esc(w.lg_site_chosen))
    } else {
        String::new()
    };
    format!("{} ({}) · {status}{chosen}", esc(&site.name), esc(&site.id))
}

/// Where a site's marker and name go, in pixels: the point itself, or a point inside an area.
pub(super) fn anchor(geometry: &Geometry<f64>, frame: &Frame) -> Option<Coord<f64>> {
    match geometry {
        Geometry::Point(p) => Some(frame.to_px(p.0)),
        g => g.interior_point().map(|p| frame.to_px(p.0)),
    }
}
