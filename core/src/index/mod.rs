//! Spatial indexes over the loaded layers: where each zone can reach (for the join), and the
//! indexed layers that answer the rules' spatial questions.

pub mod reach;
pub mod spatial;
