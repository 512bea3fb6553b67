//! The outputs of `omnimix calibrate`: the fit of a scenario's free parameters to
//! the company's history, as files (`files.rs`: `posterior.csv`, `parameters.csv`,
//! `fit.csv`, `fit_metrics.csv`, `lift.csv`, `channel_effects.csv`,
//! `calibration.json`), charts (`charts.rs`: one fit chart per series,
//! `parameters`, `lift`, SVG and PNG in `charts/`), the calibrated scenario
//! (`scenario.rs`: `scenario.toml`, the user's file with the estimates) and one
//! self-contained `report.html` (`page.rs`).
//!
//! Nothing written depends on when or how fast the fit ran (the wall time is shown
//! on the page only when given): two runs with the same inputs write the same bytes.

use crate::ReportError;
use omnimix_sim::Scenario;
use serde::Serialize;
use std::path::{Path, PathBuf};

mod charts;
mod files;
mod page;
mod scenario;
#[cfg(test)]
mod tests;

pub use omnimix_studies::calibrate::{
    Calibration, ChannelEffect, FitRow, LiftRow, ParamRow, SeriesMetrics,
};
pub use scenario::calibrated_scenario;

/// How the fit was run, for the page, `calibration.json` and the header of the
/// calibrated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The history file, as the user named it.
    pub history: String,
    /// The lift-test file, when there was one.
    pub lift: Option<String>,
    /// The retention-cohort file, when there was one.
    pub cohorts: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications averaged per simulated history.
    pub replications: u32,
    /// Simulated histories the fit was allowed.
    pub evaluations: usize,
    /// Last weeks left out of the fit.
    pub holdout_weeks: usize,
    /// Wall time of the fit in seconds (shown on the page only; None keeps every
    /// output byte-identical across runs).
    #[serde(skip)]
    pub wall_seconds: Option<f64>,
}

/// Write everything `omnimix calibrate` produces into `dir`; returns the paths
/// written: `posterior.csv`, `parameters.csv`, `fit.csv`, `fit_metrics.csv`,
/// `lift.csv` (with lift tests), `channel_effects.csv`, `calibration.json`,
/// `scenario.toml`, the charts (`charts/*.svg` and `.png`) and `report.html`.
///
/// `scenario` is the scenario as fitted (its name and currency label the page),
/// `source_text` the user's scenario file and `source_path` where it is (relative
/// paths of its `[calibrate]` table are rewritten to resolve from `dir`).
pub fn write_calibration(
    dir: &Path,
    scenario: &Scenario,
    source_text: &str,
    source_path: Option<&Path>,
    c: &Calibration,
    info: &RunInfo,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = files::write_all(dir, c, info)?;
    let p = dir.join("scenario.toml");
    let text = calibrated_scenario(scenario, source_text, source_path, dir, c, info)?;
    crate::write_atomic(&p, text.as_bytes())?;
    written.push(p);
    let figures = charts::draw(
        &dir.join("charts"),
        c,
        &scenario.calibrate.params,
        &mut written,
    )?;
    let p = dir.join("report.html");
    crate::write_atomic(&p, page::page(scenario, c, info, &figures).as_bytes())?;
    written.push(p);
    Ok(written)
}

/// The week labels of a country's history, in order (from its first series in
/// `fit.csv`).
fn weeks_of<'a>(c: &'a Calibration, country: &str) -> Vec<&'a str> {
    let Some(first) = c.fit.iter().find(|r| r.country == country) else {
        return Vec::new();
    };
    c.fit
        .iter()
        .filter(|r| r.country == country && r.kpi == first.kpi)
        .map(|r| r.week.as_str())
        .collect()
}

/// The label of week `k` of a country's history (the index when it has none).
fn week_label(weeks: &[&str], k: usize) -> String {
    weeks
        .get(k)
        .map_or_else(|| k.to_string(), |w| (*w).to_string())
}

/// Cost per incremental order and return on spend of a channel's effect (None
/// where undefined).
fn effect_ratios(e: &ChannelEffect) -> (Option<f64>, Option<f64>) {
    let cpo = (e.incremental_orders > 0.0).then(|| e.spend / e.incremental_orders);
    let roas = (e.spend > 0.0).then(|| e.incremental_revenue / e.spend);
    (cpo, roas)
}
