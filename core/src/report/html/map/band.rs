//! The band under the map: the scale bar and the north arrow, kept off the map so they never
//! cover a feature.

use std::fmt::Write;

use super::frame::{Frame, MARGIN, VIEW_W};
use crate::report::html::fmt::{esc, metres, plain, px_string};
use crate::report::words::Words;

/// The largest 1, 2 or 5 × 10ⁿ not above `x`.
fn nice_floor(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v <= x * (1.0 + 1e-9))
        .unwrap_or(p)
}

/// A distance as the scale bar says it.
fn distance_label(m: f64) -> String {
    if m >= 1000.0 {
        format!("{} km", plain(m / 1000.0))
    } else {
        metres(m)
    }
}

/// A bar of a round length, about a fifth of the map wide, halved so it reads at a glance.
/// `data-metres` gives its length to the page's script, which keeps the bar true as the map
/// is zoomed (map_explore.js).
pub(super) fn scale_bar(svg: &mut String, frame: &Frame, w: &Words) {
    let metres_per_px = 1.0 / frame.px_per_metre();
    let length_m = nice_floor(VIEW_W * 0.22 * metres_per_px);
    let length_px = length_m * frame.px_per_metre();
    let x0 = MARGIN + 4.0;
    let y = frame.band_top() + 22.0;
    let half = length_px / 2.0;
    let _ = write!(
        svg,
        r##"<g id="scale-bar" data-metres="{}" font-size="12" fill="#222"><title>{}</title><rect x="{}" y="{}" width="{}" height="6" fill="#222" stroke="#222" stroke-width="1"/><rect x="{}" y="{}" width="{}" height="6" fill="#fff" stroke="#222" stroke-width="1"/><text x="{}" y="{}" text-anchor="middle">0</text><text x="{}" y="{}" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle">{}</text></g>"##,
        length_m,
        esc(w.scale),
        px_string(x0),
        px_string(y),
        px_string(half),
        px_string(x0 + half),
        px_string(y),
        px_string(half),
        px_string(x0),
        px_string(y + 20.0),
        px_string(x0 + half),
        px_string(y + 20.0),
        distance_label(length_m / 2.0),
        px_string(x0 + length_px),
        px_string(y + 20.0),
        distance_label(length_m)
    );
}

pub(super) fn north_arrow(svg: &mut String, frame: &Frame, w: &Words) {
    let cx = VIEW_W - MARGIN - 18.0;
    let top = frame.band_top() + 2.0;
    // Half the arrow dark and half light, the usual compass-needle look that reads in print.
    let _ = write!(
        svg,
        r##"<g id="north-arrow"><title>{}</title><text x="{}" y="{}" text-anchor="middle" font-size="14" font-weight="700" fill="#222">{}</text><path d="M{} {} L{} {} L{} {}Z" fill="#222"/><path d="M{} {} L{} {} L{} {}Z" fill="#fff" stroke="#222" stroke-width="1"/></g>"##,
        esc(w.north),
        px_string(cx),
        px_string(top + 13.0),
        esc(w.north),
        px_string(cx),
        px_string(top + 17.0),
        px_string(cx),
        px_string(top + 44.0),
        px_string(cx - 8.0),
        px_string(top + 48.0),
        px_string(cx),
        px_string(top + 17.0),
        px_string(cx + 8.0),
        px_string(top + 48.0),
        px_string(cx),
        px_string(top + 44.0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_floor(7300.0), 5000.0);
        assert_eq!(nice_floor(2000.0), 2000.0);
        assert_eq!(nice_floor(1999.0), 1000.0);
        assert_eq!(nice_floor(0.3), 0.2);
        assert_eq!(distance_label(5000.0), "5 km");
        assert_eq!(distance_label(2500.0), "2.5 km");
        assert_eq!(distance_label(500.0), "500 m");
    }
}
