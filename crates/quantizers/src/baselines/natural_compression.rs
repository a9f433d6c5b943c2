//! Natural compression: unbiased randomized rounding to a power of two (Horváth, Ho, Horváth,
//! Sahu, Canini & Richtárik, "Natural compression for distributed deep learning",
//! arXiv 1905.10988).
//!
//! For `t != 0` with `a = 2^floor(log2 |t|)`, `C(t) = sign(t) a` with probability
//! `(2a - |t|)/a` and `sign(t) 2a` otherwise; `C(0) = 0`. It is unbiased, with variance
//! `(|t| - a)(2a - |t|) <= t^2/8` (the maximum of `(x - 1)(2 - x)/x^2` over `x = |t|/a in [1, 2]`,
//! at `x = 4/3`), so `omega = 1/8`, applied coordinatewise to vectors.
//!
//! In code: [`NaturalCompression`], 9 bits per coordinate: a sign bit (1 = negative) and an
//! 8-bit exponent code `e`, `0` for zero and `1..=255` for `2^(e - 127)`. That is the `f32`
//! exponent range, handled thus:
//! - `|t| in [2^-126, 2^128)` (every normal `f32`, and `f64` values in that range): the
//!   rounding above, whose results `2^-126 ... 2^128` all have codes (rounding up from the
//!   top binade reaches `2^128`, one step past `f32::MAX`; the output is `f64`);
//! - `0 < |t| < 2^-126` (`f32` subnormals, tiny `f64`): rounded unbiasedly between `0` and
//!   `2^-126`, with variance `|t|(2^-126 - |t|)` instead of `t^2/8`;
//!   [`Quantizer::mse_bound`] adds these terms;
//! - `|t| >= 2^128` (only `f64` input): [`QuantError::OutOfRange`].

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use super::pow2::{floor_log2, pow2};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// Bits per coordinate: a sign and an 8-bit exponent code.
const BITS_PER_ENTRY: usize = 9;
/// The exponent code's bias: code `e >= 1` stands for `2^(e - 127)`.
const EXPONENT_BIAS: i32 = 127;
/// The smallest nonzero output, `2^-126` (code 1).
const SMALLEST: f64 = f64::from_bits((1023 - 126) << 52);
/// Inputs from `2^128` (beyond code 255) up are out of range.
const LIMIT: f64 = f64::from_bits((1023 + 128) << 52);

/// The 9-bit field of `t` (`|t| < 2^128`) for a uniform `u`: sign bit above the exponent code.
#[inline]
fn entry(t: f64, u: f64) -> u64 {
    let a = t.abs();
    let code = if a == 0.0 {
        0
    } else if a < SMALLEST {
        u64::from(u < a / SMALLEST)
    } else {
        let e = floor_log2(a);
        // a / 2^e in [1, 2): the division by a power of two and the subtraction are exact.
        let up = u < a / pow2(e) - 1.0;
        (e + EXPONENT_BIAS) as u64 + u64::from(up)
    };
    let negative = code != 0 && t < 0.0;
    (u64::from(negative) << 8) | code
}

/// Natural compression: every coordinate a signed power of two in 9 bits (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::NaturalCompression};
///
/// let q = NaturalCompression::new(3)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(27);
/// q.encode((&[3.0f32, -0.25, 0.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 3];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert!(out[0] == 2.0 || out[0] == 4.0); // 3 = 2 w.p. 1/2, 4 w.p. 1/2
/// assert_eq!((out[1], out[2]), (-0.25, 0.0)); // powers of two are exact
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaturalCompression {
    dim: usize,
}

impl NaturalCompression {
    /// Natural compression for dimension `dim >= 1`.
    pub fn new(dim: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        Ok(Self { dim })
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        if let Some((j, v)) = x
            .iter()
            .map(|v| v.to_f64())
            .enumerate()
            .find(|(_, v)| v.abs() >= LIMIT)
        {
            return Err(QuantError::OutOfRange {
                what: format!("coordinate {j} = {v} is beyond the 2^128 of natural compression"),
            });
        }
        out.ensure_room(BITS_PER_ENTRY * self.dim)?;
        let start = out.len();
        let mut u = Uniforms::new(rng);
        for v in x {
            out.write_bits(entry(v.to_f64(), u.unit_f64()), BITS_PER_ENTRY as u32)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

impl Quantizer for NaturalCompression {
    fn name(&self) -> String {
        "natural-compression".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(BITS_PER_ENTRY * self.dim)
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// `omega = 1/8` for coordinates in the normal `f32` range (see [`Quantizer::mse_bound`]).
    fn variance(&self) -> VarianceBound {
        VarianceBound::Relative { omega: 0.125 }
    }

    /// `||y||^2/8`, plus `|y_i|(2^-126 - |y_i|)` in place of `y_i^2/8` for each
    /// `0 < |y_i| < 2^-126`.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        Some(
            y.iter()
                .map(|&v| {
                    let a = v.abs();
                    if a < SMALLEST {
                        a * (SMALLEST - a)
                    } else {
                        a * a / 8.0
                    }
                })
                .sum(),
        )
    }

    /// `9 d`.
    fn paper_bits(&self) -> Option<f64> {
        Some((BITS_PER_ENTRY * self.dim) as f64)
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        match input {
            Input::F32(x) => self.encode_slice(x, rng, out),
            Input::F64(x) => self.encode_slice(x, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        bits.ensure_available(BITS_PER_ENTRY * self.dim)?;
        for o in out.iter_mut() {
            let field = bits.read_bits(BITS_PER_ENTRY as u32)?;
            let code = (field & 0xff) as i32;
            let negative = field >> 8 == 1;
            *o = match (code, negative) {
                (0, false) => 0.0,
                (0, true) => {
                    return Err(QuantError::Corrupt(
                        "negative zero in natural-compression message".into(),
                    ));
                }
                (c, neg) => {
                    let m = pow2(c - EXPONENT_BIAS);
                    if neg { -m } else { m }
                }
            };
        }
        Ok(())
    }
}
