//! The engine: replications × steps × shards.
//!
//! Per step: compile each country's parameters from the previous step's counts
//! (sequential, cheap), move every shard in parallel with its own random stream,
//! then fold the shard tallies per country in shard order. Integer counts are exact
//! and float sums are added in a fixed order, so the result is byte-identical on any
//! number of threads. Replications run in parallel and are returned in order.

use crate::agents::{JourneyEvent, Shard, StepTally, q8, state};
use crate::channel::N_CHANNELS;
use crate::mechanisms::finance;
use crate::rng::{Purpose, counter_key, stream, unit_f64};
use crate::step::{CountryDynamics, StepReport, compile};
use crate::world::World;
use rand::RngCore;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Master seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// First replication index (to extend a run or split it over machines).
    pub first_replication: u32,
    /// Record touch paths for the journeys export.
    pub journeys: bool,
}

/// Hears about progress (from several threads at once).
pub trait Observer: Sync {
    /// One step of one replication is done.
    fn step_done(&self, _replication: u32, _step: u32) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

/// One week of one country in one replication (counts in agents, money in currency).
#[derive(Debug, Clone, Default)]
pub struct CountryWeek {
    /// Flows summed over the week's steps; stocks as at the end of the week.
    pub tally: StepTally,
    /// Spend per channel.
    pub spend: [f64; N_CHANNELS],
    /// Impressions bought per channel.
    pub impressions: [f64; N_CHANNELS],
    /// Modelled reach per channel (share of population, mean over the week's steps).
    pub reach_share: [f64; N_CHANNELS],
    /// Mean wait per service channel, minutes (contact-weighted over the week).
    pub mean_wait_min: [f64; N_CHANNELS],
    /// Wages.
    pub wages: f64,
    /// Integration (capex, opex, profile costs).
    pub integration: f64,
}

/// Touch-path tallies of one country: path → [conversions, nulls, value] (agents).
pub type JourneyTally = BTreeMap<u32, [f64; 3]>;

/// Everything one replication produced.
#[derive(Debug, Clone)]
pub struct Replication {
    /// Replication index.
    pub index: u32,
    /// `weeks[w][c]`.
    pub weeks: Vec<Vec<CountryWeek>>,
    /// Census of each country at week 0 (before the first step).
    pub start: Vec<StepTally>,
    /// Per country, when journeys were requested.
    pub journeys: Option<Vec<JourneyTally>>,
}

/// Run `opts.replications` replications of a world.
///
/// ```
/// use omnimix_sim::{ScenarioSource, scenario::load::load, World, engine::{run, RunOptions, Silent}};
/// let text = "name = 't'\n[finance]\nannual_budget = 1e6\n[countries.DE]\npopulation = 2000\n\
///             [strategy.annual_spend.DE]\nsearch = 100000\n[strategy.specialists.DE]\nsearch = 1\n";
/// let s = load(&ScenarioSource::new("t", text), &[]).unwrap();
/// let world = World::new(&s, &s.strategy);
/// let opts = RunOptions { seed: 1, replications: 2, first_replication: 0, journeys: false };
/// let reps = run(&world, &opts, &Silent);
/// assert_eq!(reps.len(), 2);
/// assert_eq!(reps[0].weeks.len(), 52);
/// ```
pub fn run(world: &World, opts: &RunOptions, observer: &dyn Observer) -> Vec<Replication> {
    (opts.first_replication..opts.first_replication + opts.replications)
        .into_par_iter()
        .map(|r| run_replication(world, opts.seed, r, opts.journeys, observer))
        .collect()
}

/// Count states of a set of shards without moving them.
fn census(shards: &[Shard], countries: usize) -> Vec<StepTally> {
    let mut out = vec![StepTally::default(); countries];
    for sh in shards {
        let t = &mut out[sh.country];
        for i in 0..sh.len() {
            let st = sh.state[i];
            t.states[st as usize] += 1;
            if sh.flags[i] & crate::agents::INITIAL != 0 {
                t.initial += 1;
                if st == state::CUSTOMER {
                    t.initial_active += 1;
                }
            }
            if st == state::CUSTOMER {
                t.satisfied += 1;
            }
        }
    }
    out
}

/// Run one replication.
pub fn run_replication(
    world: &World,
    seed: u64,
    rep: u32,
    journeys: bool,
    observer: &dyn Observer,
) -> Replication {
    let s = &world.scenario;
    let nc = world.countries.len();
    let consider = q8(s.behaviour.consider_threshold);
    let baseline = q8(s.behaviour.satisfaction_baseline);
    let ids: Vec<(usize, usize)> = world
        .countries
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| (0..c.shards()).map(move |k| (ci, k)))
        .collect();
    let mut shards: Vec<Shard> = ids
        .par_iter()
        .map(|&(ci, k)| Shard::new(seed, rep, ci, k, &world.countries[ci], consider, baseline))
        .collect();
    let start = census(&shards, nc);
    let mut dyns: Vec<CountryDynamics> = start
        .iter()
        .map(|t| CountryDynamics {
            last: t.clone(),
            ..Default::default()
        })
        .collect();
    let mut paths: Option<Vec<JourneyTally>> = journeys.then(|| vec![JourneyTally::new(); nc]);
    let spw = s.time_step.steps_per_week();
    let mut weeks = Vec::with_capacity(s.horizon_weeks as usize);
    let mut current: Vec<CountryWeek> = vec![CountryWeek::default(); nc];
    let mut wait_weight = vec![[0.0f64; N_CHANNELS]; nc];
    let mut cut = 1.0;
    for step in 0..world.steps() {
        let week = step / spw;
        if step % spw == 0 && week.is_multiple_of(s.finance.planning_period_weeks.max(1)) {
            let period = (week / s.finance.planning_period_weeks.max(1)) as u64;
            let mut r = stream(seed, rep as u64, 0, 0, period, Purpose::Finance);
            cut = finance::cut_factor(
                s.finance.volatility,
                s.finance.max_cut,
                unit_f64(r.next_u64()),
                unit_f64(r.next_u64()),
            );
        }
        let compiled: Vec<_> = (0..nc)
            .map(|ci| compile(world, ci, &mut dyns[ci], step, cut))
            .collect();
        let results: Vec<(StepTally, Vec<JourneyEvent>)> = shards
            .par_iter_mut()
            .map(|sh| {
                let key = counter_key(
                    seed,
                    rep as u64,
                    sh.country as u64,
                    sh.index as u64,
                    step as u64 + 1,
                    Purpose::Step,
                );
                let mut j = Vec::new();
                let t = sh.step(&compiled[sh.country].0, key, journeys.then_some(&mut j));
                (t, j)
            })
            .collect();
        let mut tallies = vec![StepTally::default(); nc];
        for (sh, (t, j)) in shards.iter().zip(results) {
            tallies[sh.country].add(&t);
            if let Some(p) = paths.as_mut() {
                let m = &mut p[sh.country];
                for (path, value) in j {
                    let e = m.entry(path).or_default();
                    e[0] += 1.0;
                    e[2] += value as f64;
                }
            }
        }
        for ci in 0..nc {
            let (_, rep_step): &(_, StepReport) = &compiled[ci];
            accumulate(
                &mut current[ci],
                &mut wait_weight[ci],
                &tallies[ci],
                rep_step,
            );
            dyns[ci].last = std::mem::take(&mut tallies[ci]);
        }
        if step % spw == spw - 1 {
            for ci in 0..nc {
                let cw = &mut current[ci];
                for k in 0..N_CHANNELS {
                    cw.reach_share[k] /= spw as f64;
                    let w = wait_weight[ci][k];
                    cw.mean_wait_min[k] = if w > 0.0 {
                        cw.mean_wait_min[k] / w
                    } else {
                        0.0
                    };
                }
                wait_weight[ci] = [0.0; N_CHANNELS];
            }
            weeks.push(std::mem::replace(
                &mut current,
                vec![CountryWeek::default(); nc],
            ));
        }
        observer.step_done(rep, step);
    }
    if let Some(p) = paths.as_mut() {
        let mut nulls = Vec::new();
        for sh in &shards {
            nulls.clear();
            sh.null_paths(&mut nulls);
            for &path in &nulls {
                p[sh.country].entry(path).or_default()[1] += 1.0;
            }
        }
    }
    Replication {
        index: rep,
        weeks,
        start,
        journeys: paths,
    }
}

