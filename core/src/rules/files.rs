//! Reading a plugin's own files: the one place every read of a plugin file goes through (its
//! `plugin.toml`, its script or module, and the hashes of them a run records).
//!
//! A plugin may only read regular files inside its own folder (the folder holding its
//! `plugin.toml`, symlinks resolved), each of a bounded size. A path out of the folder
//! (`../creds.txt`, `/etc/passwd`, a symlink to a host file), a hard link (another name of
//! what may be a host file), a device (`/dev/zero`), a FIFO or a folder is refused before it
//! is opened, and the messages name the plugin and the path,
//! never what the file holds.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, PluginFailure, Result};

/// The largest `plugin.toml` read (its test cases make it the longest text of a plugin).
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// The largest Rhai script read.
pub const MAX_SCRIPT_BYTES: u64 = 1 << 20;
/// The largest WebAssembly module (`.wasm`, or `.wat` text) read.
pub const MAX_MODULE_BYTES: u64 = 64 << 20;

/// Which of a plugin's files is read, for messages and for its size ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginFile {
    /// Its `plugin.toml`.
    Manifest,
    /// Its Rhai script.
    Script,
    /// Its WebAssembly module.
    Module,
}

impl PluginFile {
    fn what(self) -> &'static str {
        match self {
            PluginFile::Manifest => "manifest",
            PluginFile::Script => "script",
            PluginFile::Module => "module",
        }
    }

    /// The largest such file read.
    pub fn limit(self) -> u64 {
        match self {
            PluginFile::Manifest => MAX_MANIFEST_BYTES,
            PluginFile::Script => MAX_SCRIPT_BYTES,
            PluginFile::Module => MAX_MODULE_BYTES,
        }
    }
}

/// A path a manifest names (`script`, `module`) that cannot be inside the plugin's folder
/// whatever the folder holds: absolute, or climbing out with `..`.
pub(crate) fn lexically_outside(relative: &Path) -> bool {
    relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Reads `file`, one of plugin `plugin`'s files in its folder `dir`, checking that it is a
/// regular file inside `dir` (symlinks resolved) of at most its kind's ceiling. Missing:
/// the error says so (with `missing_hint`, if any, after it).
pub fn read_plugin_file(
    plugin: &str,
    dir: &Path,
    file: &Path,
    kind: PluginFile,
    missing_hint: &str,
) -> Result<Vec<u8>> {
    let what = kind.what();
    let refuse = |why: String| Error::Plugin {
        plugin: plugin.to_owned(),
        failure: PluginFailure::Load,
        candidate: None,
        line: None,
        message: format!("its {what} {} {why}", file.display()),
    };
    let root = dir.canonicalize().map_err(|e| {
        refuse(format!(
            "cannot be read: the plugin's folder {} cannot be ({})",
            dir.display(),
            e.kind()
        ))
    })?;
    let real = match file.canonicalize() {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse(format!("is not there{missing_hint}")));
        }
        Err(e) => return Err(refuse(format!("cannot be read ({})", e.kind()))),
    };
    if !real.starts_with(&root) {
        return Err(refuse(format!(
            "is outside the plugin's folder {}: a plugin may only read files in its own folder",
            root.display()
        )));
    }
    let limit = kind.limit();
    // The type before opening: opening a FIFO would block, reading a device never ends.
    let meta = std::fs::metadata(&real)
        .map_err(|e| refuse(format!("cannot be inspected ({})", e.kind())))?;
    check_regular(&meta, limit).map_err(&refuse)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a FIFO between the check and the open: the open must not block.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let handle = options
        .open(&real)
        .map_err(|e| refuse(format!("cannot be opened ({})", e.kind())))?;
    let meta = handle
        .metadata()
        .map_err(|e| refuse(format!("cannot be inspected ({})", e.kind())))?;
    check_regular(&meta, limit).map_err(&refuse)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    handle
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot be read ({})", e.kind())))?;
    if bytes.len() as u64 > limit {
        return Err(refuse(format!(
            "is larger than the {limit}-byte limit for a plugin's {what}"
        )));
    }
    Ok(bytes)
}

