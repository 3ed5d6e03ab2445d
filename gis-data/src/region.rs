//! The synthetic region, built in EPSG:4547 metres.
//!
//! Order of construction (each step has its own random stream):
//! townships → roads → corridors → zoning → red line → farmland → sites →
//! villages → facilities.

use crate::geom::{
    BBox, Noise, Pt, area, clip_polyline, clip_ring, contains, dist_to_ring, in_disc, offset_strip,
    pt, split_pieces, star, wiggly_edge,
};
use crate::rng::Rng;
use crate::write::{Feature, Geom, Projector, Val};
use std::collections::HashSet;
use std::f64::consts::{PI, TAU};

/// Half the region's edge: the region is 40 km × 40 km.
pub const HALF: f64 = 20_000.0;
/// Grid of townships (GRID × GRID cells).
const GRID: usize = 4;
/// Target number of villages.
pub const VILLAGES: usize = 600;
/// County part of the 统计用区划代码 (中牟县, Zhengzhou).
pub const COUNTY: &str = "410122";

/// Township names in grid order (row by row from the south-west); 镇 get
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

const EXPRESSWAYS: [&str; 6] = [
    "G107快速通道",
    "G310快速通道",
    "S312快速通道",
    "S223快速通道",
    "郑汴快速通道",
    "郑新快速通道",
];

/// (name, level, width range in metres)
const CORRIDORS: [(&str, &str, f64, f64); 3] = [
    ("贾鲁河生态廊道", "一级", 300.0, 500.0),
    ("索须河生态廊道", "二级", 150.0, 250.0),
    ("七里河生态廊道", "三级", 60.0, 120.0),
];

pub struct Region {
    pub villages: Vec<Feature>,
    pub roads: Vec<Feature>,
    pub corridors: Vec<Feature>,
    pub townships: Vec<Feature>,
    pub sites: Vec<Feature>,
    pub zoning: Vec<Feature>,
    pub facilities: Vec<Feature>,
    pub farmland: Vec<Feature>,
    pub redline: Vec<Feature>,
    /// People with a community-rehabilitation need (精神障碍社区康复), one point per village
    /// that has any: 人数, the village's township and its district (区县).
    pub patients: Vec<Feature>,
    /// Buildings that could house a community rehabilitation centre (精神障碍社区康复服务
    /// 机构): 2–4 per township near its seat, with 床位 (places), 人员 (staff) and 建筑面积.
    pub buildings: Vec<Feature>,
}

struct Township {
    name: &'static str,
    code: String,
    ring: Vec<Pt>,
    seat: Pt,
}

/// A disc that keeps a polygon away from others (its polygon lies inside).
#[derive(Clone, Copy)]
struct Disc {
    c: Pt,
    r: f64,
}

fn clear_of(discs: &[Disc], c: Pt, r: f64, gap: f64) -> bool {
    discs.iter().all(|d| d.c.dist(c) >= d.r + r + gap)
}

struct Ctx {
    seed: u64,
    centre: Pt,
    bbox: BBox,
}

impl Ctx {
    fn rng(&self, stream: u64) -> Rng {
        Rng::new(self.seed, stream)
    }
    fn r(&self, p: Pt) -> f64 {
        p.dist(self.centre)
    }
}

