//! Silos and coordination (docs/model.md, "Rewards and coordination").
//!
//! Separate teams per channel with no coordination cause inconsistent offers
//! (price, stock and information mismatches a customer notices on a second
//! channel, [`crate::mechanisms::consistency`]) and react slowly: a budget increase
//! decided centrally reaches a channel only when that channel's team next plans
//! and books its campaigns. A coordination function (a small cross-channel
//! planning team with a shared offer calendar and planning cadence) is chosen per
//! country as `coordination` in `[strategy.organisation.CC]`, between 0 (silos, the
//! default) and 1 (a full coordination function).
//!
//! With `c` the coordination level:
//! - inconsistency: the chance of an event per cross-channel touch is
//!   `behaviour.inconsistency_rate` × (1 − consistent messaging) × (1 − `inconsistency_cut` · c);
//! - reaction: a rise of a channel's planned spend (a new phase of a phased plan)
//!   takes effect round(`silo_lag_weeks` × (1 − c)) weeks late (until then the
//!   channel keeps the lower rate); a cut takes effect at once (money withheld is
//!   not spent), so the run never spends more than the plan;
//! - cost: c × `cost_annual` × the country's wage index, per 52 weeks.
//!
//! The catalogue's `behaviour.inconsistency_rate` describes a company run in silos,
//! so `coordination = 0` reproduces it. Sizes (stated planning ranges): a
//! coordination function catches half of the mismatches (range 0.3–0.7: the rest
//! are stock and system errors no meeting prevents); the lag of a budget rise in
//! silos is 0 by default, so that phased plans and the spend histories `calibrate`
//! replays run as written, and a stated 2 weeks (range 0–6: half of a monthly
//! channel planning cycle) where a scenario sets it; the function
//! costs 150 000 a year at wage index 1 (about two planners with their tooling;
//! range 0.1–0.5 m).

use crate::channel::N_CHANNELS;
use serde::{Deserialize, Serialize};

/// The `[coordination]` table: what a coordination function does and costs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoordinationSpec {
    /// Annual cost of a full coordination function at wage index 1: 150 000, range
    /// 100 000–500 000.
    pub cost_annual: f64,
    /// Share of the inconsistency events a full coordination function avoids: 0.5,
    /// range 0.3–0.7.
    pub inconsistency_cut: f64,
    /// Weeks a planned spend rise takes to reach a channel in silos: 0 by default
    /// (phased plans run as written), 2 stated where set, range 0–6.
    pub silo_lag_weeks: f64,
}

impl Default for CoordinationSpec {
    fn default() -> Self {
        CoordinationSpec {
            cost_annual: 150_000.0,
            inconsistency_cut: 0.5,
            silo_lag_weeks: 0.0,
        }
    }
}

/// Multiplier of the inconsistency rate at coordination level `c`.
///
/// ```
/// use omnimix_sim::mechanisms::coordination::{CoordinationSpec, inconsistency_factor};
/// let k = CoordinationSpec::default();
/// assert_eq!(inconsistency_factor(0.0, &k), 1.0);
/// assert_eq!(inconsistency_factor(1.0, &k), 0.5);
/// ```
pub fn inconsistency_factor(c: f64, k: &CoordinationSpec) -> f64 {
    (1.0 - k.inconsistency_cut * c).clamp(0.0, 1.0)
}

/// Weeks a planned spend rise takes to reach a channel at coordination level `c`.
///
/// ```
/// use omnimix_sim::mechanisms::coordination::{CoordinationSpec, lag_weeks};
/// let k = CoordinationSpec { silo_lag_weeks: 2.0, ..CoordinationSpec::default() };
/// assert_eq!(lag_weeks(0.0, &k), 2);
/// assert_eq!(lag_weeks(1.0, &k), 0);
/// assert_eq!(lag_weeks(0.0, &CoordinationSpec::default()), 0);
/// ```
pub fn lag_weeks(c: f64, k: &CoordinationSpec) -> u32 {
    (k.silo_lag_weeks * (1.0 - c)).round().max(0.0) as u32
}

