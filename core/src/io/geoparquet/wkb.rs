//! Well-Known Binary geometries (OGC simple features, ISO and EWKB dimension flags) as `geo`
//! types: GeoParquet's `WKB` encoding.
//!
//! Hecun's own, a few dozen lines, rather than a crate's: every count is checked against the
//! bytes left before anything is allocated (a hostile count cannot exhaust memory), rings
//! are checked before `geo` would silently close them, and Z/M are read past.

use geo::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo::{MultiPolygon, Point, Polygon};

use crate::geometry::validate;

/// Collections nested deeper than this are refused (a stack bound against hostile input).
const MAX_DEPTH: usize = 16;

/// The geometry `bytes` hold; `Err`: why not, for a message naming the feature.
pub(crate) fn geometry(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    let mut r = Reader { bytes, at: 0 };
    let g = r.geometry(0)?;
    if r.at != bytes.len() {
        return Err(format!(
            "the WKB has {} bytes after its geometry (damaged)",
            bytes.len() - r.at
        ));
    }
    Ok(g)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// What a geometry's header says.
struct Head {
    little: bool,
    kind: u32,
    /// Values per coordinate: 2, 3 (Z or M) or 4 (ZM).
    dims: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!(
                "the WKB ends at byte {} in the middle of a geometry (truncated or damaged)",
                self.bytes.len()
            ));
        };
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self, little: bool) -> Result<u32, String> {
        let b: [u8; 4] = self.take(4)?.try_into().unwrap_or_default();
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, String> {
        let b: [u8; 8] = self.take(8)?.try_into().unwrap_or_default();
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    fn head(&mut self) -> Result<Head, String> {
        let little = match self.take(1)?[0] {
            0 => false,
            1 => true,
            other => {
                return Err(format!(
                    "byte {} should give the byte order (0 or 1), not {other}: not WKB",
                    self.at - 1
                ));
            }
        };
        let code = self.u32(little)?;
        // EWKB: flags in the high bits, and an SRID after the type when 0x20000000 is set.
        let (ewkb_z, ewkb_m, srid) = (
            code & 0x8000_0000 != 0,
            code & 0x4000_0000 != 0,
            code & 0x2000_0000 != 0,
        );
        if srid {
            self.u32(little)?;
        }
        let iso = code & 0x0FFF_FFFF;
        let (kind, z, m) = match iso / 1000 {
            0 => (iso, false, false),
            1 => (iso % 1000, true, false),
            2 => (iso % 1000, false, true),
            3 => (iso % 1000, true, true),
            _ => return Err(format!("geometry type code {code} is not WKB")),
        };
        let dims = 2 + usize::from(z || ewkb_z) + usize::from(m || ewkb_m);
        Ok(Head { little, kind, dims })
    }

    /// A count of items of at least `min_bytes` each, checked against the bytes left.
    fn count(&mut self, little: bool, min_bytes: usize, what: &str) -> Result<usize, String> {
        let n = self.u32(little)? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(min_bytes) > left {
            return Err(format!(
                "the WKB announces {n} {what} but only {left} bytes follow (truncated or \
                 damaged)"
            ));
        }
        Ok(n)
    }

    fn coords(&mut self, h: &Head) -> Result<Vec<Coord<f64>>, String> {
        let n = self.count(h.little, 8 * h.dims, "points")?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let x = self.f64(h.little)?;
            let y = self.f64(h.little)?;
            for _ in 2..h.dims {
                self.f64(h.little)?;
            }
            out.push(Coord { x, y });
        }
        Ok(out)
    }

    fn polygon(&mut self, h: &Head) -> Result<Polygon<f64>, String> {
        let n = self.count(h.little, 4, "rings")?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            rings.push(LineString(self.coords(h)?));
        }
        let mut rings = rings.into_iter();
        let exterior = rings
            .next()
            .ok_or("the polygon has no rings (it is empty)")?;
        let interiors: Vec<LineString<f64>> = rings.collect();
        for (i, ring) in std::iter::once(&exterior).chain(&interiors).enumerate() {
            validate::check_ring(ring, i)?;
        }
        Ok(Polygon::new(exterior, interiors))
    }

    /// A part of a multi-geometry: its own header, of type `kind`.
    fn part(&mut self, kind: u32, name: &str) -> Result<Head, String> {
        let h = self.head()?;
        if h.kind != kind {
            return Err(format!(
                "a part of the {name} has geometry type {}, not {kind}",
                h.kind
            ));
        }
        Ok(h)
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "geometry collections are nested more than {MAX_DEPTH} deep"
            ));
        }
        let h = self.head()?;
        Ok(match h.kind {
            1 => {
                let x = self.f64(h.little)?;
                let y = self.f64(h.little)?;
                for _ in 2..h.dims {
                    self.f64(h.little)?;
                }
                if x.is_nan() && y.is_nan() {
                    return Err("the point is empty".to_owned());
                }
                Geometry::Point(Point::new(x, y))
            }
            2 => Geometry::LineString(LineString(self.coords(&h)?)),
            3 => Geometry::Polygon(self.polygon(&h)?),
            4 => {
                let n = self.count(h.little, 5, "points")?;
                let mut points = Vec::with_capacity(n);
                for _ in 0..n {
                    match self.geometry(depth + 1)? {
                        Geometry::Point(p) => points.push(p),
                        _ => return Err("a part of the multipoint is not a point".to_owned()),
                    }
                }
                Geometry::MultiPoint(MultiPoint(points))
            }
            5 => {
                let n = self.count(h.little, 9, "lines")?;
                let mut lines = Vec::with_capacity(n);
                for _ in 0..n {
                    let p = self.part(2, "multilinestring")?;
                    lines.push(LineString(self.coords(&p)?));
                }
                Geometry::MultiLineString(MultiLineString(lines))
            }
            6 => {
                let n = self.count(h.little, 9, "polygons")?;
                let mut polygons = Vec::with_capacity(n);
                for _ in 0..n {
                    let p = self.part(3, "multipolygon")?;
                    polygons.push(self.polygon(&p)?);
                }
                Geometry::MultiPolygon(MultiPolygon(polygons))
            }
            7 => {
                let n = self.count(h.little, 5, "geometries")?;
                let mut parts = Vec::with_capacity(n);
                for _ in 0..n {
                    parts.push(self.geometry(depth + 1)?);
                }
                Geometry::GeometryCollection(GeometryCollection(parts))
            }
            other => {
                return Err(format!(
                    "WKB geometry type {other} is not read: hecun reads points, lines and \
                     polygons (convert curves with ogr2ogr -nlt CONVERT_TO_LINEAR)"
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WKB written by hand from the standard's layout, both byte orders.
    fn wkb(little: bool, kind: u32, body: &[f64], counts: &[u32]) -> Vec<u8> {
        let mut out = vec![u8::from(little)];
        let u = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        out.extend(u(kind));
        for c in counts {
            out.extend(u(*c));
        }
        for x in body {
            out.extend(if little {
                x.to_le_bytes()
            } else {
                x.to_be_bytes()
            });
        }
        out
    }

    #[test]
    fn points_lines_and_polygons_in_both_byte_orders() {
        for little in [true, false] {
            let p = geometry(&wkb(little, 1, &[113.5, 34.5], &[])).unwrap();
            assert_eq!(p, Geometry::Point(Point::new(113.5, 34.5)));
            let l = geometry(&wkb(little, 2, &[0.0, 0.0, 1.0, 2.0], &[2])).unwrap();
            assert_eq!(
                l,
                Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1.0, 2.0)]))
            );
            let ring = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0];
            let g = geometry(&wkb(little, 3, &ring, &[1, 4])).unwrap();
            assert!(matches!(g, Geometry::Polygon(ref p) if p.exterior().0.len() == 4));
            // ISO Z: 1002 is a LineString Z; Z is read past.
            let z = geometry(&wkb(little, 1002, &[0.0, 0.0, 9.0, 1.0, 2.0, 9.0], &[2])).unwrap();
            assert_eq!(z, l);
        }
    }

    #[test]
    fn hostile_counts_and_truncation_are_errors_not_allocations() {
        let err = geometry(&wkb(true, 2, &[], &[u32::MAX])).unwrap_err();
        assert!(err.contains("announces"), "{err}");
        let mut short = wkb(true, 1, &[1.0, 2.0], &[]);
        short.pop();
        assert!(geometry(&short).unwrap_err().contains("truncated"));
        assert!(geometry(&[7]).unwrap_err().contains("byte order"));
        let open = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.5, 0.5];
        assert!(geometry(&wkb(true, 3, &open, &[1, 4])).is_err());
        assert!(
            geometry(&wkb(true, 8, &[], &[]))
                .unwrap_err()
                .contains("not read")
        );
    }
}
