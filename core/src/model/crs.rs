//! Coordinate reference systems and the transformations between them.
//!
//! hecun names a CRS by its EPSG code and computes distances and areas in a metric CRS
//! (by default the CGCS2000 3-degree Gauss–Krüger zone that fits the data, EPSG:4534–4554).
//! Two engines transform coordinates:
//!
//! - [`CrsEngine::Builtin`], the pure-Rust `proj4rs` port of PROJ.4, always compiled in;
//! - [`CrsEngine::Proj`], PROJ itself (cargo feature `proj`, built from source with cmake).
//!
//! Both give the same coordinates to well below a millimetre for the CRSs hecun accepts
//! (tested in `tests` of this module and in the integration suite).

use std::fmt;
use std::str::FromStr;

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};

use crate::error::{CrsProblem, Error, Result};

/// A coordinate reference system, named by its EPSG code.
///
/// # Examples
///
/// ```
/// use hecun::Crs;
///
/// let crs: Crs = "EPSG:4547".parse()?;
/// assert_eq!(crs.code(), 4547);
/// assert!(!crs.is_geographic());
/// assert_eq!(Crs::cgcs2000_3deg_zone_for(113.65)?, crs);
/// assert_eq!("urn:ogc:def:crs:OGC:1.3:CRS84".parse::<Crs>()?, Crs::WGS84);
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Crs {
    code: u16,
}

impl Crs {
    /// WGS 84 longitude/latitude, the CRS of RFC 7946 GeoJSON.
    pub const WGS84: Crs = Crs { code: 4326 };
    /// CGCS2000 longitude/latitude (China Geodetic Coordinate System 2000).
    pub const CGCS2000: Crs = Crs { code: 4490 };

    /// The CRS with this EPSG code, if hecun knows it.
    pub fn from_epsg(code: u16) -> Result<Crs> {
        if crs_definitions::from_code(code).is_none() {
            return Err(Error::crs(
                CrsProblem::Unknown,
                format!(
                    "EPSG:{code} is not a CRS hecun knows (expected e.g. EPSG:4326, EPSG:4490 or a \
                 CGCS2000 Gauss-Kruger zone EPSG:4491-4554)"
                ),
            ));
        }
        Ok(Crs { code })
    }

    /// The EPSG code.
    pub fn code(self) -> u16 {
        self.code
    }

    /// Whether coordinates are longitude/latitude in degrees (not metres).
    pub fn is_geographic(self) -> bool {
        self.proj4().contains("+proj=longlat")
    }

    /// The PROJ.4 definition the builtin engine uses.
    pub fn proj4(self) -> &'static str {
        crs_definitions::from_code(self.code)
            .map(|d| d.proj4)
            .unwrap_or_default()
    }

    /// The CGCS2000 3-degree Gauss–Krüger CRS (without zone prefix, EPSG:4534–4554) whose
    /// central meridian is nearest to `longitude`: the default metric CRS for data there.
    pub fn cgcs2000_3deg_zone_for(longitude: f64) -> Result<Crs> {
        let central_meridian = (longitude / 3.0).round() * 3.0;
        if !(75.0..=135.0).contains(&central_meridian) {
            return Err(Error::crs(
                CrsProblem::NoMetricZone,
                format!(
                    "longitude {longitude} is outside China's CGCS2000 Gauss-Kruger zones (75E-135E): \
                 name a metric CRS with --metric-crs"
                ),
            ));
        }
        Crs::from_epsg(4534 + ((central_meridian - 75.0) / 3.0) as u16)
    }

    /// A guess at the projected CRS of coordinates that are out of longitude/latitude range,
    /// for the error message that suggests `--input-crs`.
    pub fn guess_projected(x: f64, y: f64) -> Option<String> {
        if !(0.0..10_000_000.0).contains(&y) {
            return None;
        }
        let zone = (x / 1_000_000.0).floor();
        let inside_zone = (x - zone * 1_000_000.0 - 500_000.0).abs() < 400_000.0;
        if (25.0..=45.0).contains(&zone) && inside_zone {
            return Some(format!(
                "EPSG:{} (CGCS2000 3-degree Gauss-Kruger zone {zone})",
                4513 + (zone as u16 - 25)
            ));
        }
        if (13.0..=23.0).contains(&zone) && inside_zone {
            return Some(format!(
                "EPSG:{} (CGCS2000 6-degree Gauss-Kruger zone {zone})",
                4491 + (zone as u16 - 13)
            ));
        }
        if (100_000.0..900_000.0).contains(&x) {
            return Some(
                "a CGCS2000 3-degree Gauss-Kruger CRS without zone prefix, EPSG:4534-4554 \
                 (EPSG:4547 around Zhengzhou, central meridian 114E)"
                    .to_owned(),
            );
        }
        None
    }
}

