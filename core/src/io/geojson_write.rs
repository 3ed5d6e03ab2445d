//! Writing GeoJSON geometries, as text appended to a feature being written.

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};

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
    let polygon = |s: &mut String, p: &Polygon<f64>| {
        s.push('[');
        line(s, p.exterior());
        for r in p.interiors() {
            s.push(',');
            line(s, r);
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
