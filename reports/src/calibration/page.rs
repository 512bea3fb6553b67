//! `report.html` of a calibration: how well the model reproduces the history (in
//! and out of sample), the parameters against their priors, the lift tests, the
//! channels' effects over the history, and how the fit was run.

use super::charts::Figures;
use super::{Calibration, RunInfo, effect_ratios, week_label, weeks_of};
use crate::html::{self, Td, Unit, card, esc, fmt, section, table, thousands};
use omnimix_sim::Scenario;

/// What every interval on the page covers.
const INTERVALS: &str = "Every interval on this page is a 90 % interval over the posterior: each draw of the free parameters is simulated on its own replication, so the bands cover both what the history leaves uncertain about the parameters and the run-to-run noise of the simulation. The estimate is the posterior median.";

/// The page, with the chart figures already drawn.
pub(super) fn page(s: &Scenario, c: &Calibration, info: &RunInfo, figs: &Figures) -> String {
    let mut sections = vec![
        ("summary", "Summary"),
        ("fit", "Fit"),
        ("parameters", "Parameters"),
    ];
    if !c.lift.is_empty() {
        sections.push(("lift", "Lift tests"));
    }
    sections.push(("effects", "Channel effects"));
    sections.push(("run", "Run"));
    let mut b = summary(c, info);
    b += &fit(c, figs);
    b += &parameters(c, figs);
    if !c.lift.is_empty() {
        b += &lift(s, c, figs);
    }
    b += &effects(s, c);
    b += &run(c, info);
    html::page(
        &format!("{}: calibration to the company's history", s.name),
        &format!(
            "Calibration · {} · seed {} · {} simulated histories · amounts in {}",
            info.history, info.seed, c.evaluations, s.currency
        ),
        &sections,
        &b,
        "omnimix calibrate · calibrated scenario in scenario.toml, draws in posterior.csv · tables as CSV next to this file · charts in charts/ as SVG and PNG",
    )
}

/// A metric with three decimals (– when undefined).
fn num3(x: f64) -> String {
    thousands(x, 3)
}

/// A share as a percentage (– when undefined).
fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{} %", thousands(100.0 * x, 1))
    } else {
        "–".into()
    }
}

/// A parameter value with enough digits to tell it apart from its neighbours.
fn value(x: f64, others: &[f64]) -> String {
    let mut all = others.to_vec();
    all.push(x);
    let d = html::telling_decimals(&all, 2);
    let d = if x.abs() < 1.0 && x != 0.0 {
        d.max((-x.abs().log10()).ceil() as usize + 2).min(9)
    } else {
        d
    };
    thousands(x, d)
}

/// Summary: what was fitted, headline cards, what the intervals cover.
fn summary(c: &Calibration, info: &RunInfo) -> String {
    let mut b = section("summary", "Summary");
    let series = c.metrics.len();
    let weeks = c.metrics.iter().map(|m| m.fit.n).max().unwrap_or(0);
    b += &format!(
        "<p class=\"lead\">{} free parameter{} fitted to {} weekly series ({} weeks in the fit{}) from {}{}. The calibrated scenario is in <code>scenario.toml</code>; <code>simulate</code>, <code>optimize</code> and <code>compare</code> on it draw one parameter set per replication from <code>posterior.csv</code>.</p>\n",
        c.params.len(),
        if c.params.len() == 1 { "" } else { "s" },
        series,
        weeks,
        match info.holdout_weeks {
            0 => String::new(),
            n => format!(", the last {n} held out"),
        },
        esc(&info.history),
        info.lift.as_ref().map_or(String::new(), |l| format!(
            " and the lift tests in {}",
            esc(l)
        )),
    );
    let r2: Vec<f64> = c
        .metrics
        .iter()
        .map(|m| m.fit.r2)
        .filter(|x| x.is_finite())
        .collect();
    let holdout: Vec<f64> = c
        .metrics
        .iter()
        .filter_map(|m| m.holdout.map(|h| h.r2))
        .filter(|x| x.is_finite())
        .collect();
    let mape: Vec<f64> = c
        .metrics
        .iter()
        .map(|m| m.fit.mape)
        .filter(|x| x.is_finite())
        .collect();
    let lowest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    b += "<div class=\"cards\">";
    if !r2.is_empty() {
        b += &card(
            "R² in sample",
            &num3(lowest(&r2)),
            &format!("lowest of {} series", r2.len()),
        );
    }
    if !holdout.is_empty() {
        b += &card(
            "R² out of sample",
            &num3(lowest(&holdout)),
            &format!("lowest, over the last {} weeks", info.holdout_weeks),
        );
    }
    if !mape.is_empty() {
        b += &card(
            "MAPE in sample",
            &pct(highest(&mape)),
            "highest of the series",
        );
    }
    let informed = c.params.iter().filter(|p| p.sd_ratio < 0.5).count();
    b += &card(
        "Parameters the data inform",
        &format!("{informed} of {}", c.params.len()),
        "posterior sd below half the prior's",
    );
    b += "</div>\n";
    b + &format!("<p class=\"note\">{}</p>\n", esc(INTERVALS))
}

