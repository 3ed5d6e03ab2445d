//! The one error type of the library.

use std::fmt;
use std::path::PathBuf;

/// A feature in an input file: where a problem was found.
///
/// Printed as `villages.geojson, feature #12 (id "410122101201")`, so that a planner can find
/// the feature in QGIS by its index or its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRef {
    /// The file the feature was read from.
    pub path: PathBuf,
    /// Zero-based index of the feature in the file's `features` array.
    pub index: usize,
    /// The feature's id (from the schema's id field or the GeoJSON `id` member), when it has one.
    pub id: Option<String>,
}

impl fmt::Display for FeatureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, feature #{}", self.path.display(), self.index)?;
        if let Some(id) = &self.id {
            write!(f, " (id {id:?})")?;
        }
        Ok(())
    }
}

/// What kind of failure a plugin had: a service may retry after a timeout, raise a limit, or
/// report a broken rule to its author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PluginFailure {
    /// It could not be loaded: its manifest, script or module is missing, too large,
    /// malformed, of another runtime, or refused its parameters.
    Load,
    /// It ran longer than its time limit (`max_millis`).
    Timeout,
    /// It broke another limit of its sandbox or of its answers.
    Limit {
        /// The limit as `plugin.toml` names it (`max_operations`, `max_memory_mb`,
        /// `max_call_depth`, `max_string_size`, `max_terms`, `max_answer_bytes`, …).
        limit: &'static str,
    },
    /// Its code failed while running: a WebAssembly trap or panic, a Rhai runtime error (a
    /// type error, an unknown function, `throw`), a helper called wrongly, or an error the
    /// rule returned itself.
    Runtime,
    /// Its answer broke the plugin contract: missing, malformed, of the wrong kind or type,
    /// naming an undeclared criterion, or not a finite number.
    Answer,
}

/// What kind of CRS problem an [`Error::Crs`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CrsProblem {
    /// The CRS is not one hecun knows, or its name cannot be read.
    Unknown,
    /// No metric CRS fits the data (outside China's CGCS2000 Gauss–Krüger zones).
    NoMetricZone,
    /// The CRS engine asked for is unknown or not built in.
    Engine,
    /// Coordinates or a geometry could not be transformed.
    Transform,
}

/// Everything that can go wrong in hecun, with the file, feature and field it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    // The OS message is part of the message and deliberately not the error's `source()`:
    // reporters that print the chain (anyhow's `{:#}`) would say it twice.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// A file is not valid JSON, or not a GeoJSON FeatureCollection.
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// One-based line of the problem.
        line: usize,
        /// One-based column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// One feature of a layer is unusable.
    #[error("{feature}: {}{problem}", field.as_ref().map(|f| format!("field {f:?}: ")).unwrap_or_default())]
    Feature {
        /// The feature.
        feature: FeatureRef,
        /// The field concerned (`geometry` for geometry problems), if one.
        field: Option<String>,
        /// What is wrong, and what to do about it when that is known.
        problem: String,
    },
    /// A layer file is not what its format needs: a Shapefile without its `.dbf` or `.shx`,
    /// a `.prj` naming no CRS hecun knows, a `.cpg` whose encoding the `.dbf` contradicts.
    /// `path` is the file at fault (the `.dbf`, the `.prj`…), not always the `.shp`.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong (with the record and field when there is one), and what to do.
        message: String,
    },
    /// A layer has no features (or none left after skipping bad ones).
    #[error("{}: the layer has no features", path.display())]
    EmptyLayer {
        /// The file.
        path: PathBuf,
    },
    /// A coordinate reference system is unknown or a transformation failed.
    #[error("CRS: {message}")]
    #[non_exhaustive]
    Crs {
        /// What kind of CRS problem it is.
        problem: CrsProblem,
        /// What is wrong, and what to do about it.
        message: String,
    },
    /// A plugin failed to load, broke a sandbox limit, or failed on a candidate.
    #[error("plugin {plugin:?}{}{}: {message}",
        candidate.as_ref().map(|c| format!(", candidate {c:?}")).unwrap_or_default(),
        line.map(|l| format!(", script line {l}")).unwrap_or_default())]
    #[non_exhaustive]
    Plugin {
        /// The plugin's name.
        plugin: String,
        /// What kind of failure it was, for callers that act on it.
        failure: PluginFailure,
        /// The candidate (community, site) it was working on, if any.
        candidate: Option<String>,
        /// The line of the script, when known.
        line: Option<usize>,
        /// What happened, in words.
        message: String,
    },
    /// A parameter is unreadable or out of range: a zone width, a sweep, a language, an
    /// option given to a run.
    #[error("{context}: {message}")]
    #[non_exhaustive]
    Param {
        /// The parameter as it was given (`--width "ring=abc"`, `zone widths`, `--sweep`).
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A plan file, a plugin manifest or another configuration file is wrong.
    #[error("{context}: {message}")]
    Config {
        /// The plan file or option concerned.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A roster (a table joined to a layer by key, CSV or Excel) is unreadable, or its rows
    /// contradict one another.
    #[error("{}{}: {message}", path.display(), at.as_ref().map(|a| format!(", {a}")).unwrap_or_default())]
    Roster {
        /// The roster's file.
        path: PathBuf,
        /// Where in it: `sheet "Sheet1" cell C1`, `line 5`; `None` for the whole file.
        at: Option<String>,
        /// What is wrong, and what to do about it.
        message: String,
    },
    /// The caller stopped the run ([`RunControl`](crate::RunControl)): its cancel flag was
    /// set, or its deadline passed.
    #[error("the run was {reason} during stage {stage:?}; nothing of it is returned")]
    Cancelled {
        /// The stage that was running (`load`, `project`, `buffer`, `join`, `aggregate`, or a
        /// plan run's step).
        stage: &'static str,
        /// `cancelled`, or `past its deadline`.
        reason: &'static str,
    },
}

impl Error {
    /// A format error in file `path` (see [`Error::Format`]).
    pub fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }

    /// A problem with one feature, optionally in one field.
    pub fn feature(feature: FeatureRef, field: Option<&str>, problem: impl Into<String>) -> Self {
        Error::Feature {
            feature,
            field: field.map(str::to_owned),
            problem: problem.into(),
        }
    }

    /// A parameter that is unreadable or out of range.
    pub fn param(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Param {
            context: context.into(),
            message: message.into(),
        }
    }

    /// A CRS problem.
    pub fn crs(problem: CrsProblem, message: impl Into<String>) -> Self {
        Error::Crs {
            problem,
            message: message.into(),
        }
    }

    /// A configuration problem.
    pub fn config(context: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            context: context.into(),
            message: message.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
