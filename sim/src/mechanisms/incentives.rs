//! Rewards and incentives across channels (docs/model.md, "Rewards and coordination").
//!
//! Channel teams and store staff judged on their own channel's sales (last touch
//! in their channel) push their channel and neglect journeys that close elsewhere:
//! store staff do not help with an online order or a pick-up, the web team does not
//! hand the customer on to the store. A shared scheme credits every order the
//! customer's journey touched (or pays a company-level bonus). It is chosen per
//! country as `shared_reward` in `[strategy.organisation.CC]`, a share between 0
//! (channel-only credit, the default) and 1 (fully shared); values between are a mix
//! (that share of the variable pay rides on the shared measure).
//!
//! With `s` the shared share, once per country and step:
//! - pick-ups: share of online orders collected in store (BOPIS live) =
//!   BOPIS effect × (1 + `bopis_uplift` · s), at most 1;
//! - store service to cross-channel customers: the store conversion of a journey
//!   that began online × (1 + `store_service_uplift` · s);
//! - hand-over: the drop-off when a journey moves to another channel =
//!   `behaviour.switch_dropoff` × (1 − continuity) × (1 − `handover_cut` · s);
//! - cost: s × `bonus_pool_share` × the country's weekly wages (service staff and
//!   specialists), cut with the wages in a hiring freeze.
//!
//! The catalogue's parameters (`behaviour.switch_dropoff`, the `bopis` initiative's
//! effect, store conversion) describe the retailer of today, whose staff are paid
//! on their own channel's sales: `shared_reward = 0` reproduces them exactly, and
//! costs nothing.
//!
//! Sizes (stated planning ranges, no controlled study publishes them): a shared
//! scheme adds a tenth to the pick-up share (0.50 → 0.55 of online orders with the
//! catalogue's BOPIS: five points; range 0.05–0.3), a tenth to the store conversion
//! of customers who researched online (range 0.05–0.2), and removes a quarter of
//! the hand-over drop-off (0.20 → 0.15; range 0.1–0.5); the bonus pool is 5 % of
//! the wage bill (variable pay of store and service staff is commonly 3–10 % of
//! base pay).

use serde::{Deserialize, Serialize};

/// The `[incentives]` table: what a shared reward scheme does and costs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncentiveSpec {
    /// Bonus pool of a fully shared scheme as a share of the country's wages
    /// (service staff and specialists): 0.05, range 0.02–0.10.
    pub bonus_pool_share: f64,
    /// Relative rise of the pick-up share of online orders under a fully shared
    /// scheme: 0.1, range 0.05–0.3.
    pub bopis_uplift: f64,
    /// Relative rise of the store conversion of journeys that began online under a
    /// fully shared scheme: 0.1, range 0.05–0.2.
    pub store_service_uplift: f64,
    /// Share of the hand-over drop-off between channels a fully shared scheme
    /// removes: 0.25, range 0.1–0.5.
    pub handover_cut: f64,
}

impl Default for IncentiveSpec {
    fn default() -> Self {
        IncentiveSpec {
            bonus_pool_share: 0.05,
            bopis_uplift: 0.1,
            store_service_uplift: 0.1,
            handover_cut: 0.25,
        }
    }
}

/// Share of online orders picked up in store with the BOPIS initiative at strength
/// `bopis_effect` under shared share `shared`.
///
/// ```
/// use omnimix_sim::mechanisms::incentives::{IncentiveSpec, pickup_share};
/// let k = IncentiveSpec::default();
/// assert_eq!(pickup_share(0.5, 0.0, &k), 0.5);
/// assert!((pickup_share(0.5, 1.0, &k) - 0.55).abs() < 1e-12);
/// assert_eq!(pickup_share(0.0, 1.0, &k), 0.0);
/// ```
pub fn pickup_share(bopis_effect: f64, shared: f64, k: &IncentiveSpec) -> f64 {
    (bopis_effect * (1.0 + k.bopis_uplift * shared)).clamp(0.0, 1.0)
}

/// Multiplier of the store conversion of a journey that began online.
///
/// ```
/// use omnimix_sim::mechanisms::incentives::{IncentiveSpec, store_service_factor};
/// let k = IncentiveSpec::default();
/// assert_eq!(store_service_factor(0.0, &k), 1.0);
/// assert!((store_service_factor(1.0, &k) - 1.1).abs() < 1e-12);
/// ```
pub fn store_service_factor(shared: f64, k: &IncentiveSpec) -> f64 {
    1.0 + k.store_service_uplift * shared
}

/// Drop-off of a journey that moves to another channel: the behaviour's
/// `switch_dropoff`, less what live continuity (strength `continuity`) and the
/// shared scheme avoid.
///
/// ```
/// use omnimix_sim::mechanisms::incentives::{IncentiveSpec, handover_dropoff};
/// let k = IncentiveSpec::default();
/// assert_eq!(handover_dropoff(0.2, 0.0, 0.0, &k), 0.2);
/// assert!((handover_dropoff(0.2, 0.0, 1.0, &k) - 0.15).abs() < 1e-12);
/// assert!(handover_dropoff(0.2, 0.8, 1.0, &k) < handover_dropoff(0.2, 0.8, 0.0, &k));
/// ```
pub fn handover_dropoff(
    switch_dropoff: f64,
    continuity: f64,
    shared: f64,
    k: &IncentiveSpec,
) -> f64 {
    (switch_dropoff * (1.0 - continuity) * (1.0 - k.handover_cut * shared)).clamp(0.0, 1.0)
}

/// Weekly cost of the shared bonus pool in a country with weekly wages `wages_weekly`.
///
/// ```
/// use omnimix_sim::mechanisms::incentives::{IncentiveSpec, bonus_weekly};
/// let k = IncentiveSpec::default();
/// assert_eq!(bonus_weekly(10_000.0, 0.0, &k), 0.0);
/// assert!((bonus_weekly(10_000.0, 1.0, &k) - 500.0).abs() < 1e-9);
/// ```
pub fn bonus_weekly(wages_weekly: f64, shared: f64, k: &IncentiveSpec) -> f64 {
    shared * k.bonus_pool_share * wages_weekly
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_only_reproduces_the_catalogue_and_costs_nothing() {
        let k = IncentiveSpec::default();
        assert_eq!(pickup_share(0.5, 0.0, &k), 0.5);
        assert_eq!(store_service_factor(0.0, &k), 1.0);
        assert_eq!(handover_dropoff(0.2, 0.3, 0.0, &k), 0.2 * 0.7);
        assert_eq!(bonus_weekly(1e6, 0.0, &k), 0.0);
    }

    #[test]
    fn a_shared_scheme_moves_pickups_by_points_not_multiples() {
        let k = IncentiveSpec::default();
        let (a, b) = (pickup_share(0.5, 0.0, &k), pickup_share(0.5, 1.0, &k));
        assert!(b > a && b - a <= 0.1, "{a} -> {b}");
        // a mix lies between
        let m = pickup_share(0.5, 0.5, &k);
        assert!(a < m && m < b);
        // never above every order
        assert_eq!(pickup_share(0.99, 1.0, &k), 1.0);
    }

    #[test]
    fn a_shared_scheme_lowers_the_handover_dropoff_and_costs_its_pool() {
        let k = IncentiveSpec::default();
        assert!(handover_dropoff(0.2, 0.0, 1.0, &k) < handover_dropoff(0.2, 0.0, 0.0, &k));
        assert!(bonus_weekly(1000.0, 0.5, &k) < bonus_weekly(1000.0, 1.0, &k));
    }
}
