//! The additive (integer, constant-step) quantizer of the quantized linear-regression model
//! (Zhang, Zou & Su, arXiv 2510.18259; notes-algorithms §4.1).
//!
//! The paper models INT-like quantization as unbiased additive noise with covariance
//! `E[(Q(x) - x)(Q(x) - x)^T | x] = eps I`. A concrete realisation ([INF] in the notes):
//! stochastic rounding to the grid `Delta Z`,
//!
//! ```text
//! n = floor(x/Delta) + Bernoulli(x/Delta - floor(x/Delta)),   Q(x) = n Delta,
//! ```
//!
//! with `n` stored as a `b`-bit two's-complement integer (INT-b), so the representable range
//! is `[-2^{b-1} Delta, (2^{b-1} - 1) Delta]`. Inside it, `E[Q(x)|x] = x` and each coordinate
//! has variance `(x - a)(a + Delta - x) <= Delta^2/4` (`a` the grid point below `x`), with
//! independent coordinates: the covariance is diagonal and at most `eps I` with
//! `eps = Delta^2/4`, the worst case the model's `eps I` stands for (it is attained only at
//! midpoints).
//!
//! In code: [`AdditiveQuantizer`], exactly `d b` bits. A coordinate outside the range is
//! [`QuantError::OutOfRange`], or with [`Overload::Clip`] is clamped to the range's ends
//! and counted (biased). (The multiplicative, floating-point model lives with the
//! low-precision formats.)

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::paper::norms::{check_dim, check_positive};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, Overload, PublicState, QuantError, Quantizer, Scalar,
    VarianceBound,
};

/// Largest integer width: beyond 53 bits the grid indices are not exact in `f64`.
pub const MAX_INT_BITS: u32 = 53;

/// Stochastic rounding to `Delta Z`, indices as `b`-bit two's-complement integers.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::AdditiveQuantizer;
/// let q = AdditiveQuantizer::new(3, 0.5, 4)?; // INT4: n in -8..=7, range [-4, 3.5]
/// assert_eq!(q.range(), (-4.0, 3.5));
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(12);
/// q.encode((&[1.0f64, -4.0, 0.2]).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = [0.0; 3];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// assert_eq!(&out[..2], &[1.0, -4.0]); // grid points are exact
/// assert!(out[2] == 0.0 || out[2] == 0.5);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdditiveQuantizer {
    dim: usize,
    step: f64,
    bits: u32,
    overload: Overload,
}

impl AdditiveQuantizer {
    /// INT-`bits` stochastic rounding with step `step > 0` for dimension `dim >= 1`,
    /// `1 <= bits <= 53`. Out-of-range input is an error until [`Self::with_overload`].
    pub fn new(dim: usize, step: f64, bits: u32) -> Result<Self, QuantError> {
        check_dim(dim)?;
        check_positive(step, "the step Delta")?;
        if bits == 0 || bits > MAX_INT_BITS {
            return Err(QuantError::InvalidParameter(format!(
                "integer width must be in 1..={MAX_INT_BITS}, got {bits}"
            )));
        }
        let q = Self {
            dim,
            step,
            bits,
            overload: Overload::Error,
        };
        let (lo, hi) = q.range();
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(QuantError::InvalidParameter(format!(
                "the range of INT{bits} with step {step} overflows f64"
            )));
        }
        Ok(q)
    }

    /// The same quantizer with another overload policy ([`Overload::Clip`] saturates).
    pub fn with_overload(mut self, overload: Overload) -> Self {
        self.overload = overload;
        self
    }

    /// The step `Delta`.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// The integer width `b`.
    pub fn int_bits(&self) -> u32 {
        self.bits
    }

    /// The smallest and largest index, `-2^{b-1}` and `2^{b-1} - 1`.
    pub fn index_range(&self) -> (i64, i64) {
        let half = 1i64 << (self.bits - 1);
        (-half, half - 1)
    }

    /// The representable range `[-2^{b-1} Delta, (2^{b-1} - 1) Delta]`.
    pub fn range(&self) -> (f64, f64) {
        let (lo, hi) = self.index_range();
        (lo as f64 * self.step, hi as f64 * self.step)
    }

    /// The model's noise level `eps = Delta^2/4`: the covariance of `Q(x) - x` is diagonal
    /// with entries at most `eps`.
    pub fn covariance_eps(&self) -> f64 {
        self.step * self.step / 4.0
    }

    /// `E(Q(x) - x)^2` for one coordinate: the rounding variance at the clamped value plus
    /// the squared clip.
    fn coordinate_mse(&self, x: f64) -> f64 {
        let (lo, hi) = self.range();
        let c = x.clamp(lo, hi);
        let t = c / self.step;
        let frac = t - t.floor();
        self.step * self.step * frac * (1.0 - frac) + (c - x) * (c - x)
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let (lo, hi) = self.range();
        let outside = x
            .iter()
            .filter(|v| !(lo..=hi).contains(&v.to_f64()))
            .count();
        if outside > 0 && self.overload == Overload::Error {
            let i = x
                .iter()
                .position(|v| !(lo..=hi).contains(&v.to_f64()))
                .unwrap_or(0);
            return Err(QuantError::OutOfRange {
                what: format!("coordinate {i} outside [{lo}, {hi}] (INT{})", self.bits),
            });
        }
        let total = self.dim * self.bits as usize;
        out.ensure_room(total)?;
        let start = out.len();
        let (nlo, nhi) = self.index_range();
        let mask = (1u64 << self.bits) - 1;
        let mut u = Uniforms::new(rng);
        for v in x {
            let t = v.to_f64().clamp(lo, hi) / self.step;
            let floor = t.floor();
            let n = (floor as i64 + i64::from(u.unit_f64() < t - floor)).clamp(nlo, nhi);
            out.write_bits(n as u64 & mask, self.bits)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: outside,
        })
    }
}

impl Quantizer for AdditiveQuantizer {
    fn name(&self) -> String {
        let clip = match self.overload {
            Overload::Error => "",
            Overload::Clip => ", saturating",
        };
        format!("additive(INT{}, step={}{clip})", self.bits, self.step)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.dim * self.bits as usize)
    }

    fn bias(&self) -> Bias {
        match self.overload {
            Overload::Error => Bias::Unbiased,
            Overload::Clip => Bias::Biased(
                "unbiased inside the INT-b range; saturated coordinates are clamped to its ends",
            ),
        }
    }

    /// `E||Q(x) - x||^2 <= d Delta^2/4` in range; [`Quantizer::mse_bound`] is exact.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Absolute {
            mse: self.dim as f64 * self.covariance_eps(),
        }
    }

    /// Exactly `sum_i (x_i - a_i)(a_i + Delta - x_i)` in range; with saturation, plus the
    /// squared clip of each saturated coordinate. `None` for inadmissible input.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        let (lo, hi) = self.range();
        if self.overload == Overload::Error && y.iter().any(|v| !(lo..=hi).contains(v)) {
            return None;
        }
        Some(y.iter().map(|&v| self.coordinate_mse(v)).sum())
    }

    /// `d b`.
    fn paper_bits(&self) -> Option<f64> {
        Some((self.dim * self.bits as usize) as f64)
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
        bits.ensure_available(self.dim * self.bits as usize)?;
        let shift = 64 - self.bits;
        for o in out.iter_mut() {
            let raw = bits.read_bits(self.bits)?;
            let n = ((raw << shift) as i64) >> shift; // sign extension
            *o = n as f64 * self.step;
        }
        Ok(())
    }
}
