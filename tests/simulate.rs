//! `omnimix simulate`: outputs, determinism across thread counts, options.

use crate::util::*;
use std::fs;

fn simulate(d: &Dir, out: &str, extra: &[&str]) -> std::process::Output {
    run_small(d, "simulate", out, extra)
}

#[test]
fn writes_summary_and_weekly_with_the_contract_columns() {
    let d = Dir::new();
    let o = simulate(&d, "o", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let weekly = fs::read_to_string(d.join("o/weekly.csv")).unwrap();
    let header = weekly.lines().next().unwrap();
    assert_eq!(
        header,
        "week,country,channel,spend,impressions,reach,contacts,conversions,revenue,mean_wait_min,abandon_rate,active_customers,churned,demand_index,bopis_orders,cross_channel_conversions,handover_losses"
    );
    // 20 weeks x 2 countries x 10 channels
    assert_eq!(weekly.lines().count(), 1 + 20 * 2 * 10);
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("o/summary.json")).unwrap()).unwrap();
    assert_eq!(s["scenario"], "small");
    assert_eq!(s["replications"], 2);
    assert_eq!(s["agent_scale"], 10);
    for key in [
        "retention_horizon",
        "active_customers",
        "conversions",
        "revenue",
        "cost_media",
        "cost_staff",
        "cost_integration",
        "roi",
        "npv",
        "inconsistency_events",
        "opt_outs",
    ] {
        let k = &s["company"][key];
        assert!(
            k["mean"].is_number() && k["lo"].is_number() && k["hi"].is_number(),
            "{key}: {k}"
        );
        assert!(
            k["lo"].as_f64() <= k["mean"].as_f64() && k["mean"].as_f64() <= k["hi"].as_f64(),
            "{key}: {k}"
        );
        assert!(s["countries"]["DE"][key].is_object(), "per country {key}");
    }
    // horizon < 52 weeks: no 12-month retention is reported
    assert!(s["company"].get("retention_12m").is_none());
    let cc = &s["countries"]["DE"]["service"]["call_centre"];
    assert!(
        cc["mean_wait_min"]["mean"].is_number() && cc["abandon_rate"]["mean"].is_number(),
        "{cc}"
    );
    assert!(
        !d.join("o/journeys.csv").exists(),
        "journeys only with --journeys"
    );
}

#[test]
fn same_seed_is_byte_identical_on_1_2_and_7_threads() {
    let d = Dir::new();
    let mut outputs = Vec::new();
    for t in ["1", "2", "7"] {
        let name = format!("t{t}");
        let o = simulate(
            &d,
            &name,
            &["--threads", t, "--journeys", "--true-journeys"],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let files: Vec<Vec<u8>> = [
            "summary.json",
            "weekly.csv",
            "journeys.csv",
            "true_journeys.csv",
        ]
        .iter()
        .map(|f| fs::read(d.join(&name).join(f)).unwrap())
        .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1], "1 vs 2 threads");
    assert_eq!(outputs[0], outputs[2], "1 vs 7 threads");
}

#[test]
fn different_seeds_differ() {
    let d = Dir::new();
    simulate(&d, "a", &["--seed", "1"]);
    simulate(&d, "b", &["--seed", "2"]);
    assert_ne!(
        fs::read(d.join("a/weekly.csv")).unwrap(),
        fs::read(d.join("b/weekly.csv")).unwrap()
    );
}

