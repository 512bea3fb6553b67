//! The README's five-minute tour: the budget cut and the target search run as
//! written (on the embedded default scenario, with a coarser agent scale and a
//! small search so the test stays quick).

use crate::util::{Dir, run, stderr};
use std::fs;

const README: &str = include_str!("../README.md");

/// The tour line of the README that contains `needle`, as arguments after `omnimix`.
fn tour_line(needle: &str) -> Vec<String> {
    let line = README
        .lines()
        .find(|l| l.starts_with("omnimix ") && l.contains(needle))
        .unwrap_or_else(|| panic!("the README's tour has no line with {needle}"));
    let command = line.split('#').next().unwrap();
    command
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// Run a tour line in `d` (my.toml written there by `omnimix example`), its `out/…`
/// folder inside `d`, with extra arguments; returns the output folder too.
fn run_tour(d: &Dir, needle: &str, extra: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let example = run(&["example"]);
    assert_eq!(example.status.code(), Some(0));
    let my = d.file("my.toml", &String::from_utf8(example.stdout).unwrap());
    let mut args = tour_line(needle);
    let mut out = d.join("out");
    for a in &mut args {
        if a == "my.toml" {
            *a = my.to_str().unwrap().to_string();
        } else if a.starts_with("out/") {
            out = d.join(a.as_str());
            *a = out.to_str().unwrap().to_string();
        }
    }
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    all.push("-q");
    (run(&all), out)
}

#[test]
fn the_budget_cut_runs_and_says_what_was_cut() {
    let d = Dir::new();
    let (o, out) = run_tour(
        &d,
        "finance.annual_budget=80e6",
        &["--set", "agent_scale=1000", "--replications", "2"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("scaled down by finance.cut_policy") && err.contains("media -"),
        "{err}"
    );
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let cost = s["company"]["cost_total"]["mean"].as_f64().unwrap();
    assert!(cost <= 80e6 * (1.0 + 1e-9), "cost {cost}");
    // the hiring freeze shows in the wages too, not only in media
    let wages = s["company"]["cost_staff"]["mean"].as_f64().unwrap();
    assert!(wages < 29.0e6, "wages {wages}");
}

#[test]
fn the_target_search_runs_and_meets_its_target() {
    let d = Dir::new();
    let (o, out) = run_tour(
        &d,
        "--target retention=",
        &[
            "--set",
            "agent_scale=500",
            "--evals",
            "100",
            "--search-scale",
            "2",
            "--replications",
            "2",
            "--no-report",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(
        s["target"]["annual_budget_needed"].as_f64().unwrap() > 0.0,
        "{s}"
    );
}
