//! Writing a run's layers as Shapefiles for offices whose software reads nothing else:
//! `shapefile/NAME.shp` with `.shx`, `.dbf` (text in GBK, or GB18030 / UTF-8), `.prj`
//! (EPSG:4326 in Esri WKT, as GDAL writes it) and `.cpg` naming the encoding, and
//! `shapefile/fields.csv` mapping each GeoJSON property to its DBF field.
//!
//! Each Shapefile is made from its GeoJSON output's bytes as written into the output folder,
//! so that the two can never disagree. The DBF limits (10-byte field names, 254-byte text) are
//! met as GDAL meets them for names (cut, then `_1`, `_2`… for a name taken) and refused for
//! values: a text that does not fit, or a character the encoding lacks, is an error naming
//! the file, the feature and the field, never a value cut or replaced in silence.

use std::collections::HashSet;
use std::fmt::Write as _;

use encoding_rs::Encoding;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::io::OutputDir;

/// The folder of the Shapefiles in the output folder.
pub const SHAPEFILE_DIR: &str = "shapefile";

/// EPSG:4326 in Esri WKT, byte for byte as GDAL's Shapefile driver writes it.
const WGS84_PRJ: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

/// The longest text a DBF character field holds, in bytes.
const MAX_TEXT: usize = 254;

/// The encoding `--shapefile` names: GBK (`936`), GB18030 (`54936`) or UTF-8 (`65001`).
pub fn shapefile_encoding(name: &str) -> std::result::Result<&'static Encoding, String> {
    let e = super::encoding_named(name)?;
    if [encoding_rs::GBK, encoding_rs::GB18030, encoding_rs::UTF_8].contains(&e) {
        Ok(e)
    } else {
        Err(format!(
            "Shapefiles are written in GBK, GB18030 or UTF-8, not {}",
            e.name()
        ))
    }
}

/// Writes each GeoJSON file of `geojson` (already written into `out`) as a Shapefile set in
/// [`SHAPEFILE_DIR`] with text in `encoding`, and `fields.csv`; returns the names written.
pub fn write_shapefiles(
    out: &OutputDir,
    geojson: &[String],
    encoding: &'static Encoding,
) -> Result<Vec<String>> {
    let mut names = Vec::new();
    let mut mapping = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let csv_err = |e: csv::Error| Error::config("shapefile/fields.csv", e.to_string());
    mapping
        .write_record(["layer", "property", "field", "type", "width", "decimals"])
        .map_err(csv_err)?;
    for file in geojson {
        let stem = file.strip_suffix(".geojson").unwrap_or(file);
        let bytes = out.read_back(file)?;
        let set = shapefile_of(file, &bytes, encoding)?;
        for f in &set.fields {
            mapping
                .write_record([
                    stem,
                    f.property.as_str(),
                    &f.name,
                    &(f.kind as char).to_string(),
                    &f.width.to_string(),
                    &f.decimals.to_string(),
                ])
                .map_err(csv_err)?;
        }
        for (ext, bytes) in [
            ("shp", set.shp),
            ("shx", set.shx),
            ("dbf", set.dbf),
            ("prj", WGS84_PRJ.as_bytes().to_vec()),
            ("cpg", encoding.name().as_bytes().to_vec()),
        ] {
            let name = format!("{SHAPEFILE_DIR}/{stem}.{ext}");
            out.write(&name, &bytes)?;
            names.push(name);
        }
    }
    let name = format!("{SHAPEFILE_DIR}/fields.csv");
    let bytes = mapping
        .into_inner()
        .map_err(|e| Error::config(&name, e.to_string()))?;
    out.write(&name, &bytes)?;
    names.push(name);
    Ok(names)
}

/// One DBF field.
#[derive(Debug)]
struct Field {
    /// The GeoJSON property it holds.
    property: String,
    /// Its DBF name, at most 10 bytes in the encoding.
    name: String,
    name_bytes: Vec<u8>,
    /// `C` text, `N` number, `L` logical.
    kind: u8,
    width: usize,
    decimals: usize,
}

