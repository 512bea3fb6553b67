//! Budgeting rules × scenarios × seeds (`omnimix benchmark`).
//!
//! Rules: `current` (the scenario's strategy), `equal_split`, `attribution:MODEL`
//! (each country's paid media re-split in proportion to MODEL's credit, computed
//! from journeys simulated under the current strategy on separate replications, as
//! the company could record them unless [`Journeys::True`] is chosen),
//! and `optimizer` (the plan of `omnimix optimize --objective retention`). Every
//! rule is then simulated on the same replications 0..seeds (common random numbers),
//! with its counterfactual without paid media for the incremental ROI, and reported
//! with mean and 90 % interval of retention, ROI and NPV.

use crate::error::StudyError;
use omnimix_attribution::{Model, Options as AttributionOptions};
use omnimix_optimizer::plan::PlanSpace;
use omnimix_optimizer::{
    Evaluator, NoObserver, OUT_OF_SAMPLE_BASE, Options, RayonEvaluator, optimize,
};
use omnimix_sim::engine::{RunOptions, Silent, run, run_replication};
use omnimix_sim::kpis::{
    INTERVAL_LEVEL, Kpi, incremental_kpis, journey_rows, observed_journey_rows, replication_kpis,
};
use omnimix_sim::stats::interval;
use omnimix_sim::{Channel, Scenario, Strategy, World};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A budgeting rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// The scenario's strategy.
    Current,
    /// The current money split equally over countries and channels.
    EqualSplit,
    /// Each country's paid media re-split in proportion to a model's credit.
    Attribution(Model),
    /// The optimizer's retention plan.
    Optimizer,
}

impl Rule {
    /// The name in `--strategies` and `benchmark.csv`.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkRow {
    /// Scenario name.
    pub scenario: String,
    /// Rule name.
    pub strategy: String,
    /// The KPI.
    pub kpi: Kpi,
    /// Mean over the seeds.
    pub mean: f64,
    /// Lower end of the 90 % interval of the mean.
    pub lo: Option<f64>,
    /// Upper end.
    pub hi: Option<f64>,
    /// Seeds (replications).
    pub n: usize,
}

/// The KPIs every rule is reported with, in the order of the rows.
pub const KPIS: [Kpi; 3] = [Kpi::Retention, Kpi::Roi, Kpi::Npv];

/// Which journeys the attribution rules learn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Journeys {
    /// What the company could record (`journeys.csv` of `simulate`): consented,
    /// identified touches, stitched across channels only where unified data is live.
    #[default]
    Observed,
    /// Every touch as it happened (`true_journeys.csv`).
    True,
}

/// The journeys of the current strategy the attribution rules learn from: two
/// replications out of sample, simulated once per scenario and shared by every model.
fn current_journeys(
    s: &Scenario,
    seed: u64,
    which: Journeys,
) -> Result<omnimix_attribution::JourneyTable, StudyError> {
    let world = World::new(s, &s.strategy);
    let opts = RunOptions {
        seed,
        replications: 2,
        first_replication: OUT_OF_SAMPLE_BASE,
        journeys: true,
    };
    let reps = run(&world, &opts, &Silent);
    let rows = match which {
        Journeys::Observed => observed_journey_rows(&world, &reps),
        Journeys::True => journey_rows(&world, &reps),
    };
    crate::truth::journey_table(&rows)
}

/// Company-level attribution credit shares of a model on the current journeys.
fn credit_shares(
    table: &omnimix_attribution::JourneyTable,
    model: &Model,
) -> Result<BTreeMap<Channel, f64>, StudyError> {
    let credits =
        omnimix_attribution::attribute_with(table, *model, &AttributionOptions::default())
            .map_err(|source| StudyError::Attribution {
                what: "attribution",
                source,
            })?;
    Ok(credits
        .iter()
        .filter_map(|c| c.channel.parse::<Channel>().ok().map(|ch| (ch, c.share)))
        .collect())
}

/// The benchmark of one scenario: its plan space and the optimizer rule's search model.
///
/// The optimizer rule's evaluations go through the [`Evaluator`] given to
/// [`Bench::run`] (the binary's backend), built from [`Bench::evaluate`] on every
/// process; every rule's final runs are simulated here.
pub struct Bench<'a> {
    s: &'a Scenario,
    ps: PlanSpace,
    search: Scenario,
    seed: u64,
    journeys: Journeys,
}

impl<'a> Bench<'a> {
    /// The benchmark of `s` on master seed `seed`.
    pub fn new(s: &'a Scenario, seed: u64) -> Bench<'a> {
        let mut search = s.clone();
        search.agent_scale = s.agent_scale.saturating_mul(10).max(1);
        Bench {
            s,
            ps: PlanSpace::new(s, &s.strategy),
            search,
            seed,
            journeys: Journeys::Observed,
        }
    }

    /// The same benchmark with the attribution rules learning from `journeys`.
    pub fn learning_from(self, journeys: Journeys) -> Bench<'a> {
        Bench { journeys, ..self }
    }

