//! [`FloatCast`]: every coordinate cast to one floating-point format (FP16, BF16, FP8 E4M3/E5M2).
//!
//! `Q(y)_i = fl(y_i)`, where `fl` rounds to the format ([`Minifloat`]) by nearest-even or
//! stochastic rounding and handles overflow by the [`Overflow`] mode. The message is the `d`
//! codes, `w = 1 + E + M` bits each: `B = w·d` bits exactly (`8d` for FP8, `16d` for FP16/BF16).
//!
//! Bias and error, per coordinate with neighbours `a <= |y_i| <= b` in the format:
//! - nearest-even: deterministic error at most `(b - a)/2`; relative error at most `2^-(M+1)`
//!   for `min_normal <= |y_i| <= max`, absolute at most half the subnormal spacing below.
//! - stochastic: unbiased, `E(Q(y)_i - y_i)^2 = (|y_i| - a)(b - |y_i|) <= (b - a)^2/4`, as long
//!   as `|y_i| <= max`.
//!
//! [`Quantizer::mse_bound`] returns the sum of these per-coordinate terms (the exact mean squared
//! error, so the bound is attained), including the squared clip of saturated coordinates.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use super::minifloat::decompose;
use super::packing::{CodeReader, CodeWriter};
use super::{DecodeTable, Minifloat, Overflow, Rounding};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar};
use crate::{VarianceBound, first_non_finite};

/// Casts each coordinate to a floating-point format: `w·d` bits per message.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::formats::{FloatCast, Overflow, Rounding};
/// use quantizers::{PublicState, Quantizer};
///
/// let q = FloatCast::e4m3(3, Rounding::NearestEven, Overflow::Saturate)?;
/// let state = PublicState::new(7);
/// let mut w = BitWriter::with_capacity(24);
/// let stats = q.encode((&[0.3f64, -500.0, 1.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!((stats.bits, stats.clipped), (24, 1)); // -500 saturates to -448
/// let mut out = [0.0; 3];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// assert_eq!(out, [0.3125, -448.0, 1.0]);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FloatCast {
    format: Minifloat,
    dim: usize,
    rounding: Rounding,
    overflow: Overflow,
    bits: usize,
    table: Option<DecodeTable>,
    /// `|v|` overflows iff `|v| > limit`, or `|v| == limit` when not `inclusive`.
    limit: f64,
    inclusive: bool,
}

impl FloatCast {
    /// Casts vectors of dimension `dim >= 1` to `format`.
    pub fn new(
        format: Minifloat,
        dim: usize,
        rounding: Rounding,
        overflow: Overflow,
    ) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        let bits = dim.checked_mul(format.width() as usize).ok_or_else(|| {
            QuantError::InvalidParameter(format!(
                "{dim} coordinates of {format} overflow usize bits"
            ))
        })?;
        let table = DecodeTable::new(&format).ok();
        let (limit, inclusive) = format.range_limit(rounding);
        Ok(Self {
            format,
            dim,
            rounding,
            overflow,
            bits,
            table,
            limit,
            inclusive,
        })
    }

    /// IEEE binary16: `16d` bits.
    pub fn fp16(dim: usize, rounding: Rounding, overflow: Overflow) -> Result<Self, QuantError> {
        Self::new(Minifloat::FP16, dim, rounding, overflow)
    }

    /// bfloat16: `16d` bits.
    pub fn bf16(dim: usize, rounding: Rounding, overflow: Overflow) -> Result<Self, QuantError> {
        Self::new(Minifloat::BF16, dim, rounding, overflow)
    }

    /// OCP FP8 E4M3 (max 448, no infinities): `8d` bits.
    pub fn e4m3(dim: usize, rounding: Rounding, overflow: Overflow) -> Result<Self, QuantError> {
        Self::new(Minifloat::E4M3, dim, rounding, overflow)
    }

    /// OCP FP8 E5M2 (max 57344): `8d` bits.
    pub fn e5m2(dim: usize, rounding: Rounding, overflow: Overflow) -> Result<Self, QuantError> {
        Self::new(Minifloat::E5M2, dim, rounding, overflow)
    }

    /// The format.
    pub fn format(&self) -> Minifloat {
        self.format
    }

    /// The rounding rule.
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    /// The overflow mode.
    pub fn overflow(&self) -> Overflow {
        self.overflow
    }

    #[inline]
    fn overflows(&self, v: f64) -> bool {
        let a = v.abs();
        !(a < self.limit || (self.inclusive && a == self.limit))
    }

    /// The first coordinate that overflows, if any.
    fn first_overflow<T: Scalar>(&self, x: &[T]) -> Option<(usize, f64)> {
        x.iter()
            .map(|v| v.to_f64())
            .enumerate()
            .find(|&(_, v)| self.overflows(v))
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        uniforms: &mut Uniforms<'_>,
        out: &mut BitWriter,
    ) -> Result<usize, QuantError> {
        let f = &self.format;
        let mut draw = || uniforms.next_u64();
        let mut codes = CodeWriter::new(out, f.width());
        let mut clipped = 0;
        for &v in x {
            let (neg, mant, exp) = decompose(v.to_f64());
            let mag = f.round_magnitude(mant, exp, self.rounding, &mut draw);
            let (code, clip) = f.saturate(neg, mag);
            clipped += usize::from(clip);
            codes.push(code)?;
        }
        codes.finish()?;
        Ok(clipped)
    }
}