fn check_regular(meta: &std::fs::Metadata, limit: u64) -> std::result::Result<(), String> {
    if !meta.is_file() {
        return Err("is not a regular file (a folder, a device or a pipe): refused".into());
    }
    #[cfg(unix)]
    {
        // A hard link is the same file under another name, which may be anywhere on the
        // disk (a host file linked into the folder): no resolving tells where.
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(format!(
                "has {} names on disk (hard links): a plugin's file may have no other name, \
                 which could be a host file; copy it into the folder instead: refused",
                meta.nlink()
            ));
        }
    }
    if meta.len() > limit {
        return Err(format!(
            "is {} bytes, larger than the {limit}-byte limit",
            meta.len()
        ));
    }
    Ok(())
}

/// [`read_plugin_file`] as UTF-8 text; a file that is not UTF-8 is refused without quoting it.
pub(crate) fn read_plugin_text(
    plugin: &str,
    dir: &Path,
    file: &Path,
    kind: PluginFile,
) -> Result<String> {
    let bytes = read_plugin_file(plugin, dir, file, kind, "")?;
    String::from_utf8(bytes).map_err(|e| Error::Plugin {
        plugin: plugin.to_owned(),
        failure: PluginFailure::Load,
        candidate: None,
        line: None,
        message: format!(
            "its {} {} is not UTF-8 text (byte {} is not)",
            kind.what(),
            file.display(),
            e.utf8_error().valid_up_to()
        ),
    })
}

/// The folder of the plugin at `path` (its folder, or its `plugin.toml`) and its manifest file.
pub fn plugin_paths(path: &Path) -> (PathBuf, PathBuf) {
    if path.is_dir() {
        (path.to_owned(), path.join("plugin.toml"))
    } else {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        (dir, path.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(dir: &Path, name: &str, kind: PluginFile) -> std::result::Result<Vec<u8>, String> {
        read_plugin_file("p", dir, &dir.join(name), kind, "").map_err(|e| e.to_string())
    }

    #[test]
    fn only_regular_files_inside_the_folder_are_read() {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("plugin");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(top.path().join("creds.txt"), "SECRET-42").unwrap();
        std::fs::write(dir.join("s.rhai"), "fn f() {}").unwrap();
        assert_eq!(
            read(&dir, "s.rhai", PluginFile::Script).unwrap(),
            b"fn f() {}"
        );
        let err = read(&dir, "../creds.txt", PluginFile::Script).unwrap_err();
        assert!(err.contains("outside the plugin's folder"), "{err}");
        assert!(!err.contains("SECRET"), "{err}");
        let err = read(&dir, "/etc/passwd", PluginFile::Script).unwrap_err();
        assert!(err.contains("outside"), "{err}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(top.path().join("creds.txt"), dir.join("link.rhai"))
                .unwrap();
            let err = read(&dir, "link.rhai", PluginFile::Script).unwrap_err();
            assert!(err.contains("outside"), "{err}");
            std::os::unix::fs::symlink("/dev/zero", dir.join("zero.rhai")).unwrap();
            let err = read(&dir, "zero.rhai", PluginFile::Script).unwrap_err();
            assert!(err.contains("outside"), "{err}");
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        let err = read(&dir, "sub", PluginFile::Script).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let err = read(&dir, "none.rhai", PluginFile::Script).unwrap_err();
        assert!(err.contains("is not there"), "{err}");
        std::fs::write(
            dir.join("big.rhai"),
            vec![b' '; MAX_SCRIPT_BYTES as usize + 1],
        )
        .unwrap();
        let err = read(&dir, "big.rhai", PluginFile::Script).unwrap_err();
        assert!(err.contains("limit"), "{err}");
    }

    #[test]
    fn paths_that_climb_or_are_absolute_are_outside() {
        assert!(lexically_outside(Path::new("../x.rhai")));
        assert!(lexically_outside(Path::new("/etc/passwd")));
        assert!(lexically_outside(Path::new("a/../../x")));
        assert!(!lexically_outside(Path::new("x.rhai")));
        assert!(!lexically_outside(Path::new("./sub/x.wasm")));
    }
}
