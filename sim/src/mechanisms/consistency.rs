//! Management pressure and consistency (MODEL.md §3.6): running more channels
//! without integration produces inconsistency events (price, stock and information
//! mismatches) that hurt trust. Per touch, the chance of an event grows with the
//! number of running paid channels beyond the first; consistent messaging
//! (integration) avoids its `effect` share of them.

/// Probability that a touch meets an inconsistency.
///
/// ```
/// use omnimix_sim::mechanisms::consistency::inconsistency_probability;
/// assert_eq!(inconsistency_probability(0.02, 1, 0.0), 0.0);
/// assert!(inconsistency_probability(0.02, 6, 0.8) < inconsistency_probability(0.02, 6, 0.0));
/// ```
pub fn inconsistency_probability(
    rate: f64,
    running_channels: usize,
    integration_effect: f64,
) -> f64 {
    let extra = running_channels.saturating_sub(1) as f64;
    (rate * extra * (1.0 - integration_effect)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_channels_more_events() {
        let p: Vec<f64> = (1..=7)
            .map(|n| inconsistency_probability(0.02, n, 0.0))
            .collect();
        assert!(p.windows(2).all(|w| w[1] > w[0]));
    }
}
