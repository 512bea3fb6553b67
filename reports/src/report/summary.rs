//! The Summary section of report.html.

use super::*;

/// Summary: the verdict, the cards and the KPI table.
pub(super) fn summary_section(ctx: &Ctx) -> Result<String, ReportError> {
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let reps = s.get("replications").and_then(Value::as_u64).unwrap_or(0);
    let mut b = String::new();
    // Summary
    b += &section("summary", "Summary");
    match ctx.kind {
        Kind::Optimize => {
            let objective = s
                .get("objective")
                .and_then(Value::as_str)
                .unwrap_or("retention");
            let (plan, current, equal) = (&s["plan"], &s["current"], &s["equal_split"]);
            let d = &s["difference_vs_current"];
            let main = match objective {
                "roi" | "npv" | "revenue" => objective,
                _ => "retention",
            };
            let u = unit_of(main);
            if let (Some(p), Some(c), Some(di)) = (
                kpi(plan, main),
                kpi(current, main),
                d.get(main).and_then(iv),
            ) {
                b += &format!(
                    "<p class=\"lead\">The optimized plan changes {} from {} (current strategy) to <strong>{}</strong>: {} ({}), on {} fresh replications with the same random numbers for every strategy.</p>\n",
                    esc(&label_of(main)),
                    esc(&fmt(c.mean, u, cur)),
                    esc(&fmt(p.mean, u, cur)),
                    esc(&fmt_diff(di.mean, u, cur)),
                    esc(&ci_diff_text(&di, u, cur)),
                    reps
                );
            }
            if let Some(t) = s.get("target").filter(|t| t.is_object()) {
                let k = t.get("kpi").and_then(Value::as_str).unwrap_or("retention");
                let u = unit_of(k);
                b += &format!(
                    "<p>Target {} ≥ {}: the smallest annual budget found that reaches it is <strong>{}</strong>; met on fresh replications at full resolution: <strong>{}</strong>.</p>\n",
                    esc(&label_of(k)),
                    esc(&fmt(
                        t.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN),
                        u,
                        cur
                    )),
                    esc(&fmt(
                        t.get("annual_budget_needed")
                            .and_then(Value::as_f64)
                            .unwrap_or(f64::NAN),
                        Unit::Money,
                        cur
                    )),
                    if t.get("met_on_fresh_replications").and_then(Value::as_bool) == Some(true) {
                        "yes"
                    } else {
                        "no"
                    }
                );
            }
            b += "<div class=\"cards\">";
            for name in ["retention", "roi", "npv", "cost_total"] {
                if let Some(p) = kpi(plan, name) {
                    let u = unit_of(name);
                    let sub = d
                        .get(name)
                        .and_then(iv)
                        .map(|x| format!("{} vs current", fmt_diff(x.mean, u, cur)))
                        .unwrap_or_default();
                    b += &card(&label_of(name), &fmt(p.mean, u, cur), &sub);
                }
            }
            b += "</div>\n";
            let mut rows = Vec::new();
            for name in HEADLINE {
                if kpi(plan, name).is_none() {
                    continue;
                }
                let u = unit_of(name);
                let diff = |key: &str| match s.get(key).and_then(|x| x.get(name)).and_then(iv) {
                    Some(i) => Td::NumCi(fmt_diff(i.mean, u, cur), ci_diff_text(&i, u, cur)),
                    None => Td::Num("–".into()),
                };
                rows.push(vec![
                    Td::Text(label_of(name)),
                    kpi_cell(plan, name, cur),
                    kpi_cell(current, name, cur),
                    kpi_cell(equal, name, cur),
                    diff("difference_vs_current"),
                    diff("difference_vs_equal_split"),
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
                esc(objective),
                esc(s.get("risk").and_then(Value::as_str).unwrap_or("mean")),
                s.get("evaluations").and_then(Value::as_u64).unwrap_or(0),
                s.get("search_agent_scale")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            );
        }
        Kind::Simulate => {
            let company = &s["company"];
            let strategy = s
                .get("strategy")
                .and_then(Value::as_str)
                .unwrap_or("current");
            b += &format!(
                "<p class=\"lead\">Simulation of the strategy <strong>{}</strong> over {} weeks, {} replications.</p>\n",
                esc(strategy),
                s.get("horizon_weeks").and_then(Value::as_u64).unwrap_or(0),
                reps
            );
            b += "<div class=\"cards\">";
            for name in ["retention", "roi", "npv", "cost_total"] {
                if let Some(i) = kpi(company, name) {
                    let u = unit_of(name);
                    b += &card(&label_of(name), &fmt(i.mean, u, cur), &ci_text(&i, u, cur));
                }
            }
            b += "</div>\n";
            let rows: Vec<Vec<Td>> = HEADLINE
                .iter()
                .filter(|n| kpi(company, n).is_some())
                .map(|n| vec![Td::Text(label_of(n)), kpi_cell(company, n, cur)])
                .collect();
            b += &table(&["KPI".into(), "company".into()], &rows, false);
            b += "<p class=\"note\">Means over replications; CI: the 90 % Student-t confidence interval of the mean.</p>\n";
        }
    }

    Ok(b)
}
