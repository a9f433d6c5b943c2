//! [`FloatBits`]: the IEEE 754 bit layout of the input types, for conversions done on bits.
//!
//! A binary float with `p` stored mantissa bits and bias `b_T` (`f32`: `p = 23`, `b_T = 127`;
//! `f64`: `p = 52`, `b_T = 1023`) has bits `s | E | m` and, for `E >= 1`, the value
//! `2^(E - b_T) (1 + m/2^p)`. For non-negative values the bits, read as an unsigned integer,
//! are ordered like the values, and between powers of two they are an arithmetic progression
//! with the spacing of the binade. The fast conversions in [`BitGrid`](super::bit_rounding)
//! rely on both facts.

use num_traits::{AsPrimitive, Bounded, One, PrimInt, WrappingAdd, WrappingSub, Zero};

use super::bit_rounding::{BitGrid, Grids};
use crate::Scalar;

/// An input float type seen through its bits.
pub(crate) trait FloatBits: Scalar {
    /// The unsigned integer of the same width.
    type Bits: PrimInt
        + WrappingAdd
        + WrappingSub
        + From<u32>
        + AsPrimitive<u8>
        + AsPrimitive<u16>
        + AsPrimitive<u32>
        + AsPrimitive<u64>
        + Send
        + Sync
        + std::fmt::Debug;

    /// Stored mantissa bits `p`.
    const MANT_BITS: u32;
    /// Exponent bias `b_T`.
    const EXP_BIAS: i32;

    /// The raw bits.
    fn bits(self) -> Self::Bits;
    /// The value with these bits.
    fn from_bits_t(bits: Self::Bits) -> Self;
    /// `self + other`, rounded to nearest-even by the hardware.
    fn add_t(self, other: Self) -> Self;
    /// `self · other`, rounded to nearest-even by the hardware.
    fn mul_t(self, other: Self) -> Self;
    /// `floor(self)` for `0 <= self < 2^31`.
    fn floor_u32(self) -> u32;
    /// `self - n` (exact for the uses here: `n = floor(self)`).
    fn sub_u32(self, n: u32) -> Self;

    /// The bits of `+Inf`: a magnitude at or above it is not finite.
    fn inf_bits() -> Self::Bits;

    /// The mask of the magnitude bits (all but the sign).
    #[inline]
    fn abs_mask() -> Self::Bits {
        Self::Bits::max_value() >> 1
    }

    /// Total bits of the type.
    #[inline]
    fn width() -> u32 {
        Self::Bits::zero().count_zeros()
    }

    /// This type's grid of a pair.
    fn grid_of(grids: &Grids) -> Option<BitGrid<Self>>;

    /// `v` as a value of the type, if it is one exactly.
    fn from_f64_exact(v: f64) -> Option<Self>;

    /// `2^e` if it is a value of the type (normal or subnormal), else `None`.
    fn pow2_t(e: i32) -> Option<Self> {
        let p = Self::MANT_BITS as i32;
        let emin = 1 - Self::EXP_BIAS;
        if e > Self::EXP_BIAS || e < emin - p {
            None
        } else if e >= emin {
            let field = (e + Self::EXP_BIAS) as u32;
            Some(Self::from_bits_t(
                Self::Bits::from(field) << Self::MANT_BITS as usize,
            ))
        } else {
            Some(Self::from_bits_t(
                Self::Bits::one() << (e - (emin - p)) as usize,
            ))
        }
    }
}

/// Lanes of the maxima below: independent accumulators let the loop vectorise (a float
/// maximum is not associative, so the compiler will not reorder one accumulator).
const MAX_LANES: usize = 8;

/// `max |x_i|` by float comparisons, skipping NaN (callers detect NaN separately); `+0` for
/// empty `x`.
#[inline]
pub(crate) fn max_abs<T: FloatBits>(x: &[T]) -> T {
    let zero = T::from_bits_t(T::Bits::zero());
    let abs = |v: T| T::from_bits_t(v.bits() & T::abs_mask());
    let mut acc = [zero; MAX_LANES];
    let mut lanes = x.chunks_exact(MAX_LANES);
    for c in lanes.by_ref() {
        for (a, &v) in acc.iter_mut().zip(c) {
            let m = abs(v);
            *a = if m > *a { m } else { *a };
        }
    }
    for (a, &v) in acc.iter_mut().zip(lanes.remainder()) {
        let m = abs(v);
        *a = if m > *a { m } else { *a };
    }
    acc.into_iter().fold(zero, |m, a| if a > m { a } else { m })
}

