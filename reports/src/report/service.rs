//! The Service section of report.html: contacts, waits and abandonment per service
//! channel, staffing, the staffing curve and the waits per country.

use super::Ctx;
use super::figures::{Figure, Figures};
use super::format::{budget_table, ci_text};
use crate::html::{Td, fmt, section as heading, table};
use omnimix_sim::Channel;
use omnimix_sim::kpis::{KpiSummary, ServiceKpi};
use omnimix_sim::stats::Interval;
use std::collections::BTreeMap;

/// The columns of the service table.
const COLUMNS: [ServiceKpi; 3] = [
    ServiceKpi::Contacts,
    ServiceKpi::MeanWaitMin,
    ServiceKpi::AbandonRate,
];

/// Service: contacts, waits and abandonment, staffing, the staffing curve.
pub(super) fn section(ctx: &Ctx, figs: &Figures) -> String {
    let mut b = heading("service", "Service");
    b += &service_table(ctx.summary().main_kpis(), ctx.cur);
    if let Some(t) = &ctx.data.budget.staffing {
        b += "<h3>Staffing</h3>\n";
        b += &budget_table(t, ctx.cur, true);
    }
    b += &figs.html(Figure::StaffingCurve);
    b += &figs.html(Figure::ServiceWait);
    b
}

/// Service channels by name (the order of the files and the report).
fn by_name(k: &KpiSummary) -> Vec<(Channel, &BTreeMap<ServiceKpi, Interval>)> {
    let mut v: Vec<_> = k.service.iter().map(|(c, m)| (*c, m)).collect();
    v.sort_by_key(|(c, _)| c.name());
    v
}

/// One row per service channel with contacts; empty when none has any.
fn service_table(k: &KpiSummary, cur: &str) -> String {
    let rows: Vec<Vec<Td>> = by_name(k)
        .into_iter()
        .filter(|(_, m)| m.get(&ServiceKpi::Contacts).is_some_and(|i| i.mean > 0.0))
        .map(|(ch, m)| {
            let cell = |n: ServiceKpi| match m.get(&n) {
                Some(i) => {
                    let u = n.unit().into();
                    Td::NumCi(fmt(i.mean, u, cur), ci_text(i, u, cur))
                }
                None => Td::Num("–".into()),
            };
            let mut r = vec![Td::Text(ch.name().replace('_', " "))];
            r.extend(COLUMNS.map(cell));
            r
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    table(
        &[
            "service channel".into(),
            "contacts".into(),
            "mean wait".into(),
            "abandonment".into(),
        ],
        &rows,
        false,
    )
}
