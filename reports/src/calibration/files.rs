//! The tables of a calibration (`posterior.csv`, `parameters.csv`, `fit.csv`,
//! `fit_metrics.csv`, `lift.csv`, `channel_effects.csv`) and `calibration.json`.

use super::{Calibration, RunInfo, effect_ratios, week_label, weeks_of};
use crate::{ReportError, write_atomic};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Write every table and `calibration.json` into `dir`; returns the paths in order.
pub(super) fn write_all(
    dir: &Path,
    c: &Calibration,
    info: &RunInfo,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut out = vec![
        posterior(dir, c)?,
        parameters(dir, c)?,
        fit(dir, c)?,
        metrics(dir, c)?,
    ];
    if !c.lift.is_empty() {
        out.push(lift(dir, c)?);
    }
    out.push(effects(dir, c)?);
    let p = dir.join("calibration.json");
    crate::write_json(&p, &Document { run: info, c })?;
    out.push(p);
    Ok(out)
}

/// `posterior.csv`: `draw,<key path>...`, one row per draw, values as plain
/// decimals (the shortest text that reads back to the same number).
fn posterior(dir: &Path, c: &Calibration) -> Result<PathBuf, ReportError> {
    let p = dir.join("posterior.csv");
    let mut s = String::from("draw");
    for n in &c.posterior.names {
        s.push(',');
        s.push_str(&csv_field(n));
    }
    s.push('\n');
    for (i, d) in c.posterior.draws.iter().enumerate() {
        s.push_str(&i.to_string());
        for x in d {
            s.push(',');
            s.push_str(&x.to_string());
        }
        s.push('\n');
    }
    write_atomic(&p, s.as_bytes())?;
    Ok(p)
}

/// A CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[derive(Serialize)]
struct ParamCsv<'a> {
    parameter: &'a str,
    prior: &'a str,
    start: f64,
    estimate: f64,
    lo: f64,
    hi: f64,
    sd_ratio: f64,
}

/// `parameters.csv`: per free parameter its prior, start, estimate, 90 % interval
/// and posterior sd over prior sd.
fn parameters(dir: &Path, c: &Calibration) -> Result<PathBuf, ReportError> {
    let rows: Vec<ParamCsv> = c
        .params
        .iter()
        .map(|r| ParamCsv {
            parameter: &r.path,
            prior: &r.prior,
            start: r.start,
            estimate: r.estimate,
            lo: r.lo,
            hi: r.hi,
            sd_ratio: r.sd_ratio,
        })
        .collect();
    let p = dir.join("parameters.csv");
    crate::write_csv(&p, &rows)?;
    Ok(p)
}

/// `fit.csv`: observed against fitted with the 90 % band, week by week.
fn fit(dir: &Path, c: &Calibration) -> Result<PathBuf, ReportError> {
    let p = dir.join("fit.csv");
    crate::write_csv(&p, &c.fit)?;
    Ok(p)
}

#[derive(Serialize)]
struct MetricsCsv<'a> {
    country: &'a str,
    kpi: &'a str,
    weeks: usize,
    r2: f64,
    nrmse: f64,
    mape: f64,
    holdout_weeks: usize,
    holdout_r2: Option<f64>,
    holdout_nrmse: Option<f64>,
    holdout_mape: Option<f64>,
}

/// `fit_metrics.csv`: R², NRMSE and MAPE per series, in and out of sample.
fn metrics(dir: &Path, c: &Calibration) -> Result<PathBuf, ReportError> {
    let rows: Vec<MetricsCsv> = c
        .metrics
        .iter()
        .map(|m| MetricsCsv {
            country: &m.country,
            kpi: &m.kpi,
            weeks: m.fit.n,
            r2: m.fit.r2,
            nrmse: m.fit.nrmse,
            mape: m.fit.mape,
            holdout_weeks: m.holdout.map_or(0, |h| h.n),
            holdout_r2: m.holdout.map(|h| h.r2),
            holdout_nrmse: m.holdout.map(|h| h.nrmse),
            holdout_mape: m.holdout.map(|h| h.mape),
        })
        .collect();
    let p = dir.join("fit_metrics.csv");
    crate::write_csv(&p, &rows)?;
    Ok(p)
}

#[derive(Serialize)]
struct LiftCsv<'a> {
    country: &'a str,
    channel: &'a str,
    start: String,
    end: String,
    kpi: String,
    measured: f64,
    se: f64,
    model: f64,
    model_lo: f64,
    model_hi: f64,
}

/// `lift.csv`: each lift test's measured effect against the model's.
fn lift(dir: &Path, c: &Calibration) -> Result<PathBuf, ReportError> {
    let rows: Vec<LiftCsv> = c
        .lift
        .iter()
        .map(|l| {
            let weeks = weeks_of(c, &l.test.country);
            LiftCsv {
                country: &l.test.country,
                channel: l.test.channel.name(),
                start: week_label(&weeks, l.test.start),
                end: week_label(&weeks, l.test.end),
                kpi: l.test.measure.name(),
                measured: l.test.estimate,
                se: l.test.se,
                model: l.model,
                model_lo: l.lo,
                model_hi: l.hi,
            }
        })
        .collect();
    let p = dir.join("lift.csv");
    crate::write_csv(&p, &rows)?;
    Ok(p)
}

#[derive(Serialize)]
struct EffectCsv<'a> {
    channel: &'a str,
    spend: f64,
    incremental_orders: f64,
    incremental_revenue: f64,
    cost_per_incremental_order: Option<f64>,
    roas: Option<f64>,
}

/// `channel_effects.csv`: each paid channel's incremental orders and revenue over
/// the history at the estimate, per unit of spend.
fn effects(dir: &Path, c: &Calibration) -> Result<PathBuf, ReportError> {
    let rows: Vec<EffectCsv> = c
        .effects
        .iter()
        .map(|e| {
            let (cpo, roas) = effect_ratios(e);
            EffectCsv {
                channel: e.channel.name(),
                spend: e.spend,
                incremental_orders: e.incremental_orders,
                incremental_revenue: e.incremental_revenue,
                cost_per_incremental_order: cpo,
                roas,
            }
        })
        .collect();
    let p = dir.join("channel_effects.csv");
    crate::write_csv(&p, &rows)?;
    Ok(p)
}

/// `calibration.json`: the run and the whole calibration.
#[derive(Serialize)]
struct Document<'a> {
    run: &'a RunInfo,
    #[serde(flatten)]
    c: &'a Calibration,
}
