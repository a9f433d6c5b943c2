//! [`BitGrid`]: rounding to a format's grid (optionally scaled by `2^k`) on the bits of an
//! `f32`/`f64` input, bit-identical to the [`Minifloat`] engine and free of branches, so that
//! loops over it vectorise.
//!
//! Take a format with `M` mantissa bits and lowest normal exponent `e_min`, scaled by `2^k`
//! (`e = e_min + k`; `k = 0` for a plain cast, the block exponent for MX blocks), and an input
//! type `T` with `p` mantissa bits and bias `b_T` ([`FloatBits`]). For `|v| >= 2^e` the grid
//! spacing in a binade is `2^(p - M)` units of the last place of `v`, and consecutive binades
//! of `v`'s bits continue consecutive binades of codes, so with `a` the bits of `|v|`:
//!
//! ```text
//! floor code      c = (a >> (p - M)) - ((b_T + e - 1) << M)
//! nearest-even    c = ((a + 2^(p-M-1) - 1 + ((a >> (p-M)) & 1)) >> (p - M)) - ((b_T + e - 1) << M)
//! ```
//!
//! (a carry out of the mantissa moves into the next binade, as it should). Below `2^e` the grid
//! is uniform with spacing `2^(e - M)`; adding `C = 2^(e - M + p)` in `T` rounds `|v|` to that
//! spacing by the hardware's nearest-even, and `bits(|v| + C) - bits(C)` is the code.
//!
//! **Stochastic rounding** must consume the same random words as the engine
//! ([`Minifloat::round_magnitude`]): one word `u` per coordinate off the grid, rounding up iff
//! `u < frac · 2^64` where `frac` in `[0, 1)` is the position between the neighbours, and several
//! words for values more than `2^12` times below the spacing (`|v| < 2^(e - M - 12)`), which the
//! engine compares with more than 64 bits. [`BitGrid::stochastic_split`] returns the floor code
//! and the threshold `frac · 2^64` (exact: `(a mod 2^(p-M)) << (64 - p + M)` in the normal range,
//! `frac(|v| · 2^(M - e)) · 2^64` below it) and leaves those rare values, marked `None`, to the
//! engine.
//!
//! In the code: [`BitGrid::new`] checks that the constants are values of `T` (else the caller
//! keeps the engine), [`BitGrid::nearest_even`] and [`BitGrid::nearest_even_chunk`] (the
//! vectorised loop), [`BitGrid::stochastic_split`].

use num_traits::{AsPrimitive, One, WrappingSub, Zero};

use super::Minifloat;
use super::float_bits::FloatBits;

/// `2^64` as `f64`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// Values this many binades below the grid spacing need more than one random word.
const SINGLE_WORD_BINADES: i32 = 12;

/// A format's grid scaled by `2^k`, as constants on the bits of `T`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BitGrid<T: FloatBits> {
    /// `p - M`: the bits of `v`'s mantissa below the grid in the normal range.
    drop: usize,
    /// `2^(p - M) - 1`.
    rem_mask: T::Bits,
    /// `2^(p - M - 1) - 1`: nearest-even adds it and the parity of the floor.
    half_less_one: T::Bits,
    /// `(b_T + e - 1) << M`.
    base: T::Bits,
    /// The bits of `2^e`: from there on, the normal range.
    min_normal: T::Bits,
    /// `C = 2^(e - M + p)` and its bits.
    magic: T,
    magic_bits: T::Bits,
    /// `2^(M - e)`, when a value of `T`: `|v|` in units of the subnormal spacing.
    to_units: Option<T>,
    /// Bits of `2^(e - M - 12)`: non-zero magnitudes below are left to the engine.
    exotic_below: T::Bits,
    /// The code of the largest finite magnitude.
    max_mag: u32,
    /// The sign bit's position in a code.
    sign_pos: usize,
    /// `M`.
    m: u32,
    /// `b_T + e - 1`.
    biased_emin: i32,
}

