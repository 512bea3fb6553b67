//! # omnimix-studies
//!
//! The workflows above the cores: what `omnimix optimize`, `compare`, `attribute
//! --truth`, `benchmark` and the report's analysis do, as library code that returns
//! typed results. Pure like `sim`, `optimizer` and `attribution`: no files, no
//! printing, no clocks; the binary reads and validates input, picks a backend,
//! prints, and hands the results to `omnimix-reports`.
//!
//! Where to find things:
//! - [`objective`]: what a search maximises ([`Objective`]) and the `--risk` measures.
//! - [`optimize`]: search-then-validate — the plan space with constraints, the
//!   simulator as evaluator at search scale, the single-objective, Pareto and
//!   target searches, and the comparison of the plan with the current strategy
//!   and an equal split on fresh replications at full resolution ([`optimize::Optimized`]).
//! - [`analysis`]: the report's extra runs (response curves, staffing curve,
//!   ±20 % sensitivity, retention curves) as typed rows.
//! - [`tables`]: what a strategy puts where (plan, phase and allocation rows) and
//!   the budget tables of the workbook.
//! - [`truth`]: attribution ground truth from counterfactual runs.
//! - [`benchmark`]: budgeting rules × scenarios × seeds.
//! - [`compare`]: what-if scenarios simulated on common random numbers.
//! - [`calibrate`]: the fit of free parameters to a company's history (simulation-based
//!   inference on common random numbers) and its posterior.
//! - [`whatif`]: the planner's what-ifs (`omnimix serve`): a variant at search scale
//!   against the baseline on common random numbers.
//! - [`posterior`]: parameter uncertainty — replication `r` of every run on draw
//!   `r mod n` of a posterior's parameters.
//!
//! Every batch of simulations that a workflow can spread goes through an
//! [`omnimix_optimizer::Evaluator`] (the search and the analysis) or an
//! [`omnimix_sim::engine::ShardExchange`] (one big run split by shards), so the
//! binary's backend — rayon threads or MPI ranks — runs them all.

pub mod analysis;
pub mod benchmark;
pub mod calibrate;
pub mod compare;
mod error;
pub mod objective;
pub mod optimize;
pub mod posterior;
pub mod tables;
pub mod truth;
pub mod whatif;

pub use error::StudyError;
pub use objective::Objective;
