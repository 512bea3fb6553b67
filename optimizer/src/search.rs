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

/// A candidate with its samples of objective 0 on replications `0..samples.len()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Entry {
    x: Vec<f64>,
    samples: Vec<f64>,
    score: f64,
}

#[derive(Clone, Serialize, Deserialize)]
enum Phase {
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
    fn name(&self) -> &'static str {
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
    run: RunKey,
    evals_done: usize,
    steps: usize,
    trace: Vec<(usize, f64)>,
    elite: Vec<Entry>,
    phase: Phase,
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

/// Builds argmin's `ParticleSwarm` with a seeded Xoshiro256++ through its serde form:
/// `ParticleSwarm::new` would first seed a generator from the OS, which this crate never
/// does. Weights are argmin's defaults (SPSO 2011).
fn new_pso(
    low: &[f64],
    up: &[f64],
    particles: usize,
    rng: Xoshiro256PlusPlus,
) -> Result<Pso, Error> {
    #[derive(Serialize)]
    struct Mirror<'a> {
        weight_inertia: f64,
        weight_cognitive: f64,
        weight_social: f64,
        bounds: (&'a [f64], &'a [f64]),
        num_particles: usize,
        rng_generator: Xoshiro256PlusPlus,
    }
    let ln2 = std::f64::consts::LN_2;
    let mirror = Mirror {
        weight_inertia: 1.0 / (2.0 * ln2),
        weight_cognitive: 0.5 + ln2,
        weight_social: 0.5 + ln2,
        bounds: (low, up),
        num_particles: particles,
        rng_generator: rng,
    };
    let value = serde_json::to_value(&mirror).map_err(|e| Error::Solver(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| Error::Solver(format!("building ParticleSwarm: {e}")))
}

/// Fixed context of one run (recomputed identically on resume).
struct Ctx<'a, E: ?Sized> {
    space: &'a Space,
    evaluator: &'a E,
    opts: &'a Options,
    /// Indices of the variables the search moves.
    free: Vec<usize>,
    /// Search box of the free variables.
    low: Vec<f64>,
    up: Vec<f64>,
    /// Full vector with fixed values in place.
    template: Vec<f64>,
    swarm: usize,
    swarm_end: usize,
    polish_end: usize,
}

impl<'a, E: Evaluator + ?Sized> Ctx<'a, E> {
    fn new(space: &'a Space, evaluator: &'a E, opts: &'a Options) -> Self {
        let free = space.free_variables();
        let template = space.lowest_point();
        let useful = space.useful_upper();
        let low: Vec<f64> = free.iter().map(|&i| template[i]).collect();
        let up: Vec<f64> = free.iter().map(|&i| useful[i]).collect();
        let r0 = opts.replications as usize;
        let swarm_end =
            ((opts.evals as f64) * (1.0 - opts.polish_share - opts.race_share)) as usize;
        let polish_end = ((opts.evals as f64) * (1.0 - opts.race_share)) as usize;
        let auto = 10 + (2.0 * (free.len() as f64).sqrt()).round() as usize;
        let wanted = if opts.swarm_size == 0 {
            auto
        } else {
            opts.swarm_size
        };
        // At least ~5 generations in the swarm share, and the first one always affordable.
        let affordable = (swarm_end / (5 * r0)).max(2);
        // Every warm start gets evaluated, even when the swarm share is small.
        let swarm = wanted
            .min(affordable)
            .max(opts.initial.len())
            .min(opts.evals / r0)
            .max(1);
        Self {
            space,
            evaluator,
            opts,
            free,
            low,
            up,
            template,
            swarm,
            swarm_end,
            polish_end,
        }
    }

    fn decode(&self, pos: &[f64]) -> Vec<f64> {
        let mut x = self.template.clone();
        for (k, &i) in self.free.iter().enumerate() {
            x[i] = pos[k];
        }
        self.space.repair(&mut x);
        x
    }

    fn r0(&self) -> u32 {
        self.opts.replications
    }

