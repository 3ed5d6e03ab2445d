//! Demolition zones: buffers around roads and corridors, with a width per class.

use std::collections::BTreeMap;
use std::f64::consts::FRAC_PI_2;

use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
use geo::orient::{Direction, Orient};
use geo::{BoundingRect, Geometry, LineString, MultiLineString, MultiPolygon, Rect};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::{ZoneSource, polygons};

/// How zones are drawn: a buffer distance per class, and how finely arcs are drawn.
///
/// # Examples
///
/// ```
/// use hecun::ZoneSpec;
///
/// let spec = ZoneSpec::from_pairs([("ring", 100.0), ("radial", 50.0), ("corridor", 0.0)])?;
/// assert_eq!(spec.width("ring"), Some(100.0));
/// assert_eq!(spec.width("expressway"), None);
/// assert!(ZoneSpec::from_pairs([("ring", -1.0)]).is_err());
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSpec {
    widths: BTreeMap<String, f64>,
    quad_segs: u32,
}

impl ZoneSpec {
    /// Segments per quarter circle by default, as in GEOS, PostGIS and Shapely.
    pub const DEFAULT_QUAD_SEGS: u32 = 8;

    /// Widths in metres on each side of the centreline (or outside a polygon), per class.
    pub fn from_pairs<S: Into<String>>(
        pairs: impl IntoIterator<Item = (S, f64)>,
    ) -> Result<ZoneSpec> {
        let mut widths = BTreeMap::new();
        for (class, width) in pairs {
            let class = class.into();
            if !width.is_finite() || width < 0.0 {
                return Err(Error::config(
                    "zone widths",
                    format!(
                        "width of class {class:?} must be a number of metres >= 0, not {width}"
                    ),
                ));
            }
            widths.insert(class, width);
        }
        if widths.is_empty() {
            return Err(Error::config(
                "zone widths",
                "no widths given (e.g. --width ring=100)",
            ));
        }
        Ok(ZoneSpec {
            widths,
            quad_segs: Self::DEFAULT_QUAD_SEGS,
        })
    }

    /// Draws arcs with `quad_segs` segments per quarter circle.
    pub fn with_quad_segs(mut self, quad_segs: u32) -> ZoneSpec {
        self.quad_segs = quad_segs.max(1);
        self
    }

    /// The same widths with `class` set to `width` metres (a scenario); the class must be one
    /// the spec already has, named as the plan names it or by its English alias
    /// ([`ZoneSpec::class_named`]).
    pub fn with_width(&self, class: &str, width: f64) -> Result<ZoneSpec> {
        let class = self.class_named(class)?;
        let mut pairs = self.widths.clone();
        pairs.insert(class, width);
        Ok(ZoneSpec::from_pairs(pairs)?.with_quad_segs(self.quad_segs))
    }

    /// The spec's class that `name` means: the class itself, or an English alias for the
    /// classes of the source plan (两环十五放射、快速通道、生态廊道): `ring` 环线, `radial`
    /// 放射线, `expressway` 快速通道, `corridor` (the only corridor level, if there is one).
    pub fn class_named(&self, name: &str) -> Result<String> {
        if self.widths.contains_key(name) {
            return Ok(name.to_owned());
        }
        let aliases: &[&str] = match name.to_ascii_lowercase().as_str() {
            "ring" => &["环线", "环路", "ring"],
            "radial" => &["放射线", "放射", "radial"],
            "expressway" | "express" => &["快速通道", "快速路", "expressway"],
            "corridor" => &["生态廊道", "corridor"],
            _ => &[],
        };
        if let Some(class) = aliases.iter().find(|a| self.widths.contains_key(**a)) {
            return Ok((*class).to_owned());
        }
        let known: Vec<&str> = self.widths.keys().map(String::as_str).collect();
        Err(Error::config(
            "zone widths",
            format!(
                "no zone class {name:?} in the plan (its classes: {})",
                known.join(", ")
            ),
        ))
    }

    /// The width of a class, if it has one.
    pub fn width(&self, class: &str) -> Option<f64> {
        self.widths.get(class).copied()
    }

    /// Every class and its width, sorted by class.
    pub fn widths(&self) -> &BTreeMap<String, f64> {
        &self.widths
    }

    /// Segments per quarter circle.
    pub fn quad_segs(&self) -> u32 {
        self.quad_segs
    }
}

/// Parses a zone width as `--width` gives it: `CLASS=METRES`, e.g. `ring=100`.
///
/// # Examples
///
/// ```
/// assert_eq!(hecun::parse_width("ring = 100")?, ("ring".to_owned(), 100.0));
/// assert!(hecun::parse_width("ring:100").is_err());
/// # Ok::<(), hecun::Error>(())
/// ```
pub fn parse_width(spec: &str) -> Result<(String, f64)> {
    let bad = |why: String| Error::config(format!("--width {spec:?}"), why);
    let (class, metres) = spec
        .split_once('=')
        .ok_or_else(|| bad("write CLASS=METRES, e.g. ring=100".into()))?;
    let metres: f64 = metres
        .trim()
        .parse()
        .map_err(|e| bad(format!("{metres:?} is not a number of metres: {e}")))?;
    Ok((class.trim().to_owned(), metres))
}

/// One zone: the area within the class's width of one road or corridor, in the metric CRS.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Index of the source in the slice given to [`build_zones`].
    pub source: usize,
    /// The source's class.
    pub class: String,
    /// The buffer distance used, in metres.
    pub distance: f64,
    /// The zone; exterior rings counter-clockwise, holes clockwise.
    pub polygon: MultiPolygon<f64>,
    /// The zone's bounding box.
    pub bbox: Rect<f64>,
}

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
            let polygon = buffer(&s.geometry, distance, spec.quad_segs)
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

