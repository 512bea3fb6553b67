//! The Channels section of report.html: budget per channel, response curves,
//! attribution.

use super::Ctx;
use super::figures::{Figure, Figures};
use super::format::budget_table;
use crate::html::section as heading;

/// Channels: budget per channel, response curves, attribution.
pub(super) fn section(ctx: &Ctx, figs: &Figures) -> String {
    let mut b = heading("channels", "Channels");
    if let Some(t) = &ctx.data.budget.by_channel {
        b += &budget_table(t, ctx.cur, true);
    }
    b += &figs.html(Figure::ResponseCurves);
    b += &figs.html(Figure::Attribution);
    b
}
