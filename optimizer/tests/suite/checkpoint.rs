//! Kill and resume: a run stopped after k evaluations and resumed from its last checkpoint
//! (through JSON) reaches the same plan and objective, bit for bit.

use std::cell::Cell;

use omnimix_optimizer::{
    Checkpointer, Error, NoObserver, Observer, Options, Outcome, RayonEvaluator, SearchState,
    optimize,
};

use crate::common::{eight, noisy_value};

/// Keeps every saved state as JSON (the binary keeps the last one in an atomic file).
#[derive(Default)]
pub struct JsonCheckpoint {
    pub last: Option<String>,
    pub all: Vec<String>,
    pub saves: usize,
}

impl<S: serde::Serialize> Checkpointer<S> for JsonCheckpoint {
    fn save(&mut self, state: &S) {
        let json = serde_json::to_string(state).unwrap();
        self.all.push(json.clone());
        self.last = Some(json);
        self.saves += 1;
    }
}

/// Asks to stop once `kill_at` evaluations are done (a simulated `kill -9` right after a
/// checkpoint).
pub struct Killer {
    pub kill_at: usize,
    pub done: Cell<usize>,
}

impl Observer for Killer {
    fn progress(&self, evals_done: usize, _best: f64) {
        self.done.set(evals_done);
    }
    fn stop_requested(&self) -> bool {
        self.done.get() >= self.kill_at
    }
}

fn opts() -> Options {
    Options {
        evals: 2400,
        seed: 17,
        replications: 3,
        max_replications: 24,
        checkpoint_every: 2,
        ..Options::default()
    }
}

pub fn same(a: &Outcome, b: &Outcome) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.x), bits(&b.x));
    assert_eq!(a.objective.value.to_bits(), b.objective.value.to_bits());
    assert_eq!(a, b);
}

#[test]
fn killed_run_resumes_to_the_same_result_in_every_phase() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![noisy_value(&p, x, rep, 0.2)]);
    let mut full_cp = JsonCheckpoint::default();
    let full = optimize(&space, &ev, &opts(), &NoObserver, Some(&mut full_cp)).unwrap();
    assert!(full_cp.saves > 3);
    let mut phases = Vec::new();
    // Kill right after the 1st batch, a third and two thirds in, and the second-to-last.
    let t = &full.trace;
    let kills = [
        t[0].0,
        t[t.len() / 3].0,
        t[2 * t.len() / 3].0,
        t[t.len() - 2].0,
    ];
    for kill_at in kills {
        let mut cp = JsonCheckpoint::default();
        let killer = Killer {
            kill_at,
            done: Cell::new(0),
        };
        let err = optimize(&space, &ev, &opts(), &killer, Some(&mut cp)).unwrap_err();
        assert!(matches!(err, Error::Stopped { .. }), "{err}");
        let state: SearchState = serde_json::from_str(cp.last.as_deref().unwrap()).unwrap();
        assert!(state.evals_done() >= kill_at);
        phases.push(state.phase());
        // Resume; a second kill-free run from the same checkpoint.
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
    // The kills hit the swarm, the polish and the race.
    for phase in ["swarm", "polish", "race"] {
        assert!(phases.contains(&phase), "{phases:?}");
    }
}

#[test]
fn resuming_from_any_periodic_checkpoint_gives_the_same_result() {
    // A `kill -9` loses the work since the last periodic checkpoint: resuming from any of
    // them (including the final one) must land on the same plan.
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![noisy_value(&p, x, rep, 0.2)]);
    let mut cp = JsonCheckpoint::default();
    let full = optimize(&space, &ev, &opts(), &NoObserver, Some(&mut cp)).unwrap();
    let n = cp.all.len();
    for k in [0, n / 4, n / 2, 3 * n / 4, n - 2, n - 1] {
        let state: SearchState = serde_json::from_str(&cp.all[k]).unwrap();
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
}

#[test]
fn resuming_with_other_options_is_refused() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], _rep: u32| vec![p.value(x)]);
    let mut cp = JsonCheckpoint::default();
    let killer = Killer {
        kill_at: 200,
        done: Cell::new(0),
    };
    let _ = optimize(&space, &ev, &opts(), &killer, Some(&mut cp));
    let state: SearchState = serde_json::from_str(cp.last.as_deref().unwrap()).unwrap();
    let err = optimize(
        &space,
        &ev,
        &Options {
            seed: 18,
            resume_from: Some(state),
            ..opts()
        },
        &NoObserver,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::ResumeMismatch { .. }), "{err}");
}

#[test]
fn a_state_with_more_evaluations_done_than_the_budget_is_refused() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], _rep: u32| vec![p.value(x)]);
    let mut cp = JsonCheckpoint::default();
    let killer = Killer {
        kill_at: 200,
        done: Cell::new(0),
    };
    let _ = optimize(&space, &ev, &opts(), &killer, Some(&mut cp));
    let mut v: serde_json::Value = serde_json::from_str(cp.last.as_deref().unwrap()).unwrap();
    v["evals_done"] = 1_000_000.into();
    let state: SearchState = serde_json::from_value(v).unwrap();
    let err = optimize(
        &space,
        &ev,
        &Options {
            resume_from: Some(state),
            ..opts()
        },
        &NoObserver,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::ResumeMismatch { what } if what.contains("1000000 evaluations done")),
        "{err}"
    );
}
