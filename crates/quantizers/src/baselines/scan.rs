//! Whole-input scans at memory speed: finiteness, sign bits and lane sums.
//!
//! For `x in R^d` the sign baselines need, before or while they write, some of
//! `[x_i is finite]`, `[x_i < 0]` and `sum_i |x_i|`. The loops
//! here compute them on the IEEE bits, in shapes the compiler vectorises on baseline `x86-64`:
//! - `x_i` is NaN or infinite iff its magnitude bits `m_i` reach the exponent field's all-ones
//!   value `E`, i.e. iff `m_i + (2^top - E)` sets the top bit: or-ing these flags over a block
//!   tells whether the block is finite with two integer operations per coordinate
//!   ([`ScanFloat::nonfinite_flag`]);
//! - sign bits go to one byte per coordinate, and eight bytes `b_0..b_7 in {0, 1}` (a `u64`,
//!   `b_j` in byte `j`) become the byte `sum_j b_j 2^j` by one multiplication
//!   ([`sign_words`]);
//! - the two block scans are compiled for baseline `x86-64` and for AVX2 (`multiversion`
//!   picks at run time); neither changes a bit of the result, since the integer work is exact
//!   and the float additions keep their order (Rust never fuses or reassociates them);
//! - sums of non-negative terms run in [`LANES`] independent accumulators ([`lane_sum`]); they
//!   do not round like a sum in coordinate order, so callers use them through
//!   [`super::norms::SumBracket`], which bounds the ordered sum.

use multiversion::multiversion;

use num_traits::{One, WrappingAdd, WrappingSub, Zero};

use crate::Scalar;
use crate::formats::FloatBits;

/// Independent accumulators of the lane loops (a float sum is not associative, so one
/// accumulator would not vectorise).
pub(crate) const LANES: usize = 8;

/// A coordinate type seen through its bits ([`FloatBits`]), with the two flags of the scans.
pub(crate) trait ScanFloat: FloatBits {
    /// A word whose top bit is set iff `self` is NaN or infinite (and never otherwise), so
    /// that or-ing the flags of a block and testing the top bit checks the whole block: the
    /// magnitude bits plus `2^(w-1) - inf` carry into the top bit exactly from `inf` up.
    #[inline(always)]
    fn nonfinite_flag(self) -> Self::Bits {
        let offset = Self::abs_mask()
            .wrapping_add(&Self::Bits::one())
            .wrapping_sub(&Self::inf_bits());
        (self.bits() & Self::abs_mask()).wrapping_add(&offset)
    }

    /// Whether an or of [`ScanFloat::nonfinite_flag`]s comes from a non-finite coordinate.
    #[inline(always)]
    fn any_nonfinite(flags: Self::Bits) -> bool {
        flags > Self::abs_mask()
    }

    /// `self < 0` (false for `-0.0`).
    fn is_negative(self) -> bool;
}

impl ScanFloat for f32 {
    #[inline(always)]
    fn is_negative(self) -> bool {
        self < 0.0
    }
}

impl ScanFloat for f64 {
    #[inline(always)]
    fn is_negative(self) -> bool {
        self < 0.0
    }
}