#[test]
fn journeys_csv_is_the_attribution_input_format() {
    let d = Dir::new();
    let o = simulate(&d, "j", &["--journeys"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j = fs::read_to_string(d.join("j/journeys.csv")).unwrap();
    let mut lines = j.lines();
    assert_eq!(
        lines.next().unwrap(),
        "country,path,total_conversions,total_null,total_conversion_value"
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 5, "several distinct paths");
    assert!(
        rows.iter().any(|r| r.contains(" > ")),
        "multi-touch paths joined by ' > '"
    );
    let mut conv = 0.0;
    for r in &rows {
        let cols: Vec<&str> = r.rsplitn(4, ',').collect();
        conv += cols[2].parse::<f64>().unwrap();
        assert!(
            cols.iter()
                .take(3)
                .all(|c| c.parse::<f64>().is_ok_and(|x| x >= 0.0)),
            "{r}"
        );
    }
    assert!(conv > 0.0);
}

/// A journeys CSV as (distinct paths, converting journeys, touches per journey,
/// touches per converting journey).
fn path_stats(csv: &str) -> (usize, f64, f64, f64) {
    let (mut rows, mut conv, mut all, mut touches, mut conv_touches) = (0, 0.0, 0.0, 0.0, 0.0);
    for r in csv.lines().skip(1) {
        let c: Vec<&str> = r.split(',').collect();
        let len = c[1].split(" > ").filter(|s| !s.is_empty()).count() as f64;
        let (n, null) = (c[2].parse::<f64>().unwrap(), c[3].parse::<f64>().unwrap());
        rows += 1;
        conv += n;
        all += n + null;
        touches += (n + null) * len;
        conv_touches += n * len;
    }
    (rows, conv, touches / all, conv_touches / conv)
}

#[test]
fn observed_journeys_hold_fewer_shorter_paths_than_the_true_ones() {
    let d = Dir::new();
    let o = simulate(&d, "j", &["--true-journeys"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = |f: &str| fs::read_to_string(d.join("j").join(f)).unwrap();
    let (observed, truth) = (read("journeys.csv"), read("true_journeys.csv"));
    assert_eq!(
        observed.lines().next(),
        truth.lines().next(),
        "the same columns"
    );
    let (o_rows, o_conv, o_len, o_conv_len) = path_stats(&observed);
    let (t_rows, t_conv, t_len, t_conv_len) = path_stats(&truth);
    assert!(o_rows > 0 && o_conv > 0.0, "something is observed");
    assert!(o_rows < t_rows, "distinct paths: {o_rows} vs {t_rows}");
    assert!(o_conv < t_conv, "orders with a path: {o_conv} vs {t_conv}");
    assert!(o_len < t_len, "touches per journey: {o_len} vs {t_len}");
    assert!(
        o_conv_len < t_conv_len,
        "touches per converting journey: {o_conv_len} vs {t_conv_len}"
    );
    // --journeys alone writes the observed journeys only, the same as above
    let o = simulate(&d, "k", &["--journeys"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(d.join("k/journeys.csv")).unwrap(),
        observed
    );
    assert!(!d.join("k/true_journeys.csv").exists());
}

#[test]
fn replications_and_strategy_flags() {
    let d = Dir::new();
    let o = simulate(&d, "r", &["--replications", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("r/summary.json")).unwrap()).unwrap();
    assert_eq!(s["replications"], 1);
    assert!(
        s["company"]["revenue"]["lo"].is_null(),
        "no interval from one replication"
    );
    let o = simulate(&d, "x", &["--strategy", "nonexistent"]);
    assert_bad_input(&o, &["--strategy nonexistent", "known: current"]);
    let o = simulate(&d, "x", &["--threads", "0"]);
    assert_bad_input(&o, &["--threads 0"]);
}

#[test]
fn default_scenario_runs_without_a_file() {
    let d = Dir::new();
    let out = d.join("def");
    let o = run(&[
        "simulate",
        "--out",
        out.to_str().unwrap(),
        "--replications",
        "1",
        "--set",
        "agent_scale=2000",
        "--set",
        "horizon_weeks=4",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("global-retail"));
    assert!(out.join("summary.json").exists());
}

#[test]
fn output_into_a_file_path_fails_cleanly() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let blocker = d.file("blocker", "not a folder");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--out",
        blocker.join("sub").to_str().unwrap(),
        "-q",
    ]);
    // found before any run, as bad input
    assert_eq!(o.status.code(), Some(2), "bad input: {}", stderr(&o));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
}

#[test]
fn plan_file_replaces_the_strategy_and_is_validated() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let plan = r#"{"scenario": "small", "strategy": {
        "creative_share": 0.2,
        "annual_spend": {"DE": {"search": 300000, "call_centre": 20000}, "KE": {"social": 80000}},
        "specialists": {"DE": {"search": 2}, "KE": {"social": 1}},
        "service_staff": {"DE": {"call_centre": 8}}
    }}"#;
    let p = d.file("plan.json", plan);
    let out = d.join("p");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["strategy"], "plan");
    let weekly = fs::read_to_string(out.join("weekly.csv")).unwrap();
    // the plan has no store in KE: no store spend anywhere
    assert!(
        weekly
            .lines()
            .filter(|l| l.contains(",KE,store,"))
            .all(|l| l.split(',').nth(3) == Some("0.0"))
    );

    let bad = d.file("bad.json", &plan.replace("\"search\": 2", "\"search\": -2"));
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        bad.to_str().unwrap(),
        "-q",
    ]);
    assert_bad_input(
        &o,
        &["plan ", "bad.json", "strategy.specialists.DE.search = -2"],
    );
    let not_json = d.file("x.json", "{ nope");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        not_json.to_str().unwrap(),
        "-q",
    ]);
    assert_bad_input(&o, &["not valid JSON"]);
}

