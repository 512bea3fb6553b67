//! Media response: carry-over (adstock) and diminishing returns (Hill saturation).
//!
//! What it computes, in the forms used in marketing-mix practice (docs/model.md, "Sources"):
//!
//! - Geometric adstock `a_t = x_t + θ·a_{t−1}` ([`adstock_step`], [`geometric_adstock`]),
//!   as in Meta's Robyn (`adstock_geometric`, documentation "Adstocking
//!   Transformation (Geometric and Weibull)"), whose rule of thumb for weekly θ is
//!   TV 0.3–0.8, OOH/print/radio 0.1–0.4, digital 0–0.3. A daily decay converts to a
//!   weekly one by `θ_week = θ_day^7` ([`weekly_theta_from_daily`]).
//! - Weibull adstock for delayed or time-varying decay ([`weibull_adstock_weights`],
//!   [`weibull_adstock`]) with Robyn's definitions of the "CDF" and "PDF" variants.
//! - Hill saturation `x^α / (x^α + γ^α)` ([`hill`], Robyn's `saturation_hill`), and the
//!   same curve as Google's Meridian writes it, `1 / (1 + (x/ec)^(−slope))`
//!   ([`hill_meridian`]).
//!
//! Everything here is a pure function of its arguments.

/// True for a positive number; false for zero, negatives and NaN.
fn positive(x: f64) -> bool {
    x > 0.0
}

/// One step of geometric adstock: `a_t = x_t + θ·a_{t−1}`.
///
/// `carry` is last step's adstock `a_{t−1}`, `x` this step's input (spend or
/// impressions), `theta` the per-step decay θ (0 ≤ θ < 1 in practice; not clamped).
///
/// ```
/// use omnimix_sim::mechanisms::media::adstock_step;
/// // Robyn's example: 100 € on day 1 with θ = 0.7 carries 70 € into day 2.
/// assert!((adstock_step(100.0, 0.0, 0.7) - 70.0).abs() < 1e-12);
/// assert_eq!(adstock_step(0.0, 5.0, 0.7), 5.0);
/// ```
pub fn adstock_step(carry: f64, x: f64, theta: f64) -> f64 {
    x + theta * carry
}

/// Geometric adstock of a whole series, starting from zero carry-over:
/// `a_0 = x_0`, `a_t = x_t + θ·a_{t−1}` (Robyn's `adstock_geometric`).
///
/// ```
/// use omnimix_sim::mechanisms::media::geometric_adstock;
/// let a = geometric_adstock(&[100.0, 0.0, 0.0], 0.7);
/// assert!((a[1] - 70.0).abs() < 1e-12 && (a[2] - 49.0).abs() < 1e-12);
/// ```
pub fn geometric_adstock(xs: &[f64], theta: f64) -> Vec<f64> {
    let mut carry = 0.0;
    xs.iter()
        .map(|&x| {
            carry = adstock_step(carry, x, theta);
            carry
        })
        .collect()
}

/// Weekly geometric decay from a daily one: `θ_week = θ_day^7` (seven daily steps).
///
/// ```
/// use omnimix_sim::mechanisms::media::weekly_theta_from_daily;
/// assert!((weekly_theta_from_daily(0.9) - 0.9_f64.powi(7)).abs() < 1e-15);
/// ```
pub fn weekly_theta_from_daily(theta_day: f64) -> f64 {
    theta_day.powi(7)
}

/// Daily geometric decay from a weekly one, the inverse of
/// [`weekly_theta_from_daily`]: `θ_day = θ_week^(1/7)`. Negative inputs (not
/// meaningful for a decay) give 0.
///
/// ```
/// use omnimix_sim::mechanisms::media::{daily_theta_from_weekly, weekly_theta_from_daily};
/// let d = daily_theta_from_weekly(0.5);
/// assert!((weekly_theta_from_daily(d) - 0.5).abs() < 1e-15);
/// ```
pub fn daily_theta_from_weekly(theta_week: f64) -> f64 {
    if theta_week > 0.0 {
        theta_week.powf(1.0 / 7.0)
    } else {
        0.0
    }
}

