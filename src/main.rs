//! The `omnimix` binary: command-line parsing and glue. Exit codes: 0 success,
//! 2 bad input (nothing was run), 1 runtime failure, 130 interrupted (Ctrl-C).
//!
//! Under MPI (`--features mpi`, launched by `mpirun` or `srun`) every rank runs this
//! same `main`: `simulate`, `optimize`, `compare`, `benchmark` and `attribute --truth` spread
//! their work over the ranks through [`backend::Backend`]; the other commands run on
//! rank 0 alone. Rank 0 prints and
//! writes files; a failure on any rank ends the whole job.

mod backend;
mod checkpoint;
mod cli;
mod commands;
mod config;
mod interrupt;
#[cfg(feature = "mpi")]
mod mpi;
mod outdir;
mod print;
mod progress;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let (backend, _guard) = match start() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            return ExitCode::from(1);
        }
    };
    let result = run(cli, &*backend);
    outdir::release();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<interrupt::Interrupted>().is_some() => {
            backend.fail(130);
            ExitCode::from(130)
        }
        Err(e) => {
            let bad = e.downcast_ref::<config::BadInput>().is_some();
            let code = if bad { 2 } else { 1 };
            let who = if !backend.is_root() {
                format!(" (rank {} of {})", backend.rank(), backend.ranks())
            } else {
                String::new()
            };
            if !backend.is_root() {
                // Bad input is usually the same on every rank: give rank 0 the time to
                // report it and end the job, and speak only if it did not.
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
            eprintln!("error{who}: {}", describe(&e));
            backend.fail(code);
            ExitCode::from(code)
        }
    }
}

/// An error and its causes, each once: `cannot write x: Is a directory (os error 21)`.
/// Many errors repeat their cause in their own message (`"cannot write {path}: {source}"`)
/// and also report it as their source; a cause whose text the message already ends
/// with is not printed again.
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.is_empty() {
            out = text;
        } else if !out.ends_with(text.as_str()) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

/// Run `work`, a command writing into `out`. On the rank that writes files: the folder
/// is locked against a second run, the previous run's files are removed first, and the
/// manifest of the files written is saved when the command succeeds.
fn into(
    out: &std::path::Path,
    command: &str,
    backend: &dyn backend::Backend,
    work: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if backend.is_root() {
        outdir::lock(out)?;
        outdir::clear_previous(out)?;
    }
    work()?;
    if backend.is_root() {
        outdir::finish(command, false)?;
    }
    Ok(())
}

/// The backend this process was started under: MPI when built with the `mpi` feature
/// (a single rank when not launched by `mpirun` or `srun`), else [`LocalBackend`].
fn start() -> anyhow::Result<(Box<dyn backend::Backend>, backend::Guard)> {
    #[cfg(feature = "mpi")]
    {
        crate::mpi::start()
    }
    #[cfg(not(feature = "mpi"))]
    {
        if let Some(n) = launched_ranks().filter(|&n| n > 1) {
            anyhow::bail!(
                "started as one of {n} MPI ranks, but this omnimix was built without MPI \
                 support: build it with `cargo build --release --features mpi`"
            );
        }
        Ok((Box::new(backend::LocalBackend), Box::new(())))
    }
}

/// The rank count an MPI launcher announces to its processes (Open MPI's `mpirun`,
/// MPICH's `mpiexec`, Slurm's PMI), if any.
#[cfg_attr(feature = "mpi", allow(dead_code))]
fn launched_ranks() -> Option<usize> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.trim().parse().ok())
}

fn run(cli: cli::Cli, backend: &dyn backend::Backend) -> anyhow::Result<()> {
    let distributed = matches!(
        cli.command,
        cli::Command::Simulate(_)
            | cli::Command::Optimize(_)
            | cli::Command::Compare(_)
            | cli::Command::Attribute(_)
            | cli::Command::Benchmark(_)
            | cli::Command::Calibrate(_)
    );
    if !distributed && !backend.is_root() {
        return Ok(());
    }
    use crate::config::*;
    match cli.command {
        cli::Command::Simulate(a) => {
            let cfg = SimulateConfig::from_args(&a)?;
            into(&cfg.out, "simulate", backend, || {
                commands::simulate(&cfg, backend)
            })
        }
        cli::Command::Optimize(a) => {
            let cfg = OptimizeConfig::from_args(&a)?;
            into(&cfg.out, "optimize", backend, || {
                commands::optimize(&cfg, backend)
            })
        }
        cli::Command::Attribute(a) => {
            let cfg = AttributeConfig::from_args(&a)?;
            into(&cfg.out, "attribute", backend, || {
                commands::attribute(&cfg, backend)
            })
        }
        cli::Command::Benchmark(a) => {
            let cfg = BenchmarkConfig::from_args(&a)?;
            into(&cfg.out, "benchmark", backend, || {
                commands::benchmark(&cfg, backend)
            })
        }
        cli::Command::Report(a) => {
            let cfg = ReportConfig::from_args(&a)?;
            if cfg.dir.is_dir() {
                outdir::lock(&cfg.dir)?;
            }
            commands::report(&cfg)?;
            outdir::finish("report", true)
        }
        cli::Command::Compare(a) => {
            let cfg = CompareConfig::from_args(&a)?;
            into(&cfg.out, "compare", backend, || {
                commands::compare(&cfg, backend)
            })
        }
        cli::Command::Calibrate(a) => {
            let cfg = CalibrateConfig::from_args(&a)?;
            into(&cfg.out, "calibrate", backend, || {
                commands::calibrate(&cfg, backend)
            })
        }
        cli::Command::Validate(a) => {
            commands::validate(&ValidateConfig::from_args(&a)?);
            Ok(())
        }
        cli::Command::Serve(a) => commands::serve(ServeConfig::from_args(&a)?),
        cli::Command::Example => {
            print!("{}", config::DEFAULT_SCENARIO);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot write out/report.html: {source}")]
    struct Repeats {
        source: std::io::Error,
    }

    #[test]
    fn a_cause_the_message_already_ends_with_is_printed_once() {
        let io = std::io::Error::from_raw_os_error(20);
        let cause = io.to_string();
        let e = anyhow::Error::new(Repeats { source: io });
        let text = describe(&e);
        assert_eq!(text.matches(&cause).count(), 1, "{text}");
        assert_eq!(text, format!("cannot write out/report.html: {cause}"));
    }

    #[test]
    fn a_cause_not_in_the_message_is_still_printed() {
        let e =
            anyhow::Error::new(std::io::Error::from_raw_os_error(20)).context("saving plan.json");
        let text = describe(&e);
        assert!(text.starts_with("saving plan.json: "), "{text}");
        assert!(text.ends_with("(os error 20)"), "{text}");
    }
}
