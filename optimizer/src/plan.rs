//! The simulator's decisions as a search [`Space`] (MODEL.md §4), and back.
//!
//! Variables, per country:
//! - annual spend per available paid channel: continuous, semi-continuous at the
//!   channel's minimum viable spend (a channel is off or above its minimum);
//! - service staff per running staffed service channel (call centre, live chat) and
//!   store staff: integers;
//! - each integration initiative: binary (started in week 0);
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
    /// How much of a country's average paid spend runs in one phase (1 = the
    /// average; normalised over the phases' lengths).
    PhaseWeight {
        /// Country code.
        country: String,
        /// Phase index, from 0.
        phase: usize,
    },
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
            phases: Vec::new(),
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
            let mut hit = false;
            for (i, var) in self.space.variables.iter_mut().enumerate() {
                if matches(pattern, &var.name) {
                    var.fixed = Some(value.unwrap_or(current[i]));
                    hit = true;
                }
            }
            if !hit {
                return Err(format!(
                    "fix '{pattern}' matches no decision (names look like DE/search/spend, DE/call_centre/staff, DE/unified_data, creative_share)"
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
        for (code, b) in &spec.country_spend {
            let vars = spend_of(&|c, _| c == code);
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
                    Decision::ServiceStaff { country, .. } if country == code => Some(i),
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

    /// [`PlanSpace::finish`], spreading paid spend over the phases by `weights`
    /// (countries without weights: flat) when the space is phased.
    fn finish_phased(&self, mut st: Strategy, weights: &PhaseWeights) -> Strategy {
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
                        if *v < self.specs[c.index()].min_viable_weekly_spend * 52.0 {
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
    fn apply_phases(&self, st: &mut Strategy, weights: &PhaseWeights) {
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
                let min = self.specs[c.index()].min_viable_weekly_spend * 52.0;
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
                let min = self.specs[c.index()].min_viable_weekly_spend * 52.0;
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

    /// Structured moves for the pattern search: all paid media up or down (the one
    /// move that changes the money spent), every initiative everywhere, service
    /// staff of each channel kind everywhere, each paid channel's spend everywhere,
    /// each country's spend, the creative share, each phase's weight everywhere and a
    /// front-loading of spend, and each country's initiatives. Fixed variables are
    /// never moved (the search keeps them).
    pub fn directions(&self) -> Vec<Direction> {
        let pick = |f: &dyn Fn(&Decision) -> bool| -> Vec<usize> {
            self.decisions
                .iter()
                .enumerate()
                .filter(|(i, d)| f(d) && self.space.variables[*i].fixed.is_none())
                .map(|(i, _)| i)
                .collect()
        };
        let mut out = Vec::new();
        let mut push = |name: String, scale: Vec<(usize, f64)>, shift: Vec<(usize, f64)>| {
            if !scale.is_empty() || !shift.is_empty() {
                out.push(Direction {
                    name,
                    scale,
                    shift,
                    keep_cost: true,
                });
            }
        };
        for name in INITIATIVES {
            let v = pick(
                &|d| matches!(d, Decision::Integration { initiative, .. } if *initiative == name),
            );
            push(
                format!("{name} everywhere"),
                vec![],
                v.iter().map(|&i| (i, 1.0)).collect(),
            );
        }
        let base = self.encode(&self.base);
        for c in [Channel::CallCentre, Channel::LiveChat, Channel::Store] {
            let v = pick(&|d| matches!(d, Decision::ServiceStaff { channel, .. } if *channel == c));
            let shift = v
                .iter()
                .map(|&i| (i, (0.5 * base[i]).round().max(2.0)))
                .collect();
            push(format!("{c} staff everywhere"), vec![], shift);
        }
        for c in Channel::PAID {
            let v = pick(&|d| matches!(d, Decision::Spend { channel, .. } if *channel == c));
            push(
                format!("{c} spend everywhere"),
                v.iter().map(|&i| (i, 0.5)).collect(),
                vec![],
            );
        }
        for code in self.scenario.countries.keys() {
            let v = pick(&|d| matches!(d, Decision::Spend { country, .. } if country == code));
            push(
                format!("{code} spend"),
                v.iter().map(|&i| (i, 0.5)).collect(),
                vec![],
            );
        }
        let v = pick(&|d| matches!(d, Decision::CreativeShare));
        push(
            "creative share".into(),
            vec![],
            v.iter().map(|&i| (i, 0.1)).collect(),
        );
        let n = self.phases.len();
        for k in 0..n {
            let v = pick(&|d| matches!(d, Decision::PhaseWeight { phase, .. } if *phase == k));
            push(
                format!("phase {} spend everywhere", k + 1),
                vec![],
                v.iter().map(|&i| (i, 0.8)).collect(),
            );
        }
        if n > 1 {
            let v = pick(&|d| matches!(d, Decision::PhaseWeight { .. }));
            let tilt = |i: usize| match &self.decisions[i] {
                Decision::PhaseWeight { phase, .. } => 0.6 - 1.2 * *phase as f64 / (n - 1) as f64,
                _ => 0.0,
            };
            push(
                "spend earlier".into(),
                vec![],
                v.iter().map(|&i| (i, tilt(i))).collect(),
            );
        }
        for code in self.scenario.countries.keys() {
            let v =
                pick(&|d| matches!(d, Decision::Integration { country, .. } if country == code));
            push(
                format!("{code} integration"),
                vec![],
                v.iter().map(|&i| (i, 1.0)).collect(),
            );
        }
        // The only move that changes the money spent: all paid media up or down.
        let v = pick(&|d| matches!(d, Decision::Spend { .. }));
        if !v.is_empty() {
            out.insert(
                0,
                Direction {
                    name: "all paid media (spend less or more)".into(),
                    scale: v.iter().map(|&i| (i, 0.25)).collect(),
                    shift: vec![],
                    keep_cost: false,
                },
            );
        }
        out
    }

    /// The scenario this space was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
}

/// `pattern` matches `name` segment by segment (`/`), `*` matching any segment.
fn matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), name.split('/').collect());
    p.len() == n.len() && p.iter().zip(&n).all(|(a, b)| *a == "*" || a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnimix_sim::ScenarioSource;
    use omnimix_sim::scenario::Strategy;
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

    #[test]
    fn fixes_and_bounds_hold_in_decoded_plans() {
        let text = format!(
            "{DEFAULT}\n[optimize]\nfix = [\"*/store/spend\", \"creative_share\"]\nheadcount_cap = {{ DE = 60 }}\n\
             [optimize.channel_spend.print]\nmax = 1000000\n"
        );
        let s = load(&ScenarioSource::new("t", text), &[]).unwrap();
        let mut ps = PlanSpace::new(&s, &s.strategy);
        ps.constrain(&[("US/unified_data".into(), Some(1.0))])
            .unwrap();
        assert!(ps.space.feasibility().is_ok());
        let mut rng = 12345u64;
        for _ in 0..20 {
            let x: Vec<f64> = (0..ps.space.dim())
                .map(|_| {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (rng >> 11) as f64 / (1u64 << 53) as f64 * 3e6
                })
                .collect();
            let st = ps.decode(&x);
            let de_staff: f64 = st.service_staff.get("DE").map_or(0.0, |m| m.values().sum());
            assert!(de_staff <= 60.0 + 1e-9, "{de_staff}");
            let print: f64 = st
                .annual_spend
                .values()
                .filter_map(|m| m.get("print"))
                .sum();
            assert!(print <= 1e6 * (1.0 + 1e-9), "{print}");
            assert!(st.integration["US"].contains_key("unified_data"));
            assert_eq!(st.creative_share, s.strategy.creative_share);
        }
        assert!(ps.constrain(&[("XX/nothing".into(), None)]).is_err());
    }

    #[test]
    fn directions_cover_the_structure_and_skip_fixed_decisions() {
        let mut ps = space().with_phases(4);
        ps.constrain(&[("*/unified_data".into(), None)]).unwrap();
        let dirs = ps.directions();
        let names: Vec<&str> = dirs.iter().map(|d| d.name.as_str()).collect();
        for want in [
            "bopis everywhere",
            "call_centre staff everywhere",
            "search spend everywhere",
            "DE spend",
            "creative share",
            "phase 4 spend everywhere",
            "spend earlier",
            "US integration",
        ] {
            assert!(names.contains(&want), "{want} not in {names:?}");
        }
        assert!(
            !names.contains(&"unified_data everywhere"),
            "fixed decisions move"
        );
        // only the all-media move may change the money spent
        let spending: Vec<&str> = dirs
            .iter()
            .filter(|d| !d.keep_cost)
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(spending, ["all paid media (spend less or more)"]);
        for d in &dirs {
            for &(i, _) in d.scale.iter().chain(&d.shift) {
                assert!(i < ps.space.dim());
                assert!(
                    ps.space.variables[i].fixed.is_none(),
                    "{} moves a fixed decision",
                    d.name
                );
            }
        }
    }

    #[test]
    fn patterns_match_segment_by_segment() {
        assert!(matches("*/store/spend", "DE/store/spend"));
        assert!(!matches("*/store/spend", "DE/store/staff"));
        assert!(!matches("DE/*", "DE/store/spend"));
        assert!(matches("creative_share", "creative_share"));
    }

    fn paid_media(s: &Scenario, st: &Strategy) -> f64 {
        let mut m = 0.0;
        for p in st.spend_periods(s.horizon_weeks) {
            for code in s.countries.keys() {
                for c in Channel::PAID {
                    m += st.spend_in(&p, code, c.name()) * f64::from(p.end - p.start) / 52.0;
                }
            }
        }
        m
    }

    #[test]
    fn quarters_split_the_horizon_and_flat_weights_change_nothing() {
        let ps = space().with_phases(4);
        assert_eq!(ps.phase_weeks(), [13, 13, 13, 13]);
        assert!(
            ps.space
                .variables
                .iter()
                .any(|v| v.name == "DE/phase4/weight")
        );
        let flat = space();
        let a = flat.decode(&flat.encode(&flat.base));
        let b = ps.decode(&ps.encode(&ps.base));
        assert_eq!(b.phases.len(), 4);
        assert_eq!(a.annual_spend, b.annual_spend);
        assert_eq!(a.specialists, b.specialists);
        let s = ps.scenario();
        assert!((paid_media(s, &a) - paid_media(s, &b)).abs() < 1e-6);
        // a 10-week horizon in 4 phases: 3 + 3 + 2 + 2
        let short = load(
            &ScenarioSource::new("t", DEFAULT),
            &["horizon_weeks=10".parse().unwrap()],
        )
        .unwrap();
        assert_eq!(
            PlanSpace::new(&short, &short.strategy)
                .with_phases(4)
                .phase_weeks(),
            [3, 3, 2, 2]
        );
        assert!(
            PlanSpace::new(&short, &short.strategy)
                .with_phases(1)
                .phase_weeks()
                .is_empty()
        );
    }

    #[test]
    fn phase_weights_round_trip_and_move_money_between_quarters() {
        let ps = space().with_phases(4);
        let mut x = ps.encode(&ps.base);
        let idx = |name: &str| {
            ps.space
                .variables
                .iter()
                .position(|v| v.name == name)
                .unwrap()
        };
        x[idx("US/phase1/weight")] = 1.8;
        x[idx("US/phase4/weight")] = 0.6;
        let st = ps.decode(&x);
        let us = |k: usize| -> f64 { st.phases[k].annual_spend["US"].values().sum() };
        assert!(
            us(0) > us(1) && us(1) > us(3),
            "{} {} {}",
            us(0),
            us(1),
            us(3)
        );
        let y = ps.encode(&st);
        // normalised weights: (1.8, 1, 1, 0.6) / mean 1.1
        assert!(
            (y[idx("US/phase1/weight")] - 1.8 / 1.1).abs() < 1e-9,
            "{}",
            y[idx("US/phase1/weight")]
        );
        assert!((y[idx("US/phase4/weight")] - 0.6 / 1.1).abs() < 1e-9);
        let st2 = ps.decode(&y);
        for (a, b) in st.phases.iter().zip(&st2.phases) {
            for (code, m) in &a.annual_spend {
                for (ch, v) in m {
                    let w = b.annual_spend[code][ch];
                    assert!(
                        (v - w).abs() <= 1e-9 * v.abs().max(1.0),
                        "{code} {ch}: {v} vs {w}"
                    );
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// Phased plans from any vector are valid, within budget, and the phases'
        /// paid media add up to the average plan's.
        #[test]
        fn any_phased_vector_is_valid_and_conserves_media(raw in proptest::collection::vec(-1e7f64..1e8, 171), w in proptest::collection::vec(-1.0f64..3.0, 40)) {
            let ps = space().with_phases(4);
            let s = ps.scenario();
            let mut x = raw;
            x.resize(ps.space.dim() - w.len(), 0.0);
            x.extend(w);
            let st = ps.decode(&x);
            let problems = validate(&with_strategy(&ps, &st));
            prop_assert!(problems.is_empty(), "{:?}", problems);
            let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
            prop_assert!(finance::planned_costs(s, &st).total() <= budget * (1.0 + 1e-12));
            let mut flat = st.clone();
            flat.phases.clear();
            let (a, b) = (paid_media(s, &st), paid_media(s, &flat));
            prop_assert!((a - b).abs() <= 1e-9 * b.max(1.0), "{} vs {}", a, b);
        }

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