/// The three files of one layer.
struct ShapefileSet {
    shp: Vec<u8>,
    shx: Vec<u8>,
    dbf: Vec<u8>,
    fields: Vec<Field>,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<JsonFeature>,
}

#[derive(Deserialize)]
struct JsonFeature {
    #[serde(default)]
    properties: Option<Ordered>,
    #[serde(default)]
    geometry: Option<Value>,
}

/// A JSON object's members in the order written (serde_json's map sorts them), so that the
/// DBF's fields come in the GeoJSON's order.
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    v.push(entry);
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A shape: its parts (rings or lines, or the points as one part) as read.
#[derive(Debug, Default)]
struct Shape {
    parts: Vec<Vec<[f64; 2]>>,
}

/// The Shapefile set of GeoJSON output `file` (its `bytes`).
fn shapefile_of(file: &str, bytes: &[u8], encoding: &'static Encoding) -> Result<ShapefileSet> {
    let at = |k: usize, why: String| Error::config(file, format!("feature {k}: {why}"));
    let collection: Collection =
        serde_json::from_slice(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|e| Error::config(file, e.to_string()))?;
    // The shapes, and the layer's shape type: one per Shapefile.
    let mut shape_type = 0u32;
    let mut shapes = Vec::with_capacity(collection.features.len());
    for (k, f) in collection.features.iter().enumerate() {
        let (kind, shape) = match &f.geometry {
            None | Some(Value::Null) => (0, None),
            Some(g) => {
                let (kind, shape) = shape_of(g).map_err(|why| at(k, why))?;
                (kind, Some(shape))
            }
        };
        if kind != 0 {
            // A point among multipoints is a multipoint of one.
            let merged = match (shape_type, kind) {
                (0, k) => k,
                (a, b) if a == b => a,
                (1, 8) | (8, 1) => 8,
                (a, b) => {
                    return Err(at(
                        k,
                        format!(
                            "a {} among {}s: a Shapefile holds one kind of shape",
                            type_name(b),
                            type_name(a)
                        ),
                    ));
                }
            };
            shape_type = merged;
        }
        shapes.push(shape);
    }
    let (shp, shx) = shp_bytes(shape_type, &shapes);
    let (dbf, fields) = dbf_bytes(file, &collection.features, encoding)?;
    Ok(ShapefileSet {
        shp,
        shx,
        dbf,
        fields,
    })
}

fn type_name(t: u32) -> &'static str {
    match t {
        1 => "point",
        8 => "multipoint",
        3 => "line",
        5 => "polygon",
        _ => "shape",
    }
}

