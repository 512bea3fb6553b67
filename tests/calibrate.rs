//! `omnimix calibrate`: the shipped example dataset, a small end-to-end fit, and bad data.

use crate::util::{Dir, TINY, assert_bad_input, iso_date, run, stderr, tiny, wide_csv};
use omnimix_sim::channel::Channel;
use omnimix_sim::{ScenarioSource, scenario::load::load};
use omnimix_studies::calibrate::synthetic;
use std::path::Path;

/// The truth the shipped example was generated with (scenarios/example-history/company.toml, "TRUTH").
const EXAMPLE_TRUTH: [(&str, f64); 10] = [
    ("channels.search.conversion", 0.007),
    ("channels.social.conversion", 0.0035),
    ("channels.display.conversion", 0.001),
    ("channels.print.conversion", 0.0012),
    ("channels.email.conversion", 0.005),
    ("behaviour.organic_conversion_weekly", 0.0012),
    ("segments.b2c_mass.purchase_rate_weekly", 0.045),
    ("countries.US.seasonality.cos1", 0.15),
    ("countries.US.seasonality.sin1", -0.10),
    (
        "countries.US.seasonality.events.black_friday.multiplier",
        1.8,
    ),
];

/// The example's files as its truth generates them: history.csv and lift.csv.
fn example_files() -> (String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-history");
    let text = std::fs::read_to_string(dir.join("company.toml")).unwrap();
    let base = load(&ScenarioSource::new("company.toml", text), &[]).unwrap();
    let truth = base.with_values(EXAMPLE_TRUTH.iter().copied()).unwrap();
    let spend = synthetic::flighted_spend(&base, 104, 2023);
    let mut obs = synthetic::history(&truth, spend, 2023, 0.03);
    obs.start_date = Some("2023-01-02".into());
    let first_day = 19_359; // 2023-01-02
    assert_eq!(iso_date(first_day), "2023-01-02");
    let history = wide_csv(&obs, first_day);
    let (est, se) = synthetic::lift_test(&truth, &obs, "US", Channel::Social, (60, 67), 2023, 8);
    let lift = format!(
        "country,channel,start,end,incremental_orders,lo,hi\nUS,social,{},{},{est:.0},{:.0},{:.0}\n",
        iso_date(first_day + 7 * 60),
        iso_date(first_day + 7 * 67),
        est - 1.645 * se.max(0.1 * est.abs()),
        est + 1.645 * se.max(0.1 * est.abs()),
    );
    (history, lift)
}

#[test]
fn the_shipped_example_history_is_what_its_truth_generates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example-history");
    let (history, lift) = example_files();
    if std::env::var_os("OMNIMIX_REGENERATE_EXAMPLE").is_some() {
        std::fs::write(dir.join("history.csv"), &history).unwrap();
        std::fs::write(dir.join("lift.csv"), &lift).unwrap();
    }
    let shipped = std::fs::read_to_string(dir.join("history.csv")).unwrap();
    assert!(
        shipped == history,
        "history.csv differs from what its truth generates; OMNIMIX_REGENERATE_EXAMPLE=1 rewrites it"
    );
    let shipped = std::fs::read_to_string(dir.join("lift.csv")).unwrap();
    assert_eq!(shipped, lift);
}

