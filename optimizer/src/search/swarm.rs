//! The particle swarm phase (argmin's `ParticleSwarm`, one swarm per batch).

use super::*;

impl<'a, E: Evaluator + ?Sized> Ctx<'a, E> {
    pub(super) fn swarm_step(
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
}

/// argmin cost function of the swarm: decodes (repairs) positions, evaluates the whole
/// swarm as one batch on `0..r0`, cost = −score. Records every evaluated candidate.
pub(super) struct SwarmCost<'c, 'a, E: ?Sized> {
    pub(super) ctx: &'c Ctx<'a, E>,
    pub(super) log: Mutex<Vec<Entry>>,
    pub(super) error: Mutex<Option<Error>>,
}

impl<'c, 'a, E: Evaluator + ?Sized> SwarmCost<'c, 'a, E> {
    pub(super) fn new(ctx: &'c Ctx<'a, E>) -> Self {
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
