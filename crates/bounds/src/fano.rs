//! # Fano's inequality and Gilbert–Varshamov packings
//!
//! If $`V`$ is uniform on $`M`$ hypotheses and $`\hat V`$ is any estimate of it from data $`Y`$,
//! Fano's inequality gives (bits)
//!
//! ```math
//! P_e = P(\hat V \ne V) \ge 1 - \frac{I(V; Y) + 1}{\log_2 M},
//! \qquad \text{equivalently} \qquad I \ge (1 - P_e) \log_2 M - 1.
//! ```
//!
//! A Gilbert–Varshamov (Varshamov–Gilbert) packing supplies the hypotheses: for $`d \ge 8`$
//! there is $`V \subset \{-\delta, +\delta\}^d`$ with $`\log_2 |V| \ge d/8`$ and pairwise Hamming
//! distance $`\ge d/8`$ (the constant form of e.g. Tsybakov 2009, Lemma 2.9 \[R\]); the greedy
//! GV argument gives the sharper $`|V| \ge 2^d \big/ \sum_{i<\delta} \binom{d}{i}`$ for distance
//! $`\delta`$. With $`I \le TB`$ (Kim's Theorem 1, notes-000 §2 item 3, reconstruction \[I\]):
//!
//! ```math
//! TB \ge (1 - P_e)\, \frac{d}{8} - 1
//! \qquad \left(TB \ge \frac{d}{16} - 1 \text{ at } P_e = \tfrac12\right).
//! ```
//!
//! Lower bounds are clamped at 0 (a negative bound carries no information).
//!
//! Code names: [`fano_error_probability`], [`fano_information_bits`], [`gilbert_varshamov_packing`]
//! ([`GvPacking`]), [`gilbert_varshamov_log2_size`], [`fano_gv_total_bits`].
//!
//! ```
//! use bounds::{fano_error_probability, fano_gv_total_bits};
//!
//! // 2^10 hypotheses seen through 4 bits: P_e >= 1 − 5/10 = 1/2.
//! assert_eq!(fano_error_probability(4.0, 10.0)?, 0.5);
//! // d = 800 with P_e <= 1/2: TB >= 400/8 − 1 = 49 bits.
//! assert_eq!(fano_gv_total_bits(800, 0.5)?, 49.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::LN_2;

use serde::Serialize;
use statrs::function::factorial::ln_binomial;

use crate::error::{BoundError, Result};
use crate::validate::{dimension, finite, non_negative, probability};

/// The packing constant: $`\log_2 |V| \ge d/8`$ and distance $`\ge d/8`$.
pub const GV_FRACTION: f64 = 1.0 / 8.0;
/// Smallest dimension for which the $`d/8`$ packing is stated.
pub const GV_MIN_DIMENSION: usize = 8;

/// Checks that $`\log_2 M`$ is at least 1 (two hypotheses).
fn log2_hypotheses(log2_m: f64) -> Result<f64> {
    finite("log2_hypotheses", log2_m)?;
    if log2_m >= 1.0 {
        Ok(log2_m)
    } else {
        Err(BoundError::OutOfRange {
            name: "log2_hypotheses",
            value: log2_m,
            range: "[1, inf) (at least two hypotheses)",
        })
    }
}

/// Fano's lower bound on the error probability, $`\max\{0, 1 - (I + 1)/\log_2 M\}`$, for mutual
/// information $`I \ge 0`$ bits and $`\log_2 M \ge 1`$.
pub fn fano_error_probability(information_bits: f64, log2_m: f64) -> Result<f64> {
    let info = non_negative("information_bits", information_bits)?;
    let log2_m = log2_hypotheses(log2_m)?;
    Ok((1.0 - (info + 1.0) / log2_m).max(0.0))
}

/// Fano solved for the information: $`I \ge \max\{0, (1 - P_e) \log_2 M - 1\}`$ bits.
pub fn fano_information_bits(error_probability: f64, log2_m: f64) -> Result<f64> {
    let pe = probability("error_probability", error_probability)?;
    let log2_m = log2_hypotheses(log2_m)?;
    Ok(((1.0 - pe) * log2_m - 1.0).max(0.0))
}