    /// Evaluates already repaired vectors on the screening replications `0..r0`.
    fn screen(&self, xs: Vec<Vec<f64>>) -> Result<Vec<Entry>, Error> {
        let res = evaluate_reps(self.evaluator, &xs, 0..self.r0(), 1)?;
        Ok(xs
            .into_iter()
            .zip(res)
            .map(|(x, reps)| {
                let samples: Vec<f64> = reps.iter().map(|o| o[0]).collect();
                let score = self.opts.risk.apply(&samples);
                Entry { x, samples, score }
            })
            .collect())
    }

    fn push_elite(&self, elite: &mut Vec<Entry>, entries: impl IntoIterator<Item = Entry>) {
        let k = self.opts.race_size;
        for e in entries {
            if elite.iter().any(|o| o.x == e.x) {
                continue;
            }
            let pos = elite
                .iter()
                .position(|o| e.score > o.score)
                .unwrap_or(elite.len());
            if pos < k {
                elite.insert(pos, e);
                elite.truncate(k);
            }
        }
    }

    /// Advances the state by one batch (or one phase change without evaluation).
    /// Returns whether a batch was evaluated.
    fn advance(&self, st: &mut SearchState) -> Result<bool, Error> {
        let r0 = self.r0() as usize;
        let phase = std::mem::replace(&mut st.phase, Phase::Start);
        let (next, evaluated) = match phase {
            Phase::Start => self.start(st)?,
            Phase::Swarm {
                solver,
                particles,
                best,
                best_cost,
            } => {
                if st.evals_done + particles.len() * r0 > self.swarm_end {
                    (self.begin_polish(st), false)
                } else {
                    (
                        self.swarm_step(st, solver, particles, best, best_cost)?,
                        true,
                    )
                }
            }
            Phase::Pattern {
                x,
                score,
                steps,
                cursor,
            } => self.pattern_step(st, x, score, steps, cursor)?,
            Phase::Polish {
                x,
                score,
                steps,
                marginal,
                swept,
            } => self.polish_step(st, x, score, steps, marginal, swept)?,
            Phase::Race { survivors, reps } => self.race_step(st, survivors, reps)?,
            done @ Phase::Done { .. } => (done, false),
        };
        st.phase = next;
        Ok(evaluated)
    }

    fn start(&self, st: &mut SearchState) -> Result<(Phase, bool), Error> {
        if self.free.is_empty() {
            let entries = self.screen(vec![self.decode(&[])])?;
            st.evals_done += self.r0() as usize;
            self.push_elite(&mut st.elite, entries);
            return Ok((self.begin_race(st), true));
        }
        let mut rng = stream(self.opts.seed, 1);
        let n = self.swarm;
        let mut positions: Vec<Vec<f64>> = self
            .opts
            .initial
            .iter()
            .take(n)
            .map(|x| {
                let x = self.space.repaired(x);
                self.free
                    .iter()
                    .enumerate()
                    .map(|(k, &i)| x[i].clamp(self.low[k], self.up[k]))
                    .collect()
            })
            .collect();
        if positions.len() < n {
            // Everything at its useful maximum: the repair turns it into a proportional plan.
            positions.push(self.up.clone());
        }
        while positions.len() < n {
            positions.push(
                self.low
                    .iter()
                    .zip(&self.up)
                    .map(|(&a, &b)| uniform(&mut rng, a, b))
                    .collect(),
            );
        }
        let velocities: Vec<Vec<f64>> = (0..n)
            .map(|_| {
                self.low
                    .iter()
                    .zip(&self.up)
                    .map(|(&a, &b)| uniform(&mut rng, -(b - a), b - a))
                    .collect()
            })
            .collect();
        let xs = positions.iter().map(|p| self.decode(p)).collect();
        let entries = self.screen(xs)?;
        st.evals_done += n * self.r0() as usize;
        let particles: Vec<Pt> = positions
            .into_iter()
            .zip(velocities)
            .zip(&entries)
            .map(|((p, v), e)| Particle::new(p, -e.score, v))
            .collect();
        self.push_elite(&mut st.elite, entries);
        let mut solver = new_pso(&self.low, &self.up, n, stream(self.opts.seed, 2))?;
        let mut problem = Problem::new(SwarmCost::new(self));
        let state = PopulationState::new().population(particles);
        let (mut state, _) = solver
            .init(&mut problem, state)
            .map_err(|e| Error::Solver(e.to_string()))?;
        let particles = state
            .take_population()
            .ok_or_else(|| Error::Solver("no population after init".into()))?;
        let best = state
            .take_individual()
            .ok_or_else(|| Error::Solver("no best particle after init".into()))?;
        let best_cost = state.get_cost();
        Ok((
            Phase::Swarm {
                solver,
                particles,
                best,
                best_cost,
            },
            true,
        ))
    }