/// A GeoJSON geometry as a Shapefile shape: its type (1 point, 8 multipoint, 3 polyline,
/// 5 polygon) and parts, the polygons' outer rings clockwise and holes counterclockwise (the
/// Shapefile's rule; GeoJSON's is the opposite).
fn shape_of(g: &Value) -> std::result::Result<(u32, Shape), String> {
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g
        .get("coordinates")
        .ok_or_else(|| format!("a {kind} geometry without coordinates"))?;
    let pos = |v: &Value| -> std::result::Result<[f64; 2], String> {
        match v.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => Ok([x, y]),
                _ => Err(format!("a position that is not two numbers: {v}")),
            },
            _ => Err(format!("a position that is not two numbers: {v}")),
        }
    };
    let list = |v: &Value| -> std::result::Result<Vec<[f64; 2]>, String> {
        v.as_array()
            .ok_or_else(|| format!("not a list of positions: {v:.80}"))?
            .iter()
            .map(pos)
            .collect()
    };
    let array = |v: &'_ Value| -> std::result::Result<Vec<Value>, String> {
        v.as_array()
            .cloned()
            .ok_or_else(|| format!("not a list: {v:.80}"))
    };
    let polygon =
        |rings: &Value, parts: &mut Vec<Vec<[f64; 2]>>| -> std::result::Result<(), String> {
            for (i, ring) in array(rings)?.iter().enumerate() {
                let mut ring = list(ring)?;
                // Outer ring clockwise (negative area), holes counterclockwise.
                let clockwise = signed_area(&ring) < 0.0;
                if clockwise != (i == 0) {
                    ring.reverse();
                }
                parts.push(ring);
            }
            Ok(())
        };
    let mut shape = Shape::default();
    let t = match kind {
        "Point" => {
            shape.parts.push(vec![pos(coords)?]);
            1
        }
        "MultiPoint" => {
            shape.parts.push(list(coords)?);
            8
        }
        "LineString" => {
            shape.parts.push(list(coords)?);
            3
        }
        "MultiLineString" => {
            for line in array(coords)? {
                shape.parts.push(list(&line)?);
            }
            3
        }
        "Polygon" => {
            polygon(coords, &mut shape.parts)?;
            5
        }
        "MultiPolygon" => {
            for p in array(coords)? {
                polygon(&p, &mut shape.parts)?;
            }
            5
        }
        other => return Err(format!("a {other:?} geometry has no Shapefile shape")),
    };
    Ok((t, shape))
}

/// Twice the ring's signed area (shoelace): positive counterclockwise.
fn signed_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum()
}

fn bbox<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> Option<[f64; 4]> {
    points.fold(None, |b, p| {
        Some(match b {
            None => [p[0], p[1], p[0], p[1]],
            Some([a, b, c, d]) => [a.min(p[0]), b.min(p[1]), c.max(p[0]), d.max(p[1])],
        })
    })
}

/// The `.shp` and `.shx` of `shapes` (`None`: a null shape) of type `shape_type`.
fn shp_bytes(shape_type: u32, shapes: &[Option<Shape>]) -> (Vec<u8>, Vec<u8>) {
    let mut records = Vec::new();
    let mut index = Vec::new();
    let mut offset = 50u32; // in 16-bit words, after the 100-byte header
    for (k, shape) in shapes.iter().enumerate() {
        let mut c = Vec::new();
        match shape {
            None => c.extend(0u32.to_le_bytes()),
            Some(s) => {
                c.extend(shape_type.to_le_bytes());
                let points = s.parts.iter().flatten();
                match shape_type {
                    1 => {
                        let p = s.parts[0][0];
                        c.extend(p[0].to_le_bytes());
                        c.extend(p[1].to_le_bytes());
                    }
                    _ => {
                        let b = bbox(points.clone()).unwrap_or([0.0; 4]);
                        for v in b {
                            c.extend(v.to_le_bytes());
                        }
                        let n = s.parts.iter().map(Vec::len).sum::<usize>() as u32;
                        if shape_type == 8 {
                            c.extend(n.to_le_bytes());
                        } else {
                            c.extend((s.parts.len() as u32).to_le_bytes());
                            c.extend(n.to_le_bytes());
                            let mut start = 0u32;
                            for part in &s.parts {
                                c.extend(start.to_le_bytes());
                                start += part.len() as u32;
                            }
                        }
                        for p in points {
                            c.extend(p[0].to_le_bytes());
                            c.extend(p[1].to_le_bytes());
                        }
                    }
                }
            }
        }
        let words = (c.len() / 2) as u32;
        records.extend((k as u32 + 1).to_be_bytes());
        records.extend(words.to_be_bytes());
        records.extend(c);
        index.extend(offset.to_be_bytes());
        index.extend(words.to_be_bytes());
        offset += 4 + words;
    }
    let b = bbox(
        shapes
            .iter()
            .flatten()
            .flat_map(|s| s.parts.iter().flatten()),
    )
    .unwrap_or([0.0; 4]);
    let header = |words: u32| {
        let mut h = Vec::with_capacity(100);
        h.extend(9994u32.to_be_bytes());
        h.extend([0u8; 20]);
        h.extend(words.to_be_bytes());
        h.extend(1000u32.to_le_bytes());
        h.extend(shape_type.to_le_bytes());
        for v in b {
            h.extend(v.to_le_bytes());
        }
        h.extend([0u8; 32]);
        h
    };
    let mut shp = header(50 + (records.len() / 2) as u32);
    shp.extend(records);
    let mut shx = header(50 + (index.len() / 2) as u32);
    shx.extend(index);
    (shp, shx)
}