/// A hypercube packing $`V \subset \{-\delta, +\delta\}^d`$ guaranteed by the Gilbert–Varshamov
/// bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GvPacking {
    /// The dimension $`d`$.
    pub dimension: usize,
    /// A lower bound on $`\log_2 |V|`$.
    pub log2_size: f64,
    /// A lower bound on the pairwise Hamming distance.
    pub min_distance: f64,
}

/// The $`d/8`$ packing: $`\log_2 |V| \ge d/8`$, pairwise distance $`\ge d/8`$, for $`d \ge 8`$.
pub fn gilbert_varshamov_packing(d: usize) -> Result<GvPacking> {
    let df = gv_dimension(d)?;
    Ok(GvPacking {
        dimension: d,
        log2_size: GV_FRACTION * df,
        min_distance: GV_FRACTION * df,
    })
}

fn gv_dimension(d: usize) -> Result<f64> {
    let df = dimension(d)?;
    if d >= GV_MIN_DIMENSION {
        Ok(df)
    } else {
        Err(BoundError::OutOfRange {
            name: "d",
            value: df,
            range: "d >= 8 for the d/8 packing",
        })
    }
}

/// The greedy Gilbert–Varshamov bound: a binary code of length $`d`$ and minimum distance
/// $`\delta`$ = `min_distance` ($`1 \le \delta \le d`$) with
///
/// ```math
/// \log_2 |V| \ge d - \log_2 \sum_{i < \delta} \binom{d}{i}.
/// ```
pub fn gilbert_varshamov_log2_size(d: usize, min_distance: usize) -> Result<f64> {
    let df = dimension(d)?;
    if min_distance == 0 || min_distance > d {
        return Err(BoundError::OutOfRange {
            name: "min_distance",
            value: min_distance as f64,
            range: "[1, d]",
        });
    }
    let n = d as u64;
    let k = min_distance as u64 - 1;
    Ok(df - ln_sum_binomials(n, k) / LN_2)
}

/// The logarithm $`\ln \sum_{i=0}^{k} \binom{n}{i}`$ for $`k \le n`$.
fn ln_sum_binomials(n: u64, k: u64) -> f64 {
    if k < n - k {
        return ln_lower_sum(n, k);
    }
    // Past the middle use the complement, so the summed terms always decrease:
    // Σ_{i<=k} = 2^n − Σ_{i<=n−k−1}.
    let n_ln2 = n as f64 * LN_2;
    let rest = match (n - k).checked_sub(1) {
        Some(top) => (ln_lower_sum(n, top) - n_ln2).exp(),
        None => 0.0,
    };
    n_ln2 + (-rest).ln_1p()
}

/// The logarithm $`\ln \sum_{i=0}^{k} \binom{n}{i}`$ for $`k < n - k`$, where the terms fall as
/// $`i`$ falls: sum from the top and stop once a term is $`e^{-50}`$ of the running sum.
fn ln_lower_sum(n: u64, k: u64) -> f64 {
    let mut log_sum = f64::NEG_INFINITY;
    for i in (0..=k).rev() {
        let term = ln_binomial(n, i);
        if term < log_sum - 50.0 {
            break;
        }
        let hi = log_sum.max(term);
        log_sum = hi + ((log_sum - hi).exp() + (term - hi).exp()).ln();
    }
    log_sum
}