/// Hill saturation `x^α / (x^α + γ^α)`: the share of the maximum response reached at
/// (adstocked) input `x`, with shape `alpha` (α, Robyn's range 0.5–3; S-shaped above 1)
/// and half-saturation point `gamma` (γ, the input giving half the maximum).
///
/// Evaluated as `1 / (1 + (γ/x)^α)`, which never forms `x^α` or `γ^α` separately, so
/// it is finite for all finite non-negative inputs: `x ≤ 0` gives 0, `γ = 0` gives 1
/// for any `x > 0`, `x = +∞` gives 1. Preconditions (documented, not checked): α > 0,
/// γ ≥ 0.
///
/// ```
/// use omnimix_sim::mechanisms::media::hill;
/// assert_eq!(hill(2.0, 1.5, 2.0), 0.5); // half saturation at x = γ
/// assert!((hill(3.0, 1.0, 1.0) - 0.75).abs() < 1e-15); // α = 1: x / (x + γ)
/// assert_eq!(hill(0.0, 2.0, 1.0), 0.0);
/// ```
pub fn hill(x: f64, alpha: f64, gamma: f64) -> f64 {
    if !positive(x) {
        return 0.0;
    }
    1.0 / (1.0 + (gamma / x).powf(alpha))
}

/// The Hill curve as Google's Meridian writes it: `1 / (1 + (x/ec)^(−slope))`, with
/// half-saturation `ec` and `slope`. It is the same function as
/// [`hill`]`(x, slope, ec)`; `x ≤ 0` gives 0.
///
/// ```
/// use omnimix_sim::mechanisms::media::{hill, hill_meridian};
/// assert!((hill_meridian(3.0, 2.0, 1.7) - hill(3.0, 1.7, 2.0)).abs() < 1e-15);
/// ```
pub fn hill_meridian(x: f64, ec: f64, slope: f64) -> f64 {
    if !positive(x) {
        return 0.0;
    }
    1.0 / (1.0 + (x / ec).powf(-slope))
}

/// The two Weibull adstock variants of Robyn (`adstock_weibull(type = "cdf" | "pdf")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeibullKind {
    /// Survival-based decay: the weight falls from 1 at lag 0 with a time-varying
    /// decay rate; the peak is always at lag 0 (no delayed effect).
    Cdf,
    /// Density-based weights, min–max normalised to 0–1; with shape > 1 the peak can
    /// come after lag 0 (delayed effect).
    Pdf,
}

