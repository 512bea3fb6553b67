//! The optimizer against analytic optima of concave response curves under a budget
//! (equal marginal returns: `a_i / (b_i + x_i) = λ c_i`, i.e. water-filling).

use omnimix_optimizer::{NoObserver, RayonEvaluator, Space, Variable, optimize};

use crate::common::{LogProblem, eight, exact_options};

fn gap(found: f64, best: f64) -> f64 {
    (best - found) / best
}

fn run(p: &LogProblem, space: &Space, evals: usize) -> (Vec<f64>, f64) {
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| vec![p.value(x)]);
    let out = optimize(space, &ev, &exact_options(evals, 11), &NoObserver, None).unwrap();
    assert!(space.check(&out.x).is_empty(), "{:?}", space.check(&out.x));
    assert!(space.cost(&out.x) <= space.budget * (1.0 + 1e-9));
    (out.x, out.objective.value)
}

#[test]
fn separable_log_within_half_percent_of_water_filling() {
    let p = eight();
    let (_, found) = run(&p, &p.space(), 3000);
    let best = p.optimum();
    assert!(gap(found, best) < 0.005, "found {found}, optimum {best}");
}

#[test]
fn active_upper_bounds_within_half_percent() {
    let mut p = eight();
    p.hi = vec![60.0, 40.0, 1000.0, 50.0, 1000.0, 30.0, 1000.0, 1000.0];
    let n = p.a.len();
    let (x_opt, best) = p.water_fill(&vec![true; n], &vec![0.0; n]).unwrap();
    let capped = (0..n).filter(|&i| x_opt[i] >= p.hi[i] - 1e-9).count();
    assert!(capped >= 3, "the test needs active bounds: {x_opt:?}");
    let (x, found) = run(&p, &p.space(), 3000);
    assert!(
        gap(found, best) < 0.005,
        "found {found}, optimum {best}\n{x:?}\n{x_opt:?}"
    );
}

#[test]
fn minimum_viable_spend_matches_brute_force() {
    let p = eight();
    let m = [150.0, 120.0, 100.0, 200.0, 60.0, 110.0, 45.0, 150.0];
    let mut space = p.space();
    for (v, &mi) in space.variables.iter_mut().zip(&m) {
        v.min_viable = Some(mi);
    }
    let best = p.optimum_semi(&m);
    assert!(
        best < p.optimum() * 0.995,
        "minimums must bind for the test to mean something"
    );
    let (x, found) = run(&p, &space, 4000);
    for (xi, mi) in x.iter().zip(&m) {
        assert!(*xi == 0.0 || *xi >= *mi, "{x:?}");
    }
    assert!(
        gap(found, best) < 0.005,
        "found {found}, brute force {best}"
    );
}

#[test]
fn integer_headcount_matches_enumeration() {
    // Three integer staff variables (cost 10 each, diminishing returns) and two continuous
    // spend variables share a budget of 200. Enumerate the staff, water-fill the rest.
    let p = LogProblem {
        a: vec![50.0, 40.0],
        b: vec![20.0, 10.0],
        c: vec![1.0, 1.0],
        hi: vec![500.0, 500.0],
        budget: 200.0,
    };
    let staff = |k: [f64; 3]| {
        30.0 * (1.0 + k[0]).ln() + 20.0 * (1.0 + k[1] / 2.0).ln() + 10.0 * (1.0 + k[2]).ln()
    };
    let mut best = f64::NEG_INFINITY;
    for k0 in 0..=8 {
        for k1 in 0..=8 {
            for k2 in 0..=8 {
                let k = [k0 as f64, k1 as f64, k2 as f64];
                let spent = 10.0 * (k0 + k1 + k2) as f64;
                if spent > 200.0 {
                    continue;
                }
                let rest = LogProblem {
                    budget: 200.0 - spent,
                    ..p.clone()
                };
                best = best.max(staff(k) + rest.optimum());
            }
        }
    }
    let mut space = Space::new(200.0);
    space.add_variable(Variable::continuous("tv", 0.0, 500.0).with_cost(1.0));
    space.add_variable(Variable::continuous("search", 0.0, 500.0).with_cost(1.0));
    for s in ["staff_a", "staff_b", "staff_c"] {
        space.add_variable(Variable::integer(s, 0.0, 8.0).with_cost(10.0));
    }
    let ev = RayonEvaluator::new(|x: &[f64], _r: u32| {
        vec![p.value(&x[..2]) + staff([x[2], x[3], x[4]])]
    });
    let out = optimize(&space, &ev, &exact_options(3000, 5), &NoObserver, None).unwrap();
    assert!(space.check(&out.x).is_empty());
    assert!(out.x[2..].iter().all(|k| k.fract() == 0.0));
    assert!(
        gap(out.objective.value, best) < 0.005,
        "found {}, enumeration {best}",
        out.objective.value
    );
}
