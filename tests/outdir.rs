//! Output folders: a reused `--out` holds the last run's files only, listed in
//! `manifest.json`; a second run at the same time is refused; `report` reads the
//! files the manifest lists.

use crate::util::*;
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;

const QUICK: [&str; 6] = [
    "--evals",
    "40",
    "--search-scale",
    "2",
    "--replications",
    "2",
];

fn optimize(d: &Dir, out: &str, extra: &[&str]) {
    let o = run_small(d, "optimize", out, &[&QUICK[..], extra].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Every file under `dir`, relative, `/`-separated.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                out.insert(rel.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    out
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn listed(dir: &Path) -> BTreeSet<String> {
    manifest(dir)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_reused_out_folder_holds_only_the_last_runs_files_and_its_manifest() {
    let d = Dir::new();
    let out = d.join("out");
    optimize(&d, "out", &["--phases", "2"]);
    let first = files(&out);
    for f in [
        "plan_phases.csv",
        "report.html",
        "sensitivity.csv",
        "charts/phases.svg",
    ] {
        assert!(first.contains(f), "{f} in {first:?}");
    }
    let mut expected = listed(&out);
    expected.insert("manifest.json".into());
    assert_eq!(first, expected, "the manifest lists every file of the run");
    assert_eq!(manifest(&out)["command"], "optimize");

    // the same folder again, without phases and without the report
    optimize(&d, "out", &["--no-report"]);
    let second = files(&out);
    for f in [
        "plan_phases.csv",
        "report.html",
        "sensitivity.csv",
        "charts/phases.svg",
    ] {
        assert!(
            !second.contains(f),
            "{f} of the first run stayed: {second:?}"
        );
    }
    assert!(
        !out.join("charts").exists(),
        "the emptied charts folder is removed"
    );
    let mut expected = listed(&out);
    expected.insert("manifest.json".into());
    assert_eq!(second, expected);

    // another command into the same folder
    let o = run_small(&d, "simulate", "out", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let third = files(&out);
    assert!(
        !third.contains("plan.json") && !third.contains("budget.xlsx"),
        "{third:?}"
    );
    assert_eq!(manifest(&out)["command"], "simulate");

    // a file that is not the run's stays
    fs::write(out.join("notes.txt"), "mine").unwrap();
    optimize(&d, "out", &["--no-report"]);
    assert!(out.join("notes.txt").exists());

    // two identical runs write identical manifests
    optimize(&d, "again", &["--no-report"]);
    assert_eq!(
        fs::read(out.join("manifest.json")).unwrap(),
        fs::read(d.join("again/manifest.json")).unwrap()
    );
}

#[cfg(unix)]
#[test]
fn a_second_run_into_a_folder_being_written_is_refused() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("busy");
    let mut first = omnimix()
        .args([
            "optimize",
            f.to_str().unwrap(),
            // more than it can do before the Ctrl-C below, however fast the machine
            "--evals",
            "200000",
            "--search-scale",
            "1",
            "--no-report",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(first.stderr.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    assert!(line.starts_with("search: started"), "{line}");
    let o = run_small(&d, "simulate", "busy", &[]);
    assert_bad_input(
        &o,
        &[
            "another omnimix run is writing to",
            &format!("(pid {})", first.id()),
            ".omnimix.lock if it is not running",
        ],
    );
    crate::util::sigint(&first);
    let _: Vec<String> = lines.map_while(Result::ok).collect();
    assert_eq!(first.wait().unwrap().code(), Some(130));
    assert!(
        !out.join(".omnimix.lock").exists(),
        "the lock is removed at the end"
    );

    // a lock left by a process that is gone (killed) is taken over
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    fs::write(out.join(".omnimix.lock"), format!("{}\n", gone.id())).unwrap();
    let o = run_small(&d, "simulate", "busy", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!out.join(".omnimix.lock").exists());
}

#[test]
fn report_draws_only_from_the_files_the_manifest_lists() {
    let d = Dir::new();
    optimize(&d, "phased", &["--phases", "2", "--no-report"]);
    optimize(&d, "flat", &["--no-report"]);
    let flat = d.join("flat");
    // a stray file of another run in the folder
    fs::copy(
        d.join("phased/plan_phases.csv"),
        flat.join("plan_phases.csv"),
    )
    .unwrap();
    let o = run(&["report", flat.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(flat.join("report.html").exists());
    assert!(
        !flat.join("charts/phases.svg").exists(),
        "no spend-per-phase chart for a plan without phases"
    );
    // report adds its files to the manifest
    let l = listed(&flat);
    assert!(
        l.contains("report.html") && l.contains("plan.json"),
        "{l:?}"
    );
    assert!(!l.contains("plan_phases.csv"));
    // without a manifest every file present is read (the stray one too)
    fs::remove_file(flat.join("manifest.json")).unwrap();
    let o = run(&["report", flat.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(flat.join("charts/phases.svg").exists());
    assert!(
        !flat.join("manifest.json").exists(),
        "report does not start a manifest of its own files alone"
    );
    // a listed file that is missing is bad input
    optimize(&d, "flat", &["--no-report"]);
    fs::remove_file(flat.join("trace.csv")).unwrap();
    assert_bad_input(
        &run(&["report", flat.to_str().unwrap(), "-q"]),
        &["trace.csv", "listed in manifest.json but missing"],
    );
}

#[test]
fn a_file_that_cannot_be_written_names_its_cause_once() {
    let d = Dir::new();
    // a folder where simulate writes summary.json
    fs::create_dir_all(d.join("out/summary.json")).unwrap();
    let o = run_small(&d, "simulate", "out", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cannot write") && err.contains("summary.json"),
        "{err}"
    );
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
    assert!(
        !d.join("out/manifest.json").exists(),
        "a failed run writes no manifest"
    );
    assert!(!d.join("out/.omnimix.lock").exists(), "the lock is removed");
}
