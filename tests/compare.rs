//! `omnimix compare`: common random numbers, paired differences, bad input.

use crate::report::{assert_chart, assert_self_contained_report};
use crate::util::*;
use std::fs;

/// compare.csv rows as (scenario, kpi, mean, difference, difference_lo, difference_hi).
fn rows(path: &std::path::Path) -> Vec<(String, String, f64, f64, f64, f64)> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,kpi,mean,lo,hi,n,difference,difference_lo,difference_hi"
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            (f[0].into(), f[1].into(), n(2), n(6), n(7), n(8))
        })
        .collect()
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let g = d.file("same.toml", SMALL);
    let out = d.join("c");
    let o = run(&[
        "compare",
        f.to_str().unwrap(),
        g.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = rows(&out.join("compare.csv"));
    assert!(
        r.iter()
            .any(|x| x.0 == "same" && x.1 == "retention_horizon")
    );
    assert!(r.iter().any(|x| x.1 == "mean_wait_min.call_centre"));
    for (scenario, kpi, mean, d, lo, hi) in &r {
        assert_eq!((*d, *lo, *hi), (0.0, 0.0, 0.0), "{scenario} {kpi}");
        let base = r.iter().find(|x| x.0 == "small" && &x.1 == kpi).unwrap();
        assert_eq!(*mean, base.2, "{kpi}: same seeds, same numbers");
    }
    // the workbook holds the same numbers: one row per KPI, one column per scenario
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(out.join("compare.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Comparison", "Assumptions"]);
    let sheet = wb.worksheet_range("Comparison").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[..3], ["KPI", "small", "same"]);
    let roi = sheet
        .rows()
        .find(|r| r[0] == Data::String("incremental ROI".into()))
        .expect("ROI row");
    let csv_roi = r.iter().find(|x| x.0 == "small" && x.1 == "roi").unwrap().2;
    assert_eq!(roi[1], Data::Float(csv_roi));
    assert_eq!(roi[3], Data::Float(0.0), "difference");
    for stem in [
        "compare_retention",
        "compare_roi",
        "compare_difference",
        "compare_retention_curves",
        "compare_service_wait",
    ] {
        assert_chart(&out.join("charts"), stem);
    }
    let html = fs::read_to_string(out.join("compare.html")).unwrap();
    assert_self_contained_report(
        &html,
        &[
            "Summary",
            "differences=Differences from the baseline",
            "Charts",
            "Assumptions",
        ],
    );
}

#[test]
fn more_service_staff_lowers_the_wait_and_fewer_raise_it() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("v");
    let o = run(&[
        "compare",
        f.to_str().unwrap(),
        "--variant",
        "more_staff:strategy.service_staff.DE.call_centre=20",
        "--variant",
        "fewer_staff:strategy.service_staff.DE.call_centre=3,finance.volatility=0.2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed = stdout(&o);
    assert!(printed.contains("more_staff"));
    // the table in readers' units: labels, money with currency, shares in %,
    // differences signed with their interval
    assert!(
        printed.contains("total cost") && printed.contains(" EUR"),
        "{printed}"
    );
    assert!(
        printed.contains("12-month retention") || printed.contains("retention at the horizon"),
        "{printed}"
    );
    assert!(printed.contains(" pts ["), "{printed}");
    assert!(printed.contains(" min"), "{printed}");
    assert!(
        !printed.contains("mean_wait_min.call_centre"),
        "raw names: {printed}"
    );
    // the variants change DE alone (its call centre): DE's figures beside the
    // company's, and none of KE, which no variant changes
    assert!(printed.contains("DE: revenue"), "{printed}");
    assert!(!printed.contains("KE: "), "{printed}");
    let r = rows(&out.join("compare.csv"));
    let wait = |who: &str| {
        r.iter()
            .find(|x| x.0 == who && x.1 == "mean_wait_min.call_centre")
            .unwrap_or_else(|| panic!("{who} wait"))
            .clone()
    };
    assert!(
        r.iter().any(|x| x.0 == "more_staff" && x.1 == "DE.revenue"),
        "DE rows in compare.csv"
    );
    let more = wait("more_staff");
    assert!(
        more.3 < 0.0 && more.5 < 0.0,
        "more staff, shorter wait: {more:?}"
    );
    let fewer = wait("fewer_staff");
    assert!(
        fewer.3 > 0.0 && fewer.4 > 0.0,
        "fewer staff, longer wait: {fewer:?}"
    );
    let base = wait("baseline");
    assert_eq!((base.3, base.4, base.5), (0.0, 0.0, 0.0));
}

#[test]
fn bad_comparisons_exit_2_with_the_reason() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let f = f.to_str().unwrap();
    let out = d.join("x");
    let out = out.to_str().unwrap();
    let o = run(&[
        "compare",
        f,
        "--variant",
        "x:strategy.bogus=1",
        "--out",
        out,
    ]);
    assert_bad_input(&o, &["--variant x", "strategy.bogus", "unknown key"]);
    let o = run(&[
        "compare",
        f,
        "--variant",
        "x:finance.annual_budget=abc",
        "--out",
        out,
    ]);
    assert_bad_input(&o, &["--variant x", "finance.annual_budget"]);
    let o = run(&["compare", f, "--variant", "nocolon", "--out", out]);
    assert_bad_input(&o, &["--variant nocolon", "NAME:"]);
    let o = run(&[
        "compare",
        f,
        "--variant",
        "a:seed=1",
        "--variant",
        "a:seed=2",
        "--out",
        out,
    ]);
    assert_bad_input(&o, &["--variant a", "twice"]);
    let o = run(&["compare", f, "--out", out]);
    assert_bad_input(&o, &["two scenarios", "--variant"]);
    let o = run(&["compare", f, f, "--variant", "a:seed=1", "--out", out]);
    assert_bad_input(&o, &["one scenario"]);
    let o = run(&["compare", f, f, "--replications", "1", "--out", out]);
    assert_bad_input(&o, &["--replications 1"]);
    assert!(!d.join("x").exists(), "nothing written on bad input");
}
