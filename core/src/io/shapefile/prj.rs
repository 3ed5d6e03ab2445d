//! The CRS of a Shapefile's `.prj` (Esri WKT1).
//!
//! An office's `.prj` is ArcGIS's: `PROJCS["CGCS2000_3_Degree_GK_Zone_38",…]` or
//! `…_GK_CM_114E`, sometimes renamed by hand. The CRS is told by its parameters (datum by
//! ellipsoid, zone by central meridian and false easting) and checked against its names: a
//! `.prj` whose names say one CRS and whose parameters another is an error, as is anything
//! hecun does not know (only CGCS2000, WGS 84 and the Xi'an 1980 / Beijing 1954
//! Gauss–Krüger zones are read).

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::crs::Crs;

/// The geodetic datums a `.prj` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Datum {
    Cgcs2000,
    Wgs84,
    Xian1980,
    Beijing1954,
}

impl Datum {
    fn name(self) -> &'static str {
        match self {
            Datum::Cgcs2000 => "CGCS2000",
            Datum::Wgs84 => "WGS 84",
            Datum::Xian1980 => "Xi'an 1980",
            Datum::Beijing1954 => "Beijing 1954",
        }
    }

    /// The ellipsoid: semi-major axis (m) and inverse flattening.
    fn ellipsoid(self) -> (f64, f64) {
        match self {
            Datum::Cgcs2000 => (6_378_137.0, 298.257_222_101),
            Datum::Wgs84 => (6_378_137.0, 298.257_223_563),
            Datum::Xian1980 => (6_378_140.0, 298.257),
            Datum::Beijing1954 => (6_378_245.0, 298.3),
        }
    }

    /// The datum a name (of a DATUM or GEOGCS) says, if it says one.
    fn named(name: &str) -> Option<Datum> {
        let n = squash(name);
        if n.contains("china2000") || n.contains("cgcs2000") || n.contains("cgcs") {
            Some(Datum::Cgcs2000)
        } else if n.contains("wgs1984") || n.contains("wgs84") {
            Some(Datum::Wgs84)
        } else if n.contains("xian1980") || n.contains("xian80") {
            Some(Datum::Xian1980)
        } else if n.contains("beijing1954") || n.contains("beijing54") {
            Some(Datum::Beijing1954)
        } else {
            None
        }
    }

    /// The datum whose ellipsoid this is (CGCS2000's and WGS 84's differ by 1.5e-6 in
    /// inverse flattening, well above what a `.prj` rounds away).
    fn of_ellipsoid(a: f64, rf: f64) -> Option<Datum> {
        [
            Datum::Cgcs2000,
            Datum::Wgs84,
            Datum::Xian1980,
            Datum::Beijing1954,
        ]
        .into_iter()
        .find(|d| {
            let (da, drf) = d.ellipsoid();
            (a - da).abs() < 0.01 && (rf - drf).abs() < 2e-7
        })
    }

    /// Whether coordinates in this datum need the office's Helmert parameters to reach
    /// CGCS2000.
    pub(crate) fn needs_towgs84(self) -> bool {
        matches!(self, Datum::Xian1980 | Datum::Beijing1954)
    }
}

/// What a `.prj` says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrjCrs {
    /// The EPSG code of the CRS the `.prj` describes.
    pub code: u32,
    /// Its datum.
    pub datum: Datum,
    /// A description for messages (`CGCS2000 / 3-degree Gauss-Kruger zone 38`).
    pub description: String,
}

