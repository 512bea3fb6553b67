//! Integration tests of the `omnimix` binary: one test binary, shared helpers in `util`.

mod util;

mod attribute;
mod backend;
mod benchmark;
mod calibrate;
mod checkpoint;
mod compare;
mod layout;
mod optimize;
mod outdir;
mod posterior;
mod regions;
mod report;
mod serve;
mod serve_process;
mod simulate;
mod tour;
mod validate;
