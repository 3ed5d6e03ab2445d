//! The width sweep as an inline SVG line chart: households affected per zone width, with the
//! planned width marked.

use std::fmt::Write;

use super::super::words::Words;
use super::fmt::{count, esc, metres, plain, px_string};
use crate::report::Sweep;

const W: f64 = 760.0;
const H: f64 = 320.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 52.0;

/// A tick step of 1, 2 or 5 × 10ⁿ giving about `target` ticks over `span`.
fn tick_step(span: f64, target: f64) -> f64 {
    if !span.is_finite() || span <= 0.0 {
        return 1.0;
    }
    let raw = span / target;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

/// The household axis: its bottom, tick step and top. It starts at zero (issue 15): an axis
/// cut at 34,000 made a 2.3 % change look like a cliff; the sweep's table gives the exact
/// figures, and a flat line is the truth of a sweep that hardly moves the total.
fn y_axis(rows: &[(f64, u64)]) -> (f64, f64, f64) {
    let hi = rows.iter().map(|r| r.1).max().unwrap_or(0) as f64;
    // Households are whole: no tick between two of them.
    let step = tick_step(hi.max(1.0), 5.0).max(1.0);
    let mut top = (hi / step).ceil() * step;
    if top <= 0.0 {
        top = step;
    }
    (0.0, step, top)
}

/// The chart, or `None` when the sweep has no rows.
pub(super) fn sweep_chart(sweep: &Sweep, w: &Words) -> Option<String> {
    let rows: Vec<(f64, u64)> = sweep
        .rows
        .iter()
        .filter(|r| r.width_m.is_finite())
        .map(|r| (r.width_m, r.affected.households))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let planned = sweep.planned_m.filter(|p| p.is_finite());
    let axes = Axes::new(&rows, planned);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg id="sweep-chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}" font-size="12">"#,
        esc(w.sec_sweep)
    );
    household_grid(&mut svg, &axes);
    width_ticks(&mut svg, &axes, &rows);
    axis_lines(&mut svg, w);
    if let Some(p) = planned {
        planned_width(&mut svg, &axes, p, w);
    }
    households_line(&mut svg, &axes, &rows, w);
    svg.push_str("</svg>");
    Some(svg)
}

/// The plot area's scales: widths across, households up.
struct Axes {
    x_min: f64,
    x_max: f64,
    y_lo: f64,
    y_step: f64,
    y_max: f64,
}

const PLOT_W: f64 = W - LEFT - RIGHT;
const PLOT_H: f64 = H - TOP - BOTTOM;

impl Axes {
    /// Widths from the narrowest to the widest row, the planned width included; households as
    /// [`y_axis`] says.
    fn new(rows: &[(f64, u64)], planned: Option<f64>) -> Axes {
        let mut x_min = rows.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let mut x_max = rows.iter().map(|r| r.0).fold(f64::NEG_INFINITY, f64::max);
        if let Some(p) = planned {
            x_min = x_min.min(p);
            x_max = x_max.max(p);
        }
        if x_max <= x_min {
            x_min -= 1.0;
            x_max += 1.0;
        }
        let (y_lo, y_step, y_max) = y_axis(rows);
        Axes {
            x_min,
            x_max,
            y_lo,
            y_step,
            y_max,
        }
    }

    /// A width as a pixel column.
    fn x(&self, x: f64) -> f64 {
        LEFT + (x - self.x_min) / (self.x_max - self.x_min) * PLOT_W
    }

    /// A household count as a pixel row.
    fn y(&self, y: f64) -> f64 {
        TOP + PLOT_H - (y - self.y_lo) / (self.y_max - self.y_lo) * PLOT_H
    }
}

/// Horizontal grid lines with the household counts.
fn household_grid(svg: &mut String, axes: &Axes) {
    let mut y = axes.y_lo;
    while y <= axes.y_max + axes.y_step * 1e-9 {
        let py = px_string(axes.y(y));
        let _ = write!(
            svg,
            r##"<line x1="{}" y1="{py}" x2="{}" y2="{py}" stroke="#e3e0d9"/><text x="{}" y="{}" text-anchor="end" fill="#444">{}</text>"##,
            px_string(LEFT),
            px_string(LEFT + PLOT_W),
            px_string(LEFT - 8.0),
            px_string(axes.y(y) + 4.0),
            count(y as u64)
        );
        y += axes.y_step;
    }
}

