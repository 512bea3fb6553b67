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
fn attribution(dir: &Path, listed: Option<&[String]>) -> Result<Option<PathBuf>> {
    use omnimix_attribution::{JourneyTable, Model, Options, attribute_all};
    let journeys = dir.join("journeys.csv");
    let out = dir.join("attribution.csv");
    let written = |name: &str| listed.is_none_or(|l| l.iter().any(|f| f == name));
    if !journeys.exists()
        || !written("journeys.csv")
        || (out.exists() && written("attribution.csv"))
    {
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

/// Render the report of `dir` (a simulate or optimize output folder) from the files
/// its manifest lists (all files when it has none); files there that cannot be read
/// are bad input.
pub fn render(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut listed = crate::outdir::read_manifest(dir).map(|m| m.files);
    let mut written: Vec<PathBuf> = attribution(dir, listed.as_deref())?.into_iter().collect();
    if let Some(l) = listed.as_mut()
        && !written.is_empty()
    {
        l.push("attribution.csv".into());
    }
    match omnimix_reports::report::render_listed(dir, listed.as_deref()) {
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
    crate::outdir::record(&written);
    if !cfg.quiet {
        crate::print::print_written(&written);
    }
    Ok(())
}
