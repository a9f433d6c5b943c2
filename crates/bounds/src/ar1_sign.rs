//! # The adaptive sign recursion under AR(1) noise (an achievability prediction, not a bound)
//!
//! Per coordinate the samples are $`W_n = \theta - \sigma Z_n`$ with the stationary AR(1) noise
//! $`Z_n = \rho Z_{n-1} + \sqrt{1 - \rho^2}\,\xi_n`$ of notes-000 §5.1, and one sign bit per
//! sample drives the Kipnis–Duchi recursion (notes-000 §7.4, [`crate::one_bit_adaptive_mse`]):
//!
//! ```math
//! \theta_n = \theta_{n-1} + \frac{\sigma \sqrt{\pi/2}}{n} \operatorname{sign}(W_n - \theta_{n-1}).
//! ```
//!
//! Its mean field $`h(t) = \sigma \sqrt{\pi/2}\, \mathbb{E} \operatorname{sign}(W - t)`$ has slope
//! $`-1`$ at $`\theta`$, so, linearised at $`\theta`$, this is Robbins–Monro with step $`1/n`$,
//! optimal gain and stationary dependent noise $`\sigma \sqrt{\pi/2} \operatorname{sign}(Z_n)`$;
//! then $`n\,\mathbb{E}(\theta_n - \theta)^2`$ tends to the noise's long-run variance (\[I\]:
//! standard Robbins–Monro asymptotics with mixing noise, not checked against a source). Sheppard's
//! arcsine formula
//! $`\mathbb{E}[\operatorname{sign} X \operatorname{sign} Y] = \frac{2}{\pi} \arcsin r`$ for a
//! standard bivariate normal pair with correlation $`r`$ (\[R\]) gives
//! $`\operatorname{Corr}(\operatorname{sign} Z_0, \operatorname{sign} Z_k)
//! = \frac{2}{\pi} \arcsin(\rho^k)`$, hence
//!
//! ```math
//! n\,\mathbb{E}(\theta_n - \theta)^2 \;\to\; \frac{\pi \sigma^2}{2} S(\rho), \qquad
//! S(\rho) = 1 + \frac{4}{\pi} \sum_{k \ge 1} \arcsin(\rho^k).
//! ```
//!
//! The unquantized sample mean has the factor
//! $`(1 + \rho)/(1 - \rho) = 1 + 2 \sum_k \rho^k`$ ([`crate::ar1_inflation`]) in place of
//! $`S(\rho)`$. Since $`\frac{2}{\pi} \arcsin x \le x`$ on $`[0, 1]`$, positive correlation costs
//! the sign recursion *less* than it costs the sample mean: $`S(0) = 1`$, $`S(0.5) = 2.307`$
//! against 3, $`S(0.9) = 13.28`$ against 19, and as $`\rho \to 1`$
//! $`S(\rho) \sim 2 \ln 2/(1 - \rho)`$ against $`2/(1 - \rho)`$, so the sign recursion's MSE
//! approaches $`\frac{\pi}{2} \ln 2 \approx 1.089`$ times the unquantized Cramér–Rao value
//! $`\sigma^2 (1 + \rho)/((1 - \rho)\, n)`$ instead of $`\pi/2`$ (the factor at $`\rho = 0`$). A
//! coordinate described every $`s`$-th round sees the AR(1) chain sub-sampled, with coefficient
//! $`\rho^s`$: pass $`\rho^s`$ to [`ar1_sign_factor`].
//!
//! Only the leading $`1/n`$ term is given; the finite-$`n`$ correction is not known in closed
//! form. The series is summed as $`\rho/(1 - \rho) + \sum_k (\arcsin(\rho^k) - \rho^k)`$, whose
//! terms fall like $`|\rho|^{3k}`$; this needs about $`13/(1 - |\rho|)`$ terms, so $`|\rho|`$ is
//! limited to [`AR1_SIGN_MAX_RHO`].
//!
//! Code names: [`ar1_sign_factor`] ($`S(\rho)`$), [`ar1_sign_mse`]
//! ($`\pi \sigma^2 S(\rho)/(2n)`$).
//!
//! ```
//! use bounds::{ar1_inflation, ar1_sign_factor, ar1_sign_mse, one_bit_adaptive_mse};
//!
//! assert_eq!(ar1_sign_factor(0.0)?, 1.0);
//! assert!(ar1_sign_factor(0.9)? < ar1_inflation(0.9)?); // correlation hurts sign bits less
//! assert_eq!(ar1_sign_mse(100, 0.0, 2.0)?, one_bit_adaptive_mse(100, 2.0)?);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::PI;