/// Width ticks: at every row when they fit, else at round steps.
fn width_ticks(svg: &mut String, axes: &Axes, rows: &[(f64, u64)]) {
    let xs: Vec<f64> = if rows.len() <= 12 {
        rows.iter().map(|r| r.0).collect()
    } else {
        let step = tick_step(axes.x_max - axes.x_min, 8.0);
        let mut t = (axes.x_min / step).ceil() * step;
        let mut v = Vec::new();
        while t <= axes.x_max * (1.0 + 1e-9) {
            v.push(t);
            t += step;
        }
        v
    };
    let base = px_string(TOP + PLOT_H);
    for x in xs {
        let _ = write!(
            svg,
            r##"<line x1="{0}" y1="{base}" x2="{0}" y2="{1}" stroke="#444"/><text x="{0}" y="{2}" text-anchor="middle" fill="#444">{3}</text>"##,
            px_string(axes.x(x)),
            px_string(TOP + PLOT_H + 5.0),
            px_string(TOP + PLOT_H + 19.0),
            plain(x)
        );
    }
}

/// The two axes and their titles.
fn axis_lines(svg: &mut String, w: &Words) {
    let _ = write!(
        svg,
        r##"<path d="M{0} {1} V{2} H{3}" fill="none" stroke="#444"/>"##,
        px_string(LEFT),
        px_string(TOP),
        px_string(TOP + PLOT_H),
        px_string(LEFT + PLOT_W)
    );
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" text-anchor="middle" fill="#222">{}</text>"##,
        px_string(LEFT + PLOT_W / 2.0),
        px_string(H - 10.0),
        esc(w.sweep_x)
    );
    let _ = write!(
        svg,
        r##"<text transform="translate(16 {}) rotate(-90)" text-anchor="middle" fill="#222">{}</text>"##,
        px_string(TOP + PLOT_H / 2.0),
        esc(w.sweep_y)
    );
}

/// A dashed line at the width the plan sets, labelled.
fn planned_width(svg: &mut String, axes: &Axes, planned: f64, w: &Words) {
    let x = px_string(axes.x(planned));
    let _ = write!(
        svg,
        r##"<g id="sweep-planned"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#b42318" stroke-width="1.5" stroke-dasharray="5 4"/><text x="{}" y="{}" fill="#b42318" font-weight="600">{} {}</text></g>"##,
        px_string(TOP),
        px_string(TOP + PLOT_H),
        px_string(axes.x(planned) + 5.0),
        px_string(TOP + 12.0),
        esc(w.sweep_planned),
        esc(&metres(planned))
    );
}

/// Households per width as a line, with a point per row whose tooltip gives both numbers.
fn households_line(svg: &mut String, axes: &Axes, rows: &[(f64, u64)], w: &Words) {
    let mut d = String::new();
    for (i, (x, y)) in rows.iter().enumerate() {
        let _ = write!(
            d,
            "{}{} {}",
            if i == 0 { "M" } else { " " },
            px_string(axes.x(*x)),
            px_string(axes.y(*y as f64))
        );
    }
    let _ = write!(
        svg,
        r##"<path d="{d}" fill="none" stroke="#1f4e9c" stroke-width="2.2" stroke-linejoin="round"/>"##
    );
    for (x, y) in rows {
        let _ = write!(
            svg,
            r##"<circle cx="{}" cy="{}" r="3.5" fill="#1f4e9c" stroke="#fff" stroke-width="1"><title>{} · {} {}</title></circle>"##,
            px_string(axes.x(*x)),
            px_string(axes.y(*y as f64)),
            esc(&metres(*x)),
            esc(w.sweep_y),
            count(*y)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::tick_step;

    #[test]
    fn household_axis() {
        // Wide variation: from zero.
        assert_eq!(
            super::y_axis(&[(50.0, 100), (100.0, 900)]),
            (0.0, 200.0, 1000.0)
        );
        // A few per cent: still from zero (issue 15: an axis from 34,000 made 2.3 % a cliff).
        assert_eq!(
            super::y_axis(&[(50.0, 34_053), (200.0, 34_850)]),
            (0.0, 10_000.0, 40_000.0)
        );
        // Brute force: the bottom is 0 and the top at or above every count, within one step.
        for hi in [1u64, 7, 99, 100, 101, 34_850, 1_000_001] {
            for lo in [0, hi / 2, hi - 1, hi] {
                let (bottom, step, top) = super::y_axis(&[(1.0, lo), (2.0, hi)]);
                assert_eq!(bottom, 0.0);
                assert!(top >= hi as f64 && top - step < hi as f64, "{lo}..{hi}");
            }
        }
        // Flat: one step.
        assert_eq!(super::y_axis(&[(50.0, 0), (200.0, 0)]), (0.0, 1.0, 1.0));
    }

    #[test]
    fn ticks() {
        assert_eq!(tick_step(1000.0, 5.0), 200.0);
        assert_eq!(tick_step(90.0, 5.0), 20.0);
        assert_eq!(tick_step(5.0, 5.0), 1.0);
        assert_eq!(tick_step(0.0, 5.0), 1.0);
    }
}
