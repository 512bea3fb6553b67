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
