//! `omnimix attribute`: journeys from `simulate --journeys` in, attribution.csv out.

use crate::util::*;
use std::collections::BTreeMap;
use std::fs;

#[test]
fn attributes_simulated_journeys_with_every_model() {
    let d = Dir::new();
    let o = run_small(&d, "simulate", "sim", &["--journeys"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let journeys = d.join("sim/journeys.csv");
    let out = d.join("attr");
    let o = run(&[
        "attribute",
        journeys.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = fs::read_to_string(out.join("attribution.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "model,channel,conversions,value,share,std_error"
    );
    let mut shares: BTreeMap<String, f64> = BTreeMap::new();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        *shares.entry(c[0].to_string()).or_default() += c[4].parse::<f64>().unwrap();
    }
    assert!(shares.len() >= 8, "{shares:?}");
    for (m, s) in shares {
        assert!((s - 1.0).abs() < 1e-9, "{m}: shares sum to {s}");
    }
}

#[test]
fn bad_attribution_input_is_bad_input() {
    let d = Dir::new();
    let f = d.file(
        "j.csv",
        "path,total_conversions,total_null,total_conversion_value\nsearch > email,3,x,10\n",
    );
    assert_bad_input(
        &run(&["attribute", f.to_str().unwrap(), "-q"]),
        &["j.csv", "total_null"],
    );
    let ok = d.file(
        "ok.csv",
        "path,total_conversions,total_null,total_conversion_value\nsearch > email,3,1,10\n",
    );
    assert_bad_input(
        &run(&["attribute", ok.to_str().unwrap(), "--models", "magic", "-q"]),
        &["--models magic"],
    );
    assert_bad_input(
        &run(&["attribute", "/no/such.csv", "-q"]),
        &["cannot read /no/such.csv"],
    );
}

#[test]
fn truth_gives_a_channel_without_effect_nothing_while_models_still_credit_it() {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("truth");
    // social touches happen (and show up in paths) but cannot convert, build
    // familiarity or remind a customer to buy again; unified customer data is live
    // from week 0, so the company sees social touches on the paths of store orders
    let o = run(&[
        "attribute",
        "--truth",
        "--scenario",
        f.to_str().unwrap(),
        "--set",
        "integration.unified_data.delay_weeks=0",
        "--set",
        "strategy.integration.KE.unified_data=0",
        "--set",
        "channels.social.conversion=0",
        "--set",
        "channels.social.familiarity_gain=0",
        "--set",
        "channels.social.reminder_uplift=0",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let truth = fs::read_to_string(out.join("truth.csv")).unwrap();
    assert_eq!(
        truth.lines().next().unwrap(),
        "country,channel,incremental_orders,incremental_revenue,share,cost,incremental_profit,roi,mroi"
    );
    let share = |file: &str, model: Option<&str>, ch: &str| -> f64 {
        fs::read_to_string(out.join(file))
            .unwrap()
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| {
                c[1] == ch && model.is_none_or(|m| c[0] == m) && (model.is_some() || c[0] == "ALL")
            })
            .map(|c| c[4].parse::<f64>().unwrap())
            .unwrap_or(0.0)
    };
    assert!(
        share("truth.csv", None, "social") < 0.02,
        "true share of social"
    );
    assert!(
        share("truth.csv", None, "search") > 0.1,
        "search has an effect"
    );
    assert!(
        share("attribution.csv", Some("linear"), "social") > 0.02,
        "linear still credits social"
    );
    let errors = fs::read_to_string(out.join("errors.csv")).unwrap();
    assert_eq!(
        errors.lines().next().unwrap(),
        "model,total_absolute_share_error,error_true_paths,measurement_loss"
    );
    assert!(errors.lines().count() > 8);
    assert!(out.join("journeys.csv").exists() && out.join("true_journeys.csv").exists());
    let svg = fs::read_to_string(out.join("attribution.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("truth") && svg.contains("social"),
        "chart with the truth"
    );
    assert_bad_input(
        &run(&["attribute", "--truth", f.to_str().unwrap(), "-q"]),
        &["--truth simulates its own journeys"],
    );
    assert_bad_input(&run(&["attribute", "-q"]), &["give a journeys CSV"]);
}

/// `attribute --truth` on the small scenario with unified customer data live from
/// week 0 in both countries, or never: errors.csv as model → (error on the observed
/// paths, error on the true paths).
fn errors_with_unified_data(live: bool) -> BTreeMap<String, (f64, f64)> {
    let d = Dir::new();
    let f = d.file("small.toml", SMALL);
    let out = d.join("truth");
    let mut args = vec![
        "attribute",
        "--truth",
        "--scenario",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    if live {
        args.extend([
            "--set",
            "integration.unified_data.delay_weeks=0",
            "--set",
            "strategy.integration.DE.unified_data=0",
            "--set",
            "strategy.integration.KE.unified_data=0",
        ]);
    }
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = fs::read_to_string(out.join("errors.csv")).unwrap();
    csv.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let x = |k: usize| c[k].parse::<f64>().unwrap();
            assert!(
                (x(3) - (x(1) - x(2))).abs() < 1e-12,
                "measurement_loss: {l}"
            );
            (c[0].to_string(), (x(1), x(2)))
        })
        .collect()
}

#[test]
fn attribution_error_is_larger_on_observed_paths_and_falls_when_unified_data_is_live() {
    let silo = errors_with_unified_data(false);
    let unified = errors_with_unified_data(true);
    assert!(silo.len() >= 8, "{silo:?}");
    for (model, &(observed, true_paths)) in &silo {
        assert!(
            observed > true_paths,
            "{model} without unified data: {observed} on observed paths vs {true_paths} on true ones"
        );
        let (u_observed, u_true) = unified[model];
        assert!(
            u_observed > u_true,
            "{model} with unified data: {u_observed} on observed paths vs {u_true} on true ones"
        );
        assert!(
            u_observed < observed,
            "{model}: unified data live {u_observed} vs never {observed}"
        );
    }
}

const JOURNEYS_HEADER: &str = "path,total_conversions,total_null,total_conversion_value\n";

#[test]
fn a_header_only_journeys_table_writes_attribution_csv_with_its_header() {
    let d = Dir::new();
    let f = d.file("j.csv", JOURNEYS_HEADER);
    let out = d.join("a");
    let o = run(&[
        "attribute",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("no paths"), "{}", stdout(&o));
    assert_eq!(
        fs::read_to_string(out.join("attribution.csv")).unwrap(),
        "model,channel,conversions,value,share,std_error\n"
    );
}

#[test]
fn counts_whose_totals_overflow_are_bad_input_with_line_and_column() {
    let d = Dir::new();
    let f = d.file(
        "j.csv",
        &format!("{JOURNEYS_HEADER}a > b,1e300,1,5\nb,1,2,3\n"),
    );
    assert_bad_input(
        &run(&["attribute", f.to_str().unwrap(), "-q"]),
        &["j.csv", "line 2", "total_conversions", "1e300"],
    );
    // each number finite, their total not: the row that overflows is named
    let f = d.file(
        "k.csv",
        &format!("{JOURNEYS_HEADER}a > b,1,2,1.5e308\nb,1,2,1.5e308\n"),
    );
    let o = run(&["attribute", f.to_str().unwrap(), "-q"]);
    assert_bad_input(&o, &["k.csv", "total_conversion_value"]);
    assert!(!stderr(&o).contains("inf") && !stderr(&o).contains("NaN"));
}

/// A journeys table over `channels` channels: one path per channel and a few longer.
fn wide_table(channels: usize) -> String {
    let mut t = JOURNEYS_HEADER.to_string();
    for c in 0..channels {
        t.push_str(&format!("ch{c},{},{},{}\n", c % 3, 5 + c % 4, c % 3 * 10));
        t.push_str(&format!("ch{c} > ch{},1,3,10\n", (c + 1) % channels));
    }
    t
}

#[test]
fn shapley_markov_is_left_out_of_all_above_its_channel_limit_unless_named() {
    let d = Dir::new();
    let limit = omnimix_attribution::SHAPLEY_MARKOV_MAX_CHANNELS_IN_ALL;
    let wide = d.file("wide.csv", &wide_table(limit + 1));
    let out = d.join("a");
    let o = run(&[
        "attribute",
        wide.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("shapley_markov left out of --models all")
            && err.contains(&format!("limit of {limit}")),
        "{err}"
    );
    let csv = fs::read_to_string(out.join("attribution.csv")).unwrap();
    assert!(!csv.contains("shapley_markov,"), "left out");
    assert!(
        csv.contains("\nshapley,") && csv.contains("\nmarkov:3,"),
        "the others run"
    );
    // at the limit, or named, it runs
    let narrow = d.file("narrow.csv", &wide_table(limit));
    let o = run(&[
        "attribute",
        narrow.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
    assert!(
        fs::read_to_string(out.join("attribution.csv"))
            .unwrap()
            .contains("shapley_markov,")
    );
    let o = run(&[
        "attribute",
        wide.to_str().unwrap(),
        "--models",
        "all,shapley_markov",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
    assert!(
        fs::read_to_string(out.join("attribution.csv"))
            .unwrap()
            .contains("shapley_markov,")
    );
}
