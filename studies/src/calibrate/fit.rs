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
    /// Asked after each batch: true ends the fit with [`StudyError::Interrupted`].
    fn stop_requested(&self) -> bool {
        false
    }
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
    /// Evaluations spent outside the search (the covariance's replications).
    extra: usize,
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
    ) -> Result<Vec<f64>, StudyError> {
        Ok(self
            .run_reps(p, loss, ev, obs, pts, scale, p.replications.max(1))?
            .1)
    }

    /// [`Archive::run`] on replications `0..reps` (a multiple of the fit's
    /// `replications`; each point counts as `reps / replications` evaluations), also
    /// returning the mean answers.
    #[allow(clippy::too_many_arguments)]
    fn run_reps(
        &mut self,
        p: &Problem,
        loss: &Loss,
        ev: &dyn Evaluator,
        obs: &dyn FitObserver,
        pts: Vec<Vec<f64>>,
        scale: u32,
        reps: u32,
    ) -> Result<(Vec<Vec<f64>>, Vec<f64>), StudyError> {
        let answers = p.mean_answers(ev, &pts, scale, 0..reps);
        let losses: Vec<f64> = answers.iter().map(|m| loss.value(m)).collect();
        let per = reps.div_ceil(p.replications.max(1)).max(1) as usize;
        self.extra += pts.len() * (per - 1);
        for (u, l) in pts.into_iter().zip(&losses) {
            self.points.push((u, scale, *l));
        }
        let best = self.best(scale).map_or(f64::INFINITY, |b| b.2);
        self.trace.push((self.points.len() + self.extra, best));
        obs.progress(self.points.len() + self.extra, self.budget, best);
        if obs.stop_requested() {
            return Err(StudyError::Interrupted);
        }
        Ok((answers, losses))
    }

    /// Count `runs` replications spent outside the search.
    fn count(&mut self, p: &Problem, obs: &dyn FitObserver, runs: u32) -> Result<(), StudyError> {
        self.extra += runs.div_ceil(p.replications.max(1)) as usize;
        let best = self
            .points
            .iter()
            .map(|x| x.2)
            .fold(f64::INFINITY, f64::min);
        obs.progress(self.points.len() + self.extra, self.budget, best);
        if obs.stop_requested() {
            return Err(StudyError::Interrupted);
        }
        Ok(())
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
) -> Result<usize, StudyError> {
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
        let losses = arc.run(p, loss, ev, obs, pts.clone(), scale)?;
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
    Ok(budget - left)
}

/// A local emulator of every simulated value around a design centre, and the
/// weighted Gauss–Newton system of the loss there.
///
/// Each simulated value (every series week, lift effect and cohort point) is regressed
/// on the design points, `y_k(u) ≈ a_k + b_kᵀ(u − c) + Σ_j q_kj (u_j − c_j)²` (the
/// square terms when the design has enough points), so that `a_k` is the value at
/// the centre and `b_k` the derivative there. With the residuals `r = y_obs − a`
/// at the centre, the per-country residual covariance `Σ̂` of the series, and the
/// country's weight `f` (its KPI weights times the autocorrelation discount
/// `(1 − ρ)/(1 + ρ)` of the loss), the information is
/// `I = Σ_weeks f·Jᵀ Σ̂⁻¹ J (+ Σ_lift b bᵀ / se²)`, the score
/// `g = Σ f·Jᵀ Σ̂⁻¹ r (+ Σ_lift b r / se²)`.
struct Linear {
    /// `(d + 1) × answers` or `(2d + 1) × answers`: intercept, slopes, square terms.
    coef: DMatrix<f64>,
    info: DMatrix<f64>,
    score: DVector<f64>,
    /// Per country group: `f` and `Σ̂⁻¹`.
    weights: Vec<(f64, DMatrix<f64>)>,
    /// Variance of the cohort residuals (the cohort term's profiled variance).
    cohort_var: f64,
}

impl Linear {
    fn slope(&self, c: usize) -> DVector<f64> {
        let d = self.info.nrows();
        DVector::from_iterator(d, (0..d).map(|j| self.coef[(1 + j, c)]))
    }

    /// The series part of the score for a vector `e` of weekly deviations (answer
    /// layout): `Σ_countries f Σ_weeks Jᵀ Σ̂⁻¹ e_week`.
    fn series_score(&self, p: &Problem, loss: &Loss, e: &[f64]) -> DVector<f64> {
        self.series_score_with(p, loss, e, |c| self.slope(c))
    }

    /// [`Linear::series_score`] with other slopes than the emulator's (`slope(c)` for
    /// answer `c`), weighted as this system.
    fn series_score_with(
        &self,
        p: &Problem,
        loss: &Loss,
        e: &[f64],
        slope: impl Fn(usize) -> DVector<f64>,
    ) -> DVector<f64> {
        let d = self.info.nrows();
        let n = p.observed.weeks();
        let mut g = DVector::<f64>::zeros(d);
        for (idx, (f, inv)) in loss.groups.iter().zip(&self.weights) {
            for wk in 0..loss.n_fit {
                let ev = DVector::from_iterator(idx.len(), idx.iter().map(|&s| e[s * n + wk]));
                let we = inv * ev;
                for (i, &s) in idx.iter().enumerate() {
                    g += (f * we[i]) * slope(s * n + wk);
                }
            }
        }
        g
    }

