//! Weak finances and the budget (MODEL.md §3.4).
//!
//! The plan's costs over the horizon are deterministic: media (annual spend run
//! rate), wages of service staff and marketing specialists, and integration capex,
//! opex and privacy profile costs. Validation refuses a plan whose costs exceed the
//! budget, so the simulated spend — which volatility can only cut — never does.
//!
//! Volatility: at each planning point the company's media budget is cut, with
//! probability `volatility`, by a uniform share in `[0, max_cut]` for that planning
//! period. A channel whose cut weekly spend falls below its minimum viable spend
//! goes dark for the period and its touches are lost.

use crate::channel::{Channel, N_CHANNELS};
use crate::mechanisms::integration;
use crate::scenario::{Scenario, Strategy};

/// Planned costs of a strategy over the scenario's horizon.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlannedCosts {
    /// Media spend (before volatility cuts).
    pub media: f64,
    /// Service staff and specialist wages.
    pub wages: f64,
    /// Integration capex + opex + privacy profile costs.
    pub integration: f64,
}

impl PlannedCosts {
    /// Costs that do not depend on media: wages + integration.
    pub fn fixed(&self) -> f64 {
        self.wages + self.integration
    }
    /// Everything.
    pub fn total(&self) -> f64 {
        self.media + self.wages + self.integration
    }
}

/// Weekly wages of a country's staff under a strategy.
pub fn weekly_wages(s: &Scenario, st: &Strategy, code: &str) -> f64 {
    let Some(country) = s.countries.get(code) else {
        return 0.0;
    };
    let specs = s.channel_specs();
    let mut w = 0.0;
    for c in Channel::ALL {
        w += wage_units(&specs[c.index()], st, code, c);
    }
    w * country.wage_index
}

/// Weekly wages of a country's staff on one channel (service staff and specialists).
pub fn weekly_channel_wages(s: &Scenario, st: &Strategy, code: &str, channel: Channel) -> f64 {
    let Some(country) = s.countries.get(code) else {
        return 0.0;
    };
    wage_units(&s.channel_specs()[channel.index()], st, code, channel) * country.wage_index
}

/// Weekly wages of one channel's staff before the country's wage index.
fn wage_units(spec: &crate::ChannelSpec, st: &Strategy, code: &str, c: Channel) -> f64 {
    st.staff_of(code, c) * spec.agent_wage_weekly
        + st.specialists_of(code, c) * spec.specialist_wage_weekly
}

/// Planned costs of `st` over the horizon of `s`.
pub fn planned_costs(s: &Scenario, st: &Strategy) -> PlannedCosts {
    let weeks = s.horizon_weeks as f64;
    let mut out = PlannedCosts::default();
    let periods = st.spend_periods(s.horizon_weeks);
    for code in s.countries.keys() {
        for p in &periods {
            let len = f64::from(p.end - p.start);
            let spend: f64 = Channel::ALL
                .iter()
                .map(|c| st.spend_in(p, code, c.name()))
                .sum();
            out.media += spend * len / 52.0;
        }
        out.wages += weekly_wages(s, st, code) * weeks;
        out.integration += integration::planned_cost(s, st, code);
    }
    out
}

/// The media budget multiplier for planning period `period` (1 = no cut), drawn
/// from the uniform `u_event` (cut or not) and `u_size` (how much).
pub fn cut_factor(volatility: f64, max_cut: f64, u_event: f64, u_size: f64) -> f64 {
    if u_event < volatility {
        1.0 - max_cut * u_size
    } else {
        1.0
    }
}

/// Weekly spend actually run on a channel: the planned spend times the cut, or zero
/// when that falls below the channel's minimum viable spend (the channel goes dark).
pub fn weekly_spend_run(planned_weekly: f64, cut: f64, min_viable_weekly: f64) -> f64 {
    let s = planned_weekly * cut;
    if s > 0.0 && s + 1e-9 >= min_viable_weekly {
        s
    } else {
        0.0
    }
}

/// Planned weekly spend per channel of a country, per period of constant spend:
/// `(first week, weekly spend)`, starting at week 0, in week order.
pub fn planned_weekly_spend(
    st: &Strategy,
    code: &str,
    horizon_weeks: u32,
) -> Vec<(u32, [f64; N_CHANNELS])> {
    st.spend_periods(horizon_weeks)
        .iter()
        .map(|p| {
            let w = std::array::from_fn(|i| st.spend_in(p, code, Channel::ALL[i].name()) / 52.0);
            (p.start, w)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_only_reduces() {
        assert_eq!(cut_factor(0.0, 0.3, 0.0, 0.9), 1.0);
        assert!((cut_factor(1.0, 0.3, 0.5, 1.0) - 0.7).abs() < 1e-12);
        for u in [0.0, 0.3, 0.99] {
            let f = cut_factor(0.5, 0.4, 0.1, u);
            assert!((0.6..=1.0).contains(&f));
        }
    }

    #[test]
    fn channel_goes_dark_below_minimum() {
        assert_eq!(weekly_spend_run(1000.0, 1.0, 500.0), 1000.0);
        assert_eq!(weekly_spend_run(1000.0, 0.4, 500.0), 0.0);
        assert_eq!(weekly_spend_run(0.0, 1.0, 0.0), 0.0);
    }
}
