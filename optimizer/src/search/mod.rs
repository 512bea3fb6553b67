//! Single-objective search: argmin particle swarm on the repaired space, a pattern
//! search along structured directions (when given), a compass-search polish,
//! successive-halving races on more replications, and a final out-of-sample estimate. The whole state between two batches is a serialisable [`SearchState`].

use std::borrow::Borrow;
use std::sync::Mutex;

use argmin::core::{CostFunction, PopulationState, Problem, SendAlias, Solver, State, SyncAlias};
use argmin::solver::particleswarm::{Particle, ParticleSwarm};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::eval::{Estimate, Evaluator, OUT_OF_SAMPLE_BASE, Risk, evaluate_reps, mean};
use crate::space::{Kind, Space};

mod ctx;
mod pattern;
mod polish;
mod race;
mod state;
mod swarm;

use ctx::Ctx;
pub use state::SearchState;
use state::{Entry, Phase};
use swarm::SwarmCost;

type Pso = ParticleSwarm<Vec<f64>, f64, Xoshiro256PlusPlus>;
type Pt = Particle<Vec<f64>, f64>;

/// Version of the [`SearchState`] layout; a checkpoint of another version is refused.
const STATE_FORMAT: u32 = 2;

/// Receives progress after every evaluated batch (for a progress bar), and may ask the
/// search to stop (Ctrl-C, a time limit, a test simulating a kill).
pub trait Observer {
    /// Called after each batch with the evaluations done so far and the current best
    /// estimate (risk-adjusted objective 0 of the incumbent on the replications it has).
    fn progress(&self, evals_done: usize, best: f64) {
        let _ = (evals_done, best);
    }

    /// Polled after each batch (after the checkpoint); `true` stops the search with
    /// [`Error::Stopped`] once the state is saved.
    fn stop_requested(&self) -> bool {
        false
    }
}

/// An observer that does nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl Observer for NoObserver {}

/// Persists a search's state (the binary writes it atomically to a file): the
/// single-objective [`SearchState`], the Pareto search's [`crate::ParetoState`] or the
/// target search's [`crate::TargetState`].
pub trait Checkpointer<S = SearchState> {
    /// Called every `Options::checkpoint_every` batches, when stopping, and at the end.
    fn save(&mut self, state: &S);
}

/// Options of [`optimize`] (and, where noted, of `optimize_pareto` / `minimal_budget`).
///
/// ```
/// use omnimix_optimizer::{Options, Risk};
/// let opts = Options { evals: 4000, seed: 7, replications: 4, risk: Risk::Cvar(0.1), ..Options::default() };
/// # let _ = opts;
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    /// Budget of evaluations: simulator runs, i.e. (candidate, replication) pairs, spent by
    /// the search (swarm + polish + race). The final out-of-sample runs come on top.
    pub evals: usize,
    /// Master seed of the search's own random streams.
    pub seed: u64,
    /// Screening replications per candidate; every candidate uses the indices `0..r`
    /// (common random numbers). `>= 1`.
    pub replications: u32,
    /// Most replications a candidate reaches in the race (successive halving doubles the
    /// replications of the surviving half each round). `>= replications`.
    pub max_replications: u32,
    /// Risk measure on the per-replication samples of objective 0.
    pub risk: Risk,
    /// Particles of the swarm (population of the Pareto search); 0 chooses
    /// `10 + 2·sqrt(free variables)` (40 for the Pareto search), reduced for small `evals`.
    pub swarm_size: usize,
    /// Best distinct candidates kept for the race.
    pub race_size: usize,
    /// Share of `evals` for the compass-search polish (the swarm gets what polish and race
    /// do not; unspent evaluations flow to the next phase).
    pub polish_share: f64,
    /// Share of `evals` reserved for the race.
    pub race_share: f64,
    /// Fresh replications (`OUT_OF_SAMPLE_BASE + k`) for the final estimate; 0 reports the
    /// in-sample estimate instead.
    pub final_replications: u32,
    /// Batches between two checkpoints (`>= 1`).
    pub checkpoint_every: usize,
    /// Warm starts (full-length vectors, repaired before use), e.g. the current strategy.
    pub initial: Vec<Vec<f64>>,
    /// Structured moves for the pattern search that runs between the swarm and the
    /// polish (none: no pattern search). In spaces with many variables a compass batch
    /// (two moves per variable) does not fit the budget; a few directions that move
    /// groups of variables together (a country's spend, a channel everywhere, an
    /// initiative everywhere) do.
    pub directions: Vec<Direction>,
    /// Directions tried per pattern-search batch (two candidates each).
    pub directions_per_batch: usize,
    /// Resume from this checkpoint instead of starting afresh; the other options must be
    /// those of the interrupted run.
    pub resume_from: Option<SearchState>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            evals: 2000,
            seed: 0,
            replications: 2,
            max_replications: 16,
            risk: Risk::Mean,
            swarm_size: 0,
            race_size: 8,
            polish_share: 0.3,
            race_share: 0.15,
            final_replications: 32,
            checkpoint_every: 1,
            initial: Vec::new(),
            directions: Vec::new(),
            directions_per_batch: 8,
            resume_from: None,
        }
    }
}

