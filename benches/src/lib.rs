//! Baseline searches for the `search` bench (`benches/benches/search.rs`): what the
//! optimizer of `omnimix optimize` is measured against at an equal number of
//! evaluations.
//!
//! Both baselines work on the same box as the optimizer's swarm (the free variables
//! of the [`Space`], from their lowest allowed value to their useful upper end, see
//! [`SearchBox`]) and evaluate only repaired, feasible plans ([`Space::repair`]:
//! bounds, whole numbers, minimum viable spend, group limits, the budget). An
//! evaluation is one simulator run, one (plan, replication) pair, as the optimizer
//! counts them: every candidate is scored by the mean of objective 0 over the common
//! replications `0..replications` (common random numbers), so a candidate costs
//! `replications` evaluations and a search stops before a batch that would exceed
//! its budget.
//!
//! - [`random_search`]: the starting plan, then points uniform in the box, repaired;
//!   keeps the best.
//! - [`nelder_mead`]: the Nelder–Mead simplex from the starting plan, on the box
//!   scaled to the unit cube (points are clamped to it), with the dimension-adaptive
//!   coefficients of Gao & Han (2012).
//!
//! Run the comparison: `cargo bench -p omnimix-benches --bench search`

use omnimix_optimizer::{Candidate, Evaluator, Kind, Space};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Budget and randomness of a baseline search.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Evaluations (simulator runs) the search may spend.
    pub evals: usize,
    /// Replications per candidate (indices `0..replications`, common to all candidates).
    pub replications: u32,
    /// Seed of the search's own random stream.
    pub seed: u64,
}

impl Budget {
    /// Candidates the budget pays for.
    pub fn candidates(&self) -> usize {
        self.evals / self.replications.max(1) as usize
    }
}

/// What a baseline search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The best plan evaluated (repaired: passes [`Space::check`]).
    pub x: Vec<f64>,
    /// Its in-sample value: mean of objective 0 over replications `0..replications`.
    pub value: f64,
    /// The starting plan's in-sample value (the first candidate of every search).
    pub start_value: f64,
    /// Evaluations spent (candidates × replications).
    pub evals_done: usize,
}

/// The optimizer's search box: the free variables of a space (not fixed, more than
/// one allowed value), each from its lowest allowed value to its useful upper end
/// ([`Space::useful_upper`]: the upper bound tightened by the budget and the group
/// caps), with the other variables at their fixed or lowest value.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchBox {
    /// Indices of the free variables.
    pub free: Vec<usize>,
    /// Lower end of each free variable.
    pub low: Vec<f64>,
    /// Upper end of each free variable.
    pub up: Vec<f64>,
    template: Vec<f64>,
}

impl SearchBox {
    /// The box of `space`.
    pub fn of(space: &Space) -> SearchBox {
        let free = space.free_variables();
        let template = space.lowest_point();
        let useful = space.useful_upper();
        SearchBox {
            low: free.iter().map(|&i| template[i]).collect(),
            up: free.iter().map(|&i| useful[i]).collect(),
            free,
            template,
        }
    }

    /// Number of free variables.
    pub fn dim(&self) -> usize {
        self.free.len()
    }

    /// The repaired full vector at unit coordinates `u` (each clamped to `[0, 1]`).
    pub fn point(&self, space: &Space, u: &[f64]) -> Vec<f64> {
        let mut x = self.template.clone();
        for (k, &i) in self.free.iter().enumerate() {
            let t = u[k].clamp(0.0, 1.0);
            x[i] = self.low[k] + t * (self.up[k] - self.low[k]);
        }
        space.repair(&mut x);
        x
    }

    /// The unit coordinates of a full vector (clamped to the box).
    pub fn coords(&self, x: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                let w = self.up[k] - self.low[k];
                if w > 0.0 {
                    ((x[i] - self.low[k]) / w).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })
            .collect()
    }
}

