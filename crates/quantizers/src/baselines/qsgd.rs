//! QSGD: stochastic quantization to `s` uniform levels of `|v_i| / ||v||_2`
//! (Alistarh, Grubic, Li, Tomioka & Vojnovic, NeurIPS 2017, arXiv 1610.02132, §3.1).
//!
//! For `v in R^n` and `s >= 1`, `Q_s(v)_i = ||v||_2 sgn(v_i) xi_i(v, s)`, where, with
//! `l = floor(s |v_i| / ||v||_2)`, `xi_i = (l + 1)/s` with probability `s |v_i|/||v||_2 - l`
//! and `l/s` otherwise; `sgn(0) = +1` and `Q_s(0) = 0`. Lemma 3.1: (i) `E Q_s(v) = v`,
//! (ii) `E||Q_s(v) - v||^2 <= min(n/s^2, sqrt(n)/s) ||v||^2`, (iii) `E||Q_s(v)||_0 <= s(s + sqrt n)`.
//! With buckets of `b` consecutive coordinates, each quantized with its own norm (§4; the
//! experiments use `b = 128` and `512`), `n` becomes `b` in (ii) and (iii) holds per bucket.
//! (§4 also normalizes by `max |v_i|` in practice; this implementation keeps the analysed
//! 2-norm.)
//!
//! In code: [`Qsgd`] with `levels = s` and `bucket = b` (the whole vector by default). The
//! norms travel first, one [`ScalarCode`] each (default [`ScalarCode::F32Stochastic`], which
//! keeps the scheme exactly unbiased); the levels are drawn with the exact norms. Then, by
//! [`QsgdCoding`]:
//! - **Fixed**: coordinate `i` is the symbol `s + sgn(v_i) s xi_i` of `{0, ..., 2s}`, all `d`
//!   packed jointly with [`ChunkedRadix`]: exactly `nb c + len_{2s+1}(d)` bits for `nb`
//!   buckets and `c`-bit scalars (`len` as in [`ChunkedRadix::len`], `~ d log2(2s + 1)`).
//! - **Elias** (the paper's sparse code): for each nonzero level in increasing position (1-based
//!   positions `p_1 < p_2 < ...`, `p_0 = 0`), Elias gamma of the gap `p_j - p_{j-1}`, a sign bit
//!   (1 = negative) and Elias gamma of the level `s xi_i`; then the gap to `d + 1`, which ends
//!   the message. Its length is
//!   `nb c + sum_j (gamma(p_j - p_{j-1}) + 1 + gamma(s xi_{p_j})) + gamma(d + 1 - p_last)`,
//!   `gamma(m) = 2 floor(log2 m) + 1`: a [`BitCost::Variable`] message of at most
//!   `nb c + d (2 + gamma(s)) + 1` bits ([`Qsgd::worst_case_bits`]).
//!
//! The paper codes with recursive Elias (omega) codes and lets the decoder stop at the end of
//! the string. Here gamma codes keep the length formula simple, and the final gap makes the
//! message self-delimiting, so it can share a stream with other messages. Corollary 3.3
//! states `<= 2.8 n + 32` expected bits at `s = sqrt n`; this code measures about
//! `2.73 d + 32` on Gaussian vectors (`d = 64 ... 4096`), including the final gap.

use bitcodec::{BitReader, BitWriter, ChunkedRadix, EliasGamma};
use rand::RngCore;

use super::level_set::{LevelSet, Ratio, push_symbols, read_symbols};
use super::symbols::{SymbolSink, SymbolSource};
use super::{norms, scalar_error};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, ScalarCode,
    VarianceBound,
};

/// The wire format of [`Qsgd`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QsgdCoding {
    /// Every coordinate a symbol of `{-s, ..., s}`, packed jointly: an exact length.
    #[default]
    Fixed,
    /// Gaps, signs and levels of the nonzero coordinates in Elias gamma: a variable length.
    Elias,
}

/// QSGD with `s` levels, optional buckets and two wire formats (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::Qsgd};
///
/// let q = Qsgd::new(4, 2)?; // d = 4, s = 2: levels 0, 1/2, 1 of ||v|| = 5
/// let v = [3.0f32, 0.0, -4.0, 0.0];
/// let state = PublicState::new(7);
/// let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
/// q.encode((&v).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(w.len(), 32 + 10); // the norm, then 5^4 symbols in ceil(4 log2 5) bits
/// let msg = w.finish();
/// let mut out = [0.0; 4];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert!([2.5, 5.0].contains(&out[0]) && [-2.5, -5.0].contains(&out[2]));
/// assert_eq!((out[1], out[3]), (0.0, 0.0));
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Qsgd {
    dim: usize,
    levels: LevelSet,
    bucket: usize,
    coding: QsgdCoding,
    scale: ScalarCode,
    radix: ChunkedRadix,
}

