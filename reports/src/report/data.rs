//! The folder's `summary.json` read once into the typed results it was written from:
//! the simulate [`Summary`] or the optimize [`Comparison`].

use crate::ReportError;
use crate::html::Unit;
use omnimix_sim::kpis::{Kpi, KpiSummary, ServiceKpi, Summary};
use omnimix_sim::{Channel, stats::Interval};
use omnimix_studies::Objective;
use omnimix_studies::optimize::Comparison;
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
