//! The demo layers are valid RFC 7946 GeoJSON with the documented schema:
//! simple, closed, counter-clockwise polygons; townships tile the region;
//! zoning, villages, sites, farmland and red line do not overlap within a layer.

use geo::{
    Area, BooleanOps, BoundingRect, Coord, Intersects, LineString, Polygon, Validation, Winding,
    unary_union,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn layers() -> &'static HashMap<&'static str, Vec<Value>> {
    static L: OnceLock<HashMap<&'static str, Vec<Value>>> = OnceLock::new();
    L.get_or_init(|| {
        hecun_gis_data::outputs(hecun_gis_data::SEED)
            .into_iter()
            .filter(|o| o.name.ends_with(".geojson"))
            .map(|o| {
                let v: Value = serde_json::from_slice(&o.contents).unwrap();
                assert_eq!(v["type"], "FeatureCollection");
                // one feature per line
                let text = std::str::from_utf8(&o.contents).unwrap();
                assert_eq!(text.lines().count(), o.features + 2, "{}", o.name);
                let feats = v["features"].as_array().unwrap().clone();
                assert_eq!(feats.len(), o.features);
                (o.name.trim_end_matches(".geojson"), feats)
            })
            .collect()
    })
}

fn layer(name: &str) -> &'static [Value] {
    &layers()[name]
}

fn ring(v: &Value) -> LineString<f64> {
    LineString::from(
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| Coord {
                x: c[0].as_f64().unwrap(),
                y: c[1].as_f64().unwrap(),
            })
            .collect::<Vec<_>>(),
    )
}

fn polygons(name: &str) -> Vec<Polygon<f64>> {
    layer(name)
        .iter()
        .map(|f| {
            let g = &f["geometry"];
            assert_eq!(g["type"], "Polygon", "{name}");
            let rings = g["coordinates"].as_array().unwrap();
            assert_eq!(rings.len(), 1, "{name}: exterior ring only");
            let ext = ring(&rings[0]);
            assert!(
                ext.0.len() >= 4 && ext.is_closed(),
                "{name}: ring not closed"
            );
            Polygon::new(ext, vec![])
        })
        .collect()
}

fn props(f: &Value) -> &serde_json::Map<String, Value> {
    f["properties"].as_object().unwrap()
}

#[test]
fn every_polygon_is_valid_and_ccw() {
    for name in [
        "villages",
        "corridors",
        "townships",
        "sites",
        "zoning",
        "farmland",
        "redline",
    ] {
        for (i, p) in polygons(name).iter().enumerate() {
            assert!(
                p.is_valid(),
                "{name}[{i}] invalid: {:?}",
                p.check_validation()
            );
            assert!(
                p.exterior().is_ccw(),
                "{name}[{i}] exterior ring is not CCW"
            );
        }
    }
}

fn assert_no_overlap(name: &str) {
    let ps = polygons(name);
    let rects: Vec<_> = ps.iter().map(|p| p.bounding_rect().unwrap()).collect();
    for i in 0..ps.len() {
        for j in i + 1..ps.len() {
            if rects[i].intersects(&rects[j]) {
                let a = ps[i].intersection(&ps[j]).unsigned_area();
                assert!(a < 1e-12, "{name}[{i}] and {name}[{j}] overlap ({a} deg²)");
            }
        }
    }
}

#[test]
fn layers_do_not_overlap_themselves() {
    for name in [
        "townships",
        "zoning",
        "villages",
        "sites",
        "farmland",
        "redline",
    ] {
        assert_no_overlap(name);
    }
}

#[test]
fn townships_tile_the_region() {
    let ps = polygons("townships");
    assert_eq!(ps.len(), 16);
    let union = unary_union(&ps);
    assert_eq!(union.0.len(), 1, "one piece");
    assert!(union.0[0].interiors().is_empty(), "no holes");
    let sum: f64 = ps.iter().map(|p| p.unsigned_area()).sum();
    assert!((union.unsigned_area() - sum).abs() < 1e-9 * sum);
    // 40 km × 40 km around 113.65E 34.76N
    let r = union.bounding_rect().unwrap();
    assert!(
        (r.min().x - 113.43).abs() < 0.02 && (r.max().x - 113.87).abs() < 0.02,
        "{r:?}"
    );
    assert!(
        (r.min().y - 34.58).abs() < 0.02 && (r.max().y - 34.94).abs() < 0.02,
        "{r:?}"
    );
}

