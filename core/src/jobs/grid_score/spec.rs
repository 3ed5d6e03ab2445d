//! The grid a grid-scoring run covers, as a `grid.json` file describes it.

use std::path::Path;

use geo::Rect;

use crate::error::{Error, Result};
use crate::geometry::grid::Grid;
use crate::model::crs::Crs;

/// A grid as a `grid.json` file describes it: `{"crs": "EPSG:4547", "x0": …, "y0": …,
/// "cell": 250, "nx": 320, "ny": 320}` (cell `row * nx + col` has its centre at
/// `(x0 + (col + 0.5) * cell, y0 + (row + 0.5) * cell)`).
///
/// # Examples
///
/// ```
/// use hecun::jobs::GridSpec;
///
/// let spec = GridSpec::parse("grid.json", r#"{"crs": "EPSG:4547", "x0": 0, "y0": 10, "cell": 250, "nx": 4, "ny": 3}"#)?;
/// assert_eq!((spec.grid.len(), spec.grid.cell), (12, 250.0));
/// assert_eq!(spec.crs.map(|c| c.code()), Some(4547));
/// # Ok::<(), hecun::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// The grid.
    pub grid: Grid,
    /// The CRS of its coordinates, when the file names one.
    pub crs: Option<Crs>,
}

impl GridSpec {
    /// Reads a `grid.json` file.
    pub fn load(path: &Path) -> Result<GridSpec> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        GridSpec::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a `grid.json` file; `context` names it in messages.
    pub fn parse(context: &str, text: &str) -> Result<GridSpec> {
        let bad = |message: String| Error::config(context, message);
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        let number = |key: &str| {
            v.get(key)
                .and_then(serde_json::Value::as_f64)
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(format!("{key:?} must be a finite number")))
        };
        let count = |key: &str| {
            v.get(key)
                .and_then(serde_json::Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| bad(format!("{key:?} must be a whole number of cells")))
        };
        let grid = Grid {
            x0: number("x0")?,
            y0: number("y0")?,
            cell: number("cell")?,
            nx: count("nx")?,
            ny: count("ny")?,
        };
        if grid.cell <= 0.0 {
            return Err(bad(format!("\"cell\" must be above 0, not {}", grid.cell)));
        }
        if grid.nx == 0 || grid.ny == 0 {
            return Err(bad(format!(
                "a grid of {} × {} cells has none: \"nx\" and \"ny\" must be at least 1",
                grid.nx, grid.ny
            )));
        }
        if grid.nx.checked_mul(grid.ny).is_none_or(|n| n > 1 << 32) {
            return Err(bad(format!(
                "{} × {} cells is more than hecun grids (4,294,967,296 cells)",
                grid.nx, grid.ny
            )));
        }
        let crs = match v.get("crs") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => {
                Some(s.parse::<Crs>().map_err(|e| bad(format!("\"crs\": {e}")))?)
            }
            Some(other) => {
                return Err(bad(format!(
                    "\"crs\" must be a string like \"EPSG:4547\", not {other}"
                )));
            }
        };
        Ok(GridSpec { grid, crs })
    }

    /// The grid of `cell`-sized cells covering `extent`, its corners on whole multiples of
    /// `cell` (so that grids of neighbouring regions line up).
    ///
    /// # Examples
    ///
    /// ```
    /// use geo::{coord, Rect};
    /// use hecun::jobs::GridSpec;
    ///
    /// let grid = GridSpec::covering(Rect::new(coord! { x: 120.0, y: 30.0 }, coord! { x: 980.0, y: 510.0 }), 250.0);
    /// assert_eq!((grid.x0, grid.y0, grid.nx, grid.ny), (0.0, 0.0, 4, 3));
    /// ```
    pub fn covering(extent: Rect<f64>, cell: f64) -> Grid {
        let x0 = (extent.min().x / cell).floor() * cell;
        let y0 = (extent.min().y / cell).floor() * cell;
        let n = |from: f64, to: f64| (((to - from) / cell).ceil() as usize).max(1);
        Grid {
            x0,
            y0,
            cell,
            nx: n(x0, extent.max().x),
            ny: n(y0, extent.max().y),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_grid_without_rows_or_columns_is_refused() {
        // Found by the grid_spec fuzzer: 0 columns passed the cell-count check, and laying out
        // 18446744073709551615 rows of nothing overflowed the capacity of a Vec (a panic).
        for (nx, ny) in [("0", "18446744073709551615"), ("4", "0"), ("0", "0")] {
            let text =
                format!(r#"{{"x0": 0.5, "y0": 0.5, "cell": 1e308, "nx": {nx}, "ny": {ny}}}"#);
            let err = GridSpec::parse("grid.json", &text).unwrap_err().to_string();
            assert!(
                err.contains("grid.json") && err.contains(&format!("{nx} × {ny} cells has none")),
                "{err}"
            );
        }
        assert!(GridSpec::parse("g", r#"{"x0": 0, "y0": 0, "cell": 1, "nx": 1, "ny": 1}"#).is_ok());
    }
}
