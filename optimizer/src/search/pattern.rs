//! The pattern search along structured directions (between the swarm and the polish).

use super::*;

impl<'a, E: Evaluator + ?Sized> Ctx<'a, E> {
    /// Smallest pattern step tried (a direction below it is done).
    const PATTERN_MIN_STEP: f64 = 1.0 / 16.0;

    pub(super) fn begin_polish(&self, st: &SearchState) -> Phase {
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

    pub(super) fn pattern_step(
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
}
