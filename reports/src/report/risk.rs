//! The Risk section of report.html: what the intervals cover, the sensitivity
//! tornado and table, retention vs ROI.

use super::Ctx;
use super::data::Sensitivity;
use super::figures::{Figure, Figures};
use super::format::first_seen;
use crate::html::{Td, fmt_diff, section as heading, table};

/// Risk: what the intervals cover, the sensitivity tornado and table, retention vs ROI.
pub(super) fn section(ctx: &Ctx, figs: &Figures) -> String {
    let mut b = heading("risk", "Risk");
    b += &format!(
        "<p>Every figure above is a mean over {} replications with a 90 % interval: the simulator draws customers, budget cuts and queues at random, and the interval shows how far the mean could move with other draws. ",
        ctx.summary().replications(),
    );
    b += &format!(
        "The intervals cover {}. ",
        crate::html::esc(&ctx.data.interval_covers)
    );
    if ctx.summary().comparison().is_some() {
        b += "Plan and baselines are compared on the same replications (common random numbers), so their difference is far more precise than each figure alone.";
    }
    b += "</p>\n";
    b += &figs.html(Figure::Sensitivity);
    if let Some(s) = &ctx.data.sensitivity {
        b += &sensitivity_table(s, ctx.cur);
    }
    b += &figs.html(Figure::Pareto);
    b
}

/// The objective's change at −20 % and +20 % of each assumption, in file order.
fn sensitivity_table(s: &Sensitivity, cur: &str) -> String {
    let u = s.objective.unit().into();
    let rows: Vec<Vec<Td>> = first_seen(s.rows.iter().map(|r| r.assumption.as_str()))
        .into_iter()
        .map(|n| {
            let val = |neg: bool| {
                s.rows
                    .iter()
                    .find(|r| r.assumption == n && (r.change < 0.0) == neg)
                    .map(|r| r.value - r.base)
                    .map_or(Td::Num("–".into()), |d| Td::Num(fmt_diff(d, u, cur)))
            };
            vec![Td::Text(n.to_string()), val(true), val(false)]
        })
        .collect();
    let label = s.objective.label();
    table(
        &[
            "assumption".into(),
            format!("{label} change at −20 %"),
            format!("{label} change at +20 %"),
        ],
        &rows,
        false,
    )
}
