//! Integration tests of the `omnimix` binary: one test binary, shared helpers in `util`.

mod util;

mod attribute;
mod backend;
mod benchmark;
mod optimize;
mod simulate;
mod validate;
