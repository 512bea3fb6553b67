//! The Plan section of report.html: the allocation charts and the spend and staff
//! per country and channel.

use super::data::Table;
use super::figures::{Figure, Figures};
use super::format::budget_table;
use super::{Ctx, ReportData};
use crate::html::section as heading;

/// Plan: the allocation charts and the country × channel table.
pub(super) fn section(ctx: &Ctx, figs: &Figures) -> String {
    let mut b = heading("plan", "Plan");
    b += &figs.html(Figure::Allocation);
    b += &figs.html(Figure::Phases);
    b += &figs.html(Figure::PlanVsCurrent);
    if let Some(t) = country_x_channel(ctx.data) {
        if ctx.data.budget.country_x_channel.is_some() {
            b += "<h3>Planned cost by country and channel over the horizon</h3>\n";
            b += "<p class=\"note\">Media, wages and each country's integration (capex and opex) on a line of its own: the total is the plan's total planned cost.</p>\n";
        } else {
            b += "<h3>Spend and staff by country and channel</h3>\n";
        }
        b += &budget_table(&t, ctx.cur, true);
    }
    if let Some(t) = &ctx.data.budget.integration {
        b += "<h3>Integration by country and initiative</h3>\n";
        b += &budget_table(t, ctx.cur, true);
    }
    b
}

/// The workbook's country × channel copy, else the same columns from the
/// allocation of the folder's own strategy (a simulate output has no workbook).
fn country_x_channel(data: &ReportData) -> Option<Table> {
    if let Some(t) = &data.budget.country_x_channel {
        return Some(t.clone());
    }
    let own = data.summary.own_strategy();
    let allocation = data.allocation.as_ref()?;
    Some(Table {
        headers: vec![
            "country".into(),
            "channel".into(),
            "annual spend".into(),
            "service staff (FTE)".into(),
            "specialists (FTE)".into(),
        ],
        // the budget table's cells (numbers as text, as in the workbook's CSV copies)
        rows: allocation
            .iter()
            .filter(|r| r.strategy == own)
            .map(|r| {
                vec![
                    r.country.clone(),
                    r.channel.clone(),
                    r.spend.to_string(),
                    r.service_staff.to_string(),
                    r.specialists.to_string(),
                ]
            })
            .collect(),
    })
}
