//! The plan's layers as rules see them: in the metric CRS, indexed, under their plan names.
//!
//! `roads` and `corridors` (the features zones were built from, with their class), `zones`
//! (one demolition zone per road or corridor, class = its class), `villages`, and whichever of
//! `townships`, `sites`, `zoning`, `facilities`, `farmland` and `redline` the plan lists.

use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::index::spatial::{IndexedLayer, LayerItem, SpatialLayers};
use crate::model::crs::{CrsEngine, Transformer};
use crate::model::field_text;
use crate::model::layer::Layer;
use crate::pipeline::job::{AffectedRun, LayerSource};
use crate::pipeline::plan::Plan;

/// A layer read for the rules: as read (for outputs in the planner's CRS), and projected.
#[derive(Debug)]
pub struct SceneLayer {
    /// The layer as read, geometries in its own CRS.
    pub layer: Layer,
    /// Its features in the metric CRS, parallel to `layer.features`.
    pub items: Vec<LayerItem>,
}

/// Reads `source` and projects its features into the metric CRS of `run`.
pub fn read_scene_layer(
    source: &LayerSource,
    plan: &Plan,
    run: &AffectedRun,
) -> Result<SceneLayer> {
    let layer = source
        .read(plan.affected.input_crs, plan.affected.keep_going)?
        .layer;
    let items = project_items(&layer, source, run, plan.affected.engine, &[])?;
    Ok(SceneLayer { layer, items })
}

/// The features of `layer` in the metric CRS, each with the attributes among `fields` (the
/// plugin's declaration: the helpers that add up a field see no other, as the plugin does
/// not).
fn project_items(
    layer: &Layer,
    source: &LayerSource,
    run: &AffectedRun,
    engine: CrsEngine,
    fields: &[String],
) -> Result<Vec<LayerItem>> {
    let to_metric = Transformer::new(layer.crs, run.metric_crs, engine)?;
    layer
        .features
        .par_iter()
        .map(|f| {
            let mut geometry = f.geometry.clone();
            to_metric.transform(&mut geometry).map_err(|e| {
                Error::feature(layer.feature_ref(f), Some("geometry"), e.to_string())
            })?;
            Ok(LayerItem {
                id: f.id.clone().unwrap_or_else(|| f.index.to_string()),
                class: field_text(f, &source.schema, "class"),
                geometry,
                properties: super::reads::declared_properties(
                    &f.properties,
                    &source.schema,
                    fields,
                ),
            })
        })
        .collect()
}

/// Every layer of the plan that rules may query, indexed in the metric CRS of `run`, with the
/// context layers as read (by name) for the jobs that write them back out. The plan's own
/// layers (`[layers.patients]`) are left out: see [`build_scene_reading`].
pub fn build_scene(
    plan: &Plan,
    run: &AffectedRun,
) -> Result<(
    Arc<SpatialLayers>,
    std::collections::BTreeMap<String, SceneLayer>,
)> {
    build_scene_reading(plan, run, &crate::rules::Reads::default())
}

/// [`build_scene`], with the plan's own layers that `reads` declares.
pub fn build_scene_reading(
    plan: &Plan,
    run: &AffectedRun,
    reads: &crate::rules::Reads,
) -> Result<(
    Arc<SpatialLayers>,
    std::collections::BTreeMap<String, SceneLayer>,
)> {
    let mut layers = SpatialLayers::new();
    for name in ["roads", "corridors"] {
        let items = run
            .sources
            .iter()
            .filter(|s| s.layer == name)
            .map(|s| LayerItem {
                id: s.id.clone(),
                class: Some(s.class.clone()),
                geometry: s.geometry.clone(),
                properties: None,
            })
            .collect();
        layers.insert(IndexedLayer::new(name, items));
    }
    let zones = run
        .zones
        .iter()
        .map(|z| LayerItem {
            id: run.sources[z.source].id.clone(),
            class: Some(z.class.clone()),
            geometry: geo::Geometry::MultiPolygon(z.polygon.clone()),
            properties: None,
        })
        .collect();
    layers.insert(IndexedLayer::new("zones", zones));
    let villages = project_items(
        &run.villages_layer,
        &plan.affected.villages,
        run,
        plan.affected.engine,
        reads.fields("villages"),
    )?;
    layers.insert(IndexedLayer::new("villages", villages));
    let mut read = std::collections::BTreeMap::new();
    for (name, source) in &plan.context {
        if source.schema.kind() == crate::model::schema::LayerKind::Other && !reads.declares(name) {
            continue;
        }
        // The communities table is keyed by id, its geometry optional: it reaches a launch
        // check as the community's own attributes, not the spatial helpers.
        if name == super::launch::COMMUNITIES_LAYER {
            continue;
        }
        let layer = source
            .read(plan.affected.input_crs, plan.affected.keep_going)?
            .layer;
        let items = project_items(
            &layer,
            source,
            run,
            plan.affected.engine,
            reads.fields(name),
        )?;
        let scene_layer = SceneLayer { layer, items };
        layers.insert(IndexedLayer::new(name.clone(), scene_layer.items.clone()));
        read.insert(name.clone(), scene_layer);
    }
    Ok((Arc::new(layers), read))
}
