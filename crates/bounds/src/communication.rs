//! # Communication bounds on the total bits $`TB`$ (Kim's Theorem 1, rate–distortion form)
//!
//! The estimate is a function of the transcript and public coins $`U`$ (independent of
//! $`\theta`$), so $`I(\theta; \hat\theta) \le I(\theta; M^T \mid U) \le H(M^T) \le TB`$ bits,
//! whatever the noise (even $`\sigma = 0`$). Comparing with the rate–distortion function of the
//! prior at distortion $`D = \mathbb{E}\|\hat\theta - \theta\|^2`$ (notes-000 §2 Theorem 1,
//! reconstruction \[I\]):
//!
//! ```math
//! \begin{aligned}
//! &\text{Gaussian prior } \mathcal{N}(0, s^2 I_d): &
//!   TB &\ge R(D) = \frac{d}{2} \log_2 \frac{d s^2}{D} && (0 \text{ for } D \ge d s^2) \\
//! &\text{uniform prior on } [-b, b]^d \text{ (SLB)}: &
//!   TB &\ge \frac{d}{2} \log_2 \frac{2 b^2 d}{\pi e D} && \text{(clamped at 0)}
//! \end{aligned}
//! ```
//!
//! The second is the Shannon lower bound $`h(\theta) - \frac{d}{2} \log_2(2\pi e D/d)`$ with
//! $`h(\theta) = d \log_2(2b)`$.
//! Both are in bits (total over all rounds). Fano-type bounds are in [`crate::fano`].
//!
//! Code names: [`gaussian_rate_distortion_bits`], [`box_shannon_lower_bound_bits`], and
//! [`total_bits_lower_bound`] which picks one by [`Prior`].
//!
//! ```
//! use bounds::{gaussian_rate_distortion_bits, total_bits_lower_bound, Prior};
//!
//! // d = 10, s² = 1, D = 10/1024: (10/2) log2(1024) = 50 bits.
//! assert!((gaussian_rate_distortion_bits(10, 1.0, 10.0 / 1024.0)? - 50.0).abs() < 1e-12);
//! let tb = total_bits_lower_bound(10, 0.01, &Prior::Box { half_width: 1.0 })?;
//! assert!(tb > 0.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::{E, PI};

use crate::error::Result;
use crate::prior::Prior;
use crate::validate::{dimension, positive};

/// Rate–distortion function of $`\mathcal{N}(0, s^2 I_d)`$ under total squared error $`D`$:
/// $`\max\{0, \frac{d}{2} \log_2(d s^2/D)\}`$ bits.
pub fn gaussian_rate_distortion_bits(d: usize, variance: f64, mse: f64) -> Result<f64> {
    let d = dimension(d)?;
    let s2 = positive("s2", variance)?;
    let target = positive("mse", mse)?;
    // Sum of logs: d s² may overflow where the ratio does not.
    let bits = 0.5 * d * (d.log2() + s2.log2() - target.log2());
    Ok(bits.max(0.0))
}

/// Shannon lower bound for the uniform prior on $`[-b, b]^d`$ under total squared error $`D`$:
/// $`\max\{0, \frac{d}{2} \log_2(2 b^2 d/(\pi e D))\}`$ bits.
pub fn box_shannon_lower_bound_bits(d: usize, half_width: f64, mse: f64) -> Result<f64> {
    let d = dimension(d)?;
    let b = positive("b", half_width)?;
    let target = positive("mse", mse)?;
    let bits = 0.5 * d * (1.0 + 2.0 * b.log2() + d.log2() - (PI * E).log2() - target.log2());
    Ok(bits.max(0.0))
}