impl Qsgd {
    /// Fixed-length QSGD on vectors of dimension `dim >= 1` with `levels = s >= 1`, one
    /// bucket, norms as stochastically rounded `f32`.
    pub fn new(dim: usize, levels: u32) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if levels == 0 {
            return Err(QuantError::InvalidParameter(
                "QSGD needs at least one level (s >= 1)".into(),
            ));
        }
        let levels = LevelSet::Uniform(levels);
        Ok(Self {
            dim,
            levels,
            bucket: dim,
            coding: QsgdCoding::Fixed,
            scale: ScalarCode::F32Stochastic,
            radix: ChunkedRadix::new(levels.alphabet())?,
        })
    }

    /// Elias-coded QSGD (the paper's §3.1 code) on vectors of dimension `dim` with `levels`.
    pub fn elias(dim: usize, levels: u32) -> Result<Self, QuantError> {
        Ok(Self::new(dim, levels)?.with_coding(QsgdCoding::Elias))
    }

    /// The same scheme with buckets of `bucket` coordinates (`1 <= bucket`; a bucket larger
    /// than the dimension is the whole vector). The last bucket holds the `d mod b` rest.
    pub fn with_bucket(mut self, bucket: usize) -> Result<Self, QuantError> {
        if bucket == 0 {
            return Err(QuantError::InvalidParameter(
                "bucket size must be at least 1".into(),
            ));
        }
        self.bucket = bucket.min(self.dim);
        Ok(self)
    }

    /// The same scheme with another wire format.
    pub fn with_coding(mut self, coding: QsgdCoding) -> Self {
        self.coding = coding;
        self
    }

    /// The same scheme with norms sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// The number of levels `s`.
    pub fn levels(&self) -> u32 {
        self.levels.top()
    }

    /// The bucket size `b`.
    pub fn bucket(&self) -> usize {
        self.bucket
    }

    /// The wire format.
    pub fn coding(&self) -> QsgdCoding {
        self.coding
    }

    /// The number of buckets `ceil(d / b)`.
    pub fn buckets(&self) -> usize {
        self.dim.div_ceil(self.bucket)
    }

    /// `omega = min(b/s^2, sqrt(b)/s)` of Lemma 3.1 (ii) for exact norms.
    pub fn omega_exact(&self) -> f64 {
        let b = self.bucket as f64;
        let s = f64::from(self.levels.top());
        (b / (s * s)).min(b.sqrt() / s)
    }

    /// Lemma 3.1 (iii) summed over buckets: `E||Q(v)||_0 <= sum_buckets s (s + sqrt(b_j))`.
    pub fn expected_nonzeros_bound(&self) -> f64 {
        let s = f64::from(self.levels.top());
        let full = self.dim / self.bucket;
        let rest = self.dim % self.bucket;
        let per = |b: usize| s * (s + (b as f64).sqrt());
        full as f64 * per(self.bucket) + if rest > 0 { per(rest) } else { 0.0 }
    }

    /// The longest message: exact for [`QsgdCoding::Fixed`]; for [`QsgdCoding::Elias`]
    /// `nb c + d (2 + gamma(s)) + 1`, from `gamma(g) <= 2g - 1` over gaps summing to `d + 1`.
    pub fn worst_case_bits(&self) -> usize {
        let norms = self.buckets() * self.scale.bits();
        match self.coding {
            QsgdCoding::Fixed => norms + self.radix.len(self.dim),
            QsgdCoding::Elias => {
                let gamma_s = 2 * (31 - self.levels.top().leading_zeros()) as usize + 1;
                norms + self.dim * (2 + gamma_s) + 1
            }
        }
    }

    /// Rounds every bucket's norm before anything is written, so a failure (a norm past the
    /// `f32` range) leaves the writer untouched. Returns `(exact, sent)` per bucket.
    fn bucket_norms<T: Scalar>(
        &self,
        x: &[T],
        u: &mut Uniforms<'_>,
    ) -> Result<Vec<(f64, f64)>, QuantError> {
        x.chunks(self.bucket)
            .map(|b| {
                let norm = norms::l2(b);
                Ok((norm, self.scale.round(norm, u.unit_f64())?))
            })
            .collect()
    }

    fn encode_fixed<T: Scalar>(
        &self,
        x: &[T],
        norms: &[(f64, f64)],
        u: &mut Uniforms<'_>,
        out: &mut BitWriter,
    ) -> Result<(), QuantError> {
        out.ensure_room(self.worst_case_bits())?;
        for &(_, sent) in norms {
            self.scale.write(out, sent)?;
        }
        let mut sink = SymbolSink::new(self.radix, out);
        for (bucket, &(norm, _)) in x.chunks(self.bucket).zip(norms) {
            push_symbols(self.levels, bucket, norm, u, &mut sink)?;
        }
        sink.finish()?;
        Ok(())
    }

    fn encode_elias<T: Scalar>(
        &self,
        x: &[T],
        norms: &[(f64, f64)],
        u: &mut Uniforms<'_>,
        out: &mut BitWriter,
    ) -> Result<(), QuantError> {
        // The length is known only at the end: write to a scratch message under the same
        // room, then append it whole.
        let mut msg = BitWriter::new();
        msg.reset(Some(out.remaining()));
        for &(_, sent) in norms {
            self.scale.write(&mut msg, sent)?;
        }
        let mut last = 0u64; // 1-based position of the previous nonzero
        let mut pos = 0u64;
        for (bucket, &(norm, _)) in x.chunks(self.bucket).zip(norms) {
            let ratio = Ratio::new(norm);
            for v in bucket {
                pos += 1;
                let v = v.to_f64();
                let level = self.levels.round(ratio.of(v.abs()), u.unit_f64());
                if level > 0 {
                    EliasGamma::encode(&mut msg, pos - last)?;
                    msg.write_bit(v < 0.0)?;
                    EliasGamma::encode(&mut msg, u64::from(level))?;
                    last = pos;
                }
            }
        }
        EliasGamma::encode(&mut msg, self.dim as u64 + 1 - last)?;
        out.write_bitstring(&msg.finish())?;
        Ok(())
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let mut u = Uniforms::new(rng);
        let norms = self.bucket_norms(x, &mut u)?;
        let start = out.len();
        match self.coding {
            QsgdCoding::Fixed => self.encode_fixed(x, &norms, &mut u, out)?,
            QsgdCoding::Elias => self.encode_elias(x, &norms, &mut u, out)?,
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }

    fn read_norms(&self, bits: &mut BitReader<'_>) -> Result<Vec<f64>, QuantError> {
        (0..self.buckets())
            .map(|_| {
                let norm = self.scale.decode(bits)?;
                if norm < 0.0 {
                    return Err(QuantError::Corrupt("negative norm in QSGD message".into()));
                }
                Ok(norm)
            })
            .collect()
    }

    fn decode_elias(
        &self,
        bits: &mut BitReader<'_>,
        norms: &[f64],
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        out.fill(0.0);
        let end = self.dim as u64 + 1;
        let mut pos = 0u64;
        loop {
            let gap = EliasGamma::decode(bits)?;
            pos = match pos.checked_add(gap) {
                Some(p) if p < end => p,
                Some(p) if p == end => return Ok(()),
                _ => return Err(QuantError::Corrupt("QSGD gap past the dimension".into())),
            };
            let negative = bits.read_bit()?;
            let level = EliasGamma::decode(bits)?;
            if level > u64::from(self.levels.top()) {
                return Err(QuantError::Corrupt(format!(
                    "QSGD level {level} above s = {}",
                    self.levels.top()
                )));
            }
            let i = (pos - 1) as usize;
            let norm = norms.get(i / self.bucket).copied().unwrap_or(0.0);
            let magnitude = norm * self.levels.value(level as u32);
            if let Some(o) = out.get_mut(i) {
                *o = if negative { -magnitude } else { magnitude };
            }
        }
    }
}

