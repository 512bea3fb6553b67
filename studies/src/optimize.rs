//! Search-then-validate: search the scenario's decision space with the simulator as
//! the evaluator (at search scale, on replications `0..r`), then compare the plan
//! with the current strategy and an equal split on fresh replications at full
//! resolution, paired by replication (common random numbers).
//!
//! The search runs through an [`Evaluator`] (rayon threads, or MPI ranks with the
//! search on rank 0), the final comparison through a [`ShardExchange`] (one run per
//! strategy split by shards over the ranks).
//!
//! ```
//! use omnimix_studies::optimize::{PlanSearch, SearchConfig};
//! use omnimix_optimizer::{NoObserver, RayonEvaluator};
//! use omnimix_sim::{ScenarioSource, engine::Local, kpis::Kpi, scenario::load::load};
//! let text = "name = 'demo'\n[finance]\nannual_budget = 2e6\n[countries.DE]\npopulation = 5000\n\
//!             [strategy.annual_spend.DE]\nsearch = 200000\ncall_centre = 20000\n\
//!             [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 2\n";
//! let scenario = load(&ScenarioSource::new("demo.toml", text), &[]).unwrap();
//! let cfg = SearchConfig { evals: 20, search_scale: 1, final_replications: 2, ..SearchConfig::new(scenario) };
//! let search = PlanSearch::new(&cfg).unwrap();
//! let found = search
//!     .search(&RayonEvaluator::new(|x: &[f64], r: u32| search.evaluate(x, r)), &NoObserver, None)
//!     .unwrap();
//! let fresh = search.validate(&found.x, &Local);
//! let out = search.outcome(found, &fresh);
//! assert!(out.comparison.plan.mean(Kpi::Retention).is_some());
//! assert!(out.comparison.difference_vs_current.contains_key(&Kpi::Retention));
//! ```

use crate::error::StudyError;
use crate::objective::{Guard, Objective};
use crate::posterior::{Draws, Worlds};
use omnimix_optimizer::plan::PlanSpace;
use omnimix_optimizer::{
    Checkpointer, Evaluator, FrontPoint, OUT_OF_SAMPLE_BASE, Observer, Options, ParetoState, Risk,
    SearchState, TargetOptions, TargetState, minimal_budget_resumable, optimize,
    optimize_pareto_resumable,
};
use omnimix_sim::engine::{Local, Replication, RunOptions, ShardExchange, Silent, run_replication};
use omnimix_sim::kpis::{INTERVAL_LEVEL, Kpi, KpiSummary, Kpis, replication_kpis};
use omnimix_sim::mechanisms::finance::planned_costs;
use omnimix_sim::stats::{Interval, interval};
use omnimix_sim::{Scenario, Strategy, World};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Verification rounds of a target search at most (see [`PlanSearch::search`]).
pub const TARGET_ROUNDS: usize = 3;

/// The KPIs compared between the plan and its baselines, in the order printed.
pub const COMPARED: [Kpi; 11] = [
    Kpi::Value,
    Kpi::Retention,
    Kpi::RetentionRate,
    Kpi::Roi,
    Kpi::IncrementalProfit,
    Kpi::Npv,
    Kpi::CustomerEquity,
    Kpi::Revenue,
    Kpi::ActiveCustomers,
    Kpi::NewCustomers,
    Kpi::CostTotal,
];

/// What to search and how: everything `omnimix optimize` takes, validated.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// The scenario at full resolution.
    pub scenario: Scenario,
    /// What to maximise.
    pub objective: Objective,
    /// The risk measure over replications.
    pub risk: Risk,
    /// The risk as the user wrote it (`mean`, `cvar:0.2`), for the files.
    pub risk_name: String,
    /// Simulator runs the search may spend.
    pub evals: usize,
    /// Master seed.
    pub seed: u64,
    /// The search simulates `search_scale` times fewer agents.
    pub search_scale: u32,
    /// Fresh replications of the final comparison.
    pub final_replications: u32,
    /// Spend phases (1: not phased).
    pub phases: u32,
    /// Decisions kept out of the search: `NAME` or `NAME=VALUE`.
    pub fixes: Vec<(String, Option<f64>)>,
    /// The target of the objective's KPI: find the smallest budget that reaches it.
    pub target: Option<f64>,
    /// A saved state to continue.
    pub resume: Option<Resume>,
    /// Start from the hand-made plans too (all initiatives, +50 % staff, the equal
    /// split), not only from the current plan, its media at ×0.5 and ×1.5, and the
    /// search's random points (`--hand-made-starts`; off by default: they pull the
    /// search towards their advice).
    pub hand_made_starts: bool,
    /// Posterior draws of the parameters: replication `r` of every evaluation and
    /// fresh run is simulated on draw `r mod n` (none: the scenario as it is).
    pub draws: Draws,
}

