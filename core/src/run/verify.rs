//! Whether a delivered output folder is still what the run wrote: every file on disk against
//! the SHA-256 its run manifest records, and the run's inputs against theirs.
//!
//! A replay proves that the inputs give the recorded outputs; this proves that the folder in
//! hand holds those outputs — an edited table, a deleted layer or a file slipped in after the
//! run is named.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::RunManifest;
use super::manifest::{InputFile, sha256_file};
use crate::error::{Error, Result};

/// The manifest's file name in an output folder.
pub const MANIFEST_NAME: &str = "run_manifest.json";

/// The file that marks a folder as hecun's output (written with it, not recorded in it).
const MARKER: &str = ".hecun-output";

/// One file that is not as the run left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Finding {
    /// Its content differs from the recorded one.
    Changed {
        /// The file (an output: relative to the folder; an input: as the run named it).
        path: PathBuf,
        /// The SHA-256 recorded.
        recorded: String,
        /// The SHA-256 now.
        now: String,
    },
    /// It is recorded but not there.
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// It is there but no longer a regular file (a folder, a link, a device…).
    NotAFile {
        /// The file.
        path: PathBuf,
    },
    /// An output folder's file that the manifest does not record.
    Extra {
        /// The file, relative to the folder.
        path: PathBuf,
    },
}

impl Finding {
    /// The file the finding is about.
    pub fn path(&self) -> &Path {
        match self {
            Finding::Changed { path, .. }
            | Finding::Missing { path }
            | Finding::NotAFile { path }
            | Finding::Extra { path } => path,
        }
    }
}

/// An input of the run (the plan, a layer, a roster, a plugin's file) that is not as the run
/// read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InputFinding {
    /// What it is to the run: `plan`, a layer's name, `plugin.toml`, `script`, `module`…
    pub role: String,
    /// What is wrong with it.
    pub finding: Finding,
}

/// What [`verify_folder`] found.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Verification {
    /// The output folder checked.
    pub folder: PathBuf,
    /// Its run manifest.
    #[serde(skip)]
    pub manifest: RunManifest,
    /// The outputs the manifest records (each was checked).
    pub outputs_recorded: usize,
    /// Every file of the folder that is not as the run wrote it, by path: changed, missing,
    /// not a regular file, or extra (`run_manifest.json` itself and the `.hecun-output`
    /// marker are not outputs).
    pub outputs: Vec<Finding>,
    /// The folder the run was made in, where the inputs' relative paths start.
    pub working_folder: PathBuf,
    /// The inputs checked (0 when the working folder is not there).
    pub inputs_recorded: usize,
    /// The working folder is not there (a folder delivered without its project): the inputs
    /// were not checked.
    pub inputs_not_here: bool,
    /// Every input that is not as the run read it, in the manifest's order.
    pub inputs: Vec<InputFinding>,
}

impl Verification {
    /// Every file of the folder is as the run wrote it, and no other file is there.
    pub fn folder_as_written(&self) -> bool {
        self.outputs.is_empty()
    }

    /// Every input was there and as the run read it.
    pub fn inputs_as_read(&self) -> bool {
        !self.inputs_not_here && self.inputs.is_empty()
    }

