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
//!
//! **Speed.** 8- and 16-bit formats run on bits ([`BitGrid`]): nearest-even converts chunks of
//! [`CHUNK`] coordinates in a branch-free loop that also finds the largest magnitude, so the
//! check for NaN, infinities and (non-saturating) overflow costs no extra pass; a refused chunk
//! takes back what was written and reports exactly what a check before writing would have.
//! Stochastic rounding checks the input first (so a refusal draws nothing), then rounds one
//! coordinate at a time, with one random word per coordinate off the grid. Codes go to the
//! writer a word at a time. Decoding looks 8-bit codes up in a 256-entry table and builds
//! 16-bit values from their bits, checking a word of codes for NaN and infinity codes at once.
//! Other formats, and inputs the bit constants cannot express, take the [`Minifloat`] engine;
//! both paths give the same messages.

use bitcodec::{BitReader, BitWriter};
use multiversion::multiversion;
use num_traits::AsPrimitive;
use rand::RngCore;

use super::bit_rounding::BitGrid;
use super::float_bits::FloatBits;
use super::minifloat::{decompose, pow2};
use super::packing::{CodeReader, CodeWriter, LaneCode};
use super::{DecodeTable, Minifloat, Overflow, Rounding};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar};
use crate::{VarianceBound, first_non_finite};
use num_traits::{One, Zero};

/// Coordinates converted per chunk on the fast paths (their codes fit in 64 words at 8 bits).
const CHUNK: usize = 512;

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
    /// The fast path's constants per input type, when it applies (set up once: they cost more
    /// than a small message).
    fast32: Option<FastCast<f32>>,
    fast64: Option<FastCast<f64>>,
}

/// The constants of [`FloatCast`]'s fast path for one input type.
#[derive(Debug, Clone, Copy, PartialEq)]
struct FastCast<T: FloatBits> {
    grid: BitGrid<T>,
    /// The smallest magnitude bits the encoder refuses.
    refuse_from: T::Bits,
}

/// Picks the fast path's constants for the input type.
trait CastInput: FloatBits {
    fn fast(q: &FloatCast) -> Option<FastCast<Self>>;
}

impl CastInput for f32 {
    fn fast(q: &FloatCast) -> Option<FastCast<Self>> {
        q.fast32
    }
}