impl Quantizer for FloatCast {
    fn name(&self) -> String {
        format!("{}({},{})", self.format, self.rounding, self.overflow)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits)
    }

    fn bias(&self) -> Bias {
        match (self.rounding, self.overflow) {
            (Rounding::NearestEven, _) => Bias::Biased(
                "nearest-even rounding: deterministic error at most half the local spacing \
                 (relative 2^-(M+1) for normal values)",
            ),
            (Rounding::Stochastic, Overflow::NonSaturating) => Bias::Unbiased,
            (Rounding::Stochastic, Overflow::Saturate) => Bias::Biased(
                "stochastic rounding is unbiased for |y_i| <= max; larger coordinates are \
                 clipped to ±max (counted)",
            ),
        }
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// `sum_i E(Q(y)_i - y_i)^2`, exact: `(|y_i| - a)(b - |y_i|)` per coordinate for stochastic
    /// rounding, the squared rounding error for nearest-even, the squared clip when saturated.
    /// `None` for a wrong length, non-finite input, or (non-saturating) input out of range.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || first_non_finite(y).is_some() {
            return None;
        }
        if self.overflow == Overflow::NonSaturating && self.first_overflow(y).is_some() {
            return None;
        }
        Some(
            y.iter()
                .map(|&v| self.format.rounding_mse(v, self.rounding))
                .sum(),
        )
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        if self.overflow == Overflow::NonSaturating {
            // Checked before writing, so a refused input leaves the message untouched.
            let bad = match input {
                Input::F32(x) => self.first_overflow(x),
                Input::F64(x) => self.first_overflow(x),
            };
            if let Some((i, v)) = bad {
                return Err(QuantError::OutOfRange {
                    what: format!(
                        "coordinate {i} = {v} overflows {} (largest finite {}) in non-saturating mode",
                        self.format,
                        self.format.max_finite()
                    ),
                });
            }
        }
        out.ensure_room(self.bits)?;
        let start = out.len();
        let mut uniforms = Uniforms::new(rng);
        let clipped = match input {
            Input::F32(x) => self.encode_slice(x, &mut uniforms, out)?,
            Input::F64(x) => self.encode_slice(x, &mut uniforms, out)?,
        };
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped,
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        bits.ensure_available(self.bits)?;
        let mut codes = CodeReader::new(bits, self.format.width(), self.dim);
        for (i, o) in out.iter_mut().enumerate() {
            let code = codes.next_code()?;
            let v = match &self.table {
                Some(t) => t.finite(code),
                None => self.format.decode_finite(code),
            };
            *o = v.ok_or_else(|| {
                QuantError::Corrupt(format!(
                    "coordinate {i}: code {code:#x} is NaN or infinite in {}",
                    self.format
                ))
            })?;
        }
        Ok(())
    }
}