/// Where a CRS is meant to be used: a box in longitude/latitude degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaOfUse {
    /// Westernmost longitude.
    pub west: f64,
    /// Easternmost longitude.
    pub east: f64,
    /// Southernmost latitude.
    pub south: f64,
    /// Northernmost latitude.
    pub north: f64,
}

impl AreaOfUse {
    /// How far (degrees) a longitude/latitude lies outside the box, 0 inside; and in which
    /// direction, for messages.
    pub fn outside_by(&self, lon: f64, lat: f64) -> (f64, &'static str) {
        let parts = [
            (self.west - lon, "west"),
            (lon - self.east, "east"),
            (self.south - lat, "south"),
            (lat - self.north, "north"),
        ];
        parts
            .into_iter()
            .fold((0.0, ""), |best, p| if p.0 > best.0 { p } else { best })
    }
}

impl fmt::Display for AreaOfUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}°E–{}°E, {}°N–{}°N",
            self.west, self.east, self.south, self.north
        )
    }
}

impl Crs {
    /// A numeric parameter of the PROJ.4 definition (`lon_0`, `x_0`, `zone`…).
    fn proj4_param(self, name: &str) -> Option<f64> {
        self.proj4().split_whitespace().find_map(|p| {
            p.strip_prefix('+')?
                .strip_prefix(name)?
                .strip_prefix('=')?
                .parse()
                .ok()
        })
    }

    /// The area of use of the transverse-Mercator CRSs hecun is used with: the CGCS2000
    /// Gauss–Krüger zones (EPSG:4491–4554: the zone's band of longitude, over China's extent,
    /// 0.8°N–55.8°N) and WGS 84 / UTM; `None` for other CRSs.
    pub fn area_of_use(self) -> Option<AreaOfUse> {
        let (half, south, north) = match self.code {
            4491..=4512 => (3.0, 0.8, 55.8),
            4513..=4554 => (1.5, 0.8, 55.8),
            32601..=32660 => (3.0, 0.0, 84.0),
            32701..=32760 => (3.0, -80.0, 0.0),
            _ => return None,
        };
        let central = match self.proj4_param("lon_0") {
            Some(lon) => lon,
            None => self.proj4_param("zone")? * 6.0 - 183.0,
        };
        Some(AreaOfUse {
            west: central - half,
            east: central + half,
            south,
            north,
        })
    }

