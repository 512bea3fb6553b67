//! `omnimix benchmark`: rules × scenarios × seeds, deterministic.

use crate::util::*;
use std::fs;

#[test]
fn benchmark_table_is_complete_and_deterministic() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let bench = |out: &str| {
        let out = d.join(out);
        let o = run(&[
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
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        for kpi in ["retention", "roi", "npv"] {
            let svg = fs::read_to_string(out.join(format!("benchmark_{kpi}.svg"))).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.contains("equal_split") && svg.contains("<circle"),
                "{kpi} chart"
            );
        }
        fs::read_to_string(out.join("benchmark.csv")).unwrap()
    };
    let a = bench("a");
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
    }
    assert_eq!(a, bench("b"), "same seeds, same table");
    assert_bad_input(
        &run(&["benchmark", "--strategies", "astrology", "-q"]),
        &["unknown strategy 'astrology'"],
    );
    assert_bad_input(
        &run(&["benchmark", "--strategies", "attribution:markov:9", "-q"]),
        &["attribution:markov:9"],
    );
}
