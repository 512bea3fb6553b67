//! Markov chain removal effects of order 1 to 3, with exact absorption
//! probabilities.
//!
//! The chain: the transient states are `(start)` and the channel tuples that
//! occur in the table (see [`Model`] for the encoding); the
//! absorbing states are `(conversion)` and `(null)`. A row of the table with
//! `c` conversions and `n` nulls adds weight `c + n` to each transition along
//! its path, `c` to the last state's transition to `(conversion)` and `n` to
//! its transition to `(null)`; transition probabilities are the weights
//! normalised per state (the maximum-likelihood estimate).
//!
//! The probability `x[s]` of absorbing in `(conversion)` from state `s` solves
//! `(I - Q) x = r`, with `Q` the transient-to-transient probabilities and `r`
//! the probabilities into `(conversion)`. Removing channels turns every state
//! that contains one of them into `(null)` (its row and column leave the
//! system). Two solvers, both exact up to floating point:
//!
//! * **dense LU** (nalgebra) when at most [`DENSE_MAX_STATES`] states are
//!   relevant (live, reachable from `(start)`, able to reach `(conversion)`); always for order 1 with up to 255 channels;
//! * **bracketed Gauss–Seidel** on the sparse transition structure for larger
//!   systems (order 2 and 3 with many channels: 12 channels at order 3 give
//!   up to 1 + 12 + 144 + 1 728 states, which dense LU would factor 13 times
//!   at ~2·10^9 flops each). Two sweeps run side by side, one from `x = 0`
//!   and one from `x = 1`; for an absorbing chain these are a sub- and a
//!   super-solution, so Gauss–Seidel keeps `lower <= x <= upper` at every
//!   sweep and both converge monotonically. Iteration stops when the bracket
//!   at `(start)` is narrower than [`RELATIVE_TOLERANCE`] times its upper
//!   end (or [`ABSOLUTE_TOLERANCE`]), which certifies the answer — the
//!   midpoint — to that precision rather than estimating it from a residual.
//!
//! A useful identity: for the chain estimated from a table, `P(conversion)`
//! from `(start)` equals the table's conversions divided by its customers
//! (conversions plus nulls), at every order — the observed visit counts solve
//! the same flow equations as the expected ones.

use std::collections::HashMap;

use nalgebra::{DMatrix, DVector};

use crate::journeys::{ChannelId, JourneyTable};
use crate::model::{AttributionError, Model, ModelError, RawCredit};

/// Dense LU is used when at most this many transient states are live.
pub const DENSE_MAX_STATES: usize = 256;
/// Relative width of the final bracket on an absorption probability.
pub const RELATIVE_TOLERANCE: f64 = 1e-13;
/// Absolute width below which a bracket is accepted whatever its relative width.
pub const ABSOLUTE_TOLERANCE: f64 = 1e-16;
/// Sweep limit of the iterative solver before it falls back to dense LU
/// (up to [`DENSE_FALLBACK_MAX_STATES`] states) or gives up.
pub const MAX_SWEEPS: usize = 100_000;
/// Largest system the iterative solver hands to dense LU when it does not converge.
pub const DENSE_FALLBACK_MAX_STATES: usize = 2_048;

const START: usize = 0;
/// Lookup tables of `(n + 1)^order` slots are used up to this size; above, a hash map.
const DENSE_LOOKUP_MAX: u64 = 1 << 22;

/// How to solve for absorption probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Solver {
    /// Dense LU up to [`DENSE_MAX_STATES`] live states, iterative above.
    Auto,
    /// Always dense LU (the test oracle).
    #[cfg_attr(not(test), allow(dead_code))]
    Dense,
    /// Always the bracketed Gauss–Seidel iteration.
    #[cfg_attr(not(test), allow(dead_code))]
    Iterative,
}

/// A transition of a [`MarkovChain`], with its states written out.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The state left: `(start)` or channel names joined by ` > `.
    pub from: String,
    /// The state entered: channel names joined by ` > `, `(conversion)` or `(null)`.
    pub to: String,
    /// The transition probability.
    pub probability: f64,
}

