//! The search and the posterior (see the module overview of [`super`]).

use super::metrics::{fit_metrics, lag1_autocorrelation};
use super::{Calibration, FitRow, LiftRow, ParamRow, Problem, SeriesMetrics, prior};
use crate::StudyError;
use nalgebra::{DMatrix, DVector, SymmetricEigen};
use omnimix_optimizer::Evaluator;
use omnimix_sim::scenario::calibrate::Posterior;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Hears about the fit's progress.
pub trait FitObserver: Sync {
    /// A stage starts (`coarse search`, `refined search`, `posterior`, `scoring`).
    fn stage(&self, _name: &str) {}
    /// After each batch: simulated histories so far, of the budget, and the best loss.
    fn progress(&self, _done: usize, _budget: usize, _best: f64) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl FitObserver for Quiet {}

/// What the search found, on the unit cube.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The posterior mode.
    pub mode: Vec<f64>,
    /// Posterior covariance (Laplace) on the cube.
    pub cov: Vec<Vec<f64>>,
    /// Posterior draws on the cube.
    pub draws: Vec<Vec<f64>>,
    /// `(simulated histories, best loss)` after each batch.
    pub trace: Vec<(usize, f64)>,
    /// Simulated histories run by the search and the posterior design.
    pub evaluations: usize,
    /// Lag-1 autocorrelation of each series' residuals at the coarse optimum.
    pub rho: Vec<f64>,
}

/// The loss of a mean answer (see the module overview).
struct Loss<'a> {
    p: &'a Problem,
    n_fit: usize,
    rho: Vec<f64>,
    weights: Vec<f64>,
    lift_weight: f64,
    cohort_weight: f64,
    /// The fitted series of each country (weight above 0), in series order.
    groups: Vec<Vec<usize>>,
}

