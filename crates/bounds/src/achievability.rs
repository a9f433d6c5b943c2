//! # Achievability under a bounded-dynamic-range oracle (Kim's Theorem 4, reconstructed)
//!
//! The paper's scheme and log factor are not available; this is the natural scheme of
//! notes-000 §2 Theorem 4 and §3, a reconstruction \[I\]. Every gradient coordinate lies in
//! $`[-R, R]`$ and has noise variance at most $`\sigma^2`$. Each round sends $`k`$ coordinates
//! (round-robin or by public coin, so no index bits), each stochastically rounded to a uniform
//! grid of $`2^q`$ points on $`[-R, R]`$, and the server keeps per-coordinate running means:
//!
//! ```math
//! \begin{aligned}
//! q &= \lceil \log_2(1 + 2R/\sigma) \rceil
//!   && \text{(so } \Delta \le \sigma \text{; if } B < q \text{, coarse mode: } q = B
//!      \text{, one coordinate per round)} \\
//! k &= \min\{d, \lfloor B/q \rfloor\}
//!   && \text{bits sent per round: } k q \le B \text{, exactly} \\
//! \Delta &= \frac{2R}{2^q - 1}
//!   && \text{unbiased rounding, conditional variance} \le \Delta^2/4 \\
//! \mathbb{E}\|\hat x - \theta\|^2 &\le \frac{d\,(\sigma^2 + \Delta^2/4)}{\lfloor T k/d \rfloor} \\
//! T &\le \left\lceil \frac{d}{k} \left\lceil \frac{(\sigma^2 + \Delta^2/4)\, d}{D} \right\rceil
//!   \right\rceil
//!   && \text{rounds suffice for } \mathbb{E}\|\hat x - \theta\|^2 \le D
//! \end{aligned}
//! ```
//!
//! This matches the product lower bound $`(\sigma^2 d/\varepsilon^2) \max\{1, d/B\}`$ up to the
//! factor $`q = O(\log(R/\sigma))`$. The quantizer that simulates it lives in the `quantizers`
//! crate; this module only computes the guarantee. ($`q`$ is found as the least $`q \ge 1`$ with
//! $`(2^q - 1)\,\sigma \ge 2R`$, i.e. $`\Delta \le \sigma`$, which is the same integer without the
//! rounding of a floating-point `log2` at exact powers of two.)
//!
//! ```
//! use bounds::AchievabilityScheme;
//!
//! // d = 10, B = 12 bits, R = 1.5, σ = 1: q = ⌈log2 4⌉ = 2, k = 6, Δ = 3/3 = 1.
//! let s = AchievabilityScheme::new(10, 12, 1.5, 1.0)?;
//! assert_eq!((s.bits_per_coordinate(), s.coordinates_per_round()), (2, 6));
//! assert_eq!(s.step(), 1.0);
//! // After T = 5 rounds every coordinate has ⌊30/10⌋ = 3 samples: 10 · 1.25 / 3.
//! assert!((s.mse_bound(5)? - 12.5 / 3.0).abs() < 1e-15);
//! assert_eq!(s.rounds_sufficient(1.0)?, 22); // ⌈(10/6) ⌈12.5⌉⌉
//! # Ok::<(), bounds::BoundError>(())
//! ```

use serde::Serialize;

use crate::error::{BoundError, Result};
use crate::rounds::ceil_to_u64;
use crate::validate::{count, dimension, finite_result, positive, sigma_squared};

/// Largest grid resolution in bits per coordinate (grid indices must fit a `u64`).
pub const MAX_BITS_PER_COORDINATE: u32 = 63;

/// The reconstructed Theorem 4 scheme for dimension $`d`$, a budget of $`B`$ bits per round,
/// dynamic range $`R`$ and noise level $`\sigma`$.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AchievabilityScheme {
    dimension: usize,
    budget_bits: u64,
    range: f64,
    sigma: f64,
    bits_per_coordinate: u32,
    coordinates_per_round: usize,
    step: f64,
    coarse: bool,
}

