//! The build that made a run: hecun's version, the commit it was built from, the cargo
//! features that were on, and the SHA-256 of the running program — so that two builds can be
//! told apart when a run is audited or replayed.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A build of hecun.
///
/// The report names a build by [`Build::library`] (version, commit, features: the same for
/// every run of one build); the run manifest adds the running program's SHA-256
/// ([`Build::current`]).
///
/// # Examples
///
/// ```
/// let build = hecun::run::Build::library();
/// assert_eq!(build.version, env!("CARGO_PKG_VERSION"));
/// assert!(build.line().starts_with("hecun "));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Build {
    /// hecun's version.
    pub version: String,
    /// The git commit the library was built from (40 hex digits), with `-dirty` when the
    /// checkout had changes to tracked files, or `unknown` (not built from a git checkout).
    pub commit: String,
    /// The library's cargo features that were on (`rhai`, `wasm`, `parquet`, `proj`,
    /// `gdal`), in that order.
    pub features: Vec<String>,
    /// The SHA-256 of the running program (lower-case hex): `hecun` itself, or the program
    /// that embeds the library. `None` when it could not be read, and in a report (which
    /// names the build, not the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_sha256: Option<String>,
}

impl Default for Build {
    fn default() -> Self {
        Build::library()
    }
}

/// The library's cargo features, by name, in the order [`Build::features`] lists them.
const FEATURES: [(&str, bool); 5] = [
    ("rhai", cfg!(feature = "rhai")),
    ("wasm", cfg!(feature = "wasm")),
    ("parquet", cfg!(feature = "parquet")),
    ("proj", cfg!(feature = "proj")),
    ("gdal", cfg!(feature = "gdal")),
];

impl Build {
    /// This library's build: its version, commit and features (no program hash).
    pub fn library() -> Build {
        Build {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            commit: env!("HECUN_GIT_COMMIT").to_owned(),
            features: FEATURES
                .iter()
                .filter(|(_, on)| *on)
                .map(|(name, _)| (*name).to_owned())
                .collect(),
            binary_sha256: None,
        }
    }

    /// A build that was not recorded (a report or manifest written before builds were):
    /// version, commit `unknown`, no features.
    pub fn unknown() -> Build {
        Build {
            version: "unknown".to_owned(),
            commit: "unknown".to_owned(),
            features: Vec::new(),
            binary_sha256: None,
        }
    }

    /// This library's build with the SHA-256 of the running program: hecun's binary, or the
    /// program that embeds the library (that program is what ran). Hashed once per process,
    /// on Linux from `/proc/self/exe` (the program running, even when its file has since been
    /// replaced by an upgrade), elsewhere from [`std::env::current_exe`]; `None` when it
    /// cannot be read.
    pub fn current() -> Build {
        static HASH: OnceLock<Option<String>> = OnceLock::new();
        let hash = HASH.get_or_init(|| {
            let exe = if cfg!(target_os = "linux") {
                PathBuf::from("/proc/self/exe")
            } else {
                std::env::current_exe().ok()?
            };
            super::manifest::sha256_file(&exe).ok().map(|(_, sha)| sha)
        });
        Build {
            binary_sha256: hash.clone(),
            ..Build::library()
        }
    }

    /// The commit's first 7 digits (with `-dirty`), or `unknown`.
    pub fn short_commit(&self) -> String {
        let (hash, dirty) = match self.commit.strip_suffix("-dirty") {
            Some(hash) => (hash, "-dirty"),
            None => (self.commit.as_str(), ""),
        };
        if hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!("{}{dirty}", &hash[..7])
        } else {
            self.commit.clone()
        }
    }

    /// One line naming the build: `hecun 0.1.0 (commit abc1234, features: rhai, wasm,
    /// parquet)`.
    pub fn line(&self) -> String {
        let features = if self.features.is_empty() {
            "none".to_owned()
        } else {
            self.features.join(", ")
        };
        format!(
            "hecun {} (commit {}, features: {features})",
            self.version,
            self.short_commit()
        )
    }

    /// How `other` differs from this build: each of version, commit, features and program
    /// SHA-256 that differs, as `what: this → other`; empty when they are the same build.
    /// A program hash missing on either side is not a difference.
    pub fn differences(&self, other: &Build) -> Vec<String> {
        let mut out = Vec::new();
        if self.version != other.version {
            out.push(format!("version {} → {}", self.version, other.version));
        }
        if self.commit != other.commit {
            out.push(format!("commit {} → {}", self.commit, other.commit));
        }
        if self.features != other.features {
            out.push(format!(
                "features [{}] → [{}]",
                self.features.join(", "),
                other.features.join(", ")
            ));
        }
        if let (Some(a), Some(b)) = (&self.binary_sha256, &other.binary_sha256)
            && a != b
        {
            out.push(format!("program SHA-256 {a} → {b}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_version_short_commit_and_features() {
        let mut b = Build::library();
        b.commit = "0123456789abcdef0123456789abcdef01234567".into();
        b.features = vec!["rhai".into(), "wasm".into(), "parquet".into()];
        assert_eq!(
            b.line(),
            format!(
                "hecun {} (commit 0123456, features: rhai, wasm, parquet)",
                env!("CARGO_PKG_VERSION")
            )
        );
        b.commit.push_str("-dirty");
        assert_eq!(b.short_commit(), "0123456-dirty");
        b.commit = "unknown".into();
        b.features.clear();
        assert!(b.line().ends_with("(commit unknown, features: none)"));
    }

    #[test]
    fn the_library_build_lists_exactly_the_features_compiled_in() {
        let b = Build::library();
        assert_eq!(
            b.features.contains(&"rhai".to_owned()),
            cfg!(feature = "rhai")
        );
        assert_eq!(
            b.features.contains(&"wasm".to_owned()),
            cfg!(feature = "wasm")
        );
        assert_eq!(
            b.features.contains(&"proj".to_owned()),
            cfg!(feature = "proj")
        );
        assert!(b.binary_sha256.is_none());
        // The commit is 40 hex digits (maybe dirty), or unknown.
        let hash = b.commit.strip_suffix("-dirty").unwrap_or(&b.commit);
        assert!(
            hash == "unknown" || (hash.len() == 40 && hash.bytes().all(|c| c.is_ascii_hexdigit())),
            "{}",
            b.commit
        );
    }

    /// The running program's hash is the hash of the test executable's file, computed here
    /// by reading it whole (not through `sha256_file`'s blocks).
    #[test]
    fn the_current_build_hashes_the_running_program() {
        let b = Build::current();
        let exe = std::env::current_exe().unwrap();
        let bytes = std::fs::read(exe).unwrap();
        assert_eq!(
            b.binary_sha256.as_deref(),
            Some(super::super::manifest::sha256_bytes(&bytes).as_str())
        );
    }

    #[test]
    fn differences_name_what_differs() {
        let a = Build {
            version: "0.1.0".into(),
            commit: "a".repeat(40),
            features: vec!["rhai".into()],
            binary_sha256: Some("1".repeat(64)),
        };
        assert!(a.differences(&a.clone()).is_empty());
        let mut b = a.clone();
        b.commit = "b".repeat(40);
        b.binary_sha256 = None;
        let d = a.differences(&b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].starts_with("commit aaaa"), "{d:?}");
        b.features.push("wasm".into());
        b.binary_sha256 = Some("2".repeat(64));
        assert_eq!(a.differences(&b).len(), 3);
    }
}
