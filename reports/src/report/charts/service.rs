//! Service waits of a simulation: the mean wait per contact by country and service
//! channel.

use crate::ReportError;
use crate::charts::Chart;
use crate::report::Ctx;
use crate::report::data::RunSummary;
use crate::report::figures::{Figure, Figures};
use omnimix_sim::Channel;
use omnimix_sim::kpis::ServiceKpi;

/// simulate: mean wait per country and service channel (channels with a wait only).
pub(super) fn draw(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let RunSummary::Simulate(s) = ctx.summary() else {
        return Ok(());
    };
    let mut used = Vec::new();
    let mut values = Vec::new();
    for ch in Channel::SERVICE {
        let v: Vec<f64> = s
            .countries
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
    if used.is_empty() {
        return Ok(());
    }
    figs.draw(
        Figure::ServiceWait,
        Chart::Bars {
            title: "Service: mean wait per contact by country".into(),
            y_label: "mean wait (min)".into(),
            categories: s.countries.keys().cloned().collect(),
            series: used,
            values,
            stacked: false,
        },
        "Contact-weighted mean wait over the horizon, mean over replications.",
    )
}
