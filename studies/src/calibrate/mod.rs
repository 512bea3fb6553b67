//! Calibration: fit a scenario's free parameters to the company's own history by
//! simulation-based inference on common random numbers (`omnimix calibrate`).
//!
//! The history's weekly spend is replayed through the engine
//! ([`observed::history_strategy`]); every simulated series is compared with the
//! observed one. The loss is the negative log-likelihood of Gaussian weekly errors
//! with the covariance of each country's series profiled out, `Σ_c f_c · n / 2 ·
//! ln det Σ̂_c`, where `f_c` discounts the weeks for the autocorrelation of the
//! residuals; lift tests add `(measured − model)² / (2 se²)`. The search runs on the
//! unit cube of the priors' quantiles (so the prior is flat there): a
//! Latin-hypercube design and a cross-entropy search at a coarse agent scale (started
//! twice, from distinct design points), then the same search at the scenario's scale.
//! The posterior's mode comes from checked Gauss–Newton steps on a local emulator of
//! every weekly value, its covariance the sandwich of that
//! emulator's information and the score's variance over independent replications at
//! the mode and one posterior sd beside it (the history's noise and the fit's own),
//! plus the step the fit did not take ([`fit`]). Every simulation goes through an [`Evaluator`], so MPI ranks
//! farm them like an optimisation's; [`replay`] makes a fit resumable from the
//! answers it has simulated.

pub mod fit;
pub mod metrics;
pub mod observed;
pub mod prior;
pub mod replay;
pub mod synthetic;

use omnimix_optimizer::{Candidate, Evaluator};
use omnimix_sim::Scenario;
use omnimix_sim::channel::Channel;
use omnimix_sim::engine::{Silent, run_replication};
use omnimix_sim::scenario::Strategy;
use omnimix_sim::scenario::calibrate::{Posterior, Prior};
use omnimix_sim::world::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use fit::{Fit, FitObserver};
pub use metrics::FitMetrics;
pub use observed::{CohortTarget, LiftTarget, Measure, Observed, Series};
pub use replay::{Replay, ReplayLog};

use crate::StudyError;

/// A free parameter: a scenario key path and its prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreeParam {
    /// Key path, e.g. `channels.search.conversion`.
    pub path: String,
    /// Its prior.
    pub prior: Prior,
}

impl FreeParam {
    /// The free parameters a scenario's `[calibrate.params]` names, in key order.
    pub fn of(s: &Scenario) -> Vec<FreeParam> {
        s.calibrate
            .params
            .0
            .iter()
            .map(|(path, prior)| FreeParam {
                path: path.clone(),
                prior: prior.clone(),
            })
            .collect()
    }
}

/// Everything a fit needs.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The scenario as the user gave it (validated); its values are the starting point.
    pub scenario: Scenario,
    /// The company's history.
    pub observed: Observed,
    /// Free parameters.
    pub params: Vec<FreeParam>,
    /// Last weeks left out of the fit.
    pub holdout: usize,
    /// Master seed.
    pub seed: u64,
    /// Replications averaged per simulated history.
    pub replications: u32,
    /// Simulated histories the fit may run.
    pub evaluations: usize,
    /// Posterior draws to return.
    pub draws: usize,
    /// Weight per KPI name (missing: 1).
    pub weights: BTreeMap<String, f64>,
    /// Customers per agent at the coarse stage.
    pub coarse_scale: u32,
    /// The history strategy (spend as it happened).
    pub strategy: Strategy,
}

impl Problem {
    /// A problem from a scenario, its history and free parameters; the coarse scale
    /// defaults to about 50 000 agents in the largest country (never finer than the
    /// scenario's own scale).
    pub fn new(scenario: Scenario, observed: Observed, params: Vec<FreeParam>) -> Problem {
        let k = &scenario.calibrate;
        let largest = scenario
            .countries
            .values()
            .map(|c| c.population)
            .fold(0.0, f64::max);
        let auto = ((largest / 50_000.0).round() as u32).max(1);
        let coarse = k
            .coarse_agent_scale
            .unwrap_or(auto)
            .max(scenario.agent_scale);
        let strategy = observed::history_strategy(&scenario, &observed);
        Problem {
            holdout: k.holdout_weeks as usize,
            seed: scenario.seed,
            replications: k.replications.max(1),
            evaluations: k.evaluations as usize,
            draws: k.draws as usize,
            weights: k.weights.clone(),
            coarse_scale: coarse,
            strategy,
            params,
            observed,
            scenario,
        }
    }

    /// Dimension of the search.
    pub fn dim(&self) -> usize {
        self.params.len()
    }

    /// Weeks in the fit (the history less the holdout).
    pub fn fit_weeks(&self) -> usize {
        self.observed.weeks().saturating_sub(self.holdout)
    }

