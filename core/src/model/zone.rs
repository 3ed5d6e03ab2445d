//! Demolition zones: a width per class, and the zone drawn around one road or corridor.

use std::collections::BTreeMap;

use geo::{MultiPolygon, Rect};

use crate::error::{Error, Result};

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
    /// Index of the source in the slice given to [`build_zones`](crate::build_zones).
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
