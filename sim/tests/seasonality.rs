//! Seasonality, trend and dated events move orders and revenue the right way, on
//! common random numbers (the same seed with and without the demand index).

use omnimix_sim::engine::{Replication, RunOptions, Silent, run};
use omnimix_sim::kpis::weekly_rows;
use omnimix_sim::scenario::load::load;
use omnimix_sim::{Override, Scenario, ScenarioSource, World};

/// Germany alone, the default preset's plan for it: 120 000 agents.
const DE: &str = r#"
name = "de"
seed = 42
replications = 1
horizon_weeks = 52
agent_scale = 25

[finance]
annual_budget = 30_000_000

[countries.DE]
population = 3_000_000

[strategy.annual_spend.DE]
search = 2_880_000
social = 2_400_000
display = 960_000
email = 360_000
app = 480_000
print = 720_000
store = 3_000_000
call_centre = 240_000
live_chat = 120_000
chatbot = 120_000

[strategy.specialists.DE]
search = 2
social = 2
display = 1
email = 1
app = 1
print = 1
store = 1

[strategy.service_staff.DE]
call_centre = 54
live_chat = 30
store = 23
"#;

fn scenario(text: &str, sets: &[&str]) -> Result<Scenario, String> {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    load(&ScenarioSource::new("de.toml", text), &o).map_err(|e| e.to_string())
}

fn simulate(sets: &[&str]) -> (World, Vec<Replication>) {
    let s = scenario(DE, sets).unwrap_or_else(|e| panic!("{e}"));
    let world = World::new(&s, &s.strategy);
    let reps = run(
        &world,
        &RunOptions {
            seed: 7,
            replications: 1,
            first_replication: 0,
            journeys: false,
        },
        &Silent,
    );
    (world, reps)
}

/// Orders (every purchase: first, win-back, repeat) per week.
fn orders(reps: &[Replication]) -> Vec<f64> {
    reps[0]
        .weeks
        .iter()
        .map(|w| w[0].tally.purchases.iter().sum::<u64>() as f64)
        .collect()
}

/// Revenue per week.
fn revenue(reps: &[Replication]) -> Vec<f64> {
    reps[0]
        .weeks
        .iter()
        .map(|w| w[0].tally.revenue.iter().sum::<f64>())
        .collect()
}

fn sum(x: &[f64], weeks: std::ops::Range<usize>) -> f64 {
    x[weeks].iter().sum()
}

fn mean(x: &[f64], weeks: std::ops::Range<usize>) -> f64 {
    let n = weeks.len() as f64;
    sum(x, weeks) / n
}

#[test]
fn a_seasonal_peak_raises_orders_and_revenue_in_the_peak_weeks_and_lowers_them_in_the_trough() {
    // cos1 = 0.4: demand × e^0.4 = 1.49 in the first week of the year, × 0.67 half a year on
    let (_, flat) = simulate(&[]);
    let (_, peak) = simulate(&["countries.DE.seasonality.cos1=0.4"]);
    for (what, f, p) in [
        ("orders", orders(&flat), orders(&peak)),
        ("revenue", revenue(&flat), revenue(&peak)),
    ] {
        // the peak: weeks 1-4 of the year (+49 % orders on seed 7)
        let up = mean(&p, 0..4) / mean(&f, 0..4);
        assert!(up > 1.3, "{what} in the peak: {up}");
        // the trough: weeks 25-29 (-34 % orders on seed 7)
        let down = mean(&p, 24..29) / mean(&f, 24..29);
        assert!(down < 0.8, "{what} in the trough: {down}");
    }
}

#[test]
fn a_positive_trend_raises_the_second_years_orders_over_the_first() {
    // +30 % a year: the second year's orders grow over the first's by far more than
    // the flat scenario's own ramp-up (seed 7: ×1.63 against ×1.17)
    let (_, flat) = simulate(&["horizon_weeks=104"]);
    let (_, trend) = simulate(&[
        "horizon_weeks=104",
        "countries.DE.seasonality.trend_annual=0.3",
    ]);
    let growth = |x: &[f64]| sum(x, 52..104) / sum(x, 0..52);
    let (f, t) = (growth(&orders(&flat)), growth(&orders(&trend)));
    assert!(t > 1.0, "second year over first with the trend: {t}");
    assert!(t > f * 1.2, "with the trend {t}, flat {f}");
}

