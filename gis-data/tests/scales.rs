//! The larger regions (`gen-demo --scale county|province`) are valid inputs of the same make
//! as the demo: counts as documented, 区划代码 nested (village → township → county), villages
//! inside their township and clear of one another, townships tiling their counties, every
//! polygon valid. Checked on the county scale (fast in a debug build); the province is the
//! same code with a larger grid.

use geo::{
    Area, BoundingRect, Contains, Coord, InteriorPoint, Intersects, LineString, Point, Polygon,
    Rect, Validation,
};
use hecun_gis_data::{Params, Scale};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

fn layers() -> &'static HashMap<String, Vec<Value>> {
    static L: OnceLock<HashMap<String, Vec<Value>>> = OnceLock::new();
    L.get_or_init(|| {
        let params = Params::of(Scale::County, None);
        hecun_gis_data::outputs_at(params, hecun_gis_data::SEED, Path::new("/plugins"))
            .into_iter()
            .filter(|o| o.name.ends_with(".geojson"))
            .map(|o| {
                let v: Value = serde_json::from_slice(&o.contents).unwrap();
                let feats = v["features"].as_array().unwrap().clone();
                assert_eq!(feats.len(), o.features, "{}", o.name);
                (o.name.trim_end_matches(".geojson").to_string(), feats)
            })
            .collect()
    })
}

fn layer(name: &str) -> &'static [Value] {
    &layers()[name]
}

fn text<'a>(f: &'a Value, key: &str) -> &'a str {
    f["properties"][key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is text: {f}"))
}

fn polygon(f: &Value) -> Polygon<f64> {
    let rings = f["geometry"]["coordinates"].as_array().unwrap();
    assert_eq!(rings.len(), 1, "exterior ring only");
    let ring: Vec<Coord<f64>> = rings[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Coord {
            x: c[0].as_f64().unwrap(),
            y: c[1].as_f64().unwrap(),
        })
        .collect();
    Polygon::new(LineString::from(ring), vec![])
}

fn polygons(name: &str) -> Vec<Polygon<f64>> {
    layer(name).iter().map(polygon).collect()
}

