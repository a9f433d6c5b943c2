//! # Prior (Fisher) information
//!
//! Van Trees needs a smooth prior $`\pi`$ on $`\theta`$ and its Fisher information
//! $`J(\pi) = \int \|\nabla \log \pi\|^2 \pi`$ (notes-000 §1.1, §7.2, §8.1 item 2):
//!
//! ```math
//! \begin{aligned}
//! &\cos^2 \text{ box prior on } [-b, b]^d: &
//!   \pi(t) &= \prod_i \frac1b \cos^2\!\Big(\frac{\pi t_i}{2b}\Big), & J &= \frac{d \pi^2}{b^2} \\
//! &\text{Gaussian prior } \mathcal{N}(0, s^2 I_d): & & & J &= \frac{d}{s^2} \\
//! &\text{product prior:} & & & J &= \sum_i J_i
//! \end{aligned}
//! ```
//!
//! The $`\cos^2`$ value is standard \[R/N in the notes; checked here by quadrature\]. The box is
//! the parameter set of the minimax bounds: a bound for the $`\cos^2`$ prior on $`[-b, b]^d`$
//! lower-bounds the worst case over the box. Units: $`1/(\text{units of } \theta)^2`$, like the
//! Fisher caps.
//!
//! Code names: [`cosine_box_information`], [`gaussian_information`], [`product_information`], and
//! [`Prior`], which the van Trees, rounds and communication bounds take.
//!
//! ```
//! use bounds::Prior;
//!
//! let box_prior = Prior::Box { half_width: std::f64::consts::PI };
//! assert!((box_prior.fisher_information(3)? - 3.0).abs() < 1e-15); // d π²/b² with b = π
//! assert_eq!(Prior::Gaussian { variance: 0.5 }.fisher_information(3)?, 6.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::error::{BoundError, Result};
use crate::validate::{dimension, finite_result, non_negative, positive};

/// Fisher information $`d \pi^2/b^2`$ of the product $`\cos^2`$ prior on the box $`[-b, b]^d`$.
pub fn cosine_box_information(d: usize, half_width: f64) -> Result<f64> {
    let d = dimension(d)?;
    let b = positive("b", half_width)?;
    finite_result("prior information", d * (PI / b) * (PI / b))
}

/// Fisher information $`d/s^2`$ of the Gaussian prior $`\mathcal{N}(0, s^2 I_d)`$ (`variance`
/// $`= s^2`$).
pub fn gaussian_information(d: usize, variance: f64) -> Result<f64> {
    let d = dimension(d)?;
    let s2 = positive("s2", variance)?;
    finite_result("prior information", d / s2)
}

/// Fisher information $`\sum_i J_i`$ of a product prior with per-coordinate informations
/// $`J_i \ge 0`$.
pub fn product_information(per_coordinate: &[f64]) -> Result<f64> {
    if per_coordinate.is_empty() {
        return Err(BoundError::Zero { name: "d" });
    }
    let total = per_coordinate.iter().try_fold(0.0, |acc, &j| {
        non_negative("prior information", j).map(|j| acc + j)
    })?;
    finite_result("prior information", total)
}

/// A prior on $`\theta \in \mathbb{R}^d`$, identified by its per-coordinate law (the same on every
/// coordinate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Prior {
    /// The box $`[-b, b]^d`$. Van Trees uses the $`\cos^2`$ density on it; the communication
    /// bound uses the uniform density (both lower-bound the worst case over the box).
    Box {
        /// Half-width $`b > 0`$.
        half_width: f64,
    },
    /// The Gaussian $`\mathcal{N}(0, s^2 I_d)`$.
    Gaussian {
        /// Per-coordinate variance $`s^2 > 0`$.
        variance: f64,
    },
}

impl Prior {
    /// The prior Fisher information $`J(\pi)`$ in dimension $`d`$.
    pub fn fisher_information(&self, d: usize) -> Result<f64> {
        match *self {
            Self::Box { half_width } => cosine_box_information(d, half_width),
            Self::Gaussian { variance } => gaussian_information(d, variance),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn cosine_prior_information_matches_quadrature() {
        // J = ∫ (π')²/π over [-b, b] for π(t) = cos²(πt/(2b))/b; by the notes' check it is
        // π²/b². Midpoint rule with 200k cells (smooth integrand: error ~1e-10 relative).
        let b = 2.0;
        let n = 200_000;
        let h = 2.0 * b / n as f64;
        let integral: f64 = (0..n)
            .map(|i| {
                let t = -b + (i as f64 + 0.5) * h;
                let (s, c) = (PI * t / (2.0 * b)).sin_cos();
                let density = c * c / b;
                let derivative = -(PI / (b * b)) * c * s;
                derivative * derivative / density * h
            })
            .sum();
        assert_relative_eq!(integral, PI * PI / (b * b), max_relative = 1e-9);
        assert_relative_eq!(
            cosine_box_information(1, b).unwrap(),
            integral,
            max_relative = 1e-9
        );
    }

    #[test]
    fn box_information_scales_with_d_over_b_squared() {
        // d = 4, b = 0.5: 4 π² / 0.25 = 16 π².
        assert_relative_eq!(
            cosine_box_information(4, 0.5).unwrap(),
            16.0 * PI * PI,
            max_relative = 1e-15
        );
    }

    #[test]
    fn gaussian_information_is_d_over_variance() {
        assert_eq!(gaussian_information(10, 4.0).unwrap(), 2.5);
    }

    #[test]
    fn product_information_sums_coordinates() {
        assert_eq!(product_information(&[1.0, 0.5, 0.0]).unwrap(), 1.5);
        // A product of identical Gaussian coordinates equals the isotropic prior.
        assert_eq!(
            product_information(&[0.25; 8]).unwrap(),
            gaussian_information(8, 4.0).unwrap()
        );
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert_eq!(
            cosine_box_information(0, 1.0),
            Err(BoundError::Zero { name: "d" })
        );
        assert!(cosine_box_information(1, 0.0).is_err());
        assert!(cosine_box_information(1, 1e-300).is_err()); // information overflows
        assert!(gaussian_information(1, -1.0).is_err());
        assert!(gaussian_information(1, f64::NAN).is_err());
        assert_eq!(
            product_information(&[]),
            Err(BoundError::Zero { name: "d" })
        );
        assert!(product_information(&[1.0, -0.1]).is_err());
        assert!(product_information(&[f64::INFINITY]).is_err());
    }
}
