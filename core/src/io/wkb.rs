//! Well-Known Binary (WKB) geometries into `geo` types, and back.
//!
//! GeoPackage blobs, GeoParquet columns and database exports all carry WKB: one parser, shared
//! by every reader, gives one answer for the same bytes. It reads ISO WKB (OGC 06-103r4: the
//! type code's thousands say Z 1000, M 2000, ZM 3000) and the older extended flags of
//! PostGIS/GEOS (Z 0x8000_0000, M 0x4000_0000, SRID 0x2000_0000); a Z or M is read and
//! dropped, as the Shapefile and GeoJSON readers drop them (hecun plans in 2D).
//!
//! Hecun's own rather than the georust `wkb` crate: that one yields `geo-traits` views to be
//! converted again, and does not check a ring is closed or say which part of the blob is
//! broken; the format is a handful of fixed layouts, tested here against GDAL's blobs.
//!
//! The same geometry types as the GeoJSON reader are read (points, lines, polygons, their
//! multi forms and collections of them); a curve or a surface is an error naming its type. Every count
//! is checked against the bytes left before anything is allocated, so a blob that lies
//! about its size is an error, never a huge allocation or a panic.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use crate::geometry::validate;

/// A WKB geometry's type, for messages.
fn type_name(code: u32) -> &'static str {
    match code {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        13 => "Curve",
        14 => "Surface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        _ => "an unknown type",
    }
}

/// Nesting deeper than this is refused: a multi geometry holds single ones, so real data
/// nests a few levels (a collection of multi polygons); a hostile blob could nest thousands
/// and overflow the stack.
const MAX_DEPTH: usize = 8;

/// Parses one WKB geometry that fills `bytes` exactly (trailing bytes are an error: they
/// mean the blob is not what its header says).
///
/// `Ok(None)` is an empty point (`POINT EMPTY`, written as NaN coordinates): a geometry with
/// no position, which readers treat like a missing geometry. Other empty geometries parse
/// to empty `geo` values.
///
/// # Examples
///
/// ```
/// use hecun::read_wkb;
///
/// // POINT(113.6 34.7), little-endian.
/// let mut blob = vec![1u8, 1, 0, 0, 0];
/// blob.extend(113.6f64.to_le_bytes());
/// blob.extend(34.7f64.to_le_bytes());
/// let point = read_wkb(&blob).unwrap().unwrap();
/// assert_eq!(point, geo::Geometry::Point(geo::Point::new(113.6, 34.7)));
/// ```
pub fn read_wkb(bytes: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    let mut reader = Reader { bytes, at: 0 };
    let geometry = reader.geometry(0, None)?;
    if reader.at != bytes.len() {
        return Err(format!(
            "the WKB geometry ends at byte {} but the blob has {} bytes: the blob is damaged",
            reader.at,
            bytes.len()
        ));
    }
    Ok(geometry)
}

