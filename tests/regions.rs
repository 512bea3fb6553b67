//! Regions of a country: units `CC/region` under their country, money that adds up,
//! reach that follows internet use, bad input, determinism.

use crate::util::*;
use std::collections::BTreeMap;
use std::fs;

const REGIONS: &str = include_str!("regions.toml");

/// India in two regions of equal population and the same channels, the same spend
/// per head (a country-level spend split by population share): only internet and
/// mobile use differ.
const REACH: &str = r#"
name = "regions-reach"
seed = 7
replications = 3
horizon_weeks = 26
agent_scale = 5
[finance]
annual_budget = 3_000_000
[countries.IN]
population = 80_000
segments = { b2c_mass = 1.0 }
[countries.IN.regions.metro]
population_share = 0.5
internet_use = 0.9
mobile_use = 0.9
[countries.IN.regions.rural]
population_share = 0.5
internet_use = 0.25
mobile_use = 0.4
[strategy.annual_spend.IN]
search = 300_000
social = 300_000
display = 200_000
[strategy.specialists.IN]
search = 2
social = 2
display = 2
"#;

fn simulate(d: &Dir, name: &str, text: &str, out: &str, extra: &[&str]) -> std::process::Output {
    let f = d.file(name, text);
    let out = d.join(out);
    let mut args = vec![
        "simulate",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// weekly.csv summed over weeks: (unit, channel) -> column -> total.
fn weekly_totals(path: &std::path::Path) -> BTreeMap<(String, String), BTreeMap<String, f64>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut out: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        let e = out
            .entry((row[1].to_string(), row[2].to_string()))
            .or_default();
        for (i, h) in header.iter().enumerate().skip(3) {
            *e.entry(h.clone()).or_default() += row[i].parse::<f64>().unwrap();
        }
    }
    out
}

fn mean(s: &serde_json::Value, unit: &str, kpi: &str) -> f64 {
    s[unit][kpi]["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("{unit}.{kpi}: {s}"))
}

#[test]
fn regions_show_under_their_country_and_every_money_figure_adds_up() {
    let d = Dir::new();
    let o = simulate(&d, "r.toml", REGIONS, "o", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("o/summary.json")).unwrap()).unwrap();
    let units: Vec<&String> = s["countries"].as_object().unwrap().keys().collect();
    assert_eq!(units, ["DE", "IN/metro", "IN/rural"]);
    let totals = &s["country_totals"];
    assert_eq!(totals.as_object().unwrap().len(), 1, "only IN has regions");
    for kpi in [
        "revenue",
        "cost_media",
        "cost_staff",
        "cost_integration",
        "cost_total",
        "npv",
        "customer_equity",
        "incremental_revenue",
        "cost_marketing",
        "conversions",
        "purchases",
        "active_customers",
    ] {
        let regions =
            mean(&s["countries"], "IN/metro", kpi) + mean(&s["countries"], "IN/rural", kpi);
        let country = mean(totals, "IN", kpi);
        assert!(
            (country - regions).abs() <= 1e-6 * regions.abs().max(1.0),
            "{kpi}: IN {country} vs its regions {regions}"
        );
        let company = mean(&s, "company", kpi);
        let all = country + mean(&s["countries"], "DE", kpi);
        assert!(
            (company - all).abs() <= 1e-6 * all.abs().max(1.0),
            "{kpi}: company {company} vs DE + IN {all}"
        );
    }
    // population: the regions' shares of the country's
    assert_eq!(s["customers_in_scope"], 90_000.0);
    // weekly.csv: a region's rows carry CC/region, and the spend is the plan's split
    let w = weekly_totals(&d.join("o/weekly.csv"));
    let spend = |u: &str, c: &str| w[&(u.to_string(), c.to_string())]["spend"];
    let weeks = 20.0 / 52.0;
    for (u, c, annual) in [
        ("IN/metro", "search", 100_000.0), // 200 000 split by population share
        ("IN/rural", "search", 100_000.0),
        ("IN/metro", "store", 300_000.0), // a region's own spend
        ("IN/rural", "store", 0.0),       // rural has no stores
    ] {
        assert!(
            (spend(u, c) - annual * weeks).abs() < 1e-6,
            "{u} {c}: {} vs {}",
            spend(u, c),
            annual * weeks
        );
    }
    let media: f64 = w
        .iter()
        .filter(|((u, _), _)| u.starts_with("IN/"))
        .map(|(_, v)| v["spend"])
        .sum();
    assert!(
        (media - mean(totals, "IN", "cost_media")).abs() < 1e-6 * media,
        "weekly spend of IN's regions {media} is its cost_media"
    );
    // the report shows the country's total above its regions
    let html = fs::read_to_string(d.join("o/report.html")).unwrap();
    let total = html
        .find("IN (all regions)")
        .expect("the country's total row");
    assert!(html[total..].contains("IN/metro"), "its regions under it");
}

