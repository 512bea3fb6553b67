//! The engine: replications × steps × shards.
//!
//! Per step: compile each country's parameters from the previous step's counts
//! (sequential, cheap), move every shard in parallel with its own random stream,
//! then fold the shard tallies per country in shard order. Integer counts are exact
//! and float sums are added in a fixed order, so the result is byte-identical on any
//! number of threads. Replications run in parallel and are returned in order.
//!
//! The shards of one replication can also be split over several processes (MPI ranks):
//! a [`ShardExchange`] says how many processes take part and gathers, once per step,
//! the per-shard tallies (and journey events) of every process in global shard order.
//! Every process then folds the same numbers in the same order, so a run split over N
//! processes is byte-identical to a run in one. [`Local`] is the one-process exchange.

use crate::agents::{JourneyEvent, Shard, StepTally, q8, state};
use crate::channel::N_CHANNELS;
use crate::mechanisms::finance;
use crate::mechanisms::observation::{JourneyLog, observation_key, observed_null_paths};
use crate::rng::{Purpose, counter_key, stream, unit_f64};
use crate::step::{CountryDynamics, StepParams, StepReport, compile};
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
    /// Shared-reward bonus pool and coordination function.
    pub organisation: f64,
}

/// Touch-path tallies of one country: path → [conversions, nulls, value] (agents).
pub type JourneyTally = BTreeMap<u32, [f64; 3]>;

/// True and observed touch-path tallies per country.
type PathTallies = (Vec<JourneyTally>, Vec<JourneyTally>);

/// Everything one replication produced.
#[derive(Debug, Clone)]
pub struct Replication {
    /// Replication index.
    pub index: u32,
    /// `weeks[w][c]`.
    pub weeks: Vec<Vec<CountryWeek>>,
    /// Census of each country at week 0 (before the first step).
    pub start: Vec<StepTally>,
    /// Per country, when journeys were requested: the true paths.
    pub journeys: Option<Vec<JourneyTally>>,
    /// Per country, when journeys were requested: what the company could observe of
    /// them (see [`crate::mechanisms::observation`]).
    pub observed_journeys: Option<Vec<JourneyTally>>,
    /// Customer equity at the horizon per country, in agents (× the agent scale for
    /// customers): see [`Shard::equity`].
    pub equity: Vec<f64>,
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
    run_on(world, opts, observer, &Local)
}

/// [`run`] with the shards of every replication split over the processes of an
/// exchange. With one process the replications run in parallel; with more they run one
/// after the other (every process must make the same exchanges in the same order), each
/// stepping its own shards in parallel. Every process gets the whole result.
pub fn run_on(
    world: &World,
    opts: &RunOptions,
    observer: &dyn Observer,
    exchange: &dyn ShardExchange,
) -> Vec<Replication> {
    let reps = opts.first_replication..opts.first_replication + opts.replications;
    let one = |r| run_replication_on(world, opts.seed, r, opts.journeys, observer, exchange);
    if exchange.processes() <= 1 {
        reps.into_par_iter().map(one).collect()
    } else {
        reps.map(one).collect()
    }
}

/// How the shards of a replication are split over processes and how their per-step
/// aggregates meet: the engine's only link to other processes.
///
/// Implementations: [`Local`] (one process), and the binary's MPI exchange.
pub trait ShardExchange: Sync {
    /// Processes taking part (at least 1).
    fn processes(&self) -> usize;
    /// This process's index, `0..processes()`.
    fn process(&self) -> usize;
    /// Every process's `local` words, concatenated in process order; every process
    /// gets the same result. Called by all processes in the same order (a collective).
    fn all_gather(&self, local: &[u64]) -> Vec<u64>;
}

/// One process: steps every shard and exchanges nothing.
pub struct Local;

impl ShardExchange for Local {
    fn processes(&self) -> usize {
        1
    }
    fn process(&self) -> usize {
        0
    }
    fn all_gather(&self, local: &[u64]) -> Vec<u64> {
        local.to_vec()
    }
}

/// The process that steps global shard `global_shard` of a run split over `processes`:
/// round robin over the global shard index, so every process gets about the same mix of
/// countries (their agents cost different amounts of work). A function of the shard
/// index and the process count only, never of threads or timing.
///
/// ```
/// use omnimix_sim::engine::shard_owner;
/// let owners: Vec<usize> = (0..5).map(|g| shard_owner(g, 2)).collect();
/// assert_eq!(owners, vec![0, 1, 0, 1, 0]);
/// assert_eq!(shard_owner(7, 1), 0);
/// ```
pub fn shard_owner(global_shard: usize, processes: usize) -> usize {
    global_shard % processes.max(1)
}

