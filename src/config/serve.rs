//! `omnimix serve`: flags → [`ServeConfig`] (the scenario checked by the same loader
//! as every command, the address, the what-ifs' settings).

use super::{BadInput, DEFAULT_ORIGIN, DEFAULT_SCENARIO, replications, scenario, threads};
use crate::cli::ServeArgs;
use anyhow::Result;
use omnimix_serve::PlannerOptions;
use omnimix_sim::ScenarioSource;
use std::net::{SocketAddr, ToSocketAddrs};

/// Everything `serve` needs, validated.
#[derive(Debug)]
pub struct ServeConfig {
    /// The scenario's text and origin (every what-if is loaded from it).
    pub source: ScenarioSource,
    /// `--set` overrides of the baseline.
    pub set: Vec<String>,
    pub options: PlannerOptions,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Whether the address is reachable from other machines.
    pub exposed: bool,
    pub threads: Option<usize>,
}

impl ServeConfig {
    pub fn from_args(a: &ServeArgs) -> Result<ServeConfig> {
        let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
        // the scenario and its --set as every command checks them
        let s = scenario(&a.scenario)?;
        let source = match &a.scenario.file {
            None => ScenarioSource::new(DEFAULT_ORIGIN, DEFAULT_SCENARIO),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    BadInput(format!("cannot read scenario {}: {e}", path.display()))
                })?;
                ScenarioSource::new(path.display().to_string(), text)
            }
        };
        let reps = replications(
            a.replications.unwrap_or(s.replications.max(2)),
            2,
            "between 2 and 100000 (paired intervals need two)",
        )?;
        if a.search_scale == 0 {
            return Err(bad("--search-scale 0: at least 1".into()));
        }
        let addr = (a.host.as_str(), a.port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut i| i.next())
            .ok_or_else(|| {
                bad(format!(
                    "--host {}: not an address to listen on (e.g. 127.0.0.1, ::1, 0.0.0.0)",
                    a.host
                ))
            })?;
        Ok(ServeConfig {
            source,
            set: a.scenario.set.clone(),
            options: PlannerOptions {
                seed: a.seed,
                replications: Some(reps),
                search_scale: a.search_scale,
            },
            exposed: !addr.ip().is_loopback(),
            addr,
            threads: threads(a.threads)?,
        })
    }
}