    /// Why projected coordinate `c` cannot be a position in this (projected) CRS, if it
    /// cannot: not finite, in the range of longitude/latitude degrees (a few hundred metres
    /// from the false origin, far out at sea for every CRS hecun knows: the file is in
    /// degrees), or farther than 2,000 km from a transverse Mercator's central meridian
    /// (20,000 km from the origin for other projections).
    pub fn projected_range_problem(self, c: Coord<f64>) -> Option<String> {
        if !c.x.is_finite() || !c.y.is_finite() {
            return Some(format!(
                "coordinate ({}, {}) is not a finite number",
                crate::geometry::validate::number(c.x),
                crate::geometry::validate::number(c.y)
            ));
        }
        if c.x.abs() <= 180.0 && c.y.abs() <= 90.0 {
            return Some(format!(
                "coordinate ({}, {}) looks like longitude/latitude in degrees, but {self} is a \
                 projected CRS in metres",
                c.x, c.y
            ));
        }
        let def = self.proj4();
        let utm = def.contains("+proj=utm");
        let transverse = utm || def.contains("+proj=tmerc");
        let x0 = self
            .proj4_param("x_0")
            .unwrap_or(if utm { 500_000.0 } else { 0.0 });
        let y0 = self
            .proj4_param("y_0")
            .unwrap_or(if def.contains("+south") {
                10_000_000.0
            } else {
                0.0
            });
        let (east, north) = ((c.x - x0).abs(), (c.y - y0).abs());
        let limit = if transverse {
            (2.0e6, 1.0e7)
        } else {
            (2.0e7, 2.0e7)
        };
        if east > limit.0 || north > limit.1 {
            return Some(format!(
                "coordinate ({}, {}) is outside the valid range of {self} (easting within {} km \
                 of the false easting, northing within {} km of the origin)",
                crate::geometry::validate::number(c.x),
                crate::geometry::validate::number(c.y),
                limit.0 / 1000.0,
                limit.1 / 1000.0
            ));
        }
        None
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{}", self.code)
    }
}

impl FromStr for Crs {
    type Err = Error;

    /// Accepts `EPSG:4547`, `4547`, `urn:ogc:def:crs:EPSG::4547`, `CRS84` and its URN.
    fn from_str(s: &str) -> Result<Crs> {
        let t = s.trim();
        let upper = t.to_ascii_uppercase();
        if upper == "CRS84" || upper.ends_with(":CRS84") {
            return Ok(Crs::WGS84);
        }
        let digits = upper
            .rsplit([':', '/'])
            .next()
            .filter(|_| upper.contains("EPSG") || upper.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or("");
        match digits.parse::<u16>() {
            Ok(code) => Crs::from_epsg(code),
            Err(_) => Err(Error::crs(
                CrsProblem::Unknown,
                format!(
                    "cannot read {s:?} as a CRS: write it as EPSG:NNNN, e.g. EPSG:4326 or EPSG:4547"
                ),
            )),
        }
    }
}

/// Which library transforms coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CrsEngine {
    /// The pure-Rust `proj4rs` engine (always available).
    Builtin,
    /// PROJ (cargo feature `proj`).
    #[cfg(feature = "proj")]
    Proj,
}

impl CrsEngine {
    /// PROJ when compiled in, else the builtin engine.
    pub fn preferred() -> CrsEngine {
        #[cfg(feature = "proj")]
        return CrsEngine::Proj;
        #[cfg(not(feature = "proj"))]
        return CrsEngine::Builtin;
    }

    /// Every engine compiled into this build.
    pub fn available() -> Vec<CrsEngine> {
        vec![
            CrsEngine::Builtin,
            #[cfg(feature = "proj")]
            CrsEngine::Proj,
        ]
    }

    /// The engine's name and version, for manifests and `--version`.
    pub fn describe(self) -> String {
        match self {
            CrsEngine::Builtin => "proj4rs 0.3 (builtin)".to_owned(),
            #[cfg(feature = "proj")]
            CrsEngine::Proj => "PROJ 9 (bundled)".to_owned(),
        }
    }
}

impl FromStr for CrsEngine {
    type Err = Error;
    fn from_str(s: &str) -> Result<CrsEngine> {
        match s {
            "builtin" | "proj4rs" => Ok(CrsEngine::Builtin),
            #[cfg(feature = "proj")]
            "proj" => Ok(CrsEngine::Proj),
            #[cfg(not(feature = "proj"))]
            "proj" => Err(Error::crs(
                CrsProblem::Engine,
                "this hecun was built without PROJ: rebuild with `--features proj` (needs cmake) \
                 or use the builtin engine"
                    .to_owned(),
            )),
            other => Err(Error::crs(
                CrsProblem::Engine,
                format!("unknown CRS engine {other:?} (expected builtin or proj)"),
            )),
        }
    }
}