impl SearchConfig {
    /// The defaults of `omnimix optimize` on a scenario.
    pub fn new(scenario: Scenario) -> SearchConfig {
        SearchConfig {
            seed: scenario.seed,
            final_replications: scenario.replications.max(2),
            scenario,
            objective: Objective::Value,
            risk: Risk::Mean,
            risk_name: "mean".into(),
            evals: 300,
            search_scale: 10,
            phases: 1,
            fixes: Vec::new(),
            target: None,
            resume: None,
            hand_made_starts: false,
            draws: Draws::none(),
        }
    }
}

/// A saved search state, of the kind of search the configuration asks for.
#[derive(Debug, Clone)]
pub enum Resume {
    /// A single-objective search.
    Search(SearchState),
    /// A Pareto search.
    Pareto(ParetoState),
    /// A target search.
    Target(TargetState),
}

/// A checkpoint sink for every kind of search.
pub trait AnyCheckpointer:
    Checkpointer<SearchState> + Checkpointer<ParetoState> + Checkpointer<TargetState>
{
}
impl<T> AnyCheckpointer for T where
    T: Checkpointer<SearchState> + Checkpointer<ParetoState> + Checkpointer<TargetState>
{
}

/// One budget tried by a target search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStepRow {
    /// Budget over the horizon tried.
    pub budget: f64,
    /// Out-of-sample objective of the best plan at that budget (none: infeasible).
    pub estimate: Option<f64>,
    /// The plan reached the target.
    pub reached: bool,
}

/// What a search found (rank 0's part; the other ranks only need `x`).
#[derive(Debug, Clone)]
pub struct Found {
    /// The plan's decision vector.
    pub x: Vec<f64>,
    /// (evaluations, best objective so far), in-sample at search scale.
    pub trace: Vec<(usize, f64)>,
    /// Evaluations spent.
    pub evals_done: usize,
    /// The front of a Pareto search.
    pub front: Option<Vec<FrontPoint>>,
    /// The budgets a target search tried.
    pub target_steps: Option<Vec<TargetStepRow>>,
}

/// The plan and its baselines on fresh replications at full resolution.
#[derive(Debug, Clone)]
pub struct Fresh {
    /// The plan.
    pub plan: Strategy,
    /// The equal split of the current strategy's money.
    pub equal_split: Strategy,
    /// Company KPIs per replication: plan, current, equal split.
    pub kpis: [Vec<Kpis>; 3],
    /// The plan with 10 % more paid media (its marginal ROI), per replication.
    pub more_media: Vec<Kpis>,
}

/// How much of the budget the plan spends, and what the next euro of media would
/// return: the figure that justifies leaving money unspent, or says it should not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetUse {
    /// The budget over the horizon.
    pub budget: f64,
    /// The plan's planned cost over the horizon.
    pub planned_cost: f64,
    /// Budget − planned cost.
    pub unspent: f64,
    /// Marginal ROI of the plan's paid media: (Δ revenue × gross margin − Δ cost) /
    /// Δ cost for 10 % more spend and specialists on every paid channel in every
    /// country, paired by replication (90 % interval over the fresh replications).
    pub marginal_roi: Interval,
    /// What the two mean together, in a sentence.
    pub reading: String,
}

