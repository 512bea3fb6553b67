//! # omnimix-data
//!
//! Readers of the company's own data, for `omnimix calibrate`: the weekly history
//! ([`read_history`] → [`History`]), lift tests ([`read_lift_tests`] →
//! [`LiftTest`]) and retention cohorts ([`read_cohorts`] → [`Cohort`]).
//!
//! Every reader takes CSV (delimited by `,` or `;`, sniffed from the header line) or
//! a spreadsheet (XLSX, XLSM, XLSB, XLS, ODS by extension), maps the file's columns
//! onto omnimix's names (the scenario's `[calibrate.columns]`,
//! [`omnimix_sim::scenario::calibrate::ColumnsSpec`]) and checks it against the
//! scenario (its country codes, omnimix's channel names). A problem is a
//! [`DataError`] that names the file, the row as a spreadsheet shows it (header =
//! row 1), the column, the value and what was expected:
//!
//! ```text
//! history.csv: row 14, column spend_search: expected a number, found "12,5k"
//! ```
//!
//! ```
//! use omnimix_data::{Kpi, read_history};
//! use omnimix_sim::{Channel, ScenarioSource, scenario::load::load};
//! let text = "name = 'demo'\n[finance]\nannual_budget = 1e6\n[countries.DE]\npopulation = 1000\n\
//!             [strategy.annual_spend.DE]\nsearch = 100000\n[strategy.specialists.DE]\nsearch = 1\n";
//! let scenario = load(&ScenarioSource::new("demo.toml", text), &[]).unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("history.csv");
//! std::fs::write(&path, "week,spend_search,social_spend,orders\n\
//!                        2024-01-01,1000,500,40\n2024-01-08,1200,500,46\n").unwrap();
//! let history = read_history(&path, None, &Default::default(), &scenario).unwrap();
//! assert_eq!(history.start_date.as_deref(), Some("2024-01-01"));
//! assert_eq!(history.countries["DE"].channel_spend(Channel::Search), [1000.0, 1200.0]);
//! assert_eq!(history.countries["DE"].kpis[&Kpi::Orders], [40.0, 46.0]);
//! ```
//!
//! Where to find things:
//! - [`history`]: the weekly table, long (one row per week × country × channel, as
//!   `omnimix simulate` writes `weekly.csv`) or wide (one row per week × country,
//!   a spend column per channel, as Robyn and Meridian take it);
//! - [`experiments`]: lift tests and cohorts;
//! - [`kpi`]: the outcomes a history may hold ([`Kpi`]);
//! - [`week`]: ISO dates and week numbers;
//! - [`error`]: the errors, [`DataError`].
//!
//! Unlike the cores (`sim`, `optimizer`), this crate reads files; it writes none and
//! prints nothing.

pub mod error;
pub mod experiments;
pub mod history;
pub mod kpi;
mod table;
pub mod week;

#[cfg(test)]
mod tests;

pub use error::{DataError, UnevenWeeks, WeekGap};
pub use experiments::{
    Cohort, CohortStart, LiftOutcome, LiftTest, Uncertainty, read_cohorts, read_lift_tests,
};
pub use history::{CountryHistory, History, read_history};
pub use kpi::Kpi;
pub use week::{Date, WeekKey};
