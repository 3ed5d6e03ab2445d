//! Coordinates from Chinese web maps: GCJ-02 (Amap/高德, Tencent/腾讯, Google's China maps)
//! and BD-09 (Baidu/百度), converted to WGS 84.
//!
//! GCJ-02 is WGS 84 longitude/latitude shifted by a non-linear offset of a few hundred
//! metres that China's surveying administration requires of published maps; BD-09 shifts
//! GCJ-02 once more. Both offsets are more than the 20–100 m zone widths hecun buffers, so a
//! layer digitised on a web map must be converted before it meets a layer in WGS 84 or
//! CGCS2000. The forward formulas ([`WebMap::from_wgs84`]) are the ones published in
//! open-source projects (`eviltransform`, `coordtransform`); the way back
//! ([`WebMap::to_wgs84`]) has no closed form and is solved by fixed-point iteration to well
//! below a millimetre (the offset changes by less than 0.5 % of a step per step, so each
//! iteration gains more than two digits).
//!
//! The offset is defined inside China only; like the reference implementations, "inside"
//! is the box 72.004°E–137.8347°E, 0.8293°N–55.8271°N ([`in_china`]). A point outside it is
//! an error, not passed through unchanged.
//!
//! # Examples
//!
//! ```
//! use hecun::WebMap;
//! use geo::coord;
//!
//! // Shanghai, as published in eviltransform's test suite (WGS 84 → GCJ-02).
//! let wgs = coord! { x: 121.5272106, y: 31.1774276 };
//! let gcj = WebMap::Gcj02.from_wgs84(wgs)?;
//! assert!((gcj.x - 121.531541859215).abs() < 1e-9 && (gcj.y - 31.17530398364597).abs() < 1e-9);
//! let back = WebMap::Gcj02.to_wgs84(gcj)?;
//! assert!((back.x - wgs.x).abs() < 1e-9 && (back.y - wgs.y).abs() < 1e-9);
//! assert!(WebMap::Gcj02.to_wgs84(coord! { x: 2.35, y: 48.85 }).is_err()); // Paris
//! assert_eq!("BD-09".parse::<WebMap>()?, WebMap::Bd09);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

use geo::{Coord, Geometry, LineString, Polygon};

use crate::error::{CrsProblem, Error, Result};
use crate::model::crs::Crs;

/// A web map's coordinate system: longitude/latitude with China's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WebMap {
    /// GCJ-02 (国测局坐标, "Mars coordinates"): Amap, Tencent, Google's China maps.
    Gcj02,
    /// BD-09 (百度坐标, `bd09ll`): Baidu; GCJ-02 shifted once more.
    Bd09,
}

/// A point where the web-map offset is not defined (outside China's box).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutsideChina {
    /// The point, in the web map's longitude/latitude.
    pub at: Coord<f64>,
    /// The web map it was given in.
    pub web_map: WebMap,
}

impl fmt::Display for OutsideChina {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "coordinate ({}, {}) is outside China (72.004E-137.8347E, 0.8293N-55.8271N), where \
             the {} offset is not defined: is the layer really {}?",
            self.at.x, self.at.y, self.web_map, self.web_map
        )
    }
}

impl std::error::Error for OutsideChina {}

/// Whether the web-map offset is defined at longitude/latitude `c`: the box the reference
/// implementations use (it holds all of China, and also some of its neighbours).
pub fn in_china(c: Coord<f64>) -> bool {
    (72.004..=137.8347).contains(&c.x) && (0.8293..=55.8271).contains(&c.y)
}

/// Krasovsky 1940's semi-major axis and squared eccentricity, as the GCJ-02 formula has them.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;
/// BD-09's angular constant.
const X_PI: f64 = PI * 3000.0 / 180.0;

