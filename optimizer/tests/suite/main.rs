//! Known-optimum, noise, determinism, checkpoint, Pareto, target, feasibility and property
//! tests of the optimizer (one test binary with shared helpers).

mod checkpoint;
mod common;
mod determinism;
mod feasibility;
mod known_optimum;
mod noise;
mod pareto;
mod pattern;
mod properties;
mod target;
