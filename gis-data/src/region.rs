//! The synthetic region, built in EPSG:4547 metres.
//!
//! Order of construction (each step has its own random stream):
//! townships → roads → corridors → zoning → red line → farmland → sites →
//! villages → facilities.
//!
//! One set of steps builds every [`Scale`]: the demo (16 townships, one county) and the
//! larger regions (a grid of counties of 4 × 4 townships, with prefecture cities) differ only
//! in their [`Params`], in the names they draw and in a few extras the larger regions need
//! (county seats with their own roads and urban land). The demo's random draws are the same
//! as before the scales existed, so `demo/` does not change.

use crate::geom::{
    BBox, Noise, Pt, area, clip_polyline, clip_ring, contains, dist_to_ring, in_disc, offset_strip,
    pt, split_pieces, star, wiggly_edge,
};
use crate::rng::Rng;
use crate::write::{Feature, Geom, Projector, Val};
use std::collections::{HashMap, HashSet};
use std::f64::consts::{PI, TAU};

/// Half the demo region's edge: the demo is 40 km × 40 km.
pub const HALF: f64 = 20_000.0;
/// Grid of the demo's townships (GRID × GRID cells).
const GRID: usize = 4;
/// Target number of the demo's villages.
pub const VILLAGES: usize = 600;
/// County part of the demo's 统计用区划代码 (中牟县, Zhengzhou).
pub const COUNTY: &str = "410122";
/// Most villages a township may hold: village codes are the township's nine digits and
/// 201…299.
pub const MAX_VILLAGES_PER_TOWNSHIP: usize = 99;

/// How large a region to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// The committed demo: 40 km × 40 km, 16 townships of one county, 600 villages.
    Demo,
    /// 96 km × 96 km: 9 counties, 144 townships, about 5,400 villages (just above the
    /// report's large form, which starts above 5,000 villages).
    County,
    /// 320 km × 320 km: 9 prefectures, 100 counties, 1,600 townships, about 60,000 villages.
    Province,
}

impl Scale {
    /// The name `--scale` takes.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Demo => "demo",
            Scale::County => "county",
            Scale::Province => "province",
        }
    }

    /// The scale named `s` (`demo`, `county`, `province`).
    pub fn parse(s: &str) -> Option<Scale> {
        [Scale::Demo, Scale::County, Scale::Province]
            .into_iter()
            .find(|k| k.name() == s)
    }
}

/// What a scale sets: the size of the region and of its grids, and how many villages.
/// Everything else (densities, village sizes, buffer widths, sites per township) is the
/// demo's, so a larger region looks like many demos side by side.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    pub scale: Scale,
    /// Centre of the region, lon/lat (snapped to 100 m in EPSG:4547).
    pub centre: (f64, f64),
    /// Half the region's edge, metres.
    pub half: f64,
    /// Townships per side of the region.
    pub grid: usize,
    /// Townships per side of a county.
    pub block: usize,
    /// Target number of villages.
    pub villages: usize,
    /// Share of villages drawn near a road.
    pub near_road: f64,
}

impl Params {
    /// The parameters of `scale`; `villages` overrides its number of villages (a smaller
    /// county-scale region for a fast test).
    pub fn of(scale: Scale, villages: Option<usize>) -> Params {
        let (centre, grid, cell, n, near_road) = match scale {
            Scale::Demo => ((113.65, 34.76), GRID, 10_000.0, VILLAGES, 0.15),
            // The province is centred on the central meridian of EPSG:4547 (114E) so that it
            // lies within that CRS's area of use (112.5E–115.5E, plus the 0.5° hecun allows).
            Scale::County => ((113.65, 34.76), 12, 8_000.0, 5_400, 0.5),
            Scale::Province => ((114.0, 34.76), 40, 8_000.0, 60_000, 0.5),
        };
        Params {
            scale,
            centre,
            half: grid as f64 * cell / 2.0,
            grid,
            block: 4,
            villages: villages.unwrap_or(n),
            near_road,
        }
    }

    fn demo(&self) -> bool {
        self.scale == Scale::Demo
    }

    /// Edge of a township cell, metres.
    fn cell(&self) -> f64 {
        2.0 * self.half / self.grid as f64
    }

    /// Width of an id's number: the demo's, two digits more in a larger region.
    fn width(&self, demo: usize) -> usize {
        if self.demo() { demo } else { demo + 2 }
    }
}

/// An id: `prefix` and `n` zero-padded to `width` digits.
fn id(prefix: &str, n: usize, width: usize) -> Val {
    format!("{prefix}{n:0width$}").into()
}

