//! The world: a scenario and one strategy compiled into per-country models that the
//! engine reads every step (countries, segments, channel availability, planned
//! spend, staff, integration rollouts, wages).

use crate::channel::{Channel, ChannelSpec, N_CHANNELS};
use crate::mechanisms::{coordination, finance, integration, seasonality, staffing};
use crate::scenario::{CountrySpec, Organisation, Scenario, SegmentSpec, Strategy};
use crate::stats::BetaQuantiles;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Agents per shard. Fixed, so results never depend on the thread or rank count.
pub const SHARD_SIZE: usize = 8192;

/// Paid channels are the first seven channel indices.
pub const N_PAID: usize = 7;

/// A segment as seen in one country.
#[derive(Debug, Clone)]
pub struct SegmentModel {
    /// Segment name.
    pub name: String,
    /// Share of the country's population.
    pub share: f64,
    /// Catalogue / scenario parameters.
    pub spec: SegmentSpec,
    /// Order value in this country (order value × price index).
    pub order_value: f64,
    /// Relative reach of each channel.
    pub preference: [f64; N_CHANNELS],
    /// Quantiles of the churn propensity's Beta distribution (shared by the
    /// countries that hold the segment); `None` when its parameters give none.
    pub churn: Option<Arc<BetaQuantiles>>,
}

/// One country, compiled.
#[derive(Debug, Clone)]
pub struct CountryModel {
    /// Country code.
    pub code: String,
    /// Scenario figures.
    pub spec: CountrySpec,
    /// Agents simulated.
    pub agents: usize,
    /// Customers per agent (population / agents).
    pub scale: f64,
    /// Segments, in the scenario's order.
    pub segments: Vec<SegmentModel>,
    /// Consent rate of the privacy regime.
    pub consent_rate: f64,
    /// Personalisation cap of the privacy regime.
    pub personalisation_cap: f64,
    /// Channels the company has in this country.
    pub available: [bool; N_CHANNELS],
    /// Planned weekly spend per channel, per period: `(first week, spend)` from
    /// week 0 in week order (one period unless the strategy is phased), with rises
    /// arriving as late as the country's coordination makes them
    /// ([`coordination::lagged`]).
    pub weekly_spend: Vec<(u32, [f64; N_CHANNELS])>,
    /// Service staff (FTE) per channel.
    pub service_staff: [f64; N_CHANNELS],
    /// Marketing specialists (FTE) per channel.
    pub specialists: [f64; N_CHANNELS],
    /// Integration rollouts, indexed like [`crate::scenario::INITIATIVES`].
    pub rollouts: [Option<integration::Rollout>; 6],
    /// Weekly wages of staff and specialists.
    pub wages_weekly: f64,
    /// Reward scheme and coordination.
    pub organisation: Organisation,
    /// Weekly cost of the coordination function.
    pub coordination_weekly: f64,
    /// Demand index (seasonality, trend, events) of each week of the horizon.
    pub demand: Vec<f64>,
    /// Day count of week 0 (the scenario's `start_date`), for weeks past the table.
    pub start_day: Option<i64>,
}

impl CountryModel {
    /// Number of shards of this country.
    pub fn shards(&self) -> usize {
        self.agents.div_ceil(SHARD_SIZE)
    }

    /// Agents in shard `k`.
    pub fn shard_len(&self, k: usize) -> usize {
        (self.agents - k * SHARD_SIZE).min(SHARD_SIZE)
    }

    /// Planned weekly spend per channel in `week`.
    pub fn weekly_spend_at(&self, week: u32) -> &[f64; N_CHANNELS] {
        let k = self
            .weekly_spend
            .partition_point(|(start, _)| *start <= week);
        &self.weekly_spend[k.saturating_sub(1)].1
    }

    /// Demand index of the country in `week` (1 = flat demand).
    pub fn demand_at(&self, week: u32) -> f64 {
        match self.demand.get(week as usize) {
            Some(&d) => d,
            None => seasonality::demand_index(&self.spec.seasonality, self.start_day, week),
        }
    }

    /// True once initiative `i` is live in `week`.
    pub fn live(&self, i: usize, week: u32) -> bool {
        self.rollouts[i].is_some_and(|r| week >= r.live_week)
    }

