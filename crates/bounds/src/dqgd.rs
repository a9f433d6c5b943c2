//! # Quantized gradient descent: the rate limit, DQ-GD and naive QGD (Lin–Kostina–Hassibi)
//!
//! Gradient descent on an $`L`$-smooth, $`\mu`$-strongly convex $`f`$ on $`\mathbb{R}^n`$ whose
//! gradients cross a link of $`R`$ bits per dimension ($`nR`$ bits per iteration), minimizer and
//! start in the ball $`B(r)`$. From paper 002 \[SRC\]:
//!
//! ```math
//! \begin{gathered}
//! \sigma = \frac{L - \mu}{L + \mu}, \qquad \eta^* = \frac{2}{L + \mu}, \qquad
//!   \rho_\eta = (1 - \eta^* L \mu \eta)^{1/2} \qquad \text{(eqs. 8, 9, 33)} \\
//! \max\{\sigma, 2^{-R}\} \le C(R) \le \max\{\sigma, (1 + o_n(1))\, 2^{-R}\}
//!   \qquad \text{(Theorem 4, eq. 27)}
//! \end{gathered}
//! ```
//!
//! DQ-GD (Theorem 7, eq. 32), with $`\delta = d_n/2^R`$, for $`\eta \le \eta^*`$:
//!
//! ```math
//! \|\hat x_T - x^*\| \le \begin{cases}
//!   \max\{\rho_\eta, \delta\}^T \cdot 2
//!     \left[1 + \dfrac{\delta \eta^* L}{|\rho_\eta - \delta|}\right] r
//!     & \text{if } \rho_\eta \ne \delta, \\
//!   \rho_\eta^T \cdot 2\, (1 + \eta^* L T)\, r & \text{if } \rho_\eta = \delta;
//! \end{cases}
//! ```
//!
//! naive QGD (Theorem 9, eq. 36):
//!
//! ```math
//! \|\hat x_T - x^*\| \le 2\, (\rho_\eta + \delta \eta^* L)^T r.
//! ```
//!
//! $`d_n \ge 1`$ is the space-filling loss of the quantizer (eq. 30, Lemma 11): $`1 + o_n(1)`$
//! for the Rogers cover of Theorem 7, $`\sqrt{n}`$ for the uniform scalar quantizer of the
//! experiments (Remark 8, [`uniform_scalar_space_filling_loss`]). As $`T`$ grows the $`T`$-th
//! roots of the guarantees tend to the linear rates $`\max\{\rho_\eta, \delta\}`$ (DQ-GD) and
//! $`\rho_\eta + \delta \eta^* L`$ (naive); at $`\eta = \eta^*`$, $`\rho_\eta = \sigma`$. The
//! naive rate may exceed 1 (no convergence guarantee); it is reported as is.
//!
//! $`\rho_\eta`$ is evaluated as $`\sqrt{(1 - t) + t \sigma^2}`$ with $`t = \eta/\eta^*`$, the same
//! number as eq. (33) without the cancellation of $`1 - \eta^* L \mu \eta`$ when $`L \approx \mu`$.
//!
//! Code names: [`gd_rate`] ($`\sigma`$), [`gd_optimal_step`] ($`\eta^*`$), [`rate_limit`],
//! [`QgdSetting`] with
//! [`QgdSetting::dqgd_error_bound`], [`QgdSetting::naive_error_bound`], [`QgdSetting::dqgd_rate`],
//! [`QgdSetting::naive_rate`].
//!
//! ```
//! use bounds::{rate_limit, QgdSetting};
//!
//! // μ = 1, L = 3: σ = 1/2. At R = 2 bits per dimension the limit is σ; at R = 1/2 it is 2^{-1/2}.
//! assert_eq!(rate_limit(1.0, 3.0, 2.0)?, 0.5);
//! let s = QgdSetting::new(1.0, 3.0, 3.0, 2.0)?; // d_n = 2 (n = 4, scalar quantizer)
//! assert_eq!(s.dqgd_rate(), 0.5);               // max{1/2, 2/8}
//! assert_eq!(s.naive_rate(), 0.875);            // 1/2 + (2/8)(1/2)(3)
//! # Ok::<(), bounds::BoundError>(())
//! ```

use serde::Serialize;

use crate::error::{BoundError, Result};
use crate::validate::{count, finite_result, non_negative, positive};

