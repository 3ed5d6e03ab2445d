//! Where the map sits: the viewBox, and metres to pixels (y flipped: metres grow north, pixels
//! grow down).

use geo::{BoundingRect, Coord, Rect};

use crate::report::MapData;

/// Width of the map's viewBox in pixels (its height follows the region's aspect).
pub(super) const VIEW_W: f64 = 1000.0;
/// The tallest the map area may be before the region is scaled down to fit.
const MAX_MAP_H: f64 = 1300.0;
/// Blank space around the map, in pixels.
pub(super) const MARGIN: f64 = 16.0;
/// A strip under the map for the scale bar and north arrow, so they never cover a feature.
const BAND: f64 = 60.0;

/// Metres to pixels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    min_x: f64,
    max_y: f64,
    scale: f64,
    off_x: f64,
    off_y: f64,
    map_h: f64,
    /// The viewBox height.
    pub height: f64,
}

impl Frame {
    /// The frame that fits `extent` into the viewBox.
    pub(super) fn fit(extent: Rect<f64>) -> Frame {
        // A single point or a straight line has no extent on one axis; give it a kilometre
        // so the scale stays finite.
        let w = extent.width().max(1.0);
        let h = extent.height().max(1.0);
        let (w, h) = if extent.width() < 1.0 && extent.height() < 1.0 {
            (1000.0, 1000.0)
        } else {
            (w, h)
        };
        let inner_w = VIEW_W - 2.0 * MARGIN;
        let mut scale = inner_w / w;
        if h * scale > MAX_MAP_H {
            scale = MAX_MAP_H / h;
        }
        let cx = (extent.min().x + extent.max().x) / 2.0;
        let cy = (extent.min().y + extent.max().y) / 2.0;
        let map_h = h * scale;
        Frame {
            min_x: cx - w / 2.0,
            max_y: cy + h / 2.0,
            scale,
            off_x: MARGIN + (inner_w - w * scale) / 2.0,
            off_y: MARGIN,
            map_h,
            height: (map_h + 2.0 * MARGIN + BAND).ceil(),
        }
    }

    /// A point in metres as pixels.
    pub(super) fn to_px(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.off_x + (c.x - self.min_x) * self.scale,
            y: self.off_y + (self.max_y - c.y) * self.scale,
        }
    }

    /// A point in pixels as metres: the inverse of [`Frame::to_px`], to check where a label
    /// drawn at a pixel lies on the ground.
    pub(super) fn to_metres(self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.min_x + (c.x - self.off_x) / self.scale,
            y: self.max_y - (c.y - self.off_y) / self.scale,
        }
    }

    /// Pixels per metre on the ground.
    pub(super) fn px_per_metre(self) -> f64 {
        self.scale
    }

    /// The top of the band under the map that holds the scale bar and north arrow.
    pub(super) fn band_top(self) -> f64 {
        self.off_y + self.map_h + MARGIN
    }

    /// The lowest a label may reach: above the band, so it never covers the scale bar.
    pub(super) fn label_floor(self) -> f64 {
        self.height - BAND
    }
}

/// The extent of every layer, or `None` when the map is empty.
pub(super) fn extent(map: &MapData) -> Option<Rect<f64>> {
    let mut rects: Vec<Rect<f64>> = Vec::new();
    rects.extend(map.townships.iter().filter_map(|(_, g)| g.bounding_rect()));
    rects.extend(
        map.roads
            .iter()
            .chain(&map.corridors)
            .filter_map(|l| l.geometry.bounding_rect()),
    );
    rects.extend(map.zones.iter().filter_map(|(_, g)| g.bounding_rect()));
    rects.extend(
        map.villages
            .iter()
            .filter_map(|v| v.geometry.bounding_rect()),
    );
    rects.extend(map.sites.iter().filter_map(|s| s.geometry.bounding_rect()));
    let finite = |r: &Rect<f64>| {
        r.min().x.is_finite()
            && r.min().y.is_finite()
            && r.max().x.is_finite()
            && r.max().y.is_finite()
    };
    rects
        .into_iter()
        .filter(finite)
        .reduce(crate::geometry::rect_union)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_is_flipped() {
        let frame = Frame::fit(Rect::new(
            Coord { x: 0.0, y: 0.0 },
            Coord {
                x: 1000.0,
                y: 500.0,
            },
        ));
        let north = frame.to_px(Coord { x: 0.0, y: 500.0 });
        let south = frame.to_px(Coord { x: 0.0, y: 0.0 });
        assert!(north.y < south.y);
        assert!((north.y - MARGIN).abs() < 1e-9);
        let back = frame.to_metres(frame.to_px(Coord { x: 123.0, y: 456.0 }));
        assert!((back.x - 123.0).abs() < 1e-9 && (back.y - 456.0).abs() < 1e-9);
    }
}
