//! `model_sanity`: directions the literature and common sense agree on, measured on
//! the outputs a user reads (KPIs and `weekly.csv` rows), on the default preset at a
//! coarse agent scale. Each test can fail: it compares two runs on common random
//! numbers and asserts the sign of the difference (and, where it matters, that the
//! 90 % intervals do not overlap).

use omnimix_sim::engine::{Replication, RunOptions, Silent, run};
use omnimix_sim::kpis::{Kpi, Summary, summarise_with, weekly_rows};
use omnimix_sim::scenario::load::load;
use omnimix_sim::stats::Interval;
use omnimix_sim::{Channel, Override, Scenario, ScenarioSource, Strategy, World};

const GLOBAL_RETAIL: &str = include_str!("../../scenarios/global-retail.toml");

fn scenario(sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    load(&ScenarioSource::new("test", GLOBAL_RETAIL), &o).unwrap_or_else(|e| panic!("{e}"))
}

fn runs(s: &Scenario, st: &Strategy, reps: u32) -> (World, Vec<Replication>) {
    let world = World::new(s, st);
    let opts = RunOptions {
        seed: 7,
        replications: reps,
        first_replication: 0,
        journeys: false,
    };
    let r = run(&world, &opts, &Silent);
    (world, r)
}

/// Summary with the incremental KPIs (counterfactual: paid media off).
fn simulate(s: &Scenario, st: &Strategy, reps: u32) -> (World, Summary, Vec<Replication>) {
    let (world, r) = runs(s, st, reps);
    let (w0, r0) = runs(s, &st.without_media(None), reps);
    let sum = summarise_with(&world, "t", 7, &r, Some((&w0, &r0)));
    (world, sum, r)
}

fn company(sum: &Summary, k: Kpi) -> Interval {
    *sum.company.get(k).unwrap_or_else(|| panic!("{k} missing"))
}

fn country(sum: &Summary, code: &str, k: Kpi) -> Interval {
    *sum.countries[code]
        .get(k)
        .unwrap_or_else(|| panic!("{code} {k} missing"))
}

/// The strategy with `channels` off (spend, specialists, store staff) in `countries`
/// (every country when empty).
fn off(st: &Strategy, countries: &[&str], channels: &[Channel]) -> Strategy {
    let mut st = st.clone();
    let hit = |code: &str| countries.is_empty() || countries.contains(&code);
    for m in [
        &mut st.annual_spend,
        &mut st.specialists,
        &mut st.service_staff,
    ] {
        for (code, by) in m.iter_mut() {
            if !hit(code) {
                continue;
            }
            for c in channels {
                if let Some(v) = by.get_mut(c.name()) {
                    *v = 0.0;
                }
            }
        }
    }
    st
}

/// The strategy with media spend × `factor` in `code` (specialists scaled alike, so
/// the extra spend is run at full performance).
fn media_times(st: &Strategy, code: &str, factor: f64) -> Strategy {
    let mut st = st.clone();
    for m in [&mut st.annual_spend, &mut st.specialists] {
        for (ch, v) in m.get_mut(code).unwrap().iter_mut() {
            let c: Channel = ch.parse().unwrap();
            if !c.is_service() && c != Channel::Store {
                *v *= factor;
            }
        }
    }
    st
}

fn channel_revenue(world: &World, reps: &[Replication], c: Channel) -> f64 {
    weekly_rows(world, reps)
        .iter()
        .filter(|r| r.channel == c.name())
        .map(|r| r.revenue)
        .sum()
}

const MEDIA: [Channel; 6] = [
    Channel::Search,
    Channel::Social,
    Channel::Display,
    Channel::Email,
    Channel::App,
    Channel::Print,
];

#[test]
fn a_dark_store_network_books_no_store_revenue_and_its_orders_partly_move_online() {
    let s = scenario(&["agent_scale=400"]);
    let (w1, base, r1) = simulate(&s, &s.strategy, 2);
    let dark = off(&s.strategy, &[], &[Channel::Store]);
    let (w2, closed, r2) = simulate(&s, &dark, 2);
    assert_eq!(channel_revenue(&w2, &r2, Channel::Store), 0.0);
    assert!(channel_revenue(&w1, &r1, Channel::Store) > 0.0);
    // some of the store customers' orders move to the web shop ...
    assert!(
        channel_revenue(&w2, &r2, Channel::Search) > channel_revenue(&w1, &r1, Channel::Search)
    );
    // ... but revenue and value fall
    assert!(company(&closed, Kpi::Revenue).hi.unwrap() < company(&base, Kpi::Revenue).lo.unwrap());
    assert!(company(&closed, Kpi::Value).mean < company(&base, Kpi::Value).mean);
}