impl PrjCrs {
    /// For a Xi'an 1980 or Beijing 1954 zone, the CGCS2000 CRS of the same projection (same
    /// central meridian, same false easting), whose coordinates the datum shift gives.
    pub(crate) fn cgcs2000_twin(&self) -> Option<u16> {
        let c = self.code;
        let twin = match self.datum {
            Datum::Xian1980 => match c {
                2327..=2348 => 4491 + (c - 2327),
                2349..=2390 => 4513 + (c - 2349),
                _ => return None,
            },
            Datum::Beijing1954 => match c {
                2401..=2421 => 4513 + (c - 2401),
                2422..=2442 => 4534 + (c - 2422),
                21413..=21423 => 4491 + (c - 21413),
                21453..=21463 => 4502 + (c - 21453),
                21473..=21483 => 4502 + (c - 21473),
                _ => return None,
            },
            _ => return None,
        };
        u16::try_from(twin).ok()
    }
}

/// Reads the CRS a `.prj` at `path` describes, from its text.
pub(crate) fn read_prj(path: &Path, text: &str) -> Result<PrjCrs> {
    let bad = |message: String| Error::format(path, message);
    let text = text.trim_start_matches('\u{feff}').trim();
    let root = parse(text).map_err(|why| {
        bad(format!(
            "is not readable WKT ({why}): a .prj holds one PROJCS[…] or GEOGCS[…]"
        ))
    })?;
    let geogcs = match root.keyword.as_str() {
        "GEOGCS" => &root,
        "PROJCS" => root
            .child("GEOGCS")
            .ok_or_else(|| bad("PROJCS without GEOGCS: the datum is not named".to_owned()))?,
        other => {
            return Err(bad(format!(
                "starts with {other}[…]: hecun reads a PROJCS or GEOGCS (Esri WKT) .prj"
            )));
        }
    };
    let datum = datum(geogcs).map_err(&bad)?;
    if root.keyword == "GEOGCS" {
        if let Some(unit) = geogcs.child("UNIT")
            && let Some(factor) = unit.number(1)
            && (factor - std::f64::consts::PI / 180.0).abs() > 1e-12
        {
            return Err(bad(format!(
                "GEOGCS in units of {factor} radians: hecun reads degrees"
            )));
        }
        return match datum {
            Datum::Cgcs2000 => Ok(PrjCrs {
                code: 4490,
                datum,
                description: "CGCS2000 longitude/latitude".to_owned(),
            }),
            Datum::Wgs84 => Ok(PrjCrs {
                code: 4326,
                datum,
                description: "WGS 84 longitude/latitude".to_owned(),
            }),
            _ => Err(bad(format!(
                "{} longitude/latitude is not read: hecun reads that datum's Gauss-Kruger \
                 zones only (EPSG:2327-2390 and 2401-2442, 21413-21483); project the layer, \
                 or convert it to CGCS2000",
                datum.name()
            ))),
        };
    }
    projected(&root, datum).map_err(bad)
}

/// The datum of a GEOGCS: by its DATUM's (or its own) name and its SPHEROID, which must
/// agree; a renamed datum is told by its ellipsoid alone.
fn datum(geogcs: &Node) -> std::result::Result<Datum, String> {
    let datum = geogcs.child("DATUM");
    let spheroid = datum.and_then(|d| d.child("SPHEROID"));
    let by_ellipsoid = spheroid.and_then(|s| Some((s.number(1)?, s.number(2)?)));
    let by_ellipsoid = by_ellipsoid.map(|(a, rf)| (Datum::of_ellipsoid(a, rf), a, rf));
    let by_name = datum
        .and_then(|d| d.text(0))
        .and_then(Datum::named)
        .or_else(|| geogcs.text(0).and_then(Datum::named));
    match (by_name, by_ellipsoid) {
        (Some(n), Some((Some(e), _, _))) if n == e => Ok(n),
        (Some(n), Some((e, a, rf))) => Err(format!(
            "the datum is named {} but its ellipsoid ({a}, 1/{rf}) is {}",
            n.name(),
            e.map_or("none hecun knows".to_owned(), |e| format!("{}'s", e.name()))
        )),
        (None, Some((Some(e), _, _))) => Ok(e),
        (Some(n), None) => Ok(n),
        (None, _) => Err(format!(
            "names datum {:?}, which is not one hecun reads (CGCS2000, WGS 84, Xi'an 1980, \
             Beijing 1954)",
            datum.and_then(|d| d.text(0)).unwrap_or("?")
        )),
    }
}

