//! `omnimix benchmark`: flags → [`BenchmarkConfig`].

use super::{BadInput, scenario, threads};
use crate::cli::{BenchmarkArgs, ScenarioArgs};
use anyhow::Result;
use omnimix_sim::Scenario;
use omnimix_studies::benchmark::{Journeys, Rule, parse_rules};
use std::path::PathBuf;

/// Everything `benchmark` needs, validated.
#[derive(Debug)]
pub struct BenchmarkConfig {
    /// The scenarios with their seeds (`--seed`, else each scenario's).
    pub scenarios: Vec<(Scenario, u64)>,
    pub rules: Vec<Rule>,
    /// Replications every rule is simulated on.
    pub seeds: u32,
    /// Evaluations of the optimizer rule.
    pub evals: usize,
    /// The journeys the attribution rules learn from.
    pub journeys: Journeys,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
}

impl BenchmarkConfig {
    pub fn from_args(a: &BenchmarkArgs) -> Result<BenchmarkConfig> {
        let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
        let rules = parse_rules(&a.strategies).map_err(|e| bad(format!("--strategies: {e}")))?;
        if a.seeds == 0 {
            return Err(bad("--seeds 0: at least 1".into()));
        }
        let files: Vec<Option<PathBuf>> = if a.scenarios.is_empty() {
            vec![None]
        } else {
            a.scenarios.iter().cloned().map(Some).collect()
        };
        let scenarios = files
            .into_iter()
            .map(|file| {
                let s = scenario(&ScenarioArgs {
                    file,
                    set: a.set.clone(),
                })?;
                let seed = a.seed.unwrap_or(s.seed);
                Ok((s, seed))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(BenchmarkConfig {
            scenarios,
            rules,
            seeds: a.seeds,
            evals: a.evals,
            journeys: if a.true_journeys {
                Journeys::True
            } else {
                Journeys::Observed
            },
            out: super::writable_out(&a.out)?,
            threads: threads(a.threads)?,
            quiet: a.quiet,
        })
    }
}
