//! The outputs of `omnimix compare`: scenarios side by side on the same random
//! numbers, each KPI with its interval and its paired difference from the baseline
//! (the first scenario), as `compare.csv`, `compare.xlsx` (`files.rs`), charts (SVG
//! and PNG in `charts/`, `charts.rs`) and one self-contained `compare.html`
//! (`page.rs`).

use crate::html::{self, Unit};
use crate::{ReportError, write_atomic};
use omnimix_sim::stats::Interval;
use omnimix_studies::compare::Measure;
use std::path::{Path, PathBuf};

mod charts;
mod files;
mod page;

pub use omnimix_studies::compare::{Comparison, KpiRow};

/// How a compared figure is shown.
fn unit(m: &Measure) -> Unit {
    m.unit().into()
}

/// A reader's label: `mean wait, call centre` for service KPIs.
fn label(m: &Measure) -> String {
    match m {
        Measure::Company(k) => k.label().to_string(),
        Measure::Service(k, ch) => format!("{}, {}", k.label(), ch.name().replace('_', " ")),
        Measure::Country(k, code) => format!("{code}: {}", k.label()),
    }
}

/// `CI [lo, hi]` of a figure (or a difference); empty when it has no width.
fn ci(i: &Interval, u: Unit, cur: &str, diff: bool) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, u, cur, diff)),
        _ => String::new(),
    }
}

/// The baseline's name: the first scenario's.
fn baseline(c: &Comparison) -> String {
    c.names.first().cloned().unwrap_or_default()
}

/// Write `compare.csv`, `compare.xlsx`, the charts and `compare.html` into `dir`;
/// returns the files written, in this order.
pub fn write(dir: &Path, c: &Comparison) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = vec![
        files::write_csv(dir, c)?,
        files::write_workbook_file(dir, c)?,
    ];
    let figures = charts::draw(&dir.join("charts"), c, &mut written)?;
    let p = dir.join("compare.html");
    write_atomic(&p, page::page(c, &figures).as_bytes())?;
    written.push(p);
    Ok(written)
}