/// The Gauss–Krüger zone or UTM zone a PROJCS describes.
fn projected(root: &Node, datum: Datum) -> std::result::Result<PrjCrs, String> {
    let name = root.text(0).unwrap_or("");
    let projection = root
        .child("PROJECTION")
        .and_then(|p| p.text(0))
        .unwrap_or("");
    let p = squash(projection);
    if p != "transversemercator" && p != "gausskruger" {
        return Err(format!(
            "projection {projection:?} is not read: hecun reads Gauss-Kruger (transverse \
             Mercator) zones and UTM"
        ));
    }
    if let Some(unit) = root.child("UNIT")
        && let Some(factor) = unit.number(1)
        && (factor - 1.0).abs() > 1e-12
    {
        return Err(format!(
            "the unit is {factor} metres: hecun reads coordinates in metres"
        ));
    }
    let param = |key: &str| -> Option<f64> {
        root.children("PARAMETER")
            .find(|n| n.text(0).is_some_and(|t| squash(t) == key))
            .and_then(|n| n.number(1))
    };
    let cm = param("centralmeridian").ok_or("the central meridian is missing")?;
    let fe = param("falseeasting").unwrap_or(0.0);
    let fn_ = param("falsenorthing").unwrap_or(0.0);
    let k = param("scalefactor").unwrap_or(1.0);
    let lat0 = param("latitudeoforigin").unwrap_or(0.0);
    let params = format!(
        "central meridian {cm}, false easting {fe}, false northing {fn_}, scale {k}, \
         latitude of origin {lat0}"
    );
    let squashed = squash(name);
    let named_zone = number_after(&squashed, "zone");
    let named_cm = number_after(&squashed, "cm");
    if lat0 != 0.0 {
        return Err(format!("{params}: not a Gauss-Kruger or UTM zone"));
    }
    if datum == Datum::Wgs84 {
        let zone = (cm + 183.0) / 6.0;
        let south = fn_ == 10_000_000.0;
        if (k - 0.9996).abs() > 1e-9
            || fe != 500_000.0
            || !(fn_ == 0.0 || south)
            || zone.fract() != 0.0
            || !(1.0..=60.0).contains(&zone)
        {
            return Err(format!(
                "WGS 84 with {params} is not a UTM zone (hecun reads WGS 84 only as \
                 longitude/latitude or UTM)"
            ));
        }
        let zone = zone as u32;
        if let Some(z) = named_zone
            && z != zone
        {
            return Err(format!(
                "the name {name:?} says UTM zone {z}, but the central meridian {cm} is zone \
                 {zone}'s"
            ));
        }
        let hemisphere = if south { 'S' } else { 'N' };
        let named_hemisphere = squashed
            .rfind("zone")
            .map(|at| &squashed[at + 4..])
            .and_then(|rest| {
                rest.trim_start_matches(|c: char| c.is_ascii_digit())
                    .chars()
                    .next()
            });
        if let Some(h) = named_hemisphere
            && h.to_ascii_uppercase() != hemisphere
        {
            return Err(format!(
                "the name {name:?} names the other hemisphere than the false northing {fn_}"
            ));
        }
        return Ok(PrjCrs {
            code: if south { 32700 } else { 32600 } + zone,
            datum,
            description: format!("WGS 84 / UTM zone {zone}{hemisphere}"),
        });
    }
    if k != 1.0 || fn_ != 0.0 {
        return Err(format!(
            "{} with {params} is not a Gauss-Kruger zone (scale 1, false northing 0)",
            datum.name()
        ));
    }
    let three_named = squashed.contains("3degree") || squashed.contains("3deg");
    let (code, description) = if fe == 500_000.0 {
        // No zone prefix: the zone is told by the central meridian alone.
        // 6-degree CM zones share their parameters with 3-degree ones: only a name saying
        // a 6-degree GK zone (ArcGIS's `CGCS2000_GK_CM_111E`) reads as one.
        let named_six =
            !three_named && (squashed.contains("gk") || squashed.contains("gausskruger"));
        let three = !(named_six && cm_is_six_degree(cm));
        if let Some(z) = named_zone {
            return Err(format!(
                "the name {name:?} says zone {z}, but the false easting 500000 has no zone \
                 prefix"
            ));
        }
        if cm.fract() != 0.0 || !(75.0..=135.0).contains(&cm) || cm as i64 % 3 != 0 {
            return Err(format!(
                "{params}: no Gauss-Kruger zone of China has central meridian {cm}"
            ));
        }
        if let Some(named) = named_cm
            && named as f64 != cm
        {
            return Err(format!(
                "the name {name:?} says central meridian {named}E, but the parameters say {cm}"
            ));
        }
        let step = if three { 3 } else { 6 };
        let k = (cm as u32 - 75) / step;
        let code = match (datum, three) {
            (Datum::Cgcs2000, true) => 4534 + k,
            (Datum::Cgcs2000, false) => 4502 + k,
            (Datum::Xian1980, true) => 2370 + k,
            (Datum::Xian1980, false) => 2338 + k,
            (Datum::Beijing1954, true) => 2422 + k,
            (Datum::Beijing1954, false) => 21453 + k,
            (Datum::Wgs84, _) => unreachable!("WGS 84 is read as UTM above"),
        };
        let kind = if three { "3-degree " } else { "" };
        (
            code,
            format!("{} / {kind}Gauss-Kruger CM {cm}E", datum.name()),
        )
    } else {
        // The zone number prefixes the easting: 38_500_000 is zone 38.
        let zone = (fe - 500_000.0) / 1_000_000.0;
        let z = zone as u32;
        let fits_three = zone.fract() == 0.0 && (25.0..=45.0).contains(&zone) && cm == 3.0 * zone;
        let fits_six =
            zone.fract() == 0.0 && (13.0..=23.0).contains(&zone) && cm == 6.0 * zone - 3.0;
        if !fits_three && !fits_six {
            return Err(format!(
                "{params}: the false easting {fe} and central meridian {cm} are no \
                 Gauss-Kruger zone of China (zone 25-45: central meridian 3 x zone; zone \
                 13-23: 6 x zone - 3)"
            ));
        }
        if let Some(named) = named_zone
            && named != z
        {
            return Err(format!(
                "the name {name:?} says zone {named}, but the parameters say zone {z} \
                 ({params})"
            ));
        }
        if three_named && !fits_three {
            return Err(format!(
                "the name {name:?} says a 3-degree zone, but zone {z} with central meridian \
                 {cm} is a 6-degree one"
            ));
        }
        let code = match (datum, fits_three) {
            (Datum::Cgcs2000, true) => 4513 + z - 25,
            (Datum::Cgcs2000, false) => 4491 + z - 13,
            (Datum::Xian1980, true) => 2349 + z - 25,
            (Datum::Xian1980, false) => 2327 + z - 13,
            (Datum::Beijing1954, true) => 2401 + z - 25,
            (Datum::Beijing1954, false) => 21413 + z - 13,
            (Datum::Wgs84, _) => unreachable!("WGS 84 is read as UTM above"),
        };
        let kind = if fits_three { "3-degree " } else { "" };
        (
            code,
            format!("{} / {kind}Gauss-Kruger zone {z}", datum.name()),
        )
    };
    Ok(PrjCrs {
        code,
        datum,
        description,
    })
}

