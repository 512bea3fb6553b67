//! Multi-rank tests of the MPI backend (`cargo test --release --features mpi --test mpi`):
//! the binary is launched by `mpirun` on 1, 2 and 4 ranks (oversubscribed, so two cores
//! are enough) and must give byte-identical files to a run without a launcher, fail
//! fast, and resume from its checkpoint. Every launch runs under `timeout`.

#[allow(dead_code)]
mod util;

use std::fs;
use std::process::{Command, Output, Stdio};
use util::*;

/// Seconds after which a launch counts as hung.
const TIMEOUT_S: &str = "300";

/// `timeout 300 mpirun [--oversubscribe] -np N omnimix ARGS…` with extra environment.
fn mpirun_env(np: usize, args: &[&str], env: &[(&str, &str)]) -> Output {
    let version = Command::new("mpirun")
        .arg("--version")
        .output()
        .expect("mpirun is installed (see README: Running on a cluster)");
    let open_mpi = String::from_utf8_lossy(&version.stdout).contains("Open MPI");
    let mut c = Command::new("timeout");
    c.args(["--kill-after=10", TIMEOUT_S, "mpirun"]);
    if open_mpi {
        c.arg("--oversubscribe");
    }
    c.args(["-np", &np.to_string(), env!("CARGO_BIN_EXE_omnimix")])
        .args(args)
        // Open MPI refuses to run as root without these (CI runs as root).
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().expect("timeout and mpirun run");
    assert_ne!(
        o.status.code(),
        Some(124),
        "mpirun -np {np} timed out (hung)"
    );
    o
}

fn mpirun(np: usize, args: &[&str]) -> Output {
    mpirun_env(np, args, &[])
}