fn accumulate(cw: &mut CountryWeek, wait_w: &mut [f64; N_CHANNELS], t: &StepTally, r: &StepReport) {
    cw.tally = StepTally {
        touches: add(cw.tally.touches, t.touches),
        conversions: add(cw.tally.conversions, t.conversions),
        purchases: add(cw.tally.purchases, t.purchases),
        revenue: std::array::from_fn(|k| cw.tally.revenue[k] + t.revenue[k]),
        contacts: add(cw.tally.contacts, t.contacts),
        abandoned: add(cw.tally.abandoned, t.abandoned),
        long_waits: add(cw.tally.long_waits, t.long_waits),
        churned_by_pref: add(cw.tally.churned_by_pref, t.churned_by_pref),
        optouts: cw.tally.optouts + t.optouts,
        inconsistency: cw.tally.inconsistency + t.inconsistency,
        bad_experiences: cw.tally.bad_experiences + t.bad_experiences,
        delivery_failures: cw.tally.delivery_failures + t.delivery_failures,
        // stocks: end of the step
        active_by_pref: t.active_by_pref,
        states: t.states,
        initial_active: t.initial_active,
        initial: t.initial,
        satisfied: t.satisfied,
        dissatisfied: t.dissatisfied,
        omni_customers: t.omni_customers,
    };
    for k in 0..N_CHANNELS {
        cw.spend[k] += r.spend[k];
        cw.impressions[k] += r.impressions[k];
        cw.reach_share[k] += r.reach[k];
        let contacts = t.contacts[k] as f64;
        cw.mean_wait_min[k] += r.desks[k].mean_wait_min * contacts;
        wait_w[k] += contacts;
    }
    cw.wages += r.wages;
    cw.integration += r.integration;
}

fn add(a: [u64; N_CHANNELS], b: [u64; N_CHANNELS]) -> [u64; N_CHANNELS] {
    std::array::from_fn(|k| a[k] + b[k])
}
