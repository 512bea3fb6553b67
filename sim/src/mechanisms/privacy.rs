//! Privacy regimes (docs/model.md, "Privacy regimes"): the consent rate decides who can be reached on
//! consent channels (email, app) and who can be personalised; the regime caps
//! personalisation; unified customer data pays a cost per profile held
//! (see [`super::integration`]).
//!
//! Personalisation uplift on conversion and repeat purchase, for a consented
//! customer once unified data is live: effect × cap × price sensitivity.

/// Conversion multiplier from personalisation.
///
/// ```
/// use omnimix_sim::mechanisms::privacy::personalisation_multiplier;
/// assert_eq!(personalisation_multiplier(false, 0.25, 0.6, 1.2), 1.0);
/// assert!((personalisation_multiplier(true, 0.25, 0.6, 1.0) - 1.15).abs() < 1e-12);
/// ```
pub fn personalisation_multiplier(
    live_and_consented: bool,
    effect: f64,
    cap: f64,
    price_sensitivity: f64,
) -> f64 {
    if live_and_consented {
        1.0 + effect * cap * price_sensitivity
    } else {
        1.0
    }
}
