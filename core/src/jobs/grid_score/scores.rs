//! The scored grid and its table: one row per cell, written in blocks on all cores.

use std::io::Write;
use std::time::Duration;

use rayon::prelude::*;

use crate::geometry::grid::{Grid, GridFeatures};
use crate::model::crs::Crs;
use crate::rules::contract::Manifest;

use super::csv_text::{CSV_HEADER, DecimalCounter, fixed4, write_fixed4};

/// Every cell of a grid, with its features and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct GridScores {
    /// The grid.
    pub grid: Grid,
    /// Each cell's features, in cell order.
    pub features: GridFeatures,
    /// Each cell's score; `None` when the plugin excluded the cell.
    pub scores: Vec<Option<f64>>,
    /// Wall time of each stage (`features`, `score`).
    pub timings: Vec<(&'static str, Duration)>,
}

impl GridScores {
    /// How many cells the plugin excluded.
    pub fn excluded(&self) -> usize {
        self.scores.iter().filter(|s| s.is_none()).count()
    }

    /// Writes the cells as CSV: `cell_id,dist_m,in_corridor,score`; the distance with four
    /// decimals (as the peers print it), `in_corridor` 1 or 0, and the score as the shortest
    /// text that reads back as the same number (empty when excluded). ASCII, no BOM.
    /// Formatted on all cores a few blocks at a time (the next ones while these are
    /// written), so memory stays bounded at any grid size; the bytes never depend on the
    /// thread count.
    pub fn write_csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(CSV_HEADER)?;
        let blocks = self.csv_blocks();
        let mut groups = blocks.chunks(rayon::current_num_threads().max(1) * 2);
        // Each block's text and its length, in buffers used again and again.
        let format = |group: &[(usize, usize)], texts: &mut Vec<(Vec<u8>, usize)>| {
            texts.resize_with(group.len(), || (Vec::new(), 0));
            group
                .par_iter()
                .zip(texts.par_iter_mut())
                .for_each(|(&(start, end), (text, len))| *len = self.csv_rows(start, end, text));
        };
        let (mut ready, mut next) = (Vec::new(), Vec::new());
        if let Some(first) = groups.next() {
            format(first, &mut ready);
        }
        loop {
            let group = groups.next();
            let mut written = Ok(());
            rayon::in_place_scope(|scope| {
                if let Some(group) = group {
                    scope.spawn(|_| format(group, &mut next));
                }
                written = ready
                    .iter()
                    .try_for_each(|(text, len)| out.write_all(&text[..*len]));
            });
            written?;
            if group.is_none() {
                return Ok(());
            }
            std::mem::swap(&mut ready, &mut next);
        }
    }

    /// A summary of the run as pretty JSON: the grid (in `metric_crs`), the plugin, how many
    /// cells lie in a corridor, are excluded and scored, the score range, and `warnings`.
    pub fn summary_json(
        &self,
        metric_crs: Crs,
        plugin: &Manifest,
        warnings: &[crate::Warning],
    ) -> String {
        let warnings: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        let scored = || self.scores.iter().flatten().copied();
        let g = self.grid;
        let summary = serde_json::json!({
            "grid": {"crs": metric_crs.to_string(), "x0": g.x0, "y0": g.y0, "cell": g.cell, "nx": g.nx, "ny": g.ny},
            "plugin": {"name": plugin.name, "version": plugin.version},
            "cells": g.len(),
            "in_corridor": self.features.in_corridor.iter().filter(|&&b| b).count(),
            "excluded": self.excluded(),
            "scored": scored().count(),
            "score_min": scored().reduce(f64::min),
            "score_max": scored().reduce(f64::max),
            "warnings": warnings,
        });
        let mut text = serde_json::to_string_pretty(&summary).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The CSV as bytes (see [`GridScores::write_csv`]).
    pub fn csv(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.scores.len() * 40 + CSV_HEADER.len());
        self.write_csv(&mut bytes)
            .expect("writing to memory does not fail");
        bytes
    }

    /// The rows of the CSV in blocks of consecutive cells, `(start, end)`.
    fn csv_blocks(&self) -> Vec<(usize, usize)> {
        const BLOCK: usize = 1 << 14;
        let n = self.scores.len();
        (0..n)
            .step_by(BLOCK)
            .map(|s| (s, (s + BLOCK).min(n)))
            .collect()
    }

    /// Formats rows `start..end` into the front of `s` (grown as needed, never shrunk, its
    /// bytes past the rows left as they are) and returns their length.
    fn csv_rows(&self, start: usize, end: usize, s: &mut Vec<u8>) -> usize {
        // Each row takes at most ROW bytes (while distances take the fast path); pieces are
        // copied a fixed SLACK bytes at a time, the tail of which later pieces overwrite.
        const ROW: usize = 20 + 1 + 16 + 3 + 24 + 1;
        const SLACK: usize = 32;
        let room = |s: &mut Vec<u8>, need: usize| {
            if s.len() < need {
                s.resize(need, 0);
            }
        };
        room(s, (end - start) * ROW + SLACK);
        let mut pos = 0;
        let mut id = DecimalCounter::new(start);
        let mut floats = ryu::Buffer::new();
        // The last score's text: neighbouring cells often score the same.
        let mut last: Option<(u64, [u8; SLACK], usize)> = None;
        for i in start..end {
            s[pos..pos + 20].copy_from_slice(&id.digits);
            pos += id.len;
            id.increment();
            s[pos] = b',';
            pos += 1;
            let d = self.features.nearest_road_m[i];
            match fixed4(d) {
                Some(m) => pos += write_fixed4(m, &mut s[pos..]),
                None => {
                    let text = format!("{d:.4}");
                    room(s, pos + text.len() + (end - i) * ROW + SLACK);
                    s[pos..pos + text.len()].copy_from_slice(text.as_bytes());
                    pos += text.len();
                }
            }
            s[pos..pos + 3].copy_from_slice(if self.features.in_corridor[i] {
                b",1,"
            } else {
                b",0,"
            });
            pos += 3;
            if let Some(score) = self.scores[i] {
                let bits = score.to_bits();
                let (text, len) = match last {
                    Some((b, text, len)) if b == bits => (text, len),
                    _ => {
                        let f = floats.format(score).as_bytes();
                        let mut text = [0u8; SLACK];
                        text[..f.len()].copy_from_slice(f);
                        last = Some((bits, text, f.len()));
                        (text, f.len())
                    }
                };
                s[pos..pos + SLACK].copy_from_slice(&text);
                pos += len;
            }
            s[pos] = b'\n';
            pos += 1;
        }
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn csv_rows_are_formatted_as_documented() {
        let scores = GridScores {
            grid: Grid {
                x0: 0.0,
                y0: 0.0,
                cell: 1.0,
                nx: 3,
                ny: 1,
            },
            features: GridFeatures {
                nearest_road_m: vec![6547.24, 0.000_05, 12.345_65],
                in_corridor: vec![false, true, false],
            },
            scores: vec![Some(0.3), None, Some(0.1 + 0.2)],
            timings: Vec::new(),
        };
        assert_eq!(
            String::from_utf8(scores.csv()).unwrap(),
            "cell_id,dist_m,in_corridor,score\n0,6547.2400,0,0.3\n1,0.0001,1,\n2,12.3456,0,0.30000000000000004\n"
        );
        assert_eq!(scores.excluded(), 1);
    }

    #[test]
    fn csv_bytes_are_those_of_a_plain_formatter() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        // Several blocks, odd sizes; distances ordinary, on half ten-thousandths, huge,
        // negative, infinite or NaN; scores repeated, excluded, or odd.
        let n = 3 * (1 << 14) + 1234;
        let specials = [f64::INFINITY, f64::NAN, -0.0, -2.5, 1e11, 3e15, 0.000_05];
        let mut dist = Vec::with_capacity(n);
        let mut inside = Vec::with_capacity(n);
        let mut scores = Vec::with_capacity(n);
        let mut previous = Some(0.3);
        for _ in 0..n {
            let r = next();
            dist.push(match r % 50 {
                0 => specials[(r >> 8) as usize % specials.len()],
                1 => (r >> 20) as f64 % 1e7 / 1e4 + 0.000_05,
                _ => (r >> 12) as f64 / 1e12,
            });
            inside.push(r & (1 << 40) != 0);
            let score = match (r >> 48) % 8 {
                0 => None,
                1..=3 => previous,
                4 => Some(f64::from_bits(next())),
                _ => Some((next() >> 11) as f64 / (1u64 << 53) as f64),
            };
            previous = score.or(previous);
            scores.push(score);
        }
        let grid = Grid {
            x0: 0.0,
            y0: 0.0,
            cell: 1.0,
            nx: n,
            ny: 1,
        };
        let scores = GridScores {
            grid,
            features: GridFeatures {
                nearest_road_m: dist,
                in_corridor: inside,
            },
            scores,
            timings: Vec::new(),
        };
        let mut want = String::from("cell_id,dist_m,in_corridor,score\n");
        let mut floats = ryu::Buffer::new();
        for i in 0..n {
            let score = scores.scores[i].map_or("", |s| floats.format(s));
            want.push_str(&format!(
                "{i},{:.4},{},{score}\n",
                scores.features.nearest_road_m[i],
                u8::from(scores.features.in_corridor[i])
            ));
        }
        let got = scores.csv();
        assert!(got == want.as_bytes(), "the CSV differs from the plain one");
        let mut streamed = Vec::new();
        scores.write_csv(&mut streamed).unwrap();
        assert!(streamed == got);
    }
}
