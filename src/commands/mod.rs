//! The commands, each from a validated configuration: run the workflow (in
//! `omnimix-studies`), hand the results to `omnimix-reports`, print.

mod attribute;
mod benchmark;
mod calibrate;
mod compare;
mod optimize;
mod report;
mod serve;
mod simulate;
mod validate;

pub use attribute::attribute;
pub use benchmark::benchmark;
pub use calibrate::calibrate;
pub use compare::compare;
pub use optimize::optimize;
pub use report::report;
pub use serve::serve;
pub use simulate::simulate;
pub use validate::validate;
