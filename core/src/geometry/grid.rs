//! Features of the cells of a regular grid: the distance from each cell's centre to the
//! nearest road, and whether the centre lies inside a corridor.
//!
//! Groundwork for scoring every cell of a region (the rules engine's grid job): the nearest
//! road comes from an R-tree of road segments, the corridors by a scanline per grid row
//! (exact for the centres, and linear in cells plus corridor edges).

use geo::{Coord, Geometry, LineString, MultiPolygon};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};

/// A regular grid in a metric CRS: cell `row * nx + col` has its centre at
/// `(x0 + (col + 0.5) * cell, y0 + (row + 0.5) * cell)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// West edge of the grid.
    pub x0: f64,
    /// South edge of the grid.
    pub y0: f64,
    /// Cell size.
    pub cell: f64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
}

impl Grid {
    /// The number of cells.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Whether the grid has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The centre of cell `id`.
    pub fn centre(&self, id: usize) -> Coord<f64> {
        let (row, col) = (id / self.nx, id % self.nx);
        Coord {
            x: self.x0 + (col as f64 + 0.5) * self.cell,
            y: self.y0 + (row as f64 + 0.5) * self.cell,
        }
    }
}

/// Cells along each side of the tiles [`NearestLine::grid_distances`] takes at a time.
const TILE: usize = 8;

/// The nearest of many lines to a point, from an R-tree of their segments.
///
/// # Examples
///
/// ```
/// use geo::{coord, LineString};
/// use hecun::NearestLine;
///
/// let roads = [LineString::from(vec![(0.0, 0.0), (100.0, 0.0)]), LineString::from(vec![(0.0, 50.0), (0.0, 80.0)])];
/// let index = NearestLine::new(roads.iter().enumerate());
/// let (road, distance) = index.nearest(coord! { x: 50.0, y: 10.0 }).unwrap();
/// assert_eq!((road, distance), (0, 10.0));
/// ```
#[derive(Debug)]
pub struct NearestLine {
    tree: RTree<GeomWithData<Line<[f64; 2]>, usize>>,
}

impl NearestLine {
    /// Indexes the segments of `(feature, line)` pairs.
    pub fn new<'a>(lines: impl IntoIterator<Item = (usize, &'a LineString<f64>)>) -> NearestLine {
        let segments = lines
            .into_iter()
            .flat_map(|(i, l)| {
                l.0.windows(2).map(move |w| {
                    GeomWithData::new(Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]), i)
                })
            })
            .collect();
        NearestLine {
            tree: RTree::bulk_load(segments),
        }
    }

    /// The nearest line's feature and its distance from `p`.
    pub fn nearest(&self, p: Coord<f64>) -> Option<(usize, f64)> {
        use rstar::PointDistance;
        let hit = self.tree.nearest_neighbor([p.x, p.y])?;
        Some((hit.data, hit.geom().distance_2(&[p.x, p.y]).sqrt()))
    }

    /// The distance from each cell's centre to the nearest line, in cell order (infinite
    /// without lines): for every cell exactly what [`NearestLine::nearest`] answers, on all
    /// cores.
    ///
    /// The grid is taken a tile of cells at a time. One nearest-neighbour query at the tile's
    /// centre `c` bounds every cell's answer: a cell `p` within `r` of `c` has a line within
    /// `d(c) + r`, so its nearest line lies within `d(c) + 2r` of `c`. Those few lines are
    /// gathered once, sorted by their distance `e` from `c`, and each cell takes the least of
    /// its distances to them by the same formula (so the values are the same to the bit),
    /// stopping at the first line whose `e` less the cell's own distance from `c` exceeds the
    /// best so far.
    pub fn grid_distances(&self, grid: &Grid) -> Vec<f64> {
        use rstar::PointDistance;
        let mut out = vec![f64::INFINITY; grid.len()];
        if self.tree.size() == 0 || grid.is_empty() {
            return out;
        }
        let (nx, cell) = (grid.nx, grid.cell);
        out.par_chunks_mut(TILE * nx)
            .enumerate()
            .for_each(|(band, rows)| {
                let row0 = band * TILE;
                let h = rows.len() / nx;
                let mut near: Vec<(f64, Line<[f64; 2]>)> = Vec::new();
                for col0 in (0..nx).step_by(TILE) {
                    let w = TILE.min(nx - col0);
                    // The centre of the tile's cell centres, and how far its cells lie.
                    let c = [
                        grid.x0 + (col0 as f64 + w as f64 / 2.0) * cell,
                        grid.y0 + (row0 as f64 + h as f64 / 2.0) * cell,
                    ];
                    let r = ((w - 1) as f64).hypot((h - 1) as f64) / 2.0 * cell;
                    let Some(hit) = self.tree.nearest_neighbor(c) else {
                        return;
                    };
                    let dc = hit.geom().distance_2(&c).sqrt();
                    // A margin for rounding, far above its errors (relative to the coordinates
                    // and distances at hand): more lines only cost time.
                    let tol = 1e-7 * (cell + c[0].abs() + c[1].abs() + dc);
                    let reach = dc + 2.0 * r + tol;
                    near.clear();
                    near.extend(
                        self.tree
                            .locate_within_distance(c, reach * reach)
                            .map(|l| (l.geom().distance_2(&c).sqrt(), *l.geom())),
                    );
                    // Nearest the tile's centre first: a line `e` from it lies at least
                    // `e − rp` from a cell `rp` from the centre, so once that exceeds the
                    // best distance so far, no later line can do better.
                    near.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                    for dy in 0..h {
                        let y = grid.y0 + ((row0 + dy) as f64 + 0.5) * cell;
                        let out_row = &mut rows[dy * nx + col0..dy * nx + col0 + w];
                        for (dx, d) in out_row.iter_mut().enumerate() {
                            let p = [grid.x0 + ((col0 + dx) as f64 + 0.5) * cell, y];
                            let rp = ((p[0] - c[0]) * (p[0] - c[0])
                                + (p[1] - c[1]) * (p[1] - c[1]))
                                .sqrt();
                            let (mut best, mut bound) = (f64::INFINITY, f64::INFINITY);
                            for (e, l) in &near {
                                if e - rp > bound {
                                    break;
                                }
                                let d2 = l.distance_2(&p);
                                if d2 < best {
                                    best = d2;
                                    bound = d2.sqrt() + tol;
                                }
                            }
                            *d = best.sqrt();
                        }
                    }
                }
            });
        out
    }
}