impl<'a> Loss<'a> {
    fn new(p: &'a Problem) -> Loss<'a> {
        let w = |k: &str| p.weights.get(k).copied().unwrap_or(1.0);
        Loss {
            p,
            n_fit: p.fit_weeks(),
            rho: vec![0.0; p.observed.series.len()],
            weights: p
                .observed
                .series
                .iter()
                .map(|s| w(s.measure.kpi()))
                .collect(),
            lift_weight: w("lift"),
            cohort_weight: w("cohorts"),
            groups: {
                let series = &p.observed.series;
                let mut codes: Vec<&str> = series.iter().map(|s| s.country.as_str()).collect();
                codes.sort_unstable();
                codes.dedup();
                codes
                    .into_iter()
                    .map(|code| {
                        (0..series.len())
                            .filter(|&k| {
                                series[k].country == code && w(series[k].measure.kpi()) > 0.0
                            })
                            .collect::<Vec<usize>>()
                    })
                    .filter(|g| !g.is_empty())
                    .collect()
            },
        }
    }

    /// The residuals' covariance across a country's series over the fitted weeks, with
    /// a ridge of 1e-9 of each series' mean square (so that a perfect fit stays finite).
    fn covariance(&self, idx: &[usize], res: &[Vec<f64>]) -> DMatrix<f64> {
        let n = self.n_fit as f64;
        let k = idx.len();
        let mut cov = DMatrix::<f64>::zeros(k, k);
        for i in 0..k {
            for j in i..k {
                let c = res[i].iter().zip(&res[j]).map(|(a, b)| a * b).sum::<f64>() / n;
                cov[(i, j)] = c;
                cov[(j, i)] = c;
            }
            let y = &self.p.observed.series[idx[i]].values[..self.n_fit];
            cov[(i, i)] += 1e-9 * (y.iter().map(|v| v * v).sum::<f64>() / n).max(1e-12);
        }
        cov
    }

    /// The autocorrelation discount `(1 − ρ̄)/(1 + ρ̄)` times the mean weight of a
    /// country's series.
    fn discount(&self, idx: &[usize]) -> f64 {
        let k = idx.len() as f64;
        let rho = idx.iter().map(|&s| self.rho[s]).sum::<f64>() / k;
        let w = idx.iter().map(|&s| self.weights[s]).sum::<f64>() / k;
        w * (1.0 - rho) / (1.0 + rho)
    }

    fn residuals(&self, m: &[f64], s: usize) -> Vec<f64> {
        let n = self.p.observed.weeks();
        let y = &self.p.observed.series[s].values;
        (0..self.n_fit).map(|w| y[w] - m[s * n + w]).collect()
    }

    fn value(&self, m: &[f64]) -> f64 {
        if m.iter().any(|x| !x.is_finite()) {
            return f64::INFINITY;
        }
        let mut total = 0.0;
        // Per country: the series' residuals are correlated (revenue moves with
        // orders), so their covariance is profiled out jointly: n_eff/2 · ln det Σ̂.
        for idx in &self.groups {
            let res: Vec<Vec<f64>> = idx.iter().map(|&k| self.residuals(m, k)).collect();
            let logdet = match self.covariance(idx, &res).cholesky() {
                Some(c) => 2.0 * c.l().diagonal().iter().map(|x| x.ln()).sum::<f64>(),
                None => return f64::INFINITY,
            };
            total += self.discount(idx) * self.n_fit as f64 / 2.0 * logdet;
        }
        let base = self.p.observed.series.len() * self.p.observed.weeks();
        for (k, t) in self.p.observed.lift.iter().enumerate() {
            let d = t.estimate - m[base + k];
            total += self.lift_weight * d * d / (2.0 * t.se * t.se);
        }
        let base = base + self.p.observed.lift.len();
        let nc = self.p.observed.cohorts.len();
        if nc > 0 {
            let ssr: f64 = self
                .p
                .observed
                .cohorts
                .iter()
                .enumerate()
                .map(|(k, c)| (c.share_active - m[base + k]).powi(2))
                .sum::<f64>()
                / nc as f64
                + 1e-10;
            total += self.cohort_weight * nc as f64 / 2.0 * ssr.ln();
        }
        total
    }
}

/// The fit's loss of a mean answer (no autocorrelation discount): for tests and
/// diagnostics.
pub fn loss_of(p: &Problem, mean_answer: &[f64]) -> f64 {
    Loss::new(p).value(mean_answer)
}

/// Points evaluated so far: cube point, agent scale, loss.
struct Archive {
    points: Vec<(Vec<f64>, u32, f64)>,
    trace: Vec<(usize, f64)>,
    budget: usize,
}

impl Archive {
    fn run(
        &mut self,
        p: &Problem,
        loss: &Loss,
        ev: &dyn Evaluator,
        obs: &dyn FitObserver,
        pts: Vec<Vec<f64>>,
        scale: u32,
    ) -> Vec<f64> {
        self.run_answers(p, loss, ev, obs, pts, scale).1
    }

    /// [`Archive::run`], also returning the mean answers.
    fn run_answers(
        &mut self,
        p: &Problem,
        loss: &Loss,
        ev: &dyn Evaluator,
        obs: &dyn FitObserver,
        pts: Vec<Vec<f64>>,
        scale: u32,
    ) -> (Vec<Vec<f64>>, Vec<f64>) {
        let answers = p.mean_answers(ev, &pts, scale, 0..p.replications);
        let losses: Vec<f64> = answers.iter().map(|m| loss.value(m)).collect();
        for (u, l) in pts.into_iter().zip(&losses) {
            self.points.push((u, scale, *l));
        }
        let best = self.best(scale).map_or(f64::INFINITY, |b| b.2);
        self.trace.push((self.points.len(), best));
        obs.progress(self.points.len(), self.budget, best);
        (answers, losses)
    }

