//! # Rounds needed for a target MSE
//!
//! Solving the van Trees bound $`d^2/(T \cdot \mathrm{cap} + J) \le D`$ for $`T`$ (notes-000 §2,
//! §8.1 item 4):
//!
//! ```math
//! T \ge \frac{d^2/D - J}{\mathrm{cap}}
//! \qquad \Big(0 \text{ when } d^2/D \le J \text{: the prior alone already meets } D\Big)
//! ```
//!
//! ```math
//! \begin{aligned}
//! &\text{statistical} & \mathrm{cap} &= d/\sigma^2 &
//!   T &\ge \sigma^2 (d/D - J/d) && \text{(Theorem 2)} \\
//! &\text{product, BO} & \mathrm{cap} &= \min\{d, 2B \ln 2\}/\sigma^2 &
//!   T &\ge \sigma^2 (d/D - J/d) \max\{1, d/(2B \ln 2)\} && \text{(Theorem 3)} \\
//! &\text{product, RD} & \mathrm{cap} &= d\,(1 - 4^{-B/d})/\sigma^2 &
//!   T &\ge \sigma^2 (d/D - J/d) / (1 - 4^{-B/d}) && \text{([I])}
//! \end{aligned}
//! ```
//!
//! With $`D = 2\varepsilon^2`$ ([`EpsilonConvention`](crate::EpsilonConvention)) the statistical
//! line is Kim's $`T = \Omega(\sigma^2 d/\varepsilon^2)`$ and the product line
//! $`\Omega((\sigma^2 d/\varepsilon^2) \max\{1, d/B\})`$. Constants are the notes'
//! reconstruction \[I\].
//!
//! Code names: [`rounds_for_information`] (from a cap and $`J`$), [`rounds_needed`] (real-valued,
//! from a [`FisherCap`] and a [`Prior`]) and [`rounds_needed_ceil`] (the smallest integer $`T`$).
//! All are computed in floating point: a real value within rounding of an integer may round up to
//! the next.
//!
//! ```
//! use bounds::{rounds_needed, rounds_needed_ceil, EpsilonConvention, FisherCap, Prior};
//!
//! // d = 100, sigma = 1, eps = 0.1 (D = 0.02), box prior b = 10 (J = 100 π²/100 = π²).
//! let mse = EpsilonConvention::default().mse(0.1)?;
//! let prior = Prior::Box { half_width: 10.0 };
//! let t = rounds_needed(100, 1.0, mse, FisherCap::Unquantized, &prior)?;
//! assert!((t - (100.0 / 0.02 - std::f64::consts::PI.powi(2) / 100.0)).abs() < 1e-9);
//! // One bit per round costs a factor d/(2 ln 2) more.
//! let t1 = rounds_needed_ceil(100, 1.0, mse, FisherCap::BarnesOzgur { bits: 1.0 }, &prior)?;
//! assert_eq!(t1, (t * 100.0 / (2.0 * std::f64::consts::LN_2)).ceil() as u64);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use crate::error::{BoundError, Result};
use crate::fisher_caps::FisherCap;
use crate::prior::Prior;
use crate::validate::{dimension, finite_result, non_negative, positive};

/// Real-valued rounds $`\max\{0, (d^2/D - J)/\mathrm{cap}\}`$ for a target `mse` $`= D > 0`$, a
/// per-round Fisher cap $`\mathrm{cap} > 0`$ and a prior information $`J \ge 0`$.
pub fn rounds_for_information(
    d: usize,
    mse: f64,
    per_round_fisher: f64,
    prior_information: f64,
) -> Result<f64> {
    let d = dimension(d)?;
    let target = positive("mse", mse)?;
    let cap = positive("per_round_fisher", per_round_fisher)?;
    let j = non_negative("prior_information", prior_information)?;
    let needed = finite_result("d^2/mse", d * d / target)? - j;
    if needed <= 0.0 {
        Ok(0.0)
    } else {
        finite_result("rounds", needed / cap)
    }
}

/// Real-valued rounds needed to reach $`\mathbb{E}\|x_T - x^*\|^2 \le D`$ (`mse` $`= D`$) under
/// `cap` and `prior`.
pub fn rounds_needed(d: usize, sigma: f64, mse: f64, cap: FisherCap, prior: &Prior) -> Result<f64> {
    let per_round = cap.per_round(d, sigma)?;
    let j = prior.fisher_information(d)?;
    rounds_for_information(d, mse, per_round, j)
}

/// The smallest integer number of rounds allowed by the bound: `ceil` of [`rounds_needed`].
pub fn rounds_needed_ceil(
    d: usize,
    sigma: f64,
    mse: f64,
    cap: FisherCap,
    prior: &Prior,
) -> Result<u64> {
    ceil_to_u64("rounds", rounds_needed(d, sigma, mse, cap, prior)?)
}