    /// The attribution rule's plan for `model`: the current paid media re-split in
    /// each country in proportion to the model's credit on the current strategy's
    /// journeys (the ones [`Bench::learning_from`] names).
    pub fn attribution_plan(&self, model: &Model) -> Result<Strategy, StudyError> {
        let table = current_journeys(self.s, self.seed, self.journeys)?;
        Ok(self.ps.reallocate(&credit_shares(&table, model)?))
    }

    /// One evaluation of the optimizer rule: the headline retention of decision
    /// vector `x` on replication `rep` at 10 × the agent scale.
    pub fn evaluate(&self, x: &[f64], rep: u32) -> Vec<f64> {
        let world = World::new(&self.search, &self.ps.decode(x));
        let r = run_replication(&world, self.seed, rep, false, &Silent);
        let (k, _) = replication_kpis(&world, &r);
        vec![k.value(Kpi::Retention)]
    }

    fn optimizer_plan(
        &self,
        evals: usize,
        evaluator: &dyn Evaluator,
    ) -> Result<Strategy, StudyError> {
        let options = Options {
            evals,
            seed: self.seed,
            initial: self.ps.warm_starts(),
            final_replications: 2,
            ..Options::default()
        };
        let o = optimize(&self.ps.space, evaluator, &options, &NoObserver, None)
            .map_err(StudyError::search("optimizer"))?;
        Ok(self.ps.decode(&o.x))
    }

    /// Every rule's strategy simulated on replications `0..seeds` (the same for all),
    /// [`KPIS`] rows per rule; the optimizer rule searches with `evals` evaluations.
    pub fn run(
        &self,
        rules: &[Rule],
        seeds: u32,
        evals: usize,
        evaluator: &dyn Evaluator,
    ) -> Result<Vec<BenchmarkRow>, StudyError> {
        let (s, ps, seed) = (self.s, &self.ps, self.seed);
        let mut rows = Vec::new();
        let mut journeys = None;
        for rule in rules {
            let st = match rule {
                Rule::Current => s.strategy.clone(),
                Rule::EqualSplit => ps.equal_split(),
                Rule::Attribution(m) => {
                    if journeys.is_none() {
                        journeys = Some(current_journeys(s, seed, self.journeys)?);
                    }
                    match &journeys {
                        Some(table) => ps.reallocate(&credit_shares(table, m)?),
                        None => continue,
                    }
                }
                Rule::Optimizer => self.optimizer_plan(evals, evaluator)?,
            };
            rows.extend(rule_rows(s, &st, &rule.name(), seed, seeds));
        }
        Ok(rows)
    }
}

/// [`KPIS`] rows of one strategy simulated on replications `0..seeds`.
/// The incremental ROI comes from the counterfactual without paid media on the
/// same replications, as in `simulate` and `optimize`.
fn rule_rows(s: &Scenario, st: &Strategy, rule: &str, seed: u64, seeds: u32) -> Vec<BenchmarkRow> {
    let world = World::new(s, st);
    let without = World::new(s, &st.without_media(None));
    let opts = RunOptions {
        seed,
        replications: seeds,
        first_replication: 0,
        journeys: false,
    };
    let reps = run(&world, &opts, &Silent);
    let reps0 = run(&without, &opts, &Silent);
    let ks: Vec<_> = reps
        .iter()
        .zip(&reps0)
        .map(|(r, r0)| incremental_kpis(&world, r, &without, r0).0)
        .collect();
    KPIS.iter()
        .map(|&name| {
            let xs: Vec<f64> = ks.iter().map(|k| k.value(name)).collect();
            let i = interval(&xs, INTERVAL_LEVEL);
            BenchmarkRow {
                scenario: s.name.clone(),
                strategy: rule.to_string(),
                kpi: name,
                mean: i.mean,
                lo: i.lo,
                hi: i.hi,
                n: i.n,
            }
        })
        .collect()
}

/// Run the benchmark for one scenario on this process alone (the optimizer rule's
/// evaluations on the current rayon pool).
pub fn bench_scenario(
    s: &Scenario,
    rules: &[Rule],
    seed: u64,
    seeds: u32,
    evals: usize,
) -> Result<Vec<BenchmarkRow>, StudyError> {
    let bench = Bench::new(s, seed);
    let evaluator = RayonEvaluator::new(|x: &[f64], rep: u32| bench.evaluate(x, rep));
    bench.run(rules, seeds, evals, &evaluator)
}
