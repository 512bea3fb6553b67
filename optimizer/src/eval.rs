//! Evaluation: candidates, the [`Evaluator`] trait, the rayon evaluator, risk measures.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Replication indices at or above this value are kept for out-of-sample evaluation: the
/// search uses `0..r`, the final estimate `OUT_OF_SAMPLE_BASE + k`.
pub const OUT_OF_SAMPLE_BASE: u32 = 1_000_000;

/// One evaluation request: a (feasible) decision vector and the replication index whose
/// random streams the simulator must use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The decision vector (already repaired).
    pub x: Vec<f64>,
    /// Replication index (common random numbers: every candidate gets the same indices).
    pub replication: u32,
}

/// The answer to one [`Candidate`]: one or more objective values, all to be maximised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Objective values (objective 0 is the one `optimize` maximises).
    pub objectives: Vec<f64>,
}

/// Evaluates batches of candidates; implementations may run them in any order or place
/// (threads, MPI ranks) but must return the results in batch order, and the result for a
/// candidate must depend only on `(x, replication)`. Non-finite objective values are
/// taken as the worst possible (`-f64::MAX`; `+inf` as `f64::MAX`).
pub trait Evaluator: Sync {
    /// Evaluates every candidate of the batch; the result has the batch's length and order.
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation>;
}

impl<E: Evaluator + ?Sized> Evaluator for &E {
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        (**self).evaluate(batch)
    }
}

/// Evaluates a batch in parallel on the current rayon pool with a function
/// `f(x, replication) -> objectives`; results come back in batch order.
///
/// ```
/// use omnimix_optimizer::{Candidate, Evaluator, RayonEvaluator};
/// let ev = RayonEvaluator::new(|x: &[f64], rep: u32| vec![x[0] + f64::from(rep)]);
/// let out = ev.evaluate(&[
///     Candidate { x: vec![1.0], replication: 0 },
///     Candidate { x: vec![1.0], replication: 2 },
/// ]);
/// assert_eq!(out[1].objectives, vec![3.0]);
/// ```
pub struct RayonEvaluator<F> {
    f: F,
}

impl<F> RayonEvaluator<F>
where
    F: Fn(&[f64], u32) -> Vec<f64> + Sync,
{
    /// Wraps the function.
    pub fn new(f: F) -> Self {
        Self { f }
    }
}

impl<F> Evaluator for RayonEvaluator<F>
where
    F: Fn(&[f64], u32) -> Vec<f64> + Sync,
{
    fn evaluate(&self, batch: &[Candidate]) -> Vec<Evaluation> {
        batch
            .par_iter()
            .map(|c| Evaluation {
                objectives: (self.f)(&c.x, c.replication),
            })
            .collect()
    }
}

/// How per-replication samples of objective 0 become one number to maximise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Risk {
    /// The mean.
    #[default]
    Mean,
    /// Mean minus `k` sample standard deviations (`k >= 0`).
    MeanMinusKSd(f64),
    /// Conditional value at risk: the mean of the worst (lowest) `ceil(alpha · n)` samples,
    /// `0 < alpha <= 1`.
    Cvar(f64),
}

impl Risk {
    /// Checks the parameter range.
    pub fn validate(&self) -> Result<(), Error> {
        match *self {
            Risk::Mean => Ok(()),
            Risk::MeanMinusKSd(k) if k.is_finite() && k >= 0.0 => Ok(()),
            Risk::MeanMinusKSd(k) => Err(Error::InvalidOption {
                name: "risk",
                value: format!("mean-minus-k-sd k={k}"),
                allowed: "k finite and >= 0",
            }),
            Risk::Cvar(a) if a > 0.0 && a <= 1.0 => Ok(()),
            Risk::Cvar(a) => Err(Error::InvalidOption {
                name: "risk",
                value: format!("cvar alpha={a}"),
                allowed: "0 < alpha <= 1",
            }),
        }
    }

