//! The commands, each from a validated configuration.

use crate::backend::Backend;
use crate::config::{SimulateConfig, with_threads};
use crate::progress::Progress;
use anyhow::{Context, Result};
use omnimix_sim::engine::{RunOptions, run_on};
use omnimix_sim::kpis::{Summary, journey_rows, summarise, weekly_rows};
use omnimix_sim::{Scenario, World};
use std::time::Instant;

/// `omnimix simulate`: on every rank of the backend, each stepping its share of the
/// shards; rank 0 writes the files.
pub fn simulate(cfg: &SimulateConfig, backend: &dyn Backend) -> Result<()> {
    let strategy = cfg
        .scenario
        .strategy_named(Some(&cfg.strategy_name))
        .context("strategy vanished after validation")?;
    let world = World::new(&cfg.scenario, strategy);
    let steps = world.steps() as u64 * cfg.replications as u64;
    let progress = Progress::new(steps, "simulating", cfg.quiet || !backend.is_root());
    let opts = RunOptions {
        seed: cfg.seed,
        replications: cfg.replications,
        first_replication: 0,
        journeys: cfg.journeys,
    };
    let t0 = Instant::now();
    let reps = with_threads(cfg.threads, || {
        run_on(&world, &opts, &progress, backend.shards())
    })?;
    progress.finish();
    if !backend.is_root() {
        return Ok(());
    }
    let elapsed = t0.elapsed();
    let summary = summarise(&world, &cfg.strategy_name, cfg.seed, &reps);
    let mut written = vec![omnimix_reports::write_summary(&cfg.out, &summary)?];
    written.push(omnimix_reports::write_weekly(
        &cfg.out,
        &weekly_rows(&world, &reps),
    )?);
    if cfg.journeys {
        written.push(omnimix_reports::write_journeys(
            &cfg.out,
            &journey_rows(&world, &reps),
        )?);
    }
    // the report: the strategy's allocation and retention curves from this run, then charts and report.html
    let allocation = cfg.out.join("allocation.csv");
    omnimix_reports::write_csv(
        &allocation,
        &crate::analysis::allocation_rows(&cfg.scenario, &[(&cfg.strategy_name, strategy)]),
    )?;
    written.push(allocation);
    written.push(crate::analysis::write_retention_curves(
        &cfg.out,
        &world,
        &reps,
        &cfg.strategy_name,
    )?);
    written.extend(crate::report::render(&cfg.out)?);
    if !cfg.quiet {
        print_summary(
            &cfg.scenario,
            &summary,
            world.agents(),
            elapsed.as_secs_f64(),
        );
        print_written(&written);
    }
    Ok(())
}

fn fmt_interval(i: Option<&omnimix_sim::stats::Interval>, pct: bool) -> String {
    let Some(i) = i else { return "-".into() };
    let f = |x: f64| {
        if pct {
            format!("{:.1} %", x * 100.0)
        } else {
            human(x)
        }
    };
    match (i.lo, i.hi) {
        (Some(lo), Some(hi)) => format!("{} [{} – {}]", f(i.mean), f(lo), f(hi)),
        _ => f(i.mean),
    }
}

fn human(x: f64) -> String {
    let a = x.abs();
    if a >= 1e9 {
        format!("{:.2} bn", x / 1e9)
    } else if a >= 1e6 {
        format!("{:.2} m", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1} k", x / 1e3)
    } else {
        format!("{x:.2}")
    }
}

fn print_summary(s: &Scenario, sum: &Summary, agents: usize, secs: f64) {
    println!(
        "{} ({}), strategy {}: {} agents x {} weeks x {} replications in {:.1} s",
        s.name, sum.currency, sum.strategy, agents, s.horizon_weeks, sum.replications, secs
    );
    println!(
        "{:<10} {:>28} {:>30} {:>30} {:>24}",
        "", "retention 12m", "revenue", "cost", "ROI"
    );
    let row = |name: &str, k: &omnimix_sim::kpis::KpiSummary| {
        println!(
            "{:<10} {:>28} {:>30} {:>30} {:>24}",
            name,
            fmt_interval(k.get(omnimix_sim::kpis::Kpi::Retention12m), true),
            fmt_interval(k.get(omnimix_sim::kpis::Kpi::Revenue), false),
            fmt_interval(k.get(omnimix_sim::kpis::Kpi::CostTotal), false),
            fmt_interval(k.get(omnimix_sim::kpis::Kpi::Roi), true),
        )
    };
    row("company", &sum.company);
    for (code, k) in &sum.countries {
        row(code, k);
    }
    println!("({})", sum.interval);
}

/// `omnimix validate`: the scenario was already loaded and validated.
pub fn validate(origin: &str, s: &Scenario) {
    let agents: f64 = s
        .countries
        .values()
        .map(|c| (c.population / s.agent_scale as f64).round().max(1.0))
        .sum();
    println!(
        "{origin}: valid — scenario '{}', {} countries, {} agents, {} weeks, {} replications, {} alternative strategies",
        s.name,
        s.countries.len(),
        agents,
        s.horizon_weeks,
        s.replications,
        s.strategies.len()
    );
    let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
    let mut strategies = vec![("current", &s.strategy)];
    strategies.extend(s.strategies.iter().map(|(k, v)| (k.as_str(), v)));
    for (name, st) in strategies {
        let c = omnimix_sim::mechanisms::finance::planned_costs(s, st);
        println!(
            "  strategy {name}: media {} + staff {} + integration {} = {} of budget {} over {} weeks ({:.1} %)",
            human(c.media),
            human(c.wages),
            human(c.integration),
            human(c.total()),
            human(budget),
            s.horizon_weeks,
            100.0 * c.total() / budget
        );
    }
}

