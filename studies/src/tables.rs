//! What a strategy puts where: the rows of `plan.csv`, `plan_phases.csv` and
//! `allocation.csv`, read from the strategy through its typed accessors.

use omnimix_sim::{Channel, Scenario, Strategy};
use serde::{Deserialize, Serialize};

/// One row of `plan.csv`: a country × channel the plan spends on or staffs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRow {
    /// Country code.
    pub country: String,
    /// Channel name.
    pub channel: String,
    /// Annual spend (the base rate, before phases).
    pub spend: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Spend as a share of the annual budget.
    pub share: f64,
}

/// One row of `plan_phases.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseRow {
    /// Phase, from 1 (the weeks after the last phase are one more).
    pub phase: usize,
    /// First week of the phase, from 1.
    pub first_week: u32,
    /// Last week of the phase.
    pub last_week: u32,
    /// Country code.
    pub country: String,
    /// Channel name.
    pub channel: String,
    /// Annual run rate during the phase.
    pub annual_rate: f64,
    /// Money spent in the phase.
    pub spend: f64,
}

/// One row of `allocation.csv`: what a named strategy puts where (spend averaged
/// over the horizon for a phased strategy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationRow {
    /// `plan`, `current`, `equal_split` or the simulated strategy's name.
    pub strategy: String,
    /// Country code.
    pub country: String,
    /// Channel name.
    pub channel: String,
    /// Annual spend (mean run rate over the horizon).
    pub spend: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
}

/// The rows of `plan.csv`: cells with spend, staff or specialists, by country then channel.
pub fn plan_rows(s: &Scenario, st: &Strategy) -> Vec<PlanRow> {
    let budget = s.finance.annual_budget;
    let mut rows = Vec::new();
    for code in s.countries.keys() {
        for c in Channel::ALL {
            let (spend, staff, spec) = (
                st.spend_of(code, c),
                st.staff_of(code, c),
                st.specialists_of(code, c),
            );
            if spend > 0.0 || staff > 0.0 || spec > 0.0 {
                rows.push(PlanRow {
                    country: code.clone(),
                    channel: c.name().into(),
                    spend,
                    service_staff: staff,
                    specialists: spec,
                    share: spend / budget,
                });
            }
        }
    }
    rows
}

/// The rows of `plan_phases.csv`: spend per phase, country and channel (channels that spend).
pub fn phase_rows(s: &Scenario, st: &Strategy) -> Vec<PhaseRow> {
    let mut rows = Vec::new();
    for (k, p) in st.spend_periods(s.horizon_weeks).iter().enumerate() {
        for code in s.countries.keys() {
            for c in Channel::ALL {
                let rate = st.spend_in(p, code, c.name());
                if rate > 0.0 {
                    rows.push(PhaseRow {
                        phase: k + 1,
                        first_week: p.start + 1,
                        last_week: p.end,
                        country: code.clone(),
                        channel: c.name().into(),
                        annual_rate: rate,
                        spend: rate * f64::from(p.end - p.start) / 52.0,
                    });
                }
            }
        }
    }
    rows
}

/// The rows of `allocation.csv` for named strategies (cells with anything in them).
pub fn allocation_rows(s: &Scenario, strategies: &[(&str, &Strategy)]) -> Vec<AllocationRow> {
    let mut rows = Vec::new();
    for (name, st) in strategies {
        for code in s.countries.keys() {
            for ch in Channel::ALL {
                let (spend, staff, spec) = (
                    st.mean_spend(s.horizon_weeks, code, ch),
                    st.staff_of(code, ch),
                    st.specialists_of(code, ch),
                );
                if spend > 0.0 || staff > 0.0 || spec > 0.0 {
                    rows.push(AllocationRow {
                        strategy: name.to_string(),
                        country: code.clone(),
                        channel: ch.name().into(),
                        spend,
                        service_staff: staff,
                        specialists: spec,
                    });
                }
            }
        }
    }
    rows
}

/// A country's line of the budget: what the plan spends, employs and invests there
/// over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryBudget {
    /// Country code.
    pub code: String,
    /// Country name.
    pub name: String,
    /// Media spend over the horizon (every phase at its run rate).
    pub media: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Wages of both over the horizon.
    pub wages: f64,
    /// Integration capex paid within the horizon.
    pub integration_capex: f64,
    /// Integration opex (with privacy profile costs) over the horizon.
    pub integration_opex: f64,
    /// Shared-reward bonus pool and coordination function over the horizon.
    pub organisation: f64,
    /// Media + wages + integration + organisation.
    pub total: f64,
    /// `total` as a share of the plan's total cost.
    pub share: f64,
}

