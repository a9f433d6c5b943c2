//! [`Mxfp4`]: OCP Microscaling MXFP4, blocks of 32 E2M1 elements sharing one E8M0 scale.
//!
//! The input is cut into blocks `V_1..V_k` of [`MX_BLOCK`] = 32 coordinates (the last may be
//! shorter). A block with `amax = max_i |V_i|` gets the shared scale (OCP MX v1.0, "FLOOR")
//!
//! ```text
//! X = 2^(floor(log2 amax) - emax_elem),   emax_elem = 2 for E2M1,
//! ```
//!
//! clamped below to `2^-127` (the smallest E8M0 scale, also used for an all-zero block); a
//! block with `amax >= 2^130` would need `X >= 2^128`, the E8M0 NaN, and is refused as
//! [`QuantError::OutOfRange`]. Each element is `P_i = fl_E2M1(V_i / X)`, saturated to `±6`, and
//! decodes as `P_i · X`. The message is, per block, the 8-bit scale code then the 4-bit element
//! codes: `B = 4d + 8·ceil(d/32)` bits (4.25 bits per coordinate for full blocks).
//!
//! **Clipping and bias.** FLOOR puts `amax / X` in `[4, 8)`, but E2M1 stops at 6: block maxima
//! in `(6, 8)·X` cannot be represented. Nearest-even rounds `(6, 7)·X` down to 6 as ordinary
//! rounding and saturates `[7, 8)·X` (7 is the tie with the would-be 8, whose code is even);
//! stochastic rounding clips every coordinate in `(6, 8)·X` to `6·X`, so plain SR is biased on
//! such blocks (by up to 25% of the block maximum).
//!
//! **Headroom** ([`MxScaleRule::FloorHeadroom`], Tseng et al., arXiv 2502.20586, as in the
//! amazon-science/mxfp4-llm microxcaling patch): keep `X` but quantize `(3/4)·V_i / X`, whose
//! block maximum lies in `[3, 6)`, and decode `(4/3)·P_i·X`. Nothing is clipped, so stochastic
//! rounding is unbiased: `E[(4/3)·X·P_i] = (4/3)·X·(3/4)·V_i/X = V_i`. The price is a grid
//! `4/3` times coarser. The scaled value `3·N·2^(k-2)/X` is a dyadic rational, so rounding
//! stays exact; only the decoded product `(4·P_i·X)/3` is rounded once to `f64` (relative
//! error at most `2^-53`).
//!
//! Elements round by nearest-even or by exact stochastic rounding ([`Rounding`]). Per
//! coordinate the expected squared error is `X^2 · e(V_i/X)` (or `(4X/3)^2 · e(3V_i/(4X))`),
//! where `e` is [`Minifloat::rounding_mse`] of E2M1; [`Quantizer::mse_bound`] returns the sum.
//!
//! **Speed.** The scale exponent comes from the exponent bits of the block maximum (a
//! lane-parallel float maximum). Elements are rounded on bits ([`BitGrid`], bit-identical to
//! the engine): under FLOOR with nearest-even, `V_i · 2^-k` is exact (or far below E2M1's
//! smallest step, which rounds to a signed zero either way), so every block uses the one
//! unscaled grid; otherwise the grid scaled by `X`, cached for the last few exponents. A block
//! is 17 whole bytes (scale, then two codes per byte), so 8 blocks are assembled as bytes and
//! written as 17 words; decoding reads them back the same way and looks codes up in the
//! block's 16 values. NaN and infinities are caught by the rounding loop; a refused block takes
//! back what was written and reports what a check before writing would have. Blocks whose
//! scale leaves the range of the bit constants, and the headroom rule on `f64` input (`3 V_i`
//! is not exact there), take the engine.

use bitcodec::{BitReader, BitWriter};
use multiversion::multiversion;
use num_traits::{AsPrimitive, Zero};
use rand::RngCore;

use super::bit_rounding::{BitGrid, Grids};
use super::float_bits::{FloatBits, max_abs, max_abs_bits};
use super::minifloat::{decompose, floor_log2};
use super::packing::{expand_nibbles, nibbles_into, read_bytes, write_bytes};
use super::{DecodeTable, E8m0, Minifloat, Rounding};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar};
use crate::{VarianceBound, first_non_finite};

