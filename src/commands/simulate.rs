//! `omnimix simulate`.

use crate::backend::{Backend, with_threads};
use crate::config::SimulateConfig;
use crate::print::{interval, print_written};
use crate::progress::Progress;
use anyhow::{Context, Result};
use omnimix_sim::Scenario;
use omnimix_sim::engine::RunOptions;
use omnimix_sim::kpis::{
    Kpi, KpiSummary, Summary, journey_rows, observed_journey_rows, weekly_rows,
};
use omnimix_studies::analysis::{retention_curves, retention_rows};
use omnimix_studies::posterior::Worlds;
use omnimix_studies::tables::allocation_rows;
use std::time::Instant;

/// `omnimix simulate`: on every rank of the backend, each stepping its share of the
/// shards; rank 0 writes the files.
pub fn simulate(cfg: &SimulateConfig, backend: &dyn Backend) -> Result<()> {
    let strategy = cfg
        .scenario
        .strategy_named(Some(&cfg.strategy_name))
        .context("strategy vanished after validation")?;
    // replication r on draw r mod n of the posterior (the scenario itself without one)
    let reps_range = 0..cfg.replications;
    let worlds = Worlds::new(&cfg.scenario, &cfg.draws, strategy, reps_range.clone());
    // the counterfactual of the incremental KPIs: paid media off, same seeds and draws
    let without = Worlds::new(
        &cfg.scenario,
        &cfg.draws,
        &strategy.without_media(None),
        reps_range,
    );
    let world = worlds.first();
    let steps = 2 * world.steps() as u64 * cfg.replications as u64;
    let progress = Progress::new(steps, "simulating", cfg.quiet || !backend.is_root());
    let opts = RunOptions {
        seed: cfg.seed,
        replications: cfg.replications,
        first_replication: 0,
        journeys: cfg.journeys,
    };
    let t0 = Instant::now();
    let (reps, reps0) = with_threads(cfg.threads, || {
        let reps = worlds.run_on(&opts, &progress, backend.shards());
        let plain = RunOptions {
            journeys: false,
            ..opts
        };
        (reps, without.run_on(&plain, &progress, backend.shards()))
    })?;
    progress.finish();
    if !backend.is_root() {
        return Ok(());
    }
    let elapsed = t0.elapsed();
    let summary = worlds.summarise(
        &cfg.strategy_name,
        cfg.seed,
        &reps,
        Some((&without, &reps0)),
    );
    let covers = cfg.draws.interval_covers();
    let mut written = vec![omnimix_reports::write_summary(
        &cfg.out,
        &summary,
        &covers,
        cfg.draws.posterior().as_deref(),
    )?];
    written.push(omnimix_reports::write_weekly(
        &cfg.out,
        &weekly_rows(world, &reps),
    )?);
    if cfg.journeys {
        written.push(omnimix_reports::write_journeys(
            &cfg.out,
            &observed_journey_rows(world, &reps),
        )?);
    }
    if cfg.true_journeys {
        let path = cfg.out.join("true_journeys.csv");
        omnimix_reports::write_csv(&path, &journey_rows(world, &reps))?;
        written.push(path);
    }
    // the report: the strategy's allocation and retention curves from this run, then charts and report.html
    let allocation = cfg.out.join("allocation.csv");
    omnimix_reports::write_csv(
        &allocation,
        &allocation_rows(&cfg.scenario, &[(&cfg.strategy_name, strategy)]),
    )?;
    written.push(allocation);
    let curves = cfg.out.join("retention_curves.csv");
    omnimix_reports::write_csv(
        &curves,
        &retention_rows(
            &cfg.scenario,
            &cfg.strategy_name,
            &retention_curves(world, &reps),
            true,
        ),
    )?;
    written.push(curves);
    written.extend(super::report::render(&cfg.out)?);
    crate::outdir::record(&written);
    if !cfg.quiet {
        print_summary(
            &cfg.scenario,
            &summary,
            world.agents(),
            elapsed.as_secs_f64(),
            &covers,
        );
        print_written(&written);
    }
    Ok(())
}

fn print_summary(s: &Scenario, sum: &Summary, agents: usize, secs: f64, covers: &str) {
    println!(
        "{} ({}), strategy {}: {} agents x {} weeks x {} replications in {:.1} s",
        s.name, sum.currency, sum.strategy, agents, s.horizon_weeks, sum.replications, secs
    );
    println!(
        "{:<8} {:>26} {:>26} {:>30} {:>30} {:>30} {:>26}",
        "",
        "retention 12m (cohort)",
        "retention rate",
        "revenue",
        "cost",
        "value (NPV + equity)",
        "incremental ROI"
    );
    let cur = &sum.currency;
    let f = |k: &KpiSummary, kpi: Kpi| interval(k.get(kpi), kpi.unit(), cur);
    let row = |name: &str, k: &KpiSummary| {
        println!(
            "{:<8} {:>26} {:>26} {:>30} {:>30} {:>30} {:>26}",
            name,
            f(k, Kpi::Retention12m),
            f(k, Kpi::RetentionRate),
            f(k, Kpi::Revenue),
            f(k, Kpi::CostTotal),
            f(k, Kpi::Value),
            f(k, Kpi::Roi),
        )
    };
    row("company", &sum.company);
    // a country with regions: its total, then its regions (`IN/metro`) under it
    let mut last_country = None;
    for (code, k) in &sum.countries {
        let country = code.split_once('/').map(|(c, _)| c);
        if let Some(c) = country
            && last_country != country
            && let Some(t) = sum.country_totals.get(c)
        {
            row(c, t);
        }
        last_country = country;
        row(code, k);
    }
    println!("({})", sum.interval);
    println!("The intervals cover {covers}.");
}
