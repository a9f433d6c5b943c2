//! Base-`n` digits of a 64-bit value with one hardware division per group of digits.
//!
//! Decoding a chunk of the mixed-radix code turns `v < n^c` into its `c` base-`n` digits.
//! Dividing by a divisor known only at run time costs a hardware division per digit, a
//! long-latency instruction on a dependent chain. [`RadixDigits`] splits `v` into groups of
//! `k` digits, `k` the largest with `P = n^k <= 2^32`, by one 64-bit division per group, and
//! takes the digits of each 32-bit group by multiplication with a precomputed reciprocal:
//! for `a, d < 2^32` (`d >= 2`) and `M = floor((2^64 - 1)/d) + 1`,
//! `floor(a/d) = floor(M a / 2^64)` exactly (Lemire, Kaser & Kurz, "Faster remainder by direct
//! computation", *Software: Practice and Experience* 49(6), 2019, Theorem 1 with `N = 32`,
//! `F = 64`). The digits are exactly those of repeated `%` and `/`; the tests compare them.

/// The base-`n` digits of values below `2^64`, least significant first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RadixDigits {
    n: u64,
    /// Digits per 32-bit group (`0` when `n > 2^32`, where no group fits).
    group: usize,
    /// `n^group`.
    group_pow: u64,
    /// `floor((2^64 - 1)/n) + 1`, for `2 <= n <= 2^32`.
    recip: u64,
}

impl RadixDigits {
    /// Digits in base `n >= 1`.
    pub(crate) fn new(n: u64) -> Self {
        let mut group = 0usize;
        let mut group_pow = 1u64;
        if n >= 2 {
            while let Some(p) = group_pow.checked_mul(n).filter(|&p| p <= 1 << 32) {
                group_pow = p;
                group += 1;
            }
        }
        Self {
            n,
            group,
            group_pow,
            recip: if n >= 2 { u64::MAX / n + 1 } else { 0 },
        }
    }

    /// Writes the `out.len()` least significant base-`n` digits of `v` into `out`.
    #[inline]
    pub(crate) fn split(&self, mut v: u64, out: &mut [u64]) {
        if self.n <= 1 {
            out.fill(0);
            return;
        }
        if self.group == 0 {
            for o in out.iter_mut() {
                *o = v % self.n;
                v /= self.n;
            }
            return;
        }
        for digits in out.chunks_mut(self.group) {
            let mut g = if v < self.group_pow {
                let g = v;
                v = 0;
                g
            } else {
                let g = v % self.group_pow;
                v /= self.group_pow;
                g
            };
            for o in digits.iter_mut() {
                let q = ((u128::from(self.recip) * u128::from(g)) >> 64) as u64;
                *o = g - q * self.n;
                g = q;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(mut v: u64, n: u64, out: &mut [u64]) {
        for o in out.iter_mut() {
            *o = v % n;
            v /= n;
        }
    }

    #[test]
    fn digits_equal_repeated_division() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let radices = [
            2u64,
            3,
            5,
            7,
            10,
            255,
            256,
            65_535,
            65_536,
            65_537,
            (1 << 31) - 1,
            1 << 31,
            u64::from(u32::MAX),
            1 << 32,
            (1 << 32) + 1,
            1 << 40,
            u64::MAX,
        ];
        for n in radices {
            let digits = RadixDigits::new(n);
            for len in [1usize, 2, 7, 20, 40, 64] {
                for _ in 0..2000 {
                    let v = match next() % 4 {
                        0 => next() % 1000,
                        1 => u64::MAX - next() % 1000,
                        _ => next(),
                    };
                    let (mut fast, mut slow) = (vec![0; len], vec![0; len]);
                    digits.split(v, &mut fast);
                    reference(v, n, &mut slow);
                    assert_eq!(fast, slow, "n={n} v={v} len={len}");
                }
            }
        }
    }

    #[test]
    fn every_32_bit_group_near_the_edges_divides_exactly() {
        // Numerators at the ends of the 32-bit range and at multiples of the divisor, where a
        // reciprocal that is one too small or too large would first go wrong.
        for d in [
            2u64,
            3,
            6,
            7,
            641,
            6_700_417,
            (1 << 32) - 5,
            u64::from(u32::MAX),
        ] {
            let r = RadixDigits::new(d);
            let mut a_values: Vec<u64> = (0..1000).chain((1u64 << 32) - 1000..1 << 32).collect();
            a_values.extend((1..1000).flat_map(|m| {
                let k = m * ((1u64 << 32) / 1000 / d).max(1) * d;
                [k.saturating_sub(1), k, k + 1]
            }));
            for a in a_values.into_iter().filter(|&a| a < 1 << 32) {
                let q = ((u128::from(r.recip) * u128::from(a)) >> 64) as u64;
                assert_eq!(q, a / d, "a={a} d={d}");
            }
        }
    }

    #[test]
    fn base_one_has_only_zero_digits() {
        let mut out = [7u64; 5];
        RadixDigits::new(1).split(0, &mut out);
        assert_eq!(out, [0; 5]);
    }
}