/// Township names of the demo in grid order (row by row from the south-west); 镇 get
/// codes 101…, 乡 get 201….
const TOWNSHIPS: [&str; 16] = [
    "金水镇",
    "中原镇",
    "管城镇",
    "惠济镇",
    "二七镇",
    "白沙镇",
    "龙湖镇",
    "祥符镇",
    "圃田乡",
    "古荥镇",
    "广武镇",
    "须水镇",
    "八岗乡",
    "刘集镇",
    "姚家乡",
    "孟庄镇",
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔向汤";
const SUFFIXES: [&str; 20] = [
    "庄", "寨", "营", "集", "湾", "岗", "屯", "楼", "店", "桥", "河", "沟", "坡", "园", "窑", "铺",
    "堂", "洼", "家", "庙",
];

/// Syllables of the larger regions' place names: a first and a second character
/// (金 + 桥 → 金桥镇, 青 + 石 → 青石村), a county's second character (新 + 阳 → 新阳县), and
/// the prefixes of village names (东王庄村, 大李寨村).
const FIRST: &str = "东西南北前后上中下新老大小高低青白红黄金银石山水河湖林松柏桃李杏梅竹兰花云龙凤马牛羊鹿鹤安平康宁福寿永长兴盛昌丰和顺泰华明光清义仁德孝忠信礼乐文武双三五七八九十百千万吉庆荣富贵";
const SECOND: &str = "庄集店桥营寨岗湾坡河沟屯园堂铺楼窑塘阳山城关口头寺庙坊陵亭渡泉林台湖岭川滩";
const COUNTY_SECOND: &str = "阳城丘平安川陵原封水邑宁康津池";
const VILLAGE_PREFIX: &str = "东西南北前后大小上下新老";

/// The prefectures of the province (Henan's first nine), in the order of their codes
/// 4101…; a county-scale region is one prefecture, the first.
const PREFECTURES: [&str; 9] = [
    "郑州",
    "开封",
    "洛阳",
    "平顶山",
    "安阳",
    "鹤壁",
    "新乡",
    "焦作",
    "濮阳",
];

const EXPRESSWAYS: [&str; 6] = [
    "G107快速通道",
    "G310快速通道",
    "S312快速通道",
    "S223快速通道",
    "郑汴快速通道",
    "郑新快速通道",
];

/// Further expressways of the larger regions, after the demo's six.
const MORE_EXPRESSWAYS: [&str; 18] = [
    "G207快速通道",
    "G311快速通道",
    "G220快速通道",
    "G230快速通道",
    "G234快速通道",
    "G240快速通道",
    "G241快速通道",
    "G343快速通道",
    "G344快速通道",
    "G345快速通道",
    "S103快速通道",
    "S104快速通道",
    "S221快速通道",
    "S222快速通道",
    "S226快速通道",
    "S227快速通道",
    "S228快速通道",
    "S229快速通道",
];

/// (name, level, width range in metres)
const CORRIDORS: [(&str, &str, f64, f64); 3] = [
    ("贾鲁河生态廊道", "一级", 300.0, 500.0),
    ("索须河生态廊道", "二级", 150.0, 250.0),
    ("七里河生态廊道", "三级", 60.0, 120.0),
];

/// The rivers of the larger regions (the county scale takes the first five).
const RIVERS: [(&str, &str, f64, f64); 14] = [
    ("黄河生态廊道", "一级", 300.0, 500.0),
    ("贾鲁河生态廊道", "二级", 150.0, 250.0),
    ("索须河生态廊道", "三级", 60.0, 120.0),
    ("淮河生态廊道", "一级", 300.0, 500.0),
    ("双洎河生态廊道", "三级", 60.0, 120.0),
    ("沙颍河生态廊道", "二级", 150.0, 250.0),
    ("涡河生态廊道", "二级", 150.0, 250.0),
    ("洪河生态廊道", "二级", 150.0, 250.0),
    ("伊洛河生态廊道", "二级", 150.0, 250.0),
    ("卫河生态廊道", "三级", 60.0, 120.0),
    ("沁河生态廊道", "三级", 60.0, 120.0),
    ("唐河生态廊道", "三级", 60.0, 120.0),
    ("汝河生态廊道", "三级", 60.0, 120.0),
    ("惠济河生态廊道", "三级", 60.0, 120.0),
];

pub struct Region {
    pub villages: Vec<Feature>,
    pub roads: Vec<Feature>,
    pub corridors: Vec<Feature>,
    pub townships: Vec<Feature>,
    /// The counties the townships tile (larger regions only; the demo is one county).
    pub counties: Vec<Feature>,
    pub sites: Vec<Feature>,
    pub zoning: Vec<Feature>,
    pub facilities: Vec<Feature>,
    pub farmland: Vec<Feature>,
    pub redline: Vec<Feature>,
    /// People with a community-rehabilitation need (精神障碍社区康复), one point per village
    /// that has any: 人数, the village's township and its district (区县). Demo only.
    pub patients: Vec<Feature>,
    /// Buildings that could house a community rehabilitation centre (精神障碍社区康复服务
    /// 机构): 2–4 per township near its seat, with 床位 (places), 人员 (staff) and 建筑面积.
    /// Demo only.
    pub buildings: Vec<Feature>,
}

struct Township {
    name: String,
    code: String,
    /// 镇, 乡 or 街道.
    kind: &'static str,
    /// Index into the counties.
    county: usize,
    ring: Vec<Pt>,
    seat: Pt,
}

/// A county of a larger region: a block of townships.
struct County {
    name: String,
    code: String,
    /// 区, 县 or 市 (county-level city).
    kind: &'static str,
    prefecture: usize,
    ring: Vec<Pt>,
    /// Its seat: the seat of its seat township.
    seat: Pt,
}

/// A city with ring roads, radial roads, a centre and industrial clusters: the demo's centre,
/// or a prefecture's seat.
struct City {
    centre: Pt,
    /// What its roads and zones are called after: empty in the demo (三环, 中心城区), the
    /// prefecture's name in a larger region (郑州三环, 郑州中心城区).
    prefix: String,
}

/// A disc that keeps a polygon away from others (its polygon lies inside).
#[derive(Clone, Copy)]
struct Disc {
    c: Pt,
    r: f64,
}

/// Discs with a grid over them, so that "clear of all of them" looks only at the discs
/// near the point: the same answer as testing every disc, in a region of any size.
struct Discs {
    cell: f64,
    grid: HashMap<(i64, i64), Vec<Disc>>,
}

impl Discs {
    fn new(cell: f64) -> Self {
        Discs {
            cell,
            grid: HashMap::new(),
        }
    }

    fn cells(&self, c: Pt, r: f64) -> impl Iterator<Item = (i64, i64)> {
        let k = |v: f64| (v / self.cell).floor() as i64;
        let (x0, x1, y0, y1) = (k(c.x - r), k(c.x + r), k(c.y - r), k(c.y + r));
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    fn push(&mut self, d: Disc) {
        for key in self.cells(d.c, d.r).collect::<Vec<_>>() {
            self.grid.entry(key).or_default().push(d);
        }
    }

    /// Whether a disc of radius `r` at `c` keeps `gap` from every disc: any disc closer
    /// shares a grid cell with the disc of radius `r + gap`.
    fn clear_of(&self, c: Pt, r: f64, gap: f64) -> bool {
        self.cells(c, r + gap).all(|key| {
            self.grid
                .get(&key)
                .is_none_or(|ds| ds.iter().all(|d| d.c.dist(c) >= d.r + r + gap))
        })
    }
}

fn clear_of(discs: &[Disc], c: Pt, r: f64, gap: f64) -> bool {
    discs.iter().all(|d| d.c.dist(c) >= d.r + r + gap)
}

struct Ctx {
    seed: u64,
    p: Params,
    centre: Pt,
    bbox: BBox,
    cities: Vec<City>,
}

impl Ctx {
    fn rng(&self, stream: u64) -> Rng {
        Rng::new(self.seed, stream)
    }
    /// Distance to the nearest city (the demo's centre).
    fn r(&self, p: Pt) -> f64 {
        self.nearest_city(p).1
    }
    fn nearest_city(&self, p: Pt) -> (Pt, f64) {
        self.cities
            .iter()
            .map(|c| (c.centre, p.dist(c.centre)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("a region has a city")
    }
}

/// The township containing `p`: a jittered grid cell lies within its cell's neighbours, so
/// only those are tested (in index order, as a scan of all would).
fn township_of(ctx: &Ctx, towns: &[Township], p: Pt) -> Option<usize> {
    let g = ctx.p.grid as i64;
    let cell = ctx.p.cell();
    let ci = ((p.x - ctx.bbox.x0) / cell).floor() as i64;
    let cj = ((p.y - ctx.bbox.y0) / cell).floor() as i64;
    let mut near = Vec::with_capacity(9);
    for j in (cj - 1).max(0)..=(cj + 1).min(g - 1) {
        for i in (ci - 1).max(0)..=(ci + 1).min(g - 1) {
            near.push((j * g + i) as usize);
        }
    }
    near.into_iter().find(|&k| contains(&towns[k].ring, p))
}

/// The demo region (seed `seed`).
pub fn build(seed: u64, proj: &Projector) -> Region {
    build_at(Params::of(Scale::Demo, None), seed, proj)
}

/// The region of `p` (seed `seed`).
pub fn build_at(p: Params, seed: u64, proj: &Projector) -> Region {
    // Centre snapped to 100 m so the region is a round box.
    let c = proj.to_metric(p.centre.0, p.centre.1);
    let centre = pt((c.x / 100.0).round() * 100.0, (c.y / 100.0).round() * 100.0);
    let mut ctx = Ctx {
        seed,
        p,
        centre,
        bbox: BBox {
            x0: centre.x - p.half,
            y0: centre.y - p.half,
            x1: centre.x + p.half,
            y1: centre.y + p.half,
        },
        cities: Vec::new(),
    };
    let (towns, counties) = townships(&mut ctx);
    let (roads, ring_radius, road_pts) = roads(&ctx, &counties);
    let (corridors, corridor_lines) = corridors(&ctx);
    let (zoning, mut taken) = zoning(&ctx, &towns, &counties, &ring_radius);
    let redline = redline(&ctx, &towns, &counties, &corridor_lines, &mut taken);
    let farmland = farmland(&ctx, &mut taken, proj);
    let (sites, site_pts) = sites(&ctx, &towns, proj);
    let corridor_pts: Vec<Pt> = corridor_lines
        .iter()
        .flatten()
        .copied()
        .filter(|&p| ctx.bbox.contains(p))
        .collect();
    let villages = villages(&ctx, &towns, &road_pts, &corridor_pts, &site_pts);
    let facilities = facilities(&ctx, &towns);
    let (patients, buildings) = if p.demo() {
        (patients(&ctx, &villages), buildings(&ctx, &towns))
    } else {
        (Vec::new(), Vec::new())
    };
    let townships: Vec<Feature> = towns
        .iter()
        .map(|t| {
            // 类型: the source plan applies GB 50180 in a 镇 but not on account of a 乡's seat.
            let mut props = vec![
                ("编号", t.code.clone().into()),
                ("名称", t.name.clone().into()),
                ("类型", t.kind.into()),
            ];
            if !p.demo() {
                props.push(("区县", counties[t.county].name.clone().into()));
            }
            Feature {
                props,
                geom: Geom::Polygon(t.ring.clone()),
            }
        })
        .collect();
    let counties = if p.demo() {
        Vec::new()
    } else {
        counties
            .iter()
            .map(|c| Feature {
                props: vec![
                    ("编号", c.code.clone().into()),
                    ("名称", c.name.clone().into()),
                    ("类型", c.kind.into()),
                    ("地市", format!("{}市", PREFECTURES[c.prefecture]).into()),
                ],
                geom: Geom::Polygon(c.ring.clone()),
            })
            .collect()
    };

    // A larger region's files list townships and villages in the order of their codes, as
    // an office's tables do (the demo keeps its grid order).
    let (mut townships, mut villages, mut counties) = (townships, villages, counties);
    if !p.demo() {
        let code = |f: &Feature, key: &str| match f.props.iter().find(|(k, _)| *k == key) {
            Some((_, Val::Str(s))) => s.clone(),
            _ => String::new(),
        };
        townships.sort_by_cached_key(|f| code(f, "编号"));
        counties.sort_by_cached_key(|f| code(f, "编号"));
        villages.sort_by_cached_key(|f| code(f, "统计用区划代码"));
    }

    Region {
        villages,
        roads,
        corridors,
        townships,
        counties,
        sites,
        zoning,
        facilities,
        farmland,
        redline,
        patients,
        buildings,
    }
}

/// Candidate buildings for the rehab centres: per township 2–4 points within 4 km of its
/// seat, each a kind of building a district would convert, with places between 60 and 260
/// (the document asks for 100–200), staff between 4 and 14 (it asks for at least 8) and a
/// floor area of about 25 m² per place. Its own random stream (11), so no other layer
/// changes.
fn buildings(ctx: &Ctx, towns: &[Township]) -> Vec<Feature> {
    const KINDS: [&str; 4] = [
        "社区卫生服务中心",
        "闲置校舍",
        "敬老院旧楼",
        "街道综合服务楼",
    ];
    let mut rng = ctx.rng(11);
    let mut out = Vec::new();
    for t in towns {
        let n = rng.range_incl(2, 4);
        for k in 0..n {
            let p = loop {
                let p = in_disc(&mut rng, t.seat, 4_000.0);
                if contains(&t.ring, p) && dist_to_ring(&t.ring, p) > 100.0 {
                    break p;
                }
            };
            let places = 10 * rng.range_incl(6, 26) as i64;
            let staff = rng.range_incl(4, 14) as i64;
            let area = (places as f64 * rng.uniform(20.0, 30.0)).round() as i64;
            out.push(Feature {
                props: vec![
                    ("编号", format!("B{:03}", out.len() + 1).into()),
                    (
                        "名称",
                        format!("{}{}", t.name, KINDS[(k + out.len()) % KINDS.len()]).into(),
                    ),
                    ("乡镇", t.name.clone().into()),
                    ("区县", district_of(&t.name).unwrap_or("").into()),
                    ("床位", places.into()),
                    ("人员", staff.into()),
                    ("建筑面积", area.into()),
                ],
                geom: Geom::Point(p),
            });
        }
    }
    out
}

/// The four districts (区县) of the demo, one per quadrant of the township grid (2 × 2
/// townships each), in the order of [`district_of`].
pub const DISTRICTS: [&str; 4] = ["中原区", "二七区", "惠济区", "金水区"];

/// The district of township `name` (south-west quadrant first, then south-east, north-west,
/// north-east).
pub fn district_of(name: &str) -> Option<&'static str> {
    let i = TOWNSHIPS.iter().position(|t| *t == name)?;
    let (row, col) = (i / GRID, i % GRID);
    Some(DISTRICTS[(row / 2) * 2 + col / 2])
}

/// People with a community-rehabilitation need, per village: about 0.45 % of its people (a
/// registered rate of severe mental disorders), drawn between 0.3 and 1.7 times that; a point
/// at the mean of the village's vertices for each village with at least one. Its own random
/// stream (10) and built from the villages' features only, so the other layers stay as they
/// were.
fn patients(ctx: &Ctx, villages: &[Feature]) -> Vec<Feature> {
    let mut rng = ctx.rng(10);
    let mut out = Vec::new();
    for v in villages {
        let prop = |key: &str| v.props.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
        let text = |key: &str| match prop(key) {
            Some(Val::Str(s)) => s.clone(),
            _ => String::new(),
        };
        let population = match prop("人口") {
            Some(Val::Int(n)) => *n,
            _ => 0,
        };
        let people = (population as f64 * 0.0045 * rng.uniform(0.3, 1.7)).round() as i64;
        if people < 1 {
            continue;
        }
        let Geom::Polygon(ring) = &v.geom else {
            continue;
        };
        let n = ring.len() as f64;
        let centre = pt(
            ring.iter().map(|p| p.x).sum::<f64>() / n,
            ring.iter().map(|p| p.y).sum::<f64>() / n,
        );
        let township = text("乡镇");
        let district = district_of(&township).unwrap_or("");
        out.push(Feature {
            props: vec![
                ("编号", format!("P{}", text("统计用区划代码")).into()),
                ("村名", text("村名").into()),
                ("乡镇", township.into()),
                ("区县", district.into()),
                ("人数", people.into()),
            ],
            geom: Geom::Point(centre),
        });
    }
    out
}

/// A grid of cells whose interior nodes are jittered and whose interior edges wiggle;
/// neighbouring cells share the very same edge vertices, so the townships tile the region
/// exactly, and the counties (blocks of `block` × `block` cells, their rings made of the same
/// edges) are tiled by their townships. Also sets the region's cities.
fn townships(ctx: &mut Ctx) -> (Vec<Township>, Vec<County>) {
    let mut rng = ctx.rng(1);
    let grid = ctx.p.grid;
    let cell = ctx.p.cell();
    // The demo's 1,800 m of jitter and 300 m of wiggle in 10 km cells.
    let (jitter, wiggle) = (0.18 * cell, 0.03 * cell);
    let b = ctx.bbox;
    let mut node = vec![vec![pt(0.0, 0.0); grid + 1]; grid + 1]; // node[i][j], i = column
    for (i, col) in node.iter_mut().enumerate() {
        for (j, n) in col.iter_mut().enumerate() {
            let jx = if i == 0 || i == grid {
                0.0
            } else {
                rng.uniform(-jitter, jitter)
            };
            let jy = if j == 0 || j == grid {
                0.0
            } else {
                rng.uniform(-jitter, jitter)
            };
            *n = pt(b.x0 + i as f64 * cell + jx, b.y0 + j as f64 * cell + jy);
        }
    }
    const SEG: usize = 20;
    // horizontal edge h[i][j]: node[i][j] -> node[i+1][j]; vertical v[i][j]: node[i][j] -> node[i][j+1]
    let mut edge = |a: Pt, b: Pt, boundary: bool| {
        wiggly_edge(&mut rng, a, b, SEG, if boundary { 0.0 } else { wiggle })
    };
    let mut h = vec![vec![Vec::new(); grid + 1]; grid];
    let mut v = vec![vec![Vec::new(); grid]; grid + 1];
    for j in 0..=grid {
        for i in 0..grid {
            h[i][j] = edge(node[i][j], node[i + 1][j], j == 0 || j == grid);
        }
    }
    for i in 0..=grid {
        for j in 0..grid {
            v[i][j] = edge(node[i][j], node[i][j + 1], i == 0 || i == grid);
        }
    }
    // The ring of the block of cells i0..i1 × j0..j1, CCW: bottom, right, top (reversed),
    // left (reversed); each edge without its last vertex.
    let block_ring = |i0: usize, i1: usize, j0: usize, j1: usize| {
        let mut ring = Vec::new();
        for col in &h[i0..i1] {
            ring.extend_from_slice(&col[j0][..SEG]);
        }
        for e in &v[i1][j0..j1] {
            ring.extend_from_slice(&e[..SEG]);
        }
        for col in h[i0..i1].iter().rev() {
            ring.extend(col[j1].iter().rev().take(SEG));
        }
        for e in v[i0][j0..j1].iter().rev() {
            ring.extend(e.iter().rev().take(SEG));
        }
        ring
    };
    let seat_of = |i: usize, j: usize| {
        let corners = [
            node[i][j],
            node[i + 1][j],
            node[i + 1][j + 1],
            node[i][j + 1],
        ];
        pt(
            corners.iter().map(|p| p.x).sum::<f64>() / 4.0,
            corners.iter().map(|p| p.y).sum::<f64>() / 4.0,
        )
    };
    let mut out = Vec::new();
    if ctx.p.demo() {
        ctx.cities.push(City {
            centre: ctx.centre,
            prefix: String::new(),
        });
        let (mut n_zhen, mut n_xiang) = (0, 0);
        for j in 0..grid {
            for i in 0..grid {
                let name = TOWNSHIPS[j * grid + i];
                let code = if name.ends_with('乡') {
                    n_xiang += 1;
                    format!("{COUNTY}{:03}", 200 + n_xiang)
                } else {
                    n_zhen += 1;
                    format!("{COUNTY}{:03}", 100 + n_zhen)
                };
                out.push(Township {
                    name: name.into(),
                    code,
                    kind: township_type(name),
                    county: 0,
                    ring: block_ring(i, i + 1, j, j + 1),
                    seat: seat_of(i, j),
                });
            }
        }
        let county = County {
            name: crate::communities::COUNTY_NAME.into(),
            code: COUNTY.into(),
            kind: "县",
            prefecture: 0,
            ring: block_ring(0, grid, 0, grid),
            seat: ctx.centre,
        };
        return (out, vec![county]);
    }

    // A larger region: counties in a grid, prefectures as blocks of counties (split in three
    // along each axis when there are enough), each prefecture's city at its block's centre.
    let blk = ctx.p.block;
    let nc = grid / blk;
    let splits: Vec<usize> = if nc < 6 {
        vec![0, nc]
    } else {
        vec![0, (nc * 2).div_ceil(5), (nc * 7).div_ceil(10), nc]
    };
    let part = |k: usize| splits.windows(2).position(|w| k < w[1]).expect("in range");
    let parts = splits.len() - 1;
    let county_edge = cell * blk as f64;
    for py in 0..parts {
        for px in 0..parts {
            let cx = (splits[px] + splits[px + 1]) as f64 / 2.0 * county_edge;
            let cy = (splits[py] + splits[py + 1]) as f64 / 2.0 * county_edge;
            ctx.cities.push(City {
                centre: pt(b.x0 + cx, b.y0 + cy),
                prefix: PREFECTURES[py * parts + px].into(),
            });
        }
    }
    // Names, kinds and codes from a stream of their own.
    let mut rng = ctx.rng(31);
    let first: Vec<char> = FIRST.chars().collect();
    let second: Vec<char> = SECOND.chars().collect();
    let county_second: Vec<char> = COUNTY_SECOND.chars().collect();
    let mut used = HashSet::new();
    let mut counties = Vec::new();
    let mut next_code = vec![(2, 21, 81); PREFECTURES.len()];
    for cy in 0..nc {
        for cx in 0..nc {
            let prefecture = part(cy) * parts + part(cx);
            let (si, sj) = (cx * blk + blk / 2, cy * blk + blk / 2);
            let seat = seat_of(si, sj);
            let city = ctx.cities[prefecture].centre;
            let kind = if seat.dist(city) < 1.05 * county_edge {
                "区"
            } else if rng.chance(0.15) {
                "市"
            } else {
                "县"
            };
            let base = loop {
                let n = format!(
                    "{}{}",
                    first[rng.below(first.len())],
                    county_second[rng.below(county_second.len())]
                );
                if used.insert(n.clone()) {
                    break n;
                }
            };
            let codes = &mut next_code[prefecture];
            let n = match kind {
                "区" => &mut codes.0,
                "市" => &mut codes.2,
                _ => &mut codes.1,
            };
            let code = format!("41{:02}{:02}", prefecture + 1, *n);
            *n += 1;
            counties.push(County {
                name: format!("{base}{kind}"),
                code,
                kind,
                prefecture,
                ring: block_ring(cx * blk, (cx + 1) * blk, cy * blk, (cy + 1) * blk),
                seat,
            });
        }
    }
    let mut next_town = vec![(1, 101, 201); counties.len()];
    for j in 0..grid {
        for i in 0..grid {
            let county = (j / blk) * nc + i / blk;
            let seat = seat_of(i, j);
            let city = ctx.nearest_city(seat).1;
            // 街道: the townships of a city's core and a county's seat; then 乡 or 镇.
            let kind = if city < 0.9 * cell
                || (i % blk == blk / 2 && j % blk == blk / 2 && counties[county].kind != "县")
            {
                "街道"
            } else if rng.chance(0.22) {
                "乡"
            } else {
                "镇"
            };
            let base = loop {
                let n = format!(
                    "{}{}",
                    first[rng.below(first.len())],
                    second[rng.below(second.len())]
                );
                if !used.contains(&n) {
                    used.insert(n.clone());
                    break n;
                }
            };
            let codes = &mut next_town[county];
            let n = match kind {
                "街道" => &mut codes.0,
                "乡" => &mut codes.2,
                _ => &mut codes.1,
            };
            let code = format!("{}{:03}", counties[county].code, *n);
            *n += 1;
            out.push(Township {
                name: format!("{base}{kind}"),
                code,
                kind,
                county,
                ring: block_ring(i, i + 1, j, j + 1),
                seat,
            });
        }
    }
    (out, counties)
}

/// A demo township's type (镇 or 乡) as its name says: the demo's names end in one or the other.
pub fn township_type(name: &str) -> &'static str {
    if name.ends_with('乡') { "乡" } else { "镇" }
}

fn road(id_: &mut usize, width: usize, name: &str, class: &str, piece: Vec<Pt>) -> Feature {
    *id_ += 1;
    Feature {
        props: vec![
            ("编号", id("R", *id_, width)),
            ("名称", name.into()),
            ("等级", class.into()),
        ],
        geom: Geom::Line(piece),
    }
}

/// Per city two ring roads and 15 radial roads; expressways across the region; in a larger
/// region, radial roads out of each county seat away from the cities. Clipped to the region
/// and split into pieces of 5–10 vertices. Returns the features, each city's inner ring's
/// radius function (sampled every degree) and all road vertices.
fn roads(ctx: &Ctx, counties: &[County]) -> (Vec<Feature>, Vec<Vec<f64>>, Vec<Pt>) {
    let mut rng = ctx.rng(2);
    let w = ctx.p.width(4);
    let half = ctx.p.half;
    let mut out = Vec::new();
    let mut id = 0;
    let mut inners = Vec::new();
    for city in &ctx.cities {
        let mut inner = Vec::new();
        for (name, radius) in [("三环", 6_000.0), ("四环", 11_000.0)] {
            let noise = Noise::new(&mut rng, 4);
            let rad = |th: f64| radius * (1.0 + 0.06 * noise.at(th));
            if inner.is_empty() {
                inner = (0..360).map(|d| rad((d as f64).to_radians())).collect();
            }
            let n = (TAU * radius / 300.0).round() as usize;
            let mut line: Vec<Pt> = (0..n)
                .map(|k| {
                    let th = TAU * k as f64 / n as f64;
                    city.centre.polar(rad(th), th)
                })
                .collect();
            line.push(line[0]);
            // A city lies far enough inside the region for its rings not to need clipping.
            let name = format!("{}{name}", city.prefix);
            for piece in split_pieces(&mut rng, &line) {
                out.push(road(&mut id, w, &name, "环线", piece));
            }
        }
        inners.push(inner);
        let base = rng.angle();
        for k in 0..15 {
            let ang = base + TAU * k as f64 / 15.0 + 0.06 * rng.normal();
            let noise = Noise::new(&mut rng, 3);
            let (ca, sa) = (ang.cos(), ang.sin());
            let line: Vec<Pt> = (0..)
                .map(|s| 1_500.0 + 300.0 * s as f64)
                .take_while(|&rr| rr < 30_000.0)
                .map(|rr| {
                    let lat = 500.0 * noise.at(rr / 6_000.0);
                    city.centre.add(rr * ca - lat * sa, rr * sa + lat * ca)
                })
                .collect();
            let name = format!("{}放射路{}", city.prefix, k + 1);
            for part in clip_polyline(&line, &ctx.bbox) {
                for piece in split_pieces(&mut rng, &part) {
                    out.push(road(&mut id, w, &name, "放射线", piece));
                }
            }
        }
    }
    let names: Vec<&str> = if ctx.p.demo() {
        EXPRESSWAYS.to_vec()
    } else {
        let n = (ctx.p.grid * 3 / 5).clamp(6, EXPRESSWAYS.len() + MORE_EXPRESSWAYS.len());
        EXPRESSWAYS
            .iter()
            .chain(&MORE_EXPRESSWAYS)
            .take(n)
            .copied()
            .collect()
    };
    let steps = (3.0 * half / 500.0).round() as usize;
    for (k, name) in names.iter().enumerate() {
        let ang = PI * k as f64 / names.len() as f64 + rng.uniform(-0.2, 0.2);
        let off = rng.uniform(-0.6 * half, 0.6 * half);
        let noise = Noise::new(&mut rng, 2);
        let (ca, sa) = (ang.cos(), ang.sin());
        let line: Vec<Pt> = (0..=steps)
            .map(|s| -1.5 * half + 500.0 * s as f64)
            .map(|t| {
                let lat = off + 1_200.0 * noise.at(t / 15_000.0);
                ctx.centre.add(t * ca - lat * sa, t * sa + lat * ca)
            })
            .collect();
        for part in clip_polyline(&line, &ctx.bbox) {
            for piece in split_pieces(&mut rng, &part) {
                out.push(road(&mut id, w, name, "快速通道", piece));
            }
        }
    }
    if !ctx.p.demo() {
        for c in counties.iter().filter(|c| ctx.r(c.seat) > 20_000.0) {
            let base = rng.angle();
            for k in 0..6 {
                let ang = base + TAU * k as f64 / 6.0 + 0.1 * rng.normal();
                let noise = Noise::new(&mut rng, 3);
                let (ca, sa) = (ang.cos(), ang.sin());
                let line: Vec<Pt> = (0..)
                    .map(|s| 800.0 + 300.0 * s as f64)
                    .take_while(|&rr| rr < 14_000.0)
                    .map(|rr| {
                        let lat = 400.0 * noise.at(rr / 5_000.0);
                        c.seat.add(rr * ca - lat * sa, rr * sa + lat * ca)
                    })
                    .collect();
                let name = format!("{}放射路{}", c.name, k + 1);
                for part in clip_polyline(&line, &ctx.bbox) {
                    for piece in split_pieces(&mut rng, &part) {
                        out.push(road(&mut id, w, &name, "放射线", piece));
                    }
                }
            }
        }
    }
    let pts = out
        .iter()
        .flat_map(|f| match &f.geom {
            Geom::Line(l) => l.clone(),
            _ => Vec::new(),
        })
        .collect();
    (out, inners, pts)
}

/// Meandering rivers, each a strip of its width clipped to the region: the demo's three, or
/// more in a larger region.
fn corridors(ctx: &Ctx) -> (Vec<Feature>, Vec<Vec<Pt>>) {
    let mut rng = ctx.rng(3);
    let half = ctx.p.half;
    let rivers: &[(&str, &str, f64, f64)] = match ctx.p.scale {
        Scale::Demo => &CORRIDORS,
        Scale::County => &RIVERS[..5],
        Scale::Province => &RIVERS,
    };
    let mut out = Vec::new();
    let mut lines = Vec::new();
    let base = rng.uniform(0.0, PI);
    let steps = (3.2 * half / 250.0).round() as usize;
    for (k, (name, level, wlo, whi)) in rivers.iter().enumerate() {
        let ang = base + PI * k as f64 / rivers.len() as f64 + rng.uniform(-0.25, 0.25);
        let off = rng.uniform(-0.45 * half, 0.45 * half);
        let noise = Noise::new(&mut rng, 4);
        let width = (rng.uniform(*wlo, *whi) / 10.0).round() * 10.0;
        let (ca, sa) = (ang.cos(), ang.sin());
        let line: Vec<Pt> = (0..=steps)
            .map(|s| -1.6 * half + 250.0 * s as f64)
            .map(|t| {
                let lat = off + 1_800.0 * noise.at(t / 7_000.0);
                ctx.centre.add(t * ca - lat * sa, t * sa + lat * ca)
            })
            .collect();
        let ring = clip_ring(&offset_strip(&line, width / 2.0), &ctx.bbox);
        out.push(Feature {
            props: vec![
                ("编号", id("C", k + 1, 2)),
                ("名称", (*name).into()),
                ("级别", (*level).into()),
                ("宽度", (width as i64).into()),
            ],
            geom: Geom::Polygon(ring),
        });
        lines.push(line);
    }
    (out, lines)
}

/// Per city, urban construction land inside its inner ring and two industrial clusters
/// between its rings; in a larger region, urban land around each county seat away from the
/// cities; construction land around the seats of 3 in 8 townships away from the cities.
/// Returns the features and the discs they occupy.
fn zoning(
    ctx: &Ctx,
    towns: &[Township],
    counties: &[County],
    inner: &[Vec<f64>],
) -> (Vec<Feature>, Discs) {
    let mut rng = ctx.rng(4);
    let w = ctx.p.width(2);
    let mut out = Vec::new();
    let mut discs = Discs::new(2_000.0);
    let push = |out: &mut Vec<Feature>, name: String, class: &str, ring: Vec<Pt>| {
        let id = id("Z", out.len() + 1, w);
        out.push(Feature {
            props: vec![
                ("编号", id),
                ("名称", name.into()),
                ("用地类型", class.into()),
            ],
            geom: Geom::Polygon(ring),
        });
    };
    for (city, inner) in ctx.cities.iter().zip(inner) {
        let urban: Vec<Pt> = (0..72)
            .map(|k| {
                let d = k * 5;
                city.centre.polar(inner[d] + 250.0, (d as f64).to_radians())
            })
            .collect();
        let r_urban = urban
            .iter()
            .map(|&p| p.dist(city.centre))
            .fold(0.0, f64::max);
        discs.push(Disc {
            c: city.centre,
            r: r_urban,
        });
        push(
            &mut out,
            format!("{}中心城区", city.prefix),
            "城镇建设用地",
            urban,
        );

        let a0 = rng.angle();
        let clusters = if ctx.p.demo() {
            ["经开产业集聚区", "白沙产业集聚区"]
        } else {
            ["经开产业集聚区", "高新产业集聚区"]
        };
        for (k, name) in clusters.iter().enumerate() {
            let a = a0 + PI * k as f64 + rng.uniform(-0.6, 0.6);
            let c = city.centre.polar(8_500.0, a);
            let ring = star(&mut rng, c, 1_300.0, 24, 0.15);
            discs.push(Disc {
                c,
                r: 1_300.0 * 1.15,
            });
            push(
                &mut out,
                format!("{}{name}", city.prefix),
                "产业集聚区",
                ring,
            );
        }
    }
    if !ctx.p.demo() {
        for c in counties.iter().filter(|c| ctx.r(c.seat) > 20_000.0) {
            let r0 = rng.uniform(1_500.0, 2_200.0);
            if !discs.clear_of(c.seat, r0 * 1.15, 100.0) {
                continue;
            }
            let ring = star(&mut rng, c.seat, r0, 24, 0.15);
            discs.push(Disc {
                c: c.seat,
                r: r0 * 1.15,
            });
            push(&mut out, format!("{}城区", c.name), "城镇建设用地", ring);
        }
    }

    let mut outer: Vec<usize> = (0..towns.len())
        .filter(|&i| ctx.r(towns[i].seat) > 12_000.0)
        .collect();
    rng.shuffle(&mut outer);
    let mut chosen: Vec<usize> = outer.into_iter().take(towns.len() * 3 / 8).collect();
    chosen.sort();
    for i in chosen {
        let t = &towns[i];
        let r0 = rng.uniform(500.0, 800.0);
        let c = t.seat;
        if dist_to_ring(&t.ring, c) < r0 * 1.15 + 50.0 || !discs.clear_of(c, r0 * 1.15, 100.0) {
            continue;
        }
        let ring = star(&mut rng, c, r0, 20, 0.15);
        discs.push(Disc { c, r: r0 * 1.15 });
        push(&mut out, format!("{}驻地", t.name), "乡村建设用地", ring);
    }
    (out, discs)
}

/// A red-line patch on a river (a wetland: the demo's 一级 river, every river of a larger
/// region) and patches in the hills (one in the demo, one in about 40 townships otherwise).
fn redline(
    ctx: &Ctx,
    towns: &[Township],
    counties: &[County],
    corridor_lines: &[Vec<Pt>],
    taken: &mut Discs,
) -> Vec<Feature> {
    let mut rng = ctx.rng(5);
    let half = ctx.p.half;
    let mut out = Vec::new();
    let (rivers, band, hills) = if ctx.p.demo() {
        (&corridor_lines[..1], 13_000.0..17_000.0, 1)
    } else {
        (corridor_lines, 13_000.0..f64::INFINITY, towns.len() / 40)
    };
    let mut candidates = Vec::new();
    for line in rivers {
        let wet = line
            .iter()
            .copied()
            .filter(|&p| {
                ctx.bbox.contains(p)
                    && ctx.bbox.margin(p) > 2_500.0
                    && band.contains(&ctx.r(p))
                    && taken.clear_of(p, 1_500.0 * 1.15, 200.0)
            })
            .collect::<Vec<_>>();
        if !wet.is_empty() {
            candidates.push(("湿地生态保护红线", wet[rng.below(wet.len())], 1_500.0));
        }
    }
    for _ in 0..hills {
        for _ in 0..10_000 {
            let c = in_disc(&mut rng, ctx.centre, half * 1.4);
            if ctx.bbox.contains(c) && ctx.bbox.margin(c) > 2_500.0 && ctx.r(c) > 14_000.0 {
                candidates.push(("丘陵水源涵养生态保护红线", c, 2_000.0));
                break;
            }
        }
    }
    let wetlands = candidates
        .iter()
        .filter(|c| c.0 == "湿地生态保护红线")
        .count();
    let w = ctx.p.width(2);
    for (k, (kind, c, r0)) in candidates.into_iter().enumerate() {
        if !taken.clear_of(c, r0 * 1.15, 200.0) {
            continue;
        }
        taken.push(Disc { c, r: r0 * 1.15 });
        let ring = star(&mut rng, c, r0, 28, 0.15);
        // Named after the river (贾鲁河湿地…) or, in a larger region, the county (…县丘陵…).
        let place = if k < wetlands {
            let river = if ctx.p.demo() {
                CORRIDORS[0].0
            } else {
                let line = corridor_lines
                    .iter()
                    .position(|l| l.contains(&c))
                    .unwrap_or(0);
                RIVERS[line].0
            };
            river.trim_end_matches("生态廊道").to_string()
        } else if ctx.p.demo() {
            String::new()
        } else {
            township_of(ctx, towns, c)
                .map(|t| counties[towns[t].county].name.clone())
                .unwrap_or_default()
        };
        out.push(Feature {
            props: vec![
                ("编号", id("HX", out.len() + 1, w)),
                ("名称", format!("{place}{kind}").into()),
            ],
            geom: Geom::Polygon(ring),
        });
    }
    out
}

/// Permanent basic farmland patches (24 in the demo, 3 per 2 townships otherwise), away
/// from the cities and clear of construction land and the red line.
fn farmland(ctx: &Ctx, taken: &mut Discs, proj: &Projector) -> Vec<Feature> {
    let mut rng = ctx.rng(6);
    let n = ctx.p.grid * ctx.p.grid * 3 / 2;
    let w = ctx.p.width(3);
    let mut out = Vec::new();
    for _ in 0..5_000 * n / 24 {
        if out.len() == n {
            break;
        }
        let c = pt(
            rng.uniform(ctx.bbox.x0, ctx.bbox.x1),
            rng.uniform(ctx.bbox.y0, ctx.bbox.y1),
        );
        let r0 = rng.uniform(700.0, 1_500.0);
        let rmax = r0 * 1.15;
        if ctx.r(c) < 12_500.0
            || ctx.bbox.margin(c) < rmax + 100.0
            || !taken.clear_of(c, rmax, 150.0)
        {
            continue;
        }
        taken.push(Disc { c, r: rmax });
        let nvert = rng.range_incl(16, 24);
        let ring = star(&mut rng, c, r0, nvert, 0.15);
        let ha = proj.hectares(&ring);
        out.push(Feature {
            props: vec![
                ("编号", id("NT", out.len() + 1, w)),
                ("类型", "永久基本农田".into()),
                ("面积公顷", Val::Fixed2(ha)),
            ],
            geom: Geom::Polygon(ring),
        });
    }
    out
}

/// Candidate resettlement sites: 2–3 rotated rectangles per township near its
/// seat (half the townships get 3, half get 2: 40 sites in the demo). Returns the features
/// and, per site, (township index, centre, name).
#[allow(clippy::type_complexity)]
fn sites(
    ctx: &Ctx,
    towns: &[Township],
    proj: &Projector,
) -> (Vec<Feature>, Vec<(usize, Pt, String)>) {
    let mut rng = ctx.rng(7);
    let w = ctx.p.width(3);
    let mut counts: Vec<usize> = (0..towns.len())
        .map(|i| if i % 2 == 0 { 3 } else { 2 })
        .collect();
    rng.shuffle(&mut counts);
    let mut out = Vec::new();
    let mut pts = Vec::new();
    for (ti, t) in towns.iter().enumerate() {
        // A site keeps 100 m inside its township, so sites of two townships are always more
        // than the 200 m apart asked of sites: only the township's own need checking.
        let mut discs: Vec<Disc> = Vec::new();
        let mut made = 0;
        for _ in 0..10_000 {
            if made == counts[ti] {
                break;
            }
            let c = in_disc(&mut rng, t.seat, 3_500.0);
            let ha = rng.uniform(20.0, 80.0);
            let aspect = rng.uniform(0.6, 1.6);
            let rot = rng.uniform(0.0, PI);
            let w_ = (ha * 1e4 * aspect).sqrt();
            let h = ha * 1e4 / w_;
            let half_diag = 0.5 * w_.hypot(h);
            if !contains(&t.ring, c)
                || dist_to_ring(&t.ring, c) < half_diag + 100.0
                || !clear_of(&discs, c, half_diag, 200.0)
            {
                continue;
            }
            discs.push(Disc { c, r: half_diag });
            let (cr, sr) = (rot.cos(), rot.sin());
            let ring: Vec<Pt> = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)]
                .iter()
                .map(|&(u, v)| {
                    let (dx, dy) = (u * w_, v * h);
                    c.add(dx * cr - dy * sr, dx * sr + dy * cr)
                })
                .collect();
            made += 1;
            let name = format!("{}新社区{}", t.name, made);
            let ha = proj.hectares(&ring);
            out.push(Feature {
                props: vec![
                    ("编号", id("S", out.len() + 1, w)),
                    ("名称", name.clone().into()),
                    ("乡镇", t.name.clone().into()),
                    ("面积公顷", Val::Fixed2(ha)),
                ],
                geom: Geom::Polygon(ring),
            });
            pts.push((ti, c, name));
        }
        assert!(made > 0, "no site fits in {}", t.name);
    }
    (out, pts)
}

