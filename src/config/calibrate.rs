//! `omnimix calibrate`'s configuration: the scenario with its `[calibrate]` table, the
//! flags that override it, and the company's history read and checked (every data
//! problem is bad input, exit 2, before any simulation).

use super::{BadInput, DEFAULT_ORIGIN, DEFAULT_SCENARIO, scenario, threads, writable_out};
use crate::cli::CalibrateArgs;
use anyhow::Result;
use omnimix_data::{Cohort, CohortStart, History, Kpi, LiftOutcome, LiftTest};
use omnimix_sim::channel::Channel;
use omnimix_sim::scenario::calibrate::ColumnsSpec;
use omnimix_studies::calibrate::{
    CohortTarget, FreeParam, LiftTarget, Measure, Observed, Problem, Series,
};
use std::path::{Path, PathBuf};

/// Everything `calibrate` needs, validated.
#[derive(Debug)]
pub struct CalibrateConfig {
    /// The fit: scenario, history, free parameters and options.
    pub problem: Problem,
    /// The scenario file's text (the calibrated scenario is this text, edited).
    pub source_text: String,
    /// The scenario file (None: the embedded default).
    pub source_path: Option<PathBuf>,
    /// The history file, as named.
    pub history_origin: String,
    /// The lift-test file, as named.
    pub lift_origin: Option<String>,
    /// The cohorts file, as named.
    pub cohorts_origin: Option<String>,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
}

/// A path from the scenario, relative to the scenario file's folder.
fn beside(scenario_file: Option<&Path>, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    match scenario_file.and_then(Path::parent) {
        Some(dir) if p.is_relative() => dir.join(p),
        _ => p,
    }
}

/// Apply `--column ROLE=COLUMN` flags to the scenario's column mapping.
fn apply_columns(cols: &mut ColumnsSpec, flags: &[String]) -> Result<()> {
    for f in flags {
        let bad = |why: &str| BadInput(format!("--column {f}: {why}"));
        let (role, col) = f
            .split_once('=')
            .ok_or_else(|| bad("expected ROLE=COLUMN, e.g. week=DATE or spend.search=search_S"))?;
        let (role, col) = (role.trim(), col.trim().to_string());
        if col.is_empty() {
            return Err(bad("empty column name").into());
        }
        match role.split_once('.') {
            None => match role {
                "week" => cols.week = Some(col),
                "country" => cols.country = Some(col),
                "channel" => cols.channel = Some(col),
                _ => {
                    return Err(bad(
                        "unknown role (week, country, channel, spend.CHANNEL, impressions.CHANNEL, kpi.KPI)",
                    )
                    .into());
                }
            },
            Some(("spend", ch)) => {
                cols.spend.insert(ch.to_string(), col);
            }
            Some(("impressions", ch)) => {
                cols.impressions.insert(ch.to_string(), col);
            }
            Some(("kpi", k)) => {
                cols.kpi.insert(k.to_string(), col);
            }
            Some(_) => {
                return Err(bad(
                    "unknown role (week, country, channel, spend.CHANNEL, impressions.CHANNEL, kpi.KPI)",
                )
                .into());
            }
        }
    }
    Ok(())
}

/// The measure a history KPI is compared with (per service channel when given so).
fn measure(k: Kpi, ch: Option<Channel>) -> Measure {
    match k {
        Kpi::Orders => Measure::Orders,
        Kpi::Revenue => Measure::Revenue,
        Kpi::ActiveCustomers => Measure::ActiveCustomers,
        Kpi::NewCustomers => Measure::NewCustomers,
        Kpi::Contacts => Measure::Contacts(ch),
        Kpi::MeanWaitMin => Measure::MeanWaitMin(ch),
        Kpi::AbandonRate => Measure::AbandonRate(ch),
    }
}

/// The history as the fit reads it.
pub fn observed(h: &History, lift: &[LiftTest], cohorts: &[Cohort]) -> Result<Observed, BadInput> {
    let mut obs = Observed {
        week_labels: h.week_labels.clone(),
        start_date: h.start_date.clone(),
        ..Observed::default()
    };
    for (code, c) in &h.countries {
        obs.spend.push((code.clone(), c.spend.clone()));
        for (k, v) in &c.kpis {
            obs.series.push(Series {
                country: code.clone(),
                measure: measure(*k, None),
                values: v.clone(),
            });
        }
        for ((k, ch), v) in &c.service {
            if c.kpis.contains_key(k) {
                continue; // the country total is fitted already
            }
            obs.series.push(Series {
                country: code.clone(),
                measure: measure(*k, Some(*ch)),
                values: v.clone(),
            });
        }
    }
    for t in lift {
        let (start, end) = t.weeks(h).map_err(|e| BadInput(e.to_string()))?;
        let se = t.standard_error().ok_or_else(|| {
            BadInput(format!(
                "{}: row {}: the lift test gives no uncertainty; add lo,hi (its 90 % interval) or se",
                t.origin, t.row
            ))
        })?;
        if se <= 0.0 || !se.is_finite() {
            return Err(BadInput(format!(
                "{}: row {}: the lift test's standard error must be positive (found {se})",
                t.origin, t.row
            )));
        }
        obs.lift.push(LiftTarget {
            country: t.country.clone(),
            channel: t.channel,
            start,
            end,
            measure: match t.outcome {
                LiftOutcome::Orders => Measure::Orders,
                LiftOutcome::Revenue => Measure::Revenue,
            },
            estimate: t.incremental,
            se,
        });
    }
    for c in cohorts {
        match c.start {
            CohortStart::Initial => obs.cohorts.push(CohortTarget {
                country: c.country.clone(),
                week: (c.period_weeks * c.k) as usize,
                share_active: c.share_active,
            }),
            CohortStart::Week(_) => {
                return Err(BadInput(format!(
                    "{}: row {}: only the customers at week 0 (cohort_start = initial) are fitted; \
                     cohorts acquired later are not yet supported",
                    c.origin, c.row
                )));
            }
        }
    }
    Ok(obs)
}