/// The global indices of the shards process `process` of `processes` steps, ascending.
fn owned_shards(total: usize, process: usize, processes: usize) -> Vec<usize> {
    (0..total)
        .filter(|&g| shard_owner(g, processes) == process)
        .collect()
}

/// Gathers one item per shard from every process, in global shard order: encoded into
/// words, exchanged, decoded. With one process the items are returned as they are.
fn gather_shards<T>(
    exchange: &dyn ShardExchange,
    local: Vec<T>,
    total: usize,
    encode: impl Fn(&T, &mut Vec<u64>),
    decode: impl Fn(&mut &[u64]) -> Option<T>,
) -> Vec<T> {
    let processes = exchange.processes();
    if processes <= 1 {
        return local;
    }
    let mut words = Vec::new();
    for item in &local {
        encode(item, &mut words);
    }
    let all = exchange.all_gather(&words);
    // Process by process, each one's shards ascending: put every item in its place.
    let mut rest: &[u64] = &all;
    let mut out: Vec<Option<T>> = (0..total).map(|_| None).collect();
    for p in 0..processes {
        for g in owned_shards(total, p, processes) {
            let item = decode(&mut rest)
                .unwrap_or_else(|| panic!("shard exchange: shard {g} of process {p} missing"));
            out[g] = Some(item);
        }
    }
    assert!(
        rest.is_empty(),
        "shard exchange: {} words left over",
        rest.len()
    );
    out.into_iter().flatten().collect()
}

/// Folds one step's per-shard results into per-country tallies (and journey tables),
/// adding every float in global shard order.
///
/// Across processes only what must travel per shard travels per shard: counts are exact
/// in any order, so each process sends its counts summed per country, then each of its
/// shards' revenue (floats) and journey events, which every process adds in global
/// shard order, as one process would. About a tenth of the words of whole tallies.
fn fold_step(
    exchange: &dyn ShardExchange,
    ids: &[(usize, usize)],
    mine: &[usize],
    results: Vec<(StepTally, JourneyLog)>,
    nc: usize,
    mut paths: Option<&mut PathTallies>,
) -> Vec<StepTally> {
    let journeys = paths.is_some();
    let mut tallies = vec![StepTally::default(); nc];
    let mut add_events = |country: usize, j: &JourneyLog| {
        if let Some((truth, observed)) = paths.as_mut() {
            for (m, events) in [
                (&mut truth[country], &j.true_events),
                (&mut observed[country], &j.observed),
            ] {
                for &(path, value) in events {
                    let e = m.entry(path).or_default();
                    e[0] += 1.0;
                    e[2] += value as f64;
                }
            }
            for &path in &j.observed_nulls {
                observed[country].entry(path).or_default()[1] += 1.0;
            }
        }
    };
    let processes = exchange.processes();
    if processes <= 1 {
        for (&(country, _), (t, j)) in ids.iter().zip(results) {
            tallies[country].add(&t);
            add_events(country, &j);
        }
        return tallies;
    }
    let mut counts = vec![StepTally::default(); nc];
    for (&g, (t, _)) in mine.iter().zip(&results) {
        let c = &mut counts[ids[g].0];
        let revenue = c.revenue;
        c.add(t);
        c.revenue = revenue;
    }
    let mut words = Vec::with_capacity(nc * StepTally::WORDS + results.len() * N_CHANNELS);
    for c in &counts {
        c.write_words(&mut words);
    }
    for (t, j) in &results {
        words.extend(t.revenue.iter().map(|v| v.to_bits()));
        if journeys {
            for events in [&j.true_events, &j.observed] {
                words.push(events.len() as u64);
                words.extend(events.iter().map(event_word));
            }
            words.push(j.observed_nulls.len() as u64);
            words.extend(j.observed_nulls.iter().map(|&p| p as u64));
        }
    }
    let all = exchange.all_gather(&words);
    let mut rest: &[u64] = &all;
    let total = ids.len();
    let mut per_shard: Vec<Option<([f64; N_CHANNELS], JourneyLog)>> =
        (0..total).map(|_| None).collect();
    for p in 0..processes {
        for t in tallies.iter_mut() {
            let c = decode_tally(&mut rest)
                .unwrap_or_else(|| panic!("shard exchange: counts of process {p} missing"));
            t.add(&c);
        }
        for g in owned_shards(total, p, processes) {
            let missing = || -> ! { panic!("shard exchange: shard {g} of process {p} missing") };
            let Some((rev, tail)) = rest.split_first_chunk::<N_CHANNELS>() else {
                missing()
            };
            rest = tail;
            let j = if journeys {
                let mut list = || decode_list(&mut rest).unwrap_or_else(|| missing());
                let events =
                    |l: Vec<u64>| -> Vec<JourneyEvent> { l.into_iter().map(word_event).collect() };
                JourneyLog {
                    true_events: events(list()),
                    observed: events(list()),
                    observed_nulls: list().into_iter().map(|p| p as u32).collect(),
                }
            } else {
                JourneyLog::default()
            };
            per_shard[g] = Some((rev.map(f64::from_bits), j));
        }
    }
    assert!(
        rest.is_empty(),
        "shard exchange: {} words left over",
        rest.len()
    );
    for (g, item) in per_shard.into_iter().enumerate() {
        let Some((revenue, j)) = item else {
            panic!("shard exchange: shard {g} missing")
        };
        let country = ids[g].0;
        let t = &mut tallies[country];
        t.revenue
            .iter_mut()
            .zip(&revenue)
            .for_each(|(x, y)| *x += y);
        add_events(country, &j);
    }
    tallies
}

