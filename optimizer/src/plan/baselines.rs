//! Strategies built from the plan space: the equal split, a re-split by attribution
//! credit, and the warm starts of a search.

use super::*;

impl PlanSpace {
    /// The equal-split baseline: the base strategy's paid media, split over countries
    /// by population and equally over each country's paid channels; staff,
    /// integration and creative share as in the base.
    pub fn equal_split(&self) -> Strategy {
        let s = &self.scenario;
        let total: f64 = self
            .base
            .annual_spend
            .values()
            .flat_map(|m| m.iter())
            .filter(|(ch, _)| ch.parse::<Channel>().is_ok_and(|c| !c.is_service()))
            .map(|(_, v)| v)
            .sum();
        let population: f64 = s.countries.values().map(|c| c.population).sum();
        let mut st = self.base.clone();
        st.description = "equal split of the current media budget".into();
        for (code, country) in &s.countries {
            let paid: Vec<Channel> = Channel::PAID
                .into_iter()
                .filter(|c| country.channels.iter().any(|n| n == c.name()))
                .collect();
            let share = total * country.population / population / paid.len().max(1) as f64;
            let m = st.annual_spend.entry(code.clone()).or_default();
            for c in paid {
                let min = country.min_viable_weekly(&self.specs[c.index()]) * 52.0;
                m.insert(c.name().into(), if share >= min { share } else { 0.0 });
            }
        }
        self.finish(st)
    }

    /// The base strategy with each country's paid media re-split over its paid
    /// channels in proportion to `weights` (e.g. an attribution model's credit);
    /// staff, integration and creative share as in the base; within the budget.
    pub fn reallocate(&self, weights: &BTreeMap<Channel, f64>) -> Strategy {
        let mut st = self.base.clone();
        st.description = "media re-split in proportion to attribution credit".into();
        for (code, country) in &self.scenario.countries {
            let m = st.annual_spend.entry(code.clone()).or_default();
            let total: f64 = m
                .iter()
                .filter(|(ch, _)| ch.parse::<Channel>().is_ok_and(|c| !c.is_service()))
                .map(|(_, v)| v)
                .sum();
            let paid: Vec<Channel> = Channel::PAID
                .into_iter()
                .filter(|c| country.channels.iter().any(|n| n == c.name()))
                .collect();
            let wsum: f64 = paid
                .iter()
                .map(|c| weights.get(c).copied().unwrap_or(0.0).max(0.0))
                .sum();
            for c in paid {
                let w = weights.get(&c).copied().unwrap_or(0.0).max(0.0);
                let v = if wsum > 0.0 { total * w / wsum } else { 0.0 };
                let min = country.min_viable_weekly(&self.specs[c.index()]) * 52.0;
                m.insert(c.name().into(), if v >= min { v } else { 0.0 });
            }
        }
        self.finish(st)
    }

    /// Warm starts for a search: the base strategy, the equal split, and the base with
    /// (a) every integration initiative started in week 0, (b) 50 % more service staff,
    /// (c) both — each funded by scaling paid media down to the budget.
    pub fn warm_starts(&self) -> Vec<Vec<f64>> {
        let integrate = |st: &mut Strategy| {
            for code in self.scenario.countries.keys() {
                let m = st.integration.entry(code.clone()).or_default();
                for name in INITIATIVES {
                    m.insert(name.to_string(), 0);
                }
            }
        };
        let staff = |st: &mut Strategy| {
            for by_ch in st.service_staff.values_mut() {
                for (ch, v) in by_ch.iter_mut() {
                    if ch != "store" {
                        *v = (*v * 1.5).round();
                    }
                }
            }
        };
        let variant = |f: &dyn Fn(&mut Strategy)| {
            let mut st = self.base.clone();
            f(&mut st);
            self.encode(&self.finish(st))
        };
        let mut starts = self.cold_starts();
        starts.extend([
            self.encode(&self.equal_split()),
            variant(&integrate),
            variant(&staff),
            variant(&|st: &mut Strategy| {
                integrate(st);
                staff(st);
            }),
        ]);
        starts
    }

    /// Starting points that encode no advice: the current plan, its media at half
    /// and at one and a half times the spend (repaired into the budget), and, when
    /// the budget is well above the current plan's cost (a target search trying a
    /// larger budget), the current mix of media and staff scaled up to it. The
    /// search adds its own random points.
    pub fn cold_starts(&self) -> Vec<Vec<f64>> {
        let with_media = |factor: f64| {
            let mut st = self.base.clone();
            for by in st.annual_spend.values_mut() {
                for (ch, v) in by.iter_mut() {
                    let paid = ch
                        .parse::<omnimix_sim::Channel>()
                        .is_ok_and(|c| !c.is_service());
                    if paid {
                        *v *= factor;
                    }
                }
            }
            st
        };
        let media = |factor: f64| self.encode(&self.finish(with_media(factor)));
        let mut starts = vec![self.encode(&self.base), media(0.5), media(1.5)];
        let cost = finance::planned_costs(&self.scenario, &self.base).total();
        let budget = self.space.budget;
        if cost > 0.0 && budget > 1.05 * cost {
            let k = budget / cost;
            let mut st = with_media(k);
            for by in st.service_staff.values_mut() {
                for v in by.values_mut() {
                    *v = (*v * k).round();
                }
            }
            starts.push(self.encode(&self.finish(st)));
        }
        starts
    }
}
