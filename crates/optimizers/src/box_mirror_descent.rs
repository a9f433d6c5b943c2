//! Mirror descent with the `p`-norm map on a box: the `l_p` method of the SimQ paper (paper 001,
//! Remark 3) on the box domains of its lower-bound constructions.
//!
//! With `psi(x) = 1/2 ||x||_p^2`, `1 < p <= 2`, and the box `X = {x : ||x||_inf <= rho}`, one step
//! is
//!
//! ```text
//! theta_t  = grad psi(x_t) - eta_t g_hat_t,
//! x_{t+1}  = argmin_{x in X} psi(x) - <theta_t, x>        (the Bregman projection onto X).
//! ```
//!
//! `psi` is not separable, so the projection is not a clamp. Its KKT conditions give, with
//! `n = ||x_{t+1}||_p`,
//!
//! ```text
//! x_i = sign(theta_i) min(rho, (|theta_i| n^{p-2})^{1/(p-1)}),
//! ```
//!
//! one unknown scale for all coordinates. Writing `m = max_i |theta_i|`,
//! `a_i = (|theta_i|/m)^{1/(p-1)}` and `x_i = sign(theta_i) min(rho, a_i t)`, the scale `t` solves
//! `F(t) = ln t - ln(m)/(p-1) - e ln n(t) = 0` with `e = (p-2)/(p-1) <= 0` and `n(t)` the
//! `p`-norm of `min(rho, a t)`. `F` is strictly increasing, the unclamped solution
//! `t_lo = m ||a||_p^{p-2}` lies at or below the root (where no coordinate clamps it is the
//! root), and `t_hi = max(rho, m^{1/(p-1)} rho^e)` lies at or above it; the code bisects `ln t`
//! in between. At `p = 2` the projection is the clamp of `theta` and the rule is projected SGD on
//! the box. Each update costs `3d` powers and `O(d)` per bisection step, and allocates nothing.
//!
//! With averaging, the standard analysis bounds `E f(x_bar_T) - f*` by
//! `R^2/(eta T) + eta G^2/(2 (p - 1))` for a constant step `eta`, where
//! `R^2 = max_X psi - psi(x_1)` and `G^2 >= E||g_hat||_q^2` (`1/p + 1/q = 1`), because `psi` is
//! `(p - 1)`-strongly convex with respect to `||.||_p`.
//!
//! In code: [`BoxMirrorDescent`]; the unconstrained map is [`crate::MirrorDescent`].
//!
//! ```
//! use optimizers::{BoxMirrorDescent, StepSchedule, UpdateRule};
//! let mut md = BoxMirrorDescent::new(vec![0.0; 3], 1.5, StepSchedule::constant(1.0)?, 0.5)?;
//! md.update(&[-4.0, 0.1, 0.0], None)?;
//! let x = md.iterate();
//! assert_eq!(x[0], 0.5); // clamped at the box
//! assert!(x[1] < 0.0 && x[1] > -0.5); // interior, moved against the gradient
//! assert_eq!(x[2], 0.0);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::{check_point, check_positive};
use crate::mirror_descent::norm_gradient;
use crate::rule::{Averager, check_estimate};
use crate::{OptError, StepSchedule, UpdateRule};

/// Bisection steps on `ln t`; each halves the bracket, so 200 steps reach machine precision from
/// any bracket a finite `f64` can span.
const BISECTION_STEPS: usize = 200;

/// Mirror descent with `psi(x) = 1/2 ||x||_p^2`, `1 < p <= 2`, and the Bregman projection onto
/// the box `{||x||_inf <= rho}`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxMirrorDescent {
    x: Vec<f64>,
    theta: Vec<f64>,
    /// `(|theta_i|/m)^{1/(p-1)}` of the current projection.
    weights: Vec<f64>,
    /// `weights_i^p`.
    powers: Vec<f64>,
    p: f64,
    radius: f64,
    schedule: StepSchedule,
    updates: u64,
    average: Option<Averager>,
}

