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
