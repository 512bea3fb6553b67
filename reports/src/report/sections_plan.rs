//! The Plan, Countries and Channels sections of report.html.

use super::*;

/// Plan: the allocation charts and the country × channel table.
pub(super) fn plan_section(ctx: &Ctx) -> Result<String, ReportError> {
    let cur = ctx.cur.as_str();
    let mut b = String::new();
    // Plan
    b += &section("plan", "Plan");
    b += &ctx.figure("allocation");
    b += &ctx.figure("phases");
    b += &ctx.figure("plan_vs_current");
    if let Some(t) = ctx.table("budget_country_x_channel.csv")? {
        b += "<h3>Spend and staff by country and channel</h3>\n";
        b += &budget_table(&t, cur, true);
    } else if let Some(t) = ctx.data.allocation.clone() {
        let own = own_strategy(ctx);
        let sub = Table {
            headers: vec![
                "country".into(),
                "channel".into(),
                "annual spend".into(),
                "service staff (FTE)".into(),
                "specialists (FTE)".into(),
            ],
            // the budget table's cells (numbers as text, as in the workbook's CSV copies)
            rows: t
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
        };
        b += "<h3>Spend and staff by country and channel</h3>\n";
        b += &budget_table(&sub, cur, true);
    }

    Ok(b)
}

/// Countries: budget and KPIs per country, retention curves.
pub(super) fn countries_section(ctx: &Ctx) -> Result<String, ReportError> {
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let mut b = String::new();
    // Countries
    b += &section("countries", "Countries");
    if let Some(t) = ctx.table("budget_by_country.csv")? {
        b += &budget_table(&t, cur, true);
    }
    if let RunSummary::Simulate(s) = s {
        let names = [
            Kpi::Retention,
            Kpi::Roi,
            Kpi::Revenue,
            Kpi::CostTotal,
            Kpi::ActiveCustomers,
        ];
        let rows: Vec<Vec<Td>> = s
            .countries
            .iter()
            .map(|(code, k)| {
                let mut r = vec![Td::Text(code.clone())];
                r.extend(names.iter().map(|n| kpi_cell(k, *n, cur)));
                r
            })
            .collect();
        let mut h = vec!["country".to_string()];
        h.extend(names.iter().map(|n| n.label().to_string()));
        b += &table(&h, &rows, false);
    }
    b += &ctx.figure("retention_countries");
    b += &ctx.figure("retention_integration");

    Ok(b)
}

/// Channels: budget per channel, response curves, attribution.
pub(super) fn channels_section(ctx: &Ctx) -> Result<String, ReportError> {
    let cur = ctx.cur.as_str();
    let mut b = String::new();
    // Channels
    b += &section("channels", "Channels");
    if let Some(t) = ctx.table("budget_by_channel.csv")? {
        b += &budget_table(&t, cur, true);
    }
    b += &ctx.figure("response_curves");
    b += &ctx.figure("attribution");

    Ok(b)
}
