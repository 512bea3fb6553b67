//! `compare.csv` (one row per scenario and KPI) and `compare.xlsx` (the comparison
//! and its assumptions).

use super::{Comparison, baseline, label, unit};
use crate::ReportError;
use crate::html::Unit;
use crate::workbook::{Cell, Sheet, write_workbook};
use serde::Serialize;
use std::path::{Path, PathBuf};

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

/// Write `compare.csv`: per KPI, per scenario, the figure and its difference.
pub(super) fn write_csv(dir: &Path, c: &Comparison) -> Result<PathBuf, ReportError> {
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
    crate::write_csv(&p, &rows)?;
    Ok(p)
}

/// A workbook cell in a figure's unit.
fn cell(x: f64, u: Unit) -> Cell {
    match u {
        Unit::Money | Unit::MoneyShort => Cell::Money(x),
        Unit::Percent => Cell::Share(x),
        Unit::Count => Cell::Count(x),
        _ => Cell::Number(x),
    }
}

/// The Comparison sheet: each KPI's figures, then each difference with its interval.
fn comparison_sheet(c: &Comparison) -> Sheet {
    let base = baseline(c);
    let mut headers = vec!["KPI".to_string()];
    headers.extend(c.names.iter().cloned());
    for n in c.names.iter().skip(1) {
        headers.push(format!("{n} − {base}"));
        headers.push("90% CI low".into());
        headers.push("90% CI high".into());
    }
    let rows: Vec<Vec<Cell>> = c
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
    Sheet {
        name: "Comparison".into(),
        headers,
        rows,
        totals: false,
    }
}

/// The Assumptions sheet: seed, replications and each scenario's description.
fn assumptions_sheet(c: &Comparison) -> Sheet {
    let mut rows = vec![
        vec![Cell::Text("seed".into()), Cell::Number(c.seed as f64)],
        vec![
            Cell::Text("replications".into()),
            Cell::Number(c.replications as f64),
        ],
        vec![
            Cell::Text("intervals cover".into()),
            Cell::Text(c.interval_covers.clone()),
        ],
    ];
    if let Some(p) = &c.posterior {
        rows.push(vec![Cell::Text("posterior".into()), Cell::Text(p.clone())]);
    }
    for (n, d) in c.names.iter().zip(&c.descriptions) {
        rows.push(vec![Cell::Text(n.clone()), Cell::Text(d.clone())]);
    }
    Sheet {
        name: "Assumptions".into(),
        headers: vec!["assumption".into(), "value".into()],
        rows,
        totals: false,
    }
}

/// Write `compare.xlsx`.
pub(super) fn write_workbook_file(dir: &Path, c: &Comparison) -> Result<PathBuf, ReportError> {
    let p = dir.join("compare.xlsx");
    write_workbook(
        &p,
        &c.currency,
        &[comparison_sheet(c), assumptions_sheet(c)],
    )?;
    Ok(p)
}
