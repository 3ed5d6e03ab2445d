//! Synthetic demo data for hecun: a Zhengzhou-like 40 km × 40 km region with
//! villages, roads, ecological corridors, townships, candidate resettlement
//! sites, zoning, facilities, basic farmland and the ecological red line.
//!
//! Everything is generated in EPSG:4547 metres from a fixed seed with a
//! portable RNG (ChaCha8) and written as RFC 7946 GeoJSON (EPSG:4326, 7
//! decimals, one feature per line), so `gen-demo` reproduces `demo/` byte for
//! byte. See `README.md` in this package for the schema.
//!
//! The same steps build larger regions ([`Scale::County`], [`Scale::Province`]: many
//! counties of demo-like townships) for testing hecun at scale; those are not committed.

pub mod communities;
pub mod geom;
pub mod region;
pub mod rng;
pub mod shapefile;
pub mod write;

use std::io;
use std::path::{Path, PathBuf};

pub use region::{Params, Scale};

/// The seed of the committed demo.
pub const SEED: u64 = 20240601;

/// The plan file written next to the layers.
pub const PLAN_TOML: &str = include_str!("plan.toml");

/// The plan that computes the rehab-centre funding table from the patients layer, written
/// next to the layers (a plan of its own, so that plan.toml's outputs stay as they are).
pub const PLAN_REHAB_TOML: &str = include_str!("plan-rehab.toml");
/// The plan that runs the signing-rate launch criterion (`plugins/signing-rate`).
pub const PLAN_SIGNING_TOML: &str = include_str!("plan-signing.toml");

/// The plan that runs two launch checks at once (five criteria and signing rate).
pub const PLAN_LAUNCH_BOTH_TOML: &str = include_str!("plan-launch-both.toml");

/// The plan that sites rehab centres: a named scoring job over the candidate buildings.
pub const PLAN_REHAB_SITING_TOML: &str = include_str!("plan-rehab-siting.toml");

/// The plan that checks the rehab-centre targets (`plugins/centres-per-district`) against the
/// siting of plan-rehab-siting.toml.
pub const PLAN_TARGETS_TOML: &str = include_str!("plan-targets.toml");

/// The plan that reads the villages' launch fields from an Excel roster
/// (`villages-roster.xlsx`) joined to a map without them (`villages-map.geojson`): the same
/// run as plan.toml, from the data as a county office keeps it.
pub const PLAN_ROSTER_TOML: &str = include_str!("plan-roster.toml");

/// The plan that runs the office's whole programme (issue 14): plan.toml with the communities
/// roster (`communities.xlsx`), `[programme]`, `[goals]`, `[demonstration]` and the source
/// plan's four `[[milestones]]`.
pub const PLAN_PROGRAMME_TOML: &str = include_str!("plan-programme.toml");

/// The villages' columns that the roster holds instead of the map (the launch fields and
/// the community), after the key 统计用区划代码.
pub const ROSTER_COLUMNS: [&str; 9] = [
    "签约户数",
    "新批宅基地",
    "新建建筑",
    "用地合法",
    "基础设施开工",
    "安置房开工",
    "强制拆迁",
    "方案通过",
    "社区",
];

/// The plan over the Shapefile set and the Excel roster (`demo/plan-shapefile.toml`): the
/// whole demo plan on the layers as a county office keeps them, the same results as plan.toml.
pub const PLAN_SHAPEFILE_TOML: &str = include_str!("plan-shapefile.toml");

/// A layer's GeoJSON file, and the names of the Shapefile written from it.
macro_rules! shapefile_layer {
    ($geojson:literal, $stem:literal) => {
        (
            $geojson,
            [
                concat!($stem, ".shp"),
                concat!($stem, ".shx"),
                concat!($stem, ".dbf"),
                concat!($stem, ".prj"),
                concat!($stem, ".cpg"),
            ],
        )
    };
}

/// Every layer of the demo plan also written as a Shapefile (GBK, EPSG:4547) beside its
/// GeoJSON in `demo/`: the villages from their map (`villages-map.geojson`: the launch fields
/// and communities are in the Excel roster, as an office keeps them), each other layer whole.
/// Each: the GeoJSON file, then the Shapefile's files.
const SHAPEFILE_LAYERS: [(&str, [&str; 5]); 9] = [
    shapefile_layer!("villages-map.geojson", "villages"),
    shapefile_layer!("roads.geojson", "roads"),
    shapefile_layer!("corridors.geojson", "corridors"),
    shapefile_layer!("townships.geojson", "townships"),
    shapefile_layer!("sites.geojson", "sites"),
    shapefile_layer!("zoning.geojson", "zoning"),
    shapefile_layer!("facilities.geojson", "facilities"),
    shapefile_layer!("farmland.geojson", "farmland"),
    shapefile_layer!("redline.geojson", "redline"),
];

