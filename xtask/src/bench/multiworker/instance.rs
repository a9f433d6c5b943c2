//! The test problem of the `multiworker` experiment: a noisy quadratic whose gradient descent
//! behaves like the worst case of the non-convex theory over the accuracies measured.
//!
//! `f(x) = 1/2 (x - theta)' A (x - theta)` with `A = diag(lambda)`, started at `x0 = 0`, and
//! stochastic gradients `A (x - theta) + sigma_c Z`, `Z ~ N(0, I_d)` (the Gaussian quadratic
//! oracle), so the total variance is `sigma^2 = d sigma_c^2`. The spectrum has two halves:
//! - `d/2` **flat** directions with `lambda = L` and `theta = 0`: no initial gap, but they carry
//!   the noise into `||grad f||^2` at full weight, as in the worst case;
//! - `m = d/2` **spread** directions with `lambda_k = L c^{-(k-1)/(m-1)}` (geometric from `L` down
//!   to `L/c`) holding equal shares of the gap, `1/2 lambda_k theta_k^2 = Delta/m`.
//!
//! Gradient descent with step `gamma` then has `||grad f(x_t)||^2 = (2 Delta/m) sum_k lambda_k
//! (1 - gamma lambda_k)^{2t} ~ Delta/(gamma t ln c)` while `1/(gamma t)` lies inside
//! `(L/c, L)`: the `LDelta/(eps t)` rate of the non-convex bounds, a factor `ln c` faster
//! \[INF\]. The target `eps` is chosen inside that window, so the number of steps to reach it is
//! about `Delta/(gamma eps ln c)` (see [`Instance::gradient_descent_steps`]).

use anyhow::{Result, bail};
use bounds::StationarityProblem;
use oracles::{GaussianQuadratic, Oracle, SpdMatrix};

/// The constants of the test problem, in one place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceParams {
    /// Dimension `d` (even).
    pub dim: usize,
    /// Smoothness `L = lambda_max`.
    pub smoothness: f64,
    /// Initial gap `Delta = f(x0) - f*`.
    pub gap: f64,
    /// Condition number `c` of the spread half.
    pub spread: f64,
    /// Target `eps` on `||grad f||^2`.
    pub eps: f64,
    /// `sigma^2 / eps`, the total gradient variance in units of the target.
    pub noise_to_target: f64,
}

/// The instance: spectrum, minimizer and noise level.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    params: InstanceParams,
    lambda: Vec<f64>,
    theta: Vec<f64>,
    sigma_c: f64,
}

impl Instance {
    /// Builds the instance; `d` must be even and at least 4, every constant positive, `c > 1`.
    pub fn new(params: InstanceParams) -> Result<Self> {
        let InstanceParams {
            dim,
            smoothness,
            gap,
            spread,
            eps,
            noise_to_target,
        } = params;
        if dim < 4 || !dim.is_multiple_of(2) {
            bail!("the multiworker instance needs an even d >= 4, got {dim}");
        }
        let positive = [smoothness, gap, eps, noise_to_target];
        let spread_ok = spread.is_finite() && spread > 1.0;
        if positive.iter().any(|v| !(v.is_finite() && *v > 0.0)) || !spread_ok {
            bail!("invalid multiworker instance {params:?}");
        }
        let m = dim / 2;
        let mut lambda = vec![smoothness; m];
        let mut theta = vec![0.0; m];
        for k in 0..m {
            let l = smoothness * spread.powf(-(k as f64) / (m - 1) as f64);
            lambda.push(l);
            theta.push((2.0 * gap / (m as f64 * l)).sqrt());
        }
        let sigma_c = (noise_to_target * eps / dim as f64).sqrt();
        Ok(Self {
            params,
            lambda,
            theta,
            sigma_c,
        })
    }

    /// The constants.
    pub fn params(&self) -> &InstanceParams {
        &self.params
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.lambda.len()
    }

    /// The eigenvalues of `A`.
    pub fn spectrum(&self) -> &[f64] {
        &self.lambda
    }

    /// The minimizer `theta`.
    pub fn minimizer(&self) -> &[f64] {
        &self.theta
    }

    /// `sigma^2 = d sigma_c^2`, the total variance of one stochastic gradient.
    pub fn variance(&self) -> f64 {
        self.sigma_c * self.sigma_c * self.dim() as f64
    }

    /// `(L, Delta, sigma^2, eps)` for the bounds.
    pub fn problem(&self) -> Result<StationarityProblem> {
        let p = &self.params;
        Ok(StationarityProblem::new(
            p.smoothness,
            self.initial_gap(),
            self.variance(),
            p.eps,
        )?)
    }

    /// `f(x0) - f*` computed from the spectrum (equals `Delta` up to rounding).
    pub fn initial_gap(&self) -> f64 {
        self.lambda
            .iter()
            .zip(&self.theta)
            .map(|(l, t)| 0.5 * l * t * t)
            .sum()
    }

    /// One worker's oracle.
    pub fn oracle(&self) -> Result<Box<dyn Oracle>> {
        let a = SpdMatrix::diagonal(&self.lambda)?;
        Ok(Box::new(
            GaussianQuadratic::new(self.theta.clone(), self.sigma_c)?.with_curvature(a)?,
        ))
    }

