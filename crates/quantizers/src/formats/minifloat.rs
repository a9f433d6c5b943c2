//! [`Minifloat`]: a binary floating-point format of at most 32 bits, converted from `f64` exactly.
//!
//! A format with `E` exponent bits, `M` mantissa bits and bias `b` stores a sign `s`, a biased
//! exponent `e` and a mantissa `m`, and means
//!
//! ```text
//! (-1)^s · 2^(1-b) · m/2^M          e = 0              (subnormal; m = 0 is ±0)
//! (-1)^s · 2^(e-b) · (1 + m/2^M)    1 <= e <= 2^E - 1  (normal)
//! ```
//!
//! except for the special codes of its [`NanEncoding`]. Writing `mag` for a code without its sign
//! bit, the finite magnitudes in increasing order are `mag = 0, 1, ..., max`: consecutive codes
//! are adjacent values, and the code after `max` is the would-be next value (an infinity or a
//! NaN pattern). Rounding is therefore integer arithmetic: with `e_min = 1 - b` and
//! `|v| = N · 2^k` exactly (`N` the 53-bit significand of an `f64`),
//!
//! ```text
//! t = max(floor(log2 |v|), e_min)      the binade (subnormals share e_min)
//! q = |v| / 2^(t - M)                  in [0, 2^(M+1)), split into floor(q) and frac(q)
//! mag = (t - e_min)·2^M + round(q)     a carry out of the mantissa moves to the next binade
//! ```
//!
//! `frac(q)` is a dyadic rational `rem / 2^shift` known exactly, so nearest-even compares
//! `rem` with `2^(shift-1)` and stochastic rounding compares it with `shift` random bits:
//! `P(round up) = rem/2^shift` exactly, not up to the resolution of a float uniform.
//! Decoding multiplies a small integer by a power of two, which is exact in `f64`; formats of
//! at most 8 bits can also decode through a [`DecodeTable`](super::DecodeTable).
//!
//! In the code: [`Minifloat::new`] (or the constants [`Minifloat::E4M3`], ...),
//! [`Minifloat::encode`] / [`Minifloat::encode_nearest`] (`f64` to code, with a [`Rounding`]
//! and an [`Overflow`] mode), [`Minifloat::decode`] (code to `f64`), and
//! [`Minifloat::rounding_mse`] (the expected squared error of one conversion).

use std::fmt;

use super::{Overflow, Rounding};
use crate::QuantError;
use crate::random::Uniforms;

/// How a format encodes NaN (and whether it has room for infinities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NanEncoding {
    /// IEEE 754: the all-ones exponent is reserved, mantissa 0 for `±Inf`, anything else NaN
    /// (FP32, FP16, BF16, OCP E5M2). Requires infinities.
    Ieee,
    /// Only the all-ones magnitude `S.1…1.1…1` is NaN; the rest of the top binade is finite and
    /// there are no infinities (OCP E4M3, the "FN" formats).
    AllOnes,
    /// No NaN and no infinities: every code is a number (OCP E2M1).
    None,
}

/// A binary floating-point format: sign, `exp_bits` exponent bits, `man_bits` mantissa bits,
/// a bias, and its special values.
///
/// ```
/// use quantizers::formats::{Minifloat, Overflow};
///
/// let e4m3 = Minifloat::E4M3;
/// assert_eq!(e4m3.max_finite(), 448.0);
/// assert_eq!(e4m3.encode_nearest(1.0, Overflow::Saturate)?.code, 0x38); // 0.0111.000
/// assert_eq!(e4m3.encode_nearest(-0.3, Overflow::Saturate)?.code, 0xAA); // -0.3125 = -1.010 · 2^-2
/// assert_eq!(e4m3.decode(0xAA), -0.3125);
/// assert!(e4m3.decode(0x7F).is_nan());
/// // A custom format: E3M2 with bias 3 (OCP FP6), no NaN and no infinities.
/// let e3m2 = Minifloat::new(3, 2, 3, false, quantizers::formats::NanEncoding::None)?;
/// assert_eq!(e3m2.max_finite(), 28.0);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Minifloat {
    exp_bits: u32,
    man_bits: u32,
    bias: i32,
    infinities: bool,
    nan: NanEncoding,
    /// The magnitude code of the largest finite value.
    max_mag: u32,
}

/// One converted value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoded {
    /// The code: sign bit at position `exp_bits + man_bits`, then exponent, then mantissa.
    pub code: u32,
    /// Whether the value was beyond the range and saturated to `±max`.
    pub clipped: bool,
}

