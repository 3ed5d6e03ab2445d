//! The demo layers as a county office keeps them: Shapefiles with attributes in GBK (and a
//! `.cpg` saying so), field names cut to the format's 10 bytes, coordinates in CGCS2000 /
//! 3-degree Gauss–Krüger CM 114E (EPSG:4547) with ArcGIS's `.prj`.
//!
//! Written from the GeoJSON layer as hecun reads it (`parse_geojson`: the 7-decimal
//! coordinates a reader sees), projected with hecun's own `Transformer` (the builtin engine,
//! as a run of the GeoJSON demo projects it), so that a plan over the Shapefiles and the
//! GeoJSON plan compute on the same coordinates.

use std::path::Path;

use geo::{Coord, Geometry, LineString, Polygon};
use hecun::{Crs, CrsEngine, ReadOptions, Transformer, parse_geojson};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// ArcGIS's `.prj` for EPSG:4547, as GDAL writes it.
pub const PRJ_4547: &str = r#"PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

/// The files of one Shapefile layer.
pub struct ShapefileSet {
    pub shp: Vec<u8>,
    pub shx: Vec<u8>,
    pub dbf: Vec<u8>,
}

/// A DBF field: its name's bytes (GBK, at most 10), type, width and decimals.
struct Field {
    key: String,
    name: Vec<u8>,
    kind: u8,
    width: usize,
    decimals: usize,
}

/// The properties of a feature in the order the file has them (serde_json's `Map` sorts).
fn ordered(raw: &str) -> Vec<(String, Value)> {
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = Vec<(String, Value)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry()? {
                out.push((k, v));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw);
    de.deserialize_map(Ordered)
        .expect("properties are a JSON object")
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy, "{text:?} has no GBK encoding");
    bytes.into_owned()
}

/// A name cut to 10 bytes of GBK at a character boundary, as ArcGIS cuts it.
fn field_name(key: &str) -> Vec<u8> {
    let mut name = Vec::new();
    for c in key.chars() {
        let b = gbk(&c.to_string());
        if name.len() + b.len() > 10 {
            break;
        }
        name.extend(b);
    }
    name
}

/// A number as the DBF writes it: the shortest text that reads back as the same double.
fn number_text(v: &Value) -> String {
    match (v.as_i64(), v.as_f64()) {
        (Some(i), _) => i.to_string(),
        (None, Some(x)) => format!("{x}"),
        _ => unreachable!("a number"),
    }
}

/// A number with `decimals` digits after the point, as dBASE writes a numeric field (the
/// digits are those of the shortest text, padded: the same double reads back).
fn fixed(v: &Value, decimals: usize) -> String {
    match (decimals, v.as_f64()) {
        (0, _) => number_text(v),
        (d, Some(x)) => format!("{x:.d$}"),
        _ => unreachable!("a number"),
    }
}

fn fields(rows: &[Vec<(String, Value)>]) -> Vec<Field> {
    let keys: Vec<String> = rows[0].iter().map(|(k, _)| k.clone()).collect();
    keys.iter()
        .map(|key| {
            let values: Vec<&Value> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v)
                        .expect("every feature has the layer's fields")
                })
                .filter(|v| !v.is_null())
                .collect();
            let (kind, width, decimals) = if values.iter().all(|v| v.is_boolean()) {
                (b'L', 1, 0)
            } else if values.iter().all(|v| v.is_number()) {
                let texts: Vec<String> = values.iter().map(|v| number_text(v)).collect();
                let decimals = texts
                    .iter()
                    .map(|t| t.split_once('.').map_or(0, |(_, d)| d.len()))
                    .max()
                    .unwrap_or(0);
                let width = values
                    .iter()
                    .map(|v| fixed(v, decimals).len())
                    .max()
                    .unwrap_or(1)
                    .max(1);
                (b'N', width + 1, decimals)
            } else if values.iter().all(|v| v.is_string()) {
                let width = values
                    .iter()
                    .map(|v| gbk(v.as_str().unwrap_or("")).len())
                    .max()
                    .unwrap_or(1)
                    .clamp(1, 254);
                (b'C', width, 0)
            } else {
                panic!("field {key:?} mixes types")
            };
            Field {
                key: key.clone(),
                name: field_name(key),
                kind,
                width,
                decimals,
            }
        })
        .collect()
}

fn dbf(rows: &[Vec<(String, Value)>]) -> Vec<u8> {
    let fields = fields(rows);
    let header_len = 32 + 32 * fields.len() + 1;
    let record_len = 1 + fields.iter().map(|f| f.width).sum::<usize>();
    let mut out = Vec::with_capacity(header_len + rows.len() * record_len + 1);
    // dBASE III without memo; a fixed date (2024-06-01) so that the bytes do not change.
    out.extend([0x03, 124, 6, 1]);
    out.extend((rows.len() as u32).to_le_bytes());
    out.extend((header_len as u16).to_le_bytes());
    out.extend((record_len as u16).to_le_bytes());
    out.extend([0; 20]);
    for f in &fields {
        let mut d = [0u8; 32];
        d[..f.name.len()].copy_from_slice(&f.name);
        d[11] = f.kind;
        d[16] = f.width as u8;
        d[17] = f.decimals as u8;
        out.extend(d);
    }
    out.push(0x0D);
    for row in rows {
        out.push(b' ');
        for f in &fields {
            let v = &row.iter().find(|(k, _)| *k == f.key).expect("field").1;
            let mut cell = match (f.kind, v) {
                (_, Value::Null) if f.kind == b'L' => b"?".to_vec(),
                (_, Value::Null) => vec![b' '; f.width],
                (b'L', Value::Bool(b)) => vec![if *b { b'T' } else { b'F' }],
                (b'N', v) => {
                    let t = fixed(v, f.decimals);
                    let mut cell = vec![b' '; f.width - t.len()];
                    cell.extend(t.bytes());
                    cell
                }
                (_, Value::String(s)) => gbk(s),
                _ => unreachable!("typed above"),
            };
            cell.resize(f.width, b' ');
            out.extend(cell);
        }
    }
    out.push(0x1A);
    out
}