/// The buffer of a geometry, drawn as GEOS draws it with `quad_segs` segments per quarter.
pub fn buffer(
    geometry: &Geometry<f64>,
    distance: f64,
    quad_segs: u32,
) -> Result<MultiPolygon<f64>, String> {
    let polygonal = matches!(geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_));
    if polygonal && distance == 0.0 {
        return Ok(polygons(geometry).orient(Direction::Default));
    }
    if distance <= 0.0 {
        return Err("a line needs a zone width above 0".to_owned());
    }
    // Drawn from the line as given (to within a hair) where that is cheap: the direct outline,
    // or the general union for a line of ordinary size. Only a large line whose outline cannot
    // be drawn directly (a densely surveyed one, zigzagging at the precision of its
    // coordinates) is thinned to `THIN` of the distance first.
    let fine = thin_lines(geometry, distance * HAIR);
    let mut geometry = fine.as_ref().unwrap_or(geometry);
    if let Some(zone) = direct_stroke(geometry, distance, quad_segs) {
        return Ok(zone);
    }
    let coarse;
    if geo::CoordsIter::coords_count(geometry) > LARGE {
        coarse = thin_lines(geometry, distance * THIN);
        geometry = coarse.as_ref().unwrap_or(geometry);
        if let Some(zone) = direct_stroke(geometry, distance, quad_segs) {
            return Ok(zone);
        }
    }
    let angle = FRAC_PI_2 / f64::from(quad_segs);
    let style = BufferStyle::new(distance)
        .line_join(LineJoin::Round(angle))
        .line_cap(LineCap::Round(angle));
    // i_overlay already draws exteriors counter-clockwise and holes clockwise.
    let mut zone = geometry.buffer_with_style(style);
    // Its rings carry spare capacity: at national scale, hundreds of megabytes.
    for p in &mut zone.0 {
        p.exterior_mut(|r| r.0.shrink_to_fit());
        p.interiors_mut(|rs| rs.iter_mut().for_each(|r| r.0.shrink_to_fit()));
    }
    zone.0.shrink_to_fit();
    if zone.0.is_empty() {
        return Err("buffering gave an empty zone (is the line of zero length?)".to_owned());
    }
    Ok(zone)
}

/// Every line is drawn from a copy within this share of the buffer distance (0.1 mm at 100 m):
/// it drops the vertices a densified straight or gently curved stretch adds, and no other.
pub const HAIR: f64 = 1e-6;

/// A line of more vertices than this whose outline cannot be drawn directly is drawn from a
/// copy within [`THIN`] of the distance instead of by the general union, whose cost grows
/// with the number of arcs and cuts (142 s and 12 GB for a million-vertex road).
pub const LARGE: usize = 10_000;

/// The share of the buffer distance a large line may be thinned by (1 cm at 10 m, 10 cm at
/// 100 m; GEOS allows 1/100): below survey precision at the widths plans use.
pub const THIN: f64 = 1e-3;

/// The lines of `geometry` thinned to within `tolerance` (see `stroke::thin`); `None` when
/// it is not made of lines or nothing was dropped.
fn thin_lines(geometry: &Geometry<f64>, tolerance: f64) -> Option<Geometry<f64>> {
    let thin = |l: &LineString<f64>| LineString(crate::stroke::thin(&l.0, tolerance));
    let thinned = match geometry {
        Geometry::LineString(l) => Geometry::LineString(thin(l)),
        Geometry::MultiLineString(ml) => {
            Geometry::MultiLineString(MultiLineString(ml.0.iter().map(thin).collect()))
        }
        _ => return None,
    };
    (geo::CoordsIter::coords_count(&thinned) < geo::CoordsIter::coords_count(geometry))
        .then_some(thinned)
}

/// A single line's zone drawn directly (see `stroke.rs`), when that applies.
fn direct_stroke(
    geometry: &Geometry<f64>,
    distance: f64,
    quad_segs: u32,
) -> Option<MultiPolygon<f64>> {
    match geometry {
        Geometry::LineString(l) => {
            crate::stroke::stroke(&l.0, distance, quad_segs).map(|p| MultiPolygon(vec![p]))
        }
        Geometry::MultiLineString(ml) if ml.0.len() == 1 => {
            crate::stroke::stroke(&ml.0[0].0, distance, quad_segs).map(|p| MultiPolygon(vec![p]))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, LineString, wkt};

    #[test]
    fn line_buffer_area_matches_the_capsule() {
        let line = Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1000.0, 0.0)]));
        let zone = buffer(&line, 50.0, 8).unwrap();
        // Rectangle plus a circle drawn with 32 segments (GEOS: 2*100*1000 + 32 triangles).
        let circle = 0.5 * 32.0 * 50.0f64.powi(2) * (2.0 * std::f64::consts::PI / 32.0).sin();
        let expected = 100.0 * 1000.0 + circle;
        let got = zone.unsigned_area();
        // The overlay that computes shares relies on this orientation.
        assert!(geo::winding_order::Winding::is_ccw(zone.0[0].exterior()));
        assert!(
            (got - expected).abs() / expected < 2e-3,
            "{got} vs {expected}"
        );
    }

    #[test]
    fn zero_width_keeps_polygons_and_refuses_lines() {
        let square = Geometry::Polygon(wkt!(POLYGON((0. 0., 0. 1., 1. 1., 1. 0., 0. 0.))));
        let zone = buffer(&square, 0.0, 8).unwrap();
        assert_eq!(zone.unsigned_area(), 1.0);
        let line = Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1.0, 0.0)]));
        assert!(buffer(&line, 0.0, 8).is_err());
    }
}
