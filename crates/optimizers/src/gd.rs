//! Gradient descent with a constant step, `x_{i+1} = x_i - eta q_i` (paper 002, eqs. (2), (4)).
//!
//! The rule of DQ-GD and naive QGD: for an `L`-smooth, `mu`-strongly convex objective the step
//! `eta* = 2/(L + mu)` contracts at `sigma = (L - mu)/(L + mu)` (eqs. (8)–(9)), and a step
//! `eta <= eta*` at `rho_eta = sqrt(1 - eta* L mu eta)` (eq. (33)); see
//! [`GradientDescent::optimal_step`] and [`GradientDescent::contraction`].
//!
//! ```
//! use optimizers::{GradientDescent, UpdateRule};
//! let (l, mu) = (3.0, 1.0);
//! let eta = GradientDescent::optimal_step(l, mu)?; // 1/2
//! assert_eq!(GradientDescent::contraction(l, mu, eta)?, 0.5); // (L - mu)/(L + mu)
//! let mut gd = GradientDescent::new(vec![1.0], eta)?;
//! gd.update(&[4.0], None)?;
//! assert_eq!(gd.iterate(), &[-1.0]);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::{check_point, check_positive};
use crate::rule::{check_estimate, gradient_step};
use crate::{OptError, UpdateRule};

/// Gradient descent with a constant step `eta`.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientDescent {
    x: Vec<f64>,
    eta: f64,
    updates: u64,
}

impl GradientDescent {
    /// GD from `x0` (non-empty, finite) with step `eta > 0`.
    pub fn new(x0: Vec<f64>, eta: f64) -> Result<Self, OptError> {
        check_point("x0", &x0)?;
        check_positive("step eta", eta)?;
        Ok(Self {
            x: x0,
            eta,
            updates: 0,
        })
    }

    /// `eta* = 2/(L + mu)` (paper 002, eq. (8)), for `0 < mu <= L`.
    pub fn optimal_step(l: f64, mu: f64) -> Result<f64, OptError> {
        check_curvature(l, mu)?;
        Ok(2.0 / (l + mu))
    }

    /// GD's worst-case contraction `rho_eta = sqrt(1 - eta* L mu eta)` for `0 < eta <= eta*`
    /// (paper 002, eq. (33)); at `eta = eta*` it is `(L - mu)/(L + mu)`.
    pub fn contraction(l: f64, mu: f64, eta: f64) -> Result<f64, OptError> {
        check_curvature(l, mu)?;
        let eta_star = 2.0 / (l + mu);
        if !(eta.is_finite() && eta > 0.0 && eta <= eta_star * (1.0 + 1e-12)) {
            return Err(OptError::InvalidParameter(format!(
                "step {eta} must lie in (0, 2/(L + mu) = {eta_star}]"
            )));
        }
        Ok((1.0 - eta_star * l * mu * eta).max(0.0).sqrt())
    }

    /// The step.
    pub fn step(&self) -> f64 {
        self.eta
    }
}

fn check_curvature(l: f64, mu: f64) -> Result<(), OptError> {
    check_positive("smoothness L", l)?;
    check_positive("strong convexity mu", mu)?;
    if mu > l {
        return Err(OptError::InvalidParameter(format!(
            "strong convexity mu = {mu} exceeds smoothness L = {l}"
        )));
    }
    Ok(())
}

impl UpdateRule for GradientDescent {
    fn name(&self) -> String {
        format!("gd(eta={})", self.eta)
    }

    fn dim(&self) -> usize {
        self.x.len()
    }

    fn iterate(&self) -> &[f64] {
        &self.x
    }

    fn step_size(&self) -> Option<f64> {
        Some(self.eta)
    }

    fn is_gradient_step(&self) -> bool {
        true
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update(&mut self, g_hat: &[f64], _support: Option<&[usize]>) -> Result<(), OptError> {
        check_estimate(self.x.len(), g_hat)?;
        gradient_step(&mut self.x, self.eta, g_hat);
        self.updates += 1;
        Ok(())
    }
}