/// A property's value as DBF text: a list of texts joined by `;` as the CSVs have them,
/// any other list or object as JSON.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

/// `text` in `encoding`, or why not.
fn encode(text: &str, encoding: &'static Encoding) -> std::result::Result<Vec<u8>, String> {
    let (bytes, _, unmappable) = encoding.encode(text);
    if unmappable {
        let c = text
            .chars()
            .find(|c| encoding.encode(&c.to_string()).2)
            .unwrap_or('?');
        return Err(format!(
            "{text:?} has {c:?} (U+{:04X}), which {} cannot write: use --shapefile GB18030 or UTF-8",
            c as u32,
            encoding.name()
        ));
    }
    Ok(bytes.into_owned())
}

/// At most `max` bytes of `text` in `encoding`, cut between characters.
fn cut(
    text: &str,
    max: usize,
    encoding: &'static Encoding,
) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for c in text.chars() {
        let b = encode(&c.to_string(), encoding)?;
        if out.len() + b.len() > max {
            break;
        }
        out.extend(b);
    }
    Ok(out)
}

/// The `.dbf` of `features` and its fields.
fn dbf_bytes(
    file: &str,
    features: &[JsonFeature],
    encoding: &'static Encoding,
) -> Result<(Vec<u8>, Vec<Field>)> {
    let err = |why: String| Error::config(file, why);
    // The properties in order of first appearance.
    let mut order: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for f in features {
        for (k, _) in f.properties.iter().flat_map(|p| &p.0) {
            if seen.insert(k.clone()) {
                order.push(k.clone());
            }
        }
    }
    let value = |f: &'_ JsonFeature, name: &str| -> Option<Value> {
        f.properties
            .as_ref()
            .and_then(|p| p.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .filter(|v| !v.is_null())
    };
    let mut fields = Vec::with_capacity(order.len());
    let mut taken: HashSet<Vec<u8>> = HashSet::new();
    for property in &order {
        let values: Vec<Value> = features.iter().filter_map(|f| value(f, property)).collect();
        let (kind, width, decimals) = if !values.is_empty() && values.iter().all(Value::is_number) {
            let numbers: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
            let decimals = numbers
                .iter()
                .map(|v| {
                    let s = format!("{v}");
                    s.split_once('.').map_or(0, |(_, d)| d.len())
                })
                .max()
                .unwrap_or(0)
                .min(15);
            let width = numbers
                .iter()
                .map(|v| format!("{v:.decimals$}").len())
                .max()
                .unwrap_or(1);
            if width > MAX_TEXT {
                return Err(err(format!(
                    "property {property:?}: a number {width} characters wide, more than a DBF field holds"
                )));
            }
            (b'N', width, decimals)
        } else if !values.is_empty() && values.iter().all(Value::is_boolean) {
            (b'L', 1, 0)
        } else {
            let mut width = 1;
            for (k, f) in features.iter().enumerate() {
                if let Some(t) = value(f, property).as_ref().and_then(text_of) {
                    let n = encode(&t, encoding)
                        .map_err(|why| err(format!("feature {k}, property {property:?}: {why}")))?
                        .len();
                    if n > MAX_TEXT {
                        return Err(err(format!(
                            "feature {k}, property {property:?}: {n} bytes in {}, more than a DBF text field holds ({MAX_TEXT}); \
                             the GeoJSON and CSV outputs hold it whole",
                            encoding.name()
                        )));
                    }
                    width = width.max(n);
                }
            }
            (b'C', width, 0)
        };
        let name_bytes = field_name(property, encoding, &mut taken)
            .map_err(|why| err(format!("property {property:?}: {why}")))?;
        let (name, _, _) = encoding.decode(&name_bytes);
        fields.push(Field {
            property: property.clone(),
            name: name.into_owned(),
            name_bytes,
            kind,
            width,
            decimals,
        });
    }

    let record_len = 1 + fields.iter().map(|f| f.width).sum::<usize>();
    let header_len = 32 + 32 * fields.len() + 1;
    let too_big = || err("more fields or a longer record than a DBF file holds".to_owned());
    let mut dbf = Vec::with_capacity(header_len + record_len * features.len() + 1);
    dbf.push(0x03);
    // A fixed date of last update (2000-01-01): two runs give the same bytes.
    dbf.extend([100, 1, 1]);
    dbf.extend(
        u32::try_from(features.len())
            .map_err(|_| too_big())?
            .to_le_bytes(),
    );
    dbf.extend(
        u16::try_from(header_len)
            .map_err(|_| too_big())?
            .to_le_bytes(),
    );
    dbf.extend(
        u16::try_from(record_len)
            .map_err(|_| too_big())?
            .to_le_bytes(),
    );
    dbf.extend([0u8; 17]);
    // The language driver: 0x4D is code page 936 (GBK), for readers that ignore the .cpg.
    dbf.push(if encoding == encoding_rs::GBK {
        0x4D
    } else {
        0
    });
    dbf.extend([0u8; 2]);
    for f in &fields {
        let mut name = f.name_bytes.clone();
        name.resize(11, 0);
        dbf.extend(name);
        dbf.push(f.kind);
        dbf.extend([0u8; 4]);
        dbf.push(f.width as u8);
        dbf.push(f.decimals as u8);
        dbf.extend([0u8; 14]);
    }
    dbf.push(0x0D);
    for (k, feature) in features.iter().enumerate() {
        dbf.push(b' ');
        for f in &fields {
            let v = value(feature, &f.property);
            let mut cell = match (f.kind, &v) {
                (_, None) => Vec::new(),
                (b'N', Some(v)) => {
                    let n = v.as_f64().unwrap_or_default();
                    let mut s = String::new();
                    let _ = write!(s, "{n:>w$.d$}", w = f.width, d = f.decimals);
                    s.into_bytes()
                }
                (b'L', Some(v)) => vec![if v.as_bool() == Some(true) {
                    b'T'
                } else {
                    b'F'
                }],
                (_, Some(v)) => encode(&text_of(v).unwrap_or_default(), encoding)
                    .map_err(|why| err(format!("feature {k}, property {:?}: {why}", f.property)))?,
            };
            if v.is_none() && f.kind == b'L' {
                cell = vec![b'?'];
            }
            cell.resize(f.width, b' ');
            dbf.extend(cell);
        }
    }
    dbf.push(0x1A);
    Ok((dbf, fields))
}

