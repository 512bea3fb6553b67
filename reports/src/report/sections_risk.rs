//! The Service, Risk and Assumptions sections of report.html.

use super::*;

/// Service: contacts, waits and abandonment, staffing, the staffing curve.
pub(super) fn service_section(ctx: &Ctx) -> Result<String, ReportError> {
    let cur = ctx.cur.as_str();
    let mut b = String::new();
    // Service
    b += &section("service", "Service");
    {
        let rows: Vec<Vec<Td>> = service_by_name(ctx.summary.main_kpis())
            .into_iter()
            .filter(|(_, m)| m.get(&ServiceKpi::Contacts).is_some_and(|i| i.mean > 0.0))
            .map(|(ch, m)| {
                let cell = |n: ServiceKpi| match m.get(&n) {
                    Some(i) => {
                        let u = service_unit(n);
                        Td::NumCi(fmt(i.mean, u, cur), ci_text(i, u, cur))
                    }
                    None => Td::Num("–".into()),
                };
                vec![
                    Td::Text(ch.name().replace('_', " ")),
                    cell(ServiceKpi::Contacts),
                    cell(ServiceKpi::MeanWaitMin),
                    cell(ServiceKpi::AbandonRate),
                ]
            })
            .collect();
        if !rows.is_empty() {
            b += &table(
                &[
                    "service channel".into(),
                    "contacts".into(),
                    "mean wait".into(),
                    "abandonment".into(),
                ],
                &rows,
                false,
            );
        }
    }
    if let Some(t) = ctx.table("budget_staffing.csv")? {
        b += "<h3>Staffing</h3>\n";
        b += &budget_table(&t, cur, true);
    }
    b += &ctx.figure("staffing_curve");
    b += &ctx.figure("service_wait");

    Ok(b)
}

/// Risk: what the intervals cover, the sensitivity tornado and table, retention vs ROI.
pub(super) fn risk_section(ctx: &Ctx) -> Result<String, ReportError> {
    let cur = ctx.cur.as_str();
    let reps = ctx.summary.replications();
    let mut b = String::new();
    // Risk
    b += &section("risk", "Risk");
    b += &format!(
        "<p>Every figure above is a mean over {reps} replications with a 90 % interval: the simulator draws customers, budget cuts and queues at random, and the interval shows how far the mean could move with other draws. ",
    );
    if ctx.kind == Kind::Optimize {
        b += "Plan and baselines are compared on the same replications (common random numbers), so their difference is far more precise than each figure alone.";
    }
    b += "</p>\n";
    b += &ctx.figure("sensitivity");
    if let Some(t) = ctx.data.sensitivity.clone() {
        let objective = sensitivity_objective(ctx, &t)?;
        let u = unit_of(objective);
        let mut names: Vec<String> = Vec::new();
        for r in &t {
            let n = r.assumption.clone();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let rows: Vec<Vec<Td>> = names
            .iter()
            .map(|n| {
                let val = |neg: bool| {
                    t.iter()
                        .find(|r| r.assumption == *n && (r.change < 0.0) == neg)
                        .map(|r| r.value - r.base)
                        .map_or(Td::Num("–".into()), |d| Td::Num(fmt_diff(d, u, cur)))
                };
                vec![Td::Text(n.clone()), val(true), val(false)]
            })
            .collect();
        b += &table(
            &[
                "assumption".into(),
                format!("{} change at −20 %", objective.label()),
                format!("{} change at +20 %", objective.label()),
            ],
            &rows,
            false,
        );
    }
    b += &ctx.figure("pareto");

    Ok(b)
}

/// Assumptions: the workbook's assumptions, or the simulate summary's.
pub(super) fn assumptions_section(ctx: &Ctx) -> Result<String, ReportError> {
    let cur = ctx.cur.as_str();
    let scenario = ctx.summary.scenario();
    let mut b = String::new();
    // Assumptions
    b += &section("assumptions", "Assumptions");
    if let Some(t) = ctx.table("budget_assumptions.csv")? {
        let rows: Vec<Vec<Td>> = t
            .rows
            .iter()
            .map(|r| {
                let name = r.first().cloned().unwrap_or_default();
                let v = r.get(1).cloned().unwrap_or_default();
                let u = match name.as_str() {
                    "annual budget" => Some(Unit::Money),
                    n if n.contains("margin") || n.contains("rate") || n.contains("volatility") => {
                        Some(Unit::Percent)
                    }
                    n if n.contains("seed") || n.contains("version") => None,
                    _ => Some(Unit::Count),
                };
                let cell = match (u, v.parse::<f64>()) {
                    (Some(u), Ok(x)) => Td::Num(fmt(x, u, cur)),
                    _ => Td::Text(v),
                };
                vec![Td::Text(name), cell]
            })
            .collect();
        b += &table(&t.headers, &rows, false);
    } else {
        let mut rows = vec![vec![Td::Text("scenario".into()), Td::Text(scenario.into())]];
        for (label, cell) in summary_facts(&ctx.summary) {
            rows.push(vec![Td::Text(label.into()), cell]);
        }
        b += &table(&["assumption".into(), "value".into()], &rows, false);
    }
    b += "<p class=\"note\">The scenario file holds every other value (channel costs and response, service times, behaviour, privacy and integration); the search-scale analyses (curves, sensitivity) simulate fewer, heavier agents than the comparison above.</p>\n";

    Ok(b)
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
        RunSummary::Optimize(c) => vec![
            ("seed", n(c.seed as f64)),
            ("replications", n(f64::from(c.replications))),
            ("currency", t(&c.currency)),
        ],
    }
}
