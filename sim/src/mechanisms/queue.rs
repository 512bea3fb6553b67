//! Service-desk queueing formulas: Erlang B, Erlang C and Erlang A.
//!
//! What it computes, for a desk of `N` agents (servers) facing Poisson arrivals at
//! rate λ with exponential handle times of mean `h` (offered load `A = λ·h` erlangs):
//!
//! - [`erlang_b`]: the blocking probability of the loss system M/M/N/N (Erlang 1917),
//!   by the stable recursion `B(0) = 1`, `B(n) = A·B(n−1) / (n + A·B(n−1))` — no
//!   factorials, no powers, so it works for hundreds of thousands of servers.
//! - [`erlang_c`] and [`erlang_c_metrics`]: the delay system M/M/N (infinite patience):
//!   probability of waiting `C = N·B / (N − A·(1 − B))`, mean wait `C·h / (N − A)`,
//!   service level `SL(t) = 1 − C·e^{−(N−A)·t/h}`, occupancy `A/N`. These are the
//!   formulas of workforce-management practice (docs/model.md, "Sources").
//! - [`erlang_a`]: M/M/N+M, the model the simulator uses — Erlang C plus exponential
//!   patience, so that callers abandon (Palm 1946; Garnett, Mandelbaum & Reiman 2002,
//!   "Designing a call center with impatient customers", *M&SOM* 4(3); Mandelbaum &
//!   Zeltyn's Erlang-A notes). It is computed exactly from the birth–death chain of the
//!   number in system, truncated where the remaining tail is below `1e−15` of the mass.
//!
//! Time units are whatever the caller uses consistently (the simulator uses minutes).
//!
//! Known-answer tests at the bottom check the formulas against published worked
//! examples: the Westbay Engineers Erlang calculator manual (Erlang B), the
//! mitan.co.uk Erlang-C worked example and the pyworkforce / R `ErlangC` package
//! documentation (Erlang C), and a printed cumulative Poisson table (Erlang A in the
//! case patience = handle time, where the chain is exactly M/M/∞).

/// True for a positive number; false for zero, negatives and NaN (so NaN inputs fall
/// into the "no traffic" branches).
fn positive(x: f64) -> bool {
    x > 0.0
}

/// Relative size of the neglected tail of the Erlang A chain (see [`erlang_a`]).
const ERLANG_A_TAIL_TOLERANCE: f64 = 1e-15;
/// Hard cap on the number of queue states [`erlang_a`] visits (see its docs).
const ERLANG_A_MAX_QUEUE_STATES: u64 = 20_000_000;
/// Rescaling threshold that keeps the unnormalised chain weights finite.
const RESCALE_ABOVE: f64 = 1e200;

/// Erlang B: the probability that an arrival finds all `servers` busy in the loss
/// system M/M/N/N with `offered_load` `A = λ·h` erlangs.
///
/// Computed by the recursion `B(0) = 1`, `B(n) = A·B(n−1) / (n + A·B(n−1))`, which
/// is stable for any `n` (tested up to 100 000 servers at 100 000 erlangs). A load
/// `≤ 0` (or NaN) gives 0 for `servers ≥ 1`; `servers = 0` gives 1 (everyone is
/// blocked); an infinite load gives 1.
///
/// ```
/// use omnimix_sim::mechanisms::queue::erlang_b;
/// // 15 trunks offered 8.108 erlangs block 1 % of calls (Westbay Erlang B manual).
/// assert!((erlang_b(15, 8.108) - 0.01).abs() < 1e-5);
/// assert_eq!(erlang_b(0, 3.0), 1.0);
/// ```
pub fn erlang_b(servers: u32, offered_load: f64) -> f64 {
    if servers == 0 {
        return 1.0;
    }
    // NaN-safe: anything that is not a positive load carries no traffic.
    if !positive(offered_load) {
        return 0.0;
    }
    if offered_load.is_infinite() {
        return 1.0;
    }
    let a = offered_load;
    let mut b = 1.0_f64;
    for n in 1..=servers {
        let ab = a * b;
        b = ab / (f64::from(n) + ab);
    }
    b
}

