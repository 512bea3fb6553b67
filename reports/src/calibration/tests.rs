//! Tests of the calibration outputs, from a small hand-made calibration.

use super::*;
use omnimix_sim::channel::Channel;
use omnimix_sim::scenario::calibrate::Posterior;
use omnimix_sim::scenario::load::{ScenarioSource, load};
use omnimix_studies::calibrate::{FitMetrics, LiftTarget, Measure};
use std::fs;

/// A user's scenario: comments, an existing parameter with its own comment, an
/// inline channel table, and no `[channels.search]` table.
const SOURCE: &str = r#"# Our shop: the plan the board saw
name = "shop"
currency = "EUR"

[finance]
annual_budget = 1e6
gross_margin = 0.4 # from the annual report

[channels]
email = { conversion = 0.01 }

[countries.DE]
population = 1000

[strategy.annual_spend.DE]
search = 100000
email = 30000

[strategy.specialists.DE]
search = 1

[calibrate]
data = "history.csv" # weekly, from finance
lift_tests = "lift.csv"
holdout_weeks = 2
evaluations = 40

[calibrate.params]
"channels.search.conversion" = { lo = 0.005, hi = 0.05 }
"finance.gross_margin" = { lo = 0.2, hi = 0.6 }
"channels.email.conversion" = { dist = "log_uniform", lo = 0.001, hi = 0.1 }
"#;

const PATHS: [&str; 3] = [
    "channels.search.conversion",
    "finance.gross_margin",
    "channels.email.conversion",
];
const ESTIMATE: [f64; 3] = [0.0213, 0.45, 0.0042];

fn scenario() -> Scenario {
    load(&ScenarioSource::new("shop.toml", SOURCE), &[]).unwrap()
}

fn metrics(n: usize, r2: f64) -> FitMetrics {
    FitMetrics {
        n,
        r2,
        nrmse: 0.1,
        mape: 0.05,
    }
}

/// Two series of six weeks (the last two held out), one lift test, two channels.
fn calibration() -> Calibration {
    let weeks = [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
        "2024-01-22",
        "2024-01-29",
        "2024-02-05",
    ];
    let mut fit = Vec::new();
    for kpi in ["orders", "revenue"] {
        for (i, w) in weeks.iter().enumerate() {
            let base = if kpi == "orders" { 100.0 } else { 5000.0 };
            let x = base * (1.0 + 0.05 * (i % 3) as f64);
            fit.push(FitRow {
                country: "DE".into(),
                kpi: kpi.into(),
                week: (*w).into(),
                observed: x,
                fitted: x * 1.02,
                lo: x * 0.95,
                hi: x * 1.08,
                holdout: i >= 4,
            });
        }
    }
    let params = PATHS
        .iter()
        .zip(ESTIMATE)
        .zip([0.01, 0.4, 0.01])
        .map(|((p, e), start)| ParamRow {
            path: (*p).into(),
            prior: "uniform [0, 1]".into(),
            start,
            estimate: e,
            lo: e * 0.8,
            hi: e * 1.25,
            sd_ratio: 0.3,
        })
        .collect();
    let draws = (0..12)
        .map(|i| {
            ESTIMATE
                .iter()
                .map(|e| e * (0.9 + 0.02 * i as f64))
                .collect()
        })
        .collect();
    Calibration {
        params,
        posterior: Posterior {
            names: PATHS.iter().map(|p| p.to_string()).collect(),
            draws,
        },
        fit,
        metrics: ["orders", "revenue"]
            .iter()
            .map(|k| SeriesMetrics {
                country: "DE".into(),
                kpi: (*k).into(),
                fit: metrics(4, 0.81),
                holdout: Some(metrics(2, 0.6)),
            })
            .collect(),
        lift: vec![LiftRow {
            test: LiftTarget {
                country: "DE".into(),
                channel: Channel::Search,
                start: 1,
                end: 2,
                measure: Measure::Orders,
                estimate: 40.0,
                se: 8.0,
            },
            model: 36.0,
            lo: 30.0,
            hi: 43.0,
        }],
        effects: vec![
            ChannelEffect {
                channel: Channel::Search,
                spend: 12000.0,
                incremental_orders: 300.0,
                incremental_revenue: 15000.0,
            },
            ChannelEffect {
                channel: Channel::Email,
                spend: 2000.0,
                incremental_orders: 0.0,
                incremental_revenue: 0.0,
            },
        ],
        estimate: PATHS
            .iter()
            .zip(ESTIMATE)
            .map(|(p, e)| (p.to_string(), e))
            .collect(),
        trace: vec![(20, 10.5), (40, 9.25)],
        evaluations: 40,
        scales: (20, 1),
    }
}

fn info() -> RunInfo {
    RunInfo {
        history: "history.csv".into(),
        lift: Some("lift.csv".into()),
        cohorts: None,
        seed: 42,
        replications: 2,
        evaluations: 40,
        holdout_weeks: 2,
        wall_seconds: None,
    }
}

/// The user's folder (scenario and history) and an output folder inside it.
struct Setup {
    _root: tempfile::TempDir,
    source: PathBuf,
    out: PathBuf,
    written: Vec<PathBuf>,
}

