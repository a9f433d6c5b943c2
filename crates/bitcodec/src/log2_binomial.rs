//! The length $`\lceil \log_2 \binom{n}{k} \rceil`$ in $`O(\min(k, n - k))`$ floating-point
//! operations, without big integers once $`C = \binom{n}{k}`$ is large.
//!
//! With $`k \le n - k`$,
//!
//! ```math
//! \binom{n}{k} = \prod_{i=1}^{k} \frac{n - k + i}{i}.
//! ```
//!
//! The numerator and denominator products are accumulated in doubles, rescaled by exact powers
//! of two so they never overflow. Every factor is an integer below $`2^{53}`$ (exact), so each
//! product step and the final division round once: the result $`r\, 2^e`$ satisfies
//!
//! ```math
//! C = r\, 2^e (1 + \theta), \qquad |\theta| \le \epsilon := (2k + 2)\, 2^{-52}.
//! ```
//!
//! Writing $`r = f\, 2^g`$ with $`f \in [1, 2)`$, $`C`$ lies strictly between $`2^{e+g}`$ and
//! $`2^{e+g+1}`$ whenever $`f \in [1 + 4\epsilon, 2 - 8\epsilon]`$, and then
//! $`\lceil \log_2 C \rceil = e + g + 1`$ is certain. Otherwise $`\log_2 C`$ is within
//! $`6\epsilon/\ln 2`$ of an integer $`m`$ and the value is reported as *near* $`m`$. Up to
//! [`EXACT_BITS`] bits, $`\lceil \log_2 C \rceil`$ is computed exactly with big integers
//! instead.

use crate::bigint::{binomial, bits_for_count};

/// Below $`C = 2^E`$, $`E`$ = `EXACT_BITS`, $`\lceil \log_2 C \rceil`$ comes from the exact
/// big-integer binomial, which costs $`O(k E/64)`$ word operations.
pub(crate) const EXACT_BITS: u64 = 4096;

/// The rescaling step of the products, $`2^{960}`$ and $`2^{-960}`$ (factors are below
/// $`2^{53}`$, so a product above $`2^{960}`$ times one more factor stays finite).
const BIG: f64 = f64::from_bits((1023 + 960) << 52);
const SMALL: f64 = f64::from_bits((1023 - 960) << 52);

/// The length $`\lceil \log_2 \binom{n}{k} \rceil`$, or the integer it is too close to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CeilLog2 {
    /// The length $`\lceil \log_2 C \rceil`$, certainly.
    Exact(u64),
    /// The value $`\log_2 C`$ lies within $`2^{-7}`$ of this integer $`m`$ (so
    /// $`\lceil \log_2 C \rceil`$ is $`m`$ or $`m + 1`$).
    Near(u64),
}

impl CeilLog2 {
    /// The integer: $`\lceil \log_2 C \rceil`$ if exact, the nearby integer otherwise.
    pub(crate) fn value(self) -> u64 {
        match self {
            Self::Exact(m) | Self::Near(m) => m,
        }
    }
}

/// The length $`\lceil \log_2 \binom{n}{k} \rceil`$ for $`k \le n < 2^{53}`$ (0 when $`C = 1`$),
/// certified as in the module docs. Callers keep $`k`$ well below $`2^{48}`$ so that
/// $`\epsilon`$ stays tiny.
pub(crate) fn ceil_log2_binomial(n: u64, k: u64) -> CeilLog2 {
    if k > n {
        return CeilLog2::Exact(0);
    }
    let k = k.min(n - k);
    if k == 0 {
        return CeilLog2::Exact(0);
    }
    let (r, e) = scaled_binomial(n, k);
    let bits = r.to_bits();
    // r is a normal double in (2^-1000, 2^1000): split it into f in [1, 2) and 2^g.
    let g = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let f = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    let floor = (e + g).max(0) as u64;
    if floor < EXACT_BITS {
        return CeilLog2::Exact(bits_for_count(&binomial(n, k)) as u64);
    }
    let eps = (2 * k + 2) as f64 / (1u64 << 52) as f64;
    if f >= 1.0 + 4.0 * eps && f <= 2.0 - 8.0 * eps {
        CeilLog2::Exact(floor + 1)
    } else if f < 1.0 + 4.0 * eps {
        CeilLog2::Near(floor)
    } else {
        CeilLog2::Near(floor + 1)
    }
}

/// The pair $`(r, e)`$ with $`\binom{n}{k} = r\, 2^e (1 + \theta)`$,
/// $`|\theta| \le (2k + 2)\, 2^{-52}`$, for $`1 \le k \le n - k`$.
fn scaled_binomial(n: u64, k: u64) -> (f64, i64) {
    let base = n - k;
    let (mut num, mut num_exp) = (1.0f64, 0i64);
    let (mut den, mut den_exp) = (1.0f64, 0i64);
    for i in 1..=k {
        num *= (base + i) as f64;
        den *= i as f64;
        if num > BIG {
            num *= SMALL;
            num_exp += 960;
        }
        if den > BIG {
            den *= SMALL;
            den_exp += 960;
        }
    }
    (num / den, num_exp - den_exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_exact() {
        assert_eq!(ceil_log2_binomial(10, 0), CeilLog2::Exact(0));
        assert_eq!(ceil_log2_binomial(10, 10), CeilLog2::Exact(0));
        assert_eq!(ceil_log2_binomial(4, 1), CeilLog2::Exact(2)); // 4 = 2^2
        assert_eq!(ceil_log2_binomial(5, 1), CeilLog2::Exact(3));
        assert_eq!(ceil_log2_binomial(6, 3), CeilLog2::Exact(5)); // 20
    }

    #[test]
    fn large_values_match_the_big_integer_count() {
        for (n, k) in [(10_000u64, 1_000u64), (12_000, 6_000), (40_000, 1_000)] {
            let exact = bits_for_count(&binomial(n, k)) as u64;
            assert!(exact > EXACT_BITS);
            assert_eq!(
                ceil_log2_binomial(n, k),
                CeilLog2::Exact(exact),
                "C({n},{k})"
            );
        }
    }

    #[test]
    fn scaling_constants_are_the_powers_of_two() {
        assert_eq!(BIG, 2f64.powi(960));
        assert_eq!(SMALL * BIG, 1.0);
    }
}
