//! The pattern search along structured directions: on a space too wide for a compass
//! batch it reaches the analytic optimum of a grouped concave problem, beats the same
//! budget without directions, and resumes from a kill inside it bit for bit.

use std::cell::Cell;

use omnimix_optimizer::{
    Direction, Error, NoObserver, Options, RayonEvaluator, SearchState, optimize,
};

use crate::checkpoint::{JsonCheckpoint, Killer, same};
use crate::common::{LogProblem, exact_options, noisy_value};

/// 120 channels in 6 groups of 20 that respond alike within a group: the optimum
/// spends equally within a group, so group-wide moves can reach it.
fn grouped() -> (LogProblem, Vec<Direction>) {
    let groups = [90.0, 40.0, 140.0, 25.0, 70.0, 55.0];
    let n = 120;
    let p = LogProblem {
        a: (0..n).map(|i| groups[i / 20]).collect(),
        b: (0..n).map(|i| 10.0 + 10.0 * (i / 20) as f64).collect(),
        c: vec![1.0; n],
        hi: vec![200.0; n],
        budget: 3000.0,
    };
    let dirs = (0..6)
        .map(|g| Direction {
            name: format!("group {g}"),
            scale: (20 * g..20 * g + 20).map(|i| (i, 0.5)).collect(),
            shift: vec![],
            keep_cost: true,
        })
        .collect();
    (p, dirs)
}

fn options(dirs: Vec<Direction>) -> Options {
    Options {
        initial: vec![vec![25.0; 120]],
        directions: dirs,
        polish_share: 0.7,
        ..exact_options(800, 5)
    }
}

#[test]
fn grouped_directions_reach_the_optimum_a_compass_batch_cannot_afford() {
    let (p, dirs) = grouped();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x)]);
    let with = optimize(&space, &ev, &options(dirs), &NoObserver, None).unwrap();
    let without = optimize(&space, &ev, &options(vec![]), &NoObserver, None).unwrap();
    let best = p.optimum();
    let start = p.value(&[25.0; 120]);
    assert!(space.check(&with.x).is_empty());
    assert!(space.cost(&with.x) <= space.budget * (1.0 + 1e-9));
    let gap = (best - with.objective.value) / best;
    assert!(
        gap < 0.005,
        "found {}, optimum {best}, start {start}",
        with.objective.value
    );
    assert!(
        with.objective.value > without.objective.value,
        "with directions {} vs without {}",
        with.objective.value,
        without.objective.value
    );
}

#[test]
fn directions_out_of_the_space_are_refused() {
    let (p, mut dirs) = grouped();
    dirs[0].shift.push((500, 1.0));
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x)]);
    let err = optimize(&space, &ev, &options(dirs), &NoObserver, None).unwrap_err();
    assert!(err.to_string().contains("directions"), "{err}");
}

#[test]
fn killed_in_the_pattern_search_resumes_to_the_same_result() {
    let (p, dirs) = grouped();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![noisy_value(&p, x, rep, 0.2)]);
    let opts = || Options {
        replications: 2,
        max_replications: 8,
        final_replications: 4,
        checkpoint_every: 1,
        ..options(dirs.clone())
    };
    let mut full_cp = JsonCheckpoint::default();
    let full = optimize(&space, &ev, &opts(), &NoObserver, Some(&mut full_cp)).unwrap();
    let in_pattern: Vec<SearchState> = full_cp
        .all
        .iter()
        .map(|j| serde_json::from_str::<SearchState>(j).unwrap())
        .filter(|s| s.phase() == "pattern")
        .collect();
    assert!(
        in_pattern.len() > 3,
        "{} pattern checkpoints",
        in_pattern.len()
    );
    let kill_at = in_pattern[in_pattern.len() / 2].evals_done();
    let mut cp = JsonCheckpoint::default();
    let killer = Killer {
        kill_at,
        done: Cell::new(0),
    };
    let err = optimize(&space, &ev, &opts(), &killer, Some(&mut cp)).unwrap_err();
    assert!(matches!(err, Error::Stopped { .. }), "{err}");
    let state: SearchState = serde_json::from_str(cp.last.as_deref().unwrap()).unwrap();
    assert_eq!(state.phase(), "pattern");
    let resumed = optimize(
        &space,
        &ev,
        &Options {
            resume_from: Some(state),
            ..opts()
        },
        &NoObserver,
        None,
    )
    .unwrap();
    same(&full, &resumed);
}
