//! Conflicting constraints are reported before any evaluation, naming the constraints.

use std::sync::atomic::{AtomicUsize, Ordering};

use omnimix_optimizer::{
    Conflict, Error, Group, NoObserver, Options, RayonEvaluator, Space, Variable, optimize,
};

fn spend(name: &str) -> Variable {
    Variable::continuous(name, 0.0, 100.0).with_cost(1.0)
}

#[test]
fn disjoint_floors_over_budget_name_both_groups_and_the_budget() {
    let mut s = Space::new(100.0);
    let de = s.add_variable(spend("de/tv"));
    let fr = s.add_variable(spend("fr/tv"));
    s.add_group(Group::sum("de minimum", [de]).at_least(60.0));
    s.add_group(Group::sum("fr minimum", [fr]).at_least(50.0));
    let c = s.feasibility().unwrap_err();
    assert_eq!(c.len(), 1);
    assert_eq!(
        c[0].constraints(),
        vec![
            "group de minimum".to_string(),
            "group fr minimum".to_string(),
            "budget".to_string()
        ]
    );
    assert!(c[0].to_string().contains("110"), "{}", c[0]);
}

#[test]
fn fixed_outside_bounds_min_above_max_and_floor_above_cap() {
    let mut s = Space::new(100.0);
    s.add_variable(spend("a").fixed_at(150.0));
    s.add_variable(Variable::continuous("b", 10.0, 5.0));
    s.add_variable(Variable::integer("c", 0.2, 0.8));
    s.add_variable(spend("d").with_min_viable(120.0));
    s.add_group(Group::sum("g", [0, 1]).at_least(10.0).at_most(5.0));
    s.add_group(Group::sum("h", [0, 7]));
    let c = s.feasibility().unwrap_err();
    let names: Vec<Vec<String>> = c.iter().map(Conflict::constraints).collect();
    for want in [
        "bounds of a",
        "bounds of b",
        "bounds of c",
        "bounds of d",
        "group g",
        "group h",
    ] {
        assert!(
            names.iter().any(|n| n.contains(&want.to_string())),
            "{want} missing from {c:?}"
        );
    }
}

#[test]
fn cap_below_fixed_and_budget_below_fixed_costs() {
    let mut s = Space::new(50.0);
    s.fixed_cost = 20.0;
    s.add_variable(spend("a").fixed_at(40.0));
    s.add_group(Group::sum("cap a", [0]).at_most(30.0));
    let c = s.feasibility().unwrap_err();
    assert!(
        c.iter()
            .any(|c| matches!(c, Conflict::CapBelowMinimum { group, .. } if group == "cap a")),
        "{c:?}"
    );
    assert!(
        c.iter().any(
            |c| matches!(c, Conflict::BudgetBelowMinimum { min_cost, .. } if *min_cost == 60.0)
        ),
        "{c:?}"
    );
}

#[test]
fn overlapping_floor_and_caps_are_caught_by_construction() {
    let mut s = Space::new(100.0);
    s.add_variable(spend("a"));
    s.add_variable(spend("b"));
    s.add_group(Group::sum("a+b floor", [0, 1]).at_least(10.0));
    s.add_group(Group::sum("a cap", [0]).at_most(2.0));
    s.add_group(Group::sum("b cap", [1]).at_most(2.0));
    let c = s.feasibility().unwrap_err();
    let names = c[0].constraints();
    assert!(matches!(c[0], Conflict::NoFeasiblePoint { .. }), "{c:?}");
    assert!(
        names.contains(&"group a+b floor".to_string())
            || names.contains(&"group a cap".to_string()),
        "{names:?}"
    );
}

#[test]
fn optimize_refuses_an_infeasible_space_before_evaluating() {
    let mut s = Space::new(10.0);
    s.add_variable(spend("a"));
    s.add_group(Group::sum("floor", [0]).at_least(20.0));
    let calls = AtomicUsize::new(0);
    let ev = RayonEvaluator::new(|_x: &[f64], _r: u32| {
        calls.fetch_add(1, Ordering::Relaxed);
        vec![0.0]
    });
    let err = optimize(&s, &ev, &Options::default(), &NoObserver, None).unwrap_err();
    assert!(matches!(err, Error::Infeasible(_)), "{err}");
    assert!(err.to_string().contains("floor"), "{err}");
    assert_eq!(calls.load(Ordering::Relaxed), 0);
}