/// Whether a central meridian is one of the 6-degree zones' (75, 81, … 135).
fn cm_is_six_degree(cm: f64) -> bool {
    cm.fract() == 0.0 && (75.0..=135.0).contains(&cm) && (cm as i64 - 75) % 6 == 0
}

/// The number right after `key` in a squashed name (`…gkzone38` → 38, `…gkcm114e` → 114).
fn number_after(squashed: &str, key: &str) -> Option<u32> {
    let at = squashed.rfind(key)? + key.len();
    let digits: String = squashed[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// A name lower-cased without anything but letters and digits (`Xian_1980` → `xian1980`).
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A WKT node: `KEYWORD[item, item, …]`.
#[derive(Debug)]
struct Node {
    keyword: String,
    items: Vec<Item>,
}

#[derive(Debug)]
enum Item {
    Text(String),
    Number(f64),
    Node(Node),
    Word,
}

impl Node {
    fn child<'a>(&'a self, keyword: &'a str) -> Option<&'a Node> {
        self.children(keyword).next()
    }

    fn children<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.items.iter().filter_map(move |i| match i {
            Item::Node(n) if n.keyword.eq_ignore_ascii_case(keyword) => Some(n),
            _ => None,
        })
    }

    fn text(&self, k: usize) -> Option<&str> {
        match self.items.get(k)? {
            Item::Text(t) => Some(t),
            _ => None,
        }
    }

    fn number(&self, k: usize) -> Option<f64> {
        match self.items.get(k)? {
            Item::Number(x) => Some(*x),
            _ => None,
        }
    }
}

/// Parses WKT1 text into its node tree.
fn parse(text: &str) -> std::result::Result<Node, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
        depth: 0,
    };
    let node = p.node()?;
    p.space();
    if p.at != p.s.len() {
        return Err(format!("text after the end, at byte {}", p.at));
    }
    Ok(node)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn word(&mut self) -> String {
        let start = self.at;
        while self.at < self.s.len()
            && (self.s[self.at].is_ascii_alphanumeric() || self.s[self.at] == b'_')
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.at]).into_owned()
    }

    fn node(&mut self) -> std::result::Result<Node, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("nested too deeply".to_owned());
        }
        self.space();
        let keyword = self.word().to_ascii_uppercase();
        if keyword.is_empty() {
            return Err(format!("expected a keyword at byte {}", self.at));
        }
        self.space();
        let close = match self.s.get(self.at) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(format!("expected [ after {keyword}")),
        };
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.space();
            match self.s.get(self.at) {
                None => return Err(format!("{keyword}[ is not closed")),
                Some(&c) if c == close => {
                    self.at += 1;
                    break;
                }
                Some(b',') if !items.is_empty() => {
                    self.at += 1;
                    continue;
                }
                Some(b'"') => {
                    self.at += 1;
                    let mut bytes = Vec::new();
                    loop {
                        match self.s.get(self.at) {
                            None => return Err("a quoted name is not closed".to_owned()),
                            Some(b'"') if self.s.get(self.at + 1) == Some(&b'"') => {
                                bytes.push(b'"');
                                self.at += 2;
                            }
                            Some(b'"') => {
                                self.at += 1;
                                break;
                            }
                            Some(&b) => {
                                bytes.push(b);
                                self.at += 1;
                            }
                        }
                    }
                    items.push(Item::Text(String::from_utf8_lossy(&bytes).into_owned()));
                }
                Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'+' || *c == b'.' => {
                    let start = self.at;
                    while self.at < self.s.len()
                        && matches!(
                            self.s[self.at],
                            b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                        )
                    {
                        self.at += 1;
                    }
                    let t = String::from_utf8_lossy(&self.s[start..self.at]);
                    let x = t
                        .parse::<f64>()
                        .map_err(|_| format!("{t:?} is not a number"))?;
                    items.push(Item::Number(x));
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    let save = self.at;
                    let _ = self.word();
                    self.space();
                    if matches!(self.s.get(self.at), Some(b'[' | b'(')) {
                        self.at = save;
                        items.push(Item::Node(self.node()?));
                    } else {
                        // A bare word (AXIS["X",EAST]).
                        items.push(Item::Word);
                    }
                }
                Some(&c) => {
                    return Err(format!("unexpected {:?} at byte {}", c as char, self.at));
                }
            }
        }
        self.depth -= 1;
        Ok(Node { keyword, items })
    }
}

