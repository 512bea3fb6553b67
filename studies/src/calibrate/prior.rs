//! Priors on the unit cube: the fit searches `u ∈ [0, 1]^d`, and each coordinate maps
//! to a parameter value through its prior's quantile function, so the prior is flat
//! on the cube and the posterior there is proportional to the likelihood alone.

use omnimix_sim::scenario::calibrate::{Dist, Prior};
use statrs::distribution::{ContinuousCDF, Normal};

/// The parameter value at cube coordinate `u` (the prior's quantile at `u`).
///
/// ```
/// use omnimix_sim::scenario::calibrate::{Dist, Prior};
/// use omnimix_studies::calibrate::prior::{to_unit, to_value};
/// let p = Prior { dist: Dist::LogUniform, lo: 1e-4, hi: 1e-2, mean: None, sd: None };
/// assert!((to_value(&p, 0.5) - 1e-3).abs() < 1e-12);
/// assert!((to_unit(&p, 1e-3) - 0.5).abs() < 1e-12);
/// ```
pub fn to_value(p: &Prior, u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    match p.dist {
        Dist::Uniform => p.lo + u * (p.hi - p.lo),
        Dist::LogUniform => (p.lo.ln() + u * (p.hi.ln() - p.lo.ln())).exp(),
        Dist::Normal => {
            let (n, a, b) = truncated(p);
            n.inverse_cdf(a + u * (b - a)).clamp(p.lo, p.hi)
        }
    }
}

/// The cube coordinate of a parameter value (the prior's CDF at `x`), clamped to [0, 1].
pub fn to_unit(p: &Prior, x: f64) -> f64 {
    let u = match p.dist {
        Dist::Uniform => (x - p.lo) / (p.hi - p.lo),
        Dist::LogUniform => (x.max(f64::MIN_POSITIVE).ln() - p.lo.ln()) / (p.hi.ln() - p.lo.ln()),
        Dist::Normal => {
            let (n, a, b) = truncated(p);
            (n.cdf(x) - a) / (b - a)
        }
    };
    if u.is_finite() {
        u.clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// The normal prior and its CDF at the bounds.
fn truncated(p: &Prior) -> (Normal, f64, f64) {
    let n = Normal::new(p.mean.unwrap_or(0.0), p.sd.unwrap_or(1.0))
        .unwrap_or_else(|_| Normal::standard());
    let (a, b) = (n.cdf(p.lo), n.cdf(p.hi));
    (n, a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prior(dist: Dist, lo: f64, hi: f64, mean: Option<f64>, sd: Option<f64>) -> Prior {
        Prior {
            dist,
            lo,
            hi,
            mean,
            sd,
        }
    }

    #[test]
    fn the_normal_prior_maps_its_quartiles_to_the_known_quantiles() {
        // A standard normal truncated far out is the standard normal: Φ⁻¹(0.75) = 0.6744897502.
        let p = prior(Dist::Normal, -50.0, 50.0, Some(0.0), Some(1.0));
        assert!((to_value(&p, 0.75) - 0.674_489_750_2).abs() < 1e-8);
        assert!((to_value(&p, 0.5)).abs() < 1e-12);
        // Truncated to [0, ∞): the median of a half-normal is Φ⁻¹(0.75) too.
        let h = prior(Dist::Normal, 0.0, 50.0, Some(0.0), Some(1.0));
        assert!((to_value(&h, 0.5) - 0.674_489_750_2).abs() < 1e-8);
    }

    #[test]
    fn unit_and_value_are_inverse_for_every_prior() {
        for p in [
            prior(Dist::Uniform, -1.0, 3.0, None, None),
            prior(Dist::LogUniform, 0.001, 0.2, None, None),
            prior(Dist::Normal, 0.0, 1.0, Some(0.3), Some(0.1)),
        ] {
            for k in 0..=20 {
                let u = k as f64 / 20.0;
                let x = to_value(&p, u);
                assert!((p.lo..=p.hi).contains(&x));
                assert!((to_unit(&p, x) - u).abs() < 1e-9, "{p:?} at {u}");
            }
        }
    }
}
