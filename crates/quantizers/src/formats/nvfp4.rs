//! [`Nvfp4`]: NVIDIA's NVFP4, blocks of 16 E2M1 elements with an E4M3 block scale and an `f32`
//! tensor scale.
//!
//! Two-level scaling, following torchao's `nvfp4_quantize` and `per_tensor_amax_to_scale`
//! (`pytorch/ao`, `torchao/prototype/mx_formats/nvfp4_tensor.py`). With `A = max_i |y_i|`,
//! blocks of [`NV_BLOCK`] = 16 coordinates (the last may be shorter) and `a_b` the block maximum:
//!
//! ```text
//! s_t = fl32(A / (448 · 6))                               tensor scale, f32
//! s_b = fl_E4M3(clamp(a_b / 6 / s_t, 2^-6, 448))          block scale, E4M3 (positive)
//! q_i = fl_E2M1(y_i / (s_t · s_b)), saturated to ±6       elements
//! y^_i = q_i · s_b · s_t                                  decoded
//! ```
//!
//! The message is `s_t` (32 bits), then per block the 8-bit `s_b` code and the 4-bit element
//! codes: `B = 4d + 8·ceil(d/16) + 32` bits. `s_t · s_b` and `q_i · s_b · s_t` are exact in
//! `f64`; `y_i / (s_t s_b)` is rounded once to `f64` (relative `2^-53`) before the element
//! rounding, since `s_t s_b` is not a power of two. The scale arithmetic is done in `f64`
//! where torchao uses `f32`: `s_t` is identical for `f32` input (a quotient of `f32` values
//! rounded via `f64` is correctly rounded), and the block scale can differ only when
//! `a_b / 6 / s_t` lies within `f32` rounding of an E4M3 tie.
//!
//! Edge cases: an all-zero input sends `s_t = 0` and decodes to zeros; an `s_t` that would
//! round to zero becomes the smallest positive `f32`, and one that overflows `f32`
//! (`A > ~9.1e41`, only possible for `f64` input) is [`QuantError::OutOfRange`].
//!
//! **Bias.** With the recipe's nearest-even block scale ([`NvScaleRule::Nearest`]), `s_b` can
//! round *down* by up to a relative `2^-4`, and then the block maximum lands at up to
//! `6 · 17/16` in element units and is clipped to 6: stochastic rounding is biased on such
//! blocks. [`NvScaleRule::RoundUp`] (our reconstruction, not part of the torchao recipe)
//! rounds `s_t` up in `f32` and `s_b` up in E4M3, then checks `a_b <= 6 · s_t · s_b` exactly
//! (stepping `s_b` up if needed); nothing is clipped, so stochastic rounding is unbiased up
//! to the one `f64` rounding of `y_i / (s_t s_b)`.
//!
//! **Speed.** The tensor maximum is one pass over the magnitudes' bits (ordered like the
//! values), which also finds NaN and infinities. Block scales are rounded to E4M3 and the
//! quotients `fl64(y_i / (s_t s_b))` to E2M1 on bits ([`BitGrid`], bit-identical to the
//! engine). A block is 9 whole bytes (scale, then two codes per byte), so 8 blocks are
//! assembled as bytes and written as 9 words; decoding reads them back the same way and looks
//! codes up in the block's 16 values. The exact `f64` division per element, which the recipe
//! and bit-identity need, bounds the encoder's speed.

use bitcodec::{BitReader, BitWriter};
use num_traits::AsPrimitive;
use rand::RngCore;

use super::bit_rounding::BitGrid;
use super::float_bits::{FloatBits, max_abs, max_abs_bits};
use super::minifloat::decompose;
use super::packing::{expand_nibbles, nibbles_into, read_bytes, write_bytes};
use super::{DecodeTable, Minifloat, Overflow, Rounding};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer};
use crate::{VarianceBound, first_non_finite};

/// Elements per NVFP4 block.
pub const NV_BLOCK: usize = 16;

/// Largest E2M1 magnitude.
const E2M1_MAX: f64 = 6.0;

