//! # omnimix-reports
//!
//! Every file omnimix writes goes through this crate: `summary.json`, `weekly.csv`,
//! `journeys.csv`, CSV tables, the budget workbook and its CSV copies
//! ([`workbook`]), charts as SVG and PNG ([`charts`]) and the self-contained HTML
//! report ([`report`], built from [`html`] blocks). Files are written atomically (a temporary file in the same
//! folder, then a rename), so an interrupted run never leaves a half-written
//! report behind.

pub mod budget;
pub mod calibration;
pub mod charts;
pub mod compare;
pub mod html;
pub mod outputs;
pub mod report;
pub mod workbook;

use omnimix_sim::kpis::{JourneyRow, Summary, WeeklyRow};
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// Creating, writing or renaming a file failed (the cause is the error's source:
    /// shown once by a report of the chain, such as anyhow's `{:#}`).
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file or folder given to read is not what was expected (bad input).
    #[error("{path}: {message}")]
    Input {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Serialising the content failed.
    #[error("cannot encode {path}: {message}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Write `bytes` to `path` atomically: a temporary sibling file, synced, renamed.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("x.txt");
/// omnimix_reports::write_atomic(&p, b"hello").unwrap();
/// assert_eq!(std::fs::read(&p).unwrap(), b"hello");
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Pretty JSON of any serialisable value, written atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ReportError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| ReportError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

/// CSV of serialisable rows (header from the field names), written atomically.
pub fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<(), ReportError> {
    let encode = |e: csv::Error| ReportError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(encode)?;
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_atomic(path, &bytes)
}

/// Write `summary.json` into `dir`, with what its intervals cover (`interval_covers`:
/// `run-to-run noise`, or `run-to-run noise and parameter uncertainty (N posterior
/// draws)`) and the posterior file they came from.
pub fn write_summary(
    dir: &Path,
    summary: &Summary,
    interval_covers: &str,
    posterior: Option<&str>,
) -> Result<PathBuf, ReportError> {
    #[derive(serde::Serialize)]
    struct File<'a> {
        #[serde(flatten)]
        summary: &'a Summary,
        interval_covers: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        posterior: Option<&'a str>,
    }
    let p = dir.join("summary.json");
    write_json(
        &p,
        &File {
            summary,
            interval_covers,
            posterior,
        },
    )?;
    Ok(p)
}

/// Write `weekly.csv` into `dir`.
pub fn write_weekly(dir: &Path, rows: &[WeeklyRow]) -> Result<PathBuf, ReportError> {
    let p = dir.join("weekly.csv");
    write_csv(&p, rows)?;
    Ok(p)
}

/// Write `journeys.csv` into `dir`: `country,path,total_conversions,total_null,total_conversion_value`.
pub fn write_journeys(dir: &Path, rows: &[JourneyRow]) -> Result<PathBuf, ReportError> {
    let p = dir.join("journeys.csv");
    write_csv(&p, rows)?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        a: u32,
        b: &'static str,
    }

    #[test]
    fn csv_has_header_and_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        write_csv(&p, &[Row { a: 1, b: "x > y" }, Row { a: 2, b: "z" }]).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "a,b\n1,x > y\n2,z\n");
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("sub/f.json"), b"{}").unwrap();
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
    }

    #[test]
    fn unwritable_target_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        fs::write(&file, b"x").unwrap();
        // a path below a regular file cannot be created
        assert!(write_atomic(&file.join("below.json"), b"{}").is_err());
    }
}
