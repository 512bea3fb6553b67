//! `report.html` and its charts, from the typed results of a run.
//!
//! [`render_dir`] reads what `simulate` or `optimize` wrote into a folder once
//! ([`ReportData::load`]: `summary.json`, and when present `allocation.csv`,
//! `plan.csv`, `plan_phases.csv`, `retention_curves.csv`, `response_curves.csv`,
//! `staffing_curve.csv`, `sensitivity.csv`, `pareto.csv`, `attribution.csv`,
//! `truth.csv` and the `budget_*.csv` tables); [`render`] draws every chart the data
//! allow into `DIR/charts/` (SVG and PNG) and writes one self-contained
//! `DIR/report.html` (inline SVG, no network, no external URL).
//!
//! One file per section of the page, named after it: `summary.rs`, `plan.rs`,
//! `countries.rs`, `channels.rs`, `service.rs`, `risk.rs`, `assumptions.rs`. The
//! charts are drawn first, one file per chart group in `charts/`; `figures.rs` keeps
//! what was drawn and `format.rs` the cells and tables the sections share.

use crate::html;
use crate::{ReportError, write_atomic};
use std::path::{Path, PathBuf};

mod assumptions;
mod channels;
mod charts;
mod countries;
pub mod data;
mod figures;
mod format;
mod plan;
mod risk;
mod service;
mod summary;
#[cfg(test)]
mod tests;

pub use data::{ReportData, RunSummary};
use figures::Figures;

/// What the sections read: the data, and the currency of its money figures.
struct Ctx<'a> {
    data: &'a ReportData,
    cur: &'a str,
}

impl<'a> Ctx<'a> {
    fn new(data: &'a ReportData) -> Ctx<'a> {
        Ctx {
            data,
            cur: data.summary.currency(),
        }
    }

    fn summary(&self) -> &'a RunSummary {
        &self.data.summary
    }
}

/// The sections of the page: (anchor, title), in order.
const SECTIONS: [(&str, &str); 7] = [
    ("summary", "Summary"),
    ("plan", "Plan"),
    ("countries", "Countries"),
    ("channels", "Channels"),
    ("service", "Service"),
    ("risk", "Risk"),
    ("assumptions", "Assumptions"),
];

/// Read the folder once ([`ReportData::load`]), draw every chart its files allow and
/// write `report.html`; returns the files written.
pub fn render_dir(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    render(&ReportData::load(dir)?, dir)
}

/// [`render_dir`] from the files of `listed` only (the folder's manifest; see
/// [`ReportData::load_listed`]).
pub fn render_listed(dir: &Path, listed: Option<&[String]>) -> Result<Vec<PathBuf>, ReportError> {
    render(&ReportData::load_listed(dir, listed)?, dir)
}

/// Draw every chart the data allow into `dir/charts/` and write `dir/report.html`;
/// returns the files written (the charts in the order drawn, then the page).
pub fn render(data: &ReportData, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let ctx = Ctx::new(data);
    let mut figures = Figures::new(&dir.join("charts"));
    charts::draw_all(&ctx, &mut figures)?;
    let page = build_html(&ctx, &figures);
    let p = dir.join("report.html");
    write_atomic(&p, page.as_bytes())?;
    let mut written = figures.into_written();
    written.push(p);
    Ok(written)
}

/// The page: every section in order, in the frame with title and subtitle.
fn build_html(ctx: &Ctx, figs: &Figures) -> String {
    let s = ctx.summary();
    let cur = ctx.cur;
    let (scenario, seed, reps, version) = (s.scenario(), s.seed(), s.replications(), s.version());
    let body = [
        summary::section(ctx),
        plan::section(ctx, figs),
        countries::section(ctx, figs),
        channels::section(ctx, figs),
        service::section(ctx, figs),
        risk::section(ctx, figs),
        assumptions::section(ctx),
    ]
    .concat();
    let subtitle = match s.comparison() {
        Some(c) => format!(
            "Budget plan · objective {} · seed {seed} · {reps} replications · amounts in {cur}",
            c.objective
        ),
        None => format!("Simulation · seed {seed} · {reps} replications · amounts in {cur}"),
    };
    html::page(
        &format!("{scenario}: channel-mix report"),
        &subtitle,
        &SECTIONS,
        &body,
        &format!(
            "omnimix {version} · every chart is also in charts/ as SVG and PNG · tables as CSV next to this file"
        ),
    )
}
