//! `omnimix benchmark`: budgeting rules × scenarios × seeds.
//!
//! Rules: `current` (the scenario's strategy), `equal_split`, `attribution:MODEL`
//! (each country's paid media re-split in proportion to MODEL's credit, computed
//! from journeys simulated under the current strategy on separate replications),
//! and `optimizer` (the plan of `omnimix optimize --objective retention`). Every
//! rule is then simulated on the same replications 0..seeds (common random numbers)
//! and reported with mean and 90 % interval of retention, ROI and NPV.

use crate::config::BadInput;
use crate::optimize::kpi;
use anyhow::{Context, Result};
use omnimix_attribution::{Model, Options as AttributionOptions};
use omnimix_optimizer::plan::PlanSpace;
use omnimix_optimizer::{NoObserver, OUT_OF_SAMPLE_BASE, Options, RayonEvaluator, optimize};
use omnimix_sim::engine::{RunOptions, Silent, run, run_replication};
use omnimix_sim::kpis::{INTERVAL_LEVEL, journey_rows, replication_kpis};
use omnimix_sim::stats::interval;
use omnimix_sim::{Channel, Scenario, Strategy, World};
use serde::Serialize;
use std::collections::BTreeMap;

/// A budgeting rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Current,
    EqualSplit,
    Attribution(Model),
    Optimizer,
}

impl Rule {
    pub fn name(&self) -> String {
        match self {
            Rule::Current => "current".into(),
            Rule::EqualSplit => "equal_split".into(),
            Rule::Attribution(m) => format!("attribution:{m}"),
            Rule::Optimizer => "optimizer".into(),
        }
    }
}

/// Parse `--strategies`: `all`, or a comma list of current, equal_split,
/// attribution:MODEL (MODEL as in `attribute --models`), attribution (every model), optimizer.
pub fn parse_rules(list: &str) -> Result<Vec<Rule>, String> {
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item {
            "all" => {
                out.extend([Rule::Current, Rule::EqualSplit]);
                out.extend(Model::all().iter().cloned().map(Rule::Attribution));
                out.push(Rule::Optimizer);
            }
            "current" => out.push(Rule::Current),
            "equal_split" => out.push(Rule::EqualSplit),
            "optimizer" => out.push(Rule::Optimizer),
            "attribution" => out.extend(Model::all().iter().cloned().map(Rule::Attribution)),
            other => match other.strip_prefix("attribution:") {
                Some(m) => out.push(Rule::Attribution(
                    m.parse::<Model>().map_err(|e| format!("{item}: {e}"))?,
                )),
                None => {
                    return Err(format!(
                        "unknown strategy '{item}' (current, equal_split, attribution[:MODEL], optimizer, all)"
                    ));
                }
            },
        }
    }
    if out.is_empty() {
        return Err("no strategy given".into());
    }
    Ok(out)
}

/// One row of `benchmark.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct BenchmarkRow {
    pub scenario: String,
    pub strategy: String,
    pub kpi: &'static str,
    pub mean: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    pub n: usize,
}

const KPIS: [&str; 3] = ["retention", "roi", "npv"];

/// Company-level attribution credit shares under the current strategy.
fn credit_shares(s: &Scenario, seed: u64, model: &Model) -> Result<BTreeMap<Channel, f64>> {
    let world = World::new(s, &s.strategy);
    let opts = RunOptions {
        seed,
        replications: 2,
        first_replication: OUT_OF_SAMPLE_BASE,
        journeys: true,
    };
    let reps = run(&world, &opts, &Silent);
    let rows = journey_rows(&world, &reps);
    let table = crate::truth::journey_table(&rows)?;
    let credits =
        omnimix_attribution::attribute_with(&table, model.clone(), &AttributionOptions::default())
            .context("attribution")?;
    Ok(credits
        .iter()
        .filter_map(|c| c.channel.parse::<Channel>().ok().map(|ch| (ch, c.share)))
        .collect())
}

fn optimizer_plan(s: &Scenario, ps: &PlanSpace, seed: u64, evals: usize) -> Result<Strategy> {
    let mut search = s.clone();
    search.agent_scale = s.agent_scale.saturating_mul(10).max(1);
    let evaluator = RayonEvaluator::new(|x: &[f64], rep: u32| {
        let world = World::new(&search, &ps.decode(x));
        let r = run_replication(&world, seed, rep, false, &Silent);
        let (k, _) = replication_kpis(&world, &r);
        vec![kpi(&k, "retention")]
    });
    let options = Options {
        evals,
        seed,
        initial: ps.warm_starts(),
        final_replications: 2,
        ..Options::default()
    };
    let o = optimize(&ps.space, &evaluator, &options, &NoObserver, None).context("optimizer")?;
    Ok(ps.decode(&o.x))
}