impl CalibrateConfig {
    pub fn from_args(a: &CalibrateArgs) -> Result<CalibrateConfig> {
        let mut s = scenario(&a.scenario)?;
        let (source_text, source_path) = match &a.scenario.file {
            None => (DEFAULT_SCENARIO.to_string(), None),
            Some(p) => (
                std::fs::read_to_string(p)
                    .map_err(|e| BadInput(format!("cannot read scenario {}: {e}", p.display())))?,
                Some(p.clone()),
            ),
        };
        let origin = source_path
            .as_ref()
            .map_or(DEFAULT_ORIGIN.to_string(), |p| p.display().to_string());
        let k = &mut s.calibrate;
        apply_columns(&mut k.columns, &a.columns)?;
        if let Some(h) = a.holdout {
            k.holdout_weeks = h;
        }
        if let Some(e) = a.evals {
            if e < 10 {
                return Err(BadInput(format!("--evals {e}: must be at least 10")).into());
            }
            k.evaluations = e;
        }
        if let Some(r) = a.replications {
            if !(1..=64).contains(&r) {
                return Err(
                    BadInput(format!("--replications {r}: must be between 1 and 64")).into(),
                );
            }
            k.replications = r;
        }
        if let Some(d) = a.draws {
            if !(10..=100_000).contains(&d) {
                return Err(BadInput(format!("--draws {d}: must be between 10 and 100000")).into());
            }
            k.draws = d;
        }
        if let Some(seed) = a.seed {
            s.seed = seed;
        }
        let k = &s.calibrate;
        if k.params.0.is_empty() {
            return Err(BadInput(format!(
                "{origin}: no free parameters: name the values to fit in [calibrate.params], e.g.\n  \
                 [calibrate.params]\n  \"channels.search.conversion\" = {{ lo = 0.001, hi = 0.02, dist = \"log_uniform\" }}"
            ))
            .into());
        }
        let file = source_path.as_deref();
        let data = match (&a.data, &k.data) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => beside(file, p),
            (None, None) => {
                return Err(BadInput(format!(
                    "{origin}: no history: give --data FILE or set [calibrate] data = \"history.csv\""
                ))
                .into());
            }
        };
        let sheet = a.sheet.clone().or_else(|| k.sheet.clone());
        let history = omnimix_data::read_history(&data, sheet.as_deref(), &k.columns, &s)
            .map_err(|e| BadInput(e.to_string()))?;
        let lift_path = a
            .lift
            .clone()
            .or_else(|| k.lift_tests.as_deref().map(|p| beside(file, p)));
        let lift = match &lift_path {
            Some(p) => omnimix_data::read_lift_tests(p, &s).map_err(|e| BadInput(e.to_string()))?,
            None => Vec::new(),
        };
        let cohort_path = a
            .cohorts
            .clone()
            .or_else(|| k.cohorts.as_deref().map(|p| beside(file, p)));
        let cohorts = match &cohort_path {
            Some(p) => omnimix_data::read_cohorts(p, &s).map_err(|e| BadInput(e.to_string()))?,
            None => Vec::new(),
        };
        let obs = observed(&history, &lift, &cohorts)?;
        let weeks = obs.weeks();
        if (k.holdout_weeks as usize) + 8 > weeks {
            return Err(BadInput(format!(
                "holdout of {} weeks: the history has {weeks} weeks, and at least 8 must remain to fit",
                k.holdout_weeks
            ))
            .into());
        }
        if obs.series.is_empty() {
            return Err(BadInput(format!(
                "{}: no outcome column to fit (orders, revenue, active_customers, new_customers, contacts, mean_wait_min, abandon_rate)",
                data.display()
            ))
            .into());
        }
        let params = k
            .params
            .0
            .iter()
            .map(|(path, prior)| FreeParam {
                path: path.clone(),
                prior: prior.clone(),
            })
            .collect();
        let mut cfg_scenario = s.clone();
        cfg_scenario.calibrate.data = Some(data.display().to_string());
        let lift_origin = lift_path.map(|p| p.display().to_string());
        let cohorts_origin = cohort_path.map(|p| p.display().to_string());
        cfg_scenario.calibrate.lift_tests = lift_origin.clone();
        cfg_scenario.calibrate.cohorts = cohorts_origin.clone();
        Ok(CalibrateConfig {
            problem: Problem::new(cfg_scenario, obs, params),
            source_text,
            source_path,
            history_origin: data.display().to_string(),
            lift_origin,
            cohorts_origin,
            out: writable_out(&a.out)?,
            threads: threads(a.threads)?,
            quiet: a.quiet,
        })
    }
}
