//! Management pressure and consistency (docs/model.md, "One step of one agent"): running more channels
//! without integration produces inconsistency events (price, stock and information
//! mismatches) that hurt trust. A mismatch can only be noticed when a customer
//! meets the brand on a second channel: every cross-channel touch carries the
//! chance `rate`, so the events grow with the channels run (more channels, more
//! cross-channel touches) without a channel's touches making every other
//! channel's touches riskier. Consistent messaging (integration) avoids its
//! `effect` share of them. With one running channel there is nothing to mismatch.

/// Probability that a touch meets an inconsistency.
///
/// ```
/// use omnimix_sim::mechanisms::consistency::inconsistency_probability;
/// assert_eq!(inconsistency_probability(0.02, 1, 0.0), 0.0);
/// assert_eq!(inconsistency_probability(0.02, 2, 0.0), inconsistency_probability(0.02, 7, 0.0));
/// assert!(inconsistency_probability(0.02, 6, 0.8) < inconsistency_probability(0.02, 6, 0.0));
/// ```
pub fn inconsistency_probability(
    rate: f64,
    running_channels: usize,
    integration_effect: f64,
) -> f64 {
    if running_channels < 2 {
        return 0.0;
    }
    (rate * (1.0 - integration_effect)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_channel_none_consistent_messaging_fewer() {
        assert_eq!(inconsistency_probability(0.02, 1, 0.0), 0.0);
        assert_eq!(inconsistency_probability(0.02, 3, 0.0), 0.02);
        assert!((inconsistency_probability(0.02, 3, 0.75) - 0.005).abs() < 1e-12);
    }
}