impl<T: FloatBits> BitGrid<T> {
    /// The grid of `format` scaled by `2^k`, or `None` when a constant is not a value of `T`
    /// (the format's range reaches below `T`'s normals, or `C` overflows `T`) or the format is
    /// at least as fine as `T`.
    pub(crate) fn new(format: &Minifloat, k: i32) -> Option<Self> {
        let p = T::MANT_BITS;
        let m = format.man_bits();
        if m >= p {
            return None;
        }
        let e = 1 - format.bias() + k;
        let drop = p - m;
        let biased = T::EXP_BIAS + e - 1;
        if biased < 0 {
            return None;
        }
        let magic = T::pow2_t(e - m as i32 + p as i32)?;
        // C must be normal; e - M + p >= e + 1 > 1 - b_T holds since biased >= 0.
        let exotic_below =
            T::pow2_t(e - m as i32 - SINGLE_WORD_BINADES).map_or(T::Bits::zero(), |t| t.bits());
        let base = T::Bits::from(biased as u32) << m as usize;
        Some(Self {
            drop: drop as usize,
            rem_mask: (T::Bits::one() << drop as usize) - T::Bits::one(),
            half_less_one: (T::Bits::one() << (drop - 1) as usize) - T::Bits::one(),
            base,
            min_normal: T::pow2_t(e)?.bits(),
            magic,
            magic_bits: magic.bits(),
            to_units: T::pow2_t(m as i32 - e),
            exotic_below,
            max_mag: format.max_code(),
            sign_pos: (format.width() - 1) as usize,
            m,
            biased_emin: biased,
        })
    }

    /// The same grid, leaving to the engine also the values `2^margin` times above the usual
    /// limit: for callers whose engine path carries a mantissa up to `margin` bits longer than
    /// an `f64`'s (MXFP4's headroom multiplies it by 3), which moves the engine's limit up.
    pub(crate) fn with_engine_margin(self, margin: i32) -> Self {
        let e = self.min_normal_exponent();
        let m = self.m;
        let exotic_below = T::pow2_t(e - m as i32 - SINGLE_WORD_BINADES + margin)
            .map_or(T::Bits::zero(), |t| t.bits());
        Self {
            exotic_below,
            ..self
        }
    }

    /// `e`, the exponent of the smallest normal value of the scaled grid.
    fn min_normal_exponent(&self) -> i32 {
        self.biased_emin + 1 - T::EXP_BIAS
    }

    /// The code of the largest finite magnitude.
    #[inline]
    pub(crate) fn max_mag(&self) -> u32 {
        self.max_mag
    }

    /// Nearest-even code of `v` (given by its bits) with saturation: `(code, clipped)`.
    /// Non-finite `v` give meaningless codes; callers reject them separately.
    #[inline(always)]
    pub(crate) fn nearest_even(&self, bits: T::Bits) -> (T::Bits, bool) {
        let a = bits & T::abs_mask();
        let odd = (a >> self.drop) & T::Bits::one();
        let normal = ((a + self.half_less_one + odd) >> self.drop).wrapping_sub(&self.base);
        let sub = T::from_bits_t(a)
            .add_t(self.magic)
            .bits()
            .wrapping_sub(&self.magic_bits);
        let mag = if a >= self.min_normal { normal } else { sub };
        let max = T::Bits::from(self.max_mag);
        let clipped = mag > max;
        let mag = if clipped { max } else { mag };
        let sign = (bits >> (T::width() - 1) as usize) << self.sign_pos;
        (sign | mag, clipped)
    }

    /// Nearest-even codes of `x` into `codes` (as many as both hold). Returns the number of
    /// clipped coordinates and the largest magnitude's bits (at least [`FloatBits::inf_bits`]
    /// if some coordinate is not finite).
    #[inline]
    pub(crate) fn nearest_even_chunk<C>(&self, x: &[T], codes: &mut [C]) -> (u32, T::Bits)
    where
        C: Copy + 'static,
        T::Bits: AsPrimitive<C>,
    {
        let mut clipped = 0u32;
        let mut amax = T::Bits::zero();
        for (c, v) in codes.iter_mut().zip(x) {
            let bits = v.bits();
            let (code, clip) = self.nearest_even(bits);
            *c = code.as_();
            clipped += u32::from(clip);
            amax = amax.max(bits & T::abs_mask());
        }
        (clipped, amax)
    }

