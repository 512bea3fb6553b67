//! The compass-search polish of the best candidate, kept at the same cost.

use super::*;

impl<'a, E: Evaluator + ?Sized> Ctx<'a, E> {
    pub(super) fn begin_compass(&self, st: &SearchState) -> Phase {
        match st.elite.first() {
            Some(best) => self.begin_compass_from(best.x.clone(), best.score),
            None => self.begin_race(st),
        }
    }

    pub(super) fn begin_compass_from(&self, x: Vec<f64>, score: f64) -> Phase {
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

    pub(super) fn polish_converged(&self, steps: &[f64]) -> bool {
        steps.iter().enumerate().all(|(k, &s)| {
            let i = self.free[k];
            match self.space.variables[i].kind {
                Kind::Continuous => s < 1e-6 * (self.up[k] - self.low[k]).max(f64::MIN_POSITIVE),
                _ => s < 0.5,
            }
        })
    }

    pub(super) fn polish_step(
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

    pub(super) fn rebalance(&self, y: &mut [f64], target_cost: f64) {
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
}
