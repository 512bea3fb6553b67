//! # omnimix-optimizer
//!
//! Decision space, constraints, objectives and search for omnimix's channel-mix plans.
//! Pure: no files, no printing, no clocks, no OS entropy. It talks to the world through
//! traits: an [`Evaluator`] runs batches of (plan, replication) candidates (rayon here, MPI
//! ranks later), an [`Observer`] sees progress and may ask to stop, a [`Checkpointer`]
//! persists the [`SearchState`] so a killed run resumes to the same result.
//!
//! * [`Space`]: variables (continuous / integer / binary, optionally semi-continuous
//!   "minimum viable spend", fixed or bounded, with a cost per unit), one budget
//!   constraint, named group caps and floors; [`Space::repair`] maps any vector to a
//!   feasible one, [`Space::check`] lists violations, [`Space::feasibility`] names
//!   conflicting constraints before any search.
//! * [`optimize`]: maximises objective 0 under a [`Risk`] measure over replications, with
//!   common random numbers, argmin's particle swarm, a compass-search polish,
//!   successive-halving races, and a final out-of-sample estimate.
//! * [`optimize_pareto`] (NSGA-II) and [`pareto_front`] for retention vs ROI.
//! * [`minimal_budget`]: the smallest budget that reaches a target.
//! * [`plan`]: the simulator's decisions (spend, staff, integration, creative share)
//!   as a [`Space`], and back to a valid strategy within the budget.
//!
//! All objectives are maximised. An evaluation's cost is counted in simulator runs: one
//! (candidate, replication) pair is one evaluation.
//!
//! ## Example
//!
//! Three channels with concave responses `a·ln(1 + x/b)` and a budget of 100; the best plan
//! equalises marginal returns (`x = (40, 50, 10)`).
//!
//! ```
//! use omnimix_optimizer::{NoObserver, Options, RayonEvaluator, Space, Variable, optimize};
//!
//! let (a, b) = ([60.0, 60.0, 20.0], [20.0, 10.0, 10.0]);
//! let mut space = Space::new(100.0);
//! for i in 0..3 {
//!     space.add_variable(Variable::continuous(format!("ch{i}"), 0.0, 100.0).with_cost(1.0));
//! }
//! // Objective 0 is the response; `rep` would select the simulator's random streams.
//! let evaluator = RayonEvaluator::new(|x: &[f64], _rep: u32| {
//!     vec![(0..3).map(|i| a[i] * (1.0 + x[i] / b[i]).ln()).sum()]
//! });
//! let options = Options { evals: 1500, seed: 1, replications: 1, max_replications: 1, final_replications: 1, ..Options::default() };
//! let out = optimize(&space, &evaluator, &options, &NoObserver, None).unwrap();
//! assert!(space.check(&out.x).is_empty());
//! assert!((out.x[0] - 40.0).abs() < 1.0 && (out.x[1] - 50.0).abs() < 1.0);
//! ```

#![warn(missing_docs)]

mod error;
mod eval;
mod pareto;
pub mod plan;
mod search;
mod space;
mod target;

pub use error::Error;
pub use eval::{
    Candidate, Estimate, Evaluation, Evaluator, OUT_OF_SAMPLE_BASE, RayonEvaluator, Risk,
};
pub use pareto::{
    FrontPoint, ParetoOutcome, ParetoState, dominates, optimize_pareto, optimize_pareto_resumable,
    pareto_front,
};
pub use search::{
    Checkpointer, Direction, NoObserver, Observer, Options, Outcome, SearchState, optimize,
};
pub use space::{CHECK_TOLERANCE, Conflict, Group, Kind, Space, Variable, Violation};
pub use target::{
    TargetOptions, TargetOutcome, TargetState, TargetStep, minimal_budget, minimal_budget_resumable,
};
