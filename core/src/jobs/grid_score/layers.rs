//! The roads and corridors a grid is scored against, read and projected to the metric CRS.

use geo::{BoundingRect, Geometry, MultiPolygon, Rect};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geometry::buffer::buffer;
use crate::geometry::polygons;
use crate::geometry::rect_union;
use crate::model::crs::{Crs, CrsEngine, Transformer};
use crate::model::zone_sources;
use crate::pipeline::job::LayerSource;

/// Roads and corridors for the grid job, read and projected to the metric CRS.
#[derive(Debug, Clone)]
pub struct GridLayers {
    /// The road lines, in the metric CRS.
    pub roads: Vec<Geometry<f64>>,
    /// The corridor polygons (line corridors buffered by half their `width`), in the metric
    /// CRS.
    pub corridors: Vec<MultiPolygon<f64>>,
    /// The CRS they were projected to.
    pub metric_crs: Crs,
    /// Features skipped (`keep_going`).
    pub warnings: Vec<crate::Warning>,
}

impl GridLayers {
    /// Reads the roads (any lines; no class needed) and the corridors (polygons, or lines with
    /// a width field), and projects them to `metric_crs`; without one, to the roads' own CRS
    /// if it is projected, else to the CGCS2000 3-degree zone of the roads' centre.
    pub fn load(
        roads: &LayerSource,
        corridors: Option<&LayerSource>,
        input_crs: Crs,
        metric_crs: Option<Crs>,
        engine: CrsEngine,
        keep_going: bool,
    ) -> Result<GridLayers> {
        let mut warnings = Vec::new();
        let (road_layer, corridor_layer) = rayon::join(
            || roads.read(input_crs, keep_going),
            || corridors.map(|c| c.read(input_crs, keep_going)).transpose(),
        );
        let (road_layer, corridor_layer) = (road_layer?, corridor_layer?);
        for outcome in std::iter::once(&road_layer).chain(corridor_layer.as_ref()) {
            warnings.extend(outcome.warnings.iter().cloned());
            warnings.extend(outcome.skipped.iter().map(crate::Warning::skipped));
        }
        let road_layer = road_layer.layer;
        let metric_crs = road_layer.metric_crs(metric_crs, "distances")?;

        let to_metric = Transformer::new(road_layer.crs, metric_crs, engine)?;
        let projected: Vec<Result<Option<Geometry<f64>>>> = road_layer
            .features
            .par_iter()
            .map(|f| match &f.geometry {
                Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                    let mut g = f.geometry.clone();
                    to_metric.transform(&mut g).map_err(|e| {
                        Error::feature(road_layer.feature_ref(f), Some("geometry"), e.to_string())
                    })?;
                    Ok(Some(g))
                }
                _ => Err(Error::feature(
                    road_layer.feature_ref(f),
                    Some("geometry"),
                    "a road must be a LineString or MultiLineString",
                )),
            })
            .collect();
        let mut road_lines = Vec::with_capacity(projected.len());
        for p in projected {
            match p {
                Ok(Some(g)) => road_lines.push(g),
                Ok(None) => {}
                Err(e) if keep_going => warnings.push(crate::Warning::skipped(&e)),
                Err(e) => return Err(e),
            }
        }

        let mut corridor_polygons = Vec::new();
        if let (Some(outcome), Some(source)) = (corridor_layer, corridors) {
            let layer = outcome.layer;
            let (sources, skipped) = zone_sources(
                "corridors",
                &layer,
                &source.schema,
                Some("corridor"),
                keep_going,
            )?;
            warnings.extend(skipped.iter().map(crate::Warning::skipped));
            let to_metric = Transformer::new(layer.crs, metric_crs, engine)?;
            let built: Vec<Result<MultiPolygon<f64>>> = sources
                .into_par_iter()
                .map(|s| {
                    let bad = |e: String| Error::feature(s.at.clone(), Some("geometry"), e);
                    let mut g = s.geometry;
                    to_metric
                        .transform(&mut g)
                        .map_err(|e| bad(e.to_string()))?;
                    match g {
                        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => Ok(polygons(&g)),
                        _ if s.own_width > 0.0 => buffer(&g, s.own_width / 2.0, 8).map_err(bad),
                        _ => Err(bad(
                            "a line corridor needs a width field (the belt's width in metres)"
                                .to_owned(),
                        )),
                    }
                })
                .collect();
            for b in built {
                match b {
                    Ok(mp) => corridor_polygons.push(mp),
                    Err(e) if keep_going => warnings.push(crate::Warning::skipped(&e)),
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(GridLayers {
            roads: road_lines,
            corridors: corridor_polygons,
            metric_crs,
            warnings,
        })
    }

    /// The extent of the roads and corridors, in the metric CRS.
    pub fn extent(&self) -> Option<Rect<f64>> {
        let corridors = self.corridors.iter().filter_map(|c| c.bounding_rect());
        let roads = self.roads.iter().filter_map(|r| r.bounding_rect());
        roads.chain(corridors).reduce(rect_union)
    }
}
