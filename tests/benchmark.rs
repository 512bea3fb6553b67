//! `omnimix benchmark`: rules × scenarios × seeds, deterministic.

use crate::util::*;
use std::fs;

#[test]
fn benchmark_table_is_complete_and_deterministic() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let bench = |out: &str, quiet: bool| {
        let out = d.join(out);
        let mut args = vec![
            "benchmark",
            "--scenarios",
            f.to_str().unwrap(),
            "--strategies",
            "current,equal_split,attribution:linear,optimizer",
            "--seeds",
            "3",
            "--evals",
            "30",
            "--out",
            out.to_str().unwrap(),
        ];
        if quiet {
            args.push("-q");
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        for kpi in ["retention", "roi", "npv"] {
            let svg = fs::read_to_string(out.join(format!("benchmark_{kpi}.svg"))).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.contains("equal_split") && svg.contains("<circle"),
                "{kpi} chart"
            );
            // every chart as PNG too
            let png = fs::read(out.join(format!("benchmark_{kpi}.png"))).unwrap();
            assert!(png.starts_with(b"\x89PNG"), "{kpi} chart as PNG");
        }
        (
            fs::read_to_string(out.join("benchmark.csv")).unwrap(),
            stdout(&o),
        )
    };
    let (a, printed) = bench("a", false);
    // the table in readers' units: retention and ROI in %, NPV in money
    assert!(printed.contains(" %"), "{printed}");
    assert!(printed.contains(" EUR"), "{printed}");
    assert!(
        !printed.contains("e7") && !printed.contains("e8"),
        "raw floats: {printed}"
    );
    assert!(
        printed.contains("wrote") && printed.contains("benchmark_npv.png"),
        "{printed}"
    );
    let mut lines = a.lines();
    assert_eq!(lines.next().unwrap(), "scenario,strategy,kpi,mean,lo,hi,n");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4 * 3, "4 strategies x retention, roi, npv");
    for r in &rows {
        assert_eq!(r[6], "3");
        let (mean, lo, hi): (f64, f64, f64) = (
            r[3].parse().unwrap(),
            r[4].parse().unwrap(),
            r[5].parse().unwrap(),
        );
        assert!(lo <= mean && mean <= hi, "{r:?}");
        if r[2] == "roi" {
            // the incremental ROI from the run without paid media, not a missing 0
            assert!(mean != 0.0 && hi > lo, "{r:?}");
        }
    }
    assert_eq!(a, bench("b", true).0, "same seeds, same table");
    assert_bad_input(
        &run(&["benchmark", "--strategies", "astrology", "-q"]),
        &["unknown strategy 'astrology'"],
    );
    assert_bad_input(
        &run(&["benchmark", "--strategies", "attribution:markov:9", "-q"]),
        &["attribution:markov:9"],
    );
}

#[test]
fn the_attribution_rules_learn_from_the_true_journeys_on_request() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let table = |extra: &[&str]| {
        let out = d.join(&format!("o{}", extra.len()));
        let mut args = vec![
            "benchmark",
            "--scenarios",
            f.to_str().unwrap(),
            "--strategies",
            "attribution:last_touch",
            "--seeds",
            "2",
            "-q",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        fs::read_to_string(out.join("benchmark.csv")).unwrap()
    };
    let (observed, truth) = (table(&[]), table(&["--true-journeys"]));
    assert_eq!(truth.lines().count(), 1 + 3, "{truth}");
    assert!(truth.contains("attribution:last_touch"), "{truth}");
    // the rule's plan follows the journeys it learns from
    assert_ne!(observed, truth);
}