/// `|v| = value(floor) + (rem / 2^shift) · spacing`, where `value(floor)` is the magnitude code
/// `floor` of the format (possibly past its largest finite value) and `rem < 2^shift`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    floor: u64,
    rem: u64,
    shift: u32,
}

impl Minifloat {
    /// IEEE 754 binary32 (`f32`): E8M23, bias 127.
    pub const FP32: Self = Self::build(8, 23, 127, true, NanEncoding::Ieee);
    /// IEEE 754 binary16 (FP16): E5M10, bias 15, max 65504.
    pub const FP16: Self = Self::build(5, 10, 15, true, NanEncoding::Ieee);
    /// bfloat16 (BF16): E8M7, bias 127, the exponent range of `f32`.
    pub const BF16: Self = Self::build(8, 7, 127, true, NanEncoding::Ieee);
    /// OCP FP8 E4M3 ("E4M3FN"): bias 7, max 448, NaN only at `S.1111.111`, no infinities.
    pub const E4M3: Self = Self::build(4, 3, 7, false, NanEncoding::AllOnes);
    /// OCP FP8 E5M2: bias 15, max 57344, IEEE-like infinities and NaNs.
    pub const E5M2: Self = Self::build(5, 2, 15, true, NanEncoding::Ieee);
    /// OCP FP4 E2M1: bias 1, values `±{0, 0.5, 1, 1.5, 2, 3, 4, 6}`, no NaN, no infinities.
    pub const E2M1: Self = Self::build(2, 1, 1, false, NanEncoding::None);

    /// The format, without validation (the public constants are valid by inspection).
    const fn build(
        exp_bits: u32,
        man_bits: u32,
        bias: i32,
        infinities: bool,
        nan: NanEncoding,
    ) -> Self {
        let all_ones = (1u32 << (exp_bits + man_bits)) - 1;
        let max_mag = match nan {
            // The whole top binade is reserved.
            NanEncoding::Ieee => (((1u32 << exp_bits) - 1) << man_bits) - 1,
            NanEncoding::AllOnes => all_ones - 1,
            NanEncoding::None => all_ones,
        };
        Self {
            exp_bits,
            man_bits,
            bias,
            infinities,
            nan,
            max_mag,
        }
    }

    /// A format with `exp_bits` in `1..=11`, `man_bits` such that the code has at most 32 bits,
    /// the given bias, and specials. Every value (and the would-be value after the largest) must
    /// be a normal `f64`, so that conversion and decoding are exact.
    ///
    /// Valid specials: `infinities = true` with [`NanEncoding::Ieee`] (at least 2 exponent
    /// bits), or `infinities = false` with [`NanEncoding::AllOnes`] or [`NanEncoding::None`].
    pub fn new(
        exp_bits: u32,
        man_bits: u32,
        bias: i32,
        infinities: bool,
        nan: NanEncoding,
    ) -> Result<Self, QuantError> {
        let bad = |why: &str| {
            Err(QuantError::InvalidParameter(format!(
                "minifloat E{exp_bits}M{man_bits} with bias {bias}: {why}"
            )))
        };
        if !(1..=11).contains(&exp_bits) {
            return bad("needs 1 to 11 exponent bits");
        }
        if man_bits > 31 - exp_bits {
            return bad("a code must fit in 32 bits");
        }
        match (nan, infinities) {
            (NanEncoding::Ieee, true) if exp_bits < 2 => {
                return bad("IEEE-like specials need at least 2 exponent bits");
            }
            (NanEncoding::Ieee, false) => {
                return bad(
                    "the IEEE-like NaN encoding reserves the top binade and needs infinities",
                );
            }
            (NanEncoding::AllOnes | NanEncoding::None, true) => {
                return bad("infinities need the IEEE-like NaN encoding");
            }
            _ => {}
        }
        let f = Self::build(exp_bits, man_bits, bias, infinities, nan);
        if f.max_mag == 0 {
            return bad("has no positive finite value");
        }
        let emin = 1 - i64::from(bias);
        let lowest = emin - i64::from(man_bits);
        // The binade of the would-be value after the largest finite one.
        let top_field = i64::from((f.max_mag + 1) >> man_bits);
        let highest = top_field.max(1) - i64::from(bias);
        if lowest < -1022 || highest > 1023 {
            return bad("its values do not all lie in the normal range of f64");
        }
        Ok(f)
    }

    /// Exponent bits `E`.
    pub fn exp_bits(&self) -> u32 {
        self.exp_bits
    }