fn shift_lat(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn shift_lon(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

/// WGS 84 → GCJ-02, without the box check.
fn wgs_to_gcj(c: Coord<f64>) -> Coord<f64> {
    let dlat = shift_lat(c.x - 105.0, c.y - 35.0);
    let dlon = shift_lon(c.x - 105.0, c.y - 35.0);
    let rad = c.y / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    Coord {
        x: c.x + dlon * 180.0 / (A / sqrt_magic * rad.cos() * PI),
        y: c.y + dlat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI),
    }
}

/// GCJ-02 → BD-09.
fn gcj_to_bd(c: Coord<f64>) -> Coord<f64> {
    let z = c.x.hypot(c.y) + 0.000_02 * (c.y * X_PI).sin();
    let theta = c.y.atan2(c.x) + 0.000_003 * (c.x * X_PI).cos();
    Coord {
        x: z * theta.cos() + 0.0065,
        y: z * theta.sin() + 0.006,
    }
}

/// The point `p` with `forward(p) = target`, by fixed-point iteration from `target` itself:
/// `p ← p − (forward(p) − target)`. The offsets' derivatives are below 0.5 %, so this
/// contracts fast; it stops when `forward(p)` is within 1e-11° (about a micrometre) of
/// `target`, or after 50 steps (never needed inside China's box).
fn invert(forward: impl Fn(Coord<f64>) -> Coord<f64>, target: Coord<f64>) -> Coord<f64> {
    let mut p = target;
    for _ in 0..50 {
        let got = forward(p);
        let (dx, dy) = (got.x - target.x, got.y - target.y);
        if dx.abs() < 1e-11 && dy.abs() < 1e-11 {
            break;
        }
        p = Coord {
            x: p.x - dx,
            y: p.y - dy,
        };
    }
    p
}

impl WebMap {
    /// The name as the plan and `--input-crs` spell it: `GCJ-02`, `BD-09`.
    pub fn name(self) -> &'static str {
        match self {
            WebMap::Gcj02 => "GCJ-02",
            WebMap::Bd09 => "BD-09",
        }
    }

    /// WGS 84 longitude/latitude `c` as this web map shows it (the published formulas).
    pub fn from_wgs84(self, c: Coord<f64>) -> Result<Coord<f64>, OutsideChina> {
        if !in_china(c) {
            return Err(OutsideChina {
                at: c,
                web_map: self,
            });
        }
        let gcj = wgs_to_gcj(c);
        Ok(match self {
            WebMap::Gcj02 => gcj,
            WebMap::Bd09 => gcj_to_bd(gcj),
        })
    }

    /// This web map's longitude/latitude `c` in WGS 84: the inverse of
    /// [`WebMap::from_wgs84`], iterated until the forward formula gives `c` back to within
    /// about a micrometre.
    pub fn to_wgs84(self, c: Coord<f64>) -> Result<Coord<f64>, OutsideChina> {
        if !in_china(c) || !c.x.is_finite() || !c.y.is_finite() {
            return Err(OutsideChina {
                at: c,
                web_map: self,
            });
        }
        let gcj = match self {
            WebMap::Gcj02 => c,
            WebMap::Bd09 => invert(gcj_to_bd, c),
        };
        Ok(invert(wgs_to_gcj, gcj))
    }

    /// Converts every coordinate of `geometry` from this web map to WGS 84, in place; at
    /// the first point outside China, stops with that point (the geometry is then partly
    /// converted: drop it).
    pub fn geometry_to_wgs84(self, geometry: &mut Geometry<f64>) -> Result<(), OutsideChina> {
        let mut outside = None;
        each_coord(geometry, &mut |c| {
            if outside.is_some() {
                return;
            }
            match self.to_wgs84(*c) {
                Ok(w) => *c = w,
                Err(e) => outside = Some(e),
            }
        });
        outside.map_or(Ok(()), Err)
    }
}

/// Calls `f` on every coordinate of `g` (a `dyn` callback: a generic one would be
/// instantiated without end through nested geometry collections).
fn each_coord(g: &mut Geometry<f64>, f: &mut dyn FnMut(&mut Coord<f64>)) {
    fn line(l: &mut LineString<f64>, f: &mut dyn FnMut(&mut Coord<f64>)) {
        l.0.iter_mut().for_each(&mut *f);
    }
    fn polygon(p: &mut Polygon<f64>, f: &mut dyn FnMut(&mut Coord<f64>)) {
        p.exterior_mut(|l| line(l, f));
        p.interiors_mut(|ls| ls.iter_mut().for_each(|l| line(l, f)));
    }
    match g {
        Geometry::Point(p) => f(&mut p.0),
        Geometry::Line(l) => {
            f(&mut l.start);
            f(&mut l.end);
        }
        Geometry::LineString(l) => line(l, f),
        Geometry::Polygon(p) => polygon(p, f),
        Geometry::MultiPoint(m) => m.0.iter_mut().for_each(|p| f(&mut p.0)),
        Geometry::MultiLineString(m) => m.0.iter_mut().for_each(|l| line(l, f)),
        Geometry::MultiPolygon(m) => m.0.iter_mut().for_each(|p| polygon(p, f)),
        Geometry::GeometryCollection(c) => c.0.iter_mut().for_each(|g| each_coord(g, f)),
        Geometry::Rect(r) => {
            let (mut lo, mut hi) = (r.min(), r.max());
            f(&mut lo);
            f(&mut hi);
            *r = geo::Rect::new(lo, hi);
        }
        Geometry::Triangle(t) => {
            let mut v = [t.v1(), t.v2(), t.v3()];
            v.iter_mut().for_each(&mut *f);
            *t = geo::Triangle::new(v[0], v[1], v[2]);
        }
    }
}

