//! The data files of `omnimix optimize` and of the report's analysis, written from
//! the typed results of `omnimix-studies`.

use crate::{ReportError, write_csv, write_json};
use omnimix_sim::Scenario;
use omnimix_studies::analysis::Analysis;
use omnimix_studies::optimize::{Optimized, PlanFile};
use omnimix_studies::tables::{budget, phase_rows, plan_rows};
use std::path::{Path, PathBuf};

/// The analysis files, in this order: `allocation.csv`, `retention_curves.csv`,
/// `response_curves.csv`, `staffing_curve.csv`, `sensitivity.csv`.
pub fn write_analysis(dir: &Path, a: &Analysis) -> Result<Vec<PathBuf>, ReportError> {
    let p = |f: &str| dir.join(f);
    let files = vec![
        p("allocation.csv"),
        p("retention_curves.csv"),
        p("response_curves.csv"),
        p("staffing_curve.csv"),
        p("sensitivity.csv"),
    ];
    write_csv(&files[0], &a.allocation)?;
    write_csv(&files[1], &a.retention_curves)?;
    write_csv(&files[2], &a.response_curves)?;
    write_csv(&files[3], &a.staffing_curve)?;
    write_csv(&files[4], &a.sensitivity)?;
    Ok(files)
}

/// What `optimize` writes before the report: `plan.json`, `plan.csv`, `summary.json`,
/// `trace.csv`, `plan_phases.csv` (phased plans), `budget.xlsx` with CSV copies of
/// its sheets, and `pareto.csv` (Pareto searches).
pub fn write_optimized(
    dir: &Path,
    s: &Scenario,
    o: &Optimized,
    plan_file: &PlanFile,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = vec![dir.join("plan.json")];
    write_json(&written[0], plan_file)?;
    written.push(dir.join("plan.csv"));
    write_csv(&written[1], &plan_rows(s, &o.plan))?;
    written.push(dir.join("summary.json"));
    write_json(&written[2], &o.comparison)?;
    written.push(dir.join("trace.csv"));
    write_csv(&written[3], &o.trace)?;
    if !o.plan.phases.is_empty() {
        let f = dir.join("plan_phases.csv");
        write_csv(&f, &phase_rows(s, &o.plan))?;
        written.push(f);
    }
    let xlsx = dir.join("budget.xlsx");
    let sheets = budget_sheets(s, o);
    crate::workbook::write_workbook(&xlsx, &s.currency, &sheets)?;
    written.push(xlsx);
    written.extend(crate::workbook::write_sheets_csv(dir, "budget", &sheets)?);
    if let Some(rows) = &o.pareto {
        let f = dir.join("pareto.csv");
        write_csv(&f, rows)?;
        written.push(f);
    }
    Ok(written)
}

/// The sheets of `budget.xlsx` for an optimize result.
pub fn budget_sheets(s: &Scenario, o: &Optimized) -> Vec<crate::workbook::Sheet> {
    crate::budget::sheets(s, &budget(s, &o.plan), &o.comparison)
}
