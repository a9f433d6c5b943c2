//! Natural dithering: QSGD with dyadic levels (Horváth, Ho, Horváth, Sahu, Canini & Richtárik,
//! "Natural compression for distributed deep learning", arXiv 1905.10988).
//!
//! For `v in R^d`, `s >= 1` and a norm `p in [1, inf]`, each `r_i = |v_i| / ||v||_p in [0, 1]` is
//! rounded unbiasedly onto `{0, 2^(1-s), ..., 1/2, 1}` and `C(v)_i = ||v||_p sgn(v_i) level_i`.
//! It is unbiased with
//!
//! `omega = 1/8 + d^(1/r) 2^(1-s) min(1, d^(1/r) 2^(1-s))`, `r = min(p, 2)`.
//!
//! The working notes recall this formula from the paper without checking it; it holds, by
//! this argument: in a dyadic bin `[a, 2a]` the rounding variance `(r_i - a)(2a - r_i)` is at
//! most `r_i^2/8` (the maximum of `(t - 1)(2 - t)/t^2` over `t in [1, 2]`, at `t = 4/3`), which
//! sums to `||v||_2^2/8`; in the bottom bin `[0, delta]`, `delta = 2^(1-s)`, the variance
//! `r_i (delta - r_i)` is at most both `delta r_i` and `delta^2/4`, so those coordinates add
//! at most `||v||_p^2 min(delta ||v||_1/||v||_p, d delta^2/4)`, which is below
//! `d^(1/r) delta min(1, d^(1/r) delta) ||v||_2^2` by Hölder.
//!
//! In code: [`NaturalDithering`] with `levels = s` and `p`. The message is the norm (one
//! [`ScalarCode`], default [`ScalarCode::F32Stochastic`]) and the `d` signed level indices,
//! symbols of `{0, ..., 2s}` packed jointly with [`ChunkedRadix`]:
//! exactly `c + len_{2s+1}(d) ~ c + d log2(2s + 1)` bits (the notes' `~ d(1 + log2 s) + 32`).

use bitcodec::{BitReader, BitWriter, ChunkedRadix};
use rand::RngCore;

use super::level_set::{LevelSet, push_symbols, read_symbols};
use super::symbols::{SymbolSink, SymbolSource};
use super::{norms, scalar_error};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, ScalarCode,
    VarianceBound,
};

/// Most dyadic levels: the lowest, `2^(1-s)`, stays a normal `f64`.
pub const MAX_DYADIC_LEVELS: u32 = 1022;

/// Natural dithering with `s` dyadic levels on `|v_i| / ||v||_p` (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::NaturalDithering};
///
/// let q = NaturalDithering::new(3, 3)?; // levels 0, 1/4, 1/2, 1 of ||v||_2
/// let v = [2.0f64, -1.0, 2.0]; // ||v|| = 3: ratios 2/3, 1/3, 2/3
/// let state = PublicState::new(0);
/// let mut w = BitWriter::new();
/// q.encode((&v).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 3];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert!([1.5, 3.0].contains(&out[0]) && [-0.75, -1.5].contains(&out[1]));
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NaturalDithering {
    dim: usize,
    levels: LevelSet,
    p: f64,
    scale: ScalarCode,
    radix: ChunkedRadix,
}

impl NaturalDithering {
    /// Natural dithering of dimension `dim >= 1` with `1 <= levels <= 1022` on the `l_2` norm.
    pub fn new(dim: usize, levels: u32) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if !(1..=MAX_DYADIC_LEVELS).contains(&levels) {
            return Err(QuantError::InvalidParameter(format!(
                "natural dithering needs 1 <= s <= {MAX_DYADIC_LEVELS} levels, got {levels}"
            )));
        }
        let levels = LevelSet::Dyadic(levels);
        Ok(Self {
            dim,
            levels,
            p: 2.0,
            scale: ScalarCode::F32Stochastic,
            radix: ChunkedRadix::new(levels.alphabet())?,
        })
    }

    /// The same scheme normalizing by `||v||_p`, `p >= 1` (`f64::INFINITY` for the max norm).
    pub fn with_norm(mut self, p: f64) -> Result<Self, QuantError> {
        if p.is_nan() || p < 1.0 {
            return Err(QuantError::InvalidParameter(format!(
                "natural dithering needs a norm p >= 1, got {p}"
            )));
        }
        self.p = p;
        Ok(self)
    }

    /// The same scheme with the norm sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// The number of levels `s`.
    pub fn levels(&self) -> u32 {
        self.levels.top()
    }

    /// The norm `p`.
    pub fn norm(&self) -> f64 {
        self.p
    }

    /// `omega = 1/8 + d^(1/r) 2^(1-s) min(1, d^(1/r) 2^(1-s))`, `r = min(p, 2)`, for an exact norm.
    pub fn omega_exact(&self) -> f64 {
        let r = self.p.min(2.0);
        let t = (self.dim as f64).powf(1.0 / r) * self.levels.value(1);
        0.125 + t * t.min(1.0)
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
        let norm = norms::lp(x, self.p);
        let sent = self.scale.round(norm, u.unit_f64())?;
        out.ensure_room(self.bits())?;
        let start = out.len();
        self.scale.write(out, sent)?;
        let mut sink = SymbolSink::new(self.radix, out);
        push_symbols(self.levels, x, norm, &mut u, &mut sink)?;
        sink.finish()?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

impl Quantizer for NaturalDithering {
    fn name(&self) -> String {
        format!(
            "natural-dithering(s={},p={}{})",
            self.levels.top(),
            self.p,
            scalar_error::tag(self.scale, ScalarCode::F32Stochastic)
        )
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits())
    }

    fn bias(&self) -> Bias {
        scalar_error::bias_of(self.scale)
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::Relative {
            omega: scalar_error::inflate_omega(self.scale, self.omega_exact()),
        }
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
        let norm = self.scale.decode(bits)?;
        if norm < 0.0 {
            return Err(QuantError::Corrupt(
                "negative norm in natural-dithering message".into(),
            ));
        }
        let mut symbols = SymbolSource::new(self.radix, bits, self.dim);
        read_symbols(self.levels, out, norm, &mut symbols)?;
        Ok(())
    }
}