/// Mean of objective 0 over the replications `0..replications` of every plan, in one
/// batch; a non-finite value counts as the worst (`-f64::MAX`), as in the optimizer.
pub fn score(evaluator: &dyn Evaluator, xs: &[Vec<f64>], replications: u32) -> Vec<f64> {
    let r = replications.max(1);
    let batch: Vec<Candidate> = xs
        .iter()
        .flat_map(|x| {
            (0..r).map(|replication| Candidate {
                x: x.clone(),
                replication,
            })
        })
        .collect();
    let out = evaluator.evaluate(&batch);
    out.chunks(r as usize)
        .map(|reps| {
            let m = reps
                .iter()
                .map(|e| e.objectives.first().copied().unwrap_or(f64::NAN))
                .sum::<f64>()
                / f64::from(r);
            if m.is_nan() {
                -f64::MAX
            } else {
                m.clamp(-f64::MAX, f64::MAX)
            }
        })
        .collect()
}

/// Random search: the starting plan `start` (repaired), then `budget.candidates() - 1`
/// points drawn uniformly in the [`SearchBox`] and repaired, all in one batch; returns
/// the best. The draws depend only on `budget.seed`.
///
/// ```
/// use omnimix_benches::{Budget, random_search};
/// use omnimix_optimizer::{RayonEvaluator, Space, Variable};
/// let mut space = Space::new(10.0);
/// space.add_variable(Variable::continuous("a", 0.0, 8.0).with_cost(1.0));
/// space.add_variable(Variable::continuous("b", 0.0, 8.0).with_cost(1.0));
/// let ev = RayonEvaluator::new(|x: &[f64], _rep: u32| vec![x[0] + 2.0 * x[1]]);
/// let found = random_search(&space, &[1.0, 1.0], &ev, &Budget { evals: 50, replications: 1, seed: 7 });
/// assert!(space.check(&found.x).is_empty());
/// assert!(found.value >= found.start_value);
/// ```
pub fn random_search(
    space: &Space,
    start: &[f64],
    evaluator: &dyn Evaluator,
    budget: &Budget,
) -> Found {
    let bx = SearchBox::of(space);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(budget.seed);
    let n = budget.candidates().max(1);
    let mut xs = vec![space.repaired(start)];
    while xs.len() < n {
        let u: Vec<f64> = (0..bx.dim()).map(|_| rng.random::<f64>()).collect();
        xs.push(bx.point(space, &u));
    }
    let values = score(evaluator, &xs, budget.replications);
    let best = (0..xs.len())
        .max_by(|&a, &b| values[a].total_cmp(&values[b]).then(b.cmp(&a)))
        .unwrap_or(0);
    Found {
        x: xs[best].clone(),
        value: values[best],
        start_value: values[0],
        evals_done: xs.len() * budget.replications.max(1) as usize,
    }
}

