//! `omnimix calibrate`: the fit (the workflow is `omnimix_studies::calibrate`), then
//! the files, the calibrated scenario, the charts, report.html and the table on stdout.
//!
//! Every simulated history goes through the backend's farm (rayon threads, or MPI
//! ranks with rank 0 running the fit). Rank 0 writes the files.

use crate::backend::{Backend, with_threads};
use crate::checkpoint;
use crate::config::{BadInput, CalibrateConfig, checkpoint_file};
use crate::interrupt;
use crate::print::{human, print_written};
use crate::progress::Stage;
use anyhow::{Context, Result};
use omnimix_optimizer::Evaluator;
use omnimix_studies::StudyError;
use omnimix_studies::calibrate::{Calibration, FitObserver, Problem, Replay, ReplayLog};
use std::sync::Mutex;
use std::time::Instant;

/// The fit's progress: a bar per stage.
struct Bars {
    quiet: bool,
    /// Ctrl-C stops the fit after its batch (one process only: under MPI the launcher
    /// handles signals).
    interruptible: bool,
    budget: u64,
    stage: Mutex<Option<Stage>>,
}

impl FitObserver for Bars {
    fn stage(&self, name: &str) {
        let mut st = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = st.take() {
            s.finish("done");
        }
        let label: &'static str = match name {
            "coarse search" => "coarse",
            "refined search" => "refined",
            "posterior" => "posterior",
            _ => "fit",
        };
        *st = Some(Stage::start(
            label,
            Some(self.budget),
            "histories",
            &format!("{name} (simulated histories of the budget)"),
            self.quiet,
        ));
    }

    fn stop_requested(&self) -> bool {
        self.interruptible && interrupt::requested()
    }

    fn progress(&self, done: usize, _budget: usize, best: f64) {
        if let Some(s) = self
            .stage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            s.bar().set_position(done as u64);
            s.bar().set_message(format!("loss {best:.1}"));
        }
    }
}

/// `omnimix calibrate`.
pub fn calibrate(cfg: &CalibrateConfig, backend: &dyn Backend) -> Result<()> {
    let problem: &Problem = &cfg.problem;
    let t0 = Instant::now();
    let interruptible = backend.ranks() == 1;
    if interruptible {
        interrupt::catch();
    }
    let bars = Bars {
        quiet: cfg.quiet || !backend.is_root(),
        interruptible,
        budget: problem.evaluations as u64,
        stage: Mutex::new(None),
    };
    // With --checkpoint, the answers so far are written after every simulated batch;
    // the first error is kept and reported when the fit ends.
    let file = cfg.checkpoint.as_deref().map(checkpoint_file);
    let save_error: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let save = |log: &ReplayLog| {
        let Some(file) = &file else { return };
        let mut err = save_error.lock().unwrap_or_else(|e| e.into_inner());
        if err.is_some() {
            return;
        }
        let written = checkpoint::encode(&cfg.identity, log)
            .map_err(|e| anyhow::Error::from(e).context("encoding the checkpoint"))
            .and_then(|bytes| Ok(omnimix_reports::write_atomic(file, &bytes)?));
        if let Err(e) = written {
            *err = Some(e);
        }
    };
    let eval = |x: &[f64], rep: u32| problem.evaluate(x, rep);
    let mut result: Option<Calibration> = None;
    let mut stopped: Option<ReplayLog> = None;
    let mut replayed = 0;
    let mut run = |ev: &dyn Evaluator| -> Result<Vec<f64>> {
        let replay = Replay::new(ev, cfg.resume.clone().unwrap_or_default(), &save);
        let c = omnimix_studies::calibrate::calibrate(problem, &replay, &bars);
        replayed = replay.replayed();
        match c {
            Ok(c) => result = Some(c),
            Err(StudyError::Interrupted) => stopped = Some(replay.log()),
            Err(e) if e.is_bad_input() => return Err(BadInput(e.to_string()).into()),
            Err(e) => return Err(e.into()),
        }
        Ok(Vec::new())
    };
    let farmed = with_threads(cfg.threads, || backend.farm(&eval, &mut run))?;
    if let Some(log) = stopped {
        if let Some(s) = bars.stage.lock().unwrap_or_else(|e| e.into_inner()).take() {
            s.bar().finish_and_clear();
        }
        let bytes = checkpoint::encode(&cfg.identity, &log).ok();
        let err = save_error.lock().unwrap_or_else(|e| e.into_inner()).take();
        return Err(checkpoint::interrupted(
            "fit",
            cfg.checkpoint.as_deref(),
            &cfg.out,
            bytes.as_deref(),
            err.as_ref(),
        ));
    }
    if farmed?.is_none() {
        return Ok(()); // rank 0 failed and reports it
    }
    if let Some(e) = save_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e.context("writing the checkpoint"));
    }
    if let Some(s) = bars.stage.lock().unwrap_or_else(|e| e.into_inner()).take() {
        s.finish("done");
    }
    if !backend.is_root() {
        return Ok(());
    }
    let c = result.context("the fit left no result")?;
    let secs = t0.elapsed().as_secs_f64();
    let written = write(cfg, &c)?;
    crate::outdir::record(&written);
    checkpoint::remove_stale(cfg.checkpoint.as_deref(), &cfg.out);
    if !cfg.quiet {
        if replayed > 0 {
            println!(
                "resumed from {}: {replayed} simulated histories taken from the checkpoint",
                cfg.checkpoint
                    .as_deref()
                    .map_or_else(String::new, |d| checkpoint_file(d).display().to_string())
            );
        }
        print_table(cfg, &c, secs);
        print_written(&written);
    }
    Ok(())
}

