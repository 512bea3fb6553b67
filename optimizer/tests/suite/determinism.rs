//! Same seed, same result, whatever the number of rayon threads.

use omnimix_optimizer::{
    NoObserver, Options, Outcome, ParetoOutcome, RayonEvaluator, optimize, optimize_pareto,
};

use crate::common::{eight, noisy_value};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn bits(o: &Outcome) -> Vec<u64> {
    o.x.iter()
        .chain([o.objective.value, o.objective.mean, o.in_sample].iter())
        .chain(o.trace.iter().map(|(_, b)| b))
        .map(|v| v.to_bits())
        .collect()
}

#[test]
fn same_seed_same_plan_on_1_2_and_7_threads() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![noisy_value(&p, x, rep, 0.2)]);
    let opts = Options {
        evals: 3000,
        seed: 42,
        replications: 4,
        max_replications: 16,
        ..Options::default()
    };
    let one = in_pool(1, || {
        optimize(&space, &ev, &opts, &NoObserver, None).unwrap()
    });
    let two = in_pool(2, || {
        optimize(&space, &ev, &opts, &NoObserver, None).unwrap()
    });
    let seven = in_pool(7, || {
        optimize(&space, &ev, &opts, &NoObserver, None).unwrap()
    });
    assert_eq!(bits(&one), bits(&seven));
    assert_eq!(bits(&one), bits(&two));
    assert_eq!(one, two);
    let other = optimize(
        &space,
        &ev,
        &Options {
            seed: 43,
            ..opts.clone()
        },
        &NoObserver,
        None,
    )
    .unwrap();
    assert_ne!(bits(&one), bits(&other), "the seed must matter");
}

#[test]
fn pareto_same_seed_same_front_on_1_and_2_threads() {
    let p = eight();
    let space = p.space();
    let ev = RayonEvaluator::new(|x: &[f64], rep: u32| {
        let v = noisy_value(&p, x, rep, 0.2);
        vec![v, v / (1.0 + space_cost(x))]
    });
    let opts = Options {
        evals: 2000,
        seed: 5,
        replications: 2,
        final_replications: 4,
        ..Options::default()
    };
    let run = || -> ParetoOutcome { optimize_pareto(&space, &ev, &opts, &NoObserver).unwrap() };
    let one = in_pool(1, run);
    let two = in_pool(2, run);
    assert_eq!(one, two);
}

fn space_cost(x: &[f64]) -> f64 {
    x.iter().sum()
}