/// A channel's line of the budget over the horizon (channels with spend or staff).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelBudget {
    /// Channel name.
    pub channel: String,
    /// Media spend in all countries.
    pub media: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Wages of both.
    pub wages: f64,
    /// Media + wages.
    pub total: f64,
    /// `total` as a share of the plan's total cost.
    pub share: f64,
}

/// One country and channel of the budget over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellBudget {
    /// Country code.
    pub country: String,
    /// Channel name.
    pub channel: String,
    /// Media spend.
    pub media: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Wages of both.
    pub wages: f64,
    /// Media + wages.
    pub total: f64,
    /// `total` as a share of the plan's total cost.
    pub share: f64,
}

/// The staff of one country and channel and what they cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffCost {
    /// Country code.
    pub country: String,
    /// Channel name.
    pub channel: String,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Wages over the horizon ([`omnimix_sim::mechanisms::finance::weekly_channel_wages`]
    /// × weeks).
    pub wages: f64,
}

/// One integration initiative in one country and what it costs within the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationCost {
    /// Country code.
    pub country: String,
    /// Initiative name.
    pub initiative: String,
    /// Week the project starts, from 1.
    pub start_week: u32,
    /// First live week, from 1 (beyond the horizon: it never goes live in the run).
    pub live_week: u32,
    /// One-off cost, paid in the start week.
    pub capex: f64,
    /// Running cost from the live week to the horizon (with privacy profile costs).
    pub opex: f64,
    /// Capex + opex.
    pub total: f64,
    /// `total` as a share of the plan's total cost.
    pub share: f64,
}

/// How one country's channel teams are rewarded and coordinated, and what it costs
/// over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganisationCost {
    /// Country code.
    pub country: String,
    /// `channel` (shared_reward 0), `shared` (1) or `mix`.
    pub reward_scheme: String,
    /// Share of variable pay on the shared measure.
    pub shared_reward: f64,
    /// Coordination function (0 = silos, 1 = full).
    pub coordination: f64,
    /// Bonus pool of the shared scheme.
    pub bonus_pool: f64,
    /// Cost of the coordination function.
    pub coordination_cost: f64,
    /// Bonus pool + coordination.
    pub total: f64,
}

/// The name of a reward scheme: `channel`, `shared` or `mix`.
pub fn reward_scheme(shared_reward: f64) -> &'static str {
    if shared_reward <= 0.0 {
        "channel"
    } else if shared_reward >= 1.0 {
        "shared"
    } else {
        "mix"
    }
}

/// The plan's planned costs over the horizon by country, by channel, per cell, for
/// staff and per integration initiative. Every money table adds up to `total`
/// ([`omnimix_sim::mechanisms::finance::planned_costs`]): by country with its
/// integration, by channel and per cell with integration as lines of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Weeks of the horizon the amounts cover.
    pub weeks: u32,
    /// The plan's total planned cost over the horizon (media + wages + integration).
    pub total: f64,
    /// The budget over the horizon (the annual budget × weeks / 52).
    pub budget: f64,
    /// One line per country, in the scenario's order.
    pub by_country: Vec<CountryBudget>,
    /// One line per channel with spend or staff.
    pub by_channel: Vec<ChannelBudget>,
    /// Country × channel cells with spend or staff.
    pub cells: Vec<CellBudget>,
    /// Staff per country and channel with their wages.
    pub staffing: Vec<StaffCost>,
    /// Integration initiatives per country (those a plan starts within the horizon).
    pub integration: Vec<IntegrationCost>,
    /// Reward scheme and coordination per country, every country.
    pub organisation: Vec<OrganisationCost>,
}

/// Media spend of a strategy in one country and channel over the horizon (every
/// phase at its run rate), as [`omnimix_sim::mechanisms::finance::planned_costs`]
/// counts it.
pub fn horizon_media(s: &Scenario, st: &Strategy, code: &str, ch: Channel) -> f64 {
    st.spend_periods(s.horizon_weeks)
        .iter()
        .map(|p| st.spend_in(p, code, ch.name()) * f64::from(p.end - p.start) / 52.0)
        .sum()
}

