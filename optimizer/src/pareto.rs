//! Multi-objective search: non-dominated filtering and an NSGA-II search for the front
//! (e.g. retention vs ROI). argmin has no multi-objective solver, so this one is ours.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::eval::{Evaluator, OUT_OF_SAMPLE_BASE, evaluate_reps, mean};
use crate::search::{Checkpointer, Observer, Options, RunKey, check_evals_done, stream, uniform};
use crate::space::Space;

/// `a` dominates `b` (maximising every objective): no worse anywhere, better somewhere.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x < y {
            return false;
        }
        if x > y {
            better = true;
        }
    }
    better
}

/// Indices (ascending) of the points no other point dominates, all objectives maximised.
/// Equal points do not dominate each other, so duplicates are all kept.
///
/// ```
/// use omnimix_optimizer::pareto_front;
/// let pts = vec![vec![1.0, 5.0], vec![2.0, 4.0], vec![1.5, 3.0], vec![3.0, 1.0]];
/// assert_eq!(pareto_front(&pts), vec![0, 1, 3]);
/// ```
pub fn pareto_front(points: &[Vec<f64>]) -> Vec<usize> {
    (0..points.len())
        .filter(|&i| !points.iter().any(|p| dominates(p, &points[i])))
        .collect()
}

/// One plan of the front.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontPoint {
    /// The plan (feasible).
    pub x: Vec<f64>,
    /// Mean of every objective over the search replications `0..replications`.
    pub objectives: Vec<f64>,
    /// Mean of every objective over `final_replications` fresh replications (empty when 0).
    pub out_of_sample: Vec<f64>,
}

/// Result of [`optimize_pareto`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParetoOutcome {
    /// Non-dominated plans (in-sample), sorted by objective 0 ascending.
    pub front: Vec<FrontPoint>,
    /// Evaluations spent by the search.
    pub evals_done: usize,
    /// Evaluations spent on the out-of-sample means.
    pub final_evals: usize,
    /// Generations run.
    pub generations: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Ind {
    genes: Vec<f64>,
    x: Vec<f64>,
    objs: Vec<f64>,
}

/// Version of the [`ParetoState`] layout.
const PARETO_FORMAT: u32 = 1;

/// Everything the Pareto search needs to continue after a kill (between two
/// generations): serialise it in a [`Checkpointer`], pass it back to
/// [`optimize_pareto_resumable`], and the resumed run returns the same front bit for bit.
#[derive(Clone, Serialize, Deserialize)]
pub struct ParetoState {
    #[serde(flatten)]
    run: RunKey,
    evals_done: usize,
    generations: usize,
    n_objectives: usize,
    rng: rand_xoshiro::Xoshiro256PlusPlus,
    pop: Vec<Ind>,
    rank: Vec<usize>,
    /// Crowding distances; the ends of a front are infinite (`null` in JSON).
    #[serde(with = "infinite_as_null")]
    crowd: Vec<f64>,
    archive: Vec<Ind>,
}

/// JSON has no infinity: store `+inf` as `null`.
mod infinite_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let o: Vec<Option<f64>> = v.iter().map(|x| x.is_finite().then_some(*x)).collect();
        o.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let o = Vec::<Option<f64>>::deserialize(d)?;
        Ok(o.into_iter().map(|x| x.unwrap_or(f64::INFINITY)).collect())
    }
}

impl std::fmt::Debug for ParetoState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParetoState")
            .field("seed", &self.run.seed())
            .field("evals_done", &self.evals_done)
            .field("generations", &self.generations)
            .field("front", &self.archive.len())
            .finish()
    }
}

impl ParetoState {
    /// Evaluations done when the state was taken.
    pub fn evals_done(&self) -> usize {
        self.evals_done
    }

    /// Generations done when the state was taken.
    pub fn generations(&self) -> usize {
        self.generations
    }
}