    /// Mantissa bits `M`.
    pub fn man_bits(&self) -> u32 {
        self.man_bits
    }

    /// Exponent bias `b`.
    pub fn bias(&self) -> i32 {
        self.bias
    }

    /// Whether the format has `±Inf`.
    pub fn has_infinities(&self) -> bool {
        self.infinities
    }

    /// How NaN is encoded.
    pub fn nan_encoding(&self) -> NanEncoding {
        self.nan
    }

    /// Bits per code, `1 + E + M`.
    pub fn width(&self) -> u32 {
        1 + self.exp_bits + self.man_bits
    }

    /// The sign bit of a code.
    pub fn sign_mask(&self) -> u32 {
        1 << (self.exp_bits + self.man_bits)
    }

    /// The code of `+max`, the largest finite value.
    pub fn max_code(&self) -> u32 {
        self.max_mag
    }

    /// The largest finite value `max`.
    pub fn max_finite(&self) -> f64 {
        self.magnitude_value(u64::from(self.max_mag))
    }

    /// The smallest positive value (the smallest subnormal when `M > 0`).
    pub fn min_positive(&self) -> f64 {
        self.magnitude_value(1)
    }

    /// The smallest positive normal value `2^(1-b)`.
    pub fn min_normal(&self) -> f64 {
        pow2(self.emin())
    }

    /// The unit roundoff `2^-(M+1)`: nearest-even rounding of `v` with `min_normal <= |v| <= max`
    /// has relative error at most this.
    pub fn unit_roundoff(&self) -> f64 {
        pow2(-(self.man_bits as i32) - 1)
    }

    /// The canonical positive quiet NaN code, if the format has NaN.
    pub fn nan_code(&self) -> Option<u32> {
        match self.nan {
            NanEncoding::Ieee if self.man_bits > 0 => {
                Some(self.max_mag + 1 + (1 << (self.man_bits - 1)))
            }
            NanEncoding::AllOnes => Some(self.max_mag + 1),
            NanEncoding::Ieee | NanEncoding::None => None,
        }
    }

    /// The code of `+Inf`, if the format has infinities.
    pub fn infinity_code(&self) -> Option<u32> {
        self.infinities.then_some(self.max_mag + 1)
    }

    /// The value of `code` (bits above [`Minifloat::width`] are ignored): NaN for NaN codes,
    /// `±Inf` for infinities, otherwise the exact finite value.
    pub fn decode(&self, code: u32) -> f64 {
        let mag = code & (self.sign_mask() - 1);
        let v = if mag <= self.max_mag {
            self.magnitude_value(u64::from(mag))
        } else if self.infinities && mag == self.max_mag + 1 {
            f64::INFINITY
        } else {
            f64::NAN
        };
        if code & self.sign_mask() != 0 { -v } else { v }
    }

    /// The value of `code` if it is finite (`None` for NaN and infinities, or a code wider than
    /// the format).
    pub fn decode_finite(&self, code: u32) -> Option<f64> {
        if code >> self.width() != 0 {
            return None;
        }
        let v = self.decode(code);
        v.is_finite().then_some(v)
    }

    /// Converts a finite `v`; `uniforms` feeds stochastic rounding (nearest-even draws nothing).
    ///
    /// Errors: NaN or infinite `v` is [`QuantError::NonFinite`] (index 0); a value beyond the
    /// range in [`Overflow::NonSaturating`] mode is [`QuantError::OutOfRange`].
    pub fn encode(
        &self,
        v: f64,
        rounding: Rounding,
        overflow: Overflow,
        uniforms: &mut Uniforms<'_>,
    ) -> Result<Encoded, QuantError> {
        self.encode_with(v, rounding, overflow, &mut || uniforms.next_u64())
    }

    /// Converts a finite `v` with nearest-even rounding (no randomness needed).
    pub fn encode_nearest(&self, v: f64, overflow: Overflow) -> Result<Encoded, QuantError> {
        self.encode_with(v, Rounding::NearestEven, overflow, &mut || 0)
    }

    fn encode_with<F: FnMut() -> u64>(
        &self,
        v: f64,
        rounding: Rounding,
        overflow: Overflow,
        draw: &mut F,
    ) -> Result<Encoded, QuantError> {
        if !v.is_finite() {
            return Err(QuantError::NonFinite { index: 0 });
        }
        let (neg, mant, exp) = decompose(v);
        let mag = self.round_magnitude(mant, exp, rounding, draw);
        self.finish(neg, mag, overflow)
            .ok_or_else(|| QuantError::OutOfRange {
                what: format!(
                    "{v} overflows {self} (largest finite {}) in non-saturating mode",
                    self.max_finite()
                ),
            })
    }