/// Erlang C: the probability that an arrival has to wait in the delay system M/M/N
/// with `servers` agents and `offered_load` `A = λ·h` erlangs.
///
/// `C = N·B / (N − A·(1 − B))` with `B` = [`erlang_b`]`(N, A)`, for `A < N`. When
/// `A ≥ N` the queue is unstable and every arrival waits: the function returns 1.0;
/// `servers = 0` also returns 1.0. A load `≤ 0` returns 0.
///
/// ```
/// use omnimix_sim::mechanisms::queue::erlang_c;
/// // 100 calls per 30 min, 3 min handle time (A = 10 erlangs), 14 agents:
/// // probability of waiting 0.1741319335950498 (pyworkforce documentation).
/// assert!((erlang_c(14, 10.0) - 0.174_131_933_595_049_8).abs() < 1e-12);
/// assert_eq!(erlang_c(10, 10.0), 1.0);
/// ```
pub fn erlang_c(servers: u32, offered_load: f64) -> f64 {
    if servers == 0 {
        return 1.0;
    }
    if !positive(offered_load) {
        return 0.0;
    }
    let n = f64::from(servers);
    let a = offered_load;
    if a >= n {
        return 1.0;
    }
    let b = erlang_b(servers, a);
    (n * b / (n - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Performance of an M/M/N desk without abandonment (Erlang C), see [`erlang_c_metrics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// Probability that an arrival waits at all, `C(N, A)`.
    pub p_wait: f64,
    /// Mean wait over all arrivals (average speed of answer), `C·h / (N − A)`, in the
    /// caller's time unit.
    pub mean_wait: f64,
    /// Share of arrivals answered within the answer target `t`:
    /// `SL(t) = 1 − C·e^{−(N−A)·t/h}`.
    pub service_level: f64,
    /// Agent occupancy (utilisation) `A / N`.
    pub occupancy: f64,
}

/// Erlang C metrics of a desk with `servers` agents, `arrival_rate` λ, mean
/// `handle_time` `h` and `answer_target` `t` (all times in one unit, e.g. minutes).
///
/// With `A = λ·h`: `p_wait = C(N, A)`, `mean_wait = C·h / (N − A)`,
/// `service_level = 1 − C·e^{−(N−A)·t/h}`, `occupancy = A/N`.
///
/// Edge cases, by design:
/// - no traffic (`λ ≤ 0` or `h ≤ 0`, or NaN): nobody waits — `p_wait 0`,
///   `mean_wait 0`, `service_level 1`, `occupancy 0`, whatever the staffing;
/// - unstable desk (`A ≥ N`, including `N = 0`): `p_wait 1`,
///   `mean_wait f64::INFINITY`, `service_level 0`, `occupancy 1`;
/// - a negative `answer_target` is treated as 0.
///
/// ```
/// use omnimix_sim::mechanisms::queue::erlang_c_metrics;
/// // 100 calls per 30 minutes, AHT 3 min, 14 agents, answer target 20 s.
/// let m = erlang_c_metrics(14, 100.0 / 30.0, 3.0, 20.0 / 60.0);
/// assert!((m.service_level - 0.888_350_019_179_466_9).abs() < 1e-12);
/// assert!((m.occupancy - 10.0 / 14.0).abs() < 1e-15);
/// ```
pub fn erlang_c_metrics(
    servers: u32,
    arrival_rate: f64,
    handle_time: f64,
    answer_target: f64,
) -> ErlangC {
    if !positive(arrival_rate) || !positive(handle_time) {
        return ErlangC {
            p_wait: 0.0,
            mean_wait: 0.0,
            service_level: 1.0,
            occupancy: 0.0,
        };
    }
    let a = arrival_rate * handle_time;
    let n = f64::from(servers);
    if a >= n {
        return ErlangC {
            p_wait: 1.0,
            mean_wait: f64::INFINITY,
            service_level: 0.0,
            occupancy: 1.0,
        };
    }
    let c = erlang_c(servers, a);
    let t = answer_target.max(0.0);
    ErlangC {
        p_wait: c,
        mean_wait: c * handle_time / (n - a),
        service_level: (1.0 - c * (-(n - a) * t / handle_time).exp()).clamp(0.0, 1.0),
        occupancy: a / n,
    }
}

/// Performance of an M/M/N+M desk (Erlang A: exponential patience), see [`erlang_a`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ErlangA {
    /// Probability that an arrival finds all agents busy and has to queue
    /// (PASTA: the stationary probability of `N` or more in system).
    pub p_wait: f64,
    /// Probability that an arrival abandons before service: `θ·E[Q] / λ`.
    pub p_abandon: f64,
    /// Mean time in queue over all arrivals (served and abandoning), `E[Q] / λ`
    /// by Little's law, in the caller's time unit.
    pub mean_wait: f64,
    /// Mean time in queue of those who queue, `mean_wait / p_wait` (0 if nobody waits).
    pub mean_wait_given_wait: f64,
    /// Agent occupancy: carried load per agent, `λ·(1 − p_abandon)·h / N`
    /// (0 when there are no agents).
    pub occupancy: f64,
}

/// Erlang A (M/M/N+M) metrics for `servers` agents, `arrival_rate` λ, mean
/// `handle_time` `h` and `mean_patience` `1/θ` (all times in one unit).
///
/// Exact computation from the birth–death chain of the number in system `k`: births
/// at rate λ, deaths at rate `k·μ` for `k ≤ N` and `N·μ + (k−N)·θ` above `N`
/// (`μ = 1/h`). The states below `N` are summed in closed form through Erlang B
/// (`Σ_{k<N} π_k / π_N = 1/B − 1`, by the inverse form of the stable recursion of
/// [`erlang_b`]), so nothing overflows for thousands of agents; the states above `N`
/// are summed term by term with the ratio `π_{N+j}/π_{N+j−1} = λ / (Nμ + jθ)`,
/// rescaled whenever the running weight exceeds 1e200, and truncated as soon as a
/// geometric bound on the whole remaining tail (valid because the ratios decrease) is
/// below `1e−15` of the accumulated mass, both for `Σ π` and for `Σ j·π`. So the
/// truncation error is below 1e−15 relative, except in the pathological case where
/// more than 20 million queue states would be needed (overload `(A−N)^+ ·
/// patience/h` beyond ~10⁷), where the sum stops at that cap.
///
/// Cost: `O(N)` for the states below `N` plus `O((A−N)^+·patience/h +
/// √(A·patience/h))` queue states. Measured (release build): 1.3–3.5 µs for 500 agents
/// at loads 0.8–1.0 per agent; 8 µs at 20 % overload with patience ten times the handle
/// time; 29 µs at 100 % overload with patience ten times the handle time.
///
/// Then `p_wait = Σ_{k≥N} π_k`, `E[Q] = Σ_{k>N} (k−N)·π_k`,
/// `p_abandon = θ·E[Q]/λ`, `mean_wait = E[Q]/λ`,
/// `mean_wait_given_wait = mean_wait / p_wait`, `occupancy = λ(1−p_abandon)h/N`.
///
/// Edge cases, by design:
/// - `arrival_rate ≤ 0` or `handle_time ≤ 0` (or NaN): no work, all fields 0;
/// - `servers = 0`: everyone waits and abandons — `p_wait 1`, `p_abandon 1`,
///   `mean_wait = mean_wait_given_wait = patience`, `occupancy 0`;
/// - `mean_patience ≤ 0`: callers leave as soon as they would queue, which is the
///   loss system: `p_wait` and `p_abandon` both equal [`erlang_b`]`(N, A)`, waits 0;
/// - an infinite load `λ·h`: `p_wait = p_abandon = 1`, waits = patience, occupancy 1;
/// - `mean_patience = ∞`: the Erlang C limit (`p_abandon 0`; infinite mean wait if
///   `A ≥ N`). The simulator always passes a finite patience.
///
/// ```
/// use omnimix_sim::mechanisms::queue::{erlang_a, erlang_c};
/// // 3 calls/min, 5 min handle time (15 erlangs), 16 agents, 2 min mean patience.
/// let q = erlang_a(16, 3.0, 5.0, 2.0);
/// assert!(q.p_abandon > 0.0 && q.p_abandon < q.p_wait);
/// // Abandonment shortens the queue, so fewer callers wait than under Erlang C.
/// assert!(q.p_wait < erlang_c(16, 15.0));
/// ```
pub fn erlang_a(servers: u32, arrival_rate: f64, handle_time: f64, mean_patience: f64) -> ErlangA {
    if !positive(arrival_rate) || !positive(handle_time) {
        return ErlangA::default();
    }
    let lambda = arrival_rate;
    if servers == 0 {
        let patience = if mean_patience > 0.0 {
            mean_patience
        } else {
            0.0
        };
        return ErlangA {
            p_wait: 1.0,
            p_abandon: 1.0,
            mean_wait: patience,
            mean_wait_given_wait: patience,
            occupancy: 0.0,
        };
    }
    let n = f64::from(servers);
    let a = lambda * handle_time;
    if a.is_infinite() {
        // Infinite load: the queue is always full and every caller abandons.
        let patience = if positive(mean_patience) {
            mean_patience
        } else {
            0.0
        };
        return ErlangA {
            p_wait: 1.0,
            p_abandon: 1.0,
            mean_wait: patience,
            mean_wait_given_wait: patience,
            occupancy: 1.0,
        };
    }
    if !positive(mean_patience) {
        // Zero patience: nobody queues, arrivals that find all agents busy are lost.
        let b = erlang_b(servers, a);
        return ErlangA {
            p_wait: b,
            p_abandon: b,
            mean_wait: 0.0,
            mean_wait_given_wait: 0.0,
            occupancy: a * (1.0 - b) / n,
        };
    }
    if mean_patience.is_infinite() {
        // Infinite patience: Erlang C.
        let c = erlang_c_metrics(servers, arrival_rate, handle_time, 0.0);
        return ErlangA {
            p_wait: c.p_wait,
            p_abandon: 0.0,
            mean_wait: c.mean_wait,
            mean_wait_given_wait: if c.p_wait > 0.0 {
                c.mean_wait / c.p_wait
            } else {
                0.0
            },
            occupancy: c.occupancy,
        };
    }
    // Weights relative to π_N = 1. States below N: L = Σ_{k<N} π_k/π_N = 1/B(N, A) − 1,
    // by the equivalent recursion L_k = (k/A)·(1 + L_{k−1}), L_0 = 0 (one multiply-add
    // per agent, no division on the dependency chain).
    let inv_a = 1.0 / a;
    let mut below = 0.0_f64;
    for k in 1..=servers {
        below = f64::from(k) * inv_a * (1.0 + below);
    }
    if !below.is_finite() {
        // B(N, A) underflows f64: the chance that all agents are busy is nil.
        return ErlangA {
            occupancy: a / n,
            ..ErlangA::default()
        };
    }
    // Work in units of the mean handle time: μ = 1, λ → A, θ → h / patience.
    let theta = handle_time / mean_patience;
    let mut term = 1.0_f64; // π_{N+j} / π_N
    let mut mass = 1.0_f64; // Σ_{j≥0} π_{N+j} / π_N
    let mut queue = 0.0_f64; // Σ_{j≥1} j · π_{N+j} / π_N
    let mut ratio = a / (n + theta); // π_{N+1} / π_N
    let mut j: u64 = 0;
    loop {
        j += 1;
        let jf = j as f64;
        term *= ratio;
        mass += term;
        queue += jf * term;
        if term > RESCALE_ABOVE {
            let s = 1.0 / RESCALE_ABOVE;
            term *= s;
            mass *= s;
            queue *= s;
            below *= s;
        }
        if term <= 0.0 || j >= ERLANG_A_MAX_QUEUE_STATES {
            break;
        }
        // Every later ratio is at most r = A / (N + (j+1)θ), so the tail is bounded by
        // Σ_{m≥1} term·r^m and Σ_{m≥1} (j+m)·term·r^m. Checked every 8 states (summing
        // a few more terms only adds accuracy).
        ratio = a / (n + (jf + 1.0) * theta);
        if j.is_multiple_of(8) && ratio < 1.0 {
            let g = ratio / (1.0 - ratio);
            let tail_mass = term * g;
            let tail_queue = term * (jf * g + g / (1.0 - ratio));
            if tail_mass <= ERLANG_A_TAIL_TOLERANCE * mass
                && tail_queue <= ERLANG_A_TAIL_TOLERANCE * queue
            {
                break;
            }
        }
    }
    let total = below + mass;
    let p_wait = (mass / total).clamp(0.0, 1.0);
    let eq = queue / total; // E[Q] in units where π sums to 1
    // p_abandon = θ·E[Q]/λ; in handle-time units θ' = h/patience and λ' = A.
    let p_abandon = (theta * eq / a).clamp(0.0, 1.0);
    let mean_wait = eq / lambda;
    ErlangA {
        p_wait,
        p_abandon,
        mean_wait,
        mean_wait_given_wait: if p_wait > 0.0 {
            mean_wait / p_wait
        } else {
            0.0
        },
        occupancy: (a * (1.0 - p_abandon) / n).clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    // ---------- Erlang B ----------

    /// Known answer: Westbay Engineers, Erlang calculator manual, "How much traffic
    /// can a trunk group handle?" — 15 lines at 1 % blocking carry 8.108 erlangs.
    /// The traffic is printed to 3 decimals, so B is checked to 1e-5.
    #[test]
    fn erlang_b_westbay_manual_15_lines_one_percent() {
        assert!(
            close(erlang_b(15, 8.108), 0.01, 1e-5),
            "{}",
            erlang_b(15, 8.108)
        );
    }

    /// Known answer: Wolfram Language documentation for `ErlangB`, "if there are 30
    /// call lines and the traffic is 25 Erlangs, then the blocking or loss probability
    /// is approximately 0.05".
    #[test]
    fn erlang_b_wolfram_30_lines_25_erlangs() {
        let b = erlang_b(30, 25.0);
        assert!(close(b, 0.05, 0.005), "{b}");
    }

    /// Identity: B(1, A) = A / (1 + A) and B(2, A) = (A²/2) / (1 + A + A²/2).
    #[test]
    fn erlang_b_small_closed_forms() {
        for a in [0.1, 1.0, 3.7, 50.0] {
            assert!(close(erlang_b(1, a), a / (1.0 + a), 1e-15));
            let d = 1.0 + a + a * a / 2.0;
            assert!(close(erlang_b(2, a), a * a / 2.0 / d, 1e-15));
        }
    }

    /// Limit/identity (no printed number): for A = N the asymptotic expansion
    /// B(N, N) ≈ √(2/(πN)) (Jagerman 1974) holds to well under 1 % at N = 100 000;
    /// this also shows the recursion stays finite at 100 000 servers and 1e5 erlangs.
    #[test]
    fn erlang_b_large_system_is_finite_and_matches_asymptotics() {
        let b = erlang_b(100_000, 1e5);
        let approx = (2.0 / (std::f64::consts::PI * 1e5)).sqrt();
        assert!(b.is_finite() && b > 0.0 && b < 1.0);
        assert!((b / approx - 1.0).abs() < 0.01, "{b} vs {approx}");
        let tiny = erlang_b(100_000, 1.0);
        assert!((0.0..1e-300).contains(&tiny));
    }

    #[test]
    fn erlang_b_edge_cases() {
        assert_eq!(erlang_b(0, 0.0), 1.0);
        assert_eq!(erlang_b(5, 0.0), 0.0);
        assert_eq!(erlang_b(5, -1.0), 0.0);
        assert_eq!(erlang_b(5, f64::NAN), 0.0);
        assert_eq!(erlang_b(5, f64::INFINITY), 1.0);
    }

    // ---------- Erlang C ----------

    /// Known answer: the mitan.co.uk "Erlang-C formula" worked example (360 calls per
    /// half hour = 0.2 calls/s, 240 s average call, 55 agents, 15 s target): traffic
    /// 48 erlangs, probability of waiting 0.2387, average speed of answer 8.184 s,
    /// service level 0.8459 (values as printed on the page and reproduced in the
    /// Maxima "Expected waiting time formulas" worksheet).
    #[test]
    fn erlang_c_mitan_worked_example() {
        let m = erlang_c_metrics(55, 0.2, 240.0, 15.0);
        assert!(close(m.p_wait, 0.2387, 5e-5), "{}", m.p_wait);
        assert!(close(m.mean_wait, 8.184, 5e-4), "{}", m.mean_wait);
        assert!(close(m.service_level, 0.8459, 5e-5), "{}", m.service_level);
        assert!(close(m.occupancy, 48.0 / 55.0, 1e-15));
    }

    /// Known answer: pyworkforce 0.1.0 README (PyPI) and the R package `ErlangC`
    /// 0.1.0 README print, for 100 calls per 30 minutes, AHT 3 min (180 s), 14 agents
    /// and a 20 s answer target: waiting_probability 0.1741319335950498,
    /// service_level 0.8883500191794669, occupancy 0.7142857142857143 and
    /// average_speed_of_answer 7.83593701177724 s.
    #[test]
    fn erlang_c_pyworkforce_example() {
        let m = erlang_c_metrics(14, 100.0 / 30.0, 3.0, 20.0 / 60.0);
        assert!(
            close(m.p_wait, 0.174_131_933_595_049_8, 1e-13),
            "{}",
            m.p_wait
        );
        assert!(close(m.service_level, 0.888_350_019_179_466_9, 1e-13));
        assert!(close(m.occupancy, 0.714_285_714_285_714_3, 1e-15));
        assert!(
            close(m.mean_wait * 60.0, 7.835_937_011_777_24, 1e-11),
            "{}",
            m.mean_wait
        );
        // Same in seconds.
        let s = erlang_c_metrics(14, 100.0 / 1800.0, 180.0, 20.0);
        assert!(close(s.mean_wait, 7.835_937_011_777_24, 1e-11));
    }

    /// Identity: C = B / (1 − ρ(1 − B)) with ρ = A/N.
    #[test]
    fn erlang_c_relation_to_erlang_b() {
        for (n, a) in [(1, 0.5), (5, 3.0), (55, 48.0), (500, 470.0)] {
            let b = erlang_b(n, a);
            let rho = a / f64::from(n);
            assert!(close(erlang_c(n, a), b / (1.0 - rho * (1.0 - b)), 1e-13));
        }
        // M/M/1: C = ρ.
        assert!(close(erlang_c(1, 0.3), 0.3, 1e-15));
    }

    #[test]
    fn erlang_c_edge_cases() {
        assert_eq!(erlang_c(0, 1.0), 1.0);
        assert_eq!(erlang_c(3, 3.0), 1.0);
        assert_eq!(erlang_c(3, 0.0), 0.0);
        let m = erlang_c_metrics(3, 2.0, 2.0, 1.0);
        assert_eq!(
            (m.p_wait, m.mean_wait, m.service_level, m.occupancy),
            (1.0, f64::INFINITY, 0.0, 1.0)
        );
        let z = erlang_c_metrics(0, 0.0, 2.0, 1.0);
        assert_eq!(
            (z.p_wait, z.mean_wait, z.service_level, z.occupancy),
            (0.0, 0.0, 1.0, 0.0)
        );
        let neg_t = erlang_c_metrics(14, 100.0 / 30.0, 3.0, -1.0);
        assert!(close(neg_t.service_level, 1.0 - neg_t.p_wait, 1e-15));
    }

    // ---------- Erlang A ----------

    /// Independent reference: the stationary distribution summed directly and naively
    /// from state 0 (no Erlang B, no rescaling) — fine for small systems.
    fn erlang_a_direct(n: u32, lambda: f64, h: f64, patience: f64) -> (f64, f64, f64) {
        let mu = 1.0 / h;
        let theta = 1.0 / patience;
        let mut p = vec![1.0_f64];
        for k in 1..5000u32 {
            let death = if k <= n {
                f64::from(k) * mu
            } else {
                f64::from(n) * mu + f64::from(k - n) * theta
            };
            let next = p[p.len() - 1] * lambda / death;
            p.push(next);
        }
        let total: f64 = p.iter().sum();
        let p_wait: f64 = p.iter().skip(n as usize).sum::<f64>() / total;
        let eq: f64 = p
            .iter()
            .enumerate()
            .skip(n as usize)
            .map(|(k, x)| (k - n as usize) as f64 * x)
            .sum::<f64>()
            / total;
        (p_wait, theta * eq / lambda, eq / lambda)
    }

    /// Cross-check against the direct summation above (a different method; no
    /// published Erlang A table was found to quote, see the Poisson test below for a
    /// printed number).
    #[test]
    fn erlang_a_matches_direct_summation() {
        for &(n, lambda, h, pat) in &[
            (1, 0.5, 1.0, 2.0),
            (5, 1.0, 3.0, 1.0),
            (10, 3.0, 4.0, 2.5),
            (20, 5.0, 5.0, 0.5),
            (30, 12.0, 3.0, 10.0),
            (8, 4.0, 3.0, 3.0),
        ] {
            let q = erlang_a(n, lambda, h, pat);
            let (pw, pa, w) = erlang_a_direct(n, lambda, h, pat);
            assert!(
                close(q.p_wait, pw, 1e-12),
                "{n} {lambda}: {} vs {pw}",
                q.p_wait
            );
            assert!(close(q.p_abandon, pa, 1e-12), "{} vs {pa}", q.p_abandon);
            assert!(
                (q.mean_wait - w).abs() <= 1e-12 * w.max(1.0),
                "{} vs {w}",
                q.mean_wait
            );
            // Occupancy from flow balance equals E[busy agents]/N.
            let mu = 1.0 / h;
            let busy = lambda * (1.0 - pa) / mu / f64::from(n);
            assert!(close(q.occupancy, busy, 1e-12));
        }
    }

    /// Known answer: with patience = handle time (θ = μ) every state dies at rate k·μ,
    /// so the number in system is exactly Poisson(A) (the M/M/∞ queue) and
    /// p_wait = P(K ≥ N). The printed "Cumulative Poisson Distribution Table" gives
    /// P(X ≤ 3) = 0.8571 for Poisson(2) (its own worked example) and
    /// P(X ≤ 4) = 0.4405 for Poisson(5); hence p_wait(N=4, A=2) = 0.1429 and
    /// p_wait(N=5, A=5) = 0.5595.
    #[test]
    fn erlang_a_patience_equal_to_handle_time_is_poisson() {
        let q = erlang_a(4, 2.0, 1.0, 1.0);
        assert!(close(q.p_wait, 1.0 - 0.8571, 5e-5), "{}", q.p_wait);
        let q = erlang_a(5, 1.0, 5.0, 5.0);
        assert!(close(q.p_wait, 1.0 - 0.4405, 5e-5), "{}", q.p_wait);
        // And p_abandon = E[(K − N)^+] / A exactly, with K ~ Poisson(A).
        let (n, a) = (7u32, 6.5_f64);
        let q = erlang_a(n, a, 1.0, 1.0);
        let mut pk = (-a).exp();
        let mut excess = 0.0;
        let mut tail = 0.0;
        for k in 0..400u32 {
            if k >= n {
                tail += pk;
                excess += f64::from(k - n) * pk;
            }
            pk *= a / f64::from(k + 1);
        }
        assert!(close(q.p_wait, tail, 1e-13));
        assert!(close(q.p_abandon, excess / a, 1e-13));
    }

    /// Limit: as patience grows, Erlang A tends to Erlang C for a stable desk
    /// (pyworkforce example: A = 10, N = 14; Erlang C p_wait 0.1741319335950498).
    #[test]
    fn erlang_a_converges_to_erlang_c() {
        let c = erlang_c_metrics(14, 100.0 / 30.0, 3.0, 0.0);
        let mut prev_gap = f64::INFINITY;
        for patience in [10.0, 100.0, 1e4, 1e7] {
            let q = erlang_a(14, 100.0 / 30.0, 3.0, patience);
            let gap = (q.p_wait - c.p_wait).abs();
            assert!(gap < prev_gap);
            prev_gap = gap;
        }
        let q = erlang_a(14, 100.0 / 30.0, 3.0, 1e9);
        assert!(
            close(q.p_wait, 0.174_131_933_595_049_8, 1e-7),
            "{}",
            q.p_wait
        );
        assert!(
            close(q.mean_wait, c.mean_wait, 1e-7),
            "{} vs {}",
            q.mean_wait,
            c.mean_wait
        );
        assert!(q.p_abandon < 1e-9);
        let inf = erlang_a(14, 100.0 / 30.0, 3.0, f64::INFINITY);
        assert!(close(inf.p_wait, c.p_wait, 1e-15) && inf.p_abandon == 0.0);
    }

    /// Limit: zero patience is the loss system (Erlang B).
    #[test]
    fn erlang_a_zero_patience_is_erlang_b() {
        let q = erlang_a(15, 8.108, 1.0, 0.0);
        assert!(close(q.p_abandon, 0.01, 1e-5));
        assert_eq!(q.mean_wait, 0.0);
        // And a tiny positive patience approaches it continuously.
        let t = erlang_a(15, 8.108, 1.0, 1e-9);
        assert!(close(t.p_abandon, q.p_abandon, 1e-7));
    }

    #[test]
    fn erlang_a_edge_cases() {
        assert_eq!(erlang_a(5, 0.0, 3.0, 2.0), ErlangA::default());
        assert_eq!(erlang_a(5, 1.0, 0.0, 2.0), ErlangA::default());
        assert_eq!(erlang_a(0, 0.0, 3.0, 2.0), ErlangA::default());
        let z = erlang_a(0, 2.0, 3.0, 4.0);
        assert_eq!(
            (
                z.p_wait,
                z.p_abandon,
                z.mean_wait,
                z.mean_wait_given_wait,
                z.occupancy
            ),
            (1.0, 1.0, 4.0, 4.0, 0.0)
        );
        // Heavy overload stays finite and most callers abandon.
        let o = erlang_a(10, 1000.0, 1.0, 1.0);
        assert!(o.p_abandon > 0.98 && o.p_abandon <= 1.0 && o.mean_wait.is_finite());
        // Flow balance in overload: served rate ≈ N·μ.
        assert!(close(o.occupancy, 1.0, 1e-6), "{}", o.occupancy);
        // Thousands of agents and large loads do not overflow.
        let big = erlang_a(5000, 5000.0, 1.0, 0.5);
        assert!(big.p_wait > 0.0 && big.p_wait < 1.0 && big.p_abandon > 0.0 && big.p_abandon < 0.1);
        let inf = erlang_a(3, f64::MAX, 10.0, 2.0);
        assert_eq!(
            (inf.p_abandon, inf.mean_wait, inf.occupancy),
            (1.0, 2.0, 1.0)
        );
        let huge = erlang_a(100_000, 1e5 * 1.2, 1.0, 1.0);
        assert!(
            close(huge.p_abandon, 1.0 - 1.0 / 1.2, 1e-3),
            "{}",
            huge.p_abandon
        );
        // Overstaffed far beyond the load: nobody waits.
        let idle = erlang_a(2000, 1.0, 1.0, 1.0);
        assert_eq!(idle.p_wait, 0.0);
        assert!(close(idle.occupancy, 1.0 / 2000.0, 1e-15));
    }

    proptest! {
        #[test]
        fn erlang_a_probabilities_are_valid(
            n in 0u32..300,
            lambda in 0.0f64..50.0,
            h in 0.01f64..20.0,
            patience in 0.01f64..60.0,
        ) {
            let q = erlang_a(n, lambda, h, patience);
            for v in [q.p_wait, q.p_abandon, q.occupancy] {
                prop_assert!(v.is_finite() && (0.0..=1.0).contains(&v));
            }
            prop_assert!(q.mean_wait.is_finite() && q.mean_wait >= 0.0);
            prop_assert!(q.mean_wait_given_wait.is_finite() && q.mean_wait_given_wait >= 0.0);
            prop_assert!(q.p_abandon <= q.p_wait + 1e-12);
        }

        #[test]
        fn more_servers_mean_less_abandonment_and_waiting(
            n in 0u32..200,
            extra in 1u32..20,
            lambda in 0.01f64..50.0,
            h in 0.01f64..20.0,
            patience in 0.01f64..60.0,
        ) {
            let few = erlang_a(n, lambda, h, patience);
            let more = erlang_a(n + extra, lambda, h, patience);
            prop_assert!(more.p_abandon <= few.p_abandon + 1e-12);
            prop_assert!(more.mean_wait <= few.mean_wait * (1.0 + 1e-12) + 1e-15);
            prop_assert!(more.p_wait <= few.p_wait + 1e-12);
        }

        #[test]
        fn erlang_c_is_a_probability(n in 0u32..1000, a in 0.0f64..2000.0) {
            let c = erlang_c(n, a);
            prop_assert!((0.0..=1.0).contains(&c));
            prop_assert!(erlang_b(n, a) <= c + 1e-15);
        }
    }
}