fn write() -> Setup {
    let root = tempfile::tempdir().unwrap();
    let source = root.path().join("shop.toml");
    fs::write(&source, SOURCE).unwrap();
    fs::write(root.path().join("history.csv"), "week\n").unwrap();
    fs::write(root.path().join("lift.csv"), "country\n").unwrap();
    let out = root.path().join("runs/cal");
    fs::create_dir_all(&out).unwrap();
    let written = write_calibration(
        &out,
        &scenario(),
        SOURCE,
        Some(&source),
        &calibration(),
        &info(),
    )
    .unwrap();
    Setup {
        _root: root,
        source,
        out,
        written,
    }
}

fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_table_has_its_header_and_one_row_per_item() {
    let s = write();
    let expect = [
        (
            "posterior.csv",
            "draw,channels.search.conversion,finance.gross_margin,channels.email.conversion",
            12,
        ),
        (
            "parameters.csv",
            "parameter,prior,start,estimate,lo,hi,sd_ratio",
            3,
        ),
        (
            "fit.csv",
            "country,kpi,week,observed,fitted,lo,hi,holdout",
            12,
        ),
        (
            "fit_metrics.csv",
            "country,kpi,weeks,r2,nrmse,mape,holdout_weeks,holdout_r2,holdout_nrmse,holdout_mape",
            2,
        ),
        (
            "lift.csv",
            "country,channel,start,end,kpi,measured,se,model,model_lo,model_hi",
            1,
        ),
        (
            "channel_effects.csv",
            "channel,spend,incremental_orders,incremental_revenue,cost_per_incremental_order,roas",
            2,
        ),
    ];
    for (name, header, rows) in expect {
        let p = s.out.join(name);
        assert!(s.written.contains(&p), "{name} not listed");
        let l = lines(&p);
        assert_eq!(l[0], header, "{name}");
        assert_eq!(l.len() - 1, rows, "{name}");
    }
    // the lift test's weeks by label, the ratios empty where undefined
    let lift = lines(&s.out.join("lift.csv"));
    assert_eq!(
        lift[1],
        "DE,search,2024-01-08,2024-01-15,orders,40.0,8.0,36.0,30.0,43.0"
    );
    let effects = lines(&s.out.join("channel_effects.csv"));
    assert_eq!(effects[1], "search,12000.0,300.0,15000.0,40.0,1.25");
    assert_eq!(effects[2], "email,2000.0,0.0,0.0,,0.0");
    // the posterior's values as plain decimals, draws numbered from 0
    let post = lines(&s.out.join("posterior.csv"));
    assert!(post[1].starts_with("0,0.01917"), "{}", post[1]);
    assert!(
        post.iter()
            .all(|l| !l.contains('e') || l.starts_with("draw"))
    );
    let metrics = lines(&s.out.join("fit_metrics.csv"));
    assert_eq!(metrics[1], "DE,orders,4,0.81,0.1,0.05,2,0.6,0.1,0.05");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(s.out.join("calibration.json")).unwrap()).unwrap();
    assert_eq!(json["run"]["seed"], 42);
    assert_eq!(json["trace"].as_array().unwrap().len(), 2);
    assert_eq!(json["params"].as_array().unwrap().len(), 3);
    assert!(s.written.contains(&s.out.join("report.html")));
    assert!(s.written.contains(&s.out.join("scenario.toml")));
}

#[test]
fn written_files_exist_and_are_listed_once() {
    let s = write();
    let mut names: Vec<&PathBuf> = s.written.iter().collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), s.written.len());
    for p in &s.written {
        assert!(p.is_file(), "{}", p.display());
    }
    for chart in ["fit_DE_orders", "fit_DE_revenue", "parameters", "lift"] {
        for ext in ["svg", "png"] {
            assert!(
                s.written
                    .contains(&s.out.join(format!("charts/{chart}.{ext}"))),
                "{chart}.{ext}"
            );
        }
    }
}

#[test]
fn calibrated_scenario_loads_with_the_estimates_and_the_posterior() {
    let s = write();
    let p = s.out.join("scenario.toml");
    let text = fs::read_to_string(&p).unwrap();
    let loaded = load(&ScenarioSource::new(p.to_string_lossy(), text.clone()), &[]).unwrap();
    assert_eq!(loaded.channels["search"].conversion, ESTIMATE[0]);
    assert_eq!(loaded.finance.gross_margin, ESTIMATE[1]);
    assert_eq!(loaded.channels["email"].conversion, ESTIMATE[2]);
    assert_eq!(loaded.calibrate.posterior.as_deref(), Some("posterior.csv"));
    // everything else as the user had it
    let expected = scenario()
        .with_values(PATHS.iter().copied().zip(ESTIMATE))
        .unwrap();
    assert_eq!(loaded.countries, expected.countries);
    assert_eq!(loaded.strategy, expected.strategy);
    assert_eq!(loaded.channels, expected.channels);
    assert_eq!(loaded.calibrate.params, expected.calibrate.params);
    // the history's paths resolve from the output folder to the same files
    for (written, original) in [
        (loaded.calibrate.data.unwrap(), "history.csv"),
        (loaded.calibrate.lift_tests.unwrap(), "lift.csv"),
    ] {
        let from_out = s.out.join(&written).canonicalize().unwrap();
        let from_source = s
            .source
            .parent()
            .unwrap()
            .join(original)
            .canonicalize()
            .unwrap();
        assert_eq!(from_out, from_source, "{written}");
    }
    // a new table for the channel the file did not have; the inline one edited in place
    assert!(text.contains("[channels.search]"), "{text}");
    assert!(text.contains("email = { conversion = 0.0042 }"), "{text}");
}

