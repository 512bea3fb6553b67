//! `--posterior`: replication r runs on draw r mod n of a posterior.csv, in simulate,
//! optimize and compare; the files say what the intervals cover; bad posteriors are
//! bad input.

use crate::util::*;
use std::fs;

/// Two draws of the search conversion rate 25 times apart.
const WIDE: &str = "draw,channels.search.conversion\n0,0.002\n1,0.05\n";

fn summary(d: &Dir, out: &str) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(d.join(&format!("{out}/summary.json"))).unwrap())
        .unwrap()
}

fn width(s: &serde_json::Value, kpi: &str) -> f64 {
    let k = &s["company"][kpi];
    k["hi"].as_f64().unwrap() - k["lo"].as_f64().unwrap()
}

#[test]
fn draws_that_differ_widely_widen_the_interval_of_conversions() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let reps = ["--replications", "4", "--seed", "5"];
    let o = run_small(&d, "simulate", "plain", &reps);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut extra = reps.to_vec();
    extra.extend(["--posterior", p.to_str().unwrap()]);
    let o = run_small(&d, "simulate", "post", &extra);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (plain, post) = (summary(&d, "plain"), summary(&d, "post"));
    assert!(
        width(&post, "conversions") > 3.0 * width(&plain, "conversions"),
        "with the posterior {} vs without {}",
        post["company"]["conversions"],
        plain["company"]["conversions"]
    );
    assert_eq!(plain["interval_covers"], "run-to-run noise");
    assert!(plain.get("posterior").is_none());
    assert_eq!(
        post["interval_covers"],
        "run-to-run noise and parameter uncertainty (2 posterior draws)"
    );
    assert_eq!(post["posterior"], p.to_str().unwrap());
}

#[test]
fn a_single_draw_equal_to_the_scenario_gives_the_same_numbers_as_no_posterior() {
    let d = Dir::new();
    let p = d.file(
        "one.csv",
        "draw,channels.search.conversion,finance.gross_margin\n0,0.02,0.4\n",
    );
    let set = [
        "--set",
        "channels.search.conversion=0.02",
        "--set",
        "finance.gross_margin=0.4",
    ];
    let o = run_small(&d, "simulate", "plain", &set);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut extra = set.to_vec();
    extra.extend(["--posterior", p.to_str().unwrap()]);
    let o = run_small(&d, "simulate", "post", &extra);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (plain, post) = (summary(&d, "plain"), summary(&d, "post"));
    assert_eq!(plain["company"], post["company"]);
    assert_eq!(plain["countries"], post["countries"]);
    assert_eq!(
        fs::read(d.join("plain/weekly.csv")).unwrap(),
        fs::read(d.join("post/weekly.csv")).unwrap()
    );
}