#[test]
fn country_without_paid_channels_runs() {
    // regression: agents with no channel to buy through must not index a channel table
    let d = Dir::new();
    let text = SMALL
        .replace(
            "[countries.KE]\npopulation = 30_000",
            "[countries.KE]\npopulation = 30_000\nchannels = [\"call_centre\"]",
        )
        .replace(
            "[strategy.annual_spend.KE]\nsocial = 100_000\nstore = 300_000",
            "[strategy.annual_spend.KE]\ncall_centre = 20_000",
        )
        .replace("[strategy.specialists.KE]\nsocial = 1\nstore = 1", "")
        .replace(
            "[strategy.service_staff.KE]\nstore = 3",
            "[strategy.service_staff.KE]\ncall_centre = 2",
        );
    let f = d.file("service_only.toml", &text);
    let out = d.join("o");
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--journeys",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["countries"]["KE"]["conversions"]["mean"], 0.0);
}

/// `simulate SMALL --plan PLAN` into `d/out`.
fn simulate_plan(d: &Dir, plan: &str) -> std::process::Output {
    let f = d.file("small.toml", SMALL);
    let p = d.file("plan.json", plan);
    let out = d.join("out");
    run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ])
}

#[test]
fn an_empty_plan_is_bad_input() {
    let d = Dir::new();
    for plan in [
        "{}",
        r#"{"strategy": {}}"#,
        r#"{"strategy": {"creative_share": 0.2, "annual_spend": {"DE": {}, "KE": {}}}}"#,
    ] {
        assert_bad_input(
            &simulate_plan(&d, plan),
            &["plan.json", "the plan is empty"],
        );
        assert!(
            !d.join("out/summary.json").exists(),
            "nothing run for {plan}"
        );
    }
}

#[test]
fn a_plan_that_leaves_out_a_country_is_bad_input_naming_it() {
    let d = Dir::new();
    let plan = r#"{"strategy": {"annual_spend": {"DE": {"search": 300000}}}}"#;
    assert_bad_input(
        &simulate_plan(&d, plan),
        &[
            "plan.json",
            "does not name 1 of the scenario's countries: KE",
            "\"others\": \"scenario\"",
        ],
    );
    // a country named with an empty table is named: it gets nothing
    let plan = r#"{"strategy": {"annual_spend": {"DE": {"search": 300000}, "KE": {}}}}"#;
    let o = simulate_plan(&d, plan);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let allocation = fs::read_to_string(d.join("out/allocation.csv")).unwrap();
    assert!(!allocation.contains(",KE,"), "{allocation}");
    let plan = r#"{"others": "everyone", "strategy": {"annual_spend": {"DE": {"search": 1}}}}"#;
    assert_bad_input(&simulate_plan(&d, plan), &["\"others\"", "\"scenario\""]);
}