#[test]
fn calibrated_scenario_keeps_the_users_comments_and_says_how_it_was_made() {
    let s = write();
    let text = fs::read_to_string(s.out.join("scenario.toml")).unwrap();
    assert!(
        text.starts_with("# Calibrated by omnimix from the history in history.csv"),
        "{text}"
    );
    assert!(text.contains("seed 42"), "{text}");
    assert!(text.contains("40 simulated histories"), "{text}");
    for comment in [
        "# Our shop: the plan the board saw",
        "gross_margin = 0.45 # from the annual report",
        "# weekly, from finance",
    ] {
        assert!(text.contains(comment), "lost: {comment}\n{text}");
    }
    // calibrating the calibrated scenario again replaces the note, never stacks it
    let again = calibrated_scenario(
        &scenario(),
        &text,
        Some(&s.out.join("scenario.toml")),
        &s.out,
        &calibration(),
        &info(),
    )
    .unwrap();
    assert_eq!(
        again.matches("# Calibrated by omnimix").count(),
        1,
        "{again}"
    );
}

#[test]
fn a_second_write_is_byte_identical() {
    let a = write();
    let b = write();
    assert_eq!(a.written.len(), b.written.len());
    for (p, q) in a.written.iter().zip(&b.written) {
        assert_eq!(
            p.strip_prefix(&a.out).unwrap(),
            q.strip_prefix(&b.out).unwrap()
        );
        assert!(
            fs::read(p).unwrap() == fs::read(q).unwrap(),
            "{} differs",
            p.display()
        );
    }
}

#[test]
fn charts_are_well_formed_svg_and_non_blank_png() {
    let s = write();
    let charts: Vec<&PathBuf> = s
        .written
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("charts")))
        .collect();
    assert_eq!(charts.len(), 8);
    for p in charts {
        if p.extension().is_some_and(|e| e == "svg") {
            let svg = fs::read_to_string(p).unwrap();
            let mut reader = quick_xml::Reader::from_str(&svg);
            let mut elements = 0;
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_)) => {
                        elements += 1
                    }
                    Ok(_) => {}
                    Err(e) => panic!("{}: {e}", p.display()),
                }
            }
            assert!(elements > 20, "{}: {elements} elements", p.display());
        } else {
            let png = fs::read(p).unwrap();
            let mut reader = png::Decoder::new(std::io::Cursor::new(png))
                .read_info()
                .unwrap();
            let mut buf = vec![0; reader.output_buffer_size()];
            reader.next_frame(&mut buf).unwrap();
            let inked = buf
                .chunks(3)
                .filter(|px| px.iter().any(|&v| v < 200))
                .count();
            assert!(inked > 1000, "{}: {inked} inked pixels", p.display());
        }
    }
    // the parameters chart names each parameter; the fit chart shades the holdout
    let params = fs::read_to_string(s.out.join("charts/parameters.svg")).unwrap();
    for p in PATHS {
        assert!(params.contains(p), "{p}");
    }
    let fit = fs::read_to_string(s.out.join("charts/fit_DE_orders.svg")).unwrap();
    assert!(fit.contains("holdout weeks"));
}

#[test]
fn report_shows_the_fit_the_parameters_the_lift_tests_and_the_effects() {
    let s = write();
    let html = fs::read_to_string(s.out.join("report.html")).unwrap();
    for needle in [
        "id=\"fit\"",
        "id=\"parameters\"",
        "id=\"lift\"",
        "id=\"effects\"",
        "holdout R²",
        "channels.search.conversion",
        "uniform [0, 1]",
        "0.0213",
        "run-to-run noise",
        "<svg",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn parameters_sit_on_their_prior_range_and_log_uniform_ones_on_a_log_scale() {
    let s = scenario();
    let crate::charts::Chart::Ranges { rows, .. } =
        charts::parameters_chart(&calibration(), &s.calibrate.params)
    else {
        panic!("not a range chart");
    };
    let point = |i: usize| rows[i].marks[0].unwrap().1;
    // uniform [0.005, 0.05]: 0.0213 is (0.0213 - 0.005) / 0.045 of the way
    assert!((point(0) - (0.0213 - 0.005) / 0.045).abs() < 1e-12);
    // log-uniform [0.001, 0.1]: 0.0042 is ln(4.2) / ln(100) of the way
    assert!((point(2) - 4.2f64.ln() / 100f64.ln()).abs() < 1e-12);
    assert!(rows.iter().all(|r| r.bar == Some((0.0, 1.0))));
}