use crate::error::{BoundError, Result};
use crate::validate::{correlation, count, finite_result, sigma_squared};

/// The largest $`|\rho|`$ for which [`ar1_sign_factor`] sums its series (about $`1.3 \cdot 10^7`$
/// terms).
pub const AR1_SIGN_MAX_RHO: f64 = 1.0 - 1e-6;

/// The relative size below which the remaining terms of the series are dropped.
const SERIES_TOLERANCE: f64 = 1e-17;

/// The long-run variance $`S(\rho)`$ of $`\operatorname{sign}(Z_n)`$ for stationary AR(1) noise
/// with coefficient $`\rho`$: the factor by which the noise multiplies the asymptotic MSE of the
/// adaptive sign recursion,
///
/// ```math
/// S(\rho) = 1 + \frac{4}{\pi} \sum_{k \ge 1} \arcsin(\rho^k).
/// ```
///
/// Requires $`|\rho| \le`$ [`AR1_SIGN_MAX_RHO`].
pub fn ar1_sign_factor(rho: f64) -> Result<f64> {
    let rho = correlation(rho)?;
    if rho.abs() > AR1_SIGN_MAX_RHO {
        return Err(BoundError::OutOfRange {
            name: "rho",
            value: rho,
            range: "|rho| <= 1 - 1e-6 (the series needs about 13/(1 - |rho|) terms)",
        });
    }
    // Σ ρ^k in closed form; the rest, arcsin(x) − x = x³/6 + ..., falls like |ρ|^{3k}.
    let geometric = rho / (1.0 - rho);
    let cube = rho.abs().powi(3);
    let mut remainder = 0.0;
    let mut power = rho;
    while power != 0.0 {
        remainder += power.asin() - power;
        // The terms left after this one are at most (π/2 − 1)|ρ^k|³ |ρ|³/(1 − |ρ|³).
        let tail = power.abs().powi(3) * cube / (1.0 - cube);
        if tail <= SERIES_TOLERANCE * (1.0 + geometric.abs()) {
            break;
        }
        power *= rho;
    }
    finite_result("factor", 1.0 + 4.0 / PI * (geometric + remainder))
}

