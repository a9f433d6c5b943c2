//! [`BitGrid`]: rounding to a format's grid (optionally scaled by `2^k`) on the bits of an
//! `f32`/`f64` input, bit-identical to the [`Minifloat`] engine and free of branches, so that
//! loops over it vectorise.
//!
//! Take a format with `M` mantissa bits and lowest normal exponent `e_min`, scaled by `2^k`
//! (`e = e_min + k`; `k = 0` for a plain cast, the block exponent for MX blocks), and an input
//! type `T` with `p` mantissa bits and bias `b_T` ([`FloatBits`]). In the binade
//! `[2^t, 2^(t+1))` of `|v|` (`t >= e`; below `2^e`, `t = e`) the grid spacing is `2^(t - M)`.
//!
//! **Nearest-even** uses the hardware's own rounding. With `c = 2^(max(t, e) + p - M)`, the
//! sum `|v| + c` (rounded by the FPU to nearest-even) lies in `[c, 2c)`, where `T`'s spacing is
//! exactly `2^(t - M)`, so
//!
//! ```text
//! code = bits(|v| + c) - bits(c) + ((bits(c) - bits(c_min)) >> (p - M))
//! ```
//!
//! counts grid steps from the bottom of the binade and adds the binade's first code (a carry
//! out of the mantissa lands on the next binade's first code, as it should). `c` comes from
//! `|v|`'s exponent bits plus `(p - M) << p`, floored at `c_min = 2^(e + p - M)`. Magnitudes are
//! first clamped to the largest finite value `max`: everything from `max` up to the overflow
//! limit rounds to `max` anyway, and everything beyond is clipped to it (and counted). When the
//! format's lowest binade is `T`'s own (`e = 1 - b_T`, BF16 from `f32`), `T`'s subnormals
//! continue the grid and the integer form `(a + 2^(p-M-1) - 1 + odd) >> (p - M)` on the bits `a`
//! suffices.
//!
//! **Stochastic rounding** must consume the same random words as the engine
//! ([`Minifloat::round_magnitude`]): one word `u` per coordinate off the grid, rounding up iff
//! `u < frac · 2^64` where `frac` in `[0, 1)` is the position between the neighbours, and several
//! words for values more than `2^12` times below the spacing (`|v| < 2^(e - M - 12)`), which the
//! engine compares with more than 64 bits. For `|v| >= 2^e` the floor code is
//! `(a >> (p - M)) - ((b_T + e - 1) << M)` and `frac · 2^64 = (a mod 2^(p-M)) << (64 - p + M)`;
//! below, `frac` is the fractional part of `|v| · 2^(M - e)` (exact). [`BitGrid::stochastic_split`]
//! returns both and leaves the rare values that need several words, marked `None`, to the
//! engine.
//!
//! In the code: [`BitGrid::new`] checks that every constant is a value of `T` (else the caller
//! keeps the engine), [`BitGrid::nearest_even`] and [`BitGrid::nearest_even_chunk`] (the
//! vectorised loop), [`BitGrid::stochastic_split`].

// `!(v < limit)` is meant: NaN must count as not below any limit.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use multiversion::multiversion;
use num_traits::{AsPrimitive, One, WrappingAdd, WrappingSub, Zero};

use super::float_bits::FloatBits;
use super::{Minifloat, Rounding};

/// `2^64` as `f64`.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// Values this many binades below the grid spacing need more than one random word.
const SINGLE_WORD_BINADES: i32 = 12;

/// How nearest-even is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kernel<T: FloatBits> {
    /// `|v| + c` with `c` from the exponent of `|v|`.
    Magic {
        /// `(p - M) << p`: added to exponent bits, multiplies by `2^(p - M)`.
        shift_exp: T::Bits,
        /// `c_min = 2^(e + p - M)` and its bits.
        c_min: T,
        c_min_bits: T::Bits,
    },
    /// Integer rounding of the bits (the format's lowest binade is `T`'s).
    Linear,
}