#[test]
fn a_rural_region_with_low_internet_use_gets_less_reach_and_fewer_conversions_from_digital_spend() {
    let d = Dir::new();
    let o = simulate(&d, "reach.toml", REACH, "o", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let w = weekly_totals(&d.join("o/weekly.csv"));
    let sum = |u: &str, col: &str| -> f64 {
        ["search", "social", "display"]
            .iter()
            .map(|c| w[&(u.to_string(), c.to_string())][col])
            .sum()
    };
    // same spend per head (equal populations, spend split by population share)
    assert!((sum("IN/metro", "spend") - sum("IN/rural", "spend")).abs() < 1e-6);
    let (metro, rural) = (sum("IN/metro", "reach"), sum("IN/rural", "reach"));
    assert!(
        rural < 0.6 * metro,
        "digital reach: rural {rural} vs metro {metro}"
    );
    let per_spend = |u: &str| sum(u, "conversions") / sum(u, "spend");
    assert!(
        per_spend("IN/rural") < 0.8 * per_spend("IN/metro"),
        "digital conversions per unit spend: rural {} vs metro {}",
        per_spend("IN/rural"),
        per_spend("IN/metro")
    );
}

#[test]
fn a_scenario_with_regions_is_byte_identical_on_1_and_3_threads() {
    let d = Dir::new();
    let mut outputs = Vec::new();
    for t in ["1", "3"] {
        let o = simulate(&d, "r.toml", REGIONS, t, &["--threads", t, "--journeys"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let files: Vec<Vec<u8>> = ["summary.json", "weekly.csv", "journeys.csv"]
            .iter()
            .map(|f| fs::read(d.join(t).join(f)).unwrap())
            .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1], "1 vs 3 threads");
}

#[test]
fn bad_regions_are_refused_with_the_key_named() {
    let d = Dir::new();
    let f = d.file("r.toml", REGIONS);
    let validate = |set: &str| run(&["validate", f.to_str().unwrap(), "--set", set]);
    for (set, needles) in [
        (
            "countries.IN.regions.metro.population_share=0.6",
            &[
                "countries.IN.regions:",
                "population_share must sum to 1 (metro 0.6 + rural 0.5 sum to 1.1)",
            ][..],
        ),
        (
            "strategy.annual_spend.IN.north.search=1000",
            &[
                "strategy.annual_spend.IN.north: unknown region 'north' of IN (regions: metro, rural)",
            ],
        ),
        (
            "strategy.annual_spend.XX.north.search=1000",
            &["strategy.annual_spend.XX: unknown country 'XX'"],
        ),
        (
            "countries.ZZ.regions.a.population_share=1",
            &["countries.ZZ.regions: regions of 'ZZ', which is not a catalogue country"],
        ),
        (
            "countries.IN.regions.rural.internet_use=-0.2",
            &["countries.IN.regions.rural.internet_use = -0.2: must be between 0 and 1"],
        ),
        (
            "countries.IN.regions.rural.privacy=gdpr",
            &["countries.IN.regions.rural.privacy: unknown key 'privacy' (a region may set:"],
        ),
        (
            "countries.IN.regions.rural.population_share=0",
            &["countries.IN.regions.rural.population_share = 0: must be above 0 and at most 1"],
        ),
        (
            "strategy.annual_spend.IN.rural.store=1000",
            &[
                "strategy.annual_spend.IN.rural.store",
                "does not have channel 'store'",
            ],
        ),
    ] {
        assert_bad_input(&validate(set), needles);
    }
    // a missing share, and '/' in a country code
    let no_share = REGIONS.replace(
        "population_share = 0.5\ninternet_use = 0.3",
        "internet_use = 0.3",
    );
    let f2 = d.file("r2.toml", &no_share);
    assert_bad_input(
        &run(&["validate", f2.to_str().unwrap()]),
        &["countries.IN.regions.rural.population_share: missing"],
    );
    let slash = "name = 'x'\n[finance]\nannual_budget = 1e6\n[countries.\"DE/x\"]\npopulation = 100\n[strategy]\n";
    let f3 = d.file("r3.toml", slash);
    assert_bad_input(
        &run(&["validate", f3.to_str().unwrap()]),
        &["'/' is reserved for regions: write [countries.DE.regions.x]"],
    );
}

#[test]
fn the_optimizer_decides_per_region_and_a_country_fix_or_bound_covers_its_regions() {
    let d = Dir::new();
    let f = d.file("r.toml", REGIONS);
    let out = d.join("opt");
    let o = run(&[
        "optimize",
        f.to_str().unwrap(),
        "--evals",
        "24",
        "--search-scale",
        "1",
        "--no-report",
        "--fix",
        "IN/search/spend",
        "--set",
        "optimize.country_spend.IN.max=450000",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let spend = &plan["strategy"]["annual_spend"];
    for u in ["IN/metro", "IN/rural"] {
        // fixed at the current plan's split
        assert_eq!(spend[u]["search"].as_f64(), Some(100_000.0), "{u}: {spend}");
    }
    let paid = |u: &str| -> f64 {
        spend[u]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(c, _)| !["call_centre", "live_chat", "chatbot"].contains(&c.as_str()))
            .map(|(_, v)| v.as_f64().unwrap())
            .sum()
    };
    let country = paid("IN/metro") + paid("IN/rural");
    assert!(
        country <= 450_000.0 + 1.0,
        "IN's bound covers its regions: {country}"
    );
    // the plan simulates as it is
    let o = run(&[
        "simulate",
        f.to_str().unwrap(),
        "--plan",
        out.join("plan.json").to_str().unwrap(),
        "--out",
        d.join("sim").to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_country_s_organisation_applies_to_its_regions_each_paying_its_share() {
    let d = Dir::new();
    let org = |out: &str, extra: &[&str]| -> serde_json::Value {
        let mut a = vec!["--set", "strategy.organisation.IN.coordination=1"];
        a.extend_from_slice(extra);
        let o = simulate(&d, "r.toml", REGIONS, out, &a);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(d.join(out).join("summary.json")).unwrap())
                .unwrap();
        s["countries"].clone()
    };
    let c = org("both", &[]);
    let (metro, rural) = (
        mean(&c, "IN/metro", "cost_organisation"),
        mean(&c, "IN/rural", "cost_organisation"),
    );
    assert!(metro > 0.0, "metro pays for the coordination function");
    assert!(
        (metro - rural).abs() <= 1e-6 * metro,
        "equal population shares pay equal shares: {metro} vs {rural}"
    );
    assert_eq!(mean(&c, "DE", "cost_organisation"), 0.0);
    let c = org(
        "own",
        &["--set", "strategy.organisation.IN.rural.coordination=0"],
    );
    assert_eq!(
        mean(&c, "IN/rural", "cost_organisation"),
        0.0,
        "rural names its own"
    );
    assert!((mean(&c, "IN/metro", "cost_organisation") - metro).abs() <= 1e-6 * metro);
}
