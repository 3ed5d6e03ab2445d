//! Large polygons prepared for many small queries: their edges in an R-tree.
//!
//! A corridor surveyed to a million vertices is tested against every village near it; a scan
//! of its whole ring per village would cost villages × vertices. As GEOS's prepared geometries
//! do, the edges go once into an R-tree (in runs of a few, to keep the tree small), and each
//! query reads only the runs near it. The answers are the full scans' to the bit: a point's
//! position sums the same winding terms (only edges that reach the ray to its right can add
//! one), and the edges near a box come in ring order.

use std::collections::BTreeMap;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, CoordsIter, LineString, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Edges per run: one box in the tree.
const RUN: usize = 8;

/// From this many vertices a polygon is worth an edge tree (below it, a scan is as fast).
const WORTH_IT: usize = 1024;

/// Edges `first..end` of one ring: edge `k` joins vertices `k` and `k + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Run {
    polygon: u32,
    /// 0 is the exterior, `1 + i` the interior `i`.
    ring: u32,
    first: u32,
    end: u32,
}

/// The edges of one `MultiPolygon` (not held here) in an R-tree of runs.
#[derive(Debug)]
pub(crate) struct EdgeTree {
    runs: RTree<GeomWithData<Rectangle<[f64; 2]>, Run>>,
    /// Rings of one vertex: no edge, yet a point on them is on the boundary.
    points: Vec<(u32, u32)>,
}

impl EdgeTree {
    /// The tree of `polygon`'s edges, if it has enough vertices for one to pay.
    pub(crate) fn for_large(polygon: &MultiPolygon<f64>) -> Option<EdgeTree> {
        (polygon.coords_count() >= WORTH_IT).then(|| EdgeTree::new(polygon))
    }

    pub(crate) fn new(polygon: &MultiPolygon<f64>) -> EdgeTree {
        let mut runs = Vec::new();
        let mut points = Vec::new();
        for (p, poly) in polygon.0.iter().enumerate() {
            let rings = std::iter::once(poly.exterior()).chain(poly.interiors());
            for (r, ring) in rings.enumerate() {
                let (p, r) = (p as u32, r as u32);
                let edges = ring.0.len().saturating_sub(1);
                if ring.0.len() == 1 {
                    points.push((p, r));
                }
                for first in (0..edges).step_by(RUN) {
                    let end = (first + RUN).min(edges);
                    let (mut lo, mut hi) = (ring.0[first], ring.0[first]);
                    for c in &ring.0[first + 1..=end] {
                        lo = Coord {
                            x: lo.x.min(c.x),
                            y: lo.y.min(c.y),
                        };
                        hi = Coord {
                            x: hi.x.max(c.x),
                            y: hi.y.max(c.y),
                        };
                    }
                    let run = Run {
                        polygon: p,
                        ring: r,
                        first: first as u32,
                        end: end as u32,
                    };
                    let rect = Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]);
                    runs.push(GeomWithData::new(rect, run));
                }
            }
        }
        EdgeTree {
            runs: RTree::bulk_load(runs),
            points,
        }
    }

    /// The runs whose box meets `rect`, in ring order (polygon, ring, first edge).
    fn runs_near(&self, rect: Rect<f64>) -> Vec<Run> {
        let envelope =
            AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let mut runs: Vec<Run> = self
            .runs
            .locate_in_envelope_intersecting(envelope)
            .map(|r| r.data)
            .collect();
        runs.sort_unstable();
        runs
    }
}

/// A polygon with its edge tree, if it has one: the one view the spatial tests take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape<'a> {
    pub polygon: &'a MultiPolygon<f64>,
    pub edges: Option<&'a EdgeTree>,
}

