//! Drawing the demolition zones: one buffer per road or corridor, at its class's width.

use geo::BoundingRect;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geometry::buffer::buffer;
use crate::model::ZoneSource;
use crate::model::zone::{Zone, ZoneSpec};

/// Builds one zone per source (sources in a metric CRS), in parallel, in source order.
///
/// A line is buffered by its class's width (plus half its own width, for line corridors); a
/// polygon is buffered by its class's width, or taken as it is when that width is 0.
pub fn build_zones(sources: &[ZoneSource], spec: &ZoneSpec) -> Result<Vec<Zone>> {
    sources
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let width = spec.width(&s.class).ok_or_else(|| {
                let known: Vec<_> = spec.widths().keys().map(String::as_str).collect();
                Error::feature(
                    s.at.clone(),
                    Some("class"),
                    format!(
                        "unknown class {:?}: give it a width (e.g. --width {}=50); known classes: {}",
                        s.class,
                        s.class,
                        known.join(", ")
                    ),
                )
            })?;
            let distance = width + s.own_width / 2.0;
            let polygon = buffer(&s.geometry, distance, spec.quad_segs())
                .map_err(|problem| Error::feature(s.at.clone(), Some("geometry"), problem))?;
            let bbox = polygon
                .bounding_rect()
                .ok_or_else(|| Error::feature(s.at.clone(), Some("geometry"), "the zone is empty"))?;
            Ok(Zone {
                source: i,
                class: s.class.clone(),
                distance,
                polygon,
                bbox,
            })
        })
        .collect()
}
