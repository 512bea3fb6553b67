//! The simulator's decisions as a search [`Space`] (docs/model.md, "What the optimizer decides"), and back.
//!
//! Variables, per country:
//! - annual spend per available paid channel: continuous, semi-continuous at the
//!   channel's minimum viable spend (a channel is off or above its minimum);
//! - service staff per running staffed service channel (call centre, live chat) and
//!   store staff: integers;
//! - each integration initiative: binary (on or off, `CC/initiative`), and the
//!   quarter it starts (`CC/initiative/start`: 0 = week 0, 1 = week 13, …, up to the
//!   last quarter from which it still goes live inside the horizon): staged
//!   roll-outs, one country or one initiative first. Initiatives that cannot go
//!   live inside the horizon are fixed off. `CC/integration_start` in a fix names
//!   all of a country's start quarters at once;
//! - the reward scheme of the channel teams (`CC/shared_reward`: 0 = channel-only
//!   credit, 1 = a mix at 0.5, 2 = fully shared) and the coordination function
//!   (`CC/coordination`: binary, silos or a full function), each with its cost
//!   (the bonus pool on the base strategy's wages, the function's cost; the exact
//!   cost is taken in decode);
//!
//! and one company-wide creative share; with [`PlanSpace::with_phases`], a spend
//! weight per country and phase (a plan per quarter): phase spend = the country's
//! average spend × its weight, weights normalised so the horizon's media total is
//! the average's. Marketing specialists are sized to the spend
//! (the minimum crew, or one per `spend_per_specialist_weekly`), their wages are
//! folded into the spend variables' cost. Service channels' tooling spend is kept
//! from the base strategy (a fixed cost).
//!
//! [`PlanSpace::decode`] turns any vector into a strategy the scenario validator
//! accepts, within the budget to the cent: after the linear repair of the space it
//! recomputes the exact planned cost (specialists round up) and scales media down if
//! needed.

use crate::{Direction, Group, Space, Variable};
use omnimix_sim::mechanisms::{coordination, finance, incentives, integration};
use omnimix_sim::scenario::{INITIATIVES, Scenario, Strategy};
use omnimix_sim::{Channel, ChannelSpec, N_CHANNELS};
use std::collections::BTreeMap;

mod baselines;
mod directions;
mod phases;

/// Weeks between the start dates a staged roll-out can choose (a quarter).
pub const ROLLOUT_STEP_WEEKS: u32 = 13;

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
    /// An integration initiative in a country (started in its start quarter when
    /// on).
    Integration {
        /// Country code.
        country: String,
        /// Initiative name.
        initiative: &'static str,
    },
    /// The quarter (in [`ROLLOUT_STEP_WEEKS`]) an initiative starts in a country.
    IntegrationStart {
        /// Country code.
        country: String,
        /// Initiative name.
        initiative: &'static str,
    },
    /// A country's reward scheme: shared_reward = the variable's value / 2.
    SharedReward {
        /// Country code.
        country: String,
    },
    /// A country's coordination function (on or off).
    Coordination {
        /// Country code.
        country: String,
    },
    /// The company's creative share.
    CreativeShare,
    /// How much of a country's average paid spend runs in one phase (1 = the
    /// average; normalised over the phases' lengths).
    PhaseWeight {
        /// Country code.
        country: String,
        /// Phase index, from 0.
        phase: usize,
    },
}

