//! Attribution models over customer-journey tables (omnimix mechanism 11).
//!
//! Input is the journeys table that `omnimix simulate --journeys` writes and
//! that standard attribution packages read:
//!
//! ```text
//! path,total_conversions,total_null,total_conversion_value
//! search > social > email,120,880,9600.0
//! display,3,997,240.0
//! ```
//!
//! [`JourneyTable`] parses it from any [`std::io::Read`] (the library never
//! opens files) or builds it from rows in code. [`attribute`] then splits the
//! table's conversions and value over its channels with one [`Model`]:
//! first touch, last touch, linear, time decay, position based, Markov chain
//! removal effect of order 1–3 (absorption probabilities solved exactly, not
//! simulated), and two Shapley-value models. Every model returns one
//! [`Credit`] per channel, whose conversions sum to the table's conversions,
//! values to its value and shares to 1.
//!
//! ```
//! use omnimix_attribution::{attribute, JourneyTable, Model};
//!
//! let csv = "\
//! path,total_conversions,total_null,total_conversion_value
//! search > social > email,120,880,9600
//! social > email,30,470,2400
//! display,3,997,240
//! ";
//! let table = JourneyTable::from_reader(csv.as_bytes())?;
//! for model in Model::parse_list("last_touch,markov:2,shapley")? {
//!     let credits = attribute(&table, model)?;
//!     let total: f64 = credits.iter().map(|c| c.conversions).sum();
//!     assert!((total - 153.0).abs() < 1e-9);
//!     for c in &credits {
//!         println!("{} {} {:.2} {:.3}", c.model, c.channel, c.conversions, c.share);
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors are values: a malformed table gives a [`JourneyError`] naming the
//! line, column and value; a bad model name or parameter a [`ModelError`].
//! Nothing here panics on user input.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod heuristics;
pub mod journeys;
pub mod markov;
mod model;
mod shapley;

pub use journeys::{
    ChannelId, Journey, JourneyError, JourneyTable, Location, MAX_TOTAL, ValueProblem,
};
pub use markov::{MarkovChain, Transition};
pub use model::{
    AttributionError, Credit, DEFAULT_HALF_LIFE_TOUCHES, DEFAULT_POSITION_FIRST,
    DEFAULT_POSITION_LAST, Model, ModelError, Options, SHAPLEY_MARKOV_MAX_CHANNELS_IN_ALL,
    attribute, attribute_all, attribute_with,
};
