//! Split resources and service response time (docs/model.md, "One step of one agent").
//!
//! Service contacts from customers (and prospects with questions) are routed to the
//! open service channels by preference weight. The chatbot resolves its share of
//! contacts at once and escalates the rest to the staffed desks. Each staffed desk
//! (country × channel) is an M/M/n+M queue (Erlang A, Mandelbaum & Zeltyn): the
//! arrival rate is this step's expected contacts over the open hours, the servers are
//! the staff's productive hours spread over the open hours. The queue gives the
//! abandonment probability and the mean wait; the agent step turns those into bad
//! experiences (abandoned), long waits (satisfaction hit) and resolved contacts.

use super::queue::erlang_a;
use crate::channel::{Channel, ChannelSpec, N_CHANNELS};

/// Productive hours per FTE per week: 38 contracted hours less 30 % shrinkage
/// (breaks, training, absence), a common workforce-planning assumption.
pub const PRODUCTIVE_HOURS_PER_FTE: f64 = 38.0 * 0.7;

/// Outcome probabilities of one service channel for one step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DeskOutcome {
    /// Share of contacts routed here directly (0 for closed channels).
    pub route_share: f64,
    /// Probability a contact abandons before being served.
    pub p_abandon: f64,
    /// Probability a served contact waited longer than the tolerance.
    pub p_long_wait: f64,
    /// Mean wait over all contacts, minutes.
    pub mean_wait_min: f64,
    /// Agents on the desk at any open hour (Erlang servers).
    pub servers: u32,
    /// Probability the contact is resolved (chatbot: otherwise escalated).
    pub resolution: f64,
}

/// Servers on a desk from FTE staff and open hours.
pub fn servers(staff_fte: f64, open_hours_weekly: f64) -> u32 {
    if open_hours_weekly <= 0.0 {
        return 0;
    }
    (staff_fte * PRODUCTIVE_HOURS_PER_FTE / open_hours_weekly)
        .floor()
        .max(0.0) as u32
}

/// Route and queue this step's expected contacts.
///
/// `open[c]`: the service channel runs (spend above its minimum) in this country;
/// `staff[c]`: FTE; `expected_contacts`: contacts (in customers) this step;
/// `step_weeks`: step length in weeks.
pub fn desks(
    specs: &[ChannelSpec; N_CHANNELS],
    open: &[bool; N_CHANNELS],
    staff: &[f64; N_CHANNELS],
    expected_contacts: f64,
    step_weeks: f64,
) -> [DeskOutcome; N_CHANNELS] {
    let mut out = [DeskOutcome::default(); N_CHANNELS];
    let weight = |c: Channel| {
        if open[c.index()] {
            specs[c.index()].contact_weight
        } else {
            0.0
        }
    };
    let total: f64 = Channel::SERVICE.iter().map(|&c| weight(c)).sum();
    if total <= 0.0 {
        return out;
    }
    let bot = Channel::Chatbot.index();
    let staffed_total: f64 = [Channel::CallCentre, Channel::LiveChat]
        .iter()
        .map(|&c| weight(c))
        .sum();
    let bot_share = weight(Channel::Chatbot) / total;
    let escalated = if staffed_total > 0.0 {
        bot_share * (1.0 - specs[bot].resolution)
    } else {
        0.0
    };
    out[bot] = DeskOutcome {
        route_share: bot_share,
        resolution: if staffed_total > 0.0 {
            specs[bot].resolution
        } else {
            1.0
        },
        ..Default::default()
    };
    for c in [Channel::CallCentre, Channel::LiveChat] {
        let i = c.index();
        if weight(c) <= 0.0 {
            continue;
        }
        let spec = &specs[i];
        let share = weight(c) / total + escalated * weight(c) / staffed_total;
        let minutes_open = spec.open_hours_weekly * step_weeks * 60.0;
        let lambda = expected_contacts * share / minutes_open.max(1e-9);
        let n = servers(staff[i], spec.open_hours_weekly);
        let q = erlang_a(n, lambda, spec.handle_time_min, spec.patience_min);
        let served_wait = q.mean_wait_given_wait.max(1e-12);
        let p_long = ((q.p_wait - q.p_abandon).max(0.0)
            * (-spec.wait_tolerance_min / served_wait).exp())
        .clamp(0.0, 1.0);
        out[i] = DeskOutcome {
            route_share: weight(c) / total,
            p_abandon: q.p_abandon.clamp(0.0, 1.0),
            p_long_wait: p_long.min(1.0 - q.p_abandon.clamp(0.0, 1.0)),
            mean_wait_min: q.mean_wait,
            servers: n,
            resolution: spec.resolution,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(staff_cc: f64) -> [DeskOutcome; N_CHANNELS] {
        let specs = std::array::from_fn(|i| ChannelSpec::default_for(Channel::ALL[i]));
        let mut open = [false; N_CHANNELS];
        open[Channel::CallCentre.index()] = true;
        open[Channel::Chatbot.index()] = true;
        let mut staff = [0.0; N_CHANNELS];
        staff[Channel::CallCentre.index()] = staff_cc;
        desks(&specs, &open, &staff, 20_000.0, 1.0)
    }

    #[test]
    fn understaffed_desk_waits_and_loses_more() {
        let lean = setup(20.0)[Channel::CallCentre.index()];
        let full = setup(80.0)[Channel::CallCentre.index()];
        assert!(lean.p_abandon > full.p_abandon);
        assert!(lean.mean_wait_min > full.mean_wait_min);
    }

    #[test]
    fn routing_shares_sum_to_one_over_open_channels() {
        let d = setup(40.0);
        let s: f64 = Channel::SERVICE
            .iter()
            .map(|c| d[c.index()].route_share)
            .sum();
        assert!((s - 1.0).abs() < 1e-12);
        assert_eq!(d[Channel::LiveChat.index()].route_share, 0.0);
    }

    #[test]
    fn no_staff_everyone_abandons() {
        let d = setup(0.0)[Channel::CallCentre.index()];
        assert_eq!(d.servers, 0);
        assert!((d.p_abandon - 1.0).abs() < 1e-9);
    }
}
