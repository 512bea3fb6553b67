//! `omnimix report DIR`: the charts and `report.html` from an output folder's files.
//! With `journeys.csv` and no `attribution.csv` (simulate `--journeys`), the
//! attribution models run first so the report can compare them.

use crate::config::{BadInput, ReportConfig};
use anyhow::{Context, Result};
use omnimix_reports::ReportError;
use std::path::{Path, PathBuf};

/// Attribution models credited in a report (the cheap, common ones).
const REPORT_MODELS: &str = "first_touch,last_touch,linear,time_decay,position_based,markov:1";

/// Write `attribution.csv` from `journeys.csv` when there is one and no attribution yet.
fn attribution(dir: &Path) -> Result<Option<PathBuf>> {
    use omnimix_attribution::{JourneyTable, Model, Options, attribute_all};
    let journeys = dir.join("journeys.csv");
    let out = dir.join("attribution.csv");
    if !journeys.exists() || out.exists() {
        return Ok(None);
    }
    let file = std::fs::File::open(&journeys)
        .map_err(|e| BadInput(format!("cannot read {}: {e}", journeys.display())))?;
    let table = JourneyTable::from_reader(std::io::BufReader::new(file))
        .map_err(|e| BadInput(format!("{}: {e}", journeys.display())))?;
    let models = Model::parse_list(REPORT_MODELS).map_err(|e| anyhow::anyhow!("{e}"))?;
    let credits =
        attribute_all(&table, &models, &Options::default()).context("attribution failed")?;
    omnimix_reports::write_csv(&out, &credits)?;
    Ok(Some(out))
}

/// Render the report of `dir` (a simulate or optimize output folder); files there
/// that cannot be read are bad input.
pub fn render(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written: Vec<PathBuf> = attribution(dir)?.into_iter().collect();
    match omnimix_reports::report::render_dir(dir) {
        Ok(files) => written.extend(files),
        Err(ReportError::Input { path, message }) => {
            return Err(BadInput(format!("report {}: {message}", path.display())).into());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(written)
}

/// `omnimix report DIR`.
pub fn report(cfg: &ReportConfig) -> Result<()> {
    let written = render(&cfg.dir)?;
    if !cfg.quiet {
        crate::print::print_written(&written);
    }
    Ok(())
}
