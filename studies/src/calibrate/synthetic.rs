//! Histories simulated from a known scenario: what the parameter-recovery tests fit,
//! and how the shipped example dataset was made.

use super::observed::{self, Measure, Observed, Series};
use omnimix_sim::Scenario;
use omnimix_sim::channel::{Channel, N_CHANNELS};
use omnimix_sim::engine::{Silent, run_replication};
use omnimix_sim::world::World;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Replication index of a synthetic history: far from those the fit uses, so the
/// history's noise is not the fit's.
pub const HISTORY_REPLICATION: u32 = 7_000_000;

/// Weekly spend per country of `weeks` weeks: each paid channel's current spend,
/// flighted in 4-week blocks at 0, ½, 1, 1½ or 2 times its rate (seeded), so that
/// every channel's effect can be told apart.
pub fn flighted_spend(
    s: &Scenario,
    weeks: usize,
    seed: u64,
) -> Vec<(String, Vec<[f64; N_CHANNELS]>)> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xf119_4700);
    let levels = [0.0, 0.5, 1.0, 1.5, 2.0];
    s.countries
        .keys()
        .map(|code| {
            let mut out = vec![[0.0; N_CHANNELS]; weeks];
            for c in Channel::ALL.iter().filter(|c| !c.is_service()) {
                let base = s.strategy.spend_of(code, *c) / 52.0;
                let mut level = 1.0;
                for (w, row) in out.iter_mut().enumerate() {
                    if w % 4 == 0 {
                        level = if *c == Channel::Store {
                            1.0
                        } else {
                            levels[rng.random_range(0..levels.len())]
                        };
                    }
                    row[c.index()] = base * level;
                }
            }
            (code.clone(), out)
        })
        .collect()
}

/// The history the scenario `truth` produces on the given weekly spend: orders,
/// revenue and active customers per country, each week multiplied by
/// `1 + noise · N(0, 1)` (measurement error on top of the simulation's own noise).
pub fn history(
    truth: &Scenario,
    spend: Vec<(String, Vec<[f64; N_CHANNELS]>)>,
    seed: u64,
    noise: f64,
) -> Observed {
    let weeks = spend.first().map_or(0, |x| x.1.len());
    let mut obs = Observed {
        week_labels: (1..=weeks).map(|w| w.to_string()).collect(),
        spend,
        ..Observed::default()
    };
    let st = observed::history_strategy(truth, &obs);
    let s = observed::history_scenario(truth, &obs, truth.agent_scale);
    let world = World::new(&s, &st);
    let rep = run_replication(&world, seed, HISTORY_REPLICATION, false, &Silent);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x0b5e_4e44);
    for (ci, c) in world.countries.iter().enumerate() {
        for m in [Measure::Orders, Measure::Revenue, Measure::ActiveCustomers] {
            let values = rep
                .weeks
                .iter()
                .map(|w| {
                    m.of(&w[ci], c.scale) * (1.0 + noise * rng.sample::<f64, _>(StandardNormal))
                })
                .collect();
            obs.series.push(Series {
                country: c.code.clone(),
                measure: m,
                values,
            });
        }
    }
    obs
}

/// A lift test of `channel` in `country` over weeks `start..=end` of a synthetic
/// history, as an experiment would measure it: the truth's incremental orders over the
/// test's weeks (mean over `reps` replications of the history with and without the
/// channel in those weeks, same seeds), and the standard error of that mean.
pub fn lift_test(
    truth: &Scenario,
    obs: &Observed,
    country: &str,
    channel: Channel,
    weeks: (usize, usize),
    seed: u64,
    reps: u32,
) -> (f64, f64) {
    let st = observed::history_strategy(truth, obs);
    let off = observed::without_channel(&st, country, channel, weeks.0, weeks.1);
    let s = observed::history_scenario(truth, obs, truth.agent_scale);
    let (w1, w0) = (World::new(&s, &st), World::new(&s, &off));
    let Some(ci) = w1.countries.iter().position(|c| c.code == country) else {
        return (f64::NAN, f64::NAN);
    };
    let scale = w1.countries[ci].scale;
    let orders = |w: &World, r: u32| -> f64 {
        let rep = run_replication(w, seed, HISTORY_REPLICATION + 1 + r, false, &Silent);
        (weeks.0..=weeks.1)
            .map(|k| Measure::Orders.of(&rep.weeks[k][ci], scale))
            .sum()
    };
    let d: Vec<f64> = (0..reps).map(|r| orders(&w1, r) - orders(&w0, r)).collect();
    let n = d.len().max(1) as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, (var / n).sqrt())
}