#[test]
fn others_scenario_gives_the_countries_a_plan_leaves_out_the_scenario_strategy() {
    let d = Dir::new();
    let plan = r#"{"others": "scenario", "strategy": {
        "annual_spend": {"DE": {"search": 300000}}, "specialists": {"DE": {"search": 2}}}}"#;
    let o = simulate_plan(&d, plan);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let allocation = fs::read_to_string(d.join("out/allocation.csv")).unwrap();
    // DE as planned (no email, call centre), KE as in small.toml
    for row in [
        "plan,DE,search,300000.0,0.0,2.0",
        "plan,KE,social,100000.0,0.0,1.0",
        "plan,KE,store,300000.0,3.0,1.0",
    ] {
        assert!(allocation.contains(row), "{row} in\n{allocation}");
    }
    assert!(!allocation.contains("DE,email"), "{allocation}");
}

#[test]
fn others_scenario_keeps_the_scenario_phases_for_those_countries_only() {
    let d = Dir::new();
    let phased = format!(
        "{SMALL}\n[[strategy.phases]]\nweeks = 10\nannual_spend = {{ KE = {{ social = 520000 }}, DE = {{ search = 52000 }} }}\n"
    );
    let f = d.file("phased.toml", &phased);
    let run_plan = |plan: &str| {
        let p = d.file("plan.json", plan);
        run(&[
            "simulate",
            f.to_str().unwrap(),
            "--plan",
            p.to_str().unwrap(),
            "--out",
            d.join("out").to_str().unwrap(),
            "-q",
        ])
    };
    let o = run_plan(
        r#"{"others": "scenario", "strategy": {"annual_spend": {"DE": {"search": 104000}}}}"#,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let weekly = fs::read_to_string(d.join("out/weekly.csv")).unwrap();
    let spend = |country: &str, channel: &str, week: &str| -> f64 {
        weekly
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c[0] == week && c[1] == country && c[2] == channel)
            .map(|c| c[3].parse().unwrap())
            .unwrap()
    };
    // KE keeps its phase (520 000 a year in weeks 1-10, then 100 000); DE is the plan's alone
    assert!((spend("KE", "social", "1") - 10_000.0).abs() < 1e-6);
    assert!((spend("KE", "social", "11") - 100_000.0 / 52.0).abs() < 1e-6);
    assert!((spend("DE", "search", "1") - 2_000.0).abs() < 1e-6);
    // a plan with its own phases cannot keep the scenario's phased spend of KE
    let o = run_plan(
        r#"{"others": "scenario", "strategy": {"annual_spend": {"DE": {"search": 1e5}},
            "phases": [{"weeks": 5, "annual_spend": {"DE": {"search": 5e4}}}]}}"#,
    );
    assert_bad_input(&o, &["has its own phases", "KE"]);
}

#[test]
fn a_shared_reward_scheme_and_coordination_cost_their_line_and_a_share_above_1_is_bad_input() {
    let d = Dir::new();
    let o = simulate(
        &d,
        "org",
        &[
            "--set",
            "strategy.organisation.KE.shared_reward=1",
            "--set",
            "strategy.organisation.KE.coordination=1",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("org/summary.json")).unwrap()).unwrap();
    let mean = |scope: &serde_json::Value, k: &str| scope[k]["mean"].as_f64().unwrap();
    // KE pays its bonus pool and coordination function, DE (channel-only, silos) nothing
    assert!(mean(&s["countries"]["KE"], "cost_organisation") > 0.0);
    assert_eq!(mean(&s["countries"]["DE"], "cost_organisation"), 0.0);
    let c = &s["company"];
    let parts: f64 = [
        "cost_media",
        "cost_staff",
        "cost_integration",
        "cost_organisation",
    ]
    .iter()
    .map(|k| mean(c, k))
    .sum();
    assert!((parts - mean(c, "cost_total")).abs() < 1e-6 * parts);
    for k in [
        "bopis_orders",
        "cross_channel_conversions",
        "handover_losses",
    ] {
        assert!(c[k]["mean"].is_number(), "{k}");
    }
    let o = simulate(
        &d,
        "bad",
        &["--set", "strategy.organisation.KE.shared_reward=2"],
    );
    assert_bad_input(
        &o,
        &["strategy.organisation.KE.shared_reward", "between 0 and 1"],
    );
    let o = simulate(
        &d,
        "bad2",
        &["--set", "strategy.organisation.XX.coordination=1"],
    );
    assert_bad_input(&o, &["strategy.organisation.XX", "unknown country"]);
}
