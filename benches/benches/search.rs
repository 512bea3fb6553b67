//! The optimizer of `omnimix optimize` against baseline searches at an equal number
//! of evaluations, on the same problem: the default scenario (`global-retail`,
//! coarsened), the default objective `value` (NPV over the horizon plus customer
//! equity at its end), mean over replications.
//!
//! For each search seed, every method searches the same coarse model (agent scale ×
//! search scale, replications `0..r`, the simulator seeded by the search seed as in
//! `omnimix optimize --seed`) with the same budget of evaluations (simulator runs):
//! - **optimizer**: `PlanSearch::search`, as `omnimix optimize` runs it (starts that
//!   encode no advice: the current plan, its media at ×0.5 and ×1.5, random points;
//!   swarm, pattern search, polish, race);
//! - **optimizer, hand-made starts**: the same with `--hand-made-starts` (also the
//!   "all initiatives", "+50 % staff" and equal-split plans), to show whether its
//!   answer depends on the starts it is given;
//! - **random search** and **Nelder–Mead** (`omnimix_benches`): from the current plan,
//!   on the optimizer's box, two replications per candidate (the optimizer's
//!   screening replications).
//!
//! A baseline stops before a batch that would overrun its budget; the optimizer
//! spends its budget exactly; the table shows the evaluations each used.
//!
//! Every chosen plan, and the current plan (the scenario's own strategy), is then
//! valued on the same fresh replications at the bench's full resolution, none of
//! them used by any search (common random numbers, the scenario's seed). The table
//! gives the mean over search seeds of each method's fresh value, in the scenario's
//! currency (millions), its gain over the current plan, and the spread over seeds.
//!
//! Run: `cargo bench -p omnimix-benches --bench search`

use omnimix_benches::{Budget, nelder_mead, random_search};
use omnimix_optimizer::{Candidate, Evaluation, Evaluator, NoObserver, RayonEvaluator};
use omnimix_sim::engine::{Silent, run_replication};
use omnimix_sim::mechanisms::finance::planned_costs;
use omnimix_sim::scenario::load::load;
use omnimix_sim::{Scenario, ScenarioSource, Strategy, World};
use omnimix_studies::Objective;
use omnimix_studies::optimize::{PlanSearch, SearchConfig};
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");

/// Customers per agent of the bench's full resolution (the preset has 25).
const AGENT_SCALE: u32 = 250;
/// The search simulates this many times fewer agents (`--search-scale`, default 10).
const SEARCH_SCALE: u32 = 4;
/// Budgets of evaluations (simulator runs) every method may spend per search: the
/// first is below the `n + 1` candidates of Nelder–Mead's first simplex, the second
/// lets it iterate.
const EVALS: [usize; 2] = [200, 600];
/// Replications per candidate of the baselines (the optimizer's screening replications).
const REPLICATIONS: u32 = 2;
/// Search seeds.
const SEEDS: [u64; 3] = [1, 2, 3];
/// Fresh replications of the comparison.
const FRESH: u32 = 8;
/// First replication index of the comparison: above the search's `0..16` and the
/// optimizer's own out-of-sample indices (`OUT_OF_SAMPLE_BASE` = 1 000 000).
const FRESH_BASE: u32 = 2_000_000;
/// First step of the Nelder–Mead simplex, as a share of each variable's range.
const NM_STEP: f64 = 0.1;

/// Counts the evaluations a search asks for.
struct Counting<E> {
    inner: E,
    evals: AtomicUsize,
}

impl<E: Evaluator> Evaluator for Counting<E> {
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        self.evals.fetch_add(batch.len(), Ordering::Relaxed);
        self.inner.evaluate(batch)
    }
}

/// The methods compared, in the order of the table.
const METHODS: [&str; 4] = [
    "optimizer",
    "optimizer, hand-made starts",
    "random search",
    "Nelder–Mead",
];

/// One search: its budget, method, the evaluations it spent, its time and its plan.
struct Run {
    budget: usize,
    method: usize,
    evals: usize,
    secs: f64,
    plan: Strategy,
}

