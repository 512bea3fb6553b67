//! The simulator's decisions as a search [`Space`] (MODEL.md §4), and back.
//!
//! Variables, per country:
//! - annual spend per available paid channel: continuous, semi-continuous at the
//!   channel's minimum viable spend (a channel is off or above its minimum);
//! - service staff per running staffed service channel (call centre, live chat) and
//!   store staff: integers;
//! - each integration initiative: binary (started in week 0);
//!
//! and one company-wide creative share. Marketing specialists are sized to the spend
//! (the minimum crew, or one per `spend_per_specialist_weekly`), their wages are
//! folded into the spend variables' cost. Service channels' tooling spend is kept
//! from the base strategy (a fixed cost).
//!
//! [`PlanSpace::decode`] turns any vector into a strategy the scenario validator
//! accepts, within the budget to the cent: after the linear repair of the space it
//! recomputes the exact planned cost (specialists round up) and scales media down if
//! needed.

use crate::{Space, Variable};
use omnimix_sim::mechanisms::{finance, integration};
use omnimix_sim::scenario::{INITIATIVES, Scenario, Strategy};
use omnimix_sim::{Channel, ChannelSpec, N_CHANNELS};
use std::collections::BTreeMap;

/// What one variable of the space decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Annual spend of a country on a paid channel.
    Spend {
        /// Country code.
        country: String,
        /// Paid channel.
        channel: Channel,
    },
    /// Service staff (FTE) of a country on a channel (call centre, live chat, store).
    ServiceStaff {
        /// Country code.
        country: String,
        /// Channel.
        channel: Channel,
    },
    /// An integration initiative in a country (started in week 0 when on).
    Integration {
        /// Country code.
        country: String,
        /// Initiative name.
        initiative: &'static str,
    },
    /// The company's creative share.
    CreativeShare,
}

/// A scenario's decision space.
#[derive(Debug, Clone)]
pub struct PlanSpace {
    /// The search space.
    pub space: Space,
    /// What each variable decides, in the space's order.
    pub decisions: Vec<Decision>,
    scenario: Scenario,
    base: Strategy,
    specs: [ChannelSpec; N_CHANNELS],
}

fn get(m: &omnimix_sim::scenario::ByCountryChannel, code: &str, c: Channel) -> f64 {
    m.get(code)
        .and_then(|x| x.get(c.name()))
        .copied()
        .unwrap_or(0.0)
}

impl PlanSpace {
    /// The decision space of `scenario`, around the base strategy `base` (its service
    /// tooling spend is kept; its other decisions are the warm start).
    pub fn new(scenario: &Scenario, base: &Strategy) -> PlanSpace {
        let s = scenario;
        let specs = s.channel_specs();
        let f = s.horizon_weeks as f64 / 52.0;
        let weeks = s.horizon_weeks as f64;
        let mut space = Space::new(s.finance.annual_budget * f);
        let mut decisions = Vec::new();
        let mut fixed = 0.0;
        for (code, country) in &s.countries {
            let has = |c: Channel| country.channels.iter().any(|n| n == c.name());
            for c in Channel::PAID {
                if !has(c) {
                    continue;
                }
                let spec = &specs[c.index()];
                let min = spec.min_viable_weekly_spend * 52.0;
                let current = get(&base.annual_spend, code, c);
                let hi = (3.0 * current)
                    .max(20.0 * min)
                    .max(0.05 * s.finance.annual_budget)
                    .min(s.finance.annual_budget);
                let wage = if spec.spend_per_specialist_weekly > 0.0 {
                    spec.specialist_wage_weekly * country.wage_index
                        / spec.spend_per_specialist_weekly
                } else {
                    0.0
                };
                space.add_variable(
                    Variable::continuous(format!("{code}/{c}/spend"), 0.0, hi.max(min))
                        .with_cost(f * (1.0 + wage))
                        .with_min_viable(min),
                );
                decisions.push(Decision::Spend {
                    country: code.clone(),
                    channel: c,
                });
            }
            for c in Channel::SERVICE {
                fixed += get(&base.annual_spend, code, c) * f;
            }
            for c in [Channel::CallCentre, Channel::LiveChat, Channel::Store] {
                let running = if c == Channel::Store {
                    has(c)
                } else {
                    get(&base.annual_spend, code, c) > 0.0
                };
                if !running {
                    continue;
                }
                let current = get(&base.service_staff, code, c);
                let wage = specs[c.index()].agent_wage_weekly * country.wage_index * weeks;
                space.add_variable(
                    Variable::integer(
                        format!("{code}/{c}/staff"),
                        0.0,
                        (3.0 * current).max(10.0).round(),
                    )
                    .with_cost(wage),
                );
                decisions.push(Decision::ServiceStaff {
                    country: code.clone(),
                    channel: c,
                });
            }
            for name in INITIATIVES {
                let mut one = Strategy::default();
                one.integration
                    .insert(code.clone(), BTreeMap::from([(name.to_string(), 0)]));
                let cost = integration::planned_cost(s, &one, code);
                space.add_variable(Variable::binary(format!("{code}/{name}")).with_cost(cost));
                decisions.push(Decision::Integration {
                    country: code.clone(),
                    initiative: name,
                });
            }
        }
        space.add_variable(Variable::continuous("creative_share", 0.0, 0.5));
        decisions.push(Decision::CreativeShare);
        space.fixed_cost = fixed;
        PlanSpace {
            space,
            decisions,
            scenario: s.clone(),
            base: base.clone(),
            specs,
        }
    }