    fn swarm_step(
        &self,
        st: &mut SearchState,
        mut solver: Pso,
        particles: Vec<Pt>,
        best: Pt,
        best_cost: f64,
    ) -> Result<Phase, Error> {
        let n = particles.len();
        let mut problem = Problem::new(SwarmCost::new(self));
        let state = PopulationState::new()
            .individual(best)
            .cost(best_cost)
            .population(particles);
        let result = solver.next_iter(&mut problem, state);
        let cost_fn = problem
            .take_problem()
            .ok_or_else(|| Error::Solver("problem vanished".into()))?;
        if let Some(e) = cost_fn.error.into_inner().ok().flatten() {
            return Err(e);
        }
        let (mut state, _) = result.map_err(|e| Error::Solver(e.to_string()))?;
        let log = cost_fn.log.into_inner().unwrap_or_default();
        st.evals_done += n * self.r0() as usize;
        self.push_elite(&mut st.elite, log);
        let particles = state
            .take_population()
            .ok_or_else(|| Error::Solver("no population".into()))?;
        let best = state
            .take_individual()
            .ok_or_else(|| Error::Solver("no best particle".into()))?;
        let best_cost = state.get_cost();
        Ok(Phase::Swarm {
            solver,
            particles,
            best,
            best_cost,
        })
    }

    /// After the swarm: the pattern search when there are directions, else the polish.
    fn begin_polish(&self, st: &SearchState) -> Phase {
        match st.elite.first() {
            Some(best) if !self.opts.directions.is_empty() => Phase::Pattern {
                x: best.x.clone(),
                score: best.score,
                steps: vec![1.0; self.opts.directions.len()],
                cursor: 0,
            },
            _ => self.begin_compass(st),
        }
    }

    /// Smallest pattern step tried (a direction below it is done).
    const PATTERN_MIN_STEP: f64 = 1.0 / 16.0;

