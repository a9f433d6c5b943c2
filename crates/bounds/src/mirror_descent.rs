//! # Guarantee of stochastic mirror descent with steps $`\eta_0/\sqrt{t+1}`$ (the method behind paper 001, Theorem 2.3)
//!
//! Minimise a convex $`f`$ over a compact convex $`X`$ with unbiased stochastic subgradients
//! $`\hat g_t`$, $`\mathbb{E}\|\hat g_t\|_*^2 \le G^2`$, by mirror descent with a mirror map
//! $`\psi`$ that is $`\sigma`$-strongly convex with respect to $`\|\cdot\|`$ on $`X`$:
//!
//! ```math
//! x_{t+1} = \arg\min_{x \in X}\, \eta_t \langle \hat g_t, x \rangle + D_\psi(x, x_t), \qquad
//! \eta_t = \frac{\eta_0}{\sqrt{t + 1}}, \qquad t = 0, 1, \dots
//! ```
//!
//! and output the average $`\bar x_T`$ of the query points $`x_0, \dots, x_{T-1}`$. Then
//!
//! ```math
//! \mathbb{E} f(\bar x_T) - f^* \le \frac{M/\eta_0 + G^2 \eta_0/\sigma}{\sqrt{T}}, \qquad
//! M = \sup_{x \in X} D_\psi(x^*, x),
//! ```
//!
//! minimised by $`\eta_0 = \sqrt{\sigma M}/G`$, where it equals $`2 G \sqrt{M/\sigma}/\sqrt{T}`$.
//! Projected SGD is the case $`\psi = \frac12 \|x\|_2^2`$, $`\sigma = 1`$. Paper 001 uses these
//! methods for its Theorem 2.3 (Remarks 3–4, citing Nemirovski's lecture notes) without
//! constants; the constants here come from the standard derivation \[R/I\]: the three-point
//! inequality gives
//!
//! ```math
//! \eta_t \langle \hat g_t, x_t - x^* \rangle \le D_\psi(x^*, x_t) - D_\psi(x^*, x_{t+1})
//!   + \frac{\eta_t^2 \|\hat g_t\|_*^2}{2\sigma};
//! ```
//!
//! divide by $`\eta_t`$, sum with $`1/\eta_t`$ non-decreasing
//! ($`\sum_t (D_t - D_{t+1})/\eta_t \le M/\eta_{T-1} = M \sqrt{T}/\eta_0`$) and
//! $`\sum_{t<T} \eta_t \le 2 \eta_0 \sqrt{T}`$, take expectations
//! ($`\mathbb{E}\langle \hat g_t, x_t - x^* \rangle \ge \mathbb{E} f(x_t) - f^*`$) and use
//! convexity for the average.
//!
//! For the norm-squared maps $`\psi = \frac12 \|x\|_r^2`$, $`1 < r \le 2`$, on a set of
//! $`\ell_r`$ radius $`\rho_r`$ ($`\|x\|_r \le \rho_r`$ on $`X`$): $`\sigma = r - 1`$ (w.r.t.
//! $`\|\cdot\|_r`$, dual norm $`\|\cdot\|_{r/(r-1)}`$), and
//!
//! ```math
//! D_\psi(x^*, x) = \tfrac12 \|x^*\|^2 + \tfrac12 \|x\|^2 - \langle \nabla\psi(x), x^* \rangle
//!   \le \tfrac12 \left(\|x^*\| + \|x\|\right)^2 \le 2 \rho_r^2,
//! ```
//!
//! so $`M = 2 \rho_r^2`$ ([`MirrorDescentSetting::norm_squared`]).
//!
//! Code names: [`MirrorDescentSetting`] ($`M`$, $`\sigma`$, $`G`$),
//! [`MirrorDescentSetting::optimal_step0`], [`MirrorDescentSetting::gap_bound`].
//!
//! ```
//! use bounds::MirrorDescentSetting;
//!
//! // Projected SGD on the box [-1/2, 1/2]^4: ℓ2 radius 1, M = 2, σ = 1, gradients E‖ĝ‖² <= 1.
//! let s = MirrorDescentSetting::norm_squared(2.0, 1.0, 1.0)?;
//! let eta0 = s.optimal_step0(); // √2
//! assert!((eta0 - 2f64.sqrt()).abs() < 1e-15);
//! // After 100 rounds: 2 G √(M/σ)/√T = 2√2/10.
//! assert!((s.gap_bound(eta0, 100)? - 0.2 * 2f64.sqrt()).abs() < 1e-15);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use crate::error::{BoundError, Result};
use crate::validate::{count, finite_result, positive};

/// The constants of the mirror-descent guarantee: $`M = \sup_X D_\psi(x^*, \cdot)`$, the strong
/// convexity $`\sigma`$ of the mirror map, and $`G`$ with $`\mathbb{E}\|\hat g\|_*^2 \le G^2`$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MirrorDescentSetting {
    max_divergence: f64,
    strong_convexity: f64,
    gradient_bound: f64,
}

