//! Shapley-value attribution.
//!
//! * [`attribute_zhao`]: the coalition game of Zhao, Mahboobi & Bagheri
//!   (2018), computed with their simplified formula (exact, any channel count).
//! * [`attribute_markov`]: the game whose coalition worth is the expected
//!   conversions of the first-order Markov chain with the other channels
//!   removed; exact over all subsets up to a channel limit, sampled
//!   permutations with a standard error above it.

use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};

use crate::journeys::{ChannelId, JourneyTable};
use crate::markov::{MarkovChain, Solver};
use crate::model::{AttributionError, Options, RawCredit};

/// Hard cap on exact enumeration, whatever the options say (2^25 subsets).
const EXACT_CAP: usize = 25;

/// `shapley`: each journey's conversions and value split equally over its
/// distinct channels.
///
/// With players = channels and worth `v(S)` = conversions of the journeys
/// whose channel set lies within `S`, the game is a sum of unanimity games
/// (one per journey, on its channel set), so the Shapley value is
/// `phi_j = sum over channel sets T containing j of R(T) / |T|` — Zhao et al.
/// (2018), eq. for the "simplified Shapley value", `R(T)` being the
/// conversions of journeys with channel set exactly `T`.
pub(crate) fn attribute_zhao(table: &JourneyTable) -> RawCredit {
    let n = table.channels().len();
    let mut conversions = vec![0.0; n];
    let mut value = vec![0.0; n];
    let mut stamp = vec![usize::MAX; n];
    let mut distinct: Vec<usize> = Vec::new();
    for (row, j) in table.iter().enumerate() {
        if j.conversions == 0.0 && j.value == 0.0 {
            continue;
        }
        distinct.clear();
        for &c in j.path {
            let c = usize::from(c);
            if stamp[c] != row {
                stamp[c] = row;
                distinct.push(c);
            }
        }
        let k = distinct.len() as f64;
        for &c in &distinct {
            conversions[c] += j.conversions / k;
            value[c] += j.value / k;
        }
    }
    RawCredit {
        conversions,
        value,
        std_error: None,
    }
}

/// `shapley_markov`: Shapley values of `v(S)` = customers x P(conversion) of
/// the first-order chain with every channel outside `S` removed.
///
/// `v` is monotone (removing channels only diverts more paths to `(null)`),
/// so every credit is non-negative; `v(all) - v(none)` equals the table's
/// conversions (see the identity in [`crate::markov`]), so credits sum to
/// them without rescaling. Channels the chain never visits are null players.
pub(crate) fn attribute_markov(
    table: &JourneyTable,
    options: &Options,
) -> Result<RawCredit, AttributionError> {
    let chain = MarkovChain::fit(table, 1)?;
    let players = chain.visited_channels();
    let n = table.channels().len();
    let mut game = MarkovGame::new(&chain, &players);
    let exact_limit = options.shapley_exact_max_channels.min(EXACT_CAP);
    let (phi, se) = if players.len() <= exact_limit {
        (exact(&mut game)?, None)
    } else {
        let (phi, se) = sampled(&mut game, options.shapley_permutations.max(2), options.seed)?;
        (phi, Some(se))
    };
    let mut weights = vec![0.0; n];
    let mut errors = se.as_ref().map(|_| vec![0.0; n]);
    for (i, &c) in players.iter().enumerate() {
        weights[usize::from(c)] = phi[i].max(0.0);
        if let (Some(errors), Some(se)) = (errors.as_mut(), se.as_ref()) {
            errors[usize::from(c)] = se[i];
        }
    }
    Ok(RawCredit::from_weights(table, &weights, errors))
}

/// A cooperative game evaluated coalition by coalition.
pub(crate) trait Game {
    /// Number of players.
    fn players(&self) -> usize;
    /// Worth of the coalition given as a bit mask (players < 64).
    fn worth(&mut self, mask: u64) -> Result<f64, AttributionError>;
    /// Starts an empty coalition and returns its worth.
    fn clear(&mut self) -> Result<f64, AttributionError>;
    /// Adds `player` to the current coalition and returns the new worth.
    fn join(&mut self, player: usize) -> Result<f64, AttributionError>;
}