/// Validates $`0 < \mu \le L`$, both finite.
fn curvatures(mu: f64, l: f64) -> Result<(f64, f64)> {
    let mu = positive("mu", mu)?;
    let l = positive("L", l)?;
    if mu <= l {
        Ok((mu, l))
    } else {
        Err(BoundError::OutOfRange {
            name: "mu",
            value: mu,
            range: "(0, L]",
        })
    }
}

/// GD's worst-case linear rate $`\sigma = (L - \mu)/(L + \mu)`$ at the optimal step (eq. 9).
pub fn gd_rate(mu: f64, l: f64) -> Result<f64> {
    let (mu, l) = curvatures(mu, l)?;
    Ok((l - mu) / (l + mu))
}

/// The optimal constant step $`\eta^* = 2/(L + \mu)`$ (eq. 8).
pub fn gd_optimal_step(mu: f64, l: f64) -> Result<f64> {
    let (mu, l) = curvatures(mu, l)?;
    finite_result("eta*", 2.0 / (l + mu))
}

/// The fundamental limit $`\max\{\sigma, 2^{-R}\}`$ on the linear rate at $`R \ge 0`$ bits per
/// dimension (Theorem 4 lower bound, eq. 27).
pub fn rate_limit(mu: f64, l: f64, rate_bits: f64) -> Result<f64> {
    let sigma = gd_rate(mu, l)?;
    let r = non_negative("rate", rate_bits)?;
    Ok(sigma.max((-r).exp2()))
}

/// The space-filling loss $`d_n = \sqrt{n}`$ of the uniform scalar quantizer on $`\mathbb{R}^n`$
/// (Remark 8).
pub fn uniform_scalar_space_filling_loss(n: u64) -> Result<f64> {
    Ok(count("n", n)?.sqrt())
}

/// A quantized-GD instance: curvatures $`\mu \le L`$, rate $`R`$ bits per dimension,
/// space-filling loss $`d_n \ge 1`$ and step $`0 < \eta \le \eta^*`$ (default $`\eta^*`$).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QgdSetting {
    mu: f64,
    l: f64,
    rate: f64,
    space_filling_loss: f64,
    step: f64,
}

impl QgdSetting {
    /// Validates $`0 < \mu \le L`$, $`R \ge 0`$, $`d_n \ge 1`$; the step is
    /// $`\eta^* = 2/(L + \mu)`$.
    pub fn new(mu: f64, l: f64, rate_bits: f64, space_filling_loss: f64) -> Result<Self> {
        let (mu, l) = curvatures(mu, l)?;
        let rate = non_negative("rate", rate_bits)?;
        let dn = positive("space_filling_loss", space_filling_loss)?;
        if dn < 1.0 {
            return Err(BoundError::OutOfRange {
                name: "space_filling_loss",
                value: dn,
                range: "[1, inf) (Lemma 11: d_n >= 1)",
            });
        }
        Ok(Self {
            mu,
            l,
            rate,
            space_filling_loss: dn,
            step: gd_optimal_step(mu, l)?,
        })
    }

    /// The same setting with step $`0 < \eta \le \eta^*`$.
    pub fn with_step(self, step: f64) -> Result<Self> {
        let eta = positive("step", step)?;
        let eta_star = self.optimal_step();
        if eta <= eta_star {
            Ok(Self { step: eta, ..self })
        } else {
            Err(BoundError::OutOfRange {
                name: "step",
                value: eta,
                range: "(0, eta*] with eta* = 2/(L + mu)",
            })
        }
    }

    /// GD's rate at the optimal step, $`\sigma = (L - \mu)/(L + \mu)`$.
    pub fn sigma(&self) -> f64 {
        (self.l - self.mu) / (self.l + self.mu)
    }

    /// The optimal step $`\eta^* = 2/(L + \mu)`$.
    pub fn optimal_step(&self) -> f64 {
        2.0 / (self.l + self.mu)
    }

    /// The step $`\eta`$ in use.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// GD's contraction at the step in use, $`\rho_\eta = (1 - \eta^* L \mu \eta)^{1/2}`$ (eq. 33).
    pub fn contraction(&self) -> f64 {
        let t = self.step / self.optimal_step();
        if t >= 1.0 {
            self.sigma()
        } else {
            let s = self.sigma();
            ((1.0 - t) + t * s * s).sqrt()
        }
    }

    /// The quantization factor $`\delta = d_n 2^{-R}`$: the worst-case relative error of one
    /// quantized gradient (eq. 42).
    pub fn quantizer_factor(&self) -> f64 {
        self.space_filling_loss * (-self.rate).exp2()
    }

