//! `summary.json`: the simulate [`Summary`] or the optimize [`Comparison`] it was
//! written from, told apart by their fields.

use crate::ReportError;
use omnimix_sim::kpis::{Kpi, KpiSummary, Summary};
use omnimix_studies::Objective;
use omnimix_studies::optimize::Comparison;
use std::path::Path;

/// What produced the folder, with its summary.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSummary {
    /// `omnimix simulate`.
    Simulate(Box<Summary>),
    /// `omnimix optimize`.
    Optimize {
        /// `summary.json` of the search.
        comparison: Box<Comparison>,
        /// The objective searched (`comparison.objective` parsed).
        objective: Objective,
    },
}

impl RunSummary {
    /// An optimize summary; an objective that is not one of [`Objective::ALL`] is an
    /// error (the message names the field).
    pub fn optimize(comparison: Comparison) -> Result<RunSummary, String> {
        let objective = comparison
            .objective
            .parse::<Objective>()
            .map_err(|e| format!("objective: {e}"))?;
        Ok(RunSummary::Optimize {
            comparison: Box::new(comparison),
            objective,
        })
    }

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
            RunSummary::optimize(c).map_err(bad)
        } else if v.get("company").is_some() {
            let s: Summary = serde_json::from_value(v)
                .map_err(|e| bad(format!("not a simulate summary: {e}")))?;
            Ok(RunSummary::Simulate(Box::new(s)))
        } else {
            Err(bad("neither a simulate nor an optimize summary".into()))
        }
    }

    /// The optimize summary, if the folder is an optimize output.
    pub fn comparison(&self) -> Option<&Comparison> {
        match self {
            RunSummary::Optimize { comparison, .. } => Some(comparison),
            RunSummary::Simulate(_) => None,
        }
    }

    /// The headline KPI of an optimize summary: the objective's (retention for the
    /// Pareto front); `None` for a simulation.
    pub fn objective_kpi(&self) -> Option<Kpi> {
        match self {
            RunSummary::Optimize { objective, .. } => Some(objective.kpi()),
            RunSummary::Simulate(_) => None,
        }
    }

    /// Currency of money figures.
    pub fn currency(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.currency,
            RunSummary::Optimize { comparison: c, .. } => &c.currency,
        }
    }

    /// Scenario name.
    pub fn scenario(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.scenario,
            RunSummary::Optimize { comparison: c, .. } => &c.scenario,
        }
    }

    /// Master seed.
    pub fn seed(&self) -> u64 {
        match self {
            RunSummary::Simulate(s) => s.seed,
            RunSummary::Optimize { comparison: c, .. } => c.seed,
        }
    }

    /// Replications behind the figures.
    pub fn replications(&self) -> u32 {
        match self {
            RunSummary::Simulate(s) => s.replications,
            RunSummary::Optimize { comparison: c, .. } => c.replications,
        }
    }

    /// omnimix version that wrote the file.
    pub fn version(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.omnimix_version,
            RunSummary::Optimize { comparison: c, .. } => &c.omnimix_version,
        }
    }

    /// The KPIs whose service figures the report shows: the plan's, or the company's.
    pub fn main_kpis(&self) -> &KpiSummary {
        match self {
            RunSummary::Simulate(s) => &s.company,
            RunSummary::Optimize { comparison: c, .. } => &c.plan,
        }
    }

    /// The strategy whose allocation the report shows: `plan`, or the simulated one.
    pub fn own_strategy(&self) -> &str {
        match self {
            RunSummary::Simulate(s) => &s.strategy,
            RunSummary::Optimize { .. } => "plan",
        }
    }
}

/// `interval_covers` of a `summary.json` (run-to-run noise when the file does not say:
/// files written before it was reported covered nothing else).
pub fn interval_covers(path: &Path) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("interval_covers")?.as_str().map(str::to_string))
        .unwrap_or_else(|| omnimix_studies::posterior::NOISE_ONLY.to_string())
}
