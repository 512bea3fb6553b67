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