    /// The lower bound $`\max\{\sigma, 2^{-R}\}`$ on any descent-type method's linear rate.
    pub fn rate_limit(&self) -> f64 {
        self.sigma().max((-self.rate).exp2())
    }

    /// DQ-GD's limiting linear rate $`\max\{\rho_\eta, \delta\}`$, the $`T`$-th root of eq. (32) as
    /// $`T \to \infty`$.
    pub fn dqgd_rate(&self) -> f64 {
        self.contraction().max(self.quantizer_factor())
    }

    /// Naive QGD's limiting linear rate $`\rho_\eta + \delta \eta^* L`$, the $`T`$-th root of eq.
    /// (36).
    pub fn naive_rate(&self) -> f64 {
        self.contraction() + self.quantizer_factor() * self.optimal_step() * self.l
    }

    /// Theorem 7, eq. (32): the bound on $`\|\hat x_T - x^*\|`$ after `rounds` $`= T`$ iterations
    /// of DQ-GD with minimizer and start in the ball of radius `radius` $`= r > 0`$.
    pub fn dqgd_error_bound(&self, rounds: u64, radius: f64) -> Result<f64> {
        let r = positive("radius", radius)?;
        let rho = self.contraction();
        let delta = self.quantizer_factor();
        let eta_l = self.optimal_step() * self.l;
        let t = rounds as f64;
        let bound = if rho == delta {
            rho.powf(t) * 2.0 * (1.0 + eta_l * t) * r
        } else {
            rho.max(delta).powf(t) * 2.0 * (1.0 + delta * eta_l / (rho - delta).abs()) * r
        };
        finite_result("DQ-GD bound", bound)
    }

