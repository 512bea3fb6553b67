//! The successive-halving race among the elite on more replications.

use super::*;

impl<'a, E: Evaluator + ?Sized> Ctx<'a, E> {
    pub(super) fn begin_race(&self, st: &SearchState) -> Phase {
        Phase::Race {
            survivors: st.elite.clone(),
            reps: self.opts.replications,
        }
    }

    pub(super) fn race_step(
        &self,
        st: &mut SearchState,
        mut survivors: Vec<Entry>,
        reps: u32,
    ) -> Result<(Phase, bool), Error> {
        if survivors.is_empty() {
            return Err(Error::Solver("no candidate was evaluated".into()));
        }
        let remaining = self.opts.evals.saturating_sub(st.evals_done);
        let new = (reps.saturating_mul(2)).min(self.opts.max_replications);
        let halving = survivors.len() > 1 && new > reps;
        // a halving round that does not fit entirely adds the replications that do
        let add = if halving {
            ((new - reps) as usize).min(remaining / survivors.len())
        } else {
            0
        };
        if add == 0 {
            // the race is over: what is left of the budget sharpens the leader's
            // estimate, so the search spends exactly the evaluations it was given
            let mut winner = survivors.swap_remove(0);
            if remaining == 0 {
                return Ok((Phase::Done { winner }, false));
            }
            let first = reps.max(winner.samples.len() as u32);
            let res = evaluate_reps(
                self.evaluator,
                std::slice::from_ref(&winner.x),
                first..first + remaining as u32,
                1,
            )?;
            st.evals_done += remaining;
            winner.samples.extend(res[0].iter().map(|o| o[0]));
            winner.score = self.opts.risk.apply(&winner.samples);
            return Ok((Phase::Done { winner }, true));
        }
        let new = reps + add as u32;
        let cost = survivors.len() * add;
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
