//! Mirror descent with the `p`-norm mirror map `psi(x) = 1/2 ||x||_p^2` (the `p`-norm
//! algorithm of Gentile and Grove–Littlestone–Schuurmans), for `l_1`-type geometry.
//!
//! With `1/p + 1/q = 1`, the mirror map and its inverse are
//! `grad psi(x)_i = sign(x_i) |x_i|^{p-1} / ||x||_p^{p-2}` and
//! `grad psi*(theta)_i = sign(theta_i) |theta_i|^{q-1} / ||theta||_q^{q-2}`, and one step is
//! `theta_t = grad psi(x_t) - eta_t g_hat_t`, `x_{t+1} = grad psi*(theta_t)`.
//! `psi` is `(p - 1)`-strongly convex w.r.t. `||.||_p`; for the `l_1` geometry of the SimQ
//! paper (`p in [1, 2)`) the classical choice is `p = 1 + 1/ln d`, for which
//! `||x||_1 / e <= ||x||_p <= ||x||_1` ([`MirrorDescent::for_l1`]).
//!
//! With a radius `r`, iterates stay in `{||x||_p <= r}`: the Bregman projection of `psi` onto
//! that ball is the radial rescaling `x min(1, r/||x||_p)`, because `psi` depends on `x` only
//! through `||x||_p` and `<grad psi(y), z>` is maximised over `||z||_p = s` at `z = s y/||y||_p`.
//!
//! The maps are evaluated as `sign(x_i) n (|x_i|/n)^{p-1}` with `n = ||x||_p`, which is the same
//! quantity without overflow for large `q`.
//!
//! ```
//! use optimizers::{MirrorDescent, StepSchedule, UpdateRule};
//! let mut md = MirrorDescent::new(vec![0.0; 3], 2.0, StepSchedule::constant(0.5)?)?;
//! md.update(&[1.0, -2.0, 0.0], None)?; // p = 2 is plain SGD (to rounding)
//! for (x, want) in md.iterate().iter().zip([-0.5, 1.0, 0.0]) {
//!     assert!((x - want).abs() < 1e-15);
//! }
//! let l1 = MirrorDescent::for_l1(vec![0.0; 1000], StepSchedule::constant(0.1)?)?;
//! assert!((l1.p() - (1.0 + 1.0 / 1000f64.ln())).abs() < 1e-15);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::{check_point, check_positive};
use crate::projection::lp_norm;
use crate::rule::{Averager, check_estimate};
use crate::{OptError, StepSchedule, UpdateRule};

/// Mirror descent with `psi(x) = 1/2 ||x||_p^2`, `1 < p < inf`.
#[derive(Debug, Clone, PartialEq)]
pub struct MirrorDescent {
    x: Vec<f64>,
    theta: Vec<f64>,
    p: f64,
    schedule: StepSchedule,
    radius: Option<f64>,
    updates: u64,
    average: Option<Averager>,
}

impl MirrorDescent {
    /// Mirror descent from `x0` with the `p`-norm map, `1 < p < inf`.
    pub fn new(x0: Vec<f64>, p: f64, schedule: StepSchedule) -> Result<Self, OptError> {
        check_point("x0", &x0)?;
        if !(p.is_finite() && p > 1.0) {
            return Err(OptError::InvalidParameter(format!(
                "mirror map norm index p must be finite and above 1, got {p}"
            )));
        }
        let theta = vec![0.0; x0.len()];
        Ok(Self {
            x: x0,
            theta,
            p,
            schedule,
            radius: None,
            updates: 0,
            average: None,
        })
    }

    /// The `l_1`-geometry choice `p = 1 + 1/ln d` (for `d >= 3`; `p = 2` below, where that
    /// formula exceeds 2).
    pub fn for_l1(x0: Vec<f64>, schedule: StepSchedule) -> Result<Self, OptError> {
        let p = l1_exponent(x0.len());
        Self::new(x0, p, schedule)
    }

    /// The same rule with iterates kept in `{||x||_p <= r}` (the starting point is rescaled too).
    pub fn with_radius(mut self, radius: f64) -> Result<Self, OptError> {
        check_positive("mirror descent radius", radius)?;
        self.radius = Some(radius);
        shrink_to(&mut self.x, self.p, radius);
        Ok(self)
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
}

/// `p = 1 + 1/ln d`, capped at 2.
fn l1_exponent(d: usize) -> f64 {
    let ln_d = (d as f64).ln();
    if ln_d > 1.0 { 1.0 + 1.0 / ln_d } else { 2.0 }
}

/// `out_i = sign(x_i) n (|x_i|/n)^{r-1}` with `n = ||x||_r`: `grad psi` for `r = p` and
/// `grad psi*` for `r = q`.
pub(crate) fn norm_gradient(x: &[f64], r: f64, out: &mut [f64]) {
    let n = lp_norm(x, r);
    if n == 0.0 || !n.is_finite() {
        out.iter_mut().zip(x).for_each(|(o, &v)| *o = v * 0.0);
        return;
    }
    for (o, &v) in out.iter_mut().zip(x) {
        *o = v.signum() * n * (v.abs() / n).powf(r - 1.0);
        if v == 0.0 {
            *o = 0.0;
        }
    }
}

fn shrink_to(x: &mut [f64], p: f64, radius: f64) {
    let n = lp_norm(x, p);
    if n > radius {
        let s = radius / n;
        x.iter_mut().for_each(|v| *v *= s);
    }
}

impl UpdateRule for MirrorDescent {
    fn name(&self) -> String {
        format!("mirror-descent(p={:.4})", self.p)
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
        let q = self.p / (self.p - 1.0);
        norm_gradient(&self.x, self.p, &mut self.theta);
        for (t, g) in self.theta.iter_mut().zip(g_hat) {
            *t -= eta * g;
        }
        norm_gradient(&self.theta, q, &mut self.x);
        if let Some(r) = self.radius {
            shrink_to(&mut self.x, self.p, r);
        }
        self.updates += 1;
        if let Some(avg) = self.average.as_mut() {
            avg.push(&self.x);
        }
        Ok(())
    }
}