/// Largest E4M3 magnitude.
const E4M3_MAX: f64 = 448.0;

/// Lower clamp of the block scale: torchao's `E4M3_EPS = torch.finfo(torch.float8_e4m3fn).tiny`,
/// the smallest normal E4M3 value `2^-6` (read in torchao's `nvfp4_tensor.py`; our notes recalled
/// `2^-9`, the smallest subnormal).
const BLOCK_SCALE_MIN: f64 = 0.015_625;

/// Bits of the tensor scale.
const TENSOR_SCALE_BITS: u32 = 32;

/// The element format.
const ELEMENT: Minifloat = Minifloat::E2M1;

/// The block-scale format.
const SCALE: Minifloat = Minifloat::E4M3;

/// Bits per element code.
const ELEMENT_BITS: u32 = 4;

/// Bits per block scale.
const SCALE_BITS: u32 = 8;

/// Blocks assembled per bulk write: 8 blocks of 9 bytes are 9 whole words.
const GROUP: usize = 8;

/// Bytes per full block: the scale and 16 codes of 4 bits.
const BLOCK_BYTES: usize = 1 + NV_BLOCK / 2;

/// How the NVFP4 scales are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NvScaleRule {
    /// torchao's recipe: `s_t` and `s_b` by nearest-even. Blocks whose scale rounds down clip
    /// their largest elements.
    Nearest,
    /// `s_t` rounded up in `f32`, `s_b` rounded up in E4M3, with an exact check that
    /// `a_b <= 6 s_t s_b`: never clips (a reconstruction, not the published recipe).
    RoundUp,
}

/// NVFP4: E2M1 elements, E4M3 scales per 16, an `f32` tensor scale; `4d + 8·ceil(d/16) + 32` bits.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::formats::{NvScaleRule, Nvfp4, Rounding};
/// use quantizers::{PublicState, Quantizer};
///
/// let q = Nvfp4::new(20, Rounding::Stochastic, NvScaleRule::RoundUp)?;
/// assert_eq!(q.bit_cost().exact(), Some(4 * 20 + 8 * 2 + 32));
/// let y: Vec<f32> = (0..20).map(|i| (i as f32 - 9.5) / 3.0).collect();
/// let state = PublicState::new(3);
/// let mut w = BitWriter::new();
/// let stats = q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(stats.clipped, 0); // rounding the scales up leaves headroom
/// let mut out = vec![0.0; 20];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// // Each coordinate lands on a neighbour: within one E2M1 step (at most 2·s_t·s_b ~ amax/3).
/// let amax = 9.5 / 3.0;
/// for (o, v) in out.iter().zip(&y) {
///     assert!((o - f64::from(*v)).abs() <= amax / 3.0 * 1.2);
/// }
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Nvfp4 {
    dim: usize,
    rounding: Rounding,
    rule: NvScaleRule,
    bits: usize,
    table: DecodeTable,
    /// E4M3's grid for the block scales and E2M1's for the elements, on `f64` bits.
    scale_grid: Option<BitGrid<f64>>,
    element_grid: Option<BitGrid<f64>>,
}