/// Transforms coordinates from one CRS to another. `Send + Sync`: share one across threads.
///
/// # Examples
///
/// ```
/// use hecun::{Crs, CrsEngine, Transformer};
/// use geo::coord;
///
/// let t = Transformer::new(Crs::WGS84, "EPSG:4547".parse()?, CrsEngine::Builtin)?;
/// let mut pts = [coord! { x: 114.0, y: 34.0 }];
/// t.transform_coords(&mut pts)?;
/// // On the central meridian the easting is the false easting.
/// assert!((pts[0].x - 500_000.0).abs() < 1e-6);
/// // The meridian arc from the equator to 34°N on the GRS 80 ellipsoid (PROJ: 3763661.442 m).
/// assert!((pts[0].y - 3_763_661.442).abs() < 1e-3);
/// # Ok::<(), hecun::Error>(())
/// ```
pub struct Transformer {
    from: Crs,
    to: Crs,
    engine: CrsEngine,
    builtin: Option<(proj4rs::Proj, proj4rs::Proj)>,
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Transformer({} -> {}, {:?})",
            self.from, self.to, self.engine
        )
    }
}

impl Transformer {
    /// A transformation from `from` to `to` computed by `engine`.
    pub fn new(from: Crs, to: Crs, engine: CrsEngine) -> Result<Transformer> {
        let builtin = match engine {
            _ if from == to => None,
            CrsEngine::Builtin => {
                let make = |crs: Crs| {
                    proj4rs::Proj::from_proj_string(crs.proj4())
                        .map_err(|e| Error::crs(CrsProblem::Transform, format!("{crs}: {e}")))
                };
                Some((make(from)?, make(to)?))
            }
            #[cfg(feature = "proj")]
            CrsEngine::Proj => {
                // Fail now, not in the middle of a run, if PROJ does not know the pair.
                with_proj(from, to, |_| Ok(()))?;
                None
            }
        };
        Ok(Transformer {
            from,
            to,
            engine,
            builtin,
        })
    }

    /// A datum shift (and change of zone, if any) from `from`, whose datum is tied to WGS 84
    /// by the seven Helmert parameters `towgs84` (PROJ's `+towgs84`: dx, dy, dz in metres,
    /// rx, ry, rz in arc seconds, ds in ppm, position-vector convention), to `to`, a
    /// CGCS2000 or WGS 84 CRS (taken as coinciding with WGS 84, as PROJ's definitions do).
    ///
    /// For Xi'an 1980 and Beijing 1954 data: the EPSG definitions of those datums carry no
    /// shift (the parameters are not public, and differ by region), so the office supplies
    /// its own. Computed by the builtin engine, whichever engine the job uses.
    pub fn with_towgs84(from: Crs, towgs84: [f64; 7], to: Crs) -> Result<Transformer> {
        let params: Vec<String> = towgs84.iter().map(f64::to_string).collect();
        let source = format!("{} +towgs84={}", from.proj4(), params.join(","));
        // Without a datum of its own, proj4rs would skip the shift altogether.
        let target = if to.proj4().contains("+towgs84") {
            to.proj4().to_owned()
        } else {
            format!("{} +towgs84=0,0,0,0,0,0,0", to.proj4())
        };
        let make = |def: &str, crs: Crs| {
            proj4rs::Proj::from_proj_string(def)
                .map_err(|e| Error::crs(CrsProblem::Transform, format!("{crs} ({def}): {e}")))
        };
        Ok(Transformer {
            from,
            to,
            engine: CrsEngine::Builtin,
            builtin: Some((make(&source, from)?, make(&target, to)?)),
        })
    }

    /// The source CRS.
    pub fn from(&self) -> Crs {
        self.from
    }

