//! Weak finances and the budget (docs/model.md, "Finance").
//!
//! The plan's costs over the horizon are deterministic: media (annual spend run
//! rate), wages of service staff and marketing specialists, and integration capex,
//! opex and privacy profile costs. Validation refuses a plan whose costs exceed the
//! budget, so the simulated spend — which volatility can only cut — never does.
//!
//! Volatility: at each planning point the company's budget is cut, with
//! probability `volatility`, by a uniform share in `[0, max_cut]` for that planning
//! period. The cut falls on the cost lines by the scenario's `finance.cut_policy`
//! ([`Cut::of`]): media (a channel whose cut weekly spend falls below its minimum
//! viable spend goes dark for the period and its touches are lost), staff (a
//! hiring freeze: fewer agents at the desks and in store, lower wages) and
//! integration (opex and the initiatives' strength reduced for the period).
//!
//! A budget below the plan's costs is met the same way before the run
//! ([`fit_to_budget`]), and what was cut is reported.

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
    /// Shared-reward bonus pool and coordination function.
    pub organisation: f64,
}

impl PlannedCosts {
    /// Costs that do not depend on media: wages + integration + organisation.
    pub fn fixed(&self) -> f64 {
        self.wages + self.integration + self.organisation
    }
    /// Everything.
    pub fn total(&self) -> f64 {
        self.media + self.wages + self.integration + self.organisation
    }
}

/// Weekly organisation cost of a country under a strategy: the shared-reward bonus
/// pool on its wages and its coordination function (a region pays its population
/// share of the country's).
pub fn weekly_organisation(s: &Scenario, st: &Strategy, code: &str) -> f64 {
    let Some(country) = s.countries.get(code) else {
        return 0.0;
    };
    let org = st.organisation_of(code);
    crate::mechanisms::incentives::bonus_weekly(
        weekly_wages(s, st, code),
        org.shared_reward,
        &s.incentives,
    ) + crate::mechanisms::coordination::cost_weekly(
        org.coordination,
        country.wage_index,
        &s.coordination,
    ) * country.region_share()
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
        out.organisation += weekly_organisation(s, st, code) * weeks;
    }
    out
}

/// What fitting a strategy to a lower budget changed ([`fit_to_budget`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetFit {
    /// Planned costs before.
    pub before: PlannedCosts,
    /// Planned costs after (within the budget).
    pub after: PlannedCosts,
    /// Media spend kept (every channel and phase scaled alike).
    pub media_factor: f64,
    /// Staff kept (service staff and specialists scaled alike).
    pub staff_factor: f64,
    /// Initiatives postponed past the horizon, as (country, initiative).
    pub postponed: Vec<(String, String)>,
}

impl BudgetFit {
    /// One line for a reader: what was cut, by line, in the scenario's money.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "media -{:.0} ({:.1} % kept), staff -{:.0} ({:.1} % kept), integration -{:.0}",
            self.before.media - self.after.media,
            100.0 * self.media_factor,
            self.before.wages - self.after.wages,
            100.0 * self.staff_factor,
            self.before.integration - self.after.integration,
        );
        if !self.postponed.is_empty() {
            let names: Vec<String> = self
                .postponed
                .iter()
                .map(|(c, i)| format!("{i} in {c}"))
                .collect();
            s.push_str(&format!(" (postponed: {})", names.join(", ")));
        }
        s
    }
}