impl Nvfp4 {
    /// NVFP4 for vectors of dimension `dim >= 1`.
    pub fn new(dim: usize, rounding: Rounding, rule: NvScaleRule) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        let bits = dim
            .checked_mul(ELEMENT_BITS as usize)
            .and_then(|b| b.checked_add(dim.div_ceil(NV_BLOCK) * SCALE_BITS as usize))
            .and_then(|b| b.checked_add(TENSOR_SCALE_BITS as usize))
            .ok_or_else(|| {
                QuantError::InvalidParameter(format!(
                    "NVFP4 of dimension {dim} overflows usize bits"
                ))
            })?;
        Ok(Self {
            dim,
            rounding,
            rule,
            bits,
            table: DecodeTable::new(&ELEMENT)?,
            scale_grid: BitGrid::new(&SCALE, 0),
            element_grid: BitGrid::new(&ELEMENT, 0),
        })
    }

    /// The rounding of the elements.
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    /// The scale rule.
    pub fn rule(&self) -> NvScaleRule {
        self.rule
    }

    /// The tensor scale `s_t` for a tensor maximum `amax >= 0`: `A / 2688` rounded to `f32`
    /// (up, for [`NvScaleRule::RoundUp`]), `0` for `A = 0`, at least the smallest positive `f32`
    /// otherwise. Errors if `amax` is not a finite magnitude or `s_t` overflows `f32`.
    pub fn tensor_scale(&self, amax: f64) -> Result<f32, QuantError> {
        let overflow = || QuantError::OutOfRange {
            what: format!("tensor maximum {amax} needs an NVFP4 tensor scale beyond f32"),
        };
        if !(amax.is_finite() && amax >= 0.0) {
            return Err(overflow());
        }
        if amax == 0.0 {
            return Ok(0.0);
        }
        let full = E4M3_MAX * E2M1_MAX;
        // f64 division then one rounding to f32: the correctly rounded f32 quotient.
        let mut s = (amax / full) as f32;
        if self.rule == NvScaleRule::RoundUp {
            // full · s is exact (24 + 5 significant bits), so the comparison is exact.
            while s.is_finite() && f64::from(s) * full < amax {
                s = s.next_up();
            }
        }
        if !s.is_finite() {
            return Err(overflow());
        }
        Ok(s.max(f32::from_bits(1)))
    }

    /// The E4M3 code of the block scale `s_b` for a block maximum `block_amax` under tensor
    /// scale `s_t` (code of `2^-6` when `s_t = 0`).
    pub fn block_scale_code(&self, block_amax: f64, tensor_scale: f32) -> u32 {
        let st = f64::from(tensor_scale);
        if st <= 0.0 || !st.is_finite() {
            return Self::min_scale_code();
        }
        let target = (block_amax / E2M1_MAX / st).clamp(BLOCK_SCALE_MIN, E4M3_MAX);
        let nearest = SCALE
            .encode_nearest(target, Overflow::Saturate)
            .map_or(SCALE.max_code(), |e| e.code);
        match self.rule {
            NvScaleRule::Nearest => nearest,
            NvScaleRule::RoundUp => {
                let mut code = nearest;
                // Step up while the block maximum would exceed 6 s_t s_b; the product is
                // exact (24 + 4 + 2 significant bits). s_t >= A/2688 ends the loop by 448.
                while code < SCALE.max_code()
                    && (SCALE.decode(code) < target
                        || E2M1_MAX * st * SCALE.decode(code) < block_amax)
                {
                    code += 1;
                }
                code
            }
        }
    }

    fn min_scale_code() -> u32 {
        SCALE
            .encode_nearest(BLOCK_SCALE_MIN, Overflow::Saturate)
            .map_or(1, |e| e.code)
    }

    /// [`Nvfp4::block_scale_code`] with the nearest-even E4M3 rounding done on bits.
    #[inline]
    fn block_scale_code_with(&self, grid: &BitGrid<f64>, block_amax: f64, st: f64) -> u32 {
        if st <= 0.0 || !st.is_finite() {
            return Self::min_scale_code();
        }
        let target = (block_amax / E2M1_MAX / st).clamp(BLOCK_SCALE_MIN, E4M3_MAX);
        // The target lies in [2^-6, 448]: never clipped.
        let nearest: u32 = grid.nearest_even(target.to_bits()).0.as_();
        match self.rule {
            NvScaleRule::Nearest => nearest,
            NvScaleRule::RoundUp => {
                let mut code = nearest;
                while code < SCALE.max_code()
                    && (SCALE.decode(code) < target
                        || E2M1_MAX * st * SCALE.decode(code) < block_amax)
                {
                    code += 1;
                }
                code
            }
        }
    }

    fn encode_slice<T: FloatBits>(
        &self,
        x: &[T],
        st: f32,
        uniforms: &mut Uniforms<'_>,
        out: &mut BitWriter,
    ) -> Result<usize, QuantError> {
        // Both grids exist in f64: E4M3 and E2M1 lie far inside its range.
        let (Some(scale_grid), Some(grid)) = (self.scale_grid, self.element_grid) else {
            return Err(QuantError::InvalidParameter(
                "NVFP4 formats outside f64".into(),
            ));
        };
        let mut draw = || uniforms.next_u64();
        let st64 = f64::from(st);
        let max = u64::from(grid.max_mag());
        out.write_bits(u64::from(st.to_bits()), TENSOR_SCALE_BITS)?;
        let mut clipped = 0;
        let mut codes = [0u8; NV_BLOCK];
        // A block is 9 whole bytes (scale, then two codes per byte): 8 blocks are 9 words.
        let mut bytes = [0u8; GROUP * BLOCK_BYTES];
        let mut words = [0u64; GROUP * BLOCK_BYTES / 8];
        for group in x.chunks(GROUP * NV_BLOCK) {
            let mut bits = 0;
            for (block, dst) in group
                .chunks(NV_BLOCK)
                .zip(bytes.chunks_exact_mut(BLOCK_BYTES))
            {
                // The input is finite: the float maximum is the maximum.
                let amax = max_abs(block).to_f64();
                let code = self.block_scale_code_with(&scale_grid, amax, st64);
                let p = st64 * SCALE.decode(code);
                // The quotients fl64(y_i / p), or +0 for an all-zero tensor.
                let mut quotients = [0.0f64; NV_BLOCK];
                if p > 0.0 {
                    for (t, v) in quotients.iter_mut().zip(block) {
                        *t = v.to_f64() / p;
                    }
                }
                let quotients = quotients.get(..block.len()).unwrap_or(&[]);
                match self.rounding {
                    Rounding::NearestEven => {
                        // Finite quotients: the input was checked.
                        let (clip, _) =
                            grid.nearest_even_chunk(quotients, &mut codes, f64::INFINITY);
                        clipped += clip as usize;
                    }
                    Rounding::Stochastic => {
                        for (c, &t) in codes.iter_mut().zip(quotients) {
                            let mag = match grid.stochastic_split(t) {
                                Some((floor, _)) if floor > max => max + 1,
                                Some((floor, 0)) => floor,
                                Some((floor, _)) if floor == max => max + 1,
                                Some((floor, thr)) => floor + u64::from(draw() < thr),
                                None => {
                                    let (_, mant, exp) = decompose(t);
                                    let sr = Rounding::Stochastic;
                                    ELEMENT.round_magnitude(mant, exp, sr, &mut draw)
                                }
                            };
                            let (code, clip) = ELEMENT.saturate(t.is_sign_negative(), mag);
                            *c = code as u8;
                            clipped += usize::from(clip);
                        }
                    }
                }
                let (scale, nibbles) = dst.split_at_mut(1);
                scale.fill(code as u8);
                if block.len() == NV_BLOCK {
                    for (b, pair) in nibbles.iter_mut().zip(codes.chunks_exact(2)) {
                        *b = (pair[0] & 0xF) | (pair[1] << 4);
                    }
                } else {
                    nibbles_into(codes.get(..block.len()).unwrap_or(&[]), nibbles);
                }
                bits += SCALE_BITS as usize + block.len() * ELEMENT_BITS as usize;
            }
            write_bytes(&bytes, bits, &mut words, out)?;
        }
        Ok(clipped)
    }

    /// The block scale of a code read from a message: a positive E4M3 value in `[2^-6, 448]`.
    fn read_block_scale(code: u32) -> Result<f64, QuantError> {
        match SCALE.decode_finite(code) {
            Some(v) if (BLOCK_SCALE_MIN..=E4M3_MAX).contains(&v) => Ok(v),
            _ => Err(QuantError::Corrupt(format!(
                "NVFP4 block scale code {code:#x} is not an E4M3 value in [2^-6, 448]"
            ))),
        }
    }
}