    /// The target CRS.
    pub fn to(&self) -> Crs {
        self.to
    }

    /// Whether this transformation leaves coordinates unchanged.
    pub fn is_identity(&self) -> bool {
        self.from == self.to
    }

    /// Transforms coordinates in place.
    pub fn transform_coords(&self, coords: &mut [Coord<f64>]) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        match self.engine {
            CrsEngine::Builtin => {
                let Some((src, dst)) = &self.builtin else {
                    return Ok(());
                };
                if self.from.is_geographic() {
                    coords.iter_mut().for_each(|c| {
                        *c = Coord {
                            x: c.x.to_radians(),
                            y: c.y.to_radians(),
                        }
                    });
                }
                // The whole slice goes through each stage of the pipeline at once.
                let result = proj4rs::transform::transform(src, dst, &mut CoordSlice(coords));
                if let Err(e) = result {
                    return Err(Error::crs(
                        CrsProblem::Transform,
                        format!(
                            "cannot transform coordinates from {} to {}: {e}",
                            self.from, self.to
                        ),
                    ));
                }
                if self.to.is_geographic() {
                    coords.iter_mut().for_each(|c| {
                        *c = Coord {
                            x: c.x.to_degrees(),
                            y: c.y.to_degrees(),
                        }
                    });
                }
                Ok(())
            }
            #[cfg(feature = "proj")]
            CrsEngine::Proj => with_proj(self.from, self.to, |proj| {
                for c in coords.iter_mut() {
                    let (x, y) = proj.convert((c.x, c.y)).map_err(|e| {
                        Error::crs(
                            CrsProblem::Transform,
                            format!(
                                "cannot transform ({}, {}) from {} to {}: {e}",
                                c.x, c.y, self.from, self.to
                            ),
                        )
                    })?;
                    *c = Coord { x, y };
                }
                Ok(())
            }),
        }
    }

    /// Transforms every coordinate of a geometry in place.
    pub fn transform<G: CoordRuns + ?Sized>(&self, geometry: &mut G) -> Result<()> {
        if self.is_identity() {
            return Ok(());
        }
        geometry.for_each_run(&mut |run| self.transform_coords(run))
    }
}

/// A slice of coordinates as `proj4rs` transforms them.
struct CoordSlice<'a>(&'a mut [Coord<f64>]);

impl proj4rs::transform::Transform for CoordSlice<'_> {
    fn transform_coordinates<F: proj4rs::transform::TransformClosure>(
        &mut self,
        f: &mut F,
    ) -> proj4rs::errors::Result<()> {
        for c in self.0.iter_mut() {
            let (x, y, _) = f(c.x, c.y, 0.0)?;
            *c = Coord { x, y };
        }
        Ok(())
    }
}

/// Geometries whose coordinates can be visited as runs of contiguous slices (one per ring or
/// line), so that a transformation works on whole slices.
pub trait CoordRuns {
    /// Calls `f` on every run of coordinates; stops at the first error.
    fn for_each_run(&mut self, f: &mut dyn FnMut(&mut [Coord<f64>]) -> Result<()>) -> Result<()>;
}

impl CoordRuns for LineString<f64> {
    fn for_each_run(&mut self, f: &mut dyn FnMut(&mut [Coord<f64>]) -> Result<()>) -> Result<()> {
        f(&mut self.0)
    }
}

impl CoordRuns for Polygon<f64> {
    fn for_each_run(&mut self, f: &mut dyn FnMut(&mut [Coord<f64>]) -> Result<()>) -> Result<()> {
        let mut result = Ok(());
        self.exterior_mut(|r| result = f(&mut r.0));
        result?;
        let mut result = Ok(());
        self.interiors_mut(|rings| {
            for r in rings.iter_mut() {
                if result.is_ok() {
                    result = f(&mut r.0);
                }
            }
        });
        result
    }
}

