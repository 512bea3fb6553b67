//! `report.html` and its charts, from the files of an output folder alone.
//!
//! [`render_dir`] reads what `simulate` or `optimize` wrote (`summary.json`, and when
//! present `allocation.csv`, `plan.csv`, `retention_curves.csv`,
//! `response_curves.csv`, `staffing_curve.csv`, `sensitivity.csv`, `pareto.csv`,
//! `attribution.csv`, `truth.csv` and the `budget_*.csv` tables), draws every chart
//! the files allow into `DIR/charts/` (SVG and PNG) and writes one self-contained
//! `DIR/report.html` (inline SVG, no network, no external URL) with the sections
//! Summary, Plan, Countries, Channels, Service, Risk and Assumptions.

use crate::charts::{self, Chart, Line, TornadoRow, svg_string};
use crate::html::{self, Td, Unit, card, esc, fmt, fmt_diff, section, table};
use crate::{ReportError, write_atomic};
use data::{
    ReportData, RunSummary, Table, kpi, objective_kpi, service_by_name, service_unit, unit_of,
};
use omnimix_sim::Channel;
use omnimix_sim::kpis::{Kpi, KpiSummary, ServiceKpi};
use omnimix_sim::stats::Interval;
use omnimix_studies::analysis::SensitivityRow;
use omnimix_studies::tables::{AllocationRow, PhaseRow};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod charts_analysis;
mod charts_plan;
pub mod data;
mod sections_plan;
mod sections_risk;
mod summary;

fn ci_text(i: &Interval, unit: Unit, cur: &str) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, unit, cur, false)),
        _ => String::new(),
    }
}

fn ci_diff_text(i: &Interval, unit: Unit, cur: &str) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, unit, cur, true)),
        _ => String::new(),
    }
}

/// What produced the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simulate,
    Optimize,
}

struct Ctx {
    dir: PathBuf,
    summary: RunSummary,
    /// The folder's data, read once.
    data: ReportData,
    kind: Kind,
    cur: String,
    written: Vec<PathBuf>,
    /// Charts drawn, by name: (svg text, caption).
    charts: BTreeMap<&'static str, (String, String)>,
}

impl Ctx {
    /// A workbook sheet's CSV copy (`budget_*.csv`), when the folder has it.
    fn table(&self, name: &str) -> Result<Option<Table>, ReportError> {
        Ok(self.data.sheets.get(name).cloned())
    }

    fn chart(
        &mut self,
        name: &'static str,
        chart: Chart,
        caption: &str,
    ) -> Result<(), ReportError> {
        let files = charts::render(&chart, &self.dir.join("charts"), name)?;
        let svg = svg_string(&chart).map_err(|m| ReportError::Encode {
            path: files[0].clone(),
            message: m,
        })?;
        self.written.extend(files);
        self.charts.insert(name, (svg, caption.to_string()));
        Ok(())
    }

    fn figure(&self, name: &str) -> String {
        match self.charts.get(name) {
            Some((svg, caption)) => html::figure(
                svg,
                caption,
                &format!("(charts/{name}.svg, charts/{name}.png)"),
            ),
            None => String::new(),
        }
    }
}

fn m(x: f64) -> f64 {
    x / 1e6
}

/// Read the folder once ([`ReportData::load`]), draw every chart its files allow and
/// write `report.html`; returns the files written.
pub fn render_dir(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    render(ReportData::load(dir)?, dir)
}

/// Draw every chart the data allow into `dir/charts/` and write `dir/report.html`.
pub fn render(data: ReportData, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let summary = data.summary.clone();
    let kind = match summary {
        RunSummary::Optimize(_) => Kind::Optimize,
        RunSummary::Simulate(_) => Kind::Simulate,
    };
    let cur = summary.currency().to_string();
    let mut ctx = Ctx {
        dir: dir.to_path_buf(),
        summary,
        data,
        kind,
        cur,
        written: Vec::new(),
        charts: BTreeMap::new(),
    };
    draw_charts(&mut ctx)?;
    let html = build_html(&ctx)?;
    let p = dir.join("report.html");
    write_atomic(&p, html.as_bytes())?;
    ctx.written.push(p);
    Ok(ctx.written)
}

/// The strategy whose allocation the report shows (`plan`, or the simulated one).
fn own_strategy(ctx: &Ctx) -> String {
    match ctx.kind {
        Kind::Optimize => "plan".into(),
        Kind::Simulate => match &ctx.summary {
            RunSummary::Simulate(s) => s.strategy.clone(),
            RunSummary::Optimize(_) => "plan".into(),
        },
    }
}

