//! Records which source the library was built from, so that a run manifest and a report can
//! name the build that made them (`hecun::run::Build`).
//!
//! `HECUN_GIT_COMMIT` is the commit: `git rev-parse HEAD` of the repository this package is
//! part of, with `-dirty` when tracked files differ from it, or `unknown` when it cannot be
//! told (no git, not a checkout, a copy from a registry, git refusing the folder). This never
//! fails the build. A packager building from a source archive may state the commit with the
//! environment variable `HECUN_BUILD_COMMIT`.
//!
//! Cargo reruns this when HEAD moves, the branch it names moves, or the index changes (a
//! commit, `git add`); an edit not yet staged is seen as `-dirty` at the next build of this
//! package (as `git describe --dirty` would see it then).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=HECUN_BUILD_COMMIT");
    let commit = match std::env::var("HECUN_BUILD_COMMIT") {
        Ok(stated) if !stated.trim().is_empty() => stated.trim().to_owned(),
        _ => git_commit().unwrap_or_else(|| "unknown".to_owned()),
    };
    println!("cargo:rustc-env=HECUN_GIT_COMMIT={commit}");
}

/// Runs git in this package's folder; its trimmed standard output when it succeeds.
fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    // --no-optional-locks: `git status` must not rewrite the index it is watched by.
    let out = Command::new("git")
        .arg("--no-optional-locks")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

/// The commit checked out, `-dirty` when tracked files differ; `None` unless this package's
/// workspace is the repository's top folder (a copy of the package inside someone else's
/// repository must not take their commit).
fn git_commit() -> Option<String> {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir.parent()?.canonicalize().ok()?;
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != workspace {
        return None;
    }
    // What moves the commit or the index: watched, relative paths resolved against this
    // package's folder (git prints them relative to it or absolute).
    let mut watched = vec![
        "HEAD".to_owned(),
        "index".to_owned(),
        "packed-refs".to_owned(),
    ];
    if let Some(branch) = git(&["rev-parse", "--symbolic-full-name", "HEAD"])
        && branch.starts_with("refs/")
    {
        watched.push(branch);
    }
    for name in &watched {
        if let Some(path) = git(&["rev-parse", "--git-path", name]) {
            let path = Path::new(&path);
            let path = if path.is_absolute() {
                path.to_owned()
            } else {
                manifest_dir.join(path)
            };
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let commit = git(&["rev-parse", "HEAD"])?;
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_none_or(|changes| !changes.is_empty());
    Some(if dirty {
        format!("{commit}-dirty")
    } else {
        commit
    })
}