/// The byte `sum_j b_j 2^j` of eight bytes whose low bits are `b_j` (byte `j` of `lanes`):
/// after masking, the partial products `b_i 2^(8i + 56 - 7j)` of the multiplication land on
/// distinct bits, and bit `56 + i` collects `b_i` without carries.
#[inline(always)]
fn merge_bits(lanes: u64) -> u64 {
    (lanes & 0x0101_0101_0101_0101).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The sign word of up to 64 coordinates: bit `j` is `x_j < 0`.
#[inline(always)]
pub(crate) fn sign_word<T: ScanFloat>(x: &[T]) -> u64 {
    // All-ones bytes, like the comparison masks they come from, pack without a mask per
    // coordinate; `merge_bits` keeps one bit of each.
    let mut bytes = [0u8; 64];
    for (b, v) in bytes.iter_mut().zip(x) {
        *b = if v.is_negative() { 0xFF } else { 0 };
    }
    let (groups, _) = bytes.as_chunks::<8>();
    groups.iter().enumerate().fold(0, |w, (k, g)| {
        w | (merge_bits(u64::from_le_bytes(*g)) << (8 * k))
    })
}

/// Fills `words` with the sign words of the whole 64-coordinate blocks of `x` (one word per
/// block, as many as both hold) and returns the or of the coordinates' non-finite flags.
/// Compiled also for AVX2 and picked at run time (integer work: the same words either way).
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx512dq", "x86_64+avx2"))]
pub(crate) fn sign_words<T: ScanFloat>(x: &[T], words: &mut [u64]) -> T::Bits {
    let mut flags = [T::Bits::zero(); LANES];
    for (block, word) in x.chunks_exact(64).zip(words.iter_mut()) {
        *word = sign_word(block);
        // (Groups of a length the compiler knows get vectorised across groups, with
        // gathers: slower.)
        for group in block.chunks(LANES) {
            for (f, &v) in flags.iter_mut().zip(group) {
                *f = *f | v.nonfinite_flag();
            }
        }
    }
    flags.into_iter().fold(T::Bits::zero(), |a, f| a | f)
}

/// [`sign_words`] that also sums `|x_i|` over those blocks, in [`LANES`] lanes (coordinate `i`
/// into lane `i mod LANES`). Non-finite coordinates make the sum NaN or infinite. Also
/// compiled for AVX2: IEEE additions in the same order, so the same sums.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx512dq", "x86_64+avx2"))]
pub(crate) fn sign_words_abs_sum<T: ScanFloat>(x: &[T], words: &mut [u64]) -> [f64; LANES] {
    let mut lanes = [0.0f64; LANES];
    for (block, word) in x.chunks_exact(64).zip(words.iter_mut()) {
        *word = sign_word(block);
        for group in block.chunks(LANES) {
            for (a, &v) in lanes.iter_mut().zip(group) {
                *a += v.to_f64().abs();
            }
        }
    }
    lanes
}

/// `sum_i term(x_i)` in [`LANES`] accumulators, continuing `lanes` (coordinate `i` into lane
/// `i mod LANES`), combined in lane order at the end. The terms must be non-negative for
/// [`super::norms::SumBracket`] to apply.
#[inline]
pub(crate) fn lane_sum<T: Scalar>(
    x: &[T],
    mut lanes: [f64; LANES],
    term: impl Fn(f64) -> f64,
) -> f64 {
    for group in x.chunks(LANES) {
        for (a, &v) in lanes.iter_mut().zip(group) {
            *a += term(v.to_f64());
        }
    }
    lanes.into_iter().fold(0.0, |s, a| s + a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonfinite_flags_mark_exactly_nan_and_infinities() {
        let finite32 = [
            0.0f32,
            -0.0,
            1.0,
            f32::MAX,
            -f32::MAX,
            f32::MIN_POSITIVE,
            1e-45,
        ];
        for v in finite32 {
            assert!(!f32::any_nonfinite(v.nonfinite_flag()), "{v}");
        }
        for v in [f32::NAN, -f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            assert!(f32::any_nonfinite(v.nonfinite_flag()), "{v}");
        }
        let finite64 = [0.0f64, -0.0, f64::MAX, -f64::MAX, 5e-324];
        for v in finite64 {
            assert!(!f64::any_nonfinite(v.nonfinite_flag()), "{v}");
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(f64::any_nonfinite(v.nonfinite_flag()), "{v}");
        }
    }

    #[test]
    fn sign_words_set_bit_j_for_negative_coordinates_only() {
        let x: Vec<f32> = (0..130)
            .map(|i| match i % 5 {
                0 => -1.0,
                1 => -0.0,
                2 => 0.0,
                3 => -1e-45,
                _ => 2.5,
            })
            .collect();
        let mut words = [0u64; 3];
        let flags = sign_words(&x, &mut words);
        assert!(!f32::any_nonfinite(flags));
        for (i, v) in x.iter().enumerate().take(128) {
            assert_eq!((words[i / 64] >> (i % 64)) & 1 == 1, *v < 0.0, "{i}");
        }
        assert_eq!(words[2], 0, "only whole blocks are written");
        assert_eq!(sign_word(&x[128..]), 0b01);
    }

    #[test]
    fn lane_sums_add_every_term() {
        let x: Vec<f64> = (1..=19).map(f64::from).collect();
        assert_eq!(lane_sum(&x, [0.0; LANES], |v| v), 190.0);
        assert_eq!(lane_sum(&x[..3], [1.0; LANES], |v| v * v), 22.0);
    }
}