impl AchievabilityScheme {
    /// Builds the scheme; validates $`d \ge 1`$, $`B \ge 1`$, $`R > 0`$, $`\sigma > 0`$.
    pub fn new(d: usize, budget_bits: u64, range: f64, sigma: f64) -> Result<Self> {
        dimension(d)?;
        count("bits", budget_bits)?;
        let range = positive("R", range)?;
        sigma_squared(sigma)?;
        let two_r = finite_result("2R", 2.0 * range)?;
        // Least q with (2^q − 1) σ >= 2R.
        let fine = (1..=MAX_BITS_PER_COORDINATE)
            .find(|&q| (f64::from(q).exp2() - 1.0) * sigma >= two_r)
            .ok_or(BoundError::Overflow {
                what: "bits per coordinate (R/sigma too large)",
            })?;
        let coarse = budget_bits < u64::from(fine);
        // In coarse mode B < q <= 63, so the cast is lossless.
        let q = if coarse { budget_bits as u32 } else { fine };
        let per_round = usize::try_from(budget_bits / u64::from(q)).unwrap_or(usize::MAX);
        let k = d.min(per_round);
        let step = two_r / (f64::from(q).exp2() - 1.0);
        Ok(Self {
            dimension: d,
            budget_bits,
            range,
            sigma,
            bits_per_coordinate: q,
            coordinates_per_round: k,
            step,
            coarse,
        })
    }

    /// The dimension $`d`$.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The budget $`B`$ in bits per round.
    pub fn budget_bits(&self) -> u64 {
        self.budget_bits
    }

    /// The bits per sent coordinate, $`q`$.
    pub fn bits_per_coordinate(&self) -> u32 {
        self.bits_per_coordinate
    }

    /// The coordinates sent per round, $`k = \min\{d, \lfloor B/q \rfloor\}`$.
    pub fn coordinates_per_round(&self) -> usize {
        self.coordinates_per_round
    }

    /// The exact number of bits sent per round, $`k q \le B`$.
    pub fn bits_per_round(&self) -> u64 {
        self.coordinates_per_round as u64 * u64::from(self.bits_per_coordinate)
    }

    /// The grid spacing $`\Delta = 2R/(2^q - 1)`$.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// Whether the budget is below the fine resolution
    /// ($`B < \lceil \log_2(1 + 2R/\sigma) \rceil`$), so $`q = B`$ and $`\Delta > \sigma`$.
    pub fn is_coarse(&self) -> bool {
        self.coarse
    }

    /// The variance bound of one decoded coordinate sample, $`\sigma^2 + \Delta^2/4`$.
    pub fn sample_variance_bound(&self) -> f64 {
        self.sigma * self.sigma + 0.25 * self.step * self.step
    }

    /// The guarantee $`d\,(\sigma^2 + \Delta^2/4)/\lfloor T k/d \rfloor`$ after `rounds` $`= T`$;
    /// an error if some coordinate may have no sample yet ($`T k < d`$).
    pub fn mse_bound(&self, rounds: u64) -> Result<f64> {
        let d = self.dimension as u128;
        let visits = u128::from(rounds) * self.coordinates_per_round as u128 / d;
        if visits == 0 {
            return Err(BoundError::TooFewRounds {
                rounds,
                needed: self.dimension.div_ceil(self.coordinates_per_round) as u64,
            });
        }
        Ok(self.dimension as f64 * self.sample_variance_bound() / visits as f64)
    }

