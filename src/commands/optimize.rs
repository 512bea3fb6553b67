//! `omnimix optimize`: search-then-validate (the workflow is
//! `omnimix_studies::optimize`), then the files, the report's analysis and the
//! table on stdout.
//!
//! The search's evaluations and the analysis runs go through the backend's farm
//! (rayon threads, or MPI ranks with rank 0 running the optimizer); the final
//! comparison is one run per strategy whose shards are split over the backend's
//! ranks. Rank 0 writes the files.

use crate::backend::{Backend, with_threads};
use crate::checkpoint::{self, Identity, StateKind};
use crate::config::{BadInput, OptimizeConfig, checkpoint_file};
use crate::interrupt;
use crate::print::print_written;
use crate::progress::Stage;
use anyhow::{Context, Result};
use omnimix_optimizer::{Checkpointer, Evaluator, Observer};
use omnimix_sim::kpis::{Kpi, KpiSummary};
use omnimix_studies::analysis::{AnalysisInput, AnalysisRuns, REPLICATIONS};
use omnimix_studies::optimize::{COMPARED, Comparison, Found, PlanFile, PlanSearch};
use omnimix_studies::{Objective, StudyError};
use std::path::PathBuf;
use std::time::Instant;

/// The search stage's progress; stops the search after its batch on Ctrl-C.
struct Bar(Stage);

impl Observer for Bar {
    fn progress(&self, evals_done: usize, best: f64) {
        self.0.bar().set_position(evals_done as u64);
        self.0.bar().set_message(format!("best {best:.4}"));
    }

    fn stop_requested(&self) -> bool {
        interrupt::requested()
    }
}

/// Keeps the latest search state (encoded as its checkpoint file) and, with
/// `--checkpoint`, writes it atomically after every batch; the first error is kept
/// and reported when the search ends.
struct FileCheckpointer<'a> {
    identity: &'a Identity,
    path: Option<PathBuf>,
    last: Option<Vec<u8>>,
    error: Option<anyhow::Error>,
}

impl<S: StateKind> Checkpointer<S> for FileCheckpointer<'_> {
    fn save(&mut self, state: &S) {
        if self.error.is_some() {
            return;
        }
        match checkpoint::encode(self.identity, state) {
            Ok(bytes) => {
                if let Some(p) = &self.path
                    && let Err(e) = omnimix_reports::write_atomic(p, &bytes)
                {
                    self.error = Some(e.into());
                }
                self.last = Some(bytes);
            }
            Err(e) => self.error = Some(anyhow::Error::from(e).context("encoding the checkpoint")),
        }
    }
}

/// Ctrl-C: save the latest state (into `--checkpoint DIR`, else `OUT/checkpoint.json`),
/// say how to resume, and end with exit code 130.
fn interrupted(cfg: &OptimizeConfig, cp: &FileCheckpointer) -> anyhow::Error {
    checkpoint::interrupted(
        "search",
        cfg.checkpoint.as_deref(),
        &cfg.out,
        cp.last.as_deref(),
        cp.error.as_ref(),
    )
}

/// A workflow error as the CLI reports it: the user's input is bad input (exit 2).
fn study_error(e: StudyError) -> anyhow::Error {
    match e {
        StudyError::Fix(m) => BadInput(format!("--fix / [optimize]: {m}")).into(),
        StudyError::ResumeMismatch(e) => BadInput(format!("--resume: {e}")).into(),
        e if e.is_bad_input() => BadInput(e.to_string()).into(),
        e => e.into(),
    }
}