/// The ceiling $`\lceil x \rceil`$ for a finite $`x \ge 0`$, or [`BoundError::Overflow`] when it
/// exceeds `u64::MAX`.
pub(crate) fn ceil_to_u64(what: &'static str, x: f64) -> Result<u64> {
    let c = x.ceil();
    // u64::MAX as f64 is 2^64, the first value that no longer fits.
    if c.is_finite() && c >= 0.0 && c < u64::MAX as f64 {
        Ok(c as u64)
    } else {
        Err(BoundError::Overflow { what })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::van_trees::mse_lower_bound;
    use approx::assert_relative_eq;
    use std::f64::consts::LN_2;

    #[test]
    fn statistical_rounds_are_sigma_squared_times_d_over_d_minus_j_over_d() {
        // d = 4, sigma = 2, D = 0.5, Gaussian s² = 1 (J = 4): σ²(d/D − J/d) = 4 (8 − 1) = 28.
        let t = rounds_needed(
            4,
            2.0,
            0.5,
            FisherCap::Unquantized,
            &Prior::Gaussian { variance: 1.0 },
        )
        .unwrap();
        assert_eq!(t, 28.0);
    }

    #[test]
    fn rounds_are_zero_when_the_prior_already_meets_the_target() {
        // J = d/s² = 4 and d²/D = 16/8 = 2 <= 4.
        let prior = Prior::Gaussian { variance: 1.0 };
        assert_eq!(
            rounds_needed(4, 1.0, 8.0, FisherCap::Unquantized, &prior).unwrap(),
            0.0
        );
        assert_eq!(
            rounds_needed_ceil(4, 1.0, 8.0, FisherCap::Unquantized, &prior).unwrap(),
            0
        );
    }

    #[test]
    fn product_bo_rounds_scale_by_d_over_two_b_ln_two() {
        // d = 100, B = 5: factor 100 / (10 ln 2) = 14.427.
        let prior = Prior::Box { half_width: 1.0 };
        let stat = rounds_needed(100, 1.0, 0.01, FisherCap::Unquantized, &prior).unwrap();
        let bo =
            rounds_needed(100, 1.0, 0.01, FisherCap::BarnesOzgur { bits: 5.0 }, &prior).unwrap();
        assert_relative_eq!(bo / stat, 100.0 / (10.0 * LN_2), max_relative = 1e-14);
    }

    #[test]
    fn product_bo_rounds_equal_statistical_above_the_crossover() {
        let prior = Prior::Box { half_width: 1.0 };
        let stat = rounds_needed(100, 1.0, 0.01, FisherCap::Unquantized, &prior).unwrap();
        let bo = rounds_needed(
            100,
            1.0,
            0.01,
            FisherCap::BarnesOzgur { bits: 73.0 },
            &prior,
        )
        .unwrap();
        assert_eq!(bo, stat); // 2 * 73 ln 2 = 101.2 > 100
    }

    #[test]
    fn product_rd_rounds_divide_by_one_minus_four_to_the_minus_b_over_d() {
        // B = d: factor 1/(3/4) = 4/3.
        let prior = Prior::Gaussian { variance: 1.0 };
        let stat = rounds_needed(10, 1.0, 0.1, FisherCap::Unquantized, &prior).unwrap();
        let rd = rounds_needed(
            10,
            1.0,
            0.1,
            FisherCap::RateDistortion { bits: 10.0 },
            &prior,
        )
        .unwrap();
        assert_relative_eq!(rd / stat, 4.0 / 3.0, max_relative = 1e-14);
    }

    #[test]
    fn one_thirty_second_bit_per_coordinate_costs_about_23_times() {
        // notes-000 §6 [S/N]: at 1/32 bit per coordinate the round count grows d/B = 32 times,
        // or 32/(2 ln 2) = 23.08 with the Barnes–Özgür constant.
        let prior = Prior::Gaussian { variance: 1.0 };
        let d = 1 << 20;
        let stat = rounds_needed(d, 1.0, 1.0, FisherCap::Unquantized, &prior).unwrap();
        let bo = rounds_needed(
            d,
            1.0,
            1.0,
            FisherCap::BarnesOzgur {
                bits: d as f64 / 32.0,
            },
            &prior,
        )
        .unwrap();
        assert_relative_eq!(bo / stat, 23.083, max_relative = 1e-4);
    }

    #[test]
    fn ceiling_rounds_meet_the_target_and_one_fewer_does_not() {
        let prior = Prior::Box { half_width: 2.0 };
        let cap = FisherCap::RateDistortion { bits: 3.0 };
        let target = 0.05;
        let t = rounds_needed_ceil(8, 1.5, target, cap, &prior).unwrap();
        assert!(mse_lower_bound(8, t, 1.5, cap, &prior).unwrap() <= target);
        assert!(mse_lower_bound(8, t - 1, 1.5, cap, &prior).unwrap() > target);
    }

    #[test]
    fn rounds_grow_as_the_target_shrinks() {
        let prior = Prior::Box { half_width: 1.0 };
        let a = rounds_needed(10, 1.0, 0.1, FisherCap::Unquantized, &prior).unwrap();
        let b = rounds_needed(10, 1.0, 0.01, FisherCap::Unquantized, &prior).unwrap();
        assert!(b > a);
    }

    #[test]
    fn rejects_invalid_parameters() {
        let prior = Prior::Box { half_width: 1.0 };
        assert!(matches!(
            rounds_needed(4, 1.0, 0.0, FisherCap::Unquantized, &prior),
            Err(BoundError::NotPositive { name: "mse", .. })
        ));
        assert!(rounds_needed(4, 1.0, -1.0, FisherCap::Unquantized, &prior).is_err());
        assert!(rounds_needed(0, 1.0, 1.0, FisherCap::Unquantized, &prior).is_err());
        assert!(rounds_needed(4, f64::NAN, 1.0, FisherCap::Unquantized, &prior).is_err());
        assert!(rounds_for_information(4, 1.0, 0.0, 0.0).is_err());
        assert!(rounds_for_information(4, 1.0, 1.0, -1.0).is_err());
        assert_eq!(
            rounds_needed_ceil(1, 1.0, 1e-30, FisherCap::Unquantized, &prior),
            Err(BoundError::Overflow { what: "rounds" })
        );
    }
}
