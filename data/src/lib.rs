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
