//! # Accuracy conventions: from a paper's $`\varepsilon`$ to lowbit's target MSE $`D`$
//!
//! lowbit measures accuracy as $`D = \mathbb{E}\|x_T - x^*\|^2`$. Papers state an accuracy
//! $`\varepsilon`$ in their own way. On the quadratic family
//! $`f_\theta(x) = \frac{\mu}{2}\|x - \theta\|^2`$ of the Kim reduction (notes-000 §1.1, §1.3), a
//! function gap $`\mathbb{E}[f(\hat x) - f^*] \le \varepsilon^2`$ is exactly
//! $`\mathbb{E}\|\hat x - \theta\|^2 \le 2\varepsilon^2/\mu`$, so
//!
//! ```math
//! D = c\,\varepsilon^2, \qquad
//! c = \begin{cases}
//!   2/\mu & \text{(function-gap convention; } c = 2 \text{ for } \mu = 1 \text{, the default)} \\
//!   1 & (\varepsilon^2 \text{ is itself the squared distance})
//! \end{cases}
//! ```
//!
//! The default $`D = 2\varepsilon^2`$ follows the secondary source cited in notes-000 §0.2 \[S\];
//! the paper body was not available, so the factor is kept configurable here, in one place:
//! [`EpsilonConvention`].
//!
//! ```
//! use bounds::EpsilonConvention;
//!
//! let conv = EpsilonConvention::default(); // D = 2 ε²
//! assert_eq!(conv.mse(0.5)?, 0.5);
//! assert_eq!(EpsilonConvention::squared_distance().mse(0.5)?, 0.25);
//! assert_eq!(EpsilonConvention::function_gap_with_curvature(4.0)?.mse(1.0)?, 0.5);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use serde::Serialize;

use crate::error::{BoundError, Result};
use crate::validate::{finite_result, positive};

/// The factor $`c`$ in $`D = c\,\varepsilon^2`$ of the function-gap convention on a 1-strongly
/// convex quadratic.
pub const FUNCTION_GAP_FACTOR: f64 = 2.0;

/// How an accuracy $`\varepsilon`$ maps to the target MSE $`D = c\,\varepsilon^2`$ ($`c`$ =
/// [`factor`](Self::factor)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EpsilonConvention {
    factor: f64,
}

impl EpsilonConvention {
    /// The convention $`D = c\,\varepsilon^2`$ for any finite $`c > 0`$.
    pub fn new(factor: f64) -> Result<Self> {
        Ok(Self {
            factor: positive("factor", factor)?,
        })
    }

    /// The function-gap convention on $`\tfrac12\|x - \theta\|^2`$:
    /// $`\mathbb{E}[f - f^*] \le \varepsilon^2 \iff D = 2\varepsilon^2`$ (the default).
    pub fn function_gap() -> Self {
        Self {
            factor: FUNCTION_GAP_FACTOR,
        }
    }

    /// The function-gap convention on $`\frac{\mu}{2}\|x - \theta\|^2`$:
    /// $`D = 2\varepsilon^2/\mu`$.
    pub fn function_gap_with_curvature(mu: f64) -> Result<Self> {
        let mu = positive("mu", mu)?;
        let factor = FUNCTION_GAP_FACTOR / mu;
        if factor.is_finite() {
            Ok(Self { factor })
        } else {
            Err(BoundError::Overflow { what: "2/mu" })
        }
    }

    /// The convention in which $`\varepsilon^2`$ is the squared distance itself:
    /// $`D = \varepsilon^2`$.
    pub fn squared_distance() -> Self {
        Self { factor: 1.0 }
    }

    /// The factor $`c`$ in $`D = c\,\varepsilon^2`$.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// The target MSE $`D = c\,\varepsilon^2`$ for an accuracy $`\varepsilon > 0`$.
    pub fn mse(&self, epsilon: f64) -> Result<f64> {
        let eps = positive("epsilon", epsilon)?;
        let d = self.factor * eps * eps;
        if d > 0.0 {
            finite_result("mse", d)
        } else {
            Err(BoundError::NotPositive {
                name: "mse",
                value: d,
            })
        }
    }

    /// The accuracy $`\varepsilon = \sqrt{D/c}`$ that a target MSE $`D > 0`$ corresponds to.
    pub fn epsilon(&self, mse: f64) -> Result<f64> {
        let d = positive("mse", mse)?;
        Ok((d / self.factor).sqrt())
    }
}

impl Default for EpsilonConvention {
    fn default() -> Self {
        Self::function_gap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn default_is_twice_epsilon_squared() {
        // eps = 0.5: D = 2 * 0.25 = 0.5.
        assert_eq!(EpsilonConvention::default().mse(0.5).unwrap(), 0.5);
        assert_eq!(EpsilonConvention::default().factor(), 2.0);
    }

    #[test]
    fn curvature_divides_the_target() {
        // mu = 2: D = 2 eps^2 / 2 = eps^2; eps = 3 gives 9.
        let conv = EpsilonConvention::function_gap_with_curvature(2.0).unwrap();
        assert_eq!(conv.mse(3.0).unwrap(), 9.0);
    }

    #[test]
    fn epsilon_inverts_mse() {
        let conv = EpsilonConvention::new(1.7).unwrap();
        for eps in [1e-6, 0.3, 2.0, 1e5] {
            assert_relative_eq!(
                conv.epsilon(conv.mse(eps).unwrap()).unwrap(),
                eps,
                max_relative = 1e-15
            );
        }
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(matches!(
            EpsilonConvention::new(0.0),
            Err(BoundError::NotPositive { name: "factor", .. })
        ));
        assert!(EpsilonConvention::new(f64::NAN).is_err());
        assert!(EpsilonConvention::function_gap_with_curvature(-1.0).is_err());
        assert!(EpsilonConvention::function_gap_with_curvature(1e-320).is_err());
        let conv = EpsilonConvention::default();
        assert!(matches!(
            conv.mse(0.0),
            Err(BoundError::NotPositive {
                name: "epsilon",
                ..
            })
        ));
        assert!(conv.mse(f64::INFINITY).is_err());
        assert!(conv.mse(1e-200).is_err()); // D underflows to 0
        assert!(conv.epsilon(-1.0).is_err());
    }
}