impl<'a> Shape<'a> {
    /// A polygon without a tree: every query scans it.
    pub(crate) fn plain(polygon: &'a MultiPolygon<f64>) -> Shape<'a> {
        Shape {
            polygon,
            edges: None,
        }
    }

    /// Where `c` lies: the same answer as `geo`'s `coordinate_position`.
    pub(crate) fn position(&self, c: Coord<f64>) -> CoordPos {
        let Some(tree) = self.edges else {
            return self.polygon.coordinate_position(&c);
        };
        let Some(max_x) = tree.runs.root().envelope().upper().first().copied() else {
            return CoordPos::Outside;
        };
        // Winding number and "on an edge", per ring that any edge near the ray reaches.
        let mut rings: BTreeMap<(u32, u32), (i64, bool)> = BTreeMap::new();
        let ray = Rect::new(
            c,
            Coord {
                x: max_x.max(c.x),
                y: c.y,
            },
        );
        for run in tree.runs_near(ray) {
            let ring = self.ring(run.polygon, run.ring);
            let entry = rings.entry((run.polygon, run.ring)).or_default();
            for w in ring.0[run.first as usize..=run.end as usize].windows(2) {
                match winding(w[0], w[1], c) {
                    Winding::OnEdge => entry.1 = true,
                    Winding::Add(n) => entry.0 += n,
                }
            }
        }
        for &(p, r) in &tree.points {
            if self.ring(p, r).0[0] == c {
                rings.entry((p, r)).or_default().1 = true;
            }
        }
        let ring_position = |p: u32, r: u32| match rings.get(&(p, r)) {
            Some((_, true)) => CoordPos::OnBoundary,
            Some((w, false)) if *w != 0 => CoordPos::Inside,
            _ => CoordPos::Outside,
        };
        // As `geo` composes rings into polygons and polygons into a multipolygon.
        let (mut inside, mut boundaries) = (false, 0usize);
        let exteriors: Vec<u32> = rings.keys().filter(|k| k.1 == 0).map(|k| k.0).collect();
        for p in exteriors {
            match ring_position(p, 0) {
                CoordPos::Outside => {}
                CoordPos::OnBoundary => boundaries += 1,
                CoordPos::Inside => {
                    let holes = rings.range((p, 1)..=(p, u32::MAX)).map(|(k, _)| k.1);
                    match holes
                        .map(|r| ring_position(p, r))
                        .find(|h| *h != CoordPos::Outside)
                    {
                        Some(CoordPos::OnBoundary) => boundaries += 1,
                        Some(_) => {}
                        None => inside = true,
                    }
                }
            }
        }
        if boundaries % 2 == 1 {
            CoordPos::OnBoundary
        } else if inside {
            CoordPos::Inside
        } else {
            CoordPos::Outside
        }
    }

    /// Calls `f` once per ring with edges whose bounding box may meet `rect` (without a tree,
    /// every ring): the ring's edges as pieces of consecutive vertices, in ring order (edges
    /// between two pieces are left out: their boxes miss `rect`). Nothing is allocated for a
    /// polygon without a tree.
    pub(crate) fn for_each_ring_near(
        &self,
        rect: Rect<f64>,
        mut f: impl FnMut(&[&'a [Coord<f64>]]),
    ) {
        let Some(tree) = self.edges else {
            for poly in &self.polygon.0 {
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    f(&[&ring.0[..]]);
                }
            }
            return;
        };
        let mut pieces: Vec<&'a [Coord<f64>]> = Vec::new();
        let mut last: Option<Run> = None;
        for run in tree.runs_near(rect) {
            let ring = &self.ring(run.polygon, run.ring).0;
            let slice = &ring[run.first as usize..=run.end as usize];
            match last {
                Some(l) if (l.polygon, l.ring) == (run.polygon, run.ring) => {
                    if l.end == run.first {
                        // Adjacent runs: one piece, as the scan would walk it.
                        let piece = pieces.last_mut().expect("a piece was started");
                        let start = run.first as usize + 1 - piece.len();
                        *piece = &ring[start..=run.end as usize];
                    } else {
                        pieces.push(slice);
                    }
                }
                _ => {
                    if !pieces.is_empty() {
                        f(&pieces);
                    }
                    pieces.clear();
                    pieces.push(slice);
                }
            }
            last = Some(run);
        }
        if !pieces.is_empty() {
            f(&pieces);
        }
    }

    fn ring(&self, p: u32, r: u32) -> &'a LineString<f64> {
        let polygon = &self.polygon.0[p as usize];
        match r {
            0 => polygon.exterior(),
            r => &polygon.interiors()[r as usize - 1],
        }
    }
}

enum Winding {
    OnEdge,
    Add(i64),
}

/// What edge ab adds to the winding number of `c` (`geo`'s rules: an upward edge includes its
/// start and excludes its end, a downward edge the reverse, horizontal edges count nothing).
fn winding(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> Winding {
    let between = |v: f64, p: f64, q: f64| v >= p.min(q) && v <= p.max(q);
    if a.y <= c.y {
        if b.y >= c.y {
            let o = RobustKernel::orient2d(a, b, c);
            if o == Orientation::CounterClockwise && b.y != c.y {
                return Winding::Add(1);
            } else if o == Orientation::Collinear && between(c.x, a.x, b.x) {
                return Winding::OnEdge;
            }
        }
    } else if b.y <= c.y {
        let o = RobustKernel::orient2d(a, b, c);
        if o == Orientation::Clockwise {
            return Winding::Add(-1);
        } else if o == Orientation::Collinear && between(c.x, a.x, b.x) {
            return Winding::OnEdge;
        }
    }
    Winding::Add(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Polygon, polygon};

    /// A star with a hole and a spiky outline, densified so that a tree is built.
    fn spiky(centre: (f64, f64), n: usize) -> Polygon<f64> {
        let ring = |r0: f64, spikes: f64, reverse: bool| {
            let mut pts: Vec<Coord<f64>> = (0..n)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    let r = r0 * (1.0 + 0.3 * (spikes * a).sin());
                    Coord {
                        x: centre.0 + r * a.cos(),
                        y: centre.1 + r * a.sin(),
                    }
                })
                .collect();
            if reverse {
                pts.reverse();
            }
            pts.push(pts[0]);
            LineString(pts)
        };
        Polygon::new(ring(100.0, 7.0, false), vec![ring(30.0, 5.0, true)])
    }

