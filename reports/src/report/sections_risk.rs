//! The Service, Risk and Assumptions sections of report.html.

use super::*;

/// Service: contacts, waits and abandonment, staffing, the staffing curve.
pub(super) fn service_section(ctx: &Ctx) -> Result<String, ReportError> {
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let mut b = String::new();
    // Service
    b += &section("service", "Service");
    let service_of = match ctx.kind {
        Kind::Optimize => &s["plan"],
        Kind::Simulate => &s["company"],
    };
    if let Some(svc) = service_of.get("service").and_then(Value::as_object) {
        let rows: Vec<Vec<Td>> = svc
            .iter()
            .filter(|(_, m)| m.get("contacts").and_then(iv).is_some_and(|i| i.mean > 0.0))
            .map(|(ch, m)| {
                let cell = |n: &str| match m.get(n).and_then(iv) {
                    Some(i) => {
                        let u = unit_of(n);
                        Td::NumCi(fmt(i.mean, u, cur), ci_text(&i, u, cur))
                    }
                    None => Td::Num("–".into()),
                };
                vec![
                    Td::Text(ch.replace('_', " ")),
                    cell("contacts"),
                    cell("mean_wait_min"),
                    cell("abandon_rate"),
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
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let reps = s.get("replications").and_then(Value::as_u64).unwrap_or(0);
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
    if let Some(t) = ctx.table("sensitivity.csv")? {
        let objective = t
            .rows
            .first()
            .map(|r| t.text(r, "objective").to_string())
            .unwrap_or_default();
        let u = unit_of(&objective);
        let mut names: Vec<String> = Vec::new();
        for r in &t.rows {
            let n = t.text(r, "assumption").to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let rows: Vec<Vec<Td>> = names
            .iter()
            .map(|n| {
                let val = |neg: bool| {
                    t.rows
                        .iter()
                        .find(|r| t.text(r, "assumption") == n && (t.num(r, "change") < 0.0) == neg)
                        .map(|r| t.num(r, "value") - t.num(r, "base"))
                        .map_or(Td::Num("–".into()), |d| Td::Num(fmt_diff(d, u, cur)))
                };
                vec![Td::Text(n.clone()), val(true), val(false)]
            })
            .collect();
        b += &table(
            &[
                "assumption".into(),
                format!("{} change at −20 %", label_of(&objective)),
                format!("{} change at +20 %", label_of(&objective)),
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
    let s = &ctx.summary;
    let cur = ctx.cur.as_str();
    let scenario = s
        .get("scenario")
        .and_then(Value::as_str)
        .unwrap_or("scenario");
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
        for (k, label) in [
            ("strategy", "strategy"),
            ("seed", "seed"),
            ("replications", "replications"),
            ("horizon_weeks", "horizon (weeks)"),
            ("time_step", "time step"),
            ("agent_scale", "customers per agent"),
            ("agents", "agents"),
            ("customers_in_scope", "customers in scope"),
            ("currency", "currency"),
        ] {
            if let Some(v) = s.get(k) {
                let cell = match v.as_f64() {
                    Some(x) => Td::Num(html::thousands(x, 0)),
                    None => Td::Text(v.as_str().unwrap_or("").to_string()),
                };
                rows.push(vec![Td::Text(label.into()), cell]);
            }
        }
        b += &table(&["assumption".into(), "value".into()], &rows, false);
    }
    b += "<p class=\"note\">The scenario file holds every other value (channel costs and response, service times, behaviour, privacy and integration); the search-scale analyses (curves, sensitivity) simulate fewer, heavier agents than the comparison above.</p>\n";

    Ok(b)
}
