//! Target mode: the smallest budget whose optimised plan reaches a target on objective 0
//! ("what does retention ≥ 0.75 cost?").

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::eval::Evaluator;
use crate::search::{Checkpointer, Observer, Options, Outcome, SearchState, optimize};
use crate::space::Space;

/// Options of [`minimal_budget`].
#[derive(Clone, Debug)]
pub struct TargetOptions {
    /// Options of every inner optimisation (same seed each time: common random numbers
    /// across budgets). `resume_from` must be `None`.
    pub search: Options,
    /// Target on the out-of-sample, risk-adjusted objective 0 (`Outcome::objective.value`).
    pub target: f64,
    /// Smallest budget to consider; `None`: the cost of the least-cost feasible plan.
    pub budget_min: Option<f64>,
    /// Largest budget to consider; `None`: the space's budget.
    pub budget_max: Option<f64>,
    /// Stop when the bracket is narrower than this share of its upper end.
    pub rel_tol: f64,
    /// Most bisection steps (inner optimisations after the first one at the largest budget).
    pub max_steps: usize,
    /// When the target is not reached at the largest budget, the budget doubles until
    /// it is, up to this multiple of the largest budget (1: search below it only).
    pub grow_to: f64,
}

impl Default for TargetOptions {
    fn default() -> Self {
        Self {
            search: Options::default(),
            target: 0.0,
            budget_min: None,
            budget_max: None,
            rel_tol: 0.01,
            max_steps: 10,
            grow_to: 4.0,
        }
    }
}

/// One inner optimisation of the bisection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetStep {
    /// Budget tried.
    pub budget: f64,
    /// Out-of-sample objective estimate of the optimised plan (`None`: infeasible budget).
    pub estimate: Option<f64>,
    /// Whether it reached the target.
    pub reached: bool,
}

/// Result of [`minimal_budget`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetOutcome {
    /// Smallest budget found that reaches the target (upper end of the final bracket).
    pub budget: f64,
    /// The plan at that budget; `plan.objective.value >= target`.
    pub plan: Outcome,
    /// Largest budget found not to reach it (lower end of the final bracket).
    pub budget_not_enough: Option<f64>,
    /// Every inner optimisation, in order.
    pub steps: Vec<TargetStep>,
}

/// Everything a target search needs to continue after a kill: the outcome of every
/// inner optimisation finished so far (by budget; an inner run depends on its budget
/// only, so the record stays valid when the target changes) and the state of the one
/// running. Serialise it in a [`Checkpointer`] and pass it back to
/// [`minimal_budget_resumable`]: finished budgets are not searched again and the
/// running one resumes, so the result is the same bit for bit.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TargetState {
    /// Finished inner optimisations: (budget, outcome; `None`: infeasible budget).
    pub done: Vec<(f64, Option<Outcome>)>,
    /// The inner optimisation under way: (budget, its state).
    pub current: Option<(f64, SearchState)>,
}

impl TargetState {
    fn finished(&self, budget: f64) -> Option<&Option<Outcome>> {
        self.done
            .iter()
            .find(|(b, _)| b.to_bits() == budget.to_bits())
            .map(|(_, o)| o)
    }
}

/// Saves the target state whenever the inner search checkpoints.
struct Inner<'a, 'b> {
    outer: &'a mut dyn Checkpointer<TargetState>,
    state: &'b mut TargetState,
    budget: f64,
}

impl Checkpointer for Inner<'_, '_> {
    fn save(&mut self, s: &SearchState) {
        self.state.current = Some((self.budget, s.clone()));
        self.outer.save(self.state);
    }
}

/// Passes progress on with an offset so the bar counts all inner runs.
struct Offset<'a> {
    inner: &'a dyn Observer,
    offset: usize,
}

impl Observer for Offset<'_> {
    fn progress(&self, evals_done: usize, best: f64) {
        self.inner.progress(self.offset + evals_done, best);
    }
    fn stop_requested(&self) -> bool {
        self.inner.stop_requested()
    }
}

/// Bisection on the budget: optimise at the largest budget (error if the target is out of
/// reach), then halve the bracket `[budget_min, budget_max]`, each step a full
/// [`optimize`] with the budget replaced, until it is narrower than `rel_tol` or
/// `max_steps` are done. Assumes the optimised objective grows with the budget (noise and
/// an imperfect inner search can break that locally; the result is still a plan that
/// reached the target out of sample).
///
/// # Errors
/// [`Error::TargetUnreachable`], [`Error::InvalidOption`], and the errors of `optimize`.
pub fn minimal_budget<E: Evaluator + ?Sized>(
    space: &Space,
    evaluator: &E,
    options: &TargetOptions,
    observer: &dyn Observer,
) -> Result<TargetOutcome, Error> {
    minimal_budget_resumable(
        space,
        evaluator,
        options,
        observer,
        None,
        &mut TargetState::default(),
    )
}