fn encode_tally(t: &StepTally, out: &mut Vec<u64>) {
    t.write_words(out);
}

fn decode_tally(rest: &mut &[u64]) -> Option<StepTally> {
    let t = StepTally::read_words(rest)?;
    *rest = &rest[StepTally::WORDS..];
    Some(t)
}

/// A list of `u64` as its length followed by the items.
fn decode_list(rest: &mut &[u64]) -> Option<Vec<u64>> {
    let (&n, tail) = rest.split_first()?;
    let n = usize::try_from(n).ok().filter(|&n| n <= tail.len())?;
    let items = tail[..n].to_vec();
    *rest = &tail[n..];
    Some(items)
}

fn event_word(&(path, value): &JourneyEvent) -> u64 {
    ((path as u64) << 32) | value.to_bits() as u64
}

fn word_event(w: u64) -> JourneyEvent {
    ((w >> 32) as u32, f32::from_bits(w as u32))
}

/// Count states of one shard without moving it.
fn census(sh: &Shard) -> StepTally {
    let mut t = StepTally::default();
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
    t
}

/// Run one replication.
pub fn run_replication(
    world: &World,
    seed: u64,
    rep: u32,
    journeys: bool,
    observer: &dyn Observer,
) -> Replication {
    run_replication_on(world, seed, rep, journeys, observer, &Local)
}

