//! # Multivariate van Trees inequality
//!
//! For any estimator $`\hat\theta`$ of $`\theta \sim \pi`$ (biased or not), Gill & Levit (1995)
//! with $`C = I_d`$, or the scalar van Trees inequality per coordinate followed by Jensen
//! (notes-000 §7.2, §8.1 item 3):
//!
//! ```math
//! \mathbb{E}\|\hat\theta - \theta\|^2 \ge \frac{d^2}{F_{\mathrm{total}} + J(\pi)}, \qquad
//! F_{\mathrm{total}} = \mathbb{E}_\pi \operatorname{tr} I_{M^T}(\theta) \le \sum_t \mathrm{cap}_t.
//! ```
//!
//! With $`T`$ rounds and a per-round cap from [`FisherCap`] this is the statistical bound (Kim's
//! Theorem 2, cap $`d/\sigma^2`$) or the product bound (Theorem 3, cap
//! $`\min\{d, 2B \ln 2\}/\sigma^2`$, or the rate–distortion refinement). By Lemma 1 the same
//! number bounds the optimizer's $`D = \mathbb{E}\|x_T - x^*\|^2`$ on
//! $`\frac12 \|x - \theta\|^2`$ (reconstruction \[I\] of the constants).
//!
//! Code names: [`van_trees_mse`] (the inequality), [`mse_lower_bound`] (after $`T`$ rounds).
//!
//! ```
//! use bounds::{mse_lower_bound, FisherCap, Prior};
//!
//! // d = 10, T = 100 rounds, sigma = 1, Gaussian prior s² = 1 (J = 10), unquantized:
//! // D >= 100 / (100 * 10 + 10) = 0.0990...
//! let d = mse_lower_bound(10, 100, 1.0, FisherCap::Unquantized, &Prior::Gaussian { variance: 1.0 })?;
//! assert!((d - 100.0 / 1010.0).abs() < 1e-15);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use crate::error::{BoundError, Result};
use crate::fisher_caps::FisherCap;
use crate::prior::Prior;
use crate::validate::{dimension, finite_result, non_negative};

/// The van Trees value $`d^2/(F_{\mathrm{total}} + J)`$ for a total Fisher trace
/// $`F_{\mathrm{total}} \ge 0`$ and a prior information $`J \ge 0`$, not both zero.
pub fn van_trees_mse(d: usize, total_fisher: f64, prior_information: f64) -> Result<f64> {
    let d = dimension(d)?;
    let f = non_negative("total_fisher", total_fisher)?;
    let j = non_negative("prior_information", prior_information)?;
    let info = finite_result("total information", f + j)?;
    if info > 0.0 {
        Ok(d * d / info)
    } else {
        Err(BoundError::NotPositive {
            name: "total_fisher + prior_information",
            value: info,
        })
    }
}

/// The van Trees lower bound on $`\mathbb{E}\|\hat\theta - \theta\|^2`$ after `rounds` $`= T`$
/// rounds, each capped by `cap`, with noise level `sigma` and prior `prior`:
/// $`d^2/(T \cdot \mathrm{cap} + J)`$. $`T = 0`$ gives the prior-only bound.
pub fn mse_lower_bound(
    d: usize,
    rounds: u64,
    sigma: f64,
    cap: FisherCap,
    prior: &Prior,
) -> Result<f64> {
    let per_round = cap.per_round(d, sigma)?;
    let j = prior.fisher_information(d)?;
    let total = finite_result("total Fisher information", rounds as f64 * per_round)?;
    van_trees_mse(d, total, j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn van_trees_is_d_squared_over_total_information() {
        // d = 3, F = 7, J = 2: 9/9 = 1.
        assert_eq!(van_trees_mse(3, 7.0, 2.0).unwrap(), 1.0);
    }

    #[test]
    fn zero_rounds_give_the_prior_only_bound() {
        // Gaussian prior s² = 2, d = 4: J = 2, bound 16/2 = 8 = d s² (the prior variance sum).
        let b = mse_lower_bound(
            4,
            0,
            1.0,
            FisherCap::Unquantized,
            &Prior::Gaussian { variance: 2.0 },
        )
        .unwrap();
        assert_eq!(b, 8.0);
    }

    #[test]
    fn statistical_bound_approaches_sigma_squared_d_over_t() {
        // Large T: d²/(T d/σ² + J) → σ² d / T, relative gap J σ²/(T d) = 4π²/1e9 ≈ 4e-8.
        let b = mse_lower_bound(
            5,
            1_000_000_000,
            2.0,
            FisherCap::Unquantized,
            &Prior::Box { half_width: 1.0 },
        )
        .unwrap();
        assert_relative_eq!(b, 4.0 * 5.0 / 1e9, max_relative = 1e-7);
        assert!(b < 4.0 * 5.0 / 1e9);
    }

    #[test]
    fn product_bound_penalises_by_d_over_two_b_ln_two_below_the_crossover() {
        // d = 1000, B = 10 bits, J → 0 (huge Gaussian prior): the ratio of the product bound to
        // the statistical one is d / (2 B ln 2) = 1000 / 13.86 = 72.13.
        let prior = Prior::Gaussian { variance: 1e30 };
        let stat = mse_lower_bound(1000, 1_000_000, 1.0, FisherCap::Unquantized, &prior).unwrap();
        let prod = mse_lower_bound(
            1000,
            1_000_000,
            1.0,
            FisherCap::BarnesOzgur { bits: 10.0 },
            &prior,
        )
        .unwrap();
        assert_relative_eq!(
            prod / stat,
            1000.0 / (20.0 * std::f64::consts::LN_2),
            max_relative = 1e-12
        );
    }

    #[test]
    fn bound_decreases_with_more_rounds() {
        let prior = Prior::Box { half_width: 3.0 };
        let cap = FisherCap::RateDistortion { bits: 4.0 };
        let mut last = f64::INFINITY;
        for t in [0, 1, 10, 100, 1000] {
            let b = mse_lower_bound(16, t, 1.0, cap, &prior).unwrap();
            assert!(b < last);
            last = b;
        }
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert_eq!(
            van_trees_mse(0, 1.0, 1.0),
            Err(BoundError::Zero { name: "d" })
        );
        assert!(van_trees_mse(1, -1.0, 1.0).is_err());
        assert!(van_trees_mse(1, 1.0, f64::NAN).is_err());
        assert!(matches!(
            van_trees_mse(1, 0.0, 0.0),
            Err(BoundError::NotPositive { .. })
        ));
        assert!(
            mse_lower_bound(
                1,
                1,
                0.0,
                FisherCap::Unquantized,
                &Prior::Box { half_width: 1.0 }
            )
            .is_err()
        );
        assert!(
            mse_lower_bound(
                1,
                1,
                1.0,
                FisherCap::BarnesOzgur { bits: 0.0 },
                &Prior::Box { half_width: 1.0 }
            )
            .is_err()
        );
    }
}
