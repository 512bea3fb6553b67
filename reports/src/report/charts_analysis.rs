//! Charts of the analysis runs: response and staffing curves, retention vs ROI, attribution, sensitivity, service waits.

use super::*;

/// Response curves: revenue vs spend per paid channel.
pub(super) fn response_chart(ctx: &mut Ctx) -> Result<(), ReportError> {
    let cur = ctx.cur.clone();
    // response curves
    if let Some(t) = ctx.data.response_curves.clone() {
        let mut lines: Vec<Line> = Vec::new();
        for r in &t {
            let ch = r.channel.clone();
            if lines.last().map(|l| &l.name) != Some(&ch) {
                lines.push(Line {
                    name: ch,
                    points: Vec::new(),
                    marked: None,
                    points_only: false,
                });
            }
            let p = (m(r.annual_spend), m(r.revenue));
            let l = lines.last_mut().expect("pushed above");
            l.points.push(p);
            if r.chosen {
                l.marked = Some(p);
            }
        }
        ctx.chart(
            "response_curves",
            Chart::Lines {
                title: "Response curves: revenue vs spend per channel".into(),
                x_label: format!("annual spend in the channel (m {cur})"),
                y_label: format!("revenue over the horizon (m {cur})"),
                lines,
                marked_label: Some("chosen spend".into()),
            },
            "Each channel's spend scaled from 0 to 2 × the plan's (everything else as planned), simulated at search scale on the same replications.",
        )?;
    }
    Ok(())
}

/// Service: mean wait vs staffing.
pub(super) fn staffing_chart(ctx: &mut Ctx) -> Result<(), ReportError> {
    // staffing curve
    if let Some(t) = ctx.data.staffing_curve.clone() {
        let mut lines: Vec<Line> = Vec::new();
        for r in &t {
            let ch = r.channel.clone();
            let idx = match lines.iter().position(|l| l.name == ch) {
                Some(i) => i,
                None => {
                    lines.push(Line {
                        name: ch,
                        points: Vec::new(),
                        marked: None,
                        points_only: false,
                    });
                    lines.len() - 1
                }
            };
            let p = (r.service_staff, r.mean_wait_min);
            lines[idx].points.push(p);
            if r.chosen {
                lines[idx].marked = Some(p);
            }
        }
        ctx.chart(
            "staffing_curve",
            Chart::Lines {
                title: "Service: mean wait vs staffing".into(),
                x_label: "service staff, all countries (FTE)".into(),
                y_label: "mean wait per contact (min)".into(),
                lines,
                marked_label: Some("planned staffing".into()),
            },
            "Contact-centre staff scaled from 0.5 to 2 × the plan's; mean wait per contact over the horizon.",
        )?;
    }
    Ok(())
}