    /// Parameter values at cube point `u`.
    pub fn values(&self, u: &[f64]) -> Vec<f64> {
        self.params
            .iter()
            .zip(u)
            .map(|(p, &u)| prior::to_value(&p.prior, u))
            .collect()
    }

    /// The scenario with the values at `u` (at the given agent scale), ready to
    /// simulate the history; an error when the values fail validation.
    pub fn scenario_at(&self, u: &[f64], scale: u32) -> Result<Scenario, String> {
        let vals = self.values(u);
        let s = self
            .scenario
            .with_values(self.params.iter().map(|p| p.path.as_str()).zip(vals))?;
        Ok(observed::history_scenario(&s, &self.observed, scale))
    }

    /// Length of one evaluation's answer: every series' weeks, then one incremental
    /// effect per lift test, then one share per cohort point.
    pub fn answer_len(&self) -> usize {
        self.observed.series.len() * self.observed.weeks()
            + self.observed.lift.len()
            + self.observed.cohorts.len()
    }

    /// One evaluation: `x` = cube point followed by the agent scale; the history
    /// simulated on replication `rep` (and once more per lift test with the tested
    /// channel off in its weeks). NaN everywhere when the point's values are invalid.
    pub fn evaluate(&self, x: &[f64], rep: u32) -> Vec<f64> {
        let d = self.dim();
        let scale = x.get(d).copied().unwrap_or(1.0).max(1.0) as u32;
        let Ok(s) = self.scenario_at(&x[..d.min(x.len())], scale) else {
            return vec![f64::NAN; self.answer_len()];
        };
        let world = World::new(&s, &self.strategy);
        let r = run_replication(&world, self.seed, rep, false, &Silent);
        let mut out: Vec<f64> = observed::simulated_series(&world, &r, &self.observed)
            .into_iter()
            .flatten()
            .collect();
        for t in &self.observed.lift {
            let off =
                observed::without_channel(&self.strategy, &t.country, t.channel, t.start, t.end);
            let w0 = World::new(&s, &off);
            let r0 = run_replication(&w0, self.seed, rep, false, &Silent);
            let ci = world.countries.iter().position(|c| c.code == t.country);
            let total = |w: &World, r: &omnimix_sim::engine::Replication| -> f64 {
                ci.map_or(f64::NAN, |ci| {
                    let scale = w.countries[ci].scale;
                    (t.start..=t.end.min(r.weeks.len().saturating_sub(1)))
                        .map(|k| t.measure.of(&r.weeks[k][ci], scale))
                        .sum()
                })
            };
            out.push(total(&world, &r) - total(&w0, &r0));
        }
        out.extend(observed::simulated_cohorts(&world, &r, &self.observed));
        out
    }

    /// The answer of each replication in `reps` at one point (one batch).
    pub fn answers(
        &self,
        evaluator: &dyn Evaluator,
        u: &[f64],
        scale: u32,
        reps: impl Iterator<Item = u32>,
    ) -> Vec<Vec<f64>> {
        let mut x = u.to_vec();
        x.push(scale as f64);
        let batch: Vec<Candidate> = reps
            .map(|r| Candidate {
                x: x.clone(),
                replication: r,
            })
            .collect();
        evaluator
            .evaluate(&batch)
            .into_iter()
            .map(|e| e.objectives)
            .collect()
    }

    /// Mean answer over replications `reps` for several points at once (one batch).
    pub fn mean_answers(
        &self,
        evaluator: &dyn Evaluator,
        points: &[Vec<f64>],
        scale: u32,
        reps: std::ops::Range<u32>,
    ) -> Vec<Vec<f64>> {
        let nr = reps.len().max(1);
        let batch: Vec<Candidate> = points
            .iter()
            .flat_map(|u| {
                let mut x = u.clone();
                x.push(scale as f64);
                reps.clone().map(move |r| Candidate {
                    x: x.clone(),
                    replication: r,
                })
            })
            .collect();
        let out = evaluator.evaluate(&batch);
        out.chunks(nr)
            .map(|ch| {
                let mut m = vec![0.0; self.answer_len()];
                for e in ch {
                    for (a, b) in m.iter_mut().zip(&e.objectives) {
                        *a += b / nr as f64;
                    }
                }
                m
            })
            .collect()
    }