impl fmt::Display for WebMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WebMap {
    type Err = Error;

    /// Accepts `GCJ-02`, `GCJ02`, `BD-09`, `BD09`, `bd09ll` (any case).
    fn from_str(s: &str) -> Result<WebMap> {
        let t: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_uppercase();
        match t.as_str() {
            "GCJ02" => Ok(WebMap::Gcj02),
            "BD09" | "BD09LL" => Ok(WebMap::Bd09),
            _ => Err(Error::crs(
                CrsProblem::Unknown,
                format!("{s:?} is not a web map's coordinate system (expected GCJ-02 or BD-09)"),
            )),
        }
    }
}

/// The CRS of a layer's coordinates as a plan (`crs = …`, `[crs] input`) or `--input-crs`
/// names it: an EPSG CRS, or a web map's offset longitude/latitude (read as EPSG:4326, then
/// converted to WGS 84 right after reading).
///
/// ```
/// use hecun::{Crs, InputCrs, WebMap};
///
/// assert_eq!("EPSG:4547".parse::<InputCrs>()?, InputCrs::Epsg("EPSG:4547".parse()?));
/// assert_eq!("gcj-02".parse::<InputCrs>()?, InputCrs::WebMap(WebMap::Gcj02));
/// assert_eq!(InputCrs::WebMap(WebMap::Bd09).read_as(), Crs::WGS84);
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputCrs {
    /// A CRS named by its EPSG code.
    Epsg(Crs),
    /// A web map's longitude/latitude.
    WebMap(WebMap),
}

impl InputCrs {
    /// The CRS the file is read in: the EPSG CRS, or EPSG:4326 for a web map (its
    /// coordinates are longitude/latitude until they are converted).
    pub fn read_as(self) -> Crs {
        match self {
            InputCrs::Epsg(crs) => crs,
            InputCrs::WebMap(_) => Crs::WGS84,
        }
    }

    /// The web map, if this is one.
    pub fn web_map(self) -> Option<WebMap> {
        match self {
            InputCrs::WebMap(w) => Some(w),
            InputCrs::Epsg(_) => None,
        }
    }
}

impl fmt::Display for InputCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputCrs::Epsg(crs) => crs.fmt(f),
            InputCrs::WebMap(w) => w.fmt(f),
        }
    }
}

impl FromStr for InputCrs {
    type Err = Error;