/// An absorbing Markov chain of order 1 to 3 estimated from a [`JourneyTable`].
///
/// ```
/// use omnimix_attribution::{JourneyTable, MarkovChain};
///
/// // The three journeys of Bryl' (2016), "Marketing Multi-Channel
/// // Attribution model with R (part 1: Markov chains concept)".
/// let table = JourneyTable::from_rows([
///     ("C1 > C2 > C3", 1.0, 0.0, 0.0),
///     ("C1", 0.0, 1.0, 0.0),
///     ("C2 > C3", 0.0, 1.0, 0.0),
/// ])?;
/// let chain = MarkovChain::fit(&table, 1)?;
/// assert!((chain.conversion_probability()? - 1.0 / 3.0).abs() < 1e-15);
/// let effects = chain.removal_effects()?;
/// assert!((effects[0] - 0.5).abs() < 1e-15); // C1
/// assert!((effects[1] - 1.0).abs() < 1e-15); // C2
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MarkovChain {
    order: u8,
    channels: Vec<String>,
    /// Channels of each transient state (state 0, `(start)`, has none).
    state_channels: Vec<[ChannelId; 3]>,
    state_len: Vec<u8>,
    /// CSR rows of transient-to-transient probabilities.
    row_ptr: Vec<usize>,
    col: Vec<u32>,
    prob: Vec<f64>,
    to_conversion: Vec<f64>,
    to_null: Vec<f64>,
    /// States containing each channel.
    channel_states: Vec<Vec<u32>>,
    /// CSR rows of the reversed transitions (predecessors of each state).
    rev_ptr: Vec<usize>,
    rev_col: Vec<u32>,
    /// Customers (conversions plus nulls) the chain was estimated from.
    customers: f64,
}

