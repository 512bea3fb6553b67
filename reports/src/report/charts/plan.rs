//! Charts of the plan: the allocation by country and channel, spend per phase, and
//! plan vs current by channel.

use crate::ReportError;
use crate::charts::Chart;
use crate::report::Ctx;
use crate::report::figures::{Figure, Figures};
use crate::report::format::{first_seen, m};
use omnimix_studies::tables::{AllocationRow, PhaseRow};

/// The plan's charts; none without an allocation.
pub(super) fn draw(ctx: &Ctx, figs: &mut Figures) -> Result<(), ReportError> {
    let Some(all) = &ctx.data.allocation else {
        return Ok(());
    };
    allocation(ctx, figs, all)?;
    if let Some(ph) = &ctx.data.phases {
        phases(ctx, figs, ph)?;
    }
    plan_vs_current(ctx, figs, all)
}

/// The own strategy's spend per country, stacked by channel.
fn allocation(ctx: &Ctx, figs: &mut Figures, all: &[AllocationRow]) -> Result<(), ReportError> {
    let own = ctx.summary().own_strategy();
    let rows: Vec<&AllocationRow> = all.iter().filter(|r| r.strategy == own).collect();
    let countries = first_seen(rows.iter().map(|r| r.country.as_str()));
    let channels = first_seen(
        rows.iter()
            .filter(|r| r.spend > 0.0)
            .map(|r| r.channel.as_str()),
    );
    if channels.is_empty() {
        return Ok(());
    }
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
    figs.draw(
        Figure::Allocation,
        Chart::Bars {
            title: format!("Budget allocation ({own}): spend by country and channel"),
            y_label: format!("annual spend (m {})", ctx.cur),
            categories: owned(&countries),
            series: owned(&channels),
            values,
            stacked: true,
        },
        "Annual media spend per country, stacked by channel.",
    )
}

/// Spend per phase of a phased plan, all countries, stacked by channel.
fn phases(ctx: &Ctx, figs: &mut Figures, ph: &[PhaseRow]) -> Result<(), ReportError> {
    let phase_of = |r: &PhaseRow| format!("weeks {}-{}", r.first_week, r.last_week);
    let labels: Vec<String> = ph.iter().map(phase_of).collect();
    let phases = first_seen(labels.iter().map(String::as_str));
    let chans = first_seen(
        ph.iter()
            .filter(|r| r.spend > 0.0)
            .map(|r| r.channel.as_str()),
    );
    if chans.is_empty() {
        return Ok(());
    }
    let values: Vec<Vec<f64>> = chans
        .iter()
        .map(|ch| {
            phases
                .iter()
                .map(|p| {
                    ph.iter()
                        .zip(&labels)
                        .filter(|(r, l)| r.channel == *ch && l == p)
                        .map(|(r, _)| m(r.spend))
                        .sum()
                })
                .collect()
        })
        .collect();
    figs.draw(
        Figure::Phases,
        Chart::Bars {
            title: "Spend per phase, all countries, by channel".into(),
            y_label: format!("spend in the phase (m {})", ctx.cur),
            categories: owned(&phases),
            series: owned(&chans),
            values,
            stacked: true,
        },
        "Money spent in each phase of the plan (plan_phases.csv), stacked by channel.",
    )
}

/// Annual spend per channel of every strategy compared; none for one strategy.
fn plan_vs_current(
    ctx: &Ctx,
    figs: &mut Figures,
    all: &[AllocationRow],
) -> Result<(), ReportError> {
    let strategies = first_seen(all.iter().map(|r| r.strategy.as_str()));
    if strategies.len() <= 1 {
        return Ok(());
    }
    let chans = first_seen(
        all.iter()
            .filter(|r| r.spend > 0.0)
            .map(|r| r.channel.as_str()),
    );
    let values: Vec<Vec<f64>> = strategies
        .iter()
        .map(|s| {
            chans
                .iter()
                .map(|ch| {
                    all.iter()
                        .filter(|r| r.strategy == *s && r.channel == *ch)
                        .map(|r| m(r.spend))
                        .sum()
                })
                .collect()
        })
        .collect();
    figs.draw(
        Figure::PlanVsCurrent,
        Chart::Bars {
            title: "Plan vs current: annual spend by channel".into(),
            y_label: format!("annual spend (m {})", ctx.cur),
            categories: owned(&chans),
            series: strategies.iter().map(|s| s.replace('_', " ")).collect(),
            values,
            stacked: false,
        },
        "Annual spend per channel, all countries, for each strategy compared.",
    )
}

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