    fn best(&self, scale: u32) -> Option<&(Vec<f64>, u32, f64)> {
        self.points
            .iter()
            .filter(|x| x.1 == scale && x.2.is_finite())
            .min_by(|a, b| a.2.total_cmp(&b.2))
    }
}

/// A Latin-hypercube design of `n` points in `[0, 1]^d`.
fn latin_hypercube(n: usize, d: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<Vec<f64>> {
    let mut cols: Vec<Vec<f64>> = (0..d)
        .map(|_| {
            let mut c: Vec<f64> = (0..n)
                .map(|i| (i as f64 + rng.random::<f64>()) / n as f64)
                .collect();
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                c.swap(i, j);
            }
            c
        })
        .collect();
    (0..n)
        .map(|i| cols.iter_mut().map(|c| c[i]).collect())
        .collect()
}

/// Reflect a coordinate into [0, 1].
fn reflect(x: f64) -> f64 {
    let x = x.rem_euclid(2.0);
    if x > 1.0 { 2.0 - x } else { x }
}

/// Draw from N(m, C) (via the Cholesky factor `l`), reflected into the cube.
fn sample(m: &[f64], l: &DMatrix<f64>, rng: &mut Xoshiro256PlusPlus) -> Vec<f64> {
    let d = m.len();
    let z = DVector::from_iterator(d, (0..d).map(|_| rng.sample::<f64, _>(StandardNormal)));
    let v = l * z;
    (0..d).map(|i| reflect(m[i] + v[i])).collect()
}

/// Cholesky factor of a covariance, its eigenvalues clipped to `[lo, hi]` first.
fn factor(c: &DMatrix<f64>, lo: f64, hi: f64) -> (DMatrix<f64>, DMatrix<f64>) {
    let eig = SymmetricEigen::new(c.clone());
    let vals = eig.eigenvalues.map(|v| v.clamp(lo, hi));
    let c = &eig.eigenvectors * DMatrix::from_diagonal(&vals) * eig.eigenvectors.transpose();
    let l = &eig.eigenvectors * DMatrix::from_diagonal(&vals.map(f64::sqrt));
    (c, l)
}

/// Estimation-of-distribution search (a cross-entropy method with full covariance)
/// from `(m, c)` for `budget` points at one scale: each generation samples around the
/// mean, keeps the better half with log-rank weights, moves the mean to their
/// weighted mean and blends their spread about the old mean into the covariance, so
/// that it stretches along a valley of correlated parameters.
#[allow(clippy::too_many_arguments)]
fn cross_entropy(
    p: &Problem,
    loss: &Loss,
    ev: &dyn Evaluator,
    obs: &dyn FitObserver,
    arc: &mut Archive,
    rng: &mut Xoshiro256PlusPlus,
    m: &mut Vec<f64>,
    c: &mut DMatrix<f64>,
    scale: u32,
    budget: usize,
) {
    let d = p.dim();
    let lambda = (4 + (3.0 * (d as f64).ln()).floor() as usize).max(8);
    let mut left = budget;
    while left >= lambda / 2 {
        let n = lambda.min(left);
        let (cc, l) = factor(c, 1e-6, 0.08);
        *c = cc;
        let mut pts: Vec<Vec<f64>> = vec![m.clone()];
        while pts.len() < n {
            pts.push(sample(m, &l, rng));
        }
        let losses = arc.run(p, loss, ev, obs, pts.clone(), scale);
        left -= n;
        let mut order: Vec<usize> = (0..n).filter(|&i| losses[i].is_finite()).collect();
        order.sort_by(|&a, &b| losses[a].total_cmp(&losses[b]));
        let mu = (n / 2).min(order.len());
        if mu < 2 {
            continue;
        }
        let raw: Vec<f64> = (0..mu)
            .map(|i| ((mu as f64 + 0.5).ln() - ((i + 1) as f64).ln()).max(0.0))
            .collect();
        let sum: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|x| x / sum).collect();
        let mu_eff = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
        let old = DVector::from_column_slice(m);
        let mut new_m = DVector::<f64>::zeros(d);
        let mut spread = DMatrix::<f64>::zeros(d, d);
        for (k, &i) in order[..mu].iter().enumerate() {
            let x = DVector::from_column_slice(&pts[i]);
            new_m += w[k] * &x;
            let dx = &x - &old;
            spread += w[k] * &dx * dx.transpose();
        }
        let rate = (mu_eff / (d as f64 + 2.0)).clamp(0.2, 0.6);
        *c = (1.0 - rate) * &*c + rate * spread;
        *m = new_m.iter().copied().collect();
    }
}