/// The DBF name of `property`: its first 10 bytes in `encoding`, cut between characters; a
/// name already `taken` (DBF names ignore case) becomes its first 8 bytes and `_1`…`_9`, then
/// `10`…`99`, as GDAL names them.
fn field_name(
    property: &str,
    encoding: &'static Encoding,
    taken: &mut HashSet<Vec<u8>>,
) -> std::result::Result<Vec<u8>, String> {
    let key = |b: &[u8]| b.to_ascii_uppercase();
    let mut name = cut(property, 10, encoding)?;
    if name.is_empty() {
        name = b"FIELD".to_vec();
    }
    if taken.contains(&key(&name)) {
        let stem = cut(property, 8, encoding)?;
        name = (1..100)
            .map(|k| {
                let mut n = stem.clone();
                if k < 10 {
                    n.extend(format!("_{k}").bytes());
                } else {
                    n.extend(format!("{k}").bytes());
                }
                n
            })
            .find(|n| !taken.contains(&key(n)))
            .ok_or_else(|| "a hundred properties share its first 8 bytes".to_owned())?;
    }
    taken.insert(key(&name));
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_cut_to_ten_bytes_and_made_unique_as_gdal_does() {
        let mut taken = HashSet::new();
        let gbk = encoding_rs::GBK;
        let name = |p: &str, t: &mut HashSet<Vec<u8>>| {
            let b = field_name(p, gbk, t).unwrap();
            gbk.decode(&b).0.into_owned()
        };
        assert_eq!(name("统计用区划代码", &mut taken), "统计用区划");
        assert_eq!(name("统计用区划名称", &mut taken), "统计用区_1");
        assert_eq!(name("fraction_inside", &mut taken), "fraction_i");
        assert_eq!(name("FRACTION_INSIDE", &mut taken), "FRACTION_1");
        assert_eq!(name("a", &mut taken), "a");
    }

    #[test]
    fn rings_follow_the_shapefile_rule() {
        let g: Value = serde_json::json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]],
            [[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 1.0], [1.0, 1.0]]
        ]});
        let (t, s) = shape_of(&g).unwrap();
        assert_eq!(t, 5);
        assert!(signed_area(&s.parts[0]) < 0.0, "outer ring clockwise");
        assert!(signed_area(&s.parts[1]) > 0.0, "hole counterclockwise");
    }

    fn collection(features: &[Value]) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"type": "FeatureCollection", "features": features}))
            .unwrap()
    }

    /// A multipolygon with a hole, written and read back by hecun's reader: the same
    /// polygons, holes with their own polygon, attributes in GBK.
    #[test]
    fn a_multipolygon_with_a_hole_reads_back_whole() {
        use geo::orient::{Direction, Orient};
        let square = |x: f64, size: f64| {
            serde_json::json!([
                [x, 0.0],
                [x + size, 0.0],
                [x + size, size],
                [x, size],
                [x, 0.0]
            ])
        };
        let hole = serde_json::json!([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 1.0], [1.0, 1.0]]);
        let bytes = collection(&[serde_json::json!({
            "type": "Feature",
            "properties": {"村名": "东村", "户数": 12, "share": 0.25, "ok": true},
            "geometry": {"type": "MultiPolygon", "coordinates": [
                [square(0.0, 4.0), hole], [square(10.0, 1.0)]
            ]}
        })]);
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::begin(&dir.path().join("out")).unwrap();
        out.write("v.geojson", &bytes).unwrap();
        write_shapefiles(&out, &["v.geojson".to_owned()], encoding_rs::GBK).unwrap();
        out.commit().unwrap();
        let read = crate::io::read::read_layer(
            &dir.path().join("out/shapefile/v.shp"),
            &crate::io::read::ReadOptions::default(),
        )
        .unwrap();
        let geo::Geometry::MultiPolygon(m) = &read.layer.features[0].geometry else {
            panic!("{:?}", read.layer.features[0].geometry);
        };
        let m = m.orient(Direction::Default);
        assert_eq!(m.0.len(), 2);
        assert_eq!(
            m.0[0].interiors().len(),
            1,
            "the hole stays in the first polygon"
        );
        assert_eq!(m.0[1].interiors().len(), 0);
        let p = &read.layer.features[0].properties;
        assert_eq!(p.get("村名"), Some(Value::from("东村")));
        assert_eq!(p.get("户数").and_then(|v| v.as_f64()), Some(12.0));
        assert_eq!(p.get("share").and_then(|v| v.as_f64()), Some(0.25));
        let dbf = std::fs::read(dir.path().join("out/shapefile/v.dbf")).unwrap();
        assert!(
            dbf.windows(4)
                .any(|w| w == &encoding_rs::GBK.encode("东村").0[..])
        );
    }

    #[test]
    fn what_a_dbf_cannot_hold_is_an_error_naming_file_feature_and_property() {
        let feature = |name: &str| {
            serde_json::json!({"type": "Feature", "properties": {"村名": name},
                "geometry": {"type": "Point", "coordinates": [113.0, 34.0]}})
        };
        let rare = collection(&[feature("东村"), feature("\u{20000}村")]);
        let e = shapefile_of("v.geojson", &rare, encoding_rs::GBK)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("v.geojson")
                && e.contains("feature 1")
                && e.contains("村名")
                && e.contains("U+20000"),
            "{e}"
        );
        assert!(shapefile_of("v.geojson", &rare, encoding_rs::GB18030).is_ok());
        let long = collection(&[feature(&"村".repeat(128))]);
        let e = shapefile_of("v.geojson", &long, encoding_rs::GBK)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("feature 0") && e.contains("256 bytes"), "{e}");
        let mixed = collection(&[
            feature("a"),
            serde_json::json!({"type": "Feature", "properties": {},
                "geometry": {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0]]}}),
        ]);
        let e = shapefile_of("v.geojson", &mixed, encoding_rs::GBK)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("feature 1") && e.contains("line among points"),
            "{e}"
        );
    }

    /// The field names and the `.prj` as GDAL's `ogr2ogr -lco ENCODING=GBK` writes them
    /// (skipped, saying so, where GDAL is not installed).
    #[test]
    fn field_names_and_prj_agree_with_gdal() {
        let have_gdal = std::process::Command::new("ogr2ogr")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !have_gdal {
            eprintln!("skipped: ogr2ogr (GDAL) is not installed; apt-get install gdal-bin");
            return;
        }
        let names = [
            "fraction_inside",
            "fraction_outside",
            "统计用区划代码",
            "统计用区划名称",
            "FRACTION_INSIDE_2",
            "短",
            "zone_count",
            "zone_classes",
            "zone_classes_2",
        ];
        let props: serde_json::Map<String, Value> = names
            .iter()
            .map(|n| (n.to_string(), Value::from("x")))
            .collect();
        let bytes = collection(&[serde_json::json!({"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [113.0, 34.0]}})]);
        let ours: Vec<String> = shapefile_of("a.geojson", &bytes, encoding_rs::GBK)
            .unwrap()
            .fields
            .into_iter()
            .map(|f| f.name)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.geojson"), &bytes).unwrap();
        let o = std::process::Command::new("ogr2ogr")
            .current_dir(dir.path())
            .args([
                "-f",
                "ESRI Shapefile",
                "-lco",
                "ENCODING=GBK",
                "out",
                "a.geojson",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let dbf = std::fs::read(dir.path().join("out/a.dbf")).unwrap();
        let gdal: Vec<String> = dbf[32..]
            .chunks(32)
            .take_while(|d| d[0] != 0x0D)
            .map(|d| {
                let name = &d[..11];
                let end = name.iter().position(|&b| b == 0).unwrap_or(11);
                encoding_rs::GBK.decode(&name[..end]).0.into_owned()
            })
            .collect();
        assert_eq!(ours, gdal);
        let prj = std::fs::read_to_string(dir.path().join("out/a.prj")).unwrap();
        assert_eq!(prj, WGS84_PRJ);
        let cpg = std::fs::read_to_string(dir.path().join("out/a.cpg")).unwrap();
        assert_eq!(cpg, encoding_rs::GBK.name());
    }

    #[test]
    fn a_character_gbk_lacks_is_an_error_naming_it() {
        let e = encode("村\u{1F600}", encoding_rs::GBK).unwrap_err();
        assert!(e.contains("U+1F600") && e.contains("GB18030"), "{e}");
        assert!(encode("村\u{1F600}", encoding_rs::GB18030).is_ok());
    }
}