/// `omnimix attribute`: every model's credit per channel, to `attribution.csv`;
/// with `--truth`, beside each channel's true incremental effect.
pub fn attribute(a: &crate::cli::AttributeArgs) -> Result<()> {
    use crate::config::BadInput;
    use omnimix_attribution::{JourneyTable, Model, Options, attribute_all};
    let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
    let models =
        Model::parse_list(&a.models).map_err(|e| bad(format!("--models {}: {e}", a.models)))?;
    let (table, source, truth) = match (&a.journeys, a.truth) {
        (Some(_), true) => {
            return Err(bad(
                "--truth simulates its own journeys: give --scenario, not a journeys file".into(),
            ));
        }
        (None, false) => return Err(bad("give a journeys CSV, or --truth to simulate one".into())),
        (Some(path), false) => {
            let file = std::fs::File::open(path)
                .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
            let table = JourneyTable::from_reader(std::io::BufReader::new(file))
                .map_err(|e| bad(format!("{}: {e}", path.display())))?;
            (table, path.display().to_string(), None)
        }
        (None, true) => {
            let args = crate::cli::ScenarioArgs {
                file: a.scenario.clone(),
                set: a.set.clone(),
            };
            let s = crate::config::scenario(&args)?;
            let reps = a.replications.unwrap_or(s.replications);
            if !(1..=100_000).contains(&reps) {
                return Err(bad(format!(
                    "--replications {reps}: must be between 1 and 100000"
                )));
            }
            let seed = a.seed.unwrap_or(s.seed);
            let (rows, truth) = crate::truth::simulate_truth(&s, seed, reps);
            let table = crate::truth::journey_table(&rows)?;
            omnimix_reports::write_csv(&a.out.join("journeys.csv"), &rows)?;
            (
                table,
                format!("simulated journeys of {}", s.name),
                Some(truth),
            )
        }
    };
    let t0 = Instant::now();
    let credits =
        attribute_all(&table, &models, &Options::default()).context("attribution failed")?;
    let path = a.out.join("attribution.csv");
    omnimix_reports::write_csv(&path, &credits)?;
    let mut written = vec![path];
    // Chart: share per channel, one bar per model (and the truth when known).
    let channels: Vec<String> = table.channels().to_vec();
    let mut series: Vec<String> = models.iter().map(|m| m.to_string()).collect();
    let mut values: Vec<Vec<f64>> = models
        .iter()
        .map(|m| {
            channels
                .iter()
                .map(|ch| {
                    credits
                        .iter()
                        .find(|c| &c.model == m && &c.channel == ch)
                        .map_or(0.0, |c| c.share)
                })
                .collect()
        })
        .collect();
    if let Some(t) = &truth {
        series.push("truth".into());
        values.push(channels.iter().map(|ch| t.company_share(ch)).collect());
    }
    let chart = a.out.join("attribution.svg");
    omnimix_reports::charts::grouped_bars_svg(
        &chart,
        "Share of conversions credited to each channel",
        "share of conversions",
        &channels,
        &series,
        &values,
    )?;
    written.push(chart);
    let mut errors = Vec::new();
    if let Some(truth) = &truth {
        let truth_path = a.out.join("truth.csv");
        omnimix_reports::write_csv(&truth_path, &truth.rows)?;
        written.push(truth_path);
        errors = crate::truth::model_errors(truth, &credits, &models);
        let errors_path = a.out.join("errors.csv");
        omnimix_reports::write_csv(&errors_path, &errors)?;
        written.push(errors_path);
    }
    if !a.quiet {
        println!(
            "{source}: {} distinct paths, {} channels, {:.0} conversions; {} models in {:.2} s",
            table.len(),
            table.channels().len(),
            table.total_conversions(),
            models.len(),
            t0.elapsed().as_secs_f64()
        );
        print!("{:<16}", "share");
        for m in &models {
            print!(" {:>15}", m.to_string());
        }
        if truth.is_some() {
            print!(" {:>15}", "truth");
        }
        println!();
        for ch in table.channels() {
            print!("{ch:<16}");
            for m in &models {
                let share = credits
                    .iter()
                    .find(|c| &c.model == m && &c.channel == ch)
                    .map_or(0.0, |c| c.share);
                print!(" {:>14.1}%", share * 100.0);
            }
            if let Some(t) = &truth {
                print!(" {:>14.1}%", t.company_share(ch) * 100.0);
            }
            println!();
        }
        if !errors.is_empty() {
            print!("{:<16}", "abs. share error");
            for e in &errors {
                print!(" {:>15.3}", e.total_absolute_share_error);
            }
            println!();
        }
        print_written(&written);
    }
    Ok(())
}

/// Lists written files: one line each, except charts, which are counted per folder
/// (each chart is written as SVG and PNG).
pub fn print_written(paths: &[std::path::PathBuf]) {
    let mut charts: std::collections::BTreeMap<std::path::PathBuf, usize> = Default::default();
    for p in paths {
        let is_chart = p.extension().is_some_and(|e| e == "svg" || e == "png")
            && p.parent()
                .and_then(|d| d.file_name())
                .is_some_and(|n| n == "charts");
        if is_chart {
            if p.extension().is_some_and(|e| e == "svg") {
                *charts
                    .entry(p.parent().unwrap_or(p).to_path_buf())
                    .or_default() += 1;
            }
        } else {
            println!("wrote {}", p.display());
        }
    }
    for (dir, n) in charts {
        println!(
            "wrote {n} charts to {} (each as .svg and .png)",
            dir.display()
        );
    }
}