/// Elements per MX block.
pub const MX_BLOCK: usize = 32;

/// `emax_elem`, the exponent of E2M1's largest binade (`6 = 1.5 · 2^2`).
const E2M1_EMAX: i32 = 2;

/// The element format.
const ELEMENT: Minifloat = Minifloat::E2M1;

/// Bits per element code.
const ELEMENT_BITS: u32 = 4;

/// How the shared scale of an MX block is chosen and applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MxScaleRule {
    /// OCP MX v1.0: `X = 2^(floor(log2 amax) - 2)`, elements `fl(V_i / X)`. Block maxima in
    /// `(6, 8)·X` are clipped.
    Floor,
    /// The same `X`, elements `fl((3/4) V_i / X)` decoded times `4/3`: never clips, so
    /// stochastic rounding is unbiased.
    FloorHeadroom,
}

/// MXFP4: blocks of 32 E2M1 elements with an E8M0 shared scale, `4d + 8·ceil(d/32)` bits.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::formats::{MxScaleRule, Mxfp4, Rounding};
/// use quantizers::{PublicState, Quantizer};
///
/// let q = Mxfp4::new(4, Rounding::NearestEven, MxScaleRule::Floor)?;
/// assert_eq!(q.bit_cost().exact(), Some(4 * 4 + 8));
/// // amax = 3, so X = 2^(1 - 2) = 0.5 and the elements are 6, -1, 0.5, 1 (times X).
/// let y = [3.0f64, -0.5, 0.25, 0.5];
/// let state = PublicState::new(1);
/// let mut w = BitWriter::new();
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = [0.0; 4];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// assert_eq!(out, y);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Mxfp4 {
    dim: usize,
    rounding: Rounding,
    rule: MxScaleRule,
    bits: usize,
    table: DecodeTable,
    /// E2M1's unscaled grid, for FLOOR with nearest-even.
    unit: Grids,
}

