//! The report's charts, drawn before the page from the data alone, one file per
//! chart group: `plan.rs` (allocation, phases, plan vs current), `retention.rs`,
//! `curves.rs` (response and staffing curves), `tradeoff.rs` (retention vs ROI),
//! `attribution.rs`, `sensitivity.rs` and `service.rs` (waits per country).

use super::Ctx;
use super::figures::Figures;
use crate::ReportError;

mod attribution;
mod curves;
mod plan;
mod retention;
mod sensitivity;
mod service;
mod tradeoff;

/// How the report labels a figure from the analysis runs: a coarse estimate at
/// search scale on one replication, not the summary's fresh full-resolution runs.
pub(super) fn coarse(ctx: &Ctx) -> String {
    let scale = match ctx.summary().comparison() {
        Some(c) => format!("search scale: {} customers per agent", c.search_agent_scale),
        None => "search scale".to_string(),
    };
    format!(
        "coarse estimate ({scale}, {} replication)",
        omnimix_studies::analysis::REPLICATIONS
    )
}

/// Draw every chart the data allow, in this order (the order of the files written).
pub(super) fn draw_all(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    plan::draw(ctx, figs)?;
    retention::draw(ctx, figs)?;
    curves::response(ctx, figs)?;
    curves::staffing(ctx, figs)?;
    tradeoff::draw(ctx, figs)?;
    attribution::draw(ctx, figs)?;
    sensitivity::draw(ctx, figs)?;
    service::draw(ctx, figs)?;
    Ok(())
}
