//! # Fisher-trace caps per $`B`$-bit round
//!
//! One round gives the decoder a message $`Y`$ (at most $`B`$ bits) about one sample
//! $`W \sim \mathcal{N}(\theta, \sigma^2 I_d)`$ (Kim's reduction, notes-000 Lemma 1). The Fisher
//! information that $`Y`$ carries about $`\theta`$ is capped three ways (notes-000 §2 Theorem 3,
//! §7.1, §8.1 item 1):
//!
//! ```math
//! \begin{aligned}
//! &\text{unquantized (data processing)} &
//!   \operatorname{tr} I_Y(\theta) &\le \frac{d}{\sigma^2} \\
//! &\text{Barnes–Özgür (2021) [R]} &
//!   \operatorname{tr} I_Y(\theta) &\le 2 K^2 I(W; Y) \le \frac{\min\{d, 2 B \ln 2\}}{\sigma^2}
//!   && (K^2 = 1/\sigma^2,\ I \text{ in nats}) \\
//! &\text{rate–distortion (reconstruction [I])} &
//!   \operatorname{tr} I_Y(\theta) &\le \frac{d}{\sigma^2} \left(1 - 4^{-B/d}\right)
//! \end{aligned}
//! ```
//!
//! The last one follows from
//! $`\operatorname{tr} I_Y = (d\sigma^2 - \operatorname{mmse}(W \mid Y))/\sigma^4`$ in the
//! Gaussian location model and the Gaussian rate–distortion bound
//! $`\operatorname{mmse} \ge d\sigma^2\, 2^{-2I/d}`$; it is the notes' own derivation, not the
//! paper's, and is never larger than the Barnes–Özgür cap. It recovers the slope $`2 \ln 2`$ per
//! bit as $`B/d \to 0`$ and the unquantized cap as $`B/d \to \infty`$; at $`B = d`$ it is
//! $`3/4`$ of it. The two caps cross at $`B^* = d/(2 \ln 2) \approx 0.7213\, d`$ bits per round
//! ([`crossover_bits`]).
//!
//! Units: information about $`\theta`$ per round, in $`1/(\text{units of } \theta)^2`$; bits are
//! bits per round and may be fractional (an entropy budget: the bounds hold for variable-length
//! messages of average length $`B`$). Code names: [`unquantized_cap`], [`barnes_ozgur_cap`],
//! [`rate_distortion_cap`], [`sub_gaussian_cap`], and the selector [`FisherCap`].
//!
//! ```
//! use bounds::{barnes_ozgur_cap, rate_distortion_cap, unquantized_cap, FisherCap};
//!
//! // d = 100, B = 100 bits, sigma = 1.
//! assert_eq!(unquantized_cap(100, 1.0)?, 100.0);
//! assert_eq!(barnes_ozgur_cap(100, 100.0, 1.0)?, 100.0); // 2 B ln 2 = 138.6 > d
//! assert!((rate_distortion_cap(100, 100.0, 1.0)? - 75.0).abs() < 1e-12); // d (1 - 1/4)
//! assert_eq!(FisherCap::BarnesOzgur { bits: 10.0 }.per_round(100, 2.0)?, 20.0 * std::f64::consts::LN_2 / 4.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::LN_2;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::validate::{dimension, finite_result, non_negative, positive, sigma_squared};

/// The Barnes–Özgür slope $`2 \ln 2`$: Fisher trace per bit of mutual information, in units of
/// $`1/\sigma^2`$.
pub const BITS_TO_FISHER_SLOPE: f64 = 2.0 * LN_2;

/// Unquantized cap $`d/\sigma^2`$: the Fisher trace of one full sample
/// $`\mathcal{N}(\theta, \sigma^2 I_d)`$.
pub fn unquantized_cap(d: usize, sigma: f64) -> Result<f64> {
    let d = dimension(d)?;
    finite_result("d/sigma^2", d / sigma_squared(sigma)?)
}

/// Barnes–Özgür cap $`\min\{d, 2 B \ln 2\}/\sigma^2`$ for a message of `bits` $`= B > 0`$ bits.
///
/// Source: Barnes & Özgür (ISIT 2021), $`\operatorname{tr} I_Y \le 2K^2 I(X;Y)`$ with
/// $`K^2 = 1/\sigma^2`$ and $`I(X;Y) \le B \ln 2`$ nats \[R, notes-000 §7.1\]; used by Kim's
/// Theorem 3.
pub fn barnes_ozgur_cap(d: usize, bits: f64, sigma: f64) -> Result<f64> {
    let d = dimension(d)?;
    let bits = positive("bits", bits)?;
    let s2 = sigma_squared(sigma)?;
    finite_result("cap", d.min(BITS_TO_FISHER_SLOPE * bits) / s2)
}

