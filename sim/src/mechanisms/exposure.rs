//! Media response per country and channel (docs/model.md, "One step of one agent"): spend → impressions
//! → adstock → Hill saturation → weekly reach, capped by the channel's audience in
//! the country given its infrastructure.
//!
//! impressions = working spend / (CPM × cost index) × 1000, with working spend =
//! spend × (1 − creative share); exposure x = impressions per person in scope;
//! carry-over a_t = x_t + θ·a_{t−1} (geometric adstock, Robyn);
//! reach = ceiling × infrastructure × Hill(a_t; α, γ) × specialist crew factor.

use super::media::{adstock_step, hill};
use crate::channel::{ChannelSpec, Infrastructure};
use crate::scenario::CountrySpec;

/// Impressions bought with `working_spend` on a channel in a country.
pub fn impressions(working_spend: f64, spec: &ChannelSpec, country: &CountrySpec) -> f64 {
    let price = spec.cpm * country.cost_index;
    if price <= 0.0 {
        0.0
    } else {
        working_spend / price * 1000.0
    }
}

/// Share of the population the channel's infrastructure lets it reach.
pub fn infrastructure_factor(spec: &ChannelSpec, country: &CountrySpec) -> f64 {
    match spec.infrastructure {
        Infrastructure::Internet => country.internet_use,
        Infrastructure::Mobile => country.mobile_use,
        Infrastructure::None => 1.0,
    }
}

/// One step of media response: returns (new adstock, reach share 0–1).
///
/// `theta_step` is the carry-over per step (weekly θ, or θ^(1/7) for day steps).
pub fn respond(
    carry: f64,
    impressions: f64,
    population: f64,
    theta_step: f64,
    spec: &ChannelSpec,
    country: &CountrySpec,
    crew: f64,
) -> (f64, f64) {
    let x = if population > 0.0 {
        impressions / population
    } else {
        0.0
    };
    let a = adstock_step(carry, x, theta_step);
    let reach = spec.audience_ceiling
        * infrastructure_factor(spec, country)
        * hill(a, spec.hill_alpha, spec.hill_gamma)
        * crew;
    (a, reach.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::Channel;
    use crate::scenario::catalog;

    #[test]
    fn more_spend_more_reach_with_diminishing_returns() {
        let spec = ChannelSpec::default_for(Channel::Social);
        let de = catalog::country("DE").unwrap();
        let r = |spend: f64| {
            respond(
                0.0,
                impressions(spend, &spec, &de),
                1e6,
                0.2,
                &spec,
                &de,
                1.0,
            )
            .1
        };
        let (a, b, c) = (r(10_000.0), r(20_000.0), r(30_000.0));
        assert!(a < b && b < c);
        assert!(c - b < b - a, "saturation: {a} {b} {c}");
        assert!(c <= spec.audience_ceiling * de.mobile_use);
    }

    #[test]
    fn weak_infrastructure_lowers_digital_reach_not_print() {
        let de = catalog::country("DE").unwrap();
        let ke = catalog::country("KE").unwrap();
        let social = ChannelSpec::default_for(Channel::Social);
        let print = ChannelSpec::default_for(Channel::Print);
        assert!(infrastructure_factor(&social, &ke) < infrastructure_factor(&social, &de));
        assert_eq!(
            infrastructure_factor(&print, &ke),
            infrastructure_factor(&print, &de)
        );
    }

    #[test]
    fn carry_over_keeps_reach_after_spend_stops() {
        let spec = ChannelSpec::default_for(Channel::Print);
        let de = catalog::country("DE").unwrap();
        let imp = impressions(50_000.0, &spec, &de);
        let (a, r1) = respond(0.0, imp, 1e6, spec.adstock_theta, &spec, &de, 1.0);
        let (_, r2) = respond(a, 0.0, 1e6, spec.adstock_theta, &spec, &de, 1.0);
        assert!(r2 > 0.0 && r2 < r1);
    }
}
