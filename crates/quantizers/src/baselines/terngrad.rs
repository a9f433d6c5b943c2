//! TernGrad: stochastic ternarization (Wen, Xu, Yan, Wu, Wang, Chen & Li, NeurIPS 2017,
//! arXiv 1705.07878).
//!
//! With `s = max_k |g_k|` and independent `b_k ~ Bernoulli(|g_k| / s)`,
//! `C(g)_k = s sign(g_k) b_k in {-s, 0, s}` (`C(0) = 0`). It is unbiased, with
//! `E||C(g)||^2 = s ||g||_1`, so
//!
//! `E||C(g) - g||^2 = ||g||_inf ||g||_1 - ||g||_2^2 <= omega ||g||_2^2`, `omega = (sqrt(d) - 1)/2`.
//!
//! The constant is tight: scaling so that `max |g_k| = 1`, the ratio
//! `(1 + sum_rest |g_k|)/(1 + sum_rest g_k^2)` is largest when the other `d - 1` magnitudes
//! are equal to `t`, and its maximum over `t`, at `t = 1/(sqrt(d) + 1)`, is `(sqrt(d) + 1)/2`.
//! (The working notes quote the looser `sqrt(d) - 1`.)
//!
//! TernGrad's practice clips each tensor at `c std(g)` first (`c = 2.5`, `std` the population
//! standard deviation around the mean, as in the reference implementation), which makes the
//! scheme unbiased for the clipped vector only: biased for `g`. [`TernGrad::with_clipping`]
//! offers it and counts the clipped coordinates. A constant vector has `std = 0`, so
//! clipping sends it to zero.
//!
//! In code: [`TernGrad`], `c + len_3(d)` bits: the scale `s` (default
//! [`ScalarCode::F32Stochastic`]; the `b_k` are drawn with the exact `s`), then the ternary
//! symbols packed with [`ChunkedRadix`] (40 per 64 bits, 1.6 bits each).

use bitcodec::{BitReader, BitWriter, ChunkedRadix};
use rand::RngCore;

use super::level_set::Ratio;
use super::symbols::{SymbolSink, SymbolSource};
use super::{norms, scalar_error};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, ScalarCode,
    VarianceBound,
};

/// TernGrad's clipping factor in its reference implementation: clip at `2.5 std(g)`.
pub const TERNGRAD_CLIP: f64 = 2.5;

/// TernGrad's ternary compressor, optionally with its per-tensor clipping (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::TernGrad};
///
/// let q = TernGrad::new(3)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
/// q.encode((&[0.5f32, -2.0, 0.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(w.len(), 32 + 5); // the scale, then 3^3 = 27 symbol triples in 5 bits
/// let msg = w.finish();
/// let mut out = [0.0; 3];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert!([0.0, 2.0].contains(&out[0]));
/// assert_eq!((out[1], out[2]), (-2.0, 0.0)); // |g_k| = s is kept surely, 0 never
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TernGrad {
    dim: usize,
    clip: Option<f64>,
    scale: ScalarCode,
    radix: ChunkedRadix,
}

impl TernGrad {
    /// TernGrad for dimension `dim >= 1`, without clipping.
    pub fn new(dim: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        Ok(Self {
            dim,
            clip: None,
            scale: ScalarCode::F32Stochastic,
            radix: ChunkedRadix::new(3)?,
        })
    }

    /// The same scheme clipping each input at `factor` standard deviations first
    /// (`factor > 0`, finite; TernGrad uses [`TERNGRAD_CLIP`]).
    pub fn with_clipping(mut self, factor: f64) -> Result<Self, QuantError> {
        if !(factor.is_finite() && factor > 0.0) {
            return Err(QuantError::InvalidParameter(format!(
                "clipping factor must be positive and finite, got {factor}"
            )));
        }
        self.clip = Some(factor);
        Ok(self)
    }