/// Run the benchmark for one scenario.
pub fn bench_scenario(
    s: &Scenario,
    rules: &[Rule],
    seed: u64,
    seeds: u32,
    evals: usize,
) -> Result<Vec<BenchmarkRow>> {
    let ps = PlanSpace::new(s, &s.strategy);
    let mut rows = Vec::new();
    for rule in rules {
        let st = match rule {
            Rule::Current => s.strategy.clone(),
            Rule::EqualSplit => ps.equal_split(),
            Rule::Attribution(m) => ps.reallocate(&credit_shares(s, seed, m)?),
            Rule::Optimizer => optimizer_plan(s, &ps, seed, evals)?,
        };
        let world = World::new(s, &st);
        let reps = run(
            &world,
            &RunOptions {
                seed,
                replications: seeds,
                first_replication: 0,
                journeys: false,
            },
            &Silent,
        );
        let ks: Vec<_> = reps.iter().map(|r| replication_kpis(&world, r).0).collect();
        for name in KPIS {
            let xs: Vec<f64> = ks.iter().map(|k| kpi(k, name)).collect();
            let i = interval(&xs, INTERVAL_LEVEL);
            rows.push(BenchmarkRow {
                scenario: s.name.clone(),
                strategy: rule.name(),
                kpi: name,
                mean: i.mean,
                lo: i.lo,
                hi: i.hi,
                n: i.n,
            });
        }
    }
    Ok(rows)
}

/// `omnimix benchmark`.
pub fn run_benchmark(a: &crate::cli::BenchmarkArgs) -> Result<()> {
    let bad = |m: String| -> anyhow::Error { BadInput(m).into() };
    let rules = parse_rules(&a.strategies).map_err(|e| bad(format!("--strategies: {e}")))?;
    if a.seeds == 0 {
        return Err(bad("--seeds 0: at least 1".into()));
    }
    let files: Vec<Option<std::path::PathBuf>> = if a.scenarios.is_empty() {
        vec![None]
    } else {
        a.scenarios.iter().cloned().map(Some).collect()
    };
    let scenarios = files
        .into_iter()
        .map(|file| {
            crate::config::scenario(&crate::cli::ScenarioArgs {
                file,
                set: a.set.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let t0 = std::time::Instant::now();
    let mut rows = Vec::new();
    for s in &scenarios {
        let seed = a.seed.unwrap_or(s.seed);
        rows.extend(crate::config::with_threads(a.threads, || {
            bench_scenario(s, &rules, seed, a.seeds, a.evals)
        })??);
    }
    let path = a.out.join("benchmark.csv");
    omnimix_reports::write_csv(&path, &rows)?;
    let mut charts = Vec::new();
    for name in KPIS {
        let sel: Vec<&BenchmarkRow> = rows.iter().filter(|r| r.kpi == name).collect();
        let label = |r: &BenchmarkRow| {
            let strategy = r.strategy.trim_start_matches("attribution:");
            if scenarios.len() > 1 {
                format!("{}/{strategy}", r.scenario)
            } else {
                strategy.to_string()
            }
        };
        let chart = a.out.join(format!("benchmark_{name}.svg"));
        omnimix_reports::charts::intervals_svg(
            &chart,
            &format!("{name}: mean and 90 % interval over {} seeds", a.seeds),
            name,
            &sel.iter().map(|r| label(r)).collect::<Vec<_>>(),
            &sel.iter().map(|r| r.mean).collect::<Vec<_>>(),
            &sel.iter()
                .map(|r| r.lo.unwrap_or(r.mean))
                .collect::<Vec<_>>(),
            &sel.iter()
                .map(|r| r.hi.unwrap_or(r.mean))
                .collect::<Vec<_>>(),
        )?;
        charts.push(chart);
    }
    if !a.quiet {
        println!(
            "{} scenarios x {} strategies x {} seeds in {:.1} s",
            scenarios.len(),
            rules.len(),
            a.seeds,
            t0.elapsed().as_secs_f64()
        );
        println!(
            "{:<16} {:<26} {:>24} {:>24} {:>24}",
            "scenario", "strategy", "retention", "roi", "npv"
        );
        for chunk in rows.chunks(KPIS.len()) {
            let f = |r: &BenchmarkRow| match (r.lo, r.hi) {
                (Some(lo), Some(hi)) => format!("{:.3} [{:.3}, {:.3}]", r.mean, lo, hi),
                _ => format!("{:.3}", r.mean),
            };
            let npv = |r: &BenchmarkRow| format!("{:.3e}", r.mean);
            println!(
                "{:<16} {:<26} {:>24} {:>24} {:>24}",
                chunk[0].scenario,
                chunk[0].strategy,
                f(&chunk[0]),
                f(&chunk[1]),
                npv(&chunk[2])
            );
        }
        println!("wrote {}", path.display());
        for c in charts {
            println!("wrote {}", c.display());
        }
    }
    Ok(())
}