/// Scale a strategy down to the scenario's budget by its cut policy: the excess is
/// cut from each line in proportion to its depth (a shared cut share `f`, each line
/// losing `min(1, f·depth)` of its cost); integration is cut by postponing whole
/// initiatives past the horizon, the most expensive first, until its share is
/// saved; media then takes up whatever is left (it is the one line that divides
/// finely). `None` when the strategy fits already; `Err` with the smallest total
/// reachable when even cutting every line the policy allows does not fit.
pub fn fit_to_budget(s: &Scenario, st: &Strategy) -> Result<Option<(Strategy, BudgetFit)>, f64> {
    let budget = s.finance.annual_budget * s.horizon_weeks as f64 / 52.0;
    let before = planned_costs(s, st);
    if before.total() <= budget * (1.0 + 1e-12) {
        return Ok(None);
    }
    let p = s.finance.cut_policy;
    let lines = [
        (p.media, before.media),
        (p.staff, before.wages),
        (p.integration, before.integration),
    ];
    let saving = |f: f64| -> f64 { lines.iter().map(|(d, c)| (f * d).min(1.0) * c).sum() };
    let excess = before.total() - budget;
    let deepest = lines
        .iter()
        .map(|l| l.0)
        .filter(|&d| d > 0.0)
        .fold(f64::INFINITY, f64::min);
    if !deepest.is_finite() || saving(1.0 / deepest) < excess {
        // the organisation line (bonus pool, coordination) is never cut
        let floor: f64 = lines
            .iter()
            .map(|(d, c)| if *d > 0.0 { 0.0 } else { *c })
            .sum::<f64>()
            + before.organisation;
        return Err(floor);
    }
    let (mut lo, mut hi) = (0.0, 1.0 / deepest);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if saving(mid) < excess {
            lo = mid
        } else {
            hi = mid
        }
    }
    let f = hi;
    let mut out = st.clone();
    // integration: postpone whole initiatives, the most expensive first
    let target = (f * p.integration).min(1.0) * before.integration;
    let mut items: Vec<(f64, String, String)> = Vec::new();
    for (code, inits) in &st.integration {
        for name in inits.keys() {
            let mut one = Strategy::default();
            one.integration.insert(
                code.clone(),
                inits
                    .iter()
                    .filter(|(n, _)| *n == name)
                    .map(|(n, w)| (n.clone(), *w))
                    .collect(),
            );
            items.push((
                integration::planned_cost(s, &one, code),
                code.clone(),
                name.clone(),
            ));
        }
    }
    items.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2)))
    });
    let mut saved = 0.0;
    let mut postponed = Vec::new();
    for (cost, code, name) in items {
        if saved >= target - 1e-9 {
            break;
        }
        if let Some(m) = out.integration.get_mut(&code) {
            m.remove(&name);
        }
        saved += cost;
        postponed.push((code, name));
    }
    out.integration.retain(|_, m| !m.is_empty());
    // staff: a hiring freeze scales every headcount alike, keeping the minimum crew
    // that runs a channel
    let staff_factor = 1.0 - (f * p.staff).min(1.0);
    for by in out.service_staff.values_mut() {
        for v in by.values_mut() {
            *v *= staff_factor;
        }
    }
    let specs = s.channel_specs();
    for (code, by) in out.specialists.iter_mut() {
        let share = s.countries.get(code).map_or(1.0, |c| c.region_share());
        for (ch, v) in by.iter_mut() {
            let min = ch
                .parse::<Channel>()
                .map_or(0.0, |c| specs[c.index()].specialists_min * share);
            *v = (*v * staff_factor).max(v.min(min));
        }
    }
    // media takes up the rest
    let mid = planned_costs(s, &out);
    let media_factor = if mid.media > 0.0 {
        ((budget - mid.fixed()) / mid.media).clamp(0.0, 1.0)
    } else {
        1.0
    };
    for by in out.annual_spend.values_mut() {
        for v in by.values_mut() {
            *v *= media_factor;
        }
    }
    for ph in &mut out.phases {
        for by in ph.annual_spend.values_mut() {
            for v in by.values_mut() {
                *v *= media_factor;
            }
        }
    }
    let after = planned_costs(s, &out);
    if after.total() > budget * (1.0 + 1e-9) {
        return Err(after.total());
    }
    Ok(Some((
        out,
        BudgetFit {
            before,
            after,
            media_factor,
            staff_factor,
            postponed,
        },
    )))
}

/// Multipliers of one planning period's costs under a budget cut (1 = no cut).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    /// Media spend run.
    pub media: f64,
    /// Staff at work (hiring freeze): service desks, store staff and wages.
    pub staff: f64,
    /// Integration opex and the strength of live initiatives (projects slowed).
    pub integration: f64,
}

impl Cut {
    /// No cut.
    pub const NONE: Cut = Cut {
        media: 1.0,
        staff: 1.0,
        integration: 1.0,
    };

    /// The lines' multipliers for a budget multiplier `factor` under `policy`.
    pub fn of(factor: f64, policy: &crate::scenario::CutPolicy) -> Cut {
        let line = |depth: f64| (1.0 - (1.0 - factor) * depth).clamp(0.0, 1.0);
        Cut {
            media: line(policy.media),
            staff: line(policy.staff),
            integration: line(policy.integration),
        }
    }
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