/// Weekly cost of the coordination function at level `c` in a country with wage
/// index `wage_index`.
///
/// ```
/// use omnimix_sim::mechanisms::coordination::{CoordinationSpec, cost_weekly};
/// let k = CoordinationSpec::default();
/// assert_eq!(cost_weekly(0.0, 1.0, &k), 0.0);
/// assert!((cost_weekly(1.0, 1.0, &k) * 52.0 - 150_000.0).abs() < 1e-6);
/// ```
pub fn cost_weekly(c: f64, wage_index: f64, k: &CoordinationSpec) -> f64 {
    c * k.cost_annual * wage_index / 52.0
}

/// The spend a plan's channels run when its rises arrive `lag` weeks late: `plan`
/// is `(first week, weekly spend per channel)` from week 0 in week order; the
/// answer has the same form, each channel at the lower of the plan of the week and
/// the plan of `lag` weeks before (the plan of week 0 before the start).
///
/// ```
/// use omnimix_sim::mechanisms::coordination::lagged;
/// let mut a = [0.0; omnimix_sim::N_CHANNELS];
/// let mut b = a;
/// a[0] = 1.0;
/// b[0] = 3.0;
/// let out = lagged(&[(0, a), (13, b), (26, a)], 2);
/// assert_eq!(out.iter().map(|(w, s)| (*w, s[0])).collect::<Vec<_>>(), [(0, 1.0), (13, 1.0), (15, 3.0), (26, 1.0), (28, 1.0)]);
/// ```
pub fn lagged(plan: &[(u32, [f64; N_CHANNELS])], lag: u32) -> Vec<(u32, [f64; N_CHANNELS])> {
    if lag == 0 || plan.len() <= 1 {
        return plan.to_vec();
    }
    let at = |w: u32| {
        let k = plan.partition_point(|(start, _)| *start <= w);
        &plan[k.saturating_sub(1)].1
    };
    let mut weeks: Vec<u32> = plan
        .iter()
        .flat_map(|(w, _)| [*w, if *w > 0 { w.saturating_add(lag) } else { 0 }])
        .collect();
    weeks.sort_unstable();
    weeks.dedup();
    weeks
        .into_iter()
        .map(|w| {
            let (now, before) = (at(w), at(w.saturating_sub(lag)));
            (w, std::array::from_fn(|i| now[i].min(before[i])))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordination_lowers_inconsistency_and_shortens_the_lag() {
        let k = CoordinationSpec {
            silo_lag_weeks: 2.0,
            ..CoordinationSpec::default()
        };
        assert!(inconsistency_factor(1.0, &k) < inconsistency_factor(0.0, &k));
        assert!(lag_weeks(1.0, &k) < lag_weeks(0.0, &k));
        assert!(cost_weekly(1.0, 1.2, &k) > cost_weekly(0.5, 1.2, &k));
    }

    #[test]
    fn a_late_rise_never_spends_more_than_the_plan() {
        let mut lo = [0.0; N_CHANNELS];
        let mut hi = lo;
        lo[1] = 2.0;
        hi[1] = 5.0;
        lo[2] = 4.0;
        hi[2] = 1.0;
        let plan = [(0, lo), (10, hi), (11, lo)];
        let out = lagged(&plan, 3);
        // the cut on channel 2 at week 10 is immediate, the rise on channel 1 is
        // overtaken by the cut at week 11 and never arrives
        let at = |w: u32| out[out.partition_point(|(s, _)| *s <= w) - 1].1;
        assert_eq!(at(10)[2], 1.0);
        assert_eq!(at(10)[1], 2.0);
        assert_eq!(at(13)[1], 2.0);
        assert_eq!(at(14)[2], 4.0);
        for w in 0..20 {
            let planned = plan[plan.partition_point(|(s, _)| *s <= w) - 1].1;
            assert!((0..N_CHANNELS).all(|i| at(w)[i] <= planned[i]), "week {w}");
        }
    }
}
