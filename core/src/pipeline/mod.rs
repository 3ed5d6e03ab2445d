//! The affected-villages pipeline, in the order it runs: a plan names the layers and widths
//! ([`plan`]); the job reads and projects them ([`job`]), draws the zones ([`zones`]), joins
//! villages to zones and adds up ([`affected`]); its files are written by [`outputs`].

pub mod affected;
pub mod job;
pub mod outputs;
pub mod plan;
pub mod zones;