    /// Pattern search: the next `directions_per_batch` live directions (round robin),
    /// each at `x ± step` brought back to `x`'s cost; moves to the best strict
    /// improvement, halves the step of every tried direction neither of whose moves
    /// improved. When every step is below the minimum, or the
    /// next batch does not fit the polish budget, the compass polish (or the race)
    /// follows.
    fn pattern_step(
        &self,
        st: &mut SearchState,
        x: Vec<f64>,
        score: f64,
        mut steps: Vec<f64>,
        cursor: usize,
    ) -> Result<(Phase, bool), Error> {
        let dirs = &self.opts.directions;
        let live: Vec<usize> = (0..dirs.len())
            .filter(|&d| steps[d] >= Self::PATTERN_MIN_STEP)
            .collect();
        // the incumbent goes on to the compass polish
        let next = |x: Vec<f64>, score: f64| self.begin_compass_from(x, score);
        if live.is_empty() {
            return Ok((next(x, score), false));
        }
        let start = live.partition_point(|&d| d < cursor % dirs.len().max(1));
        let chosen: Vec<usize> = (0..live.len().min(self.opts.directions_per_batch))
            .map(|j| live[(start + j) % live.len()])
            .collect();
        let x_cost = self.space.cost(&x);
        let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
        seen.insert(x.iter().map(|v| v.to_bits()).collect());
        let mut cands = Vec::new();
        let mut owner = Vec::new();
        for &d in &chosen {
            for sign in [1.0, -1.0] {
                let mut y = dirs[d].apply(&x, sign * steps[d]);
                for (k, &i) in self.free.iter().enumerate() {
                    y[i] = y[i].clamp(self.low[k], self.up[k]);
                }
                // (the repair puts fixed variables back at their values)
                self.space.repair(&mut y);
                if dirs[d].keep_cost && self.space.cost(&y) < x_cost {
                    self.rebalance(&mut y, x_cost);
                }
                if seen.insert(y.iter().map(|v| v.to_bits()).collect()) {
                    cands.push(y);
                    owner.push(d);
                }
            }
        }
        let cost = cands.len() * self.r0() as usize;
        if st.evals_done + cost > self.polish_end {
            return Ok((next(x, score), false));
        }
        let last = *chosen.last().unwrap_or(&0);
        let cursor = last + 1;
        if cands.is_empty() {
            for &d in &chosen {
                steps[d] *= 0.5;
            }
            return Ok((
                Phase::Pattern {
                    x,
                    score,
                    steps,
                    cursor,
                },
                false,
            ));
        }
        let entries = self.screen(cands)?;
        st.evals_done += cost;
        let mut best: Option<(usize, &Entry)> = None;
        let mut improved = vec![false; dirs.len()];
        for (e, &d) in entries.iter().zip(&owner) {
            if e.score > score {
                improved[d] = true;
                if best.is_none_or(|(_, b)| e.score > b.score) {
                    best = Some((d, e));
                }
            }
        }
        for &d in &chosen {
            if !improved[d] {
                steps[d] *= 0.5;
            }
        }
        let (x, score) = match best {
            Some((_, b)) => (b.x.clone(), b.score),
            None => (x, score),
        };
        self.push_elite(&mut st.elite, entries);
        Ok((
            Phase::Pattern {
                x,
                score,
                steps,
                cursor,
            },
            true,
        ))
    }

    fn begin_compass(&self, st: &SearchState) -> Phase {
        match st.elite.first() {
            Some(best) => self.begin_compass_from(best.x.clone(), best.score),
            None => self.begin_race(st),
        }
    }

    fn begin_compass_from(&self, x: Vec<f64>, score: f64) -> Phase {
        let steps = self
            .low
            .iter()
            .zip(&self.up)
            .map(|(&a, &b)| 0.25 * (b - a))
            .collect();
        Phase::Polish {
            x,
            score,
            marginal: vec![None; self.free.len()],
            steps,
            swept: false,
        }
    }

    fn polish_converged(&self, steps: &[f64]) -> bool {
        steps.iter().enumerate().all(|(k, &s)| {
            let i = self.free[k];
            match self.space.variables[i].kind {
                Kind::Continuous => s < 1e-6 * (self.up[k] - self.low[k]).max(f64::MIN_POSITIVE),
                _ => s < 0.5,
            }
        })
    }