impl MarkovChain {
    /// Estimates the chain of the given order (1 to 3) from a table.
    ///
    /// Rows with neither conversions nor nulls carry no weight and are skipped.
    ///
    /// # Errors
    /// [`AttributionError::Model`] if `order` is not 1, 2 or 3.
    pub fn fit(table: &JourneyTable, order: u8) -> Result<Self, AttributionError> {
        Model::Markov { order }.validate()?;
        let k = usize::from(order);
        let n = table.channels().len();
        let base = n as u64 + 1;
        let lookup_size = base.checked_pow(u32::from(order)).unwrap_or(u64::MAX);
        let mut dense_lookup: Vec<u32> = if lookup_size <= DENSE_LOOKUP_MAX {
            vec![u32::MAX; lookup_size as usize]
        } else {
            Vec::new()
        };
        let mut hash_lookup: HashMap<u64, u32> = HashMap::new();

        let mut state_channels: Vec<[ChannelId; 3]> = vec![[0; 3]];
        let mut state_len: Vec<u8> = vec![0];
        let mut succ: Vec<Vec<(u32, f64)>> = vec![Vec::new()];
        let mut conv_w: Vec<f64> = vec![0.0];
        let mut null_w: Vec<f64> = vec![0.0];
        let mut customers = 0.0;

        let mut intern = |tuple: &[ChannelId],
                          state_channels: &mut Vec<[ChannelId; 3]>,
                          state_len: &mut Vec<u8>,
                          succ: &mut Vec<Vec<(u32, f64)>>,
                          conv_w: &mut Vec<f64>,
                          null_w: &mut Vec<f64>|
         -> u32 {
            let mut key = 0u64;
            for &c in tuple.iter().rev() {
                key = key * base + u64::from(c) + 1;
            }
            let slot = if dense_lookup.is_empty() {
                hash_lookup.entry(key).or_insert(u32::MAX)
            } else {
                &mut dense_lookup[key as usize]
            };
            if *slot == u32::MAX {
                // At most 1 + n + n^2 + n^3 states for n <= 65535 channels,
                // but only those occurring: bounded by the table's touches.
                *slot = state_channels.len() as u32;
                let mut chans = [0; 3];
                chans[..tuple.len()].copy_from_slice(tuple);
                state_channels.push(chans);
                state_len.push(tuple.len() as u8);
                succ.push(Vec::new());
                conv_w.push(0.0);
                null_w.push(0.0);
            }
            *slot
        };

        for j in table.iter() {
            let w = j.conversions + j.nulls;
            if w <= 0.0 {
                continue;
            }
            customers += w;
            let path = j.path;
            let windows = if path.len() <= k {
                1
            } else {
                path.len() - k + 1
            };
            let mut prev = START as u32;
            for i in 0..windows {
                let tuple = &path[i..(i + k).min(path.len())];
                let s = intern(
                    tuple,
                    &mut state_channels,
                    &mut state_len,
                    &mut succ,
                    &mut conv_w,
                    &mut null_w,
                );
                if s == prev {
                    continue; // merge consecutive repeats of a state
                }
                let edges = &mut succ[prev as usize];
                match edges.iter_mut().find(|(t, _)| *t == s) {
                    Some((_, weight)) => *weight += w,
                    None => edges.push((s, w)),
                }
                prev = s;
            }
            conv_w[prev as usize] += j.conversions;
            null_w[prev as usize] += j.nulls;
        }

        let states = state_channels.len();
        let mut row_ptr = Vec::with_capacity(states + 1);
        let mut col = Vec::new();
        let mut prob = Vec::new();
        let mut to_conversion = vec![0.0; states];
        let mut to_null = vec![0.0; states];
        row_ptr.push(0);
        for s in 0..states {
            let edges = &mut succ[s];
            edges.sort_unstable_by_key(|&(t, _)| t);
            let out: f64 = edges.iter().map(|&(_, w)| w).sum::<f64>() + conv_w[s] + null_w[s];
            if out > 0.0 {
                for &(t, w) in edges.iter() {
                    col.push(t);
                    prob.push(w / out);
                }
                to_conversion[s] = conv_w[s] / out;
                to_null[s] = null_w[s] / out;
            } else {
                // Only `(start)` of a table without weight: absorb in null.
                to_null[s] = 1.0;
            }
            row_ptr.push(col.len());
        }

        let mut channel_states = vec![Vec::new(); n];
        for s in 1..states {
            let len = usize::from(state_len[s]);
            let chans = &state_channels[s][..len];
            for (i, &c) in chans.iter().enumerate() {
                if !chans[..i].contains(&c) {
                    channel_states[usize::from(c)].push(s as u32);
                }
            }
        }

        let mut rev_ptr = vec![0usize; states + 1];
        for &t in &col {
            rev_ptr[t as usize + 1] += 1;
        }
        for s in 0..states {
            rev_ptr[s + 1] += rev_ptr[s];
        }
        let mut fill = rev_ptr.clone();
        let mut rev_col = vec![0u32; col.len()];
        for s in 0..states {
            for &t in &col[row_ptr[s]..row_ptr[s + 1]] {
                rev_col[fill[t as usize]] = s as u32;
                fill[t as usize] += 1;
            }
        }

        Ok(MarkovChain {
            order,
            channels: table.channels().to_vec(),
            state_channels,
            state_len,
            row_ptr,
            col,
            prob,
            to_conversion,
            to_null,
            channel_states,
            rev_ptr,
            rev_col,
            customers,
        })
    }

    /// The order of the chain.
    pub fn order(&self) -> u8 {
        self.order
    }

    /// Number of transient states, `(start)` included.
    pub fn state_count(&self) -> usize {
        self.state_len.len()
    }

    /// Number of transient-to-transient transitions with positive probability.
    pub fn transition_count(&self) -> usize {
        self.col.len()
    }

    /// Customers (conversions plus nulls) the chain was estimated from.
    pub fn customers(&self) -> f64 {
        self.customers
    }

    /// The label of a transient state: `(start)` or its channels joined by ` > `.
    fn state_label(&self, s: usize) -> String {
        if s == START {
            return "(start)".to_string();
        }
        let len = usize::from(self.state_len[s]);
        self.state_channels[s][..len]
            .iter()
            .map(|&c| self.channels[usize::from(c)].as_str())
            .collect::<Vec<_>>()
            .join(" > ")
    }

