//! Specialist staff (docs/model.md, "One step of one agent"): a channel run without enough marketing
//! specialists performs worse, with diminishing returns, and below a minimum crew
//! it cannot run at all.
//!
//! needed = max(minimum crew, weekly spend / spend one specialist can run);
//! performance = 0 below the minimum crew, else √(min(1, staff / needed)).

/// Performance factor (0–1) of a channel run by `staff` specialists.
///
/// ```
/// use omnimix_sim::mechanisms::staffing::crew_factor;
/// assert_eq!(crew_factor(0.0, 1.0, 10_000.0, 5_000.0), 0.0); // below minimum crew
/// assert_eq!(crew_factor(2.0, 1.0, 10_000.0, 5_000.0), 1.0); // fully staffed
/// assert!((crew_factor(1.0, 1.0, 10_000.0, 5_000.0) - 0.5f64.sqrt()).abs() < 1e-12);
/// ```
pub fn crew_factor(staff: f64, min_crew: f64, weekly_spend: f64, spend_per_specialist: f64) -> f64 {
    if spend_per_specialist <= 0.0 {
        return 1.0;
    }
    if staff + 1e-9 < min_crew || staff <= 0.0 {
        return 0.0;
    }
    let needed = (weekly_spend / spend_per_specialist)
        .max(min_crew)
        .max(1e-9);
    (staff / needed).min(1.0).sqrt()
}

/// Weekly store running cost one store FTE serves fully (planning assumption).
pub const STORE_SPEND_PER_STAFF_WEEKLY: f64 = 2_500.0;

/// Store staffing factor: conversion in stores scales from 50 % (no staff) to
/// 100 % (one FTE per `spend_per_staff` of weekly store spend).
pub fn store_staff_factor(staff: f64, weekly_spend: f64, spend_per_staff: f64) -> f64 {
    if weekly_spend <= 0.0 {
        return 1.0;
    }
    let needed = (weekly_spend / spend_per_staff).max(1e-9);
    0.5 + 0.5 * (staff / needed).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diminishing_and_monotone() {
        let f: Vec<f64> = (0..=6)
            .map(|s| crew_factor(s as f64, 1.0, 200_000.0, 40_000.0))
            .collect();
        assert_eq!(f[0], 0.0);
        for w in f.windows(2) {
            assert!(w[1] >= w[0]);
        }
        // diminishing: the second specialist adds less than the first
        assert!(f[2] - f[1] < f[1] - f[0]);
        assert_eq!(f[5], 1.0);
    }

    #[test]
    fn store_staff_half_to_full() {
        assert_eq!(store_staff_factor(0.0, 10_000.0, 2_000.0), 0.5);
        assert_eq!(store_staff_factor(10.0, 10_000.0, 2_000.0), 1.0);
    }
}