/// Run `omnimix optimize` on every rank of the backend.
pub fn optimize(cfg: &OptimizeConfig, backend: &dyn Backend) -> Result<()> {
    let sc = &cfg.search;
    let s = &sc.scenario;
    let search = PlanSearch::new(sc).map_err(study_error)?;
    let evaluate = |x: &[f64], rep: u32| search.evaluate(x, rep);
    let quiet = cfg.quiet || !backend.is_root();
    // Ctrl-C stops the search after its batch and saves it (one process only: under
    // MPI the launcher handles signals)
    let interruptible = backend.ranks() == 1;
    if interruptible {
        interrupt::catch();
    }
    let mut checkpointer = FileCheckpointer {
        identity: &cfg.identity,
        path: cfg.checkpoint.as_deref().map(checkpoint_file),
        last: None,
        error: None,
    };
    let observer = Bar(Stage::start(
        "search",
        Some(sc.evals as u64),
        "evaluations",
        &format!(
            "{} evaluations at 1/{} of the agents",
            sc.evals, sc.search_scale
        ),
        quiet,
    ));
    let t0 = Instant::now();
    let mut found: Option<Found> = None;
    let mut search_fn = |evaluator: &dyn Evaluator| -> Result<Vec<f64>> {
        let cp = &mut checkpointer as &mut dyn omnimix_studies::optimize::AnyCheckpointer;
        let f = search
            .search(evaluator, &observer, Some(cp))
            .map_err(study_error)?;
        let x = f.x.clone();
        found = Some(f);
        Ok(x)
    };
    let answer = with_threads(cfg.threads, || backend.farm(&evaluate, &mut search_fn))?;
    if interruptible && interrupt::requested() {
        observer.0.bar().finish_and_clear();
        return Err(interrupted(cfg, &checkpointer));
    }
    let Some(x) = answer? else {
        // Rank 0's search failed; rank 0 reports it and ends the job.
        return Ok(());
    };
    let evals_done = found.as_ref().map_or(0, |f| f.evals_done);
    observer.0.finish(&format!("{evals_done} evaluations done"));
    let search_secs = t0.elapsed().as_secs_f64();

    // Out of sample, full resolution, paired replications (on every rank).
    let stage = Stage::start(
        "comparison",
        None,
        "",
        &format!(
            "the plan, the current strategy and the equal split on {} fresh replications at \
             full resolution",
            sc.final_replications
        ),
        quiet,
    );
    let fresh = with_threads(cfg.threads, || search.validate(&x, backend.shards()))?;
    stage.finish("done");
    if interruptible && interrupt::requested() {
        return Err(interrupted(cfg, &checkpointer));
    }
    let analysis = if cfg.report {
        // the analysis runs replication 0: on the posterior's first draw, if any
        let input = AnalysisInput {
            scenario: sc.draws.scenario_for(s, 0),
            plan: &fresh.plan,
            current: &s.strategy,
            equal_split: Some(&fresh.equal_split),
            seed: sc.seed,
            search_scale: sc.search_scale,
            objective: sc.objective.kpi(),
        };
        let runs = AnalysisRuns::new(&input);
        let total = runs.len() * REPLICATIONS as usize;
        let stage = Stage::start(
            "analysis",
            Some(total as u64),
            "runs",
            &format!("{total} runs for the report's curves and sensitivities"),
            quiet,
        );
        let eval = |x: &[f64], rep: u32| {
            let v = runs.evaluate(x, rep);
            stage.bar().inc(1);
            v
        };
        let mut rows = None;
        let mut collect = |ev: &dyn Evaluator| -> Result<Vec<f64>> {
            rows = Some(runs.collect(ev));
            Ok(Vec::new())
        };
        if with_threads(cfg.threads, || backend.farm(&eval, &mut collect))??.is_none() {
            return Ok(()); // rank 0 failed and reports it
        }
        stage.finish(&format!("{total} runs done"));
        if interruptible && interrupt::requested() {
            return Err(interrupted(cfg, &checkpointer));
        }
        rows
    } else {
        None
    };
    if !backend.is_root() {
        return Ok(());
    }
    if let Some(e) = checkpointer.error.take() {
        return Err(e.context("checkpoint"));
    }
    let found = found.context("the search left no result")?;
    let out = search.outcome(found, &fresh);
    let plan_file = PlanFile {
        omnimix_version: env!("CARGO_PKG_VERSION"),
        scenario: &s.name,
        objective: sc.objective.name(),
        risk: &sc.risk_name,
        seed: sc.seed,
        evaluations: out.comparison.evaluations,
        strategy: &out.plan,
    };
    let mut written = omnimix_reports::outputs::write_optimized(&cfg.out, s, &out, &plan_file)?;
    if let Some(a) = &analysis {
        let stage = Stage::start(
            "report",
            None,
            "",
            "the analysis files, charts and report.html",
            quiet,
        );
        written.extend(omnimix_reports::outputs::write_analysis(&cfg.out, a)?);
        // the report from the results in memory (`omnimix report DIR` reads the same
        // values back from the files just written)
        let sheets = omnimix_reports::outputs::budget_sheets(s, &out);
        let data = omnimix_reports::report::data::ReportData::from_optimize(s, &out, a, &sheets)?;
        written.extend(omnimix_reports::report::render(&data, &cfg.out)?);
        stage.finish(&format!("{} files written", written.len()));
    }
    crate::outdir::record(&written);
    checkpoint::remove_stale(cfg.checkpoint.as_deref(), &cfg.out);
    if !cfg.quiet {
        print_comparison(
            &out.comparison,
            sc.objective,
            search_secs,
            t0.elapsed().as_secs_f64(),
        );
        print_organisation(s, &out.plan);
        print_written(&written);
    }
    Ok(())
}