/// Nelder–Mead from the starting plan `start`, maximising on the [`SearchBox`] scaled
/// to the unit cube: the first simplex is `start` and `start ± step` along each
/// coordinate (`+` unless that leaves the cube), every trial point is clamped to the
/// cube and repaired before it is evaluated, and the coefficients are the adaptive
/// ones of Gao & Han (2012) for `n` variables (reflection 1, expansion `1 + 2/n`,
/// contraction `0.75 − 1/(2n)`, shrink `1 − 1/n`). Returns the best plan evaluated.
///
/// The first simplex costs `n + 1` candidates: under a smaller budget the search only
/// evaluates the vertices it can afford (a one-step probe per coordinate, in order)
/// and stops.
///
/// ```
/// use omnimix_benches::{Budget, nelder_mead};
/// use omnimix_optimizer::{RayonEvaluator, Space, Variable};
/// let mut space = Space::new(100.0);
/// space.add_variable(Variable::continuous("a", 0.0, 10.0).with_cost(1.0));
/// space.add_variable(Variable::continuous("b", 0.0, 10.0).with_cost(1.0));
/// let ev = RayonEvaluator::new(|x: &[f64], _rep: u32| {
///     vec![-(x[0] - 3.0).powi(2) - (x[1] - 7.0).powi(2)]
/// });
/// let found = nelder_mead(&space, &[5.0, 5.0], &ev, &Budget { evals: 300, replications: 1, seed: 0 }, 0.2);
/// assert!((found.x[0] - 3.0).abs() < 1e-3 && (found.x[1] - 7.0).abs() < 1e-3);
/// ```
pub fn nelder_mead(
    space: &Space,
    start: &[f64],
    evaluator: &dyn Evaluator,
    budget: &Budget,
    step: f64,
) -> Found {
    let bx = SearchBox::of(space);
    let n = bx.dim();
    let r = budget.replications.max(1);
    let mut left = budget.candidates().max(1);
    let mut spent = 0usize;
    // evaluate unit points (as many as the budget allows), tracking the best plan
    let mut best: Option<(Vec<f64>, f64)> = None;
    let mut eval = |us: &[Vec<f64>], left: &mut usize| -> Vec<f64> {
        let us = &us[..us.len().min(*left)];
        let xs: Vec<Vec<f64>> = us.iter().map(|u| bx.point(space, u)).collect();
        let values = score(evaluator, &xs, r);
        *left -= xs.len();
        spent += xs.len();
        for (x, &v) in xs.iter().zip(&values) {
            if best.as_ref().is_none_or(|(_, b)| v > *b) {
                best = Some((x.clone(), v));
            }
        }
        values
    };

    let u0 = bx.coords(&space.repaired(start));
    let mut simplex = vec![u0.clone()];
    for (k, &i) in bx.free.iter().enumerate() {
        // a whole unit at least for integer and binary variables (else the repair
        // would round the move away)
        let width = bx.up[k] - bx.low[k];
        let h = match space.variables[i].kind {
            Kind::Continuous => step,
            _ if width > 0.0 => step.max(1.0 / width).min(1.0),
            _ => step,
        };
        let mut u = u0.clone();
        u[k] = if u[k] + h <= 1.0 { u[k] + h } else { u[k] - h };
        simplex.push(u);
    }
    let values = eval(&simplex, &mut left);
    let start_value = values[0];
    if values.len() == simplex.len() && n > 0 {
        let nf = n as f64;
        let (alpha, beta) = (1.0, 1.0 + 2.0 / nf);
        let (gamma, delta) = (0.75 - 0.5 / nf, 1.0 - 1.0 / nf);
        // minimise the negated objective
        let mut f: Vec<f64> = values.iter().map(|v| -v).collect();
        let along = |c: &[f64], w: &[f64], t: f64| -> Vec<f64> {
            c.iter()
                .zip(w)
                .map(|(ci, wi)| (ci + t * (wi - ci)).clamp(0.0, 1.0))
                .collect()
        };
        while left > 0 {
            let mut order: Vec<usize> = (0..=n).collect();
            order.sort_by(|&a, &b| f[a].total_cmp(&f[b]));
            simplex = order.iter().map(|&i| simplex[i].clone()).collect();
            f = order.iter().map(|&i| f[i]).collect();
            let (f_best, f_second, f_worst) = (f[0], f[n - 1], f[n]);
            let centroid: Vec<f64> = (0..n)
                .map(|k| simplex[..n].iter().map(|u| u[k]).sum::<f64>() / nf)
                .collect();
            let reflected = along(&centroid, &simplex[n], -alpha);
            let fr = -eval(std::slice::from_ref(&reflected), &mut left)[0];
            if fr < f_best {
                if left == 0 {
                    break;
                }
                let expanded = along(&centroid, &simplex[n], -alpha * beta);
                let fe = -eval(std::slice::from_ref(&expanded), &mut left)[0];
                (simplex[n], f[n]) = if fe < fr {
                    (expanded, fe)
                } else {
                    (reflected, fr)
                };
                continue;
            }
            if fr < f_second {
                (simplex[n], f[n]) = (reflected, fr);
                continue;
            }
            if left == 0 {
                break;
            }
            // contract outside (towards the reflected point) or inside (towards the worst)
            let (towards, f_towards) = if fr < f_worst {
                (along(&centroid, &simplex[n], -alpha * gamma), fr)
            } else {
                (along(&centroid, &simplex[n], gamma), f_worst)
            };
            let fc = -eval(std::slice::from_ref(&towards), &mut left)[0];
            if fc <= f_towards {
                (simplex[n], f[n]) = (towards, fc);
                continue;
            }
            // shrink towards the best vertex
            let shrunk: Vec<Vec<f64>> = simplex[1..]
                .iter()
                .map(|u| along(&simplex[0], u, delta))
                .collect();
            let fs = eval(&shrunk, &mut left);
            for (k, v) in fs.iter().enumerate() {
                simplex[k + 1] = shrunk[k].clone();
                f[k + 1] = -v;
            }
            if fs.len() < shrunk.len() {
                break;
            }
        }
    }
    let (x, value) = best.unwrap_or_else(|| (space.repaired(start), start_value));
    Found {
        x,
        value,
        start_value,
        evals_done: spent * r as usize,
    }
}