    /// All transitions with positive probability, including those into
    /// `(conversion)` and `(null)`, state by state.
    pub fn transitions(&self) -> Vec<Transition> {
        let mut out = Vec::new();
        for s in 0..self.state_count() {
            let from = self.state_label(s);
            for e in self.row_ptr[s]..self.row_ptr[s + 1] {
                out.push(Transition {
                    from: from.clone(),
                    to: self.state_label(self.col[e] as usize),
                    probability: self.prob[e],
                });
            }
            for (to, p) in [
                ("(conversion)", self.to_conversion[s]),
                ("(null)", self.to_null[s]),
            ] {
                if p > 0.0 {
                    out.push(Transition {
                        from: from.clone(),
                        to: to.to_string(),
                        probability: p,
                    });
                }
            }
        }
        out
    }

    /// Probability of reaching `(conversion)` from `(start)`.
    ///
    /// # Errors
    /// See [`attribute`](crate::attribute).
    pub fn conversion_probability(&self) -> Result<f64, AttributionError> {
        self.absorb(&vec![false; self.state_count()], Solver::Auto)
    }

    /// Probability of reaching `(conversion)` from `(start)` with the given
    /// channels removed (transitions into any state containing one of them
    /// go to `(null)`).
    ///
    /// # Errors
    /// See [`attribute`](crate::attribute).
    pub fn conversion_probability_without(
        &self,
        removed: &[ChannelId],
    ) -> Result<f64, AttributionError> {
        let mut dead = vec![false; self.state_count()];
        for &c in removed {
            if let Some(states) = self.channel_states.get(usize::from(c)) {
                for &s in states {
                    dead[s as usize] = true;
                }
            }
        }
        self.absorb(&dead, Solver::Auto)
    }

    /// The removal effect of every channel, `1 - P(conversion without it) /
    /// P(conversion)`, indexed by [`ChannelId`]. Zero for channels that the
    /// chain never visits and for all channels when `P(conversion)` is 0.
    ///
    /// # Errors
    /// See [`attribute`](crate::attribute).
    pub fn removal_effects(&self) -> Result<Vec<f64>, AttributionError> {
        self.removal_effects_with(Solver::Auto)
    }

    pub(crate) fn removal_effects_with(
        &self,
        solver: Solver,
    ) -> Result<Vec<f64>, AttributionError> {
        let states = self.state_count();
        let mut dead = vec![false; states];
        let base = self.absorb(&dead, solver)?;
        let mut effects = vec![0.0; self.channels.len()];
        if base <= 0.0 {
            return Ok(effects);
        }
        for (c, effect) in effects.iter_mut().enumerate() {
            let members = &self.channel_states[c];
            if members.is_empty() {
                continue;
            }
            for &s in members {
                dead[s as usize] = true;
            }
            let without = self.absorb(&dead, solver)?;
            for &s in members {
                dead[s as usize] = false;
            }
            *effect = (1.0 - without / base).clamp(0.0, 1.0);
        }
        Ok(effects)
    }

    /// Channels the chain visits (those with at least one state).
    pub(crate) fn visited_channels(&self) -> Vec<ChannelId> {
        (0..self.channels.len())
            .filter(|&c| !self.channel_states[c].is_empty())
            .map(|c| c as ChannelId)
            .collect()
    }

    /// States containing channel `c`.
    pub(crate) fn states_of(&self, c: ChannelId) -> &[u32] {
        &self.channel_states[usize::from(c)]
    }

    /// Absorption probability into `(conversion)` from `(start)` with the
    /// `dead` states turned into `(null)`.
    ///
    /// Only the *relevant* states enter the linear system: live states
    /// reachable from `(start)` through live states and from which
    /// `(conversion)` is reachable. The others have absorption probability
    /// exactly 0 or cannot influence `(start)`; dropping them makes a
    /// chain without any route to `(conversion)` return exactly 0.
    pub(crate) fn absorb(&self, dead: &[bool], solver: Solver) -> Result<f64, AttributionError> {
        let Some(active) = self.relevant_states(dead) else {
            return Ok(0.0);
        };
        match solver {
            Solver::Dense => self.absorb_dense(&active),
            Solver::Iterative => self.absorb_iterative(&active),
            Solver::Auto if active.len() <= DENSE_MAX_STATES => self.absorb_dense(&active),
            Solver::Auto => self.absorb_iterative(&active),
        }
    }