impl Mxfp4 {
    /// MXFP4 for vectors of dimension `dim >= 1`.
    pub fn new(dim: usize, rounding: Rounding, rule: MxScaleRule) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        let bits = dim
            .checked_mul(ELEMENT_BITS as usize)
            .and_then(|b| b.checked_add(dim.div_ceil(MX_BLOCK) * E8m0::BITS as usize))
            .ok_or_else(|| {
                QuantError::InvalidParameter(format!(
                    "MXFP4 of dimension {dim} overflows usize bits"
                ))
            })?;
        Ok(Self {
            dim,
            rounding,
            rule,
            bits,
            table: DecodeTable::new(&ELEMENT)?,
            unit: Grids::new(&ELEMENT, 0),
        })
    }

    /// The rounding of the elements.
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    /// The scale rule.
    pub fn rule(&self) -> MxScaleRule {
        self.rule
    }

    /// The shared scale of a block whose largest magnitude is `amax`: `2^(floor(log2 amax) - 2)`
    /// clamped below to `2^-127` (and `2^-127` for `amax = 0`). Errors if `amax` is negative,
    /// not finite, or at least `2^130`.
    pub fn shared_scale(amax: f64) -> Result<E8m0, QuantError> {
        if !(amax.is_finite() && amax >= 0.0) {
            return Err(QuantError::OutOfRange {
                what: format!("block maximum {amax} is not a finite magnitude"),
            });
        }
        if amax == 0.0 {
            return E8m0::from_exponent(E8m0::MIN_EXP);
        }
        let e = (floor_log2(amax) - E2M1_EMAX).max(E8m0::MIN_EXP);
        E8m0::from_exponent(e).map_err(|_| QuantError::OutOfRange {
            what: format!("block maximum {amax} needs an E8M0 scale above 2^127"),
        })
    }

    /// The dyadic `(mant, exp)` of the element value to round, `V / X` or `(3/4) V / X`.
    #[inline]
    fn scaled(&self, mant: u64, exp: i32, scale_exp: i32) -> (u64, i32) {
        match self.rule {
            MxScaleRule::Floor => (mant, exp - scale_exp),
            // 3·mant < 2^55: the product is exact.
            MxScaleRule::FloorHeadroom => (3 * mant, exp - 2 - scale_exp),
        }
    }

    /// The engine's element codes of one block with scale exponent `k`.
    fn engine_block<T: Scalar, F: FnMut() -> u64>(
        &self,
        block: &[T],
        k: i32,
        draw: &mut F,
        codes: &mut [u8; MX_BLOCK],
    ) -> usize {
        let mut clipped = 0;
        for (c, &v) in codes.iter_mut().zip(block) {
            let (neg, mant, exp) = decompose(v.to_f64());
            let (mant, exp) = self.scaled(mant, exp, k);
            let mag = ELEMENT.round_magnitude(mant, exp, self.rounding, draw);
            let (code, clip) = ELEMENT.saturate(neg, mag);
            clipped += usize::from(clip);
            *c = code as u8;
        }
        clipped
    }

    /// The element codes of one block on bits, if the block's grid has bit constants.
    #[inline]
    fn fast_block<T: FloatBits, F: FnMut() -> u64>(
        &self,
        block: &[T],
        k: i32,
        grids: &mut GridCache<T>,
        grids64: &mut GridCache<f64>,
        draw: &mut F,
        codes: &mut [u8],
    ) -> Option<usize> {
        match (self.rule, self.rounding) {
            (MxScaleRule::Floor, Rounding::NearestEven) => {
                let grid = grids.get(k, || BitGrid::new(&ELEMENT, k))?;
                // Non-finite blocks never get here.
                Some(
                    grid.nearest_even_chunk(block, codes, T::from_bits_t(T::inf_bits()))
                        .0 as usize,
                )
            }
            (MxScaleRule::Floor, Rounding::Stochastic) => {
                let grid = grids.get(k, || BitGrid::new(&ELEMENT, k))?;
                Some(round_stochastic(
                    &grid,
                    block.iter().copied(),
                    draw,
                    codes,
                    |v| {
                        let (neg, mant, exp) = decompose(v.to_f64());
                        (neg, mant, exp - k)
                    },
                ))
            }
            (MxScaleRule::FloorHeadroom, rounding) if T::MANT_BITS < 52 => {
                // (3/4) V / X = 3V / 2^(k+2), and 3V is exact in f64 for f32 input. The
                // engine's 3·mant is up to 2 bits longer than an f64 mantissa.
                let grid = grids64.get(k, || {
                    BitGrid::new(&ELEMENT, k + 2).map(|g| g.with_engine_margin(2))
                })?;
                let mut tripled = [0.0f64; MX_BLOCK];
                for (t, v) in tripled.iter_mut().zip(block) {
                    *t = 3.0 * v.to_f64();
                }
                let tripled = tripled.get(..block.len()).unwrap_or(&[]);
                Some(match rounding {
                    Rounding::NearestEven => {
                        grid.nearest_even_chunk(tripled, codes, f64::INFINITY).0 as usize
                    }
                    Rounding::Stochastic => {
                        round_stochastic(&grid, tripled.iter().copied(), draw, codes, |w| {
                            let (neg, mant, exp) = decompose(w / 3.0);
                            let (mant, exp) = self.scaled(mant, exp, k);
                            (neg, mant, exp)
                        })
                    }
                })
            }
            (MxScaleRule::FloorHeadroom, _) => None,
        }
    }

    /// Encodes every block; a refused block returns the refusal (the caller takes back the
    /// partial message). A block is a whole number of bytes (scale, then two codes per byte),
    /// so [`GROUP`] blocks are assembled as bytes and written as whole words.
    fn encode_blocks<T: FloatBits>(
        &self,
        x: &[T],
        uniforms: &mut Uniforms<'_>,
        out: &mut BitWriter,
    ) -> Result<usize, QuantError> {
        let mut draw = || uniforms.next_u64();
        let mut codes = [0u8; MX_BLOCK];
        let mut grids = GridCache::new();
        let mut grids64 = GridCache::new();
        // Nearest-even under FLOOR rounds every block on one grid: X is a power of two, so
        // V / X is exact (or far below E2M1's smallest step, which rounds to a signed zero).
        let unit = match (self.rule, self.rounding) {
            (MxScaleRule::Floor, Rounding::NearestEven) => T::grid_of(&self.unit),
            _ => None,
        };
        let mut bytes = [0u8; GROUP * BLOCK_BYTES];
        let mut words = [0u64; GROUP * BLOCK_BYTES / 8];
        let mut clipped = 0;
        for group in x.chunks(GROUP * MX_BLOCK) {
            let mut bits = 0;
            for (block, dst) in group
                .chunks(MX_BLOCK)
                .zip(bytes.chunks_exact_mut(BLOCK_BYTES))
            {
                let (k, c) = match &unit {
                    Some(grid) => floor_nearest_block(block, grid, &mut codes),
                    None => self.any_block(block, &mut grids, &mut grids64, &mut draw, &mut codes),
                }
                .ok_or_else(|| self.refused(x))?;
                clipped += c;
                let (scale, nibbles) = dst.split_at_mut(1);
                scale.fill((k + E8m0::BIAS) as u8);
                if block.len() == MX_BLOCK {
                    for (b, pair) in nibbles.iter_mut().zip(codes.chunks_exact(2)) {
                        *b = (pair[0] & 0xF) | (pair[1] << 4);
                    }
                } else {
                    nibbles_into(codes.get(..block.len()).unwrap_or(&[]), nibbles);
                }
                bits += E8m0::BITS as usize + block.len() * ELEMENT_BITS as usize;
            }
            write_bytes(&bytes, bits, &mut words, out)?;
        }
        Ok(clipped)
    }

    /// One block by the general path: its scale exponent and clipped count, `None` if refused.
    fn any_block<T: FloatBits, F: FnMut() -> u64>(
        &self,
        block: &[T],
        grids: &mut GridCache<T>,
        grids64: &mut GridCache<f64>,
        draw: &mut F,
        codes: &mut [u8; MX_BLOCK],
    ) -> Option<(i32, usize)> {
        let amax_bits = max_abs_bits(block);
        if amax_bits >= T::inf_bits() {
            return None;
        }
        let k = block_exponent::<T>(amax_bits)?;
        let fast = self.fast_block(block, k, grids, grids64, draw, codes);
        let clipped = match fast {
            Some(c) => c,
            None => self.engine_block(block, k, draw, codes),
        };
        Some((k, clipped))
    }

    /// What a check of the whole input before writing reports.
    fn refusal<T: FloatBits>(x: &[T]) -> Option<QuantError> {
        // Every scale fits iff the largest magnitude's does; bits are ordered like values.
        let amax = x
            .iter()
            .fold(T::Bits::zero(), |m, v| m.max(v.bits() & T::abs_mask()));
        if amax < T::inf_bits() && Self::shared_scale(T::from_bits_t(amax).to_f64()).is_ok() {
            return None;
        }
        if let Some(index) = first_non_finite(x) {
            return Some(QuantError::NonFinite { index });
        }
        Self::first_unscalable(x).map(|(i, v)| QuantError::OutOfRange {
            what: format!("coordinate {i} = {v} needs an MXFP4 scale above 2^127"),
        })
    }

    /// The error for an input the block loop refused.
    fn refused<T: FloatBits>(&self, x: &[T]) -> QuantError {
        Self::refusal(x).unwrap_or_else(|| QuantError::OutOfRange {
            what: "input refused by MXFP4".into(),
        })
    }

    /// The first coordinate whose block scale would not fit E8M0.
    fn first_unscalable<T: Scalar>(x: &[T]) -> Option<(usize, f64)> {
        x.iter()
            .map(|v| v.to_f64())
            .enumerate()
            .find(|&(_, v)| Self::shared_scale(v.abs()).is_err())
    }
}