/// Per-cell features of a grid, in cell order.
#[derive(Debug, Clone, PartialEq)]
pub struct GridFeatures {
    /// Distance from the centre to the nearest road, metres (infinite without roads).
    pub nearest_road_m: Vec<f64>,
    /// Whether the centre lies inside (or on the edge of) a corridor polygon.
    pub in_corridor: Vec<bool>,
}

/// Computes the features of every cell of `grid`, on all cores. `roads` are lines and
/// `corridors` polygons, both in the grid's CRS.
pub fn grid_features(
    grid: &Grid,
    roads: &[Geometry<f64>],
    corridors: &[MultiPolygon<f64>],
) -> GridFeatures {
    let (nearest_road_m, in_corridor) = rayon::join(
        || road_distances(grid, roads),
        || cells_inside(grid, corridors),
    );
    GridFeatures {
        nearest_road_m,
        in_corridor,
    }
}

/// The distance from each cell's centre to the nearest of `roads` (lines; other geometries
/// are ignored), in cell order; infinite without roads. See [`NearestLine::grid_distances`].
fn road_distances(grid: &Grid, roads: &[Geometry<f64>]) -> Vec<f64> {
    let lines = roads.iter().enumerate().flat_map(|(i, g)| {
        let lines: &[LineString<f64>] = match g {
            Geometry::LineString(l) => std::slice::from_ref(l),
            Geometry::MultiLineString(ml) => &ml.0,
            _ => &[],
        };
        lines.iter().map(move |l| (i, l))
    });
    NearestLine::new(lines).grid_distances(grid)
}

/// Whether each cell's centre lies inside any of `polygons` (edges count as inside), by a
/// scanline through the centres of each row.
pub fn cells_inside(grid: &Grid, polygons: &[MultiPolygon<f64>]) -> Vec<bool> {
    let rows: Vec<Vec<bool>> = (0..grid.ny)
        .into_par_iter()
        .map(|row| {
            let y = grid.y0 + (row as f64 + 0.5) * grid.cell;
            let mut inside = vec![false; grid.nx];
            let mut xs = Vec::new();
            for mp in polygons {
                xs.clear();
                for ring in
                    mp.0.iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                {
                    for w in ring.0.windows(2) {
                        let (a, b) = (w[0], w[1]);
                        // Half-open in y, so a vertex on the line is counted once.
                        if (a.y > y) != (b.y > y) {
                            xs.push(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
                        }
                    }
                }
                xs.sort_unstable_by(f64::total_cmp);
                for pair in xs.chunks_exact(2) {
                    let first = ((pair[0] - grid.x0) / grid.cell - 0.5).ceil().max(0.0) as usize;
                    let last = ((pair[1] - grid.x0) / grid.cell - 0.5).floor();
                    if last < 0.0 {
                        continue;
                    }
                    for cell in inside
                        .iter_mut()
                        .take((last as usize).saturating_add(1).min(grid.nx))
                        .skip(first)
                    {
                        *cell = true;
                    }
                }
            }
            inside
        })
        .collect();
    rows.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    use geo::polygon;

    #[test]
    fn a_corridor_wider_than_usize_cells_holds_them_all() {
        // Cells of 1e-300 m: the corridor's east edge lies 1e300 cells away, past usize::MAX
        // (`as usize + 1` overflowed: a panic with overflow checks, no cell inside without).
        let grid = Grid {
            x0: 0.0,
            y0: 0.0,
            cell: 1e-300,
            nx: 4,
            ny: 1,
        };
        let square = MultiPolygon(vec![
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
        ]);
        assert_eq!(cells_inside(&grid, &[square]), vec![true; 4]);
    }

    #[test]
    fn scanline_agrees_with_point_in_polygon() {
        let shape = MultiPolygon(vec![polygon!(
            exterior: [(x: 3.0, y: 1.0), (x: 40.0, y: 5.0), (x: 33.0, y: 37.0), (x: 20.0, y: 15.0), (x: 2.0, y: 30.0)],
            interiors: [[(x: 10.0, y: 8.0), (x: 20.0, y: 8.0), (x: 15.0, y: 12.0)]],
        )]);
        let grid = Grid {
            x0: 0.0,
            y0: 0.0,
            cell: 1.3,
            nx: 40,
            ny: 35,
        };
        let inside = cells_inside(&grid, std::slice::from_ref(&shape));
        for (id, &got) in inside.iter().enumerate() {
            let want = shape.coordinate_position(&grid.centre(id)) != CoordPos::Outside;
            assert_eq!(got, want, "cell {id} at {:?}", grid.centre(id));
        }
        assert!(inside.iter().filter(|&&b| b).count() > 200);
    }
}