    /// Compass search with budget transfers. One batch holds, for each free variable, the
    /// moves ±step (repaired: an upward move over budget takes money from every other
    /// variable in proportion), on/off for semi-continuous variables, and transfers of one
    /// step's money from the 3 variables with the lowest marginal value per unit of money
    /// to the 3 with the highest (marginals estimated from the previous batch's downward
    /// moves) — the directions along an active budget that single-variable moves lack.
    /// Moves to the best strict improvement, else halves every step.
    fn polish_step(
        &self,
        st: &mut SearchState,
        x: Vec<f64>,
        score: f64,
        mut steps: Vec<f64>,
        marginal: Vec<Option<f64>>,
        swept: bool,
    ) -> Result<(Phase, bool), Error> {
        let vars = &self.space.variables;
        let semis: Vec<usize> = (0..self.free.len())
            .filter(|&k| vars[self.free[k]].min_viable.is_some())
            .collect();
        // Converged steps: one last batch of on/off swaps of semi-continuous variables
        // (budget-neutral), then the race.
        let swap_batch = self.polish_converged(&steps);
        if swap_batch && (swept || semis.is_empty()) {
            return Ok((self.begin_race(st), false));
        }
        let x_cost = self.space.cost(&x);
        let step_of = |k: usize| match vars[self.free[k]].kind {
            Kind::Continuous => steps[k],
            _ => steps[k].round().max(1.0),
        };
        let mut cands: Vec<Vec<f64>> = Vec::new();
        // For each free variable, the index in `cands` of its downward move.
        let mut down_of: Vec<Option<usize>> = vec![None; self.free.len()];
        // For each candidate, the free variable whose step made it (transfers: the donor).
        let mut owner: Vec<usize> = Vec::new();
        let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
        seen.insert(x.iter().map(|v| v.to_bits()).collect());
        let mut push = |y: Vec<f64>, cands: &mut Vec<Vec<f64>>| -> Option<usize> {
            if seen.insert(y.iter().map(|v| v.to_bits()).collect()) {
                cands.push(y);
                Some(cands.len() - 1)
            } else {
                None
            }
        };
        for (k, &i) in self.free.iter().enumerate() {
            let v = &vars[i];
            let step = step_of(k);
            if !swap_batch {
                for dir in [1.0, -1.0] {
                    let mut y = x.clone();
                    y[i] += dir * step;
                    self.space.repair(&mut y);
                    let idx = push(y, &mut cands);
                    if idx.is_some() {
                        owner.push(k);
                    }
                    if dir < 0.0 {
                        down_of[k] = idx;
                    }
                }
            }
            if let Some(m) = v.min_viable {
                // On: at least the minimum (money taken in proportion by the repair);
                // off: the freed money spread over the other active variables.
                let mut y = x.clone();
                if x[i] == 0.0 {
                    y[i] = m.max(v.lo).max(step);
                    self.space.repair(&mut y);
                } else {
                    y[i] = 0.0;
                    self.rebalance(&mut y, x_cost);
                }
                if push(y, &mut cands).is_some() {
                    owner.push(k);
                }
            }
        }
        if swap_batch {
            // Switch one active semi-continuous variable off and one inactive on (at its
            // minimum), budget-neutral; the 8 active ones with the lowest marginal value x
            // the first 8 inactive ones.
            let mut on: Vec<usize> = semis
                .iter()
                .copied()
                .filter(|&k| x[self.free[k]] > 0.0)
                .collect();
            on.sort_by(|&a, &b| {
                let key = |k: usize| marginal[k].unwrap_or(f64::INFINITY);
                key(a).total_cmp(&key(b)).then(a.cmp(&b))
            });
            let off: Vec<usize> = semis
                .iter()
                .copied()
                .filter(|&k| x[self.free[k]] == 0.0)
                .take(8)
                .collect();
            for &a in on.iter().take(8) {
                for &b in &off {
                    let (ia, ib) = (self.free[a], self.free[b]);
                    let mut y = x.clone();
                    y[ia] = 0.0;
                    y[ib] = vars[ib].min_viable.unwrap_or(0.0).max(vars[ib].lo);
                    self.rebalance(&mut y, x_cost);
                    if push(y, &mut cands).is_some() {
                        owner.push(b);
                    }
                }
            }
        }
        // Budget transfers between the extreme marginals; a variable without an estimate
        // yet (e.g. at its lower bound, where no downward move exists) ranks first as a
        // receiver so that a transfer probe estimates it.
        let key = |k: usize| marginal[k].unwrap_or(f64::INFINITY);
        let costly: Vec<usize> = (0..self.free.len())
            .filter(|&k| vars[self.free[k]].cost > 0.0)
            .collect();
        let mut by_marginal = costly.clone();
        by_marginal.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        let room = |k: usize| self.up[k] - x[self.free[k]];
        let receivers: Vec<usize> = by_marginal
            .iter()
            .copied()
            .filter(|&k| room(k) > 1e-3 * (self.up[k] - self.low[k]))
            .take(3)
            .collect();
        let donors: Vec<usize> = by_marginal
            .iter()
            .rev()
            .copied()
            .filter(|&k| marginal[k].is_some() && x[self.free[k]] > self.low[k])
            .take(3)
            .collect();
        // (donor, receiver, candidate index, money moved)
        let mut transfers: Vec<(usize, usize, usize, f64)> = Vec::new();
        let donors = if swap_batch { Vec::new() } else { donors };
        for &d in &donors {
            for &r in &receivers {
                if d == r {
                    continue;
                }
                let (id, ir) = (self.free[d], self.free[r]);
                let mut y = x.clone();
                let money = (vars[id].cost * (x[id] - (x[id] - step_of(d)).max(self.low[d])))
                    .min(vars[ir].cost * room(r));
                y[id] -= money / vars[id].cost;
                y[ir] += money / vars[ir].cost;
                self.space.repair(&mut y);
                if let Some(idx) = push(y, &mut cands) {
                    owner.push(d);
                    if money > 0.0 {
                        transfers.push((d, r, idx, money));
                    }
                }
            }
        }
        let cost = cands.len() * self.r0() as usize;
        if cands.is_empty() || st.evals_done + cost > self.polish_end {
            return Ok((self.begin_race(st), false));
        }
        let entries = self.screen(cands)?;
        st.evals_done += cost;
        // New marginals: from downward moves, else from transfer probes
        // (Δf ≈ (m_r − m_d)·money), else the previous estimate.
        let mut new_marginal: Vec<Option<f64>> = down_of
            .iter()
            .enumerate()
            .map(|(k, idx)| {
                let i = self.free[k];
                let e = &entries[(*idx)?];
                let money = vars[i].cost * (x[i] - e.x[i]);
                (money > 0.0).then(|| (score - e.score) / money)
            })
            .collect();
        for k in 0..self.free.len() {
            if new_marginal[k].is_some() {
                continue;
            }
            let probes: Vec<f64> = transfers
                .iter()
                .filter(|t| t.1 == k)
                .filter_map(|&(d, _, idx, money)| {
                    let md = new_marginal[d].or(marginal[d])?;
                    Some((entries[idx].score - score) / money + md)
                })
                .collect();
            new_marginal[k] = if probes.is_empty() {
                marginal[k]
            } else {
                Some(mean(&probes))
            };
        }
        let marginal = new_marginal;
        // Move to the best strict improvement; halve the step of every variable none of
        // whose moves improved (all of them when nothing did).
        let mut improved = vec![false; self.free.len()];
        let mut best: Option<&Entry> = None;
        for (e, &k) in entries.iter().zip(&owner) {
            if e.score > score {
                improved[k] = true;
            }
            if best.is_none_or(|b| e.score > b.score) {
                best = Some(e);
            }
        }
        let moved = best.is_some_and(|b| b.score > score);
        if swap_batch {
            if moved {
                // A new on/off pattern: polish it again from moderate steps.
                for (k, s) in steps.iter_mut().enumerate() {
                    *s = (self.up[k] - self.low[k]) / 16.0;
                }
            }
        } else {
            for (s, up) in steps.iter_mut().zip(&improved) {
                if !up {
                    *s *= 0.5;
                }
            }
        }
        let (x, score) = match best {
            Some(b) if b.score > score => (b.x.clone(), b.score),
            _ => (x, score),
        };
        self.push_elite(&mut st.elite, entries);
        Ok((
            Phase::Polish {
                x,
                score,
                steps,
                marginal,
                swept: swap_batch && !moved,
            },
            true,
        ))
    }