pub fn build(seed: u64, proj: &Projector) -> Region {
    // Centre on 113.65E 34.76N, snapped to 100 m so the region is a round box.
    let c = proj.to_metric(113.65, 34.76);
    let centre = pt((c.x / 100.0).round() * 100.0, (c.y / 100.0).round() * 100.0);
    let ctx = Ctx {
        seed,
        centre,
        bbox: BBox {
            x0: centre.x - HALF,
            y0: centre.y - HALF,
            x1: centre.x + HALF,
            y1: centre.y + HALF,
        },
    };

    let towns = townships(&ctx);
    let (roads, ring_radius, road_pts) = roads(&ctx);
    let (corridors, corridor_lines) = corridors(&ctx);
    let (zoning, mut taken) = zoning(&ctx, &towns, &ring_radius);
    let redline = redline(&ctx, &corridor_lines, &mut taken);
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
    let patients = patients(&ctx, &villages);
    let buildings = buildings(&ctx, &towns);
    let townships = towns
        .iter()
        .map(|t| Feature {
            // 类型: the source plan applies GB 50180 in a 镇 but not on account of a 乡's seat.
            props: vec![
                ("编号", t.code.clone().into()),
                ("名称", t.name.into()),
                ("类型", township_type(t.name).into()),
            ],
            geom: Geom::Polygon(t.ring.clone()),
        })
        .collect();

    Region {
        villages,
        roads,
        corridors,
        townships,
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
                    ("乡镇", t.name.into()),
                    ("区县", district_of(t.name).unwrap_or("").into()),
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

/// A 4 × 4 grid of cells whose interior nodes are jittered and whose interior
/// edges wiggle; neighbouring cells share the very same edge vertices, so the
/// townships tile the region exactly.
fn townships(ctx: &Ctx) -> Vec<Township> {
    let mut rng = ctx.rng(1);
    let cell = 2.0 * HALF / GRID as f64;
    let b = ctx.bbox;
    let mut node = vec![vec![pt(0.0, 0.0); GRID + 1]; GRID + 1]; // node[i][j], i = column
    for (i, col) in node.iter_mut().enumerate() {
        for (j, n) in col.iter_mut().enumerate() {
            let jx = if i == 0 || i == GRID {
                0.0
            } else {
                rng.uniform(-1800.0, 1800.0)
            };
            let jy = if j == 0 || j == GRID {
                0.0
            } else {
                rng.uniform(-1800.0, 1800.0)
            };
            *n = pt(b.x0 + i as f64 * cell + jx, b.y0 + j as f64 * cell + jy);
        }
    }
    const SEG: usize = 20;
    // horizontal edge h[i][j]: node[i][j] -> node[i+1][j]; vertical v[i][j]: node[i][j] -> node[i][j+1]
    let mut edge = |a: Pt, b: Pt, boundary: bool| {
        wiggly_edge(&mut rng, a, b, SEG, if boundary { 0.0 } else { 300.0 })
    };
    let mut h = vec![vec![Vec::new(); GRID + 1]; GRID];
    let mut v = vec![vec![Vec::new(); GRID]; GRID + 1];
    for j in 0..=GRID {
        for i in 0..GRID {
            h[i][j] = edge(node[i][j], node[i + 1][j], j == 0 || j == GRID);
        }
    }
    for i in 0..=GRID {
        for j in 0..GRID {
            v[i][j] = edge(node[i][j], node[i][j + 1], i == 0 || i == GRID);
        }
    }
    let (mut n_zhen, mut n_xiang) = (0, 0);
    let mut out = Vec::new();
    for j in 0..GRID {
        for i in 0..GRID {
            let k = j * GRID + i;
            let name = TOWNSHIPS[k];
            let code = if name.ends_with('乡') {
                n_xiang += 1;
                format!("{COUNTY}{:03}", 200 + n_xiang)
            } else {
                n_zhen += 1;
                format!("{COUNTY}{:03}", 100 + n_zhen)
            };
            // CCW: bottom, right, top (reversed), left (reversed); drop each edge's last vertex.
            let mut ring = Vec::new();
            ring.extend_from_slice(&h[i][j][..SEG]);
            ring.extend_from_slice(&v[i + 1][j][..SEG]);
            ring.extend(h[i][j + 1].iter().rev().take(SEG));
            ring.extend(v[i][j].iter().rev().take(SEG));
            let corners = [
                node[i][j],
                node[i + 1][j],
                node[i + 1][j + 1],
                node[i][j + 1],
            ];
            let seat = pt(
                corners.iter().map(|p| p.x).sum::<f64>() / 4.0,
                corners.iter().map(|p| p.y).sum::<f64>() / 4.0,
            );
            out.push(Township {
                name,
                code,
                ring,
                seat,
            });
        }
    }
    out
}

/// A township's type (镇 or 乡) as its name says: the demo's names end in one or the other.
pub fn township_type(name: &str) -> &'static str {
    if name.ends_with('乡') { "乡" } else { "镇" }
}

fn township_of(towns: &[Township], p: Pt) -> Option<usize> {
    towns.iter().position(|t| contains(&t.ring, p))
}

fn road(id: &mut usize, name: &str, class: &str, piece: Vec<Pt>) -> Feature {
    *id += 1;
    Feature {
        props: vec![
            ("编号", format!("R{:04}", *id).into()),
            ("名称", name.into()),
            ("等级", class.into()),
        ],
        geom: Geom::Line(piece),
    }
}

/// Two ring roads, 15 radial roads, 6 expressways, clipped to the region and
/// split into pieces of 5–10 vertices. Returns the features, the inner ring's
/// radius function (sampled every degree) and all road vertices.
fn roads(ctx: &Ctx) -> (Vec<Feature>, Vec<f64>, Vec<Pt>) {
    let mut rng = ctx.rng(2);
    let mut out = Vec::new();
    let mut id = 0;
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
                ctx.centre.polar(rad(th), th)
            })
            .collect();
        line.push(line[0]);
        for piece in split_pieces(&mut rng, &line) {
            out.push(road(&mut id, name, "环线", piece));
        }
    }
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
                ctx.centre.add(rr * ca - lat * sa, rr * sa + lat * ca)
            })
            .collect();
        let name = format!("放射路{}", k + 1);
        for part in clip_polyline(&line, &ctx.bbox) {
            for piece in split_pieces(&mut rng, &part) {
                out.push(road(&mut id, &name, "放射线", piece));
            }
        }
    }
    for (k, name) in EXPRESSWAYS.iter().enumerate() {
        let ang = PI * k as f64 / 6.0 + rng.uniform(-0.2, 0.2);
        let off = rng.uniform(-12_000.0, 12_000.0);
        let noise = Noise::new(&mut rng, 2);
        let (ca, sa) = (ang.cos(), ang.sin());
        let line: Vec<Pt> = (0..=120)
            .map(|s| -30_000.0 + 500.0 * s as f64)
            .map(|t| {
                let lat = off + 1_200.0 * noise.at(t / 15_000.0);
                ctx.centre.add(t * ca - lat * sa, t * sa + lat * ca)
            })
            .collect();
        for part in clip_polyline(&line, &ctx.bbox) {
            for piece in split_pieces(&mut rng, &part) {
                out.push(road(&mut id, name, "快速通道", piece));
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
    (out, inner, pts)
}

/// Three meandering rivers, each a strip of its width clipped to the region.
fn corridors(ctx: &Ctx) -> (Vec<Feature>, Vec<Vec<Pt>>) {
    let mut rng = ctx.rng(3);
    let mut out = Vec::new();
    let mut lines = Vec::new();
    let base = rng.uniform(0.0, PI);
    for (k, (name, level, wlo, whi)) in CORRIDORS.iter().enumerate() {
        let ang = base + PI * k as f64 / 3.0 + rng.uniform(-0.25, 0.25);
        let off = rng.uniform(-9_000.0, 9_000.0);
        let noise = Noise::new(&mut rng, 4);
        let width = (rng.uniform(*wlo, *whi) / 10.0).round() * 10.0;
        let (ca, sa) = (ang.cos(), ang.sin());
        let line: Vec<Pt> = (0..=256)
            .map(|s| -32_000.0 + 250.0 * s as f64)
            .map(|t| {
                let lat = off + 1_800.0 * noise.at(t / 7_000.0);
                ctx.centre.add(t * ca - lat * sa, t * sa + lat * ca)
            })
            .collect();
        let ring = clip_ring(&offset_strip(&line, width / 2.0), &ctx.bbox);
        out.push(Feature {
            props: vec![
                ("编号", format!("C{:02}", k + 1).into()),
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

/// Urban construction land inside the inner ring, two industrial clusters
/// between the rings, and construction land around six outer township seats.
/// Returns the features and the discs they occupy.
fn zoning(ctx: &Ctx, towns: &[Township], inner: &[f64]) -> (Vec<Feature>, Vec<Disc>) {
    let mut rng = ctx.rng(4);
    let mut out = Vec::new();
    let mut discs = Vec::new();
    let push = |out: &mut Vec<Feature>, name: String, class: &str, ring: Vec<Pt>| {
        let id = format!("Z{:02}", out.len() + 1);
        out.push(Feature {
            props: vec![
                ("编号", id.into()),
                ("名称", name.into()),
                ("用地类型", class.into()),
            ],
            geom: Geom::Polygon(ring),
        });
    };
    let urban: Vec<Pt> = (0..72)
        .map(|k| {
            let d = k * 5;
            ctx.centre.polar(inner[d] + 250.0, (d as f64).to_radians())
        })
        .collect();
    let r_urban = urban.iter().map(|&p| ctx.r(p)).fold(0.0, f64::max);
    discs.push(Disc {
        c: ctx.centre,
        r: r_urban,
    });
    push(&mut out, "中心城区".into(), "城镇建设用地", urban);

    let a0 = rng.angle();
    for (k, name) in ["经开产业集聚区", "白沙产业集聚区"].iter().enumerate() {
        let a = a0 + PI * k as f64 + rng.uniform(-0.6, 0.6);
        let c = ctx.centre.polar(8_500.0, a);
        let ring = star(&mut rng, c, 1_300.0, 24, 0.15);
        discs.push(Disc {
            c,
            r: 1_300.0 * 1.15,
        });
        push(&mut out, (*name).into(), "产业集聚区", ring);
    }

    let mut outer: Vec<usize> = (0..towns.len())
        .filter(|&i| ctx.r(towns[i].seat) > 12_000.0)
        .collect();
    rng.shuffle(&mut outer);
    let mut chosen: Vec<usize> = outer.into_iter().take(6).collect();
    chosen.sort();
    for i in chosen {
        let t = &towns[i];
        let r0 = rng.uniform(500.0, 800.0);
        let c = t.seat;
        if dist_to_ring(&t.ring, c) < r0 * 1.15 + 50.0 || !clear_of(&discs, c, r0 * 1.15, 100.0) {
            continue;
        }
        let ring = star(&mut rng, c, r0, 20, 0.15);
        discs.push(Disc { c, r: r0 * 1.15 });
        push(&mut out, format!("{}驻地", t.name), "乡村建设用地", ring);
    }
    (out, discs)
}

/// One red-line patch on the 一级 corridor (a wetland) and one in the hills.
fn redline(ctx: &Ctx, corridor_lines: &[Vec<Pt>], taken: &mut Vec<Disc>) -> Vec<Feature> {
    let mut rng = ctx.rng(5);
    let mut out = Vec::new();
    let wet = corridor_lines[0]
        .iter()
        .copied()
        .filter(|&p| {
            ctx.bbox.contains(p)
                && ctx.bbox.margin(p) > 2_500.0
                && (13_000.0..17_000.0).contains(&ctx.r(p))
                && clear_of(taken, p, 1_500.0 * 1.15, 200.0)
        })
        .collect::<Vec<_>>();
    let mut candidates = Vec::new();
    if !wet.is_empty() {
        candidates.push(("贾鲁河湿地生态保护红线", wet[rng.below(wet.len())], 1_500.0));
    }
    for _ in 0..10_000 {
        let c = in_disc(&mut rng, ctx.centre, HALF * 1.4);
        if ctx.bbox.contains(c) && ctx.bbox.margin(c) > 2_500.0 && ctx.r(c) > 14_000.0 {
            candidates.push(("丘陵水源涵养生态保护红线", c, 2_000.0));
            break;
        }
    }
    for (name, c, r0) in candidates {
        if !clear_of(taken, c, r0 * 1.15, 200.0) {
            continue;
        }
        taken.push(Disc { c, r: r0 * 1.15 });
        let ring = star(&mut rng, c, r0, 28, 0.15);
        out.push(Feature {
            props: vec![
                ("编号", format!("HX{:02}", out.len() + 1).into()),
                ("名称", name.into()),
            ],
            geom: Geom::Polygon(ring),
        });
    }
    out
}

/// Permanent basic farmland patches, away from the centre and clear of
/// construction land and the red line.
fn farmland(ctx: &Ctx, taken: &mut Vec<Disc>, proj: &Projector) -> Vec<Feature> {
    let mut rng = ctx.rng(6);
    let mut out = Vec::new();
    for _ in 0..5_000 {
        if out.len() == 24 {
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
            || !clear_of(taken, c, rmax, 150.0)
        {
            continue;
        }
        taken.push(Disc { c, r: rmax });
        let nvert = rng.range_incl(16, 24);
        let ring = star(&mut rng, c, r0, nvert, 0.15);
        let ha = proj.hectares(&ring);
        out.push(Feature {
            props: vec![
                ("编号", format!("NT{:03}", out.len() + 1).into()),
                ("类型", "永久基本农田".into()),
                ("面积公顷", Val::Fixed2(ha)),
            ],
            geom: Geom::Polygon(ring),
        });
    }
    out
}

/// Candidate resettlement sites: 2–3 rotated rectangles per township near its
/// seat (8 townships get 3, 8 get 2: 40 sites). Returns the features and,
/// per site, (township index, centre, name).
#[allow(clippy::type_complexity)]
fn sites(
    ctx: &Ctx,
    towns: &[Township],
    proj: &Projector,
) -> (Vec<Feature>, Vec<(usize, Pt, String)>) {
    let mut rng = ctx.rng(7);
    let mut counts: Vec<usize> = (0..towns.len())
        .map(|i| if i % 2 == 0 { 3 } else { 2 })
        .collect();
    rng.shuffle(&mut counts);
    let mut out = Vec::new();
    let mut pts = Vec::new();
    let mut discs: Vec<Disc> = Vec::new();
    for (ti, t) in towns.iter().enumerate() {
        let mut made = 0;
        for _ in 0..10_000 {
            if made == counts[ti] {
                break;
            }
            let c = in_disc(&mut rng, t.seat, 3_500.0);
            let ha = rng.uniform(20.0, 80.0);
            let aspect = rng.uniform(0.6, 1.6);
            let rot = rng.uniform(0.0, PI);
            let w = (ha * 1e4 * aspect).sqrt();
            let h = ha * 1e4 / w;
            let half_diag = 0.5 * w.hypot(h);
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
                    let (dx, dy) = (u * w, v * h);
                    c.add(dx * cr - dy * sr, dx * sr + dy * cr)
                })
                .collect();
            made += 1;
            let name = format!("{}新社区{}", t.name, made);
            let ha = proj.hectares(&ring);
            out.push(Feature {
                props: vec![
                    ("编号", format!("S{:03}", out.len() + 1).into()),
                    ("名称", name.clone().into()),
                    ("乡镇", t.name.into()),
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

/// ~600 star-shaped villages: 15 % near a road, 5 % near a corridor, the rest
/// in clusters outside the urban core; each lies wholly inside its township
/// and clear of the other villages.
fn villages(
    ctx: &Ctx,
    towns: &[Township],
    road_pts: &[Pt],
    corridor_pts: &[Pt],
    sites: &[(usize, Pt, String)],
) -> Vec<Feature> {
    let mut rng = ctx.rng(8);
    let clusters: Vec<Pt> = (0..100)
        .map(|_| {
            let c = pt(
                rng.uniform(ctx.bbox.x0 + 2_000.0, ctx.bbox.x1 - 2_000.0),
                rng.uniform(ctx.bbox.y0 + 2_000.0, ctx.bbox.y1 - 2_000.0),
            );
            let r = ctx.r(c);
            if r < 6_000.0 {
                let a = (c.y - ctx.centre.y).atan2(c.x - ctx.centre.x);
                ctx.centre.polar(rng.uniform(6_000.0, 9_000.0), a)
            } else {
                c
            }
        })
        .collect();
    let mut placed: Vec<(Village, f64)> = Vec::new();
    let mut discs: Vec<Disc> = Vec::new();
    for _ in 0..200_000 {
        if placed.len() == VILLAGES {
            break;
        }
        let u = rng.f64();
        let c = if u < 0.15 {
            let p = road_pts[rng.below(road_pts.len())];
            in_disc(&mut rng, p, 450.0)
        } else if u < 0.20 {
            let p = corridor_pts[rng.below(corridor_pts.len())];
            in_disc(&mut rng, p, 600.0)
        } else {
            let k = clusters[rng.below(clusters.len())];
            k.add(2_200.0 * rng.normal(), 2_200.0 * rng.normal())
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
        let Some(ti) = township_of(towns, c) else {
            continue;
        };
        if dist_to_ring(&towns[ti].ring, c) < rmax + 30.0 || !clear_of(&discs, c, rmax, 60.0) {
            continue;
        }
        let nvert = rng.range_incl(8, 20);
        let ring = star(&mut rng, c, r0, nvert, 0.25);
        discs.push(Disc { c, r: rmax });
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

    let mut used_names = HashSet::new();
    let surnames: Vec<char> = SURNAMES.chars().collect();
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
            let n = format!(
                "{}{}村",
                surnames[rng.below(surnames.len())],
                SUFFIXES[rng.below(SUFFIXES.len())]
            );
            if used_names.insert(n.clone()) {
                break n;
            }
        };
        let code = format!("{}{:03}", t.code, next_code[v.town]);
        next_code[v.town] += 1;
        let community = sites
            .iter()
            .filter(|s| s.0 == v.town)
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
            ("乡镇", t.name.into()),
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
                    ("编号", format!("F{:03}", out.len() + 1).into()),
                    ("类型", class.into()),
                    ("名称", name.into()),
                ],
                geom: Geom::Point(p),
            });
        }
    }
    out
}
