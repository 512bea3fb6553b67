//! Phased plans: per-country phase weights turned into phase spend rates that keep
//! the horizon's media total.

use super::*;

impl PlanSpace {
    /// [`PlanSpace::finish`], spreading paid spend over the phases by `weights`
    /// (countries without weights: flat) when the space is phased.
    pub(super) fn finish_phased(&self, mut st: Strategy, weights: &PhaseWeights) -> Strategy {
        let s = &self.scenario;
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        for _ in 0..60 {
            self.apply_phases(&mut st, weights);
            self.size_specialists(&mut st);
            let costs = finance::planned_costs(s, &st);
            if costs.total() <= budget {
                break;
            }
            let paid_media: f64 = st
                .annual_spend
                .values()
                .flat_map(|m| m.iter())
                .filter(|(ch, _)| ch.parse::<Channel>().is_ok_and(|c| !c.is_service()))
                .map(|(_, v)| v * s.horizon_weeks as f64 / 52.0)
                .sum();
            let over = costs.total() - budget;
            let fixed = self.fixed_spend();
            let is_fixed = |code: &str, ch: &str| fixed.iter().any(|(a, b)| a == code && b == ch);
            let fixed_media: f64 = st
                .annual_spend
                .iter()
                .flat_map(|(code, m)| m.iter().map(move |(ch, v)| (code, ch, v)))
                .filter(|(code, ch, _)| is_fixed(code, ch))
                .map(|(_, _, v)| v * s.horizon_weeks as f64 / 52.0)
                .sum();
            let free = paid_media - fixed_media;
            let k = if free > 0.0 {
                ((free - over) / free * 0.999).max(0.0)
            } else {
                0.0
            };
            for (code, by_ch) in st.annual_spend.iter_mut() {
                for (ch, v) in by_ch.iter_mut() {
                    if is_fixed(code, ch) {
                        continue;
                    }
                    if let Ok(c) = ch.parse::<Channel>()
                        && !c.is_service()
                    {
                        *v *= k;
                        let share = s.countries.get(code).map_or(1.0, |x| x.region_share());
                        if *v < self.specs[c.index()].min_viable_weekly_spend * 52.0 * share {
                            *v = 0.0;
                        }
                    }
                }
            }
        }
        for m in st.annual_spend.values_mut() {
            m.retain(|_, v| *v > 0.0);
        }
        self.apply_phases(&mut st, weights);
        // staff only where the channel runs
        let spend = st.annual_spend.clone();
        for (code, by_ch) in st.service_staff.iter_mut() {
            by_ch.retain(|ch, v| {
                *v > 0.0
                    && spend
                        .get(code)
                        .and_then(|m| m.get(ch))
                        .is_some_and(|s| *s > 0.0)
            });
        }
        st
    }

    /// Rebuild `st.phases` from its average paid spend and the phase weights: each
    /// channel's phase spend is the average × the country's normalised weight; a
    /// phase below the channel's minimum viable spend goes dark and the other phases
    /// carry its money, so the horizon's media total equals the average's.
    pub(super) fn apply_phases(&self, st: &mut Strategy, weights: &PhaseWeights) {
        st.phases.clear();
        if self.phases.is_empty() {
            return;
        }
        let len: Vec<f64> = self.phases.iter().map(|w| f64::from(*w)).collect();
        let h: f64 = len.iter().sum();
        st.phases = self
            .phases
            .iter()
            .map(|w| omnimix_sim::scenario::Phase {
                weeks: *w,
                annual_spend: Default::default(),
            })
            .collect();
        for (code, by_ch) in &st.annual_spend {
            let raw = weights
                .get(code)
                .cloned()
                .unwrap_or_else(|| vec![1.0; len.len()]);
            let raw: Vec<f64> = raw.iter().map(|w| w.max(0.0)).collect();
            let norm: f64 = raw.iter().zip(&len).map(|(w, l)| w * l).sum();
            let w: Vec<f64> = if norm > 0.0 {
                raw.iter().map(|x| x * h / norm).collect()
            } else {
                vec![1.0; len.len()]
            };
            for (ch, avg) in by_ch {
                let Ok(c) = ch.parse::<Channel>() else {
                    continue;
                };
                if c.is_service() {
                    continue;
                }
                let share = self
                    .scenario
                    .countries
                    .get(code)
                    .map_or(1.0, |x| x.region_share());
                let min = self.specs[c.index()].min_viable_weekly_spend * 52.0 * share;
                let mut v: Vec<f64> = w.iter().map(|k| avg * k).collect();
                // phases below the minimum go dark; the rest carry the money
                for _ in 0..=v.len() {
                    let kept: f64 = v
                        .iter()
                        .zip(&len)
                        .filter(|(x, _)| **x > 0.0)
                        .map(|(x, l)| x * l)
                        .sum();
                    if kept <= 0.0 {
                        break;
                    }
                    let k = avg * h / kept;
                    for x in v.iter_mut() {
                        *x *= k;
                    }
                    let mut changed = false;
                    for x in v.iter_mut() {
                        if *x > 0.0 && *x < min * (1.0 - 1e-12) {
                            *x = 0.0;
                            changed = true;
                        }
                    }
                    if !changed {
                        break;
                    }
                }
                for (p, x) in st.phases.iter_mut().zip(v) {
                    p.annual_spend
                        .entry(code.clone())
                        .or_default()
                        .insert(ch.clone(), x);
                }
            }
        }
    }
}