    /// For stochastic rounding of `v`: the floor magnitude code (possibly past the largest) and
    /// the threshold `frac · 2^64` (`0`: `v` is on the grid, nothing is drawn; otherwise round
    /// up iff a random word is below it). `None` for the values the engine draws several words
    /// for.
    #[inline(always)]
    pub(crate) fn stochastic_split(&self, v: T) -> Option<(u64, u64)> {
        let a = v.bits() & T::abs_mask();
        if a >= self.min_normal {
            let floor: u64 = ((a >> self.drop).wrapping_sub(&self.base)).as_();
            let rem: u64 = (a & self.rem_mask).as_();
            // rem < 2^(p - M) and p - M <= 52, so the shift keeps every bit.
            Some((floor, rem << (64 - self.drop)))
        } else if a.is_zero() {
            Some((0, 0))
        } else if a < self.exotic_below {
            None
        } else {
            let q = T::from_bits_t(a).mul_t(self.to_units?);
            let floor = q.floor_u32();
            let frac = q.sub_u32(floor).to_f64();
            Some((u64::from(floor), (frac * TWO_POW_64) as u64))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Overflow;

    fn probe_values() -> Vec<f64> {
        let mut v = Vec::new();
        for e in -160..20 {
            for m in [1.0, 1.0625, 1.125, 1.1875, 1.25, 1.5, 1.75, 1.9999] {
                v.push(m * 2f64.powi(e));
            }
        }
        v.extend([
            0.0, 448.0, 464.0, 465.0, 480.0, 57344.0, 61440.0, 65504.0, 65520.0,
        ]);
        v
    }

    #[test]
    fn nearest_even_on_bits_matches_the_engine_for_f32_and_f64() {
        for f in [
            Minifloat::E4M3,
            Minifloat::E5M2,
            Minifloat::FP16,
            Minifloat::BF16,
            Minifloat::E2M1,
        ] {
            let g32 = BitGrid::<f32>::new(&f, 0);
            let g64 = BitGrid::<f64>::new(&f, 0);
            for &y in &probe_values() {
                for y in [y, -y] {
                    let expected = |v: f64| {
                        let big = f.encode_nearest(v, Overflow::Saturate);
                        big.map(|e| (u64::from(e.code), e.clipped)).ok()
                    };
                    if let Some(g) = &g64 {
                        let (c, clip) = g.nearest_even(y.to_bits());
                        assert_eq!(Some((c, clip)), expected(y), "{f} {y:e} f64");
                    }
                    let y32 = y as f32;
                    if let (Some(g), true) = (&g32, y32.is_finite()) {
                        let (c, clip) = g.nearest_even(y32.to_bits());
                        let got = Some((u64::from(c), clip));
                        assert_eq!(got, expected(f64::from(y32)), "{f} {y32:e} f32");
                    }
                }
            }
        }
    }

    #[test]
    fn grids_exist_for_the_named_formats_from_f32_and_f64() {
        for f in [
            Minifloat::E4M3,
            Minifloat::E5M2,
            Minifloat::FP16,
            Minifloat::BF16,
        ] {
            assert!(BitGrid::<f32>::new(&f, 0).is_some(), "{f}");
            assert!(BitGrid::<f64>::new(&f, 0).is_some(), "{f}");
        }
        // Too fine for f32, and a scale that leaves f32's range.
        assert!(BitGrid::<f32>::new(&Minifloat::FP32, 0).is_none());
        assert!(BitGrid::<f32>::new(&Minifloat::E2M1, -127).is_none());
        assert!(BitGrid::<f32>::new(&Minifloat::E2M1, 120).is_none());
    }
}
