//! Shared helpers: concave response problems with an analytic optimum.

use omnimix_optimizer::{Space, Variable};

/// `f(x) = Σ a_i ln(1 + x_i / b_i)` with `Σ c_i x_i <= budget`, `x_i in [0, hi_i]`.
#[derive(Clone, Debug)]
pub struct LogProblem {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub c: Vec<f64>,
    pub hi: Vec<f64>,
    pub budget: f64,
}

impl LogProblem {
    pub fn value(&self, x: &[f64]) -> f64 {
        (0..self.a.len())
            .map(|i| self.a[i] * (1.0 + x[i] / self.b[i]).ln())
            .sum()
    }

    pub fn space(&self) -> Space {
        let mut s = Space::new(self.budget);
        for i in 0..self.a.len() {
            s.add_variable(
                Variable::continuous(format!("x{i}"), 0.0, self.hi[i]).with_cost(self.c[i]),
            );
        }
        s
    }

    /// Water-filling over the variables `on` with lower bounds `lo` (0 or the minimum
    /// viable value) and upper bounds `hi`: `x_i = clamp(a_i / (λ c_i) − b_i, lo_i, hi_i)`
    /// with λ found by bisection so that the budget is spent. `None` if infeasible.
    pub fn water_fill(&self, on: &[bool], lo: &[f64]) -> Option<(Vec<f64>, f64)> {
        let n = self.a.len();
        let x_at = |lambda: f64| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    if on[i] {
                        (self.a[i] / (lambda * self.c[i]) - self.b[i]).clamp(lo[i], self.hi[i])
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let cost = |x: &[f64]| -> f64 { x.iter().zip(&self.c).map(|(x, c)| x * c).sum() };
        let min: Vec<f64> = (0..n).map(|i| if on[i] { lo[i] } else { 0.0 }).collect();
        if cost(&min) > self.budget {
            return None;
        }
        let max: Vec<f64> = (0..n)
            .map(|i| if on[i] { self.hi[i] } else { 0.0 })
            .collect();
        let x = if cost(&max) <= self.budget {
            max
        } else {
            let (mut lo_l, mut hi_l) = (1e-12_f64, 1e12_f64);
            for _ in 0..200 {
                let mid = (lo_l * hi_l).sqrt();
                if cost(&x_at(mid)) > self.budget {
                    lo_l = mid;
                } else {
                    hi_l = mid;
                }
            }
            x_at(hi_l)
        };
        let v = self.value(&x);
        Some((x, v))
    }

    /// Analytic optimum without minimum viable spend.
    pub fn optimum(&self) -> f64 {
        let n = self.a.len();
        self.water_fill(&vec![true; n], &vec![0.0; n])
            .map(|(_, v)| v)
            .unwrap_or(f64::NAN)
    }

    /// Brute force over on/off patterns with minimum viable values `m`.
    pub fn optimum_semi(&self, m: &[f64]) -> f64 {
        let n = self.a.len();
        let mut best = f64::NEG_INFINITY;
        for mask in 0..(1u32 << n) {
            let on: Vec<bool> = (0..n).map(|i| mask & (1 << i) != 0).collect();
            if let Some((_, v)) = self.water_fill(&on, m) {
                best = best.max(v);
            }
        }
        best
    }
}

/// A fixed 8-channel problem.
pub fn eight() -> LogProblem {
    LogProblem {
        a: vec![120.0, 80.0, 60.0, 150.0, 40.0, 90.0, 30.0, 70.0],
        b: vec![50.0, 20.0, 80.0, 200.0, 10.0, 60.0, 5.0, 100.0],
        c: vec![1.0, 1.0, 1.5, 1.0, 0.8, 1.2, 1.0, 2.0],
        hi: vec![1000.0; 8],
        budget: 600.0,
    }
}

/// A noisy version: channel `i` responds `a_i (1 + sd z_{rep,i}) ln(1 + x_i / b_i)` plus a
/// common shock `10 z_{rep}`; `z ~ N(0, 1)` from a stream seeded by the replication only,
/// so the expectation is `value(x)` and candidates share noise (common random numbers).
pub fn noisy_value(p: &LogProblem, x: &[f64], rep: u32, sd: f64) -> f64 {
    use rand::{Rng, SeedableRng};
    use rand_distr::StandardNormal;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0xC0FFEE ^ u64::from(rep));
    let shock: f64 = rng.sample(StandardNormal);
    (0..p.a.len())
        .map(|i| {
            let z: f64 = rng.sample(StandardNormal);
            p.a[i] * (1.0 + sd * z) * (1.0 + x[i] / p.b[i]).ln()
        })
        .sum::<f64>()
        + 10.0 * shock
}

/// Deterministic options for noise-free problems (one replication is exact).
pub fn exact_options(evals: usize, seed: u64) -> omnimix_optimizer::Options {
    omnimix_optimizer::Options {
        evals,
        seed,
        replications: 1,
        max_replications: 1,
        final_replications: 1,
        ..omnimix_optimizer::Options::default()
    }
}