#[test]
fn touchpoints_that_take_no_orders_book_no_revenue() {
    let s = scenario(&["agent_scale=400", "horizon_weeks=26"]);
    let (w, r) = runs(&s, &s.strategy, 1);
    for c in [
        Channel::Print,
        Channel::Display,
        Channel::Social,
        Channel::Email,
    ] {
        assert_eq!(channel_revenue(&w, &r, c), 0.0, "{c}");
    }
    // unless the scenario makes the channel a point of sale (social commerce)
    let s2 = scenario(&[
        "agent_scale=400",
        "horizon_weeks=26",
        "channels.social.takes_orders=true",
    ]);
    let (w2, r2) = runs(&s2, &s2.strategy, 1);
    assert!(channel_revenue(&w2, &r2, Channel::Social) > 0.0);
}

#[test]
fn switching_off_paid_media_and_stores_lowers_the_default_objective_and_revenue() {
    let s = scenario(&["agent_scale=400"]);
    let (_, base, _) = simulate(&s, &s.strategy, 2);
    let mut all = MEDIA.to_vec();
    all.push(Channel::Store);
    let (_, none, _) = simulate(&s, &off(&s.strategy, &[], &all), 2);
    assert!(company(&none, Kpi::Value).hi.unwrap() < company(&base, Kpi::Value).lo.unwrap());
    assert!(company(&none, Kpi::Revenue).hi.unwrap() < company(&base, Kpi::Revenue).lo.unwrap());
    assert!(company(&none, Kpi::ActiveCustomers).mean < company(&base, Kpi::ActiveCustomers).mean);
}

#[test]
fn media_at_zero_in_a_country_loses_new_customers_and_doubling_it_wins_some() {
    // Vietnam: a small budget for its size, below saturation
    let s = scenario(&["agent_scale=200"]);
    let (_, base, _) = simulate(&s, &s.strategy, 3);
    let (_, doubled, _) = simulate(&s, &media_times(&s.strategy, "VN", 2.0), 3);
    let (_, zero, _) = simulate(&s, &off(&s.strategy, &["VN"], &MEDIA), 3);
    for k in [Kpi::NewCustomers, Kpi::Revenue] {
        let (b, d, z) = (
            country(&base, "VN", k),
            country(&doubled, "VN", k),
            country(&zero, "VN", k),
        );
        assert!(d.mean > b.mean, "{k}: doubled {} vs {}", d.mean, b.mean);
        assert!(z.hi.unwrap() < b.lo.unwrap(), "{k}: zero {z:?} vs {b:?}");
    }
}

#[test]
fn paid_media_earns_positive_incremental_revenue_on_the_default_preset() {
    let s = scenario(&["agent_scale=400"]);
    let (_, sum, _) = simulate(&s, &s.strategy, 2);
    let inc = company(&sum, Kpi::IncrementalRevenue);
    assert!(inc.lo.unwrap() > 0.0, "{inc:?}");
    // the incremental ratios are the incremental sums over the cost of marketing
    let (r, c, p) = (
        company(&sum, Kpi::Roas).mean,
        company(&sum, Kpi::CostMarketing).mean,
        company(&sum, Kpi::IncrementalProfit).mean,
    );
    assert!(c > 0.0);
    assert!((r * c - inc.mean).abs() < 1e-6 * inc.mean.abs().max(1.0) * 10.0);
    let roi = company(&sum, Kpi::Roi).mean;
    assert!((roi * c - p).abs() < 1e-6 * p.abs().max(1.0) * 10.0);
}

#[test]
fn an_understaffed_call_centre_loses_sales_as_well_as_customers() {
    let s = scenario(&["agent_scale=200"]);
    let mut lean = s.strategy.clone();
    for by in lean.service_staff.values_mut() {
        for (ch, v) in by.iter_mut() {
            if ch == "call_centre" || ch == "live_chat" {
                *v = (*v * 0.3).round();
            }
        }
    }
    let (_, full, _) = simulate(&s, &s.strategy, 3);
    let (_, thin, _) = simulate(&s, &lean, 3);
    for k in [Kpi::NewCustomers, Kpi::Retention12m, Kpi::RetentionRate] {
        let (a, b) = (company(&thin, k), company(&full, k));
        assert!(
            a.hi.unwrap() < b.lo.unwrap(),
            "{k}: thin {a:?} vs full {b:?}"
        );
    }
}

#[test]
fn the_retention_rate_adds_up_from_the_customer_counts() {
    let s = scenario(&["agent_scale=500"]);
    let (world, r) = runs(&s, &s.strategy, 1);
    let (k, _) = omnimix_sim::kpis::replication_kpis(&world, &r[0]);
    let rate = k.get(Kpi::RetentionRate).unwrap();
    let want = (k.get(Kpi::ActiveCustomers).unwrap() - k.get(Kpi::NewCustomers).unwrap())
        / k.get(Kpi::CustomersStart).unwrap();
    assert!((rate - want).abs() < 1e-12);
    assert_eq!(
        k.get(Kpi::Value).unwrap(),
        k.get(Kpi::Npv).unwrap() + k.get(Kpi::CustomerEquity).unwrap()
    );
}