/// A structured move through a space: from `x`, the candidates at step `t` (from 1,
/// halved when neither sign improves) are `x_i · (1 ± t·r_i)` for each `(i, r_i)` in
/// `scale` and `x_i ± t·d_i` for each `(i, d_i)` in `shift`, then repaired and, when
/// `keep_cost`, brought back to `x`'s cost (money freed is spread over the other active
/// variables; money needed is taken from them in proportion). A direction that does not
/// keep the cost lets the search spend less (e.g. all media down, when that gains).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Direction {
    /// What the move does, e.g. `US spend` or `unified_data everywhere`.
    pub name: String,
    /// Relative changes at `t = 1`.
    pub scale: Vec<(usize, f64)>,
    /// Absolute changes at `t = 1`.
    pub shift: Vec<(usize, f64)>,
    /// Bring every move back to the incumbent's cost (a reallocation) rather than
    /// letting it change the money spent.
    pub keep_cost: bool,
}

impl Direction {
    /// The point `x` moved by `t` (negative: the other way), before repair.
    pub fn apply(&self, x: &[f64], t: f64) -> Vec<f64> {
        let mut y = x.to_vec();
        for &(i, r) in &self.scale {
            y[i] = (x[i] * (1.0 + t * r)).max(0.0);
        }
        for &(i, d) in &self.shift {
            y[i] += t * d;
        }
        y
    }
}

impl Options {
    pub(crate) fn validate(&self, dim: usize) -> Result<(), Error> {
        let bad = |name, value: String, allowed| {
            Err(Error::InvalidOption {
                name,
                value,
                allowed,
            })
        };
        if self.replications == 0 {
            return bad("replications", self.replications.to_string(), ">= 1");
        }
        if self.max_replications < self.replications {
            return bad(
                "max_replications",
                self.max_replications.to_string(),
                ">= replications",
            );
        }
        if self.evals < 4 * self.replications as usize {
            return bad("evals", self.evals.to_string(), ">= 4 x replications");
        }
        let shares_ok = (0.0..1.0).contains(&self.polish_share)
            && (0.0..1.0).contains(&self.race_share)
            && self.polish_share + self.race_share < 1.0;
        if !shares_ok {
            return bad(
                "polish_share/race_share",
                format!("{}/{}", self.polish_share, self.race_share),
                "each in [0, 1) and their sum < 1",
            );
        }
        if self.race_size == 0 {
            return bad("race_size", "0".into(), ">= 1");
        }
        if self.checkpoint_every == 0 {
            return bad("checkpoint_every", "0".into(), ">= 1");
        }
        if self.directions_per_batch == 0 {
            return bad("directions_per_batch", "0".into(), ">= 1");
        }
        for d in &self.directions {
            let out = d.scale.iter().chain(&d.shift).find(|(i, _)| *i >= dim);
            if let Some((i, _)) = out {
                return bad(
                    "directions",
                    format!("'{}' moves variable {i}", d.name),
                    "variable indices below the space's dimension",
                );
            }
        }
        self.risk.validate()?;
        for (index, x) in self.initial.iter().enumerate() {
            if x.len() != dim {
                return Err(Error::InitialLength {
                    index,
                    expected: dim,
                    found: x.len(),
                });
            }
        }
        Ok(())
    }
}

