//! Shared by the model-level test files: the presets and a scenario loader.

use omnimix_sim::scenario::load::load;
use omnimix_sim::{Override, Scenario, ScenarioSource};

pub const GLOBAL_RETAIL: &str = include_str!("../../../scenarios/global-retail.toml");
pub const MULTI_VS_OMNI: &str = include_str!("../../../scenarios/multi-vs-omni.toml");

/// A preset (or any scenario text) with `--set`-style overrides; panics on bad input.
pub fn scenario(text: &str, sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    load(&ScenarioSource::new("test", text), &o).unwrap_or_else(|e| panic!("{e}"))
}