/// The committed demo directory of this package.
pub const DEMO_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo");

/// One generated file.
pub struct Output {
    /// Its name in the demo folder (`villages.geojson`, `villages.shp`).
    pub name: &'static str,
    pub contents: Vec<u8>,
    /// Number of features (0 for files other than a GeoJSON layer or a `.shp`).
    pub features: usize,
}

/// Generate every file of the demo in memory.
pub fn outputs(seed: u64) -> Vec<Output> {
    let proj = write::Projector::new();
    let r = region::build(seed, &proj);
    let layers: [(&'static str, &[write::Feature]); 11] = [
        ("villages.geojson", &r.villages),
        ("roads.geojson", &r.roads),
        ("corridors.geojson", &r.corridors),
        ("townships.geojson", &r.townships),
        ("sites.geojson", &r.sites),
        ("zoning.geojson", &r.zoning),
        ("facilities.geojson", &r.facilities),
        ("farmland.geojson", &r.farmland),
        ("redline.geojson", &r.redline),
        ("patients.geojson", &r.patients),
        ("buildings.geojson", &r.buildings),
    ];
    let mut out = geojson_outputs(&proj, &layers);
    out.push(Output {
        name: "plan.toml",
        contents: PLAN_TOML.as_bytes().to_vec(),
        features: 0,
    });
    out.push(Output {
        name: "plan-rehab.toml",
        contents: PLAN_REHAB_TOML.as_bytes().to_vec(),
        features: 0,
    });
    out.push(Output {
        name: "plan-signing.toml",
        contents: PLAN_SIGNING_TOML.as_bytes().to_vec(),
        features: 0,
    });
    out.push(Output {
        name: "plan-launch-both.toml",
        contents: PLAN_LAUNCH_BOTH_TOML.as_bytes().to_vec(),
        features: 0,
    });
    out.push(Output {
        name: "plan-rehab-siting.toml",
        contents: PLAN_REHAB_SITING_TOML.as_bytes().to_vec(),
        features: 0,
    });
    // The villages as an office keeps them: the map without the roster's columns, and the
    // roster (codes as numbers, as Excel stores typed-in codes).
    let map: Vec<write::Feature> = r
        .villages
        .iter()
        .map(|f| write::Feature {
            props: f
                .props
                .iter()
                .filter(|(k, _)| !ROSTER_COLUMNS.contains(k))
                .cloned()
                .collect(),
            geom: f.geom.clone(),
        })
        .collect();
    out.push(Output {
        name: "villages-map.geojson",
        contents: write::layer_to_geojson(&proj, &map).into_bytes(),
        features: map.len(),
    });
    out.push(Output {
        name: "villages-roster.xlsx",
        contents: write::roster_xlsx(&r.villages, "统计用区划代码", &ROSTER_COLUMNS),
        features: 0,
    });
    out.push(Output {
        name: "plan-roster.toml",
        contents: PLAN_ROSTER_TOML.as_bytes().to_vec(),
        features: 0,
    });
    out.push(Output {
        name: "plan-targets.toml",
        contents: PLAN_TARGETS_TOML.as_bytes().to_vec(),
        features: 0,
    });
    for (geojson, [shp, shx, dbf, prj, cpg]) in SHAPEFILE_LAYERS {
        let layer = out
            .iter()
            .find(|o| o.name == geojson)
            .expect("the layer is generated");
        let features = layer.features;
        let text = std::str::from_utf8(&layer.contents).expect("GeoJSON is UTF-8");
        let set = shapefile::layer_to_shapefile(geojson, text);
        let file = |name, contents, features| Output {
            name,
            contents,
            features,
        };
        out.push(file(shp, set.shp, features));
        out.push(file(shx, set.shx, 0));
        out.push(file(dbf, set.dbf, 0));
        out.push(file(prj, shapefile::PRJ_4547.as_bytes().to_vec(), 0));
        out.push(file(cpg, b"GBK".to_vec(), 0));
    }
    out.push(Output {
        name: "plan-shapefile.toml",
        contents: PLAN_SHAPEFILE_TOML.as_bytes().to_vec(),
        features: 0,
    });
    // The office's roster of new communities, as a workbook and as CSV, and the plan that
    // reads it.
    let rows = communities::roster(seed, &r);
    out.push(Output {
        name: "communities.xlsx",
        contents: communities::roster_xlsx(&rows),
        features: 0,
    });
    out.push(Output {
        name: "communities.csv",
        contents: communities::roster_csv(&rows),
        features: 0,
    });
    out.push(Output {
        name: "plan-programme.toml",
        contents: PLAN_PROGRAMME_TOML.as_bytes().to_vec(),
        features: 0,
    });
    out
}

/// The repository's shipped plugins (`plugins/`), where the plan of a larger region points
/// by default: an absolute path, so that the plan works wherever the region is written.
pub fn default_plugins_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// The plan of a larger region: `plan.toml` of the demo (the same layers, fields, buffer
/// widths, launch check, planning standard and site scoring) with its own name and its
/// plugins in `plugins` (written as given: give an absolute path for a plan that works from
/// anywhere).
pub fn region_plan(scale: Scale, plugins: &Path) -> String {
    let dir = plugins
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let (title, name) = match scale {
        Scale::Province => (
            "# hecun plan: 合村并城 at province scale (synthetic: `gen-demo --scale province`)",
            "name = \"河南省合村并城（演示，省域规模）\"",
        ),
        _ => (
            "# hecun plan: 合村并城 at county scale (synthetic: `gen-demo --scale county`)",
            "name = \"郑州市合村并城（演示，县域规模）\"",
        ),
    };
    let mut lines = PLAN_TOML.lines();
    let (_, _) = (lines.next(), lines.next());
    let body: String = lines.map(|l| format!("{l}\n")).collect();
    format!(
        "{title}\n{name}\n{}",
        body.replace("\"../../plugins/", &format!("\"{dir}/"))
    )
}

/// Every file of the region of `params`: the demo's files ([`outputs`]), or for a larger
/// region its GeoJSON layers, `counties.geojson` and `plan.toml` (plugins in `plugins`).
pub fn outputs_at(params: Params, seed: u64, plugins: &Path) -> Vec<Output> {
    if params.scale == Scale::Demo && params.villages == region::VILLAGES {
        return outputs(seed);
    }
    let proj = write::Projector::new();
    let r = region::build_at(params, seed, &proj);
    let layers: [(&'static str, &[write::Feature]); 10] = [
        ("villages.geojson", &r.villages),
        ("roads.geojson", &r.roads),
        ("corridors.geojson", &r.corridors),
        ("townships.geojson", &r.townships),
        ("counties.geojson", &r.counties),
        ("sites.geojson", &r.sites),
        ("zoning.geojson", &r.zoning),
        ("facilities.geojson", &r.facilities),
        ("farmland.geojson", &r.farmland),
        ("redline.geojson", &r.redline),
    ];
    // A larger region leaves out the layers it has none of (no red line in a county, say).
    let layers: Vec<(&'static str, &[write::Feature])> = layers
        .into_iter()
        .filter(|(_, feats)| !feats.is_empty())
        .collect();
    let mut out = geojson_outputs(&proj, &layers);
    out.push(Output {
        name: "plan.toml",
        contents: region_plan(params.scale, plugins).into_bytes(),
        features: 0,
    });
    out
}

/// Each layer as its GeoJSON file, in the order given.
fn geojson_outputs(
    proj: &write::Projector,
    layers: &[(&'static str, &[write::Feature])],
) -> Vec<Output> {
    layers
        .iter()
        .map(|(name, feats)| Output {
            name,
            contents: write::layer_to_geojson(proj, feats).into_bytes(),
            features: feats.len(),
        })
        .collect()
}

/// Generate the demo into `dir` (created if missing).
pub fn generate(dir: &Path, seed: u64) -> io::Result<Vec<Output>> {
    write_all(dir, outputs(seed))
}

/// Generate the region of `params` into `dir` (created if missing); see [`outputs_at`].
pub fn generate_at(
    dir: &Path,
    params: Params,
    seed: u64,
    plugins: &Path,
) -> io::Result<Vec<Output>> {
    write_all(dir, outputs_at(params, seed, plugins))
}

fn write_all(dir: &Path, out: Vec<Output>) -> io::Result<Vec<Output>> {
    std::fs::create_dir_all(dir)?;
    for o in &out {
        let path = dir.join(o.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &o.contents)?;
    }
    Ok(out)
}
