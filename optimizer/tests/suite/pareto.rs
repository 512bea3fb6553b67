//! Multi-objective: the returned front is feasible and non-dominated, and spans the
//! trade-off between two conflicting objectives.

use omnimix_optimizer::{
    NoObserver, Options, RayonEvaluator, dominates, optimize_pareto, pareto_front,
};

use crate::common::{LogProblem, eight};

#[test]
fn front_is_non_dominated_feasible_and_spans_the_trade_off() {
    let p = eight();
    // Objective 1 favours the channels objective 0 likes least (reversed weights).
    let q = LogProblem {
        a: p.a.iter().rev().copied().collect(),
        ..p.clone()
    };
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x), q.value(x)]);
    let opts = Options {
        evals: 6000,
        seed: 2,
        replications: 1,
        final_replications: 1,
        ..Options::default()
    };
    let out = optimize_pareto(&space, &ev, &opts, &NoObserver).unwrap();
    let front = &out.front;
    assert!(front.len() >= 10, "front of {}", front.len());
    for a in front {
        assert!(space.check(&a.x).is_empty());
        for b in front {
            assert!(!dominates(&a.objectives, &b.objectives));
        }
    }
    let objs: Vec<Vec<f64>> = front.iter().map(|f| f.objectives.clone()).collect();
    assert_eq!(pareto_front(&objs).len(), front.len());
    // Sorted by objective 0, so objective 1 decreases along the front.
    assert!(
        front
            .windows(2)
            .all(|w| w[0].objectives[0] <= w[1].objectives[0])
    );
    // The ends come near each single-objective optimum.
    let best0 = front
        .iter()
        .map(|f| f.objectives[0])
        .fold(f64::MIN, f64::max);
    let best1 = front
        .iter()
        .map(|f| f.objectives[1])
        .fold(f64::MIN, f64::max);
    assert!(best0 > 0.98 * p.optimum(), "{best0} vs {}", p.optimum());
    assert!(best1 > 0.98 * q.optimum(), "{best1} vs {}", q.optimum());
    assert!(front.iter().all(|f| f.out_of_sample.len() == 2));
}

#[test]
fn one_objective_is_refused() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x)]);
    let err = optimize_pareto(
        &space,
        &ev,
        &Options {
            evals: 200,
            ..Options::default()
        },
        &NoObserver,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            omnimix_optimizer::Error::MissingObjectives {
                needed: 2,
                found: 1
            }
        ),
        "{err}"
    );
}

#[test]
fn killed_pareto_search_resumes_to_the_same_front() {
    use crate::checkpoint::{JsonCheckpoint, Killer};
    use omnimix_optimizer::{Error, ParetoState, optimize_pareto_resumable};
    use std::cell::Cell;

    let p = eight();
    let q = LogProblem {
        a: p.a.iter().rev().copied().collect(),
        ..p.clone()
    };
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], r: u32| {
        vec![crate::common::noisy_value(&p, x, r, 0.2), q.value(x)]
    });
    let opts = Options {
        evals: 1200,
        seed: 4,
        replications: 2,
        final_replications: 2,
        checkpoint_every: 3,
        ..Options::default()
    };
    let mut all = JsonCheckpoint::default();
    let full =
        optimize_pareto_resumable(&space, &ev, &opts, &NoObserver, Some(&mut all), None).unwrap();
    assert!(all.all.len() > 4);
    for kill_at in [100, 500, 1000] {
        let mut cp = JsonCheckpoint::default();
        let killer = Killer {
            kill_at,
            done: Cell::new(0),
        };
        let err = optimize_pareto_resumable(&space, &ev, &opts, &killer, Some(&mut cp), None)
            .unwrap_err();
        assert!(matches!(err, Error::Stopped { .. }), "{err}");
        let state: ParetoState = serde_json::from_str(cp.last.as_deref().unwrap()).unwrap();
        assert!(state.evals_done() >= kill_at);
        let resumed =
            optimize_pareto_resumable(&space, &ev, &opts, &NoObserver, None, Some(state)).unwrap();
        assert_eq!(full, resumed);
    }
    // a state of another run is refused
    let state: ParetoState = serde_json::from_str(&all.all[1]).unwrap();
    let other = Options {
        seed: 5,
        ..opts.clone()
    };
    let err =
        optimize_pareto_resumable(&space, &ev, &other, &NoObserver, None, Some(state)).unwrap_err();
    assert!(matches!(err, Error::ResumeMismatch { .. }), "{err}");
}