#[test]
fn customer_equity_falls_with_the_discount_rate_and_grows_with_the_margin() {
    let eq = |sets: &[&str]| {
        let mut all = vec!["agent_scale=800", "horizon_weeks=8"];
        all.extend_from_slice(sets);
        let s = scenario(&all);
        let (world, r) = runs(&s, &s.strategy, 1);
        omnimix_sim::kpis::replication_kpis(&world, &r[0])
            .0
            .get(Kpi::CustomerEquity)
            .unwrap()
    };
    let base = eq(&[]);
    assert!(base > 0.0);
    assert!(eq(&["discount_rate_annual=0.3"]) < base);
    let double = eq(&["finance.gross_margin=0.8"]);
    assert!((double / base - 2.0).abs() < 1e-9, "{double} vs {base}");
}

#[test]
fn a_budget_below_the_plan_is_met_by_the_cut_policy_and_the_cuts_add_up() {
    let s = scenario(&["agent_scale=400", "finance.annual_budget=80e6"]);
    let budget = 80e6 * s.horizon_weeks as f64 / 52.0;
    let after = omnimix_sim::mechanisms::finance::planned_costs(&s, &s.strategy);
    assert!(after.total() <= budget * (1.0 + 1e-9), "{after:?}");
    let (name, fit) = &s.budget_fits[0];
    assert_eq!(name, "current");
    assert_eq!(fit.after, after);
    // media first, and a hiring freeze: both lines are cut
    assert!(fit.after.media < fit.before.media && fit.after.wages < fit.before.wages);
    assert!(fit.media_factor < fit.staff_factor, "{fit:?}");
    // a policy that cuts only media leaves the staff as they were
    let media_only = scenario(&[
        "agent_scale=400",
        "finance.annual_budget=80e6",
        "finance.cut_policy.staff=0",
        "finance.cut_policy.integration=0",
    ]);
    let fit = &media_only.budget_fits[0].1;
    assert_eq!(fit.after.wages, fit.before.wages);
    assert!(fit.after.media < fit.before.media);
    // the cut plan runs, and sells less than the full one
    let full = scenario(&["agent_scale=400"]);
    let (_, a, _) = simulate(&s, &s.strategy, 2);
    let (_, b, _) = simulate(&full, &full.strategy, 2);
    assert!(company(&a, Kpi::Revenue).mean < company(&b, Kpi::Revenue).mean);
    // a budget the policy cannot reach is a problem, not a silent plan
    let o: Vec<Override> = [
        "finance.annual_budget=1e6",
        "finance.cut_policy.media=0",
        "finance.cut_policy.staff=0",
        "finance.cut_policy.integration=0",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let e = load(&ScenarioSource::new("t", GLOBAL_RETAIL), &o).unwrap_err();
    assert!(e.to_string().contains("cut_policy"), "{e}");
}

#[test]
fn with_budget_volatility_cuts_show_in_wages_as_well_as_media() {
    let calm = scenario(&["agent_scale=800", "horizon_weeks=26"]);
    let weak = scenario(&[
        "agent_scale=800",
        "horizon_weeks=26",
        "finance.volatility=1",
        "finance.max_cut=0.5",
    ]);
    let (_, a, _) = simulate(&calm, &calm.strategy, 2);
    let (_, b, _) = simulate(&weak, &weak.strategy, 2);
    for k in [Kpi::CostMedia, Kpi::CostStaff] {
        assert!(company(&b, k).mean < company(&a, k).mean, "{k}");
    }
    // and with a media-only policy the wages are untouched
    let media_only = scenario(&[
        "agent_scale=800",
        "horizon_weeks=26",
        "finance.volatility=1",
        "finance.max_cut=0.5",
        "finance.cut_policy.staff=0",
    ]);
    let (_, c, _) = simulate(&media_only, &media_only.strategy, 2);
    assert_eq!(
        company(&c, Kpi::CostStaff).mean,
        company(&a, Kpi::CostStaff).mean
    );
}

#[test]
fn an_initiative_live_only_after_the_horizon_is_reported() {
    let mut s = scenario(&[
        "agent_scale=800",
        "integration.unified_data.delay_weeks=200",
    ]);
    s.strategy
        .integration
        .entry("DE".into())
        .or_default()
        .insert("unified_data".into(), 0);
    let late = omnimix_sim::mechanisms::integration::late_rollouts(&s, &s.strategy);
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].0.as_str(), late[0].1), ("DE", "unified_data"));
    assert!(late[0].2 >= s.horizon_weeks);
}
