//! Shared helpers: run the built binary, small scenarios, temporary folders.

use omnimix_sim::channel::Channel;
use omnimix_sim::{ScenarioSource, scenario::load::load};
use omnimix_studies::calibrate::{Measure, Observed, synthetic};
use std::fmt::Write as _;
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
/// send Ctrl-C (SIGINT) at once, and return the exit code with the rest of stderr.
///
/// The signal goes at once rather than after a wait: the work asks for Ctrl-C only
/// after each batch, so the first batch is always done and saved, and the rest of the
/// work is left however fast the machine is (a fixed wait of 1.5 s outlasted a whole
/// 1 500-evaluation search once the engine ran in vector lanes).
#[cfg(unix)]
pub fn interrupt(args: &[&str], first: &str) -> (Option<i32>, String) {
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
    sigint(&child);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().unwrap();
    (status.code(), rest.join("\n"))
}

/// Ctrl-C to a running child, at once (no `kill` process to start in between).
#[cfg(unix)]
pub fn sigint(child: &std::process::Child) {
    // SAFETY: kill(2) on our own child's pid with a valid signal number
    let r = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(r, 0, "SIGINT to {}", child.id());
}

/// ISO date `days` after 1970-01-01.
pub fn iso_date(days: i64) -> String {
    let (y, m, d) = omnimix_sim::mechanisms::seasonality::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A wide, Robyn-style history table: DATE, one `<channel>_S` spend column per paid
/// channel, then orders, revenue, active_customers.
pub fn wide_csv(obs: &Observed, first_day: i64) -> String {
    let paid: Vec<Channel> = Channel::ALL
        .iter()
        .copied()
        .filter(|c| !c.is_service())
        .collect();
    let mut t = String::from("DATE");
    for c in &paid {
        write!(t, ",{}_S", c.name()).unwrap();
    }
    t.push_str(",orders,revenue,active_customers\n");
    let spend = &obs.spend[0].1;
    let get = |m: Measure| {
        obs.series
            .iter()
            .find(|s| s.measure == m)
            .map(|s| s.values.clone())
            .unwrap()
    };
    let (o, r, a) = (
        get(Measure::Orders),
        get(Measure::Revenue),
        get(Measure::ActiveCustomers),
    );
    for w in 0..obs.weeks() {
        t.push_str(&iso_date(first_day + 7 * w as i64));
        for c in &paid {
            write!(t, ",{:.2}", spend[w][c.index()]).unwrap();
        }
        writeln!(t, ",{:.0},{:.2},{:.0}", o[w], r[w], a[w]).unwrap();
    }
    t
}

/// A one-country scenario small enough for a fit in seconds.
pub const TINY: &str = r#"
name = "tiny-history"
seed = 5
agent_scale = 5
[finance]
annual_budget = 3e6
[countries.DE]
population = 60_000
[strategy.annual_spend.DE]
search = 300_000
social = 200_000
[strategy.specialists.DE]
search = 1
social = 1
[calibrate]
data = "history.csv"
evaluations = 40
draws = 50
[calibrate.params]
"channels.search.conversion" = { dist = "log_uniform", lo = 0.001, hi = 0.03 }
"behaviour.organic_conversion_weekly" = { dist = "log_uniform", lo = 0.0002, hi = 0.004 }
"#;

/// TINY's history (52 weeks, from its own truth) written beside it.
pub fn tiny(d: &Dir) -> std::path::PathBuf {
    let f = d.file("tiny.toml", TINY);
    let base = load(&ScenarioSource::new("tiny", TINY), &[]).unwrap();
    let truth = base
        .with_values([("channels.search.conversion", 0.008)])
        .unwrap();
    let obs = synthetic::history(&truth, synthetic::flighted_spend(&base, 52, 1), 1, 0.02);
    d.file(
        "history.csv",
        &wide_csv(&obs, 19_359)
            .replace("DATE", "week")
            .replace("_S,", "_spend,"),
    );
    f
}