/// Result of [`optimize`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The chosen plan (feasible: passes `Space::check`).
    pub x: Vec<f64>,
    /// Out-of-sample estimate of objective 0 on fresh replications (in-sample when
    /// `final_replications` is 0).
    pub objective: Estimate,
    /// Risk-adjusted objective 0 on the replications the search used for the winner.
    pub in_sample: f64,
    /// Number of those replications.
    pub in_sample_replications: u32,
    /// Out-of-sample mean of every objective the evaluator returns.
    pub objective_means: Vec<f64>,
    /// `(evaluations done, best estimate so far)` after every batch.
    pub trace: Vec<(usize, f64)>,
    /// Evaluations spent by the search.
    pub evals_done: usize,
    /// Evaluations spent on the final out-of-sample estimate.
    pub final_evals: usize,
}

/// A Xoshiro256++ stream for (master seed, purpose), seeded through SplitMix64.
pub(crate) fn stream(seed: u64, purpose: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

pub(crate) fn uniform(rng: &mut impl Rng, a: f64, b: f64) -> f64 {
    if a < b {
        a + (b - a) * rng.random::<f64>()
    } else {
        a
    }
}

/// Maximises objective 0 (risk-adjusted over replications) over the feasible plans of
/// `space`.
///
/// Phases, all on the repaired space (every evaluated vector passes `Space::check`):
/// 1. **swarm**: argmin's `ParticleSwarm` (SPSO 2011 weights) over the free variables'
///    useful box; the whole swarm is one batch, each particle on the common replications
///    `0..replications`; warm starts from `Options::initial`;
/// 2. **polish**: compass search from the best candidate (±step per variable, on/off for
///    semi-continuous ones, steps halve when nothing improves), one batch per iteration;
/// 3. **race**: successive halving over the `race_size` best distinct candidates, doubling
///    their replications (common indices) up to `max_replications`;
/// 4. the winner is evaluated on `final_replications` fresh replications
///    (`OUT_OF_SAMPLE_BASE + k`) for an honest estimate.
///
/// Deterministic for a given seed whatever the thread count: batches are built and reduced
/// in a fixed order and the evaluator returns results in batch order. After every batch the
/// observer gets `(evals_done, best)`, the checkpointer gets the state every
/// `checkpoint_every` batches (and when stopping and at the end), and a stop request ends
/// the run with [`Error::Stopped`]; `Options::resume_from` continues it to the same result.
///
/// # Errors
/// [`Error::Infeasible`] (before any evaluation), [`Error::InvalidOption`],
/// [`Error::InitialLength`], evaluator errors, [`Error::ResumeMismatch`],
/// [`Error::Stopped`].
pub fn optimize<E: Evaluator + ?Sized>(
    space: &Space,
    evaluator: &E,
    options: &Options,
    observer: &dyn Observer,
    mut checkpointer: Option<&mut dyn Checkpointer>,
) -> Result<Outcome, Error> {
    options.validate(space.dim())?;
    space.feasibility().map_err(Error::Infeasible)?;
    let ctx = Ctx::new(space, evaluator, options);
    let mut st = match &options.resume_from {
        Some(s) => {
            s.run.check(&RunKey::of(STATE_FORMAT, options, space))?;
            check_evals_done(s.evals_done, options.evals)?;
            s.clone()
        }
        None => SearchState {
            run: RunKey::of(STATE_FORMAT, options, space),
            evals_done: 0,
            steps: 0,
            trace: Vec::new(),
            elite: Vec::new(),
            phase: Phase::Start,
        },
    };
    while !matches!(st.phase, Phase::Done { .. }) {
        if !ctx.advance(&mut st)? {
            continue;
        }
        st.steps += 1;
        let best = st.best().map_or(-f64::MAX, |(_, s)| s);
        st.trace.push((st.evals_done, best));
        observer.progress(st.evals_done, best);
        let mut saved = false;
        if let Some(cp) = checkpointer.as_deref_mut()
            && st.steps % options.checkpoint_every == 0
        {
            cp.save(&st);
            saved = true;
        }
        if observer.stop_requested() {
            if let Some(cp) = checkpointer.as_deref_mut()
                && !saved
            {
                cp.save(&st);
            }
            return Err(Error::Stopped {
                evals_done: st.evals_done,
            });
        }
    }
    if let Some(cp) = checkpointer {
        cp.save(&st);
    }
    let Phase::Done { winner } = &st.phase else {
        return Err(Error::Solver("search ended outside the done phase".into()));
    };
    let (objective, objective_means, final_evals) = if options.final_replications > 0 {
        let reps = OUT_OF_SAMPLE_BASE..OUT_OF_SAMPLE_BASE + options.final_replications;
        let res = evaluate_reps(evaluator, std::slice::from_ref(&winner.x), reps, 1)?;
        let samples = &res[0];
        let obj0: Vec<f64> = samples.iter().map(|o| o[0]).collect();
        let m = samples.iter().map(Vec::len).min().unwrap_or(0);
        let means = (0..m)
            .map(|j| mean(&samples.iter().map(|o| o[j]).collect::<Vec<_>>()))
            .collect();
        (
            Estimate::from_samples(options.risk, &obj0),
            means,
            options.final_replications as usize,
        )
    } else {
        (
            Estimate::from_samples(options.risk, &winner.samples),
            vec![mean(&winner.samples)],
            0,
        )
    };
    Ok(Outcome {
        x: winner.x.clone(),
        objective,
        in_sample: winner.score,
        in_sample_replications: winner.samples.len() as u32,
        objective_means,
        trace: st.trace.clone(),
        evals_done: st.evals_done,
        final_evals,
    })
}

/// [`Error::ResumeMismatch`] for a state with more evaluations done than the run's
/// budget (a state of another run, or edited).
pub(crate) fn check_evals_done(evals_done: usize, evals: usize) -> Result<(), Error> {
    if evals_done > evals {
        return Err(Error::ResumeMismatch {
            what: format!("{evals_done} evaluations done, more than this run's budget of {evals}"),
        });
    }
    Ok(())
}

/// What a checkpoint must share with the run that resumes it: the state layout, seed,
/// evaluation budget, screening replications and dimension of the space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunKey {
    format: u32,
    seed: u64,
    evals: usize,
    replications: u32,
    dim: usize,
}

