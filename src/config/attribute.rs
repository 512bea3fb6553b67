//! `omnimix attribute`: flags → [`AttributeConfig`].

use super::{BadInput, replications, scenario, threads};
use crate::cli::{AttributeArgs, ScenarioArgs};
use anyhow::Result;
use omnimix_attribution::{JourneyTable, Model};
use omnimix_sim::Scenario;
use std::path::PathBuf;

/// Where the journeys come from.
#[derive(Debug)]
pub enum JourneySource {
    /// A journeys CSV, read and checked.
    File { path: PathBuf, table: JourneyTable },
    /// Simulated from a scenario, with the counterfactual runs of the truth.
    Truth {
        scenario: Box<Scenario>,
        seed: u64,
        replications: u32,
    },
}

/// Everything `attribute` needs, validated.
#[derive(Debug)]
pub struct AttributeConfig {
    pub models: Vec<Model>,
    /// The models `--models` names one by one (not through `all`): they run at any
    /// channel count.
    pub named: Vec<Model>,
    pub source: JourneySource,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
}

impl AttributeConfig {
    pub fn from_args(a: &AttributeArgs) -> Result<AttributeConfig> {
        let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
        let models =
            Model::parse_list(&a.models).map_err(|e| bad(format!("--models {}: {e}", a.models)))?;
        let named = a
            .models
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty() && *m != "all")
            .filter_map(|m| m.parse::<Model>().ok())
            .collect();
        let source = match (&a.journeys, a.truth) {
            (Some(_), true) => {
                return Err(bad(
                    "--truth simulates its own journeys: give --scenario, not a journeys file"
                        .into(),
                ));
            }
            (None, false) => {
                return Err(bad("give a journeys CSV, or --truth to simulate one".into()));
            }
            (Some(path), false) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
                let table = JourneyTable::from_reader(std::io::BufReader::new(file))
                    .map_err(|e| bad(format!("{}: {e}", path.display())))?;
                JourneySource::File {
                    path: path.clone(),
                    table,
                }
            }
            (None, true) => {
                let s = scenario(&ScenarioArgs {
                    file: a.scenario.clone(),
                    set: a.set.clone(),
                })?;
                let reps = replications(
                    a.replications.unwrap_or(s.replications),
                    1,
                    "must be between 1 and 100000",
                )?;
                JourneySource::Truth {
                    seed: a.seed.unwrap_or(s.seed),
                    replications: reps,
                    scenario: Box::new(s),
                }
            }
        };
        Ok(AttributeConfig {
            models,
            named,
            source,
            out: super::writable_out(&a.out)?,
            threads: threads(a.threads)?,
            quiet: a.quiet,
        })
    }
}