/// Pairs of polygons whose bounding boxes meet (the only ones that can overlap).
fn close_pairs(polys: &[Polygon<f64>]) -> Vec<(usize, usize)> {
    let boxes: Vec<Rect<f64>> = polys.iter().map(|p| p.bounding_rect().unwrap()).collect();
    let mut order: Vec<usize> = (0..polys.len()).collect();
    order.sort_by(|&a, &b| boxes[a].min().x.total_cmp(&boxes[b].min().x));
    let mut pairs = Vec::new();
    for (k, &a) in order.iter().enumerate() {
        for &b in &order[k + 1..] {
            if boxes[b].min().x > boxes[a].max().x {
                break;
            }
            if boxes[a].intersects(&boxes[b]) {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs
}

#[test]
fn counts_are_those_of_the_scale() {
    let p = Params::of(Scale::County, None);
    assert_eq!(layer("villages").len(), p.villages, "every village placed");
    assert!((5_000..=8_000).contains(&p.villages));
    assert_eq!(layer("townships").len(), 144);
    assert_eq!(layer("counties").len(), 9);
    let sites = layer("sites").len();
    assert!((2 * 144..=3 * 144).contains(&sites), "{sites} sites");
    assert_eq!(layer("facilities").len(), 6 * 144);
    for name in ["roads", "corridors", "zoning", "farmland", "redline"] {
        assert!(!layer(name).is_empty(), "{name} is empty");
    }
}

#[test]
fn codes_nest_village_township_county() {
    let counties: HashMap<&str, &str> = layer("counties")
        .iter()
        .map(|c| (text(c, "名称"), text(c, "编号")))
        .collect();
    assert_eq!(counties.len(), 9, "county names unique");
    for code in counties.values() {
        assert!(
            code.len() == 6 && code.starts_with("41"),
            "county code {code}"
        );
    }
    let mut townships = HashMap::new();
    for t in layer("townships") {
        let (code, name, kind) = (text(t, "编号"), text(t, "名称"), text(t, "类型"));
        let county = counties[text(t, "区县")];
        assert_eq!(code.len(), 9, "{name}: {code}");
        assert_eq!(
            &code[..6],
            county,
            "{name}: {code} is not in its county {county}"
        );
        // 街道 001…, 镇 101…, 乡 201…, and the name ends in its type.
        let first = match kind {
            "街道" => '0',
            "镇" => '1',
            "乡" => '2',
            _ => panic!("{name}: type {kind}"),
        };
        assert!(code[6..].starts_with(first), "{name} ({kind}): {code}");
        assert!(name.ends_with(kind), "{name} ({kind})");
        assert!(townships.insert(name, code).is_none(), "{name} twice");
    }
    let mut codes = HashSet::new();
    let mut names: HashMap<&str, HashSet<&str>> = HashMap::new();
    for v in layer("villages") {
        let (code, name, town) = (text(v, "统计用区划代码"), text(v, "村名"), text(v, "乡镇"));
        assert!(
            code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        assert_eq!(
            &code[..9],
            townships[town],
            "{name} {code} is not in {town}"
        );
        assert!(code[9..] >= *"201", "{code}");
        assert!(codes.insert(code), "code {code} twice");
        assert!(name.ends_with('村') && name.chars().count() >= 3, "{name}");
        assert!(
            names.entry(town).or_default().insert(name),
            "{name} twice in {town}"
        );
        let site = text(v, "社区");
        assert!(site.starts_with(town), "{code} joins {site}, not of {town}");
    }
    // Every township has villages; the files are in the order of the codes.
    assert_eq!(names.len(), townships.len());
    let order: Vec<&str> = layer("villages")
        .iter()
        .map(|v| text(v, "统计用区划代码"))
        .collect();
    assert!(order.is_sorted());
}

#[test]
fn every_polygon_is_valid() {
    for name in [
        "villages",
        "townships",
        "counties",
        "corridors",
        "sites",
        "zoning",
        "farmland",
        "redline",
    ] {
        for (i, p) in polygons(name).iter().enumerate() {
            assert!(p.is_valid(), "{name} #{i}: {:?}", p.validation_errors());
            assert!(p.unsigned_area() > 0.0, "{name} #{i}");
        }
    }
}

#[test]
fn villages_lie_in_their_township_and_apart() {
    let towns: HashMap<&str, Polygon<f64>> = layer("townships")
        .iter()
        .map(|t| (text(t, "名称"), polygon(t)))
        .collect();
    let villages = polygons("villages");
    for (v, p) in layer("villages").iter().zip(&villages) {
        let town = &towns[text(v, "乡镇")];
        let inside: Point<f64> = p.interior_point().unwrap();
        assert!(
            town.contains(&inside),
            "{} outside {}",
            text(v, "村名"),
            text(v, "乡镇")
        );
        assert!(
            p.exterior().points().all(|q| town.contains(&q)),
            "{} crosses the edge of {}",
            text(v, "统计用区划代码"),
            text(v, "乡镇")
        );
    }
    let pairs = close_pairs(&villages);
    assert!(!pairs.is_empty(), "the check meets neighbours");
    for (a, b) in pairs {
        assert!(
            !villages[a].intersects(&villages[b]),
            "villages #{a} and #{b} overlap"
        );
    }
}

#[test]
fn townships_tile_their_counties() {
    let counties: HashMap<&str, Polygon<f64>> = layer("counties")
        .iter()
        .map(|c| (text(c, "名称"), polygon(c)))
        .collect();
    let mut area: HashMap<&str, f64> = HashMap::new();
    for t in layer("townships") {
        let county = text(t, "区县");
        let p = polygon(t);
        assert!(counties[county].contains(&p.interior_point().unwrap()));
        *area.entry(county).or_default() += p.unsigned_area();
    }
    // Neighbours share their edges' very vertices: no gap, no overlap, so the areas add up.
    for (name, c) in &counties {
        let (sum, whole) = (area[name], c.unsigned_area());
        assert!(
            (sum - whole).abs() < 1e-9 * whole,
            "{name}: {sum} vs {whole}"
        );
    }
    let townships = polygons("townships");
    for (a, b) in close_pairs(&townships) {
        let both = geo::BooleanOps::intersection(&townships[a], &townships[b]);
        assert!(
            both.unsigned_area() < 1e-10,
            "townships #{a} and #{b} overlap"
        );
    }
}

#[test]
fn layers_do_not_overlap_within() {
    for name in ["sites", "zoning", "farmland", "redline"] {
        let polys = polygons(name);
        for (a, b) in close_pairs(&polys) {
            assert!(
                !polys[a].intersects(&polys[b]),
                "{name} #{a} and #{b} overlap"
            );
        }
    }
}

#[test]
fn the_plan_runs_the_demo_plugins_from_the_given_folder() {
    let plugins = Path::new("/opt/hecun plugins");
    let plan = hecun_gis_data::region_plan(Scale::Province, plugins);
    let value: toml::Table = plan.parse().unwrap();
    assert_eq!(
        value["checks"]["launch"].as_str(),
        Some("/opt/hecun plugins/launch-criteria")
    );
    assert_eq!(
        value["scoring"]["sites"].as_str(),
        Some("/opt/hecun plugins/site-score")
    );
    assert!(!plan.contains("../../plugins"));
}

#[test]
fn default_plugins_are_the_repository_s() {
    let dir = hecun_gis_data::default_plugins_dir();
    assert!(dir.is_absolute());
    assert!(dir.join("launch-criteria/plugin.toml").is_file());
}
