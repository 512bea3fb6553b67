//! `omnimix optimize`: output contract, plan round trip, determinism, bad flags.

use crate::util::*;
use std::fs;

fn optimize(d: &Dir, out: &str, extra: &[&str]) -> std::process::Output {
    let quick = [
        "--evals",
        "40",
        "--search-scale",
        "2",
        "--replications",
        "2",
    ];
    run_small(d, "optimize", out, &[&quick[..], extra].concat())
}

#[test]
fn writes_plan_summary_and_trace_and_the_plan_loads_back() {
    let d = Dir::new();
    let o = optimize(&d, "o", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = fs::read_to_string(d.join("o/plan.csv")).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "country,channel,spend,service_staff,specialists,share"
    );
    let trace = fs::read_to_string(d.join("o/trace.csv")).unwrap();
    assert_eq!(trace.lines().next().unwrap(), "evaluation,best");
    assert!(trace.lines().count() > 1);
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("o/summary.json")).unwrap()).unwrap();
    assert_eq!(s["objective"], "value");
    for who in ["plan", "current", "equal_split"] {
        assert!(s[who]["revenue"]["mean"].is_number(), "{who}");
    }
    assert!(s["difference_vs_current"]["retention"]["mean"].is_number());
    // the plan costs no more than the budget over the horizon
    let budget = 3_000_000.0 * 20.0 / 52.0;
    assert!(s["plan"]["cost_total"]["mean"].as_f64().unwrap() <= budget * (1.0 + 1e-9));
    // plan.json is accepted by simulate --plan
    let f = d.join("small.toml");
    let out = d.join("replay");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        d.join("o/plan.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn same_seed_same_plan_on_1_and_2_threads() {
    let d = Dir::new();
    for t in ["1", "2"] {
        let o = optimize(&d, &format!("t{t}"), &["--threads", t, "--seed", "5"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(
        fs::read(d.join("t1/plan.json")).unwrap(),
        fs::read(d.join("t2/plan.json")).unwrap()
    );
}

#[test]
fn pareto_writes_a_front() {
    let d = Dir::new();
    let o = optimize(&d, "p", &["--objective", "pareto"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let front = fs::read_to_string(d.join("p/pareto.csv")).unwrap();
    assert_eq!(
        front.lines().next().unwrap(),
        "point,retention,roi,cost_total"
    );
    let pts: Vec<(f64, f64)> = front
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            (c[1], c[2])
        })
        .collect();
    assert!(!pts.is_empty());
    for a in &pts {
        for b in &pts {
            let dominates = b.0 >= a.0 && b.1 >= a.1 && (b.0 > a.0 || b.1 > a.1);
            assert!(!dominates, "{b:?} dominates {a:?}");
        }
    }
}

#[test]
fn bad_optimize_flags_are_bad_input() {
    let d = Dir::new();
    assert_bad_input(
        &optimize(&d, "x", &["--objective", "happiness"]),
        &["--objective happiness"],
    );
    assert_bad_input(
        &optimize(&d, "x", &["--risk", "cvar:2"]),
        &["--risk cvar:2"],
    );
    let f = d.file("small.toml", SMALL);
    assert_bad_input(
        &run(&["optimize", f.to_str().unwrap(), "--evals", "3"]),
        &["--evals 3"],
    );
    assert_bad_input(
        &optimize(&d, "x", &["--phases", "0"]),
        &["--phases 0: between 1 and the horizon's 20 weeks"],
    );
    assert_bad_input(&optimize(&d, "x", &["--phases", "21"]), &["--phases 21"]);
}

#[test]
fn phased_plan_has_a_plan_per_quarter_that_adds_up_and_loads_back() {
    let d = Dir::new();
    let o = optimize(&d, "q", &["--phases", "4"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("q/plan.json")).unwrap()).unwrap();
    let phases = plan["strategy"]["phases"].as_array().unwrap();
    let weeks: Vec<u64> = phases
        .iter()
        .map(|p| p["weeks"].as_u64().unwrap())
        .collect();
    assert_eq!(weeks, [5, 5, 5, 5]);
    // the report shows the spend per phase
    assert!(d.join("q/charts/phases.svg").exists());
    assert!(d.join("q/charts/phases.png").exists());
    let html = fs::read_to_string(d.join("q/report.html")).unwrap();
    assert!(html.contains("Spend per phase"));
    // plan_phases.csv: each country x paid channel's phase spend adds up to its
    // annual average over the 20-week horizon
    let rows = fs::read_to_string(d.join("q/plan_phases.csv")).unwrap();
    let mut lines = rows.lines();
    assert_eq!(
        lines.next().unwrap(),
        "phase,first_week,last_week,country,channel,annual_rate,spend"
    );
    let mut total = std::collections::BTreeMap::<(String, String), f64>::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        *total.entry((f[3].into(), f[4].into())).or_default() += f[6].parse::<f64>().unwrap();
    }
    assert!(!total.is_empty());
    for ((code, ch), spent) in &total {
        let avg = plan["strategy"]["annual_spend"][code][ch].as_f64().unwrap();
        assert!(
            (spent - avg * 20.0 / 52.0).abs() <= 1e-6 * avg.max(1.0),
            "{code} {ch}: {spent} vs {}",
            avg * 20.0 / 52.0
        );
    }
    let f = d.join("small.toml");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        d.join("q/plan.json").to_str().unwrap(),
        "--out",
        d.join("replay").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn pareto_and_target_searches_checkpoint_and_resume() {
    let d = Dir::new();
    let cp = |name: &str| d.join(name).to_str().unwrap().to_string();
    for (name, extra, file) in [
        ("pareto", vec!["--objective", "pareto"], "pareto.csv"),
        ("target", vec!["--target", "retention=0.5"], "plan.json"),
    ] {
        let dir = cp(&format!("cp_{name}"));
        let mut a = extra.clone();
        a.extend(["--checkpoint", dir.as_str()]);
        let o = optimize(&d, name, &a);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert!(d.join(&format!("cp_{name}/checkpoint.json")).exists());
        a.push("--resume");
        let again = format!("{name}_again");
        let o = optimize(&d, &again, &a);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(
            fs::read(d.join(&format!("{name}/{file}"))).unwrap(),
            fs::read(d.join(&format!("{again}/{file}"))).unwrap(),
            "{name}"
        );
    }
    // a checkpoint of one kind of search is refused by another
    let dir = cp("cp_pareto");
    assert_bad_input(
        &optimize(&d, "x", &["--checkpoint", &dir, "--resume"]),
        &[
            "written by another run",
            "objective pareto (this run: value)",
        ],
    );
}

#[test]
fn killed_run_resumes_to_the_same_plan() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let args = |out: &str, cp: &str| -> Vec<String> {
        [
            "optimize",
            f.to_str().unwrap(),
            "--evals",
            "1500",
            "--search-scale",
            "1",
            "--replications",
            "2",
            "--seed",
            "9",
            "--out",
            d.join(out).to_str().unwrap(),
            "--checkpoint",
            d.join(cp).to_str().unwrap(),
            "-q",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    // uninterrupted
    let a = args("whole", "cp_whole");
    let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // killed with SIGKILL once the checkpoint shows progress, then resumed
    let b = args("resumed", "cp_killed");
    let mut child = omnimix()
        .args(&b)
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let cp = d.join("cp_killed/checkpoint.json");
    let started = std::time::Instant::now();
    let mut killed_at = None;
    while started.elapsed() < std::time::Duration::from_secs(120) {
        if let Some(done) = fs::read_to_string(&cp)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v["state"]["evals_done"].as_u64())
            && done >= 200
        {
            child.kill().unwrap();
            killed_at = Some(done);
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    assert!(
        killed_at.is_some() && !status.success(),
        "the run was killed mid-search"
    );
    assert!(
        !d.join("resumed/plan.json").exists(),
        "a killed run writes no plan"
    );
    let mut r = b.clone();
    r.push("--resume".into());
    let o = run(&r.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        fs::read(d.join("whole/plan.json")).unwrap(),
        fs::read(d.join("resumed/plan.json")).unwrap()
    );
    assert_eq!(
        fs::read(d.join("whole/summary.json")).unwrap(),
        fs::read(d.join("resumed/summary.json")).unwrap()
    );
}

#[test]
fn resume_without_a_checkpoint_is_bad_input() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let o = run(&[
        "optimize",
        f.to_str().unwrap(),
        "--checkpoint",
        d.join("none").to_str().unwrap(),
        "--resume",
        "-q",
    ]);
    assert_bad_input(&o, &["--resume: cannot read"]);
}

#[test]
fn target_finds_a_budget_whose_plan_meets_it_on_fresh_replications() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("t");
    let o = run(&[
        "optimize",
        f.to_str().unwrap(),
        "--target",
        "retention=0.62",
        "--evals",
        "80",
        "--search-scale",
        "1",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let t = &s["target"];
    assert_eq!(t["kpi"], "retention");
    assert_eq!(t["met_on_fresh_replications"], true, "{t}");
    let needed = t["annual_budget_needed"].as_f64().unwrap();
    assert!(needed > 0.0 && needed <= 3_000_000.0, "{needed}");
    assert!(s["plan"]["retention_horizon"]["mean"].as_f64().unwrap() >= 0.62);
    // an unreachable target is a clear failure, not a panic
    let o = run(&[
        "optimize",
        f.to_str().unwrap(),
        "--target",
        "retention=0.99",
        "--evals",
        "40",
        "--search-scale",
        "2",
        "--out",
        d.join("unreached").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not reached even at the largest budget tried"),
        "{}",
        stderr(&o)
    );
    assert_bad_input(
        &run(&["optimize", f.to_str().unwrap(), "--target", "happiness=1"]),
        &["--target happiness=1"],
    );
}

#[test]
fn optimized_plan_beats_current_and_equal_split_out_of_sample_on_a_preset() {
    let d = Dir::new();
    let preset =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/multi-vs-omni.toml");
    let out = d.join("mvo");
    let o = run(&[
        "optimize",
        preset.to_str().unwrap(),
        "--set",
        "agent_scale=100",
        "--evals",
        "60",
        "--search-scale",
        "2",
        "--replications",
        "4",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    // the objective searched (value, the default) is higher than both baselines'
    for baseline in ["difference_vs_current", "difference_vs_equal_split"] {
        let d = &s[baseline]["value"];
        assert!(
            d["lo"].as_f64().unwrap() > 0.0,
            "{baseline}: the interval must exclude zero: {d}"
        );
    }
    // and at no more cost than the budget
    let budget = s["plan"]["cost_total"]["mean"].as_f64().unwrap();
    assert!(budget <= 40_000_000.0 * (1.0 + 1e-9));
}

#[test]
fn fixed_decisions_and_bounds_are_kept_and_conflicts_reported_before_search() {
    let d = Dir::new();
    let o = optimize(
        &d,
        "fx",
        &[
            "--fix",
            "DE/*/spend",
            "--fix",
            "creative_share=0.3",
            "--set",
            "optimize.headcount_cap.DE=4",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("fx/plan.json")).unwrap()).unwrap();
    let st = &plan["strategy"];
    assert_eq!(st["creative_share"], 0.3);
    assert_eq!(st["annual_spend"]["DE"]["search"], 400_000.0);
    assert_eq!(st["annual_spend"]["DE"]["email"], 60_000.0);
    let de_staff: f64 = st["service_staff"]["DE"]
        .as_object()
        .map_or(0.0, |m| m.values().map(|v| v.as_f64().unwrap()).sum());
    assert!(de_staff <= 4.0, "{de_staff}");
    assert_bad_input(
        &optimize(&d, "x", &["--fix", "XX/*/spend"]),
        &["matches no decision"],
    );
    assert_bad_input(
        &optimize(&d, "x", &["--fix", "creative_share=lots"]),
        &["--fix creative_share=lots"],
    );
    assert_bad_input(
        &optimize(&d, "x", &["--set", "optimize.country_spend.DE.min=5e6"]),
        &["cannot all be met", "country_spend.DE"],
    );
    assert_bad_input(
        &optimize(&d, "x", &["--set", "optimize.channel_spend.tiktok.max=1"]),
        &["optimize.channel_spend.tiktok"],
    );
}

#[test]
fn budget_workbook_has_the_sheets_and_every_money_table_adds_up_to_the_total_cost() {
    use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
    let d = Dir::new();
    let o = optimize(&d, "wb", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = fs::read(d.join("wb/budget.xlsx")).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "By country",
            "By channel",
            "Country x channel",
            "Staffing",
            "Integration",
            "Assumptions"
        ]
    );
    // the plan's total planned cost, as the Assumptions sheet states it
    let assumptions = wb.worksheet_range("Assumptions").unwrap();
    let total = assumptions
        .rows()
        .find(|r| r[0] == Data::String("planned total cost over the horizon".into()))
        .and_then(|r| r[1].as_f64())
        .expect("the planned total cost");
    assert!(total > 0.0);
    for sheet in ["By country", "By channel", "Country x channel"] {
        let range = wb.worksheet_range(sheet).unwrap();
        let rows: Vec<_> = range.rows().collect();
        let col = |name: &str| {
            rows[0]
                .iter()
                .position(|h| *h == Data::String(name.into()))
                .unwrap_or_else(|| panic!("{sheet}: no column {name}"))
        };
        let (cost, share) = (col("total cost"), col("share of total cost"));
        let last = rows.last().unwrap();
        assert_eq!(last[0], Data::String("Total".into()));
        let body = &rows[1..rows.len() - 1];
        let sum = |c: usize| -> f64 { body.iter().map(|r| r[c].as_f64().unwrap()).sum() };
        assert!(
            (sum(cost) - total).abs() < 1e-6 * total,
            "{sheet}: rows add up to {} of {total}",
            sum(cost)
        );
        assert!(
            (sum(share) - 1.0).abs() < 1e-9,
            "{sheet}: shares {}",
            sum(share)
        );
        assert!((last[cost].as_f64().unwrap() - total).abs() < 1e-6 * total);
    }
    let formulas = wb.worksheet_formula("Country x channel").unwrap();
    assert!(
        formulas.rows().flatten().any(|f| f.starts_with("SUM(C2:C")),
        "totals are formulas"
    );
    // the CSV copies hold the same rows
    let csv = fs::read_to_string(d.join("wb/budget_by_country.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("total cost") && header.contains("integration capex"),
        "{header}"
    );
    assert!(d.join("wb/budget_integration.csv").is_file());
    // the Summary sheet names KPIs for readers and counts whole customers
    let summary = wb.worksheet_range("Summary").unwrap();
    let rows: Vec<_> = summary.rows().collect();
    let names: Vec<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
    assert!(names.contains(&"total cost".to_string()), "{names:?}");
    assert!(
        names.iter().all(|n| !n.contains('_')),
        "raw KPI names: {names:?}"
    );
    let active = rows
        .iter()
        .find(|r| r[0] == Data::String("active customers (horizon)".into()))
        .expect("active customers");
    for v in &active[1..4] {
        let x = v.as_f64().unwrap();
        assert_eq!(x, x.round(), "whole customers: {x}");
    }
}

#[test]
fn an_out_folder_that_cannot_be_written_is_bad_input_before_any_work() {
    let d = Dir::new();
    let file = d.file("not-a-folder", "");
    let out = file.join("out");
    for command in ["optimize", "simulate", "compare", "attribute"] {
        let mut args = vec![command];
        if command == "attribute" {
            args.push("--truth");
        }
        args.extend(["--out", out.to_str().unwrap(), "-q"]);
        if command == "compare" {
            args.extend(["--variant", "x:finance.annual_budget=9e7"]);
        }
        assert_bad_input(&run(&args), &["--out", "cannot write there"]);
    }
}

#[test]
fn the_printed_table_shows_figures_in_readers_units() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("printed");
    let o = run(&[
        "optimize",
        f.to_str().unwrap(),
        "--evals",
        "40",
        "--search-scale",
        "2",
        "--replications",
        "2",
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed = stdout(&o);
    let line = |label: &str| {
        printed
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row: {printed}"))
            .to_string()
    };
    // money with its currency and the scale, shares in %, customers whole
    assert!(line("NPV").contains(" EUR"), "{printed}");
    assert!(line("12-month retention").contains(" %"), "{printed}");
    assert!(line("total cost").contains(" EUR"), "{printed}");
    let customers = line("active customers");
    assert!(!customers.contains('.'), "whole customers: {customers}");
    // no raw float (`313387926.9289`) anywhere
    for word in printed.split_whitespace() {
        let digits = word.trim_matches(|c: char| !c.is_ascii_digit());
        assert!(
            !(digits.len() > 8 && digits.chars().all(|c| c.is_ascii_digit() || c == '.')),
            "raw float {word}: {printed}"
        );
    }
    assert!(printed.contains("gain vs current"), "{printed}");
}