/// Exact Shapley values by enumerating all `2^p` coalitions:
/// `phi_i = sum_{S not containing i} |S|! (p-|S|-1)! / p! (v(S+i) - v(S))`.
pub(crate) fn exact<G: Game>(game: &mut G) -> Result<Vec<f64>, AttributionError> {
    let p = game.players();
    assert!(
        p <= EXACT_CAP,
        "exact Shapley enumeration is capped at {EXACT_CAP} players"
    );
    if p == 0 {
        return Ok(Vec::new());
    }
    let subsets = 1usize << p;
    let mut worth = Vec::with_capacity(subsets);
    for mask in 0..subsets {
        worth.push(game.worth(mask as u64)?);
    }
    // weight[s] = s! (p-s-1)! / p! = 1 / (p * C(p-1, s)).
    let mut weight = vec![0.0; p];
    let mut binom = 1.0; // C(p-1, s)
    for (s, w) in weight.iter_mut().enumerate() {
        *w = 1.0 / (p as f64 * binom);
        binom = binom * (p - 1 - s) as f64 / (s + 1) as f64;
    }
    let mut phi = vec![0.0; p];
    for mask in 0..subsets {
        let size = mask.count_ones() as usize;
        for (i, phi_i) in phi.iter_mut().enumerate() {
            if mask & (1 << i) == 0 {
                *phi_i += weight[size] * (worth[mask | (1 << i)] - worth[mask]);
            }
        }
    }
    Ok(phi)
}

/// Shapley values estimated from `permutations` uniformly random player
/// orders (Castro, Gómez & Tejada, 2009): each order's marginal
/// contributions are one sample per player. Returns the means and their
/// standard errors (sample standard deviation / sqrt(permutations)).
///
/// Every order's contributions sum to `v(all) - v(none)`, so the estimates
/// do too, exactly.
pub(crate) fn sampled<G: Game>(
    game: &mut G,
    permutations: usize,
    seed: u64,
) -> Result<(Vec<f64>, Vec<f64>), AttributionError> {
    let p = game.players();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..p).collect();
    let mut mean = vec![0.0; p];
    let mut m2 = vec![0.0; p];
    for k in 1..=permutations {
        // Fisher–Yates with unbiased bounded draws.
        for i in (1..p).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            order.swap(i, j);
        }
        let mut prev = game.clear()?;
        for &player in &order {
            let next = game.join(player)?;
            let x = next - prev;
            prev = next;
            // Welford's running mean and sum of squared deviations.
            let delta = x - mean[player];
            mean[player] += delta / k as f64;
            m2[player] += delta * (x - mean[player]);
        }
    }
    let n = permutations as f64;
    let se = m2.iter().map(|m| (m / (n - 1.0) / n).sqrt()).collect();
    Ok((mean, se))
}

/// A uniform draw from `0..bound` (Lemire's multiply-and-reject).
fn below(rng: &mut Xoshiro256PlusPlus, bound: u64) -> u64 {
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let product = u128::from(rng.next_u64()) * u128::from(bound);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// The Markov counterfactual game: `v(S)` = customers x P(conversion) with
/// every state holding a channel outside `S` removed.
struct MarkovGame<'a> {
    chain: &'a MarkovChain,
    players: &'a [ChannelId],
    /// Per state: how many of its distinct channels are outside the coalition.
    missing: Vec<u32>,
    dead: Vec<bool>,
    /// `v(all)`, computed once.
    full: f64,
    joined: usize,
}

impl<'a> MarkovGame<'a> {
    fn new(chain: &'a MarkovChain, players: &'a [ChannelId]) -> Self {
        let states = chain.state_count();
        let full = chain
            .absorb(&vec![false; states], Solver::Auto)
            .map(|p| p * chain.customers())
            .unwrap_or(f64::NAN);
        MarkovGame {
            chain,
            players,
            missing: vec![0; states],
            dead: vec![false; states],
            full,
            joined: 0,
        }
    }

    fn value(&self) -> Result<f64, AttributionError> {
        Ok(self.chain.absorb(&self.dead, Solver::Auto)? * self.chain.customers())
    }
}

