//! Raw arguments → validated run configuration, one per command: the scenario is
//! read, overridden and validated here, and every flag checked, before any work
//! starts. No command reads raw flags.

mod attribute;
mod benchmark;
mod calibrate;
mod compare;
pub mod memory;
mod optimize;
pub mod posterior;
mod serve;

pub use attribute::{AttributeConfig, JourneySource};
pub use benchmark::BenchmarkConfig;
pub use calibrate::CalibrateConfig;
pub use compare::CompareConfig;
pub use optimize::{OptimizeConfig, checkpoint_file};
pub use serve::ServeConfig;

use crate::cli::{ReportArgs, ScenarioArgs, SimulateArgs, ValidateArgs};
use anyhow::Result;
use omnimix_sim::scenario::load::ExternalStrategy;
use omnimix_sim::{Override, Scenario, ScenarioSource};
use std::path::{Path, PathBuf};

/// The embedded default scenario.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/global-retail.toml");
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

/// Read a plan file's strategy (`{"strategy": {...}}`, or the strategy object itself),
/// and its top-level `"others": "scenario"` (the countries it does not name keep the
/// scenario's strategy).
pub fn read_plan(path: &Path) -> Result<ExternalStrategy> {
    let bad = |m: String| BadInput(format!("plan {}: {m}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let mut json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let others = match json.as_object_mut().and_then(|o| o.remove("others")) {
        None => false,
        Some(v) if v == "scenario" => true,
        Some(v) => {
            return Err(bad(format!(
                "\"others\": {v}: the only value is \"scenario\" (the countries the plan \
                 does not name keep the scenario's strategy)"
            ))
            .into());
        }
    };
    let strategy = json.get("strategy").cloned().unwrap_or(json);
    if !strategy.is_object() {
        return Err(bad("no \"strategy\" object".into()).into());
    }
    match toml::Value::try_from(&strategy) {
        Ok(toml::Value::Table(table)) => Ok(ExternalStrategy {
            origin: format!("plan {}", path.display()),
            table,
            others_keep_scenario: others,
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
    let s = omnimix_sim::scenario::load::load_with_strategy(&source, &overrides, plan.as_ref())
        .map_err(|e| BadInput(e.to_string().trim_end().to_string()))?;
    memory::check(&s)?;
    for (name, fit) in &s.budget_fits {
        eprintln!(
            "note: strategy {name} costs {:.0} over {} weeks, more than the budget {:.0}: scaled down by finance.cut_policy: {}",
            fit.before.total(),
            s.horizon_weeks,
            s.finance.annual_budget * s.horizon_weeks as f64 / 52.0,
            fit.describe()
        );
    }
    Ok(s)
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
    /// Also the true journeys (true_journeys.csv).
    pub true_journeys: bool,
    /// Posterior draws: replication r runs on draw r mod n (none: the scenario as it is).
    pub draws: omnimix_studies::posterior::Draws,
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
        let replications = replications(
            a.replications.unwrap_or(scenario.replications),
            1,
            "must be between 1 and 100000",
        )?;
        let draws = posterior::draws(
            a.posterior.as_deref(),
            a.scenario.file.as_deref(),
            &scenario,
        )?;
        posterior::note_replaced(&draws, &a.scenario.set);
        Ok(SimulateConfig {
            draws,
            seed: a.seed.unwrap_or(scenario.seed),
            replications,
            strategy_name,
            out: writable_out(&a.out)?,
            journeys: a.journeys || a.true_journeys,
            true_journeys: a.true_journeys,
            threads: threads(a.threads)?,
            quiet: a.quiet,
            scenario,
        })
    }
}

/// `--out`: the folder is created and written to before any work, so a mistyped
/// or read-only folder is bad input at once rather than after a whole run.
pub fn writable_out(out: &Path) -> Result<PathBuf> {
    let bad =
        |e: std::io::Error| BadInput(format!("--out {}: cannot write there ({e})", out.display()));
    std::fs::create_dir_all(out).map_err(bad)?;
    let probe = out.join(format!(".omnimix-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(bad)?;
    let _ = std::fs::remove_file(&probe);
    Ok(out.to_path_buf())
}

/// `--threads`: at least 1 when given.
pub fn threads(t: Option<usize>) -> Result<Option<usize>> {
    if t == Some(0) {
        return Err(BadInput("--threads 0: must be at least 1".into()).into());
    }
    Ok(t)
}

/// `--replications`: between `min` and 100000.
pub fn replications(r: u32, min: u32, why: &str) -> Result<u32> {
    if !(min..=100_000).contains(&r) {
        return Err(BadInput(format!("--replications {r}: {why}")).into());
    }
    Ok(r)
}

/// Everything `validate` needs: the scenario, validated, and where it came from.
#[derive(Debug)]
pub struct ValidateConfig {
    pub origin: String,
    pub scenario: Scenario,
    pub memory: memory::Estimate,
}

impl ValidateConfig {
    pub fn from_args(a: &ValidateArgs) -> Result<ValidateConfig> {
        let scenario = scenario(&a.scenario)?;
        Ok(ValidateConfig {
            memory: memory::Estimate::of(&scenario)?,
            scenario,
            origin: a
                .scenario
                .file
                .as_ref()
                .map_or(DEFAULT_ORIGIN.to_string(), |p| p.display().to_string()),
        })
    }
}

/// Everything `report` needs: an output folder of simulate or optimize.
#[derive(Debug)]
pub struct ReportConfig {
    pub dir: PathBuf,
    pub quiet: bool,
}

impl ReportConfig {
    pub fn from_args(a: &ReportArgs) -> Result<ReportConfig> {
        if !a.dir.join("summary.json").is_file() {
            return Err(BadInput(format!(
                "report {}: no summary.json there; give the --out folder of omnimix simulate or optimize",
                a.dir.display()
            ))
            .into());
        }
        Ok(ReportConfig {
            dir: a.dir.clone(),
            quiet: a.quiet,
        })
    }
}