impl Quantizer for Qsgd {
    fn name(&self) -> String {
        let mut name = format!("qsgd(s={}", self.levels.top());
        if self.bucket < self.dim {
            name += &format!(",bucket={}", self.bucket);
        }
        if self.coding == QsgdCoding::Elias {
            name += ",elias";
        }
        name += scalar_error::tag(self.scale, ScalarCode::F32Stochastic);
        name + ")"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        match self.coding {
            QsgdCoding::Fixed => BitCost::Exact(self.worst_case_bits()),
            QsgdCoding::Elias => BitCost::Variable,
        }
    }

    fn bias(&self) -> Bias {
        scalar_error::bias_of(self.scale)
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::Relative {
            omega: scalar_error::inflate_omega(self.scale, self.omega_exact()),
        }
    }

    /// Fixed: the usual dense count, `32` per norm and `1 + log2(s + 1)` per coordinate
    /// (a sign bit and a level). Elias: Theorem 3.2's expected-length bound with its `o(1)`
    /// dropped, `(3 + 1.5 log2(2(s^2 + b)/(s(s + sqrt b)))) s (s + sqrt b) + 32` per bucket.
    fn paper_bits(&self) -> Option<f64> {
        let s = f64::from(self.levels.top());
        let nb = self.buckets() as f64;
        match self.coding {
            QsgdCoding::Fixed => Some(32.0 * nb + self.dim as f64 * (1.0 + (s + 1.0).log2())),
            QsgdCoding::Elias => {
                let per = |b: f64| {
                    let dense = s * (s + b.sqrt());
                    (3.0 + 1.5 * (2.0 * (s * s + b) / dense).log2()) * dense + 32.0
                };
                let full = (self.dim / self.bucket) as f64;
                let rest = self.dim % self.bucket;
                let tail = if rest > 0 { per(rest as f64) } else { 0.0 };
                Some(full * per(self.bucket as f64) + tail)
            }
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
        if self.coding == QsgdCoding::Fixed {
            bits.ensure_available(self.worst_case_bits())?;
        }
        let norms = self.read_norms(bits)?;
        if self.coding == QsgdCoding::Elias {
            return self.decode_elias(bits, &norms, out);
        }
        let mut symbols = SymbolSource::new(self.radix, bits, self.dim);
        for (bucket, &norm) in out.chunks_mut(self.bucket).zip(&norms) {
            read_symbols(self.levels, bucket, norm, &mut symbols)?;
        }
        Ok(())
    }
}
