//! Writing GeoJSON geometries, as text appended to a feature being written.

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};

use crate::error::Result;
use crate::model::crs::{Crs, CrsEngine, Transformer};

/// Decimals of computed lon/lat coordinates: 7 (about 1 cm), as GDAL's RFC 7946 writer.
pub(crate) const COMPUTED_SCALE: f64 = 1e7;

/// Writes geometries of a layer in `crs` as RFC 7946 GeoJSON wants them, in WGS 84: a layer
/// already in WGS 84 exactly as read, any other transformed and rounded to 7 decimals (a
/// Shapefile in a Gauss–Krüger zone written as metres would land in the Gulf of Guinea).
pub(crate) struct Wgs84Writer {
    to_wgs84: Transformer,
}

impl Wgs84Writer {
    pub(crate) fn new(crs: Crs, engine: CrsEngine) -> Result<Wgs84Writer> {
        Ok(Wgs84Writer {
            to_wgs84: Transformer::new(crs, Crs::WGS84, engine)?,
        })
    }

    /// Appends `g` to `s`.
    pub(crate) fn write(&self, s: &mut String, g: &Geometry<f64>) -> Result<()> {
        if self.to_wgs84.is_identity() {
            write_geometry(s, g, None);
        } else {
            let mut g = g.clone();
            self.to_wgs84.transform(&mut g)?;
            write_geometry(s, &g, Some(COMPUTED_SCALE));
        }
        Ok(())
    }
}

/// Writes a geometry as GeoJSON; `scale` rounds computed coordinates (1e7: about 1 cm in degrees).
pub fn write_geometry(s: &mut String, g: &Geometry<f64>, scale: Option<f64>) {
    let num = |s: &mut String, v: f64| {
        let v = match scale {
            Some(k) => (v * k).round() / k,
            None => v,
        };
        s.push_str(ryu::Buffer::new().format(v).trim_end_matches(".0"));
    };
    let coord = |s: &mut String, c: &Coord<f64>| {
        s.push('[');
        num(s, c.x);
        s.push(',');
        num(s, c.y);
        s.push(']');
    };
    let line = |s: &mut String, l: &LineString<f64>| {
        s.push('[');
        for (i, c) in l.0.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            coord(s, c);
        }
        s.push(']');
    };
    // RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise. A Shapefile's
    // rings come the other way round (and GeoJSON inputs either way): a ring the wrong way
    // is written backwards, from the same first point.
    let ring = |s: &mut String, r: &LineString<f64>, counter_clockwise: bool| {
        let area = twice_signed_area(r);
        if area != 0.0 && (area > 0.0) != counter_clockwise {
            line(s, &LineString(r.0.iter().rev().copied().collect()));
        } else {
            line(s, r);
        }
    };
    let polygon = |s: &mut String, p: &Polygon<f64>| {
        s.push('[');
        ring(s, p.exterior(), true);
        for r in p.interiors() {
            s.push(',');
            ring(s, r, false);
        }
        s.push(']');
    };
    let multi = |s: &mut String, mp: &MultiPolygon<f64>| {
        s.push('[');
        for (i, p) in mp.0.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            polygon(s, p);
        }
        s.push(']');
    };
    match g {
        Geometry::Point(p) => {
            s.push_str("{\"type\":\"Point\",\"coordinates\":");
            coord(s, &p.0);
        }
        Geometry::LineString(l) => {
            s.push_str("{\"type\":\"LineString\",\"coordinates\":");
            line(s, l);
        }
        Geometry::Polygon(p) => {
            s.push_str("{\"type\":\"Polygon\",\"coordinates\":");
            polygon(s, p);
        }
        Geometry::MultiPolygon(mp) => {
            s.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":");
            multi(s, mp);
        }
        Geometry::MultiLineString(ml) => {
            s.push_str("{\"type\":\"MultiLineString\",\"coordinates\":[");
            for (i, l) in ml.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                line(s, l);
            }
            s.push(']');
        }
        Geometry::MultiPoint(mp) => {
            s.push_str("{\"type\":\"MultiPoint\",\"coordinates\":[");
            for (i, p) in mp.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                coord(s, &p.0);
            }
            s.push(']');
        }
        Geometry::GeometryCollection(gc) => {
            s.push_str("{\"type\":\"GeometryCollection\",\"geometries\":[");
            for (i, g) in gc.0.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                write_geometry(s, g, scale);
            }
            s.push_str("]}");
            return;
        }
        _ => s.push_str("{\"type\":\"GeometryCollection\",\"geometries\":[]"),
    }
    s.push('}');
}

/// Twice the ring's signed area (shoelace, about its first point for precision): positive
/// when the ring runs counter-clockwise; 0 for a degenerate ring, which is written as it is.
fn twice_signed_area(r: &LineString<f64>) -> f64 {
    let Some(o) = r.0.first() else {
        return 0.0;
    };
    r.0.windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum()
}

#[cfg(test)]
mod tests {
    use geo::{LineString, Polygon};

    use super::*;

    fn written(g: Geometry<f64>) -> String {
        let mut s = String::new();
        write_geometry(&mut s, &g, None);
        s
    }

    #[test]
    fn rings_are_written_as_rfc_7946_orients_them() {
        let cw = LineString::from(vec![(0., 0.), (0., 4.), (4., 4.), (4., 0.), (0., 0.)]);
        let ccw_hole = LineString::from(vec![(1., 1.), (2., 1.), (2., 2.), (1., 2.), (1., 1.)]);
        let text = written(Polygon::new(cw.clone(), vec![ccw_hole.clone()]).into());
        assert_eq!(
            text,
            "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,4],[0,0]],\
             [[1,1],[1,2],[2,2],[2,1],[1,1]]]}"
        );
        // Already as the RFC wants: unchanged.
        let ccw = LineString(cw.0.iter().rev().copied().collect());
        let cw_hole = LineString(ccw_hole.0.iter().rev().copied().collect());
        let same = written(Polygon::new(ccw, vec![cw_hole]).into());
        assert_eq!(text, same);
        // A degenerate ring has no orientation: written as given.
        let flat = LineString::from(vec![(0., 0.), (1., 1.), (0., 0.)]);
        let text = written(Polygon::new(flat, vec![]).into());
        assert!(text.contains("[[0,0],[1,1],[0,0]]"), "{text}");
    }
}