impl Quantizer for Mxfp4 {
    fn name(&self) -> String {
        let rule = match self.rule {
            MxScaleRule::Floor => "floor",
            MxScaleRule::FloorHeadroom => "floor-3/4",
        };
        format!("mxfp4({},{rule})", self.rounding)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits)
    }

    fn bias(&self) -> Bias {
        match (self.rounding, self.rule) {
            (Rounding::NearestEven, MxScaleRule::Floor) => Bias::Biased(
                "nearest-even rounding of y/X: deterministic error; block maxima in [7, 8)·X \
                 saturate to 6·X",
            ),
            (Rounding::NearestEven, MxScaleRule::FloorHeadroom) => Bias::Biased(
                "nearest-even rounding of (3/4)·y/X, decoded times 4/3: deterministic error",
            ),
            (Rounding::Stochastic, MxScaleRule::Floor) => Bias::Biased(
                "stochastic rounding is unbiased except for coordinates in (6, 8)·X, which the \
                 FLOOR scale clips to 6·X (counted)",
            ),
            (Rounding::Stochastic, MxScaleRule::FloorHeadroom) => Bias::Unbiased,
        }
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The exact `E||Q(y) - y||^2`: per coordinate `X^2 e(y_i/X)` (headroom:
    /// `(4X/3)^2 e(3y_i/(4X))`) with `e` the E2M1 rounding error of
    /// [`Minifloat::rounding_mse`]. `None` for a wrong length, non-finite input, or a block
    /// whose scale does not fit E8M0.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || first_non_finite(y).is_some() {
            return None;
        }
        let mut total = 0.0;
        for block in y.chunks(MX_BLOCK) {
            let amax = block.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let x = Self::shared_scale(amax).ok()?.value();
            let (pre, post) = match self.rule {
                MxScaleRule::Floor => (1.0, x),
                MxScaleRule::FloorHeadroom => (0.75, x * 4.0 / 3.0),
            };
            let e: f64 = block
                .iter()
                .map(|&v| ELEMENT.rounding_mse(pre * v / x, self.rounding))
                .sum();
            total += post * post * e;
        }
        Some(total)
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
        let refusal = || match input {
            Input::F32(x) => Self::refusal(x),
            Input::F64(x) => Self::refusal(x),
        };
        if self.rounding == Rounding::Stochastic
            && let Some(e) = refusal()
        {
            // Checked before drawing, so a refused input consumes no randomness.
            return Err(e);
        }
        if let Err(room) = out.ensure_room(self.bits) {
            return Err(refusal().unwrap_or(QuantError::Codec(room)));
        }
        let start = out.len();
        let mut uniforms = Uniforms::new(rng);
        let done = match input {
            Input::F32(x) => self.encode_blocks(x, &mut uniforms, out),
            Input::F64(x) => self.encode_blocks(x, &mut uniforms, out),
        };
        match done {
            Ok(clipped) => Ok(EncodeStats {
                bits: out.len() - start,
                clipped,
            }),
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        bits.ensure_available(self.bits)?;
        let mut words = [0u64; GROUP * BLOCK_BYTES / 8 + 1];
        let mut bytes = [0u8; GROUP * BLOCK_BYTES + 8];
        let mut values = [0.0f64; 16];
        for group in out.chunks_mut(GROUP * MX_BLOCK) {
            let blocks = group.len().div_ceil(MX_BLOCK);
            let count = blocks * E8m0::BITS as usize + group.len() * ELEMENT_BITS as usize;
            read_bytes(bits, count, &mut words, &mut bytes)?;
            for (block, src) in group.chunks_mut(MX_BLOCK).zip(bytes.chunks(BLOCK_BYTES)) {
                let (scale, codes) = src.split_first().unwrap_or((&0xFF, &[]));
                let x = E8m0::from_code(*scale)?.value();
                // The 16 element values of this block, computed as an element would be.
                for (v, p) in values.iter_mut().zip(self.table.values()) {
                    *v = match self.rule {
                        MxScaleRule::Floor => p * x,
                        MxScaleRule::FloorHeadroom => p * x * 4.0 / 3.0,
                    };
                }
                // Every E2M1 code is a finite number.
                expand_nibbles(codes, &values, block);
            }
        }
        Ok(())
    }
}