/// Reads WKB with a cursor, each read checked against the bytes left.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// A geometry's header: its base type (1–17), how many numbers a position has, byte order.
#[derive(Clone, Copy)]
struct Header {
    kind: u32,
    dims: usize,
    little: bool,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let bytes: &'a [u8] = self.bytes;
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "the WKB geometry is cut short: {what} needs {n} bytes at byte {} but the \
                     blob has {}",
                    self.at,
                    self.bytes.len()
                )
            })?;
        let out = &bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self, little: bool, what: &str) -> Result<u32, String> {
        let b: [u8; 4] = self.take(4, what)?.try_into().unwrap_or_default();
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn header(&mut self) -> Result<Header, String> {
        let at = self.at;
        let order = self.take(1, "the byte order")?[0];
        let little = match order {
            0 => false,
            1 => true,
            other => {
                return Err(format!(
                    "byte {at} should be a WKB byte order (0 or 1) but is {other}: the blob is \
                     not WKB or is damaged"
                ));
            }
        };
        let code = self.u32(little, "the geometry type")?;
        // Extended WKB (PostGIS, GEOS): flags in the high bits, an SRID after the type.
        let (z, m) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0);
        if code & 0x2000_0000 != 0 {
            self.u32(little, "the SRID")?;
        }
        let iso = code & 0x0FFF_FFFF;
        let (kind, iso_z, iso_m) = match iso / 1000 {
            0 => (iso, false, false),
            1 => (iso % 1000, true, false),
            2 => (iso % 1000, false, true),
            3 => (iso % 1000, true, true),
            _ => (0, false, false),
        };
        if !(1..=17).contains(&kind) {
            return Err(format!(
                "byte {at}: geometry type code {code} is not a WKB geometry type: the blob is \
                 not WKB or is damaged"
            ));
        }
        let dims = 2 + usize::from(z || iso_z) + usize::from(m || iso_m);
        Ok(Header { kind, dims, little })
    }

    fn count(&mut self, h: Header, what: &str, min_bytes_each: usize) -> Result<usize, String> {
        let at = self.at;
        let n = self.u32(h.little, what)? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(min_bytes_each) > left {
            return Err(format!(
                "byte {at}: the WKB geometry says it has {n} {what} but only {left} bytes \
                 follow: the blob is damaged"
            ));
        }
        Ok(n)
    }

    fn coord(&mut self, h: Header) -> Result<Coord<f64>, String> {
        let b = self.take(8 * h.dims, "a position")?;
        let f = |i: usize| {
            let a: [u8; 8] = b[8 * i..8 * i + 8].try_into().unwrap_or_default();
            if h.little {
                f64::from_le_bytes(a)
            } else {
                f64::from_be_bytes(a)
            }
        };
        Ok(Coord { x: f(0), y: f(1) })
    }

    fn line(&mut self, h: Header) -> Result<LineString<f64>, String> {
        let n = self.count(h, "positions", 8 * h.dims)?;
        let mut coords = Vec::with_capacity(n);
        for _ in 0..n {
            let c = self.coord(h)?;
            if !c.x.is_finite() || !c.y.is_finite() {
                return Err(format!(
                    "a position is not a finite number ({}, {})",
                    c.x, c.y
                ));
            }
            coords.push(c);
        }
        Ok(LineString(coords))
    }

    fn polygon(&mut self, h: Header) -> Result<Polygon<f64>, String> {
        let n = self.count(h, "rings", 4)?;
        let mut rings = Vec::with_capacity(n);
        for i in 0..n {
            let ring = self.line(h)?;
            validate::check_ring(&ring, i)?;
            rings.push(ring);
        }
        let mut rings = rings.into_iter();
        match rings.next() {
            // POLYGON EMPTY: no rings.
            None => Ok(Polygon::new(LineString(Vec::new()), Vec::new())),
            Some(exterior) => Ok(Polygon::new(exterior, rings.collect())),
        }
    }

    /// One geometry; `parent` is the multi type holding it, whose parts must be of its one
    /// single type.
    fn geometry(
        &mut self,
        depth: usize,
        parent: Option<u32>,
    ) -> Result<Option<Geometry<f64>>, String> {
        let h = self.header()?;
        if let Some(parent) = parent
            && h.kind != parent - 3
        {
            return Err(format!(
                "a {} holds a {}: its parts must be {}s",
                type_name(parent),
                type_name(h.kind),
                type_name(parent - 3)
            ));
        }
        if depth > MAX_DEPTH {
            return Err("the WKB geometry is nested too deeply".to_owned());
        }
        let parts = |r: &mut Self| -> Result<Vec<Geometry<f64>>, String> {
            let n = r.count(h, "parts", 5)?;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                match r.geometry(depth + 1, Some(h.kind))? {
                    Some(g) => out.push(g),
                    None => return Err("a MultiPoint holds an empty point".to_owned()),
                }
            }
            Ok(out)
        };
        Ok(Some(match h.kind {
            1 => {
                let c = self.coord(h)?;
                if c.x.is_nan() && c.y.is_nan() {
                    return Ok(None);
                }
                if !c.x.is_finite() || !c.y.is_finite() {
                    return Err(format!(
                        "a position is not a finite number ({}, {})",
                        c.x, c.y
                    ));
                }
                Geometry::Point(Point(c))
            }
            2 => Geometry::LineString(self.line(h)?),
            3 => Geometry::Polygon(self.polygon(h)?),
            4 => Geometry::MultiPoint(MultiPoint(
                parts(self)?
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::Point(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            )),
            5 => Geometry::MultiLineString(MultiLineString(
                parts(self)?
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::LineString(l) => Some(l),
                        _ => None,
                    })
                    .collect(),
            )),
            6 => Geometry::MultiPolygon(MultiPolygon(
                parts(self)?
                    .into_iter()
                    .filter_map(|g| match g {
                        Geometry::Polygon(p) => Some(p),
                        _ => None,
                    })
                    .collect(),
            )),
            7 => {
                let n = self.count(h, "parts", 5)?;
                let mut out = Vec::with_capacity(n);
                for _ in 0..n {
                    match self.geometry(depth + 1, None)? {
                        Some(g) => out.push(g),
                        None => {
                            return Err("a GeometryCollection holds an empty point".to_owned());
                        }
                    }
                }
                Geometry::GeometryCollection(geo::GeometryCollection(out))
            }
            other => {
                return Err(format!(
                    "a {} is not read (hecun reads points, lines, polygons and their multi \
                     forms, as in GeoJSON): convert it, e.g. with ogr2ogr -nlt \
                     PROMOTE_TO_MULTI or -explodecollections",
                    type_name(other)
                ));
            }
        }))
    }
}

