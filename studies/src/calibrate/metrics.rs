//! Fit metrics of a series, as marketing-mix tools report them: R², NRMSE (root mean
//! squared error over the observed range, Robyn's definition) and MAPE.

use serde::{Deserialize, Serialize};

/// Goodness of fit of one series over some weeks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitMetrics {
    /// Weeks scored.
    pub n: usize,
    /// 1 − SSR / SST (SST about the observed mean); 1 is a perfect fit.
    pub r2: f64,
    /// √(mean squared error) / (max − min of the observed values).
    pub nrmse: f64,
    /// Mean of |observed − fitted| / |observed| over weeks with observed ≠ 0.
    pub mape: f64,
}

/// The metrics of `fitted` against `observed` (same length).
///
/// ```
/// use omnimix_studies::calibrate::metrics::fit_metrics;
/// let m = fit_metrics(&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 5.0]);
/// // SSR = 1, SST = 5: R² = 0.8; RMSE = 0.5 over a range of 3; MAPE = (1/4) / 4.
/// assert!((m.r2 - 0.8).abs() < 1e-12);
/// assert!((m.nrmse - 0.5 / 3.0).abs() < 1e-12);
/// assert!((m.mape - 0.0625).abs() < 1e-12);
/// ```
pub fn fit_metrics(observed: &[f64], fitted: &[f64]) -> FitMetrics {
    let n = observed.len().min(fitted.len());
    if n == 0 {
        return FitMetrics {
            n: 0,
            r2: f64::NAN,
            nrmse: f64::NAN,
            mape: f64::NAN,
        };
    }
    let y = &observed[..n];
    let f = &fitted[..n];
    let mean = y.iter().sum::<f64>() / n as f64;
    let ssr: f64 = y.iter().zip(f).map(|(a, b)| (a - b) * (a - b)).sum();
    let sst: f64 = y.iter().map(|a| (a - mean) * (a - mean)).sum();
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let range = hi - lo;
    let nz: Vec<f64> = y
        .iter()
        .zip(f)
        .filter(|(a, _)| **a != 0.0)
        .map(|(a, b)| ((a - b) / a).abs())
        .collect();
    FitMetrics {
        n,
        r2: if sst > 0.0 { 1.0 - ssr / sst } else { f64::NAN },
        nrmse: if range > 0.0 {
            (ssr / n as f64).sqrt() / range
        } else {
            f64::NAN
        },
        mape: if nz.is_empty() {
            f64::NAN
        } else {
            nz.iter().sum::<f64>() / nz.len() as f64
        },
    }
}

/// Lag-1 autocorrelation of residuals, clamped to [0, 0.95]: the fit counts `n (1 − ρ) /
/// (1 + ρ)` effective weeks, since weekly errors of a customer base persist.
pub fn lag1_autocorrelation(r: &[f64]) -> f64 {
    if r.len() < 3 {
        return 0.0;
    }
    let m = r.iter().sum::<f64>() / r.len() as f64;
    let var: f64 = r.iter().map(|x| (x - m) * (x - m)).sum();
    if var <= 0.0 {
        return 0.0;
    }
    let cov: f64 = r.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    (cov / var).clamp(0.0, 0.95)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_fit_scores_one_and_zero_errors() {
        let y = [3.0, 5.0, 4.0, 8.0];
        let m = fit_metrics(&y, &y);
        assert_eq!((m.r2, m.nrmse, m.mape), (1.0, 0.0, 0.0));
    }

    #[test]
    fn persistent_residuals_have_high_autocorrelation_and_alternating_ones_none() {
        let smooth: Vec<f64> = (0..50).map(|i| (i as f64 / 8.0).sin()).collect();
        assert!(lag1_autocorrelation(&smooth) > 0.9);
        let alt: Vec<f64> = (0..50)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert_eq!(lag1_autocorrelation(&alt), 0.0);
    }
}