/// Fast non-dominated sort: rank of each point (0 = first front).
fn ranks(objs: &[&[f64]]) -> Vec<usize> {
    let n = objs.len();
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in 0..n {
            if i != j && dominates(objs[i], objs[j]) {
                dominates_list[i].push(j);
            } else if i != j && dominates(objs[j], objs[i]) {
                dominated_by[i] += 1;
            }
        }
    }
    let mut rank = vec![usize::MAX; n];
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    let mut r = 0;
    while !current.is_empty() {
        let mut next = Vec::new();
        for &i in &current {
            rank[i] = r;
            for &j in &dominates_list[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        next.sort_unstable();
        current = next;
        r += 1;
    }
    rank
}

/// Crowding distance of the members of one front (indices into `objs`).
#[allow(clippy::needless_range_loop)] // `o` indexes an inner dimension of `objs`
fn crowding(objs: &[&[f64]], members: &[usize]) -> Vec<f64> {
    let k = members.len();
    let mut d = vec![0.0; k];
    if k <= 2 {
        return vec![f64::INFINITY; k];
    }
    let m = objs[members[0]].len();
    for o in 0..m {
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by(|&a, &b| {
            objs[members[a]][o]
                .total_cmp(&objs[members[b]][o])
                .then(a.cmp(&b))
        });
        let lo = objs[members[order[0]]][o];
        let hi = objs[members[order[k - 1]]][o];
        d[order[0]] = f64::INFINITY;
        d[order[k - 1]] = f64::INFINITY;
        if hi > lo {
            for w in 1..k - 1 {
                let prev = objs[members[order[w - 1]]][o];
                let next = objs[members[order[w + 1]]][o];
                d[order[w]] += (next - prev) / (hi - lo);
            }
        }
    }
    d
}

/// NSGA-II environmental selection: whole fronts by rank, the last one by crowding.
/// Returns `(selected indices, rank, crowding)` for the selected.
fn select(pop: &[Ind], keep: usize) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let objs: Vec<&[f64]> = pop.iter().map(|p| p.objs.as_slice()).collect();
    let rank = ranks(&objs);
    let max_rank = rank.iter().copied().max().unwrap_or(0);
    let mut chosen = Vec::new();
    let mut chosen_rank = Vec::new();
    let mut chosen_crowd = Vec::new();
    for r in 0..=max_rank {
        let members: Vec<usize> = (0..pop.len()).filter(|&i| rank[i] == r).collect();
        let crowd = crowding(&objs, &members);
        let mut order: Vec<usize> = (0..members.len()).collect();
        if chosen.len() + members.len() > keep {
            order.sort_by(|&a, &b| crowd[b].total_cmp(&crowd[a]).then(a.cmp(&b)));
        }
        for w in order {
            if chosen.len() == keep {
                break;
            }
            chosen.push(members[w]);
            chosen_rank.push(r);
            chosen_crowd.push(crowd[w]);
        }
        if chosen.len() == keep {
            break;
        }
    }
    (chosen, chosen_rank, chosen_crowd)
}

/// Searches the Pareto front of all objectives the evaluator returns (at least 2, e.g.
/// retention and ROI), maximising each; objectives are means over the common replications
/// `0..replications`.
///
/// Method: NSGA-II (Deb et al. 2002) on the repaired space: binary tournament on (rank,
/// crowding), simulated binary crossover (η = 15) and polynomial mutation (η = 20) on the
/// free variables, offspring repaired before evaluation (and written back, so the
/// population holds feasible plans), elitist selection by non-dominated rank and crowding
/// distance. Uses `evals`, `seed`, `replications`, `swarm_size` (population, 0 = 40),
/// `initial` and `final_replications` from [`Options`]; no racing and no checkpoints.
/// The returned front is the non-dominated set of every plan evaluated (deduplicated,
/// thinned by crowding to at most twice the population).
///
/// # Errors
/// As [`optimize`](crate::optimize), and [`Error::MissingObjectives`] for fewer than two
/// objectives.
pub fn optimize_pareto<E: Evaluator + ?Sized>(
    space: &Space,
    evaluator: &E,
    options: &Options,
    observer: &dyn Observer,
) -> Result<ParetoOutcome, Error> {
    optimize_pareto_resumable(space, evaluator, options, observer, None, None)
}