/// Weibull adstock weights `w_0 … w_{len−1}` (weight of an input `k` steps ago), with
/// Robyn's definitions (`adstock_weibull` in Robyn's `transformation.R`):
///
/// - the Weibull scale is `λ = round(quantile(1:len, scale))`, i.e. R's type-7
///   quantile `1 + scale·(len − 1)` rounded half to even as R does, so `scale` is a
///   share of the window in `[0, 1]` (clamped);
/// - [`WeibullKind::Cdf`]: `w_0 = 1`, `w_k = Π_{j=1..k} (1 − F(j))` with
///   `F(j) = 1 − e^{−(j/λ)^shape}`, i.e. `w_k = e^{−Σ_{j≤k} (j/λ)^shape}`;
/// - [`WeibullKind::Pdf`]: `d_k = f(k+1)` with the Weibull density `f`, then min–max
///   normalised `w_k = (d_k − min d)/(max d − min d)`; if all `d_k` are equal the
///   weights are `[1, 0, …, 0]` (Robyn's `.normalize`).
///
/// When `shape ≤ 0` or `scale ≤ 0` (or NaN) Robyn leaves the series unchanged; this
/// function returns the identity kernel `[1, 0, …, 0]` so that [`weibull_adstock`]
/// does the same. `len = 0` gives an empty vector.
///
/// ```
/// use omnimix_sim::mechanisms::media::{weibull_adstock_weights, WeibullKind};
/// let w = weibull_adstock_weights(2.0, 0.5, 10, WeibullKind::Pdf);
/// let peak = w.iter().cloned().fold(f64::MIN, f64::max);
/// assert_eq!(peak, 1.0);
/// assert!(w[0] < 1.0); // delayed peak
/// let c = weibull_adstock_weights(0.5, 0.5, 5, WeibullKind::Cdf);
/// assert_eq!(c[0], 1.0);
/// ```
pub fn weibull_adstock_weights(shape: f64, scale: f64, len: usize, kind: WeibullKind) -> Vec<f64> {
    if len == 0 {
        return Vec::new();
    }
    let mut identity = vec![0.0; len];
    identity[0] = 1.0;
    if !positive(shape) || !positive(scale) {
        return identity;
    }
    let scale = scale.min(1.0);
    // R: quantile(1:len, scale) (type 7) = 1 + scale·(len − 1); round() is half-to-even.
    let lambda = (1.0 + scale * (len as f64 - 1.0))
        .round_ties_even()
        .max(1.0);
    match kind {
        WeibullKind::Cdf => {
            let mut acc = 0.0;
            (0..len)
                .map(|k| {
                    if k > 0 {
                        acc += (k as f64 / lambda).powf(shape);
                    }
                    (-acc).exp()
                })
                .collect()
        }
        WeibullKind::Pdf => {
            // In logs, so that extreme shapes give 0 instead of ∞·0.
            let density = |x: f64| {
                let z = x / lambda;
                ((shape / lambda).ln() + (shape - 1.0) * z.ln() - z.powf(shape)).exp()
            };
            let d: Vec<f64> = (1..=len).map(|k| density(k as f64)).collect();
            let lo = d.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = d.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let range = hi - lo;
            if !positive(range) {
                return identity;
            }
            d.iter().map(|&v| (v - lo) / range).collect()
        }
    }
}