impl Quantizer for Nvfp4 {
    fn name(&self) -> String {
        let rule = match self.rule {
            NvScaleRule::Nearest => "rne-scales",
            NvScaleRule::RoundUp => "up-scales",
        };
        format!("nvfp4({},{rule})", self.rounding)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits)
    }

    fn bias(&self) -> Bias {
        match (self.rounding, self.rule) {
            (Rounding::NearestEven, _) => Bias::Biased(
                "nearest-even rounding of y/(s_t s_b): deterministic error, clipped where the \
                 block scale rounds down",
            ),
            (Rounding::Stochastic, NvScaleRule::Nearest) => Bias::Biased(
                "stochastic rounding is unbiased except on blocks whose E4M3 scale rounds down, \
                 where coordinates above 6·s_t·s_b are clipped (counted)",
            ),
            (Rounding::Stochastic, NvScaleRule::RoundUp) => Bias::Unbiased,
        }
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The exact `E||Q(y) - y||^2` (up to `f64` rounding): per coordinate
    /// `(s_t s_b)^2 e(y_i / (s_t s_b))`, `e` the E2M1 rounding error of
    /// [`Minifloat::rounding_mse`]. `None` for a wrong length, non-finite input, or a tensor
    /// scale beyond `f32`.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || first_non_finite(y).is_some() {
            return None;
        }
        let amax = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let st = self.tensor_scale(amax).ok()?;
        if st == 0.0 {
            return Some(0.0);
        }
        let mut total = 0.0;
        for block in y.chunks(NV_BLOCK) {
            let bmax = block.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let p = f64::from(st) * SCALE.decode(self.block_scale_code(bmax, st));
            let e: f64 = block
                .iter()
                .map(|&v| ELEMENT.rounding_mse(v / p, self.rounding))
                .sum();
            total += p * p * e;
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
        // One pass: the largest magnitude's bits, at least those of +Inf if anything is not
        // finite (bits of magnitudes are ordered like the values).
        let amax = match input {
            Input::F32(x) => max_magnitude(x),
            Input::F64(x) => max_magnitude(x),
        };
        let Some(amax) = amax else {
            input.validate(self.dim)?;
            return Err(QuantError::NonFinite { index: 0 });
        };
        // Before writing, so a refused input leaves the message untouched.
        let st = self.tensor_scale(amax)?;
        out.ensure_room(self.bits)?;
        let start = out.len();
        let mut uniforms = Uniforms::new(rng);
        let clipped = match input {
            Input::F32(x) => self.encode_slice(x, st, &mut uniforms, out)?,
            Input::F64(x) => self.encode_slice(x, st, &mut uniforms, out)?,
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
        let st = f32::from_bits(bits.read_bits(TENSOR_SCALE_BITS)? as u32);
        if !(st.is_finite() && st.is_sign_positive()) {
            return Err(QuantError::Corrupt(format!(
                "NVFP4 tensor scale {st} is not a finite non-negative f32"
            )));
        }
        let mut words = [0u64; GROUP * BLOCK_BYTES / 8 + 1];
        let mut bytes = [0u8; GROUP * BLOCK_BYTES + 8];
        let mut values = [0.0f64; 16];
        for group in out.chunks_mut(GROUP * NV_BLOCK) {
            let blocks = group.len().div_ceil(NV_BLOCK);
            let count = blocks * SCALE_BITS as usize + group.len() * ELEMENT_BITS as usize;
            read_bytes(bits, count, &mut words, &mut bytes)?;
            for (block, src) in group.chunks_mut(NV_BLOCK).zip(bytes.chunks(BLOCK_BYTES)) {
                let (scale, codes) = src.split_first().unwrap_or((&0xFF, &[]));
                let p = f64::from(st) * Self::read_block_scale(u32::from(*scale))?;
                // Every E2M1 code is a finite number.
                for (v, q) in values.iter_mut().zip(self.table.values()) {
                    *v = q * p;
                }
                expand_nibbles(codes, &values, block);
            }
        }
        Ok(())
    }
}

/// The largest `|y_i|` as `f64`, or `None` if some coordinate is NaN or infinite.
fn max_magnitude<T: FloatBits>(x: &[T]) -> Option<f64> {
    let amax = max_abs_bits(x);
    (amax < T::inf_bits()).then(|| T::from_bits_t(amax).to_f64())
}