    /// The plain Gauss–Newton step `I⁻¹ g` (eigenvalues of `I` floored relative to its
    /// largest).
    fn step(&self) -> DVector<f64> {
        self.inverse_info(self.top_eigenvalue() * 1e-9) * &self.score
    }

    /// `I⁻¹` with the eigenvalues of `I` floored at `lo`.
    fn inverse_info(&self, lo: f64) -> DMatrix<f64> {
        let eig = SymmetricEigen::new(self.info.clone());
        let vals = eig.eigenvalues.map(|v| 1.0 / v.clamp(lo, 1e12));
        &eig.eigenvectors * DMatrix::from_diagonal(&vals) * eig.eigenvectors.transpose()
    }

    fn top_eigenvalue(&self) -> f64 {
        SymmetricEigen::new(self.info.clone())
            .eigenvalues
            .iter()
            .copied()
            .fold(0.0, f64::max)
            .max(1e-12)
    }
}

/// Fit the emulator to a design's answers and build the Gauss–Newton system.
fn linearise(
    p: &Problem,
    loss: &Loss,
    pts: &[Vec<f64>],
    answers: &[Vec<f64>],
    centre: &[f64],
) -> Option<Linear> {
    system(p, loss, emulator(pts, answers, centre)?, centre.len())
}

/// The emulator's coefficients (`cols × answers`: intercept, slopes, square terms)
/// fitted to a design's answers around `centre`.
fn emulator(pts: &[Vec<f64>], answers: &[Vec<f64>], centre: &[f64]) -> Option<DMatrix<f64>> {
    let d = centre.len();
    let rows: Vec<usize> = (0..pts.len())
        .filter(|&i| answers[i].iter().all(|x| x.is_finite()))
        .collect();
    if rows.len() < d + 2 {
        return None;
    }
    let k = answers[rows[0]].len();
    // With enough points, a square term per parameter: the intercept is then the
    // value at the centre and the slopes the derivatives there, not the secants of
    // a curved response over the design (which bias the step).
    let cols = if rows.len() >= 2 * d + 4 {
        2 * d + 1
    } else {
        d + 1
    };
    let mut x = DMatrix::<f64>::zeros(rows.len(), cols);
    let mut y = DMatrix::<f64>::zeros(rows.len(), k);
    for (r, &i) in rows.iter().enumerate() {
        x[(r, 0)] = 1.0;
        for j in 0..d {
            let dx = pts[i][j] - centre[j];
            x[(r, 1 + j)] = dx;
            if cols > d + 1 {
                x[(r, 1 + d + j)] = dx * dx;
            }
        }
        for c in 0..k {
            y[(r, c)] = answers[i][c];
        }
    }
    x.svd(true, true).solve(&y, 1e-12).ok()
}

/// The emulator's coefficients moved to a centre `dx` away: the value and the
/// derivatives there (the square terms stay).
fn recentre(coef: &DMatrix<f64>, d: usize, dx: &[f64]) -> DMatrix<f64> {
    let mut out = coef.clone();
    if coef.nrows() > d + 1 {
        for c in 0..coef.ncols() {
            for j in 0..d {
                let (b, q) = (coef[(1 + j, c)], coef[(1 + d + j, c)]);
                out[(0, c)] += b * dx[j] + q * dx[j] * dx[j];
                out[(1 + j, c)] = b + 2.0 * q * dx[j];
            }
        }
    } else {
        for c in 0..coef.ncols() {
            out[(0, c)] += (0..d).map(|j| coef[(1 + j, c)] * dx[j]).sum::<f64>();
        }
    }
    out
}

/// The weighted Gauss–Newton system of the loss at the emulator's centre.
#[allow(clippy::needless_range_loop)] // a week indexes every series' residuals
fn system(p: &Problem, loss: &Loss, coef: DMatrix<f64>, d: usize) -> Option<Linear> {
    let mut lin = Linear {
        coef,
        info: DMatrix::<f64>::zeros(d, d),
        score: DVector::<f64>::zeros(d),
        weights: Vec::new(),
        cohort_var: 1.0,
    };
    let a = |c: usize| lin.coef[(0, c)];
    let obs = &p.observed;
    let n = obs.weeks();
    let nf = loss.n_fit;
    let series = &obs.series;
    let mut info = DMatrix::<f64>::zeros(d, d);
    let mut score = DVector::<f64>::zeros(d);
    let mut weights = Vec::new();
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
                let bi = lin.slope(s * n + wk);
                for j in 0..d {
                    jm[(i, j)] = bi[j];
                }
                r[i] = resid[i][wk];
            }
            let jt_inv = jm.transpose() * &inv;
            info += f * &jt_inv * &jm;
            score += f * &jt_inv * r;
        }
        weights.push((f, inv));
    }
    let base = series.len() * n;
    for (t, lt) in obs.lift.iter().enumerate() {
        let c = base + t;
        let bi = lin.slope(c);
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
            let bi = lin.slope(base + t);
            info += (loss.cohort_weight / var) * &bi * bi.transpose();
            score += (loss.cohort_weight / var) * &bi * *r;
        }
        lin.cohort_var = var;
    }
    lin.info = info;
    lin.score = score;
    lin.weights = weights;
    Some(lin)
}