impl RunKey {
    /// The key of a run with these options on this space, for a state layout `format`.
    pub(crate) fn of(format: u32, o: &Options, space: &Space) -> RunKey {
        RunKey {
            format,
            seed: o.seed,
            evals: o.evals,
            replications: o.replications,
            dim: space.dim(),
        }
    }

    /// The seed.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// [`Error::ResumeMismatch`] naming the first difference from `this_run`.
    pub(crate) fn check(&self, this_run: &RunKey) -> Result<(), Error> {
        let (s, o) = (self, this_run);
        let what = if s.format != o.format {
            format!("state format {}, this build reads {}", s.format, o.format)
        } else if s.seed != o.seed {
            format!("seed {}, this run has seed {}", s.seed, o.seed)
        } else if s.evals != o.evals {
            format!("evals {}, this run has {}", s.evals, o.evals)
        } else if s.replications != o.replications {
            format!(
                "replications {}, this run has {}",
                s.replications, o.replications
            )
        } else if s.dim != o.dim {
            format!("{} variables, this space has {}", s.dim, o.dim)
        } else {
            return Ok(());
        };
        Err(Error::ResumeMismatch { what })
    }
}

#[cfg(test)]
mod tests {
    use super::ctx::new_pso;
    use super::*;

    #[test]
    fn pso_is_built_from_its_serde_form() {
        let pso = new_pso(&[0.0, 0.0], &[1.0, 2.0], 5, stream(1, 2));
        assert!(pso.is_ok(), "{:?}", pso.err());
    }
}