    /// Rounds that suffice for $`\mathbb{E}\|\hat x - \theta\|^2 \le D`$ with `mse` $`= D`$:
    /// $`\lceil (d/k) \lceil (\sigma^2 + \Delta^2/4)\, d/D \rceil \rceil`$.
    pub fn rounds_sufficient(&self, mse: f64) -> Result<u64> {
        let target = positive("mse", mse)?;
        let d = self.dimension as f64;
        let visits = ceil_to_u64(
            "samples per coordinate",
            self.sample_variance_bound() * d / target,
        )?;
        let rounds = (self.dimension as u128 * u128::from(visits))
            .div_ceil(self.coordinates_per_round as u128);
        u64::try_from(rounds).map_err(|_| BoundError::Overflow { what: "rounds" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn resolution_makes_the_step_at_most_sigma() {
        for (r, sigma) in [
            (0.1, 1.0),
            (1.5, 1.0),
            (1.6, 1.0),
            (100.0, 0.3),
            (1e6, 1e-3),
        ] {
            let s = AchievabilityScheme::new(4, 1000, r, sigma).unwrap();
            assert!(s.step() <= sigma, "R = {r}, σ = {sigma}");
            // and q − 1 bits would not do: Δ would exceed σ.
            let q = s.bits_per_coordinate();
            if q > 1 {
                assert!(2.0 * r / (f64::from(q - 1).exp2() - 1.0) > sigma);
            }
        }
    }

    #[test]
    fn exact_powers_of_two_do_not_round_up() {
        // 1 + 2R/σ = 8 exactly: q = 3, Δ = 7/7 = σ.
        let s = AchievabilityScheme::new(4, 100, 3.5, 1.0).unwrap();
        assert_eq!(s.bits_per_coordinate(), 3);
        assert_eq!(s.step(), 1.0);
    }

    #[test]
    fn sends_exactly_k_q_bits_within_budget() {
        let s = AchievabilityScheme::new(100, 50, 10.0, 1.0).unwrap();
        // q = ⌈log2 21⌉ = 5, k = 10, 50 bits.
        assert_eq!(s.bits_per_coordinate(), 5);
        assert_eq!(s.coordinates_per_round(), 10);
        assert_eq!(s.bits_per_round(), 50);
    }

    #[test]
    fn large_budgets_send_every_coordinate() {
        let s = AchievabilityScheme::new(8, 10_000, 1.0, 1.0).unwrap();
        assert_eq!(s.coordinates_per_round(), 8);
        assert!(s.bits_per_round() < 10_000);
    }

    #[test]
    fn coarse_mode_uses_the_whole_budget_on_one_coordinate() {
        // q would be ⌈log2 201⌉ = 8 > B = 3: q = 3, k = 1, Δ = 200/7 > σ.
        let s = AchievabilityScheme::new(5, 3, 100.0, 1.0).unwrap();
        assert!(s.is_coarse());
        assert_eq!((s.bits_per_coordinate(), s.coordinates_per_round()), (3, 1));
        assert_relative_eq!(s.step(), 200.0 / 7.0, max_relative = 1e-15);
    }

    #[test]
    fn mse_bound_by_hand() {
        // d = 4, B = 4, R = 0.5, σ = 1: q = 1, k = 4, Δ = 1, variance 1.25.
        // T = 3: every coordinate has 3 samples, bound 4 · 1.25 / 3.
        let s = AchievabilityScheme::new(4, 4, 0.5, 1.0).unwrap();
        assert_relative_eq!(s.mse_bound(3).unwrap(), 5.0 / 3.0, max_relative = 1e-15);
    }

    #[test]
    fn too_few_rounds_have_no_guarantee() {
        let s = AchievabilityScheme::new(10, 12, 1.5, 1.0).unwrap(); // k = 6
        assert_eq!(
            s.mse_bound(1),
            Err(BoundError::TooFewRounds {
                rounds: 1,
                needed: 2
            })
        );
        assert!(s.mse_bound(2).is_ok());
    }

    #[test]
    fn sufficient_rounds_meet_the_target_and_are_tight_for_the_guarantee() {
        let s = AchievabilityScheme::new(37, 40, 2.0, 0.7).unwrap();
        for target in [5.0, 0.5, 0.01] {
            let t = s.rounds_sufficient(target).unwrap();
            assert!(s.mse_bound(t).unwrap() <= target);
            assert!(s.mse_bound(t - 1).map_or(true, |b| b > target));
        }
    }

    #[test]
    fn matches_the_product_lower_bound_up_to_q() {
        // With B < d: T ≈ (σ² + Δ²/4) d² q/(B D); the Barnes–Özgür bound is σ² d²/(2 ln2 B D).
        // Their ratio is ≈ 2 ln 2 · q (σ² + Δ²/4)/σ², at most 2 ln 2 · q · 5/4.
        let (d, b, r, sigma, target) = (1000, 100, 7.5, 1.0, 0.1);
        let s = AchievabilityScheme::new(d, b, r, sigma).unwrap();
        let upper = s.rounds_sufficient(target).unwrap() as f64;
        let lower = crate::rounds_needed(
            d,
            sigma,
            target,
            crate::FisherCap::BarnesOzgur { bits: b as f64 },
            &crate::Prior::Gaussian { variance: 1e30 },
        )
        .unwrap();
        let q = f64::from(s.bits_per_coordinate());
        assert!(upper >= lower);
        assert!(upper / lower <= 2.0 * std::f64::consts::LN_2 * q * 1.25 * 1.01);
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(AchievabilityScheme::new(0, 8, 1.0, 1.0).is_err());
        assert!(AchievabilityScheme::new(4, 0, 1.0, 1.0).is_err());
        assert!(AchievabilityScheme::new(4, 8, 0.0, 1.0).is_err());
        assert!(AchievabilityScheme::new(4, 8, 1.0, -1.0).is_err());
        assert!(AchievabilityScheme::new(4, 8, f64::NAN, 1.0).is_err());
        assert!(matches!(
            AchievabilityScheme::new(4, 8, 1e30, 1e-10),
            Err(BoundError::Overflow { .. })
        ));
        let s = AchievabilityScheme::new(4, 8, 1.0, 1.0).unwrap();
        assert!(s.rounds_sufficient(0.0).is_err());
        assert!(s.rounds_sufficient(1e-300).is_err());
    }
}
