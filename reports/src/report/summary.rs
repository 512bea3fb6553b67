//! The Summary section of report.html: the verdict, the cards and the KPI table.

use super::*;
use omnimix_sim::kpis::Summary;
use omnimix_studies::optimize::Comparison;

/// Summary: the verdict, the cards and the KPI table.
pub(super) fn summary_section(ctx: &Ctx) -> Result<String, ReportError> {
    let cur = ctx.cur.as_str();
    let mut b = section("summary", "Summary");
    match &ctx.summary {
        RunSummary::Optimize(c) => b += &optimize_summary(c, cur),
        RunSummary::Simulate(s) => b += &simulate_summary(s, cur),
    }
    Ok(b)
}

/// The plan against the current strategy and the equal split.
fn optimize_summary(c: &Comparison, cur: &str) -> String {
    let mut b = String::new();
    let reps = c.replications;
    let (plan, current, equal) = (&c.plan, &c.current, &c.equal_split);
    let d = &c.difference_vs_current;
    let main = objective_kpi(c);
    let u = unit_of(main);
    if let (Some(p), Some(cu), Some(di)) = (kpi(plan, main), kpi(current, main), d.get(&main)) {
        b += &format!(
            "<p class=\"lead\">The optimized plan changes {} from {} (current strategy) to <strong>{}</strong>: {} ({}), on {} fresh replications with the same random numbers for every strategy.</p>\n",
            esc(main.label()),
            esc(&fmt(cu.mean, u, cur)),
            esc(&fmt(p.mean, u, cur)),
            esc(&fmt_diff(di.mean, u, cur)),
            esc(&ci_diff_text(di, u, cur)),
            reps
        );
    }
    if let Some(t) = &c.target {
        let u = unit_of(t.kpi);
        b += &format!(
            "<p>Target {} ≥ {}: the smallest annual budget found that reaches it is <strong>{}</strong>; met on fresh replications at full resolution: <strong>{}</strong>.</p>\n",
            esc(t.kpi.label()),
            esc(&fmt(t.value, u, cur)),
            esc(&fmt(t.annual_budget_needed, Unit::Money, cur)),
            if t.met_on_fresh_replications {
                "yes"
            } else {
                "no"
            }
        );
    }
    b += "<div class=\"cards\">";
    for name in [Kpi::Retention, Kpi::Roi, Kpi::Npv, Kpi::CostTotal] {
        if let Some(p) = kpi(plan, name) {
            let u = unit_of(name);
            let sub = d
                .get(&name)
                .map(|x| format!("{} vs current", fmt_diff(x.mean, u, cur)))
                .unwrap_or_default();
            b += &card(name.label(), &fmt(p.mean, u, cur), &sub);
        }
    }
    b += "</div>\n";
    let mut rows = Vec::new();
    for name in HEADLINE {
        if kpi(plan, name).is_none() {
            continue;
        }
        let u = unit_of(name);
        let diff = |m: &BTreeMap<Kpi, Interval>| match m.get(&name) {
            Some(i) => Td::NumCi(fmt_diff(i.mean, u, cur), ci_diff_text(i, u, cur)),
            None => Td::Num("–".into()),
        };
        rows.push(vec![
            Td::Text(name.label().into()),
            kpi_cell(plan, name, cur),
            kpi_cell(current, name, cur),
            kpi_cell(equal, name, cur),
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
    b += &table(&h, &rows, false);
    b += &format!(
        "<p class=\"note\">Means over {reps} fresh replications at full resolution; CI: the 90 % Student-t confidence interval of the mean. Differences are paired by replication (common random numbers). Objective: {} ({} risk), {} evaluations at search agent scale {}.</p>\n",
        esc(&c.objective),
        esc(&c.risk),
        c.evaluations,
        c.search_agent_scale,
    );
    b
}

/// The simulated strategy's company KPIs.
fn simulate_summary(s: &Summary, cur: &str) -> String {
    let mut b = String::new();
    let company = &s.company;
    b += &format!(
        "<p class=\"lead\">Simulation of the strategy <strong>{}</strong> over {} weeks, {} replications.</p>\n",
        esc(&s.strategy),
        s.horizon_weeks,
        s.replications
    );
    b += "<div class=\"cards\">";
    for name in [Kpi::Retention, Kpi::Roi, Kpi::Npv, Kpi::CostTotal] {
        if let Some(i) = kpi(company, name) {
            let u = unit_of(name);
            b += &card(name.label(), &fmt(i.mean, u, cur), &ci_text(i, u, cur));
        }
    }
    b += "</div>\n";
    let rows: Vec<Vec<Td>> = HEADLINE
        .iter()
        .filter(|n| kpi(company, **n).is_some())
        .map(|n| vec![Td::Text(n.label().into()), kpi_cell(company, *n, cur)])
        .collect();
    b += &table(&["KPI".into(), "company".into()], &rows, false);
    b += "<p class=\"note\">Means over replications; CI: the 90 % Student-t confidence interval of the mean.</p>\n";
    b
}