/// Writes `geometry` as little-endian 2D ISO WKB, the form GeoPackage and GeoParquet
/// writers use. A `GeometryCollection`, `Line`, `Rect` or `Triangle` is written as the WKB
/// type it is (collection) or as its polygon/line string.
pub fn write_wkb(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    fn head(out: &mut Vec<u8>, kind: u32) {
        out.push(1);
        out.extend(kind.to_le_bytes());
    }
    fn coord(out: &mut Vec<u8>, c: Coord<f64>) {
        out.extend(c.x.to_le_bytes());
        out.extend(c.y.to_le_bytes());
    }
    fn count(out: &mut Vec<u8>, n: usize) {
        out.extend(u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
    }
    fn line(out: &mut Vec<u8>, l: &LineString<f64>) {
        count(out, l.0.len());
        for &c in &l.0 {
            coord(out, c);
        }
    }
    fn polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
        if p.exterior().0.is_empty() {
            count(out, 0);
            return;
        }
        count(out, 1 + p.interiors().len());
        line(out, p.exterior());
        for ring in p.interiors() {
            line(out, ring);
        }
    }
    match geometry {
        Geometry::Point(p) => {
            head(out, 1);
            coord(out, p.0);
        }
        Geometry::Line(l) => {
            head(out, 2);
            line(out, &LineString(vec![l.start, l.end]));
        }
        Geometry::LineString(l) => {
            head(out, 2);
            line(out, l);
        }
        Geometry::Polygon(p) => {
            head(out, 3);
            polygon(out, p);
        }
        Geometry::MultiPoint(mp) => {
            head(out, 4);
            count(out, mp.0.len());
            for p in &mp.0 {
                head(out, 1);
                coord(out, p.0);
            }
        }
        Geometry::MultiLineString(ml) => {
            head(out, 5);
            count(out, ml.0.len());
            for l in &ml.0 {
                head(out, 2);
                line(out, l);
            }
        }
        Geometry::MultiPolygon(mp) => {
            head(out, 6);
            count(out, mp.0.len());
            for p in &mp.0 {
                head(out, 3);
                polygon(out, p);
            }
        }
        Geometry::GeometryCollection(gc) => {
            head(out, 7);
            count(out, gc.0.len());
            for g in &gc.0 {
                write_wkb(g, out);
            }
        }
        Geometry::Rect(r) => {
            head(out, 3);
            polygon(out, &r.to_polygon());
        }
        Geometry::Triangle(t) => {
            head(out, 3);
            polygon(out, &t.to_polygon());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{coord, line_string, polygon};

    fn roundtrip(g: Geometry<f64>) {
        let mut blob = Vec::new();
        write_wkb(&g, &mut blob);
        assert_eq!(read_wkb(&blob).unwrap(), Some(g));
    }

    #[test]
    fn every_type_round_trips() {
        roundtrip(Geometry::Point(Point::new(1.5, -2.0)));
        roundtrip(Geometry::LineString(
            line_string![(x: 0., y: 0.), (x: 1., y: 2.)],
        ));
        let square = polygon![
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.), (x: 0., y: 0.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 1.)]],
        ];
        roundtrip(Geometry::Polygon(square.clone()));
        roundtrip(Geometry::MultiPoint(MultiPoint(vec![
            Point::new(1., 2.),
            Point::new(3., 4.),
        ])));
        roundtrip(Geometry::MultiLineString(MultiLineString(vec![
            line_string![(x: 0., y: 0.), (x: 1., y: 2.)],
            line_string![(x: 5., y: 0.), (x: 1., y: 9.)],
        ])));
        roundtrip(Geometry::MultiPolygon(MultiPolygon(vec![
            square.clone(),
            square.clone(),
        ])));
        roundtrip(Geometry::MultiPolygon(MultiPolygon(vec![])));
        roundtrip(Geometry::GeometryCollection(geo::GeometryCollection(vec![
            Geometry::Point(Point::new(1., 2.)),
            Geometry::MultiPolygon(MultiPolygon(vec![square])),
        ])));
    }

    /// Hand-written big-endian ISO Z and extended-WKB blobs: Z is dropped.
    #[test]
    fn z_m_big_endian_and_extended_forms_read_as_2d() {
        // POINT Z (1 2 3), big-endian ISO.
        let mut blob = vec![0u8];
        blob.extend(1001u32.to_be_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            blob.extend(v.to_be_bytes());
        }
        assert_eq!(
            read_wkb(&blob).unwrap(),
            Some(Geometry::Point(Point::new(1.0, 2.0)))
        );
        // LINESTRING ZM, extended flags with an SRID, little-endian.
        let mut blob = vec![1u8];
        blob.extend((2u32 | 0x8000_0000 | 0x4000_0000 | 0x2000_0000).to_le_bytes());
        blob.extend(4326u32.to_le_bytes());
        blob.extend(2u32.to_le_bytes());
        for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0] {
            blob.extend(v.to_le_bytes());
        }
        assert_eq!(
            read_wkb(&blob).unwrap(),
            Some(Geometry::LineString(LineString(vec![
                coord! {x: 1., y: 2.},
                coord! {x: 5., y: 6.}
            ])))
        );
    }

    #[test]
    fn empty_point_is_none() {
        let mut blob = vec![1u8, 1, 0, 0, 0];
        blob.extend(f64::NAN.to_le_bytes());
        blob.extend(f64::NAN.to_le_bytes());
        assert_eq!(read_wkb(&blob).unwrap(), None);
    }

    /// Every truncation and every single-byte change of a valid blob is an error or a
    /// geometry, never a panic or a huge allocation.
    #[test]
    fn damaged_blobs_are_errors_not_panics() {
        let g = Geometry::MultiPolygon(MultiPolygon(vec![polygon![
            (x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 0.)
        ]]));
        let mut blob = Vec::new();
        write_wkb(&g, &mut blob);
        for n in 0..blob.len() {
            assert!(read_wkb(&blob[..n]).is_err(), "cut at {n}");
        }
        for i in 0..blob.len() {
            for v in [0u8, 0x7F, 0xFF] {
                let mut bad = blob.clone();
                bad[i] = v;
                let _ = read_wkb(&bad);
            }
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(read_wkb(&longer).unwrap_err().contains("damaged"));
        // A count of 2^32-1 rings with no bytes behind it.
        let mut lying = vec![1u8, 3, 0, 0, 0];
        lying.extend(u32::MAX.to_le_bytes());
        assert!(read_wkb(&lying).unwrap_err().contains("rings"));
    }

    #[test]
    fn unsupported_and_mixed_types_are_named() {
        let mut curve = vec![1u8, 8, 0, 0, 0];
        curve.extend(0u32.to_le_bytes());
        assert!(read_wkb(&curve).unwrap_err().contains("CircularString"));
        // Collections nested past any real data's depth.
        let mut deep = Vec::new();
        for _ in 0..100 {
            deep.extend([1u8, 7, 0, 0, 0]);
            deep.extend(1u32.to_le_bytes());
        }
        assert!(read_wkb(&deep).unwrap_err().contains("deeply"));
        // A MultiPolygon holding a point.
        let mut mixed = vec![1u8, 6, 0, 0, 0];
        mixed.extend(1u32.to_le_bytes());
        mixed.extend([1u8, 1, 0, 0, 0]);
        mixed.extend(1f64.to_le_bytes());
        mixed.extend(1f64.to_le_bytes());
        assert!(read_wkb(&mixed).unwrap_err().contains("holds a Point"));
        // An open ring.
        let mut open = vec![1u8, 3, 0, 0, 0];
        open.extend(1u32.to_le_bytes());
        open.extend(4u32.to_le_bytes());
        for v in [0f64, 0., 1., 0., 1., 1., 0., 1.] {
            open.extend(v.to_le_bytes());
        }
        assert!(read_wkb(&open).is_err());
    }
}
