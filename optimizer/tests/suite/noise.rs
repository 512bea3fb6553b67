//! A noisy evaluator: common random numbers, racing and the out-of-sample estimate.

use omnimix_optimizer::{NoObserver, OUT_OF_SAMPLE_BASE, Options, RayonEvaluator, Risk, optimize};

use crate::common::{eight, noisy_value};

#[test]
fn noisy_out_of_sample_estimate_within_one_percent_of_optimum() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![noisy_value(&p, x, rep, 0.15)]);
    let opts = Options {
        evals: 12_000,
        seed: 3,
        replications: 8,
        max_replications: 64,
        final_replications: 1000,
        ..Options::default()
    };
    let out = optimize(&space, &ev, &opts, &NoObserver, None).unwrap();
    let best = p.optimum();
    assert!(space.check(&out.x).is_empty());
    assert_eq!(out.objective.replications, 1000);
    assert!(out.evals_done <= opts.evals);
    // The out-of-sample estimate is an honest estimate of the true value of the plan...
    let truth = p.value(&out.x);
    let gap = (best - out.objective.value).abs() / best;
    assert!(
        gap < 0.01,
        "estimate {} optimum {best} truth {truth}",
        out.objective.value
    );
    // ...and the plan itself is near-optimal in expectation.
    assert!((best - truth) / best < 0.01, "truth {truth} optimum {best}");
    assert!(
        out.objective.ci95.0 <= out.objective.mean && out.objective.mean <= out.objective.ci95.1
    );
    // The race gave the winner more replications than the screening.
    assert!(
        out.in_sample_replications > opts.replications,
        "{}",
        out.in_sample_replications
    );
    let _ = OUT_OF_SAMPLE_BASE;
}

#[test]
fn cvar_and_mean_minus_sd_are_below_the_mean() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![noisy_value(&p, x, rep, 0.3)]);
    for risk in [Risk::Cvar(0.1), Risk::MeanMinusKSd(1.0)] {
        let opts = Options {
            evals: 3000,
            seed: 9,
            replications: 8,
            risk,
            final_replications: 200,
            ..Options::default()
        };
        let out = optimize(&space, &ev, &opts, &NoObserver, None).unwrap();
        assert!(space.check(&out.x).is_empty());
        assert!(
            out.objective.value < out.objective.mean,
            "{risk:?}: {:?}",
            out.objective
        );
    }
}