    /// The vector of a strategy (the warm start of a search).
    pub fn encode(&self, st: &Strategy) -> Vec<f64> {
        self.decisions
            .iter()
            .map(|d| match d {
                Decision::Spend { country, channel } => get(&st.annual_spend, country, *channel),
                Decision::ServiceStaff { country, channel } => {
                    get(&st.service_staff, country, *channel)
                }
                Decision::Integration {
                    country,
                    initiative,
                } => {
                    let on = st
                        .integration
                        .get(country)
                        .is_some_and(|m| m.contains_key(*initiative));
                    if on { 1.0 } else { 0.0 }
                }
                Decision::CreativeShare => st.creative_share,
            })
            .collect()
    }

    /// A valid strategy within the budget from any vector.
    pub fn decode(&self, x: &[f64]) -> Strategy {
        let x = self.space.repaired(x);
        let mut st = Strategy {
            description: "optimized plan".into(),
            creative_share: self.base.creative_share,
            ..Strategy::default()
        };
        // service tooling spend is kept from the base
        for (code, by_ch) in &self.base.annual_spend {
            for c in Channel::SERVICE {
                if let Some(v) = by_ch.get(c.name()).filter(|v| **v > 0.0) {
                    st.annual_spend
                        .entry(code.clone())
                        .or_default()
                        .insert(c.name().into(), *v);
                }
            }
        }
        for (d, v) in self.decisions.iter().zip(&x) {
            match d {
                Decision::Spend { country, channel } if *v > 0.0 => {
                    st.annual_spend
                        .entry(country.clone())
                        .or_default()
                        .insert(channel.name().into(), *v);
                }
                Decision::ServiceStaff { country, channel } if *v > 0.0 => {
                    st.service_staff
                        .entry(country.clone())
                        .or_default()
                        .insert(channel.name().into(), v.round());
                }
                Decision::Integration {
                    country,
                    initiative,
                } if *v > 0.5 => {
                    st.integration
                        .entry(country.clone())
                        .or_default()
                        .insert(initiative.to_string(), 0);
                }
                Decision::CreativeShare => st.creative_share = *v,
                _ => {}
            }
        }
        self.finish(st)
    }