/// The Pareto front, or retention vs ROI of the variants explored.
pub(super) fn tradeoff_chart(ctx: &mut Ctx) -> Result<(), ReportError> {
    // Pareto front, or the trade-off among the explored variants
    let pareto = ctx.data.pareto.clone();
    let mut tradeoff: Vec<(f64, f64)> = Vec::new();
    let mut chosen = None;
    let mut from_front = false;
    if let Some(t) = &pareto {
        from_front = true;
        for r in t {
            tradeoff.push((100.0 * r.roi, 100.0 * r.retention));
        }
        chosen = tradeoff
            .iter()
            .filter(|p| p.0 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .or_else(|| tradeoff.iter().max_by(|a, b| a.1.total_cmp(&b.1)))
            .copied();
    } else {
        // (ROI, retention, chosen) of every variant of the curves
        let mut variants: Vec<(f64, f64, bool)> = Vec::new();
        if let Some(t) = ctx.data.response_curves.clone() {
            variants.extend(t.iter().map(|r| (r.roi, r.retention, r.chosen)));
        }
        if let Some(t) = ctx.data.staffing_curve.clone() {
            variants.extend(t.iter().map(|r| (r.roi, r.retention, r.chosen)));
        }
        for (roi, retention, is_chosen) in variants {
            let p = (100.0 * roi, 100.0 * retention);
            if is_chosen {
                chosen = Some(p);
            }
            if !tradeoff.contains(&p) {
                tradeoff.push(p);
            }
        }
    }
    if !tradeoff.is_empty() {
        let mut front: Vec<(f64, f64)> = tradeoff
            .iter()
            .filter(|p| {
                !tradeoff
                    .iter()
                    .any(|q| q.0 >= p.0 && q.1 >= p.1 && (q.0 > p.0 || q.1 > p.1))
            })
            .copied()
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut lines = vec![Line {
            name: "non-dominated".into(),
            points: front.clone(),
            marked: chosen,
            points_only: false,
        }];
        if !from_front {
            lines.push(Line {
                name: "explored variants".into(),
                points: tradeoff.clone(),
                marked: None,
                points_only: true,
            });
        }
        ctx.chart(
            "pareto",
            Chart::Lines {
                title: if from_front {
                    "Pareto front: retention vs ROI".into()
                } else {
                    "Retention vs ROI of the plan's variants".into()
                },
                x_label: "ROI (%)".into(),
                y_label: "12-month retention (%)".into(),
                lines,
                marked_label: Some("chosen plan".into()),
            },
            if from_front {
                "The retention–ROI front of the search (--objective pareto); no plan on it is beaten on both."
            } else {
                "Every variant simulated for the response and staffing curves; the line joins those no other variant beats on both retention and ROI."
            },
        )?;
    }
    Ok(())
}

/// Attribution: each model's share per channel beside the truth when known.
pub(super) fn attribution_chart(ctx: &mut Ctx) -> Result<(), ReportError> {
    // attribution
    if let Some(t) = ctx.data.attribution.clone() {
        let mut models: Vec<String> = Vec::new();
        let mut channels: Vec<String> = Vec::new();
        for r in &t {
            let mo = r.model.clone();
            if !models.contains(&mo) {
                models.push(mo);
            }
            let ch = r.channel.clone();
            if !channels.contains(&ch) {
                channels.push(ch);
            }
        }
        let mut values: Vec<Vec<f64>> = models
            .iter()
            .map(|mo| {
                channels
                    .iter()
                    .map(|ch| {
                        t.iter()
                            .find(|r| r.model == *mo && r.channel == *ch)
                            .map_or(0.0, |r| 100.0 * r.share)
                    })
                    .collect()
            })
            .collect();
        if let Some(tr) = ctx.data.truth.clone() {
            models.push("truth".into());
            values.push(
                channels
                    .iter()
                    .map(|ch| {
                        tr.iter()
                            .find(|r| r.country == "ALL" && r.channel == *ch)
                            .map_or(0.0, |r| 100.0 * r.share)
                    })
                    .collect(),
            );
        }
        ctx.chart(
            "attribution",
            Chart::Bars {
                title: "Attribution: share of conversions by channel".into(),
                y_label: "share of conversions (%)".into(),
                categories: channels,
                series: models,
                values,
                stacked: false,
            },
            "Credit per channel under each attribution model (and the simulator's true incremental share when known).",
        )?;
    }
    Ok(())
}

/// The tornado of ±20 % assumptions.
pub(super) fn sensitivity_chart(ctx: &mut Ctx) -> Result<(), ReportError> {
    let cur = ctx.cur.clone();
    // sensitivity
    if let Some(t) = ctx.data.sensitivity.clone() {
        let mut rows: Vec<TornadoRow> = Vec::new();
        let mut base = f64::NAN;
        let objective = sensitivity_objective(ctx, &t)?;
        let scale = if unit_of(objective) == Unit::MoneyShort {
            1e-6
        } else {
            100.0
        };
        for r in &t {
            base = r.base * scale;
            let name = r.assumption.clone();
            let v = r.value * scale;
            let idx = match rows.iter().position(|x| x.name == name) {
                Some(i) => i,
                None => {
                    rows.push(TornadoRow {
                        name,
                        low: base,
                        high: base,
                    });
                    rows.len() - 1
                }
            };
            if r.change < 0.0 {
                rows[idx].low = v;
            } else {
                rows[idx].high = v;
            }
        }
        rows.sort_by(|a, b| {
            let w = |r: &TornadoRow| (r.high - r.low).abs();
            w(b).total_cmp(&w(a))
        });
        let unit = if scale == 100.0 {
            "%".to_string()
        } else {
            format!("m {cur}")
        };
        ctx.chart(
            "sensitivity",
            Chart::Tornado {
                title: format!("Sensitivity of {} to ±20 % assumptions", objective.label()),
                x_label: format!("{} ({unit})", objective.label()),
                base,
                rows,
            },
            "The plan re-simulated with one assumption 20 % lower or higher at a time (search scale, same replications); widest effect on top.",
        )?;
    }
    Ok(())
}

/// simulate: mean wait per country and service channel.
pub(super) fn service_wait_chart(ctx: &mut Ctx) -> Result<(), ReportError> {
    // simulate: waits per country and service channel
    if let RunSummary::Simulate(s) = &ctx.summary {
        let countries = s.countries.clone();
        {
            let mut used = Vec::new();
            let mut values = Vec::new();
            for ch in Channel::SERVICE {
                let v: Vec<f64> = countries
                    .values()
                    .map(|k| {
                        k.service(ch, ServiceKpi::MeanWaitMin)
                            .map_or(0.0, |i| i.mean)
                    })
                    .collect();
                if v.iter().any(|x| *x > 0.0) {
                    used.push(ch.name().to_string());
                    values.push(v);
                }
            }
            if !used.is_empty() {
                ctx.chart(
                    "service_wait",
                    Chart::Bars {
                        title: "Service: mean wait per contact by country".into(),
                        y_label: "mean wait (min)".into(),
                        categories: countries.keys().cloned().collect(),
                        series: used,
                        values,
                        stacked: false,
                    },
                    "Contact-weighted mean wait over the horizon, mean over replications.",
                )?;
            }
        }
    }
    Ok(())
}