/// Blocks assembled per bulk write: 8 blocks of 17 bytes are 17 whole words.
const GROUP: usize = 8;

/// Bytes per full block: the scale and 32 codes of 4 bits.
const BLOCK_BYTES: usize = 1 + MX_BLOCK / 2;

/// `floor(log2 amax) - 2` from the bits of `amax`, clamped below as in [`Mxfp4::shared_scale`]
/// (subnormal and zero maxima land on the clamp); `None` above the largest E8M0 scale.
#[inline]
fn block_exponent<T: FloatBits>(amax_bits: T::Bits) -> Option<i32> {
    let field: u64 = (amax_bits >> T::MANT_BITS as usize).as_();
    let k = (field as i32 - T::EXP_BIAS - E2M1_EMAX).max(E8m0::MIN_EXP);
    (k <= E8m0::MAX_EXP).then_some(k)
}

/// One block under FLOOR with nearest-even on the unscaled grid `unit`: `(k, clipped)`, or
/// `None` if the block holds NaN, an infinity or a maximum beyond E8M0. Compiled also for
/// AVX2 (exact operations and IEEE products alike: the same codes; AVX-512 measured slower).
#[multiversion(targets("x86_64+avx2"))]
fn floor_nearest_block<T: FloatBits>(
    block: &[T],
    unit: &BitGrid<T>,
    codes: &mut [u8; MX_BLOCK],
) -> Option<(i32, usize)> {
    let zero = T::from_bits_t(T::Bits::zero());
    // A float maximum skips NaN; the rounding below reports NaN and infinities.
    let amax = max_abs(block);
    let k = block_exponent::<T>(amax.bits())?;
    // 2^-k is a normal value of T: k <= 126 for f32 (its largest exponent field is 255).
    let unscale = T::pow2_t(-k)?;
    let mut scaled = [zero; MX_BLOCK];
    for (s, &v) in scaled.iter_mut().zip(block) {
        *s = v.mul_t(unscale);
    }
    let scaled = scaled.get(..block.len()).unwrap_or(&[]);
    let inf = T::from_bits_t(T::inf_bits());
    let (clipped, bad) = unit.nearest_even_clamped_chunk(scaled, codes, inf);
    (!bad).then_some((k, clipped as usize))
}