    #[test]
    fn positions_agree_with_geo_everywhere() {
        let mp = MultiPolygon(vec![
            spiky((0.0, 0.0), 3000),
            spiky((250.0, 0.0), 700),
            polygon![(x: 400., y: 0.), (x: 410., y: 0.), (x: 410., y: 10.), (x: 400., y: 10.)],
        ]);
        let tree = EdgeTree::new(&mp);
        let shape = Shape {
            polygon: &mp,
            edges: Some(&tree),
        };
        let mut seen = [0usize; 3];
        for i in -150..=450 {
            for j in -150..=150 {
                let c = Coord {
                    x: f64::from(i) + 0.37,
                    y: f64::from(j) * 0.9,
                };
                let want = mp.coordinate_position(&c);
                assert_eq!(shape.position(c), want, "at {c:?}");
                seen[match want {
                    CoordPos::Inside => 0,
                    CoordPos::OnBoundary => 1,
                    CoordPos::Outside => 2,
                }] += 1;
            }
        }
        // Vertices and points on edges: on the boundary in both.
        for c in mp.coords_iter().step_by(97) {
            assert_eq!(shape.position(c), CoordPos::OnBoundary, "at {c:?}");
        }
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }

    #[test]
    fn edges_near_a_box_are_the_scans_edges_in_ring_order() {
        let mp = MultiPolygon(vec![spiky((0.0, 0.0), 5000)]);
        let tree = EdgeTree::new(&mp);
        let shape = Shape {
            polygon: &mp,
            edges: Some(&tree),
        };
        let window = Rect::new(Coord { x: 20.0, y: -40.0 }, Coord { x: 90.0, y: 10.0 });
        let touches = |a: Coord<f64>, b: Coord<f64>| {
            let e = Rect::new(a, b);
            e.min().x <= window.max().x
                && window.min().x <= e.max().x
                && e.min().y <= window.max().y
                && window.min().y <= e.max().y
        };
        let mut near: Vec<Vec<&[Coord<f64>]>> = Vec::new();
        shape.for_each_ring_near(window, |pieces| near.push(pieces.to_vec()));
        assert_eq!(near.len(), 2, "both rings reach the window");
        for pieces in near {
            // The ring the pieces were cut from.
            let holds = |r: &LineString<f64>| r.0.as_ptr_range().contains(&pieces[0].as_ptr());
            let ring = std::iter::once(mp.0[0].exterior())
                .chain(mp.0[0].interiors())
                .find(|r| holds(r))
                .expect("a piece of a ring");
            let want: Vec<usize> = (0..ring.0.len() - 1)
                .filter(|&k| touches(ring.0[k], ring.0[k + 1]))
                .collect();
            let offsets: Vec<usize> = pieces
                .iter()
                .flat_map(|piece| {
                    let start = piece.as_ptr() as usize - ring.0.as_ptr() as usize;
                    let start = start / std::mem::size_of::<Coord<f64>>();
                    start..start + piece.len() - 1
                })
                .collect();
            // Every touching edge, in order; the others come only as neighbours in a run.
            let kept: Vec<usize> = offsets
                .iter()
                .copied()
                .filter(|&k| touches(ring.0[k], ring.0[k + 1]))
                .collect();
            assert_eq!(kept, want);
            assert!(offsets.windows(2).all(|w| w[0] < w[1]));
            assert!(
                offsets.len() < ring.0.len() / 4,
                "{} edges read",
                offsets.len()
            );
        }
    }
}
