//! Cells and tables the sections share: a KPI with its interval, and the workbook's
//! CSV copies as tables.

use super::data::Table;
use crate::html::{self, Td, Unit, fmt, table};
use omnimix_sim::kpis::{Kpi, KpiSummary};
use omnimix_sim::stats::Interval;

/// Millions (chart axes in m of the currency).
pub(super) fn m(x: f64) -> f64 {
    x / 1e6
}

/// `CI [lo, hi]` of an interval, in `unit`; empty when the interval has no width.
pub(super) fn ci_text(i: &Interval, unit: Unit, cur: &str) -> String {
    ci(i, unit, cur, false)
}

/// `CI [+lo, +hi]` of a difference's interval; empty when it has no width.
pub(super) fn ci_diff_text(i: &Interval, unit: Unit, cur: &str) -> String {
    ci(i, unit, cur, true)
}

fn ci(i: &Interval, unit: Unit, cur: &str, diff: bool) -> String {
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) if hi - lo <= 1e-9 * hi.abs().max(1.0) => String::new(),
        (Some(lo), Some(hi)) => format!("CI {}", html::range(lo, hi, unit, cur, diff)),
        _ => String::new(),
    }
}

/// A KPI's mean with its interval beneath; `–` when the summary lacks it.
pub(super) fn kpi_cell(k: &KpiSummary, kpi: Kpi, cur: &str) -> Td {
    match k.get(kpi) {
        Some(i) => {
            let u = kpi.unit().into();
            Td::NumCi(fmt(i.mean, u, cur), ci_text(i, u, cur))
        }
        None => Td::Num("–".into()),
    }
}

/// How a column of a workbook copy is shown. Its heading is the sheet's human
/// heading (`media spend`, `service staff (FTE)`, `share of total cost`), so the
/// unit is read from it; `None` for labels and week numbers.
fn column_unit(heading: &str) -> Option<Unit> {
    if heading.contains("share") {
        Some(Unit::Percent)
    } else if [
        "spend",
        "wages",
        "budget",
        "cost",
        "integration",
        "capex",
        "opex",
    ]
    .iter()
    .any(|w| heading.contains(w))
    {
        Some(Unit::Money)
    } else if heading.contains("FTE") {
        Some(Unit::Fte)
    } else {
        None
    }
}

/// A workbook copy as a table, numbers formatted by their column's unit; with
/// `totals`, a bold `Total` row sums every column with a unit.
pub(super) fn budget_table(t: &Table, cur: &str, totals: bool) -> String {
    let units: Vec<Option<Unit>> = t.headers.iter().map(|h| column_unit(h)).collect();
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
        rows.push(total_row(t, &units, cur));
    }
    table(&t.headers, &rows, totals)
}

/// `Total`, then the sum of every column with a unit (the first column is the label).
fn total_row(t: &Table, units: &[Option<Unit>], cur: &str) -> Vec<Td> {
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
    total
}

/// Distinct values in order of first appearance.
pub(super) fn first_seen<'a, T: PartialEq + ?Sized>(
    items: impl IntoIterator<Item = &'a T>,
) -> Vec<&'a T> {
    let mut v: Vec<&T> = Vec::new();
    for x in items {
        if !v.contains(&x) {
            v.push(x);
        }
    }
    v
}
