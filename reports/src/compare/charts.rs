//! The charts of `compare.html`: retention and ROI by scenario, the paired
//! difference in retention, the retention curves and the service waits.

use super::{Comparison, KpiRow, baseline, label};
use crate::ReportError;
use crate::charts::{Chart, Line, render_keeping_svg};
use crate::html;
use omnimix_sim::Channel;
use omnimix_sim::kpis::{Kpi, ServiceKpi};
use omnimix_sim::stats::Interval;
use omnimix_studies::compare::Measure;
use std::path::{Path, PathBuf};

/// Where the charts go, the files written, and the figure blocks of the page.
struct Drawn<'a> {
    dir: &'a Path,
    written: &'a mut Vec<PathBuf>,
    figures: String,
}

impl Drawn<'_> {
    fn add(&mut self, name: &str, chart: Chart, caption: &str) -> Result<(), ReportError> {
        let (svg, files) = render_keeping_svg(&chart, self.dir, name)?;
        self.figures += &html::figure(
            &svg,
            caption,
            &format!("(charts/{name}.svg, charts/{name}.png)"),
        );
        self.written.extend(files);
        Ok(())
    }
}

/// Draw every chart the comparison has into `dir`, adding the files to `written`;
/// returns the figure blocks for the page, in order.
pub(super) fn draw(
    dir: &Path,
    c: &Comparison,
    written: &mut Vec<PathBuf>,
) -> Result<String, ReportError> {
    let mut d = Drawn {
        dir,
        written,
        figures: String::new(),
    };
    for kpi in [Kpi::Retention, Kpi::RetentionHorizon, Kpi::Roi] {
        by_scenario(&mut d, c, kpi)?;
    }
    difference(&mut d, c)?;
    retention_curves(&mut d, c)?;
    service_waits(&mut d, c)?;
    Ok(d.figures)
}

/// Means in % with their intervals, one per category.
fn intervals(title: String, y_label: String, categories: &[String], v: &[Interval]) -> Chart {
    Chart::Intervals {
        title,
        y_label,
        categories: categories.to_vec(),
        mean: v.iter().map(|v| 100.0 * v.mean).collect(),
        lo: v.iter().map(|v| 100.0 * v.lo.unwrap_or(v.mean)).collect(),
        hi: v.iter().map(|v| 100.0 * v.hi.unwrap_or(v.mean)).collect(),
    }
}

/// A company KPI (a share or ratio) per scenario, when compared.
fn by_scenario(d: &mut Drawn, c: &Comparison, kpi: Kpi) -> Result<(), ReportError> {
    let key = Measure::Company(kpi);
    let Some(k) = c.kpis.iter().find(|k| k.measure == key) else {
        return Ok(());
    };
    let stem = if kpi == Kpi::Roi { "roi" } else { "retention" };
    d.add(
        &format!("compare_{stem}"),
        intervals(
            format!("{} by scenario", label(&key)),
            format!("{} (%)", label(&key)),
            &c.names,
            &k.values,
        ),
        "Mean over the replications with its 90 % interval.",
    )
}

/// Each scenario's paired difference in retention from the baseline.
fn difference(d: &mut Drawn, c: &Comparison) -> Result<(), ReportError> {
    let retention = |k: &&KpiRow| {
        matches!(
            k.measure,
            Measure::Company(Kpi::Retention | Kpi::RetentionHorizon)
        )
    };
    if c.names.len() <= 1 {
        return Ok(());
    }
    let Some(k) = c.kpis.iter().find(retention) else {
        return Ok(());
    };
    d.add(
        "compare_difference",
        intervals(
            format!("Difference in retention from {}", baseline(c)),
            "difference (percentage points)".into(),
            &c.names[1..],
            &k.differences[1..],
        ),
        "Paired by replication (common random numbers): the interval of the difference, not of each figure.",
    )
}

/// Company retention by week of every scenario, when any has a curve.
fn retention_curves(d: &mut Drawn, c: &Comparison) -> Result<(), ReportError> {
    if !c.retention_curves.iter().any(|v| !v.is_empty()) {
        return Ok(());
    }
    let lines = c
        .names
        .iter()
        .zip(&c.retention_curves)
        .map(|(n, v)| Line {
            name: n.clone(),
            points: v
                .iter()
                .enumerate()
                .map(|(w, r)| ((w + 1) as f64, 100.0 * r))
                .collect(),
            marked: None,
            points_only: false,
        })
        .collect();
    d.add(
        "compare_retention_curves",
        Chart::Lines {
            title: "Company retention by week".into(),
            x_label: "week".into(),
            y_label: "customers still active (%)".into(),
            lines,
            marked_label: None,
        },
        "Share of the week-0 customers still active, mean over the replications.",
    )
}

/// The mean wait of each service channel compared, per scenario.
fn service_waits(d: &mut Drawn, c: &Comparison) -> Result<(), ReportError> {
    let waits: Vec<(Channel, &KpiRow)> = c
        .kpis
        .iter()
        .filter_map(|k| match k.measure {
            Measure::Service(ServiceKpi::MeanWaitMin, ch) => Some((ch, k)),
            _ => None,
        })
        .collect();
    if waits.is_empty() {
        return Ok(());
    }
    d.add(
        "compare_service_wait",
        Chart::Bars {
            title: "Service: mean wait by channel".into(),
            y_label: "mean wait per contact (min)".into(),
            categories: waits
                .iter()
                .map(|(ch, _)| ch.name().replace('_', " "))
                .collect(),
            series: c.names.clone(),
            values: (0..c.names.len())
                .map(|s| waits.iter().map(|(_, k)| k.values[s].mean).collect())
                .collect(),
            stacked: false,
        },
        "Contact-weighted mean wait over the horizon, mean over the replications.",
    )
}