/// Twice the signed area: positive counter-clockwise.
fn area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

/// A ring's points in the orientation a Shapefile wants (outer clockwise, holes not).
fn oriented(ring: &LineString<f64>, clockwise: bool) -> Vec<Coord<f64>> {
    let mut points = ring.0.clone();
    if (area2(&points) < 0.0) != clockwise {
        points.reverse();
    }
    points
}

/// The shape type and parts of a geometry.
fn parts(g: &Geometry<f64>) -> (i32, Vec<Vec<Coord<f64>>>) {
    let polygon = |p: &Polygon<f64>, out: &mut Vec<Vec<Coord<f64>>>| {
        out.push(oriented(p.exterior(), true));
        out.extend(p.interiors().iter().map(|r| oriented(r, false)));
    };
    match g {
        Geometry::Polygon(p) => {
            let mut out = Vec::new();
            polygon(p, &mut out);
            (5, out)
        }
        Geometry::MultiPolygon(m) => {
            let mut out = Vec::new();
            m.0.iter().for_each(|p| polygon(p, &mut out));
            (5, out)
        }
        Geometry::LineString(l) => (3, vec![l.0.clone()]),
        Geometry::MultiLineString(m) => (3, m.0.iter().map(|l| l.0.clone()).collect()),
        Geometry::Point(p) => (1, vec![vec![p.0]]),
        other => panic!("the demo writes no {other:?}"),
    }
}

fn bbox(points: impl Iterator<Item = Coord<f64>>) -> [f64; 4] {
    points.fold(
        [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
        |[a, b, c, d], p| [a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)],
    )
}

fn header(shape_type: i32, file_len: usize, bbox: [f64; 4]) -> Vec<u8> {
    let mut h = Vec::with_capacity(100);
    h.extend(9994i32.to_be_bytes());
    h.extend([0; 20]);
    h.extend(((file_len / 2) as i32).to_be_bytes());
    h.extend(1000i32.to_le_bytes());
    h.extend(shape_type.to_le_bytes());
    for x in bbox {
        h.extend(x.to_le_bytes());
    }
    h.extend([0; 32]);
    h
}

/// A GeoJSON layer (the generator's text) as a GBK Shapefile in EPSG:4547.
pub fn layer_to_shapefile(name: &str, geojson: &str) -> ShapefileSet {
    let read = parse_geojson(Path::new(name), geojson.as_bytes(), &ReadOptions::default())
        .expect("the generator's GeoJSON reads");
    let to_4547 = Transformer::new(
        Crs::WGS84,
        Crs::from_epsg(4547).expect("EPSG:4547"),
        CrsEngine::Builtin,
    )
    .expect("EPSG:4326 to EPSG:4547");
    let mut rows = Vec::new();
    let mut shapes = Vec::new();
    for f in &read.layer.features {
        let mut g = f.geometry.clone();
        to_4547.transform(&mut g).expect("projects");
        shapes.push(parts(&g));
        rows.push(ordered(f.properties.raw()));
    }
    let shape_type = shapes[0].0;
    let all = bbox(shapes.iter().flat_map(|(_, p)| p.iter().flatten().copied()));
    let mut body = Vec::new();
    let mut index = Vec::new();
    for (k, (kind, parts)) in shapes.iter().enumerate() {
        assert_eq!(*kind, shape_type, "{name}: one shape type per layer");
        let mut content = Vec::new();
        content.extend(kind.to_le_bytes());
        if *kind == 1 {
            content.extend(parts[0][0].x.to_le_bytes());
            content.extend(parts[0][0].y.to_le_bytes());
        } else {
            for x in bbox(parts.iter().flatten().copied()) {
                content.extend(x.to_le_bytes());
            }
            content.extend((parts.len() as i32).to_le_bytes());
            let n: usize = parts.iter().map(Vec::len).sum();
            content.extend((n as i32).to_le_bytes());
            let mut start = 0i32;
            for p in parts {
                content.extend(start.to_le_bytes());
                start += p.len() as i32;
            }
            for c in parts.iter().flatten() {
                content.extend(c.x.to_le_bytes());
                content.extend(c.y.to_le_bytes());
            }
        }
        index.push((100 + body.len(), content.len()));
        body.extend(((k + 1) as i32).to_be_bytes());
        body.extend(((content.len() / 2) as i32).to_be_bytes());
        body.extend(content);
    }
    let mut shp = header(shape_type, 100 + body.len(), all);
    shp.extend(body);
    let mut shx = header(shape_type, 100 + 8 * index.len(), all);
    for (offset, len) in index {
        shx.extend(((offset / 2) as i32).to_be_bytes());
        shx.extend(((len / 2) as i32).to_be_bytes());
    }
    ShapefileSet {
        shp,
        shx,
        dbf: dbf(&rows),
    }
}