    /// `||grad f(x)||^2 = ||A (x - theta)||^2`, in `O(d)` (the dense oracle needs `O(d^2)`).
    pub fn grad_norm_squared(&self, x: &[f64]) -> f64 {
        self.lambda
            .iter()
            .zip(&self.theta)
            .zip(x)
            .map(|((l, t), xi)| {
                let g = l * (xi - t);
                g * g
            })
            .sum()
    }

    /// Steps of noiseless gradient descent with step `gamma` from `x0 = 0` until
    /// `||grad f||^2 <= eps`, or `None` beyond `cap` steps. Runs on the eigenvalues.
    pub fn gradient_descent_steps(&self, gamma: f64, cap: u64) -> Option<u64> {
        let eps = self.params.eps;
        // Per direction, lambda^2 (x - theta)^2 shrinks by (1 - gamma lambda)^2 per step.
        let mut terms: Vec<(f64, f64)> = self
            .lambda
            .iter()
            .zip(&self.theta)
            .map(|(l, t)| ((l * t).powi(2), (1.0 - gamma * l).powi(2)))
            .collect();
        for step in 0..=cap {
            if terms.iter().map(|(v, _)| v).sum::<f64>() <= eps {
                return Some(step);
            }
            terms.iter_mut().for_each(|(v, r)| *v *= *r);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn params() -> InstanceParams {
        InstanceParams {
            dim: 20,
            smoothness: 2.0,
            gap: 3.0,
            spread: 1e3,
            eps: 1e-3,
            noise_to_target: 4.0,
        }
    }

    #[test]
    fn the_spectrum_has_a_flat_half_and_a_geometric_half_from_l_to_l_over_c() {
        let inst = Instance::new(params()).unwrap();
        let s = inst.spectrum();
        assert_eq!(s.len(), 20);
        assert!(s[..10].iter().all(|&l| l == 2.0));
        assert_eq!(s[10], 2.0);
        assert!((s[19] - 2e-3).abs() < 1e-15);
        let ratio = s[11] / s[10];
        assert!(
            s[11..]
                .iter()
                .zip(&s[10..])
                .all(|(a, b)| (a / b - ratio).abs() < 1e-12)
        );
    }

    #[test]
    fn the_gap_is_delta_and_sits_on_the_spread_half() {
        let inst = Instance::new(params()).unwrap();
        assert!((inst.initial_gap() - 3.0).abs() < 1e-12);
        assert!(inst.minimizer()[..10].iter().all(|&t| t == 0.0));
        assert!((inst.variance() - 4e-3).abs() < 1e-15);
        let p = inst.problem().unwrap();
        assert!((p.deterministic_iterations() - 2.0 * 3.0 / 1e-3).abs() < 1e-6);
    }

    #[test]
    fn the_fast_gradient_norm_matches_the_oracle() {
        let inst = Instance::new(params()).unwrap();
        let oracle = inst.oracle().unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f64> = (0..20)
            .map(|_| rand_distr::Distribution::<f64>::sample(&rand_distr::StandardNormal, &mut rng))
            .collect();
        let mut g = vec![0.0; 20];
        oracle.true_gradient(&x, &mut g).unwrap();
        let exact: f64 = g.iter().map(|v| v * v).sum();
        assert!((inst.grad_norm_squared(&x) - exact).abs() <= 1e-12 * exact);
        assert_eq!(oracle.properties().smoothness, Some(2.0));
    }

    #[test]
    fn gradient_descent_needs_about_delta_over_gamma_eps_ln_c_steps() {
        // d = 200, c = 1e4, Delta = L = 1, eps = 1e-3: about 1/(1e-3 ln 1e4) = 109 steps at
        // gamma = 1; the window argument is approximate, so allow 25 %.
        let inst = Instance::new(InstanceParams {
            dim: 200,
            smoothness: 1.0,
            gap: 1.0,
            spread: 1e4,
            eps: 1e-3,
            noise_to_target: 4.0,
        })
        .unwrap();
        let steps = inst.gradient_descent_steps(1.0, 100_000).unwrap() as f64;
        let predicted = 1.0 / (1e-3 * 1e4f64.ln());
        assert!(
            (steps / predicted - 1.0).abs() < 0.25,
            "{steps} vs {predicted}"
        );
        // Half the step, twice the steps (within one step).
        let half = inst.gradient_descent_steps(0.5, 100_000).unwrap() as f64;
        assert!((half / steps - 2.0).abs() < 0.05, "{half} vs {steps}");
        assert_eq!(inst.gradient_descent_steps(1.0, 3), None);
    }

    #[test]
    fn invalid_instances_are_rejected() {
        let bad = |f: fn(&mut InstanceParams)| {
            let mut p = params();
            f(&mut p);
            Instance::new(p).is_err()
        };
        assert!(bad(|p| p.dim = 7));
        assert!(bad(|p| p.dim = 2));
        assert!(bad(|p| p.spread = 1.0));
        assert!(bad(|p| p.eps = 0.0));
        assert!(bad(|p| p.noise_to_target = f64::NAN));
    }
}
