//! A road's zone drawn directly: the outline of a polyline buffered with round joins and caps,
//! as JTS/GEOS draw it (each arc split evenly into ⌊angle / (π/2 / quad_segs) + ½⌋ segments).
//!
//! The outline is the left offset of the line, a round cap, the left offset of the reversed
//! line and a round cap. On the outside of a turn the offsets are joined by an arc; on the
//! inside they are cut where they cross. When that gives a simple ring it bounds exactly the
//! union of the segments' capsules, and building it costs a fraction of the general union
//! (`geo`'s `Buffer` over `i_overlay`). When it does not (a road that turns back within its
//! own width, inside offsets that do not meet), the answer is `None` and the caller falls back
//! to the general buffer.

use geo::{Coord, LineString, Polygon};

/// The zone of a polyline, or `None` where the direct outline does not apply.
pub(crate) fn stroke(points: &[Coord<f64>], distance: f64, quad_segs: u32) -> Option<Polygon<f64>> {
    let mut line: Vec<Coord<f64>> = Vec::with_capacity(points.len());
    for &p in points {
        if line.last() != Some(&p) {
            line.push(p);
        }
    }
    if line.len() < 2 || distance <= 0.0 {
        return None;
    }
    let quantum = std::f64::consts::FRAC_PI_2 / f64::from(quad_segs.max(1));
    let mut ring: Vec<Coord<f64>> = Vec::with_capacity(4 * line.len() + 4 * quad_segs as usize + 8);
    left_side(&line, distance, quantum, &mut ring)?;
    cap(line[line.len() - 1], distance, quantum, &mut ring);
    line.reverse();
    left_side(&line, distance, quantum, &mut ring)?;
    cap(line[line.len() - 1], distance, quantum, &mut ring);
    ring.push(ring[0]);
    ring.shrink_to_fit();
    // The walk goes clockwise (the zone is on its right): turn it the RFC 7946 way round.
    ring.reverse();
    let polygon = Polygon::new(LineString(ring), vec![]);
    if geo::Area::signed_area(&polygon) <= 0.0
        || crate::geometry::validate::check_simple(&polygon).is_err()
    {
        return None;
    }
    Some(polygon)
}

