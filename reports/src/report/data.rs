//! The folder's `summary.json` read once into the typed results it was written from:
//! the simulate [`Summary`] or the optimize [`Comparison`].

use crate::ReportError;
use crate::html::Unit;
use omnimix_sim::kpis::{Kpi, KpiSummary, ServiceKpi, Summary};
use omnimix_sim::{Channel, stats::Interval};
use omnimix_studies::Objective;
use omnimix_studies::analysis::{ResponseRow, RetentionRow, SensitivityRow, StaffingRow};
use omnimix_studies::optimize::Comparison;
use omnimix_studies::optimize::ParetoRow;
use omnimix_studies::tables::{AllocationRow, PhaseRow, PlanRow};
use omnimix_studies::truth::TruthRow;
use std::collections::BTreeMap;
use std::path::Path;

/// What produced the folder, with its summary.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSummary {
    /// `omnimix simulate`.
    Simulate(Box<Summary>),
    /// `omnimix optimize`.
    Optimize(Box<Comparison>),
}

impl RunSummary {
    /// Read `summary.json`: an optimize summary has `plan` and `current`, a simulate
    /// summary `company`; a file that is neither, or does not match its kind's layout
    /// (an unknown KPI name among them), is an input error naming the file.
    pub fn read(path: &Path) -> Result<RunSummary, ReportError> {
        let bad = |message: String| ReportError::Input {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        if v.get("plan").is_some() && v.get("current").is_some() {
            let c: Comparison = serde_json::from_value(v)
                .map_err(|e| bad(format!("not an optimize summary: {e}")))?;
            c.objective
                .parse::<Objective>()
                .map_err(|e| bad(format!("objective: {e}")))?;
            Ok(RunSummary::Optimize(Box::new(c)))
        } else if v.get("company").is_some() {
            let s: Summary = serde_json::from_value(v)
                .map_err(|e| bad(format!("not a simulate summary: {e}")))?;
            Ok(RunSummary::Simulate(Box::new(s)))
        } else {
            Err(bad("neither a simulate nor an optimize summary".into()))
        }
    }

    /// Currency of money figures.
    pub fn currency(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.currency,
            RunSummary::Optimize(c) => &c.currency,
        }
    }

    /// Scenario name.
    pub fn scenario(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.scenario,
            RunSummary::Optimize(c) => &c.scenario,
        }
    }

    /// Master seed.
    pub fn seed(&self) -> u64 {
        match self {
            RunSummary::Simulate(s) => s.seed,
            RunSummary::Optimize(c) => c.seed,
        }
    }

    /// Replications behind the figures.
    pub fn replications(&self) -> u32 {
        match self {
            RunSummary::Simulate(s) => s.replications,
            RunSummary::Optimize(c) => c.replications,
        }
    }

    /// omnimix version that wrote the file.
    pub fn version(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.omnimix_version,
            RunSummary::Optimize(c) => &c.omnimix_version,
        }
    }

    /// The KPIs whose service figures the report shows: the plan's, or the company's.
    pub fn main_kpis(&self) -> &KpiSummary {
        match self {
            RunSummary::Simulate(s) => &s.company,
            RunSummary::Optimize(c) => &c.plan,
        }
    }
}

/// The headline KPI of an optimize summary: the objective's (retention for the front).
pub fn objective_kpi(c: &Comparison) -> Kpi {
    c.objective
        .parse::<Objective>()
        .map_or(Kpi::Retention, |o| o.kpi())
}

/// How a KPI is shown.
pub fn unit_of(kpi: Kpi) -> Unit {
    shown(kpi.unit())
}

/// How a service KPI is shown.
pub fn service_unit(kpi: ServiceKpi) -> Unit {
    shown(kpi.unit())
}

fn shown(u: omnimix_sim::kpis::Unit) -> Unit {
    use omnimix_sim::kpis::Unit as K;
    match u {
        K::Share | K::Ratio => Unit::Percent,
        K::Money => Unit::MoneyShort,
        K::Minutes => Unit::Minutes,
        _ => Unit::Count,
    }
}

/// A KPI's interval in a summary.
pub fn kpi(k: &KpiSummary, kpi: Kpi) -> Option<&Interval> {
    k.get(kpi)
}

/// Service channels by name (the order of the files and the report).
pub fn service_by_name(
    k: &KpiSummary,
) -> Vec<(Channel, &std::collections::BTreeMap<ServiceKpi, Interval>)> {
    let mut v: Vec<_> = k.service.iter().map(|(c, m)| (*c, m)).collect();
    v.sort_by_key(|(c, _)| c.name());
    v
}

/// One row of `attribution.csv` (the columns the report reads).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct CreditRow {
    /// Attribution model, with its parameters (`markov:1`).
    pub model: String,
    /// Channel.
    pub channel: String,
    /// Share of the conversions credited.
    pub share: f64,
}