impl CoordRuns for MultiPolygon<f64> {
    fn for_each_run(&mut self, f: &mut dyn FnMut(&mut [Coord<f64>]) -> Result<()>) -> Result<()> {
        self.0.iter_mut().try_for_each(|p| p.for_each_run(f))
    }
}

impl CoordRuns for Geometry<f64> {
    fn for_each_run(&mut self, f: &mut dyn FnMut(&mut [Coord<f64>]) -> Result<()>) -> Result<()> {
        match self {
            Geometry::Point(p) => f(std::slice::from_mut(&mut p.0)),
            Geometry::Line(l) => {
                f(std::slice::from_mut(&mut l.start))?;
                f(std::slice::from_mut(&mut l.end))
            }
            Geometry::LineString(l) => l.for_each_run(f),
            Geometry::Polygon(p) => p.for_each_run(f),
            Geometry::MultiPoint(mp) => {
                mp.0.iter_mut()
                    .try_for_each(|p| f(std::slice::from_mut(&mut p.0)))
            }
            Geometry::MultiLineString(ml) => ml.0.iter_mut().try_for_each(|l| l.for_each_run(f)),
            Geometry::MultiPolygon(mp) => mp.for_each_run(f),
            Geometry::GeometryCollection(gc) => gc.0.iter_mut().try_for_each(|g| g.for_each_run(f)),
            Geometry::Rect(_) | Geometry::Triangle(_) => Err(Error::crs(
                CrsProblem::Transform,
                "rectangles and triangles cannot be transformed: convert them to polygons"
                    .to_owned(),
            )),
        }
    }
}

