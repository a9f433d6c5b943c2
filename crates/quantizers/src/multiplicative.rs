//! [`Multiplicative`]: the multiplicative (floating, relative-step) quantizer of the
//! linear-regression analysis (Zhang, Zou & Su, arXiv 2510.18259; notes-algorithms §4.1).
//!
//! Each coordinate is stochastically rounded onto a floating-point grid with `m` mantissa bits
//! and `e` exponent bits (IEEE-like, with the bias `2^(e-1) - 1`): between neighbours
//! `a <= |y_i| <= b` it outputs `b` with probability `(|y_i| - a)/(b - a)`. The step is relative
//! to the value: for a normal `|y_i| in [2^E, 2^(E+1))`, `b - a = 2^(E-m)`, so
//!
//! `E[Q(y)_i] = y_i` and `Var(Q(y)_i | y) <= (b - a)^2/4 <= eps y_i^2` with `eps = 4^-m / 4`:
//!
//! the coordinate-wise form `eps diag(y_i^2)` of the paper's multiplicative model (the paper's
//! idealisation `eps y y'` is rank one, one scalar noise per vector; this bit-exact quantizer
//! realises the diagonal version). Below the smallest normal the step is constant (subnormals),
//! so the relative bound holds only for `|y_i| >= 2^(1 - bias)`; above the largest finite value
//! the input is out of range (no clipping: the model is unbiased). The message is
//! `(1 + e + m) d` bits.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::formats::{FloatCast, Minifloat, NanEncoding, Overflow, Rounding};
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound};

/// Stochastic rounding to a float grid with `m` mantissa and `e` exponent bits.
///
/// ```
/// use quantizers::{Multiplicative, Quantizer};
/// let q = Multiplicative::new(4, 8, 3)?; // sign + 8 exponent + 3 mantissa bits
/// assert_eq!(q.bit_cost().exact(), Some(48));
/// assert_eq!(q.epsilon(), 0.25 / 64.0); // 4^-3 / 4
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Multiplicative {
    cast: FloatCast,
    exp_bits: u32,
    man_bits: u32,
}

impl Multiplicative {
    /// A quantizer for dimension `dim >= 1` with `exp_bits` in 2..=11 and `man_bits` such that a
    /// code fits in 32 bits.
    pub fn new(dim: usize, exp_bits: u32, man_bits: u32) -> Result<Self, QuantError> {
        if !(2..=11).contains(&exp_bits) {
            return Err(QuantError::InvalidParameter(format!(
                "multiplicative quantizer needs 2 to 11 exponent bits, got {exp_bits}"
            )));
        }
        let bias = (1i32 << (exp_bits - 1)) - 1;
        let format = Minifloat::new(exp_bits, man_bits, bias, true, NanEncoding::Ieee)?;
        let cast = FloatCast::new(format, dim, Rounding::Stochastic, Overflow::NonSaturating)?;
        Ok(Self {
            cast,
            exp_bits,
            man_bits,
        })
    }

    /// The relative variance `eps = 4^-m / 4`: `Var(Q(y)_i) <= eps y_i^2` for normal `|y_i|`.
    pub fn epsilon(&self) -> f64 {
        0.25 * (-2.0 * f64::from(self.man_bits)).exp2()
    }

    /// Mantissa bits `m`.
    pub fn mantissa_bits(&self) -> u32 {
        self.man_bits
    }

    /// Exponent bits `e`.
    pub fn exponent_bits(&self) -> u32 {
        self.exp_bits
    }

    /// The smallest magnitude for which the relative bound holds (the smallest normal).
    pub fn min_normal(&self) -> f64 {
        self.cast.format().min_normal()
    }

    /// The largest representable magnitude.
    pub fn max_finite(&self) -> f64 {
        self.cast.format().max_finite()
    }
}

impl Quantizer for Multiplicative {
    fn name(&self) -> String {
        format!("multiplicative(e={},m={})", self.exp_bits, self.man_bits)
    }

    fn dim(&self) -> usize {
        self.cast.dim()
    }

    fn bit_cost(&self) -> BitCost {
        self.cast.bit_cost()
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The exact expected squared error of stochastic rounding for this input.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        self.cast.mse_bound(y)
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        self.cast.encode(input, state, rng, out)
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        self.cast.decode(bits, state, out)
    }
}
