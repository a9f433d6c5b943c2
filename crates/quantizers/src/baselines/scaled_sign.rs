//! Scaled sign, the compressor of EF-signSGD (Karimireddy, Rebjock, Stich & Jaggi, ICML 2019,
//! arXiv 1901.09847).
//!
//! `C(v) = (||v||_1 / d) sign(v)` (`sign(0) = +1`): the sign pattern with the scale that
//! minimizes `||c sign(v) - v||^2` over `c`. It is deterministic and biased, with the exact error
//!
//! `||C(v) - v||^2 = ||v||_2^2 - ||v||_1^2/d = (1 - alpha(v)) ||v||_2^2`,
//! `alpha(v) = ||v||_1^2 / (d ||v||_2^2) in [1/d, 1]`,
//!
//! so it is contractive with the input-dependent `alpha(v)`: `1` on flat vectors
//! (`|v_i|` all equal), `1/d` on one-hot vectors, which is the uniform bound. Sending the
//! scale through a [`ScalarCode`] moves it to `c'`, adding exactly `d (c' - c)^2`.
//!
//! In code: [`ScaledSign`], `c + d` bits (the scale, default [`ScalarCode::F32Nearest`], then
//! one sign bit per coordinate as in [`super::Sign`]).

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use super::norms::SumBracket;
use super::scan::{self, ScanFloat};
use super::sign::{non_finite, read_signs};
use super::{norms, scalar_error};
use crate::quantizer::check_output;
use crate::random::unit_f64;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, ScalarCode,
    VarianceBound, first_non_finite,
};

/// EF-signSGD's scaled sign: `(||v||_1 / d) sign(v)` in `c + d` bits.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::ScaledSign};
///
/// let q = ScaledSign::new(4)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(32 + 4);
/// q.encode((&[1.0f32, -2.0, 0.5, -0.5]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 4];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert_eq!(out, [1.0, -1.0, 1.0, -1.0]); // ||v||_1 / d = 4 / 4
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaledSign {
    dim: usize,
    scale: ScalarCode,
}

impl ScaledSign {
    /// Scaled sign for dimension `dim >= 1`, scale as the nearest `f32`.
    pub fn new(dim: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        Ok(Self {
            dim,
            scale: ScalarCode::F32Nearest,
        })
    }

    /// The same scheme with the scale sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// `alpha(y) = ||y||_1^2 / (d ||y||_2^2)` (1 for the zero vector, which is sent exactly).
    pub fn alpha_of(&self, y: &[f64]) -> f64 {
        let l2 = norms::l2(y);
        if l2 == 0.0 {
            return 1.0;
        }
        let ratio = norms::l1(y) / l2;
        (ratio * ratio / self.dim as f64).min(1.0)
    }

    fn bits(&self) -> usize {
        self.scale.bits() + self.dim
    }

    /// One pass computes the sign words (kept, since the scale goes first) and
    /// `||x||_1` in lanes. The scale `(||x||_1 / d)` rounded to the scalar code depends on the
    /// sum in coordinate order; the lane sum brackets it, and only when the rounded scale is
    /// not the same at both ends of the bracket is the ordered sum computed.
    fn encode_slice<T: ScanFloat>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let d = self.dim as f64;
        let (whole, tail) = x.split_at(x.len() / 64 * 64);
        let mut words = vec![0u64; whole.len() / 64];
        let lanes = scan::sign_words_abs_sum(whole, &mut words);
        let l1 = scan::lane_sum(tail, lanes, f64::abs);
        // Non-finite input makes the lane sum NaN or infinite (a sum of huge finite values may
        // overflow too: the ordered sum decides then).
        if !l1.is_finite() && first_non_finite(x).is_some() {
            return Err(non_finite(x));
        }
        let u = unit_f64(rng);
        let round = |l1: f64| self.scale.round(l1 / d, u);
        let sent = match SumBracket::around_lane_sum(l1, x.len())
            .and_then(|b| b.resolve(|l1| round(l1).ok()))
            .flatten()
        {
            Some(sent) => sent,
            None => round(norms::l1(x))?,
        };
        out.ensure_room(self.bits())?;
        let start = out.len();
        self.scale.write(out, sent)?;
        out.write_words(&words)?;
        if !tail.is_empty() {
            out.write_bits(scan::sign_word(tail), tail.len() as u32)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

impl Quantizer for ScaledSign {
    fn name(&self) -> String {
        let tag = scalar_error::tag(self.scale, ScalarCode::F32Nearest);
        if tag.is_empty() {
            "scaled-sign".into()
        } else {
            format!("scaled-sign({})", tag.trim_start_matches(','))
        }
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits())
    }

    fn bias(&self) -> Bias {
        Bias::Biased(
            "outputs (||v||_1/d) sign(v): error (1 - alpha(v))||v||^2, alpha(v) = ||v||_1^2/(d ||v||_2^2)",
        )
    }

    /// The uniform contraction `alpha = 1/d` (one-hot inputs), with the scalar code's rounding.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Contractive {
            alpha: scalar_error::inflate_alpha(self.scale, 1.0 / self.dim as f64),
        }
    }

    /// The exact error `(1 - alpha(y))||y||^2`, with the scalar code's rounding.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let l2sq = norms::l2(y).powi(2);
        let kept = l2sq * self.alpha_of(y);
        Some(scalar_error::inflate_mse(
            self.scale,
            (l2sq - kept).max(0.0),
            kept,
        ))
    }

    fn paper_bits(&self) -> Option<f64> {
        Some(self.dim as f64 + 32.0)
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        if input.len() != self.dim {
            return Err(QuantError::DimensionMismatch {
                expected: self.dim,
                got: input.len(),
            });
        }
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
        let c = self.scale.decode(bits)?;
        if c < 0.0 {
            return Err(QuantError::Corrupt(
                "negative scale in scaled-sign message".into(),
            ));
        }
        read_signs(bits, c, out)
    }
}