/// Run one replication with its shards split over the processes of an exchange (see
/// [`shard_owner`]); every process must call it with the same arguments, and every
/// process gets the whole result, byte-identical to [`run_replication`]'s.
pub fn run_replication_on(
    world: &World,
    seed: u64,
    rep: u32,
    journeys: bool,
    observer: &dyn Observer,
    exchange: &dyn ShardExchange,
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
    let total = ids.len();
    let mine: Vec<usize> = if exchange.processes() <= 1 {
        (0..total).collect()
    } else {
        owned_shards(total, exchange.process(), exchange.processes())
    };
    let mut shards: Vec<Shard> = mine
        .par_iter()
        .map(|&g| {
            let (ci, k) = ids[g];
            Shard::new(seed, rep, ci, k, &world.countries[ci], consider, baseline)
        })
        .collect();
    let censuses = gather_shards(
        exchange,
        shards.iter().map(census).collect(),
        total,
        encode_tally,
        decode_tally,
    );
    let mut start = vec![StepTally::default(); nc];
    for (&(ci, _), t) in ids.iter().zip(&censuses) {
        start[ci].add(t);
    }
    let mut dyns: Vec<CountryDynamics> = start
        .iter()
        .map(|t| CountryDynamics {
            last: t.clone(),
            ..Default::default()
        })
        .collect();
    let mut paths: Option<PathTallies> =
        journeys.then(|| (vec![JourneyTally::new(); nc], vec![JourneyTally::new(); nc]));
    let spw = s.time_step.steps_per_week();
    let mut weeks = Vec::with_capacity(s.horizon_weeks as usize);
    let mut current: Vec<CountryWeek> = vec![CountryWeek::default(); nc];
    let mut wait_weight = vec![[0.0f64; N_CHANNELS]; nc];
    let mut cut = finance::Cut::NONE;
    let mut last_params: Vec<StepParams> = Vec::new();
    for step in 0..world.steps() {
        let week = step / spw;
        if step % spw == 0 && week.is_multiple_of(s.finance.planning_period_weeks.max(1)) {
            let period = (week / s.finance.planning_period_weeks.max(1)) as u64;
            let mut r = stream(seed, rep as u64, 0, 0, period, Purpose::Finance);
            let factor = finance::cut_factor(
                s.finance.volatility,
                s.finance.max_cut,
                unit_f64(r.next_u64()),
                unit_f64(r.next_u64()),
            );
            cut = finance::Cut::of(factor, &s.finance.cut_policy);
        }
        let compiled: Vec<_> = (0..nc)
            .map(|ci| compile(world, ci, &mut dyns[ci], step, cut))
            .collect();
        let results: Vec<(StepTally, JourneyLog)> = shards
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
                let mut j = JourneyLog::default();
                let t = sh.step(&compiled[sh.country].0, key, journeys.then_some(&mut j));
                (t, j)
            })
            .collect();
        let mut tallies = fold_step(exchange, &ids, &mine, results, nc, paths.as_mut());
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
        if step + 1 == world.steps() {
            last_params = compiled.into_iter().map(|(p, _)| p).collect();
        }
        if step % spw == spw - 1 {
            for ci in 0..nc {
                let cw = &mut current[ci];
                #[allow(clippy::needless_range_loop)] // parallel per-channel arrays
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
    if let Some((truth, observed)) = paths.as_mut() {
        // what the company records of the unconverted paths, under the last step's
        // observation model and draws of their own
        let local: Vec<[Vec<u32>; 2]> = shards
            .iter()
            .map(|sh| {
                let mut nulls = [Vec::new(), Vec::new()];
                sh.null_paths(&mut nulls[0]);
                let key = counter_key(
                    seed,
                    rep as u64,
                    sh.country as u64,
                    sh.index as u64,
                    world.steps() as u64 + 1,
                    Purpose::Step,
                );
                if let Some(p) = last_params.get(sh.country) {
                    observed_null_paths(sh, &p.observe, observation_key(key), &mut nulls[1]);
                }
                nulls
            })
            .collect();
        let all = gather_shards(
            exchange,
            local,
            total,
            |nulls, out| {
                for n in nulls {
                    out.push(n.len() as u64);
                    out.extend(n.iter().map(|&v| v as u64));
                }
            },
            |rest| {
                let mut list = || -> Option<Vec<u32>> {
                    Some(decode_list(rest)?.into_iter().map(|v| v as u32).collect())
                };
                Some([list()?, list()?])
            },
        );
        for (&(country, _), nulls) in ids.iter().zip(&all) {
            for (m, n) in [(&mut *truth, &nulls[0]), (&mut *observed, &nulls[1])] {
                for &path in n {
                    m[country].entry(path).or_default()[1] += 1.0;
                }
            }
        }
    }
    let (paths, observed_paths) = match paths {
        Some((t, o)) => (Some(t), Some(o)),
        None => (None, None),
    };
    let equity = horizon_equity(world, exchange, &ids, &shards, &last_params, total);
    Replication {
        index: rep,
        weeks,
        start,
        journeys: paths,
        observed_journeys: observed_paths,
        equity,
    }
}

/// Customer equity per country at the horizon, added in global shard order.
fn horizon_equity(
    world: &World,
    exchange: &dyn ShardExchange,
    ids: &[(usize, usize)],
    shards: &[Shard],
    params: &[StepParams],
    total: usize,
) -> Vec<f64> {
    let s = &world.scenario;
    let mut out = vec![0.0; world.countries.len()];
    if params.is_empty() {
        return out;
    }
    let dt = world.step_weeks();
    let discount_step = (1.0 + s.discount_rate_annual).powf(dt / 52.0);
    let margin = s.finance.gross_margin;
    let local: Vec<f64> = shards
        .par_iter()
        .map(|sh| sh.equity(&params[sh.country], margin, discount_step, 52.0 / dt))
        .collect();
    let all = gather_shards(
        exchange,
        local,
        total,
        |v, out| out.push(v.to_bits()),
        |rest| {
            let (&w, tail) = rest.split_first()?;
            *rest = tail;
            Some(f64::from_bits(w))
        },
    );
    for (&(ci, _), v) in ids.iter().zip(all) {
        out[ci] += v;
    }
    out
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
        first_customers: cw.tally.first_customers + t.first_customers,
        bopis: add(cw.tally.bopis, t.bopis),
        cross_channel: add(cw.tally.cross_channel, t.cross_channel),
        handover_losses: add(cw.tally.handover_losses, t.handover_losses),
        // stocks: end of the step
        active_by_pref: t.active_by_pref,
        states: t.states,
        initial_active: t.initial_active,
        initial: t.initial,
        satisfied: t.satisfied,
        dissatisfied: t.dissatisfied,
        omni_customers: t.omni_customers,
    };
    #[allow(clippy::needless_range_loop)] // parallel per-channel arrays
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
    cw.organisation += r.organisation;
}