/// A format's grid scaled by `2^k`, as constants on the bits of `T`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BitGrid<T: FloatBits> {
    kernel: Kernel<T>,
    /// `p - M`: the bits of `v`'s mantissa below the grid in the normal range.
    drop: usize,
    /// `2^(p - M) - 1`.
    rem_mask: T::Bits,
    /// `2^(p - M - 1) - 1`: integer nearest-even adds it and the parity of the floor.
    half_less_one: T::Bits,
    /// `(b_T + e - 1) << M`.
    base: T::Bits,
    /// The bits of `2^e`: from there on, the normal range.
    min_normal: T::Bits,
    /// The largest finite value (scaled): magnitudes are clamped to it.
    max_value: T,
    /// The smallest magnitude whose nearest-even rounding passes `max` (with an unbounded
    /// exponent): from there on, a coordinate is clipped.
    clip_from: T,
    /// `2^(M - e)`, when a value of `T`: `|v|` in units of the subnormal spacing.
    to_units: Option<T>,
    /// Bits of `2^(e - M - 12)`: non-zero magnitudes below are left to the engine.
    exotic_below: T::Bits,
    /// The code of the largest finite magnitude.
    max_mag: u32,
    /// The sign bit of a code, and how far `T`'s sign bit moves right to land on it.
    sign_bit: T::Bits,
    sign_shift: usize,
    /// `M` and `e`.
    m: u32,
    e: i32,
}

impl<T: FloatBits> BitGrid<T> {
    /// The grid of `format` scaled by `2^k`, or `None` when a constant is not a value of `T`
    /// (the format's range leaves `T`'s, or reaches below `T`'s normals) or the format is not
    /// at least two bits coarser than `T`.
    pub(crate) fn new(format: &Minifloat, k: i32) -> Option<Self> {
        let p = T::MANT_BITS;
        let m = format.man_bits();
        if m + 2 > p {
            return None;
        }
        let e = 1 - format.bias() + k;
        let drop = p - m;
        let biased = T::EXP_BIAS + e - 1;
        if biased < 0 {
            return None;
        }
        let scale = 2f64.powi(k);
        let max_value = T::from_f64_exact(format.max_finite() * scale)?;
        let (limit, inclusive) = format.range_limit(Rounding::NearestEven);
        let limit = T::from_f64_exact(limit * scale)?;
        let clip_from = if inclusive {
            T::from_bits_t(limit.bits() + T::Bits::one())
        } else {
            limit
        };
        let kernel = if biased == 0 {
            Kernel::Linear
        } else {
            let top = e_floor_log2(max_value)?;
            // c stays finite for every magnitude below the clip limit (which is at most the
            // binade above max).
            T::pow2_t(top + 1 + drop as i32)?;
            let c_min = T::pow2_t(e + drop as i32)?;
            Kernel::Magic {
                shift_exp: T::Bits::from(drop) << p as usize,
                c_min,
                c_min_bits: c_min.bits(),
            }
        };
        let exotic_below =
            T::pow2_t(e - m as i32 - SINGLE_WORD_BINADES).map_or(T::Bits::zero(), |t| t.bits());
        let sign_pos = format.width() - 1;
        Some(Self {
            kernel,
            drop: drop as usize,
            rem_mask: (T::Bits::one() << drop as usize) - T::Bits::one(),
            half_less_one: (T::Bits::one() << (drop - 1) as usize) - T::Bits::one(),
            base: T::Bits::from(biased as u32) << m as usize,
            min_normal: T::pow2_t(e)?.bits(),
            max_value,
            clip_from,
            to_units: T::pow2_t(m as i32 - e),
            exotic_below,
            max_mag: format.max_code(),
            sign_bit: T::Bits::one() << sign_pos as usize,
            sign_shift: (T::width() - 1 - sign_pos) as usize,
            m,
            e,
        })
    }