impl BudgetUse {
    /// From the plan's and the +10 % media run's KPIs.
    pub fn of(s: &Scenario, plan: &Strategy, base: &[Kpis], more: &[Kpis]) -> BudgetUse {
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        let planned_cost = planned_costs(s, plan).total();
        let margin = s.finance.gross_margin;
        let m: Vec<f64> = base
            .iter()
            .zip(more)
            .map(|(b, p)| {
                crate::truth::return_on_cost(
                    p.value(Kpi::Revenue) - b.value(Kpi::Revenue),
                    p.value(Kpi::CostTotal) - b.value(Kpi::CostTotal),
                    margin,
                )
            })
            .collect();
        let marginal_roi = interval(&m, INTERVAL_LEVEL);
        let unspent = budget - planned_cost;
        let share = if budget > 0.0 { unspent / budget } else { 0.0 };
        let mroi = match (marginal_roi.lo, marginal_roi.hi) {
            (Some(lo), Some(hi)) => format!("{:+.2} [{lo:+.2}, {hi:+.2}]", marginal_roi.mean),
            _ => format!("{:+.2}", marginal_roi.mean),
        };
        let reading = if share <= 0.01 {
            format!(
                "the plan spends the budget ({:.1} %); 10 % more media would return {mroi} per unit of cost",
                100.0 * (1.0 - share)
            )
        } else if marginal_roi.hi.is_some_and(|h| h < 0.0) {
            format!(
                "{:.0} ({:.1} %) left unspent: 10 % more media would return {mroi} per unit of cost, a loss, so leaving it unspent is justified",
                unspent,
                100.0 * share
            )
        } else if marginal_roi.lo.is_some_and(|l| l > 0.0) {
            format!(
                "{:.0} ({:.1} %) left unspent although 10 % more media would return {mroi} per unit of cost: more evaluations (--evals) should spend it",
                unspent,
                100.0 * share
            )
        } else {
            format!(
                "{:.0} ({:.1} %) left unspent; 10 % more media would return {mroi} per unit of cost (not clearly above or below 0)",
                unspent,
                100.0 * share
            )
        };
        BudgetUse {
            budget,
            planned_cost,
            unspent,
            marginal_roi,
            reading,
        }
    }
}

/// A target search's answer in `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetReport {
    /// The KPI.
    pub kpi: Kpi,
    /// The target value.
    pub value: f64,
    /// The plan's planned cost per 52 weeks: the smallest annual budget found that reaches the target.
    pub annual_budget_needed: f64,
    /// The plan's KPI on fresh replications at full resolution meets the target.
    pub met_on_fresh_replications: bool,
    /// Every budget tried.
    pub steps: Vec<TargetStepRow>,
}

/// `summary.json` of `omnimix optimize`: the plan against the current strategy and
/// an equal split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// omnimix version that produced it.
    pub omnimix_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Currency of money figures.
    pub currency: String,
    /// Objective searched.
    pub objective: String,
    /// Risk measure.
    pub risk: String,
    /// Master seed.
    pub seed: u64,
    /// Evaluations the search spent.
    pub evaluations: usize,
    /// Agent scale of the search.
    pub search_agent_scale: u32,
    /// Fresh replications of the comparison.
    pub replications: u32,
    /// Index of the first of them.
    pub first_replication: u32,
    /// What the intervals are.
    pub interval: String,
    /// What the intervals cover: `run-to-run noise`, or `run-to-run noise and parameter
    /// uncertainty (N posterior draws)`.
    #[serde(default = "noise_only")]
    pub interval_covers: String,
    /// The posterior file whose draws the replications ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<String>,
    /// The plan's KPIs.
    pub plan: KpiSummary,
    /// The current strategy's KPIs.
    pub current: KpiSummary,
    /// The equal split's KPIs.
    pub equal_split: KpiSummary,
    /// plan − baseline, paired by replication (common random numbers).
    pub difference_vs_current: BTreeMap<Kpi, Interval>,
    /// plan − equal split, paired by replication.
    pub difference_vs_equal_split: BTreeMap<Kpi, Interval>,
    /// A target search's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetReport>,
    /// The budget the plan leaves unspent and the marginal ROI of its media (absent
    /// in files written before it was reported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_use: Option<BudgetUse>,
}

/// The first lines of `plan.json` and the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanFile<'a> {
    /// omnimix version.
    pub omnimix_version: &'static str,
    /// Scenario name.
    pub scenario: &'a str,
    /// Objective searched.
    pub objective: &'static str,
    /// Risk measure.
    pub risk: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Evaluations spent.
    pub evaluations: usize,
    /// The plan, in the scenario's `[strategy]` format.
    pub strategy: &'a Strategy,
}

/// One row of `pareto.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoRow {
    /// Point of the front, from 1.
    pub point: usize,
    /// Retention (search scale, in-sample).
    pub retention: f64,
    /// ROI (search scale, in-sample).
    pub roi: f64,
    /// Planned cost over the horizon.
    pub cost_total: f64,
}