fn add(a: [u64; N_CHANNELS], b: [u64; N_CHANNELS]) -> [u64; N_CHANNELS] {
    std::array::from_fn(|k| a[k] + b[k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::load;
    use crate::{ScenarioSource, World};
    use std::sync::{Barrier, Mutex};

    /// Processes played by threads: a gather is two barriers around shared slots.
    struct Threads<'a> {
        rank: usize,
        slots: &'a Mutex<Vec<Vec<u64>>>,
        barrier: &'a Barrier,
    }

    impl ShardExchange for Threads<'_> {
        fn processes(&self) -> usize {
            self.slots.lock().unwrap().len()
        }
        fn process(&self) -> usize {
            self.rank
        }
        fn all_gather(&self, local: &[u64]) -> Vec<u64> {
            self.slots.lock().unwrap()[self.rank] = local.to_vec();
            self.barrier.wait();
            let all = self.slots.lock().unwrap().concat();
            self.barrier.wait();
            all
        }
    }

    fn world() -> World {
        let text = "name = 't'\nhorizon_weeks = 6\nagent_scale = 1\n[finance]\nannual_budget = 4e6\n\
                    [countries.DE]\npopulation = 30000\n[countries.KE]\npopulation = 17000\n\
                    [strategy.annual_spend.DE]\nsearch = 300000\nemail = 50000\ncall_centre = 20000\n\
                    [strategy.annual_spend.KE]\nsocial = 100000\n\
                    [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 3\n";
        let s = load(&ScenarioSource::new("t", text), &[]).unwrap();
        World::new(&s, &s.strategy)
    }

    #[test]
    fn every_shard_has_exactly_one_owner_and_owners_take_turns() {
        for p in 1..=9 {
            let mut seen = [0; 23];
            for q in 0..p {
                for g in owned_shards(23, q, p) {
                    seen[g] += 1;
                    assert_eq!(shard_owner(g, p), q);
                }
                let n = owned_shards(23, q, p).len();
                assert!(n == 23 / p || n == 23 / p + 1, "p={p}: {n}");
            }
            assert!(seen.iter().all(|&n| n == 1), "p={p}");
        }
    }

    #[test]
    fn a_replication_split_over_processes_is_identical_to_one_process() {
        let world = world();
        assert!(world.countries.iter().map(|c| c.shards()).sum::<usize>() >= 6);
        for journeys in [true, false] {
            let whole = run_replication(&world, 9, 3, journeys, &Silent);
            assert_eq!(whole.journeys.is_some(), journeys);
            assert_eq!(whole.observed_journeys.is_some(), journeys);
            for p in [2, 3, 5] {
                let slots = Mutex::new(vec![Vec::new(); p]);
                let barrier = Barrier::new(p);
                let parts: Vec<Replication> = std::thread::scope(|s| {
                    let handles: Vec<_> = (0..p)
                        .map(|rank| {
                            let ex = Threads {
                                rank,
                                slots: &slots,
                                barrier: &barrier,
                            };
                            let world = &world;
                            s.spawn(move || run_replication_on(world, 9, 3, journeys, &Silent, &ex))
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).collect()
                });
                for part in &parts {
                    assert_eq!(format!("{part:?}"), format!("{whole:?}"), "p={p}");
                }
            }
        }
        let whole = run_replication(&world, 9, 3, true, &Silent);
        let j = whole.journeys.as_ref().unwrap();
        assert!(j.iter().any(|m| !m.is_empty()), "journeys were recorded");
    }

    #[test]
    fn step_tally_words_round_trip_and_refuse_short_input() {
        let mut t = StepTally::default();
        t.touches[1] = 3;
        t.revenue[0] = -0.0;
        t.revenue[4] = f64::MIN_POSITIVE;
        t.states[2] = u64::MAX;
        t.delivery_failures = 5;
        let mut w = Vec::new();
        t.write_words(&mut w);
        let back = StepTally::read_words(&w).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.revenue[0].to_bits(), (-0.0f64).to_bits());
        assert!(StepTally::read_words(&w[1..]).is_none());
        assert_eq!(word_event(event_word(&(0xABCD, 1.5))), (0xABCD, 1.5));
    }
}