/// The reward scheme and coordination the plan gives each country.
fn print_organisation(s: &omnimix_sim::Scenario, plan: &omnimix_sim::Strategy) {
    let parts: Vec<String> = s
        .countries
        .keys()
        .map(|code| {
            let o = plan.organisation_of(code);
            format!(
                "{code} {} reward{}",
                omnimix_studies::tables::reward_scheme(o.shared_reward),
                if o.coordination > 0.0 {
                    ", coordination"
                } else {
                    ", silos"
                }
            )
        })
        .collect();
    println!("organisation: {}", parts.join("; "));
}

fn print_comparison(c: &Comparison, obj: Objective, search_secs: f64, total_secs: f64) {
    use crate::print::{diff_interval, interval, value};
    println!(
        "{}: optimized for {} ({} risk) with {} evaluations in {:.0} s; compared on {} fresh replications ({:.0} s in all)",
        c.scenario,
        obj.name(),
        c.risk,
        c.evaluations,
        search_secs,
        c.replications,
        total_secs
    );
    let cur = &c.currency;
    let show = |k: &KpiSummary, kpi: Kpi| interval(k.get(kpi), kpi.unit(), cur);
    println!(
        "{:<30} {:>34} {:>34} {:>34}",
        "", "plan", "current", "equal split"
    );
    for kpi in COMPARED {
        println!(
            "{:<30} {:>34} {:>34} {:>34}",
            kpi.label(),
            show(&c.plan, kpi),
            show(&c.current, kpi),
            show(&c.equal_split, kpi)
        );
    }
    println!("(mean [90 % interval] over the fresh replications)");
    println!("The intervals cover {}.", c.interval_covers);
    if let Some(t) = &c.target {
        println!(
            "target {} >= {}: smallest annual budget found {}; met on fresh replications: {}",
            t.kpi.name(),
            value(t.value, t.kpi.unit(), cur),
            value(t.annual_budget_needed, omnimix_sim::kpis::Unit::Money, cur),
            if t.met_on_fresh_replications {
                "yes"
            } else {
                "no"
            }
        );
    }
    if let Some(b) = &c.budget_use {
        use omnimix_sim::kpis::Unit;
        let share = if b.budget > 0.0 {
            b.unspent / b.budget
        } else {
            0.0
        };
        let m = &b.marginal_roi;
        let more = format!(
            "10 % more media would return {} per unit of cost",
            interval(Some(m), Unit::Ratio, cur)
        );
        let left = format!(
            "{} ({}) of the budget left unspent",
            value(b.unspent, Unit::Money, cur),
            value(share, Unit::Share, cur)
        );
        if share <= 0.01 {
            println!("budget: the plan spends the budget; {more}");
        } else if m.hi.is_some_and(|h| h < 0.0) {
            println!("budget: {left}: {more}, a loss, so leaving it unspent is justified");
        } else if m.lo.is_some_and(|l| l > 0.0) {
            println!("budget: {left} although {more}: more evaluations (--evals) should spend it");
        } else {
            println!("budget: {left}; {more} (not clearly above or below 0)");
        }
    }
    let unit = obj.kpi().unit();
    let d = &c.difference_vs_current[&obj.kpi()];
    let e = &c.difference_vs_equal_split[&obj.kpi()];
    println!(
        "{} gain vs current: {}; vs equal split: {}",
        obj.kpi().label(),
        diff_interval(d, unit, cur),
        diff_interval(e, unit, cur)
    );
}