struct Village {
    town: usize,
    centre: Pt,
    ring: Vec<Pt>,
}

/// A village name of a larger region: 王庄村, 东王庄村, 王家庄村 or 青石村.
fn village_name(rng: &mut Rng, surnames: &[char]) -> String {
    let pick = |rng: &mut Rng, s: &str| {
        let c: Vec<char> = s.chars().collect();
        c[rng.below(c.len())]
    };
    let surname = surnames[rng.below(surnames.len())];
    match rng.below(4) {
        0 => format!("{surname}{}村", SUFFIXES[rng.below(SUFFIXES.len())]),
        1 => format!(
            "{}{surname}{}村",
            pick(rng, VILLAGE_PREFIX),
            SUFFIXES[rng.below(SUFFIXES.len())]
        ),
        2 => format!("{surname}家{}村", pick(rng, SECOND)),
        _ => format!("{}{}村", pick(rng, FIRST), pick(rng, SECOND)),
    }
}

/// Villages (600 in the demo): 15 % near a road, 5 % near a corridor, the rest in clusters
/// outside the cities' cores; each lies wholly inside its township and clear of the other
/// villages.
fn villages(
    ctx: &Ctx,
    towns: &[Township],
    road_pts: &[Pt],
    corridor_pts: &[Pt],
    sites: &[(usize, Pt, String)],
) -> Vec<Feature> {
    let mut rng = ctx.rng(8);
    let spread = 0.22 * ctx.p.cell();
    let clusters: Vec<Pt> = (0..100 * towns.len() / 16)
        .map(|_| {
            let c = pt(
                rng.uniform(ctx.bbox.x0 + 2_000.0, ctx.bbox.x1 - 2_000.0),
                rng.uniform(ctx.bbox.y0 + 2_000.0, ctx.bbox.y1 - 2_000.0),
            );
            let (city, r) = ctx.nearest_city(c);
            if r < 6_000.0 {
                let a = (c.y - city.y).atan2(c.x - city.x);
                city.polar(rng.uniform(6_000.0, 9_000.0), a)
            } else {
                c
            }
        })
        .collect();
    let target = ctx.p.villages;
    let mut placed: Vec<(Village, f64)> = Vec::new();
    let mut discs = Discs::new(1_100.0);
    let mut per_town = vec![0usize; towns.len()];
    for _ in 0..200_000 * target.max(VILLAGES) / VILLAGES {
        if placed.len() == target {
            break;
        }
        let u = rng.f64();
        let c = if u < ctx.p.near_road {
            let p = road_pts[rng.below(road_pts.len())];
            in_disc(&mut rng, p, 450.0)
        } else if u < ctx.p.near_road + 0.05 {
            let p = corridor_pts[rng.below(corridor_pts.len())];
            in_disc(&mut rng, p, 600.0)
        } else {
            let k = clusters[rng.below(clusters.len())];
            k.add(spread * rng.normal(), spread * rng.normal())
        };
        let area_km2 = rng.uniform(0.05f64.ln(), 0.5f64.ln()).exp();
        let r0 = (area_km2 * 1e6 / PI).sqrt();
        let rmax = r0 * 1.25;
        let core = rng.chance(0.85);
        if !ctx.bbox.contains(c) || ctx.bbox.margin(c) < rmax + 50.0 {
            continue;
        }
        if ctx.r(c) < 5_500.0 && core {
            continue;
        }
        let Some(ti) = township_of(ctx, towns, c) else {
            continue;
        };
        if per_town[ti] == MAX_VILLAGES_PER_TOWNSHIP
            || dist_to_ring(&towns[ti].ring, c) < rmax + 30.0
            || !discs.clear_of(c, rmax, 60.0)
        {
            continue;
        }
        let nvert = rng.range_incl(8, 20);
        let ring = star(&mut rng, c, r0, nvert, 0.25);
        discs.push(Disc { c, r: rmax });
        per_town[ti] += 1;
        let density = rng.uniform(300.0, 1_500.0);
        placed.push((
            Village {
                town: ti,
                centre: c,
                ring,
            },
            density,
        ));
    }
    // Township order, then order of placement (stable sort).
    placed.sort_by_key(|(v, _)| v.town);

    // Names unique in the demo; unique within their township in a larger region.
    let mut used_names = HashSet::new();
    let mut used_in_town = vec![HashSet::new(); towns.len()];
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let mut town_sites: Vec<Vec<&(usize, Pt, String)>> = vec![Vec::new(); towns.len()];
    for s in sites {
        town_sites[s.0].push(s);
    }
    // 签约户数 (households that signed the resettlement agreement) from a stream of its own,
    // so that every other field stays as it was: most villages signed almost all (96–100 %),
    // a few lag (60–90 %), which keeps a few communities under the 95 % of the signing-rate
    // rule (plugins/signing-rate).
    let mut signing = ctx.rng(21);
    let mut next_code = vec![201usize; towns.len()];
    let mut out = Vec::new();
    for (v, density) in placed {
        let t = &towns[v.town];
        let households = ((area(&v.ring) / 1e6 * density).round() as i64).max(30);
        let population = (households as f64 * rng.uniform(2.6, 3.6)).round() as i64;
        let name = loop {
            let n = if ctx.p.demo() {
                let n = format!(
                    "{}{}村",
                    surnames[rng.below(surnames.len())],
                    SUFFIXES[rng.below(SUFFIXES.len())]
                );
                if !used_names.insert(n.clone()) {
                    continue;
                }
                n
            } else {
                let n = village_name(&mut rng, &surnames);
                if !used_in_town[v.town].insert(n.clone()) {
                    continue;
                }
                n
            };
            break n;
        };
        let code = format!("{}{:03}", t.code, next_code[v.town]);
        next_code[v.town] += 1;
        let community = town_sites[v.town]
            .iter()
            .min_by(|a, b| a.1.dist(v.centre).total_cmp(&b.1.dist(v.centre)))
            .map(|s| s.2.clone())
            .expect("every township has a site");
        // Pilot communities (试点): the first community of every third township has done all
        // that 启动标准 asks, so that the demo shows communities that may launch. Their flags
        // are still drawn (then overridden), so the rest of the region stays as it was.
        let pilot = v.town % 3 == 0 && community.ends_with("新社区1");
        let rate = if signing.chance(0.04) {
            signing.uniform(0.6, 0.9)
        } else {
            signing.uniform(0.96, 1.0)
        };
        let signed = (households as f64 * rate).floor() as i64;
        let props = vec![
            ("统计用区划代码", code.into()),
            ("村名", name.into()),
            ("乡镇", t.name.clone().into()),
            ("户数", households.into()),
            ("人口", population.into()),
            ("签约户数", signed.into()),
            ("新批宅基地", (rng.chance(0.10) && !pilot).into()),
            ("新建建筑", (rng.chance(0.15) && !pilot).into()),
            ("用地合法", (rng.chance(0.85) || pilot).into()),
            ("基础设施开工", (rng.chance(0.20) || pilot).into()),
            ("安置房开工", (rng.chance(0.10) || pilot).into()),
            ("强制拆迁", (rng.chance(0.02) && !pilot).into()),
            ("方案通过", (rng.chance(0.70) || pilot).into()),
            ("社区", community.into()),
        ];
        out.push(Feature {
            props,
            geom: Geom::Polygon(v.ring),
        });
    }
    out
}

