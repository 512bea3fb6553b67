//! What can go wrong in a workflow.

use omnimix_optimizer::Conflict;
use omnimix_sim::kpis::Kpi;

/// A workflow could not run or finish. The variants that are the user's input
/// (constraints, a checkpoint of another run, an unreachable target) say so through
/// [`StudyError::is_bad_input`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StudyError {
    /// A `--fix` / `[optimize]` constraint does not name a decision or its value is out of range.
    #[error("{0}")]
    Fix(String),
    /// The constraints cannot all be met.
    #[error("the constraints cannot all be met:\n{}", .0.iter().map(|c| format!("  {c}")).collect::<Vec<_>>().join("\n"))]
    Infeasible(Vec<Conflict>),
    /// A saved search state belongs to another run.
    #[error("{0}")]
    ResumeMismatch(omnimix_optimizer::Error),
    /// No plan reaches the target, even at the largest budget the search tries.
    #[error(
        "the target {} = {target} is not reached even at the largest budget tried, {budget:.0} \
         over the horizon (best plan there: {best:.4}); lower the target, or change what \
         limits it (channels, staff, integration)",
        kpi.name()
    )]
    TargetUnreachable {
        /// The KPI.
        kpi: Kpi,
        /// The target value.
        target: f64,
        /// The largest budget tried, for the horizon.
        budget: f64,
        /// The best plan's value.
        best: f64,
    },
    /// A search failed.
    #[error("{what}")]
    Search {
        /// Which search.
        what: &'static str,
        /// Why.
        #[source]
        source: omnimix_optimizer::Error,
    },
    /// An attribution model failed on simulated journeys.
    #[error("{what}")]
    Attribution {
        /// Which step.
        what: &'static str,
        /// Why.
        #[source]
        source: omnimix_attribution::AttributionError,
    },
    /// Simulated journeys could not be read as a journey table.
    #[error("{what}")]
    Journeys {
        /// Which journeys.
        what: &'static str,
        /// Why.
        #[source]
        source: omnimix_attribution::JourneyError,
    },
    /// A calibration could not run (no free parameters, too short a history).
    #[error("{0}")]
    Calibration(String),
    /// The observer asked the work to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// A search ended without a plan (an empty front, no target round).
    #[error("{0}")]
    NoPlan(&'static str),
}

impl StudyError {
    /// True when the user's input is at fault (exit code 2 in the CLI).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            StudyError::Fix(_)
                | StudyError::Infeasible(_)
                | StudyError::ResumeMismatch(_)
                | StudyError::Calibration(_)
        )
    }

    /// A search error: a state of another run is the user's input, anything else a failure.
    pub(crate) fn search(what: &'static str) -> impl Fn(omnimix_optimizer::Error) -> StudyError {
        move |e| match e {
            omnimix_optimizer::Error::ResumeMismatch { .. } => StudyError::ResumeMismatch(e),
            e => StudyError::Search { what, source: e },
        }
    }
}
