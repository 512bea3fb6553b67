//! Content fatigue (docs/model.md, "One step of one agent"): every touch with the same content adds fatigue;
//! fatigue decays week by week, lowers response and makes consent-channel
//! recipients opt out. Creative budget (the strategy's creative share) refreshes
//! content: fatigue per touch × exp(−k · creative share).

/// Fatigue added by one touch given the creative share and refresh strength `k`.
///
/// ```
/// use omnimix_sim::mechanisms::fatigue::fatigue_per_touch;
/// assert!(fatigue_per_touch(0.1, 0.2, 8.0) < fatigue_per_touch(0.1, 0.0, 8.0));
/// ```
pub fn fatigue_per_touch(base: f64, creative_share: f64, k: f64) -> f64 {
    base * (-k * creative_share).exp()
}

/// Response multiplier at fatigue `f` (0–1).
pub fn response_factor(f: f64, effect: f64) -> f64 {
    (1.0 - effect * f).clamp(0.0, 1.0)
}

/// Opt-out probability of a touch on a consent channel at fatigue `f`.
pub fn optout_probability(f: f64, at_full: f64) -> f64 {
    (at_full * f * f).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_fatigue_less_response_more_optouts() {
        assert!(response_factor(0.8, 0.7) < response_factor(0.2, 0.7));
        assert!(optout_probability(0.8, 0.05) > optout_probability(0.2, 0.05));
        assert_eq!(optout_probability(0.0, 0.05), 0.0);
    }
}