    /// Applies the measure to samples (in a fixed order, so the result is reproducible).
    /// Returns `-f64::MAX` for no samples; the result is always finite.
    ///
    /// ```
    /// use omnimix_optimizer::Risk;
    /// let s = [1.0, 2.0, 3.0, 4.0];
    /// assert_eq!(Risk::Mean.apply(&s), 2.5);
    /// assert_eq!(Risk::Cvar(0.5).apply(&s), 1.5);
    /// assert!((Risk::MeanMinusKSd(1.0).apply(&s) - (2.5 - 1.2909944487358056)).abs() < 1e-12);
    /// ```
    pub fn apply(&self, samples: &[f64]) -> f64 {
        if samples.is_empty() {
            return -f64::MAX;
        }
        let v = match *self {
            Risk::Mean => mean(samples),
            Risk::MeanMinusKSd(k) => mean(samples) - k * sd(samples),
            Risk::Cvar(alpha) => {
                let mut sorted = samples.to_vec();
                sorted.sort_by(f64::total_cmp);
                let m = ((alpha * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
                mean(&sorted[..m])
            }
        };
        finite(v)
    }
}

/// Maps NaN to `-f64::MAX` and infinities to `±f64::MAX`.
pub(crate) fn finite(v: f64) -> f64 {
    if v.is_nan() {
        -f64::MAX
    } else {
        v.clamp(-f64::MAX, f64::MAX)
    }
}

pub(crate) fn mean(s: &[f64]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    s.iter().sum::<f64>() / s.len() as f64
}

/// Sample standard deviation (n - 1); 0 for fewer than two samples.
pub(crate) fn sd(s: &[f64]) -> f64 {
    if s.len() < 2 {
        return 0.0;
    }
    let m = mean(s);
    let ss: f64 = s.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (s.len() - 1) as f64).sqrt()
}

/// A replicated estimate of objective 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The risk-adjusted value (what was maximised).
    pub value: f64,
    /// Mean of the samples.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Number of replications.
    pub replications: u32,
    /// Normal-approximation 95 % interval of the mean: `mean ± 1.96 sd / sqrt(n)`.
    pub ci95: (f64, f64),
}

impl Estimate {
    /// Summarises samples under a risk measure.
    pub fn from_samples(risk: Risk, samples: &[f64]) -> Self {
        let m = finite(mean(samples));
        let s = finite(sd(samples));
        let half = if samples.is_empty() {
            0.0
        } else {
            1.96 * s / (samples.len() as f64).sqrt()
        };
        Self {
            value: risk.apply(samples),
            mean: m,
            sd: s,
            replications: samples.len() as u32,
            ci95: (m - half, m + half),
        }
    }
}

/// Evaluates each `x` on the replications `reps` (candidate-major batch) and returns, per
/// `x`, per replication, the objective vector with non-finite values mapped by `finite`.
pub(crate) fn evaluate_reps<E: Evaluator + ?Sized>(
    evaluator: &E,
    xs: &[Vec<f64>],
    reps: std::ops::Range<u32>,
    needed: usize,
) -> Result<Vec<Vec<Vec<f64>>>, Error> {
    let batch: Vec<Candidate> = xs
        .iter()
        .flat_map(|x| {
            reps.clone().map(move |r| Candidate {
                x: x.clone(),
                replication: r,
            })
        })
        .collect();
    if batch.is_empty() {
        return Ok(vec![Vec::new(); xs.len()]);
    }
    let out = evaluator.evaluate(&batch);
    if out.len() != batch.len() {
        return Err(Error::EvaluatorMismatch {
            expected: batch.len(),
            found: out.len(),
        });
    }
    let per = reps.len();
    let mut result = Vec::with_capacity(xs.len());
    let mut it = out.into_iter();
    for _ in xs {
        let mut samples = Vec::with_capacity(per);
        for _ in 0..per {
            let e = it.next().ok_or(Error::EvaluatorMismatch {
                expected: batch.len(),
                found: 0,
            })?;
            if e.objectives.len() < needed {
                return Err(Error::MissingObjectives {
                    needed,
                    found: e.objectives.len(),
                });
            }
            samples.push(e.objectives.into_iter().map(finite).collect());
        }
        result.push(samples);
    }
    Ok(result)
}
