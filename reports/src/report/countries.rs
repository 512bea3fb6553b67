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

/// One row per country of a simulation, with its headline KPIs; a country with
/// regions has its total row (`IN (all regions)`) followed by its regions (`IN/metro`).
fn country_kpis(s: &Summary, cur: &str) -> String {
    let row = |name: String, k: &omnimix_sim::kpis::KpiSummary| {
        let mut r = vec![Td::Text(name)];
        r.extend(COUNTRY_KPIS.iter().map(|n| kpi_cell(k, *n, cur)));
        r
    };
    let mut rows: Vec<Vec<Td>> = Vec::new();
    let mut last_country = None;
    for (code, k) in &s.countries {
        if let Some((country, _)) = code.split_once('/')
            && last_country != Some(country)
            && let Some(t) = s.country_totals.get(country)
        {
            rows.push(row(format!("{country} (all regions)"), t));
        }
        last_country = code.split_once('/').map(|(c, _)| c);
        rows.push(row(code.clone(), k));
    }
    let mut h = vec!["country".to_string()];
    h.extend(COUNTRY_KPIS.iter().map(|n| n.label().to_string()));
    table(&h, &rows, false)
}