/// A CSV data file as typed rows; `None` when it does not exist or has no rows. A row
/// that does not fit is an input error naming the file and the row.
pub fn read_rows<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<Vec<T>>, ReportError> {
    if !path.exists() {
        return Ok(None);
    }
    let bad = |message: String| ReportError::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let mut rows = Vec::new();
    for (i, rec) in r.deserialize().enumerate() {
        rows.push(rec.map_err(|e| bad(format!("row {}: {e}", i + 1)))?);
    }
    Ok((!rows.is_empty()).then_some(rows))
}

/// A workbook sheet's CSV copy read as text cells: its columns are the sheet's
/// human headings (`annual spend`, `service staff (FTE)`), shown as they are.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Read `path`; `None` when it does not exist or has no rows.
    pub fn read(path: &Path) -> Result<Option<Table>, ReportError> {
        if !path.exists() {
            return Ok(None);
        }
        let bad = |m: String| ReportError::Input {
            path: path.to_path_buf(),
            message: m,
        };
        let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let headers: Vec<String> = r
            .headers()
            .map_err(|e| bad(e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            rows.push(rec.iter().map(str::to_string).collect());
        }
        Ok((!rows.is_empty()).then_some(Table { headers, rows }))
    }
}

/// The workbook's CSV copies the report shows.
pub const SHEETS: [&str; 5] = [
    "budget_country_x_channel.csv",
    "budget_by_country.csv",
    "budget_by_channel.csv",
    "budget_staffing.csv",
    "budget_assumptions.csv",
];

/// Everything the report shows, read once from an output folder.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// `summary.json`.
    pub summary: RunSummary,
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
    /// `sensitivity.csv`.
    pub sensitivity: Option<Vec<SensitivityRow>>,
    /// `pareto.csv`.
    pub pareto: Option<Vec<ParetoRow>>,
    /// `attribution.csv`.
    pub attribution: Option<Vec<CreditRow>>,
    /// `truth.csv`.
    pub truth: Option<Vec<TruthRow>>,
    /// The workbook's CSV copies ([`SHEETS`]) by file name.
    pub sheets: BTreeMap<String, Table>,
}

impl ReportData {
    /// The report data of an optimize result held in memory: the same values that
    /// [`ReportData::load`] reads back from the files `optimize` writes.
    pub fn from_optimize(
        s: &omnimix_sim::Scenario,
        o: &omnimix_studies::optimize::Optimized,
        analysis: &omnimix_studies::analysis::Analysis,
        sheets: &[crate::workbook::Sheet],
    ) -> ReportData {
        let sheets = sheets
            .iter()
            .filter_map(|sh| {
                let name = crate::workbook::csv_name("budget", &sh.name);
                let rows = sh.text_rows();
                (SHEETS.contains(&name.as_str()) && !rows.is_empty()).then(|| {
                    let t = Table {
                        headers: sh.headers.clone(),
                        rows,
                    };
                    (name, t)
                })
            })
            .collect();
        ReportData {
            summary: RunSummary::Optimize(Box::new(o.comparison.clone())),
            allocation: some(analysis.allocation.clone()),
            phases: if o.plan.phases.is_empty() {
                None
            } else {
                some(omnimix_studies::tables::phase_rows(s, &o.plan))
            },
            retention_curves: some(analysis.retention_curves.clone()),
            response_curves: some(analysis.response_curves.clone()),
            staffing_curve: some(analysis.staffing_curve.clone()),
            sensitivity: some(analysis.sensitivity.clone()),
            pareto: o.pareto.clone().and_then(some),
            attribution: None,
            truth: None,
            sheets,
        }
    }

    /// Read an output folder of `simulate` or `optimize`: `summary.json` and every
    /// data file present; a folder without `summary.json` or a file that does not fit
    /// its layout is an input error naming it.
    pub fn load(dir: &Path) -> Result<ReportData, ReportError> {
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
        let mut sheets = BTreeMap::new();
        for name in SHEETS {
            if let Some(t) = Table::read(&dir.join(name))? {
                sheets.insert(name.to_string(), t);
            }
        }
        let allocation = match read_rows::<AllocationRow>(&dir.join("allocation.csv"))? {
            Some(a) => Some(a),
            None => read_rows::<PlanRow>(&dir.join("plan.csv"))?.map(|p| {
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
            }),
        };
        Ok(ReportData {
            summary: RunSummary::read(&sp)?,
            allocation,
            phases: read_rows(&dir.join("plan_phases.csv"))?,
            retention_curves: read_rows(&dir.join("retention_curves.csv"))?,
            response_curves: read_rows(&dir.join("response_curves.csv"))?,
            staffing_curve: read_rows(&dir.join("staffing_curve.csv"))?,
            sensitivity: read_rows(&dir.join("sensitivity.csv"))?,
            pareto: read_rows(&dir.join("pareto.csv"))?,
            attribution: read_rows(&dir.join("attribution.csv"))?,
            truth: read_rows(&dir.join("truth.csv"))?,
            sheets,
        })
    }
}

/// `None` for no rows, as when a file has none.
fn some<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}
