//! Engine throughput on the default preset, in agent-weeks per second on one
//! core (a one-thread pool), and memory in bytes per agent.
//!
//! Run: `cargo bench -p omnimix-benches --bench engine`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnimix_sim::agents::Shard;
use omnimix_sim::engine::{RunOptions, Silent, run};
use omnimix_sim::scenario::load::load;
use omnimix_sim::{ScenarioSource, World};
use std::time::Duration;

const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");

fn engine(c: &mut Criterion) {
    // The default preset (1.08 million agents, all mechanisms on), 8 weeks, 1 replication.
    let weeks = 8;
    let s = load(
        &ScenarioSource::new("global-retail", DEFAULT),
        &[format!("horizon_weeks={weeks}").parse().unwrap()],
    )
    .expect("default preset is valid");
    let world = World::new(&s, &s.strategy);
    let agents = world.agents();
    let opts = RunOptions {
        seed: 42,
        replications: 1,
        first_replication: 0,
        journeys: false,
    };

    // Memory: heap bytes of the agent columns per agent.
    let c0 = &world.countries[0];
    let shard = Shard::new(42, 0, 0, 0, c0, 100, 150);
    eprintln!(
        "memory: {:.1} bytes per agent ({} agents in the default preset)",
        shard.heap_bytes() as f64 / shard.len() as f64,
        agents
    );

    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let mut g = c.benchmark_group("engine");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements((agents * weeks) as u64));
    g.bench_function("default preset, agent-weeks, 1 core", |b| {
        b.iter(|| one.install(|| run(&world, &opts, &Silent)))
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