/// The CGCS2000 CRS of a `.prj`'s coordinates after the datum shift, for a Xi'an 1980 or
/// Beijing 1954 zone; the `.prj`'s own CRS otherwise.
pub(crate) fn crs_after_shift(prj: &PrjCrs) -> Result<Crs> {
    let code = match prj.cgcs2000_twin() {
        Some(twin) => twin,
        None => u16::try_from(prj.code)
            .map_err(|_| Error::param("CRS", format!("EPSG:{} is out of range", prj.code)))?,
    };
    Crs::from_epsg(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> std::result::Result<PrjCrs, String> {
        read_prj(Path::new("t.prj"), text).map_err(|e| e.to_string())
    }

    const GCS_CGCS: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;

    fn gk(name: &str, geogcs: &str, fe: f64, cm: f64) -> String {
        format!(
            r#"PROJCS["{name}",{geogcs},PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",{fe}],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{cm}],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#
        )
    }

    #[test]
    fn cgcs2000_zones_with_and_without_prefix() {
        assert_eq!(read(GCS_CGCS).unwrap().code, 4490);
        let with = gk(
            "CGCS2000_3_Degree_GK_Zone_38",
            GCS_CGCS,
            38_500_000.0,
            114.0,
        );
        assert_eq!(read(&with).unwrap().code, 4526);
        let without = gk("CGCS2000_3_Degree_GK_CM_114E", GCS_CGCS, 500_000.0, 114.0);
        assert_eq!(read(&without).unwrap().code, 4547);
        let six = gk("CGCS2000_GK_Zone_19", GCS_CGCS, 19_500_000.0, 111.0);
        assert_eq!(read(&six).unwrap().code, 4497);
        let six_cm = gk("CGCS2000_GK_CM_111E", GCS_CGCS, 500_000.0, 111.0);
        assert_eq!(read(&six_cm).unwrap().code, 4508);
        // Renamed by hand: the parameters still say zone 38.
        let renamed = gk("郑州_坐标", GCS_CGCS, 38_500_000.0, 114.0);
        assert_eq!(read(&renamed).unwrap().code, 4526);
    }

    #[test]
    fn a_name_contradicting_the_parameters_is_an_error() {
        let wrong = gk(
            "CGCS2000_3_Degree_GK_Zone_39",
            GCS_CGCS,
            38_500_000.0,
            114.0,
        );
        let err = read(&wrong).unwrap_err();
        assert!(err.contains("zone 39") && err.contains("zone 38"), "{err}");
        let wrong_cm = gk("CGCS2000_3_Degree_GK_CM_117E", GCS_CGCS, 500_000.0, 114.0);
        assert!(read(&wrong_cm).unwrap_err().contains("117E"));
        // Zone 38's easting with zone 39's central meridian.
        let mixed = gk("x", GCS_CGCS, 38_500_000.0, 117.0);
        assert!(read(&mixed).unwrap_err().contains("no Gauss-Kruger zone"));
        // A datum named CGCS2000 on Krassowsky's ellipsoid.
        let lying = GCS_CGCS.replace("6378137.0,298.257222101", "6378245.0,298.3");
        assert!(read(&lying).unwrap_err().contains("Beijing 1954"));
    }

    #[test]
    fn unknown_crs_and_junk_are_errors() {
        let lambert = r#"PROJCS["x",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["Central_Meridian",105.0],UNIT["Meter",1.0]]"#;
        assert!(read(lambert).unwrap_err().contains("Lambert"));
        assert!(read("nonsense").unwrap_err().contains("WKT"));
        assert!(read("").is_err());
        let tokyo = r#"GEOGCS["GCS_Tokyo",DATUM["D_Tokyo",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert!(read(tokyo).unwrap_err().contains("D_Tokyo"));
    }

    #[test]
    fn wgs84_utm() {
        let utm = r#"PROJCS["WGS_1984_UTM_Zone_49N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",111.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(read(utm).unwrap().code, 32649);
        assert!(read(&utm.replace("Zone_49N", "Zone_50N")).is_err());
    }

    /// Every Xi'an 1980 and Beijing 1954 zone the tables name has, in the EPSG definitions
    /// (crs-definitions, from the EPSG registry), the central meridian, false easting and
    /// ellipsoid that the `.prj` parameters map from; and its CGCS2000 twin the same
    /// projection.
    #[test]
    fn zone_tables_agree_with_the_epsg_definitions() {
        let param = |code: u32, key: &str| -> f64 {
            crs_definitions::from_code(code as u16)
                .unwrap_or_else(|| panic!("EPSG:{code} is defined"))
                .proj4
                .split_whitespace()
                .find_map(|p| p.strip_prefix(&format!("+{key}="))?.parse().ok())
                .unwrap_or_else(|| panic!("EPSG:{code} has +{key}"))
        };
        let geogcs = |d: Datum| {
            let (a, rf) = d.ellipsoid();
            format!(
                r#"GEOGCS["g",DATUM["d",SPHEROID["s",{a},{rf}]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#
            )
        };
        let ranges: [(Datum, std::ops::RangeInclusive<u32>); 8] = [
            (Datum::Cgcs2000, 4491..=4554),
            (Datum::Xian1980, 2327..=2390),
            (Datum::Beijing1954, 2401..=2442),
            (Datum::Beijing1954, 21413..=21423),
            (Datum::Beijing1954, 21453..=21463),
            (Datum::Beijing1954, 21473..=21483),
            (Datum::Cgcs2000, 4513..=4513),
            (Datum::Cgcs2000, 4554..=4554),
        ];
        for (datum, codes) in ranges {
            for code in codes {
                let (cm, fe) = (param(code, "lon_0"), param(code, "x_0"));
                let text = gk("renamed", &geogcs(datum), fe, cm);
                let read = read(&text).unwrap();
                assert_eq!(read.datum, datum);
                // The 6-degree CM zones share their parameters with 3-degree ones, and the
                // deprecated Beijing 1954 "13N" codes with the CM ones: same projection.
                let same = |a: u32, b: u32| {
                    param(a, "lon_0") == param(b, "lon_0") && param(a, "x_0") == param(b, "x_0")
                };
                assert!(
                    same(read.code, code),
                    "EPSG:{code} read as EPSG:{}",
                    read.code
                );
                if let Some(twin) = read.cgcs2000_twin() {
                    assert!(same(twin as u32, code), "EPSG:{code} twin EPSG:{twin}");
                }
            }
        }
    }

    /// The `.prj` GDAL writes for each kind of CRS read (`make.sh` of the Shapefile fixtures):
    /// each is told back as its own EPSG code; the deprecated Beijing 1954 "Gauss-Kruger
    /// 13N…23N" codes (21473–21483) as the current codes of the same projection (21453–21463).
    #[test]
    fn every_prj_gdal_writes_is_told_back() {
        let table = include_str!("../../../tests/fixtures/shapefile/prj_by_gdal.tsv");
        let mut n = 0;
        for line in table.lines() {
            let (code, wkt) = line.split_once('\t').unwrap();
            let code: u32 = code.parse().unwrap();
            let expected = match code {
                21473..=21483 => code - 20,
                _ => code,
            };
            let read = read(wkt).unwrap_or_else(|e| panic!("EPSG:{code}: {e}"));
            assert_eq!(read.code, expected, "{wkt}");
            n += 1;
        }
        assert_eq!(n, 35);
    }
}