/// The posterior's mode and covariance on the cube from a local linear emulator.
///
/// Each simulated value (every series week, lift effect and cohort point) is regressed
/// on the design points, `y_k(u) ≈ a_k + b_kᵀ(u − c)`. With the residuals `r = y_obs − a`
/// at the centre, the per-country residual covariance `Σ̂` of the series, and the
/// autocorrelation discount `f = (1 − ρ)/(1 + ρ)`, the Fisher information of the
/// profiled likelihood is `I = Σ_weeks f·Jᵀ Σ̂⁻¹ J (+ Σ_lift b bᵀ / se²)`, the score
/// `g = Σ f·Jᵀ Σ̂⁻¹ r (+ Σ_lift b r / se²)`. The mode is `c + I⁻¹ g` (no further than 1.5
/// design sd), the covariance `I⁻¹`, its eigenvalues clipped so that no direction is
/// wider than the prior (sd 1/√12 on the cube).
#[allow(clippy::needless_range_loop)] // a week indexes every series' residuals
fn gauss_newton(
    p: &Problem,
    loss: &Loss,
    pts: &[Vec<f64>],
    answers: &[Vec<f64>],
    centre: &[f64],
    shape: &DMatrix<f64>,
) -> Option<(Vec<f64>, DMatrix<f64>)> {
    let d = centre.len();
    let rows: Vec<usize> = (0..pts.len())
        .filter(|&i| answers[i].iter().all(|x| x.is_finite()))
        .collect();
    if rows.len() < d + 2 {
        return None;
    }
    let k = answers[rows[0]].len();
    let mut x = DMatrix::<f64>::zeros(rows.len(), d + 1);
    let mut y = DMatrix::<f64>::zeros(rows.len(), k);
    for (r, &i) in rows.iter().enumerate() {
        x[(r, 0)] = 1.0;
        for j in 0..d {
            x[(r, 1 + j)] = pts[i][j] - centre[j];
        }
        for c in 0..k {
            y[(r, c)] = answers[i][c];
        }
    }
    let coef = x.svd(true, true).solve(&y, 1e-12).ok()?; // (d + 1) × k
    let a = |c: usize| coef[(0, c)];
    let b = |c: usize| DVector::from_iterator(d, (0..d).map(|j| coef[(1 + j, c)]));
    let obs = &p.observed;
    let n = obs.weeks();
    let nf = loss.n_fit;
    let mut info = DMatrix::<f64>::zeros(d, d);
    let mut score = DVector::<f64>::zeros(d);
    let series = &obs.series;
    for idx in &loss.groups {
        let m = idx.len();
        let resid: Vec<Vec<f64>> = idx
            .iter()
            .map(|&s| {
                (0..nf)
                    .map(|w| series[s].values[w] - a(s * n + w))
                    .collect()
            })
            .collect();
        let inv = loss.covariance(idx, &resid).try_inverse()?;
        let f = loss.discount(idx);
        for wk in 0..nf {
            let mut jm = DMatrix::<f64>::zeros(m, d);
            let mut r = DVector::<f64>::zeros(m);
            for (i, &s) in idx.iter().enumerate() {
                let bi = b(s * n + wk);
                for j in 0..d {
                    jm[(i, j)] = bi[j];
                }
                r[i] = resid[i][wk];
            }
            let jt_inv = jm.transpose() * &inv;
            info += f * &jt_inv * &jm;
            score += f * &jt_inv * r;
        }
    }
    let base = series.len() * n;
    for (t, lt) in obs.lift.iter().enumerate() {
        let c = base + t;
        let bi = b(c);
        let w = loss.lift_weight / (lt.se * lt.se);
        info += w * &bi * bi.transpose();
        score += w * &bi * (lt.estimate - a(c));
    }
    let base = base + obs.lift.len();
    if !obs.cohorts.is_empty() {
        let res: Vec<f64> = obs
            .cohorts
            .iter()
            .enumerate()
            .map(|(t, c)| c.share_active - a(base + t))
            .collect();
        let var = (res.iter().map(|r| r * r).sum::<f64>() / res.len() as f64).max(1e-8);
        for (t, r) in res.iter().enumerate() {
            let bi = b(base + t);
            info += (loss.cohort_weight / var) * &bi * bi.transpose();
            score += (loss.cohort_weight / var) * &bi * *r;
        }
    }
    let eig = SymmetricEigen::new(info);
    let top = eig
        .eigenvalues
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(1e-12);
    let inverse = |lo: f64| {
        let vals = eig.eigenvalues.map(|v| 1.0 / v.clamp(lo, 1e12));
        &eig.eigenvectors * DMatrix::from_diagonal(&vals) * eig.eigenvectors.transpose()
    };
    // The covariance: no direction wider than the prior. The step: the plain Newton
    // step (clipping there would pull weakly identified directions back to the
    // centre); the design-sd cap below keeps it where the emulator holds.
    let covm = inverse(12.0);
    let mut step = inverse(top * 1e-9) * score;
    let dist = shape.clone().try_inverse().map_or(0.0, |inv| {
        (step.transpose() * inv * &step)[(0, 0)].max(0.0).sqrt()
    });
    if dist > 1.5 {
        step *= 1.5 / dist;
    }
    let mode = (0..d)
        .map(|i| (centre[i] + step[i]).clamp(0.0, 1.0))
        .collect();
    Some((mode, covm))
}

