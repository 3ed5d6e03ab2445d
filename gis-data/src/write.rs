//! Projection (EPSG:4547 <-> EPSG:4326) and the RFC 7946 GeoJSON writer.
//!
//! The writer is hand-rolled so that the bytes do not depend on serde_json's
//! feature flags (e.g. `preserve_order` changing key order): properties keep
//! the order given, one feature per line, coordinates with 7 decimals.

use crate::geom::{Pt, pt, signed_area2};
use proj4rs::proj::Proj;
use std::fmt::Write as _;

/// EPSG:4547, CGCS2000 / 3-degree Gauss–Kruger CM 114E (same string as crs-definitions).
pub const EPSG_4547: &str =
    "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs";
/// EPSG:4326, WGS 84 (same string as crs-definitions).
pub const EPSG_4326: &str = "+proj=longlat +datum=WGS84 +no_defs";

pub struct Projector {
    metric: Proj,
    geographic: Proj,
}

impl Default for Projector {
    fn default() -> Self {
        Self::new()
    }
}

impl Projector {
    pub fn new() -> Self {
        Projector {
            metric: Proj::from_proj_string(EPSG_4547).expect("EPSG:4547 proj string"),
            geographic: Proj::from_proj_string(EPSG_4326).expect("EPSG:4326 proj string"),
        }
    }

    /// Metres (EPSG:4547) to degrees (lon, lat).
    pub fn to_lonlat(&self, p: Pt) -> (f64, f64) {
        let mut c = (p.x, p.y, 0.0);
        proj4rs::transform::transform(&self.metric, &self.geographic, &mut c)
            .expect("inverse projection");
        (c.0.to_degrees(), c.1.to_degrees())
    }

    /// Degrees (lon, lat) to metres (EPSG:4547).
    pub fn to_metric(&self, lon: f64, lat: f64) -> Pt {
        let mut c = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(&self.geographic, &self.metric, &mut c)
            .expect("forward projection");
        pt(c.0, c.1)
    }

    /// A vertex as written: lon/lat formatted with 7 decimals.
    pub fn fmt(&self, p: Pt) -> (String, String) {
        let (lon, lat) = self.to_lonlat(p);
        (format!("{lon:.7}"), format!("{lat:.7}"))
    }

    /// The ring as a reader of the file sees it, back in metres: projected,
    /// rounded to 7 decimals, projected back. Areas written into attributes
    /// are computed on this so that they match what a reader recomputes.
    pub fn as_read(&self, ring: &[Pt]) -> Vec<Pt> {
        ring.iter()
            .map(|&p| {
                let (lon, lat) = self.fmt(p);
                self.to_metric(lon.parse().unwrap(), lat.parse().unwrap())
            })
            .collect()
    }

    /// Area in hectares of a polygon as written.
    pub fn hectares(&self, ring: &[Pt]) -> f64 {
        signed_area2(&self.as_read(ring)).abs() / 2.0 / 1e4
    }
}

#[derive(Clone, Debug)]
pub enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A number written with two decimals.
    Fixed2(f64),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Str(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Str(s)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}

#[derive(Clone, Debug)]
pub enum Geom {
    Point(Pt),
    Line(Vec<Pt>),
    /// One exterior ring, open (not repeating the first vertex), CCW.
    Polygon(Vec<Pt>),
}

#[derive(Clone, Debug)]
pub struct Feature {
    pub props: Vec<(&'static str, Val)>,
    pub geom: Geom,
}

/// Serialise a layer as a GeoJSON FeatureCollection, one feature per line.
pub fn layer_to_geojson(proj: &Projector, features: &[Feature]) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        s.push_str("{\"type\":\"Feature\",\"properties\":{");
        for (j, (k, v)) in f.props.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            s.push_str(&serde_json::to_string(k).unwrap());
            s.push(':');
            match v {
                Val::Str(x) => s.push_str(&serde_json::to_string(x).unwrap()),
                Val::Int(x) => write!(s, "{x}").unwrap(),
                Val::Bool(x) => write!(s, "{x}").unwrap(),
                Val::Fixed2(x) => write!(s, "{x:.2}").unwrap(),
            }
        }
        s.push_str("},\"geometry\":");
        match &f.geom {
            Geom::Point(p) => {
                s.push_str("{\"type\":\"Point\",\"coordinates\":");
                push_coords(&mut s, proj, std::slice::from_ref(p), false, false);
            }
            Geom::Line(l) => {
                s.push_str("{\"type\":\"LineString\",\"coordinates\":");
                push_coords(&mut s, proj, l, true, false);
            }
            Geom::Polygon(r) => {
                debug_assert!(signed_area2(r) > 0.0, "exterior rings are CCW");
                s.push_str("{\"type\":\"Polygon\",\"coordinates\":[");
                push_coords(&mut s, proj, r, true, true);
                s.push(']');
            }
        }
        s.push_str("}}");
        if i + 1 < features.len() {
            s.push(',');
        }
        s.push('\n');
    }
    s.push_str("]}\n");
    s
}

fn push_coords(s: &mut String, proj: &Projector, pts: &[Pt], list: bool, close: bool) {
    let mut v: Vec<(String, String)> = pts.iter().map(|&p| proj.fmt(p)).collect();
    v.dedup();
    if close {
        while v.len() > 1 && v.first() == v.last() {
            v.pop();
        }
        v.push(v[0].clone());
    }
    if list {
        s.push('[');
    }
    for (i, (x, y)) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        write!(s, "[{x},{y}]").unwrap();
    }
    if list {
        s.push(']');
    }
}

/// An Excel workbook (sheet 花名册) with the `key` and `columns` of `features`, one row per
/// feature: a village roster as a county office keeps one. Codes that are all digits are
/// written as numbers (what Excel makes of a typed-in code), numbers as numbers, flags as
/// booleans, text as text. The workbook's creation time is fixed, so the bytes are the same
/// on every run.
pub fn roster_xlsx(features: &[Feature], key: &str, columns: &[&str]) -> Vec<u8> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 6, 1).expect("a valid date");
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("花名册").expect("a valid sheet name");
    let names: Vec<&str> = std::iter::once(key)
        .chain(columns.iter().copied())
        .collect();
    for (c, name) in names.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *name)
            .expect("in the sheet");
    }
    for (r, f) in features.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, name) in names.iter().enumerate() {
            let Some((_, value)) = f.props.iter().find(|(k, _)| k == name) else {
                continue;
            };
            let col = c as u16;
            let written = match value {
                Val::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    sheet.write_number(row, col, s.parse::<f64>().expect("digits"))
                }
                Val::Str(s) => sheet.write_string(row, col, s),
                Val::Int(i) => sheet.write_number(row, col, *i as f64),
                Val::Bool(b) => sheet.write_boolean(row, col, *b),
                Val::Fixed2(x) => sheet.write_number(row, col, *x),
            };
            written.expect("in the sheet");
        }
    }
    book.save_to_buffer().expect("an in-memory workbook")
}