/// [`optimize_pareto`] with a checkpoint saved every `options.checkpoint_every`
/// generations (and when stopping), resumed from `resume` when given (the options and
/// space must be the interrupted run's).
///
/// # Errors
/// As [`optimize_pareto`], and [`Error::ResumeMismatch`] for a state of another run.
pub fn optimize_pareto_resumable<E: Evaluator + ?Sized>(
    space: &Space,
    evaluator: &E,
    options: &Options,
    observer: &dyn Observer,
    mut checkpointer: Option<&mut dyn Checkpointer<ParetoState>>,
    resume: Option<ParetoState>,
) -> Result<ParetoOutcome, Error> {
    options.validate(space.dim())?;
    if let Some(r) = &resume {
        r.run.check(&RunKey::of(PARETO_FORMAT, options, space))?;
        check_evals_done(r.evals_done, options.evals)?;
    }
    space.feasibility().map_err(Error::Infeasible)?;
    let r0 = options.replications;
    let per = r0 as usize;
    let free = space.free_variables();
    let template = space.lowest_point();
    let useful = space.useful_upper();
    let low: Vec<f64> = free.iter().map(|&i| template[i]).collect();
    let up: Vec<f64> = free.iter().map(|&i| useful[i]).collect();
    let decode = |genes: &[f64]| -> Vec<f64> {
        let mut x = template.clone();
        for (k, &i) in free.iter().enumerate() {
            x[i] = genes[k];
        }
        space.repair(&mut x);
        x
    };
    let genes_of = |x: &[f64]| -> Vec<f64> { free.iter().map(|&i| x[i]).collect() };
    let wanted = if options.swarm_size == 0 {
        40
    } else {
        options.swarm_size
    };
    let n = wanted
        .min((options.evals / (per * 5)).max(4))
        .min(options.evals / per)
        .max(2)
        & !1;
    let mut rng = stream(options.seed, 3);
    let mut evals_done = 0usize;
    // Number of objectives: fixed by the first batch (at least 2); later evaluations must
    // have as many (extra values are ignored).
    let n_objectives = std::cell::Cell::new(resume.as_ref().map_or(0, |r| r.n_objectives));
    let eval_all = |xs: Vec<Vec<f64>>, evals_done: &mut usize| -> Result<Vec<Ind>, Error> {
        let res = evaluate_reps(evaluator, &xs, 0..r0, n_objectives.get().max(2))?;
        *evals_done += xs.len() * per;
        if n_objectives.get() == 0 {
            let m = res.iter().flatten().map(Vec::len).min().unwrap_or(2);
            n_objectives.set(m);
        }
        let m = n_objectives.get();
        Ok(xs
            .into_iter()
            .zip(res)
            .map(|(x, reps)| {
                let objs = (0..m)
                    .map(|j| mean(&reps.iter().map(|o| o[j]).collect::<Vec<_>>()))
                    .collect();
                Ind {
                    genes: genes_of(&x),
                    x,
                    objs,
                }
            })
            .collect())
    };

    let update_archive = |archive: &mut Vec<Ind>, new: &[Ind]| {
        for ind in new {
            if archive.iter().any(|a| a.x == ind.x) {
                continue;
            }
            archive.push(ind.clone());
        }
        let objs: Vec<Vec<f64>> = archive.iter().map(|a| a.objs.clone()).collect();
        let keep = pareto_front(&objs);
        let mut kept: Vec<Ind> = keep.into_iter().map(|i| archive[i].clone()).collect();
        if kept.len() > 2 * n {
            let (sel, _, _) = select(&kept, 2 * n);
            let mut sel = sel;
            sel.sort_unstable();
            kept = sel.into_iter().map(|i| kept[i].clone()).collect();
        }
        *archive = kept;
    };
    let report = |archive: &[Ind], evals_done: usize| {
        let best = archive.iter().map(|a| a.objs[0]).fold(-f64::MAX, f64::max);
        observer.progress(evals_done, best);
    };
    let (mut pop, mut rank, mut crowd, mut archive, mut generations);
    if let Some(r) = resume {
        (pop, rank, crowd, archive) = (r.pop, r.rank, r.crowd, r.archive);
        (rng, evals_done, generations) = (r.rng, r.evals_done, r.generations);
        report(&archive, evals_done);
    } else {
        // Initial population: warm starts, the proportional plan, random points.
        let mut xs: Vec<Vec<f64>> = options
            .initial
            .iter()
            .take(n)
            .map(|x| space.repaired(x))
            .collect();
        if xs.len() < n {
            xs.push(decode(&up));
        }
        while xs.len() < n {
            let g: Vec<f64> = low
                .iter()
                .zip(&up)
                .map(|(&a, &b)| uniform(&mut rng, a, b))
                .collect();
            xs.push(decode(&g));
        }
        pop = eval_all(xs, &mut evals_done)?;
        archive = Vec::new();
        update_archive(&mut archive, &pop);
        report(&archive, evals_done);
        let order;
        (order, rank, crowd) = select(&pop, pop.len());
        pop = order.iter().map(|&i| pop[i].clone()).collect();
        generations = 0;
    }
    let snapshot = |pop: &[Ind],
                    rank: &[usize],
                    crowd: &[f64],
                    archive: &[Ind],
                    rng: &rand_xoshiro::Xoshiro256PlusPlus,
                    evals_done: usize,
                    generations: usize| ParetoState {
        run: RunKey::of(PARETO_FORMAT, options, space),
        evals_done,
        generations,
        n_objectives: n_objectives.get(),
        rng: rng.clone(),
        pop: pop.to_vec(),
        rank: rank.to_vec(),
        crowd: crowd.to_vec(),
        archive: archive.to_vec(),
    };
    let nv = free.len().max(1);
    let (eta_c, eta_m) = (15.0_f64, 20.0_f64);
    while evals_done + n * per <= options.evals && !free.is_empty() {
        let stop = observer.stop_requested();
        if (stop || generations % options.checkpoint_every == 0)
            && let Some(cp) = checkpointer.as_mut()
        {
            cp.save(&snapshot(
                &pop,
                &rank,
                &crowd,
                &archive,
                &rng,
                evals_done,
                generations,
            ));
        }
        if stop {
            return Err(Error::Stopped { evals_done });
        }
        let tournament = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus| -> usize {
            let a = rng.random_range(0..pop.len());
            let b = rng.random_range(0..pop.len());
            let better = |i: usize, j: usize| {
                rank[i] < rank[j] || (rank[i] == rank[j] && crowd[i] > crowd[j])
            };
            if better(b, a) { b } else { a }
        };
        let mut children: Vec<Vec<f64>> = Vec::with_capacity(n);
        while children.len() < n {
            let p1 = pop[tournament(&mut rng)].genes.clone();
            let p2 = pop[tournament(&mut rng)].genes.clone();
            let (mut c1, mut c2) = (p1.clone(), p2.clone());
            if rng.random::<f64>() < 0.9 {
                for k in 0..free.len() {
                    if rng.random::<f64>() < 0.5 && (p1[k] - p2[k]).abs() > 1e-14 {
                        let u: f64 = rng.random();
                        let beta = if u <= 0.5 {
                            (2.0 * u).powf(1.0 / (eta_c + 1.0))
                        } else {
                            (1.0 / (2.0 * (1.0 - u))).powf(1.0 / (eta_c + 1.0))
                        };
                        c1[k] = 0.5 * ((1.0 + beta) * p1[k] + (1.0 - beta) * p2[k]);
                        c2[k] = 0.5 * ((1.0 - beta) * p1[k] + (1.0 + beta) * p2[k]);
                    }
                }
            }
            for c in [&mut c1, &mut c2] {
                for k in 0..free.len() {
                    if rng.random::<f64>() < 1.0 / nv as f64 {
                        let u: f64 = rng.random();
                        let delta = if u < 0.5 {
                            (2.0 * u).powf(1.0 / (eta_m + 1.0)) - 1.0
                        } else {
                            1.0 - (2.0 * (1.0 - u)).powf(1.0 / (eta_m + 1.0))
                        };
                        c[k] += delta * (up[k] - low[k]);
                    }
                    c[k] = c[k].clamp(low[k], up[k]);
                }
            }
            children.push(decode(&c1));
            if children.len() < n {
                children.push(decode(&c2));
            }
        }
        let offspring = eval_all(children, &mut evals_done)?;
        update_archive(&mut archive, &offspring);
        let mut merged = pop;
        merged.extend(offspring);
        let (order, r, c) = select(&merged, n);
        pop = order.iter().map(|&i| merged[i].clone()).collect();
        rank = r;
        crowd = c;
        generations += 1;
        report(&archive, evals_done);
    }
    if let Some(cp) = checkpointer.as_mut() {
        cp.save(&snapshot(
            &pop,
            &rank,
            &crowd,
            &archive,
            &rng,
            evals_done,
            generations,
        ));
    }
    archive.sort_by(|a, b| a.objs[0].total_cmp(&b.objs[0]));
    let fr = options.final_replications;
    let mut front: Vec<FrontPoint> = archive
        .into_iter()
        .map(|a| FrontPoint {
            x: a.x,
            objectives: a.objs,
            out_of_sample: Vec::new(),
        })
        .collect();
    let mut final_evals = 0;
    if fr > 0 && !front.is_empty() {
        let xs: Vec<Vec<f64>> = front.iter().map(|p| p.x.clone()).collect();
        let res = evaluate_reps(
            evaluator,
            &xs,
            OUT_OF_SAMPLE_BASE..OUT_OF_SAMPLE_BASE + fr,
            2,
        )?;
        final_evals = xs.len() * fr as usize;
        for (p, reps) in front.iter_mut().zip(res) {
            let m = reps.iter().map(Vec::len).min().unwrap_or(0);
            p.out_of_sample = (0..m)
                .map(|j| mean(&reps.iter().map(|o| o[j]).collect::<Vec<_>>()))
                .collect();
        }
    }
    Ok(ParetoOutcome {
        front,
        evals_done,
        final_evals,
        generations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_crowding() {
        let pts = [
            vec![1.0, 3.0],
            vec![2.0, 2.0],
            vec![3.0, 1.0],
            vec![1.0, 1.0],
        ];
        let objs: Vec<&[f64]> = pts.iter().map(Vec::as_slice).collect();
        assert_eq!(ranks(&objs), vec![0, 0, 0, 1]);
        let c = crowding(&objs, &[0, 1, 2]);
        assert!(c[0].is_infinite() && c[2].is_infinite() && (c[1] - 2.0).abs() < 1e-12);
    }
}