/// The largest magnitude's bits, `max (bits(x_i) & !sign)`: at least [`FloatBits::inf_bits`]
/// iff some `x_i` is NaN or infinite (magnitude bits are ordered like the values).
#[inline]
pub(crate) fn max_abs_bits<T: FloatBits>(x: &[T]) -> T::Bits {
    let mut acc = [T::Bits::zero(); MAX_LANES];
    let mut lanes = x.chunks_exact(MAX_LANES);
    for c in lanes.by_ref() {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = (*a).max(v.bits() & T::abs_mask());
        }
    }
    for (a, &v) in acc.iter_mut().zip(lanes.remainder()) {
        *a = (*a).max(v.bits() & T::abs_mask());
    }
    acc.into_iter().fold(T::Bits::zero(), |m, a| m.max(a))
}

impl FloatBits for f32 {
    type Bits = u32;
    const MANT_BITS: u32 = 23;
    const EXP_BIAS: i32 = 127;

    #[inline]
    fn bits(self) -> u32 {
        self.to_bits()
    }
    #[inline]
    fn from_bits_t(bits: u32) -> Self {
        f32::from_bits(bits)
    }
    #[inline]
    fn add_t(self, other: Self) -> Self {
        self + other
    }
    #[inline]
    fn mul_t(self, other: Self) -> Self {
        self * other
    }
    #[inline]
    fn floor_u32(self) -> u32 {
        self as u32
    }
    #[inline]
    fn sub_u32(self, n: u32) -> Self {
        // n <= self < 2^31 is a floor, so exactly representable when used here.
        self - n as f32
    }
    fn grid_of(grids: &Grids) -> Option<BitGrid<Self>> {
        grids.for_f32
    }
    fn from_f64_exact(v: f64) -> Option<Self> {
        let t = v as f32;
        (f64::from(t) == v).then_some(t)
    }
    #[inline]
    fn inf_bits() -> u32 {
        0x7F80_0000
    }
}

impl FloatBits for f64 {
    type Bits = u64;
    const MANT_BITS: u32 = 52;
    const EXP_BIAS: i32 = 1023;

    #[inline]
    fn bits(self) -> u64 {
        self.to_bits()
    }
    #[inline]
    fn from_bits_t(bits: u64) -> Self {
        f64::from_bits(bits)
    }
    #[inline]
    fn add_t(self, other: Self) -> Self {
        self + other
    }
    #[inline]
    fn mul_t(self, other: Self) -> Self {
        self * other
    }
    #[inline]
    fn floor_u32(self) -> u32 {
        self as u32
    }
    #[inline]
    fn sub_u32(self, n: u32) -> Self {
        self - f64::from(n)
    }
    fn grid_of(grids: &Grids) -> Option<BitGrid<Self>> {
        grids.for_f64
    }
    fn from_f64_exact(v: f64) -> Option<Self> {
        Some(v)
    }
    #[inline]
    fn inf_bits() -> u64 {
        0x7FF0_0000_0000_0000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_constants_match_the_standard_library() {
        assert_eq!(f32::inf_bits(), f32::INFINITY.to_bits());
        assert_eq!(f64::inf_bits(), f64::INFINITY.to_bits());
        assert_eq!(f32::abs_mask(), 0x7FFF_FFFF);
        assert_eq!((f32::width(), f64::width()), (32, 64));
    }

    #[test]
    fn powers_of_two_cover_normals_and_subnormals_only() {
        assert_eq!(f32::pow2_t(-149), Some(f32::from_bits(1)));
        assert_eq!(f32::pow2_t(-150), None);
        assert_eq!(f32::pow2_t(127), Some(2f32.powi(127)));
        assert_eq!(f32::pow2_t(128), None);
        assert_eq!(f64::pow2_t(-1074), Some(f64::from_bits(1)));
        assert_eq!(f64::pow2_t(-3), Some(0.125));
    }
}
