//! The `.shp` and `.shx` of a Shapefile: the records' places (from the index) and each
//! record's geometry, in two dimensions (Z and M values are read past).

use std::path::Path;

use geo::{Contains, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon};
use geo::{Point, Polygon};

use crate::error::{Error, Result};

/// The shape types hecun reads, by their code in the file header and in each record.
pub(crate) fn shape_type_name(code: i32) -> &'static str {
    match code {
        0 => "Null",
        1 => "Point",
        3 => "PolyLine",
        5 => "Polygon",
        8 => "MultiPoint",
        11 => "PointZ",
        13 => "PolyLineZ",
        15 => "PolygonZ",
        18 => "MultiPointZ",
        21 => "PointM",
        23 => "PolyLineM",
        25 => "PolygonM",
        28 => "MultiPointM",
        31 => "MultiPatch",
        _ => "unknown",
    }
}

/// Checks the `.shp` header and returns its shape type.
pub(crate) fn header(path: &Path, shp: &[u8]) -> Result<i32> {
    if shp.len() < 100 || be_i32(shp, 0) != 9994 {
        return Err(Error::format(
            path,
            "is not a Shapefile: it does not start with the .shp file code 9994",
        ));
    }
    let shape_type = le_i32(shp, 32);
    if shape_type == 31 || shape_type_name(shape_type) == "unknown" {
        return Err(Error::format(
            path,
            format!(
                "shape type {shape_type} ({}) is not read: hecun reads points, lines and \
                 polygons (with or without Z/M)",
                shape_type_name(shape_type)
            ),
        ));
    }
    Ok(shape_type)
}

/// The place (byte offset of the content, after the 8-byte record header) and content length
/// of every record, from the `.shx`, each checked to lie inside the `.shp`.
pub(crate) fn index(shx_path: &Path, shx: &[u8], shp_len: usize) -> Result<Vec<(usize, usize)>> {
    if shx.len() < 100 || be_i32(shx, 0) != 9994 {
        return Err(Error::format(
            shx_path,
            "is not a Shapefile index: it does not start with the file code 9994",
        ));
    }
    if !(shx.len() - 100).is_multiple_of(8) {
        return Err(Error::format(
            shx_path,
            format!(
                "is {} bytes: not a header and whole 8-byte entries (is it truncated?)",
                shx.len()
            ),
        ));
    }
    let n = (shx.len() - 100) / 8;
    let mut places = Vec::with_capacity(n);
    for k in 0..n {
        let offset = be_i32(shx, 100 + 8 * k) as i64 * 2;
        let len = be_i32(shx, 104 + 8 * k) as i64 * 2;
        if offset < 100 || len < 4 || offset + 8 + len > shp_len as i64 {
            return Err(Error::format(
                shx_path,
                format!(
                    "record {k} is indexed at byte {offset}, {len} bytes long, outside the \
                     .shp's {shp_len} bytes: the .shx does not belong to this .shp, or one of \
                     them is damaged"
                ),
            ));
        }
        places.push(((offset + 8) as usize, len as usize));
    }
    Ok(places)
}