    /// The findings as pretty JSON with a final newline: the folder, the counts, and each
    /// finding with its `kind` (`changed`, `missing`, `not_a_file`, `extra`), path and, when
    /// changed, the recorded and present SHA-256.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Checks the output folder `dir` against its `run_manifest.json`: every output the manifest
/// records (its SHA-256), every file on disk the manifest does not record (an extra), and
/// every input — the plan, layers, rosters and plugin files — against the SHA-256 the run
/// read (found from the folder the run was made in, as `hecun replay` finds them).
///
/// The manifest's output paths must lie inside the folder: a manifest naming `../x` or an
/// absolute path is refused, not followed. Files are hashed, not opened otherwise; links
/// are not followed. An unreadable manifest or file is an error naming it.
///
/// # Examples
///
/// ```no_run
/// let v = hecun::run::verify_folder(std::path::Path::new("out"))?;
/// for f in &v.outputs {
///     println!("{f:?}");
/// }
/// assert!(v.folder_as_written());
/// # Ok::<(), hecun::Error>(())
/// ```
pub fn verify_folder(dir: &Path) -> Result<Verification> {
    verify_manifest(&dir.join(MANIFEST_NAME))
}

/// [`verify_folder`] of the folder that holds the manifest at `manifest_path` (which may be
/// named otherwise: it is left out of the extras by its own name).
pub fn verify_manifest(manifest_path: &Path) -> Result<Verification> {
    let manifest = RunManifest::load(manifest_path)?;
    let dir = match manifest_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let own_name = PathBuf::from(manifest_path.file_name().unwrap_or_default());
    let mut recorded = BTreeSet::new();
    let mut outputs = Vec::new();
    for (k, f) in manifest.outputs.iter().enumerate() {
        if !inside(&f.path) {
            return Err(Error::config(
                manifest_path.display().to_string(),
                format!(
                    "outputs[{k}]: path {:?} leaves the output folder (a manifest names its \
                     outputs by their path inside it)",
                    f.path
                ),
            ));
        }
        recorded.insert(f.path.clone());
        if let Some(finding) = check(f, &dir.join(&f.path), &f.path, false)? {
            outputs.push(finding);
        }
    }
    let mut on_disk = Vec::new();
    walk(dir, Path::new(""), &mut on_disk)?;
    for path in on_disk {
        let own = path == own_name || path == Path::new(MARKER);
        if !own && !recorded.contains(&path) {
            outputs.push(Finding::Extra { path });
        }
    }
    outputs.sort_by(|a, b| a.path().cmp(b.path()));

    let working_folder = manifest
        .working_folder_from(manifest_path)
        .unwrap_or_else(|| PathBuf::from("."));
    let files: Vec<&InputFile> = std::iter::once(&manifest.plan)
        .chain(&manifest.inputs)
        .chain(manifest.plugins.iter().flat_map(|p| &p.files))
        .collect();
    let inputs_not_here = !working_folder.is_dir();
    let mut inputs = Vec::new();
    if !inputs_not_here {
        for f in &files {
            if let Some(finding) = check(f, &working_folder.join(&f.path), &f.path, true)? {
                inputs.push(InputFinding {
                    role: f.role.clone(),
                    finding,
                });
            }
        }
    }
    Ok(Verification {
        folder: dir.to_owned(),
        outputs_recorded: manifest.outputs.len(),
        inputs_recorded: if inputs_not_here { 0 } else { files.len() },
        manifest,
        outputs,
        working_folder,
        inputs_not_here,
        inputs,
    })
}

/// Whether a recorded output path stays inside its folder: relative, no `..`, not empty.
fn inside(path: &Path) -> bool {
    path.components().next().is_some()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// The finding about the recorded file `f` at `on_disk` (named `name`), `None` when it has
/// the recorded content. Links are followed only for inputs (`follow`): a layer may be a
/// link into a data store, an output never is.
fn check(f: &InputFile, on_disk: &Path, name: &Path, follow: bool) -> Result<Option<Finding>> {
    let meta = if follow {
        std::fs::metadata(on_disk)
    } else {
        std::fs::symlink_metadata(on_disk)
    };
    let path = name.to_owned();
    let meta = match meta {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(Finding::Missing { path }));
        }
        Err(e) => return Err(Error::io(on_disk, e)),
    };
    if !meta.is_file() {
        return Ok(Some(Finding::NotAFile { path }));
    }
    let (_, now) = sha256_file(on_disk)?;
    Ok((now != f.sha256).then(|| Finding::Changed {
        path,
        recorded: f.sha256.clone(),
        now,
    }))
}