/// One row of `trace.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceRow {
    /// Evaluations done.
    pub evaluation: usize,
    /// Best objective so far.
    pub best: f64,
}

/// Everything a finished `optimize` reports.
#[derive(Debug, Clone)]
pub struct Optimized {
    /// The plan.
    pub plan: Strategy,
    /// The equal split it was compared with.
    pub equal_split: Strategy,
    /// `summary.json`.
    pub comparison: Comparison,
    /// `trace.csv`.
    pub trace: Vec<TraceRow>,
    /// `pareto.csv` of a Pareto search.
    pub pareto: Option<Vec<ParetoRow>>,
}

/// A prepared search: the plan space with its constraints and the coarse search model.
pub struct PlanSearch<'a> {
    cfg: &'a SearchConfig,
    space: PlanSpace,
    search_model: Scenario,
    /// The posterior's draws at search scale.
    search_draws: Draws,
    options: Options,
    /// The retention and roi objectives' floor (`optimize.guard_floor`), taken
    /// against the current plan on the same replication.
    guard: Option<f64>,
    /// The current plan's (revenue, customers at the horizon) on the search model,
    /// per replication, run once when the guard first needs it.
    current_by_rep: Mutex<BTreeMap<u32, (f64, f64)>>,
    /// The roi objective's (share of the current media to spend, current media over
    /// the horizon).
    spend_floor: Option<(f64, f64)>,
}

/// ROI lost per unit of the current media share left unspent below
/// `optimize.roi_spend_floor`.
pub const SPEND_FLOOR_PENALTY: f64 = 100.0;

