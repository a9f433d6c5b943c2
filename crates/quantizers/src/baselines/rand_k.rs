//! Rand-k sparsification with public coins (see Stich, Cordonnier & Jaggi, NeurIPS 2018, and
//! the `RandKCompressor` of the notes' reference code).
//!
//! A set `S` of `k` coordinates is drawn uniformly without replacement, and
//! `C(v)_i = (d/k) v_i` for `i in S`, `0` elsewhere. Each `i` is in `S` with probability `k/d`,
//! so `C` is unbiased, and `E||C(v)||^2 = (d/k) ||v||^2` gives exactly
//!
//! `E||C(v) - v||^2 = (d/k - 1) ||v||^2`, `omega = d/k - 1`.
//!
//! `S` comes from the round's public coins ([`Purpose::Selection`], keyed by the worker), so
//! the decoder draws the same set and no index bits are sent. (A rand-k without the `d/k`
//! rescaling, as in some libraries, is biased.)
//!
//! In code: [`RandK`]. The message is the `k` values `v_i`, `i in S` in the order drawn, one
//! [`ScalarCode`] each (default [`ScalarCode::F32Stochastic`]: exactly unbiased, and exact for
//! `f32` input); the decoder multiplies by `d/k`. Exactly `k c` bits (`32k`).

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;
use rand::seq::index::sample;

use super::scalar_error;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, Purpose, QuantError, Quantizer, Scalar,
    ScalarCode, VarianceBound,
};

/// Rand-k with indices from public coins and the unbiased `d/k` scaling (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::RandK};
///
/// let q = RandK::new(4, 1)?;
/// let state = PublicState::new(3).with_round(9);
/// let mut w = BitWriter::with_capacity(32);
/// q.encode((&[1.0f32, 2.0, 3.0, 4.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 4];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// let kept: Vec<_> = out.iter().enumerate().filter(|(_, v)| **v != 0.0).collect();
/// assert_eq!(kept.len(), 1);
/// assert_eq!(*kept[0].1, 4.0 * (kept[0].0 as f64 + 1.0)); // v_i scaled by d/k = 4
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RandK {
    dim: usize,
    k: usize,
    scale: ScalarCode,
}

impl RandK {
    /// Rand-k for dimension `dim >= 1` with `1 <= k <= dim`.
    pub fn new(dim: usize, k: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if k == 0 || k > dim {
            return Err(QuantError::InvalidParameter(format!(
                "rand-k needs 1 <= k <= d = {dim}, got k = {k}"
            )));
        }
        Ok(Self {
            dim,
            k,
            scale: ScalarCode::F32Stochastic,
        })
    }

    /// The same scheme with the values sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// The number of kept coordinates `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The round's set `S`, in the order drawn (the same on both sides).
    pub fn selection(&self, state: &PublicState<'_>) -> Vec<usize> {
        sample(&mut state.coins(Purpose::Selection), self.dim, self.k).into_vec()
    }

    /// `d/k`, the decoder's factor.
    fn factor(&self) -> f64 {
        self.dim as f64 / self.k as f64
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let mut u = Uniforms::new(rng);
        // Round every value before writing, so that a failure leaves the writer untouched.
        let values = self
            .selection(state)
            .into_iter()
            .map(|i| {
                let v = x.get(i).map_or(0.0, |v| v.to_f64());
                scaled_output_fits(self.factor(), v)?;
                self.scale.round(v, u.unit_f64())
            })
            .collect::<Result<Vec<f64>, QuantError>>()?;
        out.ensure_room(self.k * self.scale.bits())?;
        let start = out.len();
        for v in values {
            self.scale.write(out, v)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

impl Quantizer for RandK {
    fn name(&self) -> String {
        format!(
            "rand-k(k={}{})",
            self.k,
            scalar_error::tag(self.scale, ScalarCode::F32Stochastic)
        )
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.k * self.scale.bits())
    }

    fn bias(&self) -> Bias {
        scalar_error::bias_of(self.scale)
    }

    /// `omega = d/k - 1`, with the scalar code's rounding.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Relative {
            omega: scalar_error::inflate_omega(self.scale, self.dim as f64 / self.k as f64 - 1.0),
        }
    }

    /// `32 k` (the indices come from a shared seed).
    fn paper_bits(&self) -> Option<f64> {
        Some(32.0 * self.k as f64)
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        match input {
            Input::F32(x) => self.encode_slice(x, state, rng, out),
            Input::F64(x) => self.encode_slice(x, state, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        bits.ensure_available(self.k * self.scale.bits())?;
        out.fill(0.0);
        for i in self.selection(state) {
            let v = self.scale.decode(bits)?;
            if let Some(o) = out.get_mut(i) {
                *o = self.factor() * v;
                if !o.is_finite() {
                    return Err(QuantError::Corrupt("rand-k output overflows f64".into()));
                }
            }
        }
        Ok(())
    }
}

/// Errors when `factor * v` (the decoder's output) would overflow `f64`.
pub(crate) fn scaled_output_fits(factor: f64, v: f64) -> Result<(), QuantError> {
    if (factor * v).is_finite() {
        Ok(())
    } else {
        Err(QuantError::OutOfRange {
            what: format!("value {v} times the unbiasing factor {factor} overflows f64"),
        })
    }
}
