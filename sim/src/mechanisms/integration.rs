//! Omnichannel integration (docs/model.md, "Integration"): investments with capex, opex and an
//! implementation delay that is longer with legacy systems, regulatory friction and
//! weak infrastructure.
//!
//! Per country and initiative: capex = base × cost index × (1 + legacy) × size,
//! paid in the start week; opex = base × cost index × size per week once live;
//! size = 0.4 + 0.6 × population / 1 000 000 (a fixed part and a part in
//! proportion to the customer base); go-live = start + delay × (1 + legacy) × (1 + friction) / infrastructure,
//! with infrastructure = (internet use + logistics reliability) / 2. Unified data
//! also costs the privacy regime's cost per profile for every consented customer
//! in scope once it is live. What each initiative does once live is applied in the
//! agent step; see [`crate::scenario::catalog::initiatives`].

use crate::scenario::{CountrySpec, INITIATIVES, Scenario, Strategy};

/// Index of an initiative in [`INITIATIVES`].
pub fn index(name: &str) -> Option<usize> {
    INITIATIVES.iter().position(|n| *n == name)
}

/// Share of an integration project's cost that does not grow with the customer base
/// (the platform, the project team); the rest grows in proportion to customers
/// (licences per profile, stores and systems to connect, data volume).
pub const FIXED_COST_SHARE: f64 = 0.4;

/// Size factor of integration projects in a country: a fixed part plus a part in
/// proportion to the customers in scope, 1 for a country of one million customers
/// (so the cost per customer never falls below the proportional part).
///
/// ```
/// use omnimix_sim::mechanisms::integration::{FIXED_COST_SHARE, size_factor};
/// let mut c = omnimix_sim::scenario::catalog::country("DE").unwrap();
/// c.population = 1e6;
/// assert!((size_factor(&c) - 1.0).abs() < 1e-12);
/// c.population = 4e6;
/// assert!((size_factor(&c) - (FIXED_COST_SHARE + 4.0 * (1.0 - FIXED_COST_SHARE))).abs() < 1e-12);
/// ```
pub fn size_factor(c: &CountrySpec) -> f64 {
    // a region carries its population share of the country's fixed part
    FIXED_COST_SHARE * c.region_share() + (1.0 - FIXED_COST_SHARE) * c.population / 1_000_000.0
}

/// Weeks from start to go-live of an initiative with `base_delay` weeks in country `c`.
pub fn delay_weeks(base_delay: f64, legacy: f64, c: &CountrySpec) -> f64 {
    let infra = ((c.internet_use + c.logistics_reliability) / 2.0).max(0.05);
    base_delay * (1.0 + legacy) * (1.0 + c.regulatory_friction) / infra
}

/// Schedule and costs of one initiative in one country.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rollout {
    /// Week the project starts (capex paid).
    pub start_week: u32,
    /// First week the initiative is live (may be beyond the horizon).
    pub live_week: u32,
    /// One-off cost.
    pub capex: f64,
    /// Weekly cost once live (including privacy profile costs for unified data).
    pub opex_weekly: f64,
}

/// Rollouts of a strategy in country `code`, indexed like [`INITIATIVES`].
pub fn rollouts(s: &Scenario, st: &Strategy, code: &str) -> [Option<Rollout>; 6] {
    let mut out = [None; 6];
    let (Some(country), Some(plan)) = (s.countries.get(code), st.integration.get(code)) else {
        return out;
    };
    let legacy = s.company.legacy_systems;
    let size = size_factor(country);
    for (name, &start) in plan {
        let (Some(i), Some(spec)) = (index(name), s.integration.get(name)) else {
            continue;
        };
        let delay = delay_weeks(spec.delay_weeks, legacy, country).round() as u32;
        let mut opex = spec.opex_weekly * country.cost_index * size;
        if name == "unified_data"
            && let Some(p) = s.privacy.get(&country.privacy)
        {
            opex += p.cost_per_profile_weekly * p.consent_rate * country.population;
        }
        out[i] = Some(Rollout {
            start_week: start,
            live_week: start.saturating_add(delay),
            capex: spec.capex * country.cost_index * (1.0 + legacy) * size,
            opex_weekly: opex,
        });
    }
    out
}

/// Initiatives of a strategy that go live only after the horizon, as (country,
/// initiative, live week): they cost their capex and have no effect in the run
/// (`omnimix validate` warns about them; the optimizer never starts them).
pub fn late_rollouts(s: &Scenario, st: &Strategy) -> Vec<(String, &'static str, u32)> {
    let mut out = Vec::new();
    for code in st.integration.keys() {
        for (i, r) in rollouts(s, st, code).iter().enumerate() {
            if let Some(r) = r
                && r.live_week >= s.horizon_weeks
            {
                out.push((code.clone(), INITIATIVES[i], r.live_week));
            }
        }
    }
    out
}

/// Integration cost of a week (capex in the start week, opex once live).
pub fn weekly_cost(rollouts: &[Option<Rollout>; 6], week: u32) -> f64 {
    step_cost(rollouts, week, true, 1.0)
}

/// Integration cost of one step of `step_weeks` weeks within `week`: capex on the
/// week's first step, opex pro rata.
pub fn step_cost(
    rollouts: &[Option<Rollout>; 6],
    week: u32,
    first_step_of_week: bool,
    step_weeks: f64,
) -> f64 {
    step_cost_cut(rollouts, week, first_step_of_week, step_weeks, 1.0)
}

/// [`step_cost`] with the opex × `opex_factor` (a budget cut slows live projects;
/// capex, already committed, is paid in full).
pub fn step_cost_cut(
    rollouts: &[Option<Rollout>; 6],
    week: u32,
    first_step_of_week: bool,
    step_weeks: f64,
    opex_factor: f64,
) -> f64 {
    rollouts
        .iter()
        .flatten()
        .map(|r| {
            let capex = if first_step_of_week && week == r.start_week {
                r.capex
            } else {
                0.0
            };
            let opex = if week >= r.live_week {
                r.opex_weekly * step_weeks * opex_factor
            } else {
                0.0
            };
            capex + opex
        })
        .sum()
}

/// Integration cost of a strategy in a country over the horizon.
pub fn planned_cost(s: &Scenario, st: &Strategy, code: &str) -> f64 {
    let r = rollouts(s, st, code);
    (0..s.horizon_weeks).map(|w| weekly_cost(&r, w)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::catalog;

    #[test]
    fn delay_grows_with_legacy_friction_and_weak_infrastructure() {
        let de = catalog::country("DE").unwrap();
        let ke = catalog::country("KE").unwrap();
        assert!(delay_weeks(10.0, 0.5, &de) > delay_weeks(10.0, 0.0, &de));
        assert!(delay_weeks(10.0, 0.5, &ke) > delay_weeks(10.0, 0.5, &de));
    }

    #[test]
    fn capex_once_opex_after_go_live() {
        let r = [
            Some(Rollout {
                start_week: 2,
                live_week: 5,
                capex: 100.0,
                opex_weekly: 1.0,
            }),
            None,
            None,
            None,
            None,
            None,
        ];
        let costs: Vec<f64> = (0..7).map(|w| weekly_cost(&r, w)).collect();
        assert_eq!(costs, vec![0.0, 0.0, 100.0, 0.0, 0.0, 1.0, 1.0]);
    }
}