/// The Gauss–Newton mode `c + I⁻¹ g`, no further than 3 design sd from the centre
/// (the caller checks the step and halves it where the emulator did not hold). The
/// plain Newton step: clipping there would pull weakly identified directions back to
/// the centre.
fn newton_mode(lin: &Linear, centre: &[f64], shape: &DMatrix<f64>) -> Vec<f64> {
    let mut step = lin.step();
    let dist = shape.clone().try_inverse().map_or(0.0, |inv| {
        (step.transpose() * inv * &step)[(0, 0)].max(0.0).sqrt()
    });
    if dist > 3.0 {
        step *= 3.0 / dist;
    }
    (0..centre.len())
        .map(|i| (centre[i] + step[i]).clamp(0.0, 1.0))
        .collect()
}

/// The covariance of the estimate: the sandwich `I⁻¹ V I⁻¹`, where `V` is the
/// variance of the score under the noise the estimate really carries.
///
/// The series' noise is taken from `boot`, independent replications at the mode: their
/// deviations from their mean have the simulation's own autocorrelation across weeks
/// and correlation across series (a customer base drifts for weeks; revenue moves with
/// orders), which no per-week formula captures. Each series' deviations are scaled to
/// the noise the estimate carries: the observed history's own noise (the residual at
/// the mode, `fitted` = the fit's mean on its replications) or, if that is smaller, the
/// noise of the fit's own mean over `R` replications. Lift tests add `se²` plus the
/// simulation noise of the model's lift; cohorts their profiled variance. The result's
/// eigenvalues are capped at the prior's variance on the cube (1/12).
///
/// With `fit_noise` (the score's variance from the fit's own replications, measured by
/// [`replicate_noise`]) the deviations carry the history's noise only and `fit_noise`
/// is added to `V`; without it the fit's noise is the level term `1/R` above.
fn sandwich(
    p: &Problem,
    loss: &Loss,
    lin: &Linear,
    fitted: &[f64],
    boot: &[Vec<f64>],
    reps: u32,
    fit_noise: Option<&DMatrix<f64>>,
) -> DMatrix<f64> {
    let d = lin.info.nrows();
    let obs = &p.observed;
    let n = obs.weeks();
    let nf = loss.n_fit;
    let kb = boot.len() as f64;
    let reps = f64::from(reps.max(1));
    let mean: Vec<f64> = (0..fitted.len())
        .map(|c| boot.iter().map(|b| b[c]).sum::<f64>() / kb)
        .collect();
    let var_of =
        |c: usize| boot.iter().map(|b| (b[c] - mean[c]).powi(2)).sum::<f64>() / (kb - 1.0).max(1.0);
    // Per series: the variance of the replications' deviations (the simulation's own
    // noise, `vb`) and of the residuals at the mode (`vr`). The history carries the
    // simulation's noise and the fit's mean that over `R` replications: `vb (1 + 1/R)`.
    // What the residuals hold beyond that is measurement error, white across weeks;
    // if they hold less (a real history at a finer grain than the simulation's
    // agents), the deviations are scaled down to it (never below the fit's own `vb/R`).
    // With the fit's own noise measured apart (`fit_noise`), the deviations carry
    // the history's noise only.
    let own = if fit_noise.is_some() { 0.0 } else { 1.0 / reps };
    let mut scale = Vec::new();
    let mut white = Vec::new();
    for s in 0..obs.series.len() {
        let vb = (0..nf).map(|w| var_of(s * n + w)).sum::<f64>() / nf as f64;
        let vr = (0..nf)
            .map(|w| (obs.series[s].values[w] - fitted[s * n + w]).powi(2))
            .sum::<f64>()
            / nf as f64;
        let carried = vb * (1.0 + own);
        let unbiased = (kb / (kb - 1.0).max(1.0)).sqrt();
        if vb <= 0.0 {
            scale.push(0.0);
            white.push(vr);
        } else if vr >= carried {
            scale.push((carried / vb).sqrt() * unbiased);
            white.push(vr - carried);
        } else {
            scale.push((vr.max(vb * own) / vb).sqrt() * unbiased);
            white.push(0.0);
        }
    }
    let mut v = DMatrix::<f64>::zeros(d, d);
    for b in boot {
        let mut e = vec![0.0; fitted.len()];
        for (s, f) in scale.iter().enumerate() {
            for w in 0..nf {
                let c = s * n + w;
                e[c] = (b[c] - mean[c]) * f;
            }
        }
        let g = lin.series_score(p, loss, &e);
        v += &g * g.transpose() / kb;
    }
    // The white part: Σ_weeks f² Jᵀ Σ̂⁻¹ D Σ̂⁻¹ J with D its per-series variances.
    for (idx, (f, inv)) in loss.groups.iter().zip(&lin.weights) {
        let dm = DMatrix::from_diagonal(&DVector::from_iterator(
            idx.len(),
            idx.iter().map(|&s| white[s]),
        ));
        let mid = inv * dm * inv;
        for wk in 0..nf {
            let mut jm = DMatrix::<f64>::zeros(idx.len(), d);
            for (i, &s) in idx.iter().enumerate() {
                jm.row_mut(i).copy_from(&lin.slope(s * n + wk).transpose());
            }
            v += (f * f) * jm.transpose() * &mid * &jm;
        }
    }
    let base = obs.series.len() * n;
    for (t, lt) in obs.lift.iter().enumerate() {
        let c = base + t;
        let w = loss.lift_weight / (lt.se * lt.se);
        let bi = lin.slope(c);
        let sim = if fit_noise.is_some() {
            0.0
        } else {
            var_of(c) / reps
        };
        v += w * w * (lt.se * lt.se + sim) * &bi * bi.transpose();
    }
    let base = base + obs.lift.len();
    for t in 0..obs.cohorts.len() {
        let bi = lin.slope(base + t);
        v += (loss.cohort_weight * loss.cohort_weight / lin.cohort_var) * &bi * bi.transpose();
    }
    if let Some(f) = fit_noise {
        v += f;
    }
    let inv = lin.inverse_info(lin.top_eigenvalue() * 1e-9);
    let cov = &inv * v * &inv;
    let cov = (&cov + cov.transpose()) / 2.0;
    factor(&cov, 1e-12, 1.0 / 12.0).0
}

