//! `omnimix optimize`: flags → [`OptimizeConfig`].

use super::{BadInput, scenario, threads};
use crate::checkpoint::Identity;
use crate::cli::OptimizeArgs;
use anyhow::Result;
use omnimix_studies::Objective;
use omnimix_studies::objective::parse_risk;
use omnimix_studies::optimize::SearchConfig;
use std::path::{Path, PathBuf};

/// Everything `optimize` needs, validated.
#[derive(Debug)]
pub struct OptimizeConfig {
    /// The search (scenario, objective, risk, budget of evaluations, target, resume state).
    pub search: SearchConfig,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
    /// What a checkpoint of this run must match to be resumed.
    pub identity: Identity,
    /// `--checkpoint DIR`.
    pub checkpoint: Option<PathBuf>,
    /// Write the analysis files, charts and report.html (not with `--no-report`).
    pub report: bool,
}

/// The checkpoint file inside a `--checkpoint` folder.
pub fn checkpoint_file(dir: &Path) -> PathBuf {
    dir.join("checkpoint.json")
}

const KPIS: &str = "value, retention, roi, npv, revenue";

fn bad(m: String) -> anyhow::Error {
    BadInput(m).into()
}

/// `--objective`, and `--target KPI=VALUE` (which sets the objective to the KPI).
fn objective_and_target(a: &OptimizeArgs) -> Result<(Objective, Option<f64>)> {
    let objective: Objective = a.objective.parse().map_err(|_| {
        bad(format!(
            "--objective {}: one of {KPIS}, pareto",
            a.objective
        ))
    })?;
    let Some(t) = &a.target else {
        return Ok((objective, None));
    };
    let parsed = t.split_once('=').and_then(|(k, v)| {
        let o = k
            .trim()
            .parse::<Objective>()
            .ok()
            .filter(|o| *o != Objective::Pareto)?;
        let v: f64 = v.trim().parse().ok().filter(|v: &f64| v.is_finite())?;
        Some((o, v))
    });
    let (o, v) =
        parsed.ok_or_else(|| bad(format!("--target {t}: KPI=VALUE with KPI one of {KPIS}")))?;
    Ok((o, Some(v)))
}

/// `--fix NAME[=VALUE]`.
fn fixes(a: &OptimizeArgs) -> Result<Vec<(String, Option<f64>)>> {
    a.fix
        .iter()
        .map(|f| match f.split_once('=') {
            None => Ok((f.trim().to_string(), None)),
            Some((n, v)) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(|v| (n.trim().to_string(), Some(v)))
                .ok_or_else(|| bad(format!("--fix {f}: the value must be a number"))),
        })
        .collect()
}

impl OptimizeConfig {
    pub fn from_args(a: &OptimizeArgs) -> Result<OptimizeConfig> {
        let (objective, target) = objective_and_target(a)?;
        let risk = parse_risk(&a.risk).ok_or_else(|| {
            bad(format!(
                "--risk {}: one of mean, cvar:ALPHA (0 < ALPHA <= 1), sd:K (K >= 0)",
                a.risk
            ))
        })?;
        if a.evals < 20 {
            return Err(bad(format!("--evals {}: at least 20", a.evals)));
        }
        if a.search_scale == 0 {
            return Err(bad("--search-scale 0: at least 1".into()));
        }
        let threads = threads(a.threads)?;
        let scenario = scenario(&a.scenario)?;
        let final_replications = a.replications.unwrap_or(scenario.replications).max(2);
        if a.phases == 0 || a.phases > scenario.horizon_weeks {
            return Err(bad(format!(
                "--phases {}: between 1 and the horizon's {} weeks",
                a.phases, scenario.horizon_weeks
            )));
        }
        let fixes = fixes(a)?;
        let draws = super::posterior::draws(
            a.posterior.as_deref(),
            a.scenario.file.as_deref(),
            &scenario,
        )?;
        super::posterior::note_replaced(&draws, &a.scenario.set);
        let mut search = SearchConfig {
            seed: a.seed.unwrap_or(scenario.seed),
            scenario,
            objective,
            risk,
            risk_name: a.risk.clone(),
            evals: a.evals,
            search_scale: a.search_scale,
            final_replications,
            phases: a.phases,
            fixes,
            target,
            resume: None,
            hand_made_starts: a.hand_made_starts,
            draws,
        };
        let identity = Identity::of(&search);
        if let (Some(dir), true) = (&a.checkpoint, a.resume) {
            let file = checkpoint_file(dir);
            search.resume = Some(
                crate::checkpoint::read(
                    &file,
                    &identity,
                    objective,
                    search.target.is_some(),
                    search.evals,
                )
                .map_err(BadInput)?,
            );
        }
        Ok(OptimizeConfig {
            search,
            identity,
            out: super::writable_out(&a.out)?,
            threads,
            quiet: a.quiet,
            checkpoint: a.checkpoint.clone(),
            report: !a.no_report,
        })
    }
}
