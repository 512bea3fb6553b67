//! The output folder of a run (`--out DIR`, or `report DIR`).
//!
//! * A lock file `DIR/.omnimix.lock` (created with `create_new`, holding the process
//!   id) keeps a second run from writing into the folder at the same time; it is
//!   removed when the run ends. A lock left by a process that no longer runs (killed)
//!   is taken over.
//! * `DIR/manifest.json` lists the files the last run wrote (paths relative to the
//!   folder), with the command and the omnimix version. Before a new run writes, the
//!   files of the previous manifest are removed, so nothing of an earlier run stays
//!   beside the new files; `omnimix report DIR` reads only the files listed.

use crate::config::BadInput;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The lock's file name.
pub const LOCK: &str = ".omnimix.lock";

/// What a run wrote into its folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// omnimix version that wrote the files.
    pub omnimix_version: String,
    /// The command that wrote them (`simulate`, `optimize`, ...).
    pub command: String,
    /// Every file written, relative to the folder, `/`-separated, sorted.
    pub files: Vec<String>,
}

/// The folder of this run: (folder, lock file held), and the files recorded so far.
struct Held {
    dir: PathBuf,
    lock: Option<PathBuf>,
    files: Vec<PathBuf>,
}

static HELD: Mutex<Option<Held>> = Mutex::new(None);

fn held() -> std::sync::MutexGuard<'static, Option<Held>> {
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The process has ended and waits to be reaped (Linux: state `Z` in
/// `/proc/PID/stat`; elsewhere never).
#[cfg(unix)]
fn zombie(pid: libc::pid_t) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    })
}

/// Is process `pid` running (a zombie is not)?
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            // a zombie (ended, not yet reaped: an aborted MPI rank whose launcher is
            // gone) holds nothing
            return !zombie(pid);
        }
        std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Lock `dir` (created if need be) for this run; bad input when another running
/// omnimix holds it.
pub fn lock(dir: &Path) -> Result<()> {
    let file = dir.join(LOCK);
    let cannot =
        |e: std::io::Error| BadInput(format!("--out {}: cannot write there ({e})", dir.display()));
    std::fs::create_dir_all(dir).map_err(cannot)?;
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
        {
            Ok(mut f) => {
                use std::io::Write;
                writeln!(f, "{}", std::process::id()).map_err(cannot)?;
                *held() = Some(Held {
                    dir: dir.to_path_buf(),
                    lock: Some(file),
                    files: Vec::new(),
                });
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pid = std::fs::read_to_string(&file)
                    .ok()
                    .and_then(|t| t.trim().parse::<u32>().ok());
                match pid {
                    Some(pid) if !running(pid) => {
                        // left by a run that was killed
                        let _ = std::fs::remove_file(&file);
                    }
                    _ => {
                        let who = pid.map_or("pid unknown".into(), |p| format!("pid {p}"));
                        return Err(BadInput(format!(
                            "another omnimix run is writing to {} ({who}); remove {} if it is \
                             not running",
                            dir.display(),
                            file.display()
                        ))
                        .into());
                    }
                }
            }
            Err(e) => return Err(cannot(e).into()),
        }
    }
    Err(BadInput(format!(
        "--out {}: cannot take the lock {}",
        dir.display(),
        file.display()
    ))
    .into())
}

/// The manifest of `dir`, if it has a readable one.
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    serde_json::from_str(&text).ok()
}

/// A manifest entry that stays inside the folder (no absolute path, no `..`).
fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    p.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
        .then(|| dir.join(p))
}

/// Remove the files of the folder's previous run (those of its manifest) and the
/// manifest, before this run writes.
pub fn clear_previous(dir: &Path) -> Result<()> {
    let Some(m) = read_manifest(dir) else {
        return Ok(());
    };
    let mut parents = std::collections::BTreeSet::new();
    for f in m.files.iter().filter_map(|f| inside(dir, f)) {
        match std::fs::remove_file(&f) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(anyhow::Error::from(e)
                    .context(format!("removing {} of the previous run", f.display())));
            }
        }
        if let Some(p) = f.parent().filter(|p| *p != dir) {
            parents.insert(p.to_path_buf());
        }
    }
    for p in parents.iter().rev() {
        let _ = std::fs::remove_dir(p); // only when empty
    }
    match std::fs::remove_file(dir.join(MANIFEST)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(anyhow::Error::from(e)
                .context(format!("removing {}", dir.join(MANIFEST).display())))
        }
        _ => Ok(()),
    }
}

/// Record files this run wrote (into its folder).
pub fn record(files: &[PathBuf]) {
    if let Some(h) = held().as_mut() {
        h.files.extend_from_slice(files);
    }
}

/// `files` relative to `dir`, `/`-separated, sorted, without duplicates.
fn relative(dir: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut out: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(dir).ok())
        .map(|r| {
            r.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|r| !r.is_empty() && r != MANIFEST)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The run succeeded: write the manifest of `command` (with `merge`, as `report` adds
/// its pages to a run's folder: added to the folder's manifest, if it has one).
pub fn finish(command: &str, merge: bool) -> Result<()> {
    let Some(h) = held().as_ref().map(|h| (h.dir.clone(), h.files.clone())) else {
        return Ok(());
    };
    let (dir, files) = h;
    let mut m = Manifest {
        omnimix_version: env!("CARGO_PKG_VERSION").into(),
        command: command.into(),
        files: relative(&dir, &files),
    };
    if merge {
        // a folder without a manifest (of an older omnimix) stays without one: a list
        // of the report's files alone would hide the run's files from the next report
        let Some(old) = read_manifest(&dir) else {
            return Ok(());
        };
        m.command = old.command;
        m.files.extend(old.files);
        m.files.sort();
        m.files.dedup();
    }
    omnimix_reports::write_json(&dir.join(MANIFEST), &m)?;
    Ok(())
}

/// Remove the lock (at the end of the run, whatever its outcome).
pub fn release() {
    if let Some(h) = held().take()
        && let Some(l) = h.lock
    {
        let _ = std::fs::remove_file(l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_entries_outside_the_folder_are_ignored() {
        let d = Path::new("/x/out");
        assert_eq!(inside(d, "charts/a.svg"), Some(d.join("charts/a.svg")));
        assert_eq!(inside(d, "../a.csv"), None);
        assert_eq!(inside(d, "/etc/passwd"), None);
    }

    #[test]
    fn files_are_listed_relative_sorted_and_once() {
        let d = Path::new("/x/out");
        let files = [
            d.join("b.csv"),
            d.join("charts/a.svg"),
            d.join("b.csv"),
            d.join(MANIFEST),
        ];
        assert_eq!(relative(d, &files), vec!["b.csv", "charts/a.svg"]);
    }
}