impl Game for MarkovGame<'_> {
    fn players(&self) -> usize {
        self.players.len()
    }

    fn worth(&mut self, mask: u64) -> Result<f64, AttributionError> {
        self.dead.fill(false);
        for (i, &c) in self.players.iter().enumerate() {
            if mask & (1 << i) == 0 {
                for &s in self.chain.states_of(c) {
                    self.dead[s as usize] = true;
                }
            }
        }
        self.value()
    }

    fn clear(&mut self) -> Result<f64, AttributionError> {
        self.missing.fill(0);
        self.dead.fill(false);
        for &c in self.players {
            for &s in self.chain.states_of(c) {
                self.missing[s as usize] += 1;
                self.dead[s as usize] = true;
            }
        }
        self.joined = 0;
        Ok(0.0)
    }

    fn join(&mut self, player: usize) -> Result<f64, AttributionError> {
        for &s in self.chain.states_of(self.players[player]) {
            self.missing[s as usize] -= 1;
            if self.missing[s as usize] == 0 {
                self.dead[s as usize] = false;
            }
        }
        self.joined += 1;
        if self.joined == self.players.len() && self.full.is_finite() {
            return Ok(self.full);
        }
        self.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A game given by its worth function on bit masks.
    struct MaskGame<F: FnMut(u64) -> f64> {
        players: usize,
        f: F,
        current: u64,
    }

    impl<F: FnMut(u64) -> f64> Game for MaskGame<F> {
        fn players(&self) -> usize {
            self.players
        }
        fn worth(&mut self, mask: u64) -> Result<f64, AttributionError> {
            Ok((self.f)(mask))
        }
        fn clear(&mut self) -> Result<f64, AttributionError> {
            self.current = 0;
            Ok((self.f)(0))
        }
        fn join(&mut self, player: usize) -> Result<f64, AttributionError> {
            self.current |= 1 << player;
            Ok((self.f)(self.current))
        }
    }

    /// Glove game, published in Wikipedia's "Shapley value" article (section
    /// "Glove game"): players 1 and 2 hold right-hand gloves, player 3 a
    /// left-hand glove, a pair is worth 1. Published values: 1/6, 1/6, 2/3.
    #[test]
    fn glove_game_exact() {
        let mut game = MaskGame {
            players: 3,
            f: |m: u64| {
                if m & 0b100 != 0 && m & 0b011 != 0 {
                    1.0
                } else {
                    0.0
                }
            },
            current: 0,
        };
        let phi = exact(&mut game).unwrap();
        let expected = [1.0 / 6.0, 1.0 / 6.0, 2.0 / 3.0];
        for (a, b) in phi.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{phi:?}");
        }
    }

    /// A published three-player game (wiskundeoptiu.nl, "Shapleywaarde —
    /// eigenschappen"): v({1}) = 2, v({2}) = v({3}) = 0, v({1,2}) = 2,
    /// v({1,3}) = 2, v({2,3}) = 6, v(N) = 8. Published value: (2, 3, 3).
    #[test]
    fn published_three_player_game() {
        let table = [0.0, 2.0, 0.0, 2.0, 0.0, 2.0, 6.0, 8.0];
        let mut game = MaskGame {
            players: 3,
            f: |m: u64| table[m as usize],
            current: 0,
        };
        let phi = exact(&mut game).unwrap();
        for (a, b) in phi.iter().zip([2.0, 3.0, 3.0]) {
            assert!((a - b).abs() < 1e-14, "{phi:?}");
        }
    }

    /// Glove game with one left glove and N right gloves (N = 17, so 18
    /// players, above the exact limit): the left glove's Shapley value is
    /// N/(N+1) and each right glove's 1/(N(N+1)) (as published, e.g. in
    /// Nate Meyvis, "A Shapley example"). The sampled estimate must lie
    /// within 5 standard errors, and the estimates must sum to v(N) = 1.
    #[test]
    fn sampled_glove_game_within_standard_error() {
        let n_right = 17u64;
        let left = 1u64 << n_right;
        let mut game = MaskGame {
            players: n_right as usize + 1,
            f: move |m: u64| {
                if m & left != 0 && m & (left - 1) != 0 {
                    1.0
                } else {
                    0.0
                }
            },
            current: 0,
        };
        let (phi, se) = sampled(&mut game, 4000, 42).unwrap();
        let nf = n_right as f64;
        let expected_left = nf / (nf + 1.0);
        let expected_right = 1.0 / (nf * (nf + 1.0));
        assert!((phi[n_right as usize] - expected_left).abs() <= 5.0 * se[n_right as usize]);
        for i in 0..n_right as usize {
            assert!(
                (phi[i] - expected_right).abs() <= 5.0 * se[i] + 1e-12,
                "{i}: {} ± {}",
                phi[i],
                se[i]
            );
        }
        assert!((phi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(se.iter().all(|s| *s > 0.0 && s.is_finite()));
        // Same seed, same answer.
        let (phi2, _) = sampled(&mut game, 4000, 42).unwrap();
        assert_eq!(phi, phi2);
    }

    #[test]
    fn sampled_agrees_with_exact_on_a_random_game() {
        // A superadditive-ish game with interactions on 6 players.
        let f = |m: u64| {
            let k = m.count_ones() as f64;
            k * k
                + if m & 0b11 == 0b11 { 3.0 } else { 0.0 }
                + (m & 0b100000 != 0) as u8 as f64 * 2.0
        };
        let mut game = MaskGame {
            players: 6,
            f,
            current: 0,
        };
        let phi = exact(&mut game).unwrap();
        let (est, se) = sampled(&mut game, 20_000, 7).unwrap();
        for i in 0..6 {
            assert!(
                (phi[i] - est[i]).abs() <= 5.0 * se[i] + 1e-12,
                "{i}: {} vs {} ± {}",
                phi[i],
                est[i],
                se[i]
            );
        }
    }

    #[test]
    fn below_is_in_range() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for bound in [1u64, 2, 3, 7, 1000] {
            for _ in 0..1000 {
                assert!(below(&mut rng, bound) < bound);
            }
        }
    }
}
