//! The outputs of `omnimix compare`: scenarios side by side on the same random
//! numbers, each KPI with its interval and its paired difference from the baseline
//! (the first scenario), as `compare.csv`, `compare.xlsx`, charts (SVG and PNG in
//! `charts/`) and one self-contained `compare.html`.

use crate::charts::{Chart, Line, render, svg_string};
use crate::html::{self, Td, Unit, esc, fmt, fmt_diff, section, table};
use crate::workbook::{Cell, Sheet, write_workbook};
use crate::{ReportError, write_atomic, write_csv};
use omnimix_sim::kpis::{Kpi, ServiceKpi};
use omnimix_sim::stats::Interval;
use omnimix_studies::compare::Measure;
use serde::Serialize;
use std::path::{Path, PathBuf};

pub use omnimix_studies::compare::{Comparison, KpiRow};

#[derive(Serialize)]
struct CsvRow<'a> {
    scenario: &'a str,
    kpi: String,
    mean: f64,
    lo: Option<f64>,
    hi: Option<f64>,
    n: usize,
    difference: f64,
    difference_lo: Option<f64>,
    difference_hi: Option<f64>,
}

/// How a compared figure is shown.
fn unit(m: &Measure) -> Unit {
    m.unit().into()
}

/// A reader's label: `mean wait, call centre` for service KPIs.
fn label(m: &Measure) -> String {
    match m {
        Measure::Company(k) => k.label().to_string(),
        Measure::Service(k, ch) => format!("{}, {}", k.label(), ch.name().replace('_', " ")),
    }
}

fn cell(x: f64, u: Unit) -> Cell {
    match u {
        Unit::Money | Unit::MoneyShort => Cell::Money(x),
        Unit::Percent => Cell::Share(x),
        _ => Cell::Number(x),
    }
}

fn ci(i: &Interval, u: Unit, cur: &str, diff: bool) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, u, cur, diff)),
        _ => String::new(),
    }
}