    /// Size specialists to spend, drop staff of channels that do not run, and scale
    /// media down until the exact planned cost fits the budget.
    fn finish(&self, mut st: Strategy) -> Strategy {
        let s = &self.scenario;
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        for _ in 0..60 {
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
            let k = if paid_media > 0.0 {
                ((paid_media - over) / paid_media * 0.999).max(0.0)
            } else {
                0.0
            };
            for (_, by_ch) in st.annual_spend.iter_mut() {
                for (ch, v) in by_ch.iter_mut() {
                    if let Ok(c) = ch.parse::<Channel>() {
                        if !c.is_service() {
                            *v *= k;
                            if *v < self.specs[c.index()].min_viable_weekly_spend * 52.0 {
                                *v = 0.0;
                            }
                        }
                    }
                }
            }
        }
        for m in st.annual_spend.values_mut() {
            m.retain(|_, v| *v > 0.0);
        }
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

    fn size_specialists(&self, st: &mut Strategy) {
        st.specialists.clear();
        for (code, by_ch) in &st.annual_spend {
            for (ch, v) in by_ch {
                let Ok(c) = ch.parse::<Channel>() else {
                    continue;
                };
                if c.is_service() || *v <= 0.0 {
                    continue;
                }
                let spec = &self.specs[c.index()];
                let needed = if spec.spend_per_specialist_weekly > 0.0 {
                    (v / 52.0 / spec.spend_per_specialist_weekly).ceil()
                } else {
                    0.0
                };
                let n = needed.max(spec.specialists_min);
                if n > 0.0 {
                    st.specialists
                        .entry(code.clone())
                        .or_default()
                        .insert(ch.clone(), n);
                }
            }
        }
    }

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
                let min = self.specs[c.index()].min_viable_weekly_spend * 52.0;
                m.insert(c.name().into(), if share >= min { share } else { 0.0 });
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
        vec![
            self.encode(&self.base),
            self.encode(&self.equal_split()),
            variant(&integrate),
            variant(&staff),
            variant(&|st: &mut Strategy| {
                integrate(st);
                staff(st);
            }),
        ]
    }

    /// The scenario this space was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_sim::ScenarioSource;
    use omnimix_sim::scenario::load::load;
    use omnimix_sim::scenario::validate::validate;
    use proptest::prelude::*;

    const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");

    fn space() -> PlanSpace {
        let s = load(&ScenarioSource::new("t", DEFAULT), &[]).unwrap();
        PlanSpace::new(&s, &s.strategy)
    }

    fn with_strategy(ps: &PlanSpace, st: &Strategy) -> Scenario {
        let mut s = ps.scenario().clone();
        s.strategy = st.clone();
        s
    }

    #[test]
    fn current_strategy_round_trips() {
        let ps = space();
        let st = ps.decode(&ps.encode(&ps.base));
        assert_eq!(st.annual_spend, ps.base.annual_spend);
        assert_eq!(st.service_staff, ps.base.service_staff);
        assert_eq!(st.specialists, ps.base.specialists);
    }

    #[test]
    fn baselines_and_warm_starts_are_valid_and_within_budget() {
        let ps = space();
        let s = ps.scenario();
        let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
        let mut plans = vec![ps.equal_split()];
        plans.extend(ps.warm_starts().iter().map(|x| ps.decode(x)));
        for st in plans {
            assert!(
                validate(&with_strategy(&ps, &st)).is_empty(),
                "{:?}",
                validate(&with_strategy(&ps, &st))
            );
            assert!(finance::planned_costs(s, &st).total() <= budget * (1.0 + 1e-12));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// Any vector, even far out of bounds, decodes to a strategy the validator
        /// accepts, whose exact planned cost is within the budget.
        #[test]
        fn any_vector_decodes_to_a_valid_plan_within_budget(raw in proptest::collection::vec(-1e7f64..1e8, 171)) {
            let ps = space();
            let s = ps.scenario();
            let mut x = raw;
            x.resize(ps.space.dim(), 0.0);
            let st = ps.decode(&x);
            let problems = validate(&with_strategy(&ps, &st));
            prop_assert!(problems.is_empty(), "{:?}", problems);
            let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
            prop_assert!(finance::planned_costs(s, &st).total() <= budget * (1.0 + 1e-12));
        }
    }
}