#[test]
fn calibrate_writes_a_scenario_that_simulate_loads_with_its_posterior() {
    let d = Dir::new();
    let f = tiny(&d);
    let out = d.join("cal");
    let o = run(&[
        "calibrate",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--holdout",
        "4",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in [
        "posterior.csv",
        "parameters.csv",
        "fit.csv",
        "scenario.toml",
        "report.html",
    ] {
        assert!(out.join(name).is_file(), "{name} written");
    }
    let posterior = std::fs::read_to_string(out.join("posterior.csv")).unwrap();
    assert!(posterior.starts_with("draw,"), "{posterior}");
    assert_eq!(posterior.lines().count(), 51, "50 draws and the header");
    let fit = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(
        fit.lines().filter(|l| l.ends_with(",true")).count() >= 4,
        "holdout weeks marked"
    );
    let sim = d.join("sim");
    let o = run(&[
        "simulate",
        out.join("scenario.toml").to_str().unwrap(),
        "--out",
        sim.to_str().unwrap(),
        "-q",
        "--replications",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn calibrate_refuses_a_scenario_without_free_parameters_or_history() {
    let d = Dir::new();
    let out = d.join("o");
    let calibrate = |f: &std::path::Path| {
        run(&[
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ])
    };
    let no_params = TINY.split("[calibrate.params]").next().unwrap();
    let f = d.file("np.toml", no_params);
    let o = calibrate(&f);
    assert_bad_input(&o, &["no free parameters", "[calibrate.params]"]);
    let f = d.file("nd.toml", &TINY.replace("data = \"history.csv\"\n", ""));
    let o = calibrate(&f);
    assert_bad_input(&o, &["no history", "--data"]);
    let f = d.file(
        "np2.toml",
        &TINY.replace(
            "channels.search.conversion\"",
            "channels.search.conversoin\"",
        ),
    );
    let o = calibrate(&f);
    assert_bad_input(
        &o,
        &[
            "calibrate.params.channels.search.conversoin",
            "no such scenario value",
        ],
    );
}

#[test]
fn calibrate_refuses_bad_flags_and_experiments_it_cannot_use() {
    let d = Dir::new();
    let f = tiny(&d);
    let out = d.join("o");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    assert_bad_input(
        &args(&["--holdout", "50"]),
        &["holdout of 50 weeks", "at least 8"],
    );
    assert_bad_input(
        &args(&["--column", "colour=red"]),
        &["--column colour=red", "unknown role"],
    );
    let lift = d.file(
        "lift.csv",
        "country,channel,start,end,incremental_orders\nDE,search,2023-02-06,2023-02-27,900\n",
    );
    assert_bad_input(
        &args(&["--lift", lift.to_str().unwrap()]),
        &["lift.csv", "row 2", "no uncertainty"],
    );
    let coh = d.file(
        "coh.csv",
        "country,cohort_start,period_weeks,k,share_active\nDE,2023-01-09,4,2,0.5\n",
    );
    assert_bad_input(
        &args(&["--cohorts", coh.to_str().unwrap()]),
        &["coh.csv", "row 2", "not yet supported"],
    );
    assert_bad_input(&args(&["--evals", "3"]), &["--evals 3", "at least 10"]);
}

/// `calibrate TINY` with `extra` flags into `out` (progress lines on stderr).
fn calibrate_tiny(d: &Dir, f: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let out = d.join(out);
    let mut a = vec![
        "calibrate",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend_from_slice(extra);
    run(&a)
}

fn same_results(d: &Dir, a: &str, b: &str) {
    for name in [
        "posterior.csv",
        "parameters.csv",
        "fit.csv",
        "scenario.toml",
    ] {
        assert_eq!(
            std::fs::read(d.join(a).join(name)).unwrap(),
            std::fs::read(d.join(b).join(name)).unwrap(),
            "{name} of {a} and {b}"
        );
    }
}

#[test]
fn a_fit_resumed_from_half_its_checkpoint_writes_what_the_whole_fit_wrote() {
    let d = Dir::new();
    let f = tiny(&d);
    let cp = d.join("cp");
    let o = calibrate_tiny(&d, &f, "whole", &["--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let file = cp.join("checkpoint.json");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["kind"], "calibration");
    let batches = saved["state"]["batches"].as_array().unwrap().len();
    assert!(batches > 4, "{batches} batches logged");
    // As if the fit had stopped half way.
    crate::checkpoint::edit_checkpoint(&file, true, |v| {
        v["state"]["batches"]
            .as_array_mut()
            .unwrap()
            .truncate(batches / 2);
    });
    let o = calibrate_tiny(
        &d,
        &f,
        "resumed",
        &["--checkpoint", cp.to_str().unwrap(), "--resume"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("resumed from")
            && out.contains("simulated histories taken from the checkpoint"),
        "{out}"
    );
    same_results(&d, "whole", "resumed");
}

#[test]
fn resume_refuses_a_checkpoint_of_another_fit_or_an_edited_one() {
    let d = Dir::new();
    let f = tiny(&d);
    let cp = d.join("cp");
    let o = calibrate_tiny(&d, &f, "a", &["--checkpoint", cp.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cp_dir = cp.to_str().unwrap();
    for (flag, differs) in [
        ("--seed", "seed 5 (this run: 6)"),
        ("--holdout", "holdout 0 (this run: 6)"),
    ] {
        let o = calibrate_tiny(
            &d,
            &f,
            "b",
            &["--checkpoint", cp_dir, "--resume", flag, "6", "-q"],
        );
        assert_bad_input(&o, &[differs]);
    }
    crate::checkpoint::edit_checkpoint(&cp.join("checkpoint.json"), false, |v| {
        v["state"]["batches"][0]["answers"][0][0] = serde_json::json!(1.0);
    });
    let o = calibrate_tiny(&d, &f, "b", &["--checkpoint", cp_dir, "--resume", "-q"]);
    assert_bad_input(&o, &["was edited or damaged"]);
}

#[cfg(unix)]
#[test]
fn ctrl_c_saves_the_fit_in_the_out_folder_and_resume_ends_where_the_whole_fit_does() {
    let d = Dir::new();
    let f = tiny(&d);
    let flags = ["--evals", "300"];
    let o = calibrate_tiny(&d, &f, "whole", &flags);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cut = d.join("cut");
    let (code, err) = crate::util::interrupt(
        &[
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            cut.to_str().unwrap(),
            flags[0],
            flags[1],
        ],
        "coarse: started",
    );
    assert_eq!(code, Some(130), "exit code after Ctrl-C:\n{err}");
    assert!(cut.join("checkpoint.json").is_file(), "{err}");
    assert!(
        !cut.join("posterior.csv").exists(),
        "an interrupted fit writes no posterior"
    );
    let resume = format!("--checkpoint {} --resume", cut.to_str().unwrap());
    assert!(
        err.contains("the fit is saved in") && err.contains(&resume),
        "{err}"
    );
    let o = calibrate_tiny(
        &d,
        &f,
        "cut",
        &[
            "--evals",
            "300",
            "--checkpoint",
            cut.to_str().unwrap(),
            "--resume",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    same_results(&d, "whole", "cut");
}
