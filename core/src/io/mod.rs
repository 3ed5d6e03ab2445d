//! Files in and out: reading GeoJSON, Shapefile, FlatGeobuf and GeoParquet layers (with the structure check of every
//! feature) and the rosters joined to them,
//! writing GeoJSON geometries, and the output folder that is written all at once or not at
//! all.

pub mod fgb;
#[cfg(feature = "gdal")]
#[allow(unsafe_code)] // calls into GDAL's C library: see the module's safety note
pub mod gdal;
pub mod geojson_write;
#[cfg(feature = "parquet")]
pub mod geoparquet;
pub mod gpkg;
pub mod output_dir;
pub mod read;
pub mod roster;
pub mod shapefile;
pub mod structure;
pub(crate) mod typed_props;
pub mod wkb;

pub use geojson_write::write_geometry;
pub use output_dir::OutputDir;
