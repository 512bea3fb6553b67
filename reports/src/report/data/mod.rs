//! [`ReportData`]: everything the report shows, as the typed results it was written
//! from, read once from an output folder ([`ReportData::load`]) or taken from an
//! optimize result in memory ([`ReportData::from_optimize`]).

use crate::ReportError;
use crate::workbook::Sheet;
use omnimix_sim::Scenario;
use omnimix_studies::analysis::{Analysis, ResponseRow, RetentionRow, StaffingRow};
use omnimix_studies::optimize::{Optimized, ParetoRow};
use omnimix_studies::tables::{AllocationRow, PhaseRow, PlanRow, phase_rows};
use omnimix_studies::truth::TruthRow;
use std::path::{Path, PathBuf};

mod files;
mod summary;
#[cfg(test)]
mod tests;

pub use files::{BudgetTables, CreditRow, Sensitivity, Table, read_rows};
pub use summary::RunSummary;

/// Everything the report shows, read once from an output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportData {
    /// `summary.json`.
    pub summary: RunSummary,
    /// What the intervals cover (`interval_covers` of `summary.json`; run-to-run noise
    /// in files written before it was reported).
    pub interval_covers: String,
    /// `allocation.csv`, or the plan alone from `plan.csv` (an optimize output
    /// written with `--no-report`).
    pub allocation: Option<Vec<AllocationRow>>,
    /// `plan_phases.csv`.
    pub phases: Option<Vec<PhaseRow>>,
    /// `retention_curves.csv`.
    pub retention_curves: Option<Vec<RetentionRow>>,
    /// `response_curves.csv`.
    pub response_curves: Option<Vec<ResponseRow>>,
    /// `staffing_curve.csv`.
    pub staffing_curve: Option<Vec<StaffingRow>>,
    /// `sensitivity.csv`, with the KPI it measures.
    pub sensitivity: Option<Sensitivity>,
    /// `pareto.csv`.
    pub pareto: Option<Vec<ParetoRow>>,
    /// `attribution.csv`.
    pub attribution: Option<Vec<CreditRow>>,
    /// `truth.csv`.
    pub truth: Option<Vec<TruthRow>>,
    /// The workbook's CSV copies (`budget_*.csv`).
    pub budget: BudgetTables,
}

impl ReportData {
    /// The report data of an optimize result held in memory: the same values that
    /// [`ReportData::load`] reads back from the files `optimize` writes. An objective
    /// that is not a known name (in the summary or the sensitivity rows) is an input
    /// error naming the file it would be written to.
    pub fn from_optimize(
        s: &Scenario,
        o: &Optimized,
        analysis: &Analysis,
        sheets: &[Sheet],
    ) -> Result<ReportData, ReportError> {
        let bad = |file: &str| {
            let path = PathBuf::from(file);
            move |message: String| ReportError::Input { path, message }
        };
        let summary = RunSummary::optimize(o.comparison.clone()).map_err(bad("summary.json"))?;
        let sensitivity =
            Sensitivity::new(analysis.sensitivity.clone()).map_err(bad("sensitivity.csv"))?;
        Ok(ReportData {
            interval_covers: o.comparison.interval_covers.clone(),
            summary,
            allocation: some(analysis.allocation.clone()),
            phases: if o.plan.phases.is_empty() {
                None
            } else {
                some(phase_rows(s, &o.plan))
            },
            retention_curves: some(analysis.retention_curves.clone()),
            response_curves: some(analysis.response_curves.clone()),
            staffing_curve: some(analysis.staffing_curve.clone()),
            sensitivity,
            pareto: o.pareto.clone().and_then(some),
            attribution: None,
            truth: None,
            budget: BudgetTables::from_sheets(sheets),
        })
    }

    /// Read an output folder of `simulate` or `optimize`: `summary.json` and every
    /// data file present, each parsed once into its typed rows. A missing optional
    /// file is `None`; a folder without `summary.json`, or a file that does not fit
    /// its layout (a malformed row, an unknown KPI name), is an input error naming it.
    pub fn load(dir: &Path) -> Result<ReportData, ReportError> {
        Self::load_listed(dir, None)
    }

    /// [`ReportData::load`] of the files of `listed` only (the folder's manifest, paths
    /// relative to it): a file present but not listed is left from an earlier run and
    /// read as absent; a listed data file that is missing is an input error (the
    /// report's own `report.html` and `charts/` are drawn again).
    pub fn load_listed(dir: &Path, listed: Option<&[String]>) -> Result<ReportData, ReportError> {
        // the report's own pages and charts may be gone: they are drawn again
        let input = |f: &&String| !f.starts_with("charts/") && *f != "report.html";
        if let Some(l) = listed
            && let Some(gone) = l.iter().filter(input).find(|f| !dir.join(f).exists())
        {
            return Err(ReportError::Input {
                path: dir.join(gone),
                message: "listed in manifest.json but missing (the folder was changed after \
                          the run)"
                    .into(),
            });
        }
        let bad = |m: &str| ReportError::Input {
            path: dir.to_path_buf(),
            message: m.to_string(),
        };
        if !dir.is_dir() {
            return Err(bad("no such folder"));
        }
        let sp = dir.join("summary.json");
        if !sp.is_file() {
            return Err(bad(
                "no summary.json: not an output folder of omnimix simulate or optimize",
            ));
        }
        // a file the run did not write reads as absent
        let file = |name: &str| match listed {
            Some(l) if !l.iter().any(|f| f == name) => {
                dir.join(".not-written-by-the-run").join(name)
            }
            _ => dir.join(name),
        };
        Ok(ReportData {
            summary: RunSummary::read(&sp)?,
            interval_covers: summary::interval_covers(&sp),
            allocation: read_allocation(dir)?,
            phases: read_rows(&file("plan_phases.csv"))?,
            retention_curves: read_rows(&file("retention_curves.csv"))?,
            response_curves: read_rows(&file("response_curves.csv"))?,
            staffing_curve: read_rows(&file("staffing_curve.csv"))?,
            sensitivity: Sensitivity::read(&file("sensitivity.csv"))?,
            pareto: read_rows(&file("pareto.csv"))?,
            attribution: read_rows(&file("attribution.csv"))?,
            truth: read_rows(&file("truth.csv"))?,
            budget: BudgetTables::read(dir)?,
        })
    }
}

/// `allocation.csv`, else the plan alone from `plan.csv` (strategy `plan`).
fn read_allocation(dir: &Path) -> Result<Option<Vec<AllocationRow>>, ReportError> {
    if let Some(a) = read_rows::<AllocationRow>(&dir.join("allocation.csv"))? {
        return Ok(Some(a));
    }
    let plan = read_rows::<PlanRow>(&dir.join("plan.csv"))?;
    Ok(plan.map(|p| {
        p.into_iter()
            .map(|r| AllocationRow {
                strategy: "plan".into(),
                country: r.country,
                channel: r.channel,
                spend: r.spend,
                service_staff: r.service_staff,
                specialists: r.specialists,
            })
            .collect()
    }))
}

/// `None` for no rows, as when a file has none.
fn some<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}