/// The files of `dir` named in `names`, read.
fn files(dir: &std::path::Path, names: &[&str]) -> Vec<Vec<u8>> {
    names
        .iter()
        .map(|n| fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{}/{n}: {e}", dir.display())))
        .collect()
}

#[test]
fn simulate_is_byte_identical_without_a_launcher_and_on_1_2_and_4_ranks() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    // agent_scale 1: 9 shards, so that every rank owns some and the last one fewer.
    let args = |out: &str, threads: &str| -> Vec<String> {
        [
            "simulate",
            f.to_str().unwrap(),
            "--set",
            "agent_scale=1",
            "--journeys",
            "--threads",
            threads,
            "-q",
            "--out",
            d.join(out).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let names = ["summary.json", "weekly.csv", "journeys.csv"];
    let a = args("alone", "2");
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = files(&d.join("alone"), &names);
    for np in [1, 2, 4] {
        let out = format!("np{np}");
        let a = args(&out, "1");
        let o = mpirun(np, &a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "np {np}: {}", stderr(&o));
        assert_eq!(files(&d.join(&out), &names), want, "np {np}");
    }
}

/// A quick search: 60 evaluations at search scale 2.
const QUICK: [&str; 4] = ["--evals", "60", "--search-scale", "2"];

fn optimize_args(d: &Dir, f: &std::path::Path, out: &str, extra: &[&str]) -> Vec<String> {
    optimize_args_with(d, f, out, &QUICK, extra)
}

fn optimize_args_with(
    d: &Dir,
    f: &std::path::Path,
    out: &str,
    search: &[&str],
    extra: &[&str],
) -> Vec<String> {
    let mut a: Vec<String> = search.iter().map(|s| s.to_string()).collect();
    a.splice(
        0..0,
        ["optimize".to_string(), f.to_str().unwrap().to_string()],
    );
    a.extend(
        [
            "--replications",
            "2",
            "--seed",
            "5",
            "-q",
            "--out",
            d.join(out).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn optimize_gives_the_same_plan_without_a_launcher_and_on_1_2_and_4_ranks() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let names = ["plan.json", "summary.json", "trace.csv", "plan.csv"];
    let a = optimize_args(&d, &f, "alone", &[]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = files(&d.join("alone"), &names);
    for np in [1, 2, 4] {
        let out = format!("np{np}");
        let a = optimize_args(&d, &f, &out, &["--threads", "1"]);
        let o = mpirun(np, &a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "np {np}: {}", stderr(&o));
        assert_eq!(files(&d.join(&out), &names), want, "np {np}");
    }
}

#[test]
fn a_panic_on_a_worker_rank_aborts_the_job_and_names_the_rank() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let a = optimize_args(&d, &f, "out", &[]);
    let o = mpirun_env(
        2,
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        &[("OMNIMIX_MPI_FAULT", "panic@1:3")],
    );
    let err = stderr(&o);
    assert!(!o.status.success(), "the job fails:\n{err}");
    assert!(err.contains("rank 1 of 2 panicked"), "{err}");
    assert!(
        !d.join("out/plan.json").exists(),
        "no plan from a failed job"
    );
}

#[test]
fn a_killed_rank_ends_a_simulation_with_a_nonzero_exit() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("out");
    let o = mpirun_env(
        4,
        &[
            "simulate",
            f.to_str().unwrap(),
            "--set",
            "agent_scale=1",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        &[("OMNIMIX_MPI_FAULT", "abort@2:5")],
    );
    assert!(!o.status.success(), "the job fails:\n{}", stderr(&o));
    assert!(
        !out.join("summary.json").exists(),
        "no summary from a failed job"
    );
}

#[test]
fn bad_input_under_mpirun_is_reported_with_exit_code_2() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let o = mpirun(
        2,
        &["simulate", f.to_str().unwrap(), "--replications", "0", "-q"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    // rank 0 reports it; a rank 0 slowed past the other ranks' 2 s of grace lets
    // another rank report it first (`error (rank 1 of 2): …`), which is as good
    assert!(
        err.contains("error") && err.contains("--replications 0: must be between"),
        "{err}"
    );
}

#[test]
fn a_job_that_failed_resumes_from_its_checkpoint_to_the_same_plan() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let search = ["--evals", "300", "--search-scale", "1"];
    let with = |out: &str, cp: &str, more: &[&str]| -> Vec<String> {
        let cp = d.join(cp);
        let mut extra = vec!["--checkpoint", cp.to_str().unwrap()];
        extra.extend(more);
        optimize_args_with(&d, &f, out, &search, &extra)
    };
    let strs = |a: &[String]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let whole = with("whole", "cp_whole", &[]);
    let o = run(&strs(&whole).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Rank 1 dies in the middle of the search; the checkpoint has the batches before.
    // Its 20th evaluation, whatever share of the farm it gets: the first batch has 8
    // tasks (so the first checkpoint is saved before), and a worker is handed two
    // tasks at the start of each of the 16 batches (so it reaches 20 before the end;
    // idle, it does about 150 of the 300).
    let failed = with("resumed", "cp", &[]);
    let o = mpirun_env(
        2,
        &failed.iter().map(String::as_str).collect::<Vec<_>>(),
        &[("OMNIMIX_MPI_FAULT", "abort@1:20")],
    );
    assert!(!o.status.success(), "the job fails:\n{}", stderr(&o));
    let cp: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("cp/checkpoint.json")).unwrap()).unwrap();
    let done = cp["state"]["evals_done"].as_u64().unwrap();
    assert!((1..300).contains(&done), "checkpoint mid-search: {done}");
    assert!(!d.join("resumed/plan.json").exists());
    // Resumed on another number of ranks.
    let resumed = with("resumed", "cp", &["--resume"]);
    let o = mpirun(4, &resumed.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["plan.json", "summary.json"] {
        assert_eq!(
            fs::read(d.join("whole").join(name)).unwrap(),
            fs::read(d.join("resumed").join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn pareto_and_target_searches_give_the_same_files_on_3_ranks() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    for (i, mode) in [
        &["--objective", "pareto"][..],
        &["--target", "retention=0.3"][..],
    ]
    .into_iter()
    .enumerate()
    {
        let alone = format!("alone{i}");
        let a = optimize_args(&d, &f, &alone, mode);
        let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "{mode:?}: {}", stderr(&o));
        let ranks = format!("np3_{i}");
        let mut extra = mode.to_vec();
        extra.extend(["--threads", "1"]);
        let a = optimize_args(&d, &f, &ranks, &extra);
        let o = mpirun(3, &a.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(0), "{mode:?}: {}", stderr(&o));
        let names = ["plan.json", "summary.json"];
        assert_eq!(
            files(&d.join(&ranks), &names),
            files(&d.join(&alone), &names),
            "{mode:?}"
        );
    }
}

/// The pid of the rank `rank` of a job whose processes carry `tag` in their environment.
fn rank_pid(tag: &str, rank: usize) -> Option<u32> {
    let want_tag = format!("OMNIMIX_TEST_JOB={tag}");
    let want_rank = format!("OMPI_COMM_WORLD_RANK={rank}");
    fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let env = fs::read(e.path().join("environ")).ok()?;
        let vars: Vec<&[u8]> = env.split(|&b| b == 0).collect();
        let has = |v: &str| vars.contains(&v.as_bytes());
        (has(&want_tag) && has(&want_rank)).then_some(pid)
    })
}

#[test]
fn a_rank_killed_from_outside_ends_the_job_with_a_nonzero_exit() {
    let version = Command::new("mpirun").arg("--version").output().unwrap();
    if !String::from_utf8_lossy(&version.stdout).contains("Open MPI") {
        eprintln!("skipped: finds ranks by Open MPI's environment");
        return;
    }
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let tag = format!("{}", std::process::id());
    let out = d.join("out");
    // A search long enough to be killed in the middle of.
    let mut child = Command::new("timeout")
        .args([
            "--kill-after=10",
            TIMEOUT_S,
            "mpirun",
            "--oversubscribe",
            "-np",
            "2",
        ])
        .arg(env!("CARGO_BIN_EXE_omnimix"))
        .args([
            "optimize",
            f.to_str().unwrap(),
            "--evals",
            "20000",
            "--search-scale",
            "1",
        ])
        .args(["--threads", "1", "-q", "--out", out.to_str().unwrap()])
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMNIMIX_TEST_JOB", &tag)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut killed = false;
    while started.elapsed() < std::time::Duration::from_secs(60) {
        if let Some(pid) = rank_pid(&tag, 1) {
            std::thread::sleep(std::time::Duration::from_millis(500));
            let k = Command::new("kill").args(["-9", &pid.to_string()]).status();
            killed = k.is_ok_and(|s| s.success());
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    assert!(killed, "rank 1 was found and killed");
    assert_ne!(
        o.status.code(),
        Some(124),
        "the job hung after a rank was killed"
    );
    assert!(!o.status.success(), "non-zero exit:\n{}", stderr(&o));
    assert!(!out.join("plan.json").exists(), "no plan from a killed job");
}

#[test]
fn the_report_analysis_runs_are_farmed_over_the_ranks_and_give_the_same_files() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let names = [
        "response_curves.csv",
        "staffing_curve.csv",
        "sensitivity.csv",
        "retention_curves.csv",
        "allocation.csv",
    ];
    let a = optimize_args(&d, &f, "alone", &[]);
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = files(&d.join("alone"), &names);
    let a = optimize_args(&d, &f, "np2", &["--threads", "1"]);
    let o = mpirun_env(
        2,
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
        &[("OMNIMIX_MPI_STATS", "1")],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(files(&d.join("np2"), &names), want);
    // the worker reports once per farm: the search, then the analysis runs
    let farms: Vec<&str> = err.lines().filter(|l| l.contains("rank 1 of 2:")).collect();
    assert_eq!(farms.len(), 2, "{err}");
}

#[test]
fn compare_and_attribute_truth_give_the_same_files_on_2_ranks() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let f = f.to_str().unwrap();
    let cmp = |out: &str| {
        vec![
            "compare".to_string(),
            f.to_string(),
            "--variant".into(),
            "staff:strategy.service_staff.DE.call_centre=9".into(),
            "--replications".into(),
            "2".into(),
            "-q".into(),
            "--out".into(),
            d.join(out).to_str().unwrap().to_string(),
        ]
    };
    let truth = |out: &str| {
        vec![
            "attribute".to_string(),
            "--truth".into(),
            "--scenario".into(),
            f.to_string(),
            "--replications".into(),
            "2".into(),
            "-q".into(),
            "--out".into(),
            d.join(out).to_str().unwrap().to_string(),
        ]
    };
    same_files_alone_and_on_2_ranks(&d, &cmp, &["compare.csv"]);
    same_files_alone_and_on_2_ranks(
        &d,
        &truth,
        &["truth.csv", "journeys.csv", "attribution.csv"],
    );
}

/// Runs `args(out)` without a launcher into `alone` and on 2 ranks (`--threads 1`,
/// with the farm figures on) into `np2`: both succeed and write the same `names`.
/// Returns the ranks' stderr.
fn same_files_alone_and_on_2_ranks(
    d: &Dir,
    args: &dyn Fn(&str) -> Vec<String>,
    names: &[&str],
) -> String {
    let a = args("alone");
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let want = files(&d.join("alone"), names);
    let a = args("np2");
    let mut a: Vec<&str> = a.iter().map(String::as_str).collect();
    a.extend(["--threads", "1"]);
    let o = mpirun_env(2, &a, &[("OMNIMIX_MPI_STATS", "1")]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(files(&d.join("np2"), names), want, "{}", a[0]);
    err
}

#[test]
fn benchmark_farms_the_optimizer_rule_and_gives_the_same_table_on_2_ranks() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let args = |out: &str| -> Vec<String> {
        [
            "benchmark",
            "--scenarios",
            f.to_str().unwrap(),
            "--strategies",
            "current,optimizer",
            "--seeds",
            "2",
            "--evals",
            "24",
            "-q",
            "--out",
            d.join(out).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let err = same_files_alone_and_on_2_ranks(&d, &args, &["benchmark.csv"]);
    assert!(err.contains("rank 1 of 2:"), "the worker evaluated: {err}");
}

#[test]
fn calibrate_gives_the_same_fit_on_2_ranks_as_without_a_launcher() {
    let d = Dir::new();
    let f = tiny(&d);
    let args = |out: &str| -> Vec<String> {
        [
            "calibrate",
            f.to_str().unwrap(),
            "-q",
            "--out",
            d.join(out).to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let names = [
        "posterior.csv",
        "parameters.csv",
        "fit.csv",
        "scenario.toml",
    ];
    let err = same_files_alone_and_on_2_ranks(&d, &args, &names);
    assert!(
        err.contains("rank 1 of 2:"),
        "the worker simulated histories: {err}"
    );
}
