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
        // the search grows the budget up to `grow_to` times the one given
        matches!(err, Error::TargetUnreachable { budget, .. } if budget == 300.0 * opts.grow_to),
        "{err}"
    );
}

#[test]
fn killed_target_search_resumes_to_the_same_budget_and_plan() {
    use crate::checkpoint::{JsonCheckpoint, Killer};
    use omnimix_optimizer::{TargetState, minimal_budget_resumable};
    use std::cell::Cell;

    let p = eight();
    let target = LogProblem {
        budget: 400.0,
        ..p.clone()
    }
    .optimum()
        * 0.98;
    let space = p.space().with_budget(1000.0);
    let ev =
        RayonEvaluator::new(|x: &[f64], r: u32| vec![crate::common::noisy_value(&p, x, r, 0.1)]);
    let opts = TargetOptions {
        search: omnimix_optimizer::Options {
            evals: 400,
            seed: 8,
            replications: 2,
            max_replications: 8,
            final_replications: 4,
            checkpoint_every: 2,
            ..omnimix_optimizer::Options::default()
        },
        target,
        rel_tol: 0.05,
        max_steps: 5,
        ..TargetOptions::default()
    };
    let mut all = JsonCheckpoint::default();
    let mut fresh = TargetState::default();
    let full =
        minimal_budget_resumable(&space, &ev, &opts, &NoObserver, Some(&mut all), &mut fresh)
            .unwrap();
    assert!(full.steps.len() >= 3, "{:?}", full.steps);
    for kill_at in [150, 900, 1700] {
        let mut cp = JsonCheckpoint::default();
        let killer = Killer {
            kill_at,
            done: Cell::new(0),
        };
        let err = minimal_budget_resumable(
            &space,
            &ev,
            &opts,
            &killer,
            Some(&mut cp),
            &mut TargetState::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Stopped { .. }), "{err}");
        let mut state: TargetState = serde_json::from_str(cp.last.as_deref().unwrap()).unwrap();
        let resumed =
            minimal_budget_resumable(&space, &ev, &opts, &NoObserver, None, &mut state).unwrap();
        assert_eq!(full, resumed, "killed at {kill_at}");
    }
    // A finished state answers a second call without any evaluation.
    struct Count(Cell<usize>);
    impl omnimix_optimizer::Observer for Count {
        fn progress(&self, _e: usize, _b: f64) {
            self.0.set(self.0.get() + 1);
        }
    }
    let counted = Count(Cell::new(0));
    let again = minimal_budget_resumable(&space, &ev, &opts, &counted, None, &mut fresh).unwrap();
    assert_eq!(full, again);
    assert_eq!(counted.0.get(), 0);
}
