//! The tornado of the ±20 % assumptions: the objective at the low and the high
//! setting of each, widest effect on top.

use crate::ReportError;
use crate::charts::{Chart, TornadoRow};
use crate::html::{Unit, fmt};
use crate::report::Ctx;
use crate::report::data::Sensitivity;
use crate::report::figures::{Figure, Figures};

/// One bar per assumption (low at −20 %, high at +20 %, the base where a side is
/// missing), in `scale`d units, and the base of the last row.
fn tornado_rows(s: &Sensitivity, scale: f64) -> (Vec<TornadoRow>, f64) {
    let mut rows: Vec<TornadoRow> = Vec::new();
    let mut base = f64::NAN;
    for r in &s.rows {
        base = r.base * scale;
        let v = r.value * scale;
        let idx = match rows.iter().position(|x| x.name == r.assumption) {
            Some(i) => i,
            None => {
                rows.push(TornadoRow {
                    name: r.assumption.clone(),
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
    (rows, base)
}

/// The tornado of ±20 % assumptions, money in millions, shares in %.
pub(super) fn draw(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let Some(s) = &ctx.data.sensitivity else {
        return Ok(());
    };
    let money = Unit::from(s.objective.unit()) == Unit::MoneyShort;
    let (scale, unit) = if money {
        (1e-6, format!("m {}", ctx.cur))
    } else {
        (100.0, "%".to_string())
    };
    let (rows, base) = tornado_rows(s, scale);
    let label = s.objective.label();
    let u = Unit::from(s.objective.unit());
    // the summary's figure of the same plan, from the fresh runs at full resolution
    let full = ctx
        .summary()
        .comparison()
        .and_then(|c| Some((c.plan.get(s.objective)?.mean, c.replications)))
        .map(|(x, n)| {
            format!(
                " The summary's {} for the plan, {}, comes from {n} fresh replications at full resolution; compare the bars with each other and with the line, not with it.",
                label,
                fmt(x, u, ctx.cur)
            )
        })
        .unwrap_or_default();
    let as_planned = s
        .rows
        .first()
        .map(|r| fmt(r.base, u, ctx.cur))
        .unwrap_or_default();
    figs.draw(
        Figure::Sensitivity,
        Chart::Tornado {
            title: format!("Sensitivity of {label} to ±20 % assumptions (coarse estimate)"),
            x_label: format!("{label} ({unit}), search scale"),
            base,
            rows,
        },
        &format!(
            "The plan re-simulated with one assumption 20 % lower or higher at a time, widest effect on top: a {}. The line, the plan as planned at that scale, is at {}.{full}",
            super::coarse(ctx),
            as_planned
        ),
    )
}