    /// The relevant states (see [`MarkovChain::absorb`]) in descending index
    /// order, `(start)` last; `None` if `(start)` is not relevant.
    fn relevant_states(&self, dead: &[bool]) -> Option<Vec<usize>> {
        let states = self.state_count();
        if dead[START] {
            return None;
        }
        // Forward: reachable from (start) through live states.
        let mut forward = vec![false; states];
        let mut stack = vec![START];
        forward[START] = true;
        while let Some(s) = stack.pop() {
            for &t in &self.col[self.row_ptr[s]..self.row_ptr[s + 1]] {
                let t = t as usize;
                if !dead[t] && !forward[t] {
                    forward[t] = true;
                    stack.push(t);
                }
            }
        }
        // Backward: can reach (conversion) through forward-reachable states.
        let mut backward = vec![false; states];
        for s in 0..states {
            if forward[s] && self.to_conversion[s] > 0.0 {
                backward[s] = true;
                stack.push(s);
            }
        }
        while let Some(t) = stack.pop() {
            for &s in &self.rev_col[self.rev_ptr[t]..self.rev_ptr[t + 1]] {
                let s = s as usize;
                if forward[s] && !backward[s] {
                    backward[s] = true;
                    stack.push(s);
                }
            }
        }
        if !backward[START] {
            return None;
        }
        Some((0..states).rev().filter(|&s| backward[s]).collect())
    }

    fn absorb_dense(&self, active: &[usize]) -> Result<f64, AttributionError> {
        let m = active.len();
        let mut index = vec![usize::MAX; self.state_count()];
        for (i, &s) in active.iter().enumerate() {
            index[s] = i;
        }
        let mut a = DMatrix::<f64>::identity(m, m);
        let mut b = DVector::<f64>::zeros(m);
        for (i, &s) in active.iter().enumerate() {
            b[i] = self.to_conversion[s];
            for e in self.row_ptr[s]..self.row_ptr[s + 1] {
                let j = index[self.col[e] as usize];
                if j != usize::MAX {
                    a[(i, j)] -= self.prob[e];
                }
            }
        }
        let x = a.lu().solve(&b).ok_or(AttributionError::Singular {
            order: self.order,
            states: m,
        })?;
        Ok(x[index[START]].clamp(0.0, 1.0))
    }

    fn absorb_iterative(&self, active: &[usize]) -> Result<f64, AttributionError> {
        let states = self.state_count();
        // Irrelevant states hold 0 in both bounds: exact for those that cannot
        // reach (conversion); the others are never read by relevant states.
        let mut lower = vec![0.0; states];
        let mut upper = vec![0.0; states];
        for &s in active {
            upper[s] = 1.0;
        }
        let mut gap = f64::INFINITY;
        for _ in 0..MAX_SWEEPS {
            // `active` is in descending index order: successors, which tend to
            // be interned after their predecessors, are updated first.
            for &s in active {
                let mut lo = self.to_conversion[s];
                let mut up = lo;
                for e in self.row_ptr[s]..self.row_ptr[s + 1] {
                    let t = self.col[e] as usize;
                    let p = self.prob[e];
                    lo += p * lower[t];
                    up += p * upper[t];
                }
                // The max/min keep rounding from breaking the monotone bracket.
                lower[s] = lo.max(lower[s]);
                upper[s] = up.min(upper[s]);
            }
            let (lo, up) = (lower[START], upper[START]);
            gap = up - lo;
            if gap <= RELATIVE_TOLERANCE * up || gap <= ABSOLUTE_TOLERANCE {
                return Ok(0.5 * (lo + up));
            }
        }
        if active.len() <= DENSE_FALLBACK_MAX_STATES {
            return self.absorb_dense(active);
        }
        Err(AttributionError::NotConverged {
            order: self.order,
            states: active.len(),
            sweeps: MAX_SWEEPS,
            gap,
        })
    }
}

