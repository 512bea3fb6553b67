//! Target mode: the smallest budget that reaches a target.

use omnimix_optimizer::{Error, NoObserver, RayonEvaluator, TargetOptions, minimal_budget};

use crate::common::{LogProblem, eight, exact_options};

#[test]
fn smallest_budget_for_a_target_matches_the_analytic_answer() {
    let p = eight();
    // The analytic optimum at a budget of 400 is the target; the answer is 400.
    let target = LogProblem {
        budget: 400.0,
        ..p.clone()
    }
    .optimum();
    let space = p.space().with_budget(1000.0);
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x)]);
    let opts = TargetOptions {
        search: exact_options(1500, 4),
        target,
        rel_tol: 0.005,
        max_steps: 12,
        ..TargetOptions::default()
    };
    let out = minimal_budget(&space, &ev, &opts, &NoObserver).unwrap();
    assert!(out.plan.objective.value >= target);
    assert!(space.cost(&out.plan.x) <= out.budget * (1.0 + 1e-9));
    assert!(
        (out.budget - 400.0).abs() / 400.0 < 0.01,
        "budget {} steps {:?}",
        out.budget,
        out.steps
    );
    assert!(out.budget_not_enough.is_some_and(|b| b < out.budget));
}

#[test]
fn unreachable_target_is_reported() {
    let p = eight();
    let space = p.space().with_budget(300.0);
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x)]);
    let opts = TargetOptions {
        search: exact_options(600, 4),
        target: 1e6,
        ..TargetOptions::default()
    };
    let err = minimal_budget(&space, &ev, &opts, &NoObserver).unwrap_err();
    assert!(
        matches!(err, Error::TargetUnreachable { budget, .. } if budget == 300.0),
        "{err}"
    );
}
