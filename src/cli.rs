//! Raw command-line arguments (clap). Resolved into a [`crate::config::RunConfig`]
//! before any command runs; no command reads these directly.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// omnimix: multi-country channel-mix simulator and optimizer.
#[derive(Debug, Parser)]
#[command(name = "omnimix", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write summary.json, weekly.csv (and journeys.csv).
    Simulate(SimulateArgs),
    /// Check a scenario file and report every problem (exit code 2 if any).
    Validate(ValidateArgs),
    /// Print the embedded default scenario (a starting point for your own).
    Example,
}

/// Options shared by every command that reads a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML). Without it: the embedded default scenario (global-retail).
    pub file: Option<PathBuf>,
    /// Override a scenario value, e.g. --set finance.annual_budget=8e7 (repeatable).
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
}

/// `omnimix simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications (default: the scenario's `replications`).
    #[arg(long)]
    pub replications: Option<u32>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Also write journeys.csv (touch paths for attribution).
    #[arg(long)]
    pub journeys: bool,
    /// Simulate a named alternative strategy from the scenario's [strategies].
    #[arg(long, conflicts_with = "plan")]
    pub strategy: Option<String>,
    /// Simulate the strategy of a plan file (an optimizer's plan.json, or any JSON
    /// with a "strategy" object in the scenario's [strategy] format).
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no report on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `omnimix validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}