    /// Whether converting `v` would overflow: with nearest-even, when `|v|` rounds past `max`
    /// with an unbounded exponent; with stochastic rounding, when `|v| > max`. NaN and
    /// infinities overflow.
    pub fn overflows(&self, v: f64, rounding: Rounding) -> bool {
        let (limit, inclusive) = self.range_limit(rounding);
        let a = v.abs();
        !(a < limit || (inclusive && a == limit))
    }

    /// `(limit, inclusive)`: `|v|` converts without overflow iff `|v| < limit`, or
    /// `|v| == limit` when `inclusive`.
    pub(crate) fn range_limit(&self, rounding: Rounding) -> (f64, bool) {
        let max = self.max_finite();
        match rounding {
            Rounding::Stochastic => (max, true),
            Rounding::NearestEven => {
                // max = N·2^s and the next value (N+1)·2^s, so the midpoint is exact.
                let next = self.magnitude_value(u64::from(self.max_mag) + 1);
                ((max + next) / 2.0, self.max_mag & 1 == 0)
            }
        }
    }

    /// The expected squared error `E(Q(v) - v)^2` of a saturating conversion of `v`: for
    /// stochastic rounding `(|v| - a)(b - |v|)` between the neighbours `a <= |v| <= b`, for
    /// nearest-even the squared rounding error itself; beyond the range, the squared distance
    /// to `±max`. Infinite for NaN or infinite `v`.
    pub fn rounding_mse(&self, v: f64, rounding: Rounding) -> f64 {
        if !v.is_finite() {
            return f64::INFINITY;
        }
        let (_, mant, exp) = decompose(v);
        if mant == 0 {
            return 0.0;
        }
        let a = v.abs();
        let max = u64::from(self.max_mag);
        let sp = self.split(mant, exp);
        let beyond = sp.floor > max || (sp.floor == max && sp.rem != 0);
        match rounding {
            Rounding::NearestEven => {
                let e = self.magnitude_value(sp.nearest_even().min(max)) - a;
                e * e
            }
            Rounding::Stochastic if beyond => {
                let e = a - self.max_finite();
                e * e
            }
            Rounding::Stochastic if sp.rem == 0 => 0.0,
            Rounding::Stochastic => {
                let lo = self.magnitude_value(sp.floor);
                let hi = self.magnitude_value(sp.floor + 1);
                (a - lo) * (hi - a)
            }
        }
    }

    /// `1 - b`, the exponent of the lowest normal binade (subnormals share its spacing).
    #[inline]
    fn emin(&self) -> i32 {
        1 - self.bias
    }

    /// The value of magnitude code `mag`, ignoring specials (valid up to `max_mag + 1`).
    #[inline]
    pub(crate) fn magnitude_value(&self, mag: u64) -> f64 {
        let m = self.man_bits;
        let field = mag >> m;
        let frac = mag & ((1u64 << m) - 1);
        if field == 0 {
            frac as f64 * pow2(self.emin() - m as i32)
        } else {
            ((1u64 << m) | frac) as f64 * pow2(field as i32 - self.bias - m as i32)
        }
    }

    /// Splits `mant · 2^exp` (`0 < mant < 2^63`) at the format's grid.
    #[inline]
    pub(crate) fn split(&self, mant: u64, exp: i32) -> Split {
        let m = self.man_bits as i32;
        let emin = self.emin();
        let top = 63 - mant.leading_zeros() as i32;
        let binade = (exp + top).max(emin);
        let s = binade - m;
        // binade >= emin, so the shift is non-negative.
        let base = ((binade - emin) as u64) << m;
        if exp >= s {
            // Exact: |v| is a multiple of the spacing, and q < 2^(m+1).
            Split {
                floor: base + (mant << (exp - s)),
                rem: 0,
                shift: 0,
            }
        } else {
            let shift = (s - exp) as u32;
            if shift >= 64 {
                Split {
                    floor: base,
                    rem: mant,
                    shift,
                }
            } else {
                Split {
                    floor: base + (mant >> shift),
                    rem: mant & ((1u64 << shift) - 1),
                    shift,
                }
            }
        }
    }

