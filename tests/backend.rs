//! The execution backend as seen from outside (default build: the `mpi` feature's
//! backend has its own test target, tests/mpi.rs).
#![cfg(not(feature = "mpi"))]

use crate::util::*;

/// A build without the `mpi` feature started by an MPI launcher as one of several
/// ranks would run the whole job on every rank and write the same files at once.
#[test]
fn a_build_without_mpi_refuses_to_run_as_one_of_several_ranks() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("out");
    for var in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
        let o = omnimix()
            .args(["simulate", f.to_str().unwrap(), "-q", "--out"])
            .arg(&out)
            .env(var, "4")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{var}: {err}");
        assert!(err.contains("--features mpi"), "{var}: {err}");
        assert!(!out.exists(), "nothing written");
    }
    // One rank is a plain run.
    let o = omnimix()
        .args(["simulate", f.to_str().unwrap(), "-q", "--out"])
        .arg(&out)
        .env("OMPI_COMM_WORLD_SIZE", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
