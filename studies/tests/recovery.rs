//! Parameter recovery: histories simulated from known parameter values (not the
//! scenario's) are calibrated starting from the scenario's values; the posterior must
//! cover the truth and the channels' incremental effects must come back.

use omnimix_optimizer::RayonEvaluator;
use omnimix_sim::scenario::calibrate::{Dist, Prior};
use omnimix_sim::{ScenarioSource, scenario::load::load};
use omnimix_studies::calibrate::{FreeParam, Problem, calibrate, fit::Quiet, synthetic};

const SCENARIO: &str = r#"
name = "recovery"
seed = 11
agent_scale = 4
[finance]
annual_budget = 6e6
[countries.DE]
population = 400_000
[strategy.annual_spend.DE]
search = 900_000
social = 600_000
email = 80_000
call_centre = 30_000
[strategy.specialists.DE]
search = 3
social = 2
email = 1
[strategy.service_staff.DE]
call_centre = 10
"#;

fn log(lo: f64, hi: f64) -> Prior {
    Prior {
        dist: Dist::LogUniform,
        lo,
        hi,
        mean: None,
        sd: None,
    }
}

/// A parameter's path, its truth and its 90 % interval.
type Covered = (String, f64, f64, f64);

/// One recovery case: truth values for the free parameters, seed of the history.
fn case(
    truth: &[(&str, f64)],
    priors: &[Prior],
    seed: u64,
    evals: u32,
) -> (Vec<Covered>, Vec<(f64, f64)>) {
    let base = load(&ScenarioSource::new("recovery", SCENARIO), &[]).unwrap();
    let true_s = base.with_values(truth.iter().copied()).unwrap();
    let spend = synthetic::flighted_spend(&base, 78, seed);
    let obs = synthetic::history(&true_s, spend, seed, 0.02);
    let mut s = base.clone();
    s.calibrate.evaluations = evals;
    s.calibrate.replications = 2;
    s.calibrate.draws = 400;
    s.seed = seed;
    let params: Vec<FreeParam> = truth
        .iter()
        .zip(priors)
        .map(|((p, _), pr)| FreeParam {
            path: p.to_string(),
            prior: pr.clone(),
        })
        .collect();
    let problem = Problem::new(s, obs, params);
    let ev = RayonEvaluator::new(|x: &[f64], r: u32| problem.evaluate(x, r));
    let c = calibrate(&problem, &ev, &Quiet).unwrap();
    let rows = c
        .params
        .iter()
        .zip(truth)
        .map(|(r, (_, t))| (r.path.clone(), *t, r.lo, r.hi))
        .collect();
    // Channel effects: the truth's against the estimate's, same seeds.
    let tp = Problem::new(true_s.clone(), problem.observed.clone(), vec![]);
    let true_fx = tp.channel_effects(&[], true_s.agent_scale, 0..4).unwrap();
    let effects = true_fx
        .iter()
        .zip(&c.effects)
        .map(|(t, e)| (t.incremental_orders, e.incremental_orders))
        .collect();
    for r in &c.params {
        eprintln!(
            "{} est {:.5} [{:.5}, {:.5}] start {:.5}",
            r.path, r.estimate, r.lo, r.hi, r.start
        );
    }
    for m in &c.metrics {
        eprintln!(
            "{} {} r2 {:.3} nrmse {:.3} mape {:.3}",
            m.country, m.kpi, m.fit.r2, m.fit.nrmse, m.fit.mape
        );
    }
    (rows, effects)
}

#[test]
fn a_single_recovery_case_recovers_the_values_and_the_channel_effects() {
    let truth = [
        ("channels.search.conversion", 0.007),
        ("channels.social.conversion", 0.004),
        ("behaviour.organic_conversion_weekly", 0.0012),
    ];
    let priors = [log(0.001, 0.02), log(0.0005, 0.015), log(0.0002, 0.004)];
    let (rows, effects) = case(&truth, &priors, 5, 160);
    for (path, t, lo, hi) in &rows {
        eprintln!("{path}: truth {t} in [{lo}, {hi}]");
    }
    for (t, e) in &effects {
        eprintln!("effect truth {t:.0} est {e:.0}");
    }
    // Coverage is a property of many cases (the batch below); one case checks the
    // point estimates (the middle of the interval within 40 % of the truth) and the
    // channels' effects (within 15 %).
    for (path, t, lo, hi) in &rows {
        let mid = (lo * hi).sqrt();
        assert!(
            (mid - t).abs() <= 0.4 * t,
            "{path}: estimate {mid} vs truth {t} ([{lo}, {hi}])"
        );
    }
    for (t, e) in &effects {
        assert!((e - t).abs() <= 0.15 * t.abs(), "effect {e} vs truth {t}");
    }
}