    /// Spends up to `target_cost` by scaling the active free costed variables of `y` up
    /// (each capped at its useful upper value), then repairs.
    fn rebalance(&self, y: &mut [f64], target_cost: f64) {
        let vars = &self.space.variables;
        let active: Vec<usize> = (0..self.free.len())
            .filter(|&k| vars[self.free[k]].cost > 0.0 && y[self.free[k]] > 0.0)
            .collect();
        if !active.is_empty() && self.space.cost(y) < target_cost {
            let base: Vec<f64> = y.to_vec();
            let t_max = active
                .iter()
                .map(|&k| self.up[k] / base[self.free[k]])
                .fold(1.0_f64, f64::max);
            let at = |t: f64, y: &mut [f64]| {
                for &k in &active {
                    let i = self.free[k];
                    y[i] = (base[i] * t).min(self.up[k]).max(base[i]);
                }
            };
            let (mut ok, mut bad) = (1.0_f64, t_max);
            at(bad, y);
            if self.space.cost(y) <= target_cost {
                ok = bad;
            } else {
                for _ in 0..60 {
                    let mid = 0.5 * (ok + bad);
                    at(mid, y);
                    if self.space.cost(y) <= target_cost {
                        ok = mid;
                    } else {
                        bad = mid;
                    }
                }
            }
            at(ok, y);
        }
        self.space.repair(y);
    }