#[test]
fn villages_have_the_documented_fields() {
    let towns: HashMap<String, String> = layer("townships")
        .iter()
        .map(|f| {
            let p = props(f);
            (
                p["名称"].as_str().unwrap().into(),
                p["编号"].as_str().unwrap().into(),
            )
        })
        .collect();
    let sites: HashMap<String, String> = layer("sites")
        .iter()
        .map(|f| {
            let p = props(f);
            (
                p["名称"].as_str().unwrap().into(),
                p["乡镇"].as_str().unwrap().into(),
            )
        })
        .collect();
    let vs = layer("villages");
    assert!((550..=650).contains(&vs.len()));
    let mut codes = HashSet::new();
    for f in vs {
        let p = props(f);
        let code = p["统计用区划代码"].as_str().unwrap();
        assert!(
            code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        assert!(codes.insert(code.to_string()), "duplicate {code}");
        let town = p["乡镇"].as_str().unwrap();
        assert_eq!(&code[..9], towns[town], "code {code} vs township {town}");
        assert!(p["村名"].as_str().unwrap().ends_with('村'));
        let hh = p["户数"].as_i64().unwrap();
        let pop = p["人口"].as_i64().unwrap();
        assert!(
            hh > 0 && pop as f64 >= 2.6 * hh as f64 - 0.5 && pop as f64 <= 3.6 * hh as f64 + 0.5
        );
        let signed = p["签约户数"].as_i64().unwrap();
        assert!(
            (0..=hh).contains(&signed) && signed as f64 >= 0.6 * hh as f64 - 1.0,
            "签约户数 {signed} of 户数 {hh}"
        );
        for k in [
            "新批宅基地",
            "新建建筑",
            "用地合法",
            "基础设施开工",
            "安置房开工",
            "强制拆迁",
            "方案通过",
        ] {
            assert!(p[k].is_boolean(), "{k}");
        }
        assert_eq!(
            sites[p["社区"].as_str().unwrap()],
            town,
            "community in another township"
        );
    }
}

#[test]
fn other_layers_have_the_documented_fields() {
    let classes = |name: &str, key: &str| -> HashSet<String> {
        layer(name)
            .iter()
            .map(|f| props(f)[key].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        classes("roads", "等级"),
        HashSet::from(["环线".into(), "放射线".into(), "快速通道".into()])
    );
    for f in layer("roads") {
        let p = props(f);
        assert!(p["编号"].as_str().unwrap().starts_with('R'));
        assert!(p["名称"].is_string());
        let n = f["geometry"]["coordinates"].as_array().unwrap().len();
        assert!((2..=10).contains(&n));
    }
    assert_eq!(
        classes("corridors", "级别"),
        HashSet::from(["一级".into(), "二级".into(), "三级".into()])
    );
    for f in layer("corridors") {
        assert!(props(f)["宽度"].as_i64().unwrap() > 0);
    }
    assert_eq!(
        classes("zoning", "用地类型"),
        HashSet::from([
            "城镇建设用地".into(),
            "产业集聚区".into(),
            "乡村建设用地".into()
        ])
    );
    assert_eq!(
        classes("facilities", "类型"),
        HashSet::from([
            "学校".into(),
            "卫生院".into(),
            "幼儿园".into(),
            "养老".into()
        ])
    );
    let sites = layer("sites");
    assert!((35..=45).contains(&sites.len()));
    for f in sites {
        let ha = props(f)["面积公顷"].as_f64().unwrap();
        assert!((15.0..100.0).contains(&ha), "{ha}");
    }
    assert!(!layer("farmland").is_empty());
    assert!((1..=2).contains(&layer("redline").len()));
}