/// The budget of a strategy over the scenario's horizon: spend, headcount, wages
/// and integration per country, channel and initiative, each with its share of the
/// plan's total cost.
pub fn budget(s: &Scenario, plan: &Strategy) -> Budget {
    use omnimix_sim::mechanisms::finance::{planned_costs, weekly_channel_wages};
    use omnimix_sim::mechanisms::integration::rollouts;
    use omnimix_sim::scenario::INITIATIVES;
    let weeks = s.horizon_weeks;
    let total = planned_costs(s, plan).total();
    let share = |x: f64| if total > 0.0 { x / total } else { 0.0 };
    let mut by_country = Vec::new();
    let mut cells = Vec::new();
    let mut staffing = Vec::new();
    let mut integration = Vec::new();
    let mut organisation = Vec::new();
    for (code, country) in &s.countries {
        let (mut media, mut staff, mut spec, mut wages) = (0.0, 0.0, 0.0, 0.0);
        for ch in Channel::ALL {
            let m = horizon_media(s, plan, code, ch);
            let (st, sp) = (plan.staff_of(code, ch), plan.specialists_of(code, ch));
            let w = weekly_channel_wages(s, plan, code, ch) * f64::from(weeks);
            media += m;
            staff += st;
            spec += sp;
            wages += w;
            if st > 0.0 || sp > 0.0 {
                staffing.push(StaffCost {
                    country: code.clone(),
                    channel: ch.name().into(),
                    service_staff: st,
                    specialists: sp,
                    wages: w,
                });
            }
            if m > 0.0 || st > 0.0 || sp > 0.0 {
                cells.push(CellBudget {
                    country: code.clone(),
                    channel: ch.name().into(),
                    media: m,
                    service_staff: st,
                    specialists: sp,
                    wages: w,
                    total: m + w,
                    share: share(m + w),
                });
            }
        }
        let (mut capex, mut opex) = (0.0, 0.0);
        for (i, r) in rollouts(s, plan, code).iter().enumerate() {
            let Some(r) = r else { continue };
            if r.start_week >= weeks {
                continue; // starts after the horizon: costs nothing in it
            }
            let c = r.capex;
            let o = r.opex_weekly * f64::from(weeks.saturating_sub(r.live_week));
            capex += c;
            opex += o;
            integration.push(IntegrationCost {
                country: code.clone(),
                initiative: INITIATIVES[i].into(),
                start_week: r.start_week + 1,
                live_week: r.live_week.saturating_add(1),
                capex: c,
                opex: o,
                total: c + o,
                share: share(c + o),
            });
        }
        let org = plan.organisation_of(code);
        let bonus = omnimix_sim::mechanisms::incentives::bonus_weekly(
            wages / f64::from(weeks.max(1)),
            org.shared_reward,
            &s.incentives,
        ) * f64::from(weeks);
        let coordination = omnimix_sim::mechanisms::coordination::cost_weekly(
            org.coordination,
            country.wage_index,
            &s.coordination,
        ) * f64::from(weeks);
        organisation.push(OrganisationCost {
            country: code.clone(),
            reward_scheme: reward_scheme(org.shared_reward).into(),
            shared_reward: org.shared_reward,
            coordination: org.coordination,
            bonus_pool: bonus,
            coordination_cost: coordination,
            total: bonus + coordination,
        });
        let t = media + wages + capex + opex + bonus + coordination;
        by_country.push(CountryBudget {
            code: code.clone(),
            name: country.name.clone(),
            media,
            service_staff: staff,
            specialists: spec,
            wages,
            integration_capex: capex,
            integration_opex: opex,
            organisation: bonus + coordination,
            total: t,
            share: share(t),
        });
    }
    let mut by_channel = Vec::new();
    for ch in Channel::ALL {
        let of = |f: &dyn Fn(&CellBudget) -> f64| -> f64 {
            cells.iter().filter(|c| c.channel == ch.name()).map(f).sum()
        };
        if cells.iter().any(|c| c.channel == ch.name()) {
            let (media, wages) = (of(&|c| c.media), of(&|c| c.wages));
            by_channel.push(ChannelBudget {
                channel: ch.name().into(),
                media,
                service_staff: of(&|c| c.service_staff),
                specialists: of(&|c| c.specialists),
                wages,
                total: media + wages,
                share: share(media + wages),
            });
        }
    }
    Budget {
        weeks,
        total,
        budget: s.finance.annual_budget * f64::from(weeks) / 52.0,
        by_country,
        by_channel,
        cells,
        staffing,
        integration,
        organisation,
    }
}