/// Runs `f` with this thread's PROJ transformation for the pair: `proj::Proj` is neither
/// `Send` nor `Sync`, and creating one costs ~100 ms, so each worker thread keeps its own.
#[cfg(feature = "proj")]
fn with_proj<T>(from: Crs, to: Crs, f: impl FnOnce(&proj::Proj) -> Result<T>) -> Result<T> {
    use std::cell::RefCell;
    thread_local! {
        static CACHE: RefCell<Vec<((Crs, Crs), proj::Proj)>> = const { RefCell::new(Vec::new()) };
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let index = match cache.iter().position(|(pair, _)| *pair == (from, to)) {
            Some(i) => i,
            None => {
                let proj = proj::Proj::new_known_crs(&from.to_string(), &to.to_string(), None)
                    .map_err(|e| {
                        Error::crs(
                            CrsProblem::Transform,
                            format!("PROJ cannot transform {from} to {to}: {e}"),
                        )
                    })?;
                cache.push(((from, to), proj));
                cache.len() - 1
            }
        };
        f(&cache[index].1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    #[test]
    fn parses_the_ways_planners_write_a_crs() {
        for s in [
            "EPSG:4547",
            "epsg:4547",
            "4547",
            "urn:ogc:def:crs:EPSG::4547",
        ] {
            assert_eq!(s.parse::<Crs>().unwrap().code(), 4547, "{s}");
        }
        assert_eq!("CRS84".parse::<Crs>().unwrap(), Crs::WGS84);
        assert!("EPSG:99999".parse::<Crs>().is_err());
        assert!("WGS84-ish".parse::<Crs>().is_err());
    }

    #[test]
    fn areas_of_use_and_valid_ranges() {
        let gk: Crs = "EPSG:4547".parse().unwrap();
        let area = gk.area_of_use().unwrap();
        assert_eq!((area.west, area.east), (112.5, 115.5));
        assert_eq!(area.outside_by(113.6, 34.7).0, 0.0);
        assert_eq!(area.outside_by(121.0, 34.7), (5.5, "east"));
        let utm: Crs = "EPSG:32650".parse().unwrap();
        assert_eq!(utm.area_of_use().unwrap().west, 114.0);
        assert!(Crs::WGS84.area_of_use().is_none());

        assert!(
            gk.projected_range_problem(coord! { x: 465_000.0, y: 3_850_000.0 })
                .is_none()
        );
        let degrees = gk
            .projected_range_problem(coord! { x: 113.6, y: 34.7 })
            .unwrap();
        assert!(degrees.contains("degrees"), "{degrees}");
        let far = gk
            .projected_range_problem(coord! { x: 1e12, y: 3_850_000.0 })
            .unwrap();
        assert!(
            far.contains("1000000000000") && far.contains("valid range"),
            "{far}"
        );
        let zone: Crs = "EPSG:4526".parse().unwrap();
        assert!(
            zone.projected_range_problem(coord! { x: 38_465_000.0, y: 3_850_000.0 })
                .is_none()
        );
        assert!(
            zone.projected_range_problem(coord! { x: 465_000.0, y: 3_850_000.0 })
                .is_some()
        );
    }

    #[test]
    fn picks_the_3_degree_zone_by_central_meridian() {
        assert_eq!(Crs::cgcs2000_3deg_zone_for(113.65).unwrap().code(), 4547);
        assert_eq!(Crs::cgcs2000_3deg_zone_for(116.4).unwrap().code(), 4548);
        assert_eq!(Crs::cgcs2000_3deg_zone_for(75.0).unwrap().code(), 4534);
        assert_eq!(Crs::cgcs2000_3deg_zone_for(135.0).unwrap().code(), 4554);
        assert!(Crs::cgcs2000_3deg_zone_for(2.35).is_err());
    }

    #[test]
    fn guesses_projected_crs_from_coordinates() {
        assert!(
            Crs::guess_projected(38_465_000.0, 3_850_000.0)
                .unwrap()
                .contains("EPSG:4526")
        );
        assert!(
            Crs::guess_projected(465_000.0, 3_850_000.0)
                .unwrap()
                .contains("EPSG:4547")
        );
        assert!(
            Crs::guess_projected(19_465_000.0, 3_850_000.0)
                .unwrap()
                .contains("EPSG:4497")
        );
    }

    #[test]
    fn builtin_round_trip_is_exact_to_a_micrometre() {
        let to = Crs::from_epsg(4547).unwrap();
        let fwd = Transformer::new(Crs::WGS84, to, CrsEngine::Builtin).unwrap();
        let inv = Transformer::new(to, Crs::WGS84, CrsEngine::Builtin).unwrap();
        let orig = [coord! { x: 113.65, y: 34.76 }, coord! { x: 113.1, y: 35.2 }];
        let mut pts = orig;
        fwd.transform_coords(&mut pts).unwrap();
        assert!(pts[0].x > 400_000.0 && pts[0].y > 3_800_000.0);
        inv.transform_coords(&mut pts).unwrap();
        for (a, b) in orig.iter().zip(pts.iter()) {
            assert!((a.x - b.x).abs() < 1e-11 && (a.y - b.y).abs() < 1e-11);
        }
    }

    #[cfg(feature = "proj")]
    #[test]
    fn builtin_and_proj_agree() {
        for code in [4547u16, 4526, 4497] {
            let to = Crs::from_epsg(code).unwrap();
            let (cm, _) = match code {
                4547 => (114.0, 0),
                4526 => (114.0, 0),
                _ => (117.0, 0),
            };
            let a = Transformer::new(Crs::WGS84, to, CrsEngine::Builtin).unwrap();
            let b = Transformer::new(Crs::WGS84, to, CrsEngine::Proj).unwrap();
            let mut pa = [
                coord! { x: cm - 1.2, y: 34.7 },
                coord! { x: cm + 1.1, y: 36.1 },
            ];
            let mut pb = pa;
            a.transform_coords(&mut pa).unwrap();
            b.transform_coords(&mut pb).unwrap();
            for (p, q) in pa.iter().zip(pb.iter()) {
                assert!(
                    (p.x - q.x).abs() < 1e-6 && (p.y - q.y).abs() < 1e-6,
                    "{code}: {p:?} vs {q:?}"
                );
            }
        }
    }
}
