//! The `omnimix` binary: command-line parsing and glue. Exit codes: 0 success,
//! 2 bad input (nothing was run), 1 runtime failure.

mod analysis;
mod benchmark;
mod cli;
mod commands;
mod compare;
mod config;
mod optimize;
mod progress;
mod report;
mod truth;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.downcast_ref::<config::BadInput>().is_some() {
                eprintln!("error: {e}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<()> {
    match cli.command {
        cli::Command::Simulate(a) => commands::simulate(&config::SimulateConfig::from_args(&a)?),
        cli::Command::Optimize(a) => {
            optimize::run_optimize(&config::OptimizeConfig::from_args(&a)?)
        }
        cli::Command::Attribute(a) => commands::attribute(&a),
        cli::Command::Benchmark(a) => benchmark::run_benchmark(&a),
        cli::Command::Report(a) => report::run_report(&a),
        cli::Command::Compare(a) => compare::run_compare(&a),
        cli::Command::Validate(a) => {
            let s = config::scenario(&a.scenario)?;
            let origin = a
                .scenario
                .file
                .as_ref()
                .map_or(config::DEFAULT_ORIGIN.to_string(), |p| {
                    p.display().to_string()
                });
            commands::validate(&origin, &s);
            Ok(())
        }
        cli::Command::Example => {
            print!("{}", config::DEFAULT_SCENARIO);
            Ok(())
        }
    }
}