impl CastInput for f64 {
    fn fast(q: &FloatCast) -> Option<FastCast<Self>> {
        q.fast64
    }
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
        let mut q = Self {
            format,
            dim,
            rounding,
            overflow,
            bits,
            table,
            limit,
            inclusive,
            fast32: None,
            fast64: None,
        };
        q.fast32 = q.fast_constants();
        q.fast64 = q.fast_constants();
        Ok(q)
    }

    /// The fast path's constants for `T`, if it applies: codes of 8 or 16 bits and a grid with
    /// bit constants in `T`.
    fn fast_constants<T: FloatBits>(&self) -> Option<FastCast<T>> {
        if !matches!(self.format.width(), 8 | 16) {
            return None;
        }
        Some(FastCast {
            grid: BitGrid::new(&self.format, 0)?,
            refuse_from: self.refuse_from::<T>(),
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

    /// What a check of the whole input before writing reports: the first non-finite coordinate,
    /// else the first overflowing one (non-saturating mode). `None` if the input is admissible.
    fn refusal<T: Scalar>(&self, x: &[T]) -> Option<QuantError> {
        if let Some(index) = first_non_finite(x) {
            return Some(QuantError::NonFinite { index });
        }
        if self.overflow == Overflow::NonSaturating
            && let Some((i, v)) = self.first_overflow(x)
        {
            return Some(QuantError::OutOfRange {
                what: format!(
                    "coordinate {i} = {v} overflows {} (largest finite {}) in non-saturating mode",
                    self.format,
                    self.format.max_finite()
                ),
            });
        }
        None
    }

    /// The smallest magnitude bits of `T` that the encoder refuses: the infinity when
    /// saturating, the first value that overflows otherwise (bits are ordered like values).
    fn refuse_from<T: FloatBits>(&self) -> T::Bits {
        let inf = T::inf_bits();
        if self.overflow == Overflow::Saturate {
            return inf;
        }
        let overflows = |b: T::Bits| self.overflows(T::from_bits_t(b).to_f64());
        let (mut lo, mut hi) = (T::Bits::zero(), inf);
        if overflows(lo) {
            return lo;
        }
        // Invariant: lo is admissible, hi is refused.
        while hi - lo > T::Bits::one() {
            let mid = lo + (hi - lo) / (T::Bits::one() + T::Bits::one());
            if overflows(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// Encodes `x` on the fast path when the format and `T` allow it; `None` otherwise.
    fn encode_fast<T: CastInput>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Option<Result<usize, QuantError>>
    where
        T::Bits: AsPrimitive<u8> + AsPrimitive<u16>,
    {
        let FastCast { grid, refuse_from } = T::fast(self)?;
        Some(match (self.format.width(), self.rounding) {
            (8, Rounding::NearestEven) => {
                self.encode_nearest_fast::<T, u8>(x, &grid, refuse_from, out)
            }
            (16, Rounding::NearestEven) => {
                self.encode_nearest_fast::<T, u16>(x, &grid, refuse_from, out)
            }
            (8, Rounding::Stochastic) => {
                self.encode_stochastic_fast::<T, u8>(x, &grid, refuse_from, rng, out)
            }
            (16, Rounding::Stochastic) => {
                self.encode_stochastic_fast::<T, u16>(x, &grid, refuse_from, rng, out)
            }
            _ => return None,
        })
    }

    /// Nearest-even on bits, a chunk at a time, with the input check fused into the loop.
    fn encode_nearest_fast<T: FloatBits, C: LaneCode>(
        &self,
        x: &[T],
        grid: &BitGrid<T>,
        refuse_from: T::Bits,
        out: &mut BitWriter,
    ) -> Result<usize, QuantError>
    where
        T::Bits: AsPrimitive<C>,
    {
        let refuse_from = T::from_bits_t(refuse_from);
        let mut buf = [C::default(); CHUNK];
        let mut words = [0u64; CHUNK / 4];
        let mut clipped = 0;
        for chunk in x.chunks(CHUNK) {
            let codes = buf.get_mut(..chunk.len()).unwrap_or(&mut []);
            let (clip, bad) = grid.nearest_even_chunk(chunk, codes, refuse_from);
            if bad {
                return Err(self.refused(x));
            }
            clipped += clip as usize;
            write_codes(codes, &mut words, out)?;
        }
        Ok(clipped)
    }

    /// Stochastic rounding on bits after a check of the whole input, one coordinate at a time
    /// in the engine's order of random draws.
    fn encode_stochastic_fast<T: FloatBits, C: LaneCode>(
        &self,
        x: &[T],
        grid: &BitGrid<T>,
        refuse_from: T::Bits,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<usize, QuantError>
    where
        T::Bits: AsPrimitive<C>,
    {
        let amax = x
            .iter()
            .fold(T::Bits::zero(), |m, v| m.max(v.bits() & T::abs_mask()));
        if amax >= refuse_from {
            return Err(self.refused(x));
        }
        let f = &self.format;
        let max = u64::from(grid.max_mag());
        let mut uniforms = Uniforms::new(rng);
        let mut buf = [C::default(); CHUNK];
        let mut words = [0u64; CHUNK / 4];
        let mut clipped = 0;
        for chunk in x.chunks(CHUNK) {
            let codes = buf.get_mut(..chunk.len()).unwrap_or(&mut []);
            for (c, &v) in codes.iter_mut().zip(chunk) {
                let mag = match grid.stochastic_split(v) {
                    Some((floor, _)) if floor > max => max + 1,
                    Some((floor, 0)) => floor,
                    Some((floor, _)) if floor == max => max + 1,
                    Some((floor, thr)) => floor + u64::from(uniforms.next_u64() < thr),
                    None => {
                        let (_, mant, exp) = decompose(v.to_f64());
                        f.round_magnitude(mant, exp, Rounding::Stochastic, &mut || {
                            uniforms.next_u64()
                        })
                    }
                };
                let neg = v.bits() >> (T::width() - 1) as usize != T::Bits::zero();
                let (code, clip) = f.saturate(neg, mag);
                clipped += usize::from(clip);
                *c = T::Bits::from(code).as_();
            }
            write_codes(codes, &mut words, out)?;
        }
        Ok(clipped)
    }

    /// The error for an input a fast path refused.
    fn refused<T: Scalar>(&self, x: &[T]) -> QuantError {
        self.refusal(x).unwrap_or_else(|| QuantError::OutOfRange {
            what: format!("input refused by {}", self.format),
        })
    }

    /// Decodes 8-bit codes by table, [`CHUNK`] at a time.
    fn decode_bytes(
        &self,
        table: &[f64; 256],
        bits: &mut BitReader<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        self.decode_lanes::<u8>(bits, out, |c| table[(c & 0xFF) as usize])
    }

    /// Decodes codes of 8 or 16 bits from their bits through `f32` (exact for FP8, FP16 and
    /// BF16): a normal code's magnitude shifted into an `f32` and rebiased, a subnormal's
    /// mantissa times its spacing; when the format's lowest binade is `f32`'s (BF16) the shift
    /// alone is exact. `None` for formats whose values or spacing `f32` does not hold.
    fn decode_via_f32<C: LaneCode>(
        &self,
        bits: &mut BitReader<'_>,
        out: &mut [f64],
    ) -> Option<Result<(), QuantError>> {
        let f = &self.format;
        let m = f.man_bits();
        let emin = 1 - f.bias();
        let top = i32::try_from(f.max_code() >> m).unwrap_or(i32::MAX) - f.bias();
        let spacing = 2f32.powi(emin - m as i32);
        if f.width() != C::BITS || top > 127 || !(emin == -126 || spacing.is_normal()) {
            return None;
        }
        let shift = 23 - m;
        let mag_mask = f.sign_mask() - 1;
        let sign_shift = 32 - C::BITS;
        if emin == -126 && C::BITS == 16 && m == 7 {
            return Some(self.decode_bf16(bits, out));
        }
        if emin == -126 {
            // f32's own subnormals continue the format's lowest binade.
            return Some(self.decode_lanes::<C>(bits, out, |c| {
                let v = ((c & mag_mask) << shift) | ((c & !mag_mask) << sign_shift);
                f64::from(f32::from_bits(v))
            }));
        }
        let rebias = ((127 - f.bias()) as u32) << 23;
        let min_normal = 1u32 << m;
        Some(self.decode_lanes::<C>(bits, out, |c| {
            let mag = c & mag_mask;
            let normal = f32::from_bits((mag << shift) + rebias);
            let sub = mag as f32 * spacing;
            let v = if mag >= min_normal { normal } else { sub };
            f64::from(f32::from_bits(
                v.to_bits() | ((c & !mag_mask) << sign_shift),
            ))
        }))
    }

    /// Decodes BF16, the upper halves of `f32`s (subnormals included): two codes share each
    /// 32-bit half of a word, and masks and shifts of the halves give the `f32` bits.
    fn decode_bf16(&self, bits: &mut BitReader<'_>, out: &mut [f64]) -> Result<(), QuantError> {
        let halves = |w: u64| {
            let (lo, hi) = (w as u32, (w >> 32) as u32);
            [lo << 16, lo & 0xFFFF_0000, hi << 16, hi & 0xFFFF_0000]
        };
        self.decode_words::<u16>(bits, out, |words, out| {
            expand_words(words, out, 4, &halves, &|h| f64::from(f32::from_bits(h)))
        })
    }

    /// Decodes 16-bit codes of any format from their bits in `f64`.
    fn decode_halves_f64(
        &self,
        bits: &mut BitReader<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        let f = &self.format;
        let m = f.man_bits();
        let mag_mask = u64::from(f.sign_mask() - 1);
        let rebias = ((1023 - i64::from(f.bias())) as u64) << 52;
        let spacing = pow2(1 - f.bias() - m as i32);
        let min_normal = 1u64 << m;
        let sign_shift = 63 - (f.width() - 1);
        self.decode_lanes::<u16>(bits, out, |c| {
            let code = u64::from(c);
            let mag = code & mag_mask;
            let normal = f64::from_bits((mag << (52 - m)) + rebias);
            let sub = mag as f64 * spacing;
            let v = if mag >= min_normal { normal } else { sub };
            f64::from_bits(v.to_bits() | ((code & !mag_mask) << sign_shift))
        })
    }

    /// Decodes word by word: the codes of each word (as `u32`) through `value`.
    fn decode_lanes<C: LaneCode>(
        &self,
        bits: &mut BitReader<'_>,
        out: &mut [f64],
        value: impl Fn(u32) -> f64,
    ) -> Result<(), QuantError> {
        self.decode_words::<C>(bits, out, |words, out| {
            expand_words(words, out, C::PER_WORD, &C::lanes, &value)
        })
    }

    /// Reads the message [`CHUNK`] codes at a time (whole words in bulk, then the last partial
    /// word), rejects a chunk with a NaN or infinity code (checked a word at a time), and
    /// hands the chunk's words with its outputs to `convert`.
    fn decode_words<C: LaneCode>(
        &self,
        bits: &mut BitReader<'_>,
        out: &mut [f64],
        mut convert: impl FnMut(&[u64], &mut [f64]),
    ) -> Result<(), QuantError> {
        let max = u64::from(self.format.max_code());
        let mut words = [0u64; CHUNK / 4];
        for (c, chunk) in out.chunks_mut(CHUNK).enumerate() {
            let full = chunk.len() / C::PER_WORD;
            let rest = chunk.len() - full * C::PER_WORD;
            let n = full + usize::from(rest > 0);
            let ws = words.get_mut(..n).unwrap_or(&mut []);
            let (whole, last) = ws.split_at_mut(full);
            bits.read_words(whole)?;
            for w in last.iter_mut() {
                *w = bits.read_bits(rest as u32 * C::BITS)?;
            }
            if ws.iter().fold(false, |bad, &w| bad | C::any_above(w, max)) {
                let (k, &word) = ws
                    .iter()
                    .enumerate()
                    .find(|&(_, &w)| C::any_above(w, max))
                    .unwrap_or((0, &0));
                return Err(self.corrupt_in_word(c * CHUNK + k * C::PER_WORD, word, C::BITS));
            }
            convert(ws, chunk);
        }
        Ok(())
    }

    /// The corruption error for the first NaN or infinity code among the lanes of `word`,
    /// whose first lane is coordinate `first`.
    fn corrupt_in_word(&self, first: usize, word: u64, width: u32) -> QuantError {
        let mask = (1u64 << width) - 1;
        let mag_mask = u64::from(self.format.sign_mask() - 1);
        let max = u64::from(self.format.max_code());
        let lanes = (64 / width) as usize;
        let bad = (0..lanes)
            .map(|j| (j, (word >> (j as u32 * width)) & mask))
            .find(|&(_, c)| c & mag_mask > max);
        let (j, code) = bad.unwrap_or((0, word & mask));
        QuantError::Corrupt(format!(
            "coordinate {}: code {code:#x} is NaN or infinite in {}",
            first + j,
            self.format
        ))
    }
}

/// Writes `value` of the first `per_word` lanes of each word (`lanes(w)`) to consecutive
/// outputs, the last word possibly in part. Compiled also for AVX2 and AVX-512, picked at run
/// time: the same IEEE conversions, so the same outputs.
#[multiversion(targets("x86_64+avx2"))]
fn expand_words<const N: usize>(
    words: &[u64],
    out: &mut [f64],
    per_word: usize,
    lanes: &impl Fn(u64) -> [u32; N],
    value: &impl Fn(u32) -> f64,
) {
    let per_word = per_word.clamp(1, N);
    let whole = out.len() / per_word;
    let mut groups = out.chunks_exact_mut(per_word);
    for (o, &w) in groups.by_ref().zip(words) {
        for (o, &c) in o.iter_mut().zip(&lanes(w)) {
            *o = value(c);
        }
    }
    let rest = groups.into_remainder();
    if let Some(&w) = words.get(whole) {
        for (o, &c) in rest.iter_mut().zip(&lanes(w)) {
            *o = value(c);
        }
    }
}

/// Writes codes a word at a time: whole words in one bulk write, then the last partial word
/// (only the final chunk of a message has one).
fn write_codes<C: LaneCode>(
    codes: &[C],
    words: &mut [u64],
    out: &mut BitWriter,
) -> Result<(), QuantError> {
    let n = C::pack_words(codes, words);
    out.write_words(words.get(..n).unwrap_or(&[]))?;
    let rest = codes.get(n * C::PER_WORD..).unwrap_or(&[]);
    if !rest.is_empty() {
        out.write_bits(C::pack(rest), rest.len() as u32 * C::BITS)?;
    }
    Ok(())
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
        if input.len() != self.dim {
            return Err(QuantError::DimensionMismatch {
                expected: self.dim,
                got: input.len(),
            });
        }
        if let Err(room) = out.ensure_room(self.bits) {
            // A bad input is reported before a small budget, as when it was checked first.
            let bad = match input {
                Input::F32(x) => self.refusal(x),
                Input::F64(x) => self.refusal(x),
            };
            return Err(bad.unwrap_or(QuantError::Codec(room)));
        }
        let start = out.len();
        let fast = match input {
            Input::F32(x) => self.encode_fast(x, rng, out),
            Input::F64(x) => self.encode_fast(x, rng, out),
        };
        let clipped = match fast {
            Some(Ok(clipped)) => clipped,
            Some(Err(e)) => {
                out.truncate(start);
                return Err(e);
            }
            None => {
                let bad = match input {
                    Input::F32(x) => self.refusal(x),
                    Input::F64(x) => self.refusal(x),
                };
                if let Some(e) = bad {
                    return Err(e);
                }
                let mut uniforms = Uniforms::new(rng);
                match input {
                    Input::F32(x) => self.encode_slice(x, &mut uniforms, out)?,
                    Input::F64(x) => self.encode_slice(x, &mut uniforms, out)?,
                }
            }
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
        match self.format.width() {
            8 => {
                if let Some(t) = self.table.as_ref().and_then(DecodeTable::as_bytes_table) {
                    return self.decode_bytes(t, bits, out);
                }
            }
            16 => {
                return self
                    .decode_via_f32::<u16>(bits, out)
                    .unwrap_or_else(|| self.decode_halves_f64(bits, out));
            }
            _ => {}
        }
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