    /// Specialist crew factor of a paid channel at a weekly spend.
    pub fn crew(&self, spec: &ChannelSpec, c: Channel, weekly_spend: f64) -> f64 {
        staffing::crew_factor(
            self.specialists[c.index()],
            spec.specialists_min * self.spec.region_share(),
            weekly_spend,
            spec.spend_per_specialist_weekly,
        )
    }
}

/// A scenario with one strategy, ready to simulate.
#[derive(Debug, Clone)]
pub struct World {
    /// The scenario.
    pub scenario: Scenario,
    /// The strategy simulated.
    pub strategy: Strategy,
    /// Channel parameters in index order.
    pub specs: [ChannelSpec; N_CHANNELS],
    /// Countries in code order.
    pub countries: Vec<CountryModel>,
}

impl World {
    /// Compile a validated scenario with one of its strategies.
    pub fn new(scenario: &Scenario, strategy: &Strategy) -> World {
        let specs = scenario.channel_specs();
        let churn: BTreeMap<&str, Arc<BetaQuantiles>> = scenario
            .segments
            .iter()
            .filter_map(|(name, seg)| {
                let q = BetaQuantiles::shared(seg.churn_alpha, seg.churn_beta)?;
                Some((name.as_str(), q))
            })
            .collect();
        let countries = scenario
            .countries
            .iter()
            .map(|(code, spec)| compile_country(scenario, strategy, code, spec, &churn))
            .collect();
        World {
            scenario: scenario.clone(),
            strategy: strategy.clone(),
            specs,
            countries,
        }
    }

    /// Total agents.
    pub fn agents(&self) -> usize {
        self.countries.iter().map(|c| c.agents).sum()
    }

    /// Steps in the horizon.
    pub fn steps(&self) -> u32 {
        self.scenario.steps()
    }

    /// Step length in weeks.
    pub fn step_weeks(&self) -> f64 {
        1.0 / self.scenario.time_step.steps_per_week() as f64
    }
}

fn compile_country(
    s: &Scenario,
    st: &Strategy,
    code: &str,
    spec: &CountrySpec,
    churn: &BTreeMap<&str, Arc<BetaQuantiles>>,
) -> CountryModel {
    let agents = s.agents_in(spec);
    let mut available = [false; N_CHANNELS];
    for name in &spec.channels {
        if let Ok(c) = name.parse::<Channel>() {
            available[c.index()] = true;
        }
    }
    let segments = spec
        .segments
        .iter()
        .filter_map(|(name, &share)| {
            let seg = s.segments.get(name)?;
            let mut preference = [1.0; N_CHANNELS];
            for (ch, w) in &seg.channel_preference {
                if let Ok(c) = ch.parse::<Channel>() {
                    preference[c.index()] = *w;
                }
            }
            Some(SegmentModel {
                name: name.clone(),
                share,
                spec: seg.clone(),
                order_value: seg.order_value * spec.price_index,
                preference,
                churn: churn.get(name.as_str()).cloned(),
            })
        })
        .collect();
    let privacy = s.privacy.get(&spec.privacy);
    let by = |m: &crate::scenario::ByCountryChannel| {
        let mut out = [0.0; N_CHANNELS];
        if let Some(x) = m.get(code) {
            for (ch, v) in x {
                if let Ok(c) = ch.parse::<Channel>() {
                    out[c.index()] = *v;
                }
            }
        }
        out
    };
    let org = st.organisation_of(code);
    CountryModel {
        code: code.to_string(),
        spec: spec.clone(),
        agents,
        scale: spec.population / agents as f64,
        segments,
        consent_rate: privacy.map_or(1.0, |p| p.consent_rate),
        personalisation_cap: privacy.map_or(1.0, |p| p.personalisation_cap),
        available,
        weekly_spend: coordination::lagged(
            &finance::planned_weekly_spend(st, code, s.horizon_weeks),
            coordination::lag_weeks(org.coordination, &s.coordination),
        ),
        service_staff: by(&st.service_staff),
        specialists: by(&st.specialists),
        rollouts: integration::rollouts(s, st, code),
        wages_weekly: finance::weekly_wages(s, st, code),
        organisation: org,
        coordination_weekly: coordination::cost_weekly(
            org.coordination,
            spec.wage_index,
            &s.coordination,
        ),
        demand: seasonality::demand_table(&spec.seasonality, s.start_day(), s.horizon_weeks),
        start_day: s.start_day(),
    }
}
