//! Errors of the optimizer.

use crate::space::Conflict;

/// Everything that can stop [`optimize`](crate::optimize),
/// [`optimize_pareto`](crate::optimize_pareto) or
/// [`minimal_budget`](crate::minimal_budget) before they produce a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The decision space cannot be satisfied; found before any evaluation.
    #[error("the constraints cannot be met together: {}", join_conflicts(.0))]
    Infeasible(Vec<Conflict>),
    /// An option is out of its allowed range.
    #[error("invalid option `{name}` = {value}: allowed {allowed}")]
    InvalidOption {
        /// Name of the option (as in [`Options`](crate::Options)).
        name: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        allowed: &'static str,
    },
    /// The evaluator answered a batch with the wrong number of evaluations.
    #[error("the evaluator returned {found} evaluations for a batch of {expected} candidates")]
    EvaluatorMismatch {
        /// Batch length.
        expected: usize,
        /// Number of evaluations returned.
        found: usize,
    },
    /// An evaluation carried fewer objective values than the search needs.
    #[error("an evaluation has {found} objective values, the search needs at least {needed}")]
    MissingObjectives {
        /// Objectives needed (1 for `optimize`, 2 for `optimize_pareto`).
        needed: usize,
        /// Objectives found.
        found: usize,
    },
    /// A warm-start point has the wrong length.
    #[error("initial point {index} has {found} values, the space has {expected} variables")]
    InitialLength {
        /// Index of the point in `Options::initial`.
        index: usize,
        /// Number of variables of the space.
        expected: usize,
        /// Length of the point.
        found: usize,
    },
    /// The state given in `Options::resume_from` was made by a different run.
    #[error("cannot resume: the checkpoint was made with {what}")]
    ResumeMismatch {
        /// What differs (e.g. "seed 7, this run has seed 8").
        what: String,
    },
    /// The observer asked to stop; the checkpointer (if any) holds the state to resume from.
    #[error("stopped on request after {evals_done} evaluations; resume from the last checkpoint")]
    Stopped {
        /// Evaluations done when the search stopped.
        evals_done: usize,
    },
    /// `minimal_budget`: even the largest budget does not reach the target.
    #[error("target {target} is not reached at the largest budget {budget}: best estimate {best}")]
    TargetUnreachable {
        /// The target on objective 0.
        target: f64,
        /// The largest budget tried.
        budget: f64,
        /// The best (out-of-sample, risk-adjusted) objective found at that budget.
        best: f64,
    },
    /// The argmin solver failed (a bug rather than bad input).
    #[error("solver failure: {0}")]
    Solver(String),
}

fn join_conflicts(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