fn scenario() -> Scenario {
    load(
        &ScenarioSource::new("global-retail", DEFAULT),
        &[format!("agent_scale={AGENT_SCALE}").parse().unwrap()],
    )
    .expect("default preset is valid")
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn sd(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Method `method` ([`METHODS`]) on the coarse model of `search` with `evals`
/// evaluations (the optimizer's starts are those of `search`'s configuration).
fn run(search: &PlanSearch, s: &Scenario, method: usize, evals: usize, seed: u64) -> Run {
    let space = &search.space().space;
    let start = search.space().encode(&s.strategy);
    let budget = Budget {
        evals,
        replications: REPLICATIONS,
        seed,
    };
    let ev = Counting {
        inner: RayonEvaluator::new(|x: &[f64], r: u32| search.evaluate(x, r)),
        evals: AtomicUsize::new(0),
    };
    let t0 = Instant::now();
    let x = match method {
        0 | 1 => {
            search
                .search(&ev, &NoObserver, None)
                .expect("search runs")
                .x
        }
        2 => random_search(space, &start, &ev, &budget).x,
        _ => nelder_mead(space, &start, &ev, &budget, NM_STEP).x,
    };
    let violations = space.check(&x);
    assert!(violations.is_empty(), "{}: {violations:?}", METHODS[method]);
    Run {
        budget: evals,
        method,
        evals: ev.evals.load(Ordering::Relaxed),
        secs: t0.elapsed().as_secs_f64(),
        plan: search.space().decode(&x),
    }
}

fn main() {
    let s = scenario();
    let clock = Instant::now();
    let mut runs: Vec<Run> = Vec::new();
    let mut dim = 0;
    for evals in EVALS {
        for seed in SEEDS {
            let cfg = SearchConfig {
                evals,
                seed,
                search_scale: SEARCH_SCALE,
                // no out-of-sample estimate inside the search (it does not change the plan)
                final_replications: 0,
                ..SearchConfig::new(s.clone())
            };
            let hand = SearchConfig {
                hand_made_starts: true,
                ..cfg.clone()
            };
            let plain = PlanSearch::new(&cfg).expect("the preset's plan space is feasible");
            let hand = PlanSearch::new(&hand).expect("the preset's plan space is feasible");
            dim = plain.space().space.free_variables().len();
            for (method, name) in METHODS.iter().enumerate() {
                let search = if method == 1 { &hand } else { &plain };
                let r = run(search, &s, method, evals, seed);
                eprintln!(
                    "budget {evals}, seed {seed}: {name:<22} {} evaluations in {:.0} s, \
                     plan costs {:.2} M",
                    r.evals,
                    r.secs,
                    planned_costs(&s, &r.plan).total() / 1e6
                );
                runs.push(r);
            }
        }
    }

    // The current plan and every chosen plan on the same fresh replications at full
    // resolution, seeded by the scenario's seed.
    let strategies: Vec<&Strategy> = std::iter::once(&s.strategy)
        .chain(runs.iter().map(|r| &r.plan))
        .collect();
    let jobs: Vec<(&Strategy, u32)> = strategies
        .iter()
        .flat_map(|&st| (0..FRESH).map(move |k| (st, FRESH_BASE + k)))
        .collect();
    let t0 = Instant::now();
    let out: Vec<f64> = jobs
        .par_iter()
        .map(|&(st, rep)| {
            let world = World::new(&s, st);
            let r = run_replication(&world, s.seed, rep, false, &Silent);
            Objective::Value.values(&world, &r, None, None)[0] / 1e6
        })
        .collect();
    eprintln!(
        "comparison: {} runs in {:.0} s; total {:.0} s",
        jobs.len(),
        t0.elapsed().as_secs_f64(),
        clock.elapsed().as_secs_f64()
    );
    let fresh: Vec<&[f64]> = out.chunks(FRESH as usize).collect();
    let current = fresh[0];

    println!(
        "search: {} at agent_scale {AGENT_SCALE} (searched at {}), {dim} free variables; \
         objective value (NPV + customer equity), {} millions",
        s.name,
        AGENT_SCALE * SEARCH_SCALE,
        s.currency
    );
    println!(
        "seeds {SEEDS:?}; plans valued on {FRESH} fresh replications at agent_scale \
         {AGENT_SCALE} (common random numbers, not used by any search)"
    );
    println!();
    println!(
        "| budget | method | evaluations used | value, mean over seeds | gain vs current | sd over seeds | min .. max | s per search |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    println!(
        "| - | current plan | - | {:.1} (± {:.1} se) | - | - | - | - |",
        mean(current),
        sd(current) / f64::from(FRESH).sqrt()
    );
    for evals in EVALS {
        for (method, name) in METHODS.iter().enumerate() {
            let mine: Vec<(&Run, &[f64])> = runs
                .iter()
                .zip(&fresh[1..])
                .filter(|(r, _)| r.budget == evals && r.method == method)
                .map(|(r, f)| (r, *f))
                .collect();
            let values: Vec<f64> = mine.iter().map(|(_, f)| mean(f)).collect();
            // paired by replication: the plan's fresh value minus the current plan's
            let gains: Vec<f64> = mine
                .iter()
                .map(|(_, f)| {
                    mean(
                        &f.iter()
                            .zip(current)
                            .map(|(a, b)| a - b)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            let used: Vec<usize> = mine.iter().map(|(r, _)| r.evals).collect();
            let (fewest, most) = (used.iter().min(), used.iter().max());
            let used = match (fewest, most) {
                (Some(a), Some(b)) if a == b => a.to_string(),
                (Some(a), Some(b)) => format!("{a}–{b}"),
                _ => "-".into(),
            };
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let secs = mine.iter().map(|(r, _)| r.secs).sum::<f64>() / mine.len().max(1) as f64;
            println!(
                "| {evals} | {name} | {used} | {:.1} | {:+.1} | {:.1} | {lo:.1} .. {hi:.1} | {secs:.0} |",
                mean(&values),
                mean(&gains),
                sd(&values),
            );
        }
    }
}
