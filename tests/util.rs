//! Shared helpers: run the built binary, small scenarios, temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub fn omnimix() -> Command {
    Command::new(env!("CARGO_BIN_EXE_omnimix"))
}

/// Run with arguments, no stdin.
pub fn run(args: &[&str]) -> Output {
    omnimix()
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the omnimix binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small valid scenario: two countries, a few channels, staffed service.
pub const SMALL: &str = include_str!("small.toml");

/// A temporary folder that is removed on drop.
pub struct Dir(pub tempfile::TempDir);

impl Dir {
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temporary folder"))
    }
    pub fn path(&self) -> &Path {
        self.0.path()
    }
    /// Write a file and return its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, text).expect("write test file");
        p
    }
    pub fn join(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }
}

/// Run `command` on the small scenario (written into `d`) with `--out d/out -q`
/// and the given extra arguments.
pub fn run_small(d: &Dir, command: &str, out: &str, extra: &[&str]) -> Output {
    let f = d.file("small.toml", SMALL);
    let out = d.join(out);
    let mut args = vec![
        command,
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// Assert a bad-input run: exit code 2, no panic, and every `needle` in stderr.
pub fn assert_bad_input(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "exit code for bad input; stderr:\n{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "no panic:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "stderr should contain {n:?}:\n{err}");
    }
}

/// Start `omnimix args`, wait for its first stderr line (it must start with `first`),
/// send Ctrl-C (SIGINT) `after` later, and return the exit code with the rest of
/// stderr.
#[cfg(unix)]
pub fn interrupt(args: &[&str], first: &str, after: std::time::Duration) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader};
    let mut child = omnimix()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    assert!(line.starts_with(first), "{line}");
    std::thread::sleep(after);
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    (status.code(), rest.join("\n"))
}