/// Rate–distortion cap $`d\,(1 - 4^{-B/d})/\sigma^2`$ for a message of `bits` $`= B > 0`$ bits.
///
/// Reconstruction \[I\] (notes-000 §2 Theorem 3, "a sharper, smooth version"); evaluated as
/// $`-d \operatorname{expm1}(-2 \ln 2 \cdot B/d)/\sigma^2`$ so that it stays accurate for
/// $`B/d \to 0`$.
pub fn rate_distortion_cap(d: usize, bits: f64, sigma: f64) -> Result<f64> {
    let d = dimension(d)?;
    let bits = positive("bits", bits)?;
    let s2 = sigma_squared(sigma)?;
    let per_coordinate = -(-BITS_TO_FISHER_SLOPE * bits / d).exp_m1();
    finite_result("cap", d * per_coordinate / s2)
}

/// Generic sub-Gaussian cap $`2 K^2 I`$: the Barnes–Özgür inequality for a score whose
/// projections are sub-Gaussian with variance proxy $`K^2`$, and a message with mutual
/// information $`I`$ **in nats**.
pub fn sub_gaussian_cap(variance_proxy: f64, mutual_information_nats: f64) -> Result<f64> {
    let k2 = positive("variance_proxy", variance_proxy)?;
    let info = non_negative("mutual_information_nats", mutual_information_nats)?;
    finite_result("cap", 2.0 * k2 * info)
}

/// The bits per round $`B^* = d/(2 \ln 2)`$ at which the Barnes–Özgür cap meets the unquantized
/// one; below it the product bound $`\max\{1, d/(2B \ln 2)\}`$ is active.
pub fn crossover_bits(d: usize) -> Result<f64> {
    Ok(dimension(d)? / BITS_TO_FISHER_SLOPE)
}

/// Which per-round Fisher cap a bound uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum FisherCap {
    /// No bit constraint: $`d/\sigma^2`$ (the statistical bound, Kim's Theorem 2).
    Unquantized,
    /// The Barnes–Özgür cap $`\min\{d, 2B \ln 2\}/\sigma^2`$ (the product bound, Kim's Theorem 3).
    BarnesOzgur {
        /// Bits per round $`B > 0`$.
        bits: f64,
    },
    /// The cap $`d\,(1 - 4^{-B/d})/\sigma^2`$ (the smooth rate–distortion refinement \[I\]).
    RateDistortion {
        /// Bits per round $`B > 0`$.
        bits: f64,
    },
}

impl FisherCap {
    /// The cap on the Fisher trace carried by one round,
    /// $`\operatorname{tr} I_{M_t \mid M^{t-1}}(\theta)`$.
    pub fn per_round(&self, d: usize, sigma: f64) -> Result<f64> {
        match *self {
            Self::Unquantized => unquantized_cap(d, sigma),
            Self::BarnesOzgur { bits } => barnes_ozgur_cap(d, bits, sigma),
            Self::RateDistortion { bits } => rate_distortion_cap(d, bits, sigma),
        }
    }

