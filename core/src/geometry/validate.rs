//! Checks that a geometry can be computed with, and says what is wrong when it cannot.
//!
//! Two levels: the structure (closed rings, enough positions; with the coordinates' range for
//! their CRS in `io::structure`) is cheap and checked on every feature read; [`check_simple`]
//! (no ring crosses itself or another) costs more and runs on every polygon that enters an area
//! or overlay computation.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// A coordinate for a message: as written, but 1e308 rather than its 309 digits.
pub(crate) fn number(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Checks that ring number `i` of a polygon is closed and has at least 4 positions.
pub(crate) fn check_ring(ring: &LineString<f64>, i: usize) -> Result<(), String> {
    let n = ring.0.len();
    if n < 4 {
        return Err(format!(
            "ring {i} has {n} position(s), a closed ring needs at least 4"
        ));
    }
    let (first, last) = (ring.0[0], ring.0[n - 1]);
    if first != last {
        return Err(format!(
            "ring {i} is not closed: it starts at ({}, {}) and ends at ({}, {})",
            first.x, first.y, last.x, last.y
        ));
    }
    Ok(())
}

/// Checks that no ring of the polygon crosses itself or another ring.
///
/// Segments are swept in order of their smallest x, so only segments whose x-ranges overlap
/// are compared: near-linear for the rings planners draw, however large; a ring that would
/// make the sweep quadratic is checked through an R-tree of its segments instead.
///
/// # Examples
///
/// ```
/// use geo::polygon;
/// use hecun::check_simple;
///
/// let square = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)];
/// assert!(check_simple(&square).is_ok());
/// let bow_tie = polygon![(x: 0., y: 0.), (x: 2., y: 2.), (x: 2., y: 0.), (x: 0., y: 2.)];
/// assert!(check_simple(&bow_tie).unwrap_err().contains("crosses itself"));
/// ```
pub fn check_simple(polygon: &Polygon<f64>) -> Result<(), String> {
    struct Seg {
        line: Line<f64>,
        ring: usize,
        /// Position in the ring, counting only segments of non-zero length.
        pos: usize,
        min_x: f64,
        max_x: f64,
    }
    let mut ring_len = Vec::new();
    let mut segs = Vec::new();
    for (ri, r) in std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .enumerate()
    {
        let lines: Vec<Line<f64>> = r.lines().filter(|l| l.start != l.end).collect();
        if lines.len() < 3 {
            return Err(format!("ring {ri} has fewer than 3 distinct vertices"));
        }
        let n = lines.len();
        for (i, l) in lines.iter().enumerate() {
            // Consecutive segments share a vertex; they are wrong only if they fold back.
            if folds_back(*l, lines[(i + 1) % n]) {
                return Err(format!(
                    "ring {ri} crosses itself near ({}, {}) (it folds back on itself)",
                    l.end.x, l.end.y
                ));
            }
        }
        ring_len.push(n);
        segs.extend(lines.into_iter().enumerate().map(|(pos, line)| Seg {
            line,
            ring: ri,
            pos,
            min_x: line.start.x.min(line.end.x),
            max_x: line.start.x.max(line.end.x),
        }));
    }
    segs.sort_by(|a, b| a.min_x.total_cmp(&b.min_x));
    let check = |a: &Seg, b: &Seg| -> Result<(), String> {
        if a.ring == b.ring {
            let n = ring_len[a.ring];
            let gap = a.pos.abs_diff(b.pos);
            if gap == 1 || gap == n - 1 {
                return Ok(()); // neighbours: checked above
            }
            if crate::geometry::segments::segments_touch(
                a.line.start,
                a.line.end,
                b.line.start,
                b.line.end,
            ) {
                let at =
                    line_intersection(a.line, b.line).map_or(a.line.start, |hit| point_of(&hit));
                return Err(format!(
                    "ring {} crosses itself near ({}, {}) (segments {} and {})",
                    a.ring,
                    at.x,
                    at.y,
                    a.pos.min(b.pos),
                    a.pos.max(b.pos)
                ));
            }
        } else if let Some(hit) = line_intersection(a.line, b.line) {
            // Rings may touch at a point (valid in OGC terms) but not cross.
            if !matches!(
                hit,
                LineIntersection::SinglePoint {
                    is_proper: false,
                    ..
                }
            ) {
                let at = point_of(&hit);
                return Err(format!(
                    "rings {} and {} cross near ({}, {})",
                    a.ring.min(b.ring),
                    a.ring.max(b.ring),
                    at.x,
                    at.y
                ));
            }
        }
        Ok(())
    };
    // The sweep compares every pair whose x-ranges overlap: near-linear for rings as drawn,
    // quadratic for a ring whose edges all span the same x (a serpentine). Past a budget of
    // comparisons, the pairs come from an R-tree of the segments' boxes instead: the pairs
    // that can touch, in the sweep's order, so the same first crossing is reported.
    let mut budget = 16 * segs.len() + 4096;
    let mut tree = None;
    for (k, a) in segs.iter().enumerate() {
        if tree.is_none() {
            let overlapping = segs[k + 1..].iter().take_while(|b| b.min_x <= a.max_x);
            let mut over_budget = false;
            for b in overlapping {
                if budget == 0 {
                    over_budget = true;
                    break;
                }
                budget -= 1;
                check(a, b)?;
            }
            if !over_budget {
                continue;
            }
            tree = Some(segment_tree(segs.iter().map(|s| s.line)));
        }
        let Some(tree) = &tree else { continue };
        let mut near: Vec<usize> = tree
            .locate_in_envelope_intersecting(envelope(a.line))
            .map(|s| s.data)
            .filter(|&j| j > k)
            .collect();
        near.sort_unstable();
        for j in near {
            check(a, &segs[j])?;
        }
    }
    Ok(())
}

type SegmentTree = RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>;

/// The segments' bounding boxes in an R-tree, each with its position in `lines`.
fn segment_tree(lines: impl Iterator<Item = Line<f64>>) -> SegmentTree {
    RTree::bulk_load(
        lines
            .enumerate()
            .map(|(i, l)| GeomWithData::new(Rectangle::from_aabb(envelope(l)), i))
            .collect(),
    )
}

fn envelope(l: Line<f64>) -> AABB<[f64; 2]> {
    AABB::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y])
}