    /// The same grid, leaving to the engine also the values `2^margin` times above the usual
    /// limit: for callers whose engine path carries a mantissa up to `margin` bits longer than
    /// an `f64`'s (MXFP4's headroom multiplies it by 3), which moves the engine's limit up.
    pub(crate) fn with_engine_margin(self, margin: i32) -> Self {
        let exotic_below = T::pow2_t(self.e - self.m as i32 - SINGLE_WORD_BINADES + margin)
            .map_or(T::Bits::zero(), |t| t.bits());
        Self {
            exotic_below,
            ..self
        }
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
        let v = T::from_bits_t(bits & T::abs_mask());
        let clipped = !(v < self.clip_from);
        // `if v < max` rather than `min`: one instruction, and NaN (rejected anyway) is harmless.
        let x = if v < self.max_value {
            v
        } else {
            self.max_value
        };
        let sign = bits & !T::abs_mask();
        (self.nearest_even_unclamped(x.bits() | sign), clipped)
    }

    /// Nearest-even code of `v`, exact for `|v|` below the clip limit only.
    #[inline(always)]
    fn nearest_even_unclamped(&self, bits: T::Bits) -> T::Bits {
        match self.kernel {
            Kernel::Magic {
                shift_exp,
                c_min,
                c_min_bits,
            } => self.magic_code(bits, shift_exp, c_min, c_min_bits),
            Kernel::Linear => self.linear_code(bits),
        }
    }

    /// The sign bit of `v`'s bits, moved to the code's sign position.
    #[inline(always)]
    fn code_sign(&self, bits: T::Bits) -> T::Bits {
        (bits >> self.sign_shift) & self.sign_bit
    }

    #[inline(always)]
    fn magic_code(
        &self,
        bits: T::Bits,
        shift_exp: T::Bits,
        c_min: T,
        c_min_bits: T::Bits,
    ) -> T::Bits {
        let a = bits & T::abs_mask();
        let c = T::from_bits_t((a & T::inf_bits()).wrapping_add(&shift_exp));
        let c = if c < c_min { c_min } else { c };
        let steps = T::from_bits_t(a).add_t(c).bits().wrapping_sub(&c.bits());
        let first = (c.bits().wrapping_sub(&c_min_bits)) >> self.drop;
        self.code_sign(bits) | steps.wrapping_add(&first)
    }

    #[inline(always)]
    fn linear_code(&self, bits: T::Bits) -> T::Bits {
        let a = bits & T::abs_mask();
        let odd = (a >> self.drop) & T::Bits::one();
        self.code_sign(bits) | ((a + self.half_less_one + odd) >> self.drop)
    }

    /// Nearest-even codes of `x` into `codes` (as many as both hold). Returns the number of
    /// clipped coordinates and whether some magnitude is not below `refuse_from` (NaN counts as
    /// such; the codes are then meaningless).
    ///
    /// The common case, nothing clipped or refused, takes one loop with one comparison per
    /// coordinate and no clamp; a chunk where something reaches the clip limit is redone with
    /// the clamp and exact counts.
    #[inline]
    pub(crate) fn nearest_even_chunk<C>(
        &self,
        x: &[T],
        codes: &mut [C],
        refuse_from: T,
    ) -> (u32, bool)
    where
        C: Copy + 'static,
        T::Bits: AsPrimitive<C>,
    {
        let alarm = if self.clip_from < refuse_from {
            self.clip_from
        } else {
            refuse_from
        };
        let raised = match self.kernel {
            Kernel::Magic {
                shift_exp,
                c_min,
                c_min_bits,
            } => run_chunk(x, codes, alarm, |b| {
                self.magic_code(b, shift_exp, c_min, c_min_bits)
            }),
            Kernel::Linear => run_chunk(x, codes, alarm, |b| self.linear_code(b)),
        };
        if !raised {
            return (0, false);
        }
        if x.iter()
            .any(|v| !(T::from_bits_t(v.bits() & T::abs_mask()) < refuse_from))
        {
            return (0, true);
        }
        let mut clipped = 0;
        for (c, v) in codes.iter_mut().zip(x) {
            let (code, clip) = self.nearest_even(v.bits());
            *c = code.as_();
            clipped += u32::from(clip);
        }
        (clipped, false)
    }

