//! The fixed context of one search run and its driver: screening, the elite,
//! advancing the state phase by phase (start, swarm, pattern, polish, race).

use super::*;

/// Builds argmin's `ParticleSwarm` with a seeded Xoshiro256++ through its serde form:
/// `ParticleSwarm::new` would first seed a generator from the OS, which this crate never
/// does. Weights are argmin's defaults (SPSO 2011).
pub(super) fn new_pso(
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
pub(super) struct Ctx<'a, E: ?Sized> {
    pub(super) space: &'a Space,
    pub(super) evaluator: &'a E,
    pub(super) opts: &'a Options,
    /// Indices of the variables the search moves.
    pub(super) free: Vec<usize>,
    /// Search box of the free variables.
    pub(super) low: Vec<f64>,
    pub(super) up: Vec<f64>,
    /// Full vector with fixed values in place.
    pub(super) template: Vec<f64>,
    pub(super) swarm: usize,
    pub(super) swarm_end: usize,
    pub(super) polish_end: usize,
}

impl<'a, E: Evaluator + ?Sized> Ctx<'a, E> {
    pub(super) fn new(space: &'a Space, evaluator: &'a E, opts: &'a Options) -> Self {
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

    pub(super) fn decode(&self, pos: &[f64]) -> Vec<f64> {
        let mut x = self.template.clone();
        for (k, &i) in self.free.iter().enumerate() {
            x[i] = pos[k];
        }
        self.space.repair(&mut x);
        x
    }

    pub(super) fn r0(&self) -> u32 {
        self.opts.replications
    }

    pub(super) fn screen(&self, xs: Vec<Vec<f64>>) -> Result<Vec<Entry>, Error> {
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

    pub(super) fn push_elite(
        &self,
        elite: &mut Vec<Entry>,
        entries: impl IntoIterator<Item = Entry>,
    ) {
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

    pub(super) fn advance(&self, st: &mut SearchState) -> Result<bool, Error> {
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

    pub(super) fn start(&self, st: &mut SearchState) -> Result<(Phase, bool), Error> {
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
}
