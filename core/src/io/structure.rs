//! The structure check of every feature read: closed rings, enough positions, and
//! coordinates in range for the layer's CRS (with a hint when they look swapped or projected).

use geo::{Coord, Geometry, LineString, Polygon};

use crate::geometry::validate::{check_ring, number};
use crate::model::crs::Crs;

/// Checks rings are closed and long enough, lines have two positions, and lon/lat are in range.
pub fn check_structure(geometry: &Geometry<f64>, crs: Crs) -> Result<(), String> {
    let geographic = crs.is_geographic();
    let in_range = |c: &Coord<f64>| -> Result<(), String> {
        if !geographic {
            return match crs.projected_range_problem(*c) {
                None => Ok(()),
                Some(problem) => Err(format!(
                    "{problem}; if the data is longitude/latitude, read it as EPSG:4326 \
                     (--input-crs, or [crs] input in the plan, or the file's \"crs\" member)"
                )),
            };
        }
        if c.x.abs() <= 180.0 && c.y.abs() <= 90.0 {
            return Ok(());
        }
        let hint = if !c.x.is_finite() || !c.y.is_finite() {
            String::new()
        } else if c.x.abs() <= 90.0 && c.y.abs() <= 180.0 {
            "; longitude and latitude look swapped: GeoJSON positions are [longitude, latitude]"
                .to_owned()
        } else {
            match Crs::guess_projected(c.x, c.y) {
                Some(guess) => format!("; the data looks projected: try --input-crs {guess}"),
                None => "; if the data is projected, name its CRS with --input-crs".to_owned(),
            }
        };
        Err(format!(
            "coordinate ({}, {}) is out of longitude/latitude range for {crs}{hint}",
            number(c.x),
            number(c.y)
        ))
    };
    let check_line = |l: &LineString<f64>, what: &str| -> Result<(), String> {
        if l.0.len() < 2 {
            return Err(format!(
                "{what} has {} position(s), needs at least 2",
                l.0.len()
            ));
        }
        l.0.iter().try_for_each(in_range)
    };
    let check_polygon = |p: &Polygon<f64>| -> Result<(), String> {
        for (i, ring) in std::iter::once(p.exterior())
            .chain(p.interiors())
            .enumerate()
        {
            check_ring(ring, i)?;
            ring.0.iter().try_for_each(in_range)?;
        }
        Ok(())
    };
    match geometry {
        Geometry::Point(p) => in_range(&p.0),
        Geometry::MultiPoint(mp) => mp.0.iter().try_for_each(|p| in_range(&p.0)),
        Geometry::LineString(l) => check_line(l, "the line"),
        Geometry::MultiLineString(ml) => ml.0.iter().try_for_each(|l| check_line(l, "a line")),
        Geometry::Polygon(p) => check_polygon(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().try_for_each(check_polygon),
        Geometry::GeometryCollection(gc) => gc.0.iter().try_for_each(|g| check_structure(g, crs)),
        other => Err(format!("unsupported geometry {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projected_coordinates_read_as_degrees_are_named() {
        let projected = Geometry::Point(geo::Point::new(465_000.0, 3_850_000.0));
        let msg = check_structure(&projected, Crs::WGS84).unwrap_err();
        assert!(msg.contains("--input-crs") && msg.contains("4547"), "{msg}");
        assert!(check_structure(&projected, "EPSG:4547".parse().unwrap()).is_ok());
    }
}