#[test]
fn a_lift_test_that_disagrees_with_the_history_moves_the_channel_effect_toward_it() {
    use omnimix_sim::channel::Channel;
    use omnimix_studies::calibrate::{LiftTarget, Measure};
    let base = load(
        &ScenarioSource::new("recovery", SCENARIO),
        &[("agent_scale=8").parse().unwrap()],
    )
    .unwrap();
    let truth = base
        .with_values([("channels.social.conversion", 0.004)])
        .unwrap();
    let spend = synthetic::flighted_spend(&base, 52, 3);
    let obs = synthetic::history(&truth, spend, 3, 0.02);
    let (true_lift, _) = synthetic::lift_test(&truth, &obs, "DE", Channel::Social, (20, 27), 3, 4);
    let social_effect = |lift: Option<f64>| -> f64 {
        let mut o = obs.clone();
        if let Some(x) = lift {
            o.lift.push(LiftTarget {
                country: "DE".into(),
                channel: Channel::Social,
                start: 20,
                end: 27,
                measure: Measure::Orders,
                estimate: x,
                se: 0.05 * x,
            });
        }
        let mut s = base.clone();
        s.calibrate.evaluations = 60;
        s.calibrate.draws = 50;
        let params = vec![
            FreeParam {
                path: "channels.search.conversion".into(),
                prior: log(0.001, 0.02),
            },
            FreeParam {
                path: "channels.social.conversion".into(),
                prior: log(0.0005, 0.015),
            },
        ];
        let problem = Problem::new(s, o, params);
        let ev = RayonEvaluator::new(|x: &[f64], r: u32| problem.evaluate(x, r));
        let c = calibrate(&problem, &ev, &Quiet).unwrap();
        c.effects
            .iter()
            .find(|e| e.channel == Channel::Social)
            .unwrap()
            .incremental_orders
    };
    let without = social_effect(None);
    // An experiment that says social adds twice what the history implies.
    let with = social_effect(Some(2.0 * true_lift));
    eprintln!(
        "social effect: {without:.0} without the lift test, {with:.0} with it (lift truth {true_lift:.0})"
    );
    assert!(
        with > 1.15 * without,
        "the experiment pulls the effect up: {without:.0} -> {with:.0}"
    );
}

/// The batch: eight seeded cases, each with its own truth drawn from the middle of the
/// priors; every 90 % interval should cover its truth in at least 80 % of the cases,
/// the point estimates come within 40 % of the truth and the channels' effects within
/// 15 % in at least 80 % as well. Slow (about a minute per case on
/// two idle cores): `cargo test --release -p omnimix-studies --test recovery -- --ignored`.
#[test]
#[ignore]
fn recovery_batch_covers_the_truth_in_at_least_80_percent_of_cases() {
    use omnimix_studies::calibrate::prior::to_value;
    let paths = [
        "channels.search.conversion",
        "channels.social.conversion",
        "behaviour.organic_conversion_weekly",
    ];
    let priors = [log(0.001, 0.02), log(0.0005, 0.015), log(0.0002, 0.004)];
    let (mut covered, mut total, mut effects_ok, mut effects) = (0, 0, 0, 0);
    let mut near = 0;
    // `RECOVERY_SEEDS=101,103,105` runs a subset of the batch (for a quick signal).
    let seeds: Vec<u64> = std::env::var("RECOVERY_SEEDS").map_or_else(
        |_| (100..108).collect(),
        |v| v.split(',').filter_map(|t| t.trim().parse().ok()).collect(),
    );
    for seed in seeds {
        let us: Vec<f64> = (0..3)
            .map(|i| 0.2 + 0.6 * (((seed * 7 + i * 13) % 10) as f64 / 9.0))
            .collect();
        let truth: Vec<(&str, f64)> = paths
            .iter()
            .zip(&priors)
            .zip(&us)
            .map(|((p, pr), u)| (*p, to_value(pr, *u)))
            .collect();
        let (rows, fx) = case(&truth, &priors, seed, 160);
        for (path, t, lo, hi) in &rows {
            let ok = lo <= t && t <= hi;
            eprintln!(
                "seed {seed} {path}: truth {t:.5} in [{lo:.5}, {hi:.5}] {}",
                if ok { "covered" } else { "MISSED" }
            );
            covered += usize::from(ok);
            total += 1;
            // the point estimate: the interval's middle (geometric, as the priors are
            // log-uniform) within 40 % of the truth, as in the single case
            near += usize::from(((lo * hi).sqrt() - t).abs() <= 0.4 * t);
        }
        for (t, e) in &fx {
            effects += 1;
            effects_ok += usize::from((e - t).abs() <= 0.15 * t.abs());
        }
    }
    eprintln!(
        "coverage {covered}/{total}; estimates within 40 %: {near}/{total}; effects within 15 %: {effects_ok}/{effects}"
    );
    assert!(
        covered as f64 >= 0.8 * total as f64,
        "coverage {covered}/{total}"
    );
    assert!(
        near as f64 >= 0.8 * total as f64,
        "estimates {near}/{total}"
    );
    assert!(
        effects_ok as f64 >= 0.8 * effects as f64,
        "effects {effects_ok}/{effects}"
    );
}
