//! # omnimix-sim
//!
//! The agent-based engine of omnimix: customers move through purchase journeys
//! across marketing and service channels in many countries, and the engine reports
//! retention, revenue, costs, ROI and NPV with intervals over replications.
//!
//! Where to find things:
//! - [`scenario`]: the TOML scenario format, catalogue defaults, `--set` overrides,
//!   validation with file:line:col messages.
//! - [`world`]: a scenario + strategy compiled per country; [`agents`]: agents as
//!   structure-of-arrays shards and the per-step kernel; [`step`]: per-step
//!   parameters compiled from the mechanisms; [`engine`]: replications × steps ×
//!   shards, deterministic on any thread count, and on any number of processes
//!   through a [`engine::ShardExchange`]; [`kpis`]: KPIs, summaries, weekly rows,
//!   journeys.
//! - [`mechanisms`]: one module per mechanism of the model — media response
//!   (`media`, `exposure`), service queues (`queue`, `service`), specialist staff
//!   (`staffing`), weak finances (`finance`), consistency (`consistency`), content
//!   fatigue (`fatigue`), omnichannel integration (`integration`), reward schemes (`incentives`),
//!   silos and coordination (`coordination`), word of mouth
//!   (`word_of_mouth`), privacy (`privacy`), retention (`retention`).
//!
//! The crate is pure: no files, no printing, no clocks. Randomness comes from
//! [`rng::stream`] only.
//!
//! ```
//! use omnimix_sim::{ScenarioSource, scenario::load::load, World, engine::{run, RunOptions, Silent}, kpis::summarise};
//! let text = "name = 'demo'\n[finance]\nannual_budget = 2e6\n[countries.DE]\npopulation = 5000\n\
//!             [strategy.annual_spend.DE]\nsearch = 200000\ncall_centre = 20000\n\
//!             [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 2\n";
//! let scenario = load(&ScenarioSource::new("demo.toml", text), &[]).unwrap();
//! let world = World::new(&scenario, &scenario.strategy);
//! let reps = run(&world, &RunOptions { seed: 7, replications: 2, first_replication: 0, journeys: false }, &Silent);
//! let summary = summarise(&world, "current", 7, &reps);
//! assert!(summary.company.mean(omnimix_sim::kpis::Kpi::Revenue).unwrap() > 0.0);
//! ```

pub mod agents;
pub mod channel;
pub mod engine;
pub mod error;
pub mod kpis;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod step;
pub mod world;

/// One module per mechanism of the model (docs/model.md, "One step of one agent").
pub mod mechanisms {
    pub mod consistency;
    pub mod coordination;
    pub mod exposure;
    pub mod fatigue;
    pub mod finance;
    pub mod incentives;
    pub mod integration;
    pub mod media;
    pub mod observation;
    pub mod privacy;
    pub mod queue;
    pub mod retention;
    pub mod seasonality;
    pub mod service;
    pub mod staffing;
    pub mod word_of_mouth;
}

pub use channel::{Channel, ChannelSpec, N_CHANNELS};
pub use error::{Problem, ScenarioError};
pub use scenario::{Override, Scenario, ScenarioSource, Strategy};
pub use world::World;
