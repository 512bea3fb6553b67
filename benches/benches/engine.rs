//! Engine throughput in agent-weeks per second, and memory in bytes per agent.
//!
//! Four cases, 8 weeks each (shard set-up included, as in every run):
//! - the default preset on one core (a one-thread pool), every mechanism on;
//! - a media-heavy variant: the default preset with three times its paid-media
//!   spend (search, social, display, e-mail, app, print), so that more
//!   agents are touched and buy each week;
//! - a service-heavy variant: five times the customers' and prospects' contact
//!   rates, with five times the service staff and service spend;
//! - the default preset on two threads (the 2-thread scaling is this figure over
//!   the first).
//!
//! Run: `cargo bench -p omnimix-benches --bench engine`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnimix_sim::agents::Shard;
use omnimix_sim::channel::Channel;
use omnimix_sim::engine::{RunOptions, Silent, run};
use omnimix_sim::scenario::Scenario;
use omnimix_sim::scenario::load::load;
use omnimix_sim::{ScenarioSource, World};
use std::time::Duration;

const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");
const WEEKS: u32 = 8;

fn default_preset() -> Scenario {
    load(
        &ScenarioSource::new("global-retail", DEFAULT),
        &[format!("horizon_weeks={WEEKS}").parse().unwrap()],
    )
    .expect("default preset is valid")
}

/// Multiplies the strategy's spend on the channels `pick` selects.
fn scale_spend(s: &mut Scenario, pick: impl Fn(Channel) -> bool, factor: f64) {
    for by in s.strategy.annual_spend.values_mut() {
        for (name, v) in by.iter_mut() {
            if name.parse::<Channel>().is_ok_and(&pick) {
                *v *= factor;
            }
        }
    }
}

fn media_heavy() -> Scenario {
    let mut s = default_preset();
    scale_spend(&mut s, |c| !c.is_service() && c != Channel::Store, 3.0);
    s
}

fn service_heavy() -> Scenario {
    let mut s = default_preset();
    s.behaviour.contact_rate_weekly *= 5.0;
    s.behaviour.prospect_contact_rate_weekly *= 5.0;
    scale_spend(&mut s, Channel::is_service, 5.0);
    for by in s.strategy.service_staff.values_mut() {
        by.values_mut().for_each(|v| *v *= 5.0);
    }
    s
}

fn engine(c: &mut Criterion) {
    let opts = RunOptions {
        seed: 42,
        replications: 1,
        first_replication: 0,
        journeys: false,
    };
    let pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool")
    };
    let (one, two) = (pool(1), pool(2));
    let mut g = c.benchmark_group("engine");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let cases = [
        (
            "default preset, agent-weeks, 1 core",
            default_preset(),
            &one,
        ),
        ("media-heavy, agent-weeks, 1 core", media_heavy(), &one),
        ("service-heavy, agent-weeks, 1 core", service_heavy(), &one),
        (
            "default preset, agent-weeks, 2 threads",
            default_preset(),
            &two,
        ),
    ];
    for (k, (name, s, threads)) in cases.into_iter().enumerate() {
        let world = World::new(&s, &s.strategy);
        let agents = world.agents();
        if k == 0 {
            // Memory: heap bytes of the agent columns per agent.
            let shard = Shard::new(42, 0, 0, 0, &world.countries[0], 100, 150);
            eprintln!(
                "memory: {:.1} bytes per agent ({agents} agents in the default preset)",
                shard.heap_bytes() as f64 / shard.len() as f64,
            );
        }
        g.throughput(Throughput::Elements((agents * WEEKS as usize) as u64));
        g.bench_function(name, |b| {
            b.iter(|| threads.install(|| run(&world, &opts, &Silent)))
        });
    }
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
