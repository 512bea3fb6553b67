//! Charts of the plan: allocation, phases, plan vs current, retention curves.

use super::*;

/// The allocation (stacked by channel per country), spend per phase, and plan vs current by channel.
pub(super) fn allocation_charts(ctx: &mut Ctx) -> Result<(), ReportError> {
    let cur = ctx.cur.clone();
    // allocation
    if let Some(t) = ctx.data.allocation.clone() {
        let own = own_strategy(ctx);
        let rows: Vec<&AllocationRow> = t.iter().filter(|r| r.strategy == own).collect();
        let mut countries: Vec<String> = Vec::new();
        let mut channels: Vec<String> = Vec::new();
        for r in &rows {
            let c = r.country.clone();
            if !countries.contains(&c) {
                countries.push(c);
            }
            let ch = r.channel.clone();
            if r.spend > 0.0 && !channels.contains(&ch) {
                channels.push(ch);
            }
        }
        if !channels.is_empty() {
            let values: Vec<Vec<f64>> = channels
                .iter()
                .map(|ch| {
                    countries
                        .iter()
                        .map(|c| {
                            rows.iter()
                                .filter(|r| r.country == *c && r.channel == *ch)
                                .map(|r| m(r.spend))
                                .sum()
                        })
                        .collect()
                })
                .collect();
            ctx.chart(
                "allocation",
                Chart::Bars {
                    title: format!("Budget allocation ({own}): spend by country and channel"),
                    y_label: format!("annual spend (m {cur})"),
                    categories: countries,
                    series: channels.clone(),
                    values,
                    stacked: true,
                },
                "Annual media spend per country, stacked by channel.",
            )?;
        }
        // spend per phase (a phased plan), stacked by channel
        if let Some(ph) = ctx.data.phases.clone() {
            let phase_of = |r: &PhaseRow| format!("weeks {}-{}", r.first_week, r.last_week);
            let mut phases: Vec<String> = Vec::new();
            let mut chans: Vec<String> = Vec::new();
            for r in &ph {
                let label = phase_of(r);
                if !phases.contains(&label) {
                    phases.push(label);
                }
                let ch = r.channel.clone();
                if r.spend > 0.0 && !chans.contains(&ch) {
                    chans.push(ch);
                }
            }
            let values: Vec<Vec<f64>> = chans
                .iter()
                .map(|ch| {
                    phases
                        .iter()
                        .map(|p| {
                            ph.iter()
                                .filter(|r| r.channel == *ch && phase_of(r) == *p)
                                .map(|r| m(r.spend))
                                .sum()
                        })
                        .collect()
                })
                .collect();
            if !chans.is_empty() {
                ctx.chart(
                    "phases",
                    Chart::Bars {
                        title: "Spend per phase, all countries, by channel".into(),
                        y_label: format!("spend in the phase (m {cur})"),
                        categories: phases,
                        series: chans,
                        values,
                        stacked: true,
                    },
                    "Money spent in each phase of the plan (plan_phases.csv), stacked by channel.",
                )?;
            }
        }
        // plan vs current (vs equal split), by channel
        let strategies: Vec<String> = {
            let mut v: Vec<String> = Vec::new();
            for r in &t {
                let s = r.strategy.clone();
                if !v.contains(&s) {
                    v.push(s);
                }
            }
            v
        };
        if strategies.len() > 1 {
            let mut chans: Vec<String> = Vec::new();
            for r in &t {
                let ch = r.channel.clone();
                if r.spend > 0.0 && !chans.contains(&ch) {
                    chans.push(ch);
                }
            }
            let values: Vec<Vec<f64>> = strategies
                .iter()
                .map(|s| {
                    chans
                        .iter()
                        .map(|ch| {
                            t.iter()
                                .filter(|r| r.strategy == *s && r.channel == *ch)
                                .map(|r| m(r.spend))
                                .sum()
                        })
                        .collect()
                })
                .collect();
            ctx.chart(
                "plan_vs_current",
                Chart::Bars {
                    title: "Plan vs current: annual spend by channel".into(),
                    y_label: format!("annual spend (m {cur})"),
                    categories: chans,
                    series: strategies.iter().map(|s| s.replace('_', " ")).collect(),
                    values,
                    stacked: false,
                },
                "Annual spend per channel, all countries, for each strategy compared.",
            )?;
        }
    }
    Ok(())
}

/// Retention of the week-0 customers per country, and integrated vs not.
pub(super) fn retention_charts(ctx: &mut Ctx) -> Result<(), ReportError> {
    // retention curves
    if let Some(t) = ctx.data.retention_curves.clone() {
        let own = own_strategy(ctx);
        let mut by: BTreeMap<(String, String), Vec<(f64, f64)>> = BTreeMap::new();
        let mut order: Vec<(String, String)> = Vec::new();
        for r in &t {
            let key = (r.series.clone(), r.country.clone());
            if !by.contains_key(&key) {
                order.push(key.clone());
            }
            by.entry(key)
                .or_default()
                .push((f64::from(r.week), 100.0 * r.retention));
        }
        let own_series = if order.iter().any(|k| k.0 == own) {
            own.clone()
        } else {
            order.first().map(|k| k.0.clone()).unwrap_or_default()
        };
        let lines: Vec<Line> = order
            .iter()
            .filter(|k| k.0 == own_series)
            .map(|k| Line {
                name: k.1.clone(),
                points: by[k].clone(),
                marked: None,
                points_only: false,
            })
            .collect();
        if !lines.is_empty() {
            ctx.chart(
                "retention_countries",
                Chart::Lines {
                    title: format!("Retention of today's customers by week ({own_series})"),
                    x_label: "week".into(),
                    y_label: "customers still active (%)".into(),
                    lines,
                    marked_label: None,
                },
                "Share of the week-0 customers still active, per country and for the company.",
            )?;
        }
        let company: Vec<Line> = order
            .iter()
            .filter(|k| k.1 == "company")
            .map(|k| Line {
                name: k.0.clone(),
                points: by[k].clone(),
                marked: None,
                points_only: false,
            })
            .collect();
        if company.len() > 1 {
            ctx.chart(
                "retention_integration",
                Chart::Lines {
                    title: "Company retention by week: integrated vs not".into(),
                    x_label: "week".into(),
                    y_label: "customers still active (%)".into(),
                    lines: company,
                    marked_label: None,
                },
                "Share of the week-0 customers still active: the plan, the current strategy, and the plan with and without the omnichannel integration initiatives (search-scale runs).",
            )?;
        }
    }
    Ok(())
}
