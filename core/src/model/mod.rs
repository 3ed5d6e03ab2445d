//! What the layers mean: features and their attributes, the fields of each layer kind, the
//! CRS they are written in (and web maps' offset coordinates), typed views (villages, zone sources, launch fields), and what a
//! demolition zone is.

pub mod community;
pub mod crs;
pub mod layer;
pub mod schema;
pub mod views;
pub mod webmap;
pub mod zone;

pub use views::*;