/// Whether segment `b`, which starts where `a` ends, runs back along `a`.
fn folds_back(a: Line<f64>, b: Line<f64>) -> bool {
    use geo::kernels::{Kernel, Orientation, RobustKernel};
    if RobustKernel::orient2d(a.start, a.end, b.end) != Orientation::Collinear {
        return false;
    }
    let (u, v) = (a.start - a.end, b.end - b.start);
    u.x * v.x + u.y * v.y > 0.0
}

fn point_of(hit: &LineIntersection<f64>) -> Coord<f64> {
    match hit {
        LineIntersection::SinglePoint { intersection, .. } => *intersection,
        LineIntersection::Collinear { intersection } => intersection.start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, polygon};

    #[test]
    fn open_rings_are_named() {
        let open = LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 1.)]);
        assert!(check_ring(&open, 0).unwrap_err().contains("not closed"));
    }

    #[test]
    fn spikes_and_crossing_holes_are_invalid() {
        let spike = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 3., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.)];
        assert!(check_simple(&spike).is_err());
        let crossing_hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 5., y: 1.), (x: 5., y: 2.), (x: 1., y: 2.)]],
        );
        assert!(check_simple(&crossing_hole).unwrap_err().contains("cross"));
        let hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 2.)]],
        );
        assert!(check_simple(&hole).is_ok());
    }

    /// A serpentine: every long edge spans the same x, so the sweep alone would compare
    /// n²/2 pairs; the R-tree finds the same first crossing as the sweep.
    #[test]
    fn a_serpentine_is_checked_through_the_tree() {
        let teeth = 3000;
        let mut ring = Vec::new();
        for t in 0..teeth {
            let y = f64::from(t) * 2.0;
            let (from, to) = if t % 2 == 0 {
                (0.0, 100.0)
            } else {
                (100.0, 0.0)
            };
            ring.push(Coord { x: from, y });
            ring.push(Coord { x: to, y });
        }
        ring.push(Coord {
            x: -1.0,
            y: f64::from(teeth) * 2.0,
        });
        ring.push(Coord { x: -1.0, y: 0.0 });
        let serpentine = |ring: Vec<Coord<f64>>| {
            let mut closed = ring;
            closed.push(closed[0]);
            Polygon::new(LineString(closed), vec![])
        };
        // The return edge along x = -1 touches nothing: valid.
        let ring_ok = ring.clone();
        assert_eq!(check_simple(&serpentine(ring_ok)), Ok(()));
        // Now one tooth reaches past the return edge: the same message either way.
        let mut bad = ring;
        bad[2 * 1500] = Coord { x: -5.0, y: 3000.0 };
        let msg = check_simple(&serpentine(bad.clone())).unwrap_err();
        assert!(msg.contains("crosses itself"), "{msg}");
        // The sweep alone, for the oracle: all pairs whose x-ranges overlap, in order.
        let lines: Vec<Line<f64>> = serpentine(bad).exterior().lines().collect();
        let mut order: Vec<usize> = (0..lines.len()).collect();
        let min_x = |l: &Line<f64>| l.start.x.min(l.end.x);
        order.sort_by(|&a, &b| min_x(&lines[a]).total_cmp(&min_x(&lines[b])));
        let n = lines.len();
        let first = order.iter().enumerate().find_map(|(k, &a)| {
            let max_x = lines[a].start.x.max(lines[a].end.x);
            order[k + 1..]
                .iter()
                .take_while(|&&b| min_x(&lines[b]) <= max_x)
                .find(|&&b| {
                    let gap = a.abs_diff(b);
                    gap != 1
                        && gap != n - 1
                        && crate::geometry::segments::segments_touch(
                            lines[a].start,
                            lines[a].end,
                            lines[b].start,
                            lines[b].end,
                        )
                })
                .map(|&b| (a.min(b), a.max(b)))
        });
        let (i, j) = first.expect("the sweep finds the crossing");
        assert!(
            msg.contains(&format!("(segments {i} and {j})")),
            "{msg} vs {i}, {j}"
        );
    }

    #[test]
    fn repeated_points_are_tolerated() {
        let p = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)];
        assert!(check_simple(&p).is_ok());
    }
}