    fn begin_race(&self, st: &SearchState) -> Phase {
        Phase::Race {
            survivors: st.elite.clone(),
            reps: self.opts.replications,
        }
    }

    /// Successive halving: extend every survivor to twice the replications (common
    /// indices), re-rank on all of them, keep the better half.
    fn race_step(
        &self,
        st: &mut SearchState,
        mut survivors: Vec<Entry>,
        reps: u32,
    ) -> Result<(Phase, bool), Error> {
        let finish = |mut s: Vec<Entry>| -> Result<(Phase, bool), Error> {
            if s.is_empty() {
                return Err(Error::Solver("no candidate was evaluated".into()));
            }
            Ok((
                Phase::Done {
                    winner: s.swap_remove(0),
                },
                false,
            ))
        };
        if survivors.len() <= 1 || reps >= self.opts.max_replications {
            return finish(survivors);
        }
        let new = (reps.saturating_mul(2)).min(self.opts.max_replications);
        let cost = survivors.len() * (new - reps) as usize;
        if st.evals_done + cost > self.opts.evals {
            return finish(survivors);
        }
        let xs: Vec<Vec<f64>> = survivors.iter().map(|e| e.x.clone()).collect();
        let res = evaluate_reps(self.evaluator, &xs, reps..new, 1)?;
        st.evals_done += cost;
        for (e, r) in survivors.iter_mut().zip(res) {
            e.samples.extend(r.iter().map(|o| o[0]));
            e.score = self.opts.risk.apply(&e.samples);
        }
        survivors.sort_by(|a, b| b.score.total_cmp(&a.score));
        survivors.truncate(survivors.len().div_ceil(2));
        Ok((
            Phase::Race {
                survivors,
                reps: new,
            },
            true,
        ))
    }
}

/// argmin cost function of the swarm: decodes (repairs) positions, evaluates the whole
/// swarm as one batch on `0..r0`, cost = −score. Records every evaluated candidate.
struct SwarmCost<'c, 'a, E: ?Sized> {
    ctx: &'c Ctx<'a, E>,
    log: Mutex<Vec<Entry>>,
    error: Mutex<Option<Error>>,
}

impl<'c, 'a, E: Evaluator + ?Sized> SwarmCost<'c, 'a, E> {
    fn new(ctx: &'c Ctx<'a, E>) -> Self {
        Self {
            ctx,
            log: Mutex::new(Vec::new()),
            error: Mutex::new(None),
        }
    }
}

impl<E: Evaluator + ?Sized> CostFunction for SwarmCost<'_, '_, E> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        let v = self.bulk_cost(std::slice::from_ref(param))?;
        v.first()
            .copied()
            .ok_or_else(|| argmin::core::Error::msg("empty batch"))
    }

    fn bulk_cost<P>(&self, params: &[P]) -> Result<Vec<f64>, argmin::core::Error>
    where
        P: Borrow<Vec<f64>> + SyncAlias,
        f64: SendAlias,
        Self: SyncAlias,
    {
        let xs = params.iter().map(|p| self.ctx.decode(p.borrow())).collect();
        match self.ctx.screen(xs) {
            Ok(entries) => {
                let costs = entries.iter().map(|e| -e.score).collect();
                if let Ok(mut log) = self.log.lock() {
                    log.extend(entries);
                }
                Ok(costs)
            }
            Err(e) => {
                let msg = e.to_string();
                if let Ok(mut slot) = self.error.lock() {
                    *slot = Some(e);
                }
                Err(argmin::core::Error::msg(msg))
            }
        }
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
    use super::*;

    #[test]
    fn pso_is_built_from_its_serde_form() {
        let pso = new_pso(&[0.0, 0.0], &[1.0, 2.0], 5, stream(1, 2));
        assert!(pso.is_ok(), "{:?}", pso.err());
    }
}