    /// [`BitGrid::nearest_even_chunk`] for chunks where clipping is common (MX blocks, whose
    /// largest element often lies past E2M1's overflow limit): every coordinate is clamped in
    /// the one loop, and clipped ones are counted there.
    #[inline]
    pub(crate) fn nearest_even_clamped_chunk<C>(
        &self,
        x: &[T],
        codes: &mut [C],
        refuse_from: T,
    ) -> (u32, bool)
    where
        C: Copy + 'static,
        T::Bits: AsPrimitive<C>,
    {
        match self.kernel {
            Kernel::Magic {
                shift_exp,
                c_min,
                c_min_bits,
            } => self.run_clamped(x, codes, refuse_from, |b| {
                self.magic_code(b, shift_exp, c_min, c_min_bits)
            }),
            Kernel::Linear => self.run_clamped(x, codes, refuse_from, |b| self.linear_code(b)),
        }
    }

    /// The loop of [`BitGrid::nearest_even_clamped_chunk`], monomorphised per kernel.
    #[inline(always)]
    fn run_clamped<C>(
        &self,
        x: &[T],
        codes: &mut [C],
        refuse_from: T,
        round: impl Fn(T::Bits) -> T::Bits,
    ) -> (u32, bool)
    where
        C: Copy + 'static,
        T::Bits: AsPrimitive<C>,
    {
        let mut clipped = 0u32;
        let mut bad = false;
        for (c, v) in codes.iter_mut().zip(x) {
            let bits = v.bits();
            let a = T::from_bits_t(bits & T::abs_mask());
            let clamped = if a < self.max_value {
                a
            } else {
                self.max_value
            };
            *c = round(clamped.bits() | (bits & !T::abs_mask())).as_();
            clipped += u32::from(!(a < self.clip_from));
            bad |= !(a < refuse_from);
        }
        (clipped, bad)
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

/// A grid for both input types, set up once (it costs more than a small block takes to round).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Grids {
    pub(crate) for_f32: Option<BitGrid<f32>>,
    pub(crate) for_f64: Option<BitGrid<f64>>,
}

impl Grids {
    /// The grids of `format` scaled by `2^k`.
    pub(crate) fn new(format: &Minifloat, k: i32) -> Self {
        Self {
            for_f32: BitGrid::new(format, k),
            for_f64: BitGrid::new(format, k),
        }
    }
}

/// The loop of [`BitGrid::nearest_even_chunk`], monomorphised per kernel so it vectorises:
/// codes, and whether some magnitude is not below `alarm`. Compiled for baseline `x86-64` and
/// for AVX2, picked at run time; IEEE operations round alike in both, so the codes agree.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx512dq", "x86_64+avx2"))]
fn run_chunk<T: FloatBits, C>(
    x: &[T],
    codes: &mut [C],
    alarm: T,
    round: impl Fn(T::Bits) -> T::Bits,
) -> bool
where
    C: Copy + 'static,
    T::Bits: AsPrimitive<C>,
{
    let mut raised = false;
    for (c, v) in codes.iter_mut().zip(x) {
        let bits = v.bits();
        *c = round(bits).as_();
        raised |= !(T::from_bits_t(bits & T::abs_mask()) < alarm);
    }
    raised
}

/// `floor(log2 v)` for a positive normal `v` of `T`.
fn e_floor_log2<T: FloatBits>(v: T) -> Option<i32> {
    let field: u32 = (v.bits() >> T::MANT_BITS as usize).as_();
    (field > 0).then(|| field as i32 - T::EXP_BIAS)
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
