//! The Assumptions section of report.html: the workbook's assumptions, or the
//! facts of the summary when there is no workbook.

use super::Ctx;
use super::data::{RunSummary, Table};
use crate::html::{self, Td, Unit, fmt, section as heading, table};

/// Assumptions: the workbook's assumptions, or the simulate summary's.
pub(super) fn section(ctx: &Ctx) -> String {
    let mut b = heading("assumptions", "Assumptions");
    match &ctx.data.budget.assumptions {
        Some(t) => b += &workbook_assumptions(t, ctx.cur),
        None => {
            let mut rows = vec![vec![
                Td::Text("scenario".into()),
                Td::Text(ctx.summary().scenario().into()),
            ]];
            for (label, cell) in summary_facts(ctx.summary()) {
                rows.push(vec![Td::Text(label.into()), cell]);
            }
            b += &table(&["assumption".into(), "value".into()], &rows, false);
        }
    }
    b += "<p class=\"note\">The scenario file holds every other value (channel costs and response, service times, behaviour, privacy and integration); the search-scale analyses (curves, sensitivity) simulate fewer, heavier agents than the comparison above.</p>\n";
    b
}

/// How an assumption of the workbook is shown. Its name is the sheet's human label
/// (`annual budget`, `gross margin`), so the unit is read from it; `None` for text.
fn assumption_unit(name: &str) -> Option<Unit> {
    match name {
        n if n.contains("budget") || n.contains("cost") => Some(Unit::Money),
        n if n.contains("margin") || n.contains("rate") || n.contains("volatility") => {
            Some(Unit::Percent)
        }
        n if n.contains("seed") || n.contains("version") => None,
        _ => Some(Unit::Count),
    }
}

/// The workbook's assumptions sheet (name, value), values in their unit.
fn workbook_assumptions(t: &Table, cur: &str) -> String {
    let rows: Vec<Vec<Td>> = t
        .rows
        .iter()
        .map(|r| {
            let name = r.first().cloned().unwrap_or_default();
            let v = r.get(1).cloned().unwrap_or_default();
            let cell = match (assumption_unit(&name), v.parse::<f64>()) {
                (Some(u), Ok(x)) => Td::Num(fmt(x, u, cur)),
                _ => Td::Text(v),
            };
            vec![Td::Text(name), cell]
        })
        .collect();
    table(&t.headers, &rows, false)
}

/// The facts of a summary for the Assumptions table when there is no workbook.
fn summary_facts(s: &RunSummary) -> Vec<(&'static str, Td)> {
    let n = |x: f64| Td::Num(html::thousands(x, 0));
    let t = |x: &str| Td::Text(x.to_string());
    match s {
        RunSummary::Simulate(s) => vec![
            ("strategy", t(&s.strategy)),
            ("seed", n(s.seed as f64)),
            ("replications", n(f64::from(s.replications))),
            ("horizon (weeks)", n(f64::from(s.horizon_weeks))),
            ("time step", t(&s.time_step)),
            ("customers per agent", n(f64::from(s.agent_scale))),
            ("agents", n(s.agents as f64)),
            ("customers in scope", n(s.customers_in_scope)),
            ("currency", t(&s.currency)),
        ],
        RunSummary::Optimize { comparison: c, .. } => vec![
            ("seed", n(c.seed as f64)),
            ("replications", n(f64::from(c.replications))),
            ("currency", t(&c.currency)),
        ],
    }
}
