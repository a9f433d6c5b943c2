//! # The adaptive one-bit limit (Kipnis–Duchi)
//!
//! Estimating the mean of $`\mathcal{N}(\theta, \sigma^2)`$ from one bit per sample, where bit
//! $`n`$ may depend on sample $`n`$ and the $`n - 1`$ earlier bits: no estimator beats
//! (notes-000 §7.4, abstract read \[C\])
//!
//! ```math
//! \mathbb{E}(\hat\theta_n - \theta)^2 \ge \frac{\pi \sigma^2}{2n} + O(n^{-2})
//! ```
//!
//! and an explicit estimator attains it (a Robbins–Monro sign recursion at the running median,
//! \[R/I\]). Equivalently, a sign bit at threshold $`\theta`$ has Fisher information
//! $`2/(\pi \sigma^2)`$, the best any single threshold can do
//! ([`crate::threshold_quantizer_fisher`] with one threshold at $`\theta`$). One bit therefore
//! costs a factor $`\pi/2 \approx 1.5708`$ in samples. [`one_bit_adaptive_mse`] returns the leading
//! term; the $`O(n^{-2})`$ correction is not known explicitly.
//!
//! ```
//! use bounds::{one_bit_adaptive_mse, sign_bit_fisher};
//! use std::f64::consts::PI;
//!
//! assert!((one_bit_adaptive_mse(100, 2.0)? - PI * 4.0 / 200.0).abs() < 1e-15);
//! assert!((sign_bit_fisher(1.0)? - 2.0 / PI).abs() < 1e-15);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::PI;

use crate::error::Result;
use crate::validate::{count, finite_result, sigma_squared};

/// Leading term $`\pi \sigma^2/(2n)`$ of the Kipnis–Duchi lower bound on the MSE after
/// $`n \ge 1`$ one-bit samples.
pub fn one_bit_adaptive_mse(samples: u64, sigma: f64) -> Result<f64> {
    let n = count("n", samples)?;
    let s2 = sigma_squared(sigma)?;
    finite_result("mse", PI * s2 / (2.0 * n))
}

/// Fisher information $`2/(\pi \sigma^2)`$ of a sign bit taken at the true mean.
pub fn sign_bit_fisher(sigma: f64) -> Result<f64> {
    let s2 = sigma_squared(sigma)?;
    finite_result("fisher", 2.0 / (PI * s2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantized_fisher::threshold_quantizer_fisher;
    use approx::assert_relative_eq;

    #[test]
    fn one_bit_costs_a_factor_pi_over_two() {
        // Unquantized MSE after n samples is σ²/n; the one-bit limit is π/2 times that.
        let n = 1000;
        assert_relative_eq!(
            one_bit_adaptive_mse(n, 3.0).unwrap() / (9.0 / n as f64),
            PI / 2.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn mse_limit_is_the_inverse_of_n_sign_bits_of_information() {
        assert_relative_eq!(
            one_bit_adaptive_mse(50, 0.7).unwrap(),
            1.0 / (50.0 * sign_bit_fisher(0.7).unwrap()),
            max_relative = 1e-15
        );
    }

    #[test]
    fn sign_bit_fisher_matches_the_threshold_calculator() {
        assert_relative_eq!(
            sign_bit_fisher(1.7).unwrap(),
            threshold_quantizer_fisher(&[0.3], 0.3, 1.7).unwrap(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn a_threshold_at_the_mean_is_the_best_single_threshold() {
        let best = sign_bit_fisher(1.0).unwrap();
        for offset in [-1.0, -0.1, 0.05, 0.5, 2.0] {
            assert!(threshold_quantizer_fisher(&[offset], 0.0, 1.0).unwrap() < best);
        }
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(one_bit_adaptive_mse(0, 1.0).is_err());
        assert!(one_bit_adaptive_mse(1, 0.0).is_err());
        assert!(sign_bit_fisher(f64::NAN).is_err());
    }
}