impl<'a> PlanSearch<'a> {
    /// The plan space of the scenario with the fixes applied; constraints that cannot
    /// all be met are an error before any evaluation.
    pub fn new(cfg: &'a SearchConfig) -> Result<PlanSearch<'a>, StudyError> {
        let s = &cfg.scenario;
        let mut space = PlanSpace::new(s, &s.strategy).with_phases(cfg.phases);
        space
            .constrain(&cfg.fixes)
            .map_err(|e| StudyError::Fix(e.to_string()))?;
        space.space.feasibility().map_err(StudyError::Infeasible)?;
        let mut search_model = s.clone();
        search_model.agent_scale = s.agent_scale.saturating_mul(cfg.search_scale).max(1);
        let options = Options {
            evals: cfg.evals,
            seed: cfg.seed,
            risk: cfg.risk,
            initial: if cfg.hand_made_starts {
                space.warm_starts()
            } else {
                space.cold_starts()
            },
            directions: space.directions(),
            polish_share: 0.7,
            final_replications: cfg.final_replications.min(8),
            resume_from: match &cfg.resume {
                Some(Resume::Search(s)) => Some(s.clone()),
                _ => None,
            },
            ..Options::default()
        };
        // the retention and roi objectives' floor: the current plan on the same
        // replication (paired, so that the noise of one replication does not put a
        // plan below the floor, or above it)
        let floor = s.optimize.guard_floor;
        let guarded = matches!(cfg.objective, Objective::Retention | Objective::Roi);
        let guard = (guarded && floor > 0.0).then_some(floor);
        let spend_floor = (cfg.objective == Objective::Roi && s.optimize.roi_spend_floor > 0.0)
            .then(|| {
                (
                    s.optimize.roi_spend_floor,
                    planned_costs(s, &s.strategy).media,
                )
            });
        let scale = search_model.agent_scale;
        let search_draws = cfg.draws.map(|d| d.agent_scale = scale);
        Ok(PlanSearch {
            cfg,
            space,
            search_model,
            search_draws,
            options,
            guard,
            current_by_rep: Mutex::new(BTreeMap::new()),
            spend_floor,
        })
    }

    /// The plan space.
    pub fn space(&self) -> &PlanSpace {
        &self.space
    }

    /// The scenario the search simulates (agent scale × search scale).
    pub fn search_model(&self) -> &Scenario {
        &self.search_model
    }

    /// One evaluation: the objectives of decision vector `x` on replication `rep` at
    /// search scale. A pure function of its arguments (any thread, any rank).
    pub fn evaluate(&self, x: &[f64], rep: u32) -> Vec<f64> {
        let guard = self.guard.map(|floor| {
            let (revenue, customers) = self.current_on(rep);
            Guard {
                floor,
                revenue,
                customers,
            }
        });
        let st = self.space.decode(x);
        let model = self.search_draws.scenario_for(&self.search_model, rep);
        let world = World::new(model, &st);
        let r = run_replication(&world, self.cfg.seed, rep, false, &Silent);
        if self.cfg.objective.needs_counterfactual() {
            let w0 = World::new(model, &st.without_media(None));
            let r0 = run_replication(&w0, self.cfg.seed, rep, false, &Silent);
            let mut v = self
                .cfg
                .objective
                .values(&world, &r, Some((&w0, &r0)), guard.as_ref());
            if let Some((floor, budget)) = self.spend_floor {
                let spent = planned_costs(&self.search_model, &st).media / budget;
                v[0] -= SPEND_FLOOR_PENALTY * (floor - spent).max(0.0);
            }
            v
        } else {
            self.cfg.objective.values(&world, &r, None, guard.as_ref())
        }
    }

    /// The current plan's revenue and customers at the horizon on replication `rep`
    /// of the search model (a pure function of `rep`, cached).
    fn current_on(&self, rep: u32) -> (f64, f64) {
        if let Some(v) = self
            .current_by_rep
            .lock()
            .ok()
            .and_then(|m| m.get(&rep).copied())
        {
            return v;
        }
        let model = self.search_draws.scenario_for(&self.search_model, rep);
        let world = World::new(model, &self.cfg.scenario.strategy);
        let r = run_replication(&world, self.cfg.seed, rep, false, &Silent);
        let k = replication_kpis(&world, &r).0;
        let v = (k.value(Kpi::Revenue), k.value(Kpi::ActiveCustomers));
        if let Ok(mut m) = self.current_by_rep.lock() {
            m.insert(rep, v);
        }
        v
    }

    /// Run the search the configuration asks for. A target search works on the coarse
    /// model; its plan must meet the target at full resolution on fresh replications,
    /// so it aims higher by 1.5 × the shortfall and searches again when it does not
    /// ([`TARGET_ROUNDS`] rounds at most; a budget is searched once across rounds).
    pub fn search(
        &self,
        evaluator: &dyn Evaluator,
        observer: &dyn Observer,
        checkpointer: Option<&mut dyn AnyCheckpointer>,
    ) -> Result<Found, StudyError> {
        if self.cfg.objective == Objective::Pareto {
            self.search_pareto(evaluator, observer, checkpointer)
        } else if let Some(target) = self.cfg.target {
            self.search_target(target, evaluator, observer, checkpointer)
        } else {
            let cp = checkpointer.map(|c| c as &mut dyn Checkpointer<SearchState>);
            let o = optimize(&self.space.space, evaluator, &self.options, observer, cp)
                .map_err(StudyError::search("search failed"))?;
            Ok(Found {
                x: o.x,
                trace: running_best(o.trace),
                evals_done: o.evals_done,
                front: None,
                target_steps: None,
            })
        }
    }

    /// The Pareto search; the plan is the front's best-retention point whose ROI is
    /// positive, else the best-retention point.
    fn search_pareto(
        &self,
        evaluator: &dyn Evaluator,
        observer: &dyn Observer,
        checkpointer: Option<&mut dyn AnyCheckpointer>,
    ) -> Result<Found, StudyError> {
        let cp = checkpointer.map(|c| c as &mut dyn Checkpointer<ParetoState>);
        let resume = match &self.cfg.resume {
            Some(Resume::Pareto(s)) => Some(s.clone()),
            _ => None,
        };
        let o = optimize_pareto_resumable(
            &self.space.space,
            evaluator,
            &self.options,
            observer,
            cp,
            resume,
        )
        .map_err(StudyError::search("Pareto search failed"))?;
        let best = choose_from_front(&o.front).ok_or(StudyError::NoPlan("empty front"))?;
        Ok(Found {
            x: best.x.clone(),
            trace: vec![(o.evals_done, best.objectives[0])],
            evals_done: o.evals_done,
            front: Some(o.front.clone()),
            target_steps: None,
        })
    }

    fn search_target(
        &self,
        target: f64,
        evaluator: &dyn Evaluator,
        observer: &dyn Observer,
        mut checkpointer: Option<&mut dyn AnyCheckpointer>,
    ) -> Result<Found, StudyError> {
        let kpi = self.cfg.objective.kpi();
        let mut aim = target;
        let mut steps = Vec::new();
        let mut evals = 0;
        let mut chosen = None;
        let mut state = match &self.cfg.resume {
            Some(Resume::Target(s)) => s.clone(),
            _ => TargetState::default(),
        };
        for _ in 0..TARGET_ROUNDS {
            let topts = TargetOptions {
                search: self.options.clone(),
                target: aim,
                ..TargetOptions::default()
            };
            let cp = checkpointer
                .as_deref_mut()
                .map(|c| c as &mut dyn Checkpointer<TargetState>);
            let o = minimal_budget_resumable(
                &self.space.space,
                evaluator,
                &topts,
                observer,
                cp,
                &mut state,
            )
            .map_err(|e| match e {
                omnimix_optimizer::Error::TargetUnreachable {
                    target,
                    best,
                    budget,
                } => StudyError::TargetUnreachable {
                    kpi,
                    target,
                    best,
                    budget,
                },
                e => StudyError::search("target search failed")(e),
            })?;
            evals += o.steps.len() * self.options.evals;
            steps.extend(o.steps.iter().map(|t| TargetStepRow {
                budget: t.budget,
                estimate: t.estimate,
                reached: t.reached,
            }));
            let full = fresh_kpis(
                &self.cfg.scenario,
                &self.cfg.draws,
                &self.space.decode(&o.plan.x),
                self.cfg.seed,
                self.cfg.final_replications,
                &Local,
            );
            let achieved = mean_of(&full, kpi);
            chosen = Some((o.plan.x.clone(), running_best(o.plan.trace.clone())));
            if achieved >= target {
                break;
            }
            aim += (target - achieved) * 1.5;
        }
        let (x, trace) = chosen.ok_or(StudyError::NoPlan("no target round ran"))?;
        Ok(Found {
            x,
            trace,
            evals_done: evals,
            front: None,
            target_steps: Some(steps),
        })
    }

    /// The plan, the current strategy and the equal split on fresh replications at
    /// full resolution; under several ranks every rank must call it alike (the
    /// shards are split over them).
    pub fn validate(&self, x: &[f64], exchange: &dyn ShardExchange) -> Fresh {
        let s = &self.cfg.scenario;
        let (seed, reps) = (self.cfg.seed, self.cfg.final_replications);
        let plan = self.space.decode(x);
        let equal_split = self.space.equal_split();
        // replication r of every strategy runs on the same draw, so differences stay paired
        let d = &self.cfg.draws;
        let kpis = [
            fresh_kpis(s, d, &plan, seed, reps, exchange),
            fresh_kpis(s, d, &s.strategy, seed, reps, exchange),
            fresh_kpis(s, d, &equal_split, seed, reps, exchange),
        ];
        // only revenue and cost are read from it: no run without paid media
        let more = plan.with_paid_media_scaled(1.1);
        let (worlds, runs) = fresh_runs(s, d, &more, seed, reps, exchange);
        let more_media = runs
            .iter()
            .map(|r| replication_kpis(worlds.for_rep(r.index), r).0)
            .collect();
        Fresh {
            plan,
            equal_split,
            kpis,
            more_media,
        }
    }

    /// What `optimize` reports, from the search and the fresh runs.
    pub fn outcome(&self, found: Found, fresh: &Fresh) -> Optimized {
        let s = &self.cfg.scenario;
        let [k_plan, k_cur, k_eq] = &fresh.kpis;
        let summary = |k: &[Kpis]| KpiSummary::from_replications(&k.iter().collect::<Vec<_>>());
        let target = found.target_steps.map(|steps| {
            let value = self.cfg.target.unwrap_or(f64::NAN);
            TargetReport {
                kpi: self.cfg.objective.kpi(),
                value,
                annual_budget_needed: planned_costs(s, &fresh.plan).total() * 52.0
                    / s.horizon_weeks as f64,
                met_on_fresh_replications: mean_of(k_plan, self.cfg.objective.kpi()) >= value,
                steps,
            }
        });
        let comparison = Comparison {
            omnimix_version: env!("CARGO_PKG_VERSION").into(),
            scenario: s.name.clone(),
            currency: s.currency.clone(),
            objective: self.cfg.objective.name().into(),
            risk: self.cfg.risk_name.clone(),
            seed: self.cfg.seed,
            evaluations: found.evals_done,
            search_agent_scale: self.search_model.agent_scale,
            replications: self.cfg.final_replications,
            first_replication: OUT_OF_SAMPLE_BASE,
            interval: "90 % Student-t interval of the mean over fresh replications; differences paired by replication".into(),
            interval_covers: self.cfg.draws.interval_covers(),
            posterior: self.cfg.draws.posterior(),
            plan: summary(k_plan),
            current: summary(k_cur),
            equal_split: summary(k_eq),
            difference_vs_current: paired(k_plan, k_cur),
            difference_vs_equal_split: paired(k_plan, k_eq),
            target,
            budget_use: Some(BudgetUse::of(s, &fresh.plan, k_plan, &fresh.more_media)),
        };
        let pareto = found.front.map(|points| {
            points
                .iter()
                .enumerate()
                .map(|(i, p)| ParetoRow {
                    point: i + 1,
                    retention: p.objectives[0],
                    roi: p.objectives[1],
                    cost_total: planned_costs(s, &self.space.decode(&p.x)).total(),
                })
                .collect()
        });
        Optimized {
            plan: fresh.plan.clone(),
            equal_split: fresh.equal_split.clone(),
            comparison,
            trace: found
                .trace
                .iter()
                .map(|&(evaluation, best)| TraceRow { evaluation, best })
                .collect(),
            pareto,
        }
    }
}

/// A search trace as `trace.csv` reports it: the best in-sample estimate so far,
/// which never goes down (a later re-estimate of the incumbent on more
/// replications can be lower; the fresh replications give the plan's figure).
fn running_best(trace: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    let mut best = f64::NEG_INFINITY;
    trace
        .into_iter()
        .map(|(n, v)| {
            best = best.max(v);
            (n, best)
        })
        .collect()
}

/// The plan reported from a front: the best-retention point whose ROI is positive,
/// else the best-retention point.
pub fn choose_from_front(front: &[FrontPoint]) -> Option<&FrontPoint> {
    let by_retention =
        |a: &&FrontPoint, b: &&FrontPoint| a.objectives[0].total_cmp(&b.objectives[0]);
    front
        .iter()
        .filter(|p| p.objectives[1] > 0.0)
        .max_by(by_retention)
        .or_else(|| front.iter().max_by(by_retention))
}

/// Mean of a KPI over replications (undefined values count as 0).
fn mean_of(ks: &[Kpis], kpi: Kpi) -> f64 {
    ks.iter().map(|k| k.value(kpi)).sum::<f64>() / ks.len().max(1) as f64
}

/// a − b per [`COMPARED`] KPI, paired by replication.
pub fn paired(a: &[Kpis], b: &[Kpis]) -> BTreeMap<Kpi, Interval> {
    COMPARED
        .iter()
        .map(|&kpi| {
            let d: Vec<f64> = a
                .iter()
                .zip(b)
                .map(|(x, y)| x.value(kpi) - y.value(kpi))
                .collect();
            (kpi, interval(&d, INTERVAL_LEVEL))
        })
        .collect()
}

/// A strategy's worlds (one per posterior draw used) and its runs on fresh
/// replications at full resolution.
fn fresh_runs(
    s: &Scenario,
    draws: &Draws,
    st: &Strategy,
    seed: u64,
    reps: u32,
    exchange: &dyn ShardExchange,
) -> (Worlds, Vec<Replication>) {
    let range = OUT_OF_SAMPLE_BASE..OUT_OF_SAMPLE_BASE + reps;
    let worlds = Worlds::new(s, draws, st, range);
    let opts = RunOptions {
        seed,
        replications: reps,
        first_replication: OUT_OF_SAMPLE_BASE,
        journeys: false,
    };
    let runs = worlds.run_on(&opts, &Silent, exchange);
    (worlds, runs)
}

fn noise_only() -> String {
    crate::posterior::NOISE_ONLY.into()
}

/// Company KPIs of a strategy on fresh replications at full resolution, the
/// incremental ones against the same replications without paid media.
pub fn fresh_kpis(
    s: &Scenario,
    draws: &Draws,
    st: &Strategy,
    seed: u64,
    reps: u32,
    exchange: &dyn ShardExchange,
) -> Vec<Kpis> {
    let (worlds, runs) = fresh_runs(s, draws, st, seed, reps, exchange);
    let (without, runs0) = fresh_runs(s, draws, &st.without_media(None), seed, reps, exchange);
    worlds
        .kpis(&runs, Some((&without, &runs0)))
        .into_iter()
        .map(|k| k.0)
        .collect()
}