/// The grids of the last few block scales: neighbouring blocks mostly share a handful of
/// scales, and a grid takes longer to set up than a block takes to round.
struct GridCache<T: FloatBits> {
    slots: [(i32, Option<BitGrid<T>>); 4],
}

impl<T: FloatBits> GridCache<T> {
    fn new() -> Self {
        Self {
            slots: [(i32::MIN, None); 4],
        }
    }

    /// The grid of scale exponent `k`, made by `make` unless cached.
    #[inline]
    fn get(&mut self, k: i32, make: impl FnOnce() -> Option<BitGrid<T>>) -> Option<BitGrid<T>> {
        let slot = self.slots.get_mut((k & 3) as usize)?;
        if slot.0 != k {
            *slot = (k, make());
        }
        slot.1
    }
}

/// Rounds one block of values stochastically on `grid`, in the engine's order of draws;
/// `engine` gives the engine's `(negative, mantissa, exponent)` of an element for the values
/// the grid leaves to it. Returns the number of clipped elements.
#[inline]
fn round_stochastic<T: FloatBits, F: FnMut() -> u64>(
    grid: &BitGrid<T>,
    values: impl Iterator<Item = T>,
    draw: &mut F,
    codes: &mut [u8],
    engine: impl Fn(T) -> (bool, u64, i32),
) -> usize {
    let mut clipped = 0;
    let max = u64::from(grid.max_mag());
    for (c, v) in codes.iter_mut().zip(values) {
        let mag = match grid.stochastic_split(v) {
            Some((floor, _)) if floor > max => max + 1,
            Some((floor, 0)) => floor,
            Some((floor, _)) if floor == max => max + 1,
            Some((floor, thr)) => floor + u64::from(draw() < thr),
            None => {
                let (_, mant, exp) = engine(v);
                ELEMENT.round_magnitude(mant, exp, Rounding::Stochastic, draw)
            }
        };
        let neg = v.bits() >> (T::width() - 1) as usize != T::Bits::zero();
        let (code, clip) = ELEMENT.saturate(neg, mag);
        clipped += usize::from(clip);
        *c = code as u8;
    }
    clipped
}