/// Applies adstock `weights` (from [`weibull_adstock_weights`], or any kernel with
/// `weights[k]` = weight of the input `k` steps ago) to a series:
/// `y_t = Σ_{s ≤ t, t−s < weights.len()} x_s · w_{t−s}`, summed in increasing `s`
/// (Robyn's `x_decayed`). The output has the length of `xs`.
///
/// ```
/// use omnimix_sim::mechanisms::media::weibull_adstock;
/// let y = weibull_adstock(&[100.0, 0.0, 0.0], &[1.0, 0.5]);
/// assert_eq!(y, vec![100.0, 50.0, 0.0]);
/// ```
pub fn weibull_adstock(xs: &[f64], weights: &[f64]) -> Vec<f64> {
    (0..xs.len())
        .map(|t| {
            let first = (t + 1).saturating_sub(weights.len());
            (first..=t).map(|s| xs[s] * weights[t - s]).sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Known answer: Robyn documentation, `adstock_geometric`: "Assuming TV spend on
    /// day 1 is 100€ and theta = 0.7, then day 2 has 100 x 0.7 = 70€ worth of effect
    /// carried-over from day 1, day 3 has 70 x 0.7 = 49€ from day 2 etc."
    #[test]
    fn geometric_adstock_robyn_documentation_example() {
        let a = geometric_adstock(&[100.0, 0.0, 0.0, 0.0], 0.7);
        assert!((a[0] - 100.0).abs() < 1e-12);
        assert!((a[1] - 70.0).abs() < 1e-12);
        assert!((a[2] - 49.0).abs() < 1e-12);
        assert!((a[3] - 34.3).abs() < 1e-12);
    }

    /// Identity: with constant input x the adstock tends to x / (1 − θ), and the
    /// total effect of a pulse is x / (1 − θ) (geometric series).
    #[test]
    fn geometric_adstock_steady_state_and_total() {
        let a = geometric_adstock(&[10.0; 200], 0.6);
        assert!((a[199] - 10.0 / 0.4).abs() < 1e-9);
        let mut pulse = vec![0.0; 200];
        pulse[0] = 10.0;
        let total: f64 = geometric_adstock(&pulse, 0.6).iter().sum();
        assert!((total - 25.0).abs() < 1e-9);
        assert!(geometric_adstock(&[], 0.5).is_empty());
    }

    /// Identity: θ_week = θ_day^7 equals seven daily steps of decay, and the two
    /// conversions are inverse.
    #[test]
    fn theta_conversion_matches_seven_daily_steps() {
        for theta_day in [0.0, 0.3, 0.8, 0.95, 1.0] {
            let mut a = 1.0;
            for _ in 0..7 {
                a = adstock_step(a, 0.0, theta_day);
            }
            assert!((weekly_theta_from_daily(theta_day) - a).abs() < 1e-15);
            let back = daily_theta_from_weekly(weekly_theta_from_daily(theta_day));
            assert!((back - theta_day).abs() < 1e-12);
        }
        assert_eq!(daily_theta_from_weekly(-0.1), 0.0);
    }

    /// Identities (no printed number exists beyond the definition): half saturation at
    /// x = γ, Michaelis–Menten x/(x+γ) for α = 1, limits 0 and 1.
    #[test]
    fn hill_definition_identities() {
        for alpha in [0.5, 1.0, 2.0, 3.0] {
            assert!((hill(7.0, alpha, 7.0) - 0.5).abs() < 1e-15);
        }
        assert!((hill(1.0, 1.0, 3.0) - 0.25).abs() < 1e-15);
        assert!((hill(2.0, 2.0, 1.0) - 0.8).abs() < 1e-15);
        assert_eq!(hill(0.0, 2.0, 1.0), 0.0);
        assert_eq!(hill(-1.0, 2.0, 1.0), 0.0);
        assert_eq!(hill(1.0, 2.0, 0.0), 1.0);
        assert_eq!(hill(f64::INFINITY, 2.0, 1.0), 1.0);
        assert!(hill(1e-300, 3.0, 1e300) >= 0.0);
        assert!(hill(1e300, 3.0, 1e-300) <= 1.0);
    }

    /// Identity: Meridian's form equals Robyn's form with slope = α and ec = γ.
    #[test]
    fn hill_meridian_equals_hill() {
        for &(x, ec, slope) in &[
            (0.5, 1.0, 1.0),
            (3.0, 2.0, 2.5),
            (1e-6, 4.0, 0.7),
            (1e6, 4.0, 3.0),
        ] {
            let (m, h) = (hill_meridian(x, ec, slope), hill(x, slope, ec));
            assert!((m - h).abs() <= 1e-15 * h.max(1e-300) + 1e-300, "{m} {h}");
        }
        assert_eq!(hill_meridian(0.0, 1.0, 2.0), 0.0);
    }

    /// Definition check (no printed Robyn output found): CDF weights are
    /// e^{−Σ_{j≤k}(j/λ)^shape}; with len = 5 and scale = 0.5, λ = round(3) = 3.
    #[test]
    fn weibull_cdf_weights_follow_robyn_definition() {
        let w = weibull_adstock_weights(0.5, 0.5, 5, WeibullKind::Cdf);
        let mut acc = 0.0;
        for (k, wk) in w.iter().enumerate() {
            if k > 0 {
                acc += (k as f64 / 3.0).sqrt();
            }
            assert!((wk - (-acc).exp()).abs() < 1e-15);
        }
        // Non-increasing, peak at lag 0.
        assert!(w.windows(2).all(|p| p[1] <= p[0]));
        // R rounds 2.5 to 2 (half to even): len 4, scale 0.5 → λ = 2.
        let w4 = weibull_adstock_weights(1.0, 0.5, 4, WeibullKind::Cdf);
        assert!((w4[1] - (-0.5_f64).exp()).abs() < 1e-15);
    }

    /// Definition check: PDF weights are the min–max normalised Weibull density at
    /// lags 1..len; shape > 1 gives a delayed peak, shape ≤ 1 a peak at lag 0.
    #[test]
    fn weibull_pdf_weights_follow_robyn_definition() {
        // len 10, scale 0.5 → 1 + 4.5 = 5.5 → λ = 6 (half to even).
        let w = weibull_adstock_weights(2.0, 0.5, 10, WeibullKind::Pdf);
        let f = |x: f64| 2.0 / 6.0 * (x / 6.0) * (-(x / 6.0).powi(2)).exp();
        let d: Vec<f64> = (1..=10).map(|k| f(k as f64)).collect();
        let (lo, hi) = (
            d.iter().cloned().fold(f64::INFINITY, f64::min),
            d.iter().cloned().fold(0.0, f64::max),
        );
        for (wk, dk) in w.iter().zip(&d) {
            assert!((wk - (dk - lo) / (hi - lo)).abs() < 1e-14);
        }
        let peak = w
            .iter()
            .enumerate()
            .fold((0, f64::MIN), |m, (i, &v)| if v > m.1 { (i, v) } else { m });
        assert_eq!(peak.1, 1.0);
        assert!(
            peak.0 > 0,
            "shape 2 peaks later: mode 6·√½ ≈ 4.2 → lag index 3"
        );
        assert_eq!(peak.0, 3);
        let decaying = weibull_adstock_weights(0.8, 0.5, 10, WeibullKind::Pdf);
        assert_eq!(decaying[0], 1.0);
        assert_eq!(
            weibull_adstock_weights(2.0, 0.5, 1, WeibullKind::Pdf),
            vec![1.0]
        );
    }

    #[test]
    fn weibull_degenerate_parameters_leave_series_unchanged() {
        let xs = [3.0, 1.0, 4.0, 1.0, 5.0];
        for w in [
            weibull_adstock_weights(0.0, 0.5, 5, WeibullKind::Cdf),
            weibull_adstock_weights(1.0, 0.0, 5, WeibullKind::Pdf),
            weibull_adstock_weights(f64::NAN, 0.5, 5, WeibullKind::Pdf),
        ] {
            assert_eq!(weibull_adstock(&xs, &w), xs.to_vec());
        }
        assert!(weibull_adstock_weights(1.0, 0.5, 0, WeibullKind::Cdf).is_empty());
    }

    /// Identity: a geometric kernel θ^k in `weibull_adstock` reproduces
    /// `geometric_adstock` over the window.
    #[test]
    fn weibull_adstock_with_geometric_kernel_is_geometric_adstock() {
        let xs = [5.0, 0.0, 2.0, 7.0, 0.0, 1.0];
        let kernel: Vec<f64> = (0..xs.len()).map(|k| 0.6_f64.powi(k as i32)).collect();
        let a = weibull_adstock(&xs, &kernel);
        let g = geometric_adstock(&xs, 0.6);
        for (x, y) in a.iter().zip(&g) {
            assert!((x - y).abs() < 1e-12);
        }
        assert_eq!(weibull_adstock(&xs, &[]), vec![0.0; 6]);
    }

    proptest! {
        #[test]
        fn hill_is_finite_monotone_and_bounded(
            x in 0.0f64..1e12,
            dx in 0.0f64..1e6,
            alpha in 0.05f64..10.0,
            gamma in 0.0f64..1e9,
        ) {
            let h = hill(x, alpha, gamma);
            prop_assert!(h.is_finite() && (0.0..=1.0).contains(&h));
            prop_assert!(hill(x + dx, alpha, gamma) >= h);
        }

        #[test]
        fn weibull_weights_are_in_unit_interval(
            shape in 0.01f64..2000.0,
            scale in 0.0f64..1.0,
            len in 1usize..60,
            pdf in any::<bool>(),
        ) {
            let kind = if pdf { WeibullKind::Pdf } else { WeibullKind::Cdf };
            let w = weibull_adstock_weights(shape, scale, len, kind);
            prop_assert_eq!(w.len(), len);
            prop_assert!(w.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)));
        }
    }
}
