//! Raw arguments → validated run configuration: the scenario is read, overridden
//! and validated here, before any work starts.

use crate::cli::{OptimizeArgs, ScenarioArgs, SimulateArgs};
use anyhow::{Context, Result};
use omnimix_sim::scenario::load::ExternalStrategy;
use omnimix_sim::{Override, Scenario, ScenarioSource};
use std::path::{Path, PathBuf};

/// The embedded default scenario.
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/global-retail.toml");
/// Name under which the embedded default is reported.
pub const DEFAULT_ORIGIN: &str = "<embedded global-retail.toml>";

/// Bad input: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Read, override and validate the scenario named by the arguments.
pub fn scenario(args: &ScenarioArgs) -> Result<Scenario> {
    scenario_with_plan(args, None)
}

/// Read a plan file's strategy (`{"strategy": {...}}`, or the strategy object itself).
pub fn read_plan(path: &Path) -> Result<ExternalStrategy> {
    let bad = |m: String| BadInput(format!("plan {}: {m}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let strategy = json.get("strategy").cloned().unwrap_or(json);
    if !strategy.is_object() {
        return Err(bad("no \"strategy\" object".into()).into());
    }
    match toml::Value::try_from(&strategy) {
        Ok(toml::Value::Table(table)) => Ok(ExternalStrategy {
            origin: format!("plan {}", path.display()),
            table,
        }),
        Ok(_) => Err(bad("no \"strategy\" object".into()).into()),
        Err(e) => Err(bad(format!("cannot use as a strategy: {e}")).into()),
    }
}

/// [`scenario`], with the strategy replaced by a plan file's when given.
pub fn scenario_with_plan(args: &ScenarioArgs, plan: Option<&Path>) -> Result<Scenario> {
    let plan = plan.map(read_plan).transpose()?;
    let source = match &args.file {
        None => ScenarioSource::new(DEFAULT_ORIGIN, DEFAULT_SCENARIO),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| BadInput(format!("cannot read scenario {}: {e}", path.display())))?;
            ScenarioSource::new(path.display().to_string(), text)
        }
    };
    let overrides = args
        .set
        .iter()
        .map(|s| {
            s.parse::<Override>()
                .map_err(|e| BadInput(format!("--set {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    omnimix_sim::scenario::load::load_with_strategy(&source, &overrides, plan.as_ref())
        .map_err(|e| BadInput(e.to_string().trim_end().to_string()).into())
}

/// Everything `simulate` needs, validated.
#[derive(Debug)]
pub struct SimulateConfig {
    pub scenario: Scenario,
    pub strategy_name: String,
    pub seed: u64,
    pub replications: u32,
    pub out: PathBuf,
    pub journeys: bool,
    pub threads: Option<usize>,
    pub quiet: bool,
}

impl SimulateConfig {
    pub fn from_args(a: &SimulateArgs) -> Result<SimulateConfig> {
        let scenario = scenario_with_plan(&a.scenario, a.plan.as_deref())?;
        let strategy_name = match (&a.strategy, &a.plan) {
            (Some(name), _) => name.clone(),
            (None, Some(_)) => "plan".into(),
            (None, None) => "current".into(),
        };
        if scenario.strategy_named(Some(&strategy_name)).is_none() {
            let mut known = vec!["current".to_string()];
            known.extend(scenario.strategies.keys().cloned());
            return Err(BadInput(format!(
                "--strategy {strategy_name}: no such strategy in the scenario (known: {})",
                known.join(", ")
            ))
            .into());
        }
        let replications = a.replications.unwrap_or(scenario.replications);
        if !(1..=100_000).contains(&replications) {
            return Err(BadInput(format!(
                "--replications {replications}: must be between 1 and 100000"
            ))
            .into());
        }
        if a.threads == Some(0) {
            return Err(BadInput("--threads 0: must be at least 1".into()).into());
        }
        Ok(SimulateConfig {
            seed: a.seed.unwrap_or(scenario.seed),
            replications,
            strategy_name,
            out: a.out.clone(),
            journeys: a.journeys,
            threads: a.threads,
            quiet: a.quiet,
            scenario,
        })
    }
}

/// Run `f` on a thread pool of the requested size (or the global pool).
pub fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> Result<T> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .context("cannot start worker threads")?;
            Ok(pool.install(f))
        }
    }
}

/// Everything `optimize` needs, validated.
#[derive(Debug)]
pub struct OptimizeConfig {
    pub scenario: Scenario,
    pub objective: crate::optimize::Objective,
    pub risk: omnimix_optimizer::Risk,
    pub risk_name: String,
    pub evals: usize,
    pub seed: u64,
    pub search_scale: u32,
    pub final_replications: u32,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
    pub checkpoint: Option<PathBuf>,
    pub resume_from: Option<Resume>,
    /// `--target KPI=VALUE`: the target value (the objective is the KPI).
    pub target: Option<f64>,
    /// `--fix NAME[=VALUE]`.
    pub fixes: Vec<(String, Option<f64>)>,
    /// `--phases N` (1: not phased).
    pub phases: u32,
    /// Write the analysis files, charts and report.html (not with `--no-report`).
    pub report: bool,
}

/// A checkpoint to resume, of the kind of search the flags ask for.
#[derive(Debug)]
pub enum Resume {
    Search(omnimix_optimizer::SearchState),
    Pareto(omnimix_optimizer::ParetoState),
    Target(omnimix_optimizer::TargetState),
}

/// The checkpoint file inside a `--checkpoint` folder.
pub fn checkpoint_file(dir: &Path) -> PathBuf {
    dir.join("checkpoint.json")
}

impl OptimizeConfig {
    pub fn from_args(a: &OptimizeArgs) -> Result<OptimizeConfig> {
        let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
        let mut objective = crate::optimize::Objective::parse(&a.objective).ok_or_else(|| {
            bad(format!(
                "--objective {}: one of retention, roi, npv, revenue, pareto",
                a.objective
            ))
        })?;
        let mut target = None;
        if let Some(t) = &a.target {
            use crate::optimize::Objective;
            let parsed = t.split_once('=').and_then(|(k, v)| {
                let o = Objective::parse(k.trim()).filter(|o| *o != Objective::Pareto)?;
                let v: f64 = v.trim().parse().ok().filter(|v: &f64| v.is_finite())?;
                Some((o, v))
            });
            let (o, v) = parsed.ok_or_else(|| {
                bad(format!(
                    "--target {t}: KPI=VALUE with KPI one of retention, roi, npv, revenue"
                ))
            })?;
            objective = o;
            target = Some(v);
        }
        let risk = crate::optimize::parse_risk(&a.risk)
            .filter(|r| r.validate().is_ok())
            .ok_or_else(|| {
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
        if a.threads == Some(0) {
            return Err(bad("--threads 0: must be at least 1".into()));
        }
        let resume_from = match (&a.checkpoint, a.resume) {
            (Some(dir), true) => {
                let f = checkpoint_file(dir);
                let text = std::fs::read_to_string(&f)
                    .map_err(|e| bad(format!("--resume: cannot read {}: {e}", f.display())))?;
                let not = |kind: &str, e: serde_json::Error| {
                    bad(format!(
                        "--resume: {} is not a checkpoint of {kind} (was it written with other flags?): {e}",
                        f.display()
                    ))
                };
                Some(if target.is_some() {
                    Resume::Target(
                        serde_json::from_str(&text).map_err(|e| not("a --target search", e))?,
                    )
                } else if objective == crate::optimize::Objective::Pareto {
                    Resume::Pareto(
                        serde_json::from_str(&text).map_err(|e| not("a Pareto search", e))?,
                    )
                } else {
                    Resume::Search(
                        serde_json::from_str(&text)
                            .map_err(|e| not("a single-objective search", e))?,
                    )
                })
            }
            _ => None,
        };
        let scenario = scenario(&a.scenario)?;
        let final_replications = a.replications.unwrap_or(scenario.replications).max(2);
        if a.phases == 0 || a.phases > scenario.horizon_weeks {
            return Err(bad(format!(
                "--phases {}: between 1 and the horizon's {} weeks",
                a.phases, scenario.horizon_weeks
            )));
        }
        let fixes = a
            .fix
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
            .collect::<Result<Vec<_>>>()?;
        Ok(OptimizeConfig {
            report: !a.no_report,
            fixes,
            phases: a.phases,
            target,
            checkpoint: a.checkpoint.clone(),
            resume_from,
            objective,
            risk,
            risk_name: a.risk.clone(),
            evals: a.evals,
            seed: a.seed.unwrap_or(scenario.seed),
            search_scale: a.search_scale,
            final_replications,
            out: a.out.clone(),
            threads: a.threads,
            quiet: a.quiet,
            scenario,
        })
    }
}
