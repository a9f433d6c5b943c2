//! Euclidean projection onto the `l_p` ball `{x : ||x||_p <= r}`:
//! `Pi(v) = argmin_{||x||_p <= r} ||x - v||_2`.
//!
//! - `p = 2`: `Pi(v) = v min(1, r/||v||_2)`;
//! - `p = inf`: `Pi(v)_i = clamp(v_i, -r, r)`;
//! - `p = 1`: soft thresholding `Pi(v)_i = sign(v_i) max(|v_i| - tau, 0)` with the threshold
//!   `tau` found by sorting `|v|` (Duchi, Shalev-Shwartz, Singer & Chandra 2008), `O(d log d)`;
//! - other `p > 1`: the KKT conditions give `x_i = sign(v_i) y_i` where `y_i in [0, |v_i|]` solves
//!   `y + lambda p y^{p-1} = |v_i|` and `lambda > 0` makes `sum_i y_i^p = r^p`. The code solves
//!   the scalar equations by safeguarded Newton (bisection fallback) and `lambda` by an outer
//!   safeguarded Newton in `mu = lambda p r^{p-2}` bracketed by `[0, ||v/r||_q]`
//!   (`1/p + 1/q = 1`), then rescales by `1/||y||_p` if rounding left it a hair outside.
//!
//! ```
//! use optimizers::LpBall;
//! let ball = LpBall::new(1.0, 1.0)?;
//! let mut v = vec![2.0, 0.5, -1.0];
//! ball.project(&mut v);
//! assert_eq!(v, vec![1.0, 0.0, 0.0]); // threshold tau = 1
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::OptError;
use crate::error::check_positive;

/// Iteration caps of the numerical projection; each loop also stops at machine precision.
const INNER_ITERATIONS: usize = 100;
const OUTER_ITERATIONS: usize = 200;

/// The ball `{x : ||x||_p <= r}` centred at the origin, `1 <= p <= inf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LpBall {
    p: f64,
    radius: f64,
}

impl LpBall {
    /// The `l_p` ball of radius `r > 0`; `p` in `[1, inf]` (`f64::INFINITY` for the max norm).
    pub fn new(p: f64, radius: f64) -> Result<Self, OptError> {
        if p.is_nan() || p < 1.0 {
            return Err(OptError::InvalidParameter(format!(
                "norm index p must be at least 1, got {p}"
            )));
        }
        check_positive("ball radius", radius)?;
        Ok(Self { p, radius })
    }

    /// The norm index `p`.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// The radius `r`.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// `||x||_p`.
    pub fn norm(&self, x: &[f64]) -> f64 {
        lp_norm(x, self.p)
    }

    /// Whether `||x||_p <= r (1 + tol)`.
    pub fn contains(&self, x: &[f64], tol: f64) -> bool {
        self.norm(x) <= self.radius * (1.0 + tol)
    }

    /// Replaces `v` by its Euclidean projection onto the ball. Non-finite input is left as is
    /// (the round loop reports a non-finite iterate as divergence).
    pub fn project(&self, v: &mut [f64]) {
        self.project_with(v, &mut Vec::new());
    }

    /// [`LpBall::project`] with a caller-owned scratch buffer (the `p = 1` projection sorts a
    /// copy of `|v|`), so repeated projections allocate nothing.
    pub fn project_with(&self, v: &mut [f64], scratch: &mut Vec<f64>) {
        if v.iter().any(|x| !x.is_finite()) {
            return;
        }
        let r = self.radius;
        if self.p == 2.0 {
            let n = lp_norm(v, 2.0);
            if n > r {
                let s = r / n;
                v.iter_mut().for_each(|x| *x *= s);
            }
        } else if self.p == f64::INFINITY {
            v.iter_mut().for_each(|x| *x = x.clamp(-r, r));
        } else if self.p == 1.0 {
            project_l1(v, r, scratch);
        } else {
            project_lp(v, self.p, r);
        }
    }
}

/// `||x||_p`, scaled by the largest entry so that large `p` neither overflows nor underflows.
pub(crate) fn lp_norm(x: &[f64], p: f64) -> f64 {
    let m = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    if p == f64::INFINITY {
        return m;
    }
    if p == 1.0 {
        return x.iter().map(|v| v.abs()).sum();
    }
    if p == 2.0 {
        return m * x.iter().map(|v| (v / m) * (v / m)).sum::<f64>().sqrt();
    }
    m * x
        .iter()
        .map(|v| (v.abs() / m).powf(p))
        .sum::<f64>()
        .powf(1.0 / p)
}