/// The KPI the sensitivity was computed for (the `objective` column of
/// `sensitivity.csv`); a name that is not a KPI is an input error.
fn sensitivity_objective(ctx: &Ctx, t: &[SensitivityRow]) -> Result<Kpi, ReportError> {
    let name = t.first().map_or("retention", |r| r.objective.as_str());
    name.parse()
        .map_err(|e: omnimix_sim::kpis::UnknownKpi| ReportError::Input {
            path: ctx.dir.join("sensitivity.csv"),
            message: format!("objective: {e}"),
        })
}

fn draw_charts(ctx: &mut Ctx) -> Result<(), ReportError> {
    charts_plan::allocation_charts(ctx)?;
    charts_plan::retention_charts(ctx)?;
    charts_analysis::response_chart(ctx)?;
    charts_analysis::staffing_chart(ctx)?;
    charts_analysis::tradeoff_chart(ctx)?;
    charts_analysis::attribution_chart(ctx)?;
    charts_analysis::sensitivity_chart(ctx)?;
    charts_analysis::service_wait_chart(ctx)?;
    Ok(())
}

const SECTIONS: [(&str, &str); 7] = [
    ("summary", "Summary"),
    ("plan", "Plan"),
    ("countries", "Countries"),
    ("channels", "Channels"),
    ("service", "Service"),
    ("risk", "Risk"),
    ("assumptions", "Assumptions"),
];

const HEADLINE: [Kpi; 7] = [
    Kpi::Retention,
    Kpi::Roi,
    Kpi::Npv,
    Kpi::Revenue,
    Kpi::CostTotal,
    Kpi::ActiveCustomers,
    Kpi::Conversions,
];

fn kpi_cell(k: &KpiSummary, name: Kpi, cur: &str) -> Td {
    match kpi(k, name) {
        Some(i) => {
            let u = unit_of(name);
            Td::NumCi(fmt(i.mean, u, cur), ci_text(i, u, cur))
        }
        None => Td::Num("–".into()),
    }
}

/// Render a budget CSV table with units guessed from the column names.
fn budget_table(t: &Table, cur: &str, totals: bool) -> String {
    let units: Vec<Option<Unit>> = t
        .headers
        .iter()
        .map(|h| {
            if h.contains("spend")
                || h.contains("wages")
                || h.contains("budget") && !h.contains("share")
            {
                Some(Unit::Money)
            } else if h.contains("share") {
                Some(Unit::Percent)
            } else if h.contains("FTE") {
                Some(Unit::Fte)
            } else {
                None
            }
        })
        .collect();
    let mut rows: Vec<Vec<Td>> = t
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(c, v)| match (units[c], v.parse::<f64>()) {
                    (Some(u), Ok(x)) => Td::Num(fmt(x, u, cur)),
                    _ => Td::Text(v.clone()),
                })
                .collect()
        })
        .collect();
    if totals && !t.rows.is_empty() {
        let mut total = vec![Td::Text("Total".into())];
        for (c, u) in units.iter().enumerate().skip(1) {
            match u {
                Some(u) => {
                    let s: f64 = t
                        .rows
                        .iter()
                        .filter_map(|r| r.get(c)?.parse::<f64>().ok())
                        .sum();
                    total.push(Td::Num(fmt(s, *u, cur)));
                }
                None => total.push(Td::Text(String::new())),
            }
        }
        rows.push(total);
    }
    table(&t.headers, &rows, totals)
}

fn build_html(ctx: &Ctx) -> Result<String, ReportError> {
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let (scenario, seed, reps, version) = (s.scenario(), s.seed(), s.replications(), s.version());
    let mut b = String::new();
    b += &summary::summary_section(ctx)?;
    b += &sections_plan::plan_section(ctx)?;
    b += &sections_plan::countries_section(ctx)?;
    b += &sections_plan::channels_section(ctx)?;
    b += &sections_risk::service_section(ctx)?;
    b += &sections_risk::risk_section(ctx)?;
    b += &sections_risk::assumptions_section(ctx)?;
    let subtitle = match s {
        RunSummary::Optimize(c) => format!(
            "Budget plan · objective {} · seed {seed} · {reps} replications · amounts in {cur}",
            c.objective
        ),
        RunSummary::Simulate(_) => {
            format!("Simulation · seed {seed} · {reps} replications · amounts in {cur}")
        }
    };
    let _ = &ctx.written;
    Ok(html::page(
        &format!("{scenario}: channel-mix report"),
        &subtitle,
        &SECTIONS,
        &b,
        &format!(
            "omnimix {version} · every chart is also in charts/ as SVG and PNG · tables as CSV next to this file"
        ),
    ))
}

#[cfg(test)]
mod tests;