#[test]
fn with_a_posterior_results_are_byte_identical_on_one_and_two_threads() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let p = p.to_str().unwrap();
    for (out, t) in [("t1", "1"), ("t2", "2")] {
        let o = run_small(
            &d,
            "simulate",
            out,
            &["--posterior", p, "--threads", t, "--replications", "3"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for f in ["summary.json", "weekly.csv"] {
        assert_eq!(
            fs::read(d.join(&format!("t1/{f}"))).unwrap(),
            fs::read(d.join(&format!("t2/{f}"))).unwrap(),
            "{f}"
        );
    }
    for (out, t) in [("o1", "1"), ("o2", "2")] {
        let o = run_small(
            &d,
            "optimize",
            out,
            &[
                "--posterior",
                p,
                "--threads",
                t,
                "--evals",
                "20",
                "--replications",
                "3",
                "--no-report",
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    for f in ["summary.json", "plan.json", "trace.csv"] {
        assert_eq!(
            fs::read(d.join(&format!("o1/{f}"))).unwrap(),
            fs::read(d.join(&format!("o2/{f}"))).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn the_scenarios_calibrate_posterior_is_used_relative_to_its_file_and_none_turns_it_off() {
    let d = Dir::new();
    fs::create_dir(d.join("s")).unwrap();
    let text = format!("{SMALL}\n[calibrate]\nposterior = \"p.csv\"\n");
    fs::write(d.join("s/small.toml"), text).unwrap();
    fs::write(d.join("s/p.csv"), WIDE).unwrap();
    let f = d.join("s/small.toml");
    let f = f.to_str().unwrap();
    for (out, extra) in [("with", vec![]), ("without", vec!["--posterior", "none"])] {
        let out = d.join(out);
        let mut args = vec!["simulate", f, "--out", out.to_str().unwrap(), "-q"];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(
        summary(&d, "with")["interval_covers"],
        "run-to-run noise and parameter uncertainty (2 posterior draws)"
    );
    assert_eq!(
        summary(&d, "without")["interval_covers"],
        "run-to-run noise"
    );
}

#[test]
fn the_terminal_table_says_what_the_intervals_cover() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let f = d.file("small.toml", SMALL);
    let out = d.join("o");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--posterior",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "The intervals cover run-to-run noise and parameter uncertainty (2 posterior draws)."
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn bad_posteriors_are_bad_input_naming_file_row_and_column() {
    let d = Dir::new();
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "header.csv",
            "draw,channels.search.conversion\n",
            &["no draws"],
        ),
        (
            "nodraw.csv",
            "x,channels.search.conversion\n0,0.1\n",
            &["no `draw` column"],
        ),
        (
            "path.csv",
            "draw,channels.search.nope\n0,0.1\n",
            &["column channels.search.nope", "not a numeric key path"],
        ),
        (
            "text.csv",
            "draw,channels.search.conversion\n0,abc\n",
            &[
                "row 2 (draw 0)",
                "column channels.search.conversion",
                "`abc`",
            ],
        ),
        (
            "nan.csv",
            "draw,channels.search.conversion\n0,0.01\n1,NaN\n",
            &["row 3 (draw 1)", "`NaN`"],
        ),
        (
            "range.csv",
            "draw,channels.search.conversion\n0,0.01\n7,-3\n",
            &[
                "draw 7",
                "channels.search.conversion = -3",
                "between 0 and 1",
            ],
        ),
        ("missing-dir/none.csv", "", &["cannot read"]),
    ];
    for (name, text, needles) in cases {
        let p = if name.contains('/') {
            d.join(name)
        } else {
            d.file(name, text)
        };
        for cmd in ["simulate", "optimize", "compare"] {
            let out = format!("out-{cmd}-{name}").replace('/', "-");
            let o = if cmd == "compare" {
                let f = d.file("small.toml", SMALL);
                let out = d.join(&out);
                run(&[
                    "compare",
                    f.to_str().unwrap(),
                    "--variant",
                    "more:finance.annual_budget=4e6",
                    "--out",
                    out.to_str().unwrap(),
                    "-q",
                    "--posterior",
                    p.to_str().unwrap(),
                ])
            } else {
                run_small(&d, cmd, &out, &["--posterior", p.to_str().unwrap()])
            };
            let mut all = vec![format!("posterior {}", p.display())];
            all.extend(needles.iter().map(|n| n.to_string()));
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            assert_bad_input(&o, &all);
            assert!(
                !d.join(&out).exists(),
                "{cmd} {name}: nothing run or written"
            );
        }
    }
}

#[test]
fn optimize_with_a_posterior_runs_and_its_summary_says_what_the_intervals_cover() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let o = run_small(
        &d,
        "optimize",
        "o",
        &[
            "--evals",
            "20",
            "--replications",
            "2",
            "--posterior",
            p.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = summary(&d, "o");
    assert_eq!(
        s["interval_covers"],
        "run-to-run noise and parameter uncertainty (2 posterior draws)"
    );
    assert_eq!(s["posterior"], p.to_str().unwrap());
    assert!(s["plan"]["revenue"]["mean"].is_number());
    let html = fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(html.contains("parameter uncertainty (2 posterior draws)"));
    let assumptions = fs::read_to_string(d.join("o/budget_assumptions.csv")).unwrap();
    assert!(
        assumptions.contains("parameter uncertainty (2 posterior draws)"),
        "{assumptions}"
    );
}

#[test]
fn compare_with_a_posterior_widens_the_intervals_and_keeps_differences_paired() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let f = d.file("small.toml", SMALL);
    let go = |out: &str, extra: &[&str]| {
        let out = d.join(out);
        let mut args = vec![
            "compare",
            f.to_str().unwrap(),
            "--variant",
            "same:finance.annual_budget=3000000",
            "--replications",
            "4",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        fs::read_to_string(out.join("compare.csv")).unwrap()
    };
    // (lo, hi) of a scenario's KPI, and the difference's (mean, lo, hi)
    let row = |csv: &str, scenario: &str, kpi: &str| -> Vec<f64> {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{scenario},{kpi},")))
            .unwrap_or_else(|| panic!("{scenario} {kpi} in\n{csv}"));
        line.split(',')
            .skip(2)
            .map(|x| x.parse().unwrap())
            .collect()
    };
    let plain = go("plain", &[]);
    let post = go("post", &["--posterior", p.to_str().unwrap()]);
    assert!(
        plain.starts_with("scenario,kpi,mean,lo,hi,n,difference,difference_lo,difference_hi"),
        "{plain}"
    );
    let w = |csv: &str| {
        let r = row(csv, "baseline", "new_customers");
        r[2] - r[1]
    };
    assert!(w(&post) > 3.0 * w(&plain), "{post}\n{plain}");
    // the variant equals the baseline: on the same replication and draw the paired
    // difference is exactly zero
    assert_eq!(row(&post, "same", "new_customers")[4..], [0.0, 0.0, 0.0]);
    let html = fs::read_to_string(d.join("post/compare.html")).unwrap();
    assert!(html.contains("parameter uncertainty (2 posterior draws)"));
}

#[test]
fn resume_refuses_a_checkpoint_written_with_another_posterior() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let cp = d.join("cp");
    let go = |out: &str, extra: &[&str]| {
        let mut a = vec![
            "--evals",
            "20",
            "--replications",
            "2",
            "--checkpoint",
            cp.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        run_small(&d, "optimize", out, &a)
    };
    let o = go("first", &["--posterior", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_bad_input(
        &go("x", &["--resume"]),
        &[
            "written by another run",
            "posterior",
            "2 draws",
            "(this run: none)",
        ],
    );
    let o = go("again", &["--resume", "--posterior", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_variant_of_a_posterior_parameter_is_bad_input_and_a_set_of_one_is_noted() {
    let d = Dir::new();
    let p = d.file("posterior.csv", WIDE);
    let f = d.file("small.toml", SMALL);
    let out = d.join("c");
    let o = run(&[
        "compare",
        f.to_str().unwrap(),
        "--variant",
        "conv:channels.search.conversion=0.03",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--posterior",
        p.to_str().unwrap(),
    ]);
    assert_bad_input(
        &o,
        &[
            "--variant conv: channels.search.conversion is a parameter of the posterior",
            "--posterior none",
        ],
    );
    assert!(!out.exists());
    let o = run_small(
        &d,
        "simulate",
        "s",
        &[
            "--set",
            "channels.search.conversion=0.03",
            "--posterior",
            p.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "note: --set channels.search.conversion: the posterior's draws replace this value"
        ),
        "{}",
        stderr(&o)
    );
}
