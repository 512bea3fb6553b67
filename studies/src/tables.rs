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

/// A country's line of the budget: what the plan spends and employs there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryBudget {
    /// Country code.
    pub code: String,
    /// Country name.
    pub name: String,
    /// Annual spend (base rates).
    pub spend: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Annual wages of both.
    pub wages: f64,
    /// Spend as a share of the annual budget.
    pub share: f64,
}

/// A channel's line of the budget (channels with spend or staff).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelBudget {
    /// Channel name.
    pub channel: String,
    /// Annual spend in all countries.
    pub spend: f64,
    /// Service staff (FTE).
    pub service_staff: f64,
    /// Marketing specialists (FTE).
    pub specialists: f64,
    /// Spend as a share of the annual budget.
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
    /// Annual wages ([`omnimix_sim::mechanisms::finance::weekly_channel_wages`] × 52).
    pub wages: f64,
}

/// The plan's budget by country, by channel, per cell and for staff.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// One line per country, in the scenario's order.
    pub by_country: Vec<CountryBudget>,
    /// One line per channel with spend or staff.
    pub by_channel: Vec<ChannelBudget>,
    /// Country × channel cells (the rows of `plan.csv`).
    pub cells: Vec<PlanRow>,
    /// Staff per country and channel with their wages.
    pub staffing: Vec<StaffCost>,
}

/// The budget of a strategy: spend and headcount per country and channel, wages from
/// the finance mechanism.
pub fn budget(s: &Scenario, plan: &Strategy) -> Budget {
    use omnimix_sim::mechanisms::finance::{weekly_channel_wages, weekly_wages};
    let annual = s.finance.annual_budget;
    let mut by_country = Vec::new();
    let mut staffing = Vec::new();
    for (code, country) in &s.countries {
        let sum = |f: &dyn Fn(Channel) -> f64| -> f64 { Channel::ALL.iter().map(|c| f(*c)).sum() };
        let spend = sum(&|c| plan.spend_of(code, c));
        by_country.push(CountryBudget {
            code: code.clone(),
            name: country.name.clone(),
            spend,
            service_staff: sum(&|c| plan.staff_of(code, c)),
            specialists: sum(&|c| plan.specialists_of(code, c)),
            wages: weekly_wages(s, plan, code) * 52.0,
            share: spend / annual,
        });
        for ch in Channel::ALL {
            let (st, sp) = (plan.staff_of(code, ch), plan.specialists_of(code, ch));
            if st > 0.0 || sp > 0.0 {
                staffing.push(StaffCost {
                    country: code.clone(),
                    channel: ch.name().into(),
                    service_staff: st,
                    specialists: sp,
                    wages: weekly_channel_wages(s, plan, code, ch) * 52.0,
                });
            }
        }
    }
    let mut by_channel = Vec::new();
    for ch in Channel::ALL {
        let sum = |f: &dyn Fn(&str) -> f64| -> f64 { s.countries.keys().map(|c| f(c)).sum() };
        let spend = sum(&|c| plan.spend_of(c, ch));
        let staff = sum(&|c| plan.staff_of(c, ch));
        let spec = sum(&|c| plan.specialists_of(c, ch));
        if spend > 0.0 || staff > 0.0 || spec > 0.0 {
            by_channel.push(ChannelBudget {
                channel: ch.name().into(),
                spend,
                service_staff: staff,
                specialists: spec,
                share: spend / annual,
            });
        }
    }
    Budget {
        by_country,
        by_channel,
        cells: plan_rows(s, plan),
        staffing,
    }
}