/// Write `compare.csv`, `compare.xlsx`, the charts and `compare.html` into `dir`.
pub fn write(dir: &Path, c: &Comparison) -> Result<Vec<PathBuf>, ReportError> {
    let cur = c.currency.as_str();
    let mut written = Vec::new();
    // CSV
    let mut rows = Vec::new();
    for k in &c.kpis {
        for (s, name) in c.names.iter().enumerate() {
            let v = &k.values[s];
            let d = &k.differences[s];
            rows.push(CsvRow {
                scenario: name,
                kpi: k.measure.name(),
                mean: v.mean,
                lo: v.lo,
                hi: v.hi,
                n: v.n,
                difference: d.mean,
                difference_lo: d.lo,
                difference_hi: d.hi,
            });
        }
    }
    let p = dir.join("compare.csv");
    write_csv(&p, &rows)?;
    written.push(p);

    // workbook
    let base = c.names.first().cloned().unwrap_or_default();
    let mut headers = vec!["KPI".to_string()];
    headers.extend(c.names.iter().cloned());
    for n in c.names.iter().skip(1) {
        headers.push(format!("{n} − {base}"));
        headers.push("90% CI low".into());
        headers.push("90% CI high".into());
    }
    let sheet_rows: Vec<Vec<Cell>> = c
        .kpis
        .iter()
        .map(|k| {
            let u = unit(&k.measure);
            let mut r = vec![Cell::Text(label(&k.measure))];
            r.extend(k.values.iter().map(|v| cell(v.mean, u)));
            for d in k.differences.iter().skip(1) {
                r.push(cell(d.mean, u));
                r.push(cell(d.lo.unwrap_or(d.mean), u));
                r.push(cell(d.hi.unwrap_or(d.mean), u));
            }
            r
        })
        .collect();
    let mut assumptions = vec![
        vec![Cell::Text("seed".into()), Cell::Number(c.seed as f64)],
        vec![
            Cell::Text("replications".into()),
            Cell::Number(c.replications as f64),
        ],
    ];
    for (n, d) in c.names.iter().zip(&c.descriptions) {
        assumptions.push(vec![Cell::Text(n.clone()), Cell::Text(d.clone())]);
    }
    let p = dir.join("compare.xlsx");
    write_workbook(
        &p,
        cur,
        &[
            Sheet {
                name: "Comparison".into(),
                headers: headers.clone(),
                rows: sheet_rows,
                totals: false,
            },
            Sheet {
                name: "Assumptions".into(),
                headers: vec!["assumption".into(), "value".into()],
                rows: assumptions,
                totals: false,
            },
        ],
    )?;
    written.push(p);

    // charts
    let charts_dir = dir.join("charts");
    let mut figures = String::new();
    let mut add = |name: &str, chart: Chart, caption: &str| -> Result<(), ReportError> {
        let files = render(&chart, &charts_dir, name)?;
        let svg = svg_string(&chart).map_err(|m| ReportError::Encode {
            path: files[0].clone(),
            message: m,
        })?;
        figures += &html::figure(
            &svg,
            caption,
            &format!("(charts/{name}.svg, charts/{name}.png)"),
        );
        written.extend(files);
        Ok(())
    };
    for key in [Kpi::Retention, Kpi::RetentionHorizon, Kpi::Roi] {
        let key = Measure::Company(key);
        if let Some(k) = c.kpis.iter().find(|k| k.measure == key) {
            let stem = if key == Measure::Company(Kpi::Roi) {
                "roi"
            } else {
                "retention"
            };
            add(
                &format!("compare_{stem}"),
                Chart::Intervals {
                    title: format!("{} by scenario", label(&key)),
                    y_label: format!("{} (%)", label(&key)),
                    categories: c.names.clone(),
                    mean: k.values.iter().map(|v| 100.0 * v.mean).collect(),
                    lo: k
                        .values
                        .iter()
                        .map(|v| 100.0 * v.lo.unwrap_or(v.mean))
                        .collect(),
                    hi: k
                        .values
                        .iter()
                        .map(|v| 100.0 * v.hi.unwrap_or(v.mean))
                        .collect(),
                },
                "Mean over the replications with its 90 % interval.",
            )?;
        }
    }
    if c.names.len() > 1
        && let Some(k) = c.kpis.iter().find(|k| {
            matches!(
                k.measure,
                Measure::Company(Kpi::Retention | Kpi::RetentionHorizon)
            )
        })
    {
        let d = &k.differences[1..];
        add(
            "compare_difference",
            Chart::Intervals {
                title: format!("Difference in retention from {base}"),
                y_label: "difference (percentage points)".into(),
                categories: c.names[1..].to_vec(),
                mean: d.iter().map(|v| 100.0 * v.mean).collect(),
                lo: d.iter().map(|v| 100.0 * v.lo.unwrap_or(v.mean)).collect(),
                hi: d.iter().map(|v| 100.0 * v.hi.unwrap_or(v.mean)).collect(),
            },
            "Paired by replication (common random numbers): the interval of the difference, not of each figure.",
        )?;
    }
    if c.retention_curves.iter().any(|v| !v.is_empty()) {
        add(
            "compare_retention_curves",
            Chart::Lines {
                title: "Company retention by week".into(),
                x_label: "week".into(),
                y_label: "customers still active (%)".into(),
                lines: c
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
                    .collect(),
                marked_label: None,
            },
            "Share of the week-0 customers still active, mean over the replications.",
        )?;
    }
    let waits: Vec<&KpiRow> = c
        .kpis
        .iter()
        .filter(|k| matches!(k.measure, Measure::Service(ServiceKpi::MeanWaitMin, _)))
        .collect();
    if !waits.is_empty() {
        add(
            "compare_service_wait",
            Chart::Bars {
                title: "Service: mean wait by channel".into(),
                y_label: "mean wait per contact (min)".into(),
                categories: waits
                    .iter()
                    .map(|k| {
                        k.measure
                            .name()
                            .split_once('.')
                            .map_or("", |x| x.1)
                            .replace('_', " ")
                    })
                    .collect(),
                series: c.names.clone(),
                values: (0..c.names.len())
                    .map(|s| waits.iter().map(|k| k.values[s].mean).collect())
                    .collect(),
                stacked: false,
            },
            "Contact-weighted mean wait over the horizon, mean over the replications.",
        )?;
    }

    // HTML
    let mut b = String::new();
    b += &section("summary", "Summary");
    b += &format!(
        "<p class=\"lead\">{} scenario{} compared with <strong>{}</strong> on the same {} replications (seed {}): every scenario draws the same random numbers, so the differences below are paired and their intervals narrow.</p>\n",
        c.names.len() - 1,
        if c.names.len() == 2 { "" } else { "s" },
        esc(&base),
        c.replications,
        c.seed
    );
    let rows: Vec<Vec<Td>> = c
        .kpis
        .iter()
        .map(|k| {
            let u = unit(&k.measure);
            let mut r = vec![Td::Text(label(&k.measure))];
            r.extend(
                k.values
                    .iter()
                    .map(|v| Td::NumCi(fmt(v.mean, u, cur), ci(v, u, cur, false))),
            );
            r
        })
        .collect();
    let mut h = vec!["KPI".to_string()];
    h.extend(c.names.iter().cloned());
    b += &table(&h, &rows, false);
    b += &section("differences", "Differences from the baseline");
    let rows: Vec<Vec<Td>> = c
        .kpis
        .iter()
        .map(|k| {
            let u = unit(&k.measure);
            let mut r = vec![Td::Text(label(&k.measure))];
            r.extend(
                k.differences
                    .iter()
                    .skip(1)
                    .map(|d| Td::NumCi(fmt_diff(d.mean, u, cur), ci(d, u, cur, true))),
            );
            r
        })
        .collect();
    let mut h = vec!["KPI".to_string()];
    h.extend(c.names.iter().skip(1).map(|n| format!("{n} − {base}")));
    b += &table(&h, &rows, false);
    b += &section("charts", "Charts");
    b += &figures;
    b += &section("assumptions", "Assumptions");
    let mut rows = vec![
        vec![Td::Text("seed".into()), Td::Num(c.seed.to_string())],
        vec![
            Td::Text("replications".into()),
            Td::Num(c.replications.to_string()),
        ],
    ];
    for (n, d) in c.names.iter().zip(&c.descriptions) {
        rows.push(vec![Td::Text(n.clone()), Td::Text(d.clone())]);
    }
    b += &table(&["".into(), "value".into()], &rows, false);
    let page = html::page(
        &format!("What-if comparison: {}", c.names.join(" vs ")),
        &format!(
            "{} replications · seed {} · amounts in {cur}",
            c.replications, c.seed
        ),
        &[
            ("summary", "Summary"),
            ("differences", "Differences"),
            ("charts", "Charts"),
            ("assumptions", "Assumptions"),
        ],
        &b,
        "omnimix compare · tables in compare.csv and compare.xlsx · charts in charts/ as SVG and PNG",
    );
    let p = dir.join("compare.html");
    write_atomic(&p, page.as_bytes())?;
    written.push(p);
    Ok(written)
}