    /// Rounds the magnitude `mant · 2^exp` (`mant < 2^63`) to a magnitude code. A result above
    /// [`Minifloat::max_code`] means overflow (stochastic rounding reports any `|v| > max` so).
    #[inline]
    pub(crate) fn round_magnitude<F: FnMut() -> u64>(
        &self,
        mant: u64,
        exp: i32,
        rounding: Rounding,
        draw: &mut F,
    ) -> u64 {
        if mant == 0 {
            return 0;
        }
        let sp = self.split(mant, exp);
        match rounding {
            Rounding::NearestEven => sp.nearest_even(),
            Rounding::Stochastic => {
                let max = u64::from(self.max_mag);
                if sp.floor > max || (sp.floor == max && sp.rem != 0) {
                    max + 1
                } else {
                    sp.stochastic(draw)
                }
            }
        }
    }

    /// The signed code of a rounded magnitude, saturated: `(code, clipped)`.
    #[inline]
    pub(crate) fn saturate(&self, neg: bool, mag: u64) -> (u32, bool) {
        let max = u64::from(self.max_mag);
        let (mag, clipped) = if mag > max { (max, true) } else { (mag, false) };
        let sign = if neg { self.sign_mask() } else { 0 };
        // mag <= max_mag, a u32.
        (sign | mag as u32, clipped)
    }

    /// Applies the overflow mode; `None` is an overflow in non-saturating mode.
    #[inline]
    fn finish(&self, neg: bool, mag: u64, overflow: Overflow) -> Option<Encoded> {
        let (code, clipped) = self.saturate(neg, mag);
        match (clipped, overflow) {
            (true, Overflow::NonSaturating) => None,
            _ => Some(Encoded { code, clipped }),
        }
    }
}

impl Split {
    /// Round to nearest, ties to the even code.
    #[inline]
    fn nearest_even(self) -> u64 {
        // For shift >= 64 the remainder is below 2^63 <= half a spacing.
        if self.rem == 0 || self.shift >= 64 {
            return self.floor;
        }
        let half = 1u64 << (self.shift - 1);
        let up = self.rem > half || (self.rem == half && self.floor & 1 == 1);
        self.floor + u64::from(up)
    }

    /// Round up with probability exactly `rem / 2^shift`, drawing 64-bit words.
    #[inline]
    fn stochastic<F: FnMut() -> u64>(self, draw: &mut F) -> u64 {
        if self.rem == 0 {
            return self.floor;
        }
        let up = if self.shift <= 64 {
            let u = draw();
            let r = if self.shift == 64 {
                u
            } else {
                u >> (64 - self.shift)
            };
            r < self.rem
        } else {
            // A uniform U on [0, 2^shift) is below rem < 2^63 iff its top shift - 64 bits are
            // zero and its low 64 bits are below rem. Only reached far below the grid spacing.
            let mut extra = self.shift - 64;
            let mut zero = true;
            while zero && extra > 0 {
                let u = draw();
                let take = extra.min(64);
                zero = (if take == 64 { u } else { u >> (64 - take) }) == 0;
                extra -= take;
            }
            zero && draw() < self.rem
        };
        self.floor + u64::from(up)
    }
}

impl fmt::Display for Minifloat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let named = [
            (Self::FP32, "fp32"),
            (Self::FP16, "fp16"),
            (Self::BF16, "bf16"),
            (Self::E4M3, "fp8-e4m3"),
            (Self::E5M2, "fp8-e5m2"),
            (Self::E2M1, "fp4-e2m1"),
        ];
        match named.iter().find(|(known, _)| known == self) {
            Some((_, name)) => f.write_str(name),
            None => write!(f, "e{}m{}-bias{}", self.exp_bits, self.man_bits, self.bias),
        }
    }
}

/// `2^e` for `e` in `[-1022, 1023]`.
#[inline]
pub(crate) fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// A finite `f64` as `(negative, N, k)` with `|v| = N · 2^k` and `N < 2^53`.
#[inline]
pub(crate) fn decompose(v: f64) -> (bool, u64, i32) {
    let bits = v.to_bits();
    let neg = bits >> 63 == 1;
    let field = ((bits >> 52) & 0x7FF) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if field == 0 {
        (neg, frac, -1074)
    } else {
        (neg, frac | (1u64 << 52), field - 1075)
    }
}

/// `floor(log2 |v|)` for a finite non-zero `v`.
#[inline]
pub(crate) fn floor_log2(v: f64) -> i32 {
    let (_, mant, exp) = decompose(v);
    exp + 63 - mant.leading_zeros() as i32
}
