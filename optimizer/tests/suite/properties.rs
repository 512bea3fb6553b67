//! Property tests: repaired and returned plans satisfy every constraint, budgets hold to
//! 1e-9 relative, repair is idempotent, the Pareto filter is exact.

use omnimix_optimizer::{
    Group, Kind, NoObserver, Options, RayonEvaluator, Space, Variable, dominates, optimize,
    pareto_front,
};
use proptest::prelude::*;

/// A random space: 1–7 variables of every kind (some semi-continuous, some fixed), 0–3
/// groups with caps and floors, a budget between the cheapest and the most expensive plan.
fn space() -> impl Strategy<Value = Space> {
    let var = (
        0u8..3,
        0.0..5.0f64,
        0.0..60.0f64,
        0.0..3.0f64,
        prop::option::weighted(0.3, 0.0..1.0f64),
        prop::option::weighted(0.15, 0.0..1.0f64),
    );
    (
        prop::collection::vec(var, 1..8),
        prop::collection::vec(
            (
                prop::collection::vec(any::<bool>(), 7),
                0.0..1.6f64,
                0.0..0.5f64,
                0u8..3,
            ),
            0..4,
        ),
        0.05..1.2f64,
        0.0..10.0f64,
    )
        .prop_map(|(vars, groups, budget_share, fixed_cost)| {
            let mut s = Space::new(0.0);
            for (i, (kind, lo, width, cost, semi, fixed)) in vars.into_iter().enumerate() {
                let kind = [Kind::Continuous, Kind::Integer, Kind::Binary][kind as usize];
                let (lo, hi) = if kind == Kind::Binary {
                    (0.0, 1.0)
                } else {
                    (lo.floor(), lo.floor() + width.max(1.0))
                };
                let mut v = Variable {
                    name: format!("v{i}"),
                    lo,
                    hi,
                    kind,
                    min_viable: None,
                    cost,
                    fixed: None,
                };
                if let Some(f) = semi
                    && kind != Kind::Binary
                {
                    v.min_viable = Some(lo + f * (hi - lo));
                }
                if let Some(f) = fixed {
                    let val = lo + f * (hi - lo);
                    v.fixed = Some(if kind == Kind::Continuous {
                        val
                    } else {
                        val.round().clamp(lo.ceil(), hi.floor())
                    });
                    if let Some(m) = v.min_viable
                        && v.fixed.is_some_and(|x| x < m.max(lo))
                    {
                        v.fixed = Some(0.0);
                    }
                }
                s.add_variable(v);
            }
            let n = s.dim();
            let high: Vec<f64> = s
                .variables
                .iter()
                .map(|v| v.fixed.unwrap_or(v.hi))
                .collect();
            for (gi, (mask, cap_share, floor_share, which)) in groups.into_iter().enumerate() {
                let members: Vec<usize> = (0..n).filter(|&i| mask[i]).collect();
                if members.is_empty() {
                    continue;
                }
                let max_sum: f64 = members.iter().map(|&i| high[i]).sum();
                let mut g = Group::sum(format!("g{gi}"), members);
                if which != 1 {
                    g = g.at_most(cap_share * max_sum);
                }
                if which != 0 {
                    g = g.at_least(floor_share * max_sum);
                }
                s.add_group(g);
            }
            let low = s.lowest_point();
            let min_cost = s.cost(&low) + fixed_cost;
            let max_cost = s.cost(&high) + fixed_cost;
            s.fixed_cost = fixed_cost;
            s.budget = min_cost + budget_share * (max_cost - min_cost);
            s
        })
}

/// `cases` (or `PROPTEST_CASES`), allowing ten rejected (infeasible) spaces per case, on a
/// fixed seed so CI is reproducible (`PROPTEST_RNG_SEED` explores others).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    let default = ProptestConfig::default();
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        default.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(20_260_501)
    };
    ProptestConfig {
        cases,
        max_global_rejects: 10 * cases,
        rng_seed,
        failure_persistence: None,
        ..default
    }
}

fn point(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![8 => -50.0..150.0f64, 1 => Just(f64::NAN), 1 => Just(0.0), 1 => Just(1e300)],
        n,
    )
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn repaired_points_are_feasible_within_budget_and_idempotent(
        (s, x) in space().prop_flat_map(|s| { let n = s.dim(); (Just(s), point(n)) })
    ) {
        prop_assume!(s.feasibility().is_ok());
        let y = s.repaired(&x);
        prop_assert!(s.check(&y).is_empty(), "violations {:?} for {:?}", s.check(&y), y);
        prop_assert!(s.cost(&y) <= s.budget + 1e-9 * s.budget.abs().max(1.0));
        let z = s.repaired(&y);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&y), bits(&z));
    }

    #[test]
    fn pareto_filter_keeps_exactly_the_non_dominated(
        pts in prop::collection::vec(prop::collection::vec(0.0..10.0f64, 2), 0..40)
    ) {
        let front = pareto_front(&pts);
        for i in 0..pts.len() {
            let dominated = pts.iter().any(|p| dominates(p, &pts[i]));
            prop_assert_eq!(front.contains(&i), !dominated);
        }
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn optimized_plans_satisfy_every_constraint(s in space(), seed in 0u64..1000) {
        prop_assume!(s.feasibility().is_ok());
        let n = s.dim();
        let ev = RayonEvaluator::new(move |x: &[f64], rep: u32| {
            let v: f64 = (0..n).map(|i| ((i + 1) as f64) * (1.0 + x[i].max(0.0)).ln()).sum();
            vec![v + f64::from(rep % 3) * 0.1 * (x.first().copied().unwrap_or(0.0) - 1.0)]
        });
        let opts = Options { evals: 300, seed, replications: 2, max_replications: 8, final_replications: 2, ..Options::default() };
        let out = optimize(&s, &ev, &opts, &NoObserver, None).unwrap();
        prop_assert!(s.check(&out.x).is_empty(), "{:?}", s.check(&out.x));
        prop_assert!(s.cost(&out.x) <= s.budget + 1e-9 * s.budget.abs().max(1.0));
        prop_assert_eq!(out.evals_done, opts.evals, "--evals N runs N evaluations");
    }
}
