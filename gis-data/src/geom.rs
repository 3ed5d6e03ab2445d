//! Planar geometry helpers in projected metres (EPSG:4547).
//!
//! Polygons are single exterior rings stored *open* (the closing vertex is
//! added by the writer) and counter-clockwise.

use crate::rng::Rng;
use std::f64::consts::{PI, TAU};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

pub const fn pt(x: f64, y: f64) -> Pt {
    Pt { x, y }
}

impl Pt {
    pub fn dist(self, o: Pt) -> f64 {
        (self.x - o.x).hypot(self.y - o.y)
    }
    pub fn add(self, dx: f64, dy: f64) -> Pt {
        pt(self.x + dx, self.y + dy)
    }
    pub fn polar(self, r: f64, a: f64) -> Pt {
        pt(self.x + r * a.cos(), self.y + r * a.sin())
    }
}

/// Axis-aligned rectangle.
#[derive(Clone, Copy, Debug)]
pub struct BBox {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl BBox {
    pub fn contains(&self, p: Pt) -> bool {
        p.x >= self.x0 && p.x <= self.x1 && p.y >= self.y0 && p.y <= self.y1
    }
    /// Distance from an inside point to the nearest edge.
    pub fn margin(&self, p: Pt) -> f64 {
        (p.x - self.x0)
            .min(self.x1 - p.x)
            .min(p.y - self.y0)
            .min(self.y1 - p.y)
    }
}

/// A smooth random function: a normalised sum of sinusoids, |value| <= 1.
pub struct Noise {
    terms: Vec<(f64, f64)>,
    norm: f64,
}

impl Noise {
    pub fn new(rng: &mut Rng, n_terms: usize) -> Self {
        let terms: Vec<(f64, f64)> = (1..=n_terms)
            .map(|k| (rng.uniform(-1.0, 1.0) / k as f64, rng.angle()))
            .collect();
        let norm = (1..=n_terms).map(|k| 1.0 / k as f64).sum::<f64>();
        Noise { terms, norm }
    }

    /// Harmonics k = 1..n of `t` (periodic with period 2π).
    pub fn at(&self, t: f64) -> f64 {
        let s: f64 = self
            .terms
            .iter()
            .enumerate()
            .map(|(i, &(a, ph))| a * ((i + 1) as f64 * t + ph).sin())
            .sum();
        s / self.norm
    }
}

/// Twice the signed area (positive = counter-clockwise).
pub fn signed_area2(ring: &[Pt]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

pub fn area(ring: &[Pt]) -> f64 {
    signed_area2(ring).abs() / 2.0
}

pub fn make_ccw(ring: &mut [Pt]) {
    if signed_area2(ring) < 0.0 {
        ring.reverse();
    }
}

/// Point in polygon (even–odd ray casting).
pub fn contains(ring: &[Pt], p: Pt) -> bool {
    let n = ring.len();
    let mut inside = false;
    let mut j = n - 1;
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

pub fn dist_to_segment(p: Pt, a: Pt, b: Pt) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let l2 = dx * dx + dy * dy;
    let t = if l2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / l2).clamp(0.0, 1.0)
    };
    p.dist(pt(a.x + t * dx, a.y + t * dy))
}

/// Distance from a point to a ring's boundary.
pub fn dist_to_ring(ring: &[Pt], p: Pt) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| dist_to_segment(p, ring[i], ring[(i + 1) % n]))
        .fold(f64::INFINITY, f64::min)
}

/// A star-shaped (hence simple) CCW polygon: `nvert` vertices at strictly
/// increasing, jittered angles and radii `r0 * [1 - rj, 1 + rj]`.
pub fn star(rng: &mut Rng, c: Pt, r0: f64, nvert: usize, rj: f64) -> Vec<Pt> {
    let start = rng.angle();
    let dth = TAU / nvert as f64;
    (0..nvert)
        .map(|k| {
            let a = start + dth * (k as f64 + rng.uniform(-0.3, 0.3));
            let r = r0 * rng.uniform(1.0 - rj, 1.0 + rj);
            c.polar(r, a)
        })
        .collect()
}