/// Fit: the metrics per series, in and out of sample, and the fit charts.
fn fit(c: &Calibration, figs: &Figures) -> String {
    let mut b = section("fit", "Fit");
    b += "<p>How closely the model at the estimate reproduces each weekly series: R² (1 is a perfect fit), NRMSE (root mean squared error over the observed range) and MAPE (mean absolute error as a share of the observed value), over the weeks in the fit and over the weeks held out of it.</p>\n";
    let rows: Vec<Vec<Td>> = c
        .metrics
        .iter()
        .map(|m| {
            let h = m.holdout;
            vec![
                Td::Text(m.country.clone()),
                Td::Text(m.kpi.replace('_', " ")),
                Td::Num(m.fit.n.to_string()),
                Td::Num(num3(m.fit.r2)),
                Td::Num(num3(m.fit.nrmse)),
                Td::Num(pct(m.fit.mape)),
                Td::Num(h.map_or("–".into(), |h| h.n.to_string())),
                Td::Num(h.map_or("–".into(), |h| num3(h.r2))),
                Td::Num(h.map_or("–".into(), |h| num3(h.nrmse))),
                Td::Num(h.map_or("–".into(), |h| pct(h.mape))),
            ]
        })
        .collect();
    let headers: Vec<String> = [
        "country",
        "KPI",
        "weeks",
        "R²",
        "NRMSE",
        "MAPE",
        "holdout weeks",
        "holdout R²",
        "holdout NRMSE",
        "holdout MAPE",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    b += &table(&headers, &rows, false);
    b + &figs.fit
}

/// Parameters: estimate and interval beside the prior and the start value.
fn parameters(c: &Calibration, figs: &Figures) -> String {
    let mut b = section("parameters", "Parameters");
    b += "<p>Each free parameter: the value the scenario had before the fit, its prior, and the posterior's median (the estimate, written into <code>scenario.toml</code>) with its 90 % interval. The last column is the posterior's standard deviation over the prior's: near 1 the history said little about the parameter, near 0 it pinned it down.</p>\n";
    let rows: Vec<Vec<Td>> = c
        .params
        .iter()
        .map(|p| {
            let near = [p.start, p.lo, p.hi, p.estimate];
            vec![
                Td::Text(p.path.clone()),
                Td::Text(p.prior.clone()),
                Td::Num(value(p.start, &near)),
                Td::NumCi(
                    value(p.estimate, &near),
                    format!("[{}, {}]", value(p.lo, &near), value(p.hi, &near)),
                ),
                Td::Num(thousands(p.sd_ratio, 2)),
            ]
        })
        .collect();
    let headers: Vec<String> = [
        "parameter",
        "prior",
        "start",
        "estimate (90 % interval)",
        "posterior sd / prior sd",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    b += &table(&headers, &rows, false);
    b + &figs.parameters
}

/// The unit of a lift test's figures.
fn lift_unit(kpi: &str) -> Unit {
    if kpi == "revenue" {
        Unit::Money
    } else {
        Unit::Count
    }
}

/// Lift tests: measured against the model.
fn lift(s: &Scenario, c: &Calibration, figs: &Figures) -> String {
    let cur = s.currency.as_str();
    let mut b = section("lift", "Lift tests");
    b += "<p>Each experiment's measured incremental effect (with its standard error) against the model's: the history simulated with and without the tested channel in the test's weeks, on the same random numbers.</p>\n";
    let rows: Vec<Vec<Td>> = c
        .lift
        .iter()
        .map(|l| {
            let t = &l.test;
            let weeks = weeks_of(c, &t.country);
            let kpi = t.measure.name();
            let u = lift_unit(&kpi);
            vec![
                Td::Text(t.country.clone()),
                Td::Text(t.channel.name().replace('_', " ")),
                Td::Text(format!(
                    "{} to {}",
                    week_label(&weeks, t.start),
                    week_label(&weeks, t.end)
                )),
                Td::Text(kpi.replace('_', " ")),
                Td::NumCi(fmt(t.estimate, u, cur), format!("se {}", fmt(t.se, u, cur))),
                Td::NumCi(fmt(l.model, u, cur), html::range(l.lo, l.hi, u, cur, false)),
            ]
        })
        .collect();
    let headers: Vec<String> = ["country", "channel", "weeks", "KPI", "measured", "model"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    b += &table(&headers, &rows, false);
    b + &figs.lift
}

/// Channel effects over the history at the estimate.
fn effects(s: &Scenario, c: &Calibration) -> String {
    let cur = s.currency.as_str();
    let mut b = section("effects", "Channel effects over the history");
    if c.effects.is_empty() {
        return b + "<p>No paid channel had spend in the history.</p>\n";
    }
    b += "<p>What each paid channel added over the whole history according to the calibrated model: the history simulated against the same history without that channel's spend, on the same random numbers, at the estimate.</p>\n";
    let rows: Vec<Vec<Td>> = c
        .effects
        .iter()
        .map(|e| {
            let (cpo, roas) = effect_ratios(e);
            vec![
                Td::Text(e.channel.name().replace('_', " ")),
                Td::Num(fmt(e.spend, Unit::Money, cur)),
                Td::Num(fmt(e.incremental_orders, Unit::Count, cur)),
                Td::Num(fmt(e.incremental_revenue, Unit::Money, cur)),
                Td::Num(cpo.map_or("–".into(), |x| fmt(x, Unit::Number, cur))),
                Td::Num(roas.map_or("–".into(), |x| thousands(x, 2))),
            ]
        })
        .collect();
    let headers: Vec<String> = [
        "channel",
        "spend",
        "incremental orders",
        "incremental revenue",
        "cost per incremental order",
        "ROAS",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    b + &table(&headers, &rows, false)
}

/// Run: the inputs and the fit's budget.
fn run(c: &Calibration, info: &RunInfo) -> String {
    let b = section("run", "Run");
    let mut rows = vec![
        vec![Td::Text("history".into()), Td::Text(info.history.clone())],
        vec![
            Td::Text("lift tests".into()),
            Td::Text(info.lift.clone().unwrap_or_else(|| "none".into())),
        ],
        vec![
            Td::Text("retention cohorts".into()),
            Td::Text(info.cohorts.clone().unwrap_or_else(|| "none".into())),
        ],
        vec![Td::Text("seed".into()), Td::Num(info.seed.to_string())],
        vec![
            Td::Text("replications per simulated history".into()),
            Td::Num(info.replications.to_string()),
        ],
        vec![
            Td::Text("simulated histories (allowed)".into()),
            Td::Num(format!("{} ({})", c.evaluations, info.evaluations)),
        ],
        vec![
            Td::Text("weeks held out".into()),
            Td::Num(info.holdout_weeks.to_string()),
        ],
        vec![
            Td::Text("customers per agent (coarse, refined)".into()),
            Td::Num(format!("{}, {}", c.scales.0, c.scales.1)),
        ],
        vec![
            Td::Text("posterior draws".into()),
            Td::Num(c.posterior.draws.len().to_string()),
        ],
    ];
    if let Some(w) = info.wall_seconds {
        rows.push(vec![
            Td::Text("wall time".into()),
            Td::Num(format!("{} s", thousands(w, 1))),
        ]);
    }
    b + &table(&["".into(), "value".into()], &rows, false)
}