    /// Theorem 9, eq. (36): the bound $`2\,(\rho_\eta + \delta \eta^* L)^T r`$ on
    /// $`\|\hat x_T - x^*\|`$ for naive QGD.
    pub fn naive_error_bound(&self, rounds: u64, radius: f64) -> Result<f64> {
        let r = positive("radius", radius)?;
        finite_result(
            "naive QGD bound",
            2.0 * self.naive_rate().powf(rounds as f64) * r,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// μ = 1, L = 3: σ = 1/2, η* = 1/2, η* L = 3/2.
    fn setting(rate: f64, dn: f64) -> QgdSetting {
        QgdSetting::new(1.0, 3.0, rate, dn).unwrap()
    }

    #[test]
    fn gd_rate_and_step_by_hand() {
        assert_eq!(gd_rate(1.0, 3.0).unwrap(), 0.5);
        assert_eq!(gd_optimal_step(1.0, 3.0).unwrap(), 0.5);
        assert_eq!(gd_rate(2.0, 2.0).unwrap(), 0.0); // κ = 1: one step solves it
    }

    #[test]
    fn contraction_at_the_optimal_step_is_sigma() {
        // ρ_{η*} = √(1 − η*² L μ) = √(1 − 3/4) = 1/2 = σ; also for an ill-conditioned case.
        assert_eq!(setting(1.0, 1.0).contraction(), 0.5);
        let s = QgdSetting::new(1e-3, 1e3, 1.0, 1.0).unwrap();
        assert_relative_eq!(s.contraction(), s.sigma(), max_relative = 1e-15);
    }

    #[test]
    fn contraction_at_a_smaller_step_follows_eq_33() {
        // η = η*/2 = 1/4: ρ = √(1 − (1/2)(3)(1)(1/4)) = √(5/8).
        let s = setting(1.0, 1.0).with_step(0.25).unwrap();
        assert_relative_eq!(s.contraction(), (5.0f64 / 8.0).sqrt(), max_relative = 1e-15);
    }

    #[test]
    fn rate_limit_switches_at_r_equal_log_one_over_sigma() {
        // log2(1/σ) = 1 bit.
        assert_eq!(rate_limit(1.0, 3.0, 0.5).unwrap(), 0.5f64.sqrt());
        assert_eq!(rate_limit(1.0, 3.0, 1.0).unwrap(), 0.5);
        assert_eq!(rate_limit(1.0, 3.0, 4.0).unwrap(), 0.5);
        assert_eq!(rate_limit(1.0, 3.0, 0.0).unwrap(), 1.0);
    }

    #[test]
    fn dqgd_bound_when_the_contraction_dominates() {
        // R = 3, d_n = 2: δ = 1/4 < ρ = 1/2. T = 10, r = 1:
        // (1/2)^10 · 2 · (1 + (1/4)(3/2)/(1/4)) = 2.5 · 2 / 1024.
        let s = setting(3.0, 2.0);
        assert_relative_eq!(
            s.dqgd_error_bound(10, 1.0).unwrap(),
            5.0 / 1024.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn dqgd_bound_when_the_quantizer_dominates() {
        // R = 1, d_n = 1.6: δ = 0.8 > ρ = 0.5. T = 4, r = 2:
        // 0.8^4 · 2 · (1 + 0.8 · 1.5/0.3) · 2 = 0.4096 · 2 · 5 · 2.
        let s = setting(1.0, 1.6);
        assert_relative_eq!(
            s.dqgd_error_bound(4, 2.0).unwrap(),
            0.4096 * 20.0,
            max_relative = 1e-14
        );
    }

    #[test]
    fn dqgd_bound_in_the_tie_case() {
        // R = 1, d_n = 1: δ = ρ = 1/2. T = 6, r = 1: (1/2)^6 · 2 · (1 + 1.5 · 6) = 20/64.
        let s = setting(1.0, 1.0);
        assert_relative_eq!(
            s.dqgd_error_bound(6, 1.0).unwrap(),
            20.0 / 64.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn naive_bound_by_hand() {
        // R = 3, d_n = 2: rate 1/2 + (1/4)(3/2) = 7/8; T = 2, r = 1: 2 · 49/64.
        let s = setting(3.0, 2.0);
        assert_eq!(s.naive_rate(), 0.875);
        assert_relative_eq!(
            s.naive_error_bound(2, 1.0).unwrap(),
            98.0 / 64.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn bounds_have_the_limiting_rates_as_t_grows() {
        // bound = C · rate^T, so bound^{1/T} = rate · C^{1/T}: relative gap ≈ ln(C)/T, below 1e-2
        // here (C ≈ 4.5 for DQ-GD at T = 500, C = 2 for naive at T = 200).
        let s = setting(2.5, 1.3);
        let dq = s.dqgd_error_bound(500, 1.0).unwrap();
        assert_relative_eq!(dq.powf(1.0 / 500.0), s.dqgd_rate(), max_relative = 1e-2);
        let naive = s.naive_error_bound(200, 1.0).unwrap();
        assert_relative_eq!(naive.powf(1.0 / 200.0), s.naive_rate(), max_relative = 1e-2);
        // And the gap closes: at T = 50 it is larger than at T = 500.
        let dq50 = s.dqgd_error_bound(50, 1.0).unwrap().powf(1.0 / 50.0);
        assert!(dq50 / s.dqgd_rate() > dq.powf(1.0 / 500.0) / s.dqgd_rate());
    }

    #[test]
    fn dqgd_rate_meets_the_limit_and_naive_does_not_with_a_perfect_quantizer() {
        // d_n = 1 (Rogers' cover in the limit): DQ-GD attains max{σ, 2^{-R}}; naive is slower.
        for r in [0.5, 1.0, 2.0, 6.0] {
            let s = setting(r, 1.0);
            assert_eq!(s.dqgd_rate(), s.rate_limit());
            assert!(s.naive_rate() > s.rate_limit());
        }
    }

    #[test]
    fn scalar_quantizer_loss_is_root_n() {
        assert_eq!(uniform_scalar_space_filling_loss(100).unwrap(), 10.0);
        assert!(uniform_scalar_space_filling_loss(0).is_err());
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(gd_rate(0.0, 1.0).is_err());
        assert!(matches!(
            gd_rate(2.0, 1.0),
            Err(BoundError::OutOfRange { name: "mu", .. })
        ));
        assert!(gd_rate(1.0, f64::INFINITY).is_err());
        assert!(rate_limit(1.0, 2.0, -1.0).is_err());
        assert!(QgdSetting::new(1.0, 2.0, 1.0, 0.5).is_err());
        assert!(QgdSetting::new(1.0, 2.0, f64::NAN, 1.0).is_err());
        let s = setting(1.0, 1.0);
        assert!(s.with_step(0.6).is_err());
        assert!(s.with_step(0.0).is_err());
        assert!(s.dqgd_error_bound(3, 0.0).is_err());
        assert!(matches!(
            setting(0.0, 4.0).naive_error_bound(2000, 1.0),
            Err(BoundError::Overflow { .. })
        ));
    }
}