/// The files (see `omnimix_reports::calibration`).
fn write(cfg: &CalibrateConfig, c: &Calibration) -> Result<Vec<std::path::PathBuf>> {
    let info = omnimix_reports::calibration::RunInfo {
        history: cfg.history_origin.clone(),
        lift: cfg.lift_origin.clone(),
        cohorts: cfg.cohorts_origin.clone(),
        seed: cfg.problem.seed,
        replications: cfg.problem.replications,
        evaluations: c.evaluations,
        holdout_weeks: cfg.problem.holdout,
        wall_seconds: None,
    };
    Ok(omnimix_reports::calibration::write_calibration(
        &cfg.out,
        &cfg.problem.scenario,
        &cfg.source_text,
        cfg.source_path.as_deref(),
        c,
        &info,
    )?)
}

/// The parameter table and the fit metrics on stdout.
fn print_table(cfg: &CalibrateConfig, c: &Calibration, secs: f64) {
    println!(
        "calibrated {} free parameters on {} weeks of history ({} held out): {} simulated histories in {:.0} s",
        c.params.len(),
        cfg.problem.observed.weeks(),
        cfg.problem.holdout,
        c.evaluations,
        secs
    );
    let w = c
        .params
        .iter()
        .map(|p| p.path.len())
        .max()
        .unwrap_or(9)
        .max(9);
    println!(
        "{:<w$}  {:>10}  {:>10}  {:>23}  prior",
        "parameter", "start", "estimate", "90 % interval"
    );
    for p in &c.params {
        println!(
            "{:<w$}  {:>10}  {:>10}  {:>23}  {}",
            p.path,
            short(p.start),
            short(p.estimate),
            format!("[{}, {}]", short(p.lo), short(p.hi)),
            p.prior
        );
    }
    println!();
    println!(
        "{:<22} {:>7} {:>7} {:>7}   holdout: {:>7} {:>7}",
        "series", "R²", "NRMSE", "MAPE", "R²", "MAPE"
    );
    for m in &c.metrics {
        let (hr, hm) = m.holdout.map_or(("".into(), "".into()), |h| {
            (format!("{:.3}", h.r2), format!("{:.1} %", h.mape * 100.0))
        });
        println!(
            "{:<22} {:>7.3} {:>7.3} {:>5.1} %            {:>7} {:>7}",
            format!("{} {}", m.country, m.kpi),
            m.fit.r2,
            m.fit.nrmse,
            m.fit.mape * 100.0,
            hr,
            hm
        );
    }
    if !c.effects.is_empty() {
        println!();
        println!(
            "{:<12} {:>12} {:>16} {:>14}",
            "channel", "spend", "incr. orders", "incr. revenue"
        );
        for e in &c.effects {
            println!(
                "{:<12} {:>12} {:>16} {:>14}",
                e.channel.name(),
                human(e.spend),
                human(e.incremental_orders),
                human(e.incremental_revenue)
            );
        }
    }
    println!(
        "\nIntervals: 90 % posterior intervals (parameters); the fit's band covers parameter \
         uncertainty and run-to-run noise. Next: omnimix optimize {}/scenario.toml",
        cfg.out.display()
    );
}

/// A parameter value in a few significant digits.
fn short(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}