/// The variance of the score that one replication's random numbers put into the fit:
/// for each independent replication `b` at the mode, the score `g_b = Jᵇᵀ W (y − aᵇ)`
/// with its own answers `aᵇ` and its own slopes `Jᵇ` (finite differences `h` along each
/// parameter on the same random numbers), weighted as the emulator's system at the mode.
///
/// Common random numbers keep a replication's level noise nearly constant across
/// parameter values, which is what the sandwich's `1/R` term assumes; but an agent
/// whose purchase changes draws differently afterwards, so each replication also
/// tilts the slopes, and the tilt, times the residuals, moves the mode further. This
/// measures both. `None` with fewer than three usable replications.
fn replicate_noise(
    p: &Problem,
    loss: &Loss,
    lin: &Linear,
    at_mode: &[Vec<f64>],
    shifted: &[Vec<Vec<f64>>],
    h: &[f64],
) -> Option<DMatrix<f64>> {
    let d = h.len();
    let obs = &p.observed;
    let n = obs.weeks();
    let usable: Vec<usize> = (0..at_mode.len())
        .filter(|&b| {
            at_mode[b].iter().all(|x| x.is_finite())
                && shifted.iter().all(|s| s[b].iter().all(|x| x.is_finite()))
        })
        .collect();
    if usable.len() < 3 {
        return None;
    }
    let scores: Vec<DVector<f64>> = usable
        .iter()
        .map(|&b| {
            let a = &at_mode[b];
            let slope = |c: usize| {
                DVector::from_iterator(d, (0..d).map(|j| (shifted[j][b][c] - a[c]) / h[j]))
            };
            // the residuals of this replication's answers, in the answers' layout
            let mut r = vec![0.0; a.len()];
            for (s, series) in obs.series.iter().enumerate() {
                for wk in 0..loss.n_fit {
                    r[s * n + wk] = series.values[wk] - a[s * n + wk];
                }
            }
            let mut g = lin.series_score_with(p, loss, &r, slope);
            let base = obs.series.len() * n;
            for (t, lt) in obs.lift.iter().enumerate() {
                let c = base + t;
                g += (loss.lift_weight / (lt.se * lt.se) * (lt.estimate - a[c])) * slope(c);
            }
            let base = base + obs.lift.len();
            for (t, c) in obs.cohorts.iter().enumerate() {
                let w = loss.cohort_weight / lin.cohort_var;
                g += (w * (c.share_active - a[base + t])) * slope(base + t);
            }
            g
        })
        .collect();
    let k = scores.len() as f64;
    let mean = scores.iter().fold(DVector::<f64>::zeros(d), |m, g| m + g) / k;
    let mut v = DMatrix::<f64>::zeros(d, d);
    for g in &scores {
        let e = g - &mean;
        v += &e * e.transpose();
    }
    Some(v / (k - 1.0))
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
    // Independent replications at the mode for the covariance, in evaluations of
    // `replications` each, and those of them run beside the mode too.
    let n_boot = boot_replications(d);
    let n_slope = slope_replications(d, n_boot);
    let mut arc = Archive {
        points: Vec::new(),
        extra: 0,
        trace: Vec::new(),
        // the fit's own noise is measured beyond the budget
        budget: budget + d * n_slope.div_ceil(p.replications.max(1)) as usize,
    };
    let fine = p.scenario.agent_scale;
    let coarse = p.coarse_scale.max(fine);
    let n_post = (budget * 3 / 10).max(4 * (d + 3)).min(budget / 2);
    let n_global = (budget / 5).max(2 * d + 2);
    let n_fine = if coarse == fine { 0 } else { budget / 6 };
    let n_boot_evals = (n_boot + p.replications.max(1)).div_ceil(p.replications.max(1)) as usize;
    let n_coarse = budget.saturating_sub(n_global + n_fine + n_post + n_boot_evals);

    obs.stage("coarse search");
    let mut design = latin_hypercube(n_global.saturating_sub(1), d, &mut rng);
    let start: Vec<f64> = p
        .params
        .iter()
        .map(|fp| current_value(p, &fp.path).map_or(0.5, |v| prior::to_unit(&fp.prior, v)))
        .collect();
    design.insert(0, start);
    let losses = arc.run(p, &loss, ev, obs, design.clone(), coarse)?;
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
    let s0: Vec<f64> = (0..d)
        .map(|i| {
            let mean = top.iter().map(|t| t[i]).sum::<f64>() / top.len() as f64;
            (top.iter().map(|t| (t[i] - mean).powi(2)).sum::<f64>() / top.len() as f64)
                .sqrt()
                .clamp(0.08, 0.3)
        })
        .collect();
    let s_init = DMatrix::from_diagonal(&DVector::from_iterator(d, s0.iter().map(|x| x * x)));
    // Two searches, from the best design point and from the best one at least
    // `RESTART_DISTANCE` away from it (another stretch of a curved valley), each with
    // a third of the coarse budget; the one with the lower loss (same replications)
    // goes on with the last third.
    let far = order.iter().copied().find(|&i| {
        let dist = design[i]
            .iter()
            .zip(&design[order[0]])
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        dist >= RESTART_DISTANCE
    });
    let share = if far.is_some() {
        n_coarse / 3
    } else {
        n_coarse / 2
    };
    let mut m = design[order[0]].clone();
    let mut s = s_init.clone();
    let from = arc.points.len();
    let used = cross_entropy(
        p, &loss, ev, obs, &mut arc, &mut rng, &mut m, &mut s, coarse, share,
    )?;
    let mut spent = used;
    if let Some(f) = far {
        let a_best = arc.points[from..]
            .iter()
            .map(|x| x.2)
            .fold(losses[order[0]], f64::min);
        let mid = arc.points.len();
        let mut m2 = design[f].clone();
        let mut s2 = s_init.clone();
        let used2 = cross_entropy(
            p, &loss, ev, obs, &mut arc, &mut rng, &mut m2, &mut s2, coarse, share,
        )?;
        spent += used2;
        let b_best = arc.points[mid..]
            .iter()
            .map(|x| x.2)
            .fold(losses[f], f64::min);
        if b_best < a_best {
            m = m2;
            s = s2;
        }
    }
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
        n_coarse.saturating_sub(spent),
    )?;
    if n_fine > 0 {
        obs.stage("refined search");
        cross_entropy(
            p, &loss, ev, obs, &mut arc, &mut rng, &mut m, &mut s, fine, n_fine,
        )?;
    }

    obs.stage("posterior");
    // Three rounds of a Gaussian design around the optimum (the first shaped by the
    // search's covariance, each later one by the previous one's information, each
    // spanning about three posterior sd): a linear emulator of every simulated weekly
    // value, fitted to the round's answers, gives the Jacobian, and the Gauss-Newton
    // step the mode, once checked on the fit's replications. The covariance is the
    // sandwich of the last round's information and the score's variance over
    // independent replications at the mode; it counts the common random numbers'
    // noise at the search's `replications` (the steps were chosen on them), not the
    // last round's doubled number.
    const ROUNDS: usize = 3;
    let mut centre = m.clone();
    let mut shape = s.clone() * 4.0;
    // The last round's new centre, the centre its emulator was fitted around, and
    // that emulator.
    let mut last: Option<(Vec<f64>, Vec<f64>, Linear)> = None;
    // The centre's mean answer and loss on the fit's replications, once known.
    let mut at_centre: Option<(Vec<f64>, f64)> = None;
    let mut used = 0;
    // The last round runs twice the fit's replications (its mode and emulator then
    // carry half the common-random-number noise), on fewer points.
    let base_reps = p.replications.max(1);
    let mut reps = base_reps;
    for round in 0..ROUNDS {
        let last_round = round + 1 == ROUNDS;
        if last_round {
            reps = 2 * base_reps;
            // The centre's answer was on fewer replications.
            at_centre = None;
        }
        let per = (reps / base_reps) as usize;
        // One evaluation of each round is kept for checking its step.
        let n = if last_round {
            n_post.saturating_sub(used) / per
        } else {
            n_post / (ROUNDS + 1)
        }
        .saturating_sub(1);
        let (_, l) = factor(&shape, 1e-6, 0.1);
        let mut pts: Vec<Vec<f64>> = vec![centre.clone()];
        while pts.len() < n.max(d + 3) {
            pts.push(sample(&centre, &l, &mut rng));
        }
        let (answers, losses) = match at_centre.take() {
            Some((a, lc)) => {
                let (mut ans, mut ls) =
                    arc.run_reps(p, &loss, ev, obs, pts[1..].to_vec(), fine, reps)?;
                ans.insert(0, a);
                ls.insert(0, lc);
                used += (pts.len() - 1) * per;
                (ans, ls)
            }
            None => {
                used += pts.len() * per;
                arc.run_reps(p, &loss, ev, obs, pts.clone(), fine, reps)?
            }
        };
        let (centre_answer, centre_loss) = (answers[0].clone(), losses[0]);
        let Some(lin) = linearise(p, &loss, &pts, &answers, &centre) else {
            at_centre = Some((centre_answer, centre_loss));
            continue;
        };
        // The Gauss–Newton step, checked: the new centre must not be worse than the
        // old on the same replications (by more than `STEP_TOLERANCE`, the loss's
        // noise along a flat valley); otherwise the step is halved (at most twice)
        // and, failing that, the centre stays.
        let target = newton_mode(&lin, &centre, &shape);
        let mut kept = (centre.clone(), centre_answer, centre_loss);
        let mut frac = 1.0;
        for _ in 0..3 {
            let cand: Vec<f64> = (0..d)
                .map(|i| centre[i] + frac * (target[i] - centre[i]))
                .collect();
            let (mut a, l) = arc.run_reps(p, &loss, ev, obs, vec![cand.clone()], fine, reps)?;
            used += per;
            if l[0] <= centre_loss + STEP_TOLERANCE {
                kept = (cand, a.remove(0), l[0]);
                break;
            }
            frac /= 2.0;
        }
        shape = lin.inverse_info(12.0) * 9.0;
        centre = kept.0;
        at_centre = Some((kept.1, kept.2));
        last = Some((centre.clone(), pts[0].clone(), lin));
    }
    // The covariance: the fit's replications and independent ones at the mode, and
    // the same independent replications one step along each parameter (each
    // replication's own slopes: how far its random numbers alone would move the
    // mode).
    let (mode, cov) = match last {
        Some((mode, last_centre, lin)) => {
            let runs = p.answers(
                ev,
                &mode,
                fine,
                (0..reps).chain(BOOTSTRAP..BOOTSTRAP + n_boot),
            );
            arc.count(p, obs, runs.len() as u32)?;
            let fitted: Vec<f64> = (0..p.answer_len())
                .map(|c| runs[..reps as usize].iter().map(|r| r[c]).sum::<f64>() / reps as f64)
                .collect();
            let boot: Vec<Vec<f64>> = runs[reps as usize..]
                .iter()
                .filter(|r| r.iter().all(|x| x.is_finite()))
                .cloned()
                .collect();
            // The emulator moved to the mode: its slopes and weights there.
            let dx: Vec<f64> = (0..d).map(|i| mode[i] - last_centre[i]).collect();
            let lin = system(p, &loss, recentre(&lin.coef, d, &dx), d).unwrap_or(lin);
            let ok = boot.len() >= 3 && fitted.iter().all(|x| x.is_finite());
            let cov = if ok {
                let level = sandwich(p, &loss, &lin, &fitted, &boot, base_reps, None);
                let reps_at_mode = &runs[reps as usize..(reps + n_slope) as usize];
                let h: Vec<f64> = (0..d)
                    .map(|i| {
                        let h = level[(i, i)].max(0.0).sqrt().clamp(0.005, 0.1);
                        if mode[i] + h > 1.0 { -h } else { h }
                    })
                    .collect();
                let mut shifted = Vec::with_capacity(d);
                for (i, hi) in h.iter().enumerate() {
                    let mut x = mode.clone();
                    x[i] += hi;
                    let r = p.answers(ev, &x, fine, BOOTSTRAP..BOOTSTRAP + n_slope);
                    arc.count(p, obs, r.len() as u32)?;
                    shifted.push(r);
                }
                match replicate_noise(p, &loss, &lin, reps_at_mode, &shifted, &h) {
                    Some(noise) => {
                        let v = noise / f64::from(base_reps);
                        sandwich(p, &loss, &lin, &fitted, &boot, base_reps, Some(&v))
                    }
                    None => level,
                }
            } else {
                lin.inverse_info(12.0)
            };
            // The step the checks did not take (the emulator's Gauss–Newton step from
            // the mode, on the cube): the mode is uncertain along it by its length.
            let step = lin.step();
            let left = DVector::from_iterator(
                d,
                (0..d).map(|i| (mode[i] + step[i]).clamp(0.0, 1.0) - mode[i]),
            );
            let cov = factor(&(cov + &left * left.transpose()), 1e-12, 1.0 / 12.0).0;
            (mode, cov)
        }
        None => (m.clone(), s.clone()),
    };
    let draws = posterior_draws(&mode, &cov, p.draws, &mut rng);
    Ok(Fit {
        cov: (0..d)
            .map(|i| (0..d).map(|j| cov[(i, j)]).collect())
            .collect(),
        mode,
        draws,
        trace: arc.trace,
        evaluations: arc.points.len() + arc.extra,
        rho: loss.rho,
    })
}