    /// The per-round cap divided by $`d`$: the Fisher information per coordinate under the
    /// isotropic allocation (as used by the drift recursion, notes-000 §5.2).
    pub fn per_coordinate(&self, d: usize, sigma: f64) -> Result<f64> {
        Ok(self.per_round(d, sigma)? / dimension(d)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BoundError;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    #[test]
    fn unquantized_cap_is_d_over_sigma_squared() {
        // d = 8, sigma = 2: 8/4 = 2.
        assert_eq!(unquantized_cap(8, 2.0).unwrap(), 2.0);
    }

    #[test]
    fn barnes_ozgur_cap_is_linear_in_bits_below_the_crossover() {
        // d = 1000, B = 10, sigma = 1: 2 * 10 * ln 2 = 13.8629...
        assert_relative_eq!(
            barnes_ozgur_cap(1000, 10.0, 1.0).unwrap(),
            13.862_943_611_198_906,
            max_relative = 1e-15
        );
    }

    #[test]
    fn barnes_ozgur_cap_saturates_at_d_above_the_crossover() {
        assert_eq!(barnes_ozgur_cap(10, 8.0, 1.0).unwrap(), 10.0); // 2*8*ln2 = 11.09 > 10
    }

    #[test]
    fn crossover_is_about_0_7213_bits_per_coordinate() {
        // notes-000 §2: B* = d/(2 ln 2) ≈ 0.7213 d.
        assert_relative_eq!(
            crossover_bits(1).unwrap(),
            0.721_347_520_444_481_7,
            max_relative = 1e-15
        );
        let b = crossover_bits(1000).unwrap();
        assert_relative_eq!(
            barnes_ozgur_cap(1000, b, 1.0).unwrap(),
            1000.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn rate_distortion_cap_is_three_quarters_at_one_bit_per_coordinate() {
        // B = d: 1 - 4^{-1} = 3/4 (notes-000 §2).
        assert_relative_eq!(
            rate_distortion_cap(64, 64.0, 1.0).unwrap(),
            48.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn rate_distortion_cap_loses_0_28_percent_at_mxfp4() {
        // notes-000 §6 [N]: 4.25 bits per element gives 1 - 4^{-4.25} = 0.99724 per coordinate.
        let per_coord = rate_distortion_cap(32, 4.25 * 32.0, 1.0).unwrap() / 32.0;
        assert_relative_eq!(per_coord, 0.99724, max_relative = 1e-5);
        // Exactly: 1 - 2^{-8.5}.
        assert_relative_eq!(per_coord, 1.0 - 2f64.powf(-8.5), max_relative = 1e-15);
    }

    #[test]
    fn bits_per_coordinate_of_the_fp_formats_give_the_noted_slopes() {
        // notes-000 §6 table [N]: 2 ln 2 * B/d for FP8, MXFP4, NVFP4, MXFP6.
        for (bits_per_coord, want) in [(8.0, 11.09), (4.25, 5.89), (4.5, 6.24), (6.25, 8.66)] {
            assert_relative_eq!(
                BITS_TO_FISHER_SLOPE * bits_per_coord,
                want,
                max_relative = 1e-3
            );
        }
    }

    #[test]
    fn rate_distortion_slope_tends_to_two_ln_two_as_bits_per_coordinate_vanish() {
        // cap/B = d(1 - e^{-2 ln2 B/d})/B = 2 ln 2 (1 - ln2 B/d + ...): relative gap ~ ln 2 * B/d.
        let d = 1_000_000_000;
        let slope = rate_distortion_cap(d, 1.0, 1.0).unwrap() / 1.0;
        assert_relative_eq!(slope, BITS_TO_FISHER_SLOPE, max_relative = 1e-8);
    }

    #[test]
    fn rate_distortion_cap_tends_to_unquantized_as_bits_grow() {
        // 4^{-B/d} at B/d = 40 is 2^{-80}: below f64 resolution of 1.
        assert_eq!(rate_distortion_cap(10, 400.0, 1.0).unwrap(), 10.0);
    }

    #[test]
    fn sub_gaussian_cap_reproduces_barnes_ozgur_for_gaussians() {
        // K^2 = 1/sigma^2 = 0.25, I = B ln 2 nats with B = 3.
        assert_relative_eq!(
            sub_gaussian_cap(0.25, 3.0 * LN_2).unwrap(),
            barnes_ozgur_cap(100, 3.0, 2.0).unwrap(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn selector_dispatches_to_each_cap() {
        assert_eq!(FisherCap::Unquantized.per_round(5, 1.0).unwrap(), 5.0);
        assert_eq!(
            FisherCap::BarnesOzgur { bits: 1.0 }
                .per_round(5, 1.0)
                .unwrap(),
            barnes_ozgur_cap(5, 1.0, 1.0).unwrap()
        );
        assert_eq!(
            FisherCap::RateDistortion { bits: 1.0 }
                .per_coordinate(5, 1.0)
                .unwrap(),
            rate_distortion_cap(5, 1.0, 1.0).unwrap() / 5.0
        );
    }

    #[test]
    fn rejects_zero_dimension_zero_bits_and_bad_sigma() {
        assert_eq!(unquantized_cap(0, 1.0), Err(BoundError::Zero { name: "d" }));
        assert!(matches!(
            barnes_ozgur_cap(4, 0.0, 1.0),
            Err(BoundError::NotPositive { name: "bits", .. })
        ));
        assert!(rate_distortion_cap(4, f64::NAN, 1.0).is_err());
        assert!(matches!(
            rate_distortion_cap(4, 1.0, 0.0),
            Err(BoundError::NotPositive { name: "sigma", .. })
        ));
        assert!(unquantized_cap(4, -1.0).is_err());
        assert!(unquantized_cap(4, f64::INFINITY).is_err());
        assert!(unquantized_cap(4, 1e-200).is_err()); // sigma^2 underflows
        assert!(sub_gaussian_cap(0.0, 1.0).is_err());
        assert!(sub_gaussian_cap(1.0, -1.0).is_err());
    }

    proptest! {
        #[test]
        fn caps_are_ordered_rd_le_bo_le_unquantized(
            d in 1usize..10_000, bits in 1e-3f64..1e5, sigma in 1e-3f64..1e3
        ) {
            let u = unquantized_cap(d, sigma).unwrap();
            let bo = barnes_ozgur_cap(d, bits, sigma).unwrap();
            let rd = rate_distortion_cap(d, bits, sigma).unwrap();
            prop_assert!(rd <= bo * (1.0 + 1e-15));
            prop_assert!(bo <= u);
        }

        #[test]
        fn rate_distortion_cap_increases_with_bits(d in 1usize..1000, per_coord in 1e-3f64..10.0) {
            // Up to 10 bits per coordinate 4^{-B/d} is still resolved next to 1.
            let bits = per_coord * d as f64;
            let lo = rate_distortion_cap(d, bits, 1.0).unwrap();
            let hi = rate_distortion_cap(d, bits * 1.5, 1.0).unwrap();
            prop_assert!(hi > lo);
        }
    }
}
