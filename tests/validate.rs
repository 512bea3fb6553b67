//! `omnimix validate` and the bad-input contract: exit code 2, one message per
//! problem naming file, line:column, key path, value and what is allowed.

use crate::util::*;

fn validate_text(text: &str) -> std::process::Output {
    let d = Dir::new();
    let f = d.file("s.toml", text);
    run(&["validate", f.to_str().unwrap()])
}

#[test]
fn valid_small_scenario_passes_and_reports_costs() {
    let o = validate_text(SMALL);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("valid"), "{out}");
    assert!(out.contains("strategy current: media"), "{out}");
}

#[test]
fn every_preset_is_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for e in std::fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let o = run(&["validate", p.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(0), "{}: {}", p.display(), stderr(&o));
            n += 1;
        }
    }
    assert!(n >= 4, "at least four presets, found {n}");
}

#[test]
fn embedded_default_is_valid() {
    let o = run(&["validate"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn unknown_keys_are_each_reported_with_location() {
    let text = SMALL
        .replace("seed = 3", "seed = 3\nseeed = 4")
        .replace("population = 40_000", "population = 40_000\npopulaton = 5");
    let o = validate_text(&text);
    assert_bad_input(
        &o,
        &[
            "s.toml:3:1: seeed",
            "unknown key 'seeed'",
            "countries.DE.populaton",
            "unknown key 'populaton'",
            "2 problems",
        ],
    );
}

#[test]
fn wrong_type_names_the_key() {
    let o = validate_text(&SMALL.replace("horizon_weeks = 20", "horizon_weeks = \"twenty\""));
    assert_bad_input(&o, &["horizon_weeks", "invalid type"]);
}

#[test]
fn negative_and_nan_numbers_are_rejected() {
    let o = validate_text(
        &SMALL
            .replace("search = 400_000", "search = -5")
            .replace("annual_budget = 3_000_000", "annual_budget = nan"),
    );
    assert_bad_input(
        &o,
        &[
            "strategy.annual_spend.DE.search = -5",
            "must be zero or positive",
            "finance.annual_budget = NaN",
            "finite",
        ],
    );
}

#[test]
fn shares_must_sum_to_one() {
    let o = validate_text(&SMALL.replace(
        "segments = { b2c_mass = 1.0 }",
        "segments = { b2c_mass = 0.7, b2c_premium = 0.2 }",
    ));
    assert_bad_input(&o, &["countries.KE.segments", "must sum to 1", "sum 0.9"]);
}

#[test]
fn unknown_country_and_channel_references() {
    let text = SMALL
        .replace(
            "[strategy.annual_spend.KE]",
            "[strategy.annual_spend.FR]\nsearch = 50_000\n\n[strategy.annual_spend.KE]",
        )
        .replace("email = 60_000", "email = 60_000\ntiktok = 30_000");
    let o = validate_text(&text);
    assert_bad_input(
        &o,
        &[
            "unknown country 'FR'",
            "strategy.annual_spend.DE.tiktok",
            "unknown channel 'tiktok'",
            "known: search",
        ],
    );
}

#[test]
fn unknown_catalogue_channel_table() {
    let o = validate_text(&format!("{SMALL}\n[channels.tiktok]\ncpm = 3\n"));
    assert_bad_input(&o, &["channels.tiktok", "unknown name 'tiktok'"]);
}

#[test]
fn staff_without_a_channel() {
    let o = validate_text(&SMALL.replace("call_centre = 6", "call_centre = 6\nlive_chat = 4"));
    assert_bad_input(
        &o,
        &[
            "strategy.service_staff.DE.live_chat = 4",
            "staff without a channel",
        ],
    );
}

#[test]
fn budget_smaller_than_fixed_costs() {
    let o = validate_text(&SMALL.replace("annual_budget = 3_000_000", "annual_budget = 10_000"));
    assert_bad_input(
        &o,
        &[
            "finance.annual_budget = 10000",
            "smaller than the fixed costs",
        ],
    );
}

#[test]
fn spend_below_minimum_viable() {
    let o = validate_text(&SMALL.replace("email = 60_000", "email = 1_000"));
    assert_bad_input(
        &o,
        &["strategy.annual_spend.DE.email = 1000", "minimum viable"],
    );
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let o = validate_text(&SMALL.replace("seed = 3", "seed = = 3"));
    assert_bad_input(&o, &["s.toml:2:", "not valid TOML"]);
}

#[test]
fn custom_country_needs_every_field() {
    let o = validate_text(&SMALL.replace(
        "[countries.KE]",
        "[countries.XX]\npopulation = 10\n\n[countries.KE]",
    ));
    assert_bad_input(
        &o,
        &["countries.XX", "missing field", "not a catalogue country"],
    );
}

#[test]
fn missing_file_is_bad_input() {
    let o = run(&["validate", "/no/such/scenario.toml"]);
    assert_bad_input(&o, &["cannot read scenario /no/such/scenario.toml"]);
}

#[test]
fn set_overrides_are_validated_like_the_file() {
    let d = Dir::new();
    let f = d.file("s.toml", SMALL);
    let o = run(&[
        "validate",
        f.to_str().unwrap(),
        "--set",
        "finance.volatility=1.5",
        "--set",
        "countries.DE.population=-3",
    ]);
    assert_bad_input(
        &o,
        &[
            "--set finance.volatility=1.5",
            "must be between 0 and 1",
            "--set countries.DE.population=-3",
        ],
    );
    let o = run(&["validate", f.to_str().unwrap(), "--set", "no_equals_sign"]);
    assert_bad_input(&o, &["not key.path=value"]);
    let o = run(&["validate", f.to_str().unwrap(), "--set", "seed.x=1"]);
    assert_bad_input(&o, &["'seed' is a value, not a table"]);
    let o = run(&[
        "validate",
        f.to_str().unwrap(),
        "--set",
        "finance.volatility=0.2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn thirty_thousand_unknown_keys_are_each_reported() {
    // locating each problem once per file (not a scan per problem) keeps this fast;
    // with a scan per problem it takes tens of seconds
    let n = 30_000;
    let mut text: String = (0..n).map(|i| format!("junk_{i} = 1\n")).collect();
    text.push_str(SMALL);
    let o = validate_text(&text);
    assert_bad_input(
        &o,
        &[&format!("{n} problems"), "s.toml:30000:1: junk_29999"],
    );
    assert_eq!(stderr(&o).matches("unknown key 'junk_").count(), n);
}

#[test]
fn a_typo_in_a_required_key_names_the_unknown_key() {
    let o = validate_text(&SMALL.replace("annual_budget", "annual_buget"));
    assert_bad_input(
        &o,
        &[
            "finance: missing field `annual_budget`",
            "found unknown key 'annual_buget' — a typo?",
        ],
    );
}

/// `validate` on the small scenario with `OMNIMIX_MEMORY` set and `--set`s.
fn validate_in_memory(memory: &str, sets: &[&str]) -> std::process::Output {
    let d = Dir::new();
    let f = d.file("s.toml", SMALL);
    let mut args = vec!["validate", f.to_str().unwrap()];
    for s in sets {
        args.extend(["--set", s]);
    }
    omnimix()
        .args(&args)
        .env("OMNIMIX_MEMORY", memory)
        .output()
        .unwrap()
}

#[test]
fn agents_that_cannot_fit_in_memory_are_refused_with_the_figure() {
    // 2e9 agents x 17 bytes: 34 GB of agent state, on a 16 GB machine
    let o = validate_in_memory(
        "16G",
        &[
            "agent_scale=1",
            "countries.DE.population=1e9",
            "countries.KE.population=1e9",
        ],
    );
    assert_bad_input(
        &o,
        &[
            "2000000000 agents",
            "34.0 GB",
            "17.2 GB of memory",
            "agent_scale",
        ],
    );
    // every command checks before running
    let d = Dir::new();
    let o = run_small(&d, "simulate", "out", &["--set", "agent_scale=1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let f = d.file("s.toml", SMALL);
    let o = omnimix()
        .args([
            "simulate",
            f.to_str().unwrap(),
            "--out",
            d.join("o2").to_str().unwrap(),
            "-q",
        ])
        .env("OMNIMIX_MEMORY", "10K")
        .output()
        .unwrap();
    assert_bad_input(&o, &["7000 agents", "119 kB", "10 kB of memory"]);
    assert!(!d.join("o2/summary.json").exists());
}

#[test]
fn agents_that_need_most_of_the_memory_are_warned_about_and_validate_shows_the_estimate() {
    // 7000 agents x 17 bytes = 119 kB, one replication at a time, on 200 kB: more
    // than half, a warning; not more than all, no refusal
    let o = validate_in_memory("200K", &["replications=1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(stderr(&o).contains("119 kB"), "{}", stderr(&o));
    let o = validate_in_memory("64G", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("memory: agent state 119 kB per replication (7000 agents x 17 bytes)"),
        "{}",
        stdout(&o)
    );
    assert_bad_input(&validate_in_memory("lots", &[]), &["OMNIMIX_MEMORY=lots"]);
}

#[test]
fn observation_shares_outside_0_1_and_unknown_observation_keys_are_bad_input() {
    let text = format!(
        "{SMALL}\n[observation]\nstore_unrecorded = 1.5\nprint_unrecorded = -0.1\nmulti_devices = 0.3\n"
    );
    assert_bad_input(
        &validate_text(&text),
        &[
            "observation.store_unrecorded = 1.5: must be between 0 and 1",
            "observation.print_unrecorded",
            "unknown key 'multi_devices'",
        ],
    );
}