/// Search and posterior.
pub fn fit(p: &Problem, ev: &dyn Evaluator, obs: &dyn FitObserver) -> Result<Fit, StudyError> {
    let d = p.dim();
    if d == 0 {
        return Err(StudyError::Calibration(
            "no free parameters: name them in [calibrate.params]".into(),
        ));
    }
    if p.fit_weeks() < 4 {
        return Err(StudyError::Calibration(format!(
            "{} weeks of history less {} holdout weeks leave fewer than 4 weeks to fit",
            p.observed.weeks(),
            p.holdout
        )));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed ^ 0xca11_b4a7e);
    let mut loss = Loss::new(p);
    let budget = p.evaluations.max(10);
    let mut arc = Archive {
        points: Vec::new(),
        trace: Vec::new(),
        budget,
    };
    let fine = p.scenario.agent_scale;
    let coarse = p.coarse_scale.max(fine);
    let n_post = (budget * 3 / 10).max(4 * (d + 3)).min(budget / 2);
    let n_global = (budget / 5).max(2 * d + 2);
    let n_fine = if coarse == fine { 0 } else { budget / 6 };
    let n_coarse = budget.saturating_sub(n_global + n_fine + n_post);

    obs.stage("coarse search");
    let mut design = latin_hypercube(n_global.saturating_sub(1), d, &mut rng);
    let start: Vec<f64> = p
        .params
        .iter()
        .map(|fp| current_value(p, &fp.path).map_or(0.5, |v| prior::to_unit(&fp.prior, v)))
        .collect();
    design.insert(0, start);
    let losses = arc.run(p, &loss, ev, obs, design.clone(), coarse);
    let mut order: Vec<usize> = (0..design.len())
        .filter(|&i| losses[i].is_finite())
        .collect();
    if order.is_empty() {
        return Err(StudyError::Calibration(
            "every simulated history of the first design failed (values out of the scenario's ranges?)".into(),
        ));
    }
    order.sort_by(|&a, &b| losses[a].total_cmp(&losses[b]));
    let top: Vec<&Vec<f64>> = order
        .iter()
        .take((order.len() / 5).max(3))
        .map(|&i| &design[i])
        .collect();
    let mut m = design[order[0]].clone();
    let s0: Vec<f64> = (0..d)
        .map(|i| {
            let mean = top.iter().map(|t| t[i]).sum::<f64>() / top.len() as f64;
            (top.iter().map(|t| (t[i] - mean).powi(2)).sum::<f64>() / top.len() as f64)
                .sqrt()
                .clamp(0.08, 0.3)
        })
        .collect();
    let mut s = DMatrix::from_diagonal(&DVector::from_iterator(d, s0.iter().map(|x| x * x)));
    let half = n_coarse / 2;
    cross_entropy(
        p, &loss, ev, obs, &mut arc, &mut rng, &mut m, &mut s, coarse, half,
    );
    // Residual autocorrelation at the best coarse point, then the rest with it.
    if let Some(best) = arc.best(coarse) {
        let ans = p.mean_answers(ev, std::slice::from_ref(&best.0), coarse, 0..p.replications);
        loss.rho = (0..p.observed.series.len())
            .map(|k| lag1_autocorrelation(&loss.residuals(&ans[0], k)))
            .collect();
        for x in arc.points.iter_mut() {
            x.2 = f64::INFINITY;
        }
    }
    cross_entropy(
        p,
        &loss,
        ev,
        obs,
        &mut arc,
        &mut rng,
        &mut m,
        &mut s,
        coarse,
        n_coarse - half,
    );
    if n_fine > 0 {
        obs.stage("refined search");
        cross_entropy(
            p, &loss, ev, obs, &mut arc, &mut rng, &mut m, &mut s, fine, n_fine,
        );
    }

    obs.stage("posterior");
    // Three rounds of a Gaussian design around the optimum (the first shaped by the
    // search's covariance, each later one by the previous one's posterior, each spanning about
    // three posterior sd): a linear emulator of every simulated weekly value, fitted to
    // the round's answers, gives the Jacobian; the Gauss-Newton step and the Fisher
    // information of the profiled likelihood give the mode and the covariance.
    let mut centre = m.clone();
    let mut shape = s.clone() * 4.0;
    let mut result: Option<(Vec<f64>, DMatrix<f64>)> = None;
    const ROUNDS: usize = 3;
    for round in 0..ROUNDS {
        let n = if round + 1 < ROUNDS {
            n_post / ROUNDS
        } else {
            n_post - (ROUNDS - 1) * (n_post / ROUNDS)
        };
        let (_, l) = factor(&shape, 1e-6, 0.1);
        let mut pts: Vec<Vec<f64>> = vec![centre.clone()];
        while pts.len() < n.max(d + 3) {
            pts.push(sample(&centre, &l, &mut rng));
        }
        let (answers, _) = arc.run_answers(p, &loss, ev, obs, pts.clone(), fine);
        if let Some((mode, cov)) = gauss_newton(p, &loss, &pts, &answers, &centre, &shape) {
            centre = mode.clone();
            shape = cov.clone() * 9.0;
            result = Some((mode, cov));
        }
    }
    let (mode, cov) = result.unwrap_or_else(|| (m.clone(), s.clone()));
    let chol = cov.clone().cholesky().map(|c| c.l()).unwrap_or_else(|| {
        DMatrix::from_diagonal(&DVector::from_iterator(
            d,
            (0..d).map(|i| cov[(i, i)].max(0.0).sqrt()),
        ))
    });
    let mut draws = Vec::with_capacity(p.draws);
    while draws.len() < p.draws {
        let mut x = Vec::new();
        for _ in 0..1000 {
            let z = DVector::from_iterator(d, (0..d).map(|_| rng.sample::<f64, _>(StandardNormal)));
            let v = &chol * z;
            x = (0..d).map(|i| mode[i] + v[i]).collect();
            if x.iter().all(|v| (0.0..=1.0).contains(v)) {
                break;
            }
        }
        draws.push(x.iter().map(|v| v.clamp(0.0, 1.0)).collect());
    }
    Ok(Fit {
        cov: (0..d)
            .map(|i| (0..d).map(|j| cov[(i, j)]).collect())
            .collect(),
        mode,
        draws,
        trace: arc.trace,
        evaluations: arc.points.len(),
        rho: loss.rho,
    })
}

