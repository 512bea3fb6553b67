//! `omnimix calibrate`'s configuration: the scenario with its `[calibrate]` table, the
//! flags that override it, and the company's history read and checked (every data
//! problem is bad input, exit 2, before any simulation).

use super::{BadInput, DEFAULT_ORIGIN, DEFAULT_SCENARIO, scenario, threads, writable_out};
use crate::checkpoint::Identity;
use crate::cli::CalibrateArgs;
use anyhow::Result;
use omnimix_sim::scenario::calibrate::ColumnsSpec;
use omnimix_studies::calibrate::{FreeParam, Problem, ReplayLog, observed};
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
    /// What a checkpoint of this fit must match to be resumed.
    pub identity: Identity,
    /// `--checkpoint DIR`.
    pub checkpoint: Option<PathBuf>,
    /// `--resume`: the answers of the interrupted fit.
    pub resume: Option<ReplayLog>,
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
        let obs = observed::from_data(&history, &lift, &cohorts).map_err(BadInput)?;
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
        let params = FreeParam::of(&s);
        let mut cfg_scenario = s.clone();
        cfg_scenario.calibrate.data = Some(data.display().to_string());
        let lift_origin = lift_path.map(|p| p.display().to_string());
        let cohorts_origin = cohort_path.map(|p| p.display().to_string());
        cfg_scenario.calibrate.lift_tests = lift_origin.clone();
        cfg_scenario.calibrate.cohorts = cohorts_origin.clone();
        let problem = Problem::new(cfg_scenario, obs, params);
        let identity = Identity::of_calibration(&problem);
        let resume = match (&a.checkpoint, a.resume) {
            (Some(dir), true) => Some(
                crate::checkpoint::read_calibration(&super::checkpoint_file(dir), &identity)
                    .map_err(BadInput)?,
            ),
            _ => None,
        };
        Ok(CalibrateConfig {
            problem,
            identity,
            checkpoint: a.checkpoint.clone(),
            resume,
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