/// Per township: a clinic near the seat, two schools, two kindergartens and
/// an elderly-care home within 3 km of it.
fn facilities(ctx: &Ctx, towns: &[Township]) -> Vec<Feature> {
    let mut rng = ctx.rng(9);
    let w = ctx.p.width(3);
    let mut out = Vec::new();
    for t in towns {
        let list = [
            ("卫生院", format!("{}卫生院", t.name), 600.0),
            ("学校", format!("{}中心小学", t.name), 3_000.0),
            ("学校", format!("{}第一初级中学", t.name), 3_000.0),
            ("幼儿园", format!("{}中心幼儿园", t.name), 3_000.0),
            ("幼儿园", format!("{}第二幼儿园", t.name), 3_000.0),
            ("养老", format!("{}敬老院", t.name), 3_000.0),
        ];
        for (class, name, radius) in list {
            let p = loop {
                let p = in_disc(&mut rng, t.seat, radius);
                if contains(&t.ring, p) && dist_to_ring(&t.ring, p) > 100.0 {
                    break p;
                }
            };
            out.push(Feature {
                props: vec![
                    ("编号", id("F", out.len() + 1, w)),
                    ("类型", class.into()),
                    ("名称", name.into()),
                ],
                geom: Geom::Point(p),
            });
        }
    }
    out
}