/// The rate–distortion lower bound on $`TB`$ for `prior`: Gaussian →
/// [`gaussian_rate_distortion_bits`], box → [`box_shannon_lower_bound_bits`] (uniform density on
/// the box).
pub fn total_bits_lower_bound(d: usize, mse: f64, prior: &Prior) -> Result<f64> {
    match *prior {
        Prior::Gaussian { variance } => gaussian_rate_distortion_bits(d, variance, mse),
        Prior::Box { half_width } => box_shannon_lower_bound_bits(d, half_width, mse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BoundError;
    use approx::assert_relative_eq;

    #[test]
    fn gaussian_rate_is_half_log_of_variance_ratio_per_coordinate() {
        // d = 4, s² = 2, D = 0.5: (4/2) log2(4 * 2 / 0.5) = 2 * 4 = 8 bits.
        assert_relative_eq!(
            gaussian_rate_distortion_bits(4, 2.0, 0.5).unwrap(),
            8.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn gaussian_rate_is_zero_at_and_above_the_prior_variance() {
        assert_eq!(gaussian_rate_distortion_bits(4, 2.0, 8.0).unwrap(), 0.0);
        assert_eq!(gaussian_rate_distortion_bits(4, 2.0, 100.0).unwrap(), 0.0);
    }

    #[test]
    fn shannon_lower_bound_matches_entropy_minus_gaussian_entropy() {
        // h(θ) = d log2(2b); SLB = h − (d/2) log2(2πe D/d). d = 3, b = 5, D = 0.01.
        let (d, b, dd) = (3.0_f64, 5.0_f64, 0.01_f64);
        let want = d * (2.0 * b).log2() - 0.5 * d * (2.0 * PI * E * dd / d).log2();
        assert_relative_eq!(
            box_shannon_lower_bound_bits(3, b, dd).unwrap(),
            want,
            max_relative = 1e-14
        );
    }

    #[test]
    fn shannon_lower_bound_is_below_the_gaussian_rate_of_equal_variance() {
        // A uniform on [−b, b] has variance b²/3; the Gaussian of equal variance has the largest
        // rate-distortion function, so SLB(uniform) <= R_gauss(b²/3).
        for dd in [1e-4, 1e-2, 0.5] {
            let slb = box_shannon_lower_bound_bits(16, 1.0, dd).unwrap();
            let rg = gaussian_rate_distortion_bits(16, 1.0 / 3.0, dd).unwrap();
            assert!(slb <= rg, "D = {dd}");
        }
    }

    #[test]
    fn halving_the_target_costs_half_a_bit_per_coordinate() {
        let a = gaussian_rate_distortion_bits(100, 1.0, 0.01).unwrap();
        let b = gaussian_rate_distortion_bits(100, 1.0, 0.005).unwrap();
        assert_relative_eq!(b - a, 50.0, max_relative = 1e-12);
        let a = box_shannon_lower_bound_bits(100, 1.0, 0.01).unwrap();
        let b = box_shannon_lower_bound_bits(100, 1.0, 0.005).unwrap();
        assert_relative_eq!(b - a, 50.0, max_relative = 1e-12);
    }

    #[test]
    fn selector_dispatches_by_prior() {
        assert_eq!(
            total_bits_lower_bound(4, 0.5, &Prior::Gaussian { variance: 2.0 }).unwrap(),
            gaussian_rate_distortion_bits(4, 2.0, 0.5).unwrap()
        );
        assert_eq!(
            total_bits_lower_bound(4, 0.5, &Prior::Box { half_width: 2.0 }).unwrap(),
            box_shannon_lower_bound_bits(4, 2.0, 0.5).unwrap()
        );
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert_eq!(
            gaussian_rate_distortion_bits(0, 1.0, 1.0),
            Err(BoundError::Zero { name: "d" })
        );
        assert!(gaussian_rate_distortion_bits(1, 0.0, 1.0).is_err());
        assert!(gaussian_rate_distortion_bits(1, 1.0, 0.0).is_err());
        assert!(box_shannon_lower_bound_bits(1, -1.0, 1.0).is_err());
        assert!(box_shannon_lower_bound_bits(1, 1.0, f64::NAN).is_err());
    }
}