/// Every entry of `dir` that is not a folder (files, links, devices), as paths relative to
/// the output folder (`prefix` is `dir`'s), folders walked into (links to folders are not).
fn walk(dir: &Path, prefix: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let root = dir.join(prefix);
    let entries = std::fs::read_dir(&root).map_err(|e| Error::io(&root, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&root, e))?;
        let name = prefix.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
        if kind.is_dir() {
            walk(dir, &name, found)?;
        } else {
            found.push(name);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::manifest::sha256_bytes;

    /// A folder with files `a.csv`, `tables/b.json` and a manifest recording them (and an
    /// input `plan.toml` in the folder above, the run's working folder).
    fn folder() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        std::fs::create_dir_all(out.join("tables")).unwrap();
        std::fs::write(out.join("a.csv"), "id,n\n1,2\n").unwrap();
        std::fs::write(out.join("tables/b.json"), "{}\n").unwrap();
        std::fs::write(out.join(MARKER), "").unwrap();
        std::fs::write(tmp.path().join("plan.toml"), "name = \"x\"\n").unwrap();
        let file = |name: &str, bytes: &[u8]| InputFile {
            role: name.to_owned(),
            path: PathBuf::from(name),
            bytes: bytes.len() as u64,
            sha256: sha256_bytes(bytes),
        };
        let manifest = serde_json::json!({
            "manifest_version": 1,
            "tool": { "name": "hecun", "version": "0.1.0", "features": [] },
            "working_folder": "..",
            "plan": { "role": "plan", "path": "plan.toml", "bytes": 11,
                      "sha256": sha256_bytes(b"name = \"x\"\n") },
            "plan_name": "x",
            "inputs": [],
            "plugins": [],
            "options": { "input_crs": null, "metric_crs": null, "crs_engine": null,
                         "keep_going": false, "check_all": false, "no_zones": false,
                         "widths": [], "sweep": null, "lang": "en" },
            "widths_m": {},
            "metric_crs": "EPSG:4547",
            "crs_engine": "builtin",
            "counts": serde_json::to_value(crate::report::Totals::default()).unwrap(),
            "outputs": [file("a.csv", b"id,n\n1,2\n"), file("tables/b.json", b"{}\n")],
            "warnings": [],
            "timings_s": {}
        });
        std::fs::write(
            out.join(MANIFEST_NAME),
            serde_json::to_string_pretty(&manifest).unwrap(),
        )
        .unwrap();
        (tmp, out)
    }

    #[test]
    fn a_folder_as_written_has_no_findings() {
        let (_tmp, out) = folder();
        let v = verify_folder(&out).unwrap();
        assert!(v.folder_as_written(), "{:?}", v.outputs);
        assert!(v.inputs_as_read(), "{:?}", v.inputs);
        assert_eq!((v.outputs_recorded, v.inputs_recorded), (2, 1));
    }

    #[test]
    fn changed_missing_extra_and_replaced_files_are_each_named() {
        let (tmp, out) = folder();
        // One byte of the CSV edited; the JSON deleted and a folder put in its place would be
        // "not a file": here it is simply deleted; two files slipped in, one in a subfolder.
        std::fs::write(out.join("a.csv"), "id,n\n1,3\n").unwrap();
        std::fs::remove_file(out.join("tables/b.json")).unwrap();
        std::fs::write(out.join("notes.txt"), "later").unwrap();
        std::fs::create_dir(out.join("extra")).unwrap();
        std::fs::write(out.join("extra/x.csv"), "").unwrap();
        let v = verify_folder(&out).unwrap();
        assert_eq!(
            v.outputs,
            [
                Finding::Changed {
                    path: "a.csv".into(),
                    recorded: sha256_bytes(b"id,n\n1,2\n"),
                    now: sha256_bytes(b"id,n\n1,3\n"),
                },
                Finding::Extra {
                    path: "extra/x.csv".into()
                },
                Finding::Extra {
                    path: "notes.txt".into()
                },
                Finding::Missing {
                    path: "tables/b.json".into()
                },
            ]
        );
        assert!(!v.folder_as_written());
        // The input is untouched; then it changes, and is named with its role.
        assert!(v.inputs_as_read());
        std::fs::write(tmp.path().join("plan.toml"), "name = \"y\"\n").unwrap();
        let v = verify_folder(&out).unwrap();
        assert_eq!(v.inputs.len(), 1);
        assert_eq!(v.inputs[0].role, "plan");
        assert!(matches!(v.inputs[0].finding, Finding::Changed { .. }));
    }

    #[test]
    fn an_output_replaced_by_a_folder_or_link_is_not_a_file() {
        let (_tmp, out) = folder();
        std::fs::remove_file(out.join("tables/b.json")).unwrap();
        std::fs::create_dir(out.join("tables/b.json")).unwrap();
        #[cfg(unix)]
        {
            // The same bytes behind a link are still not the file the run wrote.
            std::fs::write(out.join("elsewhere.csv"), "id,n\n1,2\n").unwrap();
            std::fs::remove_file(out.join("a.csv")).unwrap();
            std::os::unix::fs::symlink("elsewhere.csv", out.join("a.csv")).unwrap();
        }
        let v = verify_folder(&out).unwrap();
        assert!(v.outputs.contains(&Finding::NotAFile {
            path: "tables/b.json".into()
        }));
        #[cfg(unix)]
        assert!(v.outputs.contains(&Finding::NotAFile {
            path: "a.csv".into()
        }));
    }

    #[test]
    fn inputs_are_not_checked_when_the_project_is_not_there() {
        let (tmp, out) = folder();
        let moved = tmp.path().join("delivered");
        std::fs::create_dir(&moved).unwrap();
        let alone = moved.join("out");
        std::fs::rename(&out, &alone).unwrap();
        // The manifest says "..": that is `delivered`, which has no plan.toml.
        let v = verify_folder(&alone).unwrap();
        assert!(v.folder_as_written());
        assert_eq!(v.inputs.len(), 1);
        assert!(matches!(v.inputs[0].finding, Finding::Missing { .. }));
        // A working folder that is not there at all: not checked, and said so.
        let text = std::fs::read_to_string(alone.join(MANIFEST_NAME))
            .unwrap()
            .replace(
                "\"working_folder\": \"..\"",
                "\"working_folder\": \"../gone\"",
            );
        std::fs::write(alone.join(MANIFEST_NAME), text).unwrap();
        let v = verify_folder(&alone).unwrap();
        assert!(v.inputs_not_here && v.inputs.is_empty() && !v.inputs_as_read());
    }

    #[test]
    fn a_manifest_naming_a_file_outside_the_folder_is_refused() {
        let (_tmp, out) = folder();
        for bad in ["../plan.toml", "/etc/passwd", "tables/../../plan.toml", ""] {
            let text = std::fs::read_to_string(out.join(MANIFEST_NAME)).unwrap();
            let mut m: serde_json::Value = serde_json::from_str(&text).unwrap();
            m["outputs"][1]["path"] = bad.into();
            let bad_dir = out.with_file_name(format!("bad{}", bad.len()));
            std::fs::create_dir_all(&bad_dir).unwrap();
            std::fs::write(bad_dir.join(MANIFEST_NAME), m.to_string()).unwrap();
            let e = verify_folder(&bad_dir).unwrap_err().to_string();
            assert!(
                e.contains("outputs[1]") && e.contains("leaves the output folder"),
                "{bad}: {e}"
            );
        }
        // No manifest: an error naming the file.
        let e = verify_folder(&out.join("tables")).unwrap_err().to_string();
        assert!(e.contains(MANIFEST_NAME), "{e}");
    }
}
