//! The baseline searches of the `search` bench: every plan they evaluate or return is
//! feasible (bounds, budget), they never report less than their starting plan, they
//! stay within their budget of evaluations, and Nelder–Mead finds the optimum of a
//! smooth function, inside the box and on the budget line.
//!
//! Run: `cargo test --release -p omnimix-benches`

use omnimix_benches::{Budget, Found, SearchBox, nelder_mead, random_search, score};
use omnimix_optimizer::{Candidate, Evaluation, Evaluator, RayonEvaluator, Space, Variable};
use omnimix_sim::{ScenarioSource, scenario::load::load};
use omnimix_studies::optimize::{PlanSearch, SearchConfig};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the evaluations asked for, and those of plans the space rejects.
struct Counting<'a, E> {
    inner: E,
    space: &'a Space,
    evals: AtomicUsize,
    infeasible: AtomicUsize,
}

impl<E: Evaluator> Evaluator for Counting<'_, E> {
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        let bad = batch.iter().filter(|c| !self.space.check(&c.x).is_empty());
        self.infeasible.fetch_add(bad.count(), Ordering::Relaxed);
        self.evals.fetch_add(batch.len(), Ordering::Relaxed);
        self.inner.evaluate(batch)
    }
}

#[test]
fn baselines_on_a_tiny_scenario_keep_to_the_budget_and_beat_the_start() {
    let text = "name = 'tiny'\nhorizon_weeks = 13\n[finance]\nannual_budget = 2e6\n\
                [countries.DE]\npopulation = 3000\n\
                [strategy.annual_spend.DE]\nsearch = 200000\ncall_centre = 20000\n\
                [strategy.specialists.DE]\nsearch = 2\n[strategy.service_staff.DE]\ncall_centre = 2\n";
    let scenario = load(&ScenarioSource::new("tiny.toml", text), &[]).unwrap();
    let cfg = SearchConfig {
        search_scale: 1,
        ..SearchConfig::new(scenario.clone())
    };
    let search = PlanSearch::new(&cfg).unwrap();
    let space = &search.space().space;
    let start = search.space().encode(&scenario.strategy);
    let budget = Budget {
        evals: 24,
        replications: 2,
        seed: 3,
    };
    let ev = || Counting {
        inner: RayonEvaluator::new(|x: &[f64], r: u32| search.evaluate(x, r)),
        space,
        evals: AtomicUsize::new(0),
        infeasible: AtomicUsize::new(0),
    };
    let start_value = score(&ev(), &[space.repaired(&start)], 2)[0];
    type Method = fn(&Space, &[f64], &dyn Evaluator, &Budget) -> Found;
    let methods: [(&str, Method); 2] = [
        ("random search", random_search),
        ("Nelder–Mead", |s, x, e, b| nelder_mead(s, x, e, b, 0.2)),
    ];
    let bx = SearchBox::of(space);
    for (name, method) in methods {
        let e = ev();
        let found = method(space, &start, &e, &budget);
        let violations = space.check(&found.x);
        assert!(violations.is_empty(), "{name}: {violations:?}");
        assert!(
            space.cost(&found.x) <= space.budget * (1.0 + 1e-9),
            "{name}: over budget"
        );
        for (k, &i) in bx.free.iter().enumerate() {
            let (v, tol) = (&space.variables[i], 1e-9 * bx.up[k].max(1.0));
            assert!(
                found.x[i] >= bx.low[k] - tol && found.x[i] <= bx.up[k] + tol,
                "{name}: {} = {} outside the box [{}, {}]",
                v.name,
                found.x[i],
                bx.low[k],
                bx.up[k]
            );
        }
        assert_eq!(
            found.start_value, start_value,
            "{name}: the start is candidate 0"
        );
        assert!(
            found.value >= start_value,
            "{name}: {} < start {start_value}",
            found.value
        );
        let rejected = e.infeasible.load(Ordering::Relaxed);
        assert_eq!(rejected, 0, "{name}: evaluated {rejected} infeasible plans");
        let asked = e.evals.load(Ordering::Relaxed);
        assert_eq!(asked, found.evals_done, "{name}: evaluations reported");
        assert!(
            asked <= budget.evals,
            "{name}: {asked} evaluations > {}",
            budget.evals
        );
        // the reported value is the plan's in-sample value
        assert_eq!(
            score(&ev(), std::slice::from_ref(&found.x), 2)[0],
            found.value,
            "{name}"
        );
    }
}

#[test]
fn nelder_mead_finds_the_maximum_of_a_smooth_function_in_a_box() {
    // a concave quadratic with its maximum at (3, 7, 2) inside the box, budget slack
    let mut space = Space::new(1000.0);
    for name in ["a", "b", "c"] {
        space.add_variable(Variable::continuous(name, 0.0, 10.0).with_cost(1.0));
    }
    let peak = [3.0, 7.0, 2.0];
    let ev = RayonEvaluator::new(|x: &[f64], _rep: u32| {
        vec![
            50.0 - (0..3)
                .map(|i| (i as f64 + 1.0) * (x[i] - peak[i]).powi(2))
                .sum::<f64>(),
        ]
    });
    let budget = Budget {
        evals: 600,
        replications: 1,
        seed: 0,
    };
    let found = nelder_mead(&space, &[9.0, 1.0, 9.0], &ev, &budget, 0.1);
    for (x, p) in found.x.iter().zip(peak) {
        assert!((x - p).abs() < 1e-3, "{:?}", found.x);
    }
    assert!((found.value - 50.0).abs() < 1e-5);
    assert!(found.evals_done <= 600);
    // under a binding budget the maximum is on the budget line a + b + c = 6, at
    // (0, 5.2, 0.8) (KKT: a at its bound, 4(7 − b) = 6(2 − c)), value 30.2
    let tight = space.with_budget(6.0);
    let start = [1.0, 1.0, 1.0];
    let start_value = score(&ev, &[start.to_vec()], 1)[0];
    let random = random_search(&tight, &start, &ev, &budget);
    let simplex = nelder_mead(&tight, &start, &ev, &budget, 0.1);
    for found in [&random, &simplex] {
        assert!(tight.check(&found.x).is_empty(), "{:?}", found.x);
        assert!(found.value >= start_value && found.value <= 30.2 + 1e-9);
    }
    assert!((simplex.value - 30.2).abs() < 1e-3, "{:?}", simplex);
}