/// The geometry of one record's content; `Ok(None)` for a null shape. `Err`: why the
/// record cannot be read.
pub(crate) fn geometry(content: &[u8]) -> std::result::Result<Option<Geometry<f64>>, String> {
    let need = |n: usize| -> std::result::Result<(), String> {
        if content.len() < n {
            Err(format!(
                "the record is {} bytes, too short for its shape ({n} bytes needed)",
                content.len()
            ))
        } else {
            Ok(())
        }
    };
    need(4)?;
    let kind = le_i32(content, 0);
    let point = |at: usize| Coord {
        x: le_f64(content, at),
        y: le_f64(content, at + 8),
    };
    match kind {
        0 => Ok(None),
        1 | 11 | 21 => {
            need(20)?;
            Ok(Some(Geometry::Point(Point(point(4)))))
        }
        8 | 18 | 28 => {
            need(40)?;
            let n = count(le_i32(content, 36), "points")?;
            need(40 + 16 * n)?;
            let points = (0..n).map(|i| Point(point(40 + 16 * i))).collect();
            Ok(Some(Geometry::MultiPoint(MultiPoint(points))))
        }
        3 | 13 | 23 | 5 | 15 | 25 => {
            need(44)?;
            let parts = count(le_i32(content, 36), "parts")?;
            let points = count(le_i32(content, 40), "points")?;
            need(44 + 4 * parts + 16 * points)?;
            let starts: Vec<usize> = (0..parts)
                .map(|i| le_i32(content, 44 + 4 * i))
                .map(|s| usize::try_from(s).unwrap_or(usize::MAX))
                .collect();
            let at = 44 + 4 * parts;
            let mut runs = Vec::with_capacity(parts);
            for (i, &start) in starts.iter().enumerate() {
                let end = starts.get(i + 1).copied().unwrap_or(points);
                if start > end || end > points {
                    return Err(format!(
                        "part {i} starts at point {start}, outside 0..{end} of the record's \
                         {points} points"
                    ));
                }
                let run: Vec<Coord<f64>> = (start..end).map(|j| point(at + 16 * j)).collect();
                runs.push(run);
            }
            if matches!(kind, 5 | 15 | 25) {
                Ok(Some(polygons(runs)?))
            } else {
                let mut lines: Vec<LineString<f64>> = runs.into_iter().map(LineString).collect();
                Ok(Some(if lines.len() == 1 {
                    Geometry::LineString(lines.remove(0))
                } else {
                    Geometry::MultiLineString(MultiLineString(lines))
                }))
            }
        }
        31 => Err("a MultiPatch is not read (points, lines and polygons are)".to_owned()),
        other => Err(format!("unknown shape type {other}")),
    }
}

/// A count from the file, refused when negative or beyond what any real record holds (a
/// hostile count must not size an allocation).
fn count(n: i32, what: &str) -> std::result::Result<usize, String> {
    const MAX: i32 = 1 << 28;
    if !(0..=MAX).contains(&n) {
        return Err(format!("the record says it has {n} {what}"));
    }
    Ok(n as usize)
}

/// Twice the signed area of a ring: negative when it runs clockwise.
fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    let o = ring[0];
    (1..n - 1)
        .map(|i| {
            let (a, b) = (ring[i] - o, ring[i + 1] - o);
            a.x * b.y - a.y * b.x
        })
        .sum()
}

/// The polygons of a Polygon record's rings. A Shapefile writes every ring of every part
/// in one list: outer rings clockwise, holes counter-clockwise, a hole anywhere after or
/// before its outer ring. Each hole goes to the smallest outer ring that contains it (as GDAL
/// assembles them); a counter-clockwise ring inside no outer ring is an outer ring of its
/// own (a writer that got the orientation wrong), as GDAL reads it too.
///
/// The rings come out as RFC 7946 orients them: outer counter-clockwise, holes clockwise.
fn polygons(rings: Vec<Vec<Coord<f64>>>) -> std::result::Result<Geometry<f64>, String> {
    let mut outers: Vec<(Polygon<f64>, f64)> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for (i, ring) in rings.into_iter().enumerate() {
        if ring.len() < 4 {
            return Err(format!(
                "ring {i} has {} position(s), a closed ring needs at least 4",
                ring.len()
            ));
        }
        if ring[0] != ring[ring.len() - 1] {
            return Err(format!(
                "ring {i} is not closed: it starts at ({}, {}) and ends at ({}, {})",
                ring[0].x,
                ring[0].y,
                ring[ring.len() - 1].x,
                ring[ring.len() - 1].y
            ));
        }
        // Each ring is turned to GeoJSON's orientation (outer counter-clockwise, holes
        // clockwise: RFC 7946), from the same first point: the same polygon, given the way
        // a GeoJSON export of it gives it, computes to the same last bit (a distance to a
        // segment depends on which end it starts from).
        let area = signed_area2(&ring);
        let mut ring = ring;
        if area != 0.0 {
            ring.reverse();
        }
        if area < 0.0 {
            outers.push((Polygon::new(LineString(ring), Vec::new()), -area));
        } else {
            holes.push(LineString(ring));
        }
    }
    let mut orphans = Vec::new();
    for hole in holes {
        let inside = |outer: &Polygon<f64>| {
            // A vertex of the hole strictly inside the outer ring (holes may touch their
            // outer ring at a vertex).
            hole.0.iter().any(|c| outer.contains(&Point(*c)))
        };
        let best = outers
            .iter()
            .enumerate()
            .filter(|(_, (outer, _))| inside(outer))
            .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .map(|(k, _)| k);
        match best {
            Some(k) => outers[k].0.interiors_push(hole),
            // An outer ring after all: counter-clockwise again.
            None => orphans.push(LineString(hole.0.into_iter().rev().collect())),
        }
    }
    let mut polygons: Vec<Polygon<f64>> = outers.into_iter().map(|(p, _)| p).collect();
    polygons.extend(orphans.into_iter().map(|r| Polygon::new(r, Vec::new())));
    match polygons.len() {
        0 => Err("the polygon has no rings".to_owned()),
        1 => Ok(Geometry::Polygon(polygons.remove(0))),
        _ => Ok(Geometry::MultiPolygon(MultiPolygon(polygons))),
    }
}

fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le_i32(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le_f64(b: &[u8], at: usize) -> f64 {
    let mut x = [0; 8];
    x.copy_from_slice(&b[at..at + 8]);
    f64::from_le_bytes(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> Vec<Coord<f64>> {
        points.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    /// A square from (x, y) of side s, clockwise (outer) or counter-clockwise (hole).
    fn square(x: f64, y: f64, s: f64, clockwise: bool) -> Vec<Coord<f64>> {
        let mut r = ring(&[(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]);
        if clockwise {
            r.reverse();
        }
        r
    }

    #[test]
    fn holes_go_to_the_outer_ring_that_holds_them_whatever_the_order() {
        // Two parts; the hole of the first is written after the second part.
        let rings = vec![
            square(0.0, 0.0, 10.0, true),
            square(20.0, 0.0, 10.0, true),
            square(2.0, 2.0, 2.0, false),
            square(22.0, 2.0, 2.0, false),
        ];
        let Geometry::MultiPolygon(mp) = polygons(rings).unwrap() else {
            panic!("two parts make a MultiPolygon")
        };
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].interiors()[0].0[0], Coord { x: 2.0, y: 2.0 });
        assert_eq!(mp.0[1].interiors()[0].0[0], Coord { x: 22.0, y: 2.0 });
    }

    #[test]
    fn an_island_in_a_hole_is_its_own_part() {
        // Outer 0..30, hole 5..25, island 10..20 inside the hole (clockwise: an outer ring).
        let rings = vec![
            square(0.0, 0.0, 30.0, true),
            square(5.0, 5.0, 20.0, false),
            square(10.0, 10.0, 10.0, true),
        ];
        let Geometry::MultiPolygon(mp) = polygons(rings).unwrap() else {
            panic!("an island makes a second part")
        };
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert!(mp.0[1].interiors().is_empty());
    }

    #[test]
    fn broken_records_are_errors_not_panics() {
        assert!(geometry(&[]).is_err());
        let mut poly = 5i32.to_le_bytes().to_vec();
        poly.extend([0u8; 32]);
        poly.extend(1i32.to_le_bytes());
        poly.extend(i32::MAX.to_le_bytes());
        assert!(geometry(&poly).unwrap_err().contains("points"));
        let mut poly = 5i32.to_le_bytes().to_vec();
        poly.extend([0u8; 32]);
        poly.extend(1i32.to_le_bytes());
        poly.extend(2i32.to_le_bytes());
        poly.extend(7i32.to_le_bytes());
        poly.extend([0u8; 32]);
        assert!(geometry(&poly).unwrap_err().contains("part 0"));
        assert!(geometry(&0i32.to_le_bytes()).unwrap().is_none());
    }
}