/// [`minimal_budget`] that records its progress in `state` (saved through
/// `checkpointer` whenever an inner search checkpoints or finishes) and reuses what
/// `state` already holds: pass the state of a killed run to resume it, or one state
/// through several calls with different targets to search each budget once.
///
/// # Errors
/// As [`minimal_budget`]; [`Error::ResumeMismatch`] when the running inner state
/// belongs to other options.
pub fn minimal_budget_resumable<E: Evaluator + ?Sized>(
    space: &Space,
    evaluator: &E,
    options: &TargetOptions,
    observer: &dyn Observer,
    mut checkpointer: Option<&mut dyn Checkpointer<TargetState>>,
    state: &mut TargetState,
) -> Result<TargetOutcome, Error> {
    if options.search.resume_from.is_some() {
        return Err(Error::InvalidOption {
            name: "resume_from",
            value: "Some".into(),
            allowed: "None in target mode",
        });
    }
    if !(options.rel_tol > 0.0 && options.rel_tol < 1.0 && options.target.is_finite()) {
        return Err(Error::InvalidOption {
            name: "rel_tol/target",
            value: format!("{}/{}", options.rel_tol, options.target),
            allowed: "0 < rel_tol < 1 and a finite target",
        });
    }
    let mut hi = options.budget_max.unwrap_or(space.budget);
    space
        .with_budget(hi)
        .feasibility()
        .map_err(Error::Infeasible)?;
    let mut lo = match options.budget_min {
        Some(b) => b,
        None => space
            .with_budget(hi)
            .least_cost_point()
            .map_or(0.0, |x| space.cost(&x)),
    };
    if !(lo.is_finite() && lo <= hi) {
        return Err(Error::InvalidOption {
            name: "budget_min",
            value: lo.to_string(),
            allowed: "finite and <= budget_max",
        });
    }
    let mut offset = 0usize;
    let mut steps = Vec::new();
    let mut run = |budget: f64, offset: &mut usize| -> Result<Option<Outcome>, Error> {
        if let Some(done) = state.finished(budget) {
            *offset += done.as_ref().map_or(0, |o| o.evals_done + o.final_evals);
            return Ok(done.clone());
        }
        let s = space.with_budget(budget);
        let out = if s.feasibility().is_err() {
            None
        } else {
            let obs = Offset {
                inner: observer,
                offset: *offset,
            };
            let resume_from = match state.current.take() {
                Some((b, st)) if b.to_bits() == budget.to_bits() => Some(st),
                _ => None,
            };
            let search = Options {
                resume_from,
                ..options.search.clone()
            };
            let out = match checkpointer.as_deref_mut() {
                Some(outer) => {
                    let mut inner = Inner {
                        outer,
                        state: &mut *state,
                        budget,
                    };
                    optimize(&s, evaluator, &search, &obs, Some(&mut inner))?
                }
                None => optimize(&s, evaluator, &search, &obs, None)?,
            };
            *offset += out.evals_done + out.final_evals;
            Some(out)
        };
        state.current = None;
        state.done.push((budget, out.clone()));
        if let Some(cp) = checkpointer.as_deref_mut() {
            cp.save(state);
        }
        Ok(out)
    };
    let top = run(hi, &mut offset)?;
    let Some(mut best) = top else {
        return Err(Error::Solver("largest budget infeasible".into()));
    };
    let mut reached = best.objective.value >= options.target;
    steps.push(TargetStep {
        budget: hi,
        estimate: Some(best.objective.value),
        reached,
    });
    // above the budget: double it until the target is reached (the budget it needs)
    let ceiling = hi * options.grow_to.max(1.0);
    while !reached && hi * 2.0 <= ceiling * (1.0 + 1e-12) {
        lo = hi;
        hi *= 2.0;
        let Some(o) = run(hi, &mut offset)? else {
            break;
        };
        reached = o.objective.value >= options.target;
        steps.push(TargetStep {
            budget: hi,
            estimate: Some(o.objective.value),
            reached,
        });
        best = o;
    }
    if !reached {
        return Err(Error::TargetUnreachable {
            target: options.target,
            budget: hi,
            best: best.objective.value,
        });
    }
    let mut not_enough = None;
    for _ in 0..options.max_steps {
        if hi - lo <= options.rel_tol * hi.abs().max(f64::MIN_POSITIVE) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        let out = run(mid, &mut offset)?;
        let estimate = out.as_ref().map(|o| o.objective.value);
        let reached = estimate.is_some_and(|v| v >= options.target);
        steps.push(TargetStep {
            budget: mid,
            estimate,
            reached,
        });
        match out {
            Some(o) if reached => {
                hi = mid;
                best = o;
            }
            _ => {
                lo = mid;
                not_enough = Some(mid);
            }
        }
    }
    Ok(TargetOutcome {
        budget: hi,
        plan: best,
        budget_not_enough: not_enough,
        steps,
    })
}