/// Leading term $`\pi \sigma^2 S(\rho)/(2n)`$ of the MSE per coordinate of the adaptive sign
/// recursion after `samples` $`= n \ge 1`$ sign bits under AR(1) noise ($`\rho = 0`$ is the
/// Kipnis–Duchi $`\pi \sigma^2/(2n)`$).
pub fn ar1_sign_mse(samples: u64, rho: f64, sigma: f64) -> Result<f64> {
    let n = count("n", samples)?;
    let s2 = sigma_squared(sigma)?;
    let factor = ar1_sign_factor(rho)?;
    finite_result("mse", PI * s2 * factor / (2.0 * n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ar1::ar1_inflation;
    use crate::kipnis_duchi::one_bit_adaptive_mse;
    use approx::assert_relative_eq;
    use std::f64::consts::LN_2;

    /// The series summed term by term, $`1 + \frac{4}{\pi} \sum_{k=1}^{n} \arcsin(\rho^k)`$.
    fn direct_sum(rho: f64, terms: i32) -> f64 {
        1.0 + 4.0 / PI * (1..=terms).map(|k| rho.powi(k).asin()).sum::<f64>()
    }

    #[test]
    fn independent_noise_gives_one() {
        assert_eq!(ar1_sign_factor(0.0).unwrap(), 1.0);
    }

    #[test]
    fn factor_matches_reference_values() {
        // Reference: the direct sum of 2·10⁵ terms, computed independently in double precision.
        assert_relative_eq!(
            ar1_sign_factor(0.5).unwrap(),
            2.307_175_757_127_42,
            max_relative = 1e-14
        );
        assert_relative_eq!(
            ar1_sign_factor(-0.5).unwrap(),
            0.548_581_263_649_927,
            max_relative = 1e-13
        );
        assert_relative_eq!(
            ar1_sign_factor(0.9).unwrap(),
            13.278_868_699_399_94,
            max_relative = 1e-13
        );
    }

    #[test]
    fn factor_matches_the_term_by_term_sum() {
        for rho in [-0.95, -0.3, 0.1, 0.7, 0.99] {
            assert_relative_eq!(
                ar1_sign_factor(rho).unwrap(),
                direct_sum(rho, 20_000),
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn first_order_term_is_four_over_pi_times_rho() {
        // arcsin x = x + x³/6 + O(x⁵): S(ρ) = 1 + (4/π)(ρ + ρ² + (7/6)ρ³ + ρ⁴) + O(ρ⁵).
        let rho: f64 = 1e-3;
        let want = 1.0 + 4.0 / PI * (rho + rho * rho + rho.powi(3) * 7.0 / 6.0 + rho.powi(4));
        assert_relative_eq!(ar1_sign_factor(rho).unwrap(), want, max_relative = 1e-12);
    }

    #[test]
    fn positive_correlation_hurts_sign_bits_less_than_the_sample_mean() {
        for rho in [0.1, 0.5, 0.9, 0.999] {
            let s = ar1_sign_factor(rho).unwrap();
            assert!(s > 1.0);
            assert!(s < ar1_inflation(rho).unwrap());
        }
    }

    #[test]
    fn sign_recursion_never_beats_the_unquantized_cramer_rao_value() {
        // (π/2) S(ρ) >= (1 + ρ)/(1 − ρ): a one-bit estimator cannot beat the full samples.
        for i in -19..=19 {
            let rho = f64::from(i) / 20.0;
            assert!(PI / 2.0 * ar1_sign_factor(rho).unwrap() >= ar1_inflation(rho).unwrap());
        }
    }

    #[test]
    fn efficiency_tends_to_half_pi_ln_two_as_rho_tends_to_one() {
        // (π/2) S(ρ)/((1 + ρ)/(1 − ρ)) → (π/2) ln 2 = 1.0888; at ρ = 0.9999 within 2e-6.
        let rho = 0.9999;
        let ratio = PI / 2.0 * ar1_sign_factor(rho).unwrap() / ar1_inflation(rho).unwrap();
        assert_relative_eq!(ratio, PI / 2.0 * LN_2, max_relative = 2e-6);
    }

    #[test]
    fn mse_is_the_kipnis_duchi_limit_times_the_factor() {
        let (n, rho, sigma) = (250, 0.5, 3.0);
        assert_relative_eq!(
            ar1_sign_mse(n, rho, sigma).unwrap(),
            one_bit_adaptive_mse(n, sigma).unwrap() * ar1_sign_factor(rho).unwrap(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn rejects_invalid_parameters() {
        for rho in [1.0, -1.0, f64::NAN, f64::INFINITY, 1.0 - 1e-9] {
            assert!(ar1_sign_factor(rho).is_err());
        }
        assert!(matches!(
            ar1_sign_factor(-1.0 + 1e-9),
            Err(BoundError::OutOfRange { name: "rho", .. })
        ));
        assert!(ar1_sign_factor(AR1_SIGN_MAX_RHO).is_ok());
        assert!(matches!(
            ar1_sign_mse(0, 0.5, 1.0),
            Err(BoundError::Zero { name: "n" })
        ));
        assert!(ar1_sign_mse(10, 0.5, 0.0).is_err());
    }
}