impl Decision {
    /// The region's unit code (`IN/metro`) when the decision is a region's.
    fn unit(&self) -> Option<&str> {
        match self {
            Decision::Spend { country, .. }
            | Decision::ServiceStaff { country, .. }
            | Decision::Integration { country, .. }
            | Decision::IntegrationStart { country, .. }
            | Decision::PhaseWeight { country, .. }
            | Decision::SharedReward { country }
            | Decision::Coordination { country } => {
                Some(country.as_str()).filter(|c| c.contains('/'))
            }
            Decision::CreativeShare => None,
        }
    }
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
    /// Phase lengths in weeks (empty: one plan for the whole horizon).
    phases: Vec<u32>,
    /// Weeks from start to go-live of each (country, initiative).
    delays: BTreeMap<(String, &'static str), u32>,
}

/// Per country: the phases' spend weights.
type PhaseWeights = BTreeMap<String, Vec<f64>>;

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
        let mut delays = BTreeMap::new();
        let mut decisions = Vec::new();
        let mut fixed = 0.0;
        for (code, country) in &s.countries {
            let has = |c: Channel| country.channels.iter().any(|n| n == c.name());
            for c in Channel::PAID {
                if !has(c) {
                    continue;
                }
                let spec = &specs[c.index()];
                let min = country.min_viable_weekly(spec) * 52.0;
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
                let mut var = Variable::binary(format!("{code}/{name}")).with_cost(cost);
                // a project that cannot go live inside the horizon only costs: the
                // search never starts it (its effect after the horizon is not in any
                // objective, customer equity included, which is taken at the horizon)
                let live = integration::rollouts(s, &one, code)
                    .iter()
                    .flatten()
                    .map(|r| r.live_week)
                    .min();
                if let Some(w) = live {
                    delays.insert((code.clone(), name), w);
                }
                let latest = live.and_then(|w| s.horizon_weeks.checked_sub(w + 1));
                if latest.is_none() {
                    var = var.fixed_at(0.0);
                }
                space.add_variable(var);
                decisions.push(Decision::Integration {
                    country: code.clone(),
                    initiative: name,
                });
                // staged roll-outs: the quarter it starts, up to the last one from
                // which it still goes live (its cost is that of a week-0 start, an
                // upper bound; the exact cost is taken in decode)
                let quarters = latest.map_or(0, |w| w / ROLLOUT_STEP_WEEKS);
                if quarters >= 1 {
                    space.add_variable(Variable::integer(
                        format!("{code}/{name}/start"),
                        0.0,
                        f64::from(quarters),
                    ));
                    decisions.push(Decision::IntegrationStart {
                        country: code.clone(),
                        initiative: name,
                    });
                }
            }
            // organisation: the bonus pool on the base wages (staff are decided
            // too; decode takes the exact cost) and the coordination function
            let bonus =
                incentives::bonus_weekly(finance::weekly_wages(s, base, code), 1.0, &s.incentives)
                    * weeks;
            space.add_variable(
                Variable::integer(format!("{code}/shared_reward"), 0.0, 2.0).with_cost(bonus / 2.0),
            );
            decisions.push(Decision::SharedReward {
                country: code.clone(),
            });
            let coord = coordination::cost_weekly(1.0, country.wage_index, &s.coordination) * weeks;
            space.add_variable(Variable::binary(format!("{code}/coordination")).with_cost(coord));
            decisions.push(Decision::Coordination {
                country: code.clone(),
            });
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
            phases: Vec::new(),
            delays,
        }
    }

    /// Plan spend per phase: `n` consecutive phases of (nearly) equal whole weeks
    /// over the horizon (`n` = 4 on a 52-week horizon: quarters of 13 weeks); adds a
    /// weight per country and phase, named `CC/phaseK/weight` (K from 1). `n` <= 1
    /// leaves the space as it is. Call before [`PlanSpace::constrain`].
    pub fn with_phases(mut self, n: u32) -> PlanSpace {
        let h = self.scenario.horizon_weeks;
        let n = n.min(h);
        if n <= 1 {
            return self;
        }
        self.phases = (0..n).map(|k| h / n + u32::from(k < h % n)).collect();
        let countries: Vec<String> = self.scenario.countries.keys().cloned().collect();
        for code in countries {
            for k in 0..n as usize {
                self.space.add_variable(Variable::continuous(
                    format!("{code}/phase{}/weight", k + 1),
                    0.2,
                    2.0,
                ));
                self.decisions.push(Decision::PhaseWeight {
                    country: code.clone(),
                    phase: k,
                });
            }
        }
        self
    }

    /// Phase lengths in weeks (empty when the plan is not phased).
    pub fn phase_weeks(&self) -> &[u32] {
        &self.phases
    }

    /// Apply the scenario's `[optimize]` table and command-line fixes
    /// (`(pattern, value)`; no value: keep the base strategy's). Returns an error
    /// naming a pattern that matches no decision.
    pub fn constrain(&mut self, extra_fixes: &[(String, Option<f64>)]) -> Result<(), String> {
        let spec = self.scenario.optimize.clone();
        let current = self.encode(&self.base);
        let mut fixes: Vec<(String, Option<f64>)> =
            spec.fix.iter().map(|p| (p.clone(), None)).collect();
        fixes.extend(extra_fixes.iter().cloned());
        for (pattern, value) in &fixes {
            // `CC/integration_start`: every start quarter of the country, each at
            // most its last quarter that still goes live (a project too long for
            // that start begins as late as it still goes live)
            let (pattern, clamp) = match pattern.strip_suffix("/integration_start") {
                // `CC/integration_start` or a region's `CC/region/integration_start`
                Some(code) if code.matches('/').count() <= 1 => (format!("{code}/*/start"), true),
                _ => (pattern.clone(), false),
            };
            let mut hit = false;
            let units: Vec<Option<&str>> = self.decisions.iter().map(Decision::unit).collect();
            for (i, var) in self.space.variables.iter_mut().enumerate() {
                if matches(&pattern, &var.name)
                    || units
                        .get(i)
                        .copied()
                        .flatten()
                        .is_some_and(|u| matches(&pattern, &country_level(u, &var.name)))
                {
                    let v = value.unwrap_or(current[i]);
                    var.fixed = Some(if clamp { v.clamp(var.lo, var.hi) } else { v });
                    hit = true;
                }
            }
            if !hit {
                return Err(format!(
                    "fix '{pattern}' matches no decision (names look like DE/search/spend, DE/call_centre/staff, DE/unified_data, DE/unified_data/start, DE/integration_start, DE/shared_reward, DE/coordination, creative_share)"
                ));
            }
        }
        let budget = self.scenario.finance.annual_budget;
        let bounded = |g: Group, b: &omnimix_sim::scenario::Bound| {
            let mut g = g;
            let max = [b.max, b.max_share.map(|x| x * budget)]
                .into_iter()
                .flatten()
                .reduce(f64::min);
            let min = [b.min, b.min_share.map(|x| x * budget)]
                .into_iter()
                .flatten()
                .reduce(f64::max);
            if let Some(m) = max {
                g = g.at_most(m);
            }
            if let Some(m) = min {
                g = g.at_least(m);
            }
            g
        };
        let spend_of = |pred: &dyn Fn(&str, Channel) -> bool| -> Vec<usize> {
            self.decisions
                .iter()
                .enumerate()
                .filter_map(|(i, d)| match d {
                    Decision::Spend { country, channel } if pred(country, *channel) => Some(i),
                    _ => None,
                })
                .collect()
        };
        let mut groups = Vec::new();
        // a country with regions: the bound is on the sum of its regions
        let in_country = |unit: &str, code: &str| {
            unit == code || unit.strip_prefix(code).is_some_and(|r| r.starts_with('/'))
        };
        for (code, b) in &spec.country_spend {
            let vars = spend_of(&|c, _| in_country(c, code));
            groups.push(bounded(
                Group::sum(format!("country_spend.{code}"), vars),
                b,
            ));
        }
        for (ch, b) in &spec.channel_spend {
            let vars = spend_of(&|_, c| c.name() == ch);
            groups.push(bounded(Group::sum(format!("channel_spend.{ch}"), vars), b));
        }
        for (code, cap) in &spec.headcount_cap {
            let vars: Vec<usize> = self
                .decisions
                .iter()
                .enumerate()
                .filter_map(|(i, d)| match d {
                    Decision::ServiceStaff { country, .. } if in_country(country, code) => Some(i),
                    _ => None,
                })
                .collect();
            groups.push(Group::sum(format!("headcount_cap.{code}"), vars).at_most(*cap));
        }
        for g in groups {
            self.space.add_group(g);
        }
        Ok(())
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
                Decision::IntegrationStart {
                    country,
                    initiative,
                } => st
                    .integration
                    .get(country)
                    .and_then(|m| m.get(*initiative))
                    .map_or(0.0, |w| f64::from(w / ROLLOUT_STEP_WEEKS)),
                Decision::SharedReward { country } => {
                    (2.0 * st.organisation_of(country).shared_reward).round()
                }
                Decision::Coordination { country } => {
                    st.organisation_of(country).coordination.round()
                }
                Decision::CreativeShare => st.creative_share,
                Decision::PhaseWeight { country, phase } => self.weight_of(st, country, *phase),
            })
            .collect()
    }

    /// A country's phase weight in a phased strategy: its paid spend in the phase
    /// over its average paid spend (1 when not phased the same way).
    fn weight_of(&self, st: &Strategy, code: &str, phase: usize) -> f64 {
        if st.phases.len() != self.phases.len() {
            return 1.0;
        }
        let paid = |m: &omnimix_sim::scenario::ByCountryChannel| -> f64 {
            Channel::PAID.iter().map(|c| get(m, code, *c)).sum()
        };
        let base = paid(&st.annual_spend);
        if base > 0.0 {
            paid(&st.phases[phase].annual_spend) / base
        } else {
            1.0
        }
    }

    /// A valid strategy within the budget from any vector.
    pub fn decode(&self, x: &[f64]) -> Strategy {
        let x = self.space.repaired(x);
        let mut weights = PhaseWeights::new();
        let mut st = Strategy {
            description: "optimized plan".into(),
            creative_share: self.base.creative_share,
            ..Strategy::default()
        };
        // every country is named, one that gets nothing with an empty table, so that
        // the plan is complete when read back (`simulate --plan`)
        for code in self.scenario.countries.keys() {
            st.annual_spend.entry(code.clone()).or_default();
        }
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
        let start: BTreeMap<(&str, &str), u32> = self
            .decisions
            .iter()
            .zip(&x)
            .filter_map(|(d, v)| match d {
                Decision::IntegrationStart {
                    country,
                    initiative,
                } => Some((
                    (country.as_str(), *initiative),
                    v.round().max(0.0) as u32 * ROLLOUT_STEP_WEEKS,
                )),
                _ => None,
            })
            .collect();
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
                    // its start quarter, never later than the latest week the
                    // project still goes live inside the horizon
                    let latest = self
                        .delays
                        .get(&(country.clone(), *initiative))
                        .map_or(0, |d| self.scenario.horizon_weeks.saturating_sub(d + 1));
                    let week = start
                        .get(&(country.as_str(), *initiative))
                        .copied()
                        .unwrap_or(0)
                        .min(latest);
                    st.integration
                        .entry(country.clone())
                        .or_default()
                        .insert(initiative.to_string(), week);
                }
                Decision::SharedReward { country } => {
                    st.organisation
                        .entry(country.clone())
                        .or_default()
                        .shared_reward = (v.round() / 2.0).clamp(0.0, 1.0);
                }
                Decision::Coordination { country } => {
                    st.organisation
                        .entry(country.clone())
                        .or_default()
                        .coordination = v.round().clamp(0.0, 1.0);
                }
                Decision::CreativeShare => st.creative_share = *v,
                Decision::PhaseWeight { country, phase } => {
                    weights
                        .entry(country.clone())
                        .or_insert_with(|| vec![1.0; self.phases.len()])[*phase] = *v;
                }
                _ => {}
            }
        }
        self.finish_phased(st, &weights)
    }

    /// Size specialists to spend, drop staff of channels that do not run, and scale
    /// media down until the exact planned cost fits the budget.
    fn finish(&self, st: Strategy) -> Strategy {
        self.finish_phased(st, &PhaseWeights::new())
    }

    /// (country, channel) of spend decisions fixed by `constrain`.
    fn fixed_spend(&self) -> Vec<(String, String)> {
        self.decisions
            .iter()
            .zip(&self.space.variables)
            .filter_map(|(d, v)| match d {
                Decision::Spend { country, channel } if v.fixed.is_some() => {
                    Some((country.clone(), channel.name().to_string()))
                }
                _ => None,
            })
            .collect()
    }

    fn size_specialists(&self, st: &mut Strategy) {
        st.specialists.clear();
        for (code, by_ch) in &st.annual_spend {
            for ch in by_ch.keys() {
                let Ok(c) = ch.parse::<Channel>() else {
                    continue;
                };
                let v = st.peak_spend(code, ch);
                if c.is_service() || v <= 0.0 {
                    continue;
                }
                let spec = &self.specs[c.index()];
                // a region's crew is its share of the country's team (not rounded up
                // to whole people per region)
                let share = self
                    .scenario
                    .countries
                    .get(code)
                    .map_or(1.0, |c| c.region_share());
                let needed = if spec.spend_per_specialist_weekly > 0.0 {
                    let x = v / 52.0 / spec.spend_per_specialist_weekly;
                    if share < 1.0 { x } else { x.ceil() }
                } else {
                    0.0
                };
                let n = needed.max(spec.specialists_min * share);
                if n > 0.0 {
                    st.specialists
                        .entry(code.clone())
                        .or_default()
                        .insert(ch.clone(), n);
                }
            }
        }
    }

    /// The scenario this space was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
}

/// A region's decision name with its unit code `CC/region` replaced by the country
/// code, so that `IN/search/spend` or `*/search/spend` also fix it.
fn country_level(unit: &str, name: &str) -> String {
    match (unit.split_once('/'), name.strip_prefix(unit)) {
        (Some((country, _)), Some(rest)) => format!("{country}{rest}"),
        _ => name.to_string(),
    }
}

/// `pattern` matches `name` segment by segment (`/`), `*` matching any segment.
fn matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), name.split('/').collect());
    p.len() == n.len() && p.iter().zip(&n).all(|(a, b)| *a == "*" || a == b)
}

#[cfg(test)]
mod tests;