/// Credits of `markov:order`.
pub(crate) fn attribute(table: &JourneyTable, order: u8) -> Result<RawCredit, AttributionError> {
    if !(1..=Model::MAX_MARKOV_ORDER).contains(&order) {
        return Err(ModelError::BadParameter {
            model: "markov",
            parameter: "order",
            value: order.to_string(),
            expected: "1, 2 or 3",
        }
        .into());
    }
    let chain = MarkovChain::fit(table, order)?;
    let effects = chain.removal_effects()?;
    Ok(RawCredit::from_weights(table, &effects, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribute as attribute_model;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Bryl' (2016) example; see the known-answer tests in tests/known_answers.rs.
    fn bryl() -> JourneyTable {
        JourneyTable::from_rows([
            ("C1 > C2 > C3", 1.0, 0.0, 1000.0),
            ("C1", 0.0, 1.0, 0.0),
            ("C2 > C3", 0.0, 1.0, 0.0),
        ])
        .unwrap()
    }

    #[test]
    fn states_follow_channel_attribution_windows() {
        let t = JourneyTable::from_rows([("A > B > C > C", 1.0, 0.0, 0.0), ("A", 0.0, 1.0, 0.0)])
            .unwrap();
        let chain = MarkovChain::fit(&t, 2).unwrap();
        let labels: Vec<String> = (0..chain.state_count())
            .map(|s| chain.state_label(s))
            .collect();
        assert_eq!(labels, ["(start)", "A > B", "B > C", "C > C", "A"]);
        let tr = chain.transitions();
        assert!(tr.contains(&Transition {
            from: "(start)".into(),
            to: "A > B".into(),
            probability: 0.5
        }));
        assert!(tr.contains(&Transition {
            from: "C > C".into(),
            to: "(conversion)".into(),
            probability: 1.0
        }));
        // Order 1 merges the repeated C (no self-loop).
        let chain1 = MarkovChain::fit(&t, 1).unwrap();
        assert!(chain1.transitions().iter().all(|t| t.from != t.to));
    }

    #[test]
    fn repeated_windows_merge() {
        let t = JourneyTable::from_rows([("A > A > A > B", 1.0, 1.0, 0.0)]).unwrap();
        let chain = MarkovChain::fit(&t, 2).unwrap();
        // (start) -> A A -> A B; the second A A merges into the first.
        assert_eq!(chain.state_count(), 3);
        assert_eq!(chain.transition_count(), 2);
    }

    #[test]
    fn empty_and_weightless_tables() {
        let t = JourneyTable::default();
        let chain = MarkovChain::fit(&t, 1).unwrap();
        assert_eq!(chain.conversion_probability().unwrap(), 0.0);
        let t = JourneyTable::from_rows([("A > B", 0.0, 0.0, 0.0)]).unwrap();
        let chain = MarkovChain::fit(&t, 3).unwrap();
        assert_eq!(chain.state_count(), 1);
        assert_eq!(chain.removal_effects().unwrap(), [0.0, 0.0]);
        let credits = attribute_model(&t, Model::Markov { order: 2 }).unwrap();
        assert!(
            credits
                .iter()
                .all(|c| c.conversions == 0.0 && c.share == 0.0)
        );
    }

    #[test]
    fn no_conversions_gives_zero_credit() {
        let t = JourneyTable::from_rows([("A > B", 0.0, 4.0, 0.0), ("B", 0.0, 1.0, 0.0)]).unwrap();
        for order in 1..=3 {
            let credits = attribute_model(&t, Model::Markov { order }).unwrap();
            assert!(
                credits
                    .iter()
                    .all(|c| c.conversions == 0.0 && c.share == 0.0)
            );
        }
    }

    /// Regression: the iterative solver once returned the midpoint of a
    /// bracket [0, 1e-16] for a chain with no route to `(conversion)`, and
    /// removal effects of 1 followed from dividing by that tiny "probability".
    #[test]
    fn regression_iterative_is_exactly_zero_without_conversions() {
        let t = JourneyTable::from_rows([("A > B > A", 0.0, 1.0, 0.0)]).unwrap();
        for order in 1..=3 {
            let chain = MarkovChain::fit(&t, order).unwrap();
            let dead = vec![false; chain.state_count()];
            assert_eq!(chain.absorb(&dead, Solver::Iterative).unwrap(), 0.0);
            assert_eq!(
                chain.removal_effects_with(Solver::Iterative).unwrap(),
                [0.0, 0.0]
            );
        }
    }

    #[test]
    fn removing_a_channel_in_every_path_gives_zero() {
        let chain = MarkovChain::fit(&bryl(), 1).unwrap();
        let c3 = 2;
        assert_eq!(chain.conversion_probability_without(&[c3]).unwrap(), 0.0);
        assert!(close(
            chain.conversion_probability_without(&[0]).unwrap(),
            1.0 / 6.0,
            1e-15
        ));
        // Unknown ids are ignored.
        assert!(close(
            chain.conversion_probability_without(&[99]).unwrap(),
            1.0 / 3.0,
            1e-15
        ));
    }

    #[test]
    fn iterative_matches_dense_on_bryl() {
        for order in 1..=3 {
            let chain = MarkovChain::fit(&bryl(), order).unwrap();
            let d = chain.removal_effects_with(Solver::Dense).unwrap();
            let i = chain.removal_effects_with(Solver::Iterative).unwrap();
            for (a, b) in d.iter().zip(&i) {
                assert!(close(*a, *b, 1e-12), "order {order}: {d:?} vs {i:?}");
            }
        }
    }

    /// Tables whose paths are all at most `order` long make the chain a tree
    /// from `(start)`: removing a channel loses exactly the conversions of the
    /// paths containing it. An independent closed form for the removal effect.
    #[test]
    fn short_paths_closed_form() {
        let t = JourneyTable::from_rows([
            ("A > B", 3.0, 2.0, 0.0),
            ("B", 1.0, 4.0, 0.0),
            ("C > A > C", 2.0, 2.0, 0.0),
            ("A", 0.0, 5.0, 0.0),
            ("B > C", 4.0, 1.0, 0.0),
        ])
        .unwrap();
        let chain = MarkovChain::fit(&t, 3).unwrap();
        let total = 10.0;
        let with = |c: &str| -> f64 {
            t.iter()
                .filter(|j| j.path.contains(&t.channel_id(c).unwrap()))
                .map(|j| j.conversions)
                .sum()
        };
        let effects = chain.removal_effects().unwrap();
        for (c, name) in ["A", "B", "C"].iter().enumerate() {
            assert!(
                close(effects[c], with(name) / total, 1e-14),
                "{name}: {}",
                effects[c]
            );
        }
    }

    fn arb_table(max_channels: usize, max_len: usize) -> impl Strategy<Value = JourneyTable> {
        let row = (
            prop::collection::vec(0..max_channels, 1..=max_len),
            0u32..6,
            0u32..6,
            0u32..50,
        );
        prop::collection::vec(row, 1..40).prop_map(|rows| {
            let rows: Vec<(String, f64, f64, f64)> = rows
                .into_iter()
                .map(|(path, c, n, v)| {
                    let names: Vec<String> = path.iter().map(|i| format!("ch{i}")).collect();
                    (names.join(" > "), f64::from(c), f64::from(n), f64::from(v))
                })
                .collect();
            JourneyTable::from_rows(rows).unwrap()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// P(conversion) from (start) equals conversions / customers at every order.
        #[test]
        fn conversion_probability_identity(table in arb_table(5, 7), order in 1u8..=3) {
            let chain = MarkovChain::fit(&table, order).unwrap();
            let p = chain.conversion_probability().unwrap();
            let expected = if chain.customers() > 0.0 { table.total_conversions() / chain.customers() } else { 0.0 };
            prop_assert!((p - expected).abs() <= 1e-12, "p {} expected {}", p, expected);
        }

        /// The iterative solver agrees with the dense LU oracle to 1e-12.
        #[test]
        fn iterative_matches_dense(table in arb_table(6, 8), order in 1u8..=3) {
            let chain = MarkovChain::fit(&table, order).unwrap();
            let d = chain.removal_effects_with(Solver::Dense).unwrap();
            let i = chain.removal_effects_with(Solver::Iterative).unwrap();
            for (a, b) in d.iter().zip(&i) {
                prop_assert!((a - b).abs() <= 1e-12, "{:?} vs {:?}", d, i);
            }
        }
    }
}