#[test]
fn an_event_doubling_week_10_raises_its_orders_by_more_than_30_percent_and_less_than_double() {
    let (_, flat) = simulate(&[]);
    let (world, ev) =
        simulate(&["countries.DE.seasonality.events.sale = { week = 10, multiplier = 2.0 }"]);
    let (f, e) = (orders(&flat), orders(&ev));
    // Seed 7: +98 % (3 979 against 2 010 agent orders, ×1.98). The purchase chances of a
    // week are small, so doubling them nearly doubles the orders; what stops short
    // of 2× is the stock of buyers: a prospect won by the doubled chance buys once,
    // a customer at most once a week, and the point of sale keeps its share.
    let r = e[10] / f[10];
    assert!(r > 1.3 && r < 2.0, "week 10: ×{r}");
    // before the event: the same draws, the same results
    assert_eq!(&e[..10], &f[..10]);
    // far from it (weeks 30-52): within 3 % of flat (the customers won in week 10
    // are still there: +0.6 % on seed 7)
    let later = sum(&e, 30..52) / sum(&f, 30..52);
    assert!((later - 1.0).abs() < 0.03, "weeks 30-52: ×{later}");
    // weekly.csv's demand_index names the event week
    let rows = weekly_rows(&world, &ev);
    let index: Vec<f64> = rows
        .iter()
        .filter(|r| r.channel == "search")
        .map(|r| r.demand_index)
        .collect();
    assert_eq!(index[10], 2.0);
    assert!(index.iter().enumerate().all(|(w, &d)| w == 10 || d == 1.0));
}

#[test]
fn cos1_of_ln2_doubles_demand_in_iso_week_1_of_the_start_date() {
    // 2024-01-01 is the Monday of ISO week 1: d(0) = exp(ln 2 · cos 0) = 2, and at
    // week 26 (t = 26: cos π = −1) d = 1/2
    let s = scenario(
        DE,
        &[
            "start_date=2024-01-01",
            &format!("countries.DE.seasonality.cos1={}", 2f64.ln()),
        ],
    )
    .unwrap();
    let w = World::new(&s, &s.strategy);
    let d = &w.countries[0].demand;
    assert!((d[0] - 2.0).abs() < 1e-12, "{}", d[0]);
    assert!((d[26] - 0.5).abs() < 1e-12, "{}", d[26]);
    // a start date in ISO week 27 (2024-07-01) puts the trough in week 0
    let s = scenario(
        DE,
        &[
            "start_date=2024-07-01",
            &format!("countries.DE.seasonality.cos1={}", 2f64.ln()),
        ],
    )
    .unwrap();
    let w = World::new(&s, &s.strategy);
    assert!((w.countries[0].demand[0] - 0.5).abs() < 1e-12);
}

#[test]
fn a_flat_index_leaves_every_result_unchanged() {
    // a start date, zero coefficients and an event of multiplier 1: the same results
    let (wf, flat) = simulate(&[]);
    let (we, same) = simulate(&[
        "start_date=2025-06-02",
        "countries.DE.seasonality.cos2=0.0",
        "countries.DE.seasonality.events.none = { week_of_year = 20, weeks = 3, multiplier = 1.0 }",
    ]);
    let a = serde_json::to_string(&weekly_rows(&wf, &flat)).unwrap();
    let b = serde_json::to_string(&weekly_rows(&we, &same)).unwrap();
    assert_eq!(a, b);
    assert_eq!(flat[0].equity, same[0].equity);
}

#[test]
fn bad_seasonality_values_are_reported_with_their_key_path() {
    let cases: [(&[&str], &str, &str); 9] = [
        (
            &["start_date=2024-02-30"],
            "start_date",
            "not a calendar date",
        ),
        (
            &["start_date=1 Jan 2024"],
            "start_date",
            "ISO date YYYY-MM-DD",
        ),
        (
            &["countries.DE.seasonality.cos1=2.5"],
            "countries.DE.seasonality.cos1",
            "between -2 and 2",
        ),
        (
            &["countries.DE.seasonality.sin3=-3"],
            "countries.DE.seasonality.sin3",
            "between -2 and 2",
        ),
        (
            &["countries.DE.seasonality.trend_annual=-0.95"],
            "countries.DE.seasonality.trend_annual",
            "above -0.9 and below 5",
        ),
        (
            &["countries.DE.seasonality.events.x = { week_of_year = 54, multiplier = 2 }"],
            "countries.DE.seasonality.events.x.week_of_year",
            "between 1 and 53",
        ),
        (
            &["countries.DE.seasonality.events.x = { week = 3, weeks = 0, multiplier = 2 }"],
            "countries.DE.seasonality.events.x.weeks",
            "between 1 and 52",
        ),
        (
            &["countries.DE.seasonality.events.x = { week = 3, multiplier = 0 }"],
            "countries.DE.seasonality.events.x.multiplier",
            "positive number",
        ),
        (
            &["countries.DE.seasonality.events.x = { week = 3, week_of_year = 3, multiplier = 2 }"],
            "countries.DE.seasonality.events.x",
            "exactly one of week_of_year",
        ),
    ];
    for (sets, path, message) in cases {
        let e = scenario(DE, sets).expect_err(path);
        assert!(e.contains(path) && e.contains(message), "{sets:?}: {e}");
    }
    // neither start week
    let e = scenario(
        DE,
        &["countries.DE.seasonality.events.x = { multiplier = 2 }"],
    )
    .unwrap_err();
    assert!(
        e.contains("countries.DE.seasonality.events.x") && e.contains("exactly one"),
        "{e}"
    );
}
