//! Attribution: each model's share of the conversions per channel, beside the
//! simulator's true incremental share when known.

use crate::ReportError;
use crate::charts::Chart;
use crate::report::Ctx;
use crate::report::figures::{Figure, Figures};
use crate::report::format::first_seen;

/// The truth's row for the whole company in `truth.csv`.
const ALL_COUNTRIES: &str = "ALL";

/// Attribution: each model's share per channel beside the truth when known.
pub(super) fn draw(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let Some(rows) = &ctx.data.attribution else {
        return Ok(());
    };
    let mut models: Vec<String> = first_seen(rows.iter().map(|r| r.model.as_str()))
        .into_iter()
        .map(str::to_string)
        .collect();
    let channels: Vec<String> = first_seen(rows.iter().map(|r| r.channel.as_str()))
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut values: Vec<Vec<f64>> = models
        .iter()
        .map(|mo| {
            channels
                .iter()
                .map(|ch| {
                    rows.iter()
                        .find(|r| r.model == *mo && r.channel == *ch)
                        .map_or(0.0, |r| 100.0 * r.share)
                })
                .collect()
        })
        .collect();
    if let Some(truth) = &ctx.data.truth {
        models.push("truth".into());
        values.push(
            channels
                .iter()
                .map(|ch| {
                    truth
                        .iter()
                        .find(|r| r.country == ALL_COUNTRIES && r.channel == *ch)
                        .map_or(0.0, |r| 100.0 * r.share)
                })
                .collect(),
        );
    }
    figs.draw(
        Figure::Attribution,
        Chart::Bars {
            title: "Attribution: share of conversions by channel".into(),
            y_label: "share of conversions (%)".into(),
            categories: channels,
            series: models,
            values,
            stacked: false,
        },
        "Credit per channel under each attribution model (and the simulator's true incremental share when known).",
    )
}