/// Soft thresholding at the `tau` that puts `||x||_1` at `r`.
fn project_l1(v: &mut [f64], r: f64, u: &mut Vec<f64>) {
    let l1: f64 = v.iter().map(|x| x.abs()).sum();
    if l1 <= r {
        return;
    }
    u.clear();
    u.extend(v.iter().map(|x| x.abs()));
    u.sort_unstable_by(|a, b| b.total_cmp(a));
    // tau = (sum of the rho largest - r)/rho for the largest rho with u_rho > tau.
    let (mut cum, mut tau) = (0.0, 0.0);
    for (j, &uj) in u.iter().enumerate() {
        cum += uj;
        let t = (cum - r) / (j as f64 + 1.0);
        if uj > t {
            tau = t;
        } else {
            break;
        }
    }
    for x in v.iter_mut() {
        *x = x.signum() * (x.abs() - tau).max(0.0);
    }
}

/// The numerical projection for `1 < p < inf`, `p != 2`.
fn project_lp(v: &mut [f64], p: f64, r: f64) {
    if lp_norm(v, p) <= r {
        return;
    }
    // Work in units of r: a_i = |v_i|/r, find mu with sum_i y_i(mu)^p = 1.
    let q = p / (p - 1.0);
    let a = |x: f64| x.abs() / r;
    let total = |mu: f64| -> (f64, f64) {
        // (sum y^p - 1, d/dmu of the sum)
        let (mut s, mut ds) = (0.0, 0.0);
        for x in v.iter() {
            let ai = a(*x);
            if ai == 0.0 {
                continue;
            }
            let y = solve_scalar(ai, mu, p);
            if y > 0.0 {
                let yp1 = y.powf(p - 1.0);
                // dy/dmu = -y^{p-1} / (1 + mu (p-1) y^{p-2})
                let dy = -yp1 / (1.0 + mu * (p - 1.0) * yp1 / y);
                s += yp1 * y;
                ds += p * yp1 * dy;
            }
        }
        (s - 1.0, ds)
    };
    let mut lo = 0.0;
    let mut hi = lp_norm_abs_scaled(v, q, r);
    let mut mu = 0.5 * hi;
    for _ in 0..OUTER_ITERATIONS {
        let (phi, dphi) = total(mu);
        if phi > 0.0 {
            lo = mu;
        } else {
            hi = mu;
        }
        if phi == 0.0 || hi - lo <= 4.0 * f64::EPSILON * hi {
            break;
        }
        let newton = if dphi < 0.0 {
            mu - phi / dphi
        } else {
            f64::NAN
        };
        mu = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
    }
    let mut norm_p = 0.0;
    for x in v.iter_mut() {
        let y = solve_scalar(a(*x), mu, p);
        norm_p += y.powf(p);
        *x = x.signum() * y;
    }
    // Rounding can leave sum y^p a hair above 1; rescaling keeps the result feasible.
    let scale = if norm_p > 1.0 {
        r / norm_p.powf(1.0 / p)
    } else {
        r
    };
    v.iter_mut().for_each(|x| *x *= scale);
}

/// `||v/r||_q`: the multiplier at which every `y_i <= (a_i/mu)^{1/(p-1)}` and hence
/// `sum y^p <= 1`, the upper end of the bracket.
fn lp_norm_abs_scaled(v: &[f64], q: f64, r: f64) -> f64 {
    let m = v.iter().fold(0.0f64, |m, x| m.max(x.abs())) / r;
    if m == 0.0 {
        return 0.0;
    }
    m * v
        .iter()
        .map(|x| (x.abs() / r / m).powf(q))
        .sum::<f64>()
        .powf(1.0 / q)
}

/// The root `y in [0, a]` of `h(y) = y + mu y^{p-1} - a`, increasing in `y` for `p > 1`.
fn solve_scalar(a: f64, mu: f64, p: f64) -> f64 {
    if a == 0.0 {
        return 0.0;
    }
    if mu == 0.0 {
        return a;
    }
    let (mut lo, mut hi) = (0.0, a);
    let mut y = a;
    for _ in 0..INNER_ITERATIONS {
        let yp2 = y.powf(p - 2.0);
        let h = y + mu * yp2 * y - a;
        if h > 0.0 {
            hi = y;
        } else {
            lo = y;
        }
        if h == 0.0 || hi - lo <= 2.0 * f64::EPSILON * a {
            break;
        }
        let dh = 1.0 + mu * (p - 1.0) * yp2;
        let newton = y - h / dh;
        y = if newton > lo && newton < hi && newton.is_finite() {
            newton
        } else {
            0.5 * (lo + hi)
        };
    }
    y
}