/// Fano with the $`d/8`$ packing: $`TB \ge \max\{0, (1 - P_e)\, d/8 - 1\}`$ for $`d \ge 8`$.
pub fn fano_gv_total_bits(d: usize, error_probability: f64) -> Result<f64> {
    let df = gv_dimension(d)?;
    // d >= 8 makes log2|V| = d/8 >= 1, as Fano needs.
    fano_information_bits(error_probability, GV_FRACTION * df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn fano_error_is_one_minus_information_plus_one_over_log_m() {
        // 8 bits of information about 2^20 hypotheses: 1 − 9/20 = 0.55.
        assert_relative_eq!(
            fano_error_probability(8.0, 20.0).unwrap(),
            0.55,
            max_relative = 1e-15
        );
    }

    #[test]
    fn fano_error_bound_is_zero_with_enough_information() {
        assert_eq!(fano_error_probability(19.0, 20.0).unwrap(), 0.0);
        assert_eq!(fano_error_probability(100.0, 20.0).unwrap(), 0.0);
    }

    #[test]
    fn fano_information_inverts_the_error_bound() {
        let i = fano_information_bits(0.55, 20.0).unwrap();
        assert_relative_eq!(i, 8.0, max_relative = 1e-14);
        assert_relative_eq!(
            fano_error_probability(i, 20.0).unwrap(),
            0.55,
            max_relative = 1e-14
        );
    }

    #[test]
    fn packing_has_d_over_8_bits_and_distance() {
        let p = gilbert_varshamov_packing(64).unwrap();
        assert_eq!(p.log2_size, 8.0);
        assert_eq!(p.min_distance, 8.0);
        assert_eq!(p.dimension, 64);
    }

    #[test]
    fn greedy_gv_bound_matches_a_hand_count() {
        // d = 8, distance 3: 2^8 / (C(8,0) + C(8,1) + C(8,2)) = 256/37; log2 = 8 − log2 37.
        assert_relative_eq!(
            gilbert_varshamov_log2_size(8, 3).unwrap(),
            8.0 - 37f64.log2(),
            max_relative = 1e-13
        );
        // Past the middle: d = 10, distance 7 sums C(10, 0..=6) = 1024 − (1 + 10 + 45 + 120) = 848.
        assert_relative_eq!(
            gilbert_varshamov_log2_size(10, 7).unwrap(),
            10.0 - 848f64.log2(),
            max_relative = 1e-13
        );
        // Distance d sums all but the last term: 2^d − 1.
        assert_relative_eq!(
            gilbert_varshamov_log2_size(12, 12).unwrap(),
            12.0 - 4095f64.log2(),
            max_relative = 1e-12
        );
        // Distance 1 admits every vector.
        assert_relative_eq!(
            gilbert_varshamov_log2_size(10, 1).unwrap(),
            10.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn greedy_gv_bound_is_at_least_the_d_over_8_form() {
        // 1 − H2(1/8) = 0.456 > 1/8, so the greedy bound dominates for large d.
        for d in [64usize, 256, 4096, 100_000] {
            let exact = gilbert_varshamov_log2_size(d, d / 8).unwrap();
            assert!(exact >= d as f64 / 8.0, "d = {d}: {exact}");
        }
    }

    #[test]
    fn greedy_gv_bound_approaches_one_minus_binary_entropy() {
        // log2|V| / d → 1 − H2(δ/d); at δ/d = 1/8 the gap is O(log d / d).
        let d = 100_000;
        let h = |p: f64| -p * p.log2() - (1.0 - p) * (1.0 - p).log2();
        let rate = gilbert_varshamov_log2_size(d, d / 8).unwrap() / d as f64;
        assert_relative_eq!(rate, 1.0 - h(0.125), max_relative = 1e-3);
    }

    #[test]
    fn fano_gv_total_bits_is_d_over_16_minus_one_at_half_error() {
        assert_eq!(fano_gv_total_bits(160, 0.5).unwrap(), 9.0);
        assert_eq!(fano_gv_total_bits(8, 0.5).unwrap(), 0.0); // 8/16 − 1 < 0, clamped
        assert_eq!(fano_gv_total_bits(800, 0.0).unwrap(), 99.0);
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(fano_error_probability(-1.0, 10.0).is_err());
        assert!(fano_error_probability(1.0, 0.5).is_err());
        assert!(fano_error_probability(1.0, f64::NAN).is_err());
        assert!(fano_information_bits(1.5, 10.0).is_err());
        assert!(matches!(
            gilbert_varshamov_packing(7),
            Err(BoundError::OutOfRange { name: "d", .. })
        ));
        assert!(gilbert_varshamov_log2_size(8, 0).is_err());
        assert!(gilbert_varshamov_log2_size(8, 9).is_err());
        assert!(gilbert_varshamov_log2_size(0, 1).is_err());
        assert!(fano_gv_total_bits(16, -0.1).is_err());
        assert!(fano_gv_total_bits(4, 0.1).is_err());
    }
}