/// The line with the vertices dropped that lie within `tolerance` of the chord that replaces
/// them: every point of the result lies within `tolerance` of the line and every point of the
/// line within `tolerance` of the result, so a buffer drawn from it is within `tolerance` of
/// the line's buffer. GEOS simplifies its buffer input the same way (at 1/100 of the
/// distance); without it a densely surveyed line (a vertex every few millimetres, zigzagging
/// at the precision of its coordinates) turns at nearly every vertex, and its zone is
/// millions of arcs and inside cuts.
///
/// One pass with a sleeve (Zhao and Saalfeld): from each kept vertex, the directions of a
/// chord that keeps every point so far within `tolerance` narrow to a sector; the last vertex
/// inside the sector, and no nearer than any point before it, ends the chord. A chord is
/// looked for at most `LOOKAHEAD` vertices past the last one that could end it, so the pass is
/// linear in the number of vertices.
pub(crate) fn thin(points: &[Coord<f64>], tolerance: f64) -> Vec<Coord<f64>> {
    const LOOKAHEAD: usize = 64;
    let n = points.len();
    if n < 3 || tolerance <= 0.0 {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(n.min(1024));
    out.push(points[0]);
    let mut a = 0;
    while a + 1 < n {
        let anchor = points[a];
        let mut end = a + 1;
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut reference: Option<Coord<f64>> = None;
        let mut farthest = 0.0f64;
        for (i, &p) in points.iter().enumerate().skip(a + 1) {
            let v = p - anchor;
            let r = v.x.hypot(v.y);
            if r == 0.0 {
                // Back on the anchor: no chord from it can end here.
                if i - end > LOOKAHEAD {
                    break;
                }
                continue;
            }
            let angle = reference.map_or(0.0, |u| cross(u, v).atan2(u.x * v.x + u.y * v.y));
            if r >= farthest && lo <= angle && angle <= hi {
                end = i;
            }
            farthest = farthest.max(r);
            if r > tolerance {
                let u = *reference.get_or_insert(Coord {
                    x: v.x / r,
                    y: v.y / r,
                });
                let angle = cross(u, v).atan2(u.x * v.x + u.y * v.y);
                let half = (tolerance / r).asin();
                lo = lo.max(angle - half);
                hi = hi.min(angle + half);
                if lo > hi {
                    break;
                }
            }
            if i - end > LOOKAHEAD {
                break;
            }
        }
        out.push(points[end]);
        a = end;
    }
    out
}

fn unit(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    let d = b - a;
    let len = d.x.hypot(d.y);
    Coord {
        x: d.x / len,
        y: d.y / len,
    }
}

/// The left normal of a direction.
fn left(d: Coord<f64>) -> Coord<f64> {
    Coord { x: -d.y, y: d.x }
}

fn cross(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

/// Appends the left offset of the line, joined round outside turns and cut inside them.
fn left_side(line: &[Coord<f64>], w: f64, quantum: f64, ring: &mut Vec<Coord<f64>>) -> Option<()> {
    let dirs: Vec<Coord<f64>> = line.windows(2).map(|s| unit(s[0], s[1])).collect();
    ring.push(line[0] + left(dirs[0]) * w);
    for j in 1..line.len() - 1 {
        let (d0, d1) = (dirs[j - 1], dirs[j]);
        let (n0, n1) = (left(d0), left(d1));
        let end0 = line[j] + n0 * w;
        let start1 = line[j] + n1 * w;
        let turn = cross(d0, d1);
        let along = d0.x * d1.x + d0.y * d1.y;
        if turn < 0.0 {
            // Right turn: the left side is outside. Arc clockwise from n0 to n1.
            let angle = turn.atan2(along); // in (-π, 0)
            arc(line[j], w, n0, angle, quantum, ring, end0);
            ring.push(start1);
        } else if turn > 0.0 {
            // Left turn: the left side is inside, where the two offsets cross.
            let start0 = line[j - 1] + n0 * w;
            let end1 = line[j + 1] + n1 * w;
            let (r, s) = (end0 - start0, end1 - start1);
            let denom = cross(r, s);
            let t = cross(start1 - start0, s) / denom;
            let u = cross(start1 - start0, r) / denom;
            if !(0.0..=1.0).contains(&t) || !(0.0..=1.0).contains(&u) {
                return None;
            }
            ring.push(start0 + r * t);
        } else if along > 0.0 {
            ring.push(end0);
        } else {
            return None; // the line doubles back on itself
        }
    }
    let last = line.len() - 1;
    ring.push(line[last] + left(dirs[last - 1]) * w);
    Some(())
}

/// Appends the round cap at an end of the line: half a circle clockwise from the side just
/// drawn (its first point is the last one in `ring`) to the other side, whose first point the
/// next call adds.
fn cap(end: Coord<f64>, w: f64, quantum: f64, ring: &mut Vec<Coord<f64>>) {
    let Some(&from) = ring.last() else { return };
    let n = Coord {
        x: (from.x - end.x) / w,
        y: (from.y - end.y) / w,
    };
    ring.pop();
    arc(end, w, n, -std::f64::consts::PI, quantum, ring, from);
}

/// How many segments an arc of `angle` radians is drawn with (JTS: rounded, at least none).
fn segments(angle: f64, quantum: f64) -> usize {
    (angle.abs() / quantum + 0.5) as usize
}

/// Appends an arc around `centre` starting at `first` (= centre + w·n) and turning by `angle`;
/// the arc's last point is left to the caller. A turn too small for one segment adds `first`.
fn arc(
    centre: Coord<f64>,
    w: f64,
    n: Coord<f64>,
    angle: f64,
    quantum: f64,
    ring: &mut Vec<Coord<f64>>,
    first: Coord<f64>,
) {
    let count = segments(angle, quantum);
    ring.push(first);
    if count == 0 {
        return;
    }
    let step = angle / count as f64;
    let (sin, cos) = step.sin_cos();
    let mut v = n;
    for _ in 1..count {
        v = Coord {
            x: v.x * cos - v.y * sin,
            y: v.x * sin + v.y * cos,
        };
        ring.push(centre + v * w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Distance, Euclidean, Point};
    use proptest::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static TRIED: AtomicUsize = AtomicUsize::new(0);
    static DRAWN: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn draws_most_random_lines_directly() {
        outline_lies_on_the_buffer_boundary();
        let (tried, drawn) = (TRIED.load(Ordering::Relaxed), DRAWN.load(Ordering::Relaxed));
        // Random zigzags turn back on themselves often; roads rarely do.
        assert!(
            tried >= 500 && drawn * 4 >= tried,
            "drew {drawn} of {tried} directly"
        );
    }

    fn distance_to_line(p: Coord<f64>, line: &LineString<f64>) -> f64 {
        Euclidean.distance(&Point(p), line)
    }

    #[test]
    fn straight_line_is_a_capsule_drawn_like_geos() {
        let line = [Coord { x: 0.0, y: 0.0 }, Coord { x: 1000.0, y: 0.0 }];
        let p = stroke(&line, 50.0, 8).unwrap();
        // 2 sides + 2 caps of 16 segments: 2 + 2 × 15 points between, closed.
        assert_eq!(p.exterior().0.len(), 2 * 2 + 2 * 15 + 1);
        let circle = 0.5 * 32.0 * 50.0f64.powi(2) * (std::f64::consts::TAU / 32.0).sin();
        assert!((p.unsigned_area() - (100.0 * 1000.0 + circle)).abs() < 1e-6);
        assert!(geo::winding_order::Winding::is_ccw(p.exterior()));
    }

    #[test]
    fn a_line_turning_back_on_itself_is_left_to_the_general_buffer() {
        let hairpin = [
            Coord { x: 0.0, y: 0.0 },
            Coord { x: 500.0, y: 0.0 },
            Coord { x: 500.0, y: 30.0 },
            Coord { x: 0.0, y: 30.0 },
        ];
        assert!(stroke(&hairpin, 50.0, 8).is_none());
    }

    #[test]
    fn thinning_a_densified_line_gives_back_its_vertices() {
        let corners = [(0.0, 0.0), (400.0, 30.0), (700.0, 400.0), (650.0, 900.0)];
        let mut dense = Vec::new();
        for w in corners.windows(2) {
            let (a, b) = (Coord::from(w[0]), Coord::from(w[1]));
            for k in 0..10_000 {
                dense.push(a + (b - a) * (f64::from(k) / 10_000.0));
            }
        }
        dense.push(Coord::from(corners[3]));
        let thinned = thin(&dense, 0.01);
        let expected: Vec<Coord<f64>> = corners.iter().map(|&c| Coord::from(c)).collect();
        assert_eq!(thinned, expected);
    }

    #[test]
    fn thinning_keeps_what_lies_farther_than_the_tolerance() {
        // A 5 cm bump survives a 1 cm tolerance and a hairpin is not cut short: only the
        // vertex on the straight run goes.
        let line: Vec<Coord<f64>> = [
            (0.0, 0.0),
            (1.0, 0.0),
            (1.5, 0.05),
            (2.0, 0.0),
            (2.5, 0.001),
            (3.0, 0.0),
            (0.5, 0.001),
        ]
        .iter()
        .map(|&c| Coord::from(c))
        .collect();
        let thinned = thin(&line, 0.01);
        let expected: Vec<Coord<f64>> = [0, 1, 2, 3, 5, 6].iter().map(|&i| line[i]).collect();
        assert_eq!(thinned, expected);
        assert_eq!(thinned.last(), line.last());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]

        /// Each way round, every vertex lies within the tolerance of the other line.
        #[test]
        fn thinned_lines_stay_within_the_tolerance(
            steps in prop::collection::vec((-1.0..1.0f64, -0.02..0.02f64), 2..400),
            tol in 0.001..0.05f64,
        ) {
            let mut p = Coord { x: 0.0, y: 0.0 };
            let mut line = vec![p];
            for (i, &(along, across)) in steps.iter().enumerate() {
                // A wandering line: mostly forward, sometimes back, zigzagging across.
                let dir = (i as f64 * 0.05).sin_cos();
                p = p + Coord { x: dir.1 * along.abs().max(0.01) - dir.0 * across, y: dir.0 * along.abs().max(0.01) + dir.1 * across };
                if along < -0.8 { p = p - Coord { x: dir.1, y: dir.0 } * 0.5; }
                line.push(p);
            }
            let thinned = thin(&line, tol);
            prop_assert_eq!(thinned[0], line[0]);
            prop_assert_eq!(thinned.last(), line.last());
            let (a, b) = (LineString(line.clone()), LineString(thinned.clone()));
            for &c in &line {
                let d = distance_to_line(c, &b);
                prop_assert!(d <= tol * (1.0 + 1e-9), "vertex {:?} at {} from the thinned line", c, d);
            }
            for &c in &thinned {
                prop_assert!(distance_to_line(c, &a) == 0.0);
            }
        }

        /// Every vertex of the outline lies at the buffer distance from the line, every edge
        /// no closer than the chord of an arc allows, and the area is geo's buffer's.
        #[test]
        fn outline_lies_on_the_buffer_boundary(
            pts in prop::collection::vec((0.0..2000.0f64, 0.0..2000.0f64), 2..9),
            w in 20.0..150.0f64,
        ) {
            let line: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
            TRIED.fetch_add(1, Ordering::Relaxed);
            let Some(p) = stroke(&line, w, 8) else { return Ok(()) };
            DRAWN.fetch_add(1, Ordering::Relaxed);
            let ls = LineString(line.clone());
            // An arc of angle a is split into round(a / q) segments: each spans at most 1.5 q.
            let chord = w * (0.75 * std::f64::consts::FRAC_PI_2 / 8.0).cos();
            for e in p.exterior().lines() {
                let d = distance_to_line(e.start, &ls);
                prop_assert!((d - w).abs() < 1e-6 * w, "vertex at {} from the line, not {}", d, w);
                let mid = Coord { x: (e.start.x + e.end.x) / 2.0, y: (e.start.y + e.end.y) / 2.0 };
                let dm = distance_to_line(mid, &ls);
                prop_assert!(dm > chord * (1.0 - 1e-6) && dm < w * (1.0 + 1e-6), "edge midpoint at {}", dm);
            }
            use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
            let q = std::f64::consts::FRAC_PI_2 / 8.0;
            let general = geo::Geometry::LineString(ls).buffer_with_style(
                BufferStyle::new(w).line_join(LineJoin::Round(q)).line_cap(LineCap::Round(q)));
            let (a, b) = (p.unsigned_area(), general.unsigned_area());
            prop_assert!((a - b).abs() < 2e-3 * b, "area {} vs geo {}", a, b);
        }
    }
}