/// The scenario's value at a key path (the fit's starting point).
fn current_value(p: &Problem, path: &str) -> Option<f64> {
    let tree = toml::Value::try_from(&p.scenario).ok()?;
    let v = path
        .split('.')
        .try_fold(&tree, |v, seg| v.as_table()?.get(seg))?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// Quantile of a sorted slice (linear interpolation).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let x = q * (sorted.len() - 1) as f64;
    let (i, f) = (x.floor() as usize, x.fract());
    sorted[i] + f * (sorted.get(i + 1).copied().unwrap_or(sorted[i]) - sorted[i])
}

/// Band draws of the fitted series: each on its own replication.
const BAND_DRAWS: usize = 24;

/// Parameter table, fitted series with their band, metrics, lift tests and channel
/// effects at the estimate.
pub fn summarise(p: &Problem, ev: &dyn Evaluator, f: &Fit) -> Calibration {
    let values: Vec<Vec<f64>> = f.draws.iter().map(|u| p.values(u)).collect();
    let mut params = Vec::new();
    let mut estimate = Vec::new();
    for (j, fp) in p.params.iter().enumerate() {
        let mut col: Vec<f64> = values.iter().map(|v| v[j]).collect();
        col.sort_by(f64::total_cmp);
        let med = quantile(&col, 0.5);
        let sd_u = f.cov[j][j].sqrt();
        params.push(ParamRow {
            path: fp.path.clone(),
            prior: fp.prior.describe(),
            start: current_value(p, &fp.path).unwrap_or(f64::NAN),
            estimate: med,
            lo: quantile(&col, 0.05),
            hi: quantile(&col, 0.95),
            sd_ratio: sd_u * 12f64.sqrt(),
        });
        estimate.push((fp.path.clone(), med));
    }
    let est_u: Vec<f64> = p
        .params
        .iter()
        .zip(&estimate)
        .map(|(fp, (_, v))| prior::to_unit(&fp.prior, *v))
        .collect();
    let fine = p.scenario.agent_scale;
    let reps = p.replications.max(4);
    let at_est = p
        .mean_answers(ev, std::slice::from_ref(&est_u), fine, 0..reps)
        .remove(0);
    // The band: posterior draws, each on its own replication (parameters and noise).
    let nb = BAND_DRAWS.min(f.draws.len());
    let batch: Vec<omnimix_optimizer::Candidate> = (0..nb)
        .map(|k| {
            let mut x = f.draws[k * f.draws.len() / nb.max(1)].clone();
            x.push(fine as f64);
            omnimix_optimizer::Candidate {
                x,
                replication: 1000 + k as u32,
            }
        })
        .collect();
    let band: Vec<Vec<f64>> = ev
        .evaluate(&batch)
        .into_iter()
        .map(|e| e.objectives)
        .collect();
    let q = |i: usize, level: f64| {
        let mut v: Vec<f64> = band
            .iter()
            .map(|b| b[i])
            .filter(|x| x.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        quantile(&v, level)
    };
    let n = p.observed.weeks();
    let nf = p.fit_weeks();
    let mut fit = Vec::new();
    let mut metrics = Vec::new();
    for (s, series) in p.observed.series.iter().enumerate() {
        for w in 0..n {
            let i = s * n + w;
            fit.push(FitRow {
                country: series.country.clone(),
                kpi: series.measure.name(),
                week: p.observed.week_labels[w].clone(),
                observed: series.values[w],
                fitted: at_est[i],
                lo: q(i, 0.05),
                hi: q(i, 0.95),
                holdout: w >= nf,
            });
        }
        let fitted = &at_est[s * n..(s + 1) * n];
        metrics.push(SeriesMetrics {
            country: series.country.clone(),
            kpi: series.measure.name(),
            fit: fit_metrics(&series.values[..nf], &fitted[..nf]),
            holdout: (nf < n).then(|| fit_metrics(&series.values[nf..], &fitted[nf..])),
        });
    }
    let base = p.observed.series.len() * n;
    let lift = p
        .observed
        .lift
        .iter()
        .enumerate()
        .map(|(k, t)| LiftRow {
            test: t.clone(),
            model: at_est[base + k],
            lo: q(base + k, 0.05),
            hi: q(base + k, 0.95),
        })
        .collect();
    let effects = p.channel_effects(&est_u, fine, 0..reps).unwrap_or_default();
    Calibration {
        params,
        posterior: Posterior {
            names: p.params.iter().map(|fp| fp.path.clone()).collect(),
            draws: values,
        },
        fit,
        metrics,
        lift,
        effects,
        estimate,
        trace: f.trace.clone(),
        evaluations: f.evaluations + 1 + nb,
        scales: (p.coarse_scale.max(fine), fine),
    }
}