    /// An EPSG name as [`Crs`] reads it, or `GCJ-02` / `BD-09`.
    fn from_str(s: &str) -> Result<InputCrs> {
        match s.parse::<WebMap>() {
            Ok(w) => Ok(InputCrs::WebMap(w)),
            Err(_) => s.parse::<Crs>().map(InputCrs::Epsg).map_err(|_| {
                Error::crs(
                    CrsProblem::Unknown,
                    format!(
                        "cannot read {s:?} as a CRS: write EPSG:NNNN (e.g. EPSG:4326, EPSG:4547), \
                         or GCJ-02 / BD-09 for coordinates taken from Amap/Tencent or Baidu maps"
                    ),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coord;

    /// Great-circle distance in metres (haversine on a 6,371 km sphere: plenty for
    /// centimetre-sized differences).
    fn metres(a: Coord<f64>, b: Coord<f64>) -> f64 {
        let (la1, la2) = (a.y.to_radians(), b.y.to_radians());
        let dla = la2 - la1;
        let dlo = (b.x - a.x).to_radians();
        let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * 6_371_000.0 * h.sqrt().asin()
    }

    /// WGS 84 / GCJ-02 pairs published in googollee/eviltransform's test suite
    /// (go/transform_test.go, c/test.c, javascript/test.js: the same three pairs), as
    /// (wgs lon, wgs lat, gcj lon, gcj lat).
    const EVILTRANSFORM: [(f64, f64, f64, f64); 3] = [
        // Shanghai
        (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
        // Shenzhen
        (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
        // Beijing
        (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    ];

    #[test]
    fn matches_eviltransform_pairs_both_ways() {
        for (wlon, wlat, glon, glat) in EVILTRANSFORM {
            let (w, g) = (coord! { x: wlon, y: wlat }, coord! { x: glon, y: glat });
            let forward = WebMap::Gcj02.from_wgs84(w).unwrap();
            let back = WebMap::Gcj02.to_wgs84(g).unwrap();
            // Measured: forward 0 m, back within 6e-8 m (the published GCJ-02 values carry
            // 15-17 digits). The offsets themselves are 475-604 m.
            assert!(metres(forward, g) < 1e-3, "{w:?}: {}", metres(forward, g));
            assert!(metres(back, w) < 1e-3, "{g:?}: {}", metres(back, w));
            assert!(metres(w, g) > 100.0);
        }
    }

    /// The results printed in wandergis/coordtransform's README for (116.404, 39.915)
    /// (its inverses are the one-step approximations, so those are compared with the
    /// forward formula only, and the inverse is checked to be within their error).
    #[test]
    fn matches_coordtransform_readme() {
        let p = coord! { x: 116.404, y: 39.915 };
        let gcj = WebMap::Gcj02.from_wgs84(p).unwrap();
        assert!(metres(gcj, coord! { x: 116.41024449916938, y: 39.91640428150164 }) < 1e-3);
        // gcj02tobd09(116.404, 39.915): BD-09 of the GCJ-02 point p.
        let bd = gcj_to_bd(p);
        assert!(metres(bd, coord! { x: 116.41036949371029, y: 39.92133699351021 }) < 1e-3);
        // bd09togcj02(116.404, 39.915) = (116.39762729119315, 39.90865673957631) is an
        // approximation: the exact inverse lies 4.8 cm from it (measured).
        let exact = invert(gcj_to_bd, p);
        let approx = coord! { x: 116.39762729119315, y: 39.90865673957631 };
        let d = metres(exact, approx);
        assert!(d < 0.1, "{d}");
        assert!(metres(gcj_to_bd(exact), p) < 1e-4);
        // gcj02towgs84(116.404, 39.915) = (116.39775550083061, 39.91359571849836), one step:
        // 6.1 cm from the exact inverse (measured).
        let exact = WebMap::Gcj02.to_wgs84(p).unwrap();
        let approx = coord! { x: 116.39775550083061, y: 39.91359571849836 };
        assert!(metres(exact, approx) < 0.1, "{}", metres(exact, approx));
    }

    #[test]
    fn round_trips_over_china_to_a_centimetre() {
        let mut worst: f64 = 0.0;
        for web in [WebMap::Gcj02, WebMap::Bd09] {
            let mut lon = 73.0;
            while lon <= 135.0 {
                let mut lat = 18.0;
                while lat <= 54.0 {
                    let w = coord! { x: lon, y: lat };
                    let shown = web.from_wgs84(w).unwrap();
                    let back = web.to_wgs84(shown).unwrap();
                    worst = worst.max(metres(back, w));
                    lat += 0.37;
                }
                lon += 0.53;
            }
        }
        assert!(worst < 0.01, "worst round trip {worst} m");
    }

    #[test]
    fn outside_china_is_an_error() {
        for p in [coord! { x: 2.35, y: 48.85 }, coord! { x: 140.0, y: 35.0 }] {
            let e = WebMap::Bd09.to_wgs84(p).unwrap_err();
            assert!(e.to_string().contains("outside China"), "{e}");
            assert!(WebMap::Gcj02.from_wgs84(p).is_err());
        }
        assert!(
            WebMap::Gcj02
                .to_wgs84(coord! { x: f64::NAN, y: 30.0 })
                .is_err()
        );
    }

    #[test]
    fn reads_names() {
        assert_eq!("GCJ02".parse::<WebMap>().unwrap(), WebMap::Gcj02);
        assert_eq!("bd09ll".parse::<WebMap>().unwrap(), WebMap::Bd09);
        assert!("WGS84".parse::<WebMap>().is_err());
        assert_eq!(
            "4326".parse::<InputCrs>().unwrap(),
            InputCrs::Epsg(Crs::WGS84)
        );
        let e = "Mars".parse::<InputCrs>().unwrap_err().to_string();
        assert!(e.contains("GCJ-02"), "{e}");
    }
}
