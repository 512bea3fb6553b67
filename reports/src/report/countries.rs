//! The Countries section of report.html: budget and KPIs per country, retention
//! curves.

use super::Ctx;
use super::data::RunSummary;
use super::figures::{Figure, Figures};
use super::format::{budget_table, kpi_cell};
use crate::html::{Td, section as heading, table};
use omnimix_sim::kpis::{Kpi, Summary};

/// The KPIs of the per-country table (simulate outputs).
const COUNTRY_KPIS: [Kpi; 5] = [
    Kpi::Retention,
    Kpi::Roi,
    Kpi::Revenue,
    Kpi::CostTotal,
    Kpi::ActiveCustomers,
];

/// Countries: budget and KPIs per country, retention curves.
pub(super) fn section(ctx: &Ctx, figs: &Figures) -> String {
    let mut b = heading("countries", "Countries");
    if let Some(t) = &ctx.data.budget.by_country {
        b += &budget_table(t, ctx.cur, true);
    }
    if let RunSummary::Simulate(s) = ctx.summary() {
        b += &country_kpis(s, ctx.cur);
    }
    b += &figs.html(Figure::RetentionCountries);
    b += &figs.html(Figure::RetentionIntegration);
    b
}

/// One row per country of a simulation, with its headline KPIs.
fn country_kpis(s: &Summary, cur: &str) -> String {
    let rows: Vec<Vec<Td>> = s
        .countries
        .iter()
        .map(|(code, k)| {
            let mut r = vec![Td::Text(code.clone())];
            r.extend(COUNTRY_KPIS.iter().map(|n| kpi_cell(k, *n, cur)));
            r
        })
        .collect();
    let mut h = vec!["country".to_string()];
    h.extend(COUNTRY_KPIS.iter().map(|n| n.label().to_string()));
    table(&h, &rows, false)
}
