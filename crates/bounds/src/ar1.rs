//! # Temporally correlated noise: the AR(1) oracle
//!
//! Per coordinate, $`Z_t = \rho Z_{t-1} + \sqrt{1 - \rho^2}\,\xi_t`$ (stationary, $`|\rho| < 1`$)
//! and the samples $`W_t = \theta - \sigma Z_t`$ have covariance $`\sigma^2 \Sigma`$ with
//! $`\Sigma_{ij} = \rho^{|i-j|}`$ (notes-000 §5.1, \[I\]).
//!
//! ```math
//! \begin{aligned}
//! F_T(\rho) &= \frac{\mathbf{1}^\top \Sigma^{-1} \mathbf{1}}{\sigma^2}
//!   = \frac{(T - 2)(1 - \rho) + 2}{\sigma^2 (1 + \rho)}
//!   \;\to\; \frac{T}{\sigma^2} \cdot \frac{1 - \rho}{1 + \rho} \\
//! \text{inflation} &= \frac{1 + \rho}{1 - \rho} \\
//! \text{rounds:}\quad T_\rho &= 1 + \frac{1 + \rho}{1 - \rho} \cdot (T_0 - 1) \\
//! \text{AR(1) rate–distortion gain} &= \frac12 \log_2 \frac{1}{1 - \rho^2}
//!   \quad \text{bits per sample per coordinate}
//! \end{aligned}
//! ```
//!
//! $`F_T`$ is exact (GLS; $`\Sigma^{-1}`$ is tridiagonal), and $`T_\rho`$ is the innovations
//! argument: after the first round each sample is worth $`(1 - \rho)/(1 + \rho)`$ of an
//! independent one, so a bound of $`T_0`$ i.i.d. rounds becomes $`T_\rho`$ correlated rounds —
//! positive correlation *raises* the bound (the
//! correction that Kim's abstract states \[V\]; the formulas are the notes' reconstruction \[I\]).
//! The rate–distortion gain is the intuition behind the "earlier conjecture" that correlation
//! helps; it is for discussion, not a bound on $`\theta`$.
//!
//! Code names: [`ar1_fisher`], [`ar1_inflation`], [`ar1_rounds`],
//! [`ar1_rate_distortion_gain_bits`].
//!
//! ```
//! use bounds::{ar1_fisher, ar1_inflation, ar1_rounds};
//!
//! // T = 10, ρ = 0.5, σ = 1: (8 · 0.5 + 2)/1.5 = 4.
//! assert!((ar1_fisher(10, 0.5, 1.0)? - 4.0).abs() < 1e-14);
//! assert_eq!(ar1_inflation(0.5)?, 3.0);
//! assert_eq!(ar1_rounds(101.0, 0.5)?, 301.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::LN_2;

use crate::error::Result;
use crate::validate::{correlation, finite_result, non_negative, sigma_squared};

/// Exact Fisher information per coordinate of `rounds` $`= T`$ AR(1) samples:
/// $`((T - 2)(1 - \rho) + 2)/(\sigma^2 (1 + \rho))`$ ($`T = 1`$ gives $`1/\sigma^2`$, $`T = 0`$
/// gives 0).
pub fn ar1_fisher(rounds: u64, rho: f64, sigma: f64) -> Result<f64> {
    let rho = correlation(rho)?;
    let s2 = sigma_squared(sigma)?;
    if rounds == 0 {
        return Ok(0.0);
    }
    let t = rounds as f64;
    finite_result(
        "fisher",
        ((t - 2.0) * (1.0 - rho) + 2.0) / (s2 * (1.0 + rho)),
    )
}

/// The inflation factor $`(1 + \rho)/(1 - \rho)`$ of the round count (a deflation for
/// $`\rho < 0`$).
pub fn ar1_inflation(rho: f64) -> Result<f64> {
    let rho = correlation(rho)?;
    finite_result("inflation", (1.0 + rho) / (1.0 - rho))
}

/// Rounds needed under AR(1) noise, $`T_\rho = 1 + \frac{1 + \rho}{1 - \rho} (T_0 - 1)`$, from
/// the i.i.d. count `t0` $`= T_0 \ge 0`$. For $`T_0 \le 1`$ the first round alone suffices and
/// $`T_0`$ is returned.
pub fn ar1_rounds(t0: f64, rho: f64) -> Result<f64> {
    let t0 = non_negative("t0", t0)?;
    let inflation = ar1_inflation(rho)?;
    if t0 <= 1.0 {
        Ok(t0)
    } else {
        finite_result("rounds", 1.0 + inflation * (t0 - 1.0))
    }
}

