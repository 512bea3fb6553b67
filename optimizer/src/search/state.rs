//! What a search carries between batches: candidates, the phase, the resumable state.

use super::*;

/// A candidate with its samples of objective 0 on replications `0..samples.len()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Entry {
    pub(super) x: Vec<f64>,
    pub(super) samples: Vec<f64>,
    pub(super) score: f64,
}

#[derive(Clone, Serialize, Deserialize)]
pub(super) enum Phase {
    Start,
    Swarm {
        solver: Pso,
        particles: Vec<Pt>,
        best: Pt,
        best_cost: f64,
    },
    Pattern {
        x: Vec<f64>,
        score: f64,
        /// Step of each direction (from 1; halved when neither sign improves).
        steps: Vec<f64>,
        /// Where the next batch starts in the round of directions.
        cursor: usize,
    },
    Polish {
        x: Vec<f64>,
        score: f64,
        steps: Vec<f64>,
        /// Marginal value per unit of money of each free variable, estimated from the last
        /// batch's downward moves (`None`: no estimate or no cost).
        marginal: Vec<Option<f64>>,
        /// The last batch at converged steps tried on/off swaps without improvement.
        swept: bool,
    },
    Race {
        survivors: Vec<Entry>,
        reps: u32,
    },
    Done {
        winner: Entry,
    },
}

impl Phase {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Phase::Start => "start",
            Phase::Swarm { .. } => "swarm",
            Phase::Pattern { .. } => "pattern",
            Phase::Polish { .. } => "polish",
            Phase::Race { .. } => "race",
            Phase::Done { .. } => "done",
        }
    }
}

/// Everything the search needs to continue after a kill: serialise it (serde) in a
/// [`Checkpointer`], pass it back in `Options::resume_from`, and the resumed run reaches
/// the same result bit for bit (store JSON with serde_json's `float_roundtrip`).
#[derive(Clone, Serialize, Deserialize)]
pub struct SearchState {
    #[serde(flatten)]
    pub(super) run: RunKey,
    pub(super) evals_done: usize,
    pub(super) steps: usize,
    pub(super) trace: Vec<(usize, f64)>,
    pub(super) elite: Vec<Entry>,
    pub(super) phase: Phase,
}

impl std::fmt::Debug for SearchState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchState")
            .field("seed", &self.run.seed())
            .field("evals_done", &self.evals_done)
            .field("steps", &self.steps)
            .field("phase", &self.phase.name())
            .field("best", &self.best().map(|(_, s)| s))
            .finish()
    }
}

impl SearchState {
    /// Evaluations done when the state was taken.
    pub fn evals_done(&self) -> usize {
        self.evals_done
    }

    /// Batches done when the state was taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Name of the current phase: `start`, `swarm`, `pattern`, `polish`, `race` or `done`.
    pub fn phase(&self) -> &'static str {
        self.phase.name()
    }

    /// The trace so far.
    pub fn trace(&self) -> &[(usize, f64)] {
        &self.trace
    }

    /// The incumbent plan and its estimate, if any candidate was evaluated.
    pub fn best(&self) -> Option<(&[f64], f64)> {
        let e = match &self.phase {
            Phase::Race { survivors, .. } => survivors.first(),
            Phase::Done { winner } => Some(winner),
            _ => self.elite.first(),
        }?;
        Some((&e.x, e.score))
    }
}