    /// The same scheme with the scale sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// The clipping factor, if any.
    pub fn clipping(&self) -> Option<f64> {
        self.clip
    }

    /// `omega = (sqrt(d) - 1)/2`, the tight bound for exact scales and no clipping.
    pub fn omega_exact(&self) -> f64 {
        ((self.dim as f64).sqrt() - 1.0) / 2.0
    }

    /// The clipping threshold for `x` (infinite without clipping).
    fn threshold<T: Scalar>(&self, x: &[T]) -> f64 {
        match self.clip {
            Some(c) => c * norms::std_dev(x),
            None => f64::INFINITY,
        }
    }

    fn bits(&self) -> usize {
        self.scale.bits() + self.radix.len(self.dim)
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let mut u = Uniforms::new(rng);
        let threshold = self.threshold(x);
        let clipped = x.iter().filter(|v| v.to_f64().abs() > threshold).count();
        let s = norms::max_abs(x).min(threshold);
        let sent = self.scale.round(s, u.unit_f64())?;
        out.ensure_room(self.bits())?;
        let start = out.len();
        self.scale.write(out, sent)?;
        let ratio = Ratio::new(s);
        let mut sink = SymbolSink::new(self.radix, out);
        for v in x {
            let v = v.to_f64();
            let keep = u.unit_f64() < ratio.of(v.abs().min(threshold));
            // Symbols 0, 1, 2 stand for -s, 0, +s.
            let symbol = match (keep, v < 0.0) {
                (false, _) => 1,
                (true, true) => 0,
                (true, false) => 2,
            };
            sink.push(symbol)?;
        }
        sink.finish()?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped,
        })
    }
}

impl Quantizer for TernGrad {
    fn name(&self) -> String {
        let tag = scalar_error::tag(self.scale, ScalarCode::F32Stochastic);
        match self.clip {
            Some(c) => format!("terngrad(clip={c}std{tag})"),
            None if tag.is_empty() => "terngrad".into(),
            None => format!("terngrad({})", tag.trim_start_matches(',')),
        }
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits())
    }

    fn bias(&self) -> Bias {
        match self.clip {
            Some(_) => Bias::Biased(
                "clips at c std(g) first: unbiased for the clipped vector, biased for g",
            ),
            None => scalar_error::bias_of(self.scale),
        }
    }

    fn variance(&self) -> VarianceBound {
        match self.clip {
            Some(_) => VarianceBound::InputDependent,
            None => VarianceBound::Relative {
                omega: scalar_error::inflate_omega(self.scale, self.omega_exact()),
            },
        }
    }

    /// The exact error with exact scales, `||h - y||^2 + s ||h||_1 - ||h||_2^2` for the clipped
    /// input `h` (`h = y` without clipping) and `s = max |h_k|`, with the scalar code's rounding.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let t = self.threshold(y);
        let (mut clip_err, mut l1, mut l2sq, mut s) = (0.0, 0.0, 0.0, 0.0f64);
        for &v in y {
            let h = v.clamp(-t, t);
            clip_err += (h - v) * (h - v);
            l1 += h.abs();
            l2sq += h * h;
            s = s.max(h.abs());
        }
        let second = s * l1;
        Some(scalar_error::inflate_mse(
            self.scale,
            clip_err + (second - l2sq).max(0.0),
            second,
        ))
    }

    fn paper_bits(&self) -> Option<f64> {
        Some(self.dim as f64 * 3f64.log2() + 32.0)
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
        bits.ensure_available(self.bits())?;
        let s = self.scale.decode(bits)?;
        if s < 0.0 {
            return Err(QuantError::Corrupt(
                "negative scale in TernGrad message".into(),
            ));
        }
        let mut symbols = SymbolSource::new(self.radix, bits, self.dim);
        for o in out.iter_mut() {
            *o = match symbols.next_symbol()? {
                0 => -s,
                1 => 0.0,
                _ => s,
            };
        }
        Ok(())
    }
}