impl BoxMirrorDescent {
    /// Mirror descent from `x0` (clamped into the box) with the `p`-norm map, `1 < p <= 2`, on the
    /// box of half-width `radius > 0`.
    pub fn new(
        x0: Vec<f64>,
        p: f64,
        schedule: StepSchedule,
        radius: f64,
    ) -> Result<Self, OptError> {
        check_point("x0", &x0)?;
        if !(p > 1.0 && p <= 2.0) {
            return Err(OptError::InvalidParameter(format!(
                "the box mirror map needs a norm index p in (1, 2], got {p}"
            )));
        }
        check_positive("box radius", radius)?;
        let d = x0.len();
        let mut x = x0;
        for v in &mut x {
            *v = v.clamp(-radius, radius);
        }
        Ok(Self {
            x,
            theta: vec![0.0; d],
            weights: vec![0.0; d],
            powers: vec![0.0; d],
            p,
            radius,
            schedule,
            updates: 0,
            average: None,
        })
    }

    /// The same rule, also keeping the Polyak–Ruppert average of `x_1, ..., x_t`.
    pub fn with_averaging(mut self) -> Self {
        self.average = Some(Averager::new(self.x.len()));
        self
    }

    /// The norm index `p` of the mirror map.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// The half-width `rho` of the box.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// `x <- argmin_{||x||_inf <= rho} psi(x) - <theta, x>` (module docs).
    fn project(&mut self) {
        let (p, rho) = (self.p, self.radius);
        let m = self.theta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if m == 0.0 {
            self.x.fill(0.0);
            return;
        }
        if p == 2.0 {
            for (x, t) in self.x.iter_mut().zip(&self.theta) {
                *x = t.clamp(-rho, rho);
            }
            return;
        }
        let inv = 1.0 / (p - 1.0);
        let e = (p - 2.0) * inv;
        let mut sum_powers = 0.0;
        for ((a, b), t) in self
            .weights
            .iter_mut()
            .zip(&mut self.powers)
            .zip(&self.theta)
        {
            *a = (t.abs() / m).powf(inv);
            *b = a.powf(p);
            sum_powers += *b;
        }
        // The unclamped root: n = t ||a||_p and F = 0 give t = m ||a||_p^{p-2}.
        let unclamped = m * sum_powers.powf((p - 2.0) / p);
        let scale = if unclamped <= rho {
            unclamped
        } else {
            let ln_m = m.ln() * inv;
            let f = |ln_t: f64| {
                let t = ln_t.exp();
                let rho_p = rho.powf(p);
                let mut total = 0.0;
                let mut clamped = 0.0;
                for (a, b) in self.weights.iter().zip(&self.powers) {
                    if a * t < rho {
                        total += b;
                    } else {
                        clamped += 1.0;
                    }
                }
                let norm_p = t.powf(p) * total + clamped * rho_p;
                ln_t - ln_m - e * norm_p.ln() / p
            };
            let mut lo = unclamped.ln();
            let mut hi = rho.ln().max(ln_m + e * rho.ln());
            for _ in 0..BISECTION_STEPS {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if f(mid) < 0.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            (0.5 * (lo + hi)).exp()
        };
        for ((x, t), a) in self.x.iter_mut().zip(&self.theta).zip(&self.weights) {
            *x = t.signum() * rho.min(a * scale);
            if *t == 0.0 {
                *x = 0.0;
            }
        }
    }
}

impl UpdateRule for BoxMirrorDescent {
    fn name(&self) -> String {
        format!("box-mirror-descent(p={:.4}, r={})", self.p, self.radius)
    }

    fn dim(&self) -> usize {
        self.x.len()
    }

    fn iterate(&self) -> &[f64] {
        &self.x
    }

    fn averaged(&self) -> Option<&[f64]> {
        self.average.as_ref().and_then(Averager::mean)
    }

    fn step_size(&self) -> Option<f64> {
        Some(self.schedule.step(self.updates))
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update(&mut self, g_hat: &[f64], _support: Option<&[usize]>) -> Result<(), OptError> {
        check_estimate(self.x.len(), g_hat)?;
        let eta = self.schedule.step(self.updates);
        norm_gradient(&self.x, self.p, &mut self.theta);
        for (t, g) in self.theta.iter_mut().zip(g_hat) {
            *t -= eta * g;
        }
        if self.theta.iter().any(|t| !t.is_finite()) {
            // Leave a non-finite iterate for the round loop to report as divergence.
            self.x.copy_from_slice(&self.theta);
        } else {
            self.project();
        }
        self.updates += 1;
        if let Some(avg) = self.average.as_mut() {
            avg.push(&self.x);
        }
        Ok(())
    }
}
