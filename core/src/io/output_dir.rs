//! The atomic output folder: every file of a run, or none of them.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Marks a folder as hecun's output, so that a rerun may replace it (and nothing else).
const MARKER: &str = ".hecun-output";

/// An output folder written all at once: files go to a staging folder beside it, which
/// replaces the folder only when every file is written. A failed or interrupted run leaves
/// the previous outputs as they were.
///
/// Made with [`OutputDir::in_memory`], it keeps the files in memory instead, written by the
/// same code as a folder's, byte for byte ([`OutputDir::into_files`]).
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
    /// The files of an in-memory output, by name; `None`: a folder.
    memory: Option<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl OutputDir {
    /// Starts writing `dir`; refuses a non-empty folder that hecun did not write.
    pub fn begin(dir: &Path) -> Result<OutputDir> {
        if dir.is_file() {
            return Err(Error::config(
                dir.display().to_string(),
                "the output path is a file, not a folder",
            ));
        }
        if dir.is_dir() && !dir.join(MARKER).exists() {
            let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            if entries.next().is_some() {
                return Err(Error::config(
                    dir.display().to_string(),
                    "the output folder is not empty and was not written by hecun: choose another --out",
                ));
            }
        }
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".to_owned());
        remove_abandoned_staging(&parent, &name);
        let staging = parent.join(format!(".{name}.hecun-tmp-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(OutputDir {
            target: dir.to_owned(),
            staging,
            committed: false,
            memory: None,
        })
    }

    /// An output kept in memory: nothing is written to disk; [`OutputDir::into_files`] gives
    /// the files (what a folder would hold, byte for byte).
    pub fn in_memory() -> OutputDir {
        OutputDir {
            target: PathBuf::new(),
            staging: PathBuf::new(),
            committed: true,
            memory: Some(Mutex::new(BTreeMap::new())),
        }
    }

    /// The files of an in-memory output as `(name, bytes)`, sorted by name; empty for a
    /// folder (its files are on disk).
    pub fn into_files(mut self) -> Vec<(String, Vec<u8>)> {
        match self.memory.take() {
            Some(files) => files
                .into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }

    /// Makes file `name` through `body`: into the staging folder, buffered, or into memory.
    /// `body` is given the path its I/O errors name.
    fn emit(
        &self,
        name: &str,
        body: impl FnOnce(&mut dyn std::io::Write, &Path) -> Result<()>,
    ) -> Result<()> {
        let path = self.staged(name);
        match &self.memory {
            Some(files) => {
                let mut bytes = Vec::new();
                body(&mut bytes, &path)?;
                files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(name.to_owned(), bytes);
                Ok(())
            }
            None => {
                // A file in a subfolder (`tables/funding.csv`): the subfolder is made first.
                if name.contains('/')
                    && let Some(parent) = path.parent()
                {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                let file = fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
                let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
                body(&mut w, &path)?;
                w.flush().map_err(|e| Error::io(&path, e))
            }
        }
    }

    /// Where file `name` is while the folder is being written (before [`OutputDir::commit`]),
    /// e.g. to hash what was written.
    pub fn staged(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Makes file `name` with `make`, which creates it at the path it is given: for a
    /// library that writes a file by path rather than through a stream (SQLite). A folder's
    /// file is made in the staging folder; an in-memory output's in a temporary file that is
    /// read back and removed, so both hold the same bytes.
    pub fn write_at(&self, name: &str, make: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        match &self.memory {
            None => {
                let path = self.staged(name);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                make(&path)
            }
            Some(files) => {
                static NEXT: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let temp = std::env::temp_dir().join(format!(
                    ".hecun-{}-{k}-{}",
                    std::process::id(),
                    name.replace('/', "_")
                ));
                let _ = fs::remove_file(&temp);
                let made = make(&temp);
                let bytes = made.and_then(|()| fs::read(&temp).map_err(|e| Error::io(&temp, e)));
                let _ = fs::remove_file(&temp);
                files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(name.to_owned(), bytes?);
                Ok(())
            }
        }
    }

    /// The bytes of file `name` as already written (from the staging folder, or memory).
    pub fn read_back(&self, name: &str) -> Result<Vec<u8>> {
        match &self.memory {
            None => {
                let path = self.staged(name);
                fs::read(&path).map_err(|e| Error::io(&path, e))
            }
            Some(files) => files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(name)
                .cloned()
                .ok_or_else(|| {
                    Error::io(
                        self.staged(name),
                        std::io::Error::new(std::io::ErrorKind::NotFound, "not written"),
                    )
                }),
        }
    }

    /// Writes one file into the staging folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.emit(name, |w, path| {
            w.write_all(bytes).map_err(|e| Error::io(path, e))
        })
    }

    /// Writes one file into the staging folder through `write`, buffered, without holding it
    /// in memory.
    pub fn write_with(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        self.emit(name, |w, path| write(w).map_err(|e| Error::io(path, e)))
    }

    /// Writes a GeoJSON FeatureCollection, one feature per line, streaming: features are
    /// formatted on all cores a chunk at a time, so memory stays bounded at any size.
    pub fn write_features<T: Sync>(
        &self,
        name: &str,
        items: &[T],
        feature: impl Fn(&T) -> Result<String> + Sync,
    ) -> Result<()> {
        self.emit(name, |w, path| {
            let io = |e| Error::io(path, e);
            w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")
                .map_err(io)?;
            for (k, chunk) in items.chunks(4096).enumerate() {
                let strings = chunk
                    .par_iter()
                    .map(&feature)
                    .collect::<Result<Vec<String>>>()?;
                for (i, s) in strings.iter().enumerate() {
                    if k > 0 || i > 0 {
                        w.write_all(b",\n").map_err(io)?;
                    }
                    w.write_all(s.as_bytes()).map_err(io)?;
                }
            }
            w.write_all(b"\n]}\n").map_err(io)
        })
    }

    /// Replaces the target folder with the staging folder (an in-memory output has nothing
    /// to replace: its files stay where they are, and the path returned is empty).
    pub fn commit(mut self) -> Result<PathBuf> {
        if self.memory.is_some() {
            return Ok(PathBuf::new());
        }
        self.write(MARKER, b"written by hecun; a rerun replaces this folder\n")?;
        let old = self.staging.with_file_name(format!(
            "{}-old",
            self.staging
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        let had_old = self.target.exists();
        // Where the system can swap two folders in one step, the target is never missing: a
        // crash at any moment leaves the old outputs or the new ones, whole.
        #[cfg(target_os = "linux")]
        if had_old && exchange(&self.staging, &self.target).is_ok() {
            self.committed = true;
            fs::remove_dir_all(&self.staging).map_err(|e| Error::io(&self.staging, e))?;
            return Ok(self.target.clone());
        }
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(self.target.clone())
    }
}

/// Swaps two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Removes the staging folders of runs of `name` that were killed before they could clean up
/// (Ctrl-C, a crash): those whose process is gone.
fn remove_abandoned_staging(parent: &Path, name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let prefix = format!(".{name}.hecun-tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.trim_end_matches("-old");
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}