    /// The model's incremental orders (and revenue) of each paid channel over the
    /// history at cube point `u`: the history against the history without that
    /// channel, same seeds.
    pub fn channel_effects(
        &self,
        u: &[f64],
        scale: u32,
        reps: std::ops::Range<u32>,
    ) -> Result<Vec<ChannelEffect>, String> {
        let s = self.scenario_at(u, scale)?;
        let world = World::new(&s, &self.strategy);
        let n = self.observed.weeks();
        let sum = |w: &World, st_reps: &[omnimix_sim::engine::Replication], m: Measure| -> f64 {
            st_reps
                .iter()
                .map(|r| {
                    w.countries
                        .iter()
                        .enumerate()
                        .map(|(ci, c)| r.weeks.iter().map(|wk| m.of(&wk[ci], c.scale)).sum::<f64>())
                        .sum::<f64>()
                })
                .sum::<f64>()
                / st_reps.len().max(1) as f64
        };
        let run = |w: &World| -> Vec<omnimix_sim::engine::Replication> {
            reps.clone()
                .map(|r| run_replication(w, self.seed, r, false, &Silent))
                .collect()
        };
        let base = run(&world);
        let (o, v) = (
            sum(&world, &base, Measure::Orders),
            sum(&world, &base, Measure::Revenue),
        );
        let mut out = Vec::new();
        for c in Channel::ALL.iter().filter(|c| !c.is_service()) {
            let spent: f64 = self
                .observed
                .spend
                .iter()
                .map(|(_, w)| w.iter().map(|x| x[c.index()]).sum::<f64>())
                .sum();
            if spent <= 0.0 {
                continue;
            }
            let mut off = self.strategy.clone();
            for (code, _) in &self.observed.spend {
                off = observed::without_channel(&off, code, *c, 0, n);
            }
            let w0 = World::new(&s, &off);
            let r0 = run(&w0);
            out.push(ChannelEffect {
                channel: *c,
                spend: spent,
                incremental_orders: o - sum(&w0, &r0, Measure::Orders),
                incremental_revenue: v - sum(&w0, &r0, Measure::Revenue),
            });
        }
        Ok(out)
    }
}

/// A channel's incremental effect over the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelEffect {
    /// The channel.
    pub channel: Channel,
    /// Its spend over the history.
    pub spend: f64,
    /// Orders it added.
    pub incremental_orders: f64,
    /// Revenue it added.
    pub incremental_revenue: f64,
}

/// One free parameter's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamRow {
    /// Key path.
    pub path: String,
    /// Prior, described.
    pub prior: String,
    /// The scenario's value before the fit.
    pub start: f64,
    /// Posterior median.
    pub estimate: f64,
    /// 5 % quantile of the posterior.
    pub lo: f64,
    /// 95 % quantile of the posterior.
    pub hi: f64,
    /// Posterior sd over prior sd (1: the data said nothing about it).
    pub sd_ratio: f64,
}

/// One week of one series: observed against fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRow {
    /// Country code.
    pub country: String,
    /// KPI name.
    pub kpi: String,
    /// Week label.
    pub week: String,
    /// Observed value.
    pub observed: f64,
    /// Fitted (the model at the estimate, mean over replications).
    pub fitted: f64,
    /// 5 % quantile over posterior draws (each on its own replication).
    pub lo: f64,
    /// 95 % quantile.
    pub hi: f64,
    /// True for a holdout week (not used in the fit).
    pub holdout: bool,
}

/// Fit metrics of one series, in and out of sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesMetrics {
    /// Country code.
    pub country: String,
    /// KPI name.
    pub kpi: String,
    /// Over the fitted weeks.
    pub fit: FitMetrics,
    /// Over the holdout weeks (None without holdout).
    pub holdout: Option<FitMetrics>,
}

/// A lift test against the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftRow {
    /// The test.
    pub test: LiftTarget,
    /// The model's incremental effect at the estimate.
    pub model: f64,
    /// 5 % quantile over posterior draws.
    pub lo: f64,
    /// 95 % quantile.
    pub hi: f64,
}

/// The result of `omnimix calibrate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Parameter table.
    pub params: Vec<ParamRow>,
    /// Posterior draws (values, not cube points).
    pub posterior: Posterior,
    /// Observed vs fitted, week by week.
    pub fit: Vec<FitRow>,
    /// Metrics per series.
    pub metrics: Vec<SeriesMetrics>,
    /// Lift tests vs the model.
    pub lift: Vec<LiftRow>,
    /// Channel effects over the history at the estimate.
    pub effects: Vec<ChannelEffect>,
    /// The estimate (posterior median) per parameter, as `(path, value)`.
    pub estimate: Vec<(String, f64)>,
    /// Loss after each batch: `(simulated histories, best loss)`.
    pub trace: Vec<(usize, f64)>,
    /// Simulated histories run.
    pub evaluations: usize,
    /// Agent scales of the coarse and the refined stage.
    pub scales: (u32, u32),
}

/// Run the whole fit and score it.
pub fn calibrate(
    problem: &Problem,
    evaluator: &dyn Evaluator,
    observer: &dyn FitObserver,
) -> Result<Calibration, StudyError> {
    let f = fit::fit(problem, evaluator, observer)?;
    Ok(fit::summarise(problem, evaluator, &f))
}