/// Clip a polyline to a box (Liang–Barsky per segment); returns the inside parts.
pub fn clip_polyline(line: &[Pt], b: &BBox) -> Vec<Vec<Pt>> {
    let mut parts = Vec::new();
    let mut cur: Vec<Pt> = Vec::new();
    for w in line.windows(2) {
        let (p, q) = (w[0], w[1]);
        match clip_segment(p, q, b) {
            None => {
                if cur.len() >= 2 {
                    parts.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
            Some((t0, t1)) => {
                let at = |t: f64| pt(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y));
                if cur.is_empty() || t0 > 0.0 {
                    if cur.len() >= 2 {
                        parts.push(std::mem::take(&mut cur));
                    }
                    cur = vec![at(t0)];
                }
                cur.push(if t1 >= 1.0 { q } else { at(t1) });
                if t1 < 1.0 {
                    parts.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if cur.len() >= 2 {
        parts.push(cur);
    }
    parts
}

fn clip_segment(p: Pt, q: Pt, b: &BBox) -> Option<(f64, f64)> {
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pp, qq) in [
        (-dx, p.x - b.x0),
        (dx, b.x1 - p.x),
        (-dy, p.y - b.y0),
        (dy, b.y1 - p.y),
    ] {
        if pp == 0.0 {
            if qq < 0.0 {
                return None;
            }
        } else {
            let r = qq / pp;
            if pp < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 < t1).then_some((t0, t1))
}

/// Sutherland–Hodgman clip of an open ring to a box (the subject must cross
/// the box in one piece for the result to be simple).
pub fn clip_ring(ring: &[Pt], b: &BBox) -> Vec<Pt> {
    type Inside = fn(Pt, &BBox) -> bool;
    type Cut = fn(Pt, Pt, &BBox) -> Pt;
    let edges: [(Inside, Cut); 4] = [
        (
            |p, b| p.x >= b.x0,
            |p, q, b| {
                let t = (b.x0 - p.x) / (q.x - p.x);
                pt(b.x0, p.y + t * (q.y - p.y))
            },
        ),
        (
            |p, b| p.x <= b.x1,
            |p, q, b| {
                let t = (b.x1 - p.x) / (q.x - p.x);
                pt(b.x1, p.y + t * (q.y - p.y))
            },
        ),
        (
            |p, b| p.y >= b.y0,
            |p, q, b| {
                let t = (b.y0 - p.y) / (q.y - p.y);
                pt(p.x + t * (q.x - p.x), b.y0)
            },
        ),
        (
            |p, b| p.y <= b.y1,
            |p, q, b| {
                let t = (b.y1 - p.y) / (q.y - p.y);
                pt(p.x + t * (q.x - p.x), b.y1)
            },
        ),
    ];
    let mut out = ring.to_vec();
    for (inside, cut) in edges {
        let input = std::mem::take(&mut out);
        let n = input.len();
        for i in 0..n {
            let cur = input[i];
            let prev = input[(i + n - 1) % n];
            match (inside(cur, b), inside(prev, b)) {
                (true, true) => out.push(cur),
                (true, false) => {
                    out.push(cut(prev, cur, b));
                    out.push(cur);
                }
                (false, true) => out.push(cut(prev, cur, b)),
                (false, false) => {}
            }
        }
    }
    out.dedup_by(|a, b| a.dist(*b) < 0.5);
    while out.len() > 1 && out[0].dist(out[out.len() - 1]) < 0.5 {
        out.pop();
    }
    out
}

/// Split a polyline into consecutive pieces of 5..=10 vertices sharing their
/// end points (like OSM ways); a polyline of fewer than 5 vertices stays whole.
pub fn split_pieces(rng: &mut Rng, line: &[Pt]) -> Vec<Vec<Pt>> {
    let mut pieces = Vec::new();
    let mut i = 0;
    loop {
        let rest = line.len() - i;
        if rest <= 10 {
            pieces.push(line[i..].to_vec());
            break;
        }
        let mut k = rng.range_incl(5, 10);
        if rest - (k - 1) < 5 {
            k = rest - 4;
        }
        pieces.push(line[i..i + k].to_vec());
        i += k - 1;
    }
    pieces
}

/// The strip of `half` metres on each side of a smooth polyline, as a CCW ring.
pub fn offset_strip(line: &[Pt], half: f64) -> Vec<Pt> {
    let n = line.len();
    let mut left = Vec::with_capacity(n);
    let mut right = Vec::with_capacity(n);
    for i in 0..n {
        let a = line[i.saturating_sub(1)];
        let b = line[(i + 1).min(n - 1)];
        let (tx, ty) = (b.x - a.x, b.y - a.y);
        let l = tx.hypot(ty);
        let (nx, ny) = (-ty / l, tx / l);
        left.push(line[i].add(nx * half, ny * half));
        right.push(line[i].add(-nx * half, -ny * half));
    }
    right.reverse();
    let mut ring = right;
    ring.extend(left);
    make_ccw(&mut ring);
    ring
}

/// Uniform random point in a disc.
pub fn in_disc(rng: &mut Rng, c: Pt, r: f64) -> Pt {
    c.polar(r * rng.f64().sqrt(), rng.angle())
}

/// A gentle wiggle between two nodes: `a` to `b` in `segments` steps, offset
/// sideways by a sine series that vanishes at both ends.
pub fn wiggly_edge(rng: &mut Rng, a: Pt, b: Pt, segments: usize, amp: f64) -> Vec<Pt> {
    let coef: Vec<f64> = (1..=4)
        .map(|k| rng.uniform(-1.0, 1.0) * amp / (k * k) as f64)
        .collect();
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let l = dx.hypot(dy);
    let (nx, ny) = (-dy / l, dx / l);
    (0..=segments)
        .map(|i| {
            let t = i as f64 / segments as f64;
            let w: f64 = coef
                .iter()
                .enumerate()
                .map(|(k, c)| c * ((k + 1) as f64 * PI * t).sin())
                .sum();
            let w = if i == 0 || i == segments { 0.0 } else { w };
            pt(a.x + t * dx + w * nx, a.y + t * dy + w * ny)
        })
        .collect()
}
