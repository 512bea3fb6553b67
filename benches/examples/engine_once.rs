//! One run of the default preset on one thread, for instruction counts of the
//! agent step (the engine bench repeats runs for timing, which a cachegrind
//! count cannot use), with a digest of the result to check that a change to the
//! step left every number as it was.
//!
//! Run: `cargo run --release -p omnimix-benches --example engine_once -- [agent_scale] [weeks]`
//! (defaults 250 and 8), e.g. under
//! `valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes`.

use omnimix_sim::engine::{RunOptions, Silent, run};
use omnimix_sim::scenario::load::load;
use omnimix_sim::{ScenarioSource, World};
use std::hash::{DefaultHasher, Hash, Hasher};

const DEFAULT: &str = include_str!("../../scenarios/global-retail.toml");

fn main() {
    let mut args = std::env::args().skip(1);
    let scale: f64 = args
        .next()
        .map_or(250.0, |a| a.parse().expect("agent_scale"));
    let weeks: u32 = args.next().map_or(8, |a| a.parse().expect("weeks"));
    let s = load(
        &ScenarioSource::new("global-retail", DEFAULT),
        &[
            format!("horizon_weeks={weeks}").parse().expect("override"),
            format!("agent_scale={scale}").parse().expect("override"),
        ],
    )
    .expect("default preset is valid");
    let world = World::new(&s, &s.strategy);
    let opts = RunOptions {
        seed: 42,
        replications: 1,
        first_replication: 0,
        journeys: false,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let reps = pool.install(|| run(&world, &opts, &Silent));
    let mut h = DefaultHasher::new();
    format!("{reps:?}").hash(&mut h);
    println!(
        "{} agents, {} weeks, {} agent-steps, result digest {:016x}",
        world.agents(),
        weeks,
        world.agents() as u64 * weeks as u64,
        h.finish()
    );
}