/// Draws from the Gaussian posterior on the cube. A draw outside the prior's range is
/// reflected back into it, coordinate by coordinate: rejecting it would also cut the
/// tails of every parameter correlated with one near its bound.
fn posterior_draws(
    mode: &[f64],
    cov: &DMatrix<f64>,
    n: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<Vec<f64>> {
    let d = mode.len();
    let chol = cov.clone().cholesky().map(|c| c.l()).unwrap_or_else(|| {
        DMatrix::from_diagonal(&DVector::from_iterator(
            d,
            (0..d).map(|i| cov[(i, i)].max(0.0).sqrt()),
        ))
    });
    (0..n).map(|_| sample(mode, &chol, rng)).collect()
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

/// How much worse (in loss units, a log-likelihood) a Gauss–Newton step's new centre
/// may be than the old one on the fit's replications and still be taken: about 1.4
/// posterior sd along one direction. A strict check stalls the steps along a flat
/// valley, where the loss's noise is of that size; 2 units let them fall back down
/// long valleys (recovery batch 13/24).
const STEP_TOLERANCE: f64 = 1.0;

/// Independent replications at the mode for the covariance of a fit with `d` free
/// parameters.
fn boot_replications(d: usize) -> u32 {
    (4 * d as u32 + 8).clamp(16, 48)
}

/// Independent replications of the mode and of its neighbour along each parameter
/// that measure the fit's own noise ([`replicate_noise`]): at least 8, and 4 more
/// than the free parameters, so that their scores span every direction (never more
/// than the `n_boot` replications at the mode).
fn slope_replications(d: usize, n_boot: u32) -> u32 {
    (d as u32 + 4).max(8).min(n_boot)
}

/// Least distance (on the cube) of the second search's start from the first's.
const RESTART_DISTANCE: f64 = 0.35;

/// First replication of the covariance's independent runs at the mode (apart from
/// the fit's `0..replications` and the band's `1000..`).
const BOOTSTRAP: u32 = 3_000_000;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recentring_the_emulator_gives_the_value_and_the_derivatives_at_the_new_centre() {
        // y(u) = 1 + 2 u0 + 3 u0² − u1 + 0.5 u1² around the centre 0, for two answers
        // (the second twice the first).
        let d = 2;
        let coef =
            DMatrix::from_row_slice(5, 2, &[1.0, 2.0, 2.0, 4.0, -1.0, -2.0, 3.0, 6.0, 0.5, 1.0]);
        let dx = [0.2, -0.4];
        let r = recentre(&coef, d, &dx);
        let y = |u0: f64, u1: f64| 1.0 + 2.0 * u0 + 3.0 * u0 * u0 - u1 + 0.5 * u1 * u1;
        let (u0, u1) = (dx[0], dx[1]);
        assert!((r[(0, 0)] - y(u0, u1)).abs() < 1e-12);
        assert!((r[(1, 0)] - (2.0 + 6.0 * u0)).abs() < 1e-12);
        assert!((r[(2, 0)] - (-1.0 + u1)).abs() < 1e-12);
        assert!((r[(0, 1)] - 2.0 * y(u0, u1)).abs() < 1e-12);
        // the square terms stay
        assert_eq!(r[(3, 0)], 3.0);
        assert_eq!(r[(4, 1)], 1.0);
        // a linear emulator only shifts its intercept
        let lin = DMatrix::from_row_slice(3, 1, &[1.0, 2.0, -1.0]);
        let r = recentre(&lin, d, &dx);
        assert!((r[(0, 0)] - (1.0 + 0.4 + 0.4)).abs() < 1e-12);
        assert_eq!(r[(1, 0)], 2.0);
    }

    /// A small problem (one country, 20 weeks) and an emulator at its history's own
    /// values plus 5 %, with slopes of 10 % and −5 % of each value per unit of each
    /// parameter.
    fn small_problem() -> (Problem, DMatrix<f64>) {
        use omnimix_sim::ScenarioSource;
        use omnimix_sim::scenario::load::load;
        let src = "name = \"t\"\nseed = 3\nagent_scale = 4\n[finance]\nannual_budget = 1e6\n[countries.DE]\npopulation = 40_000\n\
                   [strategy.annual_spend.DE]\nsearch = 90_000\nsocial = 60_000\n";
        let s = load(&ScenarioSource::new("t", src), &[]).unwrap();
        let spend = crate::calibrate::synthetic::flighted_spend(&s, 20, 3);
        let obs = crate::calibrate::synthetic::history(&s, spend, 3, 0.02);
        let p = Problem::new(s, obs, vec![]);
        let y: Vec<f64> = p
            .observed
            .series
            .iter()
            .flat_map(|x| x.values.clone())
            .collect();
        let mut coef = DMatrix::<f64>::zeros(3, y.len());
        for (c, v) in y.iter().enumerate() {
            coef[(0, c)] = v * 1.05;
            coef[(1, c)] = 0.1 * v;
            coef[(2, c)] = -0.05 * v;
        }
        (p, coef)
    }

    #[test]
    fn replications_that_tilt_the_slopes_add_to_the_fit_noise() {
        let (p, coef) = small_problem();
        let loss = Loss::new(&p);
        let lin = system(&p, &loss, coef.clone(), 2).unwrap();
        let k = coef.ncols();
        let h = [0.05, 0.05];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        // eight replications at the mode: the emulator's values (5 % off the history)
        // plus 0.2 % level noise
        let at_mode: Vec<Vec<f64>> = (0..8)
            .map(|_| {
                (0..k)
                    .map(|c| coef[(0, c)] * (1.0 + 0.002 * rng.sample::<f64, _>(StandardNormal)))
                    .collect()
            })
            .collect();
        // each replication's neighbours, with the emulator's slopes times (1 + tilt)
        let shifted = |tilt: &[f64]| -> Vec<Vec<Vec<f64>>> {
            (0..2)
                .map(|j| {
                    at_mode
                        .iter()
                        .zip(tilt)
                        .map(|(a, t)| {
                            (0..k)
                                .map(|c| a[c] + h[j] * coef[(1 + j, c)] * (1.0 + t))
                                .collect()
                        })
                        .collect()
                })
                .collect()
        };
        let trace = |m: &DMatrix<f64>| m.trace();
        let level = replicate_noise(&p, &loss, &lin, &at_mode, &shifted(&[0.0; 8]), &h).unwrap();
        let tilts: Vec<f64> = (0..8)
            .map(|_| 0.5 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let tilted = replicate_noise(&p, &loss, &lin, &at_mode, &shifted(&tilts), &h).unwrap();
        assert!(trace(&level) > 0.0);
        assert!(
            trace(&tilted) > 1.5 * trace(&level),
            "tilted {} vs level {}",
            trace(&tilted),
            trace(&level)
        );
        // without level noise and without tilt, a replication adds nothing
        let same = vec![at_mode[0].clone(); 8];
        let flat: Vec<Vec<Vec<f64>>> = (0..2)
            .map(|j| {
                vec![
                    (0..k)
                        .map(|c| same[0][c] + h[j] * coef[(1 + j, c)])
                        .collect();
                    8
                ]
            })
            .collect();
        let none = replicate_noise(&p, &loss, &lin, &same, &flat, &h).unwrap();
        assert!(trace(&none) < 1e-12 * trace(&level).max(1.0));
        // fewer than three usable replications: nothing measured
        assert!(replicate_noise(&p, &loss, &lin, &at_mode[..2], &shifted(&[0.0; 8]), &h).is_none());
    }

    #[test]
    fn the_fit_noise_replications_outnumber_the_free_parameters() {
        // their scores must span every direction: more replications than parameters
        assert_eq!(slope_replications(3, 20), 8);
        assert_eq!(slope_replications(10, 48), 14);
        for d in 1..40 {
            let n_boot = boot_replications(d);
            let k = slope_replications(d, n_boot);
            assert!(k as usize > d && k <= n_boot, "d {d}: {k} of {n_boot}");
        }
    }

    #[test]
    fn a_parameter_near_its_bound_does_not_cut_the_interval_of_a_correlated_one() {
        // Two parameters with correlation −0.9, sd 0.05; the second's mode sits at 0.02,
        // so most of its lower tail lies outside the cube.
        let (sd, rho) = (0.05, -0.9);
        let cov = DMatrix::from_row_slice(2, 2, &[sd * sd, rho * sd * sd, rho * sd * sd, sd * sd]);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let draws = posterior_draws(&[0.5, 0.02], &cov, 20_000, &mut rng);
        assert!(draws.iter().flatten().all(|x| (0.0..=1.0).contains(x)));
        let mut first: Vec<f64> = draws.iter().map(|x| x[0]).collect();
        first.sort_by(f64::total_cmp);
        // the first parameter keeps its Gaussian 90 % interval, 0.5 ± 1.645 sd
        // (rejecting the draws outside the cube would drop its upper tail)
        let (lo, hi) = (quantile(&first, 0.05), quantile(&first, 0.95));
        assert!((lo - (0.5 - 1.645 * sd)).abs() < 0.004, "lo {lo}");
        assert!((hi - (0.5 + 1.645 * sd)).abs() < 0.004, "hi {hi}");
    }
}