impl MirrorDescentSetting {
    /// Validates `max_divergence` $`= M > 0`$, `strong_convexity` $`= \sigma > 0`$ and
    /// `gradient_bound` $`= G > 0`$.
    pub fn new(max_divergence: f64, strong_convexity: f64, gradient_bound: f64) -> Result<Self> {
        Ok(Self {
            max_divergence: positive("max_divergence", max_divergence)?,
            strong_convexity: positive("strong_convexity", strong_convexity)?,
            gradient_bound: positive("gradient_bound", gradient_bound)?,
        })
    }

    /// The map $`\psi = \frac12 \|x\|_r^2`$ with $`1 < r \le 2`$ on a set of $`\ell_r`$ radius
    /// `radius` $`= \rho_r`$: $`\sigma = r - 1`$ and $`M = 2 \rho_r^2`$ (module docs).
    /// `gradient_bound` bounds $`\|\hat g\|_{r/(r-1)}`$ in mean square.
    pub fn norm_squared(r: f64, radius: f64, gradient_bound: f64) -> Result<Self> {
        if r.is_nan() || !(r > 1.0 && r <= 2.0) {
            return Err(BoundError::OutOfRange {
                name: "r",
                value: r,
                range: "(1, 2] (the norm-squared map is strongly convex there)",
            });
        }
        let radius = positive("radius", radius)?;
        let m = finite_result("max_divergence", 2.0 * radius * radius)?;
        Self::new(m, r - 1.0, gradient_bound)
    }

    /// The divergence bound $`M`$.
    pub fn max_divergence(&self) -> f64 {
        self.max_divergence
    }

    /// The strong convexity $`\sigma`$.
    pub fn strong_convexity(&self) -> f64 {
        self.strong_convexity
    }

    /// The gradient bound $`G`$.
    pub fn gradient_bound(&self) -> f64 {
        self.gradient_bound
    }

    /// The initial step $`\eta_0 = \sqrt{\sigma M}/G`$ that minimises the guarantee.
    pub fn optimal_step0(&self) -> f64 {
        (self.strong_convexity * self.max_divergence).sqrt() / self.gradient_bound
    }

    /// The bound $`(M/\eta_0 + G^2 \eta_0/\sigma)/\sqrt{T}`$ on $`\mathbb{E} f(\bar x_T) - f^*`$
    /// after `rounds` $`= T \ge 1`$ steps $`\eta_0/\sqrt{t+1}`$, `step0` $`= \eta_0 > 0`$.
    pub fn gap_bound(&self, step0: f64, rounds: u64) -> Result<f64> {
        let eta0 = positive("step0", step0)?;
        let t = count("rounds", rounds)?;
        let g2 = self.gradient_bound * self.gradient_bound;
        finite_result(
            "gap bound",
            (self.max_divergence / eta0 + g2 * eta0 / self.strong_convexity) / t.sqrt(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn the_optimal_step_gives_two_g_root_m_over_sigma() {
        // M = 8, σ = 0.5, G = 3: η0 = √4/3 = 2/3; bound 2 · 3 · √16 / √T = 24/√T.
        let s = MirrorDescentSetting::new(8.0, 0.5, 3.0).unwrap();
        assert_relative_eq!(s.optimal_step0(), 2.0 / 3.0, max_relative = 1e-15);
        assert_relative_eq!(
            s.gap_bound(2.0 / 3.0, 64).unwrap(),
            3.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn any_other_step_gives_a_larger_bound() {
        let s = MirrorDescentSetting::new(2.0, 1.0, 1.5).unwrap();
        let best = s.gap_bound(s.optimal_step0(), 10).unwrap();
        for f in [0.5, 0.9, 1.1, 3.0] {
            assert!(s.gap_bound(f * s.optimal_step0(), 10).unwrap() > best);
        }
    }

    #[test]
    fn a_mistuned_step_by_hand() {
        // M = 2, σ = 1, G = 2, η0 = 1, T = 4: (2/1 + 4 · 1/1)/2 = 3.
        let s = MirrorDescentSetting::new(2.0, 1.0, 2.0).unwrap();
        assert_eq!(s.gap_bound(1.0, 4).unwrap(), 3.0);
    }

    #[test]
    fn norm_squared_maps_have_modulus_r_minus_one_and_divergence_twice_the_radius_squared() {
        let s = MirrorDescentSetting::norm_squared(1.5, 0.5, 2.0).unwrap();
        assert_eq!(s.strong_convexity(), 0.5);
        assert_eq!(s.max_divergence(), 0.5);
        assert_eq!(s.gradient_bound(), 2.0);
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(MirrorDescentSetting::new(0.0, 1.0, 1.0).is_err());
        assert!(MirrorDescentSetting::new(1.0, -1.0, 1.0).is_err());
        assert!(MirrorDescentSetting::new(1.0, 1.0, f64::NAN).is_err());
        for r in [1.0, 2.5, f64::NAN, f64::INFINITY] {
            assert!(MirrorDescentSetting::norm_squared(r, 1.0, 1.0).is_err());
        }
        assert!(MirrorDescentSetting::norm_squared(2.0, 0.0, 1.0).is_err());
        let s = MirrorDescentSetting::new(1.0, 1.0, 1.0).unwrap();
        assert!(s.gap_bound(0.0, 10).is_err());
        assert!(s.gap_bound(1.0, 0).is_err());
    }
}