/// The rate–distortion saving of an AR(1) source, $`\frac12 \log_2(1/(1 - \rho^2))`$ bits per
/// sample per coordinate (evaluated with `ln_1p` for small $`\rho`$).
pub fn ar1_rate_distortion_gain_bits(rho: f64) -> Result<f64> {
    let rho = correlation(rho)?;
    finite_result("gain", -0.5 * (-rho * rho).ln_1p() / LN_2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BoundError;
    use approx::assert_relative_eq;

    /// The information sum $`\mathbf{1}^\top \Sigma^{-1} \mathbf{1}`$ for
    /// $`\Sigma_{ij} = \rho^{|i-j|}`$ by Gaussian elimination with partial pivoting.
    fn brute_force_information(t: usize, rho: f64) -> f64 {
        let mut a: Vec<Vec<f64>> = (0..t)
            .map(|i| {
                let mut row: Vec<f64> = (0..t)
                    .map(|j| rho.powi((i as i32 - j as i32).abs()))
                    .collect();
                row.push(1.0);
                row
            })
            .collect();
        for col in 0..t {
            let pivot = (col..t)
                .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
                .unwrap();
            a.swap(col, pivot);
            let (top, bottom) = a.split_at_mut(col + 1);
            let p = &top[col];
            for row in bottom.iter_mut() {
                let f = row[col] / p[col];
                for (x, y) in row[col..].iter_mut().zip(&p[col..]) {
                    *x -= f * y;
                }
            }
        }
        let mut x = vec![0.0; t];
        for i in (0..t).rev() {
            let s: f64 = (i + 1..t).map(|k| a[i][k] * x[k]).sum();
            x[i] = (a[i][t] - s) / a[i][i];
        }
        x.iter().sum()
    }

    #[test]
    fn closed_form_matches_toeplitz_inversion() {
        for t in 1..=12u64 {
            for rho in [-0.9, -0.3, 0.0, 0.5, 0.95] {
                let want = brute_force_information(t as usize, rho) / 4.0; // σ = 2
                assert_relative_eq!(ar1_fisher(t, rho, 2.0).unwrap(), want, max_relative = 1e-10);
            }
        }
    }

    #[test]
    fn independent_noise_gives_t_over_sigma_squared() {
        assert_eq!(ar1_fisher(7, 0.0, 1.0).unwrap(), 7.0);
    }

    #[test]
    fn one_round_carries_one_sample_and_zero_rounds_none() {
        assert_relative_eq!(ar1_fisher(1, 0.8, 1.0).unwrap(), 1.0, max_relative = 1e-15);
        assert_eq!(ar1_fisher(0, 0.8, 1.0).unwrap(), 0.0);
    }

    #[test]
    fn information_per_round_tends_to_the_inverse_inflation() {
        // F_T / T → (1 − ρ)/((1 + ρ) σ²) with a 1/T correction.
        let t = 10_000_000;
        let rho = 0.6;
        assert_relative_eq!(
            ar1_fisher(t, rho, 1.0).unwrap() / t as f64,
            1.0 / ar1_inflation(rho).unwrap(),
            max_relative = 1e-6
        );
    }

    #[test]
    fn positive_correlation_loses_information() {
        assert!(ar1_fisher(50, 0.3, 1.0).unwrap() < ar1_fisher(50, 0.0, 1.0).unwrap());
        assert!(ar1_fisher(50, -0.3, 1.0).unwrap() > ar1_fisher(50, 0.0, 1.0).unwrap());
    }

    #[test]
    fn inflated_rounds_restore_the_iid_information() {
        // F_{T_ρ}(ρ) = F_{T_0}(0) when T_ρ − 1 = infl (T_0 − 1): 1 + (T_ρ − 1)(1−ρ)/(1+ρ) = T_0.
        let (t0, rho) = (41.0, 0.6); // infl = 4, T_ρ = 161
        let t_rho = ar1_rounds(t0, rho).unwrap();
        assert_relative_eq!(t_rho, 161.0, max_relative = 1e-15);
        assert_relative_eq!(
            ar1_fisher(161, rho, 1.0).unwrap(),
            ar1_fisher(41, 0.0, 1.0).unwrap(),
            max_relative = 1e-14
        );
    }

    #[test]
    fn rounds_below_one_are_unchanged() {
        assert_eq!(ar1_rounds(0.0, 0.9).unwrap(), 0.0);
        assert_eq!(ar1_rounds(0.7, 0.9).unwrap(), 0.7);
    }

    #[test]
    fn rate_distortion_gain_is_half_log_of_one_over_one_minus_rho_squared() {
        // ρ² = 3/4: ½ log2 4 = 1 bit.
        assert_relative_eq!(
            ar1_rate_distortion_gain_bits(0.75f64.sqrt()).unwrap(),
            1.0,
            max_relative = 1e-14
        );
        assert_eq!(ar1_rate_distortion_gain_bits(0.0).unwrap(), 0.0);
    }

    #[test]
    fn rejects_invalid_parameters() {
        for rho in [1.0, -1.0, 1.5, f64::NAN] {
            assert!(matches!(
                ar1_fisher(3, rho, 1.0),
                Err(BoundError::OutOfRange { name: "rho", .. }) | Err(BoundError::NonFinite { .. })
            ));
            assert!(ar1_inflation(rho).is_err());
            assert!(ar1_rounds(3.0, rho).is_err());
            assert!(ar1_rate_distortion_gain_bits(rho).is_err());
        }
        assert!(ar1_fisher(3, 0.1, 0.0).is_err());
        assert!(ar1_rounds(-1.0, 0.1).is_err());
        assert!(ar1_rounds(f64::INFINITY, 0.1).is_err());
    }
}
