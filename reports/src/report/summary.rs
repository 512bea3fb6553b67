//! The Summary section of report.html: the verdict, the cards and the KPI table.

use super::Ctx;
use super::data::RunSummary;
use super::format::{ci_diff_text, ci_text, kpi_cell};
use crate::html::{Td, Unit, card, esc, fmt, fmt_diff, table};
use omnimix_sim::kpis::{Kpi, Summary};
use omnimix_sim::stats::Interval;
use omnimix_studies::optimize::{Comparison, TargetReport};
use std::collections::BTreeMap;

/// The KPIs of the summary table, in order.
const HEADLINE: [Kpi; 7] = [
    Kpi::Retention,
    Kpi::Roi,
    Kpi::Npv,
    Kpi::Revenue,
    Kpi::CostTotal,
    Kpi::ActiveCustomers,
    Kpi::Conversions,
];

/// The KPIs of the cards above the table.
const CARDS: [Kpi; 4] = [Kpi::Retention, Kpi::Roi, Kpi::Npv, Kpi::CostTotal];

/// Summary: the verdict, the cards and the KPI table.
pub(super) fn section(ctx: &Ctx) -> String {
    let mut b = crate::html::section("summary", "Summary");
    match ctx.summary() {
        RunSummary::Optimize {
            comparison,
            objective,
        } => b += &optimize_summary(comparison, objective.kpi(), ctx.cur),
        RunSummary::Simulate(s) => b += &simulate_summary(s, ctx.cur, &ctx.data.interval_covers),
    }
    b
}

/// The plan against the current strategy and the equal split; `main` is the
/// objective's KPI.
fn optimize_summary(c: &Comparison, main: Kpi, cur: &str) -> String {
    let mut b = verdict(c, main, cur);
    if let Some(t) = &c.target {
        b += &target(t, cur);
    }
    b += &optimize_cards(c, cur);
    b += &comparison_table(c, cur);
    b += &format!(
        "<p class=\"note\">Means over {} fresh replications at full resolution; CI: the 90 % Student-t confidence interval of the mean, covering {}. Differences are paired by replication (common random numbers). Objective: {} ({} risk), {} evaluations at search agent scale {}.</p>\n",
        c.replications,
        esc(&c.interval_covers),
        esc(&c.objective),
        esc(&c.risk),
        c.evaluations,
        c.search_agent_scale,
    );
    b
}

/// The lead sentence: the objective's KPI from current to plan.
fn verdict(c: &Comparison, main: Kpi, cur: &str) -> String {
    let u = main.unit().into();
    let (Some(p), Some(cu), Some(di)) = (
        c.plan.get(main),
        c.current.get(main),
        c.difference_vs_current.get(&main),
    ) else {
        return String::new();
    };
    format!(
        "<p class=\"lead\">The optimized plan changes {} from {} (current strategy) to <strong>{}</strong>: {} ({}), on {} fresh replications with the same random numbers for every strategy.</p>\n",
        esc(main.label()),
        esc(&fmt(cu.mean, u, cur)),
        esc(&fmt(p.mean, u, cur)),
        esc(&fmt_diff(di.mean, u, cur)),
        esc(&ci_diff_text(di, u, cur)),
        c.replications
    )
}

/// A target search's answer: the budget needed and whether it held.
fn target(t: &TargetReport, cur: &str) -> String {
    format!(
        "<p>Target {} ≥ {}: the smallest annual budget found that reaches it is <strong>{}</strong>; met on fresh replications at full resolution: <strong>{}</strong>.</p>\n",
        esc(t.kpi.label()),
        esc(&fmt(t.value, t.kpi.unit().into(), cur)),
        esc(&fmt(t.annual_budget_needed, Unit::Money, cur)),
        if t.met_on_fresh_replications {
            "yes"
        } else {
            "no"
        }
    )
}

/// The plan's headline KPIs as cards, each with its difference from current.
fn optimize_cards(c: &Comparison, cur: &str) -> String {
    let mut b = String::from("<div class=\"cards\">");
    for kpi in CARDS {
        if let Some(p) = c.plan.get(kpi) {
            let u = kpi.unit().into();
            let sub = c
                .difference_vs_current
                .get(&kpi)
                .map(|x| format!("{} vs current", fmt_diff(x.mean, u, cur)))
                .unwrap_or_default();
            b += &card(kpi.label(), &fmt(p.mean, u, cur), &sub);
        }
    }
    b + "</div>\n"
}

/// Plan, current, equal split and the paired differences, per headline KPI.
fn comparison_table(c: &Comparison, cur: &str) -> String {
    let mut rows = Vec::new();
    for kpi in HEADLINE {
        if c.plan.get(kpi).is_none() {
            continue;
        }
        let u = kpi.unit().into();
        let diff = |m: &BTreeMap<Kpi, Interval>| match m.get(&kpi) {
            Some(i) => Td::NumCi(fmt_diff(i.mean, u, cur), ci_diff_text(i, u, cur)),
            None => Td::Num("–".into()),
        };
        rows.push(vec![
            Td::Text(kpi.label().into()),
            kpi_cell(&c.plan, kpi, cur),
            kpi_cell(&c.current, kpi, cur),
            kpi_cell(&c.equal_split, kpi, cur),
            diff(&c.difference_vs_current),
            diff(&c.difference_vs_equal_split),
        ]);
    }
    let h: Vec<String> = [
        "KPI",
        "plan",
        "current",
        "equal split",
        "plan − current",
        "plan − equal split",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    table(&h, &rows, false)
}

/// The simulated strategy's company KPIs.
fn simulate_summary(s: &Summary, cur: &str, covers: &str) -> String {
    let company = &s.company;
    let mut b = format!(
        "<p class=\"lead\">Simulation of the strategy <strong>{}</strong> over {} weeks, {} replications.</p>\n",
        esc(&s.strategy),
        s.horizon_weeks,
        s.replications
    );
    b += "<div class=\"cards\">";
    for kpi in CARDS {
        if let Some(i) = company.get(kpi) {
            let u = kpi.unit().into();
            b += &card(kpi.label(), &fmt(i.mean, u, cur), &ci_text(i, u, cur));
        }
    }
    b += "</div>\n";
    let rows: Vec<Vec<Td>> = HEADLINE
        .iter()
        .filter(|k| company.get(**k).is_some())
        .map(|k| vec![Td::Text(k.label().into()), kpi_cell(company, *k, cur)])
        .collect();
    b += &table(&["KPI".into(), "company".into()], &rows, false);
    b += &format!(
        "<p class=\"note\">Means over replications; CI: the 90 % Student-t confidence interval of the mean, covering {}.</p>\n",
        esc(covers)
    );
    b
}
